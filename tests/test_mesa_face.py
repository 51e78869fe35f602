"""The Mesa face: `from hls_sim import HLSModel`, run_model stops at the planned week, the
DataCollector is the model-level weekly series, and mesa.batch_run works on Mesa 3.3 and 3.5."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pytest

import hls_sim
from hls_sim import HLSModel, ParameterError
from hls_sim.mesa_face import MESA_HAS_TIME, model_time

SMALL = dict(citizens=120, weeks=12, burn_in_weeks=2)


def test_hlsmodel_is_exported_and_is_a_mesa_model():
    assert hls_sim.HLSModel is HLSModel
    assert issubclass(HLSModel, mesa.Model)


def test_run_model_stops_at_the_planned_week():
    model = HLSModel(seed=3, **SMALL)
    model.run_model()
    assert model.week == 12 and model.steps == 12 and not model.running
    assert model_time(model) == 12.0
    with pytest.raises(RuntimeError, match="planned length of 12 weeks"):
        model.step()


def test_datacollector_is_the_recorders_weekly_series():
    model = HLSModel(seed=3, **SMALL)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    table = model.recorder.table()
    assert len(frame) == 12
    assert list(frame.columns) == table.columns
    for name in ("true_outcome", "wellbeing_mean", "cost_total", "gaming_parking", "n_crises"):
        assert np.array_equal(frame[name].to_numpy(), table[name].to_numpy())
    assert model.datacollector.model_vars["wellbeing_mean"][5] == table["wellbeing_mean"][5]


def test_seed_none_is_refused_with_a_clear_message():
    with pytest.raises(ParameterError, match="explicit seed"):
        HLSModel(seed=None, **SMALL)


def test_batch_run_returns_one_row_per_run_and_seed():
    kwargs = dict(
        parameters={"regime": ["payment_by_results", "hls"], "citizens": 120, "weeks": 10, "burn_in_weeks": 2},
        number_processes=1,
        data_collection_period=-1,
        max_steps=10,
        display_progress=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if MESA_HAS_TIME:
            rows = mesa.batch_run(HLSModel, rng=[1, 2], **kwargs)
        else:
            rows = mesa.batch_run(HLSModel, **{**kwargs, "parameters": {**kwargs["parameters"], "seed": [1, 2]}})
    assert len(rows) == 4
    by_key = {(r["regime"], r["seed"]): r for r in rows}
    assert set(by_key) == {(g, s) for g in ("payment_by_results", "hls") for s in (1, 2)}
    # the final week of each batch row is that run's own last week, reproducible from its seed
    direct = HLSModel(seed=2, regime="hls", citizens=120, weeks=10, burn_in_weeks=2)
    direct.run_model()
    assert by_key[("hls", 2)]["wellbeing_mean"] == direct.recorder.table()["wellbeing_mean"][-1]
    # Mesa labels that row by its index (3.3) or by the model time it was collected at (3.5): ODD 8.6
    assert {r["Step"] for r in rows} == ({10.0} if MESA_HAS_TIME else {9})
