"""The default population (2,000 citizens) for ten simulated years under each regime, after compilation."""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from benchmarks.common import best_of, load
from hls_sim.model import HLSModel
from hls_sim.regimes import REGIMES


def _one(regime: str, weeks: int) -> None:
    HLSModel(seed=1, regime=regime, weeks=weeks).run()


def run(quick: bool = False) -> dict[str, Any]:
    weeks = 52 if quick else 520
    repeats = 1 if quick else 2
    _one("block_grant", 2)  # compile or load the cache outside the timing
    before = load()
    rows = []
    for regime in tqdm(sorted(REGIMES), desc="regimes, default population", unit="regime"):
        t = best_of(repeats, lambda r=regime: _one(r, weeks))
        rows.append({"regime": regime, "citizens": 2000, "weeks": weeks, **t})
    return {"rows": rows, "load_before": before, "load_after": load()}
