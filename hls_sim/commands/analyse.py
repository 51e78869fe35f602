"""`hls-sim analyse`: means, confidence intervals, sensitivity indices and article tables of a sweep."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyse",
        aliases=["analyze"],
        help="summarise a sweep folder: means and CIs per point, sensitivity indices, article tables",
    )
    p.add_argument("folder", type=Path, help="results folder written by `hls-sim sweep`")
    p.add_argument(
        "--out",
        default=None,
        help="folder to write the tables to: absent, empty, or an earlier analysis with --overwrite "
        "(default FOLDER/analysis, replaced at each analysis)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier analysis in --out (the old tables stay until the new ones are complete)",
    )
    p.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.errors import UsageError
    from hls_sim.sweep.analysis import analyse, format_article_table
    from hls_sim.sweep.store import StoreError

    if not 0.5 <= args.level < 1.0:
        raise UsageError(f"--level must be at least 0.5 and below 1 (got {args.level})")
    if args.out is not None:
        from hls_sim.outdir import check_path

        check_path(args.out)  # before any reading or computing
    try:
        res = analyse(args.folder, out=args.out, level=args.level, overwrite=args.overwrite)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    print(format_article_table(res))
    print(f"tables written to {res.folder}: " + ", ".join(sorted({p.stem for p in res.files})))
    return 0
