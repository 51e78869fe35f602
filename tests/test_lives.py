"""Lives against their own counterfactual (issue 15): a stationary no-service world, the no-service
twin, harm from being turned away, and impact that help with no effect cannot win."""

from __future__ import annotations

import numpy as np
import pytest

import hls_sim
from hls_sim.model import HLSModel
from hls_sim.regimes import REGIMES

NO_EFFECT = dict(protocol_effect=0.0, relational_effect=0.0, discretionary_spend=0.0)
IMPACT = (
    "impact_wellbeing",
    "impact_wellbeing_presented",
    "need_years_avoided_per_1000",
    "crises_avoided_per_1000_per_year",
    "reactive_contacts_avoided_per_1000_per_year",
    "cost_per_crisis_avoided",
    "cost_per_need_year_avoided",
    "net_cost_against_no_service",
)


def test_with_no_service_nobody_presents_and_the_twin_is_the_life():
    m = HLSModel(seed=2, regime="block_grant", workers_per_1000=0, citizens=600, weeks=104)
    m.run()
    s = m.recorder.summary(m)
    ts = m.recorder.table()
    assert ts["n_presentations"].sum() == 0 and ts["in_service"].max() == 0 and ts["waiting"].max() == 0
    assert np.array_equal(m.cit["need"], m.twin.need)
    assert s["impact_wellbeing"] == 0.0 and s["crises_avoided_per_1000_per_year"] == 0.0
    assert s["money_paid_by_commissioner"] == 0.0


def test_the_no_service_world_is_stationary_over_ten_years():
    """The population starts in its own steady state (issue 15: lives no longer heal or collapse on
    their own). The issue's bar is 0.02 in wellbeing and 20% in crises from year 2 to year 10; the
    model does better (ODD 7.2 gives the measured drift), and this holds it to half of both, with a
    yearly trend within 0.001 on every seed, so a regression to a drifting world shows here first."""
    for seed in (1, 2, 3, 4):
        ts = hls_sim.run(seed=seed, regime="block_grant", workers_per_1000=0, weeks=520).timeseries
        wb = ts["wellbeing_mean"].to_numpy()
        cr = ts["n_crises"].to_numpy()
        y2, y10 = slice(52, 104), slice(468, 520)
        assert abs(wb[y10].mean() - wb[y2].mean()) < 0.01, seed
        assert abs(cr[y10].sum() / cr[y2].sum() - 1.0) < 0.1, seed
        yearly = wb[52:520].reshape(9, 52).mean(axis=1)
        slope = np.polyfit(np.arange(9.0), yearly, 1)[0]
        assert abs(slope) < 0.001, (seed, slope)


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_help_with_no_effect_cannot_beat_no_service(regime):
    s = hls_sim.run(seed=1, regime=regime, **NO_EFFECT).summary
    assert s["impact_wellbeing"] <= 0.002
    assert s["crises_avoided_per_1000_per_year"] <= 5.0
    # contacts with reactive services follow need alone, so help that changes no need saves none
    assert s["reactive_contacts_avoided_per_1000_per_year"] <= 5.0


def test_the_twin_changes_nothing_else_and_can_be_turned_off():
    on = hls_sim.run(seed=3, regime="hls", citizens=500, weeks=104)
    off = hls_sim.run(seed=3, regime="hls", citizens=500, weeks=104, twin=False)
    for k, v in on.summary.items():
        impact_decile = k.endswith("_by_complexity_decile") and k.split("_by_")[0] in IMPACT
        if k in IMPACT or impact_decile or k.endswith("_no_service_per_1000_per_year"):
            assert off.summary[k] is None or off.summary[k] == [None] * 10, k
        elif k != "parameters":
            assert off.summary[k] == v or (v != v and off.summary[k] != off.summary[k]), k
    assert off.timeseries.drop("wellbeing_twin_mean").equals(
        on.timeseries.drop("wellbeing_twin_mean").with_columns(
            on.timeseries["n_twin_crises"] * 0, on.timeseries["n_twin_reactive_contacts"] * 0
        )
    )


def test_impact_keys_are_defined_by_decile_and_for_people_who_presented():
    s = hls_sim.run(seed=1, regime="hls", citizens=800, weeks=156).summary
    for k in IMPACT:
        assert k in s
    for k in ("impact_wellbeing", "need_years_avoided_per_1000", "crises_avoided_per_1000_per_year"):
        dec = s[f"{k}_by_complexity_decile"]
        assert len(dec) == 10 and all(x is not None for x in dec)
    # helped people gain more than the population as a whole
    assert s["impact_wellbeing_presented"] > s["impact_wellbeing"] > 0.0


