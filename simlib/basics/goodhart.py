"""Goodhart's law, measured (source chapter, Napkin Math 1.2 and footnote 1, seed lines 33-34, 129-137).

*Selection on a fixed test split.* Try many variants, keep the one that scores best on one fixed
test split, and that score overstates the chosen variant: part of its lead is the split's
sampling noise, which a fresh split does not repeat. :func:`expected_selection_gain` is the closed
form when every variant has the same true accuracy (the expected maximum of k binomial scores);
:func:`simulate_selection_gain` checks it with seeded draws; :func:`selection_study` measures it
with real classifiers on the digits data (many ridge classifiers on random pixel subsets, chosen
on a small "benchmark" split, re-scored on a fresh split, over several reshuffles).

*The BLEU/beam-search example.* :func:`beam_search_budget` recomputes Napkin Math 1.2 from its
stated numbers: the BLEU gain, the slowdown, the latency over a 100 ms budget, and (assuming
latency is linear in beam width, fitted through the two stated points) the widest beam that fits.

>>> round(expected_selection_gain(0.9, 200, 1), 6)
0.0
>>> b = beam_search_budget()
>>> b.slowdown_ratio, b.max_beam_within_budget, round(b.over_budget_s, 3)
(4.0, 4, 0.1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

from simlib import budget
from simlib._validate import Range, invalid, validate_params
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, mean_ci

__all__ = ["BeamSearchBudget", "SelectionStudy", "beam_search_budget", "expected_selection_gain",
           "selection_figure", "selection_study", "simulate_selection_gain"]

_PROB = Range(0, 1, closed="neither")


@validate_params({"accuracy": _PROB, "n_test": Range(1, None, integer=True), "n_variants": Range(1, None, integer=True)})
def expected_selection_gain(accuracy: float, n_test: int, n_variants: int) -> float:
    """Expected optimism (fraction, 0.01 = 1 pp) of the best of ``n_variants`` scores on one test split
    of ``n_test`` items when every variant has true ``accuracy`` and their errors are independent:
    E[max of k Binomial(n, p)] / n - p, with E[max] = sum_{j=1..n} (1 - F(j - 1)^k) exactly.

    Real variants share a test split and make correlated errors, so this is an upper bound of
    the noise a selection can exploit at that size; :func:`selection_study` measures the real one.

    >>> round(expected_selection_gain(0.9, 200, 30) * 100, 2)  # pp
    4.08
    """
    j = np.arange(1, n_test + 1)
    e_max = float(np.sum(1.0 - _st.binom.cdf(j - 1, n_test, accuracy) ** n_variants))
    return e_max / n_test - accuracy


@validate_params({"accuracy": _PROB, "n_test": Range(1, None, integer=True), "n_variants": Range(1, None, integer=True),
                  "n_fresh": Range(1, None, integer=True), "n_trials": Range(2, 1_000_000, integer=True)})
def simulate_selection_gain(accuracy: float, n_test: int, n_variants: int, n_fresh: int = 1000,
                            n_trials: int = 2000, seed: int = 0) -> Interval:
    """Seeded simulation of the gain that does not transfer: in each trial, ``n_variants`` variants
    of equal true ``accuracy`` are scored on ``n_test`` items (independent errors), the best is
    kept and re-scored on ``n_fresh`` fresh items; returns the mean of (test score - fresh score),
    a fraction, with its 95% t interval over trials.

    >>> ci = simulate_selection_gain(0.9, 200, 30, seed=0)
    >>> ci.contains(expected_selection_gain(0.9, 200, 30))
    True
    """
    rng = np.random.default_rng(seed)
    best = rng.binomial(n_test, accuracy, size=(n_trials, n_variants)).max(axis=1) / n_test
    fresh = rng.binomial(n_fresh, accuracy, size=n_trials) / n_fresh
    return mean_ci(best - fresh)


@dataclass(frozen=True, repr=False)
class SelectionStudy(ResultDisplay):
    """Choosing among variants by a fixed test split, then scoring the choice on a fresh split
    (MEASURED: real classifiers on the digits data; accuracies are fractions).

    Per repeat (one reshuffle of the data): ``selected_test`` is the chosen variant's score on
    the selection split, ``selected_fresh`` its score on the fresh split, ``mean_fresh`` the mean
    fresh score of all variants (what picking one at random gives), ``best_fresh`` the best fresh
    score (an oracle). ``gain_not_transferred`` = mean of selected_test - selected_fresh with its
    t interval; ``gain_transferred`` = mean of selected_fresh - mean_fresh. ``by_k_test`` and
    ``by_k_fresh`` are the same two means when choosing among the first k variants, k = 1..n_variants.
    """

    n_variants: int
    n_train: int
    n_select: int
    n_fresh: int
    n_features: int
    seed: int
    selected_test: tuple[float, ...]
    selected_fresh: tuple[float, ...]
    mean_fresh: tuple[float, ...]
    best_fresh: tuple[float, ...]
    by_k_test: tuple[float, ...]
    by_k_fresh: tuple[float, ...]

    kind = "measured"

    @property
    def gain_not_transferred(self) -> Interval:
        return mean_ci(np.subtract(self.selected_test, self.selected_fresh))

    @property
    def gain_transferred(self) -> Interval:
        return mean_ci(np.subtract(self.selected_fresh, self.mean_fresh))

    @property
    def warnings(self) -> tuple[str, ...]:
        if len(self.selected_test) < 5:
            return (f"only {len(self.selected_test)} repeats: the interval of the gain is wide; raise n_repeats",)
        return ()

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(n_variants=self.n_variants, n_repeats=len(self.selected_test), n_train=self.n_train,
                              n_select=self.n_select, n_fresh=self.n_fresh, n_features=self.n_features, seed=self.seed,
                              variants="RidgeClassifier on random pixel subsets (sklearn load_digits)")

    @property
    def summary(self) -> dict[str, Any]:
        g, t = self.gain_not_transferred, self.gain_transferred
        return {"n": len(self.selected_test), "selected_test_fraction": float(np.mean(self.selected_test)),
                "selected_fresh_fraction": float(np.mean(self.selected_fresh)),
                "mean_fresh_fraction": float(np.mean(self.mean_fresh)),
                "gain_not_transferred_fraction": g.estimate, "gain_not_transferred_ci_fraction": [g.low, g.high],
                "gain_transferred_fraction": t.estimate, "gain_transferred_ci_fraction": [t.low, t.high],
                "ci_method": g.method}

    @property
    def verdict(self) -> str:
        """Words chosen by the interval: did the chosen variant's test score overstate it?"""
        g = self.gain_not_transferred
        if g.low > 0:
            return f"the chosen variant's benchmark score overstated it by {g.estimate * 100:.1f} pp"
        if g.high < 0:
            return f"the chosen variant did better on the fresh split, by {-g.estimate * 100:.1f} pp"
        return "no clear overstatement (the interval of the gap includes 0)"

    def transfer_text(self) -> str:
        """Words chosen by the interval of the gain that transferred (chosen variant on fresh data
        against a variant picked at random)."""
        t = self.gain_transferred
        span = f"{t.estimate * 100:+.1f} points, 95% interval {t.low * 100:+.1f} to {t.high * 100:+.1f}"
        if t.low > 0:
            return f"Choosing still helped (the winner beat a variant picked at random on fresh data by {span})"
        if t.high < 0:
            return f"Choosing even hurt (the winner did worse than a variant picked at random on fresh data: {span})"
        return f"Whether choosing helped at all is within noise (winner against a random variant on fresh data: {span})"

    def against_bound_text(self, bound: float) -> str:
        """The measured overstatement against the modeled one for independent variants (``bound``,
        a fraction), with the reason that fits."""
        g = self.gain_not_transferred
        if g.high < bound:
            return ("less than that. Real variants share most of their errors (the same hard digits defeat them "
                    "all), so they differ less than independent ones, and less of the test set's luck is there "
                    "to exploit.")
        if g.low > bound:
            return ("more than that: the variants' true accuracies differ, and a small benchmark split also "
                    "rewards variants that happen to suit it.")
        return "about as much as that (the model's value is inside the measured interval)."

    def _rows(self) -> list[tuple[str, str]]:
        g, t = self.gain_not_transferred, self.gain_transferred
        return [("gain that did not transfer", f"{g.estimate * 100:+.2f} pp [{g.low * 100:+.2f}, {g.high * 100:+.2f}] "
                                               f"(95% {g.method}, {len(self.selected_test)} repeats)"),
                ("verdict", self.verdict),
                ("chosen: benchmark split", f"{np.mean(self.selected_test):.2%} ({self.n_select} items)"),
                ("chosen: fresh split", f"{np.mean(self.selected_fresh):.2%} ({self.n_fresh} items)"),
                ("gain that transferred", f"{t.estimate * 100:+.2f} pp [{t.low * 100:+.2f}, {t.high * 100:+.2f}] over "
                                          "a variant picked at random"),
                ("variants", f"{self.n_variants} ridge classifiers on {self.n_features} random pixels each")]

    def _payload(self) -> dict[str, Any]:
        return {"by_k_test": list(self.by_k_test), "by_k_fresh": list(self.by_k_fresh)}


