"""The teaching app's parts that need no browser: labels, knobs, the page's model, the network
picture, stories, charts, ensembles, fonts and the ``se-sim app`` command's errors."""

from __future__ import annotations

import contextlib
import re
import socket
import string
import warnings
from dataclasses import asdict, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from se_sim.app.charts import CHARTS, Bands, ChartPicture, bands, draw_chart, shown_charts
from se_sim.app.ensemble import compared, run_ensemble
from se_sim.app.fonts import THAI_FAMILIES, use_thai_fonts
from se_sim.app.labels import LABELS, text
from se_sim.app.network_view import (
    NetworkPicture,
    draw_network,
    household_flags,
    make_view,
    view_rng,
)
from se_sim.app.settings import Settings, difference, parse_seed, profit_share_max
from se_sim.app.story import describe, events
from se_sim.app.teaching_model import TeachingModel
from se_sim.cli import main
from se_sim.model import CommunityModel
from se_sim.model.metrics import MONTHLY
from se_sim.runner.simulate import simulate
from se_sim.scenario import InputError
from tests.conftest import BANG_SAO_THONG

THAI = re.compile("[\u0e00-\u0e7f]")


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_label_has_english_and_thai_with_the_same_fields() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == {"en", "th"}, key
        assert texts["en"].strip() and texts["th"].strip(), key
        assert fields_of(texts["en"]) == fields_of(texts["th"]), key
        assert THAI.search(texts["th"]), f"{key}: the Thai text has no Thai letters"
        assert not THAI.search(texts["en"]), f"{key}: Thai letters in the English text"


def test_every_chart_series_and_knob_has_a_label(bang_sao_thong) -> None:
    for chart in CHARTS:
        assert chart.key in LABELS
        assert all(f"series.{name}" in LABELS for name in chart.series)
    assert all(name in LABELS for name in asdict(Settings.of(bang_sao_thong)) if name != "shock")
    for kind in ("covid19", "disaster", "price"):
        assert f"shock.{kind}" in LABELS


def page_model(seed: object = 0, **knobs: object) -> TeachingModel:
    from se_sim.scenario import load_scenario

    settings = replace(Settings.of(load_scenario(BANG_SAO_THONG)), **knobs)
    return TeachingModel(scenario_file=str(BANG_SAO_THONG), **asdict(settings), seed=seed)


def test_knobs_at_their_starting_values_leave_the_scenario_unchanged(bang_sao_thong) -> None:
    settings = Settings.of(bang_sao_thong)
    assert settings.profit_share == 0.2 and settings.mean_degree == 6 and settings.shock
    assert settings.shock_month == 2 and not settings.training
    assert settings.apply(bang_sao_thong, "test") == bang_sao_thong


def test_knobs_change_the_scenario_fields_they_name(bang_sao_thong) -> None:
    settings = replace(Settings.of(bang_sao_thong), profit_share=0.35, mean_degree=9,
                       homophily=0.3, newcomer_share=0.7, shock_month=5, bridging=True,
                       matching_grant=True, intervention_month=10)
    changed = settings.apply(bang_sao_thong, "test")
    assert changed.allocation.fund_share == 0.35 and changed.network.mean_degree == 9
    assert changed.network.homophily == 0.3 and changed.households.newcomer_share == 0.7
    assert changed.shocks[0].start == 5 and changed.shocks[0].duration == 12
    assert [(i.kind, i.month) for i in changed.interventions] == [("matching_grant", 10),
                                                                  ("bridging", 10)]
    assert replace(settings, shock=False).apply(bang_sao_thong, "test").shocks == []


def test_knobs_outside_the_scenario_rules_name_the_field(bang_sao_thong) -> None:
    too_much = profit_share_max(bang_sao_thong) + 0.1
    with pytest.raises(InputError, match="fund_share"):
        replace(Settings.of(bang_sao_thong), profit_share=too_much).apply(bang_sao_thong, "test")


def test_seeds_typed_as_text_are_read_and_bad_ones_refused() -> None:
    assert parse_seed("7") == 7 and parse_seed(" 12 ") == 12 and parse_seed(3) == 3
    for bad in ("abc", "1.5", "", "-1", -4, True):
        with pytest.raises(ValueError):
            parse_seed(bad)


def test_the_page_model_runs_exactly_as_the_community_model(bang_sao_thong) -> None:
    page = page_model(seed="5", mean_degree=8.0)
    for _ in range(6):
        page.step()
    scenario = replace(Settings.of(bang_sao_thong), mean_degree=8.0).apply(bang_sao_thong, "t")
    plain, _ = simulate(CommunityModel(scenario, rng=5), 6, "month")
    pd.testing.assert_frame_equal(page.datacollector.get_model_vars_dataframe().reset_index(
        drop=True), plain.drop(columns="month"))
    assert page.problems == [] and len(page.history) == 7


