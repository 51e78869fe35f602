"""What compilation costs, and that a new process with a warm on-disk cache does not pay it again.

Three fresh processes: one with an empty numba cache directory (every kernel compiles), one
more on that same directory (kernels load from the cache), and one on the default in-tree
cache (`hls_sim/kernels/__pycache__`), which is what a user's second command meets.
"""

from __future__ import annotations

import tempfile
from typing import Any

from benchmarks.common import load, run_child


def run(quick: bool = False) -> dict[str, Any]:
    before = load()
    with tempfile.TemporaryDirectory(prefix="hls-bench-numba-cache-") as cache:
        cold = run_child(["start"], env={"NUMBA_CACHE_DIR": cache})
        warm = run_child(["start"], env={"NUMBA_CACHE_DIR": cache})
    default = run_child(["start"])
    return {
        "cold_empty_cache": cold,
        "warm_same_cache_new_process": warm,
        "default_in_tree_cache": default,
        "compile_cost_s": cold["first_run_s"] - warm["first_run_s"],
        "load_before": before,
        "load_after": load(),
    }
