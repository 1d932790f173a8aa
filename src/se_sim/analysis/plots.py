"""Pictures of runs: the main monthly series with the spread over replicates."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

PANELS: list[tuple[str, list[str]]] = [
    ("Households fed from gardens", ["garden_households", "garden_reach_households"]),
    ("Food-secure households", ["food_secure_households"]),
    ("Enterprise members", ["members_original", "members_newcomer"]),
    ("Vulnerable fund (THB)", ["fund_inflow_total_thb", "fund_balance_thb"]),
    ("People helped by the fund", ["fund_unique_beneficiaries"]),
    ("Cross-group share of ties", ["cross_group_tie_share"]),
    ("Trust toward the other group", ["outgroup_trust_original", "outgroup_trust_newcomer"]),
    ("Income Gini and poverty rate", ["gini_income", "poverty_rate"]),
    ("Monthly enterprise profit (THB)", ["profit_thb"]),
]
# Legend entries in words; a series missing here is shown by its name with spaces.
LABELS = {
    "garden_households": "growing vegetables",
    "garden_reach_households": "eating from gardens (own or shared)",
    "food_secure_households": "food secure",
    "members_original": "original residents",
    "members_newcomer": "newcomers",
    "fund_inflow_total_thb": "paid in, in total",
    "fund_balance_thb": "balance",
    "fund_unique_beneficiaries": "people helped, in total",
    "cross_group_tie_share": "ties between the groups",
    "outgroup_trust_original": "original residents' trust in newcomers",
    "outgroup_trust_newcomer": "newcomers' trust in original residents",
    "gini_income": "income Gini",
    "poverty_rate": "poverty rate",
    "profit_thb": "profit",
}


def series_label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " "))


def plot_outcomes(steps: pd.DataFrame, path: Path, title: str) -> None:
    """Median over replicates (line) and 5–95% band, month by month; shock months shaded."""
    grouped = steps.groupby("month")
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), constrained_layout=True)
    shock = grouped["shock_active"].max()
    for ax, (label, columns) in zip(axes.flat, PANELS, strict=True):
        for column in columns:
            quantiles = grouped[column].quantile([0.05, 0.5, 0.95]).unstack()
            ax.plot(quantiles.index, quantiles[0.5], label=series_label(column))
            ax.fill_between(quantiles.index, quantiles[0.05], quantiles[0.95], alpha=0.2)
        for month in shock.index[shock > 0]:
            ax.axvspan(month - 0.5, month + 0.5, color="grey", alpha=0.08, lw=0)
        ax.set_title(label)
        ax.set_xlabel("month")
        ax.legend(fontsize=7)
    fig.suptitle(f"{title}: median and 5–95% over {steps['seed'].nunique()} replicates "
                 "(grey: shock months)")
    fig.savefig(path, dpi=110)
    plt.close(fig)
