"""``curriculum new``: start a lesson from the template and put it in the table of contents.

Contributors never start from an empty file (The Carpentries' habit): the new
page already has every required field and block, with FIXME where their words
go, and ``curriculum check`` lists each FIXME until it is filled in.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

CLASSROOM_BANDS = ("k-2", "3-5", "6-8", "9-12")
TEMPLATE = Path("lessons") / "_template.md"


class ScaffoldError(ValueError):
    """The lesson cannot be created as asked."""


def slugify(title: str) -> str:
    """``"Who Can Help?"`` -> ``who-can-help``: the id and file name of a lesson."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to make a file name from")
    return slug


def fill_template(template: str, lesson_id: str, title: str, band: str, today: datetime.date) -> str:
    """The template with id, title, band and review date filled in, and its copying notes dropped."""
    front_end = template.index("\n---", 3)
    head = "\n".join(line for line in template[:front_end].splitlines() if not line.startswith("#"))
    text = head + template[front_end:]
    replacements = {
        r"^id: .*$": f"id: {lesson_id}",
        r"^title: .*$": f"title: {title}",
        r"^band: .*$": f"band: {band}",
        r"^last_reviewed: .*$": f'last_reviewed: "{today.isoformat()}"',
        r"^# FIXME Lesson title$": f"# {title}",
    }
    for pattern, value in replacements.items():
        text = re.sub(pattern, value.replace("\\", "\\\\"), text, count=1, flags=re.MULTILINE)
    return text


def add_to_toc(toc: str, band: str, docname: str) -> str:
    """Insert ``docname`` as the last section under the band's overview page in ``_toc.yml`` text."""
    lines = toc.splitlines()
    anchor = next(
        (i for i, line in enumerate(lines) if line.strip() == f"- file: lessons/{band}/index"), None
    )
    if anchor is None:
        raise ScaffoldError(f"_toc.yml has no entry 'lessons/{band}/index' to put the lesson under")
    indent = len(lines[anchor]) - len(lines[anchor].lstrip())
    entry_indent = " " * (indent + 4)
    end = anchor + 1
    if end < len(lines) and lines[end].strip() == "sections:":
        end += 1
        while end < len(lines) and lines[end].startswith(entry_indent):
            end += 1
        lines.insert(end, f"{entry_indent}- file: {docname}")
    else:
        lines[end:end] = [f"{' ' * (indent + 2)}sections:", f"{entry_indent}- file: {docname}"]
    return "\n".join(lines) + "\n"


def new_lesson(root: Path, band: str, title: str, today: datetime.date | None = None) -> Path:
    """Create ``lessons/<band>/<id>.md`` from the template and list it in ``_toc.yml``."""
    if band not in CLASSROOM_BANDS:
        raise ScaffoldError(f"unknown band {band!r}: use one of {', '.join(CLASSROOM_BANDS)}")
    lesson_id = slugify(title)
    path = root / "lessons" / band / f"{lesson_id}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root)} already exists: choose another title")
    template = (root / TEMPLATE).read_text(encoding="utf-8")
    toc_path = root / "_toc.yml"
    toc = add_to_toc(toc_path.read_text(encoding="utf-8"), band, f"lessons/{band}/{lesson_id}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        fill_template(template, lesson_id, title, band, today or datetime.date.today()), encoding="utf-8"
    )
    toc_path.write_text(toc, encoding="utf-8")
    return path
