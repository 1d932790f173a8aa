"""A savings group with a revolving loan fund (source 002; public figure: Village Fund), a Mesa
agent; the borrowers' state is arrays (``HouseholdArrays.debt`` and the group's own).

Each month, in this order:
1. Repayment. Interest accrues on every debt; the due is the loan's monthly share of principal
   plus the interest, at most the debt. A borrower pays what it can without cutting into its
   food money, unless it defaults this month, with probability ``miss_rate`` or, in hardship,
   ``miss_rate_hardship``; a covariate shock that puts many borrowers in hardship raises
   defaults. A payment short of the due is a month in arrears; after ``write_off_months`` months
   in arrears in a row the debt is written off and the borrower may not borrow again.
   Enterprises repay from cash; an enterprise in distress counts as in hardship, and the loan of
   an enterprise that closed is written off.
2. Withdrawals and savings: a saver in need (hardship, or short of this month's food bill) gives
   notice and, ``notice_months`` later, takes ``share`` of its deposits back while the group's
   cash allows; members deposit ``monthly_saving_thb`` if it leaves their food money whole;
   deposits stay in the group (each member's claim, ``deposits``).
3. Share-out, every ``share_out_every_months``: a share of the period's profit (interest
   accrued − debt written off), if positive, goes to the members in proportion to deposits.
4. Lending, while the group has the cash, one loan at a time per borrower, in a random order of
   households: food loans first (a member in hardship who cannot pay this month's food bill
   borrows ``food_loan_months`` of it, so the food-security rule that follows sees the loan),
   then enterprises that made a profit this month and ask (``enterprise_loan_rate`` a month),
   which buy capital with it, then members not in hardship who ask (``household_loan_rate``,
   less often at a higher rate and more often with thin savings: ``ask_probability``) and spend
   it at once on goods outside the community; their repayments replace that much of later
   spending (``HouseholdArrays.repaid_for_goods``).

Money: deposits, repayments, food loans and share-outs move between holders (internal); what a
household or an enterprise buys with its loan leaves the community (ledger outflows
``loan_spending``, ``enterprise_investment``); a write-off moves no money.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.model.livelihood import food_need
from se_sim.scenario.schema import SavingsGroup as SavingsGroupConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.enterprise import Enterprise


@dataclass
class EnterpriseLoan:
    debt: float
    instalment: float
    arrears: int = 0


class SavingsGroup(mesa.Agent):
    """The group's cash (``balance``), its members, their deposits and the loan book."""

    def __init__(self, model: CommunityModel, config: SavingsGroupConfig):
        super().__init__(model)
        self.config = config
        n = model.households.n
        self.member = model.streams.loans.random(n) < config.member_share
        self.balance = config.initial_balance_thb_per_1000_households * n / 1000
        self.deposits = np.zeros(n)
        self.instalment = np.zeros(n)  # principal due a month on the current loan
        self.arrears = np.zeros(n, dtype=np.int64)  # months in arrears in a row
        self.asked_month = np.full(n, -1, dtype=np.int64)  # a saver's withdrawal notice; −1 none
        self.for_goods = np.zeros(n, dtype=bool)  # the current loan bought goods (not food)
        self.barred = np.zeros(n, dtype=bool)  # written off: no new loan
        self.enterprise_loans: dict[int, EnterpriseLoan] = {}
        self.enterprises_barred: set[int] = set()
        self.lent_by_kind = {"food": 0.0, "household": 0.0, "enterprise": 0.0}
        self.due_total = self.collected_total = self.written_off_total = 0.0
        self.share_out_total = self.withdrawn_total = 0.0
        self.household_loan_asks = 0  # applications for household loans (demand, granted or not)
        self.period_interest = self.period_written_off = 0.0
        self._reset_month()

    def _reset_month(self) -> None:
        self.month_lent = self.month_due = self.month_collected = self.month_written_off = 0.0
        self.month_deposits = self.month_share_out = self.month_withdrawn = 0.0
        self.month_defaults = 0

    @property
    def monthly_rate(self) -> float:
        return self.config.interest_rate_per_year / 12

    @property
    def enterprise_debt(self) -> float:
        return float(sum(loan.debt for loan in self.enterprise_loans.values()))

    @property
    def outstanding(self) -> float:
        return float(self.model.households.debt.sum()) + self.enterprise_debt

    @property
    def in_arrears(self) -> float:
        """Debt of borrowers behind with their payments (the numerator of portfolio at risk)."""
        hh = self.model.households
        firms = sum(loan.debt for loan in self.enterprise_loans.values() if loan.arrears)
        return float(hh.debt[self.arrears > 0].sum()) + firms

    @property
    def lent_total(self) -> float:
        return sum(self.lent_by_kind.values())

    def step(self) -> None:
        self._reset_month()
        model, hh = self.model, self.model.households
        # fixed-size draws (one pair per household, then per enterprise) keep arms aligned
        draws = model.streams.loans.random((hh.n, 2))
        firm_draws = model.streams.loans.random((len(model.enterprise_list), 2))
        need = food_need(hh)
        self._repay(draws[:, 0], need)
        self._repay_enterprises(firm_draws[:, 0])
        if self.config.withdrawals is not None:
            self._withdraw(need, draws[:, 1])
        self._save(need)
        if model.month % self.config.share_out_every_months == 0:
            self._share_out()
        self._lend(draws[:, 1], firm_draws[:, 1], need)

    # --- 1. repayment ---------------------------------------------------------------------

    def _repay(self, draws: np.ndarray, need: np.ndarray) -> None:
        hh, cfg = self.model.households, self.config
        borrowers = np.flatnonzero(hh.debt > 0)
        if borrowers.size == 0:
            return
        interest = self.monthly_rate * hh.debt[borrowers]
        hh.debt[borrowers] += interest
        self.period_interest += float(interest.sum())
        due = np.minimum(hh.debt[borrowers], self.instalment[borrowers] + interest)
        can_pay = np.maximum(hh.savings[borrowers] - need[borrowers], 0.0)
        miss = np.where(hh.hardship[borrowers], cfg.miss_rate_hardship, cfg.miss_rate)
        paid = np.where(draws[borrowers] < miss, 0.0, np.minimum(due, can_pay))
        hh.savings[borrowers] -= paid
        self.model.accounts.book("loan_repayments", paid, borrowers)
        hh.debt[borrowers] -= paid
        hh.repaid_for_goods[borrowers] = np.where(self.for_goods[borrowers], paid, 0.0)
        self._book_payments(due, paid)
        behind = paid < due
        self.arrears[borrowers] = np.where(behind, self.arrears[borrowers] + 1, 0)
        written = borrowers[self.arrears[borrowers] >= cfg.write_off_months]
        self._write_off(float(hh.debt[written].sum()))
        self.barred[written] = True
        closed = borrowers[hh.debt[borrowers] <= 1e-6]  # repaid; a rounding remainder is waived
        for done in (written, closed):
            hh.debt[done] = 0.0
            self.instalment[done] = 0.0
            self.for_goods[done] = False
            self.arrears[done] = 0

    def _repay_enterprises(self, draws: np.ndarray) -> None:
        cfg = self.config
        for slot, loan in list(self.enterprise_loans.items()):
            enterprise = self.model.enterprise_list[slot]
            if not enterprise.active:  # its assets went under the asset lock
                self._end_enterprise_loan(slot, loan, written_off=True)
                continue
            interest = self.monthly_rate * loan.debt
            loan.debt += interest
            self.period_interest += interest
            due = min(loan.debt, loan.instalment + interest)
            miss = cfg.miss_rate_hardship if enterprise.insolvent_months else cfg.miss_rate
            paid = 0.0 if draws[slot] < miss else min(due, enterprise.cash)
            enterprise.cash -= paid
            loan.debt -= paid
            self._book_payments(np.array([due]), np.array([paid]))
            loan.arrears = loan.arrears + 1 if paid < due else 0
            if loan.arrears >= cfg.write_off_months:
                self._end_enterprise_loan(slot, loan, written_off=True)
            elif loan.debt <= 1e-6:
                self._end_enterprise_loan(slot, loan, written_off=False)

    def _end_enterprise_loan(self, slot: int, loan: EnterpriseLoan, written_off: bool) -> None:
        if written_off:
            self._write_off(loan.debt)
            self.enterprises_barred.add(slot)
        del self.enterprise_loans[slot]

    def _book_payments(self, due: np.ndarray, paid: np.ndarray) -> None:
        collected = float(paid.sum())
        self.balance += collected
        self.due_total += float(due.sum())
        self.month_due += float(due.sum())
        self.collected_total += collected
        self.month_collected += collected
        self.month_defaults += int((paid < due).sum())

    def _write_off(self, amount: float) -> None:
        self.written_off_total += amount
        self.period_written_off += amount
        self.month_written_off += amount

    # --- 2. savings and 3. share-out -------------------------------------------------------

    def _save(self, need: np.ndarray) -> None:
        hh, amount = self.model.households, self.config.monthly_saving_thb
        savers = self.member & (hh.savings - need >= amount)
        hh.savings[savers] -= amount
        self.model.accounts.book("deposits", amount, savers)
        self.deposits[savers] += amount
        self.month_deposits = amount * float(savers.sum())
        self.balance += self.month_deposits

    def _withdraw(self, need: np.ndarray, order_key: np.ndarray) -> None:
        """A saver in need (hardship, or short of this month's food bill) gives notice; after
        ``notice_months`` it takes ``share`` of its deposits back, while the group's cash
        allows, in a random order. A saver no longer in need withdraws its notice."""
        hh, rule, month = self.model.households, self.config.withdrawals, self.model.month
        in_need = self.member & (self.deposits > 0) & (hh.hardship | (hh.savings < need))
        self.asked_month[~in_need] = -1
        self.asked_month[in_need & (self.asked_month < 0)] = month
        due = np.flatnonzero(in_need & (month - self.asked_month >= rule.notice_months))
        if due.size == 0:
            return
        due = due[np.argsort(order_key[due], kind="stable")]
        amount = rule.share * self.deposits[due]
        paid = due[: int(np.searchsorted(np.cumsum(amount), self.balance, side="right"))]
        amount = amount[: paid.size]
        self.deposits[paid] -= amount
        hh.savings[paid] += amount
        self.model.accounts.book("withdrawals", amount, paid)
        self.asked_month[paid] = -1
        self.month_withdrawn = float(amount.sum())
        self.withdrawn_total += self.month_withdrawn
        self.balance -= self.month_withdrawn

    def _share_out(self) -> None:
        """Pay members a share of the period's profit, pro rata to deposits, from cash."""
        profit = self.period_interest - self.period_written_off
        self.period_interest = self.period_written_off = 0.0
        held = self.deposits.sum()
        if profit <= 0 or held <= 0:
            return
        pot = min(self.config.share_out_share * profit, max(self.balance, 0.0))
        paid = pot * (self.deposits / held)
        self.model.households.savings += paid
        self.model.accounts.book("dividends", paid)
        amount = float(paid.sum())
        self.balance -= amount
        self.month_share_out = amount
        self.share_out_total += amount

    # --- 4. lending ------------------------------------------------------------------------

    def _lend(self, asks: np.ndarray, firm_asks: np.ndarray, need: np.ndarray) -> None:
        """Households ask with ``asks`` below the loan rate and queue in the order of ``asks``:
        below any threshold the draws are uniform, so the queue is a random order."""
        hh, cfg = self.model.households, self.config
        free = self.member & (hh.debt == 0) & ~self.barred
        if cfg.food_loans:
            short = free & hh.hardship & (hh.savings < need)
            amount = np.minimum(cfg.loan_cap_thb, cfg.food_loan_months * need)
            granted, amounts = self._grant(short, amount, asks)
            hh.savings[granted] += amounts
            self.model.accounts.book("loans_received", amounts, granted)
            self._book_loans("food", float(amounts.sum()))
        for enterprise in self.model.enterprise_list:
            if firm_asks[enterprise.slot] < cfg.enterprise_loan_rate and self._creditworthy(
                    enterprise):
                self._lend_to_enterprise(enterprise)
        free &= hh.debt == 0  # this month's food borrowers have their loan
        ask_rate = self.ask_probability()
        asking = free & ~hh.hardship & (asks < ask_rate)
        self.household_loan_asks += int(np.count_nonzero(asking))
        # below its own threshold a draw is uniform: asks / threshold is a random queue order
        queue = asks / np.maximum(ask_rate, 1e-12)
        granted, amounts = self._grant(asking, np.full(hh.n, cfg.household_loan_thb), queue)
        self.for_goods[granted] = True
        self.model.ledger.outflow("loan_spending", amounts.sum())
        self._book_loans("household", float(amounts.sum()))

    def ask_probability(self) -> np.ndarray:
        """Each household's chance to ask for a household loan this month:
        min(1, household_loan_rate · exp(−ε (r − r_ref) / r_ref) · (1 + need_weight · thin_i)),
        thin_i: savings below the hardship buffer. ε is the demand's elasticity to the rate at
        the reference rate r_ref; food loans answer to need alone."""
        hh, cfg = self.model.households, self.config
        reference = cfg.reference_rate_per_year
        price = np.exp(-cfg.rate_elasticity * (cfg.interest_rate_per_year - reference) / reference)
        thin = hh.savings < hh.config.hardship_savings_thb
        return np.minimum(1.0, cfg.household_loan_rate * price * (1.0 + cfg.need_weight * thin))

    def _grant(
        self, applicants: np.ndarray, amount: np.ndarray, order_key: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Applicants in a random order, as many as the cash covers: who, and how much each."""
        hh = self.model.households
        who = np.flatnonzero(applicants)
        who = who[np.argsort(order_key[who], kind="stable")]
        running = np.cumsum(amount[who])
        granted = who[: int(np.searchsorted(running, self.balance, side="right"))]
        self.balance -= float(amount[granted].sum())
        hh.debt[granted] += amount[granted]
        self.instalment[granted] = amount[granted] / self.config.term_months
        return granted, amount[granted]

    def _book_loans(self, kind: str, lent: float) -> None:
        self.lent_by_kind[kind] += lent
        self.month_lent += lent

    def _creditworthy(self, enterprise: Enterprise) -> bool:
        """Active, profitable this month, no loan now, never written off, and cash to lend."""
        return (enterprise.active and enterprise.profit > 0
                and enterprise.slot not in self.enterprise_loans
                and enterprise.slot not in self.enterprises_barred
                and self.balance >= self.config.enterprise_loan_thb > 0)

    def _lend_to_enterprise(self, enterprise: Enterprise) -> None:
        """The enterprise buys equipment with the loan: capital, bought outside."""
        amount = self.config.enterprise_loan_thb
        self.balance -= amount
        enterprise.capital += amount
        self.model.ledger.outflow("enterprise_investment", amount)
        self.enterprise_loans[enterprise.slot] = EnterpriseLoan(
            debt=amount, instalment=amount / self.config.term_months)
        self._book_loans("enterprise", amount)
