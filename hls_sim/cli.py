"""The `hls-sim` command. Subcommands live in `hls_sim/commands/`, one module each, and register
themselves through `register(subparsers)`; this file only discovers them and maps errors to exit
codes: 2 for bad input (nothing written), 1 for a write that failed (nothing half-written), 130
for Ctrl-C and 143 for SIGTERM (work in progress is recorded as interrupted), and a closed
output pipe (`hls-sim params | head`) ends quietly.

Command modules import the model (numba, scipy, Mesa) only inside the functions that run it, so
`hls-sim --version` and `hls-sim params` answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys

from hls_sim.errors import OutputError, UsageError, printable
from hls_sim.params import ParameterError
from hls_sim.version import __version__

__all__ = ["UsageError", "build_parser", "main"]

EXIT_SIGPIPE = 128 + 13
EXIT_SIGTERM = 128 + 15


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so that running work is stopped and recorded, not cut off."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hls-sim",
        description="Agent-based simulation of commissioning public services: NPM versus Human Learning Systems.",
    )
    parser.add_argument("--version", action="version", version=f"hls-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import hls_sim.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"hls_sim.commands.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def _error(message: str) -> None:
    print(f"hls-sim: error: {printable(message)}", file=sys.stderr)


def _quiet_stdout() -> None:
    """After a closed pipe, send what is left of stdout nowhere, so the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in == ["--version"]:  # the answer needs no parser and no subcommand module
        print(f"hls-sim {__version__}")
        return 0
    previous = None
    if argv is None:  # the console script, not a test calling main() in its own process
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        parser = build_parser()
        args = parser.parse_args(args_in)
        args.argv = list(args_in)  # as typed, e.g. to print the command that resumes this one
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except (ParameterError, UsageError) as exc:
        _error(str(exc))
        return 2
    except OutputError as exc:
        _error(str(exc))
        return 1
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_SIGPIPE
    except OSError as exc:  # a write that no command turned into OutputError: still one line, not a traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _error(f"{where}{exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        print("hls-sim: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("hls-sim: terminated", file=sys.stderr)
        return EXIT_SIGTERM
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
