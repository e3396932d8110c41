"""Property tests: ``chart sync`` and ``chart import`` lose nothing, whatever the chart holds (issue 7).

Hypothesis builds random charts — any Unicode text, text thousands of characters
long, numbers, dates and times, blanks, text that looks like a formula and real
formulas, bold and filled cells, a title row, blank rows inside the table, columns
of the person's own, another sheet — and random contact exports. The properties:

* every cell the person wrote reads back the same (value, type, number format, bold,
  fill) after a sync or an import; an import only fills cells that were blank;
* a second sync, or a second identical import, rewrites nothing: not one byte;
* an import never adds a person the chart (or the file) already has;
* characters a workbook cannot hold (control characters, which Excel stores as
  ``_x0001_``) are dropped from what the tool writes instead of crashing the save.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import pytest
from conftest import GOOD_PROFILE, contact, profile_rows, rewrite_zip, run
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sync_fixtures import TODAY, TODAY_ARG, simple_chart

from workbook_tool import schema
from workbook_tool.errors import RefusedToWrite
from workbook_tool.fields import email_key, name_key, phone_key
from workbook_tool.importer import import_contacts
from workbook_tool.sync import sync_chart
from workbook_tool.grids import read_grids

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])
TOOL_HEADERS = {c.header for c in schema.CONTACTS.tool_columns}
EXTRA_HEADERS = ["My Rating", "Zählung ✓", "备注", "Links & Refs", "Last Call"]
FORMULA_TEXT = ["=1+1", '=HYPERLINK("http://evil.example","click")', "+1-2", "-3+4", "@SUM(A1:A2)",
                "=cmd|' /C calc'!A0", "= not really"]
REAL_FORMULAS = ["=1+1", "=LEN(A1)", '=CONCATENATE("a","b")', "=SUM(1,2,3)"]


# --------------------------------------------------------------------------- strategies

# Anything a person may type: every Unicode category but surrogates (not text),
# unassigned code points and control characters (a workbook cannot hold those; see
# the tests at the end), plus tabs and line breaks.
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r\u2028\u0085")


def _not_a_header(text: str) -> bool:
    # Text that names a column could make a data row look like the header row.
    return (schema.CONTACTS.match_header(text) is None and schema.PROFILE_SHEET.match_header(text) is None
            and schema.WANT_TO_MEET.match_header(text) is None)


short_text = st.text(_chars, min_size=1, max_size=40).filter(lambda t: t.strip() and _not_a_header(t))
long_text = st.tuples(st.text(_chars, min_size=1, max_size=12).filter(str.strip), st.integers(500, 4000)).map(
    lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]).filter(_not_a_header)
words = st.sampled_from(["Ann Lee", "José Núñez", "Zoë O'Brien", "李小龙", "Анна Петрова", "محمد علي", "Dr. Bob Roe",
                         "Lee, Ann", "_x0041_ literal", "Café ☕ Team", "  padded  "])
# Mostly dates of a job search, sometimes any date Excel can hold (a typo such as 3026).
dates = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)) | st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31))
datetimes = st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, fold=0))  # Excel keeps milliseconds
times = st.times().map(lambda t: t.replace(microsecond=0)) | st.timedeltas(dt.timedelta(0), dt.timedelta(days=9)).map(
    lambda d: dt.timedelta(seconds=int(d.total_seconds())))
numbers = st.integers(-10**12, 10**12) | st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False).map(
    lambda f: round(f, 6))
cell_value = st.one_of(
    st.none(), st.none(), short_text, words, long_text, numbers, dates, datetimes, times, st.booleans(),
    st.sampled_from(FORMULA_TEXT),
    st.sampled_from(["617-555-0142", "+44 20 7946 0958", "ann@fabrikam.org", "not an email", "2026-11-02",
                     "2026-02-30", "November 2, 2026", "3/4/2026", "Declined", "Own", "Referral", "Email", "Call"]),
)
recommended_value = st.one_of(
    st.none(),
    st.lists(st.one_of(words, short_text,
                       st.builds(lambda n, e, o: f"{n} <{e}>, {o}", words,
                                 st.sampled_from(["bob@x.org", "ann@fabrikam.org", "zed@y.com"]), words),
                       st.sampled_from(["!!!", "=EVIL()", "Bob Roe, 617-555-0142, Northwind", "@@", "Ann Lee"])),
             min_size=1, max_size=3).map("; ".join),
)
fills = st.sampled_from([None, None, None, "FFFF00", "FFC7CE"])


@st.composite
def charts(draw):
    """A random chart: (layout dict) — headers, rows of values, formats, title, extra sheet."""
    user_keys = [c.key for c in schema.CONTACTS.user_columns if c.key != "name"]
    if draw(st.booleans()):
        keys = ["name"] + user_keys  # every column: people recommended can be added
    else:
        keys = ["name"] + draw(st.lists(st.sampled_from(user_keys), unique=True, max_size=len(user_keys)))
    keys = draw(st.permutations(keys))
    headers = [schema.CONTACTS.column(k).header for k in keys]
    extras = draw(st.lists(st.sampled_from(EXTRA_HEADERS), unique=True, max_size=2))
    headers += extras
    if draw(st.booleans()):  # the tool's own columns already there, still empty
        headers += draw(st.lists(st.sampled_from(sorted(TOOL_HEADERS - {"Draft"})), unique=True, min_size=1))
    rows = []
    for _ in range(draw(st.integers(0, 7))):
        if draw(st.integers(0, 5)) == 0:
            rows.append(None)  # a blank row inside the table
            continue
        row = []
        for h in headers:
            if h in TOOL_HEADERS:
                row.append(None)
            elif h == "Name":
                row.append(draw(st.one_of(words, short_text, st.sampled_from(FORMULA_TEXT), st.none())))
            elif h == "Recommended":
                row.append(draw(recommended_value))
            elif h in extras:
                row.append(draw(st.one_of(cell_value, st.sampled_from(REAL_FORMULAS).map(lambda f: ("formula", f)))))
            else:
                row.append(draw(cell_value))
        rows.append(row)
    styled = draw(st.lists(st.tuples(st.integers(0, 8), st.integers(0, len(headers) - 1), st.booleans(), fills),
                           max_size=6))
    profile = dict(GOOD_PROFILE)
    if draw(st.booleans()):
        profile.update(draw(st.fixed_dictionaries({}, optional={
            "Follow-Up Days": st.sampled_from([3, "seven", -1, 10**6, 2.5, None]),
            "Region": st.sampled_from(["GB", "USA", "", 44]),
            "Your Email": st.sampled_from([12345, "nobody", None]),
            "Your Name": st.one_of(words, st.sampled_from(["=1+1", "{{ 7*7 }}"])),
        })))
    other = draw(st.lists(st.lists(cell_value, max_size=4), max_size=4))
    return {"headers": headers, "rows": rows, "title": draw(st.one_of(st.none(), words, long_text)),
            "styled": styled, "profile": profile, "other": other,
            "want_to_meet": draw(st.one_of(st.none(), st.lists(st.lists(st.one_of(words, short_text, st.none()),
                                                                           min_size=4, max_size=4), max_size=3)))}


def _put(ws, r, c, value):
    if value is None:
        return None
    if isinstance(value, tuple):  # ("formula", "=1+1"): a real formula
        return ws.cell(row=r, column=c, value=value[1])
    cell = ws.cell(row=r, column=c, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text typed as text: "=1+1" is not a formula
    return cell


def build(path: Path, layout: dict) -> Path:
    """Write a layout from ``charts()`` as an .xlsx."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Contacts"
    top = 1
    if layout["title"] is not None:
        _put(ws, 1, 1, layout["title"])
        top = 3
    for c, h in enumerate(layout["headers"], start=1):
        ws.cell(row=top, column=c, value=h).font = Font(bold=True)
    for r, row in enumerate(layout["rows"], start=top + 1):
        for c, value in enumerate(row or [], start=1):
            _put(ws, r, c, value)
    for r, c, bold, fill in layout["styled"]:
        cell = ws.cell(row=top + r, column=c + 1)
        if bold:
            cell.font = Font(bold=True, italic=True)
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
    profile = wb.create_sheet("Profile")
    for r, row in enumerate(profile_rows(layout["profile"]), start=1):
        for c, value in enumerate(row, start=1):
            _put(profile, r, c, value)
    if layout["want_to_meet"] is not None:
        wtm = wb.create_sheet("Want to Meet")
        for r, row in enumerate([["Name", "Organization", "Why", "Possible Connector"], *layout["want_to_meet"]], 1):
            for c, value in enumerate(row, start=1):
                _put(wtm, r, c, value)
    other = wb.create_sheet("My Notes ✎")
    for r, row in enumerate(layout["other"], start=1):
        for c, value in enumerate(row, start=1):
            _put(other, r, c, value)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- comparing


