"""The community model as the page builds it: from a scenario file and the page's knobs.

Mesa's SolaraViz rebuilds a model on Reset as ``type(model)(**knobs)``, so the knobs are this
class's keyword arguments. It runs the same months as ``CommunityModel`` (same scenario and seed,
same numbers); on top it keeps the picture's seeded layout and, for the households drawn, a
month-by-month record from which a household's story is told.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from se_sim.app.network_view import NetworkView, household_flags, make_view, view_rng
from se_sim.app.settings import Settings, parse_seed
from se_sim.model import CommunityModel
from se_sim.scenario import InputError, load_scenario

# What the story remembers of each drawn household, month by month (absent fields are skipped).
HISTORY_FIELDS = ("income", "savings", "garden", "receives_produce", "food_secure", "grants_thb",
                  "enterprise")


class TeachingModel(CommunityModel):
    def __init__(
        self,
        *,
        scenario_file: str,
        profit_share: float,
        mean_degree: float,
        homophily: float,
        newcomer_share: float,
        shock: bool,
        shock_month: int,
        training: bool,
        market_channel: bool,
        matching_grant: bool,
        bridging: bool,
        intervention_month: int,
        seed: int | str = 0,
    ):
        """Bad knobs never break the page: they are reported in ``problems`` (as label keys
        with values, or the scenario's own error lines) and the nearest valid run is built."""
        self.problems: list[tuple[str, dict[str, object]]] = []
        base = load_scenario(scenario_file)
        self.settings = Settings(
            profit_share=float(profit_share), mean_degree=float(mean_degree),
            homophily=float(homophily), newcomer_share=float(newcomer_share), shock=bool(shock),
            shock_month=int(shock_month), training=bool(training),
            market_channel=bool(market_channel), matching_grant=bool(matching_grant),
            bridging=bool(bridging), intervention_month=int(intervention_month),
        )
        try:
            scenario = self.settings.apply(base, Path(scenario_file).name)
        except InputError as error:
            self.problems.append(("settings_problem", {"problem": "; ".join(error.lines)}))
            scenario = base
        try:
            number = parse_seed(seed)
        except ValueError:
            number = 0
            self.problems.append(("bad_seed", {"value": seed, "used": number}))
        self.scenario_file = scenario_file
        super().__init__(scenario, rng=number)
        self.view: NetworkView = make_view(self.households.newcomer, view_rng(number))
        self.history: list[dict[str, np.ndarray]] = []
        self._remember()
        self._monthly: tuple[int, pd.DataFrame] | None = None

    def monthly(self) -> pd.DataFrame:
        """The monthly outputs so far (the DataCollector's table), built once a month: every
        chart and counter of the page reads it after a STEP."""
        if self._monthly is None or self._monthly[0] != self.steps:
            self._monthly = (self.steps, self.datacollector.get_model_vars_dataframe())
        return self._monthly[1]

    def step(self) -> None:
        super().step()
        self._remember()

    def _remember(self) -> None:
        hh, rows = self.households, self.view.drawn
        record = {name: np.array(getattr(hh, name)[rows]) for name in HISTORY_FIELDS
                  if hasattr(hh, name)}
        buying = household_flags(hh).get("buying")
        if buying is not None:
            record["buying"] = buying[rows]
        self.history.append(record)
