"""Shared fixtures: build a book (the real one or a small fixture) in a temporary folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from pypdf import PageObject

from curriculum import sources

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Build:
    """The result of one book build."""

    returncode: int
    output: str
    src: Path

    @property
    def html(self) -> Path:
        return self.src / "_build" / "html"

    def page(self, name: str) -> str:
        return (self.html / name).read_text(encoding="utf-8")


def run_build(src: Path, *extra: str, env: dict[str, str] | None = None) -> Build:
    """Build the book in ``src`` with warnings as errors, as `make book` does."""
    command = [JUPYTER_BOOK, "build", str(src), "-W", "-n", "--keep-going", "--quiet", *extra]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return Build(done.returncode, ANSI.sub("", done.stdout + done.stderr), src)


def copy_book(target: Path) -> Path:
    """Copy the real book's sources (not the machinery) into ``target``."""
    return sources.copy_book(ROOT, target)


@pytest.fixture(scope="session")
def real_book(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real curriculum, built once per test session from a temporary copy."""
    build = run_build(copy_book(tmp_path_factory.mktemp("book")))
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def built_minibook(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The fixture book, built once per session, for tests that only read the output.

    Its stage timings (what the benchmark reads) are in ``timings.json`` beside the book.
    """
    src = shutil.copytree(FIXTURES / "minibook", tmp_path_factory.mktemp("mini") / "minibook")
    shutil.copytree(ROOT / "handouts", src / "handouts")
    build = run_build(src, env={**os.environ, "CURRICULUM_TIMINGS": str(src.parent / "timings.json")})
    assert build.returncode == 0, build.output
    return build


@pytest.fixture
def minibook(tmp_path: Path):
    """A copy of the small fixture book; call ``.build()`` after editing its files."""

    class MiniBook:
        src = shutil.copytree(FIXTURES / "minibook", tmp_path / "minibook")
        shutil.copytree(ROOT / "handouts", src / "handouts")

        def file(self, name: str) -> Path:
            return self.src / name

        def edit(self, name: str, old: str, new: str) -> None:
            path = self.src / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")

        def build(self, *extra: str, env: dict[str, str] | None = None) -> Build:
            return run_build(self.src, *extra, env=env)

    return MiniBook()


def text_pieces(page: PageObject) -> list[tuple[float, float, str]]:
    """A PDF page's text pieces with where they sit: (x, y) in points from the page's bottom left.

    Extracted text alone loses where it sits; the print tests need that: the last line above a
    page's footer, what its running header says, which panel of a card a line is on.
    """
    pieces: list[tuple[float, float, str]] = []

    def visit(text, matrix, text_matrix, font, size):
        x, y = text_matrix[4], text_matrix[5]
        pieces.append(
            (x * matrix[0] + y * matrix[2] + matrix[4], x * matrix[1] + y * matrix[3] + matrix[5], text)
        )

    page.extract_text(visitor_text=visit)
    return pieces


def lines_by_height(page: PageObject) -> dict[int, list[str]]:
    """A PDF page's text pieces by height (points from the page's bottom, rounded), left to right."""
    rows: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for x, y, text in text_pieces(page):
        rows[round(y)].append((x, text))
    return {
        height: [text for _, text in sorted(row, key=lambda piece: piece[0])] for height, row in rows.items()
    }


def unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    """Names of the fonts in a PDF's page resources whose font program is not in the file.

    PDF/UA asks for every font to be embedded, page numbers and other artifacts included.
    """
    missing = []
    for page in pdf.pages:
        for font in dict(page.obj.get("/Resources", {}).get("/Font", {})).values():
            for drawn in font.get("/DescendantFonts", [font]):
                descriptor = drawn.get("/FontDescriptor", {})
                if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(drawn.get("/BaseFont")))
    return missing


def tags_of(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every tag (structure element) of a tagged PDF, walked from the root of its tag tree."""
    pending = [pdf.Root.StructTreeRoot.K]
    while pending:
        tag = pending.pop()
        if isinstance(tag, pikepdf.Array):
            pending += list(tag)
        elif isinstance(tag, pikepdf.Dictionary) and "/S" in tag:
            yield tag
            pending.append(tag.get("/K"))
