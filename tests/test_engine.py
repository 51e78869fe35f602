"""`compare` and `validate` run on the sweep engine: a results store, numbers that do not depend on
the number of workers, and plans that check every run before anything runs."""

from __future__ import annotations

import json

import polars as pl
import pytest

from hls_sim.cli import main
from hls_sim.errors import InputError
from hls_sim.sweep.plan import PlannedPoint, build_plan
from hls_sim.sweep.runner import load_results, run_plan
from hls_sim.sweep.task import RUN_KINDS

SMALL = ["--citizens", "150", "--weeks", "20", "--set", "burn_in_weeks=4"]


def test_compare_is_a_store_and_ignores_the_number_of_workers(tmp_path):
    args = ["compare", "--seeds", "2", *SMALL, "--regime", "payment_by_results"]
    one, two = tmp_path / "w1", tmp_path / "w2"
    assert main([*args, "--workers", "1", "--out", str(one)]) == 0
    assert main([*args, "--workers", "2", "--out", str(two)]) == 0
    for name in ("runs.parquet", "timeseries.parquet", "campbell.parquet", "table.parquet", "results.parquet"):
        assert pl.read_parquet(one / name).equals(pl.read_parquet(two / name)), name
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["format"] == "hls_sim.compare/1"
    assert manifest["status"] == "complete" and manifest["seeds"] == [1, 2]
    assert manifest["campbell"]["label"] in manifest["labels"]
    assert list(manifest["labels"]) == ["payment_by_results"]  # --regime alone: the default place under it
    assert not list((one / "parts").iterdir()) and not list((one / "failures").iterdir())


def test_validate_is_a_store_ignores_workers_and_resumes(tmp_path):
    args = ["validate", "--quick", "--pattern", "01_campbells_law"]
    one, two = tmp_path / "v1", tmp_path / "v2"
    assert main([*args, "--workers", "1", "--out", str(one)]) == 0
    assert main([*args, "--workers", "2", "--out", str(two)]) == 0
    assert pl.read_parquet(one / "runs.parquet").equals(pl.read_parquet(two / "runs.parquet"))
    a, b = (json.loads((d / "validation.json").read_text()) for d in (one, two))
    assert a["patterns"] == b["patterns"] and a["kind"] == "validate"
    assert json.loads((one / "manifest.json").read_text())["kind"] == "validate"
    before = pl.read_parquet(one / "results.parquet")
    assert main([*args, "--workers", "1", "--out", str(one), "--resume"]) == 0  # nothing left to run
    assert pl.read_parquet(one / "results.parquet").equals(before)


def test_a_plan_checks_every_point_as_a_whole_run(tmp_path):
    good = PlannedPoint({"label": "a"}, {"citizens": 100, "weeks": 12, "burn_in_weeks": 2}, (1, 2))
    bad = PlannedPoint({"label": "b"}, {"citizens": 100, "weeks": 12}, (1,), where="label 'b'")
    with pytest.raises(InputError, match=r"label 'b': burn_in_weeks: 52 weeks of burn-in"):
        build_plan("compare", [good, bad], source="test")
    assert list(tmp_path.iterdir()) == []


def test_any_kind_of_run_on_one_engine(tmp_path):
    """A plan mixing plain runs and named measures: the long table holds both, keyed by run id."""
    from hls_sim.sweep.outputs import Selection

    small = {"citizens": 100, "weeks": 12, "burn_in_weeks": 2}
    points = [
        PlannedPoint({"arm": "run"}, small, (3,), selection=Selection(("campbell_gap",), (), 1)),
        PlannedPoint({"arm": "measures"}, small, (3,), kind="measures", measures=("campbell_gap", "any_gaming")),
    ]
    plan = build_plan("mixed", points, source="test")
    assert {t.kind for t in plan.tasks} == {"run", "measures"} <= set(RUN_KINDS)
    run_plan(plan, tmp_path / "m", progress=False)
    rows = load_results(tmp_path / "m").collect().sort("run_id", "metric")
    gaps = rows.filter(pl.col("metric") == "campbell_gap")["value"].to_list()
    assert len(gaps) == 2 and gaps[0] == gaps[1]  # the same run, seen by two kinds
    assert rows.filter(pl.col("run_id") == 1)["metric"].to_list() == ["any_gaming", "campbell_gap"]
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["format"] == "hls_sim.mixed/1"
