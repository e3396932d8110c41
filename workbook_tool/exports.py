"""Reading a contacts export: the people of a LinkedIn, Google or Outlook CSV, a vCard file or any table.

Owns the records of what is read (``Person``, ``ContactsFile``), telling a file's
format from its content (not its name), its decoding, the columns each export
names, and the cleaning that makes every value text a workbook can hold.
LinkedIn's Connections.csv, Google Contacts and Outlook CSV exports, vCard files
(3.0 and 4.0, and the 2.1 that old phones write) and any CSV or .xlsx with a
header row are read. What the chart does with the people is ``importer``'s.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import UnreadableWorkbook
from .fields import phone_text
from .filecheck import OLE_MAGIC, ZIP_MAGIC
from .plan import xml_text

# What an import brings in for a person; dates, stages and referrals are the chart's own business.
IMPORTED_KEYS = ("name", "organization", "title", "phone", "email", "notes")
# The cells of a person already in the chart that an import may fill when they are blank.
# Exports put a few lines above their header (LinkedIn's "Notes:" paragraph).
HEADER_SEARCH_ROWS = schema.HEADER_SEARCH_ROWS
# Google Contacts writes several values in one cell: "a@x.com ::: b@y.com".
MULTI_VALUE = re.compile(r"\s*:::\s*")
EXPORT_HINT = "Export your contacts again as CSV or vCard (.vcf)."

FORMAT_LABELS = {
    "linkedin": "LinkedIn connections",
    "google": "Google Contacts CSV",
    "outlook": "Outlook CSV",
    "csv": "CSV",
    "xlsx": "Excel workbook",
    "vcard": "vCard",
}

# Headers of the common exports that the chart's own aliases (schema.CONTACTS) do not
# cover, folded by schema.normalize_header: the key each fills, and a rank — when a
# person has several phones or addresses, the lowest rank wins.
EXPORT_HEADERS: dict[str, tuple[str, int]] = {
    "firstname": ("first", 0), "givenname": ("first", 0), "first": ("first", 0), "forename": ("first", 0),
    "middlename": ("middle", 0), "additionalname": ("middle", 0), "middle": ("middle", 0),
    "lastname": ("last", 0), "familyname": ("last", 0), "surname": ("last", 0), "last": ("last", 0),
    "email1value": ("email", 0), "email2value": ("email", 1), "email3value": ("email", 2),
    "email2address": ("email", 1), "email3address": ("email", 2), "email2": ("email", 1),
    "workemail": ("email", 1), "homeemail": ("email", 2), "personalemail": ("email", 2),
    "mobilephone": ("phone", 0), "phone1value": ("phone", 0), "phone2value": ("phone", 1),
    "phone3value": ("phone", 2), "businessphone": ("phone", 1), "workphone": ("phone", 1),
    "primaryphone": ("phone", 2), "companymainphone": ("phone", 3), "homephone": ("phone", 4),
    "businessphone2": ("phone", 5), "homephone2": ("phone", 6), "otherphone": ("phone", 7),
    "organization1name": ("organization", 0), "organizationname": ("organization", 0),
    "organization1title": ("title", 0), "organizationtitle": ("title", 0), "jobtitle": ("title", 0),
    "url": ("url", 0), "profileurl": ("url", 0), "linkedin": ("url", 0), "linkedinurl": ("url", 0),
    "linkedinprofile": ("url", 0), "connectedon": ("connected_on", 0),
}
# Headers one export means differently: Outlook's "Title" is the honorific (Mr., Dr.);
# its role is "Job Title".
FORMAT_HEADERS: dict[str, dict[str, tuple[str, int] | None]] = {
    "outlook": {"title": None, "suffix": None},
}
NAME_PART_KEYS = ("name", "first", "last")
# Every key a table's columns fill (EXPORT_HEADERS' and IMPORTED_KEYS'), as _read_table reads them.
TABLE_KEYS = ("name", "first", "middle", "last", "email", "phone", "organization", "title", "notes", "url", "connected_on")


# --------------------------------------------------------------------------- what is read


@dataclass
class Person:
    """One person read from the file, with where they were in it (``row 7``, ``card 3``)."""

    where: str
    name: str = ""
    values: dict[str, str] = field(default_factory=dict)  # imported keys → text
    emails: list[str] = field(default_factory=list)  # every address, for finding duplicates
    phones: list[str] = field(default_factory=list)
    problem: str = ""  # why the record could not be read at all


@dataclass
class ContactsFile:
    """A contacts export, read: its format and its people in file order."""

    path: Path
    format: str  # a key of FORMAT_LABELS
    people: list[Person]
    version: str = ""  # the vCard version(s)
    notes: list[str] = field(default_factory=list)  # things a person should know about the reading

    @property
    def label(self) -> str:
        label = FORMAT_LABELS[self.format]
        return f"{label} {self.version}" if self.version else label


# --------------------------------------------------------------------------- reading the file


def read_contacts_file(path) -> ContactsFile:
    """Read a contacts export, telling its format from its content.

    Raises ``UnreadableWorkbook`` (naming the file) when it is missing, empty,
    binary, a CSV without a Name or First Name column, or a vCard file without cards.
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableWorkbook("no such file. Check the path of the contacts export.", path=path)
    if path.is_dir():
        raise UnreadableWorkbook("is a folder, not a contacts file. Give the path of a .csv, .vcf or .xlsx file.",
                                 path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableWorkbook(f"cannot be opened ({exc.strerror}). Check its permissions.", path=path) from None
    if not data:
        raise UnreadableWorkbook(f"the file is empty (0 bytes). {EXPORT_HINT}", path=path)
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return _read_xlsx(path)
    text = _decode(data, path)
    if not text.strip():
        raise UnreadableWorkbook(f"has only blank lines, no contacts. {EXPORT_HINT}", path=path)
    if re.search(r"^\s*BEGIN\s*:\s*VCARD\s*$", text, re.IGNORECASE | re.MULTILINE):
        return _read_vcards(path, text)
    if path.suffix.lower() in (".vcf", ".vcard"):
        raise UnreadableWorkbook("has no contact cards in it (no BEGIN:VCARD line). Export your contacts as vCard "
                                 "again, or give a CSV file.", path=path)
    return _read_csv(path, text)


def _decode(data: bytes, path: Path) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows' cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Outlook's and Excel's "Unicode" exports are UTF-16.
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise _binary(path)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel and Outlook on Windows save CSV in the ANSI code page; latin-1 takes
            # the five bytes cp1252 leaves undefined, so any byte decodes.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    # Binary junk decodes as latin-1 too, but is full of control characters text never has.
    controls = len(_CONTROLS.findall(text, 0, 65536))
    if controls > max(2, len(text[:65536]) // 200):
        raise _binary(path)
    return text


# Unicode's control characters (category Cc: C0, DEL and C1) but tab, LF, CR and FF; a test holds it
# equal to unicodedata.category, which, asked of each of the first 64 Ki characters, cost 10 ms an export.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _binary(path: Path) -> UnreadableWorkbook:
    return UnreadableWorkbook("is not a contacts export chart can read (it is binary, not text). Export your "
                              "contacts as CSV or vCard (.vcf), or give an .xlsx workbook.", path=path)


def _clean(value) -> str:
    """A cell value or field as plain text for the chart: trimmed, XML-safe (cut to Excel's limit when written:
    ``plan.CellWrite``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value).upper()
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, (int, float)):
        text = phone_text(value)  # a number typed into a cell loses its ".0"
    else:
        text = str(value)
    return xml_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _clean_text(text: str) -> str:
    """``_clean`` of a text that holds no character a workbook cannot hold (a CSV field of a file without one)."""
    return text.strip() if "\r" not in text else _clean(text)


# ---- tables: CSV and XLSX


def _column_key(header: str, fmt: str) -> tuple[str, int] | None:
    """The key and rank a header fills in a format, or None for a column the import does not use."""
    folded = schema.normalize_header(header)
    if not folded:
        return None
    overrides = FORMAT_HEADERS.get(fmt, {})
    if folded in overrides:
        return overrides[folded]
    if folded in EXPORT_HEADERS:
        return EXPORT_HEADERS[folded]
    col = schema.CONTACTS.match_header(header)
    if col is not None and col.key in IMPORTED_KEYS:
        return col.key, 0
    return None


def _table_format(headers: list[str]) -> str:
    """Which export a header row comes from."""
    folded = {schema.normalize_header(h) for h in headers}
    if {"firstname", "lastname", "connectedon"} <= folded:
        return "linkedin"
    if "givenname" in folded or "email1value" in folded or "phone1value" in folded or "organization1name" in folded:
        return "google"
    if "emailaddress" in folded and "firstname" in folded and (
            {"businessphone", "mobilephone", "emaildisplayname", "jobtitle"} & folded):
        return "outlook"
    return "csv"


def _find_table_header(rows: list[list[str]]) -> tuple[int, str] | None:
    """The header row's index among the first rows and its format: the row naming the most columns."""
    best = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [h for h in row if isinstance(h, str)]
        fmt = _table_format(headers)
        keys = {k[0] for h in headers if (k := _column_key(h, fmt)) is not None}
        if keys & set(NAME_PART_KEYS) and (best is None or len(keys) > best[0]):
            best = (len(keys), index, fmt)
    return None if best is None else (best[1], best[2])


def _no_name_column(path: Path, what: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"has no Name or First Name column in the first {HEADER_SEARCH_ROWS} rows of {what}. "
                              "Give a file whose header row names Name (or First Name and Last Name).", path=path)


def _read_csv(path: Path, text: str) -> ContactsFile:
    # Excel in much of Europe separates with ";"; try the sniffed separator first, then
    # the usual ones, and keep the first that gives a header row with a name column.
    candidates = [",", ";", "\t", "|"]
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        candidates.remove(sniffed)
        candidates.insert(0, sniffed)
    except (csv.Error, ValueError):
        pass
    # A field holds only characters of the file: without one a workbook cannot hold, no field has one.
    clean = _clean_text if xml_text(text) == text else _clean
    for delimiter in candidates:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise UnreadableWorkbook(f"is not a CSV file chart can read ({exc}). {EXPORT_HINT}", path=path) from None
        found = _find_table_header(rows)
        if found is not None:
            header_index, fmt = found
            return _read_table(path, rows, header_index, fmt, clean)
    raise _no_name_column(path, "the file")


def _read_xlsx(path: Path) -> ContactsFile:
    from .grids import read_grids

    grids = read_grids(path, hint=EXPORT_HINT)  # an export has no backups: export it again
    # The sheet named like Contacts first, then the others in order.
    names = sorted(grids, key=lambda n: not schema.CONTACTS.matches_name(n))
    for name in names:
        rows = [[_clean(v) for v in row] for row in grids[name]]
        found = _find_table_header(rows)
        if found is not None:
            header_index, fmt = found
            return _read_table(path, rows, header_index, "xlsx" if fmt == "csv" else fmt, None)
    raise _no_name_column(path, "any sheet")


def _read_table(path: Path, rows: list[list], header_index: int, fmt: str, clean=_clean) -> ContactsFile:
    """The people of a table's rows below its header; ``clean`` makes a row's values text (None: they are)."""
    header = rows[header_index]
    columns: dict[str, list[tuple[int, int]]] = {}  # key → [(rank, column index)]
    ignored = []
    for c, text in enumerate(header):
        key = _column_key(text, fmt)
        if key is None:
            if text.strip():
                ignored.append(text.strip())
            continue
        columns.setdefault(key[0], []).append((key[1], c))
    # Each key's columns, the lowest rank first; a key no column fills has none.
    name, first, middle, last, email, phone, organization, title, notes, url, connected_on = (
        [c for _, c in sorted(columns.get(key, []))] for key in TABLE_KEYS)

    # Every export's usual table has one column for each key it fills, and a cell of several values (":::")
    # is rare: a row as long as the columns read, without one, has each key's value in its one cell, what
    # _first_in and _values_in find there (a test compares the two ways), read without a call each.
    keyed = (name, first, middle, last, email, phone, organization, title, notes, url, connected_on)
    one_each = all(len(c) <= 1 for c in keyed)
    places = [c[0] if c else -1 for c in keyed]
    top = max(places)
    people = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if clean is None:
            cells = row
        elif clean is _clean_text:  # (its body, without a call a cell)
            cells = [v.strip() if "\r" not in v else _clean(v) for v in row]
        else:
            cells = [clean(v) for v in row]
        if not any(cells):
            continue
        if one_each and len(cells) > top and ":::" not in "\n".join(cells):
            the_name, the_first, the_middle, the_last, the_email, the_phone, the_organization, the_title, \
                the_notes, the_url, the_connected_on = [cells[c] if c >= 0 else "" for c in places]
            emails, phones = [the_email] if the_email else [], [the_phone] if the_phone else []
        else:
            the_name, the_first, the_middle, the_last, the_organization, the_title, the_notes, the_url, \
                the_connected_on = (_first_in(cells, c) for c in (name, first, middle, last, organization, title,
                                                                  notes, url, connected_on))
            emails, phones = _values_in(cells, email), _values_in(cells, phone)
        person = Person(f"row {index + 1}", the_name or " ".join(
            p for p in (the_first, the_middle, the_last) if p), emails=emails, phones=phones)
        values = person.values
        if the_organization:
            values["organization"] = the_organization
        if the_title:
            values["title"] = the_title
        if phones:
            values["phone"] = phones[0]
        if emails:
            values["email"] = emails[0]
        if the_notes or the_url or the_connected_on:  # (_notes of three blanks is "")
            values["notes"] = _notes(the_notes, the_url, the_connected_on, fmt)
        people.append(person)

    result = ContactsFile(path, fmt, people)
    if ignored and fmt in ("csv", "xlsx"):
        result.notes.append(f"Columns not imported: {', '.join(ignored)}.")
    return result


def _values_in(cells: list[str], columns: list[int]) -> list[str]:
    """The values in a row's ``columns``, in order; a cell may hold several (Google's "a ::: b")."""
    found = []
    for c in columns:
        if c < len(cells) and cells[c]:
            found += [v for v in MULTI_VALUE.split(cells[c]) if v] if ":::" in cells[c] else [cells[c]]
    return found


def _first_in(cells: list[str], columns: list[int]) -> str:
    """The first of ``_values_in``, or ""."""
    for c in columns:
        if c < len(cells) and cells[c]:
            if ":::" not in cells[c]:
                return cells[c]
            for value in MULTI_VALUE.split(cells[c]):
                if value:
                    return value
    return ""


def _notes(notes: str, url: str, connected_on: str, fmt: str) -> str:
    """The Notes text: the file's notes, then a LinkedIn (or web) address and when you connected."""
    lines = [notes] if notes else []
    if url:
        label = "LinkedIn" if fmt == "linkedin" or "linkedin." in url.lower() else "Web"
        lines.append(f"{label}: {url}" + (f" (connected {connected_on})" if connected_on else ""))
    elif connected_on:
        lines.append(f"Connected on LinkedIn {connected_on}")
    return "\n".join(lines)


# ---- vCards


class _LogCollector(logging.Handler):
    """Keeps vobject's complaints (it logs skipped lines) instead of letting them reach stderr."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _card_blocks(text: str) -> list[str]:
    """The text of each top-level card, so that one broken card does not lose the rest.

    vobject reads a file as one stream and stops at the first card it cannot parse;
    cutting at BEGIN/END lines first (nested cards, as 2.1's AGENT, stay inside
    theirs) lets it read every card on its own.
    """
    blocks, current, depth = [], [], 0
    for line in text.splitlines():
        folded = re.sub(r"\s", "", line).upper()
        if folded == "BEGIN:VCARD":
            depth += 1
        if depth:
            current.append(line)
        if folded == "END:VCARD" and depth:
            depth -= 1
            if depth == 0:
                blocks.append("\r\n".join(current) + "\r\n")
                current = []
    if current:  # a file cut short: read what the last card has
        blocks.append("\r\n".join(current + ["END:VCARD"] * depth) + "\r\n")
    return blocks


def _read_vcards(path: Path, text: str) -> ContactsFile:
    import vobject

    blocks = _card_blocks(text)
    if not blocks:
        raise UnreadableWorkbook("has no contact cards in it (no BEGIN:VCARD ... END:VCARD). Export your contacts "
                                 "as vCard again, or give a CSV file.", path=path)
    collector = _LogCollector()
    logger = logging.getLogger("vobject")
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    people, versions, unreadable_lines = [], [], 0
    try:
        for number, block in enumerate(blocks, start=1):
            where = f"card {number}"
            before = len(collector.messages)
            try:
                card = vobject.readOne(block, ignoreUnreadable=True, allowQP=True)
                person = _card_person(card, where)
            except Exception as exc:  # vobject raises ParseError, and plain errors for odd nesting
                message = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
                people.append(Person(where, problem=f"unreadable vCard ({message})"))
                continue
            unreadable_lines += len(collector.messages) - before
            version = _first_value(card, "version")
            if version and version not in versions:
                versions.append(version)
            people.append(person)
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate
    result = ContactsFile(path, "vcard", people, version="/".join(versions))
    if unreadable_lines:
        result.notes.append(f"Skipped {unreadable_lines} unreadable line{'s' * (unreadable_lines != 1)} in the "
                            "vCards.")
    return result


def _first_value(card, key: str) -> str:
    for item in card.contents.get(key, []):
        value = item.value
        if isinstance(value, (list, tuple)):  # ORG is a list: the organization, then its units
            value = value[0] if value else ""
        text = _clean(value)
        if text:
            return text
    return ""


def _ordered(card, key: str, preferred: tuple[str, ...]) -> list[str]:
    """Every value of a property, the preferred ones first (PREF=1 in 4.0, TYPE=pref in 3.0, then ``preferred`` types)."""
    ranked = []
    for index, item in enumerate(card.contents.get(key, [])):
        types = {t.strip().lower() for v in item.params.get("TYPE", []) for t in str(v).split(",")}
        pref = "pref" in types or any(str(p).strip() == "1" for p in item.params.get("PREF", []))
        rank = 0 if pref else (1 if types & set(preferred) else 2)
        text = _clean(item.value)
        if text.lower().startswith(("tel:", "mailto:")):  # vCard 4.0 writes TEL as a tel: URI
            text = text.split(":", 1)[1].strip()
        if text:
            ranked.append((rank, index, text))
    return [text for _, _, text in sorted(ranked)]


def _card_person(card, where: str) -> Person:
    name = _first_value(card, "fn")
    if not name:
        for item in card.contents.get("n", []):
            n = item.value
            parts = [getattr(n, attr, "") for attr in ("given", "additional", "family")]
            parts = [" ".join(p) if isinstance(p, (list, tuple)) else str(p or "") for p in parts]
            name = _clean(" ".join(p.strip() for p in parts if p and p.strip()))
            if name:
                break
    emails = _ordered(card, "email", ("internet", "work"))
    phones = _ordered(card, "tel", ("cell", "mobile", "work"))
    person = Person(where, name, emails=emails, phones=phones)
    urls = [u for u in _ordered(card, "url", ()) if "linkedin." in u.lower()]
    for key, value in (("organization", _first_value(card, "org")), ("title", _first_value(card, "title")),
                       ("phone", phones[0] if phones else ""), ("email", emails[0] if emails else ""),
                       ("notes", _notes(_first_value(card, "note"), urls[0] if urls else "", "", "vcard"))):
        if value:
            person.values[key] = value
    return person
