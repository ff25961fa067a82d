"""The book's sources, as distinct from its machinery: what a copy of the book needs.

Tests and the benchmark build the real curriculum in a temporary folder; both
copy exactly these parts, so a new kind of source is added in one place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: Paths, relative to the repository root, that a build of the book reads.
BOOK_PARTS = (
    "_config.yml",
    "_toc.yml",
    "index.md",
    "book",
    "lessons",
    "handouts",
    "data",
    "src/curriculum/schemas",
)


def copy_book(root: Path, target: Path) -> Path:
    """Copy the book's sources from ``root`` into ``target`` (created as needed)."""
    for part in BOOK_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, target / part)  # creates missing parent folders too
        elif source.exists():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    return target
