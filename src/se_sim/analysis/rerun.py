"""Re-running one stored run of a sweep to look inside it: its households and its network.

The runs table keeps summaries only; pictures of who benefits and of the network need the
households themselves. Everything that decided a run is stored (the manifest holds the
experiment as resolved and the scenario file's path and hash; the runs table holds the seed), so
the design point is rebuilt exactly as the runner built it and run again. In an experiment with
an ``uncertainty:`` section a run is a (point, draw) pair: its draw's values are drawn again from
the stored experiment and seed (or, when the posterior file has gone or changed, read from the
runs table, which records them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from se_sim.analysis.sweep_results import SweepResults
from se_sim.runner.design import Design, build_design
from se_sim.runner.experiment import DESIGNS, Experiment, file_sha256
from se_sim.runner.seeds import design_seed, uncertainty_seed
from se_sim.runner.tasks import ScenarioJob
from se_sim.runner.uncertainty import Draws, build_draws, draws_from_runs, params_of
from se_sim.scenario import Scenario
from se_sim.scenario.errors import InputError, read_yaml

# column in the pictures → attribute of model.households
HOUSEHOLD_FIELDS = {
    "newcomer": "newcomer",
    "vulnerable": "vulnerable",
    "income_thb": "income",
    "food_secure": "food_secure",
    "grants_thb": "grants_thb",
}


@dataclass
class RunInside:
    """One re-run: the network at the start and the end, and every household at the end."""

    label: str
    seed: int
    graph_start: Any  # networkx.Graph, or None when the model has no network export
    graph_end: Any
    households: pd.DataFrame  # the HOUSEHOLD_FIELDS the model has, one row per household
    summary: dict[str, Any]
    missing: list[str] = field(default_factory=list)  # household fields the model lacks


class StoredDesign:
    """The design points of a results folder, rebuilt from its manifest."""

    def __init__(self, results: SweepResults):
        self.results = results
        spec = results.spec
        schema = Experiment[DESIGNS[spec["design"]["kind"]]]  # type: ignore[misc]
        self.spec = schema.model_validate(spec)
        self.job: ScenarioJob | None = None
        self.note = ""
        scenario = results.manifest.get("scenario")
        if scenario is None:
            self.note = "a Mesa-model experiment: there are no households to look inside"
        elif not Path(scenario["path"]).is_file():
            self.note = f"the scenario file {scenario['path']} is no longer there"
        else:
            path = Path(scenario["path"])
            self.job = ScenarioJob(read_yaml(path), str(path), self.spec.overrides, "none")
            if file_sha256(path) != scenario["sha256"]:
                self.note = (f"{path.name} has changed since the sweep ran: pictures of single "
                             "runs show the scenario as it is now")
        integer = self.job.is_integer if self.job else (lambda path: False)
        self.design: Design = build_design(self.spec.design, design_seed(self.spec.seed), integer)
        self.draws: Draws | None = self._draws()

    def _draws(self) -> Draws | None:
        """The uncertainty draws as the runner drew them (None without an uncertainty section)."""
        if self.spec.uncertainty is None:
            return None
        stored = self.results.manifest.get("uncertainty") or {}
        posterior = stored.get("posterior")
        path = Path(posterior["path"]) if posterior else None
        unchanged = path is None or (path.is_file() and file_sha256(path) == posterior["sha256"])
        if self.job is not None and unchanged:
            return build_draws(self.spec.uncertainty, path, uncertainty_seed(self.spec.seed),
                               self.job.knows, self.job.is_integer, str(path))
        return draws_from_runs(self.results.runs, list(stored.get("parameters", [])))

    def params(self, point_id: int, draw: int | None = None) -> dict[str, Any] | None:
        """The overrides of the point's runs (at ``draw`` in an uncertainty experiment), exactly
        as the runner gave them; None when the draw's values are not known."""
        if self.draws is not None and draw is not None and not (
                0 <= draw < len(self.draws) and self.draws[draw]):
            return None
        return params_of(self.design.points[point_id], self.draws, draw)

    def scenario(self, point_id: int, draw: int | None = None) -> Scenario | None:
        """The scenario of the runs of (point, draw); ``draw`` is None without uncertainty."""
        params = self.params(point_id, draw)
        if self.job is None or params is None:
            return None
        try:
            return self.job.scenario(params)
        except InputError:  # the scenario file changed into one this point no longer fits
            return None

    def horizon(self, point_id: int, draw: int | None = None) -> int | None:
        """The last month (or step) of the point's runs."""
        if self.spec.steps is not None:
            return self.spec.steps
        scenario = self.scenario(point_id, draw)
        return scenario.months if scenario else None

    def horizons(self, point_ids: pd.Series) -> pd.Series:
        """``horizon`` for many runs, building each distinct point's scenario once."""
        swept_months = any(p == "months" for p in self.design.swept)
        if not swept_months:
            value = self.horizon(0, 0 if self.draws is not None else None)
            return pd.Series(np.nan if value is None else float(value), index=point_ids.index)
        cache = {p: self.horizon(p) for p in point_ids.unique()}
        return point_ids.map(lambda p: np.nan if cache[p] is None else float(cache[p]))

    def rerun(self, point_id: int, seed: int, label: str,
              draw: int | None = None) -> RunInside | None:
        """Run the point (at its draw) again with the stored seed; None when it cannot be
        rebuilt."""
        from se_sim.model import CommunityModel

        scenario = self.scenario(point_id, draw)
        if scenario is None:
            return None
        model = CommunityModel(scenario, rng=seed)
        export = getattr(getattr(model, "network", None), "to_networkx", None)
        graph_start = export() if export else None
        for _ in range(scenario.months):
            if not model.running:
                break
            model.step()
        households = model.households
        present = {name: np.asarray(getattr(households, attribute))
                   for name, attribute in HOUSEHOLD_FIELDS.items()
                   if hasattr(households, attribute)}
        missing = [name for name in HOUSEHOLD_FIELDS if name not in present]
        return RunInside(label, seed, graph_start, export() if export else None,
                         pd.DataFrame(present), dict(model.summary()), missing)
