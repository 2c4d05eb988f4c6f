"""Inference backends behind one small interface: load, warm up, infer a batch, close.

- ``torch``: eager PyTorch on "cpu" (intra-op threads set explicitly) or "cuda";
- ``onnxruntime``: ONNX Runtime, FP32 or static INT8, CPUExecutionProvider or CUDA when present;
- ``edgetpu``: a Coral EdgeTPU through tflite_runtime, only when the runtime and a device exist.

:func:`open_backend` loads a model and measures the cold start apart from the steady state:
``load_s`` (building the session / moving weights) and ``first_inference_s`` (the first call,
which pays for lazy initialization, allocation and kernel selection).

Threads. On a 2-core machine the load generator (issuing queries, timestamping completions) and
the model compete for cores. simlib's default gives the model ``cores - 1`` intra-op threads
(at least 1) and one inter-op thread, so the load generator keeps a core: otherwise issue and
completion timestamps wait behind compute threads and inflate the tail. The choice is
recorded in ``backend.describe()`` and in every result.

>>> b = open_backend("onnxruntime", "digits", threads=1)  # doctest: +SKIP
>>> b.infer(b.spec.sample_inputs(4)).shape  # doctest: +SKIP
(4, 10)
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError, Options, Range, check, validate_params
from simlib.models.registry import MODELS, ModelSpec, get_model

__all__ = ["BACKENDS", "Backend", "BackendUnavailable", "default_threads", "open_backend", "usable_cores"]

BACKENDS = ("torch", "onnxruntime", "edgetpu")


class BackendUnavailable(RuntimeError):
    """The requested runtime or device is missing; the message says what to install or attach."""


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (macOS)
        return os.cpu_count() or 1


def default_threads() -> int:
    """Model threads that leave one core to the load generator: max(1, usable cores - 1)."""
    return max(1, usable_cores() - 1)


class Backend:
    """Base class: subclasses implement ``_load``, ``infer`` and ``_close``."""

    name = "base"

    def __init__(self, spec: ModelSpec, *, precision: str = "fp32", device: str = "cpu",
                 threads: int | None = None) -> None:
        self.spec = spec
        self.precision = precision
        self.device = device
        self.threads = threads or default_threads()
        self.load_s: float | None = None
        self.first_inference_s: float | None = None
        self.notes: list[str] = []

    def load(self) -> Backend:
        """Load the model, timing it (``load_s``); returns self."""
        t0 = time.perf_counter()
        self._load()
        self.load_s = time.perf_counter() - t0
        return self

    def cold_start(self, batch: np.ndarray | None = None) -> float:
        """Time the very first inference (``first_inference_s``)."""
        x = self.spec.sample_inputs(1) if batch is None else batch
        t0 = time.perf_counter()
        self.infer(x)
        self.first_inference_s = time.perf_counter() - t0
        return self.first_inference_s

    def warmup(self, n: int = 10, batch_size: int = 1) -> None:
        x = self.spec.sample_inputs(batch_size)
        for _ in range(n):
            self.infer(x)

    def infer(self, batch: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        self._close()

    def _load(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _close(self) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.spec.name, "model_config": self.spec.config,
                "precision": self.precision, "device": self.device, "intra_op_threads": self.threads,
                "inter_op_threads": 1, "load_s": self.load_s,
                "first_inference_s": self.first_inference_s, "notes": self.notes}

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.spec.name}, {self.precision}, {self.device}, "
                f"threads={self.threads})")


class TorchBackend(Backend):
    """Eager PyTorch. Thread count is process-wide in torch: set on load, restored on close."""

    name = "torch"

    def _load(self) -> None:
        import torch

        if self.precision != "fp32":
            raise InvalidParameterError(
                f"The 'precision' parameter of the torch backend must be 'fp32'. Got {self.precision!r} "
                "instead: use backend='onnxruntime' for INT8.")
        if self.device == "cuda":
            from simlib.hardware.detect import probe_torch_cuda

            cuda = probe_torch_cuda()
            if not cuda["available"]:
                fix = ("install a CUDA build of torch on a machine with an NVIDIA GPU"
                       if cuda.get("build") == "CPU" else "run it on a machine with an NVIDIA GPU")
                raise BackendUnavailable(f"torch backend on 'cuda': {cuda['reason']}. Use "
                                         f"device='cpu' (a CPU measurement), or {fix}")
        self._torch = torch
        self._saved_threads = torch.get_num_threads()
        if self.device == "cpu":
            torch.set_num_threads(self.threads)
        self.module = self.spec.module.to(self.device).eval()

    def infer(self, batch: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            out = self.module(torch.from_numpy(np.ascontiguousarray(batch)).to(self.device))
            return out.cpu().numpy()  # .cpu() waits for the GPU: the call is synchronous

    def _close(self) -> None:
        if getattr(self, "_torch", None) is not None and self.device == "cpu":
            self._torch.set_num_threads(self._saved_threads)


class OnnxRuntimeBackend(Backend):
    """ONNX Runtime session; INT8 uses :func:`simlib.models.quantize_int8` (cached)."""

    name = "onnxruntime"

    def __init__(self, spec: ModelSpec, **kw: Any) -> None:
        super().__init__(spec, **kw)
        self.model_path: str | None = None
        self.build_s: float | None = None

    def _load(self) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise BackendUnavailable("onnxruntime is not installed: pip install onnxruntime") from err
        from simlib.models import export_onnx, quantize_int8

        providers = ["CPUExecutionProvider"]
        if self.device == "cuda":
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise BackendUnavailable("onnxruntime has no CUDAExecutionProvider here: "
                                         "pip install onnxruntime-gpu on a machine with CUDA, or use device='cpu'")
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        t0 = time.perf_counter()
        path = export_onnx(self.spec)
        if self.precision == "int8":
            path = quantize_int8(self.spec, path)
        self.build_s = time.perf_counter() - t0  # export/quantize (cached after the first time)
        self.model_path = str(path)
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.log_severity_level = 3
        self.session = ort.InferenceSession(self.model_path, so, providers=providers)
        self._input = self.session.get_inputs()[0].name

    def infer(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self._input: batch})[0]

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        d.update(model_path=self.model_path, build_s=self.build_s,
                 model_bytes=os.path.getsize(self.model_path) if self.model_path else None,
                 providers=self.session.get_providers() if hasattr(self, "session") else None)
        return d

    def _close(self) -> None:
        self.session = None


class EdgeTPUBackend(Backend):
    """A Coral EdgeTPU via tflite_runtime; needs a compiled ``*_edgetpu.tflite`` (``model_path``)."""

    name = "edgetpu"

    def __init__(self, spec: ModelSpec, model_path: str | None = None, **kw: Any) -> None:
        super().__init__(spec, **kw)
        self.model_path = model_path

    def _load(self) -> None:
        from simlib.hardware.detect import probe_edgetpu

        probe = probe_edgetpu()
        if not probe.get("available"):
            raise BackendUnavailable(f"EdgeTPU unavailable: {probe.get('reason')}. Install "
                                     "tflite_runtime/pycoral and attach a Coral device, or use "
                                     "backend='onnxruntime'")
        if not self.model_path:
            raise BackendUnavailable("EdgeTPU needs a model compiled by edgetpu_compiler "
                                     "(pass model_path='..._edgetpu.tflite')")
        from tflite_runtime.interpreter import Interpreter, load_delegate  # pragma: no cover

        self.interp = Interpreter(self.model_path, experimental_delegates=[load_delegate("libedgetpu.so.1")])  # pragma: no cover
        self.interp.allocate_tensors()  # pragma: no cover

    def infer(self, batch: np.ndarray) -> np.ndarray:  # pragma: no cover - needs the device
        inp, out = self.interp.get_input_details()[0], self.interp.get_output_details()[0]
        self.interp.set_tensor(inp["index"], batch.astype(inp["dtype"]))
        self.interp.invoke()
        return self.interp.get_tensor(out["index"])


_CLASSES = {"torch": TorchBackend, "onnxruntime": OnnxRuntimeBackend, "edgetpu": EdgeTPUBackend}


@validate_params({"backend": Options(BACKENDS), "precision": Options(("fp32", "int8")),
                  "device": Options(("cpu", "cuda")), "threads": [None, Range(1, 256, integer=True)]})
def open_backend(backend: str, model: str | ModelSpec, *, precision: str = "fp32",
                 device: str = "cpu", threads: int | None = None, cold_start: bool = True,
                 **kw: Any) -> Backend:
    """Build, load and (by default) cold-start a backend: ``load_s`` and ``first_inference_s``.

    Raises :class:`~simlib._validate.InvalidParameterError` for an unknown backend, model,
    precision or device, and :class:`BackendUnavailable` when the runtime or device is missing.
    """
    spec = model if isinstance(model, ModelSpec) else (
        check("model", model, Options(MODELS), owner="open_backend") and get_model(model))
    b = _CLASSES[backend](spec, precision=precision, device=device, threads=threads, **kw)
    b.load()
    if cold_start:
        b.cold_start()
    return b
