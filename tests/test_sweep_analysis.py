"""`hls-sim analyse`: intervals that agree with the raw runs, sensitivity indices that find what matters."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hls_sim.cli import main
from hls_sim.stats import mean_ci
from hls_sim.sweep import make_plan, parse_experiment, run_sweep
from hls_sim.sweep.analysis import analyse, format_article_table

BASE = """
seed = {seed}
replicates = {replicates}
common_random_numbers = true
[base]
citizens = {citizens}
weeks = {weeks}
burn_in_weeks = 26
baseline_weeks = 13
{extra}
"""


def sweep(folder: Path, body: str, *, seed=3, replicates=1, citizens=200, weeks=40, extra="") -> Path:
    text = BASE.format(seed=seed, replicates=replicates, citizens=citizens, weeks=weeks, extra=extra) + body
    plan = make_plan(parse_experiment(text, source="exp.toml"))
    out = folder / "out"
    run_sweep(plan, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def campbell(tmp_path_factory):
    """A small Campbell's-law grid: the stakes from none to full under both NPM regimes."""
    body = """
[design]
type = "grid"
[vary.regime]
values = ["output_targets", "payment_by_results"]
[vary.incentive_strength]
values = [0.0, 0.5, 1.0]
[outputs]
summary = ["true_outcome", "reported_outcome", "campbell_gap", "gaming_*"]
weekly = ["campbell_gap"]
every = 13
"""
    out = sweep(tmp_path_factory.mktemp("campbell"), body, replicates=6, citizens=400, weeks=104)
    return out, analyse(out)


