"""Checking a chart: every problem with its severity, stable code, place and a fix.

``validate_chart`` returns problems instead of raising, so that ``sync`` can put
the same findings in each row's Comments cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from . import schema
from .fields import (EARLIEST_YEAR, LATEST_YEAR, check_email, check_phone, is_blank, looks_like_a_name, name_key,
                     parse_recommended, read_date)
from .people import EMAIL, NAME, PHONE, People, name_keys
from .grids import gc_paused
from .objects import column_letter
from .workbook import Chart, Row, Table

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. ``code`` is stable for scripts; ``message`` says what to do."""

    severity: str
    code: str
    sheet: str
    cell: str
    row: int | None
    column: str
    message: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def as_dict(self) -> dict:
        return asdict(self)


def validate_chart(chart: Chart, today: dt.date | None = None, grids: dict[str, list[list]] | None = None,
                   frames: dict | None = None) -> list[Problem]:
    """Every problem in the chart, in sheet and row order, and every reason chart sync would refuse it.

    ``today`` (the real today when not given) dates the text dates typed without a
    year. ``grids``: the chart's sheets as ``workbook.read_chart_grids(path,
    tool_sheets=True)`` gives them; read from ``chart.path`` when not given. ``frames``: the sheet parts
    that read split on the way (its ``frames``), which ``objects.sheet_objects`` then need not read again.
    """
    # The whole check makes a few objects per row (keys, the people sync would add, problems), none in
    # a cycle: the collector's walks over a large chart found nothing and cost a tenth of the time.
    with gc_paused():
        # Each row's keys (email, phone, name) are worked out once, for the people sync would add and
        # for the checks: both ask them of every row.
        keys = People(chart.profile.region).rows_keys(chart.contacts.rows)
        return _check_profile(chart) + sync_refusals(chart, grids, keys, frames) + _check_tables(chart, today, keys)


def chart_problems(chart: Chart, today: dt.date | None = None, keys: list | None = None) -> list[Problem]:
    """The problems of the chart's cells and headers (what sync's Comments show), in sheet and row order.

    ``keys``: ``People(region).rows_keys(chart.contacts.rows)``, when the caller has worked them out already.
    """
    return _check_profile(chart) + _check_tables(chart, today, keys)


def _check_tables(chart: Chart, today: dt.date | None, keys: list | None = None) -> list[Problem]:
    today = today or dt.date.today()
    problems: list[Problem] = []
    for table in (chart.contacts, chart.want_to_meet):
        if table is not None:
            problems += _check_headers(table)
    with gc_paused():
        problems += _check_contacts(chart.contacts, chart.profile.region, today, keys)
    return problems


def sync_refusals(chart: Chart, grids: dict[str, list[list]] | None = None, keys: list | None = None,
                  frames: dict | None = None) -> list[Problem]:
    """Every reason chart sync would refuse to write the chart, each an error at its cell (``placement``).

    ``keys``: the Contacts rows' ``People.rows_keys``, when the caller has them; ``frames``: as
    ``validate_chart`` takes them.
    """
    from .objects import sheet_objects
    from .placement import refusals
    from .workbook import read_chart_grids

    if grids is None:
        frames = {}
        grids = read_chart_grids(chart.path, tool_sheets=True, frames=frames)
    objects = sheet_objects(chart.path, [t.sheet for t in (chart.contacts, chart.want_to_meet) if t is not None],
                            frames)
    problems = []
    for refusal in refusals(chart, grids, objects, keys):
        digits = "".join(ch for ch in refusal.cell or "" if ch.isdigit())
        letters = "".join(ch for ch in refusal.cell or "" if ch.isalpha())
        table = next((t for t in (chart.contacts, chart.want_to_meet) if t is not None and t.sheet == refusal.sheet),
                     None)
        header = ""
        if table is not None and letters:
            from .objects import column_index

            header = str(table.headers.get(column_index(letters), "") or "")
        problems.append(Problem(ERROR, refusal.code, refusal.sheet, refusal.cell or "", int(digits) if digits else None,
                                header, refusal.message))
    return problems


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


