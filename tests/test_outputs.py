"""Output folders: checked before any simulating, never clobbered, written whole or not at all."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import hls_sim.runner
from hls_sim import atomic
from hls_sim.cli import main
from hls_sim.sweep import store as store_mod

SMALL = ["--citizens", "150", "--weeks", "20", "--set", "burn_in_weeks=4"]


@pytest.fixture
def no_simulating(monkeypatch):
    """Any run of the model fails the test: the output checks must come first."""

    def refuse(*a, **k):
        raise AssertionError("simulated before checking the output path")

    monkeypatch.setattr(hls_sim.runner, "run", refuse)


def _bad_out(tmp_path: Path) -> dict[str, str]:
    afile = tmp_path / "afile"
    afile.write_text("x")
    return {
        "proc": "/proc/hls-sim-x",
        "file": str(afile),
        "inside_file": str(afile / "sub"),
        "empty": "",
        "blank": "  ",
        "too_long_name": str(tmp_path / ("n" * 300)),
        "too_long_path": str(tmp_path / "/".join(["d" * 200] * 25)),
    }


NEEDLES = {
    "proc": "cannot write in /proc",
    "file": "is a file, not a folder",
    "inside_file": "is a file, so no folder can be made inside it",
    "empty": "--out is empty",
    "blank": "--out is empty",
    "too_long_name": "is too long",
    "too_long_path": "the path is too long",
}


@pytest.mark.parametrize("case", sorted(NEEDLES))
@pytest.mark.parametrize("command", ["run", "compare", "sweep", "validate"])
def test_bad_out_is_exit_2_before_any_run(tmp_path, capsys, no_simulating, command, case):
    out = _bad_out(tmp_path)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    args = {
        "run": ["run", *SMALL],
        "compare": ["compare", "--seeds", "1", *SMALL],
        "sweep": ["sweep", "campbell_law", "--workers", "1"],
        "validate": ["validate", "--quick", "--pattern", "01_campbells_law", "--workers", "1"],
    }[command]
    code = main([*args, "--out", out])
    err = capsys.readouterr().err
    assert code == 2, err
    assert NEEDLES[case] in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_read_only_file_system_is_refused_before_running(tmp_path, capsys, no_simulating):
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        assert main(["run", *SMALL, "--out", str(mnt / "r")]) == 2
        assert "Read-only file system" in capsys.readouterr().err
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_run_refuses_a_folder_of_other_files_and_a_sweep(tmp_path, capsys, no_simulating):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["run", *SMALL, "--out", str(mine)]) == 2
    assert "holds other files (notes.txt)" in capsys.readouterr().err
    assert main(["run", *SMALL, "--out", str(mine), "--overwrite"]) == 2
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "manifest.json").write_text(json.dumps({"format": "hls_sim.sweep/1", "kind": "sweep"}))
    for command in (["run", *SMALL], ["compare", "--seeds", "1", *SMALL]):
        assert main([*command, "--out", str(sweep), "--overwrite"]) == 2
        assert "holds a sweep result, not a" in capsys.readouterr().err
    assert [p.name for p in sweep.iterdir()] == ["manifest.json"]


def test_run_into_its_own_kind_needs_overwrite_and_replaces_it_whole(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", *SMALL, "--seed", "1", "--out", str(out)]) == 0
    first = (out / "summary.json").read_bytes()
    assert main(["run", *SMALL, "--seed", "2", "--out", str(out)]) == 2
    assert "already holds a run result; add --overwrite" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == first
    assert main(["run", *SMALL, "--seed", "2", "--out", str(out), "--overwrite"]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging or old copy left


def _disk_full_after(monkeypatch, n_ok: int, where=atomic) -> None:
    calls = {"n": 0}
    real = atomic.atomic_write_bytes

    def fill(path, data):
        calls["n"] += 1
        if calls["n"] > n_ok:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", fill)


def test_full_disk_during_run_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    old = tmp_path / "old"
    assert main(["run", *SMALL, "--out", str(old)]) == 0
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    _disk_full_after(monkeypatch, 1)  # summary.json is written, the manifest is not
    for args in (["--out", str(tmp_path / "new")], ["--out", str(old), "--overwrite"]):
        assert main(["run", *SMALL, "--seed", "3", *args]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before


def test_a_real_full_disk(tmp_path):
    """On a 256 KiB file system the run's outputs do not fit: exit 1, one line, nothing left there."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        (mnt / "filler").write_bytes(b"\0" * (230 * 1024))
        proc = subprocess.run(
            [sys.executable, "-m", "hls_sim", "run", "--citizens", "300", "--weeks", "120", "--out", str(mnt / "r")],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1, proc.stderr
        assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1
        assert sorted(p.name for p in mnt.iterdir()) == ["filler"]
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_strict_json_null_for_undefined_ratios(tmp_path):
    """Nothing improves in a two-week run, so cost per improvement is undefined: null, not Infinity."""
    out = tmp_path / "r"
    assert main(["run", "--citizens", "20", "--weeks", "3", "--set", "burn_in_weeks=1", "--out", str(out)]) == 0

    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")

    for name in ("summary.json", "manifest.json"):
        doc = json.loads((out / name).read_text(), parse_constant=refuse)
    summary = json.loads((out / "summary.json").read_text(), parse_constant=refuse)
    assert summary["cost_per_true_outcome"] is None
    assert (
        atomic.dumps({"a": float("nan"), "b": [float("-inf"), 1.5]})
        == '{\n  "a": null,\n  "b": [\n    null,\n    1.5\n  ]\n}\n'
    )
    assert doc["kind"] == "run"


def test_sweep_takes_the_lock_before_checking_the_folder(tmp_path, monkeypatch):
    from hls_sim.sweep import load_experiment, make_plan, run_plan
    from hls_sim.sweep.store import LOCK, StoreError, SweepStore

    seen = []
    real = SweepStore.check_new

    def check(self, *a, **k):
        seen.append((self.root / LOCK).exists())
        return real(self, *a, **k)

    monkeypatch.setattr(SweepStore, "check_new", check)
    out = tmp_path / "s"
    out.mkdir()
    (out / "stray.txt").write_text("x")
    plan = make_plan(load_experiment("campbell_law"))
    with pytest.raises(StoreError, match="not empty"):
        run_plan(plan, out, progress=False)
    assert seen == [True]
    assert sorted(p.name for p in out.iterdir()) == ["stray.txt"]  # the lock is gone again


def test_a_folder_locked_by_a_live_process_is_refused(tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        (out / store_mod.LOCK).write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname()}))
        code = main(["sweep", "campbell_law", "--out", str(out), "--workers", "1", "--no-analyse"])
        assert code == 2 and "being written by another sweep" in capsys.readouterr().err
        assert sorted(p.name for p in out.iterdir()) == [store_mod.LOCK]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_compare_resumes_after_a_stop_and_gives_the_uninterrupted_tables(tmp_path, monkeypatch, capsys):
    args = ["compare", "plymouth_before", "plymouth_alliance", "--seeds", "2", *SMALL, "--no-campbell"]
    clean = tmp_path / "clean"
    assert main([*args, "--out", str(clean)]) == 0
    out = tmp_path / "stopped"
    real = store_mod.SweepStore.write_part
    count = {"n": 0}

    def stop_after_two(self, run_id, rows):
        if count["n"] == 2:
            raise KeyboardInterrupt
        count["n"] += 1
        real(self, run_id, rows)

    monkeypatch.setattr(store_mod.SweepStore, "write_part", stop_after_two)
    assert main([*args, "--out", str(out)]) == 130
    monkeypatch.setattr(store_mod.SweepStore, "write_part", real)
    err = capsys.readouterr().err
    assert "continue with: hls-sim compare plymouth_before plymouth_alliance --seeds 2" in err
    assert f"--no-campbell --resume --out {out}" in err
    assert not (out / "runs.parquet").exists()
    assert main([*args, "--out", str(out)]) == 2  # an unfinished compare is not silently restarted
    assert "--resume to finish it" in capsys.readouterr().err
    assert main([*args, "--out", str(out), "--resume"]) == 0
    for name in ("runs.parquet", "timeseries.parquet", "table.parquet"):
        assert pl.read_parquet(out / name).equals(pl.read_parquet(clean / name)), name


