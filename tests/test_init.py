"""``chart init PATH``: a new chart with every column, dropdowns, formats and a Profile; never overwrites."""

from __future__ import annotations

import os
import stat

import pytest
from openpyxl import load_workbook

from tests.conftest import refuse_new_files, run, write_workbook
from workbook_tool import schema
from workbook_tool.create import write_new_chart
from workbook_tool.errors import RefusedToWrite, WriteFailed
from workbook_tool.validate import validate_chart
from workbook_tool.workbook import read_chart

# Spelled out from the issue, not read from schema.py, so that a change to the shape shows here.
CONTACT_HEADERS = ["Name", "Source", "Via", "Referred By", "Organization", "Title", "Phone", "Email", "Channel",
                   "Status", "Contacted On", "Meeting On", "Thanked On", "Followed Up On", "Notes", "Helpful",
                   "Recommended", "Try Again On", "Meeting Place",
                   "Personal Note"]
PROFILE_FIELDS = ["Your Name", "Your Email", "Your Phone", "Job Status", "Expertise", "Seeking", "Why Searching",
                  "Region", "Meeting Length", "Follow-Up Days", "Thank-You Days", "Keep-In-Touch Days", "Signature",
                  "Mail Server", "Mail Login"]
WANT_TO_MEET_HEADERS = ["Name", "Organization", "Why", "Possible Connector"]
DATE_COLUMNS = ["Contacted On", "Meeting On", "Thanked On", "Followed Up On", "Try Again On"]
REFUSAL = ("already exists, and chart init never overwrites a file. Choose another name, or add --force to replace "
           "it.")


