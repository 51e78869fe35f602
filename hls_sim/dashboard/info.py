"""The dashboard's Info tab, written the way a NetLogo model's is: what it is, how it works, how
to use it, things to notice, things to try, and where the ideas come from.

Every sentence describes what the levers do in the code (`kernels/work.py`, `provider.py`,
`commissioner.py`), in words that do not depend on how the stakes are computed inside the model:
"stakes" is always "how much money and contract security ride on the reported numbers".
"""

from __future__ import annotations

from hls_sim.bibliography import cite, reference_list_markdown

SOURCES = [
    "Campbell 1979",
    "Holmstrom & Milgrom 1991",
    "Smaldino & McElreath 2016",
    "Franco-Santos & Otley 2018",
    "Bevan & Hood 2006",
    "Propper et al. 2010",
    "001",
    "002",
]


def info_markdown() -> str:
    return f"""
## What is it?

A town's services for people with complex lives, simulated week by week for five years: the
people (each with their own tangle of needs in housing, money, health, relationships and
safety), the frontline workers who help them, the provider organisations that employ the
workers, and the commissioner who pays the providers. A *regime* is a bundle of levers: how
providers are paid, what is measured and what rides on it, audits, competition, discretion,
learning and a systems steward. The model always knows two things the real world rarely does:
what really happened to each person, and what the records say happened.

## How it works

- **Workers** divide each week between relational help (what matters to the person), the
  contracted service, saved effort, and effort that only improves the numbers. They weigh the
  real good an hour does (by how much they care: *intrinsic motivation*), the pressure management
  passes down for whatever moves the indicator, and the effort it costs.
- **Providers** review their policies every quarter and move them towards what their own records
  say pays and keeps the contract: whom to accept, how much help to give people unlikely to count
  as a success, how hard to press staff, how honestly to record, when to discharge. Their mission
  holds them back. Nobody in the model decides to cheat.
- **The commissioner** pays providers (a block contract, a payment per reported outcome, or a
  pooled alliance budget), checks a sample of reports (*audit rate*), penalises missed targets
  and the false reports it finds and, where there is competition, re-tenders one contract every
  few years: the worse a provider's reported results, the likelier it is to lose, and the
  newcomer copies the best-reported provider's ways of working. An alliance moves its pooled
  money towards need; under HLS a steward speeds that up and learning cycles feed what helped
  whom back into practice.
- **Stakes on the indicator**: how much money and contract security ride on the reported
  numbers. With nothing at stake, nobody gains from the numbers looking better than the truth.

## The gaming channels (second chart)

Each line is measured on its own, over the last 13 weeks, as the share of what it acts on:

- **effort substitution**: relational hours moved to measured work by pressure, as a share of
  productive hours (what staff would have done without the pressure is the yardstick).
- **threshold effect**: hours eased off once a target is safely met, as a share of available hours.
- **ratchet effect**: hours held back so that next year's target (this year's result) stays low,
  as a share of available hours.
- **misreporting**: failures written up as successes, as a share of cases closed.
- **exclusions**: failures left out of the count (managing the denominator), as a share of cases closed.
- **cream-skimming**: eligible people turned away for looking unlikely to count as a success, as
  a share of eligible people who came forward.
- **parking**: hours withheld from people unlikely to count as a success, as a share of case hours.
- **timing**: cases closed when it suits the payment rule rather than the person, as a share of
  cases closed.

Nothing games in the first year of the run: it is the contract's baseline from which prices and targets
are set, paid in full with nothing at stake. The first weeks start from an empty caseload, so the
first cases to close are the quick ones and the outcome lines start high.

## How to use it

Choose a **regime**: its own lever values load into the sliders, and a grey note under a slider
says when that lever does nothing in this regime. Change any setting and the run on screen is
kept as a faint "before" line while a new run starts from week 0. **▶ RUN** plays five years,
**STEP** moves four weeks, **RESET** starts the same settings again, **SAVE CHARTS (PNG)** saves
what is on screen.

## Things to notice

- Raise the stakes and the reported line climbs away from the true one (Campbell's Law:
  {cite("Campbell 1979")}). The true line can rise too: more at stake makes staff work harder at
  what is counted, and some of that is real (real gains; {cite("Propper et al. 2010")} found them
  for English waiting-time targets, alongside the gaming {cite("Bevan & Hood 2006")} describe),
  though turning the hardest cases away also lifts the share resolved without helping anyone.
- The cost of a better-looking number falls on the people it is hardest to help: watch the most
  complex tenth's wellbeing and the crisis line (A&E, police, emergency housing) in the third chart.
- With nothing at stake the two outcome lines lie on top of each other: the same measures, used
  for learning rather than reward, stay honest.

## Things to try

1. `output targets`: set the stakes to 0, run, then put them back up. What changes, and what does not?
2. Raise the **audit rate**. Which gaming channels shrink? Why do audits catch misreporting but
   not parking or cream-skimming (turning someone away records nothing false)?
3. Lower **intrinsic motivation**. Does the same pressure produce more gaming?
4. `payment by results`: move the **share paid per outcome**. Then choose `hls`: what happens to
   gaming, crises and cost?
5. Find settings where HLS does *worse* than payment by results. What does that tell you?

## Where the ideas come from

Effort moving to what is measured follows {cite("Holmstrom & Milgrom 1991")}; selection for the
proxy under competition follows {cite("Smaldino & McElreath 2016")}; gaming in most target
regimes is the finding of {cite("Franco-Santos & Otley 2018")}; the HLS levers come from
{cite("002")} and {cite("001")}. The full description of the model is `docs/ODD.md`.

{reference_list_markdown(SOURCES)}
"""
