"""The book as PDF: a lesson plan per lesson, a book per band and the whole book."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pikepdf
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, lines_by_height, tags_of, unembedded_fonts

LETTER, A4 = (612, 792), (595, 842)


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def outline_titles(path: Path) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(PdfReader(path).outline)
    return titles


def first_handout_page(path: Path) -> int:
    """Index of the first page after the lesson plan: where its first handout's bookmark leads."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            (lesson,) = outline.root
            handouts = [item for item in lesson.children if item.title.startswith("Handout: ")]
            return pages[handouts[0].destination[0].objgen]


def size(path: Path) -> tuple[int, int]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_lesson_plan_pdf_has_everything_a_teacher_prints(built_minibook):
    pdf = built_minibook.html / "pdf" / "lessons" / "sample-lesson.pdf"
    text = text_of(pdf)
    for expected in [
        "Sample lesson on asking for help",
        "At a glance",
        "SECRET-TEACHER-NOTE-TEXT",
        "TAB-ONE-TEXT",
        "TAB-TWO-TEXT",
        "In a small group",
        "DROPDOWN-TEXT",
        "If students ask about apps",
        "Page 1 of",
    ]:
        assert expected in text, expected
    assert "Print:" not in text  # links to printables are for the web only
    reader = PdfReader(pdf)
    assert reader.metadata.title.startswith("Sample lesson on asking for help")
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    with pikepdf.open(pdf) as tagged:  # the page number is an artifact, so the tags stay whole
        stamp = tagged.pages[0].obj.Contents[-1].read_bytes()
        assert b"/Artifact" in stamp and b"Page 1 of" in stamp
    assert reader.trailer["/Root"]["/Lang"] == "en"
    titles = outline_titles(pdf)
    assert (
        titles[:3] == ["Sample lesson on asking for help", "At a glance", "Variations"]
        or "At a glance" in titles
    )
    assert size(pdf) == LETTER


def test_every_pdf_of_the_book_draws_only_with_embedded_fonts(built_minibook):
    """PDF/UA: lesson plans, bundles, band and whole books (numbered after rendering) and handouts."""
    made = sorted((built_minibook.html / "pdf").rglob("*.pdf")) + sorted(
        (built_minibook.html / "handouts").glob("*.pdf")
    )
    assert any("with-handouts" in path.name for path in made) and len(made) > 10
    for path in made:
        with pikepdf.open(path) as pdf:
            assert unembedded_fonts(pdf) == [], path.name


def test_a_lesson_plans_bookmarks_hold_its_agenda_steps_under_their_section(built_minibook):
    """Bookmarks match the agenda: under its section ("Teaching the lesson"), a teacher jumps to a step."""
    page = BeautifulSoup(built_minibook.page("pdf/pages/sample-lesson.html"), "html.parser")
    steps = [
        title.get_text().strip()
        for title in page.select(
            ".lesson-block:is(.warm-up, .activity, .discussion, .exit-ticket) > .admonition-title"
        )
    ]
    assert len(steps) >= 3
    with pikepdf.open(built_minibook.html / "pdf" / "lessons" / "sample-lesson.pdf") as pdf:
        with pdf.open_outline() as outline:
            (lesson,) = outline.root
            pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
            nested = [
                (section.title, step.title, pages[step.destination[0].objgen])
                for section in lesson.children
                for step in section.children
            ]
    assert [step for _, step, _ in nested] == steps
    sections = {heading.get_text().rstrip("#").strip() for heading in page.select("h2")}
    assert {section for section, _, _ in nested} <= sections  # (real lessons: "Teaching the lesson")
    assert [number for *_, number in nested] == sorted(number for *_, number in nested)


def running_header(page) -> str:
    """The text a page prints in its top margin (0.8 in, the print design's), left to right."""
    top = float(page.mediabox.top) - 0.8 * 72
    lines = lines_by_height(page)
    return " ".join(text.strip() for y in sorted(lines) if y > top for text in lines[y] if text.strip())


