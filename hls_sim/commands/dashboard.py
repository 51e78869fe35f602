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


HOST_FORMS = "an address of this computer, e.g. 127.0.0.1 (this computer only) or 0.0.0.0 (every network)"


def check_listen(host: str, port: int) -> None:
    """Whether the server can listen on `host` and `port`, found out before it starts: bind a socket
    the way the server (uvicorn) will, and let it go. Raises UsageError saying why not."""
    import errno
    import socket

    from hls_sim.errors import UsageError

    if not host.strip():
        raise UsageError(f"--host is empty; allowed is {HOST_FORMS}")
    if host.startswith("["):
        raise UsageError(f"--host {host}: write an IPv6 address without brackets (e.g. ::1); allowed is {HOST_FORMS}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn decides
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except socket.gaierror:
        raise UsageError(f"--host {host}: no such address or name here; allowed is {HOST_FORMS}") from None
    except (OSError, OverflowError, UnicodeError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            raise UsageError(
                f"--port {port}: cannot listen on {host} port {port}: {reason}; choose another --port "
                "(0 picks a free one)"
            ) from None
        raise UsageError(f"--host {host}: cannot listen there: {reason}; allowed is {HOST_FORMS}") from None


def main(args: argparse.Namespace) -> int:
    from hls_sim.cli import UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: allowed is an integer from 0 to 65535")
    check_listen(args.host, args.port)
    missing = [m for m in ("solara", "solara_assets", "ipyvuetify", "matplotlib", "networkx") if find_spec(m) is None]
    if missing:
        raise UsageError(
            f"the dashboard needs the 'dashboard' extra ({', '.join(missing)} missing): pip install 'hls-sim[dashboard]'"
        )
    from hls_sim.dashboard.serve import is_local

    shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    shown = f"[{shown}]" if ":" in shown else shown  # an IPv6 address in a URL
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
