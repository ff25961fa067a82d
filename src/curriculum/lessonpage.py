"""Turn a page in ``lessons/`` into a lesson page.

When Sphinx has read a lesson, its front matter and blocks are checked with
the shared rules (a problem becomes a warning at ``file:line``, fatal under
``-W``), the "At a glance" panel is built from the metadata and inserted
under the title, ``{source}`` citations are numbered, and a "Sources" section
is appended.  The metadata is kept in the environment for the catalog.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from curriculum import check, rules
from curriculum.blocks import lesson_block
from curriculum.handouts import AUDIENCES, KINDS, WRITING_LINE, handout_records, shared_handouts
from curriculum.printing import bundle_pdf, lesson_pdf

logger = logging.getLogger(__name__)

BAND_LABELS = {
    "k-2": "Grades K-2",
    "3-5": "Grades 3-5",
    "6-8": "Grades 6-8",
    "9-12": "Grades 9-12",
    "adults": "Adults",
}
CASEL_LABELS = {
    "self-awareness": "Self-awareness",
    "self-management": "Self-management",
    "social-awareness": "Social awareness",
    "relationship-skills": "Relationship skills",
    "responsible-decision-making": "Responsible decision-making",
}


class source_ref(nodes.Inline, nodes.Element):
    """A citation of one of the lesson's sources, numbered after reading."""


class shared_handout_item(nodes.Element):
    """A handout the lesson lists but another page holds; resolved when every page is read."""


class SourceRole(SphinxRole):
    """``{source}`fbi-sextortion``` cites the source with that id from the front matter."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        node = source_ref(self.rawtext, source_id=self.text.strip())
        self.set_source_info(node)
        return [node], []


def is_lesson_doc(app: Sphinx, docname: str) -> bool:
    """Pages under the lessons folder, except band overviews (index) and files starting with _."""
    prefix = app.config.curriculum_lessons_dir.strip("/") + "/"
    name = docname.rsplit("/", 1)[-1]
    return docname.startswith(prefix) and name != "index" and not name.startswith("_")


def lesson_data(env: BuildEnvironment) -> dict[str, dict[str, Any]]:
    """Front matter of every lesson and guide read so far, by docname."""
    if not hasattr(env, "curriculum_lessons"):
        env.curriculum_lessons = {}
    return env.curriculum_lessons


#: Rules the build reports elsewhere, where it knows more (the region, every page's handouts).
_REPORTED_ELSEWHERE = {"RES010", "LES020", "HND001", "HND002", "HND003"}


def on_builder_inited(app: Sphinx) -> None:
    """One check context per build: the language list and the directory are read once."""
    app.curriculum_check_context = check.Context(Path(app.srcdir), region=app.config.curriculum_region)


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Keep a line of only underscores as a line to write on.

    On a worksheet that is what a writer means, but Markdown reads it as a
    horizontal rule, which vanishes or, at the end of a list item, stops
    docutils altogether; escaped, it prints as the writer typed it.
    """
    if "___" not in source[0]:
        return
    # Through the check's cache: the page rules scan the same text again when the page is read.
    page = app.curriculum_check_context.scan(Path(app.env.doc2path(docname)), source[0])
    numbers = [line.number for line in page.lines if WRITING_LINE.fullmatch(line.text.strip())]
    if numbers:
        lines = source[0].split("\n")
        for number in numbers:
            lines[number - 1] = lines[number - 1].replace("_", "\\_")
        source[0] = "\n".join(lines)


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Run the page rules (the same as `curriculum check`), then build a lesson's page furniture."""
    env = app.env
    docname = env.docname
    path = Path(env.doc2path(docname))
    problems, page = check.check_page(path, app.curriculum_check_context)
    for problem in problems:
        if problem.code in _REPORTED_ELSEWHERE:
            continue
        logger.warning(
            "%s %s (fix: %s)",
            problem.code,
            problem.message,
            problem.hint,
            location=(docname, problem.line),
            type="curriculum",
            subtype=problem.code,
        )
    if not is_lesson_doc(app, docname):
        for node in list(doctree.findall(source_ref)):
            logger.warning("{source} citations work only in lesson pages", location=node)
            node.replace_self(nodes.Text(node.rawsource))
        return
    if any(problem.code in rules.FRONT_MATTER_CODES for problem in problems):
        return
    front = page.front  # parsed once, by the check
    data = front.data
    lesson_data(env)[docname] = {**data, "handouts_line": front.line_of(("handouts",))}
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        logger.warning(
            "LES013 the page has no '# Title' heading",
            location=(docname, 1),
            type="curriculum",
            subtype="LES013",
        )
        return
    title_index = section.index(section.next_node(nodes.title))
    section.insert(title_index + 1, _glance(app, docname, data, doctree))
    _number_sources(docname, data, doctree, section)


