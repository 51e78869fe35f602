"""`hls-sim robustness A B`: does A beat B whatever the model's documented assumptions turn out to be?

A and B are regimes (run on the default place, or on --scenario) or scenarios, as `compare` takes
them. Every parameter the registry documents as an assumption is varied over a stated range
(`hls_sim/robustness/uncertain.py`), a screen finds the ones that move the difference, and a
Latin hypercube of parameter sets runs both arms on common seeds. Printed per headline measure:
the share of sets each side wins and the assumptions that decide it. Everything is checked before
anything runs; the runs go through the sweep engine, so a stopped study resumes with --resume.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from hls_sim.commands._common import (
    add_output_options,
    add_population_options,
    check_workers,
    claim_out,
    default_workers,
    engine_folder,
    overrides_from_args,
    resume_command,
)

HELP_EPILOG = (
    "Measures (and which way is better): impact_wellbeing and crises_avoided_per_1000_per_year (higher), "
    "total_cost_per_year, cost_per_crisis_avoided and campbell_gap (lower). Outputs in --out: robustness.json, "
    "sets.parquet, runs.parquet, screen.parquet, report.html. See docs/robustness.md."
)


def register(sub: argparse._SubParsersAction) -> None:
    from hls_sim.robustness import sizes as st  # constants only: `hls-sim --help` loads no numpy

    p = sub.add_parser(
        "robustness",
        help="under which assumptions does A beat B? shares of parameter sets won, and what decides them",
        description=(
            "Vary every parameter documented as an assumption over a stated range: a screen (one seed) finds the "
            "ones that move the difference between A and B, then A and B run on common seeds in a Latin hypercube "
            "of parameter sets, and per headline measure the command reports the share of sets each side wins, the "
            "assumptions that decide it (rank correlations) and where it flips (PRIM boxes)."
        ),
        epilog=HELP_EPILOG,
    )
    p.add_argument("a", metavar="A", help="a regime (e.g. payment_by_results) or a scenario name or .toml file")
    p.add_argument("b", metavar="B", help="the other regime or scenario")
    p.add_argument(
        "--scenario",
        default=None,
        metavar="NAME",
        help="the place regimes run on (default: the default scenario); only for regimes given as A or B",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help=f"parameter sets in the Latin hypercube (default: {st.SAMPLES_PER_PARAMETER} per parameter the "
        f"screen carries, at least {st.MIN_SAMPLES})",
    )
    p.add_argument(
        "--seeds", type=int, default=st.DEFAULT_SEEDS, metavar="K", help="seeds per set and arm (default %(default)s)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        help="first run seed, and the seed of both designs (default %(default)s)",
    )
    p.add_argument(
        "--screen-sets",
        type=int,
        default=None,
        metavar="N",
        help=f"parameter sets of the screen, on one seed (default: half the number of uncertain parameters, at "
        f"least {st.MIN_SCREEN}; 0 skips the screen and analyses every parameter)",
    )
    p.add_argument(
        "--ranges",
        type=Path,
        default=None,
        metavar="FILE",
        help="a TOML file of [parameters.NAME] range = [low, high], why = '...' that replaces the stated ranges",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: all cores; results do not depend on it)"
    )
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    add_output_options(p, resume=True)
    add_population_options(p)
    p.set_defaults(func=main)


def _arm(name: str, scenario: str | None, common: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(label, overrides, note) of one side: a regime on the base place, or a scenario."""
    from hls_sim.errors import UsageError
    from hls_sim.regimes import DESCRIPTIONS, REGIMES
    from hls_sim.scenarios import check_side, named_scenarios, scenario_notes, scenario_overrides

    check_side(name)
    path_like = name.endswith(".toml") or "/" in name or "\\" in name
    if name in REGIMES and not path_like and name not in named_scenarios():
        if common.get("regime", name) != name:
            raise UsageError(
                f"--set regime={common['regime']} contradicts the side '{name}', which is a regime; "
                "name the regimes as the sides, or use scenarios"
            )
        over = scenario_overrides(scenario)
        over["regime"] = name
        place = scenario_notes([scenario], [name])[name]
        note = {
            "regime": name,
            "description": f"{DESCRIPTIONS[name]} On {place['scenario'] or 'the registry defaults'}: {place['description']}",
            "scenario": place["scenario"],
            "files": place["files"],
            "source": place["source"],
        }
        label = name
    else:
        over = scenario_overrides(name)
        label = Path(name).stem
        note = scenario_notes([name], [label])[label]
    over.update(common)
    over.pop("seed", None)
    return label, over, note


