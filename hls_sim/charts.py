"""Altair charts of what the model produces, for reports, lessons and papers.

Every builder takes a tidy polars frame made from the model's own outputs (a run's time series
or summary, a compare folder's runs, a sweep table) and returns a `Figure`: the chart plus the
title and the one-sentence caption a reader needs to interpret it without the surrounding text.
The title and caption are drawn inside the chart, so a PNG pasted into a paper keeps them.
Files are written offline: HTML with the Vega JavaScript inlined, PNG through vl-convert.

The `*_frame` helpers turn run outputs (label -> RunResult-like summary and time series) into
the frames the builders expect, so callers never rebuild the reshaping themselves.
"""

from __future__ import annotations

import functools
import json
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from hls_sim.metrics import GAMING_CHANNELS, MONEY, WINDOW
from hls_sim.stats import mean_ci

# A palette that stays distinguishable in greyscale print and for common colour blindness
# (Okabe & Ito); regimes keep the same colour in every chart of a report.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
REGIME_ORDER = ("block_grant", "output_targets", "payment_by_results", "alliance", "hls")
WIDTH = 260
HEIGHT = 160

CHANNEL_LABELS = {
    "effort_substitution": "effort substitution",
    "threshold": "threshold effect",
    "ratchet": "ratchet effect",
    "misreporting": "misreporting",
    "cream_skimming": "cream-skimming",
    "parking": "parking",
    "timing": "timing",
}
COST_LABELS = {
    "payments": "payments to providers",
    "penalties": "penalties (returned)",
    "audit": "audit",
    "tender": "re-tendering",
    "steward": "systems steward",
    "transition": "transition investment",
    "discretionary": "discretionary spend",
    "downstream": "crisis (downstream)",
}
TRUST_LABELS = {
    "trust_citizen_mean": "citizens' trust in services",
    "trust_provider_provider": "trust between providers",
    "trust_commissioner_provider": "commissioner-provider trust",
    "morale_mean": "worker morale",
    "motivation_mean": "intrinsic motivation",
    "permission_space": "permission to use discretion",
}


@dataclass
class Figure:
    """A chart with the words that make it self-explanatory; `save` writes HTML and PNG."""

    name: str
    title: str
    caption: str
    chart: alt.TopLevelMixin

    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec with its data inline. Altair refuses more than 5,000 rows by default;
        a five-year comparison of five regimes has more, and inlining them is the point."""
        with alt.data_transformers.enable("default", max_rows=None):
            return self.chart.to_dict()

    def save(self, folder: str | Path, *, png: bool = True, scale: float = 2.0) -> dict[str, Path]:
        """Write `<name>.html` (inline Vega, works offline) and `<name>.png`; return their paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"html": folder / f"{self.name}.html"}
        paths["html"].write_text(standalone_html([self], title=self.title), encoding="utf-8")
        if png:
            import vl_convert as vlc

            data = vlc.vegalite_to_png(self.spec(), scale=scale)
            paths["png"] = folder / f"{self.name}.png"
            paths["png"].write_bytes(data)
        return paths


