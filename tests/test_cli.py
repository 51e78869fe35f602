"""The command line: outputs written where asked; bad input gives exit 2, a clear message, no files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hls_sim.cli import main


def test_run_writes_outputs(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(
        [
            "run",
            "--citizens",
            "200",
            "--weeks",
            "30",
            "--seed",
            "5",
            "--set",
            "burn_in_weeks=5",
            "--regime",
            "payment_by_results",
            "--set",
            "incentive_strength=0.8",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5
    assert summary["parameters"]["incentive_strength"] == 0.8
    assert summary["parameters"]["regime"] == "payment_by_results"
    assert (out / "timeseries.parquet").exists() and (out / "manifest.json").exists()
    assert "Campbell gap" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--set", "incentive_strenght=0.8"], "did you mean 'incentive_strength'"),
        (["--set", "incentive_strength=1.5"], "allowed is a number from 0 to 1"),
        (["--set", "incentive_strength=high"], "incentive_strength"),
        (["--set", "payment_basis=bonus"], "one of 'block', 'activity', 'outcome', 'pooled'"),
        (["--set", "ratchet=maybe"], "true or false"),
        (["--set", "caseload_cap=2.5"], "an integer"),
        (["--set", "novalue"], "expected key=value"),
        (["--citizens", "3"], "citizens"),
        (["--set", "weeks=-1"], "weeks"),
    ],
)
def test_bad_input_exit_2_nothing_written(tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    code = main(["run", "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_scenario_is_a_clear_error(tmp_path, capsys):
    code = main(["run", "no_such_place", "--out", str(tmp_path / "x")])
    assert code == 2 and "no_such_place" in capsys.readouterr().err


def test_console_script_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hls_sim", "run", "--set", "bogus=1"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown parameter 'bogus'" in proc.stderr


def test_compare_writes_table(tmp_path, capsys):
    out = tmp_path / "c"
    code = main(
        ["compare", "--seeds", "2", "--citizens", "200", "--weeks", "30", "--set", "burn_in_weeks=5", "--out", str(out)]
    )
    assert code == 0
    import polars as pl

    table = pl.read_csv(out / "table.csv")
    assert set(table["label"]) == {"block_grant", "output_targets", "payment_by_results", "alliance", "hls"}
    assert "campbell_gap" in capsys.readouterr().out
