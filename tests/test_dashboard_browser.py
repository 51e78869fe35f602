"""The live dashboard in a real headless Chromium on localhost, with the internet unreachable.

The test does what a teacher does: start `hls-sim dashboard`, open the page, step the model,
move the stakes slider, reset, press play and watch the charts move. Screenshots are saved in
tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time

import pytest

from tests.browser import ARTIFACTS, chromium, chromium_path, free_port, wait_for_port

pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (.ci/system-deps installs it; CI fails instead of skipping)",
)


def colour_share(png: bytes) -> float:
    """Share of strongly coloured pixels: data lines and areas, not the grey axes of an empty plot."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    small = img.resize((img.width // 2, img.height // 2))
    px = small.tobytes()
    n = sum(1 for i in range(0, len(px), 3) if max(px[i : i + 3]) - min(px[i : i + 3]) > 60)
    return n / (small.width * small.height)


def grey_ink(png: bytes) -> float:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1.0 - sum(hist[240:]) / (img.width * img.height)


class Dashboard:
    """Small verbs over the SolaraViz page."""

    def __init__(self, page) -> None:
        self.page = page

    def step_count(self) -> int:
        text = self.page.js("document.body.innerText")
        m = re.search(r"(?:Step|Time): (\d+)", text or "")  # Mesa 3.3 shows model.steps, 3.5 model.time
        return int(m.group(1)) if m else -1

    def headline(self) -> str:
        return self.page.js("(document.querySelector('.vue-grid-item .solara-markdown') || {}).innerText || ''")

    def click_button(self, label: str) -> None:
        box = self.page.js(
            "(() => { const b = Array.from(document.querySelectorAll('button'))"
            f".find(b => b.innerText.trim() === {label!r}); if (!b) return null;"
            " const r = b.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        assert box, f"no button {label!r}"
        self.page.click_at(*box)

    def click_slider(self, label: str, fraction: float) -> None:
        box = self.page.js(
            "(() => { const i = Array.from(document.querySelectorAll('.v-input'))"
            f".find(e => e.innerText.trim().startsWith({label!r})); if (!i) return null;"
            " const s = i.querySelector('.v-slider'); s.scrollIntoView({block: 'center'});"
            " const r = s.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
        )
        assert box, f"no slider {label!r}"
        x, y, w, h = box
        self.page.click_at(x + fraction * w, y + h / 2)

    def slider_values(self) -> list[str]:
        return self.page.js("Array.from(document.querySelectorAll('.v-slider input')).map(i => i.value)")

    def charts(self) -> list[bytes]:
        n = self.page.js(
            "(() => { const imgs = document.querySelectorAll('img.widget-image');"
            " imgs.forEach((img, k) => img.id = 'live-chart-' + k); return imgs.length; })()"
        )
        return [self.page.element_png(f"#live-chart-{k}") for k in range(n)]

    def sources(self) -> list[str]:
        return self.page.js("Array.from(document.querySelectorAll('img.widget-image')).map(i => i.src)")

    def wait(self, predicate, timeout: float, what: str):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            self.page.pump(0.5)
        raise AssertionError(f"waited {timeout:.0f} s for {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hls_sim", "dashboard", "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, timeout=180)
        yield port, log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_dashboard_runs_offline_and_reacts(server):
    port, printed = server
    assert f"open http://localhost:{port} in a browser" in printed  # the command prints where to go
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium(width=1400, height=1000) as page:
        dash = Dashboard(page)
        page.goto(f"http://127.0.0.1:{port}/", timeout=120)
        page.wait_for("document.body.innerText.includes('RESET')", timeout=120, what="the controls")
        page.wait_for(
            "Array.from(document.querySelectorAll('img.widget-image')).filter(i => i.complete && i.naturalWidth > 0).length >= 3",
            timeout=120,
            what="three live charts",
        )
        page.pump(1)
        page.screenshot(ARTIFACTS / "dashboard_1_loaded.png", full_page=False)
        start = dash.charts()
        assert len(start) == 3
        assert all(grey_ink(c) > 0.02 for c in start), "axes must be drawn"
        assert "Regime" in page.js("document.body.innerText")
        for label in ("Stakes on the indicator", "Audit rate", "Intrinsic motivation", "Caseload cap", "Population"):
            assert label in page.js("document.body.innerText"), label

        # Step: the model advances and the charts change.
        before = dash.sources()
        dash.click_button("STEP")
        dash.wait(lambda: dash.step_count() >= 5, 60, "a step")
        dash.wait(lambda: dash.sources() != before, 30, "the charts to redraw")
        # The headline is a separate component and may redraw a moment after the charts.
        dash.wait(lambda: "stakes 0.80" in dash.headline(), 30, "the headline to report the run at stakes 0.80")

        # Slider: stakes to zero, reset, run.
        dash.click_slider("Stakes on the indicator", 0.0)
        dash.wait(lambda: dash.slider_values()[2] == "0", 20, "the stakes slider to move")
        dash.click_button("RESET")
        dash.wait(lambda: dash.step_count() == 0, 60, "the reset")
        dash.click_button("▶")
        dash.wait(lambda: dash.step_count() >= 40, 240, "forty weeks of play")
        dash.click_button("❚❚")
        page.pump(2)
        dash.wait(lambda: "stakes 0.00" in dash.headline(), 30, "the headline to report stakes 0.00")
        headline = dash.headline()
        # With nothing at stake on the indicator, the reported outcome is the true one.
        assert "gap +0.00" in headline or "gap -0.00" in headline, headline
        after = dash.charts()
        page.screenshot(ARTIFACTS / "dashboard_2_after_run.png", full_page=False)
        assert colour_share(after[0]) > colour_share(start[0]) + 0.002, "outcome chart did not draw the run"
        assert colour_share(after[2]) > colour_share(start[2]) + 0.02, "cost chart did not draw the run"
        assert page.external_requests() == [], page.external_requests()
