"""Merge, number and re-box PDFs: band books, the whole book, a lesson with its handouts, A4 copies.

qpdf, through pikepdf, does this in C++. pypdf took 4 s to merge the whole
book's lesson PDFs, most of it spent parsing each lesson's tag tree; qpdf
takes a tenth of that, which is what lets an edit to one lesson re-merge its
band book and the whole book in about a second.

A merged PDF keeps every part's bookmarks (moved under the merged page
numbers) and its internal links: each part's named destinations are renamed
with the part's number, so two lessons that both have a "warm-up" anchor
still link to their own. It also keeps their tags: each part's tag tree
becomes a Part of one Document, so a merged book is as readable by a screen
reader as the lesson PDFs it is made of.

Every rendered PDF with a table gets the index of its tags' IDs
(``IDTree``, see :func:`index_ids`), which the PDF standard requires
whenever a tag has an ID: WeasyPrint gives each table header cell an ID and
each data cell the IDs of its headers, but writes no index, and a screen
reader finds a cell's headers through it. Numbering and merging keep it.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import warnings
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from curriculum.files import write_if_changed

#: A link to this address plus a page number (counted from 1) leads, once merged, to that page of
#: the merged PDF: the contents page is rendered before the book exists, so it cannot link there.
PAGE_LINK_SCHEME = "merged-page:"
#: Left and bottom position of the page stamp, in points (the print design's footer margin).
_STAMP_X, _STAMP_Y, _STAMP_SIZE = 54, 30, 8.5
#: Its baseline from the top edge on a page with a footer of its own (a handout): inside every
#: handout's top margin (the wallet cards' is the narrowest, 32 pt), and a quarter inch of white
#: above the capitals, where printers print.
_STAMP_TOP = 26
#: The stamp's typeface: the print design's, as fontconfig finds it for WeasyPrint too.
STAMP_FAMILY = "DejaVu Sans"
#: The stamp's text is written in Windows-1252 (the WinAnsi encoding): curly quotes and dashes too.
_STAMP_ENCODING = "cp1252"
#: Characters every stamp's font subset holds (see ``_stamp_font``).
_STAMP_CHARACTERS = "".join(map(chr, range(32, 127))) + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7"


@dataclass(frozen=True)
class Part:
    """One document to merge: a file, rendered bytes or an open PDF, and how it shows in the bookmarks."""

    #: An open PDF stays open (its opener closes it); a function gives the PDF when the merge
    #: reaches the part (one still being made when the merge starts), and the merge closes it.
    source: Path | bytes | pikepdf.Pdf | Callable[[], pikepdf.Pdf]
    bookmark: str | None = None  # one bookmark with this title at the part's first page
    keep_bookmarks: bool = True  # the part's own bookmarks, moved to their merged pages
    #: Parts in a row with the same group have their bookmarks under one bookmark of that title (a
    #: whole book's grade band), at the group's first page, so a reader opens one band at a time.
    group: str | None = None
    #: It has a footer of its own (a handout): the merged PDF's page stamp goes in its top margin.
    own_footer: bool = False
    #: Its bookmark goes under the last bookmark before it (a lesson's handout, under the lesson).
    nested: bool = False


def _pdf_text(text: str) -> bytes:
    """Text for a PDF string in the stamp's font (WinAnsi; a character outside it becomes "?")."""
    safe = text.encode(_STAMP_ENCODING, "replace")
    return safe.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@cache
