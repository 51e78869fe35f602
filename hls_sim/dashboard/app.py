"""The live dashboard: `hls-sim dashboard` (or `solara run hls_sim/dashboard/app.py`).

Built for a teacher starting cold in front of a class: the sidebar holds only what a class
moves (regime, a few levers, the seed), every slider shows its value, choosing a regime loads
that regime's levers, the controls never grey out, and the run on screen is always the one the
sliders describe (changing a setting keeps the old run as a faint "before" line and starts a new
one). A classroom often has no internet, so the charts are matplotlib PNGs drawn on the server
and solara is pinned to a version whose front-end assets ship in `solara-assets`.

One model per browser tab (solara keeps component state per session), so students on one
server never step each other's model.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import solara
import solara.lab

from hls_sim.dashboard import drawing
from hls_sim.dashboard.info import info_markdown
from hls_sim.dashboard.model import (
    REGIME_CHOICES,
    SEED_RANGE,
    SLIDERS,
    START_REGIME,
    WEEKS,
    DashboardModel,
    describe,
    lever_notes,
    live_frame,
    live_numbers,
    regime_description,
    regime_settings,
    regime_words,
)

WEEKS_PER_STEP = 4  # one press of STEP, and one redraw while playing
PAUSE_SECONDS = 0.12  # between redraws while playing: five years take about half a minute

CSS = """
.v-application { font-size: 16px; }
.v-label, .v-input .v-label { font-size: 16px !important; color: #222 !important; }
.v-select__selection { font-size: 17px !important; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label { flex: 1 0 100%; margin-bottom: 2px; }
.v-input__slider .v-slider { margin-left: 4px; }
.hls-note { font-size: 14px; color: #666; margin: -14px 0 10px 0; line-height: 1.25; }
.hls-caption { font-size: 15px; color: #333; line-height: 1.35; }
.hls-status { font-size: 16px; font-weight: 600; margin: 4px 0 8px 0; }
.hls-controls .v-btn { font-size: 15px !important; min-width: 0 !important; }
"""


@dataclass
class Session:
    """Everything one browser tab holds: the model running now and the run before it."""

    settings: dict[str, Any]
    model: DashboardModel | None = None
    previous: drawing.Run | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure_model(self) -> DashboardModel:
        if self.model is None:
            self.model = DashboardModel(**self.settings, weeks=WEEKS)
        return self.model

    def current_run(self) -> drawing.Run:
        with self.lock:
            frame = live_frame(self.model) if self.model is not None else None
        return drawing.Run(
            frame if frame is not None else _empty(),
            WEEKS,
            int(self.settings["citizens"]),
            describe(self.settings),
            dict(self.settings),
        )

    def set_aside(self) -> None:
        """Keep the run on screen as the faint 'before' line (if it ran at all) and clear it."""
        if self.model is not None and self.model.week > 0:
            self.previous = self.current_run()
        self.model = None

    def step(self, weeks: int) -> bool:
        """Run up to `weeks` weeks; False once the planned weeks are done."""
        with self.lock:
            model = self.ensure_model()
            for _ in range(weeks):
                model.step()
            return model.running

    @property
    def week(self) -> int:
        return self.model.week if self.model is not None else 0

    @property
    def finished(self) -> bool:
        return self.model is not None and not self.model.running


def _empty():
    import polars as pl

    return pl.DataFrame()


def headline(session: Session, run: drawing.Run) -> str:
    """The numbers a class reads off: now, and against the run before."""
    nums = live_numbers(run.frame, run.citizens)
    s = session.settings
    if not nums:
        return f"**Ready:** {describe(s)}. Press **▶ RUN** or **STEP**."
    lines = [f"**Week {session.week} of {WEEKS}** · {describe(s)}\n"]
    # the numbers are means over the last 52 weeks, or over the weeks run so far in the first year
    span = "last year" if session.week >= 52 else f"so far (weeks 1-{session.week}, as a yearly rate)"
    if "impact_wellbeing" in nums:
        lines.append(
            f"- {span}, against no services (each person's life without them): wellbeing **{_signed(nums['impact_wellbeing'], 2)}**, "
            f"crises avoided **{nums.get('crises_avoided_per_1000_year', float('nan')):.0f}** per 1,000 people a year"
        )
    lines += [
        f"- true outcome **{nums['true_outcome']:.2f}**, reported **{nums['reported_outcome']:.2f}**: "
        f"gap **{nums['campbell_gap']:+.2f}**",
        f"- wellbeing of the most complex tenth **{nums['wellbeing_most_complex_decile']:.2f}** "
        f"(everyone {nums['wellbeing_mean']:.2f}); crises, everyone: **{nums['crises_per_1000_year']:.0f}** "
        "per 1,000 people a year",
        f"- cost £{nums['cost_per_week']:,.0f} a week; worker morale {nums['morale_mean']:.2f}",
    ]
    baseline = int(session.model.p["baseline_weeks"]) if session.model is not None else 0
    if session.week < baseline and s.get("incentive_strength", 0.0) > 0.0:
        lines.append(
            f"- weeks 1-{baseline} are the contract's baseline: providers are paid in full while their results "
            "are recorded, and prices and targets are set from them, so nothing is at stake and nobody games yet"
        )
    lines += against_before(session, run)
    return "\n".join(lines)


def _signed(x: float, digits: int) -> str:
    return f"{round(x, digits) + 0.0:+.{digits}f}"


def against_before(session: Session, run: drawing.Run) -> list[str]:
    """The current run against the faint 'before' run at the same week (once both have run a
    quarter). When only the stakes differ and the true outcome rose, the headline says so next to
    the gap the same pressure opened: targets can bring real gains (and a rise can also come from
    turning hard cases away, which the most complex tenth's wellbeing shows)."""
    before = session.previous
    if before is None or before.frame.height < 13 or run.frame.height < 13:
        return []
    at = min(run.frame.height, before.frame.height)
    old = live_numbers(before.frame.head(at), before.citizens)
    now = live_numbers(run.frame.head(at), run.citizens)
    d_true = now["true_outcome"] - old["true_outcome"]
    d_rep = now["reported_outcome"] - old["reported_outcome"]
    changed = {k for k in session.settings if session.settings[k] != before.settings.get(k)}
    real = ""
    if changed == {"incentive_strength"}:  # only the stakes moved, up or down
        up = session.settings["incentive_strength"] > before.settings["incentive_strength"]
        if up and d_true > 0.005:
            real = " (the true outcome rose with the stakes too)"
        elif not up and d_true < -0.005:
            real = " (the true outcome was higher with the stakes: real gains, or hard cases turned away)"
    d_complex = now["wellbeing_most_complex_decile"] - old["wellbeing_most_complex_decile"]
    d_crises = now["crises_per_1000_year"] - old["crises_per_1000_year"]
    others = sorted(changed - {"regime", "incentive_strength", "outcome_payment_share", "audit_rate"})
    also = f"; also changed: {', '.join(k.replace('_', ' ') for k in others)}" if others else ""
    return [
        f"- against *before* ({before.words}{also}) at week {at}: true {_signed(d_true, 2)}{real}, "
        f"reported {_signed(d_rep, 2)}, most complex tenth {_signed(d_complex, 2)}, crises (everyone) "
        f"{_signed(d_crises, 0)}"
    ]


@solara.component
def Controls(session: Session, playing: solara.Reactive[bool], redraw, tick: int) -> None:  # noqa: N802 (solara components)
    def toggle() -> None:
        if session.finished:  # a finished run starts again with the same settings
            session.set_aside()
            redraw()
            playing.set(True)
            return
        playing.set(not playing.value)

    def step() -> None:
        playing.set(False)
        if not session.finished:
            session.step(WEEKS_PER_STEP)
        redraw()

    def reset() -> None:
        playing.set(False)
        session.set_aside()
        redraw()

    if playing.value:
        play_label = "❚❚ PAUSE"
    elif session.finished:
        play_label = "↻ RUN AGAIN"
    else:
        play_label = "▶ RUN"
    with solara.Row(classes=["hls-controls"], gap="6px"):
        solara.Button(play_label, color="primary", on_click=toggle)
        solara.Button("STEP", color="primary", outlined=True, on_click=step)
        solara.Button("RESET", color="primary", outlined=True, on_click=reset)
    if session.finished:
        status = f"Finished: week {session.week} of {WEEKS}. Change a setting, or press ↻ RUN AGAIN."
    elif playing.value:
        status = f"Running: week {session.week} of {WEEKS}"
    else:
        status = f"Week {session.week} of {WEEKS}" + (" (paused)" if session.week else "")
    solara.Div(children=[status], classes=["hls-status"])


@solara.component
def Settings(session: Session, playing: solara.Reactive[bool], redraw, tick: int) -> None:  # noqa: N802 (solara components)
    """The regime menu and the sliders; any change starts a new run with the new settings."""
    s = session.settings
    notes = lever_notes(s)

    def apply(new: dict[str, Any]) -> None:
        playing.set(False)
        session.set_aside()
        session.settings = new
        redraw()

    def choose_regime(words: str) -> None:
        regime = next(r for r in REGIME_CHOICES if regime_words(r) == words)
        apply(regime_settings(regime, keep=s))

    solara.Select(
        "Regime",
        value=regime_words(s["regime"]),
        values=[regime_words(r) for r in REGIME_CHOICES],
        on_value=choose_regime,
    )
    solara.Div(children=[regime_description(s["regime"])], classes=["hls-note"], style={"margin-top": "-8px"})
    for sl in SLIDERS:
        value = s[sl.name]
        label = f"{sl.label}: {sl.fmt.format(int(value) if isinstance(sl.step, int) else float(value))}"

        def set_value(v, name=sl.name) -> None:
            if v != session.settings[name]:
                apply({**session.settings, name: v})

        if isinstance(sl.step, int):
            solara.SliderInt(label, value=int(value), min=int(sl.lo), max=int(sl.hi), step=sl.step, on_value=set_value)
        else:
            solara.SliderFloat(label, value=float(value), min=sl.lo, max=sl.hi, step=sl.step, on_value=set_value)
        if sl.name in notes:
            solara.Div(children=[notes[sl.name]], classes=["hls-note"])
    solara.SliderInt(
        f"Seed (the same seed, the same people): {s['seed']}",
        value=int(s["seed"]),
        min=SEED_RANGE[0],
        max=SEED_RANGE[1],
        on_value=lambda v: apply({**session.settings, "seed": int(v)}) if v != session.settings["seed"] else None,
    )


@solara.component
def Charts(session: Session, tick: int) -> None:  # noqa: N802 (solara components)
    run = session.current_run()
    solara.Markdown(headline(session, run), style={"font-size": "18px"})
    images = [(name, drawing.png(draw(run, session.previous)), words) for name, draw, words in drawing.CHARTS]

    def snapshot() -> bytes:
        return drawing.snapshot(session.current_run(), session.previous, headline(session, session.current_run()))

    with solara.Columns([1, 1], gutters_dense=True):
        for name, data, words in images[:2]:
            with solara.Column(gap="4px"):
                solara.Image(data, width="100%", classes=[f"hls-chart-{name}"])
                solara.Div(children=[words], classes=["hls-caption"])
    with solara.Columns([1, 1], gutters_dense=True):
        for name, data, words in images[2:]:
            with solara.Column(gap="4px"):
                solara.Image(data, width="100%", classes=[f"hls-chart-{name}"])
                solara.Div(children=[words], classes=["hls-caption"])
    solara.FileDownload(
        snapshot, filename=f"hls-sim-week-{session.week}.png", label="SAVE CHARTS (PNG)", mime_type="image/png"
    )


@solara.component
def Page() -> None:  # noqa: N802 (solara looks for a component named Page)
    session = solara.use_memo(lambda: Session(regime_settings(START_REGIME)), [])
    playing = solara.use_reactive(False)
    tick, set_tick = solara.use_state(0)

    def redraw() -> None:
        set_tick(lambda t: t + 1)

    def play(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set():
            running = session.step(WEEKS_PER_STEP)
            redraw()
            if not running:
                playing.set(False)
                return
            time.sleep(PAUSE_SECONDS)

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)

    solara.Style(CSS)
    solara.Title("hls-sim: Campbell's Law live")
    with solara.AppBar():
        solara.AppBarTitle("hls-sim: Campbell's Law live")
    with solara.Sidebar(), solara.Column(gap="2px"):
        Controls(session, playing, redraw, tick)
        Settings(session, playing, redraw, tick)
    with solara.lab.Tabs():
        with solara.lab.Tab("Model"):
            Charts(session, tick)
        with solara.lab.Tab("Info"):
            solara.Markdown(info_markdown(), style={"font-size": "17px", "max-width": "60em"})
