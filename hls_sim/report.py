"""One offline HTML report from the output folder of `hls-sim run`, `compare`, `sweep` or `explain`.

A policy team should be able to e-mail the file to a colleague with no internet connection and no
Python, so the page carries its own Vega JavaScript, its data and its provenance (seeds, every
resolved parameter, the package versions). The report reads what the runs wrote and never runs
the model: a compare folder keeps every label's weekly series and summaries on every seed and the
runs at several stakes behind the Campbell's-Law curve; a chart whose data a folder does not hold
is left out, with a note saying which command writes it.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim import charts
from hls_sim.labels import OUTPUTS
from hls_sim.params import PARAMS
from hls_sim.version import __version__

REPORT_NAME = "report.html"
CHART_DIR = "charts"

# Output name -> (plain label, unit) for the summary table; order is reading order.
# The summary table's rows in reading order: impact against each person's no-service life first
# (issue 15), then what the services report and what really happened, then the organisations.
REPORT_ORDER = (
    "impact_wellbeing",
    "crises_avoided_per_1000_per_year",
    "reactive_contacts_avoided_per_1000_per_year",
    "need_years_avoided_per_1000",
    "cost_per_crisis_avoided",
    "cost_per_need_year_avoided",
    "true_outcome",
    "reported_outcome",
    "campbell_gap",
    "gaming_effort_substitution",
    "gaming_threshold",
    "gaming_ratchet",
    "gaming_misreporting",
    "gaming_cream_skimming",
    "gaming_parking",
    "gaming_timing",
    "time_to_service_true",
    "time_to_service_reported",
    "wellbeing_mean",
    "wellbeing_most_complex_decile",
    "real_improvement_rate",
    "crisis_events_per_1000_per_year",
    "total_cost_per_year",
    "cost_per_true_outcome",
    "worker_turnover",
    "morale_mean",
    "trust_provider_provider",
    "knowledge_mean",
)
METRICS: dict[str, tuple[str, str]] = {k: OUTPUTS[k] for k in REPORT_ORDER}
SWEEP_FORMAT = "hls_sim.sweep/"
EXPLAIN_FORMAT = "hls_sim.explain/"
MAX_SERIES_PANELS = 12
SWEEP_METRICS = ("true_outcome", "reported_outcome", "campbell_gap", "wellbeing_mean", "cost_per_true_outcome")


def _usage_error(message: str) -> Exception:
    from hls_sim.cli import UsageError

    return UsageError(message)


@dataclass
class ReportData:
    """Everything a report shows, gathered and validated before anything is written."""

    kind: str
    folder: Path
    data_version: str
    seeds: list[int]
    params: dict[str, dict[str, Any]]  # label -> resolved parameters
    ts: pl.DataFrame | None = None
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: pl.DataFrame | None = None
    table: pl.DataFrame | None = None  # compare: metric x label; sweep: grouped means
    sweep: pl.DataFrame | None = None
    varying: list[str] = field(default_factory=list)
    campbell: pl.DataFrame | None = None
    campbell_base: str = ""
    notes: list[str] = field(default_factory=list)
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> description, files, source
    explain: dict[str, Any] | None = None  # explain: the contents of explain.json
    policy: Any = None  # compare: hls_sim.policy_report.Policy (cost over time, assumptions)


# ---------------------------------------------------------------------------- reading folders


def detect(folder: Path) -> str:
    """'run', 'compare', 'sweep' or 'explain'; a clear error for anything else."""
    check_folder(folder)
    names = {p.name for p in folder.iterdir()}
    from hls_sim.outdir import folder_kind

    if folder_kind(folder) == "analysis":
        sweep = folder.parent if folder.name == "analysis" and (folder.parent / "manifest.json").is_file() else None
        raise _usage_error(
            f"{folder}: the tables written by `hls-sim analyse` (analysis.json), not an output folder a report is "
            f"made from; report reads the folder of {ACCEPTED}"
            + (f" (here: hls-sim report {sweep})" if sweep else ", e.g. the sweep these tables were made from")
        )
    manifest = _read_manifest(folder) if "manifest.json" in names else {}
    if str(manifest.get("format", "")).startswith(EXPLAIN_FORMAT):
        if "explain.json" not in names:
            raise _usage_error(
                f"{folder}: this explain has not finished (no explain.json); finish it with "
                f"`hls-sim explain A B --resume --out {folder}` as it was started"
            )
        return "explain"
    if str(manifest.get("format", "")).startswith(SWEEP_FORMAT):
        return "sweep"
    if {"summary.json", "timeseries.parquet"} <= names:
        return "run"
    if {"runs.parquet", "manifest.json"} <= names and "labels" in manifest:
        return "compare"
    if "validation.json" in names:
        raise _usage_error(
            f"{folder}: a validation output; its report is written by `hls-sim validate --report` "
            "(run the same validation again with --report)"
        )
    if _sweep_tables(folder):
        return "sweep"
    found = ", ".join(sorted(names)) or "nothing"
    raise _usage_error(
        f"{folder}: not an hls-sim output folder. Expected summary.json + timeseries.parquet (from `run`), "
        f"runs.parquet + manifest.json with 'labels' (from `compare`), explain.json (from `explain`) or "
        f"results.parquet or parts/*.parquet (from `sweep`); found: {found}"
    )


ACCEPTED = "`hls-sim run`, `compare`, `sweep`, `explain` or `robustness`"


def check_folder(folder: Path) -> None:
    """The folder a report is made from exists and is a folder (not a file), or a UsageError."""
    if not folder.exists():
        raise _usage_error(f"{folder}: no such output folder; give the folder written by {ACCEPTED}")
    if not folder.is_dir():
        raise _usage_error(f"{folder} is a file, not an output folder; give the folder written by {ACCEPTED}")


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _usage_error(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _usage_error(f"{path}: expected a JSON object at the top level")
    return data


def _sweep_tables(folder: Path) -> list[Path]:
    """The sweep's tidy table: results.parquet when finished, else the parts written so far; for
    other folders, any top-level parquet file that is not a run's or a compare's (derived tables
    in sub-folders such as analysis/ are left alone, since they would count each run twice)."""
    if (folder / "results.parquet").is_file():
        return [folder / "results.parquet"]
    parts = sorted((folder / "parts").glob("*.parquet")) if (folder / "parts").is_dir() else []
    if parts:
        return parts
    skip = {"timeseries.parquet", "runs.parquet", "table.parquet", "points.parquet"}
    return sorted(p for p in folder.glob("*.parquet") if p.name not in skip and not p.name.startswith("."))


def load(folder: str | Path, *, campbell: bool = True, progress: bool = True) -> ReportData:
    """Everything the report shows, read from the folder (`campbell=False` leaves the curve out)."""
    folder = Path(folder)
    kind = detect(folder)
    loader = {"run": _load_run, "compare": _load_compare, "sweep": _load_sweep, "explain": _load_explain}[kind]
    data = loader(folder, progress=progress)
    if not campbell:
        data.campbell = None
        data.campbell_base = ""
    elif data.campbell is None and kind == "run":
        data.notes.append(
            "No Campbell's-Law curve: a single run has one level of stakes. `hls-sim compare` keeps runs at "
            "several stakes for it, and `hls-sim sweep campbell_law` maps it in full."
        )
    return data


def _load_run(folder: Path, *, progress: bool) -> ReportData:
    path = folder / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _usage_error(f"{path}: not readable JSON ({exc})") from None
    params = summary.get("parameters")
    if not isinstance(params, dict) or "regime" not in params:
        raise _usage_error(f"{path}: key 'parameters' (the resolved parameters with 'regime') is missing")
    try:
        ts = pl.read_parquet(folder / "timeseries.parquet")
    except Exception as exc:  # polars raises several types for a damaged file
        raise _usage_error(f"{folder / 'timeseries.parquet'}: not a readable parquet table ({exc})") from None
    missing = {"week", "true_outcome", "reported_outcome"} - set(ts.columns)
    if missing:
        raise _usage_error(f"{folder / 'timeseries.parquet'}: columns missing: {', '.join(sorted(missing))}")
    label = str(params["regime"])
    seed = int(summary.get("seed", params.get("seed", 0)))
    return ReportData(
        kind="run",
        folder=folder,
        data_version=str(summary.get("hls_sim_version", "unknown")),
        seeds=[seed],
        params={label: params},
        ts=charts.timeseries_frame({label: ts}),
        summaries={label: summary},
        runs=charts.runs_frame([{"label": label, **summary}]),
    )


def _load_compare(folder: Path, *, progress: bool) -> ReportData:
    manifest = _read_manifest(folder)
    labels = manifest.get("labels")
    seeds = manifest.get("seeds")
    if not isinstance(labels, dict) or not labels:
        raise _usage_error(f"{folder / 'manifest.json'}: key 'labels' (label -> resolved parameters) is missing")
    if not isinstance(seeds, list) or not seeds:
        raise _usage_error(f"{folder / 'manifest.json'}: key 'seeds' (list of seeds) is missing")
    try:
        runs = pl.read_parquet(folder / "runs.parquet")
        table = pl.read_parquet(folder / "table.parquet") if (folder / "table.parquet").exists() else None
    except Exception as exc:
        raise _usage_error(f"{folder}: runs.parquet or table.parquet is not a readable parquet table ({exc})") from None
    data = ReportData(
        kind="compare",
        folder=folder,
        data_version=str(manifest.get("hls_sim_version", "unknown")),
        seeds=[int(s) for s in seeds],
        params={str(k): dict(v) for k, v in labels.items()},
        runs=runs,
        table=table,
    )
    notes = manifest.get("scenarios")
    if isinstance(notes, dict):
        data.scenarios = {str(k): v for k, v in notes.items() if isinstance(v, dict)}
    common = manifest.get("common_operations")
    if isinstance(common, dict) and isinstance(common.get("values"), dict):
        values = ", ".join(f"{k} = {_plain(v)}" for k, v in common["values"].items())
        data.notes.append(
            f"Common operations (--common-operations): every label ran with the operational levers of "
            f"'{common.get('from')}' ({values}), so the differences between labels come from the other levers."
        )
    _read_compare_series(data, manifest)
    from hls_sim import policy_report
    from hls_sim.sweep.comparison import TIMESERIES

    weekly = _read_parquet(folder / TIMESERIES) if (folder / TIMESERIES).is_file() else None
    data.policy = policy_report.load(folder, data.params, weekly, data.seeds)
    return data


def _plain(x: Any) -> str:
    return str(x).lower() if isinstance(x, bool) else f"{x:g}" if isinstance(x, float) else str(x)


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise _usage_error(f"{path}: not a readable parquet table ({exc})") from None


def _read_compare_series(data: ReportData, manifest: dict[str, Any]) -> None:
    """Weekly series, summaries and the Campbell runs, as `hls-sim compare` wrote them."""
    from hls_sim.sweep.comparison import CAMPBELL, TIMESERIES, summaries

    folder = data.folder
    seed = data.seeds[0]
    if (folder / TIMESERIES).is_file():
        ts = _read_parquet(folder / TIMESERIES)
        first = ts.filter(pl.col("seed") == seed).drop("seed")
        data.ts = charts.timeseries_frame(
            {str(k[0]): g.drop("label") for k, g in first.group_by("label", maintain_order=True)}
        )
        data.notes.append(
            f"Time series, waiting times and the help-by-complexity charts show seed {seed} of each label; every "
            f"seed's weekly series is in {TIMESERIES}."
        )
    else:
        data.notes.append(
            "This compare folder keeps no weekly series (it was written by an older hls-sim), so the charts over "
            "time are left out; run the compare again to draw them."
        )
    if (folder / "results.parquet").is_file():
        try:
            data.summaries = summaries(pl.scan_parquet(folder / "results.parquet"), seed)
        except Exception as exc:
            raise _usage_error(f"{folder / 'results.parquet'}: not a readable results table ({exc})") from None
    if (folder / CAMPBELL).is_file():
        data.campbell = _read_parquet(folder / CAMPBELL).drop("label")
        about = manifest.get("campbell") if isinstance(manifest.get("campbell"), dict) else {}
        data.campbell_base = str(about.get("label", ""))
        listed = list(about.get("seeds", []))
        seeds = ", ".join(str(s) for s in listed)
        levels = ", ".join(f"{float(x):g}" for x in about.get("levels", []))
        data.notes.append(
            f"The Campbell's-Law curve comes from runs of '{data.campbell_base}' with only incentive_strength "
            f"changed ({levels}), on seed{'s' * (len(listed) != 1)} {seeds}, made by the compare itself."
        )


def _load_explain(folder: Path, *, progress: bool) -> ReportData:
    """An explain folder: explain.json holds the decomposition, both sides' parameters and the seeds."""
    path = folder / "explain.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _usage_error(f"{path}: not readable JSON ({exc})") from None
    for key in ("a", "b", "seeds", "measures", "groups", "differing_groups", "parameters"):
        if not isinstance(doc, dict) or key not in doc:
            raise _usage_error(f"{path}: key '{key}' is missing (is this the explain.json `hls-sim explain` wrote?)")
    a, b = str(doc["a"]["label"]), str(doc["b"]["label"])
    a_key, b_key = (f"{a} (A)", f"{b} (B)") if a == b else (a, b)
    manifest = _read_manifest(folder)
    data = ReportData(
        kind="explain",
        folder=folder,
        data_version=str(doc.get("hls_sim_version", "unknown")),
        seeds=[int(x) for x in doc["seeds"]],
        params={a_key: dict(doc["parameters"]["a"]), b_key: dict(doc["parameters"]["b"])},
        explain=doc,
    )
    notes = manifest.get("scenarios")
    if isinstance(notes, dict):
        data.scenarios = {str(k): v for k, v in notes.items() if isinstance(v, dict)}
    data.notes.append(
        f"{doc.get('method', '')}. {doc.get('coalitions', '?')} coalitions x {len(data.seeds)} "
        f"seed{'s' * (len(data.seeds) != 1)} = "
        f"{doc.get('runs', '?')} runs; each run's measures are in coalitions.parquet."
    )
    if len(data.seeds) > 1:
        data.notes.append(f"Intervals: {doc.get('interval', '')}.")
    for name, info in (doc.get("inert") or {}).items():
        data.notes.append(f"'{name}' differs ({info.get('a')} / {info.get('b')}) but is inert here: {info.get('why')}.")
    return data