# --------------------------------------------------------------------------- headers

# How far a header may be from a column's name (folded as schema.normalize_header folds
# it) and still be taken for a slip: one slip in a name of up to 11 letters, two in a
# longer one (two slips from "Contacted On" lies "Contacted By", from "Contact Name"
# "Contact Date"). Names shorter than 5 letters ("Via", "Org", "Cell", "Who") are left
# out: one slip away from them lie too many other words ("Why", "Call").
_SHORTEST_NAME = 5
_LONG_NAME = 12
_NO_SLIP = 99


def _check_headers(table: Table) -> list[Problem]:
    """A header that names no column but is a slip away from one the table lacks (``unknown-column``)."""
    taken = set(table.columns.values())
    missing = [c for c in table.shape.user_columns if c.key not in table.columns]
    problems = []
    for column, value in table.headers.items():
        if column in taken or not isinstance(value, str) or table.shape.match_header(value) is not None:
            continue
        near = _nearest_column(schema.normalize_header(value), missing)
        if near is None:
            continue
        spec, name = near
        meant = f'"{name}"' if name == spec.header else f'"{name}" (read as {spec.header})'
        typed = value.strip()
        problems.append(Problem(WARNING, "unknown-column", table.sheet, f"{column_letter(column)}{table.header_row}",
                                table.header_row, typed,
                                f'"{typed}" is not a column chart knows. Did you mean {meant}? Rename the header to '
                                f'"{name}" to have chart read it; until then chart leaves this column out.'))
    return problems


def _nearest_column(typed: str, columns) -> tuple[schema.Column, str] | None:
    """The column (and which of its names) that ``typed`` is a slip away from, the nearest first; or None.

    Only the person's columns are asked about: chart sync adds its own under their
    right names whatever else the sheet holds.
    """
    best = None
    for spec in columns:
        for name in (spec.header, *spec.aliases):
            folded = schema.normalize_header(name)
            # A header that is the start or the end of a column's name is a word of its own
            # ("Referral", "Recommend"); one that adds to a name ("Emailed") is no slip (_slips).
            if len(folded) < _SHORTEST_NAME or typed in folded:
                continue
            slips = _slips(typed, folded)
            if slips <= (1 if len(folded) < _LONG_NAME else 2) and (best is None or slips < best[0]):
                best = (slips, spec, name)
    return None if best is None else best[1:]


def _slips(typed: str, meant: str) -> int:
    """The typing slips that turn ``meant`` into ``typed``: Damerau-Levenshtein distance (optimal string
    alignment), counting a letter left out, one typed for another, two swapped, and one doubled.

    A letter added that doubles none is no slip ("Contract" is not "Contact" mistyped, nor
    "Contacts"): a header one such letter longer than a column's name is another word.
    """
    n, m = len(typed), len(meant)
    if abs(n - m) > 2:
        return _NO_SLIP
    # d[i][j]: slips turning meant[:j] into typed[:i].
    d = [[_NO_SLIP] * (m + 1) for _ in range(n + 1)]
    d[0] = list(range(m + 1))
    for i in range(1, n + 1):
        doubled = i > 1 and typed[i - 1] == typed[i - 2]
        d[i][0] = d[i - 1][0] + 1 if doubled else _NO_SLIP
        for j in range(1, m + 1):
            best = min(d[i][j - 1] + 1,  # meant[j-1] left out
                       d[i - 1][j - 1] + (typed[i - 1] != meant[j - 1]),  # the same letter, or another
                       d[i - 1][j] + 1 if doubled else _NO_SLIP)  # typed[i-1] doubles the letter before it
            if i > 1 and j > 1 and typed[i - 1] == meant[j - 2] and typed[i - 2] == meant[j - 1]:
                best = min(best, d[i - 2][j - 2] + 1)  # two letters swapped
            d[i][j] = best
    return d[n][m]


