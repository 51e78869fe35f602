"""The validation suite (issue 8): its statistics, its input checking, its reproducibility, a quick
subset of its patterns, and the ODD's agreement with the parameter registry and the outputs."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hls_sim.validation import calibration, checks
from hls_sim.validation.measures import Job, run_job, ts_measure
from hls_sim.validation.runner import execute, format_results, validate, write_outputs
from hls_sim.validation.spec import (
    EXPERIMENT_DIR,
    CheckSpec,
    CohortSpec,
    ExperimentError,
    load_pattern,
    load_patterns,
    pattern_files,
)

ROOT = Path(__file__).resolve().parent.parent
QUICK_SUBSET = ["01_campbells_law", "03_cream_skimming_and_parking"]


def _check(kind: str, arms: tuple[str, ...], **options) -> CheckSpec:
    return CheckSpec("claim", kind, "m", arms, options)


def _rows(values) -> list[dict[str, float]]:
    return [{"m": float(v)} for v in values]


# ---------------------------------------------------------------------------- statistics

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=12), st.floats(0.01, 100.0))
def test_difference_verdict_follows_the_interval_and_flips_with_the_arms(diffs, shift):
    """A difference check passes exactly when the paired 95% interval clears zero on the expected side."""
    b = np.zeros(len(diffs))
    a = np.array(diffs) + shift
    r = checks.evaluate(_check("difference", ("a", "b"), expect="above", at_least=0.0), {"a": _rows(a), "b": _rows(b)})
    assert math.isclose(r.estimate, float(np.mean(a - b)), rel_tol=1e-9, abs_tol=1e-9)
    assert (r.verdict == checks.PASS) == (r.ci_low > 0)
    flipped = checks.evaluate(
        _check("difference", ("b", "a"), expect="below", at_least=0.0), {"a": _rows(a), "b": _rows(b)}
    )
    assert flipped.verdict == r.verdict


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=12), st.floats(0.0, 10.0))
def test_near_zero_passes_only_if_every_seed_is_within_tolerance(values, tol):
    r = checks.evaluate(_check("near_zero", ("a",), tolerance=tol), {"a": _rows(values)})
    assert (r.verdict == checks.PASS) == (max(abs(v) for v in values) <= tol)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=12), st.floats(0, 1), st.floats(0, 1))
def test_within_passes_if_the_mean_is_in_the_band(values, x, y):
    lo, hi = min(x, y), max(x, y)
    r = checks.evaluate(_check("within", ("a",), band=[lo, hi]), {"a": _rows(values)})
    assert (r.verdict == checks.PASS) == (lo <= float(np.mean(values)) <= hi)
    assert r.ci_low <= r.estimate + 1e-12 <= r.ci_high + 2e-12


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 50), st.integers(1, 50))
def test_wilson_interval_contains_the_share(hits, extra):
    n = hits + extra
    lo, hi = checks.wilson(hits, n)
    assert 0.0 <= lo <= hits / n <= hi <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=8), st.floats(0.1, 5.0))
def test_trend_recovers_a_planted_slope(noise, slope):
    """Each seed's values lie on a line with the same slope plus a seed-specific offset: slope found exactly."""
    x = [0.0, 0.5, 1.0]
    data = {f"a{j}": _rows([off + slope * xj for off in noise]) for j, xj in enumerate(x)}
    r = checks.evaluate(_check("trend", ("a0", "a1", "a2"), x=x, expect="increasing"), data)
    assert math.isclose(r.estimate, slope, rel_tol=1e-6)
    assert r.verdict == checks.PASS


def test_shrinks_and_ratio_on_known_numbers():
    seeds = 5
    a = _rows([1.0] * seeds)
    b = _rows([0.0] * seeds)
    c = _rows([0.1 + 0.01 * k for k in range(seeds)])
    kept = checks.evaluate(_check("shrinks", ("a", "b", "c", "b"), factor=1 / 3), {"a": a, "b": b, "c": c})
    assert kept.verdict == checks.PASS and math.isclose(kept.estimate, 0.12)
    big = _rows([0.5 + 0.01 * k for k in range(seeds)])
    assert (
        checks.evaluate(_check("shrinks", ("a", "b", "c", "b"), factor=1 / 3), {"a": a, "b": b, "c": big}).verdict
        == checks.FAIL
    )
    # moving from arm x to arm y saves 3 of m per 1 of cost spent
    x = [{"m": 10.0 + k, "cost": 1.0} for k in range(seeds)]
    y = [{"m": 7.0 + k, "cost": 2.0} for k in range(seeds)]
    spec = CheckSpec("claim", "ratio", "m", ("x", "y"), {"denominator": "cost", "band": [1.5, 6.0]})
    r = checks.evaluate(spec, {"x": x, "y": y})
    assert math.isclose(r.estimate, 3.0) and r.verdict == checks.PASS


