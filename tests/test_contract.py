"""The contract alone, with hand-made records: what each reported number is worth under the rules.

These are the negative controls and direction tests of issue 14 at the level of the rules
themselves: a consequence set to zero removes the value of the number it reads; raising a
penalty, a detection rate or a price moves the value the right way.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hls_sim import contract
from hls_sim.params import resolve

YEAR = 260_000.0  # a contract worth 5,000 a week


def terms(**levers) -> contract.Terms:
    return contract.terms(resolve(levers))


def records(**kw) -> contract.Records:
    base = dict(
        contract_year=YEAR,
        notional_price=10_000.0,
        price=np.full(5, 3_000.0),
        activity_price=0.0,
        counted=30.0,
        reported=6.0,
        starts=30.0,
        starts_in_target=25.0,
        counted_year=60.0,
        starts_year=60.0,
        outcome_target=0.3,
        scores=np.array([0.0, 0.02, -0.03, 0.01]),
        index=0,
        n_providers=4,
        in_baseline=False,
        margin=0.13,
        paid_by_results=0.0,
    )
    base.update(kw)
    return contract.Records(**base)


def test_nothing_at_stake_means_every_number_is_worth_nothing():
    t = terms(regime="output_targets", incentive_strength=0.0)
    v = contract.indicator_values(t, records())
    assert all(x == 0.0 for x in v)
    t = terms(regime="block_grant", incentive_strength=1.0)  # the dial alone attaches nothing
    v = contract.indicator_values(t, records(price=np.zeros(5)))
    assert all(x == 0.0 for x in v)


def test_stakes_scale_every_consequence_and_nothing_else():
    lo = terms(regime="output_targets", incentive_strength=0.2)
    hi = terms(regime="output_targets", incentive_strength=0.8)
    assert hi.target_penalty == pytest.approx(4 * lo.target_penalty)
    assert hi.audit_penalty == pytest.approx(4 * lo.audit_penalty)
    assert hi.retender_weight == pytest.approx(4 * lo.retender_weight)
    assert hi.sanction == pytest.approx(4 * lo.sanction)
    assert replace(
        hi, target_penalty=0, audit_penalty=0, retender_weight=0, sanction=0, stakes=0, at_risk=0
    ) == replace(lo, target_penalty=0, audit_penalty=0, retender_weight=0, sanction=0, stakes=0, at_risk=0)


def test_outcome_prices_pay_the_contract_at_the_expected_volume():
    t = terms(regime="payment_by_results", incentive_strength=1.0)
    expected = np.array([20.0, 50.0])
    prices = contract.outcome_prices(t, np.array([YEAR, 2 * YEAR]), expected, np.ones(5))
    np.testing.assert_allclose(prices[:, 0] * expected, t.at_risk * np.array([YEAR, 2 * YEAR]))
    weights = np.array([0.6, 0.8, 1.0, 1.2, 1.4])
    diff = contract.outcome_prices(replace(t, price_by_difficulty=True), np.array([YEAR]), np.array([20.0]), weights)
    assert diff[0, 4] > diff[0, 0]
    assert not contract.outcome_prices(terms(regime="block_grant"), np.array([YEAR]), expected[:1], weights).any()


def test_the_payment_cap_stops_the_money_value_of_further_outcomes():
    t = terms(regime="payment_by_results", incentive_strength=1.0, retender_weeks=0)
    cap = contract.results_cap(t, YEAR)
    below = contract.indicator_values(t, records(paid_by_results=0.0))
    at_cap = contract.indicator_values(t, records(paid_by_results=cap))
    assert below.success_money == pytest.approx(3_000.0)
    assert at_cap.success_money == 0.0 and at_cap.success_now == 0.0
    assert contract.capped_payment(t, YEAR, cap - 100.0, 3_000.0) == pytest.approx(100.0)
    assert contract.results_cap(replace(t, payment_cap=0.0), YEAR) == math.inf


@given(done=st.integers(1, 200), rate=st.floats(0.0, 1.0), target=st.floats(0.05, 0.95))
@settings(max_examples=200, deadline=None)
def test_miss_probability_is_a_probability_and_falls_as_results_rise(done, rate, target):
    successes = round(done * rate)
    p = contract.miss_probability(target, done, successes, 2 * done)
    assert 0.0 <= p <= 1.0
    better = contract.miss_probability(target, done, min(done, successes + max(1, done // 5)), 2 * done)
    assert better <= p + 1e-12


def test_threshold_easing_once_the_target_is_safe():
    t = terms(
        regime="output_targets", incentive_strength=1.0, retender_weeks=0, league_table_sanction=0.0, ratchet=False
    )
    missing = contract.indicator_values(t, records(counted=40, reported=4, outcome_target=0.3))
    safe = contract.indicator_values(t, records(counted=40, reported=30, outcome_target=0.3))
    assert missing.success_full == pytest.approx(safe.success_full)
    assert missing.success_full > 0
    assert missing.success_eased > 0.9 * missing.success_full
    assert safe.success_eased < 0.01 * safe.success_full


def test_ratchet_makes_results_above_target_cost_something_later():
    base = dict(regime="output_targets", incentive_strength=1.0, retender_weeks=0, league_table_sanction=0.0)
    r = records(counted=40, reported=13, outcome_target=0.3)
    with_ratchet = contract.indicator_values(terms(**base, ratchet=True), r)
    without = contract.indicator_values(terms(**base, ratchet=False), r)
    assert without.success_now == pytest.approx(without.success_eased)
    assert with_ratchet.success_now < with_ratchet.success_eased


def test_detection_and_penalty_deter_false_records():
    t = terms(regime="payment_by_results", incentive_strength=1.0)
    v = contract.indicator_values(t, records())
    weak = contract.false_record_value(replace(t, audit_rate=0.01), v, 0.5, 10_000.0)
    strong = contract.false_record_value(replace(t, audit_rate=0.2), v, 0.5, 10_000.0)
    punitive = contract.false_record_value(replace(t, audit_rate=1.0, audit_penalty=50.0), v, 0.5, 10_000.0)
    assert weak > strong and punitive < 0 < weak
    # trust lowers the chance of being audited
    assert contract.detection_probability(t, 1.0) < contract.detection_probability(t, 0.0)


def test_exclusions_pay_only_where_a_rate_carries_consequences():
    per_outcome_only = terms(regime="payment_by_results", incentive_strength=1.0, retender_weeks=0)
    v = contract.indicator_values(per_outcome_only, records())
    assert v.exclusion == 0.0
    target = terms(regime="output_targets", incentive_strength=1.0)
    assert contract.indicator_values(target, records(counted=40, reported=6)).exclusion > 0.0
    seen = replace(target, audit_sees_exclusions=True, audit_rate=1.0)
    vt = contract.indicator_values(target, records(counted=40, reported=6))
    assert contract.exclusion_net_value(seen, vt, 0.0, 10_000.0) < contract.exclusion_net_value(
        target, vt, 0.0, 10_000.0
    )


def test_a_retender_with_no_weight_on_the_indicator_makes_no_success_safer():
    t = terms(regime="payment_by_results", incentive_strength=1.0)
    scores = np.array([0.0, 0.1, -0.1])
    assert contract.loss_sensitivity(t, scores, 0) > 0
    assert contract.loss_sensitivity(replace(t, retender_weight=0.0), scores, 0) == 0.0
    assert contract.loss_sensitivity(t, np.array([0.0]), 0) == 0.0
    probs = contract.loss_probabilities(t, scores)
    assert probs.sum() == pytest.approx(1.0) and probs[2] > probs[0] > probs[1]


def test_system_wide_indicators_dilute_what_a_provider_gains():
    own = terms(regime="output_targets", incentive_strength=1.0)
    shared = replace(own, provider_kpis=False)
    r = records(counted=40, reported=4)
    assert contract.indicator_values(shared, r).success_full == pytest.approx(
        contract.indicator_values(own, r).success_full / 4
    )


def test_activity_payment_values_starts_not_outcomes():
    t = terms(regime="block_grant", payment_basis="activity", incentive_strength=1.0)
    v = contract.indicator_values(t, records(price=np.zeros(5), activity_price=500.0))
    assert v.start == 500.0 and v.success_money == 0.0
    per_week = contract.case_values(v, np.full(5, 0.2), np.array([5.0, 10.0, 15.0, 20.0, 25.0]))
    assert np.all(np.diff(per_week) < 0)  # short episodes pay best per place-week


def test_admin_burden_follows_the_monitoring_rules():
    p = resolve({})
    base = contract.admin_hours_per_case(p, 0.0, 0.0)
    assert base == pytest.approx(p["admin_hours_per_case"] + p["indicators_per_case"] * p["indicator_hours"])
    assert contract.admin_hours_per_case({**p, "indicators_per_case": 8.0}, 0.0, 0.0) > base
    assert contract.admin_hours_per_case(p, 0.05, 0.0) > base
    assert contract.admin_hours_per_case(p, 0.0, 0.01) > base


def test_prices_by_difficulty_raise_the_value_of_hard_cases():
    t = terms(regime="payment_by_results", incentive_strength=1.0, retender_weeks=0)
    rep, weeks = np.array([0.5, 0.4, 0.3, 0.2, 0.1]), np.array([10.0, 12.0, 14.0, 16.0, 18.0])
    flat = contract.indicator_values(t, records(price=np.full(5, 3_000.0)))
    graded = np.array([1_500.0, 2_000.0, 3_000.0, 4_000.0, 4_500.0])
    priced = contract.indicator_values(t, records(price=graded))
    a_flat = contract.case_values(flat, rep, weeks, np.full(5, 3_000.0))
    a_priced = contract.case_values(priced, rep, weeks, graded)
    assert a_priced[4] > a_flat[4] and a_priced[0] < a_flat[0]
    capped = contract.indicator_values(t, records(price=graded, paid_by_results=1e9))
    assert np.all(contract.case_values(capped, rep, weeks, graded) == 0.0)
