"""`hls-sim explain A B` and `compare --common-operations`: lever groups, exact Shapley values, the engine.

Small populations and short runs: what is checked is the bookkeeping (every difference in one
group, shares that add up, negate and vanish where they must, one engine with its resume and
worker-independence), not what the model says about regimes.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hls_sim.runner
from hls_sim import explain, levergroups
from hls_sim.cli import main
from hls_sim.params import PARAMS, resolve
from hls_sim.regimes import REGIMES
from hls_sim.scenarios import load_scenario, named_scenarios
from hls_sim.shapley import shapley
from hls_sim.sweep import store as store_mod

SMALL = ["--citizens", "150", "--weeks", "20", "--set", "burn_in_weeks=4", "--set", "warmup_weeks=10"]
COMMON = {"citizens": 150, "weeks": 20, "burn_in_weeks": 4, "warmup_weeks": 10}


@pytest.fixture(autouse=True)
def _no_report(monkeypatch):
    monkeypatch.setenv("HLS_SIM_NO_REPORT", "1")


@pytest.fixture
def no_simulating(monkeypatch):
    """Any run of the model fails the test. The names of the outputs come from a tiny probe run
    (hls_sim.sweep.outputs), which is how --measure is checked; it is made before the guard."""
    from hls_sim.sweep.outputs import available, undefined_in_probe

    available(), undefined_in_probe()

    def refuse(*a, **k):
        raise AssertionError("simulated before the input was checked")

    monkeypatch.setattr(hls_sim.runner, "run", refuse)


def _explain(tmp_path: Path, name: str, *args: str) -> dict:
    out = tmp_path / name
    code = main(["explain", *args, *SMALL, "--out", str(out)])
    assert code == 0
    return json.loads((out / explain.EXPLAIN_JSON).read_text())


# ---------------------------------------------------------------------------- the group map


def test_every_registry_parameter_is_in_exactly_one_group():
    assert levergroups.problems() == []


def _set_by_regimes_and_scenarios() -> dict[str, str]:
    """Every parameter a shipped regime bundle or scenario sets, with who sets it."""
    found = {k: f"regime {name}" for name, bundle in REGIMES.items() for k in bundle}
    for name in named_scenarios():
        sc = load_scenario(name)
        for k in sc.overrides:
            found.setdefault(k, f"scenario {name}")
    return found


def test_every_parameter_a_regime_or_scenario_sets_has_a_group():
    """When a new lever appears in a regime or a scenario, this says which line to add to levergroups.py."""
    missing = []
    for name, where in sorted(_set_by_regimes_and_scenarios().items()):
        if name == "seed":
            continue
        placed = levergroups.placement(name)
        explicit = levergroups._explicit(name)
        # levers and provider settings are policy: they must be placed by name, not by a registry fallback
        needs_name = PARAMS[name].group in ("levers", "providers", "costs", "run")
        if len(placed) != 1 or (needs_name and len(explicit) != 1):
            missing.append(f"{name} (set by {where}; registry group {PARAMS[name].group}): {placed or 'no group'}")
    assert not missing, f"add these to one group's names in {levergroups.GROUP_FILE}: " + "; ".join(missing)


def test_the_brief_s_groups_hold_the_levers_the_issue_names():
    g = levergroups.group_of
    assert g("indicators_per_case") == g("eligibility_threshold") == g("max_episode_weeks") == "operations"
    assert g("n_providers") == g("service_lines_housing") == "structure"
    assert g("steward") == g("learning_cycle_weeks") == "learning"
    assert g("payment_basis") == "payment" and g("retender_weeks") == "competition"
    assert g("worker_discretion") == "discretion" and g("provider_kpis") == "targets"


def test_docs_list_each_group_with_its_named_parameters():
    """docs/explain.md's table of groups says what levergroups.py holds."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "explain.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0].strip("`") in levergroups.BY_ID:
            rows[cells[0].strip("`")] = cells[2]
    assert set(rows) == set(levergroups.BY_ID)
    for g in levergroups.GROUPS:
        named = rows[g.id] if g.names else ""
        listed = [w.strip() for w in named.split(" and every")[0].split(",")]
        assert [w for w in listed if w] == list(g.names), g.id
        for registry_group in g.registry_groups:
            assert f"registry's `{registry_group}` group" in rows[g.id], g.id


