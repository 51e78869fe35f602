"""Shared fixtures: small populations so the suite stays fast; numba caches compiled kernels."""

from __future__ import annotations

import functools

import pytest

import hls_sim

SMALL = dict(citizens=400, weeks=104, burn_in_weeks=26, baseline_weeks=26)


@functools.lru_cache(maxsize=256)
def _cached_run(seed: int, items: tuple) -> hls_sim.RunResult:
    return hls_sim.run(seed=seed, **dict(items))


def cached_run(seed: int = 1, **overrides) -> hls_sim.RunResult:
    """Runs are deterministic, so tests that need the same run share it."""
    return _cached_run(seed, tuple(sorted(overrides.items())))


@pytest.fixture
def small():
    return dict(SMALL)
