"""Validation experiments as plain TOML files: which arms to run, on how many seeds, and which claims to check.

An experiment file holds one pattern from the evidence (Grimm et al. 2005, pattern-oriented
modelling): the evidence and its source, how the model's measurement maps to it, the arms
(lever settings, or cohorts followed through time) and the checks. Keeping the design in data
means a reader can see exactly what was run and compared without reading code, and a new
pattern needs no new code unless it needs a new kind of measurement.

Every file is read whole and checked before anything runs; a problem names the file, the key
path and what is allowed, and is raised as `ExperimentError` (exit status 2, nothing written).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hls_sim.errors import InputError
from hls_sim.params import PARAMS, ParameterError, resolve, whole_run_problems
from hls_sim.shipped import shipped_dir
from hls_sim.tomlfile import read_toml as _read_toml

EXPERIMENT_DIR = shipped_dir("experiments", "validation")
CALIBRATION_FILE = "calibration.toml"

ARM_KINDS = ("run", "cohort")
COHORTS = ("below_threshold", "signal")
CHECK_KINDS = ("difference", "trend", "near_zero", "within", "above", "shrinks", "ratio", "prevalence")
# Measures computed from a run's weekly table or from a followed cohort, beyond the summary keys.
COHORT_MEASURES = (
    "cohort_size",
    "cohort_improved",
    "cohort_deteriorated",
    "cohort_not_engaged",
    "cohort_engaged_not_improved",
    "cohort_improved_among_engaged",
    "cohort_stuck_among_engaged",
    "cohort_wellbeing_change",
    "cohort_service_cost",
    "cohort_crisis_cost",
    "cohort_reactive_contacts",
    "cohort_downstream_cost",
    "cohort_crises",
)
SAMPLE_MEASURES = ("any_gaming", "false_records")
TS_PATTERN = re.compile(
    r"^ts_(?P<op>mean|sum|at|change|half_time):(?P<col>[a-z_0-9]+)(?::(?P<a>\d+)(?::(?P<b>\d+))?)?$"
)


class ExperimentError(InputError):
    """A bad experiment file: names the file, the key path and what is allowed."""


@dataclass(frozen=True)
class CohortSpec:
    """Who is followed, from which week, for how long (the selection rule lives in `cohorts.py`)."""

    name: str
    week: int
    follow_weeks: int
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ArmSpec:
    name: str
    label: str
    kind: str
    overrides: dict[str, Any]
    cohort: CohortSpec | None = None


@dataclass(frozen=True)
class SampleSpec:
    """A sample of lever settings (Latin hypercube): each setting is one 'study' on one seed."""

    n: int
    seed: int
    base: dict[str, Any]
    ranges: dict[str, tuple[float, float]]
    choices: dict[str, tuple[Any, ...]]


@dataclass(frozen=True)
class CheckSpec:
    claim: str
    kind: str
    metric: str
    arms: tuple[str, ...]
    options: dict[str, Any]


@dataclass
class PatternSpec:
    id: str
    path: Path
    title: str
    order: int
    evidence: str
    sources: list[str]
    mapping: str
    seeds: list[int]
    arms: dict[str, ArmSpec]
    checks: list[CheckSpec]
    sample: SampleSpec | None = None


def _err(source: str, key: str, message: str) -> ExperimentError:
    return ExperimentError(source, key, message)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return _read_toml(path)[0]
    except InputError as exc:
        raise _err(exc.source, exc.key, exc.detail) from None


class _Reader:
    """Typed access to one table of a file, remembering the key path for messages."""

    def __init__(self, data: dict[str, Any], source: str, prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise _err(source, prefix, "must be a table")
        self.data = data
        self.source = source
        self.prefix = prefix
        self.used: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., what: str = "") -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise _err(self.source, self.path(key), f"is required ({what or _kind_name(kind)})")
            return default
        value = self.data[key]
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _as_tuple(kind))
        if not ok:
            raise _err(self.source, self.path(key), f"got {value!r}; allowed is {what or _kind_name(kind)}")
        return value

    def table(self, key: str, required: bool = False) -> _Reader | None:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise _err(self.source, self.path(key), "is required (a table)")
            return None
        return _Reader(self.data[key], self.source, self.path(key))

    def finish(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise _err(self.source, self.path(key), f"unknown key{hint}; allowed keys here: {', '.join(allowed)}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def _overrides(table: _Reader, source: str) -> dict[str, Any]:
    """Parameter overrides, each checked against the registry (with did-you-mean)."""
    out: dict[str, Any] = {}
    for key, value in table.data.items():
        table.used.add(key)
        path = table.path(key)
        if key == "seed":
            raise _err(source, path, "seeds are set by the experiment's 'seeds', not per arm")
        if key not in PARAMS:
            close = difflib.get_close_matches(key, list(PARAMS), n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _err(source, path, f"unknown parameter{hint}; run `hls-sim params` for the list")
        try:
            out[key] = PARAMS[key].coerce(value, source=source, key=path)
        except ParameterError:
            raise _err(source, path, f"invalid value {value!r}: allowed is {PARAMS[key].allowed()}") from None
    return out


def _scenario(name: str, source: str, path: str) -> dict[str, Any]:
    from hls_sim.scenarios import scenario_overrides

    try:
        out = scenario_overrides(name)
    except ParameterError as exc:  # ScenarioError included: it names the scenario file and key
        raise _err(source, path, f"scenario '{name}' cannot be used: {exc}") from None
    out.pop("seed", None)
    return out


def _cohort(table: _Reader, source: str) -> CohortSpec:
    name = table.get("name", str, what=f"one of {', '.join(COHORTS)}")
    if name not in COHORTS:
        raise _err(source, table.path("name"), f"got {name!r}; allowed is one of {', '.join(COHORTS)}")
    week = table.get("week", int, what="an integer week (>= 0)")
    follow = table.get("follow_weeks", int, what="an integer number of weeks (>= 1)")
    if week < 0:
        raise _err(source, table.path("week"), f"got {week}; allowed is an integer >= 0")
    if follow < 1:
        raise _err(source, table.path("follow_weeks"), f"got {follow}; allowed is an integer >= 1")
    options: dict[str, Any] = {}
    if name == "below_threshold":
        options["min_domains"] = table.get("min_domains", int, 2)
        options["elevated"] = float(table.get("elevated", (int, float), 0.3))
        options["complexity_quantile"] = float(table.get("complexity_quantile", (int, float), 0.5))
        threshold = table.get("threshold", (int, float), None)
        if threshold is not None:
            options["threshold"] = float(threshold)
        table.finish(("name", "week", "follow_weeks", "min_domains", "elevated", "complexity_quantile", "threshold"))
    else:
        from hls_sim.params import DOMAINS

        domain = table.get("domain", str, what=f"one of {', '.join(DOMAINS)}")
        if domain not in DOMAINS:
            raise _err(source, table.path("domain"), f"got {domain!r}; allowed is one of {', '.join(DOMAINS)}")
        options["domain"] = domain
        options["level"] = float(table.get("level", (int, float), 0.5))
        table.finish(("name", "week", "follow_weeks", "domain", "level"))
    return CohortSpec(name, week, follow, options)


def _arm(name: str, table: _Reader, common: dict[str, Any], source: str) -> ArmSpec:
    label = table.get("label", str, name)
    kind = table.get("kind", str, "run", what=f"one of {', '.join(ARM_KINDS)}")
    if kind not in ARM_KINDS:
        raise _err(source, table.path("kind"), f"got {kind!r}; allowed is one of {', '.join(ARM_KINDS)}")
    # a named scenario first, then the experiment's run size ([run], or [quick] in quick mode), then the arm's own set
    overrides: dict[str, Any] = {}
    scen = table.get("scenario", str, None)
    if scen is not None:
        overrides.update(_scenario(scen, source, table.path("scenario")))
    overrides.update(common)
    sets = table.table("set")
    if sets is not None:
        overrides.update(_overrides(sets, source))
    cohort = None
    ctable = table.table("cohort", required=kind == "cohort")
    if ctable is not None:
        if kind != "cohort":
            raise _err(source, ctable.prefix, "only arms of kind 'cohort' follow a cohort")
        cohort = _cohort(ctable, source)
        weeks = resolve(overrides, source=source)["weeks"]
        if cohort.week + cohort.follow_weeks > weeks:
            raise _err(
                source,
                ctable.path("follow_weeks"),
                f"week {cohort.week} + {cohort.follow_weeks} weeks of follow-up is past the run's {weeks} weeks; "
                "allowed is a follow-up that ends within run.weeks",
            )
    table.finish(("label", "kind", "scenario", "set", "cohort"))
    _check_run(resolve(overrides, source=f"{source} [{table.prefix}]"), source, table.prefix)
    return ArmSpec(name, label, kind, overrides, cohort)


def _check_run(params: dict[str, Any], source: str, where: str) -> None:
    for key, message in whole_run_problems(params):
        raise _err(source, where, f"{key}: {message}")


def _sample(table: _Reader, common: dict[str, Any], source: str, quick: bool) -> SampleSpec:
    n = table.get("n", int, what="an integer >= 2")
    quick_n = table.get("quick_n", int, n)
    seed = table.get("seed", int, 1)
    base = dict(common)
    bt = table.table("base")
    if bt is not None:
        base.update(_overrides(bt, source))
    ranges: dict[str, tuple[float, float]] = {}
    rt = table.table("ranges")
    if rt is not None:
        for key, value in rt.data.items():
            rt.used.add(key)
            path = rt.path(key)
            if key not in PARAMS or PARAMS[key].kind not in (int, float):
                raise _err(source, path, "allowed are numeric parameters (see `hls-sim params`)")
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)):
                raise _err(source, path, f"got {value!r}; allowed is [low, high]")
            lo, hi = (PARAMS[key].coerce(v, source=source, key=path) for v in value)
            if lo > hi:
                raise _err(source, path, f"low {lo} is above high {hi}")
            ranges[key] = (float(lo), float(hi))
    choices: dict[str, tuple[Any, ...]] = {}
    ct = table.table("choices")
    if ct is not None:
        for key, value in ct.data.items():
            ct.used.add(key)
            path = ct.path(key)
            if key not in PARAMS:
                raise _err(source, path, "unknown parameter; run `hls-sim params` for the list")
            if not (isinstance(value, list) and value):
                raise _err(source, path, f"got {value!r}; allowed is a non-empty list of values")
            choices[key] = tuple(PARAMS[key].coerce(v, source=source, key=path) for v in value)
    table.finish(("n", "quick_n", "seed", "base", "ranges", "choices"))
    size = quick_n if quick else n
    if size < 2:
        raise _err(source, table.path("quick_n" if quick else "n"), f"got {size}; allowed is an integer >= 2")
    _check_run(resolve(base, source=source), source, table.prefix)
    return SampleSpec(size, seed, base, ranges, choices)


CHECK_OPTIONS: dict[str, tuple[str, ...]] = {
    "difference": ("expect", "at_least"),
    "trend": ("x", "expect"),
    "near_zero": ("tolerance",),
    "within": ("band", "evidence_value"),
    "above": ("threshold",),
    "shrinks": ("factor",),
    "ratio": ("denominator", "band", "evidence_value"),
    "prevalence": ("detect", "band", "evidence_value"),
}
ARM_COUNT = {"difference": 2, "near_zero": 1, "within": 1, "above": 1, "shrinks": 4, "ratio": 2, "prevalence": 1}


def _check(i: int, table: _Reader, arms: dict[str, ArmSpec], sample: SampleSpec | None, source: str) -> CheckSpec:
    claim = table.get("claim", str)
    kind = table.get("kind", str, what=f"one of {', '.join(CHECK_KINDS)}")
    if kind not in CHECK_KINDS:
        raise _err(source, table.path("kind"), f"got {kind!r}; allowed is one of {', '.join(CHECK_KINDS)}")
    metric = table.get("metric", str)
    names = table.get("arms", list, what="a list of arm names")
    known = [*arms, *(["sample"] if sample else [])]
    for name in names:
        if name not in known:
            raise _err(source, table.path("arms"), f"no arm named {name!r}; arms here: {', '.join(known)}")
    need = ARM_COUNT.get(kind)
    if need is not None and len(names) != need:
        raise _err(source, table.path("arms"), f"a '{kind}' check takes {need} arm(s), got {len(names)}")
    if kind == "trend" and len(names) < 3:
        raise _err(source, table.path("arms"), "a 'trend' check takes at least 3 arms, in order")
    if kind == "prevalence" and names != ["sample"]:
        raise _err(source, table.path("arms"), "a 'prevalence' check reads the [sample] arm: arms = [\"sample\"]")
    _check_metric(metric, source, table.path("metric"), kind, [arms.get(n) for n in names])
    options: dict[str, Any] = {}
    for key in CHECK_OPTIONS[kind]:
        if key in table.data:
            options[key] = table.get(key, (int, float, str, list))
    table.finish(("claim", "kind", "metric", "arms", *CHECK_OPTIONS[kind]))
    _check_options(kind, options, names, source, table)
    return CheckSpec(claim, kind, metric, tuple(names), options)


def _check_options(kind: str, o: dict[str, Any], arms: list[str], source: str, table: _Reader) -> None:
    def band(key: str = "band") -> None:
        b = o.get(key)
        if not (isinstance(b, list) and len(b) == 2 and all(isinstance(v, int | float) for v in b) and b[0] <= b[1]):
            raise _err(source, table.path(key), f"got {b!r}; allowed is [low, high] with low <= high")

    def number(key: str, default: float | None = None) -> None:
        if key not in o:
            if default is None:
                raise _err(source, table.path(key), "is required (a number)")
            o[key] = default
        if not isinstance(o[key], int | float) or isinstance(o[key], bool):
            raise _err(source, table.path(key), f"got {o[key]!r}; allowed is a number")

    if kind in ("difference", "trend"):
        o.setdefault("expect", "above" if kind == "difference" else "increasing")
        allowed = ("above", "below") if kind == "difference" else ("increasing", "decreasing")
        if o["expect"] not in allowed:
            raise _err(source, table.path("expect"), f"got {o['expect']!r}; allowed is one of {', '.join(allowed)}")
    if kind == "difference":
        number("at_least", 0.0)
    if kind == "trend":
        x = o.get("x")
        if not (isinstance(x, list) and len(x) == len(arms) and all(isinstance(v, int | float) for v in x)):
            raise _err(source, table.path("x"), f"allowed is a list of {len(arms)} numbers, one per arm")
    if kind == "near_zero":
        number("tolerance")
    if kind == "above":
        number("threshold", 0.0)
    if kind == "shrinks":
        number("factor")
    if kind in ("within", "ratio", "prevalence"):
        band()
    if kind == "ratio" and not isinstance(o.get("denominator"), str):
        raise _err(source, table.path("denominator"), "is required (the metric whose difference is the cost)")
    if kind == "prevalence":
        number("detect")


def _check_metric(metric: str, source: str, path: str, kind: str, arms: list[ArmSpec | None]) -> None:
    if metric in COHORT_MEASURES:
        if any(a is None or a.kind != "cohort" for a in arms):
            raise _err(source, path, f"'{metric}' is measured on cohort arms only")
        return
    if metric in SAMPLE_MEASURES or TS_PATTERN.match(metric):
        return
    if metric.startswith("ts_"):
        raise _err(
            source,
            path,
            f"got {metric!r}; allowed time-series measures are ts_mean:COL[:FROM:TO], ts_sum:COL:FROM:TO, "
            "ts_at:COL:WEEK, ts_change:COL:FROM:TO, ts_half_time:COL:FROM:TO",
        )
    if not re.fullmatch(r"[a-z_0-9]+", metric):
        raise _err(source, path, f"got {metric!r}; allowed is a summary key, a ts_* measure or a cohort_* measure")


def load_pattern(path: Path, *, quick: bool = False) -> PatternSpec:
    """Read and check one experiment file (quick: the [quick] seeds and run size)."""
    source = str(path)
    top = _Reader(read_toml(path), source)
    pid = top.get("id", str, path.stem)
    title = top.get("title", str)
    order = top.get("order", int, 100)
    evidence = top.get("evidence", str)
    sources = top.get("sources", list, what="a list of strings")
    if not all(isinstance(s, str) for s in sources):
        raise _err(source, "sources", "allowed is a list of strings")
    mapping = top.get("mapping", str)
    n_seeds = top.get("seeds", int, 10)
    first = top.get("first_seed", int, 1)
    common: dict[str, Any] = {}
    run_t = top.table("run")
    if run_t is not None:
        common.update(_overrides(run_t, source))
    q = top.table("quick")
    if q is not None:
        quick_seeds = q.get("seeds", int, min(n_seeds, 3))
        q.used.add("seeds")
        rest = {k: v for k, v in q.data.items() if k != "seeds"}
        quick_over = _overrides(_Reader(rest, source, "quick"), source)
    else:
        quick_seeds, quick_over = min(n_seeds, 3), {}
    if quick:
        common.update(quick_over)
        n_seeds = quick_seeds
    if n_seeds < 2:
        raise _err(source, "quick.seeds" if quick else "seeds", f"got {n_seeds}; allowed is an integer >= 2")
    arms: dict[str, ArmSpec] = {}
    at = top.table("arms")
    if at is not None:
        for name, value in at.data.items():
            at.used.add(name)
            if name == "sample":
                raise _err(source, at.path(name), "'sample' is reserved for the [sample] table")
            arms[name] = _arm(name, _Reader(value, source, at.path(name)), common, source)
    st = top.table("sample")
    sample = _sample(st, common, source, quick) if st is not None else None
    if not arms and sample is None:
        raise _err(source, "arms", "is required: at least one arm (or a [sample] table)")
    checks_raw = top.get("checks", list, what="a list of [[checks]] tables")
    if not checks_raw:
        raise _err(source, "checks", "allowed is at least one [[checks]] table")
    checks = [_check(i, _Reader(c, source, f"checks[{i}]"), arms, sample, source) for i, c in enumerate(checks_raw)]
    top.finish(
        (
            "id",
            "title",
            "order",
            "evidence",
            "sources",
            "mapping",
            "seeds",
            "first_seed",
            "run",
            "quick",
            "arms",
            "sample",
            "checks",
        )
    )
    seeds = [first + k for k in range(n_seeds)]
    return PatternSpec(pid, path, title, order, evidence, sources, mapping, seeds, arms, checks, sample)


def pattern_files(folder: Path | None = None) -> list[Path]:
    folder = folder or EXPERIMENT_DIR
    return sorted(p for p in folder.glob("*.toml") if p.name != CALIBRATION_FILE)


def load_patterns(
    folder: Path | None = None, *, quick: bool = False, only: list[str] | None = None
) -> list[PatternSpec]:
    """Every pattern in the folder, checked, in their stated order; `only` selects by id."""
    folder = folder or EXPERIMENT_DIR
    files = pattern_files(folder)
    if not files:
        raise _err(str(folder), "", "no experiment files (*.toml) here")
    patterns = [load_pattern(p, quick=quick) for p in files]
    ids = [p.id for p in patterns]
    for pid in set(ids):
        if ids.count(pid) > 1:
            dup = [str(p.path) for p in patterns if p.id == pid]
            raise _err(str(folder), "id", f"'{pid}' is used by more than one file: {', '.join(dup)}")
    if only:
        for pid in only:
            if pid not in ids:
                close = difflib.get_close_matches(pid, ids, n=1, cutoff=0.4)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise _err("--pattern", "", f"no pattern with id '{pid}'{hint}; patterns: {', '.join(ids)}")
        patterns = [p for p in patterns if p.id in only]
    return sorted(patterns, key=lambda p: (p.order, p.id))
