"""``chart sync`` (issue 3): what it writes — stages, next steps, referrals, Want to Meet — and what it says.

The safety side (nothing of the person's lost, locks, backups, failures) is in
test_sync_safety.py; LibreOffice round trips in test_sync_libreoffice.py.
"""

from __future__ import annotations

import datetime as dt
import json
import signal

import pytest
from conftest import contact, run
from sync_fixtures import (TODAY, TODAY_ARG, TOOL_HEADERS, sample_chart, sheet_rows, simple_chart,
                           tool_values)

from workbook_tool import schema
from workbook_tool.errors import BadOption
from workbook_tool.sync import sync_chart

D = dt.date


TOOL_FREE_HEADERS = [c.header for c in schema.CONTACTS.user_columns]


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


@pytest.fixture
def sample(tmp_path):
    return sample_chart(tmp_path / "chart.xlsx")


def one_error_line(result) -> str:
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# --------------------------------------------------------------------------- the command and its report


def test_sync_updates_in_place_and_says_what_changed(sample):
    result = sync(sample)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{sample}: synced for 2026-11-25."
    assert "Added columns: Stage (Contacts), Next Step (Contacts), Follow-Up On (Contacts), Comments (Contacts), " \
           "Draft (Contacts), Status (Want to Meet)." in lines
    assert "Next steps changed for 13 contacts:" in lines
    assert "  row 6: Sue Miller: Send a thank-you that names something helpful (due 2026-11-19)" in lines
    assert "  row 13: Elena Petrova: nothing to do (closed)" in lines
    assert "Referrals sheet rebuilt: 4 referrals, deepest chain 2." in lines
    assert "Want to Meet: 4 statuses updated." in lines
    assert lines[-1].startswith("Backup of the previous version: ")
    assert tool_values(sample)["Maria Chen"]["Stage"] == "Thanked"


