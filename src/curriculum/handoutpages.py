"""A standalone print page for every handout, written by the HTML build itself.

As Sphinx resolves a lesson to write it, each handout is cut out of that
resolved doctree and rendered alone with the print template of ``handouts/``
(so a designer changes the look without touching Python).  Students and
families get a copy without teacher notes and answer keys; a handout with
answers (or for the teacher) also gets a teacher version.  A page is written
only when its content changed, and pages of handouts that no longer exist are
deleted, so rebuilds touch only what changed.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError
from sphinx.util import logging

from curriculum import printing
from curriculum.accessibility import csp_meta
from curriculum.blocks import TEACHER_ONLY, lesson_block
from curriculum.files import write_if_changed
from curriculum.handouts import KINDS, answer_key, handout, handout_records

logger = logging.getLogger(__name__)

OUTPUT_DIR = "handouts"
_FRAME = {"handout-meta", "handout-links"}
PAPER_LABELS = {"letter": "Letter", "a4": "A4"}
#: Handouts a student fills in and hands back get a "Name:" line.
NAME_LINE_KINDS = {"worksheet", "exit-ticket"}
_HREF = re.compile(r'(href|src)="([^"#:]+?)(#[^"]*)?"')


def copy_label(version: str, record: dict[str, Any]) -> str:
    """Name of one copy of a handout, as teachers say it."""
    if version == "teacher":
        return "Teacher copy with answers" if record["has_answers"] else "Teacher copy"
    return "Family copy" if record["audience"] == "families" else "Student copy"


@dataclass(frozen=True)
class Printable:
    """One file made for one copy of a handout."""

    version: str  # "student" (students or families) or "teacher"
    kind: str  # "html", "pdf" or "docx"
    paper: str  # "letter", "a4" or "" (html, docx)
    large: bool
    label: str  # link text
    path: str  # relative to the HTML root


def printables(record: dict[str, Any], paper: str = "letter") -> list[Printable]:
    """Every file a handout gets: the one place that names them.

    The handout itself comes in Letter and A4 (student and family handouts
    also in large print and as Word); the extra teacher copy that adds the
    answers comes in the book's paper size, which is all the teacher's own
    printer needs.
    """
    made = []
    for version in versions(record):
        stem = f"{OUTPUT_DIR}/{record['id']}" + ("-teacher" if version == "teacher" else "")
        if version == "student" or record["audience"] == "teacher":
            for size, label in PAPER_LABELS.items():
                made.append(Printable(version, "pdf", size, False, f"{label} PDF", f"{stem}-{size}.pdf"))
        else:
            made.append(Printable(version, "pdf", paper, False, "PDF", f"{stem}-{paper}.pdf"))
        if version == "student":
            made.append(Printable(version, "pdf", paper, True, "large print PDF", f"{stem}-large-print.pdf"))
            made.append(Printable(version, "docx", "", False, "Word (editable)", f"{stem}.docx"))
        made.append(Printable(version, "html", "", False, "web page", f"{stem}.html"))
    return made


def page_name(handout_id: str, version: str, layout: str = "sheet") -> str:
    """Output path of a handout's HTML page, relative to the HTML root."""
    suffix = "-teacher" if version == "teacher" else ""
    if layout == "wallet":
        suffix += "-cards"
    return f"{OUTPUT_DIR}/{handout_id}{suffix}.html"


def layouts(record: dict[str, Any], version: str) -> list[str]:
    """The print pages of one copy: the sheet, and for response cards also the wallet cards."""
    return ["sheet", "wallet"] if wallet_cards(record, version) else ["sheet"]


def has_name_line(content: nodes.Element) -> bool:
    """A handout that asks for the name its own way ("Name: ___ (so I can find you)") gets no second line."""
    return any(para.astext().lstrip().startswith("Name:") for para in content.findall(nodes.paragraph))


