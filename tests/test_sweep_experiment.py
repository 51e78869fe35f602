"""Experiment files: every mistake is caught before anything runs, with file, key path and what is allowed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hls_sim.cli import main
from hls_sim.params import ParameterError
from hls_sim.sweep import make_plan, parse_experiment, run_seed
from hls_sim.sweep.experiment import EXPERIMENT_DIR, load_experiment

GOOD = """
name = "t"
seed = 3
replicates = 2
[base]
citizens = 200
weeks = 30
burn_in_weeks = 5
[design]
type = "grid"
[vary.incentive_strength]
values = [0.0, 0.5]
[outputs]
summary = ["campbell_gap"]
"""


def _with(replace: str, by: str) -> str:
    assert replace in GOOD
    return GOOD.replace(replace, by)


BAD = [
    (_with("seed = 3", ""), "seed: is missing"),
    (_with("seed = 3", "seed = -1"), "seed: invalid value -1"),
    (_with("replicates = 2", "replicats = 2"), "did you mean 'replicates'"),
    (_with("replicates = 2", "replicates = 0"), "replicates: invalid value 0: allowed is an integer from 1"),
    (_with("citizens = 200", "citizens = 3"), "base.citizens: invalid value 3: allowed is an integer from 10"),
    (_with("citizens = 200", "citizenz = 200"), "base.citizenz: unknown parameter (did you mean 'citizens'?)"),
    (_with("citizens = 200", "seed = 4"), "base.seed: is set per run"),
    (_with('type = "grid"', 'type = "latin"'), "design.type: invalid value 'latin'"),
    (_with("[vary.incentive_strength]", "[vary.incentive_strenght]"), "did you mean 'incentive_strength'"),
    (
        _with("values = [0.0, 0.5]", "values = [0.0, 1.5]"),
        "vary.incentive_strength.values[1]: invalid value 1.5: allowed is a number from 0 to 1",
    ),
    (_with("values = [0.0, 0.5]", "values = [0.5, 0.5]"), "lists a value twice"),
    (_with("values = [0.0, 0.5]", "lo = 0.0\nhi = 0.5"), "a grid needs 'values' or 'levels'"),
    (_with("values = [0.0, 0.5]", "lo = 0.6\nhi = 0.5\nlevels = 3"), "'lo' (0.6) must be below 'hi' (0.5)"),
    (
        _with("values = [0.0, 0.5]", "lo = 0.0\nhi = 2.0\nlevels = 3"),
        "vary.incentive_strength.hi: invalid value 2.0: allowed is a number from 0 to 1",
    ),
    (_with("values = [0.0, 0.5]", "values = []"), "allowed is a non-empty list"),
    (_with("[vary.incentive_strength]\nvalues = [0.0, 0.5]", "[vary.ratchet]\nlo = 0\nhi = 1"), "is not numeric"),
    (
        _with("[vary.incentive_strength]\nvalues = [0.0, 0.5]", "[vary.seed]\nvalues = [1, 2]"),
        "vary.seed: cannot be varied",
    ),
    (
        _with('summary = ["campbell_gap"]', 'summary = ["campbel_gap"]'),
        "outputs.summary: no output matches 'campbel_gap' (did you mean 'campbell_gap'?)",
    ),
    (
        _with('summary = ["campbell_gap"]', 'summary = ["campbell_gap", "nothing_*"]'),
        "outputs.summary[1]: no output matches 'nothing_*'",
    ),
    (_with('summary = ["campbell_gap"]', "summary = []"), "keeps nothing"),
    (_with('summary = ["campbell_gap"]', 'summary = ["campbell_gap"]\nevery = 0'), "outputs.every: "),
    (
        _with('type = "grid"', 'type = "sobol"\nsamples = 6'),
        "design.samples: invalid value 6: a Sobol' sequence needs a power of two",
    ),
    (_with('type = "grid"', 'type = "lhs"'), "design.samples: is missing"),
    (_with('type = "grid"', 'type = "morris"\ntrajectories = 4\nlevels = 3'), "Morris needs an even number of levels"),
    (_with('type = "grid"', 'type = "morris"\ntrajectories = 4'), "needs a numeric range"),
    (_with('type = "grid"', 'type = "grid"\nsamples = 4'), "design.samples: unknown key"),
    (GOOD + '[analysis]\nmetrics = ["true_outcome"]\n', "analysis.metrics[0]: 'true_outcome' is not among the kept"),
    ("seed = 1\n[design\n", "not valid TOML"),
]


@pytest.mark.parametrize("text, needle", BAD)
def test_bad_experiment_is_a_clear_error(text, needle):
    with pytest.raises(ParameterError) as info:
        make_plan(parse_experiment(text, source="exp.toml"))
    msg = str(info.value)
    assert msg.startswith("exp.toml: "), msg
    assert needle in msg, msg


def test_bad_experiment_from_cli_exit_2_nothing_written(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(_with("values = [0.0, 0.5]", "values = [0.0, 1.5]"))
    out = tmp_path / "never"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "vary.incentive_strength.values[1]" in err and "Traceback" not in err
    assert not out.exists()


def test_unknown_experiment_name_lists_shipped_ones(capsys, tmp_path):
    assert main(["sweep", "no_such_experiment", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "no_such_experiment" in err and "campbell_law" in err


def test_base_scenario_errors_name_the_scenario_file(tmp_path):
    scen = tmp_path / "place.toml"
    scen.write_text("citizens = 1\n")
    text = _with("[base]\n", f'[base]\nscenario = "{scen}"\n')
    with pytest.raises(ParameterError, match=r"place\.toml: .*'citizens'"):
        parse_experiment(text, source="exp.toml")


def test_base_scenario_is_applied_and_base_keys_win(tmp_path):
    scen = tmp_path / "place.toml"
    scen.write_text('description = "a test place"\n[population]\ncitizens = 300\n[commissioner]\ncrisis_cost = 999.0\n')
    exp = parse_experiment(_with("[base]\n", f'[base]\nscenario = "{scen}"\n'), source="exp.toml")
    assert exp.base["crisis_cost"] == 999.0
    assert exp.base["citizens"] == 200  # [base] overrides the scenario


@pytest.mark.parametrize("path", sorted(EXPERIMENT_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiments_are_valid(path: Path):
    plan = make_plan(load_experiment(path))
    assert plan.n_runs == len(plan.design.points) * plan.experiment.replicates
    assert plan.experiment.name == path.stem


def test_shipped_experiments_exist():
    names = {p.stem for p in EXPERIMENT_DIR.glob("*.toml")}
    assert {"campbell_law", "regime_comparison", "npm_to_hls", "sensitivity"} <= names


# ---------------------------------------------------------------------- seeds
@given(master=st.integers(0, 2**63 - 1), point=st.integers(0, 10**6), rep=st.integers(0, 10**4))
def test_run_seed_is_a_pure_function_in_range(master, point, rep):
    s = run_seed(master, point, rep)
    assert s == run_seed(master, point, rep)
    assert 0 <= s < 2**32
    expected = np.random.SeedSequence(master, spawn_key=(point, rep)).generate_state(1, dtype=np.uint32)[0]
    assert s == int(expected)


def test_seeds_differ_between_points_unless_common_random_numbers():
    plan = make_plan(parse_experiment(GOOD, source="exp.toml"))
    seeds = [t.seed for t in plan.tasks]
    assert len(set(seeds)) == len(seeds) == 4
    crn = make_plan(
        parse_experiment(GOOD.replace("replicates = 2", "replicates = 2\ncommon_random_numbers = true"), source="e")
    )
    by_point = {}
    for t in crn.tasks:
        by_point.setdefault(t.point, []).append(t.seed)
    assert by_point[0] == by_point[1] and len(set(by_point[0])) == 2


def test_plan_hash_changes_with_anything_that_changes_results():
    h = make_plan(parse_experiment(GOOD, source="e")).hash
    assert h == make_plan(parse_experiment(GOOD, source="other")).hash
    assert h != make_plan(parse_experiment(GOOD.replace("seed = 3", "seed = 4"), source="e")).hash
    assert h != make_plan(parse_experiment(GOOD.replace("weeks = 30", "weeks = 31"), source="e")).hash
    assert h != make_plan(parse_experiment(GOOD.replace('["campbell_gap"]', '["true_outcome"]'), source="e")).hash
