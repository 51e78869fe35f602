"""Following a cohort of people through time: the unit in which case-study evidence is reported.

Case studies report what happened to a group of people picked out by a signal (council-tax
arrears in Gateshead; repeated contact below service thresholds in Greater Manchester). The
model's summary outputs are about closed cases and the whole population, so these patterns need
a measurement of their own: pick the cohort from the model's state at one week, follow the same
people, and count who improved, who deteriorated, who never engaged, what their help cost and
what their crises cost. The rule that picks each cohort is written here in full so that the
mapping from the evidence's wording to model state can be read and argued with.

Both arms of a comparison run the same regime until the cohort week and switch afterwards
(`switch_week`), so on one seed they select exactly the same people in exactly the same state:
the comparison is paired person by person (common random numbers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hls_sim.kernels.life import reactive_contacts
from hls_sim.layout import COMMUNITY, IN_SERVICE, PR_SPEND
from hls_sim.model import HLSModel
from hls_sim.params import DOMAINS
from hls_sim.validation.spec import COHORT_MEASURES, CohortSpec


def select(model: HLSModel, spec: CohortSpec) -> np.ndarray:
    """Boolean mask of the people in the cohort, read from the model's state now."""
    c = model.cit
    need = c["need"]
    free = c["status"] == COMMUNITY  # no open case and not on a waiting list
    o = spec.options
    if spec.name == "below_threshold":
        # "not serious enough for concentrated intervention" (002 L4382): no served domain reaches
        # the eligibility threshold of the threshold services (stated in the experiment, so that
        # both arms pick by the same rule; otherwise this run's own threshold), yet several domains
        # are in trouble and the life is strongly coupled ("complex issues").
        thr = o.get("threshold", model.p["eligibility_threshold"])
        served = model.dom_nprov > 0
        below = (need[:, served] < thr).all(axis=1)
        troubled = (need >= o["elevated"]).sum(axis=1) >= o["min_domains"]
        complex_ = model.cxn >= o["complexity_quantile"]
        return free & below & troubled & complex_
    # a signal of need at one door, e.g. council-tax arrears = need in income_debt (001 L1446)
    k = DOMAINS.index(o["domain"])
    return free & (need[:, k] >= o["level"])


def _wellbeing(model: HLSModel) -> np.ndarray:
    return 1.0 - model.cit["need"].mean(axis=1)


def follow(model: HLSModel, spec: CohortSpec) -> dict[str, float]:
    """Run to the cohort week, pick the cohort, follow it; return the cohort's measures.

    Improvement and deterioration use the model's own threshold of real change (`real_change`,
    the same one the 13-week follow-up of discharged cases uses), so the cohort counts and the
    run summary mean the same thing by 'improved'.
    """
    for _ in range(spec.week):
        model.step()
    members = select(model, spec)
    n = int(members.sum())
    start = _wellbeing(model)
    c = model.cit
    engaged = np.zeros(model.n, bool)
    crises = np.zeros(model.n)
    hours = np.zeros(model.n)
    spend = np.zeros(model.n)
    reactive = np.zeros(model.n)
    for _ in range(spec.follow_weeks):
        model.step()
        p = model.p  # levers may change at a switch
        helped = (c["h_rel"] + c["h_prot"]) > 0.0
        engaged |= helped | (c["status"] == IN_SERVICE)
        crises += c["crisis_now"]
        reactive += reactive_contacts(c["need"], p["reactive_floor"], p["reactive_rate"])  # as kernels/life.py counts
        hours += c["h_rel"] + c["h_prot"]
        serving = np.where(c["provider"] >= 0, c["provider"], 0)
        spend += helped * model.practice[serving, PR_SPEND]  # as the help kernel spends it
    p = model.p
    change = (_wellbeing(model) - start)[members]
    hour_cost = p["hourly_cost"] * (1.0 + p["overhead_share"])
    out: dict[str, float] = {"cohort_size": float(n)}
    if n == 0:
        for key in COHORT_MEASURES[1:]:
            out[key] = math.nan
        return out
    real_change = model.p["real_change"]
    improved = change > real_change
    eng = engaged[members]
    out["cohort_improved"] = float(improved.mean())
    out["cohort_deteriorated"] = float((change < -real_change).mean())
    out["cohort_not_engaged"] = float((~eng).mean())
    out["cohort_engaged_not_improved"] = float((eng & ~improved).mean())
    # among the people who were helped at all (case evidence counts the cases a team took on)
    helped_n = int(eng.sum())
    out["cohort_improved_among_engaged"] = float((eng & improved).sum() / helped_n) if helped_n else math.nan
    out["cohort_stuck_among_engaged"] = float((eng & ~improved).sum() / helped_n) if helped_n else math.nan
    out["cohort_wellbeing_change"] = float(change.mean())
    out["cohort_service_cost"] = float((hours[members] * hour_cost + spend[members]).mean())
    out["cohort_crises"] = float(crises[members].mean())
    out["cohort_crisis_cost"] = float(crises[members].mean() * p["crisis_cost"])
    out["cohort_reactive_contacts"] = float(reactive[members].mean())
    # what unmet need costs other public services: crises plus reactive contacts short of one
    out["cohort_downstream_cost"] = (
        out["cohort_crisis_cost"] + out["cohort_reactive_contacts"] * p["reactive_contact_cost"]
    )
    return out


def describe(spec: CohortSpec) -> dict[str, Any]:
    return {"cohort": spec.name, "week": spec.week, "follow_weeks": spec.follow_weeks, **spec.options}