def wallet_cards(record: dict[str, Any], version: str) -> bool:
    """Response cards print four to a sheet, wallet-size, for students to cut out and keep.

    Only the Letter and A4 PDFs: large print, Word and the web page keep the
    one-card sheet, which reads better on a screen and at 18 pt.
    """
    return record["kind"] == "response-card" and version == "student"


def links(record: dict[str, Any], from_uri: str, paper: str) -> nodes.container:
    """One line per copy with links to each of its files, relative to the page ``from_uri``."""
    here = posixpath.dirname(from_uri) or "."
    box = nodes.container(classes=["handout-links"])
    for version in versions(record):
        para = nodes.paragraph()
        para += nodes.strong(copy_label(version, record), copy_label(version, record))
        para += nodes.Text(": ")
        files = [made for made in printables(record, paper) if made.version == version]
        for index, made in enumerate(files):
            if index:
                para += nodes.Text(" · ")
            para += nodes.reference("", made.label, refuri=posixpath.relpath(made.path, here))
        box += para
    return box


def is_teacher_only(node: nodes.Node) -> bool:
    """Teacher notes and answer keys: never on student or family material."""
    if isinstance(node, answer_key):
        return True
    return isinstance(node, lesson_block) and node.get("block") in TEACHER_ONLY


def student_copy(node: nodes.Element) -> nodes.Element:
    """A deep copy of ``node`` without any teacher-only block."""
    copy = node.deepcopy()
    for found in list(copy.findall(is_teacher_only)):
        found.parent.remove(found)
    return copy


def cited_sources(content: nodes.Element, sources: list[dict[str, Any]]) -> list[nodes.Node]:
    """The sources a handout cites, numbered as in its lesson, so a printed sheet keeps them."""
    numbers = {f"source-{source['id']}": (number, source) for number, source in enumerate(sources, start=1)}
    cited = []
    for ref in content.findall(nodes.reference):
        if (
            "source-ref" in ref.get("classes", [])
            and ref.get("refid") in numbers
            and ref["refid"] not in cited
        ):
            cited.append(ref["refid"])
    if not cited:
        return []
    items = nodes.bullet_list(classes=["handout-sources"])
    for refid in sorted(cited, key=lambda refid: numbers[refid][0]):
        number, source = numbers[refid]
        text = f"[{number}] {source['publisher']}. {source['title']}. {source['url']}"
        items += nodes.list_item("", nodes.paragraph(text, text), ids=[refid])
    return [nodes.rubric("Sources", "Sources"), items]


def versions(record: dict[str, Any]) -> list[str]:
    """Which copies a handout gets: student/family, and teacher when it has answers."""
    if record["audience"] == "teacher":
        return ["teacher"]
    return ["student", "teacher"] if record["has_answers"] else ["student"]


def _rebase_links(html: str, from_page: str, to_page: str) -> str:
    """Relative links written for the lesson page, made right for the handout page."""
    from_dir, to_dir = posixpath.dirname(from_page), posixpath.dirname(to_page)

    def fix(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(from_dir, match[2]))
        return f'{match[1]}="{posixpath.relpath(target, to_dir or ".")}{match[3] or ""}"'

    return _HREF.sub(fix, html)


def design_folder(app: Sphinx) -> Path:
    """The print design: templates and CSS of the handout, lesson and book pages."""
    return Path(app.srcdir) / app.config.curriculum_handout_design


def put_design_css(app: Sphinx, name: str, folder: str) -> None:
    """Copy a stylesheet of the print design into the site's ``folder`` (HTML builds only).

    Done at ``builder-inited``: a page's printables may start rendering as soon
    as its print page is written, so the CSS it links must already be there.
    """
    if app.builder.format == "html":
        css = (design_folder(app) / name).read_text(encoding="utf-8")
        write_if_changed(Path(app.outdir) / folder / name, css)


