"""``curriculum check``: every lesson rule, on every page, without building the book.

One function per rule family, each returning :class:`~curriculum.rules.Problem`
values (code, message, how to fix, file and line); :func:`check_paths` runs
them all.  The Sphinx build runs the front-matter and block rules from
:mod:`curriculum.rules` too, so a page that passes here passes there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

import yaml

from curriculum import directory as resource_directory
from curriculum import pagescan, readability, rules
from curriculum.rules import Problem

MAX_BYTES = 1_000_000
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+\S")
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)[^)]*\)")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>\"'`]+", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w/.-])(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])"
    r"|(?<![\w-])1-8[0-9]{2}-[A-Z0-9]{1,4}-?[A-Z0-9-]{3,}(?![\w-])"
)
_HTML = re.compile(r"<\s*(?P<tag>[a-zA-Z][\w-]*)(?P<rest>[^>]*)>")
_FIXME = re.compile(r"fixme", re.IGNORECASE)
_CODE_BLOCKS = {"raw", "html", "iframe", "script"}
_CODE_SPAN = re.compile(r"`[^`]*`")
_EVENT = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
_VAGUE_LINKS = {"click here", "here", "this link", "link", "read more", "more", "this page", "this"}
_STUDENT_AUDIENCES = {"students"}
_TEACHER_BLOCKS = {"teacher-note", "answer-key"}


@dataclass
class Context:
    """What the rules need to know about the book around a page."""

    root: Path
    region: str | None = None
    extra_terms: list[dict[str, str]] = field(default_factory=list)
    _scanned: dict[Path, pagescan.Page] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def directory(self) -> resource_directory.Directory | None:
        """The resource directory, or None when the book has none."""
        folder = self.root / "data" / "resources"
        if not folder.is_dir():
            return None
        region = self.region or _configured_region(self.root) or "us"
        try:
            return resource_directory.load_directory(folder, region)
        except Exception:  # an unknown region is the build's error to report
            return resource_directory.load_directory(folder, "us") if (folder / "us.yml").exists() else None

    @cached_property
    def book_handouts(self) -> set[str]:
        """Ids of the handouts on every page, so a lesson can list one defined on another page."""
        found: set[str] = set()
        content = [path for path in content_paths(self.root) if path.exists()]
        for path in collect(content, self.root):
            try:
                page = self.scan(path, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue  # the page's own check reports it
            found.update(block.options.get("id", "") for block in page.blocks if block.name == "handout")
        return found

    def scan(self, path: Path, text: str) -> pagescan.Page:
        """The scanned page, scanned once while its text stays the same (the handout ids scan every page)."""
        known = self._scanned.get(path)
        if known is None or known.text != text:
            known = self._scanned[path] = pagescan.scan(text)
        return known

    @cached_property
    def language(self) -> dict[str, list]:
        """Flagged terms and graphic markers from ``data/language.yml``."""
        path = self.root / "data" / "language.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        return {
            "terms": [*(data or {}).get("terms", []), *self.extra_terms],
            "graphic": (data or {}).get("graphic", []),
        }

    @cached_property
    def language_entries(self) -> dict[str, dict[str, str]]:
        """Flagged terms by their lower-case spelling."""
        return {entry["term"].lower(): entry for entry in self.language["terms"]}

    @cached_property
    def language_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """One pattern for all flagged terms and one for all graphic markers (one pass a line)."""
        never = r"(?!x)x"
        terms = "|".join(re.escape(term) for term in sorted(self.language_entries, key=len, reverse=True))
        graphic = "|".join(re.escape(word) for word in self.language["graphic"])
        return (
            re.compile(rf"\b(?:{terms or never})\b", re.IGNORECASE),
            re.compile(rf"\b(?:{graphic or never})", re.IGNORECASE),
        )

    @cached_property
    def hotline_addresses(self) -> tuple[str, ...]:
        """Web and chat addresses of the directory, as ``host/path`` prefixes (no scheme, no www.)."""
        if self.directory is None:
            return ()
        return tuple(
            sorted(
                {
                    _address(contact["url"])
                    for entry in self.directory.entries.values()
                    for contact in entry["contacts"]
                    if "url" in contact
                }
            )
        )

    @cached_property
    def resource_keys(self) -> set[str]:
        """Every entry id (all regions) and slot a page may name."""
        if self.directory is None:
            return set()
        slots = {slot for entry in self.directory.entries.values() for slot in entry.get("provides", [])}
        return set(self.directory.entries) | slots | set(resource_directory.SLOT_NAMES)


def _configured_region(root: Path) -> str | None:
    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        return config["sphinx"]["config"]["curriculum_region"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None


def _address(url: str) -> str:
    """``https://www.Example.org/Path/`` -> ``example.org/path``: a URL compared without its dressing."""
    parsed = urlparse(url if "://" in url else "https://" + url)
    return (parsed.netloc.lower().removeprefix("www.") + parsed.path.rstrip("/").lower()).rstrip("/")


