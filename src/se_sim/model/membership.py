"""Joining, leaving and the hours members offer: choices made by every household each month.

A household values an hour of work for enterprise e at
    v = expected payout per hour of e + social_weight · giving propensity · expected fund
        contribution per hour of e                                  (THB per hour)
and weighs it against its time cost w (a share of a minimum-wage hour). Utility of e:
    U = intercept + value_weight · v / w
        + peer_weight · share of its neighbours who are members of e
        + trust_weight · its trust in the mix of groups among e's members
Only a share ``interested_share`` of households (and every leader), drawn once at month 0, would
ever do enterprise work beside their main work; the others never join, so membership stays below
that share however well the enterprises pay. An interested non-member joins its best enterprise
with probability ``monthly_rate / interested_share · σ(U)`` (the community's inclination, held by
the interested: at the start as many join a month as without the bound) if it can pay the share
capital (or paid it before) and the enterprise has room; a member who is not a leader
leaves with probability ``leave_rate · (1 − σ(U)) + idle_leave_rate · (1 − work_e)``, so an
enterprise that does not pay, or has no work for its members' hours, loses members; with
``join_needs_work`` the joining probability is also times work_e, the share of its members'
offered hours the enterprise used last month: a group with idle hands takes few new ones.
Leaders are the core and stay. Members offer ``max_hours · σ(hours_sensitivity · (v − w) / w)``
hours a month: low payouts mean fewer hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from se_sim.model.households import NO_ENTERPRISE
from se_sim.model.market import sigmoid

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.enterprise import Enterprise


def hour_values(model: CommunityModel, active: list[Enterprise]) -> np.ndarray:
    """Households × active enterprises: THB an hour of work is worth, payout and social value."""
    hh, rule = model.households, model.households.config.joining
    payout = np.array([e.expected_payout_per_hour for e in active])
    fund = np.array([e.expected_fund_per_hour for e in active])
    return payout[None, :] + rule.social_weight * hh.giving[:, None] * fund[None, :]


def utilities(model: CommunityModel, active: list[Enterprise], value: np.ndarray) -> np.ndarray:
    """Households × active enterprises matrix of joining utilities."""
    hh, rule = model.households, model.households.config.joining
    time_cost = hh.config.work.time_cost_thb_per_hour
    slots = np.array([e.slot for e in active])
    is_member = hh.enterprise[:, None] == slots[None, :]
    newcomer_share = hh.newcomer_share_of_members(len(model.enterprise_list))[slots]
    peer = model.network.neighbour_share_matrix(is_member)
    return (
        rule.intercept
        + rule.value_weight * value / time_cost
        + rule.peer_weight * peer
        + rule.trust_weight * hh.trust_toward(newcomer_share)
    )


def update_membership(model: CommunityModel, choices: bool = True) -> None:
    """Members may leave and others join (unless ``choices`` is false, as at founding); then
    every member offers its hours for next month."""
    active = [e for e in model.enterprise_list if e.active]
    if not active:
        return
    value = hour_values(model, active)
    column = np.full(len(model.enterprise_list), -1)
    column[[e.slot for e in active]] = np.arange(len(active))
    if choices:
        _choose(model, active, utilities(model, active, value), column)
    _offer_hours(model, value, column)


def _choose(
    model: CommunityModel, active: list[Enterprise], utility: np.ndarray, column: np.ndarray
) -> None:
    hh, rule, rng = model.households, model.households.config.joining, model.streams.membership
    draws = rng.random(hh.n)
    can_pay = hh.share_paid | (hh.savings >= hh.config.share_capital_thb)
    outsiders = np.flatnonzero(~hh.is_member & can_pay & hh.interested)  # the others never join
    members = np.flatnonzero(hh.is_member & ~hh.leader)
    work = work_shares(active)
    if members.size:
        own = column[hh.enterprise[members]]
        p_leave = rule.leave_rate * (1 - sigmoid(utility[members, own]))
        p_leave += rule.idle_leave_rate * (1 - work[own])  # hours offered and not used
        _leave(model, members[draws[members] < p_leave])

    # the community's inclination to join, held by the interested share alone
    rate = rule.monthly_rate / rule.interested_share
    if utility.shape[1] == 1:  # one enterprise open: the common case, without a matrix search
        best = np.zeros(outsiders.size, dtype=np.int64)
        p_join = rate * sigmoid(utility[outsiders, 0])
    else:
        best = utility[outsiders].argmax(axis=1)
        p_join = rate * sigmoid(utility[outsiders, best])
    if rule.join_needs_work:  # an enterprise with idle hands takes few new ones
        p_join = p_join * work[best]
    joins = draws[outsiders] < p_join
    for c, enterprise in enumerate(active):
        joiners = outsiders[joins & (best == c)]
        room = enterprise.config.max_members
        if room is not None:
            joiners = rng.permutation(joiners)[: max(room - enterprise.members().size, 0)]
        join(model, enterprise, joiners)


def work_shares(active: list[Enterprise]) -> np.ndarray:
    """Per active enterprise, the share of its members' offered hours it used last month (its
    output over its capacity); 1 before it has made anything (founding, the first month)."""
    return np.array([min(e.units_made / e.capacity, 1.0) if e.capacity > 0 else 1.0
                     for e in active])


def _offer_hours(model: CommunityModel, value: np.ndarray, column: np.ndarray) -> None:
    """Every member's hours for next month, from the value of an hour of its enterprise."""
    hh = model.households
    work = hh.config.work
    members = np.flatnonzero(hh.is_member)
    hh.hours[:] = 0.0
    if members.size == 0:
        return
    time_cost = work.time_cost_thb_per_hour
    own_value = value[members, column[hh.enterprise[members]]]
    gap = (own_value - time_cost) / time_cost
    hh.hours[members] = work.max_hours_per_month * sigmoid(work.hours_sensitivity * gap)


def join(model: CommunityModel, enterprise: Enterprise, joiners: np.ndarray) -> None:
    """New members pay their share capital into the enterprise once in their life (equity, a
    transfer rather than a cost); those who paid before, to any enterprise, do not pay again.
    Members know their enterprise."""
    if joiners.size == 0:
        return
    hh = model.households
    fee = hh.config.share_capital_thb
    payers = joiners[~hh.share_paid[joiners] & (hh.savings[joiners] >= fee)]
    hh.enterprise[joiners] = enterprise.slot
    model.market.aware[joiners, enterprise.slot] = True
    hh.savings[payers] -= fee
    model.accounts.book("share_capital", fee, payers)
    hh.share_paid[payers] = True
    enterprise.add_share_capital(fee * payers.size)


def _leave(model: CommunityModel, leavers: np.ndarray) -> None:
    """Leavers get their share back only under ``share_refund: on_leave``, while cash allows."""
    if leavers.size == 0:
        return
    hh = model.households
    if hh.config.share_refund == "on_leave":
        for slot in np.unique(hh.enterprise[leavers]):
            enterprise = model.enterprise_list[slot]
            owed = leavers[(hh.enterprise[leavers] == slot) & hh.share_paid[leavers]]
            refunded = owed[: int(enterprise.cash // max(hh.config.share_capital_thb, 1e-9))]
            enterprise.cash -= hh.config.share_capital_thb * refunded.size
            hh.savings[refunded] += hh.config.share_capital_thb
            model.accounts.book("share_refunds", hh.config.share_capital_thb, refunded)
            hh.share_paid[refunded] = False
    hh.enterprise[leavers] = NO_ENTERPRISE
    hh.hours[leavers] = 0.0  # a leaver's hours this month stay worked and paid
