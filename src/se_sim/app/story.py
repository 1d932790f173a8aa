"""A household's story: who it is, how it stands now, and what happened to it month by month."""

from __future__ import annotations

from typing import Any

import numpy as np

from se_sim.app.labels import Language, text

# An income change smaller than this share is everyday noise, not an event worth telling.
INCOME_EVENT_SHARE = 0.2
Event = tuple[int, str, dict[str, Any]]  # month, label key, values


# Flags whose switching on or off is an event: (history field, event when on, event when off).
TOGGLES = (("garden", "event.garden_started", "event.garden_stopped"),
           ("receives_produce", "event.produce_started", None),
           ("food_secure", "event.food_ok", "event.food_short"))


def events(history: list[dict[str, np.ndarray]], row: int, names: list[str]) -> list[Event]:
    """The changes in one drawn household's record (``row`` of the history arrays);
    ``names`` are the enterprises' names by slot."""
    found: list[Event] = []
    for month in range(1, len(history)):
        before, now = history[month - 1], history[month]
        for field, on, off in TOGGLES:
            if field in now and bool(now[field][row]) != bool(before[field][row]):
                key = on if now[field][row] else off
                if key:
                    found.append((month, key, {}))
        if "grants_thb" in now:
            grant = float(now["grants_thb"][row] - before["grants_thb"][row])
            if grant > 0:
                found.append((month, "event.grant", {"amount": f"{grant:,.0f}"}))
        if "enterprise" in now:
            was, is_ = int(before["enterprise"][row]), int(now["enterprise"][row])
            if was != is_ and was >= 0:
                found.append((month, "event.left", {"enterprise": _name(names, was)}))
            if was != is_ and is_ >= 0:
                found.append((month, "event.joined", {"enterprise": _name(names, is_)}))
        if "income" in now:
            was_income, income = float(before["income"][row]), float(now["income"][row])
            if was_income > 0 and abs(income - was_income) > INCOME_EVENT_SHARE * was_income:
                key = "event.income_fell" if income < was_income else "event.income_rose"
                found.append((month, key, {"amount": f"{income:,.0f}"}))
        if "buying" in now and now["buying"][row] and not any(
            record["buying"][row] for record in history[:month]
        ):
            found.append((month, "event.bought", {}))
    return found


def _name(names: list[str], slot: int) -> str:
    return names[slot] if 0 <= slot < len(names) else str(slot)


def describe(model: Any, index: int, language: Language) -> tuple[str, str, list[str]]:
    """Who household ``index`` is, how it stands now, and its events told in ``language``."""
    hh = model.households
    names = [e.name for e in model.enterprise_list]
    origin = text("newcomer_one" if hh.newcomer[index] else "original_one", language)
    roles = "".join(text(key, language) for key, flag in
                    (("story.leader", "leader"), ("story.vulnerable", "vulnerable"))
                    if bool(getattr(hh, flag, np.zeros(hh.n, bool))[index]))
    who = text("story.who", language, index=index, origin=origin, roles=roles)
    garden = ("story.grows" if hh.garden[index] else
              "story.receives" if hh.receives_produce[index] else "story.no_garden")
    slot = int(hh.enterprise[index])
    enterprise = (text("story.member_of", language, enterprise=_name(names, slot)) if slot >= 0
                  else text("story.not_member", language))
    u, v = np.asarray(model.network.u), np.asarray(model.network.v)
    neighbours = np.concatenate([v[u == index], u[v == index]])
    cross = int((hh.newcomer[neighbours] != hh.newcomer[index]).sum())
    now = text("story.now", language, income=f"{hh.income[index]:,.0f}",
               savings=f"{hh.savings[index]:,.0f}", garden=text(garden, language),
               food=text("story.food_ok" if hh.food_secure[index] else "story.food_short",
                         language),
               enterprise=enterprise, grants=f"{hh.grants_thb[index]:,.0f}",
               ties=int(neighbours.size), cross=cross, trust=float(hh.trust_outgroup[index]))
    rows = np.flatnonzero(model.view.drawn == index)
    if rows.size == 0:
        return who, now, [text("story.not_drawn", language)]
    told = [text("event.month", language, month=month, what=text(key, language, **values))
            for month, key, values in events(model.history, int(rows[0]), names)]
    return who, now, told


def first_with(flag: np.ndarray, among: np.ndarray) -> int | None:
    """The lowest-numbered drawn household with ``flag`` (a pick that needs no random draw)."""
    hits = among[flag[among]]
    return int(hits[0]) if hits.size else None
