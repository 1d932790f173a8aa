"""Household accounts: what each household received and paid this month, and from whom.

Every mechanism that moves money into or out of a household's savings books the move here, by
kind, beside the ledger (which books only what crosses the community's boundary). Disposable
income, poverty, the Gini and the distributional outputs read these accounts, and a test checks
that each household's change in savings over a month equals the flows booked for it, so a flow
that bypasses the accounts is caught (docs/ODD.md, "Household accounts").

Bookings are array operations: ``rows`` are distinct household indices or a mask, so fancy
indexing adds each amount once.
"""

from __future__ import annotations

import numpy as np

from se_sim.model.households import HouseholdArrays

INCOME = ("earned", "enterprise_pay", "grants", "benefits", "dividends")
"""Flows that count as income: earned outside (after shocks), pay from enterprises for members'
hours, grants of the vulnerable fund, welfare-fund benefits, the savings group's share-out."""
DEDUCTIONS = ("loan_repayments", "contributions")
"""Flows that disposable income deducts: loan repayments (principal and interest) and welfare
contributions."""
OTHER_IN = ("loans_received", "share_refunds")
"""Money into savings that is not income: borrowed money, share capital given back."""
OTHER_OUT = ("deposits", "share_capital", "purchases", "consumption", "donations")
"""Money out of savings that is not deducted: saving and equity, and spending."""
RECEIPTS = INCOME + OTHER_IN
PAYMENTS = DEDUCTIONS + OTHER_OUT
KINDS = RECEIPTS + PAYMENTS

Rows = np.ndarray | slice


class HouseholdAccounts:
    """This month's flows per household (one row per kind, one column per household), and the
    disposable income they add up to, written to the households' ``disposable_income`` and
    ``disposable_income_sum`` when the month closes."""

    def __init__(self, households: HouseholdArrays):
        self.households = households
        self.row = {kind: index for index, kind in enumerate(KINDS)}
        self.flows = np.zeros((len(KINDS), households.n))
        self._income = slice(0, len(INCOME))
        self._deductions = slice(len(RECEIPTS), len(RECEIPTS) + len(DEDUCTIONS))

    def start_month(self) -> None:
        self.flows.fill(0.0)

    def book(self, kind: str, amount: np.ndarray | float, rows: Rows = slice(None)) -> None:
        """Book money of ``kind`` moved into (``RECEIPTS``) or out of (``PAYMENTS``) the savings
        of ``rows``; amounts are positive either way."""
        self.flows[self.row[kind], rows] += amount

    def of(self, kind: str) -> np.ndarray:
        """This month's flow of one kind, per household (a view: do not write)."""
        return self.flows[self.row[kind]]

    def net_savings_change(self) -> np.ndarray:
        """What the month's bookings add to each household's savings."""
        return self.flows[: len(RECEIPTS)].sum(axis=0) - self.flows[len(RECEIPTS):].sum(axis=0)

    def close_month(self) -> None:
        """Disposable income = income − deductions; added to the run's sum."""
        hh = self.households
        np.subtract(self.flows[self._income].sum(axis=0), self.flows[self._deductions].sum(axis=0),
                    out=hh.disposable_income)
        hh.disposable_income_sum += hh.disposable_income
