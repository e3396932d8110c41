"""Reading what people type into cells: dates, names, referrals (and phone numbers and emails, ``addresses``').

Each parser takes a raw cell value (whatever the reader returned: str, int, float,
date, datetime, bool) and either returns a clean value or raises ``ValueError``
with a message a person can act on. Field libraries do the real work: phonenumbers
for phones (and the numbers in a Recommended cell), email-validator for addresses.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

# Addresses and numbers are checked in ``addresses``; their names are offered here too, where every module
# has found them.
from .addresses import (UNDOTTED_REASON, check_email, check_phone, email_key, parse_phone, phone_key,  # noqa: F401
                        phone_span, phone_text, usable_address)

# Excel counts days from 1899-12-30 (it keeps Lotus 1-2-3's false 1900 leap day).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# ... and that false day is serial 60, 1900-02-29: below it serials run one day behind
# the epoch's count (serial 1 is 1900-01-01), as Excel, calamine and openpyxl read them.
FALSE_LEAP_DAY = 60
# The serial day of 9999-12-31, the last day Python (and Excel) has; a larger number
# in a date cell comes back from the reader as a plain number.
LAST_SERIAL = (dt.date.max - EXCEL_EPOCH).days
# Years a job search can plausibly mention; outside them a date is a typo.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199


def serial_date(serial: int) -> dt.date:
    """The day an Excel serial number (1900 date system) stands for, as Excel shows it.

    ``ValueError`` for 60, Excel's 1900-02-29, a day that never was.
    """
    if serial == FALSE_LEAP_DAY:
        raise ValueError("60 is Excel's 1900-02-29, a day that never was")
    return EXCEL_EPOCH + dt.timedelta(days=serial + (serial < FALSE_LEAP_DAY))


def serial_days(day: dt.datetime) -> float:
    """The Excel serial number (1900 date system) of ``day``, with its time as a fraction."""
    delta = day - dt.datetime.combine(EXCEL_EPOCH, dt.time())
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return days - 1 if days < FALSE_LEAP_DAY + 1 else days

_DATE_FORMATS_COMMON = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%b. %d, %Y",
    "%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%A, %B %d, %Y", "%a, %b %d, %Y",
)
_DATE_FORMATS_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m.%d.%Y")
_DATE_FORMATS_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
# The punctuation each format spells out (what is left without its %-fields, letters and spaces).
_FORMAT_MARKS = {fmt: frozenset(ch for ch in re.sub("%.", "", fmt) if not ch.isalnum() and not ch.isspace())
                 for fmt in _DATE_FORMATS_COMMON + _DATE_FORMATS_MONTH_FIRST + _DATE_FORMATS_DAY_FIRST}
# Regions that write 3/4/2026 for March 4th; everyone else means April 3rd.
MONTH_FIRST_REGIONS = frozenset({"US", "CA", "PH", "FM", "MH", "PW", "BZ"})


def is_blank(value) -> bool:
    """True for an empty cell: None, or text that is only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_date(value, region: str = "US", today: dt.date | None = None) -> dt.date | None:
    """A cell's value as a date, or None when blank.

    Accepts real date cells, Excel serial numbers, ISO text and common written
    dates (``March 4, 2026``, ``4 Mar 2026``, ``3/4/2026`` read by ``region``).
    Text without a year (``11/30``, ``Nov. 30``) is the nearest such day not after
    ``today`` (the real today when not given); ``read_date`` also tells whether a
    year was assumed. Raises ValueError for anything else.
    """
    return read_date(value, region, today)[0]


def read_date(value, region: str = "US", today: dt.date | None = None) -> tuple[dt.date | None, bool]:
    """``(to_date's answer, whether its year was assumed)``: True for text without a year."""
    if is_blank(value):
        return None, False
    assumed = False
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    elif isinstance(value, (int, float)):
        # A number in a date column is an Excel serial day (a date typed into a cell
        # formatted as a number); NaN and huge values fail the range test.
        if not 1 <= value < LAST_SERIAL + 1:
            raise ValueError(f"{value!r} is not a date")
        result = serial_date(int(value))
    elif isinstance(value, str):
        result, assumed, error = _text_date(value.strip(), region, today or dt.date.today())
        if error is not None:
            raise ValueError(error)
    else:
        raise ValueError(f"{value!r} is not a date")
    if not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
        raise ValueError(f"the year {result.year} is out of range")
    return result, assumed


