"""A corpus of bad input for the command line and for experiment files, beside the scenario corpus
(tests/bad_scenarios): every case ends in exit status 2 with a message saying what is wrong and
what is allowed, no traceback, nothing written, and quickly (hostile files included: a FIFO, a
device, a file nested thousands deep, a plan of millions of runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hls_sim.cli import main

BAD = Path(__file__).parent / "bad_experiments"

# file stem -> (key path named in the message, what the message must say)
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "base_scenario_is_a_device": ("base.scenario", "/dev/zero: is a device; allowed is a regular TOML file"),
    "base_scenario_missing": ("base.scenario", "no scenario named 'no_such_place'"),
    "burn_in_longer_than_run": (
        "point incentive_strength=0.0: burn_in_weeks",
        "52 weeks of burn-in leave nothing to summarise in a run of 40",
    ),
    "control_characters_in_key": ("vary.incentive\\x1b[31m", "unknown parameter"),
    "deeply_nested": ("", "nested more than 32 levels deep"),
    "design_not_a_table": ("design", "expected a table ([design])"),
    "dotted_keys_nested": ("", "nested more than 32 levels deep"),
    "duplicate_key": ("", "not valid TOML: Cannot overwrite a value"),
    "empty": ("seed", "is missing"),
    "inline_tables_nested": ("", "nested more than 32 levels deep"),
    "name_control_characters": ("name", "invalid value 'bell\\x07\\x1b[2J': allowed is a plain name"),
    "name_empty": ("name", "allowed is a plain name"),
    "name_traversal": ("name", "invalid value '../../escape': allowed is a plain name"),
    "name_with_slash": ("name", "no '/' or '..'"),
    "not_toml": ("", "not valid TOML"),
    "not_utf8": ("", "not a text file: byte 0xff at offset 0"),
    "nothing_varied": ("vary", "needs at least one parameter under [vary]"),
    "output_unknown": ("outputs.summary", "did you mean 'campbell_gap'?"),
    "plan_too_big": ("design", "plans 4,000,000 runs (4,000,000 points x 1 replicates); allowed is at most 1,000,000"),
    "replicates_too_many": ("design", "plans 6,400,000 runs"),
    "seed_in_base": ("base.seed", "is set per run from the experiment's master seed"),
    "seed_missing": ("seed", "is missing"),
    "seed_negative": ("seed", "invalid value -4: allowed is an integer from 0"),
    "sobol_not_power_of_two": ("design.samples", "a Sobol' sequence needs a power of two (e.g. 128)"),
    "string_for_number": ("seed", "invalid value 'one'"),
    "switch_week_beyond_run": ("point switch_week=100: switch_week", "week 100 is not within the run of 80 weeks"),
    "unknown_design": ("design.type", "invalid value 'latin_square': allowed is one of 'grid'"),
    "unknown_parameter": ("vary.incentive_strenght", "did you mean 'incentive_strength'?"),
    "value_out_of_range": ("vary.incentive_strength.values[1]", "invalid value 1.5: allowed is a number from 0 to 1"),
    "weeks_varied_below_burn_in": ("point weeks=20: burn_in_weeks", "26 weeks of burn-in"),
}
NOT_AN_EXPERIMENT_TO_CHECK = {"empty"}  # `check` reads an empty file as an (empty) scenario


def test_experiment_corpus_is_complete():
    assert {p.stem for p in BAD.glob("*.toml")} == set(EXPERIMENTS)
    assert len(EXPERIMENTS) >= 25


def _assert_clean_refusal(code: int, err: str, out: str, needle: str, folder: Path) -> None:
    assert code == 2, err
    assert err.startswith("hls-sim: error: "), err
    assert needle in err, err
    assert "Traceback" not in err and out == ""
    assert "\x1b" not in err and "\x07" not in err  # control characters are shown escaped, never sent
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", ["sweep", "check"])
@pytest.mark.parametrize("stem", sorted(EXPERIMENTS))
def test_bad_experiment_files(tmp_path, capsys, monkeypatch, stem, command):
    if command == "check" and stem in NOT_AN_EXPERIMENT_TO_CHECK:
        pytest.skip("not read as an experiment by check")
    monkeypatch.chdir(tmp_path)  # anything written by accident would land here
    key, needle = EXPERIMENTS[stem]
    path = BAD / f"{stem}.toml"
    args = (
        ["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]
        if command == "sweep"
        else ["check", str(path)]
    )
    code = main(args)
    captured = capsys.readouterr()
    _assert_clean_refusal(code, captured.err, captured.out, needle, tmp_path)
    if key:
        assert f"{path}: {key}: " in captured.err


def _special_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    big.write_text("seed = 1\n" + "# padding\n" * 120_000)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    return {
        "fifo": (fifo, "is a named pipe (FIFO); allowed is a regular TOML file"),
        "device": (Path("/dev/zero"), "is a device; allowed is a regular TOML file"),
        "link_to_device": (link, "is a device"),
        "folder": (folder, "is a folder"),
        "too_large": (big, "bytes; allowed is at most 1,048,576 bytes"),
    }


@pytest.mark.parametrize("kind", ["fifo", "device", "link_to_device", "folder", "too_large"])
@pytest.mark.parametrize("command", ["sweep", "check", "run", "compare", "show"])
def test_files_that_are_not_small_regular_files_are_refused_at_once(tmp_path, kind, command):
    """Through the real console script, with a timeout: a FIFO must not hang, /dev/zero not read forever."""
    files = tmp_path / "files"
    files.mkdir()
    path, needle = _special_files(files)[kind]
    work = tmp_path / "work"
    work.mkdir()
    if command == "sweep":
        args = ["sweep", str(path), "--out", str(work / "out")]
    elif command == "compare":
        args = ["compare", str(path), "default", "--seeds", "1", "--out", str(work / "out")]
    elif command in ("run",):
        args = ["run", str(path), "--out", str(work / "out")]
    else:
        args = [command, str(path)]
    proc = subprocess.run(
        [sys.executable, "-m", "hls_sim", *args], capture_output=True, text=True, cwd=work, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert list(work.iterdir()) == []


def test_scenario_extending_a_device_or_nested_5000_deep(tmp_path, capsys):
    ext = tmp_path / "ext.toml"
    ext.write_text('description = "extends /dev/zero"\nextends = "/dev/zero"\n')
    deep = tmp_path / "deep.toml"
    deep.write_text('description = "deep"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    for path, needle in ((ext, "/dev/zero: is a device"), (deep, "deep.toml: nested more than 32 levels deep")):
        for command in (["run", str(path), "--out", str(tmp_path / "o")], ["check", str(path)]):
            assert main(command) == 2
            err = capsys.readouterr().err
            assert needle in err and "Traceback" not in err and "RecursionError" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.toml", "ext.toml"]


# argv -> what the message must say. Argument-parser errors (a choice or a type) say "usage:".
COMMAND_LINE: list[tuple[list[str], str]] = [
    (["run", "--weeks", "52"], "burn_in_weeks: 52 weeks of burn-in leave nothing to summarise in a run of 52 weeks"),
    (["run", "--weeks", "80", "--set", "switch_week=100"], "switch_week: week 100 is not within the run of 80 weeks"),
    (["run", "--set", "burn_in_weeks=600"], "burn_in_weeks: 600 weeks of burn-in"),
    (["run", "plymouth_alliance", "--weeks", "30"], "burn_in_weeks: 52 weeks of burn-in leave nothing"),
    (["compare", "--weeks", "40"], "label 'block_grant': burn_in_weeks: 52 weeks of burn-in"),
    (["compare", "--weeks", "80", "--set", "switch_week=90"], "switch_week: week 90 is not within the run of 80"),
    (["compare", "--workers", "0"], "--workers must be at least 1 (got 0)"),
    (["run", "--citizens", "0"], "allowed is an integer from 10 to 5,000,000 (people)"),
    (["run", "--seed", "-1"], "allowed is an integer from 0 to 4,294,967,295"),
    (
        ["run", "gateshead_council_tax", "--set", "provider_practice=[0]"],
        "--set: provider_practice[0]: expected a table",
    ),
    (["compare", "--workers", "-3"], "--workers must be at least 1 (got -3)"),
    (["compare", "--resume", "--out", "nothing-here"], "holds no compare to resume"),
    (["compare", "default", "default"], "scenario 'default' is given twice"),
    (["compare", "--seeds", "0"], "--seeds: invalid value 0"),
    (["sweep", "--workers", "0", "campbell_law"], "--workers must be at least 1 (got 0)"),
    (["sweep"], "give an experiment"),
    (["sweep", "campbell_law", "--retry-failed"], "--retry-failed needs --resume"),
    (["sweep", "--resume"], "--resume needs --out DIR"),
    (["sweep", "--resume", "--overwrite", "--out", "x"], "give one of them"),
    (["sweep", "no_such_experiment"], "no experiment named 'no_such_experiment'"),
    (["sweep", "../escape"], "no experiment named '../escape'"),
    (["validate", "--workers", "0"], "--workers must be at least 1"),
    (["validate", "--pattern", "01_campbells_lw"], "did you mean '01_campbells_law'?"),
    (["validate", "--experiments", "no-such-folder"], "is not a folder"),
    (["run", "--set", "novalue"], "expected key=value"),
    (["run", "--set", "=3"], "unknown parameter ''"),
    (["run", "--set", "weeks="], "invalid value '' for 'weeks'"),
    (["run", "--set", "seed=-1"], "invalid value '-1' for 'seed'"),
    (["run", "--citizens", "0"], "invalid value 0 for 'citizens'"),
    (["run", "--set", "incentive_strength=nan"], "invalid value 'nan'"),
    (["run", "--set", "incentive_strength=inf"], "invalid value 'inf'"),
    (["run", "--set", "bad\x1b[31mkey=1"], "unknown parameter 'bad\\x1b[31mkey'"),
    (["run", "missing\x07/place.toml"], "scenario file not found: missing\\x07/place.toml"),
    (["run", "--out", ""], "--out is empty"),
    (["report", "no-such-folder"], "no such output folder"),
    (["report", "no-such-folder", "--out", ""], "--out is empty"),
    (["analyse", "no-such-folder"], "holds no sweep"),
    (["check", ""], "give a file"),
    (["check", "no_such_thing"], "no file 'no_such_thing', and no shipped scenario or experiment"),
    (["show", "plymoth_alliance"], "did you mean 'plymouth_alliance'?"),
    (["scenarios", "show", "plymouth_alliance"], "to see one, use `hls-sim show plymouth_alliance`"),
    (["dashboard", "--port", "70000"], "--port 70000: allowed is an integer from 0 to 65535"),
    (["params", "--group", "nonsense"], "usage:"),
    (["run", "--regime", "anarchy"], "usage:"),
    (["run", "--seed", "abc"], "usage:"),
    (["compare", "--workers", "two"], "usage:"),
    (["frobnicate"], "usage:"),
]


@pytest.mark.parametrize("argv, needle", COMMAND_LINE, ids=[" ".join(a)[:60] for a, _ in COMMAND_LINE])
def test_bad_command_lines(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exc:  # the argument parser's own refusals
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert needle in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert "\x1b" not in captured.err and "\x07" not in captured.err
    assert list(tmp_path.iterdir()) == []
