"""`hls-sim compare`: regimes or scenarios side by side on common random numbers.

Each label runs on the same seeds, so every label meets the same people and the same shocks;
the table gives the mean over seeds and a 95% confidence interval.

With `--common-operations` every label runs with the first label's operational levers (the
`operations` group of `hls_sim.levergroups`: admin and indicator time, eligibility, episode
length), so what remains between the labels is payment, targets, competition, discretion,
learning and the rest; the values imposed are printed and kept in the manifest.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hls_sim.commands._common import (
    add_output_options,
    add_population_options,
    check_workers,
    claim_out,
    engine_folder,
    overrides_from_args,
    resume_command,
    run_engine,
)
from hls_sim.params import PARAMS

if TYPE_CHECKING:
    import polars as pl

TABLE_METRICS = (
    "impact_wellbeing",
    "crises_avoided_per_1000_per_year",
    "need_years_avoided_per_1000",
    "cost_per_crisis_avoided",
    "cost_per_need_year_avoided",
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "gaming_effort_substitution",
    "gaming_threshold",
    "gaming_ratchet",
    "gaming_misreporting",
    "gaming_cream_skimming",
    "gaming_parking",
    "gaming_timing",
    "time_to_service_true",
    "time_to_service_reported",
    "wellbeing_mean",
    "wellbeing_most_complex_decile",
    "real_improvement_rate",
    "crisis_events_per_1000_per_year",
    "total_cost_per_year",
    "cost_per_true_outcome",
    "worker_turnover",
    "morale_mean",
    "trust_provider_provider",
    "knowledge_mean",
    "relational_time_share",
    "admin_time_share",
    "handoffs_per_person",
    "provider_churn",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare regimes (default) or scenarios over several seeds")
    p.add_argument("scenarios", nargs="*", help="scenarios to compare (default: every regime on the default scenario)")
    p.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="number of seeds per label, from --seed on (default: the first scenario's `seeds` list, else 5)",
    )
    p.add_argument("--seed", type=int, default=None, help="first seed when --seeds is given (default 1)")
    p.add_argument(
        "--regime", default=None, choices=PARAMS["regime"].choices, help="force one regime for every scenario"
    )
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument(
        "--common-operations",
        action="store_true",
        help="run every label with the first label's operational levers (admin and indicator time, eligibility, "
        "episode length; the 'operations' group of `hls-sim explain`); without scenarios the first label is "
        "block_grant",
    )
    p.add_argument(
        "--no-campbell",
        action="store_true",
        help="skip the runs at several stakes that draw the report's Campbell's-Law curve",
    )
    add_output_options(p, resume=True)
    add_population_options(p)
    p.set_defaults(func=main)


def plan(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Labels and their validated overrides, built before anything runs."""
    from hls_sim.errors import UsageError
    from hls_sim.params import resolve
    from hls_sim.regimes import REGIMES
    from hls_sim.scenarios import scenario_overrides

    common = overrides_from_args(args)
    labels: dict[str, dict[str, Any]] = {}
    if args.scenarios:
        for name in args.scenarios:
            if Path(name).stem in labels:
                raise UsageError(f"scenario '{Path(name).stem}' is given twice")
            o = scenario_overrides(name)
            o.update(common)
            labels[Path(name).stem] = o
    else:
        base = scenario_overrides(None)  # every regime on the default scenario
        for regime in REGIMES:
            labels[regime] = {**base, **common, "regime": regime}
    for label, o in labels.items():
        resolve(o, source=label)
    return labels


