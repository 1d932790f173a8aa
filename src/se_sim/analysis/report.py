"""The sweep report: one self-contained HTML page, CSV tables and PNG figures from a results folder.

The page's first screen answers the experiment's question in sentences and one figure; what
follows backs them up. Which analysis answers it depends on the design, and is chosen in one
place (``ANALYSES`` and ``SECTIONS``): named variants, or points on common random numbers,
are compared with a baseline (paired contrasts); a grid (factorial) is read through each
factor's main effect and the share of variance each factor and two-way interaction explains;
sampled designs (Latin hypercube, Sobol', Morris) through their sensitivity indices. Then
tables, heatmaps, events ("month when" outcomes), time series, survival, one run's network and
who benefits in it, and scenario discovery. Figures are embedded as data URIs and
the page loads nothing else, so it opens offline and can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from se_sim.analysis import plots, policy_page
from se_sim.analysis.discovery import Discovery, describe_box, discover, parse_rule
from se_sim.analysis.effects import Effects, factorial_effects, largest_interaction
from se_sim.analysis.events import event_metrics, event_rows, event_text
from se_sim.analysis.labels import event_name, metric_label, metric_name
from se_sim.analysis.numbers import percent
from se_sim.analysis.rerun import RunInside, StoredDesign
from se_sim.analysis.run_report import KEY_OUTCOMES
from se_sim.analysis.sensitivity import MAIN, Sensitivity, sensitivity_indices
from se_sim.analysis.statistics import (
    closure_times,
    contrasts,
    monthly_bands,
    summary_by_point,
)
from se_sim.analysis.sweep_results import SweepResults, read_sweep
from se_sim.analysis.wording import (
    contrast_sentences,
    effects_sentences,
    extremes_sentence,
    interval,
    main_effects_sentence,
    number,
    sensitivity_sentence,
    tradeoff_sentences,
)
from se_sim.scenario.errors import InputError, did_you_mean

MAX_LINES = 8  # groups drawn as separate lines in time series and survival curves
MAX_PANELS = 9
TOP_ROWS, BOTTOM_ROWS = 10, 5  # design points listed on the page when there are many
MAX_BULLETS = 8  # bullets on the first screen; the rest are in the tables below
OPEN_ROWS = 12  # tables longer than this are folded (details/summary)

# How each design kind is read: the analysis that answers its question, said on the page.
ANALYSES = {"variants": "contrasts", "grid": "effects", "points": "means",
            "lhs": "sensitivity", "sobol": "sensitivity", "morris": "sensitivity"}
SAID = {
    "contrasts": "each design point against the baseline, paired on common random numbers "
                 "where the runs share seeds",
    "effects": "a factorial design: each factor's main effect (marginal means) and the share "
               "of variance each factor and two-way interaction explains",
    "sensitivity": "a sampled design: sensitivity indices of each parameter; no contrasts "
                   "with a sampled point",
    "means": "the mean of each design point with its interval",
}


@dataclass
class Report:
    out: Path
    page: Path
    headline: list[str]
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Page:
    """What the HTML page is built from, gathered while the files are written."""

    results: SweepResults
    main: str
    metrics: list[str]
    headline: list[str] = field(default_factory=list)  # the answer, then one item per point
    found: list[str] = field(default_factory=list)  # one sentence per discovery rule
    lead_figure: Path | None = None
    asked: list[str] = field(default_factory=list)  # --metric

    @property
    def shown(self) -> list[str]:
        """The metrics of the page's wide tables: the experiment's report metrics (or the asked
        ones); the CSV files beside the page hold every metric."""
        if self.asked:
            return self.asked
        named = [m for m in self.results.report_metrics if m in self.metrics]
        return list(dict.fromkeys([self.main, *named]))
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # the CSV tables written beside the page


@dataclass
class _Found:
    """What the analyses found, handed to every section."""

    analysis: str  # a value of ANALYSES
    summary: pd.DataFrame
    baseline_id: int
    out: Path
    contrast: pd.DataFrame | None = None
    sensitivity: Sensitivity | None = None
    effects: Effects | None = None
    events: pd.DataFrame | None = None
    stored: StoredDesign | None = None


def _analysis(results: SweepResults) -> str:
    """The design's analysis; an explicit list of points on common random numbers is compared
    like variants, and a grid gets contrasts beside its effects only with a named baseline."""
    analysis = ANALYSES.get(results.kind, "means")
    if analysis == "means" and results.spec.get("common_random_numbers"):
        return "contrasts"
    return analysis


def write_report(
    folder: str | Path,
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    baseline: str | None = None,
    rules: Sequence[str] = (),
) -> Report:
    """Write report.html, summary_by_point.csv, contrasts.csv, sensitivity.csv, discovery.csv
    and the figures into ``out`` (default ``folder/report``). All input is checked first."""
    results = read_sweep(folder)
    main, chosen, notes = _choose_metrics(results, list(metrics or []))
    page = _Page(results, main, chosen, notes=notes, asked=list(dict.fromkeys(metrics or [])))
    analysis = _analysis(results)
    baseline_id = _baseline(results, baseline)
    parsed = [parse_rule(rule, results) for rule in rules]
    _require_extra(results, bool(parsed))
    out = Path(out) if out else results.folder / "report"
    if out.exists() and not out.is_dir():
        raise InputError([f"--out {out}: is a file, not a folder"])
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    events = event_metrics(results.ok, page.metrics)
    measured = [m for m in page.metrics if m not in events]
    # events go to events.csv: their months exist only in the runs where they happened
    found = _Found(analysis, summary_by_point(results, measured), baseline_id, out)
    files.append(_csv(found.summary, out / "summary_by_point.csv"))
    if analysis == "contrasts" or (analysis == "effects" and _grid_baseline(results) is not None):
        found.contrast = contrasts(results, measured, baseline_id)
        files.append(_csv(found.contrast, out / "contrasts.csv"))
    if analysis == "effects":
        found.effects = factorial_effects(results.ok, results.swept, measured)
        files.append(_csv(found.effects.effects, out / "effects.csv"))
        files.append(_csv(found.effects.variance, out / "variance.csv"))
    if analysis == "sensitivity":
        found.sensitivity = sensitivity_indices(results, seed=int(results.spec.get("seed", 0)))
        files.append(_csv(found.sensitivity.table, out / "sensitivity.csv"))
    if events:
        by = ["point_id"]
        found.events = pd.concat([event_rows(results.ok, m, by) for m in events])
        found.events.insert(1, "point", found.events["point_id"].map(results.point_labels))
        files.append(_csv(found.events, out / "events.csv"))
    discoveries = [discover(results, rule) for rule in parsed]
    if discoveries:
        table = pd.concat([d.boxes.assign(rule=d.rule.text) for d in discoveries])
        files.append(_csv(table[["rule", *discoveries[0].boxes.columns]], out / "discovery.csv"))

    LEADS[analysis](page, found)
    page.found = [_discovery_sentence(d) for d in discoveries]
    found.stored = _stored_design(results, page)
    page.files = files  # sections add the tables they write
    for write_section in SECTIONS[analysis]:
        write_section(page, found)
    for discovery in discoveries:
        _discovery(page, discovery)
    files += sorted(out.glob("*.png"))
    path = out / "report.html"
    path.write_text(_html(page, analysis), encoding="utf-8")
    plain = [html.unescape(_strip_tags(line)) for line in [*page.headline, *page.found]]
    return Report(out, path, plain, [*files, path], page.notes)


def _choose_metrics(results: SweepResults, asked: list[str]) -> tuple[str, list[str], list[str]]:
    """The main metric, all metrics of the tables, and notes on defaults that are missing."""
    if asked:
        results.check_metrics(asked)
        return asked[0], list(dict.fromkeys(asked)), []
    notes = []
    named = [m for m in results.report_metrics if m in results.metrics]
    absent = [m for m in results.report_metrics if m not in results.metrics]
    if absent:
        notes.append(f"The experiment's report metrics {', '.join(map(repr, absent))} are not in "
                     f"these results; left out.")
    main = named[0] if named else results.metrics[0]
    present = [m for m in KEY_OUTCOMES if m in results.metrics]
    if not present:
        notes.append("None of the case's outcomes are in these results: the tables cover every "
                     "summary metric.")
        return main, list(dict.fromkeys([main, *named, *results.metrics])), notes
    missing = [m for m in KEY_OUTCOMES if m not in present]
    if missing:
        notes.append(f"Outcomes of the case not in these results (left out): {', '.join(missing)}.")
    return main, list(dict.fromkeys([main, *named, *present])), notes


def _baseline(results: SweepResults, name: str | None) -> int:
    """The point_id to compare with: the named variant (the option, else the experiment's
    ``baseline:``), else 'baseline', else the grid cell the experiment names, else point 0."""
    labels = results.point_labels
    named = results.spec.get("baseline")
    name = name or (named if isinstance(named, str) else None)
    if name is None:
        cell = _grid_baseline(results)
        if cell is not None:
            return cell
        matches = labels.index[labels == "baseline"] if results.kind == "variants" else []
        candidates = [*matches, *labels.index]
        return next(int(p) for p in candidates if p in set(results.ok["point_id"]))
    if results.kind != "variants":
        raise InputError([f"--baseline {name}: names a variant, but {results.folder} holds a "
                          f"{results.kind} design (a grid's baseline is the experiment's "
                          "baseline: {field: level, ...})"])
    variants = list(results.ok.drop_duplicates("point_id")["variant"].astype(str))
    if name not in set(variants):
        raise InputError([f"--baseline {name}: not a variant of {results.name}"
                          f"{did_you_mean(name, variants)} (variants: {', '.join(variants)})"])
    ok = results.ok
    return int(ok.loc[ok["variant"].astype(str) == name, "point_id"].iloc[0])


def _grid_baseline(results: SweepResults) -> int | None:
    """The grid cell the experiment's ``baseline: {field: level}`` names (None without one)."""
    named = results.spec.get("baseline")
    if results.kind != "grid" or not isinstance(named, dict):
        return None
    ok = results.ok
    match = np.ones(len(ok), dtype=bool)
    for path, level in named.items():
        match &= ok[path].astype(str).to_numpy() == str(level)
    if not match.any():
        said = ", ".join(f"{k}: {v}" for k, v in named.items())
        raise InputError([f"{results.folder}: baseline {{{said}}}: no successful run at these "
                          "levels"])
    return int(ok.loc[match, "point_id"].iloc[0])


