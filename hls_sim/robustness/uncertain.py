"""Which parameters a robustness study varies, and over which range: the one rule, in one place.

A parameter is uncertain when the registry (`hls_sim/params.py`) documents its value as an
assumption, and it is varied only when varying it asks "is the conclusion true of the world
whatever this size turns out to be?" rather than changing what is being compared or how it is
measured. The rule is written out in `RULE` (printed in every report), applied by
`uncertain_parameters`, and picks up new parameters by itself: a parameter added to the
registry with an "assumption" source is varied from then on.

Ranges come from, in order: a `--ranges` file the user gives; the calibration priors in
`experiments/validation/calibration.toml` (ranges a modeller wrote down with reasons); else the
default rule, which moves the default's distance to the nearer end of its registry range by a
factor of two either way, log-uniformly (so the default is the median). That is "default ×/÷ 2"
for a size near zero (crisis cost 750 to 3,000) and, for a value near an upper bound, keeps the
distance to that bound within a factor of two (a memory of 0.98, a time scale of about 50 weeks,
is varied from 0.961 to 0.9895, time scales of 25 to 100 weeks), so the range never leaves the
registry's and never turns a slow process into an instant one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hls_sim.errors import InputError
from hls_sim.params import PARAMS, Param, suggest
from hls_sim.shipped import shipped_dir

ASSUMPTION = "assumption"
CALIBRATION_FILE = shipped_dir("experiments", "validation") / "calibration.toml"
FACTOR = 2.0  # the default rule's spread: the distance to the nearer bound x/÷ FACTOR

# Registry groups whose parameters are never varied, and why (shown in the report).
HELD_GROUPS = {
    "run": "a setting of the run (size, length, burn-in), not a property of the world",
    "levers": "a lever a commissioner chooses (regimes are bundles of levers); vary it with `hls-sim sweep`",
}

RULE = (
    "A parameter is varied when (1) its registry source contains the word 'assumption'; (2) it is a number "
    "(switches and choices are designs, not sizes); (3) it is not in the 'run' group (population, length, "
    "burn-in, seed) or the 'levers' group (what a commissioner chooses: regimes are bundles of levers, and "
    "a lever is what is compared, not what is uncertain); (4) neither arm sets it on purpose (in its scenario "
    "files, its regime's bundle, or with --set). Its range is the one a --ranges file gives, else its "
    "calibration prior in experiments/validation/calibration.toml (uniform), else the default rule: the "
    "default's distance to the nearer end of its registry range times or divided by 2, log-uniform (the "
    "default is the median; a default at the very end of its range has no such range and is held). "
    "Every range lies inside the registry's."
)


@dataclass(frozen=True)
class Uncertain:
    """One varied parameter: its range and how a unit coordinate in [0, 1] maps into it."""

    name: str
    default: float
    lo: float  # the lowest and highest value it takes
    hi: float
    scale: str  # "uniform" or "log-distance"
    anchor: float  # log-distance: the registry bound the distance is measured from
    origin: str  # "ranges file", "calibration prior" or "default rule"
    why: str
    integer: bool

    def value(self, u: float) -> float | int:
        """The parameter's value at unit coordinate `u` (0 gives `lo`, 1 gives `hi`, monotone)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.scale == "uniform":
            x = self.lo + u * (self.hi - self.lo)
        else:  # log-uniform in the distance to the anchor, and increasing in u on either side of it
            near, far = sorted((abs(self.lo - self.anchor), abs(self.hi - self.anchor)))
            if self.anchor <= self.lo:
                x = self.anchor + near * (far / near) ** u
            else:
                x = self.anchor - far * (near / far) ** u
        x = min(max(x, self.lo), self.hi)
        return int(round(x)) if self.integer else float(x)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "low": self.lo,
            "high": self.hi,
            "scale": self.scale,
            "origin": self.origin,
            "why": self.why,
            "integer": self.integer,
            "registry_range": [PARAMS[self.name].lo, PARAMS[self.name].hi],
            "source": PARAMS[self.name].source,
        }


@dataclass(frozen=True)
class Held:
    """A parameter documented as an assumption that is nonetheless held at its value, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class RangeSpec:
    lo: float
    hi: float
    why: str
    origin: str


def is_assumption(p: Param) -> bool:
    return ASSUMPTION in p.source.lower()


def set_by_arms(arms: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Every parameter an arm sets on purpose (its overrides and its regimes' bundles) -> the arms."""
    from hls_sim.params import resolve
    from hls_sim.regimes import regime_levers

    out: dict[str, list[str]] = {}
    for label, over in arms.items():
        params = resolve(dict(over))
        keys = set(over) | set(regime_levers(params["regime"]))
        if int(params.get("switch_week", 0)) > 0:
            keys |= set(regime_levers(params["switch_regime"]))
        for key in sorted(keys - {"seed"}):
            out.setdefault(key, []).append(label)
    return out


def uncertain_parameters(
    arms: Mapping[str, Mapping[str, Any]],
    *,
    fixed: Iterable[str] = (),
    ranges: Mapping[str, RangeSpec] | None = None,
    calibration: Mapping[str, RangeSpec] | None = None,
) -> tuple[list[Uncertain], list[Held]]:
    """The parameters to vary for comparing `arms` (label -> overrides), in registry order, and the
    assumptions held fixed with the reason. `fixed` are keys the command line sets for both arms."""
    ranges = dict(ranges or {})
    calibration = dict(calibration if calibration is not None else calibration_ranges())
    setters = set_by_arms(arms)
    fixed = set(fixed)
    varied: list[Uncertain] = []
    held: list[Held] = []
    for p in PARAMS.values():
        if not is_assumption(p):
            continue
        reason = hold_reason(p, setters.get(p.name, []), p.name in fixed)
        if reason:
            held.append(Held(p.name, reason))
            continue
        spec = ranges.get(p.name) or calibration.get(p.name)
        u = _from_spec(p, spec) if spec is not None else _default_rule(p)
        if isinstance(u, str):
            held.append(Held(p.name, u))
        else:
            varied.append(u)
    return varied, held


