"""Issue 19 for policy teams: cost and impact over time against the first label with the break-even
year, the one-at-a-time sweep of documented assumptions, what every report says about its numbers,
a terminal table in 100 columns, and no traceback on a closed pipe."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hls_sim import assumptions as asm
from hls_sim import breakeven as be
from hls_sim import caveats, report
from hls_sim.cli import main
from hls_sim.params import PARAMS, resolve

TINY = ["--citizens", "400", "--weeks", "156", "--set", "burn_in_weeks=26", "--set", "baseline_weeks=26"]
PAIR = ["compare", "plymouth_before", "plymouth_alliance", "--seeds", "2", "--no-campbell"]


# ---------------------------------------------------------------------------- break-even on constructed series


@pytest.mark.parametrize(
    "cumulative, year",
    [
        ([5.0, 3.0, -1.0, -2.0], 3),  # dearer for two years, then paid back for good
        ([-1.0, 2.0, -1.0], 3),  # cheaper at first, dearer again, cheaper from year 3
        ([-1.0, -2.0], 1),  # never dearer
        ([0.0, 0.0], 1),  # exactly the same cost counts as broken even
        ([1.0, 2.0], None),  # never pays back
        ([-1.0, 1.0], None),  # cheaper, then dearer at the end: not broken even within the run
        ([-1.0, math.nan, -1.0], 3),  # an unknown year never makes a break-even appear
        ([], None),
    ],
)
def test_break_even_year_on_constructed_series(cumulative, year):
    assert be.break_even_year(cumulative) == year


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=15))
def test_break_even_year_is_the_start_of_the_last_run_at_or_below_zero(cumulative):
    year = be.break_even_year(cumulative)
    if year is None:
        assert not cumulative or cumulative[-1] > 0
    else:
        assert all(v <= 0 for v in cumulative[year - 1 :])
        assert year == 1 or cumulative[year - 2] > 0


def _weekly(label: str, seed: int, cost: list[float], *, wb: float = 0.6, twin: float = 0.5) -> pl.DataFrame:
    n = len(cost)
    return pl.DataFrame(
        {
            "label": [label] * n,
            "seed": [seed] * n,
            "week": list(range(n)),
            "cost_total": cost,
            "cost_downstream": [c / 10 for c in cost],
            "cost_payments": [c * 0.9 for c in cost],
            "wellbeing_mean": [wb] * n,
            "wellbeing_twin_mean": [twin] * n,
            "n_crises": [1.0] * n,
            "n_twin_crises": [3.0] * n,
        }
    )


def _params(**extra):
    base = {"weeks": 4 * 52 + 10, "burn_in_weeks": 10, "citizens": 520, "crisis_cost": 1500.0, "twin": True}
    return {"now": {**base}, "change": {**base, **extra}}


def test_yearly_cost_and_impact_against_the_first_label_on_a_constructed_series():
    """Year 1 is the first year after the burn-in; the change costs 100 more a week in its first
    year (an investment) and 50 less a week after, so it pays back in year 3; the last part-year
    is kept with its length."""
    weeks = 4 * 52 + 10 + 20  # the label runs longer than the other: only the common weeks count
    now = [1000.0] * weeks
    change = [1000.0] * 10 + [1100.0] * 52 + [950.0] * (weeks - 62)
    ts = pl.concat([_weekly("now", s, now) for s in (1, 2)] + [_weekly("change", s, change, wb=0.7) for s in (1, 2)])
    params = _params()
    params["change"]["weeks"] = weeks
    cot = be.cost_over_time(ts, params)
    assert cot.start_week == 10 and cot.first == "now"
    rows = cot.diff.filter((pl.col("label") == "change") & (pl.col("seed") == 1)).sort("year")
    assert rows["year"].to_list() == [1, 2, 3, 4]
    assert rows["d_cost"].to_list() == pytest.approx([5200.0, -2600.0, -2600.0, -2600.0])
    assert rows["cum_d_cost"].to_list() == pytest.approx([5200.0, 2600.0, 0.0, -2600.0])
    # wellbeing 0.1 above the first label's for 520 people: 0.1 x 520 / 52 = 1 wellbeing-year a week
    assert rows["d_wellbeing_years"].to_list() == pytest.approx([52.0, 52.0, 52.0, 52.0])
    assert rows["d_crises_avoided"].to_list() == pytest.approx([0.0] * 4)
    assert rows["crises_avoided"].to_list() == pytest.approx([104.0] * 4)  # 2 a week against the twins
    res = cot.results["change"]
    assert res.on_mean == 3 and res.per_seed == {1: 3, 2: 3} and res.years == 4
    assert res.on_upper_band == 3  # the seeds agree, so the band has no width
    assert res.final["cum_d_cost"][0] == pytest.approx(-2600.0)
    text = be.format_terminal(cot)
    assert "break-even year: 3" in text and all(len(line) <= 100 for line in text.splitlines())
    parts = dict(cot.parts.filter(pl.col("label") == "change").select("category", "d_cost").iter_rows())
    assert parts["downstream"] == pytest.approx(-260.0) and parts["payments"] == pytest.approx(-2340.0)


def test_part_year_never_paid_back_and_twins_off():
    weeks = 2 * 52 + 10 + 26
    ts = pl.concat([_weekly("now", 1, [1000.0] * weeks), _weekly("change", 1, [1001.0] * weeks)])
    params = _params(twin=False)
    for p in params.values():
        p["weeks"] = weeks
    cot = be.cost_over_time(ts, params)
    res = cot.results["change"]
    assert res.on_mean is None and res.last_year_weeks == 26 and res.years == 3
    assert "none within the run" in be.describe(res, "now")
    assert "* a part year of 26 weeks" in be.format_terminal(cot)
    change = cot.diff.filter(pl.col("label") == "change")
    assert change["wellbeing_years"].is_null().all() and change["d_crises_avoided"].is_null().all()


def test_a_switch_before_the_end_of_the_burn_in_is_counted_from_week_0():
    params = _params(switch_week=5)
    assert be.accounting_weeks(params) == (0, 4 * 52 + 10)
    params = _params(switch_week=60)
    assert be.accounting_weeks(params)[0] == 10


# ---------------------------------------------------------------------------- the assumptions


def test_every_assumption_swept_is_documented_as_one_and_has_sensible_values():
    for a in (*asm.RECOMPUTED, *asm.RERUN):
        assert asm.is_documented_assumption(a.name), a.name
        p = PARAMS[a.name]
        default = p.default
        lo, hi = a.value("low", default), a.value("high", default)
        assert p.lo <= lo < default < hi <= p.hi, a.name
    # the accounting ones scale a weekly cost column the recorder keeps
    from hls_sim.metrics import STATE_COLUMNS

    assert {a.column for a in asm.RECOMPUTED} <= set(STATE_COLUMNS)
    assert len(asm.RERUN) >= asm.DEFAULT_RERUN


def test_accounting_assumptions_recomputed_equal_a_run_at_that_price():
    """The recomputation is exact: a run at the doubled price changes nothing but that cost column."""
    import hls_sim

    over = dict(citizens=300, weeks=120, burn_in_weeks=10, baseline_weeks=10, regime="payment_by_results")
    params = {"pbr": resolve(over), "hls": resolve({**over, "regime": "hls"})}
    runs = {label: hls_sim.run(seed=2, **{**over, "regime": p["regime"]}) for label, p in params.items()}
    ts = pl.concat(
        [r.timeseries.with_columns(label=pl.lit(k), seed=pl.lit(2)) for k, r in runs.items()], how="diagonal"
    )
    tab = asm.table(ts, params, None)
    for a in asm.RECOMPUTED:
        if a.name == "transition_cost":
            continue  # no label here changes regime, so nothing is charged at this price
        high = {label: {**p, a.name: a.value("high", p[a.name])} for label, p in params.items()}
        rerun = {
            label: hls_sim.run(seed=2, **{**over, "regime": p["regime"], a.name: high[label][a.name]})
            for label, p in params.items()
        }
        again = pl.concat(
            [r.timeseries.with_columns(label=pl.lit(k), seed=pl.lit(2)) for k, r in rerun.items()], how="diagonal"
        )
        for col in ("n_crises", "wellbeing_mean", "true_outcome"):
            assert again[col].equals(ts[col])  # behaviour unchanged
        truth = be.against_first(be.yearly(again, high), "pbr")
        got = tab.filter((pl.col("assumption") == a.name) & (pl.col("level") == "high")).sort("label", "year")
        want = truth.sort("label", "year")
        assert got["cum_d_cost"].to_list() == pytest.approx(want["cum_d_cost"].to_list(), rel=1e-9, abs=1e-6), a.name


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The acceptance command at a small size, with one assumption re-run (and its seeds' runs kept)."""
    root = tmp_path_factory.mktemp("policy")
    out = root / "c"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main([*PAIR, *TINY, "--assumptions", "1", "--out", str(out)])
    assert code == 0
    return out, buf.getvalue()


