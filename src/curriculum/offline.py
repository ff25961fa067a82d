"""One zip of the whole web book, for schools that teach without a network.

A classroom may have no internet, or a filter that blocks every page with
"sextortion" in it.  The built site works opened from disk, so after each
HTML build the whole of ``_build/html`` (pages, search, handout PDFs and Word
files) goes into one zip that a teacher downloads once and unpacks anywhere.

The zip is reproducible: entries sorted (the pages, then the PDFs and Word
files), fixed timestamps and permissions, so
two builds of the same site give the same bytes (and mirrors or checksums do
not churn).  Its comment holds a fingerprint of the contents, so a rebuild that
changed nothing does not write it again.

The same classrooms often share a slow connection, so pages also leave out
what the book never uses: the theme's Font Awesome script (1.5 MB, for custom
SVG icons; the theme's CSS already draws its icons with the icon font), the
search index and search code on every page but the search page (the search box
only sends the reader there), and the notebook and live-code assets of Jupyter
Book (the book has neither; the live-code settings also named a code-hosting
site in every page).  ``templates/layout.html`` applies the first two.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from curriculum import printing

logger = logging.getLogger(__name__)

#: Where the zip lands, relative to the HTML output folder (the home page links here).
ZIP_PATH = "downloads/online-safety-curriculum-site.zip"
#: Folder inside the zip, so unpacking makes one folder instead of spilling files.
ROOT_FOLDER = "online-safety-curriculum-site"
#: The earliest time a zip entry can carry: a fixed stamp, not the clock.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: Already compressed: stored as they are (deflating them again costs time and saves nothing).
STORED_SUFFIXES = {".pdf", ".docx", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".woff", ".woff2", ".gz"}
#: What the print stage makes, after the pages: zipped last.
PRINTABLE_SUFFIXES = (".pdf", ".docx")
#: Deflate level of the rest: level 1 zips the site in 0.2 s instead of 0.5 s (level 6), for a
#: zip 3 % bigger (21.1 MB against 20.5 MB), and the zip is made again on every build that changed a page.
DEFLATE_LEVEL = 1
#: Build bookkeeping that a reader never needs.
SKIPPED_NAMES = {".buildinfo"}
#: Changes whenever the zip's layout changes, so an old zip is never taken as current.
FORMAT = b"curriculum-offline-zip/2"

#: Stylesheets and scripts of features the book does not use (notebooks, live code).
UNUSED_ASSETS = ("mystnb.", "sphinx-thebe.")
#: Inline scripts of the same (they also name a CDN address the book never contacts).
UNUSED_INLINE = ("THEBE_JS_URL",)
#: The live-code settings sphinx-thebe writes into every page body.
UNUSED_RAW = ("text/x-thebe-config", "kernelName = ")
_FONTAWESOME_JS = re.compile(
    r"\s*<!-- So that users can add custom icons -->"
    r'\s*<script defer src="[^"]*/fontawesome\.js[^"]*"></script>'
)
_SEARCH_TOOLS = re.compile(
    r'\s*<script src="[^"]*\b(searchtools|language_data|searchindex)\.js[^"]*"></script>'
)


#: A file of the site: its name in the zip, and its path.
SiteFile = tuple[str, Path]


def site_files(outdir: Path) -> tuple[list[SiteFile], list[SiteFile]]:
    """The site's files, each sorted: its pages, then its printables (PDFs and Word files).

    Without the zip itself. The printables come last in the zip because the
    print stage makes them after the pages: the pages are zipped while it
    works (see :class:`SiteZip`).
    """
    pages: list[SiteFile] = []
    printables: list[SiteFile] = []
    skip = outdir / ZIP_PATH
    for path in sorted(outdir.rglob("*")):
        if not path.is_file() or path == skip or path.name in SKIPPED_NAMES or path.name.endswith(".tmp"):
            continue
        entry = (f"{ROOT_FOLDER}/{path.relative_to(outdir).as_posix()}", path)
        (printables if path.suffix.lower() in PRINTABLE_SUFFIXES else pages).append(entry)
    return pages, printables


def _digest(files: list[SiteFile]) -> bytes:
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest().encode()


def fingerprint(pages_digest: bytes, printables: list[SiteFile]) -> bytes:
    """A digest of every name and content, stored in the zip comment to notice "nothing changed".

    The pages and the printables have a digest each, so a build can tell
    before its print stage whether the pages changed.
    """
    return b" ".join((FORMAT, pages_digest, _digest(printables)))


def current_fingerprint(zip_path: Path) -> bytes | None:
    """The fingerprint of an existing zip, or None when there is none (or it is unreadable)."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return archive.comment
    except (OSError, zipfile.BadZipFile):
        return None


