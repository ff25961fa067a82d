"""Handout blocks: inline frames, print pages without teacher-only text, and their errors."""

from __future__ import annotations

from bs4 import BeautifulSoup
from pypdf import PdfReader

LESSON = "lessons/6-8/sample-lesson.md"


def test_handout_renders_inline_with_links_to_its_printable_copies(built_minibook):
    page = BeautifulSoup(built_minibook.page("lessons/6-8/sample-lesson.html"), "html.parser")
    frame = page.select_one("#handout-ask-for-help-cards")
    assert "Handout: Ask for help cards" in frame.get_text()
    copies = {}
    for line in frame.select(".handout-links p"):
        copies[line.find("strong").get_text()] = {a.get_text(): a["href"] for a in line.find_all("a")}
    assert copies == {
        "Student copy": {
            "Letter PDF": "../../handouts/ask-for-help-cards-letter.pdf",
            "A4 PDF": "../../handouts/ask-for-help-cards-a4.pdf",
            "large print PDF": "../../handouts/ask-for-help-cards-large-print.pdf",
            "Word (editable)": "../../handouts/ask-for-help-cards.docx",
            "web page": "../../handouts/ask-for-help-cards.html",
        },
        "Teacher copy with answers": {
            "PDF": "../../handouts/ask-for-help-cards-teacher-letter.pdf",
            "web page": "../../handouts/ask-for-help-cards-teacher.html",
        },
    }
    for links in copies.values():
        for href in links.values():
            assert (built_minibook.html / "lessons/6-8" / href).resolve().is_file(), href


def test_student_and_family_copies_never_carry_teacher_only_text(built_minibook):
    handouts = built_minibook.html / "handouts"
    student = (handouts / "ask-for-help-cards.html").read_text(encoding="utf-8")
    family = (handouts / "ask-for-help-letter.html").read_text(encoding="utf-8")
    teacher = (handouts / "ask-for-help-cards-teacher.html").read_text(encoding="utf-8")
    assert "A player in a game asks you to keep a secret." in student
    assert "Dear family, this week we practised asking for help." in family
    for copy in (student, family):
        assert "SECRET-ANSWER-TEXT" not in copy
        assert "SECRET-TEACHER-NOTE-TEXT" not in copy
    assert "SECRET-ANSWER-TEXT" in teacher
    assert not (handouts / "ask-for-help-letter-teacher.html").exists()  # no answers, no teacher copy


def test_print_page_names_the_lesson_and_the_license(built_minibook):
    page = BeautifulSoup(built_minibook.page("handouts/ask-for-help-cards.html"), "html.parser")
    footer = page.select_one("footer").get_text(" ", strip=True)
    assert 'from the lesson "Sample lesson on asking for help"' in footer
    assert "lessons/6-8/sample-lesson.html" in footer and "CC BY 4.0" in footer
    assert page.select_one("main") is not None and page.html["lang"] == "en"


def test_duplicate_handout_ids_fail_with_both_places(minibook):
    minibook.edit(LESSON, ":id: ask-for-help-letter", ":id: ask-for-help-cards")
    minibook.edit(
        LESSON, "handouts: [ask-for-help-cards, ask-for-help-letter]", "handouts: [ask-for-help-cards]"
    )
    build = minibook.build()
    assert build.returncode != 0
    assert "HND001 duplicate handout id 'ask-for-help-cards'" in build.output
    assert "sample-lesson.md:78" in build.output and "sample-lesson.md:48" in build.output


def test_handout_listed_in_front_matter_must_exist_and_vice_versa(minibook):
    minibook.edit(
        LESSON, "handouts: [ask-for-help-cards, ask-for-help-letter]", "handouts: [ask-for-help-cards, typo]"
    )
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:20: WARNING: HND002 front matter lists handout 'typo'" in build.output
    assert "HND003 handout 'ask-for-help-letter' is not listed" in build.output


def test_unknown_kind_and_empty_handout_are_errors_at_their_line(minibook):
    minibook.edit(LESSON, ":kind: family-letter", ":kind: poster")
    minibook.edit(LESSON, "Dear family, this week we practised asking for help.\n", "")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:78" in build.output
    assert "poster" in build.output and "family-letter" in build.output


def test_rebuild_rewrites_only_the_edited_handout_and_removes_deleted_ones(minibook):
    assert minibook.build().returncode == 0
    handouts = minibook.src / "_build" / "html" / "handouts"
    before = {path.name: path.stat().st_mtime_ns for path in handouts.glob("*.html")}
    minibook.edit(LESSON, "this week we practised asking for help", "this week we practised telling")
    assert minibook.build().returncode == 0
    after = {path.name: path.stat().st_mtime_ns for path in handouts.glob("*.html")}
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["ask-for-help-letter.html"]

    text = minibook.file(LESSON).read_text(encoding="utf-8")
    start = text.index(":::{handout} Letter home")
    end = text.index(":::\n::::", start) + 4
    minibook.file(LESSON).write_text(text[:start] + text[end:], encoding="utf-8")
    minibook.edit(
        LESSON, "handouts: [ask-for-help-cards, ask-for-help-letter]", "handouts: [ask-for-help-cards]"
    )
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert sorted(path.name for path in handouts.glob("*.html")) == [
        "ask-for-help-cards-teacher.html",
        "ask-for-help-cards.html",
    ]


