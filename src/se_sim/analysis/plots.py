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


def monthly_quantiles(steps: pd.DataFrame, column: str) -> pd.DataFrame:
    """The 5th, 50th and 95th percentile over replicates, month by month (one column each)."""
    return steps.groupby("month")[column].quantile([0.05, 0.5, 0.95]).unstack()


def plot_outcomes(steps: pd.DataFrame, path: Path, title: str) -> None:
    """Median over replicates (line) and 5–95% band, month by month; shock months shaded."""
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), constrained_layout=True)
    shock = steps.groupby("month")["shock_active"].max()
    for ax, (label, columns) in zip(axes.flat, PANELS, strict=True):
        for column in columns:
            quantiles = monthly_quantiles(steps, column)
            ax.plot(quantiles.index, quantiles[0.5], label=column)
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
