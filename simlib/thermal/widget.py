"""An ipywidgets explorer: ambient, cooling, duty cycle, workload -> MODELED thermal curves.

:func:`explorer` returns a widget (sliders + live figure). :func:`static_figure` is the same
figure at the defaults, for the static book page beside it.
"""

from __future__ import annotations

from typing import Any

from simlib.thermal.demos import explore
from simlib.thermal.plot import plot_run
from simlib.thermal.presets import preset_names as names

__all__ = ["DEFAULTS", "explorer", "static_figure"]

DEFAULTS: dict[str, Any] = dict(device="smartphone-soc", ambient_c=25.0, r_ja_scale=1.0,
                                duty_fraction=1.0, workload="sustained", duration_s=900.0)


def static_figure(**kw: Any):
    """The explorer's figure at :data:`DEFAULTS` (overridable)."""
    p = {**DEFAULTS, **kw}
    r = explore(p.pop("device"), **p)
    return plot_run(r, title=f"MODELED: {r.device.name}, {p['workload']}, ambient "
                             f"{r.ambient_c:g} C, R_ja x{p['r_ja_scale']:g}, duty {p['duty_fraction']:g}")


def explorer():
    """Sliders for ambient (C), cooling (R_ja scale), duty cycle, workload and device."""
    import ipywidgets as w
    from IPython.display import display

    out = w.Output()
    ctl = dict(
        device=w.Dropdown(options=names(), value=DEFAULTS["device"], description="device"),
        ambient_c=w.FloatSlider(value=25.0, min=0.0, max=45.0, step=1.0, description="ambient C"),
        r_ja_scale=w.FloatLogSlider(value=1.0, base=10, min=-0.7, max=0.5, step=0.05,
                                    description="R_ja x"),
        duty_fraction=w.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05, description="duty"),
        workload=w.Dropdown(options=["sustained", "burst", "duty"], value="sustained",
                            description="workload"),
        duration_s=w.FloatSlider(value=900.0, min=60.0, max=3600.0, step=60.0,
                                 description="duration s"),
    )

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            fig = static_figure(**{k: c.value for k, c in ctl.items()})
            display(fig)

    for c in ctl.values():
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox(list(ctl.values())[:3]), w.HBox(list(ctl.values())[3:]), out])
