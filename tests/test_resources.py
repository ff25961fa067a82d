"""The resource directory: numbers only from data, by region, with errors at file:line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from curriculum import directory as resources

LESSON = "lessons/6-8/sample-lesson.md"
DATA = Path(__file__).resolve().parents[1] / "data" / "resources"


def help_card(build) -> str:
    page = BeautifulSoup(build.page("lessons/6-8/sample-lesson.html"), "html.parser")
    return page.select_one(".help-card").get_text(" ", strip=True).replace("\u2019", "'")


def test_inline_reference_renders_name_and_tel_link(built_minibook):
    page = BeautifulSoup(built_minibook.page("lessons/6-8/sample-lesson.html"), "html.parser")
    inline = page.select_one("div.discussion span.resource")
    assert inline.get_text(" ", strip=True).startswith("NCMEC CyberTipline")
    hrefs = [a["href"] for a in inline.find_all("a")]
    assert hrefs == ["https://report.cybertip.org", "tel:+18008435678"]


def test_text_lines_become_sms_links(built_minibook):
    page = BeautifulSoup(built_minibook.page("lessons/6-8/sample-lesson.html"), "html.parser")
    assert page.select_one('.help-card a[href="sms:988"]').get_text() == "Text 988"


def test_region_decides_what_the_help_card_shows(built_minibook, minibook):
    colorado = help_card(built_minibook)
    assert "Colorado Child Abuse and Neglect Hotline" in colorado
    national = help_card(minibook.build(env={**os.environ, "CURRICULUM_REGION": "us"}))
    assert "Colorado" not in national
    assert "your state's child-abuse reporting line: this region has none yet" in national
    assert "NCMEC CyberTipline" in national


def test_unknown_region_is_a_clear_error(minibook):
    build = minibook.build(env={**os.environ, "CURRICULUM_REGION": "us-zz"})
    assert build.returncode != 0
    assert "unknown region 'us-zz'" in build.output
    assert "known regions: us, us-co" in build.output


def test_unknown_resource_id_fails_with_file_and_line(minibook):
    minibook.edit(LESSON, "{resource}`cybertipline`", "{resource}`cybertipline-typo`")
    build = minibook.build()
    assert build.returncode != 0
    assert "sample-lesson.md:65" in build.output
    assert "RES010 unknown resource 'cybertipline-typo'" in build.output


def test_regional_entry_outside_its_region_says_how_to_fix(minibook):
    minibook.edit(LESSON, "{resource}`cybertipline`", "{resource}`co-child-abuse-hotline`")
    build = minibook.build(env={**os.environ, "CURRICULUM_REGION": "us"})
    assert build.returncode != 0
    assert "belongs to region 'us-co'" in build.output and "local-child-abuse-line" in build.output


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("    source: https://report.cybertip.org/faqs\n", "", 12, "'source' is a required property"),
        ('number: "+18008435678"', 'number: "800-THE-LOST"', 19, "entries.0.contacts.1.number"),
        ("region: us\n", "region: us-\n", 9, "region"),
    ],
)
def test_bad_directory_data_fails_with_file_and_line(tmp_path, old, new, line, words):
    for name in ("us.yml", "us-co.yml"):
        (tmp_path / name).write_text((DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (tmp_path / "us.yml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "us.yml").write_text(text.replace(old, new, 1), encoding="utf-8")
    directory = resources.load_directory(tmp_path, "us-co") if "region" not in words else None
    if directory is None:
        with pytest.raises(resources.RegionError):
            resources.load_directory(tmp_path, "us")
        directory = resources.load_directory(tmp_path, "us-co")
    problems = [(Path(path).name, number, message) for path, number, message in directory.problems]
    assert any(
        name == "us.yml" and number == line and words in message for name, number, message in problems
    ), problems


def test_every_entry_carries_its_source_and_check_date():
    directory = resources.load_directory(DATA, "us-co")
    assert directory.problems == []
    assert {"cybertipline", "take-it-down", "lifeline-988", "co-child-abuse-hotline"} <= set(
        directory.entries
    )
    assert directory.entries["fbi-denver"]["status"] == "partly"
    assert directory.entries["childhelp"]["purposes"] == ["support"]  # support, not a reporting line


def test_region_blocks_show_only_in_their_region(built_minibook, minibook):
    guide = "lessons/adults/responding-to-disclosure.html"
    assert "COLORADO-ONLY-TEXT" in built_minibook.page(guide)
    national = minibook.build(env={**os.environ, "CURRICULUM_REGION": "us"})
    assert national.returncode == 0, national.output
    assert "COLORADO-ONLY-TEXT" not in national.page(guide)


def test_stale_entries_give_exactly_one_summary_line(minibook):
    for name in ("us.yml", "us-co.yml"):
        path = minibook.file(f"data/resources/{name}")
        path.write_text(
            path.read_text(encoding="utf-8").replace('checked_on: "2026-12-01"', 'checked_on: "2020-01-01"'),
            encoding="utf-8",
        )
    build = minibook.build()
    assert build.returncode == 0, build.output  # a warning, not a failure
    lines = [line for line in build.output.splitlines() if "RES030" in line]
    assert len(lines) == 1, lines
    assert "cybertipline" in lines[0] and "co-child-abuse-hotline" in lines[0]