def test_a_parameter_without_a_group_is_a_clear_error():
    with pytest.raises(levergroups.UnknownGroupError, match="'brand_new_lever' belongs to no lever group"):
        levergroups.group_of("brand_new_lever")


def test_a_differing_parameter_without_a_group_stops_explain_before_any_run(
    tmp_path, capsys, monkeypatch, no_simulating
):
    stripped = tuple(
        levergroups.LeverGroup(g.id, g.title, g.why, tuple(n for n in g.names if n != "steward"), g.registry_groups)
        for g in levergroups.GROUPS
    )
    monkeypatch.setattr(levergroups, "GROUPS", stripped)
    code = main(["explain", "alliance", "hls", *SMALL, "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "'steward' belongs to no lever group" in err and "levergroups.py" in err
    assert "Traceback" not in err and not (tmp_path / "x").exists()


def test_the_regime_name_alone_changes_nothing_without_a_switch():
    """Why `regime` may be inert (levergroups.INERT_UNLESS): its bundle is already in the resolved levers."""
    params = resolve({**COMMON, "regime": "hls"})
    params.pop("seed")
    as_hls = hls_sim.runner.run(seed=3, **params).summary
    as_block = hls_sim.runner.run(seed=3, **{**params, "regime": "block_grant"}).summary
    differ = [
        k
        for k in as_hls
        if k != "final_regime" and json.dumps(as_hls[k], default=str) != json.dumps(as_block[k], default=str)
    ]
    assert differ == []


# ---------------------------------------------------------------------------- Shapley values


def _brute_force(v: np.ndarray) -> np.ndarray:
    """The definition: each player's marginal value averaged over every order of joining."""
    k = int(math.log2(len(v)))
    out = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        mask = 0
        for i in order:
            out[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return out / len(orders)


values = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.lists(values, min_size=1 << k, max_size=1 << k)))
def test_shapley_matches_the_definition_and_adds_up(v):
    v = np.array(v)
    phi = shapley(v)
    assert np.allclose(phi, _brute_force(v), atol=1e-9)
    assert math.isclose(phi.sum(), v[-1] - v[0], rel_tol=1e-12, abs_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.lists(values, min_size=1 << k, max_size=1 << k)))
def test_shapley_of_the_reversed_game_is_negated(v):
    """Swapping A and B: coalition S of (B, A) is the complement of S in (A, B)."""
    v = np.array(v)
    n = len(v)
    reversed_game = np.array([v[(n - 1) ^ m] for m in range(n)])
    assert np.allclose(shapley(reversed_game), -shapley(v), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3).flatmap(lambda k: st.lists(values, min_size=1 << k, max_size=1 << k)))
def test_a_player_that_changes_nothing_gets_exactly_zero(v):
    """A dummy player (v(S + i) == v(S) bit for bit) gets exactly 0, not a rounding residue."""
    v = np.array(v)
    k = int(math.log2(len(v)))
    with_dummy = np.array([v[m & ((1 << k) - 1)] for m in range(1 << (k + 1))])  # player k does nothing
    phi = shapley(with_dummy)
    assert phi[k] == 0.0
    if k:
        assert np.allclose(phi[:k], shapley(v), atol=1e-9)


def test_shapley_per_seed_columns_and_nan():
    v = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 1.0], [4.0, 2.0]])
    phi = shapley(v)
    assert phi.shape == (2, 2)
    assert math.isclose(phi[:, 0].sum(), 4.0) and np.isnan(phi[:, 1]).all()


# ---------------------------------------------------------------------------- explain, end to end


