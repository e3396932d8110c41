"""Reading what people type into cells: workbook_tool.fields, called directly."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import phonenumbers
import pytest

from workbook_tool.fields import (Recommendation, check_email, date_and_time, email_key, is_blank, name_key,
                                  parse_phone, parse_recommended, phone_key, phone_text, to_date)

NOV2 = dt.date(2026, 11, 2)


# --------------------------------------------------------------------------- is_blank


@pytest.mark.parametrize("value, blank", [(None, True), ("", True), ("   ", True), ("\t\n", True), (0, False),
                                          ("x", False), (False, False), (NOV2, False)])
def test_is_blank(value, blank):
    assert is_blank(value) is blank


# --------------------------------------------------------------------------- to_date


@pytest.mark.parametrize("value", [
    NOV2, dt.datetime(2026, 11, 2, 15, 30), 46328, 46328.0, 46328.75,
    "2026-11-02", " 2026-11-02 ", "2026/11/02", "2026.11.02", "2026-11-02 15:30", "2026-11-02T15:30:00",
    "2026-11-02T15:30:00.000", "2026-11-02T15:30:00+01:00",
    "November 2, 2026", "Nov 2, 2026", "Nov. 2, 2026", "November 2 2026", "2 November 2026", "2 Nov 2026",
    "02-Nov-2026", "02-Nov-26", "Monday, November 2, 2026", "Mon, Nov 2, 2026",
    "November 2nd, 2026", "2nd November 2026", "NOVEMBER 2, 2026",
    "11/2/2026", "11/02/2026", "11/2/26", "11-02-2026",
])
def test_to_date_reads(value):
    assert to_date(value) == NOV2


def test_excel_serial_numbers():
    assert to_date(45658) == dt.date(2025, 1, 1)
    assert to_date(61) == dt.date(1900, 3, 1)  # past Lotus' false 29 February 1900


def test_excel_serial_numbers_before_march_1900_read_as_excel_shows_them():
    from openpyxl.utils.datetime import from_excel

    # Excel's serial 1 is 1900-01-01 and 60 the false 1900-02-29; calamine and openpyxl agree.
    assert to_date(1) == dt.date(1900, 1, 1)
    assert to_date(2) == dt.date(1900, 1, 2)
    assert to_date(59) == dt.date(1900, 2, 28)
    for serial in (*range(1, 60), *range(61, 200), 45658):
        assert to_date(serial) == from_excel(serial).date(), serial
    with pytest.raises(ValueError, match="never was"):
        to_date(60)


def test_serial_days_is_the_inverse_excel_reads():
    from openpyxl.utils.datetime import from_excel

    from workbook_tool.fields import serial_days

    for day in (dt.date(1900, 1, 1), dt.date(1900, 1, 9), dt.date(1900, 2, 28), dt.date(1900, 3, 1),
                dt.date(2026, 11, 25)):
        serial = serial_days(dt.datetime.combine(day, dt.time()))
        assert from_excel(serial).date() == day, day
    assert serial_days(dt.datetime(2026, 11, 25, 18)) == 46351.75


def test_written_dates_with_sept_and_ordinals():
    assert to_date("Sept. 4, 2026") == dt.date(2026, 9, 4)
    assert to_date("Sept 4 2026") == dt.date(2026, 9, 4)
    assert to_date("March 1st, 2026") == dt.date(2026, 3, 1)
    assert to_date("August 23rd 2026") == dt.date(2026, 8, 23)


def test_slashed_dates_follow_the_region():
    assert to_date("3/4/2026") == dt.date(2026, 3, 4)
    assert to_date("3/4/2026", "US") == dt.date(2026, 3, 4)
    assert to_date("3/4/2026", "CA") == dt.date(2026, 3, 4)
    assert to_date("3/4/2026", "GB") == dt.date(2026, 4, 3)
    assert to_date("3/4/2026", "de") == dt.date(2026, 4, 3)
    # Unambiguous either way.
    assert to_date("25/12/2026", "US") == dt.date(2026, 12, 25)
    assert to_date("12/25/2026", "GB") == dt.date(2026, 12, 25)
    assert to_date("3/4/2026", "") == dt.date(2026, 3, 4)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_no_date(value):
    assert to_date(value) is None


@pytest.mark.parametrize("value, message", [
    ("next week", "'next week' is not a date I can read"),
    ("2026-02-30", "'2026-02-30' is not a date I can read"),
    ("Novembr 2, 2026", "'Novembr 2, 2026' is not a date I can read"),
    ("1066-10-14", "the year 1066 is out of range"),
    ("2300-01-01", "the year 2300 is out of range"),
    (0, "0 is not a date"),
    (-1, "-1 is not a date"),
    (3_000_000, "3000000 is not a date"),
    # Serial days past 9999-12-31 (2,958,465) are no date Python has: not an overflow.
    (2_958_465, "the year 9999 is out of range"),
    (2_958_466, "2958466 is not a date"),
    (2_999_999.5, "2999999.5 is not a date"),
    (math.nan, "nan is not a date"),
    (math.inf, "inf is not a date"),
    (True, "True is not a date"),
    (dt.time(10, 30), "datetime.time(10, 30) is not a date"),
    (dt.date(1800, 1, 1), "the year 1800 is out of range"),
])
def test_to_date_refuses(value, message):
    with pytest.raises(ValueError) as info:
        to_date(value)
    assert str(info.value) == message


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize("value, e164", [
    ("617-555-0101", "+16175550101"),
    ("(617) 555-0101", "+16175550101"),
    ("617.555.0101", "+16175550101"),
    ("+1 617 555 0101", "+16175550101"),
    ("1-617-555-0101", "+16175550101"),
    (6175550101, "+16175550101"),
    (6175550101.0, "+16175550101"),
    (16175550101, "+16175550101"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_parse_phone(value, e164):
    number = parse_phone(value)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164
    assert phone_key(value) == e164


def test_extension_is_kept():
    assert parse_phone("617-555-0101 ext. 12").extension == "12"


def test_phone_region():
    assert phone_key("020 7946 0958", "GB") == "+442079460958"
    assert phone_key("020 7946 0958", "gb") == "+442079460958"
    assert phone_key("020 7946 0958", None) is None  # US by default: not a US number
    with pytest.raises(ValueError, match=r"^'020 7946 0958' cannot be a real phone number in US$"):
        parse_phone("020 7946 0958")


@pytest.mark.parametrize("value, message", [
    ("555-1234", "'555-1234' cannot be a real phone number in US"),
    ("123", "'123' cannot be a real phone number in US"),
    (12345, "'12345' cannot be a real phone number in US"),
    (5551234.0, "'5551234' cannot be a real phone number in US"),
    ("617-555-01", "'617-555-01' cannot be a real phone number in US"),
    ("call me", "'call me' is not a phone number"),
    ("", "'' is not a phone number"),
])
def test_impossible_phones(value, message):
    with pytest.raises(ValueError) as info:
        parse_phone(value)
    assert str(info.value) == message
    assert phone_key(value) is None


def test_phone_text():
    assert phone_text(6175550101.0) == "6175550101"
    assert phone_text(6175550101) == "6175550101"
    assert phone_text(" 617-555-0101 ") == "617-555-0101"
    assert phone_text(1.5) == "1.5"


# --------------------------------------------------------------------------- emails


@pytest.mark.parametrize("value, normalized", [
    ("ann@fabrikam.org", "ann@fabrikam.org"),
    ("  ann@fabrikam.org ", "ann@fabrikam.org"),
    ("Ann.Lee@FABRIKAM.ORG", "Ann.Lee@fabrikam.org"),
    ("mailto:ann@fabrikam.org", "ann@fabrikam.org"),
    ("MAILTO:ann@fabrikam.org", "ann@fabrikam.org"),
    ("ann+jobs@fabrikam.org", "ann+jobs@fabrikam.org"),
])
def test_check_email(value, normalized):
    assert check_email(value) == normalized


@pytest.mark.parametrize("value", ["ann", "ann@", "@fabrikam.org", "ann@fabrikam", "ann@@fabrikam.org",
                                   "ann lee@fabrikam.org", "Ann Lee <ann@fabrikam.org>", "ann@localhost",
                                   "ann@fabrikam.invalid"])
def test_check_email_refuses(value):
    with pytest.raises(ValueError) as info:
        check_email(value)
    message = str(info.value)
    assert message.startswith(f"{value!r} is not a valid email address: ")
    assert not message.endswith("."), "callers add their own sentence after the reason"
    assert email_key(value) is None


def test_email_key_folds_case():
    assert email_key("Ann.Lee@Fabrikam.org") == email_key("ann.lee@fabrikam.ORG") == "ann.lee@fabrikam.org"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("value", ["Ann Lee", "ann lee", "ANN LEE", "  Ann   Lee ", "Dr. Ann Lee", "Ms Ann Lee",
                                   "Lee, Ann", "Ann Lée", "Dr. Ann Lée", "Ann_Lee"])
def test_name_key(value):
    assert name_key(value) == "ann lee"


def test_name_key_keeps_what_tells_people_apart():
    assert name_key("Mary Ann Lee") == "mary ann lee"
    assert name_key("Pat O'Brien") == name_key("O'Brien, Pat")
    # "Smith, Jones and Co." is not "Last, First": the part before the comma has a space.
    assert name_key("Mary Ann, Lee") == "mary ann lee"
    assert name_key("Ann Lee") != name_key("Anne Lee")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_name_key_blank(value):
    assert name_key(value) == ""


def test_name_key_of_a_number():
    assert name_key(42) == "42"


def test_ascii_names_need_no_unicode_folding():
    # name_key skips NFKD and accent stripping for ASCII text: both change no ASCII character.
    import unicodedata

    for ch in map(chr, range(128)):
        assert unicodedata.normalize("NFKD", ch) == ch and not unicodedata.combining(ch)


# --------------------------------------------------------------------------- Recommended


def test_parse_recommended_full_entry():
    assert parse_recommended("Bob Roe <bob.roe@northwindclinic.org>, 617-555-0142, Northwind Clinic") == [
        Recommendation("Bob Roe <bob.roe@northwindclinic.org>, 617-555-0142, Northwind Clinic", "Bob Roe",
                       "bob.roe@northwindclinic.org", "617-555-0142", "Northwind Clinic")]


def test_parse_recommended_one_per_line_or_semicolon():
    people = parse_recommended("Bob Roe <bob@northwind.org>\nOlivia Park, Fabrikam Health; Cy Ode\r\n\n;")
    assert [(p.name, p.email, p.organization) for p in people] == [
        ("Bob Roe", "bob@northwind.org", ""), ("Olivia Park", "", "Fabrikam Health"), ("Cy Ode", "", "")]


def test_parse_recommended_bare_email_and_phone():
    (person,) = parse_recommended("Jane Doe jane@contoso.com (617) 555-0199")
    assert (person.name, person.email, person.phone, person.organization) == (
        "Jane Doe", "jane@contoso.com", "(617) 555-0199", "")


def test_parse_recommended_email_only_takes_a_name_from_the_address():
    (person,) = parse_recommended("<olivia.park@fabrikam.org>")
    assert (person.name, person.email) == ("olivia.park", "olivia.park@fabrikam.org")


def test_parse_recommended_organization_may_hold_commas():
    (person,) = parse_recommended("Dr. Smith, Acme, Inc.")
    assert (person.name, person.organization) == ("Dr. Smith", "Acme, Inc.")


def test_parse_recommended_phone_follows_region():
    (person,) = parse_recommended("Nigel Hart, 020 7946 0958, Contoso UK", "GB")
    assert (person.name, person.phone, person.organization) == ("Nigel Hart", "020 7946 0958", "Contoso UK")


@pytest.mark.parametrize("value", [None, "", "   ", ";", " ; \n ;"])
def test_parse_recommended_blank(value):
    assert parse_recommended(value) == []


def test_parse_recommended_keeps_a_bad_address_for_validate_to_report():
    (person,) = parse_recommended("Bob Roe <bob@northwind>")
    assert person.email == "bob@northwind"


# The plain-address fast path must agree with email-validator on every address it accepts.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ATOMS = st.one_of(st.text(alphabet="abcXYZ019_%+-.", min_size=0, max_size=12),
                   st.sampled_from(["info", "Info", "POSTMASTER", "www", "Sales", "noc.x", "ftp1"]))
_LABEL = st.text(alphabet="abzAZ09-", min_size=0, max_size=8)
_TLD = st.sampled_from(["com", "ORG", "de", "io", "test", "local", "c0m", "123", "x", "museum", "onion", "Arpa"])


@settings(max_examples=600, deadline=None)
@given(local=_ATOMS, labels=st.lists(_LABEL, min_size=0, max_size=3), tld=_TLD)
def test_plain_email_fast_path_agrees_with_email_validator(local, labels, tld):
    from workbook_tool.addresses import _plain_email

    text = f"{local}@{'.'.join([*labels, tld])}"
    fast = _plain_email(text)
    if fast is not None:
        assert fast == _email_validator_says(text), text


def _email_validator_says(text: str) -> str | None:
    """The address as email-validator normalizes it, or None where it refuses it."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


