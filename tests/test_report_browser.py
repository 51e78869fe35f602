"""The HTML report in a real headless Chromium on localhost with the internet unreachable:
it loads, every chart is drawn (not blank) and a screenshot is kept for a person to look at."""

from __future__ import annotations

import io
import os

import pytest

from hls_sim.cli import main
from tests.browser import ARTIFACTS, chromium, chromium_path, serve_folder

pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (.ci/system-deps installs it; CI fails instead of skipping)",
)


def ink(png: bytes) -> float:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1.0 - sum(hist[245:]) / (img.width * img.height)


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "compare"
    args = ["compare", "--seeds", "2", "--citizens", "250", "--weeks", "60", "--set", "burn_in_weeks=12"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def test_report_draws_every_chart_offline(compare_dir):
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_folder(compare_dir) as base, chromium(width=1300, height=900) as page:
        page.goto(f"{base}/report.html")
        ids = page.js("Array.from(document.querySelectorAll('.chart')).map(d => d.id)")
        assert len(ids) >= 7
        page.wait_for(f"document.querySelectorAll('.chart svg').length >= {len(ids)}", 60, "an SVG in every chart")
        drawn = page.wait_for(
            "(() => { const ids = " + _charts_js() + "; return ids.length >= " + str(len(ids)) + " ? ids : null; })()",
            60,
            "every chart to draw its marks",
        )
        assert sorted(drawn) == sorted(ids)
        for chart_id in ids:
            png = page.element_png(f"#{chart_id}")
            assert ink(png) > 0.03, f"{chart_id} looks blank"
        assert page.js("document.body.innerText").count("This chart as a separate file") == len(ids)
        page.screenshot(ARTIFACTS / "report_compare.png")
        errors = [c for c in page.console if "error" in c.lower() or "exception" in c.lower()]
        assert errors == []
        assert page.external_requests() == [], page.external_requests()


def test_single_chart_file_draws_offline(compare_dir):
    with serve_folder(compare_dir / "charts") as base, chromium(width=1000, height=800) as page:
        page.goto(f"{base}/campbell_curve.html")
        page.wait_for("document.querySelectorAll('svg .mark-line path').length > 0", 60, "the curve")
        assert ink(page.element_png("#fig-campbell_curve")) > 0.03
        page.screenshot(ARTIFACTS / "chart_campbell_curve.png")
        assert page.external_requests() == []


def _charts_js() -> str:
    return (
        "Array.from(document.querySelectorAll('.chart')).filter(d => d.querySelectorAll('svg .mark-line path,"
        " svg .mark-area path, svg .mark-rect path, svg .mark-symbol path, svg .mark-rule line').length > 0)"
        ".map(d => d.id)"
    )
