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


def _bound(x: float) -> str:
    """A range bound as a reader writes it: 4,294,967,295 and 5,000,000, not 4.29497e+09 and 5e+06."""
    if float(x).is_integer() and abs(x) >= 10_000:
        return f"{int(x):,}"
    return f"{x:g}"


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
        if self.kind is str:
            return "text (see the parameter's description)"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} from {_bound(self.lo)} to {_bound(self.hi)}" + (f" ({self.unit})" if self.unit else "")

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
    _p(
        "warmup_weeks",
        208,
        0,
        2080,
        "weeks",
        "run",
        "Weeks lives run without any services before the run starts, so that the population begins in its own "
        "steady state rather than in the random draw (the no-service world is then stationary; docs/ODD.md 5).",
        "calibrated: the life dynamics settle within about four years (docs/ODD.md 9)",
    ),
    _p(
        "twin",
        True,
        group="run",
        unit="flag",
        doc="Follow each person's no-service twin (the same life and random numbers, no services ever) and report "
        "impact against it; off saves about a quarter of the run time and leaves the impact keys undefined.",
        source="design: impact against the counterfactual of no service",
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
        0.108,
        0.0,
        1.0,
        "1/week",
        "population",
        "Rate at which coupled need spills from one domain into another.",
        "001 L132; assumption for size",
    ),
    _p(
        "recovery_rate",
        0.073,
        0.0,
        1.0,
        "1/week",
        "population",
        "Weekly rate of unaided recovery, scaled by the person's strength in the domain.",
        "001 L337-341, 002 L620-646 (recovery from strengths); assumption for size",
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
        "reactive_floor",
        0.3,
        0.0,
        1.0,
        "need units",
        "population",
        "Need in a domain above which it draws on reactive services short of a crisis (call-outs, A&E, benefits "
        "and housing emergencies, anti-social behaviour work): where problems start to show to services.",
        "002 L4395 (reactive consumption fell where place-based teams ran); assumption for size: the level at "
        "which people start to seek help (seek_floor)",
    ),
    _p(
        "reactive_rate",
        0.17,
        0.0,
        10.0,
        "contacts/week",
        "population",
        "Expected contacts with reactive services in a week from one domain at need 1, falling linearly to none "
        "at reactive_floor, summed over domains. Counted, not drawn: nothing in a life depends on it.",
        "002 L4395, L4399; 001 L880 (blue lights, unplanned care); assumption for size, anchored: with reactive_contact_cost, a person "
        "with serious need in a world with no services costs about GBP 5,300 a year, the extra public-service "
        "cost per person in poverty in Bramley et al. 2016 (JRF, Counting the cost of UK poverty: GBP 69bn for "
        "13m people); docs/ODD.md section 9",
    ),
    _p(
        "reactive_contact_cost",
        150.0,
        0.0,
        10000.0,
        "GBP/contact",
        "costs",
        "Public cost of one contact with a reactive service short of a crisis.",
        "assumption: order of a police call-out, an A&E attendance or an emergency housing visit",
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
        0.0,
        200.0,
        "workers/1000 people",
        "workforce",
        "Frontline staff funded per 1,000 citizens (the budget is set to pay for them); 0 = no service exists: "
        "nobody presents, nobody is refused or kept waiting (the no-service world every run is measured against).",
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
        1.5,
        0.0,
        5.0,
        "share of need",
        "workforce",
        "Largest share of a need that a week of relational help can lift, before skill, relationship, practice "
        "knowledge, dose and readiness scale it down.",
        "assumption (002 L700: the relationship is often the most effective response)",
    ),
    _p(
        "protocol_effect",
        0.55,
        0.0,
        5.0,
        "share of need",
        "workforce",
        "Largest share of the contracted domain's need that a week of protocol service can lift, before skill, "
        "dose, readiness, fit and coupled drag scale it down.",
        "assumption",
    ),
    _p(
        "help_scale_hours",
        0.7,
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
        "tariff_pricing",
        False,
        group="levers",
        unit="flag",
        doc="One price per outcome (or per start) for every provider, the market's contract value per expected "
        "result, instead of a price set from each provider's own record: a provider that produces fewer results "
        "per pound than the market earns less than its contract value (a national tariff).",
        source="NHS Payment by Results national tariff; 002 L4007, L5181 (Neighbourhood Midwives)",
    ),
    _p(
        "outcome_target",
        0.0,
        0.0,
        1.0,
        "share",
        "levers",
        "Outcome target on the share of closed cases with the service-domain need resolved (0 = no outcome target): "
        "the stretch above each provider's baseline with `target_basis` 'baseline', the level itself with 'fixed'.",
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
        0.5,
        0.0,
        20.0,
        "hours/case/week",
        "levers",
        "Base recording time per open case per week that any service keeps; the monitoring rules add to it "
        "(indicators per case, evidence per claim, audits, contract reporting: hls_sim/contract.py).",
        "001 L1608; assumption for size",
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
    # ---- contract terms the rules attach to numbers (hls_sim/contract.py) ----
    _p(
        "target_basis",
        "baseline",
        group="levers",
        unit="name",
        choices=("baseline", "fixed"),
        doc="How the outcome target is set: 'baseline' = each provider's own reported rate over the baseline "
        "period plus `outcome_target` as a stretch; 'fixed' = `outcome_target` itself.",
        source="assumption: targets set relative to achievable performance (Bevan & Hood 2006 on the ratchet)",
    ),
    _p(
        "target_penalty_share",
        0.1,
        0.0,
        1.0,
        "share/year",
        "levers",
        "Share of a year's contract value withheld for missing a target by the full miss span, at full stakes.",
        "assumption",
    ),
    _p(
        "target_miss_span",
        0.2,
        0.01,
        1.0,
        "rate points",
        "levers",
        "How far below target the penalty reaches its full size (it grows in proportion up to there).",
        "assumption",
    ),
    _p(
        "audit_sees_exclusions",
        False,
        group="levers",
        unit="flag",
        doc="Audits also sample cases left out of the indicator's count, so denominator management can be "
        "found and penalised like a false report (false: audits check payment claims and reported successes only).",
        source="assumption: outcome-payment audits validate claims (NAO 2014 on Work Programme validation)",
    ),
    _p(
        "league_table_sanction",
        0.0,
        0.0,
        2.0,
        "x year's contract",
        "levers",
        "Published league table: the providers named as failing (below the outcome target when there is one, "
        "otherwise the bottom of the table) suffer a sanction without money (managers' jobs, reputation, "
        "'naming and shaming') worth this share of a year's contract to each, at full stakes.",
        "Bevan & Hood 2006 ('targets and terror': star ratings)",
    ),
    _p(
        "tender_noise",
        0.05,
        0.001,
        1.0,
        "rate points",
        "levers",
        "Spread of everything else the commissioner weighs in a re-tender (price, quality of the bid), "
        "on the scale of the reported indicator: the smaller, the more the indicator decides who loses.",
        "assumption",
    ),
    _p(
        "baseline_weeks",
        52,
        0,
        1040,
        "weeks",
        "levers",
        "Baseline period at the start of a contract: paid in full with nothing at stake while the commissioner "
        "records each provider's reported results, from which outcome prices and targets are then set.",
        "assumption: a baseline year before payment by results or targets apply",
    ),
    _p(
        "planned_outcome_rate",
        0.3,
        0.01,
        1.0,
        "share",
        "levers",
        "The commissioner's expected share of closed cases resolved, used to price outcomes where no baseline "
        "has been recorded, and as the prior when a provider's baseline is short.",
        "assumption",
    ),
    _p(
        "pricing_prior_cases",
        20.0,
        0.0,
        1000.0,
        "cases",
        "levers",
        "Weight of the commissioner's expected rate against a provider's own baseline when pricing outcomes.",
        "assumption",
    ),
    _p(
        "payment_cap",
        1.5,
        0.0,
        100.0,
        "x expected",
        "levers",
        "Most a provider can earn by results in a contract year, as a multiple of the by-results payment it "
        "was priced to earn (0 = no cap); beyond it, a further outcome or start pays nothing.",
        "assumption: PbR contracts commonly cap payments (NAO 2015, Outcome-based payment schemes)",
    ),
    _p(
        "indicators_per_case",
        2.0,
        0.0,
        50.0,
        "indicators",
        "levers",
        "Indicators the contract asks to be recorded and reported on each open case.",
        "001 L1608; assumption for size",
    ),
    _p(
        "indicator_hours",
        0.1,
        0.0,
        5.0,
        "hours/indicator/week",
        "levers",
        "Frontline time to record and report one indicator on one case for a week.",
        "assumption",
    ),
    _p(
        "evidence_hours_per_claim",
        3.0,
        0.0,
        40.0,
        "hours/claim",
        "levers",
        "Frontline time to evidence one payment claim (outcome or activity basis).",
        "001 L1608; assumption for size",
    ),
    _p(
        "audit_hours_per_case",
        3.0,
        0.0,
        40.0,
        "hours/case",
        "levers",
        "Frontline time to prepare one case the commissioner audits.",
        "assumption",
    ),
    _p(
        "contract_hours_per_week",
        3.0,
        0.0,
        100.0,
        "hours/contract/week",
        "levers",
        "Contract reporting and monitoring meetings per contract per week, shared by the staff who hold it "
        "(an alliance holds one contract for all its partners).",
        "001 L1608: a third of 640 organisations spend over 30% of their resources managing funding contracts",
    ),
    _p(
        "provider_practice",
        "[]",
        group="providers",
        unit="list",
        doc="Levers some providers practise differently from the rest (JSON list; in scenario files "
        "[[providers.practice]] tables): select by `providers` (indices) or `service_line`, then any of "
        "eligibility_threshold, caseload_cap, worker_discretion, discretionary_spend, max_episode_weeks, "
        "outreach_rate, mission_weight, workers_per_1000 (its own posts, on top of the rest) and walk_in "
        "(false: a team that only reaches out). See hls_sim/practice.py.",
        source="002 L4007 (one HLS provider in an NPM market); 002 L4382-4384 (teams beside threshold services)",
    ),
    _p(
        "initial_reserves_weeks",
        13.0,
        0.0,
        520.0,
        "weeks of contract",
        "providers",
        "Reserves a provider holds at the start (and a new entrant brings), in weeks of its contract value.",
        "assumption: three months' running costs, a common reserves policy",
    ),
    _p(
        "provider_culture_spread",
        0.5,
        0.0,
        3.0,
        "log-sd",
        "providers",
        "Spread of organisational cultures: each provider's mission weight is the mean `mission_weight` "
        "times a log-normal factor, so providers answer the same contract differently.",
        "assumption (002 L339-341, L4855: organisations differ in ethos)",
    ),
    _p(
        "policy_exploration",
        0.03,
        0.0,
        0.5,
        "share",
        "providers",
        "Standard deviation of the random step a provider adds to each policy at a review (trying something "
        "a little different); none when `policy_adapt_rate` is 0.",
        "assumption (bounded rationality: exploration)",
    ),
    _p(
        "outreach_rate",
        0.0,
        0.0,
        1.0,
        "1/week",
        "levers",
        "Weekly chance that services reach out to a person whose needs show at their doors (case ownership, assertive "
        "outreach) instead of waiting for them to ask: it reaches people who have given up too (0 = none).",
        "001 L1446-1453 (arrears as a signal); 002 L4382-4384 (case ownership); 003 (assertive outreach)",
    ),
    _p(
        "outreach_level",
        0.3,
        0.0,
        1.0,
        "need units",
        "levers",
        "Need in a served domain at which it shows as a signal that outreach acts on.",
        "assumption",
    ),
    _p(
        "outreach_min_domains",
        2,
        1,
        8,
        "domains",
        "levers",
        "Served domains that must show the signal before outreach acts (several problems, none perhaps 'serious enough').",
        "002 L4382; assumption",
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
        "steward_hours_per_week",
        37.5,
        0.0,
        400.0,
        "hours/week",
        "levers",
        "Time the systems steward has (when there is one): convening partners, moving pooled money, protecting "
        "the permission space and learning time. Spread over the providers, so the same steward covers a large "
        "system thinly.",
        "002 L1618-1649, L1642; 003 L29 (a contract review lead as steward); assumption: one full-time post",
    ),
    _p(
        "open_books",
        False,
        group="levers",
        unit="flag",
        doc="Partners see each other's accounts at every review (a good experience for every pair of partners).",
        source="001 L1663-1668",
    ),
    _p(
        "steward_cost",
        60000.0,
        0.0,
        1e7,
        "GBP/year",
        "costs",
        "Yearly cost of a full-time systems steward (charged pro rata to steward_hours_per_week / hours_per_week).",
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
        "One-off investment (training, redesign) per citizen of population at any change of regime (switch_week).",
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

# Behavioural constants of the rules, one table: (name, default, low, high, unit, what it does, source).
# Each is a parameter like any other (`--set`, sweeps, sensitivity analysis); group "mechanism".
_MECHANISM: tuple[tuple[str, float, float, float, str, str, str], ...] = (
    # lives (hls_sim/kernels/life.py)
    (
        "spill_floor",
        0.135,
        0.0,
        1.0,
        "need units",
        "Need in a domain above which it spills into coupled domains: small problems stay put, serious ones drive others.",
        "001 L132; 002 L4382 (moderate, coupled problems left alone deteriorate); assumption for size, calibrated (docs/validation.md 4)",
    ),
    (
        "strength_return",
        0.016,
        0.0,
        1.0,
        "1/week",
        "Weekly rate at which strengths return towards the person's own level.",
        "001 L337-341; assumption for size",
    ),
    (
        "strength_erosion",
        1.0,
        0.0,
        10.0,
        "x need",
        "How fast high need wears strengths down, relative to their return.",
        "001 L337-341; assumption for size",
    ),
    (
        "efficacy_recovery_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "How much of a person's own recovery depends on self-efficacy (recovery x (1 - w + 2 w efficacy): unchanged at efficacy 0.5).",
        "001 L337-341",
    ),
    (
        "efficacy_return",
        0.01,
        0.0,
        1.0,
        "1/week",
        "Weekly rate at which self-efficacy returns towards the person's own level.",
        "assumption",
    ),
    (
        "trust_return",
        0.005,
        0.0,
        1.0,
        "1/week",
        "Weekly rate at which trust in services drifts back towards neutral.",
        "002 L830 (slow to build)",
    ),
    ("crisis_trust_loss", 0.05, 0.0, 1.0, "trust units", "Trust in services lost in a crisis.", "assumption"),
    (
        "crisis_relief",
        0.65,
        0.0,
        1.0,
        "share of need",
        "Share of the acute domain's need relieved by the emergency response to a crisis (A&E, police, emergency housing).",
        "002 L4382-4399 (blue-light costs); assumption for size, calibrated (docs/validation.md 4)",
    ),
    (
        "crisis_spill",
        0.1,
        0.0,
        1.0,
        "share",
        "Upheaval of a crisis: each coupled domain's need rises by this x the coupling x the room left.",
        "issue 15; assumption for size",
    ),
    (
        "serious_need_level",
        0.6,
        0.0,
        1.0,
        "need units",
        "A week lived with any domain above this counts towards years of serious need (the need-years of the impact measures).",
        "002 L4382 (threshold services' 0.6); a measure, not a rule",
    ),
    # being turned away, waiting and giving up (hls_sim/kernels/doors.py, queue.py)
    (
        "refusal_efficacy_loss",
        0.03,
        0.0,
        1.0,
        "efficacy units",
        "Self-efficacy lost when turned away at a door (below a threshold or cream-skimmed).",
        "002 L4382; 001 L337-341; assumption for size",
    ),
    (
        "referral_fail_efficacy_loss",
        0.03,
        0.0,
        1.0,
        "efficacy units",
        "Self-efficacy lost when a referral fails.",
        "002 L4176; assumption for size",
    ),
    (
        "wait_efficacy_loss",
        0.002,
        0.0,
        0.1,
        "efficacy/week",
        "Self-efficacy lost for each week on a waiting list.",
        "assumption",
    ),
    (
        "give_up_rate",
        0.2,
        0.0,
        1.0,
        "probability",
        "Chance that a person turned away gives up seeking help until a crisis brings them back, at no trust in services (x (1 - trust)).",
        "issue 15; 002 L4382; assumption for size",
    ),
    (
        "dependence_gain",
        0.5,
        0.0,
        10.0,
        "per unit effect",
        "Dependence on services built per unit of deficit-focused (protocol) help's effect.",
        "001 L337-341, L776",
    ),
    (
        "dependence_relief",
        0.5,
        0.0,
        10.0,
        "per unit effect",
        "Dependence reduced per unit of strengths-based (relational) help's effect.",
        "001 L776",
    ),
    ("dependence_decay", 0.01, 0.0, 1.0, "1/week", "Weekly fading of dependence.", "assumption"),
    (
        "dependence_seeking",
        1.0,
        0.0,
        10.0,
        "x",
        "Help seeking is multiplied by (1 + this x dependence): dependence shows as repeat demand.",
        "001 L869-876",
    ),
    # skills learned on the job (hls_sim/kernels/workforce.py)
    ("protocol_skill", 0.7, 0.0, 1.0, "0-1", "Mean protocol skill of first staff and new hires alike.", "assumption"),
    (
        "hire_skill_spread",
        0.4,
        0.0,
        1.0,
        "0-1",
        "Range of a worker's starting protocol skill around the mean.",
        "assumption",
    ),
    (
        "skill_practice_rate",
        0.003,
        0.0,
        0.1,
        "1/week",
        "Protocol skill learned per week of full-time protocol practice (x the room left).",
        "assumption",
    ),
    (
        "relational_practice_rate",
        0.002,
        0.0,
        0.1,
        "1/week",
        "Relational skill learned per week of full-time relational practice (x the room left).",
        "assumption",
    ),
    (
        "supervision_gain",
        1.0,
        0.0,
        10.0,
        "x",
        "Learning on the job is (1 + this) times faster in weeks with time set aside for learning (the reflection "
        "of learning cycles, or a transition's training).",
        "002 L3500, L3592; assumption",
    ),
    # providers' preferences and bounded rationality (hls_sim/provider.py)
    (
        "integrity_weight",
        20.0,
        0.0,
        200.0,
        "cases/record",
        "Mission value a provider gives up with one false record or one failure left out of the count, in cases' "
        "worth of what the contract spends per case, times its mission weight.",
        "assumption",
    ),
    (
        "pressure_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission value (cases' worth, times mission weight) a provider weighs against passing the indicator's value "
        "down as pressure on staff.",
        "assumption (002 L6588-6590)",
    ),
    (
        "parking_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission cost of parking the cases least likely to produce a counted result, times mission weight.",
        "assumption (UK Work Programme evaluations)",
    ),
    (
        "refusal_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission cost of turning away an eligible person, scaled by how much the service helps people like them "
        "(their band's real success over the average), times mission weight.",
        "assumption",
    ),
    (
        "timing_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission cost of discharging at the first moment the indicator is met, times mission weight.",
        "assumption",
    ),
    (
        "churn_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission cost of closing an unresolved case early to start another, times mission weight.",
        "assumption",
    ),
    (
        "clock_aversion",
        5.0,
        0.0,
        200.0,
        "cases",
        "Mission cost of taking people by the target clock instead of by need, times mission weight.",
        "assumption",
    ),
    (
        "relapse_risk",
        0.3,
        0.0,
        1.0,
        "share",
        "Chance a provider expects that a case meeting the indicator now will not meet it at a later discharge.",
        "assumption",
    ),
    (
        "reserve_stress",
        1.0,
        0.0,
        20.0,
        "weight",
        "How much more money matters as reserves run down (x (1 - reserves / starting reserves)).",
        "assumption",
    ),
    (
        "records_prior_cases",
        10.0,
        0.0,
        1000.0,
        "cases",
        "Weight of the prior in a provider's estimates from its own records (success and episode length by band).",
        "assumption",
    ),
    ("prior_episode_weeks", 13.0, 1.0, 520.0, "weeks", "Prior episode length in a provider's estimates.", "assumption"),
    (
        "refer_base",
        0.2,
        0.0,
        1.0,
        "probability",
        "Chance a provider refers a person whose bigger need lies elsewhere, with no trust in the other provider.",
        "assumption (001 L565)",
    ),
    (
        "refer_trust",
        0.6,
        0.0,
        1.0,
        "probability",
        "Extra chance of such a referral at full trust between providers (002 L2810).",
        "assumption",
    ),
    (
        "churn_min_weeks",
        4,
        1,
        104,
        "weeks",
        "Shortest episode a provider closes unresolved to start another case (activity-paid churn).",
        "assumption",
    ),
    # provider accounts (hls_sim/accounts.py)
    (
        "hiring_freeze_weeks",
        4.0,
        0.0,
        104.0,
        "weeks of costs",
        "Reserves below which a provider stops hiring and keeps only the posts its income pays for.",
        "assumption",
    ),
    (
        "cut_horizon_weeks",
        19.5,
        0.0,
        520.0,
        "weeks",
        "A provider cuts staff to what its income pays for when at this rate its reserves would run out within "
        "cut_horizon_weeks / (1 + its mission weight): a mission-driven organisation keeps the staff who hold its "
        "relationships longer, and risks more (19.5: a quarter for the typical mission weight of 0.5).",
        "002 L5181 (Neighbourhood Midwives closed for financial reasons); assumption for size",
    ),
    (
        "income_memory",
        0.98,
        0.0,
        0.999,
        "share/week",
        "Weight of past income in a provider's expected weekly income (exponential average).",
        "assumption",
    ),
    # commissioner (hls_sim/commissioner.py)
    ("ratchet_cap", 0.95, 0.0, 1.0, "share", "Highest level the ratchet raises a target to.", "assumption"),
    (
        "tender_staff_loss",
        0.3,
        0.0,
        1.0,
        "share",
        "Staff who do not transfer to the new provider after a lost tender.",
        "assumption (TUPE transfers most staff)",
    ),
    (
        "tender_policy_variation",
        0.2,
        0.0,
        2.0,
        "log-sd",
        "Proportional variation with which a new entrant copies the best-reporting provider's policies and culture.",
        "Smaldino & McElreath 2016",
    ),
    (
        "pool_reallocation_rate",
        0.2,
        0.0,
        1.0,
        "share/review",
        "Share of the pooled budget the alliance moves towards where demand is at each review.",
        "001 L1663-1668; assumption for size",
    ),
    (
        "trust_audit_relief",
        0.5,
        0.0,
        1.0,
        "share",
        "Share of audits dropped at full commissioner-provider trust.",
        "002 L745, L1253-1259",
    ),
    (
        "trust_loss_detection",
        1.0,
        0.0,
        50.0,
        "events",
        "Let-downs between commissioner and provider when an audit finds false records (each weighted by "
        "trust_loss_weight: quick to lose).",
        "002 L830; assumption for size",
    ),
    (
        "cut_trust_events",
        10.0,
        0.0,
        100.0,
        "events/share",
        "Let-downs a cut in a provider's pooled share counts as, per unit of relative cut (10: a 10% cut is one).",
        "002 L830 (cuts); assumption for size",
    ),
    (
        "new_entrant_trust",
        0.7,
        0.0,
        1.0,
        "x initial trust",
        "Trust a new provider starts with, relative to the run's initial trust between providers.",
        "assumption",
    ),
    # a change of regime inside the run (hls_sim/model.py, _switch_regime)
    (
        "transition_weeks",
        26.0,
        1.0,
        520.0,
        "weeks",
        "Weeks over which a change of regime strains staff and its one-off cost is spent.",
        "001 L859-863",
    ),
    (
        "transition_morale_dip",
        0.1,
        0.0,
        1.0,
        "0-1",
        "Morale lost at once when the regime changes: change disrupts before it motivates.",
        "001 L859",
    ),
    (
        "transition_strain",
        0.4,
        0.0,
        1.0,
        "0-1",
        "Morale target lost at the start of a transition, fading over the transition.",
        "001 L859, L1427",
    ),
    (
        "transition_staff_loss",
        0.1,
        0.0,
        1.0,
        "share",
        "Staff who leave when the regime changes.",
        "001 L992 (50% in one provider); assumption for size",
    ),
    # doors and intake (hls_sim/kernels/doors.py)
    ("seek_floor", 0.3, 0.0, 1.0, "need units", "Top need below which nobody seeks help.", "assumption"),
    (
        "seek_trust_floor",
        0.5,
        0.0,
        2.0,
        "factor",
        "Help seeking is scaled by (this + trust in services).",
        "assumption",
    ),
    (
        "crisis_seek_prob",
        0.5,
        0.0,
        1.0,
        "probability",
        "Chance that a person in crisis presents at a door that week.",
        "assumption",
    ),
    (
        "reject_trust_loss",
        0.05,
        0.0,
        1.0,
        "trust units",
        "Trust in services lost when turned away at a door.",
        "002 L4176-4182",
    ),
    (
        "referral_fail_trust_loss",
        0.08,
        0.0,
        1.0,
        "trust units",
        "Trust lost when a referral fails ('dockyard tennis').",
        "002 L4176",
    ),
    (
        "referral_success_base",
        0.4,
        0.0,
        1.0,
        "probability",
        "Chance a referral reaches the other provider with no trust between them (rising to 1 at full trust).",
        "assumption",
    ),
    (
        "band_trouble_level",
        0.5,
        0.0,
        1.0,
        "need units",
        "Need at which an assessment counts a domain as in trouble when judging difficulty.",
        "assumption",
    ),
    (
        "band_domains_full",
        4.0,
        1.0,
        8.0,
        "domains",
        "Domains in trouble at which the visible-trouble half of the difficulty score is full.",
        "assumption",
    ),
    # waiting lists (hls_sim/kernels/queue.py)
    ("new_bond", 0.1, 0.0, 1.0, "0-1", "Relationship at the start of an episode.", "assumption"),
    (
        "queue_wait_full",
        8.0,
        1.0,
        104.0,
        "weeks",
        "Weeks waited at which waiting time counts fully in triage (half need, half waiting).",
        "assumption",
    ),
    (
        "wait_dropout_base",
        0.01,
        0.0,
        1.0,
        "1/week",
        "Weekly chance of leaving a waiting list, at full trust.",
        "assumption",
    ),
    (
        "wait_dropout_distrust",
        0.02,
        0.0,
        1.0,
        "1/week",
        "Extra weekly chance of leaving a waiting list at no trust.",
        "assumption",
    ),
    (
        "wait_dropout_trust_loss",
        0.05,
        0.0,
        1.0,
        "trust units",
        "Trust lost by someone who gives up waiting.",
        "assumption",
    ),
    # the worker's week and help (hls_sim/kernels/work.py)
    (
        "relational_complexity_gain",
        0.6,
        0.0,
        1.0,
        "share",
        "How much more an hour of relational help is worth with the most complex caseload than with the simplest (intrinsic value).",
        "002 L700",
    ),
    (
        "protocol_complexity_loss",
        0.6,
        0.0,
        1.0,
        "share",
        "How much less an hour of protocol service is worth with the most complex caseload than with the simplest.",
        "002 L545-555",
    ),
    (
        "discretion_relational_gain",
        0.5,
        0.0,
        1.0,
        "share",
        "Share of relational help's value that depends on discretion in use.",
        "001 L347-349",
    ),
    (
        "knowledge_gain",
        0.5,
        0.0,
        2.0,
        "factor",
        "Practice knowledge scales relational help by (this + knowledge).",
        "assumption",
    ),
    (
        "min_case_time_share",
        0.1,
        0.0,
        1.0,
        "share",
        "Least share of the week left for cases however heavy recording and assessment are.",
        "assumption",
    ),
    (
        "case_weight_floor",
        0.2,
        0.0,
        2.0,
        "weight",
        "A case's weight in a worker's attention before its need counts.",
        "assumption",
    ),
    (
        "bubble_width",
        0.3,
        0.01,
        1.0,
        "need units",
        "How far above the outcome threshold a case still looks close to a paid result ('bubble' cases).",
        "assumption (UK Work Programme evaluations)",
    ),
    (
        "engagement_efficacy_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "Weight of self-efficacy in engagement (the rest is split evenly between trust and the relationship).",
        "001 L337-341",
    ),
    (
        "readiness_floor",
        0.3,
        0.0,
        1.0,
        "share",
        "Share of help's effect that works even with no engagement.",
        "assumption",
    ),
    (
        "misfit_effect",
        0.5,
        0.0,
        1.0,
        "share",
        "Effect of help in a domain that is not what matters to the person now.",
        "002 L4232",
    ),
    (
        "deficit_efficacy_loss",
        0.03,
        0.0,
        5.0,
        "per unit effect",
        "Self-efficacy lost per unit of deficit-focused protocol service's effect (x (2 - fit): doubled for help that "
        "misses what matters to the person).",
        "001 L337-341",
    ),
    (
        "strength_gain",
        0.25,
        0.0,
        5.0,
        "per unit effect",
        "Strength built per unit of relational help's effect (x the room left): help that changes nothing builds nothing.",
        "001 L776",
    ),
    (
        "help_efficacy_gain",
        0.15,
        0.0,
        5.0,
        "per unit effect",
        "Self-efficacy built per unit of relational help's effect (x the room left).",
        "001 L776",
    ),
    (
        "help_trust_gain",
        0.08,
        0.0,
        5.0,
        "per unit effect",
        "Trust in services built per unit of relational help's effect (x the room left).",
        "002 L830",
    ),
    (
        "bond_gain",
        0.08,
        0.0,
        1.0,
        "1/week",
        "Weekly growth of a relationship with enough relational time.",
        "002 L716-735",
    ),
    (
        "bond_min_hours",
        1.0,
        0.0,
        20.0,
        "hours/week",
        "Weekly relational hours of a regular contact: below them a relationship fades, in proportion to the "
        "shortfall (it grows with any relational time, with diminishing returns at help_scale_hours).",
        "002 L716-735",
    ),
    ("bond_fade", 0.03, 0.0, 1.0, "1/week", "Weekly fading of a relationship when contact is thin.", "002 L716-735"),
    (
        "bond_floor",
        0.1,
        0.0,
        1.0,
        "share",
        "Share of relational help's effect that works before any relationship has formed.",
        "002 L700",
    ),
    (
        "spend_effect",
        0.05,
        0.0,
        1.0,
        "share of need",
        "Largest share of the priority need a small discretionary spend lifts in a week, with a full relationship.",
        "001 L823-829; assumption for size",
    ),
    (
        "spend_half",
        20.0,
        0.1,
        1000.0,
        "GBP/week",
        "Weekly spend at which a small spend has half its full effect.",
        "assumption",
    ),
    (
        "root_drag_scale",
        0.6,
        0.01,
        10.0,
        "need units",
        "Coupled inflow at which protocol help in one domain no longer holds.",
        "001 L1455 ('trapped behind a dominant issue')",
    ),
    (
        "gaming_scale",
        2.0,
        0.01,
        100.0,
        "hours",
        "Number-improving hours on a case at which a false report is 63% as likely as the provider's dishonesty allows.",
        "002 L339-341; assumption",
    ),
    # discharge and follow-up (hls_sim/kernels/discharge.py)
    (
        "holistic_top",
        0.45,
        0.0,
        1.0,
        "need units",
        "A life counts as in order at discharge when no domain's need is above this.",
        "assumption",
    ),
    (
        "unresolved_top",
        0.5,
        0.0,
        1.0,
        "need units",
        "Discharged with a domain above this need counts as unresolved (repeat demand within a year).",
        "001 L869-876",
    ),
    (
        "unresolved_window",
        52,
        1,
        520,
        "weeks",
        "Weeks after an unresolved discharge within which presenting again is repeat demand.",
        "001 L869-876",
    ),
    (
        "followup_weeks",
        13,
        1,
        104,
        "weeks",
        "Weeks after discharge at which the person's real change is checked.",
        "assumption",
    ),
    (
        "real_change",
        0.03,
        0.0,
        0.5,
        "wellbeing",
        "Wellbeing change that counts as a real improvement or decline.",
        "assumption",
    ),
    (
        "disengage_rate",
        0.02,
        0.0,
        1.0,
        "1/week",
        "Weekly chance of dropping out of service with no trust and no relationship.",
        "assumption",
    ),
    (
        "discharge_trust_change",
        0.05,
        0.0,
        1.0,
        "trust units",
        "Trust in services gained (or lost) when an episode ends better (or no better) than it began.",
        "002 L830",
    ),
    # workforce (hls_sim/kernels/workforce.py)
    (
        "morale_rate",
        0.05,
        0.0,
        1.0,
        "1/week",
        "Weekly speed at which morale moves towards what the job gives.",
        "assumption",
    ),
    (
        "motivation_rate",
        0.01,
        0.0,
        1.0,
        "1/week",
        "Weekly speed at which intrinsic motivation moves (crowding out is slow).",
        "002 L6588-6590",
    ),
    (
        "autonomy_support",
        0.2,
        0.0,
        1.0,
        "share",
        "How far discretion lifts motivation towards its maximum.",
        "002 L4927, L6527; Deci 2004",
    ),
    (
        "seen_gain_scale",
        0.03,
        0.001,
        1.0,
        "need/case-week",
        "Need reduction per case-week that a worker experiences as really helping.",
        "assumption",
    ),
    (
        "control_pressure_weight",
        0.5,
        0.0,
        1.0,
        "weight",
        "Weight of pressure in felt control (with admin share and lack of discretion).",
        "002 L6588-6590; Falk & Kosfeld 2006",
    ),
    (
        "control_admin_weight",
        0.3,
        0.0,
        1.0,
        "weight",
        "Weight of the admin share of the week in felt control.",
        "001 L1608",
    ),
    (
        "control_discretion_weight",
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of missing discretion in felt control.",
        "001 L347-349",
    ),
    (
        "morale_base",
        0.45,
        0.0,
        1.0,
        "0-1",
        "Morale the job gives before what the worker sees and suffers.",
        "assumption",
    ),
    ("morale_seen_gain", 0.35, 0.0, 1.0, "0-1", "Morale from seeing people really improve.", "001 L232-375"),
    ("morale_discretion_gain", 0.15, 0.0, 1.0, "0-1", "Morale from discretion in use.", "001 L347-349"),
    (
        "morale_admin_loss",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Morale lost at a week entirely of admin and assessment.",
        "001 L1608; 002 L4967",
    ),
    ("morale_pressure_loss", 0.2, 0.0, 1.0, "0-1", "Morale lost at full pressure.", "002 L4967"),
    (
        "morale_gap_loss",
        0.2,
        0.0,
        1.0,
        "0-1",
        "Morale lost when every case needs what the worker may not do.",
        "001 L347-349",
    ),
    ("morale_burnout_loss", 0.3, 0.0, 1.0, "0-1", "Morale lost at full burnout.", "assumption"),
    (
        "case_hours_needed",
        0.5,
        0.0,
        10.0,
        "hours/case/week",
        "Hours a worker feels each open case needs at least; above the week, overload builds burnout.",
        "assumption",
    ),
    (
        "burnout_overload_rate",
        0.08,
        0.0,
        1.0,
        "1/week",
        "Burnout gained per week at double the hours available.",
        "assumption",
    ),
    ("burnout_pressure_rate", 0.01, 0.0, 1.0, "1/week", "Burnout gained per week at full pressure.", "assumption"),
    ("burnout_recovery", 0.02, 0.0, 1.0, "1/week", "Weekly recovery from burnout without overload.", "assumption"),
    (
        "quit_morale_factor",
        4.0,
        0.0,
        50.0,
        "x",
        "Quit rate multiplier at zero morale (x (1 - morale)^2).",
        "assumption",
    ),
    ("quit_burnout_rate", 0.01, 0.0, 1.0, "1/week", "Extra weekly quit chance at full burnout.", "assumption"),
    (
        "hire_motivation_spread",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Range of a new worker's motivation around the mean.",
        "assumption",
    ),
    (
        "hire_rskill_spread",
        0.4,
        0.0,
        1.0,
        "0-1",
        "Range of a new worker's relational skill around the mean.",
        "assumption",
    ),
    # the system of providers: trust, learning and the steward (hls_sim/system.py)
    (
        "trust_memory",
        0.9,
        0.0,
        1.0,
        "share/review",
        "Share of past experiences between organisations still remembered at the next review (about ten "
        "reviews, two and a half years, carry most of the weight).",
        "001 L1669 (four years to build trust in Plymouth); assumption for size",
    ),
    (
        "trust_prior_events",
        4.0,
        0.0,
        100.0,
        "events",
        "How many experiences the place's history counts for when the run starts (or a new organisation "
        "enters): a weak prior moves quickly with the first events.",
        "assumption",
    ),
    (
        "trust_loss_weight",
        3.0,
        1.0,
        20.0,
        "x",
        "How much more a let-down (failed referral, penalty, detected dishonesty, lost tender) weighs than a good "
        "experience: slow to build, quick to lose.",
        "002 L830, L6064; assumption for size",
    ),
    (
        "tender_trust_events",
        2.0,
        0.0,
        50.0,
        "events",
        "Let-downs a lost tender counts as for every remaining pair of organisations (competition for funds).",
        "002 L2810, L4855; assumption for size",
    ),
    (
        "convening_weeks",
        4.0,
        1.0,
        52.0,
        "weeks",
        "Interval between the meetings a steward with full cover convenes (each a good experience for every pair "
        "of partners who attend).",
        "001 L1695-1701 (regular convening); assumption",
    ),
    (
        "steward_scale_hours",
        4.0,
        0.1,
        40.0,
        "hours/provider/week",
        "Steward hours per provider per week at which its cover reaches 63% of what attention can do (cover = "
        "1 - exp(-hours per provider / scale)): a steward's time is spread over the partners.",
        "002 L1618-1649; assumption for size",
    ),
    (
        "steward_reallocation_rate",
        0.2,
        0.0,
        1.0,
        "share/review",
        "Extra share of the pooled budget moved towards where the records show demand, at full steward cover.",
        "002 L2806; assumption for size",
    ),
    (
        "informal_sharing",
        0.25,
        0.0,
        1.0,
        "share",
        "Knowledge shared without convened forums (informal calls between trusting partners), as a share of what "
        "a fully convened system shares.",
        "001 L565; assumption",
    ),
    (
        "knowledge0",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Practice fit (knowledge of what helps whom) of a provider with no learning system; a new entrant's too.",
        "assumption: a starting point, not a fitted value",
    ),
    (
        "learning_rate",
        0.1,
        0.0,
        1.0,
        "share/cycle",
        "Share of the gap to full practice fit closed at one learning cycle when the records track real change "
        "perfectly and every planned hour of reflection is used.",
        "002 L1978-1983, L2387-2585; assumption for size",
    ),
    (
        "sharing_rate",
        0.5,
        0.0,
        1.0,
        "share/cycle",
        "Share of a knowledge gap to a fully trusted partner closed at one convened learning cycle.",
        "001 L545-547; assumption for size",
    ),
    (
        "practice_decay",
        0.02,
        0.0,
        1.0,
        "share/review",
        "Share of learnt practice fit lost each review as conditions change, while learning cycles run.",
        "002 L1211",
    ),
    (
        "learning_fatigue_weeks",
        4.0,
        1.0,
        52.0,
        "weeks",
        "Learning cycles more often than this tire people and teach less each time.",
        "002 L3500",
    ),
    (
        "permission_rate",
        0.1,
        0.0,
        1.0,
        "share/review",
        "Share of the gap to its target the permission space closes each review: it takes years to build.",
        "001 L988, L1669",
    ),
    (
        "transition_training_share",
        0.1,
        0.0,
        0.5,
        "share of hours",
        "Share of every worker's week given to training and redesign during a transition, fading with it; "
        "taken from casework (the J-curve's first cost).",
        "001 L859-863 (invest up front); assumption for size",
    ),
)

_PARAMS += [
    Param(name, default, type(default), lo, hi, None, unit, "mechanism", doc, source)
    for name, default, lo, hi, unit, doc, source in _MECHANISM
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
        if key == "provider_practice" and out[key] != "[]":  # checked here, so the message names --set
            from hls_sim.practice import canonical

            out[key] = canonical(out[key], source=source)
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
    if params["provider_practice"] != "[]":
        from hls_sim.practice import canonical

        params["provider_practice"] = canonical(params["provider_practice"], source=source)
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
    from hls_sim.practice import place_problems

    out: list[tuple[str, str]] = []
    most = int(PARAMS["n_providers"].hi)
    if params["n_providers"] > most:
        out.append(
            (
                "n_providers",
                f"the service_lines_* add up to {params['n_providers']} providers; allowed is at most {most}",
            )
        )
    else:
        out += place_problems(params)
    if all(float(params[f"domain_mix_{d}"]) == 0.0 for d in DOMAINS):
        out.append(
            (
                "domain_mix_housing",
                "every domain_mix_* is 0; they are relative weights of where heavier needs fall, so allowed is "
                "at least one above 0",
            )
        )
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
