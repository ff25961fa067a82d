"""Run Jupyter Book's command line, then leave without taking the interpreter apart.

``curriculum build`` runs ``python -m curriculum.jupyterbook build ...`` where it
would run ``jupyter-book build ...``: the same command, in its own process as
before, but ending with :func:`os._exit` once every exit handler has run and the
output is flushed. A normal exit frees the build's millions of objects one by
one (Sphinx's environment and doctrees), a quarter of a second of every build,
and of a contributor's three-second rebuild, for memory the system takes back
at once anyway. mypy ends the same way, for the same reason.
"""

from __future__ import annotations

import atexit
import os
import sys


def exit_status(code: object) -> int:
    """The process exit status of ``sys.exit(code)``; a message is printed, as Python would."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    """Run ``jupyter-book`` with this process's arguments, then exit at once with its status."""
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book.main(sys.argv[1:], prog_name="jupyter-book")
        status = 0
    except SystemExit as done:  # how a click command ends, well or not
        status = exit_status(done.code)
    # The print workers, if a build stopped before it could end them: a normal exit would
    # join them (concurrent.futures does so at interpreter shutdown, which os._exit skips).
    printing = sys.modules.get("curriculum.printing")  # loaded with the extension, if it was
    if printing is not None:
        printing.stop_workers()
    atexit._run_exitfuncs()  # what the libraries asked for at exit (logging, worker processes, temp files)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
