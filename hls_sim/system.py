"""The system of providers: trust built from experience, learning from the records, and a steward
with limited time.

Trust between organisations is a belief about each other built from what they live through: a
referral that arrived, a convened meeting, books opened at a review, a contract paid as promised
are good experiences; a referral that went nowhere, a penalty, a false record found, a lost tender
are let-downs, and weigh more (slow to build, quick to lose: 002 L830, L6064). Each pair holds a
count of both, discounted each review (`trust_memory`), starting from the place's history
(`initial_trust_*` worth `trust_prior_events` experiences); trust is the share of good in the
weighted count. Because referrals and audits are random, trust differs from seed to seed, and
because referrals arrive more often between trusting partners, a system can settle high or low.
Nothing here asks which regime is running: only the events the rules and agents produce.

Learning cycles (002 L1978-1983, L2387-2585) read the records the period produced. Their signal
quality is the correlation, over the cases closed, between what the case notes say changed and
what really changed for the person. A worker who knows the person writes down what changed; one
who does not writes what the indicator says, so thin relationships and gamed indicators
(misreports written up as successes) make notes that teach little, and notes that run against the
truth teach the wrong thing (002 L263: data "next-to-useless for learning"). Practice fit moves towards full fit in proportion to a positive
quality, and away from it in proportion to a negative one.

The steward (002 L1618-1649) is one role with `steward_hours_per_week`, spread over the
providers. Its cover, 1 - exp(-hours per provider / `steward_scale_hours`), sets how often it
convenes partners (good experiences for every pair, and the forum where knowledge is shared),
how fast the pooled money moves to where the records show demand, and how far the permission
space can grow above where business as usual keeps it. A system without one can still build
trust through referrals and open books, but rarely does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hls_sim.layout import PC_N_LEARN, PC_NOTE_REAL_SUM, PC_NOTE_SQ, PC_NOTE_SUM, PC_REAL_SQ, PC_REAL_SUM

if TYPE_CHECKING:
    from hls_sim.model import HLSModel


# ---------------------------------------------------------------------------------------- steward
def steward_cover(m: HLSModel) -> float:
    """Share of what a steward's attention can do that this steward's time per provider achieves."""
    p = m.p
    if not p["steward"] or m.n_prov == 0:
        return 0.0
    per_provider = p["steward_hours_per_week"] / m.n_prov
    return 1.0 - math.exp(-per_provider / p["steward_scale_hours"])


def convened_meetings(m: HLSModel) -> float:
    """Meetings of all partners the steward convenes in one review period."""
    return steward_cover(m) * m.p["review_weeks"] / m.p["convening_weeks"]


# ------------------------------------------------------------------------------------------ trust
class TrustLedger:
    """Good experiences and let-downs, between providers (pairs) and between the commissioner and
    each provider, discounted review by review."""

    def __init__(self, n_prov: int, p: dict) -> None:
        self.p = p
        self.pg = np.zeros((n_prov, n_prov))
        self.pb = np.zeros((n_prov, n_prov))
        self.cg = np.zeros(n_prov)
        self.cb = np.zeros(n_prov)
        prior = p["trust_prior_events"]
        t0 = p["initial_trust_providers"]
        self.pg[:] = t0 * prior
        self.pb[:] = (1.0 - t0) * prior
        c0 = p["initial_trust_commissioner"]
        self.cg[:] = c0 * prior
        self.cb[:] = (1.0 - c0) * prior
        # this period's events, added to by the rules as they act
        self.pair_good = np.zeros((n_prov, n_prov))
        self.pair_bad = np.zeros((n_prov, n_prov))
        self.com_good = np.zeros(n_prov)
        self.com_bad = np.zeros(n_prov)

    @staticmethod
    def _share(good: np.ndarray, bad: np.ndarray, fallback: float) -> np.ndarray:
        total = good + bad
        return np.where(total > 0, good / np.where(total > 0, total, 1.0), fallback)

    def provider_trust(self) -> np.ndarray:
        t = self._share(self.pg, self.pb, self.p["initial_trust_providers"])
        np.fill_diagonal(t, 1.0)
        return t

    def commissioner_trust(self) -> np.ndarray:
        return self._share(self.cg, self.cb, self.p["initial_trust_commissioner"])

    def letdown(self, k: int, events: float) -> None:
        """The commissioner and provider k: a penalty, a false record found, a cut."""
        self.com_bad[k] += events

    def lost_tender(self, k: int, entrant_trust: float) -> None:
        """Provider k's contract went to a newcomer: every remaining pair is shaken, and the newcomer
        starts with the history a stranger has."""
        p = self.p
        off = ~np.eye(self.pg.shape[0], dtype=bool)
        self.pair_bad[off] += 0.5 * p["tender_trust_events"]  # halves, summed both ways at close_period
        prior = p["trust_prior_events"]
        for arr_g, arr_b in ((self.pg, self.pb), (self.pg.T, self.pb.T)):
            arr_g[k, :] = entrant_trust * prior
            arr_b[k, :] = (1.0 - entrant_trust) * prior
        self.pair_good[k, :] = self.pair_good[:, k] = 0.0
        self.pair_bad[k, :] = self.pair_bad[:, k] = 0.0
        c0 = p["initial_trust_commissioner"]
        self.cg[k] = c0 * prior
        self.cb[k] = (1.0 - c0) * prior
        self.com_good[k] = self.com_bad[k] = 0.0

    def close_period(self) -> None:
        """Discount the past, add this period's events (let-downs weighted), start a new period."""
        p = self.p
        keep = p["trust_memory"]
        w = p["trust_loss_weight"]
        pair_good = self.pair_good + self.pair_good.T  # an experience between two is shared by both
        pair_bad = self.pair_bad + self.pair_bad.T
        self.pg = keep * self.pg + pair_good
        self.pb = keep * self.pb + w * pair_bad
        self.cg = keep * self.cg + self.com_good
        self.cb = keep * self.cb + w * self.com_bad
        for a in (self.pair_good, self.pair_bad, self.com_good, self.com_bad):
            a[:] = 0.0


