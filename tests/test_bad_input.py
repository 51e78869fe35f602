"""A corpus of bad input for the command line and for experiment files, beside the scenario corpus
(tests/bad_scenarios): every case ends in exit status 2 with a message saying what is wrong and
what is allowed, no traceback, nothing written, and quickly (hostile files included: a FIFO, a
device, a file nested thousands deep, a plan of millions of runs)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
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
    "plan_too_big": ("design", "plans 4,000,000 runs (4,000,000 points x 1 replicate); allowed is at most 1,000,000"),
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
    (["analyse", "no-such-folder"], "no-such-folder: no such folder"),
    (["check", ""], "give a file"),
    (["check", "no_such_thing"], "no file 'no_such_thing', and no shipped scenario or experiment"),
    (["show", "plymoth_alliance"], "did you mean 'plymouth_alliance'?"),
    (["scenarios", "show", "plymouth_alliance"], "to see one, use `hls-sim show plymouth_alliance`"),
    (["dashboard", "--port", "70000"], "--port 70000: allowed is an integer from 0 to 65535"),
    # --resume needs the folder to finish, in the words of every resumable command (not a fresh folder's name)
    (["explain", "hls", "payment_by_results", "--resume"], "--resume needs --out DIR: the folder of the explain"),
    (["robustness", "hls", "payment_by_results", "--resume"], "--resume needs --out DIR: the folder of the robust"),
    (["compare", "--resume"], "--resume needs --out DIR: the folder of the comparison to finish"),
    (["validate", "--resume"], "--resume needs --out DIR: the folder of the validation to finish"),
    (["compare", "--resume", "--overwrite", "--out", "x"], "give one of them"),
    # --workers has an upper bound, named in the message (the other input is bad too, so nothing would run)
    (["sweep", "no_such_experiment", "--workers", "100000"], "--workers must be at most 256 (got 100,000); allowed"),
    (["validate", "--workers", "1000", "--pattern", "no_such_pattern"], "allowed is 1 to 256"),
    (["explain", "no_such_a", "no_such_b", "--workers", "257"], "--workers must be at most 256 (got 257)"),
    # --scheduler: its form is checked before anything is planned or connected
    (
        ["sweep", "no_such_experiment", "--scheduler", "bogus"],
        "--scheduler 'bogus' is not a scheduler address; allowed",
    ),
    (["sweep", "no_such_experiment", "--scheduler", ""], "--scheduler is empty; allowed is 'local', HOST:PORT"),
    (["sweep", "no_such_experiment", "--scheduler", "tcp://host:99999"], "port 99999 is not from 1 to 65535"),
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


# ---------------------------------------------------------------------------- output folders of analyse and report
TINY_EXPERIMENT = """
name = "tiny"
seed = 3
replicates = 1
[base]
citizens = 200
weeks = 40
burn_in_weeks = 8
[design]
type = "grid"
[vary.incentive_strength]
values = [0.0, 1.0]
[outputs]
summary = ["true_outcome", "reported_outcome", "campbell_gap", "total_cost_per_year"]
weekly = ["true_outcome"]
every = 4
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A tiny finished sweep (with its analysis/) and a run folder; tests copy them before changing them."""
    base = tmp_path_factory.mktemp("finished")
    exp = base / "tiny.toml"
    exp.write_text(TINY_EXPERIMENT)
    sweep, run = base / "sweep", base / "run"
    assert main(["sweep", str(exp), "--out", str(sweep), "--workers", "1"]) == 0
    assert main(["run", "--citizens", "200", "--weeks", "40", "--set", "burn_in_weeks=8", "--out", str(run)]) == 0
    return sweep, run


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(argv: list[str], capsys, *needles: str) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("hls-sim: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_analyse_out_is_never_a_folder_it_did_not_write(finished, tmp_path, capsys):
    sweep, run = finished
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "article_table.md").write_text("my own table\n")
    run_copy = tmp_path / "run"
    shutil.copytree(run, run_copy)
    before = _tree(tmp_path)
    _refused(["analyse", str(sweep), "--out", str(mine)], capsys, f"--out {mine} holds other files (article_table.md)")
    _refused(["analyse", str(sweep), "--out", str(run_copy)], capsys, "holds a run result, not an analysis")
    assert _tree(tmp_path) == before
    # an earlier analysis is replaced only with --overwrite, whole (a table it no longer writes goes)
    tables = tmp_path / "tables"
    assert main(["analyse", str(sweep), "--out", str(tables)]) == 0
    capsys.readouterr()
    (tables / "sensitivity_src.md").write_text("left by an earlier analysis\n")
    before = _tree(tables)
    _refused(["analyse", str(sweep), "--out", str(tables)], capsys, "already holds an analysis result; add --overwrite")
    assert _tree(tables) == before
    assert main(["analyse", str(sweep), "--out", str(tables), "--overwrite"]) == 0
    assert not (tables / "sensitivity_src.md").exists() and (tables / "article_table.md").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_analyse_replaces_its_own_default_folder_but_nothing_else_in_it(finished, tmp_path, capsys):
    sweep = tmp_path / "sweep"
    shutil.copytree(finished[0], sweep)
    assert main(["analyse", str(sweep)]) == 0  # the sweep's own analysis/ is made again freely
    (sweep / "analysis" / "notes.md").write_text("mine\n")
    before = _tree(sweep)
    _refused(["analyse", str(sweep)], capsys, "not part of an earlier analysis (notes.md)", "--out DIR")
    _refused(["sweep", "--resume", "--out", str(sweep), "--workers", "1"], capsys, "(notes.md)", "or add --no-analyse")
    assert _tree(sweep) == before


def test_analyse_labels_the_intervals_with_their_level(finished, tmp_path, capsys):
    assert main(["analyse", str(finished[0]), "--level", "0.5", "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    table = (tmp_path / "a" / "article_table.md").read_text()
    assert "mean [50% CI] per point" in out and "[50% confidence interval]" in table
    assert "95%" not in out and "95%" not in table


@pytest.mark.parametrize(
    "damage, needle",
    [
        ("garbage_results", "results.parquet: not a readable parquet table"),
        ("empty_results", "results.parquet: not a readable parquet table"),
        ("results_of_a_run", "results.parquet: columns missing: run_id, point, scope, metric"),
        ("manifest_a_list", "manifest.json: expected a JSON object (the manifest hls-sim writes), found list []"),
        ("manifest_not_json", "manifest.json: cannot read the manifest"),
    ],
)
def test_analyse_of_a_damaged_sweep_names_the_file(finished, tmp_path, capsys, damage, needle):
    sweep = tmp_path / "sweep"
    shutil.copytree(finished[0], sweep)
    shutil.rmtree(sweep / "analysis")
    if damage == "garbage_results":
        (sweep / "results.parquet").write_bytes(b"garbage\n")
    elif damage == "empty_results":
        (sweep / "results.parquet").write_bytes(b"")
    elif damage == "results_of_a_run":
        shutil.copy(finished[1] / "timeseries.parquet", sweep / "results.parquet")
    elif damage == "manifest_a_list":
        (sweep / "manifest.json").write_text("[]")
    else:
        (sweep / "manifest.json").write_bytes(b"\xff{")
    before = _tree(tmp_path)
    _refused(["analyse", str(sweep)], capsys, f"{sweep}/{needle.split(':')[0]}", needle)
    assert _tree(tmp_path) == before


def test_analyse_says_what_a_folder_is_when_it_is_not_a_sweep(finished, tmp_path, capsys):
    sweep, run = finished
    afile = tmp_path / "afile"
    afile.write_text("x")
    _refused(["analyse", str(run)], capsys, f"{run} is a run folder (written by `hls-sim run`), not a sweep")
    _refused(["analyse", str(afile)], capsys, f"{afile} is a file, not a folder")
    _refused(["analyse", str(sweep / "analysis")], capsys, "holds the tables of an earlier `hls-sim analyse`")
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]


def test_report_never_overwrites_charts_it_did_not_write(finished, tmp_path, capsys):
    charts = tmp_path / "ud3" / "charts"
    charts.mkdir(parents=True)
    (charts / "cost_over_time.html").write_text("my chart\n")
    target = tmp_path / "ud3" / "rep.html"
    _refused(
        ["report", str(finished[1]), "--out", str(target), "--no-png"],
        capsys,
        f"{charts}, which holds files no hls-sim report wrote (cost_over_time.html); add --overwrite",
    )
    assert _tree(tmp_path) == {"ud3/charts/cost_over_time.html": b"my chart\n"}
    assert main(["report", str(finished[1]), "--out", str(target), "--no-png", "--overwrite"]) == 0
    # the charts are now an hls-sim report's: written again without --overwrite, beside another report too
    assert main(["report", str(finished[1]), "--out", str(target), "--no-png"]) == 0
    assert main(["report", str(finished[1]), "--out", str(tmp_path / "ud3" / "other.html"), "--no-png"]) == 0


def test_report_says_what_a_folder_is_when_it_cannot_report_it(finished, tmp_path, capsys):
    sweep, run = finished
    afile = tmp_path / "afile"
    afile.write_text("x")
    _refused(["report", str(afile)], capsys, f"{afile} is a file, not an output folder")
    _refused(["report", str(sweep / "analysis")], capsys, "written by `hls-sim analyse`", f"hls-sim report {sweep}")
    fake = tmp_path / "rob"
    fake.mkdir()
    (fake / "manifest.json").write_text('{"format": "hls_sim.robustness/1", "kind": "robustness"}')
    (fake / "robustness.json").write_text("[]")
    _refused(["report", str(fake)], capsys, f"{fake}/robustness.json: expected a JSON object", "found list []")
    (fake / "robustness.json").write_text('{"labels": {"A": "a", "B": "b"}}')
    _refused(["report", str(fake)], capsys, f"{fake}/robustness.json: key 'arms' is missing")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "rob"]
    assert sorted(p.name for p in fake.iterdir()) == ["manifest.json", "robustness.json"]
    assert not (sweep / "analysis" / "report.html").exists()


def test_messages_say_an_explain_and_one_replicate(finished, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(["explain", "hls", "payment_by_results", "--out", str(finished[1])], capsys, "not an explain;")
    exp = tmp_path / "tiny.toml"
    exp.write_text(TINY_EXPERIMENT)
    assert main(["sweep", str(exp), "--out", str(tmp_path / "s"), "--workers", "1", "--no-analyse"]) == 0
    assert "2 points x 1 replicate = 2 runs" in capsys.readouterr().err


# ---------------------------------------------------------------------------- --scheduler and --host
def _sweep_through_the_console(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    exp = tmp_path / "tiny.toml"
    exp.write_text(TINY_EXPERIMENT)
    cmd = [sys.executable, "-m", "hls_sim", "sweep", str(exp), "--out", str(tmp_path / "x"), "--workers", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_a_malformed_scheduler_address_fails_at_once_without_noise(tmp_path):
    t0 = time.monotonic()
    proc = _sweep_through_the_console(tmp_path, "--scheduler", "bogus")
    assert proc.returncode == 2 and time.monotonic() - t0 < 30, proc.stderr
    assert proc.stderr.startswith("hls-sim: error: --scheduler 'bogus' is not a scheduler address"), proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


def test_a_server_that_is_not_a_dask_scheduler_fails_promptly_without_noise(tmp_path):
    """Something listens, answers garbage: exit 2 at once, not a minute's wait and a Client.__del__ traceback."""
    pytest.importorskip("distributed")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = server.accept()
                with conn:
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64)
                    time.sleep(0.2)

    threading.Thread(target=answer, daemon=True).start()
    t0 = time.monotonic()
    try:
        proc = _sweep_through_the_console(tmp_path, "--scheduler", f"tcp://127.0.0.1:{port}")
    finally:
        server.close()
    assert proc.returncode == 2 and time.monotonic() - t0 < 40, proc.stderr
    assert "cannot reach the Dask scheduler" in proc.stderr and f"127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


@pytest.mark.parametrize(
    "host, needle",
    [
        ("", "--host is empty; allowed is an address of this computer"),
        ("999.1.1.1", "--host 999.1.1.1: no such address or name here"),
        ("[::1]", "without brackets"),
    ],
)
def test_dashboard_host_is_checked_before_the_server_starts(monkeypatch, capsys, host, needle):
    started = []
    monkeypatch.setattr(os, "execve", lambda *a: started.append(a))  # never become the server in a test
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: started.append(a) or 0)
    _refused(["dashboard", "--host", host, "--port", "0"], capsys, needle)
    assert not started


def test_dashboard_port_in_use_is_refused_before_the_server_starts(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(os, "execve", lambda *a: started.append(a))
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: started.append(a) or 0)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        _refused(["dashboard", "--port", str(port)], capsys, f"--port {port}: cannot listen", "0 picks a free one")
    assert not started
