"""Coverage of simlib's 95% latency intervals against exact queueing results (MODELED runs).

For each case (M/M/1 at 50%, 80% and 90% load, M/D/1 and M/M/4 at 80%), ``--reps`` seeded runs
on the vectorized fast path; in each run the 95% intervals for the mean and the p99 latency are
computed two ways and checked against the exact values (simlib.queueing.coverage):

- before: the latencies treated as independent (Student t; order statistics), simlib's old method;
- after:  batch means with the batch size chosen from each run (simlib.batch_means).

Target: coverage 95% +/- 3% for "after". Each coverage is printed with its Wilson 95% interval
(binomial uncertainty of ``reps`` runs); "width" is the mean interval width, "x" the width of
"after" over "before"; "warned" counts runs the method itself flagged as too short.

    .venv/bin/python benchmarks/bench_coverage.py [--reps 200] [--requests N] [--case NAME ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import time

from simlib.queueing.coverage import CASES, coverage


def _cell(t: dict) -> str:
    lo, hi = t["coverage_ci"]
    return f"{t['coverage']:6.1%} [{lo:5.1%}, {hi:5.1%}]"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="seeded runs per case (default 200)")
    ap.add_argument("--requests", type=int, default=None,
                    help="requests per run for every case (default: each case's own run length)")
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--json", help="also write the full results to this JSON file")
    args = ap.parse_args(argv)
    out = []
    print(f"{'case':15s} {'requests':>9s} {'stat':4s} {'truth ms':>9s} | {'before: coverage [95% CI]':27s} "
          f"{'width ms':>8s} | {'after: coverage [95% CI]':27s} {'width ms':>8s} {'x':>5s} warned")
    for name in args.case or list(CASES):
        t0 = time.perf_counter()
        r = coverage(CASES[name], reps=args.reps, n_requests=args.requests)
        for stat in ("mean", "p99"):
            b, a = r["before"][stat], r["after"][stat]
            print(f"{name:15s} {r['n_requests']:>9d} {stat:4s} {r['truth_s'][stat] * 1e3:>9.4g} | {_cell(b):27s} "
                  f"{b['mean_width_s'] * 1e3:>8.3g} | {_cell(a):27s} {a['mean_width_s'] * 1e3:>8.3g} "
                  f"{a['mean_width_s'] / b['mean_width_s']:>5.1f} {a['warned']:>3d}"
                  + (f"  ({b['missing']} / {a['missing']} runs without an interval)" if b["missing"] or a["missing"] else ""))
        print(f"{'':15s} truth: {r['truth']}; {args.reps} runs in {time.perf_counter() - t0:.0f} s", flush=True)
        out.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return out


if __name__ == "__main__":
    main()
