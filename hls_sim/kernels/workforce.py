"""The workforce: morale, crowding-out of intrinsic motivation, burnout, quits and hires.

Morale rises with the real improvement a worker sees and with discretion, and falls with admin
load, pressure, the gap between what they see is needed and what they may do, and burnout
(001 L232-375; 002 L700-758, L4967). Control crowds out intrinsic motivation slowly
(002 L6588-6590; Falk & Kosfeld 2006). Quits rise as morale falls; a leaver's cases pass to
colleagues and the relationship starts again (002 L716-735).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.kernels.readout import staff_by_provider
from hls_sim.layout import (
    ACTIVE,
    C_BROKEN,
    C_HIRES,
    C_QUITS,
    HIRING,
    IN_SERVICE,
    P_AUTONOMY,
    P_BASE_TURNOVER,
    P_BURNOUT_OVERLOAD,
    P_BURNOUT_PRESSURE,
    P_BURNOUT_RECOVERY,
    P_CASE_HOURS,
    P_CHANGE_STRAIN,
    P_CONTROL_ADMIN,
    P_CONTROL_DISCRETION,
    P_CONTROL_PRESSURE,
    P_CROWDING,
    P_HIRE_MOTIVATION,
    P_HIRE_RSKILL,
    P_HIRE_SKILL,
    P_HOURS,
    P_LEARNING_SHARE,
    P_MORALE_ADMIN,
    P_MORALE_BASE,
    P_MORALE_BURNOUT,
    P_MORALE_DISC,
    P_MORALE_GAP,
    P_MORALE_PRESSURE,
    P_MORALE_RATE,
    P_MORALE_SEEN,
    P_MOTIVATION0,
    P_MOTIVATION_RATE,
    P_NEW_BOND,
    P_PROTOCOL_SKILL,
    P_QUIT_BURNOUT,
    P_QUIT_MORALE,
    P_RSKILL0,
    P_RSKILL_PRACTICE,
    P_SEEN_SCALE,
    P_SKILL_PRACTICE,
    P_SUPERVISION,
    P_VACANCY_WEEKS,
    PR_DISC,
    VACANT,
)


@njit(cache=True, nogil=True)
def workforce_step(stf, ppl, svc, u, prm, cnt):
    """Update every worker, process quits and vacancies; u[w]: quit, then three new-hire draws."""
    w_status = stf.status
    w_provider = stf.provider
    w_vacancy = stf.vacancy_left
    w_motivation = stf.motivation
    w_motivation0 = stf.motivation0
    w_rskill = stf.rskill
    w_skill = stf.skill
    w_morale = stf.morale
    w_burnout = stf.burnout
    w_tenure = stf.tenure
    w_caseload = stf.caseload
    w_pressure = stf.pressure
    w_intake_hours = stf.intake_hours
    w_h_admin = stf.h_admin
    w_misfit_sum = stf.misfit_sum
    w_seen = stf.seen
    funded = svc.funded
    nw = w_status.shape[0]
    n_prov = funded.shape[0]
    hours = prm[P_HOURS]
    learn = prm[P_LEARNING_SHARE] * hours
    weekly_base = prm[P_BASE_TURNOVER] / 52.0
    staff = np.zeros(n_prov, np.int64)
    for w in range(nw):
        if w_status[w] != VACANT:
            staff[w_provider[w]] += 1
    quit_any = False
    for w in range(nw):
        if w_status[w] == HIRING:
            w_vacancy[w] -= 1
            if w_vacancy[w] <= 0:
                m0 = min(1.0, max(0.05, prm[P_MOTIVATION0] + prm[P_HIRE_MOTIVATION] * (u[w, 1] - 0.5)))
                w_status[w] = ACTIVE
                w_motivation[w] = m0
                w_motivation0[w] = m0
                w_rskill[w] = min(1.0, max(0.05, prm[P_RSKILL0] + prm[P_HIRE_RSKILL] * (u[w, 2] - 0.5)))
                w_skill[w] = min(1.0, max(0.05, prm[P_PROTOCOL_SKILL] + prm[P_HIRE_SKILL] * (u[w, 3] - 0.5)))
                w_morale[w] = 0.6
                w_burnout[w] = 0.0
                w_tenure[w] = 0
                w_caseload[w] = 0
                cnt[C_HIRES] += 1.0
            continue
        if w_status[w] != ACTIVE:
            continue
        w_tenure[w] += 1
        disc = svc.practice[w_provider[w], PR_DISC]
        # skills are learned on the job, by practice, faster with reflective supervision
        learning = 1.0 + (prm[P_SUPERVISION] if prm[P_LEARNING_SHARE] > 0.0 else 0.0)
        w_skill[w] += prm[P_SKILL_PRACTICE] * learning * (stf.h_prot[w] / hours) * (1.0 - w_skill[w])
        w_rskill[w] += prm[P_RSKILL_PRACTICE] * learning * (stf.h_rel[w] / hours) * (1.0 - w_rskill[w])
        cl = w_caseload[w]
        demanded = w_h_admin[w] + w_intake_hours[w] + learn + prm[P_CASE_HOURS] * cl
        overload = max(0.0, demanded - hours) / hours
        admin_share = min(1.0, (w_h_admin[w] + w_intake_hours[w]) / hours)
        pi = w_pressure[w]
        control = (
            prm[P_CONTROL_PRESSURE] * pi + prm[P_CONTROL_ADMIN] * admin_share + prm[P_CONTROL_DISCRETION] * (1.0 - disc)
        )
        m0 = w_motivation0[w]
        control = min(1.0, control)  # control is a share: full control at most
        target_m = m0 * (1.0 - prm[P_CROWDING] * control) + prm[P_AUTONOMY] * disc * (1.0 - m0)
        w_motivation[w] += prm[P_MOTIVATION_RATE] * (target_m - w_motivation[w])
        gap = (1.0 - disc) * (w_misfit_sum[w] / cl if cl > 0 else 0.0)
        seen = min(1.0, w_seen[w] / (prm[P_SEEN_SCALE] * (cl + 1.0)))
        target = (
            prm[P_MORALE_BASE]
            + prm[P_MORALE_SEEN] * seen
            + prm[P_MORALE_DISC] * disc
            - prm[P_MORALE_ADMIN] * admin_share
            - prm[P_MORALE_PRESSURE] * pi
            - prm[P_MORALE_GAP] * gap
            - prm[P_MORALE_BURNOUT] * w_burnout[w]
        )
        target = min(1.0, max(0.0, target - prm[P_CHANGE_STRAIN]))
        w_morale[w] += prm[P_MORALE_RATE] * (target - w_morale[w])
        b = w_burnout[w]
        b += prm[P_BURNOUT_OVERLOAD] * overload + prm[P_BURNOUT_PRESSURE] * pi
        b -= prm[P_BURNOUT_RECOVERY] * w_burnout[w] * (1.0 - overload)
        w_burnout[w] = min(1.0, max(0.0, b))
        q = (
            weekly_base * (1.0 + prm[P_QUIT_MORALE] * (1.0 - w_morale[w]) ** 2)
            + prm[P_QUIT_BURNOUT] * w_burnout[w] ** 2
        )
        if u[w, 0] < q:
            cnt[C_QUITS] += 1.0
            quit_any = True
            p = w_provider[w]
            if staff[p] <= funded[p]:
                w_status[w] = HIRING
                w_vacancy[w] = int(prm[P_VACANCY_WEEKS])
                if w_vacancy[w] <= 0:
                    w_vacancy[w] = 1
            else:
                w_status[w] = VACANT
                staff[p] -= 1
    if quit_any:
        reassign_orphans(stf, ppl, prm, cnt)


@njit(cache=True, nogil=True)
def _lighter(w_caseload, a, b):
    """Who takes an orphaned case first: the smaller caseload, then the lower post index."""
    return w_caseload[a] < w_caseload[b] or (w_caseload[a] == w_caseload[b] and a < b)


@njit(cache=True, nogil=True)
def _sift_down(heap, lo, size, pos, w_caseload):
    while True:
        child = 2 * pos + 1
        if child >= size:
            return
        if child + 1 < size and _lighter(w_caseload, heap[lo + child + 1], heap[lo + child]):
            child += 1
        if not _lighter(w_caseload, heap[lo + child], heap[lo + pos]):
            return
        heap[lo + pos], heap[lo + child] = heap[lo + child], heap[lo + pos]
        pos = child


@njit(cache=True, nogil=True)
def reassign_orphans(stf, ppl, prm, cnt):
    """Cases of workers who left pass to the least-loaded colleague; the relationship restarts.

    "Least loaded" means the smallest caseload, ties to the lowest post index. One min-heap of
    active colleagues per provider finds that colleague in log time, so a week with many quits
    costs (orphans x log staff), not (orphans x all workers) as a scan per orphan would.
    """
    w_status = stf.status
    w_provider = stf.provider
    w_caseload = stf.caseload
    status = ppl.status
    worker = ppl.worker
    provider = ppl.provider
    bond = ppl.bond
    n = status.shape[0]
    nw = w_status.shape[0]
    n_prov = 0
    for v in range(nw):
        if w_status[v] == ACTIVE:
            n_prov = max(n_prov, w_provider[v] + 1)
    heap = np.empty(0, np.int64)
    start = np.zeros(n_prov + 1, np.int64)
    built = False
    for i in range(n):
        if status[i] != IN_SERVICE:
            continue
        w = worker[i]
        if w_status[w] == ACTIVE:
            continue
        if not built:
            heap, start = _colleague_heaps(w_status, w_provider, w_caseload, n_prov)
            built = True
        p = provider[i]
        best = -1
        if p < n_prov and start[p + 1] > start[p]:
            best = heap[start[p]]
        w_caseload[w] -= 1
        bond[i] = prm[P_NEW_BOND]
        cnt[C_BROKEN] += 1.0
        if best < 0:
            status[i] = 1  # back to the waiting list of the same provider
            worker[i] = -1
        else:
            worker[i] = best
            w_caseload[best] += 1
            _sift_down(heap, start[p], start[p + 1] - start[p], 0, w_caseload)


@njit(cache=True, nogil=True)
def _colleague_heaps(w_status, w_provider, w_caseload, n_prov):
    """Active posts grouped by provider (offsets in start), each group heap-ordered by _lighter."""
    heap, start = staff_by_provider(w_status, w_provider, n_prov, ACTIVE)
    for p in range(n_prov):
        size = start[p + 1] - start[p]
        for pos in range(size // 2 - 1, -1, -1):
            _sift_down(heap, start[p], size, pos, w_caseload)
    return heap, start