def update_trust(m: HLSModel, referrals: np.ndarray) -> None:
    """One review's experiences: referrals that arrived or failed between each pair, the meetings a
    steward convened, books opened, and for the commissioner, promises kept; then the new trust."""
    led = m.trust
    n = m.n_prov
    off = ~np.eye(n, dtype=bool)
    led.pair_good += referrals[:, :, 0]
    led.pair_bad += referrals[:, :, 1]
    meetings = convened_meetings(m)
    if n > 1:
        led.pair_good[off] += 0.5 * meetings  # each meeting counted once per pair (halves, summed both ways)
    if m.p["open_books"]:
        led.pair_good[off] += 0.5
        led.com_good += 1.0
    led.com_good += meetings
    led.com_good += m.commissioner.kept_promises()
    led.close_period()
    m.ptrust[:] = led.provider_trust()
    m.ctrust[:] = led.commissioner_trust()


def felt_stakes(m: HLSModel) -> float:
    """How much the indicator's consequences drive the organisations now: the mean pressure their
    management passes down (set by provider.py from what the contract pays; 0 when it pays nothing)."""
    return float(m.stk[:, 2].mean()) if m.n_prov else 0.0


# ------------------------------------------------------------------------------------- permission
def update_permission(m: HLSModel) -> None:
    """Move the permission space, and with it the discretion frontline staff actually use.

    Granting discretion on paper is not enough. Staff used to process and checklists feel exposed
    when asked to use judgement; "a sense of permission to work differently is crucial" (001 L988),
    and the space for it has to be protected from business as usual by people who can give it
    (002 L2236; 001 L1742). Without a steward it settles where business as usual keeps it
    (`initial_permission`); the steward's cover, as far as the commissioner trusts the providers to
    use it, opens the rest. Stakes on the indicator shrink it: performance management against the
    numbers is the business as usual that learning organisations found blocking them (002 L2194,
    L2886). The planned reflection time of learning cycles is used in the same proportion.
    """
    p = m.p
    base = p["initial_permission"]
    opened = steward_cover(m) * float(m.ctrust.mean()) if m.n_prov else 0.0
    target = (base + (1.0 - base) * opened) * (1.0 - felt_stakes(m))
    m.permission += p["permission_rate"] * (target - m.permission)
    m.fill_practice()


