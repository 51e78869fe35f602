"""An installed copy without the repository still finds the shipped scenarios and experiments.

A policy team may install a built wheel rather than clone the repository; before the files were
carried in the wheel, `hls-sim run --scenario plymouth_alliance` and `hls-sim validate` failed
there. These tests build the wheel the way pip does, from a copy of the sources (so that nothing
is built inside the checkout), and run the package from it, outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from hls_sim.shipped import shipped_dir

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_package_list_matches_the_source_tree() -> None:
    """The explicit package list must not silently leave out a new subpackage."""
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "hls_sim").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    listed = set(CONFIG["packages"])
    assert found == {p for p in listed if not p.startswith("hls_sim._shipped")}
    mapped = CONFIG["package-dir"]
    assert {p for p in listed if p.startswith("hls_sim._shipped")} == set(mapped)
    for package, folder in mapped.items():
        assert any((ROOT / folder).glob("*.toml")), (package, folder)


def test_a_checkout_reads_its_own_folders() -> None:
    assert shipped_dir("scenarios") == ROOT / "scenarios"
    assert shipped_dir("experiments", "validation") == ROOT / "experiments" / "validation"


def _source_copy(dest: Path) -> Path:
    """The checkout's sources, copied, so that building leaves no build/ or egg-info in the checkout."""
    skip = shutil.ignore_patterns(
        ".git", ".venv*", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.nbi", "*.nbc", "results",
        ".pytest_cache", ".hypothesis", ".ruff_cache", ".benchmarks", "artifacts",
    )  # fmt: skip
    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


@pytest.mark.slow
def test_an_installed_wheel_finds_the_shipped_files(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    before = sorted(p.name for p in ROOT.iterdir())
    source = _source_copy(tmp_path / "source")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before  # nothing built inside the checkout
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, sub in (
        ("scenarios", "scenarios"),
        ("experiments", "experiments"),
        ("experiments/validation", "experiments/validation"),
    ):
        for f in (ROOT / folder).glob("*.toml"):
            assert f"hls_sim/_shipped/{sub}/{f.name}" in names
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    probe = (
        "import hls_sim, hls_sim.scenarios as s, hls_sim.sweep.experiment as e, hls_sim.validation as v\n"
        f"assert hls_sim.__file__.startswith({str(site)!r}), hls_sim.__file__\n"
        "assert 'plymouth_alliance' in s.named_scenarios()\n"
        "s.load_scenario('plymouth_alliance').parameters()\n"
        "assert len(v.load_patterns()) == 8\n"
        "e.load_experiment('campbell_law')\n"
        "import hls_sim.bibliography as b\n"
        "assert b.cite('002 L6600').startswith('Human Learning Systems 2021')\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
