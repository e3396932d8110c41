"""The steps a real search needs (issue 13, points 9–17): a follow-up cadence that ends,
"try again on" a later day, the meeting's place and time, report-back, Via read naturally,
a personal note, and a phone contact's follow-up as a call sheet.

Asserted where a person sees them: the Next Step, Follow-Up On and Comments cells after a
sync, the agenda's groups and the calendar's events.
"""

from __future__ import annotations

import datetime as dt

from conftest import contact, run
from sync_fixtures import TODAY, TODAY_ARG, simple_chart, tool_values

from workbook_tool.agenda import build_agenda
from workbook_tool.ics import calendar_items
from workbook_tool.workbook import read_chart

D = dt.date


def synced(path):
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    return tool_values(path)


def shown(path, today=TODAY):
    """The names the agenda and the calendar hold for ``today``."""
    chart = read_chart(path)
    agenda = {i.name for items in build_agenda(chart, today).groups.values() for i in items}
    calendar = {i.name for i in calendar_items(chart, today)}
    return agenda, calendar


# --------------------------------------------------------------------------- 14. a cadence with an end


def cadence_chart(path):
    return simple_chart(path, [
        # One follow-up, unanswered for the Profile's 7 days: no third email.
        contact(name="Email Person", source="Own", email="e@x.org", phone="617-555-0101", channel="Email",
                contacted_on=D(2026, 11, 1), followed_up_on=D(2026, 11, 10)),
        contact(name="Call Person", source="Own", email="c@x.org", phone="617-555-0102", channel="Call",
                contacted_on=D(2026, 11, 1), followed_up_on=D(2026, 11, 10)),
        contact(name="Only Email", source="Own", email="o@x.org", channel="Email",
                contacted_on=D(2026, 11, 1), followed_up_on=D(2026, 11, 10)),
        # The follow-up went out three days ago: its week is not over.
        contact(name="Still Waiting", source="Own", email="w@x.org", phone="617-555-0103", channel="Email",
                contacted_on=D(2026, 11, 1), followed_up_on=D(2026, 11, 22)),
        # No follow-up yet: the first follow-up is the step, as before.
        contact(name="First Wait", source="Own", email="f@x.org", channel="Email", contacted_on=D(2026, 11, 10)),
    ])


def test_an_unanswered_follow_up_ends_in_the_other_channel_or_no_reply(tmp_path):
    got = synced(cadence_chart(tmp_path / "c.xlsx"))
    email = got["Email Person"]
    assert email["Stage"] == "Awaiting reply"
    assert email["Next Step"] == ("No reply to your follow-up of 2026-11-10: call them (617-555-0101), "
                                  "or set Status to No Reply")
    assert email["Follow-Up On"] == D(2026, 11, 17)  # 7 days after the follow-up, not another follow-up
    assert email["Comments"] == "call overdue by 8 days"
    call = got["Call Person"]
    assert call["Next Step"] == ("No reply to your follow-up of 2026-11-10: email them (c@x.org), "
                                 "or set Status to No Reply")
    assert call["Comments"] == "email overdue by 8 days"
    only = got["Only Email"]
    assert only["Next Step"] == "No reply to your follow-up of 2026-11-10: set Status to No Reply"
    assert only["Comments"] == "closing overdue by 8 days"
    # Not yet a week since the follow-up: what to do on the day it is.
    assert got["Still Waiting"]["Follow-Up On"] == D(2026, 11, 29)
    assert got["Still Waiting"]["Next Step"].startswith("No reply to your follow-up of 2026-11-22: call them")
    assert got["First Wait"]["Next Step"] == "Follow up if no reply (last contact 2026-11-10)"


def test_the_agenda_and_calendar_offer_the_other_channel_not_another_follow_up(tmp_path):
    path = cadence_chart(tmp_path / "c.xlsx")
    chart = read_chart(path)
    overdue = {i.name: i for i in build_agenda(chart, TODAY).groups["overdue"]}
    assert overdue["Email Person"].kind == "call"
    assert overdue["Email Person"].command.endswith("--kind call --to 'Email Person'")
    assert overdue["Call Person"].kind == "outreach"  # a first email to someone the phone did not reach
    assert overdue["Only Email"].kind is None and overdue["Only Email"].command is None
    events = {i.name: i for i in calendar_items(chart, TODAY)}
    assert events["Email Person"].summary == "Call Email Person"
    assert events["Call Person"].summary == "Email Call Person"
    assert events["Only Email"].summary == "Close Only Email as No Reply"
    assert "set Status to No Reply" in events["Only Email"].description