# --------------------------------------------------------------------------------------- learning
def record_quality(acc_row: np.ndarray) -> float:
    """Correlation between what the case notes say changed and people's real change, over the cases
    one provider closed since the last cycle; 0 with too few cases to tell (fewer than 5).

    A note is what the worker saw (the real change, as far as the relationship let them see it) and,
    for the rest, what the indicator says (a reported success written up as a real change): see
    kernels/discharge.py. Misreports and thin relationships both lower it."""
    n = acc_row[PC_N_LEARN]
    if n < 5:
        return 0.0
    note_mean = acc_row[PC_NOTE_SUM] / n
    x_mean = acc_row[PC_REAL_SUM] / n
    cov = acc_row[PC_NOTE_REAL_SUM] / n - note_mean * x_mean
    var_note = acc_row[PC_NOTE_SQ] / n - note_mean * note_mean
    var_x = acc_row[PC_REAL_SQ] / n - x_mean * x_mean
    if var_note <= 1e-12 or var_x <= 1e-12:
        return 0.0
    return float(max(-1.0, min(1.0, cov / math.sqrt(var_note * var_x))))


def learning_cycle(m: HLSModel) -> tuple[float, float, float]:
    """Make sense of the period's records, change practice, share what was learnt.

    Returns the mean signal quality, the mean knowledge carried between providers and the
    openness with which it was offered: the share of a knowledge gap closed at one cycle when every
    partner holds the knowledge, `sharing_rate` x forum x mean trust between providers, where the
    forum is the steward's convening (`informal_sharing` of it without one). "Keepers of secrets"
    against "sharers of knowledge" (001 L545-547).
    """
    p = m.p
    acc = m.learn_acc
    quality = np.array([record_quality(acc[k]) for k in range(m.n_prov)])
    # what helped whom: each provider learns most about the people it actually served
    seen = m.lcnt / np.maximum(m.lcnt.max(axis=1, keepdims=True), 1.0)
    fatigue = min(1.0, p["learning_cycle_weeks"] / p["learning_fatigue_weeks"])
    rate = p["learning_rate"] * fatigue * m.permission  # reflection time actually used
    q = quality[:, None]
    toward = np.where(q >= 0.0, q * (1.0 - m.knowledge), q * m.knowledge)
    m.knowledge += rate * seen * toward
    m.lcnt[:] = 0.0
    before = m.knowledge.copy()
    openness = 0.0
    shared = 0.0
    if m.n_prov > 1:
        cover = steward_cover(m)
        forum = cover + (1.0 - cover) * p["informal_sharing"]
        off = ~np.eye(m.n_prov, dtype=bool)
        openness = p["sharing_rate"] * forum * float(m.ptrust[off].mean())
        gain = np.zeros_like(m.knowledge)
        for k in range(m.n_prov):
            diff = np.maximum(0.0, before - before[k])
            w = m.ptrust[:, k].copy()  # what partner q offers k depends on q's trust in k
            w[k] = 0.0
            gain[k] = p["sharing_rate"] * forum * (w[:, None] * diff).sum(axis=0) / (m.n_prov - 1)
        m.knowledge += gain
        shared = float(gain.mean())
    np.clip(m.knowledge, 0.0, 1.0, out=m.knowledge)
    acc[:] = 0.0
    return float(quality.mean()), shared, openness


def decay_practice(m: HLSModel) -> None:
    m.knowledge -= m.p["practice_decay"] * (m.knowledge - m.p["knowledge0"])
