"""The report page of a robustness folder: who wins how often, and which assumptions decide it.

Like every hls-sim report it reads only what the study wrote (`robustness.json`, `sets.parquet`,
`screen.parquet`), never runs the model, and works offline (Vega inlined). `hls-sim report DIR`
reaches it through the one-line registration in `hls_sim/report.py`.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from hls_sim.charts import PALETTE, Figure, embed_script, vega_bundle
from hls_sim.labels import number, output_words
from hls_sim.robustness import study as st
from hls_sim.robustness.text import box_sentence, deciders_sentence
from hls_sim.version import __version__

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
thead th { background: #f0f0f0; } .provenance { background: #f7f7f7; padding: 0.6em 1em; border-left: 4px solid #0072B2; }
.chart { margin: 1.2em 0; } .note { color: #555; } figure { margin: 0; } .files { font-size: 0.85em; color: #555; }
details { margin: 0.6em 0; } .rule { background: #fffbea; padding: 0.6em 1em; border-left: 4px solid #E69F00; }
"""
NEITHER = "neither (not significant)"
SHORT = {  # panel headers narrow enough for a chart
    "impact_wellbeing": "impact on wellbeing",
    "crises_avoided_per_1000_per_year": "crises avoided",
    "total_cost_per_year": "total cost",
    "cost_per_crisis_avoided": "cost per crisis avoided",
    "campbell_gap": "Campbell gap",
}
TOP_SCREEN = 30


def is_robustness_folder(folder: Path) -> bool:
    """A folder `hls-sim robustness` wrote (its manifest says so)."""
    try:
        data = json.loads((Path(folder) / st.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("format", "")).startswith("hls_sim.robustness/")


def _usage(message: str) -> Exception:
    from hls_sim.errors import UsageError

    return UsageError(message)


def load(folder: Path) -> tuple[dict[str, Any], pl.DataFrame | None, pl.DataFrame | None]:
    path = folder / st.RESULT_JSON
    if not path.is_file():
        raise _usage(
            f"{folder}: this robustness study has not finished (no {st.RESULT_JSON}); finish it with "
            "`hls-sim robustness ... --resume --out DIR`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _usage(f"{path}: not readable JSON ({exc})") from None
    return data, _table(folder / st.SETS_TABLE), _table(folder / st.SCREEN_TABLE)


def _table(path: Path) -> pl.DataFrame | None:
    """A parquet table of the study, or None when it was not written; a damaged one is a clear error."""
    if not path.is_file():
        return None
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise _usage(f"{path}: not a readable parquet table ({type(exc).__name__})") from None


# ---------------------------------------------------------------------------- charts


def _title(title: str, caption: str) -> alt.TitleParams:
    import textwrap

    return alt.TitleParams(
        text=title, subtitle=textwrap.wrap(caption, 120), anchor="start", fontSize=16, subtitleFontSize=12
    )


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure_axis(labelFontSize=12, titleFontSize=13)
        .configure_legend(labelFontSize=12, titleFontSize=13, labelLimit=0)
        .configure_header(labelFontSize=13, titleFontSize=13)
    )


def deciding_chart(data: dict[str, Any]) -> Figure:
    """The deciding assumptions: each carried parameter's rank correlation with B's advantage, per measure."""
    a, b = data["labels"]["A"], data["labels"]["B"]
    rows = []
    for name, m in data["measures"].items():
        for s in m["sensitivity"]:
            rows.append(
                {
                    "measure": f"{SHORT.get(name, name)} ({m['direction']})",
                    "parameter": s["parameter"],
                    "rho": s["rho"] or 0.0,
                    "p_holm": s["p_holm"],
                    "favours": s["favours"] or NEITHER,
                }
            )
    frame = pl.DataFrame(rows)
    order = (
        frame.group_by("parameter")
        .agg(pl.col("rho").abs().max().alias("m"))
        .sort(["m", "parameter"], descending=[True, False])["parameter"]
        .to_list()
    )
    colour = alt.Color(
        "favours:N",
        title="higher values favour",
        scale=alt.Scale(domain=[a, b, NEITHER], range=[PALETTE[1], PALETTE[0], "#bbbbbb"]),
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("rho:Q", title="rank correlation", scale=alt.Scale(domain=[-1, 1])),
            y=alt.Y("parameter:N", sort=order, title=None),
            color=colour,
            tooltip=["parameter:N", alt.Tooltip("rho:Q", format="+.2f"), alt.Tooltip("p_holm:Q", format=".3f")],
        )
        .properties(width=240, height=max(80, 16 * len(order)))
        .facet(
            facet=alt.Facet("measure:N", title=None, sort=list(dict.fromkeys(frame["measure"].to_list()))),
            columns=3,
        )
    )
    title = "Which assumptions decide who wins"
    caption = (
        f"For each headline measure, the rank correlation over the parameter sets between each assumption and "
        f"{b}'s advantage over {a} (positive: higher values of the assumption favour {b}). Coloured when "
        "significant after Holm's correction over the parameters; grey otherwise."
    )
    return Figure("deciding_assumptions", title, caption, _finish(chart.properties(title=_title(title, caption))))


