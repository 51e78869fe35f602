"""Statistical checks: each turns per-seed numbers into an estimate, a 95% interval and a verdict.

The rules are deliberately plain so that a reader can redo them by hand from the numbers the
report prints. Comparisons between arms are paired by seed (common random numbers), so the
interval is that of the mean paired difference. Where the evidence is one case, a check asks
for the direction and a rough size (a band), never for a fitted value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from hls_sim.stats import mean_ci
from hls_sim.validation.spec import CheckSpec

PASS, FAIL = "PASS", "FAIL"
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20050101  # fixed: the same numbers give the same interval


@dataclass
class CheckResult:
    claim: str
    kind: str
    metric: str
    arms: tuple[str, ...]
    verdict: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    expected: str
    detail: str = ""
    arm_means: dict[str, float] = field(default_factory=dict)
    values: list[float] = field(default_factory=list)
    region: tuple[float, float] = (-math.inf, math.inf)  # the values the evidence asks for

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "kind": self.kind,
            "metric": self.metric,
            "arms": list(self.arms),
            "verdict": self.verdict,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "expected": self.expected,
            "detail": self.detail,
            "arm_means": self.arm_means,
            "values": self.values,
            "region": list(self.region),
        }


def _arr(rows: Sequence[dict[str, float]], metric: str) -> np.ndarray:
    return np.array([r.get(metric, math.nan) for r in rows], dtype=float)


def _finite(x: np.ndarray) -> np.ndarray:
    return x[np.isfinite(x)]


def _mean(x: np.ndarray) -> float:
    f = _finite(x)
    return float(f.mean()) if f.size else math.nan


def evaluate(check: CheckSpec, data: dict[str, list[dict[str, float]]]) -> CheckResult:
    """data[arm] holds one dict of measures per seed, in the same seed order for every arm."""
    o = check.options
    m = check.metric
    arms = check.arms
    cols = {a: _arr(data[a], m) for a in arms}
    means = {a: _mean(cols[a]) for a in arms}
    kind = check.kind

    def result(verdict, est, lo, hi, n, expected, detail="", vals=None, region=(-math.inf, math.inf)):
        ok = verdict and math.isfinite(est)
        values = [float(v) for v in (vals if vals is not None else [])]
        return CheckResult(
            check.claim, kind, m, arms, PASS if ok else FAIL, est, lo, hi, n, expected, detail, means, values, region
        )

    if kind == "difference":
        d = cols[arms[0]] - cols[arms[1]]
        est, _, lo, hi = mean_ci(d)
        n = int(np.isfinite(d).sum())
        gap = o["at_least"]
        if o["expect"] == "above":
            ok, exp, reg = lo > gap, f"{arms[0]} - {arms[1]} > {gap:g} (95% CI above)", (gap, math.inf)
        else:
            ok, exp, reg = (
                hi < -gap,
                f"{arms[0]} - {arms[1]} < {-gap if gap else 0.0:g} (95% CI below)",
                (-math.inf, -gap),
            )
        return result(n >= 2 and ok, est, lo, hi, n, exp, vals=d, region=reg)
    if kind == "trend":
        x = np.array(o["x"], dtype=float)
        ys = np.column_stack([cols[a] for a in arms])
        slopes = np.array([_slope(x, row) for row in ys])
        est, _, lo, hi = mean_ci(slopes)
        n = int(np.isfinite(slopes).sum())
        if o["expect"] == "increasing":
            ok, exp, reg = lo > 0, "slope > 0 (95% CI above 0)", (0.0, math.inf)
        else:
            ok, exp, reg = hi < 0, "slope < 0 (95% CI below 0)", (-math.inf, 0.0)
        return result(n >= 2 and ok, est, lo, hi, n, exp, vals=slopes, region=reg)
    if kind == "near_zero":
        v = cols[arms[0]]
        est, _, lo, hi = mean_ci(v)
        tol = o["tolerance"]
        f = _finite(v)
        worst = float(np.abs(f).max()) if f.size else math.nan
        ok = f.size >= 2 and worst <= tol
        exp = f"|{m}| <= {tol:g} on every seed"
        return result(ok, est, lo, hi, int(f.size), exp, f"largest |value| {worst:.4g}", v, (-tol, tol))
    if kind == "within":
        v = cols[arms[0]]
        est, _, lo, hi = mean_ci(v)
        b0, b1 = o["band"]
        f = _finite(v)
        ev = o.get("evidence_value")
        detail = f"evidence {ev:g}" if isinstance(ev, int | float) else ""
        ok = f.size >= 2 and b0 <= est <= b1
        return result(ok, est, lo, hi, int(f.size), f"mean in [{b0:g}, {b1:g}]", detail, v, (b0, b1))
    if kind == "above":
        v = cols[arms[0]]
        est, _, lo, hi = mean_ci(v)
        thr = o["threshold"]
        f = _finite(v)
        exp = f"{m} > {thr:g} (95% CI above)"
        return result(f.size >= 2 and lo > thr, est, lo, hi, int(f.size), exp, vals=v, region=(thr, math.inf))
    if kind == "shrinks":
        a, b, c, d_ = (cols[k] for k in arms)
        factor = o["factor"]
        adv_default, adv_cond = a - b, c - d_
        d = factor * adv_default - adv_cond
        _, _, lo, hi = mean_ci(d)
        est = _mean(adv_cond)
        n = int(np.isfinite(d).sum())
        detail = (
            f"advantage {arms[0]} - {arms[1]} = {_mean(adv_default):.4g}; "
            f"under the condition {arms[2]} - {arms[3]} = {est:.4g}; "
            f"{factor:g} x default - condition: 95% CI [{lo:.4g}, {hi:.4g}]"
        )
        exp = f"({arms[2]} - {arms[3]}) < {factor:g} x ({arms[0]} - {arms[1]}) (95% CI)"
        reg = (-math.inf, factor * _mean(adv_default))
        return result(n >= 2 and lo > 0, est, math.nan, math.nan, n, exp, detail, adv_cond, reg)
    if kind == "ratio":
        return _ratio(check, data, means)
    if kind == "prevalence":
        v = _finite(cols[arms[0]])
        hits = int((v >= o["detect"]).sum())
        n = int(v.size)
        share = hits / n if n else math.nan
        lo, hi = wilson(hits, n)
        b0, b1 = o["band"]
        ev = o.get("evidence_value")
        detail = f"{hits} of {n} settings at or above {o['detect']:g}" + (
            f"; evidence {ev:g}" if isinstance(ev, int | float) else ""
        )
        exp = f"share in [{b0:g}, {b1:g}]"
        # the region shaded for the per-setting values: at or above the detection level
        return result(n >= 2 and b0 <= share <= b1, share, lo, hi, n, exp, detail, v, (o["detect"], math.inf))
    raise ValueError(f"unknown check kind {kind}")


def _ratio(check: CheckSpec, data: dict[str, list[dict[str, float]]], means: dict[str, float]) -> CheckResult:
    """What moving from arm a to arm b saves in `metric` per unit of extra `denominator` spent."""
    o = check.options
    a, b = check.arms
    saved = _arr(data[a], check.metric) - _arr(data[b], check.metric)
    spent = _arr(data[b], o["denominator"]) - _arr(data[a], o["denominator"])
    ok_rows = np.isfinite(saved) & np.isfinite(spent)
    saved, spent = saved[ok_rows], spent[ok_rows]
    n = int(saved.size)
    b0, b1 = o["band"]
    est = _ratio_of_means(saved, spent)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    boots = []
    if n >= 2:
        for _ in range(BOOTSTRAP):
            idx = rng.integers(0, n, n)
            boots.append(_ratio_of_means(saved[idx], spent[idx]))
    boots = np.array(boots)
    # a resample whose extra spending is not positive has no ratio: the interval is over the others,
    # and the detail says how many there were
    undefined = int((~np.isfinite(boots)).sum())
    boots = boots[np.isfinite(boots)]
    lo, hi = (float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))) if boots.size else (math.nan,) * 2
    ev = o.get("evidence_value")
    mean_saved = float(saved.mean()) if n else math.nan
    mean_spent = float(spent.mean()) if n else math.nan
    detail = (
        f"saved {mean_saved:.4g} of {check.metric} per person for {mean_spent:.4g} more {o['denominator']}"
        + (f"; {undefined} of {BOOTSTRAP} resamples spent no more and have no ratio" if undefined else "")
        + (f"; evidence {ev:g}" if isinstance(ev, int | float) else "")
    )
    if n and mean_spent <= 0:
        detail += "; no extra spend, so the ratio is not a finite return"
    ok = n >= 2 and math.isfinite(est) and b0 <= est <= b1
    return CheckResult(
        check.claim,
        "ratio",
        check.metric,
        check.arms,
        PASS if ok else FAIL,
        est,
        lo,
        hi,
        n,
        f"saved / extra spent in [{b0:g}, {b1:g}]",
        detail,
        means,
        [float(s / p) if p > 0 else math.inf for s, p in zip(saved, spent, strict=True)],
        (float(b0), float(b1)),
    )


def _ratio_of_means(saved: np.ndarray, spent: np.ndarray) -> float:
    if saved.size == 0:
        return math.nan
    s, p = float(saved.mean()), float(spent.mean())
    if p <= 0:
        return math.inf if s > 0 else math.nan
    return s / p


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return math.nan
    xs, ys = x[ok], y[ok]
    xc = xs - xs.mean()
    den = float((xc * xc).sum())
    return float((xc * (ys - ys.mean())).sum() / den) if den > 0 else math.nan


def wilson(hits: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share: honest at 0 and 1, unlike the normal approximation."""
    if n <= 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2.0))
    p = hits / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    # exact at the ends: rounding must not lift the lower bound of 0 of n above 0
    lo = 0.0 if hits == 0 else max(0.0, min(p, centre - half))
    hi = 1.0 if hits == n else min(1.0, max(p, centre + half))
    return (lo, hi)
