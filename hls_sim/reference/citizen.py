"""A citizen as one Mesa agent: a life of eight domains, and what happens to it in one week.

Each method is the plain-Python statement of one numba kernel's work for one person (the kernel
named in its docstring), in the same order of arithmetic, so that the two give the same bits.
A reader who wants to know what the model does to a person should read this file, not the kernels.
Each person also has a no-service twin (`NoServiceTwin`) that lives the same life with the same
random numbers and never meets a service: the run's impact is the difference between the two.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import TYPE_CHECKING

import mesa

from hls_sim.kernels.life import (
    I_CRISES,
    I_CRISES_TWIN,
    I_PERSON_WEEKS,
    I_REACTIVE,
    I_REACTIVE_TWIN,
    I_SERIOUS_AVOIDED,
    I_WB_DIFF,
    PRESENTED_ROW,
)
from hls_sim.layout import (
    B_CLOSES,
    B_REP_SUCC,
    B_TRUE_SUCC,
    B_WEEKS,
    C_ATTRIB_HELP,
    C_ATTRIB_OTHER,
    C_CHURN,
    C_CLOCK_STOPS,
    C_COUNTED,
    C_CRISES,
    C_DISC_SPEND,
    C_DISCHARGES,
    C_DROPOUTS,
    C_ELIGIBLE,
    C_EPISODE_LIMIT,
    C_EXCLUSIONS,
    C_FOLLOWUPS,
    C_GIVE_UPS,
    C_H_CASE,
    C_H_PARKED,
    C_HANDOFFS,
    C_HOLISTIC,
    C_MISREPORTS,
    C_OUTREACH,
    C_PRESENTATIONS,
    C_REACTIVE,
    C_REAL_IMPROVED,
    C_REAL_WORSENED,
    C_REFERRAL_FAIL,
    C_REFERRALS,
    C_REJ_CREAM,
    C_REJ_THRESHOLD,
    C_REP_SUCCESS,
    C_REPEAT,
    C_SUST_CHECKS,
    C_SUST_OK,
    C_TIMING,
    C_TRUE_SUCCESS,
    C_TWIN_CRISES,
    C_TWIN_REACTIVE,
    C_UNRESOLVED,
    C_WAIT_DROPOUTS,
    COMMUNITY,
    IN_SERVICE,
    N_BANDS,
    PC_CLOSES,
    PC_COUNTED,
    PC_EXCLUSIONS,
    PC_HOURS_CASE,
    PC_INTAKES,
    PC_MISREPORTS,
    PC_N_LEARN,
    PC_NOTE_REAL_SUM,
    PC_NOTE_SQ,
    PC_NOTE_SUM,
    PC_PRESENTATIONS,
    PC_REAL_SQ,
    PC_REAL_SUM,
    PC_REP_SUCC,
    PC_TRUE_SUCC,
    POL_CHURN,
    POL_EXCLUDE,
    POL_HONESTY,
    POL_PARK,
    POL_REFER,
    POL_TIMING,
    WAITING,
)
from hls_sim.reference.week import Tally, total

if TYPE_CHECKING:
    from hls_sim.reference.worker import Worker


def observed_band(need: list[float], cxn: float, rules: SimpleNamespace) -> int:
    """Difficulty an assessment can see: how many domains are in trouble (need above
    `band_trouble_level`, full marks at `band_domains_full` of them) and how intertwined the
    person's problems are, each counting half. (kernels/doors.py: observed_band)"""
    troubled = sum(1 for x in need if x > rules.band_trouble_level)
    score = 0.5 * min(1.0, troubled / rules.band_domains_full) + 0.5 * cxn
    return min(N_BANDS - 1, int(score * N_BANDS))


def prospect(need_dc: float, band_attract: float, threshold: float, width: float) -> float:
    """How likely a case looks to produce a paid or counted outcome soon: its band's record, and how
    close its service-domain need is to the line, within `bubble_width` (the 'bubble' cases)."""
    near = min(1.0, max(0.0, 1.0 - (need_dc - threshold) / width))
    return band_attract * near


CONTACT_FADE = 1.0 - 0.5 ** (1.0 / 26.0)  # recent contacts fade with a half-life of half a year (a record)


