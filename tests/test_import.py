"""``chart import``: people from LinkedIn, Google, Outlook, vCard and plain CSV/XLSX exports.

The sample exports in tests/data/import/ are written by hand after the real ones
(LinkedIn's "Notes:" preamble, Google's "E-mail 1 - Value", Outlook's honorific
"Title" beside "Job Title", vCard 4.0's ``tel:`` URIs). They are imported into the
sample chart, whose people (Maria Chen on row 2 … Grace Liu on row 14) some of
them repeat, so that every run shows additions, merges and skips.
"""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from tests.conftest import run
from workbook_tool import schema
from workbook_tool.errors import BadOption, UnreadableWorkbook
from workbook_tool.importer import import_contacts, plan_import, read_contacts_file
from workbook_tool.grids import read_grids
from workbook_tool.workbook import read_chart

DATA = Path(__file__).resolve().parent / "data" / "import"
FIRST_NEW_ROW = 15  # the sample chart's people fill rows 2-14
HEADERS = {c.header: i for i, c in enumerate(schema.CONTACTS.user_columns, start=1)}


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def chart(tmp_path) -> Path:
    """The sample chart, with a sheet of the person's own and a styled cell in it."""
    from openpyxl.styles import Font, PatternFill

    from workbook_tool.create import new_workbook

    wb = new_workbook(sample=True)
    ws = wb.create_sheet("Budget")
    ws["A1"] = "Coffee money"
    ws["B1"] = 42.5
    ws["B1"].font = Font(bold=True, color="C00000")
    ws["B1"].fill = PatternFill("solid", fgColor="FFF2CC")
    ws["B1"].number_format = "$#,##0.00"
    ws.column_dimensions["A"].width = 31
    # The person's own dress for the last row, which new rows should take on.
    for c in range(1, len(HEADERS) + 1):
        wb["Contacts"].cell(row=14, column=c).fill = PatternFill("solid", fgColor="E2EFDA")
        wb["Contacts"].cell(row=14, column=c).font = Font(italic=True)
    path = tmp_path / "chart.xlsx"
    wb.save(path)
    return path


@pytest.fixture
def empty_chart(tmp_path) -> Path:
    from workbook_tool.create import new_workbook

    path = tmp_path / "empty.xlsx"
    new_workbook().save(path)
    return path


def chart_import(chart_path, file, *args):
    return run("import", chart_path, file, *args)


def contacts(path) -> dict[str, dict]:
    """Each Contacts row by name: ``{"Maria Chen": {"row": 2, "Email": ..., ...}}`` after re-opening."""
    from openpyxl import load_workbook

    ws = load_workbook(path)["Contacts"]
    people = {}
    for r in range(2, ws.max_row + 1):
        name = ws.cell(row=r, column=1).value
        if name is None:
            continue
        people[name] = {"row": r, **{h: ws.cell(row=r, column=c).value for h, c in HEADERS.items()}}
    return people


def cell(path, row: int, header: str):
    from openpyxl import load_workbook

    return load_workbook(path)["Contacts"].cell(row=row, column=HEADERS[header])


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# --------------------------------------------------------------------------- each format


def test_linkedin_connections_with_notes_preamble(chart):
    before = contacts(chart)
    result = chart_import(chart, DATA / "Connections.csv")
    ok(result)
    assert result.stdout.splitlines()[:8] == [
        f"{chart}: imported {DATA / 'Connections.csv'} (LinkedIn connections): 2 added, 1 merged, 1 skipped.",
        "Added to Contacts:",
        f"  row {FIRST_NEW_ROW}: Tomás Álvarez",
        f"  row {FIRST_NEW_ROW + 1}: Keiko Sato",
        "Blank cells filled for people already in the chart:",
        "  row 12: David Kim: Email (from row 8 of the file)",
        "Skipped:",
        "  row 7 of the file: Maria Chen: already in the chart (row 2: Maria Chen); nothing new to fill",
    ]
    assert result.stdout.splitlines()[8].startswith("Backup of the previous version: ")
    after = contacts(chart)
    tomas = after["Tomás Álvarez"]
    assert tomas["row"] == FIRST_NEW_ROW
    assert tomas["Source"] == "Own" and tomas["Via"] is None
    assert tomas["Organization"] == "Northwind Traders" and tomas["Title"] == "Supply Chain Analyst"
    assert tomas["Email"] == "tomas.alvarez@northwindtraders.com"
    assert tomas["Notes"] == "LinkedIn: https://www.linkedin.com/in/tomas-alvarez-42 (connected 14 Jan 2025)"
    assert after["Keiko Sato"]["Organization"] == "Adventure Works Cycles, Inc."
    assert after["David Kim"]["Email"] == "david.kim@tailspintoys.com"
    assert after["David Kim"]["Notes"] == before["David Kim"]["Notes"]  # a filled Notes is never replaced
    assert after["Maria Chen"] == before["Maria Chen"]


