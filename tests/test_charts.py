"""Every chart type renders from small seeded runs into valid offline HTML and a real PNG."""

from __future__ import annotations

import io
import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hls_sim import charts
from hls_sim.runner import runs_at_stakes
from tests.conftest import SMALL, cached_run

REGIMES = ("output_targets", "payment_by_results", "hls")
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def outputs():
    results = {r: cached_run(1, regime=r, **SMALL) for r in REGIMES}
    ts = charts.timeseries_frame({r: res.timeseries for r, res in results.items()})
    summaries = {r: res.summary for r, res in results.items()}
    runs = charts.runs_frame(
        [{"label": r, "seed": s, **cached_run(s, regime=r, **SMALL).summary} for r in REGIMES for s in SEEDS]
    )
    campbell = runs_at_stakes([0.0, 0.5, 1.0], SEEDS, regime="payment_by_results", **SMALL)
    return ts, summaries, runs, campbell


@pytest.fixture(scope="module")
def figures(outputs):
    ts, summaries, runs, campbell = outputs
    return charts.all_figures(ts, summaries, runs, campbell)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _ink(data: bytes) -> float:
    from PIL import Image

    img = Image.open(io.BytesIO(data)).convert("L")
    hist = img.histogram()
    return 1.0 - sum(hist[245:]) / (img.width * img.height)