def test_drafts_offer_the_other_channel_not_a_second_follow_up(tmp_path):
    path = cadence_chart(tmp_path / "c.xlsx")
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "follow-up", "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["2026-11-25 follow-up - First Wait.eml"]
    assert ("Skipped Email Person (row 2): Awaiting reply; next step: No reply to your follow-up of 2026-11-10: "
            "call them (617-555-0101), or set Status to No Reply (due 2026-11-17).") in result.output
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "call", "--out", tmp_path / "c")
    assert result.exit_code == 0, result.output
    # A call sheet is written ahead of its day, as for a meeting: there is something to prepare.
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["2026-11-25 call - Email Person.md",
                                                                  "2026-11-25 call - Still Waiting.md"]


# --------------------------------------------------------------------------- 15. try again on


def snooze_chart(path, headers=None):
    from conftest import CONTACT_HEADERS

    return simple_chart(path, [
        contact(name="Later Person", source="Own", email="l@x.org", channel="Email", contacted_on=D(2026, 11, 1),
                try_again_on=D(2027, 1, 11)),
        contact(name="Never Asked", source="Own", email="n@x.org", channel="Email", try_again_on=D(2026, 11, 27)),
        contact(name="Back Today", source="Own", email="b@x.org", phone="617-555-0104", channel="Email",
                contacted_on=D(2026, 10, 1), followed_up_on=D(2026, 10, 8), try_again_on=D(2026, 11, 20)),
        contact(name="Thanked Later", source="Own", email="t@x.org", contacted_on=D(2026, 10, 1),
                meeting_on=D(2026, 10, 5), thanked_on=D(2026, 10, 6), helpful="tip", try_again_on=D(2027, 2, 1)),
    ], headers=headers or CONTACT_HEADERS)


def test_until_try_again_on_no_step_is_due_and_follow_up_on_is_that_day(tmp_path):
    got = synced(snooze_chart(tmp_path / "c.xlsx"))
    later = got["Later Person"]
    assert later["Stage"] == "Awaiting reply"
    assert later["Next Step"] == "Nothing until 2027-01-11 (Try Again On)"
    assert later["Follow-Up On"] == D(2027, 1, 11)
    assert later["Comments"] is None  # the follow-up due 2026-11-08 is not overdue: it waits
    assert got["Never Asked"]["Follow-Up On"] == D(2026, 11, 27)
    assert got["Never Asked"]["Next Step"] == "Nothing until 2026-11-27 (Try Again On)"
    assert got["Thanked Later"]["Follow-Up On"] == D(2027, 2, 1)


def test_on_and_after_try_again_on_the_rhythm_resumes_from_that_day(tmp_path):
    got = synced(snooze_chart(tmp_path / "c.xlsx"))
    # The old follow-up ended long ago; the day to try again restarts the cadence with a follow-up.
    back = got["Back Today"]
    assert back["Next Step"] == "Try again: follow up (last contact 2026-10-08)"
    assert back["Follow-Up On"] == D(2026, 11, 20)
    assert back["Comments"] == "follow-up overdue by 5 days"


def test_the_agenda_and_calendar_leave_a_waiting_contact_alone(tmp_path):
    path = snooze_chart(tmp_path / "c.xlsx")
    agenda, calendar = shown(path)
    # Never Asked's day is within the week, but it is not a step: nothing to do before it.
    assert "Later Person" not in agenda and "Never Asked" not in agenda and "Thanked Later" not in agenda
    assert "Later Person" not in calendar and "Never Asked" not in calendar and "Thanked Later" not in calendar
    assert "Back Today" in agenda and "Back Today" in calendar
    # On the day, the first contact is due like any other.
    agenda, calendar = shown(path, D(2026, 11, 27))
    assert "Never Asked" in agenda and "Never Asked" in calendar


