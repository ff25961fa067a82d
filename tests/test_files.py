"""Build outputs are written only when their content changed."""

from __future__ import annotations

from curriculum.files import write_if_changed


def test_an_output_written_again_with_the_same_content_keeps_its_file_and_time(tmp_path):
    page, pdf = tmp_path / "new" / "page.html", tmp_path / "book.pdf"
    assert write_if_changed(page, "<p>Stop, block, tell.</p>") and write_if_changed(pdf, b"%PDF-1.7 one")
    times = [page.stat().st_mtime_ns, pdf.stat().st_mtime_ns]
    assert not write_if_changed(page, "<p>Stop, block, tell.</p>")
    assert not write_if_changed(pdf, b"%PDF-1.7 one")
    assert [page.stat().st_mtime_ns, pdf.stat().st_mtime_ns] == times
    assert write_if_changed(pdf, b"%PDF-1.7 two") and pdf.read_bytes() == b"%PDF-1.7 two"
    assert page.read_text(encoding="utf-8") == "<p>Stop, block, tell.</p>"
