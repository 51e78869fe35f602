"""Running the model: one function for one run, and writing its outputs with their provenance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hls_sim.atomic import atomic_write_json, atomic_write_parquet, fsync_dir
from hls_sim.version import __version__

if TYPE_CHECKING:
    import polars as pl


@dataclass
class RunResult:
    params: dict[str, Any]
    summary: dict[str, Any]
    timeseries: pl.DataFrame

    def manifest(self) -> dict[str, Any]:
        return {
            "kind": "run",
            "hls_sim_version": __version__,
            "seed": self.params["seed"],
            "parameters": self.params,
            "files": ["summary.json", "timeseries.parquet", "manifest.json"],
        }

    def write(self, out: str | Path) -> Path:
        """Write summary.json, timeseries.parquet and manifest.json, each whole or not at all.

        JSON is strict: an undefined ratio (NaN, infinity) is written as null. For a folder that
        appears whole or not at all, write into `hls_sim.outdir.Target.staged()` as `hls-sim run` does.
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        summary = {
            "seed": self.params["seed"],
            "hls_sim_version": __version__,
            "parameters": self.params,
            **self.summary,
        }
        atomic_write_json(out / "summary.json", summary)
        atomic_write_parquet(out / "timeseries.parquet", self.timeseries)
        atomic_write_json(out / "manifest.json", self.manifest())
        fsync_dir(out)
        return out


def run(*, seed: int = 1, progress=None, **overrides: Any) -> RunResult:
    """Run one simulation: `hls_sim.run(regime="payment_by_results", seed=3, incentive_strength=0.5)`.

    The whole-run rules of the command line apply (a burn-in shorter than the run, a switch inside
    it, a practice naming providers the place has): a summary is only made of a run that makes
    sense. `HLSModel` itself, stepped by hand, clips the burn-in to the run instead."""
    from hls_sim.model import HLSModel
    from hls_sim.params import check_whole_run, resolve

    check_whole_run(resolve({**overrides, "seed": seed}), source="hls_sim.run")
    model = HLSModel(seed=seed, **overrides)
    model.run(progress=progress)
    rec = model.recorder
    return RunResult(params=dict(model.resolved_params), summary=rec.summary(model), timeseries=rec.timeseries(model))


def runs_at_stakes(levels, seeds, *, progress=None, **overrides: Any) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """Runs at several stakes (`incentive_strength`) and seeds, for a Campbell's-Law curve (lessons).

    Each (level, seed) pair is one run; seeds are shared across levels so the curve compares the
    same people and shocks at different stakes (common random numbers). `hls-sim compare` makes
    the same runs through the engine for its report.
    """
    import polars as pl

    rows = []
    for level in levels:
        for seed in seeds:
            res = run(seed=int(seed), **{**overrides, "incentive_strength": float(level)})
            scalars = {k: v for k, v in res.summary.items() if isinstance(v, int | float) and not isinstance(v, bool)}
            rows.append({"incentive_strength": float(level), "seed": int(seed), **scalars})
            if progress is not None:
                progress()
    return pl.DataFrame(rows)
