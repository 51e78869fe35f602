"""The system of providers: trust between organisations and learning cycles.

Trust is slow to build through cooperation and quick to lose (002 L830, L6064; 001 L1669: four
years in Plymouth); competition for funds erodes it (002 L2810). It speeds referrals (read by the
intake kernel), lowers monitoring and transaction costs, and carries knowledge between providers.

Learning cycles (002 L1978-1983, L2387-2585) read the data the system produces. What gets
recorded follows what the measure is used for: where measures carry reward, organisations learn
from the reported indicator, so learning is only as good as the correlation between what is
reported and what really happened to people (002 L263: data "next-to-useless for learning").
Where measures are used only for learning, practitioners record people's real change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hls_sim.layout import PC_N_LEARN, PC_REAL_SQ, PC_REAL_SUM, PC_REP_REAL_SUM, PC_REP_SUCC

if TYPE_CHECKING:
    from hls_sim.model import HLSModel

KNOWLEDGE0 = 0.3  # practice fit with no learning system: a starting point, not a fitted value
TRUST_BUILD = 0.03  # per review with full cooperation: 0.3 -> 0.8 takes about four years (001 L1669)
TRUST_BASE_COOP = 0.25  # cooperation that happens without an alliance (informal calls, 001 L565)
TRUST_COMPETITION_EROSION = 0.03  # per review while contracts are competed (002 L2810)
TRUST_TENDER_SHOCK = 0.2  # a lost tender: quick to lose (002 L830)
CTRUST_BUILD = 0.02
NARRATIVE_QUALITY = 0.8  # how well practitioners' honest records track people's real change
LEARNING_RATE = 0.10
SHARING_RATE = 0.5
PRACTICE_DECAY = 0.02  # routine practice decays as conditions change (002 L1211)
STEWARD_BOOST = 1.5
UNSTEWARDED_ALLIANCE = 0.5  # healthy systems rarely arise without stewardship (002 L1618, L1644)
UNSTEWARDED_LEARNING = 0.5  # nobody convenes sense-making or protects learning time (002 L2226)
PERMISSION_RATE = 0.1  # per review: a permission space takes years to build (001 L988, L1669)
FATIGUE_WEEKS = 4.0  # reflection more often than this tires people and teaches less each time (002 L3500)


def update_trust(m: HLSModel) -> None:
    """One review's change in provider-provider and commissioner-provider trust."""
    p = m.p
    competing = p["retender_weeks"] > 0
    coop = (1.0 if p["steward"] else UNSTEWARDED_ALLIANCE) if p["alliance"] else TRUST_BASE_COOP
    build = TRUST_BUILD * coop * (STEWARD_BOOST if p["steward"] else 1.0)
    erosion = TRUST_COMPETITION_EROSION if competing else 0.0
    off = ~np.eye(m.n_prov, dtype=bool)
    m.ptrust[off] = np.clip(m.ptrust[off] + build * (1.0 - m.ptrust[off]) - erosion * m.ptrust[off], 0.0, 1.0)
    cbuild = CTRUST_BUILD * (1.0 if p["alliance"] else 0.3) * (STEWARD_BOOST if p["steward"] else 1.0)
    m.ctrust[:] = np.clip(m.ctrust + cbuild * (1.0 - m.ctrust) - 0.5 * erosion * m.ctrust, 0.0, 1.0)


def felt_stakes(m: HLSModel) -> float:
    """How much the indicator's consequences drive the organisations now: the mean pressure their
    management passes down (set by provider.py from what the contract pays; 0 when it pays nothing)."""
    return float(m.stk[:, 2].mean()) if m.n_prov else 0.0


def update_permission(m: HLSModel) -> None:
    """Move the permission space, and with it the discretion frontline staff actually use.

    Granting discretion on paper is not enough. Staff used to process and checklists feel exposed
    when asked to use judgement; "a sense of permission to work differently is crucial" (001 L988),
    and the space for it has to be protected from business as usual by people who can give
    permission (002 L2236; 001 L1742). A steward does that purposeful work, so the space grows
    towards full use; without one it settles where business as usual keeps it
    (`initial_permission`), because healthy systems rarely develop spontaneously (002 L1618).
    Stakes on the indicator shrink it: performance management against the numbers is the business
    as usual that learning organisations found blocking them (002 L2194, L2886).
    """
    p = m.p
    ceiling = 1.0 if p["steward"] else p["initial_permission"]
    target = ceiling * (1.0 - felt_stakes(m))
    m.permission += PERMISSION_RATE * (target - m.permission)
    m.fill_practice()


def learning_cycle(m: HLSModel) -> tuple[float, float, float]:
    """Make sense of the period's records, change practice, share what was learnt.

    Returns the mean signal quality, the mean knowledge carried between providers and the
    openness with which it was offered. The amount carried is a poor measure of how willing
    organisations are to share: once trust is high, sharing closes the gaps it feeds on, so in
    the long run the flow only matches how fast providers' knowledge drifts apart. Openness is
    the share of a knowledge gap closed at one cycle when every partner holds the knowledge:
    "keepers of secrets" against "sharers of knowledge" (001 L545-547).
    """
    p = m.p
    acc = m.learn_acc
    s = felt_stakes(m)
    boost = STEWARD_BOOST if p["steward"] else UNSTEWARDED_LEARNING
    quality = np.zeros(m.n_prov)
    for k in range(m.n_prov):
        n = acc[k, PC_N_LEARN]
        corr = 0.0
        if n >= 5:
            r_mean = acc[k, PC_REP_SUCC] / n
            x_mean = acc[k, PC_REAL_SUM] / n
            cov = acc[k, PC_REP_REAL_SUM] / n - r_mean * x_mean
            var_r = r_mean * (1.0 - r_mean)
            var_x = acc[k, PC_REAL_SQ] / n - x_mean * x_mean
            if var_r > 1e-12 and var_x > 1e-12:
                corr = max(0.0, cov / np.sqrt(var_r * var_x))
        quality[k] = (1.0 - s) * NARRATIVE_QUALITY + s * corr
    # what helped whom: each provider learns most about the people it actually served
    seen = m.lcnt / np.maximum(m.lcnt.max(axis=1, keepdims=True), 1.0)
    fatigue = min(1.0, p["learning_cycle_weeks"] / FATIGUE_WEEKS)
    m.knowledge += LEARNING_RATE * boost * fatigue * quality[:, None] * seen * (1.0 - m.knowledge)
    m.lcnt[:] = 0.0
    before = m.knowledge.copy()
    openness = 0.0
    if m.n_prov > 1:
        openness = SHARING_RATE * boost * float(m.ptrust[~np.eye(m.n_prov, dtype=bool)].mean())
        gain = np.zeros_like(m.knowledge)
        for k in range(m.n_prov):
            diff = np.maximum(0.0, before - before[k])
            w = m.ptrust[k].copy()
            w[k] = 0.0
            gain[k] = SHARING_RATE * boost * (w[:, None] * diff).sum(axis=0) / (m.n_prov - 1)
        m.knowledge += gain
        shared = float(gain.mean())
    else:
        shared = 0.0
    np.clip(m.knowledge, 0.0, 1.0, out=m.knowledge)
    acc[:] = 0.0
    return float(quality.mean()), shared, openness


def decay_practice(m: HLSModel) -> None:
    m.knowledge -= PRACTICE_DECAY * (m.knowledge - KNOWLEDGE0)
