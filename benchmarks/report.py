"""The markdown summary of whatever results a benchmark run left in its folder, targets first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.startup import QUICK_COMMANDS as QUICK


def _load(out: Path, name: str) -> dict[str, Any] | None:
    path = out / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _when(part: dict[str, Any]) -> list[str]:
    """Which command measured this part, and when: parts can be re-run on their own (--only)."""
    prov = part.get("provenance")
    if not prov:
        return []
    quick = " **(quick mode: small sizes, not the published figures)**" if part.get("quick") else ""
    return [
        f"_Measured by `{prov['command']}`, finished {prov['finished']}, commit `{prov['machine'].get('commit')}`{quick}._",
        "",
    ]


def _dirty(m: dict[str, Any]) -> str:
    files = m.get("uncommitted_engine_files") or []
    return f" plus uncommitted changes to {len(files)} file(s) under hls_sim/ (listed in meta.json)" if files else ""


def _yes(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def targets(out: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    ratio = _load(out, "ratio")
    if ratio:
        default = [r for r in ratio["rows"] if r["citizens"] == 2000] or ratio["rows"]
        worst_step = min(r["ratio_step_cpu"] for r in default)
        worst_people = min(r["ratio_people_phase_cpu"] for r in default)
        largest = max(ratio["rows"], key=lambda r: r["citizens"])
        rows.append(
            [
                ">= 100x faster per citizen-week than the Mesa reference",
                f"whole week {worst_step:.0f}x, people phase {worst_people:.0f}x (default population, slowest regime);"
                f" whole week {largest['ratio_step_cpu']:.0f}x at {largest['citizens']:,} citizens",
                _yes(worst_step >= 100),
            ]
        )
    scaling = _load(out, "scaling")
    if scaling:
        big = [r for r in scaling["rows"] if r["citizens"] == 1_000_000 and r["weeks"] == 520]
        if big:
            r = big[0]
            rows.append(
                [
                    "1,000,000 citizens x 520 weeks in under 2 minutes",
                    f"{r['total_wall_s']:.0f} s (set-up {r['setup_s']:.0f} s + weeks {r['run_wall_s']:.0f} s)",
                    _yes(r["total_wall_s"] < 120),
                ]
            )
            rows.append(
                ["... and under 2 GB of memory", f"peak RSS {r['peak_rss_mb']:.0f} MB", _yes(r["peak_rss_mb"] < 2048)]
            )
        if scaling.get("flatness_10k_up"):
            f = scaling["flatness_10k_up"]
            rows.append(["cost per citizen-week flat (within 1.5x), 10k to 1M", f"max/min = {f:.2f}", _yes(f <= 1.5)])
    regimes = _load(out, "regimes")
    if regimes:
        slow = max(regimes["rows"], key=lambda r: r["wall_s"])
        rows.append(
            [
                f"default population, {slow['weeks']} weeks, any regime, under 1 s",
                f"slowest: {slow['regime']} {slow['wall_s']:.2f} s (set-up included)",
                _yes(slow["wall_s"] < 1.0 if slow["weeks"] == 520 else None),
            ]
        )
    start = _load(out, "startup")
    if start and "commands_s" in start:
        slowest = max(start["commands_s"].values())
        rows.append(
            [
                "`hls-sim --version` and `hls-sim params` answer in under 1 s",
                ", ".join(f"{n} {t:.2f} s" for n, t in start["commands_s"].items()),
                _yes(slowest < 1.0),
            ]
        )
    if start:
        rows.append(
            [
                "compilation cost stated; a new process with the cache does not pay it",
                f"compile {start['compile_cost_s']:.1f} s; first run in a new process:"
                f" {start['cold_empty_cache']['first_run_s']:.1f} s cold,"
                f" {start['warm_same_cache_new_process']['first_run_s']:.2f} s cached",
                _yes(
                    start["warm_same_cache_new_process"]["first_run_s"]
                    < 0.25 * start["cold_empty_cache"]["first_run_s"]
                ),
            ]
        )
    return rows


def markdown(out: Path) -> str:
    meta = _load(out, "meta") or {}
    m = meta.get("machine", {})
    lines = [
        "# hls_sim benchmarks",
        "",
        f"Last written by `{meta.get('command', 'python -m benchmarks')}` on {meta.get('finished', '?')}, commit"
        f" `{m.get('commit')}`{_dirty(m)}.",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gb')} GB; Python {m.get('python')},"
        f" numpy {m.get('numpy')}, numba {m.get('numba')}, mesa {m.get('mesa')}.",
        "Each section names the command that measured it (parts can be re-run alone with `--only`)."
        " Load averages are recorded with every part: above the core count, other work shared the CPU and"
        " wall times are pessimistic (CPU times less so).",
        "",
        "## Targets",
        "",
        *_table(["target", "measured", "met"], targets(out)),
    ]
    ratio = _load(out, "ratio")
    if ratio:
        lines += ["", "## numba engine vs Mesa reference (same seed, same results, one process)", ""]
        lines += _when(ratio)
        lines += _table(
            [
                "regime",
                "citizens",
                "weeks",
                "identical",
                "numba ns/cw (CPU)",
                "reference ns/cw (CPU)",
                "ratio, week",
                "ratio, people phase",
            ],
            [
                [
                    r["regime"],
                    f"{r['citizens']:,}",
                    r["weeks"],
                    r["identical_results"],
                    f"{r['numba_cpu_ns_per_cw']:.0f}",
                    f"{r['reference_cpu_ns_per_cw']:,.0f}",
                    f"{r['ratio_step_cpu']:.0f}x",
                    f"{r['ratio_people_phase_cpu']:.0f}x",
                ]
                for r in ratio["rows"]
            ],
        )
        lines.append(f"\nLoad average {ratio['load_before']} before, {ratio['load_after']} after.")
    scaling = _load(out, "scaling")
    if scaling:
        lines += ["", f"## Scaling ({scaling['weeks']} weeks, default regime, one process per size)", ""]
        lines += _when(scaling)
        lines += _table(
            [
                "citizens",
                "set-up s",
                "weeks s",
                "total s",
                "ns/cw (wall)",
                "ns/cw (CPU)",
                "peak RSS MB",
                "bytes/citizen",
                "load",
            ],
            [
                [
                    f"{r['citizens']:,}",
                    f"{r['setup_s']:.2f}",
                    f"{r['run_wall_s']:.2f}",
                    f"{r['total_wall_s']:.2f}",
                    f"{r['ns_per_citizen_week']:.0f}",
                    f"{r['cpu_ns_per_citizen_week']:.0f}",
                    f"{r['peak_rss_mb']:.0f}",
                    f"{r['bytes_per_citizen']:.0f}",
                    f"{r['load_before']}-{r['load_after']}",
                ]
                for r in scaling["rows"]
            ],
        )
        lines.append(
            "\nCPU time includes the helper thread that draws next week's random numbers (from 50,000 citizens),"
            " so it can exceed wall time."
        )
    regimes = _load(out, "regimes")
    if regimes:
        lines += ["", "## Default population (2,000 citizens), after compilation, best of repeats", ""]
        lines += _when(regimes)
        lines += _table(
            ["regime", "weeks", "wall s (set-up + weeks)", "CPU s"],
            [[r["regime"], r["weeks"], f"{r['wall_s']:.3f}", f"{r['cpu_s']:.3f}"] for r in regimes["rows"]],
        )
    phases = _load(out, "phases")
    if phases:
        lines += ["", "## Where a week goes (thread CPU ns per citizen-week, default regime)", ""]
        lines += _when(phases)
        names = list(dict.fromkeys(name for r in reversed(phases["rows"]) for name in r["parts"]))
        lines += _table(
            ["part", *[f"{r['citizens']:,} x {r['weeks']} wk" for r in phases["rows"]]],
            [[name, *[f"{r['parts'].get(name, 0.0):.1f}" for r in phases["rows"]]] for name in names]
            + [["**total**", *[f"**{r['cpu_ns_per_cw']:.0f}**" for r in phases["rows"]]]],
        )
    sweep = _load(out, "sweep")
    if sweep:
        lines += ["", f"## Sweep throughput ({sweep['citizens']:,} citizens, {sweep['weeks']} weeks, `run_sweep`)", ""]
        lines += _when(sweep)
        lines += _table(
            ["workers", "runs", "seconds", "runs/minute", "load"],
            [
                [
                    r["workers"],
                    r["runs"],
                    f"{r['seconds']:.1f}",
                    f"{r['runs_per_minute']:.0f}",
                    f"{r['load_before']}-{r['load_after']}",
                ]
                for r in sweep["rows"]
            ],
        )
        if sweep.get("bare_rows"):
            lines += ["", "Bare engine runs in an already-started process pool (no result store):", ""]
            lines += _table(
                ["workers", "runs", "seconds", "runs/minute", "load"],
                [
                    [
                        r["workers"],
                        r["runs"],
                        f"{r['seconds']:.1f}",
                        f"{r['runs_per_minute']:.0f}",
                        f"{r['load_before']}-{r['load_after']}",
                    ]
                    for r in sweep["bare_rows"]
                ],
            )
    start = _load(out, "startup")
    if start:
        lines += ["", "## Start-up of a new process", ""]
        lines += _when(start)
        lines += _table(
            ["numba cache", "import s", "first run s", "second run s"],
            [
                [label, f"{r['import_s']:.2f}", f"{r['first_run_s']:.2f}", f"{r['second_run_s']:.3f}"]
                for label, r in (
                    ("empty (compiles)", start["cold_empty_cache"]),
                    ("same directory, new process", start["warm_same_cache_new_process"]),
                    ("default, in-tree", start["default_in_tree_cache"]),
                )
            ],
        )
        if "commands_s" in start:
            lines += ["", "Commands that answer without loading the model (best of five new processes):", ""]
            lines += _table(
                ["command", "wall s"],
                [[f"`hls-sim {' '.join(QUICK[n])}`", f"{t:.2f}"] for n, t in start["commands_s"].items()],
            )
    return "\n".join(lines) + "\n"