def _stamp_font_program() -> bytes:
    """The stamp typeface's font file, where fontconfig (which WeasyPrint's Pango uses) finds it."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", STAMP_FAMILY], capture_output=True, text=True, check=True
    )
    if not found.stdout:
        raise FileNotFoundError(
            f"fontconfig (fc-match) finds no font for {STAMP_FAMILY}, the page numbers' font"
        )
    return Path(found.stdout).read_bytes()


@cache
def _stamp_font_parts(characters: str) -> tuple[bytes, list[int], dict[str, Any]]:
    """A TrueType subset holding ``characters``, their widths (WinAnsi codes 32..255) and its metrics.

    PDF/UA asks for every font a page draws with to be embedded, page numbers
    included; a subset of the characters stamps use (see ``_stamp_font``) is about 10 KB.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_stamp_font_program()), lazy=True, recalcTimestamp=False)
    if "glyf" not in font:
        raise ValueError(f"the page-number font ({STAMP_FAMILY}, found by fontconfig) is not a TrueType font")
    scale = 1000 / font["head"].unitsPerEm
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    widths = []
    for code in range(32, 256):
        character = bytes([code]).decode(_STAMP_ENCODING, "replace")
        glyph = cmap.get(ord(character)) if character in characters else None
        widths.append(round(metrics[glyph][0] * scale) if glyph else 0)
    options = subset.Options(hinting=False, notdef_outline=True, layout_features=[])
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    program = io.BytesIO()
    font.save(program)
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    box = [round(value * scale) for value in (head.xMin, head.yMin, head.xMax, head.yMax)]
    return (
        program.getvalue(),
        widths,
        {
            "ascent": round(hhea.ascent * scale),
            "descent": round(hhea.descent * scale),
            "cap": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
            "box": box,
        },
    )


def _stamp_font(pdf: pikepdf.Pdf, text: str) -> tuple[pikepdf.Object, list[int]]:
    """An embedded subset of the stamp's typeface holding ``text``, and its widths by WinAnsi code from 32.

    The subset holds every printable ASCII character and the usual typographic
    ones too, so that most titles share one subset, made once per process
    (making one costs 40 ms, and a build stamps about fifty PDFs).
    """
    text += _STAMP_CHARACTERS
    characters = "".join(sorted(set(text.encode(_STAMP_ENCODING, "replace").decode(_STAMP_ENCODING))))
    program, widths, metrics = _stamp_font_parts(characters)
    # A subset's name starts with a tag of six capitals, the same for the same characters.
    digest = hashlib.sha256(characters.encode()).digest()
    name = "".join(chr(65 + byte % 26) for byte in digest[:6]) + "+" + STAMP_FAMILY.replace(" ", "")
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/" + name),
        Flags=32,  # non-symbolic: its characters are WinAnsi's
        FontBBox=Array(metrics["box"]),
        ItalicAngle=0,
        Ascent=metrics["ascent"],
        Descent=metrics["descent"],
        CapHeight=metrics["cap"],
        StemV=80,
        FontFile2=pikepdf.Stream(pdf, program, Length1=len(program)),
    )
    font = Dictionary(
        Type=Name.Font,
        Subtype=Name.TrueType,
        BaseFont=Name("/" + name),
        FirstChar=32,
        LastChar=255,
        Widths=Array(widths),
        FontDescriptor=pdf.make_indirect(descriptor),
        Encoding=Name.WinAnsiEncoding,
    )
    return pdf.make_indirect(font), widths


def stamp_pages(pdf: pikepdf.Pdf, title: str, first: int = 0, at_top: Container[int] = ()) -> None:
    """Write "title" and "Page n of N" in the bottom margin of each page from ``first`` on.

    Pages whose index is in ``at_top`` (handouts, which carry their own footer
    in the same place) have it in their top margin instead: every page of a
    book has its number, which its contents page lists.

    The stamp is two lines of text in the print design's typeface, embedded
    (a subset of the characters it uses), added after the page's own drawing
    (wrapped in q/Q so the page's transforms do not apply to it), marked as a
    pagination artifact so a tagged lesson PDF stays valid for screen
    readers: numbering a merged book this way costs milliseconds.
    """
    pages = list(pdf.pages)  # indexing pikepdf's page list walks it every time
    total = len(pages)
    font, widths = _stamp_font(pdf, f"{title}Page of 0123456789")
    for index, page in enumerate(pages[first:], start=first):
        x0, _, x1, y1 = (float(value) for value in page.mediabox)
        y = y1 - _STAMP_TOP if index in at_top else _STAMP_Y
        label = f"Page {index + 1} of {total}"
        width = sum(widths[code - 32] for code in _pdf_text(label)) * _STAMP_SIZE / 1000
        name = page.add_resource(font, Name.Font, name=Name.CurriculumStamp)  # a fixed name: same bytes
        stamp = (
            b"Q\n/Artifact <</Type /Pagination>> BDC "
            + b" ".join(
                [
                    b"BT %s %.1f Tf %.1f %.1f Td (%s) Tj ET"
                    % (bytes(name.unparse()), _STAMP_SIZE, x0 + _STAMP_X, y, _pdf_text(title)),
                    b"BT %s %.1f Tf %.1f %.1f Td (%s) Tj ET"
                    % (bytes(name.unparse()), _STAMP_SIZE, x1 - _STAMP_X - width, y, _pdf_text(label)),
                ]
            )
            + b" EMC"
        )
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, stamp))