# Local parts with letters of other scripts (zoë.petrova@…), and what email-validator refuses or changes in
# them: marks that would combine with the "@" or a dot, text not in NFC, spaces, symbols, invisible
# characters, a full-width "@", surrogates, and local parts too long in characters or in UTF-8 bytes.
_INTL_LOCAL = st.lists(st.sampled_from(["a", "Z", "0", "_", "+", "-", ".", "é", "ü", "ß", "ø", "王", "İ", "ǅ", "\u0301",
                                        "e\u0301", "\u00a0", "\u200b", "€", "¡", "\uff20", "\ud800", "\u0085", "Ⅻ",
                                        "ª"]),
                       max_size=14).map(lambda parts: "".join(parts) * (1 + len(parts) % 5))
_INTL_DOMAIN = st.sampled_from(["example.org", "Example.COM", "x.test", "b--c.de", "x.local", "a.b.io", "x", "-a.com",
                                "x" * 63 + ".com", "y" * 200 + ".org"])


@settings(max_examples=800, deadline=None)
@given(local=_INTL_LOCAL, domain=_INTL_DOMAIN)
def test_internationalized_email_fast_path_agrees_with_email_validator(local, domain):
    from workbook_tool.addresses import _intl_email

    text = f"{local}@{domain}"
    fast = _intl_email(text)
    if fast is not None:
        assert fast == _email_validator_says(text), text


