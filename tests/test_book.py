"""The real curriculum: it builds clean, its table of contents is whole, and it is private."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, lines_by_height, text_pieces
from curriculum import frontmatter, privacy
from curriculum.handoutpages import OUTPUT_DIR

BANDS = ["k-2", "3-5", "6-8", "9-12"]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return found


def teacher_only_texts(build) -> set[str]:
    """Paragraphs found only in teacher notes and answer keys (not also elsewhere in the lesson)."""
    found = set()
    for page in (build.html / "lessons").rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        teacher, shared = set(), set()
        for para in soup.select("article p, article li"):
            text = " ".join(para.get_text(" ", strip=True).split())
            if len(text) > 40:
                hidden = para.find_parent("div", class_=["teacher-note", "answer-key"]) is not None
                (teacher if hidden else shared).add(text)
        found |= {text for text in teacher if not any(text in other for other in shared)}
    return found


def test_every_toc_entry_exists_and_every_lesson_is_in_the_toc():
    entries = toc_files()
    for entry in entries:
        assert (ROOT / f"{entry}.md").is_file(), f"_toc.yml lists {entry} but {entry}.md does not exist"
    lessons = {
        str(path.relative_to(ROOT).with_suffix(""))
        for path in (ROOT / "lessons").rglob("*.md")
        if not path.name.startswith("_")
    }
    missing = sorted(lessons - set(entries))
    assert not missing, f"lessons not in _toc.yml (add them under their band): {missing}"


def test_toc_has_a_part_per_band_plus_adults_and_contributors():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    for caption in ["Grades K-2", "Grades 3-5", "Grades 6-8", "Grades 9-12", "Adults", "For contributors"]:
        assert caption in captions


def test_the_book_builds_every_page_in_the_toc(real_book):
    for entry in toc_files():
        assert (real_book.html / f"{entry}.html").is_file(), entry


def test_home_page_leads_to_each_band_and_the_catalog(real_book):
    home = BeautifulSoup(real_book.page("index.html"), "html.parser").select_one("article")
    hrefs = {a["href"] for a in home.find_all("a")}
    for band in BANDS:
        assert f"lessons/{band}/index.html" in hrefs
    assert "book/catalog.html" in hrefs


def test_every_lesson_page_opens_with_the_panel_and_is_in_the_catalog(real_book):
    catalog = real_book.page("book/catalog.html")
    for band in BANDS:
        for lesson in sorted((ROOT / "lessons" / band).glob("*.md")):
            if lesson.stem == "index":
                continue
            page = BeautifulSoup(real_book.page(f"lessons/{band}/{lesson.stem}.html"), "html.parser")
            assert page.select_one("section#at-a-glance .glance-objectives"), lesson
            assert page.select_one("section#at-a-glance .disclosure-reminder a"), lesson
            assert f"lessons/{band}/{lesson.stem}.html" in catalog, lesson


def test_teacher_only_text_never_reaches_student_or_family_copies(real_book):
    teacher_texts = teacher_only_texts(real_book)
    assert teacher_texts, "the lessons have teacher notes"
    student_copies = [
        path for path in (real_book.html / OUTPUT_DIR).glob("*.html") if not path.stem.endswith("-teacher")
    ]
    assert student_copies, "the lessons have student and family handouts"
    for copy in student_copies:
        text = " ".join(
            BeautifulSoup(copy.read_text(encoding="utf-8"), "html.parser").get_text(" ", strip=True).split()
        )
        for teacher_text in teacher_texts:
            assert teacher_text not in text, f"{copy.name} contains teacher-only text: {teacher_text[:60]}"


def test_no_page_loads_anything_from_another_host(real_book):
    assert privacy.scan_site(real_book.html) == {}


def test_no_math_so_mathjax_is_never_loaded(real_book):
    for page in real_book.html.rglob("*.html"):
        assert "mathjax" not in page.read_text(encoding="utf-8").lower(), page


def test_every_handout_of_every_lesson_has_all_its_printables(real_book):
    from curriculum.handoutpages import printables

    pages = list((real_book.html / "lessons").rglob("*.html"))
    frames = [
        frame
        for page in pages
        for frame in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("div.handout")
    ]
    assert frames, "the lessons have handouts"
    for frame in frames:
        handout_id = frame["id"].removeprefix("handout-")
        record = {
            "id": handout_id,
            "has_answers": bool(frame.select("div.answer-key")),
            "audience": next(
                c.removeprefix("audience-") for c in frame["class"] if c.startswith("audience-")
            ),
        }
        for made in printables(record):
            path = real_book.html / made.path
            assert path.is_file(), made.path
            if made.kind == "pdf":
                box = PdfReader(path).pages[0].mediabox
                expected = (612, 792) if made.paper == "letter" else (595, 842)
                assert (round(float(box.width)), round(float(box.height))) == expected, made.path


def test_no_teacher_only_text_in_any_student_or_family_pdf(real_book):
    teacher_texts = teacher_only_texts(real_book)
    for pdf in (real_book.html / OUTPUT_DIR).glob("*.pdf"):
        if "-teacher-" in pdf.name:
            continue
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
        for teacher_text in teacher_texts:
            assert teacher_text not in text, f"{pdf.name} contains teacher-only text: {teacher_text[:60]}"


def test_each_band_pdf_has_its_lessons_and_no_others(real_book):
    from curriculum.frontmatter import parse

    titles, summaries = {}, {}
    for band in [*BANDS, "adults"]:
        pages = [
            parse(path.read_text(encoding="utf-8")).data
            for path in sorted((ROOT / "lessons" / band).glob("*.md"))
            if path.stem != "index"
        ]
        titles[band] = [data["title"] for data in pages]
        summaries[band] = [
            " ".join(data["summary"].split())[:60] for data in pages
        ]  # each lesson's own words
    for band, own in titles.items():
        pdf = real_book.html / "pdf" / f"online-safety-curriculum-{band}.pdf"
        reader = PdfReader(pdf)
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        for summary in summaries[band]:
            assert summary in text, (band, summary)
        for other, theirs in summaries.items():
            if other != band:
                for summary in theirs:
                    assert summary not in text, (band, summary)
        top_level = [item for item in reader.outline if not isinstance(item, list)]
        assert top_level[0].title == "Contents", band
        assert sorted(item.title for item in top_level[1:]) == sorted(own), (
            band
        )  # (in table-of-contents order)
        assert reader.metadata.title.endswith(
            ("Grades K-2", "Grades 3-5", "Grades 6-8", "Grades 9-12", "Adults")
        )
    # The whole book opens as grade bands: a bookmark and a contents heading per band, its lessons under it.
    whole = PdfReader(real_book.html / "pdf" / "online-safety-curriculum.pdf")
    top_level = [item.title for item in whole.outline if not isinstance(item, list)]
    labels = ["Grades K-2", "Grades 3-5", "Grades 6-8", "Grades 9-12", "Adults"]
    assert top_level == ["Contents", *labels]
    groups = [item for item in whole.outline if isinstance(item, list)]
    for band, label, group in zip([*BANDS, "adults"], labels, groups, strict=True):
        lessons = [item.title for item in group if not isinstance(item, list)]
        assert sorted(lessons) == sorted(titles[band]), label
    first_lesson = whole.get_destination_page_number(groups[0][0])  # the contents end before it
    contents = " ".join(" ".join(page.extract_text() for page in whole.pages[1:first_lesson]).split())
    headings = [contents.find(label) for label in labels]
    assert -1 not in headings and headings == sorted(headings), contents


def test_every_phone_link_in_the_book_comes_from_the_directory(real_book):
    from curriculum.directory import load_directory

    directory = load_directory(ROOT / "data" / "resources", "us-co")
    numbers = {
        contact["number"]
        for entry in directory.entries.values()
        for contact in entry["contacts"]
        if contact["type"] in {"phone", "text"}
    }
    links = 0
    for page in real_book.html.rglob("*.html"):
        for anchor in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            'a[href^="tel:"], a[href^="sms:"]'
        ):
            number = anchor["href"].split(":", 1)[1].split("?")[0]
            assert number in numbers, (
                f"{page.relative_to(real_book.html)}: {anchor['href']} is not in data/resources/"
            )
            links += 1
    assert links > 0


def test_the_resources_page_prints_as_a_one_page_card(real_book):
    for paper in ("letter", "a4"):
        card = PdfReader(real_book.html / "handouts" / f"help-and-reporting-card-{paper}.pdf")
        assert len(card.pages) == 1, paper
        text = " ".join(card.pages[0].extract_text().split())
        assert "NCMEC CyberTipline" in text and "988 Suicide & Crisis Lifeline" in text
    page = BeautifulSoup(real_book.page("book/resources.html"), "html.parser")
    assert page.select_one("#handout-help-and-reporting-card .handout-links a[href$='-letter.pdf']")


def test_response_cards_print_four_wallet_cards_to_a_sheet(real_book):
    """Cut out and folded, each card fits a wallet; large print and the web page keep one card."""

    cards = sorted((real_book.html / "lessons").rglob("*.html"))
    ids = [
        frame["id"].removeprefix("handout-")
        for page in cards
        for frame in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            "div.handout.handout-response-card"
        )
    ]
    assert "sextortion-response-card" in ids
    for handout_id in ids:
        web = BeautifulSoup(real_book.page(f"handouts/{handout_id}.html"), "html.parser")
        title = web.select_one("h1").get_text(strip=True)
        sheet_page = BeautifulSoup(real_book.page(f"handouts/{handout_id}-cards.html"), "html.parser")
        assert len(sheet_page.select("section.wallet-card")) == 4
        for paper in ("letter", "a4"):
            sheet = PdfReader(real_book.html / "handouts" / f"{handout_id}-{paper}.pdf")
            first = " ".join(sheet.pages[0].extract_text().split())
            assert first.count(title) >= 4, (handout_id, paper)
            assert "fold each card in half" in first
            # Each card folds the same way: the same lines on its front panel (the left half of the
            # sheet, above its 0.8 in footer margin; the sheet is laid out 11 in high, centred on A4).
            box = sheet.pages[0].mediabox
            middle = float(box.left + box.right) / 2
            footer = float(box.bottom) + (float(box.height) - 11 * 72) / 2 + 0.8 * 72
            front = sorted(
                (-round(y), x, text)
                for x, y, text in text_pieces(sheet.pages[0])
                if x < middle and y > footer
            )
            fronts = " ".join("".join(text for *_, text in front).split()).split(title)[1:]
            assert len(fronts) == 4 and len(set(fronts)) == 1, (handout_id, paper, fronts)
        large = PdfReader(real_book.html / "handouts" / f"{handout_id}-large-print.pdf")
        text = " ".join(" ".join(page.extract_text() for page in large.pages).split())
        assert "fold each card" not in text and not web.select(".wallet-card")


def test_a_teen_in_trouble_is_one_click_from_the_home_page(real_book):
    home = BeautifulSoup(real_book.page("index.html"), "html.parser")
    box = home.select_one("main .teen-help")
    assert box.a["href"] == "book/if-this-is-happening-to-you.html"
    assert "not your fault" in box.get_text()
    page = BeautifulSoup(real_book.page("book/if-this-is-happening-to-you.html"), "html.parser")
    assert page.select_one("#handout-if-this-is-happening-to-you .handout-links a[href$='-letter.pdf']")
    for paper in ("letter", "a4"):
        sheet = PdfReader(real_book.html / "handouts" / f"if-this-is-happening-to-you-{paper}.pdf")
        assert len(sheet.pages) == 1, paper
        text = " ".join(sheet.pages[0].extract_text().split())
        for step in (
            "not your fault",
            "not in trouble",
            "Do not pay",
            "Report and block",
            "NCMEC CyberTipline",
        ):
            assert step in text, step


def test_every_classroom_lesson_sends_home_a_family_letter_and_gives_a_student_handout(real_book):
    """What a teacher prints for a lesson: practice cards, a student sheet, the letter, the help card."""
    lessons = [path for band in BANDS for path in sorted((ROOT / "lessons" / band).glob("[!_]*.md"))]
    lessons = [path for path in lessons if path.stem != "index"]
    assert len(lessons) >= 17
    for path in lessons:
        band = path.parent.name
        page = BeautifulSoup(real_book.page(f"lessons/{band}/{path.stem}.html"), "html.parser")
        frames = page.select("div.handout")
        kinds = {
            (
                next(c.removeprefix("handout-") for c in frame["class"] if c.startswith("handout-")),
                next(c.removeprefix("audience-") for c in frame["class"] if c.startswith("audience-")),
            )
            for frame in frames
        }
        assert ("family-letter", "families") in kinds, path.name
        assert ("scenario-cards", "students") in kinds, path.name
        assert kinds & {("worksheet", "students"), ("tip-sheet", "students"), ("response-card", "students")}
        for frame in frames:
            assert (
                real_book.html / "handouts" / f"{frame['id'].removeprefix('handout-')}-letter.pdf"
            ).is_file()
        listed = [a["href"] for a in page.select(".glance-handouts a")]
        assert any(href.endswith("resources.html#handout-help-and-reporting-card") for href in listed), (
            path.name
        )


def test_lessons_that_state_the_law_are_marked_for_legal_review():
    law = ROOT / "lessons" / "9-12" / "the-law-for-protection-not-fear.md"
    assert frontmatter.parse(law.read_text(encoding="utf-8")).data["needs_legal_review"] is True


def test_family_letters_never_break_a_line_after_its_first_word_or_before_a_source_number(real_book):
    """WeasyPrint once printed "Stay" alone on a line, then the rest of it, when a source number
    did not fit at the end; a number alone at the start of a line ("[14]. Do not ...") reads badly too.
    """

    letters = sorted((real_book.html / OUTPUT_DIR).glob("*-family-letter-letter.pdf"))
    assert len(letters) >= 10
    for pdf in letters:
        lines = [line.strip() for page in PdfReader(pdf).pages for line in page.extract_text().splitlines()]
        for line, after in pairwise(lines):
            # (The footer's last line is the lesson's address, "lessons/...": not a sentence.)
            lone_word = len(line.split()) == 1 and line[-1].isalpha() and after[:1].islower()
            lone_word = lone_word and not after.startswith("lessons/")
            assert not lone_word, f"{pdf.name}: '{line}' alone on a line before '{after[:40]}'"
            assert not re.match(r"(\[\d+\]\s*)+[.,;:!?]", after), f"{pdf.name}: a line starts '{after[:30]}'"


def test_every_table_header_in_every_pdf_is_found_through_the_id_index(real_book):
    import pikepdf

    checked = 0
    for path in sorted(real_book.html.rglob("*.pdf")):
        with pikepdf.open(path) as pdf:
            tags = [item for item in pdf.objects if isinstance(item, pikepdf.Dictionary) and "/S" in item]
            ids = [str(tag.ID) for tag in tags if "/ID" in tag]
            named = [
                str(header)
                for tag in tags
                if isinstance(tag.get("/A"), pikepdf.Dictionary) and "/Headers" in tag.A
                for header in tag.A.Headers
            ]
            if not ids:
                assert not named, path.name
                continue
            assert len(ids) == len(set(ids)), f"{path.name}: two table headers share an ID"
            index = dict(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).items())
            assert sorted(index) == sorted(ids), path.name
            assert all(index[header].S == "/TH" for header in named), path.name
            checked += 1
    # Lessons with tables, their bundles, band books, the whole book, and teacher copies with tables.
    assert checked > 10


def _last_body_lines(pdf: Path) -> list[str]:
    """The lowest line of text above the footer on every page but the last, from the text's positions."""

    ends = []
    for page in PdfReader(pdf).pages[:-1]:
        lines = {y: " ".join("".join(pieces).split()) for y, pieces in lines_by_height(page).items()}
        # Every paper's bottom margin is at least 0.9 in (65 pt): the footer sits in it, the body above it.
        bottom, top = float(page.mediabox.bottom) + 62, float(page.mediabox.top) - 45
        body = {y: text for y, text in lines.items() if text and bottom < y < top}
        ends.append(body[min(body)])
    return ends