# ---------------------------------------------------------------------------- HTML


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The vega + vega-lite + vega-embed bundle shipped inside vl-convert (no network needed)."""
    import vl_convert as vlc

    return vlc.javascript_bundle()


def embed_script(figures: Sequence[Figure]) -> str:
    """JavaScript that draws each figure into the element with id `fig-<name>`."""
    calls = []
    for fig in figures:
        spec = json.dumps(fig.spec(), separators=(",", ":")).replace("</", "<\\/")
        calls.append(
            f"vegaEmbed('#fig-{fig.name}', {spec}, {{renderer: 'svg', actions: false}})"
            f".catch(function (e) {{ document.getElementById('fig-{fig.name}').textContent = String(e); }});"
        )
    return "\n".join(calls)


def standalone_html(figures: Sequence[Figure], *, title: str) -> str:
    """A complete page holding the figures, with the JavaScript inlined once."""
    divs = "\n".join(f'<figure><div id="fig-{f.name}" class="chart"></div></figure>' for f in figures)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{_escape(title)}</title>\n<script>{vega_bundle()}</script>\n</head>\n"
        f"<body>\n{divs}\n<script>\n{embed_script(figures)}\n</script>\n</body>\n</html>\n"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------- helpers


def _title(title: str, caption: str, width: int) -> alt.TitleParams:
    lines = textwrap.wrap(caption, max(40, int(width / 6.2)), break_on_hyphens=False)
    return alt.TitleParams(text=title, subtitle=lines, anchor="start", fontSize=15, subtitleFontSize=11)


def _labels(frame: pl.DataFrame) -> list[str]:
    """Labels in a stable order: known regimes first in policy order, then the rest as they come."""
    seen = list(dict.fromkeys(frame["label"].to_list()))
    return [r for r in REGIME_ORDER if r in seen] + [x for x in seen if x not in REGIME_ORDER]


def _colour(labels: list[str], title: str = "regime or scenario") -> alt.Color:
    return alt.Color(
        "label:N",
        title=title,
        sort=labels,
        scale=alt.Scale(domain=labels, range=list(PALETTE[: len(labels)]) or list(PALETTE)),
    )


def _facet_columns(n: int) -> int:
    return 1 if n == 1 else 2 if n in (2, 4) else 3


def _finite(frame: pl.DataFrame, cols: Iterable[str]) -> pl.DataFrame:
    """Vega cannot draw NaN or infinity; they become nulls (gaps) rather than broken axes."""
    exprs = [
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
        for c in cols
        if c in frame.columns and frame.schema[c].is_float()
    ]
    return frame.with_columns(exprs) if exprs else frame


# ---------------------------------------------------------------------------- frames from outputs


def timeseries_frame(series: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """One long table of weekly time series with a `label` column (regime, scenario or run)."""
    parts = [ts.with_columns(pl.lit(label).alias("label")) for label, ts in series.items()]
    return pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()


def wait_frame(summaries: Mapping[str, Mapping[str, Any]]) -> pl.DataFrame:
    """Starts of service by weeks waited, true and as reported, from each summary's histograms."""
    rows = []
    for label, s in summaries.items():
        true, rep = s.get("wait_histogram") or [], s.get("wait_histogram_reported") or []
        target = int(s.get("time_to_service_target_weeks", 0))
        for week, (a, b) in enumerate(zip(true, rep, strict=False)):
            rows.append(dict(label=label, weeks=week, true=float(a), reported=float(b), target=target))
    return pl.DataFrame(rows)


def decile_frame(summaries: Mapping[str, Mapping[str, Any]]) -> pl.DataFrame:
    """Acceptance and hours of help by complexity decile (1 = least complex) from each summary."""
    rows = []
    for label, s in summaries.items():
        acc = s.get("acceptance_by_complexity_decile") or []
        hrs = s.get("hours_per_case_week_by_complexity_decile") or []
        for d, (a, h) in enumerate(zip(acc, hrs, strict=False), start=1):
            rows.append(dict(label=label, decile=d, acceptance=float(a), hours_per_case_week=float(h)))
    return pl.DataFrame(rows)


