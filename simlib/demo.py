"""The live-demo dashboard (``make demo``): the book's simulators on one page, with presets.

:func:`dashboard` builds one ipywidgets box: a row of preset buttons and a reset, and one tab
per simulator (the serving simulator, the roofline explorer, the thermal/DVFS model). Each tab
is the package's own explorer widget (``simlib.<package>.widget.explore``), unchanged; this
module only finds its controls and sets their values. Voila serves it with the notebook hidden
(``demo/dashboard.ipynb``, see ``book/instructors.md``).

A preset (:data:`PRESETS`) names a scenario an instructor jumps to in class and, per panel, the
control values that show it. A control is found by its label (:data:`CONTROLS`: one regular
expression per setting, which must match exactly one control of the panel), so presets keep
working when a widget's layout changes; a label that no longer matches raises
:class:`DemoError` naming the panel, the setting and the labels there are. Reset puts every
control back to the value it had when the dashboard was built.

>>> sorted(PRESETS)[:2]
['batching under a latency bound', 'burst then throttle']
>>> PRESETS["the hockey stick"].panels["serving"]["qps"]
95.0
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simlib._validate import InvalidParameterError

__all__ = ["CONTROLS", "PANELS", "PRESETS", "Dashboard", "DemoError", "Preset", "controls",
           "dashboard", "voila_command"]

#: the dashboard notebook and its Voila template (``demo/`` beside the package, in the checkout)
DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"

#: panel name -> (tab title, module whose public ``explore`` function builds its widget)
PANELS: dict[str, tuple[str, str]] = {
    "serving": ("Serving simulator", "simlib.queueing.widget"),
    "roofline": ("Roofline", "simlib.roofline.widget"),
    "thermal": ("Thermal / DVFS", "simlib.thermal.widget"),
}

#: panel -> setting -> regular expression (case-insensitive) matching that control's label
CONTROLS: dict[str, dict[str, str]] = {
    "serving": {"qps": r"rate|qps|load", "cv": r"\bcv\b|variab", "servers": r"worker|server",
                "max_batch": r"max\.? ?batch|batch size", "batch_timeout_ms": r"timeout",
                "burst_factor": r"burst"},
    "roofline": {"device": r"device", "precision": r"precision", "workload": r"workload",
                 "batch": r"^batch"},
    "thermal": {"device": r"device", "ambient_c": r"ambient", "r_ja_scale": r"r_ja|cooling",
                "duty_fraction": r"duty", "workload": r"workload", "duration_s": r"duration"},
}

#: Larger type for a projector (applied to the dashboard's kernel by :func:`dashboard`).
PROJECTOR_RC = {"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                "xtick.labelsize": 13, "ytick.labelsize": 13, "legend.fontsize": 13,
                "lines.linewidth": 2.2}

_CSS = """<style>
.simlib-demo, .simlib-demo .widget-label, .simlib-demo .widget-readout,
.simlib-demo select, .simlib-demo button, .simlib-demo .widget-html-content,
.simlib-demo .lm-TabBar-tabLabel { font-size: 18px !important; }
.simlib-demo .widget-inline-hbox .widget-label { width: auto !important; max-width: none !important;
  min-width: 5em; overflow: visible !important; white-space: nowrap; }
.simlib-demo .lm-TabBar-tab { min-height: 2.2em !important; min-width: 13em !important;
  max-width: none !important; flex: 0 0 auto !important; }
.simlib-demo button { height: auto; padding: 0.3em 0.8em; }
.simlib-demo h2 { font-size: 28px; margin: 0.2em 0; }
</style>"""


class DemoError(InvalidParameterError):
    """A preset names a panel, setting or value the dashboard's widgets do not have."""


@dataclass(frozen=True)
class Preset:
    """A scenario to show in class: what to point at, and panel -> setting -> value."""

    say: str
    panels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    "the hockey stick": Preset(
        "One worker at 95% load: the p99 curve on the right turns up sharply near capacity.",
        {"serving": {"qps": 95.0, "cv": 1.0, "servers": 1, "max_batch": 1,
                     "batch_timeout_ms": 0.0, "burst_factor": 1.0}}),
    "batching under a latency bound": Preset(
        "120 req/s is more than one worker serves one request at a time (100 req/s): batches of "
        "up to 8 (2 ms timeout) serve it. Compare the p99 label with the 100 ms line, then set "
        "max batch to 1.",
        {"serving": {"qps": 120.0, "cv": 0.3, "servers": 1, "max_batch": 8,
                     "batch_timeout_ms": 2.0, "burst_factor": 1.0}}),
    "burst then throttle": Preset(
        "A phone SoC at 35 C ambient, busy all the time: full clock at first, then the junction "
        "reaches its trip temperature and the governor lowers the clock.",
        {"thermal": {"device": "smartphone-soc", "ambient_c": 35.0, "r_ja_scale": 1.0,
                     "duty_fraction": 1.0, "workload": "sustained", "duration_s": 900.0}}),
    "memory-bound at batch 1": Preset(
        "BERT-base at batch 1 on an A100 in FP16: far left of the ridge, memory-bound.",
        {"roofline": {"device": "a100-sxm", "precision": "fp16", "workload": "bert-base",
                      "batch": 1}}),
    "compute-bound with batching": Preset(
        "The same model at batch 256: its intensity passes the ridge point.",
        {"roofline": {"device": "a100-sxm", "precision": "fp16", "workload": "bert-base",
                      "batch": 256}}),
}