# --------------------------------------------------------------------------- Contacts


_DUPLICATE_SEVERITY = {EMAIL: ERROR, PHONE: ERROR, NAME: WARNING}


def _problem(table: Table, row: int, key: str, severity: str, code: str, message: str) -> Problem:
    return Problem(severity, code, table.sheet, table.ref(row, key), row, table.shape.column(key).header, message)


def _check_contacts(table: Table, region: str, today: dt.date, keys: list | None = None) -> list[Problem]:
    """The problems of the Contacts rows; ``keys``: their ``People.rows_keys``, worked out here when not given."""
    problems: list[Problem] = []
    people: People[Row] = People(region)
    # Each row's keys (its name key, email and phone, in People's order) are worked out once and shared
    # by the checks, the duplicate search and the referral check (a large chart has 100,000s).
    if keys is None:
        keys = people.rows_keys(table.rows)
    row_name_keys = [row_keys[-1][1] if row_keys and row_keys[-1][0] == NAME else "" for row_keys in keys]
    names = set(row_name_keys) - {""}
    choice_keys = [k for k in ("source", "channel", "status") if table.has(k)]
    # Each key's choices folded, and for each text seen in its column whether it is one of them: a
    # column of choices holds a few texts over and over.
    allowed = [(k, {schema.normalize_header(c) for c in table.shape.column(k).choices}, {}) for k in choice_keys]
    date_keys = [c.key for c in table.shape.user_columns if c.kind == "date" and table.has(c.key)]
    has_referred_by = table.has("referred_by")
    referral_sources: dict[str, bool] = {}  # each text of the Source column: whether it says Referral
    # Each text of the Referred By column's name key, the column at a time (People.name_keys).
    referrers = list({v for row in table.rows if (v := row.values.get("referred_by")).__class__ is str})
    referrer_keys = dict(zip(referrers, name_keys(referrers)))
    fold = schema.normalize_header

    file_new = people.file_new
    for row, row_keys, row_name_key in zip(table.rows, keys, row_name_keys, strict=True):
        n = row.number
        values = row.values
        name = values.get("name")  # row.text("name"), without the call
        name = name.strip() if name.__class__ is str else "" if is_blank(name) else str(name).strip()
        if not name:
            problems.append(_problem(table, n, "name", ERROR, "missing-name",
                                     "this row has data but no Name. Type the person's name, or clear the row."))
        for key, choices, seen in allowed:
            value = values.get(key)
            if value is None:
                continue
            if value.__class__ is str:
                fine = seen.get(value)
                if fine is None:
                    fine = seen[value] = is_blank(value) or fold(value) in choices
            else:
                fine = fold(value) in choices
            if not fine:
                problems.append(_bad_choice(table, row, key))
        for key in date_keys:
            value = values.get(key)
            if value is None or (value.__class__ is dt.date and EARLIEST_YEAR <= value.year <= LATEST_YEAR):
                continue  # most date cells are empty, the rest mostly real dates: nothing for read_date to find
            try:
                day, assumed = read_date(values.get(key), region, today)
            except ValueError as exc:
                problems.append(_problem(table, n, key, ERROR, "bad-date",
                                         f"{exc}. Type a date such as 2026-03-04 or March 4, 2026."))
            else:
                if assumed:
                    problems.append(_problem(table, n, key, WARNING, "date-without-year",
                                             f'"{str(values.get(key)).strip()}" has no year: read as '
                                             f"{day.isoformat()}, the nearest such day not after today. Type the "
                                             "year if you meant another one."))
        # A row's keys hold its email and phone keys when they are keys (email_key, phone_key); the
        # address or number is asked again, for the reason, only when it is not.
        email = values.get("email")
        no_email = email is None or (not email.strip() if email.__class__ is str else is_blank(email))
        if not no_email and not (row_keys and row_keys[0][0] == EMAIL):
            try:
                check_email(email)  # email_key is None exactly when check_email raises
            except ValueError as exc:
                problems.append(_problem(table, n, "email", ERROR, "bad-email", f"{exc}. Correct the address."))
        phone = values.get("phone")
        no_phone = phone is None or (not phone.strip() if phone.__class__ is str else is_blank(phone))
        if not no_phone:
            # phone_key is None exactly when check_phone raises (both read _parsed_phone's answer);
            # the key is the common case, and check_phone is asked only for the reason. (People's order:
            # a phone key is first, or second after an email key.)
            if not ((row_keys and row_keys[0][0] == PHONE) or (len(row_keys) > 1 and row_keys[1][0] == PHONE)):
                try:
                    check_phone(phone, region)
                except ValueError as exc:
                    problems.append(_problem(table, n, "phone", ERROR, "bad-phone",
                                             f"{exc}. Write it with its area code, or with +country code for a "
                                             "number abroad (Profile Region sets the default country)."))
        if name and no_email and no_phone:
            key = "email" if table.has("email") else "name"
            problems.append(_problem(table, n, key, WARNING, "no-contact-info",
                                     f"{name} has neither a phone number nor an email. Add one so you can reach "
                                     "out."))
        # (Without a Referred By, _check_referral looks only at a Source: it finds something only when the
        # Source is Referral, which is asked once for each text of the column.)
        if values.get("referred_by") is not None:
            problems += _check_referral(table, row, names, row_name_key, referrer_keys)
        elif has_referred_by and (source := values.get("source")) is not None:
            says_referral = referral_sources.get(source) if source.__class__ is str else None
            if says_referral is None:
                says_referral = fold(source) == "referral"
                if source.__class__ is str:
                    referral_sources[source] = says_referral
            if says_referral:
                problems += _check_referral(table, row, names, row_name_key, referrer_keys)
        recommended = values.get("recommended")
        if recommended is not None and (recommended.strip() if recommended.__class__ is str
                                        else not is_blank(recommended)):
            problems += _check_recommended(table, row, region)

        # The same person twice: by email, by phone (errors), by name (a warning: two
        # people can share a name). The keys are the row's, in People's order.
        hit = file_new(row_keys, row)
        if hit is not None:
            (key, _), first = hit
            problems.append(_problem(table, n, key, _DUPLICATE_SEVERITY[key], "duplicate-person",
                                     f"{name or 'this person'} is already in row {first.number} (same "
                                     f"{table.shape.column(key).header.lower()}). Merge the two rows into one."))
    return problems