def test_acceptance_prints_a_break_even_year_and_keeps_every_seeds_weekly_series(pair):
    out, printed = pair
    assert "plymouth_alliance minus plymouth_before" in printed
    assert "break-even year: " in printed
    ts = pl.read_parquet(out / "timeseries.parquet")
    assert ts.columns[:3] == ["label", "seed", "week"]
    seen = ts.group_by("label", "seed").agg(pl.len().alias("weeks")).sort("label", "seed")
    assert seen.height == 4 and set(seen["seed"]) == {1, 2} and set(seen["weeks"]) == {156}
    doc = json.loads((out / "breakeven.json").read_text())
    res = doc["labels"]["plymouth_alliance"]
    assert set(res["break_even_year_per_seed"]) == {"1", "2"}
    # what the terminal printed is what the files hold
    want = res["break_even_year"]
    assert f"break-even year: {want if want is not None else 'none within the run'}" in printed
    yearly = pl.read_parquet(out / "yearly.parquet")
    assert set(yearly["seed"]) == {1, 2} and yearly["year"].max() == 3  # 130 weeks counted: two years and a part


def test_terminal_output_fits_100_columns_with_units(pair):
    _, printed = pair
    for line in printed.splitlines():
        if not line.startswith(("report written to", "outputs written to")):  # paths are as long as they are
            assert len(line) <= 100, line
    assert "Campbell gap (reported - true) (points)" in printed
    assert "total cost, crises included (GBP/yr)" in printed
    assert "campbell_gap" not in printed