# A chart repeats its date texts ("sometime in Oct" in many rows, each a try of every format): each is
# read once a region and day. The cache holds reasons, not exceptions (no traceback is shared).
@functools.lru_cache(maxsize=None)
def _text_date(text: str, region: str, today: dt.date) -> tuple[dt.date | None, bool, str | None]:
    """(day, whether its year was assumed, None), or (None, False, why not) for text that is no date."""
    try:
        return _parse_date_text(text, region), False, None
    except ValueError as exc:
        month_day = _month_day(text, region)
        return (None, False, str(exc)) if month_day is None else (_latest(*month_day, today), True, None)


# Days people type without a year ("11/30", "Nov. 30", "30 Nov"): a step of this season.
# A period after a month's short name ("Nov.") is dropped first; the day first or the
# month first in digits goes by the region, as for full dates.
_YEARLESS_NAMED = ("%b %d", "%B %d", "%d %b", "%d %B")
_YEARLESS_MONTH_FIRST = ("%m/%d",)
_YEARLESS_DAY_FIRST = ("%d/%m",)
_YEARLESS_SHAPE = re.compile(r"[A-Za-z]+\.? +\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)? +[A-Za-z]+\.?|\d{1,2}/\d{1,2}",
                             re.IGNORECASE)


def date_and_time(value, region: str, today: dt.date | None = None) -> dt.date | dt.datetime | None:
    """A date cell's day, or its day and time when it holds a time (a meeting at 10:00).

    ``to_date`` keeps only the day, so the raw cell is read here: calamine gives a
    datetime for a date-time cell, and people also type ``2026-12-02 10:00``. A
    time of exactly midnight is a plain date cell, not a meeting at midnight.
    """
    try:
        day = to_date(value, region, today)
    except ValueError:
        return None  # validate reports it; the step rules treat it as no date too
    if day is None:
        return None
    moment = value if isinstance(value, dt.datetime) else None
    if moment is None and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None or moment.time() == dt.time(0, 0):
        return day
    return moment.replace(tzinfo=None, second=0, microsecond=0)


# Where clocks are read in 12 hours ("3:30 PM"); elsewhere "15:30". By the Profile's Region.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "PH", "IN", "PK", "EG", "SA", "MY", "CO", "MX"})


def time_text(moment, region: str = "US") -> str:
    """The time of day of a ``date_and_time``, as a letter says it ("3:30 PM", or "15:30" by region);
    "" for a day without a time."""
    if not isinstance(moment, dt.datetime):
        return ""
    if (region or "US").upper() in TWELVE_HOUR_REGIONS:
        return f"{(moment.hour - 1) % 12 + 1}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _month_day(text: str, region: str) -> tuple[int, int] | None:
    """(month, day) of a date written without a year, or None when it is not one."""
    if not _YEARLESS_SHAPE.fullmatch(text):
        return None
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE).replace(".", "")
    digits = _YEARLESS_MONTH_FIRST + _YEARLESS_DAY_FIRST
    if (region or "US").upper() not in MONTH_FIRST_REGIONS:
        digits = _YEARLESS_DAY_FIRST + _YEARLESS_MONTH_FIRST
    for fmt in _YEARLESS_NAMED + digits:
        try:
            # With a leap year, so that "2/29" is a day; its own year is found by _latest.
            day = dt.datetime.strptime(f"{text} 2000", f"{fmt} %Y")
        except ValueError:
            continue
        return day.month, day.day
    return None


def _latest(month: int, day: int, today: dt.date) -> dt.date:
    """The last ``month``/``day`` on or before ``today`` (a 29 February: of the last leap year)."""
    year = today.year
    while True:
        try:
            found = dt.date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found <= today:
            return found
        year -= 1


def _parse_date_text(text: str, region: str) -> dt.date:
    original = text
    # Any ISO 8601 form, with seconds' fractions or a zone (exports write those).
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    # People write "November 2nd, 2026" and "Sept. 4"; strptime knows neither.
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE)
    ordered = _DATE_FORMATS_MONTH_FIRST + _DATE_FORMATS_DAY_FIRST
    if (region or "US").upper() not in MONTH_FIRST_REGIONS:
        ordered = _DATE_FORMATS_DAY_FIRST + _DATE_FORMATS_MONTH_FIRST
    # Only formats that could match are tried: strptime's first use of each format
    # builds a pattern (50 ms for "sometime in Oct" against all of them). Every format
    # has a day or year in digits, and strptime matches a format's punctuation exactly.
    if any(ch.isdigit() for ch in text):
        marks = set(text)
        for fmt in _DATE_FORMATS_COMMON + ordered:
            if _FORMAT_MARKS[fmt] <= marks:
                try:
                    return dt.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
    raise ValueError(f"{original!r} is not a date I can read")


