"""The plan of a sweep: every run it will do, with its point, replicate, seed and parameters.

The plan is rebuilt from the experiment file whenever it is needed (start, resume, analysis),
never stored run by run; its hash in the manifest proves that a resumed sweep or a later analysis
is looking at the same runs as the one that started.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from hls_sim.params import resolve
from hls_sim.sweep.designs import DesignPoints, build_design
from hls_sim.sweep.experiment import Experiment
from hls_sim.sweep.outputs import Selection, check_analysis_metrics, coord_dtype, select
from hls_sim.sweep.task import RunTask, run_seed


@dataclass(frozen=True)
class Plan:
    experiment: Experiment
    design: DesignPoints
    selection: Selection
    analysis_metrics: tuple[str, ...]
    tasks: list[RunTask]
    point_params: list[dict[str, Any]]  # fully resolved parameters of each point
    hash: str

    @property
    def n_runs(self) -> int:
        return len(self.tasks)

    def points_table(self) -> pl.DataFrame:
        """One row per point: its coordinates and its fully resolved parameters (as JSON)."""
        cols: dict[str, pl.Series] = {"point": pl.Series("point", [p.index for p in self.design.points], pl.Int64)}
        for c in self.design.columns:
            cols[c] = pl.Series(c, [p.coords[c] for p in self.design.points], dtype=coord_dtype(c))
        cols["parameters"] = pl.Series(
            "parameters", [json.dumps(p, sort_keys=True) for p in self.point_params], dtype=pl.String
        )
        return pl.DataFrame(cols)


def make_plan(exp: Experiment) -> Plan:
    """Validate everything that depends on the design and lay out every run (raises ParameterError)."""
    design = build_design(exp)
    sel = select(exp.outputs, source=exp.source)
    metrics = check_analysis_metrics(exp, sel)
    tasks: list[RunTask] = []
    point_params: list[dict[str, Any]] = []
    for pt in design.points:
        over = {**exp.base, **pt.overrides}
        params = resolve(over, source=exp.source)
        params.pop("seed", None)
        point_params.append(params)
        for r in range(exp.replicates):
            seed = run_seed(exp.seed, pt.index, r, common=exp.common_random_numbers)
            tasks.append(RunTask(pt.index * exp.replicates + r, pt.index, r, seed, over, pt.coords, sel))
    digest = hashlib.sha256()
    digest.update(json.dumps([sel.summary, sel.weekly, sel.every, list(design.columns)]).encode())
    for pt, params in zip(design.points, point_params, strict=True):
        digest.update(json.dumps([pt.index, pt.coords, params], sort_keys=True).encode())
    digest.update(json.dumps([(t.run_id, t.seed) for t in tasks]).encode())
    return Plan(exp, design, sel, metrics, tasks, point_params, digest.hexdigest())
