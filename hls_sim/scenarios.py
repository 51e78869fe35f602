"""Scenario files: a place, a population and a regime described in a plain TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hls_sim.params import PARAMS, ParameterError, unknown_key_error

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def scenario_path(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        return path
    candidate = SCENARIO_DIR / f"{name}.toml"
    if candidate.exists():
        return candidate
    raise ParameterError(f"no scenario named '{name}' (looked for {path} and {candidate})", key="scenario")


def load_file(path: Path) -> dict[str, Any]:
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"not a valid TOML file: {exc}", source=source) from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("description", "source"):
            continue
        if key not in PARAMS:
            raise unknown_key_error(key, source=source)
        out[key] = PARAMS[key].coerce(value, source=source, key=key)
    return out


def scenario_overrides(name: str | None) -> dict[str, Any]:
    """Parameter overrides of a named scenario or scenario file; {} for the built-in default."""
    if name is None:
        return {}
    return load_file(scenario_path(name))
