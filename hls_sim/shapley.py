"""Exact Shapley values over a few players (lever groups), from the value of every coalition.

Why Shapley: moving the levers one group at a time from A to B gives each group a share that
depends on the order it was moved in (giving HLS's admin hours to PbR does not do what it does
to HLS). The Shapley value averages a group's effect over every order, so the shares do not
depend on an arbitrary order, groups that change nothing get exactly zero, swapping A and B
negates every share, and the shares add up to the whole difference v(all) - v(none).

With k players there are 2^k coalitions, coded as bit masks (bit i set: player i takes B's
values). The values may carry a trailing axis (one column per seed), so one call gives the
decomposition on each seed, and intervals over seeds come from those.
"""

from __future__ import annotations

import math

import numpy as np


def weights(k: int) -> np.ndarray:
    """w[s] = s! (k - s - 1)! / k!: the weight of a coalition of size s not holding the player."""
    return np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)])


def shapley(values: np.ndarray) -> np.ndarray:
    """Shapley values of k players from `values[mask, ...]` for all 2^k coalitions; returns shape (k, ...).

    A NaN in any coalition makes every player's value NaN on that column, so the values still add
    up to the total wherever they are defined.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    k = n.bit_length() - 1
    if n != 1 << k:
        raise ValueError(f"expected 2^k coalition values, got {n}")
    if k == 0:
        return np.zeros((0, *values.shape[1:]))
    w = weights(k)
    masks = np.arange(n)
    size = np.array([bin(m).count("1") for m in masks])
    out = np.zeros((k, *values.shape[1:]))
    for i in range(k):
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        marginal = values[without | bit] - values[without]
        out[i] = np.tensordot(w[size[without]], marginal, axes=(0, 0))
    return out
