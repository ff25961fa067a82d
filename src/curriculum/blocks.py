"""Semantic lesson blocks: warm-up, activity, discussion, exit ticket, teacher note...

Each block is an admonition with a class named after it, so every builder
already knows how to render it, the web CSS can style it and the print stage
can keep or drop it by class (a teacher note never reaches student material).
Timed blocks carry ``:minutes:`` and feed the lesson's agenda.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class lesson_block(nodes.admonition):
    """An admonition that is one of the semantic lesson blocks."""


#: name -> (default title, timed?)
BLOCKS: dict[str, tuple[str, bool]] = {
    "warm-up": ("Warm-up", True),
    "activity": ("Activity", True),
    "discussion": ("Discussion", True),
    "exit-ticket": ("Exit ticket", True),
    "teacher-note": ("Teacher only", False),
    "family-connection": ("Family connection", False),
    "short-version": ("Short version", False),
}

#: Classes of blocks meant for the teacher alone; print stages drop them from student material.
TEACHER_ONLY = frozenset({"teacher-note", "answer-key"})


class LessonBlockDirective(SphinxDirective):
    """``:::{activity} Title`` with ``:minutes:`` for timed blocks."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "minutes": directives.positive_int,
        "class": directives.class_option,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        kind = self.name
        default_title, timed = BLOCKS[kind]
        if not self.content:
            raise self.error(f"the '{kind}' block is empty: write its content under the opening line")
        minutes = self.options.get("minutes")
        if timed and minutes is None:
            raise self.error(f"the '{kind}' block needs ':minutes:' (how long it takes in class)")
        if not timed and minutes is not None:
            raise self.error(f"the '{kind}' block is not timed: remove ':minutes:'")
        label = self.arguments[0] if self.arguments else ""
        if kind == "teacher-note":
            title_text = f"{default_title}: {label}" if label else default_title
        else:
            title_text = label or default_title
        if minutes:
            title_text = f"{title_text} ({minutes} min)"
        node = lesson_block("", classes=["lesson-block", kind, *self.options.get("class", [])])
        node["block"] = kind
        node["label"] = label or default_title
        node["minutes"] = minutes
        self.set_source_info(node)
        title_nodes, _ = self.state.inline_text(title_text, self.lineno)
        title = nodes.title(title_text, "", *title_nodes)
        self.set_source_info(title)
        node += title
        self.state.nested_parse(self.content, self.content_offset, node)
        name = self.options.get("name") or f"{kind}-{self.env.new_serialno(kind)}"
        node["ids"].append(nodes.make_id(name))
        return [node]


def _visit(self, node: nodes.Element) -> None:
    self.visit_admonition(node)


def _depart(self, node: nodes.Element) -> None:
    self.depart_admonition(node)


def setup(app: Sphinx) -> None:
    """Register every block directive and how each builder renders the node."""
    app.add_node(
        lesson_block,
        html=(_visit, _depart),
        latex=(_visit, _depart),
        text=(_visit, _depart),
        man=(_visit, _depart),
        texinfo=(_visit, _depart),
    )
    for name in BLOCKS:
        app.add_directive(name, LessonBlockDirective)