def test_turning_people_away_harms_them():
    """Refusals, waiting and failed referrals cost self-efficacy, which slows people's own recovery:
    with no effect from help, a high threshold leaves people worse off than no service at all."""
    high = hls_sim.run(seed=1, regime="block_grant", eligibility_threshold=0.8, **NO_EFFECT).summary
    assert high["impact_wellbeing"] < 0.0
    gentle = hls_sim.run(
        seed=1,
        regime="block_grant",
        eligibility_threshold=0.8,
        refusal_efficacy_loss=0.0,
        referral_fail_efficacy_loss=0.0,
        wait_efficacy_loss=0.0,
        **NO_EFFECT,
    ).summary
    assert gentle["impact_wellbeing"] > high["impact_wellbeing"]


def test_people_who_give_up_come_back_through_a_crisis_or_outreach():
    base = dict(seed=2, regime="block_grant", eligibility_threshold=0.8, citizens=800, weeks=156)
    quiet = hls_sim.run(**base, give_up_rate=0.0).timeseries
    gave = hls_sim.run(**base, give_up_rate=1.0).timeseries
    assert quiet["n_give_ups"].sum() == 0 and gave["n_give_ups"].sum() > 0
    assert gave["n_presentations"].sum() < quiet["n_presentations"].sum()
    reached = hls_sim.run(**base, give_up_rate=1.0, outreach_rate=0.3).timeseries
    assert reached["n_outreach_contacts"].sum() > 0
    assert reached["n_presentations"].sum() > gave["n_presentations"].sum()


def test_skills_are_learned_on_the_job():
    m = HLSModel(seed=1, regime="block_grant", citizens=600, weeks=104, base_turnover=0.0)
    active = m.wk["status"] == 1
    start = m.wk["skill"][active].copy()
    m.run()
    still = active & (m.wk["status"] == 1)
    assert (m.wk["skill"][still] >= start[still[active]] - 1e-12).all()
    assert m.wk["skill"][still].mean() > start[still[active]].mean()
    none = HLSModel(seed=1, regime="block_grant", citizens=600, weeks=104, base_turnover=0.0, skill_practice_rate=0.0)
    none.run()
    assert np.array_equal(none.wk["skill"][still], start[still[active]])


def test_deficit_focused_help_builds_repeat_demand():
    """Dependence built by protocol help brings people back (001 L337-341, L776)."""
    base = dict(seed=1, regime="block_grant", worker_discretion=0.0)
    plain = hls_sim.run(**base, dependence_gain=0.0).summary
    reliant = hls_sim.run(**base, dependence_gain=5.0).summary
    assert reliant["repeat_demand_share"] > plain["repeat_demand_share"]


def test_the_cost_of_impact_by_decile_adds_up_to_the_whole():
    """Each decile carries its own crises and reactive contacts and a share of the rest of the cost in
    proportion to the frontline hours its people received, so the deciles' net costs add up to
    `net_cost_against_no_service`, and a decile that received no help carries no service cost."""
    from hls_sim.kernels.life import I_CRISES, I_CRISES_TWIN, I_SERIOUS_AVOIDED

    m = HLSModel(seed=5, regime="payment_by_results", citizens=800, weeks=156)
    m.run()
    s = m.recorder.summary(m)
    dec = m.imp[:10]
    crises = dec[:, I_CRISES_TWIN] - dec[:, I_CRISES]
    need_years = dec[:, I_SERIOUS_AVOIDED] / 52.0
    per_crisis = s["cost_per_crisis_avoided_by_complexity_decile"]
    per_need = s["cost_per_need_year_avoided_by_complexity_decile"]
    assert len(per_crisis) == len(per_need) == 10
    net = []
    for c, a, n, y in zip(per_crisis, crises, per_need, need_years, strict=True):
        assert c is not None or n is not None  # on this seed every decile avoided crises or need
        assert (c is None) == (a <= 0) and (n is None) == (y <= 0)
        if c is not None and n is not None:  # one net cost behind both lists
            assert c * a == pytest.approx(n * y, rel=1e-9)
        net.append(c * a if c is not None else n * y)
    assert sum(net) == pytest.approx(s["net_cost_against_no_service"], rel=1e-9)
