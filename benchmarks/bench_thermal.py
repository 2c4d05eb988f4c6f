"""Speed of the thermal simulator: a 10-minute device run at 1 ms steps (600 000 steps).

Target: under 1 s. Prints the best of a few repeats (the machine may be shared) and the ratio
to the target. Usage: ``.venv/bin/python benchmarks/bench_thermal.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import time

from simlib.thermal import simulate_thermal

TARGET_S = 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    simulate_thermal("edgetpu", "sustained", 1.0)  # warm-up (imports, expm)
    for device, gov in [("smartphone-soc", None), ("smartphone-soc", "power_allocator"),
                        ("edgetpu", None), ("a100-sxm", None), ("cortex-m7", None)]:
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            r = simulate_thermal(device, "sustained", 600.0, dt_s=1e-3, governor=gov)
            r.summary  # noqa: B018 - computes the cached summary (timed)
            times.append(time.perf_counter() - t0)
        best = min(times)
        print(f"{device:15s} governor {r.governor:16s} 600 s at 1 ms ({r.t_s.size} steps): "
              f"best {best:.3f} s, median {sorted(times)[len(times) // 2]:.3f} s; "
              f"ratio to the {TARGET_S:g} s target {best / TARGET_S:.2f} "
              f"({'OK' if best < TARGET_S else 'SLOW'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
