"""The teaching page: Mesa's SolaraViz with se_sim's pictures, in Thai or English.

Started by ``se-sim app`` (``solara run`` on this file). SolaraViz gives the app bar, the
Step / Play / Reset controls and the knobs (which, as in every SolaraViz page, take effect on
Reset); the page adds the language switch, the scenario picker, the network, counters,
enterprises, a household's story, the charts and the ensemble. Module-level ``solara.reactive``
values are per browser session; each session also builds its own model.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import asdict
from html import escape
from pathlib import Path
from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from solara.alias import rw

from se_sim.app.board_chart import draw_board
from se_sim.app.charts import Chart, ChartPicture, shown_charts
from se_sim.app.class_board import (
    OUTCOMES,
    POLICIES,
    BoardError,
    ClassBoard,
    chosen_groups,
    ranking,
    run_group,
    runs_table,
)
from se_sim.app.controls import use_readable_knobs
from se_sim.app.ensemble import Ensemble, compared, run_ensemble
from se_sim.app.fonts import use_thai_fonts
from se_sim.app.labels import LANGUAGES, Language, baht, metric_label, text
from se_sim.app.network_view import NetworkPicture, household_flags
from se_sim.app.settings import (
    INTERVENTION_KINDS,
    Settings,
    describe_settings,
    difference,
    profit_share_max,
)
from se_sim.app.story import describe, first_with
from se_sim.app.teaching_model import TeachingModel
from se_sim.scenario import InputError, Scenario, load_scenario

use_thai_fonts()
use_readable_knobs()

START = Path(os.environ.get("SE_SIM_APP_SCENARIO", "scenarios/bang_sao_thong.yaml")).resolve()
CSS = """
.v-application { font-family: Roboto, Loma, Garuda, "Noto Sans Thai", sans-serif !important; }
.se-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr));
           gap: 8px; width: 100%; }
.se-grid img, .se-wide img { max-width: 100%; height: auto; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }  /* label above its slider: Thai labels */
.v-input__slider .v-input__slot > .v-label { width: 100%; margin-bottom: 4px; }
.se-knob .v-slider { margin-top: 30px; }  /* room for the value on the knob, below its label */
.v-tab.se-page-tab { letter-spacing: normal; }  /* spaced letters split Thai vowel marks */
"""

# Class mode (``se-sim app --class``): one board for every session of this server.
CLASS_MODE = os.environ.get("SE_SIM_CLASS") == "1"
CLASS_RUNS = int(os.environ.get("SE_SIM_CLASS_RUNS", "20"))
CLASS_ADDRESS = os.environ.get("SE_SIM_CLASS_ADDRESS", "")
BOARD = ClassBoard(Path(os.environ.get("SE_SIM_CLASS_DIR", "results/class")) / "board.json") \
    if CLASS_MODE else None
BOARD_POLL_S = 0.5

COUNTERS = ("members", "fund_inflow_total_thb", "garden_reach_households", "revenue_thb")

language: solara.Reactive[Language] = solara.reactive("en")
scenario_file = solara.reactive(str(START))
scenario_error = solara.reactive("")
KEPT_ENSEMBLES = 4
ensembles: solara.Reactive[tuple[Ensemble, ...]] = solara.reactive(())  # newest first
runs = solara.reactive(20)
picked = solara.reactive(0)
extra_metric = solara.reactive("poverty_rate")
group_token = solara.reactive("")  # a student page's private token, kept in its session
group_message = solara.reactive("")


def model_params(scenario: Scenario, path: str, lang: Language) -> dict[str, Any]:
    """SolaraViz's knobs for a scenario: its own values to start, labels in ``lang``."""
    start = Settings.of(scenario)
    last_month = max(scenario.months - 1, 1)  # month 0 is the start: events begin in month 1

    def slider(name: str, low: float, high: float, step: float, unit: str) -> dict[str, Any]:
        value = getattr(start, name)
        kind = "SliderInt" if isinstance(value, int) else "SliderFloat"
        return {"type": kind, "label": text(name, lang), "value": value, "unit": text(unit, lang),
                "min": min(low, value), "max": max(high, value), "step": step}

    def switch(name: str, label: str) -> dict[str, Any]:
        return {"type": "Checkbox", "label": label, "value": getattr(start, name)}

    return {
        "scenario_file": path,
        "profit_share": slider("profit_share", 0.0, profit_share_max(scenario), 0.05,
                               "unit.share"),
        "mean_degree": slider("mean_degree", 1.0, 20.0, 0.5, "unit.ties"),
        "homophily": slider("homophily", 0.0, 0.95, 0.05, "unit.share"),
        "newcomer_share": slider("newcomer_share", 0.05, 0.95, 0.05, "unit.share"),
        "shock": switch("shock", text(f"shock.{shock_kind(scenario)}", lang)),
        "shock_month": slider("shock_month", 1, last_month, 1, "unit.month"),
        **{kind: switch(kind, text(kind, lang)) for kind in INTERVENTION_KINDS},
        "intervention_month": slider("intervention_month", 1, last_month, 1, "unit.month"),
        "seed": {"type": "InputText", "label": text("seed", lang), "value": "0"},
    }


