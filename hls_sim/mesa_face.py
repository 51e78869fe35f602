"""What Mesa users meet: the model-level DataCollector and the clock, the same on Mesa 3.3 and 3.5.

The model records its weekly series once, in `metrics.Recorder` (numpy columns, filled by the
step). `WeeklySeries` is a `mesa.DataCollector` whose model variables *are* those columns, so
`model.datacollector.get_model_vars_dataframe()` and `mesa.batch_run` see every weekly measure
without a second recorder copying values each week. Mesa 3.5 keeps `_collection_steps` (the
model time of each collection) and reads `model_vars[name][i]` by that index; Mesa 3.3 reads
`model_vars[name][step]`; both find week i at index i.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from hls_sim.metrics import Recorder

MESA_VERSION = tuple(int(x) for x in mesa.__version__.split(".")[:2] if x.isdigit())
MESA_HAS_TIME = MESA_VERSION >= (3, 4)  # `Model.time` arrived with Mesa's built-in event scheduling


def model_time(model: mesa.Model) -> float:
    """Mesa 3.5's `model.time`; on Mesa 3.3, which has no clock of its own, the number of steps."""
    return float(model.time) if MESA_HAS_TIME else float(model.steps)


class WeeklySeries(mesa.DataCollector):
    """A DataCollector backed by the model's Recorder: one record of the weekly series, not two."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._cache_t = -1
        self._cache: dict[str, Any] = {}
        super().__init__()
        self.model_reporters = {name: None for name in recorder.column_names()}

    @property
    def model_vars(self) -> dict[str, Any]:  # type: ignore[override]
        """Column name -> the values of every week recorded so far (index i = week i)."""
        rec = self._recorder
        if rec.t != self._cache_t:
            table = rec.table()
            self._cache = {name: table[name].to_list() for name in table.columns}
            self._cache_t = rec.t
        return self._cache

    @model_vars.setter
    def model_vars(self, value: dict[str, Any]) -> None:
        """mesa.DataCollector.__init__ assigns an empty dict; the Recorder's columns stand in for it."""

    def collect(self, model: mesa.Model) -> None:
        """The Recorder has already stored this week; Mesa 3.5 also notes the model time it belongs to."""
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model_time(model))

    def get_model_vars_dataframe(self):  # type: ignore[no-untyped-def]
        """The weekly series as a pandas DataFrame (Mesa's convention); `hls_sim.run` gives it as polars."""
        import pandas as pd  # a dependency of Mesa

        table = self._recorder.table()
        return pd.DataFrame({name: table[name].to_numpy() for name in table.columns})
