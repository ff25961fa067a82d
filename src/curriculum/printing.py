"""The print stage: PDFs (US Letter, A4, large print) and editable .docx copies.

Runs at the end of every HTML build, so printables never drift from the web
book.  Each output is a *job* with a key: the hash of everything that decides
its bytes (page HTML, print CSS, variant, renderer version).  A job whose
output exists with the same key is skipped, so a rebuild after editing one
handout renders only that handout; outputs nobody asked for any more are
deleted.  The rest run on all cores, one small document per process
(WeasyPrint slows down badly on one huge document), and .docx copies in
batches, several per pandoc process (starting pandoc costs more than
converting a handout: see ``docx.lua``).  A handout printed on
both Letter and A4 is laid out once, on the area both papers hold, and
centred on each: layout is what costs, and it is the same layout.

Outputs are deterministic: PDF dates come from the lesson's ``last_reviewed``
(a ``dcterms.created`` meta in the page), and pandoc's from
``SOURCE_DATE_EPOCH`` set to that same date.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging as std_logging
import os
import posixpath
import re
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from . import RENDERERS, WEB_ONLY_ENV, has_font_subsetter, pdfmerge, typstpdf
from .files import write_if_changed

logger = logging.getLogger(__name__)

#: CSS ``size`` for each paper name used in output file names.
PAPERS = {"letter": "letter", "a4": "A4"}
#: Each paper in points, and the area both hold (A4's width, Letter's height): a
#: handout made on both papers is laid out once on that area and centred on each.
PAPER_POINTS = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
SHARED_SIZE = "210mm 11in"
MANIFEST = "curriculum-print.json"
#: Pages written since the print stage last finished: their print pages and printables may be
#: older than their web pages (a ``--web-only`` build, a build stopped or failed before printing).
PENDING = "curriculum-print-pending.json"
#: The pandoc script that makes the .docx copies (see ``_render_docx``).
DOCX_SCRIPT = Path(__file__).with_name("docx.lua")
#: The code that turns a print page into its files, as part of every job's key: a build
#: after an upgrade that changes what a PDF holds (not only how it looks) makes them again.
RENDER_CODE = hashlib.sha256(
    b"".join(
        Path(source).read_bytes() for source in (__file__, pdfmerge.__file__, typstpdf.__file__, DOCX_SCRIPT)
    )
).hexdigest()[:16]
#: .docx copies made by one pandoc process: enough that starting it costs little, few
#: enough that the last batches share out between the cores.
DOCX_BATCH = 10
#: Where the book's PDFs go in the site, and the start of their file names.
BOOK_OUTPUT_DIR = "pdf"
BOOK_SLUG = "online-safety-curriculum"


def lesson_pdf(docname: str) -> str:
    """Output path of a lesson plan PDF, relative to the HTML root."""
    return f"{BOOK_OUTPUT_DIR}/lessons/{docname.rsplit('/', 1)[-1]}.pdf"


def bundle_pdf(docname: str) -> str:
    """Output path of "everything for this lesson": the lesson plan followed by its handouts."""
    return lesson_pdf(docname).removesuffix(".pdf") + "-with-handouts.pdf"


def band_pdf(band: str) -> str:
    """Output path of a band's PDF (``all`` for the whole book), relative to the HTML root."""
    suffix = "" if band == "all" else f"-{band}"
    return f"{BOOK_OUTPUT_DIR}/{BOOK_SLUG}{suffix}.pdf"


@dataclass(frozen=True)
class Job:
    """One printable to make from one HTML page."""

    source: str  # HTML page, absolute path
    target: str  # output file, absolute path
    kind: str  # "pdf" (WeasyPrint), "typst" (a lesson plan) or "docx"
    paper: str = "letter"
    large: bool = False
    design: str = ""  # folder holding the print CSS (for the large-print sheet)
    date: str = "2026-01-01"  # creation date written into the file
    stylesheet: str = "print.css"  # the CSS file the page links, beside it
    links_from: str = ""  # site path that the page's relative links are relative to
    site_url: str = ""  # the published book (html_baseurl), where links to its pages lead
    site: str = ""  # the site's folder: Typst reads the page's images and its design under it
    also: tuple[tuple[str, str], ...] = ()  # (paper, target): the same layout on other papers

    def outputs(self) -> list[tuple[str, str]]:
        """Every (paper, file) the job makes."""
        return [(self.paper, self.target), *self.also]

    def key(self) -> str:
        """Hash of every input that decides the output's bytes, the code that makes it included."""
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode())
        digest.update(Path(self.source).read_bytes())
        for css in _stylesheets(self):
            digest.update(Path(css).read_bytes())
        digest.update(f"{renderer_version(self.kind)}\0{RENDER_CODE}".encode())
        return digest.hexdigest()