def test_try_again_on_is_found_under_its_aliases(tmp_path):
    from conftest import CONTACT_HEADERS

    for alias in ("Snooze Until", "Contact Again On"):
        headers = [alias if h == "Try Again On" else h for h in CONTACT_HEADERS]
        got = synced(snooze_chart(tmp_path / f"{alias}.xlsx", headers))
        assert got["Later Person"]["Follow-Up On"] == D(2027, 1, 11), alias


def test_an_unreadable_try_again_on_is_a_bad_date_at_its_cell(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Own", email="a@x.org", try_again_on="next spring")])
    result = run("validate", path)
    assert result.exit_code == 1
    assert ("Contacts!R2: error: 'next spring' is not a date I can read. Type a date such as 2026-03-04 or March 4, 2026. "
            "[bad-date]") in result.stdout


# --------------------------------------------------------------------------- 16. meeting place


def place_chart(path, header="Meeting Place"):
    from conftest import CONTACT_HEADERS

    headers = [header if h == "Meeting Place" else h for h in CONTACT_HEADERS]
    return simple_chart(path, [
        contact(name="Ann Lee", source="Own", email="a@x.org", phone="617-555-0101", channel="Call",
                organization="Fabrikam", contacted_on=D(2026, 11, 20), meeting_on=D(2026, 11, 30),
                meeting_place="Fabrikam, 12 Main St, 3rd floor"),
        contact(name="Bo Chen", source="Own", email="b@x.org", channel="Email", contacted_on=D(2026, 11, 20)),
    ], headers=headers)


def test_the_call_sheet_shows_the_meeting_place(tmp_path):
    result = run("draft", place_chart(tmp_path / "c.xlsx"), "--today", TODAY_ARG, "--kind", "call",
                 "--to", "Ann Lee", "--stdout")
    assert result.exit_code == 0, result.output
    assert "- **Meeting:** November 30\n- **Place:** Fabrikam, 12 Main St, 3rd floor\n" in result.stdout


def test_the_meeting_event_has_the_place_as_its_location(tmp_path):
    from icalendar import Calendar

    for header in ("Meeting Place", "Location", "Where"):
        path = place_chart(tmp_path / f"{header}.xlsx", header)
        out = tmp_path / f"{header}.ics"
        assert run("calendar", path, "-o", out, "--today", TODAY_ARG).exit_code == 0
        found = {str(e["SUMMARY"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
        assert str(found["Meeting with Ann Lee (Fabrikam)"]["LOCATION"]) == "Fabrikam, 12 Main St, 3rd floor", header
        assert "LOCATION" not in found["Follow up with Bo Chen"]  # a reminder has no place


# --------------------------------------------------------------------------- 17. report back


def report_chart(path, **maria):
    return simple_chart(path, [
        contact(name="Maria Chen", source="Own", email="maria@contoso.com", contacted_on=D(2026, 11, 2),
                meeting_on=D(2026, 11, 10), thanked_on=D(2026, 11, 11), helpful="the hospital tip",
                recommended="Ann Lee <ann@fabrikam.org>; Olivia Park", **maria),
        contact(name="Ann Lee", source="Referral", referred_by="Maria Chen", email="ann@fabrikam.org",
                organization="Fabrikam Health", contacted_on=D(2026, 11, 12), meeting_on=D(2026, 11, 19),
                helpful="the tip to show a hospital-inventory dashboard"),
        contact(name="Olivia Park", source="Referral", referred_by="Maria Chen", email="olivia@fabrikam.org"),
    ])


def test_once_you_met_their_referral_the_referrer_hears_how_it_went(tmp_path):
    got = synced(report_chart(tmp_path / "c.xlsx"))
    maria = got["Maria Chen"]
    assert maria["Stage"] == "Thanked"
    assert maria["Next Step"] == ("Report back: tell them how it went with Ann Lee; then contact the people they "
                                  "referred: Olivia Park")
    assert maria["Follow-Up On"] == D(2026, 11, 20)  # Thank-You Days after the meeting with Ann Lee
    assert maria["Comments"] == "report-back overdue by 5 days"
    assert maria["Draft"] == "Tell Maria how it went"
    assert maria["Draft link"].startswith("mailto:maria@contoso.com?")
    agenda = build_agenda(read_chart(tmp_path / "c.xlsx"), TODAY)
    item = next(i for i in agenda.groups["overdue"] if i.name == "Maria Chen")
    assert item.kind == "report-back" and item.command.endswith("--kind report-back --to 'Maria Chen'")
    events = {i.summary for i in calendar_items(read_chart(tmp_path / "c.xlsx"), TODAY)}
    assert "Report back to Maria Chen" in events


def test_a_report_back_recorded_in_followed_up_on_is_done(tmp_path):
    got = synced(report_chart(tmp_path / "c.xlsx", followed_up_on=D(2026, 11, 21)))
    assert got["Maria Chen"]["Next Step"] == ("Contact the people they referred: Olivia Park; then keep in touch")


def test_the_report_back_draft_names_the_person_and_what_helped(tmp_path):
    path = report_chart(tmp_path / "c.xlsx")
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "report-back", "--out", tmp_path / "d")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stdout
    [eml] = (tmp_path / "d").iterdir()
    assert eml.name == "2026-11-25 report-back - Maria Chen.eml"
    import email
    from email import policy

    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"] == "How it went with Ann Lee"
    body = message.get_body().get_content().replace("\r\n", "\n")
    assert body.startswith("Dear Maria,\n\nThank you again for putting me in touch with Ann Lee at Fabrikam Health: "
                           "we met on November 19, and what helped me most was the tip to show a "
                           "hospital-inventory dashboard.")


# --------------------------------------------------------------------------- 9. Via, read naturally


import pytest  # noqa: E402

from workbook_tool.templates import via_phrase  # noqa: E402


@pytest.mark.parametrize("via, source, said", [
    ("Mom", "Family", "my mom"),
    ("Dad", "Family", "my dad"),
    ("Aunt Sue", "Family", "my aunt Sue"),
    ("my uncle Ray", "Family", "my uncle Ray"),
    ("Uncle Ray", None, "my uncle Ray"),
    ("Dad's friend Tom", "Family", "my dad's friend Tom"),
    ("Sam Patel", "Friend", "my friend Sam Patel"),
    ("Sam", "friend", "my friend Sam"),
    ("Priya", "Family", "Priya"),
    ("  Mom  ", "Family", "my mom"),
])
def test_via_reads_as_a_person_would_write_it(via, source, said):
    assert via_phrase(via, source) == said


def test_the_outreach_opens_with_the_natural_phrase(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Sue Miller", source="Family", via="Mom", email="sue@x.org", channel="Email"),
        contact(name="Priya Natarajan", source="Friend", via="Sam Patel", email="priya@x.org", channel="Email"),
    ])
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "outreach", "--stdout")
    assert result.exit_code == 0, result.output
    assert "Dear Sue,\n\nMy mom suggested I get in touch with you. I am " in result.stdout
    assert "Dear Priya,\n\nMy friend Sam Patel suggested I get in touch with you. I am " in result.stdout
    assert "Mom suggested" not in result.stdout.replace("My mom suggested", "")


# --------------------------------------------------------------------------- 10. a personal note


def test_a_personal_note_opens_the_outreach(tmp_path):
    from conftest import CONTACT_HEADERS

    note = "You were my manager at Contoso for three years, and your review checklist still guides my work"
    for header in ("Personal Note", "How We Know Each Other"):
        headers = [header if h == "Personal Note" else h for h in CONTACT_HEADERS]
        path = simple_chart(tmp_path / f"{header}.xlsx", [
            contact(name="Elena Petrova", source="Own", email="elena@contoso.com", channel="Email",
                    personal_note=note),
            contact(name="Carlos Diaz", source="Referral", referred_by="Sue Miller", email="carlos@x.org",
                    channel="Email", personal_note="We met at the bank's career fair"),
        ], headers=headers)
        result = run("draft", path, "--today", TODAY_ARG, "--kind", "outreach", "--stdout")
        assert result.exit_code == 0, result.output
        assert f"Dear Elena,\n\n{note}. I am " in result.stdout, header
        # Whoever referred you still comes first (the checker's rule); the note right after.
        assert ("Dear Carlos,\n\nSue Miller suggested I get in touch with you. We met at the bank's career fair. "
                "I am ") in result.stdout, header
        assert "warning:" not in result.stdout + result.stderr


# --------------------------------------------------------------------------- 12. a phone contact's follow-up


def phone_chart(path):
    return simple_chart(path, [
        # Reached by phone: Channel Call; or a phone and no usable address, whatever Channel says.
        contact(name="Frank Osei", source="Family", via="Dad", phone="617-555-0188", channel="Call",
                contacted_on=D(2026, 11, 10)),
        contact(name="Pat Lu", source="Own", phone="617-555-0189", channel="Email", contacted_on=D(2026, 11, 10)),
        contact(name="Quinn Ray", source="Own", phone="617-555-0187", contacted_on=D(2026, 11, 10)),
        # Their follow-up is not due yet (contacted three days ago).
        contact(name="Nora Late", source="Own", phone="617-555-0186", channel="Call", contacted_on=D(2026, 11, 22)),
        # By email: an .eml, as before.
        contact(name="Eve Mail", source="Own", email="eve@x.org", channel="Email", contacted_on=D(2026, 11, 10)),
        # Channel Email with no address (and no phone), and with an address that is none (and a phone).
        contact(name="Ed None", source="Own", channel="Email"),
        contact(name="Bea Bad", source="Own", email="bea@", phone="617-555-0185", channel="Email"),
    ])


def test_a_phone_contacts_follow_up_is_a_call_sheet(tmp_path):
    path = phone_chart(tmp_path / "c.xlsx")
    got = synced(path)
    assert got["Frank Osei"]["Next Step"] == "Follow up if no reply (last contact 2026-11-10)"
    assert got["Frank Osei"]["Comments"] == "follow-up overdue by 8 days"
    assert got["Frank Osei"]["Draft"] is None  # no email to open
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "follow-up", "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [
        "2026-11-25 call - Frank Osei.md", "2026-11-25 call - Pat Lu.md", "2026-11-25 call - Quinn Ray.md",
        "2026-11-25 follow-up - Eve Mail.eml"]
    assert "Skipped Nora Late (row 5): Awaiting reply; a follow-up is not due until 2026-11-29.\n" in result.stdout
    assert "warning:" not in result.stdout
    sheet = (tmp_path / "f" / "2026-11-25 call - Frank Osei.md").read_text(encoding="utf-8")
    assert sheet.startswith("# Call sheet: Frank Osei\n\nFollow up if no reply (last contact 2026-11-10).\n")
    assert "- Mention my dad, who put us in touch.\n- I am following up on my call of November 10, knowing how " \
           "busy you are.\n" in sheet
    pat = (tmp_path / "f" / "2026-11-25 call - Pat Lu.md").read_text(encoding="utf-8")
    assert "- I am following up on my message of November 10, knowing how busy you are.\n" in pat
    # The agenda and the calendar say the same: a call.
    chart = read_chart(path)
    items = {i.name: i for group in build_agenda(chart, TODAY).groups.values() for i in group}
    assert items["Frank Osei"].command.endswith("--kind call --to 'Frank Osei'")
    assert "Call Frank Osei" in {i.summary for i in calendar_items(chart, TODAY)}
    # --kind call drafts them too, and the one not due yet waits with the follow-ups.
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "call", "--out", tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "2026-11-25 call - Bea Bad.md", "2026-11-25 call - Frank Osei.md", "2026-11-25 call - Pat Lu.md",
        "2026-11-25 call - Quinn Ray.md"]
    assert not list((tmp_path / "f").glob("*.txt"))


