# Two commands for a new machine: `make book` and `make test`.
# `book` is also a folder, so every target is phony (otherwise make would
# answer "'book' is up to date" and do nothing).
.PHONY: book test install system lint clean serve

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# (Re)install when the pins or the package metadata change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP) system

# Debian's libharfbuzz-subset0, HarfBuzz's font subsetter: WeasyPrint uses it when
# it is there, and without it falls back to fontTools, which makes every PDF
# take about twice as long. The package says whether it is missing and its name
# (curriculum.has_font_subsetter, SUBSETTER_PACKAGE); installed when make runs as
# root with apt-get, elsewhere the build prints the command.
system: $(STAMP)
	@missing=$$($(BIN)/python -c 'import curriculum as c; print("" if c.has_font_subsetter() else c.SUBSETTER_PACKAGE)'); \
	[ -z "$$missing" ] \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	       && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing \
	            || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; }; }; } \
	  || echo "note: HarfBuzz's font subsetter ($$missing) is not installed; PDFs will take twice as long"

book: install
	$(BIN)/curriculum build

test: install
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests

serve: book
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build
