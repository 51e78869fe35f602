"""The benchmark command itself runs and writes what the README quotes (timings are never asserted)."""

from __future__ import annotations

import json

from benchmarks.__main__ import main


def test_quick_benchmarks_write_results_and_summary(tmp_path, capsys):
    assert main(["--quick", "--only", "ratio,regimes,phases", "--out", str(tmp_path)]) == 0
    ratio = json.loads((tmp_path / "ratio.json").read_text())
    assert ratio["rows"] and all(r["identical_results"] for r in ratio["rows"])
    assert all(r["reference_cpu_ns_per_cw"] > 0 and r["numba_cpu_ns_per_cw"] > 0 for r in ratio["rows"])
    phases = json.loads((tmp_path / "phases.json").read_text())
    assert "give_help" in phases["rows"][0]["parts"]
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["machine"]["cores"] >= 1 and meta["parts"] == ["ratio", "regimes", "phases"]
    summary = (tmp_path / "SUMMARY.md").read_text()
    assert "## Targets" in summary and "numba engine vs Mesa reference" in summary


def test_unknown_part_is_a_usage_error(tmp_path, capsys):
    assert main(["--only", "ratio,nonsense", "--out", str(tmp_path)]) == 2
    assert "nonsense" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written before validation