def user_cells(path: Path) -> dict[tuple[str, str], tuple]:
    """Every cell with a value or a style: (value, type, number format, bold, italic, fill), by (sheet, cell)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                out[(ws.title, cell.coordinate)] = (
                    cell.value, cell.data_type, cell.number_format, cell.font.b, cell.font.i,
                    cell.fill.fgColor.rgb if cell.fill.fill_type else None)
    return out


def tool_owned(path: Path) -> set[tuple[str, str]]:
    """The cells a sync may rewrite: Contacts' tool columns, Want to Meet's Status, the tool's sheets."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    owned = set()
    for ws in wb.worksheets:
        if ws.title in ("Referrals", "Dashboard"):
            owned |= {(ws.title, c.coordinate) for row in ws.iter_rows() for c in row}
            continue
        tool = TOOL_HEADERS if ws.title == "Contacts" else {"Status"} if ws.title == "Want to Meet" else set()
        for r in range(1, 4):
            for c in range(1, ws.max_column + 1):
                if ws.cell(r, c).value in tool:
                    owned |= {(ws.title, ws.cell(rr, c).coordinate) for rr in range(r + 1, ws.max_row + 1)}
    return owned


def _split(where: tuple[str, str]) -> tuple[int, str]:
    """("Contacts", "AB12") → (12, "AB")."""
    letters = where[1].rstrip("0123456789")
    return int(where[1][len(letters):]), letters


