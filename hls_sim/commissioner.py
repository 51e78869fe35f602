"""The commissioner: applies the contract's rules (hls_sim/contract.py) to each provider.

It pays (block, activity, outcome or a pooled alliance budget), audits reported results, sets
prices and targets when a contract's terms come into force, withholds target penalties, ratchets
targets, publishes the league table (and its sanction), re-tenders and replaces providers that
fail. Every rule reads the levers through `contract.Terms`, never a regime's name; every transfer
goes through the model's `Ledger` (hls_sim/accounts.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from hls_sim import contract
from hls_sim.layout import B_CLOSES, B_REP_SUCC, N_BANDS, PC_COUNTED, PC_REP_SUCC, PC_STARTS, PC_STARTS_T_REP

if TYPE_CHECKING:
    from hls_sim.model import HLSModel


class Commissioner(mesa.Agent):
    def __init__(self, model: HLSModel) -> None:
        super().__init__(model)
        n = model.n_prov
        self.audited = 0.0
        self.detected = 0.0
        self.tenders = 0
        self.insolvencies = 0
        self.sanctions = 0
        self.benchmark = np.full(n, np.nan)  # each provider's reported rate over its baseline
        self.baseline = np.zeros((n, 4))  # counted, reported, starts, starts in target while the baseline runs
        self.baseline_band = np.zeros((N_BANDS, 2))  # closes and reported successes by difficulty band
        self._scores = np.zeros(n)
        self.paid_by_results = np.zeros(n)  # this contract year, per provider (against the cap)

    # ---- what the contract expects ----
    def expected_closes_year(self, k: int) -> float:
        """Closed cases a year the commissioner plans for: full caseloads turning over at the planned episode length."""
        m = self.model
        return float(m.funded[k] * m.p["caseload_cap"] * 52.0 / max(m.p["prior_episode_weeks"], 1.0))

    def start_contract(self, baseline_weeks: int) -> None:
        """The terms come into force: prices and targets from the baseline (or the plan without one).

        `baseline_weeks` is the length of the period `self.baseline` counts (the baseline period at the
        start of a run; the last full contract year at a change of regime), so its totals become yearly
        rates whatever week the contract starts in."""
        m = self.model
        t = m.terms
        p = m.p
        contract_year = m.contract_week * 52.0
        planned = np.array([self.expected_closes_year(k) for k in range(m.n_prov)])
        prior = p["pricing_prior_cases"]
        base = self.baseline
        weeks = max(int(baseline_weeks), 1)
        rate = (base[:, 1] + prior * p["planned_outcome_rate"]) / (base[:, 0] + prior)
        closes_year = np.where(base[:, 0] > 0, base[:, 0] * 52.0 / weeks, planned)
        starts_year = np.where(base[:, 2] > 0, base[:, 2] * 52.0 / weeks, planned)
        self.benchmark[:] = np.where(
            base[:, 0] > 0, base[:, 1] / np.maximum(base[:, 0], 1.0), p["planned_outcome_rate"]
        )
        expected_outcomes = np.maximum(rate * closes_year, 1.0)
        if t.tariff:
            # one national price: the market's contract value per expected outcome (or start), so a
            # provider that produces fewer per pound than the market earns less than its contract value
            expected_outcomes = contract_year * expected_outcomes.sum() / contract_year.sum()
            starts_year = contract_year * starts_year.sum() / contract_year.sum()
        m.notional_price[:] = contract_year / expected_outcomes
        bb = self.baseline_band
        band_rates = (bb[:, 1] + prior * p["planned_outcome_rate"]) / (bb[:, 0] + prior)
        band_weight = _difficulty_weights(band_rates)
        m.price[:] = contract.outcome_prices(t, contract_year, expected_outcomes, band_weight)
        m.activity_price[:] = contract.activity_prices(t, contract_year, starts_year)
        for k in range(m.n_prov):
            m.targets[k, 0] = contract.baseline_target(t, float(rate[k]))
            m.targets[k, 1] = t.wait_target_share
        m.in_baseline = False
        for prov in m.providers:
            prov.decide(initial=True)

    # ---- money ----
    def weekly_payments(self, claims: np.ndarray, pcnt: np.ndarray) -> None:
        """Pay each provider for the week: the fixed part and what it earned, or its alliance share."""
        m = self.model
        t = m.terms
        led = m.ledger
        fixed = 1.0 if m.in_baseline else contract.fixed_payment_share(t)
        for k in range(m.n_prov):
            if t.basis == "pooled":
                amount = m.budget_week * m.alliance_share[k]
            else:
                amount = m.contract_week[k] * fixed
                earned = 0.0
                if not m.in_baseline:
                    if t.basis == "outcome":
                        earned = claims[k]
                    elif t.basis == "activity":
                        earned = pcnt[k, PC_STARTS] * m.activity_price[k]
                earned = contract.capped_payment(t, float(m.contract_week[k] * 52.0), self.paid_by_results[k], earned)
                self.paid_by_results[k] += earned
                amount += earned
            led.pay(k, amount)
        if m.p["steward"]:
            share = m.p["steward_hours_per_week"] / m.p["hours_per_week"]
            led.commission("steward", m.p["steward_cost"] * share / 52.0)

    # ---- at each review ----
    def audit(self, period_rep: np.ndarray, period_false: np.ndarray, period_excluded: np.ndarray) -> None:
        """Check a sample of reported results (and, if the contract says so, of cases left out of the
        count); a false record found costs a penalty and trust (001 L589; 002 L830)."""
        m = self.model
        t = m.terms
        p = m.p
        rng = m.streams["providers"]
        for prov in m.providers:
            k = prov.index
            rate = contract.detection_probability(t, float(m.ctrust[k]))
            n_rep = int(period_rep[k]) + (int(period_excluded[k]) if t.audit_sees_exclusions else 0)
            n_false = int(min(period_false[k], period_rep[k])) + (
                int(period_excluded[k]) if t.audit_sees_exclusions else 0
            )
            if n_rep <= 0 or rate <= 0:
                continue
            sampled = int(rng.binomial(n_rep, rate))
            found = int(rng.hypergeometric(n_false, n_rep - n_false, sampled)) if sampled > 0 else 0
            self.audited += sampled
            self.detected += found
            m.ledger.commission("audit", sampled * p["audit_cost"])
            m.audited_period[k] += sampled
            if found > 0:
                m.ledger.penalise(k, found * contract.audit_penalty(t, float(m.notional_price[k])))
                m.trust.letdown(k, p["trust_loss_detection"])

    def record_baseline(self, pcnt_week: np.ndarray, bcnt_week: np.ndarray) -> None:
        """While the baseline runs, the commissioner keeps each provider's reported results."""
        self.baseline += pcnt_week[:, [PC_COUNTED, PC_REP_SUCC, PC_STARTS, PC_STARTS_T_REP]]
        self.baseline_band[:, 0] += bcnt_week[:, :, B_CLOSES].sum(axis=0)
        self.baseline_band[:, 1] += bcnt_week[:, :, B_REP_SUCC].sum(axis=0)

    def year_end(self) -> None:
        """Target penalties, the ratchet, the league table; then every provider closes its year."""
        m = self.model
        t = m.terms
        if not m.in_baseline:
            for prov in m.providers:
                k = prov.index
                counted, rep, starts, starts_ok = prov.ytd
                contract_year = float(m.contract_week[k] * 52.0)
                checks = []
                if t.outcome_target_on and counted > 0:
                    checks.append((0, rep / counted))
                if t.wait_target_on and starts > 0:
                    checks.append((1, starts_ok / starts))
                for col, perf in checks:
                    tgt = float(m.targets[k, col])
                    penalty = contract.target_penalty(t, contract_year, tgt, perf)
                    if penalty > 0:
                        m.ledger.penalise(k, penalty)
                        m.trust.letdown(k, 1.0)  # a penalty is a let-down between commissioner and provider
                        if col == 0 and t.sanction > 0:
                            self.sanctions += 1  # named as failing: a cost to its managers, not money
                    elif col == 0:
                        m.targets[k, col] = contract.next_target(t, tgt, perf)
            if t.sanction > 0 and not t.outcome_target_on and m.n_prov > 1:
                self.sanctions += 1  # the bottom of the published table
        for prov in m.providers:
            prov.year_end()
        self.paid_by_results[:] = 0.0
        self._scores = self._score_table()

    def _score_table(self) -> np.ndarray:
        """Last year's reported indicators per provider, against its own baseline benchmark (and the wait
        target): commissioners compare each service with what it achieved before, not a housing
        service with a mental-health one."""
        m = self.model
        bench = np.nan_to_num(self.benchmark, nan=0.0)
        rates = bench.copy()  # no closed case in the year: no evidence either way
        waits = np.full(m.n_prov, m.terms.wait_target_share)
        for prov in m.providers:
            data = prov.last_year
            if data[0] > 0:
                rates[prov.index] = data[1] / data[0]
            if data[2] > 0:
                waits[prov.index] = data[3] / data[2]
        return contract.tender_scores(m.terms, rates - bench, waits - m.terms.wait_target_share)

    def published_scores(self) -> np.ndarray:
        return self._scores

    def retender(self) -> None:
        """Competition: one contract is lost, the lower a provider's score the likelier it is its own
        (`contract.loss_probabilities`); the winner of the slot copies the best-scoring provider's
        management model, with variation, so selection acts on the proxy, not the truth
        (Smaldino & McElreath 2016; Braganza 2022)."""
        m = self.model
        if m.n_prov < 2 or m.in_baseline:
            return
        rng = m.streams["providers"]
        scores = self._score_table()
        probs = contract.loss_probabilities(m.terms, scores)
        loser = int(min(np.searchsorted(np.cumsum(probs), rng.random() * probs.sum(), side="right"), m.n_prov - 1))
        self.replace(loser, best=int(np.argmax(scores)), rng=rng)

    def replace(self, k: int, best: int, rng: np.random.Generator) -> None:
        """A new organisation takes over provider k's service: copied model, fresh reserves, staff transfer."""
        m = self.model
        p = m.p
        if best == k:
            others = [j for j in range(m.n_prov) if j != k]
            best = int(others[int(np.argmax(self._scores[others]))]) if others else k
        variation = rng.normal(0.0, p["tender_policy_variation"], m.pol.shape[1] + N_BANDS)
        culture = float(rng.normal(0.0, p["tender_policy_variation"]))
        m.providers[k].replace_with(m.providers[best], variation, culture)
        m.replace_provider_staff(k, p["tender_staff_loss"], rng)
        m.ledger.commission("tender", p["tender_cost"])
        self.tenders += 1
        m.on_tender(k)
        m.ledger.endow(k, m._lever(k, "initial_reserves_weeks") * float(m.contract_week[k]))
        m.rebase_prices(replaced=k)

    def fail(self, k: int) -> None:
        """A provider whose reserves ran out: its service is re-tendered at once."""
        self.insolvencies += 1
        m = self.model
        scores = self._score_table()
        m.ledger.write_off(k)  # the failed organisation's debts fall on its creditors, not the public purse
        self.replace(k, best=int(np.argmax(scores)), rng=m.streams["providers"])

    def reallocate_pool(self, demand: np.ndarray) -> None:
        """Alliance and steward move pooled money towards where need is (001 L1663-1668; 002 L2806)."""
        m = self.model
        if m.terms.basis != "pooled" or m.n_prov < 2:
            return
        from hls_sim.system import steward_cover

        p = m.p
        rate = min(1.0, p["pool_reallocation_rate"] + steward_cover(m) * p["steward_reallocation_rate"])
        total = demand.sum()
        if total <= 0:
            return
        share = (1.0 - rate) * m.alliance_share + rate * demand / total
        share /= share.sum()
        cut = np.maximum(0.0, 1.0 - share / np.maximum(m.alliance_share, 1e-12))
        for k in np.flatnonzero(cut > 0):
            m.trust.letdown(int(k), p["cut_trust_events"] * float(cut[k]))  # a cut, in proportion to its size
        m.alliance_share[:] = share

    def kept_promises(self) -> np.ndarray:
        """A review in which a provider was paid as its contract said, with no penalty and no cut: one
        good experience between it and the commissioner."""
        return (self.model.trust.com_bad == 0.0).astype(float)


def _difficulty_weights(band_rates: np.ndarray) -> np.ndarray:
    """Differential prices: inverse to the success each band showed in the baseline, mean 1."""
    inv = 1.0 / np.maximum(band_rates, 1e-3)
    return inv / inv.mean()
