"""A comparison as a plan for the engine: labels (regimes or scenarios) side by side on common seeds.

Each label runs on the same seeds, so every label meets the same people and the same shocks
(common random numbers). Every run keeps every summary output and every weekly column, so the
folder holds what any later reading needs (the report, cost over time, break-even) and nothing
is ever simulated again to draw it. The Campbell's-Law curve is part of the same plan: the label
with the most at stake on its indicator, run again at several stakes on the first seeds.

Tables written from the engine's long table (`results.parquet`):

    runs.parquet        label, seed and every scalar summary output, one row per run
    timeseries.parquet  label, seed, week and every weekly column, one row per run and week
    campbell.parquet    label, incentive_strength, seed and the scalar summary, for the curve
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim.params import resolve
from hls_sim.sweep.outputs import Selection, available, every_output, undefined_in_probe, weekly_dtypes
from hls_sim.sweep.plan import Plan, PlannedPoint, build_plan

CAMPBELL_LEVELS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
CAMPBELL_SEEDS = 3
ARM_COMPARE = "compare"
ARM_CAMPBELL = "campbell"
RUNS = "runs.parquet"
TIMESERIES = "timeseries.parquet"
CAMPBELL = "campbell.parquet"


def campbell_base(labels: dict[str, dict[str, Any]]) -> str:
    """The label with the most at stake on its indicator shows Campbell's Law most plainly."""
    params = {k: resolve(v) for k, v in labels.items()}
    return max(params, key=lambda k: (float(params[k]["incentive_strength"]), k == "output_targets"))


def campbell_seeds(seeds: Sequence[int]) -> list[int]:
    if len(seeds) >= CAMPBELL_SEEDS:
        return list(seeds[:CAMPBELL_SEEDS])
    return [seeds[0] + k for k in range(CAMPBELL_SEEDS)]


def compare_plan(
    labels: dict[str, dict[str, Any]],
    seeds: Sequence[int],
    *,
    campbell: bool = True,
    scenarios: dict[str, Any] | None = None,
) -> Plan:
    """Every label on every seed (then the Campbell runs), checked as whole runs before anything runs."""
    full = every_output(weekly=True)
    points = []
    for label, over in labels.items():
        over = {k: v for k, v in over.items() if k != "seed"}
        stakes = float(resolve(over)["incentive_strength"])
        points.append(
            PlannedPoint(
                {"label": label, "arm": ARM_COMPARE, "incentive_strength": stakes},
                over,
                tuple(seeds),
                selection=full,
                where=f"label '{label}'",
            )
        )
    about: dict[str, Any] = {
        "seeds": list(seeds),
        "labels": {label: resolve(o) for label, o in labels.items()},
        "scenarios": scenarios or {},
        "seed_rule": "every label runs on the same seeds (common random numbers)",
    }
    if campbell:
        base = campbell_base(labels)
        cseeds = campbell_seeds(seeds)
        scalars = Selection(tuple(k for k, n in available()[0].items() if n == 0) + undefined_in_probe(), (), 1)
        over = {k: v for k, v in labels[base].items() if k not in ("seed", "incentive_strength")}
        for level in CAMPBELL_LEVELS:
            points.append(
                PlannedPoint(
                    {"label": base, "arm": ARM_CAMPBELL, "incentive_strength": float(level)},
                    {**over, "incentive_strength": float(level)},
                    tuple(cseeds),
                    selection=scalars,
                    where=f"Campbell curve of '{base}' at stakes {level:g}",
                )
            )
        about["campbell"] = {"label": base, "levels": list(CAMPBELL_LEVELS), "seeds": cseeds}
    return build_plan("compare", points, source="compare", about=about)


def _summary_wide(results: pl.LazyFrame, arm: str) -> pl.DataFrame:
    rows = (
        results.filter((pl.col("arm") == arm) & (pl.col("scope") == "summary"))
        .select("run_id", "label", "incentive_strength", "seed", "metric", "value")
        .collect()
    )
    if rows.height == 0:
        return rows
    return rows.pivot(on="metric", index=["run_id", "label", "incentive_strength", "seed"], values="value").sort(
        "run_id"
    )


def _scalar_columns(df: pl.DataFrame) -> list[str]:
    scalars = [k for k, n in available()[0].items() if n == 0] + list(undefined_in_probe())
    return [c for c in df.columns if c in scalars]


def runs_table(results: pl.LazyFrame) -> pl.DataFrame:
    """label, seed and every scalar summary output, one row per run, in run order."""
    wide = _summary_wide(results, ARM_COMPARE)
    return wide.select("label", "seed", *_scalar_columns(wide))


def campbell_table(results: pl.LazyFrame) -> pl.DataFrame | None:
    wide = _summary_wide(results, ARM_CAMPBELL)
    if wide.height == 0:
        return None
    return wide.select("label", "incentive_strength", "seed", *_scalar_columns(wide))


def timeseries_table(results: pl.LazyFrame) -> pl.DataFrame:
    """label, seed, week and every weekly column (in the recorder's own types), one row per run and week."""
    rows = (
        results.filter((pl.col("arm") == ARM_COMPARE) & (pl.col("scope") == "weekly"))
        .select("run_id", "label", "seed", "step", "metric", "value")
        .collect()
    )
    wide = rows.pivot(on="metric", index=["run_id", "label", "seed", "step"], values="value").sort("run_id", "step")
    dtypes = weekly_dtypes()
    cols = [c for c in dtypes if c in wide.columns]
    return wide.rename({"step": "week"}).select(
        "label", "seed", pl.col("week").cast(dtypes.get("week", pl.Int64)), *(pl.col(c).cast(dtypes[c]) for c in cols)
    )


def summaries(results: pl.LazyFrame, seed: int) -> dict[str, dict[str, Any]]:
    """Each label's whole summary on one seed (list outputs rebuilt from their name[i] rows)."""
    rows = (
        results.filter((pl.col("arm") == ARM_COMPARE) & (pl.col("scope") == "summary") & (pl.col("seed") == seed))
        .select("run_id", "label", "metric", "value")
        .collect()
        .sort("run_id")
    )
    out: dict[str, dict[str, Any]] = {}
    for label, metric, value in rows.select("label", "metric", "value").iter_rows():
        s = out.setdefault(label, {})
        if metric.endswith("]"):
            name, idx = metric[:-1].split("[")
            s.setdefault(name, []).append((int(idx), value))
        else:
            s[metric] = value
    for s in out.values():
        for k, v in s.items():
            if isinstance(v, list):
                s[k] = [x for _, x in sorted(v)]
    return out


def write_tables(folder: Path) -> dict[str, pl.DataFrame | None]:
    """runs.parquet, timeseries.parquet and campbell.parquet from the folder's long table."""
    from hls_sim.atomic import atomic_write_parquet
    from hls_sim.sweep.runner import load_results

    results = load_results(folder)
    tables: dict[str, pl.DataFrame | None] = {
        RUNS: runs_table(results),
        TIMESERIES: timeseries_table(results),
        CAMPBELL: campbell_table(results),
    }
    for name, df in tables.items():
        if df is not None:
            atomic_write_parquet(folder / name, df)
    return tables
