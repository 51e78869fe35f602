"""A corpus of malformed scenario files: each must give its intended message, naming the file and
the key path, with exit status 2, no traceback and nothing written, from every command that reads
scenarios. Files starting with '_' are parents used by other cases, not cases themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hls_sim.cli import main
from hls_sim.scenarios import load_scenario
from hls_sim.schema import ScenarioError

BAD = Path(__file__).parent / "bad_scenarios"

# file stem -> (file named in the message, key path, what the message must say)
CASES: dict[str, tuple[str, str, str]] = {
    "empty": ("empty", "", "empty scenario"),
    "comments_only": ("comments_only", "", "empty scenario"),
    "binary_garbage": ("binary_garbage", "", "not a text file: byte 0x89 at offset 0"),
    "not_utf8": ("not_utf8", "", "not a text file: byte 0xe9"),
    "not_toml": ("not_toml", "", "not valid TOML"),
    "duplicate_key": ("duplicate_key", "", "not valid TOML: Cannot overwrite a value (at line 4"),
    "missing_description": ("missing_description", "description", "every scenario needs a one-line"),
    "description_not_string": ("description_not_string", "description", "expected a non-empty string, got 5"),
    "unknown_top_level": ("unknown_top_level", "sedds", "did you mean 'seeds'?"),
    "unknown_section": ("unknown_section", "populaton", "did you mean 'population'?"),
    "unknown_key_typo": ("unknown_key_typo", "population.citizns", "did you mean 'citizens'?"),
    "key_in_wrong_section": ("key_in_wrong_section", "population.caseload_cap", "belongs in workforce.caseload_cap"),
    "flat_key_at_top_level": (
        "flat_key_at_top_level",
        "incentive_strength",
        "belongs in regime.incentive_strength",
    ),
    "seed_in_run": ("seed_in_run", "run.seed", "top-level list `seeds = [1, 2, 3]`"),
    "quoted_number": ("quoted_number", "population.citizens", "got the string '2000'; remove the quotes"),
    "unit_in_budget": (
        "unit_in_budget",
        "commissioner.budget_per_year",
        "without units or quotes (the unit is GBP/year)",
    ),
    "unit_in_weeks": ("unit_in_weeks", "run.weeks", "without units or quotes (the unit is weeks)"),
    "percent_for_share": ("percent_for_share", "population.complex_share", "allowed is a number from 0 to 1 (share)"),
    "too_few_citizens": ("too_few_citizens", "population.citizens", "allowed is an integer from 10"),
    "stakes_above_one": ("stakes_above_one", "regime.incentive_strength", "1.5 is not allowed"),
    "fraction_for_integer": ("fraction_for_integer", "workforce.caseload_cap", "expected an integer (cases/worker)"),
    "boolean_for_number": ("boolean_for_number", "regime.audit_rate", "got the boolean true"),
    "string_for_flag": ("string_for_flag", "regime.ratchet", "expected true or false"),
    "unknown_regime": ("unknown_regime", "regime.name", "did you mean 'hls'?"),
    "unknown_payment_basis": ("unknown_payment_basis", "regime.payment_basis", "one of 'block', 'activity'"),
    "section_not_table": ("section_not_table", "population", "expected a table [population]"),
    "nested_not_table": ("nested_not_table", "providers.service_lines", "one key per life domain"),
    "deep_unknown_domain": ("deep_unknown_domain", "population.domain_mix.housng", "did you mean 'housing'?"),
    "deep_wrong_type": ("deep_wrong_type", "providers.service_lines.housing", "expected an integer (providers)"),
    "deep_out_of_range": ("deep_out_of_range", "population.domain_mix.housing", "allowed is a number from 0 to 10"),
    "deep_unknown_table": ("deep_unknown_table", "regime.extra", "unknown key 'extra'"),
    "date_for_number": ("date_for_number", "run.weeks", "got the date/time 2024-01-01"),
    "nan_value": ("nan_value", "population.shock_rate", "nan is not allowed"),
    "infinite_cost": ("infinite_cost", "commissioner.crisis_cost", "inf is not allowed"),
    "list_for_number": ("list_for_number", "population.citizens", "got a list"),
    "seeds_not_list": ("seeds_not_list", "seeds", "expected a list of integers"),
    "seeds_duplicated": ("seeds_duplicated", "seeds", "seed 1 appears twice"),
    "seeds_negative": ("seeds_negative", "seeds", "-1 is not allowed"),
    "seeds_empty": ("seeds_empty", "seeds", "expected 1 to 1000 seeds, got 0"),
    "extends_unknown_name": ("extends_unknown_name", "extends", "no scenario named 'no_such_scenario'"),
    "extends_missing_file": ("extends_missing_file", "extends", "scenario file not found"),
    "cycle_a": ("cycle_b", "extends", "cycle in extends"),
    "cycle_b": ("cycle_a", "extends", "cycle in extends"),
    "extends_itself": ("extends_itself", "extends", "cycle in extends"),
    "extends_broken_parent": ("_broken_parent", "workforce.caseload_capp", "did you mean 'caseload_cap'?"),
    "inherited_lever_new_regime": (
        "inherited_lever_new_regime",
        "regime.worker_discretion",
        "set it under regime 'output_targets', but this scenario runs regime 'hls'",
    ),
    "budget_and_workers": ("budget_and_workers", "commissioner.budget_per_year", "not both"),
    "budget_too_small": (
        "budget_too_small",
        "commissioner.budget_per_year",
        "allowed is a budget that buys at least one worker",
    ),
    "service_lines_disagree": ("service_lines_disagree", "providers.n_providers", "add up to 2"),
    "service_lines_too_many": ("service_lines_too_many", "providers.service_lines", "add up to 70 providers"),
    "burn_in_too_long": ("burn_in_too_long", "run.burn_in_weeks", "allowed is fewer burn-in weeks than weeks"),
    "switch_after_end": ("switch_after_end", "regime.switch_week", "week 300 is not within the run of 260 weeks"),
    "several_problems": ("several_problems", "regime.incentve_strength", "3 problems in scenario files"),
}


def test_corpus_is_complete():
    """Every case file has an expectation and every expectation a file, and there are at least 30."""
    files = {p.stem for p in BAD.glob("*.toml") if not p.stem.startswith("_")}
    assert files == set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("stem", sorted(CASES))
def test_load_names_file_key_and_rule(stem):
    named, path, needle = CASES[stem]
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(BAD / f"{stem}.toml"))
    message = str(info.value)
    assert f"{named}.toml" in message
    assert needle in message
    if path:
        assert any(issue.path == path for issue in info.value.issues), [i.path for i in info.value.issues]
        assert f"{named}.toml: {path}: " in message


@pytest.mark.parametrize("command", ["run", "show", "compare"])
@pytest.mark.parametrize("stem", sorted(CASES))
def test_cli_exit_2_no_traceback_nothing_written(tmp_path, capsys, monkeypatch, stem, command):
    monkeypatch.chdir(tmp_path)  # anything written by accident would land here
    out = tmp_path / "out"
    args = [command, str(BAD / f"{stem}.toml")]
    if command == "compare":
        args += ["default", "--seeds", "1"]
    if command != "show":
        args += ["--out", str(out)]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("hls-sim: error: ")
    assert CASES[stem][2] in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_several_problems_are_all_reported():
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(BAD / "several_problems.toml"))
    assert [i.path for i in info.value.issues] == [
        "population.citizens",
        "population.complex_share",
        "regime.incentve_strength",
    ]


def test_binary_garbage_through_the_console_script(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "hls_sim", "run", str(BAD / "binary_garbage.toml"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "binary_garbage.toml: not a text file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["show", "plymoth_alliance"], "did you mean 'plymouth_alliance'?"),
        (["run", "missing/place.toml"], "scenario file not found"),
        (["compare", "plymouth_before", "plymouth_before"], "given twice"),
        (["compare", "default", "--seeds", "0"], "--seeds: invalid value 0"),
        (["compare", "default", "--seed", "-3"], "--seed"),
        (["show", "default", "--set", "citizens=3"], "citizens"),
    ],
)
def test_bad_names_and_options(tmp_path, capsys, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
