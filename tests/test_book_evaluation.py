"""The built evaluation chapter reads true: every chosen phrase agrees with the numbers glued beside
it, every glued phrase is on the page, and the page has its figures, tables and self-checks.

Uses the shared book build (conftest.book_build, beside two CPU hogs). ``check_page(html_dir)``
holds the checks, so they can also be run on any build folder:
``python -m tests.test_book_evaluation _build/html``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.bookpage import page_html, read_glue, rendered_text

CHAPTER = "chapters/06-model-and-data-evaluation"
ROOT = Path(__file__).resolve().parents[1]


def check_page(html_dir: Path) -> None:
    g, raw = read_glue(html_dir, CHAPTER), page_html(html_dir, CHAPTER)
    text = rendered_text(raw)
    # blind spots: the hidden-class phrase follows the recall interval
    hidden = g["im_rec_hi"] < g["im_acc"] - 0.0
    assert ("hides the class" in g["im_hidden"]) == hidden or "interval" in g["im_hidden"]
    assert g["fr_tp"] == 10 and g["fr_fn"] == 90 and g["fr_fp"] == 10
    # calibration: the temperature's direction word matches T
    if g["cal_T"] > 1.05:
        assert "softens" in g["cal_dir"]
    elif g["cal_T"] < 0.95:
        assert "sharpens" in g["cal_dir"]
    for k in ("cal_band_before", "cal_band_after"):
        v = g["cal_before" if k.endswith("before") else "cal_after"]
        assert g[k] == ("well calibrated" if v < 0.05 else "moderately calibrated" if v <= 0.10 else
                        "poorly calibrated")
    assert g["bins_lo"] <= g["cal_before"] + 1e-12 or g["bins_lo"] <= g["bins_hi"]
    if "clear improvement" in g["cal_effect"]:
        assert g["cal_after"] < g["cal_before"]
    if "clear worsening" in g["cal_effect"]:
        assert g["cal_after"] > g["cal_before"]
    assert g["ten_top2"] >= g["ten_top1"] and g["sh_acc_all"] <= g["sh_acc0"]
    assert g["ten_slices"].startswith("no slice") != g["ten_slices"].startswith("the ")
    # Lighthouse 1.3 recomputed
    assert g["lh_top1_drop_pp"] == pytest.approx(0.9) and g["lh_edge_case_drop_pp"] == pytest.approx(6.8)
    # compression: the pruning finding's drops and the speed claims
    assert g["cs_gap_edge"] > g["cs_gap_agg"]
    assert g["cs_gap_name"] in g["cs_front"] + g["cs_dominated"]
    for key in ("cs_prune_speed", "cs_dyn_speed", "cs_static_speed"):
        m = re.search(r"(\d+(?:\.\d+)?) times (faster|slower)", g[key])
        assert m is None or float(m.group(1)) >= 1.0, g[key]
    if "slower" in g["cs_dyn_speed"] and "slower" in g["cs_static_speed"]:
        assert "cost more" in g["cs_int8_why"]
    for key in ("cs_dyn_ece", "cs_static_ece"):
        assert g[key] == "showed no clear change" or re.match(r"(rose|fell) by \d\.\d{3}$", g[key]), g[key]
    # language models: perplexity ordering and the modeled response time
    assert 1 < g["lm_best"] <= g["lm_p1"] < g["lm_V"]
    assert g["rt_25"] == pytest.approx(30) and g["rt_100"] == pytest.approx(7.5)
    assert ("inside" in g["lm_model_fit"]) or ("outside" in g["lm_model_fit"])
    # data: precision/recall and kappa closed form
    assert 0 <= g["ln_p2"] <= 100 and abs(g["k80_model"] - 0.605) < 0.001
    assert g["k_maxerr"] < 0.05
    assert g["dc_ratio"] == pytest.approx(10 / 3)
    # data: chosen phrases follow their numbers
    if g["dp_psi_fa"] > g["dp_ks_fa"]:
        assert "still fired" in g["dp_psi_claim"]
    else:
        assert "still fired" not in g["dp_psi_claim"]
    if g["dp_ks200_half"] < g["dp_ks50_half"]:
        assert "larger sample detected it clearly more often" not in g["dp_n_claim"]
    assert ("flags nothing" in g["ln_false0_text"]) == (g["ln_false0"] == 0)
    assert g["ln_rmin"] <= g["ln_rmax"]
    # holistic: utilization and the findings table is shown
    assert 0 < g["pl_util"] < 100 and g["pl_w4"] >= g["pl_util"] - 1e-6
    assert ("preprocessing too slow" in g["pl_dx"]) == (g["pl_util"] < 50)
    assert "Measured symptom" in text and "Compute-bound" in text
    # figures and self-checks are on the page
    assert raw.count("<img") >= 5
    assert "Your progress" in text


@pytest.mark.book
def test_built_evaluation_chapter_reads_true(built_book):
    check_page(built_book)


if __name__ == "__main__":
    check_page(Path(sys.argv[1]))
    print("ok")