def test_report_refuses_to_replace_a_file_that_is_not_a_report(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["run", *SMALL, "--out", str(run)]) == 0
    precious = tmp_path / "thesis.html"
    precious.write_text("<html>my thesis</html>")
    assert main(["report", str(run), "--out", str(precious), "--no-png"]) == 2
    assert "is not an hls-sim report; add --overwrite" in capsys.readouterr().err
    assert precious.read_text() == "<html>my thesis</html>"
    assert main(["report", str(run), "--no-png"]) == 0  # its own earlier report is simply redrawn
    assert main(["report", str(run), "--no-png"]) == 0
    assert main(["report", str(run), "--out", str(precious), "--no-png", "--overwrite"]) == 0
    assert "hls-sim" in precious.read_text()


def test_full_disk_while_writing_a_report_keeps_the_old_one(tmp_path, capsys, monkeypatch):
    run = tmp_path / "r"
    assert main(["run", *SMALL, "--out", str(run)]) == 0
    assert main(["report", str(run), "--no-png"]) == 0
    before = (run / "report.html").read_bytes()
    charts_before = {p.name: p.read_bytes() for p in (run / "charts").iterdir()}
    _disk_full_after(monkeypatch, 0)
    assert main(["report", str(run), "--no-png"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and err.count("\n") == 1
    assert (run / "report.html").read_bytes() == before
    assert {p.name: p.read_bytes() for p in (run / "charts").iterdir()} == charts_before
    assert not [p for p in run.iterdir() if p.name.startswith(".")]


def test_validate_into_a_compare_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["compare", "--seeds", "1", *SMALL, "--no-campbell", "--out", str(out)]) == 0
    before = sorted(p.name for p in out.iterdir())
    assert main(["validate", "--quick", "--pattern", "01_campbells_law", "--out", str(out)]) == 2
    assert "holds a compare result, not a validate" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before
    assert os.path.isfile(out / "runs.parquet")