def test_internationalized_email_fast_path_takes_the_usual_addresses():
    from workbook_tool.addresses import _intl_email

    assert _intl_email("zoë.petrova11@Example.org") == "zoë.petrova11@example.org"
    assert _intl_email("王.伟@example.cn") == "王.伟@example.cn"
    assert _intl_email("zoe\u0308@example.org") is None  # not in NFC: email-validator normalizes it
    assert _intl_email("ann@example.org") is None  # ASCII: the plain path's


def test_the_fast_paths_know_email_validators_case_insensitive_mailboxes():
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    from workbook_tool.addresses import _CASE_INSENSITIVE_MAILBOXES

    assert _CASE_INSENSITIVE_MAILBOXES == set(CASE_INSENSITIVE_MAILBOX_NAMES)


def test_plain_email_fast_path_leaves_every_special_use_domain_to_email_validator():
    # The fast path holds its own list so as not to import email-validator; the library's may grow.
    import email_validator

    from workbook_tool.addresses import _SPECIAL_USE_TLDS

    assert {d.lower() for d in email_validator.SPECIAL_USE_DOMAIN_NAMES} <= _SPECIAL_USE_TLDS


def test_a_plain_address_is_checked_without_importing_email_validator():
    import subprocess
    import sys

    code = ("import sys; from workbook_tool.fields import check_email; "
            "assert check_email('Ann.Lee@Fabrikam.ORG') == 'Ann.Lee@fabrikam.org'; "
            "assert check_email('Zoë.Lee@Fabrikam.ORG') == 'Zoë.Lee@fabrikam.org'; "
            "print('email_validator' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("text", ["ann.lee@fabrikam.org", "Ann.Lee@Fabrikam.ORG", "a_b+c@x-y.com", "a@1.2.3.com",
                                  "a..b@x.com", "a@-x.com", "a@x.local", "a@sub.x.test", "a@x.com.",
                                  "a@xn--bcher-kva.de", "a@x.123", ".a@x.com", "a.@x.com"])
