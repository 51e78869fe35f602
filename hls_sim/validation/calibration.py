"""Calibration where the evidence has numbers: approximate Bayesian computation by rejection.

Only parameters that the registry documents as uncertain (their source is an assumption) may be
moved, each within a stated prior range, and never a mechanism. The numeric targets are the
checks of the named patterns that carry an `evidence_value` (Greater Manchester's two thirds and
3:1, Gateshead's 30/10/15 of 40); each target's tolerance is half the width of its check's band,
so calibration and validation judge a number the same way.

Procedure (docs/validation.md): draw parameter sets from the priors with a Latin hypercube; run
every target's arms on the same seeds for every set (common random numbers, so differences come
from the parameters, not the noise); measure each target as its check does; distance = root mean
square of the capped, scaled errors; accept the closest share of sets. The accepted sets give the
fitted ranges. The defaults are run alongside as a reference. Nothing is written into the
defaults: the fitted ranges are reported for a modeller to judge.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from hls_sim.params import PARAMS
from hls_sim.validation.checks import evaluate
from hls_sim.validation.measures import Job
from hls_sim.validation.runner import execute
from hls_sim.validation.spec import (
    CALIBRATION_FILE,
    EXPERIMENT_DIR,
    CheckSpec,
    ExperimentError,
    PatternSpec,
    _err,
    _overrides,
    _Reader,
    load_pattern,
    pattern_files,
    read_toml,
)

ERROR_CAP = 3.0  # one wildly missed target should not swamp all the others


@dataclass
class Prior:
    name: str
    lo: float
    hi: float
    why: str


@dataclass
class Target:
    pattern: PatternSpec
    check: CheckSpec

    @property
    def value(self) -> float:
        return float(self.check.options["evidence_value"])

    @property
    def scale(self) -> float:
        lo, hi = self.check.options["band"]
        return max((hi - lo) / 2.0, 1e-9)

    @property
    def label(self) -> str:
        return f"{self.pattern.id}: {self.check.claim}"


@dataclass
class Plan:
    path: Path
    priors: list[Prior]
    targets: list[Target]
    particles: int
    seeds: list[int]
    accept: float
    sample_seed: int
    run: dict[str, Any]
    method: str


@dataclass
class Fit:
    plan: Plan
    particles: list[dict[str, float]]
    estimates: np.ndarray  # particles x targets
    distances: np.ndarray
    default_estimates: np.ndarray
    default_distance: float
    accepted: np.ndarray
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        acc = self.accepted
        params = []
        for pr in self.plan.priors:
            vals = np.array([self.particles[i][pr.name] for i in range(len(self.particles))])
            a = vals[acc]
            params.append(
                {
                    "name": pr.name,
                    "default": PARAMS[pr.name].default,
                    "prior": [pr.lo, pr.hi],
                    "why_uncertain": pr.why,
                    "accepted_min": float(a.min()),
                    "accepted_median": float(np.median(a)),
                    "accepted_max": float(a.max()),
                    "best": float(vals[self.best]),
                }
            )
        targets = []
        for k, t in enumerate(self.plan.targets):
            est = self.estimates[acc, k]
            lo, hi = t.check.options["band"]
            targets.append(
                {
                    "target": t.label,
                    "metric": t.check.metric,
                    "evidence_value": t.value,
                    "band": [lo, hi],
                    "default": float(self.default_estimates[k]),
                    "accepted_mean": float(np.nanmean(est)) if np.isfinite(est).any() else math.nan,
                    "accepted_min": float(np.nanmin(est)) if np.isfinite(est).any() else math.nan,
                    "accepted_max": float(np.nanmax(est)) if np.isfinite(est).any() else math.nan,
                    "best": float(self.estimates[self.best, k]),
                    "met_at_default": bool(lo <= self.default_estimates[k] <= hi),
                    "met_at_best": bool(lo <= self.estimates[self.best, k] <= hi),
                }
            )
        return {
            "method": self.plan.method,
            "file": self.plan.path.name,
            "particles": len(self.particles),
            "accepted": int(acc.sum()),
            "seeds": self.plan.seeds,
            "run": self.plan.run,
            "seconds": self.seconds,
            "default_distance": self.default_distance,
            "best_distance": float(self.distances[self.best]),
            "accepted_distance_max": float(self.distances[acc].max()),
            "parameters": params,
            "targets": targets,
            "all_particles": [
                {**self.particles[i], "distance": float(self.distances[i]), "accepted": bool(acc[i])}
                for i in range(len(self.particles))
            ],
        }

    @property
    def best(self) -> int:
        return int(np.nanargmin(self.distances))


def load_plan(folder: Path | None = None, *, quick: bool = False) -> Plan:
    """Read and check calibration.toml and the patterns it fits."""
    folder = folder or EXPERIMENT_DIR
    path = folder / CALIBRATION_FILE
    source = str(path)
    if not path.is_file():
        raise ExperimentError(str(folder), "", f"no calibration file {CALIBRATION_FILE} here")
    top = _Reader(read_toml(path), source)
    top.get("title", str, "")
    method = top.get("method", str, "ABC rejection")
    particles = top.get("particles", int, 120)
    quick_particles = top.get("quick_particles", int, 6)
    n_seeds = top.get("seeds", int, 2)
    quick_seeds = top.get("quick_seeds", int, 1)
    accept = float(top.get("accept", (int, float), 0.1))
    sample_seed = top.get("sample_seed", int, 1)
    if not 0.0 < accept <= 1.0:
        raise _err(source, "accept", f"got {accept}; allowed is a share in (0, 1]")
    run: dict[str, Any] = {}
    rt = top.table("run")
    if rt is not None:
        run.update(_overrides(rt, source))
    qt = top.table("quick")
    if qt is not None and quick:
        run.update(_overrides(qt, source))
    elif qt is not None:
        qt.used.update(qt.data)
    priors: list[Prior] = []
    pt = top.table("parameters", required=True)
    for name, value in pt.data.items():
        pt.used.add(name)
        sub = _Reader(value, source, pt.path(name))
        if name not in PARAMS or PARAMS[name].kind not in (int, float):
            raise _err(source, sub.prefix, "allowed are numeric parameters (see `hls-sim params`)")
        if "assumption" not in PARAMS[name].source.lower():
            raise _err(
                source,
                sub.prefix,
                f"'{name}' is not documented as uncertain (its source is '{PARAMS[name].source}'); "
                "calibration may only move parameters whose registry source is an assumption",
            )
        rng = sub.get("range", list, what="[low, high]")
        if not (len(rng) == 2 and all(isinstance(v, int | float) for v in rng) and rng[0] < rng[1]):
            raise _err(source, sub.path("range"), f"got {rng!r}; allowed is [low, high] with low < high")
        lo, hi = (PARAMS[name].coerce(v, source=source, key=sub.path("range")) for v in rng)
        why = sub.get("why", str)
        sub.finish(("range", "why"))
        priors.append(Prior(name, float(lo), float(hi), why))
    if not priors:
        raise _err(source, "parameters", "allowed is at least one parameter table")
    ids = top.get("patterns", list, what="a list of pattern ids")
    files = {load_pattern(p, quick=quick).id: p for p in pattern_files(folder)}
    targets: list[Target] = []
    for pid in ids:
        if pid not in files:
            raise _err(source, "patterns", f"no pattern with id {pid!r}; patterns: {', '.join(files)}")
        spec = load_pattern(files[pid], quick=quick)
        for c in spec.checks:
            if "evidence_value" in c.options and c.kind in ("within", "ratio"):
                targets.append(Target(spec, c))
    if not targets:
        raise _err(source, "patterns", "these patterns have no numeric checks (with evidence_value) to fit")
    top.finish(
        (
            "title",
            "method",
            "particles",
            "quick_particles",
            "seeds",
            "quick_seeds",
            "accept",
            "sample_seed",
            "run",
            "quick",
            "parameters",
            "patterns",
        )
    )
    size = quick_particles if quick else particles
    seeds = list(range(1, 1 + (quick_seeds if quick else n_seeds)))
    if size < 2:
        raise _err(source, "quick_particles" if quick else "particles", f"got {size}; allowed is an integer >= 2")
    return Plan(path, priors, targets, size, seeds, accept, sample_seed, run, method)


def draw(plan: Plan) -> list[dict[str, float]]:
    """Latin hypercube over the priors (uniform within each range)."""
    u = qmc.LatinHypercube(d=len(plan.priors), rng=np.random.default_rng(plan.sample_seed)).random(plan.particles)
    out = []
    for row in u:
        s = {}
        for j, pr in enumerate(plan.priors):
            v = pr.lo + row[j] * (pr.hi - pr.lo)
            s[pr.name] = PARAMS[pr.name].coerce(round(v) if PARAMS[pr.name].kind is int else float(v))
        out.append(s)
    return out


def _jobs(plan: Plan, params: dict[str, float]) -> dict[tuple[str, str, int], Job]:
    jobs = {}
    for t in plan.targets:
        measures = {t.check.metric} | ({t.check.options["denominator"]} if t.check.kind == "ratio" else set())
        for arm in t.check.arms:
            a = t.pattern.arms[arm]
            for seed in plan.seeds:
                key = (t.pattern.id, arm, seed)
                over = {**a.overrides, **plan.run, **params}
                old = jobs.get(key)
                ms = measures | (set(old.measures) if old else set())
                jobs[key] = Job(tuple(sorted(over.items())), seed, a.cohort, tuple(sorted(ms)))
    return jobs


def _estimates(plan: Plan, results: dict[tuple[str, str, int], dict[str, float]]) -> np.ndarray:
    est = np.full(len(plan.targets), math.nan)
    for k, t in enumerate(plan.targets):
        data = {arm: [results[(t.pattern.id, arm, s)] for s in plan.seeds] for arm in t.check.arms}
        est[k] = evaluate(t.check, data).estimate if len(plan.seeds) >= 2 else _single(t.check, data)
    return est


def _single(check: CheckSpec, data: dict[str, list[dict[str, float]]]) -> float:
    """With one seed (quick mode) a check has no interval, but its estimate is still defined."""
    if check.kind == "ratio":
        a, b = check.arms
        saved = data[a][0][check.metric] - data[b][0][check.metric]
        spent = data[b][0][check.options["denominator"]] - data[a][0][check.options["denominator"]]
        return saved / spent if spent > 0 else (math.inf if saved > 0 else math.nan)
    return float(data[check.arms[0]][0][check.metric])


def distance(plan: Plan, est: np.ndarray) -> float:
    errs = []
    for k, t in enumerate(plan.targets):
        e = est[k]
        errs.append(ERROR_CAP if not math.isfinite(e) else min(ERROR_CAP, abs(e - t.value) / t.scale))
    return float(math.sqrt(np.mean(np.square(errs))))


def calibrate(
    plan: Plan, *, workers: int = 1, progress: bool = True, out: Path | None = None, resume: bool = False
) -> Fit:
    """Run every parameter set's jobs (through the engine into `out`, if given) and accept the closest."""
    t0 = time.perf_counter()
    particles = draw(plan)
    sets = [dict(), *particles]  # the defaults first, as the reference
    all_jobs: list[Job] = []
    index: list[dict[tuple[str, str, int], int]] = []
    for params in sets:
        jobs = _jobs(plan, params)
        index.append({key: len(all_jobs) + i for i, key in enumerate(jobs)})
        all_jobs.extend(jobs.values())
    if out is not None:
        resume = resume and (out / "manifest.json").is_file()
        results = execute(
            all_jobs, workers, (lambda: None) if progress else None, out=out, resume=resume, kind="calibrate"
        )
    else:
        bar = None
        if progress:
            from hls_sim.commands._common import progress_bar

            bar = progress_bar(len(all_jobs), "calibrate")
        results = execute(all_jobs, workers, bar.update if bar else None)
        if bar:
            bar.close()
    est = np.array([_estimates(plan, {k: results[i] for k, i in idx.items()}) for idx in index])
    dist = np.array([distance(plan, e) for e in est])
    d_part = dist[1:]
    n_acc = max(1, int(math.ceil(plan.accept * len(particles))))
    order = np.argsort(d_part, kind="mergesort")
    accepted = np.zeros(len(particles), bool)
    accepted[order[:n_acc]] = True
    return Fit(plan, particles, est[1:], d_part, est[0], float(dist[0]), accepted, time.perf_counter() - t0)


