"""Readable knobs: each slider shows its value and unit and has a box to type a number into.

Mesa's SolaraViz draws its knobs with its module-level ``UserInputs`` component, whose sliders
show their value only while being dragged. :func:`use_readable_knobs` puts
:func:`ReadableInputs` in its place (SolaraViz looks the name up when it renders), so the page
keeps SolaraViz's Reset semantics; knobs other than sliders are drawn by Mesa's own component.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import solara_viz

MESA_INPUTS = solara_viz.UserInputs
SLIDERS = ("SliderInt", "SliderFloat")


@solara.component
def Knob(name: str, options: dict[str, Any], on_change: Callable[[str, Any], None]) -> None:
    """A slider (its value always on the thumb) and a number box with the unit, kept in step;
    a typed number is clamped to the slider's range."""
    whole = options["type"] == "SliderInt"
    value, set_value = solara.use_state(options["value"])

    def change(new: float | None) -> None:
        if new is None:
            return
        new = min(max(new, options["min"]), options["max"])
        new = round(new) if whole else float(new)
        set_value(new)
        on_change(name, new)

    unit = options.get("unit", "")
    slider = solara.SliderInt if whole else solara.SliderFloat
    number = solara.InputInt if whole else solara.InputFloat
    with solara.Row(classes=["se-knob", f"se-knob-{name}"], style={"align-items": "center"}):
        slider(options["label"], value=value, on_value=change, min=options["min"],
               max=options["max"], step=options["step"], thumb_label="always")
        number("", value=value, on_value=change, dense=True, suffix=unit,
               classes=["se-knob-number"], style={"max-width": "9em"})


@solara.component
def ReadableInputs(user_params: dict[str, Any], on_change: Callable[[str, Any], None]) -> None:
    for name, options in user_params.items():
        if isinstance(options, dict) and options.get("type") in SLIDERS:
            Knob(name, options, on_change)
        else:
            MESA_INPUTS({name: options}, on_change=on_change)


def use_readable_knobs() -> None:
    solara_viz.UserInputs = ReadableInputs
