"""``simlib --help`` stays fast: building the parser imports no heavy library.

Checked without timing (benchmarks/bench_cli.py times it): in a fresh interpreter, importing
``simlib.cli`` and building every command's parser must not import numpy, scipy, torch or simpy.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "scipy", "torch", "simpy")
PROBE = f"""
import json, sys
import simlib.cli
simlib.cli.build_parser()
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
"""


def test_building_the_parser_imports_no_heavy_library():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_probe_would_see_a_heavy_import():
    """The check can fail: the same probe after importing a command's runtime module sees numpy."""
    probe = PROBE.replace("simlib.cli.build_parser()", "simlib.cli.build_parser(); import simlib.queueing")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert "numpy" in json.loads(out.stdout.strip().splitlines()[-1])
