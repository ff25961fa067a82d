"""Merging PDFs keeps what a reader relies on: tags for screen readers, links, and the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from conftest import lines_by_height, tags_of, unembedded_fonts
from curriculum import pdfmerge

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>
<h1 id="top">{title}</h1><p>First page of {title}.</p>
<p style="break-before: page"><a href="#top">Back to {title}</a></p></body></html>"""


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two tagged two-page lessons with an internal link each, as WeasyPrint renders lessons."""
    folder = tmp_path_factory.mktemp("parts")
    paths = []
    for title in ("Lesson one", "Lesson two"):
        path = folder / f"{title}.pdf"
        HTML(string=PAGE.format(title=title)).write_pdf(path, pdf_variant="pdf/ua-1")
        paths.append(path)
    return paths


def tags_of_page(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Object]:
    page = pdf.pages[index].obj
    return list(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[int(page.StructParents)])


def test_a_merged_pdf_keeps_every_parts_tags_on_its_own_pages(parts, tmp_path):
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(path) for path in parts], target, {"/Title": "Book"}, number_from=0)
    with pikepdf.open(target) as pdf:
        assert pdf.Root.MarkInfo.Marked
        document = pdf.Root.StructTreeRoot.K
        assert document.S == "/Document"
        assert [kid.S for kid in document.K] == ["/Part", "/Part"]  # one Document, a Part per lesson
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        assert len(pdf.pages) == 4
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == 4  # the second lesson's keys moved past the first's
        for index, page in enumerate(pdf.pages):
            tags = tags_of_page(pdf, index)
            assert tags and all(tag.Pg.objgen == page.objgen for tag in tags)
        links = [link for page in pdf.pages for link in page.obj.get("/Annots", [])]
        assert len(links) == 2
        for link in links:  # each link is tagged, through its own key, by a Link tag that names it
            tag = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[int(link.StructParent)]
            assert tag.S == "/Link"
            named = [kid.Obj.objgen for kid in tag.K if isinstance(kid, pikepdf.Dictionary) and "/Obj" in kid]
            assert link.objgen in named
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(keys)
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == "Book" and xmp["pdfuaid:part"] == "1"


def test_a_part_without_tags_means_the_merge_claims_no_pdf_ua(parts, tmp_path):
    untagged = tmp_path / "untagged.pdf"
    HTML(string=PAGE.format(title="Cover")).write_pdf(untagged)
    target = tmp_path / "book.pdf"
    pdfmerge.merge(
        [pdfmerge.Part(untagged), *(pdfmerge.Part(path) for path in parts)], target, {"/Title": "Book"}
    )
    with pikepdf.open(target) as pdf:
        assert [kid.S for kid in pdf.Root.StructTreeRoot.K.K] == ["/Part", "/Part"]
        assert "/StructParents" not in pdf.pages[0].obj
        assert pdf.open_metadata().get("pdfuaid:part") is None


def test_the_same_parts_merge_to_the_same_bytes(parts, tmp_path):
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    for target in (first, second):
        pdfmerge.merge([pdfmerge.Part(path) for path in parts], target, {"/Title": "Book"}, number_from=0)
    assert first.read_bytes() == second.read_bytes()


def open_files() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files through /proc")
def test_merging_hundreds_of_pdfs_in_one_process_keeps_only_the_last_merges_files_open(parts, tmp_path):
    """A worker merges every lesson's PDF in turn: what one merge opened is closed by the next."""
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(path) for path in parts], target, {"/Title": "Book"})
    after_one = open_files()
    for _ in range(100):
        pdfmerge.merge([pdfmerge.Part(path) for path in parts], target, {"/Title": "Book"})
    assert open_files() == after_one
    with pikepdf.open(target) as pdf:  # and each merge was written whole before its files were closed
        assert len(pdf.pages) == 4


