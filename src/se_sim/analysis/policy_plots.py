"""Figures of the planner's page: the cost-effectiveness plane, P(best) per objective, and the
change in disposable income by decile."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from se_sim.analysis.plots import plain_axis

PANEL_WIDTH = 4.2
COLUMNS = 3  # panels in a row


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_cost_plane(table: pd.DataFrame, titles: dict[str, str], path: Path) -> Path:
    """One panel per outcome: each policy's effect (x) against its cost (y), both with their 95%
    intervals; hollow markers where the effect's interval includes zero."""
    metrics = [m for m in titles if m in set(table["metric"])]
    columns = min(COLUMNS, len(metrics))
    grid = -(-len(metrics) // columns)
    fig, axes = plt.subplots(grid, columns, figsize=(PANEL_WIDTH * columns, 3.4 * grid),
                             squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        rows = table[table["metric"] == metric]
        for i, row in enumerate(rows.itertuples()):
            colour = f"C{i % 10}"
            unclear = not (row.effect_low > 0 or row.effect_high < 0)
            ax.errorbar(row.mean_diff, row.cost_thb,
                        xerr=[[row.mean_diff - row.effect_low], [row.effect_high - row.mean_diff]],
                        yerr=[[row.cost_thb - row.cost_low], [row.cost_high - row.cost_thb]],
                        fmt="o", color=colour, mfc="white" if unclear else colour, capsize=3)
            ax.annotate(str(row.point), (row.mean_diff, row.cost_thb), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel(titles[metric], fontsize=9)
        ax.set_ylabel("cost above the baseline (THB)", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(4))  # "1,500,000" needs room in a narrow panel
        plain_axis(ax, "x")
        plain_axis(ax)
    return _save(fig, path)


def plot_p_best(table: pd.DataFrame, titles: dict[str, str], path: Path) -> Path:
    """One panel per objective: the share of draws in which each policy does best."""
    metrics = [m for m in titles if m in set(table["metric"])]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 2.9), squeeze=False,
                             sharey=True)
    for ax, metric in zip(axes[0], metrics, strict=True):
        rows = table[table["metric"] == metric]
        ax.barh(rows["point"].astype(str), rows["p_best"], color="#12355b")
        ax.set_xlim(0, 1)
        ax.set_title(titles[metric], fontsize=9)
        ax.set_xlabel("share of draws where it is best", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0][0].invert_yaxis()
    return _save(fig, path)


def plot_deciles(table: pd.DataFrame, path: Path) -> Path:
    """Change in mean monthly disposable income by decile of earned income at the start, one
    line per policy, with its 95% interval."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    deciles = table[table["group"].str.startswith("decile")].copy()
    deciles["decile"] = deciles["group"].str.split().str[1].astype(int)
    for i, (point, rows) in enumerate(deciles.groupby("point", sort=False)):
        rows = rows.sort_values("decile")
        ax.plot(rows["decile"], rows["mean_diff"], marker="o", color=f"C{i % 10}", label=point)
        ax.fill_between(rows["decile"], rows["ci_low"], rows["ci_high"], color=f"C{i % 10}",
                        alpha=0.15)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(np.arange(1, 11))
    ax.set_xlabel("decile of earned income at the start (1 = poorest tenth)")
    ax.set_ylabel("change in disposable income\n(THB a month per household)")
    plain_axis(ax)
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)