def test_report_lists_rows_added_and_problems_found(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Maria Chen", source="Own", email="maria@contoso.com", recommended="Ann Lee <ann@fab.org>"),
        contact(name="Bad Email", source="Own", email="not-an-address"),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Added 1 referral to Contacts:" in lines
    assert "  row 4: Ann Lee (referred by Maria Chen)" in lines
    problems = [line for line in lines if line.startswith("Problems: ")]
    assert problems and problems[0].startswith("Problems: 1 error, ")


def test_dry_run_prints_the_same_and_writes_nothing(sample):
    before, mtime = sample.read_bytes(), sample.stat().st_mtime_ns
    dry = sync(sample, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert sample.read_bytes() == before and sample.stat().st_mtime_ns == mtime
    assert not (sample.parent / "chart-backups").exists()
    assert sorted(p.name for p in sample.parent.iterdir()) == ["chart.xlsx"]
    dry_lines = dry.stdout.splitlines()
    assert dry_lines[0] == f"{sample}: dry run for 2026-11-25; nothing was written."

    real = sync(sample)
    assert real.exit_code == 0
    real_lines = real.stdout.splitlines()
    assert real_lines[-1].startswith("Backup of the previous version: ")
    assert dry_lines[1:] == real_lines[1:-1]


def test_dry_run_as_library_call(sample):
    before = sample.read_bytes()
    result = sync_chart(sample, TODAY, dry_run=True)
    assert result.dry_run and not result.written and result.backup is None
    assert result.plan.changed and len(result.plan.step_changes) == 13
    assert sample.read_bytes() == before


def test_json_output(sample):
    result = sync(sample, "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["written"] is False and data["changed"] is True
    assert data["today"] == "2026-11-25" and data["backup"] is None
    assert [c["header"] for c in data["added_columns"]] == [*TOOL_HEADERS, "Status"]
    assert {"person": "Bob Roe", "referred_by": "Ann Lee", "chain": "Maria Chen → Ann Lee → Bob Roe", "depth": 2,
            "stage": "Meeting scheduled"} in data["referrals"]
    step = next(s for s in data["next_steps"] if s["name"] == "Hiro Tanaka")
    assert step == {"row": 9, "name": "Hiro Tanaka", "before": "",
                    "after": "No reply to your follow-up of 2026-11-16: call them (415-555-0163), or set Status to "
                             "No Reply", "due": "2026-11-23"}

    written = json.loads(sync(sample, "--json").stdout)
    assert written["written"] is True and written["backup"]
    again = json.loads(sync(sample, "--json").stdout)
    assert again["changed"] is False and again["written"] is False and again["next_steps"] == []


@pytest.mark.parametrize("bad", ["2026-13-45", "tomorrow", "25/11/2026", ""])
def test_bad_today_is_one_error_line_exit_2(sample, bad):
    before = sample.read_bytes()
    result = run("sync", sample, "--today", bad)
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "--today" in line and "YYYY-MM-DD" in line
    assert sample.read_bytes() == before


def test_bad_today_is_a_bad_option_for_the_library_caller():
    from workbook_tool.cli import _parse_day

    with pytest.raises(BadOption):
        _parse_day("2026-02-30", "--today")


# --------------------------------------------------------------------------- tool columns


def test_tool_columns_added_at_the_right_of_the_table(sample):
    from openpyxl import load_workbook

    width = len(schema.CONTACTS.user_columns)
    assert sync(sample).exit_code == 0
    ws = load_workbook(sample)["Contacts"]
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:width] == [c.header for c in schema.CONTACTS.user_columns]
    assert headers[width:] == TOOL_HEADERS
    # Generated headers look generated, and say so.
    stage = ws.cell(1, width + 1)
    assert stage.font.italic and stage.comment is not None and "chart sync" in stage.comment.text


def test_tool_columns_go_right_of_unknown_columns_and_under_a_title(tmp_path):
    from conftest import write_chart
    from openpyxl import load_workbook

    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Shoe Size", None, "Hobby"],
                       [["Ann Lee", "ann@fab.org", 38, None, "chess"]], title="My chart")
    assert sync(path).exit_code == 0
    ws = load_workbook(path)["Contacts"]
    assert [ws.cell(3, c).value for c in range(1, 11)] == ["Name", "Email", "Shoe Size", None, "Hobby", *TOOL_HEADERS]
    assert ws["A1"].value == "My chart" and ws["F1"].value is None and ws["F4"].value == "Not contacted"


def test_filter_grows_to_the_tool_columns_and_new_rows(sample):
    from openpyxl import load_workbook

    wb = load_workbook(sample)
    assert wb["Contacts"].auto_filter.ref == "A1:T14"
    wb["Contacts"]["Q12"] = "Zed New <zed@example.org>"  # David Kim recommends someone new: row 15
    wb.save(sample)
    assert sync(sample).exit_code == 0
    assert load_workbook(sample)["Contacts"].auto_filter.ref == "A1:Y15"


def test_follow_up_on_is_a_real_date_cell(sample):
    from openpyxl import load_workbook

    assert sync(sample).exit_code == 0
    ws = load_workbook(sample)["Contacts"]
    column = 1 + [c.value for c in ws[1]].index("Follow-Up On")
    letter = ws.cell(1, column).column_letter
    for row in range(2, 13):  # every contact with a next step
        cell = ws.cell(row, column)
        assert cell.is_date and isinstance(cell.value, dt.datetime), (row, cell.value)
        assert cell.number_format == schema.DATE_FORMAT
    assert ws.cell(13, column).value is None  # Done: no next step, no date
    # In the file: a serial day number with a date format, as Excel writes dates (not text, not t="d").
    import re
    import zipfile

    with zipfile.ZipFile(sample) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    cell_xml = re.search(rf'<c r="{letter}2"[^>]*>.*?</c>', xml).group(0)
    assert 't="d"' not in cell_xml and 't="s"' not in cell_xml and "<v>46346</v>" in cell_xml  # 2026-11-20


def test_existing_tool_columns_are_filled_where_they_are(tmp_path):
    from conftest import write_chart
    from openpyxl import load_workbook

    path = write_chart(tmp_path / "c.xlsx", ["Comments", "Name", "Email", "Stage", "Contacted On", "Next Step",
                                             "Follow-Up On"],
                       [[None, "Ann Lee", "ann@fab.org", "Thanked", D(2026, 11, 20), "old step", None]])
    result = sync(path)
    assert result.exit_code == 0, result.output
    # Only the column this chart was missing is added, at the right; the others are filled where they are.
    assert "Added columns: Draft (Contacts)." in result.stdout.splitlines()
    ws = load_workbook(path)["Contacts"]
    assert ws["H1"].value == "Draft" and ws["H2"].hyperlink.target.startswith("mailto:ann@fab.org?")
    assert [c.value for c in ws[2]][:7] == [None, "Ann Lee", "ann@fab.org", "Awaiting reply",
                                            dt.datetime(2026, 11, 20), "Follow up if no reply (last contact 2026-11-20)",
                                            dt.datetime(2026, 11, 27)]
    assert ws.max_column == 8


# --------------------------------------------------------------------------- the rules


SAMPLE_EXPECTED = {
    # name: (stage, start of the next step, due, comments)
    # You met Ann Lee, whom she referred you to, on 2026-11-19: tell her how it went.
    "Maria Chen": ("Thanked", "Report back: tell them how it went with Ann Lee", D(2026, 11, 20),
                   "report-back overdue by 5 days"),
    "Ann Lee": ("Thanked", "Contact the people they referred: Olivia Park; then keep in touch", D(2027, 1, 19), None),
    "Bob Roe": ("Meeting scheduled", "Prepare your presentation and questions for the meeting on 2026-12-02",
                D(2026, 12, 2), None),
    "Olivia Park": ("Not contacted", "Email to ask for 15–20 minutes of advice", TODAY, None),
    "Sue Miller": ("Met, not thanked", "Send a thank-you", D(2026, 11, 19), "thank-you overdue by 6 days"),
    "Carlos Diaz": ("Not contacted", "Email to ask", TODAY, None),
    "Priya Natarajan": ("Awaiting reply", "Follow up if no reply (last contact 2026-11-17)", D(2026, 11, 24),
                        "follow-up overdue by 1 day"),
    # His follow-up went unanswered for a week: call him (he has a phone), or close him as No Reply.
    "Hiro Tanaka": ("Awaiting reply", "No reply to your follow-up of 2026-11-16: call them (415-555-0163), "
                    "or set Status to No Reply", D(2026, 11, 23), "call overdue by 2 days"),
    "Frank Osei": ("Awaiting reply", "Follow up", D(2026, 11, 27), None),
    "Isabel Grant": ("Meeting scheduled", "Prepare your presentation and questions for the meeting today", TODAY, None),
    "David Kim": ("Not contacted", "Call to ask for 15–20 minutes of advice", TODAY, None),
    "Elena Petrova": ("Done", None, None, None),
    "Grace Liu": ("Declined", None, None, None),
}


def test_sample_chart_gives_every_stage(sample):
    assert sync(sample).exit_code == 0
    got = tool_values(sample)
    assert set(got) == set(SAMPLE_EXPECTED)
    for name, (stage, step, due, comments) in SAMPLE_EXPECTED.items():
        values = got[name]
        assert values["Stage"] == stage, name
        assert (values["Next Step"] is None) if step is None else values["Next Step"].startswith(step), (name, values)
        assert values["Follow-Up On"] == due, name
        assert values["Comments"] == comments, (name, values["Comments"])
    stages = {v[0] for v in SAMPLE_EXPECTED.values()}
    assert stages == {"Not contacted", "Awaiting reply", "Meeting scheduled", "Met, not thanked", "Thanked", "Done",
                      "Declined"}


def rules_chart(path, profile=None):
    return simple_chart(path, [
        contact(name="New Person", source="Own", email="new@x.org", channel="Email"),
        contact(name="Caller", source="Own", phone="617-555-0101", channel="Call"),
        contact(name="Contacted", source="Own", email="c@x.org", contacted_on=D(2026, 11, 20)),
        contact(name="Followed", source="Own", email="f@x.org", contacted_on=D(2026, 11, 1),
                followed_up_on=D(2026, 11, 21)),
        contact(name="Meeting Ahead", source="Own", email="m@x.org", contacted_on=D(2026, 11, 10),
                meeting_on=D(2026, 11, 30)),
        contact(name="Met Person", source="Own", email="met@x.org", contacted_on=D(2026, 11, 10),
                meeting_on=D(2026, 11, 21), helpful="the portfolio tip"),
        contact(name="Thanked Person", source="Own", email="t@x.org", contacted_on=D(2026, 11, 1),
                meeting_on=D(2026, 11, 5), thanked_on=D(2026, 11, 6), helpful="tip",
                recommended="Referred One <r1@x.org>; Already Called; Not Yet Called"),
        contact(name="Already Called", source="Referral", referred_by="Thanked Person", email="ac@x.org",
                contacted_on=D(2026, 11, 8)),
        contact(name="Not Yet Called", source="Referral", referred_by="Thanked Person", email="nyc@x.org"),
    ], profile=profile)


def test_rules_with_default_day_counts(tmp_path):
    path = rules_chart(tmp_path / "c.xlsx", profile={"Follow-Up Days": None, "Thank-You Days": None,
                                                     "Keep-In-Touch Days": None})
    assert sync(path).exit_code == 0, "defaults 7, 1 and 60 apply when the Profile leaves them blank"
    got = tool_values(path)
    assert got["New Person"]["Stage"] == "Not contacted"
    assert got["New Person"]["Next Step"] == "Email to ask for 15-20 minutes of advice"
    assert got["New Person"]["Follow-Up On"] == TODAY
    assert got["Caller"]["Next Step"] == "Call to ask for 15-20 minutes of advice"
    assert got["Contacted"]["Stage"] == "Awaiting reply"
    assert got["Contacted"]["Follow-Up On"] == D(2026, 11, 27)  # 7 days after Contacted On
    assert got["Contacted"]["Comments"] is None
    assert got["Followed"]["Follow-Up On"] == D(2026, 11, 28)  # 7 days after the latest Followed Up On
    # One follow-up; then, no phone to try, closing as No Reply (test_steps has the cadence's end).
    assert got["Followed"]["Next Step"] == "No reply to your follow-up of 2026-11-21: set Status to No Reply"
    assert got["Meeting Ahead"]["Stage"] == "Meeting scheduled"
    assert got["Meeting Ahead"]["Next Step"].startswith("Prepare")
    assert got["Meeting Ahead"]["Follow-Up On"] == D(2026, 11, 30)  # due on the meeting day
    assert got["Met Person"]["Stage"] == "Met, not thanked"
    assert got["Met Person"]["Next Step"].startswith("Send a thank-you")
    assert got["Met Person"]["Follow-Up On"] == D(2026, 11, 22)  # 1 day after
    assert got["Met Person"]["Comments"] == "thank-you overdue by 3 days"
    assert got["Thanked Person"]["Stage"] == "Thanked"
    assert got["Thanked Person"]["Follow-Up On"] == D(2027, 1, 5)  # 60 days later
    # Names the referrals still to contact (a new row and a row not yet called), not the one already called.
    assert got["Thanked Person"]["Next Step"] == ("Contact the people they referred: Referred One, Not Yet Called; "
                                                 "then keep in touch")


def test_rules_with_custom_profile_day_counts(tmp_path):
    path = rules_chart(tmp_path / "c.xlsx", profile={"Follow-Up Days": 3, "Thank-You Days": 2,
                                                     "Keep-In-Touch Days": 30})
    assert sync(path).exit_code == 0
    got = tool_values(path)
    assert got["Contacted"]["Follow-Up On"] == D(2026, 11, 23)
    assert got["Contacted"]["Comments"] == "follow-up overdue by 2 days"
    assert got["Followed"]["Follow-Up On"] == D(2026, 11, 24)
    assert got["Followed"]["Comments"] == "closing overdue by 1 day"
    assert got["Met Person"]["Follow-Up On"] == D(2026, 11, 23)
    assert got["Met Person"]["Comments"] == "thank-you overdue by 2 days"
    assert got["Thanked Person"]["Follow-Up On"] == D(2026, 12, 6)
    assert got["Meeting Ahead"]["Follow-Up On"] == D(2026, 11, 30)  # the meeting day whatever the counts
    assert got["New Person"]["Follow-Up On"] == TODAY


@pytest.mark.parametrize("status,stage", [("Declined", "Declined"), ("No Reply", "No Reply"),
                                          ("on hold", "On Hold"), ("DONE", "Done")])
def test_closed_status_has_no_next_step(tmp_path, status, stage):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Closed One", source="Own", email="c@x.org", status=status, contacted_on=D(2026, 10, 1),
                meeting_on=D(2026, 10, 5)),
    ])
    assert sync(path).exit_code == 0
    got = tool_values(path)["Closed One"]
    assert got["Stage"] == stage
    assert got["Next Step"] is None and got["Follow-Up On"] is None
    assert got["Comments"] is None  # no overdue thank-you for a closed contact