def test_page_numbers_are_drawn_in_an_embedded_font_that_reads_back_as_typed(parts, tmp_path):
    """PDF/UA asks for every font to be embedded, the page stamp's too; quotes and dashes stay as typed."""
    title = "\u201cHelp\u201d \u2014 a book for grades 6\u20138"  # curly quotes, em and en dash
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(path) for path in parts], target, {"/Title": title}, number_from=0)
    with pikepdf.open(target) as pdf:
        assert unembedded_fonts(pdf) == []
    last = PdfReader(target).pages[-1].extract_text()
    assert title in last and "Page 4 of 4" in last


def test_a_link_to_a_page_of_the_merged_pdf_leads_there(parts, tmp_path):
    contents = tmp_path / "contents.pdf"
    links = "".join(
        f'<p><a href="{pdfmerge.page_link(page)}">Lesson at page {page}</a></p>' for page in (2, 4)
    )
    HTML(string=f'<html lang="en"><title>Contents</title>{links}</html>').write_pdf(
        contents, pdf_variant="pdf/ua-1"
    )
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(path) for path in (contents, *parts)], target, {"/Title": "Book"})
    with pikepdf.open(target) as pdf:
        annotations = list(pdf.pages[0].obj.Annots)
        assert [annotation.A.S for annotation in annotations] == ["/GoTo", "/GoTo"]
        assert [annotation.A.D[0].objgen for annotation in annotations] == [
            pdf.pages[1].objgen,  # page 2: the first page of lesson one
            pdf.pages[3].objgen,  # page 4: the first page of lesson two
        ]
        assert str(annotations[0].Contents) == "Go to page 2"


def test_parts_of_one_group_share_one_bookmark_at_the_groups_first_page(parts, tmp_path):
    """The whole book opens as grade bands: each band one bookmark, its lessons' bookmarks under it."""
    target = tmp_path / "book.pdf"
    pdfmerge.merge(
        [
            pdfmerge.Part(parts[0], bookmark="Contents", keep_bookmarks=False),
            pdfmerge.Part(parts[0], group="Grades K-2"),
            pdfmerge.Part(parts[1], group="Grades K-2"),
            pdfmerge.Part(parts[1], group="Adults"),
        ],
        target,
        {"/Title": "Book"},
    )
    with pikepdf.open(target) as pdf, pdf.open_outline() as outline:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        top = outline.root
        assert [item.title for item in top] == ["Contents", "Grades K-2", "Adults"]
        assert [pages[item.destination[0].objgen] for item in top] == [0, 2, 6]
        assert [item.title for item in top[1].children] == ["Lesson one", "Lesson two"]
        assert [pages[item.destination[0].objgen] for item in top[1].children] == [2, 4]
        assert [item.title for item in top[2].children] == ["Lesson two"]
        assert top[1].is_closed and top[2].is_closed
    with pikepdf.open(target) as pdf:  # as a viewer reads it: a closed item counts its children negative
        first = pdf.Root.Outlines.First
        assert [int(first.Next.Count), int(first.Next.Next.Count)] == [-2, -1]


def test_a_handout_after_its_lesson_keeps_its_own_footer_and_its_bookmark_goes_under_the_lesson(
    parts, tmp_path
):
    """Handouts carry their own page footer: the merged PDF's page number goes at their top instead."""
    target = tmp_path / "lesson.pdf"
    pdfmerge.merge(
        [
            pdfmerge.Part(parts[0], group="Grades 6-8"),
            pdfmerge.Part(
                parts[1],
                bookmark="Handout: cards",
                keep_bookmarks=False,
                own_footer=True,
                nested=True,
                group="Grades 6-8",
            ),
        ],
        target,
        {"/Title": "Lesson one"},
        number_from=0,
    )
    reader = PdfReader(target)
    height = float(reader.pages[0].mediabox.top)
    for number, page in enumerate(reader.pages, start=1):
        label = f"Page {number} of 4"
        (stamp,) = [y for y, texts in lines_by_height(page).items() if label in (t.strip() for t in texts)]
        assert (stamp < 72) == (number <= 2), (number, stamp)  # the lesson's at the foot
        assert (stamp > height - 72) == (number > 2), (number, stamp)  # the handout's at the top
    for page in reader.pages[2:]:
        assert "Lesson two" in page.extract_text()
    with pikepdf.open(target) as pdf, pdf.open_outline() as outline:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        (band,) = outline.root
        (lesson,) = band.children
        assert lesson.title == "Lesson one" and [item.title for item in lesson.children] == ["Handout: cards"]
        assert pages[lesson.children[0].destination[0].objgen] == 2


