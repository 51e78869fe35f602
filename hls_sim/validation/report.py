"""The validation report: one offline HTML page with each pattern, its evidence, the model's result
with its interval, and the verdict.

A reader should be able to check every verdict by eye: each check gets a small chart with the
per-seed numbers, their mean and 95% interval, and the region the evidence asks for shaded, so
a FAIL shows how far off the model is and a PASS shows how comfortably it passes. The page
carries its own Vega JavaScript (no network), the seeds, the parameters of every arm and the
package version.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from hls_sim.params import PARAMS
from hls_sim.validation.checks import PASS, CheckResult
from hls_sim.validation.runner import PatternResult, estimate_label, fmt
from hls_sim.version import __version__

REPORT_NAME = "report.html"
OK_COLOUR = "#009E73"
BAD_COLOUR = "#D55E00"
BAND_COLOUR = "#cfe8dc"
WIDTH = 460

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 1080px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-top: 1px solid #ccc; padding-top: 1em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #f3f3f3; }
.PASS { color: #fff; background: #007a55; padding: 0.05em 0.45em; border-radius: 3px; font-weight: 600; }
.FAIL { color: #fff; background: #b34700; padding: 0.05em 0.45em; border-radius: 3px; font-weight: 600; }
.evidence { background: #f7f7f2; border-left: 4px solid #bbb; padding: 0.5em 0.8em; }
.mapping { background: #f2f6fa; border-left: 4px solid #8aa; padding: 0.5em 0.8em; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
details { margin: 0.5em 0; } summary { cursor: pointer; color: #345; }
.note { color: #555; font-size: 0.92em; }
"""