def test_check_email_gives_email_validators_answer(text):
    from workbook_tool.addresses import _checked_email

    _checked_email.cache_clear()
    assert _checked_email(text)[0] == _email_validator_says(text)


# The North American phone fast path must give phonenumbers.parse's number for every text it accepts,
# and asking about the US first must give is_valid_number's answer. Half the texts are built from the
# parts the fast path takes, half from near misses (wrong lengths, other separators, odd parentheses).
_AREAS = ["617", "212", "876", "268", "787", "809", "242", "800", "555", "911", "100", "011"]


def _digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def _near(n):
    return st.one_of(_digits(n), st.text(alphabet="0123456789", min_size=n - 1, max_size=n + 1))


@st.composite
def _phone_texts(draw):
    plain = draw(st.booleans())
    prefix = draw(st.sampled_from(["", "1", "+1", "1 ", "+1 ", "1-", "+1-", "+1.", "1."]
                                  + ([] if plain else ["+", "0", "01", "+44 ", "11", "+1  ", " "])))
    seps = ["", " ", "-", "."] + ([] if plain else ["/", "  ", " - ", "\t"])
    area = draw(st.one_of(st.sampled_from(_AREAS), _digits(3) if plain else _near(3)))
    opening, closing = draw(st.sampled_from([("", ""), ("(", ")")] + ([] if plain else [("(", ""), ("", ")")])))
    exchange = draw(_digits(3) if plain else _near(3))
    line = draw(_digits(4) if plain else _near(4))
    return f"{prefix}{opening}{area}{closing}{draw(st.sampled_from(seps))}{exchange}{draw(st.sampled_from(seps))}{line}"


# The regions with and without local-number rewriting, and some that are not +1 at all.
_PHONE_REGION = st.sampled_from(["US", "US", "US", "CA", "CA", "JM", "AG", "DO", "PR", "BS", "GB", "DE", "IN", "AU"])


@settings(max_examples=2000, deadline=None)
@given(text=_phone_texts(), region=_PHONE_REGION)
def test_nanp_phone_fast_path_agrees_with_phonenumbers(text, region):
    from workbook_tool.addresses import _plain_nanp_phone

    fast = _plain_nanp_phone(text, region)
    if fast is not None:
        assert fast == phonenumbers.parse(text, region), (text, region)


@settings(max_examples=1500, deadline=None)
@given(country_code=st.sampled_from([1, 1, 1, 44, 49, 7, 86, 999]),
       national=st.one_of(st.integers(0, 10**11), st.sampled_from([6175550101, 8765550101, 2685550101, 8095550101,
                                                                   7875550101, 2425550101, 8005550101])))
def test_valid_phone_check_agrees_with_is_valid_number(country_code, national):
    from workbook_tool.addresses import _is_valid_phone

    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=national)
    assert _is_valid_phone(number) == phonenumbers.is_valid_number(number)


# parse_recommended asks phonenumbers' matcher only about entries with a digit: it must find nothing in the others.
_NO_DIGITS = st.one_of(st.characters(blacklist_categories=("Nd", "No", "Cs")),
                       st.sampled_from("+()-./ ,;#*xX\uff0b\uff08\u2010"))


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=_NO_DIGITS, max_size=40), region=st.sampled_from(["US", "GB", "DE", "IN", "JP"]))
def test_phone_matcher_finds_nothing_without_digits(text, region):
    assert not any(ch.isdigit() for ch in text)
    assert list(phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)) == [], text