Parts = tuple[str | tuple[str], ...]


def markup(parts: Parts) -> str:
    """Text with bold parts (given as 1-tuples) as HTML."""
    return "".join(f"<b>{escape(p[0])}</b>" if isinstance(p, tuple) else escape(p)
                   for p in parts).replace("\n", "<br>")


def paragraph(*parts: str | tuple[str], classes: list[str] | None = None) -> None:
    """Text with bold parts (given as 1-tuples), without Markdown: solara's Markdown asks a CDN
    for its maths fonts, which an offline classroom does not reach."""
    solara.HTML(tag="p", unsafe_innerHTML=markup(parts), classes=classes or [],
                style="margin: 0 0 4px 0")


def paragraphs(texts: list[Parts], classes: list[str] | None = None) -> None:
    """Several paragraphs in one element: a STEP that changes them sends one message to the
    browser, not one per line (each message is a round trip through the server's threads)."""
    solara.HTML(tag="div", unsafe_innerHTML="".join(
        f"<p style='margin: 0 0 4px 0'>{markup(parts)}</p>" for parts in texts),
        classes=classes or [])


def shock_kind(scenario: Scenario) -> str:
    return scenario.shocks[0].kind if scenario.shocks else "covid19"


def first_model(path: str) -> TeachingModel:
    return TeachingModel(scenario_file=path, **asdict(Settings.of(load_scenario(path))), seed=0)


def choose_scenario(name: str) -> None:
    path = str(Path(scenario_file.value).parent / name)
    try:
        load_scenario(path)
    except InputError as error:
        scenario_error.set(text("scenario_bad", language.value, file=name,
                                problem="; ".join(error.lines)))
        return
    scenario_error.set("")
    scenario_file.set(path)


@solara.lab.task(prefer_threaded=True)
def ensemble_task(model: TeachingModel, count: int) -> Ensemble:
    def progress(done: int) -> None:
        ensemble_task.progress = 100.0 * done / count

    seeds = range(model.seed, model.seed + count)
    series = list(model.datacollector.model_vars)
    result = run_ensemble(model.config, model.settings, seeds, series, progress)
    ensembles.set((result, *ensembles.value)[:KEPT_ENSEMBLES])
    return result


def bands_for(model: TeachingModel) -> tuple[Ensemble | None, Ensemble | None]:
    return compared(ensembles.value, model.config, model.settings)


def earlier_label(earlier: Ensemble, model: TeachingModel, lang: Language) -> str:
    kind = shock_kind(earlier.scenario if earlier.scenario.shocks else model.config)
    return difference(earlier.settings, model.settings, kind, lang) or earlier.scenario.name


@solara.component
def LanguageSwitch() -> None:
    names = {name: code for code, name in LANGUAGES.items()}
    solara.ToggleButtonsSingle(value=LANGUAGES[language.value], values=list(names),
                               on_value=lambda name: language.set(names[name]),
                               classes=["se-language"])


def page_tabs(lang: Language) -> None:
    """Tabs to the teacher's and the groups' pages, named in the page's language (the label of
    each route is a label key). Solara's own tabs, shown when the app bar has none, name the
    routes by their paths ("HOME", "STUDENT") in English only. Called inside ``solara.AppBar``
    by the page component (not a component itself: the app's layout looks for a Tabs element
    among the app bar's children)."""
    route, routes = solara.use_route(level=-1)
    router = solara.use_router()
    paths = [solara.resolve_path(r, level=-1) for r in routes]
    with solara.lab.Tabs(value=routes.index(route) if route in routes else 0,
                         on_value=lambda index: router.push(paths[index]), align="center"):
        for each in routes:
            solara.lab.Tab(text(each.label, lang), classes=["se-page-tab"])


