"""`hls-sim run`: one simulation, written to a folder with its seed, parameters and version."""

from __future__ import annotations

import argparse
from pathlib import Path

from hls_sim.commands._common import add_population_options, default_out, overrides_from_args
from hls_sim.params import PARAMS
from hls_sim.runner import run
from hls_sim.scenarios import scenario_overrides

HEADLINE = (
    ("true_outcome", "true outcome (share of closed cases resolved)"),
    ("reported_outcome", "reported outcome"),
    ("campbell_gap", "Campbell gap (reported - true)"),
    ("wellbeing_mean", "wellbeing, everyone"),
    ("wellbeing_most_complex_decile", "wellbeing, most complex decile"),
    ("crisis_events_per_1000_per_year", "crisis events per 1,000 a year"),
    ("total_cost_per_year", "total cost per year (GBP)"),
    ("cost_per_true_outcome", "cost per real improvement (GBP)"),
    ("worker_turnover", "worker turnover per year"),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one simulation and write its outputs")
    p.add_argument("scenario", nargs="?", default=None, help="scenario name or TOML file (default: built-in default)")
    p.add_argument("--regime", default=None, choices=PARAMS["regime"].choices, help="regime (lever bundle)")
    p.add_argument("--seed", type=int, default=None, help="master seed (default 1)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a new folder under results/)")
    add_population_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    overrides = scenario_overrides(args.scenario)
    overrides.update(overrides_from_args(args))
    if args.seed is not None:
        overrides["seed"] = PARAMS["seed"].coerce(args.seed, source="--seed")
    from hls_sim.params import resolve

    resolve(overrides, source=args.scenario or "command line")  # every check before anything is written
    seed = overrides.pop("seed", 1)
    result = run(seed=seed, **overrides)
    out = result.write(args.out or default_out("run"))
    s = result.summary
    print(
        f"hls-sim run: regime {result.params['regime']}, {result.params['citizens']} citizens, "
        f"{result.params['weeks']} weeks, seed {seed}"
    )
    for key, label in HEADLINE:
        print(f"  {label:48s} {s[key]:>14,.3f}")
    gaming = ", ".join(f"{k[7:]} {s[k]:.3f}" for k in s if k.startswith("gaming_"))
    print(f"  gaming channels: {gaming}")
    print(f"outputs written to {out}")
    return 0
