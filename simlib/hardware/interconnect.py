"""Interconnects of the catalog: one link of a ring all-reduce, as an alpha-beta pair with its source.

Values live in ``catalog.yaml`` (section ``interconnects``) beside the devices. The cluster model
(:mod:`simlib.training`) uses them; a :class:`Network` fitted on this machine's all-reduce times
(:func:`simlib.training.fit_alpha_beta`) has the same shape.

>>> link = interconnect("ethernet-100g")
>>> link.bandwidth_bytes_per_s / 1e9, link.alpha_s * 1e6
(12.5, 20.0)
>>> sorted(interconnects())
['ethernet-100g', 'ethernet-10g', 'infiniband-ndr', 'nvlink4']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from simlib._validate import Range, invalid, validate_fields
from simlib.hardware.catalog import CATALOG_PATH

__all__ = ["Network", "interconnect", "interconnects"]


@validate_fields({"alpha_s": Range(0, None, unit="s"), "bandwidth_bytes_per_s": Range(0, None, closed="neither",
                                                                                       unit="bytes/s")})
@dataclass(frozen=True)
class Network:
    """One link of a ring: per-message latency ``alpha_s`` (s) and bandwidth (bytes/s), with sources."""

    name: str
    alpha_s: float
    bandwidth_bytes_per_s: float
    source: str = "assumed"


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Network]:
    raw = yaml.safe_load(CATALOG_PATH.read_text())["interconnects"]
    return {name: Network(name, float(d["alpha_s"]), float(d["bandwidth_bytes_per_s"]), str(d["source"]))
            for name, d in raw.items()}


def interconnects() -> dict[str, Network]:
    """Every catalog interconnect, by name (a new dict: changing it changes nothing here)."""
    return dict(_load())


def interconnect(name: str | Network) -> Network:
    """The catalog entry ``name`` (a :class:`Network` is passed through)."""
    if isinstance(name, Network):
        return name
    if name not in _load():
        raise invalid("network", f"is {name!r}", f"a Network or one of {sorted(_load())}", owner="interconnect")
    return _load()[name]
