"""docs/ODD.md stays true to the code: its parameter table is the registry's, and it defines every output."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _odd() -> str:
    return (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_odd_parameter_and_regime_tables_match_the_code():
    spec = importlib.util.spec_from_file_location("make_param_table", ROOT / "docs" / "make_param_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.current_table(_odd()) == mod.render_table(), "run: python docs/make_param_table.py"
    assert mod.current_regime_table(_odd()) == mod.render_regime_table(), "run: python docs/make_param_table.py"


def test_odd_defines_every_output():
    """Every summary key and weekly column a run produces is named in ODD section 8."""
    from hls_sim.layout import CNT
    from tests.conftest import cached_run

    odd = _odd()
    outputs = odd[odd.index("## 8. Outputs") :]
    r = cached_run(1, citizens=200, weeks=30, burn_in_weeks=5)
    names = set(r.summary) | {c for c in r.timeseries.columns if not c.startswith("n_")}
    missing = sorted(n for n in names if f"`{n}`" not in outputs)
    assert not missing, f"outputs not defined in docs/ODD.md section 8: {missing}"
    counters = sorted(n for n in CNT if f"`{n}`" not in outputs)
    assert not counters, f"weekly counters (n_*) not defined in docs/ODD.md section 8: {counters}"


def test_odd_describes_every_state_array():
    """Every per-citizen and per-worker array of the model is named in ODD section 2."""
    from hls_sim.model import HLSModel

    odd = _odd()
    entities = odd[odd.index("## 2. Entities") : odd.index("## 3. Process overview")]
    m = HLSModel(seed=1, citizens=50, weeks=2)
    missing = sorted(k for k in [*m.cit, *m.wk] if f"`{k}`" not in entities and f"`{k}[" not in entities)
    assert not missing, f"state arrays not described in docs/ODD.md section 2: {missing}"
