"""HLSModel: the Mesa model that owns the arrays and the one explicit weekly step order.

Citizens and workers live in numpy arrays (structure of arrays, pinned dtypes in `layout`) and
are moved by numba kernels; providers and the commissioner are `mesa.Agent`s that read and
write those arrays at reviews. Read `step()` top to bottom to see a week.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from hls_sim import state, system
from hls_sim.commissioner import Commissioner
from hls_sim.draws import WeeklyDraws
from hls_sim.kernels.discharge import discharge, followups
from hls_sim.kernels.doors import present_and_intake
from hls_sim.kernels.life import life_step, wellbeing_stats
from hls_sim.kernels.queue import allocate
from hls_sim.kernels.readout import count_values
from hls_sim.kernels.work import choose_time, give_help
from hls_sim.kernels.workforce import reassign_orphans, workforce_step
from hls_sim.layout import (
    ACTIVE,
    C_CRISES,
    C_DISC_SPEND,
    COUPLING,
    FLOAT,
    HIRING,
    N_BANDS,
    N_BCNT,
    N_CNT,
    N_PCNT,
    N_POL,
    N_PRM,
    P_ADMIN_HOURS,
    P_ALLIANCE,
    P_ASSESS_HOURS,
    P_BASE_TURNOVER,
    P_CASELOAD_CAP,
    P_CHANGE_STRAIN,
    P_CRISIS_PROB,
    P_CRISIS_THR,
    P_CROWDING,
    P_DISC_SPEND,
    P_DISCRETION,
    P_EFFORT_AVERSION,
    P_ELIGIBILITY,
    P_GAMING_EFF,
    P_HELP_SCALE,
    P_HELP_SEEKING,
    P_HOURS,
    P_INCENTIVE,
    P_LEARNING_SHARE,
    P_MAX_EPISODE,
    P_MOTIVATION0,
    P_OUTCOME_ACTIVE,
    P_OUTCOME_THR,
    P_PRIORITY_SHIFT,
    P_PROTOCOL_EFFECT,
    P_RECOVERY,
    P_RELATIONAL_EFFECT,
    P_RSKILL0,
    P_SHOCK_RATE,
    P_SHOCK_SIZE,
    P_SPILL,
    P_VACANCY_WEEKS,
    P_WAIT_ACTIVE,
    P_WAIT_TARGET,
    PC_MISREPORTS,
    PC_N_LEARN,
    PC_REAL_SQ,
    PC_REAL_SUM,
    PC_REP_REAL_SUM,
    PC_REP_SUCC,
    POL_CLOCK,
    POL_HONESTY,
    POL_PARK,
    POL_PRESSURE,
    POL_REFER,
    POL_SELECT,
    POL_TIMING,
    SMALL,
    TINY,
    VACANT,
)
from hls_sim.mesa_face import WeeklySeries
from hls_sim.metrics import Recorder
from hls_sim.params import DOMAINS, N_DOMAINS, PARAMS, ParameterError, resolve
from hls_sim.population import make_citizens, make_workers
from hls_sim.provider import Provider
from hls_sim.regimes import regime_levers
from hls_sim.rng import Streams

# Order in which provider slots take service lines: the domains where specialist services exist.
SERVICE_ORDER = (
    "housing",
    "mental_health",
    "income_debt",
    "substance_use",
    "physical_health",
    "work_learning",
    "relationships",
    "safety",
)
WAIT_HIST_WEEKS = 105
WARMUP_WEEKS = 52
PLANNED_EPISODE_WEEKS = 20.0  # the commissioner's planning assumption when pricing outcomes
TRANSITION_WEEKS = 26
TRANSITION_MORALE_DIP = 0.1  # change disrupts before it motivates (001 L859)
TRANSITION_STRAIN = 0.4  # morale target lost at the start of a transition, fading over TRANSITION_WEEKS
TRANSITION_STAFF_LOSS = 0.1  # some staff leave in a transition (001 L992 saw 50% in one provider)
NEW_ENTRANT_TRUST = 0.7  # a new provider starts with less trust than the run's initial level


def service_lines(p: dict) -> list[int]:
    """Each provider's domain: explicit counts per domain (service_lines_*) or the default rotation."""
    counts = [int(p.get(f"service_lines_{d}", 0)) for d in DOMAINS]
    if sum(counts) > 0:
        return [k for k, c in enumerate(counts) for _ in range(c)]
    return [DOMAINS.index(SERVICE_ORDER[k % len(SERVICE_ORDER)]) for k in range(p["n_providers"])]


