"""The class board as a picture: every group's outcomes side by side, with their bands."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from se_sim.app.charts import PALETTE
from se_sim.app.class_board import OUTCOMES, Result
from se_sim.app.labels import Language, text


def draw_board(results: dict[str, Result], language: Language) -> Figure:
    """One panel per outcome, one under the other (readable on a projector); a row per group:
    its median (dot) and 90% of its runs (bar); an arrow says which way is better."""
    names = list(results)
    panel = 0.75 + 0.3 * len(names)  # inches: a title and a row per group
    fig = Figure(figsize=(8.0, panel * len(OUTCOMES)), dpi=100)
    axes = fig.subplots(len(OUTCOMES), 1)
    rows = np.arange(len(names))
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        for row, name in zip(rows, names, strict=True):
            low, median, high = results[name].quantiles.get(outcome.key, [np.nan] * 3)
            colour = PALETTE[row % len(PALETTE)]
            ax.plot([low, high], [row, row], color=colour, lw=6, alpha=0.35,
                    solid_capstyle="butt")
            ax.plot([median], [row], "o", color=colour)
        better = "→" if outcome.higher_is_better else "←"
        ax.set_title(f"{text(outcome.key, language)} ({better})", fontsize=10, loc="left")
        ax.set_yticks(rows, names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.tick_params(labelsize=9)
    fig.tight_layout()
    return fig