def test_comments_carry_problems_and_reminders(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Met Person", source="Own", email="not-an-address", meeting_on=D(2026, 11, 22)),
    ])
    assert sync(path).exit_code == 0
    comments = tool_values(path)["Met Person"]["Comments"]
    parts = comments.split("; ")
    assert parts[0] == "thank-you overdue by 2 days"
    assert "fill in Helpful: the thank-you names something helpful" in parts
    assert any(p.startswith("Error in Email: ") for p in parts), comments


def test_a_second_day_updates_the_reminders(sample):
    assert sync(sample).exit_code == 0
    result = run("sync", sample, "--today", "2026-11-26")
    assert result.exit_code == 0, result.output
    got = tool_values(sample)
    assert got["Sue Miller"]["Comments"] == "thank-you overdue by 7 days"
    assert got["Isabel Grant"]["Stage"] == "Met, not thanked"
    assert got["Olivia Park"]["Follow-Up On"] == D(2026, 11, 26)


# --------------------------------------------------------------------------- referrals


def referral_chart(path):
    return simple_chart(path, [
        contact(name="Maria Chen", source="Own", email="maria@contoso.com", thanked_on=D(2026, 11, 20),
                meeting_on=D(2026, 11, 19), contacted_on=D(2026, 11, 10),
                recommended="Ann Lee <ann.lee@fabrikam.org>, 617-555-0199, Fabrikam Health\n"
                            "Robert Roe <bob@northwind.org>\nDr. Carla Díaz; Zoe Park, 617-555-0177"),
        contact(name="Bob Roe", source="Own", email="bob@northwind.org",
                recommended="Ann Lee\nann lee <ANN.LEE@fabrikam.org>"),
        None,  # a blank row inside the table: new rows never go here
        contact(name="Carla Diaz", source="Own", email="carla@x.org"),
        contact(name="Zed Phone", source="Own", phone="(617) 555-0177"),
    ])


