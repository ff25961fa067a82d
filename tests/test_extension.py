"""The extension's own settings: what ``setup`` wires beside the modules."""

from __future__ import annotations

import os
import pickle
import shutil

from curriculum import PACKAGE, WEB_ONLY_ENV, code_version

PICTURE = "![Scenario cards spread on a table, one set per group](cards.png)"
FIGURE = "```{figure} cards.png\n:alt: Scenario cards spread on a table, one set per group\n\nOne set per group\n```"


def test_the_books_figure_numbering_setting_wins_over_jupyter_books_latex_helper(minibook):
    """sphinx-jupyterbook-latex forces ``numfig`` on for every build; ``_config.yml`` says otherwise.

    Numbering costs every rebuild about a second (Sphinx opens every page to
    count figures), and a caption would read "Fig. 1" in a lesson that
    refers to no figure by number.
    """
    minibook.edit("_config.yml", "    nitpicky: true\n", "    nitpicky: true\n    numfig: false\n")
    minibook.edit("lessons/6-8/sample-lesson.md", PICTURE, FIGURE)
    build = minibook.build(env={**os.environ, WEB_ONLY_ENV: "1"})
    assert build.returncode == 0, build.output
    page = build.page("lessons/6-8/sample-lesson.html")
    assert "One set per group" in page
    assert "Fig. 1" not in page


def test_a_change_to_the_machinery_gives_the_environment_a_new_version(tmp_path):
    """Sphinx reads and writes every page again when an extension's ``env_version`` changes.

    So an upgrade of the package (or of WeasyPrint) remakes the outputs it
    changed at the next ``make book``, though no lesson changed.
    """
    package = shutil.copytree(PACKAGE, tmp_path / "curriculum", ignore=shutil.ignore_patterns("__pycache__"))
    before = code_version(package)
    assert code_version(package) == before  # the same files, the same version
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "printing.cpython-311.pyc").write_bytes(b"compiled")
    assert code_version(package) == before  # compiled copies are not the code
    printing = package / "printing.py"
    printing.write_text(printing.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert code_version(package) != before


def test_sphinx_keeps_the_machinerys_version_with_the_pages_it_read(built_minibook):
    with (built_minibook.src / "_build" / ".doctrees" / "environment.pickle").open("rb") as stored:
        environment = pickle.load(stored)
    assert environment.version["curriculum"] == code_version()


READERS = """import os


def setup(app):
    def note(app, doctree):
        with open(os.environ["READERS"], "a", encoding="utf-8") as readers:
            readers.write(f"{os.getpid()}\\n")

    app.connect("doctree-read", note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
"""


def test_pages_are_read_on_every_core_and_their_warnings_still_name_file_and_line(minibook, tmp_path):
    """A web-only build reads in worker processes when every extension says it may (Jupyter Book passes no ``-j``).

    A warning raised in a worker comes back to the build, which fails with the
    file and line; a book with an undeclared extension (Jupyter Book's LaTeX
    helper, on in this fixture by default) is read serially without a warning.
    """
    (tmp_path / "readers.py").write_text(READERS, encoding="utf-8")
    env = {**os.environ, WEB_ONLY_ENV: "1", "PYTHONPATH": str(tmp_path), "READERS": str(tmp_path / "pids")}
    minibook.edit("_config.yml", "extra_extensions: [curriculum]", "extra_extensions: [curriculum, readers]")
    for number in range(1, 4):  # Sphinx reads in parallel from six pages on
        minibook.file(f"book/note-{number}.md").write_text(
            f"# Note {number}\n\nA short page.\n", encoding="utf-8"
        )
    minibook.edit(
        "_toc.yml",
        "      - file: book/printables\n",
        "      - file: book/printables\n"
        + "".join(f"      - file: book/note-{number}\n" for number in range(1, 4)),
    )

    serial = minibook.build(env=env)
    assert serial.returncode == 0, serial.output
    assert "parallel" not in serial.output
    assert len(set((tmp_path / "pids").read_text().split())) == 1

    (tmp_path / "pids").unlink()
    minibook.edit("_config.yml", "launch_buttons:", "latex:\n  use_jupyterbook_latex: false\nlaunch_buttons:")
    minibook.edit("lessons/6-8/sample-lesson.md", "{source}`fbi-sextortion`", "{source}`no-such-source`")
    parallel = minibook.build(env=env)
    assert parallel.returncode != 0
    assert "sample-lesson.md:41" in parallel.output
    assert "LES020 unknown source 'no-such-source'" in parallel.output
    readers = (tmp_path / "pids").read_text().split()
    assert len(readers) == 8 and len(set(readers)) > 1


def test_a_template_edited_between_builds_shows_in_the_next_build(minibook):
    """The theme's templates stay compiled between builds; an edited one is compiled again."""
    minibook.edit(
        "_config.yml", "    nitpicky: true\n", "    nitpicky: true\n    templates_path: [_templates]\n"
    )
    template = minibook.file("_templates/genindex.html")
    template.parent.mkdir()
    override = '{% extends "!genindex.html" %}{% block body %}<p>MARK</p>{{ super() }}{% endblock %}'
    template.write_text(override.replace("MARK", "First wording"), encoding="utf-8")
    web_only = {**os.environ, WEB_ONLY_ENV: "1"}
    first = minibook.build(env=web_only)
    assert first.returncode == 0, first.output
    assert "First wording" in first.page("genindex.html")
    kept = list((minibook.src / "_build" / ".doctrees" / "curriculum-templates").rglob("*.cache"))
    assert len(kept) > 10, "the compiled templates are kept"
    template.write_text(override.replace("MARK", "Second wording"), encoding="utf-8")
    second = minibook.build(env=web_only)
    assert second.returncode == 0, second.output
    page = second.page("genindex.html")
    assert "Second wording" in page and "First wording" not in page


def test_a_rebuild_with_nothing_changed_changes_no_file(minibook):
    """Not even the static files that Sphinx and the theme write at every build: a deployment copies nothing."""
    first = minibook.build()
    assert first.returncode == 0, first.output

    def stamps() -> dict[str, int]:
        return {str(path): path.stat().st_mtime_ns for path in first.html.rglob("*") if path.is_file()}

    before = stamps()
    again = minibook.build()
    assert again.returncode == 0, again.output
    after = stamps()
    assert [name for name in after if after[name] != before.get(name)] == []
