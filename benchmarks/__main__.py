"""Run the benchmarks and write benchmarks/results/*.json and SUMMARY.md.

    python -m benchmarks                       # every default part (a few minutes on 2 cores)
    python -m benchmarks --million             # ... and the 1,000,000-citizen x 520-week runs (+10 min or so)
    python -m benchmarks --only ratio,regimes  # some parts
    python -m benchmarks --quick --out /tmp/b  # small sizes: checks the benchmarks themselves run

Parts: ratio (numba vs the Mesa reference), scaling (1e3..1e5 citizens, time and memory),
regimes (default population, ten years), phases (CPU per phase and call of the set-up and the week),
twin (the no-service twin on against off), split (the lives on two threads against one), sweep (runs per minute on 1 and 2 workers),
startup (compilation cost and cached start in a new process); opt-in: million (1e6 citizens x 520
weeks, twin on and off, and where a week goes at that size).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import tempfile
from pathlib import Path

from benchmarks import million, phases, ratio, regimes, report, scaling, split, startup, sweep, twin
from benchmarks.common import RESULTS, machine, write_result


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


PARTS = {
    "ratio": ratio,
    "scaling": scaling,
    "regimes": regimes,
    "phases": phases,
    "twin": twin,
    "split": split,
    "sweep": sweep,
    "startup": startup,
    "million": million,
}
DEFAULT = [name for name in PARTS if name != "million"]  # the million-citizen runs take minutes each


def select_parts(only: str | None, million: bool) -> list[str]:
    """The parts to run, in the order given: every default part unless `only` names some; `million` adds one."""
    parts = DEFAULT if only is None else [p.strip() for p in only.split(",") if p.strip()]
    return [*parts, "million"] if million and "million" not in parts else list(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--only", default=None, help=f"comma-separated parts: {', '.join(PARTS)} (default: all but million)"
    )
    ap.add_argument(
        "--million", action="store_true", help="add the 1,000,000-citizen x 520-week runs (several minutes on 2 cores)"
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, to check that the benchmarks run")
    ap.add_argument("--out", type=Path, default=None, help="results folder (default benchmarks/results)")
    a = ap.parse_args(argv)
    parts = select_parts(a.only, a.million)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"python -m benchmarks: --only: unknown part(s) {unknown}; allowed: {', '.join(PARTS)}", file=sys.stderr)
        return 2
    out = a.out or (Path(tempfile.mkdtemp(prefix="hls-bench-quick-")) if a.quick else RESULTS)
    command = " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)])
    started = _now()
    info = machine()
    for name in parts:
        part_started = _now()
        result = PARTS[name].run(quick=a.quick)
        provenance = {"command": command, "started": part_started, "finished": _now(), "machine": info}
        write_result(out, name, {"quick": a.quick, "provenance": provenance, **result})
    meta = {"command": command, "started": started, "finished": _now(), "machine": info, "parts": parts}
    write_result(out, "meta", meta)
    (out / "SUMMARY.md").write_text(report.markdown(out))
    print(f"benchmark results in {out}", file=sys.stderr)
    print((out / "SUMMARY.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
