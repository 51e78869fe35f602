"""The three lessons execute headless from top to bottom, export to Jupyter, and teach what they say."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.browser import ARTIFACTS, chromium, chromium_path, free_port, wait_for_port

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = ("campbell_law", "payment_by_results", "trust_learning_alliance")


def run_notebook(name: str) -> dict:
    """Execute every cell with the widgets at their starting values; return the notebook's globals."""
    spec = importlib.util.spec_from_file_location(f"lesson_{name}", NOTEBOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _outputs, defs = module.app.run()
    return dict(defs)


@pytest.fixture(scope="module")
def executed():
    return {name: run_notebook(name) for name in LESSONS}


def test_campbell_lesson(executed):
    defs = executed["campbell_law"]
    campbell = defs["campbell"]
    assert campbell["incentive_strength"].n_unique() == 6 and campbell["seed"].n_unique() == defs["seeds"].value
    by = campbell.group_by("incentive_strength").agg(pl.col("campbell_gap").mean()).sort("incentive_strength")
    assert by["campbell_gap"][-1] > by["campbell_gap"][0]
    assert defs["one_run"].params["incentive_strength"] == defs["stakes"].value


def test_payment_by_results_lesson(executed):
    defs = executed["payment_by_results"]
    assert set(defs["results"]) == {"block_grant", "payment_by_results"}
    runs = defs["runs"]
    pbr = runs.filter(pl.col("label") == "payment_by_results")["gaming_cream_skimming"].mean()
    block = runs.filter(pl.col("label") == "block_grant")["gaming_cream_skimming"].mean()
    assert pbr > block  # outcome payments make selective intake pay, a block grant does not
    assert defs["deciles"].height == 20


def test_trust_lesson(executed):
    defs = executed["trust_learning_alliance"]
    switch = defs["switch"].value
    moved = defs["moved"][0]
    regimes = moved.timeseries["regime"].to_list()
    assert regimes[switch - 1] == defs["start"].value and regimes[switch] == defs["target"].value
    assert set(defs["ingredients"]["label"]) == {
        "alliance",
        "alliance + learning cycles",
        "alliance + steward",
        "hls (everything)",
    }


@pytest.mark.parametrize("name", LESSONS)
def test_exports_to_jupyter(name, tmp_path):
    out = tmp_path / f"{name}.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "ipynb", str(NOTEBOOKS / f"{name}.py"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    nb = json.loads(out.read_text())
    assert nb["nbformat"] == 4
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert any("Questions for discussion" in s for s in sources)
    assert any("hls_sim" in s for s in sources)


@pytest.mark.parametrize("name", LESSONS)
def test_marimo_finds_no_errors(name):
    proc = subprocess.run(
        [sys.executable, "-m", "marimo", "check", str(NOTEBOOKS / f"{name}.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (.ci/system-deps installs it; CI fails instead of skipping)",
)
def test_lesson_runs_as_an_offline_app(tmp_path):
    """`marimo run` serves the lesson with its own front end: the charts draw with the internet cut off."""
    port = free_port()
    log = tmp_path / "marimo.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "marimo", "run", str(NOTEBOOKS / "campbell_law.py"), "--headless", "--no-token"]
            + ["--host", "127.0.0.1", "--port", str(port)],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=120)
        with chromium(width=1200, height=900) as page:
            page.goto(f"http://127.0.0.1:{port}/", timeout=120)
            page.wait_for(
                "document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length >= 3",
                timeout=240,
                what="the lesson's charts",
            )
            page.wait_for(
                "document.body.innerText.includes('Questions for discussion')"
                " && document.body.innerText.includes('Sources')",
                timeout=120,
                what="the questions and the sources",
            )
            assert "Human Learning Systems 2021" in page.js("document.body.innerText")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(ARTIFACTS / "lesson_campbell_law.png", full_page=False)
            assert page.external_requests() == []
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
