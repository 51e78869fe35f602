"""Printing for commands that go on working after their reader has gone.

`hls-sim compare ... | head` closes the pipe after ten lines, while the compare still has runs to
finish and files to write. Its printing goes through `say`, which on a closed pipe points the
rest of the output at the null device and lets the work finish, so the folder is complete and no
traceback appears. (Commands that only print, such as `params`, simply stop: `hls_sim.cli` ends
them quietly with the usual status for a closed pipe.)
"""

from __future__ import annotations

import os
import sys


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def say(*parts: object, sep: str = " ", end: str = "\n") -> None:
    """print(), except that a closed output pipe silences the rest of the output instead of raising."""
    try:
        print(*parts, sep=sep, end=end, flush=True)
    except BrokenPipeError:
        _silence_stdout()
