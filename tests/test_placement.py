"""Where sync puts its cells, and why it refuses to (placement.py; issue 11, points 4, 5, 6 and 11).

Never past Excel's last row (a cell there is dropped when the file is opened),
never inside something of the person's — merged cells, sparklines, another
table, an array formula — and never by stretching an Excel table over rows that
are not its own; a row under the table that is not part of the contact list is
not a contact. No tool cell holds more than Excel's 32,767 characters.

Each workbook is built for real (openpyxl, or xlsxwriter where a feature needs
it: sparklines) and checked after re-opening: no tool cell sits in a merge,
sparkline or table of the person's, and every cell they had is as it was. The
refusals with their exact lines (a merge or an array formula under the table, a
Total row, a tool column past XFD or inside a merge) are in the corpus
(``tests/corpus/expectations.json``).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import contact, run
from openpyxl.utils import get_column_letter
from sync_fixtures import MET, TODAY_ARG, folder_listing, simple_chart, snapshot, table_chart, xlsxwriter_chart

from workbook_tool import schema

ALL_TOOL_HEADERS = [c.header for c in schema.CONTACTS.tool_columns]  # with Draft


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def with_xml_comment(path: Path) -> Path:
    """The workbook with an XML comment among the Contacts cells (once sent through openpyxl). The comment
    quotes the end of the cell data, which a quick split of the sheet would take for it."""
    from conftest import rewrite_zip

    xml = sheet_xml(path)
    assert xml.count("<row ") > 1
    xml = xml.replace("<row ", "<!-- the cells end at </sheetData> --><row ", 1)
    with zipfile.ZipFile(path) as zf:
        part = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and zf.read(n).decode() ==
                    sheet_xml(path))
    moved = rewrite_zip(path, path.with_suffix(".tmp"), replace={part: xml})
    moved.replace(path)
    return path


def people(n: int) -> list[list]:
    return [contact(name=f"Person {i}", source="Own", email=f"p{i}@example.com", channel="Email")
            for i in range(1, n + 1)]


def sheet_xml(path, sheet="Contacts") -> str:
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book).group(1)
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rel = next(r for r in re.findall(r"<Relationship [^>]*>", rels) if f'Id="{rid}"' in r)
        target = re.search(r'Target="([^"]+)"', rel).group(1)
        return zf.read("xl/" + target.lstrip("/").removeprefix("xl/")).decode()


def sparkline_cells(path, sheet="Contacts") -> list[str]:
    return sorted(re.findall(r"<xm:sqref>([^<]+)</xm:sqref>", sheet_xml(path, sheet)))


def tool_cells(path, sheet="Contacts", headers=ALL_TOOL_HEADERS) -> dict[str, list[tuple[int, int]]]:
    """Each tool column's header cell and filled cells as (column, row), found by its header."""
    from openpyxl import load_workbook

    ws = load_workbook(path)[sheet]
    found: dict[str, list[tuple[int, int]]] = {}
    for (r, c), cell in sorted(ws._cells.items()):
        if cell.value in headers and cell.value not in found:
            found[cell.value] = [(c, r)] + [(c, rr) for rr in range(r + 1, ws.max_row + 1)
                                            if ws.cell(rr, c).value is not None]
    return found