#: A relative link to another page of the book (not an anchor, not a scheme, not a file).
_PAGE_LINK = re.compile(r'href="(?P<url>(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)[^"#]*\.html)(?P<anchor>#[^"]*)?"')


def paper_links(html: str, links_from: str, site_url: str) -> str:
    """Links to other pages of the book, made right for a PDF.

    On paper a relative link means nothing, and WeasyPrint would turn it into
    a file path on the build machine. With the book's address configured the
    link leads to that page of the published book; without it the words stay
    and the link goes.
    """

    def fix(match: re.Match[str]) -> str:
        if not site_url:
            return ""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(links_from), match["url"]))
        return f'href="{site_url}/{target}{match["anchor"] or ""}"'

    return _PAGE_LINK.sub(fix, html)


def _stylesheets(job: Job) -> list[str]:
    """Print CSS files the job's output depends on, besides the page's own."""
    sheets = [str(Path(job.source).parent / job.stylesheet)]
    if job.large:
        sheets.append(str(Path(job.design) / "large-print.css"))
    return sheets


@cache
def renderer_version(kind: str) -> str:
    """The renderers of a kind of output (``RENDERERS``) and their versions: part of every cache key."""
    # From package metadata: importing the renderers costs half a second per build.
    versions = ", ".join(f"{package} {metadata.version(package)}" for package in RENDERERS[kind])
    if kind == "pdf":  # the subsetter decides the embedded fonts' bytes
        versions += f", subsetter {'harfbuzz' if has_font_subsetter() else 'fonttools'}"
    return versions


def render(unit: tuple[Job, ...]) -> list[tuple[str, float]]:
    """Make one PDF or a batch of .docx; return, per job, an error message ("" on success) and seconds.

    A batch's seconds are shared equally among its jobs. Runs in a worker
    process: it must not touch Sphinx.
    """
    started = time.perf_counter()
    try:
        for job in unit:
            for _, target in job.outputs():
                Path(target).parent.mkdir(parents=True, exist_ok=True)
        if unit[0].kind == "pdf":
            (job,) = unit
            _render_pdf(job)
            problems = {}
        elif unit[0].kind == "typst":
            (job,) = unit
            _render_typst(job)
            problems = {}
        else:
            problems = _render_docx(unit)
    except Exception as error:  # reported to the build, which fails under -W
        problems = {job.target: f"{type(error).__name__}: {error}" for job in unit}
    spent = (time.perf_counter() - started) / len(unit)
    return [
        (f"{Path(job.target).name}: {problems[job.target]}" if job.target in problems else "", spent)
        for job in unit
    ]


def job_kind(job: Job) -> str:
    """What a job makes, in the words of the benchmark: handout PDF, lesson PDF or .docx."""
    if job.kind == "docx":
        return "docx"
    return "lesson_pdf" if job.kind == "typst" else "handout_pdf"


@cache
def _resources() -> dict[str, Any]:
    """What WeasyPrint keeps between the pages a worker renders: fonts, counter styles, colour profiles.

    A new font configuration per page (WeasyPrint's default) loads the fonts
    and shapes the text afresh each time; sharing one made every page's PDF
    the same bytes in a fifth less time. The print CSS is parsed with them, so
    its ``@font-face`` and ``@counter-style`` rules hold on every page.
    """
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration

    # Let go of them before the interpreter takes WeasyPrint apart: the font configuration
    # then deletes the folder of a @font-face's font itself, instead of failing noisily.
    atexit.register(_resources.cache_clear)
    return {"font_config": FontConfiguration(), "counter_style": CounterStyle(), "color_profiles": {}}


def _stylesheet(path: Path) -> Any:
    """A print CSS file, parsed (WeasyPrint's ``CSS``), read again each time but parsed only once."""
    return _parsed_css(path.read_text(encoding="utf-8"), str(path))


