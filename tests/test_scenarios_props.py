"""Property tests: random valid scenario files validate, round-trip through TOML and agree with the
JSON Schema; random single mutations are rejected at the mutated key path by both; chains of
`extends` resolve every key to the value of the nearest file that sets it."""

from __future__ import annotations

import math
import tempfile
import tomllib
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hls_sim.scenarios import load_scenario
from hls_sim.schema import Field, check_document, fields, json_schema, to_toml

FIELDS = list(fields().values())
VALIDATOR = jsonschema.Draft7Validator(json_schema())
# Keys whose valid values depend on other keys once files are merged (checked in test_scenarios_bad).
CROSS_CHECKED = {"weeks", "burn_in_weeks", "switch_week", "n_providers", "workers_per_1000", None}
CHAIN_FIELDS = [
    f for f in FIELDS if f.flat not in CROSS_CHECKED and not f.flat.startswith("service_lines_") and f.flat != "regime"
]


def valid_value(f: Field) -> st.SearchStrategy:
    p = f.param
    if p.choices is not None:
        return st.sampled_from(p.choices)
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        return st.integers(int(p.lo), int(min(p.hi, 10**7)))
    return st.floats(p.lo, p.hi, allow_nan=False, allow_infinity=False)


def invalid_value(f: Field) -> st.SearchStrategy:
    """A value of the wrong type or outside the allowed range or choices."""
    p = f.param
    wrong_type = st.sampled_from(["12 units", [1, 2], {"a": 1}]) | (st.booleans() if p.kind is not bool else st.just(1))
    if p.choices is not None:
        return wrong_type | st.text(min_size=1, max_size=8).filter(lambda s: s not in p.choices)
    if p.kind is bool:
        return wrong_type | st.sampled_from(["true", 0.5])
    above = st.floats(p.hi + max(1.0, abs(p.hi)) * 1e-3, p.hi * 10 + 10, allow_nan=False)
    below = st.floats(p.lo - 1e6, p.lo - max(1.0, abs(p.lo)) * 1e-3, allow_nan=False)
    out = wrong_type | above | below
    if p.kind is int:
        out = out | st.just(p.lo + 0.5)
    return out


def put(doc: dict, path: tuple[str, ...], value) -> None:
    node = doc
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


@st.composite
def valid_documents(draw, pool=FIELDS, description=True):
    chosen = draw(st.lists(st.sampled_from(pool), unique_by=lambda f: f.path, max_size=12))
    doc: dict = {"description": "generated"} if description else {}
    expected = {}
    for f in chosen:
        value = draw(valid_value(f))
        put(doc, f.path, value)
        expected[f.flat or f.dotted] = value
    if draw(st.booleans()):
        doc["seeds"] = draw(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=5, unique=True))
    return doc, expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4))
def test_any_text_round_trips_through_to_toml(table):
    """Keys and strings of any characters, including beyond U+FFFF and control characters."""
    doc = {"description": "x", "notes": table}
    assert tomllib.loads(to_toml(doc)) == doc


@settings(max_examples=150, deadline=None)
@given(valid_documents())
def test_valid_documents_validate_round_trip_and_match_the_schema(case):
    doc, expected = case
    parsed = tomllib.loads(to_toml(doc))
    assert parsed == doc
    checked, issues = check_document(parsed, "generated.toml")
    assert issues == []
    got = {**checked.values, **({"commissioner.budget_per_year": checked.budget} if checked.budget else {})}
    for key, value in expected.items():
        assert got[key] == value or (isinstance(value, float) and math.isclose(got[key], value))
    assert VALIDATOR.is_valid(parsed)


@st.composite
def mutated_documents(draw):
    doc, _ = draw(valid_documents())
    kind = draw(st.sampled_from(["value", "unknown_key", "drop_description"]))
    if kind == "value":
        f = draw(st.sampled_from(FIELDS))
        put(doc, f.path, draw(invalid_value(f)))
        return doc, f.dotted
    if kind == "unknown_key":
        section = draw(st.sampled_from(["", "run", "population", "workforce", "providers", "commissioner", "regime"]))
        key = draw(st.from_regex(r"zz[a-z_]{1,10}", fullmatch=True))
        if section:
            doc.setdefault(section, {})[key] = 1
            return doc, f"{section}.{key}"
        doc[key] = 1
        return doc, key
    del doc["description"]
    return doc, "description" if doc else ""


@settings(max_examples=200, deadline=None)
@given(mutated_documents())
def test_single_mutations_are_rejected_at_their_path_by_both(case):
    doc, path = case
    _, issues = check_document(doc, "mutated.toml")
    assert path in [i.path for i in issues]
    assert all(str(i).startswith("mutated.toml: ") for i in issues)
    assert not VALIDATOR.is_valid(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_documents(pool=CHAIN_FIELDS), min_size=1, max_size=4))
def test_extends_chain_takes_the_nearest_value(chain):
    with tempfile.TemporaryDirectory() as tmp:
        for k, (doc, _) in enumerate(chain):
            if k > 0:
                doc["extends"] = f"level{k - 1}"
            Path(tmp, f"level{k}.toml").write_text(to_toml(doc))
        sc = load_scenario(str(Path(tmp, f"level{len(chain) - 1}.toml")))
    expected: dict = {}
    for _, values in chain:
        expected.update({k: v for k, v in values.items() if k != "commissioner.budget_per_year"})
    assert sc.overrides == expected
    seeds = [doc["seeds"] for doc, _ in chain if "seeds" in doc]
    assert sc.seeds == (seeds[-1] if seeds else None)
    assert len(sc.chain) == len(chain)


@settings(max_examples=30, deadline=None)
@given(mutated_documents())
def test_command_line_rejects_mutations_with_exit_2_and_writes_nothing(case):
    import contextlib
    import io

    from hls_sim.cli import main

    doc, path = case
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp, "mutated.toml")
        scenario.write_text(to_toml(doc))
        out = Path(tmp, "out")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", str(scenario), "--out", str(out)])
        assert code == 2
        assert "Traceback" not in err.getvalue()
        assert f"mutated.toml: {path}: " in err.getvalue() if path else "mutated.toml: " in err.getvalue()
        assert not out.exists()
