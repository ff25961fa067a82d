"""Benchmark the book build: stages, rebuilds, the check, and growth with the number of lessons.

Run from the repository root, after `make book` has set up .venv:

    .venv/bin/python benchmarks/run.py                 # full run: 3 repeats, 30/100/300 lessons
    .venv/bin/python benchmarks/run.py --quick         # 1 repeat, 30 and 100 lessons

It prints a table and writes benchmarks/results.json.  Every figure is the
median of the repeats, with the spread (max - min).  Nothing here is a test:
the machine is shared and noisy, so these numbers inform, they do not fail.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from curriculum import blocks, sources

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE = ROOT / "tests" / "fixtures" / "minibook" / "lessons" / "6-8" / "sample-lesson.md"


def copy_book(target: Path) -> Path:
    return sources.copy_book(ROOT, target)


#: Runs one build and writes the peak resident memory of its largest process (the build or a
#: print worker) in KB. A fresh process per build: RUSAGE_CHILDREN only ever grows, so
#: measured from this script every build would report the largest of all builds before it.
MEASURE_PEAK = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def build(
    src: Path, plain: bool = False, web_only: bool = False, log: list[str] | None = None
) -> tuple[float, dict[str, float], int]:
    """One build: wall seconds, stage seconds, peak RSS in MB of the build process tree's largest process.

    Each build is run by the command its user types: ``curriculum build`` (what
    ``make book`` runs: warnings are errors), or for a plain build ``jupyter-book build``.
    ``log``, when given, receives the build's output.
    """
    timings = src / "_timings.json"
    timings.unlink(missing_ok=True)
    env = {**os.environ, "CURRICULUM_TIMINGS": str(timings)}
    if plain:
        command = [str(BIN / "jupyter-book"), "build", str(src), "--quiet"]
    else:
        command = [str(BIN / "curriculum"), "build", str(src), *(["--web-only"] if web_only else [])]
    peak_file = src / "_peak_kb"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE_PEAK, str(peak_file), *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    if log is not None:
        log.append(done.stdout + done.stderr)
    if done.returncode != 0 and not plain:
        raise SystemExit(f"build failed in {src}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    peak = int(peak_file.read_text()) // 1024
    stages = json.loads(timings.read_text()) if timings.exists() else {}
    return seconds, stages, peak


def outputs(src: Path) -> dict[str, tuple[int, str]]:
    """Every output file with its modification time and a digest of its bytes."""
    html = src / "_build" / "html"
    return {
        str(path.relative_to(html)): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in html.rglob("*")
        if path.is_file()
    }


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]], what: str) -> list[str]:
    """Outputs whose ``what`` ("time": written again, "bytes": changed) differs, and those removed."""
    field = {"time": 0, "bytes": 1}[what]
    return sorted(name for name in after if before.get(name, (None, None))[field] != after[name][field]) + [
        f"(removed) {name}" for name in sorted(set(before) - set(after))
    ]


def median(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "spread": round(max(values) - min(values), 2)}


def repeat(times: int, make: Callable[[Path], Path], measure: Callable[[Path], dict]) -> list[dict]:
    """Make a fresh book ``times`` times in a temporary folder and measure each."""
    results = []
    for _ in range(times):
        with tempfile.TemporaryDirectory() as folder:
            results.append(measure(make(Path(folder) / "book")))
    return results


def real_book(target: Path) -> Path:
    target.mkdir(parents=True)
    return copy_book(target)


def plain_copy(target: Path) -> Path:
    """The same sources, built by jupyter-book without the curriculum extension."""
    copy_book(target.mkdir(parents=True) or target)
    config = (
        (target / "_config.yml")
        .read_text(encoding="utf-8")
        .replace("extra_extensions: [curriculum]", "extra_extensions: []")
    )
    (target / "_config.yml").write_text(config, encoding="utf-8")
    return target


#: Our directives and roles, which a plain build does not know: it drops a block it does not
#: know with everything inside it (a lesson page comes out a quarter of its size).
_EXTENSION = [module.read_text(encoding="utf-8") for module in (ROOT / "src" / "curriculum").glob("*.py")]
OUR_DIRECTIVES = set(blocks.BLOCKS) | {
    name for source in _EXTENSION for name in re.findall(r'add_directive\("([a-z-]+)"', source)
}
_ROLE_NAMES = sorted(name for source in _EXTENSION for name in re.findall(r'add_role\("([a-z-]+)"', source))
OUR_ROLES = re.compile(rf"\{{(?:{'|'.join(_ROLE_NAMES)})\}}`([^`]*)`")
FENCE = re.compile(r"^(\s*)(:{3,}|`{3,})\{([a-z][a-z-]*)\}(.*)$")
OPTION = re.compile(r"^\s*:[a-z-]+:")
UNKNOWN = re.compile(r"Unknown (?:directive type: |interpreted text role )['\"]([\w-]+)")


def as_standard_markdown(text: str) -> str:
    """A page with each of our blocks as a standard admonition (its options dropped), roles as text."""
    lines, in_options = [], False
    for line in text.splitlines():
        fence = FENCE.match(line)
        if fence and fence[3] in OUR_DIRECTIVES:
            lines.append(f"{fence[1]}{fence[2]}{{admonition}} {fence[4].strip() or fence[3]}")
            in_options = True
        elif not (in_options and OPTION.match(line)):
            in_options = False
            lines.append(OUR_ROLES.sub(r"\1", line))
    return "\n".join(lines) + "\n"


def plain_content_copy(target: Path) -> Path:
    """The same sources with our blocks written as standard admonitions, built without the extension.

    A fairer baseline than :func:`plain_copy`: the same text is parsed and
    rendered, so the ratio shows what our extension costs, not what a plain
    build leaves out.
    """
    plain_copy(target)
    for page in target.rglob("*.md"):
        page.write_text(as_standard_markdown(page.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def plain_content_build(src: Path) -> dict:
    log: list[str] = []
    seconds, _, peak = build(src, plain=True, log=log)
    unknown = sorted(set(UNKNOWN.findall(log[0])))
    if unknown:
        raise SystemExit(
            f"the standard-Markdown copy still uses our {', '.join(unknown)}: add to OUR_DIRECTIVES"
        )
    return {"total": seconds, "peak_mb": peak}


def synthetic(count: int) -> Callable[[Path], Path]:
    """A curriculum of ``count`` realistic lessons: front matter, blocks, two handouts and a picture each."""

    def make(target: Path) -> Path:
        target.mkdir(parents=True)
        copy_book(target)
        shutil.rmtree(target / "lessons")
        sample = SAMPLE.read_text(encoding="utf-8")
        sample = sample.split("\n## Variations")[0]
        bands = ["k-2", "3-5", "6-8", "9-12"]
        entries = {band: [] for band in bands}
        for index in range(count):
            band = bands[index % 4]
            lesson = f"lesson-{index:03d}"
            text = sample.replace("id: sample-lesson", f"id: {lesson}").replace("band: 6-8", f"band: {band}")
            text = text.replace("Sample lesson on asking for help", f"Asking for help, part {index}")
            text = text.replace("ask-for-help-cards", f"cards-{index:03d}").replace(
                "ask-for-help-letter", f"letter-{index:03d}"
            )
            text = text.replace(
                ":resources: cybertipline lifeline-988 local-child-abuse-line",
                ":resources: cybertipline lifeline-988",
            )
            path = target / "lessons" / band / f"{lesson}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            entries[band].append(lesson)
        (target / "lessons" / "adults").mkdir()
        shutil.copy2(
            ROOT / "tests/fixtures/minibook/lessons/adults/responding-to-disclosure.md",
            target / "lessons/adults",
        )
        for band in bands:
            for image in SAMPLE.parent.glob("*.png"):  # the sample lesson's picture
                shutil.copy2(image, target / "lessons" / band)
            (target / "lessons" / band / "index.md").write_text(
                f"# Grades {band}\n\n:::{{lesson-catalog}}\n:band: {band}\n:::\n", encoding="utf-8"
            )
        toc = ["format: jb-book", "root: index", "parts:"]
        for band in bands:
            toc += [
                f"  - caption: Grades {band}",
                "    chapters:",
                f"      - file: lessons/{band}/index",
                "        sections:",
            ]
            toc += [f"          - file: lessons/{band}/{lesson}" for lesson in entries[band]]
        toc += [
            "  - caption: Adults",
            "    chapters:",
            "      - file: lessons/adults/responding-to-disclosure",
            "  - caption: Book",
            "    chapters:",
            "      - file: book/catalog",
            "      - file: book/printables",
            "      - file: book/resources",
        ]
        (target / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
        (target / "index.md").write_text(
            f"# Synthetic curriculum\n\n{count} generated lessons.\n", encoding="utf-8"
        )
        return target

    return make


def full_build(src: Path) -> dict:
    plain = "extra_extensions: []" in (src / "_config.yml").read_text(encoding="utf-8")
    seconds, stages, peak = build(src, plain=plain)
    for kind, entry in stages.pop("jobs", {}).items():
        stages[f"{kind}_each"] = entry["mean"]
        stages[f"{kind}_cpu"] = entry["total"]  # seconds in the workers, all jobs of the kind together
    return {"total": seconds, **stages, "peak_mb": peak}


def web_only_build(src: Path) -> dict:
    """`curriculum build --web-only`: our extension's web pages without any printable."""
    seconds, stages, peak = build(src, web_only=True)
    return {"total": seconds, **stages, "peak_mb": peak}


