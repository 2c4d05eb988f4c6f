"""The model-and-data-evaluation chapter's additions: compression study, language-model metrics,
label noise and agreement, holistic diagnosis, and the DataComp erratum."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from simlib import errata
from simlib._validate import InvalidParameterError
from simlib.evaluation import diagnosis, labels, lm
from simlib.protocol import conforms


# --- language-model metrics ------------------------------------------------------------------
def test_response_time_matches_source():
    assert lm.response_time_s(750, 25) == pytest.approx(30.0)
    assert lm.response_time_s(750, 100) == pytest.approx(7.5)
    assert lm.response_time_s(750, 100, ttft_s=0.5) == pytest.approx(8.0)
    with pytest.raises(InvalidParameterError, match="tokens_per_s"):
        lm.response_time_s(10, 0)


def test_perplexity_closed_forms():
    assert lm.perplexity_from_nll(math.log(10)) == pytest.approx(10)
    # a uniform model over V tokens is V-way confused
    uni = lm.NgramLM(order=1, alpha=1e12).fit("abc")
    assert uni.perplexity("some text") == pytest.approx(len(lm.ALPHABET), rel=1e-6)
    # a model that saw only "ab" repeated predicts it almost surely: perplexity near 1
    det = lm.NgramLM(order=2, alpha=1e-6).fit("ab" * 500)
    assert det.perplexity("ab" * 50) < 1.1


def test_corpus_ships_and_ngram_learns():
    train, held, files = lm.corpus()
    assert len(files) >= 5 and len(train) > 20_000 and len(held) > 3_000
    p1 = lm.NgramLM(1).fit(train).perplexity(held)
    p3 = lm.NgramLM(3).fit(train).perplexity(held)
    assert p3 < p1 < len(lm.ALPHABET)


def test_gru_trains_and_times(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    m = lm.train_char_lm(hidden=16, steps=30, use_cache=False)
    _, held, _ = lm.corpus()
    assert 1 < lm.gru_perplexity(m, held[:2000]) < len(lm.ALPHABET)
    g = lm.generation_timing(m, prompt_tokens=32, n_tokens=8, repeats=8)
    assert conforms(g) == []
    assert g.ttft.estimate > 0 and g.itl.estimate > 0
    assert g.modeled_total_s == pytest.approx(g.ttft.estimate + 7 * g.itl.estimate)


def test_mc_accuracy_and_contamination():
    r = lm.mc_accuracy(70, 279)
    assert r["chance"] == 0.25 and not r["above_chance"]  # 25.1% is chance
    assert lm.mc_accuracy(11_000, 15_908)["half_width"] < 0.01
    assert lm.contaminated_accuracy(0.6, 0.0) == pytest.approx(0.6)
    assert lm.contaminated_accuracy(0.6, 1.0) == pytest.approx(1.0)
    assert lm.contaminated_accuracy(0.6, 0.2, recall_memorized=0.5) == pytest.approx(0.64)
    with pytest.raises(InvalidParameterError, match="correct"):
        lm.mc_accuracy(300, 279)


# --- label quality ---------------------------------------------------------------------------
def test_noise_injection_kinds():
    y = np.repeat(np.arange(10), 50)
    yn, m = labels.inject_label_noise(y, 0.2, "systematic", source=1, target=7)
    assert m.sum() == 10 and set(yn[m]) == {7} and set(y[m]) == {1}
    yn, m = labels.inject_label_noise(y, 0.0)
    assert not m.any() and (yn == y).all()


def test_detector_finds_planted_noise():
    r = labels.label_noise_detection((0.0, 0.1), seed=0)
    assert conforms(r) == []
    assert r.planted == (0, 180)
    assert r.recall(1).estimate > 0.8 and r.precision(1).estimate > 0.7
    # with no noise, every flag is a false alarm, and few are raised
    assert r.hits[0] == 0 and r.flagged[0] < 0.05 * r.n


def test_kappa_closed_form_matches_simulation():
    y = np.repeat(np.arange(10), 400)
    for acc in (0.6, 0.9):
        a, b = labels.simulate_annotators(y, acc, seed=1)
        assert cohen_kappa_score(a, b) == pytest.approx(labels.expected_kappa(acc, 10), abs=0.03)
    assert labels.expected_kappa(1.0, 5) == pytest.approx(1.0)
    assert labels.expected_kappa(0.1, 10) == pytest.approx(0.0, abs=1e-12)  # chance-level annotators
    assert labels.kappa_band(-0.1) == "poor" and labels.kappa_band(0.7) == "substantial"


# --- diagnosis and source figures ------------------------------------------------------------
def test_utilization_model():
    assert diagnosis.overlapped_utilization(3e-3, 1e-3, workers=0) == pytest.approx(0.25)
    assert diagnosis.overlapped_utilization(3e-3, 1e-3, workers=1) == pytest.approx(1 / 3)
    assert diagnosis.overlapped_utilization(3e-3, 1e-3, workers=4) == 1.0


def test_diagnose_rules():
    assert diagnosis.diagnose() == []
    f = diagnosis.diagnose(utilization=0.3, preprocess_share=0.7, ece_rose=True, shift_detected=True,
                           aggregate_drop_pp=0.9, edge_drop_pp=6.8, label_issue_share=0.05)
    dims = [x["dimension"] for x in f]
    assert dims.count("Data") == 3 and dims.count("Algorithm (model)") == 2
    assert "Preprocessing too slow" in f[0]["cause"]
    assert diagnosis.diagnose(utilization=0.3)[0]["dimension"] == "Machine (system)"
    assert set(diagnosis.DAM_TABLE) == {"Data", "Algorithm", "Machine"}


def test_source_figures():
    f = diagnosis.source_figures()
    assert f["alexnet_drop_pp"] == pytest.approx(9.4)
    assert f["label_errors_in_val_low"] == 1500 and f["label_errors_in_val_high"] == 3000
    assert f["wilds_footnote_drop_pp"] == 27 and f["wilds_body_drop_pp"] == 30
    assert f["resnet50_fp32_bytes"] == pytest.approx(102.4e6)


def test_datacomp_erratum():
    e = errata.get("datacomp-subset-ratio")
    assert e.is_slip and e.correct == pytest.approx(10 / 3)
    assert "{" not in e.note_text


# --- the compression study (measured on this machine) -------------------------------------------
@pytest.fixture(scope="module")
def study():
    from simlib.measure.compression import compression_study

    return compression_study((0.5, 0.9), time_budget_s=0.05)


def test_compression_study(study):
    assert conforms(study) == []
    assert study.names[:3] == ("FP32", "pruned 50%", "pruned 90%")
    assert "static INT8 ORT" in study.names and "dynamic INT8" in study.names
    a = study.audit
    i90 = study.index("pruned 90%")
    assert a.top1[i90].estimate < a.top1[0].estimate - 0.2  # heavy pruning without fine-tuning breaks it
    assert study.nonzero[i90] < 0.11 * study.nonzero[0]
    iq = study.index("dynamic INT8")
    assert a.size_bytes[iq] < 0.5 * a.size_bytes[0]
    assert study.energy_j[iq] < study.energy_j[0]  # modeled: INT8 multiplies and fewer bytes
    assert study.ece_change[0] == (0.0, 0.0)
    assert study.ece_text("FP32") == "showed no clear change"
    fr = study.frontier()
    assert fr.front and conforms(fr) == []


def test_edge_slice_is_harder():
    from simlib.measure.compression import edge_case_digits

    x = np.full((2, 64), 0.5)
    assert edge_case_digits(x).max() == pytest.approx(0.175)


def test_ece_change_ci_detects_a_change():
    from simlib.measure.compression import ece_change_ci

    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1, 2000)
    ok = (rng.random(2000) < conf).astype(float)
    lo, hi = ece_change_ci(conf, ok, np.minimum(conf + 0.15, 1.0), ok, n_resamples=100)
    assert lo > 0.05


def test_edge_gap_picks_a_clear_slice_drop(study):
    name, agg, edge = study.edge_gap()
    assert name == "pruned 90%"  # the only pruned variant whose edge drop is clear
    assert edge > agg > 10
    with pytest.raises(InvalidParameterError, match="prefix"):
        study.edge_gap("distilled")


def test_tables_render():
    t = diagnosis.findings_table([])
    assert "nothing measured" in repr(t) and "<table>" in t._repr_html_()
    assert "&lt;" in diagnosis.Table(["a"], [["<b>"]])._repr_html_()


def test_figures_draw_every_point():
    from simlib.evaluation.figures import plot_detection_power, plot_label_noise
    from simlib.evaluation.labels import LabelNoiseDetection

    r = LabelNoiseDetection("measured", {"requested": {}, "effective": {"kind": "random"}}, (), (0.0, 0.1), 100,
                            (0, 10), (2, 9), (0, 8))
    fig = plot_label_noise(r)
    lines = fig.axes[0].lines
    assert "MEASURED" in fig.axes[0].get_title() and len(lines) >= 2
    from simlib.evaluation import detection_power

    p = detection_power(np.random.default_rng(0).random((60, 3)), [0.0, 1.0], n_per_split=20, trials=2,
                        shift=lambda x, s, rng: x + s)
    assert "MODELED" in plot_detection_power([p]).axes[0].get_title()


# --- the command line ------------------------------------------------------------------------
def test_cli_evaluate(capsys):
    import json

    from simlib.cli import main

    assert main(["evaluate", "lighthouse", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["top1_acceptable"] is True
    assert main(["evaluate", "labels"]) == 0
    assert "noise 20%" in capsys.readouterr().out
    assert main(["evaluate", "lighthouse", "--seed", "-1"]) == 2
    assert "--seed" in capsys.readouterr().err