def scatter_chart(data: dict[str, Any], sets: pl.DataFrame) -> Figure | None:
    """B - A in every set against the assumption that decides each measure most."""
    a, b = data["labels"]["A"], data["labels"]["B"]
    rows = []
    for name, m in data["measures"].items():
        if not m["sensitivity"]:
            continue
        top = m["sensitivity"][0]["parameter"]
        sub = sets.filter(pl.col("measure") == name)
        for x, diff, win in sub.select(top, "b_minus_a", "winner").iter_rows():
            if diff is not None:
                rows.append(
                    {
                        "panel": f"{SHORT.get(name, name)}, by {top}",
                        "x": x,
                        "b_minus_a": diff,
                        "winner": win,
                        "top": top,
                    }
                )
    if not rows:
        return None
    frame = pl.DataFrame(rows)
    colour = alt.Color(
        "winner:N", title="wins", scale=alt.Scale(domain=[a, b, "tie"], range=[PALETTE[1], PALETTE[0], "#888888"])
    )
    points = (
        alt.Chart()
        .mark_circle(size=45, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title="value of the assumption", scale=alt.Scale(zero=False)),
            y=alt.Y("b_minus_a:Q", title=f"{b} minus {a}"),
            color=colour,
            tooltip=["top:N", alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("b_minus_a:Q", format=".4g"), "winner:N"],
        )
    )
    zero = alt.Chart().mark_rule(color="#444", strokeDash=[4, 3]).encode(y=alt.datum(0))
    chart = (
        alt.layer(points, zero, data=frame)
        .properties(width=260, height=180)
        .facet(facet=alt.Facet("panel:N", title=None, sort=list(dict.fromkeys(frame["panel"].to_list()))), columns=3)
        .resolve_scale(x="independent", y="independent")
    )
    title = "The difference in every parameter set, against its strongest assumption"
    caption = (
        f"Each point is one parameter set: {b} minus {a} (mean over seeds) against the assumption most strongly "
        "rank-correlated with the difference; colour says who won. Lower is better for cost, cost per crisis "
        "avoided and the Campbell gap, so there a point below the line is a win for "
        f"{b}; for impact and crises avoided, above the line."
    )
    return Figure("difference_by_assumption", title, caption, _finish(chart.properties(title=_title(title, caption))))


def screen_chart(data: dict[str, Any]) -> Figure | None:
    """The screen: each parameter's strongest rank correlation with B - A, against the best ghost's."""
    sc = data["screen"]
    rows = [p for p in sc["parameters"] if p["strength"]][:TOP_SCREEN]
    if not rows:
        return None
    frame = pl.DataFrame(
        {
            "parameter": [p["parameter"] for p in rows],
            "strength": [p["strength"] for p in rows],
            "status": ["carried" if p["carried"] else "not carried" for p in rows],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("strength:Q", title="largest |rank correlation| with the difference / the best ghost's"),
            y=alt.Y("parameter:N", sort=frame["parameter"].to_list(), title=None),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=["carried", "not carried"], range=[PALETTE[2], "#bbbbbb"]),
            ),
            tooltip=["parameter:N", alt.Tooltip("strength:Q", format=".2f"), "status:N"],
        )
    )
    rule = alt.Chart(pl.DataFrame({"t": [1.0]})).mark_rule(color=PALETTE[1], strokeDash=[5, 3]).encode(x="t:Q")
    chart = alt.layer(bars, rule).properties(width=520, height=max(120, 15 * frame.height))
    title = "The screen: which assumptions move the difference"
    caption = (
        f"The {frame.height} strongest of {len(data['uncertain'])} uncertain parameters, from {sc['sets']} parameter "
        f"sets on one seed. A bar past the dashed line means that on some measure the parameter's rank correlation "
        f"with {data['labels']['B']} minus {data['labels']['A']} beat all {sc['ghosts']} ghosts (columns drawn like "
        "the parameters but never given to the model): such parameters are carried into the analysis."
    )
    return Figure("screen", title, caption, _finish(chart.properties(title=_title(title, caption))))


def figures(data: dict[str, Any], sets: pl.DataFrame | None, screen: pl.DataFrame | None) -> list[Figure]:
    figs = [deciding_chart(data)]
    if sets is not None:
        scatter = scatter_chart(data, sets)
        if scatter is not None:
            figs.append(scatter)
    if data.get("screen"):
        fig = screen_chart(data)
        if fig is not None:
            figs.append(fig)
    return figs


# ---------------------------------------------------------------------------- page


