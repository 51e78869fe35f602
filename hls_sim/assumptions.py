"""Which documented assumptions drive a compare's answer: a one-at-a-time sweep of them.

Many of the registry's parameters are assumptions (their `source` says so): not measured, set to
an order of magnitude or a plausible value. A compare's answer ("the alliance saves GBP 3m over
nine years") is only as good as those that drive it, so `hls-sim compare` moves each of a set of
them down and up, one at a time, with every label on the same seeds, and reports how the
difference between each label and the first moves (a tornado chart in the report).

Two kinds, chosen for cost, and written down here so that the choice can be argued with:

- Accounting assumptions (`RECOMPUTED`): the price of a crisis, a contact with a reactive service,
  an audit, a tender, the steward and the transition. Each enters only the public accounts, as a
  count times a price in one weekly cost column (read in model.py and commissioner.py: no agent
  reads these columns), so moving one is exact arithmetic on the weekly series the compare
  already kept: no run is repeated, every seed of the compare is used, and there is no cap.
- Behavioural assumptions (`RERUN`): ones that change what agents do or what happens to people,
  so each value needs new runs. With 140-odd documented assumptions, running them all (twice per
  label per seed) would multiply a compare's time many times over, so they are screened by
  judgement, not computation: the list below is ordered by how directly each sets the size of a
  mechanism in which the regimes differ (what staff cost, how often need becomes a crisis, what
  relational and protocol work achieve, how far gaming moves an indicator, ...), and a compare
  re-runs the first `DEFAULT_RERUN` of them (`--assumptions N` for more or fewer, up to the whole
  list; `--no-assumptions` skips the whole sweep) on its first `RERUN_SEEDS` seeds.

Each is moved by a factor of its own value in each label (halved and doubled unless said
otherwise), kept within the registry's allowed range. Every re-run goes through the one run
engine (`hls_sim.sweep`), into the compare folder's `assumptions/`, so it is resumable and its
numbers do not depend on the number of workers. The effect is measured on the difference from
the first label, paired seed by seed, exactly as the compare's own cost over time
(`hls_sim.breakeven`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hls_sim.params import PARAMS

if TYPE_CHECKING:
    import polars as pl

FOLDER = "assumptions"  # the re-runs' engine folder inside a compare folder
TABLE = "assumptions.parquet"
LEVELS = ("low", "high")
DEFAULT_RERUN = 4
RERUN_SEEDS = 2
WEEKLY = ("cost_total", "wellbeing_mean", "wellbeing_twin_mean", "n_crises", "n_twin_crises")


@dataclass(frozen=True)
class Assumption:
    name: str
    why: str
    low: float = 0.5  # factor of each label's own value
    high: float = 2.0
    column: str = ""  # accounting assumptions: the weekly cost column that is count x this price

    def value(self, level: str, base: Any) -> Any:
        """The parameter's value at `level` for a label whose own value is `base`, within its range."""
        p = PARAMS[self.name]
        x = float(base) * (self.low if level == "low" else self.high)
        if p.lo is not None:
            x = max(x, p.lo)
        if p.hi is not None:
            x = min(x, p.hi)
        return int(round(x)) if p.kind is int else x

    @property
    def factors(self) -> str:
        return f"x{self.low:g} and x{self.high:g}"


RECOMPUTED: tuple[Assumption, ...] = (
    Assumption(
        "crisis_cost",
        "the public cost of one crisis (the downstream cost every regime carries)",
        column="cost_downstream",
    ),
    Assumption(
        "reactive_contact_cost",
        "the public cost of one contact with a reactive service short of a crisis (call-outs, A&E, emergencies)",
        column="cost_reactive",
    ),
    Assumption("audit_cost", "what auditing one case costs the commissioner", column="cost_audit"),
    Assumption("tender_cost", "what one re-tender costs the commissioner", column="cost_tender"),
    Assumption("steward_cost", "what a systems steward costs a year", column="cost_steward"),
    Assumption(
        "transition_cost", "the up-front investment per citizen in a change of regime", column="cost_transition"
    ),
)