def runs_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Scalar summary values of many runs as one table (lists and strings other than labels dropped)."""
    keep = []
    for r in rows:
        keep.append(
            {
                k: v
                for k, v in r.items()
                if k in ("label", "regime") or (isinstance(v, int | float) and not isinstance(v, bool))
            }
        )
    return pl.DataFrame(keep)


def campbell_runs(levels: Sequence[float], seeds: Sequence[int], *, progress=None, **overrides: Any) -> pl.DataFrame:
    """Moved to `hls_sim.runner.runs_at_stakes`: charts draw what runs wrote and never run the model."""
    from hls_sim.runner import runs_at_stakes

    return runs_at_stakes(levels, seeds, progress=progress, **overrides)


def _scalar(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)}


# ---------------------------------------------------------------------------- the charts


def outcomes_over_time(ts: pl.DataFrame) -> Figure:
    """Reported against true outcome per week (13-week rolling), one panel per regime."""
    labels = _labels(ts)
    data = ts.select("label", "week", "true_outcome", "reported_outcome").unpivot(
        index=["label", "week"], variable_name="measure", value_name="share"
    )
    data = data.with_columns(
        pl.col("measure").replace({"true_outcome": "true", "reported_outcome": "reported"}), pl.col("share")
    )
    data = _finite(data, ["share"])
    title = "Reported versus true outcome"
    caption = (
        f"Share of closed cases counted as resolved ({WINDOW}-week rolling) as the indicator reports it "
        "(dashed) and as it really was (solid); where the lines part, the reported picture is not the real one."
    )
    base = (
        alt.Chart(data)
        .mark_line(strokeWidth=1.6)
        .encode(
            x=alt.X("week:Q", title="week of the run (weeks)"),
            y=alt.Y("share:Q", title="closed cases resolved (share, 0-1)", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N", title="outcome", scale=alt.Scale(domain=["true", "reported"], range=list(PALETTE[:2]))
            ),
            strokeDash=alt.StrokeDash(
                "measure:N", scale=alt.Scale(domain=["true", "reported"], range=[[1, 0], [5, 3]]), legend=None
            ),
            tooltip=["label:N", "week:Q", "measure:N", alt.Tooltip("share:Q", format=".3f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    width = WIDTH * min(len(labels), _facet_columns(len(labels)))
    chart = base.facet(
        facet=alt.Facet("label:N", title=None, sort=labels), columns=_facet_columns(len(labels))
    ).properties(title=_title(title, caption, width))
    return Figure("outcomes_over_time", title, caption, chart)


def campbell_curve(runs: pl.DataFrame, *, x: str = "incentive_strength", note: str = "") -> Figure:
    """The reported-true gap against the stakes on the indicator, with its spread over seeds.

    Each point is one run; the line is the mean over seeds at each stake and the band its 95%
    confidence interval (t-based, computed here so the picture is the same on every render).
    """
    group = ["label", x] if "label" in runs.columns else [x]
    pts = _finite(runs.select(*group, "seed", "campbell_gap"), ["campbell_gap"]).drop_nulls("campbell_gap")
    rows = []
    for keys, sub in pts.group_by(group, maintain_order=True):
        mean, _sd, lo, hi = mean_ci(sub["campbell_gap"].to_list())
        rows.append({**dict(zip(group, keys, strict=True)), "mean": mean, "ci_low": lo, "ci_high": hi, "n": sub.height})
    summary = pl.DataFrame(rows).sort(x)
    n_seeds = int(summary["n"].max()) if summary.height else 0
    title = "Campbell's Law: the gap grows with the stakes"
    caption = (
        "Reported minus true outcome (share of closed cases) at each level of stakes on the indicator; "
        f"dots are single runs, the line the mean over up to {n_seeds} seeds and the band its 95% confidence interval."
        + (f" {note}" if note else "")
    )
    has_label = "label" in summary.columns
    colour = _colour(_labels(summary)) if has_label else alt.value(PALETTE[1])
    xenc = alt.X(
        f"{x}:Q", title="stakes on the indicator (incentive_strength, 0-1)" if x == "incentive_strength" else x
    )
    band = (
        alt.Chart(summary)
        .mark_area(opacity=0.25)
        .encode(
            x=xenc, y=alt.Y("ci_low:Q", title="reported - true outcome (share points)"), y2="ci_high:Q", color=colour
        )
    )
    line = (
        alt.Chart(summary)
        .mark_line(point=True, strokeWidth=2)
        .encode(x=xenc, y="mean:Q", color=colour, tooltip=[x, alt.Tooltip("mean:Q", format=".3f"), "n:Q"])
    )
    dots = alt.Chart(pts).mark_circle(size=22, opacity=0.45).encode(x=xenc, y="campbell_gap:Q", color=colour)
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="#777", strokeDash=[2, 2]).encode(y="y:Q")
    chart = (
        alt.layer(band, line, dots, zero)
        .properties(width=420, height=260)
        .properties(title=_title(title, caption, 420))
    )
    return Figure("campbell_curve", title, caption, chart)


def gaming_by_channel(runs: pl.DataFrame) -> Figure:
    """Each gaming channel's size per regime: mean over seeds with a 95% interval when seeds > 1."""
    labels = _labels(runs)
    rows = []
    for label in labels:
        sub = runs.filter(pl.col("label") == label)
        for ch in GAMING_CHANNELS:
            col = f"gaming_{ch}"
            if col not in sub.columns:
                continue
            mean, _sd, lo, hi = mean_ci(sub[col].to_list())
            # Rates cannot be negative, so the drawn interval stops at zero.
            rows.append(dict(label=label, channel=CHANNEL_LABELS[ch], mean=mean, ci_low=max(lo, 0.0), ci_high=hi))
    data = _finite(pl.DataFrame(rows), ["mean", "ci_low", "ci_high"])
    channels = [CHANNEL_LABELS[c] for c in GAMING_CHANNELS]
    title = "Gaming, channel by channel"
    caption = (
        "Size of each gaming channel after the burn-in (a rate: share of hours, cases or presentations "
        "it affects, see docs/ODD.md), by regime; whiskers are 95% confidence intervals over seeds (cut at zero)."
    )
    y = alt.Y("channel:N", title=None, sort=channels)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("mean:Q", title="size of the channel (rate, 0-1)"),
            y=y,
            color=_colour(labels),
            yOffset=alt.YOffset("label:N", sort=labels),
            tooltip=["label:N", "channel:N", alt.Tooltip("mean:Q", format=".3f")],
        )
    )
    whiskers = (
        alt.Chart(data)
        .mark_rule(color="#333")
        .encode(x="ci_low:Q", x2="ci_high:Q", y=y, yOffset=alt.YOffset("label:N", sort=labels))
    )
    chart = (
        alt.layer(bars, whiskers)
        .properties(width=420, height=max(220, 12 * len(channels) * len(labels)))
        .properties(title=_title(title, caption, 420))
    )
    return Figure("gaming_by_channel", title, caption, chart)


