"""Sweeps: identical tables whatever the executor, and results that survive every kind of stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hls_sim
from hls_sim.cli import main
from hls_sim.sweep import load_results, make_plan, parse_experiment, run_sweep
from hls_sim.sweep import store as store_mod

EXPERIMENT = """
name = "tiny"
seed = 11
replicates = {replicates}
[base]
citizens = {citizens}
weeks = {weeks}
burn_in_weeks = 10
regime = "payment_by_results"
[design]
type = "grid"
[vary.incentive_strength]
lo = 0.0
hi = 1.0
levels = {levels}
[vary.regime]
values = ["output_targets", "payment_by_results"]
[outputs]
summary = ["true_outcome", "reported_outcome", "campbell_gap", "gaming_*", "acceptance_by_complexity_decile"]
weekly = ["campbell_gap", "cost_total"]
every = 5
"""


def write_experiment(folder: Path, *, replicates=2, citizens=200, weeks=30, levels=3) -> Path:
    path = folder / "tiny.toml"
    path.write_text(EXPERIMENT.format(replicates=replicates, citizens=citizens, weeks=weeks, levels=levels))
    return path


def plan_of(path: Path):
    return make_plan(parse_experiment(path.read_text(), source=str(path)))


def table(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "results.parquet")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted one-worker sweep every other way of running must reproduce."""
    folder = tmp_path_factory.mktemp("ref")
    path = write_experiment(folder)
    run_sweep(plan_of(path), folder / "out", workers=1, progress=False)
    return path, folder / "out"


def test_long_table_is_tidy_and_complete(reference):
    path, out = reference
    plan = plan_of(path)
    lf = pl.scan_parquet(out / "results.parquet")
    assert lf.collect_schema().names() == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "incentive_strength",
        "regime",
        "scope",
        "step",
        "metric",
        "value",
    ]
    df = lf.collect()
    summary = df.filter(pl.col("scope") == "summary")
    assert summary["step"].null_count() == summary.height
    # each run exactly once: one value per (run, metric) in the summary
    assert summary.group_by("run_id", "metric").len()["len"].max() == 1
    assert summary["run_id"].n_unique() == plan.n_runs == 12
    weekly = df.filter(pl.col("scope") == "weekly")
    assert set(weekly["step"].unique().to_list()) == {0, 5, 10, 15, 20, 25}
    assert "acceptance_by_complexity_decile[9]" in set(summary["metric"].to_list())
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["status"].to_list() == ["ok"] * 12
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["hls_sim_version"] == hls_sim.__version__
    assert manifest["plan_hash"] == plan.hash and manifest["master_seed"] == 11
    assert not list((out / "parts").iterdir())


def test_values_are_exactly_what_the_model_returns(reference):
    path, out = reference
    task = plan_of(path).tasks[7]
    direct = hls_sim.run(seed=task.seed, **task.overrides)
    rows = table(out).filter((pl.col("run_id") == 7) & (pl.col("scope") == "summary"))
    got = dict(zip(rows["metric"], rows["value"], strict=True))
    assert got["campbell_gap"] == direct.summary["campbell_gap"]
    assert got["gaming_parking"] == direct.summary["gaming_parking"]
    assert got["acceptance_by_complexity_decile[3]"] == direct.summary["acceptance_by_complexity_decile"][3]
    assert rows["regime"][0] == task.overrides["regime"] and rows["seed"][0] == task.seed