def _titles(page: Path) -> set[str]:
    """The headings, box titles, terms and help-line names of a print page: none of them may end a page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for link in soup.select("a.headerlink"):
        link.decompose()
    found = soup.select("h2, h3, h4, p.admonition-title, p.rubric, dt, .resource-name")
    return {" ".join(element.get_text(" ").split()) for element in found}


def test_no_page_ends_with_a_heading_a_box_title_or_a_help_lines_name(real_book):
    """A title alone at the foot of a page, its box on the next, reads as a misprint (so does a
    vocabulary word apart from its meaning); a help line's name on one page and its number on the next
    is worse. Lesson plans and every multi-page sheet."""
    printed = [
        (real_book.html / "pdf" / "lessons" / f"{page.stem}.pdf", page)
        for page in (real_book.html / "pdf" / "pages").glob("*.html")
    ]
    for pdf in (real_book.html / OUTPUT_DIR).glob("*.pdf"):
        if not pdf.name.endswith("-a4.pdf"):  # the same layout as Letter
            printed.append((pdf, pdf.with_name(re.sub(r"-(letter|large-print)\.pdf$", ".html", pdf.name))))
    pages = 0
    for pdf, source in printed:
        titles = _titles(source)
        for number, line in enumerate(_last_body_lines(pdf), 1):
            assert line not in titles, f"{pdf.name}: page {number} ends with '{line}'"
            pages += 1
    assert pages > 300
