"""The contract: everything a regime's rules attach to a number, and what that makes a number worth.

Pure functions of the levers and of one provider's records; nothing here imports the model. The
commissioner applies these rules (pays, penalises, audits, re-tenders, publishes), and a provider
asks the same rules one question before it sets its policies: *what is one more reported success,
one more accepted case of this difficulty, one more start inside the wait target, one more case
closed, one more failure left out of the count, one more false record worth, in expected money and
contract security?* The answer is zero for every number nothing depends on, so no behaviour can
respond to a consequence the rules do not create.

`incentive_strength` (the stakes dial, `Terms.stakes`) scales the size of every consequence: the
share of contract value paid by results, target penalties, audit penalties, the weight of the
reported indicator in a re-tender, and league-table sanctions. It is read here and nowhere else.

How each gaming channel is made to pay, and where it is answered, acted out and measured:

| channel | the rule that makes it pay (here) | the provider's policy (provider.py) | where it acts | metric | negative control (tests/test_contract.py, test_incentives.py) |
|---|---|---|---|---|---|
| effort substitution | any value of a reported success (`success_value`) | `pressure` | kernels/work.py `choose_time` | `gaming_effort_substitution` | all consequences 0: no pressure, no substitution |
| threshold | target penalty only while a miss is likely (`miss_probability`) | (weekly easing of pressure) | `choose_time` counterfactual | `gaming_threshold` | no target: channel 0 |
| ratchet | next target = this year's result (`ratchet_cost`) | (weekly restraint) | `choose_time` counterfactual | `gaming_ratchet` | `ratchet=false`: channel 0 |
| misreporting | success value against detection x penalty (`false_record_value`) | `honesty` | kernels/discharge.py, queue.py (clock stops) | `gaming_misreporting`, `gaming_clock_stops` | audit_rate 1, penalty 50: false reports ~0 |
| exclusions | rate-based consequences only (`exclusion_value`) | `exclusion` | kernels/discharge.py | `gaming_exclusions` | payment per outcome only: channel 0 |
| cream-skimming | value of a case of each band per place-week (`case_values`) | `selectivity` (by band) | kernels/doors.py | `gaming_cream_skimming` | equal value across bands: 0 |
| parking | spread of success value across bands | `parking` | kernels/work.py `give_help` | `gaming_parking` | no value per success: 0 |
| timing | value of closing a met case now; of a new start (activity) | `timing`, `churn` | kernels/discharge.py | `gaming_timing` | block pay: 0 |
| clock priority | value of a start inside the wait target (`wait_value`) | `clock_priority` | kernels/queue.py | `time_to_service_bunching` | no wait target: 0 |
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class Terms:
    """The contract's terms as the levers set them, each consequence already scaled by the stakes."""

    basis: str  # block, activity, outcome, pooled
    stakes: float
    at_risk: float  # share of contract value paid by results (outcome or activity basis)
    price_by_difficulty: bool
    tariff: bool  # one price for every provider (a national tariff) rather than each one's own record
    provider_kpis: bool  # indicators per provider (false: one system-wide indicator)
    outcome_target: float  # level ('fixed') or stretch above the baseline ('baseline'); 0 = none
    target_basis: str
    wait_target_weeks: int
    wait_target_share: float
    target_penalty: float  # share of a year's contract withheld at a full miss (stakes applied)
    target_miss_span: float  # rate points below target at which the penalty is full
    ratchet: bool
    ratchet_cap: float
    audit_rate: float
    audit_penalty: float  # x notional value of an outcome, per false record found (stakes applied)
    audit_sees_exclusions: bool
    trust_audit_relief: float
    retender_weeks: int
    retender_weight: float  # weight of the reported indicator in a re-tender (stakes applied)
    tender_noise: float  # spread of everything else the commissioner weighs in a re-tender, rate points
    payment_cap: float  # most a provider earns by results in a year, x what it was priced to earn (0 = none)
    sanction: float  # league-table sanction for a failing provider, x a year's contract (stakes applied)
    baseline_weeks: int

    @property
    def outcome_target_on(self) -> bool:
        """An outcome target with a consequence: a penalty, a re-tender or a sanction reads the rate."""
        return self.outcome_target > 0 and self.basis in ("block", "activity")

    @property
    def wait_target_on(self) -> bool:
        return self.wait_target_weeks > 0

    @property
    def competing(self) -> bool:
        return self.retender_weeks > 0


