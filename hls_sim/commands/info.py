"""`hls-sim params` and `hls-sim regimes`: what can be set, and what each regime sets.

Both read only the registry (no numba, scipy or Mesa), so they answer at once.
"""

from __future__ import annotations

import argparse

from hls_sim.params import PARAMS
from hls_sim.regimes import DESCRIPTIONS, REGIMES


def groups() -> list[str]:
    """The registry's groups, in the order they first appear."""
    return list(dict.fromkeys(p.group for p in PARAMS.values()))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("params", help="list every parameter and lever with its default, range, unit and source")
    p.add_argument(
        "--group", default=None, choices=groups(), metavar="GROUP", help=f"only one group: {', '.join(groups())}"
    )
    p.set_defaults(func=params_main)
    r = sub.add_parser("regimes", help="list the named regimes and the levers each sets")
    r.set_defaults(func=regimes_main)


def params_main(args: argparse.Namespace) -> int:
    for prm in PARAMS.values():
        if args.group and prm.group != args.group:
            continue
        print(f"{prm.name:24s} default {prm.default!s:14s} {prm.allowed()}")
        print(f"{'':24s} {prm.doc}")
        print(f"{'':24s} source: {prm.source.strip() or 'assumption'}")
    return 0


def regimes_main(args: argparse.Namespace) -> int:
    for name, levers in REGIMES.items():
        print(f"{name}: {DESCRIPTIONS[name]}")
        print("   " + ", ".join(f"{k}={v}" for k, v in levers.items()))
    return 0
