"""Named random streams: common random numbers across regimes.

Each mechanism draws from its own stream, derived from the run's seed and a fixed stream id,
and draws the same number of values every week whatever the regime does. Two regimes run on
one seed therefore meet the same people, the same shocks and the same luck, so differences
between them come from the rules and not from noise (Starsim's approach).
"""

from __future__ import annotations

import numpy as np

# Fixed ids: never renumber, or every golden value changes.
STREAMS: dict[str, int] = {
    "population": 1,  # initial citizens
    "workforce_init": 2,  # initial workers
    "life": 3,  # shocks and priority shifts
    "doors": 4,  # help-seeking and which door people reach
    "care": 5,  # help, discharge and recording draws
    "workforce": 6,  # quits and new hires
    "providers": 7,  # cultures, audits, policy exploration, re-tenders, staff losses
    # 8 was a "learning" stream that nothing drew from; the id stays retired
}


class Streams:
    """One numpy Generator per named mechanism, all derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._gens = {
            name: np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, sid])))
            for name, sid in STREAMS.items()
        }

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._gens[name]