def _titles(spec: dict) -> list[str]:
    """Every axis title in a Vega-Lite spec (encodings at any depth)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding")
            if isinstance(enc, dict):
                for ch in ("x", "y"):
                    t = enc.get(ch, {}).get("title") if isinstance(enc.get(ch), dict) else None
                    if isinstance(t, str):
                        out.append(t)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return out


def test_every_chart_type_is_built(figures):
    names = {f.name for f in figures}
    assert names == {
        "outcomes_over_time",
        "campbell_curve",
        "gaming_by_channel",
        "wait_distribution",
        "help_by_complexity",
        "cost_over_time",
        "trust_and_morale",
    }


def test_files_are_valid_offline_html_and_png(figures, tmp_path):
    for fig in figures:
        paths = fig.save(tmp_path)
        page = paths["html"].read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>")
        assert "window.vegaEmbed" in page, "the Vega bundle must be inlined"
        assert not re.search(r"<(script|link)[^>]+(src|href)=['\"]https?://", page), "no network resources"
        spec = json.loads(re.search(r"vegaEmbed\('#fig-[a-z_]+', (\{.*\}), \{renderer", page).group(1))
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert spec["title"]["text"] == fig.title
        assert " ".join(spec["title"]["subtitle"]) == " ".join(fig.caption.split())
        png = paths["png"].read_bytes()
        width, height = _png_size(png)
        assert width > 400 and height > 250
        assert _ink(png) > 0.02, f"{fig.name}: PNG looks blank"


def test_titles_captions_and_units(figures):
    for fig in figures:
        assert fig.title and fig.caption.endswith(".")
        titles = _titles(fig.spec())
        assert titles, f"{fig.name}: no axis titles"
        # Every quantitative axis states its unit or scale in brackets.
        assert all("(" in t for t in titles if t), f"{fig.name}: axis title without unit: {titles}"


def test_chart_data_come_from_the_runs(outputs, figures):
    ts, summaries, runs, _ = outputs
    spec = next(f for f in figures if f.name == "outcomes_over_time").spec()
    rows = next(iter(spec["datasets"].values()))
    true_rows = [r for r in rows if r["label"] == "output_targets" and r["measure"] == "true"]
    expected = ts.filter(pl.col("label") == "output_targets")["true_outcome"].to_list()
    assert [r["share"] for r in true_rows] == pytest.approx(expected)
    gaming = next(f for f in figures if f.name == "gaming_by_channel").spec()
    bars = {(r["label"], r["channel"]): r["mean"] for r in next(iter(gaming["datasets"].values()))}
    mean_sub = runs.filter(pl.col("label") == "payment_by_results")["gaming_effort_substitution"].mean()
    assert bars[("payment_by_results", "effort substitution")] == pytest.approx(mean_sub)


def test_campbell_curve_rises_with_the_stakes(outputs):
    """Over three seeds the reported-true gap at full stakes exceeds the gap with nothing at stake."""
    campbell = outputs[3]
    by = campbell.group_by("incentive_strength").agg(pl.col("campbell_gap").mean()).sort("incentive_strength")
    gaps = by["campbell_gap"].to_list()
    assert gaps[0] == pytest.approx(0.0, abs=0.02)
    assert gaps[-1] > gaps[0] + 0.03
    fig = charts.campbell_curve(campbell)
    summary = [r for d in fig.spec()["datasets"].values() for r in d if r.get("ci_low") is not None]
    assert len(summary) == 3
    for row in summary:
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
        assert row["n"] == len(SEEDS)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=53, max_size=53),
    st.lists(st.integers(0, 500), min_size=53, max_size=53),
    st.integers(0, 26),
)
def test_wait_shares_are_a_distribution(true, reported, target):
    summaries = {
        "x": {"wait_histogram": true, "wait_histogram_reported": reported, "time_to_service_target_weeks": target}
    }
    fig = charts.wait_distribution(charts.wait_frame(summaries))
    rows = next(iter(fig.spec()["datasets"].values()))
    for measure, hist in (("true", true), ("reported", reported)):
        shares = [r["share"] for r in rows if r["measure"] == measure]
        assert len(shares) == 27 and all(s >= 0 for s in shares)
        if sum(hist[:27]) > 0:
            assert sum(shares) == pytest.approx(1.0)
    assert {r["target"] for r in rows} == {target}


def test_non_finite_values_become_gaps_not_broken_axes():
    frame = pl.DataFrame(
        {
            "label": ["a"] * 3,
            "week": [0, 1, 2],
            "true_outcome": [0.2, float("nan"), 0.3],
            "reported_outcome": [0.2, 0.4, float("inf")],
        }
    )
    rows = next(iter(charts.outcomes_over_time(frame).spec()["datasets"].values()))
    assert all(r["share"] is None or 0 <= r["share"] <= 1 for r in rows)
    assert sum(r["share"] is None for r in rows) == 2


def test_long_runs_of_many_regimes_are_not_refused():
    """Five regimes over twenty years is far beyond altair's default 5,000-row limit."""
    weeks = 1040
    frames = {
        r: pl.DataFrame(
            {"week": list(range(weeks)), "true_outcome": [0.3] * weeks, "reported_outcome": [0.4] * weeks}
            | {f"cost_{k}": [100.0] * weeks for k in ("payments", "downstream", "audit")}
            | {"morale_mean": [0.5] * weeks, "trust_citizen_mean": [0.5] * weeks}
        )
        for r in REGIMES + ("block_grant", "alliance")
    }
    ts = charts.timeseries_frame(frames)
    for fig in (charts.outcomes_over_time(ts), charts.cost_over_time(ts), charts.trust_and_morale(ts)):
        rows = sum(len(v) for v in fig.spec()["datasets"].values())
        assert rows >= 5 * weeks * 2


# ---------------------------------------------------------------------------- sweep charts


def _sweep_table(factors: dict[str, list], seeds=(1, 2, 3)) -> pl.DataFrame:
    """A sweep table shaped as the report reads it: one row per run, with the labels it makes."""
    import itertools

    rows = []
    names = list(factors)
    for k, combo in enumerate(itertools.product(*factors.values())):
        for s in seeds:
            row = dict(zip(names, combo, strict=True)) | {"seed": s}
            base = 0.1 * k + 0.01 * s
            row |= {"true_outcome": 0.3 + base / 10, "reported_outcome": 0.3 + base, "campbell_gap": base}
            row |= {f"gaming_{c}": base / (i + 1) for i, c in enumerate(charts.GAMING_CHANNELS)}
            row["label"] = ", ".join(f"{n}={row[n]}" for n in names)
            rows.append(row)
    return pl.DataFrame(rows)


