"""The `curriculum` command: `build` wraps Jupyter Book with the project's settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from curriculum import cli

CURRICULUM = str(Path(sys.executable).with_name("curriculum"))


def test_help_describes_build():
    done = subprocess.run([CURRICULUM, "build", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "--region" in done.stdout and "--no-strict" in done.stdout and "--web-only" in done.stdout


def test_unknown_subcommand_is_a_usage_error():
    with pytest.raises(SystemExit) as caught:
        cli.main(["publish"])
    assert caught.value.code == 2


def test_build_reports_where_the_book_is_and_honours_region(minibook, capsys):
    status = cli.build(minibook.src, None, strict=True, region="us")
    assert status == 0
    assert f"Open {minibook.src / '_build' / 'html' / 'index.html'}" in capsys.readouterr().out
    card = (minibook.src / "_build/html/lessons/6-8/sample-lesson.html").read_text(encoding="utf-8")
    assert "Colorado Child Abuse and Neglect Hotline" not in card


def test_failed_build_exits_non_zero(minibook, capsys):
    minibook.edit("lessons/6-8/sample-lesson.md", "band: 6-8", "band: 7-9")
    assert cli.build(minibook.src, None, strict=True) != 0
    assert "The build failed" in capsys.readouterr().err


def test_a_build_without_harfbuzzs_subsetter_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    """WeasyPrint's fallback subsetter doubles the time of the PDFs; the build says so and goes on."""
    ran = []
    monkeypatch.setattr(
        cli.subprocess,
        "run",
        lambda command, **_: ran.append(command) or subprocess.CompletedProcess(command, 0),
    )
    monkeypatch.setattr(cli, "has_font_subsetter", lambda: False)
    assert cli.build(tmp_path, None, strict=True) == 0
    assert capsys.readouterr().err == (
        "Note: HarfBuzz's font subsetter is not installed, so the PDFs take about twice as long. "
        "Install it with `apt-get install libharfbuzz-subset0` (`make book` does, run as root).\n"
    )
    assert cli.build(tmp_path, None, strict=True, web_only=True) == 0  # no PDFs: nothing to say
    monkeypatch.setattr(cli, "has_font_subsetter", lambda: True)
    assert cli.build(tmp_path, None, strict=True) == 0
    assert capsys.readouterr().err == "" and len(ran) == 3


def test_a_web_only_build_makes_the_pages_and_the_next_build_the_rest(minibook, capsys):
    """A quick look while writing: the web pages, none of the printables; a full build then makes them."""
    html = minibook.src / "_build" / "html"
    assert cli.main(["build", "--web-only", str(minibook.src)]) == 0
    assert "Sample lesson on asking for help" in (html / "lessons/6-8/sample-lesson.html").read_text()
    assert not list(html.rglob("*.pdf")) and not (html / "downloads").exists()
    assert cli.main(["build", str(minibook.src)]) == 0
    assert (html / "pdf/lessons/sample-lesson.pdf").exists()
    assert (html / "handouts/ask-for-help-cards-letter.pdf").exists() and (html / "downloads").exists()