def _load_sweep(folder: Path, *, progress: bool) -> ReportData:
    manifest = _read_manifest(folder) if (folder / "manifest.json").exists() else {}
    parts = _sweep_tables(folder)
    if not parts:
        raise _usage_error(f"{folder}: this sweep has no results yet (no results.parquet and no parts/*.parquet)")
    frames = []
    for p in parts:
        try:
            frames.append(pl.read_parquet(p))
        except Exception as exc:
            raise _usage_error(f"{p}: not a readable parquet table ({exc})") from None
    raw = pl.concat(frames, how="diagonal_relaxed")
    weekly = None
    if "scope" in raw.columns:
        weekly = raw.filter(pl.col("scope") == "weekly").drop("scope")
        raw = raw.filter(pl.col("scope") != "weekly").drop("scope")
    table = _widen(raw, folder)
    if "seed" not in table.columns:
        raise _usage_error(f"{folder}: the sweep table has no 'seed' column, so runs cannot be told apart")
    declared = [c for c in manifest.get("columns", []) if isinstance(c, str) and c in table.columns]
    varying = declared or [c for c in table.columns if c in PARAMS and c != "seed" and table[c].n_unique() > 1]
    seeds = sorted({int(s) for s in table["seed"].drop_nulls().to_list()})
    fixed = manifest.get("base_parameters")
    if not isinstance(fixed, dict):
        fixed = {c: table[c][0] for c in table.columns if c in PARAMS and c not in varying}
    data = ReportData(
        kind="sweep",
        folder=folder,
        data_version=str(manifest.get("hls_sim_version", "unknown")),
        seeds=seeds,
        params={"base (every run)": dict(fixed)},
        sweep=table,
        varying=varying,
    )
    labelled = _with_label(table, [v for v in varying if v != "incentive_strength"])
    data.runs = labelled
    if "incentive_strength" in varying and "campbell_gap" in table.columns:
        data.campbell = labelled if len(varying) > 1 else labelled.drop("label")
        data.campbell_base = "the sweep"
    if weekly is not None and weekly.height:
        data.ts = _weekly_series(weekly, varying, data)
    if not varying:
        data.notes.append("No parameter varies in this sweep table, so only the summary over seeds is shown.")
    data.notes.append(
        f"Read {len(parts)} parquet file{'s' if len(parts) != 1 else ''} of the sweep ({table.height} runs); "
        "means are over the runs at each design point."
    )
    data.table = _sweep_table(table, varying)
    return data


