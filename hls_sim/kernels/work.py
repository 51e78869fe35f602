"""Frontline work: each worker's weekly time choice, and the help it gives each person.

The choice is the heart of the model's gaming. A worker divides the hours left after recording,
assessment and learning among saved effort, relational help, protocol service in the contracted
domain and effort that only improves the numbers. Shares follow Cobb-Douglas weights: intrinsic
reward (motivation x the real good an hour does) for relational and protocol work, the pressure
passed down by the provider for whatever moves the indicator, and effort aversion for slack.
With no pressure there is no gaming and no substitution; as pressure rises, time moves to the
measured work (effort substitution, Holmstrom & Milgrom 1991), slack falls (the real gain that
targets can bring) and number-improving effort appears where the organisation tolerates it.
Everything labelled "counterfactual" below re-evaluates the same choice at other pressures, so
each gaming channel is measured, never set.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.layout import (
    ACTIVE,
    C_DISC_SPEND,
    C_H_ADMIN,
    C_H_ASSESS,
    C_H_CASE,
    C_H_GAME,
    C_H_LEARN,
    C_H_OVERTIME,
    C_H_PARKED,
    C_H_PROT,
    C_H_RATCHET,
    C_H_REL,
    C_H_SLACK,
    C_H_SUBSTITUTED,
    C_H_THRESHOLD,
    IN_SERVICE,
    P_ASSESS_HOURS,
    P_BOND_FADE,
    P_BOND_FLOOR,
    P_BOND_GAIN,
    P_BOND_MIN_HOURS,
    P_BUBBLE_WIDTH,
    P_CASE_WEIGHT_FLOOR,
    P_DEFICIT_EFFICACY,
    P_DEPENDENCE_GAIN,
    P_DEPENDENCE_RELIEF,
    P_DISC_REL_GAIN,
    P_EFFORT_AVERSION,
    P_ENGAGE_EFFICACY,
    P_GAMING_EFF,
    P_HELP_EFFICACY,
    P_HELP_SCALE,
    P_HELP_TRUST,
    P_HOURS,
    P_KNOWLEDGE_GAIN,
    P_LEARNING_SHARE,
    P_MIN_CASE_TIME,
    P_MISFIT,
    P_OUTCOME_THR,
    P_PROT_CX_LOSS,
    P_PROTOCOL_EFFECT,
    P_READINESS_FLOOR,
    P_REL_CX_GAIN,
    P_RELATIONAL_EFFECT,
    P_ROOT_DRAG,
    P_SPEND_EFFECT,
    P_SPEND_HALF,
    P_SPILL_FLOOR,
    P_STRENGTH_GAIN,
    PC_HOURS_CASE,
    PC_INTAKES,
    POL_HONESTY,
    POL_PARK,
    PR_DISC,
    PR_SPEND,
)


@njit(cache=True, nogil=True)
def _shares(ws, wr, wp, wg):
    tot = ws + wr + wp + wg
    return ws / tot, wr / tot, wp / tot, wg / tot


@njit(cache=True, nogil=True)
def choose_time(ppl, stf, svc, prm, tly):
    """Each active worker divides the week; returns nothing, fills w_h_* and the hour tallies."""
    cxn = ppl.cxn
    priority = ppl.priority
    status = ppl.status
    provider = ppl.provider
    worker = ppl.worker
    w_status = stf.status
    w_provider = stf.provider
    w_caseload = stf.caseload
    w_motivation = stf.motivation
    w_rskill = stf.rskill
    w_skill = stf.skill
    w_burnout = stf.burnout
    w_pressure = stf.pressure
    w_intake_hours = stf.intake_hours
    w_h_rel = stf.h_rel
    w_h_prot = stf.h_prot
    w_h_game = stf.h_game
    w_h_admin = stf.h_admin
    w_cx_sum = stf.cx_sum
    w_misfit_sum = stf.misfit_sum
    domain = svc.domain
    pol = svc.pol
    stk = svc.stk
    knowledge = svc.knowledge
    cnt = tly.cnt
    pcnt = tly.pcnt
    n = status.shape[0]
    nw = w_status.shape[0]
    n_prov = domain.shape[0]
    hours = prm[P_HOURS]
    learn = prm[P_LEARNING_SHARE] * hours
    for w in range(nw):
        w_cx_sum[w] = 0.0
        w_misfit_sum[w] = 0.0
    for i in range(n):
        if status[i] == IN_SERVICE:
            w = worker[i]
            w_cx_sum[w] += cxn[i]
            if priority[i] != domain[provider[i]]:
                w_misfit_sum[w] += 1.0
    active = np.zeros(n_prov)
    for w in range(nw):
        if w_status[w] == ACTIVE:
            active[w_provider[w]] += 1.0
    for w in range(nw):
        if w_status[w] != ACTIVE:
            w_h_rel[w] = 0.0
            w_h_prot[w] = 0.0
            w_h_game[w] = 0.0
            w_h_admin[w] = 0.0
            continue
        p = w_provider[w]
        cl = w_caseload[w]
        assess = prm[P_ASSESS_HOURS] * pcnt[p, PC_INTAKES] / max(active[p], 1.0)
        admin = svc.admin[p] * cl + svc.contract_hours[p]
        w_intake_hours[w] = assess
        w_h_admin[w] = admin
        fixed = admin + assess + learn
        avail = max(hours - fixed, prm[P_MIN_CASE_TIME] * hours)
        cnt[C_H_ADMIN] += admin
        cnt[C_H_ASSESS] += assess
        cnt[C_H_LEARN] += learn
        cnt[C_H_OVERTIME] += max(0.0, fixed - 0.9 * hours)
        # pressure as management passes it down: its standing level, after the threshold eases it
        # (the target is safe this year) and after the ratchet restrains it (beating the target
        # would raise the next one); provider.py sets all three from the contract's values
        full = stk[p, 0]
        eased = stk[p, 1]
        pi = stk[p, 2]
        w_pressure[w] = pi
        if cl == 0:
            w_h_rel[w] = 0.0
            w_h_prot[w] = 0.0
            w_h_game[w] = 0.0
            cnt[C_H_SLACK] += avail
            continue
        mcx = w_cx_sum[w] / cl
        m = w_motivation[w]
        kn = 0.0
        for k in range(knowledge.shape[1]):
            kn += knowledge[p, k]
        kn /= knowledge.shape[1]
        cg = prm[P_REL_CX_GAIN]
        dg = prm[P_DISC_REL_GAIN]
        disc = svc.practice[p, PR_DISC]
        v_rel = w_rskill[w] * (1.0 - cg + cg * mcx) * (1.0 - dg + dg * disc) * (prm[P_KNOWLEDGE_GAIN] + kn)
        v_prot = w_skill[w] * (1.0 - prm[P_PROT_CX_LOSS] * mcx)
        ws = prm[P_EFFORT_AVERSION] * (1.0 + w_burnout[w])
        wr = m * v_rel
        g_eff = prm[P_GAMING_EFF] * (1.0 - pol[p, POL_HONESTY])
        s_s, s_r, s_p, s_g = _shares(ws, wr, m * v_prot + pi, pi * g_eff)
        w_h_rel[w] = avail * s_r
        w_h_prot[w] = avail * s_p
        w_h_game[w] = avail * s_g
        cnt[C_H_REL] += avail * s_r
        cnt[C_H_PROT] += avail * s_p
        cnt[C_H_GAME] += avail * s_g
        cnt[C_H_SLACK] += avail * s_s
        # counterfactual with no pressure: how much unmeasured (relational) work was displaced
        z_s, z_r, z_p, z_g = _shares(ws, wr, m * v_prot, 0.0)
        rel0 = z_r / (z_r + z_p)
        prod = s_r + s_p + s_g
        cnt[C_H_SUBSTITUTED] += avail * prod * max(0.0, rel0 - s_r / prod)
        # counterfactuals without the threshold easing and without the ratchet restraint
        f_s, _, _, _ = _shares(ws, wr, m * v_prot + full, full * g_eff)
        e_s, _, _, _ = _shares(ws, wr, m * v_prot + eased, eased * g_eff)
        cnt[C_H_THRESHOLD] += avail * max(0.0, e_s - f_s)
        cnt[C_H_RATCHET] += avail * max(0.0, s_s - e_s)


@njit(cache=True, nogil=True)
def _prospect(need_dc, band_attract, thr, width):
    """How likely a case looks to produce a paid or counted outcome soon: its band's record, and how
    close its service-domain need is to the line (the 'bubble' cases get the attention)."""
    near = min(1.0, max(0.0, 1.0 - (need_dc - thr) / width))
    return band_attract * near


@njit(cache=True, nogil=True)
def give_help(ppl, stf, svc, prm, tly):
    """Spread each worker's hours over their cases and apply the help to each person's needs.

    Case weights follow need; a provider that parks scales each case's weight by
    (1 - parking x (1 - prospect)). Parked hours are measured against the need-only spread.
    service_coupling[i, k] is coupling[i, k, service domain], copied at the start of the episode.
    The first pass parks each case's weight and coupled inflow in h_rel/h_prot (both are
    overwritten with the hours in the second pass).
    """
    service_coupling = ppl.service_coupling
    need = ppl.need
    strength = ppl.strength
    priority = ppl.priority
    trust = ppl.trust
    efficacy = ppl.efficacy
    bond = ppl.bond
    game_hours = ppl.game_hours
    help_dc = ppl.help_dc
    h_rel = ppl.h_rel
    h_prot = ppl.h_prot
    status = ppl.status
    provider = ppl.provider
    worker = ppl.worker
    band = ppl.band
    decile = ppl.decile
    w_status = stf.status
    w_rskill = stf.rskill
    w_skill = stf.skill
    w_h_rel = stf.h_rel
    w_h_prot = stf.h_prot
    w_h_game = stf.h_game
    w_sum = stf.weight_sum
    w_seen = stf.seen
    domain = svc.domain
    pol = svc.pol
    attract = svc.attract
    knowledge = svc.knowledge
    cnt = tly.cnt
    pcnt = tly.pcnt
    dcnt = tly.dcnt
    n, d = need.shape
    nw = w_status.shape[0]
    thr = prm[P_OUTCOME_THR]
    help_scale = prm[P_HELP_SCALE]
    protocol_effect = prm[P_PROTOCOL_EFFECT]
    relational_effect = prm[P_RELATIONAL_EFFECT]
    floor = prm[P_CASE_WEIGHT_FLOOR]
    width = prm[P_BUBBLE_WIDTH]
    we = prm[P_ENGAGE_EFFICACY]
    ready0 = prm[P_READINESS_FLOOR]
    bond_min = prm[P_BOND_MIN_HOURS]
    bond_floor = prm[P_BOND_FLOOR]
    for w in range(nw):
        w_sum[w] = 0.0
        w_seen[w] = 0.0
    w0_sum = np.zeros(nw)
    for i in range(n):
        if status[i] != IN_SERVICE:
            continue
        w = worker[i]
        p = provider[i]
        top = 0.0
        for k in range(d):
            top = max(top, need[i, k])
        dc = domain[p]
        base = floor + 0.5 * (need[i, dc] + top)
        wt = base * (1.0 - pol[p, POL_PARK] * (1.0 - _prospect(need[i, dc], attract[p, band[i]], thr, width)))
        w0_sum[w] += base
        w_sum[w] += wt
        inflow = 0.0
        floor_s = prm[P_SPILL_FLOOR]
        for k in range(d):
            inflow += service_coupling[i, k] * max(0.0, need[i, k] - floor_s)
        h_rel[i] = wt
        h_prot[i] = inflow
    for i in range(n):
        if status[i] != IN_SERVICE:
            h_rel[i] = 0.0
            h_prot[i] = 0.0
            continue
        w = worker[i]
        p = provider[i]
        dc = domain[p]
        pr = priority[i]
        disc = svc.practice[p, PR_DISC]
        spend = svc.practice[p, PR_SPEND]
        top = 0.0
        for k in range(d):
            top = max(top, need[i, k])
        base = floor + 0.5 * (need[i, dc] + top)
        wt = h_rel[i]
        inflow = h_prot[i]
        share = wt / w_sum[w] if w_sum[w] > 0.0 else 0.0
        share0 = base / w0_sum[w] if w0_sum[w] > 0.0 else 0.0
        hr = w_h_rel[w] * share
        hp = w_h_prot[w] * share
        h_rel[i] = hr
        h_prot[i] = hp
        game_hours[i] += w_h_game[w] * share
        # parked hours: what a need-only spread would have given, less what was given (same grouping
        # of the sums, so that no parking measures exactly zero)
        case0 = (w_h_rel[w] + w_h_prot[w]) * share0
        cnt[C_H_PARKED] += max(0.0, case0 - (w_h_rel[w] + w_h_prot[w]) * share)
        cnt[C_H_CASE] += hr + hp
        pcnt[p, PC_HOURS_CASE] += hr + hp
        dcnt[decile[i], 2] += hr + hp
        dcnt[decile[i], 3] += 1.0
        dcnt[decile[i], 4] += case0
        if ppl.crisis_now[i] == 1:
            bond[i] = 0.0  # a crisis breaks the working relationship
        engaged = we * efficacy[i] + 0.5 * (1.0 - we) * (trust[i] + bond[i])
        ready = ready0 + (1.0 - ready0) * engaged
        before = 0.0
        for k in range(d):
            before += need[i, k]
        # protocol service: the contracted domain only, deficit-framed
        fp = 1.0 - np.exp(-hp / help_scale)
        fit = 1.0 if pr == dc else prm[P_MISFIT]
        # problems elsewhere keep driving this one: a service that treats only its own domain is
        # dragged back by the person's coupled needs ("trapped behind a dominant issue", 001 L1455)
        drag = min(1.0, inflow / prm[P_ROOT_DRAG])
        pe = protocol_effect * w_skill[w] * fp * ready * fit * (1.0 - drag)
        cut = pe * need[i, dc]
        need[i, dc] -= cut
        help_dc[i] += cut
        # deficit-focused handling lowers self-efficacy and builds reliance on services (001 L337-341)
        efficacy[i] = max(0.0, efficacy[i] - prm[P_DEFICIT_EFFICACY] * pe * (2.0 - fit))
        dep = ppl.dependence[i]
        dep += prm[P_DEPENDENCE_GAIN] * pe * (1.0 - dep)
        # relational help: what matters to the person, as far as discretion allows
        fr = 1.0 - np.exp(-hr / help_scale)
        er = (
            relational_effect
            * w_rskill[w]
            * (bond_floor + (1.0 - bond_floor) * bond[i])
            * (prm[P_KNOWLEDGE_GAIN] + knowledge[p, pr])
            * fr
            * ready
        )
        need[i, pr] -= disc * er * need[i, pr]
        cut = (1.0 - disc) * er * need[i, dc]
        need[i, dc] -= cut
        help_dc[i] += cut
        # strengths grow where the work goes, in proportion to what the help achieves (001 L776)
        sg = min(1.0, prm[P_STRENGTH_GAIN] * er)
        strength[i, pr] += disc * sg * (1.0 - strength[i, pr])
        strength[i, dc] += (1.0 - disc) * sg * (1.0 - strength[i, dc])
        efficacy[i] += min(1.0, prm[P_HELP_EFFICACY] * er) * (1.0 - efficacy[i])
        dep -= min(1.0, prm[P_DEPENDENCE_RELIEF] * er) * dep
        ppl.dependence[i] = min(1.0, max(0.0, dep))
        # a relationship grows with the time given to it, with diminishing returns, and fades while
        # contact stays below a regular weekly dose, the more the thinner it is (002 L716-735)
        fb = 1.0 - np.exp(-hr / help_scale)
        bond[i] += prm[P_BOND_GAIN] * fb * (1.0 - bond[i])
        if hr < bond_min:
            bond[i] -= prm[P_BOND_FADE] * (1.0 - hr / bond_min) * bond[i]
        trust[i] += min(1.0, prm[P_HELP_TRUST] * er) * (1.0 - trust[i])
        if spend > 0.0:
            # a small spend helps when the worker knows what matters to the person (001 L823-829)
            need[i, pr] -= prm[P_SPEND_EFFECT] * spend / (spend + prm[P_SPEND_HALF]) * bond[i] * need[i, pr]
            cnt[C_DISC_SPEND] += spend
        after = 0.0
        for k in range(d):
            need[i, k] = max(0.0, need[i, k])
            after += need[i, k]
        w_seen[w] += before - after
