"""The lives on two threads against one: whole runs side by side, alternating, best of each.

From `SPLIT_MIN_ROWS` people (hls_sim/kernels/life.py) each week's lives are split in two halves,
one on a helper thread. Whether that pays depends on the size of a week's work against the cost
of handing half of it to a thread, so this part times whole runs (set-up and weeks, wall and
CPU) with the split forced on and forced off, at sizes around the threshold, alternating (off,
on, off, on, ...) on the same seed and keeping the best of each. The two runs must give the same
summary, bit for bit (`identical`); the speed-up is reported, never asserted.
"""

from __future__ import annotations

import time
from typing import Any

from tqdm import tqdm

import hls_sim.kernels.life as life_kernel
from benchmarks.common import load, same_summary
from hls_sim.runner import run as run_model

FULL = ((2_000, 520, 5), (5_000, 520, 5), (10_000, 520, 5), (20_000, 520, 5), (100_000, 104, 3))
QUICK = ((300, 10, 1),)


def _one(citizens: int, weeks: int, split: bool, seed: int) -> tuple[dict[str, float], dict]:
    saved = life_kernel.SPLIT_MIN_ROWS
    life_kernel.SPLIT_MIN_ROWS = 1 if split else 1 << 62
    try:
        w, c = time.perf_counter(), time.process_time()
        result = run_model(seed=seed, citizens=citizens, weeks=weeks, burn_in_weeks=min(52, weeks - 1))
        return {"wall": time.perf_counter() - w, "cpu": time.process_time() - c}, result.summary
    finally:
        life_kernel.SPLIT_MIN_ROWS = saved


def measure(citizens: int, weeks: int, repeats: int, seed: int = 1) -> dict[str, Any]:
    times: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    summaries: dict[bool, dict] = {}
    for _ in range(repeats):
        for split in (False, True):
            t, summaries[split] = _one(citizens, weeks, split, seed)
            times[split].append(t)
    best = {s: {k: min(t[k] for t in ts) for k in ts[0]} for s, ts in times.items()}
    return {
        "citizens": citizens,
        "weeks": weeks,
        "seed": seed,
        "repeats": repeats,
        "one_thread": best[False],
        "two_threads": best[True],
        "speedup_wall": best[False]["wall"] / best[True]["wall"],
        "cpu_ratio": best[True]["cpu"] / best[False]["cpu"],
        "identical": same_summary(summaries[False], summaries[True]),
    }


def run(quick: bool = False) -> dict[str, Any]:
    run_model(seed=1, citizens=200, weeks=2, burn_in_weeks=1)  # compile or load the cache first
    before = load()
    rows = [measure(*case) for case in tqdm(QUICK if quick else FULL, desc="lives: two threads vs one", unit="size")]
    return {
        "rows": rows,
        "threshold": life_kernel.SPLIT_MIN_ROWS,
        "load_before": before,
        "load_after": load(),
    }
