"""Sweep throughput: runs per minute of the default population through `hls-sim sweep`'s own
machinery (plan, process pool, result store), on one worker and on two.

The two-worker figure includes starting the worker processes (spawn, imports, numba's cache);
a longer sweep amortises that, so the runs-per-minute of a real sweep is at least this.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import load
from hls_sim.sweep import make_plan, parse_experiment, run_sweep

EXPERIMENT = """
name = "benchmark_throughput"
description = "Every regime, default population, for runs-per-minute."
seed = 2024
replicates = {replicates}
common_random_numbers = true

[base]
weeks = {weeks}

[design]
type = "grid"

[vary.regime]
values = ["block_grant", "output_targets", "payment_by_results", "alliance", "hls"]

[outputs]
summary = ["true_outcome", "reported_outcome", "campbell_gap", "wellbeing_mean", "total_cost"]
"""


def run(quick: bool = False, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    replicates, weeks = (1, 20) if quick else (24, 260)
    plan = make_plan(parse_experiment(EXPERIMENT.format(replicates=replicates, weeks=weeks), source="benchmark"))
    rows = []
    for n_workers in workers:
        before = load()
        with tempfile.TemporaryDirectory(prefix="hls-bench-sweep-") as tmp:
            report = run_sweep(plan, Path(tmp) / "sweep", workers=n_workers, progress=True)
        rows.append(
            {
                "workers": n_workers,
                "runs": report.ok,
                "failed": report.failed,
                "seconds": report.seconds,
                "runs_per_minute": 60.0 * report.ok / report.seconds,
                "load_before": before,
                "load_after": load(),
            }
        )
    return {"citizens": 2000, "weeks": weeks, "rows": rows}