def test_google_contacts_csv(chart):
    ok(result := chart_import(chart, DATA / "google.csv", "--json"))
    report = json.loads(result.stdout)
    assert report["format"] == "google"
    assert report["counts"] == {"added": 2, "merged": 1, "skipped": 1}
    assert report["merged"] == [{"row": 3, "name": "Ann Lee", "from": "row 3", "filled": ["Phone"]}]
    assert report["skipped"] == [{"name": "Wei Lin", "from": "row 5", "reason": "duplicate of row 2 in the file (Lin Wei)",
                                  "row": None}]
    people = contacts(chart)
    lin = people["Lin Wei"]
    # Google writes several addresses in one cell, "a ::: b": the first one is kept.
    assert lin["Email"] == "lin.wei@woodgrovebank.com"
    assert (lin["Organization"], lin["Title"], lin["Phone"]) == ("Woodgrove Bank", "Credit Analyst", "+1 617-555-0193")
    assert lin["Notes"] == "Met at the CFA dinner"
    assert people["Ann Lee"]["Phone"] == "617-555-0111"
    assert people["Samir Haddad"]["Phone"] == "(617) 555-0134"
    assert "Wei Lin" not in people


def test_google_contacts_legacy_csv_joins_given_and_family_names(chart):
    ok(result := chart_import(chart, DATA / "google-legacy.csv", "--json"))
    report = json.loads(result.stdout)
    assert report["format_label"] == "Google Contacts CSV"
    assert [a["name"] for a in report["added"]] == ["Nadia Petrenko", "Omar Farouk"]
    people = contacts(chart)
    assert people["Nadia Petrenko"]["Title"] == "Talent Partner"
    assert people["Omar Farouk"]["Organization"] == "Proseware"
    assert people["Omar Farouk"]["Notes"] == "Friend of Priya"


def test_outlook_csv_in_cp1252_keeps_job_title_not_the_honorific(chart):
    ok(result := chart_import(chart, DATA / "outlook.csv"))
    assert "(Outlook CSV): 1 added, 1 merged, 1 skipped." in result.stdout
    assert "  row 4 of the file: info@acme.example: no name" in result.stdout
    people = contacts(chart)
    renee = people["Renée Dubois"]
    assert renee["Title"] == "Chief Data Officer"  # Outlook's "Title" column holds "Dr."
    assert renee["Phone"] == "(617) 555-0177"  # the mobile before the business phone
    assert renee["Notes"] == "Café near South Station"
    assert people["Frank Osei"]["Email"] == "frank.osei@adatum.com"
    assert people["Frank Osei"]["Phone"] == "617-555-0188"


