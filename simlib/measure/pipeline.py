"""End-to-end request pipeline, each stage timed: where the time goes besides the model.

A request carries a photo (a 320x240 crop of scikit-learn's bundled photos) in one of three
encodings: ``json`` (the pixels as a JSON list of numbers, as a naive web API sends them),
``binary`` (the same pixels as raw bytes behind a small header of their shape) or ``jpeg``
(the compressed photo behind a length header). Stages:

1. ``parse``: read the request (JSON parsing, or unpacking the header);
2. ``decode``: turn the payload into an image (a list of numbers into an array, raw bytes into
   an array, or a JPEG decode with Pillow);
3. ``resize``: to the model's resolution (Pillow, bilinear);
4. ``normalize``: to float32 NCHW with ImageNet mean/std (numpy);
5. ``model``: the backend's inference;
6. ``postprocess``: softmax and top-5;
7. ``serialize``: the JSON response.

The result shows each stage's median and share of the end-to-end time, and Amdahl's bound:
making the model alone k times faster speeds the request up by at most ``1 / ((1-f) + f/k)``.

>>> r = run_pipeline("cnn", n_requests=5, encoding="binary")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import struct
import time

import numpy as np

from simlib import budget
from simlib._validate import Options, Range, validate_params
from simlib.measure.backends import open_backend
from simlib.measure.result import Result, format_time
from simlib.scaling import amdahl_speedup

__all__ = ["ENCODINGS", "STAGES", "make_requests", "run_pipeline"]

STAGES = ("parse", "decode", "resize", "normalize", "model", "postprocess", "serialize")
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)


ENCODINGS = ("json", "binary", "jpeg")


@validate_params({"encoding": Options(ENCODINGS)})
def make_requests(n: int, encoding: str = "json", size: tuple[int, int] = (320, 240),
                  seed: int = 0) -> list[bytes]:
    """``n`` encoded requests holding crops of the bundled photos (see the module docstring)."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    imgs = load_sample_images().images
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        img = imgs[k % len(imgs)]
        y, x = int(rng.integers(0, img.shape[0] - size[1])), int(rng.integers(0, img.shape[1] - size[0]))
        crop = np.ascontiguousarray(img[y:y + size[1], x:x + size[0]], dtype=np.uint8)
        if encoding == "json":
            out.append(json.dumps({"id": k, "shape": list(crop.shape), "pixels": crop.ravel().tolist()}).encode())
        elif encoding == "binary":
            out.append(struct.pack("<III", *crop.shape) + crop.tobytes())
        else:
            buf = io.BytesIO()
            Image.fromarray(crop).save(buf, format="JPEG", quality=90)
            jpg = buf.getvalue()
            out.append(struct.pack("<I", len(jpg)) + jpg)
    return out


def _parse(req: bytes, encoding: str):
    """Stage 1: the request's payload, still undecoded."""
    if encoding == "json":
        doc = json.loads(req)
        return doc["shape"], doc["pixels"]
    if encoding == "binary":
        return struct.unpack_from("<III", req), memoryview(req)[12:]
    (ln,) = struct.unpack_from("<I", req)
    return None, memoryview(req)[4:4 + ln]


def _decode(shape, payload, encoding: str):
    """Stage 2: the payload as a PIL image."""
    from PIL import Image

    if encoding == "json":
        return Image.fromarray(np.asarray(payload, dtype=np.uint8).reshape(shape))
    if encoding == "binary":
        return Image.fromarray(np.frombuffer(payload, dtype=np.uint8).reshape(shape))
    img = Image.open(io.BytesIO(payload))
    img.load()
    return img


def _serve_one(b, k: int, req, encoding: str, res: int) -> tuple[float, ...]:
    """Serve request ``k`` through every stage; the time (s) each stage took, in STAGES order."""
    from PIL import Image

    pc = time.perf_counter
    t0 = pc()
    shape, payload = _parse(req, encoding)
    t1 = pc()
    img = _decode(shape, payload, encoding)
    t2 = pc()
    img = img.convert("RGB").resize((res, res), Image.BILINEAR)
    t3 = pc()
    x = np.asarray(img, dtype=np.float32).transpose(2, 0, 1)[None] / 255.0
    x = np.ascontiguousarray((x - _MEAN) / _STD, dtype=np.float32)
    t4 = pc()
    logits = b.infer(x)[0]
    t5 = pc()
    p = np.exp(logits - logits.max())
    p /= p.sum()
    top = np.argsort(p)[::-1][:5]
    t6 = pc()
    json.dumps({"id": k, "top5": [{"class": int(i), "p": float(p[i])} for i in top]})
    t7 = pc()
    return (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6)


@validate_params({"model": Options(("cnn",)), "encoding": Options(ENCODINGS),
                  "n_requests": [None, Range(2, None, integer=True)]})
def run_pipeline(model: str = "cnn", backend: str = "onnxruntime", *, encoding: str = "json",
                 n_requests: int | None = None, precision: str = "fp32", threads: int | None = None,
                 seed: int = 0) -> Result:
    """Serve ``n_requests`` one at a time through every stage, timing each (seconds)."""
    n = n_requests or budget.pick(quick=40, standard=300, full=2000)
    b = open_backend(backend, model, precision=precision, threads=threads)
    res = b.spec.config["resolution"]
    reqs = make_requests(n + 5, encoding, seed=seed)
    times = {s: [] for s in STAGES}
    try:
        for k, req in enumerate(reqs):
            stage_s = _serve_one(b, k, req, encoding, res)
            if k >= 5:  # the first 5 requests warm up the stages
                for s, dt in zip(STAGES, stage_s, strict=True):
                    times[s].append(dt)
        desc = b.describe()
    finally:
        b.close()
    total = np.sum([times[s] for s in STAGES], axis=0)
    med = {s: float(np.median(times[s])) for s in STAGES}
    share = {s: float(np.sum(times[s]) / np.sum(total)) for s in STAGES}
    f = share["model"]
    from simlib.sysdesc import system_description

    r = Result(
        name=f"pipeline {model} {backend} {precision} ({encoding} requests)", kind="measured",
        samples_s=total, system=system_description(), seed=seed,
        settings={"requested": {"model": model, "backend": backend, "encoding": encoding,
                                "n_requests": n_requests, "precision": precision, "threads": threads},
                  "effective": {"n_requests": n, "warmup_requests": 5, "resolution": res,
                                "intra_op_threads": desc["intra_op_threads"]}},
        metrics={"model_share": f, "end_to_end_median_s": float(np.median(total)),
                 "model_median_s": med["model"],
                 "speedup_if_model_2x": amdahl_speedup(f, 2.0),
                 "speedup_if_model_infinitely_fast": 1 / (1 - f) if f < 1 else float("inf")},
        extra={"stage_median_s": med, "stage_share": share, "stage_samples_s": times, "backend": desc})
    r.extra["finding"] = (
        f"the model is {f:.0%} of the end-to-end time (median {format_time(med['model'])} of "
        f"{format_time(float(np.median(total)))}): a 2x faster model gives at most "
        f"{amdahl_speedup(f, 2.0):.2f}x per request (Amdahl)")
    return r
