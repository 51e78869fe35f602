"""Every parameter and lever of the model, with its default, allowed range, unit and source.

One registry feeds the command line (`--set key=value`), scenario validation, the JSON Schema,
the ODD parameter table and the outputs' record of resolved parameters, so a parameter can
never be documented in one place and behave differently in another.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

DOMAINS: tuple[str, ...] = (
    "housing",
    "income_debt",
    "physical_health",
    "mental_health",
    "substance_use",
    "work_learning",
    "relationships",
    "safety",
)
N_DOMAINS = len(DOMAINS)

PAYMENT_BASES = ("block", "activity", "outcome", "pooled")


class ParameterError(ValueError):
    """A bad parameter: the message names the source, the key and what is allowed."""

    def __init__(self, message: str, *, source: str = "", key: str = "") -> None:
        self.source = source
        self.key = key
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + message)


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    kind: type  # int, float, bool or str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    group: str = ""
    doc: str = ""
    source: str = ""

    def allowed(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} from {self.lo:g} to {self.hi:g}" + (f" ({self.unit})" if self.unit else "")

    def coerce(self, value: Any, *, source: str = "", key: str | None = None) -> Any:
        """Convert and range-check one value; raise ParameterError naming what is allowed."""
        key = key or self.name
        bad = ParameterError(
            f"invalid value {value!r} for '{key}': allowed is {self.allowed()}",
            source=source,
            key=key,
        )
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, int | float) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.strip().lower() in ("true", "1", "yes")
            raise bad
        if self.kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise bad
            return value
        if isinstance(value, bool):
            raise bad
        try:
            if isinstance(value, str):
                value = float(value.strip())
            num = float(value)
        except (TypeError, ValueError):
            raise bad from None
        if num != num or num in (float("inf"), float("-inf")):
            raise bad
        if self.kind is int:
            if num != int(num):
                raise bad
            num = int(num)
        if (self.lo is not None and num < self.lo) or (self.hi is not None and num > self.hi):
            raise bad
        return num


def _p(name, default, lo=None, hi=None, unit="", group="", doc="", source="", choices=None):
    kind = type(default)
    return Param(name, default, kind, lo, hi, choices, unit, group, doc, source)


_PARAMS: list[Param] = [
    # ---- run ----
    _p(
        "regime",
        "block_grant",
        group="run",
        unit="name",
        choices=("block_grant", "output_targets", "payment_by_results", "alliance", "hls"),
        doc="Named regime whose lever bundle is applied before any explicit lever override.",
        source="brief s.3",
    ),
    _p(
        "citizens",
        2000,
        10,
        5_000_000,
        "people",
        "run",
        "Size of the (closed) population of citizens.",
        "assumption: a small town's complex-needs population",
    ),
    _p(
        "weeks",
        260,
        1,
        5200,
        "weeks",
        "run",
        "Length of the run; one step is one week.",
        "five years: long enough for re-tendering and trust effects (001 L1669)",
    ),
    _p("seed", 1, 0, 2**32 - 1, "", "run", "Master seed; every random stream derives from it."),
    _p(
        "burn_in_weeks",
        52,
        0,
        1040,
        "weeks",
        "run",
        "Weeks excluded from summary means so that the initial condition does not dominate.",
        "assumption",
    ),
    # ---- population: life systems ----
    _p(
        "complex_share",
        0.8,
        0.0,
        1.0,
        "share",
        "population",
        "Share of people whose life domains are strongly coupled (complex) rather than 'fixable'.",
        "002 L545-555: ~80% complex, ~20% fixable",
    ),
    _p(
        "coupling_complex",
        0.55,
        0.0,
        2.0,
        "1/week",
        "population",
        "Mean coupling strength of complex lives: how strongly need in one domain drives the others.",
        "002 L570, L1047; assumption for size",
    ),
    _p(
        "coupling_simple",
        0.1,
        0.0,
        2.0,
        "1/week",
        "population",
        "Mean coupling strength of 'fixable' lives.",
        "002 L545-555",
    ),
    _p(
        "coupling_variation",
        0.5,
        0.0,
        2.0,
        "log-sd",
        "population",
        "Log-normal spread of each person's coupling weights around the population template, so no two lives are alike.",
        "002 L630 ('huge variety')",
    ),
    _p(
        "spill_rate",
        0.05,
        0.0,
        1.0,
        "1/week",
        "population",
        "Rate at which coupled need spills from one domain into another.",
        "001 L132; assumption for size",
    ),
    _p(
        "recovery_rate",
        0.04,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly rate of unaided recovery, scaled by the person's strength in the domain.",
        "001 L337-341, 002 L620-646",
    ),
    _p(
        "shock_rate",
        0.03,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly probability that a life shock hits one domain.",
        "assumption",
    ),
    _p(
        "shock_size",
        0.18,
        0.0,
        1.0,
        "need units",
        "population",
        "Mean size of a shock (exponentially distributed).",
        "assumption",
    ),
    _p(
        "crisis_threshold",
        0.85,
        0.5,
        1.0,
        "need units",
        "population",
        "Need level in any domain above which crisis events (A&E, police, emergency housing) can occur.",
        "brief s.2; 002 L672",
    ),
    _p(
        "crisis_prob",
        0.2,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly probability of a crisis event for someone above the crisis threshold.",
        "assumption",
    ),
    _p(
        "crisis_cost",
        1500.0,
        0.0,
        100000.0,
        "GBP/event",
        "costs",
        "Downstream cost of one crisis event to other public services.",
        "assumption: order of an A&E attendance plus police call-out plus a night of emergency accommodation",
    ),
    _p(
        "help_seeking",
        0.12,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly probability that a person with unmet need presents at a service door, scaled by need and trust.",
        "001 L1446-1453: signals of need appear at many doors",
    ),
    _p(
        "priority_shift_rate",
        0.02,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly probability that what matters most to a person moves to another domain.",
        "001 L508-515; 002 L4232 (timing matters)",
    ),
    # ---- workers ----
    _p(
        "workers_per_1000",
        12.0,
        0.5,
        200.0,
        "workers/1000 people",
        "workforce",
        "Frontline staff funded per 1,000 citizens (the budget is set to pay for them).",
        "assumption",
    ),
    _p(
        "caseload_cap",
        20,
        1,
        200,
        "cases/worker",
        "workforce",
        "Most cases a worker holds at once.",
        "002 L716-735: manageable caseloads; assumption for size",
    ),
    _p("hours_per_week", 37.5, 1.0, 80.0, "hours", "workforce", "Contracted hours per worker.", "UK full time"),
    _p(
        "hourly_cost",
        30.0,
        1.0,
        500.0,
        "GBP/hour",
        "costs",
        "Employer cost of one frontline hour.",
        "assumption: support-worker salary plus on-costs",
    ),
    _p(
        "overhead_share",
        0.15,
        0.0,
        1.0,
        "share",
        "costs",
        "Provider management overhead on top of frontline staff cost.",
        "assumption",
    ),
    _p(
        "intrinsic_motivation",
        0.7,
        0.0,
        1.0,
        "0-1",
        "workforce",
        "Mean starting intrinsic motivation: the weight a worker puts on people really improving.",
        "002 L6527 (mastery, autonomy, purpose); 001 L232",
    ),
    _p(
        "effort_aversion",
        0.2,
        0.0,
        5.0,
        "weight",
        "workforce",
        "Weight on saving effort in the worker's time choice; the reason pressure can bring real gains.",
        "Holmstrom & Milgrom 1991; assumption for size",
    ),
    _p(
        "crowding_out",
        0.5,
        0.0,
        1.0,
        "0-1",
        "workforce",
        "How strongly control (pressure, admin, no discretion) erodes intrinsic motivation.",
        "002 L6588-6590; Falk & Kosfeld 2006",
    ),
    _p(
        "relational_skill",
        0.5,
        0.0,
        1.0,
        "0-1",
        "workforce",
        "Mean relational skill (empathy) of new workers.",
        "002 L700, L852",
    ),
    _p(
        "relational_effect",
        0.6,
        0.0,
        2.0,
        "share of need",
        "workforce",
        "Largest share of a need that a week of relational help can lift, before skill, relationship, practice "
        "knowledge, dose and readiness scale it down.",
        "assumption (002 L700: the relationship is often the most effective response)",
    ),
    _p(
        "protocol_effect",
        0.45,
        0.0,
        2.0,
        "share of need",
        "workforce",
        "Largest share of the contracted domain's need that a week of protocol service can lift, before skill, "
        "dose, readiness, fit and coupled drag scale it down.",
        "assumption",
    ),
    _p(
        "help_scale_hours",
        2.0,
        0.25,
        20.0,
        "hours/week",
        "workforce",
        "Weekly hours of help at which the next hour's effect has fallen to 1/e of the first's (diminishing returns "
        "to the dose of help, and the dose a relationship needs to grow).",
        "assumption",
    ),
    _p(
        "gaming_efficiency",
        1.0,
        0.0,
        5.0,
        "weight",
        "workforce",
        "How much an hour of number-improving effort moves the indicator, relative to an hour of protocol work.",
        "002 L339-341 (teams making good-looking data); assumption",
    ),
    _p(
        "base_turnover",
        0.12,
        0.0,
        1.0,
        "1/year",
        "workforce",
        "Annual quit probability of a content worker.",
        "assumption: UK social-care turnover is higher",
    ),
    _p("vacancy_weeks", 8, 0, 52, "weeks", "workforce", "Weeks to fill a vacancy.", "assumption"),
    # ---- providers ----
    _p(
        "n_providers",
        6,
        1,
        64,
        "providers",
        "providers",
        "Number of provider organisations; each has one service line (a life domain).",
        "001 L1646-1701: Plymouth had 25-29 contracts",
    ),
    _p(
        "review_weeks",
        13,
        1,
        104,
        "weeks",
        "providers",
        "How often providers review their policies and the commissioner audits.",
        "quarterly reporting",
    ),
    _p(
        "policy_adapt_rate",
        0.3,
        0.0,
        1.0,
        "share/review",
        "providers",
        "How far a provider moves its policies towards what pays and keeps the contract at each review.",
        "assumption",
    ),
    _p(
        "mission_weight",
        0.5,
        0.0,
        5.0,
        "weight",
        "providers",
        "Weight a provider puts on real outcomes it can see, against money and contract security.",
        "assumption: voluntary-sector ethos",
    ),
    # ---- commissioner and regime levers ----
    _p(
        "payment_basis",
        "block",
        group="levers",
        unit="name",
        choices=PAYMENT_BASES,
        doc="How providers are paid: block (capacity), activity (per case started), outcome (per reported outcome), pooled (alliance budget).",
        source="brief s.3",
    ),
    _p(
        "incentive_strength",
        0.0,
        0.0,
        1.0,
        "0-1",
        "levers",
        "Stakes attached to the indicator: 0 = no consequence, 1 = full stakes (money at risk, penalties, re-tender weight, pressure).",
        "Campbell 1979 (002 L1193, L6600)",
    ),
    _p(
        "outcome_payment_share",
        0.6,
        0.0,
        1.0,
        "share",
        "levers",
        "Share of a provider's contract value paid per reported outcome at full stakes (outcome basis).",
        "NAO 2015 on PbR designs (002 L6564)",
    ),
    _p(
        "price_by_difficulty",
        False,
        group="levers",
        unit="flag",
        doc="Outcome prices rise with the observed difficulty of the case (differential pricing).",
        source="Work Programme differential payment groups",
    ),
    _p(
        "outcome_target",
        0.55,
        0.0,
        1.0,
        "share",
        "levers",
        "Target share of closed cases with the service-domain need resolved.",
        "assumption",
    ),
    _p(
        "wait_target_weeks",
        0,
        0,
        104,
        "weeks",
        "levers",
        "Time-to-service target (0 = none): people should start service within this many weeks.",
        "NHS 18-week referral-to-treatment target",
    ),
    _p(
        "wait_target_share",
        0.9,
        0.0,
        1.0,
        "share",
        "levers",
        "Share of service starts that must meet the time-to-service target.",
        "NHS RTT standard 92%",
    ),
    _p(
        "ratchet",
        False,
        group="levers",
        unit="flag",
        doc="Next year's targets are raised to this year's reported performance.",
        source="Bevan & Hood 2006",
    ),
    _p(
        "audit_rate",
        0.03,
        0.0,
        1.0,
        "share",
        "levers",
        "Share of reported outcomes checked by the commissioner each review.",
        "assumption",
    ),
    _p(
        "audit_penalty",
        3.0,
        0.0,
        50.0,
        "x price",
        "levers",
        "Penalty per false report found, in multiples of the payment claimed.",
        "assumption",
    ),
    _p("audit_cost", 150.0, 0.0, 10000.0, "GBP/case", "costs", "Commissioner cost of auditing one case.", "assumption"),
    _p(
        "retender_weeks",
        0,
        0,
        1040,
        "weeks",
        "levers",
        "Interval between competitive re-tenders (0 = no competition); the worst provider on the indicator is replaced.",
        "002 L261, L271, L4855",
    ),
    _p(
        "tender_cost",
        40000.0,
        0.0,
        1e7,
        "GBP/tender",
        "costs",
        "Procurement cost of one re-tender (both sides).",
        "001 L1608; assumption for size",
    ),
    _p(
        "eligibility_threshold",
        0.5,
        0.0,
        1.0,
        "need units",
        "levers",
        "Need in the service's own domain required for acceptance (threshold services).",
        "002 L275, L684; 001 L876",
    ),
    _p(
        "admin_hours_per_case",
        1.0,
        0.0,
        20.0,
        "hours/case/week",
        "levers",
        "Recording and reporting time per open case per week.",
        "001 L1608: >30% of resources on contract management",
    ),
    _p(
        "assessment_hours",
        2.0,
        0.0,
        40.0,
        "hours/intake",
        "levers",
        "Assessment and eligibility time per person presenting.",
        "001 L876",
    ),
    _p(
        "worker_discretion",
        0.3,
        0.0,
        1.0,
        "0-1",
        "levers",
        "Freedom to work on what matters to the person, outside the contracted domain.",
        "001 L347-349",
    ),
    _p(
        "discretionary_spend",
        0.0,
        0.0,
        500.0,
        "GBP/case/week",
        "levers",
        "Small spends workers may make without assessment (scaled by discretion).",
        "001 L347-349, L823-829",
    ),
    _p(
        "max_episode_weeks",
        26,
        1,
        520,
        "weeks",
        "levers",
        "Longest an episode of service may last before discharge.",
        "assumption: time-limited specifications",
    ),
    _p(
        "outcome_threshold",
        0.35,
        0.0,
        1.0,
        "need units",
        "levers",
        "A case counts as 'resolved' on the indicator when its service-domain need is below this.",
        "assumption",
    ),
    # ---- HLS levers (issue 3) ----
    _p(
        "alliance",
        False,
        group="levers",
        unit="flag",
        doc="One contract for all providers with a pooled budget, shared risk and open books.",
        source="001 L1663-1668",
    ),
    _p(
        "provider_kpis",
        True,
        group="levers",
        unit="flag",
        doc="Indicators are reported per provider (false: only for the whole system).",
        source="001 L1663-1668",
    ),
    _p(
        "learning_cycle_weeks",
        0,
        0,
        104,
        "weeks",
        "levers",
        "Interval between learning cycles (0 = none).",
        "002 L1978-1983, L2902-2913",
    ),
    _p(
        "learning_time_share",
        0.06,
        0.0,
        0.5,
        "share",
        "levers",
        "Share of worker time given to reflection and sense-making when learning cycles run.",
        "002 L3500, L3592",
    ),
    _p(
        "steward",
        False,
        group="levers",
        unit="flag",
        doc="A funded systems steward builds trust, convenes learning and moves pooled money to need.",
        source="002 L1618-1649; 003",
    ),
    _p(
        "steward_cost",
        60000.0,
        0.0,
        1e7,
        "GBP/year",
        "costs",
        "Yearly cost of the systems steward role.",
        "002 L1642; assumption",
    ),
    _p(
        "switch_week",
        0,
        0,
        5200,
        "week",
        "levers",
        "Week at which the run switches to `switch_regime` (0 = no switch).",
        "001 L859-863",
    ),
    _p(
        "switch_regime",
        "hls",
        group="levers",
        unit="name",
        choices=("block_grant", "output_targets", "payment_by_results", "alliance", "hls"),
        doc="Regime adopted at `switch_week`.",
        source="001 L859-863",
    ),
    _p(
        "switch_keep_overrides",
        False,
        group="levers",
        unit="flag",
        doc=(
            "At the switch, keep every lever of the new regime's bundle whose value was set away from the starting "
            "regime's bundle (by a scenario file or --set); otherwise the new bundle replaces all its levers."
        ),
        source="usability: a place keeps its own settings across a change of contract",
    ),
    _p(
        "transition_cost",
        150.0,
        0.0,
        10000.0,
        "GBP/citizen",
        "costs",
        "One-off investment (training, redesign) per citizen of population when switching to HLS-type regimes.",
        "001 L863 (invest up front); assumption for size",
    ),
    _p(
        "initial_trust_providers",
        0.3,
        0.0,
        1.0,
        "0-1",
        "providers",
        "Trust between provider organisations at the start of the run (and of a new entrant, x0.7).",
        "assumption: guarded but not hostile; 001 L1669 (Plymouth spent four years building it before its alliance)",
    ),
    _p(
        "initial_trust_commissioner",
        0.5,
        0.0,
        1.0,
        "0-1",
        "providers",
        "Trust between the commissioner and each provider at the start of the run.",
        "assumption: neutral",
    ),
    _p(
        "initial_permission",
        0.5,
        0.0,
        1.0,
        "0-1",
        "providers",
        "Permission space at the start of the run, and where it settles without a steward: the share of the "
        "discretion granted on paper that frontline staff feel free to use.",
        "assumption (001 L988: staff used to process feel exposed without a sense of permission)",
    ),
    # ---- places described by scenario files (issue 4; docs/scenarios.md) ----
    *(
        _p(
            f"domain_mix_{d}",
            1.0,
            0.0,
            10.0,
            "relative weight",
            "population",
            f"How often {d} is one of a person's heavier need domains, relative to the template (1); weights are normalised to mean 1 over the domains.",
            "scenario files; 001 L1446-1453 (which signals a place sees)",
        )
        for d in DOMAINS
    ),
    *(
        _p(
            f"service_lines_{d}",
            0,
            0,
            64,
            "providers",
            "providers",
            f"Providers whose service line is {d}; when any service_lines_* is above 0 they replace the default rotation and sum to n_providers.",
            "scenario files; 001 L1646-1701 (a place's contracts)",
        )
        for d in DOMAINS
    ),
]

PARAMS: dict[str, Param] = {p.name: p for p in _PARAMS}
LEVERS = tuple(p.name for p in _PARAMS if p.group == "levers")


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in _PARAMS}


def suggest(key: str, names=None) -> str:
    close = difflib.get_close_matches(key, list(names or PARAMS), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown_key_error(key: str, *, source: str = "", names=None) -> ParameterError:
    return ParameterError(
        f"unknown parameter '{key}'{suggest(key, names)}; run `hls-sim params` for the list",
        source=source,
        key=key,
    )


def parse_set(items: list[str] | None, *, source: str = "--set") -> dict[str, Any]:
    """Parse `key=value` strings from the command line into validated values."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"expected key=value, got {item!r}", source=source, key=item)
        key, value = (s.strip() for s in item.split("=", 1))
        if key not in PARAMS:
            raise unknown_key_error(key, source=source)
        out[key] = PARAMS[key].coerce(value, source=source)
    return out


