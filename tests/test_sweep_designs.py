"""Designs: the points each sampler produces, their ranges, stratification and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hls_sim.params import PARAMS, resolve
from hls_sim.sweep import parse_experiment
from hls_sim.sweep.designs import build_design, path_levers

HEAD = """
seed = {seed}
[base]
citizens = 200
weeks = 20
burn_in_weeks = 5
[outputs]
summary = ["campbell_gap"]
"""


def exp(design: str, vary: str, seed: int = 1):
    return parse_experiment(HEAD.format(seed=seed) + design + vary, source="e.toml")


def test_grid_is_the_full_product_in_order():
    e = exp(
        '[design]\ntype = "grid"\n',
        '[vary.regime]\nvalues = ["hls", "alliance"]\n[vary.caseload_cap]\nlo = 10\nhi = 30\nlevels = 3\n',
    )
    pts = build_design(e).points
    assert [(p.coords["regime"], p.coords["caseload_cap"]) for p in pts] == [
        ("hls", 10),
        ("hls", 20),
        ("hls", 30),
        ("alliance", 10),
        ("alliance", 20),
        ("alliance", 30),
    ]
    assert [p.index for p in pts] == list(range(6))


@settings(max_examples=25, deadline=None)
@given(lo=st.floats(0.0, 0.9), width=st.floats(0.01, 0.1), n=st.integers(2, 40), seed=st.integers(0, 2**32))
def test_lhs_stratifies_every_factor(lo, width, n, seed):
    hi = min(1.0, lo + width)
    e = exp(f'[design]\ntype = "lhs"\nsamples = {n}\n', f"[vary.audit_rate]\nlo = {lo!r}\nhi = {hi!r}\n", seed)
    d = build_design(e)
    x = np.array([p.coords["audit_rate"] for p in d.points])
    assert len(x) == n and np.all((x >= lo) & (x <= hi))
    bins = np.minimum(((x - lo) / (hi - lo) * n).astype(int), n - 1)
    assert sorted(bins.tolist()) == list(range(n))  # one sample per stratum


def test_lhs_integer_and_categorical_factors_stay_allowed():
    e = exp(
        '[design]\ntype = "lhs"\nsamples = 50\n',
        '[vary.caseload_cap]\nlo = 5\nhi = 9\n[vary.payment_basis]\nvalues = ["block", "outcome"]\n',
    )
    pts = build_design(e).points
    caps = {p.coords["caseload_cap"] for p in pts}
    assert caps == {5, 6, 7, 8, 9} and all(isinstance(c, int) for c in caps)
    assert {p.coords["payment_basis"] for p in pts} == {"block", "outcome"}


def test_designs_are_reproducible_from_the_master_seed():
    design = '[design]\ntype = "sobol"\nsamples = 16\n'
    vary = "[vary.audit_rate]\nlo = 0.0\nhi = 0.2\n[vary.crowding_out]\nlo = 0.0\nhi = 1.0\n"
    a = [p.coords for p in build_design(exp(design, vary, 5)).points]
    b = [p.coords for p in build_design(exp(design, vary, 5)).points]
    c = [p.coords for p in build_design(exp(design, vary, 6)).points]
    assert a == b and a != c and len(a) == 16


def test_morris_has_r_trajectories_of_d_plus_one_points_on_the_grid():
    e = exp(
        '[design]\ntype = "morris"\ntrajectories = 5\nlevels = 4\n',
        "[vary.crowding_out]\nlo = 0.0\nhi = 0.9\n[vary.caseload_cap]\nlo = 10\nhi = 40\n",
    )
    d = build_design(e)
    assert len(d.points) == 5 * 3 and d.matrix.shape == (15, 2)
    assert {p.coords["caseload_cap"] for p in d.points} <= {10, 20, 30, 40}
    levels = {round(p.coords["crowding_out"], 9) for p in d.points}
    assert levels <= {0.0, 0.3, 0.6, 0.9}


def test_salib_sobol_costs_n_times_d_plus_2():
    e = exp(
        '[design]\ntype = "salib_sobol"\nsamples = 8\n',
        "[vary.audit_rate]\nlo = 0.0\nhi = 0.2\n[vary.crowding_out]\nlo = 0.0\nhi = 1.0\n",
    )
    assert len(build_design(e).points) == 8 * (2 + 2)


def test_path_starts_and_ends_at_the_two_regimes():
    e = exp('[design]\ntype = "path"\nfrom = "payment_by_results"\nto = "hls"\nsteps = 5\n', "")
    d = build_design(e)
    a, b = resolve({"regime": "payment_by_results"}), resolve({"regime": "hls"})
    first, last = d.points[0].overrides, d.points[-1].overrides
    for k in path_levers(e):
        assert first[k] == a[k] and last[k] == b[k]
    mid = d.points[2].overrides
    for k in path_levers(e):
        if PARAMS[k].kind is float:
            assert mid[k] == pytest.approx((a[k] + b[k]) / 2)
    assert [p.coords["path_t"] for p in d.points] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_path_switch_points_and_base_levers():
    text = HEAD.format(seed=1).replace("weeks = 20", "weeks = 20\nworker_discretion = 0.5")
    text += '[design]\ntype = "path"\nfrom = "payment_by_results"\nto = "hls"\nsteps = 11\n[design.switch_at]\nsteward = 0.8\n'
    e = parse_experiment(text, source="e.toml")
    d = build_design(e)
    assert "worker_discretion" not in path_levers(e)  # fixed by [base]
    steward = [p.overrides["steward"] for p in d.points]
    assert steward == [False] * 8 + [True] * 3


def test_path_switches_levers_that_zero_turns_off_instead_of_passing_through_tiny_intervals():
    # payment_by_results re-tenders every 156 weeks and hls never (0): no point may re-tender every few weeks
    e = exp('[design]\ntype = "path"\nfrom = "payment_by_results"\nto = "hls"\nsteps = 11\n', "")
    d = build_design(e)
    a, b = resolve({"regime": "payment_by_results"}), resolve({"regime": "hls"})
    for lever in ("retender_weeks", "learning_cycle_weeks"):
        seen = [p.overrides[lever] for p in d.points]
        assert set(seen) == {a[lever], b[lever]}, (lever, seen)
        assert seen == [a[lever]] * 5 + [b[lever]] * 6
