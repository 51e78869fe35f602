"""Scenario discovery: PRIM (Friedman & Fisher 1999), as exploratory modellers use it.

Given the parameter sets and, for each, whether an event happened (say "B beat A on cost"), PRIM
looks for a box, a few ranges on a few parameters, inside which the event is common (density)
and which holds most of the sets where it happened (coverage). It peels: at each step it removes
a thin slice (`peel_alpha` of the sets still in the box) from the low or high end of one
parameter, choosing the slice whose removal leaves the highest density, until too few sets are
left. Every step is a candidate box; `find_box` takes the one with the most coverage among those
dense enough, then drops any restriction that adds nothing (with few sets, peeling often trims a
parameter that does not matter), and gives each remaining restriction a quasi-p-value (Bryant &
Lempert 2010): the chance of at least as many events in the box if that restriction were lifted.

Written for this project from the published algorithm; no code from any other implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

PEEL_ALPHA = 0.05
MASS_MIN = 0.05
MIN_POINTS = 5  # a box of fewer sets says nothing, whatever its density
DENSITY = 0.8  # the density a box must reach (and at least half-way from the base rate to 1)


@dataclass
class Box:
    """Ranges on the restricted columns (None where a side is open) and how good the box is."""

    limits: dict[int, tuple[float | None, float | None]]
    n: int
    hits: int
    coverage: float
    density: float
    mass: float
    p_values: dict[int, float] = field(default_factory=dict)


def _inside(X: np.ndarray, limits: dict[int, tuple[float | None, float | None]]) -> np.ndarray:
    mask = np.ones(X.shape[0], dtype=bool)
    for j, (lo, hi) in limits.items():
        if lo is not None:
            mask &= X[:, j] >= lo
        if hi is not None:
            mask &= X[:, j] <= hi
    return mask


def _box(X: np.ndarray, y: np.ndarray, limits: dict[int, tuple[float | None, float | None]]) -> Box:
    mask = _inside(X, limits)
    n, hits, total = int(mask.sum()), int(y[mask].sum()), int(y.sum())
    return Box(
        {j: v for j, v in limits.items() if v != (None, None)},
        n,
        hits,
        hits / total if total else 0.0,
        hits / n if n else 0.0,
        n / X.shape[0],
    )


def _peels(X: np.ndarray, mask: np.ndarray, j: int, alpha: float) -> list[tuple[str, float]]:
    """The low and the high peel of column j: the new bound, removing at least alpha of the box
    (all sets that share the cut value go together, so ties never split)."""
    values = np.sort(X[mask, j])
    n = values.size
    k = max(1, math.ceil(alpha * n))
    out: list[tuple[str, float]] = []
    above = values[values > values[k - 1]]
    if above.size:
        out.append(("lo", float(above[0])))
    below = values[values < values[n - k]]
    if below.size:
        out.append(("hi", float(below[-1])))
    return out


def peel(X: np.ndarray, y: np.ndarray, *, alpha: float = PEEL_ALPHA, min_points: int = MIN_POINTS) -> list[Box]:
    """The peeling trajectory, from the whole space to the smallest box allowed."""
    limits: dict[int, tuple[float | None, float | None]] = {}
    trajectory = [_box(X, y, limits)]
    while True:
        mask = _inside(X, limits)
        best: tuple[float, int, int, str, float] | None = None
        for j in range(X.shape[1]):
            for side, bound in _peels(X, mask, j, alpha):
                lo, hi = limits.get(j, (None, None))
                trial = dict(limits)
                trial[j] = (bound, hi) if side == "lo" else (lo, bound)
                inside = mask & _inside(X, {j: trial[j]})
                n = int(inside.sum())
                if n < min_points:
                    continue
                key = (float(y[inside].mean()), n, -j, side, bound)  # densest, then keep the most sets
                if best is None or key > best:
                    best = key
        if best is None:
            return trajectory
        _, _, negj, side, bound = best
        j = -negj
        lo, hi = limits.get(j, (None, None))
        limits = {**limits, j: (bound, hi) if side == "lo" else (lo, bound)}
        trajectory.append(_box(X, y, limits))


def find_box(
    X: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = PEEL_ALPHA,
    mass_min: float = MASS_MIN,
    density: float = DENSITY,
) -> tuple[Box | None, list[Box]]:
    """The chosen box (None when no box is dense enough) and the whole peeling trajectory."""
    y = np.asarray(y, dtype=bool)
    n = X.shape[0]
    min_points = max(MIN_POINTS, math.ceil(mass_min * n))
    if n < min_points or y.sum() == 0:
        return None, []
    trajectory = peel(X, y, alpha=alpha, min_points=min_points)
    base = float(y.mean())
    need = max(density, base + (1.0 - base) / 2.0)
    dense = [b for b in trajectory[1:] if b.density >= need - 1e-12]
    if not dense:
        return None, trajectory
    chosen = max(dense, key=lambda b: (b.coverage, b.density, -len(b.limits)))
    box = _prune(X, y, chosen)
    box.p_values = {j: _quasi_p(X, y, box, j) for j in box.limits}
    return box, trajectory


def _prune(X: np.ndarray, y: np.ndarray, box: Box) -> Box:
    """Lift every restriction whose removal loses no density (keeping the box's coverage or more)."""
    while box.limits:
        trials = []
        for j in box.limits:
            rest = {k: v for k, v in box.limits.items() if k != j}
            trials.append(_box(X, y, rest))
        best = max(trials, key=lambda b: (b.density, b.coverage))
        if best.density + 1e-12 < box.density:
            break
        box = best
    return box


def _quasi_p(X: np.ndarray, y: np.ndarray, box: Box, j: int) -> float:
    """P(at least box.hits events among box.n sets) at the density the box has without restriction j."""
    rest = _box(X, y, {k: v for k, v in box.limits.items() if k != j})
    return float(stats.binom.sf(box.hits - 1, box.n, rest.density))
