"""`hls-sim validate`: does the model reproduce the patterns in the evidence, and how sure is it?

Runs every experiment in `experiments/validation/` over its seeds, prints PASS or FAIL for each
pattern with the numbers behind it, and writes them (with seeds, parameters and version) to an
output folder. A failing pattern is a finding, not an error: the exit status is 0 unless
`--strict` is given, so that a report of where the model and the evidence disagree is always
produced. Every experiment file and the output folder are checked before anything runs; the runs
go through the same engine as sweeps, so a stopped validation resumes with `--resume`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hls_sim.commands._common import (
    add_output_options,
    check_workers,
    claim_out,
    default_workers,
    engine_folder,
    resume_command,
)


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
    p.add_argument(
        "--robustness",
        action="append",
        default=[],
        metavar="DIR",
        help="a finished `hls-sim robustness` folder whose conclusions the report lists beside the verdicts (repeatable)",
    )
    add_output_options(p, resume=True)
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any pattern fails")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.errors import OutputError, UsageError
    from hls_sim.sweep.executors import ExecutorError
    from hls_sim.sweep.store import StoreError, WriteError
    from hls_sim.validation import calibration, runner
    from hls_sim.validation.spec import load_patterns

    workers = check_workers(args.workers if args.workers is not None else default_workers())
    if args.experiments is not None and not args.experiments.is_dir():
        raise UsageError(f"--experiments: {args.experiments} is not a folder")
    # everything that can be wrong with the input is found here, before any run or any file
    patterns = load_patterns(args.experiments, quick=args.quick, only=args.pattern)
    plan = calibration.load_plan(args.experiments, quick=args.quick) if args.calibrate else None
    runner.jobs_plan(list(runner.plan(patterns)[0].values()))  # every arm checked as a whole run
    from hls_sim.robustness import summary

    studies = [summary.read(d) for d in args.robustness]
    target = claim_out(args, "validate")
    resume = target.mode == "resume"
    again = resume_command(args, target.path)
    with engine_folder(target) as out:
        try:
            results, table, seconds = runner.validate(patterns, out, workers=workers, resume=resume)
            print(runner.format_results(results))
            mode = "quick (smoke test: small populations, few seeds)" if args.quick else "full"
            print(
                f"validation {mode}: {len(patterns)} pattern{'s' * (len(patterns) != 1)} in {seconds:.0f} s "
                f"on {workers} worker{'s' * (workers != 1)}"
            )
            runner.write_outputs(out, results, table, seconds, quick=args.quick, workers=workers)
            print(f"results written to {target.path / 'validation.json'}")
            fit = None
            if plan is not None:
                fit = calibration.calibrate(plan, workers=workers, out=out / "calibration", resume=resume)
                print(calibration.format_fit(fit))
                calibration.write_fit(out, fit)
                print(f"calibration written to {target.path / 'calibration.json'}")
            if studies:
                print("robustness of the main conclusions:\n" + summary.conclusions_text(studies))
            if args.report:
                from hls_sim.validation.report import write_report

                section = summary.conclusions_html(studies, args.robustness)
                write_report(out, results, fit, quick=args.quick, seconds=seconds, robustness=section)
                print(f"report written to {target.path / 'report.html'}")
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        except (WriteError, ExecutorError, OSError) as exc:
            if target.mode == "overwrite":
                raise OutputError(f"{exc}; the old result in {target.path} is unchanged") from None
            raise OutputError(f"{exc}; finished runs are safe, continue with: {again}") from None
    failed = sum(r.verdict != runner.PASS for r in results)
    return 1 if (args.strict and failed) else 0
