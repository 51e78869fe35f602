"""Helper threads: one per purpose and process, for GIL-free work on the second core.

The engine uses two: one draws next week's random numbers (hls_sim.draws), one lives half of a
large population's week (kernels/life.py). Each is a single thread, so work handed to it runs in
the order it was handed over, and a process forked after it started gets its own, not a dead copy.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def helper(name: str) -> ThreadPoolExecutor:
    """The process's helper thread for `name`, started on first use."""
    with _lock:
        pool = _pools.get(name)
        if pool is None:
            pool = _pools[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"hls-sim-{name}")
        return pool


def _forget_after_fork() -> None:
    """A forked child has none of the parent's threads (only their Python objects): start afresh."""
    global _lock
    _pools.clear()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