def hold_reason(p: Param, setters: list[str], fixed: bool) -> str:
    """Why an assumption is held at its value ('' when it is varied)."""
    if p.group in HELD_GROUPS:
        return HELD_GROUPS[p.group]
    if p.kind not in (int, float) or p.choices is not None:
        return "a switch or a choice, not a size"
    if fixed:
        return "set with --set, --citizens or --weeks for both arms"
    if setters:
        return f"set on purpose by {' and '.join(setters)} (scenario, regime or --set): part of what is compared"
    return ""


def _from_spec(p: Param, spec: RangeSpec) -> Uncertain:
    return Uncertain(
        p.name,
        float(p.default),
        float(spec.lo),
        float(spec.hi),
        "uniform",
        float(spec.lo),
        spec.origin,
        spec.why,
        p.kind is int,
    )


def _default_rule(p: Param) -> Uncertain | str:
    x = float(p.default)
    lo = -math.inf if p.lo is None else float(p.lo)
    hi = math.inf if p.hi is None else float(p.hi)
    near_lo = (x - lo) <= (hi - x)
    anchor = lo if near_lo else hi
    d = abs(x - anchor)
    if not math.isfinite(d) or d <= 0.0:
        return "its default is the end of its registry range (a mechanism switched off or at its limit), so there is no range around it; give one in a --ranges file"
    a, b = d / FACTOR, d * FACTOR
    low, high = (anchor + a, anchor + b) if near_lo else (anchor - b, anchor - a)
    low, high = _tidy(max(low, lo)), _tidy(min(high, hi))
    if p.kind is int:  # whole numbers strictly between the anchor and the far end
        low, high = float(math.ceil(low)), float(math.floor(high))
        if high <= low:
            return "an integer whose default-rule range holds a single value; give a range in a --ranges file"
    side = "zero" if near_lo and anchor == 0 else f"its bound {anchor:g}"
    why = f"default rule: the default's distance to {side} ({d:g}) times or divided by {FACTOR:g}, log-uniform"
    return Uncertain(p.name, x, low, high, "log-distance", anchor, "default rule", why, p.kind is int)


def _tidy(x: float) -> float:
    """Drop the last bits of floating-point residue (1 - 0.6 is 0.3999999999999999)."""
    return float(f"{x:.12g}")


# ---------------------------------------------------------------------------- range files


def read_ranges(path: Path, *, origin: str, only_parameters: bool) -> dict[str, RangeSpec]:
    """`[parameters.NAME] range = [low, high]` and `why = "..."` tables, checked (InputError names file and key).

    `only_parameters`: a user's --ranges file may hold nothing else; calibration.toml holds its
    own settings beside the table, which are its loader's business.
    """
    from hls_sim.tomlfile import read_toml

    source = str(path)
    data, _ = read_toml(path, source)
    if only_parameters:
        for key in data:
            if key not in ("parameters", "title", "description"):
                raise InputError(
                    source,
                    key,
                    f"unknown key{suggest(key, ['parameters'])}; allowed are parameters, title, description",
                )
    for key in ("title", "description"):
        if key in data and not isinstance(data[key], str):
            raise InputError(source, key, f"invalid value {data[key]!r}: allowed is a string")
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        raise InputError(
            source, "parameters", 'allowed is a table [parameters.NAME] with range = [low, high] and why = "..."'
        )
    out: dict[str, RangeSpec] = {}
    for name, spec in table.items():
        key = f"parameters.{name}"
        if name not in PARAMS:
            raise InputError(
                source,
                key,
                f"unknown parameter{suggest(name, list(PARAMS))}; allowed are the names `hls-sim params` lists",
            )
        p = PARAMS[name]
        if p.kind not in (int, float) or p.choices is not None:
            raise InputError(source, key, "allowed are numeric parameters (a switch or a choice has no range)")
        if not is_assumption(p):
            raise InputError(
                source,
                key,
                f"'{name}' is not documented as an assumption (its source is '{p.source}'); allowed are parameters "
                "whose registry source contains 'assumption'",
            )
        if not isinstance(spec, dict):
            raise InputError(source, key, 'allowed is a table with range = [low, high] and why = "..."')
        for k in spec:
            if k not in ("range", "why"):
                raise InputError(source, f"{key}.{k}", "unknown key; allowed are range and why")
        rng = spec.get("range")
        if not (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
            and rng[0] < rng[1]
        ):
            raise InputError(source, f"{key}.range", f"got {rng!r}; allowed is [low, high] with low < high")
        lo, hi = (p.coerce(float(v) if p.kind is float else v, source=source, key=f"{key}.range") for v in rng)
        why = spec.get("why", "")
        if not isinstance(why, str):
            raise InputError(source, f"{key}.why", "allowed is a text saying where the range comes from")
        out[name] = RangeSpec(float(lo), float(hi), why or f"given in {path.name}", origin)
    return out


def calibration_ranges(path: Path | None = None) -> dict[str, RangeSpec]:
    """The calibration priors, if the calibration file is there (an installed copy may lack it)."""
    path = path or CALIBRATION_FILE
    if not path.is_file():
        return {}
    return read_ranges(path, origin="calibration prior", only_parameters=False)
