"""SLO error budgets and multi-window, multi-burn-rate alerts, as SRE practice defines them.

An SLO such as "99% of requests within 50 ms over 30 days" allows 1% of requests to be *bad*:
that 1% is the **error budget**. The **burn rate** is the bad fraction over a window divided by
the allowed fraction: burning at 1 spends the budget exactly over the SLO period, at 14.4 it is
gone in 30 d / 14.4 = 50 h. A **multi-window** alert fires when the burn rate exceeds its
threshold over a long window (enough budget is at stake) *and* over a short one (it is still
happening, so the alert resets soon after the problem ends). :data:`SRE_RULES` are the Google SRE
Workbook's three rules for a 30-day SLO (page at 14.4 over 1 h and 5 min, page at 6 over 6 h and
30 min, ticket at 1 over 3 days and 6 h) (Beyer et al., The Site Reliability Workbook, 2018, ch. 5).

>>> error_budget(bad=30, total=10_000, slo_target=0.99)["consumed_fraction"]
0.3
>>> round(SRE_RULES[0].budget_fraction(30 * 86400), 3)    # the fast page spends 2% of the budget
0.02
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simlib._validate import Range, invalid, validate_fields, validate_params
from simlib.monitor.rolling import records

__all__ = ["Alerts", "BurnRule", "SRE_RULES", "burn_rate_alerts", "error_budget"]

_TARGET = Range(0, 1, closed="neither")
_POS_S = Range(0, None, closed="neither", unit="s")


@validate_params({"bad": Range(0, None, integer=True), "total": Range(1, None, integer=True), "slo_target": _TARGET})
def error_budget(bad: int, total: int, slo_target: float) -> dict[str, float]:
    """``allowed_count`` (bad requests the SLO allows among ``total``), ``consumed_fraction`` of the
    budget spent by ``bad``, ``remaining_fraction`` (negative once overspent) and ``burn_rate``."""
    if bad > total:
        raise invalid("bad", f"is {bad}, more than total={total}", "0 <= bad <= total", owner="error_budget")
    allowed = (1 - slo_target) * total
    used = bad / allowed
    return {"allowed_count": allowed, "consumed_fraction": round(used, 12), "remaining_fraction": round(1 - used, 12),
            "burn_rate": round(bad / total / (1 - slo_target), 12)}


@validate_fields({"long_s": _POS_S, "short_s": _POS_S, "burn_rate": Range(0, None, closed="neither")})
@dataclass(frozen=True)
class BurnRule:
    """Alert when the burn rate exceeds ``burn_rate`` over both ``long_s`` and ``short_s``."""

    long_s: float
    short_s: float
    burn_rate: float
    name: str = "rule"

    def budget_fraction(self, period_s: float) -> float:
        """The share of the period's budget spent by the time this rule fires: burn * long / period."""
        return self.burn_rate * self.long_s / period_s


SRE_RULES = (BurnRule(3600.0, 300.0, 14.4, "page: 2% of budget in 1 h"),
             BurnRule(6 * 3600.0, 1800.0, 6.0, "page: 5% of budget in 6 h"),
             BurnRule(3 * 86400.0, 6 * 3600.0, 1.0, "ticket: 10% of budget in 3 d"))


@dataclass(frozen=True)
class Alerts:
    """Evaluation times ``t_s`` and, per rule (in order), whether it fired there (``firing``, bool
    array of shape (rules, times)); ``burn_long``/``burn_short`` hold the burn rates."""

    t_s: np.ndarray
    firing: np.ndarray
    burn_long: np.ndarray
    burn_short: np.ndarray
    rules: tuple[BurnRule, ...]

    @property
    def any_firing(self) -> np.ndarray:
        return self.firing.any(axis=0)

    def onsets_s(self, rule: int | None = None) -> np.ndarray:
        """Times at which an alert (of one rule, or any) starts firing."""
        f = self.any_firing if rule is None else self.firing[rule]
        start = f & ~np.r_[False, f[:-1]]
        return self.t_s[start]


def _window_fraction(t, bad_cum, ends, w):
    hi = np.searchsorted(t, ends, side="right")
    lo = np.searchsorted(t, ends - w, side="right")
    n = hi - lo
    b = bad_cum[hi] - bad_cum[lo]
    return np.where(n > 0, b / np.maximum(n, 1), 0.0), n


@validate_params({"slo_target": _TARGET, "step_s": _POS_S})
def burn_rate_alerts(t_s, bad, slo_target: float, rules=SRE_RULES, step_s: float = 300.0,
                     min_requests: int = 10) -> Alerts:
    """Evaluate ``rules`` every ``step_s`` over request records: times ``t_s`` (s, sorted) and
    ``bad`` (1 where a request missed the SLO). A window with fewer than ``min_requests``
    requests does not fire (its burn rate is noise), nor does a rule before its long window has
    filled."""
    t, b = records(t_s, bad, "burn_rate_alerts")
    if not rules:
        raise invalid("rules", "is empty", "at least one BurnRule", owner="burn_rate_alerts")
    allowed = 1 - slo_target
    cum = np.r_[0.0, np.cumsum(b)]
    ends = np.arange(t[0] + step_s, t[-1] + step_s * 0.5, step_s)
    firing, bl, bs = [], [], []
    for r in rules:
        fl, nl = _window_fraction(t, cum, ends, r.long_s)
        fs, ns = _window_fraction(t, cum, ends, r.short_s)
        long_rate, short_rate = fl / allowed, fs / allowed
        full = ends >= t[0] + r.long_s  # a long window that is not yet full is not judged
        firing.append((long_rate > r.burn_rate) & (short_rate > r.burn_rate) & (nl >= min_requests)
                      & (ns >= min_requests) & full)
        bl.append(long_rate)
        bs.append(short_rate)
    return Alerts(ends, np.array(firing), np.array(bl), np.array(bs), tuple(rules))


def hours_to_exhaust(burn: float, period_s: float = 30 * 86400.0) -> float:
    """Hours until a full budget is spent at a constant burn rate (inf at 0)."""
    return math.inf if burn <= 0 else period_s / burn / 3600.0
