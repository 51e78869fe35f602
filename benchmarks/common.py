"""What every benchmark needs: the machine it ran on, honest timers, child processes, result files.

Timings on a shared 2-core machine move with whatever else runs, so every result records the
load average before and after, wall time and CPU time, and the best of several repeats where
a measurement is cheap enough to repeat.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """CPU, memory, library versions and the code's commit: what a reader needs to compare numbers."""
    import mesa
    import numba
    import numpy

    import hls_sim

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "hls_sim": hls_sim.__version__,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_engine_files": (_git("status", "--porcelain", "--", "hls_sim") or "").splitlines(),
        "numba_threading_layer": os.environ.get("NUMBA_THREADING_LAYER", "default"),
    }


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def load() -> float:
    """One-minute load average: above the core count, other work was competing for the CPU."""
    return round(os.getloadavg()[0], 2)


class Timer:
    """Wall and CPU seconds of a block (CPU counts every thread of this process)."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def best_of(repeats: int, fn: Callable[[], Any]) -> dict[str, float]:
    """Best wall and best CPU time over repeats: the least-disturbed run is the closest to the code's cost."""
    walls, cpus = [], []
    for _ in range(repeats):
        with Timer() as t:
            fn()
        walls.append(t.wall)
        cpus.append(t.cpu)
    return {"wall_s": min(walls), "cpu_s": min(cpus), "wall_all_s": walls, "repeats": repeats}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_child(args: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m benchmarks.child ...` in a fresh process; it prints one JSON object last."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=None,  # the child's progress bar goes straight to the terminal
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed with status {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def flatness(rows: list[dict[str, Any]], smallest: int = 10_000) -> dict[str, Any]:
    """How much the weekly cost per citizen-week varies from `smallest` citizens up (max / min, wall time)."""
    big = [r for r in rows if r["citizens"] >= smallest]
    if len(big) < 2:
        return {"flatness": None, "flatness_sizes": [r["citizens"] for r in big]}
    cost = [r["ns_per_citizen_week"] for r in big]
    return {"flatness": max(cost) / min(cost), "flatness_sizes": [r["citizens"] for r in big]}


def write_result(out: Path, name: str, data: dict[str, Any]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)
    return path


@contextmanager
def one_thread_lives() -> Iterator[None]:
    """Live every life on this thread (no split between two, whatever the population), so that
    thread CPU time measures the life kernel's whole cost. Results are the same either way."""
    import hls_sim.kernels.life as life_kernel

    saved = life_kernel.SPLIT_MIN_ROWS
    life_kernel.SPLIT_MIN_ROWS = 1 << 62
    try:
        yield
    finally:
        life_kernel.SPLIT_MIN_ROWS = saved


def same_value(a: Any, b: Any) -> bool:
    """Equal summary values, NaN equal to NaN (an undefined measure on both sides), lists item by item."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def same_summary(a: dict, b: dict) -> bool:
    """Two run summaries with the same keys and equal values (`same_value`)."""
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
