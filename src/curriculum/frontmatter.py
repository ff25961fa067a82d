"""Read a page's YAML front matter, keeping the line of every value.

The build and the ``check`` command both report problems as ``file:line``, so
the front matter is composed into a YAML node tree (which remembers where each
value starts) before it is turned into plain data.  Dates stay strings: the
schema validates their shape, and a ``datetime.date`` would not survive JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = "---"


# libyaml's C parser when PyYAML has it: the pure-Python one dominated `check`'s run time.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringDateLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader without the timestamp resolver, so ``2026-01-31`` stays text."""


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatterError(ValueError):
    """The page has no front matter, or it is not valid YAML."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class FrontMatter:
    """Front matter data plus the file line of every key path."""

    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    end_line: int = 1

    def line_of(self, path: tuple[str | int, ...]) -> int:
        """Line of the deepest known prefix of ``path`` (1-based, in the file)."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return 1


def split(text: str) -> tuple[str, int] | None:
    """Return the YAML between the ``---`` fences and the line after the closing one."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "\n".join(lines[1:index]), index + 2
    return None


def parse(text: str) -> FrontMatter:
    """Parse the front matter of a Markdown page, raising :class:`FrontMatterError`."""
    parts = split(text)
    if parts is None:
        raise FrontMatterError(
            "no front matter: the page must start with a '---' line and a closing '---'", 1
        )
    source, end_line = parts
    try:
        data, lines = load_with_lines(source, first_line=2)
    except FrontMatterError as error:
        raise FrontMatterError(f"front matter is {error}", error.line) from error
    return FrontMatter(data=data, lines=lines, end_line=end_line)


def load_with_lines(source: str, first_line: int = 1) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """Load YAML text (dates kept as strings) and the line of every key path.

    ``first_line`` is the file line on which ``source`` starts.
    """
    try:
        node = yaml.compose(source, Loader=_StringDateLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(f"not valid YAML: {problem}", line) from error
    if node is None or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError("not a mapping of 'key: value' lines", first_line)
    lines: dict[tuple[str | int, ...], int] = {}
    _record_lines(node, (), lines, first_line)
    constructor = _StringDateLoader("")
    try:
        data = constructor.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        raise FrontMatterError(f"not valid YAML: {getattr(error, 'problem', None) or error}", line) from error
    finally:
        constructor.dispose()
    return data, lines


def _record_lines(
    node: yaml.Node, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int], first: int
) -> None:
    # YAML marks count from 0; `first` is the file line of the YAML's first line.
    lines[path] = node.start_mark.line + first
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _record_lines(value, child, lines, first)
            lines[child] = key.start_mark.line + first
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, first)
