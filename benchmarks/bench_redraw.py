"""How long the teaching page's pictures take to redraw after one STEP, measured in-process.

Runs the Bang Sao Thong case (1,000 households) month by month and times, each month, the
network and every chart (the seven charts and the "any output" chart) including their image
files (the network as JPEG, the charts as PNG), two ways: built anew each month
(``draw_network``/``draw_chart``, as the page did first) and kept for the run with only the
changed data set (``NetworkPicture``/``ChartPicture``, as the page does now). A measurement,
not a test: the figures depend on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from dataclasses import asdict
from functools import partial
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from se_sim.app.charts import Chart, ChartPicture, draw_chart, shown_charts
from se_sim.app.fonts import use_thai_fonts
from se_sim.app.network_view import NetworkPicture, draw_network
from se_sim.app.settings import Settings
from se_sim.app.teaching_model import TeachingModel
from se_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "bang_sao_thong.yaml"))
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    use_thai_fonts()
    model = TeachingModel(scenario_file=args.scenario,
                          **asdict(Settings.of(load_scenario(args.scenario))), seed=0)
    charts = [*shown_charts(model.datacollector.model_vars), Chart("chart.any", ("poverty_rate",))]
    months = model.config.months
    table = model.datacollector.get_model_vars_dataframe()
    network = NetworkPicture(model, model.view, "th", picked=0)
    pictures = [ChartPicture(chart, table, months, "th") for chart in charts]
    seconds: dict[str, list[float]] = {"step": [], "rebuilt": [], "kept network": [],
                                       "kept charts": []}
    def rebuilt(table: pd.DataFrame) -> None:
        draw_network(model, model.view, "th", picked=0)  # a new picture, as JPEG
        for chart in charts:
            png(draw_chart(chart, table, months, "th"))

    def kept_network() -> None:
        network.update(model)
        network.jpeg()

    def kept_charts(table: pd.DataFrame) -> None:
        for picture in pictures:
            picture.update(table)
            picture.png()

    for _ in range(args.steps):
        seconds["step"].append(timed(model.step))
        table = model.datacollector.get_model_vars_dataframe()
        seconds["rebuilt"].append(timed(partial(rebuilt, table)))
        seconds["kept network"].append(timed(kept_network))
        seconds["kept charts"].append(timed(partial(kept_charts, table)))
    kept = [a + b for a, b in zip(seconds["kept network"], seconds["kept charts"], strict=True)]
    print(f"Redraw after STEP at {model.households.n:,} households, {len(charts)} charts, "
          f"{args.steps} months (median, range):")
    for name, values in [*seconds.items(), ("kept total", kept)]:
        print(f"  {name:13s} {statistics.median(values):.2f} s "
              f"({min(values):.2f}-{max(values):.2f})")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
