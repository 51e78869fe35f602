"""The model behind the dashboard: its sliders are the registry's levers, it stops at the end, and
its live numbers are the recorder's own."""

from __future__ import annotations

import polars as pl
import pytest

from hls_sim.cli import main
from hls_sim.dashboard.model import SLIDERS, DashboardModel, live_frame, live_numbers, model_params
from hls_sim.params import PARAMS


def test_sliders_stay_inside_the_registry_ranges():
    params = model_params()
    assert params["regime"]["values"] == list(PARAMS["regime"].choices)
    for name in SLIDERS:
        spec, prm = params[name], PARAMS[name]
        assert prm.lo <= spec["min"] <= spec["value"] <= spec["max"] <= prm.hi, name
        assert prm.coerce(spec["value"]) == spec["value"]


def test_sliders_override_the_regime_and_the_model_stops():
    m = DashboardModel(regime="payment_by_results", incentive_strength=0.3, citizens=200, weeks=12, caseload_cap=7)
    assert m.p["incentive_strength"] == 0.3 and m.p["payment_basis"] == "outcome" and m.p["caseload_cap"] == 7
    assert live_frame(m).height == 0 and live_numbers(live_frame(m)) == {}
    for _ in range(20):
        m.step()
    assert m.week == 12 and not m.running
    frame = live_frame(m)
    assert frame.height == 12
    nums = live_numbers(frame)
    assert nums["campbell_gap"] == pytest.approx(nums["reported_outcome"] - nums["true_outcome"])
    assert nums["cost_per_week"] == pytest.approx(frame.tail(13)["cost_total"].mean())


def test_same_settings_same_numbers():
    a, b = DashboardModel(citizens=200, weeks=20, seed=3), DashboardModel(citizens=200, weeks=20, seed=3)
    for _ in range(20):
        a.step()
        b.step()
    assert live_frame(a).drop("regime").equals(live_frame(b).drop("regime"))
    assert isinstance(live_frame(a), pl.DataFrame)


def test_bad_port_is_refused(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err
