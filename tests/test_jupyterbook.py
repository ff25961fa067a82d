"""Jupyter Book's command line, run so that its process ends at once: same output, same exit status."""

from __future__ import annotations

import os
import subprocess
import sys

from curriculum.jupyterbook import exit_status


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The runner with its output to pipes, buffered as on any machine (not this one's PYTHONUNBUFFERED)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "curriculum.jupyterbook", *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_build_reports_through_a_pipe_as_jupyter_book_does(tmp_path):
    """Output to a pipe is buffered: leaving without a flush would lose Jupyter Book's closing message."""
    (tmp_path / "_config.yml").write_text("title: A book\n", encoding="utf-8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (tmp_path / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    done = run("build", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Finished generating HTML for book" in done.stdout
    assert (tmp_path / "_build" / "html" / "index.html").exists()


def test_a_usage_error_keeps_its_message_and_status(tmp_path):
    done = run("build", str(tmp_path / "no-such-book"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_exit_codes_are_those_python_would_give(capsys):
    assert exit_status(None) == 0
    assert exit_status(3) == 3
    assert exit_status("could not build") == 1
    assert capsys.readouterr().err == "could not build\n"
