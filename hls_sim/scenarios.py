"""Scenario files: a place, a population and a regime described in a plain TOML file.

A scenario is read whole and checked before anything runs: every file in its `extends` chain
is parsed and validated against the schema (`schema.py`), the chain is merged from the base to
the leaf (a file overrides only the keys it sets), and the merged result is checked as a whole.
Every problem names the file, the key path and what is allowed, and is raised as one
`ScenarioError`, which the command line turns into exit status 2 with nothing written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hls_sim.errors import InputError
from hls_sim.params import DOMAINS, PARAMS, ParameterError, resolve, whole_run_problems
from hls_sim.schema import BUDGET, MAX_SEEDS, Issue, ScenarioError, check_document, path_of_flat
from hls_sim.shipped import shipped_dir
from hls_sim.tomlfile import read_toml

SCENARIO_DIR = shipped_dir("scenarios")
DEFAULT = "default"
WEEKS_PER_YEAR = 52.0
MAX_CHAIN = 64
DEFAULT_N_SEEDS = 5


@dataclass
class Scenario:
    """A scenario with its whole `extends` chain merged, ready to run."""

    name: str
    path: Path
    description: str
    source_note: str = ""
    chain: list[Path] = field(default_factory=list)  # base first, this file last
    seeds: list[int] | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # registry key -> value set by the files
    origin: dict[str, str] = field(default_factory=dict)  # registry key -> which file set it
    budget: float | None = None
    budget_origin: str = ""  # the file that set the budget

    def parameters(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Fully resolved parameters: defaults, the regime's bundle, the files, then `extra`."""
        return resolve({**self.overrides, **(extra or {})}, source=display(self.path))

    def provenance(self, extra: dict[str, Any] | None = None) -> dict[str, str]:
        """Where each resolved value comes from: a file, the regime's bundle, the command line or the default."""
        from hls_sim.regimes import regime_levers

        params = self.parameters(extra)
        bundle = regime_levers(params["regime"])
        out: dict[str, str] = {}
        for key in params:
            if extra and key in extra:
                out[key] = "command line"
            elif key in self.origin:
                out[key] = self.origin[key]
            elif key in bundle:
                out[key] = f"regime {params['regime']}"
            else:
                out[key] = "default"
        return out