@pytest.fixture(scope="module")
def alliance_hls(tmp_path_factory):
    """alliance -> hls differ in three groups (operations, discretion, learning): 8 coalitions."""
    mp = pytest.MonkeyPatch()
    mp.setenv("HLS_SIM_NO_REPORT", "1")
    try:
        tmp = tmp_path_factory.mktemp("explain")
        out = tmp / "ab"
        assert main(["explain", "alliance", "hls", "--seeds", "3", "--workers", "1", *SMALL, "--out", str(out)]) == 0
        return out, json.loads((out / explain.EXPLAIN_JSON).read_text())
    finally:
        mp.undo()


def test_contributions_add_up_to_the_total_on_every_measure_and_seed(alliance_hls):
    _, doc = alliance_hls
    assert doc["differing_groups"] == ["operations", "discretion", "learning"]
    assert doc["coalitions"] == 8 and doc["runs"] == 24 and doc["seeds"] == [1, 2, 3]
    for m in explain.MEASURES:
        r = doc["measures"][m]
        if r["total"] is None:
            continue
        assert math.isclose(sum(r["groups"].values()), r["total"], rel_tol=1e-9, abs_tol=1e-12), m
        assert math.isclose(r["b"] - r["a"], r["total"], rel_tol=1e-9, abs_tol=1e-12), m
        for j, total in enumerate(r["per_seed"]["total"]):
            parts = sum(v[j] for v in r["per_seed"]["groups"].values())
            assert math.isclose(parts, total, rel_tol=1e-9, abs_tol=1e-12), m
        for g, (lo, hi) in ((g, iv) for g, iv in r["intervals"].items() if iv):
            assert lo <= r["groups"][g] <= hi


def test_groups_that_do_not_differ_get_exactly_zero(alliance_hls):
    _, doc = alliance_hls
    for m, r in doc["measures"].items():
        for g in levergroups.BY_ID:
            if g not in doc["differing_groups"]:
                assert r["groups"][g] == 0.0 and r["intervals"][g] == [0.0, 0.0], (m, g)
    assert doc["groups"]["operations"]["differing"] == {
        "eligibility_threshold": [0.4, 0.2],
        "max_episode_weeks": [39, 52],
        "indicators_per_case": [2.0, 1.0],
    }
    assert "indicator_hours" in doc["groups"]["operations"]["parameters"]


def test_the_corners_are_a_and_b_run_on_their_own(alliance_hls):
    """The total is B - A as plain runs of A and B give it (same seeds, same people)."""
    _, doc = alliance_hls
    for side, regime in (("a", "alliance"), ("b", "hls")):
        runs = [hls_sim.runner.run(seed=s, **{**COMMON, "regime": regime}).summary for s in doc["seeds"]]
        for m in ("impact_wellbeing", "total_cost_per_year", "crisis_events_per_1000_per_year"):
            assert math.isclose(doc["measures"][m][side], float(np.mean([r[m] for r in runs])), rel_tol=1e-12), m
    assert doc["parameters"]["a"]["regime"] == "alliance" and doc["parameters"]["b"]["eligibility_threshold"] == 0.2
    assert doc["hls_sim_version"] == hls_sim.__version__


def test_swapping_a_and_b_negates_every_contribution(alliance_hls, tmp_path):
    _, doc = alliance_hls
    swapped = _explain(tmp_path, "ba", "hls", "alliance", "--seeds", "3", "--workers", "1")
    for m, r in doc["measures"].items():
        s = swapped["measures"][m]
        if r["total"] is None:
            continue
        assert math.isclose(s["total"], -r["total"], rel_tol=1e-9, abs_tol=1e-12)
        for g, c in r["groups"].items():
            assert math.isclose(s["groups"][g], -c, rel_tol=1e-9, abs_tol=1e-12), (m, g)


def test_results_do_not_depend_on_the_number_of_workers(alliance_hls, tmp_path):
    _, doc = alliance_hls
    two = _explain(tmp_path, "w2", "alliance", "hls", "--seeds", "3", "--workers", "2")
    assert two == doc