def _require_extra(results: SweepResults, discovering: bool) -> None:
    """The libraries of the ``report`` extra that this report needs, or one line saying so."""
    needed = {"lifelines": "survival curves",
              "statsmodels": "regression coefficients and the factorial ANOVA",
              "ema_workbench": "scenario discovery"}
    used = {"lifelines": True, "statsmodels": results.kind in ("lhs", "grid"),
            "ema_workbench": discovering}
    missing = [f"{name} ({why})" for name, why in needed.items()
               if used[name] and importlib.util.find_spec(name) is None]
    if missing:
        raise InputError([f"se-sim report needs {', '.join(missing)}: pip install "
                          "'se_sim[report]' (make setup installs it)"])


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


# The first screen: one function per analysis ------------------------------------------------

def _lead_contrasts(page: _Page, found: _Found) -> None:
    results, main, contrast = page.results, page.main, found.contrast
    if contrast is None or contrast.empty or main not in set(contrast["metric"]):
        _lead_means(page, found)
        return
    summary = found.summary
    base = summary[(summary["metric"] == main) & (summary["point_id"] == found.baseline_id)]
    base = base.iloc[0]
    paired = (contrast.loc[contrast["metric"] == main, "n_pairs"] > 0).all()
    seeds = "the same seeds (common random numbers)" if paired else "independent seeds"
    page.headline.append(
        f"Against <b>{html.escape(base['point'])}</b> ({number(base['mean'], main)} on "
        f"average), over {int(base['n'])} runs each on {seeds}:")
    sentences = contrast_sentences(contrast, main)
    page.headline += _at_most(sentences, MAX_BULLETS - 1, "design points", "the table below")
    others = [m for m in results.report_metrics if m != main and m in set(contrast["metric"])]
    if others:
        page.headline.append(_tradeoff_contrasts(contrast, main, others))
    page.headline += _event_bullets(page, found)
    rows = contrast[contrast["metric"] == main].sort_values("mean_diff", ascending=False)
    page.lead_figure = plots.plot_contrasts(rows, metric_label(main), str(base["point"]),
                                            found.out / "contrasts.png")


