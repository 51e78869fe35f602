"""Output folders: checked before any work, never clobbered, written whole or not at all.

Every command that writes a result folder (`run`, `compare`, `sweep`, `validate`, `explain`,
`robustness`, and `analyse` for its tables) claims its `--out` here before it simulates or computes
anything:

- the path must be usable: not empty, not too long, not a file, in a place this user can write
  (checked by creating and removing a probe folder, which is the only test that `/proc`, a
  read-only mount or a full quota cannot fool);
- an absent or empty folder is written; a folder that holds a result of the same kind is
  refused unless `--overwrite` (or `--resume`, where a command can finish its own work);
  anything else (another kind of result, unrelated files) is refused: nothing is lost.

A one-shot result (`run`, an analysis) is written into a hidden staging folder beside the target and renamed
into place at the end, so a failed write (a full disk) leaves nothing half-written; an
`--overwrite` swaps the new folder in and only then removes the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hls_sim.errors import OutputError, UsageError

# The files a result of each kind is made of (its report included), to recognise a folder
# and to refuse to replace one that also holds something else.
REPORT_FILES = ("report.html", "charts")
STORE_FILES = ("manifest.json", "points.parquet", "parts", "failures", "results.parquet", ".lock")
ROBUSTNESS_TABLES = ("sets.parquet", "runs.parquet", "screen.parquet")
ANALYSIS_JSON = "analysis.json"
ANALYSIS_FILES = (
    ANALYSIS_JSON,
    *(
        f"{stem}.{ext}"
        for stem in ("point_summary", "weekly_summary", "sensitivity", "article_table")
        for ext in ("csv", "parquet")
    ),
    "article_table.md",
    *(
        f"sensitivity_{idx}.{ext}"
        for idx in ("mu_star", "ST", "eta_squared", "src")
        for ext in ("csv", "parquet", "md")
    ),
)
KIND_FILES: dict[str, tuple[str, ...]] = {
    "run": ("summary.json", "timeseries.parquet", "manifest.json", *REPORT_FILES),
    "compare": (
        *STORE_FILES,
        "runs.parquet",
        "table.csv",
        "table.parquet",
        "timeseries.parquet",
        "campbell.parquet",
        "yearly.parquet",
        "breakeven.json",
        "assumptions.parquet",
        "assumptions",
        *REPORT_FILES,
    ),
    "sweep": (*STORE_FILES, "experiment.toml", "runs.parquet", "analysis", *REPORT_FILES),
    "validate": (*STORE_FILES, "validation.json", "runs.parquet", "calibration.json", "calibration", *REPORT_FILES),
    "explain": (*STORE_FILES, "explain.json", "coalitions.parquet", *REPORT_FILES),
    "robustness": ("manifest.json", "screen", "sets", "robustness.json", *ROBUSTNESS_TABLES, *REPORT_FILES),
    "analysis": ANALYSIS_FILES,  # the tables of `hls-sim analyse` (not resumable: written whole)
}
ENGINE_KINDS = ("compare", "sweep", "validate", "explain", "robustness")  # written under a lock: resumable
NAME_MAX = 255
PATH_MAX = 4096


def article(word: str) -> str:
    """'a sweep', 'an explain', 'an analysis'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _manifest(folder: Path, name: str = "manifest.json") -> dict:
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def folder_kind(folder: Path) -> str | None:
    """Which kind of hls-sim result a folder holds ('run', 'compare', 'sweep', 'analysis', ...), if any."""
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return None
    if ANALYSIS_JSON in names and "manifest.json" not in names:
        shown = {n for n in names if not n.startswith(".")}
        if "plan_hash" in _manifest(folder, ANALYSIS_JSON) or shown <= set(ANALYSIS_FILES):
            return "analysis"
    m = _manifest(folder) if "manifest.json" in names else {}
    kind = m.get("kind")
    if isinstance(kind, str) and kind in KIND_FILES:
        return kind
    fmt = str(m.get("format", ""))
    if fmt.startswith("hls_sim.") and fmt.split(".", 1)[1].split("/")[0] in KIND_FILES:
        return fmt.split(".", 1)[1].split("/")[0]
    # folders written before manifests named their kind
    if {"summary.json", "timeseries.parquet"} <= names:
        return "run"
    if "labels" in m and "runs.parquet" in names:
        return "compare"
    if "validation.json" in names:
        return "validate"
    return None


