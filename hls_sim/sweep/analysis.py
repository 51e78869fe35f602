"""`hls-sim analyse`: what a finished sweep says, as tables an article can use.

Means and t-based confidence intervals per point; sensitivity indices chosen by what the design
supports (Morris elementary effects and Sobol' indices through SALib, variance shares and rank
correlations for grids, standardised regression coefficients for space-filling samples); and a
compact article table. Everything is written as CSV (for spreadsheets and papers) and parquet
(for further work in polars).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from hls_sim.atomic import atomic_write_json, atomic_write_parquet, atomic_write_text
from hls_sim.labels import output_title, output_words, param_title, value_words
from hls_sim.outdir import ANALYSIS_JSON, KIND_FILES, Target, article, check_path, claim, folder_kind
from hls_sim.sweep.plan import Plan, make_plan
from hls_sim.sweep.runner import load_results, stored_experiment
from hls_sim.sweep.store import EXPERIMENT, MANIFEST, PARTS, RESULTS, StoreError, SweepStore

HEADLINE = (
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "wellbeing_most_complex_decile",
    "total_cost_per_year",
    "cost_per_true_outcome",
)
MAIN_INDEX = {"morris": "mu_star", "salib_sobol": "ST", "grid": "eta_squared", "lhs": "src", "sobol": "src"}
ARTICLE_ROWS_SHOWN = 24
ARTICLE_METRICS_PER_TABLE = 4  # a portrait page holds the design columns and four 'mean [CI]' columns
TERMINAL_WIDTH = 100
KIND = "analysis"  # as hls_sim.outdir knows the folder
DEFAULT_DIR = "analysis"  # the sweep's own tables: SWEEP/analysis


@dataclass
class Analysis:
    folder: Path
    plan: Plan
    runs_expected: int
    runs_found: int
    point_summary: pl.DataFrame
    weekly_summary: pl.DataFrame | None
    sensitivity: pl.DataFrame | None
    article: pl.DataFrame
    headline: tuple[str, ...]
    files: list[Path] = field(default_factory=list)
    level: float = 0.95  # confidence level of the intervals

    @property
    def ci(self) -> str:
        """The intervals' level as a label: '95%', '50%', '99.9%'."""
        return level_label(self.level)


def level_label(level: float) -> str:
    return f"{level * 100:.10g}%"


# ---------------------------------------------------------------------- statistics
def _with_ci(df: pl.DataFrame, level: float) -> pl.DataFrame:
    """Add ci_low/ci_high from n, mean and sd (t distribution; the interval is the mean when n < 2)."""
    n = df["n"].to_numpy().astype(float)
    sd = df["sd"].fill_null(0.0).to_numpy()
    tq = np.where(n > 1, stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1)), 0.0)
    half = np.where(n > 1, tq * sd / np.sqrt(np.maximum(n, 1)), 0.0)
    mean = df["mean"].to_numpy()
    return df.with_columns(ci_low=pl.Series(mean - half), ci_high=pl.Series(mean + half))


def _group_stats(lf: pl.LazyFrame, keys: list[str], level: float) -> pl.DataFrame:
    finite = pl.col("value").is_finite()
    df = (
        lf.group_by(keys)
        .agg(
            n=finite.sum().cast(pl.Int64),
            n_not_finite=(~finite).sum().cast(pl.Int64),
            mean=pl.col("value").filter(finite).mean(),
            sd=pl.col("value").filter(finite).std(ddof=1),
        )
        .collect()
    )
    return _with_ci(df, level)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if np.unique(x).size < 2 or np.unique(y).size < 2:
        return math.nan
    return float(stats.spearmanr(x, y).statistic)