def _tradeoff_contrasts(contrast: pd.DataFrame, main: str, others: list[str]) -> str:
    """How the point that raises the lead metric most moves the metrics it trades against."""
    rows = contrast[contrast["metric"] == main].dropna(subset=["mean_diff"])
    best = rows.loc[rows["mean_diff"].idxmax()]
    parts = []
    for metric in others:
        row = contrast[(contrast["metric"] == metric)
                       & (contrast["point_id"] == best["point_id"])].iloc[0]
        sure = not np.isnan(row.ci_low) and (row.ci_low > 0 or row.ci_high < 0)
        parts.append(f"{metric_name(metric)} {number(row.mean_diff, metric, signed=True)}"
                     f"{'' if sure else ' (not beyond noise)'}")
    return (f"Trade-offs: at <b>{html.escape(str(best['point']))}</b>, beside "
            f"{metric_name(main)}, " + "; ".join(parts) + ".")


def _lead_effects(page: _Page, found: _Found) -> None:
    results, main, effects = page.results, page.main, found.effects
    if effects is None or main not in set(effects.variance["metric"]):
        _lead_means(page, found)
        return
    lead = _lead_factor(effects, main)
    moving = effects.effects[effects.effects["factor"] == lead].groupby("metric")["mean"].agg(
        lambda means: means.max() > means.min())
    others = [m for m in results.report_metrics  # those that move with the lead factor
              if m != main and moving.get(m, False)]
    said = effects_sentences(effects, main, results)
    page.headline += said[:1] if others and lead is not None else said  # trade-offs say the rest
    events = _event_bullets(page, found)
    page.headline += events
    others = others[:max(MAX_BULLETS - 2 - len(events), 1)]  # one screen of bullets
    if others and lead is not None:
        page.headline += tradeoff_sentences(effects.effects, lead, [main, *others], results)
        page.lead_figure = plots.plot_tradeoffs(
            effects.effects[effects.effects["factor"] == lead], [main, *others],
            results.field_label(lead), {v: results.level_label(lead, v) for v in
                                        effects.effects["level"]}, found.out / "tradeoffs.png")
    else:
        page.lead_figure = plots.plot_main_effects(
            effects.effects[effects.effects["metric"] == main], metric_label(main),
            {f: results.field_label(f) for f in results.swept},
            lambda f, v: results.level_label(f, v), found.out / f"main_effects_{main}.png")


def _lead_factor(effects: Effects, metric: str) -> str | None:
    """The factor that explains most of ``metric``'s variance."""
    rows = effects.variance[(effects.variance["metric"] == metric)
                            & ~effects.variance["term"].str.contains(" × ")
                            & (effects.variance["term"] != "residual")]
    return None if rows.empty else str(rows.loc[rows["share"].idxmax(), "term"])


def _lead_sensitivity(page: _Page, found: _Found) -> None:
    sensitivity, main = found.sensitivity, page.main
    if sensitivity is None or sensitivity.table.empty or \
            main not in set(sensitivity.table["metric"]):
        _lead_means(page, found)
        return
    page.headline.append(sensitivity_sentence(sensitivity.table, sensitivity.kind, main))
    page.headline.append(_range_sentence(found.summary, main, page.results.points))
    rows = sensitivity.table[sensitivity.table["metric"] == main]
    page.lead_figure = plots.plot_sensitivity(rows, sensitivity.kind, metric_label(main),
                                              found.out / f"sensitivity_{main}.png")


def _lead_means(page: _Page, found: _Found) -> None:
    results, main, summary = page.results, page.main, found.summary
    if found.events is not None and main in set(found.events["metric"]):
        page.headline.append(_event_sentence(found.events, main))
    else:
        page.headline.append(extremes_sentence(summary, main))
    effects = main_effects_sentence(results, main)
    if effects and results.kind == "grid":
        page.headline.append(effects)
    rows = summary[summary["metric"] == main]
    page.lead_figure = plots.plot_point_means(rows, metric_label(main), found.out /
                                              f"means_{main}.png")


LEADS: dict[str, Callable[[_Page, _Found], None]] = {
    "contrasts": _lead_contrasts, "effects": _lead_effects,
    "sensitivity": _lead_sensitivity, "means": _lead_means,
}


def _at_most(lines: list[str], limit: int, what: str, where: str) -> list[str]:
    """The first screen holds at most ``limit`` of these bullets: the top and the bottom."""
    if len(lines) <= limit:
        return lines
    top, bottom = limit - limit // 3, limit // 3 - 1 if limit >= 6 else 0
    kept = lines[:top] + ([f"… {len(lines) - top - bottom} more {what} in {where} …"]
                          + (lines[-bottom:] if bottom else []))
    return kept