def write_fit(out: Path, fit: Fit) -> Path:
    from hls_sim.atomic import atomic_write_json

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "calibration.json", fit.as_dict())
    return out / "calibration.json"


def format_fit(fit: Fit) -> str:
    from hls_sim.validation.runner import fmt

    d = fit.as_dict()
    lines = [
        f"calibration ({d['method']}): {d['accepted']} of {d['particles']} parameter sets accepted, "
        f"{len(d['seeds'])} seed(s) each, {d['seconds']:.0f} s",
        f"  distance (RMS of scaled errors, capped at {ERROR_CAP:g}): defaults {fmt(d['default_distance'])}, "
        f"best {fmt(d['best_distance'])}, worst accepted {fmt(d['accepted_distance_max'])}",
        "  fitted ranges (accepted sets):",
    ]
    for p in d["parameters"]:
        lines.append(
            f"    {p['name']:22s} default {fmt(float(p['default'])):>8s}  prior [{fmt(p['prior'][0])}, {fmt(p['prior'][1])}]"
            f"  accepted [{fmt(p['accepted_min'])}, {fmt(p['accepted_max'])}] median {fmt(p['accepted_median'])}"
            f"  best {fmt(p['best'])}"
        )
    lines.append("  how well each target is met (evidence | defaults | accepted mean [min, max] | best):")
    for t in d["targets"]:
        lines.append(
            f"    {t['target']}\n      {t['metric']}: evidence {fmt(t['evidence_value'])} band {t['band']} | "
            f"defaults {fmt(t['default'])} ({'met' if t['met_at_default'] else 'not met'}) | "
            f"accepted {fmt(t['accepted_mean'])} [{fmt(t['accepted_min'])}, {fmt(t['accepted_max'])}] | "
            f"best {fmt(t['best'])} ({'met' if t['met_at_best'] else 'not met'})"
        )
    return "\n".join(lines)
