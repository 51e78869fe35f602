"""Experimental designs: from an experiment's factors to an ordered list of points.

The order of points is part of the result (a point's index feeds its seeds), so every design
is a pure function of the experiment file and its master seed: the same file gives the same
points on any machine with the same library versions, and the plan hash in the manifest
catches the rare case where a library changes its sampler.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hls_sim.errors import InputError
from hls_sim.params import LEVERS, PARAMS, resolve
from hls_sim.sweep.experiment import Experiment, Factor, grid_levels

# Entropy word that separates the sampler's stream from every run's stream.
DESIGN_STREAM = 0x5EED


@dataclass(frozen=True)
class Point:
    index: int
    coords: dict[str, Any]  # the columns this point shows in the results table
    overrides: dict[str, Any]  # what the point sets on top of the base scenario


@dataclass(frozen=True)
class DesignPoints:
    points: list[Point]
    columns: tuple[str, ...]
    matrix: np.ndarray | None = None  # the sampler's own matrix (SALib analysis needs it unrounded)
    problem: dict[str, Any] | None = None  # SALib problem definition


def design_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, DESIGN_STREAM]))


def _from_unit(f: Factor, u: float) -> Any:
    """Map a number in [0, 1) to a factor value; integers and lists get equal-width bins."""
    if f.values is not None:
        k = len(f.values)
        return f.values[min(int(u * k), k - 1)]
    assert f.lo is not None and f.hi is not None
    if PARAMS[f.name].kind is int:
        lo, hi = int(f.lo), int(f.hi)
        return min(hi, lo + int(math.floor(u * (hi - lo + 1))))
    return float(f.lo + u * (f.hi - f.lo))


def _from_scaled(f: Factor, x: float) -> Any:
    if PARAMS[f.name].kind is int:
        return int(min(max(math.floor(x + 0.5), f.lo), f.hi))
    return float(x)


def _points_from(factors: tuple[Factor, ...], rows: list[list[Any]]) -> list[Point]:
    names = [f.name for f in factors]
    out = []
    for i, row in enumerate(rows):
        values = dict(zip(names, row, strict=True))
        out.append(Point(i, dict(values), dict(values)))
    return out


def _problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[float(f.lo), float(f.hi)] for f in factors],  # type: ignore[arg-type]
    }


def build_design(exp: Experiment) -> DesignPoints:
    """Every point of the experiment's design, in a fixed order."""
    d = exp.design
    factors = exp.factors
    columns = tuple(f.name for f in factors)
    if d.type == "grid":
        rows = [list(r) for r in itertools.product(*(grid_levels(f) for f in factors))]
        return DesignPoints(_points_from(factors, rows), columns)
    if d.type in ("lhs", "sobol"):
        from scipy.stats import qmc

        rng = design_rng(exp.seed)
        try:
            if d.type == "lhs":
                sampler = qmc.LatinHypercube(len(factors), scramble=d.scramble, strength=d.strength, rng=rng)
                unit = sampler.random(d.samples)
            else:
                sampler = qmc.Sobol(len(factors), scramble=d.scramble, rng=rng)
                unit = sampler.random_base2(int(math.log2(d.samples)))
        except ValueError as exc:
            raise InputError(exp.source, "design", f"the sampler refused these settings: {exc}") from None
        rows = [[_from_unit(f, float(u)) for f, u in zip(factors, row, strict=True)] for row in unit]
        return DesignPoints(_points_from(factors, rows), columns, matrix=unit)
    if d.type in ("morris", "salib_sobol"):
        problem = _problem(factors)
        sseed = int(np.random.SeedSequence([exp.seed, DESIGN_STREAM]).generate_state(1)[0])
        if d.type == "morris":
            from SALib.sample import morris

            x = morris.sample(problem, d.trajectories, num_levels=d.levels, seed=sseed)
        else:
            from SALib.sample import sobol

            x = sobol.sample(problem, d.samples, calc_second_order=False, seed=sseed)
        rows = [[_from_scaled(f, float(v)) for f, v in zip(factors, row, strict=True)] for row in x]
        return DesignPoints(_points_from(factors, rows), columns, matrix=x, problem=problem)
    if d.type == "path":
        return _path(exp)
    raise AssertionError(d.type)


def zero_means_off(name: str) -> bool:
    """Interval levers whose 0 switches the mechanism off, e.g. `retender_weeks` (registry doc: '(0 = ...)').

    Between 156-weekly re-tendering and none, a straight line would pass through re-tendering
    every few weeks, the fiercest competition of all; such levers switch like flags instead.
    """
    prm = PARAMS[name]
    return prm.kind is int and "(0 = " in prm.doc


def path_levers(exp: Experiment) -> list[str]:
    """Levers that differ between the path's two regimes and are not fixed by the base scenario."""
    d = exp.design
    a = resolve({"regime": d.path_from})
    b = resolve({"regime": d.path_to})
    return [k for k in LEVERS if a[k] != b[k] and k not in exp.base]


def _path(exp: Experiment) -> DesignPoints:
    """Points along a straight line in lever space; flags, categories and levers switched off by 0
    (in either regime) switch at `switch_at` (default halfway)."""
    d = exp.design
    a = resolve({"regime": d.path_from})
    b = resolve({"regime": d.path_to})
    levers = path_levers(exp)
    for key in d.switch_at:
        if key not in levers:
            raise InputError(
                exp.source,
                f"design.switch_at.{key}",
                f"'{key}' does not change between {d.path_from} and {d.path_to} (changing levers: {', '.join(levers)})",
            )
    points = []
    assert d.steps is not None
    for i in range(d.steps):
        t = i / (d.steps - 1)
        over: dict[str, Any] = {"regime": d.path_to if t >= d.switch_at.get("regime", 0.5) else d.path_from}
        for k in levers:
            prm = PARAMS[k]
            if prm.kind is float:
                over[k] = float((1.0 - t) * a[k] + t * b[k])  # exact at both ends
            elif prm.kind is int and not (zero_means_off(k) and 0 in (a[k], b[k])):
                over[k] = int(math.floor((1.0 - t) * a[k] + t * b[k] + 0.5))
            else:
                over[k] = b[k] if t >= d.switch_at.get(k, 0.5) else a[k]
        coords = {"path_t": float(t), **over}
        points.append(Point(i, coords, over))
    return DesignPoints(points, ("path_t", "regime", *levers))