def _with_label(table: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """A 'label' naming each run's design point by the given parameters (or 'sweep')."""
    if not keys:
        return table.with_columns(pl.lit("sweep").alias("label"))
    if len(keys) == 1:
        return table.with_columns(pl.col(keys[0]).cast(pl.String).alias("label"))
    parts = [pl.format(f"{k}={{}}", pl.col(k).cast(pl.String)) for k in keys]
    return table.with_columns(pl.concat_str(parts, separator=", ").alias("label"))


def _weekly_series(weekly: pl.DataFrame, varying: list[str], data: ReportData) -> pl.DataFrame | None:
    """Weekly rows of a sweep as mean time series per design point (mean over replicates)."""
    step = "step" if "step" in weekly.columns else "week"
    keys = [v for v in varying if v in weekly.columns]
    wide = _with_label(weekly, keys).group_by(["label", step, "metric"]).agg(pl.col("value").mean())
    wide = wide.pivot(on="metric", index=["label", step], values="value").rename({step: "week"}).sort("label", "week")
    n = wide["label"].n_unique()
    if n > MAX_SERIES_PANELS:
        data.notes.append(f"The sweep has {n} design points, too many to draw one time-series panel each; skipped.")
        return None
    data.notes.append("Time series are means over the replicates of each design point, as kept by the sweep.")
    return wide


def _widen(table: pl.DataFrame, folder: Path) -> pl.DataFrame:
    """Accept a long table (…, metric, value) as well as one row per run."""
    if {"metric", "value"} <= set(table.columns):
        index = [c for c in table.columns if c not in ("metric", "value", "step")]
        table = table.pivot(on="metric", index=index, values="value", aggregate_function="first")
    if not any(c in table.columns for c in METRICS):
        raise _usage_error(
            f"{folder}: the parquet tables hold none of the model's outputs (e.g. true_outcome, campbell_gap); "
            "expected one row per run or a long table with 'metric' and 'value' columns"
        )
    return table


def _sweep_table(table: pl.DataFrame, varying: list[str]) -> pl.DataFrame:
    metrics = [m for m in METRICS if m in table.columns]
    keys = varying[:3]
    groups = table.group_by(keys, maintain_order=True) if keys else [((), table)]
    rows = []
    for key, sub in groups:
        row: dict[str, Any] = dict(zip(keys, key, strict=True)) if keys else {}
        row["runs"] = sub.height
        for m in metrics:
            mean, _sd, lo, hi = _mean_ci(sub[m].to_list())
            row[m] = mean
            row[f"{m}__half"] = (hi - lo) / 2.0 if math.isfinite(hi) else math.nan
        rows.append(row)
    out = pl.DataFrame(rows)
    return out.sort(keys) if keys else out


def _mean_ci(values: Sequence[Any]) -> tuple[float, float, float, float]:
    from hls_sim.stats import mean_ci

    return mean_ci([float(v) for v in values if v is not None])


# ---------------------------------------------------------------------------- figures


def figures(data: ReportData) -> list[charts.Figure]:
    if data.kind == "explain":
        return [charts.shapley_waterfall(data.explain)] if data.explain and data.explain["measures"] else []
    note = ""
    if data.campbell_base and data.kind != "sweep":
        note = f"Runs of '{data.campbell_base}' with only the stakes changed, on common seeds."
    runs = data.runs if data.kind != "sweep" else None
    figs = charts.all_figures(data.ts, data.summaries, runs, data.campbell, campbell_note=note)
    if data.kind == "sweep" and data.sweep is not None:
        present = [m for m in SWEEP_METRICS if m in data.sweep.columns]
        for x in data.varying[:3]:
            if x != "incentive_strength" and present:
                figs.append(charts.parameter_effect(data.sweep, x, present))
        by_point = _with_label(data.sweep, data.varying)
        if any(c.startswith("gaming_") for c in by_point.columns) and by_point["label"].n_unique() <= MAX_SERIES_PANELS:
            figs.append(charts.gaming_by_channel(by_point))
    if data.policy is not None:
        from hls_sim import policy_report

        figs.extend(policy_report.figures(data.policy))
    return figs


# ---------------------------------------------------------------------------- HTML


CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f0f0; } tr.differs td { background: #fff7e0; }
.unit { color: #666; font-size: 0.85em; } .provenance { background: #f7f7f7; padding: 0.6em 1em; border-left: 4px solid #0072B2; }
.chart { margin: 1.2em 0; } .note { color: #555; } figure { margin: 0; } .files { font-size: 0.85em; color: #555; }
details { margin: 0.6em 0; } .caveats { background: #fbf7ee; padding: 0.4em 1em; border-left: 4px solid #E69F00; }
"""


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return "" if x is None else str(x).lower()
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "n/a" if math.isnan(x) else ("∞" if x > 0 else "-∞")
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3f}"
    return html.escape(str(x))


def _compare_cell(row: dict[str, Any]) -> str:
    """Mean ± half-width over the seeds on which the measure is defined, saying so when that is not
    every seed (a ratio is undefined on a seed where nothing was avoided)."""
    mean, lo, hi = row["mean"], row["ci_low"], row["ci_high"]
    if mean is None or not math.isfinite(mean):
        return "n/a"
    text = _fmt(mean)
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        text += f" <span class='unit'>± {_fmt((hi - lo) / 2.0)}</span>"
    used, seeds = row.get("n"), row.get("seeds")
    if used is not None and seeds is not None and used < seeds:
        text += f" <span class='unit'>({used} of {seeds} seeds)</span>"
    return text


def _explain_tables(doc: dict[str, Any]) -> str:
    """Each measure's B - A split among the groups that differ, then what differs in each group."""
    from hls_sim.explain import decimals

    a, b = html.escape(doc["a"]["label"]), html.escape(doc["b"]["label"])
    groups = list(doc["differing_groups"])
    titles = {g: html.escape(doc["groups"][g]["title"]) for g in doc["groups"]}
    head = (
        f"<tr><th>measure</th><th>unit</th><th>{a} (A)</th>"
        + "".join(f"<th>+ {titles[g]}</th>" for g in groups)
        + f"<th>= B - A</th><th>{b} (B)</th></tr>"
    )

    def cell(x: Any, iv: Any, scale: float) -> str:
        if not isinstance(x, int | float) or not math.isfinite(x):
            return "<td>n/a</td>"
        d = decimals(scale)
        x = 0.0 if round(x, d) == 0 else x
        half = f" <span class='unit'>± {(iv[1] - iv[0]) / 2:,.{d}f}</span>" if iv and None not in iv else ""
        return f"<td>{x:+,.{d}f}{half}</td>"

    def level(x: Any, scale: float) -> str:
        ok = isinstance(x, int | float) and math.isfinite(x)
        return f"<td>{x:,.{decimals(scale)}f}</td>" if ok else "<td>n/a</td>"

    body = []
    for m, r in doc["measures"].items():
        name, unit = METRICS.get(m, (m.replace("_", " "), ""))
        scale = max((abs(v) for v in (r.get("a"), r.get("b")) if isinstance(v, int | float)), default=0.0)
        cells = "".join(cell(r["groups"].get(g), r["intervals"].get(g), scale) for g in groups)
        body.append(
            f"<tr><td>{html.escape(name)}</td><td class='unit'>{html.escape(unit)}</td>{level(r.get('a'), scale)}{cells}"
            f"{cell(r.get('total'), r.get('total_interval'), scale)}{level(r.get('b'), scale)}</tr>"
        )
    n = len(doc["seeds"])
    caption = (
        f"Each group's share of B - A: exact Shapley values over the {len(groups)} lever group"
        f"{'s' * (len(groups) != 1)} that differ, every combination run on the same {n} seed{'s' * (n != 1)}"
        + ("; ± half-width of the 95% interval over seeds." if n > 1 else ".")
        + " The shares add up to B - A."
    )
    same = [titles[g] for g in doc["groups"] if g not in groups and g != "run"]
    if same:
        caption += f" No parameter differs in {', '.join(same)}: each contributes exactly 0."
    rows = []
    for g in groups:
        for i, (pname, (va, vb)) in enumerate(doc["groups"][g]["differing"].items()):
            first = f"<td rowspan='{len(doc['groups'][g]['differing'])}'>{titles[g]}</td>" if i == 0 else ""
            rows.append(f"<tr>{first}<td>{html.escape(pname)}</td><td>{_fmt(va)}</td><td>{_fmt(vb)}</td></tr>")
    differs = (
        "<h3>What differs, by lever group</h3><p class='note'>Every parameter on which A and B differ, in the "
        "group it is counted in (the groups are defined in hls_sim/levergroups.py).</p>"
        f"<table><thead><tr><th>group</th><th>parameter</th><th>{a} (A)</th><th>{b} (B)</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return f"<p class='note'>{caption}</p><table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>{differs}"


def _summary_table(data: ReportData) -> str:
    if data.kind == "explain" and data.explain is not None:
        return _explain_tables(data.explain)
    if data.kind == "compare" and data.table is not None:
        labels = list(data.params)
        head = "<tr><th>output</th><th>unit</th>" + "".join(f"<th>{html.escape(lab)}</th>" for lab in labels) + "</tr>"
        body = []
        for metric, (name, unit) in METRICS.items():
            sub = data.table.filter(pl.col("metric") == metric)
            if sub.height == 0:
                continue
            cells = []
            for lab in labels:
                r = sub.filter(pl.col("label") == lab)
                if r.height == 0:
                    cells.append("<td></td>")
                    continue
                row = r.row(0, named=True)
                cells.append(f"<td>{_compare_cell(row)}</td>")
            body.append(f"<tr><td>{html.escape(name)}</td><td class='unit'>{unit}</td>{''.join(cells)}</tr>")
        n = len(data.seeds)
        caption = (
            f"Mean over {n} seed{'s' if n != 1 else ''} (common random numbers) ± half-width of the 95% confidence "
            "interval. '(k of n seeds)': the measure is defined on k seeds only (a cost per crisis avoided has no "
            "value on a seed that avoided none), and the mean is over those."
        )
        return f"<p class='note'>{caption}</p><table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
    if data.kind == "run":
        label, summary = next(iter(data.summaries.items()))
        rows = [
            f"<tr><td>{html.escape(name)}</td><td class='unit'>{unit}</td><td>{_fmt(summary.get(metric))}</td></tr>"
            for metric, (name, unit) in METRICS.items()
            if metric in summary
        ]
        head = f"<tr><th>output</th><th>unit</th><th>{html.escape(label)}, seed {data.seeds[0]}</th></tr>"
        return f"<p class='note'>One run; values after the burn-in.</p><table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    # sweep
    table = data.table
    if table is None or table.height == 0:
        return "<p>No rows.</p>"
    keys = [k for k in data.varying[:3] if k in table.columns]
    metrics = [m for m in METRICS if m in table.columns]
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "<th>runs</th>"
    head += "".join(
        f"<th>{html.escape(METRICS[m][0])}<br><span class='unit'>{METRICS[m][1]}</span></th>" for m in metrics
    )
    body = []
    for row in table.iter_rows(named=True):
        cells = "".join(f"<td>{_fmt(row[k])}</td>" for k in keys) + f"<td>{row['runs']}</td>"
        cells += "".join(
            f"<td>{_fmt(row[m])} <span class='unit'>± {_fmt(row[m + '__half'])}</span></td>" for m in metrics
        )
        body.append(f"<tr>{cells}</tr>")
    note = "Mean over seeds ± half-width of the 95% confidence interval"
    note += f", grouped by {', '.join(keys)}." if keys else "."
    if len(data.varying) > 3:
        note += f" The sweep also varies {', '.join(data.varying[3:])}, averaged over here."
    return f"<p class='note'>{note}</p><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _params_table(data: ReportData) -> str:
    labels = list(data.params)
    names = [n for n in PARAMS if any(n in p for p in data.params.values())]
    head = "<tr><th>parameter</th><th>unit</th>" + "".join(f"<th>{html.escape(lab)}</th>" for lab in labels) + "</tr>"
    rows = []
    for name in names:
        values = [data.params[lab].get(name) for lab in labels]
        differs = len({json.dumps(v, default=str) for v in values}) > 1
        doc = html.escape(PARAMS[name].doc, quote=True)
        cells = "".join(f"<td>{_fmt(v)}</td>" for v in values)
        cls = " class='differs'" if differs else ""
        rows.append(
            f"<tr{cls}><td title=\"{doc}\">{name}</td><td class='unit'>{html.escape(PARAMS[name].unit)}</td>{cells}</tr>"
        )
    if data.kind == "sweep" and data.varying:
        for name in data.varying:
            vals = ", ".join(_fmt(v) for v in data.sweep[name].unique().sort().to_list())  # type: ignore[union-attr]
            rows.insert(
                0, f"<tr class='differs'><td>{html.escape(name)}</td><td class='unit'>swept</td><td>{vals}</td></tr>"
            )
    return (
        "<p class='note'>Every resolved parameter (defaults, then the regime's levers, then overrides); rows that differ "
        "between labels are highlighted. Hover a name for its meaning; <code>hls-sim params</code> lists sources.</p>"
        f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _scenarios_html(data: ReportData) -> str:
    """What each label stands for, with its files and sources, when the folder records it."""
    if not data.scenarios:
        return ""
    items = []
    for label, note in data.scenarios.items():
        desc = html.escape(str(note.get("description", "")))
        files = ", ".join(html.escape(str(f)) for f in note.get("files") or [])
        source = html.escape(str(note.get("source") or ""))
        extra = (f"<br><span class='unit'>files: {files}</span>" if files else "") + (
            f"<br><span class='unit'>sources: {source}</span>" if source else ""
        )
        items.append(f"<li><b>{html.escape(label)}</b>: {desc}{extra}</li>")
    return f"<h2>What was compared</h2>\n<ul>{''.join(items)}</ul>\n"


def render(data: ReportData, figs: Sequence[charts.Figure], *, chart_files: Mapping[str, Mapping[str, Path]]) -> str:
    title = f"hls-sim report: {data.kind} of {data.folder.name}"
    seeds = ", ".join(map(str, data.seeds[:20])) + (" …" if len(data.seeds) > 20 else "")
    version_note = (
        ""
        if data.data_version in (__version__, "unknown")
        else f" <strong>Note:</strong> the data were written by hls-sim {html.escape(data.data_version)}."
    )
    prov = (
        f"<div class='provenance'><b>Source folder:</b> {html.escape(str(data.folder))} (output of <code>hls-sim "
        f"{data.kind}</code>)<br><b>Seeds:</b> {seeds}<br><b>Data written by:</b> hls-sim "
        f"{html.escape(data.data_version)}; <b>report written by:</b> hls-sim {__version__}.{version_note}<br>"
        "Every number below comes from the model's own runs; this file needs no internet connection.</div>"
    )
    fig_html: dict[str, str] = {}
    for fig in figs:
        files = chart_files.get(fig.name, {})
        links = " · ".join(
            f"<a href='{CHART_DIR}/{html.escape(p.name)}'>{kind.upper()}</a>" for kind, p in files.items()
        )
        fig_html[fig.name] = (
            f"<figure><div id='fig-{fig.name}' class='chart' role='img' aria-label='{html.escape(fig.title, quote=True)}. "
            f"{html.escape(fig.caption, quote=True)}'></div>"
            + (f"<div class='files'>This chart as a separate file: {links}</div>" if links else "")
            + "</figure>"
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in data.notes)
    scenarios = _scenarios_html(data)
    from hls_sim import caveats, policy_report

    prov += caveats.html_block(data.folder, assumptions_below=data.policy is not None)
    policy = ""
    if data.policy is not None:
        policy = policy_report.cost_html(data.policy, fig_html) + policy_report.assumptions_html(data.policy, fig_html)
    charts_html = "".join(v for k, v in fig_html.items() if k not in policy_report.FIGURES)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta name='generator' content='hls-sim {__version__}'>\n<title>{html.escape(title)}</title>\n"
        f"<style>{CSS}</style>\n<script>{charts.vega_bundle()}</script>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{prov}\n"
        + scenarios
        + f"<h2>Summary</h2>\n{_summary_table(data)}\n"
        + policy
        + f"<h2>Charts</h2>\n{charts_html}\n"
        + (f"<h2>How these numbers were made</h2>\n<ul class='note'>{notes}</ul>\n" if notes else "")
        + f"<h2>Parameters</h2>\n<details open><summary>Resolved parameters</summary>{_params_table(data)}</details>\n"
        f"<script>\n{charts.embed_script(figs)}\n</script>\n</body>\n</html>\n"
    )


def check_target(target: Path, *, overwrite: bool = False, option: str = "--out") -> Path:
    """Where the report goes, checked before anything is read or drawn: a writable place, not a file
    that is something other than an earlier hls-sim report, and no file in the charts/ folder beside
    it that an earlier hls-sim report did not write (unless `overwrite`)."""
    from hls_sim.outdir import check_path

    target = Path(target)
    if not target.name or target.suffix.lower() not in (".html", ".htm"):
        raise _usage_error(f"{option} {target}: the report is an HTML file, so the name must end in .html")
    check_path(target.parent, option=option if option == "--out" else "the report's folder")
    if target.is_dir():
        raise _usage_error(f"{option} {target} is a folder; give the report's file name (ending in .html)")
    if target.exists() and not overwrite and not _is_our_report(target):
        raise _usage_error(
            f"{option} {target} exists and is not an hls-sim report; add --overwrite to replace it, "
            "or choose another name (nothing was written)"
        )
    charts_dir = target.parent / CHART_DIR
    if charts_dir.exists() and not charts_dir.is_dir():
        raise _usage_error(f"{charts_dir} is a file, but the report writes its charts into a folder of that name")
    if charts_dir.is_dir() and not overwrite:
        foreign = _foreign_charts(charts_dir)
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise _usage_error(
                f"{option} {target}: the report writes its charts into {charts_dir}, which holds files no hls-sim "
                f"report wrote ({shown}); add --overwrite to write there anyway, or choose another folder "
                "(nothing was written)"
            )
    return target


CHARTS_RECORD = ".hls-sim-charts"  # in charts/: the files hls-sim reports wrote there, one name a line
_CHART_LINK = re.compile(r"""href=['"]charts/([^'"/]+)['"]""")
MAX_PAGES_LOOKED_AT = 200


def _foreign_charts(charts_dir: Path) -> list[str]:
    """Files in a charts/ folder that no hls-sim report wrote: not in its record, not linked from an
    hls-sim report beside it, and not the PNG or HTML twin of such a chart (hidden files aside)."""
    try:
        present = sorted(p.name for p in charts_dir.iterdir() if not p.name.startswith("."))
    except OSError:
        return []
    if not present:
        return []
    ours = set(_recorded_charts(charts_dir))
    for page in sorted(charts_dir.parent.glob("*.htm*"))[:MAX_PAGES_LOOKED_AT]:
        if page.is_file() and _is_our_report(page):
            try:
                text = page.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            ours.update(html.unescape(name) for name in _CHART_LINK.findall(text))
    stems = {Path(n).stem for n in ours if Path(n).suffix in (".html", ".png")}
    return [
        n
        for n in present
        if n not in ours
        and not (Path(n).suffix in (".html", ".png") and Path(n).stem in stems and _is_file(charts_dir / n))
    ]


def _linked_charts(page: Path) -> list[str]:
    try:
        return [html.unescape(n) for n in _CHART_LINK.findall(page.read_text(encoding="utf-8", errors="replace"))]
    except OSError:
        return []


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _recorded_charts(charts_dir: Path) -> list[str]:
    try:
        return [n for n in (charts_dir / CHARTS_RECORD).read_text(encoding="utf-8").splitlines() if n]
    except (OSError, UnicodeDecodeError):
        return []


def _record_charts(charts_dir: Path, names: Sequence[str]) -> None:
    """Add `names` to the record of the files hls-sim reports wrote into charts_dir (see _foreign_charts)."""
    from hls_sim.atomic import atomic_write_text

    known = _recorded_charts(charts_dir)
    new = [n for n in names if n not in known]
    if new:
        atomic_write_text(charts_dir / CHARTS_RECORD, "".join(f"{n}\n" for n in [*known, *new]))


def check_robustness_result(folder: Path) -> None:
    """robustness.json, when there, is the JSON object `hls-sim robustness` writes (else a UsageError
    naming it), so that the robustness page is never drawn from something else."""
    from hls_sim.robustness import study as st

    path = folder / st.RESULT_JSON
    if not path.is_file():
        return  # the robustness page says the study has not finished
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _usage_error(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _usage_error(
            f"{path}: expected a JSON object (the robustness.json `hls-sim robustness` writes), "
            f"found {type(data).__name__} {json.dumps(data)[:40]}; the folder is damaged"
        )
    missing = [k for k in ROBUSTNESS_KEYS if k not in data]
    if missing:
        raise _usage_error(
            f"{path}: key '{missing[0]}' is missing (is this the robustness.json `hls-sim robustness` wrote?)"
        )


ROBUSTNESS_KEYS = (
    "labels",
    "arms",
    "parameters",
    "seed",
    "seeds",
    "rule",
    "uncertain",
    "held",
    "screen",
    "sets",
    "prim",
    "measures",
)


def _is_our_report(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b"name='generator' content='hls-sim" in head


def write_report(
    out_dir: str | Path,
    *,
    out: str | Path | None = None,
    png: bool = True,
    campbell: bool = True,
    progress: bool = True,
    overwrite: bool = False,
    shown_as: str | Path | None = None,
) -> Path:
    """Write `report.html` (and each chart as HTML and PNG under `charts/`) for an output folder.

    Everything is checked and read first; then every file is drawn into a staging folder and moved
    into place, the page last, so a failed write (a full disk) leaves the earlier report as it was.
    `shown_as` is the folder's name as the reader knows it (a command may write from a staging folder).
    """
    folder = Path(out_dir)
    check_folder(folder)  # before --out: a wrong DIR is named as DIR
    from hls_sim.robustness.report import is_robustness_folder, write_robustness_report

    target = Path(out) if out is not None else folder / REPORT_NAME
    option = "--out" if out is not None else "the report"
    if is_robustness_folder(folder):  # a robustness study has its own page
        check_target(target, overwrite=overwrite, option=option)
        check_robustness_result(folder)
        path = write_robustness_report(folder, out=target, png=png, overwrite=overwrite, shown_as=shown_as)
        if (target.parent / CHART_DIR).is_dir():
            _record_charts(target.parent / CHART_DIR, _linked_charts(path))
        return path
    target = check_target(target, overwrite=overwrite, option=option)
    data = load(folder, campbell=campbell, progress=progress)
    if shown_as is not None:
        data.folder = Path(shown_as)
    figs = figures(data)
    chart_dir = target.parent / CHART_DIR
    import shutil
    import tempfile

    from hls_sim.atomic import atomic_write_text
    from hls_sim.errors import OutputError

    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".report.new-"))
        staged = {fig.name: fig.save(staging, png=png) for fig in figs}
        files = {name: {kind: chart_dir / p.name for kind, p in paths.items()} for name, paths in staged.items()}
        page = staging / REPORT_NAME
        atomic_write_text(page, render(data, figs, chart_files=files))  # everything is on disk before any move
        if staged:
            chart_dir.mkdir(exist_ok=True)
        for paths in staged.values():
            for p in paths.values():
                os.replace(p, chart_dir / p.name)
        if staged:  # what this report wrote there is its own from now on (see _foreign_charts)
            _record_charts(chart_dir, [p.name for paths in staged.values() for p in paths.values()])
        os.replace(page, target)
    except OSError as exc:
        raise OutputError(f"could not write the report {target}: {exc.strerror or exc}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target
