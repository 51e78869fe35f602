"""`hls-sim explain A B`: which groups of levers made the difference between two settings.

A and B are regimes (run on the default scenario) or scenarios. Their fully resolved parameters
are compared; every parameter that differs belongs to one lever group (`hls_sim.levergroups`).
With k groups differing, every one of the 2^k coalitions (each group at A's values or at B's)
is run on the same seeds through the engine (`hls_sim.sweep`), so a coalition differs from
another only by its levers: the same seed gives the same people, lives and shocks (common random
numbers). Each measure's difference B - A is then split among the groups by exact Shapley
values, computed seed by seed, so the shares add up to the difference on every seed and the
spread of a share over seeds gives its interval.

The folder holds the engine's files (manifest, points, results) plus:

    explain.json        per measure: total, each group's share, intervals, per-seed values;
                        the seeds, both sides' resolved parameters, each group's parameters
    coalitions.parquet  coalition, its groups, seed and each measure, one row per run
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hls_sim import levergroups as lg
from hls_sim.errors import UsageError
from hls_sim.params import resolve

FORMAT = "hls_sim.explain/1"
EXPLAIN_JSON = "explain.json"
COALITIONS = "coalitions.parquet"
MEASURES = (
    "impact_wellbeing",
    "crises_avoided_per_1000_per_year",
    "crisis_events_per_1000_per_year",
    "total_cost_per_year",
    "campbell_gap",
    "true_outcome",
)
INTERVAL = (
    "95% t-interval over seeds of the group's Shapley value computed seed by seed: "
    "mean ± t(0.975, n-1) · sd / √n (none from a single seed)"
)
MAX_GROUPS = 12  # 4,096 coalitions per seed


@dataclass
class Side:
    """One side of the explanation: what was asked for and its resolved parameters (seed aside)."""

    given: str
    label: str
    kind: str  # "regime" or "scenario"
    overrides: dict[str, Any]
    params: dict[str, Any]


@dataclass
class Setup:
    """Everything an explanation runs, decided before anything runs."""

    a: Side
    b: Side
    seeds: list[int]
    groups: list[str]  # the groups that differ, in the map's order: player i is groups[i]
    differing: dict[str, dict[str, list[Any]]]  # group -> parameter -> [A's value, B's value]
    inert: dict[str, dict[str, Any]] = field(default_factory=dict)  # parameter -> values and why

    @property
    def n_coalitions(self) -> int:
        return 1 << len(self.groups)

    def coalition_name(self, mask: int) -> str:
        """'payment+operations': the groups at B's values ('' for A itself)."""
        return "+".join(g for i, g in enumerate(self.groups) if mask >> i & 1)

    def coalition_params(self, mask: int) -> dict[str, Any]:
        """A's parameters with B's values for every group in `mask` (inert differences keep A's)."""
        out = dict(self.a.params)
        for i, g in enumerate(self.groups):
            if mask >> i & 1:
                for name, (_, b_value) in self.differing[g].items():
                    out[name] = b_value
        return out


def is_regime(name: str) -> bool:
    from hls_sim.regimes import REGIMES

    return name in REGIMES and not name.endswith(".toml") and "/" not in name and "\\" not in name


def side(given: str, common: dict[str, Any]) -> Side:
    """A regime on the default scenario, or a scenario (by name or path), with the common overrides."""
    from hls_sim.scenarios import check_side, scenario_overrides

    check_side(given)
    if is_regime(given):
        if common.get("regime", given) != given:
            raise UsageError(
                f"--set regime={common['regime']} contradicts the side '{given}', which is a regime; "
                "name the regimes as the sides, or use scenarios"
            )
        over = {**scenario_overrides(None), **common, "regime": given}
        label, kind = given, "regime"
    else:
        over = {**scenario_overrides(given), **common}
        label, kind = Path(given).stem, "scenario"
    over.pop("seed", None)
    params = resolve(over, source=label)
    params.pop("seed", None)
    return Side(given, label, kind, over, params)


def setup(a_name: str, b_name: str, common: dict[str, Any], seeds: Sequence[int]) -> Setup:
    """Both sides resolved, their differences grouped and checked (UsageError or UnknownGroupError, exit 2)."""
    a, b = side(a_name, common), side(b_name, common)
    differing: dict[str, dict[str, list[Any]]] = {}
    inert: dict[str, dict[str, Any]] = {}
    for name in lg.differing(a.params, b.params):
        group = lg.group_of(name)
        if lg.BY_ID[group].must_match:
            option = f"--{name} N" if name in ("citizens", "weeks") else f"--set {name}=VALUE"
            raise UsageError(
                f"{a.label} and {b.label} differ in '{name}' ({a.params[name]!r} and {b.params[name]!r}): explain "
                "compares two settings of the same people over the same run, so the run settings "
                f"({', '.join(lg.BY_ID[group].names)}) must match; make them equal with {option}"
            )
        why = lg.inert(name, a.params, b.params)
        if why is not None:
            inert[name] = {"a": a.params[name], "b": b.params[name], "group": group, "why": why}
            continue
        differing.setdefault(group, {})[name] = [a.params[name], b.params[name]]
    order = [g.id for g in lg.GROUPS if g.id in differing]
    if len(order) > MAX_GROUPS:
        raise UsageError(
            f"{a.label} and {b.label} differ in {len(order)} lever groups ({', '.join(order)}): that is "
            f"{1 << len(order):,} coalitions per seed; allowed is at most {MAX_GROUPS} groups. Compare settings "
            "that are closer, or make some groups equal with --set"
        )
    s = Setup(a, b, list(seeds), order, {g: differing[g] for g in order}, inert)
    _check_corners(s)
    return s


