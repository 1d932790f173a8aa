"""The output of ``se-sim run``: data files, a summary table and the outcome plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from se_sim.analysis.plots import plot_outcomes
from se_sim.runner.replicates import ReplicateResults
from se_sim.runner.storage import provenance

KEY_OUTCOMES = [
    "founding_leaders",
    "garden_households_end_of_shock",
    "fund_inflow_total_thb",
    "fund_unique_beneficiaries",
    "fund_balance_end_thb",
    "members_end",
    "buyers_end",
    "revenue_total_thb",
    "member_payout_total_thb",
    "closed_month",
    "food_insecure_worst",
    "cross_group_tie_share_start",
    "cross_group_tie_share_end",
    "outgroup_trust_start",
    "outgroup_trust_end",
    "mean_degree_start",
    "mean_degree_end",
    "active_enterprises_end",
    "gini_income_end",
    "poverty_rate_end",
]
# shown for scenarios with a partner network or founding (their columns are 0 otherwise)
NETWORK_OUTCOMES = [
    "network_ties_start",
    "network_ties_end",
    "partners_start",
    "partners_end",
    "network_last_month",
    "enterprises_founded",
    "enterprise_survival_share_end",
]


def outcome_table(summary: pd.DataFrame) -> str:
    """Median and 90% interval (5th–95th percentile) over replicates of the key outcomes."""
    rows = []
    network = [n for n in NETWORK_OUTCOMES[:-1] if n in summary]
    shown = KEY_OUTCOMES + (NETWORK_OUTCOMES if summary[network].fillna(0).any().any() else [])
    for name in shown:
        values = summary[name].dropna()
        if values.empty:
            rows.append((name, "n/a", "", ""))
            continue
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append((name, _fmt(p50), _fmt(p5), _fmt(p95)))
    width = max(len(r[0]) for r in rows)
    header = f"{'outcome':<{width}}  {'median':>10}  {'5%':>10}  {'95%':>10}"
    lines = [f"{n:<{width}}  {a:>10}  {b:>10}  {c:>10}" for n, a, b, c in rows]
    return "\n".join([f"{len(summary)} replicate(s)", header, "-" * len(header), *lines])


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def write_run_report(result: ReplicateResults, out: str | Path) -> str:
    """Write steps (Parquet, CSV), summary (CSV, JSON) and outcomes.png; return the table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.steps.to_parquet(out / "steps.parquet", index=False)
    result.steps.to_csv(out / "steps.csv", index=False)
    result.summary.to_csv(out / "summary.csv", index=False)
    document = {
        "scenario": result.scenario.model_dump(mode="json"),
        "seeds": result.seeds,
        **provenance(),
        "replicates": json.loads(result.summary.to_json(orient="records")),
    }
    (out / "summary.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    plot_outcomes(result.steps, out / "outcomes.png", result.scenario.name)
    return outcome_table(result.summary)
