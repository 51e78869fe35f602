"""Weekly read-outs over the whole population that numpy would do with a temporary array."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def count_values(codes, n_codes):
    """How many entries take each code 0..n_codes-1 (np.bincount without the int64 copy of the input)."""
    out = np.zeros(n_codes, np.int64)
    for i in range(codes.shape[0]):
        out[codes[i]] += 1
    return out


@njit(cache=True, nogil=True)
def staff_by_provider(w_status, w_provider, n_prov, active):
    """Active posts grouped by provider in index order: posts[start[p]:start[p + 1]] belong to p."""
    nw = w_status.shape[0]
    start = np.zeros(n_prov + 1, np.int64)
    for v in range(nw):
        if w_status[v] == active:
            start[w_provider[v] + 1] += 1
    for p in range(n_prov):
        start[p + 1] += start[p]
    posts = np.empty(start[n_prov], np.int64)
    fill = start[:n_prov].copy()
    for v in range(nw):
        if w_status[v] == active:
            posts[fill[w_provider[v]]] = v
            fill[w_provider[v]] += 1
    return posts, start


@njit(cache=True, nogil=True)
def weekly_means(status, trust, bond, handoffs, w_status, morale, motivation, burnout, in_service, active):
    """One pass for the recorder's population and workforce means (sequential sums, no masks).

    Returns trust mean, relationship mean over people in service, hand-offs per person, active
    workers, and their mean morale, motivation and burnout (0 when there are none).
    """
    n = status.shape[0]
    t_sum = 0.0
    h_sum = 0.0
    b_sum = 0.0
    n_serv = 0
    for i in range(n):
        t_sum += trust[i]
        h_sum += handoffs[i]
        if status[i] == in_service:
            b_sum += bond[i]
            n_serv += 1
    n_act = 0
    mo = 0.0
    mv = 0.0
    bu = 0.0
    for w in range(w_status.shape[0]):
        if w_status[w] == active:
            n_act += 1
            mo += morale[w]
            mv += motivation[w]
            bu += burnout[w]
    out = np.zeros(7)
    out[0] = t_sum / max(n, 1)
    out[1] = b_sum / n_serv if n_serv > 0 else 0.0
    out[2] = h_sum / max(n, 1)
    out[3] = n_act
    if n_act > 0:
        out[4] = mo / n_act
        out[5] = mv / n_act
        out[6] = bu / n_act
    return out
