"""Reading sheets' cells as grids (grids.py; issue 11): a sheet too sparse for a grid is streamed.

python-calamine builds a grid from A1 to a sheet's last cell in native memory; for a
value in XFD1048576 that is 17 billion cells, and the process aborts. ``Sheets``
decides from a sheet's cell references whether calamine may read it, and streams
the sheet otherwise. The commands on such files are in the corpus (run in a child
process); here are the reader's own promises: streamed and calamine reads agree,
plain sheets still take the fast way, and no spelling of a far cell slips through.
"""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from conftest import contact, rewrite_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_fixtures import rich_chart, sample_chart, simple_chart

from workbook_tool import grids
from workbook_tool.errors import UnreadableWorkbook
from workbook_tool.grids import Sheets, read_grids
from workbook_tool.workbook import read_chart

CONTACTS_PART = "xl/worksheets/sheet1.xml"


def _trimmed(grid):
    """Rows without their trailing blanks: calamine pads every row to the sheet's width, streaming does not."""
    out = []
    for row in grid:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _typed(grid):
    return [[(type(v).__name__, v) for v in row] for row in _trimmed(grid)]


def _chart(tmp_path):
    return simple_chart(tmp_path / "chart.xlsx", [
        contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                contacted_on=dt.date(2026, 11, 2), meeting_on=dt.datetime(2026, 11, 20, 14, 30)),
        contact(name="Bob Roe", source="Own", phone="617-555-0142", channel="Call")])


