"""The catalogs: every lesson by band (time, topics, standards), and every handout.

``{lesson-catalog}`` leaves a placeholder that is filled when the page is
written, from the metadata of all lessons, so it is always complete.  Pages
holding a catalog are written again when what the catalogs show changes (a
lesson's front matter, a handout's title or kind, a lesson added or removed),
and only then: an edit to a lesson's text rewrites that lesson alone.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from curriculum.handoutpages import links
from curriculum.handouts import AUDIENCES, KINDS, handout_records, handouts_of
from curriculum.lessonpage import BAND_LABELS, lesson_data, standards_text, time_text
from curriculum.printing import bundle_pdf


class catalog_placeholder(nodes.General, nodes.Element):
    """Replaced by the catalog tables when the page is resolved."""


class LessonCatalogDirective(SphinxDirective):
    """``:::{lesson-catalog}`` with an optional ``:band:`` to list one band only."""

    option_spec = {"band": lambda value: directives.choice(value, tuple(BAND_LABELS))}

    def run(self) -> list[nodes.Node]:
        docs = getattr(self.env, "curriculum_catalog_docs", set())
        docs.add(self.env.docname)
        self.env.curriculum_catalog_docs = docs
        return [catalog_placeholder("", band=self.options.get("band"), listing="lessons")]


class PrintablesDirective(SphinxDirective):
    """``:::{printables}``: every handout by band and lesson, with links to each format."""

    def run(self) -> list[nodes.Node]:
        docs = getattr(self.env, "curriculum_catalog_docs", set())
        docs.add(self.env.docname)
        self.env.curriculum_catalog_docs = docs
        return [catalog_placeholder("", band=None, listing="handouts")]


def toc_order(env: BuildEnvironment) -> list[str]:
    """Documents in the order a reader meets them in the table of contents."""
    seen: list[str] = []

    def visit(docname: str) -> None:
        if docname in seen:
            return
        seen.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return seen


def _link(app: Sphinx, fromdoc: str, todoc: str, text: str) -> nodes.reference:
    uri = app.builder.get_relative_uri(fromdoc, todoc)
    return nodes.reference("", text, refuri=uri, internal=True)


def _table(app: Sphinx, fromdoc: str, rows: Iterable[tuple[str, dict[str, Any]]], band: str) -> nodes.table:
    headers = (
        ["Lesson", "Time", "Topics", "Standards"]
        if band != "adults"
        else ["Guide", "Reading time", "For", "Summary"]
    )
    table = nodes.table(classes=["lesson-catalog", f"catalog-{band}"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in (46, 12, 20, 22):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text, text)) for text in headers))
    group += head
    body = nodes.tbody()
    for docname, data in rows:
        title = nodes.container("", nodes.paragraph("", "", _link(app, fromdoc, docname, data["title"])))
        if band != "adults":
            title += nodes.paragraph(data["summary"], data["summary"], classes=["catalog-summary"])
        if band == "adults":
            cells = [
                title,
                nodes.paragraph(text=f"{data['duration_minutes']} min"),
                nodes.paragraph(text=", ".join(data["audience"])),
                nodes.paragraph(text=data["summary"]),
            ]
        else:
            cells = [
                title,
                nodes.paragraph(text=time_text(data).replace("minutes", "min")),
                nodes.paragraph(text=", ".join(data["topics"])),
                nodes.paragraph(text=standards_text(data["standards"])),
            ]
        body += nodes.row("", *(nodes.entry("", cell) for cell in cells))
    group += body
    return table


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, fromdoc: str) -> None:
    """Fill every catalog placeholder with one table per band."""
    placeholders = list(doctree.findall(catalog_placeholder))
    if not placeholders:
        return
    lessons = lesson_data(app.env)
    ordered = [(name, lessons[name]) for name in toc_order(app.env) if name in lessons]
    for placeholder in placeholders:
        if placeholder.get("listing") == "handouts":
            placeholder.replace_self(_printables(app, fromdoc, ordered))
            continue
        only = placeholder["band"]
        content: list[nodes.Node] = []
        for band, label in BAND_LABELS.items():
            if only and band != only:
                continue
            rows = [(name, data) for name, data in ordered if data["band"] == band]
            if not rows:
                continue
            if not only:
                content.append(nodes.rubric(label, label, classes=["catalog-band"]))
            content.append(_table(app, fromdoc, rows, band))
        if not content:
            content.append(nodes.paragraph(text="No lessons in this band yet."))
        placeholder.replace_self(content)


def _printables(app: Sphinx, fromdoc: str, ordered: list[tuple[str, dict[str, Any]]]) -> list[nodes.Node]:
    from_uri = app.builder.get_target_uri(fromdoc)
    content: list[nodes.Node] = []
    for band, label in BAND_LABELS.items():
        lessons = [
            (
                name,
                data,
                handouts_of(app.env, name, data.get("handouts") or []),
            )
            for name, data in ordered
            if data["band"] == band
        ]
        lessons = [(name, data, handouts) for name, data, handouts in lessons if handouts]
        if not lessons:
            continue
        content.append(nodes.rubric(label, label, classes=["catalog-band"]))
        table = nodes.table(classes=["printables", f"printables-{band}"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (30, 18, 52):
            group += nodes.colspec(colwidth=width)
        group += nodes.thead(
            "",
            nodes.row(
                "",
                *(
                    nodes.entry("", nodes.paragraph(text=text))
                    for text in ("Handout", "Kind", "Print or edit")
                ),
            ),
        )
        body = nodes.tbody()
        for docname, data, handouts in lessons:
            lesson = nodes.paragraph(
                "", "", nodes.Text("Lesson: "), _link(app, fromdoc, docname, data["title"])
            )
            lesson += nodes.Text(" · ")
            everything = posixpath.relpath(bundle_pdf(docname), posixpath.dirname(from_uri) or ".")
            lesson += nodes.reference(
                "", "the lesson plan with class copies of its handouts (PDF)", refuri=everything
            )
            body += nodes.row("", nodes.entry("", lesson, morecols=2, classes=["printables-lesson"]))
            for record in handouts:
                kind = f"{KINDS[record['kind']]}, {AUDIENCES[record['audience']].lower()}"
                body += nodes.row(
                    "",
                    nodes.entry("", nodes.paragraph(text=record["title"])),
                    nodes.entry("", nodes.paragraph(text=kind)),
                    nodes.entry("", links(record, from_uri, app.config.curriculum_paper)),
                )
        group += body
        content.append(table)
    return content or [nodes.paragraph(text="No handouts yet.")]


#: What the catalogs show of a handout (its line number, say, is not shown).
_SHOWN = ("id", "title", "kind", "audience", "has_answers")
_STAMP = "curriculum-catalog.txt"


def catalog_stamp(env: BuildEnvironment) -> str:
    """Hash of everything the catalogs show: each lesson's front matter and each page's handouts."""
    shown = {
        "lessons": lesson_data(env),
        "handouts": {
            docname: [{key: record[key] for key in _SHOWN} for record in records]
            for docname, records in handout_records(env).items()
        },
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: note whether the catalogs would show something else than last time."""
    try:
        before = (Path(app.doctreedir) / _STAMP).read_text(encoding="utf-8")
    except OSError:
        before = ""
    app.curriculum_catalog_stamp = catalog_stamp(env)
    app.curriculum_catalog_changed = app.curriculum_catalog_stamp != before


def on_env_get_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Write the catalog pages again when what they show changed."""
    if not app.curriculum_catalog_changed:
        return []
    return sorted(getattr(env, "curriculum_catalog_docs", set()) & env.found_docs)


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Remember what the catalogs show now that they are written (a failed build writes them next time)."""
    if exception is None and hasattr(app, "curriculum_catalog_stamp"):
        (Path(app.doctreedir) / _STAMP).write_text(app.curriculum_catalog_stamp, encoding="utf-8")


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """A page that no longer holds a catalog stops being re-read for lesson changes."""
    getattr(env, "curriculum_catalog_docs", set()).discard(docname)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Merge the catalog pages found by parallel workers."""
    mine = getattr(env, "curriculum_catalog_docs", set())
    mine |= getattr(other, "curriculum_catalog_docs", set()) & docnames
    env.curriculum_catalog_docs = mine


def setup(app: Sphinx) -> None:
    """Register the catalog directive and its resolution."""
    app.add_node(catalog_placeholder)
    app.add_directive("lesson-catalog", LessonCatalogDirective)
    app.add_directive("printables", PrintablesDirective)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("env-updated", on_env_updated)
    app.connect("env-get-updated", on_env_get_updated)
    app.connect("build-finished", on_build_finished)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