def test_vcard_3(chart):
    ok(result := chart_import(chart, DATA / "contacts-v3.vcf", "--json"))
    report = json.loads(result.stdout)
    assert report["format_label"] == "vCard 3.0"
    assert report["added"] == [{"row": FIRST_NEW_ROW, "name": "Lucía Fernández", "from": "card 1"}]
    assert report["merged"] == [{"row": 14, "name": "Grace Liu", "from": "card 2", "filled": ["Phone"]}]
    assert report["skipped"] == [{"name": "orders@wideworldimporters.com", "from": "card 3", "reason": "no name",
                                  "row": None}]
    lucia = contacts(chart)["Lucía Fernández"]
    assert lucia["Email"] == "lucia.f@example.com"  # the PREF address
    assert lucia["Phone"] == "+1 617 555 0166"  # the cell phone
    assert lucia["Organization"] == "Trey Research" and lucia["Title"] == "Research Lead"
    assert lucia["Notes"] == ("Met at the Boston analytics meetup, talked about forecasting.\n"
                              "She offered to review my portfolio.\nLinkedIn: https://www.linkedin.com/in/luciafernandez")
    assert contacts(chart)["Grace Liu"]["Phone"] == "(617) 555-0172"


def test_vcard_4(chart):
    ok(result := chart_import(chart, DATA / "contacts-v4.vcf", "--json"))
    report = json.loads(result.stdout)
    assert report["format_label"] == "vCard 4.0"
    assert [a["name"] for a in report["added"]] == ["Ayumi Mori", "Lars Bergström"]
    assert report["skipped"][0]["reason"] == "duplicate of card 1 in the file (Ayumi Mori)"
    people = contacts(chart)
    assert people["Ayumi Mori"]["Phone"] == "+1-617-555-0181"  # from TEL;VALUE=uri:tel:...
    assert people["Ayumi Mori"]["Email"] == "ayumi@mori.example"  # PREF=1
    assert people["Lars Bergström"]["Phone"] == "+46-8-123-456-78"  # no FN: the name comes from N


def test_generic_csv_keeps_formula_looking_text_as_text(chart):
    ok(result := chart_import(chart, DATA / "generic.csv"))
    assert "Columns not imported: Favorite Color." in result.stdout
    assert "  row 5: Olivia Park: Phone (from row 4 of the file)" in result.stdout
    people = contacts(chart)
    assert people["Jamal Wright"]["Title"] == "Analyst" and people["Jamal Wright"]["Phone"] == "617-555-0155"
    row = people["=cmd|' /C calc'!A0"]["row"]
    for header, text in (("Name", "=cmd|' /C calc'!A0"), ("Organization", "+Contoso"), ("Title", "@SUM(1)"),
                         ("Notes", "=1+1")):
        c = cell(chart, row, header)
        assert (c.value, c.data_type) == (text, "s")


def test_generic_xlsx_with_a_title_above_its_header(chart):
    ok(result := chart_import(chart, DATA / "alumni.xlsx", "--json"))
    report = json.loads(result.stdout)
    assert report["format"] == "xlsx"
    assert [a["name"] for a in report["added"]] == ["Beatriz Santos", "Kwame Mensah"]
    assert report["skipped"][0]["reason"] == "already in the chart (row 9: Hiro Tanaka); nothing new to fill"
    assert report["notes"] == ["Columns not imported: Class Year."]
    beatriz = contacts(chart)["Beatriz Santos"]
    assert beatriz["Phone"] == "6175550148"  # a number cell becomes text, without ".0"
    assert (beatriz["Organization"], beatriz["Title"]) == ("Relecloud", "BI Developer")


# --------------------------------------------------------------------------- telling the format from the content


