"""Run a device + workload + governor through time: temperature, clock, power, throughput.

The loop advances one governor period at a time (``poll_s``, 0.1 s by default): the governor
picks an operating point, the power of each ``dt_s`` step follows from the workload's activity
and the leakage at the current junction temperature, and the RC network advances all steps of
the period at once (exact exponential update, vectorised: see :mod:`simlib.thermal.rc`). A
period is cut short where the junction crosses a governor's trip threshold upward, as a
sensor interrupt would, so the governor reacts within one step. Inference counting, energy
per inference and the summary are vectorised over the whole run afterwards.

>>> r = simulate_thermal("edgetpu", "sustained", duration_s=20.0)
>>> r.summary["time_to_throttle_s"] is None   # a 20 s burst stays below the 85 C trip
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import limits
from simlib._validate import Range, check, invalid, validate_params
from simlib.protocol import ResultDisplay
from simlib.thermal.governors import Governor, make_governor
from simlib.thermal.presets import ThermalDevice, get_device
from simlib.thermal.rc import RCNetwork
from simlib.thermal.workloads import Workload

__all__ = ["ThermalResult", "simulate_thermal"]

#: The headline keys of :attr:`ThermalResult.summary` (the CLI's JSON shows them first).
JSON_KEYS = ("peak_throughput_qps", "sustained_throughput_qps", "time_to_throttle_s", "max_temp_c",
             "mean_power_w", "energy_per_inference_j")


@dataclass(repr=False)
class ThermalResult(ResultDisplay):
    """MODELED time series and metrics of one thermal run (SI units, temperatures in C).

    ``requested`` holds the arguments :func:`simulate` was called with; ``settings["effective"]``
    the values it used (defaults filled in). ``warnings`` says what to distrust.

    Arrays are per step of ``dt_s``; value k describes step ``[t_s[k], t_s[k] + dt_s)``, except
    temperatures, which are at the step's end. ``throughput_per_s`` is inferences/s.
    """

    device: ThermalDevice
    workload: Workload
    governor: str
    ambient_c: float
    dt_s: float
    t_s: np.ndarray
    temp_c: np.ndarray
    case_temp_c: np.ndarray | None
    freq_hz: np.ndarray
    power_w: np.ndarray
    activity: np.ndarray
    heat_out_j: np.ndarray
    stored_j: float
    cycles_per_inference: float
    burst_window_s: float
    sustained_window_s: float
    active_power_w: np.ndarray = field(repr=False, default=None)
    _cache: dict = field(default_factory=dict, repr=False)
    requested: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    kind = "modeled"

    @property
    def settings(self) -> dict[str, Any]:
        """``{"requested": arguments given, "effective": values used}`` (SI, temperatures in C)."""
        eff = {"device": self.device.name, "workload": self.workload.kind, "governor": self.governor,
               "duration_s": self.duration_s, "dt_s": self.dt_s, "ambient_c": self.ambient_c,
               "burst_window_s": self.burst_window_s, "sustained_window_s": self.sustained_window_s,
               "cycles_per_inference": self.cycles_per_inference}
        return {"requested": dict(self.requested), "effective": eff}

    def _all_warnings(self) -> list[str]:
        out = list(self.warnings)
        if self.burst_window_s + self.sustained_window_s > self.duration_s:
            out.append(f"the burst window ({self.burst_window_s:g} s) and the sustained window "
                       f"({self.sustained_window_s:g} s) overlap in a {self.duration_s:g} s run: peak and "
                       "sustained throughput share samples; simulate longer to tell them apart")
        th = self.device.thermal
        hottest = float(self.temp_c.max()) if self.temp_c.size else -math.inf
        if hottest > th.trip_c + th.hysteresis_c + 0.5:  # a governor holds it within its hysteresis
            out.append(f"the junction passed its trip point ({hottest:.1f} C > {th.trip_c:g} C + {th.hysteresis_c:g} C "
                       f"hysteresis) under governor {self.governor!r}: real hardware would throttle or shut down; "
                       "use the device's default governor for a realistic run")
        return out

    # --- inference accounting -------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        return self.t_s.size * self.dt_s

    @property
    def throughput_per_s(self) -> np.ndarray:
        """Inferences per second in each step (activity * f / cycles per inference)."""
        return self.activity * self.freq_hz / self.cycles_per_inference

    def _cum(self) -> np.ndarray:
        if "cum" not in self._cache:
            self._cache["cum"] = np.concatenate(
                [[0.0], np.cumsum(self.throughput_per_s * self.dt_s)])
        return self._cache["cum"]

    def inferences_between(self, t0: float, t1: float) -> float:
        """Inferences (fractional) completed in [t0, t1] s."""
        grid = np.arange(self.t_s.size + 1) * self.dt_s
        return float(np.interp(t1, grid, self._cum()) - np.interp(t0, grid, self._cum()))

    @property
    def n_inferences(self) -> int:
        """Inferences completed over the run."""
        return int(math.floor(self._cum()[-1] + 1e-9))

    @property
    def energy_j(self) -> float:
        """Energy drawn over the run, the integral of power (J)."""
        return float(self.power_w.sum() * self.dt_s)

    @property
    def idle_energy_j(self) -> float:
        """Energy drawn while not computing: (1 - activity) * idle power (J)."""
        return float(((1.0 - self.activity) * self.device.power.idle_w).sum() * self.dt_s)

    def inference_energies_j(self) -> tuple[np.ndarray, float]:
        """(energy of each completed inference, energy of the unfinished one at the end) (J).

        Busy energy is charged to the inference being computed, so
        ``sum(per_inference) + unfinished + idle_energy_j == energy_j``.
        """
        busy = np.concatenate([[0.0], np.cumsum(self.activity * self.active_power_w * self.dt_s)])
        cum = self._cum()
        done = np.arange(self.n_inferences + 1, dtype=float)
        at = np.interp(done, cum, busy)
        return np.diff(at), float(busy[-1] - at[-1])

    def throughput_series(self, window_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(window start times, mean inferences/s per window)."""
        k = max(1, int(round(window_s / self.dt_s)))
        n = self.t_s.size // k
        x = self.throughput_per_s[: n * k].reshape(n, k).mean(axis=1)
        return np.arange(n) * k * self.dt_s, x

    # --- metrics --------------------------------------------------------------------------
    @property
    def summary(self) -> dict[str, Any]:
        """Headline metrics (MODELED), flat and SI (:mod:`simlib.protocol`); throughputs in inferences/s.

        ``peak_throughput_qps``: over the first ``burst_window_s``; ``sustained_throughput_qps``: over
        the last ``sustained_window_s``; ``time_to_throttle_s``: first time the clock falls below
        f_max (None if never); ``steady_*``: means over the last window; ``n``: inferences completed.
        """
        if "summary" in self._cache:
            return self._cache["summary"]
        d, w_b, w_s = self.duration_s, self.burst_window_s, self.sustained_window_s
        fmax = self.device.f_max_hz
        below = np.flatnonzero(self.freq_hz < fmax * (1 - 1e-12))
        n = self.n_inferences
        tail = self.t_s >= d - w_s
        per_inf, unfinished = self.inference_energies_j()
        peak, sustained = self.inferences_between(0.0, w_b) / w_b, self.inferences_between(d - w_s, d) / w_s
        s = {
            "peak_throughput_qps": peak,
            "sustained_throughput_qps": sustained,
            "time_to_throttle_s": float(self.t_s[below[0]]) if below.size else None,
            "max_temp_c": float(self.temp_c.max()),
            "mean_power_w": float(self.power_w.mean()),
            "energy_per_inference_j": self.energy_j / n if n else None,
            "busy_energy_per_inference_j": float(per_inf.mean()) if n else None,
            "energy_j": self.energy_j,
            "idle_energy_j": self.idle_energy_j,
            "unfinished_inference_energy_j": unfinished,
            "n": n,
            "duration_s": d,
            "final_temp_c": float(self.temp_c[-1]),
            "steady_temp_c": float(self.temp_c[tail].mean()),
            "steady_freq_hz": float(self.freq_hz[tail].mean()),
            "steady_power_w": float(self.power_w[tail].mean()),
            "steady_throughput_qps": float(self.throughput_per_s[tail].mean()),
            "peak_ops_per_s": peak * self.workload_ops,
            "sustained_ops_per_s": sustained * self.workload_ops,
        }
        self._cache["summary"] = s
        return s

    @property
    def workload_ops(self) -> float:
        return self.workload.ops_per_inference or self.device.ops_per_inference

    def _title(self) -> str:
        return (f"ThermalResult (MODELED: {self.device.name}, {self.workload.kind}, governor {self.governor}, "
                f"{self.duration_s:g} s at {self.ambient_c:g} C ambient)")

    def headline(self) -> str:
        s = self.summary
        ttt = "never" if s["time_to_throttle_s"] is None else f"{s['time_to_throttle_s']:.1f} s"
        return (f"{self._title()}: {s['peak_throughput_qps']:.4g} -> {s['sustained_throughput_qps']:.4g} "
                f"inferences/s; throttles at {ttt}; max {s['max_temp_c']:.1f} C")

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        ttt = "never" if s["time_to_throttle_s"] is None else f"{s['time_to_throttle_s']:.1f} s"
        epi = s["energy_per_inference_j"]
        return [("throughput", f"burst {s['peak_throughput_qps']:.4g}/s -> sustained "
                               f"{s['sustained_throughput_qps']:.4g}/s; throttles at {ttt}"),
                ("temperature", f"max {s['max_temp_c']:.1f} C, final {s['final_temp_c']:.1f} C"),
                ("power", f"mean {s['mean_power_w']:.4g} W; energy/inference "
                          f"{'n/a' if epi is None else f'{epi:.4g} J'}; {s['n']} inferences")]