def _panel_widget(module: str):
    """The panel's widget from its package's public explorer function (``explore``; the older
    name ``explorer`` is used while a package still has it)."""
    mod = importlib.import_module(module)
    return (getattr(mod, "explorer", None) or mod.explore)()


def _walk(widget) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def controls(panel: str, widget) -> dict[str, Any]:
    """Setting -> control of ``widget`` (the ``panel``'s explorer), found by label.

    Raises:
        DemoError: a setting matches no control, or more than one (names the labels there are).
    """
    labeled = [w for w in _walk(widget) if getattr(w, "description", "") and hasattr(w, "value")
               and not hasattr(w, "on_click")]
    found = {}
    for key, pattern in CONTROLS[panel].items():
        hits = [w for w in labeled if re.search(pattern, w.description, re.IGNORECASE)]
        if len(hits) != 1:
            raise DemoError(
                f"The {panel!r} panel must have exactly one control for {key!r} (a label matching "
                f"{pattern!r}); found {len(hits)}. Its labels: {[w.description for w in labeled]}.")
        found[key] = hits[0]
    return found


def _check_value(panel: str, key: str, control, value: Any) -> None:
    options = getattr(control, "options", None)
    if options is not None:
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        if value not in labels:
            raise DemoError(f"The {key!r} value of the {panel!r} panel must be one of {labels}. "
                            f"Got {value!r}.")
        return
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if hasattr(control, "base") and low is not None:  # a log slider's min/max are exponents
        low, high = control.base ** low, control.base ** high
    if low is not None and not low <= value <= high:
        raise DemoError(f"The {key!r} value of the {panel!r} panel must be in [{low}, {high}]. "
                        f"Got {value!r}.")


class Dashboard:
    """The panels, their controls, and :meth:`apply` / :meth:`reset` (see the module docstring).

    A panel's widget is built the first time it is needed (its tab opened, or a preset that
    sets it), so the page shows the first tab without waiting for the others' simulations.
    ``factories``: panel name -> function returning its widget (default: :data:`PANELS`).
    """

    def __init__(self, factories: Mapping[str, Any] | None = None) -> None:
        self.factories = dict(factories) if factories is not None else {
            name: (lambda m=module: _panel_widget(m)) for name, (_, module) in PANELS.items()}
        self.panels: dict[str, Any] = {}
        self.controls: dict[str, dict[str, Any]] = {}
        self.initial: dict[str, dict[str, Any]] = {}
        self.panel(next(iter(self.factories)))

    def panel(self, name: str):
        """The widget of panel ``name``, built (and its starting values kept) on first use."""
        if name not in self.factories:
            raise DemoError(f"The panel must be one of {sorted(self.factories)}. Got {name!r}.")
        if name not in self.panels:
            widget = self.factories[name]()
            self.controls[name] = controls(name, widget)
            self.initial[name] = {k: c.value for k, c in self.controls[name].items()}
            self.panels[name] = widget
        return self.panels[name]

    def values(self) -> dict[str, dict[str, Any]]:
        """Panel -> setting -> the control's value now (panels built so far)."""
        return {name: {k: c.value for k, c in ctl.items()} for name, ctl in self.controls.items()}

    def _set(self, settings: Mapping[str, Mapping[str, Any]]) -> None:
        for panel, values in settings.items():
            self.panel(panel)
            for key, value in values.items():
                if key not in self.controls[panel]:
                    raise DemoError(f"The setting of the {panel!r} panel must be one of "
                                    f"{sorted(self.controls[panel])}. Got {key!r}.")
                _check_value(panel, key, self.controls[panel][key], value)
        for panel, values in settings.items():  # only changed controls: each change redraws
            for key, value in values.items():
                control = self.controls[panel][key]
                if control.value != value:
                    control.value = value

    def apply(self, name: str) -> Preset:
        """Set the controls of preset ``name`` (one of :data:`PRESETS`) and return it."""
        if name not in PRESETS:
            raise DemoError(f"The 'name' parameter of apply must be one of {sorted(PRESETS)}. "
                            f"Got {name!r}.")
        self._set(PRESETS[name].panels)
        return PRESETS[name]

    def reset(self) -> None:
        """Every control back to its value when its panel was built."""
        self._set(self.initial)

    def widget(self):
        """The dashboard as one ipywidgets box: title, presets, reset, one tab per panel."""
        import ipywidgets as w

        say = w.HTML("Pick a scenario, or move any slider.")
        order = list(self.factories)
        loading = {n: w.HTML("<i>building this model's figure ...</i>") for n in order}
        tabs = w.Tab(children=[self.panels.get(n) or loading[n] for n in order])
        for i, name in enumerate(order):
            tabs.set_title(i, PANELS.get(name, (name,))[0])

        def show(_=None) -> None:  # build a panel when its tab is opened
            name = order[tabs.selected_index or 0]
            if tabs.children[order.index(name)] is not self.panel(name):
                tabs.children = [self.panels.get(n) or loading[n] for n in order]

        tabs.observe(show, names="selected_index")

        def jump(button) -> None:
            preset = self.apply(button.description)
            tabs.children = [self.panels.get(n) or loading[n] for n in order]
            tabs.selected_index = order.index(next(iter(preset.panels)))
            say.value = f"<b>{button.description}</b>: {preset.say}"

        def reset(_) -> None:
            self.reset()
            say.value = "Reset: every control is back at its starting value."

        buttons = [w.Button(description=name, layout=w.Layout(width="auto")) for name in PRESETS]
        for b in buttons:
            b.on_click(jump)
        undo = w.Button(description="reset", button_style="warning", icon="",
                        layout=w.Layout(width="auto"))
        undo.on_click(reset)
        box = w.VBox([w.HTML(_CSS + "<h2>ML benchmarking: live models (all MODELED)</h2>"),
                      w.HBox([*buttons, undo], layout=w.Layout(flex_flow="row wrap")), say, tabs])
        box.add_class("simlib-demo")
        return box


