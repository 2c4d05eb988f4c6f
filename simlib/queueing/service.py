"""Service-time models: how long a worker takes for one request (or one batch).

Every model is a frozen dataclass with ``mean_s`` (mean time of one request, s), ``cv``
(coefficient of variation) and ``sample(rng, size, batch_size=1)`` returning seconds.
Only :class:`BatchCost` depends on the batch size: for the other models a batch of any size
takes one draw (as if the batch ran perfectly in parallel); use :class:`BatchCost` to model
batching honestly.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> LogNormal(0.010, cv=0.5).sample(rng, 3).round(4)
array([0.0095, 0.0084, 0.0121])
>>> BatchCost(t0_s=0.002, t1_s=0.001).mean_batch_s(8)
0.01
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simlib._validate import InvalidParameterError, Range, validate_fields

__all__ = ["BatchCost", "DeterministicService", "Empirical", "Exponential", "Gamma", "LogNormal",
           "ServiceModel"]

# Finite bounds: a service time from a picosecond to about 11.6 days, a CV up to 100; beyond
# them the simulated times overflow a float or the model means nothing.
_POS_S = Range(1e-12, 1e6, unit="s")
_CV = Range(0, 100, closed="right")


class ServiceModel:
    """Base class: subclasses set ``mean_s`` and ``cv`` and implement ``_draw``."""

    mean_s: float
    cv: float

    def mean_batch_s(self, batch_size: int = 1) -> float:
        """Mean service time of a batch of ``batch_size`` requests (s)."""
        return self.mean_s

    @property
    def second_moment_s2(self) -> float:
        """E[S^2] of one request's service time (s^2), used by Pollaczek-Khinchine."""
        return self.mean_s**2 * (1.0 + self.cv**2)

    def sample(self, rng: np.random.Generator, size: int, batch_size: int | np.ndarray = 1) -> np.ndarray:
        """``size`` service times in seconds (of batches of ``batch_size`` for BatchCost)."""
        return self._draw(rng, int(size))

    def _draw(self, rng: np.random.Generator, size: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


@validate_fields({"time_s": _POS_S})
@dataclass(frozen=True)
class DeterministicService(ServiceModel):
    """Always ``time_s`` seconds (CV 0)."""

    time_s: float


    @property
    def mean_s(self) -> float:
        return float(self.time_s)

    cv = 0.0

    def _draw(self, rng, size):
        return np.full(size, float(self.time_s))


@validate_fields({"mean_s": _POS_S})
@dataclass(frozen=True)
class Exponential(ServiceModel):
    """Exponential with mean ``mean_s`` (CV 1): the M in M/M/1."""

    mean_s: float
    cv: float = field(default=1.0, init=False, repr=False)


    def _draw(self, rng, size):
        return rng.exponential(self.mean_s, size)


@validate_fields({"mean_s": _POS_S, "cv": _CV})
@dataclass(frozen=True)
class LogNormal(ServiceModel):
    """Lognormal with mean ``mean_s`` and coefficient of variation ``cv`` (a long right tail)."""

    mean_s: float
    cv: float


    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        return math.log(self.mean_s) - self.sigma**2 / 2

    def _draw(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)


@validate_fields({"mean_s": _POS_S, "cv": _CV})
@dataclass(frozen=True)
class Gamma(ServiceModel):
    """Gamma with mean ``mean_s`` and CV ``cv`` (shape 1/cv^2; cv=1 is exponential)."""

    mean_s: float
    cv: float


    def _draw(self, rng, size):
        return rng.gamma(1.0 / self.cv**2, self.mean_s * self.cv**2, size)


@dataclass(frozen=True, eq=False)
class Empirical(ServiceModel):
    """Resample measured service times ``samples_s`` (seconds) with replacement."""

    samples_s: np.ndarray

    def __post_init__(self) -> None:
        x = np.asarray(self.samples_s, dtype=float).ravel()
        if x.size == 0:
            raise InvalidParameterError("The 'samples_s' parameter of Empirical must be a non-empty array of times in seconds. Got an empty array instead.")
        if not np.all(np.isfinite(x)) or np.any(x <= 0):
            raise InvalidParameterError("The 'samples_s' parameter of Empirical must hold finite times > 0 s. "
                                        f"Got min {np.nanmin(x)!r} instead.")
        object.__setattr__(self, "samples_s", x)

    @classmethod
    def from_csv(cls, path: str, column: int = 0) -> Empirical:
        """Read service times in seconds from a CSV or text file (a header line is skipped)."""
        from simlib.queueing.arrivals import _read_column
        return cls(_read_column(path, column, "path"))

    @property
    def mean_s(self) -> float:
        return float(self.samples_s.mean())

    @property
    def cv(self) -> float:
        return float(self.samples_s.std() / self.samples_s.mean())

    def _draw(self, rng, size):
        return rng.choice(self.samples_s, size)

    def __repr__(self) -> str:
        return f"Empirical(n={self.samples_s.size}, mean_s={self.mean_s:.4g}, cv={self.cv:.3g})"


@validate_fields({"t0_s": Range(0, 1e6, unit="s"), "t1_s": Range(0, 1e6, unit="s"), "cv": Range(0, 100)})
@dataclass(frozen=True)
class BatchCost(ServiceModel):
    """A batch of b requests takes ``t0_s + b * t1_s`` seconds, times lognormal noise of CV ``cv``.

    ``t0_s`` is the fixed cost per batch (kernel launch, weights read once), ``t1_s`` the cost per
    request. Fit it from measurements with :meth:`fit`.

    >>> m = BatchCost.fit([1, 2, 4, 8], [0.003, 0.004, 0.006, 0.010])
    >>> round(m.t0_s * 1e3, 3), round(m.t1_s * 1e3, 3)
    (2.0, 1.0)
    """

    t0_s: float
    t1_s: float
    cv: float = 0.0

    def __post_init__(self) -> None:
        if self.t0_s + self.t1_s <= 0:
            raise InvalidParameterError("The 't0_s' and 't1_s' parameters of BatchCost cannot both be 0: "
                                        "a batch must take some time.")

    @classmethod
    def fit(cls, batch_sizes, times_s) -> BatchCost:
        """Least-squares fit (non-negative) of t(b) = t0 + b*t1 to measured batch times.

        ``cv`` is set from the relative residuals, so the fitted model keeps the measured noise.
        """
        from scipy.optimize import nnls

        b = np.asarray(batch_sizes, dtype=float).ravel()
        t = np.asarray(times_s, dtype=float).ravel()
        if b.size != t.size or b.size < 2:
            raise InvalidParameterError("The 'batch_sizes' and 'times_s' parameters of BatchCost.fit must have "
                                        f"the same length, at least 2. Got {b.size} and {t.size} instead.")
        if np.any(b < 1) or np.any(t <= 0) or not np.all(np.isfinite(t)):
            raise InvalidParameterError("BatchCost.fit needs batch_sizes >= 1 and finite times_s > 0 (seconds).")
        (t0, t1), _ = nnls(np.column_stack([np.ones_like(b), b]), t)
        pred = t0 + b * t1
        rel = t / pred - 1.0
        cv = float(np.sqrt(np.mean(rel**2))) if b.size > 2 else 0.0
        return cls(float(t0), float(t1), cv=0.0 if cv < 1e-9 else cv)

    @property
    def mean_s(self) -> float:
        return self.t0_s + self.t1_s

    def mean_batch_s(self, batch_size: int = 1) -> float:
        return self.t0_s + batch_size * self.t1_s

    @property
    def second_moment_s2(self) -> float:
        return self.mean_s**2 * (1.0 + self.cv**2)

    def sample(self, rng, size, batch_size=1):
        base = self.t0_s + np.asarray(batch_size, dtype=float) * self.t1_s
        base = np.broadcast_to(base, (int(size),)).astype(float)
        if self.cv > 0:
            s = math.sqrt(math.log1p(self.cv**2))
            base = base * rng.lognormal(-s * s / 2, s, base.size)
        return base
