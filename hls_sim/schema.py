"""The shape of a scenario file, derived from the parameter registry.

Scenario files group the flat parameters of `params.PARAMS` into sections ([run], [population],
[workforce], [providers], [commissioner], [regime]) so that a policy team reads a place, not a
list of 80 knobs. Every key's meaning, unit, default and range come from the registry, so the
validator, the JSON Schema printed by `hls-sim schema` and `hls-sim params` cannot disagree. A
parameter added to the registry appears in its group's section without any change here.

`check_document` checks one file on its own, with exactly the rules the JSON Schema states, so
an editor that validates against the schema accepts what the tool accepts. Checks that need the
whole chain of `extends` (a budget that must fit the staffing range, burn-in shorter than the
run) live in `scenarios.py`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from hls_sim.params import DOMAINS, PARAMS, Param, ParameterError

# Section that holds each registry group; a new group becomes a section of its own name.
SECTION_OF_GROUP = {
    "run": "run",
    "population": "population",
    "workforce": "workforce",
    "providers": "providers",
    "costs": "commissioner",
    "levers": "regime",
}
SECTION_DOCS = {
    "run": "Length of the run and the burn-in excluded from summaries.",
    "population": "The people of the place: how many, how complex their lives are, which needs dominate.",
    "workforce": "Frontline staff: how many are funded, their hours, caseloads, motivation and turnover.",
    "providers": "Provider organisations, their service lines and how they adapt.",
    "commissioner": "What the commissioner spends: the yearly budget and the prices it pays or bears.",
    "regime": "The regime (a named bundle of levers) and any lever that differs from the bundle.",
}
# Keys read more naturally outside their registry group: a place's size is about its population,
# and the wage is about the workforce.
SECTION_OF_PARAM = {"citizens": "population", "hourly_cost": "workforce"}
# Nested tables: [population.domain_mix] housing = 1.5 sets the flat parameter domain_mix_housing.
NESTED = {
    ("population", "domain_mix"): "domain_mix_",
    ("providers", "service_lines"): "service_lines_",
}
NESTED_DOCS = {
    ("population", "domain_mix"): "Relative weight of each life domain among people's heavier needs (1 = template).",
    (
        "providers",
        "service_lines",
    ): "Number of providers serving each life domain; their sum is the number of providers.",
}
# [[providers.practice]] tables: levers some providers practise differently (hls_sim/practice.py);
# they set the flat parameter provider_practice.
PRACTICE_PATH = ("providers", "practice")
# Registry keys a file does not set directly: the seed is the top-level `seeds` list and the
# regime is [regime] name.
NOT_IN_FILES = {"seed", "provider_practice"}
REGIME_KEY = ("regime", "name")

# Keys that exist only in scenario files and are converted to registry parameters.
BUDGET = Param(
    name="budget_per_year",
    default=0.0,
    kind=float,
    lo=1000.0,
    hi=1e10,
    unit="GBP/year",
    group="costs",
    doc=(
        "The commissioner's yearly contract budget for frontline services. It replaces "
        "workforce.workers_per_1000: the budget buys staff at hours_per_week x hourly_cost x "
        "(1 + overhead_share), spread over the scenario's own population."
    ),
    source="e.g. 000 L72: GBP 77m over ten years in Plymouth",
)
MAX_SEED = 2**32 - 1
MAX_SEEDS = 1000
TOP_LEVEL_DOCS = {
    "description": "One line saying what the scenario is; `hls-sim scenarios` lists it.",
    "source": "Where the numbers come from (seed documents and lines, published studies).",
    "extends": "Name of a scenario (or a path relative to this file) whose values this file starts from.",
    "seeds": "Master seeds: `run` uses the first, `compare` all of them unless --seeds is given.",
}


@dataclass(frozen=True)
class Field:
    """One key a scenario file may set: where it sits, and the registry entry that documents it."""

    path: tuple[str, ...]
    param: Param
    flat: str | None  # the registry key it sets, or None for file-only keys (the budget)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def section_of(param: Param) -> str:
    if param.name in SECTION_OF_PARAM:
        return SECTION_OF_PARAM[param.name]
    return SECTION_OF_GROUP.get(param.group, param.group or "run")


def fields() -> dict[tuple[str, ...], Field]:
    """Every settable key by its path, built from the registry each time (the registry is the truth)."""
    out: dict[tuple[str, ...], Field] = {}
    nested_prefixes = {prefix: where for where, prefix in NESTED.items()}
    for prm in PARAMS.values():
        if prm.name in NOT_IN_FILES:
            continue
        if prm.name == "regime":
            out[REGIME_KEY] = Field(REGIME_KEY, prm, prm.name)
            continue
        path: tuple[str, ...] | None = None
        for prefix, where in nested_prefixes.items():
            rest = prm.name[len(prefix) :]
            if prm.name.startswith(prefix) and rest in DOMAINS:
                path = (*where, rest)
        out[path or (section_of(prm), prm.name)] = Field(path or (section_of(prm), prm.name), prm, prm.name)
    out[("commissioner", BUDGET.name)] = Field(("commissioner", BUDGET.name), BUDGET, None)
    return out


def sections() -> list[str]:
    """Section names in a stable, readable order."""
    order = list(SECTION_DOCS)
    for path in fields():
        if path[0] not in order:
            order.append(path[0])
    return order


def path_of_flat(name: str) -> str:
    """Where a registry key lives in a file, e.g. 'caseload_cap' -> 'workforce.caseload_cap'."""
    for f in fields().values():
        if f.flat == name:
            return f.dotted
    return name


# ----------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Issue:
    """One problem in one file, at one key path."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}" if self.path else f"{self.source}: {self.message}"


