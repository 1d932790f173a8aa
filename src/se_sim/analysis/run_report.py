"""The output of ``se-sim run``: data files, a summary table and the outcome plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from se_sim.analysis.events import event_rows, event_text, is_event
from se_sim.analysis.labels import event_name, metric_label
from se_sim.analysis.numbers import format_number, is_count
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
    "member_wages_total_thb",
    "closed_month",
    "food_insecure_worst",
    "cross_group_tie_share_start",
    "cross_group_tie_share_end",
    "outgroup_trust_start",
    "outgroup_trust_end",
    "mean_degree_start",
    "mean_degree_end",
    "active_enterprises_end",
    "disposable_income_mean_thb",
    "disposable_income_members_thb",
    "gini_disposable_end",
    "poverty_rate_end",
    "poverty_gap_end",
]
# shown when the runs have the fund whose end balance leads the list (docs/ODD.md, Part II)
FINANCE_OUTCOMES = [
    ["welfare_fund_balance_end_thb", "welfare_members_end", "welfare_fund_solvent_months",
     "welfare_fund_insolvent_month", "welfare_benefits_total_thb"],
    ["savings_group_balance_end_thb", "loans_outstanding_end_thb", "loan_recovery_rate",
     "portfolio_at_risk", "loans_written_off_total_thb", "household_debt_end_thb"],
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
    """Median and 90% interval (5th–95th percentile) over replicates of the key outcomes, by
    the names people read; for a single replicate, its value alone. "Month when" outcomes
    follow as events: in how many runs it happened (with its Wilson interval) and the median
    month among those runs, never a median over the runs where it did not happen."""
    single = len(summary) == 1
    rows = []
    events = []
    network = [n for n in NETWORK_OUTCOMES[:-1] if n in summary]
    with_network = bool(network) and summary[network].fillna(0).any().any()
    names = KEY_OUTCOMES + (NETWORK_OUTCOMES if with_network else []) + [
        name for block in FINANCE_OUTCOMES
        if block[0] in summary and summary[block[0]].notna().any() for name in block]
    for name in names:
        if name in summary and is_event(name, summary[name]):
            events.append(name)
            continue
        label = metric_label(name)
        values = summary[name].dropna() if name in summary else pd.Series(dtype=float)
        if values.empty:
            rows.append((label, "n/a", "", ""))
            continue
        count = is_count(name, values)
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append((label, *(format_number(v, name, count) for v in (p50, p5, p95))))
    width = max(len(r[0]) for r in rows)
    if single:
        header = f"{'outcome':<{width}}  {'value':>10}"
        lines = [f"{n:<{width}}  {a:>10}" for n, a, _, _ in rows]
    else:
        header = f"{'outcome':<{width}}  {'median':>10}  {'5%':>10}  {'95%':>10}"
        lines = [f"{n:<{width}}  {a:>10}  {b:>10}  {c:>10}" for n, a, b, c in rows]
    lines = [f"{len(summary)} replicate(s)", header, "-" * len(header), *lines]
    if events:
        lines += ["", "events: in how many runs it happened (95% Wilson interval), and when"]
        for name in events:
            row = event_rows(summary, name).iloc[0]
            said = (f"month {format_number(row['median_month'], count=True)}" if single
                    and row["events"] else "did not happen" if single else event_text(row))
            lines.append(f"{event_name(name)}:  {said}")
    return "\n".join(lines)


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
