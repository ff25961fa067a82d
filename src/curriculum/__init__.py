"""Online Safety Curriculum: the Sphinx extension that turns lessons into a book.

Loaded by Jupyter Book through ``sphinx.extra_extensions: [curriculum]`` in
``_config.yml``.  Each concern lives in its own module; ``setup`` wires them.
"""

from __future__ import annotations

import ctypes.util
import gc
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

__version__ = "0.1.0"

PACKAGE = Path(__file__).parent
STATIC = PACKAGE / "static"
#: The programs that make each kind of printable: a new version of one may change them.
#: A PDF is laid out by WeasyPrint (handouts) or Typst (lesson plans) and re-boxed, indexed or
#: merged by pikepdf (qpdf).
RENDERERS = {"pdf": ("weasyprint", "pikepdf"), "typst": ("typst", "pikepdf"), "docx": ("pypandoc-binary",)}
#: Debian's package of HarfBuzz's font subsetter, which WeasyPrint uses when it is there.
SUBSETTER_PACKAGE = "libharfbuzz-subset0"
#: Set to 1 (``curriculum build --web-only``) for the web pages alone: a quick look while writing.
WEB_ONLY_ENV = "CURRICULUM_WEB_ONLY"
#: The region whose resource directory the build uses (``curriculum build --region``).
REGION_ENV = "CURRICULUM_REGION"


@cache
def has_font_subsetter() -> bool:
    """Whether HarfBuzz's font subsetter is installed, where WeasyPrint looks for it.

    Without it WeasyPrint quietly falls back to fontTools, which decodes every
    font's layout tables in Python for every PDF: half the time of writing a
    lesson plan, and a full build takes about twice as long.
    """
    return ctypes.util.find_library("harfbuzz-subset") is not None


def _add_static(app: Sphinx) -> None:
    # Our CSS lives in the package, not in the book's _static/, which Jupyter
    # Book would copy onto every page along with anything else put there.
    app.config.html_static_path.append(str(STATIC))


def _keep_numfig(app: Sphinx) -> None:
    """Give ``numfig`` back the value of ``_config.yml`` after Jupyter Book's LaTeX helper forced it on.

    sphinx-jupyterbook-latex sets ``numfig = True`` for every builder. With it,
    Sphinx opens every page's doctree at every build to number figures, even
    when nothing changed: about half a second of each rebuild, for lessons
    that number no figures.
    """
    wanted: list[bool] = []
    app.connect("config-inited", lambda app, config: wanted.append(config.numfig), priority=100)
    app.connect("config-inited", lambda app, config: setattr(config, "numfig", wanted[0]), priority=900)


#: Extensions that do not say whether they are safe for parallel reading although they are:
#: Sphinx then reads every page on one core. sphinx-multitoc-numbering 0.1.3 (its last
#: release, loaded by sphinx-external-toc) only replaces how section numbers are
#: assigned, which Sphinx does in the main process after reading.
READ_SAFE = ("sphinx_multitoc_numbering",)


def _collect_garbage_less_often() -> None:
    """Have Python look for garbage cycles after 50,000 new objects instead of 700.

    A build holds millions of long-lived objects (Sphinx's environment and
    doctrees, WeasyPrint's boxes), and Python's default thresholds walk them
    again and again while they grow: an edited lesson rebuilt in 3.8 s instead
    of 4.3, a full build spent a tenth less in its print workers (which inherit
    the setting), for 30 MB more at peak. As mypy does for the same reason.
    """
    gc.set_threshold(50_000, 20, 100)


def _keep_compiled_templates(app: Sphinx) -> None:
    """Keep the theme's page templates compiled between builds, in Jinja's own bytecode cache.

    Sphinx compiles some forty templates afresh in every build before it
    writes its first page: a tenth of a second of a rebuild after an edit.
    Jinja recompiles a template whose source changed (the cache is keyed by
    its checksum) and keeps one cache per Jinja version (whose compiler may
    change); the cache lives in ``_build/.doctrees``, so ``make clean`` drops
    it with the rest.
    """
    import jinja2

    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None:
        folder = Path(app.doctreedir) / "curriculum-templates" / f"jinja2-{jinja2.__version__}"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))


