"""A robustness study as two plans for the one run engine, and the files it leaves behind.

Stage 1, the screen (`screen/`): Morris trajectories over random groups of every uncertain
parameter, both arms at every point on the study's first seed. Stage 2, the sets (`sets/`): a
Latin hypercube over the parameters the screen carried forward, both arms on every seed in every
set (the same seeds everywhere: common random numbers, so a set's arms, and two sets, differ only
by what was changed). Each stage is an engine plan run into its own resumable store, so a study
stopped at any point resumes with `--resume` and neither loses nor repeats a run; the second plan
is rebuilt from the first stage's results, which are the same whatever the number of workers.

Files at the top of the folder:

    manifest.json      kind, inputs, status and timings (the only file that records when and how fast)
    robustness.json    everything the study found: rule, ranges, screen, sets, shares, sensitivities,
                       boxes, seeds, the resolved parameters of A and B, the package version
    sets.parquet       one row per parameter set and measure: the carried parameters' values, A's
                       and B's values (mean over seeds), B - A and the winner
    runs.parquet       one row per run of the sets stage: set, label, seed and every scalar output
    screen.parquet     one row per parameter (and ghost): its screen score on each measure
    report.html        the page (`hls_sim.robustness.report`)
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hls_sim.robustness.analysis import (
    MEASURE_NAMES,
    MEASURES,
    SIGNIFICANCE,
    MeasureResult,
    ScreenResult,
    analyse_measure,
    deciders,
    screen_scores,
)
from hls_sim.robustness.design import DELTA, LEVELS, ScreenDesign, latin_hypercube, screen_design
from hls_sim.robustness.prim import DENSITY, MASS_MIN, PEEL_ALPHA, Box
from hls_sim.robustness.uncertain import RULE, Held, Uncertain
from hls_sim.version import __version__

KIND = "robustness"
FORMAT = "hls_sim.robustness/1"
SCREEN_DIR = "screen"
SETS_DIR = "sets"
RESULT_JSON = "robustness.json"
SETS_TABLE = "sets.parquet"
RUNS_TABLE = "runs.parquet"
SCREEN_TABLE = "screen.parquet"
MANIFEST = "manifest.json"

SCREEN_MIN = 8  # with this few uncertain parameters every one is carried and the screen is skipped
DEFAULT_TRAJECTORIES = 4
DEFAULT_GROUPS = 16
SAMPLES_PER_PARAMETER = 10
MIN_SAMPLES = 50
DEFAULT_SEEDS = 2
GHOSTS_PER_PARAMETER = 4  # with four ghosts per parameter, a parameter that does not matter enters the
# screen's selection before the first ghost one time in five, so about a quarter of one is let in per measure


@dataclass
class Study:
    """Everything that defines a study (and so its two plans), checked before anything runs."""

    arms: dict[str, dict[str, Any]]  # label -> overrides without the seed; A first, then B
    notes: dict[str, dict[str, Any]]  # label -> what it is (scenario description or regime)
    seed: int
    seeds: list[int]  # the run seeds of every set (the screen uses the first)
    uncertain: list[Uncertain]
    held: list[Held]
    trajectories: int = DEFAULT_TRAJECTORIES
    groups: int = DEFAULT_GROUPS
    samples: int | None = None  # None: the default for the number of parameters carried
    ranges_file: str | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.arms)

    @property
    def screened(self) -> bool:
        return self.trajectories > 0 and len(self.uncertain) > SCREEN_MIN

    @property
    def ghosts(self) -> int:
        return GHOSTS_PER_PARAMETER * len(self.uncertain)

    def screen_runs(self) -> int:
        if not self.screened:
            return 0
        return self.trajectories * (min(self.groups, len(self.uncertain)) + 1) * len(self.arms)

    def n_sets(self, n_carried: int) -> int:
        return self.samples if self.samples is not None else default_samples(n_carried)


def default_samples(n_carried: int) -> int:
    """Ten sets per parameter carried (enough for a rank regression and stable shares), at least 50."""
    return max(MIN_SAMPLES, SAMPLES_PER_PARAMETER * n_carried)


@dataclass
class StudyResult:
    study: Study
    design: ScreenDesign | None
    screen: ScreenResult | None
    carried: list[Uncertain]
    unit: np.ndarray  # (n_sets, n_carried) the Latin hypercube on the unit cube
    values: list[dict[str, Any]]  # each set's parameter values
    measures: list[MeasureResult]
    usable: np.ndarray  # indices of sets whose runs all finished
    failed_runs: int
    seconds: dict[str, float] = field(default_factory=dict)
    runs: int = 0


# ---------------------------------------------------------------------------- plans


def _selection(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from hls_sim.sweep.outputs import Selection

    return Selection(names, (), 1)


def every_scalar() -> tuple[str, ...]:
    from hls_sim.sweep.outputs import available, undefined_in_probe

    names = [k for k, n in available()[0].items() if n == 0] + list(undefined_in_probe())
    return tuple(dict.fromkeys([*MEASURE_NAMES, *names]))


def _about(study: Study, stage: str) -> dict[str, Any]:
    return {
        "stage": stage,
        "labels": study.labels,
        "seed": study.seed,
        "seeds": study.seeds,
        "seed_rule": "every set and both arms run on the same seeds (common random numbers)",
    }


def screen_plan(study: Study):  # type: ignore[no-untyped-def]
    """The screen's design and its engine plan (None when the study is not screened)."""
    from hls_sim.sweep.plan import PlannedPoint, build_plan

    if not study.screened:
        return None, None
    design = screen_design(
        len(study.uncertain),
        trajectories=study.trajectories,
        groups=study.groups,
        n_ghosts=study.ghosts,
        seed=study.seed,
    )
    sel = _selection(MEASURE_NAMES)
    points = []
    for j, row in enumerate(design.points):
        values = {u.name: u.value(x) for u, x in zip(study.uncertain, row, strict=True)}
        for label, over in study.arms.items():
            points.append(
                PlannedPoint(
                    {"set": j, "label": label},
                    {**over, **values},
                    (study.seeds[0],),
                    selection=sel,
                    where=f"screen point {j} of '{label}'",
                )
            )
    return design, build_plan("robustness_screen", points, source="robustness", about=_about(study, "screen"))