def display(path: Path) -> str:
    """A short name for a file in messages: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def named_scenarios() -> dict[str, Path]:
    """The scenarios shipped in `scenarios/`, by name."""
    if not SCENARIO_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def find(name: str, *, relative_to: Path | None = None, source: str = "", key: str = "") -> Path:
    """The file for a scenario name or path; a name is looked up beside the referring file, then in scenarios/."""
    looks_like_path = name.endswith(".toml") or "/" in name or "\\" in name
    if looks_like_path:
        path = Path(name)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if not path.exists():
            raise _missing(name, source, key, f"scenario file not found: {path}")
        if path.is_dir():
            raise _missing(name, source, key, f"{path} is a folder, not a scenario file")
        return path
    if relative_to is not None and (relative_to / f"{name}.toml").is_file():
        return relative_to / f"{name}.toml"
    named = named_scenarios()
    if name in named:
        return named[name]
    close = difflib.get_close_matches(name, list(named), n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listing = ", ".join(named) or "none installed"
    raise _missing(
        name,
        source,
        key,
        f"no scenario named '{name}'{hint}; named scenarios: {listing}; or give a path to a .toml file",
    )


def check_side(name: str) -> None:
    """A side of a comparison (`explain A B`, `robustness A B`) is a regime or a scenario: a name that
    is neither gets one error naming both lists, with the closest of either as the suggestion."""
    from hls_sim.regimes import REGIMES

    named = named_scenarios()
    if name.endswith(".toml") or "/" in name or "\\" in name or name in REGIMES or name in named:
        return
    close = difflib.get_close_matches(name, [*REGIMES, *named], n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise _missing(
        name,
        "",
        "",
        f"'{name}' is neither a regime nor a named scenario{hint}; regimes: {', '.join(REGIMES)}; "
        f"named scenarios: {', '.join(named) or 'none installed'}; or give a path to a .toml file",
    )


def _missing(name: str, source: str, key: str, message: str) -> ScenarioError:
    """A scenario that cannot be found: named by the file that refers to it, or by the name given."""
    return ScenarioError([Issue(source, key, message)] if source else [Issue("command line", "", message)])


def read_document(path: Path) -> dict[str, Any]:
    """Parse one file; unreadable, non-text or non-TOML files become a ScenarioError naming the file."""
    try:
        return read_toml(path, display(path))[0]
    except InputError as exc:
        raise ScenarioError([Issue(exc.source, exc.key, exc.detail)]) from None


def load_scenario(name: str) -> Scenario:
    """Read, validate and merge a scenario and everything it extends."""
    path = find(name)
    chain: list[tuple[Path, Any]] = []
    seen: list[Path] = []
    while True:
        real = path.resolve()
        if real in seen:
            loop = " -> ".join(display(p) for p in [*seen[seen.index(real) :], real])
            raise ScenarioError([Issue(display(seen[-1]), "extends", f"cycle in extends: {loop}")])
        if len(seen) >= MAX_CHAIN:
            raise ScenarioError([Issue(display(seen[-1]), "extends", f"more than {MAX_CHAIN} files in the chain")])
        seen.append(real)
        source = display(path)
        doc, issues = check_document(read_document(path), source)
        if issues:
            raise ScenarioError(issues)
        chain.append((path, doc))
        if doc.extends is None:
            break
        path = find(doc.extends, relative_to=path.parent, source=source, key="extends")
    chain.reverse()  # base first
    leaf_path, leaf = chain[-1]
    sc = Scenario(
        name=leaf_path.stem,
        path=leaf_path,
        description=leaf.description,
        source_note=leaf.source_note,
        chain=[p for p, _ in chain],
    )
    regime = PARAMS["regime"].default
    lever_regime: dict[str, str] = {}  # lever -> the regime in force in the file that last set it
    for p, doc in chain:
        regime = doc.values.get("regime", regime)
        for key, value in doc.values.items():
            sc.overrides[key] = value
            sc.origin[key] = display(p)
            if PARAMS[key].group == "levers":
                lever_regime[key] = regime
        if doc.seeds is not None:
            sc.seeds = list(doc.seeds)
        if doc.budget is not None:
            sc.budget, sc.budget_origin = doc.budget, display(p)
    _check_inherited_levers(sc, lever_regime, regime)
    _check_whole(sc)
    return sc


def _check_inherited_levers(sc: Scenario, lever_regime: dict[str, str], regime: str) -> None:
    """A lever a parent set for another regime must be restated, so that switching regime is never half done.

    Levers apply on top of the regime's bundle, so a parent's `worker_discretion = 0.0` written
    for time-and-task care would silently survive a child's `name = "hls"`.
    """
    issues = [
        Issue(
            display(sc.path),
            f"regime.{key}",
            f"inherited from {sc.origin[key]}, which set it under regime '{set_under}', but this scenario runs "
            f"regime '{regime}': set regime.{key} here too (the same value is fine) so the choice is explicit",
        )
        for key, set_under in lever_regime.items()
        if set_under != regime
    ]
    if issues:
        raise ScenarioError(issues)


def _check_whole(sc: Scenario) -> None:
    """Checks that need the merged chain: budget into staff, service lines into providers, run length."""
    source = display(sc.path)
    issues: list[Issue] = []
    o = sc.overrides
    if sc.budget is not None:
        if "workers_per_1000" in o:
            issues.append(
                Issue(
                    source,
                    "commissioner.budget_per_year",
                    f"set either commissioner.budget_per_year ({sc.budget_origin}) or workforce.workers_per_1000 "
                    f"({sc.origin['workers_per_1000']}), not both: the budget is what pays for the workers",
                )
            )
        else:
            p = resolve(o, source=source)
            per_worker = WEEKS_PER_YEAR * p["hours_per_week"] * p["hourly_cost"] * (1.0 + p["overhead_share"])
            staff = sc.budget / per_worker
            per_1000 = staff / p["citizens"] * 1000.0
            try:
                if staff < 1.0:  # no service is workers_per_1000 = 0, not a budget too small to hire anyone
                    raise ParameterError("budget buys no worker")
                o["workers_per_1000"] = PARAMS["workers_per_1000"].coerce(per_1000)
                sc.origin["workers_per_1000"] = f"{BUDGET.name} in {sc.budget_origin}"
            except ParameterError:
                issues.append(
                    Issue(
                        source,
                        "commissioner.budget_per_year",
                        f"GBP {sc.budget:,.0f} a year buys {staff:,.1f} frontline staff at GBP {per_worker:,.0f} each, "
                        f"{per_1000:.3g} per 1,000 of the {p['citizens']:,} citizens; allowed is a budget that buys "
                        f"at least one worker (GBP {per_worker:,.0f}) and {PARAMS['workers_per_1000'].allowed()} per "
                        "1,000: change the budget or population.citizens (a world with no services is "
                        "workforce.workers_per_1000 = 0)",
                    )
                )
    lines = {d: o.get(f"service_lines_{d}", 0) for d in DOMAINS}
    total = sum(lines.values())
    if total > 0:
        n_prov = PARAMS["n_providers"]
        if "n_providers" in o and o["n_providers"] != total:
            issues.append(
                Issue(
                    source,
                    "providers.n_providers",
                    f"{o['n_providers']} ({sc.origin['n_providers']}) but providers.service_lines add up to {total}: "
                    "leave n_providers out, it follows from the service lines",
                )
            )
        elif total > n_prov.hi:
            issues.append(
                Issue(
                    source,
                    "providers.service_lines",
                    f"add up to {total} providers; allowed is {n_prov.allowed()}",
                )
            )
        else:
            o["n_providers"] = total
            sc.origin.setdefault("n_providers", "sum of providers.service_lines")
    if not issues:
        p = resolve(o, source=source)
        issues.extend(Issue(source, path_of_flat(key), message) for key, message in whole_run_problems(p))
    if issues:
        raise ScenarioError(issues)


def scenario_overrides(name: str | None) -> dict[str, Any]:
    """Validated parameter overrides of a scenario (the `default` scenario when none is named).

    The scenario's first seed is included as `seed`, so a run without --seed uses it.
    """
    if name is None:
        if DEFAULT not in named_scenarios():
            return {}  # installed without the scenarios folder: the registry defaults are the default scenario
        name = DEFAULT
    sc = load_scenario(name)
    out = dict(sc.overrides)
    if sc.seeds:
        out["seed"] = sc.seeds[0]
    return out


def scenario_seeds(name: str | None) -> list[int] | None:
    """The `seeds` list of a scenario (the default scenario when none is named), if it gives one."""
    if name is None:
        if DEFAULT not in named_scenarios():
            return None
        name = DEFAULT
    return load_scenario(name).seeds


def compare_seeds(names: list[str] | None, n_seeds: int | None, first: int | None) -> list[int]:
    """Seeds shared by every label of a comparison (common random numbers).

    --seeds K gives K consecutive seeds from --seed (default 1); otherwise the first scenario
    that lists `seeds` decides, so a scenario's own comparison is reproduced by naming it alone.
    """
    seed_param = PARAMS["seed"]
    if first is not None:
        seed_param.coerce(first, source="--seed")
    if n_seeds is not None:
        if not 1 <= n_seeds <= MAX_SEEDS:
            raise ParameterError(
                f"invalid value {n_seeds}: allowed is an integer from 1 to {MAX_SEEDS}", source="--seeds"
            )
        start = 1 if first is None else first
        seeds = [start + k for k in range(n_seeds)]
    elif first is not None:
        seeds = [first + k for k in range(DEFAULT_N_SEEDS)]
    else:
        seeds = next((s for s in (scenario_seeds(n) for n in (names or [None])) if s), None)
        seeds = seeds or list(range(1, DEFAULT_N_SEEDS + 1))
    seed_param.coerce(seeds[-1], source="--seed and --seeds")
    return seeds


def scenario_notes(names: list[str | None], labels: list[str]) -> dict[str, dict[str, Any]]:
    """What each compared label ran, for manifests and reports: its description, files and sources.

    With no scenario named, every label (a regime) ran on the default scenario.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, label in zip(names if names != [None] else [None] * len(labels), labels, strict=True):
        if name is None and DEFAULT not in named_scenarios():
            out[label] = {"scenario": None, "description": "registry defaults", "files": [], "source": ""}
            continue
        sc = load_scenario(name or DEFAULT)
        out[label] = {
            "scenario": sc.name,
            "description": sc.description,
            "files": [display(p) for p in sc.chain],
            "source": sc.source_note,
        }
    return out
