"""Handouts written inside their lesson: ``{handout}``, ``{scenario}`` and ``{answer-key}``.

A handout renders inline, in a handout frame, where the teacher reads the
lesson; the build records each one (id, title, kind, audience, place) so the
"At a glance" panel can list it and the print stage can render it alone.
Answer keys are teacher-only, like teacher notes.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

KINDS = {
    "worksheet": "Worksheet",
    "scenario-cards": "Scenario cards",
    "family-letter": "Family letter",
    "tip-sheet": "Tip sheet",
    "exit-ticket": "Exit ticket",
    "response-card": "Response card",
}
AUDIENCES = {"students": "For students", "families": "For families", "teacher": "For the teacher"}


class handout(nodes.admonition):
    """A handout, framed inline in its lesson."""


class scenario(nodes.admonition):
    """One scenario card inside a scenario-cards handout."""


class answer_key(nodes.admonition):
    """Answers for the teacher; never on student or family material."""


def handout_records(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    """Handouts of every document read so far, by docname, in page order."""
    if not hasattr(env, "curriculum_handouts"):
        env.curriculum_handouts = {}
    return env.curriculum_handouts


def shared_handouts(
    env: BuildEnvironment, docname: str, declared: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Handouts a lesson lists but another page holds (the help card, say), as (page, record)."""
    own = {record["id"] for record in handout_records(env).get(docname, [])}
    wanted = [handout_id for handout_id in declared if handout_id not in own]
    found = {
        record["id"]: (page, record)
        for page, records in handout_records(env).items()
        if page != docname
        for record in records
        if record["id"] in wanted
    }
    return [found[handout_id] for handout_id in wanted if handout_id in found]


def handouts_of(env: BuildEnvironment, docname: str, declared: list[str]) -> list[dict[str, Any]]:
    """Every handout a page prints with: its own, then those it lists that other pages hold."""
    return handout_records(env).get(docname, []) + [
        record for _, record in shared_handouts(env, docname, declared)
    ]


#: A line to write on, typed as underscores ("Open: ______"), alone on its line or in a sentence.
WRITING_LINE = re.compile(r"_{3,}")


def mark_writing_lines(handout_node: nodes.Element) -> None:
    """Wrap each run of underscores in a ``writing-line`` span, which the CSS clips to its column.

    An author types a writing line for the width of a Letter sheet; at 18 pt
    (large print) or on a phone it would run past the margin, or break into a
    line and a stub. Clipped, it ends at the column's edge. The underscores stay
    in the text, so the .docx and a screen reader still have the line.
    """
    for text in list(handout_node.findall(nodes.Text)):
        parent = text.parent
        if isinstance(parent, nodes.FixedTextElement | nodes.reference) or not WRITING_LINE.search(text):
            continue
        parts: list[nodes.Node] = []
        last = 0
        for found in WRITING_LINE.finditer(text):
            if found.start() > last:
                parts.append(nodes.Text(text[last : found.start()]))
            parts.append(nodes.inline(found.group(), found.group(), classes=["writing-line"]))
            last = found.end()
        if last < len(text):
            parts.append(nodes.Text(text[last:]))
        index = parent.index(text)
        parent[index : index + 1] = parts


def _choice(options: dict[str, str]):
    def check(value: str | None) -> str:
        return directives.choice(value, tuple(options))

    return check