@dataclass
class _Series:
    """Per-step outputs of a run, filled period by period."""

    temp: np.ndarray
    case: np.ndarray | None
    freq: np.ndarray
    power: np.ndarray
    active_power: np.ndarray
    heat: np.ndarray

    @classmethod
    def empty(cls, n: int, n_nodes: int) -> _Series:
        return cls(np.empty(n), np.empty(n) if n_nodes > 1 else None, np.empty(n), np.empty(n), np.empty(n),
                   np.empty(n))

    def write(self, i: int, j: int, X: np.ndarray, freq_hz: float, P, p_act: float, H) -> None:
        self.temp[i:j] = X[:, 0]
        if self.case is not None:
            self.case[i:j] = X[:, 1]
        self.freq[i:j], self.power[i:j], self.active_power[i:j], self.heat[i:j] = freq_hz, P, p_act, H


def _windows(duration_s: float, dt_s: float, burst_window_s, sustained_window_s, own: str) -> tuple[int, float, float]:
    """(steps, burst window s, sustained window s), checked against the run length."""
    limits.check_work("steps", duration_s / dt_s, owner=own, parameter="duration_s")
    n = int(round(duration_s / dt_s))
    if n < 1:
        raise invalid("duration_s", f"is shorter than one time step (dt_s = {dt_s:g} s)",
                      f"duration_s >= dt_s = {dt_s:g} s", owner=own)
    if burst_window_s is None:
        burst_window_s = min(5.0, duration_s)
    check("burst_window_s", burst_window_s, Range(dt_s, duration_s, unit="s"), owner=own)
    if sustained_window_s is None:
        sustained_window_s = min(60.0, 0.2 * duration_s)
    check("sustained_window_s", sustained_window_s, Range(dt_s, duration_s, unit="s"), owner=own)
    return n, burst_window_s, sustained_window_s


