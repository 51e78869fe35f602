"""A frontline worker's post as one Mesa agent: the weekly time choice, morale, quitting and hiring.

A post is vacant, filled (active) or being recruited to; the numba engine keeps posts in
model.wk[...] arrays of fixed capacity, and so does the model here, one agent per post.
Each method states one numba kernel's work for one post (named in its docstring).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import mesa

from hls_sim.kernels.workforce import (
    AUTONOMY_SUPPORT,
    MORALE_RATE,
    MOTIVATION_RATE,
    NEW_BOND,
    SEEN_GAIN_SCALE,
)
from hls_sim.layout import (
    ACTIVE,
    C_BROKEN,
    C_H_ADMIN,
    C_H_ASSESS,
    C_H_GAME,
    C_H_LEARN,
    C_H_OVERTIME,
    C_H_PROT,
    C_H_RATCHET,
    C_H_REL,
    C_H_SLACK,
    C_H_SUBSTITUTED,
    C_H_THRESHOLD,
    C_HIRES,
    C_QUITS,
    HIRING,
    IN_SERVICE,
    PC_INTAKES,
    POL_HONESTY,
    POL_PRESSURE,
    VACANT,
    WAITING,
)
from hls_sim.reference.week import Tally

if TYPE_CHECKING:
    from hls_sim.reference.citizen import Citizen


def shares(slack: float, relational: float, protocol: float, gaming: float) -> tuple[float, float, float, float]:
    """Cobb-Douglas time shares from the four weights."""
    tot = slack + relational + protocol + gaming
    return slack / tot, relational / tot, protocol / tot, gaming / tot


class Worker(mesa.Agent):
    """One post. `provider` is an index; `caseload` counts the people whose `worker` is this post."""

    FIELDS = (
        "status",
        "provider",
        "vacancy_left",
        "motivation",
        "motivation0",
        "rskill",
        "skill",
        "morale",
        "burnout",
        "tenure",
        "caseload",
        "pressure",
        "intake_hours",
        "h_rel",
        "h_prot",
        "h_game",
        "h_admin",
        "cx_sum",
        "misfit_sum",
    )

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.case_weight_sum = 0.0  # this week's case weights after parking (model.w_sum)
        self.need_weight_sum = 0.0  # ... and by need alone
        self.seen = 0.0  # need reduction seen in this week's cases (model.w_seen)

    # ------------------------------------------------------------------ the week's time (kernels/work.py: choose_time)
    def plan_week(self, rules: SimpleNamespace, active_staff: list[float], tally: Tally) -> None:
        """Divide the week: recording, assessment and learning first, then the Cobb-Douglas choice
        among saved effort, relational help, protocol service and effort that improves the numbers.
        The same choice at other pressures measures substitution, threshold and ratchet effects."""
        if self.status != ACTIVE:
            self.h_rel = self.h_prot = self.h_game = self.h_admin = 0.0
            return
        cnt = tally.cnt
        p = self.provider
        policy = rules.policy[p]
        hours = rules.hours_per_week
        disc = rules.worker_discretion
        cl = self.caseload
        assess = rules.assessment_hours * tally.pcnt[p][PC_INTAKES] / max(active_staff[p], 1.0)
        admin = rules.admin_hours_per_case * cl
        learn = rules.learning_share * hours
        self.intake_hours = assess
        self.h_admin = admin
        fixed = admin + assess + learn
        avail = max(hours - fixed, 0.1 * hours)
        cnt[C_H_ADMIN] += admin
        cnt[C_H_ASSESS] += assess
        cnt[C_H_LEARN] += learn
        cnt[C_H_OVERTIME] += max(0.0, fixed - 0.9 * hours)
        stakes, threshold_ease, ratchet_ease = rules.ease[p]
        full = stakes * policy[POL_PRESSURE]
        eased = full * threshold_ease
        pi = eased * ratchet_ease
        self.pressure = pi
        if cl == 0:
            self.h_rel = self.h_prot = self.h_game = 0.0
            cnt[C_H_SLACK] += avail
            return
        mcx = self.cx_sum / cl
        m = self.motivation
        kn = 0.0
        for x in rules.knowledge[p]:
            kn += x
        kn /= len(rules.knowledge[p])
        v_rel = self.rskill * (0.4 + 0.6 * mcx) * (0.5 + 0.5 * disc) * (0.5 + kn)
        v_prot = self.skill * (1.0 - 0.6 * mcx)
        ws = rules.effort_aversion * (1.0 + self.burnout)
        wr = m * v_rel
        g_eff = rules.gaming_efficiency * (1.0 - policy[POL_HONESTY])
        s_s, s_r, s_p, s_g = shares(ws, wr, m * v_prot + pi, pi * g_eff)
        self.h_rel = avail * s_r
        self.h_prot = avail * s_p
        self.h_game = avail * s_g
        cnt[C_H_REL] += avail * s_r
        cnt[C_H_PROT] += avail * s_p
        cnt[C_H_GAME] += avail * s_g
        cnt[C_H_SLACK] += avail * s_s
        # counterfactual with no pressure: how much unmeasured (relational) work was displaced
        _, z_r, z_p, _ = shares(ws, wr, m * v_prot, 0.0)
        rel0 = z_r / (z_r + z_p)
        prod = s_r + s_p + s_g
        cnt[C_H_SUBSTITUTED] += avail * prod * max(0.0, rel0 - s_r / prod)
        # counterfactuals without the threshold easing and without the ratchet restraint
        f_s = shares(ws, wr, m * v_prot + full, full * g_eff)[0]
        e_s = shares(ws, wr, m * v_prot + eased, eased * g_eff)[0]
        cnt[C_H_THRESHOLD] += avail * max(0.0, e_s - f_s)
        cnt[C_H_RATCHET] += avail * max(0.0, s_s - e_s)

    # ------------------------------------------------------------------ morale, quits, hires (kernels/workforce.py)
    def work_week(self, u_rows: list[list[float]], rules: SimpleNamespace, staff: list[int], tally: Tally) -> bool:
        """Recruit into a vacancy, or update motivation, morale and burnout and perhaps quit.
        Returns whether the worker quit; `staff` (posts not vacant, per provider) is updated."""
        u = u_rows[self.index]
        cnt = tally.cnt
        if self.status == HIRING:
            self.vacancy_left -= 1
            if self.vacancy_left <= 0:
                m0 = min(1.0, max(0.05, rules.intrinsic_motivation + 0.3 * (u[1] - 0.5)))
                self.status = ACTIVE
                self.motivation = m0
                self.motivation0 = m0
                self.rskill = min(1.0, max(0.05, rules.relational_skill + 0.4 * (u[2] - 0.5)))
                self.skill = 0.4 + 0.4 * u[3]
                self.morale = 0.6
                self.burnout = 0.0
                self.tenure = 0
                self.caseload = 0
                cnt[C_HIRES] += 1.0
            return False
        if self.status != ACTIVE:
            return False
        hours = rules.hours_per_week
        disc = rules.worker_discretion
        self.tenure += 1
        cl = self.caseload
        demanded = self.h_admin + self.intake_hours + rules.learning_share * hours + 0.5 * cl
        overload = max(0.0, demanded - hours) / hours
        admin_share = min(1.0, (self.h_admin + self.intake_hours) / hours)
        pi = self.pressure
        # control crowds out intrinsic motivation; autonomy supports it
        control = 0.5 * pi + 0.3 * admin_share + 0.2 * (1.0 - disc)
        m0 = self.motivation0
        target_m = m0 * (1.0 - rules.crowding_out * control) + AUTONOMY_SUPPORT * disc * (1.0 - m0)
        self.motivation += MOTIVATION_RATE * (target_m - self.motivation)
        gap = (1.0 - disc) * (self.misfit_sum / cl if cl > 0 else 0.0)
        seen = min(1.0, self.seen / (SEEN_GAIN_SCALE * (cl + 1.0)))
        target = 0.45 + 0.35 * seen + 0.15 * disc - 0.3 * admin_share - 0.2 * pi - 0.2 * gap - 0.3 * self.burnout
        target = min(1.0, max(0.0, target - rules.change_strain))
        self.morale += MORALE_RATE * (target - self.morale)
        self.burnout = min(
            1.0, max(0.0, self.burnout + 0.08 * overload + 0.01 * pi - 0.02 * self.burnout * (1.0 - overload))
        )
        unease = 1.0 - self.morale
        quit_rate = rules.base_turnover / 52.0 * (1.0 + 4.0 * (unease * unease)) + 0.01 * (self.burnout * self.burnout)
        if u[0] >= quit_rate:
            return False
        cnt[C_QUITS] += 1.0
        p = self.provider
        if staff[p] <= rules.funded[p]:  # the post is refilled
            self.status = HIRING
            self.vacancy_left = max(1, int(rules.vacancy_weeks))
        else:  # over establishment: the post goes
            self.status = VACANT
            staff[p] -= 1
        return True


def reassign_orphans(citizens: list[Citizen], workers: list[Worker], cnt: list[float]) -> None:
    """Cases of workers who left pass to the least-loaded colleague (lowest post on a tie) at the
    same provider, or back to its waiting list if nobody is left; the relationship restarts.
    (kernels/workforce.py: reassign_orphans)"""
    for person in citizens:
        if person.status != IN_SERVICE:
            continue
        gone = workers[person.worker]
        if gone.status == ACTIVE:
            continue
        best = None
        for v in workers:
            if v.status == ACTIVE and v.provider == person.provider and (best is None or v.caseload < best.caseload):
                best = v
        gone.caseload -= 1
        person.bond = NEW_BOND
        cnt[C_BROKEN] += 1.0
        if best is None:
            person.status = WAITING
            person.worker = -1
        else:
            person.worker = best.index
            best.caseload += 1
