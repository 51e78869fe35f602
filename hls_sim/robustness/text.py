"""The study's findings in plain sentences, for the terminal and for other reports.

Everything here reads `robustness.json` (as a dict), never the runs, so the command, the HTML
page and the validation report say the same thing in the same words.
"""

from __future__ import annotations

from typing import Any

from hls_sim.labels import number
from hls_sim.robustness.study import default_samples


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f}%"


def _limit(r: dict[str, Any]) -> str:
    name, lo, hi = r["parameter"], r["low"], r["high"]
    if lo is not None and hi is not None:
        return f"{number(lo)} ≤ {name} ≤ {number(hi)}"
    if lo is not None:
        return f"{name} ≥ {number(lo)}"
    return f"{name} ≤ {number(hi)}"


def box_sentence(box: dict[str, Any] | None, who: str) -> str | None:
    if not box or not box["restrictions"]:
        return None
    where = " and ".join(_limit(r) for r in box["restrictions"])
    return (
        f"{who} wins where {where}: {box['wins_in_box']} of the {box['sets_in_box']} sets there "
        f"(density {100 * box['density']:.0f}%), {100 * box['coverage']:.0f}% of {who}'s wins (coverage)"
    )


def shares_sentence(m: dict[str, Any], a: str, b: str) -> str:
    n = m["sets_decided"]
    w, s = m["wins"], m["share_percent"]
    text = f"{a} wins {w[a]} of {n} sets ({_pct(s[a])}), {b} {w[b]} ({_pct(s[b])})"
    if w["tie"]:
        text += f", ties {w['tie']} ({_pct(s['tie'])})"
    return text


def deciders_sentence(m: dict[str, Any], a: str, b: str) -> str:
    found = [d for d in m["sensitivity"] if d["favours"]][:3]
    if found:
        parts = [
            f"{d['parameter']} (rank correlation with the difference {d['rho']:+.2f}: higher favours {d['favours']})"
            for d in found
        ]
        return "most sensitive to " + ", ".join(parts)
    top = [d for d in m["sensitivity"] if d["rho"] is not None and d["rho"] != 0][:2]
    if not top:
        return "no assumption in these ranges moves the difference"
    parts = [f"{d['parameter']} ({d['rho']:+.2f})" for d in top]
    return "no assumption decides it clearly (none significant after Holm's correction); strongest: " + ", ".join(parts)


def measure_lines(name: str, m: dict[str, Any], a: str, b: str) -> list[str]:
    lines = [f"{name} ({m['direction']})", "  " + shares_sentence(m, a, b), "  " + deciders_sentence(m, a, b)]
    for who in (a, b):
        sentence = box_sentence(m["boxes"].get(who), who)
        if sentence and m["wins"][who] < m["sets_decided"]:
            lines.append("  " + sentence)
    if m["sets_where_seeds_disagree"]:
        k = m["sets_where_seeds_disagree"]
        lines.append(f"  in {k} set{'s' * (k != 1)} the seeds disagree about the winner (near a tie)")
    if m["sets_undefined"]:
        lines.append(
            f"  left out of the shares: {m['sets_undefined']} sets where it is undefined for both"
            + (
                " (on some seed each arm avoided no crisis, or caused more than it avoided)"
                if name == "cost_per_crisis_avoided"
                else ""
            )
        )
    return lines


def format_result(data: dict[str, Any]) -> str:
    a, b = data["labels"]["A"], data["labels"]["B"]
    sets = data["sets"]
    screen = data["screen"]
    k = len(data["uncertain"])
    if screen:
        how = (
            f"the screen ({screen['sets']} sets, one seed) carried {len(sets['parameters'])} of them into the "
            f"analysis ({screen['found']} beat every ghost)"
        )
    else:
        how = "every one is analysed (no screen)"
    head = [
        f"robustness of {a} against {b}: {sets['usable']} parameter sets over all {k} uncertain assumptions, "
        f"{len(data['seeds'])} seed(s) each, the same for both; {how}",
        f"carried: {', '.join(sets['parameters'])}",
    ]
    default = default_samples(len(sets["parameters"]))
    if sets["n"] < default:
        head.append(
            f"note: {sets['n']} sets is a quick look; the default for {len(sets['parameters'])} parameters is "
            f"{default} sets, which makes the shares and sensitivities firmer"
        )
    body: list[str] = []
    for name, m in data["measures"].items():
        body.extend(measure_lines(name, m, a, b))
    return "\n".join(head + [""] + body)
