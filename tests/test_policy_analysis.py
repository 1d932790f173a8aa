"""The planner's statistics (robustness, cost-effectiveness, distribution) on synthetic runs
tables whose answers are known, each recomputed independently with plain pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from se_sim.analysis import policy_page
from se_sim.analysis.costs import COLUMNS as COST_COLUMNS
from se_sim.analysis.costs import COST, NOTHING, cost_effectiveness
from se_sim.analysis.distribution import COLUMNS as DISTRIBUTION_COLUMNS
from se_sim.analysis.distribution import INCOME, HouseholdPairs, distribution, groups
from se_sim.analysis.robustness import COLUMNS as ROBUSTNESS_COLUMNS
from se_sim.analysis.robustness import ranking_turns, robustness
from se_sim.analysis.sweep_results import SweepResults

POLICIES = ["baseline", "training", "grant", "channel"]
LABELS = pd.Series(POLICIES, index=range(len(POLICIES)))
DRAWS, REPLICATES = 12, 5


def runs_table(effects: dict[int, float], seed: int = 1, draw_noise: float = 4.0,
               run_noise: float = 3.0, cost: dict[int, float] | None = None,
               draws: int = DRAWS, own_noise: float = 0.0) -> pd.DataFrame:
    """Runs of every policy in every draw and replicate on common seeds: ``helped`` is a draw
    level plus a replicate's noise (shared by every policy on that seed) plus the policy's
    effect plus ``own_noise`` of its own; ``x`` is an uncertain parameter the draw sets."""
    rng = np.random.default_rng(seed)
    level = rng.normal(50, draw_noise, draws)
    x = rng.uniform(0, 1, draws)
    shared = rng.normal(0, run_noise, (draws, REPLICATES))
    rows = []
    for point_id, name in enumerate(POLICIES):
        for draw in range(draws):
            for replicate in range(REPLICATES):
                helped = (level[draw] + shared[draw, replicate] + effects.get(point_id, 0.0)
                          + rng.normal(0, own_noise))
                rows.append({
                    "run_id": len(rows), "point_id": point_id, "variant": name, "draw": draw,
                    "replicate": replicate, "seed": 1000 * draw + replicate, "status": "ok",
                    "market.word_of_mouth": x[draw], "fund_unique_beneficiaries": helped,
                    "poverty_rate_end": 0.2 - helped / 1000,
                    COST: (cost or {}).get(point_id, 0.0),
                })
    return pd.DataFrame(rows)


def test_robustness_statistics_match_a_plain_groupby() -> None:
    runs = runs_table({1: 2.0, 2: 1.0, 3: 0.0}, own_noise=3.0)
    table = robustness(runs, {"fund_unique_beneficiaries": "max", "poverty_rate_end": "min"},
                       0, LABELS)
    assert list(table.columns[1:]) == ROBUSTNESS_COLUMNS
    for metric, sign in (("fund_unique_beneficiaries", 1), ("poverty_rate_end", -1)):
        means = runs.groupby(["draw", "point_id"])[metric].mean().unstack()
        effect = means.sub(means[0], axis=0)
        score = sign * means
        best = score.max(axis=1)
        winners = score.eq(best, axis=0)
        p_best = winners.div(winners.sum(axis=1), axis=0).mean()
        regret = (score.rsub(best, axis=0)).abs()
        mine = table[table["metric"] == metric].set_index("point_id")
        assert np.allclose(mine["effect_median"], effect.median())
        assert np.allclose(mine["effect_p05"], effect.quantile(0.05))
        assert np.allclose(mine["effect_p95"], effect.quantile(0.95))
        assert np.allclose(mine["p_beats_baseline"], (sign * effect > 0).mean())
        assert np.allclose(mine["p_best"], p_best)
        assert np.allclose(mine["regret_max"], regret.max())
        assert np.allclose(mine["regret_p90"], regret.quantile(0.9))
        assert (mine["draws"] == DRAWS).all()
    assert 0 < table.loc[table["point_id"] == 1, "p_best"].iloc[0] < 1  # noise makes it unsure


def test_a_policy_with_a_clear_effect_is_best_in_every_draw_without_regret() -> None:
    runs = runs_table({1: 1.0, 2: 30.0, 3: 2.0})
    table = robustness(runs, {"fund_unique_beneficiaries": "max"}, 0, LABELS)
    grant = table[table["point"] == "grant"].iloc[0]
    assert grant["p_best"] == 1 and grant["regret_max"] == pytest.approx(0, abs=1e-9)
    assert grant["effect_median"] == pytest.approx(30)
    others = table[table["point"] != "grant"]
    assert (others["p_best"] == 0).all() and (others["regret_max"] > 25).all()


def test_ties_split_the_best_place() -> None:
    runs = runs_table({1: 5.0, 2: 5.0})
    table = robustness(runs, {"fund_unique_beneficiaries": "max"}, 0, LABELS)
    assert table.set_index("point")["p_best"].to_dict() == pytest.approx(
        {"baseline": 0, "training": 0.5, "grant": 0.5, "channel": 0})


def test_prim_finds_where_the_runner_up_takes_over() -> None:
    runs = runs_table({1: 3.0}, draws=40)
    x = runs["market.word_of_mouth"]
    grant = runs["point_id"] == 2
    runs.loc[grant, "fund_unique_beneficiaries"] += np.where(x[grant] > 0.7, 6.0, 0.0)
    table = robustness(runs, {"fund_unique_beneficiaries": "max"}, 0, LABELS)
    turn = ranking_turns(runs, "fund_unique_beneficiaries", "max", table,
                         ["market.word_of_mouth"])
    assert turn is not None and (turn.leader, turn.runner_up) == (1, 2)
    by_draw = x.groupby(runs["draw"]).first()
    assert turn.lost == int((by_draw > 0.7).sum()) and turn.draws == 40
    first = turn.boxes[turn.boxes["box"] == 1].iloc[0]
    assert first["parameter"] == "market.word_of_mouth"
    assert 0.6 < first["low"] <= by_draw[by_draw > 0.7].min() and first["density"] == 1


def _cost_row(table: pd.DataFrame, point: str, metric: str = "people_helped") -> pd.Series:
    return table[(table["point"] == point) & (table["metric"] == metric)].iloc[0]


def test_cost_per_unit_and_its_paired_bootstrap() -> None:
    runs = runs_table({1: 4.0, 2: 0.0, 3: 4.0}, cost={1: 20_000.0, 2: 5_000.0})
    table = cost_effectiveness(runs, LABELS, 0, household_months=1.0, seed=3)
    assert list(table[COST_COLUMNS].columns) == COST_COLUMNS
    training = _cost_row(table, "training")
    assert training["cost_thb"] == pytest.approx(20_000)
    assert training["mean_diff"] == pytest.approx(4.0)
    assert training["thb_per_unit"] == pytest.approx(5_000)
    # every pair differs by exactly 4 people on common seeds: no interval width at all
    assert (training["ci_low"], training["ci_high"]) == pytest.approx((5_000, 5_000))
    assert "pairs on common random numbers" in training["ci_method"]
    assert training["flag"] == ""
    grant = _cost_row(table, "grant")
    assert grant["flag"] == NOTHING and np.isnan(grant["thb_per_unit"])
    assert grant["ci_method"].startswith(f"none: {NOTHING}")
    free = _cost_row(table, "channel")  # an effect at no cost: nothing per unit
    assert free["thb_per_unit"] == 0 and free["flag"] == ""
    assert set(table["metric"]) == {"people_helped"}  # the only outcome these runs record


def test_breaking_the_pairing_widens_the_interval() -> None:
    runs = runs_table({1: 4.0}, run_noise=5.0, cost={1: 20_000.0})
    runs[COST] += np.where(runs["point_id"] == 1, runs["replicate"] * 100.0, 0.0)
    paired = _cost_row(cost_effectiveness(runs, LABELS, 0, 1.0, seed=3), "training")
    shuffled = runs.copy()
    rng = np.random.default_rng(0)
    mask = shuffled["point_id"] == 1
    shuffled.loc[mask, "seed"] = rng.permutation(shuffled.loc[mask, "seed"].to_numpy()) + 7
    unpaired = _cost_row(cost_effectiveness(shuffled, LABELS, 0, 1.0, seed=3), "training")
    assert "unpaired" in unpaired["ci_method"]
    assert (unpaired["effect_high"] - unpaired["effect_low"]) > 3 * (
        paired["effect_high"] - paired["effect_low"])
    assert unpaired["mean_diff"] == pytest.approx(paired["mean_diff"])


def test_the_bootstrap_is_reproducible_from_its_seed() -> None:
    runs = runs_table({1: 4.0}, cost={1: 1_000.0})
    runs[COST] += np.where(runs["point_id"] == 1, runs["draw"] * 50.0, 0.0)
    first = cost_effectiveness(runs, LABELS, 0, 1.0, seed=5)
    again = cost_effectiveness(runs, LABELS, 0, 1.0, seed=5)
    pd.testing.assert_frame_equal(first, again)


def household_pairs(gain_poor: float, pairs: int = 6, households: int = 200) -> HouseholdPairs:
    """Baseline and one policy that adds ``gain_poor`` a month to the poorest tenth, on shared
    households and seeds (pair p), with noise shared by both runs of a pair."""
    rng = np.random.default_rng(7)
    frames, summaries = [], []
    for pair in range(pairs):
        base = pd.DataFrame({
            "earned_income_start_thb": rng.lognormal(9.6, 0.6, households),
            "newcomer": rng.random(households) < 0.5,
            "vulnerable": rng.random(households) < 0.1,
            "is_member": rng.random(households) < 0.2,
        })
        flags = pd.DataFrame(groups(base))
        income = base["earned_income_start_thb"].to_numpy() * rng.uniform(0.9, 1.1)
        poor = flags["decile 1"].to_numpy()
        for point_id, extra in ((0, 0.0), (1, gain_poor)):
            frames.append(flags.assign(income=income + poor * extra,
                                       household=np.arange(households), point_id=point_id,
                                       pair=pair))
            summaries.append({"point_id": point_id, "pair": pair,
                              "poverty_rate_end": 0.2 - 0.01 * point_id + rng.normal(0, .001)})
    return HouseholdPairs(pd.concat(frames, ignore_index=True), pd.DataFrame(summaries))


def test_distribution_by_decile_and_group_matches_a_plain_recount() -> None:
    pairs = household_pairs(gain_poor=500.0)
    table = distribution(pairs, pd.Series(["baseline", "pro-poor"]), 0)
    assert list(table[DISTRIBUTION_COLUMNS].columns) == DISTRIBUTION_COLUMNS
    income = table[table["metric"] == INCOME].set_index("group")
    assert income.loc["decile 1", "mean_diff"] == pytest.approx(500)
    assert income.loc["decile 1", "share_better"] == 1.0
    assert income.loc["decile 10", ["mean_diff", "share_better"]].tolist() == [0, 0]
    # recount: households of decile 1 among the members, pair by pair
    h = pairs.households
    base, policy = h[h["point_id"] == 0], h[h["point_id"] == 1]
    change = policy["income"].to_numpy() - base["income"].to_numpy()
    members = base["members"].to_numpy()
    per_pair = pd.Series(change[members]).groupby(base["pair"].to_numpy()[members]).mean()
    assert income.loc["members", "mean_diff"] == pytest.approx(per_pair.mean())
    better = change > 0.01 * base["income"].abs().to_numpy()
    share = pd.Series(better).groupby(base["pair"].to_numpy()).mean().mean()
    assert income.loc["all", "share_better"] == pytest.approx(share)
    assert (income["share_worse"] == 0).all()
    poverty = table[table["metric"] == "poverty_rate_end"].iloc[0]
    assert poverty["mean_diff"] == pytest.approx(-0.01, abs=0.002)
    assert poverty["ci_high"] < 0


def synthetic_results(runs: pd.DataFrame, spec: dict) -> SweepResults:
    manifest = {"experiment": {"resolved": {"name": "synthetic", "seed": 1, **spec}},
                "design": {"kind": "variants", "swept": ["variant"], "points": len(POLICIES)},
                "uncertainty": {"draws": DRAWS, "parameters": ["market.word_of_mouth"]}}
    return SweepResults(Path("."), manifest, True, runs, pd.DataFrame())


def test_the_planner_page_writes_its_tables_and_speaks_in_words(tmp_path: Path) -> None:
    runs = runs_table({1: 4.0, 2: 0.0, 3: 8.0}, cost={1: 20_000.0, 2: 5_000.0, 3: 40_000.0})
    results = synthetic_results(runs, {"objectives": {"fund_unique_beneficiaries": "max",
                                                      "poverty_rate_end": "min"}})
    assert policy_page.applies(results)
    page = policy_page.write_policy_page(results, None, 0, tmp_path)
    assert list(pd.read_csv(tmp_path / "robustness.csv").columns) == ROBUSTNESS_COLUMNS
    assert list(pd.read_csv(tmp_path / "cost_effectiveness.csv").columns) == COST_COLUMNS
    screen = " ".join(page.headline)
    assert "<b>channel</b> is most often the best choice" in screen
    assert "achieves nothing detectable on any outcome: grant." in screen
    raw = [c for c in [*runs.columns, "people_helped", "poverty_exits"] if "_" in c or "." in c]
    assert not [name for name in raw if name in screen]


def test_a_plain_sweep_gets_no_planner_page() -> None:
    runs = runs_table({1: 4.0}).drop(columns=["draw", COST])
    assert not policy_page.applies(synthetic_results(runs, {}))


def test_the_bootstrap_interval_of_the_gain_agrees_with_the_paired_t_interval() -> None:
    runs = runs_table({1: 4.0}, own_noise=3.0, cost={1: 1_000.0})
    row = _cost_row(cost_effectiveness(runs, LABELS, 0, 1.0, seed=2), "training")
    wide = runs.pivot_table(index=["draw", "replicate"], columns="point_id",
                            values="fund_unique_beneficiaries")
    diff = wide[1] - wide[0]
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std() / np.sqrt(len(diff))
    assert row["mean_diff"] == pytest.approx(diff.mean())
    assert row["effect_low"] == pytest.approx(diff.mean() - half, abs=0.15 * half)
    assert row["effect_high"] == pytest.approx(diff.mean() + half, abs=0.15 * half)
    # a fixed cost over a noisy gain: the price's interval is the cost over the gain's interval
    assert row["ci_low"] == pytest.approx(1_000 / row["effect_high"], rel=0.02)
    assert row["ci_high"] == pytest.approx(1_000 / row["effect_low"], rel=0.02)
