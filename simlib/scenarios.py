"""The four MLPerf inference scenarios, shared by the simulator and the real load generator.

One vocabulary for both sides (STYLE.md, "MLPerf LoadGen"): :class:`Scenario` says how queries
are issued and what the headline metric is; :data:`TAIL_PERCENTILE` is the percentile each
scenario reports (LoadGen's defaults); :data:`METRIC` names the final metric.

- SingleStream: one query of one sample at a time, the next issued when the previous completes
  (a phone app, one user). Metric: 90th-percentile latency.
- MultiStream: a query of N samples (8 by default) at a fixed interval; a query's latency is
  that of its slowest sample (a car's cameras). Metric: 99th-percentile query latency.
- Server: queries of one sample arrive as a Poisson process at a target QPS, open loop; latency
  counts from the scheduled arrival (a web service). Metric: the QPS at which p99 meets the bound.
- Offline: every sample is available at once (batch processing). Metric: throughput, samples/s.

>>> Scenario.parse("server") is Scenario.SERVER
True
>>> TAIL_PERCENTILE[Scenario.SINGLE_STREAM]
90.0
"""

from __future__ import annotations

import enum

from simlib._validate import Options, check

__all__ = ["METRIC", "MULTISTREAM_SAMPLES_PER_QUERY", "TAIL_PERCENTILE", "Scenario"]


class Scenario(str, enum.Enum):
    SINGLE_STREAM = "singlestream"
    MULTI_STREAM = "multistream"
    SERVER = "server"
    OFFLINE = "offline"

    @classmethod
    def parse(cls, value: str | Scenario) -> Scenario:
        """Accept an enum member or a name like "server", "SingleStream", "single_stream"."""
        if isinstance(value, cls):
            return value
        key = str(value).lower().replace("_", "").replace("-", "").replace(" ", "")
        for member in cls:
            if member.value == key:
                return member
        return check("scenario", value, Options(m.value for m in cls))


#: The latency percentile each scenario reports, in percent (MLPerf LoadGen defaults).
TAIL_PERCENTILE = {
    Scenario.SINGLE_STREAM: 90.0,
    Scenario.MULTI_STREAM: 99.0,
    Scenario.SERVER: 99.0,
    Scenario.OFFLINE: None,
}

#: What each scenario's final result is.
METRIC = {
    Scenario.SINGLE_STREAM: "90th-percentile latency (s)",
    Scenario.MULTI_STREAM: "99th-percentile query latency (s)",
    Scenario.SERVER: "queries/s with p99 latency within the bound",
    Scenario.OFFLINE: "throughput (samples/s)",
}

#: Samples per query in MultiStream (MLPerf's default for the vision benchmarks).
MULTISTREAM_SAMPLES_PER_QUERY = 8
