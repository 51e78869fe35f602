"""Words and units for the names the model uses in code, for charts and tables people read.

A chart titled `campbell_gap` or a facet headed `incentive_strength=0.6000000000000001` tells a
reader nothing; the same chart titled "Campbell gap (reported - true), share points" and headed
"stakes 0.6" does. Parameter units come from the registry (`params.py`), so they are defined in
one place; outputs, which the registry does not hold, get a small map here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from hls_sim.params import PARAMS

# output -> (words, unit)
OUTPUTS: dict[str, tuple[str, str]] = {
    "impact_wellbeing": ("impact: wellbeing against no services", "per person-year"),
    "impact_wellbeing_presented": ("impact: wellbeing of people who came forward", "per person-year"),
    "need_years_avoided_per_1000": ("impact: years of serious need avoided", "per 1,000 person-years"),
    "crises_avoided_per_1000_per_year": ("impact: crises avoided against no services", "per 1,000 people a year"),
    "crises_no_service_per_1000_per_year": ("crises with no services at all", "per 1,000 people a year"),
    "reactive_contacts_per_1000_per_year": (
        "contacts with reactive services short of crisis",
        "per 1,000 people a year",
    ),
    "reactive_contacts_avoided_per_1000_per_year": (
        "impact: reactive-service contacts avoided against no services",
        "per 1,000 people a year",
    ),
    "reactive_contacts_no_service_per_1000_per_year": (
        "reactive-service contacts with no services at all",
        "per 1,000 people a year",
    ),
    "net_cost_against_no_service": ("net cost against no services", "GBP over the run"),
    "cost_per_crisis_avoided": ("net cost per crisis avoided", "GBP"),
    "cost_per_need_year_avoided": ("net cost per year of serious need avoided", "GBP"),
    "true_outcome": ("true outcome: closed cases really resolved", "share"),
    "reported_outcome": ("reported outcome", "share"),
    "campbell_gap": ("Campbell gap (reported - true)", "share points"),
    "gaming_effort_substitution": ("gaming: effort substitution", "share of hours"),
    "gaming_threshold": ("gaming: threshold effect", "share of hours"),
    "gaming_ratchet": ("gaming: ratchet effect", "share of hours"),
    "gaming_misreporting": ("gaming: misreporting", "share of discharges"),
    "gaming_cream_skimming": ("gaming: cream-skimming", "share of eligible"),
    "gaming_parking": ("gaming: parking", "share of case hours"),
    "gaming_timing": ("gaming: timing", "share of discharges"),
    "gaming_clock_stops": ("gaming: clock stopped by a token contact", "share of starts"),
    "gaming_hours_share": ("hours on number-improving effort", "share of hours"),
    "time_to_service_true": ("started within the wait target, true", "share"),
    "time_to_service_reported": ("started within the wait target, reported", "share"),
    "wellbeing_mean": ("wellbeing, everyone", "0-1"),
    "wellbeing_most_complex_decile": ("wellbeing, most complex tenth", "0-1"),
    "real_improvement_rate": ("real improvement at follow-up", "share"),
    "crisis_events_per_1000_per_year": ("crisis events", "per 1,000 people a year"),
    "total_cost_per_year": ("total cost", "GBP a year"),
    "total_cost": ("total cost", "GBP"),
    "cost_per_true_outcome": ("cost per real improvement", "GBP"),
    "worker_turnover": ("worker turnover", "share a year"),
    "motivation_mean": ("intrinsic motivation of staff", "0-1"),
    "morale_mean": ("worker morale", "0-1"),
    "burnout_mean": ("worker burnout", "0-1"),
    "trust_citizen_mean": ("citizens' trust in services", "0-1"),
    "trust_provider_provider": ("trust between providers", "0-1"),
    "trust_commissioner_provider": ("commissioner-provider trust", "0-1"),
    "knowledge_mean": ("shared knowledge", "0-1"),
    "permission_space": ("permission to use discretion", "0-1"),
    "cost_total": ("total cost", "GBP a week"),
}

# Short names for the levers a sweep usually varies (others are spelt out from their names).
PARAM_WORDS: dict[str, str] = {
    "incentive_strength": "stakes",
    "audit_rate": "audit rate",
    "audit_penalty": "audit penalty",
    "outcome_payment_share": "share paid per outcome",
    "price_by_difficulty": "priced by difficulty",
    "retender_weeks": "re-tender interval",
    "intrinsic_motivation": "intrinsic motivation",
    "caseload_cap": "caseload cap",
    "worker_discretion": "worker discretion",
    "mission_weight": "mission weight",
    "learning_cycle_weeks": "learning cycle",
    "switch_week": "week of the change",
    "transition_cost": "up-front investment",
    "crisis_cost": "crisis cost",
    "reactive_contact_cost": "reactive contact cost",
    "citizens": "population",
    "audit_cost": "audit cost",
    "tender_cost": "cost of a re-tender",
    "steward_cost": "steward cost",
    "hourly_cost": "hourly cost of a worker",
    "crisis_prob": "chance that serious need becomes a crisis",
    "relational_effect": "effect of relational work",
    "protocol_effect": "effect of protocol work",
    "gaming_efficiency": "gaming efficiency",
    "learning_rate": "learning rate",
    "base_turnover": "staff turnover, any regime",
}
PARAM_LONG: dict[str, str] = {"incentive_strength": "stakes on the indicator"}

REGIME_WORDS: dict[str, str] = {
    "block_grant": "block grant",
    "output_targets": "output targets",
    "payment_by_results": "payment by results",
    "alliance": "alliance",
    "hls": "HLS",
}


def output_words(name: str) -> str:
    """'campbell_gap' -> 'Campbell gap (reported - true)'; unknown names lose their underscores."""
    return OUTPUTS.get(name, (name.replace("_", " "), ""))[0]


def output_unit(name: str) -> str:
    return OUTPUTS.get(name, ("", ""))[1]


def output_title(name: str) -> str:
    """Words and unit: 'Campbell gap (reported - true), share points'."""
    unit = output_unit(name)
    return f"{output_words(name)}, {unit}" if unit else output_words(name)


def param_words(name: str) -> str:
    return PARAM_WORDS.get(name, name.replace("_", " "))


def param_unit(name: str) -> str:
    prm = PARAMS.get(name)
    if prm is None or prm.kind in (bool, str) or prm.unit in ("", "name", "flag"):
        return ""
    return prm.unit


def param_title(name: str) -> str:
    """An axis or legend title: 'stakes on the indicator (0-1)', 'audit rate (share)'."""
    words = PARAM_LONG.get(name, param_words(name))
    unit = param_unit(name)
    return f"{words} ({unit})" if unit else words


def number(x: Any) -> str:
    """A number as a person writes it: 0.6000000000000001 -> '0.6', 1500.0 -> '1,500'."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "n/a"
        if x == int(x) and abs(x) >= 1:
            return f"{int(x):,}"
        if abs(x) >= 100:
            return f"{x:,.0f}"
        return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"
    return str(x)


