"""Doors and intake: people present wherever their need shows, and providers assess, refer or refuse.

Signals of need appear at many services (001 L1446; 002 L4342), so the door a person reaches is
drawn in proportion to need across the domains that some provider serves, not to the root
problem. At the door the provider applies its eligibility threshold (002 L275, L684), may refer
the person on to where their bigger need lies (more readily the more it trusts that provider),
and may refuse an eligible case of an observed difficulty band its contract makes unattractive
(cream-skimming: `Services.refuse`, set by provider.py from what the contract pays; brief s.4).
"""

from __future__ import annotations

from numba import njit

from hls_sim.layout import (
    C_ELIGIBLE,
    C_GIVE_UPS,
    C_HANDOFFS,
    C_OUTREACH,
    C_PRESENTATIONS,
    C_REFERRAL_FAIL,
    C_REFERRALS,
    C_REJ_CREAM,
    C_REJ_THRESHOLD,
    C_REPEAT,
    COMMUNITY,
    N_BANDS,
    P_BAND_DOMAINS,
    P_BAND_TROUBLE,
    P_CRISIS_SEEK,
    P_DEPENDENCE_SEEKING,
    P_GIVE_UP,
    P_HELP_SEEKING,
    P_OUTREACH_DOMAINS,
    P_OUTREACH_LEVEL,
    P_REFERRAL_BASE,
    P_REFERRAL_FAIL_EFFICACY,
    P_REFERRAL_FAIL_TRUST_LOSS,
    P_REFUSAL_EFFICACY,
    P_REJECT_TRUST_LOSS,
    P_SEEK_FLOOR,
    P_SEEK_TRUST_FLOOR,
    PC_INTAKES,
    PC_PRESENTATIONS,
    POL_REFER,
    PR_ELIG,
    WAITING,
)


@njit(cache=True, nogil=True)
def observed_band(need_row, cxn_i, prm):
    """Difficulty an assessment can see: how many domains are in trouble, and how intertwined
    the person's problems are (history, repeat contacts), each counting half."""
    c = 0
    for k in range(need_row.shape[0]):
        if need_row[k] > prm[P_BAND_TROUBLE]:
            c += 1
    score = 0.5 * min(1.0, c / prm[P_BAND_DOMAINS]) + 0.5 * cxn_i
    return min(N_BANDS - 1, int(score * N_BANDS))


@njit(cache=True, nogil=True)
def _turned_away(ppl, i, u_give_up, prm, cnt):
    """Being turned away costs trust and self-efficacy; some give up seeking help until a crisis."""
    ppl.trust[i] = max(0.0, ppl.trust[i] - prm[P_REJECT_TRUST_LOSS])
    ppl.efficacy[i] = max(0.0, ppl.efficacy[i] - prm[P_REFUSAL_EFFICACY])
    if u_give_up < prm[P_GIVE_UP] * (1.0 - ppl.trust[i]):
        ppl.gave_up[i] = 1
        cnt[C_GIVE_UPS] += 1.0


@njit(cache=True, nogil=True)
def _assess(ppl, svc, i, p, b, u, prm, cnt, pcnt, dcnt):
    """Provider p assesses person i (observed band b): refused at the threshold, cream-skimmed, or waiting."""
    need = ppl.need
    dc = svc.domain[p]
    if need[i, dc] < svc.practice[p, PR_ELIG]:
        cnt[C_REJ_THRESHOLD] += 1.0
        _turned_away(ppl, i, u[i, 6], prm, cnt)
        return
    cnt[C_ELIGIBLE] += 1.0
    dcnt[ppl.decile[i], 0] += 1.0
    if u[i, 5] < svc.refuse[p, b]:
        cnt[C_REJ_CREAM] += 1.0
        _turned_away(ppl, i, u[i, 6], prm, cnt)
        return
    dcnt[ppl.decile[i], 1] += 1.0
    ppl.status[i] = WAITING
    ppl.provider[i] = p
    ppl.wait[i] = 0
    ppl.clock_stopped[i] = 0
    ppl.episode[i] = 0
    ppl.band[i] = b
    s = 0.0
    for k in range(need.shape[1]):
        s += need[i, k]
    ppl.intake_wellbeing[i] = 1.0 - s / need.shape[1]


