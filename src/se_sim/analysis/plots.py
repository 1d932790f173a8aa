"""Pictures of runs and sweeps: a run's monthly series with the spread over replicates, and the
figures of the sweep report (contrasts, heatmaps, time series, survival, network, sensitivity)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from se_sim.analysis.labels import metric_label
from se_sim.analysis.numbers import level as level_text
from se_sim.analysis.numbers import significant

if TYPE_CHECKING:
    import networkx as nx

PANELS: list[tuple[str, list[str]]] = [
    ("Households fed from gardens", ["garden_households", "garden_reach_households"]),
    ("Food-secure households", ["food_secure_households"]),
    ("Enterprise members", ["members_original", "members_newcomer"]),
    ("Vulnerable fund (THB)", ["fund_inflow_total_thb", "fund_balance_thb"]),
    ("People helped by the fund", ["fund_unique_beneficiaries"]),
    ("Cross-group share of ties", ["cross_group_tie_share"]),
    ("Trust toward the other group", ["outgroup_trust_original", "outgroup_trust_newcomer"]),
    ("Disposable income: Gini and poverty", ["gini_disposable", "poverty_rate", "poverty_gap"]),
    ("Monthly enterprise profit (THB)", ["profit_thb"]),
]
# Legend entries in words; a series missing here is shown by its name with spaces.
LABELS = {
    "garden_households": "growing vegetables",
    "garden_reach_households": "eating from gardens (own or shared)",
    "food_secure_households": "food secure",
    "members_original": "original residents",
    "members_newcomer": "newcomers",
    "fund_inflow_total_thb": "paid in, in total",
    "fund_balance_thb": "balance",
    "fund_unique_beneficiaries": "people helped, in total",
    "cross_group_tie_share": "ties between the groups",
    "outgroup_trust_original": "original residents' trust in newcomers",
    "outgroup_trust_newcomer": "newcomers' trust in original residents",
    "gini_disposable": "Gini",
    "poverty_rate": "poverty rate",
    "poverty_gap": "poverty gap",
    "profit_thb": "profit",
}


def series_label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " "))


def monthly_quantiles(steps: pd.DataFrame, column: str) -> pd.DataFrame:
    """The 5th, 50th and 95th percentile over replicates, month by month (one column each)."""
    return steps.groupby("month")[column].quantile([0.05, 0.5, 0.95]).unstack()


def plot_outcomes(steps: pd.DataFrame, path: Path, title: str) -> None:
    """Median over replicates (line) and 5–95% band, month by month; shock months shaded."""
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), constrained_layout=True)
    shock = steps.groupby("month")["shock_active"].max()
    for ax, (label, columns) in zip(axes.flat, PANELS, strict=True):
        for column in columns:
            quantiles = monthly_quantiles(steps, column)
            ax.plot(quantiles.index, quantiles[0.5], label=series_label(column))
            ax.fill_between(quantiles.index, quantiles[0.05], quantiles[0.95], alpha=0.2)
        for month in shock.index[shock > 0]:
            ax.axvspan(month - 0.5, month + 0.5, color="grey", alpha=0.08, lw=0)
        ax.set_title(label)
        ax.set_xlabel("month")
        ax.legend(fontsize=7)
    fig.suptitle(f"{title}: median and 5–95% over {steps['seed'].nunique()} replicates "
                 "(grey: shock months)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


# Pictures of sweeps, for `se-sim report`. Colours are Okabe–Ito (readable with colour blindness).
ORIGINAL, NEWCOMER, CROSS = "#0072B2", "#E69F00", "#CC79A7"
UP, DOWN, NEUTRAL = "#009E73", "#D55E00", "#7f7f7f"
LINES = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
DPI = 100


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_contrasts(table: pd.DataFrame, label: str, baseline: str, path: Path) -> Path:
    """One row per design point: mean difference from the baseline with its 95% interval,
    green or red where the interval excludes zero, grey where it does not."""
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9.6, 0.5 * len(table) + 1.3), constrained_layout=True)
    rows = np.arange(len(table))
    colours = [UP if lo > 0 else DOWN if hi < 0 else NEUTRAL
               for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)]
    ax.axvline(0, color="black", lw=1)
    ax.hlines(rows, table["ci_low"], table["ci_high"], colors=colours, lw=3)
    ax.scatter(table["mean_diff"], rows, color=colours, s=60, zorder=3)
    ax.set_yticks(rows, table["point"])
    ax.set_xlabel(f"difference in {label} from {baseline} (mean and 95% interval)")
    ax.grid(axis="x", alpha=0.3)
    plain_axis(ax, "x")
    return _save(fig, path)


def plot_point_means(table: pd.DataFrame, label: str, path: Path) -> Path:
    """Mean and 95% interval of one metric at each design point (one row per point)."""
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9.6, 0.4 * len(table) + 1.3), constrained_layout=True)
    rows = np.arange(len(table))
    ax.errorbar(table["mean"], rows, xerr=[table["mean"] - table["ci_low"],
                                           table["ci_high"] - table["mean"]],
                fmt="o", color=ORIGINAL, elinewidth=2, capsize=3)
    ax.set_yticks(rows, table["point"])
    ax.set_xlabel(f"{label} (mean and 95% interval)")
    ax.grid(axis="x", alpha=0.3)
    plain_axis(ax, "x")
    return _save(fig, path)


def plot_heatmaps(runs: pd.DataFrame, fields: list[str], metric: str, label: str,
                  path: Path, names: dict[str, str] | None = None, event: bool = False) -> Path:
    """Mean of ``metric`` over the first field (columns) and the second (rows), one panel per
    level of a third field; anything else swept is averaged over. For an event (a "month when"
    outcome, empty where it did not happen) each cell is the share of runs in which it happened,
    written as a count ("2/30"), so no cell is ever empty or "nan"."""
    names = names or {}
    facet = fields[2] if len(fields) > 2 else None
    levels = sorted(runs[facet].unique()) if facet else [None]
    data = runs.assign(_happened=runs[metric].notna().astype(float)) if event else runs
    value = "_happened" if event else metric
    grids, counts = [], []
    for level in levels:
        part = data if facet is None else data[data[facet] == level]
        grids.append((level, part.pivot_table(index=fields[1], columns=fields[0], values=value,
                                              aggfunc="mean").sort_index(ascending=False)))
        counts.append(part.pivot_table(index=fields[1], columns=fields[0], values=value,
                                       aggfunc=["sum", "count"]).sort_index(ascending=False))
    finite = np.concatenate([g.to_numpy().ravel() for _, g in grids])
    finite = finite[np.isfinite(finite)]
    low, high = (0.0, 1.0) if event else (finite.min(), finite.max()) if finite.size else (0, 1)
    width = min(5.2 * len(grids), 15)
    fig, axes = plt.subplots(1, len(grids), figsize=(width, 4.2), squeeze=False,
                             constrained_layout=True)
    for ax, (level, grid), count in zip(axes.flat, grids, counts, strict=True):
        image = ax.imshow(grid.to_numpy(), cmap="viridis", vmin=low, vmax=high, aspect="auto")
        ax.set_xticks(range(grid.shape[1]), [level_text(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [level_text(v) for v in grid.index])
        ax.set_xlabel(names.get(fields[0], fields[0]))
        ax.set_ylabel(names.get(fields[1], fields[1]))
        if grid.size <= 120:
            for (i, j), cell in np.ndenumerate(grid.to_numpy()):
                shade = "white" if not np.isfinite(cell) or cell < low + 0.6 * (high - low) \
                    else "black"
                text = (f"{count['sum'].iloc[i, j]:.0f}/{count['count'].iloc[i, j]:.0f}" if event
                        else _short(cell))
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color=shade)
        if facet:
            ax.set_title(f"{names.get(facet, facet)} = {level_text(level)}")
    said = "share of runs in which it happened" if event else "mean over runs"
    bar = fig.colorbar(image, ax=axes.ravel().tolist(), label=f"{label} ({said})")
    plain_axis(bar.ax)
    return _save(fig, path)


def _short(value: float) -> str:
    if not np.isfinite(value):
        return "no runs"
    text = f"{value / 1000:.3g}k" if abs(value) >= 1000 else f"{value:.3g}"
    return text.replace("-", "\u2212")


def plot_tradeoffs(effects: pd.DataFrame, metrics: list[str], factor: str,
                   levels: dict[object, str], path: Path) -> Path:
    """One panel per metric: its marginal mean (with 95% interval) at each level of one factor,
    side by side, so what the lead metric gains and what the others lose read together."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(min(3.4 * len(metrics), 16), 3.3),
                             squeeze=False, constrained_layout=True)
    for ax, colour, metric in zip(axes.flat, LINES[1:] * 2, metrics, strict=False):
        part = effects[effects["metric"] == metric]
        x = np.arange(len(part))
        ax.plot(x, part["mean"], marker="o", color=colour)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colour, alpha=0.2, lw=0)
        ax.set_xticks(x, [levels.get(v, level_text(v)) for v in part["level"]], fontsize=8,
                      rotation=30 if len(part) > 5 else 0)
        ax.set_title(_wrap(metric_label(metric)), fontsize=9)
        ax.set_xlabel(factor, fontsize=8)
        ax.grid(alpha=0.3)
        plain_axis(ax)
    return _save(fig, path)


