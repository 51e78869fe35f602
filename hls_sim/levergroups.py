"""Every parameter of the model in exactly one lever group, for `hls-sim explain` and `compare --common-operations`.

`hls-sim explain A B` splits the difference between two settings into the share each group of
levers is responsible for. That is only honest if every parameter on which A and B differ is
counted in exactly one group, so the groups are one table of data here, not code paths: a
parameter is placed by its name (or a name pattern such as `service_lines_*`), or else by the
registry group it belongs to in `hls_sim.params` (the model's mechanisms, the population, the
workforce: background constants that a new parameter there joins without a line here). A lever,
provider or cost parameter that no entry places is an error naming it, and the coverage test in
tests/test_explain.py says which line to add.

Adding a parameter to a group is one line: its name in the group's `names`.

Two groups are special:

- `run` (population size, run length, burn-in, warm-up, twin) must be the same on both sides:
  with common random numbers the same seed gives the same people only in the same run, so a
  difference there is refused rather than "explained".
- `regime` is the name of a lever bundle; the resolved parameters already hold every lever of
  its bundle, so the name changes nothing unless the run switches regime part-way (the switch
  keeps overrides relative to the starting bundle). It belongs to the `switch` group, and a
  difference in the name alone, when neither side switches, is reported as inert (see `INERT_UNLESS`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hls_sim.params import PARAMS, ParameterError

GROUP_FILE = "hls_sim/levergroups.py"


@dataclass(frozen=True)
class LeverGroup:
    id: str
    title: str
    why: str  # what the group stands for, in a reader's words
    names: tuple[str, ...] = ()  # parameter names or fnmatch patterns (`service_lines_*`)
    registry_groups: tuple[str, ...] = ()  # every parameter of these registry groups not named elsewhere
    must_match: bool = False  # A and B must agree on it (the run itself, not a lever)


GROUPS: tuple[LeverGroup, ...] = (
    LeverGroup(
        "payment",
        "payment",
        "How providers are paid and what is at stake on the numbers: basis, stakes, outcome prices and caps.",
        (
            "payment_basis",
            "incentive_strength",
            "outcome_payment_share",
            "price_by_difficulty",
            "tariff_pricing",
            "planned_outcome_rate",
            "pricing_prior_cases",
            "payment_cap",
            "baseline_weeks",
        ),
    ),
    LeverGroup(
        "targets",
        "targets and measurement",
        "Targets, penalties, league tables, ratchet, audit, and whether indicators are kept per provider.",
        (
            "outcome_target",
            "target_basis",
            "target_penalty_share",
            "target_miss_span",
            "outcome_threshold",
            "wait_target_weeks",
            "wait_target_share",
            "ratchet",
            "league_table_sanction",
            "audit_rate",
            "audit_penalty",
            "audit_sees_exclusions",
            "audit_cost",
            "provider_kpis",
        ),
    ),
    LeverGroup(
        "competition",
        "competition or alliance",
        "Re-tendering (providers compete for the contract) or one alliance contract with shared risk.",
        ("retender_weeks", "tender_noise", "tender_cost", "alliance", "open_books"),
    ),
    LeverGroup(
        "operations",
        "operations",
        "Admin and indicator time, eligibility and episode length: how the service runs day to day.",
        (
            "admin_hours_per_case",
            "assessment_hours",
            "indicators_per_case",
            "indicator_hours",
            "evidence_hours_per_claim",
            "audit_hours_per_case",
            "contract_hours_per_week",
            "eligibility_threshold",
            "max_episode_weeks",
        ),
    ),
    LeverGroup(
        "discretion",
        "discretion and permission",
        "Freedom to work on what matters to the person, small spends without assessment, and felt permission.",
        ("worker_discretion", "discretionary_spend", "initial_permission"),
    ),
    LeverGroup(
        "learning",
        "learning and steward",
        "Learning cycles, the time given to them, and a funded systems steward.",
        ("learning_cycle_weeks", "learning_time_share", "steward", "steward_hours_per_week", "steward_cost"),
    ),
    LeverGroup(
        "structure",
        "provider structure",
        "How many providers there are, their service lines (a merger changes both) and how each one practises.",
        ("n_providers", "service_lines_*", "provider_practice"),
    ),
    LeverGroup(
        "outreach",
        "outreach",
        "Services reaching out to people whose needs show at their doors (case ownership, assertive outreach).",
        ("outreach_rate", "outreach_level", "outreach_min_domains"),
    ),
    LeverGroup(
        "organisations",
        "provider organisations",
        "How provider organisations behave and where their history leaves them: reviews, mission, culture, "
        "reserves, starting trust.",
        (
            "review_weeks",
            "policy_adapt_rate",
            "policy_exploration",
            "mission_weight",
            "provider_culture_spread",
            "initial_reserves_weeks",
            "initial_trust_providers",
            "initial_trust_commissioner",
        ),
    ),
    LeverGroup(
        "workforce",
        "workforce and funding",
        "How many staff the budget pays for, their caseloads, hours, pay and who they are.",
        ("hourly_cost", "overhead_share"),
        registry_groups=("workforce",),
    ),
    LeverGroup(
        "place",
        "place and people",
        "The population's lives and needs, and what a crisis or a reactive contact costs other public services.",
        ("crisis_cost", "reactive_contact_cost"),
        registry_groups=("population",),
    ),
    LeverGroup(
        "switch",
        "change of regime in the run",
        "A switch to another regime part-way through the run, its investment and strain.",
        (
            "regime",
            "switch_week",
            "switch_regime",
            "switch_keep_overrides",
            "transition_cost",
            "transition_weeks",
            "transition_morale_dip",
            "transition_strain",
            "transition_staff_loss",
        ),
    ),
    LeverGroup(
        "mechanisms",
        "model mechanisms",
        "The model's behavioural constants (how lives, trust, morale and gaming respond), not policy levers.",
        registry_groups=("mechanism",),
    ),
    LeverGroup(
        "run",
        "run settings",
        "Population size, run length, burn-in, warm-up and the no-service twin: the same on both sides.",
        ("citizens", "weeks", "seed", "burn_in_weeks", "warmup_weeks", "twin"),
        must_match=True,
    ),
)

BY_ID: dict[str, LeverGroup] = {g.id: g for g in GROUPS}
OPERATIONS = "operations"  # the group `compare --common-operations` holds equal

# A parameter whose value changes nothing unless another is non-zero: (that parameter, why).
INERT_UNLESS: dict[str, tuple[str, str]] = {
    "regime": (
        "switch_week",
        "the regime's name changes nothing by itself: the resolved parameters already hold every lever of its "
        "bundle, and the name matters only to a switch of regime part-way through the run (switch_week > 0)",
    ),
}


class UnknownGroupError(ParameterError):
    """A parameter that no lever group holds: the group map needs a line."""


def _explicit(name: str) -> list[str]:
    return [g.id for g in GROUPS if any(fnmatch.fnmatchcase(name, pat) for pat in g.names)]


def placement(name: str) -> list[str]:
    """Every group that claims `name`: by name or pattern first, else by its registry group."""
    hits = _explicit(name)
    if hits or name not in PARAMS:
        return hits
    return [g.id for g in GROUPS if PARAMS[name].group in g.registry_groups]


def group_of(name: str) -> str:
    """The one group holding parameter `name`, or UnknownGroupError naming it and where to add it."""
    hits = placement(name)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UnknownGroupError(
            f"parameter '{name}' belongs to no lever group, so its effect could not be attributed; "
            f"add it to one group's names in {GROUP_FILE} (groups: {', '.join(BY_ID)})",
            source="hls-sim explain",
            key=name,
        )
    raise UnknownGroupError(
        f"parameter '{name}' is claimed by several lever groups ({', '.join(hits)}); keep it in one, in {GROUP_FILE}",
        source="hls-sim explain",
        key=name,
    )


def members(group: str, names: Iterable[str] | None = None) -> list[str]:
    """The parameters of the registry (or of `names`) that belong to `group`, in registry order."""
    return [n for n in (PARAMS if names is None else names) if group_of(n) == group]


def problems() -> list[str]:
    """Every parameter of the registry that no group, or more than one, holds (empty when the map is whole)."""
    out = []
    for name in PARAMS:
        hits = placement(name)
        if len(hits) != 1:
            out.append(f"{name}: {', '.join(hits) if hits else 'no group'}")
    for g in GROUPS:
        for pat in g.names:
            if not any(fnmatch.fnmatchcase(n, pat) for n in PARAMS):
                out.append(f"{g.id}: '{pat}' names no parameter of the registry")
    return out


def differing(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Parameters whose resolved values differ between `a` and `b` (the seed aside), in registry order."""
    keys = [k for k in PARAMS if k in a or k in b] + [k for k in {*a, *b} if k not in PARAMS]
    return [k for k in keys if k != "seed" and a.get(k) != b.get(k)]


def inert(name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    """Why a difference in `name` changes nothing in these two settings, or None if it may."""
    rule = INERT_UNLESS.get(name)
    if rule is None:
        return None
    other, why = rule
    return why if not a.get(other) and not b.get(other) else None
