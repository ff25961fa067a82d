"""The benchmarks still run: a change to the fixtures they copy or the pages they print must not break them unseen.

The benchmarks are not tests (their figures inform, they do not fail), but the
build benchmark runs for half an hour, so a book it cannot build would only
show at its end, and the renderer comparison runs only when someone weighs a
change of renderer.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

from conftest import ROOT, run_build
from curriculum import WEB_ONLY_ENV

spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def test_the_synthetic_curriculum_builds_without_a_warning(tmp_path):
    book = benchmark.synthetic(4)(tmp_path / "book")
    build = run_build(book, env={**os.environ, WEB_ONLY_ENV: "1"})
    assert build.returncode == 0, build.output
    assert len(list((build.html / "lessons").rglob("lesson-*.html"))) == 4


def test_the_plain_baseline_keeps_every_block_as_a_standard_admonition():
    sample = benchmark.SAMPLE.read_text(encoding="utf-8")
    plain = benchmark.as_standard_markdown(sample)
    used = set(re.findall(r"\{([a-z][a-z-]*)\}", plain))
    assert not used & benchmark.OUR_DIRECTIVES and not used & {"source", "resource"}
    assert "SECRET-TEACHER-NOTE-TEXT" in plain and "A player in a game asks you to keep a secret." in plain
    assert ":minutes:" not in plain


def test_the_renderer_comparison_prints_each_renderer_on_the_built_print_pages(built_minibook, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            ROOT / "benchmarks" / "renderers.py",
            "--html",
            built_minibook.html,
            "--out",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(
        r"^\| (lesson plans|handout and teacher sheets) \| (\d+) \| (\w+) \| [\d.]+ \| (\d+) \|",
        done.stdout,
        re.M,
    )
    assert {(kind, renderer) for kind, _, renderer, _ in rows} == {
        (kind, renderer)
        for kind in ("lesson plans", "handout and teacher sheets")
        for renderer in ("WeasyPrint", "Chromium")
    } | {("lesson plans", "Typst")}  # Typst lays out lesson pages only
    assert all(int(documents) > 0 and int(pages) >= int(documents) for _, documents, _, pages in rows)
    assert len(list((tmp_path / "chromium").glob("*.pdf"))) == len(
        list((tmp_path / "weasyprint").glob("*.pdf"))
    )
    assert {path.name for path in (tmp_path / "typst").glob("*.pdf")} == {
        path.name for path in (tmp_path / "weasyprint").glob("pages-*.pdf")
    }
