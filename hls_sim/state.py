"""Named bundles of the model's arrays, as the numba kernels receive them.

A kernel takes a few of these bundles instead of thirty positional arrays: `c.need`, `w.skill`,
`s.pol` cannot be swapped by accident the way two float64 arguments in a long list can, and a
new field is added in one place. numba passes a `NamedTuple` of arrays through unchanged (a
struct of pointers), so the bundles cost nothing in the kernels. The arrays are the model's own:
a bundle is a set of views, built once, and every field is changed in place, never rebound.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Life(NamedTuple):
    """The part of a person that moves without services: what the life kernel reads and changes."""

    need: np.ndarray  # (n, domains) float64
    strength: np.ndarray  # (n, domains) float64
    strength0: np.ndarray  # (n, domains) the person's own level of strengths, which they return to
    coupling: np.ndarray  # (n, domains, domains) float32
    priority: np.ndarray
    trust: np.ndarray
    efficacy: np.ndarray
    efficacy0: np.ndarray  # the person's own level of self-efficacy
    crisis_now: np.ndarray
    unresolved: np.ndarray
    gave_up: np.ndarray  # 1 while the person has given up seeking help (until a crisis)


class Twin(NamedTuple):
    """Each person's no-service twin: the same life and random numbers, and no services, ever."""

    need: np.ndarray
    strength: np.ndarray
    efficacy: np.ndarray
    crisis_now: np.ndarray


class People(NamedTuple):
    """Every citizen's state (one row per person); the model's `cit` dict holds the same arrays."""

    need: np.ndarray  # (n, domains) float64
    strength: np.ndarray  # (n, domains) float64
    coupling: np.ndarray  # (n, domains, domains) float32
    priority: np.ndarray
    trust: np.ndarray
    efficacy: np.ndarray
    status: np.ndarray
    provider: np.ndarray
    worker: np.ndarray
    wait: np.ndarray
    clock_stopped: np.ndarray
    episode: np.ndarray
    band: np.ndarray
    intake_wellbeing: np.ndarray
    bond: np.ndarray
    game_hours: np.ndarray
    followup: np.ndarray
    followup_domain: np.ndarray
    followup_wellbeing: np.ndarray
    unresolved: np.ndarray
    handoffs: np.ndarray
    help_dc: np.ndarray
    intake_need_dc: np.ndarray
    h_rel: np.ndarray
    h_prot: np.ndarray
    crisis_now: np.ndarray
    gave_up: np.ndarray
    presented: np.ndarray  # 1 once the person has presented at a door
    contacts: np.ndarray  # presentations at any door, fading by half a year (a recent-contact count)
    dependence: np.ndarray  # reliance on services built by deficit-focused help (repeat demand)
    cxn: np.ndarray  # complexity rank in (0, 1)
    decile: np.ndarray  # complexity decile 0..9
    service_coupling: np.ndarray  # (n, domains) float32: coupling[i, :, service domain] for the open episode


class Staff(NamedTuple):
    """Every worker post (filled, being filled or vacant); the model's `wk` dict holds the same arrays."""

    status: np.ndarray
    provider: np.ndarray
    vacancy_left: np.ndarray
    motivation: np.ndarray
    motivation0: np.ndarray
    rskill: np.ndarray
    skill: np.ndarray
    morale: np.ndarray
    burnout: np.ndarray
    tenure: np.ndarray
    caseload: np.ndarray
    pressure: np.ndarray
    intake_hours: np.ndarray
    h_rel: np.ndarray
    h_prot: np.ndarray
    h_game: np.ndarray
    h_admin: np.ndarray
    cx_sum: np.ndarray
    misfit_sum: np.ndarray
    weight_sum: np.ndarray  # this week's case weights after parking
    seen: np.ndarray  # need reduction the worker saw in this week's cases


class Services(NamedTuple):
    """What the kernels read about the providers: service lines, policies, pressure and knowledge."""

    domain: np.ndarray  # (providers,) service domain of each provider
    dom_prov: np.ndarray  # (domains, providers) providers people can walk in to, by domain, -1 padded
    dom_nprov: np.ndarray  # (domains,) how many walk-in providers serve each domain (0: no open door)
    served: np.ndarray  # (domains,) 1 where any provider serves the domain (its needs show to services)
    reach_prov: np.ndarray  # (domains,) the provider that reaches out most for each domain, -1 if none
    reach_rate: np.ndarray  # (domains,) its outreach rate
    pol: np.ndarray  # (providers, policies) management policies (layout.POL)
    refuse: np.ndarray  # (providers, bands) chance of refusing an eligible case of each difficulty band
    attract: np.ndarray  # (providers, bands) how well each band pays, 0 (worst) to 1 (best): parking's prospect
    stk: (
        np.ndarray
    )  # (providers, 3) pressure passed to staff: standing, after threshold easing, after ratchet restraint
    ptrust: np.ndarray  # (providers, providers) trust between providers
    knowledge: np.ndarray  # (providers, domains) practice knowledge
    price: np.ndarray  # (providers, bands) payment per reported outcome
    funded: np.ndarray  # (providers,) funded posts
    practice: np.ndarray  # (providers, layout.PRACTICE) the levers as each provider practises them
    admin: np.ndarray  # (providers,) recording and reporting hours per open case per week (contract.py)
    contract_hours: np.ndarray  # (providers,) contract reporting hours per worker per week


class Tallies(NamedTuple):
    """This week's counts, summed by the kernels and read by the organisations and the recorder."""

    cnt: np.ndarray  # system-wide counters (layout.CNT)
    pcnt: np.ndarray  # per-provider counters (layout.PCNT)
    bcnt: np.ndarray  # per provider and difficulty band
    lcnt: np.ndarray  # closed cases by provider and priority domain since the last learning cycle
    dcnt: np.ndarray  # by complexity decile: eligible, accepted, hours, case-weeks, need-only hours
    claims: np.ndarray  # outcome payments claimed per provider
    false_claims: np.ndarray  # ... of which for outcomes that did not happen
    wait_hist: np.ndarray  # starts by true weeks waited
    wait_hist_rep: np.ndarray  # starts by reported weeks waited
    refer: np.ndarray  # referrals between providers (from, to) that arrived [.., 0] or failed [.., 1]


def life(cit: dict[str, np.ndarray]) -> Life:
    return Life(**{k: cit[k] for k in Life._fields})


def twin(cit: dict[str, np.ndarray], enabled: bool) -> Twin:
    """A copy of every life as it stands now (or empty arrays when the twin is off)."""
    if not enabled:
        return Twin(
            np.zeros((0, cit["need"].shape[1])),
            np.zeros((0, cit["need"].shape[1])),
            np.zeros(0),
            np.zeros(0, cit["crisis_now"].dtype),
        )
    return Twin(cit["need"].copy(), cit["strength"].copy(), cit["efficacy"].copy(), np.zeros_like(cit["crisis_now"]))


def people(cit: dict[str, np.ndarray], cxn: np.ndarray, decile: np.ndarray, service_coupling: np.ndarray) -> People:
    fields = {k: cit[k] for k in People._fields if k in cit}
    return People(**fields, cxn=cxn, decile=decile, service_coupling=service_coupling)


def staff(wk: dict[str, np.ndarray], weight_sum: np.ndarray, seen: np.ndarray) -> Staff:
    fields = {k: wk[k] for k in Staff._fields if k in wk}
    return Staff(**fields, weight_sum=weight_sum, seen=seen)
