"""The results folder of a sweep: parts streamed to disk, a manifest, and what resume trusts.

Layout of DIR:

    manifest.json      what was planned (plan hash, seeds, parameters, version) and the status
    experiment.toml    the experiment file exactly as it was run
    points.parquet     one row per design point with its coordinates
    parts/             one parquet file per finished run, written to a temporary name, flushed
                       to disk and renamed, so a part either exists whole or not at all
    failures/          one JSON file per run that raised: error, traceback, parameters
    results.parquet    at the end: every part in run order, the tidy long table
    runs.parquet       at the end: one row per run with its status, error and parameters

Resume trusts only what it can read back: a part whose footer or run id is wrong, and any
temporary file left by a killed writer, is removed and its run is done again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from hls_sim.atomic import atomic_write_bytes, atomic_write_json, atomic_write_parquet, fsync_dir, temp_beside
from hls_sim.outdir import article

MANIFEST = "manifest.json"
EXPERIMENT = "experiment.toml"
POINTS = "points.parquet"
RESULTS = "results.parquet"
RUNS = "runs.parquet"
PARTS = "parts"
FAILURES = "failures"
LOCK = ".lock"
FORMAT = "hls_sim.sweep/1"  # a sweep's; other plans write hls_sim.KIND/1
_PART = re.compile(r"^run-(\d+)\.parquet$")


class StoreError(Exception):
    """The results folder cannot be used as asked (exit 2 before anything is written)."""


class WriteError(Exception):
    """Writing to the results folder failed part-way (e.g. a full disk); resume can finish it."""


class SweepStore:
    """Reads and writes one sweep's results folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.failures = self.root / FAILURES

    # ------------------------------------------------------------------ state
    def exists(self) -> bool:
        return (self.root / MANIFEST).is_file()

    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
            raise StoreError(f"{path}: cannot read the manifest: {exc}") from None
        if not isinstance(data, dict):
            raise StoreError(
                f"{path}: expected a JSON object (the manifest hls-sim writes), found {type(data).__name__} "
                f"{json.dumps(data)[:40]}; the folder is damaged"
            )
        return data

    def check_new(self, what: str = "sweep") -> None:
        """Refuse a folder that is not empty (its lock file, which the caller holds, aside)."""
        if self.exists():
            raise StoreError(
                f"{self.root} already holds {article(str(self.manifest().get('kind', 'sweep')))}; add --resume to finish it, "
                "--overwrite to replace it, or choose another --out"
            )
        if self.root.exists() and (not self.root.is_dir() or any(p.name != LOCK for p in self.root.iterdir())):
            raise StoreError(f"{self.root} exists and is not empty; choose another --out (nothing was written)")

    # ------------------------------------------------------------------ lock
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer per folder; a lock left by a killed process on this host is taken over."""
        path = self.root / LOCK
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    held = json.loads(path.read_text())
                except (OSError, json.JSONDecodeError):
                    held = {}
                if held.get("host") == me["host"] and not _alive(int(held.get("pid", -1))):
                    with contextlib.suppress(OSError):
                        path.unlink()
                    continue
                raise StoreError(
                    f"{self.root} is being written by another sweep (pid {held.get('pid')} on {held.get('host')}); "
                    f"if that process is gone, remove {path}"
                ) from None
            with os.fdopen(fd, "w") as fh:
                json.dump(me, fh)
            break
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

    # ------------------------------------------------------------------ start
    def create(self, manifest: dict[str, Any], files: dict[str, str], points: pl.DataFrame) -> None:
        """Lay out the folder: parts/, failures/, the plan's own files (a sweep's experiment.toml),
        points.parquet, and the manifest last, so a folder with a manifest is a whole start."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.parts.mkdir(exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        for name, text in files.items():
            atomic_write_bytes(self.root / name, text.encode())
        atomic_write_parquet(self.root / POINTS, points)
        atomic_write_json(self.root / MANIFEST, manifest)

    def update_manifest(self, **changes: Any) -> None:
        m = self.manifest()
        m.update(changes)
        atomic_write_json(self.root / MANIFEST, m)

    # ------------------------------------------------------------------ runs
    def part_path(self, run_id: int) -> Path:
        return self.parts / f"run-{run_id:06d}.parquet"

    def failure_path(self, run_id: int) -> Path:
        return self.failures / f"run-{run_id:06d}.json"

    def write_part(self, run_id: int, rows: pl.DataFrame) -> None:
        try:
            atomic_write_parquet(self.part_path(run_id), rows)
        except OSError as exc:
            raise WriteError(f"could not write {self.part_path(run_id)}: {exc}") from exc
        with contextlib.suppress(FileNotFoundError):
            self.failure_path(run_id).unlink()

    def write_failure(self, run_id: int, record: dict[str, Any]) -> None:
        try:
            atomic_write_json(self.failure_path(run_id), record)
        except OSError as exc:
            raise WriteError(f"could not write {self.failure_path(run_id)}: {exc}") from exc

    def scan_done(self) -> tuple[set[int], set[int], int]:
        """(runs with a sound part or already in results, runs recorded as failed, parts removed)."""
        done: set[int] = set()
        removed = 0
        self.parts.mkdir(exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        for folder in (self.parts, self.failures, self.root):
            for tmp in folder.glob(".*.tmp"):  # a writer killed before its rename
                tmp.unlink(missing_ok=True)
                removed += folder == self.parts
        results = self.root / RESULTS
        if results.is_file():
            try:
                ids = pl.scan_parquet(results).select(pl.col("run_id").unique()).collect()["run_id"]
            except Exception as exc:  # polars raises several types for a damaged file
                raise StoreError(f"{results} cannot be read ({exc}); remove it and resume to rebuild it") from None
            done.update(int(i) for i in ids)
        for path in sorted(self.parts.iterdir()):
            m = _PART.match(path.name)
            if not m:
                continue
            run_id = int(m.group(1))
            if run_id in done:  # already consolidated: a crash between results and clean-up
                path.unlink()
                continue
            if _sound_part(path, run_id):
                done.add(run_id)
            else:
                path.unlink()
                removed += 1
        failed: set[int] = set()
        for path in self.failures.glob("run-*.json"):
            run_id = int(path.stem.split("-")[1])
            try:
                retry = bool(json.loads(path.read_text()).get("retry"))
            except (OSError, json.JSONDecodeError):
                retry = True
            if run_id in done or retry:  # executor failures (not the model's) are run again
                path.unlink()
            else:
                failed.add(run_id)
        return done, failed, removed

    def failure_records(self) -> dict[int, dict[str, Any]]:
        out = {}
        for path in sorted(self.failures.glob("run-*.json")):
            out[int(path.stem.split("-")[1])] = json.loads(path.read_text())
        return out

    # ------------------------------------------------------------------ end
    def consolidate(self) -> Path:
        """Merge parts (and any earlier results) into results.parquet in run order, streaming."""
        results = self.root / RESULTS
        parts = sorted(p for p in self.parts.glob("run-*.parquet"))
        if not parts:
            return results
        sources: list[Path] = ([results] if results.is_file() else []) + parts
        lf = pl.scan_parquet(sources)
        if results.is_file():  # retried runs land between runs already consolidated
            lf = lf.sort("run_id", maintain_order=True)
        fd, tmp = temp_beside(results)
        os.close(fd)
        try:
            lf.sink_parquet(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, results)
        except Exception as exc:  # OSError, or polars' own error for a failing disk
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise WriteError(f"could not write {results}: {exc}") from exc
        fsync_dir(self.root)
        for p in parts:
            p.unlink()
        return results


def _sound_part(path: Path, run_id: int) -> bool:
    try:
        got = (
            pl.scan_parquet(path)
            .select(pl.len(), pl.col("run_id").min().alias("lo"), pl.col("run_id").max().alias("hi"))
            .collect()
        )
    except Exception:
        return False
    n, lo, hi = got.row(0)
    return n > 0 and lo == run_id and hi == run_id


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