def _range_sentence(summary: pd.DataFrame, metric: str, points: int) -> str:
    rows = summary[summary["metric"] == metric]
    return (f"Across the {points:,} sampled points, the mean {metric_name(metric)} ranges from "
            f"{number(rows['mean'].min(), metric)} to {number(rows['mean'].max(), metric)}.")


def _event_sentence(events: pd.DataFrame, metric: str) -> str:
    rows = events[events["metric"] == metric]
    runs, happened = int(rows["runs"].sum()), int(rows["events"].sum())
    return (f"{event_name(metric).capitalize()} in {happened:,} of {runs:,} runs "
            f"({percent(happened / runs)}); by design point in the table of events below.")


def _event_bullets(page: _Page, found: _Found) -> list[str]:
    """One line per "month when" report metric: in how many runs it happened at each point
    (at most MAX_LINES points; beyond, over all runs), never a month averaged over runs."""
    if found.events is None:
        return []
    lines = []
    for metric in [m for m in page.shown if m in set(found.events["metric"])]:
        rows = found.events[found.events["metric"] == metric]
        if len(rows) > MAX_LINES:
            lines.append(_event_sentence(found.events, metric))
            continue
        parts = [f"{html.escape(str(r.point))} {r.events} of {r.runs}"
                 + (f" (median month {number(r.median_month)})" if r.events else "")
                 for r in rows.itertuples()]
        lines.append(f"Runs in which {event_name(metric)}: {'; '.join(parts)}.")
    return lines


def _discovery_sentence(found: Discovery) -> str:
    share = found.cases / found.runs
    text = (f"<b>{html.escape(found.rule.text)}</b> in {found.cases:,} of {found.runs:,} runs "
            f"({percent(share)})")
    if found.boxes.empty:
        return f"{text}: {html.escape(found.note)}."
    first = found.boxes[found.boxes["box"] == 1].iloc[0]
    return (f"{text}; mostly where {html.escape(describe_box(found.boxes, 1))} (that box holds "
            f"{percent(first['coverage'])} of those runs, and {percent(first['density'])} of the "
            "runs in it have the outcome).")


def _planner(page: _Page, found: _Found) -> None:
    """For a comparison of policies with objectives or uncertainty draws, the planner's first
    screen and sections (policy_page.py) take the lead; with costs alone, its cost section."""
    if not policy_page.applies(page.results):
        return
    planner = policy_page.write_policy_page(page.results, found.stored, found.baseline_id,
                                            found.out)
    page.headline = planner.headline or page.headline
    page.lead_figure = planner.lead_figure or page.lead_figure
    page.sections += planner.sections
    page.notes += planner.notes
    page.files += [path for path in planner.files if path.suffix == ".csv"]


# The sections below it ----------------------------------------------------------------------


def _contrast_table(page: _Page, found: _Found) -> None:
    contrast = found.contrast
    if contrast is None or contrast.empty:
        return
    pivot = contrast.assign(cell=[_contrast_cell(r) for r in contrast.itertuples()])
    points = list(dict.fromkeys(contrast["point"]))
    if len(points) <= MAX_LINES:  # a few variants: one column each, every metric a row
        wide = pivot.pivot(index="metric", columns="point", values="cell")
        wide = wide.reindex(index=[m for m in page.metrics if m in set(contrast["metric"])],
                            columns=points)
        wide.index = [metric_label(m) for m in wide.index]
        what = "every metric"
    else:  # many points: one row each, the report metrics as columns
        wide = pivot.pivot(index="point", columns="metric", values="cell")
        wide = wide.reindex(index=points, columns=[m for m in page.shown
                                                   if m in set(contrast["metric"])])
        wide.columns = [metric_label(m) for m in wide.columns]
        what = "every design point"
    if what == "every metric":  # the report metrics open, the others folded
        lead = [metric_label(m) for m in page.shown if metric_label(m) in wide.index]
        rest = wide.drop(index=lead)
        table = _html_table(wide.loc[lead]) + (
            _fold(_html_table(rest), len(rest), "more metrics", always=True)
            if len(rest) else "")
    else:
        table = _fold(_html_table(wide), len(wide), what)
    page.sections.append(_section(
        f"Differences from {contrast['baseline'].iloc[0]}",
        "<p>Mean difference and its 95% interval; green and red where the interval excludes "
        "zero. " + _methods(contrast) + " p-values (in contrasts.csv) are not adjusted for "
        "multiple comparisons.</p>" + table))


def _means_table(page: _Page, found: _Found) -> None:
    results, summary = page.results, found.summary
    events = set(found.events["metric"]) if found.events is not None else set()
    shown = [m for m in page.shown if m not in events]
    if results.points <= OPEN_ROWS:
        cells = summary[summary["metric"].isin(shown)]
        cells = cells.assign(cell=[
            f"{number(r.mean, r.metric)}<br><small>{interval(r.ci_low, r.ci_high, r.metric)}"
            "</small>" for r in cells.itertuples()])
        wide = cells.pivot(index="point", columns="metric", values="cell")
        wide = wide.reindex(index=list(results.point_labels), columns=shown)
        wide.columns = [metric_label(m) for m in wide.columns]
        body = ("<p>The experiment's report metrics; every metric is in summary_by_point.csv."
                "</p>" + _html_table(wide))
        if found.analysis in ("effects", "sensitivity"):  # the effects above say it shorter
            body = _fold(body, results.points, "the mean of every design point", always=True)
    else:
        rows = summary[summary["metric"] == page.main].sort_values("mean", ascending=False)
        rows = rows.dropna(subset=["mean"])
        top = pd.concat([rows.head(TOP_ROWS), rows.tail(BOTTOM_ROWS)]).drop_duplicates()
        wide = pd.DataFrame({
            "design point": top["point"], "runs": top["n"],
            "mean": [number(v, page.main) for v in top["mean"]],
            "95% interval": [interval(a, b, page.main)
                             for a, b in zip(top["ci_low"], top["ci_high"], strict=True)],
            "median": [number(v, page.main) for v in top["median"]],
        })
        more = (f" The highest {TOP_ROWS} and the lowest {BOTTOM_ROWS} of {len(rows):,} points."
                if len(rows) > len(top) else "")
        body = (f"<p>{html.escape(metric_label(page.main))} by design point, highest first."
                f"{more} Every point and metric is in summary_by_point.csv.</p>"
                + _fold(wide.to_html(index=False, border=0), len(wide), "the table"))
    page.sections.append(_section("Means by design point (95% t intervals over replicates)",
                                   body))