def test_recommended_people_become_contacts_rows_below_the_table(tmp_path):
    from openpyxl import load_workbook

    path = referral_chart(tmp_path / "c.xlsx")
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "  row 7: Ann Lee (referred by Maria Chen)" in result.stdout.splitlines()
    ws = load_workbook(path)["Contacts"]
    headers = {c.value: c.column for c in ws[1]}
    assert all(ws.cell(4, c).value is None for c in range(1, ws.max_column + 1)), "the blank row stays blank"
    assert ws.max_row == 7, "one new row: Robert Roe (same email), Carla Díaz (same name), Zoe Park (same phone) exist"
    row = {h: ws.cell(7, c).value for h, c in headers.items()}
    assert row["Name"] == "Ann Lee"
    assert row["Source"] == "Referral"
    assert row["Referred By"] == "Maria Chen"
    assert row["Email"] == "ann.lee@fabrikam.org"
    assert row["Phone"] == "617-555-0199" and ws.cell(7, headers["Phone"]).data_type == "s"
    assert row["Organization"] == "Fabrikam Health"
    assert row["Stage"] == "Not contacted"
    assert row["Recommended"] is None and row["Contacted On"] is None


def test_referrals_sheet_rebuilt_with_chains(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Sue Miller", source="Family", via="Mom", email="sue@x.org"),
        contact(name="Ann Lee", source="Referral", referred_by="Sue Miller", email="ann@x.org",
                contacted_on=D(2026, 11, 20)),
        contact(name="Bob Roe", source="Referral", referred_by="Ann Lee", email="bob@x.org"),
        contact(name="Cy Young", source="Referral", referred_by="Someone Not Listed", email="cy@x.org"),
    ], extra_sheets={"Referrals": [["Referred Person", "Referred By", "Chain", "Depth", "Stage"],
                                   ["Stale Person", "Nobody", "Nobody → Stale Person", 1, "Thanked"]]})
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert sheet_rows(path, "Referrals") == [
        ("Referred Person", "Referred By", "Chain", "Depth", "Stage"),
        ("Ann Lee", "Sue Miller", "Sue Miller → Ann Lee", 1, "Awaiting reply"),
        ("Bob Roe", "Ann Lee", "Sue Miller → Ann Lee → Bob Roe", 2, "Not contacted"),
        ("Cy Young", "Someone Not Listed", "Someone Not Listed → Cy Young", 1, "Not contacted"),
    ]
    # Rebuilt on every sync: a changed Referred By changes the chains.
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Contacts"]["D4"] = "Sue Miller"
    wb.save(path)
    assert sync(path).exit_code == 0
    assert sheet_rows(path, "Referrals")[2] == ("Bob Roe", "Sue Miller", "Sue Miller → Bob Roe", 1, "Not contacted")


