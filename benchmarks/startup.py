"""What compilation costs, and that a new process with a warm on-disk cache does not pay it again.

Three fresh processes: one with an empty numba cache directory (every kernel compiles), one
more on that same directory (kernels load from the cache), and one on the default in-tree
cache (`hls_sim/kernels/__pycache__`), which is what a user's second command meets. Also the
wall time of the commands that should answer at once (`hls-sim --version`, `hls-sim params`),
best of five fresh processes each.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from typing import Any

from benchmarks.common import ROOT, load, run_child

QUICK_COMMANDS = {"version": ["--version"], "params": ["params"]}


def command_seconds(args: list[str], repeats: int = 5) -> float:
    """Best wall time of `python -m hls_sim ARGS` in a fresh process (interpreter start included)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "hls_sim", *args], cwd=ROOT, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def run(quick: bool = False) -> dict[str, Any]:
    before = load()
    with tempfile.TemporaryDirectory(prefix="hls-bench-numba-cache-") as cache:
        cold = run_child(["start"], env={"NUMBA_CACHE_DIR": cache})
        warm = run_child(["start"], env={"NUMBA_CACHE_DIR": cache})
    default = run_child(["start"])
    commands = {name: command_seconds(args, 2 if quick else 5) for name, args in QUICK_COMMANDS.items()}
    return {
        "commands_s": commands,
        "cold_empty_cache": cold,
        "warm_same_cache_new_process": warm,
        "default_in_tree_cache": default,
        "compile_cost_s": cold["first_run_s"] - warm["first_run_s"],
        "load_before": before,
        "load_after": load(),
    }