def test_two_workers_and_dask_local_cluster_give_identical_tables(reference, tmp_path):
    from distributed import LocalCluster

    path, ref = reference
    plan = plan_of(path)
    run_sweep(plan, tmp_path / "w2", workers=2, progress=False)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        run_sweep(plan, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    expected = table(ref)
    assert table(tmp_path / "w2").equals(expected)
    assert table(tmp_path / "dask").equals(expected)
    assert pl.read_parquet(tmp_path / "dask" / "runs.parquet").equals(pl.read_parquet(ref / "runs.parquet"))


def test_failing_run_is_recorded_and_the_sweep_goes_on(reference, tmp_path, monkeypatch):
    import hls_sim.runner

    path, ref = reference
    plan = plan_of(path)
    bad_seed = plan.tasks[4].seed
    real_run = hls_sim.runner.run

    def flaky(*, seed, **kw):
        if seed == bad_seed:
            raise FloatingPointError("simulated numerical blow-up")
        return real_run(seed=seed, **kw)

    monkeypatch.setattr(hls_sim.runner, "run", flaky)
    report = run_sweep(plan, tmp_path / "s", workers=1, progress=False)
    assert (report.ok, report.failed) == (11, 1)
    runs = pl.read_parquet(tmp_path / "s" / "runs.parquet")
    failed = runs.filter(pl.col("status") == "failed")
    assert failed["run_id"].to_list() == [4] and "simulated numerical blow-up" in failed["error"][0]
    record = json.loads((tmp_path / "s" / "failures" / "run-000004.json").read_text())
    assert record["seed"] == bad_seed and record["parameters"]["regime"] == plan.tasks[4].overrides["regime"]
    assert "FloatingPointError" in record["traceback"]
    assert 4 not in set(table(tmp_path / "s")["run_id"].to_list())
    # a plain resume does not repeat a run that failed in the model; --retry-failed does
    monkeypatch.setattr(hls_sim.runner, "run", real_run)
    assert run_sweep(plan, tmp_path / "s", resume=True, progress=False).ran_now == 0
    again = run_sweep(plan, tmp_path / "s", resume=True, retry_failed=True, progress=False)
    assert again.ran_now == 1 and again.failed == 0
    assert table(tmp_path / "s").equals(table(ref))


def test_ctrl_c_then_damaged_part_and_stale_temp_file_are_redone(reference, tmp_path, monkeypatch):
    path, ref = reference
    plan = plan_of(path)
    out = tmp_path / "s"
    real_write = store_mod.SweepStore.write_part
    count = {"n": 0}

    def interrupt_after_five(self, run_id, rows):
        if count["n"] == 5:
            raise KeyboardInterrupt
        count["n"] += 1
        real_write(self, run_id, rows)

    monkeypatch.setattr(store_mod.SweepStore, "write_part", interrupt_after_five)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, out, workers=1, progress=False)
    monkeypatch.setattr(store_mod.SweepStore, "write_part", real_write)
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    parts = sorted((out / "parts").glob("run-*.parquet"))
    assert len(parts) == 5 and not (out / "results.parquet").exists()
    parts[2].write_bytes(parts[2].read_bytes()[:100])  # a part cut short (e.g. lost to a crash)
    (out / "parts" / ".run-000009.parquet.abc.tmp").write_bytes(b"PAR1 half")  # a writer killed mid-write
    report = run_sweep(plan, out, resume=True, progress=False)
    assert report.redone_parts == 2 and report.ran_now == 12 - 4
    assert table(out).equals(table(ref))
    assert not (out / ".lock").exists()


def test_full_disk_stops_cleanly_and_resume_finishes(reference, tmp_path, monkeypatch, capsys):
    path, ref = reference
    out = tmp_path / "s"
    real = store_mod.atomic_write_parquet
    calls = {"n": 0}

    def disk_fills(target, df):
        if Path(target).parent.name == "parts":
            calls["n"] += 1
            if calls["n"] >= 4:
                raise OSError(28, "No space left on device")
        real(target, df)

    monkeypatch.setattr(store_mod, "atomic_write_parquet", disk_fills)
    code = main(["sweep", str(path), "--workers", "1", "--out", str(out), "--no-analyse"])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "--resume" in err
    assert len(list((out / "parts").glob("run-*.parquet"))) == 3
    assert not list((out / "parts").glob(".*"))  # no half-written file left behind
    monkeypatch.setattr(store_mod, "atomic_write_parquet", real)
    assert main(["sweep", "--resume", "--out", str(out), "--workers", "1", "--no-analyse"]) == 0
    assert table(out).equals(table(ref))


