"""Email addresses and phone numbers: checking one, and folding it into the key that finds its person.

``check_email`` and ``parse_phone`` give the clean value or raise ``ValueError`` with a
reason a person can act on (``check_phone`` only the verdict); ``email_key`` and ``phone_key`` give the folded form
``people`` files a person under (None for an address or number that is not one).
The field libraries (email-validator, phonenumbers) decide; the plain shapes nearly
every address and number is typed in are answered without asking them, each fast
path held equal to its library by a property test (tests/test_fields.py).
``fields`` offers the public names too, where every module has found them.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata


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


def check_phone(value, region: str = "US") -> None:
    """``parse_phone``'s verdict without the number: ValueError saying why not, or None for a valid one.

    What validation asks. A plain North American number valid in the US is answered from the
    stored US patterns, without phonenumbers (whose import is a tenth of a small chart's sync);
    a test holds the two equal.
    """
    text, region = phone_text(value), (region or "US").upper()
    digits = _plain_nanp_digits(text, region)
    if digits is not None and _valid_in_us(digits):
        return  # _parsed_phone's answer for it: _plain_nanp_phone's number, valid by _is_valid_phone's US check
    error = _parsed_phone(text, region)[1]
    if error:
        raise ValueError(error)


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
    general, types = (_US_GENERAL, _US_TYPES) if _stored_us_patterns_current() else library_us_patterns()
    never = re.compile(r"(?!)")
    # Each pattern once: the US metadata gives fixed lines and mobiles the same long one (a number can be
    # either), and a second copy in the alternation matches nothing the first does not, at twice the compile.
    joined = "|".join(f"(?:{pattern})" for pattern in types)
    return (re.compile(general) if general is not None else never), (re.compile(joined) if joined else never)


def library_us_patterns() -> tuple[str | None, tuple[str, ...]]:
    """The US metadata's general pattern (None when it cannot match ten digits) and the patterns of its
    number types that can, each once, in the order the library asks them: read from phonenumbers."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region("US")

    def applies(desc) -> bool:  # as _is_number_matching_desc: no pattern, or a length list without 10, never matches
        return (desc is not None and bool(desc.national_number_pattern)
                and (len(desc.possible_length) == 0 or 10 in desc.possible_length))

    kinds = [meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip, meta.personal_number, meta.pager,
             meta.uan, meta.voicemail, meta.fixed_line, meta.mobile]
    general = meta.general_desc.national_number_pattern if applies(meta.general_desc) else None
    return general, tuple(dict.fromkeys(d.national_number_pattern for d in kinds if applies(d)))


# library_us_patterns() as phonenumbers 9.0.43 answers it, kept here so that a chart whose numbers are all
# plain North American ones needs no phonenumbers at all (its import and tables cost a 200-row sync a
# tenth of its time). They are used only while the installed library's US metadata file is the very one
# they were read from (its SHA-256 below); after an upgrade that changes it they are read from the library
# as before, and tests/test_fields.py fails until they are copied again (the test prints them).
US_METADATA_SHA256 = "c21c91739c73e082d626d7bb8486899c164c675ed1998d40a0dcdc4eac011480"
_US_GENERAL = r"[2-9]\d{9}|3\d{6}"
_US_TYPES = (
    r"900[2-9]\d{6}",
    r"8(?:00|33|44|55|66|77|88)[2-9]\d{6}",
    r"52(?:3(?:[2-46-9][02-9]\d|5(?:[02-46-9]\d|5[0-46-9]))|4(?:[2-478][02-9]\d|5(?:[034]\d|2[024-9]|5[0-46-9])"
    r"|6(?:0[1-9]|[2-9]\d)|9(?:[05-9]\d|2[0-5]|49)))\d{4}|52[34][2-9]1[02-9]\d{4}"
    r"|5(?:00|2[125-9]|3[23]|44|66|77|88)[2-9]\d{6}",
    r"983[2-57-9]\d{6}|(?:2(?:0[1-35-9]|1[02-9]|2[03-57-9]|3[1459]|4[08]|5[1-46]|6[0279]|7[02469]|8[13])"
    r"|3(?:0[1-57-9]|1[02-9]|2[013-79]|3[0-24679]|4[167]|5[0-3]|6[01349]|8[056])"
    r"|4(?:0[124-9]|1[02-579]|2[3-5]|3[0245]|4[023578]|58|6[349]|7[02589]|8[04])"
    r"|5(?:0[1-57-9]|1[0235-8]|20|3[0149]|4[01]|5[179]|6[1-47]|7[0-5]|8[0256])"
    r"|6(?:0[1-35-9]|1[024-9]|2[03689]|3[016]|4[0156]|5[01679]|6[0-279]|78|8[0-269])"
    r"|7(?:0[1-46-8]|1[2-9]|2[04-8]|3[0-2478]|4[0378]|5[47]|6[02359]|7[0-59]|8[156])"
    r"|8(?:0[1-68]|1[02-8]|2[0168]|3[0-2589]|4[03578]|5[046-9]|6[02-5]|7[028])"
    r"|9(?:0[1346-9]|1[02-9]|2[0589]|3[0146-8]|4[01357-9]|5[12469]|7[0-3589]|8[04-69]))[2-9]\d{6}",
)


def installed_us_metadata_sha256() -> str | None:
    """The SHA-256 of the installed phonenumbers' US metadata file, found without importing the package."""
    import hashlib
    import importlib.util

    try:
        spec = importlib.util.find_spec("phonenumbers")
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        with open(os.path.join(folders[0], "data", "region_US.py"), "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except (ImportError, IndexError, OSError, ValueError):
        return None  # not found where a plain install puts it: the library is asked instead


def _stored_us_patterns_current() -> bool:
    return installed_us_metadata_sha256() == US_METADATA_SHA256


def phone_span(text: str, region: str = "US") -> tuple[int, int] | None:
    """Where phonenumbers' matcher (leniency POSSIBLE) finds the first number in ``text``, or None."""
    span = _plain_phone_span(text, (region or "US").upper())
    if span is not None:
        return span
    import phonenumbers

    matches = phonenumbers.PhoneNumberMatcher(text, (region or "US").upper(), leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matches:
        return match.start, match.end  # (its raw_string is text[start:end])
    return None


# Characters a number the matcher finds can start with, besides a digit: a piece of an entry that holds
# none of them (nor a digit) can hold no part of a number.
_NUMBER_LEADS = frozenset("+\uff0b([\uff08\uff3b")


def _plain_phone_span(text: str, region: str) -> tuple[int, int] | None:
    """The matcher's answer for the entry most Recommended numbers are typed in, found without it.

    "Bob Roe, 617-555-0142, Northwind": one comma-separated piece is a plain North American
    number (addresses' plain shapes), and no other piece holds a digit or anything a number can
    start with. The matcher's candidates stop at commas, so it finds that piece, trimmed, and
    keeps it (such a number parses, and is possible). The matcher and its import cost a small
    chart's sync more than the rest of the Recommended cells; a test compares the two.
    """
    found = None
    start = 0
    for piece in text.split(","):
        if any(ch.isdigit() or ch in _NUMBER_LEADS for ch in piece):
            stripped = piece.strip()
            if found is not None or _plain_nanp_digits(stripped, region) is None:
                return None
            left = start + len(piece) - len(piece.lstrip())
            found = (left, left + len(stripped))
        start += len(piece) + 1
    return found


def phone_key(value, region: str = "US") -> str | None:
    """The phone number in E.164 form (``+12125550123``), for finding duplicates; None if invalid."""
    return _phone_e164(phone_text(value), (region or "US").upper())


@functools.lru_cache(maxsize=None)
def _phone_e164(text: str, region: str) -> str | None:
    digits = _plain_nanp_digits(text, region)
    if digits is not None and _valid_in_us(digits):
        # What the path below gives such a number (+1, no leading zero: the area code starts
        # with 2-9), without building it (nor importing phonenumbers): phone keys are worked out for every row.
        return f"+1{digits}"
    import phonenumbers

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


# The top-level domains the fast paths leave to email-validator: at least its SPECIAL_USE_DOMAIN_NAMES
# (IANA's special-use names, which it refuses), a test checks. Held here so that the fast paths do not
# import email-validator, whose import compiles its patterns (a tenth of a small chart's agenda).
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
# The mailbox names of RFC 2142, whose ASCII local part email-validator lower-cases ("Info@x.com" is
# "info@x.com"); its CASE_INSENSITIVE_MAILBOX_NAMES, a test checks.
_CASE_INSENSITIVE_MAILBOXES = frozenset({"info", "marketing", "sales", "support", "abuse", "noc", "security",
                                         "postmaster", "hostmaster", "usenet", "news", "webmaster", "www", "uucp",
                                         "ftp"})
# An ASCII domain of two or more labels ending in an alphabetic top-level domain, none of them special-use,
# without "--" (xn-- labels are IDNA's, for email-validator to decode); group 1 is the domain.
_PLAIN_DOMAIN = (r"@(?![A-Za-z0-9.-]*--)((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})\Z"
                 + "".join(rf"(?<!\.(?i:{tld}))" for tld in sorted(_SPECIAL_USE_TLDS)))
# The plain shape nearly every address has: an ASCII dot-atom of at most 64 characters, a plain domain,
# at most 254 characters in all. For it email-validator's answer is known in advance (valid; the domain
# lower-cased, and an RFC 2142 mailbox name too), and asking it costs most of validate's time on a large
# chart. Anything else (quotes, xn-- labels, special-use names such as .test or .local) still goes to
# email-validator; a test compares the two. Its key (email_key) is the address lower-cased.
_PLAIN_EMAIL = re.compile(r"(?=[^@]{1,64}@)(?=.{1,254}\Z)[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*" + _PLAIN_DOMAIN)
# The same with letters of other scripts in the local part ("zoë.petrova@example.org", a tenth of a LinkedIn
# export's addresses): email-validator takes such a local part as it is when it is in NFC and each of those
# characters is a letter (_intl_email; an ASCII one is _PLAIN_EMAIL's). A test compares the two.
_INTL_EMAIL = re.compile(r"(?=[^@]{1,64}@)((?:[A-Za-z0-9_%+-]|[^\x00-\x7f])+(?:\.(?:[A-Za-z0-9_%+-]|[^\x00-\x7f])+)*)"
                         + _PLAIN_DOMAIN)


def _plain_email(text: str) -> str | None:
    match = _PLAIN_EMAIL.match(text)
    if match is None:
        return None
    at = match.start(1) - 1  # (the pattern's one "@" is just before the domain)
    local = text[:at]
    if local.lower() in _CASE_INSENSITIVE_MAILBOXES:
        local = local.lower()
    return f"{local}@{match.group(1).lower()}"


def _intl_email(text: str) -> str | None:
    match = _INTL_EMAIL.match(text)
    if match is None:
        return None
    local = match.group(1)
    # (Letters first: a lone surrogate is none, and could not be encoded.)
    if (local.isascii() or not all(ch.isalpha() for ch in local if not ch.isascii())
            or not unicodedata.is_normalized("NFC", local) or len(text.encode("utf-8")) > 254):
        return None
    return f"{local}@{match.group(2).lower()}"


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
    plain = _plain_email(text) if text.isascii() else _intl_email(text)
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


# --------------------------------------------------------------------------- a whole column at once


def email_keys(values) -> list[str | None]:
    """``email_key`` of each of ``values`` (None for a blank), as ``people`` asks it of every row of a chart.

    A plain address (``_PLAIN_EMAIL``, most of a column) is its own key lower-cased: what
    ``email_key`` gives it (no spaces to strip, no "mailto:", a lower-cased domain, and the
    casefold of ASCII text is its lower case), without its calls; a test compares the two.
    """
    plain = _PLAIN_EMAIL.match
    return [value.lower() if value.__class__ is str and plain(value) else
            None if value is None or (value.__class__ is str and not value.strip()) else email_key(value)
            for value in values]


def phone_keys(values, region: str = "US") -> list[str | None]:
    """``phone_key`` of each of ``values`` (None for a blank), as ``people`` asks it of every row of a chart.

    A plain North American number valid in the US (``_phone_e164``'s first answer, most of a
    column) is answered without the calls and the cache around it; a test compares the two.
    """
    region = (region or "US").upper()
    any_region = region in _NANP_DEFAULT_REGIONS
    general, types = _us_patterns() if values else (None, None)
    shape = _NANP_PHONE.fullmatch
    keys = []
    for value in values:
        if value.__class__ is str and (match := shape(value)) is not None:
            prefix, area_in_parens, area, exchange, line = match.groups()
            if any_region or prefix == "+1":
                digits = f"{area_in_parens or area}{exchange}{line}"
                if types.fullmatch(digits) is not None and general.fullmatch(digits) is not None:
                    keys.append(f"+1{digits}")
                    continue
        keys.append(None if value is None or (value.__class__ is str and not value.strip()) else
                    phone_key(value, region))
    return keys
