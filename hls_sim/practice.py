"""Levers that can differ from one provider to another: one provider practising HLS inside an NPM
market (the Neighbourhood Midwives case, 002 L4007), or a place-based team added beside threshold
services (Greater Manchester, 002 L4382-4384).

The parameter `provider_practice` holds a list of entries, each naming providers (by index, or every
provider of a service line) and the levers they practise differently. In a scenario file:

    [[providers.practice]]
    service_line = "housing"        # or: providers = [5, 6]
    eligibility_threshold = 0.0
    worker_discretion = 0.9
    walk_in = false                 # only reaches out; nobody walks in at its door
    workers_per_1000 = 2.0          # its own posts, funded on top of the rest
    organisation_only = false       # true: a newcomer taking the contract does not inherit these levers

On the command line or in Python it is the same list as JSON text. The resolved value is the
canonical JSON, so runs record it like any other parameter.
"""

from __future__ import annotations

import json
from typing import Any

from hls_sim.params import DOMAINS, PARAMS, ParameterError

# Levers a provider may practise differently; each is validated by its registry entry.
PRACTICE_LEVERS = (
    "eligibility_threshold",
    "caseload_cap",
    "worker_discretion",
    "discretionary_spend",
    "max_episode_weeks",
    "outreach_rate",
    "mission_weight",
    "workers_per_1000",
    "initial_reserves_weeks",
)
SELECTORS = ("providers", "service_line")
# walk_in: false = the provider only reaches out. organisation_only: true = the levers are the
# organisation's own way of working, not the contract's, so a newcomer that takes the contract after a
# tender or a failure does not inherit them (false: the commissioner contracts for them).
FLAGS = ("walk_in", "organisation_only")
MAX_ENTRIES = 64


def _err(msg: str, source: str) -> ParameterError:
    return ParameterError(msg, source=source, key="provider_practice")


def canonical(value: Any, *, source: str = "parameters") -> str:
    """Validate a `provider_practice` value (JSON text or a list of tables) and return canonical JSON."""
    if isinstance(value, str):
        try:
            data = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as exc:
            raise _err(
                f"invalid value for 'provider_practice': not JSON ({exc.msg}); allowed is a list of "
                'entries such as [{"providers": [0], "caseload_cap": 8}]',
                source,
            ) from None
        except RecursionError:
            raise _err(
                "invalid value for 'provider_practice': nested too deeply to read; allowed is a list of "
                'entries such as [{"providers": [0], "caseload_cap": 8}]',
                source,
            ) from None
    else:
        data = value
    if not isinstance(data, list) or len(data) > MAX_ENTRIES:
        raise _err(f"invalid value for 'provider_practice': allowed is a list of at most {MAX_ENTRIES} entries", source)
    out = []
    for n, entry in enumerate(data):
        where = f"provider_practice[{n}]"
        if not isinstance(entry, dict):
            raise _err(
                f"{where}: expected a table of levers such as "
                f'{{"providers": [0], "caseload_cap": 8}}, got {type(entry).__name__}',
                source,
            )
        chosen = [k for k in SELECTORS if k in entry]
        if len(chosen) != 1:
            raise _err(
                f"{where}: name the providers with exactly one of 'providers' (a list of indices) or "
                "'service_line' (a life domain)",
                source,
            )
        clean: dict[str, Any] = {}
        if "providers" in entry:
            idx = entry["providers"]
            if isinstance(idx, int) and not isinstance(idx, bool):
                idx = [idx]
            if (
                not isinstance(idx, list)
                or not idx
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 64 for i in idx)
            ):
                raise _err(f"{where}.providers: allowed is a non-empty list of provider indices from 0 to 63", source)
            clean["providers"] = sorted(set(idx))
        else:
            line = entry["service_line"]
            if line not in DOMAINS:
                raise _err(
                    f"{where}.service_line: {line!r} is not a life domain; allowed is one of {', '.join(DOMAINS)}",
                    source,
                )
            clean["service_line"] = line
        for key, val in entry.items():
            if key in SELECTORS:
                continue
            if key in FLAGS:
                if not isinstance(val, bool):
                    raise _err(f"{where}.{key}: allowed is true or false", source)
                clean[key] = val
            elif key in PRACTICE_LEVERS:
                clean[key] = PARAMS[key].coerce(val, source=source, key=f"{where}.{key}")
            else:
                allowed = ", ".join((*SELECTORS, *PRACTICE_LEVERS, *FLAGS))
                raise _err(f"{where}: unknown key {key!r}; allowed are {allowed}", source)
        out.append(clean)
    return json.dumps(out, sort_keys=True, separators=(",", ":"))


# Order in which provider slots take service lines: the domains where specialist services exist.
SERVICE_ORDER = (
    "housing",
    "mental_health",
    "income_debt",
    "substance_use",
    "physical_health",
    "work_learning",
    "relationships",
    "safety",
)


def service_lines(p: dict[str, Any]) -> list[int]:
    """Each provider's domain: explicit counts per domain (service_lines_*) or the default rotation."""
    counts = [int(p.get(f"service_lines_{d}", 0)) for d in DOMAINS]
    if sum(counts) > 0:
        return [k for k, c in enumerate(counts) for _ in range(c)]
    return [DOMAINS.index(SERVICE_ORDER[k % len(SERVICE_ORDER)]) for k in range(p["n_providers"])]


def place_problems(p: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for each provider that `provider_practice` names but the place does not have."""
    try:
        data = entries(p["provider_practice"])
    except (ValueError, RecursionError):  # canonical() has already refused what it cannot read
        return []
    domains = service_lines(p)
    n = len(domains)
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(data):
        if "providers" in entry:
            bad = [k for k in entry["providers"] if k >= n]
            if bad:
                out.append(
                    (
                        "provider_practice",
                        f"entry {i} names provider {bad[0]}, but the place has {n} provider{'s' * (n != 1)}; "
                        f"allowed are 0 to {n - 1}",
                    )
                )
        elif DOMAINS.index(entry["service_line"]) not in domains:
            served = ", ".join(sorted({DOMAINS[d] for d in domains}))
            out.append(
                (
                    "provider_practice",
                    f"entry {i} names service line {entry['service_line']!r}, which no provider of the place "
                    f"serves; allowed are {served}",
                )
            )
    return out


def entries(text: str) -> list[dict[str, Any]]:
    return json.loads(text) if text else []


def providers_of(
    entry: dict[str, Any], domains: list[int], n_providers: int, *, source: str = "parameters"
) -> list[int]:
    """The provider indices an entry names, checked against the place's providers."""
    if "providers" in entry:
        bad = [k for k in entry["providers"] if k >= n_providers]
        if bad:
            raise _err(
                f"provider_practice names provider {bad[0]}, but the place has {n_providers} (0 to {n_providers - 1})",
                source,
            )
        return list(entry["providers"])
    d = DOMAINS.index(entry["service_line"])
    ks = [k for k, dk in enumerate(domains) if dk == d]
    if not ks:
        raise _err(f"provider_practice names service line {entry['service_line']!r}, which no provider serves", source)
    return ks
