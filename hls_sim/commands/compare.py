"""`hls-sim compare`: regimes or scenarios side by side on common random numbers.

Each label runs on the same seeds, so every label meets the same people and the same shocks;
the table gives the mean over seeds and a 95% confidence interval.

Against the first label, every other label's cost and impact are added up year by year, paired
seed by seed, with 95% bands and the break-even year (`hls_sim.breakeven`); then a one-at-a-time
sweep of the documented assumptions shows which of them drive that difference
(`hls_sim.assumptions`; `--assumptions N`, `--no-assumptions`).

With `--common-operations` every label runs with the first label's operational levers (the
`operations` group of `hls_sim.levergroups`: admin and indicator time, eligibility, episode
length), so what remains between the labels is payment, targets, competition, discretion,
learning and the rest; the values imposed are printed and kept in the manifest.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import textwrap
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hls_sim.assumptions import DEFAULT_RERUN, RERUN
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
from hls_sim.terminal import say

if TYPE_CHECKING:
    import polars as pl

TABLE_METRICS = (
    "impact_wellbeing",
    "crises_avoided_per_1000_per_year",
    "reactive_contacts_avoided_per_1000_per_year",
    "need_years_avoided_per_1000",
    "cost_per_crisis_avoided",
    "cost_per_need_year_avoided",
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "gaming_hours_share",
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
# The rows of the terminal table without --wide, in reading order: impact, the indicator and the
# truth, who is helped, cost and the workforce (every row is in table.csv and with --wide).
HEADLINE = (
    "impact_wellbeing",
    "crises_avoided_per_1000_per_year",
    "need_years_avoided_per_1000",
    "cost_per_crisis_avoided",
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "gaming_hours_share",
    "wellbeing_most_complex_decile",
    "crisis_events_per_1000_per_year",
    "total_cost_per_year",
    "worker_turnover",
    "morale_mean",
)
TERMINAL_WIDTH = 100


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
        "--regime",
        default=None,
        choices=PARAMS["regime"].choices,
        help="force one regime for every scenario (with no scenario: the default place under that regime alone)",
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
        "--assumptions",
        type=int,
        default=None,
        metavar="N",
        help=f"re-run the first N behavioural assumptions of the screened list at low and high values "
        f"(default {DEFAULT_RERUN}, at most {len(RERUN)}; 0 = only the cost assumptions, which need no runs)",
    )
    p.add_argument(
        "--no-assumptions",
        action="store_true",
        help="skip the one-at-a-time sweep of the documented assumptions (and the report's section on them)",
    )
    p.add_argument("--wide", action="store_true", help="print every row and column of the table, however wide")
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
    elif "regime" in common:  # --regime with no scenario: the default place under that regime alone
        labels[common["regime"]] = {**scenario_overrides(None), **common}
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
    from hls_sim.errors import UsageError
    from hls_sim.scenarios import compare_seeds, scenario_notes

    check_workers(args.workers)
    if args.assumptions is not None and not 0 <= args.assumptions <= len(RERUN):
        raise UsageError(f"--assumptions must be from 0 to {len(RERUN)} (got {args.assumptions})")
    if args.assumptions is not None and args.no_assumptions:
        raise UsageError("--assumptions and --no-assumptions contradict each other; give one of them")
    seeds = compare_seeds(args.scenarios, args.seeds, args.seed)
    labels = plan(args)
    imposed = impose_operations(labels) if args.common_operations else None
    notes = scenario_notes(args.scenarios or [None], list(labels))
    from hls_sim.sweep.comparison import TIMESERIES, compare_plan, write_tables

    target = claim_out(args, "compare")  # the folder is checked before anything is simulated
    engine_plan = compare_plan(labels, seeds, campbell=not args.no_campbell, scenarios=notes)
    rerun = None if args.no_assumptions or len(labels) < 2 else _rerun_plan(args, labels, seeds)
    if imposed is not None:  # recorded beside what was planned; the points' parameters (and hash) hold the values
        engine_plan = dataclasses.replace(engine_plan, about={**engine_plan.about, "common_operations": imposed})
        say(format_imposed(imposed))
    with engine_folder(target) as folder:
        resume_cmd = resume_command(args, target.path)
        report = run_engine(engine_plan, folder, target=target, workers=args.workers, resume_cmd=resume_cmd)
        _refuse_failures(report, target.path, "")
        tables = write_tables(folder)
        runs = tables["runs.parquet"]
        assert runs is not None
        table = summarise(runs, list(labels))
        _write_table(folder, table)
        say(format_table(table, list(labels), len(seeds), wide=args.wide))
        if args.scenarios:
            for label, note in notes.items():
                say(
                    textwrap.fill(
                        f"{label}: {note['description']}", TERMINAL_WIDTH, initial_indent="  ", subsequent_indent="    "
                    )
                )
        say(f"seeds: {', '.join(map(str, seeds))} (the same for every label)")
        params: dict[str, dict[str, Any]] = engine_plan.about["labels"]
        ts = tables[TIMESERIES]
        assert ts is not None
        if len(labels) > 1:
            from hls_sim import breakeven

            cot = breakeven.cost_over_time(ts, params)
            breakeven.write(folder, cot)
            say("\n" + breakeven.format_terminal(cot))
            if rerun is not None:
                _assumptions(args, folder, target, rerun, params, ts, resume_cmd)
        _maybe_report(folder, target.path)
    say(f"outputs written to {target.path}")
    return 0


def _refuse_failures(report: Any, where: Path, what: str) -> None:
    if report.failed:
        from hls_sim.errors import OutputError

        raise OutputError(
            f"{report.failed} of {report.n_runs} {what}runs failed in the model; their errors are in "
            f"{where / 'failures'}/ (no table was written)"
        )


def _rerun_plan(args: argparse.Namespace, labels: dict[str, dict[str, Any]], seeds: list[int]):  # type: ignore[no-untyped-def]
    """The assumption re-runs, planned (and so checked) before anything runs."""
    from hls_sim.assumptions import RERUN_SEEDS, chosen, rerun_plan

    n = DEFAULT_RERUN if args.assumptions is None else args.assumptions
    return rerun_plan(labels, seeds[:RERUN_SEEDS], chosen(n))


def _assumptions(args, folder, target, rerun, params, ts, resume_cmd) -> None:  # type: ignore[no-untyped-def]
    """Run (or resume) the assumption re-runs in `assumptions/`, then write and print their effects."""
    from hls_sim import assumptions as asm
    from hls_sim.atomic import atomic_write_parquet

    names = [a["name"] for a in rerun.about["assumptions"]]
    seeds = rerun.about["seeds"]
    say(
        "\n"
        + textwrap.fill(
            f"Assumptions: {len(asm.RECOMPUTED)} cost assumptions recomputed from the runs (no new runs); "
            f"{len(names)} behavioural re-run at low and high values on seed{'s' * (len(seeds) != 1)} "
            f"{', '.join(map(str, seeds))}: {rerun.n_runs} runs (--assumptions N to change, --no-assumptions "
            "to skip).",
            TERMINAL_WIDTH,
        )
    )
    reruns = None
    if rerun.n_runs:
        sub = folder / asm.FOLDER
        resuming = (sub / "manifest.json").exists()
        mode = "resume" if resuming else "overwrite" if target.mode == "overwrite" else "new"
        report = run_engine(
            rerun, sub, target=types.SimpleNamespace(mode=mode), workers=args.workers, resume_cmd=resume_cmd
        )
        _refuse_failures(report, sub, "assumption ")
        reruns = asm.rerun_series(sub)
    tab = asm.table(ts, params, reruns, asm.rerun_values(rerun.about, params))
    atomic_write_parquet(folder / asm.TABLE, tab)
    effs = asm.effects(tab, params)
    left = "; ".join(f"{k}: {v}" for k, v in rerun.about.get("left_out", {}).items())
    say(asm.format_terminal(effs, next(iter(params)), rerun=names, seeds=seeds, skipped=left))


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
            # a ratio (cost per crisis avoided) is undefined on a seed that avoided nothing: `n` counts
            # the seeds the mean is taken over, `seeds` the seeds run
            used = sum(1 for v in vals if v is not None and math.isfinite(v))
            rows.append(
                {
                    "metric": metric,
                    "label": label,
                    "mean": mean,
                    "sd": sd if used > 1 else math.nan,
                    "ci_low": lo if used > 1 else math.nan,
                    "ci_high": hi if used > 1 else math.nan,
                    "n": used,
                    "seeds": len(vals),
                }
            )
    return pl.DataFrame(rows)


def _cell(mean: float, half: float, fmt: Any, used: int | None = None, seeds: int | None = None) -> str:
    """A mean with its interval, and `(k of n)` when the measure is undefined on some seeds."""
    if not math.isfinite(mean):
        return "n/a"
    text = f"{fmt(mean)} ±{fmt(half)}" if math.isfinite(half) else fmt(mean)
    return f"{text} ({used} of {seeds})" if used is not None and seeds is not None and used < seeds else text


def _row_format(metric: str, means: list[float]) -> Any:
    """One number format per row, from the unit and the size of the largest value."""
    from hls_sim.breakeven import money
    from hls_sim.labels import output_unit

    big = max((abs(v) for v in means if math.isfinite(v)), default=0.0)
    if output_unit(metric).startswith("GBP"):
        return lambda x: money(x)
    decimals = 0 if big >= 100 else 1 if big >= 10 else 2 if big >= 1 else 3
    return lambda x: f"{x:,.{decimals}f}"


def _wrap_label(label: str, width: int) -> list[str]:
    """A label over as many lines as it needs, broken after '_' or '-' where it can be."""
    words = label.replace("_", "_\0").replace("-", "-\0").replace(" ", " \0").split("\0")
    lines = [""]
    for w in words:
        if len(lines[-1]) + len(w.rstrip()) > width and lines[-1]:
            lines.append("")
        lines[-1] += w
    out = []
    for line in lines:
        line = line.strip()
        out.extend(textwrap.wrap(line, width, break_long_words=True) if len(line) > width else [line])
    return out or [""]


def format_table(table: pl.DataFrame, labels: list[str], n_seeds: int, *, wide: bool = False) -> str:
    """The compare table: the headline rows in at most 100 columns (labels in blocks if need be),
    or with `wide` every row with its full words and every label side by side."""
    import polars as pl

    from hls_sim.labels import output_title, terminal_title

    metrics = [m for m in (TABLE_METRICS if wide else HEADLINE) if table.filter(pl.col("metric") == m).height]
    names = {m: output_title(m) if wide else terminal_title(m) for m in metrics}
    cells: dict[str, dict[str, str]] = {}
    for m in metrics:
        sub = table.filter(pl.col("metric") == m)
        rows = {r["label"]: r for r in sub.iter_rows(named=True)}
        fmt = _row_format(m, [rows[lab]["mean"] for lab in labels if lab in rows])
        cells[m] = {
            lab: _cell(
                rows[lab]["mean"],
                (rows[lab]["ci_high"] - rows[lab]["ci_low"]) / 2.0,
                fmt,
                rows[lab].get("n"),
                rows[lab].get("seeds"),
            )
            if lab in rows
            else ""
            for lab in labels
        }
    partial = any(r["n"] < r["seeds"] for r in table.iter_rows(named=True) if r["metric"] in cells and "seeds" in r)
    name_w = max([len(n) for n in names.values()] + [6])
    cell_w = max([len(c) for row in cells.values() for c in row.values()] + [8])
    longest = max(len(lab) for lab in labels)
    if wide:
        cell_w = max(cell_w, longest)
        per_block = len(labels)
    else:
        if name_w + len(labels) * (max(cell_w, longest) + 2) <= TERMINAL_WIDTH:
            cell_w = max(cell_w, longest)  # every label whole on one line
        per_block = max(1, (TERMINAL_WIDTH - name_w) // (cell_w + 2))
    head = f"mean ± 95% CI half-width over {n_seeds} seed{'s' * (n_seeds != 1)} (seed noise only)" + (
        "" if wide else "; --wide for every row"
    )
    if partial:
        head += (
            "\n(k of n): the measure is defined on k of the n seeds only (a cost per crisis avoided has"
            "\nno value on a seed that avoided none); the mean and interval are over those k"
        )
    lines = [head]
    for start in range(0, len(labels), per_block):
        block = labels[start : start + per_block]
        wrapped = [_wrap_label(lab, cell_w) for lab in block]
        depth = max(len(w) for w in wrapped)
        lines.append("")
        for i in range(depth):
            left = "output (unit)" if i == depth - 1 else ""
            lines.append(
                f"{left:<{name_w}}" + "".join(f"  {(w[i] if i < len(w) else ''):>{cell_w}}" for w in wrapped).rstrip()
            )
        lines.append("-" * (name_w + len(block) * (cell_w + 2)))
        for m in metrics:
            lines.append(f"{names[m]:<{name_w}}" + "".join(f"  {cells[m][lab]:>{cell_w}}" for lab in block))
    return "\n".join(lines)


def _maybe_report(folder: Path, shown: Path) -> None:
    """Write the HTML report from what the runs wrote (`folder`, which becomes `shown`)."""
    if os.environ.get("HLS_SIM_NO_REPORT"):
        return
    from hls_sim.report import REPORT_NAME, write_report

    write_report(folder, progress=False, shown_as=shown)
    say(f"report written to {shown / REPORT_NAME}")