def wait_distribution(waits: pl.DataFrame, *, max_weeks: int = 26) -> Figure:
    """Starts of service by weeks waited, true and reported, with the time-to-service target line."""
    labels = _labels(waits)
    data = waits.filter(pl.col("weeks") <= max_weeks)
    totals = data.group_by("label").agg(pl.col("true").sum().alias("n_true"), pl.col("reported").sum().alias("n_rep"))
    data = data.join(totals, on="label").with_columns(
        (pl.col("true") / pl.when(pl.col("n_true") > 0).then(pl.col("n_true")).otherwise(1.0)).alias("true"),
        (pl.col("reported") / pl.when(pl.col("n_rep") > 0).then(pl.col("n_rep")).otherwise(1.0)).alias("reported"),
    )
    long = data.select("label", "weeks", "true", "reported").unpivot(
        index=["label", "weeks"], variable_name="measure", value_name="share"
    )
    targets = waits.group_by("label", maintain_order=True).agg(pl.col("target").first())
    title = "Time to service and the target"
    caption = (
        "Share of service starts by weeks waited, as really experienced (bars) and as recorded (line); "
        "the red rule is the time-to-service target (a 4-week reference where the regime sets none), and a "
        "pile-up just inside it is threshold bunching."
    )
    x = alt.X("weeks:O", title="weeks waited before service started (weeks)")
    bars = (
        alt.Chart()
        .transform_filter(alt.datum.measure == "true")
        .mark_bar(color=PALETTE[0], opacity=0.75)
        .encode(
            x=x,
            y=alt.Y("share:Q", title="service starts (share)"),
            tooltip=["weeks:O", alt.Tooltip("share:Q", format=".3f")],
        )
    )
    line = (
        alt.Chart()
        .transform_filter(alt.datum.measure == "reported")
        .mark_line(color=PALETTE[1], point=True)
        .encode(x=x, y="share:Q")
    )
    joined = long.join(targets, on="label")
    rule = (
        alt.Chart()
        .transform_filter(alt.datum.weeks == alt.datum.target)
        .mark_rule(color="#C00000", strokeWidth=2)
        .encode(x=x)
    )
    layered = alt.layer(bars, line, rule, data=joined).properties(width=WIDTH, height=HEIGHT)
    width = WIDTH * min(len(labels), _facet_columns(len(labels)))
    chart = layered.facet(facet=alt.Facet("label:N", title=None, sort=labels), columns=_facet_columns(len(labels)))
    chart = chart.properties(title=_title(title, caption, width))
    return Figure("wait_distribution", title, caption, chart)