def design_template(app: Sphinx, name: str) -> jinja2.Template:
    """A template of the print design, loaded once per build (print pages are made page by page)."""
    if name not in app.curriculum_templates:
        loader = jinja2.FileSystemLoader(str(design_folder(app)))
        app.curriculum_templates[name] = jinja2.Environment(loader=loader, autoescape=True).get_template(name)
    return app.curriculum_templates[name]


def _handout_nodes(doctree: nodes.document) -> dict[str, nodes.Element]:
    return {node["handout_id"]: node for node in doctree.findall(handout)}


def _planned(app: Sphinx, docname: str) -> Iterator[tuple[dict[str, Any], str, str, Path]]:
    """Each print page of the handouts a page holds, as ``(record, version, layout, path)``."""
    for record in handout_records(app.env).get(docname, []):
        for version in versions(record):
            for layout in layouts(record, version):
                yield record, version, layout, Path(app.outdir) / page_name(record["id"], version, layout)


def print_pages(app: Sphinx, docname: str) -> list[Path]:
    """The print pages of the handouts a page holds."""
    return [page for *_, page in _planned(app, docname)]


def make_pages(app: Sphinx, docname: str, doctree: nodes.document) -> None:
    """Write the print pages of every handout a page holds, from its resolved doctree."""
    records = handout_records(app.env).get(docname)
    if not records:
        return
    builder = app.builder
    template = design_template(app, "handout.html")
    design = design_folder(app)
    lessons = getattr(app.env, "curriculum_lessons", {})
    base_url = (app.config.html_baseurl or "").rstrip("/")
    date = lessons.get(docname, {}).get("last_reviewed", "2000-01-01")
    found = _handout_nodes(doctree)
    lesson_page = builder.get_target_uri(docname)
    lesson_title = lessons.get(docname, {}).get("title") or str(app.env.titles[docname].astext())
    for record in records:
        node = found.get(record["id"])
        if node is None:
            continue
        for version in versions(record):
            body = node.deepcopy() if version == "teacher" else student_copy(node)
            content = nodes.container(
                "",
                *(
                    child
                    for child in body.children
                    if not isinstance(child, nodes.title) and not _FRAME & set(child.get("classes", []))
                ),
            )
            cited = nodes.container("", *cited_sources(content, lessons.get(docname, {}).get("sources", [])))
            fragment = builder.render_partial(content)["fragment"]
            sources = builder.render_partial(cited)["fragment"] if cited.children else ""
            for layout in layouts(record, version):
                name = page_name(record["id"], version, layout)
                css = posixpath.relpath(f"{OUTPUT_DIR}/print.css", posixpath.dirname(name))
                html = template.render(
                    csp=jinja2.utils.markupsafe.Markup(csp_meta()),
                    date=date,
                    language=app.config.language or "en",
                    title=record["title"],
                    kind=record["kind"],
                    kind_label=KINDS[record["kind"]],
                    audience=record["audience"],
                    version=version,
                    has_answers=record["has_answers"],
                    name_line=record["kind"] in NAME_LINE_KINDS
                    and version == "student"
                    and not has_name_line(content),
                    lesson_title=lesson_title,
                    source_kind="lesson" if docname in lessons else "page",
                    lesson_url=f"{base_url}/{lesson_page}" if base_url else lesson_page,
                    book_title=app.config.html_title or app.config.project,
                    license=app.config.curriculum_license,
                    body=jinja2.utils.markupsafe.Markup(_rebase_links(fragment, lesson_page, name)),
                    sources=jinja2.utils.markupsafe.Markup(_rebase_links(sources, lesson_page, name)),
                    layout=layout,
                    css=css,
                )
                page = Path(app.outdir) / name
                write_if_changed(page, html)
                printing.start_early(app, _jobs(app, record, version, layout, page, date, design))


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put links to the printable copies in each handout's frame on the lesson page."""
    if app.builder.format != "html":
        return
    records = {record["id"]: record for record in handout_records(app.env).get(docname, [])}
    for node in doctree.findall(handout):
        record = records.get(node["handout_id"])
        if record is None:
            continue
        node.insert(2, links(record, app.builder.get_target_uri(docname), app.config.curriculum_paper))


