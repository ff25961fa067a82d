"""Lesson pages: the "At a glance" panel, numbered sources, and errors at file:line."""

from __future__ import annotations

from bs4 import BeautifulSoup
from docutils import nodes

from curriculum.lessonpage import keep_on_line

LESSON = "lessons/6-8/sample-lesson.md"


def soup(build, page: str) -> BeautifulSoup:
    return BeautifulSoup(build.page(page), "html.parser")


def test_the_panel_shows_what_a_teacher_needs_at_a_glance(built_minibook):
    panel = soup(built_minibook, "lessons/6-8/sample-lesson.html").select_one("section#at-a-glance")
    assert panel is not None
    text = panel.get_text(" ", strip=True)
    for expected in [
        "Grades 6-8",
        "30 minutes",
        "trusted adults, sextortion",
        "ISTE 1.2.b",
        "CASEL: Relationship skills",
        "NHES 4, 5",
        "Name three adults they can ask for help.",
        "A grown-up who listens and helps you stay safe.",
        "Scenario cards, one set per group",
        "Ask for help cards",
        "Letter home",
        "Warm-up (5 min)",
        "Practice: who can help? (15 min)",
        "mandated reporter",
    ]:
        assert expected in text, expected


def test_the_panel_comes_right_after_the_title(built_minibook):
    page = soup(built_minibook, "lessons/6-8/sample-lesson.html")
    first_section = page.select_one("article section")
    assert first_section.find("h1").find_next_sibling("section")["id"] == "at-a-glance"


def test_agenda_links_to_blocks_and_disclosure_links_to_the_guide(built_minibook):
    page = soup(built_minibook, "lessons/6-8/sample-lesson.html")
    agenda = [a["href"] for a in page.select("ol.glance-agenda a")]
    assert len(agenda) == 4
    for href in agenda:
        assert page.find(id=href[1:]) is not None, href
    disclosure = page.select_one(".disclosure-reminder a")
    assert disclosure["href"] == "../adults/responding-to-disclosure.html"


def test_teacher_note_is_visible_and_labelled(built_minibook):
    note = soup(built_minibook, "lessons/6-8/sample-lesson.html").select_one("div.teacher-note")
    assert note.select_one(".admonition-title").get_text() == "Teacher only: Before you teach"
    assert "SECRET-TEACHER-NOTE-TEXT" in note.get_text()


def test_citations_are_numbered_links_to_the_sources_list(built_minibook):
    page = soup(built_minibook, "lessons/6-8/sample-lesson.html")
    refs = page.select("a.source-ref")
    assert [a.get_text() for a in refs] == ["[2]", "[1]"]
    items = page.select("section#sources li")
    assert [li["id"] for li in items] == ["source-fbi-sextortion", "source-ncmec-data"]
    assert items[0].find("a")["href"].startswith("https://www.fbi.gov/")
    assert len(page.select("span.cite-keep a.source-ref")) == len(refs)  # each number kept with its word


def test_a_source_number_is_kept_with_the_word_before_it_and_the_stop_after_it():
    """One no-wrap span from the space before the word to the punctuation after the numbers."""
    first, second = (nodes.reference("", label, classes=["source-ref"]) for label in ("[11]", "[10]"))
    para = nodes.paragraph()
    para += [nodes.Text("Say it\n"), nodes.Text("to each other"), nodes.Text("\n"), first, nodes.Text(" ")]
    para += [second, nodes.Text(".\n"), nodes.Text("Say it\n")]  # equal Text nodes: told apart by place
    keep_on_line(first)
    keep_on_line(second)
    assert para.astext() == "Say it\nto each other\n[11] [10].\nSay it\n"
    kept = [node for node in para.children if isinstance(node, nodes.inline)]
    assert len(kept) == 1 and kept[0]["classes"] == ["cite-keep"]
    assert kept[0].astext() == " other\n[11] [10]."


def test_unknown_source_fails_the_build_with_file_and_line(minibook):
    minibook.edit(LESSON, "{source}`fbi-sextortion`", "{source}`no-such-source`")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:41" in build.output
    assert "LES020 unknown source 'no-such-source'" in build.output


def test_bad_band_fails_the_build_naming_file_line_and_field(minibook):
    minibook.edit(LESSON, "band: 6-8", "band: 7-9")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:5: WARNING: LES002 field 'band' has value '7-9'" in build.output


def test_unknown_field_fails_the_build(minibook):
    minibook.edit(LESSON, "kind: lesson\n", "kind: lesson\ngrade_level: 7\n")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:4:" in build.output and "grade_level" in build.output


def test_missing_required_block_fails_the_build(minibook):
    minibook.edit(LESSON, ":::{discussion}\n:minutes: 5\n", ":::{note}\n")
    minibook.edit(LESSON, "duration_minutes: 30", "duration_minutes: 25")
    build = minibook.build()
    assert build.returncode != 0
    assert "LES010 required block 'discussion' is missing" in build.output


def test_timed_block_without_minutes_fails_the_build(minibook):
    minibook.edit(LESSON, ":::{warm-up}\n:minutes: 5\n", ":::{warm-up}\n")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:39" in build.output
    assert "needs ':minutes:'" in build.output


def test_a_page_awaiting_legal_review_says_so_at_the_top(minibook):
    minibook.edit(LESSON, "handouts: [", "needs_legal_review: true\nhandouts: [")
    build = minibook.build()
    assert build.returncode == 0, build.output
    page = BeautifulSoup(build.page("lessons/6-8/sample-lesson.html"), "html.parser")
    note = page.select_one("section#at-a-glance .legal-review")
    assert "a lawyer has not yet reviewed it" in note.get_text()
    unmarked = BeautifulSoup(build.page("lessons/adults/responding-to-disclosure.html"), "html.parser")
    assert unmarked.select_one(".legal-review") is None