def assert_user_cells_kept(before: dict, after: dict, owned: set, may_fill: set = frozenset()) -> None:
    for where, old in before.items():
        if where in owned:
            continue
        new = after.get(where)
        if where in may_fill and old[0] is None:
            assert new is not None and new[2:] == old[2:], (where, old, new)  # filled, formats kept
            continue
        assert new == old, f"{where[0]}!{where[1]}: {old!r} became {new!r}"


def snapshot_folder(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# --------------------------------------------------------------------------- sync


@SETTINGS
@given(layout=charts())
def test_sync_keeps_every_user_cell_and_a_second_sync_changes_no_byte(tmp_path_factory, layout):
    folder = tmp_path_factory.mktemp("prop-sync")
    path = build(folder / "chart.xlsx", layout)
    original = path.read_bytes()
    before = user_cells(path)
    try:
        first = sync_chart(path, TODAY)
    except RefusedToWrite as exc:
        # The only refusal a random chart can meet: people to add but no column for them.
        assert "which chart sync needs to add the people your contacts recommended" in exc.message, exc
        event("refused: no column for the people recommended")
        assert path.read_bytes() == original
        return
    event(f"first sync wrote: {first.written}; rows added: {bool(first.plan.new_rows)}")
    after = user_cells(path)
    # A row added for someone recommended may go where the person had formatted blank
    # cells ahead: those get values, and keep their formatting.
    added = {("Contacts", f"{column}{new.number}") for new in first.plan.new_rows
             for column in {c for _, c in map(_split, before)}}
    assert_user_cells_kept(before, after, tool_owned(path), added)
    assert {s for s, _ in after} >= {s for s, _ in before}, "a sheet was lost"
    if first.written:
        assert first.backup is not None and first.backup.read_bytes() == original

    synced = path.read_bytes()
    listing = sorted(p.name for p in folder.rglob("*"))
    second = sync_chart(path, TODAY)
    assert not second.written and not second.plan.changed, (second.plan.writes[:5], second.plan.new_rows)
    assert path.read_bytes() == synced
    assert sorted(p.name for p in folder.rglob("*")) == listing, "no backup, no temporary file"


# --------------------------------------------------------------------------- import

# An export's text: no C1 control characters (U+0085 …), which read as binary junk in a CSV.
file_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r\u2028"),
                    min_size=1, max_size=40).filter(str.strip)
