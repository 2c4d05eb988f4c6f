"""A discrete-event (SimPy) model of an inference server: the MODELED side of every latency and
throughput comparison in the book.

Requests arrive (:mod:`~simlib.queueing.arrivals`), wait in one FIFO queue, and are served by c
identical workers, optionally in dynamic batches, with service times from
:mod:`~simlib.queueing.service`. :func:`simulate` picks the SimPy engine
(:mod:`~simlib.queueing.engine`) or, when the model allows it, a vectorized fast path
(:mod:`~simlib.queueing.fast`) that gives the same answer. :mod:`~simlib.queueing.analytic`
holds the closed forms that validate both. :class:`SimulatedSUT` puts the model behind the load
generator (:func:`simlib.measure.run_scenario`), which runs the four MLPerf scenarios on it.

Constant inter-arrival times and constant service times are two classes with two names:
:class:`DeterministicArrivals` and :class:`DeterministicService`.

>>> r = simulate(90.0, "exp:10ms", n_requests=2000, seed=0)   # M/M/1 at rho = 0.9
>>> r.settings["effective"]["offered_load"]
0.9
>>> r.summary["p99_s"] > 5 * analytic.mm1_mean_time_in_system(90, 100) / 10
True
"""

from simlib.queueing import analytic
from simlib.queueing.arrivals import (
    Bursty,
    DeterministicArrivals,
    Diurnal,
    Poisson,
    TimeVarying,
    Trace,
)
from simlib.queueing.effects import ColdStart, Pauses
from simlib.queueing.results import Records, SimResult
from simlib.queueing.runner import (
    MaxQpsResult,
    UnstableQueueWarning,
    default_requests,
    fanout,
    find_max_qps,
    simulate,
)
from simlib.queueing.service import (
    BatchCost,
    DeterministicService,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    ServiceModel,
)
from simlib.queueing.spec import parse_duration, parse_service
from simlib.queueing.sut import SimulatedSUT

__all__ = [
    "BatchCost", "Bursty", "ColdStart", "DeterministicArrivals", "DeterministicService", "Diurnal",
    "Empirical", "Exponential", "Gamma", "LogNormal", "MaxQpsResult", "Pauses", "Poisson", "Records",
    "ServiceModel", "SimResult", "SimulatedSUT", "TimeVarying", "Trace", "UnstableQueueWarning", "analytic",
    "default_requests", "fanout", "find_max_qps", "parse_duration", "parse_service",
    "simulate",
]
