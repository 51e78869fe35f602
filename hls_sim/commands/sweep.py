"""`hls-sim sweep`: run an experiment file's design over many seeds, resumably, locally or on Dask."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from hls_sim.commands._common import check_workers, claim_out, default_workers, engine_folder


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run an experiment (parameter sweep or sensitivity design) into a resumable results folder",
        description="Run every point of an experiment file for its replicates. Results stream to DIR as runs "
        "finish; --resume after any stop runs only what is missing. Results do not depend on --workers "
        "or on the executor.",
    )
    p.add_argument(
        "experiment",
        nargs="?",
        default=None,
        help="experiment name (experiments/NAME.toml) or TOML file; optional with --resume",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"worker processes (default: all {default_workers()} CPUs here; with 'local' Dask, its workers)",
    )
    p.add_argument("--out", default=None, metavar="DIR", help="results folder (default: a new folder under results/)")
    p.add_argument("--resume", action="store_true", help="finish the sweep in --out: run only what is missing")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a finished sweep in --out (the old one stays until the new one is complete)",
    )
    p.add_argument("--retry-failed", action="store_true", help="with --resume, run again the runs that raised")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask distributed cluster (tcp://host:8786), or 'local' for a LocalCluster here",
    )
    p.add_argument("--no-analyse", action="store_true", help="do not run `hls-sim analyse` at the end")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.errors import OutputError, UsageError
    from hls_sim.sweep.executors import ExecutorError, SchedulerUnreachableError, dask_available, scheduler_address
    from hls_sim.sweep.experiment import load_experiment
    from hls_sim.sweep.plan import make_plan
    from hls_sim.sweep.runner import run_sweep, stored_experiment
    from hls_sim.sweep.store import EXPERIMENT, StoreError, WriteError

    workers = check_workers(default_workers() if args.workers is None else args.workers)
    if args.retry_failed and not args.resume:
        raise UsageError("--retry-failed needs --resume (and the --out of the sweep to finish)")
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out DIR: the folder of the sweep to finish")
    if args.resume and args.overwrite:
        raise UsageError("--resume finishes the sweep in --out and --overwrite replaces it: give one of them")
    if args.scheduler is not None:
        try:
            scheduler_address(args.scheduler)  # its form, before any planning or connecting
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not dask_available():
            raise UsageError("--scheduler needs Dask distributed: pip install 'hls-sim[dask]'")
    if args.experiment is None:
        if not args.resume:
            raise UsageError("give an experiment (a name from experiments/ or a TOML file), or --resume --out DIR")
        stored = Path(args.out) / EXPERIMENT
        if not stored.is_file():
            raise UsageError(f"{args.out} holds no sweep to resume (no {EXPERIMENT})")
        exp = stored_experiment(args.out)
    else:
        exp = load_experiment(args.experiment)
    target = claim_out(args, "sweep", default_name=f"sweep-{exp.name}")  # before the plan's probe run
    if not args.no_analyse and target.mode == "resume":
        from hls_sim.sweep.analysis import claim_tables

        try:
            claim_tables(target.path, None)  # the analysis at the end must not be refused after the runs
        except StoreError as exc:
            why = str(exc).removesuffix(" (nothing was written)")
            raise UsageError(f"{why}, or add --no-analyse (nothing was written)") from None
    plan = make_plan(exp, progress=True)
    out = target.path
    where = f"Dask at {args.scheduler}" if args.scheduler else f"{workers} worker{'s' * (workers > 1)}"
    print(
        f"hls-sim sweep: {exp.name}: {_n(len(plan.design.points), 'point')} x {_n(exp.replicates, 'replicate')} = "
        f"{_n(plan.n_runs, 'run')} ({exp.design.type} design, master seed {exp.seed}) on {where}",
        file=sys.stderr,
    )
    with engine_folder(target) as folder:
        try:
            report = run_sweep(
                plan,
                folder,
                workers=workers,
                scheduler=args.scheduler,
                resume=args.resume,
                retry_failed=args.retry_failed,
            )
        except (StoreError, SchedulerUnreachableError) as exc:
            raise UsageError(str(exc)) from None
        except (WriteError, ExecutorError) as exc:
            if target.mode == "overwrite":
                raise OutputError(f"{exc}; the old sweep in {out} is unchanged") from None
            raise OutputError(f"{exc}; finished runs are safe, continue with: {_resume_cmd(out)}") from None
        except KeyboardInterrupt:
            if target.mode != "overwrite":
                print(f"\nhls-sim: finished runs are safe; continue with: {_resume_cmd(out)}", file=sys.stderr)
            raise
        print(
            f"{_n(report.n_runs, 'run')}: {report.ok} done, {report.failed} failed "
            f"({report.ran_now} run now in {report.seconds:.1f} s"
            + (f"; {report.redone_parts} damaged part(s) redone" if report.redone_parts else "")
            + ")"
        )
        if report.failed:
            print(f"failed runs are listed with their errors in {out / 'runs.parquet'} and {out / 'failures'}/")
        print(f"results: {out / report.results.name} (tidy long table; polars.scan_parquet)")
        if not args.no_analyse and report.ok:
            from hls_sim.sweep.analysis import analyse, format_article_table

            try:
                res = analyse(folder)
            except StoreError as exc:
                raise UsageError(f"the runs are done, but the analysis was not written: {exc}") from None
            print(format_article_table(res))
            print(f"analysis written to {out / res.folder.name}")
    return 0


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def _resume_cmd(out: Path) -> str:
    return f"hls-sim sweep --resume --out {shlex.quote(str(out))}"