def run_with_alarm(seconds, fn, *args):
    """Fail instead of hanging when a referral loop is followed forever."""
    def timeout(signum, frame):
        raise AssertionError(f"did not finish within {seconds} s: a referral loop was followed")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        return fn(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_referral_loop_is_reported_not_followed(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Referral", referred_by="Bob Roe", email="ann@x.org"),
        contact(name="Bob Roe", source="Referral", referred_by="Ann Lee", email="bob@x.org"),
        contact(name="Cy Young", source="Referral", referred_by="Cy Young", email="cy@x.org"),
    ])
    result = run_with_alarm(30, sync, path)
    assert result.exit_code == 0, result.output
    loops = [line for line in result.stdout.splitlines() if line.startswith("Referral loop")]
    assert "Referral loop (not followed): Ann Lee → Bob Roe → Ann Lee. Correct a Referred By cell." in loops
    assert any("Cy Young → Cy Young" in line for line in loops)
    got = tool_values(path)
    assert "referral loop: Ann Lee → Bob Roe → Ann Lee" in got["Ann Lee"]["Comments"]
    assert "referral loop" in got["Bob Roe"]["Comments"]
    depths = {r[0]: r[3] for r in sheet_rows(path, "Referrals")[1:]}
    assert depths == {"Ann Lee": 1, "Bob Roe": 1, "Cy Young": 0}
    again = run_with_alarm(30, sync, path)
    assert "already up to date" in again.stdout


