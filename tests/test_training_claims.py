"""Every branch of the training chapter's chosen sentences, with synthetic results."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.measure.training import TimeToQuality, throughput_vs_ttq_text


def _ttq(times, thr, epochs=5):
    t = np.asarray(times, dtype=float)
    return TimeToQuality(32, 0.1, 64, "sgd", 0.95, 50, list(range(t.size)), t, np.full(t.size, epochs),
                         np.full(t.size, 0.96), np.asarray(thr, dtype=float), [(np.array([0.1]), np.array([0.96]))] * t.size)


SLOW_LOW = _ttq([1.0, 1.01, 0.99, 1.02, 0.98], [1000, 1001, 999, 1002, 998])
FAST_HIGH = _ttq([0.5, 0.51, 0.49, 0.52, 0.48], [5000, 5001, 4999, 5002, 4998])
SLOW_HIGH = _ttq([2.0, 2.01, 1.99, 2.02, 1.98], [5000, 5001, 4999, 5002, 4998])
NOISY = _ttq([0.5, 1.5, 1.0, 2.0, 0.2], [900, 1100, 1000, 1050, 950])


@pytest.mark.parametrize("small, large, words", [
    (SLOW_LOW, SLOW_HIGH, "processed more samples per second, yet took longer to reach the target"),
    (SLOW_LOW, FAST_HIGH, "processed more samples per second, and also reached the target sooner"),
    (SLOW_HIGH, SLOW_LOW, "processed fewer samples per second, and reached the target sooner"),
    (FAST_HIGH, SLOW_LOW, "processed fewer samples per second, and took longer to reach the target"),
    (SLOW_LOW, NOISY, "processed about as many samples per second (the intervals overlap), and reached the target "
                      "in about the same time (the intervals overlap)"),
])
def test_every_branch(small, large, words):
    assert throughput_vs_ttq_text(small, large) == words


def test_too_few_runs_reached():
    missed = _ttq([np.inf, np.inf, 1.0], [1000, 1000, 1000])
    assert "could not be compared" in throughput_vs_ttq_text(SLOW_LOW, missed)