def test_compare_report_has_the_policy_sections_and_the_caveats(pair):
    out, _ = pair
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Assumptions that drive this result</h2>" in page
    assert "not a forecast" in page
    assert "seed noise only" in page and "Validation status:" in page
    assert "Cost and impact over time against plymouth_before" in page
    assert "break-even year:" in page
    assert "Crisis cost" in page  # named, whether or not it drives this result
    assert "fig-assumptions_tornado" in page and "fig-cost_against_first" in page
    assert (out / "charts" / "assumptions_tornado.png").read_bytes()[:4] == b"\x89PNG"
    tab = pl.read_parquet(out / asm.TABLE)
    assert set(tab["method"]) == {"compare", "recomputed", "re-run"}
    rerun = tab.filter(pl.col("method") == "re-run")
    assert set(rerun["assumption"]) == {asm.RERUN[0].name} and set(rerun["seed"]) == {1, 2}
    assert set(tab.filter(pl.col("method") == "recomputed")["assumption"]) == {a.name for a in asm.RECOMPUTED}


def test_the_report_reads_the_assumptions_and_never_runs_the_model(pair, tmp_path, monkeypatch):
    import hls_sim.model
    import hls_sim.runner

    def refuse(*a, **k):
        raise AssertionError("the report ran the model")

    monkeypatch.setattr(hls_sim.runner, "run", refuse)
    monkeypatch.setattr(hls_sim.model, "HLSModel", refuse)
    out, _ = pair
    page = report.write_report(out, out=tmp_path / "r.html", png=False, progress=False).read_text()
    assert "Assumptions that drive this result" in page and "assumptions_tornado" in page


def test_wide_prints_every_row_with_its_full_words(pair):
    from hls_sim.commands.compare import TABLE_METRICS, format_table

    out, _ = pair
    table = pl.read_parquet(out / "table.parquet")
    wide = format_table(table, ["plymouth_before", "plymouth_alliance"], 2, wide=True)
    assert "gaming: ratchet effect, share of hours" in wide
    assert sum(1 for m in TABLE_METRICS if m in set(table["metric"])) == len(wide.splitlines()) - 4


def test_many_long_labels_still_fit_100_columns(pair):
    from hls_sim.commands.compare import format_table

    out, _ = pair
    table = pl.read_parquet(out / "table.parquet")
    labels = [f"a_rather_long_scenario_name_{i}" for i in range(6)]
    many = pl.concat(
        [table.filter(pl.col("label") == "plymouth_before").with_columns(label=pl.lit(lab)) for lab in labels]
    )
    text = format_table(many, labels, 2)
    assert all(len(line) <= 100 for line in text.splitlines())
    assert text.count("wellbeing gained vs no services") >= 2  # the labels come in blocks


def test_assumption_options_are_checked_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "c"
    assert main([*PAIR, "--assumptions", "99", "--out", str(out)]) == 2
    assert f"--assumptions must be from 0 to {len(asm.RERUN)} (got 99)" in capsys.readouterr().err
    assert main([*PAIR, "--assumptions", "1", "--no-assumptions", "--out", str(out)]) == 2
    assert "contradict" in capsys.readouterr().err
    assert not out.exists()


