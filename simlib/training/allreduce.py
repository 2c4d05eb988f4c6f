"""Ring all-reduce with an alpha-beta network model, over the catalog's interconnects.

A ring all-reduce of ``S`` bytes over ``N`` workers sends ``2(N-1)`` messages of ``S/N`` bytes
per worker (a reduce-scatter, then an all-gather), so with a per-message latency ``alpha`` and a
per-link bandwidth ``beta`` it takes

    T(N, S) = 2(N-1) alpha + 2 (N-1)/N * S / beta                 (Patarasuk and Yuan 2009)

The bandwidth term approaches ``2 S / beta`` however many workers there are; the latency term grows
with ``N``. :func:`fit_alpha_beta` calibrates alpha and beta from all-reduce times measured at
several message sizes (least squares on the 2-worker form, ``T = 2 alpha + S / beta``).

>>> round(ring_allreduce_s(100e6, 8, alpha_s=5e-6, bandwidth_bytes_per_s=50e9) * 1e3, 3)
3.57
>>> ring_allreduce_s(1e6, 1, alpha_s=1e-5, bandwidth_bytes_per_s=1e9)
0.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simlib._validate import InvalidParameterError, Range, validate_params
from simlib.hardware.interconnect import Network, interconnect, interconnects

__all__ = ["INTERCONNECTS", "Network", "fit_alpha_beta", "interconnect", "ring_allreduce_s"]

_POS = Range(0, None, closed="neither")


#: The catalog's interconnects (:mod:`simlib.hardware.interconnect`, values and sources in
#: ``simlib/hardware/catalog.yaml``), by name.
INTERCONNECTS: dict[str, Network] = interconnects()


@validate_params({"size_bytes": Range(0, None, unit="bytes"), "n": Range(1, None, integer=True),
                  "alpha_s": Range(0, None, unit="s"),
                  "bandwidth_bytes_per_s": Range(0, None, closed="neither", unit="bytes/s")})
def ring_allreduce_s(size_bytes: float, n: int, *, alpha_s: float, bandwidth_bytes_per_s: float) -> float:
    """Time (s) of a ring all-reduce of ``size_bytes`` over ``n`` workers (0 for one worker)."""
    if n == 1:
        return 0.0
    return 2 * (n - 1) * alpha_s + 2 * (n - 1) / n * size_bytes / bandwidth_bytes_per_s


def fit_alpha_beta(sizes_bytes: Sequence[float], times_s: Sequence[float], *,
                   name: str = "fitted") -> Network:
    """Least-squares alpha and beta from 2-worker all-reduce times at several sizes.

    With two workers ``T = 2 alpha + S / beta``: a line in ``S`` whose intercept is ``2 alpha`` and
    slope ``1 / beta``, fitted on relative residuals (sizes span three decades). A negative
    intercept is clipped to 0.

    >>> net = fit_alpha_beta([1e3, 1e6, 4e6], [2e-4 + s / 2e9 for s in (1e3, 1e6, 4e6)])
    >>> round(net.alpha_s * 1e6), round(net.bandwidth_bytes_per_s / 1e9, 2)
    (100, 2.0)
    """
    s = np.asarray(sizes_bytes, dtype=float)
    t = np.asarray(times_s, dtype=float)
    if s.size < 2 or s.size != t.size or np.unique(s).size < 2:
        raise InvalidParameterError("fit_alpha_beta needs at least two distinct sizes with one time each; "
                                    f"got {s.size} sizes and {t.size} times.")
    slope, intercept = np.polyfit(s, t, 1, w=1.0 / t)  # relative residuals: small messages count too
    if slope <= 0:
        raise InvalidParameterError("fit_alpha_beta: the times do not grow with the message size "
                                    f"(slope {slope:.3g} s/byte); measure larger messages or repeat the run.")
    return Network(name, max(0.0, float(intercept) / 2), 1.0 / float(slope),
                   "derived: least-squares fit of measured all-reduce times (2 workers)")
