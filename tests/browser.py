"""A small headless-Chromium driver over the DevTools protocol, for tests that look at pages.

Why not Selenium or Playwright: both would add a driver binary or a browser download that CI
cannot fetch; Debian's chromium plus a websocket is all that is needed to load a page on
localhost, click, read the DOM and take screenshots. The browser is started with every
non-loopback host unresolvable and an unreachable proxy, so a page that needs the internet
shows it; every request it tries is recorded in `requests` so a test can name what leaked.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def chromium_path() -> str | None:
    env = os.environ.get("HLS_SIM_CHROMIUM")
    if env and Path(env).exists():
        return env
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), shutil.which("chromium"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f} s")


def is_local(url: str) -> bool:
    from urllib.parse import urlparse

    u = urlparse(url)
    if u.scheme in ("data", "blob", "about", "chrome", "devtools", "file", ""):
        return True
    return (u.hostname or "") in ("127.0.0.1", "localhost", "::1")


class Page:
    """One tab: send commands, wait for events, evaluate JavaScript, screenshot."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # websocket-client

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.console: list[str] = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Network.enable")

    def _record(self, msg: dict[str, Any]) -> None:
        method = msg.get("method", "")
        if method == "Network.requestWillBeSent":
            self.requests.append(msg["params"]["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            args = msg["params"].get("args", [])
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))
        elif method == "Runtime.exceptionThrown":
            self.console.append("exception: " + json.dumps(msg["params"].get("exceptionDetails", {}))[:500])
        self.events.append(msg)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        mid = next(self.ids)
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._record(msg)

    def pump(self, seconds: float) -> None:
        """Read events for a while (keeps request and console logs current)."""
        end = time.monotonic() + seconds
        self.ws.settimeout(0.2)
        try:
            while time.monotonic() < end:
                with contextlib.suppress(Exception):
                    msg = json.loads(self.ws.recv())
                    self._record(msg)
        finally:
            self.ws.settimeout(60)

    def goto(self, url: str, timeout: float = 60.0) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(e.get("method") == "Page.loadEventFired" for e in self.events):
                return
            self.pump(0.2)
        raise TimeoutError(f"{url} did not load in {timeout:.0f} s")

    def js(self, expression: str, await_promise: bool = False) -> Any:
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JavaScript failed: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 60.0, what: str = "") -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.js(expression)
            if value:
                return value
            self.pump(0.25)
        raise TimeoutError(f"waited {timeout:.0f} s for {what or expression}")

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def element_png(self, selector: str) -> bytes:
        """A screenshot of one element's box (scrolled into view)."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}; })()"
        )
        if not box or box["width"] < 1 or box["height"] < 1:
            raise AssertionError(f"no visible element {selector}")
        clip = {**box, "scale": 1}
        return base64.b64decode(
            self.send("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)["data"]
        )

    def click_at(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not is_local(u)]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """A headless Chromium that can reach only this machine's loopback addresses."""
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium not found (install Debian's chromium: see .ci/system-deps)")
    port = free_port()
    profile = tempfile.mkdtemp(prefix="hls-sim-chromium-")
    args = [
        exe,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--metrics-recording-only",
        f"--user-data-dir={profile}",
        f"--remote-debugging-port={port}",
        "--remote-allow-origins=*",
        f"--window-size={width},{height}",
        # Offline: only loopback resolves, and everything else goes to a proxy that is not there.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost",
        "about:blank",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = None
    try:
        wait_for_port(port, 30)
        target = None
        end = time.monotonic() + 30
        while target is None and time.monotonic() < end:
            with (
                contextlib.suppress(Exception),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r,
            ):
                target = next((t for t in json.load(r) if t.get("type") == "page"), None)
            if target is None:
                time.sleep(0.2)
        if target is None:
            raise TimeoutError("chromium started but showed no page target")
        page = Page(target["webSocketDebuggerUrl"])
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        yield page
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) and yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: Any, **k: Any) -> None:
            super().__init__(*a, directory=str(folder), **k)

        def log_message(self, *a: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
