"""Waiting lists: who is taken on next, and how the clock of a time-to-service target bends it.

Without a target, providers triage by need in their domain and by time waited. With a target,
a provider that puts weight on the clock (`clock_priority`, set by what a start inside the target
is worth under the contract) takes people about to breach first and lets those already past it
wait: the threshold effect on time to service (brief s.4). A provider whose records are not
honest may also stop the clock with a token contact, which is misreporting.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.kernels.readout import staff_by_provider
from hls_sim.layout import (
    ACTIVE,
    C_CLOCK_STOPS,
    C_STARTS,
    C_STARTS_TARGET_REP,
    C_STARTS_TARGET_TRUE,
    C_WAIT_DROPOUTS,
    COMMUNITY,
    IN_SERVICE,
    P_NEW_BOND,
    P_QUEUE_WAIT_FULL,
    P_WAIT_ACTIVE,
    P_WAIT_DROP_BASE,
    P_WAIT_DROP_DISTRUST,
    P_WAIT_DROP_TRUST_LOSS,
    P_WAIT_EFFICACY,
    P_WAIT_TARGET,
    PC_STARTS,
    PC_STARTS_T_REP,
    PC_STARTS_T_TRUE,
    POL_CLOCK,
    POL_HONESTY,
    PR_CAP,
    WAITING,
)


@njit(cache=True, nogil=True)
def _ahead(score, a, b):
    """Queue order: the lower score first, ties to the earlier list position (a stable sort's order)."""
    return score[a] < score[b] or (score[a] == score[b] and a < b)


@njit(cache=True, nogil=True)
def _sift_down_max(heap, size, pos, score):
    while True:
        child = 2 * pos + 1
        if child >= size:
            return
        if child + 1 < size and _ahead(score, heap[child], heap[child + 1]):
            child += 1
        if not _ahead(score, heap[pos], heap[child]):
            return
        heap[pos], heap[child] = heap[child], heap[pos]
        pos = child


@njit(cache=True, nogil=True)
def first_in_queue(score, k):
    """The first k positions of the stable ascending order of score.

    Only as many people as there are free places can start in a week, usually a small part of
    a long list, so a bounded heap keeps the k best (O(m log k)) instead of sorting all m.
    """
    m = score.shape[0]
    k = min(k, m)
    heap = np.empty(k, np.int64)  # max-heap under _ahead: the root is the last of the k kept
    size = 0
    for j in range(m):
        if size < k:
            heap[size] = j
            pos = size
            size += 1
            while pos > 0:
                parent = (pos - 1) // 2
                if not _ahead(score, heap[parent], heap[pos]):
                    break
                heap[parent], heap[pos] = heap[pos], heap[parent]
                pos = parent
        elif k > 0 and _ahead(score, j, heap[0]):
            heap[0] = j
            _sift_down_max(heap, size, 0, score)
    for end in range(size - 1, 0, -1):  # heapsort: the kept positions in queue order
        heap[0], heap[end] = heap[end], heap[0]
        _sift_down_max(heap, end, 0, score)
    return heap


@njit(cache=True, nogil=True)
def _most_free_first(staff, free, cap):
    """Staff by free places, most first, ties in list order: a counting sort (0 <= free <= cap)."""
    start = np.zeros(cap + 2, np.int64)
    for j in range(staff.shape[0]):
        start[cap - free[staff[j]] + 1] += 1
    for f in range(cap + 1):
        start[f + 1] += start[f]
    out = np.empty_like(staff)
    for j in range(staff.shape[0]):
        key = cap - free[staff[j]]
        out[start[key]] = staff[j]
        start[key] += 1
    return out


@njit(cache=True, nogil=True)
def allocate(ppl, stf, svc, u, prm, tly, queue_idx, queue_score):
    """Fill free caseload places from each provider's waiting list, then age the list.

    A start copies the column of the person's coupling that drives the service's domain into
    service_coupling[i] (contiguous), which the weekly help reads for the rest of the episode.
    u[i]: waiting drop-out, clock stop. queue_idx, queue_score: scratch of one entry per person,
    so that no week allocates arrays the size of the waiting lists.
    """
    need = ppl.need
    trust = ppl.trust
    status = ppl.status
    provider = ppl.provider
    wait = ppl.wait
    clock_stopped = ppl.clock_stopped
    w_status = stf.status
    w_caseload = stf.caseload
    domain = svc.domain
    cnt = tly.cnt
    pcnt = tly.pcnt
    wait_hist = tly.wait_hist
    wait_hist_rep = tly.wait_hist_rep
    n = status.shape[0]
    n_prov = domain.shape[0]
    target = int(prm[P_WAIT_TARGET])
    use_target = prm[P_WAIT_ACTIVE] > 0.0 and target > 0
    nw = w_status.shape[0]
    free = np.zeros(nw, np.int64)
    for w in range(nw):
        if w_status[w] == ACTIVE:
            free[w] = max(0, int(svc.practice[stf.provider[w], PR_CAP]) - w_caseload[w])
    wlist, wstart = staff_by_provider(w_status, stf.provider, n_prov, ACTIVE)
    counts = np.zeros(n_prov, np.int64)
    for i in range(n):
        if status[i] == WAITING:
            counts[provider[i]] += 1
    starts = np.zeros(n_prov + 1, np.int64)
    for p in range(n_prov):
        starts[p + 1] = starts[p] + counts[p]
    idx = queue_idx[: starts[n_prov]]
    fill = starts[:n_prov].copy()
    for i in range(n):
        if status[i] == WAITING:
            p = provider[i]
            idx[fill[p]] = i
            fill[p] += 1
    nh = wait_hist.shape[0]
    for p in range(n_prov):
        m = counts[p]
        if m == 0:
            continue
        members = idx[starts[p] : starts[p + 1]]
        cp = svc.pol[p, POL_CLOCK] if use_target else 0.0
        full = prm[P_QUEUE_WAIT_FULL]
        score = queue_score[starts[p] : starts[p + 1]]
        for j in range(m):
            i = members[j]
            base = 0.5 * need[i, domain[p]] + 0.5 * min(wait[i] / full, 1.0)
            urgency = 0.0
            if use_target and clock_stopped[i] == 0 and wait[i] <= target:
                urgency = 1.0 + wait[i] / target
            score[j] = -((1.0 - cp) * base + cp * urgency)
        staff = wlist[wstart[p] : wstart[p + 1]]
        ns = staff.shape[0]
        places = 0
        for j in range(ns):
            places += free[staff[j]]
        # each of the first `places` people in the queue starts; the next finds no free place
        order = first_in_queue(score, places)
        # the least-loaded colleague first, then round robin over staff with a free place
        staff = _most_free_first(staff, free, int(svc.practice[p, PR_CAP]))
        ptr = 0
        for j in range(order.shape[0]):
            i = members[order[j]]
            best = -1
            for _ in range(ns):
                w = staff[ptr]
                ptr = (ptr + 1) % ns
                if free[w] > 0:
                    best = w
                    break
            if best < 0:
                break
            free[best] -= 1
            w_caseload[best] += 1
            status[i] = IN_SERVICE
            ppl.worker[i] = best
            ppl.episode[i] = 0
            ppl.bond[i] = prm[P_NEW_BOND]
            ppl.game_hours[i] = 0.0
            ppl.help_dc[i] = 0.0
            ppl.intake_need_dc[i] = need[i, domain[p]]
            for k in range(ppl.coupling.shape[1]):
                ppl.service_coupling[i, k] = ppl.coupling[i, k, domain[p]]
            cnt[C_STARTS] += 1.0
            pcnt[p, PC_STARTS] += 1.0
            wait_hist[min(int(wait[i]), nh - 1)] += 1.0
            rep_wait = wait[i]
            if clock_stopped[i] == 1 and use_target:
                rep_wait = min(rep_wait, target)
            wait_hist_rep[min(int(rep_wait), nh - 1)] += 1.0
            if use_target:
                if wait[i] <= target:
                    cnt[C_STARTS_TARGET_TRUE] += 1.0
                    pcnt[p, PC_STARTS_T_TRUE] += 1.0
                if rep_wait <= target:
                    cnt[C_STARTS_TARGET_REP] += 1.0
                    pcnt[p, PC_STARTS_T_REP] += 1.0
    for i in range(n):
        if status[i] != WAITING:
            continue
        wait[i] = min(wait[i] + 1, 32000)
        ppl.efficacy[i] = max(0.0, ppl.efficacy[i] - prm[P_WAIT_EFFICACY])  # waiting wears people down
        if u[i, 0] < prm[P_WAIT_DROP_BASE] + prm[P_WAIT_DROP_DISTRUST] * (1.0 - trust[i]):
            status[i] = COMMUNITY
            provider[i] = -1
            trust[i] = max(0.0, trust[i] - prm[P_WAIT_DROP_TRUST_LOSS])
            cnt[C_WAIT_DROPOUTS] += 1.0
            continue
        p = provider[i]
        stop = use_target and wait[i] == target and clock_stopped[i] == 0
        if stop and u[i, 1] < 1.0 - svc.pol[p, POL_HONESTY]:
            clock_stopped[i] = 1
            cnt[C_CLOCK_STOPS] += 1.0
