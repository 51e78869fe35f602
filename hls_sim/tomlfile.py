"""Reading the TOML files users write (scenarios, experiments, validation patterns), one way.

Every such file is read here, with the same limits and the same error style, so a hostile or
mistaken file is refused quickly and clearly whichever command reads it:

- regular files only: a FIFO would hang, `/dev/zero` would read without end, a folder is a typo;
- at most `MAX_BYTES` (the largest shipped file is a few kilobytes);
- UTF-8 text (a byte-order mark is allowed);
- nested at most `MAX_DEPTH` deep (tomllib recurses, so a file nested thousands deep would end
  in a RecursionError rather than a message).

Problems are `InputError`s: `FILE: KEY: message`, the key empty when the file as a whole is wrong.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from hls_sim.errors import InputError

MAX_BYTES = 1 << 20
MAX_DEPTH = 32

# Strings and comments, whose brackets do not nest anything (multi-line forms first).
_NOT_STRUCTURE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*', re.S
)
_BRACKETS = re.compile(r"[\[\]{}]")


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text(path: Path, source: str | None = None) -> str:
    """The file's text, or an InputError saying why it cannot be read (never blocks, never reads without end)."""
    source = source or str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(source, "", f"is {_kind_of(st.st_mode)}; allowed is a regular TOML file")
    if st.st_size > MAX_BYTES:
        raise InputError(source, "", f"is {st.st_size:,} bytes; allowed is at most {MAX_BYTES:,} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the two looks
            raise InputError(source, "", "is not a regular file; allowed is a regular TOML file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise InputError(source, "", f"is larger than {MAX_BYTES:,} bytes; allowed is at most {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, "", f"not a text file: byte {raw[exc.start]:#04x} at offset {exc.start} is not UTF-8"
        ) from None


def nesting_depth(text: str) -> int:
    """How deep arrays and inline tables nest (strings and comments left out)."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(_NOT_STRUCTURE.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _dict_depth(data: Any) -> int:
    """Depth of the parsed document (dotted keys nest tables without any bracket), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


def parse(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text under the depth limit; every problem is an InputError naming `source`."""
    too_deep = f"nested more than {MAX_DEPTH} levels deep; allowed is at most {MAX_DEPTH} levels of tables and lists"
    if nesting_depth(text) > MAX_DEPTH:
        raise InputError(source, "", too_deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, "", f"not valid TOML: {exc}") from None
    except RecursionError:  # a nesting the scan above did not see
        raise InputError(source, "", too_deep) from None
    if _dict_depth(data) > MAX_DEPTH:
        raise InputError(source, "", too_deep)
    return data


def read_toml(path: Path, source: str | None = None) -> tuple[dict[str, Any], str]:
    """The parsed document and its text (kept so that a run can store the file as it was)."""
    source = source or str(path)
    text = read_text(path, source)
    return parse(text, source), text