def test_ratio_interval_skips_resamples_without_extra_spending():
    """Seeds where the second arm spends less give resamples with no ratio: no warning, and said so."""
    import warnings

    x = [{"m": 10.0, "cost": 1.0 + (2.0 if k < 2 else 0.0)} for k in range(5)]
    y = [{"m": 9.0, "cost": 1.5} for _ in range(5)]
    spec = CheckSpec("claim", "ratio", "m", ("x", "y"), {"denominator": "cost", "band": [1.5, 6.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = checks.evaluate(spec, {"x": x, "y": y})
    assert math.isfinite(r.ci_low) and math.isfinite(r.ci_high) and r.ci_low <= r.ci_high
    assert "have no ratio" in r.detail


def test_time_series_measures():
    import polars as pl

    ts = pl.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]})
    assert ts_measure(ts, "sum", "x", "1", "3", 0) == 3.0
    assert ts_measure(ts, "mean", "x", None, None, 2) == 3.5
    assert ts_measure(ts, "change", "x", "1", "4", 0) == 3.0
    assert ts_measure(ts, "at", "x", "5", None, 0) == 5.0
    assert ts_measure(ts, "half_time", "x", "0", "4", 0) == 2.0
    assert math.isnan(ts_measure(ts, "change", "x", "1", "9", 0))


# ---------------------------------------------------------------------------- experiment files


@pytest.mark.parametrize("quick", [False, True])
def test_every_shipped_experiment_file_loads(quick):
    patterns = load_patterns(quick=quick)
    assert len(patterns) == len(pattern_files()) >= 8
    for p in patterns:
        assert p.evidence.strip() and p.mapping.strip() and p.sources
        assert len(p.seeds) >= (2 if quick else 10)
        assert p.checks


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir(exist_ok=True)
    path = folder / "bad.toml"
    path.write_text(text)
    return path


BASE = """
title = "t"
evidence = "e"
sources = ["s"]
mapping = "m"
seeds = 2
[arms.a]
set = { regime = "block_grant" }
[[checks]]
claim = "c"
kind = "near_zero"
metric = "campbell_gap"
arms = ["a"]
tolerance = 0.01
"""


@pytest.mark.parametrize(
    "old,new,key,words",
    [
        (
            'regime = "block_grant"',
            "incentive_strenght = 0.5",
            "arms.a.set.incentive_strenght",
            "did you mean 'incentive_strength'",
        ),
        ('regime = "block_grant"', "incentive_strength = 3", "arms.a.set.incentive_strength", "from 0 to 1"),
        ('kind = "near_zero"', 'kind = "nearly_zero"', "checks[0].kind", "allowed is one of"),
        ('arms = ["a"]', 'arms = ["b"]', "checks[0].arms", "no arm named 'b'"),
        ("tolerance = 0.01", "tolerence = 0.01", "checks[0].tolerence", "unknown key"),
        ('metric = "campbell_gap"', 'metric = "ts_avg:x"', "checks[0].metric", "ts_mean:COL"),
        (
            'set = { regime = "block_grant" }',
            'scenario = "gateshead_council_tx"',
            "arms.a.scenario",
            "did you mean 'gateshead_council_tax'",
        ),
    ],
)
def test_bad_experiment_file_names_file_key_and_what_is_allowed(tmp_path, old, new, key, words):
    path = _write(tmp_path, BASE.replace(old, new))
    with pytest.raises(ExperimentError) as err:
        load_pattern(path)
    msg = str(err.value)
    assert str(path) in msg and key in msg and words in msg


def test_cli_bad_experiments_exit_2_and_write_nothing(tmp_path):
    path = _write(tmp_path, BASE.replace('regime = "block_grant"', "citizenz = 10"))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "hls_sim", "validate", "--experiments", str(path.parent), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "citizenz" in proc.stderr and str(path) in proc.stderr
    assert not out.exists()


def test_unknown_pattern_id_is_a_usage_error():
    with pytest.raises(ExperimentError, match="did you mean '01_campbells_law'"):
        load_patterns(only=["01_campbells_lw"])


