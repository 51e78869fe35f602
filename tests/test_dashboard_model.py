"""The model behind the dashboard and its charts, without a browser: the sliders are the
registry's levers and load each regime's own values, the model stops at the end, the live
numbers are the recorder's own, and every chart is readable at projector size."""

from __future__ import annotations

import dataclasses
import io
import re

import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

from hls_sim.cli import main
from hls_sim.dashboard import drawing
from hls_sim.dashboard.app import Session, against_before, headline
from hls_sim.dashboard.info import SOURCES, info_markdown
from hls_sim.dashboard.model import (
    REGIME_CHOICES,
    SLIDERS,
    DashboardModel,
    lever_notes,
    live_frame,
    live_numbers,
    regime_settings,
)
from hls_sim.params import PARAMS
from hls_sim.regimes import REGIMES

SMALL = dict(citizens=300)


def test_sliders_stay_inside_the_registry_ranges():
    for sl in SLIDERS:
        prm = PARAMS[sl.name]
        assert prm.lo <= sl.lo < sl.hi <= prm.hi, sl.name
        for regime in REGIME_CHOICES:
            value = regime_settings(regime)[sl.name]
            assert sl.lo <= value <= sl.hi, (regime, sl.name, value)
            assert prm.coerce(value) == value


@pytest.mark.parametrize("regime", REGIME_CHOICES)
def test_choosing_a_regime_loads_its_own_levers_and_keeps_the_class_settings(regime):
    """After a run at stakes 0.9 with a small population, choosing a regime shows that regime's
    stakes (not 0.9) and keeps the population and seed the class chose."""
    before = {**regime_settings("payment_by_results"), "incentive_strength": 0.9, "citizens": 400, "seed": 7}
    after = regime_settings(regime, keep=before)
    bundle = REGIMES[regime]
    for sl in SLIDERS:
        if sl.regime_lever:
            assert after[sl.name] == bundle.get(sl.name, PARAMS[sl.name].default), sl.name
    assert after["citizens"] == 400 and after["seed"] == 7 and after["regime"] == regime


def test_levers_that_do_not_apply_are_marked():
    hls = lever_notes(regime_settings("hls"))
    assert "pooled budget" in hls["outcome_payment_share"]
    assert "no provider KPIs" in hls["incentive_strength"]
    assert "no false reports" in hls["audit_rate"]
    pbr = lever_notes(regime_settings("payment_by_results"))
    assert pbr == {}  # PbR pays per outcome, has provider KPIs and stakes: every slider acts
    assert "block contract" in lever_notes(regime_settings("output_targets"))["outcome_payment_share"]


def test_sliders_override_the_regime_and_the_model_stops():
    m = DashboardModel(regime="payment_by_results", incentive_strength=0.3, citizens=200, weeks=12, caseload_cap=7)
    assert m.p["incentive_strength"] == 0.3 and m.p["payment_basis"] == "outcome" and m.p["caseload_cap"] == 7
    assert live_frame(m).height == 0 and live_numbers(live_frame(m)) == {}
    for _ in range(20):
        m.step()
    assert m.week == 12 and not m.running
    frame = live_frame(m)
    assert frame.height == 12
    nums = live_numbers(frame, 200)
    assert nums["campbell_gap"] == pytest.approx(nums["reported_outcome"] - nums["true_outcome"])
    assert nums["true_outcome"] == pytest.approx(frame["true_outcome"].drop_nans().mean())  # the weeks so far
    assert nums["cost_per_week"] == pytest.approx(frame["cost_total"].mean())
    crises = frame["n_crises"].mean() * 52 * 1000 / 200
    assert nums["crises_per_1000_year"] == pytest.approx(crises)


def test_same_settings_same_numbers():
    a, b = DashboardModel(citizens=200, weeks=20, seed=3), DashboardModel(citizens=200, weeks=20, seed=3)
    for _ in range(20):
        a.step()
        b.step()
    assert live_frame(a).drop("regime").equals(live_frame(b).drop("regime"))
    assert isinstance(live_frame(a), pl.DataFrame)


@pytest.fixture(scope="module")
def pbr_then_hls():
    """A class's session: payment by results at high stakes, then HLS, each for two years."""
    s = Session({**regime_settings("payment_by_results", keep=SMALL), "incentive_strength": 0.9})
    for _ in range(26):
        s.step(4)
    pbr = s.current_run()
    s.set_aside()
    s.settings = regime_settings("hls", keep=s.settings)
    for _ in range(26):
        s.step(4)
    return s, pbr


def test_a_session_keeps_the_run_before_and_compares_at_the_same_week(pbr_then_hls):
    s, pbr = pbr_then_hls
    assert s.previous is not None and s.previous.frame.equals(pbr.frame)
    assert s.settings["incentive_strength"] == 0.0 and s.week == 104
    text = headline(s, s.current_run())
    assert "HLS, stakes 0.00" in text and "gap **+0.00**" in text
    line = against_before(s, s.current_run())[0]
    assert "payment by results, stakes 0.90" in line and "week 104" in line
    assert "rose with the stakes" not in line  # the regime changed, not only the stakes


