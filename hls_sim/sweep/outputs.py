"""Which outputs a sweep keeps, and how one run becomes rows of the tidy long table.

The names of outputs are whatever the model's recorder produces, so instead of keeping a second
list that could drift from `hls_sim.metrics`, a tiny probe run asks the recorder itself. Patterns
(`gaming_*`) are expanded once, before the sweep starts, so every run keeps the same metrics.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from typing import Any

import polars as pl

from hls_sim.errors import InputError
from hls_sim.params import PARAMS, suggest
from hls_sim.sweep.experiment import Experiment, OutputSpec

# Columns of the long table, before the experiment's own parameter columns.
ID_COLUMNS = ("run_id", "point", "replicate", "seed")
VALUE_COLUMNS = ("scope", "step", "metric", "value")


@dataclass(frozen=True)
class Selection:
    summary: tuple[str, ...]  # scalar names, list outputs expanded as name[i], or name[] for all of a list
    weekly: tuple[str, ...]
    every: int


@functools.lru_cache(maxsize=1)
def _probe():  # type: ignore[no-untyped-def]
    from hls_sim.runner import run

    return run(seed=1, citizens=20, weeks=3, burn_in_weeks=1)


@functools.lru_cache(maxsize=1)
def available() -> tuple[dict[str, int], tuple[str, ...]]:
    """Numeric summary outputs (length 0 for scalars, n for lists) and numeric weekly columns."""
    probe = _probe()
    summary: dict[str, int] = {}
    for key, value in probe.summary.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            summary[key] = 0
        elif isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
            summary[key] = len(value)
    weekly = tuple(name for name, dtype in probe.timeseries.schema.items() if dtype.is_numeric() and name != "week")
    return summary, weekly


@functools.lru_cache(maxsize=1)
def undefined_in_probe() -> tuple[str, ...]:
    """Scalar outputs that can be undefined (None), as they are in the tiny probe run."""
    return tuple(k for k, v in _probe().summary.items() if v is None)


def _expand(
    patterns: tuple[str, ...], names: list[str], source: str, path: str, scalars_for_all: list[str]
) -> list[str]:
    out: list[str] = []
    for i, pat in enumerate(patterns):
        if pat == "all":
            hits = scalars_for_all
        elif any(ch in pat for ch in "*?["):
            hits = [n for n in names if fnmatch.fnmatchcase(n, pat)]
        else:
            hits = [pat] if pat in names else []
        if not hits:
            key = f"{path}[{i}]" if len(patterns) > 1 else path
            raise InputError(
                source,
                key,
                f'no output matches {pat!r}{suggest(pat, names)}; allowed are "all", '
                f"output names such as {', '.join(names[:6])}, ... or patterns such as 'gaming_*'",
            )
        out.extend(h for h in hits if h not in out)
    return out


def select(spec: OutputSpec, *, source: str) -> Selection:
    """Expand the experiment's output patterns into the exact metric names every run keeps."""
    summary_avail, weekly_avail = available()
    scalar = [k for k, n in summary_avail.items() if n == 0]
    chosen = _expand(spec.summary, list(summary_avail), source, "outputs.summary", scalar) if spec.summary else []
    summary: list[str] = []
    for name in chosen:
        n = summary_avail[name]
        summary.extend([name] if n == 0 else [f"{name}[{i}]" for i in range(n)])
    weekly = (
        _expand(spec.weekly, list(weekly_avail), source, "outputs.weekly", list(weekly_avail)) if spec.weekly else []
    )
    return Selection(tuple(summary), tuple(weekly), spec.every)


def check_analysis_metrics(exp: Experiment, sel: Selection) -> tuple[str, ...]:
    for i, name in enumerate(exp.analysis_metrics):
        if name not in sel.summary:
            raise InputError(
                exp.source,
                f"analysis.metrics[{i}]",
                f"{name!r} is not among the kept summary outputs{suggest(name, sel.summary)}; allowed are the "
                f"outputs [outputs] summary keeps ({len(sel.summary)} here, e.g. {', '.join(list(sel.summary)[:4])})",
            )
    return exp.analysis_metrics


_DTYPES = {int: pl.Int64(), float: pl.Float64(), bool: pl.Boolean(), str: pl.String()}


def coord_dtype(name: str, value: Any = None) -> pl.DataType:
    """Column type of a coordinate: a parameter's is fixed by the registry, so every part has one
    schema; any other coordinate (a compare's label, a validation arm) has the type of its value."""
    if name in PARAMS:
        return _DTYPES[PARAMS[name].kind]
    if isinstance(value, bool | int | str):
        return _DTYPES[type(value)]
    return pl.Float64()


def weekly_dtypes() -> dict[str, pl.DataType]:
    """The recorder's own column types of the weekly table (the long table keeps every value as Float64)."""
    return dict(_probe().timeseries.schema)


def every_output(*, weekly: bool) -> Selection:
    """Every numeric summary output (lists expanded, outputs that may be undefined included) and,
    if asked, every weekly column each week."""
    summary_avail, weekly_avail = available()
    summary = [name if n == 0 else f"{name}[]" for name, n in summary_avail.items()]
    summary.extend(undefined_in_probe())
    return Selection(tuple(summary), weekly_avail if weekly else (), 1)


def measure_rows(values: dict[str, float], ids: dict[str, int], coords: dict[str, Any]) -> pl.DataFrame:
    """Named measures of one run (validation) as rows of the same long table as `long_rows`."""
    return long_rows({k: float(v) for k, v in values.items()}, None, Selection(tuple(values), (), 1), ids, coords)


def long_rows(
    summary: dict[str, Any],
    timeseries: pl.DataFrame | None,
    sel: Selection,
    ids: dict[str, int],
    coords: dict[str, Any],
) -> pl.DataFrame:
    """One run as tidy rows: (ids, coordinates, scope, step, metric, value)."""
    names: list[str] = []
    values: list[float | None] = []
    for name in sel.summary:
        if name.endswith("[]"):  # every element this run has (lists whose length depends on the run)
            base = name[:-2]
            for i, v in enumerate(summary.get(base) or []):
                names.append(f"{base}[{i}]")
                values.append(float(v))
            continue
        if name.endswith("]"):
            base, idx = name[:-1].split("[")
            items = summary[base] or []
            values.append(float(items[int(idx)]) if int(idx) < len(items) else None)  # shorter in this run
        else:
            value = summary[name]
            values.append(None if value is None else float(value))  # undefined in this run: a null
        names.append(name)
    n_sum = len(names)
    steps: list[int | None] = [None] * n_sum
    if sel.weekly and timeseries is not None:
        kept = timeseries.filter(pl.col("week") % sel.every == 0)
        weeks = kept["week"].to_list()
        for col in sel.weekly:
            names.extend([col] * len(weeks))
            steps.extend(weeks)
            values.extend(kept[col].cast(pl.Float64).to_list())
    n = len(names)
    data: dict[str, pl.Series] = {k: pl.Series(k, [ids[k]] * n, dtype=pl.Int64) for k in ID_COLUMNS}
    for k, v in coords.items():
        data[k] = pl.Series(k, [v] * n, dtype=coord_dtype(k, v))
    data["scope"] = pl.Series("scope", ["summary"] * n_sum + ["weekly"] * (n - n_sum), dtype=pl.String)
    data["step"] = pl.Series("step", steps, dtype=pl.Int64)
    data["metric"] = pl.Series("metric", names, dtype=pl.String)
    data["value"] = pl.Series("value", values, dtype=pl.Float64)
    return pl.DataFrame(data)
