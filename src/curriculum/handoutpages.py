"""A standalone print page for every handout, written by the HTML build itself.

After the lesson pages are written, each handout is cut out of its lesson's
resolved doctree and rendered alone with the print template of ``handouts/``
(so a designer changes the look without touching Python).  Students and
families get a copy without teacher notes and answer keys; a handout with
answers (or for the teacher) also gets a teacher version.  A page is written
only when its content changed, and pages of handouts that no longer exist are
deleted, so rebuilds touch only what changed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.logging import suppress_logging

from curriculum.blocks import TEACHER_ONLY, lesson_block
from curriculum.handouts import KINDS, answer_key, handout, handout_records

logger = logging.getLogger(__name__)

OUTPUT_DIR = "handouts"
_FRAME = {"handout-meta", "handout-links"}
_HREF = re.compile(r'(href|src)="([^"#:]+?)(#[^"]*)?"')


def copy_label(version: str, record: dict[str, Any]) -> str:
    """Link text for one printable copy on the lesson page."""
    if version == "teacher":
        return "teacher copy with answers" if record["has_answers"] else "teacher copy"
    return "family copy" if record["audience"] == "families" else "student copy"


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


def page_name(handout_id: str, version: str) -> str:
    """Output path of a handout page, relative to the HTML root."""
    suffix = "-teacher" if version == "teacher" else ""
    return f"{OUTPUT_DIR}/{handout_id}{suffix}.html"


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


def _template(app: Sphinx) -> jinja2.Template:
    folder = Path(app.srcdir) / app.config.curriculum_handout_design
    loader = jinja2.FileSystemLoader(str(folder))
    return jinja2.Environment(loader=loader, autoescape=True).get_template("handout.html")


def _handout_nodes(doctree: nodes.document) -> dict[str, nodes.Element]:
    return {node["handout_id"]: node for node in doctree.findall(handout)}


def render_pages(app: Sphinx) -> Iterator[tuple[str, str]]:
    """Every handout page as ``(output path, html)``."""
    builder = app.builder
    env = app.env
    template = _template(app)
    lessons = getattr(env, "curriculum_lessons", {})
    base_url = (app.config.html_baseurl or "").rstrip("/")
    for docname, records in sorted(handout_records(env).items()):
        with suppress_logging():
            doctree = env.get_and_resolve_doctree(docname, builder)
        found = _handout_nodes(doctree)
        lesson_page = builder.get_target_uri(docname)
        lesson_title = lessons.get(docname, {}).get("title") or str(env.titles[docname].astext())
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
                content += cited_sources(content, lessons.get(docname, {}).get("sources", []))
                fragment = builder.render_partial(content)["fragment"]
                name = page_name(record["id"], version)
                css = posixpath.relpath(f"{OUTPUT_DIR}/print.css", posixpath.dirname(name))
                html = template.render(
                    language=app.config.language or "en",
                    title=record["title"],
                    kind=record["kind"],
                    kind_label=KINDS[record["kind"]],
                    audience=record["audience"],
                    version=version,
                    name_line=record["audience"] == "students",
                    lesson_title=lesson_title,
                    lesson_url=f"{base_url}/{lesson_page}" if base_url else lesson_page,
                    book_title=app.config.html_title or app.config.project,
                    license=app.config.curriculum_license,
                    body=jinja2.utils.markupsafe.Markup(_rebase_links(fragment, lesson_page, name)),
                    css=css,
                )
                yield name, html


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put links to the printable copies in each handout's frame on the lesson page."""
    if app.builder.format != "html":
        return
    records = {record["id"]: record for record in handout_records(app.env).get(docname, [])}
    for node in doctree.findall(handout):
        record = records.get(node["handout_id"])
        if record is None:
            continue
        para = nodes.paragraph(classes=["handout-links"])
        para += nodes.Text("Print: ")
        here = posixpath.dirname(app.builder.get_target_uri(docname)) or "."
        for index, version in enumerate(versions(record)):
            if index:
                para += nodes.Text(" · ")
            target = posixpath.relpath(page_name(record["id"], version), here)
            para += nodes.reference("", copy_label(version, record), refuri=target)
        node.insert(2, para)


def write_if_changed(path: Path, content: str) -> bool:
    """Write ``content`` unless the file already holds it; True when written."""
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return True


def on_html_collect_pages(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """Write the handout pages (and their CSS), and delete pages of removed handouts."""
    outdir = Path(app.outdir)
    target = outdir / OUTPUT_DIR
    css = Path(app.srcdir) / app.config.curriculum_handout_design / "print.css"
    write_if_changed(target / "print.css", css.read_text(encoding="utf-8"))
    wanted = set()
    for name, html in render_pages(app):
        wanted.add(outdir / name)
        write_if_changed(outdir / name, html)
    for stale in target.glob("*.html"):
        if stale not in wanted:
            stale.unlink()
    return []


def check_design(app: Sphinx) -> None:
    """Fail early, and clearly, when the print design folder is missing."""
    folder = Path(app.srcdir) / app.config.curriculum_handout_design
    for name in ("handout.html", "print.css"):
        if not (folder / name).is_file():
            raise ConfigError(
                f"the handout design file {folder / name} is missing (fix: restore it from the "
                "repository, or set curriculum_handout_design to the folder that holds handout.html "
                "and print.css)"
            )


def setup(app: Sphinx) -> None:
    """Register the handout page writer and its settings."""
    app.add_config_value("curriculum_handout_design", "handouts", "html", [str])
    app.add_config_value("curriculum_license", "CC BY 4.0", "html", [str])
    app.connect("builder-inited", check_design)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-collect-pages", on_html_collect_pages)
