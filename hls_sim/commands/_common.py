"""Options and helpers shared by the run-like subcommands."""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from hls_sim.params import PARAMS, parse_set


def _whole_number(text: str) -> int:
    """An integer written as --set would accept it (``1000``, ``1e3``, ``2000.0``), so that
    ``--citizens 1e3`` and ``--set citizens=1e3`` agree; the range is checked with the parameter."""
    try:
        num = float(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid whole number: {text!r}") from None
    if num != num or num in (float("inf"), float("-inf")) or num != int(num):
        raise argparse.ArgumentTypeError(f"invalid whole number: {text!r}")
    return int(num)


def add_population_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--citizens", type=_whole_number, default=None, help="population size (default from scenario)")
    p.add_argument("--weeks", type=_whole_number, default=None, help="run length in weeks")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any parameter or lever, e.g. --set incentive_strength=0.8 (repeatable)",
    )


def add_output_options(p: argparse.ArgumentParser, *, resume: bool = False, what: str = "folder") -> None:
    p.add_argument(  # kept as typed (not a Path), so that an empty --out "" is refused, not read as "."
        "--out", default=None, metavar="DIR", help=f"output {what} (default: a new folder under results/)"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a result of the same kind already in --out (the old one stays until the new one is complete)",
    )
    if resume:
        p.add_argument("--resume", action="store_true", help="finish the unfinished run of this same command in --out")


def add_workers_option(p: argparse.ArgumentParser, default: int | None, what: str) -> None:
    p.add_argument("--workers", type=int, default=default, metavar="N", help=what)


MAX_WORKERS = 256  # more processes than this is a typing slip, not a machine


def check_workers(workers: int) -> int:
    from hls_sim.errors import UsageError

    allowed = f"allowed is 1 to {MAX_WORKERS}"
    if workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers}); {allowed}")
    if workers > MAX_WORKERS:
        raise UsageError(f"--workers must be at most {MAX_WORKERS} (got {workers:,}); {allowed}")
    return workers


def default_workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return min(max(1, n), MAX_WORKERS)


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Validated overrides from --citizens, --weeks, --regime and --set (raises ParameterError)."""
    out: dict[str, Any] = {}
    for key in ("citizens", "weeks", "regime"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = PARAMS[key].coerce(value, source=f"--{key}")
    out.update(parse_set(args.sets))
    return out


def default_out(kind: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / f"{kind}-{stamp}"
    path, k = base, 1
    while path.exists():
        k += 1
        path = Path(f"{base}-{k}")
    return path


def claim_out(args: argparse.Namespace, kind: str, default_name: str | None = None):  # type: ignore[no-untyped-def]
    """The checked output folder of a command (hls_sim.outdir.Target), before any work."""
    from hls_sim.errors import UsageError
    from hls_sim.outdir import claim

    resume, overwrite = getattr(args, "resume", False), getattr(args, "overwrite", False)
    what = UNFINISHED.get(kind, kind)
    if resume and args.out is None:  # a new timestamped folder never holds anything to resume
        raise UsageError(f"--resume needs --out DIR: the folder of the {what} to finish")
    if resume and overwrite:
        raise UsageError(f"--resume finishes the {what} in --out and --overwrite replaces it: give one of them")
    out = args.out if args.out is not None else default_out(default_name or kind)
    return claim(out, kind, overwrite=overwrite, resume=resume)


# what the folder of each resumable command holds, in words
UNFINISHED = {"compare": "comparison", "validate": "validation", "robustness": "robustness study"}


def progress_bar(total: int, desc: str):
    """A tqdm bar on stderr (tqdm ships with Mesa); silent when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, disable=None, leave=False)


@contextlib.contextmanager
def engine_folder(target):  # type: ignore[no-untyped-def]
    """Where the engine writes: the target itself (new or resumed: finished runs stay on any stop),
    or, with --overwrite, a staging folder swapped in only when everything is written."""
    if target.mode == "overwrite":
        with target.staged() as staging:
            yield staging
    else:
        yield target.path


def run_engine(plan, folder: Path, *, target, workers: int, resume_cmd: str, progress: bool | None = None):  # type: ignore[no-untyped-def]
    """Run a plan with the engine, turning its errors into the command line's (exit 2, or 1 with how to resume)."""
    from hls_sim.errors import OutputError, UsageError
    from hls_sim.sweep.executors import ExecutorError
    from hls_sim.sweep.runner import run_plan
    from hls_sim.sweep.store import StoreError, WriteError

    try:
        return run_plan(plan, folder, workers=workers, resume=target.mode == "resume", progress=progress)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except (WriteError, ExecutorError) as exc:
        if target.mode == "overwrite":
            raise OutputError(f"{exc}; the old result in {target.path} is unchanged") from None
        raise OutputError(f"{exc}; finished runs are safe, continue with: {resume_cmd}") from None
    except KeyboardInterrupt:
        if target.mode != "overwrite":
            print(f"\nhls-sim: finished runs are safe; continue with: {resume_cmd}", file=sys.stderr)
        raise


def resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command line that finishes this run: the same one with --resume --out DIR."""
    typed = getattr(args, "argv", None) or [args.command]
    words = [w for w in typed if w not in ("--overwrite", "--resume")]
    if "--out" in words:
        i = words.index("--out")
        del words[i : i + 2]
    words = [w for w in words if not w.startswith("--out=")]
    return "hls-sim " + " ".join(shlex.quote(w) for w in [*words, "--resume", "--out", str(out)])
