"""Students' privacy: the book loads nothing from any host but its own.

A page that pulls a script, stylesheet, font, image or frame from another host
tells that host who is reading about sextortion, from which school.  After
every HTML build the written pages are scanned, and an off-site resource is a
build warning (an error under ``-W``), naming the page and the address.  What
each page held is remembered with its size and time, so a rebuild scans only
the pages it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.etree
from sphinx.application import Sphinx
from sphinx.util import logging

from curriculum import printing

logger = logging.getLogger(__name__)

#: Tags whose address attributes make the browser fetch something on page load.
_FETCHING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
#: ``<link rel=...>`` values that fetch.
_FETCHING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "preload",
    "prefetch",
    "modulepreload",
    "manifest",
    "preconnect",
    "dns-prefetch",
    "apple-touch-icon",
}


def is_offsite(url: str) -> bool:
    """True for an absolute or protocol-relative address (any host that is not the book)."""
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


def offsite_resources(html: str) -> list[tuple[str, str]]:
    """Every ``(tag, address)`` in the page that would be fetched from another host.

    Parsed with lxml (libxml2's HTML parser, which knows comments and script
    text from tags): ten times faster than the standard library's parser, which
    took a second of every build to read the site's 190 pages.
    """
    # As bytes: lxml refuses a str that carries an encoding declaration.
    root = lxml.etree.HTML(html.encode("utf-8"), lxml.etree.HTMLParser(encoding="utf-8"))
    if root is None:  # nothing but space or comments
        return []
    found = []
    for element in root.iter(*_FETCHING, "link"):
        names: tuple[str, ...] = _FETCHING.get(element.tag, ())
        if element.tag == "link" and _FETCHING_RELS & set((element.get("rel") or "").lower().split()):
            names = ("href",)
        for name in names:
            for url in (element.get(name) or "").split(","):
                address = url.strip().split(" ")[0]
                if address and is_offsite(address):
                    found.append((element.tag, address))
    return found


def scan_site(outdir: Path, memory: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """Off-site resources of every HTML page under ``outdir``, by relative path.

    With ``memory`` (a JSON file), a page whose size and modification time are
    those of the last scan is not read again.
    """
    known = printing.read_state(memory) if memory else {}
    scanned, report = {}, {}
    for page in sorted(outdir.rglob("*.html")):
        name = str(page.relative_to(outdir))
        stat = page.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        if known.get(name, {}).get("stamp") == stamp:
            found = [(tag, address) for tag, address in known[name]["found"]]
        else:
            found = offsite_resources(page.read_text(encoding="utf-8", errors="replace"))
        scanned[name] = {"stamp": stamp, "found": found}
        if found:
            report[name] = found
    if memory:
        memory.parent.mkdir(parents=True, exist_ok=True)
        memory.write_text(json.dumps(scanned), encoding="utf-8")
    return report


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Fail the build (under -W) when any written page loads something off-site."""
    if exception is not None or app.builder.format != "html":
        return
    for page, found in scan_site(Path(app.outdir), Path(app.doctreedir) / "curriculum-privacy.json").items():
        for tag, address in found:
            logger.warning(
                "PRV001 %s loads <%s> from another host: %s (fix: vendor the file into the book "
                "or remove it; the book must make no third-party requests)",
                page,
                tag,
                address,
                type="curriculum",
                subtype="PRV001",
            )


def setup(app: Sphinx) -> None:
    """Scan the written site after every HTML build."""
    app.connect("build-finished", on_build_finished)
