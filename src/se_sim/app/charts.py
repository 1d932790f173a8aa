"""The charts over time: this run as a line on top of the ensemble's median and 90% band.

Each chart names its series by the model's monthly outputs (``se_sim.model.metrics.MONTHLY``);
a series the model does not record is left out and a chart with none is not shown, so the page
follows the model as its outputs change. Every output can also be picked in the last chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from se_sim.analysis.plots import monthly_quantiles
from se_sim.app.labels import Language, metric_label, text
from se_sim.app.snapshot import Snapshot

MARGIN = 0.05  # of the data's span, below and above, as matplotlib's own autoscale
# Of the data's span, on the side a run grew beyond the axis, and on both sides of a run's first
# month when no ensemble band shows the likely range. Each new limit redraws the chart's axis,
# bands and legend: over the first 10 months of the Bang Sao Thong case the 8 charts took 16 such
# redraws with room of 0.3 on the growing side only, 9 with 0.5 from the first month.
HEADROOM = 0.5
PALETTE = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9")
EARLIER = "#777777"


@dataclass(frozen=True)
class Chart:
    key: str  # label key of the title
    series: tuple[str, ...]  # monthly outputs, in drawing order


CHARTS = (
    Chart("chart.fund", ("fund_balance_thb", "fund_grants_total_thb")),
    Chart("chart.food", ("food_secure_households", "garden_reach_households")),
    Chart("chart.ties", ("cross_group_tie_share", "outgroup_trust_mean")),
    Chart("chart.income", ("disposable_income_original_thb", "disposable_income_newcomer_thb",
                           "disposable_income_vulnerable_thb", "disposable_income_members_thb")),
    Chart("chart.poverty", ("poverty_rate",)),
    Chart("chart.members", ("members_original", "members_newcomer", "buyers")),
    Chart("chart.sales", ("revenue_thb", "profit_thb")),
)


def shown_charts(recorded: Iterable[str]) -> list[Chart]:
    """The charts with the series the model records; charts left with none are dropped."""
    names = set(recorded)
    kept = [Chart(c.key, tuple(s for s in c.series if s in names)) for c in CHARTS]
    return [c for c in kept if c.series]


@dataclass(frozen=True)
class Bands:
    """Quantiles over replicates, month by month: one (3, months + 1) array per series."""

    runs: int
    quantiles: Mapping[str, np.ndarray]  # rows: 5%, 50%, 95%


def bands(steps: pd.DataFrame, series: Iterable[str]) -> dict[str, np.ndarray]:
    """Median and 90% band (5th–95th percentile) over replicates, by month."""
    return {name: monthly_quantiles(steps, name).to_numpy().T
            for name in series if name in steps.columns}


def _band(ax: Axes, quantiles: np.ndarray, colour: str, style: str) -> None:
    low, median, high = quantiles
    x = np.arange(median.size)
    ax.fill_between(x, low, high, color=colour, alpha=0.15 if colour == EARLIER else 0.2, lw=0)
    ax.plot(x, median, color=colour, lw=1.2, ls=style)


class ChartPicture:
    """One chart kept for a whole run: the axes, ticks, bands and legend are built once (building
    them was most of a redraw's time), and each month only this run's lines and the shock
    shading change. Build a new picture when the bands or the language change.
    The y axis leaves room above (or below) a growing run, so that its limits, and with them
    the drawn background of ``png``, change only now and then."""

    def __init__(self, chart: Chart, run: pd.DataFrame, months: int, language: Language,
                 current: Bands | None = None, earlier: Bands | None = None,
                 earlier_label: str = "", shock: bool = False) -> None:
        """``shock``: a shock is to come in this run; its legend entry is there from the start,
        so that the picture need not be built again when the first shock month arrives."""
        self.figure = Figure(figsize=(5.2, 3.1), dpi=100)
        self.figure.subplots_adjust(left=0.13, right=0.98, top=0.9, bottom=0.15)
        ax = self.ax = self.figure.add_subplot()
        self.lines: dict[str, Line2D] = {}
        self.shaded = 0  # months of ``run`` whose shock shading is drawn
        self.snapshot: Snapshot | None = None  # made by the first ``png``
        handles = []
        for i, name in enumerate(chart.series):
            colour = PALETTE[i % len(PALETTE)]
            if earlier is not None and name in earlier.quantiles:
                _band(ax, earlier.quantiles[name], EARLIER, "--")
            if current is not None and name in current.quantiles:
                _band(ax, current.quantiles[name], colour, ":")
            if name in run:
                self.lines[name], = ax.plot([], [], color=colour, lw=2.0)
            handles.append((Line2D([], [], color=colour, lw=2.0), metric_label(name, language)))
        if shock or shock_months(run).size:
            handles.append((Patch(color="grey", alpha=0.1), text("shock_months", language)))
        if current is not None:
            handles.append(((Patch(color="black", alpha=0.15),
                             Line2D([], [], color="black", ls=":")),
                            text("band", language, n=current.runs)))
        if earlier is not None:
            handles.append(((Patch(color=EARLIER, alpha=0.15),
                             Line2D([], [], color=EARLIER, ls="--")), earlier_label))
        ax.set_title(text(chart.key, language), fontsize=10)
        ax.set_xlabel(text("axis.month", language))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlim(0, months)
        ax.legend(*zip(*handles, strict=True), fontsize=7, loc="best")
        ax.tick_params(labelsize=8)
        self.update(run)

    def update(self, run: pd.DataFrame) -> Figure:
        """This run's months so far: new line data, shading for new shock months, and y limits
        widened to the new values (a run only adds months, so limits only grow)."""
        so_far = np.arange(len(run))
        for month in shock_months(run):
            if month >= self.shaded:
                self.ax.axvspan(month - 0.5, month + 0.5, color="grey", alpha=0.1, lw=0)
        self.shaded = len(run)
        for name, line in self.lines.items():
            values = run[name].to_numpy(dtype=float)
            line.set_data(so_far, values)
            line.set_marker("o" if len(run) == 1 else "None")
            finite = np.isfinite(values)
            if finite.any():
                self.ax.update_datalim(np.column_stack([so_far[finite], values[finite]]))
        self._fit_y()
        return self.figure

    def _fit_y(self) -> None:
        """Widen the y axis when the data leave it, with room to grow in that direction (and
        in both at the first month)."""
        low, high = self.ax.dataLim.intervaly
        if not (np.isfinite(low) and np.isfinite(high)):
            return
        bottom, top = self.ax.get_ylim()
        fresh = self.ax.get_autoscaley_on()  # not yet fitted: the first call
        if not fresh and bottom <= low and high <= top:
            return
        span = (high - low) or max(abs(high), 1.0)
        if fresh:  # room both ways, unless an ensemble's bands show the range to expect
            below = above = MARGIN if self.ax.collections else HEADROOM
        else:
            below = HEADROOM if low < bottom else MARGIN
            above = HEADROOM if high > top else MARGIN
        floor = -MARGIN * span if low >= 0 else -np.inf  # no room far below zero for data above
        self.ax.set_ylim(max(low - below * span, floor), high + above * span)

    def png(self) -> bytes:
        """The chart now as PNG: this run's lines over a kept background, whose y axis and
        bands are drawn again only when the y limits changed. The legend, above the bands, is
        drawn again with them; without bands it is drawn once, where it was best at the first
        month (drawing it was half of a new y axis's time)."""
        if self.snapshot is None:
            run = list(self.lines.values())
            bands = [*self.ax.collections, *(line for line in self.ax.lines if line not in run)]
            above_bands = [self.ax.get_legend()] if bands else []
            self.snapshot = Snapshot(self.figure, [*run, *self.ax.patches],
                                     keyed=[self.ax.yaxis, *bands, *self.ax.spines.values(),
                                            *above_bands])
        for patch in self.ax.patches[len(self.snapshot.moving) - len(self.lines):]:
            self.snapshot.add(patch)  # shading of new shock months
        return self.snapshot.png(self.ax.get_ylim())


def shock_months(run: pd.DataFrame) -> np.ndarray:
    """The months so far with a shock on (the grey shading)."""
    if "shock_active" not in run:
        return np.zeros(0, dtype=int)
    return np.flatnonzero(run["shock_active"].to_numpy() > 0)


def draw_chart(chart: Chart, run: pd.DataFrame, months: int, language: Language,
               current: Bands | None = None, earlier: Bands | None = None,
               earlier_label: str = "") -> Figure:
    """One chart over the whole horizon (``months``): grey shading on shock months so far, the
    earlier ensemble in grey, the current ensemble's band and median in each series' colour,
    and this run on top (a dot while it has a single month)."""
    return ChartPicture(chart, run, months, language, current, earlier, earlier_label).figure
