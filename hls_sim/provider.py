"""Provider organisations: Mesa agents that choose their management policies by what the contract pays.

At each review a provider asks the contract (`hls_sim.contract`) what each number it reports is
worth to it in expected money and contract security, estimates from its own records how each
policy changes those numbers, and weighs that against its mission: the real good it does for the
people who present, and the integrity of its records (001 L545-547, L706; 002 L339-341, L4855).

The choice rule is bounded rationality in two parts (documented in docs/ODD.md 7.10):
- *what it would like to do*: for each policy a share between "play it straight" and "play the
  numbers", by Luce's choice rule on the two payoffs: x* = G / (G + M), where G is the expected
  gain from the policy under the contract's rules (zero when the rules attach nothing to the
  number) and M the mission cost the organisation puts on it (its culture's mission weight x the
  harm, in outcomes' worth). No G, no gaming, whatever the stakes dial says;
- *how fast it gets there*: inertia (`policy_adapt_rate` of the way per review) and exploration
  (a small random step), both off when `policy_adapt_rate` is 0. When a contract's terms come
  into force the provider sets its policies once to what it would like to do (its business model
  for the contract), so even without later adaptation, cultures differ and selection at a
  re-tender has something to select (Smaldino & McElreath 2016).

Nothing here reads the regime's name or the stakes dial: only the contract's answers, the
provider's own records, the published indicators, its finances and trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from hls_sim import contract
from hls_sim.layout import (
    B_CLOSES,
    B_REP_SUCC,
    B_TRUE_SUCC,
    B_WEEKS,
    N_BANDS,
    PC_COUNTED,
    PC_REP_SUCC,
    PC_STARTS,
    PC_STARTS_T_REP,
    POL_CHURN,
    POL_CLOCK,
    POL_EXCLUDE,
    POL_HONESTY,
    POL_PARK,
    POL_PRESSURE,
    POL_REFER,
    POL_SELECT,
    POL_TIMING,
)

if TYPE_CHECKING:
    from hls_sim.model import HLSModel


def luce(gain: float, mission_cost: float) -> float:
    """Share of the choice that goes to the numbers: gain / (gain + mission cost); 0 without gain."""
    if gain <= 0.0:
        return 0.0
    return gain / (gain + max(mission_cost, 0.0))


class Provider(mesa.Agent):
    """One provider organisation with one service line (a life domain)."""

    def __init__(self, model: HLSModel, index: int, domain: int, mission: float) -> None:
        super().__init__(model)
        self.index = index
        self.domain = domain
        self.mission = mission  # its culture: the weight it puts on real outcomes and honest records
        self.ytd = np.zeros(4)  # counted, reported successes, starts, starts reported in target
        self.last_year = np.zeros(4)
        self.band = np.zeros((N_BANDS, 4))  # closes, reported, true successes, episode weeks by band
        self.generation = 0  # how many times this slot has been re-tendered

    # ---- array-backed state ----
    @property
    def policy(self) -> np.ndarray:
        return self.model.pol[self.index]

    def staff(self) -> int:
        m = self.model
        return int(np.sum((m.wk["provider"] == self.index) & (m.wk["status"] > 0)))

    # ---- weekly ----
    def accumulate(self, pcnt_row: np.ndarray, bcnt_rows: np.ndarray) -> None:
        self.ytd += (pcnt_row[PC_COUNTED], pcnt_row[PC_REP_SUCC], pcnt_row[PC_STARTS], pcnt_row[PC_STARTS_T_REP])
        self.band[:, 0] += bcnt_rows[:, B_CLOSES]
        self.band[:, 1] += bcnt_rows[:, B_REP_SUCC]
        self.band[:, 2] += bcnt_rows[:, B_TRUE_SUCC]
        self.band[:, 3] += bcnt_rows[:, B_WEEKS]

    def records(self) -> contract.Records:
        """What the provider knows when it decides: its contract, its year so far, the league table."""
        m = self.model
        k = self.index
        cm = m.commissioner
        # expected volumes a year: last year's, else this year's so far at its pace, else the plan
        weeks_in = m.week_of_year()
        plan = cm.expected_closes_year(k)
        counted_year = self.last_year[0] or (self.ytd[0] * 52.0 / weeks_in if weeks_in >= 13 else plan)
        starts_year = self.last_year[2] or (self.ytd[2] * 52.0 / weeks_in if weeks_in >= 13 else plan)
        return contract.Records(
            contract_year=float(m.contract_week[k] * 52.0),
            notional_price=float(m.notional_price[k]),
            price=m.price[k],
            activity_price=float(m.activity_price[k]),
            counted=float(self.ytd[0]),
            reported=float(self.ytd[1]),
            starts=float(self.ytd[2]),
            starts_in_target=float(self.ytd[3]),
            counted_year=float(max(counted_year, self.ytd[0], 1.0)),
            starts_year=float(max(starts_year, self.ytd[2], 1.0)),
            outcome_target=float(m.targets[k, 0]),
            scores=cm.published_scores(),
            index=k,
            n_providers=m.n_prov,
            paid_by_results=float(cm.paid_by_results[k]),
            in_baseline=m.in_baseline,
            margin=float(m.p["overhead_share"] / (1.0 + m.p["overhead_share"])),
        )

    def values(self) -> contract.IndicatorValues:
        return contract.indicator_values(self.model.terms, self.records())

    def set_pressure(self) -> None:
        """This week's pressure on staff: the standing policy, eased once the target looks safe and
        restrained where beating it would raise the next one (both read from the contract)."""
        m = self.model
        v = self.values()
        full = float(self.policy[POL_PRESSURE])
        at_stake = v.success_full + v.wait_full  # both indicators move with the effort staff put in
        # the ratio first, so that with no threshold or ratchet the eased level is exactly the full one
        eased = full * ((v.success_eased + v.wait_now) / at_stake) if at_stake > 0 else 0.0
        now = full * ((max(v.success_now, 0.0) + v.wait_now) / at_stake) if at_stake > 0 else 0.0
        m.stk[self.index] = (full, min(full, eased), min(eased, now))

    # ---- at each review ----
    def money_weight(self) -> float:
        """Money matters more as reserves run down (survival)."""
        m = self.model
        k = self.index
        level = max(m.p["initial_reserves_weeks"], 1.0) * m.contract_week[k]
        if level <= 0.0:
            return 1.0
        return 1.0 + m.p["reserve_stress"] * max(0.0, 1.0 - m.ledger.reserves[k] / level)

    def band_estimates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Reported and true success, episode weeks and intake mix by band, from the provider's own
        closed cases (shrunk towards the commissioner's expected rate while records are few)."""
        p = self.model.p
        prior = p["records_prior_cases"]
        closes = self.band[:, 0]
        rep = (self.band[:, 1] + prior * p["planned_outcome_rate"]) / (closes + prior)
        true = (self.band[:, 2] + prior * p["planned_outcome_rate"]) / (closes + prior)
        weeks = (self.band[:, 3] + prior * p["prior_episode_weeks"]) / (closes + prior)
        mix = (closes + 1.0) / (closes.sum() + N_BANDS)
        return rep, true, weeks, mix

    def decide(self, *, initial: bool = False) -> None:
        """Set what the provider would like its policies to be, then move towards it (or jump, when
        a contract's terms come into force).

        A place or the hours a case would take, once freed by refusing or closing it, go to another
        case: from the waiting list or already on the caseload. Its value is the average case's.
        """
        m = self.model
        p = m.p
        k = self.index
        t = m.terms
        rec = self.records()
        v = contract.indicator_values(t, rec)
        lam = self.money_weight()
        n_price = float(m.notional_price[k])
        # the mission value of serving one person well, in money: the culture's weight x what the
        # contract spends per case (the same scale for every provider, whatever its success rate)
        mc = self.mission * rec.contract_year / rec.counted_year
        rep, true, weeks, mix = self.band_estimates()
        true_mean = float(np.sum(mix * true))
        ctrust = float(m.ctrust[k])
        success = max(v.success_now, 0.0)
        # what each band's case earns per week of caseload place, against the average case
        a = contract.case_values(v, rep, weeks, m.price[k])
        a_mean = float(np.sum(mix * a))
        top, low = float(a.max()), float(a.min())
        m.attract[k] = (a - low) / (top - low) if top > low else 1.0
        # gain (money and security, x the money weight) and mission cost of each policy at full use
        gain = np.zeros(len(self.policy))
        cost = np.zeros(len(self.policy))
        gain[POL_PARK] = success * float(rep.max() - rep.min())
        cost[POL_PARK] = mc * p["parking_aversion"]
        gain[POL_PRESSURE] = v.success_full + v.wait_full
        cost[POL_PRESSURE] = mc * p["pressure_aversion"]
        gain[POL_HONESTY] = contract.false_record_value(t, v, ctrust, n_price)  # the gain of dishonesty
        cost[POL_HONESTY] = mc * p["integrity_weight"]
        gain[POL_EXCLUDE] = contract.exclusion_net_value(t, v, ctrust, n_price)
        cost[POL_EXCLUDE] = mc * p["integrity_weight"]
        gain[POL_TIMING] = success * p["relapse_risk"] + a_mean * 0.5 * float(np.sum(mix * weeks))
        cost[POL_TIMING] = mc * p["timing_aversion"]
        gain[POL_CHURN] = v.start - success * float(np.sum(mix * rep))
        cost[POL_CHURN] = mc * p["churn_aversion"]
        gain[POL_CLOCK] = v.wait_now
        cost[POL_CLOCK] = mc * p["clock_aversion"]
        gain *= lam
        target = np.array([luce(g, c) for g, c in zip(gain, cost, strict=True)])
        target[POL_HONESTY] = 1.0 - target[POL_HONESTY]
        refuse_gain = lam * np.maximum(0.0, a_mean - a) * weeks
        # turning someone away loses the real good the service would have done them (relative to its average case)
        harm = p["refusal_aversion"] * true / max(true_mean, 1e-6)
        refuse = np.array([luce(refuse_gain[b], mc * harm[b]) for b in range(N_BANDS)])
        # referral follows trust in the other providers: a practice between partners, not a bet on the contract
        others = np.delete(m.ptrust[k], k)
        target[POL_REFER] = p["refer_base"] + p["refer_trust"] * (float(others.mean()) if others.size else 0.0)
        if initial:
            self.policy[:] = np.clip(target, 0.0, 1.0)
            m.refuse[k] = np.clip(refuse, 0.0, 1.0)
        else:
            rate = p["policy_adapt_rate"]
            # exploration: a small random step, only on policies the contract could reward at all
            step = p["policy_exploration"] if rate > 0.0 else 0.0
            noise = m.streams["providers"].normal(0.0, 1.0, len(target) + N_BANDS) * step if step > 0 else None
            new = self.policy + rate * (target - self.policy)
            new_refuse = m.refuse[k] + rate * (refuse - m.refuse[k])
            if noise is not None:
                new += noise[: len(target)] * (gain > 0.0)
                new_refuse += noise[len(target) :] * (refuse_gain > 0.0)
            self.policy[:] = np.clip(new, 0.0, 1.0)
            m.refuse[k] = np.clip(new_refuse, 0.0, 1.0)
        self.policy[POL_SELECT] = float(np.sum(mix * m.refuse[k]))

    def year_end(self) -> None:
        self.last_year = self.ytd.copy()
        self.ytd[:] = 0.0

    def replace_with(self, template: Provider, variation: np.ndarray, culture_step: float) -> None:
        """A new organisation wins the slot: it copies the winner's management model and culture, with
        variation. The variation is proportional (log-normal): a policy the winner does not use at all
        is not copied into use by chance, so no gaming appears where the rules reward none."""
        m = self.model
        k = self.index
        n_pol = len(self.policy)
        copied = m.pol[template.index].copy()
        dishonesty = (1.0 - copied[POL_HONESTY]) * np.exp(variation[POL_HONESTY])
        copied *= np.exp(variation[:n_pol])
        copied[POL_HONESTY] = 1.0 - dishonesty
        self.policy[:] = np.clip(copied, 0.0, 1.0)
        m.refuse[k] = np.clip(m.refuse[template.index] * np.exp(variation[n_pol:]), 0.0, 1.0)
        self.mission = template.mission * float(np.exp(culture_step))
        self.ytd[:] = 0.0
        self.last_year[:] = 0.0
        self.band[:] = 0.0
        self.generation += 1
