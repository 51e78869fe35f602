"""`hls-sim check FILE`: is this scenario, experiment or validation pattern file good to run?

The file goes through exactly the checks a run would apply (the same readers, the whole chain of
`extends`, every planned run checked as a whole run), and nothing is run or written. The kind of
file is told from its keys: whichever kind's own keys it has most of (a tie reads as a scenario). A shipped scenario or experiment may be given by name.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check a scenario, experiment or validation pattern file without running it",
        description="Apply every check a run would apply to FILE; print one line: OK, or the error (exit 2).",
    )
    p.add_argument("file", metavar="FILE", help="a .toml file, or the name of a shipped scenario or experiment")
    p.set_defaults(func=main)


# Top-level keys only one kind of file has (keys that several kinds share, such as `description`, and
# keys of no kind, such as a misspelt one, do not count).
_PATTERN_KEYS = ("checks", "arms", "evidence", "mapping", "sources", "title", "order", "quick")
_EXPERIMENT_KEYS = ("design", "vary", "replicates", "base", "outputs", "analysis", "common_random_numbers", "name")


def kind_of(data: dict[str, Any]) -> str:
    """Tell the kind of file by which kind's own keys it has most of; a tie reads as a scenario, so a
    scenario with one misspelt key (`seed` for `seeds`) is told what is wrong with it as a scenario."""
    from hls_sim.schema import TOP_LEVEL_DOCS, sections

    scenario = sum(k in data for k in (*TOP_LEVEL_DOCS, *sections()) if k != "description")
    pattern = sum(k in data for k in _PATTERN_KEYS)
    experiment = sum(k in data for k in _EXPERIMENT_KEYS)
    if pattern > max(scenario, experiment):
        return "pattern"
    if experiment > scenario:
        return "experiment"
    return "scenario"


def main(args: argparse.Namespace) -> int:
    from hls_sim.errors import UsageError
    from hls_sim.tomlfile import read_toml

    name = args.file
    if not name.strip():
        raise UsageError("check: give a file (or the name of a shipped scenario or experiment)")
    path = Path(name)
    if os.path.lexists(path):
        data, _ = read_toml(path)
        kind = kind_of(data)
        line = {"scenario": _scenario, "experiment": _experiment, "pattern": _pattern}[kind](str(path))
    else:
        line = _by_name(name)
    print(f"{name}: OK ({line})")
    return 0


def _scenario(name: str) -> str:
    from hls_sim.scenarios import load_scenario
    from hls_sim.sweep.plan import checked_params

    sc = load_scenario(name)
    p = checked_params(sc.overrides, source=name)
    return f"scenario, regime {p['regime']}, {p['citizens']:,} citizens, {p['weeks']} weeks"


def _experiment(name: str) -> str:
    from hls_sim.sweep.experiment import load_experiment
    from hls_sim.sweep.plan import make_plan

    plan = make_plan(load_experiment(name), progress=True)
    exp = plan.experiment
    return (
        f"experiment {exp.name}: {exp.design.type} design, {len(plan.design.points):,} "
        f"point{'s' * (len(plan.design.points) != 1)} x "
        f"{exp.replicates} replicate{'s' * (exp.replicates != 1)} = {plan.n_runs:,} run{'s' * (plan.n_runs != 1)}"
    )


def _pattern(name: str) -> str:
    from hls_sim.validation import runner
    from hls_sim.validation.spec import load_pattern

    spec = load_pattern(Path(name))
    jobs = list(runner.plan([spec])[0].values())
    runner.jobs_plan(jobs)  # every arm and sampled setting checked as a whole run
    return f"validation pattern {spec.id}: {len(spec.arms)} arms, {len(spec.checks)} checks, {len(jobs)} runs"


def _by_name(name: str) -> str:
    from hls_sim.errors import UsageError
    from hls_sim.scenarios import named_scenarios
    from hls_sim.sweep.experiment import EXPERIMENT_DIR

    if name in named_scenarios():
        return _scenario(name)
    if (EXPERIMENT_DIR / f"{name}.toml").is_file():
        return _experiment(name)
    raise UsageError(f"check: no file {name!r}, and no shipped scenario or experiment of that name")
