"""The lesson catalog lists every lesson by band and follows changes."""

from __future__ import annotations

from bs4 import BeautifulSoup

LESSON = "lessons/6-8/sample-lesson.md"


def catalog_rows(build) -> dict[str, list[list[str]]]:
    page = BeautifulSoup(build.page("catalog.html"), "html.parser")
    tables = {}
    for table in page.select("table.lesson-catalog"):
        band = next(c for c in table["class"] if c.startswith("catalog-") and c != "lesson-catalog")
        rows = []
        for tr in table.select("tbody tr"):
            cells = tr.find_all("td")
            title = cells[0].find("a").get_text(strip=True)
            rows.append([title] + [td.get_text(" ", strip=True) for td in cells[1:]])
        tables[band] = rows
    return tables


def test_catalog_lists_lessons_by_band_with_time_topics_and_standards(built_minibook):
    tables = catalog_rows(built_minibook)
    assert tables["catalog-6-8"] == [
        [
            "Sample lesson on asking for help",
            "30 min",
            "trusted adults, sextortion",
            "ISTE 1.2.b; CASEL: Relationship skills; NHES 4, 5",
        ]
    ]
    assert tables["catalog-adults"][0][0] == "Responding to a disclosure"
    assert "catalog-k-2" not in tables  # an empty band gets no table


def test_catalog_links_open_the_lesson_and_show_its_summary(built_minibook):
    page = BeautifulSoup(built_minibook.page("catalog.html"), "html.parser")
    link = page.select_one("table.catalog-6-8 a")
    assert link["href"] == "lessons/6-8/sample-lesson.html"
    summary = page.select_one("table.catalog-6-8 .catalog-summary").get_text()
    assert summary.startswith("Students practise asking a trusted adult for help")


def test_catalog_follows_added_changed_and_removed_lessons(minibook):
    assert minibook.build().returncode == 0
    second = minibook.file("lessons/6-8/second-lesson.md")
    text = minibook.file(LESSON).read_text(encoding="utf-8")
    text = text.replace("id: sample-lesson", "id: second-lesson").replace(
        "title: Sample lesson on asking for help", "title: Second lesson"
    )
    text = text.replace("ask-for-help-cards", "second-cards").replace("ask-for-help-letter", "second-letter")
    second.write_text(text, encoding="utf-8")
    minibook.edit(
        "_toc.yml",
        "      - file: lessons/6-8/sample-lesson\n",
        "      - file: lessons/6-8/sample-lesson\n      - file: lessons/6-8/second-lesson\n",
    )
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert [row[0] for row in catalog_rows(build)["catalog-6-8"]] == [
        "Sample lesson on asking for help",
        "Second lesson",
    ]

    minibook.edit(
        "lessons/6-8/second-lesson.md",
        "duration_minutes: 30",
        "duration_minutes: 30\nshort_version_minutes: 15",
    )
    build = minibook.build()
    assert catalog_rows(build)["catalog-6-8"][1][1] == "30 min (short version: 15 min)"

    minibook.edit("_toc.yml", "      - file: lessons/6-8/second-lesson\n", "")
    second.unlink()
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert [row[0] for row in catalog_rows(build)["catalog-6-8"]] == ["Sample lesson on asking for help"]


def test_an_edit_to_a_lessons_text_leaves_the_catalog_pages_alone(minibook):
    """What the catalogs show did not change, so they are not written again: the rebuild stays quick."""
    first = minibook.build()
    assert first.returncode == 0, first.output
    catalog, printables = first.html / "catalog.html", first.html / "book" / "printables.html"
    before = {page: page.stat().st_mtime_ns for page in (catalog, printables)}
    minibook.edit(LESSON, "Groups read the cards", "Pairs read the cards")
    build = minibook.build()
    assert build.returncode == 0, build.output
    assert "Pairs read the cards" in build.page("lessons/6-8/sample-lesson.html")
    assert {page: page.stat().st_mtime_ns for page in (catalog, printables)} == before

    minibook.edit(LESSON, "::::{handout} Ask for help cards", "::::{handout} Cards for asking for help")
    build = minibook.build()
    assert "Cards for asking for help" in build.page("book/printables.html")


def test_printables_page_links_every_handout_and_each_lessons_bundle(built_minibook):
    page = BeautifulSoup(built_minibook.page("book/printables.html"), "html.parser")
    hrefs = [a["href"] for a in page.select("table.printables a")]
    assert "../pdf/lessons/sample-lesson-with-handouts.pdf" in hrefs
    for name in (
        "ask-for-help-cards-letter.pdf",
        "ask-for-help-cards-a4.pdf",
        "ask-for-help-cards-large-print.pdf",
        "ask-for-help-cards.docx",
        "ask-for-help-letter-letter.pdf",
        "ask-for-help-cards-teacher-letter.pdf",
    ):
        assert f"../handouts/{name}" in hrefs, name
    for href in hrefs:
        if not href.endswith(".html"):
            assert (built_minibook.html / "book" / href).resolve().is_file(), href