@cache
def _parsed_css(text: str, base_url: str) -> Any:
    """Parsed CSS, kept for the worker's later pages: most jobs share a handful of sheets."""
    from weasyprint import CSS

    return CSS(string=text, base_url=base_url or None, **_resources())


def _render_pdf(job: Job) -> None:
    from weasyprint import HTML

    std_logging.getLogger("weasyprint").setLevel(std_logging.ERROR)
    std_logging.getLogger("fontTools").setLevel(std_logging.ERROR)
    size = SHARED_SIZE if job.also else PAPERS[job.paper]
    sheets = [_parsed_css(f"@page {{ size: {size}; }}", "")]
    if job.large:
        sheets.append(_stylesheet(Path(job.design) / "large-print.css"))
    page = paper_links(Path(job.source).read_text(encoding="utf-8"), job.links_from, job.site_url)
    # The page's own print CSS, parsed once per worker instead of once per page (a tenth of a
    # handout's time): given to WeasyPrint first, as a user sheet, in place of the page's link.
    # No page has other CSS, so the cascade is unchanged (the build's PDFs are the same bytes).
    page, linked = re.subn(rf'<link rel="stylesheet" href="{re.escape(job.stylesheet)}">', "", page, count=1)
    if linked:
        sheets.insert(0, _stylesheet(Path(job.source).parent / job.stylesheet))
    document = HTML(string=page, base_url=job.source)
    options = {"stylesheets": sheets, "pdf_variant": "pdf/ua-1", **_resources()}
    if not job.also and "<th" not in page:  # one paper, no table: WeasyPrint's file as it is
        document.write_pdf(job.target, **options)
        return
    rendered = document.write_pdf(**options)
    for paper, target in job.outputs():
        if job.also:
            pdfmerge.on_paper(rendered, PAPER_POINTS[paper], Path(target))
        else:  # a table: its header IDs need the index WeasyPrint leaves out
            pdfmerge.with_id_index(rendered, Path(target))


def _render_typst(job: Job) -> None:
    """A lesson plan's PDF: its print page written as Typst markup, laid out with the design beside it."""
    page = paper_links(Path(job.source).read_text(encoding="utf-8"), job.links_from, job.site_url)
    rendered = typstpdf.pdf(page, Path(job.source), Path(job.site), job.stylesheet, job.paper, job.date)
    write_if_changed(Path(job.target), rendered)


