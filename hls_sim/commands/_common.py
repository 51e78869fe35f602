"""Options and helpers shared by the run-like subcommands."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path
from typing import Any

from hls_sim.params import PARAMS, parse_set


def add_population_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--citizens", type=int, default=None, help="population size (default from scenario)")
    p.add_argument("--weeks", type=int, default=None, help="run length in weeks")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any parameter or lever, e.g. --set incentive_strength=0.8 (repeatable)",
    )


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


def progress_bar(total: int, desc: str):
    """A tqdm bar on stderr (tqdm ships with Mesa); silent when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, disable=None, leave=False)
