"""``chart validate PATH [--json]``: every problem with severity, code, place and a fix; header matching."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import (CONTACT_HEADERS, GOOD_PROFILE, REPO, SAMPLE_CHART, codes, contact, problems, run, write_chart,
                            write_workbook)
from workbook_tool import schema
from workbook_tool.validate import WARNING, Problem, has_errors, validate_chart
from workbook_tool.workbook import read_chart

JSON_KEYS = {"severity", "code", "sheet", "cell", "row", "column", "message"}


def only(found: list[dict], code: str) -> dict:
    """The one problem with ``code``."""
    matching = [p for p in found if p["code"] == code]
    assert len(matching) == 1, found
    return matching[0]


def chart_with(tmp_path, *rows, profile=GOOD_PROFILE, name="chart.xlsx", **kwargs):
    return write_chart(tmp_path / name, rows=rows, profile=profile, **kwargs)


# --------------------------------------------------------------------------- output and exit codes


def test_clean_chart(good_chart):
    result = run("validate", good_chart)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == f"{good_chart}: 3 contacts, 0 errors, 0 warnings.\n"
    assert problems(good_chart) == []


def test_clean_chart_json(good_chart):
    result = run("validate", good_chart, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_error_exit_1_with_place_severity_code_and_message(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam"))
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "Contacts!H2: error: 'ann@fabrikam' is not a valid email address: The part after the @-sign is not valid. "
        "It should have a period. Correct the address. [bad-email]",
        f"{path}: 1 contact, 1 error, 0 warnings.",
    ]


def test_json_objects(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam"),
                      contact(name="Bob Roe", phone="617-555-0142"), contact(name="Cy Ode"))
    result = run("validate", path, "--json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert all(set(p) == JSON_KEYS for p in found)
    assert found == [
        {"severity": "error", "code": "bad-email", "sheet": "Contacts", "cell": "H2", "row": 2, "column": "Email",
         "message": "'ann@fabrikam' is not a valid email address: The part after the @-sign is not valid. It should "
                    "have a period. Correct the address."},
        {"severity": "warning", "code": "no-contact-info", "sheet": "Contacts", "cell": "H4", "row": 4,
         "column": "Email", "message": "Cy Ode has neither a phone number nor an email. Add one so you can reach out."},
    ]


def test_warnings_only_exit_0(tmp_path):
    path = chart_with(tmp_path, contact(name="Cy Ode"))
    result = run("validate", path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"{path}: 1 contact, 0 errors, 1 warning."
    assert "Contacts!H2: warning: " in result.stdout and "[no-contact-info]" in result.stdout


def test_library_returns_problems(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann", email="bad"))
    found = validate_chart(read_chart(path))
    assert [type(p) for p in found] == [Problem]
    assert found[0].where == "Contacts!H2"
    assert has_errors(found)
    assert not has_errors([Problem(WARNING, "x", "Contacts", "A2", 2, "Name", "m")])


# --------------------------------------------------------------------------- Contacts checks


def test_missing_name(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      contact(organization="Contoso", email="who@contoso.com"))
    p = only(problems(path), "missing-name")
    assert (p["severity"], p["cell"], p["row"], p["column"]) == ("error", "A3", 3, "Name")
    assert p["message"] == "this row has data but no Name. Type the person's name, or clear the row."


def test_row_with_only_spaces_is_blank(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"), contact(name="  ", notes="   "))
    assert codes(path) == []


@pytest.mark.parametrize("email", ["ann@fabrikam", "ann lee@fabrikam.org", "ann@@fabrikam.org", "Ann Lee",
                                   "ann@fabrikam.invalid"])
def test_bad_email(tmp_path, email):
    path = chart_with(tmp_path, contact(name="Ann Lee", email=email))
    p = only(problems(path), "bad-email")
    assert (p["severity"], p["cell"]) == ("error", "H2")
    assert p["message"].startswith(f"{email!r} is not a valid email address: ")
    assert p["message"].endswith(". Correct the address.") and ".." not in p["message"]


@pytest.mark.parametrize("email", ["ann@fabrikam.org", "Ann.Lee+jobs@Fabrikam.ORG", " ann@fabrikam.org ",
                                   "mailto:ann@fabrikam.org", "josé@exämple.de"])
def test_good_email(tmp_path, email):
    assert codes(chart_with(tmp_path, contact(name="Ann Lee", email=email))) == []


@pytest.mark.parametrize("phone", ["555-1234", "123", "call me", "617-555-01", "+1 617 555 01423", 12345, 5551234])
def test_bad_phone(tmp_path, phone):
    path = chart_with(tmp_path, contact(name="Ann Lee", phone=phone))
    p = only(problems(path), "bad-phone")
    assert (p["severity"], p["cell"], p["column"]) == ("error", "G2", "Phone")
    assert p["message"].endswith("Write it with its area code, or with +country code for a number abroad (Profile "
                                 "Region sets the default country).")


@pytest.mark.parametrize("phone", ["617-555-0101", "(617) 555-0101", "617.555.0101", "+1 617 555 0101",
                                   "617-555-0101 ext. 12", 6175550101, 16175550101, "+44 20 7946 0958"])
def test_good_phone(tmp_path, phone):
    assert codes(chart_with(tmp_path, contact(name="Ann Lee", phone=phone))) == []


def test_phone_region_comes_from_profile(tmp_path):
    london = "020 7946 0958"
    us = chart_with(tmp_path, contact(name="Ann Lee", phone=london), name="us.xlsx")
    assert codes(us) == ["bad-phone"]
    assert only(problems(us), "bad-phone")["message"].startswith(f"'{london}' cannot be a real phone number in US.")
    gb = chart_with(tmp_path, contact(name="Ann Lee", phone=london), name="gb.xlsx",
                    profile={**GOOD_PROFILE, "Region": "gb", "Your Phone": "+1 617 555 0100"})
    assert codes(gb) == []
    # A US number without +1 is not a London number.
    gb_us = chart_with(tmp_path, contact(name="Bob Roe", phone="617-555-0142"), name="gb_us.xlsx",
                       profile={**GOOD_PROFILE, "Region": "GB", "Your Phone": "+1 617 555 0100"})
    assert codes(gb_us) == ["bad-phone"]


def test_phone_region_defaults_to_us(tmp_path):
    profile = {k: v for k, v in GOOD_PROFILE.items() if k != "Region"}
    path = chart_with(tmp_path, contact(name="Ann Lee", phone="617-555-0101"), profile=profile)
    assert codes(path) == []
    assert read_chart(path).profile.region == "US"


def test_phone_stored_as_a_number_keeps_its_cell(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", phone=5550142.0), contact(name="Bob Roe", phone=6175550142.0))
    p = only(problems(path), "bad-phone")
    assert p["cell"] == "G2"
    assert p["message"].startswith("'5550142' cannot be a real phone number in US.")


@pytest.mark.parametrize("key, value, suggestion, allowed", [
    ("source", "Freind", "Friend", "Own, Family, Friend, Referral"),
    ("source", "Referal", "Referral", "Own, Family, Friend, Referral"),
    ("channel", "Emial", "Email", "Call, Email"),
    ("channel", "Cal", "Call", "Call, Email"),
    ("status", "Declned", "Declined", "Declined, No Reply, On Hold, Done"),
    ("status", "on-hld", "On Hold", "Declined, No Reply, On Hold, Done"),
])
def test_bad_choice_with_suggestion(tmp_path, key, value, suggestion, allowed):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", **{key: value}))
    header = schema.CONTACTS.column(key).header
    p = only(problems(path), f"bad-{key}")
    assert p["severity"] == "error"
    assert p["cell"] == f"{'ABCDEFGHIJKLMNOPQ'[CONTACT_HEADERS.index(header)]}2"
    assert p["message"] == f'"{value}" is not a {header}. Did you mean "{suggestion}"? Use one of: {allowed}.'


def test_bad_choice_without_a_close_match(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", channel="Carrier pigeon"))
    message = only(problems(path), "bad-channel")["message"]
    assert message == '"Carrier pigeon" is not a Channel. Use one of: Call, Email.'


@pytest.mark.parametrize("key, value", [("source", "referral"), ("source", " FAMILY "), ("channel", "e-mail"),
                                        ("status", "no reply"), ("status", "ON HOLD"), ("status", "Done")])
def test_choices_match_forgivingly(tmp_path, key, value):
    extra = {"referred_by": "Ann Lee"} if value == "referral" else {}
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      contact(name="Bob Roe", email="bob@northwind.org", **{key: value}, **extra))
    assert codes(path) == []


@pytest.mark.parametrize("value", [dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 10, 30), 46328, 46328.5,
                                   "2026-11-02", "2026/11/02", "November 2, 2026", "Nov 2, 2026", "2 Nov 2026",
                                   "11/2/2026", "11/2/26", "Monday, November 2, 2026", "November 2nd, 2026",
                                   "Sept. 4, 2026", "2026-11-02T10:30:00"])
def test_good_dates(tmp_path, value):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", contacted_on=value))
    assert codes(path) == []


@pytest.mark.parametrize("value, reason", [
    ("next week", "'next week' is not a date I can read"),
    ("2026-13-45", "'2026-13-45' is not a date I can read"),
    ("31/31/2026", "'31/31/2026' is not a date I can read"),
    (-5, "-5 is not a date"),
    (99_999_999, "99999999 is not a date"),
    ("1492-10-12", "the year 1492 is out of range"),
])
def test_bad_dates(tmp_path, value, reason):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", meeting_on=value))
    p = only(problems(path), "bad-date")
    assert (p["severity"], p["cell"], p["column"]) == ("error", "L2", "Meeting On")
    assert p["message"] == f"{reason}. Type a date such as 2026-03-04 or March 4, 2026."


def test_every_date_column_is_checked(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", contacted_on="soon",
                                        meeting_on="soon", thanked_on="soon", followed_up_on="soon"))
    assert [p["cell"] for p in problems(path)] == ["K2", "L2", "M2", "N2"]


def test_unknown_referrer(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", source="Referral",
                                        referred_by="Maria Chen"))
    p = only(problems(path), "unknown-referrer")
    assert (p["severity"], p["cell"], p["column"]) == ("error", "D2", "Referred By")
    assert p["message"] == ('"Maria Chen" is not a Name in this sheet. Add them as a contact, or correct the spelling '
                            "to match their row.")


@pytest.mark.parametrize("referrer", ["Maria Chen", "maria chen", "Chen, Maria", "Dr. Maria Chen", " MARIA  CHEN "])
def test_referrer_matches_a_name_forgivingly(tmp_path, referrer):
    path = chart_with(tmp_path, contact(name="Maria Chen", email="maria@contoso.com"),
                      contact(name="Ann Lee", email="ann@fabrikam.org", source="Referral", referred_by=referrer))
    assert codes(path) == []


def test_referrer_may_be_listed_below(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", source="Referral",
                                        referred_by="Maria Chen"),
                      contact(name="Maria Chen", email="maria@contoso.com"))
    assert codes(path) == []


def test_self_referral(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", referred_by="Ann Lee"))
    assert codes(path) == ["self-referral"]


def test_referral_without_referrer_is_a_warning(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", source="Referral"))
    p = only(problems(path), "referral-without-referrer")
    assert (p["severity"], p["cell"]) == ("warning", "D2")
    assert run("validate", path).exit_code == 0


def test_duplicate_by_email(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      contact(name="Annie L.", email="ANN@Fabrikam.org"))
    p = only(problems(path), "duplicate-person")
    assert (p["severity"], p["cell"], p["row"]) == ("error", "H3", 3)
    assert p["message"] == "Annie L. is already in row 2 (same email). Merge the two rows into one."


def test_duplicate_by_phone_written_differently(tmp_path):
    path = chart_with(tmp_path, contact(name="Bob Roe", phone="617-555-0142"),
                      contact(name="Robert Roe", phone=6175550142), contact(name="R. Roe", phone="+1 (617) 555-0142"))
    found = [p for p in problems(path) if p["code"] == "duplicate-person"]
    assert [(p["cell"], p["severity"]) for p in found] == [("G3", "error"), ("G4", "error")]
    assert all("already in row 2 (same phone)" in p["message"] for p in found)


def test_duplicate_by_name_is_a_warning(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      contact(name="Lee, Ann", email="ann.lee@gmail.com"))
    p = only(problems(path), "duplicate-person")
    assert (p["severity"], p["cell"]) == ("warning", "A3")
    assert "same name" in p["message"]


def test_one_duplicate_report_per_row(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", phone="617-555-0101"),
                      contact(name="Ann Lee", email="ann@fabrikam.org", phone="617-555-0101"))
    assert codes(path) == ["duplicate-person"]


def test_no_contact_info(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", organization="Fabrikam"))
    p = only(problems(path), "no-contact-info")
    assert (p["severity"], p["cell"]) == ("warning", "H2")


def test_bad_recommended_email_is_a_warning(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org",
                                        recommended="Bob Roe <bob@northwind>, Northwind\nOlivia Park"))
    p = only(problems(path), "bad-recommended")
    assert (p["severity"], p["cell"]) == ("warning", "Q2")
    assert p["message"].startswith("Bob Roe: 'bob@northwind' is not a valid email address")


def test_problems_for_many_rows_are_in_row_order(tmp_path):
    path = chart_with(tmp_path, contact(name="A", email="x"), contact(name="B", email="b@x.org"),
                      contact(name="C", email="y"))
    assert [p["row"] for p in problems(path)] == [2, 4]


# --------------------------------------------------------------------------- Profile checks


def test_profile_missing(tmp_path):
    profile = {**GOOD_PROFILE, "Your Name": None, "Expertise": "  "}
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"), profile=profile)
    found = problems(path)
    assert [(p["code"], p["severity"], p["sheet"], p["cell"], p["column"]) for p in found] == [
        ("profile-missing", "warning", "Profile", "B2", "Your Name"),
        ("profile-missing", "warning", "Profile", "B6", "Expertise"),
    ]
    assert found[0]["message"] == ("Your Name is blank; drafts need it. Fill in its Value cell. (Your full name, as it "
                                   "should sign your emails.)")
    assert run("validate", path).exit_code == 0


def test_profile_row_absent(tmp_path):
    profile = {k: v for k, v in GOOD_PROFILE.items() if k != "Seeking"}
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"), profile=profile)
    p = only(problems(path), "profile-missing")
    assert (p["cell"], p["row"], p["column"]) == ("", None, "Seeking")
    assert 'Fill in a "Seeking" row.' in p["message"]


@pytest.mark.parametrize("label, value, severity", [
    ("Follow-Up Days", "seven", "error"),
    ("Follow-Up Days", -1, "error"),
    ("Thank-You Days", 1.5, "error"),
    ("Keep-In-Touch Days", 4000, "error"),
    ("Keep-In-Touch Days", "inf", "error"),
    ("Keep-In-Touch Days", "nan", "error"),
    ("Region", "USA", "error"),
    ("Region", "XX", "error"),
    ("Your Email", "jordan@", "error"),
    ("Your Phone", "555", "warning"),
])
def test_bad_profile_value(tmp_path, label, value, severity):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      profile={**GOOD_PROFILE, label: value})
    p = only(problems(path), "bad-profile-value")
    row = list(GOOD_PROFILE).index(label) + 2
    assert (p["severity"], p["sheet"], p["cell"], p["row"], p["column"]) == (severity, "Profile", f"B{row}", row, label)
    assert run("validate", path).exit_code == (1 if severity == "error" else 0)


def test_bad_day_counts_fall_back_to_defaults(tmp_path):
    profile = {**GOOD_PROFILE, "Follow-Up Days": "inf", "Thank-You Days": "nan", "Keep-In-Touch Days": "14"}
    chart = read_chart(chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"), profile=profile))
    assert chart.profile.days("follow_up_days") == 7
    assert chart.profile.days("thank_you_days") == 1
    assert chart.profile.days("keep_in_touch_days") == 14


def test_bad_region_falls_back_to_us(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", phone="617-555-0101"), profile={**GOOD_PROFILE, "Region": "XX"})
    assert codes(path) == ["bad-profile-value"]
    assert read_chart(path).profile.region == "US"


def test_day_counts_as_text_are_fine(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"),
                      profile={**GOOD_PROFILE, "Follow-Up Days": "10", "Thank-You Days": 0})
    assert codes(path) == []
    assert read_chart(path).profile.days("follow_up_days") == 10


def test_no_profile_sheet(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"), profile=None)
    p = only(problems(path), "no-profile")
    assert (p["severity"], p["sheet"], p["cell"], p["row"]) == ("warning", "Profile", "", None)
    result = run("validate", path)
    assert result.exit_code == 0
    assert result.stdout.startswith("Profile: warning: there is no Profile sheet")


def test_profile_without_header_row_and_with_aliases(tmp_path):
    rows = [["About me"], ["Name", "Jordan Rivera"], ["E-mail", "jordan@example.com"], ["Status", "laid off"],
            ["Skills", "SQL"], ["Looking For", "analyst"], ["Reason", "office closed"], ["Country", "GB"]]
    path = chart_with(tmp_path, contact(name="Ann Lee", phone="020 7946 0958"), profile=rows)
    assert codes(path) == []
    profile = read_chart(path).profile
    assert profile.text("your_email") == "jordan@example.com"
    assert profile.cells["region"] == "B8"


def test_profile_sheet_found_by_alias(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", rows=[contact(name="Ann Lee", email="ann@fabrikam.org")], profile=None,
                       extra_sheets={"About Me": [["Field", "Value"], *GOOD_PROFILE.items()]})
    assert codes(path) == []


# --------------------------------------------------------------------------- finding the table


@pytest.mark.parametrize("header, key", [
    ("Full Name", "name"), ("NAME", "name"), (" name ", "name"),
    ("E-mail", "email"), ("e-mail address", "email"), ("EMAIL", "email"),
    ("Phone #", "phone"), ("Phone Number", "phone"), ("Cell", "phone"),
    ("Company", "organization"), ("Organisation", "organization"),
    ("Referred by:", "referred_by"), ("referred-by", "referred_by"), ("REFERRED BY", "referred_by"),
    ("Job Title", "title"), ("Contacted on", "contacted_on"), ("Thank-you sent", "thanked_on"),
    ("Comments / Follow-up", "notes"), ("Comments & Follow-Up", "notes"),
    ("Comments", "comments"), ("Follow-Up On", "follow_up_on"),
])
def test_header_aliases(header, key):
    assert schema.CONTACTS.match_header(header).key == key


def test_no_alias_is_claimed_by_two_columns():
    # A tool sheet is found by its name and never read by its headers (the Dashboard's blocks both say Contacts).
    for shape in (s for s in schema.SHEETS if s.owner == schema.USER):
        seen: dict[str, str] = {}
        for column in shape.columns:
            for folded in column.match_keys:
                assert folded not in seen, f"{shape.name}: {folded!r} names {seen[folded]} and {column.key}"
                seen[folded] = column.key


def test_aliased_headers_are_read(tmp_path):
    headers = ["Full Name", "E-mail", "Phone #", "Company", "Referred by:", "Source"]
    path = write_chart(tmp_path / "c.xlsx", headers, [
        ["Maria Chen", "maria@contoso.com", "617-555-0101", "Contoso", None, "Own"],
        ["Ann Lee", "ann@fabrikam", "555", "Fabrikam", "Nobody", "Referral"],
    ])
    table = read_chart(path).contacts
    assert table.columns == {"name": 1, "email": 2, "phone": 3, "organization": 4, "referred_by": 5, "source": 6}
    assert [(p["code"], p["cell"], p["column"]) for p in problems(path)] == [
        ("bad-email", "B3", "Email"), ("bad-phone", "C3", "Phone"), ("unknown-referrer", "E3", "Referred By")]


def test_header_under_a_title(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [["Ann Lee", "ann@fabrikam"]],
                       title="Informational interviews, fall 2026")
    table = read_chart(path).contacts
    assert table.header_row == 3
    assert [r.number for r in table.rows] == [4]
    assert only(problems(path), "bad-email")["cell"] == "B4"


def test_header_on_row_ten_is_found(tmp_path):
    rows = [["My search"], ["Updated weekly"]] + [[]] * 7 + [["Name", "Email"], ["Ann Lee", "ann@fabrikam.org"]]
    path = write_workbook(tmp_path / "c.xlsx", {"Contacts": rows, "Profile": [["Field", "Value"],
                                                                              *GOOD_PROFILE.items()]})
    assert read_chart(path).contacts.header_row == 10
    assert codes(path) == []


def test_title_naming_a_column_does_not_win_over_the_header(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Phone"], [["Ann Lee", "ann@fabrikam.org", None]],
                       title="Contact")
    assert read_chart(path).contacts.header_row == 3


def test_table_not_in_column_a(tmp_path):
    rows = [[None, "Job search"], [], [None, "Name", "Source", "Email"], [None, "Ann Lee", "Freind", "a@fabrikam.org"]]
    path = write_workbook(tmp_path / "c.xlsx", {"Contacts": rows, "Profile": [["Field", "Value"],
                                                                              *GOOD_PROFILE.items()]})
    assert only(problems(path), "bad-source")["cell"] == "C4"


def test_blank_rows_inside_the_table_are_skipped(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [
        ["Ann Lee", "ann@fabrikam.org"], [], [None, None], ["Bob Roe", "bob@northwind"], [], [], [],
        ["Cy Ode", "cy@ode.org"]])
    table = read_chart(path).contacts
    assert [r.number for r in table.rows] == [2, 5, 9]
    assert table.last_row == 9
    assert only(problems(path), "bad-email")["cell"] == "B5"
    assert run("validate", path).stdout.splitlines()[-1] == f"{path}: 3 contacts, 1 error, 0 warnings."


def test_unknown_columns_are_kept_and_ignored(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "LinkedIn", "Email", "Shoe size"], [
        ["Ann Lee", "linkedin.com/in/ann", "ann@fabrikam.org", 38],
        [None, "only in an unknown column", None, None]])
    table = read_chart(path).contacts
    assert table.columns == {"name": 1, "email": 3}
    assert table.headers == {1: "Name", 2: "LinkedIn", 3: "Email", 4: "Shoe size"}
    assert table.width == 4
    assert [r.number for r in table.rows] == [2]
    assert codes(path) == []


def test_comments_follow_up_column_is_notes_not_the_tools_comments(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Comments / Follow-up"],
                       [["Ann Lee", "ann@fabrikam.org", "Call back Tuesday"]])
    table = read_chart(path).contacts
    assert table.columns == {"name": 1, "email": 2, "notes": 3}
    assert "comments" not in table.columns
    assert table.rows[0].text("notes") == "Call back Tuesday"


def test_row_with_only_notes_is_a_row_without_name(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Comments / Follow-up"],
                       [["Ann Lee", "ann@fabrikam.org", None], [None, None, "remember to call"]])
    assert only(problems(path), "missing-name")["cell"] == "A3"


def test_tool_columns_alone_do_not_make_a_row(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Stage", "Comments"],
                       [["Ann Lee", "ann@fabrikam.org", "Not contacted", None], [None, None, "Thanked", "stale"]])
    assert [r.number for r in read_chart(path).contacts.rows] == [2]
    assert codes(path) == []


@pytest.mark.parametrize("sheet", ["Contacts", "contacts", "Contact List", "My Contacts", "CONTACT-CHART"])
def test_contacts_sheet_found_by_name_or_alias(tmp_path, sheet):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [["Ann Lee", "ann@fabrikam"]], sheet=sheet)
    p = only(problems(path), "bad-email")
    assert p["sheet"] == sheet
    assert run("validate", path).stdout.startswith(f"{sheet}!B2: error: ")


def test_other_sheets_are_ignored(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [["Ann Lee", "ann@fabrikam.org"]],
                       extra_sheets={"Budget": [["Item", "Cost"], ["Coffee", 4.5]], "Notes": [["anything"]]})
    assert codes(path) == []


def test_only_the_charts_own_sheets_are_read(tmp_path, monkeypatch):
    # A stray value far down another sheet would make a grid of millions of cells.
    from openpyxl import load_workbook

    from workbook_tool import grids

    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [["Ann Lee", "ann@fabrikam.org"]],
                       extra_sheets={"Want to Meet": [["Name", "Why"], ["Head of Data", "curious"]]})
    wb = load_workbook(path)
    wb.create_sheet("Scratch")["T50000"] = "oops"
    wb.save(path)
    read = []
    real = grids.Sheets.grid
    monkeypatch.setattr(grids.Sheets, "grid", lambda book, name: read.append(name) or real(book, name))
    chart = read_chart(path)
    assert read == ["Contacts", "Profile", "Want to Meet"]
    assert chart.sheet_names == ["Contacts", "Profile", "Want to Meet", "Scratch"]
    assert [r.text("name") for r in chart.want_to_meet.rows] == ["Head of Data"]
    assert codes(path) == []


def test_escape_sequences_from_cells_never_reach_the_terminal(tmp_path):
    # Excel stores ESC as _x001B_; a reader turns it back into the character, which a
    # terminal would obey (colours, cursor moves). The command shows it as "?".
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email"], [["Ann_x001B_[2JLee", None]])
    assert read_chart(path).contacts.rows[0].text("name") == "Ann\x1b[2JLee"
    result = run("validate", str(path))
    assert "\x1b" not in result.output
    assert "Ann?[2JLee has neither a phone number nor an email." in result.stdout


# --------------------------------------------------------------------------- dates without a year (issue 13)


def test_a_date_without_a_year_is_a_warning_naming_the_year_assumed(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org", contacted_on="11/30",
                                        meeting_on="Dec. 2"))
    result = run("validate", path, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        'Contacts!K2: warning: "11/30" has no year: read as 2026-11-30, the nearest such day not after today. '
        "Type the year if you meant another one. [date-without-year]",
        'Contacts!L2: warning: "Dec. 2" has no year: read as 2025-12-02, the nearest such day not after today. '
        "Type the year if you meant another one. [date-without-year]",
        f"{path}: 1 contact, 0 errors, 2 warnings.",
    ]


def test_validate_today_must_be_a_date(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org"))
    result = run("validate", path, "--today", "soon")
    assert result.exit_code == 2
    assert result.stderr == "Error: --today 'soon' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.\n"


def test_a_recommended_name_that_looks_like_more_than_a_name_is_a_warning(tmp_path):
    path = chart_with(tmp_path, contact(name="Ann Lee", email="ann@fabrikam.org",
                                        recommended="Dee Martin - CMO at Sinclair - dee.martin@sinclair.com; "
                                                    "the recruiter Ann met at the 2019 fair"))
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        'Contacts!Q2: warning: "the recruiter Ann met" does not look like a name alone (from "the recruiter Ann met '
        'at the 2019 fair"). Write each person as Name <email>, phone, Title at Organization, so that chart sync '
        "adds them under their name. [unclear-recommended]",
        f"{path}: 1 contact, 0 errors, 1 warning.",
    ]


# --------------------------------------------------------------------------- misspelt headers (issue 13)


def _headers_with(**renamed) -> list[str]:
    return [renamed.get(h, h) for h in CONTACT_HEADERS]


def test_a_misspelt_header_is_an_unknown_column_warning_naming_the_column_meant(tmp_path):
    headers = _headers_with(**{"Contacted On": "Contcted On", "Email": "Emial"})
    path = write_chart(tmp_path / "chart.xlsx", headers,
                       [contact(name="Ann Lee", phone="617-555-0101", contacted_on=dt.date(2026, 11, 2))])
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        'Contacts!H1: warning: "Emial" is not a column chart knows. Did you mean "Email"? Rename the header to '
        '"Email" to have chart read it; until then chart leaves this column out. [unknown-column]',
        'Contacts!K1: warning: "Contcted On" is not a column chart knows. Did you mean "Contacted On"? Rename the '
        'header to "Contacted On" to have chart read it; until then chart leaves this column out. [unknown-column]',
        f"{path}: 1 contact, 0 errors, 2 warnings.",
    ]


def test_a_header_close_to_another_name_of_a_column_suggests_that_name(tmp_path):
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Phone", "Compnay"], [["Ann Lee", "617-555-0101", "Acme"]])
    (problem,) = problems(path)
    assert problem["code"] == "unknown-column" and problem["cell"] == "C1" and problem["column"] == "Compnay"
    assert problem["message"].startswith('"Compnay" is not a column chart knows. Did you mean "Company" (read as '
                                         'Organization)?')


@pytest.mark.parametrize("typed, meant", [
    ("Phnoe", "Phone"), ("Organiztion", "Organization"), ("Recomended", "Recommended"), ("Refered By", "Referred By"),
    ("Emaill", "Email"), ("Souce", "Source"), ("Thnaked On", "Thanked On"), ("Followed-Up-0n", "Followed Up On"),
    ("Meting On", "Meeting On"), ("Helpfull", "Helpful"),
    ("Informatonal Intervew", "Informational Interview"),  # two slips in a long name
])
def test_common_slips_are_caught(tmp_path, typed, meant):
    known = ["Name", "Email", typed] if meant == "Phone" else ["Name", "Phone", typed]
    path = write_chart(tmp_path / "chart.xlsx", known, [["Ann Lee", "ann@fabrikam.org" if meant == "Phone" else
                                                          "617-555-0101", None]])
    (problem,) = problems(path)
    assert problem["code"] == "unknown-column"
    assert f'Did you mean "{meant}"' in problem["message"]


# Columns people add to their own charts: close to a column's name, or holding it, but other words.
OWN_COLUMNS = [
    "Contract", "LinkedIn", "LinkedIn URL", "Contacts", "Emailed", "Email 2", "Work Email", "Personal Email", "Phones",
    "Home Phone", "Phone Call", "State", "Stage Notes", "Last Contact", "Contact Date", "Contact Type",
    "Contact Info", "Contacted By", "Company Size", "Company Website", "Address", "City", "Country", "Website",
    "Birthday", "Tags", "Priority", "Industry", "Department", "Location", "Time Zone", "Twitter", "Rating", "Outcome",
    "Response", "Replied", "Called", "Call", "Why", "Referral", "Recommendation", "Notes 2", "Met At", "Reference",
    "References", "Reports To", "Follow Up Date", "Meeting Notes", "Meetings", "Relationship", "How We Met", "Sector",
    "Team", "Manager", "Status Notes", "Next Action", "Reply Date", "Mutual Connections", "Draft Sent", "Comment",
]


def test_columns_of_the_persons_own_are_not_taken_for_misspellings(tmp_path):
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Phone", *OWN_COLUMNS], [["Ann Lee", "617-555-0101"]])
    assert problems(path) == []


def test_a_near_header_is_not_reported_when_the_column_is_there(tmp_path):
    # "Emial" beside a real Email column hides nothing chart needs.
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Email", "Emial"], [["Ann Lee", "ann@fabrikam.org", "x"]])
    assert problems(path) == []


def test_a_misspelt_want_to_meet_header_is_reported_too(tmp_path):
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Phone"], [["Ann Lee", "617-555-0101"]],
                       extra_sheets={"Want to Meet": [["Name", "Organiztion"], ["Head of Data", "Acme"]]})
    assert [(p["sheet"], p["cell"], p["code"]) for p in problems(path)] == [("Want to Meet", "B1", "unknown-column")]


def test_rows_keys_worked_out_once_find_what_each_check_finds_alone(tmp_path):
    # validate works out each Contacts row's keys once and shares them between the people sync would add
    # (its refusals) and the checks; each working out its own finds the same problems, on the example chart
    # and on a generated one (duplicates, bad addresses and numbers, recommended people, referrals).
    import importlib.util

    from workbook_tool.validate import _check_profile, _check_tables, sync_refusals
    from workbook_tool.workbook import chart_from_grids, read_chart_grids

    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    made = tmp_path / "generated.xlsx"
    generate.generate(1500, made, seed=5)
    mixed = write_chart(tmp_path / "mixed.xlsx", rows=[
        contact(name="Ann Lee", email="ann@fabrikam.org", phone="617-555-0101", recommended="Bob Roe <bob@x.org>"),
        contact(name="Annie L.", email="ANN@Fabrikam.org"), contact(name="Bob Roe", phone=6175550142),
        contact(name="Robert Roe", phone="+1 (617) 555-0142", email="bob@x"), contact(name="Lee, Ann", phone="555"),
        contact(name="Cy Doe", referred_by="Nobody Known", email="mailto:CY@Example.com"),
        contact(name="Cy Doe", email="cy@example.com", recommended="Ann Lee, 617-555-0101; Dee <dee@y>")])
    today = dt.date(2026, 11, 25)
    for path in (SAMPLE_CHART, made, mixed):
        grids = read_chart_grids(path, tool_sheets=True)
        chart = chart_from_grids(path, grids)
        shared = validate_chart(chart, today, grids)
        alone = _check_profile(chart) + sync_refusals(chart, grids) + _check_tables(chart, today)
        assert shared == alone
    assert {"duplicate-person", "bad-email", "bad-phone", "unknown-referrer"} <= {p.code for p in shared}