def test_a_lesson_plans_running_header_names_the_lesson_and_the_section_the_page_starts_in(real_book):
    """A teacher leafing through a printed plan sees where she is: "Uh-oh feelings ... Teaching the lesson"."""
    title = "Uh-oh feelings: stop and tell"
    page = BeautifulSoup(real_book.page("pdf/pages/uh-oh-feelings-stop-and-tell.html"), "html.parser")
    sections = [heading.get_text().rstrip("#").strip() for heading in page.select("h2")]
    pdf = real_book.html / "pdf" / "lessons" / "uh-oh-feelings-stop-and-tell.pdf"
    plan = PdfReader(pdf).pages[: first_handout_page(pdf)]  # the handouts after it have their own footers
    assert len(plan) >= 3
    assert running_header(plan[0]) == ""  # the title page has the title itself
    headers, expected = [], []
    section = None
    for number, pdf_page in enumerate(plan):
        top = float(pdf_page.mediabox.top) - 0.8 * 72
        lines = lines_by_height(pdf_page)
        body = [
            " ".join(t.strip() for t in lines[y] if t.strip())
            for y in sorted(lines, reverse=True)
            if y <= top
        ]
        body = [line for line in body if line]
        if number:  # a section whose heading opens the page, else the last one begun before it
            headers.append(running_header(pdf_page))
            expected.append(f"{title} {body[0] if body[0] in sections else section}")
        section = next((line for line in reversed(body) if line in sections), section)
    assert headers == expected
    assert len(set(headers)) > 2, headers


def test_a_lesson_plan_prints_what_its_web_page_shows_and_its_handouts_after_it(built_minibook):
    """The plan is the web page; each handout in it is its title and kind, printed whole after the plan."""
    from curriculum.bookpdf import HANDOUT_FOLLOWS

    web = BeautifulSoup(
        (built_minibook.html / "lessons" / "6-8" / "sample-lesson.html").read_text(encoding="utf-8"),
        "html.parser",
    ).select_one("article")
    printed = BeautifulSoup(
        (built_minibook.html / "pdf" / "pages" / "sample-lesson.html").read_text(encoding="utf-8"),
        "html.parser",
    ).main
    web_handouts, printed_handouts = web.select(".handout"), printed.select(".handout")
    assert [h["id"] for h in printed_handouts] == [h["id"] for h in web_handouts] and web_handouts
    for web_handout, printed_handout in zip(web_handouts, printed_handouts, strict=True):
        title, kind = (
            web_handout.select_one(f".{part}").get_text() for part in ("admonition-title", "handout-meta")
        )
        assert " ".join(printed_handout.get_text().split()) == " ".join(
            f"{title} {kind} {HANDOUT_FOLLOWS}".split()
        )
        for handout in (web_handout, printed_handout):
            handout.decompose()
    assert " ".join(printed.get_text().split()) == " ".join(web.get_text().split())  # the rest: all of it
    assert sorted(tag["id"] for tag in printed.select("[id]")) == sorted(
        tag["id"] for tag in web.select("[id]")
    )
    assert not printed.select("nav, button, script")  # no site chrome
    pdf = built_minibook.html / "pdf" / "lessons" / "sample-lesson.pdf"
    reader = PdfReader(pdf)
    after = " ".join(
        " ".join(page.extract_text() for page in reader.pages[first_handout_page(pdf) :]).split()
    )
    assert "A player in a game asks you to keep a secret." in after  # the cards, as a sheet
    assert "SECRET-ANSWER-TEXT" in after  # with their answers: the teacher copy
    assert "Page 1 of 1" in after  # each handout keeps its own footer


def figure_alts(path: Path) -> list[str]:
    """The alternative texts of the figures in a PDF's tag tree."""
    with pikepdf.open(path) as pdf:
        return [str(tag.get("/Alt", "")) for tag in tags_of(pdf) if tag.S == "/Figure"]


def images_drawn(path: Path) -> int:
    """How many images a PDF holds (drawn on its pages, not their alt text in their place)."""
    with pikepdf.open(path) as pdf:
        return sum(
            1
            for found in pdf.objects
            if isinstance(found, pikepdf.Stream) and found.get("/Subtype") == "/Image"
        )