STAKES = [i * 0.2 for i in range(6)]  # 0.6000000000000001 among them, as a grid makes it


def _marks(spec) -> list[str]:
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "mark" in node:
                m = node["mark"]
                out.append(m["type"] if isinstance(m, dict) else m)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return out


def test_effect_of_a_category_is_split_by_the_other_factor_and_not_joined_by_lines():
    table = _sweep_table({"regime": ["output_targets", "payment_by_results"], "incentive_strength": STAKES})
    fig = charts.parameter_effect(table, "regime", ["true_outcome", "campbell_gap"])
    spec = fig.spec()
    text = json.dumps(spec)
    assert "line" not in _marks(spec) and {"point", "rule"} <= set(_marks(spec))
    rows = [r for d in spec["datasets"].values() for r in d]
    # one mean per regime and stakes: split, not pooled over the stakes
    assert len({(r["x_words"], r["series"]) for r in rows}) == 12
    assert {r["series"] for r in rows} == {"0", "0.2", "0.4", "0.6", "0.8", "1"}  # shown as a person writes them
    gap = [r for r in rows if r["metric"] == "campbell_gap" and r["regime"] == "payment_by_results"]
    assert sorted(r["mean"] for r in gap) == pytest.approx(sorted(0.1 * k + 0.02 for k in range(6, 12)))
    titles = _titles(spec)
    assert titles and all("ci_low" not in t and "_" not in t for t in titles), titles
    assert "mean over seeds (share points)" in titles and "regime" in titles
    assert (
        "payment by results" in text
        and "stakes on the indicator (0-1)" in text
        and "Campbell gap (reported - true)" in text
    )
    assert "_" not in fig.title


def test_many_design_points_get_panels_and_distinct_colours(tmp_path):
    table = _sweep_table({"regime": ["output_targets", "payment_by_results"], "incentive_strength": STAKES})
    fig = charts.gaming_by_channel(table)
    spec = fig.spec()
    text = json.dumps(spec)
    assert spec["facet"]["field"] == "panel"
    colour = spec["spec"]["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]  # six shades, none reused
    assert "incentive_strength=" not in text
    assert spec["config"]["legend"]["labelLimit"] == 0  # no entry cut short
    png = fig.save(tmp_path)["png"].read_bytes()
    assert _ink(png) > 0.02
    # a compare keeps its own labels (scenario names), however many parameters differ between them
    runs = table.filter(pl.col("incentive_strength") == 0.0).with_columns(
        pl.Series("label", ["plymouth_before"] * 3 + ["plymouth_alliance"] * 3)
    )
    spec = charts.gaming_by_channel(runs).spec()
    assert "facet" not in spec
    assert {r["label"] for d in spec["datasets"].values() for r in d} == {"plymouth_before", "plymouth_alliance"}


def test_campbell_curve_of_a_three_factor_sweep_has_a_panel_per_regime():
    table = _sweep_table(
        {"regime": ["output_targets", "payment_by_results"], "incentive_strength": STAKES, "audit_rate": [0.01, 0.1]}
    )
    labelled = table.with_columns(
        pl.format("regime={}, audit_rate={}", pl.col("regime"), pl.col("audit_rate")).alias("label")
    )
    spec = charts.campbell_curve(labelled).spec()
    assert spec["facet"]["field"] == "panel"
    assert spec["spec"]["layer"][0]["encoding"]["color"]["title"] == "audit rate (share)"
    rows = [r for d in spec["datasets"].values() for r in d if r.get("kind") == "mean"]
    assert {r["panel"] for r in rows} == {"output targets", "payment by results"}
    assert len(rows) == 2 * 6 * 2