def _field(name: str, *body: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", *body))


def _para(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


def _bullets(items: list[nodes.Node], classes: list[str] | None = None) -> nodes.bullet_list:
    return nodes.bullet_list("", *(nodes.list_item("", item) for item in items), classes=classes or [])


def _doc_link(docname: str, target: str, text: str) -> addnodes.pending_xref:
    return addnodes.pending_xref(
        "",
        nodes.inline(text, text),
        refdomain="std",
        reftype="doc",
        reftarget=target,
        refexplicit=True,
        refdoc=docname,
        refwarn=True,
    )


def standards_text(standards: dict[str, list[str]]) -> str:
    """Standards in the words a teacher expects: ISTE codes, CASEL names, NHES numbers."""
    parts = []
    if standards.get("iste"):
        parts.append("ISTE " + ", ".join(standards["iste"]))
    if standards.get("casel"):
        parts.append("CASEL: " + ", ".join(CASEL_LABELS[name] for name in standards["casel"]))
    if standards.get("nhes"):
        parts.append("NHES " + ", ".join(standards["nhes"]))
    return "; ".join(parts)


def time_text(data: dict[str, Any]) -> str:
    """``45 minutes (short version: 15 minutes)``."""
    text = f"{data['duration_minutes']} minutes"
    if data.get("short_version_minutes"):
        text += f" (short version: {data['short_version_minutes']} minutes)"
    return text


def _glance(app: Sphinx, docname: str, data: dict[str, Any], doctree: nodes.document) -> nodes.section:
    section = nodes.section("", ids=["at-a-glance"], names=["at a glance"], classes=["lesson-glance"])
    section += nodes.title("At a glance", "At a glance")
    facts = nodes.field_list(classes=["glance-facts"])
    facts += _field("Grade band", _para(BAND_LABELS[data["band"]]))
    if data["kind"] == "guide":
        facts += _field("For", _para(", ".join(data["audience"]).capitalize()))
        facts += _field("Reading time", _para(f"{data['duration_minutes']} minutes"))
    else:
        facts += _field("Time", _para(time_text(data)))
        facts += _field("Topics", _para(", ".join(data["topics"])))
        facts += _field("Standards", _para(standards_text(data["standards"])))
    facts += _field("Last reviewed", _para(data["last_reviewed"]))
    section += facts
    if data.get("needs_legal_review"):
        note = nodes.admonition(classes=["legal-review"])
        note += nodes.title("Legal review pending", "Legal review pending")
        note += _para(
            "This page describes the law in general terms, and a lawyer has not yet reviewed it. "
            "Laws differ by state: check the legal parts with your district's counsel before you "
            "teach them."
        )
        section += note
    here = posixpath.dirname(docname)
    label = "Lesson plan (PDF)" if data["kind"] == "lesson" else "This guide (PDF)"
    links = nodes.paragraph("", "", nodes.Text("Print: "), classes=["glance-print", "web-only"])
    links += nodes.reference("", label, refuri=posixpath.relpath(lesson_pdf(docname), here))
    if handout_records(app.env).get(docname) or data.get("handouts"):
        links += nodes.Text(" · ")
        links += nodes.reference(
            "", "with class copies of its handouts (PDF)", refuri=posixpath.relpath(bundle_pdf(docname), here)
        )
    section += links
    if data.get("summary"):
        section += nodes.paragraph(data["summary"], data["summary"], classes=["glance-summary"])
    if data["kind"] == "lesson":
        section += _disclosure_box(app, docname)
        section += _glance_lesson_parts(app.env, docname, data, doctree)
    return section


def _glance_lesson_parts(
    env: BuildEnvironment, docname: str, data: dict[str, Any], doctree: nodes.document
) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    parts.append(nodes.rubric("Objectives", "Objectives"))
    parts.append(_para("Students will be able to:"))
    parts.append(_bullets([_para(text) for text in data["objectives"]], ["glance-objectives"]))
    agenda = []
    for block in doctree.findall(lesson_block):
        if block.get("minutes"):
            label = f"{block['label']} ({block['minutes']} min)"
            ref = nodes.reference("", "", nodes.Text(label), refid=block["ids"][0], internal=True)
            agenda.append(nodes.paragraph("", "", ref))
    if agenda:
        parts.append(nodes.rubric("Agenda", "Agenda"))
        parts.append(
            nodes.enumerated_list(
                "",
                *(nodes.list_item("", item) for item in agenda),
                enumtype="arabic",
                classes=["glance-agenda"],
            )
        )
    if data["materials"]:
        parts.append(nodes.rubric("Materials", "Materials"))
        parts.append(_bullets([_para(item) for item in data["materials"]], ["glance-materials"]))
    records = handout_records(env).get(docname, [])
    own = {record["id"] for record in records}
    elsewhere = [handout_id for handout_id in data.get("handouts") or [] if handout_id not in own]
    if records or elsewhere:
        parts.append(nodes.rubric("Handouts", "Handouts"))
        items: list[nodes.Node] = []
        for record in records:
            link = nodes.reference("", record["title"], refid=f"handout-{record['id']}", internal=True)
            items.append(nodes.paragraph("", "", link, nodes.Text(_handout_detail(record))))
        items += [shared_handout_item(handout_id=handout_id) for handout_id in elsewhere]
        parts.append(_bullets(items, ["glance-handouts"]))
    if data["vocabulary"]:
        parts.append(nodes.rubric("Vocabulary", "Vocabulary"))
        vocab = nodes.definition_list(classes=["glance-vocabulary"])
        for entry in data["vocabulary"]:
            vocab += nodes.definition_list_item(
                "", nodes.term(entry["term"], entry["term"]), nodes.definition("", _para(entry["definition"]))
            )
        parts.append(vocab)
    return parts


def _handout_detail(record: dict[str, Any]) -> str:
    return f" ({KINDS[record['kind']].lower()}, {AUDIENCES[record['audience']].lower()})"


def resolve_shared_handouts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Link the handouts a lesson borrows from another page, now that every page has been read."""
    for node in list(doctree.findall(shared_handout_item)):
        found = shared_handouts(app.env, docname, [node["handout_id"]])
        if not found:  # HND002 has reported it
            node.parent.parent.remove(node.parent)
            continue
        page, record = found[0]
        uri = app.builder.get_relative_uri(docname, page) + f"#handout-{record['id']}"
        link = nodes.reference("", record["title"], refuri=uri, internal=True)
        title = app.env.titles.get(page)
        where = f" on the page \u201c{title.astext()}\u201d" if title else ""
        node.replace_self(nodes.paragraph("", "", link, nodes.Text(_handout_detail(record) + where)))


def on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read lessons that borrow a handout from a page that changed (its title may have)."""
    touched = added | changed | removed
    holders = {
        record["id"]
        for page, records in handout_records(env).items()
        if page in touched
        for record in records
    }
    return sorted(
        name
        for name, data in lesson_data(env).items()
        if name not in touched and holders & set(data.get("handouts") or [])
    )


def _disclosure_box(app: Sphinx, docname: str) -> nodes.admonition:
    box = nodes.admonition(classes=["disclosure-reminder"])
    box += nodes.title("If a student tells you about abuse", "If a student tells you about abuse")
    text = (
        "Stay calm, listen, believe and thank them. Do not ask for details, do not promise to keep "
        "it secret, and never look at, copy or forward a sexual image of a young person. "
        "You are a mandated reporter: report the same day. "
    )
    para = nodes.paragraph("", text)
    para += _doc_link(docname, "/" + app.config.curriculum_disclosure_doc, "How to respond to a disclosure")
    para += nodes.Text(".")
    box += para
    return box


def _number_sources(
    docname: str, data: dict[str, Any], doctree: nodes.document, section: nodes.section
) -> None:
    order = {source["id"]: number for number, source in enumerate(data["sources"], start=1)}
    for ref in list(doctree.findall(source_ref)):
        source_id = ref["source_id"]
        if source_id not in order:
            known = ", ".join(order)
            logger.warning(
                "LES020 unknown source '%s' (fix: add it to the front matter 'sources:' or use one of: %s)",
                source_id,
                known,
                location=ref,
                type="curriculum",
                subtype="LES020",
            )
            ref.replace_self(nodes.Text(ref.rawsource))
            continue
        label = f"[{order[source_id]}]"
        link = nodes.reference("", label, refid=f"source-{source_id}", internal=True, classes=["source-ref"])
        ref.replace_self(link)
        keep_on_line(link)
    sources = nodes.section("", ids=["sources"], names=["sources"], classes=["lesson-sources"])
    sources += nodes.title("Sources", "Sources")
    items = nodes.enumerated_list(enumtype="arabic")
    for source in data["sources"]:
        para = nodes.paragraph()
        para += nodes.Text(f"{source['publisher']}. ")
        para += nodes.reference("", source["title"], refuri=source["url"])
        if source.get("year"):
            para += nodes.Text(f" ({source['year']})")
        para += nodes.Text(".")
        if source.get("note"):
            para += nodes.Text(f" {source['note']}")
        items += nodes.list_item("", para, ids=[f"source-{source['id']}"])
    sources += items
    section += sources


#: The last word of a text, with the spaces around it (or its trailing spaces alone).
_LAST_WORD = re.compile(r"\s*\S*\s*$")
#: Punctuation that closes what a citation ends: it stays on the citation's line.
_CLOSING = re.compile(r"[.,;:!?\u2026\u201d\u2019\"')\]]+")


def keep_on_line(link: nodes.reference) -> None:
    """Bind a source number to the word before it and the punctuation after it (``cite-keep``, no wrap).

    WeasyPrint (70) breaks a line badly when a text ending in a space is
    followed by an inline element that does not fit: it breaks the line after
    its first word ("Stay", alone, then the rest of the line). In one no-wrap
    span that also holds the space before the word, the text before ends
    without a space, and the line breaks before the span instead. Tried on
    three such paragraphs at 105 page widths each: 3 bad breaks as the book was,
    none so. No line, on paper or on screen, starts with "[14]." either.
    """
    parent = link.parent
    index = _join_texts_around(parent, parent.index(link))
    keep = nodes.inline("", classes=["cite-keep"])
    before = parent[index - 1] if index else None
    if isinstance(before, nodes.Text) and not before.strip() and index > 1:
        earlier = parent[index - 2]
        if isinstance(earlier, nodes.inline) and "cite-keep" in earlier["classes"]:
            keep = earlier  # "[11] [10].": one span for both numbers
            keep += nodes.Text(str(before))
            del parent[index - 1]
            index -= 1
            before = None
    # Text nodes are strings: equal ones are told apart by position, never by value.
    if isinstance(before, nodes.Text) and (found := _LAST_WORD.search(str(before))) and found.group():
        keep += nodes.Text(found.group())
        index -= _put_text(parent, index - 1, str(before)[: found.start()])
    if keep.parent is None:
        parent[index] = keep
    else:
        del parent[index]
        index -= 1
    keep += link
    after = parent[index + 1] if index + 1 < len(parent) else None
    if isinstance(after, nodes.Text) and (closing := _CLOSING.match(str(after))):
        keep += nodes.Text(closing.group())
        _put_text(parent, index + 1, str(after)[closing.end() :])


def _put_text(parent: nodes.Element, index: int, text: str) -> bool:
    """Make child ``index`` the Text ``text``, or remove it when ``text`` is empty; True when removed."""
    if text:
        parent[index] = nodes.Text(text)
        return False
    del parent[index]
    return True


def _join_texts_around(parent: nodes.Element, index: int) -> int:
    """Join the Text children just after and just before child ``index``; return its new index.

    MyST makes a Text per source line, so the word before a number may be a line up.
    """
    stop = index + 1
    while stop < len(parent) and isinstance(parent[stop], nodes.Text):
        stop += 1
    _join(parent, index + 1, stop)
    start = index
    while start > 0 and isinstance(parent[start - 1], nodes.Text):
        start -= 1
    _join(parent, start, index)
    return start + 1 if start < index else index


def _join(parent: nodes.Element, start: int, stop: int) -> None:
    if stop - start > 1:
        parent[start] = nodes.Text("".join(str(node) for node in parent[start:stop]))
        del parent[start + 1 : stop]


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a lesson's metadata before it is read again (or after it is removed)."""
    lesson_data(env).pop(docname, None)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Merge lesson metadata read by parallel workers."""
    lesson_data(env).update({name: data for name, data in lesson_data(other).items() if name in docnames})


def setup(app: Sphinx) -> None:
    """Register the lesson-page machinery."""
    app.add_config_value("curriculum_lessons_dir", "lessons", "env", [str])
    app.add_config_value("curriculum_disclosure_doc", "lessons/adults/responding-to-disclosure", "env", [str])
    app.add_node(source_ref)
    app.add_node(shared_handout_item)
    app.add_role("source", SourceRole())
    app.connect("builder-inited", on_builder_inited)
    app.connect("source-read", on_source_read)
    app.connect("doctree-read", on_doctree_read, priority=400)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("doctree-resolved", resolve_shared_handouts, priority=400)