file_long_text = st.tuples(file_text, st.integers(500, 4000)).map(lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]])
person_names = st.one_of(words, file_text, st.sampled_from(["Maria Chen", "maria chen", "Chen, Maria", "!!!", ""]))
emails = st.one_of(st.none(), st.sampled_from(["maria@contoso.com", "MARIA@contoso.com", "ann@fabrikam.org",
                                               "new@example.com", "x@y", "=HYPERLINK(\"x\")"]))
phones = st.one_of(st.none(), st.sampled_from(["617-555-0101", "(617) 555-0101", "+1 617 555 0199", "12"]))
file_rows = st.lists(st.tuples(person_names, emails, phones, st.one_of(st.none(), words, file_text,
                                                                        st.sampled_from(FORMULA_TEXT)),
                               st.one_of(st.none(), file_text, file_long_text)), max_size=8)
chart_rows = st.lists(st.tuples(st.one_of(st.none(), words, st.sampled_from(["Maria Chen", "Bob Roe", "=1+1"])),
                                emails, phones, st.one_of(st.none(), words, st.just(("formula", "=1+1"))),
                                st.one_of(st.none(), short_text)), max_size=6)


def build_import_chart(path: Path, rows, title) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Contacts"
    top = 3 if title else 1
    if title:
        _put(ws, 1, 1, title)
    headers = ["Name", "Email", "Phone", "Organization", "Notes", "Source", "Via", "Title", "My Extra"]
    for c, h in enumerate(headers, start=1):
        ws.cell(top, c, h).font = Font(bold=True)
    for r, (name, email, phone, org, notes) in enumerate(rows, start=top + 1):
        for c, value in enumerate((name, email, phone, org, notes, None, None, None, f"extra {r}"), start=1):
            _put(ws, r, c, value)
    profile = wb.create_sheet("Profile")
    for r, row in enumerate(profile_rows(GOOD_PROFILE), start=1):
        for c, value in enumerate(row, start=1):
            _put(profile, r, c, value)
    wb.save(path)
    return path