def help_by_complexity(deciles: pl.DataFrame) -> Figure:
    """Who gets help: acceptance and hours per case by complexity decile (cream-skimming, parking)."""
    labels = _labels(deciles)
    colour = _colour(labels)
    x = alt.X("decile:O", title="complexity decile (1 = least complex, 10 = most)")
    acc = (
        alt.Chart(deciles)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("acceptance:Q", title="eligible people accepted (share)", scale=alt.Scale(domain=[0, 1])),
            color=colour,
            tooltip=["label:N", "decile:O", alt.Tooltip("acceptance:Q", format=".3f")],
        )
        .properties(width=WIDTH + 40, height=HEIGHT + 20, title="accepted when eligible")
    )
    hrs = (
        alt.Chart(deciles)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("hours_per_case_week:Q", title="help given (hours per case-week)"),
            color=colour,
            tooltip=["label:N", "decile:O", alt.Tooltip("hours_per_case_week:Q", format=".2f")],
        )
        .properties(width=WIDTH + 40, height=HEIGHT + 20, title="hours of help per case-week")
    )
    title = "Who gets help, by complexity"
    caption = (
        "Left: share of eligible people accepted into service; right: hours of help per week of an open case; "
        "by complexity decile. A fall at the complex end on the left is cream-skimming, on the right parking."
    )
    chart = alt.hconcat(acc, hrs).properties(title=_title(title, caption, 2 * (WIDTH + 40)))
    return Figure("help_by_complexity", title, caption, chart)


def cost_over_time(ts: pl.DataFrame) -> Figure:
    """Cost by category each week (13-week rolling mean), stacked; the J-curve of a transition."""
    labels = _labels(ts)
    cols = [f"cost_{k}" for k in MONEY if f"cost_{k}" in ts.columns]
    frame = ts.select("label", "week", *cols).sort("label", "week")
    frame = frame.with_columns(
        [
            (pl.col(c) * (-1.0 if c == "cost_penalties" else 1.0))
            .rolling_mean(window_size=WINDOW, min_samples=1)
            .over("label")
            .alias(c)
            for c in cols
        ]
    )
    long = frame.unpivot(index=["label", "week"], variable_name="category", value_name="gbp")
    long = long.with_columns(pl.col("category").str.strip_prefix("cost_").replace(COST_LABELS))
    # Categories that are zero throughout in every panel only clutter the legend.
    used = long.group_by("category").agg(pl.col("gbp").abs().sum().alias("s")).filter(pl.col("s") > 0)["category"]
    long = _finite(long.filter(pl.col("category").is_in(used.implode())), ["gbp"])
    order = [COST_LABELS[k] for k in MONEY if COST_LABELS[k] in set(used.to_list())]
    title = "Cost by category over time"
    caption = (
        f"Weekly cost to the public purse by category ({WINDOW}-week rolling mean, GBP per week); penalties "
        "returned by providers are drawn below zero. Investment before savings shows as a J-curve."
    )
    area = (
        alt.Chart(long)
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X("week:Q", title="week of the run (weeks)"),
            y=alt.Y("gbp:Q", title="cost (GBP per week)", stack="zero"),
            color=alt.Color(
                "category:N",
                title="category",
                sort=order,
                scale=alt.Scale(domain=order, range=list(PALETTE[: len(order)])),
            ),
            order=alt.Order("category_rank:Q"),
            tooltip=["label:N", "week:Q", "category:N", alt.Tooltip("gbp:Q", format=",.0f")],
        )
        .transform_calculate(category_rank=f"indexof({json.dumps(order)}, datum.category)")
        .properties(width=WIDTH, height=HEIGHT)
    )
    width = WIDTH * min(len(labels), _facet_columns(len(labels)))
    chart = area.facet(facet=alt.Facet("label:N", title=None, sort=labels), columns=_facet_columns(len(labels)))
    chart = chart.properties(title=_title(title, caption, width))
    return Figure("cost_over_time", title, caption, chart)


