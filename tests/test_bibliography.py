"""Every source the model cites resolves to a bibliography entry a reader can follow.

The registry's `source` strings and the lessons cite tersely ("002 L6600", "Campbell 1979");
these tests check that each citation names an entry of `hls_sim/bibliography.toml`, that the
readable form keeps the seed line as a note, and that the entries say only what the seed
documents support where the documents are at hand.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from hls_sim import bibliography as bib
from hls_sim.params import PARAMS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SEEDS = Path(os.environ.get("HLS_SIM_SEEDS", "/work/shared/seeds"))
CITING = {"cite", "references", "reference_list_markdown", "entry"}


def test_every_registry_source_resolves():
    unresolved = {name: bib.unresolved(p.source) for name, p in PARAMS.items() if bib.unresolved(p.source)}
    assert unresolved == {}
    cited = {m.entry.key for p in PARAMS.values() for m in bib.mentions(p.source)}
    # the registry cites the seed documents and published studies alike
    assert {"seed001", "seed002", "campbell1979", "holmstrom1991", "falk2006"} <= cited


def test_readable_citation_keeps_the_seed_line_as_a_note():
    assert bib.cite("002 L6600") == "Human Learning Systems 2021 [seed 002, line 6600]"
    text = bib.cite(PARAMS["incentive_strength"].source)
    assert "Campbell 1979" in text and "seed 002, lines 1193, 6600" in text
    assert bib.cite("001 L337-341, 002 L620-646") == (
        "Lowe & Plimmer 2019 [seed 001, lines 337-341], Human Learning Systems 2021 [seed 002, lines 620-646]"
    )
    assert bib.cite("002 ch.17, L1191-1195").endswith("[seed 002, chapter 17; lines 1191-1195]")
    assert bib.cite("assumption: neutral") == "assumption: neutral"  # plain words are left alone
    assert "(Carter & Whitworth 2015)" in bib.cite("Work Programme differential payment groups")


def test_unknown_sources_are_found():
    assert bib.unresolved("Smith 2001; 007 L12; assumption") == ["007 L12", "Smith 2001"]
    assert bib.unresolved("Campbell 1979; 002 L1; in June 2021") == []
    with pytest.raises(KeyError):
        bib.entry("Smith 2001")


def test_entries_are_complete_enough_to_find():
    entries = bib.entries()
    assert {e.seed for e in entries.values() if e.seed} == set(bib.SEED_IDS)
    for e in entries.values():
        assert e.cite_as and (e.title or e.container), e.key
        assert e.year is None or 1900 < e.year < 2100, e.key
        ref = e.reference()
        assert ref.endswith((".", ".]")), ref
        assert "None" not in ref
    campbell = bib.entry("Campbell 1979").reference()
    assert campbell.startswith("Campbell, D. T. (1979). Assessing the impact of planned social change.")
    assert (
        bib.entry("Holmstrom & Milgrom 1991") is bib.entry("holmstrom1991") is bib.entry("Holmström and Milgrom 1991")
    )


def test_reference_list_orders_by_author():
    refs = bib.references(["Smaldino & McElreath 2016; 002 L6600", "Campbell 1979", "Campbell 1979"])
    assert [e.key for e in refs] == ["seed002", "campbell1979", "smaldino2016"]
    md = bib.reference_list_markdown("Campbell 1979")
    assert md.startswith("- Campbell, D. T. (1979). *Assessing the impact of planned social change*")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not on this machine")
def test_seed_entries_match_their_documents():
    """Titles and authors of the seed entries are the ones the documents state in their first pages."""
    for e in bib.entries().values():
        if not e.seed:
            continue
        (path,) = SEEDS.glob(f"{e.seed}_*.txt")
        head = " ".join(path.read_text(encoding="utf-8")[:20000].split()).lower()
        if e.title:
            assert " ".join(e.title.split(":")[0].lower().split()) in head, e.key
        if e.seed in ("001", "002"):
            assert "lowe" in head and "plimmer" in head, e.key


def _lesson_citations(path: Path) -> list[str]:
    """String arguments of the bibliography calls a lesson makes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in CITING:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append(arg.value)
                    elif isinstance(arg, ast.List | ast.Tuple):
                        found += [a.value for a in arg.elts if isinstance(a, ast.Constant)]
    return found


@pytest.mark.parametrize("name", ["campbell_law", "payment_by_results", "trust_learning_alliance"])
def test_lessons_cite_through_the_bibliography(name):
    path = NOTEBOOKS / f"{name}.py"
    cited = _lesson_citations(path)
    assert cited, f"{name} cites nothing through hls_sim.bibliography"
    for text in cited:
        assert bib.unresolved(text) == [], (name, text)
        assert bib.mentions(text), (name, text)
    # no bare 'seed 002, line 6600' left in the text a student reads
    assert not re.search(r"seed 00\d, lines? \d", path.read_text(encoding="utf-8")), name


def _sources_in(data) -> list[str]:
    if isinstance(data, dict):
        return [
            str(s)
            for k, v in data.items()
            for s in ((v if isinstance(v, list) else [v]) if k in ("source", "sources") else _sources_in(v))
        ]
    if isinstance(data, list):
        return [s for v in data for s in _sources_in(v)]
    return []


def test_scenario_and_experiment_sources_resolve():
    import tomllib

    files = sorted(ROOT.glob("scenarios/*.toml")) + sorted(ROOT.glob("experiments/**/*.toml"))
    cited = 0
    for path in files:
        for source in _sources_in(tomllib.loads(path.read_text(encoding="utf-8"))):
            assert bib.unresolved(source) == [], (path.name, source)
            cited += len(bib.mentions(source))
    assert cited > 20


@pytest.mark.parametrize("doc", ["docs/ODD.md", "docs/validation.md", "docs/teaching.md", "docs/scenarios.md"])
def test_documentation_cites_only_listed_sources(doc):
    """A new author-year citation in the docs needs an entry in hls_sim/bibliography.toml."""
    assert bib.unresolved((ROOT / doc).read_text(encoding="utf-8")) == []
