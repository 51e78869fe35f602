"""Incentives come from the rules (issue 14): negative controls and directions on whole runs.

A channel of gaming appears only where the contract makes it pay; the stakes dial changes nothing
where nothing depends on the indicator; selection on the reported indicator raises gaming even
when no provider adapts; money adds up.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from polars.testing import assert_frame_equal
from scipy import stats

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


# every consequence output_targets attaches to the reported numbers, switched off
NO_CONSEQUENCE = dict(outcome_target=0.0, wait_target_weeks=0, league_table_sanction=0.0, retender_weeks=0)


def summary(**kw):
    """The summary of one seeded run at MID size; a run asked for twice is made once (the model is
    deterministic given its arguments, and no test changes a summary)."""
    return _summary(tuple(sorted({"seed": 1, **MID, **kw}.items())))


@functools.lru_cache(maxsize=64)
def _summary(items: tuple) -> dict:
    return hls_sim.run(**dict(items)).summary


def gaming_and_gap(s: dict) -> list[str]:
    """Every gaming_* key of a summary, and the Campbell gap (reported minus true outcome)."""
    keys = [k for k in s if k.startswith("gaming_")]
    assert set(GAMING) <= set(keys)
    return [*keys, "campbell_gap"]


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


def test_outcome_basis_with_nothing_paid_by_results_has_no_gaming_and_no_campbell_gap():
    """Full stakes on an outcome basis, but no share of the contract paid per outcome: no number is
    worth anything, so every gaming channel and the gap are exactly zero (not merely small)."""
    zero = summary(regime="block_grant", payment_basis="outcome", outcome_payment_share=0.0, incentive_strength=1.0)
    for k in gaming_and_gap(zero):
        assert zero[k] == 0.0, (k, zero[k])


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


def test_output_targets_with_every_consequence_off_has_no_gaming_and_no_campbell_gap():
    """Block pay, stakes of 0.7 and audits, but no outcome target, no wait target, no league-table
    sanction and no re-tender: nothing depends on a reported number, so nothing is gamed."""
    s = summary(regime="output_targets", **NO_CONSEQUENCE)
    for k in gaming_and_gap(s):
        assert s[k] == 0.0, (k, s[k])


# (consequence, what holds everything else, the lever(s) that switch it off, the channels it drives)
# Under output_targets. The league-table sanction and re-tendering each make a reported success
# worth something on their own (contract.indicator_values: the bottom provider of the table is
# sanctioned; a provider low on the table is likelier to lose its contract), so each is tested
# with every other consequence off: on, they drive effort substitution, exclusions, cream-skimming,
# parking, gaming hours and the gap; off, the run is NO_CONSEQUENCE.
DRIVEN_BY_THE_TABLE = (
    "gaming_effort_substitution",
    "gaming_exclusions",
    "gaming_cream_skimming",
    "gaming_parking",
    "gaming_hours_share",
    "campbell_gap",
)
CONSEQUENCES = [
    ("ratchet", {}, {"ratchet": False}, ("gaming_ratchet",)),
    ("outcome target (the ratchet acts on it alone)", {}, {"outcome_target": 0.0}, ("gaming_ratchet",)),
    ("wait target", {}, {"wait_target_weeks": 0}, ("gaming_clock_stops",)),
    (
        "both targets",
        {},
        {"outcome_target": 0.0, "wait_target_weeks": 0},
        ("gaming_threshold", "gaming_ratchet", "gaming_clock_stops"),
    ),
    (
        "league-table sanction",
        {"outcome_target": 0.0, "wait_target_weeks": 0, "retender_weeks": 0},
        {"league_table_sanction": 0.0},
        DRIVEN_BY_THE_TABLE,
    ),
    (
        "re-tendering",
        {"outcome_target": 0.0, "wait_target_weeks": 0, "league_table_sanction": 0.0},
        {"retender_weeks": 0},
        DRIVEN_BY_THE_TABLE,
    ),
]


@pytest.mark.parametrize(("consequence", "rest", "off", "channels"), CONSEQUENCES, ids=[c[0] for c in CONSEQUENCES])
def test_each_consequence_drives_its_channel_and_set_to_zero_removes_it(consequence, rest, off, channels):
    on = summary(regime="output_targets", **rest)
    zero = summary(regime="output_targets", **rest, **off)
    for k in channels:
        assert on[k] > 0.0, f"positive control: {consequence} on, {k} = {on[k]}"
        assert zero[k] == 0.0, f"{consequence} off, {k} = {zero[k]}"


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


def _window_gap(ts, start: int, stop: int) -> float:
    """Campbell gap over weeks [start, stop): reported minus true outcome rate from the weekly counts
    (the same ratios as the summary's, metrics._derived_rates, over the window's totals)."""

    def tot(col: str) -> float:
        return float(ts[col][start:stop].sum())

    reported = tot("n_closes_reported_success") / tot("n_closes_counted")
    true = tot("n_closes_true_success") / tot("n_discharges")
    return reported - true


SELECTION = dict(regime="payment_by_results", citizens=1500, weeks=208, policy_adapt_rate=0.0)


def test_selection_on_the_reported_indicator_raises_gaming_without_adaptation():
    """Difference in differences, paired by seed, so that only what a re-tender does is measured.

    With `policy_adapt_rate` 0 a provider sets its policies once, when the contract starts after the
    baseline (week 52), and never moves them. Re-tendering already raises gaming before any tender:
    contract security makes a reported success worth more, so the first policies game more. That
    part is the same before and after the first tender; what changes at a tender is selection (the
    lowest scorer on the reported indicator loses, the winner copies the best scorer's model). So
    the gap after the first tender minus the gap before it, with tendering every 52 weeks, against
    the same difference without tendering: the 95% t-interval over 10 seeds lies above zero.

    Timing (model.py): the contract starts at week `baseline_weeks` (52); a tender falls at the end
    of week w when (w + 1) % retender_weeks == 0 and the baseline is over, so the first is at the
    end of week 103 (the one at week 51 is skipped, in the baseline). 'Before' starts once every
    case closing was taken on under the contract's policies (week 52 + max_episode_weeks 26 = 78)
    and ends with week 103; 'after' is weeks 104-207 (tenders at 103, 155, 207).
    """
    from hls_sim.params import resolve

    p = resolve({**SELECTION, "retender_weeks": 52})
    first_tender = 2 * p["retender_weeks"]  # the first multiple of 52 weeks past the baseline
    assert p["baseline_weeks"] == 52 and first_tender == 104
    before = (p["baseline_weeks"] + p["max_episode_weeks"], first_tender)
    after = (first_tender, p["weeks"])
    diffs = []
    for seed in range(1, 11):
        change = {}
        for rt in (52, 0):
            ts = hls_sim.run(seed=seed, **SELECTION, retender_weeks=rt).timeseries
            change[rt] = _window_gap(ts, *after) - _window_gap(ts, *before)
        diffs.append(change[52] - change[0])
    d = np.array(diffs)
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
    assert d.mean() - half > 0.0, (d.round(4).tolist(), d.mean(), half)


SMALL = dict(citizens=300, weeks=80, burn_in_weeks=10)
NAMES = ("regime", "final_regime")  # the keys and columns that echo a regime's name


def _run_with_levers_of(bundle: str, *, name: str, **extra):
    """A run under the name `name` with every parameter the bundle `bundle` resolves to given explicitly."""
    from hls_sim.params import resolve

    levers = {k: v for k, v in resolve({"regime": bundle, **SMALL, **extra}).items() if k not in ("regime", "seed")}
    return hls_sim.run(seed=1, regime=name, **levers)


def _assert_same_run(a, b) -> None:
    differ = [k for k in a.summary if k not in NAMES and not _same_value(a.summary[k], b.summary[k])]
    assert differ == []
    assert sorted(a.summary) == sorted(b.summary)
    keep = [c for c in a.timeseries.columns if c not in NAMES]
    assert keep == [c for c in b.timeseries.columns if c not in NAMES]
    assert_frame_equal(a.timeseries.select(keep), b.timeseries.select(keep), check_exact=True)


def _same_value(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return _same(a, b)


@pytest.mark.parametrize("bundle", sorted(REGIMES))
def test_the_same_levers_give_the_same_result_whatever_the_regimes_name(bundle):
    """No code path asks which regime it is (regimes.py): every other name, with every lever of
    `bundle` given explicitly, gives `bundle`'s summary and weekly table, to the bit."""
    own = hls_sim.run(seed=1, regime=bundle, **SMALL)
    for name in sorted(set(REGIMES) - {bundle}):
        renamed = _run_with_levers_of(bundle, name=name)
        assert renamed.params["regime"] == name and renamed.timeseries["regime"][0] == name
        _assert_same_run(own, renamed)


SWITCH = dict(switch_week=40, switch_regime="payment_by_results")


@pytest.mark.parametrize("bundle", sorted(REGIMES))
def test_a_switch_gives_the_same_result_whatever_the_first_regimes_name(bundle):
    """The same with a switch at week 40 (to payment_by_results, `switch_keep_overrides` off): the
    switch loads the new bundle by its name over the levers in force, which are the same."""
    own = hls_sim.run(seed=1, regime=bundle, **SMALL, **SWITCH)
    assert own.timeseries["regime"][39] == bundle and own.summary["final_regime"] == "payment_by_results"
    name = next(n for n in sorted(REGIMES) if n != bundle)
    _assert_same_run(own, _run_with_levers_of(bundle, name=name, **SWITCH))


def test_a_switch_reads_the_new_regime_by_its_levers_not_its_name(monkeypatch):
    """The switch must load the new regime's bundle by name (`switch_regime` takes only the named
    regimes, so its levers cannot be given explicitly); instead, two names holding the same bundle
    lead to the same run. The alliance's bundle is made hls's for the length of this test."""
    switch = dict(regime="payment_by_results", switch_week=40, **SMALL)
    to_hls = hls_sim.run(seed=1, switch_regime="hls", **switch)
    assert to_hls.summary["final_regime"] == "hls"
    assert regime_levers("alliance") != regime_levers("hls")
    monkeypatch.setitem(REGIMES, "alliance", dict(REGIMES["hls"]))
    to_twin = hls_sim.run(seed=1, switch_regime="alliance", **switch)
    assert to_twin.summary["final_regime"] == "alliance"
    _assert_same_run(to_hls, to_twin)


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
