"""A frontline worker's post as one Mesa agent: the weekly time choice, morale, quitting and hiring.

A post is vacant, filled (active) or being recruited to; the numba engine keeps posts in
model.wk[...] arrays of fixed capacity, and so does the model here, one agent per post.
Each method states one numba kernel's work for one post (named in its docstring).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import mesa

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
        The same choice at other pressures measures substitution, threshold and ratchet effects.
        (kernels/work.py: choose_time)"""
        if self.status != ACTIVE:
            self.h_rel = self.h_prot = self.h_game = self.h_admin = 0.0
            return
        cnt = tally.cnt
        p = self.provider
        policy = rules.policy[p]
        hours = rules.hours_per_week
        disc = rules.practice[p].discretion  # discretion in use at this provider
        cl = self.caseload
        assess = rules.assessment_hours * tally.pcnt[p][PC_INTAKES] / max(active_staff[p], 1.0)
        # recording per open case and the contract's own reporting, as the monitoring rules set them
        admin = rules.admin[p] * cl + rules.contract_hours[p]
        learn = rules.learning_share * hours
        self.intake_hours = assess
        self.h_admin = admin
        fixed = admin + assess + learn
        avail = max(hours - fixed, rules.min_case_time_share * hours)
        cnt[C_H_ADMIN] += admin
        cnt[C_H_ASSESS] += assess
        cnt[C_H_LEARN] += learn
        cnt[C_H_OVERTIME] += max(0.0, fixed - 0.9 * hours)
        # pressure as management passes it down: its standing level, after the threshold eases it
        # (the target is safe this year) and after the ratchet restrains it (beating the target would
        # raise the next one); the provider sets all three from what the contract pays
        full, eased, pi = rules.pressure[p]
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
        # the good an hour does as the worker sees it: relational work is worth more with complex
        # cases, discretion and practice knowledge; protocol work is worth less with complex cases
        cg = rules.relational_complexity_gain
        dg = rules.discretion_relational_gain
        v_rel = self.rskill * (1.0 - cg + cg * mcx) * (1.0 - dg + dg * disc) * (rules.knowledge_gain + kn)
        v_prot = self.skill * (1.0 - rules.protocol_complexity_loss * mcx)
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
        """Recruit into a vacancy, or learn from the week's practice, update motivation, morale and
        burnout and perhaps quit.
        Returns whether the worker quit; `staff` (posts not vacant, per provider) is updated.
        (kernels/workforce.py: workforce_step)"""
        u = u_rows[self.index]
        cnt = tally.cnt
        if self.status == HIRING:
            self.vacancy_left -= 1
            if self.vacancy_left <= 0:
                spread = rules.hire_motivation_spread
                m0 = min(1.0, max(0.05, rules.intrinsic_motivation + spread * (u[1] - 0.5)))
                self.status = ACTIVE
                self.motivation = m0
                self.motivation0 = m0
                spread = rules.hire_rskill_spread
                self.rskill = min(1.0, max(0.05, rules.relational_skill + spread * (u[2] - 0.5)))
                spread = rules.hire_skill_spread
                self.skill = min(1.0, max(0.05, rules.protocol_skill + spread * (u[3] - 0.5)))
                self.morale = 0.6
                self.burnout = 0.0
                self.tenure = 0
                self.caseload = 0
                cnt[C_HIRES] += 1.0
            return False
        if self.status != ACTIVE:
            return False
        hours = rules.hours_per_week
        self.tenure += 1
        disc = rules.practice[self.provider].discretion
        # skills are learned on the job, by practice (this week's hours of each kind), faster with
        # reflective supervision while the week gives time to learning (`learning_share`: the reflection
        # of learning cycles as far as the permission space lets staff take it, and a transition's training)
        learning = 1.0 + (rules.supervision_gain if rules.learning_share > 0.0 else 0.0)
        self.skill += rules.skill_practice_rate * learning * (self.h_prot / hours) * (1.0 - self.skill)
        self.rskill += rules.relational_practice_rate * learning * (self.h_rel / hours) * (1.0 - self.rskill)
        cl = self.caseload
        demanded = self.h_admin + self.intake_hours + rules.learning_share * hours + rules.case_hours_needed * cl
        overload = max(0.0, demanded - hours) / hours
        admin_share = min(1.0, (self.h_admin + self.intake_hours) / hours)
        pi = self.pressure
        # control crowds out intrinsic motivation; autonomy supports it
        control = (
            rules.control_pressure_weight * pi
            + rules.control_admin_weight * admin_share
            + rules.control_discretion_weight * (1.0 - disc)
        )
        m0 = self.motivation0
        control = min(1.0, control)  # control is a share: full control at most
        target_m = m0 * (1.0 - rules.crowding_out * control) + rules.autonomy_support * disc * (1.0 - m0)
        self.motivation += rules.motivation_rate * (target_m - self.motivation)
        # morale: up with the improvement the worker sees and with discretion; down with admin,
        # pressure, the gap between what is needed and what is allowed, and burnout
        gap = (1.0 - disc) * (self.misfit_sum / cl if cl > 0 else 0.0)
        seen = min(1.0, self.seen / (rules.seen_gain_scale * (cl + 1.0)))
        target = (
            rules.morale_base
            + rules.morale_seen_gain * seen
            + rules.morale_discretion_gain * disc
            - rules.morale_admin_loss * admin_share
            - rules.morale_pressure_loss * pi
            - rules.morale_gap_loss * gap
            - rules.morale_burnout_loss * self.burnout
        )
        target = min(1.0, max(0.0, target - rules.change_strain))
        self.morale += rules.morale_rate * (target - self.morale)
        b = self.burnout
        b += rules.burnout_overload_rate * overload + rules.burnout_pressure_rate * pi
        b -= rules.burnout_recovery * self.burnout * (1.0 - overload)
        self.burnout = min(1.0, max(0.0, b))
        unease = 1.0 - self.morale
        quit_rate = rules.base_turnover / 52.0 * (1.0 + rules.quit_morale_factor * (unease * unease))
        quit_rate += rules.quit_burnout_rate * (self.burnout * self.burnout)
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


def reassign_orphans(citizens: list[Citizen], workers: list[Worker], new_bond: float, cnt: list[float]) -> None:
    """Cases of workers who left pass to the least-loaded colleague (lowest post on a tie) at the
    same provider, or back to its waiting list if nobody is left; the relationship restarts at
    `new_bond`. (kernels/workforce.py: reassign_orphans)"""
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
        person.bond = new_bond
        cnt[C_BROKEN] += 1.0
        if best is None:
            person.status = WAITING
            person.worker = -1
        else:
            person.worker = best.index
            best.caseload += 1