def plot_main_effects(effects: pd.DataFrame, label: str, names: dict[str, str],
                      level: Callable[[str, object], str], path: Path) -> Path:
    """One panel per factor: the metric's marginal mean at each level with its 95% interval."""
    factors = list(dict.fromkeys(effects["factor"]))
    fig, axes = plt.subplots(1, len(factors), figsize=(min(3.6 * len(factors), 16), 3.3),
                             squeeze=False, sharey=True, constrained_layout=True)
    for ax, factor in zip(axes.flat, factors, strict=True):
        part = effects[effects["factor"] == factor]
        x = np.arange(len(part))
        ax.errorbar(x, part["mean"], yerr=[part["mean"] - part["ci_low"],
                                           part["ci_high"] - part["mean"]],
                    fmt="o-", color=ORIGINAL, capsize=3)
        ax.set_xticks(x, [level(factor, v) for v in part["level"]], fontsize=8,
                      rotation=30 if len(part) > 4 else 0)
        ax.set_xlabel(names.get(factor, factor), fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].set_ylabel(_wrap(label))
    plain_axis(axes.flat[0])
    return _save(fig, path)


def plot_interaction(runs: pd.DataFrame, a: str, b: str, metric: str, label: str,
                     names: tuple[str, str], level: Callable[[str, object], str],
                     path: Path) -> Path:
    """Mean of the metric at each level of ``a`` (x), one line per level of ``b``."""
    table = runs.pivot_table(index=a, columns=b, values=metric, aggfunc="mean", sort=False)
    order = runs.sort_values("point_id")
    table = table.reindex(index=list(dict.fromkeys(order[a])),
                          columns=list(dict.fromkeys(order[b])))
    if pd.api.types.is_numeric_dtype(runs[a]):
        table = table.sort_index()
    fig, ax = plt.subplots(figsize=(8, 3.6), constrained_layout=True)
    x = np.arange(len(table))
    for colour, column in zip(LINES * 2, table.columns, strict=False):
        ax.plot(x, table[column], marker="o", color=colour, label=level(b, column))
    ax.set_xticks(x, [level(a, v) for v in table.index])
    ax.set_xlabel(names[0])
    ax.set_ylabel(_wrap(label))
    plain_axis(ax)
    ax.legend(title=names[1], fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plain_axis(ax: plt.Axes, which: str = "y") -> None:
    """Values on an axis as the page writes them (2,000,000, −5), not 2.0 with "1e6"."""
    from matplotlib.ticker import FuncFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(lambda value, _: significant(value)))


