"""One validation job: run one arm on one seed and return the numbers its checks read.

A job is a plain tuple so that worker processes can pickle it, and its result is a flat dict of
floats, so the runner never holds a whole time series for hundreds of runs. Measures are
computed from the model's own outputs only: summary keys, windows of the weekly table, or a
followed cohort (`cohorts.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from hls_sim.metrics import GAMING_CHANNELS
from hls_sim.validation.spec import TS_PATTERN, CohortSpec


@dataclass(frozen=True)
class Job:
    """What to run: overrides (sorted items), seed, an optional cohort, and the measures wanted."""

    overrides: tuple[tuple[str, Any], ...]
    seed: int
    cohort: CohortSpec | None
    measures: tuple[str, ...]

    def key(self) -> tuple:
        cohort = None
        if self.cohort is not None:
            cohort = (
                self.cohort.name,
                self.cohort.week,
                self.cohort.follow_weeks,
                tuple(sorted(self.cohort.options.items())),
            )
        return (self.overrides, self.seed, cohort)


def run_job(job: Job) -> dict[str, float]:
    """Top level so that a process pool can pickle it."""
    overrides = dict(job.overrides)
    if job.cohort is not None:
        from hls_sim.model import HLSModel
        from hls_sim.validation.cohorts import follow

        model = HLSModel(seed=job.seed, **overrides)
        out = follow(model, job.cohort)
        summary = model.recorder.summary(model)
        ts = None
        if any(m.startswith("ts_") for m in job.measures):
            ts = model.recorder.timeseries(model)
        burn = model.recorder.burn_in
    else:
        from hls_sim.runner import run

        result = run(seed=job.seed, **overrides)
        out = {}
        summary, ts = result.summary, result.timeseries
        burn = min(result.params["burn_in_weeks"], max(result.params["weeks"] - 1, 0))
    for m in job.measures:
        if m in out:
            continue
        out[m] = measure(m, summary, ts, burn)
    return out


def measure(name: str, summary: dict[str, Any], ts: pl.DataFrame | None, burn_in: int) -> float:
    """One named measure of one run (see docs/validation.md for the list)."""
    if name == "any_gaming":
        return float(max(summary[f"gaming_{c}"] for c in GAMING_CHANNELS))
    if name == "false_records":
        # deliberate lying in the records: false successes plus managed denominators (both shares of
        # discharges), the two channels that were one before exclusions got their own (issue 14)
        return float(summary["gaming_misreporting"] + summary["gaming_exclusions"])
    match = TS_PATTERN.match(name)
    if match:
        if ts is None:
            raise ValueError(f"measure {name} needs the time series")
        return ts_measure(ts, match["op"], match["col"], match["a"], match["b"], burn_in)
    if name not in summary:
        raise KeyError(f"'{name}' is not an output of the model; see docs/ODD.md section 8 for the outputs")
    value = summary[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KeyError(f"'{name}' is not a number (it is {type(value).__name__})")
    return float(value)


def ts_measure(ts: pl.DataFrame, op: str, col: str, a: str | None, b: str | None, burn_in: int) -> float:
    if col not in ts.columns:
        raise KeyError(f"'{col}' is not a column of the weekly table; see docs/ODD.md section 8")
    x = ts[col].to_numpy().astype(float)
    n = x.shape[0]
    lo = int(a) if a is not None else burn_in
    hi = int(b) if b is not None else n
    if op == "at":
        return float(x[lo]) if lo < n else math.nan
    if op in ("change", "half_time"):
        # both ends are weeks: value at week B against value at week A
        if hi >= n or hi <= lo:
            return math.nan
        rise = x[hi] - x[lo]
        if op == "change":
            return float(rise)
        # weeks from A until the series first covers half of its change up to week B
        if rise <= 0:
            return math.nan
        reached = np.flatnonzero(x[lo : hi + 1] - x[lo] >= 0.5 * rise)
        return float(reached[0])
    # mean and sum: weeks A (included) to B (excluded)
    if lo >= n or hi > n or hi <= lo:
        return math.nan
    if op == "mean":
        return float(x[lo:hi].mean())
    return float(x[lo:hi].sum())