def test_bad_knobs_are_reported_and_a_valid_run_is_built() -> None:
    page = page_model(seed="x1", profit_share=0.9)
    keys = [key for key, _ in page.problems]
    assert keys == ["settings_problem", "bad_seed"]
    assert "fund_share" in page.problems[0][1]["problem"]
    assert page.seed == 0 and page.config.allocation.fund_share == 0.2


def test_the_picture_is_seeded_and_never_moves_the_model(bang_sao_thong) -> None:
    a, b, c = page_model(seed=3), page_model(seed=3), page_model(seed=4)
    np.testing.assert_array_equal(a.view.xy, b.view.xy)
    assert not np.array_equal(a.view.xy, c.view.xy)
    draw_network(a, a.view, "en", picked=5)
    a.step()
    b.step()
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe())


def test_large_communities_are_drawn_through_a_sample_with_groups_apart() -> None:
    newcomer = np.random.default_rng(0).random(3000) < 0.4
    view = make_view(newcomer, view_rng(1), cap=1000)
    assert view.sampled and view.drawn.size == 1000 and view.total == 3000
    assert np.all(np.diff(view.drawn) > 0)
    x = view.xy[:, 0]
    assert np.all(x[newcomer[view.drawn]] > 0) and np.all(x[~newcomer[view.drawn]] < 0)


def test_ties_between_the_groups_are_the_highlighted_lines() -> None:
    model = page_model(seed=2)
    picture = NetworkPicture(model, model.view, "th")
    within, cross = len(picture.ties["tie"]), len(picture.ties["cross_tie"])
    newcomer = model.households.newcomer
    expected_cross = int((newcomer[model.network.u] != newcomer[model.network.v]).sum())
    assert cross == expected_cross and within + cross == model.network.edge_count
    assert "ใครรู้จักใคร" in picture.figure.texts[0].get_text()


def test_ties_are_painted_in_orange_across_the_gap_between_the_groups() -> None:
    model = page_model(seed=2)
    picture = NetworkPicture(model, model.view, "en")

    def gap() -> np.ndarray:  # the pixels around the middle of the gap between the two discs
        picture.jpeg()
        pixels = np.asarray(picture.snapshot.canvas.buffer_rgba())[..., :3].astype(int)
        x, y = picture.ax.transData.transform((0.0, 0.0))
        row, column = round(pixels.shape[0] - y), round(x)
        return pixels[row - 40:row + 40, column - 5:column + 5]

    painted = gap()
    assert (painted[..., 0] - painted[..., 2]).mean() > 20  # orange: more red than blue
    picture.ties = {kind: segments[:0] for kind, segments in picture.ties.items()}
    assert (gap() == 255).all()  # without ties the gap is white


def test_a_kept_network_picture_shows_the_same_month_as_a_new_one() -> None:
    model = page_model(seed=2)
    kept = NetworkPicture(model, model.view, "en", picked=4)
    first = kept.jpeg()
    for _ in range(4):
        model.step()
        kept.update(model)
    now = kept.jpeg()
    assert now == NetworkPicture(model, model.view, "en", picked=4).jpeg()
    assert now != first


def test_a_kept_chart_draws_the_run_so_far_over_a_background_kept_while_values_fit() -> None:
    run = pd.DataFrame({"fund_balance_thb": [0.0, 10.0, 20.0, 30.0, 15.0],
                        "fund_grants_total_thb": [0.0, 1.0, 2.0, 3.0, 4.0],
                        "shock_active": [0.0, 1.0, 1.0, 0.0, 0.0]})
    picture = ChartPicture(CHARTS[0], run.iloc[:1], 12, "en")
    picture.png()
    for months in range(2, 5):
        picture.update(run.iloc[:months])
        layered = picture.png()  # the axis grew: y axis, bands and legend drawn over the still
        picture.snapshot.still = picture.snapshot.background = None
        assert picture.png() == layered
    limits = picture.ax.get_ylim()
    assert limits[0] <= 0.0 and limits[1] >= 30.0
    picture.update(run)  # 15 fits: the axis, and so the drawn background, stay
    kept = picture.png()
    assert picture.ax.get_ylim() == limits and len(picture.ax.patches) == 2
    np.testing.assert_array_equal(picture.lines["fund_balance_thb"].get_ydata(),
                                  run["fund_balance_thb"])
    picture.snapshot.still = picture.snapshot.background = None  # everything drawn anew
    assert picture.png() == kept