def impose_operations(labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Give every label the first label's operations levers (in place); what was imposed, for the manifest."""
    from hls_sim import levergroups
    from hls_sim.params import resolve

    first = next(iter(labels))
    names = levergroups.members(levergroups.OPERATIONS)
    reference = resolve(labels[first], source=first)
    values = {k: reference[k] for k in names}
    replaced: dict[str, dict[str, list[Any]]] = {}
    for label, o in labels.items():
        before = resolve(o, source=label)
        replaced[label] = {k: [before[k], v] for k, v in values.items() if before[k] != v}
        o.update(values)
        resolve(o, source=label)
    return {"from": first, "group": levergroups.OPERATIONS, "values": values, "replaced": replaced}


def format_imposed(info: dict[str, Any]) -> str:
    values = ", ".join(f"{k}={v}" for k, v in info["values"].items())
    lines = [f"common operations from '{info['from']}': {values}"]
    for label, changed in info["replaced"].items():
        if changed:
            lines.append(f"  {label}: " + ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items()))
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from hls_sim.scenarios import compare_seeds, scenario_notes

    check_workers(args.workers)
    seeds = compare_seeds(args.scenarios, args.seeds, args.seed)
    labels = plan(args)
    imposed = impose_operations(labels) if args.common_operations else None
    notes = scenario_notes(args.scenarios or [None], list(labels))
    from hls_sim.sweep.comparison import compare_plan, write_tables

    target = claim_out(args, "compare")  # the folder is checked before anything is simulated
    engine_plan = compare_plan(labels, seeds, campbell=not args.no_campbell, scenarios=notes)
    if imposed is not None:  # recorded beside what was planned; the points' parameters (and hash) hold the values
        engine_plan = dataclasses.replace(engine_plan, about={**engine_plan.about, "common_operations": imposed})
        print(format_imposed(imposed))
    with engine_folder(target) as folder:
        report = run_engine(
            engine_plan, folder, target=target, workers=args.workers, resume_cmd=resume_command(args, target.path)
        )
        if report.failed:
            from hls_sim.errors import OutputError

            raise OutputError(
                f"{report.failed} of {report.n_runs} runs failed in the model; their errors are in "
                f"{target.path / 'failures'}/ (no table was written)"
            )
        tables = write_tables(folder)
        runs = tables["runs.parquet"]
        assert runs is not None
        table = summarise(runs, list(labels))
        _write_table(folder, table)
        print(format_table(table, list(labels), len(seeds)))
        if args.scenarios:
            for label, note in notes.items():
                print(f"  {label}: {note['description']}")
        print(f"seeds: {', '.join(map(str, seeds))} (the same for every label)")
        _maybe_report(folder, target.path)
    print(f"outputs written to {target.path}")
    return 0


def _write_table(folder: Path, table: pl.DataFrame) -> None:
    from hls_sim.atomic import atomic_write_parquet, atomic_write_text

    atomic_write_text(folder / "table.csv", table.write_csv())
    atomic_write_parquet(folder / "table.parquet", table)


def _scalars(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def summarise(runs: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    import polars as pl

    from hls_sim.stats import mean_ci

    rows = []
    for metric in TABLE_METRICS:
        if metric not in runs.columns:
            continue
        for label in labels:
            vals = runs.filter(pl.col("label") == label)[metric].to_list()
            mean, sd, lo, hi = mean_ci(vals)
            rows.append(
                {"metric": metric, "label": label, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi, "n": len(vals)}
            )
    return pl.DataFrame(rows)


def format_table(table: pl.DataFrame, labels: list[str], n_seeds: int) -> str:
    import polars as pl

    width = max(12, *(len(label) + 2 for label in labels))
    head = f"{'metric (mean ± 95% CI half-width, ' + str(n_seeds) + ' seeds)':44s}" + "".join(
        f"{label:>{width + 10}s}" for label in labels
    )
    lines = [head, "-" * len(head)]
    for metric in TABLE_METRICS:
        sub = table.filter(pl.col("metric") == metric)
        if sub.height == 0:
            continue
        cells = []
        big = max(abs(v) for v in sub["mean"].to_list()) >= 100  # one number format per row
        for label in labels:
            r = sub.filter(pl.col("label") == label).row(0, named=True)
            half = (r["ci_high"] - r["ci_low"]) / 2.0
            cells.append(f"{r['mean']:>{width}.0f} ±{half:<7.0f}" if big else f"{r['mean']:>{width}.3f} ±{half:<7.3f}")
        lines.append(f"{metric:44s}" + "".join(f"{c:>{width + 10}s}" for c in cells))
    return "\n".join(lines)


def _maybe_report(folder: Path, shown: Path) -> None:
    """Write the HTML report from what the runs wrote (`folder`, which becomes `shown`)."""
    if os.environ.get("HLS_SIM_NO_REPORT"):
        return
    from hls_sim.report import REPORT_NAME, write_report

    write_report(folder, progress=False, shown_as=shown)
    print(f"report written to {shown / REPORT_NAME}")