def terms(p: dict[str, Any]) -> Terms:
    s = float(p["incentive_strength"])
    basis = p["payment_basis"]
    return Terms(
        basis=basis,
        stakes=s,
        at_risk=s * p["outcome_payment_share"] if basis in ("outcome", "activity") else 0.0,
        price_by_difficulty=bool(p["price_by_difficulty"]),
        tariff=bool(p["tariff_pricing"]),
        provider_kpis=bool(p["provider_kpis"]),
        outcome_target=float(p["outcome_target"]),
        target_basis=p["target_basis"],
        wait_target_weeks=int(p["wait_target_weeks"]),
        wait_target_share=float(p["wait_target_share"]),
        target_penalty=s * p["target_penalty_share"],
        target_miss_span=float(p["target_miss_span"]),
        ratchet=bool(p["ratchet"]),
        ratchet_cap=float(p["ratchet_cap"]),
        audit_rate=float(p["audit_rate"]),
        audit_penalty=s * p["audit_penalty"],
        audit_sees_exclusions=bool(p["audit_sees_exclusions"]),
        trust_audit_relief=float(p["trust_audit_relief"]),
        retender_weeks=int(p["retender_weeks"]),
        retender_weight=s,
        tender_noise=float(p["tender_noise"]),
        payment_cap=float(p["payment_cap"]),
        sanction=s * p["league_table_sanction"],
        baseline_weeks=int(p["baseline_weeks"]),
    )


# ---------------------------------------------------------------------------------------- payment
def outcome_prices(t: Terms, contract_year: np.ndarray, expected_outcomes_year: np.ndarray, band_weight: np.ndarray):
    """Price of one reported outcome, by provider and observed difficulty band.

    The commissioner prices so that a provider reporting the expected number of outcomes earns its
    contract value: the at-risk share divided by the expected outcomes. Differential pricing pays
    more for bands expected to succeed less (`band_weight`, mean 1 over the bands).
    """
    if t.basis != "outcome":
        return np.zeros((contract_year.shape[0], band_weight.shape[0]))
    base = t.at_risk * contract_year / np.maximum(expected_outcomes_year, 1.0)
    mult = band_weight if t.price_by_difficulty else np.ones_like(band_weight)
    return base[:, None] * mult[None, :]


def activity_prices(t: Terms, contract_year: np.ndarray, expected_starts_year: np.ndarray) -> np.ndarray:
    """Price of one case started, so that the expected number of starts earns the at-risk share."""
    if t.basis != "activity":
        return np.zeros_like(contract_year)
    return t.at_risk * contract_year / np.maximum(expected_starts_year, 1.0)


def results_cap(t: Terms, contract_year: float) -> float:
    """Most a provider can be paid by results in a contract year (infinite without a cap)."""
    if t.payment_cap <= 0:
        return math.inf
    return t.payment_cap * t.at_risk * contract_year


def capped_payment(t: Terms, contract_year: float, paid_this_year: float, amount: float) -> float:
    """What is actually paid of `amount` earned by results, given what was already paid this year."""
    return max(0.0, min(amount, results_cap(t, contract_year) - paid_this_year))


def fixed_payment_share(t: Terms) -> float:
    """Share of the contract paid whatever is reported (the rest is earned per outcome or per start)."""
    return 1.0 - t.at_risk


# ---------------------------------------------------------------------------------------- targets
def target_penalty(t: Terms, contract_year: float, target: float, achieved: float) -> float:
    """Money withheld at the year end for a rate `achieved` below `target` (0 when met)."""
    if achieved >= target:
        return 0.0
    miss = min(1.0, (target - achieved) / t.target_miss_span)
    return t.target_penalty * miss * contract_year