def _wrap(text: str, width: int = 34) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def plot_time_series(bands: pd.DataFrame, labels: dict[str, str], path: Path) -> Path:
    """One panel per monthly metric, one line per group with the 95% band of its mean.

    ``bands`` has columns metric, group, month, mean, ci_low, ci_high."""
    metrics = list(dict.fromkeys(bands["metric"]))
    columns = min(3, len(metrics))
    rows = -(-len(metrics) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.4 * rows), squeeze=False,
                             constrained_layout=True)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        for colour, (group, part) in zip(
            LINES * 4, bands[bands["metric"] == metric].groupby("group", sort=False),
            strict=False,
        ):
            ax.plot(part["month"], part["mean"], color=colour, label=str(group), lw=1.6)
            ax.fill_between(part["month"], part["ci_low"], part["ci_high"], color=colour,
                            alpha=0.15, lw=0)
        ax.set_title(labels.get(metric, metric), fontsize=10)
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
        plain_axis(ax)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    return _save(fig, path)


def plot_survival(times: pd.DataFrame, path: Path) -> Path:
    """Kaplan–Meier curves of the share of runs whose enterprises are all still open, by
    group (columns group, months, event), with 95% bands."""
    from lifelines import KaplanMeierFitter

    fig, ax = plt.subplots(figsize=(9, 3.4), constrained_layout=True)
    for colour, (group, part) in zip(LINES * 4, times.groupby("group", sort=False),
                                     strict=False):
        fitter = KaplanMeierFitter().fit(part["months"], part["event"], label=str(group))
        curve = fitter.survival_function_.iloc[:, 0]
        band = fitter.confidence_interval_
        ax.step(curve.index, curve.to_numpy(), where="post", color=colour, label=str(group))
        ax.fill_between(band.index, band.iloc[:, 0], band.iloc[:, 1], step="post",
                        color=colour, alpha=0.12, lw=0)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("month")
    ax.set_ylabel("share of runs with no enterprise closed")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_network(graph_start: nx.Graph, graph_end: nx.Graph, seed: int, path: Path,
                 max_nodes: int = 1500) -> Path:
    """The household network at the start and the end of one run, in one seeded layout:
    original residents and newcomers in two colours, cross-group ties drawn in a third."""
    import networkx as nx

    rng = np.random.default_rng(seed)
    nodes = np.arange(graph_start.number_of_nodes())
    if nodes.size > max_nodes:  # a sample keeps the picture readable and the layout fast
        nodes = np.sort(rng.choice(nodes, max_nodes, replace=False))
    start, end = graph_start.subgraph(nodes.tolist()), graph_end.subgraph(nodes.tolist())
    layout = nx.spring_layout(start, seed=int(rng.integers(2**31)), iterations=30)
    newcomer = nx.get_node_attributes(graph_start, "newcomer")
    fig, axes = plt.subplots(1, 2, figsize=(12, 6), constrained_layout=True)
    for ax, graph, when in ((axes[0], start, "start"), (axes[1], end, "end")):
        cross = [(u, v) for u, v in graph.edges if newcomer.get(u) != newcomer.get(v)]
        same = [(u, v) for u, v in graph.edges if newcomer.get(u) == newcomer.get(v)]
        ax.add_collection(LineCollection([(layout[u], layout[v]) for u, v in same],
                                         colors="#999999", linewidths=0.3, alpha=0.4))
        ax.add_collection(LineCollection([(layout[u], layout[v]) for u, v in cross],
                                         colors=CROSS, linewidths=0.6, alpha=0.7))
        xy = np.array([layout[i] for i in graph.nodes])
        low, high = np.percentile(xy, [0.5, 99.5], axis=0)  # isolated households sit far out
        pad = 0.05 * (high - low)
        ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
        colours = [NEWCOMER if newcomer.get(i) else ORIGINAL for i in graph.nodes]
        ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=9, zorder=3, linewidths=0)
        share = len(cross) / max(len(cross) + len(same), 1)
        ax.set_title(f"{when}: {len(cross) + len(same):,} ties, {share:.1%} cross-group")
        ax.set_axis_off()
    handles = [Line2D([], [], marker="o", ls="", color=ORIGINAL, label="original resident"),
               Line2D([], [], marker="o", ls="", color=NEWCOMER, label="newcomer"),
               Line2D([], [], color=CROSS, label="cross-group tie")]
    fig.legend(handles=handles, loc="lower center", ncol=3)
    return _save(fig, path)


