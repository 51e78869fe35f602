"""The `hls-sim` command. Subcommands live in `hls_sim/commands/`, one module each, and register
themselves through `register(subparsers)`; this file only discovers them and maps errors to exit
codes (2 for bad input, with nothing written)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from hls_sim.params import ParameterError
from hls_sim.version import __version__


class UsageError(Exception):
    """Bad input found before any work: printed without a traceback, exit status 2."""


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (ParameterError, UsageError) as exc:
        print(f"hls-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hls-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
