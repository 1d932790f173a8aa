"""The sweep report: one self-contained HTML page, CSV tables and PNG figures from a results folder.

The page's first screen answers the experiment's question in sentences and one figure; what
follows backs them up (tables, heatmaps, time series, survival, one run's network and who
benefits in it, sensitivity indices, scenario discovery). Figures are embedded as data URIs and
the page loads nothing else, so it opens offline and can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from se_sim.analysis import plots, policy_page
from se_sim.analysis.discovery import Discovery, describe_box, discover, parse_rule
from se_sim.analysis.rerun import RunInside, StoredDesign
from se_sim.analysis.run_report import KEY_OUTCOMES
from se_sim.analysis.sensitivity import KINDS, MAIN, Sensitivity, sensitivity_indices
from se_sim.analysis.statistics import (
    closure_times,
    contrasts,
    monthly_bands,
    summary_by_point,
)
from se_sim.analysis.sweep_results import SweepResults, read_sweep, short_name
from se_sim.analysis.wording import (
    contrast_sentences,
    extremes_sentence,
    interval,
    main_effects_sentence,
    metric_label,
    metric_name,
    number,
    sensitivity_sentence,
)
from se_sim.scenario.errors import InputError, did_you_mean

MAX_LINES = 8  # groups drawn as separate lines in time series and survival curves
MAX_PANELS = 9
TOP_ROWS, BOTTOM_ROWS = 10, 5  # design points listed on the page when there are many


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
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
    page = _Page(results, main, chosen, notes=notes)
    baseline_id = _baseline(results, baseline)
    parsed = [parse_rule(rule, results) for rule in rules]
    _require_extra(results, bool(parsed))
    out = Path(out) if out else results.folder / "report"
    if out.exists() and not out.is_dir():
        raise InputError([f"--out {out}: is a file, not a folder"])
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    summary = summary_by_point(results, page.metrics)
    files.append(_csv(summary, out / "summary_by_point.csv"))
    contrast = None
    if results.kind == "variants" or results.spec.get("common_random_numbers"):
        contrast = contrasts(results, page.metrics, baseline_id)
        files.append(_csv(contrast, out / "contrasts.csv"))
    sensitivity = sensitivity_indices(results, seed=int(results.spec.get("seed", 0)))
    if sensitivity is not None:
        files.append(_csv(sensitivity.table, out / "sensitivity.csv"))
    discoveries = [discover(results, rule) for rule in parsed]
    if discoveries:
        table = pd.concat([d.boxes.assign(rule=d.rule.text) for d in discoveries])
        files.append(_csv(table[["rule", *discoveries[0].boxes.columns]], out / "discovery.csv"))

    _lead(page, summary, contrast, sensitivity, baseline_id, out)
    page.found = [_discovery_sentence(d) for d in discoveries]
    stored = _stored_design(results, page)
    _planner(page, stored, baseline_id, out, files)
    _tables(page, summary, contrast)
    _heatmaps(page, out)
    _time_series(page, out)
    _survival(page, stored, out)
    _one_run(page, stored, contrast, summary, baseline_id, out)
    if sensitivity is not None:
        _sensitivity(page, sensitivity, out)
    for found in discoveries:
        _discovery(page, found)
    files += sorted(out.glob("*.png"))
    path = out / "report.html"
    path.write_text(_html(page), encoding="utf-8")
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
    """The point_id to compare with: the named variant, else 'baseline', else point 0."""
    labels = results.point_labels
    if name is None:
        matches = labels.index[labels == "baseline"] if results.kind == "variants" else []
        candidates = [*matches, *labels.index]
        return next(int(p) for p in candidates if p in set(results.ok["point_id"]))
    if results.kind != "variants":
        raise InputError([f"--baseline {name}: names a variant, but {results.folder} holds a "
                          f"{results.kind} design (contrasts there are against point 0)"])
    if name not in set(labels):
        variants = list(labels)
        raise InputError([f"--baseline {name}: not a variant of {results.name}"
                          f"{did_you_mean(name, variants)} (variants: {', '.join(variants)})"])
    point_id = int(labels.index[labels == name][0])
    if point_id not in set(results.ok["point_id"]):
        raise InputError([f"--baseline {name}: none of its runs succeeded; choose another"])
    return point_id


def _require_extra(results: SweepResults, discovering: bool) -> None:
    """The libraries of the ``report`` extra that this report needs, or one line saying so."""
    needed = {"lifelines": "survival curves", "statsmodels": "regression coefficients",
              "ema_workbench": "scenario discovery"}
    used = {"lifelines": True, "statsmodels": results.kind == "lhs",
            "ema_workbench": discovering}
    missing = [f"{name} ({why})" for name, why in needed.items()
               if used[name] and importlib.util.find_spec(name) is None]
    if missing:
        raise InputError([f"se-sim report needs {', '.join(missing)}: pip install "
                          "'se_sim[report]' (make setup installs it)"])


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


# The first screen -------------------------------------------------------------------------

def _lead(page: _Page, summary: pd.DataFrame, contrast: pd.DataFrame | None,
          sensitivity: Sensitivity | None, baseline_id: int, out: Path) -> None:
    results, main = page.results, page.main
    label = metric_label(main)
    numeric = [c for c in results.swept if pd.api.types.is_numeric_dtype(results.ok[c])]
    # sampled designs (Latin hypercube, Sobol, Morris) are read through their indices: a
    # contrast with their first sampled point answers no one's question
    if contrast is not None and not contrast.empty and results.kind not in KINDS:
        base = summary[(summary["metric"] == main) & (summary["point_id"] == baseline_id)].iloc[0]
        paired = (contrast.loc[contrast["metric"] == main, "n_pairs"] > 0).all()
        seeds = "the same seeds (common random numbers)" if paired else "independent seeds"
        page.headline.append(
            f"Against <b>{html.escape(base['point'])}</b> ({number(base['mean'], main)} on "
            "average), over "
            f"{int(base['n'])} runs each on {seeds}:")
        page.headline += contrast_sentences(contrast, main)
        rows = contrast[contrast["metric"] == main].sort_values("mean_diff", ascending=False)
        page.lead_figure = plots.plot_contrasts(rows, label, str(base["point"]),
                                                out / "contrasts.png")
    elif sensitivity is not None and not sensitivity.table.empty and \
            main in set(sensitivity.table["metric"]):
        page.headline.append(sensitivity_sentence(sensitivity.table, sensitivity.kind, main))
        page.headline.append(_range_sentence(summary, main, results.points))
        rows = sensitivity.table[sensitivity.table["metric"] == main]
        page.lead_figure = plots.plot_sensitivity(rows, sensitivity.kind, label,
                                                  out / f"sensitivity_{main}.png")
    else:
        page.headline.append(extremes_sentence(summary, main))
        effects = main_effects_sentence(results.ok, results.swept, main)
        if effects and results.kind == "grid":
            page.headline.append(effects)
        if results.kind == "grid" and len(numeric) >= 2:
            page.lead_figure = plots.plot_heatmaps(results.ok, numeric[:3], main, label,
                                                   out / f"heatmap_{main}.png")
        else:
            rows = summary[summary["metric"] == main]
            page.lead_figure = plots.plot_point_means(rows, label, out / f"means_{main}.png")


def _range_sentence(summary: pd.DataFrame, metric: str, points: int) -> str:
    rows = summary[summary["metric"] == metric]
    return (f"Across the {points} sampled points, the mean {metric_name(metric)} ranges from "
            f"{number(rows['mean'].min(), metric)} to {number(rows['mean'].max(), metric)}.")


def _discovery_sentence(found: Discovery) -> str:
    share = found.cases / found.runs
    text = (f"<b>{html.escape(found.rule.text)}</b> in {found.cases} of {found.runs} runs "
            f"({share:.0%})")
    if found.boxes.empty:
        return f"{text}: {html.escape(found.note)}."
    first = found.boxes[found.boxes["box"] == 1].iloc[0]
    return (f"{text}; mostly where {html.escape(describe_box(found.boxes, 1))} (that box holds "
            f"{first['coverage']:.0%} of those runs, and {first['density']:.0%} of the runs in "
            "it have the outcome).")


def _planner(page: _Page, stored: StoredDesign | None, baseline_id: int, out: Path,
             files: list[Path]) -> None:
    """For a comparison of policies with objectives or uncertainty draws, the planner's first
    screen and sections (policy_page.py) take the lead; with costs alone, its cost section."""
    if not policy_page.applies(page.results):
        return
    planner = policy_page.write_policy_page(page.results, stored, baseline_id, out)
    page.headline = planner.headline or page.headline
    page.lead_figure = planner.lead_figure or page.lead_figure
    page.sections += planner.sections
    page.notes += planner.notes
    files += [path for path in planner.files if path.suffix == ".csv"]


# The sections below it ----------------------------------------------------------------------


def _tables(page: _Page, summary: pd.DataFrame, contrast: pd.DataFrame | None) -> None:
    results = page.results
    if contrast is not None and not contrast.empty:
        pivot = contrast.assign(cell=[_contrast_cell(r) for r in contrast.itertuples()])
        wide = pivot.pivot(index="metric", columns="point", values="cell")
        wide = wide.reindex(index=page.metrics, columns=list(dict.fromkeys(contrast["point"])))
        page.sections.append(_section(
            f"Differences from {contrast['baseline'].iloc[0]}",
            "<p>Mean difference and its 95% interval; green and red where the interval "
            "excludes zero. " + _methods(contrast) + " p-values (in contrasts.csv) are not "
            "adjusted for multiple comparisons.</p>" + _html_table(wide, metric_rows=True)))
    if results.points <= 12:
        cells = summary.assign(cell=[
            f"{number(r.mean, r.metric)}<br><small>{interval(r.ci_low, r.ci_high, r.metric)}"
            "</small>" for r in summary.itertuples()])
        wide = cells.pivot(index="metric", columns="point", values="cell")
        wide = wide.reindex(index=page.metrics, columns=list(results.point_labels))
        body = _html_table(wide, metric_rows=True)
    else:
        rows = summary[summary["metric"] == page.main].sort_values("mean", ascending=False)
        shown = pd.concat([rows.head(TOP_ROWS), rows.tail(BOTTOM_ROWS)]).drop_duplicates()
        wide = pd.DataFrame({
            "design point": shown["point"], "runs": shown["n"],
            "mean": [number(v, page.main) for v in shown["mean"]],
            "95% interval": [interval(a, b, page.main)
                             for a, b in zip(shown["ci_low"], shown["ci_high"], strict=True)],
            "median": [number(v, page.main) for v in shown["median"]],
        })
        more = (f" The highest {TOP_ROWS} and the lowest {BOTTOM_ROWS} of {len(rows)} points."
                if len(rows) > len(shown) else "")
        body = (f"<p>{html.escape(metric_label(page.main))} by design point, highest first."
                f"{more} Every point and metric is in summary_by_point.csv.</p>"
                + wide.to_html(index=False, border=0))
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


def _heatmaps(page: _Page, out: Path) -> None:
    results = page.results
    numeric = [c for c in results.swept if pd.api.types.is_numeric_dtype(results.ok[c])]
    if results.kind != "grid" or len(numeric) < 2:
        return
    varying = [m for m in page.metrics if results.ok[m].nunique() > 1]
    figures = [plots.plot_heatmaps(results.ok, numeric[:3], m, metric_label(m),
                                   out / f"heatmap_{m}.png") for m in varying]
    facets = f", one panel per {numeric[2]}" if len(numeric) > 2 else ""
    rest = f"; averaged over {', '.join(numeric[3:])}" if len(numeric) > 3 else ""
    constant = [m for m in page.metrics if m not in varying]
    same = f" The same in every run (no heatmap): {', '.join(constant)}." if constant else ""
    page.sections.append(_section(
        f"Heatmaps over {numeric[0]} and {numeric[1]}",
        f"<p>Mean over replicates{facets}{rest}.{same}</p>" + "".join(_img(f) for f in figures)))


def _groups(results: SweepResults) -> tuple[pd.Series, str]:
    """run_id → the line a run belongs to in time series and survival curves."""
    ok = results.ok.set_index("run_id")
    if results.kind == "variants":
        return ok["variant"].astype(str), "variant"
    first = results.swept[0] if results.swept else None
    if first and ok[first].nunique() <= MAX_LINES:
        return ok[first].map(lambda v: f"{short_name(first)}={v:g}" if isinstance(v, float)
                             else f"{short_name(first)}={v}"), f"level of {first}"
    return pd.Series("all runs", index=ok.index), "all runs together"


def _time_series(page: _Page, out: Path) -> None:
    steps = page.results.steps
    if steps.empty or steps.shape[1] < 3:
        page.notes.append("No monthly metrics were kept (keep_steps), so there are no time "
                          "series.")
        return
    groups, by = _groups(page.results)
    metrics = [c for c in steps.columns[2:] if pd.api.types.is_numeric_dtype(steps[c])]
    bands = monthly_bands(steps, groups, metrics[:MAX_PANELS])
    figure = plots.plot_time_series(bands, {m: metric_label(m) for m in metrics},
                                    out / "time_series.png")
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


def _survival(page: _Page, stored: StoredDesign | None, out: Path) -> None:
    results = page.results
    if stored is None:
        return
    horizon = stored.horizons(results.ok["point_id"]).set_axis(results.ok["run_id"])
    times, column = closure_times(results, horizon)
    if times is None:
        page.notes.append(f"No survival curves: {column}.")
        return
    groups, by = _groups(results)
    times = times.assign(group=times["run_id"].map(groups))
    figure = plots.plot_survival(times, out / "survival.png")
    closed = int(times["event"].sum())
    said = (f"An enterprise closed in {closed} of {len(times)} runs." if closed else
            "No enterprise closed in any run before the horizon: every curve stays at 1.")
    page.sections.append(_section(
        "Survival of enterprises",
        f"<p>Kaplan–Meier estimate of the share of runs in which no enterprise has closed yet, "
        f"one curve per {by}, with 95% bands (from {column}; runs still open are censored at "
        f"their last month). {said}</p>" + _img(figure)))


def _one_run(page: _Page, stored: StoredDesign | None, contrast: pd.DataFrame | None,
             summary: pd.DataFrame, baseline_id: int, out: Path) -> None:
    """The network of one representative run, and who benefits there (and at the design point
    that does best, in its run on the same seed where there is one)."""
    if stored is None or stored.job is None:
        return
    results, main = page.results, page.main
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


def _sensitivity(page: _Page, sensitivity: Sensitivity, out: Path) -> None:
    table = sensitivity.table
    if table.empty:
        page.notes.append("No sensitivity indices: every metric was constant or incomplete.")
        return
    index = MAIN[sensitivity.kind]
    wide = table.pivot(index="metric", columns="parameter", values=index).reindex(
        [m for m in page.results.metrics if m in set(table["metric"])])
    figures = [plots.plot_sensitivity(table[table["metric"] == m], sensitivity.kind,
                                      metric_label(m), out / f"sensitivity_{m}.png")
               for m in page.metrics if m in set(table["metric"])]
    what = {"sobol": "Sobol' total-effect index ST (share of variance, with interactions)",
            "morris": "Morris mu* (mean absolute elementary effect, in the metric's unit)",
            "lhs": "standardised regression coefficient"}[sensitivity.kind]
    skipped = "".join(f"<li>{html.escape(m)}: {html.escape(why)}</li>"
                      for m, why in sensitivity.skipped.items())
    shaded = wide.map(lambda v: f"{v:.3g}")
    body = (f"<p>{what} of every summary metric (replicates of a point averaged first); every "
            "index with its interval is in sensitivity.csv.</p>"
            + _html_table(shaded, metric_rows=True)
            + (f"<p>Without indices:</p><ul>{skipped}</ul>" if skipped else "")
            + "".join(_img(f) for f in figures))
    page.sections.append(_section("Sensitivity", body))


def _discovery(page: _Page, found: Discovery) -> None:
    text = f"<p>{_discovery_sentence(found)}</p>"
    if not found.boxes.empty:
        rows = found.boxes.drop_duplicates("box")
        text += "<ol>" + "".join(
            f"<li>{html.escape(describe_box(found.boxes, int(r.box)))}: coverage {r.coverage:.0%}"
            f", density {r.density:.0%}, {r.runs_in_box} runs ({r.mass:.0%} of all)</li>"
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
section{border-top:1px solid #ccc;margin-top:18px}
h2{font-size:18px;color:#12355b}h3{font-size:15px}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0;background:white}
td,th{border:1px solid #ddd;padding:4px 7px;text-align:right;vertical-align:top}
th{background:#eef2f7}td:first-child,th:first-child{text-align:left}
.up{color:#00734f;font-weight:bold}.down{color:#b03a00;font-weight:bold}
.notes{font-size:13px;color:#444}small{color:#555}
"""


