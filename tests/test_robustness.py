"""`hls-sim robustness`: the uncertain-parameter rule, the designs, the analysis and the command.

Studies here are tiny (a hundred people for a year, a handful of parameter sets) so that the
behaviour of the machinery is checked, not the model's conclusions.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hls_sim.cli import main
from hls_sim.params import PARAMS, Param
from hls_sim.regimes import REGIMES
from hls_sim.robustness import analysis, design, prim
from hls_sim.robustness import study as study_mod
from hls_sim.robustness.uncertain import (
    HELD_GROUPS,
    calibration_ranges,
    is_assumption,
    uncertain_parameters,
)

ARMS = {"payment_by_results": {"regime": "payment_by_results"}, "hls": {"regime": "hls"}}
TINY = [
    "--citizens", "100", "--weeks", "52",
    "--set", "burn_in_weeks=13", "--set", "warmup_weeks=13", "--set", "baseline_weeks=13",
    "--screen-sets", "6", "--samples", "6", "--seeds", "1", "--no-report",
]  # fmt: skip
STUDY = ["robustness", "payment_by_results", "hls", *TINY]


def _every_lever() -> set[str]:
    return {k for bundle in REGIMES.values() for k in bundle}


# ---------------------------------------------------------------------------- the rule


def test_only_numeric_assumptions_are_varied_and_never_a_lever():
    varied, held = uncertain_parameters(ARMS)
    assert len(varied) > 20
    levers = _every_lever()
    for u in varied:
        p = PARAMS[u.name]
        assert is_assumption(p), u.name
        assert p.group not in HELD_GROUPS and p.kind in (int, float) and p.choices is None, u.name
        assert u.name not in levers and u.name not in ("seed", "citizens", "weeks", "burn_in_weeks"), u.name
    names = {u.name for u in varied} | {h.name for h in held}
    assert names == {p.name for p in PARAMS.values() if is_assumption(p)}  # every assumption is accounted for
    assert all(h.reason for h in held)


def test_what_an_arm_or_the_command_line_sets_is_held():
    arms = {"a": {"regime": "payment_by_results", "crisis_cost": 2000.0}, "b": {"regime": "hls"}}
    varied, held = uncertain_parameters(arms, fixed=["shock_rate"])
    reasons = {h.name: h.reason for h in held}
    assert "crisis_cost" not in {u.name for u in varied} and "set on purpose by a" in reasons["crisis_cost"]
    assert "shock_rate" not in {u.name for u in varied} and "--set" in reasons["shock_rate"]


def test_a_new_assumption_in_the_registry_is_picked_up(monkeypatch):
    new = Param("made_up_rate", 0.2, float, 0.0, 1.0, None, "1/week", "mechanism", "test", "assumption")
    monkeypatch.setitem(PARAMS, "made_up_rate", new)
    varied, _ = uncertain_parameters(ARMS)
    got = {u.name: u for u in varied}["made_up_rate"]
    assert (got.lo, got.hi, got.origin) == (0.1, 0.4, "default rule")


def test_ranges_lie_inside_the_registry_and_calibrated_ones_come_from_the_calibration_file():
    varied, _ = uncertain_parameters(ARMS)
    priors = calibration_ranges()
    assert priors  # the shipped calibration file names some ranges
    for u in varied:
        p = PARAMS[u.name]
        assert p.lo <= u.lo < u.hi <= p.hi, u.name
        if u.name in priors:
            assert (u.lo, u.hi, u.origin) == (priors[u.name].lo, priors[u.name].hi, "calibration prior")
        else:
            assert u.origin == "default rule" and u.lo <= u.default <= u.hi, u.name


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_unit_coordinates_map_monotonically_into_each_range(u1, u2):
    varied, _ = uncertain_parameters(ARMS)
    lo, hi = sorted((u1, u2))
    for u in varied:
        a, b = u.value(lo), u.value(hi)
        assert u.lo <= a <= b <= u.hi, u.name
        PARAMS[u.name].coerce(a)  # a value the registry accepts


def test_default_rule_keeps_a_slow_memory_slow():
    varied, _ = uncertain_parameters(ARMS)
    memory = {u.name: u for u in varied}["income_memory"]  # default 0.98 near its bound 0.999
    assert 0.96 < memory.lo < 0.98 < memory.hi < 0.999
    assert memory.value(0.5) == pytest.approx(0.98)


# ---------------------------------------------------------------------------- designs and analysis


def test_latin_hypercube_has_one_point_per_stratum_and_depends_only_on_the_seed():
    u = design.latin_hypercube(5, 20, seed=3, stream=design.SETS_STREAM)
    assert u.shape == (20, 5)
    for j in range(5):
        assert sorted(np.floor(u[:, j] * 20).astype(int)) == list(range(20))
    assert np.array_equal(u, design.latin_hypercube(5, 20, seed=3, stream=design.SETS_STREAM))
    assert not np.array_equal(u, design.latin_hypercube(5, 20, seed=4, stream=design.SETS_STREAM))


def test_screen_carries_what_matters_and_not_what_cannot():
    """A synthetic difference: a strong and a weaker straight effect and a steep curved one, plus noise;
    parameter 42 does nothing and must not beat the ghosts (at most by the chance the rule allows)."""
    n_real = 60
    hits, ranked = [], []
    for seed in range(8):
        u = design.latin_hypercube(n_real * 5, 60, seed=seed, stream=design.SCREEN_STREAM)
        noise = np.random.default_rng(seed).normal(0.0, 0.5, 60)
        diff = np.column_stack([8 * u[:, 3] + 3 * u[:, 9] + noise, np.exp(4 * u[:, 17]) + noise, np.full(60, np.nan)])
        res = analysis.screen_scores(u, diff, n_real)
        hits.append(set(res.carried[: res.found]))
        order = list(np.argsort(-res.strength, kind="stable"))
        ranked.append((order.index(9), order.index(42)))
        assert res.rho[3, 0] > 0.7 and res.rho[17, 1] > 0.8
        assert res.threshold[2] == 0.0 and res.n[2] == 0  # an undefined measure carries nothing
    assert all({3, 17} <= h for h in hits)
    weak, inert = np.mean(ranked, axis=0)
    assert weak < 10 < inert  # the weaker effect ranks near the top even when it misses the line
    assert sum(42 in h for h in hits) <= 1


def test_rank_sensitivity_gives_an_inert_parameter_nothing():
    rng = np.random.default_rng(3)
    X = rng.random((80, 3))
    y = 5 * X[:, 0] - 2 * X[:, 1] + rng.normal(0, 0.3, 80)
    s = analysis.rank_sensitivity(X, y)
    assert s.rho[0] > 0.7 and s.rho[1] < -0.2 and abs(s.rho[2]) < 0.25
    assert s.p_holm[0] < 0.01 and s.p_holm[2] > 0.05
    assert s.srrc is not None and abs(s.srrc[2]) < 0.15 and s.r2 > 0.8


def test_winners_shares_and_undefined_costs():
    m = analysis.MEASURES[3]  # cost per crisis avoided: lower is better, undefined means nothing avoided
    a = np.array([[1.0], [2.0], [np.nan], [np.nan], [5.0]])
    b = np.array([[2.0], [1.0], [3.0], [np.nan], [5.0]])
    X = np.arange(5.0).reshape(5, 1)
    r = analysis.analyse_measure(m, X, a, b)
    assert list(r.winner) == ["A", "B", "B", "undefined", "tie"]
    assert r.count("A") + r.count("B") + r.count("tie") == r.decided == 4
    assert math.isclose(sum(r.share(w) for w in ("A", "B", "tie")), 1.0)


def test_prim_finds_the_box_where_the_event_lives():
    rng = np.random.default_rng(5)
    X = rng.random((200, 4))
    y = (X[:, 1] > 0.7) & (X[:, 2] < 0.5)
    box, trajectory = prim.find_box(X, y)
    assert box is not None and len(trajectory) > 3
    assert set(box.limits) == {1, 2}
    assert box.limits[1][0] == pytest.approx(0.7, abs=0.08) and box.limits[2][1] == pytest.approx(0.5, abs=0.08)
    assert box.density >= 0.8 and box.coverage >= 0.6
    assert all(p < 0.05 for p in box.p_values.values())
    assert prim.find_box(X, np.zeros(200, bool))[0] is None


# ---------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("rob") / "ref"
    assert main([*STUDY, "--workers", "1", "--out", str(out)]) == 0
    return out


def _files(out: Path) -> tuple[bytes, pl.DataFrame, pl.DataFrame]:
    return (
        (out / "robustness.json").read_bytes(),
        pl.read_parquet(out / "sets.parquet"),
        pl.read_parquet(out / "runs.parquet"),
    )


def test_study_writes_what_it_promises(reference):
    data = json.loads((reference / "robustness.json").read_text())
    assert data["labels"] == {"A": "payment_by_results", "B": "hls"}
    assert data["parameters"]["hls"]["regime"] == "hls" and data["parameters"]["payment_by_results"]["steward"] is False
    assert data["hls_sim_version"] and data["seeds"] == [1] and data["rule"]
    assert (
        data["sets"]["n"] == data["sets"]["usable"] == len(data["sets"]["values"]) == 6 and data["screen"]["sets"] == 6
    )
    assert all(set(v) == {u["name"] for u in data["uncertain"]} for v in data["sets"]["values"])
    carried = data["sets"]["parameters"]
    assert len(carried) >= analysis.MIN_CARRY and set(carried) <= {u["name"] for u in data["uncertain"]}
    for u in data["uncertain"]:
        assert u["registry_range"][0] <= u["low"] < u["high"] <= u["registry_range"][1]
    for name, m in data["measures"].items():
        shares = m["share_percent"]
        assert sum(m["wins"].values()) == m["sets_decided"], name
        assert sum(shares.values()) == pytest.approx(100.0), name
        assert len(m["sensitivity"]) == len(carried)
    sets = pl.read_parquet(reference / "sets.parquet")
    assert sets.height == 6 * len(analysis.MEASURES)
    assert {u["name"] for u in data["uncertain"]} <= set(sets.columns)  # every assumption varies in the sets
    for u in data["uncertain"]:
        col = sets[u["name"]]
        assert u["low"] <= col.min() and col.max() <= u["high"], u["name"]
    runs = pl.read_parquet(reference / "runs.parquet")
    assert runs.height == 6 * 2 and set(runs["label"]) == {"payment_by_results", "hls"}
    assert json.loads((reference / "manifest.json").read_text())["status"] == "complete"


def test_results_do_not_depend_on_the_number_of_workers(reference, tmp_path):
    out = tmp_path / "two"
    assert main([*STUDY, "--workers", "2", "--out", str(out)]) == 0
    got, ref = _files(out), _files(reference)
    assert got[0] == ref[0]
    assert got[1].equals(ref[1]) and got[2].equals(ref[2])


def test_stopped_study_resumes_without_losing_or_repeating_a_run(reference, tmp_path, monkeypatch):
    import hls_sim.sweep.executors as executors
    import hls_sim.sweep.store as store

    out = tmp_path / "stopped"
    real_write, real_run = store.SweepStore.write_part, executors.run_one
    written, ran = [], []

    def stop_after_20(self, run_id, rows):
        if len(written) == 20:  # in the sets stage (the screen has 12 runs)
            raise KeyboardInterrupt
        written.append((self.root.name, run_id))
        real_write(self, run_id, rows)

    def counting(task):
        ran.append(task.run_id)
        return real_run(task)

    monkeypatch.setattr(store.SweepStore, "write_part", stop_after_20)
    monkeypatch.setattr(executors, "run_one", counting)
    assert main([*STUDY, "--workers", "1", "--out", str(out)]) == 130
    assert not (out / "robustness.json").exists()
    before = len(ran)
    monkeypatch.setattr(store.SweepStore, "write_part", real_write)
    assert main([*STUDY, "--workers", "1", "--resume", "--out", str(out)]) == 0
    total = 12 + 12
    assert len(ran) - before == total - 20  # only what was not on disk ran again
    assert _files(out)[0] == _files(reference)[0]


def test_identical_arms_tie_everywhere_and_no_assumption_decides(tmp_path):
    text = (Path(__file__).resolve().parent.parent / "scenarios" / "default.toml").read_text()
    for name in ("left", "right"):
        (tmp_path / f"{name}.toml").write_text(text)
    out = tmp_path / "same"
    args = ["robustness", str(tmp_path / "left.toml"), str(tmp_path / "right.toml"), *TINY]
    assert main([*args, "--out", str(out)]) == 0
    data = json.loads((out / "robustness.json").read_text())
    assert data["screen"]["found"] == 0 and all(p["strength"] == 0 for p in data["screen"]["parameters"])
    for m in data["measures"].values():
        assert m["wins"]["tie"] == m["sets_decided"] == 6 - m["sets_undefined"]  # undefined for both alike
        assert all(s["rho"] == 0.0 and s["favours"] is None for s in m["sensitivity"])


def test_report_command_renders_a_robustness_folder(reference, capsys):
    assert main(["report", str(reference), "--no-png"]) == 0
    page = (reference / "report.html").read_text()
    assert "hls-sim robustness: payment_by_results against hls" in page
    assert "fig-deciding_assumptions" in page and "vegaEmbed" in page
    assert (reference / "charts" / "deciding_assumptions.html").is_file()


BAD = [
    (["robustness", "payment_by_result", "hls"], "did you mean 'payment_by_results'?"),
    (["robustness", "hls", "hls"], "both 'hls'"),
    (["robustness", "hls", "alliance", "--samples", "1"], "--samples"),
    (["robustness", "hls", "alliance", "--seeds", "0"], "--seeds"),
    (["robustness", "hls", "alliance", "--screen-sets", "2"], "--screen-sets"),
    (["robustness", "hls", "alliance", "--workers", "0"], "--workers"),
    (["robustness", "hls", "alliance", "--set", "crisis_cost=-5"], "crisis_cost"),
    (["robustness", "plymouth_before", "plymouth_alliance", "--scenario", "default"], "--scenario"),
    (["robustness", "hls", "alliance", "--weeks", "52"], "burn_in_weeks"),
]


@pytest.mark.parametrize(("args", "said"), BAD)
def test_bad_input_is_exit_2_with_nothing_written(args, said, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("ranges", "said"),
    [
        ("[parameters.not_a_parameter]\nrange = [0, 1]\n", "parameters.not_a_parameter"),
        ("[parameters.crisis_threshold]\nrange = [0.6, 0.9]\n", "not documented as an assumption"),
        ("[parameters.crisis_cost]\nrange = [3000, 1000]\n", "parameters.crisis_cost.range"),
        ("[parameters.crisis_cost]\nrange = [10, 1e9]\n", "allowed is a number from 0 to 100,000"),
        ("[parameters.audit_cost]\nrange = [10, 20]\nwhy = 3\n", "parameters.audit_cost.why"),
        ("[parameters.outcome_threshold]\nrange = [0.2, 0.5]\n", "held fixed in this study"),
        ("crisis_cost = 5\n", "allowed are parameters"),
    ],
)
def test_bad_ranges_file_names_file_key_and_what_is_allowed(ranges, said, tmp_path, capsys):
    path = tmp_path / "ranges.toml"
    path.write_text(ranges)
    out = tmp_path / "out"
    assert main(["robustness", "payment_by_results", "hls", "--ranges", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


def test_a_ranges_file_replaces_the_stated_range():
    from hls_sim.robustness.uncertain import RangeSpec

    varied, _ = uncertain_parameters(
        ARMS, ranges={"crisis_cost": RangeSpec(800.0, 5000.0, "local data", "ranges file")}
    )
    got = {u.name: u for u in varied}["crisis_cost"]
    assert (got.lo, got.hi, got.scale, got.origin) == (800.0, 5000.0, "uniform", "ranges file")


def test_outputs_are_never_clobbered(reference, tmp_path, capsys):
    assert main([*STUDY, "--out", str(reference)]) == 2  # a finished study: --overwrite or --resume
    assert "--overwrite" in capsys.readouterr().err
    compare = tmp_path / "cmp"
    compare.mkdir()
    (compare / "notes.txt").write_text("mine")
    assert main([*STUDY, "--out", str(compare)]) == 2
    assert (compare / "notes.txt").read_text() == "mine"
    assert main([*STUDY, "--resume", "--out", str(tmp_path / "none")]) == 2


def test_overwrite_replaces_a_study_whole(reference, tmp_path):
    import shutil

    out = tmp_path / "again"
    shutil.copytree(reference, out)
    before = (out / "robustness.json").read_bytes()
    assert main([*STUDY, "--seed", "2", "--overwrite", "--out", str(out)]) == 0
    after = json.loads((out / "robustness.json").read_text())
    assert after["seed"] == 2 and (out / "robustness.json").read_bytes() != before


def test_default_samples_follow_the_number_of_parameters_carried():
    assert study_mod.default_samples(2) == study_mod.MIN_SAMPLES
    assert study_mod.default_samples(12) == 10 * 12


# ---------------------------------------------------------------------------- the validation report


def test_summary_lists_each_conclusion_with_its_share_and_deciders(reference):
    from hls_sim.robustness import summary

    data = summary.read(reference)
    rows = summary.conclusions(data)
    assert [r["measure"] for r in rows] == list(analysis.MEASURE_NAMES)
    for r, m in zip(rows, data["measures"].values(), strict=True):
        assert r["wins"] == max(m["wins"].values()) and r["sets"] == m["sets_decided"]
    page = summary.conclusions_html([data], [reference])
    assert "Robustness of the main conclusions" in page and "campbell_gap" in page
    assert "hls-sim robustness" in summary.conclusions_html([])  # how to make one, when none is given
    assert summary.conclusions_text([data]).count("\n") == len(rows) - 1


def test_validation_report_carries_the_section():
    from hls_sim.validation.report import render

    page = render([], None, quick=True, seconds=0.0, robustness="<h2 id='robustness'>Robustness</h2>")
    assert "<h2 id='robustness'>Robustness</h2>" in page


def test_validate_refuses_a_folder_that_is_no_robustness_study_before_running(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--quick", "--robustness", str(tmp_path), "--out", str(out)]) == 2
    assert "robustness.json" in capsys.readouterr().err and not out.exists()


def test_regimes_run_on_the_place_given_with_scenario():
    from hls_sim.cli import build_parser
    from hls_sim.commands.robustness import build_study
    from hls_sim.scenarios import scenario_overrides

    args = build_parser().parse_args(["robustness", "payment_by_results", "hls", "--scenario", "plymouth_before"])
    study = build_study(args)
    place = {k: v for k, v in scenario_overrides("plymouth_before").items() if k not in ("seed", "regime")}
    for label in ("payment_by_results", "hls"):
        assert study.arms[label]["regime"] == label
        assert {k: study.arms[label][k] for k in place} == place
    assert "plymouth_before" in study.notes["hls"]["scenario"]
    held = {h.name for h in study.held}
    assert set(place) & {p.name for p in PARAMS.values() if is_assumption(p)} <= held  # the place's own values stay


def test_resume_with_other_inputs_is_refused(reference, tmp_path, capsys):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    assert main([*STUDY, "--seed", "5", "--resume", "--out", str(out)]) == 2
    assert "other inputs" in capsys.readouterr().err
    assert _files(out)[0] == _files(reference)[0]


def test_full_disk_at_the_end_is_one_line_and_resume_finishes(reference, tmp_path, monkeypatch, capsys):
    import hls_sim.atomic as atomic

    real = atomic.atomic_write_parquet

    def full(path, df):
        if Path(path).name == "sets.parquet":
            raise OSError(28, "No space left on device")
        real(path, df)

    out = tmp_path / "full"
    monkeypatch.setattr(atomic, "atomic_write_parquet", full)
    assert main([*STUDY, "--workers", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "--resume" in err and "Traceback" not in err
    assert not (out / "robustness.json").exists() and not list(out.glob(".*.tmp"))
    monkeypatch.setattr(atomic, "atomic_write_parquet", real)
    assert main([*STUDY, "--workers", "1", "--resume", "--out", str(out)]) == 0
    assert _files(out)[0] == _files(reference)[0]
