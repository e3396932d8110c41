"""sync's usual writer (``xlsxpatch``): only changed rows and parts are rewritten.

What a person would check: every part and every row sync has no business with
is the same bytes afterwards; formulas keep their last results; files in shapes
the writer does not edit still sync correctly (through openpyxl); and the
Dashboard chart it stores is the one openpyxl would make.
"""

from __future__ import annotations

import re
import zipfile
from importlib.resources import files

import pytest
from conftest import run
from openpyxl import load_workbook
from sync_fixtures import TODAY_ARG, sample_chart, tool_values

from workbook_tool import xlsxpatch
from workbook_tool.workbook import read_grids


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rows_of(xml: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.S)}


def test_parts_sync_does_not_change_are_copied_byte_for_byte(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    before = parts(path)
    assert sync(path).exit_code == 0
    after = parts(path)
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    # The sheets that get tool columns, their notes, links and filters, the styles, and the
    # lists of sheets and parts: nothing else.
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/comments/comment1.xml",
                       "xl/comments/comment2.xml", "xl/drawings/commentsDrawing1.vml",
                       "xl/drawings/commentsDrawing2.vml", "xl/worksheets/_rels/sheet1.xml.rels",
                       "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert "xl/worksheets/sheet3.xml" not in changed  # Profile
    assert before["xl/theme/theme1.xml"] == after["xl/theme/theme1.xml"]


def test_rows_sync_does_not_touch_are_the_same_bytes(tmp_path):
    # A resync where one person's stage moves on rewrites that row only.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    ws = wb["Contacts"]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Carlos Diaz")
    ws.cell(row, headers.index("Meeting On") + 1).value = "2026-11-20"
    wb.save(path)
    before = rows_of(parts(path)["xl/worksheets/sheet1.xml"])
    assert sync(path).exit_code == 0
    after = rows_of(parts(path)["xl/worksheets/sheet1.xml"])
    assert tool_values(path)["Carlos Diaz"]["Stage"].startswith("Met")
    differing = {r for r in before if before[r] != after.get(r)}
    assert differing == {row}


def test_formulas_keep_their_last_results(tmp_path):
    # openpyxl drops cached results, so a formula read blank until Excel recalculated;
    # the patch writer leaves the cells it does not write alone.
    path = sample_chart(tmp_path / "chart.xlsx")
    data = parts(path)
    sheet = data["xl/worksheets/sheet1.xml"]
    formula = b'<c r="R2"><f>LEN(A2)</f><v>7</v></c>'
    sheet = re.sub(rb'(<row r="2"[^>]*>.*?)(</row>)', lambda m: m.group(1) + formula + m.group(2), sheet, count=1,
                   flags=re.S)
    data["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    assert read_grids(path)["Contacts"][1][17] == 7
    assert sync(path).exit_code == 0
    assert b"<f>LEN(A2)</f><v>7</v>" in parts(path)["xl/worksheets/sheet1.xml"]
    assert read_grids(path)["Contacts"][1][17] == 7


def _rewrite_sheet(path, fn) -> None:
    data = parts(path)
    data["xl/worksheets/sheet1.xml"] = fn(data["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)


def _prefixed(xml: bytes) -> bytes:
    # The same sheet with the main namespace under a prefix, as some generators write it.
    xml = xml.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    xml = re.sub(rb"<(/?)(?!x:|\?)([A-Za-z]+)", rb"<\1x:\2", xml)
    return xml


@pytest.mark.parametrize("shape,fallback", [
    ("prefixed namespace", False),
    ("an XML comment among the cells", True),
    ("rows without numbers", True),
])
def test_unusual_sheet_xml_still_syncs(tmp_path, monkeypatch, shape, fallback):
    path = sample_chart(tmp_path / "chart.xlsx")
    if shape == "prefixed namespace":
        _rewrite_sheet(path, _prefixed)
    elif shape == "an XML comment among the cells":
        _rewrite_sheet(path, lambda xml: xml.replace(b"<sheetData>", b"<sheetData><!-- made by hand -->", 1))
    else:
        _rewrite_sheet(path, lambda xml: re.sub(rb'(<row) r="\d+"', rb"\1", xml))
    expected = tool_values(sample_chart(tmp_path / "plain.xlsx"))
    assert sync(tmp_path / "plain.xlsx").exit_code == 0
    expected = tool_values(tmp_path / "plain.xlsx")

    used = []
    real = xlsxpatch.write_plan

    def spy(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except xlsxpatch.Unsupported:
            used.append("openpyxl")
            raise

    monkeypatch.setattr(xlsxpatch, "write_plan", spy)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert (used == ["openpyxl"]) is fallback
    assert tool_values(path) == expected


def test_stored_dashboard_chart_is_the_one_openpyxl_makes():
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.xml.functions import tostring

    from workbook_tool.dashboard import SHEET, pipeline_chart

    chart, anchor = pipeline_chart(SHEET)
    chart._id = 1
    chart.anchor = anchor
    drawing = SpreadsheetDrawing()
    drawing.charts.append(chart)
    stored = files("workbook_tool") / "parts"
    assert (stored / "dashboard-chart.xml").read_bytes() == tostring(chart._write())
    assert (stored / "dashboard-drawing.xml").read_bytes() == tostring(drawing._write())


def test_dashboard_chart_is_there_after_the_first_sync_and_kept_after(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    ws = load_workbook(path)["Dashboard"]
    assert len(ws._charts) == 1
    chart_xml = parts(path)["xl/charts/chart1.xml"]
    assert b"'Dashboard'!$B$4:$B$12" in chart_xml and b"'Dashboard'!$A$4:$A$12" in chart_xml
    # A later day: the numbers are rewritten, the chart is the same part.
    assert run("sync", path, "--today", "2026-12-20").exit_code == 0
    assert parts(path)["xl/charts/chart1.xml"] == chart_xml
    assert len(load_workbook(path)["Dashboard"]._charts) == 1


def test_excels_calculation_chain_is_left_for_excel_to_rebuild(tmp_path):
    # A chain naming a cell that no longer holds a formula makes Excel "repair" the file.
    path = sample_chart(tmp_path / "chart.xlsx")
    data = parts(path)
    data["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                b'<c r="R2" i="1"/></calcChain>')
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    assert sync(path).exit_code == 0
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert tool_values(path)["Ann Lee"]["Stage"] == "Thanked"


def test_read_back_row_by_row_gives_the_same_rows_as_reading_whole_sheets(tmp_path):
    # The check after a write reads one row at a time (calamine's iter_rows, which leaves
    # out empty columns at the left); it must see exactly what read_grids sees.
    from openpyxl import Workbook

    from workbook_tool.workbook import Sheets

    wb = Workbook()
    ws = wb.active
    ws.title = "Offset"
    ws["C3"], ws["E5"], ws["D4"] = "x", 5, 2.5
    wb.create_sheet("Empty")
    a1 = wb.create_sheet("From A1")
    a1["A1"], a1["B2"] = "h", True
    styled = wb.create_sheet("Styled blanks")
    styled["B2"].number_format = "0.00"
    styled["D7"] = "z"
    path = tmp_path / "shapes.xlsx"
    wb.save(path)
    sample = sample_chart(tmp_path / "chart.xlsx")
    for workbook in (path, sample):
        with Sheets(workbook) as book:
            for name, grid in read_grids(workbook).items():
                assert list(book.rows(name)) == grid, name


def test_repeated_syncs_do_not_grow_the_styles(tmp_path):
    # Each sync that writes a Draft link or a date asks for the same formats: found, not added again.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    styles = parts(path)["xl/styles.xml"]
    for day in ("2026-12-01", "2026-12-15", "2027-01-05"):
        assert run("sync", path, "--today", day).exit_code == 0
    after = parts(path)["xl/styles.xml"]
    for tag in (b"<font>", b"<fill>", b"<xf "):
        assert after.count(tag) == styles.count(tag), tag


def test_excels_hidden_filter_name_follows_the_filter(tmp_path):
    # Excel keeps _xlnm._FilterDatabase equal to the sheet's filter; a stale one narrows the filter again.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    ref = load_workbook(path)["Contacts"].auto_filter.ref
    first, last = ref.split(":")
    split = lambda cell: re.match(r"([A-Z]+)(\d+)", cell).groups()  # noqa: E731
    expected = "'Contacts'!${}${}:${}${}".format(*split(first), *split(last)).encode()
    workbook = parts(path)["xl/workbook.xml"]
    assert re.search(rb'name="_xlnm._FilterDatabase" localSheetId="0"[^>]*>([^<]*)<', workbook).group(1) == expected
