"""Life systems: needs move by spill-over, shocks and recovery; crises happen above thresholds."""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.layout import (
    C_CRISES,
    P_CRISIS_PROB,
    P_CRISIS_THR,
    P_PRIORITY_SHIFT,
    P_RECOVERY,
    P_SHOCK_RATE,
    P_SHOCK_SIZE,
    P_SPILL,
)

STRENGTH_RATE = 0.003  # strengths build when need is low and erode when it is high (001 L337-341)
EFFICACY_PULL = 0.01  # self-efficacy drifts back to a middle level without services
TRUST_PULL = 0.005  # general trust in services drifts back slowly (002 L830: slow to build)
CRISIS_TRUST_LOSS = 0.05


@njit(cache=True, nogil=True)
def life_step(life, u, prm, cnt):
    """One week of every life: spill-over through the personal coupling, recovery, shocks, crises.

    u[i] holds five uniforms per person: shock, shock domain, shock size, priority shift, crisis.
    The spill-over sums run over the source domain j in the outer loop so that the inner loop
    walks a contiguous row of the coupling matrix (it vectorises); each domain's sum still adds
    its terms in the order j = 0..d-1, so results are bit-identical to the textbook loop.
    """
    need = life.need
    strength = life.strength
    coupling = life.coupling
    priority = life.priority
    trust = life.trust
    efficacy = life.efficacy
    crisis_now = life.crisis_now
    unresolved = life.unresolved
    n, d = need.shape
    spill = prm[P_SPILL]
    rec = prm[P_RECOVERY]
    thr = prm[P_CRISIS_THR]
    old = np.empty(d)
    inflow = np.empty(d)
    crises = 0.0
    for i in range(n):
        for k in range(d):
            old[k] = need[i, k]
            inflow[k] = 0.0
        for j in range(d):
            o = old[j]
            for k in range(d):
                inflow[k] += coupling[i, j, k] * o
        for k in range(d):
            x = old[k] + spill * inflow[k] * (1.0 - old[k]) - rec * strength[i, k] * old[k]
            s = strength[i, k]
            strength[i, k] = s + STRENGTH_RATE * ((1.0 - old[k]) * (1.0 - s) - old[k] * s)
            need[i, k] = min(1.0, max(0.0, x))
        if u[i, 0] < prm[P_SHOCK_RATE]:
            k = min(d - 1, int(u[i, 1] * d))
            mag = -prm[P_SHOCK_SIZE] * np.log(1.0 - u[i, 2])
            need[i, k] = min(1.0, need[i, k] + mag * (1.0 - need[i, k]))
        rate = prm[P_PRIORITY_SHIFT]
        if rate > 0.0 and u[i, 3] < rate:
            v = u[i, 3] / rate
            if v < 0.6:
                best = 0
                for k in range(1, d):
                    if need[i, k] > need[i, best]:
                        best = k
                priority[i] = best
            else:
                priority[i] = min(d - 1, int((v - 0.6) / 0.4 * d))
        top = 0.0
        for k in range(d):
            top = max(top, need[i, k])
        crisis_now[i] = 0
        if top > thr and u[i, 4] < prm[P_CRISIS_PROB]:
            crisis_now[i] = 1
            crises += 1.0
            trust[i] = max(0.0, trust[i] - CRISIS_TRUST_LOSS)
        efficacy[i] += EFFICACY_PULL * (0.5 - efficacy[i])
        trust[i] += TRUST_PULL * (0.5 - trust[i])
        if unresolved[i] > 0:
            unresolved[i] -= 1
    cnt[C_CRISES] += crises


@njit(cache=True, nogil=True)
def wellbeing_stats(need, mask):
    """Mean wellbeing (1 - mean need) over everyone and over the people flagged in mask."""
    n, d = need.shape
    tot = 0.0
    sub = 0.0
    nsub = 0
    for i in range(n):
        s = 0.0
        for k in range(d):
            s += need[i, k]
        w = 1.0 - s / d
        tot += w
        if mask[i]:
            sub += w
            nsub += 1
    return tot / max(n, 1), sub / max(nsub, 1)