def _quoted(text: str, start: int, end: int) -> bool:
    """True when text[start:end] sits inside double quotation marks (a mention, not a use)."""
    before = text[:start]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def read_page(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The page's text, or a problem saying why it cannot be read as a lesson."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(shown, 1, "FIL001", f"cannot read the file: {error.strerror}", "check the path")
        ]
    if not data.strip():
        return None, [Problem(shown, 1, "FIL002", "the file is empty", "start from lessons/_template.md")]
    if len(data) > MAX_BYTES:
        return None, [
            Problem(
                shown,
                1,
                "FIL003",
                f"the file is {len(data) // 1000} kB, over the 1000 kB limit",
                "split it into several lessons, or move large data out of the page",
            )
        ]
    if b"\x00" in data[:8192]:
        return None, [
            Problem(
                shown, 1, "FIL004", "the file is binary, not text", "save the lesson as plain text (UTF-8)"
            )
        ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                shown, line, "FIL005", "the file is not UTF-8 text", "save the file as UTF-8 in your editor"
            )
        ]


def _placeholders(page: pagescan.Page, shown: str) -> Iterator[Problem]:
    for number, line in enumerate(page.text.splitlines(), start=1):
        if _FIXME.search(line):
            yield Problem(
                shown,
                number,
                "TPL001",
                f"template placeholder left: {line.strip()[:70]}",
                "replace the FIXME with the lesson's own words",
            )


def _headings(page: pagescan.Page, shown: str) -> Iterator[Problem]:
    previous = 0
    titles = 0
    for line in page.lines:
        if line.stack:
            continue
        match = _HEADING.match(line.text)
        if not match:
            continue
        level = len(match["hashes"])
        if level == 1:
            titles += 1
            if titles > 1:
                yield Problem(
                    shown,
                    line.number,
                    "HDG002",
                    "more than one '# ' title on the page",
                    "keep one title; use '## ' for sections",
                )
        elif previous == 0:
            yield Problem(
                shown,
                line.number,
                "HDG003",
                "the first heading is not the page title ('# ')",
                "start the page with '# Title'",
            )
        elif level > previous + 1:
            yield Problem(
                shown,
                line.number,
                "HDG001",
                f"heading level {level} follows level {previous}: a level is skipped",
                f"use {'#' * (previous + 1)} here",
            )
        previous = level


def _links(page: pagescan.Page, shown: str, path: Path, context: Context) -> Iterator[Problem]:
    for line in page.lines:
        for match in _LINK.finditer(line.text):
            text, url = match["text"].strip(), match["url"]
            if url.lower().startswith("http://"):
                yield Problem(
                    shown,
                    line.number,
                    "LNK001",
                    f"link uses http, not https: {url}",
                    "use the https:// address",
                )
            if text.lower().strip(".:") in _VAGUE_LINKS:
                yield Problem(
                    shown,
                    line.number,
                    "LNK002",
                    f"link text '{text}' does not say where it goes",
                    "use words that name the destination, e.g. 'the CyberTipline's FAQ'",
                )
            if url and not urlparse(url).scheme and not url.startswith("#"):
                yield from _local_target(shown, line.number, path, context.root, url.split("#")[0])
        for match in _ROLE.finditer(line.text):
            if match["role"] == "doc":
                target = match["body"].split("<")[-1].rstrip(">").strip()
                yield from _local_target(shown, line.number, path, context.root, target, doc=True)
        for match in _IMAGE.finditer(line.text):
            if not match["alt"].strip():
                yield Problem(
                    shown,
                    line.number,
                    "IMG002",
                    "image has no alt text",
                    "describe the image in the brackets: ![a class sorting cards](...)",
                )
            src = match["src"]
            if not urlparse(src).scheme and not (path.parent / src).exists():
                yield Problem(
                    shown,
                    line.number,
                    "IMG001",
                    f"image file not found: {src}",
                    "check the path (relative to the page)",
                )
            handout = line.inside("handout")
            if handout and handout.options.get("audience") in {"students", "families"}:
                yield Problem(
                    shown,
                    line.number,
                    "IMG003",
                    "image in a student or family handout without review",
                    "use a {figure} block with ':class: reviewed' once a reviewer confirmed "
                    "it shows no one identifiable",
                )
    for block in page.blocks:
        if block.name in {"image", "figure"}:
            if not block.options.get("alt", "").strip():
                yield Problem(
                    shown,
                    block.line,
                    "IMG002",
                    f"{block.name} has no ':alt:' text",
                    "add ':alt: what the image shows'",
                )
            src = block.argument
            if src and not urlparse(src).scheme and not (path.parent / src).exists():
                yield Problem(
                    shown,
                    block.line,
                    "IMG001",
                    f"image file not found: {src}",
                    "check the path (relative to the page)",
                )


