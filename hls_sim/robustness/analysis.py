"""From runs to answers: who wins in how many parameter sets, and which assumptions decide it.

Each headline measure has a direction (higher impact and more crises avoided are better; lower
cost, cost per crisis avoided and Campbell gap are better). In each parameter set both arms ran
on the same seeds; an arm's value is its mean over those seeds, and the set goes to the arm with
the better value (a tie when they are equal, as two Campbell gaps of zero are). The shares of A,
B and ties add up to 100% of the sets whose comparison is defined.

Which assumptions decide it, two ways:

- sensitivity: Spearman's rank correlation between each parameter and B's advantage (B - A,
  signed so that positive means better for B) over the sets, with Holm-adjusted p-values, and
  standardised rank regression coefficients (all parameters at once) when there are enough sets;
- scenario discovery: PRIM boxes (`prim.py`) on "B beats A" and on "A beats B": the ranges of a
  few parameters inside which one side nearly always wins (looked for only for a side that wins
  at most 80% of the sets: where it wins nearly everywhere, the question is where the other wins).

The screen (`screen_scores`) ranks every parameter by the rank correlation of B - A with it over
a Latin hypercube of all of them, against ghost columns that the model never sees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from hls_sim.robustness.prim import Box, find_box


@dataclass(frozen=True)
class Measure:
    name: str
    better: int  # +1: higher is better; -1: lower is better
    undefined_loses: bool = False  # an undefined value loses (nothing avoided, so no cost per crisis avoided)

    @property
    def direction(self) -> str:
        return "higher is better" if self.better > 0 else "lower is better"


MEASURES: tuple[Measure, ...] = (
    Measure("impact_wellbeing", +1),
    Measure("crises_avoided_per_1000_per_year", +1),
    Measure("total_cost_per_year", -1),
    Measure("cost_per_crisis_avoided", -1, undefined_loses=True),
    Measure("campbell_gap", -1),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
SIGNIFICANCE = 0.05
MIN_CARRY = 3  # the analysis always looks at at least this many parameters
BOX_SHARE = 0.8  # PRIM looks for where a side wins only if it wins at most this share of the sets


# ---------------------------------------------------------------------------- the screen


@dataclass
class ScreenResult:
    """What the screen found: the rank correlation of B - A with every parameter and every ghost."""

    rho: np.ndarray  # (n_real + n_ghosts, n_measures); 0 where undefined
    threshold: np.ndarray  # (n_measures,) the largest |rho| of any ghost
    strength: np.ndarray  # (n_real,) the largest over measures of |rho| / threshold
    carried: list[int]  # parameters carried into the sets' analysis, strongest first
    found: int  # how many beat every ghost on some measure (the rest, if any, fill up to MIN_CARRY)
    n: np.ndarray  # (n_measures,) sets whose difference was defined


def rank_correlations(U: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of y with every column of U over the rows where y is defined (0 if constant)."""
    ok = np.isfinite(y)
    out = np.zeros(U.shape[1])
    if ok.sum() < 3 or np.ptp(y[ok]) == 0:
        return out
    ry = _standard(stats.rankdata(y[ok]))
    R = np.column_stack([_standard(stats.rankdata(U[ok, j])) for j in range(U.shape[1])])
    return R.T @ ry / ok.sum()


def screen_scores(U: np.ndarray, diff: np.ndarray, n_real: int) -> ScreenResult:
    """Which parameters move B - A: `U` holds the screen's unit coordinates (parameters, then ghosts),
    `diff` B - A on each measure (NaN where undefined). A parameter is carried when, on some measure,
    its rank correlation is stronger than every ghost's: under the null it is one more ghost, so with
    four ghosts per parameter it beats them all about once in 4k + 1 tries."""
    m = diff.shape[1]
    rho = np.column_stack([rank_correlations(U, diff[:, k]) for k in range(m)]) if m else np.zeros((U.shape[1], 0))
    ghosts = np.abs(rho[n_real:])
    threshold = ghosts.max(axis=0) if ghosts.size else np.zeros(m)
    real = np.abs(rho[:n_real])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(threshold > 0, real / np.where(threshold > 0, threshold, 1.0), 0.0)
    beats = (real > threshold + 1e-12) & (real > 0)
    strength = ratio.max(axis=1) if m else np.zeros(n_real)
    order = sorted(range(n_real), key=lambda i: (-strength[i], i))
    found = [i for i in order if beats[i].any()]
    carried = found if len(found) >= MIN_CARRY else order[: min(MIN_CARRY, n_real)]
    n = np.isfinite(diff).sum(axis=0)
    return ScreenResult(rho, threshold, strength, carried, len(found), n)


# ---------------------------------------------------------------------------- the sets


@dataclass
class Sensitivity:
    rho: np.ndarray  # (k,) Spearman's rank correlation of each parameter with B's advantage
    p: np.ndarray  # (k,) its two-sided p-value
    p_holm: np.ndarray  # (k,) Holm-adjusted over the k parameters
    srrc: np.ndarray | None  # (k,) standardised rank regression coefficients, when n > k + 2
    r2: float | None  # R² of that rank regression
    n: int