@njit(cache=True, nogil=True)
def present_and_intake(ppl, svc, u, prm, tly):
    """People with unmet need present at a door; the provider takes them on, refers or refuses.

    u[i]: present, door, provider at that door, refer decision, referral success, accept, give up.
    """
    need = ppl.need
    trust = ppl.trust
    status = ppl.status
    domain = svc.domain
    dom_prov = svc.dom_prov
    dom_nprov = svc.dom_nprov
    cnt = tly.cnt
    pcnt = tly.pcnt
    dcnt = tly.dcnt
    n, d = need.shape
    seek = prm[P_HELP_SEEKING]
    outreach_any = False
    for k in range(d):
        outreach_any = outreach_any or svc.reach_rate[k] > 0.0
    floor = prm[P_SEEK_FLOOR]
    for i in range(n):
        if status[i] != COMMUNITY:
            continue
        top = 0.0
        total = 0.0
        for k in range(d):
            top = max(top, need[i, k])
            if dom_nprov[k] > 0:
                total += need[i, k] * need[i, k]
        prob = seek * max(0.0, top - floor) / (1.0 - floor) * (prm[P_SEEK_TRUST_FLOOR] + trust[i])
        prob *= 1.0 + prm[P_DEPENDENCE_SEEKING] * ppl.dependence[i]  # reliance on services brings people back
        if ppl.gave_up[i] == 1:
            prob = 0.0  # given up on services, until a crisis brings them back
        if ppl.crisis_now[i] == 1:
            prob = max(prob, prm[P_CRISIS_SEEK])
        reach = 0.0
        reach_dom = -1
        if outreach_any:
            # services that take ownership reach out where needs show to them, given up or not
            signals = 0
            for k in range(d):
                if svc.served[k] == 1 and need[i, k] >= prm[P_OUTREACH_LEVEL]:
                    signals += 1
                    # the person's most pressing problem that a team reaching out can see
                    if svc.reach_rate[k] > 0.0 and (reach_dom < 0 or need[i, k] > need[i, reach_dom]):
                        reach_dom = k
            if signals >= prm[P_OUTREACH_DOMAINS] and reach_dom >= 0:
                reach = (
                    svc.reach_rate[reach_dom] * (prm[P_SEEK_TRUST_FLOOR] + trust[i]) / (prm[P_SEEK_TRUST_FLOOR] + 1.0)
                )
        walk_in = u[i, 0] < prob and total > 0.0
        reached = not walk_in and u[i, 0] < reach
        if not walk_in and not reached:
            continue
        cnt[C_PRESENTATIONS] += 1.0
        ppl.contacts[i] += 1.0
        ppl.presented[i] = 1
        if ppl.unresolved[i] > 0:
            cnt[C_REPEAT] += 1.0
        b = observed_band(need[i], ppl.cxn[i], prm)
        if reached:
            # the outreaching provider takes the person on itself: case ownership, no referral
            cnt[C_OUTREACH] += 1.0
            ppl.gave_up[i] = 0
            q = svc.reach_prov[reach_dom]
            pcnt[q, PC_INTAKES] += 1.0
            pcnt[q, PC_PRESENTATIONS] += 1.0
            _assess(ppl, svc, i, q, b, u, prm, cnt, pcnt, dcnt)
            continue
        # the door reached: a walk-in door, drawn in proportion to need squared
        target = u[i, 1] * total
        door = -1
        acc = 0.0
        for k in range(d):
            if dom_nprov[k] > 0:
                acc += need[i, k] * need[i, k]
                door = k
                if acc >= target:
                    break
        p = dom_prov[door, min(dom_nprov[door] - 1, int(u[i, 2] * dom_nprov[door]))]
        # where the person's biggest served need lies
        best = door
        for k in range(d):
            if dom_nprov[k] > 0 and need[i, k] > need[i, best]:
                best = k
        pcnt[p, PC_INTAKES] += 1.0
        pcnt[p, PC_PRESENTATIONS] += 1.0
        if best != domain[p] and u[i, 3] < svc.pol[p, POL_REFER]:
            # refer on to where the bigger need lies; it arrives more often between trusting partners
            q = dom_prov[best, min(dom_nprov[best] - 1, int(u[i, 2] * dom_nprov[best]))]
            cnt[C_REFERRALS] += 1.0
            cnt[C_HANDOFFS] += 1.0
            ppl.handoffs[i] += 1
            base = prm[P_REFERRAL_BASE]
            if u[i, 4] >= base + (1.0 - base) * svc.ptrust[p, q]:
                cnt[C_REFERRAL_FAIL] += 1.0
                tly.refer[p, q, 1] += 1.0  # a let-down between the two organisations (system.py)
                trust[i] = max(0.0, trust[i] - prm[P_REFERRAL_FAIL_TRUST_LOSS])
                ppl.efficacy[i] = max(0.0, ppl.efficacy[i] - prm[P_REFERRAL_FAIL_EFFICACY])
                continue
            tly.refer[p, q, 0] += 1.0
            pcnt[q, PC_INTAKES] += 1.0
            pcnt[q, PC_PRESENTATIONS] += 1.0
            p = q
        _assess(ppl, svc, i, p, b, u, prm, cnt, pcnt, dcnt)