def resolve(overrides: dict[str, Any] | None = None, *, source: str = "parameters") -> dict[str, Any]:
    """Defaults, then the regime's lever bundle, then explicit overrides (validated)."""
    from hls_sim.regimes import regime_levers

    overrides = dict(overrides or {})
    for key, value in overrides.items():
        if key not in PARAMS:
            raise unknown_key_error(key, source=source)
        overrides[key] = PARAMS[key].coerce(value, source=source)
    params = defaults()
    regime = overrides.get("regime", params["regime"])
    params.update(regime_levers(regime))
    params.update(overrides)
    params["regime"] = regime
    lines = sum(int(params[f"service_lines_{d}"]) for d in DOMAINS)
    if lines > 0:
        if "n_providers" in overrides and overrides["n_providers"] != lines:
            raise ParameterError(
                f"'n_providers' is {overrides['n_providers']} but the service_lines_* add up to {lines}: "
                "set one of them, or make them agree",
                source=source,
                key="n_providers",
            )
        params["n_providers"] = lines
    return params


def whole_run_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every rule that ties parameters of one run together.

    Each value can be fine on its own and the run still make no sense: a burn-in as long as the
    run leaves nothing to summarise (the summary would rest on its last week alone), a regime
    switch at or after the last week never happens. These rules are checked wherever a run is
    planned (command line, scenario files, sweeps, validation), through this one function.
    """
    out: list[tuple[str, str]] = []
    weeks, burn_in, switch = params["weeks"], params["burn_in_weeks"], params["switch_week"]
    if burn_in >= weeks:
        out.append(
            (
                "burn_in_weeks",
                f"{burn_in} weeks of burn-in leave nothing to summarise in a run of {weeks} weeks; "
                "allowed is fewer burn-in weeks than weeks",
            )
        )
    if switch >= weeks:
        out.append(
            (
                "switch_week",
                f"week {switch} is not within the run of {weeks} weeks; allowed is 0 (no switch) or a week before weeks",
            )
        )
    return out


def check_whole_run(params: dict[str, Any], *, source: str = "parameters", where: str = "") -> None:
    """Raise ParameterError for the first whole-run rule `params` (resolved) breaks; `where` names the run."""
    problems = whole_run_problems(params)
    if problems:
        key, message = problems[0]
        raise ParameterError(f"{key}{where}: {message}", source=source, key=key)
