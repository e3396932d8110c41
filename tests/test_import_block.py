"""chart import's block of new rows (``plan.AppendedRows``) against the general path it replaced.

An import used to plan one ``CellWrite`` a cell of each new person and let the writer and the read-back take
them one by one; it now plans the rows as one block the sheet writer turns into bytes in one pass and the
read-back compares with the same records. Here random LinkedIn exports full of odd text (a leading ``=``,
``+``, ``-`` or ``@``, control characters, bare CRs, non-BMP characters, XML's special characters, text that
looks like Excel's ``_x0041_`` escapes, cells past Excel's 32,767 characters) are imported into charts of
several shapes both ways: the block must hold the very cells the general planner wrote, and the file written
from it must be byte for byte the file the general path writes from those cells. The read-back must refuse a
file whose block rows differ or are missing.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sync_fixtures import sample_chart, table_chart

from conftest import rewrite_zip, run
from workbook_tool import xlsxpatch
from workbook_tool.errors import UnreadableWorkbook, WriteFailed
from workbook_tool.fields import is_blank
from workbook_tool.importer import SOURCES, plan_import, read_contacts_file
from workbook_tool.plan import CellWrite, cell_text
from workbook_tool.readback import verify_written
from workbook_tool.workbook import chart_from_grids, read_chart, read_chart_grids

LINKEDIN = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
# Characters that each take a different way through cleaning, escaping and storing.
ODD = ("=", "+", "-", "@", "\x01", "\x0b", "\x1f", "\r", "\n", "\t", " ", "&", "<", ">", '"', "'", "_x0041_",
       "_x005F_", "😀", "\ud83d", "é", "–", "\u2028", "\ufffe", ":::", "a", "Z", "0")
TEXT = st.one_of(
    st.lists(st.sampled_from(ODD), max_size=8).map("".join),
    st.text(max_size=8),
    st.sampled_from(["=cmd|' /C calc'!A0", "+Contoso", "-1", "@SUM(1)", "=1+1", "  padded  "]),
    # Past the cap (the cut ends in "…"), and just short of half of it, with and without a two-unit emoji.
    st.builds(lambda n, c: c * n, st.sampled_from([16_383, 16_384, 32_767, 40_000]), st.sampled_from(["x", "😀"])),
)
EMAIL = st.one_of(st.just(""), st.from_regex(r"[a-z]{1,6}\.[a-z]{1,6}@example\.(org|com)", fullmatch=True), TEXT)
PERSON = st.tuples(TEXT, TEXT, TEXT, EMAIL, TEXT, TEXT, st.sampled_from(["", "01 Mar 2024", "=NOW()"]))


def _charts(folder: Path) -> dict[str, Path]:
    """Charts an import meets: new and empty, with people (a styled last row), with an Excel table, and with
    styled empty rows below the table (rows the sheet already has where the new people go)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    folder.mkdir(parents=True, exist_ok=True)
    assert run("init", folder / "new.xlsx").exit_code == 0
    charts = {"new": folder / "new.xlsx", "sample": sample_chart(folder / "sample.xlsx"),
              "table": table_chart(folder / "table.xlsx")}
    styled = sample_chart(folder / "styled-below.xlsx")
    wb = load_workbook(styled)
    ws = wb["Contacts"]
    for ref in ("A16", "C17", "H19"):  # its people fill rows 2-14
        ws[ref].font = Font(bold=True)
    wb.save(styled)
    charts["styled-below"] = styled
    return charts


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    found = {}
    for name, path in _charts(tmp_path_factory.mktemp("charts")).items():
        grids = read_chart_grids(path, tool_sheets=True)
        found[name] = (path, grids, chart_from_grids(path, grids))
    return found