def value_words(name: str, value: Any) -> str:
    """One parameter value in words: regime names spelt out, numbers formatted, flags as yes/no."""
    if name in ("regime", "switch_regime") and isinstance(value, str):
        return REGIME_WORDS.get(value, value.replace("_", " "))
    if isinstance(value, str):
        return value.replace("_", " ")
    return number(value)


def point_label(values: Mapping[str, Any], keys: Sequence[str]) -> str:
    """A design point in words: 'payment by results, stakes 0.6' (a regime needs no name before it)."""
    parts = []
    for k in keys:
        v = value_words(k, values[k])
        parts.append(v if k == "regime" else f"{param_words(k)} {v}")
    return ", ".join(parts)


def readable_label(label: str) -> str:
    """A label written as 'key=value, key=value' (parameters by their code names) in words;
    any other label (a regime or scenario name a user chose) is returned as it is."""
    pieces = [p.strip() for p in label.split(", ")]
    pairs = [p.split("=", 1) for p in pieces]
    if pieces and all(len(p) == 2 and p[0] in PARAMS for p in pairs):
        values: dict[str, Any] = {}
        for k, v in pairs:
            kind = PARAMS[k].kind
            try:
                values[k] = kind(float(v)) if kind in (int, float) else v
            except ValueError:
                values[k] = v
        return point_label(values, [k for k, _ in pairs])
    return label


# Output -> (short words, short unit) for the terminal's compare table, which must fit 100 columns;
# the report and `--wide` use the full words and units above.
TERMINAL: dict[str, tuple[str, str]] = {
    "impact_wellbeing": ("wellbeing gained vs no services", "/person-yr"),
    "crises_avoided_per_1000_per_year": ("crises avoided vs no services", "/1,000/yr"),
    "need_years_avoided_per_1000": ("years of serious need avoided", "/1,000 p-yr"),
    "cost_per_crisis_avoided": ("net cost per crisis avoided", "GBP"),
    "cost_per_need_year_avoided": ("net cost per need-year avoided", "GBP"),
    "true_outcome": ("cases really resolved", "share"),
    "reported_outcome": ("cases reported resolved", "share"),
    "campbell_gap": ("Campbell gap (reported - true)", "points"),
    "gaming_hours_share": ("hours on number-improving effort", "share"),
    "wellbeing_mean": ("wellbeing, everyone", "0-1"),
    "wellbeing_most_complex_decile": ("wellbeing, most complex tenth", "0-1"),
    "crisis_events_per_1000_per_year": ("crises", "/1,000/yr"),
    "total_cost_per_year": ("total cost, crises included", "GBP/yr"),
    "worker_turnover": ("staff turnover", "/yr"),
    "morale_mean": ("worker morale", "0-1"),
}


def terminal_title(name: str) -> str:
    """Short words and unit for a terminal table: 'crises avoided vs no services (/1,000/yr)'."""
    words, unit = TERMINAL.get(name, (output_words(name), output_unit(name)))
    return f"{words} ({unit})" if unit else words
