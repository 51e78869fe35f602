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

from hls_sim.labels import output_unit, output_words, param_title, param_words, point_label, readable_label, value_words
from hls_sim.metrics import GAMING_CHANNELS, MONEY, WINDOW
from hls_sim.params import PARAMS
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
    "exclusions": "exclusions",
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
    "reactive": "reactive services short of crisis",
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
    lines = textwrap.wrap(caption, max(40, int(width / 6.8)), break_on_hyphens=False)
    return alt.TitleParams(text=title, subtitle=lines, anchor="start", fontSize=16, subtitleFontSize=12)


def _labels(frame: pl.DataFrame) -> list[str]:
    """Labels in a stable order: known regimes first in policy order, then the rest as they come."""
    seen = list(dict.fromkeys(frame["label"].to_list()))
    return [r for r in REGIME_ORDER if r in seen] + [x for x in seen if x not in REGIME_ORDER]


def _readable(frame: pl.DataFrame, column: str = "label") -> pl.DataFrame:
    """Design-point labels written as 'key=value, ...' become words ('payment by results, stakes 0.6')."""
    if column not in frame.columns or frame.schema[column] != pl.String:
        return frame
    mapping = {v: readable_label(v) for v in frame[column].unique().to_list() if v is not None}
    return frame.with_columns(pl.col(column).replace(mapping)) if any(k != v for k, v in mapping.items()) else frame


# Distinct colours for up to 8 series (Okabe & Ito), then up to 20 (Vega's tableau20); a chart
# with more series than that splits into panels instead of reusing a colour.
MANY_COLOURS = "tableau20"


def _colour(labels: list[str], title: str = "regime or scenario") -> alt.Color:
    scale = (
        alt.Scale(domain=labels, range=list(PALETTE[: len(labels)]) or list(PALETTE))
        if len(labels) <= len(PALETTE)
        else alt.Scale(domain=labels, scheme=MANY_COLOURS)
    )
    return alt.Color("label:N", title=title, sort=labels, scale=scale, legend=_legend(len(labels)))


def _legend(n: int) -> alt.Legend:
    """A legend whose entries are never cut short; long ones wrap into columns below the chart."""
    if n > 8:
        return alt.Legend(labelLimit=0, orient="bottom", columns=2, symbolLimit=0)
    return alt.Legend(labelLimit=0, symbolLimit=0)


