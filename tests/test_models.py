"""Models defined in code, ONNX export, INT8 quantization, model facts, cache."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from simlib._validate import InvalidParameterError
from simlib.models import export_onnx, get_model, model_info, quantize_int8
from simlib.models.cache import cache_dir


def test_cnn_width_and_resolution_change_cost():
    small = model_info(get_model("cnn", width=0.35, resolution=64))
    big = model_info(get_model("cnn", width=0.5, resolution=96))
    assert big["flops_per_sample"] > small["flops_per_sample"] > 0
    assert get_model("cnn", width=0.35, resolution=64).sample_inputs(2).shape == (2, 3, 64, 64)


def test_encoder_shapes_and_cost():
    spec = get_model("encoder", layers=1, hidden=32, heads=2, seq_len=16, vocab=300)
    x = spec.sample_inputs(3)
    assert x.shape == (3, 16) and x.dtype == np.int64 and x.max() < 300
    assert spec.module(torch.from_numpy(x)).shape == (3, 2)
    two = model_info(get_model("encoder", layers=2, hidden=32, heads=2, seq_len=16, vocab=300))
    assert two["flops_per_sample"] > model_info(spec)["flops_per_sample"]


@pytest.mark.parametrize("name,kw", [("cnn", {"width": 5}), ("cnn", {"resolution": 100}),
                                     ("encoder", {"hidden": 30, "heads": 4}), ("nope", {})])
def test_model_bad_config(name, kw):
    with pytest.raises(InvalidParameterError):
        get_model(name, **kw)


def test_digits_accuracy_and_cache():
    spec = get_model("digits")
    x, y = spec.eval_data
    with torch.no_grad():
        acc = (spec.module(torch.from_numpy(x)).argmax(1).numpy() == y).mean()
    assert acc > 0.93
    assert any(cache_dir().glob("digits-*.pt"))


def test_export_and_int8_accuracy(tmp_path, monkeypatch):
    import onnxruntime as ort

    monkeypatch.setenv("SIMLIB_CACHE", str(tmp_path))
    spec = get_model("digits")
    fp32, int8 = export_onnx(spec), quantize_int8(spec)
    assert fp32.parent == tmp_path and int8.parent == tmp_path
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no partial files
    x, y = spec.eval_data
    accs = {}
    for k, p in (("fp32", fp32), ("int8", int8)):
        s = ort.InferenceSession(str(p), providers=["CPUExecutionProvider"])
        accs[k] = (s.run(None, {spec.input_name: x})[0].argmax(1) == y).mean()
    assert accs["fp32"] > 0.93 and accs["int8"] > accs["fp32"] - 0.03
    assert int8.stat().st_size < fp32.stat().st_size
    info = model_info(spec, fp32)
    assert info["onnx_bytes"] == fp32.stat().st_size and info["params"] == 26122


@pytest.mark.slow
def test_cnn_export_matches_torch(tmp_path, monkeypatch):
    import onnxruntime as ort

    monkeypatch.setenv("SIMLIB_CACHE", str(tmp_path))
    spec = get_model("cnn", width=0.35, resolution=64, num_classes=10)
    s = ort.InferenceSession(str(export_onnx(spec)), providers=["CPUExecutionProvider"])
    x = spec.sample_inputs(2)
    with torch.no_grad():
        ref = spec.module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(s.run(None, {"input": x})[0], ref, rtol=1e-3, atol=1e-3)


def test_cached_module_trains_once_and_retrains_over_a_corrupt_file(tmp_path, monkeypatch):
    """The digits classifier and the character GRU share one cache rule: trained once, then loaded
    (the same weights, in eval mode); a corrupt file is retrained, identically, and overwritten;
    the torch thread count is what it was."""
    import torch

    from simlib.models.digits import digits_classifier

    monkeypatch.setenv("SIMLIB_CACHE", str(tmp_path))
    threads = torch.get_num_threads()
    first = digits_classifier(hidden=16, epochs=2)
    (path,) = tmp_path.glob("digits-*.pt")
    again = digits_classifier(hidden=16, epochs=2)
    assert not again.training and torch.get_num_threads() == threads
    path.write_bytes(b"not a state dict")
    retrained = digits_classifier(hidden=16, epochs=2)
    for a, b, c in zip(first.state_dict().values(), again.state_dict().values(), retrained.state_dict().values(),
                       strict=True):
        assert torch.equal(a, b) and torch.equal(a, c)
    assert torch.load(path, weights_only=True).keys() == first.state_dict().keys()
