"""Every branch of the design chapter's chosen words (simlib.design.words)."""

from simlib.design.words import (
    edge_cloud_sentence,
    gain_on_fresh,
    offload_words,
    runs_rule,
    throttle_within,
)


def test_runs_rule_branches():
    assert runs_rule(4) == "fewer than the source's 5 runs"
    assert runs_rule(5) == runs_rule(10) == "within the source's 5-10 runs"
    assert runs_rule(11) == "more than the source's 10 runs"


def test_throttle_branches():
    assert throttle_within(30.0) == "would already see the clock drop"
    assert throttle_within(30.1) == "would end before the clock first drops"
    assert throttle_within(None) == "would never see a throttled clock"


def test_offload_and_gain_branches():
    assert offload_words(True) == "pays" and offload_words(False) == "does not pay"
    assert [gain_on_fresh("B", f) for f in ("B", "A", "neither")] == ["held", "turned into a loss", "vanished"]
    assert gain_on_fresh("A", "B") == gain_on_fresh("neither", "A") == "was never there"


def test_edge_cloud_branches():
    assert edge_cloud_sentence("device", "device", 0.0).startswith("the device wins even at a 1 ms")
    assert edge_cloud_sentence("cloud", "cloud", 55.0).startswith("the cloud wins even at a 40 ms")
    mid = edge_cloud_sentence("cloud", "device", 22.4)
    assert mid == "the cloud wins at a 1 ms round trip and the device at 40 ms; they break even at 22 ms"