def _check_corners(s: Setup) -> None:
    """The coalition of every group must be B itself (and none, A), or the total would not be B - A."""
    full = resolve(s.coalition_params(s.n_coalitions - 1), source=s.b.label)
    full.pop("seed", None)
    mismatched = [k for k in lg.differing(full, s.b.params) if k not in s.inert]
    if mismatched:
        raise UsageError(
            f"internal check: {s.b.label} rebuilt from {s.a.label}'s parameters differs in {', '.join(mismatched)}; "
            "please report this"
        )


# ---------------------------------------------------------------------------- the plan


def plan(s: Setup):  # type: ignore[no-untyped-def]
    """Every coalition on every seed, as a plan for the engine (checked as whole runs here)."""
    from hls_sim.sweep.outputs import Selection, available, undefined_in_probe
    from hls_sim.sweep.plan import PlannedPoint, build_plan

    scalars = Selection(tuple(k for k, n in available()[0].items() if n == 0) + undefined_in_probe(), (), 1)
    points = []
    for mask in range(s.n_coalitions):
        name = s.coalition_name(mask)
        points.append(
            PlannedPoint(
                {"coalition": mask, "groups": name},
                s.coalition_params(mask),
                tuple(s.seeds),
                selection=scalars,
                where=f"coalition '{name or s.a.label}'",
            )
        )
    return build_plan("explain", points, source="explain", about=about(s))


def about(s: Setup) -> dict[str, Any]:
    """What the manifest records of an explanation (the plan's own hash covers the runs)."""
    return {
        "a": {"given": s.a.given, "label": s.a.label, "kind": s.a.kind, "parameters": s.a.params},
        "b": {"given": s.b.given, "label": s.b.label, "kind": s.b.kind, "parameters": s.b.params},
        "seeds": s.seeds,
        "groups": s.groups,
        "coalitions": s.n_coalitions,
        "seed_rule": "every coalition runs on the same seeds (common random numbers)",
    }


# ---------------------------------------------------------------------------- decomposition