def test_format_is_told_from_content_not_the_name(tmp_path):
    vcard = tmp_path / "export.txt"
    vcard.write_bytes((DATA / "contacts-v4.vcf").read_bytes())
    linkedin = tmp_path / "connections.dat"
    linkedin.write_bytes((DATA / "Connections.csv").read_bytes())
    csv_named_vcf = tmp_path / "people.vcf"
    csv_named_vcf.write_text("Name,Email\nAnn Example,ann@example.com\n")
    xlsx_named_csv = tmp_path / "alumni.csv"
    xlsx_named_csv.write_bytes((DATA / "alumni.xlsx").read_bytes())
    assert read_contacts_file(vcard).label == "vCard 4.0"
    assert read_contacts_file(linkedin).format == "linkedin"
    with pytest.raises(UnreadableWorkbook, match="no BEGIN:VCARD"):
        read_contacts_file(csv_named_vcf)
    assert read_contacts_file(xlsx_named_csv).format == "xlsx"


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8-sig", ","),  # Excel's "CSV UTF-8"
    ("cp1252", ";"),  # Excel in much of Europe: ANSI, semicolons
    ("latin-1", ";"),
    ("utf-16", "\t"),  # Excel's "Unicode Text"
    ("utf-8", "|"),
])
def test_encodings_and_separators(tmp_path, encoding, delimiter):
    rows = [["Nom complet", "Name", "Société", "E-mail", "Phone"],
            ["", "Zoë Lefèvre", "Crème Brûlée SARL", "zoe@creme.example", "+33 1 23 45 67 89"],
            ["", "François Müller", "Straße AG", "", "030 1234567"]]
    path = tmp_path / "people.csv"
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    read = read_contacts_file(path)
    assert [p.name for p in read.people] == ["Zoë Lefèvre", "François Müller"]
    assert read.people[0].values == {"phone": "+33 1 23 45 67 89", "email": "zoe@creme.example"}
    assert read.notes == ["Columns not imported: Nom complet, Société."]


def test_broken_vcard_does_not_lose_the_others_and_prints_nothing(chart, tmp_path, capfd):
    path = tmp_path / "phone.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:First Person\nTHIS LINE HAS NO COLON\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nBEGIN:VEVENT\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\n"
                    "TEL;CELL:030 1234567\nEND:VCARD\n", encoding="utf-8")
    read = read_contacts_file(path)
    assert [(p.where, p.name) for p in read.people if not p.problem] == [("card 1", "First Person"),
                                                                         ("card 3", "Jürgen Müller")]
    assert read.people[1].problem.startswith("unreadable vCard (")
    assert read.notes == ["Skipped 1 unreadable line in the vCards."]
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""  # vobject's log lines do not leak out


# --------------------------------------------------------------------------- duplicates and merging


