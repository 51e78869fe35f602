"""Serving the dashboard: solara's server behind a check of who is asking.

A server on localhost is still reachable from web pages the same browser opens. Two attacks use
that: DNS rebinding (a page at attacker.example makes its name resolve to 127.0.0.1, so the
browser sends requests to the dashboard with `Host: attacker.example`) and cross-site WebSocket
hijacking (a page anywhere opens a WebSocket to ws://127.0.0.1:PORT; browsers send its `Origin`
but do not block it). So every HTTP request must name, in `Host`, a name this server answers to,
and every WebSocket upgrade must come from a page of such a name (`Origin`). The names allowed
are IP literals (a rebinding needs a domain name), `localhost`, this machine's own names when it
listens beyond localhost, and any name given with `--allow-host`.

Run as `python -m hls_sim.dashboard.serve --host H --port P APP`; `hls-sim dashboard` does that.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_local(host: str) -> bool:
    """Whether listening on `host` keeps the server to this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_names(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Names (besides IP literals) that requests may carry in Host and Origin."""
    names = {"localhost", *(n.lower() for n in extra)}
    if not is_local(bind):
        if bind not in ("0.0.0.0", "::", ""):
            names.add(bind.lower())
        for name in (socket.gethostname(), socket.getfqdn()):
            if name:
                names.add(name.lower())
    return frozenset(names)


def _hostname(value: str) -> str | None:
    """The host part of a Host header value ('name', 'name:port', '[v6]:port'), lower case."""
    try:
        parts = urlsplit(f"//{value}")
        _ = parts.port  # raises for a malformed port
    except ValueError:
        return None
    return parts.hostname


def name_allowed(name: str | None, names: frozenset[str]) -> bool:
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name.rstrip(".") in names


class HostOriginGuard:
    """ASGI middleware: refuse requests whose Host, or WebSocket upgrades whose Origin, is not ours."""

    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            host_ok = name_allowed(_hostname(headers.get("host", "")), self.names)
            origin = headers.get("origin")
            origin_ok = origin is None or name_allowed(urlsplit(origin).hostname, self.names)
            if scope["type"] == "http" and not host_ok:
                await _refuse_http(send, "the Host header does not name this dashboard")
                return
            if scope["type"] == "websocket" and not (host_ok and origin_ok):
                await receive()  # the websocket.connect event
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


async def _refuse_http(send, reason: str) -> None:  # type: ignore[no-untyped-def]
    body = f"403 Forbidden: {reason}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def solara_args(app: str, host: str, port: int) -> list[str]:
    """The solara command line; production mode so that no file watcher or auto-reload runs in class."""
    return [
        "run",
        app,
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hls_sim.dashboard.serve")
    p.add_argument("app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--allow-host", action="append", default=[])
    args = p.parse_args(argv)
    port = args.port
    if port == 0:  # pick it here, so that the environment below names the real port
        with socket.socket() as s:
            s.bind((args.host if is_local(args.host) else "", 0))
            port = s.getsockname()[1]
    # solara reads these when its server module is first imported, which happens just below
    os.environ["SOLARA_APP"] = args.app
    os.environ["SERVER_NAME"] = args.host
    os.environ["SERVER_PORT"] = str(port)
    import solara.server.starlette as server

    server.app = HostOriginGuard(server.app, host_names(args.host, args.allow_host))  # uvicorn imports it by name
    from solara.__main__ import cli

    try:
        cli(solara_args(args.app, args.host, port), standalone_mode=False)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