def _e(x: Any) -> str:
    return html.escape(str(x))


def _summary(data: dict[str, Any]) -> str:
    a, b = data["labels"]["A"], data["labels"]["B"]
    head = (
        f"<tr><th>measure</th><th>better</th><th>{_e(a)} wins</th><th>{_e(b)} wins</th><th>ties</th>"
        "<th>most sensitive to</th><th>where it flips</th></tr>"
    )
    rows = []
    for name, m in data["measures"].items():
        w, s = m["wins"], m["share_percent"]
        flips = [box_sentence(m["boxes"].get(who), who) for who in (a, b) if 0 < m["wins"][who] < m["sets_decided"]]
        flips = [f for f in flips if f] or ["no box found (PRIM) or no flip"]

        def cell(who: str, w: dict = w, s: dict = s) -> str:
            pct = s[who]
            return f"{w[who]} ({'n/a' if pct is None else f'{pct:.0f}%'})"

        rows.append(
            f"<tr><td>{_e(output_words(name))}<br><code>{_e(name)}</code></td><td class=text>{_e(m['direction'])}</td>"
            f"<td>{cell(a)}</td><td>{cell(b)}</td><td>{cell('tie')}</td>"
            f"<td class=text>{_e(deciders_sentence(m, a, b))}</td><td class=text>{'<br>'.join(_e(f) for f in flips)}</td></tr>"
        )
    return f"<table><thead>{head}</thead>{''.join(rows)}</table>"


def _ranges(data: dict[str, Any]) -> str:
    carried = set(data["sets"]["parameters"])
    rows = "".join(
        f"<tr><td><code>{_e(u['name'])}</code></td><td>{'yes' if u['name'] in carried else ''}</td>"
        f"<td>{_e(number(u['default']))}</td><td>{_e(number(u['low']))}</td><td>{_e(number(u['high']))}</td>"
        f"<td class=text>{_e(u['scale'])}</td><td class=text>{_e(u['origin'])}: {_e(u['why'])}</td>"
        f"<td class=text>{_e(u['source'])}</td></tr>"
        for u in data["uncertain"]
    )
    return (
        "<table><thead><tr><th>parameter</th><th>carried</th><th>default</th><th>low</th><th>high</th><th>scale</th>"
        f"<th>range from</th><th>registry source</th></tr></thead>{rows}</table>"
    )


def _held(data: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(h['parameter'])}</code></td><td class=text>{_e(h['reason'])}</td></tr>"
        for h in data["held"]
    )
    return f"<table><thead><tr><th>assumption held at its value</th><th>why</th></tr></thead>{rows}</table>"


def _boxes(data: dict[str, Any]) -> str:
    a, b = data["labels"]["A"], data["labels"]["B"]
    rows = []
    for name, m in data["measures"].items():
        for who in (a, b):
            box = m["boxes"].get(who)
            if not box:
                continue
            limits = "<br>".join(
                _e(
                    f"{r['parameter']} {'≥ ' + number(r['low']) if r['low'] is not None else ''}"
                    f"{' and ' if r['low'] is not None and r['high'] is not None else ''}"
                    f"{'≤ ' + number(r['high']) if r['high'] is not None else ''} (quasi-p {number(r['quasi_p'])})"
                )
                for r in box["restrictions"]
            )
            rows.append(
                f"<tr><td>{_e(name)}</td><td class=text>{_e(who)} wins</td><td class=text>{limits or '(whole space)'}</td>"
                f"<td>{box['wins_in_box']} of {box['sets_in_box']}</td><td>{100 * box['density']:.0f}%</td>"
                f"<td>{100 * box['coverage']:.0f}%</td></tr>"
            )
    if not rows:
        return "<p>PRIM found no box dense enough for any measure.</p>"
    return (
        "<table><thead><tr><th>measure</th><th>event</th><th>box</th><th>sets</th><th>density</th><th>coverage</th>"
        f"</tr></thead>{''.join(rows)}</table>"
    )


def _params(data: dict[str, Any]) -> str:
    labels = list(data["parameters"])
    keys = sorted(set().union(*(data["parameters"][k] for k in labels)))
    rows = "".join(
        f"<tr><td><code>{_e(k)}</code></td>"
        + "".join(f"<td>{_e(data['parameters'][lab].get(k))}</td>" for lab in labels)
        + "</tr>"
        for k in keys
    )
    head = "<tr><th>parameter</th>" + "".join(f"<th>{_e(lab)}</th>" for lab in labels) + "</tr>"
    return f"<table><thead>{head}</thead>{rows}</table>"


