"""What every person and worker can see in one week, and where the week's tallies go.

`week_rules` is a plain-Python copy of this week's levers (the `prm` vector, by name), of each
provider's practice (`Services.practice`, by name) and of the organisations' state that people meet
(service lines, policies, prices, trust between providers).
`Tally` holds the week's counters as Python lists while the agents act, and writes them back to
the model's arrays, where the shared organisation-level code (and the recorder) read them.

Counters start from the arrays' current values and are added to in the same order as the numba
kernels add to them, so the float sums come out bit-identical.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from hls_sim.layout import PRACTICE, PRM
from hls_sim.params import N_DOMAINS

if TYPE_CHECKING:
    from hls_sim.model import HLSModel


def week_rules(m: HLSModel) -> SimpleNamespace:
    """Every `prm` slot by name (rules.spill_rate, rules.new_bond, ...), each provider's practice by
    name (rules.practice[p].discretion, .caseload_cap, ...) and the organisations' state that people
    and staff meet this week."""
    rules = SimpleNamespace(**{name: float(m.prm[i]) for name, i in PRM.items()})
    rules.domain = m.domain.tolist()  # each provider's service line
    # the levers as each provider practises them: eligibility, caseload cap, discretion in use, spend
    # per case-week, episode limit, outreach, and whether people can walk in at its door
    rules.practice = [SimpleNamespace(**{name: float(row[i]) for name, i in PRACTICE.items()}) for row in m.practice]
    domains = range(N_DOMAINS)
    # whether any provider serves each domain: its needs show to services (for outreach), open or not
    rules.serves = [any(dk == d for dk in rules.domain) for d in domains]
    # the doors people can walk in to, by domain, in provider order: every provider serving the domain
    # whose practice lets people walk in; none at all when there are no services
    walk_in = [m.services_open and practice.walk_in == 1.0 for practice in rules.practice]
    rules.doors = [[p for p, dk in enumerate(rules.domain) if dk == d and walk_in[p]] for d in domains]
    # who reaches out into each domain this week, and how much (HLSModel._update_reach: outreach as
    # far as the team has room; -1 and 0.0 where nobody does)
    rules.reach_prov = m.reach_prov.tolist()
    rules.reach_rate = m.reach_rate.tolist()
    rules.policy = m.pol.tolist()
    rules.refuse = m.refuse.tolist()  # chance of refusing an eligible case, per provider and band
    rules.attract = m.attract.tolist()
    # pressure on staff per provider: (standing, after threshold easing, after ratchet restraint)
    rules.pressure = m.stk.tolist()
    rules.ptrust = m.ptrust.tolist()
    rules.knowledge = m.knowledge.tolist()
    rules.price = m.price.tolist()
    rules.funded = m.funded.tolist()
    rules.admin = m.admin.tolist()  # recording hours per open case per week, per provider
    rules.contract_hours = m.contract_hours.tolist()  # contract reporting hours per worker per week
    return rules


class Tally:
    """The week's counters: system-wide, per provider, per provider and band, per complexity decile,
    per pair of providers (referrals that arrived or failed, which the trust ledger reads at each
    review); and the run's impact against the no-service twins (`imp`, which adds up over the weeks)."""

    def __init__(self, m: HLSModel) -> None:
        self.cnt = m.cnt.tolist()
        self.pcnt = m.pcnt.tolist()
        self.bcnt = m.bcnt.tolist()
        self.dcnt = m.dcnt_week.tolist()
        self.lcnt = m.lcnt.tolist()
        self.claims = m.claims.tolist()
        self.false_claims = m.false_claims.tolist()
        self.wait_hist = m.wait_hist_week.tolist()
        self.wait_hist_rep = m.wait_hist_rep_week.tolist()
        self.imp = m.imp.tolist()
        self.refer = m.refer_week.tolist()  # referrals from provider p to q: [p][q][0] arrived, [1] failed

    def write(self, m: HLSModel) -> None:
        m.cnt[:] = self.cnt
        m.pcnt[:] = self.pcnt
        m.bcnt[:] = self.bcnt
        m.dcnt_week[:] = self.dcnt
        m.lcnt[:] = self.lcnt
        m.claims[:] = self.claims
        m.false_claims[:] = self.false_claims
        m.wait_hist_week[:] = self.wait_hist
        m.wait_hist_rep_week[:] = self.wait_hist_rep
        m.imp[:] = self.imp
        m.refer_week[:] = self.refer


def total(values: list[float]) -> float:
    """Left-to-right sum from 0.0, as the kernels add (Python 3.12's sum() compensates, which differs)."""
    s = 0.0
    for v in values:
        s += v
    return s
