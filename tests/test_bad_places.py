"""Places that cannot exist and sides that contradict themselves are refused before any work: a
provider_practice entry naming a provider or service line the place lacks, service lines adding up
to more providers than allowed, a provider_practice nested too deeply to read, `--set regime` against
a side that is a regime, and `check` telling a scenario with one wrong key from other kinds of file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hls_sim.cli import main
from hls_sim.params import DOMAINS

SMALL = ["--citizens", "300", "--weeks", "60"]
EVERY_LINE_64 = [a for d in DOMAINS for a in ("--set", f"service_lines_{d}=64")]
DEEP = "[" * 100_000 + "]" * 100_000  # beyond what any Python's JSON reader will nest

CASES = [
    (
        ["run", *SMALL, "--set", 'provider_practice=[{"providers": [10], "caseload_cap": 5}]'],
        "provider_practice: entry 0 names provider 10, but the place has 6 providers; allowed are 0 to 5",
    ),
    (
        ["run", *SMALL, "--set", "n_providers=3", "--set", 'provider_practice=[{"service_line": "safety"}]'],
        "entry 0 names service line 'safety', which no provider of the place serves; allowed are housing",
    ),
    (
        ["run", *SMALL, *EVERY_LINE_64],
        "n_providers: the service_lines_* add up to 512 providers; allowed is at most 64",
    ),
    (["show", "--set", f"provider_practice={DEEP}"], "nested too deeply to read"),
    (
        ["run", *SMALL, *[a for d in DOMAINS for a in ("--set", f"domain_mix_{d}=0")]],
        "every domain_mix_* is 0; they are relative weights",
    ),
    (
        ["explain", "block_grant", "hls", *SMALL, "--set", "regime=hls"],
        "--set regime=hls contradicts the side 'block_grant', which is a regime",
    ),
    (
        ["robustness", "block_grant", "hls", *SMALL, "--set", "regime=hls"],
        "--set regime=hls contradicts the side 'block_grant', which is a regime",
    ),
    (
        ["robustness", "block_grant", "hls", *SMALL, "--set", 'provider_practice=[{"providers": [20]}]'],
        "entry 0 names provider 20",
    ),
]


@pytest.mark.parametrize("argv, needle", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_refused_before_any_work(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert needle in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "--citizens", "1.5", "--weeks", "60"], "argument --citizens: invalid whole number: '1.5'"),
        (["run", "--citizens", "300", "--weeks", "nan"], "argument --weeks: invalid whole number: 'nan'"),
    ],
)
def test_a_population_option_that_is_not_a_whole_number_is_refused(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(argv)
    captured = capsys.readouterr()
    assert stop.value.code == 2 and needle in captured.err and "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_whole_numbers_read_alike_as_options_and_as_set(tmp_path, monkeypatch):
    """`--citizens 3e2` means what `--set citizens=3e2` means: both a place of 300 people."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--citizens", "3e2", "--weeks", "6e1", "--out", "a"]) == 0
    assert main(["run", "--set", "citizens=3e2", "--set", "weeks=6e1", "--out", "b"]) == 0
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in "ab")
    assert a["parameters"]["citizens"] == b["parameters"]["citizens"] == 300
    assert a["parameters"]["weeks"] == b["parameters"]["weeks"] == 60


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, needle",
    [
        ('description = "x"\nseed = 3\n[population]\ncitizens = 300\n', "seed: unknown key 'seed'; seeds are set by"),
        ('description = "x"\nevidence = "y"\n[population]\ncitizens = 300\n', "evidence: unknown key 'evidence'"),
    ],
)
def test_check_reads_a_scenario_with_one_stray_key_as_a_scenario(tmp_path, capsys, text, needle):
    path = _write(tmp_path, "place.toml", text)
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and needle in err, err
    assert "allowed in the top level: description" in err  # the scenario's own keys, not an experiment's


def test_a_place_whose_practice_names_its_own_providers_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    practice = (
        'provider_practice=[{"providers": [5], "caseload_cap": 5}, {"service_line": "housing", "outreach_rate": 0.1}]'
    )
    assert main(["show", "--format", "json", "--set", practice]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert '"caseload_cap":5' in shown["parameters"]["provider_practice"]
    assert shown["origin"]["provider_practice"] == "command line"


def test_report_refuses_a_damaged_robustness_table(tmp_path, capsys):
    from hls_sim.report import ROBUSTNESS_KEYS

    folder = tmp_path / "rob"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"format": "hls_sim.robustness/1", "kind": "robustness"}')
    (folder / "robustness.json").write_text(json.dumps({k: {} for k in ROBUSTNESS_KEYS}))
    (folder / "sets.parquet").write_bytes(b"not parquet at all")
    code = main(["report", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and f"{folder}/sets.parquet: not a readable parquet table" in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "robustness.json", "sets.parquet"]


EXPERIMENT = """name = "beside"
seed = 1
replicates = 1
[base]
scenario = "{scenario}"
weeks = 60
burn_in_weeks = 10
[design]
type = "grid"
[vary.incentive_strength]
values = [0.0, 0.5]
"""


def test_an_experiments_scenario_file_is_found_beside_it_from_any_folder(tmp_path, capsys, monkeypatch):
    """A relative `base.scenario` path is looked up beside the experiment file first (as `extends` is
    in a scenario file), so the experiment checks the same from any working folder."""
    exps, elsewhere = tmp_path / "exps", tmp_path / "elsewhere"
    exps.mkdir()
    elsewhere.mkdir()
    _write(exps, "place.toml", 'description = "a small place"\n[population]\ncitizens = 300\n')
    exp = _write(exps, "exp.toml", EXPERIMENT.format(scenario="place.toml"))
    monkeypatch.chdir(elsewhere)
    assert main(["check", str(exp)]) == 0
    assert "grid design, 2 points x 1 replicate = 2 runs" in capsys.readouterr().out
    missing = _write(exps, "missing.toml", EXPERIMENT.format(scenario="nowhere.toml"))
    assert main(["check", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: base.scenario: no scenario file 'nowhere.toml' beside this file" in err, err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "kw, key",
    [(dict(weeks=20), "burn_in_weeks"), (dict(weeks=80, switch_week=100), "switch_week")],
)
def test_the_python_run_applies_the_whole_run_rules(kw, key):
    """`hls_sim.run` refuses what the command line refuses, instead of summarising a clipped run."""
    import hls_sim
    from hls_sim.params import ParameterError

    with pytest.raises(ParameterError, match=key):
        hls_sim.run(seed=1, citizens=100, **kw)