def sets_design(study: Study, carried: list[Uncertain]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    n = study.n_sets(len(carried))
    unit = latin_hypercube(len(carried), n, seed=study.seed)
    values = [{u.name: u.value(x) for u, x in zip(carried, row, strict=True)} for row in unit]
    return unit, values


def sets_plan(study: Study, values: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    from hls_sim.sweep.plan import PlannedPoint, build_plan

    sel = _selection(every_scalar())
    points = []
    for j, v in enumerate(values):
        for label, over in study.arms.items():
            points.append(
                PlannedPoint(
                    {"set": j, "label": label},
                    {**over, **v},
                    tuple(study.seeds),
                    selection=sel,
                    where=f"parameter set {j} of '{label}'",
                )
            )
    return build_plan("robustness_sets", points, source="robustness", about=_about(study, "sets"))


# ---------------------------------------------------------------------------- reading runs


def _arm_arrays(
    results: pl.LazyFrame, n_points: int, labels: list[str], seeds: list[int], metrics: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """label -> (n_points, n_seeds, n_metrics) from the long table; NaN where undefined or missing."""
    rows = (
        results.filter((pl.col("scope") == "summary") & pl.col("metric").is_in(list(metrics)))
        .select("set", "label", "seed", "metric", "value")
        .collect()
    )
    out = {label: np.full((n_points, len(seeds), len(metrics)), np.nan) for label in labels}
    s_index = {s: i for i, s in enumerate(seeds)}
    m_index = {m: i for i, m in enumerate(metrics)}
    for set_, label, seed, metric, value in rows.iter_rows():
        if value is not None:
            out[label][set_, s_index[seed], m_index[metric]] = value
    return out


def _ran(results: pl.LazyFrame, n_points: int, labels: list[str], n_seeds: int) -> np.ndarray:
    """(n_points,) True where every run of both arms finished."""
    got = results.select("set", "label", "seed").unique().group_by("set").len().collect()
    done = np.zeros(n_points, dtype=bool)
    for set_, n in got.iter_rows():
        done[set_] = n == len(labels) * n_seeds
    return done


# ---------------------------------------------------------------------------- the study


Runner = Callable[[Any, Path, bool], Any]  # (plan, folder, resume) -> SweepReport


def run_study(study: Study, folder: Path, *, run: Runner, resume: bool = False, note: Callable[[str], None] = print):
    """Run (or finish) both stages into `folder` and analyse them; nothing is written at the top here."""
    import time

    from hls_sim.sweep.runner import load_results

    t0 = time.monotonic()
    seconds: dict[str, float] = {}
    design, plan = screen_plan(study)
    runs = 0
    screen: ScreenResult | None = None
    if plan is not None:
        note(
            f"screen: {study.trajectories} trajectories over {design.groups} groups of {len(study.uncertain)} "
            f"uncertain parameters, {plan.n_runs} runs"
        )
        sub = folder / SCREEN_DIR
        report = run(plan, sub, resume and (sub / MANIFEST).is_file())
        runs += plan.n_runs
        arrays = _arm_arrays(load_results(sub), design.n_points, study.labels, study.seeds[:1], MEASURE_NAMES)
        a, b = (arrays[label][:, 0, :] for label in study.labels)
        screen = screen_scores(design, b - a)
        carried = [study.uncertain[i] for i in screen.carried]
        seconds["screen"] = time.monotonic() - t0
        if report.failed:
            note(f"screen: {report.failed} runs failed (their effects are left out); see {sub / 'failures'}/")
    else:
        carried = list(study.uncertain)
    unit, values = sets_design(study, carried)
    plan = sets_plan(study, values)
    note(
        f"sets: {len(values)} parameter sets over {len(carried)} assumptions x {len(study.seeds)} seeds x "
        f"{len(study.arms)} arms, {plan.n_runs} runs"
    )
    t1 = time.monotonic()
    sub = folder / SETS_DIR
    report = run(plan, sub, resume and (sub / MANIFEST).is_file())
    runs += plan.n_runs
    seconds["sets"] = time.monotonic() - t1
    results = load_results(sub)
    done = _ran(results, len(values), study.labels, len(study.seeds))
    usable = np.flatnonzero(done)
    arrays = _arm_arrays(results, len(values), study.labels, study.seeds, MEASURE_NAMES)
    X = np.array([[v[u.name] for u in carried] for v in values], dtype=float).reshape(len(values), len(carried))
    A, B = (arrays[label] for label in study.labels)
    measures = [analyse_measure(m, X[usable], A[usable, :, k], B[usable, :, k]) for k, m in enumerate(MEASURES)]
    seconds["total"] = time.monotonic() - t0
    return StudyResult(study, design, screen, carried, unit, values, measures, usable, report.failed, seconds, runs)


# ---------------------------------------------------------------------------- outputs


def _num(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def box_dict(box: Box | None, names: list[str]) -> dict[str, Any] | None:
    if box is None:
        return None
    return {
        "restrictions": [
            {"parameter": names[j], "low": _num(lo), "high": _num(hi), "quasi_p": _num(box.p_values.get(j))}
            for j, (lo, hi) in sorted(box.limits.items())
        ],
        "sets_in_box": box.n,
        "wins_in_box": box.hits,
        "coverage": _num(box.coverage),
        "density": _num(box.density),
        "mass": _num(box.mass),
    }


def _quantiles(x: np.ndarray) -> dict[str, Any]:
    x = x[np.isfinite(x)]
    if not x.size:
        return {"mean": None, "median": None, "p05": None, "p95": None}
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": _num(x.mean()), "median": _num(q[1]), "p05": _num(q[0]), "p95": _num(q[2])}


def measure_dict(r: MeasureResult, names: list[str], labels: list[str]) -> dict[str, Any]:
    s = r.sensitivity
    a_label, b_label = labels
    decided = r.decided
    sens = []
    for j in sorted(range(len(names)), key=lambda j: (-abs(s.rho[j]), j)):
        sens.append(
            {
                "parameter": names[j],
                "rho": _num(s.rho[j]),
                "p": _num(s.p[j]),
                "p_holm": _num(s.p_holm[j]),
                "srrc": None if s.srrc is None else _num(s.srrc[j]),
                "favours": (b_label if s.rho[j] > 0 else a_label) if s.p_holm[j] < SIGNIFICANCE else None,
            }
        )
    return {
        "direction": r.measure.direction,
        "wins": {a_label: r.count("A"), b_label: r.count("B"), "tie": r.count("tie")},
        "share_percent": {
            a_label: _num(100.0 * r.share("A")),
            b_label: _num(100.0 * r.share("B")),
            "tie": _num(100.0 * r.share("tie")),
        },
        "sets_decided": decided,
        "sets_undefined": int((r.winner == "undefined").sum()),
        "sets_where_seeds_disagree": r.seed_split,
        "b_minus_a": _quantiles(r.b - r.a),
        "sensitivity": sens,
        "rank_regression_r2": _num(s.r2),
        "deciders": deciders(r, names),
        "boxes": {a_label: box_dict(r.boxes.get("A"), names), b_label: box_dict(r.boxes.get("B"), names)},
    }


def result_dict(res: StudyResult, parameters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """robustness.json: deterministic (no dates, no timings), so two runs of one study compare byte for byte."""
    st = res.study
    names = [u.name for u in res.carried]
    labels = st.labels
    screen = None
    if res.screen is not None and res.design is not None:
        sc = res.screen
        strength = sc.strength
        rows = []
        for i in sorted(range(len(st.uncertain)), key=lambda i: (-strength[i], -float(sc.marginal[i].max()), i)):
            rows.append(
                {
                    "parameter": st.uncertain[i].name,
                    "strength": _num(strength[i]),
                    "effect": {m: _num(sc.effect[i, k]) for k, m in enumerate(MEASURE_NAMES)},
                    "bend": {m: _num(sc.bend[i, k]) for k, m in enumerate(MEASURE_NAMES)},
                    "marginal": {m: _num(sc.marginal[i, k]) for k, m in enumerate(MEASURE_NAMES)},
                    "carried": i in sc.carried,
                }
            )
        screen = {
            "method": "Morris elementary effects on groups (Campolongo et al. 2007), groups drawn afresh for each "
            "trajectory with ghost factors dealt in; the group effects read as a supersaturated design by forward "
            "selection, stopped when a ghost would come next",
            "levels": LEVELS,
            "delta": DELTA,
            "trajectories": res.design.trajectories,
            "groups": res.design.groups,
            "ghosts": res.design.n_ghosts,
            "points": res.design.n_points,
            "runs": res.design.n_points * len(labels),
            "seed": st.seeds[0],
            "elementary_effects": sc.effects,
            "typical_effect": {m: _num(sc.scale[k]) for k, m in enumerate(MEASURE_NAMES)},
            "selected": {
                m: {"order": [st.uncertain[i].name for i in sc.order[k]], "stopped": sc.stop[k]}
                for k, m in enumerate(MEASURE_NAMES)
            },
            "found": sc.found,
            "carried": names,
            "parameters": rows,
        }
    n_sets = len(res.values)
    how = (
        f"given with --samples ({st.samples})"
        if st.samples is not None
        else f"default: {SAMPLES_PER_PARAMETER} per parameter carried, at least {MIN_SAMPLES}"
    )
    return {
        "format": FORMAT,
        "hls_sim_version": __version__,
        "labels": {"A": labels[0], "B": labels[1]},
        "arms": st.notes,
        "parameters": parameters,
        "overrides": st.arms,
        "seed": st.seed,
        "seeds": st.seeds,
        "seed_rule": "every set and both arms run on the same seeds; the designs draw from "
        "numpy SeedSequence(seed, spawn_key=(1,)) for the screen and (2,) for the sets",
        "rule": RULE,
        "ranges_file": st.ranges_file,
        "uncertain": [u.as_dict() for u in st.uncertain],
        "held": [{"parameter": h.name, "reason": h.reason} for h in st.held],
        "screen": screen,
        "sets": {
            "n": n_sets,
            "how_chosen": how,
            "design": "scrambled Latin hypercube on the unit cube (scipy.stats.qmc, centred-discrepancy optimised), "
            "mapped into each parameter's range",
            "parameters": names,
            "others": "every other uncertain parameter stays at its default",
            "runs": n_sets * len(labels) * len(st.seeds),
            "usable": len(res.usable),
            "failed_runs": res.failed_runs,
            "values": [{k: _num(v) for k, v in s.items()} for s in res.values],
        },
        "prim": {"peel_alpha": PEEL_ALPHA, "mass_min": MASS_MIN, "density": DENSITY},
        "measures": {r.measure.name: measure_dict(r, names, labels) for r in res.measures},
    }


def sets_table(res: StudyResult) -> pl.DataFrame:
    labels = res.study.labels
    names = [u.name for u in res.carried]
    rows: dict[str, list[Any]] = {"set": [], **{n: [] for n in names}, "measure": [], "A": [], "B": []}
    rows.update({"b_minus_a": [], "winner": []})
    for r in res.measures:
        for i, set_ in enumerate(res.usable):
            rows["set"].append(int(set_))
            for n in names:
                rows[n].append(float(res.values[set_][n]))
            rows["measure"].append(r.measure.name)
            a, b = float(r.a[i]), float(r.b[i])
            rows["A"].append(a if math.isfinite(a) else None)
            rows["B"].append(b if math.isfinite(b) else None)
            rows["b_minus_a"].append(b - a if math.isfinite(a) and math.isfinite(b) else None)
            w = str(r.winner[i])
            rows["winner"].append({"A": labels[0], "B": labels[1]}.get(w, w))
    schema = {"set": pl.Int64, **{n: pl.Float64 for n in names}, "measure": pl.String, "A": pl.Float64}
    schema.update({"B": pl.Float64, "b_minus_a": pl.Float64, "winner": pl.String})
    return pl.DataFrame(rows, schema=schema)


def runs_table(folder: Path) -> pl.DataFrame:
    from hls_sim.sweep.runner import load_results

    rows = (
        load_results(folder / SETS_DIR)
        .filter(pl.col("scope") == "summary")
        .select("run_id", "set", "label", "seed", "metric", "value")
        .collect()
    )
    wide = rows.pivot(on="metric", index=["run_id", "set", "label", "seed"], values="value").sort("run_id")
    return wide.drop("run_id")


def screen_table(res: StudyResult) -> pl.DataFrame | None:
    """One row per uncertain parameter: its fitted screen effect on each measure (0 if not selected),
    its marginal evidence (before selection, in typical effects) and whether it was carried."""
    if res.screen is None:
        return None
    sc = res.screen
    n_real = len(res.study.uncertain)
    data: dict[str, Any] = {
        "parameter": [u.name for u in res.study.uncertain],
        "strength": [float(x) for x in sc.strength],
        "carried": [i in sc.carried for i in range(n_real)],
    }
    for k, m in enumerate(MEASURE_NAMES):
        data[f"effect:{m}"] = [float(x) for x in sc.effect[:, k]]
    for k, m in enumerate(MEASURE_NAMES):
        data[f"bend:{m}"] = [float(x) for x in sc.bend[:, k]]
    for k, m in enumerate(MEASURE_NAMES):
        data[f"marginal:{m}"] = [float(x) for x in sc.marginal[:n_real, k]]
    return pl.DataFrame(data)


def write_outputs(folder: Path, res: StudyResult, parameters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """robustness.json and the tables, each written whole (atomic) or not at all."""
    from hls_sim.atomic import atomic_write_json, atomic_write_parquet

    data = result_dict(res, parameters)
    atomic_write_parquet(folder / SETS_TABLE, sets_table(res))
    atomic_write_parquet(folder / RUNS_TABLE, runs_table(folder))
    screen = screen_table(res)
    if screen is not None:
        atomic_write_parquet(folder / SCREEN_TABLE, screen)
    atomic_write_json(folder / RESULT_JSON, data)
    return data


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")
