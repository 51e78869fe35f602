"""The markdown summary of whatever results a benchmark run left in its folder, targets first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.million import twin_ratios
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


def _million_rows(out: Path) -> list[dict[str, Any]]:
    mil = _load(out, "million")
    return mil["rows"] if mil else []


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
                ">= 100x faster per citizen-week than the Mesa reference (issue 7)",
                f"whole week {worst_step:.0f}x, people phase {worst_people:.0f}x (default population, slowest regime);"
                f" whole week {largest['ratio_step_cpu']:.0f}x at {largest['citizens']:,} citizens",
                _yes(worst_step >= 100),
            ]
        )
    mil = _load(out, "million")
    on = [r for r in _million_rows(out) if r.get("twin", True) and r["citizens"] == 1_000_000 and r["weeks"] == 520]
    if on:
        r = on[0]
        rows.append(
            [
                "1,000,000 citizens x 520 weeks, twin on, in under 2 minutes (issues 14, 15)",
                f"{r['total_wall_s']:.0f} s wall (set-up {r['setup_s']:.0f} s + weeks {r['run_wall_s']:.0f} s),"
                f" load {r['load_before']}-{r['load_after']}; CPU {r['setup_cpu_s'] + r['run_cpu_s']:.0f} s (both threads)",
                _yes(r["total_wall_s"] < 120),
            ]
        )
        rows.append(
            [
                "... in under 2.5 GB (issue 15; 2 GB in issues 7 and 14)",
                f"peak RSS {r['peak_rss_mb']:,.0f} MB",
                _yes(r["peak_rss_mb"] < 2560),
            ]
        )
    else:
        rows.append(
            [
                "1,000,000 citizens x 520 weeks, twin on, in under 2 minutes and 2.5 GB (issues 14, 15)",
                "not measured here (opt-in: `python -m benchmarks --million`)"
                + (" (only the quick sizes were run)" if mil else ""),
                "n/a",
            ]
        )
    tw = _load(out, "twin")
    if tw:
        full = [r for r in tw["rows"] if r["weeks"] == 520] or tw["rows"]
        worst = max(r["ratio"]["run_cpu"] for r in full)
        sizes = ", ".join(
            f"{r['ratio']['run_cpu']:.2f}x at {r['citizens']:,} x {r['weeks']} wk"
            f" (weeks alone {r['ratio']['weeks_cpu']:.2f}x)"
            for r in tw["rows"]
        )
        at_scale = ""
        big = twin_ratios(*mil["rows"]) if mil and on else None
        if big:
            at_scale = (
                f"; 1,000,000 x 520 wk (one run each, CPU): {big['run_cpu']:.2f}x (weeks alone {big['weeks_cpu']:.2f}x)"
            )
        rows.append(
            [
                f"the no-service twin costs at most {tw['target_ratio']}x the run without it (issue 15)",
                f"twin on / off, whole run (set-up + weeks, CPU, best of alternating runs): {sizes}{at_scale}",
                _yes(worst <= tw["target_ratio"] and (big is None or big["run_cpu"] <= tw["target_ratio"])),
            ]
        )
    scaling = _load(out, "scaling")
    if scaling:
        both = [r for r in [*scaling["rows"], *on] if r["weeks"] == 520 and r["citizens"] >= 10_000]
        if len(both) >= 2:
            wall = [r["ns_per_citizen_week"] for r in both]
            cpu = [r["cpu_ns_per_citizen_week"] for r in both]
            fw, fc = max(wall) / min(wall), max(cpu) / min(cpu)
            span = f"{min(r['citizens'] for r in both):,} to {max(r['citizens'] for r in both):,}"
            met = _yes(fw <= 1.5) if fw <= 1.5 or fc > 1.5 else f"{_yes(False)} (wall), yes (CPU)"
            rows.append(
                [
                    "cost per citizen-week flat (within 1.5x), 10,000 to 1,000,000 (issue 7)",
                    f"max/min over {span} citizens: {fw:.2f} wall, {fc:.2f} CPU",
                    met if on else "n/a (1,000,000 not measured)",
                ]
            )
    regimes = _load(out, "regimes")
    if regimes:
        slow = max(regimes["rows"], key=lambda r: r["wall_s"])
        rows.append(
            [
                f"default population, {slow['weeks']} weeks, any regime, under 1 s (issue 7)",
                f"slowest: {slow['regime']} {slow['wall_s']:.2f} s wall, {slow['cpu_s']:.2f} s CPU (set-up included)",
                _yes(slow["wall_s"] < 1.0 if slow["weeks"] == 520 else None),
            ]
        )
    start = _load(out, "startup")
    if start and "commands_s" in start:
        slowest = max(start["commands_s"].values())
        rows.append(
            [
                "`hls-sim --version` and `hls-sim params` answer in under 1 s (issue 18)",
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


def _scale_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            f"{r['citizens']:,}",
            "on" if r.get("twin", True) else "off",
            f"{r['setup_s']:.2f}",
            f"{r['run_wall_s']:.2f}",
            f"{r['total_wall_s']:.2f}",
            f"{r['ns_per_citizen_week']:.0f}",
            f"{r['cpu_ns_per_citizen_week']:.0f}",
            f"{r['peak_rss_mb']:,.0f}",
            f"{r['bytes_per_citizen']:,.0f}",
            f"{r['load_before']}-{r['load_after']}",
        ]
        for r in rows
    ]


SCALE_HEADER = [
    "citizens",
    "twin",
    "set-up s",
    "weeks s",
    "total s",
    "ns/cw (wall)",
    "ns/cw (CPU)",
    "peak RSS MB",
    "bytes/citizen",
    "load",
]


def _phase_table(rows: list[dict[str, Any]], key: str) -> list[str]:
    """Phases in the order the model runs them, each followed by its calls; one column per size."""
    names: list[tuple[str, str | None]] = []
    for r in rows:
        for ph in r[key]["phases"]:
            if (ph["phase"], None) not in names:
                names.append((ph["phase"], None))
            for part in ph["parts"]:
                if (ph["phase"], part["part"]) not in names:
                    names.append((ph["phase"], part["part"]))

    def value(r: dict[str, Any], phase: str, part: str | None) -> float:
        for ph in r[key]["phases"]:
            if ph["phase"] == phase:
                if part is None:
                    return ph["ns"]
                return next((p["ns"] for p in ph["parts"] if p["part"] == part), 0.0)
        return 0.0

    body = [
        [f"**{phase}**" if part is None else f"&nbsp;&nbsp;{part}", *[f"{value(r, phase, part):,.1f}" for r in rows]]
        for phase, part in names
    ]
    body.append(["outside the phases", *[f"{r[key]['outside_phases_ns']:,.1f}" for r in rows]])
    body.append(["**total**", *[f"**{r[key]['ns']:,.0f}**" for r in rows]])
    return _table(["phase / call", *[f"{r['citizens']:,} x {r['weeks']} wk" for r in rows]], body)


def _phases_section(phases: dict[str, Any], title: str) -> list[str]:
    lines = ["", f"## {title}", ""]
    lines += _when(phases)
    lines += ["Each week (thread CPU ns per citizen-week, default regime, twin on):", ""]
    lines += _phase_table(phases["rows"], "week_ns_per_cw")
    lines += ["", "Set-up (thread CPU ns per citizen; `_warm_up` runs the lives without services first):", ""]
    lines += _phase_table(phases["rows"], "setup_ns_per_citizen")
    return lines


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
        lines += _table(SCALE_HEADER, _scale_rows(scaling["rows"]))
        lines.append(
            "\nCPU time includes the helper threads that live half of each week's lives (from SPLIT_MIN_ROWS"
            " citizens) and draw next week's random numbers (from 50,000), so it can exceed wall time."
        )
    mil = _load(out, "million")
    if mil:
        lines += ["", f"## {mil['citizens']:,} citizens x {mil['weeks']} weeks, twin on and off (opt-in part)", ""]
        lines += _when(mil)
        lines += _table(SCALE_HEADER, _scale_rows(mil["rows"]))
        lines.append(
            "\nTwin on / off: {run_cpu:.2f}x the whole run and {weeks_cpu:.2f}x the weeks alone in CPU time"
            " (both threads); {run_wall:.2f}x and {weeks_wall:.2f}x in wall time.".format(**twin_ratios(*mil["rows"]))
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
        lines += _phases_section(phases, "Where the time goes")
    if mil:
        lines += _phases_section(
            mil["phases"] | {"provenance": mil.get("provenance"), "quick": mil.get("quick")},
            f"Where the time goes at {mil['citizens']:,} citizens",
        )
    tw = _load(out, "twin")
    if tw:
        lines += ["", "## The no-service twin: on against off (same seed and size, one process, alternating)", ""]
        lines += _when(tw)
        lines += _table(
            [
                "citizens",
                "weeks",
                "best of",
                "run s, off / on (CPU)",
                "ratio, run (CPU)",
                "ratio, run (wall)",
                "ratio, weeks (CPU)",
                "ratio, life kernel",
                "lives identical",
            ],
            [
                [
                    f"{r['citizens']:,}",
                    r["weeks"],
                    r["repeats"],
                    f"{r['twin_off']['run_cpu']:.2f} / {r['twin_on']['run_cpu']:.2f}",
                    f"{r['ratio']['run_cpu']:.2f}x",
                    f"{r['ratio']['run_wall']:.2f}x",
                    f"{r['ratio']['weeks_cpu']:.2f}x",
                    f"{r['ratio']['life_step_cpu']:.2f}x",
                    r["lives_identical"],
                ]
                for r in tw["rows"]
            ],
        )
        lines.append(
            "\nRun = set-up (which includes the twin-less warm-up of every life) + weeks. Lives identical: the two"
            " summaries differ only in the impact keys, which are undefined without the twin."
            f" Load average {tw['load_before']} before, {tw['load_after']} after."
        )
    sp = _load(out, "split")
    if sp:
        lines += ["", "## The lives on two threads against one (whole runs, same seed, alternating)", ""]
        lines += _when(sp)
        lines += _table(
            [
                "citizens",
                "weeks",
                "best of",
                "wall s, one / two threads",
                "speed-up (wall)",
                "CPU, two / one",
                "identical",
            ],
            [
                [
                    f"{r['citizens']:,}",
                    r["weeks"],
                    r["repeats"],
                    f"{r['one_thread']['wall']:.2f} / {r['two_threads']['wall']:.2f}",
                    f"{r['speedup_wall']:.2f}x",
                    f"{r['cpu_ratio']:.2f}x",
                    r["identical"],
                ]
                for r in sp["rows"]
            ],
        )
        lines.append(
            f"\nThe engine splits the lives from {sp['threshold']:,} people (`SPLIT_MIN_ROWS`); here the split is forced on"
            " and off at every size. Identical: the two summaries are equal, value for value."
            f" Load average {sp['load_before']} before, {sp['load_after']} after."
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
