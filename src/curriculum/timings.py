"""Stage timings of a build, for the benchmark: set ``CURRICULUM_TIMINGS`` to a JSON file path.

Sphinx reports no per-stage times, so the extension notes the clock at the
events that separate the stages (reading; writing the HTML pages, each with
its handout and lesson print pages; the print stage) and writes them out at
the end.
"""

from __future__ import annotations

import json
import os
import time
from itertools import pairwise
from pathlib import Path

from sphinx.application import Sphinx

ENV = "CURRICULUM_TIMINGS"


def _mark(app: Sphinx, name: str) -> None:
    app.curriculum_marks.append((name, time.perf_counter()))


def slowest_pages(made: list[tuple[str, float]], count: int = 5) -> list[dict[str, float | str]]:
    """The PDFs that took longest per page to render: where a costly print style shows.

    A page costs WeasyPrint under a tenth of a second (a one-page sheet more: it
    carries the fixed cost of a document); a handout far above that (CSS columns
    once cost ten times as much) is a layout to rethink.
    """
    from curriculum.pdfmerge import page_count  # pikepdf: imported only when timing a build

    rows = []
    for target, spent in made:
        path = Path(target)
        if path.suffix == ".pdf" and path.exists():
            pages = page_count(path)
            rows.append({"file": path.name, "pages": pages, "seconds_per_page": round(spent / pages, 3)})
    return sorted(rows, key=lambda row: row["seconds_per_page"], reverse=True)[:count]


def setup(app: Sphinx) -> None:
    """Record the clock at each stage boundary when the environment asks for it."""
    target = os.environ.get(ENV)
    if not target:
        return
    app.curriculum_marks = [("start", time.perf_counter())]
    app.connect("builder-inited", lambda app: _mark(app, "setup"), priority=999)
    app.connect("env-updated", lambda app, env: _mark(app, "read"), priority=999)
    app.connect("html-collect-pages", lambda app: _mark(app, "write") or [], priority=999)

    def finish(app: Sphinx, exception: Exception | None) -> None:
        _mark(app, "print")
        marks = app.curriculum_marks
        stages = {name: round(end - begin, 3) for (_, begin), (name, end) in pairwise(marks)}
        jobs = getattr(app, "curriculum_print_seconds", {})
        stages["jobs"] = {
            kind: {
                "count": len(made),
                "mean": round(sum(spent for _, spent in made) / len(made), 3),
                "total": round(sum(spent for _, spent in made), 2),
            }
            for kind, made in jobs.items()
            if made
        }
        stages["merge"] = round(getattr(app, "curriculum_merge_seconds", 0.0), 3)
        stages["merged_early"] = getattr(app, "curriculum_merged_early", [])  # see bookpdf.merge_early
        stages["slowest"] = slowest_pages([entry for made in jobs.values() for entry in made])
        Path(target).write_text(json.dumps(stages, indent=1), encoding="utf-8")

    app.connect("build-finished", finish, priority=999)
