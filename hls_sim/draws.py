"""The weekly random numbers, drawn one week ahead on a second core when the population is large.

Every week the kernels read fixed-shape blocks of uniforms from four named streams (life, doors,
care, workforce). Drawing them costs about as much as a fast kernel, and numpy releases the GIL
while it fills an array, so for a large population the blocks of week t+1 are filled on a helper
thread while the (GIL-free) kernels of week t run. Each stream is still drawn by one thread, in
week order, into blocks of the same shape, so the numbers, and every result, are bit-identical to
drawing them in line; only the wall-clock time changes. Below `PREFETCH_MIN_ROWS` rows a thread
hand-off costs more than the draws it hides, and blocks are drawn in line.

Rule that keeps this exact: nothing else may draw from a prefetched stream during a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

import numpy as np

from hls_sim.threads import helper

PREFETCH_MIN_ROWS = 50_000


def _fill(gens: Sequence[np.random.Generator], bufs: Sequence[np.ndarray]) -> None:
    for g, b in zip(gens, bufs, strict=True):
        g.random(out=b)


class WeeklyDraws:
    """Blocks of uniforms, one per stream, handed out one week at a time.

    `next()` returns this week's blocks. With prefetching on, the returned arrays alternate
    between two sets, and the other set is already being filled for the following week.
    """

    def __init__(
        self, gens: Sequence[np.random.Generator], shapes: Sequence[tuple[int, ...]], prefetch: bool | None = None
    ) -> None:
        self.gens = list(gens)
        rows = max((s[0] for s in shapes), default=0)
        self.prefetch = rows >= PREFETCH_MIN_ROWS if prefetch is None else prefetch
        self.sets = [[np.empty(s) for s in shapes] for _ in range(2 if self.prefetch else 1)]
        self.current = 0
        self.pending: Future | None = None

    def next(self, more: bool = True) -> list[np.ndarray]:
        """This week's blocks; with `more`, the following week's start filling in the background."""
        if not self.prefetch:
            _fill(self.gens, self.sets[0])
            return self.sets[0]
        if self.pending is None:  # nothing drawn ahead (first week, or the last call said no more)
            _fill(self.gens, self.sets[self.current])
        else:
            self.pending.result()
            self.pending = None
            self.current = 1 - self.current
        if more:
            self.ahead()
        return self.sets[self.current]

    def ahead(self) -> None:
        """Start filling the following week's blocks in the background, if not already started.
        A caller can hand out this week's blocks with `next(more=False)` and call this later, once
        the work that wants both cores (the split life kernel) is done."""
        if self.prefetch and self.pending is None:
            self.pending = helper("draws").submit(_fill, self.gens, self.sets[1 - self.current])
