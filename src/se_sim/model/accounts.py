"""Household accounts: what each household received and paid this month, and from whom.

Every mechanism that moves money into or out of a household's savings books the move here, by
kind, beside the ledger (which books only what crosses the community's boundary). Disposable
income, poverty, the Gini and the distributional outputs read these accounts, and a test checks
that each household's change in savings over a month equals the flows booked for it, so a flow
that bypasses the accounts is caught (docs/ODD.md, "Household accounts").

Bookings are array operations: ``rows`` are distinct household indices or a mask, so fancy
indexing adds each amount once. A kind's row is zeroed when it is first booked in a month, not
at the month's start, so a month costs only the kinds that occur (most scenarios have no loans
or welfare fund).
"""

from __future__ import annotations

import numpy as np

from se_sim.model.households import HouseholdArrays

CASH_INCOME = ("earned", "enterprise_pay", "grants", "benefits", "dividends")
"""Money that counts as income: earned outside (after shocks), pay from enterprises for members'
work and their profit share, grants of the vulnerable fund, welfare-fund benefits, the savings
group's share-out."""
IN_KIND = ("home_food",)
"""Income in kind, which never passes through savings: food from a garden (the household's own
or a neighbour's shared produce), valued at the food bill it saves, as household income
statistics count own production for own consumption (docs/sources.md)."""
INCOME = CASH_INCOME + IN_KIND
DEDUCTIONS = ("loan_repayments", "contributions")
"""Flows that disposable income deducts: loan repayments (principal and interest) and welfare
contributions."""
OTHER_IN = ("loans_received", "share_refunds", "withdrawals")
"""Money into savings that is not income: borrowed money, share capital given back, savings
taken back from the savings group."""
OTHER_OUT = ("deposits", "share_capital", "purchases", "consumption", "donations")
"""Money out of savings that is not deducted: saving and equity, and spending."""
RECEIPTS = CASH_INCOME + OTHER_IN
PAYMENTS = DEDUCTIONS + OTHER_OUT
KINDS = RECEIPTS + IN_KIND + PAYMENTS

Rows = np.ndarray | slice


class HouseholdAccounts:
    """This month's flows per household (one row per kind, one column per household), and the
    disposable income they add up to, written to the households' ``disposable_income`` and
    ``disposable_income_sum`` when the month closes."""

    def __init__(self, households: HouseholdArrays):
        self.households = households
        self.row = {kind: index for index, kind in enumerate(KINDS)}
        self.flows = np.zeros((len(KINDS), households.n))
        self.booked = [False] * len(KINDS)  # this month; other rows are stale

    def start_month(self) -> None:
        self.booked = [False] * len(KINDS)

    def book(self, kind: str, amount: np.ndarray | float, rows: Rows = slice(None)) -> None:
        """Book money of ``kind`` moved into (``RECEIPTS``) or out of (``PAYMENTS``) the savings
        of ``rows``; amounts are positive either way."""
        row = self.row[kind]
        flow = self.flows[row]
        if self.booked[row]:
            flow[rows] += amount
            return
        self.booked[row] = True
        if isinstance(rows, slice) and rows == slice(None):  # every household: one pass
            flow[:] = amount
            return
        flow.fill(0.0)
        flow[rows] = amount  # rows are distinct

    def of(self, kind: str) -> np.ndarray:
        """This month's flow of one kind, per household (do not write)."""
        row = self.row[kind]
        return self.flows[row] if self.booked[row] else np.zeros(self.households.n)

    def _balance(self, plus: tuple[str, ...], minus: tuple[str, ...], out: np.ndarray) -> None:
        """``out`` = the month's flows of the kinds ``plus`` − those of the kinds ``minus``."""
        out.fill(0.0)
        booked, flows, row = self.booked, self.flows, self.row
        for kinds, add in ((plus, np.add), (minus, np.subtract)):
            for kind in kinds:
                if booked[row[kind]]:
                    add(out, flows[row[kind]], out=out)

    def net_savings_change(self) -> np.ndarray:
        """What the month's bookings add to each household's savings."""
        change = np.empty(self.households.n)
        self._balance(RECEIPTS, PAYMENTS, change)
        return change

    def close_month(self) -> None:
        """Disposable income = income − deductions; added to the run's sum."""
        hh = self.households
        self._balance(INCOME, DEDUCTIONS, hh.disposable_income)
        hh.disposable_income_sum += hh.disposable_income
