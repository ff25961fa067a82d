"""The ``curriculum`` command: one entry point for building the book.

``make book`` calls ``curriculum build``; people without make can too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from curriculum.resources import REGION_ENV


def _jupyter_book() -> str:
    """The jupyter-book script installed beside this interpreter (a venv), else on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else shutil.which("jupyter-book") or "jupyter-book"


def build(root: Path, output: Path | None, strict: bool, region: str | None = None) -> int:
    """Build the web book with Jupyter Book, warnings as errors, and say where it is."""
    command = [_jupyter_book(), "build", str(root), "--quiet"]
    if output is not None:
        command += ["--path-output", str(output)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    started = time.perf_counter()
    env = dict(os.environ)
    if region:
        env[REGION_ENV] = region
    status = subprocess.run(command, check=False, env=env).returncode
    seconds = time.perf_counter() - started
    site = (output or root) / "_build" / "html" / "index.html"
    if status == 0:
        print(f"Built the book in {seconds:.1f} s. Open {site.resolve()}")
    else:
        print(f"The build failed after {seconds:.1f} s: fix the messages above (file:line).", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand."""
    parser = argparse.ArgumentParser(prog="curriculum", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser(
        "build",
        help="build the web book into _build/html",
        description="Build the web book into _build/html.",
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
        "--no-strict",
        dest="strict",
        action="store_false",
        help="report warnings without failing (default: warnings are errors)",
    )
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.root, args.output, args.strict, args.region)
    return 2


if __name__ == "__main__":
    sys.exit(main())