def _html(page: _Page) -> str:
    results = page.results
    ok, failed = len(results.ok), len(results.runs) - len(results.ok)
    total = results.manifest.get("runs", {}).get("total")
    state = "" if results.complete else f"; the sweep is not finished ({len(results.runs)} of " \
        f"{total} runs stored)"
    crn = "common random numbers" if results.spec.get("common_random_numbers") else \
        "independent seeds"
    draws = (results.manifest.get("uncertainty") or {}).get("draws")
    facts = (f"{results.kind} design, {results.points} design points × "
             f"{f'{draws} uncertainty draws × ' if draws else ''}"
             f"{results.spec.get('replicates', 1)} replicates on {crn}: {ok} runs ok"
             f"{f', {failed} failed and left out' if failed else ''}{state}")
    description = results.spec.get("description") or ""
    answer = page.headline[0] if page.headline else ""
    items = "".join(f"<li>{line}</li>" for line in page.headline[1:])
    found = "".join(f"<p>{line}</p>" for line in page.found)
    lead = _img(page.lead_figure) if page.lead_figure else ""
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in page.notes)
    provenance = results.manifest.get("versions", {})
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = ("summary_by_point.csv, contrasts.csv, sensitivity.csv, discovery.csv and the PNG "
             "figures beside this page")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>se_sim report: {html.escape(results.name)}</title><style>{STYLE}</style></head>
<body><header><h1>{html.escape(results.name)}: {html.escape(metric_name(page.main))}</h1>
<p>{html.escape(description)}</p><p>{html.escape(facts)}</p></header>
<main><div id="answer"><p>{answer}</p><ul>{items}</ul>{found}</div>
<div id="lead">{lead}</div>
{"".join(page.sections)}
<section><h2>Notes</h2><ul class="notes">{notes}
<li>Intervals are 95% Student t intervals of the mean over replicates; tables of every metric:
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


def _html_table(wide: pd.DataFrame, metric_rows: bool = False) -> str:
    """A table whose cells are already HTML; metric rows get readable names."""
    if metric_rows:
        wide = wide.set_axis([html.escape(metric_label(m)) for m in wide.index])
    wide = wide.set_axis([html.escape(str(c)) for c in wide.columns], axis=1)
    return wide.fillna("").to_html(escape=False, border=0, index_names=False)


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)
