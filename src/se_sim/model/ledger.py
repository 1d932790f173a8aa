"""Money that crosses the community's boundary, so that conservation can be checked.

Inside the community money only moves between households, enterprises and funds; these moves
are not booked here. What enters (income earned outside, market sales, outside grants) and what
leaves (consumption, production costs, reinvestment spending) is booked by kind, so that at any
month: money held now − money held at the start = inflows − outflows.
"""

from __future__ import annotations

from collections import defaultdict


class ExternalLedger:
    def __init__(self) -> None:
        self.inflows: defaultdict[str, float] = defaultdict(float)
        self.outflows: defaultdict[str, float] = defaultdict(float)

    def inflow(self, kind: str, amount: float) -> None:
        self.inflows[kind] += float(amount)

    def outflow(self, kind: str, amount: float) -> None:
        self.outflows[kind] += float(amount)

    @property
    def net(self) -> float:
        return sum(self.inflows.values()) - sum(self.outflows.values())
