"""The plain-Python Mesa reference and the numba engine are the same model.

Both run from one seed on small populations; after every week every person's and post's state,
every counter and every organisation-level array must be equal, and so must the run's outputs.
The tolerance is zero: the reference adds in the kernels' order and uses the same libm, so the
results are bit-identical (docs/performance.md says what would break that).

The optimised kernels' data-structure shortcuts (heap-based selection) are also checked directly
against the plain statement of the rule, on random inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hls_sim.draws
from hls_sim.kernels.queue import first_in_queue
from hls_sim.kernels.workforce import reassign_orphans
from hls_sim.layout import (
    ACTIVE,
    CNT,
    HIRING,
    IN_SERVICE,
    N_CNT,
    N_PRM,
    P_NEW_BOND,
    POL,
    PRM_FROM_PARAMS,
    VACANT,
    WAITING,
)
from hls_sim.model import HLSModel
from hls_sim.params import PARAMS
from hls_sim.reference import ReferenceModel, run_reference
from hls_sim.reference.citizen import Citizen
from hls_sim.reference.worker import Worker
from hls_sim.reference.worker import reassign_orphans as reassign_plain
from hls_sim.regimes import REGIMES
from hls_sim.runner import run
from hls_sim.state import People, Staff

SMALL = dict(citizens=160, weeks=60, burn_in_weeks=8)
ORG_ARRAYS = (
    "cnt",
    "pcnt",
    "bcnt",
    "lcnt",
    "dcnt_week",
    "claims",
    "false_claims",
    "wait_hist_week",
    "wait_hist_rep_week",
    "w_seen",
    "pol",
    "refuse",
    "attract",
    "stk",
    "admin",
    "contract_hours",
    "knowledge",
    "ptrust",
    "ctrust",
    "targets",
    "funded",
    "alliance_share",
    "price",
)


def _differences(fast: HLSModel, ref: ReferenceModel) -> list[str]:
    bad = [f"cit.{k}" for k in fast.cit if not np.array_equal(fast.cit[k], ref.cit[k])]
    bad += [f"wk.{k}" for k in fast.wk if not np.array_equal(fast.wk[k], ref.wk[k])]
    bad += [k for k in ORG_ARRAYS if not np.array_equal(getattr(fast, k), getattr(ref, k))]
    return bad


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _run_side_by_side(
    seed: int, fast_cls: type = HLSModel, ref_cls: type = ReferenceModel, **kw
) -> tuple[HLSModel, ReferenceModel]:
    fast = fast_cls(seed=seed, **kw)
    ref = ref_cls(seed=seed, **kw)
    for week in range(kw["weeks"]):
        fast.step()
        ref.step()
        bad = _differences(fast, ref)
        assert not bad, f"week {week}: reference and numba engine differ in {bad}"
    return fast, ref


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_reference_equals_numba_engine_week_by_week(regime):
    fast, ref = _run_side_by_side(4, regime=regime, **SMALL)
    a, b = fast.recorder.summary(fast), ref.recorder.summary(ref)
    assert a.keys() == b.keys()
    unequal = [k for k in a if not _same(a[k], b[k])]
    assert not unequal, unequal
    assert fast.recorder.timeseries(fast).equals(ref.recorder.timeseries(ref))


def test_reference_equals_numba_engine_through_tenders_and_a_regime_switch():
    """Re-tenders move staff and orphan cases; a regime switch does too, at the start of a week.
    A short baseline, so that the contract (and its tenders) starts within the run."""
    kw = dict(
        regime="payment_by_results",
        baseline_weeks=10,
        retender_weeks=20,
        switch_week=45,
        switch_regime="hls",
        citizens=220,
        weeks=70,
        burn_in_weeks=8,
    )
    fast, ref = _run_side_by_side(11, **kw)
    assert fast.provider_churn >= 2  # the tenders happened
    assert fast.active_regime == "hls"
    assert fast.recorder.summary(fast)["total_cost"] == ref.recorder.summary(ref)["total_cost"]


def test_reference_reads_the_help_sizes_and_permission_the_engine_reads():
    """Non-default help effects and a partial permission space: both engines must read the same values."""
    kw = dict(
        regime="hls",
        steward=False,
        initial_permission=0.3,
        relational_effect=0.9,
        protocol_effect=0.3,
        help_scale_hours=3.0,
        citizens=160,
        weeks=40,
        burn_in_weeks=4,
    )
    fast, ref = _run_side_by_side(7, **kw)
    default = HLSModel(seed=7, **{k: v for k, v in kw.items() if k in ("regime", "citizens", "weeks", "burn_in_weeks")})
    default.run()
    assert not np.array_equal(fast.cit["need"], default.cit["need"])  # the values are live, not ignored


class _EveryChannelOpen:
    """Providers that game on every channel at once, set at the start of each week (after their own
    pressure setting), so that the people phase runs every rule that the regimes rarely reach in a
    short run: cream-skimming by band, parking, clock stops, timing, churn, misreports, exclusions."""

    def _start_week(self) -> None:
        super()._start_week()
        policies = dict(honesty=0.5, timing=0.6, churn=0.15, exclusion=0.3, clock_priority=0.7, parking=0.5, refer=0.4)
        for name, value in policies.items():
            self.pol[:, POL[name]] = value
        self.refuse[:] = np.linspace(0.0, 0.6, self.refuse.shape[1])
        self.attract[:] = np.linspace(1.0, 0.2, self.attract.shape[1])
        self.stk[:] = (0.8, 0.6, 0.5)

    def _people_week(self) -> None:
        super()._people_week()
        self.cnt_run = self.cnt.copy() if self.week == 0 else self.cnt_run + self.cnt


class _OpenEngine(_EveryChannelOpen, HLSModel):
    pass


class _OpenReference(_EveryChannelOpen, ReferenceModel):
    pass


def _moved_mechanism_parameters(seed: int) -> dict:
    """Every registry parameter the kernels read, moved off its default (each by its own amount, so that
    two rules reading each other's parameter would show), within its allowed range; counts of weeks
    by whole weeks, so that a week counter's `>=` and `>` still differ."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in PRM_FROM_PARAMS:
        spec = PARAMS[name]
        if spec.kind is int or spec.unit == "weeks":
            step = max(1, round(0.2 * abs(spec.default)))
            moved = min(spec.hi, max(spec.lo, spec.default + step * int(rng.choice([-1, 1]))))
            out[name] = spec.kind(moved)
        else:
            span = min(0.3 * abs(spec.default) if spec.default else 0.05, 0.3 * (spec.hi - spec.lo))
            out[name] = float(min(spec.hi, max(spec.lo, spec.default + rng.uniform(-span, span))))
    return out


def test_reference_equals_numba_engine_with_every_channel_open_and_every_rule_parameter_moved():
    kw = _moved_mechanism_parameters(3)
    kw.update(
        regime="output_targets",
        wait_target_weeks=4,  # a time-to-service target, so the clock rules run
        worker_discretion=0.6,  # discretion in use strictly between 0 and 1: timing and both help splits
        discretionary_spend=30.0,
        citizens=200,
        weeks=50,
        burn_in_weeks=4,
        baseline_weeks=4,
    )
    fast, ref = _run_side_by_side(3, _OpenEngine, _OpenReference, **kw)
    assert fast.cnt_run.tolist() == ref.cnt_run.tolist()
    channels = (
        "rejected_cream",
        "referral_failures",
        "clock_stops",
        "h_parked",
        "h_gaming",
        "h_ratchet_withheld",
        "timing_discharges",
        "churn_discharges",
        "misreports",
        "exclusions",
        "disc_spend",
    )
    idle = [name for name in channels if fast.cnt_run[CNT[name]] == 0.0]
    assert not idle, f"these rules never ran, so the comparison did not check them: {idle}"


def test_run_reference_outputs_match_run():
    kw = dict(regime="output_targets", citizens=120, weeks=40, burn_in_weeks=4)
    a, b = run(seed=2, **kw), run_reference(seed=2, **kw)
    assert a.params == b.params
    assert a.timeseries.equals(b.timeseries)
    assert all(_same(a.summary[k], b.summary[k]) for k in a.summary)


def test_reference_is_mesa_agents_one_per_person_and_post():
    m = ReferenceModel(seed=1, citizens=50, weeks=2)
    assert len(m.agents_by_type[Citizen]) == 50
    assert len(m.agents_by_type[Worker]) == m.wk["status"].shape[0]
    m.step()
    assert [c.index for c in m.agents_by_type[Citizen]] == list(range(50))  # activation order = index order


def test_prefetched_draws_give_the_same_run(monkeypatch):
    """Drawing next week's numbers on another thread changes the timing, never the numbers."""
    kw = dict(regime="hls", citizens=150, weeks=30, burn_in_weeks=4)
    inline = run(seed=5, **kw)
    monkeypatch.setattr(hls_sim.draws, "PREFETCH_MIN_ROWS", 1)
    model = HLSModel(seed=5, **kw)
    assert model._draws.prefetch
    model.run()
    assert model.recorder.timeseries(model).equals(inline.timeseries)


# ---------------------------------------------------------------- kernel shortcuts vs plain rules
scores = st.lists(st.sampled_from([-1.0, -0.5, -0.25, 0.0, -0.0, 0.3]) | st.floats(-2, 0), min_size=1, max_size=300)


@settings(max_examples=200, deadline=None)
@given(score=scores, k=st.integers(0, 320))
def test_first_in_queue_is_the_stable_order(score, k):
    s = np.array(score)
    expected = np.argsort(s, kind="mergesort")[: min(k, len(s))]
    np.testing.assert_array_equal(first_in_queue(s, k), expected)


@st.composite
def staffing(draw):
    n_prov = draw(st.integers(1, 4))
    nw = draw(st.integers(1, 25))
    w_status = np.array(draw(st.lists(st.sampled_from([VACANT, ACTIVE, HIRING]), min_size=nw, max_size=nw)), np.int8)
    w_provider = np.array(draw(st.lists(st.integers(0, n_prov - 1), min_size=nw, max_size=nw)), np.int16)
    w_caseload = np.array(draw(st.lists(st.integers(0, 4), min_size=nw, max_size=nw)), np.int32)
    n = draw(st.integers(0, 60))
    status = np.array(draw(st.lists(st.sampled_from([0, WAITING, IN_SERVICE]), min_size=n, max_size=n)), np.int8)
    worker = np.array(draw(st.lists(st.integers(0, nw - 1), min_size=n, max_size=n)), np.int32)
    provider = np.array(draw(st.lists(st.integers(0, n_prov - 1), min_size=n, max_size=n)), np.int16)
    return w_status, w_provider, w_caseload, status, worker, provider


NEW_BOND = 0.15  # not the default, so that both sides must read the value they are given


class _Post:
    def __init__(self, index, status, provider, caseload):
        self.index, self.status, self.provider, self.caseload = index, status, provider, caseload


class _Person:
    def __init__(self, status, worker, provider):
        self.status, self.worker, self.provider, self.bond = status, worker, provider, 0.7


@settings(max_examples=200, deadline=None)
@given(state=staffing())
def test_orphan_reassignment_kernel_matches_the_plain_scan(state):
    w_status, w_provider, w_caseload, status, worker, provider = state
    posts = [
        _Post(v, int(a), int(b), int(c))
        for v, (a, b, c) in enumerate(zip(w_status, w_provider, w_caseload, strict=True))
    ]
    people = [_Person(int(a), int(b), int(c)) for a, b, c in zip(status, worker, provider, strict=True)]
    cnt_plain = [0.0] * N_CNT
    reassign_plain(people, posts, NEW_BOND, cnt_plain)
    bond = np.full(len(status), 0.7)
    cnt = np.zeros(N_CNT)
    stf = Staff(
        **{
            **{f: np.zeros(1) for f in Staff._fields},
            "status": w_status,
            "provider": w_provider,
            "caseload": w_caseload,
        }
    )
    ppl = People(
        **{
            **{f: np.zeros(1) for f in People._fields},
            "status": status,
            "worker": worker,
            "provider": provider,
            "bond": bond,
        }
    )
    prm = np.zeros(N_PRM)
    prm[P_NEW_BOND] = NEW_BOND
    reassign_orphans(stf, ppl, prm, cnt)
    assert w_caseload.tolist() == [w.caseload for w in posts]
    assert status.tolist() == [c.status for c in people]
    assert worker.tolist() == [c.worker for c in people]
    assert bond.tolist() == [c.bond for c in people]
    assert cnt.tolist() == cnt_plain


def _run_in_child(queue):  # top level: the forked child runs it
    model = HLSModel(seed=5, citizens=150, weeks=6, burn_in_weeks=1)
    model.run()
    queue.put(model.recorder.summary(model)["wellbeing_mean"])


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork")
def test_draw_thread_survives_a_fork(monkeypatch):
    """A process forked after drawing ahead gets its own helper thread, not a dead copy (no hang)."""
    import multiprocessing

    monkeypatch.setattr(hls_sim.draws, "PREFETCH_MIN_ROWS", 1)
    parent = HLSModel(seed=5, citizens=150, weeks=6, burn_in_weeks=1)
    parent.run()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_run_in_child, args=(queue,))
    child.start()
    try:
        assert queue.get(timeout=120) == parent.recorder.summary(parent)["wellbeing_mean"]
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
