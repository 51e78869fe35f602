"""Provider organisations: Mesa agents whose state lives in the model's arrays.

A provider's management policies (intake selectivity, parking, pressure on staff, reporting
honesty, discharge timing, clock priority, referral by need) move at each review towards what
its own records say pays and keeps the contract, tempered by its mission (001 L545-547, L706;
002 L339-341, L4855). Nothing here knows the regime's name: the provider reads the levers,
its own reported results by observed difficulty band, its finances and its audits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from hls_sim.layout import (
    B_CLOSES,
    B_HOURS,
    B_REP_SUCC,
    N_BANDS,
    P_DISCRETION,
    PC_COUNTED,
    PC_REP_SUCC,
    PC_STARTS,
    PC_STARTS_T_REP,
    POL_CLOCK,
    POL_HONESTY,
    POL_PARK,
    POL_PRESSURE,
    POL_REFER,
    POL_SELECT,
    POL_TIMING,
)
from hls_sim.system import felt_stakes

if TYPE_CHECKING:
    from hls_sim.model import HLSModel

THRESHOLD_EASE = 0.5  # pressure kept once the year's target is met (threshold effect)
RATCHET_EASE = 0.6  # pressure kept when beating the target would raise next year's (ratchet)
RATCHET_MARGIN = 0.05
PRIOR_CASES = 10.0  # weight of the prior in a provider's estimate of success by band
PRIOR_WEEKS = 13.0  # prior episode length in weeks
MAX_DETERRENCE = 0.8  # sampled audits never remove the temptation entirely (lying in 74% of studies, 002 L2786)
DETECTION_MEMORY = 0.7  # how much of the felt deterrence from detected misreports lasts a review


class Provider(mesa.Agent):
    """One provider organisation with one service line (a life domain)."""

    def __init__(self, model: HLSModel, index: int, domain: int) -> None:
        super().__init__(model)
        self.index = index
        self.domain = domain
        self.reserves = 0.0
        self.received = 0.0  # all money received from the commissioner
        self.week_received = 0.0
        self.penalties_paid = 0.0
        self.spent = 0.0
        self.income_rate = 0.0  # smoothed weekly income
        self.detections = 0.0  # felt deterrence from recent detected misreports
        self.ytd = np.zeros(4)  # counted, reported successes, starts, starts reported in target
        self.last_year = np.zeros(4)
        self.band_closes = np.zeros(N_BANDS)
        self.band_rep = np.zeros(N_BANDS)
        self.band_weeks = np.zeros(N_BANDS)
        self.generation = 0  # how many times this slot has been re-tendered

    # ---- array-backed state ----
    @property
    def policy(self) -> np.ndarray:
        return self.model.pol[self.index]

    def staff(self) -> int:
        m = self.model
        return int(np.sum((m.wk["provider"] == self.index) & (m.wk["status"] > 0)))

    def stakes(self) -> float:
        return felt_stakes(self.model.p)

    def reported_rate(self, data: np.ndarray) -> float:
        return data[1] / data[0] if data[0] > 0 else np.nan

    # ---- weekly ----
    def accumulate(self, pcnt_row: np.ndarray) -> None:
        self.ytd += (pcnt_row[PC_COUNTED], pcnt_row[PC_REP_SUCC], pcnt_row[PC_STARTS], pcnt_row[PC_STARTS_T_REP])

    def ease_factors(self) -> tuple[float, float]:
        """Threshold easing once the year's targets are met; ratchet restraint if beating them costs later."""
        m = self.model
        if not (m.outcome_target_active or m.wait_target_active):
            return 1.0, 1.0
        met, above = True, True
        if m.outcome_target_active:
            if self.ytd[0] < 5:
                return 1.0, 1.0
            rate = self.ytd[1] / self.ytd[0]
            tgt = m.targets[self.index, 0]
            met &= rate >= tgt
            above &= rate >= tgt + RATCHET_MARGIN
        if m.wait_target_active:
            if self.ytd[2] < 5:
                return 1.0, 1.0
            share = self.ytd[3] / self.ytd[2]
            tgt = m.targets[self.index, 1]
            met &= share >= tgt
            above &= share >= tgt + RATCHET_MARGIN
        thr = THRESHOLD_EASE if met else 1.0
        rat = RATCHET_EASE if (above and m.p["ratchet"]) else 1.0
        return thr, rat

    # ---- at each review ----
    def review(self, bcnt: np.ndarray) -> None:
        """Move policies towards what the organisation's own records say pays and keeps the contract."""
        m = self.model
        p = m.p
        s = self.stakes()
        self.band_closes += bcnt[self.index, :, B_CLOSES]
        self.band_rep += bcnt[self.index, :, B_REP_SUCC]
        self.band_weeks += bcnt[self.index, :, B_HOURS]
        prior = m.planned_success
        rate = (self.band_rep + PRIOR_CASES * prior) / (self.band_closes + PRIOR_CASES)
        weeks = (self.band_weeks + PRIOR_CASES * PRIOR_WEEKS) / (self.band_closes + PRIOR_CASES)
        # what a case of each band earns (money, or counted outcomes) per week of caseload it occupies
        pay = m.price[self.index] if p["payment_basis"] in ("outcome", "activity") else 1.0
        value = pay * rate / weeks
        top, low = value.max(), value.min()
        # which bands pay best (0 = worst, 1 = best), and how much is at stake between them
        attract = (value - low) / (top - low) if top > low else np.ones_like(value)
        m.attract[self.index] = attract
        spread = float(1.0 - low / top) if top > 0 else 0.0
        mission = 1.0 + p["mission_weight"]
        # how far behind: reported indicator against target, and money against cost
        shortfall = 0.0
        if m.outcome_target_active and self.ytd[0] > 0:
            shortfall = max(shortfall, m.targets[self.index, 0] - self.ytd[1] / self.ytd[0])
        if m.wait_target_active and self.ytd[2] > 0:
            shortfall = max(shortfall, m.targets[self.index, 1] - self.ytd[3] / self.ytd[2])
        cost_rate = m.worker_week_cost * max(self.staff(), 1)
        deficit = max(0.0, (cost_rate - self.income_rate) / cost_rate)
        behind = max(shortfall, deficit)
        deterrence = min(MAX_DETERRENCE, p["audit_rate"] * p["audit_penalty"] * 3.0 + self.detections)
        outcome_stakes = s if (p["payment_basis"] in ("outcome", "activity") or m.outcome_target_active) else 0.0
        t0 = 1.0 - m.prm[P_DISCRETION]  # the discretion staff actually use (system.update_permission)
        trust_out = float(np.mean(np.delete(m.ptrust[self.index], self.index))) if m.n_prov > 1 else 0.0
        target = np.empty(len(self.policy))
        target[POL_SELECT] = s * spread / mission
        target[POL_PARK] = min(1.0, s * (0.5 + spread)) / mission
        target[POL_PRESSURE] = min(1.0, 0.4 + 2.0 * behind) if s > 0 else 0.0
        temptation = outcome_stakes * (0.3 + 2.0 * behind)
        target[POL_HONESTY] = 1.0 - min(1.0, temptation * (1.0 - deterrence) / mission)
        target[POL_TIMING] = t0 + outcome_stakes * (1.0 - t0) / mission
        target[POL_CLOCK] = s / mission if m.wait_target_active else 0.0
        target[POL_REFER] = 0.2 + 0.6 * trust_out
        rate_adapt = p["policy_adapt_rate"]
        self.policy[:] = np.clip(self.policy + rate_adapt * (target - self.policy), 0.0, 1.0)
        self.detections *= DETECTION_MEMORY

    def year_end(self) -> None:
        self.last_year = self.ytd.copy()
        self.ytd[:] = 0.0

    def reset_after_tender(self, template: np.ndarray, noise: np.ndarray) -> None:
        """A new organisation wins the slot: it copies the winning model, with variation."""
        self.policy[:] = np.clip(template + noise, 0.0, 1.0)
        self.reserves = 0.0
        self.detections = 0.0
        self.ytd[:] = 0.0
        self.band_closes[:] = 0.0
        self.band_rep[:] = 0.0
        self.band_weeks[:] = 0.0
        self.generation += 1
