"""Joining and leaving enterprises: a logit choice made by every household each month.

Utility of enterprise e for household i:
    intercept + dividend_weight · (expected payout per member / income)
              + social_weight · giving propensity · fund share of e   (its social purpose)
              + peer_weight · share of i's neighbours who are members of e
              + trust_weight · i's trust in the mix of groups among e's members
              − time_cost
A household that was not a member at the start of the month joins its best enterprise with
probability ``monthly_rate · σ(U)`` if it can pay the share capital and the enterprise has room
(admitted in random order); a member who is not a leader leaves with
probability ``leave_rate · (1 − σ(U))``. Leaders are the core and stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from se_sim.model.households import NO_ENTERPRISE

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.enterprise import Enterprise


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def utilities(model: CommunityModel, active: list[Enterprise]) -> np.ndarray:
    """Households × active enterprises matrix of joining utilities."""
    hh, rule = model.households, model.households.config.joining
    slots = np.array([e.slot for e in active])
    is_member = hh.enterprise[:, None] == slots[None, :]
    newcomer_share = hh.newcomer_share_of_members(len(model.enterprise_list))[slots]
    peer = (model.network.adjacency @ is_member.astype(np.float64)) / np.maximum(
        model.network.degree, 1
    )[:, None]
    payout = np.array([e.expected_payout for e in active])
    social = np.array([e.allocation.fund_share for e in active])
    return (
        rule.intercept
        + rule.dividend_weight * payout[None, :] / np.maximum(hh.base_income, 1.0)[:, None]
        + rule.social_weight * hh.giving[:, None] * social[None, :]
        + rule.peer_weight * peer
        + rule.trust_weight * hh.trust_toward(newcomer_share)
        - rule.time_cost
    )


def update_membership(model: CommunityModel) -> None:
    active = [e for e in model.enterprise_list if e.active]
    if not active:
        return
    hh, rule, rng = model.households, model.households.config.joining, model.rng
    utility = utilities(model, active)
    column = {e.slot: c for c, e in enumerate(active)}
    draws = rng.random(hh.n)

    outsiders = np.flatnonzero(~hh.is_member & (hh.savings >= hh.config.share_capital_thb))
    members = np.flatnonzero(hh.is_member & ~hh.leader)
    if members.size:
        own = np.array([column[s] for s in hh.enterprise[members]])
        p_leave = rule.leave_rate * (1 - _sigmoid(utility[members, own]))
        hh.enterprise[members[draws[members] < p_leave]] = NO_ENTERPRISE

    best = utility[outsiders].argmax(axis=1)
    p_join = rule.monthly_rate * _sigmoid(utility[outsiders, best])
    joins = draws[outsiders] < p_join
    for c, enterprise in enumerate(active):
        joiners = outsiders[joins & (best == c)]
        room = enterprise.config.max_members
        if room is not None:
            joiners = rng.permutation(joiners)[: max(room - enterprise.members().size, 0)]
        _join(model, enterprise, joiners)


def _join(model: CommunityModel, enterprise: Enterprise, joiners: np.ndarray) -> None:
    """New members pay their share capital into the enterprise (a transfer, not a cost)."""
    fee = model.households.config.share_capital_thb
    model.households.enterprise[joiners] = enterprise.slot
    model.households.savings[joiners] -= fee
    enterprise.add_share_capital(fee * joiners.size)


def found(model: CommunityModel, enterprise: Enterprise, founders: np.ndarray) -> None:
    """Founding members join at month 0; those who cannot pay the share capital join without."""
    hh = model.households
    fee = hh.config.share_capital_thb
    can_pay = founders[hh.savings[founders] >= fee]
    hh.enterprise[founders] = enterprise.slot
    hh.savings[can_pay] -= fee
    enterprise.add_share_capital(fee * can_pay.size)
