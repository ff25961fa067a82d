"""A lesson's print page as Typst markup, and Typst's PDF of it.

Typst (``pip install typst``: the compiler, bundled) lays out a lesson plan about
ten times faster than WeasyPrint did and writes tagged PDF/UA-1, which is what the
book's PDFs need to stay within the build's time as the curriculum grows (issue 4).
It reads Typst markup, not HTML: this module writes the markup from the lesson's
print page (``pdf/pages/<lesson>.html``, made from its web page's body and also in
the site), so the web copy and the PDF show one text.
The print design is ``handouts/lesson.typ``; this module only says which of its
functions each part of the page is (our print pages use a small, known set of
elements and classes, those of ``handouts/book.css``).

Text goes in as Typst strings (``#"..."``), never as markup: a lesson's ``//``,
``*`` or ``<`` stays text, and quotes stay as typed.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

#: Elements with no content and no end tag.
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}
#: Classes whose element is for the screen only (book.css hides them).
_HIDDEN = {"headerlink", "web-only", "handout-links"}
#: Lesson blocks whose title is a bookmark under its section: a teacher jumps to "Practice (13 min)".
_AGENDA_STEPS = {"warm-up", "activity", "discussion", "exit-ticket"}
#: Box kinds with a border of their own in the print design (``box-stroke`` in lesson.typ).
_BOX_KINDS = ("disclosure-reminder", "teacher-note", "answer-key", "scenario-card", "handout")
_SPACE = re.compile(r"\s+")


@dataclass
class Element:
    """One HTML element of a print page, with its children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """Its text, as a screen reader would say it (alt text of images included)."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The page's element tree (html.parser: our print pages are well formed)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _find(element: Element, tag: str) -> Element | None:
    for child in element.children:
        if isinstance(child, Element):
            if child.tag == tag:
                return child
            found = _find(child, tag)
            if found is not None:
                return found
    return None


def string(text: str) -> str:
    """A Typst string literal holding ``text``."""
    return json.dumps(text, ensure_ascii=False)


def label(name: str) -> str:
    """A Typst label, from an HTML id (ids Sphinx writes are valid labels)."""
    return f"<{name}>"


class Writer:
    """Writes a print page's body (its ``<main>`` and footer) as Typst markup.

    An element's id becomes a label Typst links to: on a heading, the
    heading's own (so a bookmark or a link lands on it); elsewhere an invisible
    ``metadata`` just before the element (the start of a source in the list, a
    handout's box, a step), which takes no room.
    """

    def __init__(self, page_dir: str) -> None:
        #: The print page's folder from the site root: images are written root-relative
        #: (``/_images/...``), which Typst resolves in the root it is given (the site).
        self.page_dir = page_dir

    # Inline content ------------------------------------------------------------------------

    def inline(self, nodes: list[Element | str]) -> str:
        return "".join(self.inline_node(node) for node in nodes)

    def inline_node(self, node: Element | str) -> str:
        if isinstance(node, str):
            text = _SPACE.sub(" ", node)
            return f"#{string(text)}" if text else ""
        tag, classes = node.tag, node.classes
        if classes & _HIDDEN or tag == "input":
            return ""
        inner = self.inline(node.children)
        if tag == "a" and node.attrs.get("href"):  # a link with no address (paper_links) is its words
            href = node.attrs["href"]
            target = label(href[1:]) if href.startswith("#") else string(href)
            if "source-ref" in classes:
                return f"#source-ref({target}, [{inner}])"
            return f"#link({target})[{inner}]"
        markup = inner
        if "cite-keep" in classes:
            markup = f"#cite[{inner}]"
        elif "writing-line" in classes:
            markup = "#writing-line"
        elif tag in ("em", "i", "cite"):
            markup = f"#emph[{inner}]"
        elif tag in ("strong", "b"):
            markup = f"#strong[{inner}]"
        elif tag in ("code", "kbd", "samp", "tt"):
            markup = f"#raw({string(node.text())})"
        elif tag in ("sup", "sub"):
            markup = f"#{'super' if tag == 'sup' else 'sub'}[{inner}]"
        elif tag == "br":
            markup = "#linebreak()"
        elif tag == "img":
            markup = self.image(node)
        return self.anchor(node) + markup

    def anchor(self, node: Element) -> str:
        """A link target where the element starts (a source in the list, a step), if it has an id."""
        return f"#metadata(none){label(node.attrs['id'])}" if node.attrs.get("id") else ""

    def image(self, node: Element) -> str:
        """An image at its own size (narrowed to the column if wider), with its alt text."""
        path = posixpath.normpath(posixpath.join(self.page_dir, node.attrs.get("src", "")))
        return f"#box(image({string(path)}, alt: {string(node.attrs.get('alt', ''))}))"

    # Blocks ---------------------------------------------------------------------------------

    def blocks(self, nodes: list[Element | str]) -> str:
        """Block content: paragraphs and boxes, with stray text gathered into paragraphs."""
        out: list[str] = []
        run: list[Element | str] = []
        for node in nodes:
            if isinstance(node, Element) and self.is_block(node):
                out.append(self.paragraph(run))
                run = []
                out.append(self.block(node))
            else:
                run.append(node)
        out.append(self.paragraph(run))
        return "".join(out)

    @staticmethod
    def is_block(node: Element) -> bool:
        return node.tag in _BLOCKS or "admonition" in node.classes

    def paragraph(self, nodes: list[Element | str]) -> str:
        if all(isinstance(node, str) and not node.strip() for node in nodes):
            return ""
        return f"\n{self.inline(nodes).strip()}\n"

    def block(self, node: Element) -> str:
        tag, classes = node.tag, node.classes
        if classes & _HIDDEN or tag in ("input", "script", "style"):
            return ""
        if tag == "section":
            return self.section(node)
        if re.fullmatch(r"h[1-6]", tag):
            return self.heading(int(tag[1]), node.children, node.attrs.get("id"))
        if "admonition" in classes:
            markup = self.admonition(node)
        elif tag == "p" and "rubric" in classes:
            markup = f"#rubric[{self.inline(node.children)}]"
        elif tag == "label":  # a tab's label: printed above its content
            markup = f"#rubric[{self.inline(node.children)}]"
        elif tag == "p" or tag == "figcaption":
            markup = self.inline(node.children).strip()
        elif tag in ("ul", "ol"):
            markup = self.listing(node)
        elif tag == "dl":
            markup = self.definitions(node)
        elif tag == "table":
            markup = self.table(node)
        elif tag == "details":
            markup = self.details(node)
        elif tag == "blockquote":
            markup = f"#quote(block: true)[{self.blocks(node.children)}]"
        elif tag == "hr":
            markup = "#line(length: 100%, stroke: 0.5pt)"
        elif "resource-entry" in classes:  # a help line's name, numbers and hours stay on one page
            markup = f"#block(breakable: false, width: 100%)[{self.blocks(node.children)}]"
        elif tag == "footer":
            markup = f"#lesson-footer[{self.blocks(node.children)}]"
        elif tag == "img":
            markup = self.image(node)
        else:
            markup = self.blocks(node.children)
        return f"\n{self.anchor(node)}{markup}\n"

    def heading(self, level: int, children: list[Element | str], anchor: str | None) -> str:
        text = self.inline(children).strip()
        return f"\n#heading(level: {level})[{text}]{label(anchor) if anchor else ''}\n"

    def section(self, node: Element) -> str:
        """A section: its id labels its heading (the heading Sphinx writes has none)."""
        out: list[str] = []
        anchor = node.attrs.get("id")
        for child in node.children:
            if isinstance(child, Element) and re.fullmatch(r"h[1-6]", child.tag) and anchor:
                out.append(self.heading(int(child.tag[1]), child.children, anchor))
                anchor = None
            else:
                out.append(self.blocks([child]))
        if anchor:
            out.insert(0, self.anchor(node))
        if "lesson-glance" in node.classes:
            return f"\n#glance[{''.join(out)}]\n"
        return "".join(out)

    def admonition(self, node: Element) -> str:
        """A lesson block in its box; the title of a step of the agenda is a bookmark under its section."""
        kind = next((name for name in _BOX_KINDS if name in node.classes), "")
        out: list[str] = []
        for child in node.children:
            if isinstance(child, Element) and "admonition-title" in child.classes:
                title = self.inline(child.children).strip()
                step = node.classes & _AGENDA_STEPS
                out.append(f"\n#heading(level: 3)[{title}]\n" if step else f"\n#box-title[{title}]\n")
            else:
                out.append(self.blocks([child]))
        breakable = "false" if kind == "scenario-card" else "true"
        return f'#lesson-box(kind: "{kind}", breakable: {breakable})[{"".join(out)}]'

    def listing(self, node: Element) -> str:
        items = [
            f"[{self.anchor(item)}{self.blocks(item.children)}]"
            for item in node.children
            if isinstance(item, Element) and item.tag == "li"
        ]
        function = "enum" if node.tag == "ol" else "list"
        tight = "true" if "simple" in node.classes else "false"  # docutils: one paragraph per item
        return f"#{function}(tight: {tight}, {', '.join(items)})" if items else ""

    def definitions(self, node: Element) -> str:
        """Glance facts as a two-column grid; other terms (vocabulary) each above its meaning."""
        pairs: list[tuple[str, str]] = []
        for child in node.children:
            if isinstance(child, Element) and child.tag == "dt":
                pairs.append((self.anchor(child) + self.inline(child.children).strip(), ""))
            elif isinstance(child, Element) and child.tag == "dd" and pairs:
                pairs[-1] = (pairs[-1][0], pairs[-1][1] + self.blocks(child.children))
        if "glance-facts" in node.classes:
            return f"#facts({', '.join(f'[{term}], [{meaning}]' for term, meaning in pairs)})"
        return "".join(f"#term([{term}], [{meaning}])\n" for term, meaning in pairs)

    def table(self, node: Element) -> str:
        """A table, its header row repeated on each page it runs onto."""
        header: list[str] = []
        rows: list[list[str]] = []
        for part in (child for child in node.children if isinstance(child, Element)):
            for row in [part] if part.tag == "tr" else [r for r in part.children if isinstance(r, Element)]:
                cells = [
                    f"[{self.blocks(cell.children)}]"
                    for cell in row.children
                    if isinstance(cell, Element) and cell.tag in ("th", "td")
                ]
                if part.tag == "thead":
                    header.extend(cells)
                else:
                    rows.append(cells)
        columns = max([len(header), *(len(row) for row in rows)], default=1)
        head = f"table.header({', '.join(f'strong{cell}' for cell in header)}), " if header else ""
        return f"#table(columns: {columns}, align: left, {head}{', '.join(c for row in rows for c in row)})"

    def details(self, node: Element) -> str:
        """A dropdown, printed open: its summary as its title."""
        out: list[str] = []
        for child in node.children:
            if isinstance(child, Element) and child.tag == "summary":
                out.append(f"\n#rubric[{self.inline(child.children)}]\n")
            else:
                out.append(self.blocks([child]))
        return f"#block(width: 100%, stroke: 0.75pt, inset: 0.5em)[{''.join(out)}]"


_BLOCKS = {
    "section", "div", "p", "ul", "ol", "dl", "table", "details", "blockquote", "hr", "label",
    "footer", "figure", "figcaption", "main", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
}  # fmt: skip


@dataclass(frozen=True)
class Meta:
    """What the PDF says about itself (its metadata), from the print page's head."""

    title: str
    author: str
    description: str
    language: str
    date: str


def meta(page: Element) -> Meta:
    """The title, author, description, language and date the print page's head gives."""
    head = _find(page, "head")
    html = _find(page, "html")
    metas: dict[str, str] = {}
    title = ""
    if head is not None:
        for child in head.children:
            if isinstance(child, Element) and child.tag == "meta" and "name" in child.attrs:
                metas[child.attrs["name"]] = child.attrs.get("content", "")
            if isinstance(child, Element) and child.tag == "title":
                title = child.text().strip()
    return Meta(
        title=title,
        author=metas.get("author", ""),
        description=metas.get("description", ""),
        language=(html.attrs.get("lang", "en") if html is not None else "en"),
        date=metas.get("dcterms.created", ""),
    )


def document(html: str, page_dir: str, design: str, paper: str = "us-letter") -> str:
    """The Typst document of a print page in ``page_dir``, laid out by ``design`` (both site paths)."""
    page = parse(html)
    info = meta(page)
    body = _find(page, "body") or page
    h1 = _find(body, "h1")
    writer = Writer(page_dir)
    running = writer.inline(h1.children).strip() if h1 is not None else ""
    return (
        f"#import {string(design)}: *\n"
        f"{settings(info.title, info.author, info.language, info.description, info.date)}"
        f"#show: lesson.with(title: [{running}], paper: {string(paper)})\n"
        f"{writer.blocks(body.children)}\n"
    )


def settings(title: str, author: str, language: str, description: str = "", date: str = "") -> str:
    """Typst set rules for what a PDF says about itself: the title and language a screen reader announces."""
    fields = f"title: {string(title)}, author: {string(author)}"
    if description:
        fields += f", description: {string(description)}"
    if date:
        year, month, day = (int(part) for part in date.split("-"))
        fields += f", date: datetime(year: {year}, month: {month}, day: {day})"
    return f"#set document({fields})\n#set text(lang: {string(language.split('-')[0])})\n"


#: Typst's names of the build's papers (``curriculum_paper``).
PAPERS = {"letter": "us-letter", "a4": "a4"}


@cache
def _compiler(root: str) -> Any:
    """One compiler per worker and site.

    It finds the fonts once, and Typst keeps what it laid out between
    documents (a lesson edited again is laid out again only where it changed).
    """
    import typst

    return typst.Compiler(root=root)


def pdf(html: str, page: Path, site: Path, design: str, paper: str, date: str) -> bytes:
    """The tagged PDF/UA-1 of a print page (``html``, the file ``page`` under ``site``), on ``paper``.

    ``design`` is the file name of the print design beside the page.
    """
    folder = "/" + page.parent.relative_to(site).as_posix()
    source = document(html, folder, posixpath.join(folder, design), PAPERS[paper])
    try:
        return compile_pdf(source, site, date)
    except RuntimeError as error:
        raise RuntimeError(f"{page.name}: {error}") from error


def compile_pdf(source: str, root: Path, date: str) -> bytes:
    """Typst's tagged PDF/UA-1 of ``source`` (files it reads are under ``root``), dated ``date``.

    The PDF's dates are the given date (a lesson's last review), so the same
    source gives the same bytes.
    """
    year, month, day = (int(part) for part in date.split("-"))
    try:
        return _compiler(str(root)).compile(
            input=source.encode(),
            format="pdf",
            pdf_standards=["ua-1"],
            timestamp=datetime(year, month, day, tzinfo=UTC),
        )
    except Exception as error:  # typst.TypstError: its message says what is wrong
        raise RuntimeError(f"Typst: {getattr(error, 'message', error)}") from error
