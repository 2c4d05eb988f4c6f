"""Warnings once per page (simlib.notices), through the displays of real results."""

from __future__ import annotations


def test_a_repeated_warning_is_shown_once_per_page_then_counted(monkeypatch):
    from simlib import notices
    from simlib.queueing import simulate

    notices.reset()
    monkeypatch.setattr(notices, "_in_kernel", lambda: True)
    noisy = "noisy run: CV 18.3% exceeds 5%; close other programs, pin threads"
    a = simulate(50, "exp:10ms", n_requests=400, seed=1)
    b = simulate(50, "exp:10ms", n_requests=400, seed=2)
    a.warnings.append(noisy)
    b.warnings.append(noisy.replace("18.3", "22.0"))
    assert noisy in repr(a) and noisy in a._repr_html_()  # first time: in full, in both views
    assert "CV 22.0% exceeds 5% (as above; 2nd time on this page)" in repr(b)
    assert "close other programs" not in repr(b) and "2nd time" in b._repr_html_()
    other = "energy not measured: no power meter"
    b.warnings.append(other)  # b was already displayed: its view does not change
    c = simulate(50, "exp:10ms", n_requests=400, seed=3)
    c.warnings.append(other)
    assert other in repr(c), "a warning not seen before is shown in full"
    monkeypatch.setattr(notices, "_in_kernel", lambda: False)
    assert noisy.replace("18.3", "22.0") in repr(b), "outside a kernel every warning is shown in full"
    notices.reset()
