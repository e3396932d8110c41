"""Reading what people type into cells: dates, phone numbers, emails, names, referrals.

Each parser takes a raw cell value (whatever the reader returned: str, int, float,
date, datetime, bool) and either returns a clean value or raises ``ValueError``
with a message a person can act on. Field libraries do the real work:
phonenumbers for phones, email-validator for addresses.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

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


def phone_text(value) -> str:
    """A phone cell as text; numbers typed into a number cell lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_phone(value, region: str = "US"):
    """A valid ``phonenumbers.PhoneNumber`` for a cell, or ValueError saying why not."""
    number, error = _parsed_phone(phone_text(value), (region or "US").upper())
    if error:
        raise ValueError(error)
    return number


# A chart checks each number several times (validate, duplicates, referrals): parse
# each distinct text once. The cache holds results, not exceptions, so a reason is
# never shared between callers' tracebacks.
@functools.lru_cache(maxsize=None)
def _parsed_phone(text: str, region: str):
    import phonenumbers

    number = _plain_nanp_phone(text, region)
    if number is None:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None, f"{text!r} is not a phone number"
    if not _is_valid_phone(number):
        return None, f"{text!r} cannot be a real phone number in {region}"
    return number, None


# The shapes nearly every North American number is typed in: 617-555-0101, (617) 555-0101,
# 617.555.0101, +1 617 555 0101, 1-617-555-0101. For them phonenumbers.parse's answer
# is known in advance (country code 1, the ten digits), and parsing cost a large
# chart half of validate's time. Anything else (extensions, letters, other countries'
# numbers, other regions' defaults) still goes to phonenumbers.parse; a test compares the two.
_NANP_PHONE = re.compile(r"(?:(\+?1)[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?(\d{3})[ .-]?(\d{4})", re.ASCII)
# Regions whose national numbers are plain NANP numbers with national prefix 1 (no
# local-number rewriting, as the Caribbean regions have for seven-digit numbers).
_NANP_DEFAULT_REGIONS = frozenset({"US", "CA"})


def _plain_nanp_phone(text: str, region: str):
    import phonenumbers  # (a plain import: "from … import" inside a function costs 4 times as much per call)

    digits = _plain_nanp_digits(text, region)
    if digits is None:
        return None
    return phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))


def _plain_nanp_digits(text: str, region: str) -> str | None:
    """The ten digits of a North American number typed one of the plain ways, else None (see _NANP_PHONE)."""
    match = _NANP_PHONE.fullmatch(text)
    if match is None:
        return None
    prefix, area_in_parens, area, exchange, line = match.groups()
    if prefix != "+1" and region not in _NANP_DEFAULT_REGIONS:
        return None  # without +1 the digits are read as the region's own number
    return f"{area_in_parens or area}{exchange}{line}"


def _is_valid_phone(number) -> bool:
    """phonenumbers.is_valid_number, asking about the US first for +1 numbers.

    is_valid_number finds the number's region (for +1: the US first, then the other
    regions that share +1) and validates it there. A +1 number valid in the US is
    therefore valid, and checking that alone halves the cost for most numbers; the
    US check itself is ``_valid_in_us``, the same patterns without the calls around them.
    """
    import phonenumbers

    if number.country_code == 1 and (_valid_in_us(phonenumbers.national_significant_number(number))
                                     or phonenumbers.is_valid_number_for_region(number, "US")):
        return True
    return phonenumbers.is_valid_number(number)


def _valid_in_us(national: str) -> bool:
    """``phonenumbers.is_valid_number_for_region`` for the US, for a ten-digit national number.

    The library asks the US metadata's general pattern, then each number type's pattern
    in turn (a dozen calls and regex-cache look-ups a number, a fifth of validate's time
    on a large chart). The same patterns, read from the same metadata and joined into
    one, give the same answer in one match; a test compares the two. False for other
    lengths, which the caller then asks the library about.
    """
    general, types = _us_patterns()
    return len(national) == 10 and types.fullmatch(national) is not None and general.fullmatch(national) is not None


