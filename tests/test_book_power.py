"""The built power chapter reads true: each computed sentence agrees with the numbers glued
beside it (the shared book build runs beside two CPU hogs), and every glued phrase is on the
page. The wording branches are chosen in the chapter's cells; here they are checked against
the glued numbers they were chosen from."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.bookpage import read_glue

pytestmark = pytest.mark.book

CHAPTER = "chapters/05-power-and-energy"





def read_glued(html_dir: Path) -> dict:
    return read_glue(html_dir, CHAPTER)


@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glued(built_book)




def check_meter_and_models(g: dict) -> None:
    # the meter sentence follows the meter that exists; no meter: the energy is labeled modeled
    assert ("no readable energy meter" in g["meter_sentence"]) == (not g["has_meter"])
    assert g["win_e_kind"].startswith("measured" if g["has_meter"] else "modeled")
    if not g["has_meter"]:  # the modeled energy is the assumed power times the measured time
        assert g["win_e_mj"] == pytest.approx(g["model_w"] * g["win_t_ms"], rel=0.25)
    word = g["horo_gap_text"]
    assert ("larger" in word) or ("smaller" in word) or ("about the same" in word)


def check_boundaries(g: dict) -> None:
    for n in ("chip", "node", "facility"):
        assert g[f"win_{n}"] == ("A" if g[f"a_{n}_mj"] <= g[f"b_{n}_mj"] else "B")
    flips = sum(g[f"win_{a}"] != g[f"win_{b}"] for a, b in (("chip", "node"), ("node", "facility")))
    assert flips == g["flip_count"]
    assert g["idle_rise"] > 1
    assert g["here_node_mj"] > g["here_chip_mj"] and g["here_fac_mj"] == pytest.approx(1.5 * g["here_node_mj"])
    # electricity cost follows facility energy (same price for both)
    assert g["a_cost_per_b"] / g["b_cost_per_b"] == pytest.approx(g["a_facility_mj"] / g["b_facility_mj"], rel=1e-6)


def check_sampling(g: dict) -> None:
    assert g["err_100"] > 10 > g["err_10k"]
    assert g["err_100_avg"] < g["err_100"]
    assert g["samp_share"] == pytest.approx(100 * g["samp_got"] / g["samp_req"])
    assert g["samp_kept"] == ("kept up with" if g["samp_got"] >= 0.9 * g["samp_req"] else "fell behind")


def check_dvfs(g: dict) -> None:
    assert g["step_e_pct"] == pytest.approx(100 * ((1 + g["step_pow_pct"] / 100) / (1 + g["step_thr_pct"] / 100) - 1),
                                            abs=0.5)
    assert g["src_e_pct"] == pytest.approx(100 * (1.5 / 1.05 - 1))
    assert g["gap_x"] == pytest.approx(13.33, abs=0.01)
    s = g["slo_sentence"]
    assert s[0].islower() and s.endswith(".")
    if "energy-optimal point" in s:  # the saving it quotes is positive and the clocks differ
        ghz = [float(x) for x in re.findall(r"(\d+\.\d+) GHz", s)]
        assert len(ghz) == 2 and ghz[0] > ghz[1]
        assert float(re.search(r"(\d+)% less energy", s).group(1)) > 0


def check_int8(g: dict) -> None:
    assert g["mult_ratio"] == pytest.approx(18.5) and g["dram_rel"] == pytest.approx(16000)
    assert g["mnv2_saving"] == pytest.approx(5.4, abs=0.05)
    assert g["fp32_tot_uj"] == pytest.approx(3353, abs=1) and g["int8_tot_uj"] == pytest.approx(621, abs=1)
    speed = g["int8_speed"]
    ratio = g["cpu_fp32_ms"] / g["cpu_int8_ms"]
    if "times faster" in speed:
        assert ratio > 1 and "less energy" in g["int8_energy_sentence"]
    elif "times slower" in speed:
        assert ratio < 1 and "more energy" in g["int8_energy_sentence"]
    else:
        assert "no clear energy difference" in g["int8_energy_sentence"]
    assert ("disagree" in g["win_vs_median"]) == (g["win_t_ms"] / g["cpu_fp32_ms"] > 1.5)
    gap = g["int8_gap_sentence"]
    r, m = g["cpu_energy_ratio"], g["cnn_model_saving"]
    assert ("falls short" in gap) == (r < 0.8 * m) and ("exceeds" in gap) == (r > 1.25 * m)


def check_span_and_sustained(g: dict) -> None:
    assert g["span_orders"] == pytest.approx(math.log10(1e4 / 150e-6))
    assert g["ph_sust"] < g["ph_peak"]
    assert g["ph_30s"] == ("inside" if g["ph_ttt"] <= 30 else "well after")
    lower = g["ph_e1"] < g["ph_e0"] * 0.99
    higher = g["ph_e1"] > g["ph_e0"] * 1.01
    assert g["ph_e_dir"].startswith("lower" if lower else "higher" if higher else "about the same")
    assert g["duty_mw"] == pytest.approx(69.5)
    t = g["burst_trend"]
    assert ("No slowdown" in g["burst_follow"]) == ("noise" in t)
    if "grew" in t:
        assert g["sust_qps"] > g["burst_qps"]
    if "fell" in t:
        assert g["sust_qps"] < g["burst_qps"]




def test_meter_sentence_and_models(glued):
    check_meter_and_models(glued)


def test_boundary_winners(glued):
    check_boundaries(glued)


def test_sampling_claims(glued):
    check_sampling(glued)


def test_dvfs_claims(glued):
    check_dvfs(glued)


def test_int8_claims(glued):
    check_int8(glued)


def test_span_and_sustained_claims(glued):
    check_span_and_sustained(glued)


if __name__ == "__main__":  # check a book built elsewhere: python tests/test_book_power.py _build/html
    import sys

    d = Path(sys.argv[1])
    g = read_glued(d)
    for fn in (check_meter_and_models, check_boundaries, check_sampling, check_dvfs, check_int8,
               check_span_and_sustained):
        fn(g)
    print("all page checks hold")