def _factors(frame: pl.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    """Parameters that vary across the rows of a sweep table (its design factors), regime first."""
    found = [
        c for c in frame.columns if c in PARAMS and c not in ("seed", *exclude) and frame[c].drop_nulls().n_unique() > 1
    ]
    return sorted(found, key=lambda c: (c != "regime", frame[c].n_unique()))


def _levels(frame: pl.DataFrame, column: str) -> list[str]:
    """A factor's values in their natural order, as words."""
    values = frame[column].drop_nulls().unique().to_list()
    if column == "regime":
        values = [r for r in REGIME_ORDER if r in values] + sorted(v for v in values if v not in REGIME_ORDER)
    else:
        values = sorted(values)
    return [value_words(column, v) for v in values]


def _as_words(frame: pl.DataFrame, column: str, alias: str | None = None) -> pl.DataFrame:
    """A factor column turned into the words shown on axes, legends and panel headers."""
    words = {v: value_words(column, v) for v in frame[column].unique().to_list()}
    return frame.with_columns(
        pl.col(column).map_elements(lambda v: words.get(v, str(v)), return_dtype=pl.String).alias(alias or column)
    )


def _factor_colour(frame: pl.DataFrame, column: str, field: str) -> alt.Color:
    """Colour for a design factor: a sequential scale for a numeric one (so 6 stakes read as more
    and less), distinct hues for a categorical one."""
    levels = _levels(frame, column)
    numeric = frame.schema[column].is_numeric()
    if numeric:
        scale = alt.Scale(domain=levels, scheme="viridis", reverse=True)
    elif len(levels) <= len(PALETTE):
        scale = alt.Scale(domain=levels, range=list(PALETTE[: len(levels)]))
    else:
        scale = alt.Scale(domain=levels, scheme=MANY_COLOURS)
    return alt.Color(
        f"{field}:O" if numeric else f"{field}:N",
        title=param_title(column),
        sort=levels,
        scale=scale,
        legend=_legend(len(levels)),
    )


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Type sizes a printed page and a projected slide can both be read at."""
    return (
        chart.configure_axis(labelFontSize=12, titleFontSize=13)
        .configure_legend(labelFontSize=12, titleFontSize=13, labelLimit=0)
        .configure_header(labelFontSize=13, titleFontSize=13)
        .configure_title(fontSize=16, subtitleFontSize=12)
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
    ts = _readable(ts)
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
            y=alt.Y("share:Q", title="cases resolved (share, 0-1)", scale=alt.Scale(domain=[0, 1])),
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
    return Figure("outcomes_over_time", title, caption, _finish(chart))


def _series(frame: pl.DataFrame, exclude: Sequence[str] = ()) -> tuple[pl.DataFrame, str | None, str | None]:
    """Split the design points of a sweep table into panels and coloured series.

    Returns the frame with `label` (the series, in words) and, when the points are too many for
    one set of colours, `panel` (the first factor, usually the regime); plus the factor that
    names the panels and the single factor the colours stand for (None when several or none).
    A frame with a `label` but no varying design factors (a compare) keeps its labels.
    """
    factors = _factors(frame, exclude)
    if not factors or not _labels_name_points(frame, factors):
        return _readable(frame), None, None
    panel = factors[0] if len(factors) >= 2 else None
    colour = [f for f in factors if f != panel]
    if panel is not None:
        frame = _as_words(frame, panel, "panel")
    frame = frame.with_columns(
        pl.struct(colour).map_elements(lambda r: _words_of(r, colour), return_dtype=pl.String).alias("label"),
        pl.lit(", ".join(param_words(c) for c in colour)).alias("series_of"),
    )
    return frame, panel, colour[0] if len(colour) == 1 else None


def _labels_name_points(frame: pl.DataFrame, factors: Sequence[str]) -> bool:
    """Whether `label` is just the design point (one label per combination of the factors, written
    as the value or as 'key=value, ...'), rather than a name of its own such as a scenario's."""
    if "label" not in frame.columns:
        return True
    pairs = frame.select("label", *factors).unique()
    if pairs["label"].n_unique() != pairs.height or pairs.select(factors).unique().height != pairs.height:
        return False
    for row in pairs.iter_rows(named=True):
        label = str(row["label"])
        if len(factors) > 1:
            if not all(f"{k}=" in label for k in factors):
                return False
        elif label != str(row[factors[0]]) and label.lower() != str(row[factors[0]]).lower():
            try:
                if float(label) != float(row[factors[0]]):
                    return False
            except (TypeError, ValueError):
                return False
    return True


def _words_of(row: Mapping[str, Any], keys: Sequence[str]) -> str:
    return point_label(row, keys) if len(keys) > 1 else value_words(keys[0], row[keys[0]])


def _series_colour(frame: pl.DataFrame, factor: str | None, labels: list[str], title: str) -> alt.Color:
    if factor:
        return _factor_colour(frame, factor, "label")
    if "series_of" in frame.columns:  # several factors name each series
        title = frame["series_of"][0]
    return _colour(labels, title)


def _series_order(frame: pl.DataFrame, factor: str | None) -> list[str]:
    return _levels(frame, factor) if factor else _labels(frame)


def campbell_curve(runs: pl.DataFrame, *, x: str = "incentive_strength", note: str = "") -> Figure:
    """The reported-true gap against the stakes on the indicator, with its spread over seeds.

    Each point is one run; the line is the mean over seeds at each stake and the band its 95%
    confidence interval (t-based, computed here so the picture is the same on every render).
    A sweep with more series than distinct colours is split into one panel per regime.
    """
    frame, panel, factor = _series(runs, exclude=[x]) if "label" in runs.columns else (runs, None, None)
    group = [c for c in ("panel", "label") if c in frame.columns] + [x]
    pts = _finite(frame.select(*group, "seed", "campbell_gap"), ["campbell_gap"]).drop_nulls("campbell_gap")
    rows = []
    for keys, sub in pts.group_by(group, maintain_order=True):
        mean, _sd, lo, hi = mean_ci(sub["campbell_gap"].to_list())
        rows.append({**dict(zip(group, keys, strict=True)), "mean": mean, "ci_low": lo, "ci_high": hi, "n": sub.height})
    summary = pl.DataFrame(rows).sort(x)
    n_seeds = int(summary["n"].max()) if summary.height else 0
    title = "Campbell's Law: the gap grows with the stakes"
    caption = (
        "Reported minus true outcome (share of closed cases) at each level of stakes on the indicator; "
        f"dots are single runs, the line the mean over up to {n_seeds} seeds and the band its 95% confidence interval"
        + (f", one panel per {param_title(panel)}" if panel else "")
        + "."
        + (f" {note}" if note else "")
    )
    has_label = "label" in summary.columns
    labels = _series_order(frame, factor) if has_label else []
    colour = _series_colour(frame, factor, labels, "regime or scenario") if has_label else alt.value(PALETTE[1])
    xenc = alt.X(f"{x}:Q", title=param_title(x))
    ytitle = "reported - true outcome (share points)"
    mean_tip = [*(["label:N"] if has_label else []), x, alt.Tooltip("mean:Q", format=".3f"), "n:Q"]

    def layers(mean_data: Any, run_data: Any) -> list[alt.Chart]:
        band = (
            alt.Chart(mean_data)
            .mark_area(opacity=0.25)
            .encode(x=xenc, y=alt.Y("ci_low:Q", title=ytitle), y2="ci_high:Q", color=colour)
        )
        line = (
            alt.Chart(mean_data)
            .mark_line(point=True, strokeWidth=2)
            .encode(x=xenc, y=alt.Y("mean:Q", title=ytitle), color=colour, tooltip=mean_tip)
        )
        dots = (
            alt.Chart(run_data)
            .mark_circle(size=22, opacity=0.45)
            .encode(x=xenc, y=alt.Y("campbell_gap:Q", title=ytitle), color=colour)
        )
        zero = alt.Chart(mean_data).mark_rule(color="#777", strokeDash=[2, 2]).encode(y=alt.datum(0))
        return [band, line, dots, zero]

    if panel:
        # a faceted chart needs one data set: means and single runs together, told apart by `kind`
        data = pl.concat(
            [summary.with_columns(pl.lit("mean").alias("kind")), pts.with_columns(pl.lit("run").alias("kind"))],
            how="diagonal_relaxed",
        )
        band, line, dots, zero = layers(alt.Undefined, alt.Undefined)
        band, line, zero = (c.transform_filter(alt.datum.kind == "mean") for c in (band, line, zero))
        dots = dots.transform_filter(alt.datum.kind == "run")
        panels = _levels(frame, panel)
        cols = min(3, len(panels))
        chart = (
            alt.layer(band, line, dots, zero, data=data)
            .properties(width=300, height=220)
            .facet(facet=alt.Facet("panel:N", title=None, sort=panels), columns=cols)
        )
        width = 300 * cols
    else:
        chart, width = alt.layer(*layers(summary, pts)).properties(width=420, height=260), 420
    return Figure("campbell_curve", title, caption, _finish(chart.properties(title=_title(title, caption, width))))


def gaming_by_channel(runs: pl.DataFrame) -> Figure:
    """Each gaming channel's size per regime: mean over seeds with a 95% interval when seeds > 1.

    For a sweep, the series are its design points in words; when they are more than the distinct
    colours, one panel per regime with the other factor in shades (more stakes, darker).
    """
    frame, panel, factor = _series(runs)
    labels = _series_order(frame, factor)
    keys = ["panel", "label"] if panel else ["label"]
    rows = []
    for key, sub in frame.group_by(keys, maintain_order=True):
        where = dict(zip(keys, key, strict=True))
        for ch in GAMING_CHANNELS:
            col = f"gaming_{ch}"
            if col not in sub.columns:
                continue
            mean, _sd, lo, hi = mean_ci(sub[col].to_list())
            # Rates cannot be negative, so the drawn interval stops at zero.
            rows.append(dict(**where, channel=CHANNEL_LABELS[ch], mean=mean, ci_low=max(lo, 0.0), ci_high=hi))
    data = _finite(pl.DataFrame(rows), ["mean", "ci_low", "ci_high"])
    channels = [CHANNEL_LABELS[c] for c in GAMING_CHANNELS]
    title = "Gaming, channel by channel"
    caption = (
        "Size of each gaming channel after the burn-in (a rate: share of hours, cases or presentations "
        "it affects, see docs/ODD.md), by "
        + (
            f"{param_title(panel)} (panels) and {param_title(factor) if factor else 'design point'}"
            if panel
            else (param_title(factor) if factor else "regime")
        )
        + "; whiskers are 95% confidence intervals over seeds (cut at zero)."
    )
    y = alt.Y("channel:N", title=None, sort=channels)
    colour = _series_colour(frame, factor, labels, "regime or scenario")
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=alt.X("mean:Q", title="size of the channel (rate, 0-1)"),
            y=y,
            color=colour,
            yOffset=alt.YOffset("label:N", sort=labels),
            tooltip=["label:N", "channel:N", alt.Tooltip("mean:Q", format=".3f")],
        )
    )
    whiskers = (
        alt.Chart()
        .mark_rule(color="#333")
        .encode(x="ci_low:Q", x2="ci_high:Q", y=y, yOffset=alt.YOffset("label:N", sort=labels))
    )
    per_panel = data["label"].n_unique() if data.height else 1
    height = max(220, 11 * len(channels) * per_panel)
    layered = alt.layer(bars, whiskers, data=data)
    if panel:
        panels = _levels(frame, panel)
        cols = min(3, len(panels))
        chart = layered.properties(width=260, height=height).facet(
            facet=alt.Facet("panel:N", title=None, sort=panels), columns=cols
        )
        width = 260 * cols
    else:
        chart, width = layered.properties(width=420, height=height), 420
    return Figure("gaming_by_channel", title, caption, _finish(chart.properties(title=_title(title, caption, width))))