def write_csv(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Name", "Email", "Phone", "Company", "Notes"])
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    return path


def _keys(values: dict) -> set[tuple[str, str]]:
    found = set()
    if values.get("name") is not None and name_key(values["name"]):
        found.add(("name", name_key(values["name"])))
    if values.get("email") is not None and (k := email_key(values["email"])):
        found.add(("email", k))
    if values.get("phone") is not None and (k := phone_key(values["phone"], "US")):
        found.add(("phone", k))
    return found


@SETTINGS
@given(existing=chart_rows, incoming=file_rows, title=st.one_of(st.none(), words),
       source=st.sampled_from(["Own", "family", "Friend"]), via=st.one_of(st.none(), words, st.just("=1+1")))
def test_import_keeps_user_cells_adds_no_duplicate_and_is_idempotent(tmp_path_factory, existing, incoming, title,
                                                                    source, via):
    from openpyxl import load_workbook

    folder = tmp_path_factory.mktemp("prop-import")
    path = build_import_chart(folder / "chart.xlsx", existing, title)
    export = write_csv(folder / "export.csv", incoming)
    before = user_cells(path)
    top = 3 if title else 1
    first_row, last_row = top + 1, top + len(existing)
    # The blank cells an import may fill for a person already in the chart.
    may_fill = {("Contacts", f"{col}{r}") for r in range(first_row, last_row + 1) for col in "BCDEH"}
    # People as the tool (and Excel) read them: "_x0041_" in a file's XML means "A".
    grid = read_grids(path)["Contacts"]
    old_people = [{"name": grid[r - 1][0], "email": grid[r - 1][1], "phone": grid[r - 1][2]}
                  for r in range(first_row, last_row + 1)]

    result = import_contacts(path, export, source=source, via=via)
    after = user_cells(path)
    assert_user_cells_kept(before, after, set(), may_fill)

    # No new row is someone the chart already had, or another new row.
    ws = load_workbook(path)["Contacts"]
    grid = read_grids(path)["Contacts"]
    seen = set().union(*(_keys(p) for p in old_people)) if old_people else set()
    added = 0
    for r in range(last_row + 1, len(grid) + 1):
        cells = grid[r - 1] + [None] * 9
        values = {"name": cells[0], "email": cells[1], "phone": cells[2]}
        if all(v is None for v in values.values()):
            continue
        added += 1
        keys = _keys(values)
        assert keys and not keys & seen, f"row {r} {values} duplicates someone"
        seen |= keys
        assert cells[5] == source.capitalize()
        assert cells[6] == ((via or "").strip() or None)
        for c in range(1, 10):
            assert ws.cell(r, c).data_type != "f", "imported text became a formula"
    assert added == len(result.added)
    event(f"added: {bool(result.added)}, merged: {bool(result.merged)}")

    data = path.read_bytes()
    listing = sorted(p.name for p in folder.rglob("*"))
    again = import_contacts(path, export, source=source, via=via)
    assert not again.written and not again.added and not again.merged
    assert path.read_bytes() == data
    assert sorted(p.name for p in folder.rglob("*")) == listing


# --------------------------------------------------------------------------- characters a workbook cannot hold


def with_control_characters(src: Path, dst: Path, marks: dict[str, str]) -> Path:
    """Put control characters into cells the way Excel stores them (``_x0001_``), by editing the sheet XML."""
    with zipfile.ZipFile(src) as zf:
        sheets = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")}
    for mark, escaped in marks.items():
        assert any(mark in xml for xml in sheets.values()), mark
        sheets = {n: xml.replace(mark, escaped) for n, xml in sheets.items()}
    return rewrite_zip(src, dst, replace=sheets)


def test_control_characters_from_excel_do_not_stop_a_sync(tmp_path):
    src = simple_chart(tmp_path / "src.xlsx", [
        contact(name="Ann Lee", email="ann@fabrikam.org", recommended="Bob MARK1 Roe; Cy Doe <cy@x.org>, Org MARK2"),
        contact(name="Dee MARK3 Fox", email="bad MARK4 address", referred_by="Ann Lee"),
    ], want_to_meet=[["Eve MARK1 Ng", "Contoso", None, None]])
    path = with_control_characters(src, tmp_path / "chart.xlsx",
                                   {"MARK1": "_x0001_", "MARK2": "_x001B_[2J", "MARK3": "_x0002_", "MARK4": "_x0007_"})
    from workbook_tool.grids import read_grids

    recommended = [c.key for c in schema.CONTACTS.user_columns].index("recommended")
    assert "\x01" in read_grids(path)["Contacts"][1][recommended]  # the reader turns _x0001_ back into the character
    before = user_cells(path)
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert_user_cells_kept(before, user_cells(path), tool_owned(path))
    from openpyxl import load_workbook

    ws = load_workbook(path)["Contacts"]
    names = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert "Bob  Roe" in names and "Cy Doe" in names  # the character dropped, the person added once
    data = path.read_bytes()
    again = run("sync", path, "--today", TODAY_ARG)
    assert again.exit_code == 0 and "already up to date" in again.stdout
    assert path.read_bytes() == data


@pytest.mark.parametrize("bad, via", [("\x01", "\x00"), ("\x0b", "\x1b"), ("\ufffe", "\x07"),
                                      ("\uffff", "\ud800")])
def test_characters_a_workbook_cannot_hold_are_dropped_on_import(tmp_path, bad, via):
    path = simple_chart(tmp_path / "chart.xlsx", [contact(name="Ann Lee", email="ann@fabrikam.org")])
    export = tmp_path / "export.csv"
    export.write_text(f"Name,Email,Company\nBob{bad}Roe,bob@x.org,Org\n", encoding="utf-8")
    result = run("import", path, export, "--via", f"Da{via}d", "--source", "Family")
    assert result.exit_code == 0, result.output
    row = read_grids(path)["Contacts"][2]
    assert {"BobRoe", "Dad", "Org"} <= set(row), row
    data = path.read_bytes()
    assert run("import", path, export, "--via", f"Da{via}d", "--source", "Family").exit_code == 0
    assert path.read_bytes() == data


def test_text_that_looks_like_an_excel_escape_reads_back_as_typed(tmp_path):
    # "_x0041_" in a cell's XML is Excel's way to write "A"; text the tool writes must
    # not turn into something else when Excel (or the reader) opens it.
    path = simple_chart(tmp_path / "chart.xlsx", [contact(name="Ann Lee", email="ann@fabrikam.org")])
    export = tmp_path / "export.csv"
    export.write_text("Name,Email,Company\nBob_x0041_Roe,bob@x.org,Org _x00e9_\n", encoding="utf-8")
    assert run("import", path, export, "--via", "Dad_x005F_").exit_code == 0
    row = read_grids(path)["Contacts"][2]
    assert {"Bob_x0041_Roe", "Org _x00e9_", "Dad_x005F_"} <= set(row), row
    synced = run("sync", path, "--today", TODAY_ARG)
    assert synced.exit_code == 0, synced.output
    assert "Bob_x0041_Roe" in read_grids(path)["Contacts"][2]


def test_cells_excel_stores_escaped_keep_their_text_through_a_sync(tmp_path):
    # Excel writes a typed "_x0041_" as "_x005F_x0041_"; openpyxl's reader drops every
    # "x005F_", so without care a sync would turn the cell into "A" (or refuse).
    src = simple_chart(tmp_path / "src.xlsx", [
        contact(name="Ann Lee", email="ann@fabrikam.org", notes="NOTE1", helpful="NOTE2",
                recommended="Bob NOTE3 Roe <bob@x.org>"),
    ], extra_sheets={"Mine": [["NOTE1", "NOTE2"]]})
    path = with_control_characters(src, tmp_path / "chart.xlsx", {
        "NOTE1": "code _x005F_x0041_ here", "NOTE2": "tax005F_rate", "NOTE3": "_x005F_x00e9_"})
    typed = {"code _x0041_ here", "tax005F_rate"}
    before = read_grids(path)
    assert typed <= set(before["Contacts"][1]), before["Contacts"][1]
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    after = read_grids(path)
    assert after["Contacts"][1][:17] == before["Contacts"][1][:17]
    assert after["Mine"] == before["Mine"]
    assert "Bob _x00e9_ Roe" in [row[0] for row in after["Contacts"]]
    data = path.read_bytes()
    assert "already up to date" in run("sync", path, "--today", TODAY_ARG).stdout
    assert path.read_bytes() == data
