"""The benchmark's stage timings: each stage of a build, what its printables cost, the slowest per page."""

import json
from pathlib import Path

import pikepdf
import pytest

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


def test_a_timed_build_reports_each_stage_and_what_its_printables_cost(built_minibook) -> None:
    stages = json.loads((built_minibook.src.parent / "timings.json").read_text(encoding="utf-8"))

    for stage in ("setup", "read", "write", "print", "merge"):
        assert stages[stage] >= 0, stage
    assert 0 < stages["merge"] < stages["print"]  # the books are merged within the print stage
    jobs = stages["jobs"]
    assert set(jobs) == {"handout_pdf", "lesson_pdf", "docx"}
    for kind, entry in jobs.items():
        assert entry["count"] > 0 and entry["total"] == pytest.approx(
            entry["count"] * entry["mean"], abs=0.01
        ), kind
    # The minibook has a lesson and a guide, each printed as its own lesson plan PDF.
    plans = [
        pdf for pdf in (built_minibook.html / "pdf" / "lessons").glob("*.pdf") if "-with-" not in pdf.name
    ]
    assert jobs["lesson_pdf"]["count"] == len(plans) == 2
