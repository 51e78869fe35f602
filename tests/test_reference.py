"""The plain-Python Mesa reference and the numba engine are the same model.

Both run from one seed on small populations; after every week every person's and post's state,
every counter and every organisation-level array must be equal, and so must the run's outputs.
The tolerance is zero: the reference adds in the kernels' order and uses the same libm, so the
results are bit-identical (docs/performance.md says what would break that).

The optimised kernels' data-structure shortcuts (heap-based selection) are also checked directly
against the plain statement of the rule, on random inputs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hls_sim.draws
from hls_sim.kernels.life import I_PERSON_WEEKS, PRESENTED_ROW
from hls_sim.kernels.queue import first_in_queue
from hls_sim.kernels.workforce import reassign_orphans
from hls_sim.layout import (
    ACTIVE,
    CNT,
    COMMUNITY,
    HIRING,
    IN_SERVICE,
    N_CNT,
    N_PRM,
    P_NEW_BOND,
    PCNT,
    POL,
    PRACTICE,
    PRM,
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
from hls_sim.state import People, Staff, Twin

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
    "practice",
    "imp",
    "reach_prov",
    "reach_rate",
    "refer_week",  # referrals between providers, arrived and failed: what the trust ledger reads
    "refer_period",
    "learn_acc",  # the case notes since the last learning cycle: what learning reads
    "period_pcnt",
    "prm",  # this week's rule values, with the time learning and transition training take
    "permission",
)
TRUST_LEDGER = ("pg", "pb", "cg", "cb", "pair_good", "pair_bad", "com_good", "com_bad")  # system.TrustLedger


def _differences(fast: HLSModel, ref: ReferenceModel) -> list[str]:
    bad = [f"cit.{k}" for k in fast.cit if not np.array_equal(fast.cit[k], ref.cit[k])]
    bad += [f"twin.{k}" for k in Twin._fields if not np.array_equal(getattr(fast.twin, k), getattr(ref.twin, k))]
    bad += [f"wk.{k}" for k in fast.wk if not np.array_equal(fast.wk[k], ref.wk[k])]
    bad += [k for k in ORG_ARRAYS if not np.array_equal(getattr(fast, k), getattr(ref, k))]
    bad += [f"trust.{k}" for k in TRUST_LEDGER if not np.array_equal(getattr(fast.trust, k), getattr(ref.trust, k))]
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
    assert fast.imp[:10, I_PERSON_WEEKS].sum() == SMALL["citizens"] * (SMALL["weeks"] - SMALL["burn_in_weeks"])
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
    """Non-default help effects and a partial permission space: both engines must read the same values.
    No twins here, so the run without them is compared too."""
    kw = dict(
        regime="hls",
        twin=False,
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
    assert fast.twin.need.size == 0 and not fast.imp.any()  # no twins, no impact recorded
    default = HLSModel(seed=7, **{k: v for k, v in kw.items() if k in ("regime", "citizens", "weeks", "burn_in_weeks")})
    default.run()
    assert not np.array_equal(fast.cit["need"], default.cit["need"])  # the values are live, not ignored


# the providers of the side-by-side run with every channel open, by service line (in domain order:
# 0-1 housing, 2 income and debt, 3 physical health, 4-5 mental health, 6 substance use, 7 work)
EVERY_CHANNEL_LINES = dict(
    housing=2, income_debt=1, physical_health=1, mental_health=2, substance_use=1, work_learning=1
)
# and each provider's practice, one column per provider, set through the `provider_practice` parameter:
# every lever differs between providers, so a rule that read another provider's row, or one row for
# all, would show. Providers 1, 5 and 6 only reach out (nobody walks in at their doors): 1 and 5 beside
# a walk-in door in their domain (5 competing with its walk-in neighbour 4, which also reaches out, for
# the domain's outreach), 6 the only service for substance use, so that domain has no walk-in door at
# all; provider 3 has a walk-in door and reaches out too. 1 and 6 have posts of their own.
PRACTICE_COLUMNS = {
    "eligibility_threshold": (0.3, 0.0, 0.6, 0.35, 0.55, 0.2, 0.1, 0.65),
    "caseload_cap": (3, 6, 8, 5, 12, 4, 10, 20),
    "worker_discretion": (0.2, 1.0, 0.6, 0.4, 0.9, 0.8, 0.7, 0.1),
    "discretionary_spend": (0.0, 40.0, 0.0, 18.0, 42.0, 30.0, 0.0, 0.0),
    "max_episode_weeks": (6, 30, 26, 10, 52, 8, 16, 20),
    "outreach_rate": (0.0, 0.5, 0.0, 0.2, 0.1, 0.4, 0.35, 0.0),
}
REACH_ONLY = (1, 5, 6)
OWN_POSTS = {1: 10.0, 6: 10.0}  # workers_per_1000 of their own


def _every_channel_practice() -> str:
    """The `provider_practice` value (JSON text, as on the command line): one entry per provider."""
    entries = []
    for k in range(len(PRACTICE_COLUMNS["caseload_cap"])):
        entry = {"providers": [k], **{name: column[k] for name, column in PRACTICE_COLUMNS.items()}}
        if k in REACH_ONLY:
            entry["walk_in"] = False
        if k in OWN_POSTS:
            entry["workers_per_1000"] = OWN_POSTS[k]
        entries.append(entry)
    return json.dumps(entries)


class _CountsTheRun:
    """Keeps the run's counters (the engines reset them every week), system-wide, per provider and per
    pair of providers (referrals)."""

    def _people_week(self) -> None:
        super()._people_week()
        self.cnt_run = self.cnt.copy() if self.week == 0 else self.cnt_run + self.cnt
        self.pcnt_run = self.pcnt.copy() if self.week == 0 else self.pcnt_run + self.pcnt
        self.refer_run = self.refer_week.copy() if self.week == 0 else self.refer_run + self.refer_week


class _EveryChannelOpen(_CountsTheRun):
    """Providers that game on every channel at once, set at the start of each week (after their own
    pressure setting), so that the people phase runs every rule that the regimes rarely reach in a
    short run: cream-skimming by band, parking, clock stops, timing, churn, misreports, exclusions.
    (Each provider's practice comes from the `provider_practice` parameter, `PRACTICE_COLUMNS`.) The
    week's people phase also counts what no counter records: crises of people in service (which break
    the working relationship), skill learned on the job, and the caseload caps at which people were left
    waiting, and relationships that grew or faded on less than the regular weekly dose of relational
    time (`bond_min_hours`), where a rule of bond dynamics could differ unseen at full dose."""

    def _start_week(self) -> None:
        super()._start_week()
        policies = dict(honesty=0.5, timing=0.6, churn=0.15, exclusion=0.3, clock_priority=0.7, parking=0.5, refer=0.4)
        for name, value in policies.items():
            self.pol[:, POL[name]] = value
        self.refuse[:] = np.linspace(0.0, 0.6, self.refuse.shape[1])
        self.attract[:] = np.linspace(1.0, 0.2, self.attract.shape[1])
        self.stk[:] = (0.8, 0.6, 0.5)

    def _people_week(self) -> None:
        skill, rskill = self.wk["skill"].copy(), self.wk["rskill"].copy()
        active = self.wk["status"] == ACTIVE
        c, w = self.cit, self.wk
        bond, worker = c["bond"].copy(), c["worker"].copy()
        helped = c["status"] == IN_SERVICE
        super()._people_week()
        still = active & (w["status"] == ACTIVE)  # in post all week: not a new hire
        # in service with the same worker all week and no crisis: only the help moved the bond
        kept = helped & (c["status"] == IN_SERVICE) & (c["worker"] == worker) & (c["crisis_now"] == 0)
        thin = kept & (c["h_rel"] > 0.0) & (c["h_rel"] < self.prm[PRM["bond_min_hours"]])
        seen = {
            "crises_in_service": int(np.sum((c["crisis_now"] == 1) & (c["status"] == IN_SERVICE))),
            "skill_learned": int(np.sum(still & (w["skill"] > skill))),
            "rskill_learned": int(np.sum(still & (w["rskill"] > rskill))),
            "bond_grew_on_thin_contact": int(np.sum(thin & (c["bond"] > bond))),
            "bond_faded_on_thin_contact": int(np.sum(thin & (c["bond"] < bond))),
        }
        run = getattr(self, "seen_run", dict.fromkeys(seen, 0))
        self.seen_run = {k: run[k] + v for k, v in seen.items()}
        cap = self.practice[:, PRACTICE["caseload_cap"]]
        full = w["caseload"] >= cap[w["provider"]]
        self.capped = getattr(self, "capped", set()) | {
            int(cap[k])
            for k in range(self.n_prov)
            if np.any(full & (w["status"] == ACTIVE) & (w["provider"] == k))
            and np.any((c["status"] == WAITING) & (c["provider"] == k))
        }


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
        learning_cycle_weeks=6,  # learning cycles, so supervision speeds learning on the job
        bond_fade=0.25,  # thin contact outweighs the growth it brings for some cases, not for others
        citizens=200,
        weeks=50,
        burn_in_weeks=4,
        baseline_weeks=4,
        provider_practice=_every_channel_practice(),
        **{f"service_lines_{line}": count for line, count in EVERY_CHANNEL_LINES.items()},
    )
    fast, ref = _run_side_by_side(3, _OpenEngine, _OpenReference, **kw)
    assert fast.cnt_run.tolist() == ref.cnt_run.tolist()
    assert fast.pcnt_run.tolist() == ref.pcnt_run.tolist()
    assert fast.refer_run.tolist() == ref.refer_run.tolist()
    assert fast.seen_run == ref.seen_run
    # every referral is tallied between its two providers, as arrived or failed: what the trust ledger reads
    cnt = fast.cnt_run
    arrived, failed = fast.refer_run[:, :, 0], fast.refer_run[:, :, 1]
    assert failed.sum() == cnt[CNT["referral_failures"]]
    assert arrived.sum() + failed.sum() == cnt[CNT["referrals"]]
    assert (arrived > 0).sum() >= 2 and (failed > 0).sum() >= 2, fast.refer_run  # several pairs arrived, several failed
    assert not np.diagonal(fast.refer_run).any()  # never from a provider to itself
    # case notes were written at several providers, and they are not the real change: bonds in between
    notes = fast.pcnt_run[:, [PCNT["note_sum"], PCNT["note_sq"], PCNT["note_real_sum"]]]
    assert (notes != 0.0).all(axis=1).sum() >= 2, notes
    real = fast.pcnt_run[:, PCNT["real_sum"]]
    assert not np.array_equal(notes[:, 0], real), (notes[:, 0], real)
    # the parameter, not the regime's levers, set each provider's practice (discretion as far as the
    # permission space lets staff use it)
    n_prov = len(PRACTICE_COLUMNS["caseload_cap"])
    assert fast.n_prov == n_prov
    for name in ("eligibility_threshold", "caseload_cap", "max_episode_weeks", "outreach_rate"):
        assert fast.practice[:, PRACTICE[name]].tolist() == list(PRACTICE_COLUMNS[name]), name
    disc = np.array(PRACTICE_COLUMNS["worker_discretion"]) * fast.permission
    assert fast.practice[:, PRACTICE["discretion"]].tolist() == disc.tolist()
    walk_in = [0.0 if k in REACH_ONLY else 1.0 for k in range(n_prov)]
    assert fast.practice[:, PRACTICE["walk_in"]].tolist() == walk_in
    assert fast.staff_counts()[list(OWN_POSTS)].tolist() == [2, 2]  # their own posts: 10 per 1,000 of 200
    # outreach routing: every reach-out-only team took people on, and only people it reached, so
    # the rest of the outreach went to the walk-in teams that reach out too (3 and 4)
    intakes = fast.pcnt_run[:, PCNT["intakes"]]
    assert all(intakes[k] > 0 for k in REACH_ONLY), intakes
    assert intakes[list(REACH_ONLY)].sum() < fast.cnt_run[CNT["outreach_contacts"]]
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
        "rejected_threshold",
        "outreach_contacts",
        "give_ups",
        "crises",
        "twin_crises",
        "episode_limit_discharges",
    )
    idle = [name for name in channels if fast.cnt_run[CNT[name]] == 0.0]
    idle += [name for name, times in fast.seen_run.items() if times == 0]
    c = fast.cit
    people = {
        "dependence": c["dependence"] > 0.0,
        "contacts": c["contacts"] > 0.0,
        "presented": c["presented"] == 1,
        "gave_up": c["gave_up"] == 1,
    }
    idle += [f"cit.{name}" for name, moved in people.items() if not moved.any()]
    idle += [f"imp[{row}]" for row in (*range(10), PRESENTED_ROW) if fast.imp[row, I_PERSON_WEEKS] == 0.0]
    assert not idle, f"these rules never ran, so the comparison did not check them: {idle}"
    # the caseload caps bind, each provider's own: people waited while a post was full at different caps
    assert fast.capped == ref.capped and len(fast.capped) >= 2, fast.capped


class _TiesOnTop(_CountsTheRun):
    """Also counts, after each week, the people out of service whose highest need in a served domain
    is shared by another served domain: where the outreach routing's rule for equal needs decides."""

    def _people_week(self) -> None:
        super()._people_week()
        need = self.cit["need"][:, self.served == 1]
        ties = (need == need.max(axis=1, keepdims=True)).sum(axis=1) >= 2
        self.tied = getattr(self, "tied", 0) + int(np.sum(ties & (self.cit["status"] == COMMUNITY)))


