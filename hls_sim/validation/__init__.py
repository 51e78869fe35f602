"""Validation against the evidence: pattern-oriented checks, calibration and the validation report.

Patterns are defined as data in `experiments/validation/*.toml` (read by `spec`), measured by
`measures` and `cohorts`, judged by `checks`, run by `runner`, fitted where numbers exist by
`calibration`, and written up by `report`. `hls-sim validate` is the command-line face.
"""

from hls_sim.validation.checks import FAIL, PASS, CheckResult
from hls_sim.validation.runner import PatternResult, validate
from hls_sim.validation.spec import EXPERIMENT_DIR, ExperimentError, PatternSpec, load_patterns

__all__ = [
    "EXPERIMENT_DIR",
    "FAIL",
    "PASS",
    "CheckResult",
    "ExperimentError",
    "PatternResult",
    "PatternSpec",
    "load_patterns",
    "validate",
]