SMALLEST = ["--citizens", "200", "--weeks", "70", "--set", "burn_in_weeks=8", "--set", "baseline_weeks=8"]


def test_assumptions_do_not_depend_on_workers_and_resume_after_a_stop(tmp_path, monkeypatch, capsys):
    """The re-runs go through the engine: two workers give the same tables as one, and a compare
    stopped in the middle of its assumption runs finishes with --resume to the same tables."""
    from hls_sim.sweep import store as store_mod

    args = [*PAIR, *SMALLEST, "--assumptions", "1"]
    one, two = tmp_path / "w1", tmp_path / "w2"
    monkeypatch.setenv("HLS_SIM_NO_REPORT", "1")
    assert main([*args, "--workers", "1", "--out", str(one)]) == 0
    assert main([*args, "--workers", "2", "--out", str(two)]) == 0
    for name in (asm.TABLE, be.YEARLY, "timeseries.parquet"):
        assert pl.read_parquet(one / name).equals(pl.read_parquet(two / name)), name
    real = store_mod.SweepStore.write_part
    count = {"n": 0}

    def stop_in_the_assumptions(self, run_id, rows):
        if self.root.name == asm.FOLDER:
            if count["n"] == 3:
                raise KeyboardInterrupt
            count["n"] += 1
        real(self, run_id, rows)

    stopped = tmp_path / "stopped"
    monkeypatch.setattr(store_mod.SweepStore, "write_part", stop_in_the_assumptions)
    assert main([*args, "--out", str(stopped)]) == 130
    monkeypatch.setattr(store_mod.SweepStore, "write_part", real)
    assert "--assumptions 1 --resume --out" in capsys.readouterr().err
    assert not (stopped / asm.TABLE).exists()
    assert main([*args, "--out", str(stopped), "--resume"]) == 0
    for name in (asm.TABLE, be.YEARLY):
        assert pl.read_parquet(stopped / name).equals(pl.read_parquet(one / name)), name
    manifest = json.loads((stopped / asm.FOLDER / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["n_runs"] == 8


def test_a_whole_compare_folder_is_replaced_by_overwrite(tmp_path, monkeypatch, capsys):
    """Every file compare writes (break-even, yearly table, assumption re-runs) counts as part of it,
    so --overwrite replaces the folder instead of refusing it as foreign files."""
    monkeypatch.setenv("HLS_SIM_NO_REPORT", "1")
    out = tmp_path / "c"
    args = [*PAIR, *SMALLEST, "--seeds", "1", "--assumptions", "1", "--out", str(out)]
    assert main(args) == 0
    assert {"yearly.parquet", "breakeven.json", "assumptions.parquet", "assumptions"} <= {p.name for p in out.iterdir()}
    capsys.readouterr()
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0


def test_no_assumptions_leaves_a_section_that_says_so(tmp_path, capsys):
    out = tmp_path / "c"
    assert main([*PAIR, *SMALLEST, "--seeds", "1", "--no-assumptions", "--out", str(out)]) == 0
    assert not (out / asm.TABLE).exists() and not (out / asm.FOLDER).exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Assumptions that drive this result</h2>" in page and "--no-assumptions" in page


# ---------------------------------------------------------------------------- every report's caveats


def test_sweep_report_states_seed_noise_validation_and_not_a_forecast(tmp_path):
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
    page = report.write_report(folder, png=False, progress=False).read_text(encoding="utf-8")
    assert "seed noise only" in page and "not a forecast" in page and "Validation status:" in page


def test_validate_report_states_seed_noise_and_not_a_forecast():
    from hls_sim.validation.report import render

    page = render([], quick=True, seconds=0.0)
    assert "seed noise only" in page and "not a forecast" in page and "Validation status: 0 of 0" in page


def test_validation_status_is_read_from_beside_the_output(tmp_path, monkeypatch):
    from hls_sim.version import __version__

    monkeypatch.delenv(caveats.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "results" / "compare-1"
    out.mkdir(parents=True)
    none = caveats.validation_status(out)
    assert none.path is None and "hls-sim validate" in none.sentence()
    old = tmp_path / "results" / "validate-old"
    old.mkdir()
    (old / "validation.json").write_text(
        json.dumps({"hls_sim_version": "0.0.1", "mode": "full", "passed": 1, "patterns_total": 8})
    )
    s = caveats.validation_status(out)
    assert s.passed == 1 and "0.0.1" in s.sentence() and "run `hls-sim validate` again" in s.sentence()
    new = tmp_path / "results" / "validate-new"
    new.mkdir()
    doc = {"hls_sim_version": __version__, "mode": "full", "passed": 7, "patterns_total": 8, "patterns": []}
    (new / "validation.json").write_text(json.dumps(doc))
    s = caveats.validation_status(out)
    assert (s.passed, s.total, s.mode) == (7, 8, "full") and "7 of 8 patterns pass" in s.sentence()
    elsewhere = tmp_path / "mine.json"
    elsewhere.write_text(json.dumps({**doc, "passed": 8}))
    monkeypatch.setenv(caveats.ENV, str(elsewhere))
    os.utime(elsewhere, (2e9, 2e9))  # the newest of this version wins
    assert caveats.validation_status(out).passed == 8


# ---------------------------------------------------------------------------- closed pipes


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hls_sim", *args]


def test_compare_into_a_closed_pipe_finishes_its_work_without_a_traceback(tmp_path):
    """`hls-sim compare ... | head`: the reader goes away; the compare still writes every file."""
    out = tmp_path / "c"
    env = {**os.environ, "HLS_SIM_NO_REPORT": "1"}
    proc = subprocess.Popen(
        _cli(*PAIR, *SMALLEST, "--seeds", "1", "--assumptions", "0", "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    proc.stdout.close()  # closed before the command writes anything
    _, err = proc.communicate(timeout=600)
    err = err.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 0
    for name in ("table.csv", "timeseries.parquet", be.YEARLY, be.BREAKEVEN, asm.TABLE):
        assert (out / name).exists(), name


def test_compare_piped_into_head(tmp_path):
    out = tmp_path / "c"
    words = " ".join(_cli(*PAIR, *SMALLEST, "--seeds", "1", "--no-assumptions", "--out", str(out)))
    proc = subprocess.run(
        f"{words} | head -3",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "HLS_SIM_NO_REPORT": "1"},
    )
    assert len(proc.stdout.splitlines()) == 3
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert (out / be.BREAKEVEN).exists()


def test_params_piped_into_head():
    proc = subprocess.run(f"{' '.join(_cli('params'))} | head -2", shell=True, capture_output=True, text=True)
    assert len(proc.stdout.splitlines()) == 2 and proc.stderr == ""


def test_labels_of_the_swept_assumptions_read_as_words():
    from hls_sim.labels import param_title

    assert param_title("crisis_cost") == "crisis cost (GBP/event)"
    assert Path(asm.__file__).name == "assumptions.py"
    for a in (*asm.RECOMPUTED, *asm.RERUN):
        assert "_" not in param_title(a.name).split(" (")[0], a.name


def test_a_measure_undefined_on_some_seeds_says_over_how_many():
    """Cost per crisis avoided has no value on a seed that avoided none: the table's mean is over
    the other seeds, and the table, the terminal and the report say so instead of 'over 3 seeds'."""
    from hls_sim.commands.compare import format_table, summarise
    from hls_sim.report import _compare_cell

    runs = pl.DataFrame(
        {
            "label": ["a"] * 3 + ["b"] * 3,
            "seed": [1, 2, 3] * 2,
            "cost_per_crisis_avoided": [100.0, None, 300.0, 50.0, None, None],
            "impact_wellbeing": [0.01, 0.02, 0.03, 0.0, 0.01, 0.02],
        }
    )
    table = summarise(runs, ["a", "b"])
    cost = {r["label"]: r for r in table.filter(pl.col("metric") == "cost_per_crisis_avoided").iter_rows(named=True)}
    assert (cost["a"]["mean"], cost["a"]["n"], cost["a"]["seeds"]) == (200.0, 2, 3)
    assert cost["b"]["n"] == 1 and math.isnan(cost["b"]["ci_low"]) and math.isnan(cost["b"]["sd"])
    impact = table.filter((pl.col("metric") == "impact_wellbeing") & (pl.col("label") == "a")).row(0, named=True)
    assert impact["n"] == impact["seeds"] == 3
    text = format_table(table, ["a", "b"], 3)
    line = next(x for x in text.splitlines() if x.startswith("net cost per crisis avoided"))
    assert "(2 of 3)" in line and "(1 of 3)" in line and line.count("±") == 1  # one seed: no interval
    assert "defined on k of the n seeds" in text
    assert "(1 of 3 seeds)" in _compare_cell(cost["b"]) and "±" not in _compare_cell(cost["b"])
    assert "±" in _compare_cell(impact) and "of 3 seeds" not in _compare_cell(impact)