@functools.lru_cache(maxsize=None)
def _us_patterns():
    """(general pattern, every number type's pattern joined) of the US metadata, for ten-digit numbers."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region("US")

    def applies(desc) -> bool:  # as _is_number_matching_desc: no pattern, or a length list without 10, never matches
        return (desc is not None and bool(desc.national_number_pattern)
                and (len(desc.possible_length) == 0 or 10 in desc.possible_length))

    kinds = [meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip, meta.personal_number, meta.pager,
             meta.uan, meta.voicemail, meta.fixed_line, meta.mobile]
    never = re.compile(r"(?!)")
    general = re.compile(meta.general_desc.national_number_pattern) if applies(meta.general_desc) else never
    joined = "|".join(f"(?:{d.national_number_pattern})" for d in kinds if applies(d))
    return general, re.compile(joined) if joined else never


def phone_key(value, region: str = "US") -> str | None:
    """The phone number in E.164 form (``+12125550123``), for finding duplicates; None if invalid."""
    return _phone_e164(phone_text(value), (region or "US").upper())


@functools.lru_cache(maxsize=None)
def _phone_e164(text: str, region: str) -> str | None:
    import phonenumbers

    digits = _plain_nanp_digits(text, region)
    if digits is not None and _valid_in_us(digits):
        # What the path below gives such a number (+1, no leading zero: the area code starts
        # with 2-9), without building it: phone keys are worked out for every row.
        return f"+1{digits}"
    number, error = _parsed_phone(text, region)
    if error:
        return None
    if number.country_code == 1 and number.national_number:
        # E.164 is "+", the country code and the national significant number: format_number's
        # own recipe for any number but 0 (a test compares the two), without its calls.
        return f"+1{phonenumbers.national_significant_number(number)}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_email(value) -> str:
    """The normalized address, or ValueError with email-validator's reason (no network)."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    normalized, error = _checked_email(text)
    if error:
        raise ValueError(error)
    return normalized


# The plain shape nearly every address has: ASCII dot-atom, ASCII domain labels, an
# alphabetic top-level domain. For it email-validator's answer is known in advance
# (valid; the domain lower-cased), and asking it costs most of validate's time on a
# large chart. Anything else (quotes, Unicode, xn-- labels, special-use names such
# as .test or .local) still goes to email-validator; a test compares the two.
_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
                          r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))\Z")


# The top-level domains the fast path leaves to email-validator: at least its SPECIAL_USE_DOMAIN_NAMES
# (IANA's special-use names, which it refuses), a test checks. Held here so that the fast path does not
# import email-validator, whose import compiles its patterns (a tenth of a small chart's agenda).
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def _plain_email(text: str) -> str | None:
    match = _PLAIN_EMAIL.match(text)
    if match is None:
        return None
    domain = match.group(1)  # (the pattern's one "@" is just before it: the local part is text[:at])
    at = match.start(1) - 1
    if "--" in domain or len(text) > 254 or at > 64 or match.group(2).lower() in _SPECIAL_USE_TLDS:
        return None
    return text[:at + 1] + domain.lower()


# A plain address whose domain is one ASCII label, without a period ("ann@fabrikam"): a slip people
# make, which email-validator refuses with UNDOTTED_REASON (a test compares the two), known here
# without importing it. Its import compiles its patterns: a twentieth of validate's time on a large chart.
_UNDOTTED_EMAIL = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\Z")
UNDOTTED_REASON = "The part after the @-sign is not valid. It should have a period."


def _undotted_email(text: str) -> bool:
    match = _UNDOTTED_EMAIL.match(text)
    return match is not None and "--" not in match.group(1) and len(text) <= 254 and text.index("@") <= 64


def _email_refusal(text: str, reason: str) -> str:
    # email-validator's reasons end with a period; callers append their own sentence.
    return f"{text!r} is not a valid email address: {reason.rstrip('.')}"


@functools.lru_cache(maxsize=None)
def _checked_email(text: str):
    plain = _plain_email(text)
    if plain is not None:
        return plain, None
    if _undotted_email(text):
        return None, _email_refusal(text, UNDOTTED_REASON)
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, _email_refusal(text, str(exc))


def usable_address(value) -> str | None:
    """``check_email``'s address, or None where it raises: for a caller that needs no reason.

    An ASCII domain without a period (``ann@fabrikam``, a slip people make) is refused
    without asking email-validator, whose first use costs a small chart's agenda a
    tenth of its time; it refuses every one of them (a test compares the two).
    """
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if _UNDOTTED_DOMAIN.search(text):
        return None
    return _checked_email(text)[0]


# The end of an address whose domain is ASCII letters, digits and hyphens only: no period, which
# email-validator requires of every domain (and a second "@" before it is refused as well).
_UNDOTTED_DOMAIN = re.compile(r"@[A-Za-z0-9-]*\Z")


def email_key(value) -> str | None:
    """The address folded for finding duplicates; None if it is not an address."""
    try:
        return check_email(value).casefold()
    except ValueError:
        return None


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


def _phone_matches(text: str, region: str):
    import phonenumbers

    return phonenumbers.PhoneNumberMatcher(text, (region or "US").upper(), leniency=phonenumbers.Leniency.POSSIBLE)


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
        for match in _phone_matches(rest, region) if look else ():
            phone = match.raw_string.strip()
            rest = rest[: match.start] + "," + rest[match.end:]
            break
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
