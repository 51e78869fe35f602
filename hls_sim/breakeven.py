"""Cost and impact year by year against the first label of a compare, and the break-even year.

A council team asking whether a move (from payment by results to an alliance, say) pays for
itself needs the money and the good done over time, not a mean over the whole run: an up-front
investment and savings that come later are the same total as savings now and a bill later, and
only the path tells them apart. Everything here is computed from the weekly series a compare
keeps (`timeseries.parquet`), so no run is ever repeated to draw it.

Definitions (docs/ODD.md section 8.9):

- Years are counted from the end of the burn-in (the longest among the labels), as the summary
  outputs are, unless a label changes regime before then (its transition cost would be lost), in
  which case from week 0. A last year shorter than 52 weeks is kept and its length recorded.
- Cost is the weekly `cost_total`: everything the public purse pays, downstream costs included
  (`crisis_cost` per crisis, `reactive_contact_cost` per contact with a reactive service short of
  a crisis), penalties returned by providers netted off.
- Impact is against each person's no-service twin: wellbeing-years gained are
  (`wellbeing_mean` - `wellbeing_twin_mean`) x citizens / 52 summed over weeks; crises avoided are
  `n_twin_crises` - `n_crises` summed over weeks. Both are undefined when twins are off.
- Every difference is paired: label minus the first label on the same seed (common random
  numbers), then averaged over seeds with a 95% t-interval. The interval is seed noise only.
- The break-even year is the first year from which the cumulative extra cost against the first
  label stays at or below zero to the end of the run; None ("none within the run") if it never
  does. It is given on the mean over seeds, on the upper end of the 95% band (the year from which
  even the dear end of the seed noise has paid back) and for each seed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

WEEKS_PER_YEAR = 52
NEEDED = ("week", "cost_total", "wellbeing_mean", "wellbeing_twin_mean", "n_crises", "n_twin_crises")
MEASURES = ("cost", "wellbeing_years", "crises_avoided")
DIFFS = tuple(f"d_{m}" for m in MEASURES)
CUMULATIVE = tuple(f"cum_d_{m}" for m in MEASURES)
YEARLY = "yearly.parquet"
BREAKEVEN = "breakeven.json"


def accounting_weeks(params: Mapping[str, Mapping[str, Any]]) -> tuple[int, int]:
    """(first week counted, first week not counted) for every label of a compare."""
    end = min(int(p["weeks"]) for p in params.values())
    burn = max(min(int(p["burn_in_weeks"]), max(int(p["weeks"]) - 1, 0)) for p in params.values())
    switches = [int(p.get("switch_week", 0)) for p in params.values() if int(p.get("switch_week", 0)) > 0]
    start = 0 if any(s < burn for s in switches) else min(burn, max(end - 1, 0))
    return start, end


def yearly(ts: pl.DataFrame, params: Mapping[str, Mapping[str, Any]], *, cost: pl.Expr | None = None) -> pl.DataFrame:
    """label, seed, year, weeks, cost, wellbeing_years, crises_avoided, one row per label, seed and year.

    `cost` replaces the weekly cost (an expression over the weekly columns), for a cost assumption
    recomputed from what the runs counted.
    """
    missing = [c for c in NEEDED if c not in ts.columns]
    if missing:
        raise ValueError(f"the weekly series lack {', '.join(missing)}")
    start, end = accounting_weeks(params)
    citizens = {label: float(p["citizens"]) for label, p in params.items()}
    twins = {label: bool(p.get("twin", True)) for label, p in params.items()}
    frame = ts.filter((pl.col("week") >= start) & (pl.col("week") < end)).with_columns(
        ((pl.col("week") - start) // WEEKS_PER_YEAR + 1).cast(pl.Int64).alias("year"),
        pl.col("label").replace_strict(citizens, return_dtype=pl.Float64).alias("_citizens"),
        pl.col("label").replace_strict(twins, return_dtype=pl.Boolean).alias("_twin"),
    )
    wellbeing = (pl.col("wellbeing_mean") - pl.col("wellbeing_twin_mean")) * pl.col("_citizens") / WEEKS_PER_YEAR
    avoided = pl.col("n_twin_crises") - pl.col("n_crises")
    out = (
        frame.group_by("label", "seed", "year", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("weeks"),
            (cost if cost is not None else pl.col("cost_total")).sum().alias("cost"),
            pl.when(pl.col("_twin").all()).then(wellbeing.sum()).otherwise(None).alias("wellbeing_years"),
            pl.when(pl.col("_twin").all()).then(avoided.sum()).otherwise(None).cast(pl.Float64).alias("crises_avoided"),
        )
        .sort("label", "seed", "year", maintain_order=True)
    )
    order = {label: i for i, label in enumerate(params)}
    return out.sort(pl.col("label").replace_strict(order, return_dtype=pl.Int64), "seed", "year")


def against_first(year: pl.DataFrame, first: str) -> pl.DataFrame:
    """`yearly` plus each measure's difference from the first label on the same seed and year, and
    its running total (`d_*`, `cum_d_*`); the first label's own differences are zero."""
    base = year.filter(pl.col("label") == first).select(
        "seed", "year", *(pl.col(m).alias(f"_base_{m}") for m in MEASURES)
    )
    out = year.join(base, on=["seed", "year"], how="left", maintain_order="left")
    out = out.with_columns(*((pl.col(m) - pl.col(f"_base_{m}")).alias(f"d_{m}") for m in MEASURES))
    out = out.with_columns(*(pl.col(f"d_{m}").cum_sum().over("label", "seed").alias(f"cum_d_{m}") for m in MEASURES))
    return out.drop(*(f"_base_{m}" for m in MEASURES))