class _TiesEngine(_TiesOnTop, HLSModel):
    pass


class _TiesReference(_TiesOnTop, ReferenceModel):
    pass


def test_reference_equals_numba_engine_where_every_team_only_reaches_out():
    """No walk-in door anywhere (every provider's `walk_in` false, through `provider_practice`): people
    come only when a team reaches them, though none of their needs has a door, and go to the team
    reaching out for their most pressing problem, never referred on. With no recovery of its own and
    frequent severe shocks, needs pile up at the top, so equal needs are common and the first-on-a-tie
    rule of that routing is compared too."""
    rates = (0.5, 0.2, 0.35, 0.1, 0.45, 0.3)  # each team its own rate, so a team for the wrong need shows
    practice = [{"providers": [k], "walk_in": False, "outreach_rate": r} for k, r in enumerate(rates)]
    kw = dict(
        regime="hls",
        provider_practice=json.dumps(practice),
        recovery_rate=0.0,
        shock_rate=0.5,
        shock_size=1.0,
        citizens=160,
        weeks=40,
        burn_in_weeks=4,
    )
    fast, ref = _run_side_by_side(6, _TiesEngine, _TiesReference, **kw)
    assert fast.cnt_run.tolist() == ref.cnt_run.tolist()
    assert fast.pcnt_run.tolist() == ref.pcnt_run.tolist()
    assert fast.n_prov == len(rates) and not fast.doors.any()  # nobody can walk in anywhere
    cnt = fast.cnt_run
    assert cnt[CNT["presentations"]] == cnt[CNT["outreach_contacts"]] > 0  # every contact was outreach
    assert cnt[CNT["referrals"]] == 0  # the team that reached them kept them
    assert (fast.pcnt_run[:, PCNT["intakes"]] > 0).all()  # every team reached someone
    assert fast.tied > 0 and fast.tied == ref.tied