@solara.component
def ScenarioPicker() -> None:
    lang = language.value
    folder = Path(scenario_file.value).parent
    names = sorted(p.name for p in folder.glob("*.yaml"))
    with solara.Card(text("scenario", lang)):
        solara.Select(text("scenario", lang), values=names, value=Path(scenario_file.value).name,
                      on_value=choose_scenario)
        if scenario_error.value:
            solara.Error(scenario_error.value)
        paragraph(text("how_to", lang))


@solara.component
def Problems(model: TeachingModel) -> None:
    update_counter.get()
    for key, values in getattr(model, "problems", []):
        solara.Warning(text(key, language.value, **values))


@solara.component
def NetworkPanel(model: TeachingModel) -> None:
    update_counter.get()
    lang = language.value
    picture = solara.use_memo(lambda: NetworkPicture(model, model.view, lang, picked.value),
                              [model, lang, picked.value])
    with solara.Div(classes=["se-wide", "se-network"]):
        picture.update(model)
        rw.Image(value=picture.jpeg(), format="jpeg")
        solara.Text(text("network_help", lang), style={"font-size": "0.85em"})


@solara.component
def Overview(model: TeachingModel) -> None:
    update_counter.get()
    lang = language.value
    hh = model.households
    flags = household_flags(hh)
    rows = [
        ("month", text("of_months", lang, month=model.month, months=model.config.months)),
        ("members", f"{int(flags['member'].sum())}"),
        ("fund_balance", baht(model.vulnerable_fund.balance, lang)),
        ("people_helped", f"{getattr(model.vulnerable_fund, 'unique_beneficiaries', 0)}"),
        ("food_insecure", f"{int(flags['food_insecure'].sum())}"),
        ("garden_reach", f"{int((hh.garden | hh.receives_produce).sum())}"),
        ("cross_share", f"{model.network.cross_group_share():.1%}"),
        ("trust", f"{float(hh.trust_outgroup.mean()):.2f}"),
    ]
    if "buying" in flags:
        rows.append(("buyers", f"{int(flags['buying'].sum())}"))
    with solara.Card(text("overview", lang), margin=0):
        paragraphs([(f"{text(key, lang)}: ", (value,)) for key, value in rows])
        if getattr(model.events, "any_shock", False):
            shock = text(f"shock.{shock_kind(model.config)}", lang)
            solara.Warning(text("shock_now", lang, shock=shock), dense=True)
        settings = describe_settings(model.settings, shock_kind(model.config), lang)
        paragraph(text("this_run_settings", lang,
                       settings=f"{model.config.name}: {settings}, seed {model.seed}"),
                  classes=["se-settings", "text-caption"])
    with solara.Card(text("enterprises", lang), margin=0):
        paragraphs([enterprise_parts(enterprise, hh, lang)
                    for enterprise in model.enterprise_list])


def enterprise_parts(enterprise: Any, hh: Any, lang: Language) -> Parts:
    """An enterprise this month: name and state, members, money."""
    members = enterprise.members()
    newcomers = int(hh.newcomer[members].sum())
    closed = getattr(enterprise, "closed_month", None)
    state = text("open", lang) if getattr(enterprise, "active", True) else text(
        "closed", lang, month=closed)
    return (
        (enterprise.name,), f" ({state})\n"
        + text("member_count", lang, total=members.size, original=members.size - newcomers,
               newcomer=newcomers)
        + f"\n{text('cash', lang)} {baht(enterprise.cash, lang)} · "
        f"{text('reserve', lang)} {baht(enterprise.reserve, lang)}\n"
        f"{text('sales', lang)} {baht(getattr(enterprise, 'revenue', 0.0), lang)} · "
        f"{text('profit', lang)} {baht(getattr(enterprise, 'profit', 0.0), lang)}"
    )


@solara.component
def RunSettings(model: TeachingModel) -> None:
    """The settings of the run on the charts, kept in sight above them."""
    update_counter.get()
    lang = language.value
    settings = describe_settings(model.settings, shock_kind(model.config), lang)
    solara.Info(text("this_run_settings", lang,
                     settings=f"{model.config.name}: {settings}, seed {model.seed}"),
                dense=True, classes=["se-settings-charts"])


@solara.component
def Counters(model: TeachingModel) -> None:
    """This month's outputs as plain numbers, out of sight, for the browser tests to read."""
    update_counter.get()
    last = model.monthly().iloc[-1]
    values = {"month": model.month, **{name: f"{last[name]:.6g}" for name in COUNTERS
                                      if name in last}}
    solara.HTML(tag="div", style={"display": "none"}, unsafe_innerHTML="".join(
        f"<span class='se-counter-{name}'>{value}</span>" for name, value in values.items()))