def _contrast_cell(row) -> str:
    if np.isnan(row.ci_low):
        return number(row.mean_diff, row.metric, signed=True)
    colour = "up" if row.ci_low > 0 else "down" if row.ci_high < 0 else ""
    return (f'<span class="{colour}">{number(row.mean_diff, row.metric, signed=True)}</span>'
            f"<br><small>{interval(row.ci_low, row.ci_high, row.metric)}</small>")


def _methods(contrast: pd.DataFrame) -> str:
    methods = sorted({m.split(",")[0] for m in contrast["ci_method"]
                      if m.startswith(("paired t", "Welch"))})
    return f"Method: {html.escape('; '.join(methods))}." if methods else ""


def _effects(page: _Page, found: _Found) -> None:
    """Marginal means per level and variance shares, and the largest interaction's plot."""
    results, effects = page.results, found.effects
    if effects is None or effects.effects.empty:
        return
    table = effects.effects[effects.effects["metric"].isin(page.shown)]
    table = table.assign(
        factor=[results.field_label(f) for f in table["factor"]],
        level=[results.level_label(f, v) for f, v in zip(effects.effects.loc[table.index,
                                                                            "factor"],
                                                          table["level"], strict=True)],
        cell=[f"{number(r.mean, r.metric)}<br><small>{interval(r.ci_low, r.ci_high, r.metric)}"
              "</small>" for r in table.itertuples()])
    wide = table.pivot_table(index=["factor", "level"], columns="metric", values="cell",
                             aggfunc="first", sort=False)
    wide = wide[[m for m in page.shown if m in wide.columns]]
    wide.columns = [metric_label(m) for m in wide.columns]
    variance = effects.variance[effects.variance["metric"].isin(page.metrics)]
    shares = variance.assign(
        term=[_term_label(results, t) for t in variance["term"]],
        cell=[f"{percent(r.share)}" + (f"<br><small>p {_p(r.p_value)}</small>"
                                       if not np.isnan(r.p_value) else "")
              for r in variance.itertuples()])
    share_table = shares.pivot_table(index="metric", columns="term", values="cell",
                                     aggfunc="first", sort=False)
    order = [m for m in page.shown if m in share_table.index]
    rest = [m for m in page.metrics if m in share_table.index and m not in order]
    share_table = share_table.reindex(order + rest)
    share_table.index = [metric_label(m) for m in share_table.index]
    skipped = "".join(f"<li>{html.escape(metric_name(m))}: {html.escape(why)}</li>"
                      for m, why in effects.skipped.items() if m in page.metrics)
    body = ("<p>Share of the variance between design points that each factor and each "
            f"two-way interaction explains (factorial ANOVA on the {effects.fitted_on}, type II "
            "sums of squares; the residual holds higher interactions and noise), with the F "
            "test's p-value. In variance.csv.</p>"
            + _html_table(share_table.iloc[:len(order)])
            + (_fold(_html_table(share_table.iloc[len(order):]), len(rest), "more metrics",
                     always=True) if rest else "")
            + (f"<p>Without a variance decomposition:</p><ul>{skipped}</ul>" if skipped else ""))
    pair = largest_interaction(effects.variance, page.main)
    if pair is not None:
        a, b = pair
        figure = plots.plot_interaction(
            results.ok, a, b, page.main, metric_label(page.main),
            (results.field_label(a), results.field_label(b)),
            lambda f, v: results.level_label(f, v), found.out / "interaction.png")
        body += (f"<h3>The largest interaction for {html.escape(metric_name(page.main))}: "
                 f"{html.escape(_term_label(results, f'{a} × {b}'))}</h3>"
                 "<p>Mean over runs at each pair of levels; lines that are not parallel are "
                 "the interaction.</p>" + _img(figure))
    body += ("<h3>Main effects: marginal means per level</h3><p>Mean over the runs at each "
             "level (all other factors averaged over), with the 95% t interval over replicates. "
             "In effects.csv.</p>" + _fold(_html_table(wide), len(wide), "every level"))
    page.sections.append(_section("What each factor does", body))


