"""simlib.monitor: traces, autoscaling, canaries, rolling percentiles, burn-rate alerts, change
points, the simulated week and its detectors, the checklist, and the fallacies' arithmetic."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from simlib import stats
from simlib._validate import InvalidParameterError
from simlib.monitor import (
    SRE_RULES,
    BurnRule,
    Incident,
    autoscaled_replay,
    binary_segmentation,
    burn_rate_alerts,
    canary_plan,
    checklist,
    cusum,
    error_budget,
    false_alarm_probability,
    flash_crowd,
    load_csv,
    rolling_percentile,
    save_csv,
    scaled_to_peak,
    simulate_week,
    sprt,
)
from simlib.monitor import fallacies as fal
from simlib.monitor.detect import run_detectors, score
from simlib.monitor.traces import BUNDLED, peak_qps, rate_series
from simlib.monitor.week import DAY_S, DEFAULT_INCIDENTS
from simlib.queueing import analytic

# --- traces -----------------------------------------------------------------------------------


def test_flash_crowd_rates_match_the_requested_shape():
    t = flash_crowd(duration_s=20, base_qps=200, amplitude=0.5, flash_at_s=12, flash_s=1, flash_factor=10, seed=3)
    # expected count: integral of the cycle (its mean is base_qps) plus the flash's extra
    cycle = 200 * (1 - 0.5 * np.cos(2 * np.pi * (12.5) / 20))
    expected = 200 * 20 + cycle * 9 * 1
    assert abs(t.size - expected) < 4 * math.sqrt(expected)
    in_flash = np.sum((t >= 12) & (t < 13))
    assert abs(in_flash - cycle * 10) < 4 * math.sqrt(cycle * 10)


def test_bundled_trace_round_trips_and_is_the_default_generator(tmp_path):
    t = load_csv(BUNDLED)
    assert t[0] == 0 and np.all(np.diff(t) >= 0)
    fresh = flash_crowd()
    assert t.size == fresh.size and np.allclose(t, fresh - fresh[0], atol=2e-6)
    p = save_csv(tmp_path / "x.csv", t[:100])
    assert np.allclose(load_csv(p), t[:100], atol=2e-6)


def test_scaling_a_trace_sets_its_peak_and_keeps_its_shape():
    t = flash_crowd(seed=1)
    s = scaled_to_peak(t, 5000.0)
    assert peak_qps(s) == pytest.approx(5000.0)
    assert s.size == t.size and np.allclose(s / s[-1], (t - t[0]) / (t[-1] - t[0]))
    edges, rate = rate_series(t, 0.5)
    assert rate.max() > 5 * np.median(rate)


def test_trace_errors_name_the_parameter(tmp_path):
    with pytest.raises(InvalidParameterError, match="flash_at_s"):
        flash_crowd(duration_s=5, flash_at_s=4.5, flash_s=1)
    with pytest.raises(InvalidParameterError, match="times_s"):
        save_csv(tmp_path / "y.csv", [3.0, 1.0])


# --- autoscaling ------------------------------------------------------------------------------


def test_fixed_pool_of_one_is_the_lindley_recursion():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.exponential(1 / 80, 3000))
    s = rng.exponential(1 / 100, t.size)
    r = autoscaled_replay(t, s, min_servers=1, max_servers=1)
    w, out = 0.0, []
    for i in range(t.size):
        if i:
            w = max(0.0, w + s[i - 1] - (t[i] - t[i - 1]))
        out.append(w + s[i])
    assert np.allclose(r.samples_s, out)


def test_fixed_pool_of_two_matches_erlang_c():
    rng = np.random.default_rng(1)
    n, lam, mu = 60_000, 150.0, 100.0
    t = np.cumsum(rng.exponential(1 / lam, n))
    s = rng.exponential(1 / mu, n)
    r = autoscaled_replay(t, s, min_servers=2, max_servers=2)
    wait = (r.start_s - r.arrival_s)[n // 10:]
    assert wait.mean() == pytest.approx(analytic.mmc_mean_wait(2, lam, mu), rel=0.15)


def test_autoscaling_grows_the_pool_and_a_late_start_costs_tail():
    t = scaled_to_peak(flash_crowd(seed=2), 3000.0)
    svc = np.full(t.size, 1 / 1000)  # one worker: 1,000 queries/s
    fast = autoscaled_replay(t, svc, max_servers=8, startup_s=0.0)
    slow = autoscaled_replay(t, svc, max_servers=8, startup_s=2.0)
    fixed = autoscaled_replay(t, svc, min_servers=1, max_servers=1)
    assert fast.summary["max_servers_count"] >= 3
    assert fast.summary["p99_s"] < slow.summary["p99_s"] <= fixed.summary["p99_s"] * 1.0001
    assert fixed.summary["server_s"] < fast.summary["server_s"]


def test_autoscale_rejects_mismatched_inputs():
    with pytest.raises(InvalidParameterError, match="service_s"):
        autoscaled_replay([0.0, 1.0], [0.1])
    with pytest.raises(InvalidParameterError, match="max_servers"):
        autoscaled_replay([0.0, 1.0], [0.1, 0.1], min_servers=3, max_servers=2)


# --- canary -----------------------------------------------------------------------------------


def test_canary_fixed_horizon_has_its_power():
    rng = np.random.default_rng(4)
    base = rng.lognormal(np.log(0.01), 0.3, 50_000)
    plan = canary_plan(base, regression=0.05, alpha=0.05, power=0.8, qps=1000, canary_fraction=0.1)
    thr = stats.percentile(base, 99)
    z = 1.6448536269514722
    rejects = 0
    for _ in range(400):
        x = rng.choice(base, plan.n_fixed) * 1.05
        k = np.sum(x > thr)
        rejects += (k / plan.n_fixed - 0.01) / math.sqrt(0.01 * 0.99 / plan.n_fixed) > z
    assert 0.72 < rejects / 400 < 0.88  # 0.8 +- 4 standard errors of 400 trials
    assert plan.summary["fixed_horizon_s"] == pytest.approx(plan.n_fixed / 100)


def test_sprt_decides_and_its_mean_length_matches_wald():
    rng = np.random.default_rng(5)
    base = rng.lognormal(np.log(0.01), 0.3, 50_000)
    plan = canary_plan(base, regression=0.10)
    lengths, right = [], 0
    for _ in range(300):
        e = rng.random(20 * plan.n_fixed) < plan.q1
        verdict, n = sprt(e, plan.q0, plan.q1)
        lengths.append(n)
        right += verdict == "regression"
    assert right / 300 > 0.72
    assert np.mean(lengths) == pytest.approx(plan.sprt_n_h1, rel=0.25)
    assert plan.sprt_n_h1 < plan.n_fixed
    with pytest.raises(InvalidParameterError, match="q1"):
        sprt([0, 1], 0.02, 0.01)


def test_canary_needs_enough_baseline():
    with pytest.raises(InvalidParameterError, match="baseline_s"):
        canary_plan(np.ones(100))


# --- rolling percentiles, SLO budgets, burn rates ---------------------------------------------


def test_rolling_percentile_intervals_cover_the_true_p99():
    rng = np.random.default_rng(6)
    t = np.sort(rng.uniform(0, 200, 40_000))
    lat = rng.exponential(0.01, t.size)
    r = rolling_percentile(t, lat, window_s=20, step_s=20)
    true = -0.01 * math.log(0.01)
    cover = np.mean((r.low_s <= true) & (true <= r.high_s))
    assert cover >= 0.8 and np.all(r.n > 3000)
    small = rolling_percentile(t[:500], lat[:500], window_s=1, step_s=1)
    assert np.all(np.isnan(small.low_s))  # too few requests per window for an interval


def test_error_budget_and_burn_rates():
    b = error_budget(bad=50, total=10_000, slo_target=0.995)
    assert b["allowed_count"] == pytest.approx(50) and b["consumed_fraction"] == 1.0 and b["burn_rate"] == 1.0
    assert [round(r.budget_fraction(30 * DAY_S), 3) for r in SRE_RULES] == [0.02, 0.05, 0.1]
    with pytest.raises(InvalidParameterError, match="bad"):
        error_budget(bad=11, total=10, slo_target=0.99)


def test_fast_burn_alert_fires_when_the_long_window_crosses_the_rate():
    rng = np.random.default_rng(7)
    t = np.arange(0, 6 * 3600, 0.5)  # 2 requests/s for 6 h
    start = 3 * 3600
    bad = (t >= start) & (rng.random(t.size) < 0.3)  # 30% bad: burn 30 against a 99% SLO
    a = burn_rate_alerts(t, bad, 0.99, rules=(BurnRule(3600, 300, 14.4),), step_s=60)
    onset = a.onsets_s(0)
    assert onset.size == 1
    expected = start + 3600 * 14.4 / 30  # the 1 h window's bad share passes 14.4% after 0.48 h
    assert abs(onset[0] - expected) <= 180
    assert not burn_rate_alerts(t, np.zeros(t.size), 0.99).any_firing.any()


# --- change points ----------------------------------------------------------------------------


def test_cusum_catches_a_small_shift_that_noise_hides():
    rng = np.random.default_rng(8)
    x = np.r_[rng.normal(100, 2, 40), rng.normal(103, 2, 30)]  # +3% in 2% noise
    c = cusum(x, reference_n=20)
    assert c.first_alarm is not None and 40 <= c.first_alarm <= 55
    quiet = false_alarm_probability(rng.normal(100, 2, 60), length=60, n_series=200, reference_n=20)
    jumpy = false_alarm_probability(rng.normal(100, 2, 60), length=60, n_series=200, reference_n=20, h=2.0)
    strict = false_alarm_probability(rng.normal(100, 2, 60), length=60, n_series=200, reference_n=20, h=8.0)
    assert strict < quiet < jumpy and quiet < 0.4  # a reference of 20 nights estimates the spread roughly


def test_binary_segmentation_finds_two_shifts():
    rng = np.random.default_rng(9)
    x = np.r_[rng.normal(0, 1, 40), rng.normal(4, 1, 40), rng.normal(0, 1, 40)]
    cps = binary_segmentation(x)
    assert len(cps) == 2 and abs(cps[0] - 40) <= 2 and abs(cps[1] - 80) <= 2
    assert binary_segmentation(rng.normal(0, 1, 120)) == []


def test_cusum_validates():
    with pytest.raises(InvalidParameterError, match="reference_n"):
        cusum([1.0, 2, 3, 4, 5], reference_n=8)
    with pytest.raises(InvalidParameterError, match="x"):
        cusum([1.0, np.nan, 3, 4, 5], reference_n=3)


# --- the week -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def week():
    return simulate_week(seed=0)


def test_week_plants_what_it_says(week):
    base = week.window(0, DAY_S)
    for inc in DEFAULT_INCIDENTS:
        m = week.window(inc.start_s + inc.ramp_s, inc.end_s)
        if inc.kind == "thermal":
            assert np.median(week.latency_s[m]) > 1.8 * np.median(week.latency_s[base])
        if inc.kind == "gc-storm":
            assert np.mean(week.latency_s[m] > 0.1) > 0.15
        if inc.kind == "drift":
            assert np.mean(week.correct[m]) < np.mean(week.correct[base]) - 0.15
            assert np.median(week.latency_s[m]) == pytest.approx(np.median(week.latency_s[base]), rel=0.05)
    labeled = np.isfinite(week.label_at_s)
    assert 0.18 < labeled.mean() < 0.22
    assert np.allclose(week.label_at_s[labeled] - week.t_s[labeled], 2 * DAY_S)


def test_detectors_catch_their_incidents_without_false_alarms(week):
    s = score(run_detectors(week), week.incidents)
    assert "CUSUM" in s.caught_by("regression")
    assert "burn-rate" not in s.caught_by("regression")  # a slow regression stays inside the SLO
    assert "burn-rate" in s.caught_by("thermal") and "burn-rate" in s.caught_by("gc-storm")
    assert s.caught_by("drift") == ["confidence PSI"]  # labels arrive after the week ends
    assert sum(s.false_alarms.values()) == 0
    quiet = simulate_week(incidents=(), seed=3)
    assert sum(score(run_detectors(quiet), ()).false_alarms.values()) <= 1


def test_shorter_label_delay_lets_accuracy_see_the_drift():
    w = simulate_week(seed=0, label_delay_s=3 * 3600.0)
    s = score(run_detectors(w), w.incidents)
    assert "delayed accuracy" in s.caught_by("drift")


def test_week_csv(tmp_path, week):
    p = tmp_path / "week.csv"
    week.to_csv(p)
    rows = np.loadtxt(p, delimiter=",", skiprows=1)
    assert rows.shape == (len(week), 5)
    assert np.allclose(rows[:, 1], week.latency_s * 1e3, atol=1e-3)


def test_incident_validation():
    with pytest.raises(InvalidParameterError, match="kind"):
        Incident("meteor", 0.0, 10.0, 1.0)
    with pytest.raises(InvalidParameterError, match="incidents"):
        simulate_week(incidents=("thermal",), days=0.1)


# --- checklist ----------------------------------------------------------------------------------

REFERENCE = sorted((Path(__file__).parents[1] / "simlib" / "store" / "reference_set").glob("*.json"))


def test_checklist_on_the_books_reference_results():
    for path in REFERENCE:
        if "roofline" in path.name:
            continue
        rep = checklist(path)
        assert rep.status("measured") == "met"
        assert rep.status("trace-replay") == "missing"  # the book's reference runs use steady arrivals
        assert rep.summary["verdict"] == "NOT READY"


def test_checklist_judges_failures_and_bad_input(tmp_path):
    d = {"kind": "modeled", "summary": {"p99_s": 0.02, "p99_ci_s": None, "verdict": "INVALID"},
         "warnings": ["saturated"], "settings": {"effective": {"arrivals": "Trace(n=10)"}}}
    rep = checklist(d)
    assert [rep.status(i) for i in ("measured", "tail-latency", "latency-bound", "trace-replay", "clean-run")] == \
        ["failed", "failed", "failed", "met", "failed"]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidParameterError, match="result"):
        checklist(tmp_path / "bad.json")
    with pytest.raises(InvalidParameterError, match="result"):
        checklist(tmp_path / "none.json")
    with pytest.raises(InvalidParameterError, match="item"):
        rep.status("nope")
    json.dumps(rep.to_dict())


# --- fallacies ------------------------------------------------------------------------------------


def test_fallacy_numbers_match_the_source():
    t = fal.power_tradeoff(1200, 4.2, 1000, 1.8)
    assert round(t["throughput_gain_fraction"], 2) == 0.20 and round(t["power_increase_fraction"], 2) == 1.33
    assert round(t["power_ratio"], 1) == 2.3 and round(t["throughput_loss_fraction"], 2) == 0.17
    assert round(150 / 15, 1) == 10.0 and round(200 / 15, 1) == 13.3
    assert fal.degradation(800, 500) == 0.375 and fal.degradation(800, 400) == 0.5
    assert round(fal.downtime_minutes(0.999), 0) == 43
    assert fal.fraction_for_end_to_end(3, 1.2) == pytest.approx(0.25)
    with pytest.raises(InvalidParameterError, match="end_to_end_speedup"):
        fal.fraction_for_end_to_end(2, 3)


def test_aggressive_quantization_costs_accuracy_and_calibration():
    full, low = fal.quantized_digits(16), fal.quantized_digits(3)
    assert full["accuracy"] > 0.95
    assert low["accuracy"] < full["accuracy"]
    again = fal.quantized_digits(16)
    assert again["accuracy"] == full["accuracy"]  # the cached model was restored


# --- command line -------------------------------------------------------------------------------


def test_checklist_command(capsys, tmp_path):
    from simlib.cli import main

    path = next(p for p in REFERENCE if "server" in p.name)
    assert main(["checklist", str(path)]) == 1  # ran; not ready
    out = capsys.readouterr().out
    assert "trace-replay" in out and "NOT READY" in out
    assert main(["checklist", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["verdict"] == "NOT READY"
    assert main(["checklist", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simlib checklist: result:") and err.count("\n") == 1


def test_fluid_flash_model_matches_a_deterministic_queue():
    from simlib.monitor.traces import flash_backlog, recovery_s

    cap, peak, after, flash = 1000.0, 1500.0, 250.0, 0.4
    t = np.r_[np.arange(0, flash, 1 / peak), flash + np.arange(0, 2.0, 1 / after)]
    r = autoscaled_replay(t, np.full(t.size, 1 / cap), min_servers=1, max_servers=1)
    f = flash_backlog(peak, cap, flash, after)
    assert r.samples_s.max() == pytest.approx(f["peak_wait_s"] + 1 / cap, rel=0.03)
    rec = recovery_s(r.arrival_s, r.samples_s, flash, 2 / cap)
    assert rec == pytest.approx(f["drain_s"], rel=0.1)


def test_replay_window_sets_peak_and_duration():
    from simlib.monitor.traces import replay_window

    t = flash_crowd(seed=4)
    counts = np.searchsorted(t, t + 0.5, side="left") - np.arange(t.size)
    factor = counts.max() / 0.5 / 1500.0
    r = replay_window(t, 1500.0, wall_s=4.0)
    assert 3.5 < r[-1] <= 4.0
    assert peak_qps(r, window_s=0.5 * factor) == pytest.approx(1500.0, rel=0.01)


def test_query_log_and_tail_interval_on_a_simulated_run():
    from simlib.measure import Settings, run_scenario
    from simlib.monitor.rolling import tail_interval
    from simlib.monitor.traces import query_log
    from simlib.queueing import Exponential, SimulatedSUT, Trace

    t = scaled_to_peak(flash_crowd(seed=5), 400.0)
    run = run_scenario(SimulatedSUT(Exponential(0.002)), Settings("server", arrivals=Trace(t), latency_bound_s=0.05,
                                                                  min_duration_s=float(t[-1]), min_query_count=t.size,
                                                                  max_outstanding=t.size), progress=False)
    sched, lat = query_log(run)
    assert sched.size == lat.size == t.size and np.all(lat > 0)
    assert np.allclose(np.sort(sched), sched)
    with pytest.raises(InvalidParameterError, match="run"):
        query_log(object())
    rng = np.random.default_rng(1)
    ind = tail_interval(rng.exponential(0.01, 3000))
    assert ind.method.startswith("independent") and ind.low <= ind.estimate <= ind.high
    walk = np.abs(np.cumsum(rng.normal(0, 1, 1000))) + 1  # strongly correlated, too short for batch means
    corr = tail_interval(walk)
    assert "too narrow" in corr.method
    assert isinstance(tail_interval(walk[:50]), float)


def test_figures_say_measured_or_modeled(week):
    from simlib.monitor.detect import detection_table
    from simlib.monitor.plot import autoscale_figure, nightly_figure, replay_figure, week_figure

    t = np.sort(np.random.default_rng(2).uniform(0, 2, 300))
    lat = np.full(t.size, 0.002)
    titles = lambda fig: " ".join(ax.get_title() for ax in fig.axes)  # noqa: E731
    assert "MEASURED" in replay_figure((t, lat), (t, lat), steady_p99_s=0.002, flash=(0.5, 0.7)).axes[1] \
        .get_legend_handles_labels()[1][1]
    r = autoscaled_replay(t, lat)
    assert "MODELED" in titles(autoscale_figure({"none": r}, flash=(0.5, 0.7)))
    assert "MEASURED" in titles(nightly_figure(np.full(10, 0.001), 5, [6]))
    alarms = run_detectors(week)
    assert "MODELED" in titles(week_figure(week, alarms))
    table = detection_table(score(alarms, week.incidents), score(alarms, ()))
    assert len(table.rows) == 4 + 2 and "false alarms" in table._repr_html_()