def pick(providers: list[int], u: float) -> int:
    """One of the providers serving a domain, by a uniform."""
    return providers[min(len(providers) - 1, int(u * len(providers)))]


def first_max(values: list[float]) -> int:
    """The domain where need is highest (the first such, on a tie)."""
    best = 0
    for k in range(1, len(values)):
        if values[k] > values[best]:
            best = k
    return best


def wellbeing(need: list[float]) -> float:
    """1 - mean need."""
    return 1.0 - total(need) / len(need)


def reactive(need: list[float], rules: SimpleNamespace) -> float:
    """Expected contacts with reactive services this week: `reactive_rate` for a domain at need 1,
    falling linearly to none at `reactive_floor`, summed over domains. (kernels/life.py: _reactive)"""
    floor = rules.reactive_floor
    per_unit = rules.reactive_rate / (1.0 - floor) if floor < 1.0 else 0.0
    s = 0.0
    for x in need:
        s += max(x - floor, 0.0)
    return s * per_unit


def serious(need: list[float], level: float) -> float:
    """1.0 when any need is above `serious_need_level`."""
    return 1.0 if any(x > level for x in need) else 0.0


class NoServiceTwin:
    """The person's no-service twin: the same life, the same random numbers, never any services.
    What a run's impact is measured against. (state.Twin)"""

    FIELDS = ("need", "strength", "efficacy", "crisis_now")  # as in state.Twin

    def __init__(self, need: list[float], strength: list[float], efficacy: float, crisis_now: int) -> None:
        self.need = need
        self.strength = strength
        self.efficacy = efficacy
        self.crisis_now = crisis_now


def live_one_week(
    life: Citizen | NoServiceTwin,
    strength0: list[float],
    efficacy0: float,
    coupling: list[list[float]],
    u: list[float],
    rules: SimpleNamespace,
) -> int:
    """One week of one life's needs, strengths and self-efficacy, with or without services; returns
    the domain of a crisis, or -1. (kernels/life.py: _live)

    - Serious problems spill into coupled domains: the part of a need above `spill_floor` drives
      the domains it is coupled to, more where those are still low.
    - Recovery comes from strengths, scaled by self-efficacy (`efficacy_recovery_weight`).
    - Strengths return towards the person's own level (`strength0`) and are worn down by need.
    - A shock may hit one domain; self-efficacy returns towards the person's own level.
    - Where the highest need is above `crisis_threshold`, a crisis may happen: emergency help
      relieves that domain (`crisis_relief`) while the upheaval spreads into the domains coupled
      to it (`crisis_spill`).
    """
    need, strength = life.need, life.strength
    d = len(need)
    floor = rules.spill_floor
    w = rules.efficacy_recovery_weight
    recovery = rules.recovery_rate * (1.0 - w + w * 2.0 * life.efficacy)
    back = rules.strength_return
    wear = rules.strength_erosion
    old = list(need)
    for k in range(d):
        inflow = 0.0
        for j in range(d):
            above = old[j] - floor
            if above > 0.0:
                inflow += coupling[j][k] * above
        x = old[k] + rules.spill_rate * inflow * (1.0 - old[k]) - recovery * strength[k] * old[k]
        s = strength[k]
        strength[k] = s + back * (strength0[k] - s) - back * wear * old[k] * s
        need[k] = min(1.0, max(0.0, x))
    if u[0] < rules.shock_rate:
        k = min(d - 1, int(u[1] * d))
        size = -rules.shock_size * math.log(1.0 - u[2])
        need[k] = min(1.0, need[k] + size * (1.0 - need[k]))
    life.efficacy += rules.efficacy_return * (efficacy0 - life.efficacy)
    acute = first_max(need)
    if not (need[acute] > rules.crisis_threshold and u[4] < rules.crisis_prob):
        return -1
    spread = rules.crisis_spill
    for k in range(d):
        if k != acute:
            need[k] = min(1.0, need[k] + spread * coupling[acute][k] * (1.0 - need[k]))
    need[acute] -= rules.crisis_relief * need[acute]
    return acute


