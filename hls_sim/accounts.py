"""Money: what the commissioner pays and spends, what each provider receives, spends and holds.

Every transfer goes through one `Ledger`, which writes both sides, so conservation holds by
construction and is checked by the tests: payments made = payments received, penalties paid =
penalties received, and, summed over providers, reserves = reserves brought in + received - spent
- penalties + debts written off at a failure (a provider can spend beyond its means only until it
fails; alliance partners share risk by moving reserves between them, which changes no total).
Providers hire only within what their income pays for; a deficit first freezes hiring, then cuts
staff; a provider whose reserves run out fails and its service is re-tendered (the commissioner
counts it in `provider_insolvencies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COMMISSIONER_COSTS = ("audit", "tender", "steward", "transition", "discretionary")


@dataclass
class Ledger:
    """Provider accounts (arrays indexed by provider) and the commissioner's totals."""

    n_providers: int
    reserves: np.ndarray = field(init=False)
    received: np.ndarray = field(init=False)  # all money received from the commissioner
    spent: np.ndarray = field(init=False)  # staff and overheads
    penalties_paid: np.ndarray = field(init=False)
    income_rate: np.ndarray = field(init=False)  # smoothed weekly income
    brought_in: float = 0.0  # reserves providers brought (at the start and with each new entrant)
    paid: float = 0.0  # money the commissioner paid to providers
    penalties_received: float = 0.0
    written_off: float = 0.0  # debts of failed providers, borne by their creditors
    risk_shared: float = 0.0  # moved between alliance partners to cover deficits
    costs: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COMMISSIONER_COSTS, 0.0))
    week: dict[str, float] = field(default_factory=dict)  # this week's flows by kind (the recorder reads it)

    def __post_init__(self) -> None:
        n = self.n_providers
        self.reserves = np.zeros(n)
        self.received = np.zeros(n)
        self.spent = np.zeros(n)
        self.penalties_paid = np.zeros(n)
        self.income_rate = np.zeros(n)
        self.week_received = np.zeros(n)
        self.start_week()

    def start_week(self) -> None:
        self.week = dict.fromkeys(("payments", "penalties", *COMMISSIONER_COSTS, "downstream", "reactive"), 0.0)
        self.week_received = np.zeros(self.n_providers)

    def endow(self, k: int, amount: float) -> None:
        """A provider's own reserves at the start, or those a new entrant brings."""
        self.reserves[k] += amount
        self.brought_in += amount

    def pay(self, k: int, amount: float) -> None:
        self.paid += amount
        self.received[k] += amount
        self.week_received[k] += amount
        self.reserves[k] += amount
        self.week["payments"] += amount

    def penalise(self, k: int, amount: float) -> None:
        self.penalties_paid[k] += amount
        self.reserves[k] -= amount
        self.penalties_received += amount
        self.week["penalties"] += amount

    def spend(self, k: int, amount: float) -> None:
        """A provider's own spending (staff at full cost, overheads included)."""
        self.spent[k] += amount
        self.reserves[k] -= amount

    def write_off(self, k: int) -> None:
        """A failed provider's debts are written off: its creditors lose them, the public purse does not."""
        if self.reserves[k] < 0.0:
            self.written_off -= self.reserves[k]
            self.reserves[k] = 0.0

    def share_risk(self) -> float:
        """An alliance's shared risk (001 L1663-1668): partners with reserves to spare cover a partner in
        deficit, in proportion to what they hold, before anyone fails. Returns the amount moved."""
        short = -self.reserves[self.reserves < 0.0].sum()
        spare = self.reserves[self.reserves > 0.0].sum()
        if short <= 0.0 or spare <= 0.0:
            return 0.0
        moved = min(short, spare)
        negative = self.reserves < 0.0
        give = np.where(self.reserves > 0.0, self.reserves / spare * moved, 0.0)
        take = np.where(negative, -self.reserves / short * moved, 0.0)
        self.reserves += take - give
        if moved == short:
            self.reserves[negative] = 0.0  # covered in full: no rounding residue left to fail on
        self.risk_shared += moved
        return moved

    def commission(self, kind: str, amount: float) -> None:
        """A cost the commissioner bears itself (audits, tenders, the steward, transitions, small spends)."""
        self.costs[kind] += amount
        self.week[kind] += amount

    def smooth_income(self, first_week: bool, memory: float) -> None:
        """Expected weekly income as a provider sees it: an exponential average of what came in."""
        if first_week:
            self.income_rate[:] = self.week_received
        else:
            self.income_rate[:] = memory * self.income_rate + (1.0 - memory) * self.week_received


def affordable_posts(expected_income_week: float, post_cost_week: float) -> int:
    """Posts that the expected income pays for (at least one: a service line needs someone to run it)."""
    return max(1, int(expected_income_week / post_cost_week))


def staffing_decision(
    staff: int,
    affordable: int,
    reserves: float,
    weekly_cost: float,
    weekly_income: float,
    freeze_weeks: float,
    horizon_weeks: float,
) -> int:
    """How many posts the provider keeps funded: grow to what income pays for unless reserves are low
    (hiring freezes below `freeze_weeks` of costs); cut to it when at this rate reserves would run
    out within `horizon_weeks`; otherwise keep the staff it has (people are not sacked at once for
    a dip the reserves can carry)."""
    if reserves + horizon_weeks * (weekly_income - weekly_cost) < 0.0:
        return min(staff, affordable)
    if reserves < freeze_weeks * weekly_cost:
        return min(staff, max(affordable, 1))
    return affordable if staff <= affordable else staff


def insolvent(reserves: float) -> bool:
    return reserves < 0.0
