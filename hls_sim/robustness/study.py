"""A robustness study as two plans for the one run engine, and the files it leaves behind.

Stage 1, the screen (`screen/`): a Latin hypercube over every uncertain parameter (plus ghost
columns the model never sees), both arms in every set on the study's first seed; the parameters
whose rank correlation with B - A beats every ghost's are carried into the analysis. Stage 2, the
sets (`sets/`): a fresh Latin hypercube over every uncertain parameter again (so the shares are
over all of the uncertainty, not only the part the screen picked out), both arms on every seed in
every set; the same seeds everywhere (common random numbers), so two arms, and two sets, differ
only by what was changed. The screen chooses and the sets test: the deciders, rank regression and
PRIM boxes are computed on the carried parameters over data the choice was not made on.

Each stage is an engine plan run into its own resumable store, so a study stopped at any point
resumes with `--resume` and neither loses nor repeats a run; the second plan depends on the
first stage only through its size (the number of parameters carried), which is the same whatever
the number of workers.

Files at the top of the folder:

    manifest.json      kind, inputs, status and timings (the only file that records when and how fast)
    robustness.json    everything the study found: rule, ranges, screen, sets, shares, sensitivities,
                       boxes, seeds, the resolved parameters of A and B, the package version
    sets.parquet       one row per parameter set and measure: every uncertain parameter's value, A's
                       and B's values (mean over seeds), B - A and the winner
    runs.parquet       one row per run of the sets stage: set, label, seed and every scalar output
    screen.parquet     one row per uncertain parameter: its rank correlation with B - A on each measure
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
from hls_sim.robustness.design import SCREEN_STREAM, SETS_STREAM, latin_hypercube
from hls_sim.robustness.prim import DENSITY, MASS_MIN, PEEL_ALPHA, Box
from hls_sim.robustness.sizes import GHOSTS_PER_PARAMETER, MIN_SAMPLES, MIN_SCREEN, SAMPLES_PER_PARAMETER, SCREEN_MIN
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


def default_screen(n_uncertain: int) -> int:
    """Half as many screen sets as parameters, at least 40: a rank correlation of about 0.4 then beats
    the ghosts, and the screen costs about as much as a quick look at the sets."""
    return max(MIN_SCREEN, math.ceil(n_uncertain / 2))


@dataclass
class Study:
    """Everything that defines a study (and so its two plans), checked before anything runs."""

    arms: dict[str, dict[str, Any]]  # label -> overrides without the seed; A first, then B
    notes: dict[str, dict[str, Any]]  # label -> what it is (scenario description or regime)
    seed: int
    seeds: list[int]  # the run seeds of every set (the screen uses the first)
    uncertain: list[Uncertain]
    held: list[Held]
    screen_sets: int | None = None  # None: the default for the number of parameters; 0: no screen
    samples: int | None = None  # None: the default for the number of parameters carried
    ranges_file: str | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.arms)

    @property
    def n_screen(self) -> int:
        if len(self.uncertain) <= SCREEN_MIN:
            return 0
        return default_screen(len(self.uncertain)) if self.screen_sets is None else self.screen_sets

    @property
    def ghosts(self) -> int:
        return GHOSTS_PER_PARAMETER * len(self.uncertain)

    def n_sets(self, n_carried: int) -> int:
        return self.samples if self.samples is not None else default_samples(n_carried)


def inputs_hash(study: Study) -> str:
    """What the study was started with, so a resume with other inputs is refused before any stage."""
    import hashlib
    import json

    key = {
        "version": __version__,
        "arms": study.arms,
        "seed": study.seed,
        "seeds": study.seeds,
        "uncertain": [u.as_dict() for u in study.uncertain],
        "screen_sets": study.n_screen,
        "samples": study.samples,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def default_samples(n_carried: int) -> int:
    """Ten sets per parameter carried (enough for a rank regression and stable shares), at least 50."""
    return max(MIN_SAMPLES, SAMPLES_PER_PARAMETER * n_carried)


@dataclass
class StudyResult:
    study: Study
    screen: ScreenResult | None
    carried: list[int]  # indices into study.uncertain
    values: list[dict[str, Any]]  # each set's value of every uncertain parameter
    measures: list[MeasureResult]
    usable: np.ndarray  # indices of sets whose runs all finished
    failed_runs: int
    seconds: dict[str, float] = field(default_factory=dict)
    runs: int = 0
    screen_failed: int = 0


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


def _points(study: Study, values: list[dict[str, Any]], seeds: list[int], sel, what: str) -> list:  # type: ignore[no-untyped-def]
    from hls_sim.sweep.plan import PlannedPoint

    points = []
    for j, v in enumerate(values):
        for label, over in study.arms.items():
            points.append(
                PlannedPoint(
                    {"set": j, "label": label},
                    {**over, **v},
                    tuple(seeds),
                    selection=sel,
                    where=f"{what} {j} of '{label}'",
                )
            )
    return points


def _values(study: Study, unit: np.ndarray) -> list[dict[str, Any]]:
    return [{u.name: u.value(x) for u, x in zip(study.uncertain, row, strict=False)} for row in unit]


def screen_plan(study: Study):  # type: ignore[no-untyped-def]
    """The screen's unit design (parameters, then ghosts) and its engine plan; (None, None) without a screen."""
    from hls_sim.sweep.plan import build_plan

    if not study.n_screen:
        return None, None
    unit = latin_hypercube(len(study.uncertain) + study.ghosts, study.n_screen, seed=study.seed, stream=SCREEN_STREAM)
    points = _points(study, _values(study, unit), study.seeds[:1], _selection(MEASURE_NAMES), "screen set")
    return unit, build_plan("robustness_screen", points, source="robustness", about=_about(study, "screen"))