RERUN: tuple[Assumption, ...] = (
    Assumption(
        "hourly_cost",
        "what an hour of a worker costs: most of the spend; it also sets payments and prices, so it is re-run "
        "(a scenario's budget keeps buying the staff it bought at the scenario's own hourly cost)",
        low=0.75,
        high=1.5,
    ),
    Assumption("crisis_prob", "how often serious unmet need becomes a crisis: sets crises avoided and their cost"),
    Assumption("relational_effect", "how much relational work resolves: the mechanism learning regimes rely on"),
    Assumption("protocol_effect", "how much protocol-driven work resolves: the mechanism target regimes rely on"),
    Assumption("gaming_efficiency", "how far number-improving effort moves an indicator"),
    Assumption("mission_weight", "how much providers' ethos weighs against their incentives"),
    Assumption("learning_rate", "how fast a learning cycle improves practice"),
    Assumption("base_turnover", "how many staff leave a year whatever the regime"),
)
ALL = {a.name: a for a in (*RECOMPUTED, *RERUN)}


def is_documented_assumption(name: str) -> bool:
    """A registry parameter whose source says it is (at least in size) an assumption."""
    return "assumption" in PARAMS[name].source.lower()


def chosen(n: int) -> tuple[Assumption, ...]:
    """The first `n` behavioural assumptions of the screened list."""
    return RERUN[: max(0, n)]


def _stakes(params: Mapping[str, Any]) -> float:
    return float(params["incentive_strength"])


def rerun_plan(labels: Mapping[str, Mapping[str, Any]], seeds: Sequence[int], which: Sequence[Assumption]):  # type: ignore[no-untyped-def]
    """The engine plan of the re-runs: every chosen assumption at both levels, every label, on `seeds`.

    An assumption that no level moves for any label (its value is 0, or pinned at a bound) is left
    out, since its runs would repeat the compare's; the plan's `about` says which and why."""
    from hls_sim.params import resolve
    from hls_sim.sweep.outputs import Selection
    from hls_sim.sweep.plan import PlannedPoint, build_plan

    resolved = {label: resolve(dict(o), source=label) for label, o in labels.items()}
    points = []
    kept: list[dict[str, Any]] = []
    left_out: dict[str, str] = {}
    selection = Selection((), WEEKLY, 1)
    for a in which:
        moves = any(
            a.value(level, resolved[label][a.name]) != resolved[label][a.name] for label in labels for level in LEVELS
        )
        if not moves:
            left_out[a.name] = "no level moves it in any label (its value is 0 or at a bound of its range)"
            continue
        kept.append({"name": a.name, "low": a.low, "high": a.high, "why": a.why})
        for level in LEVELS:
            for label, over in labels.items():
                value = a.value(level, resolved[label][a.name])
                points.append(
                    PlannedPoint(
                        {"label": label, "assumption": a.name, "level": level, "value": float(value)},
                        {**{k: v for k, v in over.items() if k != "seed"}, a.name: value},
                        tuple(seeds),
                        selection=selection,
                        where=f"label '{label}' with {a.name} = {value}",
                    )
                )
    about = {
        "labels": list(labels),
        "seeds": list(seeds),
        "assumptions": kept,
        "left_out": left_out,
        "rule": "each assumption multiplied by its low and high factor of each label's own value, one at a time, "
        "every label on the same seeds",
    }
    return build_plan("assumptions", points, source="compare --assumptions", about=about)


def rerun_series(folder: Path) -> pl.DataFrame:
    """The re-runs' weekly rows as one wide table: label, assumption, level, seed, week and `WEEKLY`."""
    import polars as pl

    from hls_sim.sweep.runner import load_results

    rows = (
        load_results(folder)
        .filter(pl.col("scope") == "weekly")
        .select("run_id", "label", "assumption", "level", "seed", "step", "metric", pl.col("value").alias("x"))
        .collect()
    )
    wide = rows.pivot(on="metric", index=["run_id", "label", "assumption", "level", "seed", "step"], values="x")
    return wide.sort("run_id", "step").rename({"step": "week"}).drop("run_id")


def _cumulative(diff: pl.DataFrame) -> pl.DataFrame:
    from hls_sim.breakeven import CUMULATIVE

    return diff.select("label", "seed", "year", "weeks", *CUMULATIVE)