@solara.component
def Story(model: TeachingModel) -> None:
    update_counter.get()
    lang = language.value
    hh = model.households
    index = min(max(picked.value, 0), hh.n - 1)
    flags = household_flags(hh)
    drawn = model.view.drawn
    quick = {"pick.helped": flags["helped"], "pick.insecure": flags["food_insecure"],
             "pick.member": flags["member"] & flags["newcomer"]}
    with solara.Card(text("story", lang), margin=0, classes=["se-story"]):
        solara.InputInt(text("household_number", lang), value=index,
                        on_value=lambda i: picked.set(min(max(int(i or 0), 0), hh.n - 1)))
        with solara.Row(style={"flex-wrap": "wrap"}):
            for key, flag in quick.items():
                found = first_with(flag, drawn)
                solara.Button(text(key, lang) if found is not None else
                              f"{text(key, lang)}: {text('pick.none', lang)}",
                              on_click=lambda found=found: picked.set(found),
                              disabled=found is None, small=True, outlined=True)
        who, now, told = describe(model, index, lang)
        paragraph((who,), f" {now}")
        paragraph((text("story.events", lang),), "\n" + (
            "\n".join(told) if told else text("story.quiet", lang)), classes=["se-events"])


@solara.component
def EnsemblePanel(model: TeachingModel) -> None:
    update_counter.get()
    lang = language.value
    current, earlier = bands_for(model)
    with solara.Card(text("ensemble", lang), margin=0, classes=["se-ensemble"]):
        solara.SliderInt(text("replicates", lang), value=runs, min=5, max=100, step=5)
        paragraph(text("ensemble_help", lang, first=model.seed, last=model.seed + runs.value - 1))
        solara.Button(text("run_ensemble", lang), color="primary",
                      on_click=lambda: ensemble_task(model, runs.value),
                      disabled=ensemble_task.pending, classes=["se-run-ensemble"])
        if ensemble_task.pending:
            done = round((ensemble_task.progress or 0) * runs.value / 100)
            solara.ProgressLinear(ensemble_task.progress or True)
            solara.Text(text("ensemble_running", lang, done=done, n=runs.value))
        elif ensemble_task.error:
            solara.Error(str(ensemble_task.exception))
        if current is not None and not ensemble_task.pending:
            solara.Success(text("ensemble_done", lang, n=current.bands.runs,
                                seconds=current.seconds), classes=["se-ensemble-done"])
            if current.failed:
                solara.Error(text("ensemble_failed", lang, failed=current.failed,
                                  n=len(current.seeds), error=current.first_error))
        if earlier is not None:
            solara.Info(text("ensemble_earlier", lang,
                             difference=earlier_label(earlier, model, lang)))


@solara.component
def ChartPanel(model: TeachingModel, chart: Chart) -> None:
    update_counter.get()
    lang = language.value
    current, earlier = bands_for(model)
    table = model.monthly()
    label = earlier_label(earlier, model, lang) if earlier else ""
    picture = solara.use_memo(
        lambda: ChartPicture(chart, table, model.config.months, lang, current and current.bands,
                             earlier and earlier.bands, text("earlier", lang, difference=label),
                             shock=bool(model.config.shocks)),
        [model, chart, lang, current, earlier, label])
    with solara.Div(classes=["se-chart", f"se-{chart.key.replace('.', '-')}"]):
        picture.update(table)
        rw.Image(value=picture.png(), format="png")


@solara.component
def AnyOutput(model: TeachingModel) -> None:
    update_counter.get()
    lang = language.value
    names = [n for n in model.datacollector.model_vars if n != "shock_active"]
    metric = extra_metric.value if extra_metric.value in names else names[0]
    with solara.Div(classes=["se-chart", "se-chart-any"]):
        solara.Select(text("chart.pick", lang), values=names, value=metric,
                      on_value=extra_metric.set, dense=True)
        solara.Text(metric_label(metric, lang))
        ChartPanel(model, Chart("chart.any", (metric,)))


