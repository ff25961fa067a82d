"""Front matter and block rules: one fixture folder per failure mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum import rules

BAD = Path(__file__).parent / "fixtures" / "bad-lessons"
GOOD = Path(__file__).parent / "fixtures" / "minibook" / "lessons" / "6-8" / "sample-lesson.md"


def problems_for(mode: str) -> list[rules.Problem]:
    path = BAD / mode / "6-8" / "sample-lesson.md"
    text = path.read_text(encoding="utf-8")
    front, problems = rules.check_front_matter(path, text, BAD)
    if front is not None:
        problems = rules.check_blocks(path, text, front.data, BAD)
    return problems


def test_the_valid_sample_has_no_problems():
    text = GOOD.read_text(encoding="utf-8")
    front, problems = rules.check_front_matter(GOOD, text, GOOD.parents[3])
    assert problems == []
    assert rules.check_blocks(GOOD, text, front.data, GOOD.parents[3]) == []


# mode -> (rule code, words the message must contain, line of the mistake)
CASES = {
    "missing-id": ("LES002", ["'id'"], 2),
    "band-7-9": ("LES002", ["band", "7-9"], 5),
    "duration-negative": ("LES002", ["duration_minutes", "-5"], 7),
    "unknown-standard": ("LES002", ["standards.iste.0", "9.9.z"], 15),
    "empty-objectives": ("LES002", ["objectives", "empty"], 9),
    "unknown-field": ("LES002", ["grade_level"], 4),
    "broken-yaml": ("LES001", ["not valid YAML"], 5),
    "no-front-matter": ("LES001", ["no front matter"], 1),
    "id-not-file-name": ("LES003", ["another-lesson", "sample-lesson.md"], 2),
    "missing-block": ("LES010", ["exit-ticket"], 1),
    "minutes-do-not-add-up": ("LES012", ["30 minutes", "45"], 1),
    "http-source": ("LES002", ["sources.1.url", "http://"], 29),
}


@pytest.mark.parametrize("mode", sorted(CASES))
def test_each_mistake_is_reported_with_file_line_and_field(mode: str):
    code, words, line = CASES[mode]
    problems = problems_for(mode)
    assert problems, f"{mode}: no problem reported"
    problem = next((p for p in problems if p.code == code), None)
    assert problem is not None, [str(p) for p in problems]
    assert problem.path == f"{mode}/6-8/sample-lesson.md"
    for word in words:
        assert word in problem.message, problem.message
    assert problem.line == line, str(problem)
    assert problem.hint, "every problem says how to fix it"


def test_every_failure_mode_folder_has_a_case():
    assert sorted(path.name for path in BAD.iterdir()) == sorted(CASES)


def test_band_must_match_the_folder(tmp_path: Path):
    text = GOOD.read_text(encoding="utf-8")
    path = tmp_path / "lessons" / "9-12" / "sample-lesson.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    _, problems = rules.check_front_matter(path, text, tmp_path)
    assert [p.code for p in problems] == ["LES004"]
    assert "lessons/9-12/" in problems[0].message


def test_find_blocks_reads_nested_blocks_and_minutes():
    blocks = rules.find_blocks(GOOD.read_text(encoding="utf-8"))
    names = [block.name for block in blocks]
    assert names[:4] == ["teacher-note", "warm-up", "activity", "handout"]
    assert "scenario" in names and "answer-key" in names
    assert sum(block.minutes or 0 for block in blocks) == 30
