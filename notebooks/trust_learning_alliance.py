"""Lesson 3: trust, learning and the alliance (`marimo run notebooks/trust_learning_alliance.py`)."""
# ruff: noqa: B018 -- a marimo cell displays its last expression, so a bare expression is the output

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Trust, learning and the alliance")


@app.cell
def _():
    import marimo as mo
    import polars as pl

    import hls_sim
    from hls_sim import bibliography as bib
    from hls_sim import charts

    return bib, charts, hls_sim, mo, pl


@app.cell
def _(bib, mo):
    mo.md(f"""
    # Trust, learning and the alliance

    **The mechanism in plain words.** In Plymouth the council and the NHS clinical commissioning
    group pooled £80m over ten years into one **alliance contract** for vulnerable adults. The
    contract names no outputs or outcomes; the providers are jointly liable, agree principles and
    keep adapting them through shared learning. It took **four years of system change work** to
    build the trust that made it possible ({bib.cite("001 L1663-1669")}).

    *Human Learning Systems* describes three ingredients that this model represents as levers:

    - **Measures for learning, not for reward.** Data only tell a team what works if nobody is
      paid or punished on them ({bib.cite("002 L1191-1195")}); learning from gamed data learns the
      wrong lessons ({bib.cite("002 L263")}).
    - **Learning cycles**: workers and providers regularly look at what helped whom, make sense of
      it together and change practice ({bib.cite("002 L1978-1983")}).
    - **A systems steward** who builds trust between organisations, convenes learning, protects
      staff's permission to use their judgement and moves pooled money to need; healthy systems
      rarely arise without one ({bib.cite("002 L1618-1649")}).

    In the model trust is built from what organisations live through (referrals that arrive or fail,
    meetings a steward convenes, open books, promises kept, penalties and cuts), so it differs from
    run to run; learning reads case notes, which are only as good as the relationship behind them;
    the steward is one person whose time is spread over the partners.

    Trust is slow to build and quick to lose ({bib.cite("002 L830, L6064")}), change needs an up-front
    investment before any savings (the "J-curve", {bib.cite("001 L859-863")}), and motivation may dip
    before it rises. HLS can also fail: nothing below is guaranteed to favour it.
    """)
    return


@app.cell
def _(mo):
    start = mo.ui.dropdown(
        options=["payment_by_results", "output_targets", "block_grant"],
        value="payment_by_results",
        label="Regime before the change",
    )
    target = mo.ui.dropdown(options=["hls", "alliance"], value="hls", label="Regime after the change")
    switch = mo.ui.slider(26, 208, step=26, value=104, show_value=True, label="Week of the change")
    invest = mo.ui.slider(0, 400, step=50, value=150, show_value=True, label="Up-front investment (GBP per citizen)")
    seeds = mo.ui.slider(1, 5, step=1, value=2, show_value=True, label="Seeds (more = slower, surer)")
    mo.vstack([mo.md("## 1. Change the regime part-way"), start, target, switch, invest, seeds])
    return invest, seeds, start, switch, target


@app.cell
def _(hls_sim, invest, seeds, start, switch, target):
    POPULATION = dict(citizens=800, weeks=312, burn_in_weeks=26)
    _change = dict(switch_week=switch.value, switch_regime=target.value, transition_cost=float(invest.value))
    stay = [hls_sim.run(seed=s, regime=start.value, **POPULATION) for s in range(1, seeds.value + 1)]
    moved = [hls_sim.run(seed=s, regime=start.value, **_change, **POPULATION) for s in range(1, seeds.value + 1)]
    return moved, stay


@app.cell
def _(charts, moved, pl, start, stay, target):
    def _mean_series(runs):
        frames = [r.timeseries.with_columns(pl.lit(k).alias("seed")) for k, r in enumerate(runs)]
        numeric = [c for c, t in frames[0].schema.items() if t.is_numeric() and c not in ("week", "seed")]
        return pl.concat(frames).group_by("week").agg([pl.col(c).mean() for c in numeric]).sort("week")

    series = charts.timeseries_frame(
        {f"stay with {start.value}": _mean_series(stay), f"move to {target.value}": _mean_series(moved)}
    )
    charts.trust_and_morale(series).chart
    return (series,)


@app.cell
def _(charts, series):
    charts.cost_over_time(series).chart
    return


@app.cell
def _(charts, series):
    charts.outcomes_over_time(series).chart
    return