def test_channel_email_without_an_address_is_said_in_comments(tmp_path):
    got = synced(phone_chart(tmp_path / "c.xlsx"))
    assert got["Pat Lu"]["Comments"] == ("follow-up overdue by 8 days; Channel is Email but there is no address: "
                                         "call them instead (617-555-0189), or add their email address")
    assert got["Ed None"]["Comments"].startswith("Channel is Email but there is no address: add their email "
                                                 "address, or a phone number and set Channel to Call; ")
    assert got["Ed None"]["Next Step"] == "Email to ask for 15-20 minutes of advice"
    assert got["Bea Bad"]["Comments"].startswith("Channel is Email but there is no valid address: call them "
                                                 "instead (617-555-0185), or add their email address; ")
    assert got["Bea Bad"]["Next Step"] == "Call to ask for 15-20 minutes of advice"
    assert "Channel" not in (got["Eve Mail"]["Comments"] or "") + (got["Frank Osei"]["Comments"] or "")


def test_a_contact_without_an_address_gets_a_call_sheet_when_a_phone_is_known(tmp_path):
    path = phone_chart(tmp_path / "c.xlsx")
    # Bea's first contact is a call; Ed, with nothing to reach him by, stays an outreach (a text to copy from).
    result = run("draft", path, "--today", TODAY_ARG, "--kind", "outreach", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert "Skipped Bea Bad (row 8): Not contacted; next step: Call to ask for 15-20 minutes of advice " \
           "(due 2026-11-25).\n" in result.stdout
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["2026-11-25 outreach - Ed None.txt"]
    sheet = run("draft", path, "--today", TODAY_ARG, "--kind", "call", "--to", "Bea Bad", "--stdout").stdout
    assert sheet.startswith("==> 2026-11-25 call - Bea Bad.md <==\n# Call sheet: Bea Bad\n")
    assert "- **Phone:** 617-555-0185\n" in sheet


# --------------------------------------------------------------------------- 13. the meeting's time; the referrer named


def test_the_call_sheet_shows_the_meetings_time_and_place(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ann Lee", source="Own", phone="617-555-0101", channel="Call", contacted_on=D(2026, 11, 20),
                meeting_on=dt.datetime(2026, 11, 30, 15, 30), meeting_place="Fabrikam, 12 Main St"),
        contact(name="Bo Chen", source="Own", phone="617-555-0102", channel="Call", contacted_on=D(2026, 11, 20),
                meeting_on="2026-12-01 09:05"),
        contact(name="Cy Day", source="Own", phone="617-555-0103", channel="Call", contacted_on=D(2026, 11, 20),
                meeting_on=D(2026, 12, 2)),
    ])
    out = run("draft", path, "--today", TODAY_ARG, "--kind", "call", "--stdout").stdout
    assert "- **Meeting:** November 30 at 3:30 PM\n- **Place:** Fabrikam, 12 Main St\n" in out
    assert "- **Meeting:** December 1 at 9:05 AM\n" in out
    assert "- **Meeting:** December 2\n" in out  # a day without a time
    # Outside the 12-hour regions, the 24-hour clock.
    path = simple_chart(tmp_path / "gb.xlsx", [
        contact(name="Ann Lee", source="Own", phone="+44 20 7946 0000", channel="Call",
                contacted_on=D(2026, 11, 20), meeting_on=dt.datetime(2026, 11, 30, 15, 30))], profile={"Region": "GB"})
    out = run("draft", path, "--today", TODAY_ARG, "--kind", "call", "--stdout").stdout
    assert "- **Meeting:** November 30 at 15:30\n" in out


