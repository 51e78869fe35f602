"""Multi-seed checks of the HLS side (issue 3): honesty of learning-only measures, the J-curve,
slow trust, learning from gamed data, and the conditions under which the HLS advantage goes."""

from __future__ import annotations

import numpy as np
import pytest

from hls_sim.stats import mean_ci
from tests.conftest import cached_run
from tests.test_patterns_npm import SEEDS, assert_positive, values

SWITCH = 104
EXTREME = dict(workers_per_1000=4.0, steward=False, base_turnover=0.8)


def test_hls_reports_honestly():
    gap = values("campbell_gap", regime="hls")
    assert np.abs(gap).max() < 0.005


def test_hls_helps_the_most_complex_more_than_pbr():
    diff = values("wellbeing_most_complex_decile", regime="hls") - values(
        "wellbeing_most_complex_decile", regime="payment_by_results"
    )
    assert_positive(diff, "most complex decile wellbeing, hls - pbr")


def _switch_runs(seed: int):
    switched = cached_run(seed, regime="payment_by_results", weeks=364, switch_week=SWITCH, switch_regime="hls")
    stayed = cached_run(seed, regime="payment_by_results", weeks=364)
    return switched.timeseries, stayed.timeseries


def _year_cost(ts, year: int) -> float:
    start = SWITCH + 52 * year
    return float(ts["cost_total"].to_numpy()[start : start + 52].sum())


@pytest.mark.xfail(
    strict=True,
    reason="known failure, docs/validation.md 3.6: crisis costs fall within the first year of a switch and "
    "payments by results swing by seed, so the first-year extra cost is positive on average but not clear on 10 seeds",
)
def test_j_curve_after_switch():
    """HLS costs more than staying on PbR in the first year after the switch and less in the third."""
    first, third = [], []
    for seed in SEEDS:
        a, b = _switch_runs(seed)
        first.append(_year_cost(a, 0) - _year_cost(b, 0))
        third.append(_year_cost(a, 2) - _year_cost(b, 2))
    assert_positive(np.array(first), "extra cost in year one")
    assert_positive(-np.array(third), "saving in year three")


def test_trust_takes_years_to_build():
    """Trust is built from experiences (system.py): after a switch it rises year after year, without
    a jump in the first, and differs from seed to seed."""
    finals = []
    for seed in SEEDS:
        ts, _ = _switch_runs(seed)
        trust = ts["trust_provider_provider"].to_numpy()
        yearly = [trust[SWITCH + 52 * k] for k in range(4)]
        assert yearly[1] - yearly[0] < 0.25, "trust must not jump within a year"
        assert yearly[1] < yearly[2] < yearly[3], "trust keeps building over years"
        assert yearly[3] - yearly[0] > 0.1
        finals.append(yearly[3])
    assert len(set(np.round(finals, 6))) == len(finals), "trust comes from events, so it varies by seed"


def test_morale_dips_then_rises_after_switch():
    for seed in SEEDS:
        ts, _ = _switch_runs(seed)
        morale = ts["morale_mean"].to_numpy()
        assert morale[SWITCH + 2] < morale[SWITCH - 1]
        assert morale[SWITCH + 104] > morale[SWITCH - 1]


def test_learning_from_reward_linked_measures_improves_practice_less():
    learning_only = values("knowledge_final", regime="hls")
    rewarded = values(
        "knowledge_final", regime="hls", payment_basis="outcome", incentive_strength=0.8, provider_kpis=True
    )
    assert_positive(learning_only - rewarded, "practice learnt, learning-only minus reward-linked")


def test_competition_lowers_trust_and_sharing_alliance_raises_it():
    alliance = values("trust_provider_provider", regime="alliance")
    block = values("trust_provider_provider", regime="block_grant")
    pbr = values("trust_provider_provider", regime="payment_by_results")
    assert_positive(alliance - block, "alliance builds trust")
    assert_positive(block - pbr, "competition erodes trust")


@pytest.mark.xfail(
    strict=True,
    reason="known failure, docs/validation.md 3.8 and 5: without a steward the model's HLS keeps most of its "
    "advantage (nothing makes an unstewarded alliance drift back to business as usual), so thin staffing, no "
    "steward and high turnover together do not reverse it",
)
def test_hls_advantage_goes_under_extreme_conditions():
    """Thin caseload time, no steward and high turnover remove HLS's real-improvement advantage
    (002 L735, L1618, L2886), while at defaults it is clear."""
    adv_default = values("real_improvement_rate", regime="hls") - values(
        "real_improvement_rate", regime="payment_by_results"
    )
    adv_extreme = values("real_improvement_rate", regime="hls", **EXTREME) - values(
        "real_improvement_rate", regime="payment_by_results", **EXTREME
    )
    assert_positive(adv_default, "default advantage")
    mean, _, _, hi = mean_ci(adv_extreme)
    assert mean < 0.0, f"extreme advantage should vanish or reverse, got mean {mean:.3f} (upper CI {hi:.3f})"
    wb_default = values("wellbeing_most_complex_decile", regime="hls") - values(
        "wellbeing_most_complex_decile", regime="payment_by_results"
    )
    wb_extreme = values("wellbeing_most_complex_decile", regime="hls", **EXTREME) - values(
        "wellbeing_most_complex_decile", regime="payment_by_results", **EXTREME
    )
    assert wb_extreme.mean() < 0.5 * wb_default.mean()


def test_intermediate_lever_settings_run():
    """Points between NPM and HLS are just lever values: PbR with learning cycles, alliance with KPIs."""
    a = cached_run(1, regime="payment_by_results", learning_cycle_weeks=6, steward=True, citizens=400, weeks=104)
    b = cached_run(1, regime="alliance", provider_kpis=True, incentive_strength=0.5, citizens=400, weeks=104)
    assert a.summary["knowledge_final"] > 0.3
    assert b.summary["campbell_gap"] >= 0.0
