"""Do lives in the model get better on their own? The no-service baseline, year by year.

Validation patterns 4 and 5 (docs/validation.md) fail partly because, with no services at all,
the model's lives improve on average: strengths start below the level the life dynamics settle at
(`1 - need`, ODD 7.2) and keep building for a decade, and unaided recovery outpaces spill-over and
shocks. This script shows it: every citizen is left without services (eligibility threshold 1, so
nobody is taken on) and the population is followed for ten years.

    python experiments/diagnostics/no_service_drift.py                       # default place and GM
    python experiments/diagnostics/no_service_drift.py recovery_rate=0.025   # with overrides

Columns: mean need; mean strength gap (1 - need - strength: positive = strengths still building);
share of people with a domain above 0.6. Then, for people picked in year 3 the way validation
pattern 4 picks its cohort (every domain below 0.6, at least two at 0.3 or more), the shares whose
wellbeing fell or rose by more than 0.03 by year 5.
"""

from __future__ import annotations

import sys

from hls_sim.model import HLSModel
from hls_sim.params import parse_set
from hls_sim.scenarios import scenario_overrides

PLACES = {"default": None, "greater_manchester (all lives complex)": "greater_manchester_threshold_services"}


def follow(overrides: dict, seed: int = 1) -> list[str]:
    model = HLSModel(seed=seed, **{**overrides, "eligibility_threshold": 1.0, "weeks": 520})
    c = model.cit
    rows = []
    start = cohort = None
    for year in range(11):
        need = c["need"]
        gap = float((1.0 - need - c["strength"]).mean())
        rows.append(
            f"  year {year:2d}  need {need.mean():.3f}  strength gap {gap:+.3f}  any domain > 0.6 {(need.max(1) > 0.6).mean():.2f}"
        )
        if year == 3:
            start = 1.0 - need.mean(1)
            cohort = (need.max(1) < 0.6) & ((need >= 0.3).sum(1) >= 2)
        if year == 5:
            change = (1.0 - need.mean(1)) - start
            rows.append(
                f"  cohort picked in year 3 (n={int(cohort.sum())}), by year 5: deteriorated "
                f"{(change[cohort] < -0.03).mean():.2f}, improved {(change[cohort] > 0.03).mean():.2f}"
            )
        if year < 10:
            for _ in range(52):
                model.step()
    return rows


def main(argv: list[str]) -> None:
    extra = parse_set(argv)
    for label, scenario in PLACES.items():
        overrides = {}
        if scenario:
            overrides = scenario_overrides(scenario)
            overrides.pop("seed", None)
        overrides.update(extra)
        print(f"{label}, no services{', ' + ', '.join(argv) if argv else ''}:")
        print("\n".join(follow(overrides)))


if __name__ == "__main__":
    main(sys.argv[1:])
