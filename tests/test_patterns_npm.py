"""Multi-seed statistical checks of the patterns the engine must produce (issue 2).

Each check pairs runs on the same seeds (common random numbers) and asserts that the 95%
confidence interval of the mean paired difference lies on the expected side of zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from hls_sim.stats import mean_ci
from tests.conftest import cached_run

SEEDS = range(1, 11)


def values(metric: str, **levers) -> np.ndarray:
    return np.array([cached_run(seed, **levers).summary[metric] for seed in SEEDS])


def assert_positive(diff: np.ndarray, what: str) -> None:
    """The 95% interval of the mean paired difference lies above 0, on every seed's value.

    mean_ci drops NaN and None and collapses the interval to the mean with one value left, so without
    the first two asserts a pattern could pass on a single seed that produced a number.
    """
    diff = np.asarray(diff, dtype=float)
    assert len(diff) == len(SEEDS), f"{what}: {len(diff)} paired values, expected one per seed ({len(SEEDS)})"
    assert np.isfinite(diff).all(), f"{what}: non-finite paired values {diff}"
    mean, _, lo, _ = mean_ci(diff)
    assert lo > 0, f"{what}: mean {mean:.4f}, 95% CI lower bound {lo:.4f} not above 0; values {np.round(diff, 4)}"


@pytest.mark.parametrize("regime", ["payment_by_results", "output_targets"])
def test_reported_exceeds_true_under_npm(regime):
    assert_positive(values("campbell_gap", regime=regime), f"{regime} Campbell gap")


def test_block_grant_gap_near_zero():
    gap = values("campbell_gap", regime="block_grant")
    assert np.abs(gap).max() < 0.005


@pytest.mark.parametrize("regime", ["payment_by_results", "output_targets"])
def test_gap_and_gaming_grow_with_stakes(regime):
    low = dict(regime=regime, incentive_strength=0.3)
    high = dict(regime=regime, incentive_strength=1.0)
    assert_positive(values("campbell_gap", **high) - values("campbell_gap", **low), "gap rises with stakes")
    # Timing is not in this list: where discretion is low a siloed service already closes nearly every
    # case the moment its own domain is in order, so closing early to the payment rule has almost no
    # room (ODD 7.7); it is the main channel under activity payment, tested in test_incentives.py.
    for channel in ("misreporting", "effort_substitution", "cream_skimming"):
        m = f"gaming_{channel}"
        assert_positive(values(m, **high) - values(m, **low), f"{m} rises with stakes")


def test_targets_bring_real_gains_on_what_they_measure():
    """Not a strawman: stakes on an indicator raise its true value, not only its reported one.

    A time-to-service target added to the same block-funded service really shortens waits, and
    raising the stakes of payment by results really raises the share of cases resolved.
    """
    base = dict(regime="block_grant")
    target = dict(regime="block_grant", incentive_strength=0.7, wait_target_weeks=4)
    assert_positive(
        values("time_to_service_true", **target) - values("time_to_service_true", **base), "true time-to-service gain"
    )
    low = dict(regime="payment_by_results", incentive_strength=0.0)
    high = dict(regime="payment_by_results", incentive_strength=1.0)
    assert_positive(values("true_outcome", **high) - values("true_outcome", **low), "true outcome gain with stakes")


def test_time_to_service_target_bunches_inside_threshold():
    """Starts pile up in the last week inside a time-to-service target (gaming the clock).

    Control: the same regime on the same seeds with no wait target (wait_target_weeks = 0), where the
    bunching ratio is read at the same 4 weeks (metrics.py). Without a target it is 1.2-1.7, not 1, so
    a fixed threshold says little; the paired difference must clear 0. (The ratio is capped at 10.)
    """
    target = dict(regime="output_targets")
    no_target = dict(regime="output_targets", wait_target_weeks=0)
    assert cached_run(1, **target).summary["time_to_service_target_weeks"] == 4
    assert cached_run(1, **no_target).summary["time_to_service_target_weeks"] == 4
    assert_positive(
        values("time_to_service_bunching", **target) - values("time_to_service_bunching", **no_target),
        "bunching at the 4-week target, target minus no target",
    )


def test_pbr_creams_and_parks_the_most_complex():
    pbr = dict(regime="payment_by_results")
    block = dict(regime="block_grant")
    assert_positive(
        values("acceptance_gap_top_decile", **pbr) - values("acceptance_gap_top_decile", **block),
        "most complex taken on less often",
    )
    assert_positive(
        values("hours_vs_need_top_decile", **block) - values("hours_vs_need_top_decile", **pbr),
        "most complex get fewer hours than their need implies",
    )


def test_pricing_by_difficulty_reduces_creaming():
    flat = dict(regime="payment_by_results")
    priced = dict(regime="payment_by_results", price_by_difficulty=True)
    assert_positive(
        values("acceptance_gap_top_decile", **flat) - values("acceptance_gap_top_decile", **priced),
        "creaming shrinks with difficulty pricing",
    )
    assert values("acceptance_gap_top_decile", **priced).mean() > 0.0  # reduced, not removed