@validate_params({"n_variants": Range(2, 500, integer=True), "n_repeats": [Range(2, 1000, integer=True), None],
                  "n_select": Range(20, 800, integer=True), "n_features": Range(1, 64, integer=True),
                  "n_train": Range(100, 1200, integer=True)})
def selection_study(n_variants: int = 30, n_repeats: int | None = None, *, n_select: int = 150,
                    n_train: int = 600, n_features: int = 40, seed: int = 0) -> SelectionStudy:
    """Measure Goodhart's law on the digits data (sklearn's bundled 1,797 images).

    Each repeat reshuffles the data (seed ``seed + r``) into a training split (``n_train``), a
    small benchmark split used for choosing (``n_select``) and a fresh split (the rest), trains
    ``n_variants`` ridge classifiers (:class:`sklearn.linear_model.RidgeClassifier`, each on
    ``n_features`` random pixels: cheap variants whose true accuracies are close), keeps the one
    with the best benchmark accuracy and scores it on the fresh split. ``n_repeats`` defaults to
    the budget (quick 12, standard 40, full 200).
    """
    from sklearn.datasets import load_digits
    from sklearn.linear_model import RidgeClassifier

    d = load_digits()
    x, y = d.data / 16.0, d.target
    if n_train + n_select > y.size - 100:
        raise invalid("n_select", f"plus n_train ({n_train}) leaves under 100 fresh items of {y.size}",
                      f"n_train + n_select <= {y.size - 100}", owner="selection_study")
    reps = n_repeats if n_repeats is not None else budget.pick(quick=12, standard=40, full=200)
    sel_t, sel_f, mean_f, best_f = [], [], [], []
    by_t, by_f = np.zeros(n_variants), np.zeros(n_variants)
    for r in range(reps):
        rng = np.random.default_rng(seed + r)
        perm = rng.permutation(y.size)
        tr, se, fr = perm[:n_train], perm[n_train:n_train + n_select], perm[n_train + n_select:]
        acc_t, acc_f = np.empty(n_variants), np.empty(n_variants)
        for v in range(n_variants):
            cols = rng.choice(64, n_features, replace=False)
            m = RidgeClassifier(alpha=1.0).fit(x[tr][:, cols], y[tr])
            acc_t[v] = float(np.mean(m.predict(x[se][:, cols]) == y[se]))
            acc_f[v] = float(np.mean(m.predict(x[fr][:, cols]) == y[fr]))
        best = int(np.argmax(acc_t))  # the benchmark's winner (first one on ties)
        sel_t.append(acc_t[best])
        sel_f.append(acc_f[best])
        mean_f.append(float(acc_f.mean()))
        best_f.append(float(acc_f.max()))
        for k in range(1, n_variants + 1):
            b = int(np.argmax(acc_t[:k]))
            by_t[k - 1] += acc_t[b] / reps
            by_f[k - 1] += acc_f[b] / reps
    n_fresh = y.size - n_train - n_select
    return SelectionStudy(n_variants, n_train, n_select, n_fresh, n_features, seed, tuple(sel_t), tuple(sel_f),
                          tuple(mean_f), tuple(best_f), tuple(by_k.item() for by_k in by_t),
                          tuple(by_k.item() for by_k in by_f))


