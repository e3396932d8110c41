"""``chart calendar``: meetings and reminders as an .ics file, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from conftest import refuse_new_files
from icalendar import Calendar

from tests.conftest import contact, run, write_chart
from workbook_tool.create import new_workbook
from workbook_tool.errors import BadOption, WriteFailed
from workbook_tool.ics import calendar_items, item_uid, write_calendar, write_ics
from workbook_tool.workbook import read_chart

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.xlsx"
    new_workbook(sample=True).save(path)
    return path


def events(path) -> dict[str, object]:
    """The file's VEVENTs by SUMMARY (each summary is unique in these charts)."""
    cal = Calendar.from_ical(path.read_bytes())
    found = {}
    for event in cal.walk("VEVENT"):
        summary = str(event["SUMMARY"])
        assert summary not in found, summary
        found[summary] = event
    return found


def start(event):
    return event.decoded("DTSTART")


def export(sample, out, today="2026-11-25"):
    result = run("calendar", sample, "-o", out, "--today", today)
    assert result.exit_code == 0, result.output
    return events(out)


def edit_sample(path, name: str, **values):
    """Change cells of one Contacts row of the sample, by column key."""
    from openpyxl import load_workbook

    from workbook_tool import schema

    wb = load_workbook(path)
    ws = wb["Contacts"]
    keys = [c.key for c in schema.CONTACTS.user_columns]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == name)
    for key, value in values.items():
        ws.cell(row=row, column=keys.index(key) + 1, value=value)
    wb.save(path)


# --------------------------------------------------------------------------- what is in it


def test_sample_events(sample, tmp_path):
    found = export(sample, tmp_path / "job.ics")
    # The sample's meetings ahead have their times (Meeting On holds "2026-12-02 10:00").
    assert start(found["Meeting with Isabel Grant (Relecloud)"]) == dt.datetime(2026, 11, 25, 15, 30)
    assert start(found["Meeting with Bob Roe (Northwind Clinic)"]) == dt.datetime(2026, 12, 2, 10, 0)
    assert start(found["Thank-you to Sue Miller"]) == dt.date(2026, 11, 19)
    assert start(found["Call Hiro Tanaka"]) == dt.date(2026, 11, 23)  # his follow-up went unanswered
    assert start(found["Follow up with Priya Natarajan"]) == dt.date(2026, 11, 24)
    assert start(found["Call Frank Osei"]) == dt.date(2026, 11, 27)  # he is reached by phone: a follow-up call
    assert start(found["Call David Kim"]) == TODAY
    assert start(found["Email Olivia Park"]) == TODAY
    assert start(found["Report back to Maria Chen"]) == dt.date(2026, 11, 20)  # she referred Ann Lee, met 11-19
    assert start(found["Keep in touch with Ann Lee"]) == dt.date(2027, 1, 19)
    # A meeting ahead is its own reminder: no second event to prepare for it.
    assert not any("Bob Roe" in s and not s.startswith("Meeting") for s in found)
    assert len(found) == 14


def test_closed_contacts_are_absent(sample, tmp_path):
    found = export(sample, tmp_path / "job.ics")
    raw = (tmp_path / "job.ics").read_text("utf-8")
    for name in ("Elena Petrova", "Grace Liu", "elena.petrova", "grace.liu"):
        assert not any(name in s for s in found)
        assert name not in raw


def test_all_day_reminders_are_free_and_have_an_alarm(sample, tmp_path):
    found = export(sample, tmp_path / "job.ics")
    thank = found["Thank-you to Sue Miller"]
    assert start(thank) == dt.date(2026, 11, 19) and not isinstance(start(thank), dt.datetime)
    assert thank.decoded("DTEND") == dt.date(2026, 11, 20)
    assert str(thank["TRANSP"]) == "TRANSPARENT"
    alarms = thank.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == dt.timedelta(hours=9)
    description = str(thank["DESCRIPTION"])
    assert description.startswith("Send a thank-you that names something helpful\n")
    assert "Organization: Woodgrove Bank (VP, Human Resources)" in description
    assert "chart draft" in description and "--kind thank-you --to 'Sue Miller'" in description


