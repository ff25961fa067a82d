"""The book as PDF: one lesson plan per lesson, one book per grade band, and the whole book.

Each lesson is rendered once (Typst, tagged PDF/UA, in parallel with the
handouts; see ``typstpdf``) from a print page holding the body of its web page, so tabs,
dropdowns and teacher notes print open and no site chrome is left.  Each
handout is rendered once too: in the plan it shows as its title and kind,
and its own PDF follows the plan (the teacher copy, with the answers, where
there is one), with its own footer, in the lesson's PDF and in the books.
Band books and the whole book are *merged* from those PDFs with a cover and
a contents page (Typst, ``handouts/book.typ``; every lesson's bookmarks and
links kept, see ``pdfmerge``), then numbered: a book costs a merge, not a
layout of hundreds of pages.
The whole book groups its lessons by grade band, in its contents and its
bookmarks, as the web book's parts do. After an edit to one lesson, the
whole book starts merging while that lesson renders (:func:`merge_early`).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import lxml.etree
import lxml.html
import pikepdf
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from curriculum import pdfmerge, printing, typstpdf
from curriculum.accessibility import csp_meta
from curriculum.catalog import toc_order
from curriculum.files import write_if_changed
from curriculum.handoutpages import (
    design_folder,
    design_template,
    printables,
    put_design_css,
)
from curriculum.handouts import handouts_of
from curriculum.lessonpage import BAND_LABELS, lesson_data
from curriculum.printing import BOOK_OUTPUT_DIR as OUTPUT_DIR
from curriculum.printing import band_pdf, bundle_pdf, lesson_pdf

logger = logging.getLogger(__name__)

#: The lesson plans' print design for Typst, in the design folder (``handouts/``).
DESIGN = "lesson.typ"
#: The cover and contents pages of the merged books (Typst), in the design folder.
BOOK_DESIGN = "book.typ"
#: The author in every book PDF's metadata.
AUTHOR = "Online Safety Curriculum contributors"

#: The code (and pikepdf) that makes the merged PDFs, as part of their cache keys: a build
#: after an upgrade that changes how books are merged merges them again.
MERGE_CODE = hashlib.sha256(
    b"".join(Path(source).read_bytes() for source in (pdfmerge.__file__, typstpdf.__file__, __file__))
    + printing.renderer_version("pdf").encode()
    + printing.renderer_version("typst").encode()
).hexdigest()[:16]


class BookPdfDirective(SphinxDirective):
    """``:::{book-pdf}`` with ``:band: 6-8`` (or ``all``): a download link to that PDF."""

    option_spec = {"band": lambda value: directives.choice(value, (*BAND_LABELS, "all"))}

    def run(self) -> list[nodes.Node]:
        band = self.options.get("band", "all")
        here = posixpath.dirname(self.env.docname)
        label = "the whole book" if band == "all" else f"all {BAND_LABELS[band]} lessons"
        para = nodes.paragraph(classes=["book-pdf-link"])
        para += nodes.Text("Download ")
        uri = posixpath.relpath(band_pdf(band), here or ".")
        para += nodes.reference("", f"{label} as one PDF", refuri=uri)
        para += nodes.Text(" (for printing or reading offline).")
        return [para]


def _page_name(docname: str) -> str:
    """A lesson's print page, relative to the HTML root."""
    return f"{OUTPUT_DIR}/pages/{docname.rsplit('/', 1)[-1]}.html"


def lesson_print_page(app: Sphinx, docname: str) -> list[Path]:
    """A lesson's print page (none for other pages)."""
    return [Path(app.outdir) / _page_name(docname)] if docname in lesson_data(app.env) else []


def make_lesson_page(app: Sphinx, docname: str, body: str) -> None:
    """Write a lesson's print page (its whole body, the source of its PDF) from its web page's body.

    The print page sits as deep in the site as the lesson pages, so the
    body's relative links to images and files hold; links to other pages are
    made right for paper when the PDF is rendered (:func:`printing.paper_links`).
    """
    data = lesson_data(app.env).get(docname)
    if data is None:
        return
    body = handouts_in_brief(body)
    base_url = (app.config.html_baseurl or "").rstrip("/")
    page = app.builder.get_target_uri(docname)
    html = design_template(app, "lesson.html").render(
        csp=jinja2.utils.markupsafe.Markup(csp_meta()),
        language=app.config.language or "en",
        title=data["title"],
        band=BAND_LABELS[data["band"]],
        date=data["last_reviewed"],
        book_title=app.config.html_title or app.config.project,
        license=app.config.curriculum_license,
        url=f"{base_url}/{page}" if base_url else page,
        body=jinja2.utils.markupsafe.Markup(body),
    )
    write_if_changed(Path(app.outdir) / _page_name(docname), html)
    printing.start_early(app, [lesson_job(app, docname)])


