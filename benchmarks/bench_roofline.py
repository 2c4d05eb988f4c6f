"""Speed checks for the roofline tools (a script, not a timed unit test).

    SIMLIB_BUDGET=quick .venv/bin/python benchmarks/bench_roofline.py

Prints the explorer's update time (target: well under 1 s, including a full figure render),
the cost of one analyze() call, and this machine's empirical roofline under the budget in force.
"""

from __future__ import annotations

import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from simlib import budget  # noqa: E402
from simlib.measure.roofline import measure_roofline  # noqa: E402
from simlib.roofline import analyze  # noqa: E402
from simlib.roofline.widget import OPS, RooflineExplorer  # noqa: E402


def main() -> None:
    ex = RooflineExplorer()
    ex.update("a100-sxm", "fp16", "bert-base", 1)  # warm-up: imports, first figure
    times = []
    for i, w in enumerate(["bert-base", "mobilenetv2", "resnet50", *OPS] * 2):
        t0 = time.perf_counter()
        ex.update(["a100-sxm", "t4", "h100-sxm"][i % 3], "fp16", w, 1 + i)
        ex.fig.savefig(io.BytesIO(), format="png", dpi=80)  # what a notebook does on display
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"explorer update + render: median {med * 1e3:.0f} ms, max {max(times) * 1e3:.0f} ms "
          f"over {len(times)} updates; target < 1000 ms -> ratio {med / 1.0:.2f} of budget")

    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6)
    print(f"analyze(): {(time.perf_counter() - t0) / n * 1e6:.1f} us per call")

    t0 = time.perf_counter()
    emp = measure_roofline()
    print(f"\nempirical roofline took {time.perf_counter() - t0:.1f} s (budget {budget.current()})")
    print(emp)


if __name__ == "__main__":
    main()
