"""Lesson 1: Campbell's Law in twenty minutes (a marimo notebook: `marimo run notebooks/campbell_law.py`)."""
# ruff: noqa: B018 -- a marimo cell displays its last expression, so a bare expression is the output

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Campbell's Law in twenty minutes")


@app.cell
def _():
    import marimo as mo
    import polars as pl

    import hls_sim
    from hls_sim import charts

    return charts, hls_sim, mo, pl


@app.cell
def _(mo):
    mo.md(r"""
    # Campbell's Law in twenty minutes

    > "The more any quantitative social indicator is used for social decision-making, the more
    > subject it will be to corruption pressures and the more apt it will be to distort and
    > corrupt the social processes it is intended to monitor." (Campbell, 1979; quoted in
    > *Human Learning Systems*, seed 002, line 6600)

    **The mechanism in plain words.** A service for people with complex lives is judged on one
    number: the share of closed cases recorded as "resolved". In this simulation every frontline
    worker divides their week between real help, the contracted protocol, paperwork and effort
    that only makes the number look better. What they choose depends on how much they care about
    people really improving, on how much effort things take, and on the *pressure* that
    management passes down when money or the contract rides on the number. Providers, in turn,
    learn what pays: whom to accept, when to discharge, how honestly to record.

    The model always knows two things the real world rarely does: the **true** outcome for each
    person and the **reported** one. The difference is the *Campbell gap*. Nothing in the code
    says "report more when stakes are high": any gap you see emerges from agents responding to
    the rules.

    Work through the steps below. Move the sliders; every chart recomputes from fresh runs.
    """)
    return


@app.cell
def _(mo):
    regime = mo.ui.dropdown(
        options=["output_targets", "payment_by_results"], value="output_targets", label="Regime (NPM)"
    )
    stakes = mo.ui.slider(0.0, 1.0, step=0.1, value=0.8, label="Stakes on the indicator (incentive_strength)")
    audit = mo.ui.slider(0.0, 0.3, step=0.01, value=0.03, label="Audit rate (share of reports checked)")
    seeds = mo.ui.slider(1, 6, step=1, value=3, label="Seeds per point (more = slower, surer)")
    mo.vstack(
        [
            mo.md("## 1. Choose a regime and the stakes"),
            regime,
            stakes,
            audit,
            seeds,
        ]
    )
    return audit, regime, seeds, stakes


@app.cell
def _():
    # A small town: enough people for the pattern, small enough to recompute while you watch.
    POPULATION = dict(citizens=800, weeks=156, burn_in_weeks=26)
    return (POPULATION,)


@app.cell
def _(POPULATION, audit, charts, hls_sim, regime, stakes):
    one_run = hls_sim.run(
        seed=1, regime=regime.value, incentive_strength=stakes.value, audit_rate=audit.value, **POPULATION
    )
    no_stakes = hls_sim.run(seed=1, regime=regime.value, incentive_strength=0.0, audit_rate=audit.value, **POPULATION)
    series = charts.timeseries_frame(
        {f"stakes {stakes.value:.1f}": one_run.timeseries, "stakes 0 (same people)": no_stakes.timeseries}
    )
    charts.outcomes_over_time(series).chart
    return no_stakes, one_run


@app.cell
def _(mo, no_stakes, one_run, stakes):
    _s, _z = one_run.summary, no_stakes.summary
    mo.md(
        f"""
        ## 2. Read the first chart

        Same people, same shocks (same seed); only the stakes differ. With stakes **{stakes.value:.1f}**
        the indicator reports **{_s["reported_outcome"]:.2f}** of closed cases resolved, while
        **{_s["true_outcome"]:.2f}** really were: a Campbell gap of **{_s["campbell_gap"]:+.2f}**.
        With nothing riding on the number the gap is **{_z["campbell_gap"]:+.2f}**.
        Wellbeing of the most complex tenth of people: {_s["wellbeing_most_complex_decile"]:.3f}
        against {_z["wellbeing_most_complex_decile"]:.3f} without stakes.
        """
    )
    return


@app.cell
def _(POPULATION, audit, charts, regime, seeds):
    campbell = charts.campbell_runs(
        [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        list(range(1, seeds.value + 1)),
        regime=regime.value,
        audit_rate=audit.value,
        **POPULATION,
    )
    curve = charts.campbell_curve(campbell)
    curve.chart
    return (campbell,)


@app.cell
def _(campbell, mo, pl):
    _by = campbell.group_by("incentive_strength").agg(pl.col("campbell_gap").mean()).sort("incentive_strength")
    _lo, _hi = _by["campbell_gap"][0], _by["campbell_gap"][-1]
    mo.md(
        f"""
        ## 3. The curve

        Each dot is one run; the line is the mean over seeds and the band its 95% confidence
        interval. With no stakes the mean gap is **{_lo:+.3f}**; at full stakes it is
        **{_hi:+.3f}**. This is Campbell's Law as a dose-response curve: the more is riding on
        the indicator, the further it drifts from what it was meant to measure.
        """
    )
    return


@app.cell
def _(POPULATION, audit, charts, hls_sim, regime, seeds, stakes):
    _rows = []
    for _label, _stake in (("no stakes", 0.0), (f"stakes {stakes.value:.1f}", stakes.value)):
        for _seed in range(1, seeds.value + 1):
            _r = hls_sim.run(
                seed=_seed, regime=regime.value, incentive_strength=_stake, audit_rate=audit.value, **POPULATION
            )
            _rows.append({"label": _label, "seed": _seed, **_r.summary})
    gaming = charts.runs_frame(_rows)
    charts.gaming_by_channel(gaming).chart
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## 4. Which channels?

    The gap is made of separate behaviours, each measured on its own: **effort substitution**
    (hours moved to what is counted), **threshold** effects (easing off once a target is met),
    **ratchet** effects (holding back so next year's target stays low), **misreporting**,
    **cream-skimming** (taking on the people most likely to count as successes), **parking**
    (minimal help for the rest) and **timing** (discharging when the rule pays). Franco-Santos
    and Otley (2018) found gaming in more than 80% of the studies they reviewed (seed 002, line 2786).

    Try: raise the **audit rate**. Which channels shrink? Which do not, and why might audits
    catch misreporting but not parking?

    ## Questions for discussion

    1. The stakes slider moves reported and true outcomes apart. Did the *true* outcome also
       change? Targets can bring real gains as well as gaming: is that visible here?
    2. If you were the commissioner and saw only the reported line, what would you conclude
       about the best level of stakes? What would you conclude from the true line?
    3. *Human Learning Systems* argues that a measure cannot serve both reward and learning
       (seed 002, lines 1191-1195). What does the gap do to a team trying to learn what works
       from its own data?
    4. Which gaming channel would be hardest to detect in a real service, and what evidence
       would you look for?
    5. Campbell wrote about "social decision-making". Name an indicator in your own organisation
       that is used for decisions. What would its Campbell gap look like?
    """)
    return


if __name__ == "__main__":
    app.run()