def _local_target(
    shown: str, number: int, path: Path, root: Path, target: str, doc: bool = False
) -> Iterator[Problem]:
    if not target:
        return
    base = root if target.startswith("/") else path.parent
    candidate = base / target.lstrip("/")
    options = [candidate, candidate.with_suffix(".md")] if doc or not candidate.suffix else [candidate]
    if not any(option.exists() for option in options):
        yield Problem(
            shown,
            number,
            "LNK003",
            f"link target not found: {target}",
            "fix the path; pages are named without .md, relative to this page or to the book root with '/'",
        )


def _raw_html(page: pagescan.Page, shown: str) -> Iterator[Problem]:
    for block in page.blocks:
        if block.name in _CODE_BLOCKS:
            yield Problem(
                shown,
                block.line,
                "SEC002",
                f"'{block.name}' blocks are not allowed in lessons",
                "write the content in Markdown; the book adds no code from lessons",
            )
    for line in page.lines:
        if any(block.name in _CODE_BLOCKS for block in line.stack):
            continue  # reported once, as the block (SEC002)
        for match in _HTML.finditer(_CODE_SPAN.sub(" ", _ROLE.sub(" ", line.text))):
            tag = match["tag"].lower()
            if tag in {"script", "iframe", "object", "embed", "style"} or _EVENT.search(match["rest"]):
                yield Problem(
                    shown,
                    line.number,
                    "SEC001",
                    f"<{tag}> or an event handler in the page: code cannot run in lessons",
                    "remove it; lessons hold text, not code",
                )
            else:
                yield Problem(
                    shown,
                    line.number,
                    "SEC003",
                    f"raw HTML <{tag}> in the page",
                    "use Markdown or a lesson block instead of HTML",
                )


def _hotlines(page: pagescan.Page, shown: str, context: Context) -> Iterator[Problem]:
    for line in page.lines:
        text = _ROLE.sub(" ", line.text)
        for match in _PHONE.finditer(text):
            yield Problem(
                shown,
                line.number,
                "RES020",
                f"phone number typed into the page: {match.group().strip()}",
                "refer to the resource directory instead: {resource}`id` (see the Resources page)",
            )
        for match in _URL.finditer(text):
            if _address(match.group()).startswith(context.hotline_addresses):
                yield Problem(
                    shown,
                    line.number,
                    "RES021",
                    f"hotline address typed into the page: {match.group()}",
                    "refer to the resource directory instead: {resource}`id`",
                )
        for match in _ROLE.finditer(line.text):
            if (
                match["role"] == "resource"
                and context.directory is not None
                and match["body"].strip() not in context.resource_keys
            ):
                yield Problem(
                    shown,
                    line.number,
                    "RES010",
                    f"unknown resource '{match['body'].strip()}'",
                    "use an id from data/resources/ (listed on the Resources page)",
                )
    for block in page.blocks:
        if block.name == "help-card" and context.directory is not None:
            for key in block.options.get("resources", "").split():
                if key not in context.resource_keys:
                    yield Problem(
                        shown,
                        block.line,
                        "RES010",
                        f"unknown resource '{key}' in help-card",
                        "use an id from data/resources/ (listed on the Resources page)",
                    )


def _language(page: pagescan.Page, shown: str, context: Context) -> Iterator[Problem]:
    terms, graphic = context.language_patterns
    for line in page.lines:
        for match in terms.finditer(line.text):
            if _quoted(line.text, match.start(), match.end()):
                continue
            entry = context.language_entries[match.group().lower()]
            yield Problem(
                shown,
                line.number,
                "LNG001",
                f"'{match.group()}': {entry.get('why', 'avoid this term')}",
                f"say: {entry['instead']}",
            )
        for match in graphic.finditer(line.text):
            if not _quoted(line.text, match.start(), match.end()):
                yield Problem(
                    shown,
                    line.number,
                    "GRA001",
                    f"graphic wording '{match.group()}' in the page",
                    "no lesson needs to describe bodies or sexual acts; say what to do instead",
                )