def break_even_year(cumulative: Sequence[float | None]) -> int | None:
    """First year (1-based) from which every later cumulative extra cost is at or below zero.

    A value that is missing or not finite counts as not broken even, so an unknown year never
    makes a break-even appear."""
    year: int | None = None
    for i, v in enumerate(cumulative, start=1):
        ok = v is not None and math.isfinite(v) and v <= 0.0
        if ok and year is None:
            year = i
        elif not ok:
            year = None
    return year


def bands(diff: pl.DataFrame, columns: Sequence[str] = (*DIFFS, *CUMULATIVE)) -> pl.DataFrame:
    """label, year, weeks and, for each column, its mean and 95% interval over seeds (`_lo`, `_hi`)."""
    from hls_sim.stats import mean_ci

    rows = []
    for (label, year), sub in diff.group_by("label", "year", maintain_order=True):
        row: dict[str, Any] = {"label": label, "year": int(year), "weeks": int(sub["weeks"].max()), "n": sub.height}
        for c in columns:
            mean, _sd, lo, hi = mean_ci([v for v in sub[c].to_list() if v is not None])
            row[c], row[f"{c}_lo"], row[f"{c}_hi"] = mean, lo, hi
        rows.append(row)
    return pl.DataFrame(rows).sort(
        pl.col("label").replace_strict({lab: i for i, lab in enumerate(diff["label"].unique(maintain_order=True))}),
        "year",
    )


@dataclass
class BreakEven:
    """One label against the first: when it pays for itself and where it ends, over the seeds."""

    label: str
    years: int  # years counted (the last may be shorter, see `last_year_weeks`)
    last_year_weeks: int
    on_mean: int | None
    on_upper_band: int | None
    per_seed: dict[int, int | None]
    final: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # cum_d_* -> (mean, lo, hi)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "years": self.years,
            "last_year_weeks": self.last_year_weeks,
            "break_even_year": self.on_mean,
            "break_even_year_upper_band": self.on_upper_band,
            "break_even_year_per_seed": {str(k): v for k, v in self.per_seed.items()},
            "final": {k: {"mean": m, "ci_low": lo, "ci_high": hi} for k, (m, lo, hi) in self.final.items()},
        }


def break_even(diff: pl.DataFrame, labels: Sequence[str]) -> dict[str, BreakEven]:
    """Each label after the first against the first, from `against_first` rows (every seed)."""
    band = bands(diff, CUMULATIVE)
    out: dict[str, BreakEven] = {}
    for label in labels[1:]:
        b = band.filter(pl.col("label") == label).sort("year")
        if b.height == 0:
            continue
        per_seed = {}
        for (seed,), sub in diff.filter(pl.col("label") == label).group_by("seed", maintain_order=True):
            per_seed[int(seed)] = break_even_year(sub.sort("year")["cum_d_cost"].to_list())
        last = b.row(b.height - 1, named=True)
        out[label] = BreakEven(
            label=label,
            years=b.height,
            last_year_weeks=int(last["weeks"]),
            on_mean=break_even_year(b["cum_d_cost"].to_list()),
            on_upper_band=break_even_year(b["cum_d_cost_hi"].to_list()),
            per_seed=dict(sorted(per_seed.items())),
            final={c: (last[c], last[f"{c}_lo"], last[f"{c}_hi"]) for c in CUMULATIVE},
        )
    return out