def test_a_link_past_the_last_page_is_an_error(tmp_path):
    contents = tmp_path / "contents.pdf"
    HTML(string=f'<a href="{pdfmerge.page_link(9)}">Nowhere</a>').write_pdf(contents)
    with pytest.raises(ValueError, match="page 9 of a 1-page PDF"):
        pdfmerge.merge([pdfmerge.Part(contents)], tmp_path / "book.pdf", {"/Title": "Book"})


def test_custom_tag_names_keep_their_standard_meaning(parts, tmp_path):
    mapped = tmp_path / "mapped.pdf"
    with pikepdf.open(parts[0]) as pdf:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(Lesson=pikepdf.Name.Sect)
        pdf.save(mapped)
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(mapped), pdfmerge.Part(parts[1])], target, {"/Title": "Book"})
    with pikepdf.open(target) as pdf:
        assert pdf.Root.StructTreeRoot.RoleMap.Lesson == "/Sect"


TABLE = """<!DOCTYPE html><html lang="en"><head><title>Feelings</title></head><body>
<table><thead><tr><th>Feeling</th><th>What to do</th></tr></thead>
<tbody><tr><td>Uh-oh</td><td>Stop and tell</td></tr><tr><td>Scared</td><td>Tell a trusted adult</td></tr></tbody>
</table></body></html>"""


def cells_and_their_headers(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Object, list[pikepdf.Object]]]:
    """Each data cell's tag, with the header tags it names, found through the ID index."""
    index = dict(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).items())
    return [(tag, [index[str(header)] for header in tag.A.Headers]) for tag in tags_of(pdf) if tag.S == "/TD"]


@pytest.fixture(scope="module")
def table() -> bytes:
    """A tagged table of two columns, each headed, as WeasyPrint renders a lesson's tables."""
    return HTML(string=TABLE).write_pdf(pdf_variant="pdf/ua-1")


def test_table_header_ids_are_indexed_so_each_cell_finds_its_headers(table, tmp_path):
    with pikepdf.open(io.BytesIO(table)) as pdf:
        assert "/IDTree" not in pdf.Root.StructTreeRoot  # WeasyPrint leaves the index out
    target = tmp_path / "table.pdf"
    pdfmerge.with_id_index(table, target)
    with pikepdf.open(target) as pdf:
        cells = cells_and_their_headers(pdf)
        assert len(cells) == 4
        for cell, headers in cells:
            assert [header.S for header in headers] == ["/TH"]
            # The header is the one above the cell: the same column of the table.
            assert list(cell.P.K).index(cell) == list(headers[0].P.K).index(headers[0])


def test_a_merged_pdf_keeps_each_parts_table_headers_its_own(table, tmp_path):
    indexed = tmp_path / "table.pdf"
    pdfmerge.with_id_index(table, indexed)  # as the build renders every PDF with a table
    target = tmp_path / "book.pdf"
    pdfmerge.merge([pdfmerge.Part(indexed), pdfmerge.Part(indexed)], target, {"/Title": "Book"})
    with pikepdf.open(target) as pdf:
        index = dict(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).items())
        assert len(index) == 4  # two headers in each part, none lost to the other's same ID
        cells = cells_and_their_headers(pdf)
        assert len(cells) == 8
        parts = list(pdf.Root.StructTreeRoot.K.K)

        def part_of(tag: pikepdf.Object) -> int:
            while tag.P.objgen != pdf.Root.StructTreeRoot.K.objgen:
                tag = tag.P
            return [part.objgen for part in parts].index(tag.objgen)

        for cell, headers in cells:
            assert [part_of(header) for header in headers] == [part_of(cell)]
