"""The benchmark's generated books build: a change to the fixtures it copies must not break it unseen.

The benchmark is not a test (its figures inform, they do not fail), but it
runs for half an hour, so a book it cannot build would only show at its end.
"""

from __future__ import annotations

import importlib.util
import os
import re

from conftest import ROOT, run_build

spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def test_the_synthetic_curriculum_builds_without_a_warning(tmp_path):
    book = benchmark.synthetic(4)(tmp_path / "book")
    build = run_build(book, env={**os.environ, benchmark.WEB_ONLY_ENV: "1"})
    assert build.returncode == 0, build.output
    assert len(list((build.html / "lessons").rglob("lesson-*.html"))) == 4


def test_the_plain_baseline_keeps_every_block_as_a_standard_admonition():
    sample = benchmark.SAMPLE.read_text(encoding="utf-8")
    plain = benchmark.as_standard_markdown(sample)
    used = set(re.findall(r"\{([a-z][a-z-]*)\}", plain))
    assert not used & benchmark.OUR_DIRECTIVES and not used & {"source", "resource"}
    assert "SECRET-TEACHER-NOTE-TEXT" in plain and "A player in a game asks you to keep a secret." in plain
    assert ":minutes:" not in plain