def selection_figure(study: SelectionStudy):
    """The chosen variant's accuracy on the benchmark split and on a fresh split against how many
    variants were tried (MEASURED): the gap between the two lines is the gain that does not transfer."""
    from matplotlib.figure import Figure

    k = np.arange(1, study.n_variants + 1)
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    ax.plot(k, np.multiply(study.by_k_test, 100), "o-", label=f"benchmark split ({study.n_select} items)")
    ax.plot(k, np.multiply(study.by_k_fresh, 100), "s-", label=f"fresh split ({study.n_fresh} items)")
    ax.set_xlabel("variants tried (chosen by benchmark accuracy)", fontsize=13)
    ax.set_ylabel("accuracy of the chosen variant (%)", fontsize=13)
    ax.set_title(f"MEASURED: choosing on the benchmark split (mean of {len(study.selected_test)} reshuffles)",
                 fontsize=13)
    ax.legend(fontsize=12)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Napkin Math 1.2


@dataclass(frozen=True, repr=False)
class BeamSearchBudget(ResultDisplay):
    """Napkin Math 1.2 recomputed from its stated numbers (MODELED). Times in seconds.

    ``per_beam_s`` and ``fixed_s`` come from a line through the two stated (beam, latency) points
    (an assumption: latency linear in beam width); ``max_beam_within_budget`` is the widest beam
    that line keeps within ``budget_s``.
    """

    bleu_base: float
    bleu_optimized: float
    latency_base_s: float
    latency_optimized_s: float
    beam_base: int
    beam_optimized: int
    budget_s: float

    kind = "modeled"
    warnings = ()

    @property
    def bleu_gain(self) -> float:
        return self.bleu_optimized - self.bleu_base

    @property
    def slowdown_ratio(self) -> float:
        return self.latency_optimized_s / self.latency_base_s

    @property
    def candidate_ratio(self) -> float:
        return self.beam_optimized / self.beam_base

    @property
    def per_beam_s(self) -> float:
        return (self.latency_optimized_s - self.latency_base_s) / (self.beam_optimized - self.beam_base)

    @property
    def fixed_s(self) -> float:
        return self.latency_base_s - self.per_beam_s * self.beam_base

    @property
    def over_budget_s(self) -> float:
        return self.latency_optimized_s - self.budget_s

    @property
    def max_beam_within_budget(self) -> int:
        return max(0, math.floor((self.budget_s - self.fixed_s) / self.per_beam_s + 1e-9))

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(bleu_base=self.bleu_base, bleu_optimized=self.bleu_optimized,
                              latency_base_s=self.latency_base_s, latency_optimized_s=self.latency_optimized_s,
                              beam_base=self.beam_base, beam_optimized=self.beam_optimized, budget_s=self.budget_s)

    @property
    def summary(self) -> dict[str, Any]:
        return {"bleu_gain_fraction": self.bleu_gain / self.bleu_base,
                "slowdown_ratio": self.slowdown_ratio, "candidate_ratio": self.candidate_ratio,
                "over_budget_s": self.over_budget_s, "over_budget_ratio": self.latency_optimized_s / self.budget_s,
                "per_beam_s": self.per_beam_s, "fixed_s": self.fixed_s,
                "max_beam_within_budget_count": self.max_beam_within_budget,
                "verdict": self.verdict}

    @property
    def verdict(self) -> str:
        """Which of the two models meets the latency budget."""
        ok = [name for name, t in (("base", self.latency_base_s), ("optimized", self.latency_optimized_s))
              if t <= self.budget_s]
        return (("both meet" if len(ok) == 2 else f"only {ok[0]} meets" if ok else "neither meets")
                + f" the {self.budget_s * 1e3:g} ms budget")

    def _rows(self) -> list[tuple[str, str]]:
        ms = 1e3
        return [("BLEU", f"{self.bleu_base:g} -> {self.bleu_optimized:g} ({self.bleu_gain:+.2g} points, "
                         f"{self.bleu_gain / self.bleu_base:+.1%})"),
                ("latency", f"{self.latency_base_s * ms:.0f} ms -> {self.latency_optimized_s * ms:.0f} ms "
                            f"({self.slowdown_ratio:.1f}x slower for {self.candidate_ratio:.0f}x the candidates)"),
                ("budget", f"{self.budget_s * ms:.0f} ms: base " + ("meets it" if self.latency_base_s <= self.budget_s
                                                                    else "misses it")
                           + ", optimized " + ("meets it" if self.latency_optimized_s <= self.budget_s else
                                               f"misses it by {self.over_budget_s * ms:.0f} ms")),
                ("linear fit", f"{self.fixed_s * ms:.1f} ms fixed + {self.per_beam_s * ms:.2f} ms per beam"),
                ("widest beam within budget", f"{self.max_beam_within_budget} (if latency is linear in beam width)")]


