"""The robustness of the model's main conclusions, for the validation report to list beside its verdicts.

A pattern verdict says the model reproduces the evidence at its stated assumptions; a robustness
study says whether a conclusion drawn from the model (HLS beats payment by results on impact, say)
survives those assumptions being different. This module reads finished robustness folders and
turns each into one row per headline measure: the side that wins most often, in how many of the
parameter sets, and the assumptions that decide it. It never runs the model.

    hls-sim robustness payment_by_results hls --out results/robustness-pbr-hls
    hls-sim validate --report --robustness results/robustness-pbr-hls
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hls_sim.robustness.study import RESULT_JSON
from hls_sim.robustness.text import box_sentence, deciders_sentence

HOW_TO = (
    "No robustness study was given. To list how robust the main conclusions are to the model's documented "
    "assumptions, run for example `hls-sim robustness payment_by_results hls --out results/robustness-pbr-hls` "
    "and pass `--robustness results/robustness-pbr-hls` to `hls-sim validate --report`."
)


def read(folder: str | Path) -> dict[str, Any]:
    """The robustness.json of a finished study (a UsageError naming the folder otherwise)."""
    from hls_sim.errors import UsageError

    path = Path(folder)
    path = path if path.name == RESULT_JSON else path / RESULT_JSON
    if not path.is_file():
        raise UsageError(
            f"--robustness {folder}: no {RESULT_JSON} there; allowed is the folder of a finished `hls-sim robustness` run"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--robustness {path}: not readable JSON ({exc})") from None
    if not (isinstance(data, dict) and str(data.get("format", "")).startswith("hls_sim.robustness/")):
        raise UsageError(f"--robustness {path}: not the output of `hls-sim robustness`")
    return data


def conclusions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per headline measure: who wins most often, in what share of sets, and what decides it."""
    a, b = data["labels"]["A"], data["labels"]["B"]
    rows = []
    for name, m in data["measures"].items():
        wins, share = m["wins"], m["share_percent"]
        leader = max((a, b, "tie"), key=lambda w: (wins[w], w != "tie"))
        other = b if leader == a else a
        flips = box_sentence(m["boxes"].get(other), other) if leader != "tie" else None
        rows.append(
            {
                "comparison": f"{a} against {b}",
                "measure": name,
                "direction": m["direction"],
                "leader": leader,
                "wins": wins[leader],
                "sets": m["sets_decided"],
                "share_percent": share[leader],
                "decided_by": deciders_sentence(m, a, b),
                "flips": flips,
            }
        )
    return rows


def conclusions_text(studies: Sequence[dict[str, Any]]) -> str:
    if not studies:
        return HOW_TO
    lines = []
    for data in studies:
        for r in conclusions(data):
            pct = "n/a" if r["share_percent"] is None else f"{r['share_percent']:.0f}%"
            lines.append(
                f"{r['comparison']}, {r['measure']} ({r['direction']}): {r['leader']} in {r['wins']} of {r['sets']} "
                f"sets ({pct}); {r['decided_by']}" + (f"; {r['flips']}" if r["flips"] else "")
            )
    return "\n".join(lines)


def conclusions_html(studies: Sequence[dict[str, Any]], folders: Sequence[str | Path] = ()) -> str:
    """A section for an HTML report: a table per study, or how to make one when none is given."""
    e = html.escape
    parts = ["<h2 id='robustness'>Robustness of the main conclusions</h2>"]
    if not studies:
        parts.append(f"<p class=note>{e(HOW_TO)}</p>")
        return "\n".join(parts)
    parts.append(
        "<p>Each row: across parameter sets drawn over every assumption the registry documents as uncertain "
        "(with A and B on common seeds in every set), the side that wins most often and the assumptions that "
        "decide it (`hls-sim robustness`; docs/robustness.md).</p>"
    )
    for i, data in enumerate(studies):
        where = f" ({e(str(folders[i]))})" if i < len(folders) else ""
        a, b = data["labels"]["A"], data["labels"]["B"]
        parts.append(
            f"<h3>{e(a)} against {e(b)}{where}</h3><p class=note>{data['sets']['usable']} parameter sets over "
            f"{len(data['uncertain'])} uncertain assumptions, seeds {e(', '.join(map(str, data['seeds'])))}; "
            f"hls_sim {e(data['hls_sim_version'])}.</p>"
        )
        rows = []
        for r in conclusions(data):
            pct = "n/a" if r["share_percent"] is None else f"{r['share_percent']:.0f}%"
            rows.append(
                f"<tr><td>{e(r['measure'])}<br><span class=note>{e(r['direction'])}</span></td><td>{e(r['leader'])}</td>"
                f"<td class=num>{r['wins']} of {r['sets']} ({pct})</td><td>{e(r['decided_by'])}</td>"
                f"<td>{e(r['flips'] or '')}</td></tr>"
            )
        parts.append(
            "<table><tr><th>measure</th><th>wins most often</th><th>sets</th><th>most sensitive to</th><th>where it flips</th></tr>"
            + "".join(rows)
            + "</table>"
        )
    return "\n".join(parts)