@solara.component
def Page() -> None:
    lang = language.value
    path = scenario_file.value
    scenario = solara.use_memo(lambda: load_scenario(path), [path])
    model = solara.use_reactive(solara.use_memo(lambda: first_model(path), [path]))
    solara.Style(CSS)
    solara.Title(text("title", lang))
    with solara.AppBar():
        LanguageSwitch()
        page_tabs(lang)
    with solara.Sidebar():
        ScenarioPicker()
    SolaraViz(model, components=[], model_params=model_params(scenario, path, lang),
              name=text("title", lang), play_interval=300).key(path)
    current = model.value
    with solara.Column(style={"width": "100%"}):
        if BOARD is not None:
            ClassBoardPanel(path)
        Problems(current)
        Counters(current)
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(style={"flex": "3 1 560px"}):
                NetworkPanel(current)
            with solara.Column(style={"flex": "2 1 320px"}):
                Overview(current)
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(style={"flex": "1 1 380px"}):
                EnsemblePanel(current)
            with solara.Column(style={"flex": "1 1 380px"}):
                Story(current)
        RunSettings(current)
        with solara.Div(classes=["se-grid"]):
            for chart in shown_charts(current.datacollector.model_vars):
                ChartPanel(current, chart)
            AnyOutput(current)


def policy_label(policy: str, lang: Language) -> str:
    return text("class.none" if policy == "none" else policy, lang)


def choice_label(policy: str, share: float | None, lang: Language) -> str:
    return text("class.choice", lang, policy=policy_label(policy, lang), share=share or 0.0)


def use_board_version() -> int:
    """The board's version, re-read every half second: other sessions change the board."""
    version, set_version = solara.use_state(BOARD.version if BOARD else 0)

    def poll() -> None:
        while BOARD is not None:
            time.sleep(BOARD_POLL_S)
            set_version(BOARD.version)

    solara.use_thread(poll, dependencies=[])
    return version


@solara.lab.task(prefer_threaded=True)
def class_round_task(path: str) -> None:
    """Run every chosen group's ensemble, one after the other, on the board's common seeds."""
    base = load_scenario(path)
    groups = chosen_groups(BOARD.state.groups.values())
    for done, group in enumerate(groups):
        class_round_task.progress = 100.0 * done / max(len(groups), 1)
        BOARD.record(group.name, run_group(BOARD, group, base, Path(path).name, CLASS_RUNS))


def board_png(lang: Language) -> bytes:
    buffer = io.BytesIO()
    draw_board(BOARD.state.results, lang).savefig(buffer, format="png")
    return buffer.getvalue()


def board_csv() -> bytes:
    import pandas as pd

    return pd.DataFrame(runs_table(BOARD.state.results)).to_csv(index=False).encode("utf-8")


