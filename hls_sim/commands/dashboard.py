"""`hls-sim dashboard`: the live classroom dashboard (Mesa SolaraViz), on this machine by default.

The server runs behind `hls_sim.dashboard.serve`, which refuses requests whose Host header, and
WebSocket upgrades whose Origin, name something other than this dashboard (DNS rebinding and
cross-site WebSocket attacks from pages open in the same browser). `--host 0.0.0.0` lets students
on their own laptops reach it, with a warning: the dashboard has no password.
"""

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
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name browsers may use to reach the dashboard (e.g. the classroom machine's DNS name); repeatable",
    )
    p.set_defaults(func=main)


def command(host: str, port: int, allow: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The server's command line: solara behind the Host/Origin check of hls_sim.dashboard.serve."""
    extra = [w for name in allow for w in ("--allow-host", name)]
    return [sys.executable, "-m", "hls_sim.dashboard.serve", str(APP), "--host", host, "--port", str(port), *extra]


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
    from hls_sim.dashboard.serve import is_local

    shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    where = f"http://{shown}:{args.port}" if args.port else f"http://{shown}:<a free port, printed by solara below>"
    print(f"hls-sim dashboard: open {where} in a browser (Ctrl+C stops it)", flush=True)
    if not is_local(args.host):
        print(
            f"hls-sim dashboard: warning: listening on {args.host} makes the dashboard reachable from other "
            "computers on this network, with no password; use it only on a network you trust (a classroom)",
            file=sys.stderr,
        )
    sys.stderr.flush()
    cmd = command(args.host, args.port, args.allow_host)
    if os.name == "posix":
        # Become the server rather than wrap it: a signal that stops `hls-sim dashboard` then stops
        # the server too, instead of leaving it running without a parent.
        os.execve(cmd[0], cmd, environment())
    try:
        return subprocess.call(cmd, env=environment())
    except KeyboardInterrupt:
        return 0