def test_meeting_without_a_time_is_all_day_and_has_no_alarm(sample, tmp_path):
    meeting = export(sample, tmp_path / "job.ics")["Meeting with Ann Lee (Fabrikam Health)"]
    assert meeting.decoded("DTEND") == dt.date(2026, 11, 20)
    assert not meeting.walk("VALARM")
    assert "Organization: Fabrikam Health (Director of Analytics)" in str(meeting["DESCRIPTION"])


def test_meeting_with_a_time_is_a_one_hour_event(tmp_path):
    chart = write_chart(tmp_path / "timed.xlsx", rows=[
        contact(name="Bob Roe", email="bob@example.org", organization="Northwind Clinic",
                contacted_on=dt.date(2026, 11, 21), meeting_on=dt.datetime(2026, 12, 2, 10, 0)),
        contact(name="Ann Lee", email="ann@example.org", contacted_on=dt.date(2026, 11, 21),
                meeting_on="2026-12-03 14:30"),
    ])
    out = tmp_path / "timed.ics"
    found = export(chart, out)
    bob = found["Meeting with Bob Roe (Northwind Clinic)"]
    assert start(bob) == dt.datetime(2026, 12, 2, 10, 0) and start(bob).tzinfo is None
    assert bob.decoded("DTEND") == dt.datetime(2026, 12, 2, 11, 0)
    assert str(bob["TRANSP"]) == "OPAQUE"
    assert start(found["Meeting with Ann Lee"]) == dt.datetime(2026, 12, 3, 14, 30)
    assert b"\r\nDTSTART:20261202T100000\r\n" in out.read_bytes()  # floating: no zone, no Z


# --------------------------------------------------------------------------- UIDs


def test_uids_are_stable_across_runs(sample, tmp_path):
    first = export(sample, tmp_path / "a.ics")
    second = export(sample, tmp_path / "b.ics")
    uids = {s: str(e["UID"]) for s, e in first.items()}
    assert uids == {s: str(e["UID"]) for s, e in second.items()}
    assert len(set(uids.values())) == len(uids)


def test_uid_survives_a_changed_due_date(sample, tmp_path):
    before = export(sample, tmp_path / "a.ics")["Follow up with Priya Natarajan"]
    edit_sample(sample, "Priya Natarajan", contacted_on=dt.date(2026, 11, 20))
    after = export(sample, tmp_path / "b.ics")["Follow up with Priya Natarajan"]
    assert start(before) == dt.date(2026, 11, 24) and start(after) == dt.date(2026, 11, 27)
    assert str(before["UID"]) == str(after["UID"])


def test_uid_survives_a_moved_meeting_and_a_new_today(sample, tmp_path):
    before = export(sample, tmp_path / "a.ics")
    edit_sample(sample, "Bob Roe", meeting_on=dt.date(2026, 12, 4))
    after = export(sample, tmp_path / "b.ics", today="2026-11-26")
    meeting = "Meeting with Bob Roe (Northwind Clinic)"
    assert start(after[meeting]) == dt.date(2026, 12, 4)
    assert str(before[meeting]["UID"]) == str(after[meeting]["UID"])
    # Not-contacted people move to the new today, under the same UID.
    assert start(after["Call David Kim"]) == dt.date(2026, 11, 26)
    assert str(before["Call David Kim"]["UID"]) == str(after["Call David Kim"]["UID"])


def test_uid_depends_on_chart_name_person_and_kind(tmp_path):
    base = item_uid(tmp_path / "chart.xlsx", "email:ann@example.org", "meeting")
    assert base == item_uid("elsewhere/CHART.xlsx", "email:ann@example.org", "meeting")
    assert base != item_uid(tmp_path / "other.xlsx", "email:ann@example.org", "meeting")
    assert base != item_uid(tmp_path / "chart.xlsx", "email:bob@example.org", "meeting")
    assert base != item_uid(tmp_path / "chart.xlsx", "email:ann@example.org", "thank-you")
    assert base.endswith("@chart.workbook-tool")


def test_the_same_person_twice_gets_distinct_uids(tmp_path):
    chart = write_chart(tmp_path / "dup.xlsx", rows=[
        contact(name="Ann Lee", email="ann@example.org", contacted_on=dt.date(2026, 11, 10)),
        contact(name="Ann Lee", email="ANN@example.org", contacted_on=dt.date(2026, 11, 12)),
    ])
    items = calendar_items(read_chart(chart), TODAY)
    assert len(items) == 2 and len({i.uid for i in items}) == 2


