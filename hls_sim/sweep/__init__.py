"""Experiments at scale: parameter sweeps, sensitivity designs, resumable results, Dask.

from hls_sim.sweep import load_experiment, make_plan, run_sweep, load_results
plan = make_plan(load_experiment("campbell_law"))
run_sweep(plan, Path("results/campbell"), workers=2)
load_results("results/campbell").filter(pl.col("metric") == "campbell_gap").collect()
"""

from hls_sim.sweep.experiment import Experiment, load_experiment, parse_experiment
from hls_sim.sweep.plan import Plan, PlannedPoint, SweepPlan, build_plan, make_plan
from hls_sim.sweep.runner import SweepReport, load_results, run_plan, run_sweep
from hls_sim.sweep.task import RunTask, run_one, run_seed

__all__ = [
    "Experiment",
    "Plan",
    "PlannedPoint",
    "RunTask",
    "SweepPlan",
    "SweepReport",
    "build_plan",
    "load_experiment",
    "load_results",
    "make_plan",
    "parse_experiment",
    "run_one",
    "run_plan",
    "run_seed",
    "run_sweep",
]
