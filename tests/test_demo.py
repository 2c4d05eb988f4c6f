"""The live-demo dashboard's logic (simlib/demo.py): controls found, presets, reset, serving.

The widgets are built without a kernel (ipywidgets works without a front end); the browser
test (tests/test_demo_browser.py) drives the same dashboard through Voila.
"""

from __future__ import annotations

import numpy as np
import pytest

from simlib import demo
from simlib._validate import InvalidParameterError

pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def board():
    import os

    os.environ.setdefault("SIMLIB_BUDGET", "quick")
    return demo.Dashboard()


def test_panels_are_built_when_needed_and_every_preset_setting_is_one_control():
    board = demo.Dashboard()
    assert list(board.panels) == ["serving"]  # the first tab only, until another is needed
    for name, preset in demo.PRESETS.items():
        assert preset.panels, name
        for panel, values in preset.panels.items():
            board.panel(panel)
            assert set(values) <= set(board.controls[panel]), (name, panel)
    assert sorted(board.panels) == sorted(demo.PANELS)
    with pytest.raises(demo.DemoError, match="panel must be one of"):
        board.panel("energy")


def test_presets_set_the_controls_and_reset_restores_them(board):
    for panel in demo.PANELS:
        board.panel(panel)
    start = board.values()
    for name, preset in demo.PRESETS.items():
        board.apply(name)
        now = board.values()
        for panel, values in preset.panels.items():
            for key, value in values.items():
                assert now[panel][key] == pytest.approx(value) if isinstance(value, float) \
                    else now[panel][key] == value, (name, panel, key)
    assert board.values() != start
    board.reset()
    assert board.values() == start == board.initial


def test_bad_preset_names_the_choices(board):
    with pytest.raises(demo.DemoError, match="the hockey stick"):
        board.apply("no such scenario")
    assert issubclass(demo.DemoError, InvalidParameterError)


def test_out_of_range_value_is_refused_before_anything_changes(board):
    before = board.values()
    with pytest.raises(demo.DemoError, match=r"'qps' value of the 'serving' panel must be in"):
        board._set({"roofline": {"batch": 8}, "serving": {"qps": -5.0}})
    with pytest.raises(demo.DemoError, match="must be one of"):
        board._set({"thermal": {"workload": "sprint"}})
    assert board.values() == before


def test_a_label_that_no_longer_matches_is_reported_with_the_labels_there_are():
    import ipywidgets as w

    box = w.VBox([w.FloatSlider(description="offered load"), w.FloatSlider(description="load 2")])
    with pytest.raises(demo.DemoError, match=r"exactly one control for 'qps'.*found 2"):
        demo.controls("serving", box)


def test_the_presets_say_what_the_models_show():
    """Each preset's sentence is true of the model it points at (computed, not assumed)."""
    from simlib.queueing.arrivals import Poisson
    from simlib.queueing.runner import simulate
    from simlib.queueing.service import BatchCost
    from simlib.roofline.widget import RooflineExplorer
    from simlib.thermal.demos import explore

    ex = RooflineExplorer(draw=False)
    for name, bound in (("memory-bound at batch 1", "memory"),
                        ("compute-bound with batching", "compute")):
        assert ex.update(**demo.PRESETS[name].panels["roofline"]).bound == bound
    th = demo.PRESETS["burst then throttle"].panels["thermal"]
    r = explore(th["device"], ambient_c=th["ambient_c"], r_ja_scale=th["r_ja_scale"],
                duty_fraction=th["duty_fraction"], workload=th["workload"],
                duration_s=th["duration_s"])
    f = np.asarray(r.freq_hz)
    assert f[0] == f.max() and f[-len(f) // 4:].max() < f.max()  # full clock first, then lower
    s = demo.PRESETS["batching under a latency bound"].panels["serving"]
    svc = BatchCost(0.006, 0.004, cv=s["cv"])  # the serving explorer's cost model
    assert s["qps"] > 1 / svc.mean_batch_s(1)  # more than one request at a time can serve
    assert s["qps"] < s["max_batch"] / svc.mean_batch_s(s["max_batch"])  # batching can
    run = simulate(Poisson(s["qps"]), svc, n_requests=4000, servers=1,
                   max_batch=s["max_batch"], batch_timeout_s=s["batch_timeout_ms"] / 1e3, seed=0)
    assert not run.warnings


def test_voila_command_validates_and_points_at_the_offline_template():
    argv, env = demo.voila_command(port=8999, open_browser=False)
    assert argv[1].endswith("demo/dashboard.ipynb") and "--template=simlib" in argv
    assert "--no-browser" in argv and "--port=8999" in argv
    assert env["SIMLIB_BUDGET"] == "quick"
    template = demo.DEMO_DIR / "jupyter" / "voila" / "templates" / "simlib" / "index.html.j2"
    assert template.is_file() and env["JUPYTER_PATH"].startswith(str(demo.DEMO_DIR / "jupyter"))
    assert "https://" not in template.read_text()  # no CDN stylesheet or script
    with pytest.raises(InvalidParameterError, match="'port'"):
        demo.voila_command(port=0)
    with pytest.raises(InvalidParameterError, match="'budget'"):
        demo.voila_command(budget="fast")
