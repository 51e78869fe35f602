"""`hls-sim report` on run, compare and sweep folders; bad folders give exit 2 and write nothing."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import polars as pl
import pytest

from hls_sim import report
from hls_sim.cli import main

SMALL_ARGS = ["--citizens", "200", "--weeks", "40", "--set", "burn_in_weeks=8"]


def _spec_names(page: str) -> list[str]:
    return re.findall(r"vegaEmbed\('#fig-([a-z_]+)'", page)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    args = ["run", *SMALL_ARGS, "--regime", "output_targets", "--seed", "4", "--out", str(out)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "c"
    assert main(["compare", "--seeds", "2", *SMALL_ARGS, "--out", str(out)]) == 0
    return out


def test_compare_writes_its_report_by_default(compare_dir, capsys):
    page = (compare_dir / "report.html").read_text(encoding="utf-8")
    names = _spec_names(page)
    assert {"outcomes_over_time", "campbell_curve", "gaming_by_channel", "cost_over_time"} <= set(names)
    for name in names:
        assert (compare_dir / "charts" / f"{name}.html").exists()
        assert (compare_dir / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    # The curve and the series come from runs the compare made itself, kept in its folder.
    assert "made by the compare itself" in page and (compare_dir / "campbell.parquet").exists()
    assert "weekly series is in timeseries.parquet" in page
    assert "hls-sim 0." in page and "Seeds:</b> 1, 2" in page


def test_report_never_runs_the_model(compare_dir, run_dir, tmp_path, monkeypatch):
    """The report reads what the runs wrote: with the model made unusable it still draws every chart."""
    import hls_sim.model
    import hls_sim.runner

    def refuse(*a, **k):
        raise AssertionError("the report ran the model")

    monkeypatch.setattr(hls_sim.runner, "run", refuse)
    monkeypatch.setattr(hls_sim.model, "HLSModel", refuse)
    page = report.write_report(compare_dir, out=tmp_path / "c.html", png=False, progress=False).read_text()
    assert {"outcomes_over_time", "campbell_curve", "wait_distribution", "cost_over_time"} <= set(_spec_names(page))
    page = report.write_report(run_dir, out=tmp_path / "r.html", png=False, progress=False).read_text()
    assert "outcomes_over_time" in _spec_names(page) and "No Campbell" in page


def test_compare_keeps_every_seeds_weekly_series_exactly(compare_dir):
    """timeseries.parquet holds label, seed, week and the weekly columns of every run, bit for bit."""
    import hls_sim

    ts = pl.read_parquet(compare_dir / "timeseries.parquet")
    manifest = json.loads((compare_dir / "manifest.json").read_text())
    assert ts.columns[:3] == ["label", "seed", "week"]
    assert set(ts["label"].unique()) == set(manifest["labels"]) and sorted(ts["seed"].unique()) == [1, 2]
    params = manifest["labels"]["payment_by_results"]
    direct = hls_sim.run(seed=2, **{k: v for k, v in params.items() if k != "seed"})
    got = ts.filter((pl.col("label") == "payment_by_results") & (pl.col("seed") == 2)).drop("label", "seed")
    numeric = [c for c in direct.timeseries.columns if direct.timeseries[c].dtype.is_numeric()]
    assert got.columns == numeric
    assert got.equals(direct.timeseries.select(numeric))
    runs = pl.read_parquet(compare_dir / "runs.parquet")
    row = runs.filter((pl.col("label") == "payment_by_results") & (pl.col("seed") == 2)).row(0, named=True)
    assert row["campbell_gap"] == direct.summary["campbell_gap"]
    assert row["total_cost_per_year"] == direct.summary["total_cost_per_year"]


def test_compare_report_table_matches_the_table_file(compare_dir):
    page = (compare_dir / "report.html").read_text(encoding="utf-8")
    table = pl.read_parquet(compare_dir / "table.parquet")
    row = table.filter((pl.col("metric") == "true_outcome") & (pl.col("label") == "hls")).row(0, named=True)
    assert f"{row['mean']:.3f}" in page
    manifest = json.loads((compare_dir / "manifest.json").read_text())
    for label in manifest["labels"]:
        assert f"<th>{label}</th>" in page


def test_run_report(run_dir, capsys):
    assert main(["report", str(run_dir), "--no-png"]) == 0
    assert str(run_dir / "report.html") in capsys.readouterr().out
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert f"{summary['campbell_gap']:.3f}" in page
    assert "output_targets, seed 4" in page
    assert "incentive_strength" in page and "Resolved parameters" in page
    assert not list((run_dir / "charts").glob("*.png"))  # --no-png
    assert not re.search(r"<script[^>]+src=", page), "the report must carry its own JavaScript"


def test_report_is_reproducible(run_dir, tmp_path):
    a = report.write_report(run_dir, out=tmp_path / "a" / "report.html", png=False, progress=False)
    b = report.write_report(run_dir, out=tmp_path / "b" / "report.html", png=False, progress=False)
    assert a.read_bytes() == b.read_bytes()


EXPERIMENT = textwrap.dedent(
    """
    name = "tiny_campbell"
    seed = 7
    replicates = 2
    common_random_numbers = true
    [base]
    citizens = 200
    weeks = 40
    burn_in_weeks = 8
    regime = "output_targets"
    [design]
    type = "grid"
    [vary.incentive_strength]
    lo = 0.0
    hi = 1.0
    levels = 3
    [outputs]
    summary = ["true_outcome", "reported_outcome", "campbell_gap", "gaming_*", "wellbeing_mean"]
    weekly = ["true_outcome", "reported_outcome"]
    every = 2
    """
)


def test_sweep_report(tmp_path, capsys):
    exp = tmp_path / "tiny.toml"
    exp.write_text(EXPERIMENT)
    out = tmp_path / "s"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--no-analyse"]) == 0
    assert main(["report", str(out), "--no-png"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    names = _spec_names(page)
    assert "campbell_curve" in names and "outcomes_over_time" in names and "gaming_by_channel" in names
    results = pl.read_parquet(out / "results.parquet")
    n_runs = results["run_id"].n_unique()
    assert f"({n_runs} runs)" in page
    # The curve's points are the sweep's own runs.
    spec = json.loads(re.search(r"vegaEmbed\('#fig-campbell_curve', (\{.*?\}), \{renderer", page).group(1))
    dots = [d for d in spec["datasets"].values() if d and "campbell_gap" in d[0]][0]
    gaps = results.filter(pl.col("metric") == "campbell_gap")["value"].sort().to_list()
    assert sorted(r["campbell_gap"] for r in dots) == pytest.approx(gaps)


def test_generic_wide_table_is_read(tmp_path):
    """A folder holding any one-row-per-run table with parameter columns is reported as a sweep."""
    folder = tmp_path / "w"
    folder.mkdir()
    pl.DataFrame(
        {
            "seed": [1, 2, 1, 2],
            "audit_rate": [0.0, 0.0, 0.2, 0.2],
            "true_outcome": [0.3, 0.32, 0.31, 0.33],
            "reported_outcome": [0.4, 0.41, 0.35, 0.36],
            "campbell_gap": [0.1, 0.09, 0.04, 0.03],
        }
    ).write_parquet(folder / "table_runs.parquet")
    path = report.write_report(folder, png=False, progress=False)
    page = path.read_text(encoding="utf-8")
    assert "effect_of_audit_rate" in _spec_names(page)
    assert "0.095" in page  # mean gap at audit_rate 0


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda d: None, "not an hls-sim output folder"),
        (
            lambda d: (d / "summary.json").write_text("{bad json") or (d / "timeseries.parquet").write_text("x"),
            "summary.json",
        ),
        (lambda d: (d / "manifest.json").write_text("[1, 2]"), "manifest.json"),
        (lambda d: pl.DataFrame({"x": [1]}).write_parquet(d / "results.parquet"), "none of the model's outputs"),
    ],
)
def test_bad_folders_exit_2_and_write_nothing(tmp_path, capsys, make, needle):
    folder = tmp_path / "bad"
    folder.mkdir()
    make(folder)
    before = sorted(p.name for p in folder.iterdir())
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert needle in err and str(folder) in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_missing_folder_and_bad_out(tmp_path, capsys, run_dir):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such output folder" in capsys.readouterr().err
    assert main(["report", str(run_dir), "--out", str(tmp_path / "report.txt")]) == 2
    assert ".html" in capsys.readouterr().err
    assert not (tmp_path / "report.txt").exists()


def test_report_path_printed_by_compare(tmp_path, capsys):
    out = tmp_path / "c2"
    assert (
        main(
            [
                "compare",
                "--seeds",
                "1",
                "--citizens",
                "150",
                "--weeks",
                "20",
                "--set",
                "burn_in_weeks=4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"report written to {out / 'report.html'}" in printed
    assert Path(out / "report.html").exists()


def test_a_validation_folder_points_to_validate_report(tmp_path):
    """A validation output holds runs.parquet too; the report says where its own page comes from."""
    from hls_sim.errors import UsageError

    folder = tmp_path / "validate-x"
    folder.mkdir()
    (folder / "validation.json").write_text("{}")
    pl.DataFrame({"pattern": ["p"], "value": [1.0]}).write_parquet(folder / "runs.parquet")
    with pytest.raises(UsageError, match=r"hls-sim validate --report"):
        report.detect(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["runs.parquet", "validation.json"]
