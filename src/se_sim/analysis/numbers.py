"""Numbers as se_sim prints them, one way everywhere: counts as integers, baht with thousands
separators, shares, rates and other fractions with three decimals, percentages as whole
percents, and negative numbers with a minus sign (U+2212), never a hyphen, so that −39% reads
the same in a sentence, a table and beside an interval."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

FRACTIONS = ("share", "rate", "gini", "trust")
MINUS = "\u2212"


def is_count(name: str, values: Iterable[float]) -> bool:
    """Whole numbers (people, households, enterprises, months), judged by the values, unless the
    name says the metric is a fraction (a share of 0 or 1 in every run is still a share)."""
    array = np.asarray(list(values), dtype=float)
    array = array[np.isfinite(array)]
    if any(word in name for word in FRACTIONS) or not array.size:
        return False
    return bool(np.all(array == np.round(array)))


def minus(text: str) -> str:
    """A formatted number with its hyphen-minus replaced by the minus sign."""
    return text.replace("-", MINUS)


def format_number(value: float | None, name: str = "", count: bool = False) -> str:
    """``1,078`` households, ``10,200`` THB (``*_thb``), ``0.412`` for a share; a count's median
    between two whole numbers keeps its half (``240.5``)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if name.endswith("_thb") or abs(value) >= 1000:
        return minus(f"{value:,.0f}")
    if count:
        return minus(f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}")
    return minus(f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}")


def significant(value: float | None, signed: bool = False) -> str:
    """Three significant figures with thousands separated (``4,050``, ``0.412``, ``−39.5``)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value == 0:
        text = "0"
    elif abs(value) >= 1000:
        digits = 2 - math.floor(math.log10(abs(value)))
        text = f"{round(value, digits):,.0f}"
    else:
        text = f"{value:.3g}"
    return minus(("+" if signed and value > 0 else "") + text)


def percent(share: float | None, signed: bool = False) -> str:
    """A share as a whole percent: ``0.4`` → ``40%``; signed: ``+12%``, ``−39%``."""
    if share is None or not math.isfinite(share):
        return "n/a"
    if round(share * 100) == 0:
        return "0%"  # not "−0%" or "+0%"
    return minus(f"{share:+.0%}" if signed else f"{share:.0%}")


def level(value: object) -> str:
    """A swept level as pages and printed tables show it: whole numbers in full with thousands
    separated (``20,000``, not ``2e+04``), others to four significant figures, so a sampled
    level keeps no float noise (``0.1667``, not ``0.16666666666666669``); a minus sign. Other
    values as they are (``star``)."""
    if not isinstance(value, float):
        return str(value)
    if not math.isfinite(value):
        return "n/a"
    rounded = value if value.is_integer() else float(f"{value:.4g}")
    return minus(f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,}")
