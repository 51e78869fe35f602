"""Cost per citizen-week and memory per citizen from a thousand to a million citizens.

Each size runs ten simulated years in a fresh process, so that its peak resident memory is its
own; memory per citizen is that peak above the process's baseline after imports and compilation.
"""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from benchmarks.common import load, run_child

FULL = (1_000, 10_000, 100_000, 1_000_000)
QUICK = (1_000, 5_000)


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, weeks: int | None = None) -> dict[str, Any]:
    sizes = sizes or (QUICK if quick else FULL)
    weeks = weeks or (20 if quick else 520)
    rows = []
    for n in tqdm(sizes, desc="scaling", unit="size"):
        before = load()
        row = run_child(["scale", "--citizens", str(n), "--weeks", str(weeks)])
        row["load_before"], row["load_after"] = before, load()
        rows.append(row)
    big = [r["ns_per_citizen_week"] for r in rows if r["citizens"] >= 10_000]
    return {
        "weeks": weeks,
        "rows": rows,
        "flatness_10k_up": max(big) / min(big) if big else None,
    }