class ScenarioError(ParameterError):
    """Every problem found in a scenario (or its chain of files); the CLI exits with status 2."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        if len(self.issues) == 1:
            message = str(self.issues[0])
        else:
            message = f"{len(self.issues)} problems in scenario files:\n" + "\n".join(
                f"  {issue}" for issue in self.issues
            )
        super().__init__(message, key=self.issues[0].path if self.issues else "")


# ----------------------------------------------------------------------------- one file


@dataclass
class Document:
    """The checked content of one file, before `extends` is followed."""

    description: str = ""
    source_note: str = ""
    extends: str | None = None
    seeds: list[int] | None = None
    values: dict[str, Any] = field(default_factory=dict)  # registry key -> value
    budget: float | None = None


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return f"the date/time {value.isoformat()}"
    return repr(value)


_NUMBER_WITH_UNIT = re.compile(r"^\s*[-+£$€]?\s*\d[\d_,.]*\s*[A-Za-z%£/ ]+")


def _kind_phrase(prm: Param) -> str:
    if prm.choices is not None:
        return "a string"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}[prm.kind]


def check_value(prm: Param, value: Any) -> tuple[Any, str | None]:
    """(converted value, None) or (None, message): the type first, then the range or choices."""
    kind_ok = False
    if prm.kind is bool:
        kind_ok = isinstance(value, bool)
    elif prm.kind is int:
        kind_ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        )
    elif prm.kind is float:
        kind_ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        kind_ok = isinstance(value, str)
    if not kind_ok:
        unit = f" ({prm.unit})" if prm.unit and prm.kind in (int, float) else ""
        msg = f"wrong type: expected {_kind_phrase(prm)}{unit}, got {describe(value)}"
        if isinstance(value, str) and prm.kind in (int, float) and _NUMBER_WITH_UNIT.match(value):
            msg += f"; write the bare number without units or quotes (the unit is {prm.unit or 'implied'})"
        elif isinstance(value, str) and prm.kind in (int, float, bool):
            msg += "; remove the quotes"
        return None, msg
    try:
        return prm.coerce(value), None
    except ParameterError:
        hint = _suggest(value, list(prm.choices)) if prm.choices and isinstance(value, str) else ""
        return None, f"{value!r} is not allowed{hint}: allowed is {prm.allowed()}"


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown(key: str, where: str, options: list[str], every: dict[tuple[str, ...], Field]) -> str:
    """Message for an unknown key: the key probably meant, or the section it belongs in, and what is allowed."""
    home = [f.dotted for f in every.values() if f.path[-1] == key or f.flat == key]
    if key == "seed":
        hint = "; seeds are set by the top-level list `seeds = [1, 2, 3]`"
    elif key == "provider_practice":
        hint = "; a file sets it with [[providers.practice]] tables"
    elif home:
        hint = f"; '{key}' belongs in {home[0]}"
    else:
        hint = _suggest(key, options)
        if not hint:
            close = difflib.get_close_matches(key, [f.path[-1] for f in every.values()], n=1, cutoff=0.75)
            if close:
                hint = f" (did you mean {next(f.dotted for f in every.values() if f.path[-1] == close[0])}?)"
    return f"unknown key '{key}'{hint}; allowed in {where}: {', '.join(options)}"


def check_document(data: dict[str, Any], source: str) -> tuple[Document, list[Issue]]:
    """Check one parsed file against the schema, collecting every problem rather than the first."""
    every = fields()
    doc = Document()
    issues: list[Issue] = []

    def bad(path: str, message: str) -> None:
        issues.append(Issue(source, path, message))

    secs = sections()
    top_options = [*TOP_LEVEL_DOCS, *secs]
    if "description" not in data:
        if not data:
            bad("", 'empty scenario: a scenario file needs at least `description = "..."`')
        else:
            bad("description", 'missing: every scenario needs a one-line `description = "..."`')
    for key, value in data.items():
        if key == "description" or key == "source":
            if not isinstance(value, str) or (key == "description" and not value.strip()):
                bad(key, f"expected a non-empty string, got {describe(value)}")
            elif key == "description":
                doc.description = value.strip()
            else:
                doc.source_note = value
        elif key == "extends":
            if not isinstance(value, str) or not value.strip():
                bad(key, f"expected the name of a scenario or a .toml path, got {describe(value)}")
            else:
                doc.extends = value.strip()
        elif key == "seeds":
            doc.seeds = _check_seeds(value, lambda msg: bad("seeds", msg))
        elif key in secs:
            if not isinstance(value, dict):
                bad(key, f"expected a table [{key}], got {describe(value)}")
                continue
            _check_section((key,), value, every, doc, bad)
        else:
            bad(key, _unknown(key, "the top level", top_options, every))
    return doc, issues


def _check_seeds(value: Any, bad) -> list[int] | None:
    if not isinstance(value, list):
        bad(f"expected a list of integers such as [1, 2, 3], got {describe(value)}")
        return None
    if not 1 <= len(value) <= MAX_SEEDS:
        bad(f"expected 1 to {MAX_SEEDS} seeds, got {len(value)}")
        return None
    out: list[int] = []
    for k, s in enumerate(value):
        if isinstance(s, bool) or not isinstance(s, int):
            bad(f"item {k}: expected an integer from 0 to {MAX_SEED}, got {describe(s)}")
            return None
        if not 0 <= s <= MAX_SEED:
            bad(f"item {k}: {s} is not allowed: allowed is an integer from 0 to {MAX_SEED}")
            return None
        out.append(s)
    if len(set(out)) != len(out):
        dup = next(s for s in out if out.count(s) > 1)
        bad(f"seed {dup} appears twice: seeds must differ, or the confidence interval is too narrow")
        return None
    return out


def _check_section(prefix: tuple[str, ...], table: dict[str, Any], every, doc: Document, bad) -> None:
    where = "[" + ".".join(prefix) + "]"
    children = sorted({p[len(prefix)] for p in every if p[: len(prefix)] == prefix and len(p) > len(prefix)})
    for key, value in table.items():
        path = (*prefix, key)
        dotted = ".".join(path)
        if path in every:
            f = every[path]
            converted, problem = check_value(f.param, value)
            if problem:
                bad(dotted, problem)
            elif f.flat is None:
                doc.budget = converted
            else:
                doc.values[f.flat] = converted
        elif path in NESTED:
            if not isinstance(value, dict):
                bad(dotted, f"expected a table [{dotted}] with one key per life domain, got {describe(value)}")
            else:
                _check_section(path, value, every, doc, bad)
        elif path == PRACTICE_PATH:
            from hls_sim.practice import canonical

            if not isinstance(value, list):
                bad(dotted, f"expected [[{dotted}]] tables, one per group of providers, got {describe(value)}")
                continue
            try:
                doc.values["provider_practice"] = canonical(value)
            except ParameterError as exc:
                bad(dotted, str(exc).split(": ", 1)[-1])
        else:
            bad(dotted, _unknown(key, where, children, every))


# ----------------------------------------------------------------------------- JSON Schema


def _param_schema(prm: Param) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if prm.choices is not None:
        out["type"] = "string"
        out["enum"] = list(prm.choices)
    else:
        out["type"] = {bool: "boolean", int: "integer", float: "number", str: "string"}[prm.kind]
        if prm.lo is not None:
            out["minimum"] = prm.lo
        if prm.hi is not None:
            out["maximum"] = prm.hi
    if prm.default is not None and prm is not BUDGET:
        out["default"] = prm.default
    unit = f" Unit: {prm.unit}." if prm.unit else ""
    src = f" Source: {prm.source}." if prm.source else ""
    out["description"] = f"{prm.doc}{unit} Allowed: {prm.allowed()}. Default: {prm.default}.{src}"
    if prm.unit:
        out["x-unit"] = prm.unit
    return out


def _practice_schema() -> dict[str, Any]:
    """[[providers.practice]]: each table names providers and the levers they practise differently."""
    from hls_sim.params import DOMAINS, PARAMS
    from hls_sim.practice import FLAGS, MAX_ENTRIES, PRACTICE_LEVERS

    entry: dict[str, Any] = {
        "providers": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 63},
            "minItems": 1,
            "description": "Provider indices (0-based) this entry applies to.",
        },
        "service_line": {
            "type": "string",
            "enum": list(DOMAINS),
            "description": "Every provider of this service line.",
        },
    }
    entry.update({k: _param_schema(PARAMS[k]) for k in PRACTICE_LEVERS})
    entry.update(
        {
            k: {
                "type": "boolean",
                "description": "Whether people can walk in at this provider's door (false: it only reaches out).",
            }
            for k in FLAGS
        }
    )
    return {
        "type": "array",
        "maxItems": MAX_ENTRIES,
        "description": "Providers that practise some levers differently (hls_sim/practice.py); each entry names them "
        "with exactly one of providers or service_line.",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": entry,
            "oneOf": [{"required": ["providers"]}, {"required": ["service_line"]}],
        },
    }


def json_schema() -> dict[str, Any]:
    """A JSON Schema for one scenario file, for editors that check TOML as people type.

    Draft-07 is declared because TOML editors (Taplo and the editors built on it) support older
    drafts best; every keyword used here means the same from draft-04 to 2020-12.
    """
    every = fields()
    props: dict[str, Any] = {
        "description": {"type": "string", "pattern": "\\S", "description": TOP_LEVEL_DOCS["description"]},
        "source": {"type": "string", "description": TOP_LEVEL_DOCS["source"]},
        "extends": {"type": "string", "pattern": "\\S", "description": TOP_LEVEL_DOCS["extends"]},
        "seeds": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
            "minItems": 1,
            "maxItems": MAX_SEEDS,
            "uniqueItems": True,
            "description": TOP_LEVEL_DOCS["seeds"],
        },
    }

    def table(prefix: tuple[str, ...], doc: str) -> dict[str, Any]:
        sub: dict[str, Any] = {}
        for path, f in every.items():
            if path[: len(prefix)] == prefix and len(path) == len(prefix) + 1:
                sub[path[-1]] = _param_schema(f.param)
        for nested in NESTED:
            if nested[: len(prefix)] == prefix and len(nested) == len(prefix) + 1:
                sub[nested[-1]] = table(nested, NESTED_DOCS[nested])
        return {"type": "object", "additionalProperties": False, "properties": sub, "description": doc}

    for sec in sections():
        props[sec] = table((sec,), SECTION_DOCS.get(sec, f"Parameters of the '{sec}' group."))
    props[PRACTICE_PATH[0]]["properties"][PRACTICE_PATH[1]] = _practice_schema()
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "hls_sim scenario file",
        "description": "A place, a population and a regime for hls_sim; see docs/scenarios.md.",
        "type": "object",
        "required": ["description"],
        "additionalProperties": False,
        "properties": props,
    }


# ----------------------------------------------------------------------------- writing TOML


def document_from_values(values: dict[str, Any], *, description: str, **top: Any) -> dict[str, Any]:
    """A sectioned document (as TOML would parse it) that sets the given registry values."""
    out: dict[str, Any] = {"description": description}
    out.update({k: v for k, v in top.items() if v is not None})
    order = {sec: k for k, sec in enumerate(sections())}
    for f in sorted(fields().values(), key=lambda f: order[f.path[0]]):
        if f.flat is None or f.flat not in values:
            continue
        value = values[f.flat]
        node = out
        for part in f.path[:-1]:
            node = node.setdefault(part, {})
        node[f.path[-1]] = value
    if values.get("provider_practice"):
        from hls_sim.practice import entries

        out.setdefault(PRACTICE_PATH[0], {})[PRACTICE_PATH[1]] = entries(values["provider_practice"])
    return out


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_string(text: str) -> str:
    """A TOML basic string. Not json.dumps: JSON writes characters beyond U+FFFF as surrogate pairs,
    which TOML rejects, so only the quote, the backslash and control characters are escaped."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def to_toml(doc: dict[str, Any]) -> str:
    """Write a parsed scenario document back as TOML: scalars first, then one header per table."""
    lines: list[str] = []

    def emit(prefix: tuple[str, ...], node: dict[str, Any]) -> None:
        def is_array_of_tables(v: Any) -> bool:
            return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

        scalars = {k: v for k, v in node.items() if not isinstance(v, dict) and not is_array_of_tables(v)}
        tables = {k: v for k, v in node.items() if isinstance(v, dict)}
        arrays = {k: v for k, v in node.items() if is_array_of_tables(v)}
        if prefix and (scalars or not (tables or arrays)):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(_toml_key(p) for p in prefix) + "]")
        for k, v in scalars.items():
            lines.append(f"{_toml_key(k)} = {_toml_scalar(v)}")
        for k, items in arrays.items():
            for item in items:
                if lines:
                    lines.append("")
                lines.append("[[" + ".".join(_toml_key(p) for p in (*prefix, k)) + "]]")
                for kk, vv in item.items():
                    lines.append(f"{_toml_key(kk)} = {_toml_scalar(vv)}")
        for k, v in tables.items():
            emit((*prefix, k), v)

    emit((), doc)
    return "\n".join(lines) + "\n"
