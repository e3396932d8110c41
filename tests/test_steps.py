"""The steps a real search needs (issue 13, points 14–15): a follow-up cadence that ends,
and "try again on" a later day.

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
