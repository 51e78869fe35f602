"""The benchmark command runs against the model as it is and writes what the docs quote.

Timings are never asserted: only that each part measured what it says it measured (the calls the
step really makes, a twin that leaves the lives alone, timers removed afterwards).
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys

import numba.core.registry

import benchmarks.million
import hls_sim.model
from benchmarks.__main__ import DEFAULT, main, select_parts
from benchmarks.calltree import calls
from benchmarks.phases import measure
from hls_sim.model import HLSModel
from hls_sim.provider import Provider


def _kernels_called_in(method) -> list[str]:
    """The numba kernels a method of the model calls, read independently of benchmarks.calltree."""
    source = inspect.getsource(method)
    names = re.findall(r"\b([a-z_]+)\(", source)
    kernels = [n for n in names if isinstance(getattr(hls_sim.model, n, None), numba.core.registry.CPUDispatcher)]
    return list(dict.fromkeys(kernels))


def test_quick_benchmarks_write_results_and_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(benchmarks.million, "QUICK", (3_000, 10, 2))  # the path, at a test's size
    assert main(["--quick", "--only", "ratio,regimes,phases,twin,split", "--million", "--out", str(tmp_path)]) == 0
    ratio = json.loads((tmp_path / "ratio.json").read_text())
    assert ratio["rows"] and all(r["identical_results"] for r in ratio["rows"])
    assert all(r["reference_cpu_ns_per_cw"] > 0 and r["numba_cpu_ns_per_cw"] > 0 for r in ratio["rows"])

    phases = json.loads((tmp_path / "phases.json").read_text())
    proto = HLSModel(seed=1, citizens=200, weeks=2)
    for root, key in ((HLSModel.step, "week_ns_per_cw"), (HLSModel.__init__, "setup_ns_per_citizen")):
        table = phases["rows"][0][key]
        assert [ph["phase"] for ph in table["phases"]] == [c.label for c in calls(root, proto)]  # the code's order
        for ph in table["phases"]:
            method = getattr(HLSModel, ph["phase"], None)
            if method is None:
                continue
            timed = {p["part"]: p["ns"] for p in ph["parts"]}
            kernels = _kernels_called_in(method)
            assert all(timed.get(k, 0.0) > 0.0 for k in kernels), (ph["phase"], kernels, timed)  # really timed
    week = phases["rows"][0]["week_ns_per_cw"]
    assert any(p["part"] == "life_step" and p["ns"] > 0 for ph in week["phases"] for p in ph["parts"])

    twin = json.loads((tmp_path / "twin.json").read_text())
    row = twin["rows"][0]
    assert row["lives_identical"], row["keys_that_differ"]  # the twin only adds the impact keys
    assert "impact_wellbeing" in row["keys_that_differ"]
    assert row["twin_on"]["life_step_cpu"] > 0 and row["twin_off"]["life_step_cpu"] > 0

    split = json.loads((tmp_path / "split.json").read_text())
    assert all(r["identical"] for r in split["rows"])  # the lives on two threads change no result
    assert all(r["one_thread"]["wall"] > 0 and r["two_threads"]["wall"] > 0 for r in split["rows"])

    million = json.loads((tmp_path / "million.json").read_text())
    assert [r["twin"] for r in million["rows"]] == [True, False]
    assert million["rows"][0]["impact_wellbeing"] is not None and million["rows"][1]["impact_wellbeing"] is None
    assert million["phases"]["rows"][0]["citizens"] == 3_000

    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["machine"]["cores"] >= 1 and meta["parts"] == ["ratio", "regimes", "phases", "twin", "split", "million"]
    summary = (tmp_path / "SUMMARY.md").read_text()
    assert "## Targets" in summary and "numba engine vs Mesa reference" in summary
    assert "two threads against one" in summary
    assert "no-service twin" in summary and "Where the time goes at 3,000 citizens" in summary
    assert "not measured here" in summary  # quick sizes never stand in for the million-citizen target


def test_timers_are_removed_after_a_measurement():
    kernel = hls_sim.model.life_step
    set_pressure = vars(Provider)["set_pressure"]
    own_methods = dict(vars(HLSModel))
    measure(300, 3)
    assert hls_sim.model.life_step is kernel
    assert vars(Provider)["set_pressure"] is set_pressure
    assert dict(vars(HLSModel)) == own_methods


SAMPLE = """
import numpy as np


def helper(x):
    return x


class Worker:
    def work(self):
        return 1


class Org:
    def act(self):
        return 2


class Model:
    def __init__(self):
        self.org = Org()
        self.workers = [Worker()]

    def own(self):
        return 3

    def week(self):
        np.zeros(3)
        helper(self.own())
        for w in self.workers:
            w.work()
        self.org.act()
        len([])
        helper(1)
"""


def test_calls_are_read_in_order_and_resolved_to_where_they_are_looked_up(tmp_path, monkeypatch):
    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text("")
    (tmp_path / "pkgx" / "mod.py").write_text(SAMPLE)
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("pkgx.mod")
    try:
        found = calls(mod.Model.week, mod.Model(), package="pkgx")
    finally:
        for name in ("pkgx.mod", "pkgx"):
            sys.modules.pop(name, None)
    # numpy and builtins are not the package's: they stay in the phase's own time
    assert [c.label for c in found] == ["own", "helper", "Worker.work", "org.act"]
    where = {c.label: (c.owner, c.name) for c in found}
    assert where["own"] == (mod.Model, "own") and where["helper"] == (mod, "helper")
    assert where["Worker.work"] == (mod.Worker, "work") and where["org.act"] == (mod.Org, "act")


def test_the_million_citizen_runs_are_opt_in():
    assert "million" not in DEFAULT
    assert select_parts(None, False) == DEFAULT
    assert select_parts(None, True) == [*DEFAULT, "million"]
    assert select_parts("ratio,million", True) == ["ratio", "million"]


def test_unknown_part_is_a_usage_error(tmp_path, capsys):
    assert main(["--only", "ratio,nonsense", "--out", str(tmp_path)]) == 2
    assert "nonsense" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written before validation
