"""`hls-sim schema`, `hls-sim scenarios` and `hls-sim show`: what a scenario file may say, which
scenarios ship, and exactly which parameters a scenario runs with and where each one comes from."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hls_sim.commands._common import add_population_options, overrides_from_args
from hls_sim.params import PARAMS
from hls_sim.scenarios import DEFAULT, display, load_scenario, named_scenarios
from hls_sim.schema import BUDGET, ScenarioError, document_from_values, fields, json_schema, sections, to_toml


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("schema", help="print the JSON Schema of scenario files, for editors that check TOML")
    s.set_defaults(func=schema_main)
    lst = sub.add_parser("scenarios", help="list the named scenarios with a one-line description each")
    lst.add_argument("extra", nargs="*", help=argparse.SUPPRESS)  # `scenarios show NAME`: pointed to `show NAME`
    lst.set_defaults(func=list_main)
    sh = sub.add_parser("show", help="print the fully resolved parameters of a scenario and where each comes from")
    sh.add_argument("scenario", nargs="?", default=None, help=f"scenario name or TOML file (default: {DEFAULT})")
    sh.add_argument(
        "--format",
        choices=("text", "json", "toml"),
        default="text",
        help="text (default), json, or toml: a standalone scenario file with every value written out",
    )
    sh.add_argument("--regime", default=None, choices=PARAMS["regime"].choices, help="override the regime")
    add_population_options(sh)
    sh.set_defaults(func=show_main)


def schema_main(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def list_main(args: argparse.Namespace) -> int:
    if args.extra:
        from hls_sim.errors import UsageError

        rest = [a for a in args.extra if a not in ("show", "list", "ls")]
        named = named_scenarios()
        example = rest[0] if rest and rest[0] in named else "NAME"
        raise UsageError(
            "`hls-sim scenarios` takes no arguments: it lists the named scenarios; to see one, use "
            f"`hls-sim show {example}`"
        )
    named = named_scenarios()
    width = max((len(n) for n in named), default=8) + 2
    broken = 0
    for name in named:
        try:
            sc = load_scenario(name)
        except ScenarioError as exc:
            broken += 1
            print(f"{name:{width}s}INVALID: {exc}")
            continue
        regime = sc.parameters()["regime"]
        base = f", extends {sc.chain[-2].stem}" if len(sc.chain) > 1 else ""
        print(f"{name:{width}s}{sc.description.splitlines()[0]} [{regime}{base}]")
    if broken:
        print(f"hls-sim: error: {broken} named scenario(s) do not validate", file=sys.stderr)
        return 2
    return 0


def show_main(args: argparse.Namespace) -> int:
    from hls_sim.sweep.plan import checked_params

    sc = load_scenario(args.scenario or DEFAULT)
    extra = overrides_from_args(args)
    params = sc.parameters(extra)
    checked_params({**sc.overrides, **extra}, source=args.scenario or "command line")  # what a run would refuse
    origin = sc.provenance(extra)
    if args.format == "json":
        print(json.dumps(_as_json(sc, params, origin), indent=2))
    elif args.format == "toml":
        values = {k: v for k, v in params.items() if k != "seed"}
        doc = document_from_values(
            values,
            description=sc.description,
            source=f"resolved from {' -> '.join(display(p) for p in sc.chain)}"
            + (f"; {sc.source_note}" if sc.source_note else ""),
            seeds=sc.seeds,
        )
        print(to_toml(doc), end="")
    else:
        print(_as_text(sc, params, origin))
    return 0


def _as_json(sc, params: dict[str, Any], origin: dict[str, str]) -> dict[str, Any]:
    return {
        "scenario": sc.name,
        "description": sc.description,
        "source": sc.source_note,
        "files": [display(p) for p in sc.chain],
        "seeds": sc.seeds,
        "budget_per_year": sc.budget,
        "parameters": {k: v for k, v in params.items() if k != "seed"},
        "origin": {k: v for k, v in origin.items() if k != "seed"},
    }


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def _as_text(sc, params: dict[str, Any], origin: dict[str, str]) -> str:
    lines = [f"scenario {sc.name}: {sc.description}"]
    lines.append("files: " + " -> ".join(display(p) for p in sc.chain))
    if sc.source_note:
        lines.append(f"source: {sc.source_note}")
    lines.append("seeds: " + (", ".join(map(str, sc.seeds)) if sc.seeds else "none given (compare uses 1-5)"))
    every = fields()
    for sec in sections():
        rows = [f for path, f in every.items() if path[0] == sec]
        if not rows:
            continue
        lines.append("")
        lines.append(f"[{sec}]")
        for f in rows:
            key = ".".join(f.path[1:])
            if f.flat is None:
                value = _fmt(sc.budget) if sc.budget is not None else "not set"
                unit, where = BUDGET.unit, sc.budget_origin or "-"
            else:
                value, unit, where = _fmt(params[f.flat]), f.param.unit, origin[f.flat]
            lines.append(f"  {key:34s} {value:>14s}  {unit:22s} {where}")
    return "\n".join(lines)