def sets_plan(study: Study, n_carried: int):  # type: ignore[no-untyped-def]
    """Every set's values of every uncertain parameter and the engine plan that runs them."""
    from hls_sim.sweep.plan import build_plan

    unit = latin_hypercube(len(study.uncertain), study.n_sets(n_carried), seed=study.seed, stream=SETS_STREAM)
    values = _values(study, unit)
    points = _points(study, values, study.seeds, _selection(every_scalar()), "parameter set")
    return values, build_plan("robustness_sets", points, source="robustness", about=_about(study, "sets"))


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
    unit, plan = screen_plan(study)
    runs = 0
    screen: ScreenResult | None = None
    screen_failed = 0
    k = len(study.uncertain)
    if plan is not None:
        note(
            f"screen: {study.n_screen} sets over all {k} uncertain parameters (and {study.ghosts} ghosts: "
            "dummy parameters that change nothing, the yardstick for chance), "
            f"1 seed x {len(study.arms)} arms, {plan.n_runs} runs"
        )
        sub = folder / SCREEN_DIR
        report = run(plan, sub, resume and (sub / MANIFEST).is_file())
        runs += plan.n_runs
        screen_failed = report.failed
        arrays = _arm_arrays(load_results(sub), study.n_screen, study.labels, study.seeds[:1], MEASURE_NAMES)
        a, b = (arrays[label][:, 0, :] for label in study.labels)
        screen = screen_scores(unit, b - a, k)
        carried = list(screen.carried)
        seconds["screen"] = time.monotonic() - t0
        if report.failed:
            note(f"screen: {report.failed} runs failed (those sets are left out); see {sub / 'failures'}/")
    else:
        carried = list(range(k))
    values, plan = sets_plan(study, len(carried))
    note(
        f"sets: {len(values)} sets over all {k} uncertain parameters ({len(carried)} carried into the analysis) "
        f"x {len(study.seeds)} seeds x {len(study.arms)} arms, {plan.n_runs} runs"
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
    X_all = np.array([[v[u.name] for u in study.uncertain] for v in values], dtype=float)[usable]
    X = X_all[:, carried]
    A, B = (arrays[label][usable] for label in study.labels)
    measures = [analyse_measure(m, X, A[:, :, j], B[:, :, j], X_all) for j, m in enumerate(MEASURES)]
    seconds["total"] = time.monotonic() - t0
    return StudyResult(study, screen, carried, values, measures, usable, report.failed, seconds, runs, screen_failed)


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


def measure_dict(r: MeasureResult, names: list[str], labels: list[str], every: list[str]) -> dict[str, Any]:
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
        "rho_every_parameter": {
            every[j]: _num(r.rho_all[j]) for j in sorted(range(len(every)), key=lambda j: (-abs(r.rho_all[j]), j))
        },
        "deciders": deciders(r, names),
        "boxes": {a_label: box_dict(r.boxes.get("A"), names), b_label: box_dict(r.boxes.get("B"), names)},
    }


