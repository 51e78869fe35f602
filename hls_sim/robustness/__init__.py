"""Robustness of a comparison: under which assumptions does A beat B, and where does it flip?

Seed-to-seed noise is what the "±" of `hls-sim compare` covers; a policy team also needs to
know whether a conclusion survives the model's documented assumptions (how big a crisis costs,
how much a week of relational help lifts, ...). `hls-sim robustness A B` answers that:

1. `uncertain`: which parameters are uncertain (their registry source says "assumption") and
   over which range each is varied; the one rule, shown in every report.
2. `design`: Latin hypercubes over every uncertain parameter: a screen on one seed (with ghost
   columns as the null) finds the assumptions that move the difference between A and B; then
   the parameter sets, sized for the number the screen carried.
3. `study`: both stages run through the sweep engine (pool, seeds, resumable store) with A and
   B on common seeds in every set.
4. `analysis` and `prim`: per headline measure, the share of sets each side wins, the rank
   correlation of the difference with each assumption, and PRIM boxes (scenario discovery,
   Friedman & Fisher 1999) that say where the conclusion flips.
5. `report` writes the HTML page; `summary` lets the validation report list these results.
"""

from hls_sim.robustness.uncertain import RULE, Uncertain, uncertain_parameters

__all__ = ["RULE", "Uncertain", "uncertain_parameters"]
