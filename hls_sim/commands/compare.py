"""`hls-sim compare`: regimes or scenarios side by side on common random numbers.

Each label runs on the same seeds, so every label meets the same people and the same shocks;
the table gives the mean over seeds and a 95% confidence interval.
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim.commands._common import add_population_options, default_out, overrides_from_args, progress_bar
from hls_sim.params import PARAMS, resolve
from hls_sim.regimes import REGIMES
from hls_sim.runner import run
from hls_sim.scenarios import compare_seeds, scenario_notes, scenario_overrides
from hls_sim.stats import mean_ci
from hls_sim.version import __version__

TABLE_METRICS = (
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
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a new folder under results/)")
    add_population_options(p)
    p.set_defaults(func=main)


def run_summary(job: tuple[str, dict[str, Any], int]) -> tuple[str, int, dict[str, Any]]:
    """One run of one label on one seed; top level so that worker processes can pickle it."""
    label, overrides, seed = job
    result = run(seed=seed, **overrides)
    return label, seed, result.summary


def plan(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Labels and their validated overrides, built before anything runs."""
    common = overrides_from_args(args)
    labels: dict[str, dict[str, Any]] = {}
    if args.scenarios:
        for name in args.scenarios:
            if Path(name).stem in labels:
                from hls_sim.cli import UsageError

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


def main(args: argparse.Namespace) -> int:
    seeds = compare_seeds(args.scenarios, args.seeds, args.seed)
    labels = plan(args)
    jobs = [(label, {k: v for k, v in o.items() if k != "seed"}, s) for label, o in labels.items() for s in seeds]
    rows: list[dict[str, Any]] = []
    bar = progress_bar(len(jobs), "compare")
    if args.workers > 1:
        with ProcessPoolExecutor(max_workers=args.workers) as ex:
            for label, seed, summary in ex.map(run_summary, jobs):
                rows.append({"label": label, "seed": seed, **_scalars(summary)})
                bar.update()
    else:
        for job in jobs:
            label, seed, summary = run_summary(job)
            rows.append({"label": label, "seed": seed, **_scalars(summary)})
            bar.update()
    bar.close()
    runs = pl.DataFrame(rows)
    table = summarise(runs, list(labels))
    out = Path(args.out or default_out("compare"))
    out.mkdir(parents=True, exist_ok=True)
    runs.write_parquet(out / "runs.parquet")
    table.write_csv(out / "table.csv")
    table.write_parquet(out / "table.parquet")
    manifest = {
        "hls_sim_version": __version__,
        "seeds": seeds,
        "labels": {label: resolve(o) for label, o in labels.items()},
        "scenarios": scenario_notes(args.scenarios or [None], list(labels)),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(format_table(table, list(labels), len(seeds)))
    if args.scenarios:
        for label, note in manifest["scenarios"].items():
            print(f"  {label}: {note['description']}")
    print(f"seeds: {', '.join(map(str, seeds))} (the same for every label)")
    print(f"outputs written to {out}")
    _maybe_report(out)
    return 0


def _scalars(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def summarise(runs: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
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


def _maybe_report(out: Path) -> None:
    """Write the HTML report when the reporting module is present (issue 6)."""
    if os.environ.get("HLS_SIM_NO_REPORT"):
        return
    try:
        from hls_sim.report import write_report
    except ImportError:
        return
    path = write_report(out)
    print(f"report written to {path}")
