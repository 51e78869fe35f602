"""The permission space (ODD 7.12): discretion granted is used only as far as staff feel permitted,
a steward grows that space, stakes shrink it, and the steward's part in the HLS advantage follows.
Also the openness measure of knowledge sharing (validation pattern 7)."""

from __future__ import annotations

import numpy as np
import pytest

from hls_sim.params import ParameterError, resolve
from tests.conftest import cached_run
from tests.test_patterns_npm import SEEDS, assert_positive, values


def _permission(seed: int = 1, **levers) -> np.ndarray:
    return cached_run(seed, **levers).timeseries["permission_space"].to_numpy()


def test_steward_grows_the_permission_space_and_it_takes_years():
    perm = _permission(regime="hls")
    start = resolve({})["initial_permission"]
    assert np.all(np.diff(perm) >= -1e-12), "with a steward and no stakes the space only grows"
    assert perm[0] < start + 0.1, "it starts where business as usual left it"
    assert perm[52] < 0.7, "a year is not enough"
    assert perm[-1] > 0.7, perm[-1]


def test_the_space_opens_with_the_stewards_time_and_the_commissioners_trust():
    """Permission target = (initial + (1 - initial) x steward cover x commissioner trust) x (1 - stakes):
    a steward with no time opens nothing; more time per provider opens more."""
    base = resolve({})["initial_permission"]
    none = _permission(regime="hls", steward_hours_per_week=0.0)
    thin = _permission(regime="hls", steward_hours_per_week=7.5)
    full = _permission(regime="hls")
    assert np.allclose(none, base)
    assert base < thin[-1] < full[-1]


def test_without_a_steward_the_space_stays_where_business_as_usual_keeps_it():
    perm = _permission(regime="hls", steward=False)
    assert np.allclose(perm, resolve({})["initial_permission"])


def test_stakes_shrink_the_permission_space():
    """Pressure passed down to staff (what the contract's consequences make it worth) shrinks the
    space; where the contract attaches nothing to the numbers it stays at its starting level."""
    pbr = _permission(regime="payment_by_results")
    block = _permission(regime="block_grant")
    assert np.all(block == block[0]), "no pressure, no change"
    assert pbr[-1] < 0.8 * block[-1]
    assert pbr[-1] < pbr[0]
    assert np.all(np.diff(pbr[: len(pbr) // 4]) <= 1e-12), "under PbR the space first shrinks"


def test_initial_permission_is_validated():
    with pytest.raises(ParameterError, match="initial_permission"):
        resolve({"initial_permission": 1.5})


def test_a_steward_carries_part_of_the_hls_advantage():
    diff = values("real_improvement_rate", regime="hls") - values("real_improvement_rate", regime="hls", steward=False)
    assert_positive(diff, "real improvement, hls - hls without steward")


def test_full_permission_from_the_start_is_worth_more_than_half():
    """The space matters through discretion: the same steward-less HLS with full permission does better."""
    half = values("real_improvement_rate", regime="hls", steward=False)
    full = values("real_improvement_rate", regime="hls", steward=False, initial_permission=1.0)
    assert_positive(full - half, "real improvement, full - half permission")


def test_openness_follows_trust_not_the_size_of_gaps():
    def openness(**levers) -> np.ndarray:
        return np.array(
            [
                cached_run(seed, learning_cycle_weeks=6, **levers).timeseries["knowledge_openness"].to_numpy()[-1]
                for seed in SEEDS[:2]
            ]
        )

    block = openness(regime="block_grant")
    alliance = openness(regime="alliance")
    retender = openness(regime="block_grant", retender_weeks=156)
    assert np.all(alliance > block) and np.all(block > retender)
    # no learning cycles: nothing offered
    assert cached_run(1, regime="block_grant").timeseries["knowledge_openness"].to_numpy().max() == 0.0