def test_images_are_printed_with_their_alt_text_in_every_pdf(built_minibook):
    """A clean build: the lesson's image is copied into the site only after its page is written."""
    folder = built_minibook.html / "pdf"
    for pdf in (folder / "lessons" / "sample-lesson.pdf", folder / "online-safety-curriculum.pdf"):
        assert "Scenario cards spread on a table, one set per group" in figure_alts(pdf), pdf.name
        assert images_drawn(pdf) >= 1, pdf.name


def test_band_and_whole_book_contain_their_lessons_and_no_others(built_minibook):
    folder = built_minibook.html / "pdf"
    band = text_of(folder / "online-safety-curriculum-6-8.pdf")
    adults = text_of(folder / "online-safety-curriculum-adults.pdf")
    book = text_of(folder / "online-safety-curriculum.pdf")
    assert "Sample lesson on asking for help" in band and "COLORADO-ONLY-TEXT" not in band
    assert "COLORADO-ONLY-TEXT" in adults and "SECRET-TEACHER-NOTE-TEXT" not in adults
    assert "SECRET-TEACHER-NOTE-TEXT" in book and "COLORADO-ONLY-TEXT" in book
    assert not (folder / "online-safety-curriculum-k-2.pdf").exists()  # no lessons, no empty book
    for name in ("online-safety-curriculum-6-8.pdf", "online-safety-curriculum.pdf"):
        reader = PdfReader(folder / name)
        assert reader.metadata.title.startswith("Mini curriculum: ")
        assert reader.trailer["/Root"]["/Lang"] == "en"
        assert size(folder / name) == LETTER
        with pikepdf.open(folder / name) as book:  # tagged for screen readers, cover and contents too
            assert book.Root.MarkInfo.Marked and book.open_metadata()["pdfuaid:part"] == "1"
            assert all("/StructParents" in page.obj for page in book.pages)
    cover = PdfReader(folder / "online-safety-curriculum.pdf").pages[0].extract_text()
    assert "Mini curriculum" in cover and "All grades" in cover and "CC BY 4.0" in cover


def test_contents_page_numbers_lead_to_the_lessons_and_their_handouts(built_minibook):
    """A teacher looking for a lesson's exit ticket in the printed book finds its page in the contents."""
    pdf = built_minibook.html / "pdf" / "online-safety-curriculum.pdf"
    reader = PdfReader(pdf)
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    titles = outline_titles(pdf)
    assert titles[0] == "Contents"
    assert "Sample lesson on asking for help" in titles and "Responding to a disclosure" in titles
    # The whole book lists its lessons under their grade bands, each band on its first lesson's page
    # (here one lesson each), and each lesson's handouts under it, every line ending in its page.
    lines = [line.strip() for line in contents.splitlines()]
    rows = [re.fullmatch(r"(.+?) (\d+)", line) for line in lines[1:-1]]
    assert all(rows), contents
    names = [row[1] for row in rows]
    numbers = [int(row[2]) for row in rows]
    assert [name for name in names if name in ("Grades 6-8", "Adults")] == ["Grades 6-8", "Adults"], contents
    entries = [name.removesuffix(" min").rsplit(" ", 1)[0] for name in names if name.endswith(" min")]
    handouts = [name.removeprefix("Handout: ") for name in names if name.startswith("Handout: ")]
    assert entries == ["Sample lesson on asking for help", "Responding to a disclosure"], contents
    assert handouts == ["Ask for help cards", "Letter home"], contents
    band, lesson, cards, letter, adults_band, adults_lesson = numbers
    assert band == lesson and adults_band == adults_lesson, contents
    assert lesson < cards < letter < adults_lesson, contents
    for title, page in (
        (entries[0], lesson),
        (handouts[0], cards),
        (handouts[1], letter),
        (entries[1], adults_lesson),
    ):  # every page has the book's number: a handout's at its top, above its own footer
        text = reader.pages[page - 1].extract_text()
        assert title in text and f"Page {page} of {len(reader.pages)}" in text, (title, page)
    # each entry is a link (a box for each of its parts) to its first page
    links = [annotation.get_object()["/A"]["/D"][0] for annotation in reader.pages[1]["/Annots"]]
    pages = [reader.get_page_number(link.get_object()) + 1 for link in links]
    assert list(dict.fromkeys(pages)) == list(dict.fromkeys(numbers))