def table(
    ts: pl.DataFrame,
    params: Mapping[str, Mapping[str, Any]],
    reruns: pl.DataFrame | None,
    rerun_values: Mapping[tuple[str, str, str], float] | None = None,
) -> pl.DataFrame:
    """Cumulative differences from the first label, per label, seed and year, at every level of
    every assumption: label, assumption, level, method, value, seed, year, weeks, cum_d_*.

    The compare's own runs are level 'central' (assumption ''); accounting assumptions are
    recomputed from them on every seed; `reruns` (from `rerun_series`) holds the rest."""
    import polars as pl

    from hls_sim import breakeven as be

    labels = list(params)
    first = labels[0]
    frames = []
    central = _cumulative(be.against_first(be.yearly(ts, params), first))
    frames.append(central.with_columns(assumption=pl.lit(""), level=pl.lit("central"), method=pl.lit("compare")))
    values: dict[tuple[str, str, str], float] = {}
    for label, p in params.items():
        values[(label, "", "central")] = math.nan
        for a in RECOMPUTED:
            for level in LEVELS:
                values[(label, a.name, level)] = float(a.value(level, p[a.name]))
    for a in RECOMPUTED:
        if a.column not in ts.columns:
            continue
        for level in LEVELS:
            # the column is count x price, so at another price it is the same count at that price;
            # a price pinned at a bound of its range moves by the ratio of the values actually used
            ratios = {label: _ratio(a, level, p[a.name]) for label, p in params.items()}
            scale = pl.col("label").replace_strict(ratios, return_dtype=pl.Float64)
            cost = pl.col("cost_total") + (scale - 1.0) * pl.col(a.column)
            diff = be.against_first(be.yearly(ts, params, cost=cost), first)
            frames.append(
                _cumulative(diff).with_columns(
                    assumption=pl.lit(a.name), level=pl.lit(level), method=pl.lit("recomputed")
                )
            )
    if reruns is not None and reruns.height:
        for (name, level), sub in reruns.group_by("assumption", "level", maintain_order=True):
            diff = be.against_first(be.yearly(sub.drop("assumption", "level"), params), first)
            frames.append(
                _cumulative(diff).with_columns(assumption=pl.lit(name), level=pl.lit(level), method=pl.lit("re-run"))
            )
    values.update(rerun_values or {})
    used = pl.DataFrame(
        [{"label": k[0], "assumption": k[1], "level": k[2], "value": v} for k, v in values.items()],
        schema={"label": pl.String, "assumption": pl.String, "level": pl.String, "value": pl.Float64},
    )
    out = pl.concat(frames, how="vertical").join(
        used, on=["label", "assumption", "level"], how="left", maintain_order="left"
    )
    return out.select("label", "assumption", "level", "method", "value", "seed", "year", "weeks", *be.CUMULATIVE)


def _ratio(a: Assumption, level: str, base: Any) -> float:
    base = float(base)
    if base == 0.0:
        return 1.0  # nothing was charged at a price of 0, and a multiple of 0 is still 0
    return float(a.value(level, base)) / base


def rerun_values(
    plan_about: Mapping[str, Any], labels: Mapping[str, Mapping[str, Any]]
) -> dict[tuple[str, str, str], float]:
    """(label, assumption, level) -> the value each re-run used, from the same rule as the plan."""
    out: dict[tuple[str, str, str], float] = {}
    for item in plan_about.get("assumptions", []):
        a = ALL[item["name"]]
        for label, p in labels.items():
            for level in LEVELS:
                out[(label, a.name, level)] = float(a.value(level, p[a.name]))
    return out


# ---------------------------------------------------------------------------- reading the table


@dataclass
class Effect:
    """One assumption's effect on one label's difference from the first, over the whole run."""

    label: str
    assumption: str
    method: str
    values: dict[str, float]  # level -> the first label's value ('central' too)
    seeds: list[int]
    cost: dict[str, float]  # level -> mean cumulative extra cost at the end of the run
    wellbeing_years: dict[str, float]
    crises_avoided: dict[str, float]
    break_even: dict[str, int | None]

    @property
    def swing(self) -> float:
        lo, hi = self.cost.get("low", math.nan), self.cost.get("high", math.nan)
        return abs(hi - lo) if math.isfinite(lo) and math.isfinite(hi) else 0.0

    def flips(self) -> bool:
        """Does moving the assumption change whether the label is dearer than the first?"""
        signs = {v > 0 for v in self.cost.values() if math.isfinite(v) and v != 0}
        return len(signs) > 1