def trust_and_morale(ts: pl.DataFrame) -> Figure:
    """Trust across the system and worker morale per week, one panel per regime."""
    labels = _labels(ts)
    cols = [c for c in TRUST_LABELS if c in ts.columns]
    long = ts.select("label", "week", *cols).unpivot(
        index=["label", "week"], variable_name="measure", value_name="level"
    )
    long = _finite(long.with_columns(pl.col("measure").replace(TRUST_LABELS)), ["level"])
    order = [TRUST_LABELS[c] for c in cols]
    title = "Trust and morale"
    caption = (
        "Trust of citizens in services, between providers and between commissioner and providers, with "
        "workers' morale and intrinsic motivation, and the permission space (the share of the discretion granted "
        "that staff feel free to use), each on a 0-1 scale, week by week."
    )
    base = (
        alt.Chart(long)
        .mark_line(strokeWidth=1.6)
        .encode(
            x=alt.X("week:Q", title="week of the run (weeks)"),
            y=alt.Y("level:Q", title="level (0-1 scale)", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N",
                title="measure",
                sort=order,
                scale=alt.Scale(domain=order, range=list(PALETTE[: len(order)])),
            ),
            tooltip=["label:N", "week:Q", "measure:N", alt.Tooltip("level:Q", format=".3f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    width = WIDTH * min(len(labels), _facet_columns(len(labels)))
    chart = base.facet(facet=alt.Facet("label:N", title=None, sort=labels), columns=_facet_columns(len(labels)))
    chart = chart.properties(title=_title(title, caption, width))
    return Figure("trust_and_morale", title, caption, chart)


def parameter_effect(table: pl.DataFrame, x: str, metrics: Sequence[str]) -> Figure:
    """Any swept parameter against headline outputs: mean over seeds with a 95% interval."""
    rows = []
    for keys, sub in table.group_by([x], maintain_order=True):
        for m in metrics:
            if m not in sub.columns:
                continue
            mean, _sd, lo, hi = mean_ci(sub[m].to_list())
            rows.append({x: keys[0], "metric": m, "mean": mean, "ci_low": lo, "ci_high": hi})
    data = _finite(pl.DataFrame(rows).sort(x), ["mean", "ci_low", "ci_high"])
    numeric = table.schema[x].is_numeric()
    xenc = alt.X(f"{x}:{'Q' if numeric else 'N'}", title=f"{x} (swept parameter)")
    title = f"What {x} does"
    caption = (
        f"Mean over seeds of each output at each value of {x}, with its 95% confidence interval; "
        "each panel has its own scale."
    )
    line = alt.Chart().mark_line(point=True).encode(x=xenc, y=alt.Y("mean:Q", title="value (see panel title)"))
    band = alt.Chart().mark_errorbar().encode(x=xenc, y="ci_low:Q", y2="ci_high:Q")
    chart = (
        alt.layer(band, line, data=data)
        .properties(width=WIDTH, height=HEIGHT - 20)
        .facet(facet=alt.Facet("metric:N", title=None, sort=list(metrics)), columns=3)
        .resolve_scale(y="independent")
    )
    chart = chart.properties(title=_title(title, caption, 3 * WIDTH))
    return Figure(f"effect_of_{x}", title, caption, chart)


def all_figures(
    ts: pl.DataFrame | None,
    summaries: Mapping[str, Mapping[str, Any]] | None,
    runs: pl.DataFrame | None,
    campbell: pl.DataFrame | None = None,
    *,
    campbell_note: str = "",
) -> list[Figure]:
    """Every chart the inputs allow, in reading order."""
    figs: list[Figure] = []
    if ts is not None and ts.height and {"true_outcome", "reported_outcome"} <= set(ts.columns):
        figs.append(outcomes_over_time(ts))
    if campbell is not None and campbell.height:
        figs.append(campbell_curve(campbell, note=campbell_note))
    if runs is not None and runs.height and any(c.startswith("gaming_") for c in runs.columns):
        figs.append(gaming_by_channel(runs))
    if summaries:
        waits = wait_frame(summaries)
        if waits.height:
            figs.append(wait_distribution(waits))
        dec = decile_frame(summaries)
        if dec.height:
            figs.append(help_by_complexity(dec))
    if ts is not None and ts.height and any(c.startswith("cost_") for c in ts.columns):
        figs.append(cost_over_time(ts))
    if ts is not None and ts.height and any(c in ts.columns for c in TRUST_LABELS):
        figs.append(trust_and_morale(ts))
    return figs


def is_finite_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