def _term_label(results: SweepResults, term: str) -> str:
    if term == "residual":
        return "residual"
    return " × ".join(results.field_label(part) for part in term.split(" × "))


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _heatmaps(page: _Page, found: _Found) -> None:
    results = page.results
    numeric = [c for c in results.swept if pd.api.types.is_numeric_dtype(results.ok[c])]
    if results.kind != "grid" or len(numeric) < 2:
        return
    events = set(found.events["metric"]) if found.events is not None else set()
    varying = [m for m in page.shown if results.ok[m].nunique(dropna=False) > 1]
    labels = {f: results.field_label(f) for f in numeric}
    figures = [plots.plot_heatmaps(results.ok, numeric[:3], m, metric_label(m),
                                   found.out / f"heatmap_{m}.png", labels,
                                   event=m in events) for m in varying]
    facets = f", one panel per level of {labels[numeric[2]]}" if len(numeric) > 2 else ""
    rest = f"; averaged over {', '.join(labels[n] for n in numeric[3:])}" \
        if len(numeric) > 3 else ""
    constant = [metric_name(m) for m in page.shown if m not in varying]
    same = f" The same in every run (no heatmap): {', '.join(constant)}." if constant else ""
    said = (" For events, the share of runs in which it happened, with the count in each cell."
            if events & set(varying) else "")
    first, rest_figures = figures[:1], figures[1:]
    body = (f"<p>Mean over replicates{facets}{rest}.{said}{same}</p>"
            + "".join(_img(f) for f in first))
    if rest_figures:
        body += (f"<details><summary>{len(rest_figures)} more heatmaps</summary>"
                 + "".join(_img(f) for f in rest_figures) + "</details>")
    page.sections.append(_section(f"Heatmaps over {labels[numeric[0]]} and {labels[numeric[1]]}",
                                  body))


def _events(page: _Page, found: _Found) -> None:
    """'Month when' outcomes: the share of runs in which it happened and when."""
    events, results = found.events, page.results
    if events is None:
        return
    cells = events.assign(cell=[html.escape(event_text(r)) for _, r in events.iterrows()])
    wide = cells.pivot(index="point", columns="metric", values="cell")
    wide = wide.reindex(index=list(results.point_labels))
    wide.columns = [event_name(m) for m in wide.columns]
    total = [_event_sentence(events, m) for m in dict.fromkeys(events["metric"])]
    page.sections.append(_section(
        "Events: in how many runs it happened, and when",
        f"<p>{' '.join(total)} Each cell: runs with the event of all runs there (95% Wilson "
        "interval of the share), and the median month among the runs where it happened; the "
        "month is never averaged over runs where it did not happen. The curves over time are "
        "the survival curves below. In events.csv.</p>"
        + _fold(_html_table(wide.dropna(how="all")), len(wide), "every design point")))


def _groups(results: SweepResults) -> tuple[pd.Series, str]:
    """run_id → the line a run belongs to in time series and survival curves."""
    ok = results.ok.set_index("run_id")
    if results.kind == "variants":
        return ok["variant"].map(lambda name: results.level_label("variant", name)), "variant"
    first = results.swept[0] if results.swept else None
    if first and ok[first].nunique() <= MAX_LINES:
        name = results.field_label(first)
        return (ok[first].map(lambda v: f"{name}: {results.level_label(first, v)}"),
                f"level of {name}")
    return pd.Series("all runs", index=ok.index), "all runs together"


def _time_series(page: _Page, found: _Found) -> None:
    steps = page.results.steps
    if steps.empty or steps.shape[1] < 3:
        page.notes.append("No monthly metrics were kept (keep_steps), so there are no time "
                          "series.")
        return
    groups, by = _groups(page.results)
    metrics = [c for c in steps.columns[2:] if pd.api.types.is_numeric_dtype(steps[c])]
    bands = monthly_bands(steps, groups, metrics[:MAX_PANELS])
    figure = plots.plot_time_series(bands, {m: metric_label(m) for m in metrics},
                                    found.out / "time_series.png")
    page.sections.append(_section(
        "Over time", f"<p>Monthly mean with its 95% interval, one line per {by}.</p>"
        + _img(figure)))


def _stored_design(results: SweepResults, page: _Page) -> StoredDesign | None:
    try:
        stored = StoredDesign(results)
    except (InputError, KeyError, ValueError) as exc:
        page.notes.append(f"The design could not be rebuilt from the manifest ({exc}); survival "
                          "curves and pictures of single runs are left out.")
        return None
    if stored.note:
        page.notes.append(f"Single runs: {stored.note}.")
    return stored


def _survival(page: _Page, found: _Found) -> None:
    results, stored = page.results, found.stored
    if stored is None:
        return
    horizon = stored.horizons(results.ok["point_id"]).set_axis(results.ok["run_id"])
    times, column = closure_times(results, horizon)
    if times is None:
        page.notes.append(f"No survival curves: {column}.")
        return
    groups, by = _groups(results)
    times = times.assign(group=times["run_id"].map(groups))
    figure = plots.plot_survival(times, found.out / "survival.png")
    closed = int(times["event"].sum())
    said = (f"An enterprise closed in {closed:,} of {len(times):,} runs." if closed else
            "No enterprise closed in any run before the horizon: every curve stays at 1.")
    page.sections.append(_section(
        "Survival of enterprises",
        f"<p>Kaplan–Meier estimate of the share of runs in which no enterprise has closed yet, "
        f"one curve per {by}, with 95% bands (from {metric_name(column)}; runs still open are "
        f"censored at their last month). {said}</p>" + _img(figure)))


