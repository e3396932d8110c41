"""Reading what sits over a sheet's cells (objects.py): Excel tables, pivot tables, sparklines, array formulas.

Whatever the producer wrote — Strict OOXML namespaces, a prefix on every element, a sheet's
cell data read in chunks that cut its tags — each object is found once.
"""

from __future__ import annotations

import zipfile

import pytest


def test_objects_are_found_in_strict_prefixed_xml(tmp_path):
    # Strict OOXML namespaces, an "x:" prefix on every element, the table and a pivot table through their
    # relationships: what another producer may write is read all the same.
    from workbook_tool.objects import excel_tables, sheet_objects

    main = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    rels = "http://purl.oclc.org/ooxml/officeDocument/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                               '<Override PartName="/xl/tables/t1.xml" ContentType="application/vnd.openxmlformats-'
                               'officedocument.spreadsheetml.table+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="r1" Type="{rels}/officeDocument" '
                       'Target="xl/book.xml"/></Relationships>',
        "xl/book.xml": f'<x:workbook xmlns:x="{main}" xmlns:r="{rels}"><x:sheets><x:sheet name="Contacts" '
                       'sheetId="1" r:id="s1"/></x:sheets></x:workbook>',
        "xl/_rels/book.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="s1" Type="{rels}/worksheet" '
                                  'Target="/xl/sheets/one.xml"/></Relationships>',
        "xl/sheets/one.xml": (
            f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="5"><x:c r="A5"><x:f t="array" ref="A5:B6">'
            'UPPER(A2:B3)</x:f><x:v>A</x:v></x:c></x:row></x:sheetData><x:mergeCells count="1"><x:mergeCell '
            'ref="R1:S2"/></x:mergeCells><x:extLst><x:ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
            'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
            'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup><x14:sparklines>'
            "<x14:sparkline><xm:f>Numbers!A1:C1</xm:f><xm:sqref>T3</xm:sqref></x14:sparkline></x14:sparklines>"
            "</x14:sparklineGroup></x14:sparklineGroups></x:ext></x:extLst></x:worksheet>"),
        "xl/sheets/_rels/one.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="t" Type="{rels}/table" '
                                        'Target="../tables/t1.xml"/><Relationship Id="p" Type="{rels}/pivotTable" '
                                        'Target="../pivot/p1.xml"/><Relationship Id="h" Type="{rels}/hyperlink" '
                                        'Target="https://example.com/?a=1&amp;b=2" TargetMode="External"/>'
                                        "</Relationships>".replace("{rels}", rels),
        "xl/tables/t1.xml": f'<x:table xmlns:x="{main}" name="T" displayName="People" ref="A1:Q9" '
                            'totalsRowCount="1"/>',
        "xl/pivot/p1.xml": f'<x:pivotTableDefinition xmlns:x="{main}" name="Pivot"><x:location ref="Z1:AB8"/>'
                           "</x:pivotTableDefinition>",
    }
    path = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    found = {(o.kind, o.ref, o.name) for o in sheet_objects(path, ["Contacts"])["Contacts"].items}
    assert found == {("table", "A1:Q9", "People"), ("pivot table", "Z1:AB8", "Pivot"),
                     ("array formula", "A5:B6", ""), ("merged cells", "R1:S2", ""), ("sparkline", "T3", "")}
    (table,) = [t for t in excel_tables(path, ["Contacts"])["Contacts"] if t.kind == "table"]
    assert table.data_end == 8 and table.describe() == 'your table "People" (A1:Q9)'


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _one_sheet_workbook(path, sheet: str, sheet_rels: str | None = None, content_types: bool = False):
    """A minimal .xlsx at ``path`` whose one sheet, Contacts, is the XML ``sheet`` (with its relationships)."""
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="r1" Type="{_RELS}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets><sheet name="Contacts" sheetId="1" '
                           'r:id="s1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="s1" Type="{_RELS}/worksheet" '
                                      'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    if content_types:
        parts["[Content_Types].xml"] = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                        '<Default Extension="xml" ContentType="application/xml"/></Types>')
    if sheet_rels is not None:
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = sheet_rels
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


@pytest.mark.parametrize("chunk", [None, 1009], ids=["megabyte", "small"])
def test_array_formulas_found_across_the_chunks_a_sheet_is_read_in(tmp_path, monkeypatch, chunk):
    # 3,000 array formulas in 3.4 MB of cell data, read a megabyte (or 1,009 bytes) at a time: none is missed or
    # counted twice, whichever tag the chunks cut.
    from workbook_tool import objects
    from workbook_tool.objects import sheet_objects

    if chunk:
        monkeypatch.setattr(objects, "READ_CHUNK", chunk)

    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"x" * (1000 + r % 7)}</t></is></c>'
                   f'<c r="B{r}"><f t="array" ref="B{r}:C{r}">A{r}</f><v>1</v></c></row>' for r in range(1, 3001))
    sheet = (f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData><mergeCells count="1">'
             '<mergeCell ref="D1:E1"/></mergeCells></worksheet>')
    assert len(sheet) > 3 * 2**20
    path = _one_sheet_workbook(tmp_path / "big.xlsx", sheet)
    found = sheet_objects(path, ["Contacts"])["Contacts"].items
    assert sorted(o.bounds for o in found if o.kind == "array formula") == [(2, r, 3, r) for r in range(1, 3001)]
    assert [o.ref for o in found if o.kind == "merged cells"] == ["D1:E1"]


@pytest.mark.parametrize("chunk", [None, 1009, 97], ids=["default", "small", "tiny"])
def test_objects_from_the_parts_the_reader_split_are_the_ones_read_apart(tmp_path, monkeypatch, chunk):
    # validate reads the sheets (grids.Sheets with frames) and lets the guard's pass over each sheet part split
    # it for sheet_objects, instead of inflating it a second time: whatever pieces the guard reads it in, the
    # objects and links found are the ones sheet_objects finds reading the part itself.
    from workbook_tool import grids
    from workbook_tool.grids import Sheets
    from workbook_tool.objects import sheet_objects

    if chunk:
        monkeypatch.setattr(grids, "SCAN_CHUNK", chunk)
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"x" * (10 + r % 7)} sheetData</t></is></c>'
                   f'<c r="B{r}"><f t="array" ref="B{r}:C{r}">A{r}</f><v>1</v></c></row>' for r in range(1, 301))
    sheet = (f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><dimension ref="A1:C300"/><sheetData>{rows}</sheetData>'
             '<mergeCells count="1"><mergeCell ref="D1:E1"/></mergeCells><hyperlinks><hyperlink ref="A2" '
             'r:id="h1"/></hyperlinks></worksheet>')
    links = (f'<Relationships xmlns="{_PKG}"><Relationship Id="h1" Type="{_RELS}/hyperlink" Target="mailto:a@b.org" '
             'TargetMode="External"/></Relationships>')
    path = _one_sheet_workbook(tmp_path / "split.xlsx", sheet, links, content_types=True)
    with Sheets(path, frames=True) as book:
        assert len(book.grid("Contacts")) == 300
        frames = book.frames
    assert list(frames) == ["xl/worksheets/sheet1.xml"]
    theirs, ours = sheet_objects(path, ["Contacts"]), sheet_objects(path, ["Contacts"], frames)
    assert ours == theirs
    found = ours["Contacts"]
    assert sorted(o.bounds for o in found.items if o.kind == "array formula") == [(2, r, 3, r) for r in range(1, 301)]
    assert [o.ref for o in found.items if o.kind == "merged cells"] == ["D1:E1"] and found.links == {"A2": "mailto:a@b.org"}