def coalition_table(results, measures: Sequence[str]):  # type: ignore[no-untyped-def]
    """coalition, groups, seed and each measure, one row per run, in run order."""
    import polars as pl

    rows = (
        results.filter((pl.col("scope") == "summary") & pl.col("metric").is_in(list(measures)))
        .select("run_id", "coalition", "groups", "seed", "metric", "value")
        .collect()
    )
    wide = rows.pivot(on="metric", index=["run_id", "coalition", "groups", "seed"], values="value").sort("run_id")
    for m in measures:
        if m not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(m))
    return wide.select("coalition", "groups", "seed", *measures)


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def decompose(s: Setup, table, measures: Sequence[str]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """explain.json: each measure's B - A split among the groups, from the coalitions' runs."""
    import numpy as np

    from hls_sim.shapley import shapley
    from hls_sim.stats import mean_ci
    from hls_sim.version import __version__

    n = s.n_coalitions
    seed_index = {seed: j for j, seed in enumerate(s.seeds)}
    out_measures: dict[str, Any] = {}
    for m in measures:
        v = np.full((n, len(s.seeds)), np.nan)
        for mask, seed, value in table.select("coalition", "seed", m).iter_rows():
            v[mask, seed_index[seed]] = np.nan if value is None else value
        phi = shapley(v)  # (k, seeds)
        used = [j for j in range(len(s.seeds)) if np.isfinite(v[:, j]).all()]
        total_seed = v[n - 1, used] - v[0, used]
        groups: dict[str, float | None] = {}
        intervals: dict[str, list[float] | None] = {}
        for g in lg.GROUPS:
            if g.id in s.groups:
                values = phi[s.groups.index(g.id), used]
                mean, _sd, lo, hi = mean_ci(values.tolist())
                groups[g.id] = _num(mean) if used else None
                intervals[g.id] = [lo, hi] if len(used) > 1 else None
            else:
                groups[g.id] = 0.0
                intervals[g.id] = [0.0, 0.0]
        t_mean, _sd, t_lo, t_hi = mean_ci(total_seed.tolist())
        out_measures[m] = {
            "total": _num(t_mean) if used else None,
            "groups": groups,
            "intervals": intervals,
            "total_interval": [t_lo, t_hi] if len(used) > 1 else None,
            "a": _num(float(np.mean(v[0, used]))) if used else None,
            "b": _num(float(np.mean(v[n - 1, used]))) if used else None,
            "seeds_used": [s.seeds[j] for j in used],
            "per_seed": {
                "total": total_seed.tolist(),
                "groups": {g: phi[i, used].tolist() for i, g in enumerate(s.groups)},
            },
        }
    return {
        "format": FORMAT,
        "hls_sim_version": __version__,
        "a": {"given": s.a.given, "label": s.a.label, "kind": s.a.kind},
        "b": {"given": s.b.given, "label": s.b.label, "kind": s.b.kind},
        "seeds": s.seeds,
        "method": (
            "exact Shapley values over the lever groups that differ, every coalition run on the same seeds "
            "(common random numbers) and decomposed seed by seed; groups with no differing parameter get 0"
        ),
        "interval": INTERVAL,
        "coalitions": n,
        "runs": n * len(s.seeds),
        "differing_groups": s.groups,
        "measures": out_measures,
        "groups": {
            g.id: {
                "title": g.title,
                "why": g.why,
                "parameters": lg.members(g.id),
                "differing": s.differing.get(g.id, {}),
            }
            for g in lg.GROUPS
        },
        "inert": s.inert,
        "parameters": {"a": s.a.params, "b": s.b.params},
    }


def write(folder: Path, doc: dict[str, Any], table) -> None:  # type: ignore[no-untyped-def]
    from hls_sim.atomic import atomic_write_json, atomic_write_parquet

    atomic_write_parquet(folder / COALITIONS, table)
    atomic_write_json(folder / EXPLAIN_JSON, doc)


# ---------------------------------------------------------------------------- console


def decimals(scale: float) -> int:
    """Decimals that show a measure of this size to about four significant figures."""
    return 0 if scale >= 100 else 2 if scale >= 1 else 4


def _fmt(x: float | None, scale: float, sign: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    d = decimals(scale)
    x = 0.0 if round(x, d) == 0 else x  # no "-0.0000"
    return format(x, ("+" if sign else "") + f",.{d}f")


def format_tables(doc: dict[str, Any]) -> str:
    """One readable table per measure: A, each differing group's share with its interval, B."""
    from hls_sim.labels import output_unit, output_words

    a, b = doc["a"]["label"], doc["b"]["label"]
    n = len(doc["seeds"])
    titles = {g: doc["groups"][g]["title"] for g in doc["groups"]}
    width = max(28, len(a) + 6, len(b) + 6, *(len(t) + 4 for t in titles.values()))
    lines = []
    for m, r in doc["measures"].items():
        values = [abs(x) for x in (r["a"], r["b"], *(r["groups"].values())) if isinstance(x, float)]
        scale = max(values, default=0.0)
        unit = output_unit(m)
        lines.append(f"{output_words(m)}{f' ({unit})' if unit else ''}: {b} - {a}, {n} seed{'s' * (n != 1)}")
        lines.append(f"  {a + ' (A)':{width}s} {_fmt(r['a'], scale):>14s}")
        for g in doc["differing_groups"]:
            iv = r["intervals"][g]
            ci = f"  [{_fmt(iv[0], scale, True)}, {_fmt(iv[1], scale, True)}]" if iv else ""
            lines.append(f"  {'+ ' + titles[g]:{width}s} {_fmt(r['groups'][g], scale, True):>14s}{ci}")
        iv = r["total_interval"]
        ci = f"  [{_fmt(iv[0], scale, True)}, {_fmt(iv[1], scale, True)}]" if iv else ""
        lines.append(f"  {'= total B - A':{width}s} {_fmt(r['total'], scale, True):>14s}{ci}")
        lines.append(f"  {b + ' (B)':{width}s} {_fmt(r['b'], scale):>14s}")
        lines.append("")
    same = [titles[g] for g in doc["groups"] if g not in doc["differing_groups"] and g != "run"]
    if same:
        lines.append(f"No parameter differs in: {', '.join(same)} (each gets exactly 0).")
    for name, info in doc["inert"].items():
        lines.append(f"'{name}' differs ({info['a']} / {info['b']}) but is inert here: {info['why']}.")
    if n > 1:
        lines.append("Brackets: " + INTERVAL + ".")
    return "\n".join(lines)


def measure_names(given: Sequence[str] | None) -> list[str]:
    """The measures to decompose: the headline ones, or those asked for (checked against the outputs)."""
    if not given:
        return list(MEASURES)
    from hls_sim.sweep.outputs import available, undefined_in_probe

    names = [k for k, n in available()[0].items() if n == 0] + list(undefined_in_probe())
    out: list[str] = []
    for m in given:
        if m not in names:
            from hls_sim.params import suggest

            raise UsageError(
                f"--measure {m!r} is not a scalar output of the model{suggest(m, names)}; allowed are "
                f"{', '.join(names[:8])}, ... (see `hls-sim run` summary.json)"
            )
        if m not in out:
            out.append(m)
    return out
