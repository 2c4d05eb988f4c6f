"""Language-model metrics on a model small enough to train on a laptop in seconds.

**The corpus** ships with an installed package: the dataset descriptions that scikit-learn bundles
(``sklearn/datasets/descr/*.rst``, about 47 kB of English prose and tables), read in file-name
order; the last :data:`HELD_OUT_SHARE` of each file is held out. Nothing is downloaded. The text is
lower-cased and every character outside :data:`ALPHABET` becomes a space, so the vocabulary is
fixed (``len(ALPHABET)`` characters; a token is one character).

**Perplexity** is exp(mean negative log-likelihood per token, in nats) = 2^(cross-entropy in bits):
a model that spreads its probability evenly over V tokens has perplexity V ("V-way confused").
:class:`NgramLM` is a character n-gram model with add-alpha smoothing (closed form, trained by
counting); :func:`train_char_lm` trains a one-layer GRU on the same text for a fixed number of
steps (seeded, cached), whose :func:`generation_timing` gives MEASURED time to first token and
inter-token latency.

**Response time**: :func:`response_time_s` is the source's arithmetic, TTFT + tokens / rate.
**Multiple choice**: :func:`mc_accuracy` (Wilson interval, chance level),
:func:`contaminated_accuracy` (a score inflated by memorized items).

>>> round(response_time_s(750, 25), 1), round(response_time_s(750, 100), 1)
(30.0, 7.5)
>>> lm = NgramLM(order=1, alpha=1e9).fit("abc")   # huge smoothing: every token equally likely
>>> round(lm.perplexity("hello world"), 3) == len(ALPHABET)
True
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Range, invalid, validate_params
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, median_ci, wilson_ci

__all__ = ["ALPHABET", "MMLU", "GenerationTiming", "NgramLM", "contaminated_accuracy", "corpus", "encode",
           "generation_timing", "gru_perplexity", "mc_accuracy", "perplexity_from_nll", "response_time_s",
           "train_char_lm"]

ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789.,;:()-'\n"
HELD_OUT_SHARE = 0.15
_INDEX = {c: i for i, c in enumerate(ALPHABET)}

#: MMLU as the source describes it (Hendrycks et al. 2020): questions, subjects, choices per question.
MMLU = {"questions": 15_908, "subjects": 57, "choices": 4}


def _clean(text: str) -> str:
    return "".join(c if c in _INDEX else " " for c in text.lower())


def corpus() -> tuple[str, str, list[str]]:
    """(train text, held-out text, file names): scikit-learn's bundled dataset descriptions."""
    from pathlib import Path

    import sklearn.datasets

    files = sorted((Path(sklearn.datasets.__file__).parent / "descr").glob("*.rst"))
    if not files:
        raise invalid("corpus", "found no description files", "scikit-learn's bundled dataset descriptions",
                      owner="corpus")
    texts = [_clean(f.read_text(encoding="utf-8", errors="replace")) for f in files]
    cut = [int(len(t) * (1 - HELD_OUT_SHARE)) for t in texts]
    return ("".join(t[:c] for t, c in zip(texts, cut, strict=True)),
            "".join(t[c:] for t, c in zip(texts, cut, strict=True)), [f.name for f in files])


def encode(text: str) -> np.ndarray:
    """Token ids (int64) of ``text`` after cleaning."""
    return np.array([_INDEX[c] for c in _clean(text)], dtype=np.int64)


@validate_params({"nll_nats": Range(0, None)})
def perplexity_from_nll(nll_nats: float) -> float:
    """exp(mean negative log-likelihood per token in nats).

    >>> perplexity_from_nll(math.log(10))
    10.000000000000002
    """
    return float(math.exp(nll_nats))


class NgramLM:
    """Character n-gram model: P(c | previous order-1 chars) = (count + alpha) / (context count +
    alpha V), V = ``len(ALPHABET)``. ``order=1`` is the unigram model."""

    @validate_params({"order": Range(1, 8, integer=True), "alpha": Range(0, None, closed="neither")})
    def __init__(self, order: int = 3, alpha: float = 0.1) -> None:
        self.order, self.alpha = order, alpha
        self.counts: Counter = Counter()
        self.context: Counter = Counter()

    def fit(self, text: str) -> NgramLM:
        t = " " * (self.order - 1) + _clean(text)
        k = self.order
        for i in range(k - 1, len(t)):
            self.counts[t[i - k + 1:i + 1]] += 1
            self.context[t[i - k + 1:i]] += 1
        return self

    def nll(self, text: str) -> float:
        """Mean negative log-likelihood per character (nats) of ``text``."""
        t = " " * (self.order - 1) + _clean(text)
        k, V, a = self.order, len(ALPHABET), self.alpha
        n = len(t) - (k - 1)
        if n <= 0:
            raise invalid("text", "got an empty text", "at least one character", owner="NgramLM.nll")
        tot = 0.0
        for i in range(k - 1, len(t)):
            tot -= math.log((self.counts[t[i - k + 1:i + 1]] + a) / (self.context[t[i - k + 1:i]] + a * V))
        return tot / n

    def perplexity(self, text: str) -> float:
        return perplexity_from_nll(self.nll(text))


