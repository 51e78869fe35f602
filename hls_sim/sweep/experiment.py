"""Experiment files: what a sweep varies, how it samples, what it keeps, from which master seed.

An experiment is a plain TOML file so that a study can be read, reviewed and re-run from the
file alone. Every value is checked against the same parameter registry as scenario files, and
every error names the file, the key path (``vary.audit_rate.hi``) and what is allowed, before
anything is run or written.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hls_sim.errors import InputError
from hls_sim.params import PARAMS, ParameterError, resolve, suggest
from hls_sim.regimes import REGIMES
from hls_sim.shipped import shipped_dir
from hls_sim.tomlfile import parse, read_text

EXPERIMENT_DIR = shipped_dir("experiments")

DESIGN_TYPES = ("grid", "lhs", "sobol", "morris", "salib_sobol", "path")
SALIB_DESIGNS = ("morris", "salib_sobol")
TOP_KEYS = (
    "name",
    "description",
    "seed",
    "replicates",
    "common_random_numbers",
    "base",
    "design",
    "vary",
    "outputs",
    "analysis",
)
DESIGN_KEYS = {
    "grid": ("type",),
    "lhs": ("type", "samples", "scramble", "strength"),
    "sobol": ("type", "samples", "scramble"),
    "morris": ("type", "trajectories", "levels"),
    "salib_sobol": ("type", "samples"),
    "path": ("type", "from", "to", "steps", "switch_at"),
}
FACTOR_KEYS = ("values", "lo", "hi", "levels")
OUTPUT_KEYS = ("summary", "weekly", "every")
ANALYSIS_KEYS = ("metrics",)
# Parameters a sweep sets itself: the per-run seed comes from the master seed.
RESERVED = ("seed",)
# An experiment's name becomes part of a folder name (results/sweep-NAME-...), so it is a plain name.
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
# Runs one plan may lay out: past this the plan alone would fill memory before the first run.
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Factor:
    """One varied parameter: either explicit values or a numeric range [lo, hi]."""

    name: str
    values: tuple[Any, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    levels: int | None = None

    @property
    def numeric(self) -> bool:
        return self.values is None


@dataclass(frozen=True)
class Design:
    type: str
    samples: int | None = None
    scramble: bool = True
    strength: int = 1
    trajectories: int | None = None
    levels: int = 4
    path_from: str | None = None
    path_to: str | None = None
    steps: int | None = None
    switch_at: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputSpec:
    """Output patterns as written; `hls_sim.sweep.outputs.select` turns them into metric names."""

    summary: tuple[str, ...] = ("all",)
    weekly: tuple[str, ...] = ()
    every: int = 1


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    source: str  # file path, for error messages and the manifest
    text: str  # the file as written, copied into the results folder
    seed: int
    replicates: int
    common_random_numbers: bool
    scenario: str | None
    base: dict[str, Any]
    design: Design
    factors: tuple[Factor, ...]
    outputs: OutputSpec
    analysis_metrics: tuple[str, ...] = ()


# ---------------------------------------------------------------------- small validators
def _err(source: str, path: str, message: str) -> InputError:
    return InputError(source, path, message)


def _unknown(source: str, path: str, name: str) -> InputError:
    return InputError(source, path, f"unknown parameter{suggest(name)}; run `hls-sim params` for the list")


def _coerce(name: str, value: Any, source: str, path: str) -> Any:
    try:
        return PARAMS[name].coerce(value, source=source, key=path)
    except ParameterError:
        raise _err(source, path, f"invalid value {value!r}: allowed is {PARAMS[name].allowed()}") from None


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            path = f"{prefix}.{key}" if prefix else key
            raise _err(source, path, f"unknown key{suggest(key, allowed)}; allowed here: {', '.join(allowed)}")


def _table(value: Any, source: str, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _err(source, path, f"expected a table ([{path}]), got {value!r}")
    return value


def _int(value: Any, source: str, path: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
        top = f" to {hi}" if hi is not None else " or more"
        raise _err(source, path, f"invalid value {value!r}: allowed is an integer from {lo}{top}")
    return value


def _bool(value: Any, source: str, path: str) -> bool:
    if not isinstance(value, bool):
        raise _err(source, path, f"invalid value {value!r}: allowed is true or false")
    return value


def _str(value: Any, source: str, path: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or (choices is not None and value not in choices):
        allowed = "one of " + ", ".join(repr(c) for c in choices) if choices else "a string"
        hint = suggest(value, choices) if choices and isinstance(value, str) else ""
        raise _err(source, path, f"invalid value {value!r}{hint}: allowed is {allowed}")
    return value


def _str_list(value: Any, source: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(source, path, f'invalid value {value!r}: allowed is "all" or a list of metric names or patterns')
    return tuple(value)


# ---------------------------------------------------------------------- sections
def _load_base(data: Any, source: str) -> tuple[str | None, dict[str, Any]]:
    from hls_sim.scenarios import scenario_overrides

    table = _table(data, source, "base")
    scenario = None
    out: dict[str, Any] = {}
    if "scenario" in table:
        scenario = _str(table["scenario"], source, "base.scenario")
        given = Path(scenario)
        if (scenario.endswith(".toml") or "/" in scenario) and not given.is_absolute():
            beside = Path(source).parent / given  # like `extends` in a scenario file: beside the file first
            if beside.exists():
                scenario = str(beside)
            elif not given.exists():
                raise _err(
                    source,
                    "base.scenario",
                    f"no scenario file {scenario!r} beside this file ({beside}) or in the working folder; "
                    "allowed is the name of a shipped scenario or the path of a scenario file",
                )
        try:
            out.update(scenario_overrides(scenario))
        except ParameterError as exc:  # ScenarioError included: it names the scenario's own file and key
            raise _err(source, "base.scenario", f"scenario {scenario!r} cannot be used: {exc}") from None
    for key, value in table.items():
        if key == "scenario":
            continue
        if key in RESERVED:
            raise _err(source, f"base.{key}", "is set per run from the experiment's master seed; set 'seed' at the top")
        if key not in PARAMS:
            raise _unknown(source, f"base.{key}", key)
        out[key] = _coerce(key, value, source, f"base.{key}")
    for key in RESERVED:
        out.pop(key, None)
    return scenario, out


def _load_factor(name: str, spec: Any, source: str, design: str) -> Factor:
    path = f"vary.{name}"
    if name in RESERVED:
        raise _err(source, path, "cannot be varied: each run's seed comes from the master seed and the point")
    if name not in PARAMS:
        raise _unknown(source, path, name)
    prm = PARAMS[name]
    if isinstance(spec, list):
        spec = {"values": spec}
    table = _table(spec, source, path)
    _check_keys(table, FACTOR_KEYS, source, path)
    if "values" in table:
        if any(k in table for k in ("lo", "hi", "levels")):
            raise _err(source, path, "give either 'values' or a range ('lo', 'hi'), not both")
        raw = table["values"]
        if not isinstance(raw, list) or not raw:
            raise _err(source, f"{path}.values", f"invalid value {raw!r}: allowed is a non-empty list")
        values = tuple(_coerce(name, v, source, f"{path}.values[{i}]") for i, v in enumerate(raw))
        if len(set(values)) != len(values):
            raise _err(source, f"{path}.values", f"lists a value twice: {list(raw)!r}")
        if design in SALIB_DESIGNS:
            raise _err(source, path, f"design '{design}' needs a numeric range ('lo' and 'hi'), not a list of values")
        return Factor(name, values=values)
    if prm.kind not in (int, float):
        raise _err(source, path, f"'{name}' is not numeric ({prm.allowed()}): give its 'values' as a list")
    missing = [k for k in ("lo", "hi") if k not in table]
    if missing:
        raise _err(source, path, f"needs 'values' or both 'lo' and 'hi' (missing {', '.join(missing)})")
    lo = _coerce(name, table["lo"], source, f"{path}.lo")
    hi = _coerce(name, table["hi"], source, f"{path}.hi")
    if not lo < hi:
        raise _err(source, path, f"'lo' ({lo:g}) must be below 'hi' ({hi:g})")
    levels = None
    if "levels" in table:
        if design != "grid":
            raise _err(source, f"{path}.levels", f"is only used by the 'grid' design (this one is '{design}')")
        levels = _int(table["levels"], source, f"{path}.levels", 2, 1000)
    elif design == "grid":
        raise _err(source, path, "a grid needs 'values' or 'levels' (evenly spaced from 'lo' to 'hi')")
    return Factor(name, lo=lo, hi=hi, levels=levels)


def _load_design(data: Any, source: str) -> Design:
    table = _table(data, source, "design")
    if "type" not in table:
        raise _err(source, "design.type", f"is missing: allowed is one of {', '.join(DESIGN_TYPES)}")
    kind = _str(table["type"], source, "design.type", DESIGN_TYPES)
    _check_keys(table, DESIGN_KEYS[kind], source, "design")
    if kind in SALIB_DESIGNS:
        try:
            import SALib  # noqa: F401
        except ImportError:
            raise _err(source, "design.type", f"design '{kind}' needs SALib: pip install 'hls-sim[salib]'") from None
    if kind == "grid":
        return Design(kind)
    if kind in ("lhs", "sobol", "salib_sobol"):
        if "samples" not in table:
            raise _err(source, "design.samples", f"is missing: design '{kind}' needs the number of samples")
        samples = _int(table["samples"], source, "design.samples", 2, 1_000_000)
        if kind in ("sobol", "salib_sobol") and samples & (samples - 1):
            raise _err(
                source,
                "design.samples",
                f"invalid value {samples}: a Sobol' sequence needs a power of two (e.g. {1 << samples.bit_length()})",
            )
        scramble = _bool(table.get("scramble", True), source, "design.scramble")
        strength = _int(table.get("strength", 1), source, "design.strength", 1, 2)
        return Design(kind, samples=samples, scramble=scramble, strength=strength)
    if kind == "morris":
        if "trajectories" not in table:
            raise _err(source, "design.trajectories", "is missing: the Morris design needs a number of trajectories")
        r = _int(table["trajectories"], source, "design.trajectories", 2, 100_000)
        levels = _int(table.get("levels", 4), source, "design.levels", 2, 100)
        if levels % 2:
            raise _err(source, "design.levels", f"invalid value {levels}: Morris needs an even number of levels")
        return Design(kind, trajectories=r, levels=levels)
    # path
    names = tuple(REGIMES)
    for key in ("from", "to", "steps"):
        if key not in table:
            raise _err(source, f"design.{key}", "is missing: a path needs 'from' and 'to' regimes and 'steps'")
    a = _str(table["from"], source, "design.from", names)
    b = _str(table["to"], source, "design.to", names)
    if a == b:
        raise _err(source, "design.to", f"is the same regime as 'from' ({a!r})")
    steps = _int(table["steps"], source, "design.steps", 2, 10_000)
    switch: dict[str, float] = {}
    raw = _table(table.get("switch_at", {}), source, "design.switch_at")
    for key, value in raw.items():
        path = f"design.switch_at.{key}"
        if key not in PARAMS:
            raise _unknown(source, path, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise _err(source, path, f"invalid value {value!r}: allowed is a number from 0 to 1 (share of the path)")
        switch[key] = float(value)
    return Design(kind, path_from=a, path_to=b, steps=steps, switch_at=switch)


def _load_outputs(data: Any, source: str) -> OutputSpec:
    table = _table(data, source, "outputs")
    _check_keys(table, OUTPUT_KEYS, source, "outputs")
    summary = _str_list(table.get("summary", "all"), source, "outputs.summary")
    weekly = _str_list(table.get("weekly", []), source, "outputs.weekly")
    every = _int(table.get("every", 1), source, "outputs.every", 1, 5200)
    if not summary and not weekly:
        raise _err(source, "outputs", "keeps nothing: list at least one summary or weekly metric")
    return OutputSpec(summary=summary, weekly=weekly, every=every)


# ---------------------------------------------------------------------- entry points
def experiment_path(name: str | Path) -> Path:
    """The file of an experiment: a path as given (if it exists), else a shipped experiment by name."""
    path = Path(name)
    text = str(name)
    if (text.endswith(".toml") or "/" in text or os.sep in text) and os.path.lexists(path):
        return path  # read_text refuses anything but a regular file, with the reason
    candidate = EXPERIMENT_DIR / f"{name}.toml"
    if PLAIN_NAME.match(text) and candidate.is_file():
        return candidate
    shipped = ", ".join(sorted(p.stem for p in EXPERIMENT_DIR.glob("*.toml"))) or "none"
    raise InputError(
        "command line",
        "experiment",
        f"no experiment named {text!r} (looked for {path} and {candidate}); shipped experiments: {shipped}",
    )


def load_experiment(name: str | Path) -> Experiment:
    path = experiment_path(name)
    return parse_experiment(read_text(path), source=str(path))


def _default_name(source: str) -> str:
    """A plain name from the file's name, for experiments that give none."""
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(source).stem).lstrip("._-")
    return stem[:80] or "experiment"


