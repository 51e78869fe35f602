"""Sweep throughput: runs per minute of the default population, on one worker and on two.

Two measurements: through `hls-sim sweep`'s own machinery (plan, process pool, result store;
starting the worker processes is included), and bare engine runs in an already-started process
pool (what the engine itself allows). On a machine where other work holds a core, the second
worker has little to run on: the load average is recorded with each row.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import hls_sim
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
    replicates, weeks = (1, 60) if quick else (4, 260)  # 20 runs per measurement: the default run stays short
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
    bare = [_bare(n_workers, 5 * replicates, weeks) for n_workers in workers]
    return {"citizens": 2000, "weeks": weeks, "rows": rows, "bare_rows": bare}


def bare_run(seed: int, weeks: int) -> float:
    """One default-population run (top level, so that a spawned worker can import it)."""
    return hls_sim.run(seed=seed, weeks=weeks).summary["true_outcome"]


def _bare(n_workers: int, runs: int, weeks: int) -> dict[str, Any]:
    before = load()
    with ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(bare_run, range(n_workers), [2] * n_workers))  # start the workers, load the cache
        t = time.perf_counter()
        list(pool.map(bare_run, range(runs), [weeks] * runs))
        seconds = time.perf_counter() - t
    return {
        "workers": n_workers,
        "runs": runs,
        "seconds": seconds,
        "runs_per_minute": 60.0 * runs / seconds,
        "load_before": before,
        "load_after": load(),
    }
