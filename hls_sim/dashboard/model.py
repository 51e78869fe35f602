"""The model the dashboard drives, and the live numbers its charts read.

The dashboard exposes only the handful of levers a class can follow while the weeks tick by;
everything else keeps the defaults of the chosen regime. The sliders always apply, on top of the
regime's own lever bundle, so moving "stakes" under `output_targets` is exactly the Campbell's
Law experiment: same regime, more riding on the indicator.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from hls_sim.metrics import GAMING_CHANNELS, MONEY, WINDOW
from hls_sim.model import HLSModel
from hls_sim.params import PARAMS

WEEKS = 260

# name -> (label, default, step) for the sliders; ranges come from the parameter registry.
SLIDERS: dict[str, tuple[str, float, float]] = {
    "incentive_strength": ("Stakes on the indicator (0-1)", 0.8, 0.05),
    "audit_rate": ("Audit rate (share of reports checked)", 0.03, 0.01),
    "intrinsic_motivation": ("Intrinsic motivation of staff (0-1)", 0.7, 0.05),
    "caseload_cap": ("Caseload cap (cases per worker)", 20, 1),
    "citizens": ("Population (citizens)", 1000, 100),
}
SLIDER_MAX = {"audit_rate": 0.5, "caseload_cap": 60, "citizens": 5000}
SLIDER_MIN = {"citizens": 200, "caseload_cap": 2}


class DashboardModel(HLSModel):
    """HLSModel with keyword parameters for SolaraViz that stops when its planned weeks are run."""

    def __init__(
        self,
        *,
        regime: str = "output_targets",
        incentive_strength: float = 0.8,
        audit_rate: float = 0.03,
        intrinsic_motivation: float = 0.7,
        caseload_cap: int = 20,
        citizens: int = 1000,
        weeks: int = WEEKS,
        seed: int = 1,
    ) -> None:
        super().__init__(
            seed=int(seed),
            regime=regime,
            incentive_strength=float(incentive_strength),
            audit_rate=float(audit_rate),
            intrinsic_motivation=float(intrinsic_motivation),
            caseload_cap=int(caseload_cap),
            citizens=int(citizens),
            weeks=int(weeks),
            burn_in_weeks=0,
        )

    def step(self) -> None:
        if self.week >= self.p["weeks"]:
            self.running = False
            return
        super().step()
        if self.week >= self.p["weeks"]:
            self.running = False


def model_params() -> dict[str, Any]:
    """SolaraViz's model_params: a regime menu, the lever sliders and a fixed run length."""
    out: dict[str, Any] = {
        "regime": {
            "type": "Select",
            "value": "output_targets",
            "values": list(PARAMS["regime"].choices or ()),
            "label": "Regime",
        }
    }
    for name, (label, value, step) in SLIDERS.items():
        prm = PARAMS[name]
        out[name] = {
            "type": "SliderInt" if prm.kind is int else "SliderFloat",
            "value": value,
            "min": SLIDER_MIN.get(name, prm.lo),
            "max": SLIDER_MAX.get(name, prm.hi),
            "step": step,
            "label": label,
        }
    out["seed"] = {"type": "SliderInt", "value": 1, "min": 1, "max": 99, "step": 1, "label": "Seed"}
    out["weeks"] = WEEKS
    return out


def live_frame(model: HLSModel) -> pl.DataFrame:
    """The weeks run so far, with the model's own rolling rates (empty before the first step)."""
    if model.recorder.t == 0:
        return pl.DataFrame()
    return model.recorder.timeseries(model)


def live_numbers(frame: pl.DataFrame) -> dict[str, float]:
    """Latest rolling values for the headline card."""
    if frame.height == 0:
        return {}
    last = frame.row(frame.height - 1, named=True)
    keys = ["true_outcome", "reported_outcome", "campbell_gap", "morale_mean", "trust_citizen_mean"]
    out = {k: float(last[k]) for k in keys if k in last}
    costs = frame.tail(WINDOW)["cost_total"]
    out["cost_per_week"] = float(costs.mean())
    return out


GAMING_COLUMNS = tuple(f"gaming_{c}" for c in GAMING_CHANNELS)
COST_COLUMNS = tuple(f"cost_{k}" for k in MONEY)