def test_explaining_a_setting_against_itself_gives_zeros(tmp_path, capsys):
    doc = _explain(tmp_path, "aa", "hls", "hls", "--seeds", "2", "--workers", "1")
    assert doc["differing_groups"] == [] and doc["coalitions"] == 1 and doc["runs"] == 2
    for r in doc["measures"].values():
        if r["total"] is not None:
            assert r["total"] == 0.0 and set(r["groups"].values()) == {0.0}
    assert "0 lever groups differ" in capsys.readouterr().out


def test_an_interrupted_explain_resumes_to_the_same_result(alliance_hls, tmp_path, monkeypatch, capsys):
    _, doc = alliance_hls
    args = ["explain", "alliance", "hls", "--seeds", "3", "--workers", "1", *SMALL]
    out = tmp_path / "stopped"
    real = store_mod.SweepStore.write_part
    count = {"n": 0}

    def stop_after_five(self, run_id, rows):
        if count["n"] == 5:
            raise KeyboardInterrupt
        count["n"] += 1
        real(self, run_id, rows)

    monkeypatch.setattr(store_mod.SweepStore, "write_part", stop_after_five)
    assert main([*args, "--out", str(out)]) == 130
    monkeypatch.setattr(store_mod.SweepStore, "write_part", real)
    err = capsys.readouterr().err
    assert "continue with: hls-sim explain alliance hls --seeds 3" in err and f"--resume --out {out}" in err
    assert not (out / explain.EXPLAIN_JSON).exists()
    assert main([*args, "--out", str(out)]) == 2  # not silently restarted
    assert "--resume to finish it" in capsys.readouterr().err
    ran = []
    real_run = hls_sim.runner.run

    def counting(*a, **k):
        ran.append(k.get("seed"))
        return real_run(*a, **k)

    monkeypatch.setattr(hls_sim.runner, "run", counting)
    assert main([*args, "--out", str(out), "--resume"]) == 0
    assert len(ran) == 24 - 5  # only what was missing
    assert json.loads((out / explain.EXPLAIN_JSON).read_text()) == doc


def test_an_existing_explain_needs_overwrite(alliance_hls, tmp_path, capsys):
    out, doc = alliance_hls
    args = ["explain", "alliance", "hls", "--seeds", "3", "--workers", "1", *SMALL, "--out", str(out)]
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert json.loads((out / explain.EXPLAIN_JSON).read_text()) == doc


