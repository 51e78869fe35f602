"""Seeded runs whose summaries are pinned in golden.json. Regenerate deliberately, after a change
to the model that is meant to change results: `python -m tests.golden_cases`, and add one line to
tests/golden_history.md saying what changed and why. Golden values guard against unintended
change, not for truth."""

from __future__ import annotations

import json
from pathlib import Path

import hls_sim

GOLDEN = Path(__file__).with_name("golden.json")
CASES = {
    f"{regime}-seed{seed}": dict(regime=regime, seed=seed, citizens=500, weeks=156, burn_in_weeks=26, baseline_weeks=26)
    for regime in ("block_grant", "output_targets", "payment_by_results", "alliance", "hls")
    for seed in (1, 2)
}
KEYS = (
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "gaming_effort_substitution",
    "gaming_threshold",
    "gaming_ratchet",
    "gaming_misreporting",
    "gaming_exclusions",
    "gaming_cream_skimming",
    "gaming_parking",
    "gaming_timing",
    "gaming_clock_stops",
    "gaming_hours_share",
    "wellbeing_mean",
    "wellbeing_most_complex_decile",
    "crisis_events",
    "reactive_contacts_per_1000_per_year",
    "total_cost",
    "worker_turnover",
    "money_spent_by_providers",
    "provider_insolvencies",
    "impact_wellbeing",
    "need_years_avoided_per_1000",
    "crises_avoided_per_1000_per_year",
    "trust_provider_provider",
    "trust_commissioner_provider",
    "knowledge_mean",
)


def compute(case: dict) -> dict:
    kw = dict(case)
    s = hls_sim.run(seed=kw.pop("seed"), **kw).summary
    return {k: s[k] for k in KEYS}


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps({name: compute(c) for name, c in CASES.items()}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")