def effects(tab: pl.DataFrame, params: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Effect]]:
    """label -> its Effects, largest swing in extra cost first (the tornado's order)."""
    import polars as pl

    from hls_sim import breakeven as be

    labels = list(params)
    first = labels[0]
    out: dict[str, list[Effect]] = {}
    central_all = tab.filter(pl.col("level") == "central")
    for label in labels[1:]:
        found: list[Effect] = []
        sub = tab.filter((pl.col("label") == label) & (pl.col("level") != "central"))
        for (name,), rows in sub.group_by("assumption", maintain_order=True):
            a = ALL[str(name)]
            seeds = sorted(int(s) for s in rows["seed"].unique())
            base = params[first][a.name]
            values = {"central": float(base), **{lv: float(a.value(lv, base)) for lv in LEVELS}}
            eff = Effect(label, a.name, str(rows["method"][0]), values, seeds, {}, {}, {}, {})
            central = central_all.filter((pl.col("label") == label) & pl.col("seed").is_in(seeds))
            for level, part in (("central", central), *((lv, rows.filter(pl.col("level") == lv)) for lv in LEVELS)):
                if part.height == 0:
                    continue
                mean = part.group_by("year").agg(pl.col(c).mean() for c in be.CUMULATIVE).sort("year")
                last = mean.row(mean.height - 1, named=True)
                eff.cost[level] = float(last["cum_d_cost"])
                eff.wellbeing_years[level] = _num(last["cum_d_wellbeing_years"])
                eff.crises_avoided[level] = _num(last["cum_d_crises_avoided"])
                eff.break_even[level] = be.break_even_year(mean["cum_d_cost"].to_list())
            found.append(eff)
        out[label] = sorted(found, key=lambda e: -e.swing)
    return out


def _num(x: Any) -> float:
    return float(x) if x is not None else math.nan


# ---------------------------------------------------------------------------- words


def title(name: str) -> str:
    """'crisis cost (GBP/event)'."""
    from hls_sim.labels import param_title

    return param_title(name)


def value_text(name: str, x: float) -> str:
    from hls_sim.labels import number

    if not math.isfinite(x):
        return "n/a"
    return number(int(round(x)) if PARAMS[name].kind is int else round(x, 6))


def drivers(effs: Sequence[Effect], label: str, first: str, *, top: int = 3) -> list[str]:
    """Sentences naming what drives a label's difference from the first, largest first."""
    from hls_sim.breakeven import money

    if not effs:
        return []
    central = effs[0].cost.get("central", math.nan)
    lines = []
    for e in effs[:top]:
        lo, hi = e.cost.get("low", math.nan), e.cost.get("high", math.nan)
        line = (
            f"{title(e.assumption)} {value_text(e.assumption, e.values.get('low', math.nan))} to "
            f"{value_text(e.assumption, e.values.get('high', math.nan))}: extra cost over the run "
            f"GBP {money(lo, sign=True)} to {money(hi, sign=True)}"
        )
        if e.flips():
            line += f" (whether {label} costs more than {first} turns on it)"
        lines.append(line)
    if effs[0].swing == 0:
        return [f"none of the assumptions tested moves {label}'s extra cost (GBP {money(central, sign=True)})"]
    return lines


def format_terminal(
    effs: Mapping[str, Sequence[Effect]],
    first: str,
    *,
    rerun: Sequence[str],
    seeds: Sequence[int],
    skipped: str = "",
    width: int = 100,
) -> str:
    from hls_sim.breakeven import money

    recomputed = ", ".join(a.name for a in RECOMPUTED)
    again = ", ".join(rerun) if rerun else "none"
    import textwrap

    def fill(text: str, indent: str = "") -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "    ")

    lines = fill(
        f"Assumptions that drive this result (one at a time; extra cost against {first} over the run, "
        "mean over seeds; a tornado chart in the report):"
    )
    lines += fill(f"recomputed from the runs, every seed: {recomputed}", "  ")
    lines += fill(f"re-run on seeds {', '.join(map(str, seeds))}: {again}" + (f" ({skipped})" if skipped else ""), "  ")
    for label, items in effs.items():
        central = items[0].cost.get("central", math.nan) if items else math.nan
        lines += fill(f"{label} (as compared: GBP {money(central, sign=True)}):")
        for s in drivers(items, label, first):
            lines += fill(s, "  ")
    return "\n".join(lines)
