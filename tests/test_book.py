"""The real curriculum: it builds clean, its table of contents is whole, and it is private."""

from __future__ import annotations

from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from curriculum import privacy
from curriculum.handoutpages import OUTPUT_DIR

ROOT = Path(__file__).resolve().parents[1]
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
    teacher_texts = []
    for page in (real_book.html / "lessons").rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for block in soup.select("div.teacher-note, div.answer-key"):
            for para in block.find_all(["p", "li"]):
                text = para.get_text(" ", strip=True)
                if len(text) > 40:
                    teacher_texts.append((page.name, text))
    assert teacher_texts, "the lessons have teacher notes"
    student_copies = [
        path for path in (real_book.html / OUTPUT_DIR).glob("*.html") if not path.stem.endswith("-teacher")
    ]
    assert student_copies, "the lessons have student and family handouts"
    for copy in student_copies:
        text = BeautifulSoup(copy.read_text(encoding="utf-8"), "html.parser").get_text(" ", strip=True)
        for lesson, teacher_text in teacher_texts:
            assert teacher_text not in text, (
                f"{copy.name} contains teacher-only text from {lesson}: {teacher_text[:60]}"
            )


def test_no_page_loads_anything_from_another_host(real_book):
    assert privacy.scan_site(real_book.html) == {}


def test_no_math_so_mathjax_is_never_loaded(real_book):
    for page in real_book.html.rglob("*.html"):
        assert "mathjax" not in page.read_text(encoding="utf-8").lower(), page