@app.cell
def _(mo, moved, pl, stay, switch):
    def _after(runs, column):
        vals = [r.timeseries.filter(pl.col("week") >= switch.value)[column].mean() for r in runs]
        return sum(vals) / len(vals)

    def _row(name, column, fmt):
        return f"| {name} | {_after(stay, column):{fmt}} | {_after(moved, column):{fmt}} |"

    _table = "\n".join(
        [
            "| after the change (weekly means) | stay | move |",
            "|---|---|---|",
            _row("true outcome (share resolved)", "true_outcome", ".3f"),
            _row("Campbell gap (reported - true)", "campbell_gap", "+.3f"),
            _row("trust between providers (0-1)", "trust_provider_provider", ".3f"),
            _row("worker morale (0-1)", "morale_mean", ".3f"),
            _row("shared knowledge (0-1)", "knowledge_mean", ".3f"),
            _row("wellbeing, most complex tenth (0-1)", "wellbeing_most_complex_decile", ".3f"),
            _row("cost (GBP per week)", "cost_total", ",.0f"),
        ]
    )
    mo.vstack(
        [
            mo.md("## 2. Before and after"),
            mo.md(
                "The charts show the mean over seeds, week by week. Look for the dip in morale at the "
                "change, how long trust between providers takes to climb, and whether costs rise before they fall."
            ),
            mo.md(_table),
        ]
    )
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## 3. Which ingredient matters?

    Starting from the alliance (pooled budget, no provider KPIs), add learning cycles or a steward.
    The last row is the full HLS bundle, which has both and also lowers the eligibility threshold,
    cuts recording time, grants more discretion with a small discretionary spend, and allows longer
    episodes of help. Same people, same seeds.
    """)
    return


@app.cell
def _(charts, hls_sim, seeds):
    _POP = dict(citizens=800, weeks=208, burn_in_weeks=26)
    _variants = {
        "alliance": dict(regime="alliance"),
        "alliance + learning cycles": dict(regime="alliance", learning_cycle_weeks=6, learning_time_share=0.06),
        "alliance + steward": dict(regime="alliance", steward=True),
        "hls (everything)": dict(regime="hls"),
    }
    ingredients = charts.runs_frame(
        [
            {"label": name, "seed": s, **hls_sim.run(seed=s, **levers, **_POP).summary}
            for name, levers in _variants.items()
            for s in range(1, seeds.value + 1)
        ]
    )
    return (ingredients,)


@app.cell
def _(ingredients, mo, pl):
    _m = (
        ingredients.group_by("label", maintain_order=True)
        .agg(
            pl.col("impact_wellbeing").mean().round(3).alias("wellbeing gained vs no services (per person-year)"),
            pl.col("crises_avoided_per_1000_per_year").mean().round(0).alias("crises avoided (per 1,000 a year)"),
            pl.col("true_outcome").mean().round(3).alias("true outcome (share)"),
            pl.col("knowledge_mean").mean().round(3).alias("practice knowledge (0-1)"),
            pl.col("trust_provider_provider").mean().round(3).alias("trust between providers (0-1)"),
            pl.col("wellbeing_most_complex_decile").mean().round(3).alias("wellbeing, most complex tenth (0-1)"),
            pl.col("total_cost_per_year").mean().round(0).alias("total cost (GBP a year)"),
        )
        .rename({"label": "what is in place"})
    )
    mo.vstack(
        [
            _m,
            mo.md(r"""
    ## Questions for discussion

    1. Plymouth needed four years of relationship building before the alliance contract. In the
       runs, how long does trust between providers take to rise after the change? What sets that pace?
    2. Where does the money go in the first year after the change, and when (if ever) does the
       cost line cross the line of the regime it replaced? Is a five-year political cycle long enough?
    3. The alliance removes provider KPIs. Why does the Campbell gap close, and what does the
       commissioner lose sight of?
    4. Learning cycles learn from the data the system produces. What would they learn under
       payment by results?
    5. Find a setting of the sliders where moving to HLS does *worse* than staying. What does it
       tell you about the conditions HLS needs? (On complex lives it shows in money: for a provider
       practising HLS alone in a market paid by a tariff, and without a steward, where the unmet need
       left costs other services more; the first year after the change costs more only on some seeds,
       because the crises and reactive contacts avoided soon outweigh the investment.
       In impact it shows where help is a procedure and the national returns stay: scenario
       `protocol_service_hls` against `protocol_service_targets`. See `docs/scenarios.md`, "Where
       HLS can fail".)
    """),
        ]
    )
    return


@app.cell
def _(bib, mo):
    mo.md("## Sources\n\n" + bib.reference_list_markdown(["001", "002"]))
    return


if __name__ == "__main__":
    app.run()