def cost_parts(ts: pl.DataFrame, params: Mapping[str, Mapping[str, Any]], first: str) -> pl.DataFrame:
    """label, category, mean over seeds of each cost category's difference from the first label over
    the counted weeks (penalties count against the cost): where a difference in cost comes from."""
    start, end = accounting_weeks(params)
    cols = [c for c in ts.columns if c.startswith("cost_") and c != "cost_total"]
    sums = (
        ts.filter((pl.col("week") >= start) & (pl.col("week") < end))
        .group_by("label", "seed", maintain_order=True)
        .agg(*((pl.col(c) * (-1.0 if c == "cost_penalties" else 1.0)).sum().alias(c) for c in cols))
    )
    base = sums.filter(pl.col("label") == first).select("seed", *(pl.col(c).alias(f"_b_{c}") for c in cols))
    diff = sums.join(base, on="seed", how="left").select(
        "label", "seed", *((pl.col(c) - pl.col(f"_b_{c}")).alias(c) for c in cols)
    )
    long = diff.unpivot(index=["label", "seed"], variable_name="category", value_name="d_cost")
    return (
        long.group_by("label", "category", maintain_order=True)
        .agg(pl.col("d_cost").mean())
        .with_columns(pl.col("category").str.strip_prefix("cost_"))
    )


@dataclass
class CostOverTime:
    """Everything the terminal and the report say about cost and impact over time."""

    first: str
    labels: list[str]
    start_week: int
    seeds: list[int]
    crisis_cost: dict[str, float]
    reactive_cost: dict[str, float]
    diff: pl.DataFrame  # against_first rows, every label, seed and year
    band: pl.DataFrame  # bands over seeds
    results: dict[str, BreakEven]
    parts: pl.DataFrame  # cost difference by category

    def as_dict(self) -> dict[str, Any]:
        return {
            "against": self.first,
            "start_week": self.start_week,
            "seeds": self.seeds,
            "definition": (
                "break-even year: the first year from which the cumulative extra cost against the first label "
                "(whole public cost, downstream crisis and reactive-service costs included, paired by seed) stays at or below zero to "
                "the end of the run; null = none within the run"
            ),
            "labels": {k: v.as_dict() for k, v in self.results.items()},
        }


def cost_over_time(ts: pl.DataFrame, params: Mapping[str, Mapping[str, Any]]) -> CostOverTime:
    """The whole reading of a compare's weekly series against its first label."""
    labels = list(params)
    diff = against_first(yearly(ts, params), labels[0])
    return CostOverTime(
        first=labels[0],
        labels=labels,
        start_week=accounting_weeks(params)[0],
        seeds=sorted(int(s) for s in diff["seed"].unique()),
        crisis_cost={label: float(p["crisis_cost"]) for label, p in params.items()},
        # folders written before the reactive account priced it at nothing
        reactive_cost={label: float(p.get("reactive_contact_cost", 0.0)) for label, p in params.items()},
        diff=diff,
        band=bands(diff),
        results=break_even(diff, labels),
        parts=cost_parts(ts, params, labels[0]),
    )


# ---------------------------------------------------------------------------- words


def money(x: float | None, *, sign: bool = False) -> str:
    """GBP in a few characters: 1234567 -> '1.23m', -45600 -> '-45.6k'."""
    if x is None or not math.isfinite(x):
        return "n/a"
    s = "+" if sign and x > 0 else ""
    a = abs(x)
    if a >= 1e9:
        return f"{s}{x / 1e9:.2f}bn"
    if a >= 1e6:
        return f"{s}{x / 1e6:.2f}m"
    if a >= 1e4:
        return f"{s}{x / 1e3:.1f}k"
    return f"{s}{x:,.0f}"