def parse_experiment(text: str, *, source: str = "experiment") -> Experiment:
    """Validate an experiment file's text completely; raise an InputError at the first problem."""
    data = parse(text, source)
    _check_keys(data, TOP_KEYS, source, "")
    name = _str(data.get("name", _default_name(source)), source, "name")
    if not PLAIN_NAME.match(name) or ".." in name:
        raise _err(
            source,
            "name",
            f"invalid value {name!r}: allowed is a plain name (letters, digits, '_', '-', '.'; at most 80 "
            "characters; no '/' or '..'), since it names the results folder",
        )
    description = _str(data.get("description", ""), source, "description")
    if "seed" not in data:
        raise _err(source, "seed", "is missing: every experiment needs an explicit master seed (an integer)")
    seed = _int(data["seed"], source, "seed", 0, 2**63 - 1)
    replicates = _int(data.get("replicates", 1), source, "replicates", 1, 100_000)
    crn = _bool(data.get("common_random_numbers", False), source, "common_random_numbers")
    scenario, base = _load_base(data.get("base", {}), source)
    if "design" not in data:
        raise _err(source, "design", f"is missing: add [design] with type = one of {', '.join(DESIGN_TYPES)}")
    design = _load_design(data["design"], source)
    vary = _table(data.get("vary", {}), source, "vary")
    factors = tuple(_load_factor(k, v, source, design.type) for k, v in vary.items())
    if design.type == "path":
        if factors:
            raise _err(source, "vary", "a 'path' design moves every lever between its two regimes; remove [vary]")
        for key in design.switch_at:
            if key in base:
                raise _err(source, f"design.switch_at.{key}", f"is also fixed in [base] ({key} = {base[key]!r})")
    elif not factors:
        raise _err(source, "vary", f"design '{design.type}' needs at least one parameter under [vary]")
    n_runs = planned_points(design, factors) * replicates
    if n_runs > MAX_RUNS:
        raise _err(
            source,
            "design",
            f"plans {n_runs:,} runs ({planned_points(design, factors):,} points x {replicates} "
            f"replicate{'s' * (replicates != 1)}); "
            f"allowed is at most {MAX_RUNS:,} runs in one experiment: split it into several",
        )
    outputs = _load_outputs(data.get("outputs", {}), source)
    analysis = _table(data.get("analysis", {}), source, "analysis")
    _check_keys(analysis, ANALYSIS_KEYS, source, "analysis")
    metrics = _str_list(analysis.get("metrics", []), source, "analysis.metrics")
    resolve(base, source=source)
    return Experiment(
        name=name,
        description=description,
        source=source,
        text=text,
        seed=seed,
        replicates=replicates,
        common_random_numbers=crn,
        scenario=scenario,
        base=base,
        design=design,
        factors=factors,
        outputs=outputs,
        analysis_metrics=metrics,
    )


def planned_points(design: Design, factors: tuple[Factor, ...]) -> int:
    """How many points the design will have, known before any point is built."""
    k = len(factors)
    if design.type == "grid":
        return math.prod(len(grid_levels(f)) for f in factors)
    if design.type in ("lhs", "sobol"):
        return int(design.samples or 0)
    if design.type == "morris":
        return int(design.trajectories or 0) * (k + 1)
    if design.type == "salib_sobol":
        return int(design.samples or 0) * (k + 2)
    return int(design.steps or 0)  # path


def grid_levels(f: Factor) -> tuple[Any, ...]:
    """The levels of a grid factor; integer parameters keep distinct rounded levels."""
    if f.values is not None:
        return f.values
    assert f.lo is not None and f.hi is not None and f.levels is not None
    step = (f.hi - f.lo) / (f.levels - 1)
    raw = [f.lo + k * step for k in range(f.levels)]
    raw[-1] = f.hi
    if PARAMS[f.name].kind is int:
        return tuple(dict.fromkeys(int(math.floor(v + 0.5)) for v in raw))
    return tuple(float(v) for v in raw)
