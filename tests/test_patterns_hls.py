"""Multi-seed checks of the HLS side (issue 3): honesty of learning-only measures, the J-curve,
slow trust, learning from gamed data, and the conditions under which the HLS advantage goes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hls_sim.validation.spec import load_patterns
from tests.conftest import cached_run
from tests.test_patterns_npm import SEEDS, assert_positive, values

SWITCH = 104
# Validation pattern 08 (experiments/validation/08_caseloads_and_stewardship.toml): a third of the staff,
# each allowed three times the cases, applied to both regimes; "removed" = less than a third is left.
HIGH_CASELOADS = dict(workers_per_1000=4.0, caseload_cap=60)
REMOVED_FACTOR = 1 / 3


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


def _year_cost_differences(year: int) -> np.ndarray:
    """Per seed: cost of switching minus cost of staying, in the given year after the switch (0 = first)."""
    out = []
    for seed in SEEDS:
        a, b = _switch_runs(seed)
        out.append(_year_cost(a, year) - _year_cost(b, year))
    return np.array(out)


def test_switch_to_hls_saves_by_the_third_year():
    """The J-curve's right arm (001 L863): by the third year after the switch HLS costs less than PbR."""
    assert_positive(-_year_cost_differences(2), "saving in year three")


@pytest.mark.xfail(
    strict=True,
    reason="known failure, docs/validation.md 3.6: the model gives a clear first-year SAVING, not an up-front "
    "cost: switch minus stay is -190,400 GBP [95% CI -287,100, -93,600], a saving in 9 of 10 seeds. HLS reaches "
    "more people at once and their need falls within months, so crisis and reactive costs fall by more than the "
    "transition, steward and discretionary spending of the first year",
)
def test_switch_to_hls_costs_more_in_the_first_year():
    """The J-curve's dip (001 L863): HLS costs more than staying on PbR in the first year after the switch."""
    assert_positive(_year_cost_differences(0), "extra cost in year one")


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


def _advantage(metric: str, **condition) -> np.ndarray:
    """HLS minus payment by results, paired by seed, under the same condition for both regimes."""
    return values(metric, regime="hls", **condition) - values(metric, regime="payment_by_results", **condition)


def assert_removed(default: np.ndarray, left: np.ndarray, what: str) -> None:
    """Validation's 'shrinks' check (hls_sim/validation/checks.py): the 95% interval of
    factor x default advantage - advantage left lies above 0, paired by seed."""
    assert_positive(REMOVED_FACTOR * default - left, f"{what}: a third of the default advantage minus what is left")


def test_caseload_and_removal_rule_match_validation_pattern_08():
    """The tests below mirror pattern 08; if its condition or factor moves, move them too."""
    spec = load_patterns(only=["08_caseloads_and_stewardship"])[0]
    assert list(spec.seeds) == list(SEEDS)
    assert spec.arms["hls_caseload"].overrides == {"regime": "hls", **HIGH_CASELOADS}
    assert spec.arms["pbr_caseload"].overrides == {"regime": "payment_by_results", **HIGH_CASELOADS}
    assert spec.arms["hls_no_steward"].overrides == {"regime": "hls", "steward": False}
    shrinks = [c for c in spec.checks if c.kind == "shrinks"]
    assert len(shrinks) == 4 and all(math.isclose(c.options["factor"], REMOVED_FACTOR, abs_tol=1e-3) for c in shrinks)


def test_hls_improves_more_lives_than_pbr_at_defaults():
    """At default settings HLS's share of real improvement beats payment by results (pattern 08, check 1)."""
    assert_positive(_advantage("real_improvement_rate"), "default advantage in real improvement, hls - pbr")


@pytest.mark.parametrize("metric", ["real_improvement_rate", "wellbeing_most_complex_decile"])
def test_high_caseloads_remove_the_hls_advantage(metric):
    """'With large caseloads, relational work is effectively impossible' (002 L735): with a third of the
    staff each allowed three times the cases, in both regimes, less than a third of the advantage is left."""
    assert_removed(_advantage(metric), _advantage(metric, **HIGH_CASELOADS), f"high caseloads, {metric}")


@pytest.mark.xfail(
    strict=True,
    reason="known failure, docs/validation.md 3.8 and 5: without a steward HLS keeps 72% of its advantage in real "
    "improvement (0.251 of 0.347; a third of default minus what is left: -0.135 [95% CI -0.143, -0.127]) and 77% "
    "for the most complex tenth (0.117 of 0.152); nothing makes an unstewarded alliance drift back to business as "
    "usual",
)
def test_no_steward_removes_the_hls_advantage():
    """Healthy systems need stewardship (002 L1618-1620): HLS without a steward keeps less than a third of
    its advantage over payment by results (which is the same arm as at defaults)."""
    pbr = dict(regime="payment_by_results")
    for metric in ("real_improvement_rate", "wellbeing_most_complex_decile"):
        left = values(metric, regime="hls", steward=False) - values(metric, **pbr)
        assert_removed(_advantage(metric), left, f"no steward, {metric}")


def test_intermediate_lever_settings_run():
    """Points between NPM and HLS are just lever values: PbR with learning cycles, alliance with KPIs."""
    a = cached_run(1, regime="payment_by_results", learning_cycle_weeks=6, steward=True, citizens=400, weeks=104)
    b = cached_run(1, regime="alliance", provider_kpis=True, incentive_strength=0.5, citizens=400, weeks=104)
    assert a.summary["knowledge_final"] > 0.3
    assert b.summary["campbell_gap"] >= 0.0