def _bad_choice(table: Table, row: Row, key: str) -> Problem:
    import difflib

    value = row.values.get(key)
    column = table.shape.column(key)
    close = difflib.get_close_matches(str(value).strip().casefold(), [c.casefold() for c in column.choices], n=1,
                                      cutoff=0.5)
    hint = ""
    if close:
        hint = f' Did you mean "{next(c for c in column.choices if c.casefold() == close[0])}"?'
    listed = ", ".join(column.choices)
    code = f"bad-{key}"
    return _problem(table, row.number, key, ERROR, code,
                    f'"{value}" is not a {column.header}.{hint} Use one of: {listed}.')


def _check_referral(table: Table, row: Row, names: set[str], row_name_key: str, known: dict[str, str]
                    ) -> list[Problem]:
    """Referred By names a contact of the sheet, not the row itself; ``known``: texts' name keys worked out."""
    n = row.number
    referrer = row.text("referred_by")
    if referrer:
        key = known.get(row.values.get("referred_by"))
        if key is None:
            key = name_key(referrer)  # (name_key of the cell's text is the cell's)
        if key and key == row_name_key:
            return [_problem(table, n, "referred_by", ERROR, "self-referral",
                             f"{referrer} cannot refer themselves. Name the contact who recommended them.")]
        if key not in names:
            return [_problem(table, n, "referred_by", ERROR, "unknown-referrer",
                             f'"{referrer}" is not a Name in this sheet. Add them as a contact, or correct the '
                             "spelling to match their row.")]
    elif table.has("referred_by") and schema.normalize_header(row.values.get("source")) == "referral":
        return [_problem(table, n, "referred_by", WARNING, "referral-without-referrer",
                         "Source is Referral but Referred By is blank. Name the contact who recommended them, so "
                         "the outreach can mention it.")]
    return []


