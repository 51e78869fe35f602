"""`hls-sim validate`: does the model reproduce the patterns in the evidence, and how sure is it?

Runs every experiment in `experiments/validation/` over its seeds, prints PASS or FAIL for each
pattern with the numbers behind it, and writes them (with seeds, parameters and version) to an
output folder. A failing pattern is a finding, not an error: the exit status is 0 unless
`--strict` is given, so that a report of where the model and the evidence disagree is always
produced. Every experiment file is checked before anything runs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hls_sim.commands._common import default_out


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check the model against the patterns in the evidence (PASS/FAIL with 95%% intervals)",
        description="Run the validation experiments in experiments/validation/ and print a verdict per pattern.",
    )
    p.add_argument("--quick", action="store_true", help="small populations and few seeds (a smoke test, not a verdict)")
    p.add_argument("--report", action="store_true", help="also write report.html (offline, charts inlined)")
    p.add_argument("--calibrate", action="store_true", help="also fit the uncertain parameters to the numeric patterns")
    p.add_argument("--pattern", action="append", default=None, metavar="ID", help="run only this pattern (repeatable)")
    p.add_argument(
        "--experiments", type=Path, default=None, help="folder of experiment files (default: the shipped ones)"
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: all cores; results do not depend on it)"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a new folder under results/)")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any pattern fails")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.cli import UsageError
    from hls_sim.validation import calibration, runner
    from hls_sim.validation.spec import load_patterns

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.experiments is not None and not args.experiments.is_dir():
        raise UsageError(f"--experiments: {args.experiments} is not a folder")
    out = Path(args.out or default_out("validate"))
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    # everything that can be wrong with the input is found here, before any run or any file
    patterns = load_patterns(args.experiments, quick=args.quick, only=args.pattern)
    plan = calibration.load_plan(args.experiments, quick=args.quick) if args.calibrate else None

    results, table, seconds = runner.validate(patterns, workers=workers)
    print(runner.format_results(results))
    mode = "quick (smoke test: small populations, few seeds)" if args.quick else "full"
    print(f"validation {mode}: {len(patterns)} patterns in {seconds:.0f} s on {workers} worker(s)")
    path = runner.write_outputs(out, results, table, seconds, quick=args.quick, workers=workers)
    print(f"results written to {path}")
    fit = None
    if plan is not None:
        fit = calibration.calibrate(plan, workers=workers)
        print(calibration.format_fit(fit))
        print(f"calibration written to {calibration.write_fit(out, fit)}")
    if args.report:
        from hls_sim.validation.report import write_report

        print(f"report written to {write_report(out, results, fit, quick=args.quick, seconds=seconds)}")
    failed = sum(r.verdict != runner.PASS for r in results)
    return 1 if (args.strict and failed) else 0
