"""ReferenceModel: the same model with one Mesa agent per citizen and per worker post, in plain Python.

It is `HLSModel` with the people phase of the week (`_people_week`, the numba kernels) restated
as agent methods; everything else is shared, not copied: parameters, the initial population and
workforce, the named random streams and their pre-drawn weekly blocks (`u_life`, `u_doors`,
`u_care`, `u_work`), providers, the commissioner, trust and learning, the recorder and outputs;
each provider's practice (`fill_practice`, with the `provider_practice` overrides) and who reaches out
into each domain this week, as far as the team has room (`_update_reach`), which people then meet
through `week_rules`.

Who holds the state: the agents hold people's (and their no-service twins') and posts' state
while they act. At the end of the people phase they publish it to the model's arrays (model.cit,
model.twin, model.wk, the tallies and the impact accumulators model.imp), where the shared
organisation-level code reads and changes it (hiring, re-tendering) and the recorder reads it;
the posts are read back from the arrays at the start of the next people phase.
Staff changes that orphan cases (a lost tender or a regime switch, `replace_provider_staff`; redundancies,
`_cut_posts`) act on the agents.

Same seed, same results: tests/test_reference.py checks that every array and every output agrees
with the numba engine, bit for bit, for each regime. It is also the speed baseline in benchmarks/.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hls_sim.layout import (
    ACTIVE,
    C_STARTS,
    C_STARTS_TARGET_REP,
    C_STARTS_TARGET_TRUE,
    HIRING,
    IN_SERVICE,
    P_NEW_BOND,
    PC_STARTS,
    PC_STARTS_T_REP,
    PC_STARTS_T_TRUE,
    POL_CLOCK,
    VACANT,
    WAITING,
)
from hls_sim.model import HLSModel
from hls_sim.reference.citizen import Citizen, NoServiceTwin
from hls_sim.reference.week import Tally, week_rules
from hls_sim.reference.worker import Worker, reassign_orphans
from hls_sim.runner import RunResult

STATIC_FIELDS = ("coupling", "complexity", "strength0", "efficacy0")  # set once at birth, never published back


class ReferenceModel(HLSModel):
    """HLSModel with citizens and workers as Mesa agents moved by plain-Python rules."""

    def __init__(self, *, seed: int = 1, **overrides: Any) -> None:
        super().__init__(seed=seed, **overrides)
        cxn = self.cxn.tolist()
        decile = self.decile.tolist()
        # the agents, in index order (`self.people` stays the parent's bundle of arrays)
        self.citizens = [Citizen(self, i, cxn[i], decile[i]) for i in range(self.n)]
        self.posts = [Worker(self, v) for v in range(self.wk["status"].shape[0])]
        for name in Citizen.FIELDS:
            for person, value in zip(self.citizens, self.cit[name].tolist(), strict=True):
                setattr(person, name, value)
        if self.p["twin"]:
            t = self.twin
            rows = zip(t.need.tolist(), t.strength.tolist(), t.efficacy.tolist(), t.crisis_now.tolist(), strict=True)
            for person, (need, strength, efficacy, crisis_now) in zip(self.citizens, rows, strict=True):
                person.twin = NoServiceTwin(need, strength, efficacy, crisis_now)
        self._read_posts()
        self.citizen_set = self.agents_by_type[Citizen]  # a Mesa AgentSet; do() visits in creation order
        self.worker_set = self.agents_by_type[Worker]

    # ------------------------------------------------------------------ the people phase of a week
    def _people_week(self) -> None:
        self._read_posts()  # organisation-level code may have hired or moved staff since last week
        rules = week_rules(self)
        tally = Tally(self)
        people, posts = self.citizen_set, self.worker_set
        u_life, u_doors = self.u_life.tolist(), self.u_doors.tolist()
        u_care, u_work = self.u_care.tolist(), self.u_work.tolist()
        people.do("live", u_life, rules, tally, self.p["twin"], self.week >= self.burn_in)
        self._draws.ahead()  # next week's numbers, as the engine starts them (hls_sim.draws)
        people.do("follow_up", rules, tally)
        people.do("seek_help", u_doors, rules, tally)
        self._start_services(u_care, rules, tally)
        self._plan_work(rules, tally)
        self._give_help(rules, tally)
        people.do("end_service_week", [row[2:6] for row in u_care], self.posts, rules, tally)
        staff = [0] * self.n_prov
        for w in self.posts:
            if w.status != VACANT:
                staff[w.provider] += 1
        quits = posts.map("work_week", u_work, rules, staff, tally)
        if any(quits):
            reassign_orphans(self.citizens, self.posts, rules.new_bond, tally.cnt)
        tally.write(self)
        self.publish()

    def _start_services(self, u_care: list[list[float]], rules, tally: Tally) -> None:
        """Each provider fills free caseload places from its waiting list, then the list ages.
        (kernels/queue.py: allocate)"""
        cap = [int(practice.caseload_cap) for practice in rules.practice]  # each provider's caseload cap
        target = int(rules.wait_target_weeks)
        use_target = rules.wait_target_active > 0.0 and target > 0
        wait_full = rules.queue_wait_full
        free = {w: max(0, cap[w.provider] - w.caseload) for w in self.posts if w.status == ACTIVE}
        longest = len(tally.wait_hist) - 1
        for p in range(self.n_prov):
            waiting = [c for c in self.citizens if c.status == WAITING and c.provider == p]
            if not waiting:
                continue
            dc = rules.domain[p]
            clock = rules.policy[p][POL_CLOCK] if use_target else 0.0
            # the queue: a stable sort, so equal scores keep the list's (person index) order
            queue = sorted(waiting, key=lambda c: c.queue_score(dc, clock, target, use_target, wait_full))
            # staff in post order, then the least-loaded first (stable); places go round robin
            staff = sorted((w for w in self.posts if w.status == ACTIVE and w.provider == p), key=lambda w: -free[w])
            turn = 0
            for person in queue:
                taker = None
                for _ in range(len(staff)):
                    w = staff[turn]
                    turn = (turn + 1) % len(staff)
                    if free[w] > 0:
                        taker = w
                        break
                if taker is None:
                    break
                free[taker] -= 1
                taker.caseload += 1
                person.start_service(taker, dc, rules.new_bond)
                self._count_start(person, p, target, use_target, longest, tally)
        self.citizen_set.do("wait_a_week", u_care, rules, tally, target, use_target)

    @staticmethod
    def _count_start(person: Citizen, p: int, target: int, use_target: bool, longest: int, tally: Tally) -> None:
        """A start counts towards the time-to-service target by the true wait and by the reported one."""
        cnt, pcnt = tally.cnt, tally.pcnt
        cnt[C_STARTS] += 1.0
        pcnt[p][PC_STARTS] += 1.0
        tally.wait_hist[min(person.wait, longest)] += 1.0
        reported_wait = person.wait
        if person.clock_stopped == 1 and use_target:
            reported_wait = min(reported_wait, target)
        tally.wait_hist_rep[min(reported_wait, longest)] += 1.0
        if use_target:
            if person.wait <= target:
                cnt[C_STARTS_TARGET_TRUE] += 1.0
                pcnt[p][PC_STARTS_T_TRUE] += 1.0
            if reported_wait <= target:
                cnt[C_STARTS_TARGET_REP] += 1.0
                pcnt[p][PC_STARTS_T_REP] += 1.0

    def _plan_work(self, rules, tally: Tally) -> None:
        """What each worker's caseload looks like, then each worker's time choice.
        (kernels/work.py: choose_time)"""
        for w in self.posts:
            w.cx_sum = 0.0
            w.misfit_sum = 0.0
        for person in self.citizens:
            if person.status == IN_SERVICE:
                w = self.posts[person.worker]
                w.cx_sum += person.cxn
                if person.priority != rules.domain[person.provider]:
                    w.misfit_sum += 1.0
        active = [0.0] * self.n_prov
        for w in self.posts:
            if w.status == ACTIVE:
                active[w.provider] += 1.0
        self.worker_set.do("plan_week", rules, active, tally)

    def _give_help(self, rules, tally: Tally) -> None:
        """Spread each worker's hours over their cases by weight, then each person gets help.
        (kernels/work.py: give_help)"""
        for w in self.posts:
            w.case_weight_sum = 0.0
            w.need_weight_sum = 0.0
            w.seen = 0.0
        for person in self.citizens:
            if person.status == IN_SERVICE:
                w = self.posts[person.worker]
                base, weight = person.case_weights(rules)
                w.need_weight_sum += base
                w.case_weight_sum += weight
        self.citizen_set.do("receive_help", self.posts, rules, tally)

    # ------------------------------------------------------------------ events that move staff
    def replace_provider_staff(self, k: int, loss: float, rng: np.random.Generator) -> None:
        """Staff who leave at a lost tender or a transition; their cases pass to colleagues."""
        self._read_posts()
        rng.random(out=self.u_tender)
        stay = self.u_tender.tolist()
        leaving = [w for w in self.posts if w.provider == k and w.status == ACTIVE and stay[w.index] < loss]
        for w in leaving:
            w.status = HIRING
            w.vacancy_left = max(1, self.p["vacancy_weeks"])
        self._orphan_cases(leaving)
        self.publish()

    def _cut_posts(self, k: int, n_cut: int) -> None:
        """Redundancies: unfilled posts go first, then the most recently hired staff (never the last
        one); their cases pass on. (HLSModel._cut_posts, acting on the agents)"""
        self._read_posts()
        hiring = [w for w in self.posts if w.provider == k and w.status == HIRING][:n_cut]
        for w in hiring:
            w.status = VACANT
        rest = n_cut - len(hiring)
        active = [w for w in self.posts if w.provider == k and w.status == ACTIVE]
        if rest > 0 and len(active) > 1:
            leaving = sorted(active, key=lambda w: w.tenure)[: min(rest, len(active) - 1)]  # stable: post order
            for w in leaving:
                w.status = VACANT
            self._orphan_cases(leaving)
        self.publish()

    def _orphan_cases(self, leaving: list[Worker]) -> None:
        """Pass the cases of staff who left to colleagues; the leavers' posts start empty."""
        cnt = self.cnt.tolist()
        reassign_orphans(self.citizens, self.posts, float(self.prm[P_NEW_BOND]), cnt)
        self.cnt[:] = cnt
        for w in leaving:
            w.caseload = 0

    # ------------------------------------------------------------------ agents <-> arrays
    def publish(self) -> None:
        """Write every person's (and twin's) and post's state to the model's arrays (what the shared
        code and the recorder read)."""
        for name in Citizen.FIELDS:
            if name not in STATIC_FIELDS:
                self.cit[name][:] = [getattr(c, name) for c in self.citizens]
        if self.p["twin"]:
            for name in NoServiceTwin.FIELDS:
                getattr(self.twin, name)[:] = [getattr(c.twin, name) for c in self.citizens]
        for name in Worker.FIELDS:
            self.wk[name][:] = [getattr(w, name) for w in self.posts]
        self.w_sum[:] = [w.case_weight_sum for w in self.posts]
        self.w_seen[:] = [w.seen for w in self.posts]

    def _read_posts(self) -> None:
        for name in Worker.FIELDS:
            for w, value in zip(self.posts, self.wk[name].tolist(), strict=True):
                setattr(w, name, value)
        for w, a, b in zip(self.posts, self.w_sum.tolist(), self.w_seen.tolist(), strict=True):
            w.case_weight_sum = a
            w.seen = b


def run_reference(*, seed: int = 1, progress=None, **overrides: Any) -> RunResult:
    """`hls_sim.run`, but with the plain-Python Mesa reference model."""
    model = ReferenceModel(seed=seed, **overrides)
    model.run(progress=progress)
    rec = model.recorder
    return RunResult(params=dict(model.resolved_params), summary=rec.summary(model), timeseries=rec.timeseries(model))
