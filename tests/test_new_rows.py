"""The writer's quick way of writing a row the sheet lacks (``Sheet._new_row_quickly``, what an import's new rows
take) must give the very bytes the parsed way (``Sheet._row_parsed``) gives, whatever the row holds: text that
needs escaping or keeping its spaces, text typed like Excel's own escapes, links, dates, numbers, blanks,
a template row's styles, columns with styles of their own, and cells whose style is a new header's."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import run
from sync_fixtures import TODAY_ARG, sample_chart

from workbook_tool import sheetxml
from workbook_tool.grids import read_grids
from workbook_tool.xlsxpackage import Package
from workbook_tool.xlsxsheet import CellEdit, Sheet, Values
from workbook_tool.xlsxstyles import Styles

TEXTS = ["Ann Lee", "", " leading", "trailing ", "two\nlines", "cr\rhere", "Ann & <Lee> > \"x\" 'y'", "_x0041_",
         "a_x00e9_b_x", "_x12", "Zoë Müller", "=1+1", "   ", "tab\there", "😀 emoji"]


def random_value(rng: random.Random):
    return rng.choice([rng.choice(TEXTS), rng.choice(TEXTS) + rng.choice(TEXTS), None, 42, 3.5, True, False,
                       dt.date(2026, 11, 25), dt.datetime(2026, 12, 2, 14, 30)])


def random_edits(rng: random.Random, number: int, columns: int) -> dict:
    edits = {}
    for col in rng.sample(range(1, columns + 1), rng.randint(1, min(columns, 9))):
        url = "mailto:a@b.org?subject=x%20y" if rng.random() < 0.1 else None
        edits[col] = CellEdit(number, col, random_value(rng), link=url is not None or rng.random() < 0.05, url=url)
    return edits


def sheet_of(path, name="Contacts") -> tuple[Package, Sheet, list[dict]]:
    """The sheet as the writer holds it, and each row's {column: style} (what a template row gives)."""
    pkg = Package(path)
    sheet = Sheet(pkg, name, pkg.sheet_parts[name])
    sheet._column_styles = sheet._styles_of_columns()
    data, (first, end) = sheet.data, sheet.cells
    templates = []
    for start, stop, _ in sheetxml.rows(data, first, end, sheet.p):
        cells = sheetxml.row_cells(data[start:stop], sheet.p).cells
        templates.append({cell[0]: cell[1] for cell in cells if cell[1] not in (None, "0")})
    return pkg, sheet, templates


def assert_same_new_rows(path, seed: int, name="Contacts") -> int:
    pkg, sheet, templates = sheet_of(path, name)
    styles, values = Styles(pkg), Values(pkg.date1904)
    rng = random.Random(seed)
    compared = 0
    # A run of new rows under one template (as an import writes them: its column cache is used again), then
    # under another, then none.
    for template in [t for t in templates if t][-3:] + [None, {}]:
        for number in range(1000, 1040):
            edits = random_edits(rng, number, 30)
            quick = sheet._new_row_quickly(number, edits, template, styles, values)
            parsed = sheet._row_parsed(None, number, edits, template, styles, values)
            assert quick == parsed, (number, edits, template)
            compared += 1
    return compared


def test_new_rows_equal_parsed_rows_of_a_synced_chart(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert run("sync", path, "--today", TODAY_ARG).exit_code == 0
    assert assert_same_new_rows(path, seed=0) == 200


def test_new_rows_equal_parsed_rows_where_columns_have_styles_of_their_own(tmp_path):
    import xlsxwriter

    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Contacts")
    wrap, money = wb.add_format({"text_wrap": True}), wb.add_format({"num_format": "$#,##0.00"})
    ws.set_column(2, 4, 30, wrap)  # C:E wrap, as a person formats a Notes column
    ws.set_column(7, 7, 12, money)
    ws.write_row(0, 0, ["Name", "Email", "Notes", "Organization"], wb.add_format({"bold": True}))
    for r in range(1, 6):
        ws.write_string(r, 0, f"Person {r}", wb.add_format({"italic": True}) if r % 2 else None)
        ws.write_string(r, 2, "a note", wrap)
    wb.close()
    assert assert_same_new_rows(path, seed=1) == 200


def test_a_row_that_gets_a_new_header_goes_the_parsed_way(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    pkg, sheet, templates = sheet_of(path)
    styles, values = Styles(pkg), Values(pkg.date1904)
    sheet.header_styles[(40, 3)] = styles.header("tool")
    edits = {3: CellEdit(40, 3, "Stage"), 4: CellEdit(40, 4, "x")}
    assert sheet._new_row_quickly(40, edits, templates[-1], styles, values) is None
    assert sheet._new_row_quickly(41, {3: CellEdit(41, 3, "x")}, templates[-1], styles, values) is not None


@pytest.mark.parametrize("rows", [1, 25])
def test_imported_rows_read_back_with_the_last_rows_look(tmp_path, rows):
    """Through the command: new rows take the last row's styles, and read back as imported."""
    from openpyxl import load_workbook

    path = sample_chart(tmp_path / "chart.xlsx")
    export = tmp_path / "people.csv"
    export.write_text("Name,Email,Company,Notes\n" + "".join(
        f"New Person {i},new{i}@example.org,Org & Co <{i}>,\" keeps_x0041_ spaces \"\n" for i in range(rows)), "utf-8")
    assert run("import", path, export).exit_code == 0
    ws = load_workbook(path)["Contacts"]
    last = ws.max_row
    assert last == 14 + rows
    for r in range(15, last + 1):
        assert ws.cell(r, 1).value == f"New Person {r - 15}"
        assert ws.cell(r, 1).style_id == ws.cell(14, 1).style_id  # the sample's last row: its look
    # As Excel reads it (the tool's reader decodes Excel's escapes; openpyxl leaves them in the text).
    grid = read_grids(path, ["Contacts"])["Contacts"]
    notes, organization = grid[0].index("Notes"), grid[0].index("Organization")
    assert [row[notes] for row in grid[14:]] == ["keeps_x0041_ spaces"] * rows
    assert [row[organization] for row in grid[14:]] == [f"Org & Co <{i}>" for i in range(rows)]
