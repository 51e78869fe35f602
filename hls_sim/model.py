"""HLSModel: the Mesa model that owns the arrays and the one explicit weekly step order.

Citizens and workers live in numpy arrays (structure of arrays, pinned dtypes in `layout`) and
are moved by numba kernels; providers and the commissioner are `mesa.Agent`s that read and
write those arrays at reviews. Read `step()` top to bottom to see a week.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from hls_sim import contract, state, system
from hls_sim.accounts import Ledger, affordable_posts, insolvent, staffing_decision
from hls_sim.commissioner import Commissioner
from hls_sim.draws import WeeklyDraws
from hls_sim.kernels.discharge import discharge, followups
from hls_sim.kernels.doors import present_and_intake
from hls_sim.kernels.life import N_IMP, life_scratch, life_step, wellbeing_stats
from hls_sim.kernels.queue import allocate
from hls_sim.kernels.readout import count_values
from hls_sim.kernels.work import choose_time, give_help
from hls_sim.kernels.workforce import reassign_orphans, workforce_step
from hls_sim.layout import (
    ACTIVE,
    C_CRISES,
    C_DISC_SPEND,
    C_REACTIVE,
    COUPLING,
    FLOAT,
    HIRING,
    IN_SERVICE,
    N_BANDS,
    N_BCNT,
    N_CNT,
    N_PCNT,
    N_POL,
    N_PRACTICE,
    N_PRM,
    P_CHANGE_STRAIN,
    P_LEARNING_SHARE,
    P_WAIT_ACTIVE,
    PC_EXCLUSIONS,
    PC_MISREPORTS,
    PC_REP_SUCC,
    PC_STARTS,
    POL_HONESTY,
    POL_REFER,
    PR_CAP,
    PR_DISC,
    PR_ELIG,
    PR_MAX_EPISODE,
    PR_OUTREACH,
    PR_SPEND,
    PR_WALK_IN,
    PRM,
    PRM_FROM_PARAMS,
    SMALL,
    TINY,
    VACANT,
)
from hls_sim.mesa_face import WeeklySeries
from hls_sim.metrics import Recorder
from hls_sim.params import N_DOMAINS, PARAMS, ParameterError, resolve
from hls_sim.population import make_citizens, make_workers
from hls_sim.practice import service_lines
from hls_sim.provider import Provider
from hls_sim.regimes import regime_levers
from hls_sim.rng import Streams

WAIT_HIST_WEEKS = 105  # starts by weeks waited: the histogram's length (a record, not a rule)


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
        self.terms = contract.terms(params)
        self._setup_population()
        self._setup_organisations()
        self._apply_levers()
        self.recorder = Recorder(self)
        self.datacollector = WeeklySeries(self.recorder)
        if not self.in_baseline:
            self.commissioner.start_contract(0)  # no baseline: priced from the plan

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
        self.transition_left = 0
        self._fill_prm()
        self.life = state.life(self.cit)
        self.burn_in = min(p["burn_in_weeks"], max(p["weeks"] - 1, 0))
        self.imp = np.zeros((11, N_IMP))  # impact against the no-service twin, by decile and for presenters
        self.life_out = life_scratch(n)  # each person's share of the week's life tallies
        self._warm_up(p["warmup_weeks"])
        self.twin = state.twin(self.cit, p["twin"])

    def _warm_up(self, weeks: int) -> None:
        """Let lives run without services so the population starts in its own steady state, not the draw."""
        c = self.cit
        draws = WeeklyDraws([self.streams["population"]], [(self.n, 5)])
        scratch = np.zeros(N_CNT)
        none = state.twin(c, False)
        for week in range(weeks):
            (u,) = draws.next(more=week < weeks - 1)
            life_step(
                self.life,
                none,
                u,
                self.prm,
                scratch,
                self.decile,
                c["presented"],
                self.imp,
                False,
                False,
                self.life_out,
                tally=False,
            )
        c["crisis_now"][:] = 0
        c["gave_up"][:] = 0

    def _setup_organisations(self) -> None:
        p = self.p
        self.domain = np.array(service_lines(p), TINY)
        n_prov = len(self.domain)
        self.n_prov = n_prov
        self._read_practice()
        # with no workers at all no service exists: providers are empty shells and every door is closed
        self.services_open = p["workers_per_1000"] > 0
        own = np.array([o.get("workers_per_1000", -1.0) for o in self.own], float)
        shared = own < 0  # providers whose posts come out of the place's needs assessment
        total_staff = (
            max(int(shared.sum()), int(round(self.n * p["workers_per_1000"] / 1000.0))) if self.services_open else 0
        )
        per = np.zeros(n_prov, np.int64)
        if self.services_open:
            per[shared] = self._needs_assessment(total_staff, shared)
            per[~shared] = np.maximum(1, np.round(self.n * own[~shared] / 1000.0)).astype(np.int64)
        self._setup_doors()
        total_staff = int(per.sum())
        capacity = 2 * total_staff + 2 * n_prov
        self.wk = make_workers(per, capacity, p, self.streams["workforce_init"])
        # preallocated weekly random blocks: the same shapes every week, whatever the regime
        s = self.streams
        self._draws = WeeklyDraws(
            [s["life"], s["doors"], s["care"], s["workforce"]], [(self.n, 5), (self.n, 7), (self.n, 6), (capacity, 4)]
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
        self.alliance_share = per / per.sum() if per.sum() > 0 else np.full(n_prov, 1.0 / n_prov)
        self.notional_price = np.zeros(n_prov)  # a contract's value per expected outcome: set when terms start
        self.pol = np.zeros((n_prov, N_POL))
        self.refuse = np.zeros((n_prov, N_BANDS))
        self.attract = np.ones((n_prov, N_BANDS))
        self.stk = np.zeros((n_prov, 3))
        self.price = np.zeros((n_prov, N_BANDS))
        self.activity_price = np.zeros(n_prov)
        self.admin = np.zeros(n_prov)
        self.practice = np.zeros((n_prov, N_PRACTICE))
        self.contract_hours = np.zeros(n_prov)
        self.knowledge = np.full((n_prov, N_DOMAINS), p["knowledge0"])
        self.trust = system.TrustLedger(n_prov, self.p)
        self.ptrust = self.trust.provider_trust()
        self.ctrust = self.trust.commissioner_trust()
        self.targets = np.zeros((n_prov, 2))
        self.cnt = np.zeros(N_CNT)
        self.pcnt = np.zeros((n_prov, N_PCNT))
        self.bcnt = np.zeros((n_prov, N_BANDS, N_BCNT))
        self.period_pcnt = np.zeros((n_prov, N_PCNT))
        self.audited_period = np.zeros(n_prov)
        self.learn_acc = np.zeros((n_prov, N_PCNT))
        self.lcnt = np.zeros((n_prov, N_DOMAINS))  # closed cases by priority domain since the last learning cycle
        self.refer_week = np.zeros((n_prov, n_prov, 2))  # referrals between providers this week: arrived, failed
        self.refer_period = np.zeros((n_prov, n_prov, 2))  # ... since the last review
        self.dcnt_week = np.zeros((10, 5))
        self.wait_hist_week = np.zeros(WAIT_HIST_WEEKS)
        self.wait_hist_rep_week = np.zeros(WAIT_HIST_WEEKS)
        self.claims = np.zeros(n_prov)
        self.false_claims = np.zeros(n_prov)
        self.w_sum = np.zeros(capacity)
        self.w_seen = np.zeros(capacity)
        self.ledger = Ledger(n_prov)
        self.provider_churn = 0
        self.transition_left = 0
        self.active_regime = p["regime"]
        self.learning_quality = 0.0
        self.knowledge_shared = 0.0
        self.knowledge_openness = 0.0
        self.in_baseline = p["baseline_weeks"] > 0
        self.people = state.people(self.cit, self.cxn, self.decile, self.service_coupling)
        self.staff = state.staff(self.wk, self.w_sum, self.w_seen)
        self.services = state.Services(
            domain=self.domain,
            dom_prov=self.dom_prov,
            dom_nprov=self.doors,
            served=self.served,
            reach_prov=self.reach_prov,
            reach_rate=self.reach_rate,
            pol=self.pol,
            refuse=self.refuse,
            attract=self.attract,
            stk=self.stk,
            ptrust=self.ptrust,
            knowledge=self.knowledge,
            price=self.price,
            funded=self.funded,
            practice=self.practice,
            admin=self.admin,
            contract_hours=self.contract_hours,
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
            refer=self.refer_week,
        )
        self.commissioner = Commissioner(self)
        # organisational cultures: each provider's mission weight around the mean (log-normal, mean kept)
        spread = p["provider_culture_spread"]
        z = self.streams["providers"].normal(0.0, 1.0, n_prov)
        mean = np.array([self._lever(k, "mission_weight") for k in range(n_prov)])
        mission = mean * np.exp(spread * z - 0.5 * spread * spread)
        self.providers = [Provider(self, k, int(self.domain[k]), float(mission[k])) for k in range(n_prov)]
        for k in range(n_prov):
            self.ledger.endow(k, self._lever(k, "initial_reserves_weeks") * float(self.contract_week[k]))
        self.pol[:, POL_HONESTY] = 1.0
        self.pol[:, POL_REFER] = p["refer_base"] + p["refer_trust"] * p["initial_trust_providers"]

    def _needs_assessment(self, total_staff: int, shared: np.ndarray) -> np.ndarray:
        """Contract sizes follow the prevalence of need in each service's domain (largest remainder),
        over the providers whose posts the place's staffing pays for."""
        need = self.cit["need"]
        doms = self.domain[shared]
        per_dom = np.bincount(doms, minlength=N_DOMAINS)
        prevalence = np.array([(need[:, d] >= 0.5).mean() / per_dom[d] for d in doms]) + 1e-9
        spare = total_staff - len(doms)
        raw = prevalence / prevalence.sum() * spare
        per = np.floor(raw).astype(np.int64)
        rest = spare - per.sum()
        per[np.argsort(-(raw - per), kind="mergesort")[:rest]] += 1
        return per + 1

    def _read_practice(self) -> None:
        """Each provider's own lever values where `provider_practice` sets them (hls_sim/practice.py)."""
        from hls_sim.practice import entries, providers_of

        self.own: list[dict[str, Any]] = [{} for _ in range(self.n_prov)]
        for entry in entries(self.p["provider_practice"]):
            for k in providers_of(entry, list(self.domain), self.n_prov):
                self.own[k].update({key: v for key, v in entry.items() if key not in ("providers", "service_line")})

    def _lever(self, k: int, name: str) -> Any:
        return self.own[k].get(name, self.p[name])

    def _setup_doors(self) -> None:
        """Walk-in doors by domain, the domains whose needs show to services, and who reaches out where."""
        n_prov = self.n_prov
        self.dom_prov = np.full((N_DOMAINS, n_prov), -1, SMALL)
        self.dom_nprov = np.zeros(N_DOMAINS, np.int32)
        self.served = np.zeros(N_DOMAINS, TINY)
        for k in range(n_prov):
            self.served[self.domain[k]] = 1
        self._fill_doors()
        self.doors = self.dom_nprov if self.services_open else np.zeros_like(self.dom_nprov)
        self.reach_prov = np.full(N_DOMAINS, -1, SMALL)
        self.reach_rate = np.zeros(N_DOMAINS)

    def _fill_doors(self) -> None:
        """Who people can walk in to, by domain, in provider order: every provider serving the domain whose
        practice keeps a door open. Filled in place (the kernels' bundle holds these arrays), and again
        whenever practice changes: a newcomer that takes an outreach-only team's contract opens a door."""
        self.dom_prov[:] = -1
        self.dom_nprov[:] = 0
        for k in range(self.n_prov):
            if self.own[k].get("walk_in", True):
                d = self.domain[k]
                self.dom_prov[d, self.dom_nprov[d]] = k
                self.dom_nprov[d] += 1

    def _update_reach(self) -> None:
        """The provider that reaches out most in each domain, as far as it has room: a team whose
        places and waiting list are full stops looking for more people (none when services are closed)."""
        self.reach_prov[:] = -1
        self.reach_rate[:] = 0.0
        if not self.services_open or not (self.practice[:, PR_OUTREACH] > 0).any():
            return
        c = self.cit
        load = np.bincount(c["provider"][c["status"] > 0], minlength=self.n_prov)
        places = self.staff_counts() * self.practice[:, PR_CAP]
        for k in range(self.n_prov):
            d = self.domain[k]
            room = max(0.0, 1.0 - load[k] / places[k]) if places[k] > 0 else 0.0
            r = self.practice[k, PR_OUTREACH] * room
            if r > self.reach_rate[d]:
                self.reach_rate[d] = r
                self.reach_prov[d] = k

    def _apply_levers(self) -> None:
        """Turn the lever values into the contract's terms, the admin burden and the packed scalars."""
        self.terms = contract.terms(self.p)
        self._fill_prm()
        self.fill_practice()
        self._update_admin()

    def rebase_prices(self, replaced: int) -> None:
        """At a re-tender the commissioner re-prices every other contract from its last year's reported
        results, gamed or not: what the market reported becomes the next price basis. The slot just
        re-tendered keeps its price (the new organisation has no record yet)."""
        if self.in_baseline or self.terms.tariff:  # a national tariff is not re-priced provider by provider
            return
        t = self.terms
        year = self.contract_week * 52.0
        for prov in self.providers:
            k = prov.index
            counted, reported = prov.last_year[0], prov.last_year[1]
            if k == replaced or counted <= 0:
                continue
            prior = self.p["pricing_prior_cases"]
            rate = (reported + prior * self.p["planned_outcome_rate"]) / (counted + prior)
            expected = max(rate * counted, 1.0)
            self.notional_price[k] = year[k] / expected
            weights = self.price[k] / self.price[k].mean() if self.price[k].mean() > 0 else np.ones(N_BANDS)
            self.price[k] = contract.outcome_prices(t, year[k : k + 1], np.array([expected]), weights)[0]

    def _fill_prm(self) -> None:
        """Pack the parameters the kernels read, and the values derived from the state this week."""
        p = self.p
        prm = self.prm
        for name in PRM_FROM_PARAMS:
            prm[PRM[name]] = p[name]
        self._fill_time_shares()
        prm[P_WAIT_ACTIVE] = 1.0 if p["wait_target_weeks"] > 0 else 0.0

    def _fill_time_shares(self) -> None:
        """Time every worker's week gives away from cases: the reflection of learning cycles, as far as
        the permission space lets staff take it, and the training and redesign of a transition."""
        p = self.p
        learn = p["learning_time_share"] * self.permission if p["learning_cycle_weeks"] > 0 else 0.0
        train = p["transition_training_share"] * self.transition_left / p["transition_weeks"]
        self.prm[P_LEARNING_SHARE] = learn + train

    def fill_practice(self) -> None:
        """Each provider's practice: the levers as it uses them (discretion as far as the permission space
        lets staff use it)."""
        pr = self.practice
        for k in range(self.n_prov):
            pr[k, PR_ELIG] = self._lever(k, "eligibility_threshold")
            pr[k, PR_CAP] = self._lever(k, "caseload_cap")
            pr[k, PR_DISC] = self._lever(k, "worker_discretion") * self.permission
            pr[k, PR_SPEND] = self._lever(k, "discretionary_spend") * pr[k, PR_DISC]
            pr[k, PR_MAX_EPISODE] = self._lever(k, "max_episode_weeks")
            pr[k, PR_OUTREACH] = self._lever(k, "outreach_rate")
            pr[k, PR_WALK_IN] = 1.0 if self.own[k].get("walk_in", True) else 0.0
        self._fill_doors()
        self._update_reach()

    def _update_admin(self, case_weeks: np.ndarray | None = None) -> None:
        """Recording and reporting hours that the monitoring rules impose on each provider's staff."""
        p = self.p
        t = self.terms
        n = self.n_prov
        claims = np.zeros(n)
        audited = np.zeros(n)
        if case_weeks is not None:
            cw = np.maximum(case_weeks, 1.0)
            if t.basis == "outcome" and not self.in_baseline:
                claims = self.period_pcnt[:, PC_REP_SUCC] / cw
            elif t.basis == "activity" and not self.in_baseline:
                claims = self.period_pcnt[:, PC_STARTS] / cw
            audited = self.audited_period / cw
        for k in range(n):
            self.admin[k] = contract.admin_hours_per_case(p, float(claims[k]), float(audited[k]))
        staff = np.maximum(self.staff_counts(), 1)
        contracts = 1.0 / n if p["alliance"] else 1.0  # an alliance shares one contract among its partners
        self.contract_hours[:] = p["contract_hours_per_week"] * contracts / staff

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
        if self.in_baseline and self.week >= p["baseline_weeks"]:
            self.commissioner.start_contract(self.week)
        self._draw_randoms()
        self._reset_tallies()
        self._update_reach()
        for prov in self.providers:
            prov.set_pressure()

    def _people_week(self) -> None:
        """Citizens and workers, moved by the numba kernels (hls_sim.reference restates this part in
        plain Python, one Mesa agent per person, and must give the same results)."""
        ppl, stf, svc, tly, prm = self.people, self.staff, self.services, self.tallies, self.prm
        c = self.cit
        life_step(
            self.life,
            self.twin,
            self.u_life,
            prm,
            self.cnt,
            self.decile,
            c["presented"],
            self.imp,
            self.p["twin"],
            self.week >= self.burn_in,
            self.life_out,
        )
        self._draws.ahead()
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
    def week_of_year(self) -> int:
        return self.week % 52

    def staff_counts(self) -> np.ndarray:
        w = self.wk
        return np.bincount(w["provider"][w["status"] == ACTIVE], minlength=self.n_prov)

    def _draw_randoms(self) -> None:
        """This week's uniforms; for a large population they were drawn on another core (hls_sim.draws),
        while the serial kernels of the week before ran: `_people_week` starts the next week's draws
        once the life kernel, which wants both cores, is done."""
        self.u_life, self.u_doors, self.u_care, self.u_work = self._draws.next(more=False)

    def _reset_tallies(self) -> None:
        self.cnt[:] = 0.0
        self.pcnt[:] = 0.0
        self.bcnt[:] = 0.0
        self.claims[:] = 0.0
        self.false_claims[:] = 0.0
        self.dcnt_week[:] = 0.0
        self.wait_hist_week[:] = 0.0
        self.wait_hist_rep_week[:] = 0.0
        self.refer_week[:] = 0.0
        self.ledger.start_week()

    def _finance(self) -> None:
        p = self.p
        led = self.ledger
        self.commissioner.weekly_payments(self.claims, self.pcnt)
        staff = self.staff_counts()
        for k in range(self.n_prov):
            led.spend(k, staff[k] * self.worker_week_cost)
        led.smooth_income(self.week == 0, p["income_memory"])
        weeks = p["transition_weeks"]
        if self.transition_left > 0:
            led.commission("transition", p["transition_cost"] * self.n / weeks)
            self.transition_left -= 1
        # change strains before it motivates (001 L859, L1427): fades over the transition
        self.prm[P_CHANGE_STRAIN] = p["transition_strain"] * self.transition_left / weeks
        self._fill_time_shares()
        led.commission("discretionary", self.cnt[C_DISC_SPEND])
        led.week["downstream"] = self.cnt[C_CRISES] * p["crisis_cost"]
        led.week["reactive"] = self.cnt[C_REACTIVE] * p["reactive_contact_cost"]

    def _accumulate(self) -> None:
        self.period_pcnt += self.pcnt
        self.refer_period += self.refer_week
        self.learn_acc += self.pcnt  # the records since the last learning cycle (system.py reads its columns)
        for prov in self.providers:
            prov.accumulate(self.pcnt[prov.index], self.bcnt[prov.index])
        if self.in_baseline:
            self.commissioner.record_baseline(self.pcnt, self.bcnt)

    def _review(self) -> None:
        """Quarterly: audit, provider policy reviews, trust, alliance money, staffing, failures."""
        cm = self.commissioner
        pp = self.period_pcnt
        cm.audit(pp[:, PC_REP_SUCC], pp[:, PC_MISREPORTS], pp[:, PC_EXCLUSIONS])
        if not self.in_baseline:
            for prov in self.providers:
                prov.decide()
        system.update_trust(self, self.refer_period)
        self.refer_period[:] = 0.0
        system.update_permission(self)
        if self.p["learning_cycle_weeks"] > 0:
            system.decay_practice(self)
        c = self.cit
        demand = np.bincount(c["provider"][c["status"] > 0], minlength=self.n_prov).astype(float)
        cm.reallocate_pool(demand)
        self._update_staffing()
        open_cases = np.bincount(c["provider"][c["status"] == IN_SERVICE], minlength=self.n_prov)
        self._update_admin(open_cases * float(self.p["review_weeks"]))
        if self.p["alliance"]:
            self.ledger.share_risk()
        for k in range(self.n_prov):
            if insolvent(float(self.ledger.reserves[k])):
                cm.fail(k)
        self.period_pcnt[:] = 0.0
        self.audited_period[:] = 0.0

    def _expected_income_week(self, k: int) -> float:
        """What provider k can count on each week: its pooled share, or its fixed payment plus what it has
        been earning by results lately."""
        t = self.terms
        if t.basis == "pooled":
            return self.budget_week * float(self.alliance_share[k])
        if self.in_baseline:
            return float(self.contract_week[k])
        # the fixed part is certain; results it has been earning lately, but never more than the cap allows
        fixed = float(self.contract_week[k]) * contract.fixed_payment_share(t)
        results = max(0.0, float(self.ledger.income_rate[k]) - fixed)
        return fixed + min(results, contract.results_cap(t, float(self.contract_week[k]) * 52.0) / 52.0)

    def _update_staffing(self) -> None:
        """Headcount follows money (hls_sim/accounts.py): hire within what income pays for, freeze
        hiring when reserves are low, cut staff when reserves would run out."""
        w = self.wk
        p = self.p
        if not self.services_open:
            return
        staff_now = self.staff_counts()
        for k in range(self.n_prov):
            income = self._expected_income_week(k)
            posts = int(np.sum((w["provider"] == k) & (w["status"] != VACANT)))
            affordable = affordable_posts(income, self.worker_week_cost)
            keep = staffing_decision(
                posts,
                affordable,
                float(self.ledger.reserves[k]),
                float(staff_now[k] * self.worker_week_cost),
                income,
                p["hiring_freeze_weeks"],
                p["cut_horizon_weeks"] / (1.0 + self.providers[k].mission),
            )
            self.funded[k] = keep
            if posts < keep:
                free = np.flatnonzero(w["status"] == VACANT)[: keep - posts]
                w["status"][free] = HIRING
                w["provider"][free] = k
                w["vacancy_left"][free] = max(1, p["vacancy_weeks"])
                w["caseload"][free] = 0
            elif posts > keep:
                self._cut_posts(k, posts - keep)

    def _cut_posts(self, k: int, n_cut: int) -> None:
        """Redundancies: unfilled posts go first, then the most recently hired staff; their cases pass on."""
        w = self.wk
        hiring = np.flatnonzero((w["provider"] == k) & (w["status"] == HIRING))[:n_cut]
        w["status"][hiring] = VACANT
        rest = n_cut - len(hiring)
        if rest <= 0:
            return
        active = np.flatnonzero((w["provider"] == k) & (w["status"] == ACTIVE))
        if len(active) <= 1:
            return
        order = active[np.argsort(w["tenure"][active], kind="mergesort")][: min(rest, len(active) - 1)]
        w["status"][order] = VACANT
        reassign_orphans(self.staff, self.people, self.prm, self.cnt)
        w["caseload"][order] = 0

    # ------------------------------------------------------------------ events
    def replace_provider_staff(self, k: int, loss: float, rng: np.random.Generator) -> None:
        """Staff who leave at a lost tender or a transition; their cases pass to colleagues."""
        w = self.wk
        rng.random(out=self.u_tender)
        leaving = (w["provider"] == k) & (w["status"] == ACTIVE) & (self.u_tender < loss)
        w["status"][leaving] = HIRING
        w["vacancy_left"][leaving] = max(1, self.p["vacancy_weeks"])
        reassign_orphans(self.staff, self.people, self.prm, self.cnt)
        w["caseload"][leaving] = 0

    def on_tender(self, k: int) -> None:
        """A new organisation: no relationships, no local knowledge, and everyone's trust shaken."""
        p = self.p
        self.provider_churn += 1
        if self.own[k].get("organisation_only", False):
            self.own[k] = {}  # its own way of working left with the organisation that practised it
            self.fill_practice()
        # a stranger's history with everyone; the other pairs' let-down counts at the next review
        self.trust.lost_tender(k, p["initial_trust_providers"] * p["new_entrant_trust"])
        self.ptrust[:] = self.trust.provider_trust()
        self.ctrust[:] = self.trust.commissioner_trust()
        self.knowledge[k] = p["knowledge0"]
        self.targets[k, 0] = contract.baseline_target(self.terms, float(np.nan_to_num(self.commissioner.benchmark[k])))
        self.targets[k, 1] = self.terms.wait_target_share
        self.attract[k] = 1.0

    def _switch_regime(self) -> None:
        """Mid-run change of regime: new levers, up-front investment, a dip in morale, some leavers.

        The new contract's terms come into force at once, priced and targeted from the last year's
        reported results (the commissioner has its records)."""
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
        if self.terms.basis == "pooled":
            self.alliance_share[:] = self.contract_week / self.contract_week.sum()
        cm = self.commissioner
        cm.baseline[:] = np.array([prov.last_year for prov in self.providers])  # the last full contract year
        self.in_baseline = False
        cm.start_contract(52)
        self.transition_left = int(p["transition_weeks"])
        w = self.wk
        act = w["status"] == ACTIVE
        w["morale"][act] = np.maximum(0.0, w["morale"][act] - p["transition_morale_dip"])
        rng = self.streams["providers"]
        for k in range(self.n_prov):
            self.replace_provider_staff(k, p["transition_staff_loss"], rng)

    # ------------------------------------------------------------------ read-outs
    def wellbeing(self) -> tuple[float, float]:
        return wellbeing_stats(self.cit["need"], self.top_decile)

    def wellbeing_twin(self) -> float:
        """Mean wellbeing of the no-service twins this week (NaN when the twin is off)."""
        if not self.p["twin"]:
            return float("nan")
        return wellbeing_stats(self.twin.need, self.top_decile)[0]

    def counts_by_status(self) -> np.ndarray:
        return count_values(self.cit["status"], 3)
