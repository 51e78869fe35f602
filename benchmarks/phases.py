"""Where a run's time goes: thread CPU time of each phase of the set-up and of the week, and of
every call inside each phase, in the order the model makes them.

The phases are read from the code (`benchmarks.calltree`): the calls `HLSModel.step` makes
(`_start_week`, `_people_week`, `_organisations_week` at this commit) and, for the set-up, the
calls `HLSModel.__init__` makes; the parts of a phase are the calls in its own body (kernels,
the model's methods, the commissioner's, each provider's, the recorder's). A part that runs
inside another timed part counts once, in the outer one; what a phase does outside its parts is
its "own" time. Thread CPU time, so the helper thread that draws random numbers ahead and other
processes on the machine do not count. For the same reason the life kernel is not split between
two threads here (`SPLIT_MIN_ROWS` is raised for the measurement: the results are the same
either way), so its whole cost is in this thread; what the split saves in wall time is measured
by the scaling and million parts. Small, medium and city-sized populations show which costs
are per person and which per week.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm

from benchmarks.calltree import Call, calls
from benchmarks.common import load, one_thread_lives
from hls_sim.model import HLSModel

FULL = ((2_000, 104), (100_000, 26))  # 1,000,000 citizens: the `million` part
QUICK = ((2_000, 10),)
OWN = "(own time)"


class _Clock:
    """Thread CPU seconds by (phase, part); only the outermost timed call is counted."""

    def __init__(self) -> None:
        self.phase: dict[str, float] = defaultdict(float)
        self.part: dict[tuple[str, str], float] = defaultdict(float)
        self.current: str | None = None
        self.depth = 0

    def phase_timer(self, label: str, inner: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kw: Any) -> Any:
            if self.current is not None:  # a phase called from another phase counts there
                return inner(*args, **kw)
            self.current = label
            t = time.thread_time()
            try:
                return inner(*args, **kw)
            finally:
                self.phase[label] += time.thread_time() - t
                self.current = None

        return timed

    def part_timer(self, label: str, inner: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kw: Any) -> Any:
            if self.current is None or self.depth > 0:
                return inner(*args, **kw)
            self.depth += 1
            t = time.thread_time()
            try:
                return inner(*args, **kw)
            finally:
                self.part[(self.current, label)] += time.thread_time() - t
                self.depth -= 1

        return timed


@contextmanager
def _wrapped(targets: list[tuple[Call, Callable[[str, Callable], Callable]]]) -> Iterator[None]:
    """Replace each call target by its timer for the duration of the block (each target once)."""
    saved: list[tuple[Any, str, Any, bool]] = []
    seen: set[tuple[int, str]] = set()
    try:
        for call, make in targets:
            key = (id(call.owner), call.name)
            if key in seen:
                continue
            seen.add(key)
            own = call.name in vars(call.owner)
            inner = getattr(call.owner, call.name)
            saved.append((call.owner, call.name, vars(call.owner).get(call.name), own))
            setattr(call.owner, call.name, make(call.label, inner))
        yield
    finally:
        for owner, name, original, own in reversed(saved):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


def plan(root: Callable[..., Any], proto: HLSModel) -> list[tuple[Call, list[Call]]]:
    """The calls `root` makes, as phases; those that are the model's own methods with the calls in
    their bodies as parts (a call to another object is timed whole)."""
    cls = type(proto)
    return [(ph, calls(getattr(cls, ph.name), proto) if ph.owner is cls else []) for ph in calls(root, proto)]


def _table(tree: list[tuple[Call, list[Call]]], clock: _Clock, total: float, per: float) -> dict[str, Any]:
    """Nanoseconds per unit (citizen or citizen-week) by phase and part, in the step's order."""
    phases = []
    for ph, _parts in tree:
        parts = [
            {"part": label, "ns": seconds / per * 1e9}
            for (phase, label), seconds in clock.part.items()
            if phase == ph.label
        ]
        order = {c.label: i for i, c in enumerate(_parts)}
        parts.sort(key=lambda r: order.get(r["part"], len(order)))
        if _parts:  # a phase with calls of its own: what it does besides them
            own = clock.phase[ph.label] - sum(clock.part[(ph.label, r["part"])] for r in parts)
            parts.append({"part": OWN, "ns": own / per * 1e9})
        phases.append({"phase": ph.label, "ns": clock.phase[ph.label] / per * 1e9, "parts": parts})
    outside = total - sum(clock.phase.values())
    return {"ns": total / per * 1e9, "phases": phases, "outside_phases_ns": outside / per * 1e9}


def measure(citizens: int, weeks: int, regime: str = "block_grant", twin: bool = True) -> dict[str, Any]:
    """One run: set-up (per citizen) and weeks (per citizen-week), each by phase and part."""
    proto = HLSModel(seed=1, regime=regime, citizens=200, weeks=2, twin=twin)
    setup_tree = plan(HLSModel.__init__, proto)
    week_tree = plan(HLSModel.step, proto)
    setup_clock, week_clock = _Clock(), _Clock()

    def targets(tree: list[tuple[Call, list[Call]]], clock: _Clock) -> list:
        out: list = [(ph, clock.phase_timer) for ph, _ in tree]
        out += [(c, clock.part_timer) for _, parts in tree for c in parts]
        return out

    with _wrapped(targets(setup_tree, setup_clock)), one_thread_lives():
        t0 = time.thread_time()
        model = HLSModel(seed=1, regime=regime, citizens=citizens, weeks=weeks, twin=twin)
        setup = time.thread_time() - t0
    with _wrapped(targets(week_tree, week_clock)), one_thread_lives():
        t0 = time.thread_time()
        model.run()
        run = time.thread_time() - t0
    return {
        "citizens": citizens,
        "weeks": weeks,
        "regime": regime,
        "twin": twin,
        "setup_cpu_s": setup,
        "run_cpu_s": run,
        "setup_ns_per_citizen": _table(setup_tree, setup_clock, setup, citizens),
        "week_ns_per_cw": _table(week_tree, week_clock, run, citizens * weeks),
    }


def run_sizes(sizes: tuple[tuple[int, int], ...]) -> dict[str, Any]:
    HLSModel(seed=1, citizens=200, weeks=2).run()  # compile or load the cache first
    before = load()
    rows = [measure(n, w) for n, w in tqdm(sizes, desc="phases", unit="size")]
    return {"rows": rows, "load_before": before, "load_after": load()}


def run(quick: bool = False) -> dict[str, Any]:
    return run_sizes(QUICK if quick else FULL)