def _with_cells(path, cells: str, part=CONTACTS_PART):
    """``path`` with raw cell XML added in a last row of ``part``; the <dimension> is left as it was."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part).decode()
    out = path.with_name("crafted.xlsx")
    rewrite_zip(path, out, replace={part: xml.replace("</sheetData>", f'<row r="1048576">{cells}</row></sheetData>')})
    return out


@pytest.mark.parametrize("make", [sample_chart, rich_chart], ids=["sample", "rich"])
def test_streamed_sheets_read_as_calamine_reads_them(make, tmp_path, monkeypatch):
    path = make(tmp_path / "chart.xlsx")
    dense = read_grids(path)
    with Sheets(path) as book:
        assert all(book.fits_a_grid(name) for name in book.names)
    monkeypatch.setattr(Sheets, "fits_a_grid", lambda self, name: False)
    streamed = read_grids(path)
    assert list(streamed) == list(dense)
    for name in dense:
        if name == "Summary":  # formulas: openpyxl left no cached results, which both readers give as blank
            continue
        assert _typed(streamed[name]) == _typed(dense[name]), name


def test_a_value_in_the_far_corner_is_read_without_the_grid(tmp_path):
    from openpyxl import load_workbook

    path = _chart(tmp_path)
    wb = load_workbook(path)
    wb["Contacts"]["XFD1048576"] = "far away"
    wb.save(path)
    with Sheets(path) as book:
        assert not book.fits_a_grid("Contacts") and book.fits_a_grid("Profile")
        grid = book.grid("Contacts")
        rows = list(book.rows("Contacts"))
    assert len(grid) == 1_048_576 and grid[-1][16383] == "far away" and len(grid[-1]) == 16384
    assert grid[1][0] == "Ann Lee" and grid[1][10] == dt.date(2026, 11, 2)
    assert grid[1][11] == dt.datetime(2026, 11, 20, 14, 30)
    assert rows == grid
    assert all(row == () for row in grid[3:-1])  # one shared empty row, not a million lists


# Every way of writing a cell that python-calamine would place in XFD1048576.
FAR_CELLS = {
    "plain, beyond the dimension": '<c r="XFD1048576"><v>1</v></c>',
    "lower case": '<c r="xfd1048576"><v>1</v></c>',
    "a second reference": '<c r="A1048576" r="XFD1048576"><v>1</v></c>',
    "a second reference after a tab": '<c r="A1048576"\tr="XFD1048576"><v>1</v></c>',
    "the reference after the style": '<c s="0" r="XFD1048576"><v>1</v></c>',
    "spaces around =": '<c r = "XFD1048576"><v>1</v></c>',
    "single quotes": "<c r='XFD1048576'><v>1</v></c>",
    "a tab before r": '<c\tr="XFD1048576"><v>1</v></c>',
    "no reference": "<c><v>1</v></c>" * 16384,
    "a prefix": '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576">'
                '<x:v>1</x:v></x:c>',
    "four letters": '<c r="AAAA1048576"><v>1</v></c>',
    "a leading zero": '<c r="XFD01048576"><v>1</v></c>',
}


@pytest.mark.parametrize("cells", list(FAR_CELLS.values()), ids=list(FAR_CELLS))
def test_no_spelling_of_a_far_cell_reaches_the_grid_reader(cells, tmp_path):
    path = _with_cells(_chart(tmp_path), cells)
    with Sheets(path) as book:
        assert not book.fits_a_grid("Contacts")
        assert book.fits_a_grid("Profile")


@pytest.mark.parametrize("shift", range(0, 90, 7))
def test_a_far_cell_across_a_chunk_boundary_is_seen(shift, tmp_path, monkeypatch):
    # The sheet is searched in chunks: a cell tag cut by a chunk's end must still be found.
    monkeypatch.setattr(grids, "SCAN_CHUNK", 97)
    path = _with_cells(_chart(tmp_path), '<c r="A1048576" t="inlineStr"><is><t>' + "x" * shift + "</t></is></c>"
                       '<c r="XFD1048576"><v>1</v></c>')
    with Sheets(path) as book:
        assert not book.fits_a_grid("Contacts")


def test_chunk_boundaries_do_not_send_a_plain_sheet_the_slow_way(tmp_path, monkeypatch):
    monkeypatch.setattr(grids, "SCAN_CHUNK", 97)
    path = sample_chart(tmp_path / "sample.xlsx")
    with Sheets(path) as book:
        assert all(book.fits_a_grid(name) for name in book.names)


def test_a_dimension_that_claims_too_much_is_checked_against_the_cells(tmp_path):
    path = _chart(tmp_path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(CONTACTS_PART).decode()
    from openpyxl.utils import get_column_letter

    from workbook_tool import schema

    dimension = f'<dimension ref="A1:{get_column_letter(len(schema.CONTACTS.user_columns))}3"/>'
    big = rewrite_zip(path, tmp_path / "big.xlsx", replace={
        CONTACTS_PART: xml.replace(dimension, '<dimension ref="A1:XFD1048576"/>')})
    assert dimension in xml
    with Sheets(big) as book:
        assert book.fits_a_grid("Contacts")


def test_a_tall_thin_sheet_is_streamed(tmp_path):
    # Two cells, A1 and Q1048576: 17 million grid cells for two values.
    path = _with_cells(_chart(tmp_path), '<c r="Q1048576"><v>1</v></c>')
    with Sheets(path) as book:
        assert not book.fits_a_grid("Contacts")
        assert book.grid("Contacts")[-1][16] == 1


def test_cells_scattered_over_the_whole_sheet_are_refused_not_read(tmp_path):
    # Each row's one value in column XFD makes each streamed row 16,384 cells long.
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 400))
    path = rewrite_zip(_chart(tmp_path), tmp_path / "scattered.xlsx", replace={
        "xl/worksheets/sheet2.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                                    f"{rows}</sheetData></worksheet>"})
    with Sheets(path) as book, pytest.raises(UnreadableWorkbook) as info:
        book.grid("Profile")
    assert str(info.value) == (f"{path}: sheet 'Profile' has cells so far apart that reading it would take too much "
                               "memory. Delete the cells far from your data (Ctrl+End goes to the last one) and save "
                               "it again.")


def test_two_parts_by_one_name_are_refused(tmp_path):
    # Readers disagree on which of the two they read: the check could pass one copy
    # while the grid reader parses the other.
    import warnings

    path = _chart(tmp_path)
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    twice = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(twice, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name, and writes it
        for name, data in parts.items():
            zf.writestr(name, data)
        zf.writestr(CONTACTS_PART, parts[CONTACTS_PART].replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576">'
                                                                 b"<v>1</v></c></row></sheetData>"))
    with pytest.raises(UnreadableWorkbook) as info:
        read_chart(twice)
    assert info.value.message == ("is damaged: it holds two parts by the same name. Open it in Excel or LibreOffice "
                                  "and save it again to repair it, or restore it from a backup (chart sync keeps the "
                                  "last 10 in chart-backups/ beside the workbook).")


# A row is cleaned with the common cells (text, dates) taken without a call: the same as cleaning each value.
_VALUES = st.one_of(st.text(max_size=3), st.just(""), st.floats(), st.integers(), st.booleans(), st.dates(),
                    st.datetimes(), st.times(), st.timedeltas(), st.none())


@settings(max_examples=1500, deadline=None)
@given(st.lists(_VALUES, max_size=12))
def test_a_row_is_cleaned_as_each_of_its_values(row):
    from workbook_tool.grids import _clean_row, _clean_value

    cleaned, each = _clean_row(row), [_clean_value(v) for v in row]
    assert [(type(v), v) for v in cleaned if v == v] == [(type(v), v) for v in each if v == v]  # (NaN is not NaN)
    assert [v != v for v in cleaned] == [v != v for v in each]


# Texts built of Excel's escapes and near misses: "_x00HH_" (read as a character by calamine), "_x005F_" before
# text that looks like one, four-digit escapes calamine keeps, broken ones.
_ESCAPE_PIECES = ["_x0041_", "_x005F_", "_x005f_", "_x000D_", "_x0009_", "_x00e9_", "_x00FF_", "_x0100_", "_xD83D_",
                  "_X0041_", "_x004G_", "_x041_", "_x00410_", "_", "x", "0", "41", "A", " ", "é"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.lists(st.sampled_from(_ESCAPE_PIECES), min_size=1, max_size=6).map("".join),
                      min_size=1, max_size=12))
def test_excel_escapes_in_cell_text_read_alike_streamed_and_by_calamine(texts, tmp_path_factory):
    # openpyxl keeps "_x0041_" as typed, calamine reads "A": a sheet that cannot be read as a grid (it is
    # streamed) must read as calamine reads it, or the read-back of a write refuses what it wrote.
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("escapes") / "e.xlsx"
    wb = Workbook()
    for i, text in enumerate(texts, start=1):
        wb.active.cell(i, 1, text)  # stored as typed: openpyxl does not escape "_x" itself
    wb.save(path)
    with Sheets(path) as book:
        name = book.names[0]
        assert _typed(list(book._streamed_rows(name))) == _typed(book.grid(name))


def test_an_import_whose_sheet_is_streamed_reads_back_an_escape_like_title(tmp_path):
    # A text cell holding " r " looks, to the quick far-cell scan, like a cell whose place comes late: the sheet
    # is then streamed. A Title "_x0041_" in the same import was read back as "_x005F_x0041_" and refused.
    from conftest import run

    from workbook_tool.workbook import read_chart as read

    path = tmp_path / "c.xlsx"
    assert run("init", path).exit_code == 0
    export = tmp_path / "Connections.csv"
    export.write_text("Notes:\n\"x\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                      "P1,,r,,,,01 Mar 2024\nP2,,,,,_x0041_,\n", encoding="utf-8")
    result = run("import", path, export)
    assert result.exit_code == 0, result.output
    assert next(r for r in read(path).contacts.rows if r.text("name") == "P2").values["title"] == "_x0041_"
