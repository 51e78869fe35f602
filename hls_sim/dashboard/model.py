"""The model the dashboard drives, its sliders, and the live numbers its charts read.

The dashboard exposes only the handful of levers a class can follow while the weeks tick by;
everything else keeps the defaults of the chosen regime. Choosing a regime loads that regime's
own lever values into the sliders (so a class never sees "HLS" run with the stakes left at 0.8
from the previous run), and a slider that the chosen regime does not use says so. Moving
"stakes" under `output_targets` is the Campbell's Law experiment: same regime, more riding on
the indicator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from hls_sim.labels import REGIME_WORDS
from hls_sim.metrics import GAMING_CHANNELS, MONEY, WINDOW
from hls_sim.model import HLSModel
from hls_sim.params import PARAMS, resolve
from hls_sim.regimes import DESCRIPTIONS, REGIMES

WEEKS = 260
REGIME_CHOICES = tuple(PARAMS["regime"].choices or ())
START_REGIME = "output_targets"


@dataclass(frozen=True)
class Slider:
    """One slider: its words, step, range and whether the regime sets it."""

    name: str
    label: str
    step: float
    lo: float
    hi: float
    fmt: str  # how its value is shown next to the label
    regime_lever: bool  # True: choosing a regime loads the regime's value; False: the class's own setting


SLIDERS: tuple[Slider, ...] = (
    Slider("incentive_strength", "Stakes on the indicator", 0.05, 0.0, 1.0, "{:.2f}", True),
    Slider("outcome_payment_share", "Share of the contract paid per outcome", 0.05, 0.0, 1.0, "{:.2f}", True),
    Slider("audit_rate", "Audit rate (share of reports checked)", 0.01, 0.0, 0.5, "{:.2f}", True),
    Slider("intrinsic_motivation", "Intrinsic motivation of staff", 0.05, 0.0, 1.0, "{:.2f}", False),
    Slider("caseload_cap", "Caseload cap (cases per worker)", 1, 2, 60, "{:d}", False),
    Slider("citizens", "Population (people)", 100, 200, 5000, "{:,d}", False),
)
SEED_RANGE = (1, 99)
SLIDER_BY_NAME = {s.name: s for s in SLIDERS}


def regime_words(regime: str) -> str:
    return REGIME_WORDS.get(regime, regime.replace("_", " "))


def regime_settings(regime: str, keep: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The slider values for `regime`: its own lever values where its bundle sets them, the
    registry defaults for the other regime levers, and the class's own population, workforce
    and seed settings from `keep`."""
    keep = dict(keep or {})
    bundle = REGIMES[regime]
    out: dict[str, Any] = {"regime": regime}
    for s in SLIDERS:
        if s.regime_lever:
            out[s.name] = bundle.get(s.name, PARAMS[s.name].default)
        else:
            out[s.name] = keep.get(s.name, PARAMS[s.name].default if s.name != "citizens" else 1000)
    out["seed"] = int(keep.get("seed", 1))
    return out


def lever_notes(settings: Mapping[str, Any]) -> dict[str, str]:
    """Why a slider does nothing (or less) under these settings: read from the levers the
    regime resolves to, in the words of the rules in `commissioner.py` and `provider.py`."""
    p = resolve({k: v for k, v in settings.items() if k in PARAMS})
    notes: dict[str, str] = {}
    if p["payment_basis"] not in ("outcome", "activity"):
        how = {"pooled": "a pooled budget", "block": "a block contract"}.get(p["payment_basis"], p["payment_basis"])
        notes["outcome_payment_share"] = f"not used: {regime_words(p['regime'])} pays {how}, not per outcome"
    if not p["provider_kpis"]:
        notes["incentive_strength"] = (
            "no provider KPIs here: the stakes reach providers only through system-wide measures"
        )
    if p["incentive_strength"] == 0:
        notes["audit_rate"] = "nothing rides on the numbers, so there are no false reports to find (audits still cost)"
    return notes


