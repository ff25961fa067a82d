"""Turn rule problems into text for people, GitHub Actions annotations, or JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from curriculum.rules import Problem

FORMATS = ("text", "github", "json")


def _escape(value: str, property_value: bool = False) -> str:
    # GitHub's workflow-command escaping: https://github.com/actions/toolkit (command.ts)
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(problems: Sequence[Problem], style: str, checked: int) -> str:
    """All problems in one of :data:`FORMATS`, ending with a one-line summary for people."""
    if style == "json":
        return json.dumps(
            {
                "checked_files": checked,
                "problems": [
                    {"path": p.path, "line": p.line, "code": p.code, "message": p.message, "fix": p.hint}
                    for p in problems
                ],
            },
            indent=2,
        )
    lines = []
    for problem in problems:
        if style == "github":
            lines.append(
                f"::error file={_escape(problem.path, True)},line={problem.line},title={problem.code}::"
                f"{_escape(problem.message)} (fix: {_escape(problem.hint)})"
            )
        else:
            lines.append(f"{problem.path}:{problem.line}: {problem.code} {problem.message}")
            lines.append(f"    fix: {problem.hint}")
    files = len({problem.path for problem in problems})
    if problems:
        lines.append(f"{len(problems)} problem(s) in {files} of {checked} file(s) checked.")
    else:
        lines.append(f"All {checked} file(s) passed the checks.")
    return "\n".join(lines)