def _eta_squared(levels: np.ndarray, y: np.ndarray) -> float:
    """Share of the variance of y explained by the factor's levels (a grid's main-effect index)."""
    total = float(((y - y.mean()) ** 2).sum())
    if total <= 0:
        return math.nan
    between = 0.0
    for lv in np.unique(levels):
        sel = y[levels == lv]
        between += sel.size * (sel.mean() - y.mean()) ** 2
    return float(between / total)


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardised regression coefficients and the R^2 of the linear fit."""
    xs = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    if y.std() == 0:
        return np.full(x.shape[1], math.nan), math.nan
    ys = (y - y.mean()) / y.std()
    beta, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    resid = ys - xs @ beta
    return beta, float(1.0 - (resid**2).sum() / (ys**2).sum())


def _sensitivity(plan: Plan, runs: pl.DataFrame, means: pl.DataFrame, seed: int) -> pl.DataFrame | None:
    design = plan.experiment.design
    rows: list[dict[str, Any]] = []

    def add(method: str, metric: str, parameter: str, index: str, value: float) -> None:
        rows.append({"method": method, "metric": metric, "parameter": parameter, "index": index, "value": value})

    n_points = len(plan.design.points)
    factors = [f.name for f in plan.experiment.factors]
    for metric in plan.selection.summary:
        m = means.filter(pl.col("metric") == metric).sort("point")
        complete = m.height == n_points and m["mean"].is_not_null().all()
        if design.type in ("morris", "salib_sobol"):
            if not complete:
                continue  # SALib needs every point of the design
            y = m["mean"].to_numpy()
            if design.type == "morris":
                from SALib.analyze import morris

                res = morris.analyze(plan.design.problem, plan.design.matrix, y, num_levels=design.levels, seed=seed)
                keys = ("mu", "mu_star", "sigma", "mu_star_conf")
            else:
                from SALib.analyze import sobol

                res = sobol.analyze(plan.design.problem, y, calc_second_order=False, seed=seed)
                keys = ("S1", "S1_conf", "ST", "ST_conf")
            for i, name in enumerate(plan.design.problem["names"]):
                for k in keys:
                    add(design.type, metric, name, k, float(res[k][i]))
        elif design.type == "grid":
            r = runs.filter((pl.col("metric") == metric) & pl.col("value").is_finite())
            if r.height < 3:
                continue
            y = r["value"].to_numpy()
            for name in factors:
                col = r[name]
                add("grid", metric, name, "eta_squared", _eta_squared(col.to_numpy(), y))
                if col.dtype.is_numeric():
                    add("grid", metric, name, "spearman", _spearman(col.to_numpy().astype(float), y))
        elif design.type in ("lhs", "sobol"):
            mm = m.filter(pl.col("mean").is_not_null())
            numeric = [f for f in factors if mm[f].dtype.is_numeric()]
            if mm.height < len(numeric) + 2 or not numeric:
                continue
            x = np.column_stack([mm[f].to_numpy().astype(float) for f in numeric])
            y = mm["mean"].to_numpy()
            beta, r2 = _src(x, y)
            for i, name in enumerate(numeric):
                add(design.type, metric, name, "src", float(beta[i]))
                add(design.type, metric, name, "spearman", _spearman(x[:, i], y))
            add(design.type, metric, "(linear model)", "r_squared", r2)
        elif design.type == "path":
            r = runs.filter((pl.col("metric") == metric) & pl.col("value").is_finite())
            if r.height >= 3:
                add("path", metric, "path_t", "spearman", _spearman(r["path_t"].to_numpy(), r["value"].to_numpy()))
    if not rows:
        return None
    return pl.DataFrame(
        rows,
        schema={
            "method": pl.String,
            "metric": pl.String,
            "parameter": pl.String,
            "index": pl.String,
            "value": pl.Float64,
        },
    )


# ---------------------------------------------------------------------- tables
def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3f}"


def _article(plan: Plan, means: pl.DataFrame, headline: tuple[str, ...]) -> pl.DataFrame:
    """One row per point: its coordinates, then 'mean [CI]' for each headline metric (code
    names as column names, for further work; the markdown tables carry words and units)."""
    pts = plan.points_table().drop("parameters")
    out = pts
    for metric in headline:
        m = means.filter(pl.col("metric") == metric).select(
            "point",
            pl.struct("mean", "ci_low", "ci_high")
            .map_elements(
                lambda s: f"{_fmt(s['mean'])} [{_fmt(s['ci_low'])}, {_fmt(s['ci_high'])}]", return_dtype=pl.String
            )
            .alias(metric),
        )
        out = out.join(m, on="point", how="left")
    return out.sort("point")


def _in_words(article: pl.DataFrame, factors: list[str], metrics: list[str]) -> pl.DataFrame:
    """The article table with factor values in words and every header in words with its unit."""
    out = article.select(
        *[
            pl.col(f).map_elements(lambda v, f=f: value_words(f, v), return_dtype=pl.String).alias(param_title(f))
            for f in factors
        ],
        *[pl.col(m).alias(output_title(m)) for m in metrics],
    )
    return out


def article_markdown(res: Analysis) -> str:
    """Article tables a page can hold: factor values and headers in words, units in the headers,
    at most ARTICLE_METRICS_PER_TABLE outputs per table (a long list is split into parts a, b, ...)."""
    factors = [c for c in res.article.columns if c != "point" and c not in res.headline]
    metrics = [m for m in res.headline if m in res.article.columns]
    chunks = [metrics[i : i + ARTICLE_METRICS_PER_TABLE] for i in range(0, len(metrics), ARTICLE_METRICS_PER_TABLE)]
    reps = res.plan.experiment.replicates
    parts = []
    for k, chunk in enumerate(chunks or [[]]):
        part = f"1{chr(ord('a') + k)}" if len(chunks) > 1 else "1"
        caption = (
            f"**Table {part}.** {res.plan.experiment.name}: mean over {reps} replicate"
            f"{'s' if reps != 1 else ''} per design point [{res.ci} confidence interval]"
            f"{'; ' + ', '.join(output_words(m) for m in chunk) if len(chunks) > 1 else ''}."
        )
        parts.append(caption + "\n\n" + _markdown(_in_words(res.article, factors, chunk)))
    return "\n".join(parts)


def _markdown(df: pl.DataFrame) -> str:
    cols = df.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.iter_rows():
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return _fmt(v)
    return "" if v is None else str(v)


def format_article_table(res: Analysis, width: int = TERMINAL_WIDTH) -> str:
    """The article table for a terminal, in words and units and no wider than `width` columns
    (sensitivity designs show the ranking of parameters instead)."""
    if res.sensitivity is not None and res.plan.experiment.design.type in ("morris", "salib_sobol"):
        idx = MAIN_INDEX[res.plan.experiment.design.type]
        wide = _sensitivity_wide(res.sensitivity, idx, res.headline)
        factors_col = wide.select(
            pl.col("parameter").map_elements(param_title, return_dtype=pl.String).alias("parameter")
        )
        metrics = [m for m in res.headline if m in wide.columns]
        shown, hidden = _fit(factors_col, wide.select(metrics), width)
        head = f"{res.plan.experiment.name}: sensitivity ({idx}) of each output to each parameter"
        more = f"\n... {len(hidden)} more outputs in {res.folder / f'sensitivity_{idx}.csv'}" if hidden else ""
        return head + "\n" + _text(pl.concat([factors_col, wide.select(shown)], how="horizontal")) + more
    head = (
        f"{res.plan.experiment.name}: {res.runs_found} of {res.runs_expected} run{'s' * (res.runs_expected != 1)}; "
        f"mean [{res.ci} CI] per point"
    )
    factors = [c for c in res.article.columns if c != "point" and c not in res.headline]
    metrics = [m for m in res.headline if m in res.article.columns]
    words = _in_words(res.article, factors, metrics)
    left = words.select(words.columns[: len(factors)])
    shown, hidden = _fit(left, words.select(words.columns[len(factors) :]), width)
    df = pl.concat([left, words.select(shown)], how="horizontal")
    notes = []
    if hidden:
        notes.append(f"{len(hidden)} more column{'s' if len(hidden) != 1 else ''}")
    if df.height > ARTICLE_ROWS_SHOWN:
        notes.append(f"{df.height - ARTICLE_ROWS_SHOWN} more rows")
        df = df.head(ARTICLE_ROWS_SHOWN)
    more = f"\n... {' and '.join(notes)} in {res.folder / 'article_table.md'}" if notes else ""
    return head + "\n" + _text(df) + more


def _fit(left: pl.DataFrame, right: pl.DataFrame, width: int) -> tuple[list[str], list[str]]:
    """Which of `right`'s columns fit beside `left` within `width` characters (at least one)."""
    used = sum(_col_width(left, c) for c in left.columns) + 2 * max(len(left.columns) - 1, 0)
    shown: list[str] = []
    for c in right.columns:
        w = _col_width(right, c) + 2
        if shown and used + w > width:
            break
        shown.append(c)
        used += w
    return shown, [c for c in right.columns if c not in shown]