def amount(x: float | None, *, sign: bool = False) -> str:
    """A count or a number of wellbeing-years with as many digits as its size deserves."""
    if x is None or not math.isfinite(x):
        return "n/a"
    s = "+" if sign and x > 0 else ""
    a = abs(x)
    if a >= 1e4:
        return f"{s}{x:,.0f}"
    if a >= 100:
        return f"{s}{x:.0f}"
    if a >= 10:
        return f"{s}{x:.1f}"
    return f"{s}{x:.2f}"


def _pm(mean: float, lo: float, hi: float, fmt: Any) -> str:
    half = (hi - lo) / 2.0 if math.isfinite(hi) and math.isfinite(lo) else math.nan
    return f"{fmt(mean, sign=True)} ± {fmt(half)}"


def describe(b: BreakEven, first: str) -> str:
    """The break-even sentence for one label."""
    if b.on_mean is None:
        m, lo, hi = b.final["cum_d_cost"]
        when = "none within the run"
        tail = f" (after {b.years} years it is still GBP {money(m)} ± {money((hi - lo) / 2)} dearer than {first})"
        if m <= 0:  # cheaper at the end but not for good: dearer again in a year before
            tail = f" (cheaper at the end, but the cumulative cost rises above {first}'s again in a later year)"
        return f"break-even year: {when}{tail}"
    band = (
        f"year {b.on_upper_band}" if b.on_upper_band is not None else "none within the run"
    )  # the dear end of the seed noise
    first_year = f" (it costs no more than {first} from the first year)" if b.on_mean == 1 else ""
    return f"break-even year: {b.on_mean}{first_year}; at the dear end of the 95% band: {band}"


def format_terminal(cot: CostOverTime, *, width: int = 100) -> str:
    """Year-by-year extra cost and impact of every label against the first, within `width` columns."""
    n = len(cot.seeds)
    crisis = sorted(set(cot.crisis_cost.values()))
    crisis_words = " or ".join(f"GBP {c:,.0f}" for c in crisis)
    intro = (
        f"Against {cot.first}, year by year (paired on each seed; mean ± 95% CI half-width over {n} seed"
        f"{'s' * (n != 1)}, seed noise only). Year 1 starts at week {cot.start_week}"
        f"{' (after the burn-in)' if cot.start_week else ''}. Cost is the whole public cost, crises included at "
        f"{crisis_words} each; impact is against no services."
    )
    lines = textwrap.wrap(intro, width)
    head = (
        f"{'year':>4}  {'extra cost, GBP':>18}  {'cumulative, GBP':>18}  {'wellbeing-years, cum.':>22}  "
        f"{'crises avoided, cum.':>22}"
    )
    for label in cot.labels[1:]:
        b = cot.band.filter(pl.col("label") == label).sort("year")
        if b.height == 0:
            continue
        lines += ["", f"{label} minus {cot.first}", head[:width]]
        for r in b.iter_rows(named=True):
            year = f"{r['year']}" + ("*" if r["weeks"] < WEEKS_PER_YEAR else "")
            lines.append(
                f"{year:>4}  {_pm(r['d_cost'], r['d_cost_lo'], r['d_cost_hi'], money):>18}  "
                f"{_pm(r['cum_d_cost'], r['cum_d_cost_lo'], r['cum_d_cost_hi'], money):>18}  "
                f"{_pm(r['cum_d_wellbeing_years'], r['cum_d_wellbeing_years_lo'], r['cum_d_wellbeing_years_hi'], amount):>22}  "
                f"{_pm(r['cum_d_crises_avoided'], r['cum_d_crises_avoided_lo'], r['cum_d_crises_avoided_hi'], amount):>22}"
            )
        if cot.results[label].last_year_weeks < WEEKS_PER_YEAR:
            lines.append(f"   * a part year of {cot.results[label].last_year_weeks} weeks")
        lines.extend(textwrap.wrap(describe(cot.results[label], cot.first), width, subsequent_indent="  "))
    return "\n".join(lines)


def write(folder: Any, cot: CostOverTime) -> None:
    """yearly.parquet (every label, seed and year) and breakeven.json (the break-even years)."""
    from pathlib import Path

    from hls_sim.atomic import atomic_write_json, atomic_write_parquet

    folder = Path(folder)
    atomic_write_parquet(folder / YEARLY, cot.diff)
    atomic_write_json(folder / BREAKEVEN, cot.as_dict())
