"""Print stage: PDFs in Letter and A4, large print, .docx; cached, parallel, deterministic."""

from __future__ import annotations

import math
import os
import shutil
import zipfile
from pathlib import Path

from pypdf import PdfReader

from curriculum import SUBSETTER_PACKAGE, WEB_ONLY_ENV, printing

ROOT = Path(__file__).resolve().parents[1]

LETTER = (612, 792)
A4 = (595, 842)
LESSON = "lessons/6-8/sample-lesson.md"


def page_size(path: Path) -> tuple[int, int]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks and runs of spaces folded to one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_every_handout_gets_every_format(built_minibook):
    folder = built_minibook.html / "handouts"
    for stem in ("ask-for-help-cards", "ask-for-help-letter"):
        assert page_size(folder / f"{stem}-letter.pdf") == LETTER
        assert page_size(folder / f"{stem}-a4.pdf") == A4
        assert page_size(folder / f"{stem}-large-print.pdf") == LETTER
        assert zipfile.is_zipfile(folder / f"{stem}.docx")
    assert (
        page_size(folder / "ask-for-help-cards-teacher-letter.pdf") == LETTER
    )  # the answers: the book's paper
    assert not (folder / "ask-for-help-cards-teacher-a4.pdf").exists()


def test_pdf_text_is_the_handout_and_never_the_answers(built_minibook):
    folder = built_minibook.html / "handouts"
    student = pdf_text(folder / "ask-for-help-cards-letter.pdf")
    assert "A player in a game asks you to keep a secret." in student
    assert "from the lesson" in student and "CC BY 4.0" in student and "Page 1 of 1" in student
    for name in (
        "ask-for-help-cards-letter.pdf",
        "ask-for-help-cards-a4.pdf",
        "ask-for-help-cards-large-print.pdf",
        "ask-for-help-letter-letter.pdf",
    ):
        text = pdf_text(folder / name)
        assert "SECRET-ANSWER-TEXT" not in text and "SECRET-TEACHER-NOTE-TEXT" not in text, name
    assert "SECRET-ANSWER-TEXT" in pdf_text(folder / "ask-for-help-cards-teacher-letter.pdf")


