"""The benchmark's stage timings: which printables cost the most per page."""

from pathlib import Path

import pikepdf

from curriculum.timings import slowest_pages


def _pdf(path: Path, pages: int) -> str:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
    pdf.save(path)
    return str(path)


def test_slowest_pages_ranks_pdfs_by_seconds_per_page(tmp_path: Path) -> None:
    letter = _pdf(tmp_path / "letter.pdf", 1)
    cards = _pdf(tmp_path / "cards.pdf", 6)
    word = tmp_path / "sheet.docx"
    word.write_bytes(b"not a pdf")
    made = [(cards, 1.2), (letter, 0.9), (str(word), 5.0), (str(tmp_path / "gone.pdf"), 9.0)]

    rows = slowest_pages(made)

    assert rows == [
        {"file": "letter.pdf", "pages": 1, "seconds_per_page": 0.9},
        {"file": "cards.pdf", "pages": 6, "seconds_per_page": 0.2},
    ]
    assert len(slowest_pages(made * 4, count=3)) == 3
