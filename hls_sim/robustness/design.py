"""Where the parameter space is sampled: Latin hypercubes over every uncertain parameter.

Both stages draw a scrambled Latin hypercube on the unit cube (`Uncertain.value` maps each
coordinate into its parameter's range): the screen's has extra "ghost" columns, coordinates
drawn exactly like a parameter's but never given to the model, so the screen can see how strong
a rank correlation arises by chance (`analysis.screen_scores`).

Why not Morris's elementary effects, the usual cheap screen: with about 120 uncertain parameters
one-at-a-time trajectories cost k + 1 points each, both arms at every point (about 950 runs for
four trajectories), more than the whole study. Morris with groups (Campolongo et al. 2007: 16
random groups, 4 trajectories, 136 runs) was tried first on payment by results against HLS and
found nothing: no parameter's group effects stood out from the ghosts', because with every
assumption moving at once the effect of a step depends on where all the others are. A Latin
hypercube of about the same cost, read by rank correlation against ghosts, picked out five
assumptions, one of which the sets then found deciding two measures (docs/robustness.md).

Every draw comes from a generator seeded by the study's seed, so a design is a pure function of
the inputs and resume rebuilds exactly the same sets.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

SCREEN_STREAM = 1  # SeedSequence spawn keys of the two designs
SETS_STREAM = 2


def design_rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


def latin_hypercube(n_dims: int, n_samples: int, *, seed: int, stream: int) -> np.ndarray:
    """`n_samples` points of a scrambled Latin hypercube in [0, 1]^n_dims (one stratum per sample and
    dimension); a few dimensions are spread further by centred-discrepancy optimisation."""
    rng = design_rng(seed, stream)
    optimization = "random-cd" if 2 <= n_dims <= 40 else None  # the optimiser costs too much for hundreds
    return qmc.LatinHypercube(d=n_dims, rng=rng, optimization=optimization).random(n_samples)