@pytest.mark.parametrize("banded", [True, False])
def test_a_kept_chart_is_drawn_as_a_whole_figure_when_its_axis_grows(banded: bool) -> None:
    """When the y limits change, the y axis and bands (and the legend above them) are drawn
    again over the still layer: the kept background then has the pixels of the figure drawn
    whole (without the run's lines, drawn over it)."""
    run = pd.DataFrame({"fund_balance_thb": [0.0, 10.0, 40.0, 45.0, 90.0],
                        "fund_grants_total_thb": [0.0, 1.0, 2.0, 3.0, 4.0]})
    band = np.array([np.linspace(0, 20, 13), np.linspace(0, 30, 13), np.linspace(0, 40, 13)])
    picture = ChartPicture(CHARTS[0], run.iloc[:1], 12, "en",
                           Bands(runs=5, quantiles={"fund_balance_thb": band}) if banded else None)
    grown = 0
    for months in range(1, len(run) + 1):
        limits = picture.ax.get_ylim()
        picture.update(run.iloc[:months])
        picture.png()
        if picture.ax.get_ylim() == limits and months > 1:
            continue
        grown += 1
        snapshot, canvas = picture.snapshot, picture.snapshot.canvas
        canvas.restore_region(snapshot.background)
        kept = np.array(canvas.buffer_rgba())
        for artist in snapshot.moving:
            artist.set_visible(False)
        for artist in snapshot.keyed:
            artist.set_animated(False)
        canvas.draw()
        np.testing.assert_array_equal(np.array(canvas.buffer_rgba()), kept)
        for artist in snapshot.moving:
            artist.set_visible(True)
    assert grown >= 3  # the first month and at least two new limits
    assert (picture.ax.get_legend() in picture.snapshot.keyed) == banded  # else drawn once


def test_household_marks_follow_the_model_state_it_finds() -> None:
    households = SimpleNamespace(n=3, newcomer=np.array([True, False, False]),
                                 enterprise=np.array([0, -1, -1]),
                                 purchases_thb=np.array([0.0, 60.0, 0.0]))
    flags = household_flags(households)
    assert flags["member"].tolist() == [True, False, False]
    assert flags["buying"].tolist() == [False, True, False]
    assert not flags["food_insecure"].any() and not flags["helped"].any()
    del households.purchases_thb
    assert "buying" not in household_flags(households)


def test_a_story_tells_the_months_in_which_things_happened() -> None:
    def record(garden: bool, grants: float, enterprise: int, income: float) -> dict:
        return {"garden": np.array([garden]), "grants_thb": np.array([grants]),
                "enterprise": np.array([enterprise]), "income": np.array([income]),
                "food_secure": np.array([True])}

    history = [record(False, 0, -1, 10_000), record(True, 0, -1, 10_000),
               record(True, 250, 0, 4_000), record(False, 250, -1, 10_000)]
    told = [(month, key) for month, key, _ in events(history, 0, ["shop"])]
    assert told == [(1, "event.garden_started"), (2, "event.grant"), (2, "event.joined"),
                    (2, "event.income_fell"), (3, "event.garden_stopped"), (3, "event.left"),
                    (3, "event.income_rose")]


def test_a_helped_household_story_mentions_its_grant() -> None:
    model = page_model(seed=1)
    for _ in range(12):
        model.step()
    helped = np.flatnonzero(model.households.grants_thb > 0)
    assert helped.size, "the fund helped nobody in 12 months"
    who, now, told = describe(model, int(helped[0]), "en")
    assert f"Household {helped[0]}" in who
    assert f"grants received {model.households.grants_thb[helped[0]]:,.0f} THB" in now
    assert f"; {model.network.degree[helped[0]]} ties (" in now
    grant = model.vulnerable_fund.config.grant_thb
    assert any(f"grant of {grant:,.0f} THB" in line for line in told)


def test_charts_keep_only_what_the_model_records() -> None:
    shown = shown_charts(MONTHLY)
    assert [c.key for c in shown][:2] == ["chart.fund", "chart.food"]
    assert all(name in MONTHLY for chart in shown for name in chart.series)
    assert shown_charts(["fund_balance_thb"])[0].series == ("fund_balance_thb",)
    assert shown_charts(["something_else"]) == []


def test_bands_are_median_and_90_percent_over_replicates() -> None:
    steps = pd.DataFrame({"month": np.repeat([0, 1], 21), "x": np.tile(np.arange(21.0), 2)})
    low, median, high = bands(steps, ["x", "missing"])["x"][:, 1]
    assert (low, median, high) == (1.0, 10.0, 19.0)