def test_calibration_refuses_parameters_not_documented_as_uncertain(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(EXPERIMENT_DIR, folder)
    cal = folder / "calibration.toml"
    cal.write_text(cal.read_text() + '\n[parameters.complex_share]\nrange = [0.5, 0.9]\nwhy = "x"\n')
    with pytest.raises(ExperimentError, match="not documented as uncertain"):
        calibration.load_plan(folder)


# ---------------------------------------------------------------------------- the model side


def test_cohort_arms_follow_the_same_people():
    """Before the switch both arms are the same run, so they must pick exactly the same cohort."""
    cohort = CohortSpec("signal", 20, 30, {"domain": "income_debt", "level": 0.4})
    base = dict(citizens=400, weeks=50, burn_in_weeks=10, regime="block_grant")
    jobs = [
        Job(tuple(sorted(base.items())), 3, cohort, ("cohort_size",)),
        Job(tuple(sorted({**base, "switch_week": 20, "switch_regime": "hls"}.items())), 3, cohort, ("cohort_size",)),
    ]
    stay, switch = (run_job(j) for j in jobs)
    assert stay["cohort_size"] == switch["cohort_size"] > 0
    for r in (stay, switch):
        # every member is exactly one of: never engaged, engaged and improved, engaged and not improved
        engaged = 1.0 - r["cohort_not_engaged"]
        engaged_improved = r["cohort_improved_among_engaged"] * engaged
        assert math.isclose(r["cohort_not_engaged"] + engaged_improved + r["cohort_engaged_not_improved"], 1.0)
        assert math.isclose(r["cohort_improved_among_engaged"] + r["cohort_stuck_among_engaged"], 1.0)
        assert math.isclose(r["cohort_stuck_among_engaged"] * engaged, r["cohort_engaged_not_improved"])
        # improved members are engaged or not: the engaged share of them cannot exceed all improved
        assert engaged_improved <= r["cohort_improved"] + 1e-12
        assert r["cohort_improved"] + r["cohort_deteriorated"] <= 1.0 + 1e-12


def test_numbers_do_not_depend_on_the_number_of_workers():
    base = dict(citizens=300, weeks=60, burn_in_weeks=10)
    jobs = [
        Job(tuple(sorted({**base, "regime": r}.items())), s, None, ("campbell_gap", "ts_mean:morale_mean"))
        for r in ("payment_by_results", "hls")
        for s in (1, 2)
    ]
    assert execute(jobs, workers=1) == execute(jobs, workers=2)


def _per_seed_from_table(table, pattern_id: str, check: CheckSpec, seeds: list[int]) -> np.ndarray:
    """Redo a check's per-seed values by hand from the tidy table of runs (runs.parquet), paired by seed."""
    import polars as pl

    def arm(name: str) -> np.ndarray:
        rows = table.filter(
            (pl.col("pattern") == pattern_id) & (pl.col("arm") == name) & (pl.col("metric") == check.metric)
        ).sort("seed")
        assert rows["seed"].to_list() == seeds, f"{pattern_id}/{name}/{check.metric}: one row per seed"
        return rows["value"].to_numpy()

    if check.kind == "difference":
        return arm(check.arms[0]) - arm(check.arms[1])
    if check.kind == "trend":
        ys = np.column_stack([arm(a) for a in check.arms])
        return np.array([np.polyfit(check.options["x"], y, 1)[0] for y in ys])
    return arm(check.arms[0])


# Checks of pattern 03 that pass even at quick size (3 seeds, 600 people): parking is clear on every seed.
# The creaming checks are not asserted here: on 3 seeds their intervals span zero (they pass at full size,
# docs/validation.md 3.3).
QUICK_PASSING_03 = {("difference", "hours_vs_need_top_decile"), ("above", "gaming_parking")}


def test_quick_subset_of_patterns(tmp_path):
    """Quick size is a smoke test of the machinery, not a verdict (docs/validation.md section 1): every check
    must come with its seeds, a finite estimate and interval that can be redone by hand from the runs table;
    the claims that are clear even on a few seeds must pass (Campbell's Law, parking); and every estimate must
    point the way the evidence says, even where 3 seeds leave its interval across zero."""
    from hls_sim.stats import mean_ci

    patterns = load_patterns(quick=True, only=QUICK_SUBSET)
    results, table, seconds = validate(patterns, workers=1, progress=False)
    assert [r.spec.id for r in results] == QUICK_SUBSET
    for r in results:
        seeds = list(r.spec.seeds)
        assert len(seeds) >= 2 and len(r.checks) == len(r.spec.checks)
        for spec_check, c in zip(r.spec.checks, r.checks, strict=True):
            where = f"{r.spec.id}: {c.claim}"
            assert c.n == len(seeds) and len(c.values) == len(seeds), where
            assert all(math.isfinite(v) for v in (c.estimate, c.ci_low, c.ci_high, *c.values)), where
            np.testing.assert_allclose(
                c.values, _per_seed_from_table(table, r.spec.id, spec_check, seeds), rtol=1e-9, atol=1e-12
            )
            mean, _, lo, hi = mean_ci(c.values)
            assert np.allclose([c.estimate, c.ci_low, c.ci_high], [mean, lo, hi], rtol=1e-9, atol=1e-12), where
            assert c.ci_low <= c.estimate <= c.ci_high, where
            if c.kind != "near_zero":  # every other check of these two patterns expects more than a bar
                assert spec_check.options.get("expect", "above") in ("above", "increasing"), where
                bar = spec_check.options.get("threshold", spec_check.options.get("at_least", 0.0))
                assert c.estimate > bar, f"{where}: estimate {c.estimate:.4g} on the wrong side of {bar:g}"
    campbell, cream = results
    assert campbell.verdict == checks.PASS, format_results([campbell])
    passing = [c for c in cream.checks if (c.kind, c.metric) in QUICK_PASSING_03]
    assert len(passing) == len(QUICK_PASSING_03)
    assert all(c.verdict == checks.PASS for c in passing), format_results([cream])
    text = format_results(results)
    assert "PASS" in text and "95% CI" in text
    path = write_outputs(tmp_path, results, table, seconds, quick=True, workers=1)
    assert path.exists() and (tmp_path / "runs.parquet").exists()
    assert set(table["pattern"].unique()) == set(QUICK_SUBSET)
    doc = json.loads(path.read_text())
    assert doc["mode"] == "quick" and [p["id"] for p in doc["patterns"]] == QUICK_SUBSET
    for r, p in zip(results, doc["patterns"], strict=True):
        assert p["verdict"] == r.verdict and p["seeds"] == list(r.spec.seeds)
        assert [c["estimate"] for c in p["checks"]] == [c.estimate for c in r.checks]
    if importlib.util.find_spec("vl_convert") is not None:
        from hls_sim.validation.report import write_report

        html = write_report(tmp_path, results, None, quick=True, seconds=seconds).read_text()
        assert "Campbell" in html and "vegaEmbed" in html and "cdn" not in html.lower()


def test_quick_calibration_reports_ranges_inside_the_priors():
    """Quick size (1 seed, 300 people) cannot say whether the fit is good, but the procedure can be checked:
    Latin hypercube draws, parameters that reach the runs, distances that follow from the estimates, and
    acceptance of exactly the closest sets, reported as they are."""
    plan = calibration.load_plan(quick=True)
    plan.run = {**plan.run, "citizens": 300}
    n = plan.particles
    assert n >= 4
    fit = calibration.calibrate(plan, workers=1, progress=False)
    d = fit.as_dict()
    assert d["particles"] == len(fit.particles) == n and math.isfinite(d["default_distance"])
    # a Latin hypercube: each parameter's n draws fall one in each of n equal strata of its prior
    for pr in plan.priors:
        vals = np.array([p[pr.name] for p in fit.particles])
        strata = np.floor((vals - pr.lo) / (pr.hi - pr.lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), (pr.name, vals)
    # the parameters reach the runs: on common seeds, different sets give different numbers than the defaults
    est = fit.estimates
    assert est.shape == (n, len(plan.targets)) and np.isfinite(est).all()
    assert len({tuple(np.round(e, 12)) for e in est}) == n
    assert not any(np.allclose(e, fit.default_estimates) for e in est)
    # distances follow from the estimates, and the accepted sets are exactly the closest ones
    assert np.allclose(fit.distances, [calibration.distance(plan, e) for e in est])
    assert math.isclose(fit.default_distance, calibration.distance(plan, fit.default_estimates))
    assert len(set(np.round(fit.distances, 12))) > 1
    acc = fit.accepted
    assert d["accepted"] == int(acc.sum()) == math.ceil(plan.accept * n)
    assert fit.distances[acc].max() <= fit.distances[~acc].min()
    assert d["accepted_distance_max"] <= float(np.median(fit.distances))
    assert [(p["distance"], p["accepted"]) for p in d["all_particles"]] == [
        (float(x), bool(a)) for x, a in zip(fit.distances, acc, strict=True)
    ]
    for p in d["parameters"]:
        a = np.array([q[p["name"]] for q, keep in zip(fit.particles, acc, strict=True) if keep])
        assert [p["accepted_min"], p["accepted_median"], p["accepted_max"]] == [a.min(), np.median(a), a.max()]
        assert p["prior"][0] <= p["accepted_min"] <= p["accepted_median"] <= p["accepted_max"] <= p["prior"][1]
    assert len(d["targets"]) == len(plan.targets) >= 4


def test_greater_manchester_cohort_uses_the_threshold_services_own_threshold():
    """The cohort rule states the threshold services' eligibility threshold; it must follow the scenario file."""
    from hls_sim.params import resolve
    from hls_sim.scenarios import scenario_overrides

    spec = load_patterns(only=["04_greater_manchester_below_threshold"])[0]
    thr = resolve(scenario_overrides("greater_manchester_threshold_services"))["eligibility_threshold"]
    for arm in spec.arms.values():
        assert arm.cohort is not None and arm.cohort.options["threshold"] == thr
