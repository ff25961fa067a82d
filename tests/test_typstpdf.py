"""A lesson's print page laid out by Typst: the words as written, its links, its paper, its tags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from curriculum import typstpdf

ROOT = Path(__file__).resolve().parents[1]
#: The smallest print page the build writes: a head like handouts/lesson.html's, and a body.
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="dcterms.created" content="2026-12-01"><meta name="author" content="Test authors">
<meta name="description" content="Lesson plan, Grades 6-8">
<title>Saying no (Grades 6-8) - Test book</title><link rel="stylesheet" href="book.css"></head>
<body class="lesson-print"><main><section id="saying-no">
<h1>Saying no<a class="headerlink" href="#saying-no" title="Link to this heading">#</a></h1>
<section class="lesson-glance" id="at-a-glance"><h2>At a glance</h2>
<p class="glance-print web-only">Print: <a href="x.pdf">Lesson plan (PDF)</a></p>
<ol class="arabic simple glance-agenda"><li><p><a class="reference internal" href="#warm-up-0">Warm-up (5 min)</a></p></li></ol>
</section>
<section id="teaching"><h2>Teaching the lesson</h2>
<p>Type // and *stars*, &lt;tags&gt;, #hash, $5 and "straight quotes" -- as written.</p>
%s
<div class="lesson-block warm-up admonition" id="warm-up-0"><p class="admonition-title">Warm-up (5 min)</p>
<p>Ask who can help<a class="source-ref reference internal" href="#source-fbi">1</a>.</p></div>
</section>
<section class="lesson-sources" id="sources"><h2>Sources</h2>
<ol><li id="source-fbi"><p>FBI. Sextortion.</p></li></ol></section>
</section></main>
<footer class="lesson-footer"><p>Test book · CC BY 4.0</p></footer></body></html>
"""


def render(tmp_path: Path, body: str = "", paper: str = "letter") -> Path:
    """Lay out PAGE (with ``body`` in its lesson section) as the build does, in a site under tmp_path."""
    pages = tmp_path / "site" / "pdf" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "handouts" / "lesson.typ", pages / "lesson.typ")
    page = pages / "saying-no.html"
    page.write_text(PAGE % body, encoding="utf-8")
    target = tmp_path / f"saying-no-{paper}.pdf"
    target.write_bytes(
        typstpdf.pdf(
            page.read_text(encoding="utf-8"), page, tmp_path / "site", "lesson.typ", paper, "2026-12-01"
        )
    )
    return target


def text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_a_plan_prints_its_words_as_written_and_not_what_only_the_screen_shows(tmp_path):
    """Typst's markup characters in a lesson are text, not formatting: a teacher reads what was written."""
    printed = text(render(tmp_path))
    assert 'Type // and *stars*, <tags>, #hash, $5 and "straight quotes" -- as written.' in printed
    assert "Lesson plan (PDF)" not in printed  # the web page's print links
    assert "Saying no#" not in printed and "Saying no #" not in printed  # the headings' link signs


def test_a_plans_agenda_and_source_numbers_link_to_their_places_in_it(tmp_path):
    """The agenda leads to its step and a source number to its source, even pages apart."""
    filler = "".join(
        f"<p>Paragraph {number} of the lesson, long enough to fill a page.</p>" for number in range(90)
    )
    pdf = pikepdf.open(render(tmp_path, filler))
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    links = {}
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                links.setdefault(number, []).append(pages[annotation.Dest[0].objgen])
    reader = PdfReader(tmp_path / "saying-no-letter.pdf")
    step = next(
        n
        for n, page in enumerate(reader.pages)
        if "Warm-up (5 min) Ask who can help" in " ".join(page.extract_text().split())
    )
    sources = next(n for n, page in enumerate(reader.pages) if "FBI. Sextortion." in page.extract_text())
    assert step > 0 and links[0] == [step]  # page 1: the agenda's one link
    assert sources in links[step]  # the source number beside the step


@pytest.mark.parametrize(("paper", "points"), [("letter", (612, 792)), ("a4", (595, 842))])
def test_a_plan_is_laid_out_on_the_configured_paper(tmp_path, paper, points):
    box = PdfReader(render(tmp_path, paper=paper)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points


def test_a_plan_is_a_tagged_pdf_ua_with_its_title_language_and_an_images_alt_text(tmp_path):
    """A screen reader announces the plan's title and reads the picture's description."""
    image = tmp_path / "site" / "_images" / "stop.png"
    image.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "minibook" / "lessons" / "6-8" / "cards.png", image)
    pdf = pikepdf.open(
        render(tmp_path, '<p><img alt="A hand held up: stop." src="../../_images/stop.png"></p>')
    )
    assert str(pdf.docinfo.Title) == "Saying no (Grades 6-8) - Test book"
    assert str(pdf.Root.Lang) == "en" and pdf.Root.MarkInfo.Marked
    assert pdf.open_metadata()["pdfuaid:part"] == "1"
    alts = [str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
    assert "A hand held up: stop." in alts


def test_a_page_typst_cannot_lay_out_is_reported_by_name(tmp_path):
    """A link to an anchor the page does not have: the build names the page and what is wrong."""
    with pytest.raises(RuntimeError, match=r"saying-no\.html: Typst: .*no-such-place"):
        render(tmp_path, '<p><a class="reference internal" href="#no-such-place">here</a></p>')