# Titles before a name; a period after one ends no sentence (checker.sentences).
HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})


def name_key(value) -> str:
    """A name folded for matching: case, accents, punctuation, honorifics and "Last, First" ignored.

    ``"Dr. Ann Lée"``, ``"ann lee"`` and ``"Lee, Ann"`` all give ``"ann lee"``.
    """
    # Asked of every row's name, referrer and recommended people (100,000s on a large chart): text goes
    # straight to the cached fold, which gives "" for text of spaces as the blank test would (a test
    # holds the two to each other).
    if value.__class__ is str:
        return _name_key(value)
    if value is None:
        return ""  # (most Referred By cells)
    return "" if is_blank(value) else _name_key(str(value))


_WORDS = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=None)
def _name_key(value: str) -> str:
    text = value
    if not text.isascii():  # NFKD and dropping accents change nothing in plain ASCII, most names
        text = unicodedata.normalize("NFKD", text)
        # (Every combining mark is at U+0300 or above: the letters below it need no look-up.)
        text = "".join([ch for ch in text if ch < "\u0300" or not unicodedata.combining(ch)])
    text = text.casefold()
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first and " " not in last:
            text = f"{first} {last}"
    return " ".join([w for w in _WORDS.findall(text) if w not in HONORIFICS])


@dataclass(frozen=True)
class Recommendation:
    """One person named in a Recommended cell."""

    text: str
    name: str
    email: str = ""
    phone: str = ""
    organization: str = ""
    title: str = ""


_EMAIL_IN_ANGLES = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
_BARE_EMAIL = re.compile(r"[^\s<>,;()]+@[^\s<>,;()]+\.[^\s<>,;()]+")
# What people put between a name and its details when they type freely: commas, a dash
# or a bar with spaces around it (a hyphen inside "Mary-Jane" is part of the name), and
# brackets after a space ("Raj Patel (Head of Data)"; "=HYPERLINK(…)" stays one piece).
_DETAIL_BREAK = re.compile(r",|\s[-\u2013\u2014|]+\s|\s[-\u2013\u2014|]+$")
_DETAIL_BRACKETS = re.compile(r"\s[(\[]([^()\[\]]*)[)\]]")
# "CMO at Sinclair", "VP Marketing @ Proseware": a title, then where.
_TITLE_AT = re.compile(r"^(.*?)\s*(?:\bat\b|@)\s*(.+)$", re.IGNORECASE)
# Words that make a detail a job title rather than an organization ("Recruiter", "Head of Data").
_TITLE_WORDS = frozenset("""
ceo cfo cmo cto coo cio cpo cso chro vp svp evp avp gm md director manager head lead engineer analyst scientist
recruiter partner president founder cofounder owner principal consultant professor chair officer associate
specialist coordinator architect designer developer counsel attorney lawyer editor producer advisor adviser
executive administrator supervisor chief senior junior intern fellow researcher teacher nurse physician
""".split())
# Lower-case words that belong in names ("Juan Carlos de la Vega", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset("de la del della da di do dos das du van von der den ter le bin ibn al el y st".split())
_MAX_NAME_WORDS = 4


def parse_recommended(value, region: str = "US") -> list[Recommendation]:
    """The people in a Recommended cell: one per line or separated by ``;``.

    Each is a name, optionally with ``<email>`` (or a bare address), a phone
    number, a title and an organization: ``Bob Roe <bob@x.org>, 617-555-0142,
    Northwind`` or, typed freely, ``Dee Martin - CMO at Sinclair - dee@sinclair.com``.
    A detail with a job title's word in it ("Recruiter", "Head of Data") is the
    title; "TITLE at ORGANIZATION" gives both; other details are the organization.
    """
    return list(_recommended_cached(value, region)) if isinstance(value, str) else _recommended(value, region, False)


# validate reads each Recommended cell twice (its own check, and the people sync would add);
# the people are frozen, so one reading serves both.
@functools.lru_cache(maxsize=None)
def _recommended_cached(value: str, region: str) -> tuple[Recommendation, ...]:
    return tuple(_recommended(value, region, names_only=False))