def _export(path: Path, people) -> Path:
    # A file holds no lone surrogate (written as "?"; a command-line --via may hold one). LinkedIn's paragraph
    # above the header is long here: a text file with a control character every 200 is taken for binary.
    with path.open("w", newline="", encoding="utf-8", errors="replace") as fh:
        fh.write(f"Notes:\n\"When exporting your connection data, {'some email addresses are missing. ' * 2000}\"\n\n")
        writer = csv.writer(fh)
        writer.writerow(LINKEDIN)
        for i, person in enumerate(people):
            first, *rest = person
            writer.writerow([first or f"P{i}", *rest])  # most rows have a name; a few lose it to cleaning
    return path


def _general_writes(plan, chart) -> list[CellWrite]:
    """The general planner's cells of the new people (the loop an import ran before the block): each
    non-blank value of a new row's values in a column the sheet has, one ``CellWrite`` each."""
    table = chart.contacts
    writes = []
    for new in plan.new_rows:
        for key, value in new.values.items():
            if is_blank(value) or table.columns.get(key) is None:
                continue
            writes.append(CellWrite(table.sheet, new.number, table.columns[key], value))
    return writes


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _write_both(folder: Path, plan, chart, grids):
    block_file, general_file = folder / "block.xlsx", folder / "general.xlsx"
    general = dataclasses.replace(plan, writes=plan.appended.writes() + plan.writes, appended=None)
    xlsxpatch.write_plan(chart.path, block_file, plan, chart)
    xlsxpatch.write_plan(chart.path, general_file, general, chart)
    return block_file, general_file, general


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSON, min_size=1, max_size=8), which=st.sampled_from(["new", "sample", "table",
                                                                                "styled-below"]),
       source=st.sampled_from(SOURCES), via=st.one_of(st.none(), TEXT))
def test_the_block_writes_what_the_general_path_writes(charts, tmp_path_factory, people, which, source, via):
    path, grids, chart = charts[which]
    folder = tmp_path_factory.mktemp("case")
    try:
        contacts = read_contacts_file(_export(folder / "Connections.csv", people))
    except UnreadableWorkbook:  # control characters enough to look binary: not an export
        assume(False)
    via = via.strip() or None if via is not None else None  # as import_contacts takes --via
    plan, outcomes, _ = plan_import(chart, grids, contacts, source=source, via=via)
    block = plan.appended
    # The block holds the general planner's cells, in the rows it gave the new people.
    assert block.writes() == sorted(_general_writes(plan, chart), key=lambda w: (w.row, w.column))
    assert [n.number for n in plan.new_rows] == list(range(block.first, block.last + 1))
    assert [o.row for o in outcomes if o.action == "added"] == [n.number for n in plan.new_rows]
    if not plan.changed:
        return
    block_file, general_file, general = _write_both(folder, plan, chart, grids)
    assert _parts(block_file) == _parts(general_file)
    verify_written(block_file, grids, plan, chart)  # read back against the block's own records
    verify_written(general_file, grids, general, chart)
    sheet_xml = _parts(block_file)[_contacts_part(block_file)]
    assert b"<f>" not in sheet_xml and b":f>" not in sheet_xml  # no text became a formula


def _contacts_part(path: Path) -> str:
    from workbook_tool.objects import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)["Contacts"]


def _imported(tmp_path, charts, people):
    path, grids, chart = charts["new"]
    contacts = read_contacts_file(_export(tmp_path / "Connections.csv", people))
    plan, _, _ = plan_import(chart, grids, contacts)
    out = tmp_path / "out.xlsx"
    xlsxpatch.write_plan(chart.path, out, plan, chart)
    return out, plan, grids, chart


def test_the_read_back_refuses_a_block_cell_that_differs(tmp_path, charts):
    out, plan, grids, chart = _imported(tmp_path, charts, [("Ann", "Lee 1", "", "", "Contoso", "Analyst", ""),
                                                           ("Bob", "Roe 2", "", "", "Fabrikam", "Analyst", "")])
    part = _contacts_part(out)
    xml = _parts(out)[part]
    assert xml.count(b">Fabrikam<") == 1
    bad = rewrite_zip(out, tmp_path / "bad.xlsx", replace={part: xml.replace(b">Fabrikam<", b">Fabrikan<")})
    with pytest.raises(WriteFailed, match=r"Contacts!E3 as it should \('Fabrikam' became 'Fabrikan'\)"):
        verify_written(bad, grids, plan, chart)