def _keep_times_of_unchanged_static(app: Sphinx) -> None:
    """Give a stylesheet or script written again with the same bytes its time back.

    Sphinx renders its templated static files (``basic.css``, the search
    scripts' options, ``pygments.css``) at every build that writes a page,
    and pydata-sphinx-theme writes ``pygments.css`` once more at the end of
    every build, changed or not. A rebuild would then change files it did not
    change: a deployment uploads them again and readers' browsers fetch them
    again. Their bytes (a few megabytes) are read before the build writes, and
    each that comes out the same gets its time back at the end.
    """
    before: dict[Path, tuple[bytes, os.stat_result]] = {}

    def remember(app: Sphinx) -> None:
        static = Path(app.outdir) / "_static"
        for path in static.rglob("*") if static.is_dir() else []:
            if path.suffix in {".css", ".js"} and path.is_file():
                before[path] = (path.read_bytes(), path.stat())

    def give_back(app: Sphinx, exception: Exception | None) -> None:
        for path, (content, stat) in before.items():
            try:
                if path.stat().st_mtime_ns != stat.st_mtime_ns and path.read_bytes() == content:
                    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            except OSError:
                continue  # deleted meanwhile: nothing to give back

    app.connect("builder-inited", remember)
    app.connect("build-finished", give_back, priority=995)  # after the theme's (500)


def _read_on_all_cores(app: Sphinx) -> None:
    """In a web-only build, read the pages on every core, as ``sphinx-build -j auto`` would.

    Jupyter Book 1 has no option for Sphinx's ``-j``. Reading (parsing and
    checking every page) is 3 s of a web-only build's 11 s on two cores, 5 to
    7 s on one. A full build does not gain: Sphinx keeps the doctrees it read
    itself for writing, but loads those read in parallel from disk again,
    while the other core is printing. Writing stays serial: print pages and
    their jobs are collected in the main process as pages are written. When
    any extension of the book does not declare itself safe, the read stays
    serial too, since Sphinx would warn (an error under ``-W``).
    """
    from curriculum.printing import web_only

    asked = app.parallel  # sphinx-build -j, which Jupyter Book leaves at 1

    def before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        if not web_only():
            return
        for name in READ_SAFE:
            if name in app.extensions:
                app.extensions[name].parallel_read_safe = True
        if all(extension.parallel_read_safe for extension in app.extensions.values()):
            app.parallel = max(asked, os.cpu_count() or 1)

    def after_reading(app: Sphinx, env: BuildEnvironment) -> list[str]:
        app.parallel = 1  # our extension is not safe for parallel writing: no warning about it
        return []

    app.connect("env-before-read-docs", before_reading)
    app.connect("env-updated", after_reading)


def code_version(package: Path = PACKAGE) -> int:
    """A number that changes with any file of this package or any renderer's version.

    Sphinx keeps it with the pages it has read (an extension's ``env_version``)
    and, when it differs, reads and writes every page again. So after an
    upgrade of the machinery (a rule, a print page, how PDFs are made) the
    next build remakes what it changed, although no lesson did; the print
    stage then remakes only the printables whose inputs or making code changed.
    """
    # Imported here: importlib.metadata takes a tenth of the start-up of `curriculum check`.
    from importlib import metadata

    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for renderer in sorted(package for packages in RENDERERS.values() for package in packages):
        digest.update(f"{renderer} {metadata.version(renderer)}".encode())
    return int(digest.hexdigest()[:12], 16)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the lesson blocks, handouts, resource directory, lesson pages, catalog and privacy guard."""
    # Imported here, not at the top: `curriculum check` imports this package and
    # must start fast, without Sphinx's extension machinery.
    from curriculum import (
        accessibility,
        blocks,
        bookpdf,
        catalog,
        handoutpages,
        handouts,
        lessonpage,
        offline,
        printing,
        privacy,
        resources,
        timings,
    )

    timings.setup(app)
    _keep_numfig(app)
    _collect_garbage_less_often()
    _read_on_all_cores(app)
    _keep_times_of_unchanged_static(app)
    blocks.setup(app)
    printing.setup(app)
    handouts.setup(app)
    handoutpages.setup(app)
    resources.setup(app)
    lessonpage.setup(app)
    catalog.setup(app)
    bookpdf.setup(app)
    privacy.setup(app)
    accessibility.setup(app)
    offline.setup(app)
    app.connect("builder-inited", _add_static)
    app.connect("builder-inited", _keep_compiled_templates)
    app.add_css_file("curriculum.css")
    return {
        "version": __version__,
        "env_version": code_version(),
        "parallel_read_safe": True,
        # Print pages and their jobs are collected in the main process as pages are written.
        "parallel_write_safe": False,
    }
