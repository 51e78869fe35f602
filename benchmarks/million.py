"""The city-sized target: 1,000,000 citizens for ten simulated years (520 weeks), opt-in.

Issue 15 asks for under 2 minutes and under 2.5 GB with the no-service twin on (issue 14 and
issue 7: under 2 GB). The run is made twice, twin on and twin off, each in a fresh process (so
that each peak memory is its own), which also gives the twin's cost at the target size. Where
a week's time goes at this size comes from the phase benchmark at 1,000,000 citizens for 8
weeks. On two shared cores this part takes several minutes, so it runs only when asked:
`python -m benchmarks --million` (or `--only million`).
"""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from benchmarks import phases
from benchmarks.common import load, run_child

FULL = (1_000_000, 520, 8)  # citizens, weeks of the timed runs, weeks of the phase breakdown
QUICK = (20_000, 20, 4)


def twin_ratios(on: dict[str, Any], off: dict[str, Any]) -> dict[str, float]:
    """Twin on / off, whole run and weeks alone. CPU time (both threads) is the steadier measure when
    other work shares the machine; wall time is what a user waits."""
    return {
        "run_cpu": (on["setup_cpu_s"] + on["run_cpu_s"]) / (off["setup_cpu_s"] + off["run_cpu_s"]),
        "weeks_cpu": on["run_cpu_s"] / off["run_cpu_s"],
        "run_wall": on["total_wall_s"] / off["total_wall_s"],
        "weeks_wall": on["run_wall_s"] / off["run_wall_s"],
    }


def run(quick: bool = False) -> dict[str, Any]:
    citizens, weeks, phase_weeks = QUICK if quick else FULL
    rows = []
    for twin in tqdm((True, False), desc=f"{citizens:,} citizens x {weeks} weeks", unit="run"):
        before = load()
        args = ["scale", "--citizens", str(citizens), "--weeks", str(weeks)] + ([] if twin else ["--no-twin"])
        row = run_child(args)
        row["load_before"], row["load_after"] = before, load()
        rows.append(row)
    on, off = rows
    return {
        "citizens": citizens,
        "weeks": weeks,
        "rows": rows,
        "twin_ratios": twin_ratios(on, off),
        "phases": phases.run_sizes(((citizens, phase_weeks),)),
    }
