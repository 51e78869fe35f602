"""Doors and intake: people present wherever their need shows, and providers assess, refer or refuse.

Signals of need appear at many services (001 L1446; 002 L4342), so the door a person reaches is
drawn in proportion to need across the domains that some provider serves, not to the root
problem. At the door the provider applies its eligibility threshold (002 L275, L684), may refer
the person on (by need, or to pass on a costly case), and may cream-skim on the observed
difficulty band (brief s.4).
"""

from __future__ import annotations

from numba import njit

from hls_sim.layout import (
    C_ELIGIBLE,
    C_HANDOFFS,
    C_PRESENTATIONS,
    C_REFERRAL_FAIL,
    C_REFERRALS,
    C_REJ_CREAM,
    C_REJ_THRESHOLD,
    C_REPEAT,
    COMMUNITY,
    N_BANDS,
    P_ELIGIBILITY,
    P_HELP_SEEKING,
    PC_INTAKES,
    PC_PRESENTATIONS,
    POL_REFER,
    POL_SELECT,
    WAITING,
)

SEEK_FLOOR = 0.3  # below this top need nobody seeks help
REJECT_TRUST_LOSS = 0.05
REFERRAL_FAIL_TRUST_LOSS = 0.08  # "dockyard tennis" (002 L4176)


@njit(cache=True, nogil=True)
def observed_band(need_row, cxn_i):
    """Difficulty an assessment can see: how many domains are in trouble, and how intertwined
    the person's problems are (history, repeat contacts), each counting half."""
    c = 0
    for k in range(need_row.shape[0]):
        if need_row[k] > 0.5:
            c += 1
    score = 0.5 * min(1.0, c / 4.0) + 0.5 * cxn_i
    return min(N_BANDS - 1, int(score * N_BANDS))


@njit(cache=True, nogil=True)
def present_and_intake(ppl, svc, u, prm, tly):
    """People with unmet need present at a door; the provider takes them on, refers or refuses.

    u[i]: present, door, provider at that door, refer decision, referral success, accept.
    """
    need = ppl.need
    trust = ppl.trust
    status = ppl.status
    provider = ppl.provider
    wait = ppl.wait
    clock_stopped = ppl.clock_stopped
    band = ppl.band
    intake_wellbeing = ppl.intake_wellbeing
    crisis_now = ppl.crisis_now
    unresolved = ppl.unresolved
    handoffs = ppl.handoffs
    episode = ppl.episode
    decile = ppl.decile
    cxn = ppl.cxn
    domain = svc.domain
    dom_prov = svc.dom_prov
    dom_nprov = svc.dom_nprov
    pol = svc.pol
    attract = svc.attract
    stakes = svc.stakes
    ptrust = svc.ptrust
    cnt = tly.cnt
    pcnt = tly.pcnt
    dcnt = tly.dcnt
    n, d = need.shape
    seek = prm[P_HELP_SEEKING]
    elig = prm[P_ELIGIBILITY]
    for i in range(n):
        if status[i] != COMMUNITY:
            continue
        top = 0.0
        total = 0.0
        for k in range(d):
            top = max(top, need[i, k])
            if dom_nprov[k] > 0:
                total += need[i, k] * need[i, k]
        prob = seek * max(0.0, top - SEEK_FLOOR) / (1.0 - SEEK_FLOOR) * (0.5 + trust[i])
        if crisis_now[i] == 1:
            prob = max(prob, 0.5)
        if u[i, 0] >= prob or total <= 0.0:
            continue
        cnt[C_PRESENTATIONS] += 1.0
        if unresolved[i] > 0:
            cnt[C_REPEAT] += 1.0
        # the door reached: a served domain, drawn in proportion to need squared
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
        b = observed_band(need[i], cxn[i])
        hops = 0
        while True:
            pcnt[p, PC_INTAKES] += 1.0
            pcnt[p, PC_PRESENTATIONS] += 1.0
            dc = domain[p]
            if hops == 0 and best != dc:
                # refer by need, or pass on a costly case while holding paying ones
                r = pol[p, POL_REFER] + stakes[p] * (0.5 - attract[p, b])
                if u[i, 3] < r:
                    q = dom_prov[best, min(dom_nprov[best] - 1, int(u[i, 2] * dom_nprov[best]))]
                    cnt[C_REFERRALS] += 1.0
                    cnt[C_HANDOFFS] += 1.0
                    handoffs[i] += 1
                    if u[i, 4] >= 0.4 + 0.6 * ptrust[p, q]:
                        cnt[C_REFERRAL_FAIL] += 1.0
                        trust[i] = max(0.0, trust[i] - REFERRAL_FAIL_TRUST_LOSS)
                        break
                    p = q
                    hops = 1
                    continue
            if need[i, dc] < elig:
                cnt[C_REJ_THRESHOLD] += 1.0
                trust[i] = max(0.0, trust[i] - REJECT_TRUST_LOSS)
                break
            cnt[C_ELIGIBLE] += 1.0
            dcnt[decile[i], 0] += 1.0
            if u[i, 5] >= 1.0 - pol[p, POL_SELECT] * (1.0 - attract[p, b]):
                cnt[C_REJ_CREAM] += 1.0
                trust[i] = max(0.0, trust[i] - REJECT_TRUST_LOSS)
                break
            dcnt[decile[i], 1] += 1.0
            status[i] = WAITING
            provider[i] = p
            wait[i] = 0
            clock_stopped[i] = 0
            episode[i] = 0
            band[i] = b
            s = 0.0
            for k in range(d):
                s += need[i, k]
            intake_wellbeing[i] = 1.0 - s / d
            break