def check_run(src: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "curriculum"), "check"], cwd=src, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    files = int(re.search(r"(\d+) file", done.stdout.splitlines()[-1])[1])
    return {"total": seconds, "files": files}


def rebuilds(src: Path, times: int) -> dict:
    """Rebuild times (median of ``times`` rebuilds each), the outputs the last of each wrote and changed."""
    build(src)
    lesson = next((src / "lessons" / "6-8").glob("[!i]*.md"))

    def edit_lesson(run: int) -> None:
        text = lesson.read_text(encoding="utf-8")
        warm = re.search(r":::\{warm-up\}\n:minutes: \d+\n", text)
        lesson.write_text(
            text[: warm.end()] + f"Start with question {run}. " + text[warm.end() :], encoding="utf-8"
        )

    def edit_handout(run: int) -> None:
        text = lesson.read_text(encoding="utf-8")
        body = text.index("\n\n", text.index(":kind: family-letter")) + 2
        lesson.write_text(text[:body] + f"Thank you for reading {run}. " + text[body:], encoding="utf-8")

    result = {}
    for name, edit in (
        ("nothing changed", None),
        ("one lesson's text edited", edit_lesson),
        ("one handout edited", edit_handout),
    ):
        seconds = []
        for run in range(times):
            if edit is not None:
                edit(run)
            before = outputs(src)
            seconds.append(build(src)[0])
            after = outputs(src)
        result[name] = {
            **median(seconds),
            "rewritten": changed(before, after, "time"),
            "changed": changed(before, after, "bytes"),
        }
    return result


