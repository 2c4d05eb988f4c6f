"""Speed and fidelity targets of simlib.measure, printed as numbers and ratios (not asserted).

Run:  .venv/bin/python benchmarks/bench_harness.py [--section all|overhead|int8|server|crosscheck|compare]
      [--duration S]    (SIMLIB_BUDGET applies; the report used SIMLIB_BUDGET=standard)

Sections:
  overhead    harness per-sample overhead vs a bare loop (target <= 10 us)
  int8        ONNX Runtime INT8 (u8 and s8 activations) vs FP32 latency for the CNN
  server      Server scenario achieved QPS vs target (target within 2%)
  crosscheck  simlib generator vs MLPerf LoadGen on one SUT (SingleStream, Server, Offline)
  compare     measured vs modeled p99 at 30/50/70/85% load, both calibrations
"""

from __future__ import annotations

import argparse
import os
import time


def load_note() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} logical cores"


def overhead() -> None:
    from simlib.measure import harness_overhead
    from simlib.measure.timer import harness_overhead as h

    h.cache_clear()
    vals = []
    for _ in range(5):
        h.cache_clear()
        vals.append(harness_overhead())
    print(f"[overhead] harness overhead per sample: min {min(vals) * 1e6:.3f} us, "
          f"max {max(vals) * 1e6:.3f} us over 5 estimates (target <= 10 us)")


def int8() -> None:
    import onnxruntime as ort

    from simlib.measure import time_callable
    from simlib.models import export_onnx, get_model, quantize_int8

    spec = get_model("cnn")
    x = spec.sample_inputs(1)
    paths = {"fp32": export_onnx(spec), "int8 (u8 act)": quantize_int8(spec),
             "int8 (s8 act)": quantize_int8(spec, activation_type="int8")}
    med = {}
    for name, p in paths.items():
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.log_severity_level = 3
        s = ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
        r = time_callable(lambda s=s: s.run(None, {"input": x}), name=name, system={})
        med[name] = r.summary["p50_s"]
        s = r.stats
        print(f"[int8] {name:14s} median {s.median * 1e3:.3f} ms  "
              f"95% CI [{s.median_ci.low * 1e3:.3f}, {s.median_ci.high * 1e3:.3f}]  "
              f"CV {s.cv:.1%}  size {p.stat().st_size / 1e6:.2f} MB")
    for k in ("int8 (u8 act)", "int8 (s8 act)"):
        print(f"[int8] speedup {k} vs fp32: {med['fp32'] / med[k]:.2f}x")


def server(duration: float) -> None:
    from simlib.measure import measure, time_inference

    t = time_inference("cnn", min_samples=200, time_budget_s=2)
    cap = 1 / t.summary["mean_s"]
    for u in (0.3, 0.5, 0.7):
        q = round(u * cap)
        r = measure("cnn", scenario="server", qps=q, duration_s=duration, progress=False)
        m = r.metrics
        print(f"[server] target {q} q/s ({u:.0%} of {cap:.0f}): scheduled {m['qps_scheduled']:.1f} "
              f"({m['qps_scheduled'] / q - 1:+.2%}), completed {m['qps_completed']:.1f} "
              f"({m['qps_completed'] / q - 1:+.2%}); completed/scheduled {m['qps_completed'] / m['qps_scheduled'] - 1:+.2%}; "
              f"p99 issue lag {m['issue_lag_p99_s'] * 1e3:.2f} ms; n={m['queries']}; {m['verdict']}")


def crosscheck(duration: float) -> None:
    from simlib.measure import crosscheck as cc

    for sc, q in (("singlestream", None), ("server", 300), ("offline", None)):
        r = cc("cnn", sc, qps=q, min_duration_s=duration, repeats=2)
        for row in r["rows"]:
            print(f"[crosscheck] {sc:12s} {row['metric']:14s} simlib {row['simlib']:.5g}  "
                  f"loadgen {row['mlperf_loadgen']:.5g}  diff {row['rel_diff']:+.1%}  "
                  f"(simlib run-to-run {row['simlib_run_to_run']:.1%})")
        print(f"[crosscheck] {sc}: simlib {r['simlib_verdict']}, LoadGen {r['mlperf_valid']}")


def compare(duration: float) -> None:
    from simlib.measure import compare as cmp

    c = cmp("cnn", utilizations=(0.3, 0.5, 0.7, 0.85), duration_s=duration, progress=False)
    print(repr(c))
    print(f"[compare] calibration: {c.calibration}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", default="all")
    ap.add_argument("--duration", type=float, default=10.0)
    a = ap.parse_args()
    print(f"# {load_note()}; SIMLIB_BUDGET={os.environ.get('SIMLIB_BUDGET', 'standard')}")
    t0 = time.time()
    secs = {"overhead": overhead, "int8": int8, "server": lambda: server(a.duration),
            "crosscheck": lambda: crosscheck(a.duration), "compare": lambda: compare(a.duration)}
    for name, fn in secs.items():
        if a.section in ("all", name):
            fn()
            print(f"# after {name}: {load_note()}, {time.time() - t0:.0f} s elapsed")


if __name__ == "__main__":
    main()
