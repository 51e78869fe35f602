"""Cost per citizen-week and memory per citizen from a thousand to a hundred thousand citizens.

Each size runs ten simulated years in a fresh process, so that its peak resident memory is its
own; memory per citizen is that peak above the process's baseline after imports and compilation.
The million-citizen run takes several minutes on two cores and is its own part, `million`
(`python -m benchmarks --million`).
"""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from benchmarks.common import flatness, load, run_child

FULL = (1_000, 10_000, 100_000)
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
    return {"weeks": weeks, "rows": rows, **flatness(rows)}
