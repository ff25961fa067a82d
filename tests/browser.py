"""Helpers for the browser tests: a local static server, Debian's chromium, and what a page did.

The book's promises (accessible, private, works offline, prints well) are about
what a browser does with the built site, so the tests drive a real one.  They
use Debian's chromium (``apt-get install chromium``), never a browser that
``playwright install`` would download: this project's machines reach package
registries only.
"""

from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium"
#: Headless, no sandbox (CI runs as root), and no traffic of the browser's own
#: (updates, field trials): any request that leaves the machine is the book's.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: WCAG 2.1 A and AA, plus axe's `region` (best practice: all content in
#: landmarks), which the theme used to fail on every page.
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"region": {"enabled": True}},
    "resultTypes": ["violations"],
}
#: Collects Content-Security-Policy violations, from before the page's first script.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""
#: Bytes the current page took over the wire (Resource Timing: headers and
#: bodies; 0 for what came from the cache), and how many requests.
PAGE_BYTES = """() => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return {transferred: entries.reduce((sum, e) => sum + e.transferSize, 0), requests: entries.length};
}"""


def require_chromium() -> str:
    """The chromium to launch; fails (not skips) the run with the command that installs it."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Debian's chromium is not installed ({CHROMIUM} is missing); the browser tests need it. "
            f"Install it with: {INSTALL_CHROMIUM}",
            pytrace=False,
        )
    return str(CHROMIUM)


def site_pages(html: Path) -> list[str]:
    """Every HTML page of a built site (handout print pages included), relative, sorted."""
    skip = {"_static", "_sources", "_downloads", "_images"}
    return sorted(
        path.relative_to(html).as_posix()
        for path in html.rglob("*.html")
        if not skip & set(path.relative_to(html).parts)
    )


def is_offsite(url: str, server: StaticServer | None = None) -> bool:
    """True for a request that would leave the machine (anything but the book and inline data)."""
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about", "chrome", "chrome-error"}:
        return False
    if server is not None and parts.scheme == "http" and parts.netloc == server.netloc:
        return False
    return True


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static file handler that does not log every request to the test output."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StaticServer:
    """``python -m http.server`` in a thread, on 127.0.0.1 and a free port: how a school would host the book."""

    root: Path

    def __enter__(self) -> StaticServer:
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(self.root))
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def netloc(self) -> str:
        """``127.0.0.1:<port>``."""
        return f"127.0.0.1:{self._server.server_port}"

    def url(self, page: str = "") -> str:
        """The address of ``page`` (relative to the site root) on this server."""
        return f"http://{self.netloc}/{page}"


def axe_failures(page_name: str, results: dict[str, Any]) -> list[str]:
    """One line per element that breaks a rule: page, rule, element, and what to fix."""
    lines = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(
                f"{page_name}: axe rule '{violation['id']}' ({violation['impact']}) at {target}: "
                f"{violation['help']}. {summary} ({violation['helpUrl']})"
            )
    return lines