def test_docx_holds_the_text_without_answers(built_minibook):
    with zipfile.ZipFile(built_minibook.html / "handouts" / "ask-for-help-cards.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "A player in a game asks you to keep a secret." in document
    assert "SECRET-ANSWER-TEXT" not in document


def text_sizes(path: Path) -> list[tuple[str, float]]:
    """Each text run of the first page with its size in points (font size times text and page scale)."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), round(size * tm[0] * cm[0], 1)))

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return runs


def test_large_print_body_is_at_least_18_points(built_minibook):
    folder = built_minibook.html / "handouts"
    large = [
        size
        for text, size in text_sizes(folder / "ask-for-help-letter-large-print.pdf")
        if "Dear family" in text
    ]
    regular = [
        size for text, size in text_sizes(folder / "ask-for-help-letter-letter.pdf") if "Dear family" in text
    ]
    assert large and min(large) >= 18
    assert regular and max(regular) < 18


def test_a_letter_home_is_set_at_12_points_the_size_of_a_letter(built_minibook):
    """Adults read it: a letter's type, not a worksheet's 13 pt, so it takes fewer sheets to copy."""
    letter = built_minibook.html / "handouts" / "ask-for-help-letter-letter.pdf"
    assert {size for text, size in text_sizes(letter) if "Dear family" in text} == {12.0}


def test_pdfs_carry_title_and_dates_from_the_source(built_minibook):
    info = PdfReader(built_minibook.html / "handouts" / "ask-for-help-letter-letter.pdf").metadata
    assert info.title == "Letter home - Sample lesson on asking for help"
    assert info["/CreationDate"].startswith("D:20261201")


def test_two_builds_give_identical_files(built_minibook, minibook):
    again = minibook.build()
    assert again.returncode == 0, again.output
    for first in sorted((built_minibook.html / "handouts").glob("*.*")):
        if first.suffix in {".pdf", ".docx"}:
            assert first.read_bytes() == (again.html / "handouts" / first.name).read_bytes(), first.name


def test_a_lesson_plan_not_started_early_is_made_in_the_print_stage(tmp_path):
    """A plan with an image waits for the print stage (its image is copied last): it is made there."""
    pages = tmp_path / "pdf" / "pages"
    pages.mkdir(parents=True)
    shutil.copy(ROOT / "handouts" / "lesson.typ", pages / "lesson.typ")
    page = pages / "plan.html"
    page.write_text(
        '<html lang="en"><head><title>Plan</title><meta name="dcterms.created" content="2026-12-01"></head>'
        "<body><main><section id='plan'><h1>Plan</h1><p>Stop, block, tell.</p></section></main></body></html>",
        encoding="utf-8",
    )
    target = tmp_path / "plan.pdf"
    job = printing.Job(
        source=str(page),
        target=str(target),
        kind="typst",
        stylesheet="lesson.typ",
        site=str(tmp_path),
        date="2026-12-01",
    )
    seconds: dict = {}
    assert printing.run_jobs([job], tmp_path / "state", [], workers=1, seconds=seconds) == ["plan.pdf"]
    assert "Stop, block, tell." in pdf_text(target)
    assert [name for name, _ in seconds["lesson_pdf"]] == [str(target)]


def test_unchanged_jobs_are_skipped_and_stale_outputs_removed(tmp_path):
    page = tmp_path / "sheet.html"
    page.write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    (tmp_path / "print.css").write_text("p { font-size: 14pt; }", encoding="utf-8")
    (tmp_path / "old.pdf").write_bytes(b"%PDF stale")
    job = printing.Job(source=str(page), target=str(tmp_path / "sheet-letter.pdf"), kind="pdf")
    state = tmp_path / "state"
    assert printing.run_jobs([job], state, [tmp_path], workers=1) == ["sheet-letter.pdf"]
    assert not (tmp_path / "old.pdf").exists()
    assert printing.run_jobs([job], state, [tmp_path], workers=1) == []
    page.write_text("<html><body><p>Hello again</p></body></html>", encoding="utf-8")
    assert printing.run_jobs([job], state, [tmp_path], workers=1) == ["sheet-letter.pdf"]
    assert "Hello again" in pdf_text(tmp_path / "sheet-letter.pdf")


def test_one_layout_prints_centred_on_letter_and_a4(tmp_path):
    """Laid out once on the area both papers hold: the same lines on each, with even margins."""
    page = tmp_path / "sheet.html"
    words = " ".join(f"word{number}" for number in range(400))
    page.write_text(f"<html><body><h1>Exit ticket</h1><p>{words}</p></body></html>", encoding="utf-8")
    (tmp_path / "print.css").write_text("@page { margin: 0.7in; }", encoding="utf-8")
    letter, a4 = tmp_path / "sheet-letter.pdf", tmp_path / "sheet-a4.pdf"
    job = printing.Job(source=str(page), target=str(letter), kind="pdf", also=(("a4", str(a4)),))
    assert printing.run_jobs([job], tmp_path / "state", [tmp_path], workers=1) == [a4.name, letter.name]
    assert page_size(letter) == LETTER and page_size(a4) == A4
    assert PdfReader(letter).pages[0].extract_text() == PdfReader(a4).pages[0].extract_text()
    for path in (letter, a4):  # the layout was drawn from (0, 0) to (A4's width, Letter's height)
        box = PdfReader(path).pages[0].mediabox
        assert math.isclose(-float(box.left), float(box.right) - 595.2756, abs_tol=0.01), path
        assert math.isclose(-float(box.bottom), float(box.top) - 792, abs_tol=0.01), path
    a4.unlink()
    assert printing.run_jobs([job], tmp_path / "state", [tmp_path], workers=1) == [a4.name, letter.name]


def test_installing_the_subsetter_makes_the_pdfs_again(tmp_path, monkeypatch):
    """The subsetter decides the embedded fonts' bytes, so it is part of every PDF's key."""
    page = tmp_path / "sheet.html"
    page.write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    (tmp_path / "print.css").write_text("p { font-size: 14pt; }", encoding="utf-8")
    job = printing.Job(source=str(page), target=str(tmp_path / "sheet-letter.pdf"), kind="pdf")
    keys = []
    for present in (False, True):
        monkeypatch.setattr(printing, "has_font_subsetter", lambda present=present: present)
        printing.renderer_version.cache_clear()
        keys.append(job.key())
    printing.renderer_version.cache_clear()
    assert keys[0] != keys[1]


def test_this_machine_has_harfbuzzs_subsetter():
    """`make book` and CI install it; without it every build's PDFs take twice as long."""
    from weasyprint.text import ffi

    assert printing.has_font_subsetter() and ffi.harfbuzz_subset is not None, (
        f"HarfBuzz's font subsetter is not installed: run `make install` as root, or `apt-get install {SUBSETTER_PACKAGE}`"
    )


def test_a_failing_job_is_reported_not_raised(tmp_path, caplog):
    job = printing.Job(source=str(tmp_path / "missing.html"), target=str(tmp_path / "x.pdf"), kind="pdf")
    ((error, seconds),) = printing.render((job,))
    assert error.startswith("x.pdf: ") and seconds >= 0


def test_the_print_css_is_parsed_once_yet_prints_as_the_page_links_it(tmp_path):
    """Each worker keeps the parsed print CSS; the PDF is the one WeasyPrint makes of the page itself."""
    from weasyprint import CSS, HTML

    page = tmp_path / "sheet.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Sheet</title><link rel="stylesheet" href="print.css">'
        '</head><body><h1>Sheet</h1><p class="big">Stop, block, tell.</p></body></html>',
        encoding="utf-8",
    )
    css = tmp_path / "print.css"
    css.write_text(
        "h1 { font-size: 30pt; } .big { font-size: 20pt; } p { font-size: 9pt; }", encoding="utf-8"
    )
    job = printing.Job(source=str(page), target=str(tmp_path / "sheet-letter.pdf"), kind="pdf")
    ((error, _),) = printing.render((job,))
    assert error == ""
    own = HTML(filename=str(page)).write_pdf(
        stylesheets=[CSS(string="@page { size: letter; }")], pdf_variant="pdf/ua-1"
    )
    assert (tmp_path / "sheet-letter.pdf").read_bytes() == own
    css.write_text("h1 { font-size: 12pt; }", encoding="utf-8")  # a designer's edit, same worker
    printing.render((job,))
    assert (tmp_path / "sheet-letter.pdf").read_bytes() != own


