"""Sentences of the chapter on benchmark design chosen by its results (each branch tested).

>>> runs_rule(7)
"within the source's 5-10 runs"
>>> runs_rule(3), runs_rule(40)
("fewer than the source's 5 runs", "more than the source's 10 runs")
"""

from __future__ import annotations

__all__ = ["edge_cloud_sentence", "gain_on_fresh", "offload_words", "runs_rule", "throttle_within"]


def runs_rule(n: int, low: int = 5, high: int = 10) -> str:
    """Where ``n`` runs sit against the source's rule of thumb of ``low``-``high`` runs."""
    if n < low:
        return f"fewer than the source's {low} runs"
    if n > high:
        return f"more than the source's {high} runs"
    return f"within the source's {low}-{high} runs"


def throttle_within(time_to_throttle_s: float | None, run_s: float = 30.0) -> str:
    """Whether a benchmark of ``run_s`` seconds would see the first throttling.

    >>> throttle_within(12.0), throttle_within(400.0), throttle_within(None)
    ('would already see the clock drop', 'would end before the clock first drops', 'would never see a throttled clock')
    """
    if time_to_throttle_s is None:
        return "would never see a throttled clock"
    if time_to_throttle_s <= run_s:
        return "would already see the clock drop"
    return "would end before the clock first drops"


def offload_words(pays: bool) -> str:
    """The verb of "offloading ... to the accelerator".

    >>> offload_words(True), offload_words(False)
    ('pays', 'does not pay')
    """
    return "pays" if pays else "does not pay"


def gain_on_fresh(faster_repeated: str, faster_fresh: str) -> str:
    """What a rerun on fresh inputs did to B's advantage over A (``faster_*``: "A", "B" or
    "neither", from :attr:`simlib.design.verdict.Verdict.faster`).

    >>> gain_on_fresh("B", "neither"), gain_on_fresh("B", "A"), gain_on_fresh("B", "B")
    ('vanished', 'turned into a loss', 'held')
    >>> gain_on_fresh("neither", "neither")
    'was never there'
    """
    if faster_repeated != "B":
        return "was never there"
    return {"B": "held", "A": "turned into a loss"}.get(faster_fresh, "vanished")


def edge_cloud_sentence(choice_short: str, choice_long: str, break_even_ms: float,
                        short_ms: float = 1.0, long_ms: float = 40.0) -> str:
    """Which side wins at a short and at a long round trip (``choice_*``: "device" or "cloud").

    >>> edge_cloud_sentence("cloud", "device", 23.0)
    'the cloud wins at a 1 ms round trip and the device at 40 ms; they break even at 23 ms'
    >>> edge_cloud_sentence("device", "device", 0.0)
    'the device wins even at a 1 ms round trip: uploading the input takes longer than inference on the device'
    >>> edge_cloud_sentence("cloud", "cloud", 55.0)
    'the cloud wins even at a 40 ms round trip; they break even only at 55 ms'
    """
    if choice_short == "device":
        return (f"the device wins even at a {short_ms:g} ms round trip: uploading the input takes longer "
                "than inference on the device")
    if choice_long == "cloud":
        return f"the cloud wins even at a {long_ms:g} ms round trip; they break even only at {break_even_ms:.0f} ms"
    return (f"the cloud wins at a {short_ms:g} ms round trip and the device at {long_ms:g} ms; "
            f"they break even at {break_even_ms:.0f} ms")
