"""xlsxsheet's two ways of rewriting a row: the quick one (only the edited cells found, by their ``r``
attributes) must give the very bytes the parsed one (every cell parsed) gives, on rows real programs write."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st
from libreoffice import lo  # noqa: F401  (registers the fixture)
from sync_fixtures import TODAY_ARG, sample_chart

from workbook_tool import sheetxml
from workbook_tool.xlsxpackage import Package
from workbook_tool.xlsxsheet import CellEdit, Sheet, Values
from workbook_tool.xlsxstyles import Styles


def rows_of(path, sheet_name="Contacts"):
    pkg = Package(path)
    sheet = Sheet(pkg, sheet_name, pkg.sheet_parts[sheet_name])
    sheet._column_styles = sheet._styles_of_columns()
    data, (first, end) = sheet.data, sheet.cells
    rows = [(data[start:stop], number) for start, stop, number in sheetxml.rows(data, first, end, sheet.p)]
    return pkg, sheet, rows


def random_edits(rng: random.Random, number: int) -> dict:
    edits = {}
    for col in rng.sample(range(1, 40), rng.randint(1, 8)):
        value = rng.choice([None, "text", "Ann & <Lee>", 42, 3.5, True, dt.date(2026, 11, 25), "=1+1", ""])
        url = "mailto:a@b.org?subject=x%20y" if rng.random() < 0.2 else None
        edits[col] = CellEdit(number, col, value, link=url is not None or rng.random() < 0.1, url=url)
    return edits


def assert_same_rows(path, seed=0):
    pkg, sheet, rows = rows_of(path)
    styles, values = Styles(pkg), Values(pkg.date1904)
    rng = random.Random(seed)
    quick_rows = 0
    for row, number in rows:
        for _ in range(3):
            edits = random_edits(rng, number)
            before = pkg.shared_refs_dropped
            quick = sheet._row_quickly(row, number, edits, styles, values)
            dropped_quick = pkg.shared_refs_dropped - before
            parsed = sheet._row_parsed(row, number, edits, None, styles, values)
            dropped_parsed = pkg.shared_refs_dropped - before - dropped_quick
            if quick is None:
                continue
            quick_rows += 1
            assert quick == parsed, (number, row[:300])
            assert dropped_quick == dropped_parsed
    return quick_rows


def test_quick_rows_equal_parsed_rows_of_a_synced_chart(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert run("sync", path, "--today", TODAY_ARG).exit_code == 0
    assert assert_same_rows(path) > 0


def test_quick_rows_equal_parsed_rows_of_libreoffice_and_xlsxwriter_files(tmp_path, lo):  # noqa: F811
    path = sample_chart(tmp_path / "chart.xlsx")
    assert run("sync", path, "--today", TODAY_ARG).exit_code == 0
    saved = lo.convert(path, "xlsx", tmp_path / "lo")
    assert assert_same_rows(saved, seed=1) > 0

    import xlsxwriter

    made = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(made)
    ws = wb.add_worksheet("Contacts")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Name", "Email", "Contacted On", "Notes"], bold)
    for r in range(1, 30):
        ws.write_string(r, 0, f"Person {r}")
        if r % 3:
            ws.write_string(r, 1, f"p{r}@x.org")
        if r % 4:
            ws.write_number(r, 2, 46000 + r)
        ws.write_rich_string(r, 3, "a ", bold, "bold", " note")
    wb.close()
    assert assert_same_rows(made, seed=2) > 0


@pytest.mark.parametrize("row", [
    b'<row r="2"><c s="1" r="A2"><v>1</v></c></row>',  # r not first
    b'<row r="2"><c><v>1</v></c><c r="C2"><v>1</v></c></row>',  # a place implied
    b'<row r="2"><c r="C2"><v>1</v></c><c r="A2"><v>1</v></c></row>',  # out of order
    b'<row r="2"><!-- a note --><c r="A2"><v>1</v></c></row>',
    b'<row r="2"/>',
])
def test_rows_the_quick_way_does_not_fit_go_the_parsed_way(tmp_path, row):
    path = sample_chart(tmp_path / "chart.xlsx")
    pkg, sheet, _ = rows_of(path)
    edits = {2: CellEdit(2, 2, "x")}
    assert sheet._row_quickly(row, 2, edits, Styles(pkg), Values(False)) is None


def test_edited_cells_styles_kept_per_kind_equal_the_rule(tmp_path):
    # A sync asks the style of the same few columns in every row: the answer, kept per (own style, column,
    # kind of value), is the rule's own (_style_of) whatever the order of asking, header cells included.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert run("sync", path, "--today", TODAY_ARG).exit_code == 0
    pkg, sheet, rows = rows_of(path)
    styles = Styles(pkg)
    sheet.header_styles[(1, 3)] = styles.header("tool")
    rng = random.Random(5)
    owns = [None, "0"] + sorted({cell[1] for row, _ in rows for cell in sheetxml.row_cells(row, sheet.p).cells
                                 if cell[1] is not None})
    for _ in range(2000):
        number, col, own = rng.randint(1, 12), rng.randint(1, 30), rng.choice(owns)
        change = random_edits(rng, number).popitem()[1]
        expected = sheet.header_styles.get((number, col)) or sheet._style_of(own, col, None, change, styles)
        assert sheet._edit_style(number, col, own, None, change, styles) == expected


def test_a_days_serial_number_is_the_same_asked_again():
    values = Values(False)
    days = [dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 11, 25), dt.datetime(2026, 11, 25, 14, 30)]
    for day in days * 2:
        assert values.serial(day) == values._serial(day)
    assert values.serial(dt.date(2026, 11, 25)) == "46351"


@pytest.mark.parametrize("row", [
    b'<row spans="1:3" r="2"><c r="A2"><v>1</v></c><c r="C2" s="1"><v>2</v></c></row>',  # r not first in the row
    b'<row><c r="A2"><v>1</v></c></row>',  # no r: the row names its number when rewritten
])
def test_a_row_whose_number_is_not_written_first_is_rewritten_alike(tmp_path, row):
    path = sample_chart(tmp_path / "chart.xlsx")
    pkg, sheet, _ = rows_of(path)
    styles, values = Styles(pkg), Values(False)
    edits = {2: CellEdit(2, 2, "x"), 3: CellEdit(2, 3, dt.date(2026, 11, 25))}
    quick = sheet._row_quickly(row, 2, edits, styles, values)
    assert quick is not None and quick == sheet._row_parsed(row, 2, edits, None, styles, values)
    assert quick.startswith(b'<row r="2"') or quick.startswith(b'<row spans')


@settings(max_examples=1500, deadline=None)
@given(text=st.text(alphabet=["a", "Z", " ", "\t", "\n", "\r", "&", "<", ">", ";", "#", "1", "3", "_", "x",
                              "\u00a0", "\u2028", "\x1c", "\x0b", "é", "王"], max_size=10))
def test_a_plain_cell_text_is_written_as_it_is(text):
    # The appended block writes a text PLAIN_TEXT matches as it is, without xml:space: what _escape and
    # kept_spaces would make of it.
    from workbook_tool.sheetxml import PLAIN_TEXT, kept_spaces
    from workbook_tool.xlsxsheet import _escape

    if PLAIN_TEXT.match(text):
        assert _escape(text) == text and not kept_spaces(text), repr(text)
    else:
        assert _escape(text) != text or kept_spaces(_escape(text)), repr(text)