def render(data: dict[str, Any], figs: list[Figure], folder: Path, chart_files: dict[str, dict[str, Path]]) -> str:
    a, b = data["labels"]["A"], data["labels"]["B"]
    sets, screen = data["sets"], data["screen"]
    title = f"hls-sim robustness: {a} against {b}"
    arms = "".join(
        f"<li><b>{_e(label)}</b>: {_e(note.get('description', ''))}</li>" for label, note in data["arms"].items()
    )
    if screen:
        filled = (
            ""
            if screen["found"] >= len(sets["parameters"])
            else ("; the others, the strongest short of that, make up the minimum of three")
        )
        screen_text = (
            f"A screen of {screen['sets']} parameter sets over all {len(data['uncertain'])} uncertain parameters "
            f"({screen['runs']} runs on seed {screen['seed']}) carried {len(sets['parameters'])} into the analysis "
            f"({screen['found']} beat every ghost{filled})."
        )
    else:
        screen_text = f"All {len(data['uncertain'])} uncertain parameters are analysed (too few to need a screen)."
    fig_html = []
    for fig in figs:
        files = chart_files.get(fig.name, {})
        links = " · ".join(f"<a href='charts/{_e(p.name)}'>{k.upper()}</a>" for k, p in files.items())
        fig_html.append(
            f"<figure><div id='fig-{fig.name}' class='chart' role='img' aria-label='{_e(fig.title)}. {_e(fig.caption)}'></div>"
            + (f"<div class='files'>This chart as a separate file: {links}</div>" if links else "")
            + "</figure>"
        )
    body = f"""<h1>{_e(title)}</h1>
<div class='provenance'><b>Source folder:</b> {_e(folder)} (output of <code>hls-sim robustness</code>)<br>
<b>Seeds:</b> {_e(", ".join(map(str, data["seeds"])))} in every set, the same for both arms; design seed {data["seed"]}<br>
<b>Data written by:</b> hls-sim {_e(data["hls_sim_version"])}; <b>report written by:</b> hls-sim {__version__}.
Every number comes from the study's own runs; this file needs no internet connection.</div>
<h2>What was compared</h2><ul>{arms}</ul>
<p>{_e(screen_text)} {sets["usable"]} parameter sets ({_e(sets["how_chosen"])}; {_e(sets["design"])}) each ran
both arms on {len(data["seeds"])} seed(s); an arm's value in a set is its mean over the seeds.</p>
<h2>Who wins, and what decides it</h2>{_summary(data)}
<p class='note'>"Decided by": Spearman rank correlation between the assumption and {_e(b)}'s advantage over the sets,
significant after Holm's correction. "Where it flips": a PRIM box (Friedman &amp; Fisher 1999) in which one side wins at
least {100 * data["prim"]["density"]:.0f}% of the sets; density is that share, coverage the share of that side's wins inside it.</p>
<h2>Charts</h2>{"".join(fig_html)}
<h2>Scenario discovery (PRIM boxes)</h2>{_boxes(data)}
<h2>The uncertain parameters and their ranges</h2><div class='rule'>{_e(data["rule"])}</div>{_ranges(data)}
<details><summary>Assumptions held at their values ({len(data["held"])})</summary>{_held(data)}</details>
<h2>Parameters</h2><details><summary>Resolved parameters of {_e(a)} and {_e(b)} (uncertain ones at their defaults)</summary>{_params(data)}</details>
"""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta name='generator' content='hls-sim {__version__}'>\n<title>{_e(title)}</title>\n"
        f"<style>{CSS}</style>\n<script>{vega_bundle()}</script>\n</head>\n<body>\n{body}"
        f"<script>\n{embed_script(figs)}\n</script>\n</body>\n</html>\n"
    )


def write_robustness_report(
    folder: str | Path,
    *,
    out: str | Path | None = None,
    png: bool = True,
    overwrite: bool = False,
    shown_as: str | Path | None = None,
) -> Path:
    """Write report.html (and each chart as HTML and PNG under charts/), everything staged then moved."""
    from hls_sim.errors import OutputError
    from hls_sim.report import REPORT_NAME, check_target

    folder = Path(folder)
    target = check_target(Path(out) if out is not None else folder / REPORT_NAME, overwrite=overwrite)
    data, sets, screen = load(folder)
    figs = figures(data, sets, screen)
    chart_dir = target.parent / "charts"
    staging: Path | None = None
    try:
        from hls_sim.atomic import atomic_write_text

        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".report.new-"))
        staged = {fig.name: fig.save(staging, png=png) for fig in figs}
        files = {name: {k: chart_dir / p.name for k, p in paths.items()} for name, paths in staged.items()}
        page = staging / REPORT_NAME
        atomic_write_text(page, render(data, figs, Path(shown_as) if shown_as else folder, files))
        chart_dir.mkdir(exist_ok=True)
        for paths in staged.values():
            for p in paths.values():
                os.replace(p, chart_dir / p.name)
        os.replace(page, target)
    except OSError as exc:
        raise OutputError(f"could not write the report {target}: {exc.strerror or exc}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target
