"""The ``curriculum`` command: build the book, check lessons, start a new lesson.

``make book`` calls ``curriculum build``.  Exit status: 0 when all is well, 1
when the build failed or the check found problems, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from curriculum import REGION_ENV, SUBSETTER_PACKAGE, WEB_ONLY_ENV, has_font_subsetter


def find_root(start: Path) -> Path | None:
    """The book folder: the nearest folder at or above ``start`` holding ``_config.yml``."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "_config.yml").is_file():
            return folder
    return None


def build(
    root: Path, output: Path | None, strict: bool, region: str | None = None, web_only: bool = False
) -> int:
    """Build the web book with Jupyter Book, warnings as errors, and say where it is.

    Jupyter Book runs in its own process, through :mod:`curriculum.jupyterbook`,
    which ends it without freeing every object first.
    """
    command = [sys.executable, "-m", "curriculum.jupyterbook", "build", str(root), "--quiet"]
    if output is not None:
        command += ["--path-output", str(output)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    env = dict(os.environ)
    if region:
        env[REGION_ENV] = region
    if web_only:
        env[WEB_ONLY_ENV] = "1"
    elif not has_font_subsetter():
        print(
            f"Note: HarfBuzz's font subsetter is not installed, so the PDFs take about twice as long. "
            f"Install it with `apt-get install {SUBSETTER_PACKAGE}` (`make book` does, run as root).",
            file=sys.stderr,
        )
    started = time.perf_counter()
    status = subprocess.run(command, check=False, env=env).returncode
    seconds = time.perf_counter() - started
    site = (output or root) / "_build" / "html" / "index.html"
    if status == 0:
        print(f"Built the book in {seconds:.1f} s. Open {site.resolve()}")
    else:
        print(f"The build failed after {seconds:.1f} s: fix the messages above (file:line).", file=sys.stderr)
    return status


def check(paths: list[Path], style: str, region: str | None) -> int:
    """Check pages without building; print problems; 1 if any."""
    from curriculum import check as checks
    from curriculum import report

    root = find_root(paths[0] if paths else Path.cwd())
    if root is None:
        print(
            "curriculum check: no _config.yml here or above: run it inside the book folder", file=sys.stderr
        )
        return 2
    targets = paths or checks.content_paths(root)
    missing = [str(path) for path in targets if not path.exists()]
    if missing:
        print(f"curriculum check: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    context = checks.Context(root, region=region)
    files = checks.collect([path for path in targets], root)
    problems = checks.check_paths(files, context)
    print(report.render(problems, style, len(files)))
    return 1 if problems else 0


def new(band: str, title: str) -> int:
    """Scaffold a lesson and say what to fill in next."""
    from curriculum import scaffold

    root = find_root(Path.cwd())
    if root is None:
        print("curriculum new: no _config.yml here or above: run it inside the book folder", file=sys.stderr)
        return 2
    try:
        path = scaffold.new_lesson(root, band, title)
    except scaffold.ScaffoldError as error:
        print(f"curriculum new: {error}", file=sys.stderr)
        return 2
    shown = path.relative_to(root)
    print(f"Created {shown} and added it to _toc.yml under grades {band.upper()}.")
    print("Next:")
    print(f"  1. Open {shown} and replace every FIXME (the front matter first, then each block).")
    print("     The format is explained in book/lesson-format.md.")
    print(f"  2. Run `curriculum check {shown}` until it reports no problems.")
    print("  3. Run `make book` and open your lesson from the Lesson catalog.")
    return 0


def resources_report(region: str | None) -> int:
    """List every directory entry with its status and check date, for the person who re-verifies them."""
    import datetime

    from curriculum import directory

    root = find_root(Path.cwd())
    if root is None:
        print("curriculum resources: no _config.yml here or above", file=sys.stderr)
        return 2
    loaded = directory.load_directory(root / "data" / "resources", region or "us")
    for path, line, message in loaded.problems:
        print(f"{path}:{line}: {message}")
    today = datetime.date.today()
    print(f"{'id':32} {'region':7} {'status':10} {'checked':10} {'age':>5}  source")
    for entry in sorted(loaded.entries.values(), key=lambda e: (e["region"], e["id"])):
        age = (today - datetime.date.fromisoformat(entry["checked_on"])).days
        print(
            f"{entry['id']:32} {entry['region']:7} {entry['status']:10} {entry['checked_on']:10} "
            f"{age:>4}d  {entry['source']}"
        )
    return 1 if loaded.problems else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand."""
    parser = argparse.ArgumentParser(prog="curriculum", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser(
        "build",
        help="build the web book into _build/html",
        description="Build the web book, handouts and PDFs into _build/html.",
    )
    build_parser.add_argument(
        "root",
        nargs="?",
        type=Path,
        default=Path("."),
        help="folder holding _config.yml (default: current folder)",
    )
    build_parser.add_argument(
        "--output", type=Path, default=None, help="folder to hold _build/ (default: the book folder)"
    )
    build_parser.add_argument(
        "--region",
        default=None,
        help="region of the resource directory, e.g. us or us-co (default: curriculum_region in _config.yml)",
    )
    build_parser.add_argument(
        "--web-only",
        action="store_true",
        help="web pages only, for a quick look while writing: no handout pages, PDFs, Word files or zip "
        "(their links stay broken until a full build)",
    )
    build_parser.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="report warnings without failing (default: warnings are errors)",
    )

    check_parser = commands.add_parser(
        "check",
        help="check lessons and pages without building",
        description="Check lessons and book pages: front matter, blocks, reading level, language, links, "
        "hotline numbers, handouts. Prints path:line: CODE message and how to fix it. "
        "Exit status 0: clean; 1: problems found; 2: usage error.",
    )
    check_parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: lessons/, book/ and index.md)"
    )
    check_parser.add_argument(
        "--format",
        dest="style",
        choices=("text", "github", "json"),
        default="text",
        help="text for people (default), github for Actions annotations, json for tools",
    )
    check_parser.add_argument(
        "--region", default=None, help="region of the resource directory (default: _config.yml)"
    )

    new_parser = commands.add_parser(
        "new",
        help="start a new lesson from the template",
        description="Create lessons/BAND/<id>.md from the template and add it to _toc.yml under its band.",
    )
    new_parser.add_argument("band", help="k-2, 3-5, 6-8 or 9-12")
    new_parser.add_argument("title", help='the lesson title, e.g. "Who can help?"')

    resources_parser = commands.add_parser(
        "resources",
        help="list hotlines and reporting lines with their verification status",
        description="List every resource directory entry: region, status, check date, age and source.",
    )
    resources_parser.add_argument("--region", default=None, help="region whose file must exist (default: us)")

    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.root, args.output, args.strict, args.region, args.web_only)
    if args.command == "check":
        return check(args.paths, args.style, args.region)
    if args.command == "new":
        return new(args.band, args.title)
    return resources_report(args.region)


if __name__ == "__main__":
    sys.exit(main())
