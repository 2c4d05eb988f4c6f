"""What a benchmark is: the opening chapter's traps of measurement, recomputed and measured.

- :mod:`simlib.basics.trap`      the statistical confidence trap (Napkin Math 1.1): two classifiers
  on one test split (Wilson, paired bootstrap, McNemar or the two-proportion z-test, samples
  needed), and how many timing runs separate two configurations given their run-to-run CV;
- :mod:`simlib.basics.goodhart`  Goodhart's law measured (selection on a fixed test split that does
  not transfer to a fresh one) and the BLEU/beam-search example (Napkin Math 1.2);
- :mod:`simlib.basics.framework` Definition 1.1's peak-to-sustained gap, Amdahl's end-to-end speedup,
  Lighthouse 1.1 (MobileNetV2 deployment validation);
- :mod:`simlib.basics.history`   the benchmark history tables as data (``history.yaml``), a
  table, a timeline figure and the numbers derived from them.

Layer: models (the digits experiments train :mod:`simlib.models.digits`).
"""

from simlib.basics.framework import end_to_end_speedup, lighthouse_intro, peak_gap
from simlib.basics.goodhart import (
    BeamSearchBudget,
    SelectionStudy,
    beam_search_budget,
    expected_selection_gain,
    selection_study,
    simulate_selection_gain,
)
from simlib.basics.history import load_history, timeline_figure
from simlib.basics.trap import (
    AccuracyComparison,
    ConfidenceTrap,
    RunsToSeparate,
    compare_predictions,
    confidence_trap,
    digits_comparison,
    runs_to_separate,
)

__all__ = [
    "AccuracyComparison",
    "BeamSearchBudget",
    "ConfidenceTrap",
    "RunsToSeparate",
    "SelectionStudy",
    "beam_search_budget",
    "compare_predictions",
    "confidence_trap",
    "digits_comparison",
    "end_to_end_speedup",
    "expected_selection_gain",
    "lighthouse_intro",
    "load_history",
    "peak_gap",
    "runs_to_separate",
    "selection_study",
    "simulate_selection_gain",
    "timeline_figure",
]
