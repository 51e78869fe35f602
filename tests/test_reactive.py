"""Reactive services short of a crisis (docs/ODD.md 7.2): an account of what unmet need costs other
services, counted from need alone, so that it can only move when lives move."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hls_sim
from hls_sim.kernels.life import reactive_contacts
from hls_sim.layout import C_REACTIVE, C_TWIN_REACTIVE
from hls_sim.model import HLSModel

SMALL = dict(citizens=300, weeks=60, burn_in_weeks=10, baseline_weeks=10)


def test_the_kernel_counts_what_the_formula_gives_for_the_weeks_needs():
    """The weekly counter is the formula applied to each life's needs after the week's life dynamics
    (before services act), for the person and for the twin: the numpy form the cohort measures use and
    the kernel agree. With no services nothing moves a need after the life step, so the week's end shows it."""
    m = HLSModel(seed=4, regime="block_grant", workers_per_1000=0, **SMALL)
    p = m.p
    for _ in range(12):
        m.step()
        want = reactive_contacts(m.cit["need"], p["reactive_floor"], p["reactive_rate"]).sum()
        twin = reactive_contacts(m.twin.need, p["reactive_floor"], p["reactive_rate"]).sum()
        assert m.cnt[C_REACTIVE] == pytest.approx(want, rel=1e-12)
        assert m.cnt[C_TWIN_REACTIVE] == pytest.approx(twin, rel=1e-12)
        assert m.ledger.week["reactive"] == pytest.approx(want * p["reactive_contact_cost"], rel=1e-12)
    # with services the twin, which never meets them, still shows the formula at the week's end
    m = HLSModel(seed=4, regime="payment_by_results", **SMALL)
    for _ in range(12):
        m.step()
        twin = reactive_contacts(m.twin.need, p["reactive_floor"], p["reactive_rate"]).sum()
        assert m.cnt[C_TWIN_REACTIVE] == pytest.approx(twin, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    need=st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8),
    floor=st.floats(0.0, 1.0),
    rate=st.floats(0.0, 10.0),
)
def test_contacts_are_never_negative_and_grow_with_need(need, floor, rate):
    x = np.array([need])
    base = reactive_contacts(x, floor, rate)[0]
    assert base >= 0.0 and np.isfinite(base)
    worse = reactive_contacts(np.minimum(x + 0.1, 1.0), floor, rate)[0]
    assert worse >= base
    if floor >= 1.0 or rate == 0.0:
        assert base == 0.0


def test_pricing_reactive_contacts_at_nothing_removes_the_account_and_changes_nothing_else():
    on = hls_sim.run(seed=2, regime="hls", **SMALL)
    off = hls_sim.run(seed=2, regime="hls", reactive_contact_cost=0.0, **SMALL)
    assert off.summary["cost_reactive"] == 0.0 and on.summary["cost_reactive"] > 0.0
    assert on.summary["total_cost"] - off.summary["total_cost"] == pytest.approx(on.summary["cost_reactive"])
    for col in ("n_crises", "n_reactive_contacts", "wellbeing_mean", "true_outcome", "campbell_gap"):
        assert on.timeseries[col].equals(off.timeseries[col]), col


def test_a_floor_of_one_means_no_reactive_contacts_at_all():
    s = hls_sim.run(seed=1, regime="block_grant", reactive_floor=1.0, **SMALL).summary
    assert s["reactive_contacts_per_1000_per_year"] == 0.0
    assert s["reactive_contacts_avoided_per_1000_per_year"] == 0.0


def test_services_that_reduce_need_avoid_reactive_contacts_and_no_service_avoids_none():
    helped = hls_sim.run(seed=3, regime="hls", citizens=600, weeks=156).summary
    assert helped["reactive_contacts_avoided_per_1000_per_year"] > 0.0
    none = hls_sim.run(seed=3, regime="block_grant", workers_per_1000=0, citizens=600, weeks=156).summary
    assert none["reactive_contacts_avoided_per_1000_per_year"] == 0.0
    # what the no-service world costs is the same whatever the services do: the twins do not meet them
    assert (
        helped["reactive_contacts_no_service_per_1000_per_year"]
        == none["reactive_contacts_no_service_per_1000_per_year"]
    )
