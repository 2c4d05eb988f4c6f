"""Pluggable thermal governors: each picks a DVFS operating point from the sensed temperature.

A governor is polled every ``poll_s`` seconds of simulated time (and, for trip-point governors,
also when the junction crosses ``watch_c`` upward: thermal sensors raise an interrupt at a trip
point). ``update`` receives the junction temperature and the power each operating point would
draw now (so a power-budget governor can choose), and returns the index of the operating point
to use (0 = fastest).

- :class:`NoGovernor` ("none"): always the fastest point.
- :class:`StepWise` ("step_wise"): like Linux's step_wise governor, one cooling step per poll:
  above the trip point and not cooling, slow down one point; below ``trip - hysteresis``, speed
  up one point; otherwise hold. As a last line of defence (a "hot" trip), at
  ``trip + hysteresis`` it drops straight to the slowest point.
- :class:`PowerAllocator` ("power_allocator"): like Linux's power allocator (IPA), a PI
  controller turns the temperature error into a power budget
  ``sustainable_power + k_p*e + k_i*sum(e)`` (docs.kernel.org/driver-api/thermal/power_allocator.html),
  capped at ``power_limit_w`` (a board power limit, as a GPU has), and grants the fastest
  operating point whose power fits the budget.

>>> g = make_governor("step_wise", trip_c=80.0, hysteresis_c=2.0)
>>> g.reset(n_opps=4)
0
>>> g.update(0.1, 81.0, None, 0), g.update(0.2, 81.5, None, 1), g.update(0.3, 77.0, None, 2)
(1, 2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simlib._validate import Options, Range, check

__all__ = ["GOVERNORS", "Governor", "NoGovernor", "PowerAllocator", "StepWise", "make_governor"]


@dataclass
class Governor:
    """Base class: ``poll_s`` (s) between decisions; ``watch_c`` (C) an interrupt threshold or None."""

    poll_s: float = 0.1
    name: str = field(default="governor", init=False)

    def __post_init__(self) -> None:
        check("poll_s", self.poll_s, Range(0, 60, closed="right", unit="s"), owner=type(self).__name__)

    @property
    def watch_c(self) -> float | None:
        return None

    def reset(self, n_opps: int) -> int:
        self.n_opps = n_opps
        return 0

    def update(self, t_s: float, temp_c: float, power_by_opp_w: np.ndarray | None, idx: int) -> int:
        raise NotImplementedError


@dataclass
class NoGovernor(Governor):
    """No thermal management: the fastest operating point always (the device may overheat)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.name = "none"

    def update(self, t_s, temp_c, power_by_opp_w, idx):
        return 0


@dataclass
class StepWise(Governor):
    """Step-wise throttling at ``trip_c`` with release below ``trip_c - hysteresis_c`` (C)."""

    trip_c: float = 85.0
    hysteresis_c: float = 2.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check("hysteresis_c", self.hysteresis_c, Range(0, 50, unit="K"), owner="StepWise")
        self.name = "step_wise"
        self._last = None

    @property
    def watch_c(self) -> float:
        return self.trip_c

    def reset(self, n_opps: int) -> int:
        self._last = None
        return super().reset(n_opps)

    def update(self, t_s, temp_c, power_by_opp_w, idx):
        last, self._last = self._last, temp_c
        rising = last is None or temp_c >= last
        if temp_c >= self.trip_c + self.hysteresis_c:
            return self.n_opps - 1  # "hot" trip: slowest point at once
        if temp_c >= self.trip_c and rising:
            return min(idx + 1, self.n_opps - 1)
        if temp_c < self.trip_c - self.hysteresis_c:
            return max(idx - 1, 0)
        return idx


@dataclass
class PowerAllocator(Governor):
    """PI power-budget governor (IPA-like), optionally capped at a board power limit.

    ``control_c``: temperature the loop regulates to (C). ``sustainable_power_w``: power the
    cooling removes at ``control_c`` (W), the budget's feed-forward term. ``k_p`` (W/K) and
    ``k_i`` (W/(K*poll)) gains; ``None`` derives them from the sustainable power as the kernel
    documentation suggests: ``k_p = 2 * sustainable / (control - switch_on)`` with a 20 K
    range, ``k_i = k_p / 50``. ``power_limit_w``: hard cap on the budget (None: no cap).
    """

    control_c: float = 85.0
    sustainable_power_w: float = 1.0
    k_p: float | None = None
    k_i: float | None = None
    power_limit_w: float | None = None
    integral_cutoff_k: float = 5.0

    def __post_init__(self) -> None:
        super().__post_init__()
        own = "PowerAllocator"
        check("sustainable_power_w", self.sustainable_power_w, Range(0, None, closed="neither", unit="W"), owner=own)
        if self.power_limit_w is not None:
            check("power_limit_w", self.power_limit_w, Range(0, None, closed="neither", unit="W"), owner=own)
        if self.k_p is None:
            self.k_p = 2.0 * self.sustainable_power_w / 20.0
        if self.k_i is None:
            self.k_i = self.k_p / 50.0
        self.name = "power_allocator"
        self._integral = 0.0

    def reset(self, n_opps: int) -> int:
        self._integral = 0.0
        return super().reset(n_opps)

    def budget_w(self, temp_c: float) -> float:
        err = self.control_c - temp_c
        if abs(err) < self.integral_cutoff_k:
            self._integral += err
        budget = self.sustainable_power_w + self.k_p * err + self.k_i * self._integral
        if self.power_limit_w is not None:
            budget = min(budget, self.power_limit_w)
        return max(budget, 0.0)

    def update(self, t_s, temp_c, power_by_opp_w, idx):
        budget = self.budget_w(temp_c)
        ok = np.flatnonzero(np.asarray(power_by_opp_w) <= budget)
        return int(ok[0]) if ok.size else self.n_opps - 1


GOVERNORS = {"none": NoGovernor, "step_wise": StepWise, "power_allocator": PowerAllocator}
_ALIASES = {"stepwise": "step_wise", "step-wise": "step_wise", "pi": "power_allocator",
            "ipa": "power_allocator", "power-allocator": "power_allocator"}


def make_governor(name: str, **params) -> Governor:
    """A governor by name ("none", "step_wise", "power_allocator"; aliases "pi", "ipa")."""
    key = _ALIASES.get(name, name) if isinstance(name, str) else name
    check("governor", key, Options(tuple(GOVERNORS)), owner="make_governor")
    cls = GOVERNORS[key]
    allowed = set(cls.__dataclass_fields__) - {"name"}
    return cls(**{k: v for k, v in params.items() if k in allowed})