def _col_width(df: pl.DataFrame, col: str) -> int:
    """A column is as wide as its longest value, and its header wraps to fit (never below 12)."""
    longest = max((len(_cell(v)) for v in df[col].to_list()), default=0)
    return max(longest, 8, max((len(w) for w in col.split()), default=0))


def _text(df: pl.DataFrame) -> str:
    cells = [[_cell(v) for v in row] for row in df.iter_rows()]
    widths = [_col_width(df, c) for c in df.columns]
    heads = [textwrap.wrap(c, w) or [""] for c, w in zip(df.columns, widths, strict=True)]
    depth = max(len(h) for h in heads)
    heads = [[""] * (depth - len(h)) + h for h in heads]
    lines = ["  ".join(h[i].rjust(w) for h, w in zip(heads, widths, strict=True)).rstrip() for i in range(depth)]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _sensitivity_wide(sens: pl.DataFrame, index: str, metrics: tuple[str, ...]) -> pl.DataFrame:
    sub = sens.filter((pl.col("index") == index) & pl.col("metric").is_in(list(metrics)))
    if sub.height == 0:
        return pl.DataFrame({"parameter": []})
    wide = sub.pivot(on="metric", index="parameter", values="value")
    return wide.select("parameter", *[m for m in metrics if m in wide.columns])