def _vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed JavaScript, inlined so the page works offline."""
    try:
        from hls_sim.charts import vega_bundle

        return vega_bundle()
    except ImportError:
        import vl_convert as vlc

        return vlc.javascript_bundle()


def _e(text: Any) -> str:
    return html.escape(str(text))


def check_chart(c: CheckResult, title: str) -> alt.Chart | None:
    vals = [v for v in c.values if isinstance(v, int | float) and math.isfinite(v)]
    if not vals:
        return None
    lo_d, hi_d = min(vals), max(vals)
    for v in (c.estimate, c.ci_low, c.ci_high):
        if isinstance(v, int | float) and math.isfinite(v):
            lo_d, hi_d = min(lo_d, v), max(hi_d, v)
    layers = []
    # the region the evidence asks for, made finite a quarter-span beyond the data for shading
    pad = 0.25 * max(hi_d - lo_d, abs(hi_d), abs(lo_d), 1e-9)
    r0, r1 = c.region
    region = None
    if math.isfinite(r0) or math.isfinite(r1):
        r0 = r0 if math.isfinite(r0) else min(lo_d, r1) - pad
        r1 = r1 if math.isfinite(r1) else max(hi_d, r0) + pad
        region = (r0, r1)
    x_scale_lo = min(lo_d, region[0]) if region else lo_d
    x_scale_hi = max(hi_d, region[1]) if region else hi_d
    if x_scale_hi == x_scale_lo:
        x_scale_hi = x_scale_lo + 1.0
    scale = alt.Scale(domain=[x_scale_lo, x_scale_hi], nice=False, zero=False)
    x_title = estimate_label(c)
    if c.kind == "prevalence":
        x_title = f"{c.metric} in each sampled setting (shaded: detectable; {fmt(c.estimate)} of settings)"
    if region:
        band = pl.DataFrame({"lo": [region[0]], "hi": [region[1]]})
        layers.append(
            alt.Chart(band).mark_rect(color=BAND_COLOUR, opacity=0.8).encode(x=alt.X("lo:Q", scale=scale), x2="hi:Q")
        )
    points = pl.DataFrame({"value": vals})
    layers.append(
        alt.Chart(points)
        .mark_tick(color="#555", thickness=1.5, size=18)
        .encode(x=alt.X("value:Q", scale=scale, title=x_title), tooltip=[alt.Tooltip("value:Q", format=".4g")])
    )
    if c.kind != "prevalence" and math.isfinite(c.estimate):
        colour = OK_COLOUR if c.verdict == PASS else BAD_COLOUR
        summ = pl.DataFrame(
            {
                "mean": [c.estimate],
                "lo": [c.ci_low if math.isfinite(c.ci_low) else c.estimate],
                "hi": [c.ci_high if math.isfinite(c.ci_high) else c.estimate],
            }
        )
        layers.append(
            alt.Chart(summ).mark_rule(color=colour, strokeWidth=3).encode(x=alt.X("lo:Q", scale=scale), x2="hi:Q")
        )
        layers.append(
            alt.Chart(summ)
            .mark_point(color=colour, filled=True, size=90, shape="diamond")
            .encode(x=alt.X("mean:Q", scale=scale), tooltip=[alt.Tooltip("mean:Q", format=".4g")])
        )
    return alt.layer(*layers).properties(
        width=WIDTH, height=34, title=alt.TitleParams(title, fontSize=12, anchor="start")
    )


def _arms_table(r: PatternResult) -> str:
    rows = []
    for name, arm in r.spec.arms.items():
        changed = {k: v for k, v in arm.overrides.items() if PARAMS[k].default != v}
        cohort = ""
        if arm.cohort is not None:
            cohort = (
                f"{arm.cohort.name}, picked at week {arm.cohort.week}, followed {arm.cohort.follow_weeks} weeks; "
                + ", ".join(f"{k}={v}" for k, v in arm.cohort.options.items())
            )
        sets = ", ".join(f"{k}={v}" for k, v in changed.items())
        rows.append(f"<tr><td>{_e(name)}</td><td>{_e(arm.label)}</td><td>{_e(sets)}</td><td>{_e(cohort)}</td></tr>")
    if r.samples:
        keys = sorted({k for s in r.samples for k in s if PARAMS[k].default != s[k] or k != "regime"})
        rows.append(
            f"<tr><td>sample</td><td>{len(r.samples)} lever settings (Latin hypercube), one seed each</td>"
            f"<td colspan='2'>varied: {_e(', '.join(k for k in keys if len({str(s.get(k)) for s in r.samples}) > 1))}</td></tr>"
        )
    return (
        "<table><tr><th>arm</th><th>what it is</th><th>parameters that differ from the defaults</th><th>cohort</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _checks_table(r: PatternResult) -> str:
    rows = []
    for i, c in enumerate(r.checks, 1):
        ci = "" if (math.isnan(c.ci_low) and math.isnan(c.ci_high)) else f"[{fmt(c.ci_low)}, {fmt(c.ci_high)}]"
        rows.append(
            f"<tr><td>{i}</td><td>{_e(c.claim)}</td><td>{_e(estimate_label(c))}</td>"
            f"<td class='num'>{fmt(c.estimate)}</td><td class='num'>{ci}</td><td class='num'>{c.n}</td>"
            f"<td>{_e(c.expected)}{('<br><span class=note>' + _e(c.detail) + '</span>') if c.detail else ''}</td>"
            f"<td><span class='{c.verdict}'>{c.verdict}</span></td></tr>"
        )
    return (
        "<table><tr><th>#</th><th>claim</th><th>model measurement</th><th>estimate</th><th>95% CI</th><th>n</th>"
        "<th>what the evidence asks for</th><th>verdict</th></tr>" + "".join(rows) + "</table>"
    )


def _calibration_html(fit) -> tuple[str, list[tuple[str, dict]]]:
    d = fit.as_dict()
    prow = "".join(
        f"<tr><td>{_e(p['name'])}</td><td class=num>{fmt(float(p['default']))}</td>"
        f"<td class=num>[{fmt(p['prior'][0])}, {fmt(p['prior'][1])}]</td>"
        f"<td class=num>[{fmt(p['accepted_min'])}, {fmt(p['accepted_max'])}]</td><td class=num>{fmt(p['accepted_median'])}</td>"
        f"<td class=num>{fmt(p['best'])}</td><td>{_e(p['why_uncertain'])}</td></tr>"
        for p in d["parameters"]
    )
    trow = "".join(
        f"<tr><td>{_e(t['target'])}</td><td class=num>{fmt(t['evidence_value'])} in {t['band']}</td>"
        f"<td class=num>{fmt(t['default'])} ({'met' if t['met_at_default'] else 'not met'})</td>"
        f"<td class=num>{fmt(t['accepted_mean'])} [{fmt(t['accepted_min'])}, {fmt(t['accepted_max'])}]</td>"
        f"<td class=num>{fmt(t['best'])} ({'met' if t['met_at_best'] else 'not met'})</td></tr>"
        for t in d["targets"]
    )
    text = (
        "<h2 id='calibration'>Calibration of the uncertain parameters</h2>"
        f"<p>{_e(d['method'])}: {d['accepted']} of {d['particles']} parameter sets accepted, "
        f"{len(d['seeds'])} seed(s) each, population and run as {_e(d['run'])}, {d['seconds']:.0f} s. "
        f"Distance (root mean square of errors scaled by each band's half-width, capped at 3): defaults "
        f"{fmt(d['default_distance'])}, best {fmt(d['best_distance'])}, worst accepted {fmt(d['accepted_distance_max'])}. "
        "The fitted ranges are reported, not written into the defaults.</p>"
        "<table><tr><th>parameter</th><th>default</th><th>prior</th><th>accepted range</th><th>median</th><th>best</th>"
        f"<th>why it is uncertain</th></tr>{prow}</table>"
        "<table><tr><th>target</th><th>evidence</th><th>at the defaults</th><th>accepted sets: mean [min, max]</th>"
        f"<th>best set</th></tr>{trow}</table><div id='fig-calibration'></div>"
    )
    rows = [
        {"parameter": p["name"], "value": part[p["name"]], "distance": part["distance"], "accepted": part["accepted"]}
        for part in d["all_particles"]
        for p in d["parameters"]
    ]
    chart = (
        alt.Chart(pl.DataFrame(rows))
        .mark_circle(size=28, opacity=0.8)
        .encode(
            x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False)),
            y=alt.Y("distance:Q", title="distance to the evidence"),
            color=alt.Color(
                "accepted:N", scale=alt.Scale(domain=[True, False], range=[OK_COLOUR, "#bbbbbb"]), title="accepted"
            ),
        )
        .properties(width=200, height=140)
        .facet(facet=alt.Facet("parameter:N", title=None), columns=3)
        .resolve_scale(x="independent")
        .properties(title="Each parameter set's distance to the evidence against its value; accepted sets in green")
    )
    return text, [("calibration", chart.to_dict())]


def render(results: list[PatternResult], fit=None, *, quick: bool, seconds: float, robustness: str = "") -> str:
    specs: list[tuple[str, dict]] = []
    passed = sum(r.verdict == PASS for r in results)
    summary_rows = "".join(
        f"<tr><td><a href='#{_e(r.spec.id)}'>{_e(r.spec.title)}</a></td><td><span class='{r.verdict}'>{r.verdict}</span></td>"
        f"<td class=num>{sum(c.verdict == PASS for c in r.checks)} of {len(r.checks)}</td><td class=num>{len(r.spec.seeds)}</td></tr>"
        for r in results
    )
    mode = (
        "<p><strong>Quick mode:</strong> small populations and few seeds. This is a smoke test of the machinery; "
        "its verdicts are not the model's validation.</p>"
        if quick
        else ""
    )
    body = [
        f"<h1>hls_sim validation against the evidence</h1><p>hls_sim {__version__}; {len(results)} patterns, "
        f"{passed} pass. Each pattern is an experiment file in <code>experiments/validation/</code>; how each maps "
        "evidence to a model measurement is explained in <code>docs/validation.md</code>. Intervals are 95% "
        f"t-intervals over seeds (paired by seed for differences). Computed in {seconds:.0f} s.</p>{mode}",
        "<table><tr><th>pattern</th><th>verdict</th><th>checks passed</th><th>seeds</th></tr>"
        + summary_rows
        + "</table>",
        _caveats(passed, len(results), quick),
    ]
    for r in results:
        s = r.spec
        body.append(
            f"<h2 id='{_e(s.id)}'>{_e(s.title)} <span class='{r.verdict}'>{r.verdict}</span></h2>"
            f"<p class=note>{_e(s.id)} ({_e(s.path.name)}), seeds {s.seeds[0]}-{s.seeds[-1]}</p>"
            f"<h3>Evidence</h3><div class=evidence>{_e(s.evidence)}<br><span class=note>Sources: {_e('; '.join(s.sources))}</span></div>"
            f"<h3>How the model measures it</h3><div class=mapping>{_e(s.mapping)}</div>"
            f"<h3>Result</h3>{_checks_table(r)}"
        )
        charts = [check_chart(c, f"{i}. {c.claim}") for i, c in enumerate(r.checks, 1)]
        charts = [ch for ch in charts if ch is not None]
        if charts:
            name = f"pattern-{len(specs)}"
            specs.append((name, alt.vconcat(*charts).to_dict()))
            body.append(
                f"<div id='fig-{name}'></div><p class=note>Grey ticks: one per seed (or per sampled setting); diamond "
                "and bar: the estimate and its 95% interval (green PASS, orange FAIL); shaded: the values the evidence "
                "asks for.</p>"
            )
        body.append(f"<details><summary>Arms and parameters</summary>{_arms_table(r)}</details>")
    if robustness:  # hls_sim.robustness.summary.conclusions_html: the conclusions beside the verdicts
        body.append(robustness)
    if fit is not None:
        text, more = _calibration_html(fit)
        body.append(text)
        specs.extend(more)
    prov_rows = "".join(
        f"<tr><td>{_e(r.spec.id)}</td><td>{_e(r.spec.path.name)}</td><td class=num>{_seed_text(r.spec.seeds)}</td>"
        f"<td class=num>{len(r.samples) or ''}</td><td>{r.verdict}</td></tr>"
        for r in results
    )
    body.append(
        f"<h2>Provenance</h2><p>hls_sim {__version__}, {'quick' if quick else 'full'} mode. Every arm's full resolved "
        "parameters, every per-seed number and the seeds are in <code>validation.json</code> and "
        "<code>runs.parquet</code> next to this page; the same command gives the same numbers.</p>"
        "<table><tr><th>pattern</th><th>experiment file</th><th>seeds</th><th>sampled settings</th><th>verdict</th></tr>"
        f"{prov_rows}</table>"
    )
    calls = "\n".join(
        f"vegaEmbed('#fig-{name}', {json.dumps(spec, separators=(',', ':')).replace('</', '<' + chr(92) + '/')}, "
        "{renderer: 'svg', actions: false}).catch(function (e) { document.getElementById('fig-"
        + name
        + "').textContent = String(e); });"
        for name, spec in specs
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>hls_sim validation</title>\n"
        f"<style>{CSS}</style>\n<script>{_vega_bundle()}</script>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>\n{calls}\n</script>\n</body>\n</html>\n"
    )


def _caveats(passed: int, total: int, quick: bool) -> str:
    """What every hls-sim report says (hls_sim/caveats.py); this page is itself the validation status."""
    from hls_sim.caveats import NOT_A_FORECAST, NOT_A_FORECAST_WHY, SEED_NOISE

    status = f"Validation status: {passed} of {total} patterns pass in this {'quick' if quick else 'full'} run."
    return (
        f"<p class=note>{_e(SEED_NOISE)}: a PASS means the model reproduces a pattern on these seeds, not that its "
        f"assumptions are right. {_e(status)} <b>{_e(NOT_A_FORECAST)}</b> {_e(NOT_A_FORECAST_WHY)}</p>"
    )


def _seed_text(seeds: list[int]) -> str:
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(x) for x in seeds)


def write_report(
    out: Path, results: list[PatternResult], fit=None, *, quick: bool, seconds: float, robustness: str = ""
) -> Path:
    from hls_sim.atomic import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_NAME
    atomic_write_text(path, render(results, fit, quick=quick, seconds=seconds, robustness=robustness))
    return path