#: What a lesson plan's PDF says in place of a handout's text, under its title and kind.
HANDOUT_FOLLOWS = "The whole handout is printed after the lesson plan."


def handouts_in_brief(body: str) -> str:
    """A lesson's body with each handout cut to its title and kind, and where to find it.

    Every PDF that holds the plan follows it with the handouts' own PDFs (the
    teacher copy where there is one), so printing the text inside the plan as
    well would give the teacher each handout twice, and cost a third of the
    plan's rendering time.
    """
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for handout in root.find_class("handout"):
        for child in list(handout):
            if not {"admonition-title", "handout-meta"} & set(child.classes):
                handout.remove(child)
        note = lxml.etree.SubElement(handout, "p", {"class": "handout-follows"})
        note.text = HANDOUT_FOLLOWS
    return (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def lesson_job(app: Sphinx, docname: str) -> printing.Job:
    """The job that turns a lesson's print page into its (unnumbered) PDF."""
    return printing.Job(
        source=str(Path(app.outdir) / _page_name(docname)),
        target=str(raw_dir(app) / Path(lesson_pdf(docname)).name),
        kind="typst",
        paper=app.config.curriculum_paper,
        design=str(design_folder(app)),
        date=lesson_data(app.env)[docname]["last_reviewed"],
        stylesheet=DESIGN,
        links_from=app.builder.get_target_uri(docname),
        site_url=(app.config.html_baseurl or "").rstrip("/"),
        site=str(app.outdir),
    )


def plan_lesson_jobs(app: Sphinx) -> list[printing.Job]:
    """Every lesson's PDF job (its print page was written with the lesson); delete removed pages."""
    lessons = lesson_data(app.env)
    outdir = Path(app.outdir)
    jobs = []
    wanted = set()
    for docname in toc_order(app.env):
        if docname not in lessons:
            continue
        wanted.add(outdir / _page_name(docname))
        jobs.append(lesson_job(app, docname))
    for stale in (outdir / OUTPUT_DIR / "pages").glob("*.html"):
        if stale not in wanted:
            stale.unlink()
    return jobs


def write_css(app: Sphinx) -> None:
    """Put the book's print design beside the lesson print pages before any is written (and rendered).

    ``book.css`` styles the print pages in the browser; the Typst design lays out their PDFs.
    """
    put_design_css(app, "book.css", f"{OUTPUT_DIR}/pages")
    put_design_css(app, DESIGN, f"{OUTPUT_DIR}/pages")


class _Extras:
    """Cover and contents pages of one book, laid out once and kept while their Typst source stays the same.

    An edit to a lesson's text changes neither its book's cover nor (unless a
    page count moves) its contents, so a rebuild reuses both.
    """

    def __init__(self, folder: Path, date: str) -> None:
        self.folder, self.date, self.used = folder, date, set()

    def render(self, source: str, pages: int | None = None) -> tuple[bytes | None, int]:
        """The PDF of some extra pages and its page count, from the cache when the same source was laid out.

        With ``pages``, a layout of another length is counted but not kept (None): the
        contents list page numbers that shift with their own length.
        """
        key = f"{printing.renderer_version('typst')}\0{MERGE_CODE}\0{self.date}\0{source}"
        path = self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.pdf"
        if path.exists():
            self.used.add(path)
            pdf = path.read_bytes()
            return pdf, pdfmerge.page_count(pdf)
        self.folder.mkdir(parents=True, exist_ok=True)  # Typst's root: the pages read no file
        pdf = typstpdf.compile_pdf(source, self.folder, self.date)
        count = pdfmerge.page_count(pdf)
        if pages is not None and count != pages:
            return None, count
        path.write_bytes(pdf)
        self.used.add(path)
        return pdf, count

    def forget_unused(self) -> None:
        """Delete the renders this book no longer uses."""
        for path in self.folder.glob("*.pdf"):
            if path not in self.used:
                path.unlink()


class BookMerge(NamedTuple):
    """One book to merge (see :func:`merge_book`): plain data, so that books merge in worker processes.

    ``parts`` are the lesson PDFs, each with its handouts' PDFs (see
    :func:`lesson_handouts`), which keep their own footers (the book's page
    number goes at their top) and come under the lesson in the contents and
    the bookmarks. ``design`` is the Typst of the cover and contents pages
    (``handouts/book.typ``), ``facts`` what the cover says (book_title,
    label, license; its date is ``date``) and the language, and ``entries`` one per part
    (title, meta: its band and minutes, group: the whole book's grade band,
    None in a band book). ``cache`` is this book's own folder for its cover
    and contents renders, and for the length of each PDF merged last time.
    """

    parts: list[tuple[Path, list[tuple[str, Path]]]]
    design: str
    facts: dict[str, str]
    entries: list[dict[str, Any]]
    target: Path
    title: str
    paper: str
    date: str
    cache: Path


def _book_page(book: BookMerge, call: str) -> str:
    """Typst source of a cover or contents page of ``book``: the design, then ``call`` on the book's paper."""
    return (
        f"{book.design}\n"
        f"{typstpdf.settings(book.title, AUTHOR, book.facts['language'])}"
        f"#show: book-page.with(paper: {typstpdf.string(typstpdf.PAPERS[book.paper])})\n"
        f"#{call}\n"
    )


def merge_book(book: BookMerge, rendering: tuple[Path, Path, int] | None = None) -> None:
    """Cover, contents (with page numbers), then each lesson PDF with its own bookmarks, then its handouts.

    ``rendering`` is a lesson PDF still being rendered, as (its file, the
    file that says it is ready, the pages it had last time): the merge goes
    as far as that lesson meanwhile, then waits (see :func:`merge_early`).
    """
    parts, _, facts, entries, target, title, _, date, cache = book
    extras = _Extras(cache, date)

    def contents_for(starts: list[list[int]]) -> str:
        groups: list[dict[str, Any]] = []
        for entry, (_, handouts), (start, *handout_starts) in zip(entries, parts, starts, strict=True):
            if not groups or groups[-1]["title"] != entry["group"]:
                groups.append({"title": entry["group"], "entries": []})
            groups[-1]["entries"].append(
                {
                    "title": entry["title"],
                    "meta": entry["meta"],
                    "page": start,
                    "link": pdfmerge.page_link(start),
                    "handouts": [
                        {"title": name, "page": page, "link": pdfmerge.page_link(page)}
                        for (name, _), page in zip(handouts, handout_starts, strict=True)
                    ],
                }
            )
        data = typstpdf.string(json.dumps(groups, ensure_ascii=False))
        return _book_page(book, f"contents(json(bytes({data})))")

    opened: list[pikepdf.Pdf] = []  # each PDF opened once: to count its pages, then to merge it

    def open_pdf(path: Path) -> pikepdf.Pdf:
        opened.append(pikepdf.open(path))
        return opened[-1]

    awaited, ready, pages = rendering or (None, None, 0)
    try:
        lessons = [
            (None if plan == awaited else open_pdf(plan), [(name, open_pdf(path)) for name, path in handouts])
            for plan, handouts in parts
        ]
        counts = [  # per lesson: its plan's pages, then each handout's
            [pages if plan is None else len(plan.pages), *(len(handout.pages) for _, handout in handouts)]
            for plan, handouts in lessons
        ]

        def starts_after(toc_pages: int) -> list[list[int]]:
            """Per lesson, the first page of its plan and of each handout, after cover and contents."""
            starts, page = [], cover_pages + toc_pages + 1
            for lesson_counts in counts:
                starts.append([])
                for count in lesson_counts:
                    starts[-1].append(page)
                    page += count
            return starts

        said = {**facts, "date": date}
        cover_facts = ", ".join(
            f"{name.replace('_', '-')}: {typstpdf.string(said[name])}"
            for name in ("book_title", "label", "date", "license")
        )
        cover, cover_pages = extras.render(_book_page(book, f"cover({cover_facts})"))
        # The contents' own length shifts the page numbers they list: start from their length
        # last time (a rebuild lays out nothing), else one page.
        known = cache / CONTENTS_PAGES
        toc_pages = int(known.read_text(encoding="ascii")) if known.exists() else 1
        for attempt in range(3):  # a length that moves the numbers onto another page may need another try
            expected = toc_pages if attempt < 2 else None
            toc, toc_pages = extras.render(contents_for(starts_after(toc_pages)), expected)
            if toc is not None:
                break
        stamp = f"D:{date.replace('-', '')}"
        pdfmerge.merge(
            [
                pdfmerge.Part(cover, keep_bookmarks=False),
                pdfmerge.Part(toc, bookmark="Contents", keep_bookmarks=False),
                *(  # each lesson's own bookmarks, its title first, then its handouts
                    part
                    for entry, (plan, handouts) in zip(entries, lessons, strict=True)
                    for part in (
                        pdfmerge.Part(
                            plan if plan is not None else lambda: _rendered(awaited, ready, pages),
                            group=entry["group"],
                        ),
                        *(_handout_part(name, handout, entry["group"]) for name, handout in handouts),
                    )
                ),
            ],
            target,
            {
                "/Title": title,
                "/Author": AUTHOR,
                "/CreationDate": stamp,
                "/ModDate": stamp,
            },
            number_from=cover_pages,
        )
    finally:
        pdfmerge.close_later(opened)
    extras.forget_unused()
    cache.mkdir(parents=True, exist_ok=True)
    lengths = {str(plan): lesson_counts[0] for (plan, _), lesson_counts in zip(parts, counts, strict=True)}
    (cache / LENGTHS).write_text(json.dumps(lengths, indent=1, sort_keys=True), encoding="utf-8")
    (cache / CONTENTS_PAGES).write_text(str(toc_pages), encoding="ascii")


#: Beside a book's cover and contents renders: how many pages its contents took last time.
CONTENTS_PAGES = "contents-pages.txt"
#: Beside a book's cover and contents renders: how many pages each lesson PDF had when last merged.
LENGTHS = "lengths.json"
#: How long a merge waits for a lesson PDF still being rendered before it gives up (a safety
#: net: the build marks the lesson as soon as its render ends, well or not).
WAIT_SECONDS = 600
#: How the worker's answer begins when a merge started early stopped (see :func:`merge_early`).
STOPPED = "stopped early"
#: The marker beside a lesson PDF that says its render has ended (empty) or failed.
READY_SUFFIX = ".rendered"


class _OutdatedError(Exception):
    """A book merged while a lesson rendered cannot be finished: the lesson's length changed, or it failed."""


def _rendered(path: Path, ready: Path, pages: int) -> pikepdf.Pdf:
    """The lesson PDF a merge waited for, once the build has marked it ready (see :func:`merge_early`)."""
    waited = time.monotonic()
    while not ready.exists():
        if time.monotonic() - waited > WAIT_SECONDS:
            raise _OutdatedError(f"{path.name} was not rendered in {WAIT_SECONDS} s")
        time.sleep(0.002)
    if ready.read_text(encoding="utf-8"):
        raise _OutdatedError(f"{path.name} could not be rendered")
    pdf = pikepdf.open(path)
    if len(pdf.pages) != pages:
        pdf.close()
        raise _OutdatedError(
            f"{path.name} is now {len(pdf.pages)} pages long, not {pages}: the contents moved"
        )
    return pdf


def _handout_part(name: str, source: Path | pikepdf.Pdf, group: str | None = None) -> pdfmerge.Part:
    """A handout's PDF after its lesson plan: its own footer and numbers, a bookmark under the lesson's."""
    return pdfmerge.Part(
        source, bookmark=f"Handout: {name}", keep_bookmarks=False, group=group, own_footer=True, nested=True
    )


def _merge_task(arguments: tuple[BookMerge, tuple[Path, Path, int] | None]) -> str:
    """Worker side of :func:`merge_book`: the error message, or "" when the book was written."""
    try:
        merge_book(*arguments)
    except _OutdatedError as stopped:  # merged again, with the rest
        return f"{STOPPED}: {stopped}"
    except Exception as error:  # reported to the build, which fails under -W
        return f"{type(error).__name__}: {error}"
    return ""


def _books(app: Sphinx) -> list[tuple[str, list[Path], BookMerge]]:
    """Every book with lessons, as (band, the PDFs merged into it, how to merge it).

    The whole book comes first, because it takes as long as all the bands
    together. A band without lessons has its book deleted.
    """
    env = app.env
    lessons = lesson_data(env)
    outdir = Path(app.outdir)
    design = (design_folder(app) / BOOK_DESIGN).read_text(encoding="utf-8")
    ordered = [name for name in toc_order(env) if name in lessons]
    book_title = app.config.html_title or app.config.project
    groups = {"all": ordered}
    groups.update({band: [name for name in ordered if lessons[name]["band"] == band] for band in BAND_LABELS})
    books = []
    for band, names in groups.items():
        target = outdir / band_pdf(band)
        if not names:
            target.unlink(missing_ok=True)
            continue
        label = "All grades" if band == "all" else BAND_LABELS[band]
        parts, seen = [], set()
        for name in names:  # a handout that lessons share (a help card) only after the first of them
            handouts = [(title, teachers) for title, _, teachers in lesson_handouts(app, name)]
            first_here = [(title, path) for title, path in handouts if path not in seen]
            parts.append((raw_dir(app) / Path(lesson_pdf(name)).name, first_here))
            seen.update(path for _, path in handouts)
        date = max(lessons[name]["last_reviewed"] for name in names)
        facts = {
            "book_title": book_title,
            "label": label,
            "license": app.config.curriculum_license,
            "language": app.config.language or "en",
        }
        entries = [
            {
                "title": lessons[name]["title"],
                "meta": (
                    f"{lessons[name]['duration_minutes']} min"
                    if band == "all"
                    else f"{BAND_LABELS[lessons[name]['band']]} · {lessons[name]['duration_minutes']} min"
                ),
                "group": BAND_LABELS[lessons[name]["band"]] if band == "all" else None,
            }
            for name in names
        ]
        arguments = BookMerge(
            parts,
            design,
            facts,
            entries,
            target,
            f"{book_title}: {label}",
            app.config.curriculum_paper,
            date,
            Path(app.doctreedir) / "curriculum-book-pages" / band,
        )
        files = [path for plan, handouts in parts for path in (plan, *(path for _, path in handouts))]
        books.append((band, files, arguments))
    return books


def plan_books(app: Sphinx, manifest: dict[str, str]) -> list[tuple[str, str, BookMerge]]:
    """The books to merge again, as (band, key, how to merge it), whole book first.

    A book is merged again only when a lesson PDF in it (or its look) changed.
    """
    tasks = []
    for band, files, arguments in _books(app):
        if not all(path.exists() for path in files):
            continue
        digest = hashlib.sha256(
            json.dumps([MERGE_CODE, arguments._replace(cache=None)], default=str).encode()
        )
        for path in files:
            digest.update(path.read_bytes())
        key = digest.hexdigest()
        if manifest.get(band) == key and arguments.target.exists():
            continue
        tasks.append((band, key, arguments))
    return tasks


class _Early(NamedTuple):
    """A book being merged while its lesson renders: what was asked, and what to check at the end."""

    arguments: BookMerge
    merging: Future[str]
    ready: Path  # the marker the worker waits for
    lesson: Path
    pages: int  # the lesson's length the contents were made for
    rendered: Future[tuple[str, float]]


def merge_early(app: Sphinx, rendering: dict[str, Future[tuple[str, float]]]) -> None:
    """While the one lesson PDF left to make renders, start merging the whole book on another worker.

    After an edit to one lesson, the whole book is the longest step left,
    and it need not wait for the lesson to start: it opens the other PDFs
    and merges those before the lesson meanwhile, with the contents as they
    were, then takes the lesson when the build marks it rendered. If the
    lesson's length changed, the contents did too: that merge stops and the
    book is merged again with the rest, as it is when nothing was started early.
    The order of the work is the same either way, and so are the book's bytes.
    """
    if len(rendering) != 1 or not printing.has_workers():
        return
    ((target, rendered),) = rendering.items()
    lesson = Path(target)
    if lesson.parent != raw_dir(app):
        return
    books = _books(app)
    if not books or books[0][0] != "all":
        return
    band, files, arguments = books[0]
    lengths = printing.read_state(arguments.cache / LENGTHS)
    others = [file for file in files if file != lesson]
    if str(lesson) not in lengths or len(others) == len(files) or not all(file.exists() for file in others):
        return
    ready = lesson.with_name(f"{lesson.name}{READY_SUFFIX}")
    ready.unlink(missing_ok=True)

    def mark_ready(done: Future[tuple[str, float]]) -> None:
        failed = done.cancelled() or done.exception() is not None or bool(done.result()[0])
        partial = ready.with_name(f"{ready.name}.part")
        partial.write_text("failed" if failed else "", encoding="utf-8")
        partial.replace(ready)  # whole, or not there

    pages = lengths[str(lesson)]
    merging = printing.submit(_run_task, (_merge_task, (arguments, (lesson, ready, pages))))
    app.curriculum_early_books[band] = _Early(arguments, merging, ready, lesson, pages, rendered)
    rendered.add_done_callback(mark_ready)


def raw_dir(app: Sphinx) -> Path:
    """Where lesson PDFs are rendered, unnumbered, for the merged books to reuse."""
    return Path(app.doctreedir) / "curriculum-pdf"


def lesson_handouts(app: Sphinx, docname: str) -> list[tuple[str, Path, Path]]:
    """The handouts of a lesson (its own, then those it borrows) as (title, class copy, teacher's copy).

    Both PDFs on the book's paper; the teacher's copy is the one with the
    answers and teacher notes where the handout has one, else the class copy.
    """
    paper = app.config.curriculum_paper
    outdir = Path(app.outdir)
    found = []
    declared = lesson_data(app.env)[docname].get("handouts") or []
    for record in handouts_of(app.env, docname, declared):
        pdfs = {
            made.version: outdir / made.path
            for made in printables(record, paper)
            if made.kind == "pdf" and not made.large and made.paper == paper
        }
        copy = pdfs.get("student", pdfs.get("teacher"))  # a handout for teachers has only the one
        found.append((record["title"], copy, pdfs.get("teacher", copy)))
    return found


def write_lesson(plan: Path, handouts: list[tuple[str, Path]], target: Path, title: str, date: str) -> None:
    """The lesson plan with "Page n of N" stamped, then each handout with its own footer.

    Each handout's bookmark comes under the lesson's title, after its sections, as in the books.
    """
    stamp = f"D:{date.replace('-', '')}"
    pdfmerge.merge(
        [pdfmerge.Part(plan), *(_handout_part(name, path) for name, path in handouts)],
        target,
        {"/Title": title, "/Author": AUTHOR, "/CreationDate": stamp, "/ModDate": stamp},
        number_from=0,
    )


def _publish_task(arguments: tuple[Any, ...]) -> str:
    """Worker side of publishing one lesson: its PDF with the teacher's copies, and with the class copies."""
    raw, target, bundle, handouts, data = arguments
    try:
        write_lesson(
            raw,
            [(name, teachers) for name, _, teachers in handouts],
            target,
            data["title"],
            data["last_reviewed"],
        )
        if handouts:
            write_lesson(
                raw,
                [(name, copy) for name, copy, _ in handouts],
                bundle,
                f"{data['title']}: lesson plan and handouts",
                data["last_reviewed"],
            )
    except Exception as error:  # reported to the build, which fails under -W
        return f"{type(error).__name__}: {error}"
    return ""


def _run_task(task: tuple[Any, tuple[Any, ...]]) -> str:
    """Run one merge task of either kind in a worker: (task function, its arguments)."""
    function, arguments = task
    return function(arguments)


def publish(app: Sphinx) -> list[str]:
    """Numbered lesson PDFs in the site and the merged books; each only when its inputs changed.

    Books are merged from the unnumbered lesson PDFs, so both kinds of work run
    in one batch on all cores, the longest (the whole book) first.
    """
    lessons = lesson_data(app.env)
    outdir = Path(app.outdir)
    state = Path(app.doctreedir)
    lessons_path, books_path = state / "curriculum-lessons.json", state / "curriculum-books.json"
    manifest, books = printing.read_state(lessons_path), printing.read_state(books_path)
    wanted, tasks = set(), []
    for docname, data in lessons.items():
        raw = raw_dir(app) / Path(lesson_pdf(docname)).name
        target = outdir / lesson_pdf(docname)
        bundle = outdir / bundle_pdf(docname)
        handouts = lesson_handouts(app, docname)
        wanted |= {target, bundle} if handouts else {target}
        files = [raw, *(path for _, copy, teachers in handouts for path in (copy, teachers))]
        if not all(path.exists() for path in files):
            continue
        digest = hashlib.sha256(
            json.dumps([data["title"], data["last_reviewed"], MERGE_CODE, handouts], default=str).encode()
        )
        for path in files:
            digest.update(path.read_bytes())
        key = digest.hexdigest()
        if manifest.get(docname) == key and target.exists() and (bundle.exists() or not handouts):
            continue
        tasks.append((docname, key, (raw, target, bundle, handouts, data)))
    book_tasks = plan_books(app, books)
    early = _still_merging(app.curriculum_early_books)
    late = [(band, arguments) for band, _, arguments in book_tasks if band not in early]
    work = [(_merge_task, (arguments, None)) for _, arguments in late]
    work += [(_publish_task, arguments) for _, _, arguments in tasks]
    results = printing.parallel(_run_task, work)
    outcomes = {band: error for (band, _), error in zip(late, results[: len(late)], strict=True)}
    finished, app.curriculum_merged_early = _finish_early(early, book_tasks)
    outcomes |= finished
    for stale in raw_dir(app).glob(f"*{READY_SUFFIX}*"):  # a marker left by a build that stopped
        stale.unlink()
    made = []
    for band, key, _ in book_tasks:
        if outcomes[band]:
            logger.warning(
                "PRN002 could not make %s: %s",
                band_pdf(band),
                outcomes[band],
                type="curriculum",
                subtype="PRN002",
            )
            continue
        books[band] = key
        made.append(band_pdf(band))
    for (docname, key, (_, target, bundle, handouts, _)), error in zip(
        tasks, results[len(late) :], strict=True
    ):
        if error:
            logger.warning(
                "PRN002 could not make %s: %s", target.name, error, type="curriculum", subtype="PRN002"
            )
            continue
        manifest[docname] = key
        made += [target.name, bundle.name] if handouts else [target.name]
    for stale in (outdir / OUTPUT_DIR / "lessons").glob("*.pdf"):
        if stale not in wanted:
            stale.unlink()
    state.mkdir(parents=True, exist_ok=True)
    lessons_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    books_path.write_text(json.dumps(books, indent=1, sort_keys=True), encoding="utf-8")
    return made


def _still_merging(early: dict[str, _Early]) -> dict[str, _Early]:
    """The books merged early that will finish; those that stop are waited for, to merge with the rest.

    Decided here from the lesson itself (its render has ended by now), not
    from the worker, which may not have seen the marker yet: one stops when
    its lesson failed to render or changed length.
    """
    going = {}
    for band, book in early.items():
        if not book.rendered.result()[0] and pdfmerge.page_count(book.lesson) == book.pages:
            going[band] = book
        else:
            book.merging.result()  # it stops as soon as it reads the marker
            book.ready.unlink(missing_ok=True)
    return going


def _finish_early(
    early: dict[str, _Early], book_tasks: list[tuple[str, str, BookMerge]]
) -> tuple[dict[str, str], list[str]]:
    """Per book merged early that is due, its outcome ("" or the error, as for the others); and those made so.

    A book started early that turns out to have nothing to do (its lesson
    rendered the same as before) was written the same as before.
    """
    outcomes, made_early = {}, []
    planned = {band: arguments for band, _, arguments in book_tasks}
    for band, book in early.items():
        error = book.merging.result()
        book.ready.unlink(missing_ok=True)
        if band not in planned:
            continue
        if error.startswith(STOPPED) or book.arguments != planned[band]:  # not the book planned now
            error = printing.parallel(_run_task, [(_merge_task, (planned[band], None))])[0]
        elif not error:
            made_early.append(band)
        outcomes[band] = error
    return outcomes, made_early


def on_html_collect_pages(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """Plan the lesson PDF jobs for the print stage, and the merging after it."""
    if printing.web_only():
        return []
    app.curriculum_print_jobs.extend(plan_lesson_jobs(app))
    app.curriculum_print_dirs.add(raw_dir(app))
    app.curriculum_after_print.append(publish)
    app.curriculum_while_printing.append(merge_early)
    app.curriculum_early_books = {}
    app.curriculum_merged_early = []
    return []


def setup(app: Sphinx) -> None:
    """Register the download-link directive and the lesson print pages."""
    app.add_directive("book-pdf", BookPdfDirective)
    app.connect("builder-inited", write_css)
    printing.add_body_page_maker(app, make_lesson_page, lesson_print_page)
    app.connect("html-collect-pages", on_html_collect_pages)