def _device_and_workload(device, workload, ambient_c, own: str) -> tuple[ThermalDevice, Workload]:
    dev = get_device(device)
    wl = Workload.parse(workload) if isinstance(workload, str) else workload
    check("workload", wl, Workload, owner=own)
    if ambient_c is not None:
        check("ambient_c", ambient_c, Range(-60, dev.thermal.trip_c, closed="neither",
                                               unit="C (below the trip point)"), owner=own)
        dev = dev.with_(ambient_c=float(ambient_c))
    return dev, wl


def _governor(dev: ThermalDevice, governor: str | Governor | None) -> Governor:
    if isinstance(governor, Governor):
        return governor
    return make_governor(dev.governor if governor is None else governor, **dev.governor_params)


def _trip_watch(gov: Governor) -> tuple[float, ...]:
    """Junction temperatures (C) at which an upward crossing interrupts a period."""
    watch = gov.watch_c
    return () if watch is None else (watch, watch + getattr(gov, "hysteresis_c", 0.0))


def _cut_at_trip(x_start_c: float, X: np.ndarray, watch: tuple[float, ...]) -> int:
    """Steps of the period to keep: up to the first upward trip crossing (a sensor interrupt)."""
    keep = X.shape[0]
    for w in watch:
        if x_start_c < w:
            hit = np.flatnonzero(X[:keep, 0] >= w)
            if hit.size and hit[0] + 1 < keep:
                keep = hit[0] + 1
    return keep


def _run_periods(net: RCNetwork, pm, gov: Governor, act_all: np.ndarray, rate_act, x: np.ndarray,
                 amb: float, dt_s: float, poll: int, out: _Series) -> np.ndarray:
    """Advance the run one governor period at a time; fill ``out`` and ``act_all``; return the
    final node temperatures. Leakage is evaluated at the junction temperature at each period's start."""
    n, opps = act_all.size, np.arange(len(pm.opps))
    watch, idx, i = _trip_watch(gov), gov.reset(len(pm.opps)), 0
    active_by_opp = pm.active_power_w(opps, x[0])
    with _progress_bar(n, math.ceil(n / poll)) as bar:  # closed on Ctrl-C too
        while i < n:
            bar.update(i - bar.n)
            j = min(n, i + poll)
            if rate_act is not None:
                act_all[i:j] = rate_act[idx]
            p_act = active_by_opp[idx]
            P = pm.power_w(idx, act_all[i:j], x[0])
            X, H = net.run(x, P, amb)
            k = _cut_at_trip(x[0], X, watch)
            j = i + k
            out.write(i, j, X[:k], pm.freqs_hz[idx], P[:k], p_act, H[:k])
            x, i = X[k - 1], j
            if i < n:
                active_by_opp = pm.active_power_w(opps, x[0])
                a_pred = rate_act if rate_act is not None else act_all[i:min(n, i + poll)].mean()
                p_pred = pm.idle_w + a_pred * (active_by_opp - pm.idle_w)
                idx = int(gov.update(i * dt_s, float(x[0]), p_pred, idx))
    return x