def test_editing_one_handout_remakes_only_its_printables(minibook):
    assert minibook.build().returncode == 0
    handouts = minibook.src / "_build" / "html" / "handouts"
    before = {path.name: path.stat().st_mtime_ns for path in handouts.iterdir()}
    minibook.edit(LESSON, "this week we practised asking for help", "this week we practised telling")
    assert minibook.build().returncode == 0
    after = {path.name: path.stat().st_mtime_ns for path in handouts.iterdir()}
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == [
        "ask-for-help-letter-a4.pdf",
        "ask-for-help-letter-large-print.pdf",
        "ask-for-help-letter-letter.pdf",
        "ask-for-help-letter.docx",
        "ask-for-help-letter.html",
    ]


SHARED_CARD = """
::::{handout} Where to get help
:id: shared-help-card
:kind: tip-sheet
:audience: families

SHARED-CARD-TEXT: talk to a trusted adult.
::::
"""


def built_page(minibook, page: str):
    """Build the edited fixture book (it must succeed) and read one of its pages."""
    build = minibook.build()
    assert build.returncode == 0, build.output
    return build, BeautifulSoup(build.page(page), "html.parser")


def test_a_lesson_can_list_a_handout_held_by_another_page(minibook):
    """The help card lives once, on its own page, yet prints with every lesson that lists it."""
    printables = minibook.file("book/printables.md")
    printables.write_text(printables.read_text(encoding="utf-8") + SHARED_CARD, encoding="utf-8")
    minibook.edit(
        LESSON,
        "handouts: [ask-for-help-cards, ask-for-help-letter]",
        "handouts: [ask-for-help-cards, ask-for-help-letter, shared-help-card]",
    )
    guide = "lessons/adults/responding-to-disclosure.md"
    minibook.edit(guide, "duration_minutes: 10\n", "duration_minutes: 10\nhandouts: [shared-help-card]\n")
    build, lesson = built_page(minibook, "lessons/6-8/sample-lesson.html")
    listed = lesson.select(".glance-handouts li")
    assert len(listed) == 3
    assert listed[-1].a["href"] == "../../book/printables.html#handout-shared-help-card"
    assert listed[-1].get_text(" ", strip=True).startswith("Where to get help (tip sheet, for families)")
    bundle = PdfReader(build.html / "pdf/lessons/sample-lesson-with-handouts.pdf")
    last_page = bundle.pages[-1].extract_text()
    assert "SHARED-CARD-TEXT" in last_page
    # The whole book holds both pages that list the card: it prints once, after the first of them.
    book = PdfReader(build.html / "pdf" / "online-safety-curriculum.pdf")
    assert " ".join(page.extract_text() for page in book.pages).count("SHARED-CARD-TEXT") == 1
    table = BeautifulSoup(build.page("book/printables.html"), "html.parser").select_one("table.printables")
    assert "Where to get help" in table.get_text()

    minibook.edit("book/printables.md", "::::{handout} Where to get help", "::::{handout} Help lines")
    _, lesson = built_page(minibook, "lessons/6-8/sample-lesson.html")
    assert lesson.select(".glance-handouts li")[-1].a.get_text() == "Help lines"


def test_worksheets_get_one_name_line_whether_or_not_the_writer_typed_one(minibook):
    minibook.edit(LESSON, ":kind: family-letter", ":kind: worksheet")
    _, page = built_page(minibook, "handouts/ask-for-help-letter.html")
    assert page.select_one(".name-line") is not None

    minibook.edit(
        LESSON,
        "Dear family, this week we practised asking for help.",
        "Name: ______ (so I can find you if you ask to talk)\n\nDear family, this week we practised asking for help.",
    )
    _, page = built_page(minibook, "handouts/ask-for-help-letter.html")
    assert page.select_one(".name-line") is None
    assert page.get_text().count("Name:") == 1


def test_a_line_of_underscores_is_a_line_to_write_on(minibook):
    """Markdown would make it a horizontal rule, which at the end of a list item stops docutils.

    Each line is marked as one, so that a line typed for a Letter sheet ends at the
    column's edge in large print or on a phone instead of running off it."""
    minibook.edit(
        LESSON,
        "Dear family, this week we practised asking for help.",
        "Dear family, this week we practised asking for help.\n\n"
        "1. Who can you ask?\n\n   ______________________\n\n2. And who else?\n   ______________________",
    )
    build = minibook.build()
    assert build.returncode == 0, build.output
    page = BeautifulSoup(build.page("handouts/ask-for-help-letter.html"), "html.parser")
    items = page.select("main ol li")
    assert [item.get_text(" ", strip=True).split()[-1] for item in items] == ["_" * 22] * 2
    assert [line.get_text() for line in page.select("main ol li .writing-line")] == ["_" * 22] * 2
    assert page.select("main hr") == []