def test_a_referral_loop_through_recommended_cells_terminates(tmp_path):
    # Each recommends the other and neither is in the chart yet under that spelling: rows are added once.
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Own", email="ann@x.org", recommended="Bob Roe <bob@x.org>"),
        contact(name="Bob Roe", source="Own", email="bob@x.org", recommended="Ann Lee <ann@x.org>"),
    ])
    result = run_with_alarm(30, sync, path)
    assert result.exit_code == 0
    assert "Added" not in result.stdout.replace("Added columns", "")
    assert set(tool_values(path)) == {"Ann Lee", "Bob Roe"}


# --------------------------------------------------------------------------- Want to Meet


def test_want_to_meet_status(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Maria Chen", source="Own", organization="Contoso", email="maria@contoso.com"),
        contact(name="Ann Lee", source="Own", organization="Fabrikam Health", email="ann@fab.org",
                contacted_on=D(2026, 11, 20)),
        contact(name="Grace Liu", source="Own", organization="Blue Yonder", email="g@by.com", status="Declined"),
    ], want_to_meet=[
        ["Ann Lee", "Fabrikam Health", "runs analytics", None],
        ["Head of Data", "CONTOSO", "the team I want", None],
        ["Someone", "Blue Yonder", "airlines", None],
        ["Pat Doe", "Nowhere Inc", "curious", "Ann Lee"],
        ["Quinn Roe", "Elsewhere", "curious", "Uncle Joe"],
        [None, None, None, None],
        ["Anyone", None, "anything", None],
    ])
    assert sync(path).exit_code == 0
    rows = sheet_rows(path, "Want to Meet")
    assert rows[0] == ("Name", "Organization", "Why", "Possible Connector", "Status")
    status = {r[0]: r[4] for r in rows[1:] if r[0]}
    assert status["Ann Lee"] == "In Contacts (row 3): Awaiting reply"
    assert status["Head of Data"] == "Ask Maria Chen (CONTOSO) for an introduction"
    assert status["Someone"].startswith("No contact at Blue Yonder"), "a closed contact is not asked"
    assert status["Pat Doe"] == "Ask Ann Lee for an introduction"
    assert status["Quinn Roe"] == "Add Uncle Joe to Contacts, then ask for an introduction"
    assert status["Anyone"].startswith("No contact yet")
    assert rows[6] == (None,) * 5


# --------------------------------------------------------------------------- text stays text

FORMULA_NAMES = ["=1+1", '=HYPERLINK("http://evil.example/x")', "+1+2", "@SUM(A1)"]


