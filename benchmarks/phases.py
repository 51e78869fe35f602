"""Where a week's time goes: CPU time of each kernel and Python-level phase, per citizen-week.

Each kernel call in `hls_sim.model` is wrapped with a thread-CPU timer for the duration of the
measurement (thread time, so the helper thread that draws the random numbers and other
processes on the machine do not count). Small, medium and city-sized populations show which
costs are per person and which are per week.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm

import hls_sim.metrics
import hls_sim.model
from benchmarks.common import load

KERNELS = (
    "life_and_doors",
    "life_step",
    "followups",
    "present_and_intake",
    "allocate",
    "choose_time",
    "give_help",
    "discharge",
    "workforce_step",
)
METHODS = ("_draw_randoms", "_reset_tallies", "_update_stakes", "_finance", "_accumulate", "_review")
FULL = ((2_000, 104), (100_000, 26), (1_000_000, 8))
QUICK = ((2_000, 10),)


@contextmanager
def _timed(totals: dict[str, float]) -> Iterator[None]:
    saved: list[tuple[Any, str, Callable]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def timed(*args: Any, **kw: Any) -> Any:
            t = time.thread_time()
            try:
                return inner(*args, **kw)
            finally:
                totals[label] += time.thread_time() - t

        saved.append((owner, name, inner))
        setattr(owner, name, timed)

    for name in KERNELS:
        if hasattr(hls_sim.model, name):  # whichever kernels the model calls at this commit
            wrap(hls_sim.model, name, name)
    for name in METHODS:
        wrap(hls_sim.model.HLSModel, name, name)
    wrap(hls_sim.metrics.Recorder, "record", "recorder (incl. wellbeing_stats)")
    try:
        yield
    finally:
        for owner, name, inner in reversed(saved):
            setattr(owner, name, inner)


def measure(citizens: int, weeks: int, regime: str = "block_grant") -> dict[str, Any]:
    totals: dict[str, float] = defaultdict(float)
    model = hls_sim.model.HLSModel(seed=1, regime=regime, citizens=citizens, weeks=weeks)
    with _timed(totals):
        t0 = time.thread_time()
        model.run()
        total = time.thread_time() - t0
    cw = citizens * weeks
    parts = {k: v / cw * 1e9 for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}
    parts["other Python"] = (total - sum(totals.values())) / cw * 1e9
    return {"citizens": citizens, "weeks": weeks, "regime": regime, "cpu_ns_per_cw": total / cw * 1e9, "parts": parts}


def run(quick: bool = False) -> dict[str, Any]:
    hls_sim.model.HLSModel(seed=1, citizens=200, weeks=2).run()  # compile or load the cache first
    before = load()
    rows = [measure(n, w) for n, w in tqdm(QUICK if quick else FULL, desc="phases", unit="size")]
    return {"rows": rows, "load_before": before, "load_after": load()}
