"""A regime switch: which levers the new regime brings, which a place keeps, and what a run records."""

from __future__ import annotations

import pytest

import hls_sim
from hls_sim.model import HLSModel
from hls_sim.regimes import regime_levers

SMALL = dict(citizens=200, weeks=30, burn_in_weeks=5, switch_week=10, switch_regime="hls")


def _after_switch(**overrides):
    model = HLSModel(seed=4, **{**SMALL, **overrides})
    for _ in range(SMALL["switch_week"] + 1):
        model.step()
    return model


def test_the_new_bundle_replaces_its_levers_by_default():
    model = _after_switch(regime="block_grant", eligibility_threshold=0.0, audit_rate=0.1)
    hls = regime_levers("hls")
    assert model.active_regime == "hls"
    assert model.p["eligibility_threshold"] == hls["eligibility_threshold"]
    assert model.p["audit_rate"] == hls["audit_rate"]


def test_keep_overrides_keeps_what_the_place_set_and_takes_the_rest_from_the_bundle():
    model = _after_switch(regime="block_grant", eligibility_threshold=0.0, switch_keep_overrides=True)
    hls = regime_levers("hls")
    assert model.p["eligibility_threshold"] == 0.0  # set away from block_grant's 0.5: kept
    assert model.p["worker_discretion"] == hls["worker_discretion"]  # block_grant's own value: replaced
    assert model.p["steward"] is True
    # a lever the starting bundle does not name counts as set only when it differs from its default
    model = _after_switch(regime="block_grant", outcome_target=0.3, switch_keep_overrides=True)
    assert model.p["outcome_target"] == 0.3


def test_a_bundle_value_is_not_mistaken_for_an_override():
    """Setting a lever to exactly the starting bundle's value is indistinguishable from not setting it."""
    start = regime_levers("payment_by_results")
    model = _after_switch(
        regime="payment_by_results", worker_discretion=start["worker_discretion"], switch_keep_overrides=True
    )
    assert model.p["worker_discretion"] == regime_levers("hls")["worker_discretion"]


@pytest.mark.parametrize("keep", [False, True])
def test_a_switched_run_is_remade_exactly_from_its_recorded_parameters(keep):
    first = hls_sim.run(
        seed=7, **{**SMALL, "regime": "payment_by_results", "eligibility_threshold": 0.3, "switch_keep_overrides": keep}
    )
    assert first.params["regime"] == "payment_by_results"
    assert first.params["worker_discretion"] == regime_levers("payment_by_results")["worker_discretion"]
    again = hls_sim.run(**first.params)
    assert again.params == first.params
    assert again.summary == first.summary
    assert again.timeseries.equals(first.timeseries)


def test_keeping_overrides_changes_the_run_after_the_switch_only():
    base = {**SMALL, "regime": "block_grant", "indicators_per_case": 12.0}
    plain = hls_sim.run(seed=2, **base).timeseries
    kept = hls_sim.run(seed=2, **base, switch_keep_overrides=True).timeseries
    w = SMALL["switch_week"]
    assert plain.head(w).equals(kept.head(w))
    assert not plain.equals(kept)


def test_a_switch_prices_from_the_last_full_year_as_a_re_tender_does():
    """At a switch into payment by results the commissioner prices from the previous contract year's
    reported results. That year is 52 weeks whenever the switch comes, so the prices are those a
    re-tender's re-pricing gives from the same year (not scaled down by the weeks already run)."""
    model = HLSModel(
        seed=4,
        regime="block_grant",
        citizens=300,
        weeks=110,
        burn_in_weeks=5,
        switch_week=104,
        switch_regime="payment_by_results",
    )
    for _ in range(105):
        model.step()
    assert model.active_regime == "payment_by_results"
    assert (model.commissioner.baseline[:, 0] > 0).all()  # every provider closed cases last year
    at_switch = model.notional_price.copy()
    model.rebase_prices(replaced=-1)
    assert at_switch == pytest.approx(model.notional_price, rel=1e-12)