def page_link(page: int) -> str:
    """The address for a link to page ``page`` (from 1) of the merged PDF (see :func:`merge`)."""
    return f"{PAGE_LINK_SCHEME}{page}"


def with_id_index(source: bytes, target: Path) -> None:
    """Save a rendered PDF with the index of its tags' IDs (see :func:`index_ids`)."""
    with _open(source) as pdf:
        index_ids(pdf)
        _save(pdf, target)


def index_ids(pdf: pikepdf.Pdf) -> None:
    """Give the tag tree the index of its IDs (``IDTree``), which the standard requires when any tag has one.

    Table header cells have IDs, and data cells name their headers by those
    IDs: through the index a screen reader reads a cell with its headers.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/IDTree" in root:
        return
    identified = [
        (str(item.ID), item)  # tags are found among the objects: faster than walking the tree
        for item in pdf.objects
        if isinstance(item, Dictionary) and "/S" in item and isinstance(item.get("/ID"), String)
    ]
    if identified:
        root.IDTree = _name_tree(pdf, identified)


def _headers(tag: Dictionary) -> Iterator[Array]:
    """The lists of header IDs in a tag's attributes (a table data cell's)."""
    attributes = tag.get("/A")
    for attribute in attributes if isinstance(attributes, Array) else [attributes]:
        if isinstance(attribute, Dictionary) and isinstance(attribute.get("/Headers"), Array):
            yield attribute.Headers


def _name_tree(pdf: pikepdf.Pdf, entries: list[tuple[str, pikepdf.Object]]) -> pikepdf.Object:
    """A flat name tree, keys in the byte order the standard asks for, made in one call."""
    pairs = sorted(entries, key=lambda entry: entry[0].encode("utf-8"))
    return pdf.make_indirect(
        Dictionary(Names=Array([item for key, tag in pairs for item in (String(key), tag)]))
    )


def on_paper(source: bytes, size: tuple[float, float], target: Path) -> None:
    """The same pages centred on a bigger paper (``size`` in points): one layout, printed on Letter and A4.

    Only the page boxes change; the drawing, tags, links and bookmarks stay as
    they are. A handout laid out once on the area both papers hold becomes its
    Letter and its A4 PDF this way in milliseconds, where a second WeasyPrint
    layout cost as much as the first.
    """
    width, height = size
    with _open(source) as pdf:
        index_ids(pdf)
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(value) for value in page.mediabox)
            left, bottom = x0 - (width - (x1 - x0)) / 2, y0 - (height - (y1 - y0)) / 2
            box = Array([left, bottom, left + width, bottom + height])
            page.obj.MediaBox = box
            for name in ("/CropBox", "/BleedBox", "/TrimBox"):
                if name in page.obj:
                    page.obj[name] = box
        _save(pdf, target)


def page_count(source: Path | bytes) -> int:
    """Number of pages of a PDF file or of rendered bytes."""
    with _open(source) as pdf:
        return len(pdf.pages)


#: PDFs that merges have finished with, closed when the next merge starts (see :func:`close_later`).
_finished: list[pikepdf.Pdf] = []


def close_later(pdfs: Iterable[pikepdf.Pdf]) -> None:
    """Close these PDFs when the next merge in this process starts, not now.

    Closing frees qpdf's copy of every object: a sixth of a second for the
    whole book, which a build would spend waiting for its worker to hand back
    a book already written. A worker's last merge leaves them to the end of
    its process, which gives all its memory back at once; in a process that
    merges without workers (one core), they stay open until its next merge.
    """
    _finished.extend(pdfs)


def _close_finished() -> None:
    while _finished:
        _finished.pop().close()


def merge(parts: Iterable[Part], target: Path, info: dict[str, str], number_from: int | None = None) -> None:
    """Write the parts as one PDF with their bookmarks and links, and ``info`` as its metadata.

    With ``number_from``, pages from that index on are stamped with the title
    (``info["/Title"]``) and "Page n of N", at the top of the pages of parts with their ``own_footer``.
    A part's links to :func:`page_link` addresses lead to those pages of the
    merged PDF (a book's contents page).
    """
    _close_finished()
    merged = pikepdf.new()
    opened: list[pikepdf.Pdf] = []  # qpdf copies stream data from them when saving
    tags = _TagTree(merged)
    page_links: list[pikepdf.Object] = []
    # Indexing or slicing pikepdf's page list walks the whole list: a 5,000-page book
    # took seconds. A Python list of the merged pages, taken once per part, does not.
    merged_pages: list[pikepdf.Page] = []
    bookmarks: list[OutlineItem] = []
    group: OutlineItem | None = None
    at_top: set[int] = set()
    dests: dict[str, Array] = {}
    try:
        for index, part in enumerate(parts):
            if isinstance(part.source, pikepdf.Pdf):
                source = part.source
            else:
                source = part.source() if callable(part.source) else _open(part.source)
                opened.append(source)
            offset = len(merged_pages)
            source_pages = list(source.pages)
            with warnings.catch_warnings():
                # The warning is about named destinations, which this function carries itself.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                merged.pages.extend(source_pages)
            merged_pages = list(merged.pages)
            copied = merged_pages[offset:]
            if part.own_footer:
                at_top.update(range(offset, len(merged_pages)))
            pages = {page.objgen: copy.obj for page, copy in zip(source_pages, copied, strict=True)}
            prefix = f"part{index}-"
            tags.add(source, copied, prefix)
            named = dict(_named_dests(source))
            for name, dest in named.items():
                moved = _move(dest, pages)
                if moved is not None:
                    dests[prefix + name] = moved
            for page in copied:
                _retarget_links(page, prefix, page_links)
            if part.group is None:
                group = None
            elif group is None or group.title != part.group:
                group = OutlineItem(part.group, offset)
                group.is_closed = True  # a viewer lists the bands, and opens the one clicked
                bookmarks.append(group)
            level = bookmarks if group is None else group.children
            if part.nested and level:
                level = level[-1].children
            if part.bookmark and copied:
                level.append(OutlineItem(part.bookmark, offset))
            if "/Lang" in source.Root and "/Lang" not in merged.Root:
                merged.Root.Lang = source.Root.Lang  # the language of the first part that says
            if part.keep_bookmarks:
                with source.open_outline() as outline:
                    copies = (_copy(item, pages, named) for item in outline.root)
                    level += [item for item in copies if item]
        _link_pages(merged_pages, page_links)
        if dests:
            tree = pikepdf.NameTree.new(merged)
            for name in sorted(dests):
                tree[name] = dests[name]
            merged.Root.Names = merged.make_indirect(Dictionary(Dests=tree.obj))
        with merged.open_outline() as outline:
            outline.root.extend(bookmarks)
        tags.finish()
        # Viewers show the title, not the file name, and open with the bookmarks.
        merged.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        merged.Root.PageMode = Name.UseOutlines
        if number_from is not None:
            stamp_pages(merged, info.get("/Title", ""), first=number_from, at_top=at_top)
        merged.docinfo = merged.make_indirect(Dictionary({key: String(value) for key, value in info.items()}))
        with merged.open_metadata(set_pikepdf_as_editor=False) as xmp:  # PDF/UA reads the title from here
            xmp.load_from_docinfo(merged.docinfo)
            if tags.universal:
                xmp["pdfuaid:part"] = "1"
        _save(merged, target)
    finally:
        close_later([*opened, merged])


class _TagTree:
    """The merged PDF's tag tree: one Document element whose children are the parts' tag trees.

    A tagged PDF links its marked content to its tags through numbers: each page
    has a ``/StructParents`` key (and each link annotation a ``/StructParent``
    key) into the parent tree, which lists the tags of that page's content.
    Every part numbers from 0, so each part's keys move up past the keys of the
    parts before it. The tags themselves are copied with the same qpdf object
    copier that copied the pages, so their page and annotation references land
    on the merged pages. A part without tags (WeasyPrint renders every part
    tagged) adds its pages untagged. Tag IDs (WeasyPrint's table headers) are
    only unique within a part, so they take the part's prefix, as its link
    targets do, and the merged tree indexes them all.
    """

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
        self.parents: dict[int, pikepdf.Object] = {}
        self.maps: dict[str, dict[str, pikepdf.Object]] = {"/RoleMap": {}, "/ClassMap": {}}
        self.next_key = 0
        self.identified: list[tuple[str, pikepdf.Object]] = []
        self.universal = True  # every part claims PDF/UA-1, so the merged PDF can too

    def add(self, source: pikepdf.Pdf, pages: list[pikepdf.Page], prefix: str) -> None:
        """Graft the tags of ``source``, whose pages were just copied as ``pages``; ``prefix`` its IDs."""
        root = source.Root.get("/StructTreeRoot")
        self.universal &= root is not None and source.open_metadata().get("pdfuaid:part") == "1"
        if root is None:
            return
        if not root.is_indirect:
            root = source.make_indirect(root)
        copy = self.pdf.copy_foreign(root)  # never written itself: nothing will point to it
        if "/IDTree" in copy:
            self._rename_ids(copy.IDTree, prefix)
        offset = self.next_key
        numbered = list(pikepdf.NumberTree(copy.ParentTree).items()) if "/ParentTree" in copy else []
        for key, value in numbered:
            self.parents[key + offset] = value
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        used = max([int(copy.get("/ParentTreeNextKey", 0)), *(key + 1 for key, _ in numbered)])
        self.next_key = offset + used
        for name, entries in self.maps.items():  # custom tag names and attribute classes, if any
            entries.update(copy.get(name, {}).items())
        kids = copy.get("/K", Array())
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, Dictionary):
                kid.P = self.document
                if kid.get("/S") == Name.Document:
                    kid.S = Name.Part  # one Document per PDF: a part's own becomes a Part of it
            self.document.K.append(kid)

    def _rename_ids(self, index: pikepdf.Object, prefix: str) -> None:
        """Prefix a copied part's tag IDs, and the header IDs its table cells name, with the part's prefix.

        A part's IDs are found through its index (which every PDF rendered here
        has, see :func:`index_ids`); only the tables holding them are walked.
        """
        tables = {}
        for _, header in pikepdf.NameTree(index).items():
            table = header
            while table.get("/S") != Name.Table and isinstance(table.get("/P"), Dictionary):
                table = table.P
            tables[table.objgen] = table
        pending: list[pikepdf.Object] = list(tables.values())
        while pending:
            tag = pending.pop()
            if isinstance(tag, Array):
                pending += list(tag)
            elif isinstance(tag, Dictionary) and "/S" in tag:
                if isinstance(tag.get("/ID"), String):
                    tag.ID = String(prefix + str(tag.ID))
                    self.identified.append((str(tag.ID), tag))
                for headers in _headers(tag):
                    for position, header in enumerate(list(headers)):
                        headers[position] = String(prefix + str(header))
                pending.append(tag.get("/K"))

    def finish(self) -> None:
        """Set the merged tag tree in the catalog, if any part was tagged."""
        if not len(self.document.K):
            return
        # One flat number tree, as WeasyPrint writes it: built in one call, where inserting
        # key by key cost a second for a 300-lesson book.
        pairs = [item for key in sorted(self.parents) for item in (key, self.parents[key])]
        parents = self.pdf.make_indirect(Dictionary(Nums=Array(pairs)))
        root = Dictionary(
            Type=Name.StructTreeRoot, K=self.document, ParentTree=parents, ParentTreeNextKey=self.next_key
        )
        for name, entries in self.maps.items():
            if entries:
                root[name] = Dictionary(entries)
        if self.identified:
            root.IDTree = _name_tree(self.pdf, self.identified)
        self.pdf.Root.StructTreeRoot = self.document.P = self.pdf.make_indirect(root)
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)


def _open(source: Path | bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)


def _save(pdf: pikepdf.Pdf, target: Path) -> None:
    """Save so that the same input gives the same bytes (a stable document id, no timestamps).

    A file that would come out the same is left as it is: a rebuild changes
    only the files whose content changed.
    """
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    write_if_changed(target, buffer.getvalue())


def _named_dests(pdf: pikepdf.Pdf) -> Iterable[tuple[str, pikepdf.Object]]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return ((str(name), dest) for name, dest in pikepdf.NameTree(names.Dests).items())


def _move(dest: pikepdf.Object, pages: dict[tuple[int, int], pikepdf.Object]) -> Array | None:
    """An explicit destination ``[page /XYZ left top zoom]``, pointed at the merged page."""
    if isinstance(dest, Dictionary) and "/D" in dest:
        dest = dest.D
    if not isinstance(dest, Array) or len(dest) == 0 or dest[0].objgen not in pages:
        return None
    return Array([pages[dest[0].objgen], *list(dest)[1:]])


def _retarget_links(page: pikepdf.Page, prefix: str, page_links: list[pikepdf.Object]) -> None:
    """Rename the part's named link targets with its prefix; collect links made with :func:`page_link`."""
    for annotation in page.obj.get("/Annots", []):
        if isinstance(annotation.get("/Dest"), String):
            annotation.Dest = String(prefix + str(annotation.Dest))
        action = annotation.get("/A")
        if action is None:
            continue
        if action.get("/S") == Name.GoTo and isinstance(action.get("/D"), String):
            action.D = String(prefix + str(action.D))
        elif action.get("/S") == Name.URI and str(action.URI).startswith(PAGE_LINK_SCHEME):
            page_links.append(annotation)


def _link_pages(pages: list[pikepdf.Page], page_links: list[pikepdf.Object]) -> None:
    """Point each link made with :func:`page_link` at its page of the merged PDF, as a bookmark would."""
    for annotation in page_links:
        target = int(str(annotation.A.URI).removeprefix(PAGE_LINK_SCHEME))
        if not 1 <= target <= len(pages):
            raise ValueError(f"a link leads to page {target} of a {len(pages)}-page PDF")
        annotation.A = Dictionary(S=Name.GoTo, D=Array([pages[target - 1].obj, Name.Fit]))
        annotation.Contents = String(f"Go to page {target}")  # what a screen reader says for the link


def _copy(
    item: OutlineItem, pages: dict[tuple[int, int], pikepdf.Object], named: dict[str, pikepdf.Object]
) -> OutlineItem | None:
    """A part's bookmark (with its children) pointing at the merged pages; None if it points nowhere."""
    target = item.destination
    if target is None and item.action is not None and "/D" in item.action:
        target = item.action.D
    if isinstance(target, (String, Name)):
        target = named.get(str(target).lstrip("/"))
    dest = _move(target, pages) if target is not None else None
    if dest is None:
        return None
    copy = OutlineItem(item.title, dest)
    copy.is_closed = item.is_closed
    copy.children.extend(child for child in (_copy(child, pages, named) for child in item.children) if child)
    return copy
