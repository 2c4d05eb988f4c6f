"""FLOP/byte counts of operators and whole models, against hand-derived values and references."""

from __future__ import annotations

import pytest

from simlib._validate import InvalidParameterError
from simlib.roofline import models, ops


def test_gemm():
    g = ops.gemm(2, 3, 4, "fp32")
    assert g.flops == 2 * 2 * 3 * 4
    assert g.bytes == (2 * 4 + 4 * 3 + 2 * 3) * 4
    w = ops.gemm(8, 3, 4, "fp16", batch=5, b_is_weight=True)
    assert w.weight_bytes == 4 * 3 * 2  # weight read once for the whole batch
    assert w.activation_bytes == 5 * (8 * 4 + 8 * 3) * 2
    big = ops.gemm(4096, 4096, 4096, "fp16")
    assert big.intensity == pytest.approx(2 * 4096**3 / (3 * 4096**2 * 2))


def test_intensity_grows_with_gemm_size_and_shrinks_with_dtype_width():
    assert ops.gemm(1024, 1024, 1024).intensity > ops.gemm(64, 64, 64).intensity
    assert ops.gemm(256, 256, 256, "int8").intensity == 4 * ops.gemm(256, 256, 256, "fp32").intensity


def test_conv_and_depthwise():
    c = ops.conv2d(1, 3, 224, 224, 32, kernel=3, stride=2)
    assert c.flops == 2 * 112 * 112 * 32 * 3 * 9
    assert c.weight_bytes == 32 * 3 * 9 * 4
    d = ops.depthwise_conv2d(1, 96, 112, 112)
    assert d.flops == 2 * 112 * 112 * 96 * 9
    assert d.intensity < 5 < ops.conv2d(1, 96, 112, 112, 96).intensity


def test_memory_bound_ops():
    assert ops.elementwise(1000, "fp32").intensity == pytest.approx(1 / 12)  # 1 FLOP, 12 bytes
    assert ops.softmax(10, 100, "fp16").intensity == pytest.approx(5 / 4)
    assert ops.layernorm(1000, 768).flops == 8 * 1000 * 768
    e = ops.embedding(128, 768, 30522, "fp32")
    assert e.flops == 0 and e.intensity == 0 and e.bytes == 2 * 128 * 768 * 4


def test_attention_at_sequence_length():
    a = ops.attention(128, 768, 12, "fp32")
    assert a.flops == 4 * 128**2 * 768 + 5 * 12 * 128**2
    fused = ops.attention(4096, 768, 12, "fp16", fused=True)
    unfused = ops.attention(4096, 768, 12, "fp16")
    assert fused.intensity > unfused.intensity  # the S x S scores stay on chip


@pytest.mark.parametrize("model, params", [
    ("bert-base", 109_482_240),  # Hugging Face bert-base-uncased, including the pooler
    ("mobilenetv2", 3_504_872),  # torchvision mobilenet_v2
    ("resnet50", 25_557_032),  # torchvision resnet50
])
def test_parameter_counts_match_reference(model, params):
    assert models.cost(model).params == params


def test_flop_counts_match_published():
    # MobileNetV2 ~300 M multiply-adds (Sandler et al. 2018); ResNet-50 ~4.1 G MACs (He et al. 2016);
    # BERT-base at S=128 ~22 GFLOP (source chapter, Napkin Math 1.3 step 2, seed line 176).
    assert models.cost("mobilenetv2").flops / 2 == pytest.approx(300e6, rel=0.01)
    assert models.cost("resnet50").flops / 2 == pytest.approx(4.1e9, rel=0.01)
    assert models.cost("bert-base").flops == pytest.approx(22e9, rel=0.03)


def test_batch_reads_weights_once():
    c1, c8 = models.cost("resnet50", batch=1), models.cost("resnet50", batch=8)
    assert c8.flops == pytest.approx(8 * c1.flops)
    assert c8.weight_bytes == pytest.approx(c1.weight_bytes)
    assert c8.activation_bytes == pytest.approx(8 * c1.activation_bytes)
    assert c8.intensity > c1.intensity
    assert models.cost("bert-base", seq_len=512).flops > 4 * models.cost("bert-base").flops


def test_bad_op_input():
    with pytest.raises(InvalidParameterError, match="'m' parameter of gemm"):
        ops.gemm(0, 1, 1)
    with pytest.raises(InvalidParameterError, match="'dtype' parameter"):
        ops.gemm(1, 1, 1, "fp12")
    with pytest.raises(InvalidParameterError, match="'groups' parameter of conv2d"):
        ops.conv2d(1, 6, 8, 8, 4, groups=4)
    with pytest.raises(InvalidParameterError, match="'traffic' parameter"):
        models.cost("bert-base", traffic="everything")
