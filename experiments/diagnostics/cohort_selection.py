"""Would picking Greater Manchester's cohort by a history of contact make it deteriorate?

Validation pattern 4 picks its cohort from one snapshot (week 0). The evidence's cohort was
people "repeatedly coming into contact with multiple services" (002 L4382), a history rather than
a snapshot, and a snapshot of people with several moderate problems invites regression to the
mean. This script tests whether that mapping choice is behind the failure. It runs the
threshold-services place for a year, then picks people with no open case, every served domain
below 0.6 and at least two domains at 0.3 or more:

- `snapshot`: by that rule at week 52 only;
- `persistent`: by that rule at weeks 13, 26, 39 and 52 (a year of trouble below every threshold);
- `persistent, low trust`: persistent, and trust below 0.4 (turned away often enough to show it).

Each cohort is followed for 104 weeks under the same threshold services and the shares whose
wellbeing fell or rose by more than 0.03 are printed, for the shipped defaults and for any
overrides given (e.g. the stationary baseline of no_service_drift.py):

    python experiments/diagnostics/cohort_selection.py
    python experiments/diagnostics/cohort_selection.py recovery_rate=0.025
"""

from __future__ import annotations

import sys

import numpy as np

from hls_sim.layout import COMMUNITY
from hls_sim.model import HLSModel
from hls_sim.params import parse_set
from hls_sim.scenarios import scenario_overrides

SCENARIO = "greater_manchester_threshold_services"
SEEDS = (1, 2, 3)


def cohorts(seed: int, overrides: dict) -> dict[str, tuple[int, float, float]]:
    model = HLSModel(seed=seed, **{**overrides, "weeks": 156})
    c = model.cit
    served = model.dom_nprov > 0

    def rule() -> np.ndarray:
        need = c["need"]
        return (c["status"] == COMMUNITY) & (need[:, served] < 0.6).all(1) & ((need >= 0.3).sum(1) >= 2)

    persistent = np.ones(model.n, bool)
    for week in range(1, 53):
        model.step()
        if week % 13 == 0:
            persistent &= rule()
    picked = {"snapshot": rule()}
    picked["persistent"] = persistent & picked["snapshot"]
    picked["persistent, low trust"] = picked["persistent"] & (c["trust"] < 0.4)
    start = 1.0 - c["need"].mean(1)
    for _ in range(104):
        model.step()
    change = (1.0 - c["need"].mean(1)) - start
    return {
        name: (
            int(m.sum()),
            float((change[m] < -model.p["real_change"]).mean()),
            float((change[m] > model.p["real_change"]).mean()),
        )
        for name, m in picked.items()
    }


def main(argv: list[str]) -> None:
    overrides = scenario_overrides(SCENARIO)
    overrides.pop("seed", None)
    overrides.update(parse_set(argv))
    print(f"{SCENARIO}{', ' + ', '.join(argv) if argv else ''}: cohort picked at week 52, followed 104 weeks")
    per_seed = [cohorts(seed, overrides) for seed in SEEDS]
    for name in per_seed[0]:
        n = sum(r[name][0] for r in per_seed)
        det = np.mean([r[name][1] for r in per_seed])
        imp = np.mean([r[name][2] for r in per_seed])
        print(f"  {name:<22} n={n:5d} over {len(SEEDS)} seeds  deteriorated {det:.2f}  improved {imp:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
