"""An ipywidgets explorer: ambient, cooling, duty cycle, workload -> MODELED thermal curves.

:func:`explore` returns a widget (controls, a one-line caption for each, the live figure).
:func:`static_figure` is the same figure at the defaults, for the static book (no kernel).
"""

from __future__ import annotations

from typing import Any

from simlib.thermal import demos
from simlib.thermal.plot import plot_run
from simlib.thermal.presets import preset_names as names

__all__ = ["CAPTIONS", "DEFAULTS", "explore", "static_figure"]

DEFAULTS: dict[str, Any] = dict(device="smartphone-soc", ambient_c=25.0, r_ja_scale=1.0,
                                duty_fraction=1.0, workload="sustained", duration_s=900.0)
#: One line per control, shown under the controls (and as each one's tooltip).
CAPTIONS: dict[str, str] = dict(
    device="device: the thermal preset (power, heat capacity, throttling point) that is simulated",
    ambient_c="ambient (deg C): temperature of the air around the device",
    r_ja_scale="cooling (R_ja x): thermal resistance to the air, times the preset's (below 1 = better cooling)",
    duty_fraction="duty: fraction of the time the device is busy in the 'duty' workload",
    workload="workload: sustained (always busy), burst (busy, then idle) or duty (busy a fraction of each period)",
    duration_s="duration (s): how long the run is simulated",
)


def static_figure(**kw: Any):
    """The explorer's figure at :data:`DEFAULTS` (overridable)."""
    p = {**DEFAULTS, **kw}
    r = demos.explore(p.pop("device"), **p)
    return plot_run(r, title=f"MODELED: {r.device.name}, {p['workload']}, ambient "
                             f"{r.ambient_c:g} C, R_ja x{p['r_ja_scale']:g}, duty {p['duty_fraction']:g}")


def explore():
    """Controls for device, ambient (deg C), cooling (R_ja scale), duty cycle, workload and
    duration, a caption for each, and the live figure."""
    import ipywidgets as w
    from IPython.display import display

    out = w.Output()
    common = dict(style={"description_width": "110px"}, layout=w.Layout(width="340px"))
    slider = dict(continuous_update=False, **common)
    ctl = dict(
        device=w.Dropdown(options=names(), value=DEFAULTS["device"], description="device", **common),
        ambient_c=w.FloatSlider(value=25.0, min=0.0, max=45.0, step=1.0, description="ambient (°C)", **slider),
        r_ja_scale=w.FloatLogSlider(value=1.0, base=10, min=-0.7, max=0.5, step=0.05,
                                    description="cooling (R_ja ×)", **slider),
        duty_fraction=w.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05, description="duty", **slider),
        workload=w.Dropdown(options=["sustained", "burst", "duty"], value="sustained",
                            description="workload", **common),
        duration_s=w.FloatSlider(value=900.0, min=60.0, max=3600.0, step=60.0,
                                 description="duration (s)", **slider),
    )
    for name, c in ctl.items():
        c.tooltip = CAPTIONS[name]

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            fig = static_figure(**{k: c.value for k, c in ctl.items()})
            display(fig)

    for c in ctl.values():
        c.observe(redraw, names="value")
    redraw()
    captions = w.HTML("<div style='font-size:0.85em;line-height:1.35;color:#333'>"
                      + "".join(f"<div>{c}</div>" for c in CAPTIONS.values()) + "</div>")
    return w.VBox([w.HBox(list(ctl.values())[:3]), w.HBox(list(ctl.values())[3:]), captions, out])
