"""``chart validate`` reports, at its cell and as an error, every condition under which ``chart sync`` refuses;
and sync works where it can: a plain "Comments" column of the person's is read as Notes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import contact, run, write_chart
from sync_fixtures import TODAY_ARG, simple_chart, write_text_workbook

from workbook_tool import schema


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def validate(path):
    result = run("validate", path, "--json", "--today", TODAY_ARG)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


# --------------------------------------------------------------------------- charts sync refuses


def stage_of_the_persons(folder):
    return write_chart(folder / "c.xlsx", ["Name", "Email", "Stage"],
                       [["Ann Lee", "ann@fab.org", "Phone screen"], ["Bob Roe", "bob@x.org", "Thanked"]])


def draft_of_the_persons(folder):
    path = simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fab.org")])
    assert sync(path).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Contacts"]
    draft = next(c for c in ws[1] if c.value == "Draft")
    ws.cell(2, draft.column).value = "ask about the reorg"
    ws.cell(2, draft.column).hyperlink = None
    wb.save(path)
    return path


def referrals_sheet_of_the_persons(folder):
    return simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org")],
                        extra_sheets={"Referrals": [["Company", "Bonus"], ["Contoso", 500]]})


def dashboard_sheet_of_the_persons(folder):
    return simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org")],
                        extra_sheets={"Dashboard": [["My numbers", 42]]})


def want_to_meet_status_of_the_persons(folder):
    return write_text_workbook(folder / "c.xlsx", {
        "Contacts": [["Name", "Email"], ["Ann Lee", "ann@fab.org"]],
        "Want to Meet": [["Name", "Organization", "Status"], ["Pat Doe", "Contoso", "emailed twice"]],
    })


def no_referred_by_column(folder):
    return write_text_workbook(folder / "c.xlsx", {
        "Contacts": [["Name", "Email", "Recommended"], ["Ann Lee", "ann@fab.org", "Bob Roe <bob@northwind.org>"]],
    })


def tool_column_past_xfd(folder):
    from openpyxl import load_workbook

    path = simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org")])
    wb = load_workbook(path)
    wb["Contacts"]["XFD1"] = "the end"
    wb.save(path)
    return path


def next_step_cells_merged(folder):
    from openpyxl import load_workbook

    path = simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fab.org"),
                                            contact(name="Bob Roe", source="Own", email="bob@x.org")])
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    ws = wb["Contacts"]
    next_step = next(c for c in ws[1] if c.value == "Next Step")
    ws.merge_cells(start_row=2, start_column=next_step.column, end_row=3, end_column=next_step.column)
    ws["K2"] = dt.date(2026, 11, 20)  # Ann Lee was emailed: her Next Step must change
    wb.save(path)
    return path


def want_to_meet_status_cells_merged(folder):
    from openpyxl import load_workbook

    path = simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org")],
                        want_to_meet=[["Pat Doe", "Contoso", "data team", None], ["Lee Wu", "Acme", "ops", None]])
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    ws = wb["Want to Meet"]
    assert ws["E1"].value == "Status"
    ws["A2"] = "Ann Lee"  # now in Contacts: the Status under the merge must change
    ws.merge_cells("E2:E3")
    wb.save(path)
    return path


def new_row_past_the_last(folder):
    from openpyxl import load_workbook

    path = simple_chart(folder / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org",
                                                    recommended="Bob Roe <bob@northwind.org>")])
    wb = load_workbook(path)
    wb["Contacts"]["Z1048576"] = "the very last row"
    wb.save(path)
    return path


REFUSED = [stage_of_the_persons, draft_of_the_persons, referrals_sheet_of_the_persons, dashboard_sheet_of_the_persons,
           want_to_meet_status_of_the_persons, no_referred_by_column, tool_column_past_xfd, next_step_cells_merged,
           want_to_meet_status_cells_merged, new_row_past_the_last]


@pytest.mark.parametrize("make", REFUSED, ids=[m.__name__ for m in REFUSED])
def test_validate_reports_what_sync_refuses_at_the_same_place_as_an_error(tmp_path, make):
    path = make(tmp_path)
    refused = sync(path)
    assert refused.exit_code == 1, refused.output
    line = refused.stderr.strip()
    assert line.startswith(f"Error: {path}: "), line
    where, message = line[len(f"Error: {path}: "):].split(": ", 1)
    exit_code, found = validate(path)
    assert exit_code == 1, found
    matching = [p for p in found if p["message"] == message]
    assert len(matching) == 1, (line, found)
    problem = matching[0]
    assert problem["severity"] == "error"
    shown = f"{problem['sheet']}!{problem['cell']}" if problem["cell"] else f"sheet {problem['sheet']!r}"
    assert shown == where


def test_validate_reports_every_such_condition_not_only_the_first(tmp_path):
    path = write_text_workbook(tmp_path / "c.xlsx", {
        "Contacts": [["Name", "Email", "Stage"], ["Ann Lee", "ann@fab.org", "Phone screen"]],
        "Want to Meet": [["Name", "Status"], ["Pat Doe", "emailed twice"]],
        "Referrals": [["Company", "Bonus"], ["Contoso", 500]],
    })
    exit_code, found = validate(path)
    assert exit_code == 1
    assert [(p["sheet"], p["cell"], p["code"]) for p in found if p["severity"] == "error"] == [
        ("Contacts", "C1", "tool-column-taken"), ("Want to Meet", "B1", "tool-column-taken"),
        ("Referrals", "", "tool-sheet-taken")]


def test_the_text_report_shows_the_cell_and_the_code(tmp_path):
    path = stage_of_the_persons(tmp_path)
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        'Contacts!C1: error: your column "Stage" holds your own text (C2: "Phone screen"), but chart sync rewrites '
        "Stage, Next Step, Follow-Up On, Comments, Draft on every run. Rename your column (for example to \"My "
        'Stage") and sync again. [tool-column-taken]')


def test_a_chart_sync_accepts_passes_validate_without_errors(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fab.org",
                                                      recommended="Bob Roe <bob@northwind.org>")])
    assert validate(path) == (0, [])
    assert sync(path).exit_code == 0
    assert validate(path) == (0, [])


def test_a_missing_column_sync_has_nothing_for_is_no_refusal(tmp_path):
    # No Phone column, and nobody recommended has a phone number: nothing is lost.
    path = write_text_workbook(tmp_path / "c.xlsx", {
        "Contacts": [["Name", "Source", "Referred By", "Email", "Organization", "Recommended"],
                     ["Ann Lee", "Own", None, "ann@fab.org", "Fabrikam", "Bob Roe <bob@northwind.org>"]],
    })
    exit_code, found = validate(path)
    assert exit_code == 0 and [p["code"] for p in found] == ["no-profile"]
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "  row 3: Bob Roe (referred by Ann Lee)" in result.stdout.splitlines()


# --------------------------------------------------------------------------- the guide's "Comments" column


def _headers(path, sheet="Contacts"):
    from openpyxl import load_workbook

    return [c.value for c in load_workbook(path)[sheet][1]]


def test_a_comments_column_of_the_persons_is_read_as_notes_and_sync_adds_its_own_beside_it(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Phone", "Channel", "Comments"],
                       [["Ann Lee", "ann@fab.org", None, "Call", None],
                        ["Bob Roe", "bob@x", "617-555-0142", "Call", "met at the fair"]])
    assert [p["code"] for p in validate(path)[1]] == ["bad-email"]  # bob@x; the Comments column is no problem
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Added columns: Stage (Contacts), Next Step (Contacts), Follow-Up On (Contacts), Chart Comments " \
           "(Contacts), Draft (Contacts)." in result.stdout.splitlines()
    assert _headers(path) == ["Name", "Email", "Phone", "Channel", "Comments", "Stage", "Next Step", "Follow-Up On",
                              "Chart Comments", "Draft"]
    from openpyxl import load_workbook

    ws = load_workbook(path)["Contacts"]
    assert [ws.cell(r, 5).value for r in (2, 3)] == [None, "met at the fair"], "the person's Comments are kept"
    assert ws.cell(3, 9).value.startswith("Error in Email: ")
    # The next sync finds both columns again and changes nothing.
    data = path.read_bytes()
    again = sync(path)
    assert again.exit_code == 0 and again.stdout.splitlines()[0].endswith("the file was not rewritten.")
    assert path.read_bytes() == data
    # The call sheet reads the person's Comments as their notes.
    sheet = run("draft", path, "--kind", "call", "--to", "Bob Roe", "--stdout", "--today", TODAY_ARG)
    assert "- **Notes so far:** met at the fair" in sheet.stdout


def test_a_comments_column_beside_a_notes_column_is_left_as_the_persons(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Notes", "Comments"],
                       [["Ann Lee", "ann@fab.org", "old colleague", "call after the 15th"]])
    assert sync(path).exit_code == 0
    assert _headers(path)[:4] == ["Name", "Email", "Notes", "Comments"]
    assert "Chart Comments" in _headers(path) and "Stage" in _headers(path)
    from openpyxl import load_workbook

    assert load_workbook(path)["Contacts"]["D2"].value == "call after the 15th"


def test_an_empty_comments_column_is_still_taken_over(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Comments"], [["Ann Lee", "ann@fab.org", None]])
    assert sync(path).exit_code == 0
    assert _headers(path) == ["Name", "Email", "Comments", "Stage", "Next Step", "Follow-Up On", "Draft"]


def test_the_tools_comments_header_is_declared_once():
    assert schema.TOOL_COMMENTS_HEADER in schema.CONTACTS.column("comments").aliases
    assert schema.CONTACTS.match_header(schema.TOOL_COMMENTS_HEADER).key == "comments"


def test_a_synced_chart_keeps_its_comments_column_as_the_tools(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fab")])
    assert sync(path).exit_code == 0
    assert "Comments" in _headers(path) and "Chart Comments" not in _headers(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Contacts"]
    ws["H2"] = "ann@fabrikam.org"  # corrected: the tool's Comments must follow
    wb.save(path)
    assert sync(path).exit_code == 0
    assert validate(path) == (0, [])
    ws = load_workbook(path)["Contacts"]
    comments = _headers(path).index("Comments") + 1
    assert ws.cell(2, comments).value is None
    assert dt.date  # (keeps the import used when the test is read alone)
