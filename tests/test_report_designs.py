"""The report reads every design kind the way it should: a grid through its main effects and
variance shares, a screen through its indices, events as shares of runs; what the page and the
printed tables claim is recomputed here from the runs."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from se_sim.analysis import plots
from se_sim.analysis.effects import factorial_effects
from se_sim.analysis.events import event_rows, event_text
from se_sim.analysis.labels import (
    METRICS,
    PARAMETERS,
    UNITS,
    metric_label,
    metric_name,
    parameter_name,
)
from se_sim.analysis.numbers import level as level_text
from se_sim.analysis.report import MAX_BULLETS, OPEN_ROWS
from se_sim.analysis.sweep_results import read_sweep
from se_sim.analysis.sweep_table import format_sweep_table, median_interval
from se_sim.analysis.wording import number, tradeoff_sentences
from se_sim.app.labels import LABELS
from se_sim.cli import main
from se_sim.model.metrics import MONTHLY
from se_sim.runner import load_runs
from se_sim.runner.experiment import load_experiment
from se_sim.scenario.errors import InputError
from tests.report_support import grid_folder, offline_page
from tests.runner_support import sweep, tiny_scenario_experiment, write_experiment


def _text(page: str) -> str:
    """The page without its embedded images (base64 may spell anything)."""
    return re.sub(r"data:image/png;base64,[^\"]+", "", page)


def _has_nan(text: str) -> bool:
    return re.search(r"\bnan\b", text, flags=re.IGNORECASE) is not None


def _first_screen(page: str) -> str:
    """The header and the answer: what a reader sees before scrolling."""
    return page[page.index("<header>"):page.index('<div id="lead">')]


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> Path:
    return grid_folder(tmp_path_factory.mktemp("grid"))


def test_grid_page_reads_main_effects_and_has_no_contrasts_without_a_baseline(grid: Path) -> None:
    assert main(["report", str(grid)]) == 0
    out = grid / "report"
    page = (out / "report.html").read_text()
    assert "Analysis: a factorial design" in page and "What each factor does" in page
    assert "Differences from" not in page and not (out / "contrasts.csv").exists()
    effects, variance = pd.read_csv(out / "effects.csv"), pd.read_csv(out / "variance.csv")
    assert list(effects.columns) == ["factor", "level", "metric", "n", "mean", "ci_low",
                                     "ci_high"]
    assert list(variance.columns) == ["term", "metric", "share", "p_value"]
    runs = pd.read_csv(out / "summary_by_point.csv")
    assert set(effects["metric"]) <= set(runs["metric"])
    events = pd.read_csv(out / "events.csv")  # a month is no mean over the runs that have one
    assert "closed_month" in set(events["metric"]) and "closed_month" not in set(runs["metric"])
    first = _first_screen(page)
    assert "What moves" in first and not _has_nan(_text(page))
    shown = ["fund_inflow_total_thb"]
    assert all(name not in first for name in shown)  # labels, not column names
    assert metric_name("fund_inflow_total_thb") in first


TRADED = ["fund_inflow_total_thb", "buyers_end", "revenue_total_thb", "members_end",
          "fund_unique_beneficiaries", "fund_balance_end_thb", "fund_grants_total_thb",
          "profit_total_thb", "member_payout_total_thb", "disposable_income_mean_thb"]


def test_grid_first_screen_shows_the_trade_off_and_the_page_the_largest_interaction(
        tmp_path: Path) -> None:
    """With several report metrics, the first screen says how each moves from the first to the
    last level of the factor that explains the lead metric most (numbers of effects.csv), in
    at most one screen of bullets; the page plots the largest two-way interaction."""
    experiment = tiny_scenario_experiment(
        tmp_path, "traded", replicates=2, report=TRADED,
        design={"kind": "grid", "fields": {"allocation.fund_share": [0.1, 0.5],
                                           "network.mean_degree": [2, 5]}})
    out = tmp_path / "out"
    sweep(experiment, out)
    assert main(["report", str(out)]) == 0
    page = (out / "report" / "report.html").read_text()
    first = _first_screen(page)
    effects = pd.read_csv(out / "report" / "effects.csv")
    variance = pd.read_csv(out / "report" / "variance.csv").set_index(["metric", "term"])
    lead = max(["allocation.fund_share", "network.mean_degree"],
               key=lambda f: variance.loc[(TRADED[0], f), "share"])
    levels = effects.loc[effects["factor"] == lead, "level"].drop_duplicates().tolist()
    assert f"Trade-offs: from {parameter_name(lead)} {levels[0]:g} to {levels[-1]:g}" in first
    rows = effects[(effects["factor"] == lead) & (effects["metric"] == "buyers_end")]
    said = (f"{metric_name('buyers_end')}: {number(rows['mean'].iloc[0], 'buyers_end')} → "
            f"<b>{number(rows['mean'].iloc[-1], 'buyers_end')}</b>")
    assert said in first
    assert 3 <= first.count("<li>") <= MAX_BULLETS  # the rest of the metrics are in the tables
    lead_figure = page[page.index('<div id="lead">'):][:60]
    assert (out / "report" / "tradeoffs.png").exists() and 'alt="tradeoffs"' in lead_figure
    assert "The largest interaction for inflow to the vulnerable fund: profit share to the " \
           "fund × ties per household" in page and (out / "report" / "interaction.png").exists()


def test_marginal_means_and_variance_shares_recomputed_on_a_known_factorial() -> None:
    """y = 10·a + 3·[b = 'high'] + noise over a 3 × 2 × 2 grid, 4 replicates: the factor a
    explains most of the variance, the additive model leaves the interactions near zero."""
    rng = np.random.default_rng(7)
    a, b, c, replicate = np.meshgrid([0, 1, 2], ["low", "high"], [0.1, 0.2], range(4),
                                     indexing="ij")
    runs = pd.DataFrame({"a": a.ravel(), "b": b.ravel(), "c": c.ravel(),
                         "replicate": replicate.ravel()})
    runs["point_id"] = runs.groupby(["a", "b", "c"], sort=False).ngroup()
    runs["y"] = 10 * runs["a"] + 3 * (runs["b"] == "high") + rng.normal(0, 0.5, len(runs))
    found = factorial_effects(runs, ["a", "b", "c"], ["y"])
    means = found.effects.set_index(["factor", "level"])
    for factor in ("a", "b", "c"):
        for level, part in runs.groupby(factor):
            row = means.loc[(factor, level)]
            per_replicate = part.groupby("replicate")["y"].mean()
            half = stats.t.ppf(0.975, 3) * per_replicate.std(ddof=1) / 2
            assert row["mean"] == pytest.approx(part["y"].mean())
            assert row["ci_low"] == pytest.approx(per_replicate.mean() - half)
            assert row["n"] == 4
    # shares by hand: sums of squares of the cell means (balanced: main effect SS = cells per
    # level × squared deviations of the level means)
    cells = runs.groupby(["a", "b", "c"])["y"].mean().reset_index()
    grand, total = cells["y"].mean(), ((cells["y"] - cells["y"].mean()) ** 2).sum()
    shares = found.variance.set_index("term")["share"]
    for factor in ("a", "b", "c"):
        level_means = cells.groupby(factor)["y"].mean()
        ss = (len(cells) / len(level_means)) * ((level_means - grand) ** 2).sum()
        assert shares[factor] == pytest.approx(ss / total)
    assert shares["a"] > 0.9 and shares["b"] > shares["c"]
    assert shares[["a × b", "a × c", "b × c"]].max() < 0.01
    assert shares.sum() == pytest.approx(1.0)
    assert found.fitted_on == "design-point means"


def test_events_are_shares_with_wilson_intervals_and_months_among_them() -> None:
    runs = pd.DataFrame({"point_id": [0] * 10 + [1] * 10,
                         "closed_month": [5.0, 9.0, 7.0] + [np.nan] * 17})
    table = event_rows(runs, "closed_month", ["point_id"]).set_index("point_id")
    low, high = proportion_confint(3, 10, alpha=0.05, method="wilson")
    assert table.loc[0, "events"] == 3 and table.loc[0, "share"] == pytest.approx(0.3)
    assert table.loc[0, "ci_low"] == pytest.approx(low) and table.loc[0, "ci_high"] == \
        pytest.approx(high)
    assert table.loc[0, "median_month"] == 7.0  # among the 3 runs where it happened
    assert table.loc[1, "events"] == 0 and table.loc[1, "ci_low"] == 0.0
    assert event_text(table.loc[1]) == "0 of 10 runs (0%, 95% CI 0% to 28%)"
    assert not _has_nan(event_text(table.loc[0]))
    many = {"events": 15, "runs": 2880, "share": 15 / 2880, "ci_low": 0.003, "ci_high": 0.009,
            "median_month": 21.0}
    assert event_text(many).startswith("15 of 2,880 runs (1%")  # thousands, as everywhere


def test_levels_and_axes_read_as_the_page_writes_numbers(tmp_path: Path, monkeypatch) -> None:
    """One number format: swept levels without float noise or exponents, axes with thousands
    separated and a minus sign, never "1e6" or "14000"."""
    assert [level_text(v) for v in (20000.0, 0.16666666666666669, 100.00000000000001, -0.5,
                               12345.0, "star")] == ["20,000", "0.1667", "100", "−0.5",
                                                     "12,345", "star"]
    drawn = {}
    monkeypatch.setattr(plots, "_save", lambda fig, path: drawn.setdefault("fig", fig) and path)
    table = pd.DataFrame({"point": ["grant", "shop"], "mean_diff": [-2000.0, 12400.0],
                          "ci_low": [-3000.0, 9700.0], "ci_high": [-1000.0, 15000.0]})
    plots.plot_contrasts(table, "inflow (THB)", "no intervention", tmp_path / "c.png")
    figure = drawn["fig"]
    figure.canvas.draw()
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert "10,000" in ticks and any(t.startswith("−") for t in ticks)


def test_an_event_heatmap_shows_shares_and_counts_never_nan(tmp_path: Path, monkeypatch) -> None:
    """A "month when" outcome's heatmap: each cell the share of runs with the event, labelled
    with its count (1/2), also where no run had it (0/2), never a month or "nan"."""
    runs = pd.DataFrame({"a": [0.1, 0.1, 0.5, 0.5] * 2, "b": [2] * 4 + [5] * 4,
                         "closed_month": [7.0, np.nan, np.nan, np.nan, 3.0, 9.0, np.nan, 4.0]})
    drawn = {}
    monkeypatch.setattr(plots, "_save", lambda fig, path: drawn.setdefault("fig", fig) and path)
    plots.plot_heatmaps(runs, ["a", "b"], "closed_month", "closure", tmp_path / "h.png",
                        event=True)
    axes = drawn["fig"].axes
    cells = sorted(t.get_text() for t in axes[0].texts)
    assert cells == ["0/2", "1/2", "1/2", "2/2"]
    assert "share of runs in which it happened" in axes[-1].get_ylabel()
    image = axes[0].images[0].get_array()
    assert np.isfinite(image).all() and sorted(image.ravel()) == [0.0, 0.5, 0.5, 1.0]


def test_tradeoffs_of_unordered_levels_go_from_lowest_to_highest() -> None:
    """Network shapes have no order: the trade-off line runs from the shape where the lead
    metric is lowest to where it is highest, not from the first listed to the last."""
    effects = pd.DataFrame({
        "factor": "shape", "level": ["star", "line", "circle"] * 2,
        "metric": ["network_ties_end"] * 3 + ["revenue_total_thb"] * 3, "n": 10,
        "mean": [5.0, 0.2, 3.0, 100.0, 90.0, 80.0], "ci_low": 0.0, "ci_high": 1.0})
    results = SimpleNamespace(ok=pd.DataFrame({"shape": ["star", "line", "circle"]}),
                              field_label=lambda f: f, level_label=lambda f, v: str(v))
    lines = tradeoff_sentences(effects, "shape", ["network_ties_end", "revenue_total_thb"],
                               results)
    assert lines[0].startswith("Trade-offs: from shape line to star, where")
    assert lines[1].startswith(f"{metric_name('network_ties_end')}: 0.2 → <b>5</b>")
    assert "90 THB → <b>100 THB</b>" in lines[2]


def test_sweep_closing_table_gives_intervals_and_events(tmp_path: Path) -> None:
    experiment = tiny_scenario_experiment(
        tmp_path, replicates=6, design={"kind": "grid", "fields": {"allocation.fund_share":
                                                                     [0.1, 0.5]}})
    out = tmp_path / "out"
    sweep(experiment, out)
    text = format_sweep_table(out, ["allocation.fund_share"], "fund_inflow_total_thb")
    assert text.startswith(f"median {metric_label('fund_inflow_total_thb')} by design point, "
                           "with its 95% interval")
    runs = load_runs(out)
    values = runs.loc[runs["allocation.fund_share"] == 0.5, "fund_inflow_total_thb"]
    median, low, high = median_interval(values)
    ci = stats.quantile_test(values.to_numpy(), q=median, p=0.5).confidence_interval(0.95)
    assert (low, high) == (ci.low, ci.high)
    line = next(row for row in text.splitlines() if row.split()[0] == "0.5")
    assert f"{low:,.0f} to {high:,.0f}" in line
    closed = format_sweep_table(out, ["allocation.fund_share"], "closed_month")
    assert "95% Wilson interval" in closed and not _has_nan(closed) and not _has_nan(text)
    assert re.search(r"\d+/6 \(\d+%\)", closed)


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    """A grid on common random numbers with a named level, labels and a baseline cell."""
    root = tmp_path_factory.mktemp("labelled")
    experiment = tiny_scenario_experiment(
        root, "labelled", replicates=2, common_random_numbers=True,
        design={"kind": "grid", "fields": {
            "allocation.fund_share": [0.1, 0.5],
            "interventions": {"named": {"none": [], "grant": [
                {"kind": "matching_grant", "month": 2, "amount_thb": 3000}]}}}},
        labels={"interventions": {"name": "support", "levels": {"none": "no support",
                                                                "grant": "a 3,000 THB grant"}}},
        baseline={"allocation.fund_share": 0.1, "interventions": "none"})
    out = root / "out"
    assert sweep(experiment, out).ok == 8
    return out


def test_named_levels_and_labels_reach_the_page_and_a_named_baseline_adds_contrasts(
        labelled: Path) -> None:
    runs = pd.read_parquet(next((labelled / "runs").glob("*.parquet")))
    assert set(runs["interventions"]) == {"none", "grant"}  # the name, not the list
    assert main(["report", str(labelled)]) == 0
    page = (labelled / "report" / "report.html").read_text()
    contrast = pd.read_csv(labelled / "report" / "contrasts.csv")
    assert set(contrast["baseline"]) == {"profit share to the fund: 0.1; support: no support"}
    grant = contrast[(contrast["metric"] == "fund_inflow_total_thb")
                     & (contrast["point"] == "profit share to the fund: 0.1; "
                                             "support: a 3,000 THB grant")]
    assert grant["mean_diff"].item() == pytest.approx(3000, abs=30)  # the grant, paired on seeds
    assert "a 3,000 THB grant" in page and "What each factor does" in page
    assert not _has_nan(_text(page))
    assert "interventions=" not in page and "allocation.fund_share" not in _first_screen(page)


def test_labels_name_only_what_the_design_varies(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, "bad", scenario="x.yaml", design={
        "kind": "grid", "fields": {"network.homophily": [0.3, 0.8]}},
        labels={"network.homophilly": {"0.3": "low"}})
    with pytest.raises(InputError, match=r"labels.network.homophilly: not a field the design "
                                         r"varies; did you mean 'network.homophily'\?"):
        load_experiment(path)


def test_a_morris_page_has_indices_and_no_contrasts(tmp_path: Path) -> None:
    experiment = tiny_scenario_experiment(
        tmp_path, "screen", replicates=1, common_random_numbers=True,
        design={"kind": "morris", "trajectories": 10, "bounds": {  # over 30 distinct points
            "allocation.fund_share": [0.0, 0.5], "network.mean_degree": [2, 8],
            "network.homophily": [0.1, 0.9]}})
    out = tmp_path / "screen"
    sweep(experiment, out)
    assert main(["report", str(out)]) == 0
    page = (out / "report" / "report.html").read_text()
    assert not (out / "report" / "contrasts.csv").exists()
    assert "Differences from" not in page and "Analysis: a sampled design" in page
    assert "Morris screening" in page and (out / "report" / "sensitivity.csv").exists()
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)
    assert max(len(h) for h in headers) < 80 and not _has_nan(_text(page))
    printed = format_sweep_table(out, ["allocation.fund_share", "network.mean_degree",
                                       "network.homophily"], "fund_inflow_total_thb")
    assert "by level of each swept parameter" in printed and "0.1667" in printed
    assert not re.search(r"\d\.\d{6}", printed)  # levels without float noise
    assert "(rows) by" not in printed  # a sample has no cells for a two-way table


def test_every_summary_metric_has_a_label_in_both_languages(grid: Path) -> None:
    """A new model output without a label would show its column name on pages and tables."""
    unlabelled = [m for m in read_sweep(grid).metrics if m not in METRICS]
    assert unlabelled == []
    assert [m for m in MONTHLY if m not in METRICS] == []  # time-series panels are titled too
    for name in [*METRICS.values(), *PARAMETERS.values()]:
        assert name.en and name.th and (not name.unit or name.unit in UNITS)
    # the teaching page's controls read the same table
    assert LABELS["profit_share"]["th"] == PARAMETERS["allocation.fund_share"].th


SHIPPED = Path(__file__).resolve().parents[1] / "experiments"
SMALL = {"households.count": 60}


@pytest.mark.parametrize(("name", "months", "size"), [
    ("morris_screen", 6, {"trajectories": 2}), ("network_formation", 12, {}),
])  # the main sweep's grid reads as the grid fixture's above
def test_shipped_experiment_pages_read_right(name: str, months: int, size: dict,
                                             tmp_path: Path) -> None:
    """Two of the issue's pages, made small (1 replicate, 60 households): no "nan", no
    contrast table against a sampled point, no column name in a heading or on the first
    screen."""
    spec = yaml.safe_load((SHIPPED / f"{name}.yaml").read_text())
    spec["scenario"] = str((SHIPPED / spec["scenario"]).resolve())
    spec["overrides"] = {**spec.get("overrides", {}), **SMALL, "months": months}
    spec["replicates"] = 1
    spec["design"] = {**spec["design"], **size}
    if spec["design"]["kind"] == "grid":  # two levels of each factor keep every section
        spec["design"]["fields"] = {f: levels[:2] if isinstance(levels, list) else
                                    {"values": [levels["start"], levels["stop"]]}
                                    if "start" in levels else levels
                                    for f, levels in spec["design"]["fields"].items()}
    spec["keep_steps"] = "none"
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    sweep(path, tmp_path / "out")
    assert main(["report", str(tmp_path / "out")]) == 0
    page = _text((tmp_path / "out" / "report" / "report.html").read_text())
    assert not _has_nan(page)
    if spec["design"]["kind"] == "morris":
        assert "Differences from" not in page
    headings = " ".join([*re.findall(r"<h[123]>(.*?)</h[123]>", page), _first_screen(page)])
    results = read_sweep(tmp_path / "out")
    raw = [m for m in results.metrics if re.search(rf"\b{m}\b", headings)]
    fields = [f for f in results.swept if f in headings]
    assert raw == [] and fields == []
    assert "month=61" not in page
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)
    assert max(len(h) for h in headers) < 120  # no header lists a sampled point's values
    assert _first_screen(page).count("<li>") <= MAX_BULLETS
    unfolded = re.sub(r"<details>.*?</details>", "", page, flags=re.S)
    assert len(unfolded) < len(page)  # something was long enough to fold
    for table in re.findall(r"<tbody>(.*?)</tbody>", unfolded, flags=re.S):
        assert table.count("<tr") <= OPEN_ROWS
    with offline_page()(tmp_path / "out" / "report" / "report.html") as (browser, _):
        height = browser.evaluate("document.documentElement.scrollHeight")
    assert height < 8000


def test_named_levels_stand_alone(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, "bad", scenario="x.yaml", design={
        "kind": "grid", "fields": {"interventions": {"named": {"none": []}, "values": [1]}}})
    with pytest.raises(InputError, match="give named levels alone"):
        load_experiment(path)
