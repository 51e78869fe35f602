"""hls_sim: an agent-based model of commissioning public services, from New Public Management to
Human Learning Systems, that always knows both the real outcome and what the indicators report.

The public names load on first use, so that `hls-sim --version` or `hls-sim params` answer without
compiling or importing the numerical engine (numba, Mesa).
"""

from __future__ import annotations

import importlib
from typing import Any

from hls_sim.version import __version__

_LAZY = {
    "DOMAINS": "hls_sim.params",
    "PARAMS": "hls_sim.params",
    "ParameterError": "hls_sim.params",
    "resolve": "hls_sim.params",
    "REGIMES": "hls_sim.regimes",
    "RunResult": "hls_sim.runner",
    "run": "hls_sim.runner",
    "HLSModel": "hls_sim.model",
}

__all__ = ["DOMAINS", "PARAMS", "REGIMES", "HLSModel", "ParameterError", "RunResult", "__version__", "resolve", "run"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hls_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
