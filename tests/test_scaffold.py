"""`curriculum new`: a lesson from the template, listed in the table of contents."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml

from curriculum import check, cli, scaffold

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    for part in ("_config.yml", "_toc.yml", "lessons", "data"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / part)
    return tmp_path


def test_slug_and_template_filling():
    assert scaffold.slugify("Who Can Help? (Part 2)") == "who-can-help-part-2"
    text = scaffold.fill_template(
        (ROOT / "lessons/_template.md").read_text(encoding="utf-8"),
        "who-can-help",
        "Who can help?",
        "k-2",
        datetime.date(2026, 12, 1),
    )
    front = yaml.safe_load(text.split("---")[1])
    assert (front["id"], front["title"], front["band"], str(front["last_reviewed"])) == (
        "who-can-help",
        "Who can help?",
        "k-2",
        "2026-12-01",
    )
    assert "\n# Who can help?\n" in text
    assert "Copy this file" not in text


def test_new_lesson_goes_under_its_band_and_lists_what_to_fill(book, monkeypatch, capsys):
    monkeypatch.chdir(book)
    assert cli.main(["new", "6-8", "Saying no to pressure"]) == 0
    out = capsys.readouterr().out
    assert "Created lessons/6-8/saying-no-to-pressure.md" in out and "FIXME" in out
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    band = next(part for part in toc["parts"] if part["caption"] == "Grades 6-8")
    assert band["chapters"][0]["sections"][-1] == {"file": "lessons/6-8/saying-no-to-pressure"}
    found, _ = check.check_page(book / "lessons/6-8/saying-no-to-pressure.md", check.Context(book))
    codes = {p.code for p in found}
    assert codes == {"TPL001"}, codes  # only the placeholders remain to be written


def test_new_refuses_bad_band_and_existing_lesson(book, monkeypatch, capsys):
    monkeypatch.chdir(book)
    assert cli.main(["new", "7-9", "Anything"]) == 2
    assert "unknown band '7-9'" in capsys.readouterr().err
    assert cli.main(["new", "k-2", "My trusted adults"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_band_without_sections_gets_a_sections_list():
    toc = "parts:\n  - caption: Grades K-2\n    chapters:\n      - file: lessons/k-2/index\n"
    assert scaffold.add_to_toc(toc, "k-2", "lessons/k-2/a") == (
        "parts:\n  - caption: Grades K-2\n    chapters:\n      - file: lessons/k-2/index\n"
        "        sections:\n          - file: lessons/k-2/a\n"
    )


@pytest.mark.parametrize("command", ["build", "check", "new", "resources"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert "usage: curriculum " + command in capsys.readouterr().out