def _one_run(page: _Page, found: _Found) -> None:
    """The network of one representative run, and who benefits there (and at the design point
    that does best, in its run on the same seed where there is one)."""
    stored, contrast, summary, baseline_id = (found.stored, found.contrast, found.summary,
                                              found.baseline_id)
    if stored is None or stored.job is None:
        return
    results, main, out = page.results, page.main, found.out
    reference = _representative(results, baseline_id, main)
    runs = [reference]
    best = _best_point(contrast, summary, main, baseline_id)
    if best is not None:  # on common random numbers, the same replicate shows the effect alone
        same = results.ok[(results.ok["point_id"] == best)
                          & (results.ok["seed"] == reference["seed"])]
        runs.append(same.iloc[0] if len(same) else _representative(results, best, main))
    labels = results.point_labels
    inside: list[RunInside] = []
    for row in runs:
        label = f"{labels[row['point_id']]} (replicate {row['replicate']})"
        draw = int(row["draw"]) if "draw" in row.index else None
        seen = stored.rerun(int(row["point_id"]), int(row["seed"]), label, draw)
        if seen is None:
            page.notes.append(f"Run {row['run_id']} could not be rebuilt; no pictures of it.")
            return
        stored_value, again = row[main], seen.summary.get(main)
        if again is None or not np.isclose(stored_value, again, rtol=1e-9, equal_nan=True):
            page.notes.append(f"Re-running {label} gave {main} = {again}, not the stored "
                              f"{stored_value}: the model changed since the sweep; the pictures "
                              "show today's model.")
        inside.append(seen)
    first = inside[0]
    text = (f"<p>Run {int(reference['run_id'])}: {html.escape(first.label)}, seed {first.seed}, "
            f"the replicate whose {html.escape(metric_name(main))} is nearest its point's "
            "median, run again from the stored seed.</p>")
    if first.graph_start is not None:
        figure = plots.plot_network(first.graph_start, first.graph_end, first.seed,
                                    out / "network.png")
        text += _img(figure)
    else:
        page.notes.append("The model exports no network; no network picture.")
    benefit = _who_benefits(inside, out)
    if benefit is not None:
        other = ""
        if len(inside) > 1:
            seed = "the same seed" if inside[1].seed == first.seed else "its median run"
            other = f" and at the best design point ({seed})"
        text += ("<h3>Who benefits</h3><p>Households by origin and vulnerability at the end of "
                 f"the run{other}.</p>" + _img(benefit))
    if first.missing:
        page.notes.append(f"Households do not record {', '.join(first.missing)}; those panels "
                          "are left out.")
    page.sections.append(_section("Inside one run: the network and who benefits", text))


def _representative(results: SweepResults, point_id: int, metric: str) -> pd.Series:
    runs = results.ok[results.ok["point_id"] == point_id]
    distance = (runs[metric] - runs[metric].median()).abs()
    return runs.loc[distance.fillna(np.inf).idxmin()]


def _best_point(contrast: pd.DataFrame | None, summary: pd.DataFrame, metric: str,
                baseline_id: int) -> int | None:
    if contrast is not None and not contrast.empty:
        rows = contrast[contrast["metric"] == metric].dropna(subset=["mean_diff"])
        return int(rows.loc[rows["mean_diff"].idxmax(), "point_id"]) if len(rows) else None
    rows = summary[summary["metric"] == metric].dropna(subset=["mean"])
    best = int(rows.loc[rows["mean"].idxmax(), "point_id"]) if len(rows) else baseline_id
    return None if best == baseline_id else best


def _who_benefits(inside: list[RunInside], out: Path) -> Path | None:
    households = [run.households.assign(run=run.label) for run in inside]
    table = pd.concat(households, ignore_index=True)
    if table.empty:
        return None
    origin = (np.where(table["newcomer"], "newcomer", "original") if "newcomer" in table
              else np.full(len(table), "all"))
    vulnerable = (np.where(table["vulnerable"], ", vulnerable", "") if "vulnerable" in table
                  else "")
    table["group"] = pd.Series(origin, index=table.index) + vulnerable
    measures = [("income_thb", "mean income at the end (THB/month)"),
                ("food_secure", "share food-secure at the end"),
                ("grants_thb", "fund grants received (THB per household)")]
    present = [(c, t) for c, t in measures if c in table]
    if not present:
        return None
    grouped = table.groupby(["group", "run"], sort=True)
    csv = grouped[[c for c, _ in present]].mean().assign(households=grouped.size())
    csv.reset_index().to_csv(out / "who_benefits.csv", index=False)
    order = [run.label for run in inside]
    panels = [(title, grouped[column].mean().unstack("run")[order]) for column, title in present]
    return plots.plot_who_benefits(panels, out / "who_benefits.png")


def _sensitivity(page: _Page, found: _Found) -> None:
    sensitivity, results = found.sensitivity, page.results
    if sensitivity is None:
        return
    table = sensitivity.table
    if table.empty:
        page.notes.append("No sensitivity indices: every metric was constant or incomplete.")
        return
    index = MAIN[sensitivity.kind]
    wide = table.pivot(index="parameter", columns="metric", values=index)
    wide = wide[[m for m in results.metrics if m in wide.columns]]
    wide = wide.reindex(wide[page.main].abs().sort_values(ascending=False).index
                        if page.main in wide.columns else wide.index)
    wide.index = [results.field_label(p) for p in wide.index]
    wide.columns = [metric_label(m) for m in wide.columns]
    shown = [m for m in page.shown if m in set(table["metric"])]
    figures = [plots.plot_sensitivity(table[table["metric"] == m], sensitivity.kind,
                                      metric_label(m), found.out / f"sensitivity_{m}.png",
                                      results.field_label)
               for m in shown]
    what = {"sobol": "Sobol' total-effect index ST (share of variance, with interactions)",
            "morris": "Morris mu* (mean absolute elementary effect, in the metric's unit)",
            "lhs": "standardised regression coefficient"}[sensitivity.kind]
    skipped = "".join(f"<li>{html.escape(metric_name(m))}: {html.escape(why)}</li>"
                      for m, why in sensitivity.skipped.items())
    shaded = wide.map(lambda v: html.escape(number(v)))
    body = (f"<p>{what} of every summary metric (replicates of a point averaged first), "
            "parameters ranked by their effect on the main metric; every index with its "
            "interval is in sensitivity.csv.</p>"
            + (f"<details><summary>Indices of {len(figures) - 1} more metrics</summary>"
               + "".join(_img(f) for f in figures[1:]) + "</details>" if len(figures) > 1
               else "")
            + _fold(_html_table(shaded), len(shaded), "the indices of every metric",
                    always=True)
            + (f"<p>Without indices:</p><ul>{skipped}</ul>" if skipped else ""))
    page.sections.append(_section("Sensitivity", body))


