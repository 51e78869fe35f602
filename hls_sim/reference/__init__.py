"""The executable specification of the weekly step: idiomatic Mesa, one agent per person and post.

`ReferenceModel` restates the numba kernels of `hls_sim.model.HLSModel` as plain-Python agent
methods (`Citizen`, `Worker`) and shares everything else with it, so that for the same seed it
produces the same results, bit for bit. Read it to see what the model does to one person; run it
to check the fast engine (tests/test_reference.py) and to measure what the kernels buy
(benchmarks/). It is slow by design: about a hundred times slower per person-week.
"""

from hls_sim.reference.citizen import Citizen
from hls_sim.reference.model import ReferenceModel, run_reference
from hls_sim.reference.worker import Worker

__all__ = ["Citizen", "ReferenceModel", "Worker", "run_reference"]