def wait_distribution(waits: pl.DataFrame, *, max_weeks: int = 26) -> Figure:
    """Starts of service by weeks waited, true and reported, with the time-to-service target line."""
    waits = _readable(waits)
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
    return Figure("wait_distribution", title, caption, _finish(chart))


def help_by_complexity(deciles: pl.DataFrame) -> Figure:
    """Who gets help: acceptance and hours per case by complexity decile (cream-skimming, parking)."""
    deciles = _readable(deciles)
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
    return Figure("help_by_complexity", title, caption, _finish(chart))


def cost_over_time(ts: pl.DataFrame) -> Figure:
    """Cost by category each week (13-week rolling mean), stacked; the J-curve of a transition."""
    ts = _readable(ts)
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
    return Figure("cost_over_time", title, caption, _finish(chart))


def trust_and_morale(ts: pl.DataFrame) -> Figure:
    """Trust across the system and worker morale per week, one panel per regime."""
    ts = _readable(ts)
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
    return Figure("trust_and_morale", title, caption, _finish(chart))


def parameter_effect(table: pl.DataFrame, x: str, metrics: Sequence[str], *, by: Sequence[str] | None = None) -> Figure:
    """What one swept parameter does to headline outputs, split by the other factors of the sweep.

    Pooling over the other factors hides what the parameter does where it matters (the effect of
    the regime differs with the stakes), so the mean and 95% interval over seeds are drawn for
    each combination: the next factor in colour, a third in side-by-side panels, any further ones
    averaged over (and said so). A categorical parameter (a regime) is drawn as points with
    intervals, since a line between categories would suggest values in between.
    """
    others = list(by) if by is not None else _factors(table, exclude=[x])
    # the factor with more levels reads best as shades of one colour, the one with fewer as panels
    others[:2] = sorted(others[:2], key=lambda c: -table[c].n_unique())
    colour_by = others[0] if others else None
    column_by = others[1] if len(others) > 1 else None
    pooled = others[2:]
    keys = [x, *[k for k in (colour_by, column_by) if k]]
    rows = []
    for key, sub in table.group_by(keys, maintain_order=True):
        where = dict(zip(keys, key, strict=True))
        for m in metrics:
            if m not in sub.columns:
                continue
            mean, _sd, lo, hi = mean_ci([v for v in sub[m].to_list() if v is not None])
            rows.append({**where, "metric": m, "mean": mean, "ci_low": lo, "ci_high": hi, "n": sub.height})
    data = _finite(pl.DataFrame(rows), ["mean", "ci_low", "ci_high"])
    numeric = table.schema[x].is_numeric() and table[x].n_unique() > 2
    xlevels = _levels(table, x)
    data = _as_words(data, x, "x_words")
    if colour_by:
        data = _as_words(data, colour_by, "series")
    if column_by:
        data = _as_words(data, column_by, "column")
    xenc = (
        alt.X(f"{x}:Q", title=param_title(x))
        if numeric
        else alt.X(
            "x_words:N",
            title=param_title(x),
            sort=xlevels,
            axis=alt.Axis(labelAngle=-25 if len(xlevels) > 2 else 0, labelLimit=160),
        )
    )
    colour = _factor_colour(table, colour_by, "series") if colour_by else alt.value(PALETTE[0])
    offset = {} if numeric or not colour_by else {"xOffset": alt.XOffset("series:N", sort=_levels(table, colour_by))}
    panels = []
    n_cols = len(_levels(table, column_by)) if column_by else 1
    width = max(240, min(320, 640 // n_cols))
    for m in metrics:
        if m not in data["metric"].unique().to_list():
            continue
        unit = output_unit(m)
        ytitle = f"mean over seeds ({unit})" if unit else "mean over seeds (value)"
        y = alt.Y("mean:Q", title=ytitle, scale=alt.Scale(zero=False))
        tooltip = [
            alt.Tooltip("x_words:N", title=param_title(x)),
            *([alt.Tooltip("series:N", title=param_title(colour_by))] if colour_by else []),
            alt.Tooltip("mean:Q", format=".3f"),
            alt.Tooltip("ci_low:Q", format=".3f"),
            alt.Tooltip("ci_high:Q", format=".3f"),
            "n:Q",
        ]
        whisker = (
            alt.Chart()
            .mark_rule(strokeWidth=1.5)
            .encode(x=xenc, y=alt.Y("ci_low:Q", title=ytitle), y2="ci_high:Q", color=colour, **offset)
        )
        point = (
            alt.Chart()
            .mark_point(filled=True, size=60, opacity=1)
            .encode(x=xenc, y=y, color=colour, tooltip=tooltip, **offset)
        )
        layers = [whisker, point]
        if numeric:
            layers.insert(1, alt.Chart().mark_line(strokeWidth=1.5).encode(x=xenc, y=y, color=colour))
        sub = alt.layer(*layers, data=data.filter(pl.col("metric") == m)).properties(width=width, height=170)
        if column_by:
            sub = sub.facet(column=alt.Column("column:N", title=param_title(column_by), sort=_levels(table, column_by)))
        panels.append(sub.properties(title=alt.TitleParams(output_words(m), anchor="start", fontSize=14)))
    columns = 1 if column_by else 2
    split = ""
    if colour_by:
        split = f", split by {param_title(colour_by)} (colour)"
    if column_by:
        split += f" and {param_title(column_by)} (panels)"
    avg = f"; averaged over {', '.join(param_title(p) for p in pooled)}" if pooled else ""
    title = f"What {param_title(x).split(' (')[0]} does"
    caption = (
        f"Mean over seeds of each output at each value of {param_title(x)}{split}{avg}; "
        "bars are 95% confidence intervals and each panel has its own scale."
    )
    chart = alt.concat(*panels, columns=columns).resolve_scale(color="shared")
    total = width * n_cols * columns + 120
    return Figure(f"effect_of_{x}", title, caption, _finish(chart.properties(title=_title(title, caption, total))))


WATERFALL_COLOURS = {"level": "#7f7f7f", "raises": PALETTE[0], "lowers": PALETTE[1]}


def waterfall_frame(doc: Mapping[str, Any]) -> pl.DataFrame:
    """Steps of each measure's waterfall from an explain.json: A, each differing group, B.

    A group's bar runs from where the steps before it left the measure to that plus its share;
    its whisker is the share's interval over seeds, placed on the same start.
    """
    a, b = doc["a"]["label"], doc["b"]["label"]
    titles = {g: info["title"] for g, info in doc["groups"].items()}
    rows: list[dict[str, Any]] = []
    for measure, r in doc["measures"].items():
        if not (is_finite_number(r.get("a")) and is_finite_number(r.get("b"))):
            continue
        words = output_words(measure)
        unit = output_unit(measure)
        panel = f"{words} ({unit})" if unit else words
        at = float(r["a"])
        rows.append(dict(panel=panel, step=f"{a} (A)", order=0, start=at, end=at, share=at, kind="level"))
        for i, g in enumerate(doc["differing_groups"], start=1):
            share = r["groups"].get(g)
            if not is_finite_number(share):
                continue
            iv = r["intervals"].get(g) or [None, None]
            rows.append(
                dict(
                    panel=panel,
                    step=titles[g],
                    order=i,
                    start=at,
                    end=at + share,
                    share=share,
                    kind="raises" if share >= 0 else "lowers",
                    ci_low=at + iv[0] if is_finite_number(iv[0]) else None,
                    ci_high=at + iv[1] if is_finite_number(iv[1]) else None,
                )
            )
            at += share
        bt = float(r["b"])
        rows.append(
            dict(
                panel=panel,
                step=f"{b} (B)",
                order=len(doc["differing_groups"]) + 1,
                start=bt,
                end=bt,
                share=bt,
                kind="level",
            )
        )
    schema = {
        "panel": pl.String,
        "step": pl.String,
        "order": pl.Int64,
        "start": pl.Float64,
        "end": pl.Float64,
        "share": pl.Float64,
        "kind": pl.String,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def shapley_waterfall(doc: Mapping[str, Any]) -> Figure:
    """What made the difference: each lever group's Shapley share of B - A, one panel per measure."""
    frame = waterfall_frame(doc)
    a, b = doc["a"]["label"], doc["b"]["label"]
    n = len(doc["seeds"])
    title = f"What made the difference: {readable_label(b)} against {readable_label(a)}"
    caption = (
        f"Each bar is a lever group's share of the difference B - A (exact Shapley values over the groups that "
        f"differ, every combination run on the same {n} seed{'s' * (n != 1)}); the shares add up to the "
        "difference, from A (top tick) to B (bottom tick)"
        + ("; whiskers are 95% intervals over seeds." if n > 1 else ".")
        + " Groups with no differing parameter contribute 0 and are left out."
    )
    panels = []
    for panel in dict.fromkeys(frame["panel"].to_list()):
        sub = frame.filter(pl.col("panel") == panel)
        order = sub.sort("order")["step"].to_list()
        y = alt.Y("step:N", title=None, sort=order, axis=alt.Axis(labelLimit=0))
        x = alt.X("start:Q", title=None, scale=alt.Scale(zero=False))
        colour = alt.Color(
            "kind:N",
            title="the group",
            scale=alt.Scale(
                domain=["raises", "lowers"], range=[WATERFALL_COLOURS["raises"], WATERFALL_COLOURS["lowers"]]
            ),
            legend=alt.Legend(labelExpr="datum.label + ' the measure'"),
        )
        tooltip = ["step:N", alt.Tooltip("share:Q", title="share (levels: the measure)", format=",.4g")]
        bars = (
            alt.Chart()
            .transform_filter("datum.kind != 'level'")
            .mark_bar(height={"band": 0.7})
            .encode(x=x, x2="end:Q", y=y, color=colour, tooltip=tooltip)
        )
        levels = (
            alt.Chart()
            .transform_filter("datum.kind == 'level'")
            .mark_tick(thickness=4, color=WATERFALL_COLOURS["level"], bandSize=14)
            .encode(x=x, y=y, tooltip=tooltip)
        )
        whiskers = alt.Chart().mark_rule(color="#333").encode(x="ci_low:Q", x2="ci_high:Q", y=y)
        panels.append(
            alt.layer(bars, whiskers, levels, data=sub).properties(
                width=360, height=max(90, 22 * len(order)), title=alt.TitleParams(panel, fontSize=13, anchor="start")
            )
        )
    chart = alt.concat(*panels, columns=2).resolve_scale(x="independent", y="independent")
    chart = chart.properties(title=_title(title, caption, 760))
    return Figure("explain_waterfall", title, caption, _finish(chart))


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


# ---------------------------------------------------------------------------- policy: cost over time, assumptions

AGAINST_FIRST = {
    "cum_d_cost": "cumulative extra cost (GBP)",
    "cum_d_wellbeing_years": "cumulative wellbeing-years gained",
    "cum_d_crises_avoided": "cumulative crises avoided",
}


def against_first_frame(band: pl.DataFrame) -> pl.DataFrame:
    """label, year, measure (in words), mean, lo, hi from `hls_sim.breakeven.bands`."""
    parts = []
    for col, words in AGAINST_FIRST.items():
        if col not in band.columns:
            continue
        parts.append(
            band.select(
                "label",
                "year",
                pl.lit(words).alias("measure"),
                pl.col(col).alias("mean"),
                pl.col(f"{col}_lo").alias("lo"),
                pl.col(f"{col}_hi").alias("hi"),
            )
        )
    return _finite(pl.concat(parts), ["mean", "lo", "hi"]) if parts else pl.DataFrame()


def cost_against_first(band: pl.DataFrame, first: str, n_seeds: int) -> Figure:
    """Cumulative extra cost, wellbeing-years and crises avoided of every label against the first,
    year by year, with the 95% band over seeds; where the cost line stays under zero it has paid back."""
    frame = against_first_frame(band.filter(pl.col("label") != first))
    labels = list(dict.fromkeys(frame["label"].to_list()))
    measures = [m for m in AGAINST_FIRST.values() if m in set(frame["measure"].to_list())]
    colour = _colour(labels)
    title = f"Cost and impact against {first}, year by year"
    caption = (
        f"Each line is a label minus {first} on the same seeds, added up year by year: cost to the public purse "
        "(crises included), wellbeing-years and crises avoided against no services. Shaded: 95% band over "
        f"{n_seeds} seed{'s' * (n_seeds != 1)} (seed noise only). From the year the cost line stays at or "
        "below zero, the change has paid for itself."
    )
    panels = []
    for m in measures:
        data = frame.filter(pl.col("measure") == m)
        base = alt.Chart(data).encode(x=alt.X("year:Q", title="year", axis=alt.Axis(tickMinStep=1)))
        band_layer = base.mark_area(opacity=0.18).encode(y=alt.Y("lo:Q", title=m), y2="hi:Q", color=colour)
        line = base.mark_line(point=True, strokeWidth=2).encode(
            y=alt.Y("mean:Q", title=m),
            color=colour,
            tooltip=[
                "label:N",
                "year:Q",
                alt.Tooltip("mean:Q", format=",.2f"),
                alt.Tooltip("lo:Q", format=",.2f"),
                alt.Tooltip("hi:Q", format=",.2f"),
            ],
        )
        zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(y="y:Q")
        panels.append(
            alt.layer(band_layer, line, zero).properties(
                width=WIDTH, height=HEIGHT + 40, title=alt.TitleParams(m, anchor="start", fontSize=14)
            )
        )
    chart = alt.hconcat(*panels).resolve_scale(y="independent")
    chart = chart.properties(title=_title(title, caption, (WIDTH + 60) * max(1, len(panels))))
    return Figure("cost_against_first", title, caption, _finish(chart))


def tornado_frame(effects: Mapping[str, Sequence[Any]]) -> pl.DataFrame:
    """One row per label, assumption and measure: the run-end difference at low, central and high."""
    from hls_sim.assumptions import title as assumption_title
    from hls_sim.assumptions import value_text

    rows = []
    for label, items in effects.items():
        for rank, e in enumerate(items):
            name = (
                f"{assumption_title(e.assumption)}: {value_text(e.assumption, e.values['low'])} to "
                f"{value_text(e.assumption, e.values['high'])}"
            )
            for measure, values in (
                ("extra cost over the run (GBP)", e.cost),
                ("wellbeing-years gained over the run", e.wellbeing_years),
            ):
                rows.append(
                    {
                        "label": label,
                        "assumption": name,
                        "rank": rank,
                        "method": e.method,
                        "measure": measure,
                        "low": values.get("low"),
                        "central": values.get("central"),
                        "high": values.get("high"),
                    }
                )
    return _finite(pl.DataFrame(rows), ["low", "central", "high"]) if rows else pl.DataFrame()


def tornado(effects: Mapping[str, Sequence[Any]], first: str) -> Figure:
    """For each label, how far each assumption moves its difference from the first (a tornado chart)."""
    frame = tornado_frame(effects)
    title = "Assumptions that drive this result"
    caption = (
        f"Each bar runs from the difference against {first} with the assumption at its low value (open circle) to "
        "the one at its high value (filled circle); the tick is the compare's own result on the same seeds and the "
        "dashed line zero. Longest bar first: where a bar crosses zero, the sign of the answer turns on the assumption."
    )
    measures = list(dict.fromkeys(frame["measure"].to_list()))
    labels = list(dict.fromkeys(frame["label"].to_list()))
    rows = []
    for label in labels:
        cells = []
        for i, m in enumerate(measures):
            data = frame.filter((pl.col("label") == label) & (pl.col("measure") == m))
            order = data.sort("rank")["assumption"].to_list()
            axis = alt.Axis(labelLimit=360) if i == 0 else alt.Axis(labels=False, ticks=False)  # named once per row
            y = alt.Y("assumption:N", sort=order, title=None, axis=axis)
            base = alt.Chart(data)
            fmt = "~s" if "GBP" in m else ",.3~g"  # -4.77M rather than -4,771,128
            bar = base.mark_rule(strokeWidth=7, opacity=0.45, color=PALETTE[0]).encode(
                x=alt.X("low:Q", title=m, axis=alt.Axis(format=fmt)), x2="high:Q", y=y
            )
            low = base.mark_point(size=90, filled=False, color=PALETTE[1], strokeWidth=2).encode(x="low:Q", y=y)
            high = base.mark_point(size=90, filled=True, color=PALETTE[1]).encode(
                x="high:Q",
                y=y,
                tooltip=[
                    "assumption:N",
                    "method:N",
                    alt.Tooltip("low:Q", format=",.2f"),
                    alt.Tooltip("central:Q", format=",.2f"),
                    alt.Tooltip("high:Q", format=",.2f"),
                ],
            )
            tick = base.mark_tick(color="#222", thickness=2, size=18).encode(x="central:Q", y=y)
            zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(x="x:Q")
            cells.append(
                alt.layer(bar, low, high, tick, zero).properties(
                    width=WIDTH + 40,
                    height=max(60, 24 * len(order)),
                    title=alt.TitleParams(f"{label} minus {first}", anchor="start", fontSize=14),
                )
            )
        rows.append(alt.hconcat(*cells))
    chart = alt.vconcat(*rows) if rows else alt.Chart(pl.DataFrame({"x": []})).mark_point()
    chart = chart.properties(title=_title(title, caption, 2 * (WIDTH + 40) + 360))
    return Figure("assumptions_tornado", title, caption, _finish(chart))
