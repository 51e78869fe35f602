"""Incentives come from the rules (issue 14): negative controls and directions on whole runs.

A channel of gaming appears only where the contract makes it pay; the stakes dial changes nothing
where nothing depends on the indicator; selection on the reported indicator raises gaming even
when no provider adapts; money adds up.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import hls_sim
from hls_sim.model import HLSModel
from hls_sim.regimes import REGIMES, regime_levers

GAMING = (
    "gaming_effort_substitution",
    "gaming_threshold",
    "gaming_ratchet",
    "gaming_misreporting",
    "gaming_exclusions",
    "gaming_cream_skimming",
    "gaming_parking",
    "gaming_timing",
    "gaming_clock_stops",
)
MID = dict(citizens=1200, weeks=208)


def summary(**kw):
    return hls_sim.run(**{"seed": 1, **MID, **kw}).summary


def _without_params(s: dict) -> dict:
    return {k: v for k, v in s.items() if k not in ("parameters",)}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_the_stakes_dial_changes_nothing_where_nothing_depends_on_the_indicator():
    a = summary(regime="block_grant", incentive_strength=0.0)
    b = summary(regime="block_grant", incentive_strength=1.0)
    assert [k for k in a if not _same(a[k], b[k])] == []


def test_outcome_basis_with_nothing_paid_by_results_is_a_block_grant():
    plain = summary(regime="block_grant", incentive_strength=0.0)
    zero = summary(regime="block_grant", payment_basis="outcome", outcome_payment_share=0.0, incentive_strength=1.0)
    for k in (*GAMING, "campbell_gap"):
        assert abs(zero[k] - plain[k]) <= 0.005, k


def test_certain_detection_and_heavy_penalties_stop_false_reports():
    s = summary(regime="payment_by_results", audit_rate=1.0, audit_penalty=50.0)
    assert s["gaming_misreporting"] <= 0.001
    loose = summary(regime="payment_by_results")
    assert loose["gaming_misreporting"] > 0.01


def test_audits_that_cannot_see_exclusions_leave_that_channel_open():
    """Exclusions are their own channel: an audit of claims does not find people left out of the count."""
    closed = summary(regime="output_targets", audit_rate=1.0, audit_penalty=50.0, audit_sees_exclusions=True)
    open_ = summary(regime="output_targets", audit_rate=1.0, audit_penalty=50.0, audit_sees_exclusions=False)
    assert closed["gaming_exclusions"] < open_["gaming_exclusions"]
    assert open_["gaming_misreporting"] <= 0.001


def test_no_money_or_security_on_the_indicator_means_no_pressure_and_no_substitution():
    s = summary(regime="payment_by_results", outcome_payment_share=0.0, retender_weeks=0)
    for k in GAMING:
        assert s[k] == 0.0, k
    assert summary(regime="payment_by_results")["gaming_effort_substitution"] > 0.05


def test_each_consequence_set_to_zero_removes_its_channel():
    assert summary(regime="output_targets", ratchet=False)["gaming_ratchet"] == 0.0
    no_targets = summary(regime="output_targets", outcome_target=0.0, wait_target_weeks=0)
    assert no_targets["gaming_threshold"] == 0.0 and no_targets["gaming_clock_stops"] == 0.0
    assert summary(regime="output_targets", wait_target_weeks=0)["gaming_clock_stops"] == 0.0


def test_targets_bring_threshold_easing_and_the_ratchet_restraint():
    s = summary(regime="output_targets")
    assert s["gaming_threshold"] > 0.0
    assert s["gaming_ratchet"] > 0.0


def test_more_audits_mean_fewer_false_reports():
    lo = [summary(regime="payment_by_results", seed=k, audit_rate=0.0)["gaming_misreporting"] for k in (1, 2)]
    hi = [summary(regime="payment_by_results", seed=k, audit_rate=0.3)["gaming_misreporting"] for k in (1, 2)]
    assert np.mean(hi) < np.mean(lo)


def test_activity_payment_brings_its_own_gaming_short_episodes():
    paid = summary(regime="block_grant", payment_basis="activity", incentive_strength=1.0)
    unpaid = summary(regime="block_grant", payment_basis="activity", incentive_strength=0.0)
    assert paid["gaming_timing"] > unpaid["gaming_timing"] == 0.0
    assert paid["gaming_cream_skimming"] > 0.0


def test_selection_on_the_reported_indicator_raises_gaming_without_adaptation():
    wins = 0
    for seed in (1, 2, 3, 4):
        comp = hls_sim.run(regime="payment_by_results", seed=seed, policy_adapt_rate=0.0, retender_weeks=52).summary
        none = hls_sim.run(regime="payment_by_results", seed=seed, policy_adapt_rate=0.0, retender_weeks=0).summary
        wins += comp["campbell_gap"] > none["campbell_gap"]
    assert wins >= 3


def test_the_same_levers_give_the_same_result_whatever_the_regimes_name():
    levers = regime_levers("hls")
    as_hls = summary(regime="hls")
    renamed = summary(regime="block_grant", **levers)
    differ = [k for k in as_hls if k != "final_regime" and not _same(as_hls[k], renamed[k])]
    assert differ == []


def test_the_alliance_moves_pooled_money_towards_demand():
    m = HLSModel(seed=2, regime="alliance", citizens=800, weeks=104)
    start = m.alliance_share.copy()
    m.run()
    c = m.cit
    demand = np.bincount(c["provider"][c["status"] > 0], minlength=m.n_prov)
    moved = m.alliance_share - start
    assert np.corrcoef(moved, demand / demand.sum() - start)[0, 1] > 0.5


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_money_adds_up_over_ten_years(regime):
    m = HLSModel(seed=3, regime=regime, citizens=2000, weeks=520)
    m.run()
    s = m.recorder.summary(m)
    led = m.ledger
    assert s["money_paid_by_commissioner"] == pytest.approx(s["money_received_by_providers"], rel=1e-12)
    assert s["penalties_paid_by_providers"] == pytest.approx(s["penalties_received_by_commissioner"], rel=1e-12)
    held = led.brought_in + led.received.sum() - led.spent.sum() - led.penalties_paid.sum() + led.written_off
    assert led.reserves.sum() == pytest.approx(held, rel=1e-9, abs=1e-3)
    assert s["money_spent_by_providers"] <= 1.05 * (s["money_received_by_providers"] + s["provider_initial_reserves"])
