"""Open the audit report in a real headless Chromium: it renders its sections with no console errors.

Drives Debian's /usr/bin/chromium over the DevTools protocol (websocket-client), so no browser is
downloaded. The screenshot is saved to test-artifacts/audit.png for a human to look at.
DuckDB file only: the report's HTML is the same on both backends (test_audit_report.py runs both).
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from netpet.analysis.outputs.audit_report import audit_report, write_audit
from tests.audit_fixtures import AS_OF, copy_registry, make_template, seed_cohort

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DevTools:
    """A minimal DevTools-protocol client for one page: send commands, collect console errors."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=20)
        self.next_id = 0
        self.errors: list[str] = []

    def send(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            self.collect(message)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def collect(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])

    def evaluate(self, expression: str) -> object:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def chromium(tmp_path):
    """A headless Chromium with a fresh profile and remote debugging on a free local port."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    port = free_port()
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--remote-debugging-port={port}",
            "--window-size=1280,1600",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
                    pages = [t for t in json.load(response) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("Chromium did not open its DevTools port within 30 s")
            time.sleep(0.2)
        client = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield client
        client.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def load(client: DevTools, url: str) -> None:
    """Navigate and wait until the document has loaded."""
    client.send("Page.navigate", url=url)
    deadline = time.monotonic() + 20
    while client.evaluate("document.readyState") != "complete":
        assert time.monotonic() < deadline, "page did not finish loading"
        time.sleep(0.1)


def test_report_renders_its_sections_in_chromium_without_console_errors(chromium, tmp_path):
    reg = copy_registry(make_template(tmp_path), tmp_path / "r.duckdb")
    seed_cohort(reg)
    report = audit_report(reg, as_of=AS_OF)
    reg.close()
    page = write_audit(report, tmp_path / "out")[0]

    for domain in ("Page", "Runtime", "Log"):
        chromium.send(f"{domain}.enable")
    load(chromium, page.as_uri())

    sections = chromium.evaluate("Array.from(document.querySelectorAll('main section')).map(s => s.id)")
    assert sections == ["checks", "figures", *[t.name for t in report.tables[1:]]]
    toc_links = chromium.evaluate("document.querySelectorAll('nav#toc a').length")
    assert toc_links == len(sections)
    rendered = chromium.evaluate(
        "Array.from(document.querySelectorAll('table.sortable'))"
        ".every(t => t.getBoundingClientRect().height > 0)"
    )
    assert rendered is True
    images = chromium.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert images == [True, True]

    # Sorting by the patients column keeps the Total row last and orders the sites numerically.
    chromium.evaluate("document.querySelector('#completeness_by_site th:nth-child(2)').click()")
    after = chromium.evaluate(
        "Array.from(document.querySelectorAll('#completeness_by_site tbody tr'))"
        ".map(r => r.cells[0].textContent)"
    )
    assert after[-1] == "Total"
    assert (
        chromium.evaluate(
            "document.querySelector('#completeness_by_site th:nth-child(2)').getAttribute('aria-sort')"
        )
        == "ascending"
    )

    shot = chromium.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "audit.png").write_bytes(base64.b64decode(shot["data"]))
    assert (ARTIFACTS / "audit.png").stat().st_size > 10_000
    assert chromium.errors == []
    # The listener is live: an error logged now is caught, so the empty list above means something.
    chromium.evaluate("console.error('probe')")
    assert chromium.errors == ["probe"]
