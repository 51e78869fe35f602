"""Run every validation experiment, evaluate its checks and keep the numbers with their provenance.

Jobs from all patterns are pooled and de-duplicated (the default HLS arm, say, is run once even
if three patterns read it) into one plan for the engine (`hls_sim.sweep`: its worker pool, its
resumable store and failure records), and collected by job, so the numbers never depend on the
number of workers or on the order in which runs finish.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import qmc

from hls_sim.params import resolve
from hls_sim.sweep.plan import Plan
from hls_sim.validation.checks import FAIL, PASS, CheckResult, evaluate
from hls_sim.validation.measures import Job
from hls_sim.validation.spec import PatternSpec, SampleSpec
from hls_sim.version import __version__

SAMPLE_ARM = "sample"


@dataclass
class PatternResult:
    spec: PatternSpec
    checks: list[CheckResult]
    samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return PASS if all(c.verdict == PASS for c in self.checks) else FAIL

    def as_dict(self) -> dict[str, Any]:
        s = self.spec
        return {
            "id": s.id,
            "title": s.title,
            "verdict": self.verdict,
            "evidence": s.evidence,
            "sources": s.sources,
            "mapping": s.mapping,
            "file": s.path.name,
            "seeds": s.seeds,
            "arms": {
                name: {
                    "label": arm.label,
                    "kind": arm.kind,
                    "overrides": arm.overrides,
                    "cohort": None
                    if arm.cohort is None
                    else {
                        "name": arm.cohort.name,
                        "week": arm.cohort.week,
                        "follow_weeks": arm.cohort.follow_weeks,
                        **arm.cohort.options,
                    },
                    "parameters": resolve(arm.overrides),
                }
                for name, arm in s.arms.items()
            },
            "sample": self.samples,
            "checks": [c.as_dict() for c in self.checks],
        }


def sample_settings(sample: SampleSpec) -> list[dict[str, Any]]:
    """Latin hypercube over the numeric ranges, with the categorical choices spread the same way."""
    keys = list(sample.ranges) + list(sample.choices)
    if not keys:
        return [dict(sample.base) for _ in range(sample.n)]
    u = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng(sample.seed)).random(sample.n)
    from hls_sim.params import PARAMS

    out = []
    for row in u:
        s = dict(sample.base)
        for j, key in enumerate(keys):
            if key in sample.ranges:
                lo, hi = sample.ranges[key]
                v = lo + row[j] * (hi - lo)
                s[key] = PARAMS[key].coerce(round(v) if PARAMS[key].kind is int else float(v))
            else:
                opts = sample.choices[key]
                s[key] = opts[min(len(opts) - 1, int(row[j] * len(opts)))]
        out.append(s)
    return out


def _measures_needed(spec: PatternSpec) -> dict[str, set[str]]:
    need: dict[str, set[str]] = {}
    for c in spec.checks:
        for arm in c.arms:
            need.setdefault(arm, set()).add(c.metric)
            if c.kind == "ratio":
                need[arm].add(c.options["denominator"])
    return need


def plan(patterns: list[PatternSpec]) -> tuple[dict[tuple, Job], dict[tuple[str, str], list[tuple]], dict[str, list]]:
    """Jobs by key, each (pattern, arm)'s job keys in seed order, and each pattern's sample settings."""
    jobs: dict[tuple, Job] = {}
    slots: dict[tuple[str, str], list[tuple]] = {}
    samples: dict[str, list] = {}

    def add(pid: str, arm: str, overrides: dict[str, Any], seed: int, cohort, measures: set[str]) -> None:
        job = Job(tuple(sorted(overrides.items())), seed, cohort, tuple(sorted(measures)))
        key = job.key()
        if key in jobs:
            merged = tuple(sorted(set(jobs[key].measures) | measures))
            job = Job(job.overrides, seed, cohort, merged)
        jobs[key] = job
        slots.setdefault((pid, arm), []).append(key)

    for spec in patterns:
        need = _measures_needed(spec)
        for name, arm in spec.arms.items():
            if name not in need:
                continue
            for seed in spec.seeds:
                add(spec.id, name, arm.overrides, seed, arm.cohort, need[name])
        if spec.sample is not None and SAMPLE_ARM in need:
            settings = sample_settings(spec.sample)
            samples[spec.id] = settings
            for i, s in enumerate(settings):
                add(spec.id, SAMPLE_ARM, s, spec.seeds[0] + i, None, need[SAMPLE_ARM])
    return jobs, slots, samples


def jobs_plan(jobs: list[Job], kind: str = "validate") -> Plan:
    """The engine's plan for a list of jobs: one point per job, run on the job's own seed."""
    from hls_sim.sweep.plan import PlannedPoint, build_plan

    points = [
        PlannedPoint(
            {},
            dict(job.overrides),
            (job.seed,),
            kind="cohort" if job.cohort is not None else "measures",
            measures=job.measures,
            cohort=job.cohort,
            where=f"job {i}",
        )
        for i, job in enumerate(jobs)
    ]
    return build_plan(kind, points, source=kind)


def _values(rows: pl.DataFrame, n: int) -> list[dict[str, float]]:
    out: list[dict[str, float]] = [{} for _ in range(n)]
    for run_id, metric, value in rows.select("run_id", "metric", "value").iter_rows():
        out[run_id][metric] = math.nan if value is None else float(value)
    return out


def execute(
    jobs: Iterable[Job],
    workers: int = 1,
    progress: Callable[[], None] | None = None,
    *,
    out: Path | None = None,
    resume: bool = False,
    kind: str = "validate",
) -> list[dict[str, float]]:
    """Results in the order of `jobs`, whatever the number of workers.

    With `out`, the jobs run through the engine into that folder (resumable, failures recorded);
    without, through the engine's executors in memory (for a quick look from Python).
    """
    from hls_sim.sweep.executors import run_inline, run_pool
    from hls_sim.sweep.runner import load_results, run_plan

    jobs = list(jobs)
    plan = jobs_plan(jobs, kind)
    if out is not None:
        # progress: a bar when asked and stderr is a terminal (None), none at all otherwise
        report = run_plan(plan, out, workers=workers, resume=resume, progress=None if progress else False, desc=kind)
        if report.failed:
            raise RuntimeError(f"{report.failed} of {report.n_runs} runs failed in the model; see {out / 'failures'}/")
        return _values(load_results(out).collect(), len(jobs))
    stream = run_pool(plan.tasks, workers) if workers > 1 and len(plan.tasks) > 1 else run_inline(plan.tasks)
    frames = []
    for outcome in stream:
        if outcome.rows is None:
            raise RuntimeError(f"a validation run failed in the model: {outcome.error}\n{outcome.traceback}")
        frames.append(outcome.rows)
        if progress:
            progress()
    return _values(pl.concat(frames) if frames else pl.DataFrame({"run_id": [], "metric": [], "value": []}), len(jobs))


def validate(
    patterns: list[PatternSpec],
    out: Path | None = None,
    *,
    workers: int = 1,
    progress: bool = True,
    resume: bool = False,
) -> tuple[list[PatternResult], pl.DataFrame, float]:
    """Run and check every pattern; returns the results, a tidy table of every measure and the seconds taken.

    With `out`, the runs go through the engine into that folder (see `execute`).
    """
    t0 = time.perf_counter()
    jobs, slots, samples = plan(patterns)
    keys = list(jobs)
    if out is not None:
        results = execute(
            [jobs[k] for k in keys], workers, (lambda: None) if progress else None, out=out, resume=resume
        )
    else:
        bar = None
        if progress:
            from hls_sim.commands._common import progress_bar

            bar = progress_bar(len(keys), "validate")
        results = execute([jobs[k] for k in keys], workers, bar.update if bar else None)
        if bar:
            bar.close()
    by_key = dict(zip(keys, results, strict=True))
    out: list[PatternResult] = []
    rows: list[dict[str, Any]] = []
    for spec in patterns:
        data = {arm: [by_key[k] for k in ks] for (pid, arm), ks in slots.items() if pid == spec.id}
        checks = [evaluate(c, data) for c in spec.checks]
        out.append(PatternResult(spec, checks, samples.get(spec.id, [])))
        for (pid, arm), ks in slots.items():
            if pid != spec.id:
                continue
            for k in ks:
                for metric, value in by_key[k].items():
                    rows.append(
                        {"pattern": pid, "arm": arm, "seed": jobs[k].seed, "metric": metric, "value": float(value)}
                    )
    table = pl.DataFrame(
        rows,
        schema={"pattern": pl.String, "arm": pl.String, "seed": pl.Int64, "metric": pl.String, "value": pl.Float64},
    )
    return out, table, time.perf_counter() - t0


def _json_safe(x: Any) -> Any:
    """Kept for callers; strict JSON (null for NaN and infinities) is written by hls_sim.atomic."""
    from hls_sim.atomic import strict

    return strict(x)


def write_outputs(
    out: Path, results: list[PatternResult], table: pl.DataFrame, seconds: float, *, quick: bool, workers: int
) -> Path:
    """validation.json (every pattern, check, number, seed and parameter) and runs.parquet (every measure)."""
    from hls_sim.atomic import atomic_write_json, atomic_write_parquet

    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "kind": "validate",
        "hls_sim_version": __version__,
        "mode": "quick" if quick else "full",
        "workers": workers,
        "seconds": seconds,
        "passed": sum(r.verdict == PASS for r in results),
        "patterns_total": len(results),
        "patterns": [r.as_dict() for r in results],
    }
    atomic_write_json(out / "validation.json", doc)
    atomic_write_parquet(out / "runs.parquet", table)
    return out / "validation.json"


def format_results(results: list[PatternResult]) -> str:
    """The console verdicts: one block per pattern, one line per check, with the numbers."""
    lines = []
    for r in results:
        lines.append(f"[{r.verdict}] {r.spec.id}: {r.spec.title}")
        for c in r.checks:
            lines.append(f"    {c.verdict}  {c.claim}")
            lines.append(f"          {format_numbers(c)}")
    passed = sum(r.verdict == PASS for r in results)
    lines.append(f"{passed} of {len(results)} " + ("patterns pass" if len(results) != 1 else "pattern passes"))
    return "\n".join(lines)


def describe_metric(metric: str) -> str:
    """A measure's name in words: time-series windows spelled out, other names as they are."""
    from hls_sim.validation.spec import TS_PATTERN

    m = TS_PATTERN.match(metric)
    if not m:
        return metric
    col, a, b = m["col"], m["a"], m["b"]
    if m["op"] == "mean":
        return f"{col}, weekly mean after the burn-in" if a is None else f"{col}, mean over weeks {a}-{int(b) - 1}"
    if m["op"] == "sum":
        return f"{col} summed over weeks {a}-{int(b) - 1}"
    if m["op"] == "at":
        return f"{col} at week {a}"
    if m["op"] == "change":
        return f"{col} at week {b} minus at week {a}"
    return f"weeks for {col} to cover half of its change from week {a} to week {b}"


def estimate_label(c: CheckResult) -> str:
    """What the estimate of a check is, in words a reader can match to the claim."""
    a = c.arms
    m = describe_metric(c.metric)
    if c.kind == "difference":
        return f"{m}: {a[0]} minus {a[1]}"
    if c.kind == "trend":
        return f"slope of {m} across {', '.join(a)}"
    if c.kind == "shrinks":
        return f"{m} advantage left under the condition ({a[2]} minus {a[3]})"
    if c.kind == "ratio":
        return f"{m} saved per unit of extra spend, {a[1]} against {a[0]}"
    if c.kind == "prevalence":
        return f"share of sampled settings with {m} detectable"
    return f"{m} in {a[0]}"


def fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def format_numbers(c: CheckResult) -> str:
    ci = f" [95% CI {fmt(c.ci_low)}, {fmt(c.ci_high)}]" if not (math.isnan(c.ci_low) and math.isnan(c.ci_high)) else ""
    text = f"{estimate_label(c)}: {fmt(c.estimate)}{ci}, n={c.n}; expected {c.expected}"
    if c.detail:
        text += f"; {c.detail}"
    return text
