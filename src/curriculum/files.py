"""Writing the build's outputs only when their content changed.

A rebuild that rewrote a page, a print page or a PDF with the same bytes
would move its time: print jobs keyed on it, a deployment that copies what
is newer and readers' browsers would all take it for new.
"""

from __future__ import annotations

from pathlib import Path


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write ``content`` (text as UTF-8) unless the file already holds it; True when written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True
