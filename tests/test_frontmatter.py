"""Front matter parsing keeps the file line of every value."""

from __future__ import annotations

import pytest

from curriculum import frontmatter

PAGE = """---
id: demo
objectives:
  - First objective here.
  - Second objective here.
standards:
  iste: ["1.2.b"]
last_reviewed: 2026-12-01
---

# Demo
"""


def test_lines_point_into_the_file():
    front = frontmatter.parse(PAGE)
    assert front.data["id"] == "demo"
    assert front.line_of(("id",)) == 2
    assert front.line_of(("objectives", 1)) == 5
    assert front.line_of(("standards", "iste", 0)) == 7
    assert front.line_of(("standards", "nhes")) == 6  # missing key: its parent's line
    assert front.end_line == 10


def test_dates_stay_text_so_the_schema_can_check_them():
    assert frontmatter.parse(PAGE).data["last_reviewed"] == "2026-12-01"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# No front matter\n", 1, "no front matter"),
        ("---\nid: [unclosed\n---\n", 3, "not valid YAML"),
        ("---\n- a list\n---\n", 2, "mapping"),
        ("---\nid: x\n", 1, "no front matter"),
    ],
)
def test_bad_front_matter_says_where(text: str, line: int, words: str):
    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter.parse(text)
    assert caught.value.line == line
    assert words in str(caught.value)
