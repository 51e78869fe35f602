"""Shipped scenarios: each validates, runs, resolves to what its files say, and compares on common
random numbers; the commands that list, show and describe scenarios say what the files say."""

from __future__ import annotations

import json
import math
from collections import Counter

import jsonschema
import polars as pl
import pytest

import hls_sim
from hls_sim.cli import main
from hls_sim.model import HLSModel
from hls_sim.params import DOMAINS, PARAMS, defaults
from hls_sim.scenarios import load_scenario, named_scenarios, scenario_overrides
from hls_sim.schema import json_schema

NAMED = sorted(named_scenarios())
REQUIRED = {
    "default",
    "plymouth_alliance",
    "plymouth_before",
    "liverpool_assertive_outreach",
    "gateshead_council_tax",
    "greater_manchester_below_threshold",
    "work_programme_pbr",
    "self_managed_care_teams",
}
SMALL = dict(citizens=300, weeks=40, burn_in_weeks=10)


def test_required_scenarios_ship():
    assert set(NAMED) >= REQUIRED


@pytest.mark.parametrize("name", NAMED)
def test_scenario_validates_and_runs(name):
    sc = load_scenario(name)
    assert sc.description and sc.seeds, "every shipped scenario has a description and its seeds"
    params = sc.parameters()
    assert set(params) == set(PARAMS)
    small = dict(SMALL)
    if params["switch_week"]:  # a run short enough to test still reaches the scenario's switch
        small["weeks"] = params["switch_week"] + SMALL["weeks"]
    result = hls_sim.run(seed=sc.seeds[0], **{**sc.overrides, **small})
    for key in ("true_outcome", "wellbeing_mean", "total_cost", "crisis_events"):
        assert math.isfinite(result.summary[key]), key
    assert result.summary["final_regime"] == (params["switch_regime"] if params["switch_week"] else params["regime"])
    assert result.params["regime"] == params["regime"]
    assert result.params["workers_per_1000"] == params["workers_per_1000"]


@pytest.mark.parametrize("name", NAMED)
def test_model_builds_the_providers_the_file_describes(name):
    """Service lines in a file become providers with those domains; n_providers follows their sum."""
    sc = load_scenario(name)
    lines = {d: sc.overrides.get(f"service_lines_{d}", 0) for d in DOMAINS}
    model = HLSModel(seed=1, **{**sc.overrides, **SMALL})
    assert len(model.providers) == sc.parameters()["n_providers"]
    if sum(lines.values()):
        built = Counter(DOMAINS[int(d)] for d in model.domain)
        assert built == Counter({d: c for d, c in lines.items() if c})


@pytest.mark.parametrize("name", NAMED)
def test_shipped_files_match_the_json_schema(name):
    import tomllib

    validator = jsonschema.Draft7Validator(json_schema())
    for path in load_scenario(name).chain:
        validator.validate(tomllib.loads(path.read_text()))


