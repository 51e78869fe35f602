"""One run of one point with one seed: the unit of work every executor ships to a worker.

`run_one` is a top-level function of a small module so that process pools (which must use the
'spawn' start method once Mesa is imported) and Dask workers can pickle it by reference. It
never raises for a failing model run: the error and its traceback travel back as data, so one
bad corner of parameter space is recorded and the run goes on.

A task carries its `kind`, which says what the worker does with it and what rows come back, all
in the one long table (ids, coordinates, scope, step, metric, value):

- "run": `hls_sim.run`, keeping the outputs in its `selection` (sweeps, compare);
- "measures": a run reduced to named measures (validation checks, calibration);
- "cohort": a run in which a cohort of people is picked at one week and followed (validation).

A new command is a new plan of tasks (`hls_sim.sweep.plan.build_plan`); a new kind of run is
one function here.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from hls_sim.sweep.outputs import Selection, long_rows, measure_rows
from hls_sim.version import __version__


def run_seed(master: int, point: int, replicate: int, *, common: bool = False) -> int:
    """The seed of one run, from the master seed and the point's index (and the replicate).

    A pure function of its arguments, so it does not matter which worker runs which task, in
    which order runs finish, or how many workers there are. With common random numbers every
    point's replicate r uses the same seed, so points differ only by their parameters.
    """
    key = (replicate,) if common else (point, replicate)
    ss = np.random.SeedSequence(master, spawn_key=key)
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class RunTask:
    run_id: int
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]  # base scenario plus the point, without the seed
    coords: dict[str, Any]
    selection: Selection | None = None  # kind "run": the outputs kept
    kind: str = "run"
    measures: tuple[str, ...] = ()  # kinds "measures" and "cohort": the measures wanted
    cohort: Any = None  # kind "cohort": a hls_sim.validation.spec.CohortSpec


@dataclass
class RunOutcome:
    run_id: int
    rows: pl.DataFrame | None  # None when the run failed
    error: str | None = None
    traceback: str | None = None
    version: str = __version__
    retry: bool = False  # the executor failed, not the model: resume runs it again


def _run_rows(task: RunTask, ids: dict[str, int]) -> pl.DataFrame:
    from hls_sim.runner import run

    assert task.selection is not None, "a 'run' task needs a selection of outputs"
    result = run(seed=task.seed, **task.overrides)
    timeseries = result.timeseries if task.selection.weekly else None
    return long_rows(result.summary, timeseries, task.selection, ids, task.coords)


def _measure_rows(task: RunTask, ids: dict[str, int]) -> pl.DataFrame:
    from hls_sim.validation.measures import Job, run_job

    job = Job(tuple(sorted(task.overrides.items())), task.seed, task.cohort, task.measures)
    return measure_rows(run_job(job), ids, task.coords)


RUN_KINDS: dict[str, Callable[[RunTask, dict[str, int]], pl.DataFrame]] = {
    "run": _run_rows,
    "measures": _measure_rows,
    "cohort": _measure_rows,
}


def run_one(task: RunTask) -> RunOutcome:
    """Run the model once and return its rows of the long table, or the error it raised."""
    ids = {"run_id": task.run_id, "point": task.point, "replicate": task.replicate, "seed": task.seed}
    try:
        rows = RUN_KINDS[task.kind](task, ids)
    except Exception as exc:  # recorded with its parameters; the run goes on
        return RunOutcome(task.run_id, None, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return RunOutcome(task.run_id, rows)