def planned_success(n_bands: int = N_BANDS) -> np.ndarray:
    """The commissioner's a priori success rate by difficulty band, used to price outcomes."""
    return 0.45 - 0.06 * np.arange(n_bands)


class HLSModel(mesa.Model):
    """Public services for people with complex lives, commissioned under one lever setting."""

    def __init__(self, *, seed: int | None = 1, **overrides: Any) -> None:
        if seed is None:  # mesa.batch_run passes seed=None unless given seeds (rng=[...] on Mesa 3.5)
            raise ParameterError(
                "HLSModel needs an explicit seed: pass seed=<int>, or to mesa.batch_run a 'seed' parameter "
                "(Mesa 3.3) or rng=[seeds] (Mesa 3.5)",
                key="seed",
            )
        params = resolve({**overrides, "seed": seed})
        super().__init__(rng=int(params["seed"]))
        self.p = params  # the levers in force: a regime switch changes them
        self.resolved_params = dict(params)  # as the run started: what outputs record, enough to re-make the run
        self.streams = Streams(params["seed"])
        self.week = 0
        self._setup_population()
        self._setup_organisations()
        self._apply_levers(initial=True)
        self.recorder = Recorder(self)
        self.datacollector = WeeklySeries(self.recorder)

    # ------------------------------------------------------------------ set-up
    def _setup_population(self) -> None:
        p = self.p
        n = p["citizens"]
        self.n = n
        self.cit = make_citizens(n, p, self.streams["population"])
        order = np.argsort(self.cit["complexity"], kind="mergesort")
        cxn = np.empty(n, FLOAT)
        cxn[order] = (np.arange(n) + 0.5) / n
        self.cxn = cxn
        self.decile = np.minimum(9, (cxn * 10).astype(TINY)).astype(TINY)
        self.top_decile = self.decile == 9
        self.prm = np.zeros(N_PRM)
        self.permission = self.p["initial_permission"]
        self._fill_prm()
        self.life = state.life(self.cit)
        self._warm_up(WARMUP_WEEKS)

    def _warm_up(self, weeks: int) -> None:
        """Let lives run without services so the population starts near its own dynamics, not the draw."""
        c = self.cit
        draws = WeeklyDraws([self.streams["population"]], [(self.n, 5)])
        scratch = np.zeros(N_CNT)
        for week in range(weeks):
            (u,) = draws.next(more=week < weeks - 1)
            life_step(self.life, u, self.prm, scratch)
        c["crisis_now"][:] = 0

    def _setup_organisations(self) -> None:
        p = self.p
        self.domain = np.array(service_lines(p), TINY)
        n_prov = len(self.domain)
        self.n_prov = n_prov
        self.dom_prov = np.full((N_DOMAINS, n_prov), -1, SMALL)
        self.dom_nprov = np.zeros(N_DOMAINS, np.int32)
        for k in range(n_prov):
            d = self.domain[k]
            self.dom_prov[d, self.dom_nprov[d]] = k
            self.dom_nprov[d] += 1
        total_staff = max(n_prov, int(round(self.n * p["workers_per_1000"] / 1000.0)))
        per = self._needs_assessment(total_staff)
        capacity = 2 * total_staff + 2 * n_prov
        self.wk = make_workers(per, capacity, p, self.streams["workforce_init"])
        # preallocated weekly random blocks: the same shapes every week, whatever the regime
        s = self.streams
        self._draws = WeeklyDraws(
            [s["life"], s["doors"], s["care"], s["workforce"]], [(self.n, 5), (self.n, 6), (self.n, 6), (capacity, 4)]
        )
        self.u_life, self.u_doors, self.u_care, self.u_work = self._draws.sets[0]
        self.u_tender = np.empty(capacity)
        # coupling[i, :, service domain] copied at the start of each episode: the weekly help reads
        # one contiguous row instead of a column strided across the person's whole matrix
        self.service_coupling = np.zeros((self.n, N_DOMAINS), COUPLING)
        self._queue_idx = np.empty(self.n, np.int64)  # waiting-list scratch for the allocate kernel
        self._queue_score = np.empty(self.n)
        self.worker_week_cost = p["hours_per_week"] * p["hourly_cost"] * (1.0 + p["overhead_share"])
        self.contract_week = per * self.worker_week_cost
        self.budget_week = float(self.contract_week.sum())
        self.funded = per.astype(np.int64)
        self.alliance_share = per / per.sum()
        self.planned_success = planned_success()
        expected = per * p["caseload_cap"] * 52.0 / PLANNED_EPISODE_WEEKS * self.planned_success.mean()
        self.notional_price = self.contract_week * 52.0 / np.maximum(expected, 1.0)
        self.pol = np.zeros((n_prov, N_POL))
        self.attract = np.ones((n_prov, N_BANDS))
        self.stk = np.ones((n_prov, 3))
        self.stakes_eff = np.zeros(n_prov)
        self.price = np.zeros((n_prov, N_BANDS))
        self.activity_price = np.zeros(n_prov)
        self.knowledge = np.full((n_prov, N_DOMAINS), system.KNOWLEDGE0)
        self.ptrust = np.full((n_prov, n_prov), p["initial_trust_providers"])
        np.fill_diagonal(self.ptrust, 1.0)
        self.ctrust = np.full(n_prov, p["initial_trust_commissioner"])
        self.targets = np.zeros((n_prov, 2))
        self.cnt = np.zeros(N_CNT)
        self.pcnt = np.zeros((n_prov, N_PCNT))
        self.bcnt = np.zeros((n_prov, N_BANDS, N_BCNT))
        self.period_pcnt = np.zeros((n_prov, N_PCNT))
        self.period_bcnt = np.zeros((n_prov, N_BANDS, N_BCNT))
        self.learn_acc = np.zeros((n_prov, N_PCNT))
        self.lcnt = np.zeros((n_prov, N_DOMAINS))  # closed cases by priority domain since the last learning cycle
        self.dcnt_week = np.zeros((10, 5))
        self.wait_hist_week = np.zeros(WAIT_HIST_WEEKS)
        self.wait_hist_rep_week = np.zeros(WAIT_HIST_WEEKS)
        self.claims = np.zeros(n_prov)
        self.false_claims = np.zeros(n_prov)
        self.w_sum = np.zeros(capacity)
        self.w_seen = np.zeros(capacity)
        self.week_money: dict[str, float] = {}
        self.provider_churn = 0
        self.transition_left = 0
        self.active_regime = p["regime"]
        self.learning_quality = 0.0
        self.knowledge_shared = 0.0
        self.knowledge_openness = 0.0
        self.people = state.people(self.cit, self.cxn, self.decile, self.service_coupling)
        self.staff = state.staff(self.wk, self.w_sum, self.w_seen)
        self.services = state.Services(
            domain=self.domain,
            dom_prov=self.dom_prov,
            dom_nprov=self.dom_nprov,
            pol=self.pol,
            attract=self.attract,
            stakes=self.stakes_eff,
            stk=self.stk,
            ptrust=self.ptrust,
            knowledge=self.knowledge,
            price=self.price,
            funded=self.funded,
        )
        self.tallies = state.Tallies(
            cnt=self.cnt,
            pcnt=self.pcnt,
            bcnt=self.bcnt,
            lcnt=self.lcnt,
            dcnt=self.dcnt_week,
            claims=self.claims,
            false_claims=self.false_claims,
            wait_hist=self.wait_hist_week,
            wait_hist_rep=self.wait_hist_rep_week,
        )
        self.commissioner = Commissioner(self)
        self.providers = [Provider(self, k, int(self.domain[k])) for k in range(n_prov)]

    def _needs_assessment(self, total_staff: int) -> np.ndarray:
        """Contract sizes follow the prevalence of need in each service's domain (largest remainder)."""
        need = self.cit["need"]
        prevalence = np.array([(need[:, d] >= 0.5).mean() / self.dom_nprov[d] for d in self.domain]) + 1e-9
        spare = total_staff - self.n_prov
        raw = prevalence / prevalence.sum() * spare
        per = np.floor(raw).astype(np.int64)
        rest = spare - per.sum()
        per[np.argsort(-(raw - per), kind="mergesort")[:rest]] += 1
        return per + 1

    def _apply_levers(self, initial: bool = False) -> None:
        """Turn the lever values into derived flags, prices, targets and the packed scalars."""
        p = self.p
        s = p["incentive_strength"]
        basis = p["payment_basis"]
        self.outcome_target_active = s > 0 and basis in ("block", "activity") and p["provider_kpis"]
        self.wait_target_active = p["wait_target_weeks"] > 0 and s > 0
        if initial or not p["ratchet"]:
            self.targets[:, 0] = p["outcome_target"]
            self.targets[:, 1] = p["wait_target_share"]
        self._price()
        if initial:
            t0 = 1.0 - p["worker_discretion"] * self.permission
            self.pol[:, POL_SELECT] = 0.0
            self.pol[:, POL_PARK] = 0.0
            self.pol[:, POL_PRESSURE] = 0.4 if s > 0 else 0.0
            self.pol[:, POL_HONESTY] = 1.0
            self.pol[:, POL_TIMING] = t0
            self.pol[:, POL_CLOCK] = 0.0
            self.pol[:, POL_REFER] = 0.2 + 0.6 * p["initial_trust_providers"]
        self._fill_prm()
        self._update_admin()

    def _price(self) -> None:
        """Outcome (or activity) prices from the notional price of one outcome and the stakes."""
        p = self.p
        s = p["incentive_strength"]
        basis = p["payment_basis"]
        mult = np.ones(N_BANDS)
        if p["price_by_difficulty"]:
            inv = 1.0 / self.planned_success
            mult = inv / inv.mean()
        self.price[:] = 0.0
        if basis == "outcome":
            self.price[:] = (s * p["outcome_payment_share"] * self.notional_price)[:, None] * mult[None, :]
        starts_year = self.funded * p["caseload_cap"] * 52.0 / PLANNED_EPISODE_WEEKS
        self.activity_price[:] = (
            s * p["outcome_payment_share"] * self.contract_week * 52.0 / np.maximum(starts_year, 1.0)
            if basis == "activity"
            else 0.0
        )

    def rebase_prices(self) -> None:
        """At a re-tender the commissioner re-prices outcomes from last year's reported results, so
        the market's reported success rate (gamed or not) becomes next contract's price basis."""
        reported = sum(prov.last_year[1] for prov in self.providers)
        if reported <= 0:
            return
        share = self.contract_week / self.contract_week.sum()
        self.notional_price = self.contract_week * 52.0 / np.maximum(reported * share, 1.0)
        self._price()

    def _fill_prm(self) -> None:
        """Pack the scalar levers and parameters the kernels read."""
        p = self.p
        prm = self.prm
        s = p["incentive_strength"]
        wait_active = p["wait_target_weeks"] > 0 and s > 0
        outcome_active = s > 0 and p["payment_basis"] in ("block", "activity") and p["provider_kpis"]
        prm[P_SPILL] = p["spill_rate"]
        prm[P_RECOVERY] = p["recovery_rate"]
        prm[P_SHOCK_RATE] = p["shock_rate"]
        prm[P_SHOCK_SIZE] = p["shock_size"]
        prm[P_CRISIS_THR] = p["crisis_threshold"]
        prm[P_CRISIS_PROB] = p["crisis_prob"]
        prm[P_HELP_SEEKING] = p["help_seeking"]
        prm[P_PRIORITY_SHIFT] = p["priority_shift_rate"]
        prm[P_CASELOAD_CAP] = p["caseload_cap"]
        prm[P_HOURS] = p["hours_per_week"]
        prm[P_EFFORT_AVERSION] = p["effort_aversion"]
        prm[P_CROWDING] = p["crowding_out"]
        prm[P_GAMING_EFF] = p["gaming_efficiency"]
        prm[P_BASE_TURNOVER] = p["base_turnover"]
        prm[P_VACANCY_WEEKS] = p["vacancy_weeks"]
        prm[P_ELIGIBILITY] = p["eligibility_threshold"]
        prm[P_ASSESS_HOURS] = p["assessment_hours"]
        prm[P_DISCRETION] = p["worker_discretion"] * self.permission  # discretion in use (system.update_permission)
        prm[P_DISC_SPEND] = p["discretionary_spend"]
        prm[P_MAX_EPISODE] = p["max_episode_weeks"]
        prm[P_OUTCOME_THR] = p["outcome_threshold"]
        prm[P_WAIT_TARGET] = p["wait_target_weeks"]
        prm[P_LEARNING_SHARE] = p["learning_time_share"] if p["learning_cycle_weeks"] > 0 else 0.0
        prm[P_MOTIVATION0] = p["intrinsic_motivation"]
        prm[P_RSKILL0] = p["relational_skill"]
        prm[P_RELATIONAL_EFFECT] = p["relational_effect"]
        prm[P_PROTOCOL_EFFECT] = p["protocol_effect"]
        prm[P_HELP_SCALE] = p["help_scale_hours"]
        prm[P_INCENTIVE] = s
        prm[P_ALLIANCE] = 1.0 if p["alliance"] else 0.0
        prm[P_WAIT_ACTIVE] = 1.0 if wait_active else 0.0
        prm[P_OUTCOME_ACTIVE] = 1.0 if outcome_active else 0.0

    def _update_admin(self) -> None:
        """Trust lowers transaction costs: open-book alliances need less recording (002 L745, L1253)."""
        p = self.p
        relief = 0.3 * float(self.ctrust.mean()) if p["alliance"] else 0.0
        self.prm[P_ADMIN_HOURS] = p["admin_hours_per_case"] * (1.0 - relief)

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week, in this order; every kernel reads this week's pre-drawn random numbers."""
        if self.week >= self.p["weeks"]:
            raise RuntimeError(
                f"the run has reached its planned length of {self.p['weeks']} weeks (model.running is False); "
                "make a new model with a larger `weeks` to run longer"
            )
        self._start_week()
        self._people_week()
        self._organisations_week()

    def _start_week(self) -> None:
        p = self.p
        if p["switch_week"] > 0 and self.week == p["switch_week"]:
            self._switch_regime()
        self._draw_randoms()
        self._reset_tallies()
        self._update_stakes()

    def _people_week(self) -> None:
        """Citizens and workers, moved by the numba kernels (hls_sim.reference restates this part in
        plain Python, one Mesa agent per person, and must give the same results)."""
        ppl, stf, svc, tly, prm = self.people, self.staff, self.services, self.tallies, self.prm
        life_step(self.life, self.u_life, prm, self.cnt)
        followups(ppl, prm, self.cnt)
        present_and_intake(ppl, svc, self.u_doors, prm, tly)
        allocate(ppl, stf, svc, self.u_care[:, 0:2], prm, tly, self._queue_idx, self._queue_score)
        choose_time(ppl, stf, svc, prm, tly)
        give_help(ppl, stf, svc, prm, tly)
        discharge(ppl, stf, svc, self.u_care[:, 2:6], prm, tly)
        workforce_step(stf, ppl, svc, self.u_work, prm, self.cnt)

    def _organisations_week(self) -> None:
        """Money, reviews, learning, the year end and tenders: Python-level rules on the arrays."""
        p = self.p
        self._finance()
        self._accumulate()
        wk = self.week + 1
        if wk % p["review_weeks"] == 0:
            self._review()
        if p["learning_cycle_weeks"] > 0 and wk % p["learning_cycle_weeks"] == 0:
            self.learning_quality, self.knowledge_shared, self.knowledge_openness = system.learning_cycle(self)
        if wk % 52 == 0:
            self.commissioner.year_end()
        if p["retender_weeks"] > 0 and wk % p["retender_weeks"] == 0:
            self.commissioner.retender()
        self.recorder.record(self)
        self.datacollector.collect(self)
        self.week += 1
        self.running = self.week < p["weeks"]

    def run(self, weeks: int | None = None, progress=None) -> None:
        """Run the planned weeks (or `weeks` more, within the plan); Mesa's `run_model()` does the same."""
        for _ in range(self.p["weeks"] - self.week if weeks is None else weeks):
            self.step()
            if progress is not None:
                progress(self.week)

    # ------------------------------------------------------------------ helpers of the step
    def _draw_randoms(self) -> None:
        """This week's uniforms; for a large population they were drawn on another core (hls_sim.draws)."""
        self.u_life, self.u_doors, self.u_care, self.u_work = self._draws.next()

    def _reset_tallies(self) -> None:
        self.cnt[:] = 0.0
        self.pcnt[:] = 0.0
        self.bcnt[:] = 0.0
        self.claims[:] = 0.0
        self.false_claims[:] = 0.0
        self.dcnt_week[:] = 0.0
        self.wait_hist_week[:] = 0.0
        self.wait_hist_rep_week[:] = 0.0
        for prov in self.providers:
            prov.week_received = 0.0
        self.week_money = dict.fromkeys(
            ("payments", "penalties", "audit", "tender", "steward", "transition", "discretionary", "downstream"),
            0.0,
        )

    def _update_stakes(self) -> None:
        for prov in self.providers:
            thr, rat = prov.ease_factors()
            s = prov.stakes()
            self.stk[prov.index] = (s, thr, rat)
            self.stakes_eff[prov.index] = s * thr * rat

    def _finance(self) -> None:
        p = self.p
        cm = self.commissioner
        cm.weekly_payments(self.claims, self.pcnt)
        staff = np.bincount(self.wk["provider"][self.wk["status"] == ACTIVE], minlength=self.n_prov)
        for prov in self.providers:
            k = prov.index
            cost = staff[k] * self.worker_week_cost
            prov.spent += cost
            prov.reserves -= cost
            income = prov.week_received
            prov.income_rate = 0.9 * prov.income_rate + 0.1 * income if self.week > 0 else income
        if self.transition_left > 0:
            cm.spend("transition", p["transition_cost"] * self.n / TRANSITION_WEEKS)
            self.transition_left -= 1
        # change strains before it motivates (001 L859, L1427): fades over the transition
        self.prm[P_CHANGE_STRAIN] = TRANSITION_STRAIN * self.transition_left / TRANSITION_WEEKS
        cm.spend("discretionary", self.cnt[C_DISC_SPEND])
        self.week_money["downstream"] = self.cnt[C_CRISES] * p["crisis_cost"]

    def _accumulate(self) -> None:
        self.period_pcnt += self.pcnt
        self.period_bcnt += self.bcnt
        self.learn_acc[:, PC_N_LEARN] += self.pcnt[:, PC_N_LEARN]
        self.learn_acc[:, PC_REP_SUCC] += self.pcnt[:, PC_REP_SUCC]
        self.learn_acc[:, PC_REAL_SUM] += self.pcnt[:, PC_REAL_SUM]
        self.learn_acc[:, PC_REAL_SQ] += self.pcnt[:, PC_REAL_SQ]
        self.learn_acc[:, PC_REP_REAL_SUM] += self.pcnt[:, PC_REP_REAL_SUM]
        for prov in self.providers:
            prov.accumulate(self.pcnt[prov.index])

    def _review(self) -> None:
        """Quarterly: audit, provider policy reviews, trust, alliance money, staffing."""
        cm = self.commissioner
        cm.audit(self.period_pcnt[:, PC_REP_SUCC], self.period_pcnt[:, PC_MISREPORTS])
        for prov in self.providers:
            prov.review(self.period_bcnt)
        system.update_trust(self)
        system.update_permission(self)
        if self.p["learning_cycle_weeks"] > 0:
            system.decay_practice(self)
        self._update_admin()
        c = self.cit
        demand = np.bincount(c["provider"][c["status"] > 0], minlength=self.n_prov).astype(float)
        cm.reallocate_pool(self.period_pcnt, demand)
        self._update_staffing()
        self.period_pcnt[:] = 0.0
        self.period_bcnt[:] = 0.0

    def _update_staffing(self) -> None:
        """Headcount follows money: income under contracts, the alliance share under a pooled budget."""
        w = self.wk
        for prov in self.providers:
            k = prov.index
            if self.p["payment_basis"] == "pooled":
                income = self.budget_week * self.alliance_share[k]
            else:
                income = prov.income_rate
            self.funded[k] = max(1, int(income / self.worker_week_cost + 0.5))
            staff = int(np.sum((w["provider"] == k) & (w["status"] != VACANT)))
            if staff < self.funded[k]:
                free = np.flatnonzero(w["status"] == VACANT)[: self.funded[k] - staff]
                w["status"][free] = HIRING
                w["provider"][free] = k
                w["vacancy_left"][free] = max(1, self.p["vacancy_weeks"])
                w["caseload"][free] = 0

    # ------------------------------------------------------------------ events
    def replace_provider_staff(self, k: int, loss: float, rng: np.random.Generator) -> None:
        """Staff who leave at a lost tender or a transition; their cases pass to colleagues."""
        w = self.wk
        rng.random(out=self.u_tender)
        leaving = (w["provider"] == k) & (w["status"] == ACTIVE) & (self.u_tender < loss)
        w["status"][leaving] = HIRING
        w["vacancy_left"][leaving] = max(1, self.p["vacancy_weeks"])
        reassign_orphans(self.staff, self.people, self.cnt)
        w["caseload"][leaving] = 0

    def on_tender(self, k: int) -> None:
        """A new organisation: no relationships, no local knowledge, and everyone's trust shaken."""
        self.provider_churn += 1
        off = ~np.eye(self.n_prov, dtype=bool)
        self.ptrust[off] *= 1.0 - system.TRUST_TENDER_SHOCK
        self.ptrust[k, :] = self.p["initial_trust_providers"] * NEW_ENTRANT_TRUST
        self.ptrust[:, k] = self.p["initial_trust_providers"] * NEW_ENTRANT_TRUST
        self.ptrust[k, k] = 1.0
        self.knowledge[k] = system.KNOWLEDGE0
        self.ctrust[k] = self.p["initial_trust_commissioner"]
        self.targets[k] = (self.p["outcome_target"], self.p["wait_target_share"])
        self.attract[k] = 1.0

    def _switch_regime(self) -> None:
        """Mid-run change of regime: new levers, up-front investment, a dip in morale, some leavers."""
        p = self.p
        new = p["switch_regime"]
        bundle = regime_levers(new)
        kept = {}
        if p["switch_keep_overrides"]:
            # read from the resolved parameters alone, so a run re-made from its recorded parameters switches alike
            before = regime_levers(self.active_regime)
            kept = {k: p[k] for k in bundle if p[k] != before.get(k, PARAMS[k].default)}
        p.update(bundle)
        p.update(kept)
        self.active_regime = new
        self._apply_levers()
        if p["payment_basis"] == "pooled":
            self.alliance_share[:] = self.contract_week / self.contract_week.sum()
        self.transition_left = TRANSITION_WEEKS
        w = self.wk
        act = w["status"] == ACTIVE
        w["morale"][act] = np.maximum(0.0, w["morale"][act] - TRANSITION_MORALE_DIP)
        rng = self.streams["providers"]
        for k in range(self.n_prov):
            self.replace_provider_staff(k, TRANSITION_STAFF_LOSS, rng)

    # ------------------------------------------------------------------ read-outs
    def wellbeing(self) -> tuple[float, float]:
        return wellbeing_stats(self.cit["need"], self.top_decile)

    def counts_by_status(self) -> np.ndarray:
        return count_values(self.cit["status"], 3)