def test_never_duplicates_a_person_found_by_email_phone_or_name(chart, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(
        "Name,Email,Phone,Company,Title\n"
        "M. Chen,MARIA.CHEN@contoso.com,,,\n"  # same email, other name
        "Robert Roe,,(617) 555-0142,,\n"  # same phone, written differently
        "\"Petrova, Elena\",,,,\n"  # same name, Last, First
        "Dr. Hiro Tanaka,,,,\n"  # same name with an honorific
        "New Person,new@example.com,,,\n"
        "new person,,,,Analyst\n"  # the same new person again, in the file
        ",,,Nameless Inc,\n")
    ok(result := chart_import(chart, path, "--json"))
    report = json.loads(result.stdout)
    assert report["counts"] == {"added": 1, "merged": 0, "skipped": 6}
    reasons = [s["reason"] for s in report["skipped"]]
    assert reasons == [
        "already in the chart (row 2: Maria Chen); nothing new to fill",
        "already in the chart (row 4: Bob Roe); nothing new to fill",
        "already in the chart (row 13: Elena Petrova); nothing new to fill",
        "already in the chart (row 9: Hiro Tanaka); nothing new to fill",
        "duplicate of row 6 in the file (New Person)",
        "no name",
    ]
    assert len(contacts(chart)) == 14


def test_merge_fills_blank_cells_only(chart, tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("Name,Company,Title,Email,Phone,Notes\n"
                    "Frank Osei,Other Corp,Other Title,frank@adatum.com,999-999-9999,new note\n"
                    "Olivia Park,,,,617-555-0190,\n"
                    "olivia park,,,,617-555-0199,\n")  # the chart's Phone was filled from the line above
    before = contacts(chart)
    ok(result := chart_import(chart, path))
    assert "  row 10: Frank Osei: Email (from row 2 of the file)" in result.stdout
    assert "  row 5: Olivia Park: Phone (from row 3 of the file)" in result.stdout
    after = contacts(chart)
    frank = after["Frank Osei"]
    assert frank["Email"] == "frank@adatum.com"
    for header in ("Organization", "Title", "Phone", "Notes", "Source", "Via"):
        assert frank[header] == before["Frank Osei"][header]
    assert after["Olivia Park"]["Phone"] == "617-555-0190"


def test_merge_uses_the_charts_own_header_names(tmp_path):
    from tests.conftest import write_chart

    path = write_chart(tmp_path / "mine.xlsx", ["Full Name", "Company", "E-mail"], [["Ann Lee", None, "ann@x.org"]])
    people = tmp_path / "p.csv"
    people.write_text("Name,Organization\nAnn Lee,Fabrikam\nBo Chan,Litware\n")
    ok(result := chart_import(path, people))
    assert "  row 2: Ann Lee: Company (from row 2 of the file)" in result.stdout
    # Source is not a column of this chart: the new row gets what it can hold, and a word about it.
    assert ("The Contacts sheet has no Source column, so 1 value was not imported there. Add the column and import "
            "again to fill it.") in result.stdout
    grid = read_grids(path)["Contacts"]
    assert grid[:3] == [["Full Name", "Company", "E-mail"], ["Ann Lee", "Fabrikam", "ann@x.org"],
                        ["Bo Chan", "Litware", None]]


def test_a_formula_cell_that_reads_blank_is_not_filled(tmp_path):
    from openpyxl import load_workbook

    from workbook_tool.create import new_workbook

    path = tmp_path / "f.xlsx"
    wb = new_workbook(sample=True)
    wb["Contacts"].cell(row=3, column=HEADERS["Phone"], value='=IF(TRUE,"","")')
    wb.save(path)  # openpyxl keeps no cached value: the cell reads blank
    people = tmp_path / "p.csv"
    people.write_text("Name,Phone,Title\nAnn Lee,617-555-0111,\n")
    ok(result := chart_import(path, people))
    assert "already in the chart (row 3: Ann Lee); nothing new to fill" in result.stdout
    assert load_workbook(path)["Contacts"].cell(row=3, column=HEADERS["Phone"]).value == '=IF(TRUE,"","")'


# --------------------------------------------------------------------------- options


def test_source_and_via(chart):
    ok(chart_import(chart, DATA / "contacts-v4.vcf", "--source", "family", "--via", "Dad"))
    people = contacts(chart)
    for name in ("Ayumi Mori", "Lars Bergström"):
        assert (people[name]["Source"], people[name]["Via"]) == ("Family", "Dad")


def test_source_must_be_own_family_or_friend(chart):
    before = chart.read_bytes()
    result = chart_import(chart, DATA / "contacts-v4.vcf", "--source", "Referral")
    assert result.exit_code == 2
    assert result.stderr == ("Error: --source 'Referral' is not one of Own, Family, Friend. (Referral is for people a "
                             "contact recommended: chart sync adds those from the Recommended column.)\n")
    with pytest.raises(BadOption, match="--source 'Boss' is not one of Own, Family, Friend."):
        import_contacts(chart, DATA / "contacts-v4.vcf", source="Boss")
    assert chart.read_bytes() == before


def test_dry_run_writes_nothing(chart):
    before = chart.read_bytes()
    result = chart_import(chart, DATA / "Connections.csv", "--dry-run")
    ok(result)
    assert result.stdout.splitlines()[0] == (f"{chart}: dry run of importing {DATA / 'Connections.csv'} "
                                             "(LinkedIn connections): 2 added, 1 merged, 1 skipped; nothing was "
                                             "written.")
    assert f"  row {FIRST_NEW_ROW}: Tomás Álvarez" in result.stdout
    assert chart.read_bytes() == before
    assert not (chart.parent / "chart-backups").exists()
    report = json.loads(chart_import(chart, DATA / "Connections.csv", "--dry-run", "--json").stdout)
    assert (report["dry_run"], report["written"], report["backup"]) == (True, False, None)
    assert chart.read_bytes() == before


def test_nothing_new_rewrites_nothing(chart):
    ok(chart_import(chart, DATA / "outlook.csv"))
    after_first = chart.read_bytes()
    result = chart_import(chart, DATA / "outlook.csv")
    ok(result)
    assert result.stdout.splitlines()[0] == (f"{chart}: nothing new in {DATA / 'outlook.csv'} (Outlook CSV): "
                                             "0 added, 0 merged, 3 skipped; the file was not rewritten.")
    assert chart.read_bytes() == after_first


def test_import_into_an_empty_chart(empty_chart):
    ok(result := chart_import(empty_chart, DATA / "contacts-v3.vcf", "--json"))
    report = json.loads(result.stdout)
    assert [(a["row"], a["name"]) for a in report["added"]] == [(2, "Lucía Fernández"), (3, "Grace Liu")]
    chart = read_chart(empty_chart)
    assert [r.text("name") for r in chart.contacts.rows] == ["Lucía Fernández", "Grace Liu"]


def test_refuses_while_the_chart_is_open_unless_forced(chart):
    lock = chart.parent / f".~lock.{chart.name}#"
    lock.write_text(",Jordan,laptop,26.11.2026 09:00,file:///home/jordan;")
    before = chart.read_bytes()
    result = chart_import(chart, DATA / "contacts-v4.vcf")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {chart}: is open in LibreOffice (Jordan on laptop")
    assert chart.read_bytes() == before
    ok(chart_import(chart, DATA / "contacts-v4.vcf", "--force"))
    assert "Ayumi Mori" in contacts(chart)


# --------------------------------------------------------------------------- keeping the workbook


def test_other_sheets_formatting_and_new_row_styles_survive(chart):
    from openpyxl import load_workbook

    before = load_workbook(chart)
    ok(chart_import(chart, DATA / "Connections.csv"))
    after = load_workbook(chart)
    assert after.sheetnames == before.sheetnames
    old, new = before["Budget"]["B1"], after["Budget"]["B1"]
    assert (new.value, new.number_format, new.font.b, new.font.color.rgb, new.fill.fgColor.rgb) == \
           (old.value, old.number_format, old.font.b, old.font.color.rgb, old.fill.fgColor.rgb)
    assert after["Budget"].column_dimensions["A"].width == 31
    header_before, header_after = before["Contacts"]["A1"], after["Contacts"]["A1"]
    assert header_after.fill.fgColor.rgb == header_before.fill.fgColor.rgb
    assert header_after.font.b == header_before.font.b
    # Every user cell of the rows that were there stays as it was, but the one cell filled.
    for r in range(1, 15):
        for c in range(1, before["Contacts"].max_column + 1):
            if (r, c) == (12, HEADERS["Email"]):
                continue
            assert after["Contacts"].cell(r, c).value == before["Contacts"].cell(r, c).value
    # A new row is dressed like the row above it, and the filter grows to take it.
    ws = after["Contacts"]
    for c in (HEADERS["Name"], HEADERS["Notes"]):
        assert ws.cell(FIRST_NEW_ROW + 1, c).fill.fgColor.rgb == "00E2EFDA"
        assert ws.cell(FIRST_NEW_ROW + 1, c).font.i is True
    assert ws.auto_filter.ref.endswith(str(FIRST_NEW_ROW + 1))
    assert list((chart.parent / "chart-backups").iterdir())


def test_the_chart_still_validates_and_syncs(chart):
    ok(chart_import(chart, DATA / "google.csv"))
    result = run("sync", chart, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    problems = json.loads(run("validate", chart, "--json").stdout)
    assert not [p for p in problems if p["severity"] == "error"]


# --------------------------------------------------------------------------- bad files


def _junk(path: Path) -> None:
    path.write_bytes(random.Random(5).randbytes(3000))


def _junk_without_nul(path: Path) -> None:
    path.write_bytes(bytes(range(1, 256)) * 12)


def _truncated_xlsx(path: Path) -> None:
    path.write_bytes((DATA / "alumni.xlsx").read_bytes()[:700])


def _xls(path: Path) -> None:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)


BAD_FILES = [
    ("missing.csv", None, "no such file. Check the path of the contacts export."),
    ("folder", "dir", "is a folder, not a contacts file. Give the path of a .csv, .vcf or .xlsx file."),
    ("empty.csv", b"", "the file is empty (0 bytes). Export your contacts again as CSV or vCard (.vcf)."),
    ("blank.csv", b"\r\n  \n\n", "has only blank lines, no contacts. Export your contacts again as CSV or vCard (.vcf)."),
    ("junk.csv", _junk, "is not a contacts export chart can read (it is binary, not text). Export your contacts as "
                        "CSV or vCard (.vcf), or give an .xlsx workbook."),
    ("junk.vcf", _junk_without_nul, "is not a contacts export chart can read (it is binary, not text). Export your "
                                    "contacts as CSV or vCard (.vcf), or give an .xlsx workbook."),
    ("orders.csv", b"Order,Amount,Date\n1,20,2026-01-01\n2,30,2026-01-02\n",
     "has no Name or First Name column in the first 10 rows of the file. Give a file whose header row names Name "
     "(or First Name and Last Name)."),
    ("nocards.vcf", b"VERSION:3.0\nFN:Someone\n",
     "has no contact cards in it (no BEGIN:VCARD line). Export your contacts as vCard again, or give a CSV file."),
    ("cut.xlsx", _truncated_xlsx, "is damaged: the .xlsx archive is incomplete or corrupt. Export your contacts "
                                  "again as CSV or vCard (.vcf)."),
    ("old.xls", _xls, "is an old Excel 97-2003 (.xls) workbook, which chart cannot read. Open it in Excel or "
                      "LibreOffice and save it as .xlsx."),
]


@pytest.mark.parametrize("name,content,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_one_line_and_leaves_the_chart_alone(chart, tmp_path, name, content, message):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif callable(content):
        content(path)
    elif content is not None:
        path.write_bytes(content)
    before = chart.read_bytes()
    for extra in ([], ["--json"], ["--dry-run"]):
        result = chart_import(chart, path, *extra)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"Error: {path}: {message}\n"
        assert result.stdout == ""
    assert chart.read_bytes() == before
    assert not (chart.parent / "chart-backups").exists()


def test_a_bad_chart_is_named_in_the_error(tmp_path):
    result = chart_import(tmp_path / "nope.xlsx", DATA / "google.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path / 'nope.xlsx'}: no such file.")


# --------------------------------------------------------------------------- library and help


def test_library_plan_without_writing(chart):
    from workbook_tool.workbook import chart_from_grids

    grids = read_grids(chart)
    parsed = read_contacts_file(DATA / "google.csv")
    plan, outcomes, notes = plan_import(chart_from_grids(chart, grids), grids, parsed, source="Friend", via="Priya")
    assert [(o.action, o.name, o.row) for o in outcomes] == [
        ("added", "Lin Wei", FIRST_NEW_ROW), ("merged", "Ann Lee", 3), ("added", "Samir Haddad", FIRST_NEW_ROW + 1),
        ("skipped", "Wei Lin", None)]
    assert [r.number for r in plan.new_rows] == [FIRST_NEW_ROW, FIRST_NEW_ROW + 1]
    assert plan.new_rows[0].values["source"] == "Friend" and plan.new_rows[0].values["via"] == "Priya"
    assert notes == []


def test_help():
    result = run("import", "--help")
    assert result.exit_code == 0
    assert "Add the people in FILE to the Contacts sheet" in result.stdout
    assert "chart import my_chart.xlsx Connections.csv" in result.stdout
    assert "import" in run("--help").stdout


def test_every_sample_file_has_its_format():
    formats = {p.name: read_contacts_file(p).format for p in sorted(DATA.iterdir())}
    assert formats == {"Connections.csv": "linkedin", "alumni.xlsx": "xlsx", "contacts-v3.vcf": "vcard",
                       "contacts-v4.vcf": "vcard", "generic.csv": "csv", "google-legacy.csv": "google",
                       "google.csv": "google", "outlook.csv": "outlook"}
    assert codecs.BOM_UTF8 not in (DATA / "outlook.csv").read_bytes()
