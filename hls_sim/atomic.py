"""Writing files whole or not at all, and JSON that any reader accepts.

Every file hls_sim writes goes through here: to a temporary name in the same folder, flushed to
disk, then renamed over the target, so a reader (or a resumed run) never sees half a file, and a
write that fails (a full disk) removes its temporary file and raises. JSON is strict: NaN and
infinities (an undefined ratio, such as cost per improvement when nothing improved) are written
as `null`, never as the `NaN`/`Infinity` that Python's json module emits by default and that
strict parsers (browsers, jq, R's jsonlite) reject.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # mkstemp makes 0600 files; results should read like any other file


def temp_beside(path: Path) -> tuple[int, str]:
    """An open temporary file in the target's folder (so the final rename stays on one file system)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, _FILE_MODE)
    return fd, tmp


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def strict(x: Any) -> Any:
    """`x` with every non-finite float as None and numpy scalars and tuples as plain JSON types."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): strict(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [strict(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str | bytes):
        return strict(x.item())
    return x


def dumps(obj: Any) -> str:
    """Strict JSON text (indented, with a final newline)."""
    return json.dumps(strict(obj), indent=2, allow_nan=False) + "\n"


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, dumps(obj).encode("utf-8"))


def atomic_write_parquet(path: Path, df: Any) -> None:
    """A polars DataFrame as parquet; polars' own errors on a failing disk are raised as OSError."""
    path = Path(path)
    fd, tmp = temp_beside(path)
    os.close(fd)
    try:
        try:
            df.write_parquet(tmp)
        except OSError:
            raise
        except Exception as exc:  # polars wraps I/O errors (e.g. ComputeError on a full disk)
            raise OSError(f"{type(exc).__name__}: {exc}") from exc
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