def check_path(path: Path | str, option: str = "--out") -> Path:
    """A usable place for a new file or folder, or a UsageError saying why not (nothing is left behind)."""
    text = str(path)
    if not text.strip():
        raise UsageError(f"{option} is empty: give the name of a folder to write to")
    if "\x00" in text:
        raise UsageError(f"{option} {text!r}: a path cannot contain a NUL character")
    path = Path(text)
    full = Path(os.path.abspath(path))
    if len(os.fsencode(str(full))) >= PATH_MAX:
        raise UsageError(
            f"{option} {text}: the path is too long ({len(str(full)):,} characters); allowed is under {PATH_MAX:,}"
        )
    for part in full.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise UsageError(
                f"{option} {text}: the name {part[:40]}... is too long ({len(part)} characters); allowed is {NAME_MAX}"
            )
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {text} is a file, not a folder; choose a folder (nothing was written)")
    ancestor = full
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{option} {text}: {ancestor} is a file, so no folder can be made inside it")
    try:
        probe = tempfile.mkdtemp(dir=ancestor, prefix=".hls-sim-probe-")
        os.rmdir(probe)
    except OSError as exc:
        raise UsageError(f"{option} {text}: cannot write in {ancestor}: {exc.strerror or exc}") from None
    return path


@dataclass
class Target:
    """A claimed output folder: `mode` is 'new', 'resume' or 'overwrite'."""

    path: Path
    kind: str
    mode: str

    @contextlib.contextmanager
    def staged(self) -> Iterator[Path]:
        """A hidden folder beside the target to write into; renamed into place only if all went well.

        A write failure becomes OutputError (one line, exit status 1) and the staging folder is
        removed, so the target is left exactly as it was.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}.new-"))
        except OSError as exc:
            raise OutputError(f"could not write {self.path}: {exc.strerror or exc}") from None
        try:
            yield staging
            self.commit(staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            where = getattr(exc, "filename", None) or self.path
            raise OutputError(f"could not write {where}: {exc.strerror or exc}; nothing was written") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def commit(self, staging: Path) -> None:
        """Put the staged folder in place of the target (replacing an old result only now)."""
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a result folder is not
        if self.path.exists() and any(self.path.iterdir()):
            old = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}.old-"))
            os.replace(self.path, old / "result")
            try:
                os.replace(staging, self.path)
            except OSError:
                os.replace(old / "result", self.path)  # put the old result back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.rmdir()  # an empty folder the user made for us
            os.replace(staging, self.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def claim(
    path: Path | str,
    kind: str,
    *,
    overwrite: bool = False,
    resume: bool = False,
    option: str = "--out",
) -> Target:
    """Check that `path` may receive a result of `kind`; nothing is written here."""
    path = check_path(path, option)
    contents = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
    if contents == [".lock"] and kind in ENGINE_KINDS:
        contents = []  # another command is just starting here: the engine says so once it tries the lock
    if not contents:
        if resume:
            raise UsageError(f"{option} {path} holds no {kind} to resume; start one without --resume")
        return Target(path, kind, "new")
    found = folder_kind(path)
    if found != kind:
        what = (
            f"{article(found)} result"
            if found
            else f"other files ({', '.join(contents[:5])}{', ...' if len(contents) > 5 else ''})"
        )
        raise UsageError(
            f"{option} {path} holds {what}, not {article(kind)}; choose another folder (nothing was written)"
        )
    if resume:
        return Target(path, kind, "resume")
    if not overwrite:
        again = " or --resume to finish it" if kind in ENGINE_KINDS else ""
        raise UsageError(
            f"{option} {path} already holds {article(kind)} result; add --overwrite to replace it{again}, "
            "or choose another folder (nothing was written)"
        )
    foreign = [n for n in contents if n not in KIND_FILES[kind] and not n.startswith(".")]
    if foreign:
        raise UsageError(
            f"{option} {path} also holds files that are not part of {article(kind)} result ({', '.join(foreign[:5])}); "
            "--overwrite replaces a whole result folder, so move them or choose another folder"
        )
    return Target(path, kind, "overwrite")
