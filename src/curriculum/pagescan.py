"""A fast, line-accurate view of a MyST page for the checks that run without Sphinx.

The ``check`` command must judge the whole curriculum in well under a second,
so instead of a full parse it walks the lines once, keeping the stack of open
directive blocks (with their options) and skipping code blocks.  Every rule
then sees each body line with its line number and the blocks around it, and
so can tell a student handout from a teacher note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curriculum import frontmatter

_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|:{3,}|~{3,})\{(?P<name>[a-zA-Z][\w-]*)\}\s*(?P<arg>.*?)\s*$")
_CODE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?!\{)")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


@dataclass
class Block:
    """A directive block: name, argument, options and the line that opens it."""

    name: str
    argument: str
    line: int
    fence: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One body line with its number and the blocks that enclose it, outermost first."""

    number: int
    text: str
    stack: tuple[Block, ...]

    def inside(self, name: str) -> Block | None:
        """The innermost enclosing block called ``name``, if any."""
        return next((block for block in reversed(self.stack) if block.name == name), None)


@dataclass
class Page:
    """A scanned page: front matter (if valid), blocks and body lines."""

    text: str
    front: frontmatter.FrontMatter | None
    front_error: frontmatter.FrontMatterError | None
    blocks: list[Block]
    lines: list[Line]


def scan(text: str) -> Page:
    """Scan a page; never raises on bad input (problems surface through the rules)."""
    front: frontmatter.FrontMatter | None = None
    error: frontmatter.FrontMatterError | None = None
    start = 0
    if frontmatter.split(text) is not None:
        try:
            front = frontmatter.parse(text)
        except frontmatter.FrontMatterError as caught:
            error = caught
        parts = frontmatter.split(text)
        start = parts[1] - 1 if parts else 0
    raw = text.splitlines()
    blocks: list[Block] = []
    lines: list[Line] = []
    stack: list[Block] = []
    code_fence: str | None = None
    reading_options = False
    for index in range(start, len(raw)):
        number, line = index + 1, raw[index]
        stripped = line.strip()
        if code_fence is not None:
            if stripped.startswith(code_fence[0] * len(code_fence)) and set(stripped) <= set(code_fence[0]):
                code_fence = None
            continue
        opened = _OPEN.match(line)
        if opened:
            block = Block(opened["name"], opened["arg"], number, opened["fence"])
            if block.name in {"code-block", "code", "sourcecode"}:
                code_fence = block.fence
                continue
            blocks.append(block)
            stack.append(block)
            reading_options = True
            continue
        if (
            stack
            and stripped
            and set(stripped) == {stack[-1].fence[0]}
            and len(stripped) >= len(stack[-1].fence)
        ):
            stack.pop()
            reading_options = False
            continue
        code = _CODE.match(line)
        if code:
            code_fence = code["fence"]
            continue
        if reading_options:
            option = _OPTION.match(line)
            if option and stack:
                stack[-1].options[option["key"]] = option["value"]
                continue
            reading_options = False
        lines.append(Line(number, line, tuple(stack)))
    return Page(text, front, error, blocks, lines)
