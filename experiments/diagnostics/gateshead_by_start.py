"""Who among Gateshead's helped cohort improves, by when the team first helped them?

Validation pattern 5 reads the share of the council-tax cohort who improved among those the team
helped at all during the 52 weeks followed (docs/validation.md 3.5). A reader will ask how much
of that share is only because people helped late in the year have had no time to change, and
how long the team keeps the people it takes on (the scenario's permission space decides how
often a case is closed by protocol once the debt is under control). This script follows the pattern's own cohort (no open case, income/debt need at least
0.5 at week 0) under `gateshead_council_tax` for seeds 1-10 and prints, by the quarter in which a
member was first helped, how many there were, the share who improved (wellbeing up by more than
the model's `real_change`), their median weeks in service, hours of help and weeks on the team's
waiting list, and the week of their last help; then how the team's cases closed over the year:

    python experiments/diagnostics/gateshead_by_start.py
    python experiments/diagnostics/gateshead_by_start.py caseload_cap=15
    python experiments/diagnostics/gateshead_by_start.py initial_permission=0.5   # before ODD section 9's change
"""

from __future__ import annotations

import sys

import numpy as np

from hls_sim.layout import (
    C_DISCHARGES,
    C_DROPOUTS,
    C_EPISODE_LIMIT,
    C_HOLISTIC,
    C_TIMING,
    COMMUNITY,
    IN_SERVICE,
    WAITING,
)
from hls_sim.model import HLSModel
from hls_sim.params import DOMAINS, parse_set
from hls_sim.scenarios import load_scenario

WEEKS = 52
QUARTERS = ((0, 13), (13, 26), (26, 39), (39, 52))
# how a case closes (docs/ODD.md 7.7); what is left of the closes is a routine close by protocol
CLOSES = {"whole life in order": C_HOLISTIC, "52-week episode limit": C_EPISODE_LIMIT, "disengaged": C_DROPOUTS}


def follow(seed: int, overrides: dict) -> tuple[np.ndarray, float, np.ndarray]:
    """One row per helped cohort member: first and last week helped, weeks in service, hours,
    weeks waiting, wellbeing change; and the year's counters (the engine resets them weekly)."""
    p = {**load_scenario("gateshead_council_tax").parameters(), **overrides, "seed": seed}
    m = HLSModel(**p)
    c = m.cit
    debt = DOMAINS.index("income_debt")
    members = (c["status"] == COMMUNITY) & (c["need"][:, debt] >= 0.5)
    start = 1.0 - c["need"].mean(axis=1)
    first = np.full(m.n, -1)
    last = np.full(m.n, -1)
    weeks_in = np.zeros(m.n)
    waiting = np.zeros(m.n)
    hours = np.zeros(m.n)
    counts = np.zeros_like(m.cnt)
    for week in range(WEEKS):
        m.step()
        counts += m.cnt
        helped = ((c["h_rel"] + c["h_prot"]) > 0.0) | (c["status"] == IN_SERVICE)
        first[helped & (first < 0)] = week
        last[helped] = week
        weeks_in += c["status"] == IN_SERVICE
        waiting += c["status"] == WAITING
        hours += c["h_rel"] + c["h_prot"]
    change = 1.0 - c["need"].mean(axis=1) - start
    rows = members & (first >= 0)
    table = np.column_stack([first, last, weeks_in, hours, waiting, change])[rows]
    return table, float(m.p["real_change"]), counts


def main(argv: list[str]) -> None:
    overrides = parse_set(argv, source="command line")
    parts = [follow(seed, overrides) for seed in range(1, 11)]
    real_change = parts[0][1]
    r = np.vstack([rows for rows, _, _ in parts])
    counts = sum(c for _, _, c in parts)
    print(f"helped cohort members over seeds 1-10: {len(r)}; improved {np.mean(r[:, 5] > real_change):.2f}")
    for lo, hi in QUARTERS:
        s = (r[:, 0] >= lo) & (r[:, 0] < hi)
        if not s.any():
            continue
        print(
            f"first helped in weeks {lo}-{hi - 1}: {s.sum():3d} people, improved {np.mean(r[s, 5] > real_change):.2f}; "
            f"median weeks in service {np.median(r[s, 2]):.0f}, hours {np.median(r[s, 3]):.1f}, "
            f"weeks waiting {np.median(r[s, 4]):.0f}, last helped in week {np.median(r[s, 1]):.0f}"
        )
    closed = counts[C_DISCHARGES]
    named = {what: counts[c] for what, c in CLOSES.items()}
    routine = closed - sum(named.values()) - counts[C_TIMING]
    parts_text = ", ".join(f"{what} {v:.0f}" for what, v in named.items())
    print(
        f"cases closed in the year (everyone, seeds 1-10): {closed:.0f}: {parts_text}, routine close by protocol {routine:.0f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
