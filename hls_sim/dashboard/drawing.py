"""The dashboard's four live charts, drawn with matplotlib so that a classroom needs no internet.

Charts are sized for a projector: each is drawn at the pixel size it is shown at (two across a
1280-pixel screen beside the controls) with no text below 11 points. Every category keeps its
colour whatever the run (a cost category that is zero in one run does not shift the others),
and the previous run is drawn faintly behind the current one, so before and after are on one
screen.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import polars as pl  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hls_sim.charts import CHANNEL_LABELS, PALETTE  # noqa: E402
from hls_sim.dashboard.model import GAMING_COLUMNS, crises_per_1000_year  # noqa: E402
from hls_sim.metrics import GAMING_CHANNELS, MONEY, WINDOW  # noqa: E402

DPI = 96
FIGSIZE = (4.35, 3.2)  # inches: 418 x 307 pixels at 96 dpi, two across the main area at 1280 x 720
FONT = {
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
}
SMALLEST_POINTS = 11  # no text on a chart is smaller (tests/test_dashboard_model.py checks)

TRUE, REPORTED = PALETTE[0], PALETTE[1]
CHANNEL_COLOURS = {c: PALETTE[k] for k, c in enumerate(GAMING_CHANNELS)}
CHANNEL_COLOURS["timing"] = "#666666"  # the palette's yellow is too faint on a projector
# One colour per cost category, the same in every run (penalties are drawn grey, below zero).
COST_COLOURS = {
    "payments": PALETTE[0],
    "audit": PALETTE[4],
    "tender": PALETTE[3],
    "steward": PALETTE[2],
    "transition": PALETTE[5],
    "discretionary": "#8C6D31",
    "downstream": PALETTE[1],
    "reactive": "#882255",
    "penalties": "#999999",
}
# Short names, so that a two-column legend fits a chart two of which sit side by side.
COST_WORDS = {
    "payments": "payments",
    "audit": "audits",
    "tender": "re-tendering",
    "steward": "steward",
    "transition": "transition",
    "discretionary": "discretionary",
    "downstream": "crises",
    "reactive": "reactive services",
    "penalties": "penalties",
}
WELLBEING_ALL, WELLBEING_COMPLEX, CRISES = PALETTE[2], PALETTE[3], "#444444"
FAINT = 0.28


@dataclass
class Run:
    """What a chart needs of one run: its weekly frame, its length, size and a line describing it."""

    frame: pl.DataFrame
    weeks: int
    citizens: int
    words: str
    settings: dict = field(default_factory=dict)


def _figure() -> tuple[Figure, Axes]:
    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        ax = fig.subplots()
    return fig, ax


def _frame_axes(ax: Axes, title: str, ylabel: str, weeks: int) -> None:
    ax.set_title(title, loc="left", fontsize=FONT["axes.titlesize"], fontweight="bold")
    ax.set_xlim(0, weeks)
    ax.set_xticks(range(0, weeks + 1, 52))
    ax.set_xlabel("week (52 weeks = one year)", fontsize=FONT["axes.labelsize"])
    ax.set_ylabel(ylabel, fontsize=FONT["axes.labelsize"])
    ax.tick_params(labelsize=FONT["xtick.labelsize"])
    ax.grid(alpha=0.3)


def _legend(ax: Axes, **kw) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        compact = {"handlelength": 1.0, "handletextpad": 0.4, "columnspacing": 0.7, "borderpad": 0.3}
        ax.legend(fontsize=FONT["legend.fontsize"], framealpha=0.85, **{**compact, **kw})


def _weeks(run: Run) -> list[int]:
    return run.frame["week"].to_list()


def outcomes(current: Run, previous: Run | None = None) -> Figure:
    """Reported against true outcome; the gap between them shaded."""
    fig, ax = _figure()
    _frame_axes(ax, "Reported and true outcome", f"resolved (share, {WINDOW}-wk)", current.weeks)
    ax.set_ylim(0, 1.25)  # room above the data for the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    if previous is not None and previous.frame.height:
        w = _weeks(previous)
        ax.plot(w, previous.frame["true_outcome"], color=TRUE, lw=1.4, alpha=FAINT)
        ax.plot(w, previous.frame["reported_outcome"], color=REPORTED, lw=1.4, ls="--", alpha=FAINT)
        ax.plot([], [], color="#888", lw=1.4, alpha=0.6, label="before (faint)")
    if current.frame.height:
        w = _weeks(current)
        true, rep = current.frame["true_outcome"].to_numpy(), current.frame["reported_outcome"].to_numpy()
        ax.fill_between(w, true, rep, where=rep > true, color=REPORTED, alpha=0.15, lw=0, label="gap")
        ax.plot(w, true, color=TRUE, lw=2.2, label="true")
        ax.plot(w, rep, color=REPORTED, lw=2.2, ls="--", label="reported")
    _legend(ax, loc="upper right", ncol=2)
    fig.subplots_adjust(left=0.18, right=0.95, top=0.9, bottom=0.17)
    return fig


def gaming(current: Run, previous: Run | None = None) -> Figure:
    """Each gaming channel measured on its own."""
    fig, ax = _figure()
    _frame_axes(ax, "Gaming, channel by channel", f"share affected ({WINDOW}-wk)", current.weeks)
    top = 0.2
    for run, alpha, width in ((previous, FAINT, 1.3), (current, 1.0, 2.0)):
        if run is None or not run.frame.height:
            continue
        w = _weeks(run)
        for col in GAMING_COLUMNS:
            if col in run.frame.columns:
                values = run.frame[col].fill_nan(0.0)
                top = max(top, float(values.max() or 0.0))
                ch = col.removeprefix("gaming_")
                label = CHANNEL_LABELS[ch] if run is current else None
                ax.plot(w, values, color=CHANNEL_COLOURS[ch], lw=width, alpha=alpha, label=label)
    if previous is not None and previous.frame.height:
        ax.plot([], [], color="#888", lw=1.3, alpha=0.6, label="before (faint)")
    ax.set_ylim(0, top * 1.55)  # room above the data for the legend
    _legend(ax, loc="upper left", ncol=2)
    fig.subplots_adjust(left=0.18, right=0.95, top=0.9, bottom=0.17)
    return fig


def costs(current: Run, previous: Run | None = None) -> Figure:
    """What the system costs each week by category, with the crisis and reactive-service costs that fall on
    other services."""
    fig, ax = _figure()
    _frame_axes(ax, "Cost by category", f"£ thousand a week ({WINDOW}-wk)", current.weeks)
    top = 1.0
    if previous is not None and previous.frame.height:
        total = previous.frame["cost_total"].rolling_mean(WINDOW, min_samples=1) / 1000.0
        top = max(top, float(total.max()))
        ax.plot(_weeks(previous), total, color="#333", lw=1.4, alpha=0.45, ls=":", label="before")
    if current.frame.height:
        w = _weeks(current)
        kinds = [k for k in MONEY if k != "penalties" and f"cost_{k}" in current.frame.columns]
        kinds = [k for k in kinds if current.frame[f"cost_{k}"].abs().sum() > 0]
        if kinds:
            smooth = [current.frame[f"cost_{k}"].rolling_mean(WINDOW, min_samples=1) / 1000.0 for k in kinds]
            top = max(top, float(sum(smooth).max()))
            ax.stackplot(
                w,
                *smooth,
                colors=[COST_COLOURS[k] for k in kinds],
                labels=[COST_WORDS[k] for k in kinds],
                alpha=0.85,
            )
        if "cost_penalties" in current.frame.columns and current.frame["cost_penalties"].sum() > 0:
            pen = current.frame["cost_penalties"].rolling_mean(WINDOW, min_samples=1) / 1000.0
            ax.fill_between(w, 0, -pen, color=COST_COLOURS["penalties"], label=COST_WORDS["penalties"])
    ax.set_ylim(ax.get_ylim()[0], top * 1.75)  # room above the stack for the legend
    _legend(ax, loc="upper left", ncol=2)
    fig.subplots_adjust(left=0.18, right=0.95, top=0.9, bottom=0.17)
    return fig


def let_down(current: Run, previous: Run | None = None) -> Figure:
    """Where the process itself is corrupted: the most complex tenth, and crises."""
    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        ax, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    ax.set_title(
        "Wellbeing; crises (everyone)",
        loc="left",
        fontsize=FONT["axes.titlesize"],
        fontweight="bold",
    )
    for a in (ax, ax2):
        a.set_xlim(0, current.weeks)
        a.set_xticks(range(0, current.weeks + 1, 52))
        a.grid(alpha=0.3)
        a.tick_params(labelsize=FONT["xtick.labelsize"])
    ax.set_ylabel("wellbeing (0-1)", fontsize=FONT["axes.labelsize"])
    ax2.set_ylabel("crises per\n1,000 a year", fontsize=SMALLEST_POINTS)
    ax2.set_xlabel("week (52 weeks = one year)", fontsize=FONT["axes.labelsize"])
    lows, highs = [], []
    for run, alpha, width in ((previous, FAINT, 1.3), (current, 1.0, 2.0)):
        if run is None or not run.frame.height:
            continue
        w = _weeks(run)
        now = run is current
        complex_ = run.frame["wellbeing_most_complex_decile"]
        everyone = run.frame["wellbeing_mean"]
        lows.append(float(complex_.min()))
        highs.append(float(everyone.max()))
        ax.plot(w, everyone, color=WELLBEING_ALL, lw=width, alpha=alpha)
        ax.plot(w, complex_, color=WELLBEING_COMPLEX, lw=width, alpha=alpha)
        ax2.plot(w, crises_per_1000_year(run.frame, run.citizens), color=CRISES, lw=width, alpha=alpha)
        if now:  # labels on the lines themselves: no legend to cover them
            x = w[-1]
            right = x > 0.6 * current.weeks
            # the top line's label goes under it, so that it never runs into the title
            for series, words, colour, dy, va in (
                (everyone, "everyone", WELLBEING_ALL, -6, "top"),
                (complex_, "most complex tenth", WELLBEING_COMPLEX, 6, "bottom"),
            ):
                ax.annotate(
                    words,
                    (x, float(series[-1])),
                    xytext=(-4 if right else 6, dy),
                    textcoords="offset points",
                    ha="right" if right else "left",
                    va=va,
                    color=colour,
                    fontsize=SMALLEST_POINTS + 1,
                    fontweight="bold",
                )
    if lows:
        ax.set_ylim(max(0.0, min(lows) - 0.05), min(1.0, max(highs) + 0.05))
    ax2.set_ylim(bottom=0)
    if previous is not None and previous.frame.height:
        ax2.plot([], [], color="#888", lw=1.3, alpha=0.6, label="before (faint)")
        _legend(ax2, loc="upper right")
    fig.subplots_adjust(left=0.2, right=0.95, top=0.9, bottom=0.17, hspace=0.12)
    return fig


CHARTS: tuple[tuple[str, Callable[[Run, Run | None], Figure], str], ...] = (
    (
        "outcomes",
        outcomes,
        "Closed cases counted as resolved: as reported (dashed) and as really happened (solid).",
    ),
    (
        "gaming",
        gaming,
        "Each way the reported picture and the real one come apart, measured on its own.",
    ),
    (
        "let_down",
        let_down,
        "Who pays for a better-looking number: the most complex tenth's wellbeing, and crises (A&E, police).",
    ),
    (
        "costs",
        costs,
        "Weekly cost, with crisis and reactive-service costs that fall on other services; penalties paid back are "
        "below zero.",
    ),
)


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def snapshot(current: Run, previous: Run | None, headline: str) -> bytes:
    """All four charts and the headline in one PNG, to paste into slides or notes."""
    from PIL import Image, ImageDraw, ImageFont

    images = [Image.open(io.BytesIO(png(draw(current, previous)))) for _, draw, _ in CHARTS]
    w, h = images[0].size
    top = 112
    sheet = Image.new("RGB", (2 * w, 2 * h + top), "white")
    for k, img in enumerate(images):
        sheet.paste(img, ((k % 2) * w, top + (k // 2) * h))
    text = ImageDraw.Draw(sheet)
    from matplotlib import font_manager

    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 16)
    for k, line in enumerate(headline.replace("**", "").replace("*", "").splitlines()[:5]):
        text.text((12, 6 + 20 * k), line, fill="black", font=font)
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()
