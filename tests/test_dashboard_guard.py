"""The dashboard server answers only to its own names: real HTTP requests and WebSocket upgrades
against a running `hls-sim dashboard`, with the Host and Origin a rebinding or cross-site page
would send."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec

import pytest

from hls_sim.dashboard.serve import host_names, is_local, name_allowed

needs_dashboard = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("solara", "websocket")), reason="needs the dashboard extra and websocket-client"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("guard") / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hls_sim", "dashboard", "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the dashboard did not start:\n" + log.read_text())
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _status(port: int, host: str | None) -> int:
    """Status of GET / sent with exactly this Host header (or none), over a raw socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = "GET / HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") + "Connection: close\r\n\r\n"
        s.sendall(head.encode())
        first = s.makefile("rb").readline().decode()
    return int(first.split()[1])


@needs_dashboard
def test_http_requests_must_name_the_dashboard(server):
    port = server
    assert _status(port, f"127.0.0.1:{port}") == 200
    assert _status(port, f"localhost:{port}") == 200
    assert _status(port, f"[::1]:{port}") == 200
    assert _status(port, f"attacker.example:{port}") == 403  # DNS rebinding: the page's own name
    assert _status(port, "attacker.example") == 403
    assert _status(port, "localhost.attacker.example") == 403
    assert _status(port, None) in (400, 403)  # no Host at all


@needs_dashboard
def test_websocket_upgrades_must_come_from_the_dashboards_own_pages(server):
    import websocket

    port = server
    url = f"ws://127.0.0.1:{port}/jupyter/api/kernels/guard-test/channels?session_id=guard-test"

    def upgrade(origin: str, host: str | None = None) -> int:
        headers = {"Host": host} if host else None
        try:
            ws = websocket.create_connection(url, origin=origin, timeout=10, header=headers)
        except websocket.WebSocketBadStatusException as exc:
            return exc.status_code
        ws.close()
        return 101

    assert upgrade(f"http://localhost:{port}") == 101
    assert upgrade(f"http://127.0.0.1:{port}") == 101
    assert upgrade("http://attacker.example") == 403  # cross-site WebSocket hijacking
    assert upgrade("https://evil.localhost.example:443") == 403
    assert upgrade(f"http://localhost:{port}", host=f"attacker.example:{port}") in (400, 403)  # refused


def test_names_allowed_for_each_kind_of_address():
    local = host_names("127.0.0.1")
    assert name_allowed("localhost", local) and name_allowed("127.0.0.1", local) and name_allowed("::1", local)
    assert not name_allowed("attacker.example", local) and not name_allowed(None, local)
    assert not name_allowed(socket.gethostname().lower() + ".attacker.example", local)
    everywhere = host_names("0.0.0.0", ["classroom.school.example"])
    assert name_allowed(socket.gethostname().lower(), everywhere)
    assert name_allowed("classroom.school.example", everywhere) and name_allowed("192.168.1.20", everywhere)
    assert not name_allowed("attacker.example", everywhere)
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert not is_local("0.0.0.0") and not is_local("192.168.1.20")


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("localhost", False), ("0.0.0.0", True)])
def test_binding_beyond_localhost_prints_a_warning(monkeypatch, capsys, host, warned):
    import os

    from hls_sim.cli import main

    started = {}

    def fake_exec(path, argv, env):
        started["argv"] = argv
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", fake_exec)
    with pytest.raises(SystemExit):
        main(["dashboard", "--host", host, "--port", "8765", "--allow-host", "room.example"])
    err = capsys.readouterr().err
    assert ("reachable from other computers" in err) is warned
    assert started["argv"][1:4] == ["-m", "hls_sim.dashboard.serve", started["argv"][3]]
    assert ["--host", host] == started["argv"][4:6] and "room.example" in started["argv"]