@dataclass
class MeasureResult:
    measure: Measure
    a: np.ndarray  # (n_sets,) A's value in each set (mean over seeds), NaN if undefined
    b: np.ndarray
    winner: np.ndarray  # (n_sets,) "A", "B", "tie" or "undefined"
    seed_split: int  # sets where the seeds disagree about the winner
    advantage: np.ndarray  # (n_sets,) (B - A) x direction: positive means B is better
    sensitivity: Sensitivity  # over the carried parameters
    rho_all: np.ndarray  # (n_uncertain,) rank correlation with every uncertain parameter, for the record
    boxes: dict[str, Box | None] = field(default_factory=dict)  # "A" / "B" -> where that side wins

    def count(self, who: str) -> int:
        return int((self.winner == who).sum())

    @property
    def decided(self) -> int:
        return int((self.winner != "undefined").sum())

    def share(self, who: str) -> float:
        return self.count(who) / self.decided if self.decided else math.nan


def arm_value(per_seed: np.ndarray) -> np.ndarray:
    """(n_sets, n_seeds) -> (n_sets,): the mean over seeds, undefined if any seed is undefined."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(per_seed).all(axis=1), per_seed.mean(axis=1), np.nan)


def winners(a: np.ndarray, b: np.ndarray, measure: Measure) -> np.ndarray:
    out = np.full(a.shape, "undefined", dtype=object)
    both = np.isfinite(a) & np.isfinite(b)
    better_b = (b - a) * measure.better
    out[both & (better_b > 0)] = "B"
    out[both & (better_b < 0)] = "A"
    out[both & (better_b == 0)] = "tie"
    if measure.undefined_loses:  # one arm avoided nothing on some seed: the other wins; both: undefined
        out[np.isfinite(a) & ~np.isfinite(b)] = "A"
        out[~np.isfinite(a) & np.isfinite(b)] = "B"
    return out.astype(str)


def seed_splits(a: np.ndarray, b: np.ndarray, measure: Measure) -> int:
    """Sets in which the seeds do not all name the same winner (noise near a tie)."""
    if a.shape[1] < 2:
        return 0
    per_seed = np.stack([winners(a[:, s], b[:, s], measure) for s in range(a.shape[1])], axis=1)
    return int((per_seed != per_seed[:, :1]).any(axis=1).sum())


def rank_sensitivity(X: np.ndarray, y: np.ndarray) -> Sensitivity:
    """Spearman's rho of y with each column of X, Holm-adjusted p-values and rank regression."""
    ok = np.isfinite(y)
    X, y = X[ok], y[ok]
    n, k = X.shape
    rho = np.zeros(k)
    p = np.ones(k)
    if n >= 3 and np.ptp(y) > 0:
        ry = stats.rankdata(y)
        for j in range(k):
            if np.ptp(X[:, j]) > 0:
                r = float(np.corrcoef(stats.rankdata(X[:, j]), ry)[0, 1])
                rho[j] = r
                p[j] = _corr_p(r, n)
    p_holm = holm(p)
    srrc, r2 = None, None
    if n > k + 2 and np.ptp(y) > 0:
        R = np.column_stack([_standard(stats.rankdata(X[:, j])) for j in range(k)])
        ty = _standard(stats.rankdata(y))
        coef, *_ = np.linalg.lstsq(R, ty, rcond=None)
        fitted = R @ coef
        srrc = coef
        r2 = float(1.0 - ((ty - fitted) ** 2).sum() / (ty**2).sum())
    return Sensitivity(rho, p, p_holm, srrc, r2, n)


def _standard(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x, dtype=float)


def _corr_p(r: float, n: int) -> float:
    """Two-sided p-value of a rank correlation (t approximation, as scipy's spearmanr uses)."""
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return float(2.0 * stats.t.sf(abs(t), n - 2))


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: controls the chance of any false 'decides' across parameters."""
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p[i])))
        adjusted[i] = running
    return adjusted


def analyse_measure(
    measure: Measure, X: np.ndarray, a_seeds: np.ndarray, b_seeds: np.ndarray, X_all: np.ndarray | None = None
) -> MeasureResult:
    """Shares, sensitivities over the carried parameters `X` (and rank correlations with every column
    of `X_all`), and PRIM boxes over `X`, from each set's per-seed values of both arms."""
    a, b = arm_value(a_seeds), arm_value(b_seeds)
    win = winners(a, b, measure)
    with np.errstate(invalid="ignore"):
        adv = (b - a) * measure.better
    rho_all = rank_correlations(X if X_all is None else X_all, adv)
    result = MeasureResult(
        measure, a, b, win, seed_splits(a_seeds, b_seeds, measure), adv, rank_sensitivity(X, adv), rho_all
    )
    decided = win != "undefined"
    for side in ("A", "B"):
        y = win[decided] == side
        hits = int(y.sum())
        # where a side nearly always wins, the question is where the other one does
        result.boxes[side] = find_box(X[decided], y)[0] if 0 < hits <= BOX_SHARE * y.size else None
    return result


def deciders(result: MeasureResult, names: Sequence[str], *, top: int = 3) -> list[dict[str, Any]]:
    """The parameters that decide a measure: significant after Holm, strongest first (at most `top`)."""
    s = result.sensitivity
    order = sorted(range(len(names)), key=lambda j: (-abs(s.rho[j]), j))
    return [
        {"parameter": names[j], "rho": float(s.rho[j]), "p_holm": float(s.p_holm[j])}
        for j in order
        if s.p_holm[j] < SIGNIFICANCE
    ][:top]
