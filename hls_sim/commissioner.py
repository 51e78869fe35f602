"""The commissioner: the regime's rules for money, audits, targets and re-tendering, in one place.

Every rule reads levers, never a regime name (brief s.3). Money moves only through `pay` and
`penalise`, which write both sides of the ledger, so conservation can be checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from hls_sim.layout import PC_CLOSES, PC_REP_SUCC, PC_STARTS

if TYPE_CHECKING:
    from hls_sim.model import HLSModel
    from hls_sim.provider import Provider

TARGET_PENALTY = 0.1  # share of a year's contract withheld for missing a target by 20 points at full stakes
RATCHET_CAP = 0.95
TENDER_STAFF_LOSS = 0.3  # staff who do not transfer to the new provider after a lost tender
POLICY_MUTATION = 0.05
ALLIANCE_REALLOCATION = 0.2  # share of the pooled budget the alliance moves towards need each review
TRUST_AUDIT_RELIEF = 0.5  # share of audits dropped at full commissioner-provider trust


class Commissioner(mesa.Agent):
    def __init__(self, model: HLSModel) -> None:
        super().__init__(model)
        self.paid = 0.0  # money paid to providers
        self.penalties_received = 0.0
        self.costs = dict.fromkeys(("audit", "tender", "steward", "transition", "discretionary"), 0.0)
        self.audited = 0.0
        self.detected = 0.0
        self.tenders = 0

    # ---- money ----
    def pay(self, provider: Provider, amount: float) -> None:
        self.paid += amount
        provider.received += amount
        provider.week_received += amount
        provider.reserves += amount
        self.model.week_money["payments"] += amount

    def penalise(self, provider: Provider, amount: float) -> None:
        provider.penalties_paid += amount
        provider.reserves -= amount
        self.penalties_received += amount
        self.model.week_money["penalties"] += amount

    def spend(self, kind: str, amount: float) -> None:
        self.costs[kind] += amount
        self.model.week_money[kind] += amount

    def weekly_payments(self, claims: np.ndarray, pcnt: np.ndarray) -> None:
        """Pay each provider for the week: fixed part, outcome or activity part, or alliance share."""
        m = self.model
        p = m.p
        basis = p["payment_basis"]
        at_risk = p["incentive_strength"] * p["outcome_payment_share"] if basis in ("outcome", "activity") else 0.0
        for prov in m.providers:
            k = prov.index
            if basis == "pooled":
                amount = m.budget_week * m.alliance_share[k]
            else:
                amount = m.contract_week[k] * (1.0 - at_risk)
                if basis == "outcome":
                    amount += claims[k]
                elif basis == "activity":
                    amount += pcnt[k, PC_STARTS] * m.activity_price[k]
            self.pay(prov, amount)
        if p["steward"]:
            self.spend("steward", p["steward_cost"] / 52.0)

    # ---- at each review ----
    def audit(self, period_rep: np.ndarray, period_false: np.ndarray) -> None:
        """Check a sample of reported outcomes; detected false reports cost a penalty (001 L589)."""
        m = self.model
        p = m.p
        rng = m.streams["providers"]
        for prov in m.providers:
            k = prov.index
            # trust lowers monitoring: a trusted provider is checked less (002 L745, L1253-1259)
            rate = p["audit_rate"] * (1.0 - TRUST_AUDIT_RELIEF * m.ctrust[k])
            n_rep = int(period_rep[k])
            n_false = int(min(period_false[k], n_rep))
            if n_rep <= 0 or rate <= 0:
                continue
            sampled = int(rng.binomial(n_rep, rate))
            found = int(rng.hypergeometric(n_false, n_rep - n_false, sampled)) if sampled > 0 else 0
            self.audited += sampled
            self.detected += found
            self.spend("audit", sampled * p["audit_cost"])
            if found > 0:
                self.penalise(prov, found * p["audit_penalty"] * m.notional_price[k])
                prov.detections += found / max(sampled, 1)
                m.ctrust[k] = max(0.0, m.ctrust[k] - 0.15)

    def year_end(self) -> None:
        """Penalties for missed targets, and the ratchet: next target = this year's reported level."""
        m = self.model
        p = m.p
        s = p["incentive_strength"]
        for prov in m.providers:
            k = prov.index
            counted, rep, starts, starts_ok = prov.ytd
            checks = []
            if m.outcome_target_active and counted > 0:
                checks.append((0, rep / counted))
            if m.wait_target_active and starts > 0:
                checks.append((1, starts_ok / starts))
            for col, perf in checks:
                tgt = m.targets[k, col]
                if perf < tgt:
                    miss = min(1.0, (tgt - perf) / 0.2)
                    self.penalise(prov, s * TARGET_PENALTY * miss * m.contract_week[k] * 52.0)
                elif p["ratchet"]:
                    m.targets[k, col] = min(RATCHET_CAP, max(tgt, perf))
            prov.year_end()

    def retender(self) -> None:
        """Competition: the provider with the worst reported indicator loses its contract.

        The winner copies the best-reporting provider's management model, so selection acts on
        the proxy, not the truth (Smaldino & McElreath 2016).
        """
        m = self.model
        if m.n_prov < 2:
            return
        score = np.array([self.tender_score(prov) for prov in m.providers])
        loser = int(np.argmin(score))
        best = int(np.argmax(score))
        rng = m.streams["providers"]
        noise = rng.normal(0.0, POLICY_MUTATION, m.pol.shape[1])
        template = m.pol[best].copy()
        m.providers[loser].reset_after_tender(template, noise)
        m.replace_provider_staff(loser, TENDER_STAFF_LOSS, rng)
        self.spend("tender", m.p["tender_cost"])
        self.tenders += 1
        m.on_tender(loser)
        m.rebase_prices()

    def tender_score(self, prov: Provider) -> float:
        m = self.model
        data = prov.last_year if prov.last_year[0] > 0 else prov.ytd
        parts = []
        if data[0] > 0:
            parts.append(data[1] / data[0])
        if m.wait_target_active and data[2] > 0:
            parts.append(data[3] / data[2])
        return float(np.mean(parts)) if parts else 0.0

    def reallocate_pool(self, pcnt_period: np.ndarray, demand: np.ndarray) -> None:
        """Alliance and steward move pooled money towards where need is (001 L1663-1668; 002 L2806)."""
        m = self.model
        if m.p["payment_basis"] != "pooled" or m.n_prov < 2:
            return
        rate = ALLIANCE_REALLOCATION * (2.0 if m.p["steward"] else 1.0)
        total = demand.sum()
        if total <= 0:
            return
        share = (1.0 - rate) * m.alliance_share + rate * demand / total
        m.alliance_share[:] = share / share.sum()

    def period_reports(self, pcnt_period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return pcnt_period[:, PC_REP_SUCC], pcnt_period[:, PC_CLOSES]