def letter(header: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(CONTACT_HEADERS.index(header) + 1)


def header_row(ws, row: int = 1) -> list:
    return [c.value for c in ws[row] if c.value is not None]


@pytest.fixture
def wb(new_chart):
    return load_workbook(new_chart)


# --------------------------------------------------------------------------- what it writes


def test_init_writes_a_chart_and_says_what_next(tmp_path):
    path = tmp_path / "my_chart.xlsx"
    result = run("init", path)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (f"Wrote a new chart to {path}.\nNext: fill in the Profile sheet, list the people you "
                             f"know on Contacts, then run chart validate {path}\n")
    assert path.is_file()
    assert not [p.name for p in tmp_path.iterdir() if p != path], "no temporary file is left behind"


def test_sheets(wb):
    assert wb.sheetnames == ["Contacts", "Want to Meet", "Profile"]


def test_contacts_has_every_user_column_under_its_canonical_header(wb):
    ws = wb["Contacts"]
    assert header_row(ws) == CONTACT_HEADERS
    assert ws.max_row == 1, "an empty chart has no data rows"


def test_contacts_headers_match_the_schema(wb):
    assert header_row(wb["Contacts"]) == [c.header for c in schema.CONTACTS.user_columns]


def test_header_hints_are_notes(wb):
    ws = wb["Contacts"]
    for cell in ws[1]:
        column = schema.CONTACTS.match_header(cell.value)
        assert cell.comment is not None and cell.comment.text == column.hint
        assert cell.font.b


@pytest.mark.parametrize("header, choices", [
    ("Source", ["Own", "Family", "Friend", "Referral"]),
    ("Channel", ["Call", "Email"]),
    ("Status", ["Declined", "No Reply", "On Hold", "Done"]),
])
def test_dropdowns(wb, header, choices):
    ws = wb["Contacts"]
    col = letter(header)
    found = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{col}2:")]
    assert len(found) == 1
    dv = found[0]
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(choices) + '"'
    assert dv.allow_blank
    # Typing something else warns rather than refuses: the person stays in charge.
    assert dv.errorStyle == "warning"
    last = int(str(dv.sqref).split(":")[1][1:])
    assert last >= 1000


def test_only_choice_columns_have_dropdowns(wb):
    ws = wb["Contacts"]
    columns = sorted(str(dv.sqref)[0] for dv in ws.data_validations.dataValidation)
    assert columns == sorted(letter(h) for h in ("Source", "Channel", "Status"))


def test_date_and_text_formats(wb):
    ws = wb["Contacts"]
    for header in DATE_COLUMNS:
        assert ws.column_dimensions[letter(header)].number_format == "yyyy-mm-dd", header
    # Phone numbers are text, so leading zeros and "+44" survive.
    assert ws.column_dimensions[letter("Phone")].number_format == "@"
    assert ws.column_dimensions[letter("Name")].number_format == "General"


def test_frozen_filtered_header(wb):
    for name in ("Contacts", "Want to Meet"):
        ws = wb[name]
        assert ws.freeze_panes == "B2", name  # the header row and the Name column stay in view
        assert ws.auto_filter.ref.startswith("A1:"), name
    assert wb["Contacts"].auto_filter.ref.split(":")[1].startswith(letter(CONTACT_HEADERS[-1]))


def test_widths(wb):
    ws = wb["Contacts"]
    for column in schema.CONTACTS.user_columns:
        assert ws.column_dimensions[letter(column.header)].width == column.width, column.header
    assert ws.column_dimensions[letter("Notes")].width > ws.column_dimensions[letter("Channel")].width


def test_want_to_meet(wb):
    ws = wb["Want to Meet"]
    assert header_row(ws) == WANT_TO_MEET_HEADERS
    assert ws.max_row == 1


def test_profile_rows(wb):
    ws = wb["Profile"]
    assert header_row(ws) == ["Field", "Value", "Hint"]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == PROFILE_FIELDS
    assert all(r[2] for r in rows), "every field has a hint"
    values = {r[0]: r[1] for r in rows}
    assert values["Region"] == "US"
    assert values["Meeting Length"] == "15–20 minutes"
    assert (values["Follow-Up Days"], values["Thank-You Days"], values["Keep-In-Touch Days"]) == (7, 1, 60)
    for label in ("Your Name", "Your Email", "Your Phone", "Job Status", "Expertise", "Seeking", "Why Searching",
                  "Signature"):
        assert values[label] is None, label


def test_new_chart_reads_back(new_chart):
    chart = read_chart(new_chart)
    assert chart.contacts.sheet == "Contacts"
    assert chart.contacts.header_row == 1
    assert set(chart.contacts.columns) == {c.key for c in schema.CONTACTS.user_columns}
    assert chart.contacts.rows == []
    assert chart.profile.sheet == "Profile"
    assert chart.profile.region == "US"
    assert chart.profile.days("follow_up_days") == 7
    assert chart.want_to_meet is not None and chart.want_to_meet.rows == []


def test_new_chart_validates_with_only_profile_warnings(new_chart):
    result = run("validate", new_chart)
    assert result.exit_code == 0
    problems = validate_chart(read_chart(new_chart))
    assert {p.code for p in problems} == {"profile-missing"}
    assert {p.column for p in problems} == {"Your Name", "Your Email", "Job Status", "Expertise", "Seeking",
                                            "Why Searching"}
    assert all(p.severity == "warning" for p in problems)


def test_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = write_new_chart(tmp_path / "c.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- never overwrites


@pytest.mark.parametrize("extra", [[], ["--sample"]])
def test_refuses_to_overwrite(tmp_path, extra):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(b"my precious data, not even a workbook")
    before = path.read_bytes()
    result = run("init", path, *extra)
    assert result.exit_code != 0
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {REFUSAL}\n"
    assert result.stdout == ""
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["chart.xlsx"]


def test_refuses_to_overwrite_a_real_chart(tmp_path):
    path = tmp_path / "chart.xlsx"
    assert run("init", path, "--sample").exit_code == 0
    before = path.read_bytes()
    result = run("init", path)
    assert result.exit_code == 1
    assert path.read_bytes() == before


def test_force_replaces(tmp_path):
    path = tmp_path / "chart.xlsx"
    write_workbook(path, {"Old": [["something"]]})
    os.chmod(path, 0o600)
    result = run("init", path, "--force")
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames == ["Contacts", "Want to Meet", "Profile"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "the replaced file keeps its permissions"


def test_force_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real.xlsx"
    write_workbook(real, {"Old": [["something"]]})
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    assert run("init", link, "--force").exit_code == 0
    assert link.is_symlink()
    assert load_workbook(real).sheetnames == ["Contacts", "Want to Meet", "Profile"]


def test_refuses_through_a_symlink_without_force(tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"data")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    result = run("init", link)
    assert result.exit_code == 1
    assert real.read_bytes() == b"data" and link.is_symlink()


def test_library_refusal(tmp_path):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(b"data")
    with pytest.raises(RefusedToWrite) as info:
        write_new_chart(path)
    assert info.value.exit_code == 1
    assert info.value.path == path
    assert write_new_chart(path, force=True) == path


# --------------------------------------------------------------------------- bad targets


def test_name_must_end_in_xlsx(tmp_path):
    path = tmp_path / "chart.xls"
    result = run("init", path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: a chart is an Excel workbook: give a file name ending in .xlsx.\n"
    assert not path.exists()


def test_folder_target(tmp_path):
    path = tmp_path / "chart.xlsx"
    path.mkdir()
    for extra in ([], ["--force"]):
        result = run("init", path, *extra)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {path}: is a folder. Give the path of the new .xlsx file.\n"
    assert path.is_dir()


def test_missing_folder(tmp_path):
    path = tmp_path / "nowhere" / "chart.xlsx"
    result = run("init", path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: the folder {path.parent} does not exist. Create it first.\n"


def test_unwritable_folder_is_an_error_line_not_a_traceback(tmp_path, monkeypatch):
    refuse_new_files(monkeypatch)
    path = tmp_path / "chart.xlsx"
    with pytest.raises(WriteFailed):
        write_new_chart(path)
    result = run("init", path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path}: could not be written (Permission denied). Check that you can write to "
                             f"{tmp_path}.\n")
    assert not path.exists()


def test_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from openpyxl import Workbook

    path = tmp_path / "chart.xlsx"
    path.write_bytes(b"old")

    def broken_save(self, file):  # the temporary file, open
        file.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", broken_save)
    result = run("init", path, "--force")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: could not be written (No space left on device).\n"
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["chart.xlsx"]


# --------------------------------------------------------------------------- --sample


def test_sample_flag(tmp_path):
    path = tmp_path / "example.xlsx"
    result = run("init", path, "--sample")
    assert result.exit_code == 0
    assert result.stdout == f"Wrote an example chart to {path}.\n"
    chart = read_chart(path)
    assert len(chart.contacts.rows) >= 10
    assert chart.profile.text("your_name")
    ws = load_workbook(path)["Contacts"]
    assert header_row(ws) == CONTACT_HEADERS
    # Typed dates are real dates in the date format, phones are text.
    cell = ws[f"{letter('Contacted On')}2"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws[f"{letter('Phone')}2"].data_type == "s"
    assert ws.auto_filter.ref == f"A1:{letter(CONTACT_HEADERS[-1])}{ws.max_row}"
