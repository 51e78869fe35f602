"""Invariants under random lever settings: bounds, no NaN, people and money conserved."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hls_sim.layout import ACTIVE, COMMUNITY, IN_SERVICE, WAITING
from hls_sim.model import HLSModel
from hls_sim.params import PARAMS

lever_values = st.fixed_dictionaries(
    {
        "regime": st.sampled_from(PARAMS["regime"].choices),
        "incentive_strength": st.floats(0.0, 1.0),
        "audit_rate": st.floats(0.0, 0.5),
        "worker_discretion": st.floats(0.0, 1.0),
        "caseload_cap": st.integers(1, 40),
        "eligibility_threshold": st.floats(0.0, 1.0),
        "retender_weeks": st.sampled_from([0, 13, 26]),
        "n_providers": st.integers(1, 9),
        "price_by_difficulty": st.booleans(),
        "wait_target_weeks": st.integers(0, 8),
        "ratchet": st.booleans(),
        "learning_cycle_weeks": st.sampled_from([0, 4, 13]),
        "switch_week": st.sampled_from([0, 10, 20]),
        "payment_basis": st.sampled_from(["block", "activity", "outcome", "pooled"]),
        "outcome_target": st.sampled_from([0.0, 0.05, 0.3]),
        "baseline_weeks": st.sampled_from([0, 8, 20]),
        "policy_adapt_rate": st.floats(0.0, 1.0),
        "provider_culture_spread": st.floats(0.0, 2.0),
        "initial_reserves_weeks": st.floats(0.0, 26.0),
    }
)


def check_state(m: HLSModel) -> None:
    c, w = m.cit, m.wk
    for key in ("need", "strength", "trust", "efficacy", "bond"):
        arr = c[key]
        assert np.isfinite(arr).all(), key
        assert arr.min() >= 0.0 and arr.max() <= 1.0 + 1e-12, key
    assert c["status"].shape[0] == m.n  # nobody created or lost
    assert set(np.unique(c["status"])) <= {COMMUNITY, WAITING, IN_SERVICE}  # everyone in exactly one place
    assert (c["worker"][c["status"] != IN_SERVICE] < 0).all()  # only people in service are on a caseload
    serving = c["status"] == IN_SERVICE
    assert (c["worker"][serving] >= 0).all() and (c["provider"][serving] >= 0).all()
    assert (c["provider"][c["status"] == WAITING] >= 0).all()
    counts = np.bincount(c["worker"][serving], minlength=w["status"].shape[0])
    np.testing.assert_array_equal(counts, w["caseload"])  # every case is on exactly one caseload
    assert (w["status"][counts > 0] == ACTIVE).all()
    for key in ("morale", "motivation", "burnout"):
        assert np.isfinite(w[key]).all() and w[key].min() >= 0.0 and w[key].max() <= 1.0 + 1e-12
    for arr in (m.pol, m.refuse, m.stk, m.ptrust, m.ctrust, m.knowledge, m.attract):
        assert np.isfinite(arr).all() and arr.min() >= 0.0 and arr.max() <= 1.0 + 1e-12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=lever_values, seed=st.integers(0, 10_000))
def test_invariants_hold_every_week(levers, seed):
    m = HLSModel(seed=seed, citizens=150, weeks=40, burn_in_weeks=5, review_weeks=5, **levers)
    for _ in range(40):
        m.step()
        check_state(m)
    led = m.ledger
    assert math.isclose(led.paid, led.received.sum(), rel_tol=1e-12, abs_tol=1e-6)  # money paid == money received
    assert math.isclose(led.penalties_received, led.penalties_paid.sum(), rel_tol=1e-12, abs_tol=1e-6)
    # what providers hold is what they brought, received and did not spend (plus debts written off at a failure)
    held = led.brought_in + led.received.sum() - led.spent.sum() - led.penalties_paid.sum() + led.written_off
    assert math.isclose(led.reserves.sum(), held, rel_tol=1e-9, abs_tol=1e-3)
    summary = m.recorder.summary(m)
    for key, value in summary.items():
        if isinstance(value, float) and key != "cost_per_true_outcome":
            assert math.isfinite(value), key
    for key in ("true_outcome", "reported_outcome", "wellbeing_mean"):
        assert 0.0 <= summary[key] <= 1.0
    ts = m.recorder.timeseries(m)
    numeric = ts.drop("regime").to_numpy()
    assert np.isfinite(numeric).all()
    assert (ts["community"] + ts["waiting"] + ts["in_service"] == m.n).all()


def _paid_each_week(m: HLSModel) -> np.ndarray:
    m.run()
    return m.recorder.timeseries(m)["cost_payments"].to_numpy()


@pytest.mark.parametrize("regime", ["block_grant", "alliance", "hls"])
def test_fixed_budgets_pay_exactly_the_budget_every_week(regime):
    """Checked against the contract's size, not the Ledger's own fields: a block or pooled contract
    pays its weekly value every week, nothing more or less, and the weekly series adds up to what
    the Ledger says was paid and the summary says providers received."""
    m = HLSModel(seed=3, regime=regime, citizens=600, weeks=156)
    budget = float(m.contract_week.sum())
    paid = _paid_each_week(m)
    np.testing.assert_allclose(paid, budget, rtol=1e-12)
    assert math.isclose(paid.sum(), m.ledger.paid, rel_tol=1e-12)
    assert math.isclose(m.ledger.received.sum(), m.ledger.paid, rel_tol=1e-12)


def test_payment_by_results_pays_between_its_fixed_part_and_its_cap():
    """After the baseline a provider is paid the share not at risk, plus what it earns by results up to
    the cap: the weekly total lies between the fixed part and the fixed part plus a year's cap."""
    m = HLSModel(seed=3, regime="payment_by_results", citizens=600, weeks=260)
    p = m.p
    budget = float(m.contract_week.sum())
    at_risk = p["incentive_strength"] * p["outcome_payment_share"]
    paid = _paid_each_week(m)
    base = int(p["baseline_weeks"])
    np.testing.assert_allclose(paid[:base], budget, rtol=1e-12)  # the baseline pays the whole contract
    after = paid[base:]
    assert (after >= budget * (1.0 - at_risk) * (1 - 1e-12)).all()
    assert (after > budget * (1.0 - at_risk) * 1.001).any()  # results are paid as well
    years = math.ceil(after.size / 52)
    cap = p["payment_cap"] * at_risk * budget * 52.0
    assert after.sum() <= budget * (1.0 - at_risk) * after.size + cap * years
    assert math.isclose(paid.sum(), m.ledger.paid, rel_tol=1e-12)