def miss_probability(target: float, done: float, successes: float, expected_year: float) -> float:
    """Chance that the year ends below target, from the rate so far and the cases still to come.

    A provider comfortably above its target sees almost no chance of a penalty, so a success is
    worth little to the target: the threshold effect follows from the rule, not from a constant.
    Normal approximation to the binomial year-end rate.
    """
    n_year = max(expected_year, done, 1.0)
    rate = (successes + 0.5) / (done + 1.0)
    remaining = max(n_year - done, 0.0)
    sd = math.sqrt(max(rate * (1.0 - rate), 1e-6) * remaining) / n_year
    mean = (successes + rate * remaining) / n_year
    if sd <= 1e-9:
        return 1.0 if mean < target else 0.0
    return 0.5 * math.erfc((mean - target) / (sd * math.sqrt(2.0)))


def miss_density(target: float, done: float, successes: float, expected_year: float) -> float:
    """How fast the chance of ending the year below target falls per rate point of the year-end
    result (the density of the projected year-end rate at the target, same approximation as
    `miss_probability`): large near the line, tiny far above or far below it."""
    n_year = max(expected_year, done, 1.0)
    rate = (successes + 0.5) / (done + 1.0)
    remaining = max(n_year - done, 0.0)
    sd = math.sqrt(max(rate * (1.0 - rate), 1e-6) * remaining) / n_year
    sd = max(sd, 0.5 / n_year)  # the result moves in whole cases: no sharper than one case
    mean = (successes + rate * remaining) / n_year
    z = (target - mean) / sd
    return math.exp(-0.5 * z * z) / (sd * math.sqrt(2.0 * math.pi))


def next_target(t: Terms, target: float, achieved: float) -> float:
    """The ratchet: next year's target is this year's result when that is higher (capped)."""
    return min(t.ratchet_cap, max(target, achieved)) if t.ratchet else target


def baseline_target(t: Terms, baseline_rate: float) -> float:
    """The outcome target set after the baseline period: the provider's own reported rate plus the stretch."""
    if t.target_basis == "fixed":
        return t.outcome_target
    return min(t.ratchet_cap, baseline_rate + t.outcome_target)


# ---------------------------------------------------------------------------------------- audits
def detection_probability(t: Terms, trust: float) -> float:
    """Chance that one false record is checked: the audit rate, lowered by trust (002 L745, L1253)."""
    return t.audit_rate * (1.0 - t.trust_audit_relief * trust)


def audit_penalty(t: Terms, notional_price: float) -> float:
    """Penalty for one false record found (001 L589)."""
    return t.audit_penalty * notional_price


# ---------------------------------------------------------------------------------------- tenders
def tender_scores(t: Terms, rates: np.ndarray, wait_shares: np.ndarray | None = None) -> np.ndarray:
    """What the reported indicator contributes to each provider's tender score."""
    score = np.asarray(rates, float)
    if t.wait_target_on and wait_shares is not None:
        score = 0.5 * (score + np.asarray(wait_shares, float))
    return t.retender_weight * score


def loss_probabilities(t: Terms, scores: np.ndarray) -> np.ndarray:
    """Chance that each provider loses the next re-tender: the lowest total score loses, and the
    commissioner's judgement of everything else in the bids adds noise of spread `tender_noise`.
    A softmax on the indicator's share of the score: with no weight on the indicator every
    provider is equally at risk, and a reported success changes nothing."""
    n = scores.shape[0]
    if n < 2:
        return np.zeros(n)
    z = -(scores - scores.max()) / max(t.tender_noise, 1e-9)
    w = np.exp(z - z.max())
    return w / w.sum()


def loss_sensitivity(t: Terms, scores: np.ndarray, k: int) -> float:
    """How much one rate point of provider k's score lowers its chance of losing (>= 0)."""
    if scores.shape[0] < 2 or t.retender_weight <= 0:
        return 0.0
    pk = loss_probabilities(t, scores)[k]
    return t.retender_weight * pk * (1.0 - pk) / max(t.tender_noise, 1e-9)


