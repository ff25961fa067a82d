"""The offline zip, its pages zipped while the print stage works: the same bytes as zipped in one go."""

from __future__ import annotations

import zipfile
from pathlib import Path

from curriculum import offline


def site(folder: Path) -> Path:
    """A small built site: pages, a stylesheet, and the printables a print stage makes."""
    for name, text in {
        "index.html": "<h1>Home</h1>" * 200,
        "lessons/a.html": "<p>Lesson A</p>" * 200,
        "_static/site.css": "body { color: black; }",
        "handouts/a-letter.pdf": "%PDF-1.7 handout",
        "handouts/a.docx": "PK word",
        "pdf/book.pdf": "%PDF-1.7 book",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_pages_zipped_during_the_print_stage_give_the_same_zip_as_in_one_go(tmp_path):
    one_go, overlapped = site(tmp_path / "one"), site(tmp_path / "two")
    (overlapped / "pdf/book.pdf").unlink()  # not made yet when the pages are zipped
    in_progress = offline.SiteZip(overlapped)
    (overlapped / "pdf/book.pdf").write_text("%PDF-1.7 book", encoding="utf-8")  # the print stage
    assert in_progress.finish() is True
    assert offline.make_site_zip(one_go) is True
    made = (overlapped / offline.ZIP_PATH).read_bytes()
    assert made == (one_go / offline.ZIP_PATH).read_bytes()
    with zipfile.ZipFile(overlapped / offline.ZIP_PATH) as archive:
        assert archive.testzip() is None
        names = [name.removeprefix(offline.ROOT_FOLDER + "/") for name in archive.namelist()]
    assert names == [
        "_static/site.css",
        "index.html",
        "lessons/a.html",
        "handouts/a-letter.pdf",
        "handouts/a.docx",
        "pdf/book.pdf",
    ]
    assert not list(overlapped.rglob("*.tmp"))


def test_a_rebuild_that_changed_nothing_zips_nothing(tmp_path):
    folder = site(tmp_path)
    offline.make_site_zip(folder)
    stamp = (folder / offline.ZIP_PATH).stat().st_mtime_ns
    in_progress = offline.SiteZip(folder)
    assert in_progress.thread is None, "no page changed: nothing to zip while printing"
    assert in_progress.finish() is False
    assert (folder / offline.ZIP_PATH).stat().st_mtime_ns == stamp


def test_new_printables_alone_make_a_new_zip(tmp_path):
    folder = site(tmp_path)
    offline.make_site_zip(folder)
    in_progress = offline.SiteZip(folder)
    (folder / "handouts/b-letter.pdf").write_text("%PDF-1.7 another", encoding="utf-8")
    assert in_progress.finish() is True
    with zipfile.ZipFile(folder / offline.ZIP_PATH) as archive:
        assert archive.read(f"{offline.ROOT_FOLDER}/handouts/b-letter.pdf") == b"%PDF-1.7 another"


def test_a_page_gone_while_printing_is_not_in_the_zip(tmp_path):
    folder = site(tmp_path)
    in_progress = offline.SiteZip(folder)
    (folder / "lessons/a.html").unlink()
    assert in_progress.finish() is True
    with zipfile.ZipFile(folder / offline.ZIP_PATH) as archive:
        assert f"{offline.ROOT_FOLDER}/lessons/a.html" not in archive.namelist()
    assert not list(folder.rglob("*.tmp"))
