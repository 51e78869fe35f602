"""Plans: every run a command will do, with its point, replicate, seed, parameters and kind.

A plan is what the engine (`hls_sim.sweep.runner.run_plan`) executes into a results folder, so
every command that runs the model many times is a plan builder and nothing more: a sweep lays out
an experiment's design (`make_plan`), `compare` its labels on common seeds, `validate` its
patterns' arms. All share the pool, the seed rule, the resumable store and the failure records.

A plan is rebuilt from its inputs whenever it is needed (start, resume, analysis), never stored
run by run; its hash in the manifest proves that a resumed run or a later analysis is looking at
the same runs as the one that started. Every point's parameters are resolved and checked as a
whole run (`hls_sim.params.whole_run_problems`) here, before anything runs or is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hls_sim.errors import InputError
from hls_sim.params import ParameterError, resolve, whole_run_problems
from hls_sim.sweep.designs import DesignPoints, build_design
from hls_sim.sweep.experiment import Experiment
from hls_sim.sweep.outputs import Selection, check_analysis_metrics, coord_dtype, select
from hls_sim.sweep.task import RUN_KINDS, RunTask, run_seed


@dataclass(frozen=True, kw_only=True)
class Plan:
    kind: str  # the command: "sweep", "compare", "validate", "calibrate", ...
    tasks: list[RunTask]
    point_coords: list[dict[str, Any]]
    point_params: list[dict[str, Any]]  # fully resolved parameters of each point
    hash: str
    about: dict[str, Any] = field(default_factory=dict)  # what was planned, for manifest.json
    files: dict[str, str] = field(default_factory=dict)  # written once when the folder is created
    status_table: str | None = None  # a per-run status table written at the end (a sweep's runs.parquet)

    @property
    def n_runs(self) -> int:
        return len(self.tasks)

    @property
    def format(self) -> str:
        return f"hls_sim.{self.kind}/1"

    def points_table(self) -> pl.DataFrame:
        """One row per point: its coordinates and its fully resolved parameters (as JSON)."""
        n = len(self.point_coords)
        cols: dict[str, pl.Series] = {"point": pl.Series("point", list(range(n)), pl.Int64)}
        names = list(dict.fromkeys(k for c in self.point_coords for k in c))
        for c in names:
            values = [pc.get(c) for pc in self.point_coords]
            first = next((v for v in values if v is not None), None)
            cols[c] = pl.Series(c, values, dtype=coord_dtype(c, first))
        cols["parameters"] = pl.Series(
            "parameters", [json.dumps(p, sort_keys=True) for p in self.point_params], dtype=pl.String
        )
        return pl.DataFrame(cols)


@dataclass(frozen=True, kw_only=True)
class SweepPlan(Plan):
    experiment: Experiment
    design: DesignPoints
    selection: Selection
    analysis_metrics: tuple[str, ...]


@dataclass(frozen=True)
class PlannedPoint:
    """One parameter setting of a plan, run once per seed."""

    coords: dict[str, Any]  # the columns that name it in the results (e.g. label, arm)
    overrides: dict[str, Any]  # without the seed
    seeds: tuple[int, ...]
    kind: str = "run"
    selection: Selection | None = None
    measures: tuple[str, ...] = ()
    cohort: Any = None
    where: str = ""  # how an error names this point, e.g. "label 'hls'"


def checked_params(overrides: dict[str, Any], *, source: str, where: str = "") -> dict[str, Any]:
    """Resolved parameters of one run, refused (ParameterError) if they do not make a whole run."""
    params = resolve(overrides, source=source)
    for key, message in whole_run_problems(params):
        raise InputError(source, f"{where}: {key}" if where else key, message)
    params.pop("seed", None)
    return params


def _jsonable(x: Any) -> Any:
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"type": type(x).__name__, **dataclasses.asdict(x)}
    return x


def build_plan(
    kind: str,
    points: Sequence[PlannedPoint],
    *,
    source: str,
    about: dict[str, Any] | None = None,
    status_table: str | None = None,
) -> Plan:
    """Lay out every run of `points` in order (run ids count up point by point, seed by seed)."""
    tasks: list[RunTask] = []
    params_of: list[dict[str, Any]] = []
    digest = hashlib.sha256(kind.encode())
    for index, pt in enumerate(points):
        if pt.kind not in RUN_KINDS:
            raise ParameterError(f"unknown kind of run {pt.kind!r}; known: {', '.join(RUN_KINDS)}", source=source)
        params = checked_params(pt.overrides, source=source, where=pt.where)
        params_of.append(params)
        over, coords, measures = dict(pt.overrides), dict(pt.coords), tuple(pt.measures)  # shared by its runs
        for r, seed in enumerate(pt.seeds):
            tasks.append(
                RunTask(len(tasks), index, r, int(seed), over, coords, pt.selection, pt.kind, measures, pt.cohort)
            )
        sel = None if pt.selection is None else [pt.selection.summary, pt.selection.weekly, pt.selection.every]
        digest.update(
            json.dumps(
                [index, pt.coords, params, list(pt.seeds), pt.kind, sel, list(pt.measures), _jsonable(pt.cohort)],
                sort_keys=True,
                default=str,
            ).encode()
        )
    return Plan(
        kind=kind,
        tasks=tasks,
        point_coords=[dict(p.coords) for p in points],
        point_params=params_of,
        hash=digest.hexdigest(),
        about=dict(about or {}),
        status_table=status_table,
    )


PLAN_PROGRESS_POINTS = 20_000  # from this many points, checking every point takes long enough to show


def make_plan(exp: Experiment, *, progress: bool = False) -> SweepPlan:
    """Validate everything that depends on the design and lay out every run (raises ParameterError).

    With `progress`, a plan of many points shows a bar on stderr (when it is a terminal) while
    every point is checked as a whole run: a plan near the largest allowed takes minutes."""
    design = build_design(exp)
    sel = select(exp.outputs, source=exp.source)
    metrics = check_analysis_metrics(exp, sel)
    tasks: list[RunTask] = []
    point_params: list[dict[str, Any]] = []
    points = design.points
    if progress and len(points) >= PLAN_PROGRESS_POINTS:
        from tqdm import tqdm

        points = tqdm(points, desc="checking the plan", unit="point", file=sys.stderr, disable=None, leave=False)
    for pt in points:
        over = {**exp.base, **pt.overrides}
        where = "point " + ", ".join(f"{k}={v!r}" for k, v in pt.coords.items()) if pt.coords else ""
        point_params.append(checked_params(over, source=exp.source, where=where))
        for r in range(exp.replicates):
            seed = run_seed(exp.seed, pt.index, r, common=exp.common_random_numbers)
            tasks.append(RunTask(pt.index * exp.replicates + r, pt.index, r, seed, over, pt.coords, sel))
    digest = hashlib.sha256()
    digest.update(json.dumps([sel.summary, sel.weekly, sel.every, list(design.columns)]).encode())
    for pt, params in zip(design.points, point_params, strict=True):
        digest.update(json.dumps([pt.index, pt.coords, params], sort_keys=True).encode())
    digest.update(json.dumps([(t.run_id, t.seed) for t in tasks]).encode())
    about = {
        "experiment": exp.name,
        "description": exp.description,
        "experiment_file": exp.source,
        "master_seed": exp.seed,
        "replicates": exp.replicates,
        "common_random_numbers": exp.common_random_numbers,
        "seed_rule": "numpy.random.SeedSequence(master_seed, spawn_key=(point, replicate)) "
        "or (replicate,) with common random numbers; generate_state(1, uint32)[0]",
        "scenario": exp.scenario,
        "base_parameters": {k: v for k, v in resolve(exp.base).items() if k != "seed"},
        "design": exp.design.type,
        "columns": list(design.columns),
        "outputs": {"summary": list(sel.summary), "weekly": list(sel.weekly), "every": sel.every},
    }
    return SweepPlan(
        kind="sweep",
        tasks=tasks,
        point_coords=[{c: pt.coords[c] for c in design.columns} for pt in design.points],
        point_params=point_params,
        hash=digest.hexdigest(),
        about=about,
        files={"experiment.toml": exp.text},
        status_table="runs.parquet",
        experiment=exp,
        design=design,
        selection=sel,
        analysis_metrics=metrics,
    )
