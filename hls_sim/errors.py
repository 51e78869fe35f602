"""The kinds of error the command line knows, and how their messages are made safe to print.

Bad input (exit status 2, nothing written) is a `ParameterError`: a bad parameter, an
`InputError` in a file (named by file and key path), or a `UsageError` on the command line
(including an output folder that cannot be used). A write that fails part-way (a full disk, a
folder removed under us) is a `OutputError` (exit status 1): the command removes what it had
half-written, so the message is one line and nothing is left in between.
"""

from __future__ import annotations

import re

from hls_sim.params import ParameterError


class UsageError(Exception):
    """Bad input found before any work: printed without a traceback, exit status 2."""


class InputError(ParameterError):
    """A problem in a file a user wrote, in one style for every kind of file: `FILE: KEY: message`."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.detail = message
        super().__init__(f"{key}: {message}" if key else message, source=source, key=key)


class OutputError(Exception):
    """Writing outputs failed (e.g. no space left); whatever was half-written has been removed."""


# C0 and C1 control characters (except newline and tab, which our own messages use) and the
# Unicode marks that reorder text on a terminal (bidirectional overrides and isolates).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control characters shown as escapes, so a file cannot drive the terminal."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )
