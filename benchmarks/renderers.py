"""Compare the PDF renderers on the built book's print pages: Typst, WeasyPrint and Chromium.

Run from the repository root, after `make book`, on a machine with Debian's chromium
(`apt-get install -y chromium`):

    .venv/bin/python benchmarks/renderers.py     # about two minutes

The build lays out lesson plans with Typst (``curriculum.typstpdf``) and handouts
with WeasyPrint; this script measures what each renderer costs on the same print
pages, so that the choice rests on figures (issue 4's PDF stage was out of reach
with WeasyPrint's lesson plans). Chromium is not part of the build: it is an apt
install, and the book's PDFs must come from a route pip installs alone. Typst reads
the lesson pages only (its design is the lesson plan's). Each renderer prints the
same pages one document after another, on Letter, tagged, so the times compare
work, not parallelism. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from curriculum import printing, typstpdf

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
KINDS = {"lesson plans": "pdf/pages", "handout and teacher sheets": "handouts"}


def weasyprint(source: Path, target: Path) -> None:
    """WeasyPrint as the build calls it for a one-paper PDF (PDF/UA-1, tagged): the build's own job."""
    ((error, _),) = printing.render((printing.Job(source=str(source), target=str(target), kind="pdf"),))
    if error:
        raise RuntimeError(error)


def typst(source: Path, target: Path) -> None:
    """Typst as the build calls it for a lesson plan: the page as Typst markup, PDF/UA-1, one compiler."""
    page = source.read_text(encoding="utf-8")
    target.write_bytes(typstpdf.pdf(page, source, source.parents[2], "lesson.typ", "letter", "2026-12-01"))


def measure(render: Callable[[Path, Path], None], sources: list[Path], out: Path) -> tuple[float, int]:
    """Seconds to print every source, one after another, and the pages printed."""
    targets = [out / f"{source.parent.name}-{source.stem}.pdf" for source in sources]
    started = time.perf_counter()
    for source, target in zip(sources, targets, strict=True):
        render(source, target)
    seconds = time.perf_counter() - started
    return seconds, sum(len(PdfReader(target).pages) for target in targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built site")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "renderers", help="where PDFs go")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium")
        return 2
    sets = {kind: sorted((args.html / folder).glob("*.html")) for kind, folder in KINDS.items()}
    if not all(sets.values()):
        print(f"No print pages under {args.html}: run `make book` first")
        return 2
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        started = time.perf_counter()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        launch = time.perf_counter() - started
        page = browser.new_page()

        def chromium(source: Path, target: Path) -> None:
            page.goto(source.resolve().as_uri())
            page.pdf(
                path=target,
                format="Letter",
                tagged=True,
                outline=True,
                print_background=True,
                prefer_css_page_size=True,
            )

        renderers = {"Typst": typst, "WeasyPrint": weasyprint, "Chromium": chromium}
        for kind, sources in sets.items():
            for name, render in renderers.items():
                if name == "Typst" and kind != "lesson plans":
                    continue
                out = args.out / name.lower()
                out.mkdir(parents=True, exist_ok=True)
                seconds, pages = measure(render, sources, out)
                rows.append((kind, len(sources), name, seconds, pages))
        browser.close()
    print(f"Chromium launch: {launch:.1f} s (once)\n")
    print("| print pages | documents | renderer | seconds | pages | seconds a document |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind, count, name, seconds, pages in rows:
        print(f"| {kind} | {count} | {name} | {seconds:.1f} | {pages} | {seconds / count:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