def recommended_names(value, region: str = "US") -> list[str]:
    """The names of ``parse_recommended``'s people, in order (what the step rules need of a Recommended cell).

    The phone number is looked for only where it could touch the name: phonenumbers'
    matcher (and its import, a tenth of a small chart's agenda) is skipped for an
    entry whose name ends at a comma before anything a number can start with.
    """
    return [person.name for person in _recommended(value, region, names_only=True)]


def _recommended(value, region: str, names_only: bool) -> list[Recommendation]:
    if is_blank(value):
        return []
    people = []
    for entry in re.split(r"[;\n\r]+", str(value)):
        entry = entry.strip().strip(",").strip()
        if not entry:
            continue
        rest = entry
        email = ""
        found = _EMAIL_IN_ANGLES.search(rest) or _BARE_EMAIL.search(rest)
        if found:
            email = found.group(1) if found.re is _EMAIL_IN_ANGLES else found.group(0)
            rest = rest[: found.start()] + "," + rest[found.end():]
        phone = ""
        # Most entries are a bare name: without a digit (any script's) there is no number
        # to find, and phonenumbers' matcher costs as much as the rest of the entry.
        look = any(ch.isdigit() for ch in rest) and not (names_only and _name_before_any_number(rest))
        span = phone_span(rest, region) if look else None
        if span is not None:
            phone = rest[span[0]:span[1]].strip()
            rest = rest[: span[0]] + "," + rest[span[1]:]
        parts = [p.strip(" -\u2013\u2014") for p in _DETAIL_BREAK.split(_DETAIL_BRACKETS.sub(r", \1,", rest))]
        parts = [p for p in parts if p]
        name, title, organization = _name_and_details(parts)
        if not name_key(name) and email:
            name = email.split("@")[0]
        # "?" or "!!!" names nobody: no row could ever match it, so sync would add it again every run.
        if name_key(name):
            people.append(Recommendation(entry, name, email, phone, organization, title))
    return people


# What a number phonenumbers' matcher finds can start with: a digit, a plus or an opening bracket
# (its lead characters); a number never spans a comma (not among its punctuation).
_NUMBER_LEADS = frozenset("([\uff08\uff3b+\uff0b")


def _name_before_any_number(rest: str) -> bool:
    """Whether the name (the first piece) of an entry lies before a comma that no number starts before.

    Then removing a number found after that comma changes the other pieces, never the name. The
    text before the comma must hold a letter or digit (else the name is a later piece) and no
    bracket, which the detail-bracket rule could join with text after the comma.
    """
    head, comma, _ = rest.partition(",")
    return (bool(comma) and any(ch.isalnum() for ch in head)
            and not any(ch.isdigit() or ch in _NUMBER_LEADS or ch in "()[]" for ch in head))


def _name_and_details(parts: list[str]) -> tuple[str, str, str]:
    """(name, title, organization) from an entry's pieces, the name first."""
    if not parts:
        return "", "", ""
    name, details = parts[0], parts[1:]
    at = _TITLE_AT.match(name)
    if at and at.group(1) and " " in at.group(1).strip():
        name, details = at.group(1), [at.group(2), *details]  # "Sam Lee at Northwind Clinic"
    titles, organizations = [], []
    for detail in details:
        at = _TITLE_AT.match(detail)
        if at and at.group(1):
            titles.append(at.group(1))
            organizations.append(at.group(2))
        elif _is_title(detail) and not titles:
            titles.append(detail)
        else:
            organizations.append(detail)
    return name.strip(), ", ".join(titles), ", ".join(organizations)


def _is_title(text: str) -> bool:
    return any(w in _TITLE_WORDS for w in _WORDS.findall(text.casefold()))


def looks_like_a_name(text: str) -> bool:
    """Whether ``text`` reads as a person's name alone, not a name with other words ("Jim from the 2019 fair").

    A digit, an "@" or an "at", more than four words (besides de, van, la …), or
    lower-case words beside capitalized ones say it is more than a name.
    """
    words = str(text).split()
    if any(ch.isdigit() for ch in text) or "@" in text or any(w.casefold() == "at" for w in words):
        return False
    significant = [w for w in words if w.casefold() not in _NAME_PARTICLES]
    if len(significant) > _MAX_NAME_WORDS:
        return False
    lower = [w for w in significant if w[:1].islower()]
    return not lower or len(lower) == len(significant)