def _sources_and_handouts(page: pagescan.Page, shown: str, context: Context) -> Iterator[Problem]:
    if page.front is None:
        return
    data = page.front.data
    known = {source.get("id") for source in data.get("sources", []) if isinstance(source, dict)}
    for line in page.lines:
        for match in _ROLE.finditer(line.text):
            if match["role"] == "source" and match["body"].strip() not in known:
                yield Problem(
                    shown,
                    line.number,
                    "LES020",
                    f"unknown source '{match['body'].strip()}'",
                    "add it to the front matter 'sources:' or use one of: "
                    + ", ".join(sorted(filter(None, known))),
                )
    declared = set(data.get("handouts", []) or [])
    present = {block.options.get("id"): block for block in page.blocks if block.name == "handout"}
    line = page.front.line_of(("handouts",))
    elsewhere = declared - set(present)  # the other pages are scanned only for these (a tenth of a second)
    for missing in sorted(elsewhere - context.book_handouts if elsewhere else elsewhere):
        yield Problem(
            shown,
            line,
            "HND002",
            f"front matter lists handout '{missing}' but no page of the book has a handout with that id",
            "add the block, remove the id, or use the id of a handout on another page",
        )
    for extra in sorted(set(present) - declared - {None}):
        yield Problem(
            shown,
            present[extra].line,
            "HND003",
            f"handout '{extra}' is not listed in the front matter 'handouts:'",
            "add its id to 'handouts:'",
        )


def student_passages(page: pagescan.Page) -> Iterator[tuple[pagescan.Block, list[str]]]:
    """Text of each student handout, without answer keys and teacher notes."""
    for block in page.blocks:
        if block.name != "handout" or block.options.get("audience") not in _STUDENT_AUDIENCES:
            continue
        lines = [
            line.text
            for line in page.lines
            if block in line.stack and not any(inner.name in _TEACHER_BLOCKS for inner in line.stack)
        ]
        yield block, lines


def _reading_level(page: pagescan.Page, shown: str) -> Iterator[Problem]:
    if page.front is None:
        return
    ceiling = readability.CEILINGS.get(page.front.data.get("band"))
    if ceiling is None:
        return
    for block, lines in student_passages(page):
        text = readability.plain_text(lines)
        if readability.word_count(text) < readability.MIN_WORDS:
            continue
        level = readability.grade(text)
        if level > ceiling:
            yield Problem(
                shown,
                block.line,
                "RDL001",
                f"handout '{block.options.get('id', block.argument)}' reads at grade {level:.1f}, above the "
                f"{page.front.data['band']} ceiling of {ceiling:g}",
                "use shorter sentences and everyday words; end every list item with a full stop",
            )


def is_lesson(path: Path, root: Path) -> bool:
    """Pages in lessons/, except band overviews and files starting with '_'."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return relative.parts[:1] == ("lessons",) and path.stem != "index" and not path.name.startswith("_")


def check_page(path: Path, context: Context) -> tuple[list[Problem], pagescan.Page | None]:
    """Every rule on one page; also the scanned page, for the rules that compare pages."""
    shown = _display(path, context.root)
    text, problems = read_page(path, shown)
    if text is None:
        return problems, None
    page = context.scan(path, text)
    lesson = is_lesson(path, context.root)
    if lesson:
        front, front_problems = rules.check_front_matter(path, text, context.root, page.front)
        problems += front_problems
        if front is not None:
            problems += rules.check_blocks(path, text, front.data, context.root)
            problems += _sources_and_handouts(page, shown, context)
            problems += _reading_level(page, shown)
    if lesson:
        problems += _placeholders(page, shown)
    problems += _headings(page, shown)
    problems += _links(page, shown, path, context)
    problems += _raw_html(page, shown)
    problems += _hotlines(page, shown, context)
    problems += _language(page, shown, context)
    return problems, page


def _duplicate_handouts(pages: dict[Path, pagescan.Page], context: Context) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for path, page in pages.items():
        for block in page.blocks:
            handout_id = block.options.get("id") if block.name == "handout" else None
            if not handout_id:
                continue
            place = f"{_display(path, context.root)}:{block.line}"
            if handout_id in seen:
                yield Problem(
                    _display(path, context.root),
                    block.line,
                    "HND001",
                    f"duplicate handout id '{handout_id}' (also at {seen[handout_id]})",
                    "give each handout its own id",
                )
            else:
                seen[handout_id] = place


def content_paths(root: Path) -> list[Path]:
    """Where a book's pages live: what `curriculum check` checks when no path is named."""
    return [root / "lessons", root / "book", root / "index.md"]


def collect(paths: Iterable[Path], root: Path) -> list[Path]:
    """Markdown pages named, or found under the folders named (templates, starting with '_', left out)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                page
                for page in path.rglob("*.md")
                if not page.name.startswith("_")
                and not any(part.startswith((".", "_build")) for part in page.parts)
            )
        else:
            found.append(path)
    return found


def check_paths(paths: Iterable[Path], context: Context) -> list[Problem]:
    """Every rule on every page, plus the rules that compare pages (duplicate handout ids)."""
    files = collect(paths, context.root)
    problems: list[Problem] = []
    pages: dict[Path, pagescan.Page] = {}
    for path in files:
        found, page = check_page(path, context)
        problems += found
        if page is not None:
            pages[path] = page
    problems += _duplicate_handouts(pages, context)
    return sorted(problems, key=lambda p: (p.path, p.line, p.code))