def _sensitivity_markdown(wide: pl.DataFrame, index: str) -> str:
    """The sensitivity table for an article: one row per output (they are many), one column per
    parameter (they are few), all in words."""
    params = wide["parameter"].to_list()
    rows = [
        {"output": output_title(m), **{param_title(p): wide[m][i] for i, p in enumerate(params)}}
        for m in wide.columns
        if m != "parameter"
    ]
    words = pl.DataFrame(rows) if rows else pl.DataFrame({"output": []})
    return f"**Sensitivity ({index})** of each output (rows) to each parameter (columns).\n\n" + _markdown(words)


# ---------------------------------------------------------------------- entry point
SWEEP_HELP = "give the folder `hls-sim sweep` wrote"


def check_sweep(folder: str | Path) -> SweepStore:
    """The sweep `analyse` reads, or a StoreError saying what the folder is instead (nothing is read
    but its manifest)."""
    root = Path(folder)
    if not root.exists():
        raise StoreError(f"{root}: no such folder; {SWEEP_HELP}")
    if not root.is_dir():
        raise StoreError(f"{root} is a file, not a folder; {SWEEP_HELP}")
    kind = folder_kind(root)
    if kind == KIND:
        raise StoreError(
            f"{root} holds the tables of an earlier `hls-sim analyse`, not a sweep; give the sweep folder they "
            "were made from"
        )
    if kind is not None and kind != "sweep":
        raise StoreError(f"{root} is {article(kind)} folder (written by `hls-sim {kind}`), not a sweep; {SWEEP_HELP}")
    store = SweepStore(root)
    if not store.exists():
        raise StoreError(f"{root} holds no sweep (no {MANIFEST}); {SWEEP_HELP}")
    manifest = store.manifest()  # a StoreError if it is not a JSON object
    fmt = manifest.get("format")
    if fmt is not None and not str(fmt).startswith("hls_sim.sweep/"):
        raise StoreError(f"{store.root / MANIFEST}: format {fmt!r} is not a sweep's; {SWEEP_HELP}")
    if not (root / EXPERIMENT).is_file():
        raise StoreError(f"{root} holds no sweep (no {EXPERIMENT}, the experiment it was run from); {SWEEP_HELP}")
    return store


def claim_tables(sweep: Path, out: str | Path | None, *, overwrite: bool = False) -> Target:
    """Where the tables go, checked before anything is computed. An explicit `out` follows the rules of
    every output folder (hls_sim.outdir.claim: an earlier analysis is replaced only with --overwrite);
    the sweep's own `analysis/` is the analysis of that sweep, replaced whenever it is analysed again,
    but never when it holds anything else."""
    if out is not None:
        return claim(out, KIND, overwrite=overwrite)
    dest = check_path(Path(sweep) / DEFAULT_DIR, option="the analysis folder")
    contents = sorted(p.name for p in dest.iterdir()) if dest.is_dir() else []
    if not contents:
        return Target(dest, KIND, "new")
    ours = folder_kind(dest) == KIND
    foreign = [n for n in contents if not (ours and (n in KIND_FILES[KIND] or n.startswith(".")))]
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise StoreError(
            f"{dest} holds files that are not part of an earlier analysis ({shown}); analyse replaces that folder "
            "whole, so move them, or write the tables elsewhere with --out DIR (nothing was written)"
        )
    return Target(dest, KIND, "overwrite")


def _check_tables(sources: list[Path], columns: list[str]) -> None:
    """Every results file readable as parquet with the columns analyse uses, or a StoreError naming it."""
    for path in sources:
        try:
            schema = pl.read_parquet_schema(path)
        except Exception as exc:  # polars raises several types for a damaged file
            raise StoreError(f"{path}: not a readable parquet table ({_first_line(exc)})") from None
        missing = [c for c in columns if c not in schema]
        if missing:
            raise StoreError(
                f"{path}: columns missing: {', '.join(missing)} (is this the results table a sweep wrote?)"
            )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def analyse(
    folder: str | Path, *, out: str | Path | None = None, level: float = 0.95, overwrite: bool = False
) -> Analysis:
    """Analyse the sweep in `folder`; write the tables to `out` (default folder/analysis).

    The sweep and the place for the tables are checked before anything is computed; the tables are
    written into a staging folder and moved into place whole, so a failure leaves the old ones as
    they were.
    """
    store = check_sweep(folder)
    target = claim_tables(store.root, out, overwrite=overwrite)
    manifest = store.manifest()
    exp = stored_experiment(store.root)
    plan = make_plan(exp)
    if plan.hash != manifest.get("plan_hash"):
        raise StoreError(
            f"{store.root}: its experiment no longer gives the plan it was run with (parameter defaults, a scenario "
            "or the sampler changed since), so points cannot be matched to their parameters"
        )
    coords = list(plan.design.columns)
    _check_tables(result_files(store.root), ["run_id", "point", "scope", "metric", "value", *coords])
    try:
        res, about = _compute(store, plan, exp, target.path, level)
    except pl.exceptions.PolarsError as exc:  # a table that passed the check but cannot be read through
        raise StoreError(f"{store.root}: the results cannot be read ({_first_line(exc)})") from None
    with target.staged() as stage:
        _write_all(res, about, stage)
    return res