def slowest(runs: list[dict], count: int = 5) -> list[dict]:
    """The printables slowest per page, median over the runs: a costly print style shows up here."""
    seen: dict[str, list[dict]] = {}
    for run in runs:
        for row in run.get("slowest", []):
            seen.setdefault(row["file"], []).append(row)
    rows = [
        {"file": name, "pages": found[0]["pages"], **median([row["seconds_per_page"] for row in found])}
        for name, found in seen.items()
    ]
    return sorted(rows, key=lambda row: row["median"], reverse=True)[:count]


def summarise(runs: list[dict]) -> dict:
    keys = [key for key in runs[0] if isinstance(runs[0][key], (int, float))]
    return {key: median([run[key] for run in runs if key in run]) for key in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, sizes 30 and 100")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    times = args.repeats or (1 if args.quick else 3)
    sizes = args.sizes if args.sizes is not None else ([30, 100] if args.quick else [30, 100, 300])
    results: dict = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}, "repeats": times}

    print(f"Full build of the real curriculum ({times} run(s))...", flush=True)
    runs = repeat(times, real_book, full_build)
    results["real"] = summarise(runs)
    results["slowest_pages"] = slowest(runs)
    results["plain_jupyter_book"] = summarise(repeat(times, plain_copy, full_build))
    results["plain_same_content"] = summarise(repeat(times, plain_content_copy, plain_content_build))
    results["web_only"] = summarise(repeat(times, real_book, web_only_build))
    # Our HTML stage: the same build with the web pages alone (the full build overlaps them with PDFs).
    ours = results["web_only"]["total"]["median"]
    results["html_seconds"] = round(ours, 2)
    results["html_ratio"] = round(ours / results["plain_jupyter_book"]["total"]["median"], 2)
    results["html_ratio_same_content"] = round(ours / results["plain_same_content"]["total"]["median"], 2)
    # The book's own PDFs (issue 4): the lesson plans, laid out on every core, then merged into
    # the lesson PDFs, bundles, band books and the whole book. (Handouts are printables of their own.)
    book_pdfs = (
        results["real"]["lesson_pdf_cpu"]["median"] / (os.cpu_count() or 1)
        + results["real"]["merge"]["median"]
    )
    results["book_pdf_seconds"] = round(book_pdfs, 2)
    results["book_pdf_ratio"] = round(book_pdfs / ours, 2)
    print("Rebuilds...", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results["rebuilds"] = rebuilds(real_book(Path(folder) / "book"), times)
    print("Check...", flush=True)
    results["check_real"] = summarise(repeat(max(times, 3), real_book, check_run))
    results["scale"] = {}
    for size in sizes:
        print(f"Synthetic curriculum of {size} lessons...", flush=True)
        runs = repeat(times, synthetic(size), full_build)
        summary = summarise(runs)
        summary["per_lesson"] = round(summary["total"]["median"] / size, 3)
        # What the PDFs and .docx add: part of their work overlaps the writing of the web pages.
        summary["web_only"] = summarise(repeat(times, synthetic(size), web_only_build))["total"]
        summary["printables_add"] = round(summary["total"]["median"] - summary["web_only"]["median"], 1)
        checks = summarise(repeat(1, synthetic(size), check_run))
        summary["check_lessons_per_second"] = round(size / checks["total"]["median"], 1)
        results["scale"][size] = summary
    args.output.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print_table(results)
    print(f"\nWrote {args.output}")


def print_table(results: dict) -> None:
    def cell(entry: dict | None) -> str:
        return f"{entry['median']:.1f} ± {entry['spread']:.1f}" if entry else "-"

    real, plain, web = results["real"], results["plain_jupyter_book"], results["web_only"]
    print("\n| stage (s, median ± spread) | real curriculum | plain jupyter-book (HTML only) |")
    print("| --- | --- | --- |")
    for stage in ("setup", "read", "write", "print", "total"):
        print(
            f"| {stage} | {cell(real.get(stage))} | {cell(plain.get(stage)) if stage in ('total',) else ''} |"
        )
    print(
        f"| of the print stage: merging (bundles, band and whole-book PDFs) | {cell(real.get('merge'))} | |"
    )
    print(f"| web pages only (`--web-only`) | {cell(web['total'])} | |")
    print(f"| peak memory (MB) | {real['peak_mb']['median']:.0f} | {plain['peak_mb']['median']:.0f} |")
    for kind, label in (
        ("handout_pdf", "a handout PDF"),
        ("docx", "a .docx"),
        ("lesson_pdf", "a lesson plan PDF"),
    ):
        entry = real.get(f"{kind}_each")
        if entry:
            print(f"| one job: {label} (s, CPU in its worker) | {cell(entry)} | |")
            print(
                f"| all jobs: {label.removeprefix('a ')} (s, CPU in the workers) | {cell(real[f'{kind}_cpu'])} | |"
            )
    print("\n| slowest printables | pages | seconds per page |")
    print("| --- | --- | --- |")
    for row in results["slowest_pages"]:
        print(f"| {row['file']} | {row['pages']} | {row['median']:.2f} ± {row['spread']:.2f} |")
    print(
        f"\nWeb pages with our extension (--web-only): {results['html_seconds']} s, "
        f"{results['html_ratio']} times a plain jupyter-book build of the same sources "
        f"({cell(plain['total'])} s: it drops our blocks and what is in them), "
        f"{results['html_ratio_same_content']} times a plain build of the same text with our blocks "
        f"as standard admonitions ({cell(results['plain_same_content']['total'])} s)"
    )
    print(
        f"\nThe book's PDFs: {results['book_pdf_seconds']} s (lesson plans on every core, then merging), "
        f"{results['book_pdf_ratio']} times the web pages alone"
    )
    print("\n| rebuild | seconds | outputs written again | of which changed |")
    print("| --- | --- | --- | --- |")
    for name, entry in results["rebuilds"].items():
        listed = [
            f"{len(entry[key])}: " + ", ".join(entry[key][:6]) + (" ..." if len(entry[key]) > 6 else "")
            for key in ("rewritten", "changed")
        ]
        print(f"| {name} | {cell(entry)} | {' | '.join(listed)} |")
    print(
        f"\n`curriculum check` on the real curriculum (with start-up): {cell(results['check_real']['total'])} s"
    )
    print(
        "\n| lessons | total (s) | read | write HTML and print pages | print stage | web pages only | "
        "printables add | book PDFs: lesson plans rendered (CPU s) | book PDFs: merging (s) | "
        "per lesson (s) | peak MB | check (lessons/s) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size, entry in results["scale"].items():
        print(
            f"| {size} | {cell(entry['total'])} | {cell(entry.get('read'))} | {cell(entry.get('write'))} | "
            f"{cell(entry.get('print'))} | {cell(entry['web_only'])} | {entry['printables_add']} | "
            f"{cell(entry.get('lesson_pdf_cpu'))} | {cell(entry.get('merge'))} | "
            f"{entry['per_lesson']} | {entry['peak_mb']['median']:.0f} | {entry['check_lessons_per_second']} |"
        )


if __name__ == "__main__":
    main()
