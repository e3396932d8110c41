"""``chart mail`` against a real Dovecot: dates filled from sent mail, replies recorded, the sync rules run.

Every test gets a new mailbox user (tests/dovecot.py) and a chart under tmp_path; the
messages are APPENDed with their real Date. Nothing here mocks the server.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import contact, run, write_chart
from dovecot import dovecot, gmail_dovecot, mail_user, message  # noqa: F401  (the fixtures)

TODAY = "2026-11-25"
ME = "Jordan Rivera <jordan@example.com>"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)).astimezone()


def sent(user, to: str, subject: str, day: str, hour: int = 10, cc=None):
    user.append("\\Sent", message(ME, to, subject, at(day, hour), cc=cc), at(day, hour), flags=(b"\\Seen",))


def received(user, sender: str, subject: str, day: str, hour: int = 15, seen=False):
    user.append("INBOX", message(sender, ME, subject, at(day, hour)), at(day, hour),
                flags=(b"\\Seen",) if seen else ())


def read_contacts(path) -> list[dict]:
    from workbook_tool.workbook import read_chart

    return [dict(r.values) for r in read_chart(path).contacts.rows]


def chart_with(tmp_path, *rows):
    return write_chart(tmp_path / "chart.xlsx", rows=[contact(**r) for r in rows])


ANN = dict(name="Ann Lee", email="Ann.Lee@Acme.example", channel="Email")
BOB = dict(name="Bob Roe", email="bob@beta.example", channel="Email")


def test_sent_mail_fills_contacted_and_followed_up_and_a_reply_makes_the_stage_replied(tmp_path, mail_user):
    path = chart_with(tmp_path, ANN, BOB)
    sent(mail_user, "Ann Lee <ann.lee@acme.example>", "Fifteen minutes of advice?", "2026-11-02")
    sent(mail_user, "ann.lee@acme.example", "Following up", "2026-11-12")
    received(mail_user, "Ann Lee <ANN.LEE@acme.example>", "Re: Following up", "2026-11-20")
    sent(mail_user, "someone@else.example", "Not a contact", "2026-11-03", cc="bob@beta.example")
    result = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert result.exit_code == 0, result.output
    ann, bob = read_contacts(path)
    assert ann["contacted_on"] == dt.date(2026, 11, 2)
    assert ann["followed_up_on"] == dt.date(2026, 11, 12)
    assert ann["replied_on"] == dt.date(2026, 11, 20)
    assert ann["stage"] == "Replied"
    assert ann["next_step"].startswith("Answer their reply of 2026-11-20 and set up the meeting")
    assert ann["follow_up_on"] == dt.date(2026, 11, 25)  # due today
    # Cc counts as sent to them; nothing came back from Bob.
    assert bob["contacted_on"] == dt.date(2026, 11, 3)
    assert bob["stage"] == "Awaiting reply" and bob.get("replied_on") is None
    out = result.stdout
    assert "Read the headers of 4 messages dated 2026-09-26 or later" in out
    assert '  row 2: Ann Lee: Contacted On 2026-11-02 (2026-11-02 10:00: "Fifteen minutes of advice?")' in out
    assert '  row 2: Ann Lee: Replied On 2026-11-20 (2026-11-20 15:00: "Re: Following up")' in out


def test_a_second_run_changes_no_byte_and_dry_run_writes_nothing(tmp_path, mail_user):
    path = chart_with(tmp_path, ANN)
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    before = path.read_bytes()
    dry = run("mail", path, "--today", TODAY, "--dry-run", env=mail_user.env())
    assert dry.exit_code == 0, dry.output
    assert "Would fill 1 date:" in dry.stdout and "nothing was written" in dry.stdout
    assert path.read_bytes() == before
    assert not (tmp_path / "chart-backups").exists()
    first = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert first.exit_code == 0 and path.read_bytes() != before
    written = path.read_bytes()
    second = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert second.exit_code == 0, second.output
    assert "No blank date to fill from your mail." in second.stdout
    assert "the file was not rewritten" in second.stdout
    assert path.read_bytes() == written


def test_a_typed_date_is_never_changed_and_old_mail_does_not_count(tmp_path, mail_user):
    path = chart_with(tmp_path, dict(ANN, contacted_on=dt.date(2026, 11, 5)), BOB)
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")  # earlier than the typed date
    sent(mail_user, "bob@beta.example", "Long ago", "2026-08-01")  # before the 60-day window
    result = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert result.exit_code == 0, result.output
    ann, bob = read_contacts(path)
    assert ann["contacted_on"] == dt.date(2026, 11, 5)
    assert bob.get("contacted_on") is None
    wider = run("mail", path, "--today", TODAY, "--since", "2026-07-01", "--json", env=mail_user.env())
    assert wider.exit_code == 0, wider.output
    report = json.loads(wider.stdout)
    assert [(f["name"], f["column"], f["date"]) for f in report["filled"]] == [("Bob Roe", "Contacted On",
                                                                               "2026-08-01")]


def test_thanked_on_is_the_first_mail_after_a_past_meeting(tmp_path, mail_user):
    path = chart_with(tmp_path, dict(ANN, contacted_on=dt.date(2026, 11, 2), meeting_on=dt.date(2026, 11, 16),
                                     helpful="the data team's hiring plans"))
    sent(mail_user, "ann.lee@acme.example", "See you Monday", "2026-11-13")
    sent(mail_user, "ann.lee@acme.example", "Thank you!", "2026-11-17")
    sent(mail_user, "ann.lee@acme.example", "One more thing", "2026-11-19")
    result = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert result.exit_code == 0, result.output
    (ann,) = read_contacts(path)
    assert ann["followed_up_on"] == dt.date(2026, 11, 13)  # before the meeting
    assert ann["thanked_on"] == dt.date(2026, 11, 17)
    assert ann["stage"] == "Thanked"


def test_unread_mail_stays_unread_and_nothing_changes_in_the_mailbox(tmp_path, mail_user):
    path = chart_with(tmp_path, ANN)
    received(mail_user, "ann.lee@acme.example", "Happy to help", "2026-11-20")
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    before = {role: mail_user.messages(role) for role in ("INBOX", "\\Sent")}
    result = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert result.exit_code == 0, result.output
    after = {role: mail_user.messages(role) for role in ("INBOX", "\\Sent")}
    assert after == before
    assert b"\\Seen" not in next(iter(after["INBOX"].values()))["flags"]


def test_the_dashboard_counts_a_reply(tmp_path, mail_user):
    from workbook_tool.workbook import read_chart_grids

    path = chart_with(tmp_path, ANN, BOB)
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    sent(mail_user, "bob@beta.example", "Advice?", "2026-11-02")
    received(mail_user, "ann.lee@acme.example", "Re: Advice?", "2026-11-03")
    assert run("mail", path, "--today", TODAY, env=mail_user.env()).exit_code == 0
    grid = read_chart_grids(path, tool_sheets=True)["Dashboard"]
    measures = {row[9]: row[10] for row in grid if len(row) > 10 and row[9]}
    assert measures["Replied"] == 1 and measures["Reply rate"] == "50%"
    stages = {row[0]: row[1] for row in grid if row and row[0]}
    assert stages["Replied"] == 1


def test_gmail_layout(tmp_path, gmail_dovecot):
    user = gmail_dovecot.add_user()
    path = chart_with(tmp_path, ANN)
    sent(user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    result = run("mail", path, "--today", TODAY, env=user.env())
    assert result.exit_code == 0, result.output
    assert read_contacts(path)[0]["contacted_on"] == dt.date(2026, 11, 2)


# --------------------------------------------------------------------------- the Replied rule, the agenda, the calendar


def _step(**values):
    from workbook_tool import stages
    from workbook_tool.workbook import Profile, Row

    return stages.next_step(Row(2, dict(name="Ann Lee", email="a@b.example", channel="Email", **values)), Profile(),
                            dt.date(2026, 11, 25))


def test_a_reply_counts_only_when_newer_than_your_last_message_and_before_a_meeting():
    d = dt.date
    replied = _step(contacted_on=d(2026, 11, 2), replied_on=d(2026, 11, 4))
    assert (replied.stage, replied.due, replied.kind) == ("Replied", d(2026, 11, 25), None)
    assert replied.calendar_title == "Answer {name} and set up the meeting"
    # The same day as your message counts (a same-day answer); an older reply does not.
    assert _step(contacted_on=d(2026, 11, 2), replied_on=d(2026, 11, 2)).stage == "Replied"
    older = _step(contacted_on=d(2026, 11, 2), followed_up_on=d(2026, 11, 10), replied_on=d(2026, 11, 4))
    assert older.stage == "Awaiting reply" and older.action.startswith("No reply to your follow-up of 2026-11-10")
    # A meeting set, a thank-you sent or a closing Status outranks the reply.
    assert _step(contacted_on=d(2026, 11, 2), replied_on=d(2026, 11, 4),
                 meeting_on=d(2026, 12, 1)).stage == "Meeting scheduled"
    assert _step(contacted_on=d(2026, 11, 2), replied_on=d(2026, 11, 4), status="Declined").stage == "Declined"


def test_after_chart_mail_the_agenda_calendar_and_a_later_sync_follow_the_reply(tmp_path, mail_user):
    from icalendar import Calendar

    path = chart_with(tmp_path, ANN)
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    received(mail_user, "ann.lee@acme.example", "Re: Advice?", "2026-11-20")
    assert run("mail", path, "--today", TODAY, env=mail_user.env()).exit_code == 0
    agenda = run("agenda", path, "--today", TODAY, "--json")
    groups = {g["key"]: g["items"] for g in json.loads(agenda.stdout)["groups"]}
    items = [i for group in groups.values() for i in group]
    assert [(i["name"], i["stage"], i["due"]) for i in items] == [("Ann Lee", "Replied", TODAY)]
    assert items[0]["action"].startswith("Answer their reply of 2026-11-20")
    ics = tmp_path / "c.ics"
    assert run("calendar", path, "-o", ics, "--today", TODAY).exit_code == 0
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    assert summaries == ["Answer Ann Lee and set up the meeting"]
    # A sync a day later keeps Replied On (it is chart mail's), and the answer is due that day.
    assert run("sync", path, "--today", "2026-11-26").exit_code == 0
    (ann,) = read_contacts(path)
    assert ann["replied_on"] == dt.date(2026, 11, 20) and ann["follow_up_on"] == dt.date(2026, 11, 26)


def test_replied_on_is_added_by_chart_mail_with_the_first_reply_never_by_sync(tmp_path, mail_user):
    from openpyxl import load_workbook

    def headers(path):
        return [c.value for c in load_workbook(path)["Contacts"][1] if c.value]

    path = chart_with(tmp_path, ANN)
    assert run("sync", path, "--today", TODAY).exit_code == 0
    assert "Replied On" not in headers(path) and headers(path)[-1] == "Draft"
    sent(mail_user, "ann.lee@acme.example", "Advice?", "2026-11-02")
    assert run("mail", path, "--today", TODAY, env=mail_user.env()).exit_code == 0
    assert "Replied On" not in headers(path)  # no reply yet: nothing to record
    received(mail_user, "ann.lee@acme.example", "Re: Advice?", "2026-11-03")
    result = run("mail", path, "--today", TODAY, env=mail_user.env())
    assert result.exit_code == 0, result.output
    assert "Added columns: Replied On (Contacts)." in result.stdout
    assert headers(path)[-2:] == ["Draft", "Replied On"]
