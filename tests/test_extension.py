"""The extension's own settings: what ``setup`` wires beside the modules."""

from __future__ import annotations

import os

from curriculum import WEB_ONLY_ENV

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