def plot_who_benefits(panels: list[tuple[str, pd.DataFrame]], path: Path) -> Path:
    """Bars by household group (origin × vulnerability), one bar per run shown.

    ``panels`` holds (title, table) with table indexed by group, one column per run."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4), squeeze=False,
                             constrained_layout=True)
    for ax, (title, table) in zip(axes.flat, panels, strict=True):
        table.plot.bar(ax=ax, color=LINES[1:], rot=20, width=0.75, legend=False)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("")
        ax.grid(axis="y", alpha=0.3)
        plain_axis(ax)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=9)
    return _save(fig, path)


def plot_sensitivity(table: pd.DataFrame, kind: str, label: str, path: Path,
                     name: Callable[[str], str] = str) -> Path:
    """Indices of one metric by parameter: Sobol' S1 and ST, Morris mu* (with sigma), or
    standardised regression coefficients, each with its 95% interval."""
    rank = {"sobol": "ST", "morris": "mu_star"}.get(kind, "src")
    table = table.reindex(table[rank].abs().sort_values(ascending=False).index)  # largest first
    fig, ax = plt.subplots(figsize=(9.6, 0.45 * len(table) + 1.5), constrained_layout=True)
    rows = np.arange(len(table))[::-1]
    if kind == "sobol":
        ax.barh(rows + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], color=ORIGINAL,
                label="total effect ST")
        ax.barh(rows - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], color=NEWCOMER,
                label="first order S1")
        ax.set_xlabel(f"Sobol' index of {label} (share of its variance)")
    elif kind == "morris":
        ax.barh(rows + 0.2, table["mu_star"], 0.4, xerr=table["mu_star_conf"], color=ORIGINAL,
                label="mu* (mean absolute effect)")
        ax.barh(rows - 0.2, table["sigma"], 0.4, color=NEWCOMER, label="sigma (interactions)")
        ax.set_xlabel(f"Morris elementary effects on {label}")
    else:
        ax.barh(rows, table["src"], 0.6, color=ORIGINAL, label="standardised coefficient",
                xerr=[table["src"] - table["src_ci_low"], table["src_ci_high"] - table["src"]])
        ax.axvline(0, color="black", lw=1)
        ax.set_xlabel(f"standardised regression coefficient on {label} "
                      f"(R² = {table['r2'].iloc[0]:.2f})")
    ax.set_yticks(rows, [name(p) for p in table["parameter"]])
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    plain_axis(ax, "x")
    return _save(fig, path)