# _parse_date_text tries only the formats whose punctuation the text has (and none without a digit): it must
# read every text exactly as trying every format in order does.
def _date_by_every_format(text, region):
    import re

    from workbook_tool import fields

    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE)
    ordered = fields._DATE_FORMATS_MONTH_FIRST + fields._DATE_FORMATS_DAY_FIRST
    if region not in fields.MONTH_FIRST_REGIONS:
        ordered = fields._DATE_FORMATS_DAY_FIRST + fields._DATE_FORMATS_MONTH_FIRST
    for fmt in fields._DATE_FORMATS_COMMON + ordered:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_DATE_FIELDS = {
    "Y": st.sampled_from(["2026", "1999", "26", "0026", "\u0662\u0660\u0662\u0666"]),
    "m": st.sampled_from(["3", "03", "12", "13", "0"]),
    "d": st.sampled_from(["4", "04", "4th", "31", "32", "1st"]),
    "B": st.sampled_from(["March", "Mar", "mar", "Sept", "sept", "Sep", "Marchh"]),
    "A": st.sampled_from(["Tuesday", "Tue", "Friday"]),
    "t": st.sampled_from(["10:30", "10:30:15", "25:00"]),
    "w": st.sampled_from(["sometime", "in", "next", "T"]),
}
_DATE_SHAPES = st.sampled_from(["Ymd", "mdY", "dmY", "BdY", "dBY", "ABdY", "Ymdt", "Bd", "w", "wB", "mY", "dBYt"])
_DATE_SEPS = st.sampled_from(["-", "/", ".", " ", ", ", ". ", "T", "", "  ", ":"])


@st.composite
def _date_texts(draw):
    from workbook_tool import fields as wf

    if draw(st.booleans()):  # a real date written in one of the formats
        formats = wf._DATE_FORMATS_COMMON + wf._DATE_FORMATS_MONTH_FIRST + wf._DATE_FORMATS_DAY_FIRST
        when = draw(st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2300, 12, 31)))
        return when.strftime(draw(st.sampled_from(formats)))
    parts = [draw(_DATE_FIELDS[kind]) for kind in draw(_DATE_SHAPES)]
    seps = [draw(_DATE_SEPS)] * (len(parts) - 1)
    if draw(st.booleans()):  # mixed separators, as in "March 4, 2026" and "2026-03-04 10:30"
        seps = [draw(_DATE_SEPS) for _ in seps]
    return "".join(part + sep for part, sep in zip(parts, [*seps, ""]))


@settings(max_examples=2000, deadline=None)
@given(text=_date_texts(), region=st.sampled_from(["US", "GB"]))
def test_date_text_reads_as_with_every_format(text, region):
    from workbook_tool.fields import _parse_date_text

    try:
        got = _parse_date_text(text, region)
    except ValueError:
        got = None
    assert got == _date_by_every_format(text, region), text


# --------------------------------------------------------------------------- dates without a year (issue 13)


