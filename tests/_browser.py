"""A small headless-Chromium driver over the DevTools protocol, for the browser tests.

No driver from a package registry: Debian's ``chromium`` is started with
``--remote-debugging-port=0``, the port it picked is read from its stderr, and
the page is driven over one WebSocket (``websocket-client``).  Everything works
offline.  Where chromium or websocket-client is missing, `open_page` (and
`require_browser`, for fixtures that build a page first) skips the calling
test with a message saying what to install.

Tests run with ``--import-mode=importlib``, so the tests folder is not on
``sys.path``; import this module with::

    sys.path.insert(0, str(Path(__file__).parent))
    from _browser import open_page

and use it as::

    with open_page("report.html", width=1200, height=900) as page:
        n = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
        page.click(x, y)                   # a real mouse click, viewport coordinates
        assert not page.errors
        page.screenshot("shot.png", full_page=True)

From the shell: ``python tests/_browser.py PAGE.html SHOT.png [WIDTH [HEIGHT]]``.
"""

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

# REGFAST_CHROMIUM names another binary; otherwise the first of these on PATH.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def find_browser():
    """The path of a Chromium binary, or None."""
    if os.environ.get("REGFAST_CHROMIUM"):
        return shutil.which(os.environ["REGFAST_CHROMIUM"])
    return next(filter(None, map(shutil.which, BROWSER_NAMES)), None)


def require_browser():
    """The Chromium binary; skips the calling test when it or websocket-client is missing.

    Call it first in a fixture that builds the page, so that a skip costs nothing.
    """
    try:
        import websocket  # noqa: F401
    except ImportError:
        pytest.skip("browser test needs websocket-client (pip install websocket-client)")
    browser = find_browser()
    if browser is None:
        pytest.skip("browser test needs Chromium: apt-get install chromium "
                    "(or set REGFAST_CHROMIUM to a Chromium binary)")
    return browser


class BrowserError(RuntimeError):
    """A DevTools command failed or the page threw while evaluating."""


class Page:
    """One browser tab, driven over its DevTools WebSocket.

    Attributes
    ----------
    errors : list of str
        Console errors, error log entries and uncaught exceptions seen so far.
    """

    def __init__(self, ws, timeout):
        self._ws = ws
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._events = []
        self.errors = []

    def send(self, method, **params):
        """Send one DevTools command and return its result, recording events meanwhile."""
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            msg = json.loads(self._ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg["method"], msg.get("params", {}))
        raise BrowserError(f"{method}: no answer within {self._timeout} s")

    def _event(self, method, params):
        self._events.append(method)
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                        for a in params["args"]))

    def _wait_event(self, method):
        """Wait until `method` has been seen (events arrive while a command waits)."""
        deadline = time.monotonic() + self._timeout
        while method not in self._events:
            if time.monotonic() > deadline:
                raise BrowserError(f"no {method} within {self._timeout} s")
            self._next_event()

    def _next_event(self):
        msg = json.loads(self._ws.recv())
        if "method" in msg:
            self._event(msg["method"], msg.get("params", {}))

    def navigate(self, url):
        """Load `url` and wait for its load event."""
        self._events.clear()
        self.send("Page.navigate", url=url)
        self._wait_event("Page.loadEventFired")

    def evaluate(self, js):
        """The value of JavaScript expression `js` (promises are awaited; JSON values only)."""
        res = self.send("Runtime.evaluate", expression=js, returnByValue=True,
                        awaitPromise=True)
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            raise BrowserError(d.get("exception", {}).get("description") or d["text"])
        return res["result"].get("value")

    def wait_for(self, js, timeout=None):
        """Poll JavaScript expression `js` until it is truthy; return its value."""
        deadline = time.monotonic() + (timeout or self._timeout)
        while True:
            value = self.evaluate(js)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def click(self, x, y):
        """A real left click (press and release) at viewport coordinates (x, y)."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)

    def screenshot(self, path, full_page=False):
        """Write a PNG of the viewport (or of the whole page) to `path`."""
        params = {"format": "png"}
        if full_page:
            w, h = self.evaluate("[document.documentElement.scrollWidth,"
                                 " document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": w, "height": h, "scale": 1})
        data = self.send("Page.captureScreenshot", **params)["data"]
        Path(path).write_bytes(base64.b64decode(data))


def _read_endpoint(proc, timeout):
    """The browser's WebSocket URL from its stderr; stderr is drained afterwards."""
    found, lines = [], []

    def read():
        for line in proc.stderr:
            lines.append(line)
            m = LISTENING.search(line)
            if m and not found:
                found.append(m.group(1))
    # A thread keeps reading so that a chatty browser never blocks on a full pipe.
    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise BrowserError("chromium did not start:\n" + "".join(lines[-20:]))
        time.sleep(0.05)
    return found[0]


@contextlib.contextmanager
def open_page(target, width=1200, height=900, timeout=30):
    """Open a file path or URL in a fresh headless Chromium and yield its `Page`.

    Parameters
    ----------
    target : str or path-like
        A local file (opened as ``file://``) or a URL.
    width, height : int
        Viewport size in CSS pixels (device scale factor 1).
    timeout : float
        Seconds to wait for the browser, each command and the load event.
    """
    browser = require_browser()
    import websocket
    url = str(target)
    if not re.match(r"[a-z]+:", url):
        url = Path(target).resolve().as_uri()
    # Chromium's helper processes can still be writing to the profile when the
    # browser has exited: end the whole process group, and tolerate leftovers
    with tempfile.TemporaryDirectory(prefix="regfast-chromium-",
                                     ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             "--remote-allow-origins=*", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        try:
            endpoint = _read_endpoint(proc, timeout)
            browser_ws = websocket.create_connection(endpoint, timeout=timeout,
                                                     suppress_origin=True)
            try:
                target_id = Page(browser_ws, timeout).send(
                    "Target.createTarget", url="about:blank")["targetId"]
            finally:
                browser_ws.close()
            base = endpoint.split("/devtools/")[0]
            ws = websocket.create_connection(f"{base}/devtools/page/{target_id}",
                                             timeout=timeout, suppress_origin=True)
            try:
                page = Page(ws, timeout)
                page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                          deviceScaleFactor=1, mobile=False)
                for domain in ("Page", "Runtime", "Log"):
                    page.send(f"{domain}.enable")
                page.navigate(url)
                yield page
            finally:
                ws.close()
        finally:
            _end_group(proc)


def _end_group(proc):
    """SIGTERM to the browser's process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


if __name__ == "__main__":
    # python tests/_browser.py PAGE.html SHOT.png [WIDTH [HEIGHT]]: a full-page screenshot
    import sys
    with open_page(sys.argv[1], *map(int, sys.argv[3:5])) as page:
        time.sleep(1.0)                  # let the charts finish their first draw
        page.screenshot(sys.argv[2], full_page=True)
        print("\n".join(page.errors) or f"wrote {sys.argv[2]}")
