"""`hls-sim dashboard`: the live classroom dashboard (Mesa SolaraViz) on this machine only."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard",
        help="start the live dashboard (sliders, step/run/reset, live charts) on localhost",
        description="Serve the live dashboard on this computer; it needs no internet connection. Ctrl+C stops it.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.set_defaults(func=main)


def command(host: str, port: int) -> list[str]:
    """The solara command line; production mode so that no file watcher or auto-reload runs in class."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--theme-loader",
        "plain",
    ]


def environment() -> dict[str, str]:
    """No telemetry, no version check and assets served from the solara-assets package: a classroom
    may have no internet at all (turning the asset proxy off would point the page at a CDN)."""
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.setdefault("SOLARA_CHECK_HOOKS", "off")  # the hook-order warning is about Mesa's code, not ours
    env.setdefault("MPLBACKEND", "Agg")
    return env


def main(args: argparse.Namespace) -> int:
    from hls_sim.cli import UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: allowed is an integer from 0 to 65535")
    missing = [m for m in ("solara", "solara_assets", "ipyvuetify", "matplotlib", "networkx") if find_spec(m) is None]
    if missing:
        raise UsageError(
            f"the dashboard needs the 'dashboard' extra ({', '.join(missing)} missing): pip install 'hls-sim[dashboard]'"
        )
    shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    where = f"http://{shown}:{args.port}" if args.port else f"http://{shown}:<a free port, printed by solara below>"
    print(f"hls-sim dashboard: open {where} in a browser (Ctrl+C stops it)", flush=True)
    sys.stderr.flush()
    cmd = command(args.host, args.port)
    if os.name == "posix":
        # Become the server rather than wrap it: a signal that stops `hls-sim dashboard` then stops
        # the server too, instead of leaving it running without a parent.
        os.execve(cmd[0], cmd, environment())
    try:
        return subprocess.call(cmd, env=environment())
    except KeyboardInterrupt:
        return 0