def build_study(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The study, with every input checked (bad input raises before anything runs or is written)."""
    from hls_sim.errors import UsageError
    from hls_sim.params import PARAMS
    from hls_sim.regimes import REGIMES
    from hls_sim.robustness.study import Study
    from hls_sim.robustness.uncertain import read_ranges, uncertain_parameters
    from hls_sim.schema import MAX_SEEDS
    from hls_sim.sweep.plan import checked_params

    if not 1 <= args.seeds <= MAX_SEEDS:
        raise UsageError(f"--seeds {args.seeds}: allowed is an integer from 1 to {MAX_SEEDS}")
    PARAMS["seed"].coerce(args.seed, source="--seed")
    PARAMS["seed"].coerce(args.seed + args.seeds - 1, source="--seed and --seeds")
    if args.samples is not None and not 2 <= args.samples <= 100_000:
        raise UsageError(f"--samples {args.samples}: allowed is an integer from 2 to 100,000")
    if args.screen_sets is not None and not (args.screen_sets == 0 or 4 <= args.screen_sets <= 100_000):
        raise UsageError(f"--screen-sets {args.screen_sets}: allowed is 0 (no screen) or an integer from 4 to 100,000")
    regimes = [n for n in (args.a, args.b) if n in REGIMES]
    if args.scenario is not None and not regimes:
        raise UsageError("--scenario sets the place regimes run on, but neither A nor B is a regime")
    common = overrides_from_args(args)
    a_label, a_over, a_note = _arm(args.a, args.scenario, common)
    b_label, b_over, b_note = _arm(args.b, args.scenario, common)
    if a_label == b_label:
        raise UsageError(f"A and B are both '{a_label}'; give two different regimes or scenarios")
    arms = {a_label: a_over, b_label: b_over}
    for label, over in arms.items():
        checked_params(over, source=label)  # a whole run, before anything else
    ranges = None
    if args.ranges is not None:
        ranges = read_ranges(args.ranges, origin="ranges file", only_parameters=True)
    uncertain, held = uncertain_parameters(arms, fixed=common, ranges=ranges)
    if ranges:
        varied = {u.name for u in uncertain}
        for name in ranges:
            if name not in varied:
                reason = next((h.reason for h in held if h.name == name), "not varied")
                raise UsageError(f"{args.ranges}: parameters.{name}: it is held fixed in this study ({reason})")
    if not uncertain:
        raise UsageError("no uncertain parameter is left to vary (every assumption is set by A, B or the command line)")
    return Study(
        arms,
        {a_label: a_note, b_label: b_note},
        args.seed,
        [args.seed + k for k in range(args.seeds)],
        uncertain,
        held,
        screen_sets=args.screen_sets,
        samples=args.samples,
        ranges_file=None if args.ranges is None else str(args.ranges),
    )


def main(args: argparse.Namespace) -> int:
    import dataclasses

    from hls_sim.atomic import atomic_write_json
    from hls_sim.commands._common import run_engine
    from hls_sim.errors import OutputError, UsageError
    from hls_sim.params import resolve
    from hls_sim.robustness import study as st
    from hls_sim.robustness.text import format_result
    from hls_sim.sweep.store import StoreError, SweepStore
    from hls_sim.version import __version__

    workers = check_workers(args.workers if args.workers is not None else default_workers())
    study = build_study(args)
    target = claim_out(args, st.KIND)  # checked before anything is simulated
    again = resume_command(args, target.path)
    parameters = {label: {k: v for k, v in resolve(o).items() if k != "seed"} for label, o in study.arms.items()}

    def run(plan, folder: Path, resume: bool):  # type: ignore[no-untyped-def]
        stage = dataclasses.replace(
            target, mode="resume" if resume else ("overwrite" if target.mode == "overwrite" else "new")
        )
        return run_engine(plan, folder, target=stage, workers=workers, resume_cmd=again)

    def note(text: str) -> None:
        print(f"robustness {text}", file=sys.stderr, flush=True)

    t0 = time.monotonic()
    with engine_folder(target) as folder, contextlib.ExitStack() as stack:
        folder.mkdir(parents=True, exist_ok=True)
        store = SweepStore(folder)
        try:
            stack.enter_context(store.lock())  # one study per folder at a time
            if target.mode != "resume":
                store.check_new()
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        manifest = {
            "format": st.FORMAT,
            "kind": st.KIND,
            "hls_sim_version": __version__,
            "labels": study.labels,
            "seed": study.seed,
            "seeds": study.seeds,
            "inputs_hash": st.inputs_hash(study),
            "status": "running",
            "started": st.now(),
            "workers": workers,
        }
        if target.mode == "resume":
            old = _read_json(folder / st.MANIFEST)
            if old.get("inputs_hash") != manifest["inputs_hash"]:
                raise UsageError(
                    f"--out {target.path} holds a robustness study started with other inputs (A, B, seeds, sizes, "
                    "ranges or a different hls_sim); resume it with the command that started it, or choose another --out"
                )
            manifest = {**old, "status": "running", "resumed": st.now(), "workers": workers}

        def write(action):  # type: ignore[no-untyped-def]
            try:
                return action()
            except OSError as exc:
                if target.mode == "overwrite":
                    raise  # the staging folder is removed and the old study left as it was
                raise OutputError(
                    f"could not write in {target.path}: {exc}; finished runs are safe, continue with: {again}"
                ) from None

        write(lambda: atomic_write_json(folder / st.MANIFEST, manifest))
        res = st.run_study(study, folder, run=run, resume=target.mode == "resume", note=note)
        data = write(lambda: st.write_outputs(folder, res, parameters))
        seconds = time.monotonic() - t0
        manifest.update(
            status="complete", finished=st.now(), seconds=round(seconds, 1), stage_seconds=res.seconds, runs=res.runs
        )
        write(lambda: atomic_write_json(folder / st.MANIFEST, manifest))
        print(format_result(data))
        print(f"{res.runs} runs in {seconds:.0f} s on {workers} worker(s)")
        if not args.no_report and not os.environ.get("HLS_SIM_NO_REPORT"):
            from hls_sim.robustness.report import write_robustness_report

            write_robustness_report(folder, shown_as=target.path)
            print(f"report written to {target.path / 'report.html'}")
    print(f"outputs written to {target.path}")
    return 0


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