def _build_gru(hidden: int):
    import torch
    from torch import nn

    class CharGRU(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(len(ALPHABET), 32)
            self.gru = nn.GRU(32, hidden, batch_first=True)
            self.out = nn.Linear(hidden, len(ALPHABET))

        def forward(self, ids, h=None):
            y, h = self.gru(self.emb(ids), h)
            return self.out(y), h

    torch.manual_seed(0)
    return CharGRU()


@validate_params({"hidden": Range(8, 1024, integer=True), "steps": [Range(1, 100_000, integer=True), None],
                  "seed": Range(0, None, integer=True)})
def train_char_lm(hidden: int = 64, steps: int | None = None, seed: int = 0, use_cache: bool = True):
    """A one-layer character GRU trained on :func:`corpus`'s training text with Adam (batches of 32
    windows of 64 characters; ``steps`` default by budget: 200, 600, 1,500), seeded and cached."""
    import torch
    from torch import nn

    from simlib.models.cache import cached_module

    steps = steps if steps is not None else budget.pick(quick=200, standard=600, full=1500)
    cfg = {"model": "char-gru", "hidden": hidden, "steps": steps, "seed": seed, "v": 1}

    def fit():
        model = _build_gru(hidden)
        train, _, _ = corpus()
        ids = torch.from_numpy(encode(train))
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        with torch_threads(1):
            model.train()
            for _ in range(steps):
                start = torch.randint(0, len(ids) - 65, (32,), generator=gen)
                win = torch.stack([ids[s:s + 65] for s in start.tolist()])
                logits, _ = model(win[:, :-1])
                loss = nn.functional.cross_entropy(logits.reshape(-1, len(ALPHABET)), win[:, 1:].reshape(-1))
                opt.zero_grad()
                loss.backward()
                opt.step()
        return model

    return cached_module("chargru", cfg, lambda: _build_gru(hidden), fit, use_cache=use_cache)


def gru_perplexity(model: Any, text: str) -> float:
    """Perplexity of the GRU on ``text`` (teacher-forced, one pass, the first character not scored)."""
    import torch

    ids = torch.from_numpy(encode(text))[None]
    with torch.no_grad():
        logits, _ = model(ids[:, :-1])
        nll = torch.nn.functional.cross_entropy(logits[0], ids[0, 1:]).item()
    return perplexity_from_nll(nll)


@dataclass(frozen=True, repr=False)
class GenerationTiming(ResultDisplay):
    """MEASURED generation phases of a model: time to first token (prefill of the prompt plus the
    first token) and inter-token latency (one decode step), medians with distribution-free 95%
    intervals over repeats, and a MEASURED end-to-end generation of ``n_tokens`` beside the
    MODELED TTFT + (n - 1) x ITL."""

    kind: str
    settings: dict
    warnings: tuple
    prompt_tokens: int
    n_tokens: int
    ttft: Interval
    itl: Interval
    end_to_end: Interval
    samples_s: np.ndarray  # inter-token latencies (s)

    @property
    def tokens_per_s(self) -> float:
        return 1.0 / self.itl.estimate

    @property
    def modeled_total_s(self) -> float:
        return response_time_s(self.n_tokens - 1, self.tokens_per_s, self.ttft.estimate)

    @property
    def summary(self) -> dict[str, Any]:
        return {"n": len(self.samples_s), "ttft_s": self.ttft.estimate, "ttft_ci_s": [self.ttft.low, self.ttft.high],
                "itl_s": self.itl.estimate, "itl_ci_s": [self.itl.low, self.itl.high],
                "throughput_tokens_per_s": self.tokens_per_s, "end_to_end_s": self.end_to_end.estimate,
                "end_to_end_ci_s": [self.end_to_end.low, self.end_to_end.high],
                "modeled_end_to_end_s": self.modeled_total_s}

    def _rows(self) -> list[tuple[str, str]]:
        ms = 1e3
        return [("time to first token", f"{self.ttft.estimate * ms:.3f} ms [{self.ttft.low * ms:.3f}, "
                                         f"{self.ttft.high * ms:.3f}] MEASURED ({self.prompt_tokens}-token prompt)"),
                ("inter-token latency", f"{self.itl.estimate * ms:.3f} ms [{self.itl.low * ms:.3f}, "
                                        f"{self.itl.high * ms:.3f}] MEASURED = {self.tokens_per_s:.0f} tokens/s"),
                (f"{self.n_tokens} tokens end to end", f"{self.end_to_end.estimate * ms:.2f} ms MEASURED, "
                                                       f"{self.modeled_total_s * ms:.2f} ms MODELED (TTFT + "
                                                       f"{self.n_tokens - 1} x ITL)")]


@validate_params({"prompt_tokens": Range(1, 100_000, integer=True), "n_tokens": Range(2, 100_000, integer=True),
                  "repeats": [Range(8, 100_000, integer=True), None]})
def generation_timing(model: Any, prompt_tokens: int = 256, n_tokens: int = 64,
                      repeats: int | None = None) -> GenerationTiming:
    """Time greedy generation on one thread: prefill of a ``prompt_tokens`` prompt (from the held-out
    text) plus the first token; single decode steps; and whole generations of ``n_tokens``.
    ``repeats`` (default by budget: 15, 40, 100) of each."""
    import torch

    reps = repeats if repeats is not None else budget.pick(quick=15, standard=40, full=100)
    _, held, _ = corpus()
    ids = torch.from_numpy(encode(held))[: prompt_tokens][None]
    if ids.shape[1] < prompt_tokens:
        raise invalid("prompt_tokens", f"got {prompt_tokens}; the held-out text has {ids.shape[1]} tokens",
                      f"at most {ids.shape[1]}", owner="generation_timing")
    ttft, itl, e2e = [], [], []
    with torch_threads(1), torch.no_grad():
        def generate(n: int) -> None:
            logits, h = model(ids)
            tok = logits[:, -1:].argmax(-1)
            for _ in range(n - 1):
                logits, h = model(tok, h)
                tok = logits[:, -1:].argmax(-1)

        generate(4)  # warm-up
        for _ in range(reps):
            t0 = time.perf_counter()
            logits, h = model(ids)
            tok = logits[:, -1:].argmax(-1)
            ttft.append(time.perf_counter() - t0)
            for _ in range(8):
                t0 = time.perf_counter()
                logits, h = model(tok, h)
                tok = logits[:, -1:].argmax(-1)
                itl.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            generate(n_tokens)
            e2e.append(time.perf_counter() - t0)
    st = {"prompt_tokens": prompt_tokens, "n_tokens": n_tokens, "repeats": reps, "threads": 1, "decoding": "greedy"}
    warns = ("Inter-token latencies are 8 consecutive decode steps per repeat, so they are not independent; "
             "their interval is only a guide.",)
    return GenerationTiming(kind="measured", settings=given_settings(**st),
                            warnings=warns, prompt_tokens=prompt_tokens, n_tokens=n_tokens, ttft=median_ci(ttft),
                            itl=median_ci(itl), end_to_end=median_ci(e2e), samples_s=np.asarray(itl))


@validate_params({"n_tokens": Range(0, None), "tokens_per_s": Range(0, None, closed="neither", unit="tokens/s"),
                  "ttft_s": Range(0, None, unit="s")})
def response_time_s(n_tokens: float, tokens_per_s: float, ttft_s: float = 0.0) -> float:
    """Wall-clock time of a response: ``ttft_s`` + ``n_tokens`` / ``tokens_per_s`` (seconds)."""
    return ttft_s + n_tokens / tokens_per_s


@validate_params({"n": Range(1, None, integer=True), "choices": Range(2, 26, integer=True)})
def mc_accuracy(correct: int, n: int, choices: int = 4) -> dict[str, Any]:
    """A multiple-choice score: ``accuracy`` with its Wilson 95% interval, the ``chance`` level
    1/choices, and ``above_chance`` (the interval lies wholly above chance).

    >>> r = mc_accuracy(140, 279)     # an average MMLU subject (15,908 / 57 questions)
    >>> round(r["accuracy"], 3), r["chance"], r["above_chance"]
    (0.502, 0.25, True)
    """
    if not 0 <= correct <= n:
        raise invalid("correct", f"got {correct} of {n}", f"an integer in [0, {n}]", owner="mc_accuracy")
    ci = wilson_ci(int(correct), int(n))
    return {"accuracy": correct / n, "ci": (ci.low, ci.high), "chance": 1 / choices,
            "above_chance": ci.low > 1 / choices, "half_width": (ci.high - ci.low) / 2}


@validate_params({"skill": Range(0, 1), "contaminated_fraction": Range(0, 1), "recall_memorized": Range(0, 1)})
def contaminated_accuracy(skill: float, contaminated_fraction: float, recall_memorized: float = 1.0) -> float:
    """Score when a fraction of the test items was seen in training and is answered from memory with
    probability ``recall_memorized`` (else by skill): (1 - c) skill + c (r + (1 - r) skill).

    >>> round(contaminated_accuracy(0.60, 0.20), 2)
    0.68
    """
    c, r = contaminated_fraction, recall_memorized
    return (1 - c) * skill + c * (r + (1 - r) * skill)