def assert_clear_of(path, cells: dict[str, list[tuple[int, int]]], sheet="Contacts", table=None) -> None:
    """No tool cell inside a merge, a sparkline, or a table (but ``table``, the chart's own)."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    ws = load_workbook(path)[sheet]
    blocks = [("merge", str(m), range_boundaries(str(m))) for m in ws.merged_cells.ranges]
    blocks += [("table", t.ref, range_boundaries(t.ref)) for name, t in ws.tables.items() if name != table]
    for ref in sparkline_cells(path, sheet):
        r, c = coordinate_to_tuple(ref)
        blocks.append(("sparkline", ref, (c, r, c, r)))
    for header, places in cells.items():
        for c, r in places:
            for kind, ref, (c1, r1, c2, r2) in blocks:
                assert not (c1 <= c <= c2 and r1 <= r <= r2), f"{header} at column {c} row {r} is in {kind} {ref}"


def assert_user_cells_kept(before: dict, path) -> None:
    """Every cell the person had: same value, type, style, link and note; every merge and sheet feature."""
    after = snapshot(path)
    for sheet, cells in before["cells"].items():
        for key, value in cells.items():
            assert after["cells"][sheet].get(key) == value, (sheet, key)
        for feature in ("merged", "validations", "conditional", "images", "freeze"):
            assert after["sheet"][sheet][feature] == before["sheet"][sheet][feature], (sheet, feature)


# --------------------------------------------------------------------------- 4: Excel's last row

FULL_SHEET_LINE = ("has no room for 1 new row below row 1,048,576, the last row Excel and LibreOffice keep. Delete "
                   "the rows you do not need at the bottom of the sheet (or move them to another sheet) and try again.")


@pytest.fixture(scope="module")
def full_sheet(tmp_path_factory) -> Path:
    """Contacts whose last person sits on row 1,048,576, Excel's last, and recommends someone new."""
    from openpyxl import load_workbook

    path = simple_chart(tmp_path_factory.mktemp("full") / "chart.xlsx",
                        [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email")])
    wb = load_workbook(path)
    last = contact(name="Zed Last", source="Own", email="zed@litware.com", channel="Email",
                   recommended="Nora Quinn <nora@litware.com>", **MET)
    for c, value in enumerate(last, start=1):
        if value is not None:
            wb["Contacts"].cell(1_048_576, c, value)
    wb.save(path)
    return path


@pytest.mark.parametrize("command", ["sync", "import"])
def test_no_new_row_past_excel_last_row(full_sheet, tmp_path, command):
    # Before: Nora Quinn (sync) or Omar Said (import) went to row 1,048,577, which Excel and LibreOffice drop.
    data, listing = full_sheet.read_bytes(), folder_listing(full_sheet.parent)
    if command == "sync":
        result = sync(full_sheet)
    else:
        (tmp_path / "people.csv").write_text("Name,Email\nOmar Said,omar@example.com\n", encoding="utf-8")
        result = run("import", full_sheet, tmp_path / "people.csv")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {full_sheet}: sheet 'Contacts': {FULL_SHEET_LINE}\n"
    assert full_sheet.read_bytes() == data and folder_listing(full_sheet.parent) == listing


# --------------------------------------------------------------------------- 5: not inside the person's objects


# The first column right of the user columns (R when they were A:Q).
FREE = len(schema.CONTACTS.user_columns) + 1
# Where the tool's columns go beside merged_beside_header's cells: the first free column, then past the block.
PAST_MERGED = [(FREE + 2, 1), (FREE + 5, 1), (FREE + 6, 1), (FREE + 7, 1), (FREE + 8, 1)]


def merged_beside_header(path: Path) -> Path:
    """A chart with a merged note right of its header (R1:S2 when the user columns were A:Q, text in R1) and
    an empty merged block (U2:V3)."""
    from openpyxl import load_workbook

    simple_chart(path, people(3), want_to_meet=[["Olivia Park", "Fabrikam", "Data platform", None]])
    wb = load_workbook(path)
    ws = wb["Contacts"]
    col = get_column_letter
    ws[f"{col(FREE)}1"] = "Keep this corner for my notes"
    ws.merge_cells(f"{col(FREE)}1:{col(FREE + 1)}2")
    ws.merge_cells(f"{col(FREE + 3)}2:{col(FREE + 4)}3")
    wb["Want to Meet"].merge_cells("E1:F2")  # where Status would go
    wb.save(path)
    return path


@pytest.mark.parametrize("commented", [False, True], ids=["plain", "xml-comment"])
def test_tool_columns_go_past_merged_cells(tmp_path, commented):
    # Before: Stage went into S1, inside the merged R1:S2 (the openpyxl writer exited 3 on it: MergedCell).
    path = merged_beside_header(tmp_path / "chart.xlsx")
    if commented:
        with_xml_comment(path)
    before = snapshot(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    placed = tool_cells(path)
    assert set(placed) == set(ALL_TOOL_HEADERS)
    assert_clear_of(path, placed)
    # The first free columns at the right: T, then W onwards (U and V hold the empty merged block).
    assert [placed[h][0] for h in ALL_TOOL_HEADERS] == PAST_MERGED
    status = tool_cells(path, "Want to Meet", ["Status"])
    assert status["Status"][0] == (7, 1)
    assert_clear_of(path, status, "Want to Meet")
    assert_user_cells_kept(before, path)
    assert "already up to date" in sync(path).stdout


def test_tool_columns_go_past_merged_cells_in_a_strict_workbook(tmp_path):
    # The same chart as Excel's "Strict Open XML Spreadsheet" would save it: its objects are read all the same.
    from test_producers import to_strict, to_transitional

    path = to_strict(merged_beside_header(tmp_path / "plain.xlsx"), tmp_path / "chart.xlsx")
    result = sync(path)
    assert result.exit_code == 0, result.output
    readable = to_transitional(path, tmp_path / "readable.xlsx")  # openpyxl reads no Strict
    placed = tool_cells(readable)
    assert [placed[h][0] for h in ALL_TOOL_HEADERS] == PAST_MERGED
    assert_clear_of(readable, placed)


# The column right of the user columns (R when they were A:Q), where Stage would go.
SPARKLINE_COLUMN = len(schema.CONTACTS.user_columns)  # 0-based, as xlsxwriter counts
SPARKLINES = [f"{get_column_letter(SPARKLINE_COLUMN + 1)}{r}" for r in (2, 3, 4)]


def sparkline_chart(path: Path) -> Path:
    """Made by xlsxwriter: three people, and a sparkline per row right of the user columns, where Stage would go."""

    def sparklines(wb, ws):
        numbers = wb.add_worksheet("Numbers")
        for r in range(1, 4):
            numbers.write_row(r, 0, [r, r * 2, r * 3])  # the numbers each sparkline draws
            ws.add_sparkline(r, SPARKLINE_COLUMN, {"range": f"Numbers!A{r + 1}:C{r + 1}"})

    return xlsxwriter_chart(path, people(3), extra=sparklines)


def test_tool_columns_go_past_sparklines(tmp_path):
    # Before: Stage's header and values went into R, over the sparklines.
    path = sparkline_chart(tmp_path / "chart.xlsx")
    before = snapshot(path)
    assert sparkline_cells(path) == SPARKLINES
    result = sync(path)
    assert result.exit_code == 0, result.output
    placed = tool_cells(path)
    assert set(placed) == set(ALL_TOOL_HEADERS)
    assert_clear_of(path, placed)
    assert sparkline_cells(path) == SPARKLINES
    first = SPARKLINE_COLUMN + 2  # past the sparklines' column
    assert [placed[h][0] for h in ALL_TOOL_HEADERS] == [(first + i, 1) for i in range(5)]
    assert_user_cells_kept(before, path)


# --------------------------------------------------------------------------- 6: the Excel table's own rows

NOTE_BELOW = {"A8": "Last updated in November", "B8": "by me"}


def test_new_row_goes_right_under_the_table_not_under_a_note_below_it(tmp_path):
    # Rows 5-7 are empty; row 8 holds the person's note (in the Name column). Before: Nora Quinn went to row 9
    # and the table was stretched over the note; the note got tool cells, as a contact.
    from openpyxl import load_workbook

    path = table_chart(tmp_path / "chart.xlsx", below=NOTE_BELOW)
    before = snapshot(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "  row 5: Nora Quinn (referred by Ann Lee)" in result.stdout.splitlines()
    assert ('Contacts!A8 ("Last updated in November") and anything else under your table "People" (A1:Q4) is not '
            "read as a contact. If it is one, resize the table over it (Table Design > Resize Table) and sync again."
            in result.stdout.splitlines())
    ws = load_workbook(path)["Contacts"]
    assert ws.tables["People"].ref == "A1:Q5"
    assert ws["A5"].value == "Nora Quinn" and ws["A8"].value == "Last updated in November"
    assert [ws.cell(8, c).value for c in range(18, 23)] == [None] * 5, "the note row gets no tool cells"
    assert_clear_of(path, tool_cells(path), table="People")
    assert_user_cells_kept(before, path)


def test_a_note_under_the_table_is_not_a_contact(tmp_path):
    from workbook_tool.workbook import read_chart

    path = table_chart(tmp_path / "chart.xlsx", below=NOTE_BELOW)
    result = run("validate", path, "--json")
    assert 8 not in {p["row"] for p in json.loads(result.stdout)}, result.stdout
    chart = read_chart(path)
    assert [r.text("name") for r in chart.contacts.rows] == ["Person 1", "Person 2", "Ann Lee"]
    assert chart.contacts.last_row == 4


def test_new_rows_fill_the_table_empty_rows_first(tmp_path):
    # The person made the table longer than their list (A1:Q9): Nora Quinn takes row 5, inside it.
    from openpyxl import load_workbook

    path = table_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    wb["Contacts"].tables["People"].ref = "A1:Q9"
    wb.save(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "  row 5: Nora Quinn (referred by Ann Lee)" in result.stdout.splitlines()
    assert load_workbook(path)["Contacts"].tables["People"].ref == "A1:Q9"


# --------------------------------------------------------------------------- 11: Excel's 32,767 characters


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # Excel counts UTF-16 units: an emoji is two


def test_no_tool_cell_holds_more_than_excel_allows(tmp_path):
    # Names of about 12,000 characters, each cell within Excel's limit: the referral chain through three of
    # them, Want to Meet's "Ask A, B, C (Litware)" and a Next Step listing three recommended people are not.
    from openpyxl import load_workbook

    n = [f"Person {i} " + "Longname " * 1300 + "😀" for i in range(6)]
    rows = [contact(name=n[0], source="Own", organization="Litware", email="p0@litware.com", channel="Email",
                    recommended="; ".join(n[3:]), **MET),
            contact(name=n[1], source="Referral", referred_by=n[0], organization="Litware", phone="617-555-0101"),
            contact(name=n[2], source="Referral", referred_by=n[1], organization="Litware", phone="617-555-0102")]
    path = simple_chart(tmp_path / "chart.xlsx", rows,
                        want_to_meet=[["Head of Data", "Litware", "Runs the team I want", None]])
    result = sync(path)
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    next_step = get_column_letter(len(schema.CONTACTS.user_columns) + 2)
    cut = {"next step": wb["Contacts"][f"{next_step}2"].value, "status": wb["Want to Meet"]["E2"].value,
           "chain": next(r[2] for r in wb["Referrals"].iter_rows(values_only=True) if r[0] == n[2])}
    assert wb["Contacts"][f"{next_step}1"].value == "Next Step" and wb["Want to Meet"]["E1"].value == "Status"
    assert cut["next step"].startswith(f"Contact the people they referred: {n[3]}, ")
    assert cut["status"].startswith(f"Ask {n[0]}, {n[1]}, ")
    assert cut["chain"].startswith(f"{n[0]} → {n[1]} → ")
    for what, text in cut.items():
        assert text.endswith("…") and 32_760 <= utf16_length(text) <= 32_767, what
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            if isinstance(cell.value, str) and not (ws.title == "Contacts" and cell.coordinate == "Q2"):
                assert utf16_length(cell.value) <= 32_767, (ws.title, cell.coordinate)
    data = path.read_bytes()
    again = sync(path)
    assert again.exit_code == 0 and "already up to date" in again.stdout, again.stdout
    assert path.read_bytes() == data