def test_cli_refuses_to_overwrite_or_mix_plans(reference, tmp_path, capsys):
    path, ref = reference
    before = {p: p.read_bytes() for p in ref.rglob("*") if p.is_file()}
    assert main(["sweep", str(path), "--out", str(ref), "--workers", "1"]) == 2
    assert "already holds a sweep" in capsys.readouterr().err
    other = write_experiment(tmp_path, levels=4)
    assert main(["sweep", str(other), "--resume", "--out", str(ref), "--workers", "1"]) == 2
    assert "different plan" in capsys.readouterr().err
    assert main(["sweep", "--resume", "--out", str(tmp_path / "nothing")]) == 2
    assert "no sweep to resume" in capsys.readouterr().err
    assert main(["sweep", str(path), "--workers", "0", "--out", str(tmp_path / "w0")]) == 2
    assert not (tmp_path / "w0").exists()
    after = {p: p.read_bytes() for p in ref.rglob("*") if p.is_file()}
    assert after == before  # nothing written or lost


def test_sigkill_part_way_then_resume_gives_the_uninterrupted_table(tmp_path):
    path = write_experiment(tmp_path, replicates=20, citizens=200, weeks=30, levels=5)  # 200 runs
    plan = plan_of(path)
    clean = tmp_path / "clean"
    run_sweep(plan, clean, workers=1, progress=False)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "hls_sim", "sweep", str(path), "--workers", "2", "--out", str(out), "--no-analyse"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300  # generous: a loaded machine compiles and starts workers slowly
    try:
        while time.monotonic() < deadline:
            if (out / "parts").is_dir() and len(list((out / "parts").glob("run-*.parquet"))) >= 10:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.01)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, with no chance to clean up
        proc.wait()
    assert not (out / "results.parquet").exists(), "the sweep finished before it could be killed"
    assert (out / ".lock").exists()  # left behind by the killed process; resume must take it over
    done_before = len(list((out / "parts").glob("run-*.parquet")))
    assert 10 <= done_before < 200
    code = main(["sweep", "--resume", "--out", str(out), "--workers", "1", "--no-analyse"])
    assert code == 0
    got = table(out)
    assert got.equals(table(clean))
    assert got.filter(pl.col("scope") == "summary").group_by("run_id", "metric").len()["len"].max() == 1
    assert got["run_id"].n_unique() == 200


def test_load_results_reads_a_sweep_in_progress(reference):
    _, out = reference
    lf = load_results(out)
    assert isinstance(lf, pl.LazyFrame)
    assert lf.select(pl.col("run_id").n_unique()).collect().item() == 12


def test_unreachable_scheduler_is_exit_2_with_nothing_written(reference, tmp_path, capsys):
    path, _ = reference
    out = tmp_path / "never"
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(["sweep", str(path), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9", "--no-analyse"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err and "tcp://127.0.0.1:9" in err
    assert not out.exists()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_resume_from_any_crash_state_gives_the_reference_table(reference, tmp_path_factory, data):
    """Whatever subset of runs finished, and whichever parts were damaged or half-written when the
    process died, resume ends with the uninterrupted table and every run exactly once."""
    from hls_sim.sweep.runner import new_manifest
    from hls_sim.sweep.store import SweepStore

    path, ref = reference
    plan = plan_of(path)
    ref_table = table(ref)
    finished = data.draw(st.sets(st.sampled_from(range(plan.n_runs))), label="finished")
    damaged = data.draw(st.sets(st.sampled_from(sorted(finished))) if finished else st.just(set()), label="damaged")
    half_written = data.draw(st.sets(st.sampled_from(range(plan.n_runs)), max_size=3), label="half_written")
    out = tmp_path_factory.mktemp("crash") / "s"
    store = SweepStore(out)
    out.mkdir()
    store.create(new_manifest(plan), plan.files, plan.points_table())
    for run_id in sorted(finished):
        store.write_part(run_id, ref_table.filter(pl.col("run_id") == run_id))
        if run_id in damaged:
            p = store.part_path(run_id)
            p.write_bytes(p.read_bytes()[: data.draw(st.integers(0, 200), label="cut")])
    for run_id in half_written:
        (out / "parts" / f".run-{run_id:06d}.parquet.x1.tmp").write_bytes(b"PAR1")
    report = run_sweep(plan, out, resume=True, progress=False)
    assert report.ran_now == plan.n_runs - len(finished - damaged)
    got = table(out)
    assert got.equals(ref_table)
    assert not list((out / "parts").iterdir())