def test_ensemble_on_the_local_backend_matches_single_runs(bang_sao_thong) -> None:
    small = bang_sao_thong.model_copy(update={"months": 6})
    result = run_ensemble(small, Settings.of(small), [4, 5, 6], ["members", "fund_balance_thb"],
                          workers=2)
    assert result.failed == 0 and result.bands.runs == 3 and result.seeds == (4, 5, 6)
    singles = [simulate(CommunityModel(small, rng=s), 6, "month")[0]["members"] for s in (4, 5, 6)]
    np.testing.assert_allclose(result.bands.quantiles["members"][1],
                               np.median(np.stack(singles), axis=0))


def test_a_switch_is_compared_with_the_same_settings_without_it(bang_sao_thong) -> None:
    small = bang_sao_thong.model_copy(update={"months": 2})
    with_covid = Settings.of(small)
    without, channel = replace(with_covid, shock=False), replace(with_covid, market_channel=True)
    done = [run_ensemble(s.apply(small, "t"), s, [0], ["members"], backend="serial")
            for s in (with_covid, without)]  # oldest first, as in the lesson
    newest_first = done[::-1]
    current, earlier = compared(newest_first, channel.apply(small, "t"), channel)
    assert current is None and earlier.settings == with_covid
    current, earlier = compared(newest_first, without.apply(small, "t"), without)
    assert current.settings == without and earlier.settings == with_covid


def test_thai_charts_render_without_missing_glyphs() -> None:
    assert use_thai_fonts() in THAI_FAMILIES, "no Thai font: run scripts/ensure-browser"
    run = pd.DataFrame({"fund_balance_thb": [0.0, 5.0, 9.0], "fund_grants_total_thb": [0, 1, 2],
                        "shock_active": [0.0, 1.0, 1.0]})
    quantiles = {"fund_balance_thb": np.tile([[0.0], [1.0], [2.0]], 4)}
    figure = draw_chart(CHARTS[0], run, 3, "th", Bands(20, quantiles), Bands(20, quantiles),
                        text("earlier", "th", difference="x"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "Glyph .* missing")
        figure.savefig(Path("/dev/null"), format="png")
    assert figure.axes[0].get_title() == "กองทุนผู้เปราะบาง (บาท)"


def test_the_earlier_ensemble_is_named_by_what_differed(bang_sao_thong) -> None:
    now = Settings.of(bang_sao_thong)
    earlier = replace(now, shock=False, profit_share=0.5)
    assert difference(earlier, now, "covid19", "en") == (
        "Profit share to the fund: 0.5, COVID-19 shock: off")
    assert difference(earlier, now, "covid19", "th") == (
        "ส่วนแบ่งกำไรเข้ากองทุน: 0.5, วิกฤตโควิด-19: ปิด")
    assert difference(now, now, "covid19", "en") == ""


def test_app_command_refuses_a_bad_scenario_and_a_busy_port(capsys, tmp_path) -> None:
    assert main(["app", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: no such file" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", str(BANG_SAO_THONG), "--port", str(port)]) == 2
    assert f"--port {port}: cannot listen there" in capsys.readouterr().err
    assert main(["app", str(BANG_SAO_THONG), "--class", "--runs", "0"]) == 2
    assert "--runs 0: the runs per group's choice must be 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_app_command_refuses_a_port_out_of_range(port: str, capsys) -> None:
    assert main(["app", str(BANG_SAO_THONG), "--port", port]) == 2
    assert capsys.readouterr().err == (
        f"error: --port {port}: not a port; allowed are 0 to 65535 (0 picks a free one)\n")


def test_app_command_blames_an_unknown_host_not_the_port(capsys) -> None:
    assert main(["app", str(BANG_SAO_THONG), "--host", "no.such.host.invalid"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: --host no.such.host.invalid: no such host or address (")
    assert "--port" not in line


def test_app_on_port_0_says_its_port_is_quiet_and_stops_with_130_on_sigterm() -> None:
    """The URL printed names the port chosen; the first request prints no Solara cookie
    warning; SIGTERM exits 130 as the README says."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    app = subprocess.Popen(
        [sys.executable, "-m", "se_sim.cli", "app", str(BANG_SAO_THONG), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True)
    import threading

    def kill_all() -> None:  # the server too: it holds the pipes open, and the reading below
        with contextlib.suppress(ProcessLookupError):
            os.killpg(app.pid, signal.SIGKILL)

    deadline = threading.Timer(60, kill_all)  # a server that never says where it is: fail
    deadline.start()
    try:
        line = next((line for line in app.stdout if line.startswith("se-sim app:")), "")
        match = re.search(r"at (http://127\.0\.0\.1:(\d+)/) ", line)
        assert match and int(match[2]) > 0, line
        with urllib.request.urlopen(match[1], timeout=60) as page:
            assert page.status == 200
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=30)
    finally:
        deadline.cancel()
        kill_all()
    assert app.returncode == 130
    assert "samesite" not in err.lower()