def _partial(zip_path: Path) -> Path:
    """Where a zip is written before it takes its place, so a reader never gets half a zip."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    return zip_path.with_name(zip_path.name + ".tmp")


def _add(archive: zipfile.ZipFile, files: list[SiteFile]) -> None:
    """Add files with fixed times and permissions, so the same site gives the same bytes."""
    for name, path in files:
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
        info.create_system = 3  # Unix, so the permissions below are read everywhere
        info.external_attr = 0o644 << 16
        stored = path.suffix.lower() in STORED_SUFFIXES
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        archive.writestr(info, path.read_bytes(), compresslevel=None if stored else DEFLATE_LEVEL)


def make_site_zip(outdir: Path) -> bool:
    """Zip the site in ``outdir`` unless the zip already holds exactly this site; True when written."""
    zip_path = outdir / ZIP_PATH
    pages, printables = site_files(outdir)
    comment = fingerprint(_digest(pages), printables)
    if current_fingerprint(zip_path) == comment:
        return False
    partial = _partial(zip_path)
    with zipfile.ZipFile(partial, "w") as archive:
        _add(archive, pages + printables)
        archive.comment = comment
    os.replace(partial, zip_path)
    return True


class SiteZip:
    """The site's zip, its pages zipped in a thread while the print stage makes the printables.

    Zipping the pages (compressing 800 files) is a quarter of a second; the
    build's main process only waits while the workers print and merge, so a
    rebuild after an edit gets the zip for nothing. Started only when the pages
    changed since the zip was made: a rebuild that changed nothing zips nothing.
    """

    def __init__(self, outdir: Path) -> None:
        self.outdir, self.zip_path = outdir, outdir / ZIP_PATH
        self.partial = _partial(self.zip_path)
        self.pages, _ = site_files(outdir)
        self.pages_digest = _digest(self.pages)
        self.archive: zipfile.ZipFile | None = None
        self.error: Exception | None = None
        self.thread: threading.Thread | None = None
        known = (current_fingerprint(self.zip_path) or b"").split(b" ")
        if known[:2] != [FORMAT, self.pages_digest]:
            self.archive = zipfile.ZipFile(self.partial, "w")
            # A daemon: a build stopped by an error in its print stage does not wait for it.
            self.thread = threading.Thread(target=self._zip_pages, daemon=True)
            self.thread.start()

    def _zip_pages(self) -> None:
        assert self.archive is not None
        try:
            _add(self.archive, self.pages)
        except Exception as error:  # a page deleted meanwhile: finish() zips the site again
            self.error = error

    def finish(self) -> bool:
        """Add the printables and put the zip in place, unless it holds this site already; True if written."""
        if self.thread is None or self.archive is None:
            return make_site_zip(self.outdir)
        self.thread.join()
        pages, printables = site_files(self.outdir)
        if self.error is not None or pages != self.pages:
            # A page came or went meanwhile: zip it all again (which reports an error that stays).
            self.archive.close()
            self.partial.unlink()
            return make_site_zip(self.outdir)
        with self.archive as archive:
            _add(archive, printables)
            # The pages as hashed before the print stage, which writes none (their names were checked).
            archive.comment = fingerprint(self.pages_digest, printables)
        os.replace(self.partial, self.zip_path)
        return True


def lighter_head(html: str, pagename: str) -> str:
    """The theme's head markup without the Font Awesome script, and without search code but for search."""
    html = _FONTAWESOME_JS.sub("", html)
    return html if pagename == "search" else _SEARCH_TOOLS.sub("", html)


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Leave out the assets of unused features, and give ``layout.html`` its trimming helper."""

    def used(asset: Any) -> bool:
        name = posixpath.basename(str(getattr(asset, "filename", "") or ""))  # "_static/x.css"
        body = str(getattr(asset, "attributes", {}).get("body", ""))
        return not name.startswith(UNUSED_ASSETS) and not any(marker in body for marker in UNUSED_INLINE)

    for key in ("css_files", "script_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if used(asset)]
    context["curriculum_lighter_head"] = lambda html: lighter_head(str(html), pagename)


def offline_zip_role(
    name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``{offline-zip}`Download the book```: a link to the zip, whose path only this module knows.

    The zip does not exist yet when pages are written (it is made last), so a
    Markdown link to it would be reported as broken.
    """
    label = text.strip() or "Download the whole book (zip)"
    return [nodes.reference(rawtext, label, refuri=ZIP_PATH, classes=["offline-zip"])], []


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Drop the unused live-code settings, and make each link to the zip relative to its page."""
    if app.builder.format != "html":
        return
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and any(marker in raw.astext() for marker in UNUSED_RAW):
            raw.parent.remove(raw)
    here = posixpath.dirname(app.builder.get_target_uri(docname)) or "."
    for ref in doctree.findall(nodes.reference):
        if "offline-zip" in ref.get("classes", []) and ref.get("refuri") == ZIP_PATH:
            ref["refuri"] = posixpath.relpath(ZIP_PATH, here)


def _zips_site(app: Sphinx, exception: Exception | None) -> bool:
    return exception is None and app.builder.name == "html" and not printing.web_only()


def on_build_finished_early(app: Sphinx, exception: Exception | None) -> None:
    """Start zipping the pages before the print stage (which makes the printables)."""
    if _zips_site(app, exception):
        app.curriculum_site_zip = SiteZip(Path(app.outdir))


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Finish the zip of the site (after the handout PDFs, which are part of it)."""
    zip_in_progress = getattr(app, "curriculum_site_zip", None)
    if not _zips_site(app, exception) or zip_in_progress is None:
        return
    started = time.perf_counter()
    written = zip_in_progress.finish()
    logger.info(
        "offline: %s %s in %.1f s",
        "wrote" if written else "unchanged:",
        ZIP_PATH,
        time.perf_counter() - started,
    )


def setup(app: Sphinx) -> None:
    """Add the link role, and zip the site at the very end of every HTML build."""
    app.add_role("offline-zip", offline_zip_role)
    # After sphinx-thebe (default priority) has added its settings to the doctree.
    app.connect("doctree-resolved", on_doctree_resolved, priority=900)
    app.connect("html-page-context", on_html_page_context)
    # The pages are zipped while the print stage (default priority) writes the PDFs and Word
    # files, which are added last of all build-finished handlers.
    app.connect("build-finished", on_build_finished_early, priority=400)
    app.connect("build-finished", on_build_finished, priority=900)