def test_a_font_face_in_the_print_css_holds_on_every_page_a_worker_prints(tmp_path):
    """Workers share one font configuration and parse the CSS once: a designer's @font-face still applies."""
    import subprocess

    import pikepdf

    mono = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans Mono"], capture_output=True, text=True)
    (tmp_path / "face.ttf").write_bytes(Path(mono.stdout).read_bytes())
    (tmp_path / "print.css").write_text(
        '@font-face { font-family: "Sheet Face"; src: url(face.ttf); } h1 { font-family: "Sheet Face"; }',
        encoding="utf-8",
    )
    for name in ("one", "two"):
        (tmp_path / f"{name}.html").write_text(
            f'<html lang="en"><head><title>{name}</title><link rel="stylesheet" href="print.css"></head>'
            f"<body><h1>Sheet {name}</h1></body></html>",
            encoding="utf-8",
        )
        job = printing.Job(
            source=str(tmp_path / f"{name}.html"), target=str(tmp_path / f"{name}.pdf"), kind="pdf"
        )
        ((error, _),) = printing.render((job,))
        assert error == ""
        with pikepdf.open(tmp_path / f"{name}.pdf") as pdf:
            fonts = [str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()]
        assert any("Sheet-Face" in font for font in fonts), fonts


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * 6 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_docx_batch_makes_every_copy_and_names_the_one_that_failed(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "dot.png").write_bytes(_tiny_png())
    pages = tmp_path / "handouts"
    pages.mkdir()
    (pages / "one.html").write_text("<h1>First sheet</h1><p>Stop, block, tell.</p>", encoding="utf-8")
    (pages / "two.html").write_text(
        '<p>Second sheet <img src="../images/dot.png" alt="a dot"></p>', encoding="utf-8"
    )
    jobs = tuple(
        printing.Job(
            source=str(pages / f"{name}.html"), target=str(tmp_path / "out" / f"{name}.docx"), kind="docx"
        )
        for name in ("one", "missing", "two")
    )
    (one, missing, two) = printing.render(jobs)
    assert one[0] == "" and two[0] == ""
    assert missing[0].startswith("missing.docx: ") and "missing.html" in missing[0]
    with zipfile.ZipFile(tmp_path / "out" / "one.docx") as docx:
        assert "Stop, block, tell." in docx.read("word/document.xml").decode("utf-8")
    with zipfile.ZipFile(
        tmp_path / "out" / "two.docx"
    ) as docx:  # found beside the page, as a browser finds it
        assert any(name.startswith("word/media/") for name in docx.namelist())
    assert not (tmp_path / "out" / "missing.docx").exists()