def test_sequence_grows_with_export_time(sample, tmp_path):
    write_calendar(sample, tmp_path / "a.ics", TODAY, now=NOW)
    write_calendar(sample, tmp_path / "b.ics", TODAY, now=NOW + dt.timedelta(hours=1))
    a = Calendar.from_ical((tmp_path / "a.ics").read_bytes()).walk("VEVENT")[0]
    b = Calendar.from_ical((tmp_path / "b.ics").read_bytes()).walk("VEVENT")[0]
    assert int(b["SEQUENCE"]) > int(a["SEQUENCE"])
    assert a.decoded("DTSTAMP") == NOW


# --------------------------------------------------------------------------- writing


def test_replaces_an_existing_file_and_leaves_no_temp(sample, tmp_path):
    out = tmp_path / "job.ics"
    out.write_text("old")
    os.chmod(out, 0o640)
    result = write_calendar(sample, out, TODAY, now=NOW)
    assert result.meetings == 5 and result.reminders == 9
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert os.stat(out).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.ics", "sample.xlsx"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "job.ics"
    out.write_text("old")

    def fail(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(WriteFailed, match="Permission denied"):
        write_ics(out, b"new")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["job.ics"]


def test_refuses_to_write_over_the_chart(sample, tmp_path):
    link = tmp_path / "chart.ics"
    link.symlink_to(sample)
    with pytest.raises(BadOption, match="is the chart itself"):
        write_calendar(sample, link, TODAY)
    assert read_chart(sample).contacts.rows


def test_cli_summary(sample, tmp_path):
    out = tmp_path / "job.ics"
    result = run("calendar", sample, "-o", out, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Wrote {out}: 5 meetings and 9 reminders as of 2026-11-25."


# --------------------------------------------------------------------------- bad input


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_missing_output_option(sample):
    result = run("calendar", sample)
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'" in result.stderr
    assert "Traceback" not in result.output


def test_bad_today(sample, tmp_path):
    out = tmp_path / "job.ics"
    line = one_line_error(run("calendar", sample, "-o", out, "--today", "2026-02-30"), 2)
    assert line == "Error: --today '2026-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04."
    assert not out.exists()


def test_output_in_a_missing_folder(sample, tmp_path):
    out = tmp_path / "no-such-folder" / "job.ics"
    line = one_line_error(run("calendar", sample, "-o", out, "--today", "2026-11-25"), 1)
    assert line == (f"Error: {out}: the folder {str(out.parent)!r} does not exist; create it or choose another "
                    "-o path.")


def test_output_is_a_folder(sample, tmp_path):
    out = tmp_path / "job.ics"
    out.mkdir()
    line = one_line_error(run("calendar", sample, "-o", out), 2)
    assert "is a folder" in line


def test_output_in_a_read_only_folder(sample, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        line = one_line_error(run("calendar", sample, "-o", folder / "job.ics"), 1)
        assert "could not write the calendar" in line and "nothing was changed" in line
    finally:
        folder.chmod(0o700)


def test_output_under_a_file(sample, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "job.ics"
    line = one_line_error(run("calendar", sample, "-o", out), 1)
    assert line.endswith("is not a folder; choose another -o path.")


def test_unwritable_output_through_the_cli(sample, tmp_path, monkeypatch):
    refuse_new_files(monkeypatch)
    out = tmp_path / "job.ics"
    line = one_line_error(run("calendar", sample, "-o", out), 1)
    assert line == f"Error: {out}: could not write the calendar (Permission denied); nothing was changed."


def test_output_must_be_ics(sample, tmp_path):
    line = one_line_error(run("calendar", sample, "-o", tmp_path / "job.xlsx"), 2)
    assert "must name an .ics file" in line
    assert not (tmp_path / "job.xlsx").exists()


def test_unreadable_chart(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("Name,Email\nAnn,ann@example.org\n")
    out = tmp_path / "job.ics"
    line = one_line_error(run("calendar", bad, "-o", out), 2)
    assert "CSV file" in line
    assert not out.exists()


def test_help():
    result = run("calendar", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "-o, --output FILE.ics" in result.stdout
