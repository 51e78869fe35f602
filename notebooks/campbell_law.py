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
    from hls_sim import bibliography as bib
    from hls_sim import charts

    return bib, charts, hls_sim, mo, pl


@app.cell
def _(bib, mo):
    mo.md(f"""
    # Campbell's Law in twenty minutes

    > "The more any quantitative social indicator is used for social decision-making, the more
    > subject it will be to corruption pressures and the more apt it will be to distort and
    > corrupt the social processes it is intended to monitor." ({bib.cite("Campbell 1979")}, quoted in
    > {bib.cite("002 L6600")})

    **The mechanism in plain words.** A service for people with complex lives is judged on its
    numbers, above all the share of closed cases recorded as "resolved" (under output targets, also
    the share of people seen within four weeks). After recording and assessment, every frontline
    worker divides the rest of the week between relational help, the contracted protocol, saved
    effort and effort that only makes the numbers look better. What they choose depends on how much
    they care about people really improving, on how much effort things take, and on the *pressure*
    that management passes down when money or the contract rides on the numbers. Providers, in
    turn, learn what pays: whom to accept, how much help to give people unlikely to count as a
    success, when to discharge, how honestly to record.

    The model always knows two things the real world rarely does: the **true** outcome for each
    person and the **reported** one. The difference is the *Campbell gap*. The *stakes* slider sets
    how much money and contract security ride on the numbers. No gaming is switched on by it: a
    provider's policies drift, review by review, towards what its own records say pays, and the
    more rides on the numbers the stronger that pull against its mission. Its honesty slips where a
    false record is worth most: when a missed target looks likely, when its reserves run low (money
    then matters more to it), and where audits are rare or their penalties small. Each gaming
    channel is then counted case by case and hour by hour as the agents act.

    Work through the steps below. Move the sliders; every chart recomputes from fresh runs.
    """)
    return


@app.cell
def _(mo):
    regime = mo.ui.dropdown(
        options=["output_targets", "payment_by_results"], value="payment_by_results", label="Regime (NPM)"
    )
    stakes = mo.ui.slider(
        0.0, 1.0, step=0.1, value=0.8, show_value=True, label="Stakes on the indicator (incentive_strength)"
    )
    audit = mo.ui.slider(
        0.0, 0.3, step=0.01, value=0.03, show_value=True, label="Audit rate (share of reports checked)"
    )
    seeds = mo.ui.slider(1, 6, step=1, value=3, show_value=True, label="Seeds per point (more = slower, surer)")
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
    _real = (
        "The true outcome is higher with the stakes as well. Part of that can be real gains (more "
        "pressure also cuts the time staff would otherwise save); part can be who is let in, since "
        "turning away the most complex people raises the share of closed cases resolved without "
        "anyone's life improving. The most complex tenth's wellbeing, below, tells the two apart."
        if _s["true_outcome"] > _z["true_outcome"] + 0.005
        else "The true outcome is no higher with the stakes: here they bring no real gains, only the gap."
    )
    _dw = _s["wellbeing_most_complex_decile"] - _z["wellbeing_most_complex_decile"]
    _crises, _crises0 = _s["crisis_events_per_1000_per_year"], _z["crisis_events_per_1000_per_year"]
    # one seed: a difference under a hundredth of wellbeing or a tenth of the crises is within seed noise
    _harm = (
        f"Here it barely shows: the most complex tenth's wellbeing is {_s['wellbeing_most_complex_decile']:.2f} "
        f"with the stakes and {_z['wellbeing_most_complex_decile']:.2f} without, and crises (A&E, police, "
        f"emergency housing) {_crises:.0f} against {_crises0:.0f} per 1,000 people a year: on one seed, "
        "differences this small are noise. The corruption is in the numbers, not (yet) in people's lives."
        if abs(_dw) < 0.01 and abs(_crises - _crises0) < 0.1 * max(_crises0, 1.0)
        else f"The most complex tenth's wellbeing is {_s['wellbeing_most_complex_decile']:.2f} with the stakes "
        f"against {_z['wellbeing_most_complex_decile']:.2f} without, and crises (A&E, police, emergency "
        f"housing) run at {_crises:.0f} per 1,000 people a year against {_crises0:.0f} (one seed: check "
        "with more seeds before reading much into it)."
    )
    mo.md(
        f"""
        ## 2. Read the first chart

        Same people, same shocks (same seed); only the stakes differ. With stakes **{stakes.value:.1f}**
        the indicator reports **{_s["reported_outcome"]:.3f}** of closed cases resolved, while
        **{_s["true_outcome"]:.3f}** really were: a Campbell gap of **{_s["campbell_gap"]:+.3f}**.
        With nothing riding on the numbers the gap is **{_z["campbell_gap"]:+.3f}** and the true
        outcome **{_z["true_outcome"]:.3f}**. {_real}

        Does the process itself do harm? {_harm}
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
        the indicator, the further it drifts from what it was meant to measure. The drift is a few
        points of the indicator in these three-year runs, because providers change their policies
        only at quarterly reviews, after a baseline year; over ten years and at full stakes it
        reaches about a tenth under payment by results (`hls-sim validate`, pattern 1).
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
def _(bib, mo):
    mo.md(f"""
    ## 4. Which channels?

    The gap is made of separate behaviours, each measured on its own: **effort substitution**
    (hours moved to what is counted, {bib.cite("Holmstrom & Milgrom 1991")}), **threshold** effects
    (easing off once a target is met), **ratchet** effects (holding back so next year's target stays
    low), **misreporting**, **cream-skimming** (taking on the people most likely to count as
    successes), **parking** (minimal help for the rest) and **timing** (discharging when the rule
    pays). {bib.cite("Franco-Santos & Otley 2018")} found gaming in more than 80% of the studies they
    reviewed (cited in {bib.cite("002 L2786")}).

    Try: raise the **audit rate**. Which channels shrink? Which do not, and why might audits
    catch misreporting but not parking?

    ## Questions for discussion

    1. The stakes slider moves reported and true outcomes apart. Did the *true* outcome also
       change? Targets can bring real gains as well as gaming (English waiting-time targets did
       both: {bib.cite("Propper et al. 2010")}; {bib.cite("Bevan & Hood 2006")}): is that visible here?
    2. If you were the commissioner and saw only the reported line, what would you conclude
       about the best level of stakes? What would you conclude from the true line?
    3. *Human Learning Systems* argues that a measure cannot serve both reward and learning
       ({bib.cite("002 L1191-1195")}). What does the gap do to a team trying to learn what works
       from its own data?
    4. Which gaming channel would be hardest to detect in a real service, and what evidence
       would you look for?
    5. Campbell wrote about "social decision-making". Name an indicator in your own organisation
       that is used for decisions. What would its Campbell gap look like?
    """)
    return


@app.cell
def _(bib, mo):
    mo.md(
        "## Sources\n\n"
        + bib.reference_list_markdown(
            [
                "Campbell 1979",
                "002",
                "Holmstrom & Milgrom 1991",
                "Franco-Santos & Otley 2018",
                "Propper et al. 2010",
                "Bevan & Hood 2006",
            ]
        )
    )
    return


if __name__ == "__main__":
    app.run()
