"""Summaries over seeds: mean, standard deviation and a t-based 95% confidence interval."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, sd, ci_low, ci_high) of finite values; the interval collapses to the mean for n < 2."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if x.size == 0:
        return (math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, 0.0, mean, mean)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2.0, x.size - 1) * sd / math.sqrt(x.size))
    return (mean, sd, mean - half, mean + half)