# ---------------------------------------------------------------------------------------- valuation
class Records(NamedTuple):
    """What a provider knows of itself and of the published indicators, at the moment it decides."""

    contract_year: float  # value of its contract for a year
    notional_price: float  # the contract's value per expected outcome: the money scale of one outcome
    price: np.ndarray  # (bands,) payment per reported outcome
    activity_price: float  # payment per start
    counted: float  # closed cases in the indicator's count so far this year
    reported: float  # of which reported successes
    starts: float  # starts so far this year
    starts_in_target: float  # reported within the wait target
    counted_year: float  # expected closed cases in a whole year
    starts_year: float
    outcome_target: float  # this provider's current outcome target
    scores: np.ndarray  # (providers,) published tender scores (last full year), this provider included
    index: int
    n_providers: int
    paid_by_results: float  # earned by results so far this contract year
    in_baseline: bool  # still in the baseline period: results set next targets and prices, nothing else
    margin: float  # share of the contract that pays the organisation's overheads: what losing it costs


class IndicatorValues(NamedTuple):
    """Expected money and contract security, in GBP, of one more of each number (this week)."""

    success_full: float  # a reported success, ignoring threshold easing and ratchet restraint
    success_eased: float  # ... with the threshold: the target only matters while a miss is likely
    success_now: float  # ... and the ratchet's cost of a higher next target (may be below zero)
    success_money: float  # the part paid per outcome (no rate involved)
    wait_full: float  # a start reported inside the wait target, ignoring threshold easing
    wait_now: float  # ... with it
    start: float  # a case started (activity payment)
    exclusion: float  # one failure left out of the indicator's count


def _dilution(t: Terms, n: int) -> float:
    """With one system-wide indicator a provider's own result moves it by its share only."""
    return 1.0 if t.provider_kpis else 1.0 / max(n, 1)


def indicator_values(t: Terms, r: Records) -> IndicatorValues:
    """The marginal value of each reported number to provider `r.index` under the terms `t`."""
    dil = _dilution(t, r.n_providers)
    mean_price = float(r.price.mean()) if r.price.size else 0.0
    n_year = max(r.counted_year, 1.0)
    rate = (r.reported + 0.5) / (r.counted + 1.0)
    # rate-based consequences: value per rate point of the outcome indicator
    per_point_full = per_point_eased = per_point_now = 0.0
    if t.outcome_target_on and not r.in_baseline:
        slope = t.target_penalty * r.contract_year / t.target_miss_span  # GBP per rate point while missing
        p_miss = miss_probability(r.outcome_target, r.counted, r.reported, n_year)
        per_point_full += slope
        per_point_eased += slope * p_miss
        per_point_now += slope * p_miss - ratchet_cost(t, slope, p_miss)
    security = 0.0
    if t.competing and not r.in_baseline:
        # what losing the contract costs the organisation: the overheads it carries for the contract's term
        years = t.retender_weeks / WEEKS_PER_YEAR
        security = loss_sensitivity(t, r.scores, r.index) * r.margin * r.contract_year * years
    per_point_full += security
    per_point_eased += security
    per_point_now += security
    if t.sanction > 0 and not r.in_baseline:
        # the published table names the failing: below target, or (with no target) the bottom provider
        if t.outcome_target_on:
            at_line = miss_density(r.outcome_target, r.counted, r.reported, n_year)
            per_point_full += t.sanction * r.contract_year / t.target_miss_span
            per_point_eased += t.sanction * r.contract_year * at_line
            per_point_now += t.sanction * r.contract_year * at_line
        elif r.n_providers > 1:
            bottom = loss_sensitivity(_as_league(t), r.scores, r.index) * t.sanction * r.contract_year
            per_point_full += bottom
            per_point_eased += bottom
            per_point_now += bottom
    # a further outcome earns its price only while the year's payments are below the cap
    below_cap = r.paid_by_results + mean_price <= results_cap(t, r.contract_year)
    money = mean_price if (below_cap and not r.in_baseline) else 0.0
    to_rate = dil / n_year  # one success moves the rate by 1/n of a point
    full = money + per_point_full * to_rate
    eased = money + per_point_eased * to_rate
    now = money + per_point_now * to_rate
    # the wait indicator: share of starts inside the target
    wait_full = wait_now = 0.0
    if t.wait_target_on and not r.in_baseline:
        slope_w = t.target_penalty * r.contract_year / t.target_miss_span
        s_year = max(r.starts_year, 1.0)
        p_miss_w = miss_probability(t.wait_target_share, r.starts, r.starts_in_target, s_year)
        wait_full = (slope_w + security) * dil / s_year
        wait_now = (slope_w * p_miss_w + security) * dil / s_year
    start_below_cap = r.paid_by_results + r.activity_price <= results_cap(t, r.contract_year)
    start = r.activity_price if (start_below_cap and not r.in_baseline) else 0.0
    # leaving a failure out raises the rate by rate/n instead of (1 - rate)/n, and earns no payment
    exclusion = max(0.0, (now - money)) * rate / max(1.0 - rate, 1e-3)
    return IndicatorValues(full, eased, now, money, wait_full, wait_now, start, exclusion)