# Which sections follow the first screen, by analysis. Each takes the page and what was found.
SECTIONS: dict[str, tuple[Callable[[_Page, _Found], None], ...]] = {
    "contrasts": (_planner, _contrast_table, _means_table, _events, _time_series, _survival,
                  _one_run),
    "effects": (_planner, _effects, _contrast_table, _heatmaps, _means_table, _events, _time_series,
                _survival, _one_run),
    "sensitivity": (_sensitivity, _means_table, _events, _time_series, _survival, _one_run),
    "means": (_planner, _means_table, _heatmaps, _events, _time_series, _survival, _one_run),
}


def _discovery(page: _Page, found: Discovery) -> None:
    text = f"<p>{_discovery_sentence(found)}</p>"
    if not found.boxes.empty:
        rows = found.boxes.drop_duplicates("box")
        text += "<ol>" + "".join(
            f"<li>{html.escape(describe_box(found.boxes, int(r.box)))}: coverage {r.coverage:.0%}"
            f", density {r.density:.0%}, {r.runs_in_box:,} runs ({r.mass:.0%} of all)</li>"
            for r in rows.itertuples()) + "</ol>"
        text += ("<p>Coverage: the share of all runs with the outcome that fall in the box. "
                 "Density: the share of runs in the box that have it. Later boxes are found "
                 "among the runs outside earlier ones (PRIM, EMA Workbench).</p>")
    page.sections.append(_section(f"Scenario discovery: {found.rule.text}", text))


# HTML -----------------------------------------------------------------------------------------

STYLE = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;color:#1b1b1b;
background:#fafafa}
header{background:#12355b;color:white;padding:10px 28px}
header h1{font-size:20px;margin:0}header p{margin:3px 0 0;font-size:13px;opacity:.9}
main{padding:8px 28px;max-width:1220px}
#answer{font-size:17px;line-height:1.45;margin:6px 0}#answer li{margin:2px 0}
#answer ul{margin:4px 0;padding-left:22px}
img{max-width:100%;height:auto;display:block;margin:6px 0}
details{margin:6px 0}summary{cursor:pointer;color:#12355b}
section{border-top:1px solid #ccc;margin-top:18px}
h2{font-size:18px;color:#12355b}h3{font-size:15px}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0;background:white}
td,th{border:1px solid #ddd;padding:4px 7px;text-align:right;vertical-align:top}
th{background:#eef2f7}td:first-child,th:first-child{text-align:left}
.up{color:#00734f;font-weight:bold}.down{color:#b03a00;font-weight:bold}
.notes{font-size:13px;color:#444}small{color:#555}
"""


def _html(page: _Page, analysis: str) -> str:
    results = page.results
    ok, failed = len(results.ok), len(results.runs) - len(results.ok)
    total = results.manifest.get("runs", {}).get("total")
    state = "" if results.complete else f"; the sweep is not finished ({len(results.runs):,} of " \
        f"{total:,} runs stored)"
    crn = "common random numbers" if results.spec.get("common_random_numbers") else \
        "independent seeds"
    draws = (results.manifest.get("uncertainty") or {}).get("draws")
    facts = (f"{results.kind} design, {results.points:,} design points × "
             f"{f'{draws} uncertainty draws × ' if draws else ''}"
             f"{results.spec.get('replicates', 1)} replicates on {crn}: {ok:,} runs ok"
             f"{f', {failed:,} failed and left out' if failed else ''}{state}")
    description = results.spec.get("description") or ""
    answer = page.headline[0] if page.headline else ""
    items = "".join(f"<li>{line}</li>" for line in page.headline[1:])
    found = "".join(f"<p>{line}</p>" for line in page.found)
    lead = _img(page.lead_figure) if page.lead_figure else ""
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in page.notes)
    provenance = results.manifest.get("versions", {})
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = ", ".join(sorted(p.name for p in page.files if p.suffix == ".csv")) + \
        " and the PNG figures beside this page"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>se_sim report: {html.escape(results.name)}</title><style>{STYLE}</style></head>
<body><header><h1>{html.escape(results.name)}: {html.escape(metric_name(page.main))}</h1>
<p>{html.escape(description)}</p><p>{html.escape(facts)}</p>
<p>Analysis: {html.escape(SAID[analysis])}.</p></header>
<main><div id="answer"><p>{answer}</p><ul>{items}</ul>{found}</div>
<div id="lead">{lead}</div>
{"".join(page.sections)}
<section><h2>Notes</h2><ul class="notes">{notes}
<li>Intervals are 95% Student t intervals of the mean over replicates (for events, Wilson
intervals of the share of runs in which it happened); tables of every metric:
{files}.</li>
<li>Results folder {html.escape(str(results.folder))}; se_sim {provenance.get('se_sim', '?')},
Mesa {provenance.get('mesa', '?')}, commit {html.escape(str(results.manifest.get('git_commit')))};
page made {made}.</li></ul></section></main></body></html>
"""


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _html_table(wide: pd.DataFrame) -> str:
    """A table whose cells are already HTML, with readable row and column names."""
    wide = wide.set_axis([html.escape(str(c)) for c in wide.columns], axis=1)
    if isinstance(wide.index, pd.MultiIndex):
        wide.index = wide.index.map(lambda keys: tuple(html.escape(str(k)) for k in keys))
    else:
        wide = wide.set_axis([html.escape(str(i)) for i in wide.index])
    return wide.fillna("").to_html(escape=False, border=0, index_names=False)


def _fold(table: str, rows: int, what: str, always: bool = False) -> str:
    """Long tables are folded, so the page stays a few screens long whatever the design."""
    if rows <= OPEN_ROWS and not always:
        return table
    return f"<details><summary>Show {html.escape(what)} ({rows} rows)</summary>{table}</details>"


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)