def result_files(root: Path) -> list[Path]:
    """The parquet files holding a sweep's results, as `load_results` reads them."""
    files = [root / RESULTS] if (root / RESULTS).is_file() else []
    files += sorted((root / PARTS).glob("run-*.parquet")) if (root / PARTS).is_dir() else []
    if not files:
        raise StoreError(f"{root} holds no results yet")
    return files


def _compute(store: SweepStore, plan: Plan, exp: Any, dest: Path, level: float) -> tuple[Analysis, dict[str, Any]]:
    lf = load_results(store.root)
    summary = lf.filter(pl.col("scope") == "summary")
    coords = list(plan.design.columns)
    runs = summary.select("run_id", "point", *coords, "metric", "value").collect()
    runs_found = runs["run_id"].n_unique()
    means = _group_stats(summary.select("point", "metric", "value"), ["point", "metric"], level)
    order = {m: i for i, m in enumerate(plan.selection.summary)}
    pts = plan.points_table().drop("parameters")
    point_summary = (
        pts.join(means, on="point", how="inner")
        .with_columns(pl.col("metric").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort("point", "_o")
        .drop("_o")
    )
    weekly = None
    if plan.selection.weekly:
        w = _group_stats(
            lf.filter(pl.col("scope") == "weekly").select("point", "metric", "step", "value"),
            ["point", "metric", "step"],
            level,
        )
        weekly = pts.join(w, on="point", how="inner").sort("point", "metric", "step")
    seed = int(np.random.SeedSequence([exp.seed, 0xA7A]).generate_state(1)[0])
    sens = _sensitivity(plan, runs, point_summary, seed)
    headline = plan.analysis_metrics or tuple(m for m in HEADLINE if m in plan.selection.summary)
    if not headline:
        headline = plan.selection.summary[:6]
    article_df = _article(plan, point_summary, headline)
    res = Analysis(dest, plan, plan.n_runs, runs_found, point_summary, weekly, sens, article_df, headline, level=level)
    about = {
        "experiment": exp.name,
        "plan_hash": plan.hash,
        "confidence_level": level,
        "runs_expected": plan.n_runs,
        "runs_found": runs_found,
        "headline_metrics": list(headline),
    }
    return res, about


def _write_all(res: Analysis, about: dict[str, Any], stage: Path) -> None:
    """Every table into `stage` (moved to res.folder afterwards); res.files names their final places."""
    _write(res, stage, res.point_summary, "point_summary")
    if res.weekly_summary is not None:
        _write(res, stage, res.weekly_summary, "weekly_summary")
    sens = res.sensitivity
    if sens is not None:
        _write(res, stage, sens, "sensitivity")
        idx = MAIN_INDEX.get(res.plan.experiment.design.type)
        if idx:
            wide = _sensitivity_wide(sens, idx, res.plan.selection.summary)
            _write(res, stage, wide, f"sensitivity_{idx}")
            atomic_write_text(stage / f"sensitivity_{idx}.md", _sensitivity_markdown(wide, idx))
            res.files.append(res.folder / f"sensitivity_{idx}.md")
    _write(res, stage, res.article, "article_table")
    atomic_write_text(stage / "article_table.md", article_markdown(res))
    res.files.append(res.folder / "article_table.md")
    atomic_write_json(stage / ANALYSIS_JSON, {**about, "files": [p.name for p in res.files]})


def _write(res: Analysis, stage: Path, df: pl.DataFrame, stem: str) -> None:
    atomic_write_parquet(stage / f"{stem}.parquet", df)
    atomic_write_text(stage / f"{stem}.csv", df.write_csv())
    res.files += [res.folder / f"{stem}.parquet", res.folder / f"{stem}.csv"]
