"""`curriculum check`: one fixture per failure mode, precise file:line messages, never a crash."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curriculum import check, cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad-pages"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A small book root with the real data files (directory, language list)."""
    root = tmp_path_factory.mktemp("checkbook")
    shutil.copytree(FIXTURES / "minibook", root, dirs_exist_ok=True)
    shutil.copytree(ROOT / "data", root / "data", dirs_exist_ok=True)
    return root


def problems_for(book: Path, text: str) -> list:
    page = book / "lessons" / "6-8" / "sample-lesson.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(text, encoding="utf-8")
        found, _ = check.check_page(page, check.Context(book))
        return found
    finally:
        page.write_text(original, encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


# failure mode -> (code, a word of the message, text on the reported line; None: line 1 / the block line)
CASES = {
    "heading-skip": ("HDG001", "skipped", "#### Too deep"),
    "two-titles": ("HDG002", "more than one", "# Another title"),
    "http-link": ("LNK001", "http://www.fbi.gov", "[the FBI page]"),
    "click-here-link": ("LNK002", "click here", "[click here]"),
    "missing-link-target": ("LNK003", "no-such-lesson", "no-such-lesson"),
    "image-without-alt": ("IMG002", "alt text", "![](poster.png)"),
    "script-tag": ("SEC001", "<script>", "<script"),
    "raw-html": ("SEC003", "<div>", '<div class="box">'),
    "raw-directive": ("SEC002", "raw", "{raw}"),
    "typed-phone-number": ("RES020", "1-800-843-5678", "1-800-843-5678"),
    "typed-hotline-address": ("RES021", "report.cybertip.org", "report.cybertip.org"),
    "unknown-resource": ("RES010", "cyber-tip-line", "cyber-tip-line"),
    "outdated-term": ("LNG001", "child pornography", "child pornography"),
    "graphic-word": ("GRA001", "genitals", "genitals"),
    "unknown-source": ("LES020", "fbi-2099", "fbi-2099"),
    "handout-not-listed": ("HND003", "ask-for-help-letter", ":::{handout} Letter home"),
    "listed-handout-missing": ("HND002", "ask-for-help-poster", "handouts:"),
    "reading-level-too-high": ("RDL001", "ceiling of 8", "::::{handout} Ask for help cards"),
    "placeholder-left": ("TPL001", "FIXME", "FIXME Write the exit ticket."),
    "one-source": ("LES002", "sources", "sources:"),
}


def test_every_fixture_has_a_case():
    assert sorted(path.stem for path in BAD.glob("*.md")) == sorted(CASES)


@pytest.mark.parametrize("mode", sorted(CASES))
def test_each_mistake_gets_its_rule_at_its_line(book, mode):
    code, word, needle = CASES[mode]
    text = (BAD / f"{mode}.md").read_text(encoding="utf-8")
    found = problems_for(book, text)
    matching = [p for p in found if p.code == code]
    assert matching, f"{mode}: expected {code}, got {[str(p) for p in found]}"
    problem = matching[0]
    assert problem.path == "lessons/6-8/sample-lesson.md"
    assert word in problem.message, problem.message
    assert problem.line == line_of(text, needle), str(problem)
    assert problem.hint
    others = [p for p in found if p.code != code]
    assert not others or mode in {"two-titles", "image-without-alt", "one-source"}, [str(p) for p in others]


def test_the_sample_lesson_is_clean(book):
    found, _ = check.check_page(book / "lessons" / "6-8" / "sample-lesson.md", check.Context(book))
    assert found == []


def test_quoted_terms_are_mentions_not_uses(book):
    text = (
        (BAD / "outdated-term.md")
        .read_text(encoding="utf-8")
        .replace(
            "Never share child pornography.", 'Say "child sexual abuse material", never "child pornography".'
        )
    )
    assert [p.code for p in problems_for(book, text)] == []


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "FIL002"),
        (b"\x00\x01binary", "FIL004"),
        ("---\nid: caf\xe9\n".encode("latin-1"), "FIL005"),
        (b"# Big\n" + b"word " * 250_000, "FIL003"),
    ],
)
def test_unreadable_files_get_a_rule_not_a_traceback(tmp_path, content, code):
    page = tmp_path / "lessons" / "6-8" / "odd.md"
    page.parent.mkdir(parents=True)
    page.write_bytes(content)
    found, _ = check.check_page(page, check.Context(tmp_path))
    assert [p.code for p in found] == [code]


