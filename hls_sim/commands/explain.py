"""`hls-sim explain A B`: split the difference between two regimes or scenarios among lever groups.

Every combination of the lever groups that differ runs on the same seeds through the engine
(resumable, parallel, results independent of --workers); exact Shapley values over the groups
then say how much of B - A each group accounts for, with intervals over seeds.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from hls_sim.commands._common import (
    add_output_options,
    add_population_options,
    check_workers,
    claim_out,
    default_workers,
    engine_folder,
    overrides_from_args,
    resume_command,
    run_engine,
)

DESCRIPTION = (
    "Decompose the difference B - A in the headline measures (impact, crises avoided, crisis events, total cost, "
    "Campbell gap, true outcome) into lever groups: payment; targets and measurement; competition or alliance; "
    "operations (admin, eligibility, episode length); discretion and permission; learning and steward; provider "
    "structure; and the background groups (outreach, provider organisations, workforce, place, change of regime, "
    "model mechanisms). Every parameter on which A and B differ belongs to one group (hls_sim/levergroups.py). "
    "With k groups differing, all 2^k combinations run on the same seeds (common random numbers) and each group's "
    "exact Shapley value is computed seed by seed: the shares add up to B - A, a group that does not differ gets 0, "
    "and swapping A and B negates every share. Writes explain.json, coalitions.parquet and report.html."
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="which lever groups made the difference between two regimes or scenarios (Shapley values)",
        description=DESCRIPTION,
    )
    p.add_argument("a", metavar="A", help="a regime (run on the default scenario) or a scenario name or .toml file")
    p.add_argument("b", metavar="B", help="the other regime or scenario; the difference explained is B - A")
    p.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="number of seeds, from --seed on (default: the `seeds` list of A's scenario, else B's; for two regimes "
        "the default scenario's; else 5)",
    )
    p.add_argument("--seed", type=int, default=None, help="first seed when --seeds is given (default 1)")
    p.add_argument(
        "--measure",
        dest="measures",
        action="append",
        default=None,
        metavar="NAME",
        help="a scalar output to decompose instead of the headline measures (repeatable)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"worker processes (default: all {default_workers()} CPUs here; results do not depend on it)",
    )
    add_output_options(p, resume=True)
    add_population_options(p)
    p.epilog = "The overrides --citizens, --weeks and --set apply to both A and B."
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim import explain
    from hls_sim.errors import OutputError
    from hls_sim.scenarios import check_side, compare_seeds

    workers = check_workers(default_workers() if args.workers is None else args.workers)
    for name in (args.a, args.b):
        check_side(name)
    names = [None if explain.is_regime(n) else n for n in (args.a, args.b)]
    seeds = compare_seeds([n for n in names if n is not None] or None, args.seeds, args.seed)
    measures = explain.measure_names(args.measures)
    s = explain.setup(args.a, args.b, overrides_from_args(args), seeds)
    target = claim_out(args, "explain")  # checked before anything is simulated
    engine_plan = explain.plan(s)
    groups = ", ".join(s.groups) or "none"
    print(
        f"explain {s.b.label} - {s.a.label}: {len(s.groups)} lever group{'s' * (len(s.groups) != 1)} differ "
        f"({groups}) -> {s.n_coalitions} coalition{'s' * (s.n_coalitions != 1)} x {len(seeds)} seed"
        f"{'s' * (len(seeds) != 1)} = {engine_plan.n_runs} runs on {workers} worker{'s' * (workers != 1)}"
    )
    t0 = time.monotonic()
    with engine_folder(target) as folder:
        report = run_engine(
            engine_plan, folder, target=target, workers=workers, resume_cmd=resume_command(args, target.path)
        )
        if report.failed:
            raise OutputError(
                f"{report.failed} of {report.n_runs} runs failed in the model; their errors are in "
                f"{target.path / 'failures'}/ (no explain.json was written)"
            )
        from hls_sim.sweep.runner import load_results

        table = explain.coalition_table(load_results(folder), measures)
        doc = explain.decompose(s, table, measures)
        explain.write(folder, doc, table)
        print(explain.format_tables(doc))
        print(f"seeds: {', '.join(map(str, seeds))} (the same for every coalition)")
        print(f"{report.ran_now} runs in {time.monotonic() - t0:.0f} s")
        _maybe_report(folder, target.path)
    print(f"outputs written to {target.path}")
    return 0


def _maybe_report(folder: Path, shown: Path) -> None:
    if os.environ.get("HLS_SIM_NO_REPORT"):
        return
    from hls_sim.report import REPORT_NAME, write_report

    write_report(folder, progress=False, shown_as=shown)
    print(f"report written to {shown / REPORT_NAME}")