def test_real_gains_are_named_when_only_the_stakes_rose():
    """Same regime, same people, more at stake: when the true outcome rises too, the headline says
    so next to the gap."""
    s = Session({**regime_settings("payment_by_results", keep=SMALL), "incentive_strength": 0.0})
    for _ in range(39):
        s.step(4)
    s.set_aside()
    s.settings = {**s.settings, "incentive_strength": 0.9}
    for _ in range(39):
        s.step(4)
    now, before = live_numbers(s.current_run().frame, 300), live_numbers(s.previous.frame, 300)
    assert now["campbell_gap"] > before["campbell_gap"]
    run = s.current_run()
    # this run's true outcome fell as the stakes rose, so nothing is said of real gains ...
    assert now["true_outcome"] < before["true_outcome"] - 0.005
    assert "rose with the stakes" not in against_before(s, run)[0]
    # ... and the same run with its true outcome raised above the run before is named as a real gain
    lift = before["true_outcome"] - now["true_outcome"] + 0.05
    gained = dataclasses.replace(run, frame=run.frame.with_columns(pl.col("true_outcome") + lift))
    assert "(the true outcome rose with the stakes too)" in against_before(s, gained)[0]
    # with the stakes lowered instead, a higher true outcome before is named the other way round
    s.previous = gained  # run at stakes 0.9, its true outcome above `run`'s
    s.settings = {**s.settings, "incentive_strength": 0.0}
    lowered = dataclasses.replace(run, settings=dict(s.settings))
    assert "the true outcome was higher with the stakes" in against_before(s, lowered)[0]


def _texts_outside_or_small(fig) -> list[str]:
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    bad = []
    for obj in fig.findobj(lambda o: isinstance(o, Text | Legend)):
        if isinstance(obj, Text) and (not obj.get_text() or not obj.get_visible()):
            continue
        box = obj.get_window_extent(r)
        if isinstance(obj, Text) and re.fullmatch(r"[−\d.,-]+", obj.get_text()):
            # a tick label: those past the axis limits keep a position but are never drawn
            if obj.get_fontsize() < drawing.SMALLEST_POINTS:
                bad.append(f"{obj.get_fontsize()} pt tick {obj.get_text()!r}")
            continue
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            bad.append(f"outside: {getattr(obj, 'get_text', lambda: 'legend')()!r}")
        if isinstance(obj, Text) and obj.get_fontsize() < drawing.SMALLEST_POINTS:
            bad.append(f"{obj.get_fontsize()} pt: {obj.get_text()!r}")
    return bad


def test_charts_are_readable_at_projector_size(pbr_then_hls):
    """No text below 11 pt and nothing drawn off the edge, for a run alone and with a run before."""
    s, pbr = pbr_then_hls
    for name, draw, caption in drawing.CHARTS:
        assert caption.endswith(".")
        for current, previous in ((pbr, None), (s.current_run(), pbr)):
            fig = draw(current, previous)
            assert tuple(fig.get_size_inches()) == drawing.FIGSIZE
            assert _texts_outside_or_small(fig) == [], name


def test_every_chart_names_the_faint_run_before(pbr_then_hls):
    """With a run before, every chart's legend says which lines are that run (the gaming chart had none)."""
    s, pbr = pbr_then_hls
    for name, draw, _ in drawing.CHARTS:
        fig = draw(s.current_run(), pbr)
        labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        assert any(t.startswith("before") for t in labels), (name, labels)
        alone = draw(s.current_run(), None)
        labels = [t.get_text() for ax in alone.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        assert not any(t.startswith("before") for t in labels), (name, labels)


def test_category_colours_are_fixed_across_runs(pbr_then_hls):
    """A cost category keeps its colour whether or not other categories appear in a run."""
    s, pbr = pbr_then_hls
    colours = {}
    for run in (pbr, s.current_run()):
        ax = drawing.costs(run).axes[0]
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            face = tuple(handle.get_facecolor()[0][:3]) if hasattr(handle, "get_facecolor") else None
            colours.setdefault(label, set()).add(face)
    assert all(len(v) == 1 for v in colours.values()), colours
    assert {"payments", "crises", "steward", "discretionary"} <= set(colours)  # HLS adds steward and spend


def test_snapshot_is_one_png_of_the_four_charts(pbr_then_hls):
    from PIL import Image

    s, pbr = pbr_then_hls
    data = drawing.snapshot(s.current_run(), pbr, headline(s, s.current_run()))
    img = Image.open(io.BytesIO(data))
    one = Image.open(io.BytesIO(drawing.png(drawing.outcomes(pbr))))
    assert img.size[0] == 2 * one.size[0] and img.size[1] > 2 * one.size[1]


def test_info_cites_readable_sources():
    text = info_markdown()
    for heading in ("What is it?", "How it works", "How to use it", "Things to notice", "Things to try"):
        assert f"## {heading}" in text
    assert "Human Learning Systems 2021 [seed 002]" in text
    assert "Campbell, D. T. (1979)" in text and len(SOURCES) >= 5


def test_bad_port_is_refused(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


def test_headline_leads_with_impact_against_no_services():
    """The headline's first numbers are the impact against each person's twin, read from the run."""
    m = DashboardModel(citizens=200, weeks=30, seed=2)
    for _ in range(30):
        m.step()
    frame = live_frame(m)
    nums = live_numbers(frame, 200)
    assert nums["impact_wellbeing"] == pytest.approx((frame["wellbeing_mean"] - frame["wellbeing_twin_mean"]).mean())
    avoided = (frame["n_twin_crises"] - frame["n_crises"]).mean() * 52 * 1000 / 200
    assert nums["crises_avoided_per_1000_year"] == pytest.approx(avoided)