def test_the_console_shows_a_table_per_measure(tmp_path, capsys):
    main(["explain", "alliance", "hls", "--seeds", "2", "--workers", "1", *SMALL, "--out", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert "3 lever groups differ (operations, discretion, learning) -> 8 coalitions x 2 seeds = 16 runs" in out
    for words in ("impact: wellbeing against no services", "total cost", "alliance (A)", "hls (B)", "= total B - A"):
        assert words in out
    assert "+ learning and steward" in out and "No parameter differs in: payment" in out


def test_measure_option_decomposes_any_scalar_output(tmp_path):
    doc = _explain(tmp_path, "m", "alliance", "hls", "--seeds", "1", "--workers", "1", "--measure", "morale_mean")
    assert list(doc["measures"]) == ["morale_mean"]
    r = doc["measures"]["morale_mean"]
    assert math.isclose(sum(r["groups"].values()), r["total"], rel_tol=1e-9, abs_tol=1e-12)
    assert r["intervals"]["operations"] is None  # one seed gives no interval


def test_scenarios_are_explained_too(tmp_path):
    doc = _explain(tmp_path, "s", "plymouth_before", "plymouth_alliance", "--seeds", "1", "--workers", "1")
    assert doc["a"]["kind"] == doc["b"]["kind"] == "scenario"
    assert doc["differing_groups"] and "run" not in doc["differing_groups"]
    for name in (n for g in doc["differing_groups"] for n in doc["groups"][g]["differing"]):
        assert levergroups.group_of(name) in doc["differing_groups"]


# ---------------------------------------------------------------------------- bad input


def _scenario(tmp_path: Path, name: str, weeks: int) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'description = "test"\n[run]\nweeks = {weeks}\n')
    return str(path)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["no_such_regime", "hls"], "'no_such_regime' is neither a regime nor a named scenario"),
        (["payment_by_result", "hls"], "did you mean 'payment_by_results'?"),
        (["alliance", "hls", "--measure", "no_such_output"], "--measure 'no_such_output' is not a scalar output"),
        (["alliance", "hls", "--workers", "0"], "--workers must be at least 1"),
        (["alliance", "hls", "--seeds", "0"], "allowed is an integer from 1"),
        (["alliance", "hls", "--set", "steward=maybe"], "invalid value 'maybe' for 'steward'"),
    ],
)
def test_bad_input_is_exit_2_before_any_run(tmp_path, capsys, no_simulating, args, needle):
    code = main(["explain", *args, *SMALL, "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_run_settings_must_match(tmp_path, capsys, no_simulating):
    a, b = _scenario(tmp_path, "short", 60), _scenario(tmp_path, "long", 80)
    code = main(["explain", a, b, "--citizens", "150", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "differ in 'weeks' (60 and 80)" in err and "--weeks" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("out", ["", "/proc/hls-sim-x", "afile"])
def test_bad_out_is_exit_2_before_any_run(tmp_path, capsys, no_simulating, out):
    (tmp_path / "afile").write_text("x")
    out = str(tmp_path / out) if out == "afile" else out
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["explain", "alliance", "hls", *SMALL, "--out", out])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# ---------------------------------------------------------------------------- report and chart


def test_report_of_an_explain_folder_has_the_waterfall(alliance_hls, tmp_path, capsys):
    import shutil

    src, doc = alliance_hls
    folder = tmp_path / "copy"
    shutil.copytree(src, folder)
    assert main(["report", str(folder), "--no-png"]) == 0
    page = (folder / "report.html").read_text()
    assert "What differs, by lever group" in page and "fig-explain_waterfall" in page
    assert "eligibility_threshold" in page and "learning and steward" in page
    assert (folder / "charts" / "explain_waterfall.html").is_file()


def test_the_waterfall_steps_add_up_from_a_to_b(alliance_hls):
    from hls_sim.charts import waterfall_frame

    _, doc = alliance_hls
    frame = waterfall_frame(doc)
    for panel in frame["panel"].unique().to_list():
        sub = frame.filter(frame["panel"] == panel).sort("order")
        steps = sub.filter(sub["kind"] != "level")
        assert steps["start"][0] == sub["end"][0]  # the first step starts at A
        assert math.isclose(steps["end"][-1], sub["start"][-1], rel_tol=1e-9, abs_tol=1e-12)  # the last ends at B


def test_report_of_an_unfinished_explain_is_refused(tmp_path, capsys):
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": "hls_sim.explain/1", "kind": "explain"}))
    assert main(["report", str(folder)]) == 2
    assert "has not finished" in capsys.readouterr().err


# ---------------------------------------------------------------------------- compare --common-operations


def test_compare_common_operations_imposes_and_records_the_first_label_s(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", "--seeds", "1", "--workers", "1", "--no-campbell", "--common-operations", *SMALL]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "common operations from 'block_grant'" in printed and "hls: eligibility_threshold 0.2 -> 0.5" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    info = manifest["common_operations"]
    assert info["from"] == "block_grant" and info["group"] == "operations"
    assert info["replaced"]["hls"]["max_episode_weeks"] == [52, 26]
    block = manifest["labels"]["block_grant"]
    for label, params in manifest["labels"].items():
        for name in levergroups.members("operations"):
            assert params[name] == block[name] == info["values"][name], (label, name)
    assert manifest["labels"]["hls"]["steward"] is True  # everything else is still the regime's own
