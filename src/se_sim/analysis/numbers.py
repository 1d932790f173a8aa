"""Numbers as se_sim prints them, one way everywhere: counts as integers, baht with thousands
separators, shares, rates and other fractions with three decimals."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

FRACTIONS = ("share", "rate", "gini", "trust")


def is_count(name: str, values: Iterable[float]) -> bool:
    """Whole numbers (people, households, enterprises, months), judged by the values, unless the
    name says the metric is a fraction (a share of 0 or 1 in every run is still a share)."""
    array = np.asarray(list(values), dtype=float)
    array = array[np.isfinite(array)]
    if any(word in name for word in FRACTIONS) or not array.size:
        return False
    return bool(np.all(array == np.round(array)))


def format_number(value: float, name: str = "", count: bool = False) -> str:
    """``1,078`` households, ``10,200`` THB (``*_thb``), ``0.412`` for a share; a count's median
    between two whole numbers keeps its half (``240.5``)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if name.endswith("_thb") or abs(value) >= 1000:
        return f"{value:,.0f}"
    if count:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"