def test_json_schema_is_a_valid_schema_and_printed(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema == json_schema()
    prop = schema["properties"]["workforce"]["properties"]["caseload_cap"]
    assert prop["type"] == "integer" and prop["minimum"] == PARAMS["caseload_cap"].lo
    assert prop["default"] == PARAMS["caseload_cap"].default and "cases/worker" in prop["description"]
    assert schema["properties"]["regime"]["properties"]["name"]["enum"] == list(PARAMS["regime"].choices)


def test_every_registry_parameter_has_a_place_in_files():
    """One source of truth: each registry key except the seed is settable in a file, documented in the schema
    (provider_practice by its own [[providers.practice]] tables)."""
    from hls_sim.schema import PRACTICE_PATH, fields, json_schema

    flat = {f.flat for f in fields().values() if f.flat}
    assert flat == set(PARAMS) - {"seed", "provider_practice"}
    assert PRACTICE_PATH[1] in json_schema()["properties"][PRACTICE_PATH[0]]["properties"]


def test_default_scenario_is_the_registry_defaults():
    sc = load_scenario("default")
    assert sc.overrides == {}
    assert sc.parameters() == {**defaults(), **hls_sim.resolve({})}
    assert scenario_overrides(None) == {"seed": sc.seeds[0]}


def test_extends_overrides_only_what_differs():
    before, alliance = load_scenario("plymouth_before"), load_scenario("plymouth_alliance")
    pb, pa = before.parameters(), alliance.parameters()
    assert [p.stem for p in alliance.chain] == ["plymouth_before", "plymouth_alliance"]
    same = ("citizens", "weeks", "workers_per_1000", "domain_mix_housing", "domain_mix_safety")
    assert all(pa[k] == pb[k] for k in same)
    assert (pb["n_providers"], pa["n_providers"]) == (29, 7)
    assert (pb["regime"], pa["regime"]) == ("output_targets", "hls")
    origin = alliance.provenance()
    assert origin["citizens"].endswith("plymouth_before.toml")
    assert origin["service_lines_housing"].endswith("plymouth_alliance.toml")
    assert origin["worker_discretion"] == "regime hls"
    assert origin["coupling_complex"] == "default"
    assert alliance.seeds == before.seeds  # inherited


def test_budget_buys_staff_at_the_place_price():
    """The yearly budget becomes staff per 1,000 at hours x hourly cost x (1 + overhead), and the model pays about it."""
    sc = load_scenario("plymouth_before")
    p = sc.parameters()
    per_worker = 52 * p["hours_per_week"] * p["hourly_cost"] * (1 + p["overhead_share"])
    assert p["workers_per_1000"] == pytest.approx(sc.budget / per_worker / p["citizens"] * 1000)
    model = HLSModel(seed=1, **sc.overrides)
    assert model.budget_week * 52 == pytest.approx(sc.budget, abs=per_worker)


def test_same_budget_at_higher_wages_buys_fewer_staff():
    ttc, smt = load_scenario("time_and_task_care").parameters(), load_scenario("self_managed_care_teams").parameters()
    assert smt["hourly_cost"] > ttc["hourly_cost"]
    cost = {k: p["hourly_cost"] * (1 + p["overhead_share"]) for k, p in (("ttc", ttc), ("smt", smt))}
    assert smt["workers_per_1000"] / ttc["workers_per_1000"] == pytest.approx(cost["ttc"] / cost["smt"])


def test_command_line_overrides_beat_the_file(capsys):
    assert main(["show", "plymouth_alliance", "--format", "json", "--citizens", "500", "--set", "audit_rate=0.2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["parameters"]["citizens"] == 500 and shown["parameters"]["audit_rate"] == 0.2
    assert shown["origin"]["citizens"] == "command line"
    assert shown["files"][-1].endswith("plymouth_alliance.toml")


def test_show_text_lists_every_section(capsys):
    assert main(["show", "gateshead_council_tax"]) == 0
    out = capsys.readouterr().out
    for header in ("[run]", "[population]", "[workforce]", "[providers]", "[commissioner]", "[regime]"):
        assert header in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("worker_discretion"))
    assert "1" in line and "gateshead_council_tax.toml" in line


@pytest.mark.parametrize("name", NAMED)
def test_show_toml_round_trips(tmp_path, capsys, name):
    """`show --format toml` writes a standalone file that resolves to exactly the same parameters."""
    assert main(["show", name, "--format", "toml"]) == 0
    path = tmp_path / f"{name}_resolved.toml"
    path.write_text(capsys.readouterr().out)
    again = load_scenario(str(path))
    assert again.parameters() == load_scenario(name).parameters()
    assert again.seeds == load_scenario(name).seeds


def test_scenarios_lists_each_with_its_description(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in out] == NAMED
    for ln in out:
        name = ln.split()[0]
        assert load_scenario(name).description in ln


def test_user_file_extends_a_named_scenario(tmp_path):
    path = tmp_path / "my_plymouth.toml"
    path.write_text(
        'description = "Plymouth with more staff"\nextends = "plymouth_alliance"\n[commissioner]\nbudget_per_year = 9_000_000\n'
    )
    sc = load_scenario(str(path))
    assert sc.parameters()["workers_per_1000"] > load_scenario("plymouth_alliance").parameters()["workers_per_1000"]
    assert sc.parameters()["regime"] == "hls"


def test_run_uses_the_scenario_and_its_first_seed(tmp_path):
    out = tmp_path / "r"
    code = main(
        [
            "run",
            "gateshead_council_tax",
            "--citizens",
            "200",
            "--weeks",
            "30",
            "--set",
            "burn_in_weeks=5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    sc = load_scenario("gateshead_council_tax")
    assert summary["seed"] == sc.seeds[0]
    assert summary["parameters"]["regime"] == "hls" and summary["parameters"]["worker_discretion"] == 1.0


def test_compare_scenarios_on_common_seeds(tmp_path, capsys):
    out = tmp_path / "c"
    code = main(
        ["compare", "gateshead_enforcement", "gateshead_council_tax", "--citizens", "200", "--weeks", "30",
         "--set", "burn_in_weeks=5", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "gateshead_enforcement" in printed and "gateshead_council_tax" in printed and "±" in printed
    runs = pl.read_parquet(out / "runs.parquet")
    seeds = load_scenario("gateshead_council_tax").seeds
    for label in ("gateshead_enforcement", "gateshead_council_tax"):
        assert sorted(runs.filter(pl.col("label") == label)["seed"].to_list()) == seeds
    table = pl.read_csv(out / "table.csv")
    assert {"metric", "label", "mean", "ci_low", "ci_high", "n"} <= set(table.columns)
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == seeds
    assert manifest["labels"]["gateshead_council_tax"]["regime"] == "hls"
    note = manifest["scenarios"]["gateshead_council_tax"]
    assert note["description"] == load_scenario("gateshead_council_tax").description
    assert [f.rsplit("/", 1)[-1] for f in note["files"]] == ["gateshead_enforcement.toml", "gateshead_council_tax.toml"]


@pytest.mark.parametrize(
    "extra, seeds",
    [(["--seeds", "2"], [1, 2]), (["--seeds", "2", "--seed", "7"], [7, 8]), (["--seed", "3"], [3, 4, 5, 6, 7])],
)
def test_compare_seed_options(tmp_path, extra, seeds):
    from hls_sim.scenarios import compare_seeds

    n = int(extra[extra.index("--seeds") + 1]) if "--seeds" in extra else None
    first = int(extra[extra.index("--seed") + 1]) if "--seed" in extra else None
    assert compare_seeds(["work_programme_pbr"], n, first) == seeds


def test_compare_defaults_to_the_first_scenario_seeds(tmp_path):
    from hls_sim.scenarios import compare_seeds

    custom = tmp_path / "seeded.toml"
    custom.write_text('description = "x"\nseeds = [11, 12, 13]\n')
    assert compare_seeds([str(custom), "default"], None, None) == [11, 12, 13]
    assert compare_seeds(["default", str(custom)], None, None) == load_scenario("default").seeds
    assert compare_seeds(None, None, None) == load_scenario("default").seeds


@pytest.mark.parametrize("name", NAMED)
def test_each_scenario_cites_its_sources_and_is_documented(name):
    """Source lines in the file's comments and `source`, and a note in docs/scenarios.md."""
    import re
    from pathlib import Path

    sc = load_scenario(name)
    text = sc.path.read_text()
    citation = re.compile(r"\b00[0-4] L\d+|[A-Z][a-z]+ (&|and) [A-Z][a-z]+ \d{4}|registry defaults")
    assert sc.source_note and citation.search(sc.source_note)
    assert any(line.lstrip().startswith("#") for line in text.splitlines()) or name == "default"
    docs = (Path(__file__).parent.parent / "docs" / "scenarios.md").read_text()
    assert f"`{name}`" in docs


def test_provider_practice_round_trips_through_a_written_file(tmp_path):
    """[[providers.practice]] tables written back as TOML load to the same resolved value."""
    from hls_sim.schema import document_from_values, to_toml

    sc = load_scenario("greater_manchester_below_threshold")
    path = tmp_path / "copy.toml"
    path.write_text(to_toml(document_from_values(sc.overrides, description="copy")))
    assert "[[providers.practice]]" in path.read_text()
    assert load_scenario(str(path)).parameters()["provider_practice"] == sc.parameters()["provider_practice"]