def test_recommended_names_that_look_like_formulas_are_written_as_text(tmp_path):
    from openpyxl import load_workbook

    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Maria Chen", source="Own", email="maria@contoso.com", recommended="; ".join(FORMULA_NAMES)),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    ws = wb["Contacts"]
    names = {ws.cell(r, 1).value: ws.cell(r, 1) for r in range(2, ws.max_row + 1)}
    for text in FORMULA_NAMES:
        assert text in names, names
        assert names[text].data_type == "s", text
    referrals = wb["Referrals"]
    people = [referrals.cell(r, 1) for r in range(2, referrals.max_row + 1)]
    assert sorted(c.value for c in people) == sorted(FORMULA_NAMES)
    assert all(c.data_type == "s" for c in people)
    for r in range(1, referrals.max_row + 1):
        assert all(c.data_type != "f" for c in referrals[r])
    # The raw XML has no formula anywhere.
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in zf.namelist() if "worksheets/" in n)
    assert run_with_alarm(30, sync, path).stdout.splitlines()[0].endswith("the file was not rewritten.")


# --------------------------------------------------------------------------- idempotence


@pytest.mark.parametrize("make", ["sample", "referrals", "rules"])
def test_second_sync_changes_no_byte(tmp_path, make):
    path = {"sample": sample_chart, "referrals": referral_chart, "rules": rules_chart}[make](tmp_path / "c.xlsx")
    first = sync(path)
    assert first.exit_code == 0 and "synced for" in first.stdout
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    backups = sorted((tmp_path / "chart-backups").iterdir())
    second = sync(path)
    assert second.exit_code == 0
    lines = second.stdout.splitlines()
    assert lines[0] == f"{path}: already up to date for 2026-11-25; the file was not rewritten."
    assert all(line.startswith(("Problems: ", "Referral loop")) for line in lines[1:]), lines
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    assert sorted((tmp_path / "chart-backups").iterdir()) == backups
    result = sync_chart(path, TODAY)
    assert not result.plan.changed and not result.written and result.backup is None


def test_want_to_meet_filter_grows_to_its_status_column(sample):
    from openpyxl import load_workbook

    assert load_workbook(sample)["Want to Meet"].auto_filter.ref == "A1:D5"
    assert sync(sample).exit_code == 0
    ws = load_workbook(sample)["Want to Meet"]
    assert ws["E1"].value == "Status" and ws.auto_filter.ref == "A1:E5"


def test_a_date_without_a_year_counts_with_the_year_assumed_and_says_so(tmp_path):
    # Typed "Nov. 20" in Contacted On on 2026-11-25: contacted five days ago, awaiting a reply.
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email", contacted_on="Nov. 20"),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    got = tool_values(path)["Ann Lee"]
    assert (got["Stage"], got["Follow-Up On"]) == ("Awaiting reply", D(2026, 11, 27))
    assert got["Comments"] == ('Warning in Contacted On: "Nov. 20" has no year: read as 2026-11-20, the nearest '
                               "such day not after today. Type the year if you meant another one.")


def test_free_form_recommended_text_gives_the_new_row_its_name_email_title_and_organization(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Own", email="ann@fabrikam.org",
                recommended="Dee Martin - CMO at Sinclair - dee.martin@sinclair.com"),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "  row 3: Dee Martin (referred by Ann Lee)" in result.stdout.splitlines()
    row = {h: v for h, v in zip(sheet_rows(path, "Contacts")[0], sheet_rows(path, "Contacts")[2])}
    assert (row["Name"], row["Email"], row["Title"], row["Organization"], row["Referred By"]) == (
        "Dee Martin", "dee.martin@sinclair.com", "CMO", "Sinclair", "Ann Lee")


def test_a_misspelt_header_is_told_in_the_summary(tmp_path):
    headers = [("Contcted On" if h == "Contacted On" else h) for h in TOOL_FREE_HEADERS]
    path = simple_chart(tmp_path / "c.xlsx", [contact(name="Ann Lee", email="ann@fabrikam.org",
                                                      contacted_on=D(2026, 11, 20))], headers=headers)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert ('Warning: Contacts!K1: "Contcted On" is not a column chart knows. Did you mean "Contacted On"? Rename the '
            'header to "Contacted On" to have chart read it; until then chart leaves this column out.'
            in result.stdout.splitlines())
    assert "Problems: 0 errors, 1 warning" in result.stdout


def test_a_date_before_march_1900_syncs_and_reads_back_as_excel_shows_it(tmp_path):
    # Hypothesis found it: a Contacted On of 2 (Excel's 1900-01-02) gave a Follow-Up On written one day off,
    # so the read-back refused every sync of that chart.
    path = simple_chart(tmp_path / "chart.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org",
                                                          channel="Email", contacted_on=2)])
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    assert tool_values(path)["Ann Lee"]["Follow-Up On"] == dt.date(1900, 1, 9)
