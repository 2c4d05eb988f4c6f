"""simlib.basics.goodhart: the selection gain that does not transfer (closed form, simulation, real
classifiers) and Napkin Math 1.2 (BLEU against a latency budget)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as st

from simlib._validate import InvalidParameterError
from simlib.basics.goodhart import (
    beam_search_budget,
    expected_selection_gain,
    selection_figure,
    selection_study,
    simulate_selection_gain,
)
from simlib.protocol import conforms


def test_one_variant_has_no_selection_gain():
    assert expected_selection_gain(0.9, 200, 1) == pytest.approx(0.0, abs=1e-12)


def test_closed_form_by_enumeration():
    n, p, k = 4, 0.6, 3
    pmf = st.binom.pmf(np.arange(n + 1), n, p)
    e_max = sum(max(c) * np.prod([pmf[x] for x in c]) for c in itertools.product(range(n + 1), repeat=k))
    assert expected_selection_gain(p, n, k) == pytest.approx(e_max / n - p, rel=1e-12)


def test_gain_grows_with_variants_and_shrinks_with_test_size():
    g = [expected_selection_gain(0.9, 200, k) for k in (1, 2, 5, 20, 100)]
    assert all(a < b for a, b in zip(g, g[1:], strict=False))
    s = [expected_selection_gain(0.9, n, 20) for n in (100, 400, 1600)]
    assert all(a > b for a, b in zip(s, s[1:], strict=False))
    assert s[0] / s[1] == pytest.approx(2, rel=0.15)  # ~ 1/sqrt(n): four times the items, half the gain


@pytest.mark.parametrize("p,n,k", [(0.9, 150, 30), (0.7, 60, 5), (0.95, 500, 10)])
def test_simulation_agrees_with_closed_form(p, n, k):
    ci = simulate_selection_gain(p, n, k, n_trials=4000, seed=7)
    assert ci.contains(expected_selection_gain(p, n, k))


def test_selection_study_properties():
    s = selection_study(n_variants=8, n_repeats=3, n_select=100, n_features=30, seed=5)
    assert len(s.selected_test) == 3 and len(s.by_k_test) == 8
    assert all(a <= b + 1e-12 for a, b in zip(s.by_k_test, s.by_k_test[1:], strict=False))  # max over more
    assert s.by_k_test[-1] == pytest.approx(np.mean(s.selected_test))
    assert s.by_k_fresh[-1] == pytest.approx(np.mean(s.selected_fresh))
    assert all(f <= b for f, b in zip(s.selected_fresh, s.best_fresh, strict=True))
    assert s.gain_not_transferred.estimate == pytest.approx(np.mean(s.selected_test) - np.mean(s.selected_fresh))
    assert s.n_fresh == 1797 - 600 - 100
    assert "only 3 repeats" in s.warnings[0]
    assert conforms(s) == []
    again = selection_study(n_variants=8, n_repeats=3, n_select=100, n_features=30, seed=5)
    assert again.selected_fresh == s.selected_fresh  # seeded


def test_selection_on_a_small_split_overstates_the_choice():
    """The chapter's default run (quick budget: 12 reshuffles): the chosen variant's benchmark score
    is above its fresh score, with a 95% interval that excludes 0."""
    s = selection_study(n_repeats=12)
    g = s.gain_not_transferred
    assert g.low > 0, s.table()
    assert s.verdict.startswith("the chosen variant's benchmark score overstated it")
    fig = selection_figure(s)
    ax = fig.axes[0]
    assert "MEASURED" in ax.get_title() and "%" in ax.get_ylabel()
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == s.n_variants


def test_selection_study_rejects_splits_that_leave_no_fresh_data():
    with pytest.raises(InvalidParameterError, match="n_select"):
        selection_study(n_train=1200, n_select=600, n_repeats=2)


# ------------------------------------------------------------------ Napkin Math 1.2


def test_beam_search_recomputes_the_source():
    b = beam_search_budget()
    assert b.bleu_gain == pytest.approx(0.5)  # "a 0.5-point gain"
    assert b.slowdown_ratio == pytest.approx(4.0)  # "200 ms (4x slower)"
    assert b.candidate_ratio == pytest.approx(10.0)  # "10x more candidate evaluations per step"
    assert b.over_budget_s == pytest.approx(0.100)  # 200 ms against "Latency < 100 ms"
    assert b.summary["over_budget_ratio"] == pytest.approx(2.0)
    assert b.verdict == "only base meets the 100 ms budget"
    # the line goes through both stated points, and the widest beam it allows is the largest that fits
    assert b.fixed_s + b.per_beam_s * 1 == pytest.approx(0.050)
    assert b.fixed_s + b.per_beam_s * 10 == pytest.approx(0.200)
    k = b.max_beam_within_budget
    assert b.fixed_s + b.per_beam_s * k <= b.budget_s + 1e-12 < b.fixed_s + b.per_beam_s * (k + 1)
    assert k == 4
    assert conforms(b) == []


def test_beam_search_budget_follows_its_inputs():
    assert beam_search_budget(budget_s=0.250).verdict == "both meet the 250 ms budget"
    assert beam_search_budget(budget_s=0.040).max_beam_within_budget == 0
    with pytest.raises(InvalidParameterError, match="beam_optimized"):
        beam_search_budget(beam_optimized=1)
    with pytest.raises(InvalidParameterError, match="latency_base_s"):
        beam_search_budget(latency_base_s=-0.05)
