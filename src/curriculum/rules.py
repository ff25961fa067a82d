"""The lesson rules: each has a code, a message and a how-to-fix hint.

Rules return :class:`Problem` values and print nothing, so the Sphinx build
(which turns them into warnings, fatal under ``-W``) and any other caller
share one definition of what a correct lesson is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from curriculum import frontmatter

BANDS = ("k-2", "3-5", "6-8", "9-12", "adults")

#: Blocks every classroom lesson must contain, in teaching order where timed.
REQUIRED_BLOCKS = (
    "teacher-note",
    "warm-up",
    "activity",
    "discussion",
    "exit-ticket",
    "family-connection",
)

#: Codes meaning the front matter cannot be used (so no panel or catalog entry is made).
FRONT_MATTER_CODES = frozenset(
    {"LES001", "LES002", "LES003", "LES004", "FIL001", "FIL002", "FIL003", "FIL004", "FIL005"}
)

_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?P<name>[a-z][a-z0-9-]*)\}(?P<arg>.*)$")
_MINUTES = re.compile(r"^\s*:minutes:\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place."""

    path: str
    line: int
    code: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


@cache
def lesson_schema() -> dict[str, Any]:
    """The published JSON Schema of lesson front matter."""
    text = resources.files("curriculum").joinpath("schemas/lesson.schema.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Block:
    """A semantic block (directive) found in a lesson source."""

    name: str
    line: int
    minutes: int | None


def find_blocks(text: str) -> list[Block]:
    """List the directives of a MyST page with their line and ``:minutes:`` option.

    A line scan rather than a parse, so blocks nested inside other blocks are
    found too and the rule runs in microseconds without Sphinx.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        minutes = None
        for option in lines[number : number + 6]:
            option_match = _MINUTES.match(option)
            if option_match:
                value = option_match["value"]
                minutes = int(value) if value.isdigit() else -1
                break
            if not option.strip().startswith(":"):
                break
        blocks.append(Block(match["name"], number, minutes))
    return blocks


def _schema_message(error: jsonschema.ValidationError) -> tuple[str, str]:
    field = ".".join(str(part) for part in error.absolute_path) or "front matter"
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        return f"missing required field '{name}'", f"add '{name}:' to the front matter"
    if error.validator == "additionalProperties":
        return (
            f"{field}: {error.message}",
            "remove the field or fix its spelling; the allowed fields are in the lesson schema",
        )
    if error.validator == "enum":
        allowed = ", ".join(str(value) for value in error.validator_value)
        return (
            f"field '{field}' has value {error.instance!r}, which is not one of: {allowed}",
            f"use one of: {allowed}",
        )
    if error.validator == "minItems" and error.instance == []:
        return f"field '{field}' is an empty list", f"list at least {error.validator_value} item(s)"
    if error.validator in {"minimum", "maximum"}:
        return (
            f"field '{field}' is {error.instance}, outside the allowed range",
            f"use a whole number of minutes ({error.validator} {error.validator_value})",
        )
    return f"field '{field}': {error.message}", "see the lesson format page for the field's shape"


def check_front_matter(
    path: Path, text: str, root: Path, parsed: frontmatter.FrontMatter | None = None
) -> tuple[frontmatter.FrontMatter | None, list[Problem]]:
    """Validate the front matter of a page in ``lessons/``; return it (when valid) and the problems.

    ``parsed`` is the front matter when the caller has parsed it already (YAML
    is a good part of checking a page).
    """
    shown = _display(path, root)
    try:
        front = parsed or frontmatter.parse(text)
    except frontmatter.FrontMatterError as error:
        return None, [
            Problem(
                shown, error.line, "LES001", str(error), "start the file with the template's front matter"
            )
        ]
    problems = []
    validator = jsonschema.Draft202012Validator(lesson_schema())
    for error in sorted(validator.iter_errors(front.data), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator in {"if", "allOf"}:
            continue
        message, hint = _schema_message(error)
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = [key for key in error.instance if key not in error.schema.get("properties", {})]
            where = (*where, extra[0]) if extra else where
        line = front.line_of(where)
        problems.append(Problem(shown, line, "LES002", message, hint))
    data = front.data
    stem = path.stem
    if isinstance(data.get("id"), str) and data["id"] != stem:
        problems.append(
            Problem(
                shown,
                front.line_of(("id",)),
                "LES003",
                f"id '{data['id']}' differs from the file name '{stem}.md'",
                f"rename the file to '{data['id']}.md' or set 'id: {stem}'",
            )
        )
    folder = path.parent.name
    if folder in BANDS and isinstance(data.get("band"), str) and data["band"] != folder:
        problems.append(
            Problem(
                shown,
                front.line_of(("band",)),
                "LES004",
                f"band '{data['band']}' does not match the folder 'lessons/{folder}/'",
                f"set 'band: {folder}' or move the file to lessons/{data['band']}/",
            )
        )
    if problems:
        return None, problems
    return front, []


def check_blocks(path: Path, text: str, data: dict[str, Any], root: Path) -> list[Problem]:
    """Required blocks present, and the timed blocks add up to the lesson's duration."""
    if data.get("kind") != "lesson":
        return []
    shown = _display(path, root)
    blocks = find_blocks(text)
    names = {block.name for block in blocks}
    problems = [
        Problem(
            shown,
            1,
            "LES010",
            f"required block '{name}' is missing",
            f"add a ':::{{{name}}}' block (see lessons/_template.md)",
        )
        for name in REQUIRED_BLOCKS
        if name not in names
    ]
    timed = [block for block in blocks if block.minutes is not None]
    for block in timed:
        if block.minutes is not None and block.minutes <= 0:
            problems.append(
                Problem(
                    shown,
                    block.line,
                    "LES011",
                    f"block '{block.name}' has an invalid ':minutes:' value",
                    "write a whole number of minutes, for example ':minutes: 10'",
                )
            )
    total = sum(block.minutes for block in timed if block.minutes and block.minutes > 0)
    duration = data.get("duration_minutes")
    if not problems and timed and total != duration:
        problems.append(
            Problem(
                shown,
                1,
                "LES012",
                f"the timed blocks add up to {total} minutes but duration_minutes is {duration}",
                "make the ':minutes:' of the blocks add up to duration_minutes",
            )
        )
    return problems


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
