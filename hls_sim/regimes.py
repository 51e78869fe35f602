"""Regimes as named points in one lever space (brief section 3).

A regime is nothing but a bundle of lever values: no code path asks "which regime is this?".
That is what lets a sweep move continuously from payment by results to HLS, and what keeps
every difference between regimes an emergent consequence of agents responding to levers.
Levers not named in a bundle keep their defaults from `params.py`.
"""

from __future__ import annotations

from typing import Any

REGIMES: dict[str, dict[str, Any]] = {
    # Traditional public administration: capacity funding, thresholds, no stakes on the numbers.
    "block_grant": dict(
        payment_basis="block",
        incentive_strength=0.0,
        outcome_target=0.0,
        league_table_sanction=0.0,
        wait_target_weeks=0,
        ratchet=False,
        audit_rate=0.02,
        retender_weeks=0,
        eligibility_threshold=0.5,
        indicators_per_case=4.0,
        worker_discretion=0.3,
        discretionary_spend=0.0,
        max_episode_weeks=26,
        alliance=False,
        provider_kpis=True,
        learning_cycle_weeks=0,
        steward=False,
    ),
    # NPM: block funding with outcome and time-to-service targets, penalties, ratchet, re-tendering.
    "output_targets": dict(
        payment_basis="block",
        incentive_strength=0.7,
        outcome_target=0.05,
        target_basis="baseline",
        league_table_sanction=0.2,
        wait_target_weeks=4,
        wait_target_share=0.9,
        ratchet=True,
        audit_rate=0.03,
        retender_weeks=156,
        eligibility_threshold=0.5,
        indicators_per_case=6.0,
        worker_discretion=0.2,
        discretionary_spend=0.0,
        max_episode_weeks=26,
        alliance=False,
        provider_kpis=True,
        learning_cycle_weeks=0,
        steward=False,
    ),
    # NPM: a share of the contract paid per reported outcome, competitive re-tendering.
    "payment_by_results": dict(
        payment_basis="outcome",
        incentive_strength=0.8,
        outcome_payment_share=0.6,
        price_by_difficulty=False,
        outcome_target=0.0,
        wait_target_weeks=0,
        ratchet=False,
        audit_rate=0.03,
        retender_weeks=156,
        eligibility_threshold=0.5,
        indicators_per_case=6.0,
        worker_discretion=0.1,
        discretionary_spend=0.0,
        max_episode_weeks=26,
        alliance=False,
        provider_kpis=True,
        learning_cycle_weeks=0,
        steward=False,
    ),
    # Alliance: one pooled contract, shared risk, open books, no provider-level KPIs (001 L1663-1668).
    "alliance": dict(
        payment_basis="pooled",
        incentive_strength=0.0,
        wait_target_weeks=0,
        ratchet=False,
        audit_rate=0.01,
        retender_weeks=0,
        eligibility_threshold=0.4,
        indicators_per_case=2.0,
        worker_discretion=0.5,
        discretionary_spend=0.0,
        max_episode_weeks=39,
        alliance=True,
        open_books=True,
        provider_kpis=False,
        learning_cycle_weeks=0,
        steward=False,
    ),
    # HLS: alliance plus learning cycles, a funded steward, discretion and measures for learning only
    # (001 L164-604; 002 ch.17, L1191-1195, L1269-1271).
    "hls": dict(
        payment_basis="pooled",
        incentive_strength=0.0,
        wait_target_weeks=0,
        ratchet=False,
        audit_rate=0.01,
        retender_weeks=0,
        eligibility_threshold=0.2,
        indicators_per_case=1.0,
        worker_discretion=0.9,
        discretionary_spend=8.0,
        max_episode_weeks=52,
        alliance=True,
        open_books=True,
        provider_kpis=False,
        learning_cycle_weeks=6,
        steward=True,
    ),
}

_PBR = REGIMES["payment_by_results"]  # the note reads the bundle's own values
DESCRIPTIONS = {
    "block_grant": "Traditional administration: capacity funding, eligibility thresholds, no stakes on numbers.",
    "output_targets": "NPM targets: an outcome target (baseline + 5 points) and a 4-week wait target, ratchet, penalties, league table, re-tendering.",
    "payment_by_results": (
        f"NPM PbR: {_PBR['outcome_payment_share']:.0%} of contract value paid per reported outcome at full stakes "
        f"({_PBR['outcome_payment_share'] * _PBR['incentive_strength']:.0%} at the bundle's stakes of "
        f"{_PBR['incentive_strength']:g}), re-tendering every {_PBR['retender_weeks'] // 52:g} years."
    ),
    "alliance": "One pooled alliance contract, shared risk, open books, no provider KPIs (Plymouth).",
    "hls": "Alliance plus learning cycles, a systems steward, worker discretion, measures for learning only.",
}


def regime_levers(name: str) -> dict[str, Any]:
    if name not in REGIMES:
        from hls_sim.params import ParameterError

        raise ParameterError(f"unknown regime '{name}': allowed is one of {', '.join(REGIMES)}", key="regime")
    return dict(REGIMES[name])