def result_dict(res: StudyResult, parameters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """robustness.json: deterministic (no dates, no timings), so two runs of one study compare byte for byte."""
    st = res.study
    every = [u.name for u in st.uncertain]
    names = [every[i] for i in res.carried]
    labels = st.labels
    screen = None
    if res.screen is not None:
        sc = res.screen
        rows = []
        for i in sorted(range(len(every)), key=lambda i: (-sc.strength[i], i)):
            rows.append(
                {
                    "parameter": every[i],
                    "strength": _num(sc.strength[i]),
                    "rho": {m: _num(sc.rho[i, k]) for k, m in enumerate(MEASURE_NAMES)},
                    "carried": i in sc.carried,
                }
            )
        screen = {
            "method": "rank correlation of B - A with every uncertain parameter over a Latin hypercube of all of "
            "them, against ghost columns the model never sees; a parameter is carried if on some measure its "
            "|rho| beats every ghost's",
            "sets": st.n_screen,
            "seed": st.seeds[0],
            "ghosts": st.ghosts,
            "runs": st.n_screen * len(labels),
            "failed_runs": res.screen_failed,
            "sets_defined": {m: int(sc.n[k]) for k, m in enumerate(MEASURE_NAMES)},
            "ghost_threshold": {m: _num(sc.threshold[k]) for k, m in enumerate(MEASURE_NAMES)},
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
            "design": "scrambled Latin hypercube over every uncertain parameter (scipy.stats.qmc), mapped into "
            "each parameter's range",
            "parameters": names,
            "analysis": "shares over every set; rank correlations, Holm's correction, rank regression and PRIM "
            "boxes over the parameters carried from the screen",
            "runs": n_sets * len(labels) * len(st.seeds),
            "usable": len(res.usable),
            "failed_runs": res.failed_runs,
            "values": [{k: _num(v) for k, v in s.items()} for s in res.values],  # every set, every uncertain parameter
        },
        "prim": {"peel_alpha": PEEL_ALPHA, "mass_min": MASS_MIN, "density": DENSITY},
        "measures": {r.measure.name: measure_dict(r, names, labels, every) for r in res.measures},
    }


def sets_table(res: StudyResult) -> pl.DataFrame:
    """One row per set and measure: every uncertain parameter's value, A, B, B - A and the winner."""
    labels = res.study.labels
    names = [u.name for u in res.study.uncertain]
    rows: dict[str, list[Any]] = {"set": [], "measure": [], "A": [], "B": [], "b_minus_a": [], "winner": []}
    rows.update({n: [] for n in names})
    for r in res.measures:
        for i, set_ in enumerate(res.usable):
            rows["set"].append(int(set_))
            rows["measure"].append(r.measure.name)
            a, b = float(r.a[i]), float(r.b[i])
            rows["A"].append(a if math.isfinite(a) else None)
            rows["B"].append(b if math.isfinite(b) else None)
            rows["b_minus_a"].append(b - a if math.isfinite(a) and math.isfinite(b) else None)
            w = str(r.winner[i])
            rows["winner"].append({"A": labels[0], "B": labels[1]}.get(w, w))
            for n in names:
                rows[n].append(float(res.values[set_][n]))
    schema = {"set": pl.Int64, "measure": pl.String, "A": pl.Float64, "B": pl.Float64, "b_minus_a": pl.Float64}
    schema.update({"winner": pl.String, **{n: pl.Float64 for n in names}})
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
    """One row per uncertain parameter: its rank correlation with B - A on each measure in the screen,
    its strength (the largest |rho| / the best ghost's) and whether it was carried."""
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
        data[f"rho:{m}"] = [float(x) for x in sc.rho[:n_real, k]]
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