def test_a_newcomer_opens_the_door_an_outreach_only_organisation_kept_closed():
    """`organisation_only` levers leave with the organisation: when an outreach-only team loses its
    contract, the newcomer that takes it keeps an ordinary walk-in door, in the engine's door table as
    in the reference (which reads each provider's practice every week)."""
    practice = [{"providers": list(range(6)), "walk_in": False, "outreach_rate": 0.3, "organisation_only": True}]
    kw = dict(
        regime="payment_by_results",
        provider_practice=json.dumps(practice),
        baseline_weeks=10,
        retender_weeks=20,
        citizens=220,
        weeks=70,
        burn_in_weeks=8,
    )
    fast, ref = _run_side_by_side(11, **kw)
    assert fast.n_prov == 6 and fast.provider_churn >= 1  # a tender replaced an organisation
    replaced = [k for k in range(fast.n_prov) if not fast.own[k]]
    assert replaced and int(fast.doors.sum()) == len(replaced)  # their doors, and only theirs, are open


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


def test_lives_split_over_two_threads_give_the_same_run(monkeypatch):
    """Living half the population's week on a helper thread changes the timing, never the numbers:
    every row is independent and the tallies are added in person order afterwards."""
    import hls_sim.kernels.life as life

    kw = dict(regime="payment_by_results", citizens=301, weeks=40, burn_in_weeks=4)  # odd: unequal halves
    whole = run(seed=7, **kw)
    calls = []
    real = life.life_rows
    monkeypatch.setattr(life, "SPLIT_MIN_ROWS", 2)
    monkeypatch.setattr(life, "life_rows", lambda *a: calls.append((a[6], a[7])) or real(*a))
    split = run(seed=7, **kw)
    assert (0, 150) in calls and (150, 301) in calls  # both halves, warm-up and weeks alike
    assert split.timeseries.equals(whole.timeseries)
    assert all(_same(split.summary[k], whole.summary[k]) for k in whole.summary)


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
    """A process forked after drawing ahead (and living half the lives on a helper thread) gets its
    own helper threads, not dead copies (no hang)."""
    import multiprocessing

    import hls_sim.kernels.life as life

    monkeypatch.setattr(hls_sim.draws, "PREFETCH_MIN_ROWS", 1)
    monkeypatch.setattr(life, "SPLIT_MIN_ROWS", 1)
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
