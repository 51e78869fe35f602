"""hls_sim: an agent-based model of commissioning public services, from New Public Management to
Human Learning Systems, that always knows both the real outcome and what the indicators report.

The model's names are imported on first use, so that `hls-sim --version`, `hls-sim params` and
any module that needs only the parameter registry start without loading numba, scipy or Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hls_sim.params import DOMAINS, PARAMS, ParameterError, resolve
from hls_sim.version import __version__

if TYPE_CHECKING:
    from hls_sim.model import HLSModel
    from hls_sim.regimes import REGIMES
    from hls_sim.runner import RunResult, run

_LAZY = {
    "HLSModel": "hls_sim.model",
    "REGIMES": "hls_sim.regimes",
    "RunResult": "hls_sim.runner",
    "run": "hls_sim.runner",
}

__all__ = [
    "DOMAINS",
    "PARAMS",
    "REGIMES",
    "HLSModel",
    "ParameterError",
    "RunResult",
    "__version__",
    "resolve",
    "run",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hls_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
