"""The class board as a picture: every group's outcomes side by side, with their bands."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from se_sim.app.charts import PALETTE
from se_sim.app.class_board import OUTCOMES, Result
from se_sim.app.labels import Language, text


def draw_board(results: dict[str, Result], language: Language) -> Figure:
    """One panel per outcome; a row per group: its median (dot) and 90% of its runs (bar).
    The best group of each panel is drawn in bold; an arrow says which way is better."""
    names = list(results)
    fig = Figure(figsize=(3.0 * len(OUTCOMES), 1.4 + 0.45 * len(names)), dpi=100)
    axes = fig.subplots(1, len(OUTCOMES), sharey=True)
    rows = np.arange(len(names))
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        for row, name in zip(rows, names, strict=True):
            low, median, high = results[name].quantiles.get(outcome.key, [np.nan] * 3)
            colour = PALETTE[row % len(PALETTE)]
            ax.plot([low, high], [row, row], color=colour, lw=6, alpha=0.35,
                    solid_capstyle="butt")
            ax.plot([median], [row], "o", color=colour)
        better = "→" if outcome.higher_is_better else "←"
        ax.set_title(f"{text(outcome.key, language)}\n({better})", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(rows, names)
    axes[0].invert_yaxis()
    fig.subplots_adjust(left=0.08, right=0.99, top=0.8, bottom=0.12, wspace=0.25)
    return fig
