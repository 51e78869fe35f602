"""Discharge and measurement: the true indicator, the reported one, and the follow-up truth.

A case is "resolved" on the indicator when its need in the service's domain is below the
outcome threshold at discharge. The engine records the truth and, separately, what the
provider reports: a failed case may be written up as a success (misreporting, more likely the
more number-improving effort went into it) or left out of the count (exclusions), each as far
as the provider's policies allow. Discharge timed to the payment rule is the timing channel:
closing at the first moment the indicator is met, beyond what a siloed service would do anyway,
and (where starts are paid) closing unresolved cases early to start new ones ("churn").
`followup_weeks` later the person's real change is checked.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.layout import (
    B_CLOSES,
    B_REP_SUCC,
    B_TRUE_SUCC,
    B_WEEKS,
    C_ATTRIB_HELP,
    C_ATTRIB_OTHER,
    C_CHURN,
    C_COUNTED,
    C_DISCHARGES,
    C_DROPOUTS,
    C_EPISODE_LIMIT,
    C_EXCLUSIONS,
    C_FOLLOWUPS,
    C_HOLISTIC,
    C_MISREPORTS,
    C_REAL_IMPROVED,
    C_REAL_WORSENED,
    C_REP_SUCCESS,
    C_SUST_CHECKS,
    C_SUST_OK,
    C_TIMING,
    C_TRUE_SUCCESS,
    C_UNRESOLVED,
    COMMUNITY,
    IN_SERVICE,
    P_CHURN_MIN,
    P_DEPENDENCE_DECAY,
    P_DISCHARGE_TRUST,
    P_DISENGAGE,
    P_FOLLOWUP_WEEKS,
    P_GAMING_SCALE,
    P_HOLISTIC_TOP,
    P_OUTCOME_THR,
    P_REAL_CHANGE,
    P_UNRESOLVED_TOP,
    P_UNRESOLVED_WINDOW,
    PC_CLOSES,
    PC_COUNTED,
    PC_EXCLUSIONS,
    PC_MISREPORTS,
    PC_N_LEARN,
    PC_NOTE_REAL_SUM,
    PC_NOTE_SQ,
    PC_NOTE_SUM,
    PC_REAL_SQ,
    PC_REAL_SUM,
    PC_REP_SUCC,
    PC_TRUE_SUCC,
    POL_CHURN,
    POL_EXCLUDE,
    POL_HONESTY,
    POL_TIMING,
    PR_DISC,
    PR_MAX_EPISODE,
)


@njit(cache=True, nogil=True)
def discharge(ppl, stf, svc, u, prm, tly):
    """Close the cases that end this week and record true and reported results.

    u[i]: timing (or churn, for a case not meeting the indicator), disengagement, misreport, exclusion.
    """
    need = ppl.need
    priority = ppl.priority
    trust = ppl.trust
    bond = ppl.bond
    status = ppl.status
    provider = ppl.provider
    worker = ppl.worker
    band = ppl.band
    episode = ppl.episode
    game_hours = ppl.game_hours
    intake_wellbeing = ppl.intake_wellbeing
    followup = ppl.followup
    followup_domain = ppl.followup_domain
    followup_wellbeing = ppl.followup_wellbeing
    unresolved = ppl.unresolved
    help_dc = ppl.help_dc
    intake_need_dc = ppl.intake_need_dc
    w_caseload = stf.caseload
    domain = svc.domain
    pol = svc.pol
    price = svc.price
    cnt = tly.cnt
    pcnt = tly.pcnt
    bcnt = tly.bcnt
    lcnt = tly.lcnt
    claims = tly.claims
    false_claims = tly.false_claims
    n, d = need.shape
    thr = prm[P_OUTCOME_THR]
    for i in range(n):
        if status[i] != IN_SERVICE:
            continue
        episode[i] += 1
        p = provider[i]
        dc = domain[p]
        max_ep = svc.practice[p, PR_MAX_EPISODE]
        t0 = 1.0 - svc.practice[p, PR_DISC]
        met = need[i, dc] < thr
        top = 0.0
        s = 0.0
        for k in range(d):
            top = max(top, need[i, k])
            s += need[i, k]
        holistic = top < prm[P_HOLISTIC_TOP] and met
        close = False
        if met and not holistic:
            # a siloed service closes with its own domain in order (t0); timing to the payment rule adds to it
            if u[i, 0] < t0:
                close = True
            elif u[i, 0] < t0 + pol[p, POL_TIMING] * (1.0 - t0):
                close = True
                cnt[C_TIMING] += 1.0
        elif not met and episode[i] >= prm[P_CHURN_MIN] and u[i, 0] < pol[p, POL_CHURN]:
            close = True
            cnt[C_CHURN] += 1.0
        if not close and holistic:
            close = True
            cnt[C_HOLISTIC] += 1.0
        if not close and episode[i] >= max_ep:
            close = True
            cnt[C_EPISODE_LIMIT] += 1.0
        if not close:
            engaged = 0.5 * trust[i] + 0.5 * bond[i]
            if u[i, 1] < prm[P_DISENGAGE] * (1.0 - engaged):
                close = True
                cnt[C_DROPOUTS] += 1.0
        if not close:
            continue
        b = band[i]
        dishonest = 1.0 - pol[p, POL_HONESTY]
        reported = met
        counted = True
        if not met:
            if dishonest > 0.0 and u[i, 2] < dishonest * (1.0 - np.exp(-game_hours[i] / prm[P_GAMING_SCALE])):
                reported = True
                cnt[C_MISREPORTS] += 1.0
                pcnt[p, PC_MISREPORTS] += 1.0
                false_claims[p] += price[p, b]
            elif u[i, 3] < pol[p, POL_EXCLUDE]:
                counted = False
                cnt[C_EXCLUSIONS] += 1.0
                pcnt[p, PC_EXCLUSIONS] += 1.0
        wb = 1.0 - s / d
        real = wb - intake_wellbeing[i]
        cnt[C_DISCHARGES] += 1.0
        pcnt[p, PC_CLOSES] += 1.0
        bcnt[p, b, B_CLOSES] += 1.0
        bcnt[p, b, B_WEEKS] += episode[i]
        if met:
            cnt[C_TRUE_SUCCESS] += 1.0
            pcnt[p, PC_TRUE_SUCC] += 1.0
            bcnt[p, b, B_TRUE_SUCC] += 1.0
        if counted:
            cnt[C_COUNTED] += 1.0
            pcnt[p, PC_COUNTED] += 1.0
            if reported:
                cnt[C_REP_SUCCESS] += 1.0
                pcnt[p, PC_REP_SUCC] += 1.0
                bcnt[p, b, B_REP_SUCC] += 1.0
                claims[p] += price[p, b]
        # what learning can read: the case note against the person's real change. A worker who knows
        # the person (the bond) writes down what changed; one who does not writes what the indicator
        # says, a success as a real change (system.py reads the correlation)
        r = 1.0 if (reported and counted) else 0.0
        note = bond[i] * real + (1.0 - bond[i]) * r * prm[P_REAL_CHANGE]
        pcnt[p, PC_N_LEARN] += 1.0
        lcnt[p, priority[i]] += 1.0
        # how much of the measured change in the contracted domain the provider's own help caused
        change = intake_need_dc[i] - need[i, dc]
        cnt[C_ATTRIB_HELP] += help_dc[i]
        cnt[C_ATTRIB_OTHER] += abs(change - help_dc[i])
        pcnt[p, PC_REAL_SUM] += real
        pcnt[p, PC_REAL_SQ] += real * real
        pcnt[p, PC_NOTE_SUM] += note
        pcnt[p, PC_NOTE_SQ] += note * note
        pcnt[p, PC_NOTE_REAL_SUM] += note * real
        if top > prm[P_UNRESOLVED_TOP]:
            unresolved[i] = int(prm[P_UNRESOLVED_WINDOW])
            cnt[C_UNRESOLVED] += 1.0
        else:
            unresolved[i] = 0
        tc = prm[P_DISCHARGE_TRUST]
        if real > 0.0:
            trust[i] += tc * (1.0 - trust[i])
        else:
            trust[i] = max(0.0, trust[i] - tc)
        followup[i] = int(prm[P_FOLLOWUP_WEEKS])
        followup_domain[i] = dc
        followup_wellbeing[i] = intake_wellbeing[i]
        w_caseload[worker[i]] -= 1
        status[i] = COMMUNITY
        provider[i] = -1
        worker[i] = -1
        bond[i] = 0.0
        game_hours[i] = 0.0


@njit(cache=True, nogil=True)
def followups(ppl, prm, cnt):
    """`followup_weeks` after discharge: did the person's life really improve, and did it hold?"""
    need = ppl.need
    followup = ppl.followup
    followup_domain = ppl.followup_domain
    followup_wellbeing = ppl.followup_wellbeing
    n, d = need.shape
    thr = prm[P_OUTCOME_THR]
    decay = prm[P_DEPENDENCE_DECAY]
    fade = 1.0 - 0.5 ** (1.0 / 26.0)  # contacts count with a half-life of half a year (a record, not a rule)
    for i in range(n):
        ppl.dependence[i] -= decay * ppl.dependence[i]
        ppl.contacts[i] -= fade * ppl.contacts[i]
        if followup[i] < 0:
            continue
        followup[i] -= 1
        if followup[i] > 0:
            continue
        followup[i] = -1
        s = 0.0
        for k in range(d):
            s += need[i, k]
        real = (1.0 - s / d) - followup_wellbeing[i]
        cnt[C_FOLLOWUPS] += 1.0
        if real > prm[P_REAL_CHANGE]:
            cnt[C_REAL_IMPROVED] += 1.0
        elif real < -prm[P_REAL_CHANGE]:
            cnt[C_REAL_WORSENED] += 1.0
        cnt[C_SUST_CHECKS] += 1.0
        if need[i, followup_domain[i]] < thr:
            cnt[C_SUST_OK] += 1.0