def ratchet_cost(t: Terms, slope: float, p_miss: float) -> float:
    """Expected future penalty from raising next year's target by one rate point.

    With the ratchet, a result above target becomes next year's target; next year's result is as
    likely to fall short of this year's as to beat it, so half the penalty slope is at stake for
    each point gained, as far as the result is above target (Bevan & Hood 2006; Weitzman 1980)."""
    if not t.ratchet:
        return 0.0
    return 0.5 * slope * (1.0 - p_miss)


def _as_league(t: Terms) -> Terms:
    """A league table ranks on the indicator alone: the sanction falls on the bottom provider."""
    from dataclasses import replace

    return replace(t, retender_weight=1.0 if t.sanction > 0 else 0.0)


def false_record_value(t: Terms, v: IndicatorValues, trust: float, notional_price: float) -> float:
    """Expected net gain of writing up one failure as a success: its value less detection x penalty."""
    gain = max(v.success_now, v.wait_now, 0.0)
    return gain - detection_probability(t, trust) * audit_penalty(t, notional_price)


def exclusion_net_value(t: Terms, v: IndicatorValues, trust: float, notional_price: float) -> float:
    """Expected net gain of leaving one failure out of the count; audits see it only if the contract says so."""
    cost = detection_probability(t, trust) * audit_penalty(t, notional_price) if t.audit_sees_exclusions else 0.0
    return v.exclusion - cost


def case_values(
    v: IndicatorValues, rep_rate: np.ndarray, weeks: np.ndarray, price: np.ndarray | None = None
) -> np.ndarray:
    """Money and security a case of each band brings per week of caseload place it occupies.

    With prices by difficulty (`price`, per band) a reported success of a harder band earns more;
    the rate-based part of a success's value (targets, tenders, league tables) is the same for
    every band. Below the year's payment cap the band's own price replaces the mean price."""
    success = np.full(rep_rate.shape, v.success_now)
    if price is not None and v.success_money > 0:
        success = success - v.success_money + price
    per_case = success * np.maximum(rep_rate, 0.0) + v.start
    return per_case / np.maximum(weeks, 1.0)


# ---------------------------------------------------------------------------------------- admin
def admin_hours_per_case(p: dict[str, Any], claims_per_case_week: float, audited_per_case_week: float) -> float:
    """Recording and reporting time per open case per week that the monitoring rules impose.

    A base of recording any service keeps, plus the indicators the contract asks for on each case,
    the evidence behind each payment claim and preparing cases the commissioner audits (001 L1608:
    a third of 640 organisations spend over 30% of their resources managing funding contracts).
    Reporting on the contract itself (`contract_hours_per_week`) falls on the staff who hold it and
    is added per worker by the model.
    """
    return (
        p["admin_hours_per_case"]
        + p["indicators_per_case"] * p["indicator_hours"]
        + claims_per_case_week * p["evidence_hours_per_claim"]
        + audited_per_case_week * p["audit_hours_per_case"]
    )