def merge_adults_book(
    parts: list, entries: list[dict], target: Path, cache: Path, rendering: tuple | None = None
) -> None:
    """Merge a book of adult guides with the real cover and contents design."""
    from curriculum.bookpdf import BookMerge, merge_book

    facts = {
        "book_title": "Book",
        "label": "Adults",
        "license": "CC BY 4.0",
        "language": "en",
    }
    merge_book(
        BookMerge(
            parts,
            (ROOT / "handouts" / "book.typ").read_text(encoding="utf-8"),
            facts,
            entries,
            target,
            "Book: Adults",
            "letter",
            "2026-01-01",
            cache,
        ),
        rendering,
    )


def test_a_title_too_long_for_one_line_keeps_its_page_number_off_its_handouts_line(tmp_path):
    """A long lesson title wraps short of its page number, which stays on the title's first line."""
    from weasyprint import HTML

    plan, sheet = tmp_path / "plan.pdf", tmp_path / "sheet.pdf"
    for path, text in ((plan, "The plan"), (sheet, "The sheet")):
        HTML(string=f"<p>{text}</p>").write_pdf(path)
    title = "Commercial sexual exploitation of children: what educators should know, and how to respond"
    entries = [{"title": title, "meta": "Adults · 13 min", "group": None}]
    target = tmp_path / "book.pdf"
    merge_adults_book([(plan, [("Signs and reporting", sheet)])], entries, target, tmp_path / "cache")
    rows = [
        [t.strip() for t in row if t.strip()] for row in lines_by_height(PdfReader(target).pages[1]).values()
    ]
    (lesson,) = [row for row in rows if row and row[0].startswith("Commercial sexual")]
    (handout,) = [row for row in rows if "Handout: Signs and reporting" in row]
    assert "3" in lesson, rows  # the plan starts on page 3, after the cover and the contents
    assert "4" in handout and "3" not in handout, rows


def merge_sixty_lessons(folder: Path, target: Path) -> None:
    """Merge a book of sixty one-page lessons (more than one contents page) in ``folder``; cache beside them."""
    from weasyprint import HTML

    parts, entries = [], []
    for number in range(60):
        plan = folder / f"plan-{number}.pdf"
        if not plan.exists():
            HTML(string=f"<p>Plan of lesson {number}</p>").write_pdf(plan)
        parts.append((plan, []))
        entries.append({"title": f"Lesson {number}", "meta": "Adults · 10 min", "group": None})
    merge_adults_book(parts, entries, target, folder / "cache")


def test_contents_running_over_several_pages_number_every_lesson_after_them(tmp_path):
    """Sixty lessons fill more than one contents page; each number still leads to its lesson's page."""
    target = tmp_path / "book.pdf"
    merge_sixty_lessons(tmp_path, target)
    reader = PdfReader(target)
    contents_pages = len(reader.pages) - 1 - 60
    assert contents_pages > 1
    listed = {}
    for page in reader.pages[1 : 1 + contents_pages]:
        for row in lines_by_height(page).values():
            words = " ".join(text.strip() for text in row).split()
            if words[:1] == ["Lesson"] and words[-1].isdigit():
                listed[int(words[1])] = int(words[-1])
    assert sorted(listed) == list(range(60))
    for number, page in listed.items():
        assert f"Plan of lesson {number}" in reader.pages[page - 1].extract_text(), (number, page)


