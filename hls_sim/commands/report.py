"""`hls-sim report DIR`: one offline HTML report from a run, compare, sweep, explain or robustness output folder."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="turn the output folder of run, compare, sweep, explain or robustness into one offline HTML report",
        description=(
            "Write DIR/report.html (summary table, charts, parameters, seeds, version; works with no internet) "
            "and each chart as HTML and PNG under DIR/charts/. It reads what the runs wrote and never runs the model."
        ),
    )
    p.add_argument(
        "folder",
        type=Path,
        metavar="DIR",
        help="output folder of `hls-sim run`, `compare`, `sweep`, `explain` or `robustness`",
    )
    p.add_argument("--out", default=None, help="where to write the report (default DIR/report.html)")
    p.add_argument("--overwrite", action="store_true", help="replace --out even if it is not an earlier hls-sim report")
    p.add_argument("--no-png", action="store_true", help="skip the PNG copy of each chart")
    p.add_argument("--no-campbell", action="store_true", help="leave out the Campbell's-Law curve")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.errors import UsageError
    from hls_sim.report import write_report

    if args.out is not None and not args.out.strip():
        raise UsageError("--out is empty: give the name of the report file (ending in .html)")
    path = write_report(
        args.folder, out=args.out, png=not args.no_png, campbell=not args.no_campbell, overwrite=args.overwrite
    )
    print(f"report written to {path}")
    return 0