def dashboard(projector: bool = True):
    """The dashboard widget (``make demo`` shows it with Voila).

    ``projector=True`` enlarges matplotlib's type in this kernel (:data:`PROJECTOR_RC`), for a
    room; it changes the kernel's global rcParams, which is what a demo kernel wants.
    """
    if projector:
        import matplotlib

        matplotlib.rcParams.update(PROJECTOR_RC)
    return Dashboard().widget()


def voila_command(port: int = 8866, open_browser: bool = True,
                  budget: str = "quick") -> tuple[list[str], dict[str, str]]:
    """(argv, environment) that serve the dashboard with Voila on ``port`` (``make demo``).

    The template ``simlib`` (``demo/jupyter/voila/templates/simlib``) is Voila's lab template
    without its CDN stylesheets, so nothing is fetched from the network. ``budget`` is the
    ``SIMLIB_BUDGET`` the simulators run under (quick: every redraw well under a second).
    """
    from simlib._validate import Options, Range, check

    check("port", port, Range(1, 65535, integer=True), owner="voila_command")
    check("budget", budget, Options(("quick", "standard", "full")), owner="voila_command")
    notebook = DEMO_DIR / "dashboard.ipynb"
    if not notebook.is_file():
        raise DemoError(f"The dashboard notebook {notebook} is missing: run the demo from a "
                        "checkout of the book's repository (make demo).")
    voila = Path(sys.executable).with_name("voila")
    argv = [str(voila) if voila.exists() else "voila", str(notebook), "--template=simlib",
            f"--port={port}", "--Voila.ip=127.0.0.1", "--show_tracebacks=True",
            *([] if open_browser else ["--no-browser"])]
    jpath = os.pathsep.join(filter(None, [str(DEMO_DIR / "jupyter"), os.environ.get("JUPYTER_PATH")]))
    # figures are shown as PNG by the inline backend (a MPLBACKEND=Agg from a shell or a test
    # run would show them as text)
    return argv, {**os.environ, "JUPYTER_PATH": jpath, "SIMLIB_BUDGET": budget,
                  "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def main(argv: list[str] | None = None) -> None:
    """``python -m simlib.demo [--port N] [--no-browser] [--budget quick]``: serve the dashboard."""
    p = argparse.ArgumentParser(prog="python -m simlib.demo", description=main.__doc__)
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    p.add_argument("--budget", default=os.environ.get("SIMLIB_DEMO_BUDGET", "quick"),
                   help="SIMLIB_BUDGET of the simulators: quick (default), standard or full")
    args = p.parse_args(argv)
    cmd, env = voila_command(args.port, not args.no_browser, args.budget)
    os.execvpe(cmd[0], cmd, env)


if __name__ == "__main__":  # pragma: no cover
    main()