def test_the_read_back_refuses_block_rows_that_went_missing(tmp_path, charts):
    out, plan, grids, chart = _imported(tmp_path, charts, [("Ann", "Lee 1", "", "", "Contoso", "Analyst", ""),
                                                           ("Bob", "Roe 2", "", "", "Fabrikam", "Analyst", "")])
    part = _contacts_part(out)
    xml = _parts(out)[part]
    start = xml.index(b'<row r="3"')
    end = xml.index(b"</row>", start) + len(b"</row>")
    cut = rewrite_zip(out, tmp_path / "cut.xlsx", replace={part: xml[:start] + xml[end:]})
    with pytest.raises(WriteFailed, match=r"Contacts!A3 as it should \('Bob Roe 2' became None\)"):
        verify_written(cut, grids, plan, chart)


def test_a_write_to_a_block_cell_wins_as_it_would_among_writes(tmp_path, charts):
    # No planner makes both today; the rule is the writer's and the read-back's alike.
    path, grids, chart = charts["new"]
    contacts = read_contacts_file(_export(tmp_path / "Connections.csv", [("Ann", "Lee", "", "", "Contoso", "", "")]))
    plan, _, _ = plan_import(chart, grids, contacts)
    plan.writes.append(CellWrite(chart.contacts.sheet, plan.appended.first, chart.contacts.columns["organization"],
                                 "Fabrikam"))
    block_file, general_file, general = _write_both(tmp_path, plan, chart, grids)
    assert _parts(block_file) == _parts(general_file)
    verify_written(block_file, grids, plan, chart)
    assert b">Fabrikam<" in _parts(block_file)[_contacts_part(block_file)]


def test_thousands_of_new_rows_are_written_as_the_general_path_writes_them(tmp_path, charts):
    # The writer turns the block into bytes thousands of rows at a time: across those batches too.
    people = [(f"Ann{i}", f"Lee {i} & <Co>", f"https://www.linkedin.com/in/ann-{i}", f"ann{i}@example.org" * (i % 3 > 0),
               "=Contoso" if i % 7 == 0 else "Fabrikam", " Analyst " if i % 5 == 0 else "Analyst", "01 Mar 2024")
              for i in range(9000)]
    for which in ("new", "sample"):
        path, grids, chart = charts[which]
        contacts = read_contacts_file(_export(tmp_path / "Connections.csv", people))
        plan, _, _ = plan_import(chart, grids, contacts)
        assert len(plan.appended.cells) == 9000
        block_file, general_file, _ = _write_both(tmp_path, plan, chart, grids)
        assert _parts(block_file) == _parts(general_file)
        verify_written(block_file, grids, plan, chart)


@pytest.mark.parametrize("via", ["\x01\r=Ann", "Ann\x02\r"])
def test_a_via_with_a_cr_at_an_end_is_imported_and_reads_back_as_typed(tmp_path, charts, via):
    # The cell text loses the control character an .xlsx cannot hold, and then starts or ends with a CR. It is
    # written "&#13;", which must be kept with xml:space="preserve": without it the CR was trimmed on reading
    # and the read-back refused the whole import.
    path = tmp_path / "c.xlsx"
    shutil.copy(charts["new"][0], path)
    export = _export(tmp_path / "Connections.csv", [("Ann", "Lee", "", "", "Contoso", "Analyst", "")])
    result = run("import", path, export, "--via", via)
    assert result.exit_code == 0, result.output
    row = next(r for r in read_chart(path).contacts.rows if r.text("name") == "Ann Lee")
    assert row.values["via"] == cell_text(via.strip())
