"""The two sections of a compare report a policy team reads first, after the summary.

"Cost and impact over time against <first label>": every other label's extra cost, wellbeing-
years and crises avoided, year by year and added up, with 95% bands over seeds, the break-even
year and where the difference in cost comes from (`hls_sim.breakeven`). "Assumptions that drive
this result": the one-at-a-time sweep of documented assumptions the compare ran
(`hls_sim.assumptions`), as a tornado chart, sentences naming the largest drivers and a table.
Both are read from the compare folder (`timeseries.parquet`, `assumptions.parquet`); nothing is
run.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim import assumptions as asm
from hls_sim import breakeven as be
from hls_sim import charts
from hls_sim.params import PARAMS

SECTION_COST = "cost_against_first"
SECTION_ASSUMPTIONS = "assumptions_tornado"
FIGURES = (SECTION_COST, SECTION_ASSUMPTIONS)
ASSUMPTIONS_TITLE = "Assumptions that drive this result"


@dataclass
class Policy:
    first: str
    n_seeds: int
    cot: be.CostOverTime | None = None
    effects: dict[str, list[asm.Effect]] | None = None
    about: dict[str, Any] = field(default_factory=dict)  # the re-runs' plan description
    note: str = ""  # why a section is empty


def load(
    folder: Path, params: Mapping[str, Mapping[str, Any]], ts: pl.DataFrame | None, seeds: Sequence[int]
) -> Policy:
    """What the two sections show, from a compare folder (`ts`: every seed's weekly series)."""
    labels = list(params)
    pol = Policy(first=labels[0], n_seeds=len(seeds))
    if len(labels) < 2:
        pol.note = "A compare of one label has nothing to set against the first label."
        return pol
    if ts is None or any(c not in ts.columns for c in be.NEEDED):
        pol.note = "This compare folder keeps no weekly series (an older hls-sim); run the compare again."
        return pol
    pol.cot = be.cost_over_time(ts, params)
    table = folder / asm.TABLE
    manifest = folder / asm.FOLDER / "manifest.json"
    if manifest.is_file():
        try:
            pol.about = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pol.about = {}
    if table.is_file():
        try:
            tab = pl.read_parquet(table)
        except Exception as exc:  # polars raises several types for a damaged file
            pol.note = f"{table} is not a readable table ({exc}), so the assumptions are left out."
            return pol
        pol.effects = asm.effects(tab, params)
    elif manifest.is_file():
        pol.note = (
            "The one-at-a-time sweep of the assumptions has not finished in this folder; finish it with the "
            "compare command as it was started plus --resume --out DIR."
        )
    else:
        pol.note = (
            "The assumptions were not swept for this folder (the compare ran with --no-assumptions, or was written "
            "by an older hls-sim); run the compare without --no-assumptions to see which assumptions drive it."
        )
    return pol


def figures(pol: Policy) -> list[charts.Figure]:
    figs = []
    if pol.cot is not None:
        figs.append(charts.cost_against_first(pol.cot.band, pol.first, pol.n_seeds))
    if pol.effects and any(pol.effects.values()):
        figs.append(charts.tornado(pol.effects, pol.first))
    return figs


# ---------------------------------------------------------------------------- HTML


def _e(x: Any) -> str:
    return html.escape(str(x))


def _pm(mean: float, lo: float, hi: float, fmt: Any) -> str:
    if not math.isfinite(mean):
        return "n/a"
    half = (hi - lo) / 2.0 if math.isfinite(lo) and math.isfinite(hi) else math.nan
    extra = f" <span class='unit'>± {fmt(half)}</span>" if math.isfinite(half) else ""
    return f"{fmt(mean, sign=True)}{extra}"


def _yearly_table(cot: be.CostOverTime, label: str) -> str:
    b = cot.band.filter(pl.col("label") == label).sort("year")
    rows = []
    for r in b.iter_rows(named=True):
        part = f" ({r['weeks']} weeks)" if r["weeks"] < be.WEEKS_PER_YEAR else ""
        cells = [
            _pm(r["d_cost"], r["d_cost_lo"], r["d_cost_hi"], be.money),
            _pm(r["cum_d_cost"], r["cum_d_cost_lo"], r["cum_d_cost_hi"], be.money),
            _pm(r["cum_d_wellbeing_years"], r["cum_d_wellbeing_years_lo"], r["cum_d_wellbeing_years_hi"], be.amount),
            _pm(r["cum_d_crises_avoided"], r["cum_d_crises_avoided_lo"], r["cum_d_crises_avoided_hi"], be.amount),
        ]
        rows.append(f"<tr><td>{r['year']}{part}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = (
        "<tr><th>year</th><th>extra cost that year<br><span class='unit'>GBP</span></th><th>cumulative extra cost"
        "<br><span class='unit'>GBP</span></th><th>cumulative wellbeing-years gained<br><span class='unit'>"
        "wellbeing x person-years</span></th><th>cumulative crises avoided<br><span class='unit'>crises</span></th></tr>"
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _parts_sentence(cot: be.CostOverTime, label: str) -> str:
    """Where the extra cost comes from, downstream costs (crises, reactive services) named with their prices."""
    parts = cot.parts.filter(pl.col("label") == label)
    if parts.height == 0:
        return ""
    total = float(parts["d_cost"].sum())
    words = {k: v for k, v in charts.COST_LABELS.items()}
    items = [
        f"{words.get(c, c)} {be.money(v, sign=True)}"
        for c, v in sorted(zip(parts["category"], parts["d_cost"], strict=True), key=lambda cv: -abs(cv[1]))
        if abs(v) > 0.5
    ]
    down = parts.filter(pl.col("category").is_in(["downstream", "reactive"]))["d_cost"]
    downstream = float(down.sum()) if down.len() else 0.0
    price = cot.crisis_cost.get(label, math.nan)
    contact = cot.reactive_cost.get(label, math.nan)
    text = (
        f"Over the {cot.results[label].years} years counted, {label} costs GBP {be.money(total, sign=True)} against "
        f"{cot.first} (mean over seeds): {', '.join(items) or 'no category differs'}."
    )
    if total and abs(downstream) >= 0.25 * abs(total):
        share = "more than the whole difference" if abs(downstream) > abs(total) else "a large part of it"
        text += (
            f" Downstream costs (GBP {price:,.0f} a crisis and GBP {contact:,.0f} a contact with a reactive service "
            f"short of one, both assumptions: see the next section) are {share}."
        )
    return f"<p>{_e(text)}</p>"


def cost_html(pol: Policy, fig_html: Mapping[str, str]) -> str:
    title = f"Cost and impact over time against {pol.first}"
    if pol.cot is None:
        return f"<h2>{_e(title)}</h2>\n<p class='note'>{_e(pol.note)}</p>\n"
    cot = pol.cot
    crisis = " or ".join(f"GBP {c:,.0f}" for c in sorted(set(cot.crisis_cost.values())))
    contact = " or ".join(f"GBP {c:,.0f}" for c in sorted(set(cot.reactive_cost.values())))
    intro = (
        f"Each label minus {cot.first} on the same seed (common random numbers), year by year and added up; "
        f"mean over {pol.n_seeds} seed{'s' * (pol.n_seeds != 1)} ± half-width of the 95% interval (seed noise only). "
        f"Year 1 starts at week {cot.start_week}{' (after the burn-in)' if cot.start_week else ''}. Cost is "
        f"everything the public purse pays, downstream costs included ({crisis} a crisis, {contact} a contact with a "
        "reactive service short of one); wellbeing-years "
        "and crises avoided are against each person's no-service twin. The break-even year is the first year from "
        f"which the cumulative extra cost stays at or below zero to the end of the run. The weekly series are in "
        f"timeseries.parquet and these sums, seed by seed, in {be.YEARLY}."
    )
    out = [f"<h2>{_e(title)}</h2>", f"<p class='note'>{_e(intro)}</p>"]
    for label in cot.labels[1:]:
        res = cot.results.get(label)
        if res is None:
            continue
        seeds = ", ".join(f"seed {s}: {y if y is not None else 'none'}" for s, y in res.per_seed.items())
        out.append(f"<h3>{_e(label)} minus {_e(cot.first)}</h3>")
        out.append(f"<p><b>{_e(be.describe(res, cot.first))}</b> <span class='unit'>({_e(seeds)})</span></p>")
        out.append(_parts_sentence(cot, label))
        out.append(_yearly_table(cot, label))
    out.append(fig_html.get(SECTION_COST, ""))
    return "\n".join(out) + "\n"


def _source(name: str) -> str:
    return PARAMS[name].source


DOWNSTREAM_PRICES = (
    ("crisis_cost", "a crisis", "Crisis cost"),
    ("reactive_contact_cost", "a contact", "Reactive cost"),
)


def _price_sentence(pol: Policy, label: str, effs: Sequence[asm.Effect], name: str, per: str, title: str) -> str:
    """A downstream price (a crisis, a reactive contact), named: whether it drives the label's answer (the
    largest effect, a quarter of the difference or more, or enough to change its sign) and by how much."""
    eff = next((e for e in effs if e.assumption == name), None)
    if eff is None:
        return ""
    central = eff.cost.get("central", math.nan)
    lo, hi = eff.cost.get("low", math.nan), eff.cost.get("high", math.nan)
    drives = effs[0] is eff or eff.swing >= 0.25 * abs(central) or eff.flips()
    moves = (
        f"at GBP {eff.values['low']:,.0f} {per} {label}'s extra cost over the run is GBP "
        f"{be.money(lo, sign=True)}, at GBP {eff.values['high']:,.0f} it is GBP {be.money(hi, sign=True)} "
        f"(GBP {be.money(central, sign=True)} at the GBP {eff.values['central']:,.0f} used)"
    )
    if not drives:
        return f"<p>{_e(f'{title} is not what drives this result for {label}: {moves}.')}</p>"
    text = f"{title} drives this result for {label}: {moves}. The price of {per} is an assumption ({_source(name)})."
    if eff.swing > abs(central):
        text += " The range of this one assumption is larger than the whole difference."
    if eff.flips():
        text += f" Whether {label} costs more or less than {pol.first} turns on it."
    return f"<p><b>{_e(text)}</b></p>"


def _effects_table(pol: Policy, label: str, effs: Sequence[asm.Effect]) -> str:
    rows = []
    for e in effs:
        vals = f"{asm.value_text(e.assumption, e.values['low'])} – {asm.value_text(e.assumption, e.values['high'])}"
        cost = " / ".join(be.money(e.cost.get(k), sign=True) for k in ("low", "central", "high"))
        wby = " / ".join(be.amount(e.wellbeing_years.get(k), sign=True) for k in ("low", "central", "high"))
        even = " / ".join(
            str(e.break_even.get(k)) if e.break_even.get(k) is not None else "none" for k in ("low", "central", "high")
        )
        how = "recomputed, every seed" if e.method == "recomputed" else f"re-run, seeds {', '.join(map(str, e.seeds))}"
        rows.append(
            f"<tr><td title='{_e(_source(e.assumption))}'>{_e(asm.title(e.assumption))}</td><td>{_e(vals)}</td>"
            f"<td>{_e(how)}</td><td>{_e(cost)}</td><td>{_e(wby)}</td><td>{_e(even)}</td></tr>"
        )
    head = (
        "<tr><th>assumption (unit)</th><th>low – high</th><th>how</th><th>extra cost over the run, GBP<br>"
        "<span class='unit'>low / as compared / high</span></th><th>wellbeing-years gained over the run<br>"
        "<span class='unit'>low / as compared / high</span></th><th>break-even year<br>"
        "<span class='unit'>low / as compared / high</span></th></tr>"
    )
    return (
        f"<h3>{_e(label)} minus {_e(pol.first)}</h3><table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def assumptions_html(pol: Policy, fig_html: Mapping[str, str]) -> str:
    out = [f"<h2>{ASSUMPTIONS_TITLE}</h2>"]
    if not pol.effects:
        out.append(f"<p class='note'>{_e(pol.note or 'No assumption was swept for this compare.')}</p>")
        return "\n".join(out) + "\n"
    rerun = [a["name"] for a in pol.about.get("assumptions", [])]
    seeds = pol.about.get("seeds", [])
    recomputed = ", ".join(asm.title(a.name) for a in asm.RECOMPUTED)
    how = (
        f"Each assumption below is moved down and up on its own, with everything else as compared, and the "
        f"difference of each label from {pol.first} over the whole run measured again, paired by seed. "
        f"The prices {recomputed} enter only the accounts (a count times a price), so they are recomputed exactly "
        "from the runs already made, on every seed. "
    )
    if rerun:
        how += (
            f"{', '.join(asm.title(n) for n in rerun)} change what people and organisations do, so each was re-run "
            f"at both values on seed{'s' * (len(seeds) != 1)} {', '.join(map(str, seeds))}. "
        )
    how += (
        f"Of the {sum(asm.is_documented_assumption(n) for n in PARAMS)} parameters documented as assumptions, "
        f"these {len(asm.RECOMPUTED) + len(rerun)} were chosen as described in hls_sim/assumptions.py (a compare "
        f"re-runs the first {asm.DEFAULT_RERUN} of a screened list by default; --assumptions N changes how many). "
        "Values are each label's own, halved and doubled unless the table says otherwise, within the allowed range."
    )
    left = pol.about.get("left_out") or {}
    if left:
        how += " Left out: " + "; ".join(f"{k} ({v})" for k, v in left.items()) + "."
    out.append(f"<p class='note'>{_e(how)}</p>")
    for label, effs in pol.effects.items():
        if not effs:
            continue
        out.extend(_price_sentence(pol, label, effs, *price) for price in DOWNSTREAM_PRICES)
        items = "".join(f"<li>{_e(s)}</li>" for s in asm.drivers(effs, label, pol.first))
        out.append(f"<p>What moves {_e(label)}'s extra cost against {_e(pol.first)} most:</p><ol>{items}</ol>")
    out.append(fig_html.get(SECTION_ASSUMPTIONS, ""))
    for label, effs in pol.effects.items():
        if effs:
            out.append(_effects_table(pol, label, effs))
    out.append(
        "<p class='note'>Per seed and year, every value is in assumptions.parquet; the re-runs themselves are in "
        "assumptions/. This shows how the answer depends on the assumptions one at a time, not their joint "
        "uncertainty.</p>"
    )
    return "\n".join(out) + "\n"