def _check_recommended(table: Table, row: Row, region: str) -> list[Problem]:
    problems = []
    for person in parse_recommended(row.values.get("recommended"), region):
        if not looks_like_a_name(person.name):
            problems.append(_problem(table, row.number, "recommended", WARNING, "unclear-recommended",
                                     f'"{person.name}" does not look like a name alone (from "{person.text}"). Write '
                                     "each person as Name <email>, phone, Title at Organization, so that chart sync "
                                     "adds them under their name."))
        if person.email:
            try:
                check_email(person.email)
            except ValueError as exc:
                problems.append(_problem(table, row.number, "recommended", WARNING, "bad-recommended",
                                         f"{person.name}: {exc}. Correct it, or chart sync adds them without it."))
    return problems


# --------------------------------------------------------------------------- Profile


def _check_profile(chart: Chart) -> list[Problem]:
    profile = chart.profile
    if profile.sheet is None:
        return [Problem(WARNING, "no-profile", "Profile", "", None, "",
                        "there is no Profile sheet, so drafts cannot say who you are. Add one (chart init "
                        "NEW.xlsx shows its Field/Value rows).")]
    problems = []

    def problem(spec, severity, code, message):
        cell = profile.cells.get(spec.key, "")
        row = int("".join(ch for ch in cell if ch.isdigit())) if cell else None
        problems.append(Problem(severity, code, profile.sheet, cell, row, spec.label, message))

    for spec in schema.PROFILE_FIELDS:
        value = profile.values.get(spec.key)
        if is_blank(value):
            if spec.needed_for_scripts:
                where = "its Value cell" if spec.key in profile.cells else f'a "{spec.label}" row'
                problem(spec, WARNING, "profile-missing",
                        f"{spec.label} is blank; drafts need it. Fill in {where}. ({spec.hint})")
            continue
        if spec.kind == "days":
            try:
                # is_integer() is False for inf and NaN ("inf" typed in a cell), which int() would choke on.
                ok = float(value).is_integer() and 0 <= float(value) <= 3650
            except (TypeError, ValueError):
                ok = False
            if not ok:
                problem(spec, ERROR, "bad-profile-value",
                        f'{spec.label} must be a whole number of days (0-3650), not "{value}"; the default '
                        f"{spec.default} is used meanwhile.")
        elif spec.kind == "region":
            # US is known to be one without phonenumbers, imported here, not above, for any other: agenda and
            # report import this module and need no phones, and a US chart's sync none of its tables.
            if str(value).strip().upper() != "US":
                import phonenumbers

                if str(value).strip().upper() not in phonenumbers.SUPPORTED_REGIONS:
                    problem(spec, ERROR, "bad-profile-value",
                            f'"{value}" is not a two-letter country code (US, GB, CA, DE …); US is used meanwhile.')
        elif spec.kind == "email":
            try:
                check_email(value)
            except ValueError as exc:
                problem(spec, ERROR, "bad-profile-value", f"{exc}. Correct your address.")
        elif spec.kind == "phone":
            try:
                check_phone(value, profile.region)
            except ValueError as exc:
                problem(spec, WARNING, "bad-profile-value", f"{exc}. Correct your number.")
        elif spec.kind == "mail_server":
            from .errors import MailError
            from .mailbox import parse_server

            try:
                parse_server(str(value), spec.label)  # the form only: nothing is looked up or connected
            except MailError as exc:
                problem(spec, ERROR, "bad-profile-value", exc.message)
    return problems
