"""Measurements that need a process of their own: peak memory of one population size, and the
cost of a first start with and without numba's on-disk cache. Prints one JSON object on stdout.

    python -m benchmarks.child scale --citizens 100000 --weeks 520 [--no-twin]
    NUMBA_CACHE_DIR=/tmp/x python -m benchmarks.child start
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM: unlike getrusage's ru_maxrss, it is not
    inherited from the parent process across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def scale(citizens: int, weeks: int, regime: str, seed: int, twin: bool = True) -> dict:
    """One size: set-up and weekly-step time, and the process's peak memory over its baseline."""
    from tqdm import tqdm

    import hls_sim
    from hls_sim.model import HLSModel

    hls_sim.run(seed=1, citizens=200, weeks=2, burn_in_weeks=1)  # compiled or loaded from cache before timing
    baseline = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    model = HLSModel(seed=seed, regime=regime, citizens=citizens, weeks=weeks, twin=twin)
    t1, c1 = time.perf_counter(), time.process_time()
    label = f"{citizens:,} citizens, twin {'on' if twin else 'off'}"
    with tqdm(total=weeks, desc=label, unit="wk", file=sys.stderr, leave=False) as bar:
        model.run(progress=lambda _week: bar.update())
    t2, c2 = time.perf_counter(), time.process_time()
    summary = model.recorder.summary(model)
    peak = _rss_mb()
    cw = citizens * weeks
    return {
        "citizens": citizens,
        "weeks": weeks,
        "regime": regime,
        "seed": seed,
        "twin": twin,
        "setup_s": t1 - t0,
        "run_wall_s": t2 - t1,
        "run_cpu_s": c2 - c1,
        "total_wall_s": t2 - t0,
        "setup_cpu_s": c1 - c0,
        "ns_per_citizen_week": (t2 - t1) / cw * 1e9,
        "ns_per_citizen_week_incl_setup": (t2 - t0) / cw * 1e9,
        "cpu_ns_per_citizen_week": (c2 - c1) / cw * 1e9,
        "drawn_ahead_on_second_core": bool(model._draws.prefetch),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "bytes_per_citizen": (peak - baseline) * 1024 * 1024 / citizens,
        "true_outcome": summary["true_outcome"],
        "wellbeing_mean": summary["wellbeing_mean"],
        "impact_wellbeing": summary.get("impact_wellbeing"),  # None without the twin
    }


def start() -> dict:
    """A new process: import, then the first small run (compiles every kernel, or loads the cache)."""
    t0 = time.perf_counter()
    import hls_sim
    import hls_sim.model  # noqa: F401  (`import hls_sim` alone no longer loads the model: see hls_sim/__init__.py)

    t1 = time.perf_counter()
    hls_sim.run(seed=1, citizens=200, weeks=3, burn_in_weeks=1)
    t2 = time.perf_counter()
    hls_sim.run(seed=1, citizens=200, weeks=3, burn_in_weeks=1)
    t3 = time.perf_counter()
    return {"import_s": t1 - t0, "first_run_s": t2 - t1, "second_run_s": t3 - t2}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.child")
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("scale")
    s.add_argument("--citizens", type=int, required=True)
    s.add_argument("--weeks", type=int, default=520)
    s.add_argument("--regime", default="block_grant")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--no-twin", dest="twin", action="store_false", help="run without the no-service twin")
    sub.add_parser("start")
    a = ap.parse_args(argv)
    out = scale(a.citizens, a.weeks, a.regime, a.seed, a.twin) if a.what == "scale" else start()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