@pytest.mark.parametrize("text, region, today, read", [
    ("11/30", "US", dt.date(2026, 11, 25), dt.date(2025, 11, 30)),  # not after today: last year's
    ("11/30", "US", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("11/30", "US", dt.date(2026, 11, 30), dt.date(2026, 11, 30)),  # today itself counts
    ("Nov. 30", "US", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("Nov 30", "GB", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("November 30th", "US", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("30 Nov", "US", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("30 November", "GB", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
    ("Sept 4", "US", dt.date(2026, 12, 1), dt.date(2026, 9, 4)),
    ("30/11", "GB", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),  # day first where the region writes so
    ("3/4", "US", dt.date(2026, 12, 1), dt.date(2026, 3, 4)),
    ("3/4", "GB", dt.date(2026, 12, 1), dt.date(2026, 4, 3)),
    ("2/29", "US", dt.date(2026, 3, 1), dt.date(2024, 2, 29)),  # the last year that had the day
])
def test_a_date_without_a_year_is_the_nearest_such_day_not_after_today(text, region, today, read):
    from workbook_tool.fields import read_date

    assert to_date(text, region, today=today) == read
    assert read_date(text, region, today) == (read, True)


def test_a_date_with_its_year_says_no_year_was_assumed():
    from workbook_tool.fields import read_date

    assert read_date("2026-11-30", "US", dt.date(2026, 1, 1)) == (dt.date(2026, 11, 30), False)
    assert read_date(dt.date(2026, 11, 30), "US", dt.date(2026, 1, 1)) == (dt.date(2026, 11, 30), False)
    assert read_date(None, "US", dt.date(2026, 1, 1)) == (None, False)


@pytest.mark.parametrize("text", ["11/31", "13/30", "Nov 31", "30", "Nov", "11/30/", "in Nov 30 days"])
def test_impossible_days_without_a_year_are_still_refused(text):
    with pytest.raises(ValueError):
        to_date(text, "US", today=dt.date(2026, 12, 1))


def test_a_date_text_read_again_gives_the_same_answer_for_its_own_day():
    # Each distinct text is read once a region and day (fields._text_date): the second reading of a
    # text must still raise, and a day typed without a year still depends on the day it is read for.
    from workbook_tool.fields import read_date

    for _ in range(2):
        with pytest.raises(ValueError, match="'sometime in Oct' is not a date I can read"):
            to_date("sometime in Oct", "US", dt.date(2026, 11, 25))
        assert read_date(" 11/30 ", "US", dt.date(2026, 11, 25)) == (dt.date(2025, 11, 30), True)
        assert read_date("11/30", "US", dt.date(2026, 12, 1)) == (dt.date(2026, 11, 30), True)
        assert read_date("3/4/2026", "US") == (dt.date(2026, 3, 4), False)
        assert read_date("3/4/2026", "GB") == (dt.date(2026, 4, 3), False)
        with pytest.raises(ValueError, match="the year 1850 is out of range"):
            to_date("1850-01-01")


# --------------------------------------------------------------------------- free-form Recommended (issue 13)


@pytest.mark.parametrize("text, name, email, phone, title, organization", [
    ("Dee Martin - CMO at Sinclair - dee.martin@sinclair.com", "Dee Martin", "dee.martin@sinclair.com", "", "CMO",
     "Sinclair"),
    ("Raj Patel (Head of Data, Contoso)", "Raj Patel", "", "", "Head of Data", "Contoso"),
    ("Lena Ortiz | Recruiter | Litware | 617-555-0188", "Lena Ortiz", "", "617-555-0188", "Recruiter", "Litware"),
    ("Tom Wu – Fabrikam Health", "Tom Wu", "", "", "", "Fabrikam Health"),
    ("Mia Chen, Senior Analyst at Proseware", "Mia Chen", "", "", "Senior Analyst", "Proseware"),
    ("Mia Chen, VP Marketing @ Proseware <mia@proseware.com>", "Mia Chen", "mia@proseware.com", "", "VP Marketing",
     "Proseware"),
    ("Sam Lee at Northwind Clinic", "Sam Lee", "", "", "", "Northwind Clinic"),
    ("Mary-Jane Watson, Daily Bugle", "Mary-Jane Watson", "", "", "", "Daily Bugle"),
    ("Dr. Smith, Acme, Inc.", "Dr. Smith", "", "", "", "Acme, Inc."),
])
def test_free_form_recommended_text_gives_name_email_title_and_organization(text, name, email, phone, title,
                                                                             organization):
    (person,) = parse_recommended(text)
    assert (person.name, person.email, person.phone, person.title, person.organization) == (
        name, email, phone, title, organization)


@pytest.mark.parametrize("name, looks_like_a_name", [
    ("Dee Martin", True),
    ("Juan Carlos de la Vega", True),
    ("olivia.park", True),
    ("Jim from the 2019 conference", False),
    ("ask Ann about her old boss", False),
    ("Pat", True),
])
def test_a_name_that_looks_like_more_than_a_name(name, looks_like_a_name):
    from workbook_tool.fields import looks_like_a_name as check

    assert check(name) is looks_like_a_name


def test_date_and_time_reads_the_raw_cell_with_its_time():
    assert date_and_time(dt.datetime(2026, 12, 2, 10, 0), "US") == dt.datetime(2026, 12, 2, 10, 0)
    assert date_and_time(dt.datetime(2026, 12, 2), "US") == dt.date(2026, 12, 2)
    assert date_and_time(dt.date(2026, 12, 2), "US") == dt.date(2026, 12, 2)
    assert date_and_time("2026-12-02 09:15", "US") == dt.datetime(2026, 12, 2, 9, 15)
    assert date_and_time("December 2, 2026", "US") == dt.date(2026, 12, 2)
    assert date_and_time("soon", "US") is None
    assert date_and_time(None, "US") is None


# The US check _is_valid_phone asks first is the US metadata's patterns joined into one: it must give
# is_valid_number_for_region's answer for every ten-digit number, valid-shaped or not.
@settings(max_examples=3000, deadline=None)
@given(national=st.one_of(st.integers(2_000_000_000, 9_999_999_999), st.integers(0, 10**11),
                          st.builds(lambda area, rest: int(f"{area}{rest}"), st.sampled_from(_AREAS + ["900", "833",
                                    "523", "983", "345", "264"]), st.integers(2_000_000, 9_999_999))),
       leading_zero=st.sampled_from([False, False, False, True]))
def test_us_pattern_check_agrees_with_is_valid_number_for_region(national, leading_zero):
    from workbook_tool.addresses import _valid_in_us

    number = phonenumbers.PhoneNumber(country_code=1, national_number=national,
                                      italian_leading_zero=leading_zero or None)
    nsn = phonenumbers.national_significant_number(number)
    expected = phonenumbers.is_valid_number_for_region(number, "US")
    if len(nsn) == 10:
        assert _valid_in_us(nsn) == expected, nsn
    else:
        assert not _valid_in_us(nsn)


@settings(max_examples=1500, deadline=None)
@given(text=_phone_texts(), region=_PHONE_REGION)
def test_phone_key_is_phonenumbers_e164(text, region):
    from workbook_tool.fields import phone_key

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    expected = None
    if number is not None and phonenumbers.is_valid_number(number):
        expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert phone_key(text, region) == expected, (text, region)


# usable_address refuses an ASCII domain without a period on its own: email-validator must refuse
# every address so shaped, and usable_address must give check_email's answer for any text.
_ADDRESS_TEXT = st.text(alphabet='abAZ09._%+-@"\\ <>()[]:,;é。．', max_size=16)


@settings(max_examples=2000, deadline=None)
@given(local=_ADDRESS_TEXT, domain=st.one_of(st.text(alphabet="abzAZ09-", max_size=10), _ADDRESS_TEXT),
       prefix=st.sampled_from(["", "", "mailto:", " ", "MAILTO:"]))
def test_usable_address_gives_check_emails_answer(local, domain, prefix):
    from workbook_tool.fields import check_email, usable_address

    text = f"{prefix}{local}@{domain}"
    try:
        expected = check_email(text)
    except ValueError:
        expected = None
    assert usable_address(text) == expected, text


@settings(max_examples=1000, deadline=None)
@given(local=_ADDRESS_TEXT, domain=st.text(alphabet="abzAZ09-", max_size=12))
def test_email_validator_refuses_every_ascii_domain_without_a_period(local, domain):
    from email_validator import EmailNotValidError, validate_email

    with pytest.raises(EmailNotValidError):
        validate_email(f"{local}@{domain}", check_deliverability=False)


# recommended_names skips phonenumbers' matcher where the number cannot touch the name: the names must
# be parse_recommended's for any cell, with numbers, brackets, plus signs and commas anywhere in it.
_RECOMMENDED_PIECES = st.sampled_from([
    "Bob Roe", "Ann", "Dr. Lee", "Sam Lee at Northwind", "CMO at Sinclair", "Head of Data", "Northwind", "x",
    "617-555-0142", "(617) 555-0142", "+1 617 555 0142", "+44 20 7946 0958", "555", "١٢٣", "\uff0b1 617 555 0142",
    "<bob@x.org>", "bob@x.org", "(Head of Data)", "[Recruiter]", "(", ")", "[", "+", ",", ", ", " - ", "; ", "\n",
    " ", "–", "|", "(617)", "Mary-Jane", "Zoë", "O'Neil",
])


@settings(max_examples=3000, deadline=None)
@given(pieces=st.lists(_RECOMMENDED_PIECES, min_size=1, max_size=9), region=st.sampled_from(["US", "GB", "DE"]))
def test_recommended_names_are_parse_recommendeds_names(pieces, region):
    from workbook_tool.fields import recommended_names

    text = "".join(pieces)
    assert recommended_names(text, region) == [p.name for p in parse_recommended(text, region)], text


# check_email refuses a plain address whose domain is one label without a period on its own, with
# email-validator's reason: the library must refuse every address the fast path takes, with that reason.
_UNDOTTED_LOCAL = st.text(alphabet="abXZ09_%+-.", min_size=0, max_size=70)
_UNDOTTED_DOMAIN = st.one_of(st.text(alphabet="abzAZ09-", min_size=0, max_size=66),
                             st.sampled_from(["localhost", "local", "test", "invalid", "onion", "arpa", "x", "a-b",
                                              "ab--cd", "xn--abc", "-ab", "ab-", "0", "a" * 63, "a" * 64]))


@settings(max_examples=3000, deadline=None)
@given(local=_UNDOTTED_LOCAL, domain=_UNDOTTED_DOMAIN)
def test_undotted_address_fast_refusal_gives_email_validators_reason(local, domain):
    from email_validator import EmailNotValidError, validate_email

    from workbook_tool.addresses import UNDOTTED_REASON, _undotted_email

    text = f"{local}@{domain}"
    if not _undotted_email(text):
        return
    with pytest.raises(EmailNotValidError) as refused:
        validate_email(text, check_deliverability=False)
    assert str(refused.value) == UNDOTTED_REASON, text


def test_undotted_address_is_refused_as_email_validator_refuses_it_without_importing_it():
    # The message validate shows is the library's, word for word; a plain slip does not load the library.
    import subprocess
    import sys

    code = ("import sys\nfrom workbook_tool.fields import check_email\n"
            "try:\n    check_email('ann.lee@fabrikam')\nexcept ValueError as exc:\n    print(exc)\n"
            "print('email_validator' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["'ann.lee@fabrikam' is not a valid email address: The part after the @-sign is "
                                "not valid. It should have a period", "False"]


# name_key sends text straight to the cached fold, without the blank test first: the fold gives "" for text
# of spaces, as the blank test did (every character Python strips as a space, alone and among others).
_SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _name_key_blank_test_first(value) -> str:
    from workbook_tool.fields import _name_key

    return "" if is_blank(value) else _name_key(str(value))


@given(st.one_of(st.text(), st.text(alphabet=_SPACES), st.text(alphabet=_SPACES + "a,.É_-\u0301 "), st.none(),
                 st.integers(), st.floats(allow_nan=False)))
@settings(max_examples=1500, deadline=None)
def test_name_key_of_text_is_the_fold_without_the_blank_test(value):
    assert name_key(value) == _name_key_blank_test_first(value)


def test_name_key_of_every_space_is_blank():
    assert len(_SPACES) > 20
    assert all(name_key(ch) == name_key(ch * 3) == "" for ch in _SPACES)


# People work out the keys of a whole column at once (addresses.email_keys, phone_keys): each key must be
# the one email_key and phone_key give the cell alone, whatever the cell holds.
_CELL_EXTRAS = st.sampled_from([None, "", "  ", 6175550101, 6175550101.0, 1.5, True, " 617-555-0101 ",
                                "mailto:Ann@X.org", " ann@x.org", "Info@Example.COM", "zoë@example.org", "a@x.test"])


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(_phone_texts(), _ADDRESS_TEXT, _CELL_EXTRAS,
                                st.builds(lambda a, b: f"{a}@{b}", _ATOMS, _INTL_DOMAIN)), max_size=12),
       region=_PHONE_REGION)
def test_keys_of_a_column_are_each_cells_key(texts, region):
    from workbook_tool.addresses import email_keys, phone_keys
    from workbook_tool.fields import email_key, is_blank, phone_key

    assert email_keys(texts) == [None if is_blank(v) else email_key(v) for v in texts]
    assert phone_keys(texts, region) == [None if is_blank(v) else phone_key(v, region) for v in texts]


# --------------------------------------------------------------------------- phones without phonenumbers
# A chart whose numbers are all plain North American ones is checked without importing phonenumbers: the US
# patterns are stored in addresses.py (used while the installed metadata file is the one they came from),
# validation asks check_phone (parse_phone's verdict without the number), and a Recommended entry's plain
# number is found without the matcher. Each is held to the library here.


def test_the_stored_us_patterns_are_the_installed_librarys():
    from workbook_tool import addresses

    general, types = addresses.library_us_patterns()
    stored = (addresses._US_GENERAL, addresses._US_TYPES)
    installed = addresses.installed_us_metadata_sha256()
    if installed != addresses.US_METADATA_SHA256:
        # Another phonenumbers release: the stored patterns are not used (the next test shows the library is
        # asked), so nothing is wrong, only slower. Copy these into addresses.py (US_METADATA_SHA256,
        # _US_GENERAL, _US_TYPES) to have the fast path back.
        assert not addresses._stored_us_patterns_current()
        warnings.warn(f"phonenumbers' US metadata changed: copy into addresses.py {installed!r}, {general!r}, "
                      f"{types!r}")
        return
    # The very file they were read from: they must be what the library reads from it.
    assert (general, types) == stored
    assert addresses._stored_us_patterns_current()


def test_a_changed_us_metadata_file_sends_the_check_back_to_the_library(monkeypatch):
    from workbook_tool import addresses

    monkeypatch.setattr(addresses, "US_METADATA_SHA256", "0" * 64)
    monkeypatch.setattr(addresses, "_US_TYPES", ())  # were they used, nothing would be valid
    addresses._us_patterns.cache_clear()
    try:
        assert not addresses._stored_us_patterns_current()
        assert addresses._valid_in_us("6175550101") and not addresses._valid_in_us("6171550101")
        assert addresses.phone_keys(["617-555-0101"]) == ["+16175550101"]
    finally:
        addresses._us_patterns.cache_clear()


@settings(max_examples=2000, deadline=None)
@given(text=_phone_texts(), region=_PHONE_REGION)
def test_check_phone_gives_parse_phones_verdict(text, region):
    from workbook_tool.fields import check_phone

    try:
        parse_phone(text, region)
        expected = None
    except ValueError as exc:
        expected = str(exc)
    try:
        check_phone(text, region)
        verdict = None
    except ValueError as exc:
        verdict = str(exc)
    assert verdict == expected, (text, region)


_ENTRY_PIECES = st.one_of(
    st.sampled_from(["Bob Roe", " Ann Lee ", "Northwind Clinic", "Dee Martin - CMO at Sinclair", "Olivia Park",
                     "Raj Patel (Head of Data)", "Alex Xu", "3M", "Suite 400", "+44 20 7946 0551", "ext. 12", "",
                     " ", "José Sato", "x", "Room [B]", "Tel: ", "Kaiyō Foods", "2nd floor"]),
    st.text(alphabet="abcxyzAXé -.'()+/[]0123456789\t\u00a0\uff08", max_size=12))


@st.composite
def _recommended_entries(draw):
    pieces = draw(st.lists(_ENTRY_PIECES, max_size=4))
    if draw(st.booleans()):
        number = draw(_phone_texts())
        pieces.insert(draw(st.integers(0, len(pieces))), draw(st.sampled_from(["", " ", "  "])) + number
                      + draw(st.sampled_from(["", " ", "\t"])))
    return draw(st.sampled_from([",", ", ", " , "])).join(pieces)


@settings(max_examples=3000, deadline=None)
@given(text=_recommended_entries(), region=_PHONE_REGION)
def test_phone_span_gives_the_matchers_first_number(text, region):
    from workbook_tool.addresses import phone_span

    first = next(iter(phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)), None)
    expected = None if first is None else (first.start, first.end)
    assert phone_span(text, region) == expected, (text, region)
    if first is not None:
        assert first.raw_string == text[first.start:first.end]