@solara.component
def ClassBoardPanel(path: str) -> None:
    """The teacher's view of the class: code and address, the groups, and the board."""
    use_board_version()
    lang = language.value
    state = BOARD.state
    chosen = chosen_groups(state.groups.values())
    address = f"{CLASS_ADDRESS.rstrip('/')}/student"
    with solara.Card(text("class.board", lang, round=state.round), classes=["se-class-board"]):
        join_here = escape(text("class.join_here", lang, address=address))
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<span style='font-size:1.6em'>{join_here} "
            f"<b class='se-join-code' style='font-size:1.4em'>{escape(state.code)}</b></span>"))
        paragraph(text("class.groups", lang, n=len(state.groups), chosen=len(chosen)),
                  classes=["se-class-count"])
        for group in state.groups.values():
            paragraph((group.name,), ": " + (choice_label(group.policy, group.profit_share, lang)
                                             if group.chosen else "…"),
                      classes=["se-class-group"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            def lock_and_run() -> None:
                BOARD.lock()
                class_round_task(path)

            solara.Button(text("class.lock", lang), color="primary", on_click=lock_and_run,
                          disabled=state.locked or not chosen, classes=["se-class-lock"])
            solara.Button(text("class.unlock", lang), on_click=lambda: BOARD.lock(False),
                          disabled=not state.locked or class_round_task.pending)
            solara.Button(text("class.reveal", lang), on_click=BOARD.reveal,
                          disabled=not state.results or state.revealed
                          or class_round_task.pending,
                          classes=["se-class-reveal"])
            solara.Button(text("class.reset", lang), on_click=BOARD.reset,
                          disabled=class_round_task.pending, classes=["se-class-reset"])
        if class_round_task.pending:
            solara.ProgressLinear(class_round_task.progress or True)
        elif class_round_task.error:
            solara.Error(str(class_round_task.exception))
        if state.results and not state.revealed:
            solara.Info(text("class.hidden", lang))
        if state.results and state.revealed:
            BoardResults(lang)


@solara.component
def BoardResults(lang: Language) -> None:
    results = BOARD.state.results
    seeds = BOARD.seeds(CLASS_RUNS)
    paragraph(text("class.common_seeds", lang, runs=len(seeds), first=seeds[0], last=seeds[-1]))
    with solara.Div(classes=["se-wide", "se-board-chart"]):
        solara.FigureMatplotlib(draw_board(results, lang), format="png")
    for outcome in OUTCOMES:
        order = ranking(results, outcome)
        if order:
            best = results[order[0]]
            paragraph(text("class.best", lang, outcome=text(outcome.key, lang), group=order[0],
                           choice=choice_label(best.policy, best.profit_share, lang)) +
                      " · " + " > ".join(order), classes=["se-class-best"])
    with solara.Row():
        solara.FileDownload(lambda: board_png(lang), filename="class_board.png",
                            label=text("class.download_png", lang))
        solara.FileDownload(board_csv, filename="class_runs.csv",
                            label=text("class.download_csv", lang))


@solara.component
def StudentPage() -> None:
    """A group's page: join with the code and a group name, then send the group's choice."""
    lang = language.value
    solara.Style(CSS)
    solara.Title(text("title", lang))
    use_board_version()
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    with solara.AppBar():
        LanguageSwitch()
        page_tabs(lang)
    if BOARD is None:
        solara.Warning(text("class.off", lang))
        return
    try:
        group = BOARD.group_of(group_token.value)
    except BoardError:
        group = None
    with solara.Card(text("class.board", lang, round=BOARD.state.round),
                     style={"max-width": "640px"}):
        if group is None:
            solara.InputText(text("class.code", lang), value=code, on_value=set_code,
                             classes=["se-class-code"])
            solara.InputText(text("class.group_name", lang), value=name, on_value=set_name,
                             classes=["se-class-name"])

            def join() -> None:
                try:
                    group_token.set(BOARD.join(code, name))
                    group_message.set("")
                except BoardError as error:
                    group_message.set(error.key)

            solara.Button(text("class.join", lang), color="primary", on_click=join,
                          classes=["se-class-join"])
            if group_message.value:
                solara.Error(text(group_message.value, lang), classes=["se-class-error"])
            return
        GroupChoice(group.name, lang)


@solara.component
def GroupChoice(name: str, lang: Language) -> None:
    use_board_version()  # the teacher's lock shows here without a reload
    group = BOARD.state.groups[name]
    start = solara.use_memo(lambda: Settings.of(load_scenario(scenario_file.value)), [])
    labels = {policy_label(p, lang): p for p in POLICIES}
    policy, set_policy = solara.use_state(group.policy)
    share, set_share = solara.use_state(group.profit_share if group.profit_share is not None
                                        else start.profit_share)
    saved, set_saved = solara.use_state("")
    paragraph((text("class.joined", lang, name=name),), classes=["se-class-joined"])
    paragraph(text("class.question", lang))
    solara.Select(text("class.policy", lang), values=list(labels),
                  value=policy_label(policy, lang),
                  on_value=lambda label: set_policy(labels[label]),
                  classes=["se-class-policy"])
    solara.SliderFloat(text("profit_share", lang), value=share, on_value=set_share, min=0.0,
                       max=profit_share_max(load_scenario(scenario_file.value)), step=0.05,
                       thumb_label="always")
    solara.InputFloat("", value=share, on_value=lambda v: set_share(float(v or 0.0)),
                      dense=True, suffix=text("unit.share", lang), style={"max-width": "9em"})

    def send() -> None:
        try:
            BOARD.choose(group_token.value, policy, share)
            set_saved("class.saved")
        except BoardError as error:
            set_saved(error.key)

    solara.Button(text("class.submit", lang), color="primary", on_click=send,
                  disabled=BOARD.state.locked, classes=["se-class-submit"])
    if saved == "class.saved" and group.chosen:
        solara.Success(text("class.saved", lang, choice=choice_label(group.policy,
                                                                      group.profit_share, lang)),
                       classes=["se-class-saved"])
    elif saved:
        solara.Error(text(saved, lang), classes=["se-class-error"])
    if BOARD.state.locked:
        solara.Info(text("class.locked", lang))
    paragraph(text("class.wait", lang))


# The two pages; each label is the key of its tab's name (page_tabs).
routes = [
    solara.Route(path="/", component=Page, label="class.teacher"),
    solara.Route(path="student", component=StudentPage, label="class.groups_page"),
]