@validate_params({"duration_s": Range(0, 30 * 86400, closed="right", unit="s"),
                  "dt_s": Range(1e-6, 1.0, unit="s"),
                  "ambient_c": [Range(-60, 200, unit="C"), None],
                  "initial_temp_c": [Range(-60, 500, unit="C"), None],
                  "burst_window_s": [Range(0, 30 * 86400, closed="right", unit="s"), None],
                  "sustained_window_s": [Range(0, 30 * 86400, closed="right", unit="s"), None]})
def simulate_thermal(device: str | ThermalDevice, workload: str | Workload = "sustained",
                     duration_s: float = 600.0, *, dt_s: float = 1e-3, governor: str | Governor | None = None,
                     ambient_c: float | None = None, topology: str | None = None,
                     initial_temp_c: float | None = None, burst_window_s: float | None = None,
                     sustained_window_s: float | None = None) -> ThermalResult:
    """Simulate ``device`` running ``workload`` for ``duration_s`` s in steps of ``dt_s`` s.

    ``device``: a preset name or a :class:`ThermalDevice`. ``workload``: "sustained", "burst",
    "duty:FRACTION" or a :class:`Workload`. ``governor``: "none", "step_wise",
    "power_allocator", a :class:`Governor`, or None for the device's default. ``ambient_c``
    overrides the catalog ambient (C). ``initial_temp_c``: start temperature of every node
    (default: ambient). ``burst_window_s`` defaults to the first 5 s; ``sustained_window_s``
    defaults to the last 20% of the run (at most 60 s). Returns a MODELED :class:`ThermalResult`.
    (The queueing simulator is :func:`simlib.queueing.simulate`; the two are coupled by
    :func:`simlib.thermal.simulate_server`.)
    """
    requested = _requested(locals())  # first: the arguments exactly as given
    own = "thermal.simulate_thermal"
    dev, wl = _device_and_workload(device, workload, ambient_c, own)
    n, burst_window_s, sustained_window_s = _windows(duration_s, dt_s, burst_window_s, sustained_window_s, own)
    gov = _governor(dev, governor)
    net = RCNetwork(dev.thermal, topology or dev.topology, dt_s)
    pm, amb = dev.power, dev.thermal.ambient_c
    act_all = wl.activity(n, dt_s)
    rate_act = np.minimum(1.0, wl.load_at_fmax * pm.f_max_hz / pm.freqs_hz) if wl.frequency_dependent else None
    x0 = np.full(net.n_nodes, amb if initial_temp_c is None else float(initial_temp_c))
    poll = max(1, int(round(gov.poll_s / dt_s)))
    limits.check_work("periods", math.ceil(n / poll), owner=own, parameter="dt_s" if poll == 1 else "duration_s")
    out = _Series.empty(n, net.n_nodes)
    x = _run_periods(net, pm, gov, act_all, rate_act, x0.copy(), amb, dt_s, poll, out)
    return ThermalResult(device=dev, workload=wl, governor=getattr(gov, "name", type(gov).__name__), ambient_c=amb,
                         dt_s=dt_s, t_s=np.arange(n) * dt_s, temp_c=out.temp, case_temp_c=out.case,
                         freq_hz=out.freq, power_w=out.power, activity=act_all, heat_out_j=out.heat,
                         stored_j=float(net.capacities @ (x - x0)),
                         cycles_per_inference=(wl.ops_per_inference or dev.ops_per_inference) / dev.ops_per_cycle,
                         burst_window_s=burst_window_s, sustained_window_s=sustained_window_s,
                         active_power_w=out.active_power, requested=requested)


def _requested(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments of :func:`simulate_thermal` as the caller gave them (objects by name), for ``settings``."""
    return {k: getattr(v, "name", getattr(v, "kind", v)) if not isinstance(v, (str, int, float, type(None))) else v
            for k, v in args.items()}


def _progress_bar(n_steps: int, n_periods: int):
    """A tqdm bar over time steps: shown on a terminal for long runs, silent otherwise."""
    from tqdm.auto import tqdm

    long_run = limits.show_progress("steps", n_steps) is None or limits.show_progress("periods", n_periods) is None
    return tqdm(total=n_steps, desc="thermal steps", unit="step", unit_scale=True, leave=False,
                disable=None if long_run else True)
