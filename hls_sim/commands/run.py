"""`hls-sim run`: one simulation, written to a folder with its seed, parameters and version."""

from __future__ import annotations

import argparse

from hls_sim.commands._common import add_output_options, add_population_options, claim_out, overrides_from_args
from hls_sim.params import PARAMS

HEADLINE = (
    ("impact_wellbeing", "impact: wellbeing against no services, per person-year"),
    ("crises_avoided_per_1000_per_year", "impact: crises avoided per 1,000 a year"),
    ("reactive_contacts_avoided_per_1000_per_year", "impact: reactive-service contacts avoided per 1,000 a year"),
    ("cost_per_crisis_avoided", "net cost per crisis avoided (GBP)"),
    ("true_outcome", "true outcome (share of closed cases resolved)"),
    ("reported_outcome", "reported outcome"),
    ("campbell_gap", "Campbell gap (reported - true)"),
    ("wellbeing_mean", "wellbeing, everyone"),
    ("wellbeing_most_complex_decile", "wellbeing, most complex decile"),
    ("crisis_events_per_1000_per_year", "crisis events per 1,000 a year"),
    ("total_cost_per_year", "total cost per year (GBP)"),
    ("cost_per_true_outcome", "cost per real improvement (GBP)"),
    ("worker_turnover", "worker turnover per year"),
    ("provider_insolvencies", "providers that ran out of money"),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one simulation and write its outputs")
    p.add_argument("scenario", nargs="?", default=None, help="scenario name or TOML file (default: built-in default)")
    p.add_argument("--regime", default=None, choices=PARAMS["regime"].choices, help="regime (lever bundle)")
    p.add_argument("--seed", type=int, default=None, help="master seed (default 1)")
    add_output_options(p)
    add_population_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hls_sim.scenarios import scenario_overrides
    from hls_sim.sweep.plan import checked_params

    overrides = scenario_overrides(args.scenario)
    overrides.update(overrides_from_args(args))
    if args.seed is not None:
        overrides["seed"] = PARAMS["seed"].coerce(args.seed, source="--seed")
    # every check before anything is simulated or written: the parameters as one run, then the folder
    checked_params(overrides, source=args.scenario or "command line")
    target = claim_out(args, "run")
    from hls_sim.runner import run

    seed = overrides.pop("seed", 1)
    result = run(seed=seed, **overrides)
    with target.staged() as staging:
        result.write(staging)
    s = result.summary
    print(
        f"hls-sim run: regime {result.params['regime']}, {result.params['citizens']} citizens, "
        f"{result.params['weeks']} weeks, seed {seed}"
    )
    for key, label in HEADLINE:
        print(f"  {label:56s} {_num(s[key])}")
    gaming = ", ".join(f"{k[7:]} {s[k]:.3f}" for k in s if k.startswith("gaming_"))
    print(f"  gaming channels: {gaming}")
    print(f"outputs written to {target.path}")
    return 0


def _num(x: float | None) -> str:
    """A number for the console, to the precision its size deserves (whole pounds and counts, three
    decimals for shares); n/a for the null of a measure that does not apply (no twin, nothing avoided)."""
    if x is None or x != x or abs(x) == float("inf"):
        return f"{'n/a':>14s}"
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:>14,.0f}"
    return f"{x:>14,.1f}" if abs(x) >= 10 else f"{x:>14,.3f}"
