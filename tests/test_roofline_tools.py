"""CLI, plots, widget and the empirical roofline (measured on this machine, quick budget)."""

from __future__ import annotations

import json

import matplotlib
import pytest

from simlib.cli import main
from simlib.roofline import analyze

matplotlib.use("Agg")


def test_cli_json(capsys):
    assert main(["roofline", "--device", "a100-sxm", "--precision", "fp16", "--flops", "22e9",
                 "--bytes", "440e6", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["bound"] == "memory" and d["intensity_flop_per_byte"] == 50
    assert round(d["ridge_flop_per_byte"]) == 153
    assert round(d["attainable_flops"] / 1e12) == 102 and round(d["utilization"], 3) == 0.327


def test_cli_model_and_text(capsys):
    assert main(["roofline", "--device", "t4", "--precision", "int8", "--model", "mobilenetv2",
                 "--batch", "8"]) == 0
    assert "memory bound" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["--device", "a100", "--precision", "fp16", "--flops", "1", "--bytes", "1"], "a100-sxm"),
    (["--device", "t4", "--precision", "tf32", "--flops", "1", "--bytes", "1"], "precision"),
    (["--device", "t4", "--precision", "fp16", "--flops", "-1", "--bytes", "1"], "flops"),
])
def test_cli_bad_input_exit_2(capsys, argv, needle):
    assert main(["roofline", *argv]) == 2
    assert needle in capsys.readouterr().err


def test_cli_needs_workload(capsys):
    assert main(["roofline", "--device", "t4", "--precision", "fp16"]) == 2
    assert "--model" in capsys.readouterr().err


def test_plot_roofline_labeled():
    from simlib.roofline.plot import plot_roofline

    ax = plot_roofline("a100-sxm", points=[analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6),
                                           ("GEMM", 1365.0, 312e12)])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "FLOP/byte" in ax.get_xlabel() and "FLOP/s" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("hbm" in t for t in labels) and any("fp16" in t for t in labels) and "GEMM" in labels


def test_widget_update_called_directly():
    from simlib.roofline.widget import OPS, RooflineExplorer

    ex = RooflineExplorer()
    r = ex.update("a100-sxm", "fp16", "bert-base", batch=1)
    assert r.bound == "memory" and ex.fig is not None
    r2 = ex.update("a100-sxm", "fp16", "bert-base", batch=64)
    assert r2.bound == "compute" and r2.intensity_flop_per_byte > r.intensity_flop_per_byte
    for op in OPS:
        assert ex.update("t4", "fp16", op, batch=2).attainable_flops > 0
    # a precision the device lacks falls back to one it has
    assert ex.update("edgetpu", "fp16", "mobilenetv2").precision == "int8"


def test_empirical_roofline_quick():
    from simlib.measure.roofline import measure_gemm, measure_stream
    from simlib.roofline.plot import plot_empirical

    g = measure_gemm(64, repeats=7, warmup=1)
    assert len(g.times_s) == 7 and g.median_rate > 0 and g.flops == 2 * 64**3
    assert g.rate_ci.low <= g.median_rate <= g.rate_ci.high
    assert "[measured]" in str(g)
    s = measure_stream(array_bytes=8 * 2**20, repeats=7, warmup=1)
    assert s.unit == "B/s" and s.median_rate > 0 and s.bytes == 3 * s.size * 4

    from simlib.measure.roofline import EmpiricalRoofline

    emp = EmpiricalRoofline((g,), s, None, "quick")
    from simlib.roofline.core import attainable

    roof = attainable(g.intensity, g.median_rate, s.median_rate)
    assert emp.speed_of_light(g) == pytest.approx(g.median_rate / roof)
    # The roof that bounds a 64x64 GEMM is the cache's: its three matrices (48 KiB) stay in
    # cache, so the triad over cache-resident arrays (64 KiB each) gives the memory slope that
    # applies, and the GEMM must sit under it (against the DRAM roof it may not: issue 14).
    cache = measure_stream(array_bytes=64 * 2**10, repeats=7, warmup=1)
    assert 0 < g.median_rate <= g.intensity * cache.median_rate
    ax = plot_empirical(emp)
    assert "measured" in ax.get_title()


def _gemm(n, seconds, spread):
    from simlib.measure.roofline import KernelMeasurement

    times = tuple(seconds * (1 + spread * k) for k in (-2, -1, 0, 1, 2) * 4)
    return KernelMeasurement("gemm", "fp32", n, 2.0 * n**3, 3.0 * n * n * 4, times, 1, 1, "FLOP/s")


@pytest.mark.parametrize("small_s,spread,expected", [
    (2 * 64**3 / 2e9, 0.01, "reached only"),          # 2 GFLOP/s vs 20: clearly slower
    (2 * 64**3 / 19.5e9, 0.2, "not clearly different"),  # overlapping intervals
    (2 * 64**3 / 60e9, 0.01, "ran faster than the largest"),  # in cache, above the DRAM roof
])
def test_size_effect_text_is_chosen_by_the_intervals(small_s, spread, expected):
    from simlib.measure.roofline import EmpiricalRoofline, KernelMeasurement

    big = _gemm(1024, 2 * 1024**3 / 20e9, 0.01)
    stream = KernelMeasurement("triad", "fp32", 10**7, 2e7, 1.2e8, (0.01,) * 5, 1, 1, "B/s")
    emp = EmpiricalRoofline((_gemm(64, small_s, spread), big), stream, None, "quick")
    assert expected in emp.size_effect_text("fp32")
