"""The engine: running a plan into its results folder, from scratch or resuming after a stop.

Sweeps, `compare` and `validate` all run here (their plans differ, see `plan.py`), so they share
the worker pool, the store, the failure records and resume.

Every finished run is on disk before the next progress tick, so whatever stops the process
(Ctrl-C, SIGKILL, a full disk, a lost cluster) loses at most the runs in flight; `resume`
re-reads the folder and does exactly the runs that are missing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim.outdir import article
from hls_sim.sweep.executors import dask_client, run_dask, run_inline, run_pool
from hls_sim.sweep.experiment import Experiment, load_experiment
from hls_sim.sweep.plan import Plan
from hls_sim.sweep.store import (
    EXPERIMENT,
    RESULTS,
    StoreError,
    SweepStore,
    WriteError,
    atomic_write_parquet,
)
from hls_sim.sweep.task import RunOutcome, RunTask
from hls_sim.version import __version__


@dataclass
class SweepReport:
    out: Path
    n_runs: int
    ran_now: int
    ok: int
    failed: int
    redone_parts: int
    seconds: float
    results: Path


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _library_versions() -> dict[str, str]:
    import numba
    import numpy
    import scipy

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "polars": pl.__version__,
    }


def new_manifest(plan: Plan) -> dict[str, Any]:
    """What was planned (its hash, size and the command's own description) and the status."""
    return {
        "format": plan.format,
        "kind": plan.kind,
        "hls_sim_version": __version__,
        **plan.about,
        "n_points": len(plan.point_params),
        "n_runs": plan.n_runs,
        "plan_hash": plan.hash,
        "libraries": _library_versions(),
        "status": "created",
        "created": _now(),
    }


def check_resumable(store: SweepStore, plan: Plan) -> dict[str, Any]:
    """Refuse to mix runs from another plan or another model version into one results folder."""
    if not store.exists():
        raise StoreError(f"{store.root} holds no {plan.kind} to resume (no manifest.json); start one without --resume")
    m = store.manifest()
    if m.get("format") != plan.format:
        what = str(m.get("kind") or m.get("format"))
        raise StoreError(
            f"{store.root} holds {article(what)}, not {article(plan.kind)} (manifest format {m.get('format')!r}); "
            "choose another --out"
        )
    if m.get("hls_sim_version") != __version__:
        raise StoreError(
            f"{store.root} was started with hls_sim {m.get('hls_sim_version')} and this is {__version__}: "
            f"its runs would mix two model versions; start a new {plan.kind} in another folder"
        )
    if m.get("plan_hash") != plan.hash:
        raise StoreError(
            f"{store.root} was started from a different plan (its inputs, parameter defaults or sampler "
            f"changed); resume it with the inputs it was started with, or start a new {plan.kind} elsewhere"
        )
    return m


def _executor(tasks: list[RunTask], workers: int, client: Any, label: str) -> Iterator[RunOutcome]:
    if client is not None:
        return run_dask(tasks, client, label)
    if workers > 1 and len(tasks) > 1:
        return run_pool(tasks, workers)
    return run_inline(tasks)


def _failure_record(task: RunTask, outcome: RunOutcome, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "coords": task.coords,
        "parameters": params,
        "error": outcome.error,
        "traceback": outcome.traceback,
        "retry": outcome.retry,
        "hls_sim_version": outcome.version,
        "when": _now(),
    }


def run_plan(
    plan: Plan,
    out: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool | None = None,
    desc: str | None = None,
) -> SweepReport:
    """Run (or finish) the plan into `out`; raises StoreError, writing nothing, if `out` does not fit.

    A new folder is locked before it is checked, so two commands started into one folder at once
    cannot both find it empty.
    """
    store = SweepStore(out)
    if resume:
        check_resumable(store, plan)
    t0 = time.monotonic()
    with contextlib.ExitStack() as stack:
        # connect before writing anything: a wrong address is bad input, not a stopped run
        client = stack.enter_context(dask_client(scheduler, workers)) if scheduler else None
        created = not store.root.exists()
        try:
            store.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {store.root}: {exc.strerror or exc}") from None
        try:
            stack.enter_context(store.lock())
            if resume:
                check_resumable(store, plan)  # again, now that no one else can change it
            else:
                store.check_new()
        except StoreError:
            if created:
                with contextlib.suppress(OSError):
                    store.root.rmdir()
            raise
        if not resume:
            try:
                store.create(new_manifest(plan), plan.files, plan.points_table())
            except OSError as exc:
                raise WriteError(f"could not start the results folder {store.root}: {exc}") from exc
        done, failed, redone = store.scan_done()
        if retry_failed:
            for run_id in failed:
                store.failure_path(run_id).unlink(missing_ok=True)
            failed = set()
        todo = [t for t in plan.tasks if t.run_id not in done and t.run_id not in failed]
        executor = {"scheduler": scheduler} if scheduler else {"workers": workers}  # results do not depend on it
        _update(store, status="running", started=_now(), resumed=resume, executor=executor)
        n_ok, n_failed = _execute(
            plan,
            store,
            todo,
            _executor(todo, workers, client, plan.hash[:12]),
            len(done),
            len(failed),
            progress,
            desc or plan.kind,
        )
        results = store.consolidate()
        if plan.status_table:
            _write_runs_table(store, plan)
        _update(
            store,
            status="complete" if n_failed == 0 else "complete_with_failures",
            finished=_now(),
            runs_ok=n_ok,
            runs_failed=n_failed,
        )
    return SweepReport(store.root, plan.n_runs, len(todo), n_ok, n_failed, redone, time.monotonic() - t0, results)


run_sweep = run_plan  # the name this engine had when sweeps were its only user


def _update(store: SweepStore, **changes: Any) -> None:
    try:
        store.update_manifest(**changes)
    except OSError as exc:
        raise WriteError(f"could not write {store.root / 'manifest.json'}: {exc}") from exc


def _execute(
    plan: Plan,
    store: SweepStore,
    todo: list[RunTask],
    outcomes: Iterator[RunOutcome],
    n_ok: int,
    n_failed: int,
    progress: bool | None,
    desc: str = "sweep",
) -> tuple[int, int]:
    """Write each outcome as it arrives; on any stop, mark the manifest and let the error through."""
    bar = _bar(plan.n_runs, n_ok + n_failed, n_failed, progress, desc)
    by_id = {t.run_id: t for t in todo}
    try:
        for outcome in outcomes:
            task = by_id.pop(outcome.run_id)
            if outcome.rows is not None and outcome.version != __version__:
                outcome = RunOutcome(
                    outcome.run_id, None, f"worker runs hls_sim {outcome.version}, this sweep {__version__}", retry=True
                )
            if outcome.rows is not None:
                store.write_part(outcome.run_id, outcome.rows)
                n_ok += 1
            else:
                store.write_failure(outcome.run_id, _failure_record(task, outcome, plan.point_params[task.point]))
                n_failed += 1
            bar.set_postfix(failed=n_failed, refresh=False)
            bar.update()
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
        bar.close()
        with contextlib.suppress(OSError):  # a full disk may refuse it; resume works from the parts alone
            store.update_manifest(status=status, stopped=_now(), stop_reason=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()  # shut the pool or cancel cluster work now, not at garbage collection
    bar.close()
    return n_ok, n_failed


def _bar(total: int, initial: int, failed: int, progress: bool | None, desc: str = "sweep"):  # type: ignore[no-untyped-def]
    """Runs done, runs failed and the time left, on stderr (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    disable = None if progress is None else not progress
    bar = tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit="run",
        file=sys.stderr,
        disable=disable,
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} runs [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
    )
    bar.set_postfix(failed=failed, refresh=False)
    return bar


def _write_runs_table(store: SweepStore, plan: Plan) -> None:
    """One row per planned run: ids, seed, status and error (parameters are per point)."""
    failures = store.failure_records()
    assert plan.status_table is not None
    rows: dict[str, list[Any]] = {k: [] for k in ("run_id", "point", "replicate", "seed", "status", "error")}
    for t in plan.tasks:
        rec = failures.get(t.run_id)
        rows["run_id"].append(t.run_id)
        rows["point"].append(t.point)
        rows["replicate"].append(t.replicate)
        rows["seed"].append(t.seed)
        rows["status"].append("failed" if rec else "ok")
        rows["error"].append(rec["error"] if rec else None)
    df = pl.DataFrame(
        rows,
        schema={
            "run_id": pl.Int64,
            "point": pl.Int64,
            "replicate": pl.Int64,
            "seed": pl.Int64,
            "status": pl.String,
            "error": pl.String,
        },
    )
    try:
        atomic_write_parquet(store.root / plan.status_table, df)
    except OSError as exc:
        raise WriteError(f"could not write {store.root / plan.status_table}: {exc}") from exc


def stored_experiment(out: str | Path) -> Experiment:
    """The experiment a results folder was started from, under the name it was run with."""
    store = SweepStore(Path(out))
    exp = load_experiment(store.root / EXPERIMENT)
    name = store.manifest().get("experiment") if store.exists() else None
    return dataclasses.replace(exp, name=name) if isinstance(name, str) and name else exp


def load_results(out: str | Path) -> pl.LazyFrame:
    """The tidy long table of a sweep (finished or not) as a polars LazyFrame."""
    store = SweepStore(Path(out))
    sources = [store.root / RESULTS] if (store.root / RESULTS).is_file() else []
    sources += sorted(store.parts.glob("run-*.parquet")) if store.parts.is_dir() else []
    if not sources:
        raise StoreError(f"{store.root} holds no results yet")
    return pl.scan_parquet(sources)