def test_a_docx_is_the_same_bytes_in_a_batch_as_alone(tmp_path):
    page = tmp_path / "sheet.html"
    page.write_text("<h1>Sheet</h1><ul><li>Stop</li><li>Tell</li></ul>", encoding="utf-8")
    alone = printing.Job(
        source=str(page), target=str(tmp_path / "alone.docx"), kind="docx", date="2026-03-01"
    )
    other = printing.Job(
        source=str(page), target=str(tmp_path / "other.docx"), kind="docx", date="2025-01-01"
    )
    batched = printing.Job(
        source=str(page), target=str(tmp_path / "batched.docx"), kind="docx", date="2026-03-01"
    )
    printing.render((alone,))
    printing.render((other, batched))
    assert (tmp_path / "alone.docx").read_bytes() == (tmp_path / "batched.docx").read_bytes()
    assert (tmp_path / "other.docx").read_bytes() != (tmp_path / "batched.docx").read_bytes()  # its own date


def test_paper_links_point_at_the_published_book_or_drop_the_link():
    from curriculum.printing import paper_links

    html = (
        '<a href="../adults/guide.html#steps">guide</a> <a href="#here">here</a> '
        '<a href="https://fbi.gov/x.html">FBI</a> <a href="tel:988">988</a>'
    )
    assert paper_links(html, "lessons/6-8/lesson.html", "https://example.org/book") == (
        '<a href="https://example.org/book/lessons/adults/guide.html#steps">guide</a> <a href="#here">here</a> '
        '<a href="https://fbi.gov/x.html">FBI</a> <a href="tel:988">988</a>'
    )
    assert paper_links(html, "lessons/6-8/lesson.html", "") == (
        '<a >guide</a> <a href="#here">here</a> <a href="https://fbi.gov/x.html">FBI</a> <a href="tel:988">988</a>'
    )


def test_printables_catch_up_with_pages_a_web_only_build_wrote(minibook):
    """``curriculum build --web-only`` while writing, then ``make book``: the PDFs hold the new text.

    The web-only build reads the edit and writes the web page alone; without a
    note of what it wrote, the next build would find every page up to date and
    leave the lesson plan and the letter printed from the old text.
    """
    first = minibook.build()
    assert first.returncode == 0, first.output
    minibook.edit(
        LESSON, "Dear family, this week we practised asking for help.", "Dear family, we practised asking."
    )
    web = minibook.build(env={**os.environ, WEB_ONLY_ENV: "1"})
    assert web.returncode == 0, web.output
    assert "we practised asking." in web.page("lessons/6-8/sample-lesson.html")
    full = minibook.build()
    assert full.returncode == 0, full.output
    assert "we practised asking." in pdf_text(full.html / "handouts" / "ask-for-help-letter-letter.pdf")
    assert "we practised asking." in pdf_text(full.html / "pdf" / "lessons" / "sample-lesson.pdf")
    outputs = [
        full.html / "lessons" / "6-8" / "sample-lesson.html",
        full.html / "handouts" / "ask-for-help-letter-letter.pdf",
        full.html / "pdf" / "lessons" / "sample-lesson.pdf",
    ]
    made = [output.stat().st_mtime_ns for output in outputs]
    again = minibook.build()  # caught up: the next build has nothing left to write or print
    assert again.returncode == 0, again.output
    assert [output.stat().st_mtime_ns for output in outputs] == made