def test_duplicate_handout_ids_across_pages(book, tmp_path):
    shutil.copytree(book, tmp_path / "b")
    lesson = tmp_path / "b" / "lessons" / "6-8" / "sample-lesson.md"
    copy = lesson.with_name("copy-lesson.md")
    copy.write_text(
        lesson.read_text(encoding="utf-8").replace("id: sample-lesson", "id: copy-lesson"), encoding="utf-8"
    )
    found = check.check_paths([tmp_path / "b" / "lessons"], check.Context(tmp_path / "b"))
    duplicates = [p for p in found if p.code == "HND001"]
    assert len(duplicates) == 2
    assert "also at lessons/6-8/copy-lesson.md:48" in duplicates[0].message


def test_ten_mistakes_give_ten_precise_messages(capsys):
    lesson = FIXTURES / "ten-mistakes" / "lessons" / "6-8" / "ten-mistakes.md"
    status = cli.main(["check", str(lesson)])
    out = capsys.readouterr().out
    assert status == 1
    lines = [line for line in out.splitlines() if line.startswith("lessons/6-8/ten-mistakes.md:")]
    assert len(lines) == 10, out
    assert len({line.split(": ")[1].split()[0] for line in lines}) == 10  # ten different rules
    assert out.count("    fix: ") == 10
    assert out.strip().endswith("10 problem(s) in 1 of 1 file(s) checked.")


def test_formats_and_exit_status(capsys):
    lesson = FIXTURES / "ten-mistakes" / "lessons" / "6-8" / "ten-mistakes.md"
    assert cli.main(["check", "--format", "json", str(lesson)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["checked_files"] == 1 and len(data["problems"]) == 10
    assert set(data["problems"][0]) == {"path", "line", "code", "message", "fix"}
    assert cli.main(["check", "--format", "github", str(lesson)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::error file=lessons/6-8/ten-mistakes.md,line=")
    assert cli.main(["check", str(FIXTURES / "minibook" / "lessons")]) == 0
    assert "passed the checks" in capsys.readouterr().out
    assert cli.main(["check", str(FIXTURES / "minibook" / "no-such-file.md")]) == 2
    with pytest.raises(SystemExit) as usage:
        cli.main(["check", "--format", "xml"])
    assert usage.value.code == 2


def test_the_real_curriculum_passes_quickly():
    started = time.perf_counter()
    found = check.check_paths([ROOT / "lessons", ROOT / "book", ROOT / "index.md"], check.Context(ROOT))
    assert [str(p) for p in found] == []
    assert time.perf_counter() - started < 5  # the benchmark measures it properly; this catches blow-ups


front_matter = st.dictionaries(
    st.sampled_from(
        ["id", "kind", "title", "band", "duration_minutes", "sources", "objectives", "handouts", "x"]
    ),
    st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.text(max_size=10), max_size=3)),
    max_size=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=front_matter, body=st.text(max_size=400))
def test_random_pages_never_crash_the_check(tmp_path, front, body):
    import yaml

    page = tmp_path / "lessons" / "6-8" / "random.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("---\n" + yaml.safe_dump(front) + "---\n" + body, encoding="utf-8")
    found, _ = check.check_page(page, check.Context(tmp_path))
    assert all(p.code and p.line >= 1 for p in found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=600))
def test_random_text_never_crashes_the_check(tmp_path, text):
    page = tmp_path / "lessons" / "6-8" / "random.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    found, _ = check.check_page(page, check.Context(tmp_path))
    assert all(p.code for p in found)


def test_a_lesson_may_list_a_handout_of_another_page(tmp_path):
    book = shutil.copytree(FIXTURES / "minibook", tmp_path / "book")
    lesson = book / "lessons/6-8/sample-lesson.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(
        text.replace("ask-for-help-letter]", "ask-for-help-letter, shared-card]"), encoding="utf-8"
    )
    (book / "book/printables.md").write_text(
        "# Printables\n\n::::{handout} Card\n:id: shared-card\n:kind: tip-sheet\n:audience: families\n\nText.\n::::\n",
        encoding="utf-8",
    )
    assert check.check_paths([lesson], check.Context(book)) == []
    (book / "book/printables.md").write_text("# Printables\n", encoding="utf-8")
    problems = check.check_paths([lesson], check.Context(book))
    assert [(p.code, p.line) for p in problems] == [("HND002", 20)]
    assert "no page of the book has a handout with that id" in problems[0].message
