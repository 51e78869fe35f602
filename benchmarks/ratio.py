"""The numba engine against the plain-Python Mesa reference, side by side in one process.

Both models run the same seed for the same weeks; the reference's results must be identical
(checked and recorded), so the two timings are of the same computation. Two ratios are kept:
the whole weekly step (both share the organisation-level Python code and the recorder, which
dominate the fast engine's week at small populations) and the people phase alone (the kernels
against the agent methods that restate them).
"""

from __future__ import annotations

import time
from typing import Any

from tqdm import tqdm

from benchmarks.common import load, same_summary
from hls_sim.model import HLSModel
from hls_sim.reference import ReferenceModel

FULL = [(regime, 2000, 52) for regime in ("block_grant", "output_targets", "payment_by_results", "alliance", "hls")] + [
    ("payment_by_results", 1000, 52),
    ("payment_by_results", 10000, 26),
    ("hls", 10000, 26),
]
QUICK = [("block_grant", 300, 8), ("hls", 300, 8)]


def _timed_run(cls: type[HLSModel], regime: str, citizens: int, weeks: int, seed: int) -> tuple[dict, dict]:
    model = cls(seed=seed, regime=regime, citizens=citizens, weeks=weeks)
    people = {"wall": 0.0, "cpu": 0.0}
    inner = model._people_week

    def timed_people_week() -> None:
        w, c = time.perf_counter(), time.process_time()
        inner()
        people["wall"] += time.perf_counter() - w
        people["cpu"] += time.process_time() - c

    model._people_week = timed_people_week  # the instance's step() calls this
    w0, c0 = time.perf_counter(), time.process_time()
    model.run()
    times = {
        "wall": time.perf_counter() - w0,
        "cpu": time.process_time() - c0,
        "people_wall": people["wall"],
        "people_cpu": people["cpu"],
    }
    return times, model.recorder.summary(model)


def measure(regime: str, citizens: int, weeks: int, seed: int = 1, fast_repeats: int = 3) -> dict[str, Any]:
    """Interleaved: fast, reference, fast, fast; the best fast time against the reference's."""
    fast: list[dict] = []
    t, fast_summary = _timed_run(HLSModel, regime, citizens, weeks, seed)
    fast.append(t)
    ref, ref_summary = _timed_run(ReferenceModel, regime, citizens, weeks, seed)
    for _ in range(fast_repeats - 1):
        fast.append(_timed_run(HLSModel, regime, citizens, weeks, seed)[0])
    cw = citizens * weeks
    best = {k: min(f[k] for f in fast) for k in fast[0]}
    ns = {f"numba_{k}_ns_per_cw": v / cw * 1e9 for k, v in best.items()}
    ns.update({f"reference_{k}_ns_per_cw": v / cw * 1e9 for k, v in ref.items()})
    return {
        "regime": regime,
        "citizens": citizens,
        "weeks": weeks,
        "seed": seed,
        "identical_results": same_summary(fast_summary, ref_summary),
        **ns,
        "ratio_step_wall": ref["wall"] / best["wall"],
        "ratio_step_cpu": ref["cpu"] / best["cpu"],
        "ratio_people_phase_cpu": ref["people_cpu"] / best["people_cpu"],
    }


def run(quick: bool = False) -> dict[str, Any]:
    cases = QUICK if quick else FULL
    load_before = load()
    rows = [measure(*case) for case in tqdm(cases, desc="numba vs Mesa reference", unit="case")]
    return {"rows": rows, "load_before": load_before, "load_after": load()}