class Citizen(mesa.Agent):
    """One person. `need`, `strength` (and the person's own level of strengths, `strength0`) are
    lists over the domains; `coupling[j][k]` is how need in domain j drives domain k. `provider` and
    `worker` are indices (-1 when none). `twin` is the person's `NoServiceTwin` (None when the run
    has no twins)."""

    # per-person fields that the numba engine keeps in model.cit[...] arrays, by the same names
    FIELDS = (
        "need",
        "strength",
        "coupling",
        "complexity",
        "priority",
        "trust",
        "efficacy",
        "status",
        "provider",
        "worker",
        "wait",
        "clock_stopped",
        "episode",
        "band",
        "intake_wellbeing",
        "bond",
        "game_hours",
        "followup",
        "followup_domain",
        "followup_wellbeing",
        "unresolved",
        "handoffs",
        "help_dc",
        "intake_need_dc",
        "h_rel",
        "h_prot",
        "crisis_now",
        "strength0",
        "efficacy0",
        "gave_up",
        "presented",
        "contacts",
        "dependence",
    )

    def __init__(self, model: mesa.Model, index: int, cxn: float, decile: int) -> None:
        super().__init__(model)
        self.index = index
        self.cxn = cxn  # complexity rank in the population, 0..1
        self.decile = decile
        self.twin: NoServiceTwin | None = None

    # ------------------------------------------------------------------ life (kernels/life.py)
    def live(
        self, u_rows: list[list[float]], rules: SimpleNamespace, tally: Tally, with_twin: bool, record: bool
    ) -> None:
        """One week of life: needs, strengths and self-efficacy move (`live_one_week`), attention may
        shift, a crisis costs trust and brings a person who had given up back to services. The
        no-service twin, when there is one, lives the same week with the same random numbers; with
        `record` (after the burn-in) the week's difference between the two goes to the impact tally.
        (kernels/life.py: life_step)"""
        u = u_rows[self.index]
        need = self.need
        d = len(need)
        acute = live_one_week(self, self.strength0, self.efficacy0, self.coupling, u, rules)
        self.reactive_now = reactive(need, rules)
        tally.cnt[C_REACTIVE] += self.reactive_now
        rate = rules.priority_shift_rate
        if rate > 0.0 and u[3] < rate:
            v = u[3] / rate
            if v < 0.6:  # attention moves to what hurts most now
                self.priority = first_max(need)
            else:
                self.priority = min(d - 1, int((v - 0.6) / 0.4 * d))
        self.crisis_now = 0
        if acute >= 0:
            self.crisis_now = 1
            tally.cnt[C_CRISES] += 1.0
            self.trust = max(0.0, self.trust - rules.crisis_trust_loss)
            self.gave_up = 0  # a crisis brings people back to services
        self.trust += rules.trust_return * (0.5 - self.trust)  # trust in services drifts back slowly
        if self.unresolved > 0:
            self.unresolved -= 1
        if not with_twin:
            return
        twin = self.twin
        twin.crisis_now = 1 if live_one_week(twin, self.strength0, self.efficacy0, self.coupling, u, rules) >= 0 else 0
        tally.cnt[C_TWIN_CRISES] += twin.crisis_now
        twin.reactive_now = reactive(twin.need, rules)
        tally.cnt[C_TWIN_REACTIVE] += twin.reactive_now
        if record:
            self.record_impact(rules, tally)

    def record_impact(self, rules: SimpleNamespace, tally: Tally) -> None:
        """This week's difference from the no-service twin, added to the person's complexity decile
        and, once they have presented at a door, to the presenters' row. (kernels/life.py: life_step)"""
        twin = self.twin
        wb_diff = wellbeing(self.need) - wellbeing(twin.need)
        level = rules.serious_need_level
        avoided = serious(twin.need, level) - serious(self.need, level)
        rows = [self.decile] + ([PRESENTED_ROW] if self.presented else [])
        for row in rows:
            imp = tally.imp[row]
            imp[I_WB_DIFF] += wb_diff
            imp[I_SERIOUS_AVOIDED] += avoided
            imp[I_CRISES] += self.crisis_now
            imp[I_CRISES_TWIN] += twin.crisis_now
            imp[I_PERSON_WEEKS] += 1.0
            imp[I_REACTIVE] += self.reactive_now
            imp[I_REACTIVE_TWIN] += twin.reactive_now

    def follow_up(self, rules: SimpleNamespace, tally: Tally) -> None:
        """Reliance on services fades (`dependence_decay`) and so does the count of recent contacts
        (a half-life of half a year); `followup_weeks` after a discharge: did life really improve,
        and did the result hold? (kernels/discharge.py: followups)"""
        self.dependence -= rules.dependence_decay * self.dependence
        self.contacts -= CONTACT_FADE * self.contacts
        if self.followup < 0:
            return
        self.followup -= 1
        if self.followup > 0:
            return
        self.followup = -1
        cnt = tally.cnt
        real = (1.0 - total(self.need) / len(self.need)) - self.followup_wellbeing
        cnt[C_FOLLOWUPS] += 1.0
        if real > rules.real_change:
            cnt[C_REAL_IMPROVED] += 1.0
        elif real < -rules.real_change:
            cnt[C_REAL_WORSENED] += 1.0
        cnt[C_SUST_CHECKS] += 1.0
        if self.need[self.followup_domain] < rules.outcome_threshold:
            cnt[C_SUST_OK] += 1.0

    # ------------------------------------------------------------------ doors (kernels/doors.py)
    def seek_help(self, u_rows: list[list[float]], rules: SimpleNamespace, tally: Tally) -> None:
        """Someone with unmet need walks in at a door, or a team reaching out finds them; the provider
        takes them on, refers them on (walk-ins only) or turns them away.
        (kernels/doors.py: present_and_intake)"""
        if self.status != COMMUNITY:
            return
        u = u_rows[self.index]
        need, doors = self.need, rules.doors
        cnt, pcnt = tally.cnt, tally.pcnt
        d = len(need)
        top = 0.0
        signal = 0.0  # need that shows at a door people can walk in to
        for k in range(d):
            top = max(top, need[k])
            if doors[k]:
                signal += need[k] * need[k]
        # nobody seeks help below `seek_floor`; distrust of services holds people back, reliance on
        # them brings people back; someone who has given up does not come until a crisis
        floor = rules.seek_floor
        prob = rules.help_seeking * max(0.0, top - floor) / (1.0 - floor) * (rules.seek_trust_floor + self.trust)
        prob *= 1.0 + rules.dependence_seeking * self.dependence
        if self.gave_up == 1:
            prob = 0.0
        if self.crisis_now == 1:
            prob = max(prob, rules.crisis_seek_prob)
        reach, team = self.outreach(rules)
        walks_in = u[0] < prob and signal > 0.0
        reached = not walks_in and u[0] < reach  # they would not have come: outreach finds them
        if not walks_in and not reached:
            return
        cnt[C_PRESENTATIONS] += 1.0
        self.contacts += 1.0
        self.presented = 1
        if self.unresolved > 0:
            cnt[C_REPEAT] += 1.0
        band = observed_band(need, self.cxn, rules)
        if reached:
            # the team that found them owns the case: it assesses them itself, given up or not, and
            # does not refer them on
            cnt[C_OUTREACH] += 1.0
            self.gave_up = 0
            pcnt[team][PC_INTAKES] += 1.0
            pcnt[team][PC_PRESENTATIONS] += 1.0
            self.assessed(team, band, u, rules, tally)
            return
        # the door: a domain with a walk-in door, drawn in proportion to need squared
        target = u[1] * signal
        door = -1
        acc = 0.0
        for k in range(d):
            if doors[k]:
                acc += need[k] * need[k]
                door = k
                if acc >= target:
                    break
        p = pick(doors[door], u[2])
        best = door  # where the biggest need with a walk-in door lies
        for k in range(d):
            if doors[k] and need[k] > need[best]:
                best = k
        pcnt[p][PC_INTAKES] += 1.0
        pcnt[p][PC_PRESENTATIONS] += 1.0
        if best != rules.domain[p] and u[3] < rules.policy[p][POL_REFER]:
            # refer on, once, to a walk-in door where the bigger need lies; it arrives more often
            # between providers that trust each other ("dockyard tennis" when it does not)
            q = pick(doors[best], u[2])
            cnt[C_REFERRALS] += 1.0
            cnt[C_HANDOFFS] += 1.0
            self.handoffs += 1
            base = rules.referral_success_base
            if u[4] >= base + (1.0 - base) * rules.ptrust[p][q]:
                # lost between services: trust and self-efficacy suffer, and the two organisations
                # have let each other down (the trust ledger reads `tally.refer` at the next review)
                cnt[C_REFERRAL_FAIL] += 1.0
                tally.refer[p][q][1] += 1.0
                self.trust = max(0.0, self.trust - rules.referral_fail_trust_loss)
                self.efficacy = max(0.0, self.efficacy - rules.referral_fail_efficacy_loss)
                return
            tally.refer[p][q][0] += 1.0  # arrived
            pcnt[q][PC_INTAKES] += 1.0
            pcnt[q][PC_PRESENTATIONS] += 1.0
            p = q
        self.assessed(p, band, u, rules, tally)

    def outreach(self, rules: SimpleNamespace) -> tuple[float, int]:
        """(chance, provider): whether a team reaching out finds this person this week, whether or not
        they would come themselves. Needs must show at `outreach_min_domains` or more served domains
        (at `outreach_level` or above, walk-in door or not); the team is the one reaching out for the
        person's most pressing of those problems (the first, on a tie) and its rate, as far as it has
        room, is the chance, less where trust in services is low. (0.0, -1) when nobody reaches them.
        (kernels/doors.py: present_and_intake)"""
        need = self.need
        signals = 0
        focus = -1
        for k, x in enumerate(need):
            if rules.serves[k] and x >= rules.outreach_level:
                signals += 1
                if rules.reach_rate[k] > 0.0 and (focus < 0 or x > need[focus]):
                    focus = k
        if signals < rules.outreach_min_domains or focus < 0:
            return 0.0, -1
        chance = rules.reach_rate[focus] * (rules.seek_trust_floor + self.trust) / (rules.seek_trust_floor + 1.0)
        return chance, rules.reach_prov[focus]

    def assessed(self, p: int, band: int, u: list[float], rules: SimpleNamespace, tally: Tally) -> None:
        """Provider p assesses the person at the band it can see: below its own eligibility threshold in
        the domain it serves, refused; an eligible case of a band the contract makes unattractive may
        be cream-skimmed; otherwise on the waiting list. (kernels/doors.py: _assess)"""
        cnt = tally.cnt
        need = self.need
        if need[rules.domain[p]] < rules.practice[p].eligibility_threshold:
            cnt[C_REJ_THRESHOLD] += 1.0
            self.turned_away(u[6], rules, tally)
            return
        cnt[C_ELIGIBLE] += 1.0
        tally.dcnt[self.decile][0] += 1.0
        if u[5] < rules.refuse[p][band]:
            cnt[C_REJ_CREAM] += 1.0
            self.turned_away(u[6], rules, tally)
            return
        tally.dcnt[self.decile][1] += 1.0
        self.status = WAITING
        self.provider = p
        self.wait = 0
        self.clock_stopped = 0
        self.episode = 0
        self.band = band
        self.intake_wellbeing = 1.0 - total(need) / len(need)

    def turned_away(self, u_give_up: float, rules: SimpleNamespace, tally: Tally) -> None:
        """Being turned away (below the threshold, or cream-skimmed) costs trust and self-efficacy;
        some give up seeking help until a crisis, more readily the less they trust services.
        (kernels/doors.py: _turned_away)"""
        self.trust = max(0.0, self.trust - rules.reject_trust_loss)
        self.efficacy = max(0.0, self.efficacy - rules.refusal_efficacy_loss)
        if u_give_up < rules.give_up_rate * (1.0 - self.trust):
            self.gave_up = 1
            tally.cnt[C_GIVE_UPS] += 1.0

    # ------------------------------------------------------------------ waiting (kernels/queue.py)
    def queue_score(
        self, service_domain: int, clock_priority: float, target: int, use_target: bool, wait_full: float
    ) -> float:
        """Place in the provider's queue (lower goes first): need and time waited (counting fully at
        `queue_wait_full` weeks), or the clock of a time-to-service target. (kernels/queue.py: allocate)"""
        base = 0.5 * self.need[service_domain] + 0.5 * min(self.wait / wait_full, 1.0)
        urgency = 0.0
        if use_target and self.clock_stopped == 0 and self.wait <= target:
            urgency = 1.0 + self.wait / target
        return -((1.0 - clock_priority) * base + clock_priority * urgency)

    def start_service(self, worker: Worker, service_domain: int, new_bond: float) -> None:
        """Taken on by a worker: a new episode and a new relationship, of strength `new_bond`."""
        self.status = IN_SERVICE
        self.worker = worker.index
        self.episode = 0
        self.bond = new_bond
        self.game_hours = 0.0
        self.help_dc = 0.0
        self.intake_need_dc = self.need[service_domain]

    def wait_a_week(
        self, u_rows: list[list[float]], rules: SimpleNamespace, tally: Tally, target: int, use_target: bool
    ) -> None:
        """Still waiting: the wait grows and wears self-efficacy down, some give up (more readily the
        less they trust services), and a provider whose records are not honest may stop the clock with
        a token contact just as the target is reached, with probability 1 - honesty.
        (kernels/queue.py: allocate)"""
        if self.status != WAITING:
            return
        u = u_rows[self.index]
        self.wait = min(self.wait + 1, 32000)
        self.efficacy = max(0.0, self.efficacy - rules.wait_efficacy_loss)
        if u[0] < rules.wait_dropout_base + rules.wait_dropout_distrust * (1.0 - self.trust):
            self.status = COMMUNITY
            self.provider = -1
            self.trust = max(0.0, self.trust - rules.wait_dropout_trust_loss)
            tally.cnt[C_WAIT_DROPOUTS] += 1.0
            return
        p = self.provider
        stop = use_target and self.wait == target and self.clock_stopped == 0
        if stop and u[1] < 1.0 - rules.policy[p][POL_HONESTY]:
            self.clock_stopped = 1
            tally.cnt[C_CLOCK_STOPS] += 1.0

    # ------------------------------------------------------------------ help (kernels/work.py: give_help)
    def case_weights(self, rules: SimpleNamespace) -> tuple[float, float]:
        """(need-only weight, weight after parking) of this case in its worker's week: need in the
        service's domain and at the top, above a floor; a provider that parks scales the weight by
        1 - parking x (1 - prospect)."""
        p = self.provider
        dc = rules.domain[p]
        base = rules.case_weight_floor + 0.5 * (self.need[dc] + max(self.need))
        hope = prospect(self.need[dc], rules.attract[p][self.band], rules.outcome_threshold, rules.bubble_width)
        parked = rules.policy[p][POL_PARK] * (1.0 - hope)
        return base, base * (1.0 - parked)

    def receive_help(self, workers: list[Worker], rules: SimpleNamespace, tally: Tally) -> None:
        """This week's share of the worker's hours, and what protocol and relational help do.
        (kernels/work.py: give_help)"""
        if self.status != IN_SERVICE:
            self.h_rel = 0.0
            self.h_prot = 0.0
            return
        w = workers[self.worker]
        p = self.provider
        dc = rules.domain[p]
        pr = self.priority
        need = self.need
        d = len(need)
        disc = rules.practice[p].discretion  # discretion in use at this provider
        spend = rules.practice[p].discretionary_spend  # per case-week, as far as discretion allows
        scale = rules.help_scale_hours
        base, weight = self.case_weights(rules)
        share = weight / w.case_weight_sum if w.case_weight_sum > 0.0 else 0.0
        share0 = base / w.need_weight_sum if w.need_weight_sum > 0.0 else 0.0
        hr = w.h_rel * share
        hp = w.h_prot * share
        self.h_rel = hr
        self.h_prot = hp
        self.game_hours += w.h_game * share
        case0 = (w.h_rel + w.h_prot) * share0  # the hours a need-only spread would have given
        tally.cnt[C_H_PARKED] += max(0.0, case0 - (w.h_rel + w.h_prot) * share)
        tally.cnt[C_H_CASE] += hr + hp
        tally.pcnt[p][PC_HOURS_CASE] += hr + hp
        dcnt = tally.dcnt[self.decile]
        dcnt[2] += hr + hp
        dcnt[3] += 1.0
        dcnt[4] += case0
        if self.crisis_now == 1:
            self.bond = 0.0  # a crisis breaks the working relationship
        # readiness to use help: self-efficacy, and trust in services and in this worker
        we = rules.engagement_efficacy_weight
        engaged = we * self.efficacy + 0.5 * (1.0 - we) * (self.trust + self.bond)
        ready0 = rules.readiness_floor
        ready = ready0 + (1.0 - ready0) * engaged
        before = total(need)
        # protocol service: the contracted domain only, deficit-framed, and less use when it is not
        # what matters to the person now; serious problems elsewhere (above `spill_floor`) keep
        # driving this one back
        fp = 1.0 - math.exp(-hp / scale)
        fit = 1.0 if pr == dc else rules.misfit_effect
        inflow = 0.0
        for k in range(d):
            inflow += self.coupling[k][dc] * max(0.0, need[k] - rules.spill_floor)
        drag = min(1.0, inflow / rules.root_drag_scale)
        pe = rules.protocol_effect * w.skill * fp * ready * fit * (1.0 - drag)  # the protocol effect achieved
        cut = pe * need[dc]
        need[dc] -= cut
        self.help_dc += cut
        # deficit-focused handling lowers self-efficacy and builds reliance on services
        self.efficacy = max(0.0, self.efficacy - rules.deficit_efficacy_loss * pe * (2.0 - fit))
        dependence = self.dependence
        dependence += rules.dependence_gain * pe * (1.0 - dependence)
        # relational help: what matters to the person, as far as discretion allows; the rest goes
        # to the service's domain
        fr = 1.0 - math.exp(-hr / scale)
        bond_floor = rules.bond_floor
        er = (  # the relational effect achieved
            rules.relational_effect
            * w.rskill
            * (bond_floor + (1.0 - bond_floor) * self.bond)
            * (rules.knowledge_gain + rules.knowledge[p][pr])
            * fr
            * ready
        )
        need[pr] -= disc * er * need[pr]
        cut = (1.0 - disc) * er * need[dc]
        need[dc] -= cut
        self.help_dc += cut
        # strengths grow where the work goes, split the same way, in proportion to what the help
        # achieves; so do self-efficacy and trust, and reliance on services falls
        sg = min(1.0, rules.strength_gain * er)
        strength = self.strength
        strength[pr] += disc * sg * (1.0 - strength[pr])
        strength[dc] += (1.0 - disc) * sg * (1.0 - strength[dc])
        self.efficacy += min(1.0, rules.help_efficacy_gain * er) * (1.0 - self.efficacy)
        dependence -= min(1.0, rules.dependence_relief * er) * dependence
        self.dependence = min(1.0, max(0.0, dependence))
        # a relationship grows with any time given to it, with diminishing returns, and fades while
        # contact stays below a regular weekly dose (`bond_min_hours`), the more the thinner it is
        bond_min = rules.bond_min_hours
        fb = 1.0 - math.exp(-hr / scale)
        self.bond += rules.bond_gain * fb * (1.0 - self.bond)
        if hr < bond_min:
            self.bond -= rules.bond_fade * (1.0 - hr / bond_min) * self.bond
        self.trust += min(1.0, rules.help_trust_gain * er) * (1.0 - self.trust)
        if spend > 0.0:
            # a small spend helps when the worker knows what matters to the person
            need[pr] -= rules.spend_effect * spend / (spend + rules.spend_half) * self.bond * need[pr]
            tally.cnt[C_DISC_SPEND] += spend
        for k in range(d):
            need[k] = max(0.0, need[k])
        w.seen += before - total(need)

    # ------------------------------------------------------------------ discharge (kernels/discharge.py)
    def end_service_week(
        self, u_rows: list[list[float]], workers: list[Worker], rules: SimpleNamespace, tally: Tally
    ) -> None:
        """Close the case if it ends this week, and record the true and the reported result.
        (kernels/discharge.py: discharge)"""
        if self.status != IN_SERVICE:
            return
        u = u_rows[self.index]
        cnt, pcnt = tally.cnt, tally.pcnt
        self.episode += 1
        p = self.provider
        policy = rules.policy[p]
        dc = rules.domain[p]
        need = self.need
        met = need[dc] < rules.outcome_threshold
        top = max(need)
        holistic = top < rules.holistic_top and met  # the root problem is resolved too
        siloed = 1.0 - rules.practice[p].discretion  # a siloed service closes once its own domain is met
        close = False
        if met and not holistic:
            # timing to the payment rule closes some of the rest at once
            if u[0] < siloed:
                close = True
            elif u[0] < siloed + policy[POL_TIMING] * (1.0 - siloed):
                close = True
                cnt[C_TIMING] += 1.0
        elif not met and self.episode >= rules.churn_min_weeks and u[0] < policy[POL_CHURN]:
            # churn: an unresolved case closed to make room for a new (paid) start
            close = True
            cnt[C_CHURN] += 1.0
        if not close and holistic:
            close = True
            cnt[C_HOLISTIC] += 1.0
        if not close and self.episode >= rules.practice[p].max_episode_weeks:
            close = True
            cnt[C_EPISODE_LIMIT] += 1.0
        if not close:
            engaged = 0.5 * self.trust + 0.5 * self.bond
            if u[1] < rules.disengage_rate * (1.0 - engaged):
                close = True
                cnt[C_DROPOUTS] += 1.0
        if not close:
            return
        b = self.band
        dishonest = 1.0 - policy[POL_HONESTY]
        reported = met
        counted = True
        if not met:
            # a failure written up as a success, more likely the more number-improving effort went in
            if dishonest > 0.0 and u[2] < dishonest * (1.0 - math.exp(-self.game_hours / rules.gaming_scale)):
                reported = True
                cnt[C_MISREPORTS] += 1.0
                pcnt[p][PC_MISREPORTS] += 1.0
                tally.false_claims[p] += rules.price[p][b]
            elif u[3] < policy[POL_EXCLUDE]:  # or left out of the count
                counted = False
                cnt[C_EXCLUSIONS] += 1.0
                pcnt[p][PC_EXCLUSIONS] += 1.0
        real = (1.0 - total(need) / len(need)) - self.intake_wellbeing
        bcnt = tally.bcnt[p][b]
        cnt[C_DISCHARGES] += 1.0
        pcnt[p][PC_CLOSES] += 1.0
        bcnt[B_CLOSES] += 1.0
        bcnt[B_WEEKS] += self.episode
        if met:
            cnt[C_TRUE_SUCCESS] += 1.0
            pcnt[p][PC_TRUE_SUCC] += 1.0
            bcnt[B_TRUE_SUCC] += 1.0
        if counted:
            cnt[C_COUNTED] += 1.0
            pcnt[p][PC_COUNTED] += 1.0
            if reported:
                cnt[C_REP_SUCCESS] += 1.0
                pcnt[p][PC_REP_SUCC] += 1.0
                bcnt[B_REP_SUCC] += 1.0
                tally.claims[p] += rules.price[p][b]
        # what learning can read: the case note against the person's real change. A worker who knows
        # the person (the bond) writes down what changed; one who does not writes what the indicator
        # says, a reported success as a change of `real_change`
        r = 1.0 if (reported and counted) else 0.0
        note = self.bond * real + (1.0 - self.bond) * r * rules.real_change
        pcnt[p][PC_N_LEARN] += 1.0
        tally.lcnt[p][self.priority] += 1.0
        # how much of the measured change in the contracted domain the provider's own help caused
        change = self.intake_need_dc - need[dc]
        cnt[C_ATTRIB_HELP] += self.help_dc
        cnt[C_ATTRIB_OTHER] += abs(change - self.help_dc)
        pcnt[p][PC_REAL_SUM] += real
        pcnt[p][PC_REAL_SQ] += real * real
        pcnt[p][PC_NOTE_SUM] += note
        pcnt[p][PC_NOTE_SQ] += note * note
        pcnt[p][PC_NOTE_REAL_SUM] += note * real
        # a return within `unresolved_window` weeks of leaving with a domain still high is repeat demand
        if top > rules.unresolved_top:
            self.unresolved = int(rules.unresolved_window)
            cnt[C_UNRESOLVED] += 1.0
        else:
            self.unresolved = 0
        change_trust = rules.discharge_trust_change
        if real > 0.0:
            self.trust += change_trust * (1.0 - self.trust)
        else:
            self.trust = max(0.0, self.trust - change_trust)
        self.followup = int(rules.followup_weeks)
        self.followup_domain = dc
        self.followup_wellbeing = self.intake_wellbeing
        workers[self.worker].caseload -= 1
        self.status = COMMUNITY
        self.provider = -1
        self.worker = -1
        self.bond = 0.0
        self.game_hours = 0.0