def test_thank_yous_and_follow_ups_name_the_referrer_as_the_outreach_did(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Dr. Ann Lee", source="Own", email="ann@x.org", channel="Email", contacted_on=D(2026, 10, 1),
                meeting_on=D(2026, 10, 5), thanked_on=D(2026, 10, 6)),
        contact(name="Bob Roe", source="Referral", referred_by="Dr. Ann Lee", email="bob@x.org", channel="Email",
                contacted_on=D(2026, 11, 2), meeting_on=D(2026, 11, 20), helpful="the tip about dashboards"),
        contact(name="Sue Miller", source="Family", via="Mom", email="sue@x.org", channel="Email",
                contacted_on=D(2026, 9, 1), meeting_on=D(2026, 9, 5), thanked_on=D(2026, 9, 6)),
        contact(name="Cy Young", source="Referral", referred_by="Dr. Ann Lee", email="cy@x.org", channel="Email",
                contacted_on=D(2026, 11, 10)),
    ])
    thanks = run("draft", path, "--today", TODAY_ARG, "--kind", "thank-you", "--stdout")
    assert thanks.exit_code == 0, thanks.output
    assert ("Thank you for taking the time to talk with me on November 20, as Dr. Ann Lee suggested. What I found "
            "most helpful was the tip about dashboards.") in thanks.stdout
    follow = run("draft", path, "--today", TODAY_ARG, "--kind", "follow-up", "--to", "Cy Young", "--to",
                 "Sue Miller", "--stdout")
    assert follow.exit_code == 0, follow.output
    assert "(Dr. Ann Lee suggested I contact you)" in follow.stdout
    assert "Thank you again for our conversation, which I owe to my mom." in follow.stdout
    assert "warning:" not in thanks.stderr + follow.stderr