def test_means_and_intervals_agree_with_the_raw_runs(campbell):
    out, res = campbell
    raw = pl.read_parquet(out / "results.parquet").filter(pl.col("scope") == "summary")
    for point, metric in [(0, "true_outcome"), (5, "campbell_gap"), (3, "gaming_parking")]:
        vals = raw.filter((pl.col("point") == point) & (pl.col("metric") == metric))["value"].to_list()
        assert len(vals) == 6
        mean, sd, lo, hi = mean_ci(vals)
        row = res.point_summary.filter((pl.col("point") == point) & (pl.col("metric") == metric)).row(0, named=True)
        assert row["n"] == 6
        assert row["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-15)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9, abs=1e-12)


def test_tables_are_written_as_csv_and_parquet(campbell):
    out, res = campbell
    folder = out / "analysis"
    for stem in ("point_summary", "weekly_summary", "sensitivity", "article_table"):
        csv = pl.read_csv(folder / f"{stem}.csv")
        assert csv.height == pl.read_parquet(folder / f"{stem}.parquet").height > 0
    article = pl.read_parquet(folder / "article_table.parquet")
    assert article.height == 6 and "campbell_gap" in article.columns
    md = (folder / "article_table.md").read_text()
    # the article table is in words with units, split so that a page holds each part
    assert md.startswith("**Table 1.**")
    assert "| regime | stakes on the indicator (0-1) | true outcome: closed cases really resolved, share |" in md
    assert "| payment by results | 0.5 |" in md and "incentive_strength" not in md
    for table in md.split("**Table ")[1:]:
        header = next(line for line in table.splitlines() if line.startswith("| regime"))
        assert header.count("|") - 1 <= 2 + 4
    sens = (folder / "sensitivity_eta_squared.md").read_text()
    assert "| output | regime | stakes on the indicator (0-1) |" in sens
    weekly = pl.read_parquet(folder / "weekly_summary.parquet")
    assert set(weekly["step"].unique().to_list()) == set(range(0, 104, 13))


def test_terminal_table_fits_100_columns_in_words(campbell):
    _, res = campbell
    text = format_article_table(res)
    table = [line for line in text.splitlines()[1:] if not line.startswith("...")]
    assert max(len(line) for line in table) <= 100
    assert "payment by results" in text and "share points" in text
    assert not any(name in text for name in ("incentive_strength", "campbell_gap", "payment_by_results"))
    shown = sum(1 for m in ("true outcome", "reported outcome", "Campbell gap") if m in text)
    assert shown == 3 or "more column" in text  # what does not fit is named, not cut


def test_reported_true_gap_rises_with_the_stakes(campbell):
    _, res = campbell
    ps = res.point_summary.filter(pl.col("metric") == "campbell_gap")
    for regime in ("output_targets", "payment_by_results"):
        gaps = ps.filter(pl.col("regime") == regime).sort("incentive_strength")
        none, full = gaps.row(0, named=True), gaps.row(-1, named=True)
        assert full["ci_low"] > none["ci_high"], (regime, none, full)
    rho = res.sensitivity.filter(
        (pl.col("metric") == "campbell_gap")
        & (pl.col("parameter") == "incentive_strength")
        & (pl.col("index") == "spearman")
    )["value"].item()
    assert rho > 0.5


def test_morris_finds_a_parameter_that_matters_and_one_that_cannot(tmp_path):
    # With no steward, the steward's cost never arises: its elementary effects must be exactly 0.
    body = """
[design]
type = "morris"
trajectories = 4
levels = 4
[vary.incentive_strength]
lo = 0.0
hi = 1.0
[vary.steward_cost]
lo = 0.0
hi = 100000.0
[vary.caseload_cap]
lo = 10
hi = 40
[outputs]
summary = ["campbell_gap", "total_cost"]
"""
    out = sweep(tmp_path, body, extra='regime = "payment_by_results"\nsteward = false')
    sens = analyse(out).sensitivity
    mu_star = {
        (r["metric"], r["parameter"]): r["value"]
        for r in sens.filter(pl.col("index") == "mu_star").iter_rows(named=True)
    }
    assert mu_star[("campbell_gap", "steward_cost")] == 0.0
    assert mu_star[("total_cost", "steward_cost")] == 0.0
    assert mu_star[("campbell_gap", "incentive_strength")] > 0.0
    mu = sens.filter(pl.col("index") == "mu")
    assert all(abs(m) <= mu_star[(r, p)] + 1e-12 for r, p, m in mu.select("metric", "parameter", "value").iter_rows())
    assert main(["analyse", str(out)]) == 0


def test_lhs_gives_regression_coefficients(tmp_path):
    body = """
[design]
type = "lhs"
samples = 16
[vary.incentive_strength]
lo = 0.0
hi = 1.0
[vary.steward_cost]
lo = 0.0
hi = 100000.0
[outputs]
summary = ["campbell_gap"]
"""
    out = sweep(tmp_path, body, extra='regime = "payment_by_results"\nsteward = false')
    sens = analyse(out).sensitivity
    src = {r["parameter"]: r["value"] for r in sens.filter(pl.col("index") == "src").iter_rows(named=True)}
    assert src["incentive_strength"] > 0.5 and abs(src["steward_cost"]) < src["incentive_strength"]
    r2 = sens.filter(pl.col("index") == "r_squared")["value"].item()
    assert 0.0 <= r2 <= 1.0


def test_salib_sobol_indices(tmp_path):
    body = """
[design]
type = "salib_sobol"
samples = 8
[vary.incentive_strength]
lo = 0.0
hi = 1.0
[vary.steward_cost]
lo = 0.0
hi = 100000.0
[outputs]
summary = ["campbell_gap"]
"""
    out = sweep(tmp_path, body, extra='regime = "payment_by_results"\nsteward = false')
    sens = analyse(out).sensitivity
    st = {r["parameter"]: r["value"] for r in sens.filter(pl.col("index") == "ST").iter_rows(named=True)}
    assert st["steward_cost"] == 0.0 and st["incentive_strength"] > 0.0


def test_analyse_of_a_folder_without_a_sweep_is_exit_2(tmp_path, capsys):
    assert main(["analyse", str(tmp_path)]) == 2
    assert "holds no sweep" in capsys.readouterr().err


def test_the_output_folder_rules_know_every_table_analyse_writes():
    """hls_sim.outdir recognises an analysis folder by its file names; every sensitivity table analyse can
    write must be among them, or a second analyse into the same --out would be refused as foreign files."""
    from hls_sim.outdir import ANALYSIS_FILES
    from hls_sim.sweep.analysis import MAIN_INDEX

    for idx in set(MAIN_INDEX.values()):
        assert {f"sensitivity_{idx}.{ext}" for ext in ("csv", "parquet", "md")} <= set(ANALYSIS_FILES), idx