def on_html_collect_pages(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """Plan the print jobs of every handout page (written as their lessons were), delete removed pages."""
    if printing.web_only():
        return []
    target = Path(app.outdir) / OUTPUT_DIR
    design = design_folder(app)
    lessons = getattr(app.env, "curriculum_lessons", {})
    wanted = set()
    jobs = []
    for docname in sorted(handout_records(app.env)):
        date = lessons.get(docname, {}).get("last_reviewed", "2000-01-01")
        for record, version, layout, page in _planned(app, docname):
            wanted.add(page)
            jobs += _jobs(app, record, version, layout, page, date, design)
    for stale in target.glob("*.html"):
        if stale not in wanted:
            stale.unlink()
    app.curriculum_print_jobs.extend(jobs)
    app.curriculum_print_dirs.add(target)
    return []


def _jobs(
    app: Sphinx, record: dict[str, Any], version: str, layout: str, page: Path, date: str, design: Path
) -> list[printing.Job]:
    """The print jobs of one print page: its PDFs (Letter and A4 from one layout) and its .docx."""
    outdir = Path(app.outdir)
    base = printing.Job(
        source=str(page),
        target="",
        kind="pdf",
        design=str(design),
        date=date,
        links_from=page_name(record["id"], version, layout),
        site_url=(app.config.html_baseurl or "").rstrip("/"),
    )
    jobs = []
    papers: list[tuple[str, str]] = []  # (paper, file) of the regular PDFs: one layout for all
    for made in printables(record, app.config.curriculum_paper):
        cards = made.kind == "pdf" and not made.large and wallet_cards(record, version)
        if made.version != version or made.kind == "html" or cards != (layout == "wallet"):
            continue
        output = str(outdir / made.path)
        if made.kind == "pdf" and not made.large:
            papers.append((made.paper, output))
        else:
            jobs.append(
                replace(base, target=output, kind=made.kind, paper=made.paper or "letter", large=made.large)
            )
    if papers:
        jobs.append(replace(base, paper=papers[0][0], target=papers[0][1], also=tuple(papers[1:])))
    return jobs


def design_stamp(app: Sphinx) -> str:
    """Hash of the print design (template and CSS), to notice a designer's edit."""
    folder = design_folder(app)
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Rebuild every page with print pages (handouts, lesson plans) when the print design changed."""
    stamp = design_stamp(app)
    if getattr(env, "curriculum_design_stamp", None) == stamp:
        return []
    env.curriculum_design_stamp = stamp
    printed = set(handout_records(env)) | set(getattr(env, "curriculum_lessons", {}))
    return sorted(printed - removed)


def check_design(app: Sphinx) -> None:
    """Fail early, and clearly, when the print design folder is missing; else put its CSS in the site."""
    app.curriculum_templates = {}
    folder = design_folder(app)
    for name in ("handout.html", "print.css"):
        if not (folder / name).is_file():
            raise ConfigError(
                f"the handout design file {folder / name} is missing (fix: restore it from the "
                "repository, or set curriculum_handout_design to the folder that holds handout.html "
                "and print.css)"
            )
    put_design_css(app, "print.css", OUTPUT_DIR)


def setup(app: Sphinx) -> None:
    """Register the handout page writer and its settings."""
    app.add_config_value("curriculum_handout_design", "handouts", "html", [str])
    app.add_config_value("curriculum_license", "CC BY 4.0", "html", [str])
    app.add_config_value("curriculum_paper", "letter", "html", [str])
    app.connect("builder-inited", check_design)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-collect-pages", on_html_collect_pages)
    printing.add_page_maker(app, make_pages, print_pages)