def _render_docx(jobs: tuple[Job, ...]) -> dict[str, str]:
    """Make the .docx of every job in one pandoc process; return the problem of each target that failed."""
    import pypandoc

    targets, pages = {}, []  # absolute paths: the script works in each page's folder
    for job in jobs:
        target = str(Path(job.target).resolve())
        targets[target] = job.target
        epoch = int(datetime.fromisoformat(job.date).replace(tzinfo=UTC).timestamp())
        pages.append(f"{Path(job.source).resolve()}\t{target}\t{epoch}\n")
    done = subprocess.run(
        [pypandoc.get_pandoc_path(), "lua", str(DOCX_SCRIPT)],
        input="".join(pages),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pandoc stopped: {done.stderr.strip()}")
    problems = {}
    for line in done.stdout.splitlines():
        target, _, problem = line.partition("\t")
        problems[targets.get(target, target)] = problem
    return problems


#: Worker processes started while Sphinx reads and writes, so they have WeasyPrint
#: imported (a second) by the time the print stage gives them work.
_pool: ProcessPoolExecutor | None = None


def _import_renderer() -> None:
    import weasyprint  # noqa: F401


def start_workers() -> None:
    """Start one worker process per core now; each imports WeasyPrint while the main process works."""
    global _pool
    count = os.cpu_count() or 1
    if _pool is None and count > 1:
        _pool = ProcessPoolExecutor(max_workers=count, initializer=_import_renderer)
        for _ in range(count):  # spawn them all now, not on first use
            _pool.submit(int)


def stop_workers() -> None:
    """End the worker processes (at the end of the build)."""
    global _pool
    if _pool is not None:
        _pool.shutdown()
        _pool = None


def has_workers() -> bool:
    """Whether worker processes are running: two or more (see :func:`start_workers`), or none."""
    return _pool is not None


def submit(function: Callable[[Any], Any], item: Any) -> Future[Any]:
    """Run ``function(item)`` on a started worker, next to the work already given to them."""
    assert _pool is not None
    return _pool.submit(function, item)


def parallel(function: Callable[[Any], Any], items: list[Any], workers: int | None = None) -> list[Any]:
    """``function`` over ``items`` on all cores, results in order.

    Uses the started workers when there are any (even for one item: they have
    the renderer imported); otherwise runs in this process when one core is
    enough, or starts a pool for the call.
    """
    if _pool is not None and workers is None:
        return list(_pool.map(function, items))
    count = min(len(items), workers or os.cpu_count() or 1)
    if count <= 1:
        return [function(item) for item in items]
    with ProcessPoolExecutor(max_workers=count) as pool:
        return list(pool.map(function, items))


def read_state(path: Path) -> dict[str, Any]:
    """A JSON file the build keeps between builds; empty when missing or damaged (all is made again)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _is_current(job: Job, key: str, manifest: dict[str, str]) -> bool:
    """Whether every output of the job exists and was made from the same inputs."""
    return all(manifest.get(path) == key and Path(path).exists() for _, path in job.outputs())


def _submit(unit: tuple[Job, ...]) -> list[Future[tuple[str, float]]]:
    """Give a unit of work to the workers; one future per job, done when the whole unit is."""
    assert _pool is not None
    unit_done = _pool.submit(render, unit)
    each: list[Future[tuple[str, float]]] = [Future() for _ in unit]

    def share(finished: Future[list[tuple[str, float]]]) -> None:
        try:
            results = finished.result()
        except BaseException as error:  # a worker died: every job of the unit failed with it
            for future in each:
                future.set_exception(error)
            return
        for future, result in zip(each, results, strict=True):
            future.set_result(result)

    unit_done.add_done_callback(share)
    return each


#: An image on a print page, and where it is (relative to the page).
_IMAGE = re.compile(r'<img\b[^>]*\bsrc="(?P<src>[^"]+)"')


def _images_in_site(page: Path) -> bool:
    """Whether every image a print page shows is already in the site."""
    return all((page.parent / found["src"]).is_file() for found in _IMAGE.finditer(page.read_text("utf-8")))


def start_early(app: Sphinx, jobs: Iterable[Job]) -> None:
    """Start making a page's printables now, on the workers, while Sphinx writes the other pages.

    Sphinx writes on one core; without this the other core would sit idle until
    the print stage. A .docx waits until there are enough for a batch (those
    left at the end are made in the print stage). A page whose images are not in
    the site yet waits for the print stage too: Sphinx copies them after writing
    every page, so a clean build has none (WeasyPrint printed the alt text in
    their place, and Typst stops).
    """
    if _pool is None:
        return
    waiting = app.curriculum_docx_waiting
    for job in jobs:
        key = job.key()
        if _is_current(job, key, app.curriculum_manifest) or not _images_in_site(Path(job.source)):
            continue
        if job.kind == "docx":
            waiting.append((job, key))
            if len(waiting) < DOCX_BATCH:
                continue
            batch, waiting[:] = list(waiting), []
        else:
            batch = [(job, key)]
        futures = _submit(tuple(job for job, _ in batch))
        app.curriculum_started.update(
            (job, (key, future)) for (job, key), future in zip(batch, futures, strict=True)
        )


def run_jobs(
    jobs: Iterable[Job],
    state_dir: Path,
    output_dirs: Iterable[Path],
    workers: int | None = None,
    seconds: dict[str, list[tuple[str, float]]] | None = None,
    started: dict[Job, tuple[str, Future[tuple[str, float]]]] | None = None,
    while_waiting: Callable[[dict[str, Future[tuple[str, float]]]], None] | None = None,
) -> list[str]:
    """Make what changed, delete PDFs and .docx in ``output_dirs`` nobody wants; return the names made.

    ``started`` holds jobs already given to the workers (see :func:`start_early`), with their keys;
    ``seconds`` receives, per kind of job, each output made and the seconds it took.
    When all that is left to make was started early, ``while_waiting`` is called with their
    targets and futures before they are waited for: an idle worker can start what follows them.
    """
    jobs = list(jobs)
    manifest = read_state(state_dir / MANIFEST)
    keys: dict[str, str] = {}
    for job in jobs:
        key = job.key()
        keys.update((target, key) for _, target in job.outputs())
    todo = [job for job in jobs if not _is_current(job, keys[job.target], manifest)]
    started = started or {}
    for job, (key, future) in started.items():
        if key != keys.get(job.target):
            future.result()  # its page changed since: let it finish before the job is made again
    if todo:
        ahead = {job: future for job, (key, future) in started.items() if key == keys.get(job.target)}
        rest = [job for job in todo if job not in ahead]
        if while_waiting is not None and not rest:
            while_waiting({job.target: future for job, future in ahead.items()})
        if rest and _pool is None:
            import weasyprint  # noqa: F401 (imported once here, so forked workers inherit it)
        # Biggest pages first, one job at a time: long lesson plans then fill in with small handouts,
        # instead of landing together on one worker while the other sits idle.
        # The .docx in batches, at the end: small work that evens out the cores' finishing times.
        rest.sort(key=lambda job: Path(job.source).stat().st_size, reverse=True)
        units = [(job,) for job in rest if job.kind != "docx"]  # a PDF each, from WeasyPrint or Typst
        words = [job for job in rest if job.kind == "docx"]
        units += [tuple(words[start : start + DOCX_BATCH]) for start in range(0, len(words), DOCX_BATCH)]
        done = [result for unit_results in parallel(render, units, workers) for result in unit_results]
        results = dict(zip([job for unit in units for job in unit], done, strict=True))
        for job in todo:
            error, spent = results[job] if job in results else ahead[job].result()
            if seconds is not None:
                seconds.setdefault(job_kind(job), []).append((job.target, spent))
            if error:
                logger.warning("PRN001 could not make %s", error, type="curriculum", subtype="PRN001")
                for _, target in job.outputs():
                    keys.pop(target)
    wanted = set(keys)
    for folder in output_dirs:
        for suffix in ("*.pdf", "*.docx"):
            for stale in folder.glob(suffix):
                if str(stale) not in wanted:
                    stale.unlink()
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / MANIFEST).write_text(json.dumps(keys, indent=1, sort_keys=True), encoding="utf-8")
    return sorted(Path(target).name for job in todo for _, target in job.outputs() if target in keys)


def web_only() -> bool:
    """Whether this build makes the web pages alone: no print pages, PDFs, .docx or zip."""
    return os.environ.get(WEB_ONLY_ENV) == "1"


def _start_for(app: Sphinx) -> None:
    if app.builder.format == "html" and not web_only():
        start_workers()


def on_env_before_read_docs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Note the pages to read as behind their printables; start the workers to import WeasyPrint meanwhile.

    They stay noted until a print stage has finished: a ``--web-only`` build,
    or one stopped while writing (Ctrl-C), has saved what it read, and the
    next one would otherwise find those pages up to date. (A page written
    without being read changed only its navigation, which its print pages do
    not hold.) Workers not at every build: each costs a core for a second,
    which a rebuild with nothing to do would spend for nothing.
    """
    if docnames and app.builder.format == "html":
        _note_pages_behind(app, docnames)
        _start_for(app)


def on_write_started(app: Sphinx, builder: Builder) -> None:
    """Start the workers (if reading did not) when Sphinx writes pages: their printables follow."""
    _start_for(app)


def on_builder_inited(app: Sphinx) -> None:
    """Start each build with no print jobs (pages add theirs while they are written)."""
    app.curriculum_print_jobs = []
    app.curriculum_print_dirs = set()
    app.curriculum_after_print = []
    app.curriculum_while_printing = []
    app.curriculum_manifest = read_state(Path(app.doctreedir) / MANIFEST)  # what the last build made
    app.curriculum_started = {}
    app.curriculum_docx_waiting = []  # .docx jobs held back by start_early until a batch is full


def add_page_maker(
    app: Sphinx,
    make: Callable[[Sphinx, str, nodes.document], None],
    pages: Callable[[Sphinx, str], list[Path]],
) -> None:
    """Have ``make(app, docname, doctree)`` write a page's print pages whenever Sphinx resolves it.

    For print pages cut from parts of a page (a handout). ``pages(app, docname)``
    names those print pages, so that a page whose print pages are missing is
    written again.
    """
    app.curriculum_page_makers.append(make)
    app.curriculum_print_pages.append(pages)


def add_body_page_maker(
    app: Sphinx,
    make: Callable[[Sphinx, str, str], None],
    pages: Callable[[Sphinx, str], list[Path]],
) -> None:
    """Have ``make(app, docname, body)`` write a page's print pages from its web page's HTML body.

    For print pages that hold a whole page (a lesson plan): Sphinx has just
    translated the doctree for the web page, and translating it again (on a
    deep copy, since translating moves and rewrites nodes) cost a second of
    every full build. ``pages`` is as for :func:`add_page_maker`.
    """
    app.curriculum_body_makers.append(make)
    app.curriculum_print_pages.append(pages)


def on_env_get_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to write again although unchanged: their print pages or printables are missing or behind.

    After a ``--web-only`` build (which wrote the pages it read, and only their
    web pages), a build stopped before its print stage, or when someone deleted
    a file in ``_build``, the next build makes them again, instead of Sphinx
    finding "no targets out of date" and stopping before the print stage.
    """
    if app.builder.format != "html" or web_only():
        return []
    behind = read_state(Path(app.doctreedir) / PENDING).get("pages", [])
    missing = {docname for docname in behind if docname in env.found_docs} | {
        docname
        for docname in env.found_docs
        for pages in app.curriculum_print_pages
        if not all(page.exists() for page in pages(app, docname))
    }
    if not missing and not all(Path(target).exists() for target in app.curriculum_manifest):
        missing.add(env.config.root_doc)  # writing any page runs the print stage, which makes them
    return sorted(missing)


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Make the print pages of a page from the doctree Sphinx has just resolved to write it.

    Runs after every other handler, so the print pages hold what the web page
    holds; resolving a doctree a second time for them would double the cost of
    writing the book.
    """
    if app.builder.format != "html" or web_only():
        return
    for make in app.curriculum_page_makers:
        make(app, docname, doctree)


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Make the print pages that hold a whole page from the body just written for its web page."""
    if doctree is None or "body" not in context or app.builder.format != "html" or web_only():
        return
    for make in app.curriculum_body_makers:
        make(app, pagename, context["body"])


def _note_pages_behind(app: Sphinx, docnames: Iterable[str]) -> None:
    """Add pages to those whose printables are not yet made from what they say now."""
    path = Path(app.doctreedir) / PENDING
    behind = set(read_state(path).get("pages", [])) | set(docnames)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pages": sorted(behind)}, indent=1), encoding="utf-8")


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Make every printable that changed on all cores, then run the steps that use them (merging)."""
    if exception is not None or app.builder.format != "html" or not app.curriculum_print_dirs:
        return
    started = time.perf_counter()
    app.curriculum_print_seconds = {}

    def while_waiting(rendering: dict[str, Future[tuple[str, float]]]) -> None:
        for step in app.curriculum_while_printing:
            step(app, rendering)

    made = run_jobs(
        app.curriculum_print_jobs,
        Path(app.doctreedir),
        app.curriculum_print_dirs,
        seconds=app.curriculum_print_seconds,
        started=app.curriculum_started,
        while_waiting=while_waiting,
    )
    rendered = time.perf_counter()
    for step in app.curriculum_after_print:
        made += step(app)
    app.curriculum_merge_seconds = time.perf_counter() - rendered
    (Path(app.doctreedir) / PENDING).unlink(missing_ok=True)
    logger.info(
        "print stage: made %d files (%d jobs) in %.1f s (rendering %.1f s, then merging %.1f s)",
        len(made),
        len(app.curriculum_print_jobs),
        time.perf_counter() - started,
        rendered - started,
        app.curriculum_merge_seconds,
    )


def setup(app: Sphinx) -> None:
    """Run the print stage at the end of every HTML build."""
    app.curriculum_page_makers = []
    app.curriculum_body_makers = []
    app.curriculum_print_pages = []
    app.connect("builder-inited", on_builder_inited)
    app.connect("env-before-read-docs", on_env_before_read_docs)
    app.connect("write-started", on_write_started)
    # After every handler that changes the doctree (offline's runs at 900).
    app.connect("doctree-resolved", on_doctree_resolved, priority=950)
    # Before the themes' handlers: the body as the HTML writer made it.
    app.connect("html-page-context", on_html_page_context, priority=100)
    app.connect("env-get-updated", on_env_get_updated)
    app.connect("build-finished", on_build_finished)
    app.connect("build-finished", lambda app, exception: stop_workers(), priority=990)
