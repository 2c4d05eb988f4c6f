"""Errata against the source chapter: each slip with the value the book computes instead.

The errata page of the book renders :data:`ERRATA`; ``tests/test_errata.py`` recomputes each
entry and checks that the chapter's printed value really differs from the correct one. To add
an entry, append an :class:`Erratum` whose ``compute`` calls the simlib function that the
chapters use for the same figure, so the page and the chapters cannot disagree.

>>> e = get("bert-roofline-batch32")
>>> round(e.correct, 1), e.printed
(265.2, 16.5)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ERRATA", "Erratum", "get", "register"]


@dataclass(frozen=True)
class Erratum:
    """One numeric slip in the source chapter.

    ``where`` names the section or worked example (and the line in ``seed/benchmarking-chapter.txt``);
    ``quantity`` says what is computed; ``printed`` is the value the chapter prints; ``compute``
    returns the correct value in the same ``unit``; ``note`` explains the slip in one or two lines.
    A number in the note that is not a quote of the chapter is a format field, ``{correct}`` or
    ``{ratio}`` (correct / printed), filled in by :attr:`note_text`, so no derived number is typed.
    """

    id: str
    where: str
    quantity: str
    printed: float
    unit: str
    compute: Callable[[], float]
    note: str
    rel_tol: float = 0.01  # the printed value counts as right within this relative tolerance

    @property
    def correct(self) -> float:
        return float(self.compute())

    @property
    def note_text(self) -> str:
        """The note with ``{correct}`` and ``{ratio}`` filled in from :attr:`correct`."""
        c = self.correct
        return self.note.format(correct=c, ratio=c / self.printed)

    @property
    def is_slip(self) -> bool:
        return not math.isclose(self.printed, self.correct, rel_tol=self.rel_tol)


ERRATA: list[Erratum] = []


def register(erratum: Erratum) -> Erratum:
    """Add an entry (ids are unique)."""
    if any(e.id == erratum.id for e in ERRATA):
        raise ValueError(f"duplicate erratum id {erratum.id!r}")
    ERRATA.append(erratum)
    return erratum


def get(erratum_id: str) -> Erratum:
    for e in ERRATA:
        if e.id == erratum_id:
            return e
    raise KeyError(f"no erratum {erratum_id!r}; known: {[e.id for e in ERRATA]}")


def _bert_batch32_attainable_tflops() -> float:
    # Napkin Math 1.3, step 4: batch 32 is compute bound, so the roof is the FP16 tensor-core
    # peak; the chapter then assumes 85% of that roof is achieved.
    from simlib.roofline import analyze

    r = analyze("a100-sxm", "fp16", flops=32 * 22e9, bytes=440e6)
    return 0.85 * r.attainable_flops / 1e12


register(Erratum(
    id="bert-roofline-batch32",
    where="Napkin Math 1.3 (Roofline analysis for BERT inference), step 4; seed line 187",
    quantity="achievable throughput of BERT-base at batch 32 on an A100 (85% of FP16 peak)",
    printed=16.5,
    unit="TFLOP/s",
    compute=_bert_batch32_attainable_tflops,
    note="0.85 x 312 TFLOP/s is {correct:.1f} TFLOP/s; the printed 16.5 is off by a factor of "
         "about {ratio:.0f}. The conclusion (batch 32 is compute bound at ~85% utilization) stands.",
))


def _bert_batch1_fp16_intensity() -> float:
    # Napkin Math 1.3, step 2: the FLOP/byte of BERT-base at batch 1 when its 110M weights are
    # stored in FP16, the precision whose 312 TFLOP/s peak the example uses.
    from simlib.roofline import analyze
    from simlib.roofline.ops import dtype_bytes

    return analyze("a100-sxm", "fp16", flops=22e9, bytes=110e6 * dtype_bytes("fp16")).intensity_flop_per_byte


register(Erratum(
    id="bert-roofline-fp16-bytes",
    where="Napkin Math 1.3 (Roofline analysis for BERT inference), steps 2-3; seed lines 174-181",
    quantity="arithmetic intensity of BERT-base at batch 1, weights in FP16 (as the FP16 roof assumes)",
    printed=50.0,
    unit="FLOP/byte",
    compute=_bert_batch1_fp16_intensity,
    note="The example divides by 440 MB, the FP32 size of the weights, but compares with the FP16 "
         "Tensor Core roof. Stored in FP16 the weights take half the bytes, so the intensity is "
         "{correct:.0f} FLOP/byte: still below the ridge (memory bound), at {ratio:.0f}x the "
         "chapter's attainable rate. Its arithmetic from 50 FLOP/byte is right for FP32-sized weights.",
))


def _mobilenetv2_mflop() -> float:
    # Table 18 labels the compute row "300 MFLOP"; counted layer by layer, MobileNetV2 (224x224)
    # does ~301 M multiply-accumulates, i.e. ~602 MFLOP.
    from simlib.roofline.models import cost

    return cost("mobilenetv2", batch=1, dtype="fp32").flops / 1e6


register(Erratum(
    id="mobilenetv2-compute-flop",
    where="Napkin Math 1.8 (Why INT8 saves energy), Table 18, compute row; seed line 751",
    quantity="floating-point operations of one MobileNetV2 inference (224x224)",
    printed=300.0,
    unit="MFLOP",
    compute=_mobilenetv2_mflop,
    note="MobileNetV2 does ~300 M multiply-accumulates (Sandler et al. 2018 report 300 M "
         "multiply-adds), which is {correct:.0f} MFLOP. The energy row is still right as a model: "
         "it charges one multiplier energy (3.7 or 0.2 pJ) per multiply-accumulate; counting the "
         "adds too (Horowitz lists their energy separately) would raise the compute energy.",
))


def _cortex_m7_mobilenetv2_floor_ms() -> float:
    # The fastest a Cortex-M7 can run INT8 MobileNetV2 (224x224) is its compute roof:
    # ~602 MFLOP at the catalog's 1.92 GOP/s INT8 peak (480 MHz, 2 x 8-bit MACs per cycle).
    from simlib.lighthouse import lighthouse_table

    return lighthouse_table().row("cortex-m7")["roofline_floor_s"] * 1e3


register(Erratum(
    id="lighthouse-cortex-m7-latency",
    where="Lighthouse 1.2 (MobileNetV2 on EdgeTPU), Table 14, inference latency on the Cortex-M7; seed line 685",
    quantity="lower bound on INT8 MobileNetV2 (224x224) latency on a Cortex-M7 (roofline floor)",
    printed=15.0,
    unit="ms",
    compute=_cortex_m7_mobilenetv2_floor_ms,
    note="The table is called illustrative, but ~15 ms is about {ratio:.0f}x faster than the "
         "microcontroller's compute roof allows for the full model (224x224) at the catalog's "
         "1.92 GOP/s INT8 peak: at least {correct:.0f} ms. A 15 ms CPU figure implies a much smaller "
         "variant (e.g. a 0.35-width MobileNetV2 at low resolution). The ratios the chapter derives "
         "(7.5x, 3x, 1.8x) follow from its inputs and are recomputed in the chapter.",
    rel_tol=0.5,
))


def _published_offline_server_ratio() -> float:
    from simlib.published import offline_server_ratio

    return offline_server_ratio("mlperf-inf-v4.0-dgx-h100x1-resnet50")


register(Erratum(
    id="offline-server-gap",
    where="Inference benchmarks, the Offline-versus-Server gap; seed line 553",
    quantity="Offline throughput / Server rate under the latency bound, a recent published result",
    printed=2.0,
    unit="x (the chapter says 2-3x)",
    compute=_published_offline_server_ratio,
    note="The chapter's 2-3x is not what recent data-center submissions show: in MLPerf Inference "
         "v4.0 a single H100 ran ResNet-50 Offline at only {correct:.2f} times the Server rate "
         "that met its 15 ms bound (simlib.published cites the logs). Large batches and many "
         "concurrent streams keep an accelerator busy under Poisson arrivals too; the gap grows "
         "where the latency bound forces small batches.",
))


# --- foundations chapter ---


def _a100_sustained_low_tflops() -> float:
    # Definition 1.1: 30% MFU of the A100's 312 TFLOP/s BF16 peak (catalog).
    from simlib.basics.framework import peak_gap

    return peak_gap("a100-sxm", "bf16", 0.30, 0.50).sustained_low_flops_per_s / 1e12


register(Erratum(
    id="a100-sustained-low-end",
    where="Definition 1.1 (Machine learning benchmarking), Significance; seed line 19",
    quantity="sustained BF16 throughput of an A100 at 30% model-FLOP utilization (312 TFLOP/s peak)",
    printed=90.0,
    unit="TFLOP/s",
    compute=_a100_sustained_low_tflops,
    note="30 percent of 312 TFLOP/s is {correct:.1f} TFLOP/s, not 90, so the range the stated 30-50% MFU "
         "gives starts at {correct:.1f} TFLOP/s (its top, 50 percent of 312, is within 1% of the printed 155). "
         "The point (sustained is far below peak) stands.",
))


def _a100_gap_high_ratio() -> float:
    from simlib.basics.framework import peak_gap

    return peak_gap("a100-sxm", "bf16", 0.30, 0.50).gap_high_ratio


register(Erratum(
    id="a100-peak-gap-high-end",
    where="Definition 1.1 (Machine learning benchmarking), Significance; seed line 19",
    quantity="largest peak-to-sustained gap at 30-50% model-FLOP utilization",
    printed=3.5,
    unit="x",
    compute=_a100_gap_high_ratio,
    note="At 30% MFU the peak is 1 / 0.30 = {correct:.2f} times the sustained rate; the printed 3.5x "
         "follows from the rounded 90 TFLOP/s (312 / 90). The gap the stated MFU range gives is "
         "2x to {correct:.2f}x.",
))


def _mlperf_inference_resnet50_target_percent() -> float:
    from simlib.designmath import mlperf_accuracy_target

    return 100 * mlperf_accuracy_target()


register(Erratum(
    id="mlperf-inference-accuracy-target",
    where="MLPerf synthesis and benchmark gaming, Reference vs. Submission validation; seed line 828",
    quantity="Top-1 accuracy a closed-division ResNet-50 inference submission must reach",
    printed=75.9,
    unit="% top-1 on ImageNet",
    compute=_mlperf_inference_resnet50_target_percent,
    note="In the context of compilers dropping precision during an inference run, the accuracy gate "
         "is MLPerf Inference's: 99% of the FP32 reference's 76.456% top-1, i.e. {correct:.2f}%. "
         "75.9% is MLPerf Training's quality target for ResNet-50 (the figure the chapter uses "
         "for time-to-train earlier). The design chapter computes the inference target.",
    rel_tol=0.001,
))


def _power_span_orders() -> float:
    # Table 15 runs from a 150 uW neural decision processor to a 10 kW server rack.
    from simlib.powerbench import power_span

    return power_span().summary["span_log10_ratio"]


register(Erratum(
    id="power-table-orders-of-magnitude",
    where="Power Measurement Techniques, the text after Table 15 (\"this ten-orders-of-magnitude range\"); seed line 716",
    quantity="orders of magnitude spanned by the device power table (Table 15)",
    printed=10.0,
    unit="orders of magnitude",
    compute=_power_span_orders,
    note="The table runs from 150 uW to 10 kW: {correct:.1f} orders of magnitude, not ten (the "
         "chapter's own self-check says \"nearly eight\").",
    rel_tol=0.05,
))


def _datacomp_full_over_subset() -> float:
    from simlib.evaluation.diagnosis import source_figures

    return source_figures()["datacomp_full_over_subset_x"]


register(Erratum(
    id="datacomp-subset-ratio",
    where="Data benchmarking, Distribution alignment, DataComp and its footnote 43; seed lines 922-923",
    quantity="size of the complete dataset relative to the curated subset that the text says is 30 percent of it",
    printed=10.0,
    unit="x",
    compute=_datacomp_full_over_subset,
    note="The text calls the curated set a 30 percent subset of the complete dataset; the footnote says "
         "it matched models trained on 10x larger unfiltered data. A 30 percent subset makes the whole "
         "only {correct:.2f}x larger. The two statements describe different DataComp comparisons (the "
         "paper's pools and filtered subsets differ by scale); as written, they cannot both describe "
         "the same subset.",
    rel_tol=0.05,
))


# --- training chapter ---
def _adam_state_bytes() -> float:
    from simlib.training.memory import OPTIMIZER_STATE_BYTES

    return float(OPTIMIZER_STATE_BYTES["adam"])


def _train_7b_gb() -> float:
    from simlib.training.memory import training_memory

    return training_memory(7e9, "adam", "mixed").total_bytes / 1e9


def _checkpoint_100b_gb() -> float:
    from simlib.training.faults import checkpoint_bytes

    return checkpoint_bytes(100e9) / 1e9


register(Erratum(
    id="adam-state-bytes",
    where="Self-check answer, training versus inference memory; seed line 1194",
    quantity="optimizer state per parameter kept by Adam (two FP32 moments)",
    printed=2.0,
    unit="bytes per parameter",
    compute=_adam_state_bytes,
    note="The answer puts Adam's moments at 'roughly 2 extra bytes per parameter'. Adam keeps two "
         "moments per parameter, each in FP32 even in mixed-precision training: {correct:.0f} bytes, "
         "{ratio:.0f}x more (Rajbhandari et al. 2020). The chapter on training benchmarks counts them.",
))

register(Erratum(
    id="train-7b-memory",
    where="Self-check answer, training versus inference memory (a 7B-parameter model); seed line 1194",
    quantity="weights, gradients, FP32 master copy and Adam state of a 7B-parameter model, mixed precision",
    printed=40.0,
    unit="GB",
    compute=_train_7b_gb,
    note="The answer says training a 7B model 'can require ... a 40+ GB accelerator'. At 16 bytes per "
         "parameter (2 weights, 2 gradients, 4 master copy, 8 Adam) the training state alone is "
         "{correct:.0f} GB before any activation: no single 40 or 80 GB accelerator holds it, so the "
         "state must be sharded (ZeRO/FSDP) across devices, not just moved to a bigger one.",
    rel_tol=0.5,
))

register(Erratum(
    id="checkpoint-100b-size",
    where="Fault tolerance and robustness, checkpoint of a 100-billion-parameter model; seed line 502",
    quantity="checkpoint of a 100B-parameter model with what a restart needs (weights, FP32 master, Adam)",
    printed=200.0,
    unit="GB (the chapter says 'hundreds of gigabytes')",
    compute=_checkpoint_100b_gb,
    note="'Hundreds of gigabytes' fits the FP16 weights alone (200 GB). The chapter's checkpoint holds "
         "'model weights plus optimizer states': with the FP32 master copy and Adam's two moments that "
         "is {correct:.0f} GB, {ratio:.0f}x more, which is why checkpoint I/O stalls large runs.",
    rel_tol=0.5,
))
