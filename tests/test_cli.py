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
    assert "Campbell gap (reported - true) (points)" in capsys.readouterr().out  # words and units, not code names


HEAVY = ("numba", "scipy", "mesa", "polars")


@pytest.mark.parametrize("argv", [["--version"], ["params"], ["params", "--group", "levers"], ["regimes"]])
def test_quick_commands_load_no_model_libraries(argv):
    """`--version` and `params` answer at once: they import neither numba, scipy, Mesa nor polars."""
    probe = (
        "import sys\nfrom hls_sim.cli import main\n"
        f"code = main({argv!r})\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('LOADED', loaded, code, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "LOADED [] 0" in proc.stderr, proc.stderr


def test_params_prints_a_source_for_every_parameter(capsys):
    from hls_sim.params import PARAMS

    assert main(["params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sources = [line.strip() for line in lines if line.strip().startswith("source: ")]
    assert len(sources) == len(PARAMS)
    assert all(len(s) > len("source: ") for s in sources)
    assert "source: assumption" in sources  # where the registry records none (or calls it one)


def test_params_unknown_group_lists_the_groups(capsys):
    with pytest.raises(SystemExit) as info:
        main(["params", "--group", "nonsense"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    for group in ("run", "population", "workforce", "providers", "levers", "costs"):
        assert f"'{group}'" in err


def test_closed_pipe_ends_quietly():
    """`hls-sim params | head -1`: the reader goes away; no traceback, no BrokenPipe, exit as for SIGPIPE."""
    for argv in (["params"], ["schema"], ["regimes"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "hls_sim", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        proc.stdout.close()  # closed before the command writes anything: every write meets a closed pipe
        err = proc.stderr.read().decode()
        assert proc.wait() == 141, err
        assert err == "", err
    proc = subprocess.run(f"{sys.executable} -m hls_sim params | head -1", shell=True, capture_output=True, text=True)
    assert len(proc.stdout.splitlines()) == 1 and proc.stderr == ""


def test_check_accepts_shipped_files_and_refuses_a_broken_one(capsys, tmp_path):
    from hls_sim.shipped import shipped_dir

    assert main(["check", "plymouth_alliance"]) == 0
    assert capsys.readouterr().out.startswith("plymouth_alliance: OK (scenario, regime hls")
    for path in (
        shipped_dir("scenarios") / "gateshead_council_tax.toml",
        shipped_dir("experiments") / "campbell_law.toml",
        shipped_dir("experiments", "validation") / "05_gateshead_council_tax.toml",
    ):
        assert main(["check", str(path)]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{path}: OK (") and out.count("\n") == 1
    broken = tmp_path / "broken.toml"
    broken.write_text('description = "x"\n[run]\nweeks = 20\n')  # the default burn-in is 52 weeks
    assert main(["check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml: run.burn_in_weeks: 52 weeks of burn-in" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [broken]


def test_compare_refuses_zero_workers_before_anything(tmp_path, capsys):
    assert main(["compare", "--workers", "0", "--out", str(tmp_path / "c")]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_run_prints_numbers_to_the_precision_they_deserve():
    """Whole pounds and counts, three decimals for shares: no '105.000 crises' or '0.000 providers'."""
    from hls_sim.commands.run import _num

    said = {x: _num(x).strip() for x in (1_772_489.913, 105.0, 0.0, 12.34, 0.0341)}
    assert said == {1_772_489.913: "1,772,490", 105.0: "105", 0.0: "0", 12.34: "12.3", 0.0341: "0.034"}
    assert _num(None).strip() == _num(float("nan")).strip() == "n/a"
