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
  few parameters inside which one side nearly always wins.

The screen (`screen_scores`) reads the group elementary effects as a supersaturated design:
forward selection of the parameters that explain B - A, stopped when a ghost would come next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from hls_sim.robustness.design import DELTA, ScreenDesign
from hls_sim.robustness.prim import Box, find_box


@dataclass(frozen=True)
class Measure:
    name: str
    better: int  # +1: higher is better; -1: lower is better
    undefined_loses: bool = False  # an undefined value is the worst (nothing avoided: no cost per crisis avoided)

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
MIN_CARRY = 3  # the sets stage always explores at least this many parameters


# ---------------------------------------------------------------------------- the screen


@dataclass
class ScreenResult:
    """What the screen found. Effects are per unit of a parameter's range (u from 0 to 1), in the
    measure's own units of B - A; `scale` is a measure's typical |group effect|, to compare measures."""

    effect: np.ndarray  # (n_real, n_measures) fitted straight-line effect (0 where not selected)
    bend: np.ndarray  # (n_real, n_measures) fitted bend (0 where not selected)
    order: list[list[int]]  # per measure: the parameters in the order they entered
    stop: list[str]  # per measure: why selection stopped
    marginal: np.ndarray  # (n_real + n_ghosts, n_measures) |straight-line evidence| before selection, / scale
    scale: np.ndarray  # (n_measures,)
    strength: np.ndarray  # (n_real,) largest over measures of (|effect| + |bend| / 3) / scale
    carried: list[int]  # parameters carried into the sets, strongest first
    found: int  # how many of them the selection found (the rest, if any, fill up to MIN_CARRY)
    effects: int  # group elementary effects computed


def group_effects(design: ScreenDesign, diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(y, Z): the signed elementary effect of every group step (n_steps x n_measures), and for every
    factor two columns: the sign of its move (a straight-line effect) and the sign times where the
    move was centred (2 x (midpoint - 1/2): a bend, such as an effect that peaks mid-range, which
    the sign alone would cancel out). Columns: the factors' straight parts, then their bends."""
    n = design.n_real + design.n_ghosts
    width = design.groups + 1
    y = []
    Z = np.zeros((design.trajectories * design.groups, 2 * n))
    row = 0
    for t, groups in enumerate(design.moved):
        for s, members in enumerate(groups, start=1):
            y.append((diff[t * width + s] - diff[t * width + s - 1]) / DELTA)
            sign = design.signs[t][members]
            Z[row, members] = sign
            Z[row, n + np.asarray(members, dtype=int)] = sign * 2.0 * (design.midpoints[t][members] - 0.5)
            row += 1
    return np.array(y).reshape(len(y), diff.shape[1]), Z


def forward_selection(
    Z: np.ndarray, y: np.ndarray, is_real: np.ndarray, limit: int
) -> tuple[list[int], np.ndarray, str]:
    """Add the column most correlated with what is still unexplained, refit, and repeat; stop as
    soon as the best candidate belongs to a ghost (a factor that cannot matter explains it as well).

    This is how supersaturated designs are read (more factors than runs, few of them active; Lin
    1995): the ghosts make the stopping rule, since under the null a real parameter and a ghost are
    equally likely to come next. Ties go to the ghost.
    """
    ok = np.isfinite(y)
    Z, y = Z[ok], y[ok]
    if y.size < 2 or not np.any(y != 0):
        return [], np.zeros(0), "no difference between the arms moves with any parameter"
    chosen: list[int] = []
    coef = np.zeros(0)
    resid = y.copy()
    limit = min(limit, max(1, y.size // 2))
    norms = np.sqrt((Z**2).sum(axis=0))
    safe = np.where(norms > 0, norms, 1.0)
    while len(chosen) < limit:
        score = np.where(norms > 0, np.abs(Z.T @ resid) / safe, 0.0)
        score[chosen] = -1.0
        best_real = float(np.where(is_real, score, -1.0).max())
        best_ghost = float(np.where(is_real, -1.0, score).max())
        if best_real <= best_ghost * (1.0 + 1e-12):
            return chosen, coef, "a ghost explained the rest as well as any parameter"
        chosen.append(int(np.argmax(np.where(is_real, score, -1.0))))
        coef, *_ = np.linalg.lstsq(Z[:, chosen], y, rcond=None)
        resid = y - Z[:, chosen] @ coef
    return chosen, coef, f"reached the limit of {limit} terms for {y.size} effects"


def screen_scores(design: ScreenDesign, diff: np.ndarray) -> ScreenResult:
    """Which parameters move B - A (`diff`: n_points x n_measures at the screen points, NaN if undefined)."""
    y, Z = group_effects(design, diff)
    n = design.n_real + design.n_ghosts
    m = y.shape[1]
    factor = np.concatenate([np.arange(n), np.arange(n)])
    is_real = factor < design.n_real
    scale = np.array([_finite_mean(np.abs(y[:, k])) for k in range(m)])
    effect = np.zeros((design.n_real, m))
    bend = np.zeros((design.n_real, m))
    marginal = np.zeros((n, m))
    order: list[list[int]] = []
    stop: list[str] = []
    for k in range(m):
        ok = np.isfinite(y[:, k])
        if scale[k] > 0:
            marginal[:, k] = np.abs(Z[ok, :n].T @ y[ok, k]) / math.sqrt(design.trajectories) / scale[k]
        columns, coef, why = forward_selection(Z, y[:, k], is_real, 2 * design.n_real)
        entered: list[int] = []
        for c, b in zip(columns, coef, strict=True):
            i = int(factor[c])
            (effect if c < n else bend)[i, k] = b
            if i not in entered:
                entered.append(i)
        order.append(entered)
        stop.append(why)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.nan_to_num((np.abs(effect) + np.abs(bend) / 3.0) / np.where(scale > 0, scale, np.inf))
    strength = norm.max(axis=1) if m else np.zeros(design.n_real)
    found = sorted({i for o in order for i in o}, key=lambda i: (-strength[i], i))
    carried = list(found)
    if len(carried) < MIN_CARRY:  # fill up with the strongest marginal evidence
        rest = sorted(
            (i for i in range(design.n_real) if i not in carried),
            key=lambda i: (-float(marginal[i].max()) if m else 0.0, i),
        )
        carried += rest[: min(MIN_CARRY, design.n_real) - len(carried)]
    return ScreenResult(effect, bend, order, stop, marginal, scale, strength, carried, len(found), y.shape[0])


def _finite_mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


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
    sensitivity: Sensitivity
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
    if measure.undefined_loses:
        out[np.isfinite(a) & ~np.isfinite(b)] = "A"
        out[~np.isfinite(a) & np.isfinite(b)] = "B"
        out[~np.isfinite(a) & ~np.isfinite(b)] = "tie"
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


def analyse_measure(measure: Measure, X: np.ndarray, a_seeds: np.ndarray, b_seeds: np.ndarray) -> MeasureResult:
    a, b = arm_value(a_seeds), arm_value(b_seeds)
    win = winners(a, b, measure)
    with np.errstate(invalid="ignore"):
        adv = (b - a) * measure.better
    result = MeasureResult(measure, a, b, win, seed_splits(a_seeds, b_seeds, measure), adv, rank_sensitivity(X, adv))
    decided = win != "undefined"
    for side in ("A", "B"):
        y = win[decided] == side
        hits = int(y.sum())
        result.boxes[side] = find_box(X[decided], y)[0] if 0 < hits < y.size else None
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
