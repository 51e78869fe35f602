"""hls_sim: an agent-based model of commissioning public services, from New Public Management to
Human Learning Systems, that always knows both the real outcome and what the indicators report."""

from hls_sim.params import DOMAINS, PARAMS, ParameterError, resolve
from hls_sim.regimes import REGIMES
from hls_sim.runner import RunResult, run
from hls_sim.version import __version__

__all__ = ["DOMAINS", "PARAMS", "REGIMES", "ParameterError", "RunResult", "__version__", "resolve", "run"]
