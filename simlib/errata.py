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