def test_a_book_merged_again_from_the_same_lessons_lays_out_no_page(tmp_path, monkeypatch):
    """A rebuild reuses the cover and contents, and knows the contents' length without laying them out.

    The first merge of a book with several contents pages lays out a one-page
    guess, which is the wrong length; the second merge must not lay out anything.
    """
    from curriculum import typstpdf

    merge_sixty_lessons(tmp_path, tmp_path / "first.pdf")

    def no_layout(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page was laid out again")

    monkeypatch.setattr(typstpdf, "compile_pdf", no_layout)
    merge_sixty_lessons(tmp_path, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()


def merge_four_lessons(folder: Path, target: Path, rendering: tuple | None = None) -> None:
    """Merge a book of four one-page lessons from ``folder`` (plans written by :func:`write_plan`)."""
    parts = [(folder / f"plan-{number}.pdf", []) for number in range(4)]
    entries = [{"title": f"Lesson {number}", "meta": "Adults · 10 min", "group": None} for number in range(4)]
    merge_adults_book(parts, entries, target, folder / "cache", rendering)


def write_plan(folder: Path, number: int, text: str, pages: int = 1) -> None:
    from weasyprint import HTML

    paragraphs = "".join(f'<p style="break-before: page">{text}, page {page}</p>' for page in range(pages))
    HTML(string=paragraphs).write_pdf(folder / f"plan-{number}.pdf", pdf_variant="pdf/ua-1")


def start_merging_while_rendering(
    folder: Path, target: Path, pages: int
) -> tuple[threading.Thread, list, Path]:
    """Merge the book in a thread while lesson 2 is "rendering": it waits until marked ready.

    A daemon thread, and the tests shorten the wait (``WAIT_SECONDS``): a test that fails
    before marking the lesson ready leaves no thread waiting ten minutes.
    """
    ready = folder / "plan-2.pdf.rendered"
    failures: list[BaseException] = []

    def merge() -> None:
        try:
            merge_four_lessons(folder, target, (folder / "plan-2.pdf", ready, pages))
        except BaseException as error:  # handed to the test
            failures.append(error)

    thread = threading.Thread(target=merge, daemon=True)
    thread.start()
    return thread, failures, ready


def test_a_book_merged_while_a_lesson_renders_waits_for_it_and_is_the_same_as_one_merged_after(
    tmp_path, monkeypatch
):
    """The early merge of an edit's rebuild: same bytes as merging once every lesson is rendered."""
    monkeypatch.setattr("curriculum.bookpdf.WAIT_SECONDS", 30)
    for number in range(4):
        write_plan(tmp_path, number, f"Plan of lesson {number}")
    merge_four_lessons(tmp_path, tmp_path / "before.pdf")  # the last build: the lessons' lengths known
    early = tmp_path / "early.pdf"
    thread, failures, ready = start_merging_while_rendering(tmp_path, early, pages=1)
    thread.join(timeout=0.5)
    assert thread.is_alive() and not early.exists()  # it waits for the lesson
    write_plan(tmp_path, 2, "Edited plan of lesson 2")
    ready.write_text("", encoding="utf-8")
    thread.join(timeout=60)
    assert not failures
    merge_four_lessons(tmp_path, tmp_path / "after.pdf")
    assert early.read_bytes() == (tmp_path / "after.pdf").read_bytes()
    assert "Edited plan of lesson 2" in text_of(early)


def test_a_lesson_that_changed_length_or_failed_while_its_book_was_merging_stops_that_merge(
    tmp_path, monkeypatch
):
    """Its contents, merged before it, would list the wrong pages: the build merges it again instead."""
    from curriculum.bookpdf import _OutdatedError

    monkeypatch.setattr("curriculum.bookpdf.WAIT_SECONDS", 30)
    for number in range(4):
        write_plan(tmp_path, number, f"Plan of lesson {number}")
    merge_four_lessons(tmp_path, tmp_path / "before.pdf")
    for outcome, pages, marker, said in (
        ("failed", 1, "failed", "could not be rendered"),  # its old one-page PDF still there
        ("longer", 2, "", "is now 2 pages long, not 1"),
    ):
        write_plan(tmp_path, 2, f"Plan of lesson 2, {outcome}", pages=pages)
        target = tmp_path / f"{outcome}.pdf"
        thread, failures, ready = start_merging_while_rendering(tmp_path, target, pages=1)
        ready.write_text(marker, encoding="utf-8")
        thread.join(timeout=60)
        assert [type(error) for error in failures] == [_OutdatedError], outcome
        assert said in str(failures[0])
        assert not target.exists()
        ready.unlink()


def test_pdfs_are_linked_from_the_book(built_minibook):
    lesson = BeautifulSoup(built_minibook.page("lessons/6-8/sample-lesson.html"), "html.parser")
    link = lesson.select_one("section#at-a-glance a[href$='.pdf']")
    assert link.get_text() == "Lesson plan (PDF)"
    assert (built_minibook.html / "lessons/6-8" / link["href"]).resolve().is_file()


def test_a4_by_configuration(minibook):
    minibook.edit(
        "_config.yml",
        "    curriculum_region: us-co\n",
        "    curriculum_region: us-co\n    curriculum_paper: a4\n",
    )
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert size(build.html / "pdf" / "lessons" / "sample-lesson.pdf") == A4
    assert size(build.html / "pdf" / "online-safety-curriculum.pdf") == A4


def test_everything_for_a_lesson_is_one_pdf(built_minibook):
    page = BeautifulSoup(built_minibook.page("lessons/6-8/sample-lesson.html"), "html.parser")
    link = page.select_one("p.glance-print a[href$='-with-handouts.pdf']")
    bundle = (built_minibook.html / "lessons/6-8" / link["href"]).resolve()
    reader = PdfReader(bundle)
    titles = outline_titles(bundle)
    assert "Handout: Ask for help cards" in titles and "Handout: Letter home" in titles
    lesson = built_minibook.html / "pdf" / "lessons" / "sample-lesson.pdf"
    assert first_handout_page(bundle) == first_handout_page(lesson)  # the same plan, then the handouts
    handouts = " ".join(
        " ".join(page.extract_text() for page in reader.pages[first_handout_page(bundle) :]).split()
    )
    assert "A player in a game asks you to keep a secret." in handouts
    assert "SECRET-ANSWER-TEXT" not in handouts  # the class copies, not the answer key
    with pikepdf.open(bundle) as pdf:  # the handouts' tags come along with the lesson's
        assert pdf.Root.MarkInfo.Marked and pdf.open_metadata()["pdfuaid:part"] == "1"
        handout_count = len([title for title in titles if title.startswith("Handout: ")])
        assert len(pdf.Root.StructTreeRoot.K.K) == 1 + handout_count
    guide = BeautifulSoup(built_minibook.page("lessons/adults/responding-to-disclosure.html"), "html.parser")
    assert guide.select_one("p.glance-print a[href$='-with-handouts.pdf']") is None  # no handouts, no bundle


def test_links_inside_a_merged_book_lead_to_the_same_lesson(built_minibook):
    """Every lesson has an "At a glance" agenda linking to its own blocks; merged, each still does."""
    import pikepdf

    pdf = pikepdf.open(built_minibook.html / "pdf" / "online-safety-curriculum.pdf")
    dests = pikepdf.NameTree(pdf.Root.Names.Dests)
    index = {page.objgen: number for number, page in enumerate(pdf.pages)}
    titles = outline_titles(built_minibook.html / "pdf" / "online-safety-curriculum.pdf")
    assert "Sample lesson on asking for help" in titles
    starts = sorted(
        index[item.destination[0].objgen]
        for item in pdf.open_outline().root
        if item.title in ("Sample lesson on asking for help", "Responding to a disclosure")
    )
    followed = 0
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            dest = annotation.get("/Dest")
            if dest is None and "/A" in annotation and annotation.A.get("/S") == "/GoTo":
                dest = annotation.A.D
            if isinstance(dest, pikepdf.String):  # a named destination (WeasyPrint's handouts)
                dest = dests[str(dest)]
            if not isinstance(dest, pikepdf.Array):  # a link out of the book
                continue
            target = index[dest[0].objgen]  # explicit: [page /XYZ left top zoom] (Typst's plans)
            part = sum(1 for start in starts if start <= number)
            assert part == sum(1 for start in starts if start <= target), (number, target)
            followed += 1
    assert followed >= 4


def test_an_edit_renders_only_that_lessons_print_page_and_the_books_follow(minibook, tmp_path):
    assert minibook.build().returncode == 0
    pages = minibook.src / "_build" / "html" / "pdf" / "pages"
    covers = minibook.src / "_build" / ".doctrees" / "curriculum-book-pages"  # cover and contents renders
    before = {path.name: path.stat().st_mtime_ns for path in pages.glob("*.html")}
    renders = {path: path.stat().st_mtime_ns for path in covers.rglob("*.pdf")}
    minibook.edit("lessons/6-8/sample-lesson.md", "TAB-ONE-TEXT", "TAB-ONE-EDITED")
    timings = tmp_path / "timings.json"
    build = minibook.build(env={**os.environ, "CURRICULUM_TIMINGS": str(timings)})
    assert build.returncode == 0, build.output
    if (os.cpu_count() or 1) > 1:  # with workers, the whole book merged while the lesson rendered
        assert json.loads(timings.read_text(encoding="utf-8"))["merged_early"] == ["all"]
    assert not list((minibook.src / "_build" / ".doctrees").rglob("*.rendered*"))
    after = {path.name: path.stat().st_mtime_ns for path in pages.glob("*.html")}
    assert sorted(name for name in after if after[name] != before[name]) == ["sample-lesson.html"]
    assert renders and {path: path.stat().st_mtime_ns for path in covers.rglob("*.pdf")} == renders
    for pdf in (
        "lessons/sample-lesson.pdf",
        "online-safety-curriculum-6-8.pdf",
        "online-safety-curriculum.pdf",
    ):
        text = text_of(build.html / "pdf" / pdf)
        assert "TAB-ONE-EDITED" in text and "TAB-ONE-TEXT" not in text, pdf
    # The whole book was merged while the lesson rendered (merge_early): the same bytes as after it.
    whole = build.html / "pdf" / "online-safety-curriculum.pdf"
    merged_meanwhile = whole.read_bytes()
    state = minibook.src / "_build" / ".doctrees" / "curriculum-books.json"
    state.write_text(
        json.dumps({**json.loads(state.read_text(encoding="utf-8")), "all": ""}), encoding="utf-8"
    )
    assert minibook.build().returncode == 0
    assert whole.read_bytes() == merged_meanwhile

    minibook.edit(
        "lessons/6-8/sample-lesson.md", "title: Sample lesson on asking for help", "title: Asking for help"
    )
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert "Asking for help" in text_of(build.html / "pdf" / "online-safety-curriculum.pdf")
    assert len(list(covers.rglob("*.pdf"))) == len(renders)  # the old contents pages are gone


def test_print_pages_and_pdfs_deleted_by_hand_come_back_with_the_next_build(minibook):
    """Nothing changed in the sources, yet the next build notices what is missing and makes it."""
    first = minibook.build()
    assert first.returncode == 0, first.output
    lost = [
        first.html / "pdf" / "pages" / "sample-lesson.html",
        first.html / "handouts" / "ask-for-help-cards.html",
    ]
    pdf = first.html / "handouts" / "ask-for-help-letter-a4.pdf"
    for path in (*lost, pdf):
        path.unlink()
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert "TAB-ONE-TEXT" in lost[0].read_text(encoding="utf-8")
    assert "A player in a game asks you to keep a secret." in lost[1].read_text(encoding="utf-8")
    assert text_of(pdf)


def uris(path: Path) -> list[str]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [
            str(annotation.A.URI)
            for page in pdf.pages
            for annotation in page.obj.get("/Annots", [])
            if "/A" in annotation and "/URI" in annotation.A
        ]


def test_links_to_other_pages_lead_to_the_published_book_or_nowhere(minibook):
    """A relative link on paper would become a file path on the build machine."""
    build = minibook.build()
    assert build.returncode == 0, build.output
    lesson = build.html / "pdf" / "lessons" / "sample-lesson.pdf"
    assert "How to respond to a disclosure" in text_of(lesson)
    assert not [uri for uri in uris(lesson) if uri.startswith("file:")]

    minibook.edit("_config.yml", "html:\n", "html:\n  baseurl: https://example.org/book/\n")
    build = minibook.build()
    assert build.returncode == 0, build.output
    links = uris(build.html / "pdf" / "lessons" / "sample-lesson.pdf")
    assert "https://example.org/book/lessons/adults/responding-to-disclosure.html" in links
    assert not [uri for uri in links if uri.startswith("file:")]
