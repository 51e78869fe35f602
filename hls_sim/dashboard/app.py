"""The live dashboard: `solara run hls_sim/dashboard/app.py` (or `hls-sim dashboard`).

A classroom often has no internet, so the live charts are matplotlib PNGs drawn on the server
(the altair renderer asks the browser for Vega from a CDN and stays blank offline), and solara is
pinned to a version whose front-end assets ship in the `solara-assets` package.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from hls_sim.charts import CHANNEL_LABELS, COST_LABELS, PALETTE  # noqa: E402
from hls_sim.dashboard.model import (  # noqa: E402
    COST_COLUMNS,
    GAMING_COLUMNS,
    DashboardModel,
    live_frame,
    live_numbers,
    model_params,
)
from hls_sim.metrics import WINDOW  # noqa: E402

FIGSIZE = (6.4, 3.6)
DPI = 90


def _axes(title: str, model: DashboardModel, ylabel: str) -> tuple[Figure, object]:
    # Fixed margins instead of a layout engine: a redraw every few weeks must stay cheap.
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.15)
    ax = fig.subplots()
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.set_xlim(0, model.p["weeks"])
    ax.set_xlabel("week of the run (weeks)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


@solara.component
def OutcomesChart(model: DashboardModel) -> None:  # noqa: N802 (solara components are CapWords)
    update_counter.get()
    frame = live_frame(model)
    fig, ax = _axes("Reported versus true outcome", model, f"resolved (share, {WINDOW}-week rolling)")
    ax.set_ylim(0, 1)
    if frame.height:
        w = frame["week"].to_numpy()
        true, rep = frame["true_outcome"].to_numpy(), frame["reported_outcome"].to_numpy()
        ax.fill_between(w, true, rep, where=rep > true, color=PALETTE[1], alpha=0.15, label="gap (gaming)")
        ax.plot(w, true, color=PALETTE[0], lw=1.8, label="true")
        ax.plot(w, rep, color=PALETTE[1], lw=1.8, ls="--", label="reported")
        ax.legend(loc="upper right", fontsize=8)
    solara.FigureMatplotlib(fig, format="png")
    solara.Markdown(
        "Share of closed cases counted as resolved, as the indicator reports it and as it really was. "
        "Where the lines part, the numbers no longer describe people's lives (Campbell's Law)."
    )


@solara.component
def GamingChart(model: DashboardModel) -> None:  # noqa: N802 (solara components are CapWords)
    update_counter.get()
    frame = live_frame(model)
    fig, ax = _axes("Gaming, channel by channel", model, f"size of channel (rate, {WINDOW}-week rolling)")
    ax.set_ylim(0, 0.6)
    if frame.height:
        w = frame["week"].to_numpy()
        for k, col in enumerate(GAMING_COLUMNS):
            if col in frame.columns:
                ax.plot(w, frame[col].to_numpy(), lw=1.5, color=PALETTE[k], label=CHANNEL_LABELS[col[7:]])
        ax.legend(loc="upper left", fontsize=7, ncol=2)
    solara.FigureMatplotlib(fig, format="png")
    solara.Markdown(
        "Each way the reported picture and the real one come apart, measured on its own: "
        "effort moved to what is measured, easing off at targets, misreporting, cream-skimming, parking, timing."
    )


@solara.component
def CostChart(model: DashboardModel) -> None:  # noqa: N802 (solara components are CapWords)
    update_counter.get()
    frame = live_frame(model)
    fig, ax = _axes("Cost by category", model, f"GBP per week ({WINDOW}-week mean)")
    if frame.height:
        w = frame["week"].to_numpy()
        cols = [c for c in COST_COLUMNS if c in frame.columns and c != "cost_penalties" and frame[c].abs().sum() > 0]
        if cols:
            smooth = [frame[c].rolling_mean(WINDOW, min_samples=1).to_numpy() for c in cols]
            colours = [PALETTE[k % len(PALETTE)] for k in range(len(cols))]
            ax.stackplot(w, *smooth, colors=colours, labels=[COST_LABELS[c[5:]] for c in cols], alpha=0.85)
        if "cost_penalties" in frame.columns and frame["cost_penalties"].sum() > 0:
            pen = frame["cost_penalties"].rolling_mean(WINDOW, min_samples=1).to_numpy()
            ax.fill_between(w, 0, -pen, color="#999", label="penalties (returned)")
        ax.legend(loc="lower left", fontsize=7, ncol=2)
    solara.FigureMatplotlib(fig, format="png")
    solara.Markdown("What the system costs each week, including crisis costs that fall on other services.")


@solara.component
def Headline(model: DashboardModel) -> None:  # noqa: N802 (solara components are CapWords)
    update_counter.get()
    nums = live_numbers(live_frame(model))
    if not nums:
        solara.Markdown("**Press Step or ▶ to run the weeks.** Change a slider, then Reset, to start again with it.")
        return
    solara.Markdown(
        f"**Week {model.week} of {model.p['weeks']}** · regime `{model.p['regime']}` · stakes "
        f"{model.p['incentive_strength']:.2f}\n\n"
        f"- true outcome **{nums['true_outcome']:.2f}**, reported **{nums['reported_outcome']:.2f}**, "
        f"gap **{nums['campbell_gap']:+.2f}**\n"
        f"- worker morale {nums['morale_mean']:.2f}, citizens' trust {nums['trust_citizen_mean']:.2f}\n"
        f"- cost £{nums['cost_per_week']:,.0f} a week"
    )


@solara.component
def Page() -> None:  # noqa: N802 (solara looks for a component named Page)
    """One model per browser session, so two students never step each other's model."""
    model = solara.use_memo(DashboardModel, [])
    SolaraViz(
        model,
        components=[(Headline, 0), (OutcomesChart, 0), (GamingChart, 0), (CostChart, 0)],
        model_params=model_params(),
        name="hls-sim: Campbell's Law live",
        play_interval=20,
        render_interval=5,
    )