def describe(settings: Mapping[str, Any]) -> str:
    """A run's settings in a line: 'payment by results, stakes 0.80, paid per outcome 0.60, ...'."""
    parts = [regime_words(settings["regime"]), f"stakes {settings['incentive_strength']:.2f}"]
    notes = lever_notes(settings)
    if "outcome_payment_share" not in notes:
        parts.append(f"paid per outcome {settings['outcome_payment_share']:.2f}")
    parts.append(f"audits {settings['audit_rate']:.2f}")
    return ", ".join(parts)


def regime_description(regime: str) -> str:
    return DESCRIPTIONS.get(regime, "")


class DashboardModel(HLSModel):
    """HLSModel with keyword parameters for the sliders that stops when its planned weeks are run."""

    def __init__(
        self,
        *,
        regime: str = START_REGIME,
        incentive_strength: float | None = None,
        outcome_payment_share: float | None = None,
        audit_rate: float | None = None,
        intrinsic_motivation: float = 0.7,
        caseload_cap: int = 20,
        citizens: int = 1000,
        weeks: int = WEEKS,
        seed: int = 1,
    ) -> None:
        levers = {
            "incentive_strength": incentive_strength,
            "outcome_payment_share": outcome_payment_share,
            "audit_rate": audit_rate,
        }
        super().__init__(
            seed=int(seed),
            regime=regime,
            **{k: float(v) for k, v in levers.items() if v is not None},
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


def live_frame(model: HLSModel) -> pl.DataFrame:
    """The weeks run so far, with the model's own rolling rates (empty before the first step)."""
    if model.recorder.t == 0:
        return pl.DataFrame()
    return model.recorder.timeseries(model)


def crises_per_1000_year(frame: pl.DataFrame, citizens: int) -> pl.Series:
    """Crisis events per 1,000 people a year, as a rolling mean over the last WINDOW weeks."""
    return frame["n_crises"].rolling_mean(WINDOW, min_samples=1) * 52.0 * 1000.0 / max(citizens, 1)


# The headline reads the last year: a quarter's rolling rate at 2,000 people moves by a few points
# from one quarter to the next, more than the differences a class is asked to read.
HEADLINE_WEEKS = 52


def live_numbers(frame: pl.DataFrame, citizens: int | None = None) -> dict[str, float]:
    """The headline card's numbers: means over the last year (or the weeks run so far)."""
    if frame.height == 0:
        return {}
    year = frame.tail(HEADLINE_WEEKS)
    last = {c: year[c].drop_nans().mean() for c in year.columns if year[c].dtype.is_numeric()}
    last = {c: (0.0 if v is None else v) for c, v in last.items()}
    keys = [
        "true_outcome",
        "reported_outcome",
        "campbell_gap",
        "morale_mean",
        "trust_citizen_mean",
        "wellbeing_mean",
        "wellbeing_most_complex_decile",
    ]
    out = {k: float(last[k]) for k in keys if k in last}
    out["cost_per_week"] = float(year["cost_total"].mean())
    if citizens and "n_crises" in frame.columns:
        out["crises_per_1000_year"] = float(year["n_crises"].mean() * 52.0 * 1000.0 / max(citizens, 1))
    # impact against each person's no-service twin (section 8.7 of docs/ODD.md), over the same year
    if "wellbeing_twin_mean" in frame.columns and year["wellbeing_twin_mean"].drop_nans().len() > 0:
        out["impact_wellbeing"] = float((year["wellbeing_mean"] - year["wellbeing_twin_mean"]).drop_nans().mean())
        if citizens and "n_twin_crises" in frame.columns:
            avoided = (year["n_twin_crises"] - year["n_crises"]).mean()
            out["crises_avoided_per_1000_year"] = float(avoided * 52.0 * 1000.0 / max(citizens, 1))
    gaming = [f"gaming_{c}" for c in GAMING_CHANNELS if f"gaming_{c}" in last]
    out["gaming_largest"] = max((float(last[c]) for c in gaming), default=0.0)
    return out


GAMING_COLUMNS = tuple(f"gaming_{c}" for c in GAMING_CHANNELS)
COST_COLUMNS = tuple(f"cost_{k}" for k in MONEY)
