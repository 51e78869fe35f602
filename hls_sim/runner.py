"""Running the model: one function for one run, and writing its outputs with their provenance."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim.model import HLSModel
from hls_sim.version import __version__


@dataclass
class RunResult:
    params: dict[str, Any]
    summary: dict[str, Any]
    timeseries: pl.DataFrame

    def manifest(self) -> dict[str, Any]:
        return {
            "hls_sim_version": __version__,
            "seed": self.params["seed"],
            "parameters": self.params,
            "files": ["summary.json", "timeseries.parquet", "manifest.json"],
        }

    def write(self, out: str | Path) -> Path:
        """Write summary.json, timeseries.parquet and manifest.json; files appear whole or not at all."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        summary = {
            "seed": self.params["seed"],
            "hls_sim_version": __version__,
            "parameters": self.params,
            **self.summary,
        }
        _atomic_text(out / "summary.json", json.dumps(summary, indent=2, default=_json_default))
        tmp = out / ".timeseries.parquet.part"
        self.timeseries.write_parquet(tmp)
        os.replace(tmp, out / "timeseries.parquet")
        _atomic_text(out / "manifest.json", json.dumps(self.manifest(), indent=2, default=_json_default))
        return out


def _json_default(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def _atomic_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")
    os.replace(tmp, path)


def run(*, seed: int = 1, progress=None, **overrides: Any) -> RunResult:
    """Run one simulation: `hls_sim.run(regime="payment_by_results", seed=3, incentive_strength=0.5)`."""
    model = HLSModel(seed=seed, **overrides)
    model.run(progress=progress)
    rec = model.recorder
    return RunResult(params=dict(model.resolved_params), summary=rec.summary(model), timeseries=rec.timeseries(model))
