"""Readable citations for every source the model uses.

The parameter registry, the docs and the lessons cite sources tersely ("002 L6600", "Campbell
1979 (002 L1193, L6600)", "Holmstrom & Milgrom 1991; assumption for size"). A student or a
council director needs an author, a year and a title; a reader who holds the project's seed
documents still wants the line. `cite` turns such a string into one a reader can follow, keeping
the seed line numbers as a note, and `references` lists the full entries. The entries live in
`bibliography.toml`, shipped with the package, and hold only what is known about each source.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

SEED_IDS = ("000", "001", "002", "003", "004")

# "002 L1193, L6600", "002 L1618-1649", "002 ch.17", "003": a seed document and optional places in it.
_PLACE = r"(?:L|ch\.\s?)\d+(?:-\d+)?"
_SEED = re.compile(
    rf"(?<![\w.,£$-])(?P<seed>0\d\d)(?![\w.,%-])(?:\s+(?P<places>{_PLACE}(?:(?:,\s*|\s+and\s+){_PLACE})*))?"
)
# "Campbell 1979", "Bevan & Hood 2006", "Rees, Whitworth & Carter 2014", "Propper et al. 2010".
_NAME = r"[A-Z][\w'’\-]+"
_MONTHS = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
}
_AUTHOR_YEAR = re.compile(
    rf"(?<![\w-])(?P<names>{_NAME}(?:(?:,\s|\s&\s|\sand\s){_NAME})*(?:\set\sal\.?)?),?\s\(?(?P<year>(?:19|20)\d\d)\)?(?!\d)"
)


@dataclass(frozen=True)
class Entry:
    """One source: what a reference list needs, and how the text cites it."""

    key: str
    cite_as: str
    title: str = ""
    authors: str = ""
    year: int | None = None
    container: str = ""
    details: str = ""
    doi: str = ""
    note: str = ""
    seed: str = ""
    aliases: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def reference(self) -> str:
        """The full reference in plain text (author-year style)."""
        parts = []
        head = self.authors or ""
        if self.year:
            head = f"{head} ({self.year})" if head else f"({self.year})"
        if head:
            parts.append(head + ".")
        if self.title:
            parts.append(self.title if self.title[-1] in ".?!" else self.title + ".")
        where = ", ".join(x for x in (self.container, self.details) if x)
        if where:
            parts.append(where[0].upper() + where[1:] + ".")
        if self.doi:
            parts.append(f"doi:{self.doi}.")
        if self.seed:
            parts.append(f"[Seed document {self.seed}.]")
        elif self.note:
            parts.append(f"[{self.note[0].upper()}{self.note[1:]}.]")
        return " ".join(parts)

    def reference_markdown(self) -> str:
        """The full reference with the title in italics (for marimo and the dashboard)."""
        text = self.reference()
        if self.title:
            text = text.replace(self.title, f"*{self.title}*", 1)
        return text


@dataclass(frozen=True)
class Mention:
    """Where a source string cites an entry, and the seed lines it names (if any)."""

    entry: Entry
    start: int
    end: int
    places: str = ""


@functools.cache
def entries() -> dict[str, Entry]:
    """All entries, keyed by their bibliography key."""
    raw = tomllib.loads(resources.files("hls_sim").joinpath("bibliography.toml").read_text(encoding="utf-8"))
    out = {}
    for key, fields in raw.items():
        fields = dict(fields)
        fields["aliases"] = tuple(fields.get("aliases", ()))
        fields["phrases"] = tuple(fields.get("phrases", ()))
        out[key] = Entry(key=key, **fields)
    return out


@functools.cache
def _by_alias() -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for e in entries().values():
        for name in (e.cite_as, *e.aliases):
            out[_norm(name)] = e
    return out


@functools.cache
def _by_seed() -> dict[str, Entry]:
    return {e.seed: e for e in entries().values() if e.seed}


def _norm(text: str) -> str:
    text = text.replace("(", "").replace(")", "").replace(" and ", " & ").replace("’", "'")
    return " ".join(text.split()).lower()


def entry(name: str) -> Entry:
    """The entry for a key ("campbell1979"), a short citation ("Campbell 1979") or a seed ("002")."""
    if name in entries():
        return entries()[name]
    if name in _by_seed():
        return _by_seed()[name]
    found = _by_alias().get(_norm(name))
    if found is None:
        raise KeyError(f"no bibliography entry for {name!r}")
    return found


def _author_year(m: re.Match[str]) -> tuple[Entry | None, int]:
    """The entry an author-year match names, and where its name starts. Tries dropping leading
    words ("In Campbell 1979") and taking in up to three words before the match, for names
    that are titles ("Human Learning Systems 2021")."""
    names, year = m.group("names"), m.group("year")
    words = names.split(" ")
    for k in range(len(words)):
        cand = " ".join(words[k:])
        hit = _by_alias().get(_norm(f"{cand} {year}"))
        if hit is not None:
            return hit, m.start("names") + len(names) - len(cand)
    before = m.string[: m.start("names")]
    lead = [w.strip("\"'“”‘’([*_") for w in before.split()]
    for k in (1, 2, 3):
        if len(lead) < k:
            break
        cand = " ".join([*lead[-k:], names])
        hit = _by_alias().get(_norm(f"{cand} {year}"))
        if hit is not None:
            return hit, before.rindex(lead[-k])
    return None, m.start()


def mentions(source: str) -> list[Mention]:
    """Every citation of a known entry in `source`, in order."""
    found: list[Mention] = []
    for m in _SEED.finditer(source):
        e = _by_seed().get(m.group("seed"))
        if e is not None:
            found.append(Mention(e, m.start(), m.end(), m.group("places") or ""))
    for m in _AUTHOR_YEAR.finditer(source):
        e, start = _author_year(m)
        if e is not None:
            found.append(Mention(e, start, m.end()))
    for e in entries().values():
        for phrase in e.phrases:
            for m in re.finditer(re.escape(phrase), source):
                found.append(Mention(e, m.start(), m.end()))
    found.sort(key=lambda x: x.start)
    out: list[Mention] = []
    for m in found:  # an author-year inside a phrase, or the like, counts once
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


def unresolved(source: str) -> list[str]:
    """Citation-like pieces of `source` that name no entry ("005 L3", "Smith 2001")."""
    bad = [m.group(0) for m in _SEED.finditer(source) if m.group("seed") not in _by_seed() and m.group("places")]
    for m in _AUTHOR_YEAR.finditer(source):
        e, _ = _author_year(m)
        if e is None and m.group("names").split(" ")[-1] not in _MONTHS and not re.fullmatch(r"L\d+", m.group("names")):
            bad.append(m.group(0))
    return bad


def seed_note(seed: str, places: str = "") -> str:
    """'seed 002, lines 1193, 6600' from '002' and 'L1193, L6600'."""
    if not places:
        return f"seed {seed}"
    items = re.split(r",\s*|\s+and\s+", places)
    words = []
    for item in items:
        if item.startswith("ch"):
            words.append("chapter " + item.split(".", 1)[1].strip())
        else:
            words.append(item.lstrip("L"))
    lines = [w for w in words if not w.startswith("chapter")]
    chapters = [w for w in words if w.startswith("chapter")]
    parts = []
    if chapters:
        parts.append(", ".join(chapters))
    if lines:
        many = len(lines) > 1 or "-" in lines[0]
        parts.append(("lines " if many else "line ") + ", ".join(lines))
    return f"seed {seed}, " + "; ".join(parts)


def cite(source: str) -> str:
    """`source` with every citation made readable: '002 L6600' becomes
    'Human Learning Systems 2021 [seed 002, line 6600]', a phrase naming a programme gains the
    study that documents it; author-year citations and all other words are kept as they are."""
    out, pos = [], 0
    for m in mentions(source):
        out.append(source[pos : m.start])
        text = source[m.start : m.end]
        if m.entry.seed and text.strip().startswith(m.entry.seed):
            out.append(f"{m.entry.cite_as} [{seed_note(m.entry.seed, m.places)}]")
        elif text in m.entry.phrases:
            out.append(f"{text} ({m.entry.cite_as})")
        else:
            out.append(text)  # an author-year citation is readable as written
        pos = m.end
    out.append(source[pos:])
    return "".join(out)


def references(sources: str | Iterable[str]) -> list[Entry]:
    """The entries cited in one or more source strings, sorted as a reference list."""
    if isinstance(sources, str):
        sources = [sources]
    seen: dict[str, Entry] = {}
    for s in sources:
        for m in mentions(s):
            seen.setdefault(m.entry.key, m.entry)
    return sorted(seen.values(), key=lambda e: ((e.authors or e.title).lower(), e.year or 0))


def reference_list_markdown(sources: str | Iterable[str]) -> str:
    """A markdown bullet list of the full references cited in `sources`."""
    return "\n".join(f"- {e.reference_markdown()}" for e in references(sources))