class HandoutDirective(SphinxDirective):
    """``::::{handout} Title`` with ``:id:``, ``:kind:`` and ``:audience:``."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "id": directives.unchanged_required,
        "kind": _choice(KINDS),
        "audience": _choice(AUDIENCES),
    }

    def run(self) -> list[nodes.Node]:
        title = self.arguments[0]
        for option in ("id", "kind", "audience"):
            if option not in self.options:
                raise self.error(f"handout '{title}' needs ':{option}:'")
        handout_id = self.options["id"]
        if nodes.make_id(handout_id) != handout_id:
            raise self.error(f"handout id '{handout_id}' must be lower case words joined by hyphens")
        if not self.content or not "".join(self.content).strip():
            raise self.error(f"handout '{handout_id}' is empty: write its content under the options")
        kind, audience = self.options["kind"], self.options["audience"]
        node = handout(
            "", classes=["handout", f"handout-{kind}", f"audience-{audience}"], ids=[f"handout-{handout_id}"]
        )
        node["handout_id"] = handout_id
        self.set_source_info(node)
        label = f"Handout: {title}"
        node += nodes.title(label, label)
        meta = f"{KINDS[kind]} · {AUDIENCES[audience]}"
        node += nodes.paragraph(meta, meta, classes=["handout-meta"])
        self.state.nested_parse(self.content, self.content_offset, node)
        mark_writing_lines(node)
        if kind == "scenario-cards" and not any(True for _ in node.findall(scenario)):
            raise self.error(f"scenario-cards handout '{handout_id}' has no '{{scenario}}' cards")
        handout_records(self.env).setdefault(self.env.docname, []).append(
            {
                "id": handout_id,
                "title": title,
                "kind": kind,
                "audience": audience,
                "line": self.lineno,
                "has_answers": any(True for _ in node.findall(answer_key)),
            }
        )
        return [node]


class ScenarioDirective(SphinxDirective):
    """``:::{scenario} Card 1``: one card of a scenario-cards handout."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("the scenario card is empty")
        title = self.arguments[0] if self.arguments else "Scenario"
        node = scenario("", classes=["scenario-card"])
        self.set_source_info(node)
        node += nodes.title(title, title)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class AnswerKeyDirective(SphinxDirective):
    """``:::{answer-key}``: answers shown to the teacher, kept off student copies."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("the answer key is empty")
        title = "Answer key (teacher only)" + (f": {self.arguments[0]}" if self.arguments else "")
        node = answer_key("", classes=["answer-key"])
        self.set_source_info(node)
        node += nodes.title(title, title)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def check_handouts(app: Sphinx, env: BuildEnvironment) -> None:
    """Ids are unique across the book, and each lesson lists exactly the handouts it has."""
    seen: dict[str, str] = {}
    records = handout_records(env)
    for docname in sorted(records):
        for record in records[docname]:
            place = f"{env.doc2path(docname)}:{record['line']}"
            if record["id"] in seen:
                logger.warning(
                    "HND001 duplicate handout id '%s' (also at %s; fix: give each handout its own id)",
                    record["id"],
                    seen[record["id"]],
                    location=(docname, record["line"]),
                    type="curriculum",
                    subtype="HND001",
                )
            else:
                seen[record["id"]] = place
    lessons = getattr(env, "curriculum_lessons", {})
    for docname, data in lessons.items():
        declared = set(data.get("handouts", []))
        present = {record["id"] for record in records.get(docname, [])}
        for missing in sorted(declared - present - set(seen)):
            logger.warning(
                "HND002 front matter lists handout '%s' but no page of the book has a handout with "
                "that id (fix: add the block, remove the id, or use the id of a handout on another page)",
                missing,
                location=(docname, data["handouts_line"]),
                type="curriculum",
                subtype="HND002",
            )
        for extra in sorted(present - declared):
            logger.warning(
                "HND003 handout '%s' is not listed in the front matter 'handouts:' (fix: add it)",
                extra,
                location=(docname, data["handouts_line"]),
                type="curriculum",
                subtype="HND003",
            )


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """A re-read or removed page takes its handouts with it."""
    handout_records(env).pop(docname, None)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Merge handouts found by parallel readers (without this they would silently vanish)."""
    mine = handout_records(env)
    for docname, records in handout_records(other).items():
        if docname in docnames:
            mine[docname] = records


def _visit(self, node: nodes.Element) -> None:
    self.visit_admonition(node)


def _depart(self, node: nodes.Element) -> None:
    self.depart_admonition(node)


def setup(app: Sphinx) -> None:
    """Register the handout directives, their nodes and the consistency checks."""
    for node_class in (handout, scenario, answer_key):
        app.add_node(node_class, html=(_visit, _depart), latex=(_visit, _depart), text=(_visit, _depart))
    app.add_directive("handout", HandoutDirective)
    app.add_directive("scenario", ScenarioDirective)
    app.add_directive("answer-key", AnswerKeyDirective)
    app.connect("env-check-consistency", check_handouts)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
