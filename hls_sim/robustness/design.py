"""Where the parameter space is sampled: a screen of elementary effects, then a Latin hypercube.

The screen is Morris's method (1991) with groups (Campolongo, Cariboni & Saltelli 2007). With a
hundred or more uncertain parameters, one-at-a-time trajectories cost more runs than the whole
study (k + 1 points each, both arms at every point), so each trajectory moves the parameters in
G groups, one group per step, and the groups are drawn afresh for every trajectory (as in Andres'
iterated fractional factorial design), so a parameter meets different neighbours each time.
"Ghost" factors, which the model never sees, are dealt into the groups like the real ones. Each
group step gives one signed elementary effect of B - A; with more factors than steps this is a
supersaturated design, read by forward selection with the ghosts as the stopping rule
(`hls_sim.robustness.analysis.screen_scores`): a parameter is carried only while it explains the
effects better than every ghost, whose only link to them is the company it kept.

Coordinates are on the unit cube; `Uncertain.value` maps them to each parameter's range. Every
draw comes from a generator seeded by the study's seed, so the design is a pure function of the
inputs and resume rebuilds exactly the same points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

LEVELS = 4  # Morris's p: the grid 0, 1/3, 2/3, 1
DELTA = LEVELS / (2.0 * (LEVELS - 1))  # the step, 2/3: every factor visits two grid levels Δ apart
SCREEN_STREAM = 1  # SeedSequence spawn keys of the two designs
SETS_STREAM = 2


def design_rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


@dataclass(frozen=True)
class ScreenDesign:
    """`points[t * (groups + 1) + s]` is step s of trajectory t (s = 0 is its start). At step s > 0
    the factors in `moved[t][s - 1]` move by ±Δ: indices below `n_real` are parameters, the rest ghosts."""

    n_real: int
    n_ghosts: int
    trajectories: int
    groups: int
    points: np.ndarray  # (trajectories * (groups + 1), n_real) unit coordinates
    moved: list[list[list[int]]]
    signs: list[np.ndarray]  # per trajectory: +1 or -1, the direction each factor moves
    midpoints: list[np.ndarray]  # per trajectory: the middle of each factor's move (1/3 or 2/3)

    @property
    def n_points(self) -> int:
        return self.points.shape[0]


def screen_design(n_real: int, *, trajectories: int, groups: int, n_ghosts: int, seed: int) -> ScreenDesign:
    """Morris trajectories over random groups; every group holds at least one real parameter."""
    if n_real < 1 or trajectories < 1:
        raise ValueError("a screen needs at least one parameter and one trajectory")
    groups = max(1, min(groups, n_real))
    rng = design_rng(seed, SCREEN_STREAM)
    n = n_real + n_ghosts
    grid = np.arange(LEVELS) / (LEVELS - 1)
    rows: list[np.ndarray] = []
    moved: list[list[list[int]]] = []
    signs: list[np.ndarray] = []
    midpoints: list[np.ndarray] = []
    for _ in range(trajectories):
        x = grid[rng.integers(0, LEVELS, size=n)]
        start = x.copy()
        step = np.where(x + DELTA <= 1.0 + 1e-12, DELTA, -DELTA)
        real = np.array_split(rng.permutation(n_real), groups)
        ghosts = np.array_split(n_real + rng.permutation(n_ghosts), groups) if n_ghosts else [[]] * groups
        members = [sorted(int(i) for i in np.concatenate([r, g])) for r, g in zip(real, ghosts, strict=True)]
        rows.append(x[:n_real].copy())
        for group in members:
            x = x.copy()
            x[group] = x[group] + step[group]
            rows.append(x[:n_real].copy())
        moved.append(members)
        signs.append(np.sign(step))
        midpoints.append(start + step / 2.0)
    points = np.clip(np.vstack(rows), 0.0, 1.0)
    return ScreenDesign(n_real, n_ghosts, trajectories, groups, points, moved, signs, midpoints)


def latin_hypercube(n_dims: int, n_samples: int, *, seed: int) -> np.ndarray:
    """`n_samples` points of a scrambled Latin hypercube in [0, 1]^n_dims, spread by centred discrepancy."""
    rng = design_rng(seed, SETS_STREAM)
    optimization = "random-cd" if n_dims >= 2 else None  # scipy's optimiser needs two dimensions
    return qmc.LatinHypercube(d=n_dims, rng=rng, optimization=optimization).random(n_samples)
