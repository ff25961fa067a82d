"""Students' privacy: no page loads anything from another host."""

from __future__ import annotations

import pytest

from curriculum import privacy

LESSON = "lessons/6-8/sample-lesson.md"


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.org/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example.org/css">',
        '<img src="http://tracker.example.org/p.gif" alt="">',
        '<iframe src="https://video.example.org/embed/1"></iframe>',
        '<source srcset="a.png 1x, https://cdn.example.org/b.png 2x">',
        '<img alt="a > b" src="https://tracker.example.org/p.gif">',  # a ">" inside a value hides nothing
        '<IMG SRC="HTTPS://tracker.example.org/p.gif">',
        '<?xml version="1.0" encoding="utf-8"?><html><img src="https://example.org/é.png"></html>',
        "<p><img src='//tracker.example.org/p.gif'></p>",
    ],
)
def test_scanner_finds_offsite_resources(html: str):
    assert len(privacy.offsite_resources(html)) == 1


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://www.missingkids.org">NCMEC</a>',  # a link is not a request
        '<link rel="canonical" href="https://example.org/page.html">',
        '<script src="_static/x.js"></script><img src="../images/a.png" alt="">',
        '<a href="tel:+18008435678">call</a>',
        '<!-- <img src="https://tracker.example.org/p.gif"> -->',  # a comment fetches nothing
        "<script>const tag = '<img src=\"https://example.org/p.gif\">';</script>",  # nor script text
        "",
    ],
)
def test_scanner_ignores_links_and_local_files(html: str):
    assert privacy.offsite_resources(html) == []


def test_offsite_image_in_a_lesson_fails_the_build(minibook):
    minibook.edit(
        LESSON,
        "Write one adult you could tell.",
        "Write one adult you could tell.\n\n![A poster](https://example.org/poster.png)",
    )
    build = minibook.build()
    assert build.returncode != 0
    assert (
        "PRV001 lessons/6-8/sample-lesson.html loads <img> from another host: https://example.org/poster.png"
        in build.output
    )


def test_the_fixture_book_loads_nothing_offsite(built_minibook):
    assert privacy.scan_site(built_minibook.html) == {}


def test_a_rescan_reads_only_changed_pages_and_keeps_what_it_found(tmp_path):
    site, memory = tmp_path / "html", tmp_path / "state" / "privacy.json"
    site.mkdir()
    (site / "ok.html").write_text('<script src="_static/app.js"></script>', encoding="utf-8")
    poster = site / "poster.html"
    poster.write_text('<img src="https://example.org/poster.png">', encoding="utf-8")
    found = {"poster.html": [("img", "https://example.org/poster.png")]}
    assert privacy.scan_site(site, memory) == found
    assert privacy.scan_site(site, memory) == found  # unchanged: remembered, still reported
    poster.write_text('<img src="poster.png">', encoding="utf-8")
    assert privacy.scan_site(site, memory) == {}