@validate_params({"bleu_base": Range(0, 100), "bleu_optimized": Range(0, 100),
                  "latency_base_s": Range(0, None, closed="neither", unit="s"),
                  "latency_optimized_s": Range(0, None, closed="neither", unit="s"),
                  "beam_base": Range(1, None, integer=True), "beam_optimized": Range(1, None, integer=True),
                  "budget_s": Range(0, None, closed="neither", unit="s")})
def beam_search_budget(bleu_base: float = 28.0, bleu_optimized: float = 28.5, latency_base_s: float = 0.050,
                       latency_optimized_s: float = 0.200, beam_base: int = 1, beam_optimized: int = 10,
                       budget_s: float = 0.100) -> BeamSearchBudget:
    """Napkin Math 1.2 as a function of its numbers (defaults: the source's: BLEU 28 -> 28.5, 50 ms
    -> 200 ms, beam 1 -> 10, the "Latency < 100 ms" constraint).

    >>> b = beam_search_budget()
    >>> round(b.per_beam_s * 1e3, 2), round(b.fixed_s * 1e3, 2)
    (16.67, 33.33)
    """
    if beam_optimized <= beam_base:
        raise invalid("beam_optimized", f"is {beam_optimized}, not wider than beam_base ({beam_base})",
                      f"an integer > {beam_base}", owner="beam_search_budget")
    if latency_optimized_s <= latency_base_s:
        raise invalid("latency_optimized_s", "is not above latency_base_s (a wider beam costs time)",
                      f"a number > {latency_base_s:g} s", owner="beam_search_budget")
    return BeamSearchBudget(bleu_base, bleu_optimized, latency_base_s, latency_optimized_s, beam_base, beam_optimized,
                            budget_s)
