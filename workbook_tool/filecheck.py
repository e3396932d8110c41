"""Checking that a file is a safe, readable workbook before any parser sees it.

Owns ``check_workbook_file`` and what it looks at: the file's kind (an .xls, an .ods, a CSV,
an encrypted package), the zip's sizes and ratios (zip and XML bombs), DTDs and entities,
and the parts chart reads or sync edits (content types, relationships, sheets, notes,
tables) being whole and well-formed; also the hints that end a damaged file's message.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from . import schema
from .errors import UnreadableWorkbook
from .objects import ATTRIBUTE, local_name
from .schema import find_sheet

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
# An XML bomb can hide in a small zip: 211 KB that unpack to 85 MB cost openpyxl 44 s
# and 500 MB. Real charts compress their XML about 5-20 times.
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_PART_BYTES_AT_HIGH_RATIO = 20 * 1024**2
MAX_RATIO = 100
_BACKUPS = "chart sync keeps the last 10 in chart-backups/ beside the workbook"
BACKUP_HINT = f"Restore it from a backup ({_BACKUPS})."
REPAIR_HINT = ("Open it in Excel or LibreOffice and save it again to repair it, or restore it from a backup "
               f"({_BACKUPS}).")


# --------------------------------------------------------------------------- checks


def check_workbook_file(path: Path, *, whole_parts: bool = False, hint: str = BACKUP_HINT) -> None:
    """Raise ``UnreadableWorkbook`` unless ``path`` looks like a safe .xlsx workbook.

    Runs before any parser sees the file, so that every bad file — missing, a
    folder, empty, .xls, .ods, CSV, damaged, encrypted, a zip or XML bomb — gets
    one clear sentence instead of a library's traceback. ``whole_parts``: parse
    every part sync edits whole, however big (before a write; see ``_check_parts``).
    ``hint`` ends the message of an empty or damaged file: how to get it back (for a
    chart, its backup).
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableWorkbook(f"no such file. Check the path, or make a new chart with: chart init {path}",
                                 path=path)
    if path.is_dir():
        raise UnreadableWorkbook("is a folder, not a workbook. Give the path of an .xlsx file.", path=path)
    if not path.is_file():
        # A FIFO or a device at the chart's name would block the first read, or never end.
        raise UnreadableWorkbook("is not a regular file (a pipe or a device), not a workbook. Give the path of an "
                                 ".xlsx file.", path=path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnreadableWorkbook(f"cannot be opened ({exc.strerror}). Check its permissions.", path=path) from None
    if not head:
        raise UnreadableWorkbook(f"the file is empty (0 bytes). {hint}", path=path)
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise UnreadableWorkbook("is password-protected. Open it in Excel or LibreOffice, remove the password "
                                     "(save it without one), and try again.", path=path)
        raise UnreadableWorkbook("is an old Excel 97-2003 (.xls) workbook, which chart cannot read. Open it in Excel "
                                 "or LibreOffice and save it as .xlsx.", path=path)
    if not head.startswith(ZIP_MAGIC):
        if _looks_like_text(path):
            kind = "a CSV file" if suffix in (".csv", ".tsv") or _looks_like_csv(path) else "a text file"
            raise UnreadableWorkbook(f"is {kind}, not an Excel workbook. Open it in Excel or LibreOffice and save it "
                                     "as .xlsx (Excel Workbook).", path=path)
        raise UnreadableWorkbook(f"is not an Excel workbook (it is not an .xlsx zip archive). {hint}",
                                 path=path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise UnreadableWorkbook("is an OpenDocument (.ods) spreadsheet. Open it in LibreOffice and save it "
                                         "as .xlsx (File > Save As > Excel 2007-365).", path=path)
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise UnreadableWorkbook("is a zip archive but not an Excel workbook (it has no xl/workbook.xml). "
                                         "Give the path of an .xlsx file.", path=path)
            if len(names) != len(zf.namelist()):
                # Readers disagree on which of two same-named parts they read: one may
                # check a harmless copy while another parses the other.
                raise UnreadableWorkbook(f"is damaged: it holds two parts by the same name. {REPAIR_HINT}",
                                         path=path)
            _check_sizes(zf, path)
            _check_no_entities(zf, path)
            _check_parts(zf, names, path, whole=whole_parts)
    except zipfile.BadZipFile:
        raise UnreadableWorkbook(f"is damaged: the .xlsx archive is incomplete or corrupt. {hint}",
                                 path=path) from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise UnreadableWorkbook(f"is damaged ({exc}). {hint}", path=path) from None


def _is_encrypted_ooxml(path: Path) -> bool:
    # Excel stores a password-protected .xlsx inside an OLE file whose directory has
    # an "EncryptionInfo" stream; directory names are UTF-16LE.
    marker = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as fh:
        return marker in fh.read(4 * 1024 * 1024)


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text with its byte-order mark: Excel's "Unicode Text" and some CSV exports
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a multibyte character cut by the sample's end is fine
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _looks_like_csv(path: Path) -> bool:
    with path.open("rb") as fh:
        first = fh.readline(4096)
    return any(sep in first for sep in (b",", b";", b"\t"))


def _check_sizes(zf: zipfile.ZipFile, path: Path) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES_AT_HIGH_RATIO and ratio > MAX_RATIO:
            raise UnreadableWorkbook(
                f"part {info.filename} unpacks {int(ratio)} times its size ({info.file_size // 1024**2} MB), "
                "as zip bombs do; refused to protect your computer. Re-save the workbook in Excel or LibreOffice.",
                path=path)
    if total > MAX_UNPACKED_BYTES:
        raise UnreadableWorkbook(f"unpacks to {total // 1024**2} MB, far more than a contact chart holds; refused "
                                 "to protect your computer.", path=path)


def _check_no_entities(zf: zipfile.ZipFile, path: Path) -> None:
    # Excel and LibreOffice never write a DTD. One in any XML part is an entity-expansion
    # ("billion laughs") or external-entity attack, so refuse before any parser runs.
    for info in zf.infolist():
        # Part names are case-insensitive in a package: "sheet1.XML" is parsed all the same.
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as part:
            found = _prolog_declares_dtd(part)
        if found:
            raise UnreadableWorkbook(f"part {info.filename} declares XML entities, which real workbooks never do "
                                     "(an XML bomb or external-entity attack); refused to protect your computer.",
                                     path=path)


def _prolog_declares_dtd(part) -> bool:
    """Whether an XML part has a DTD, reading only its prolog.

    A DTD may only stand before the root element, after the XML declaration,
    comments, processing instructions and whitespace, however long those are; so
    the prolog is read to the root element's "<" and no further (reading whole
    parts would cost a large chart a pass over every sheet on every command).
    """
    data = b""
    while True:
        chunk = part.read(64 * 1024)
        data += chunk
        verdict = _prolog_verdict(_prolog_text(data), complete=not chunk)
        if verdict is not None:
            return verdict


def _prolog_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "ignore")  # a BOM-marked UTF-16 part: parsers honour it, so must we
    return data.decode("latin-1").removeprefix("\xef\xbb\xbf")


def _prolog_verdict(text: str, complete: bool) -> bool | None:
    """True: a DTD; False: the root element (or not XML) comes first; None: read more."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return False if complete else None
        rest = text[i:i + 9]
        if len(rest) < 9 and not complete and ("<!DOCTYPE".startswith(rest) or "<!ENTITY".startswith(rest)):
            return None
        if rest.startswith(("<!DOCTYPE", "<!ENTITY")):
            return True
        for opening, closing in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(opening, i):
                end = text.find(closing, i + len(opening))
                if end < 0:
                    return False if complete else None
                i = end + len(closing)
                break
        else:
            return False  # the root element, or text no XML parser accepts


# --------------------------------------------------------------------------- the package's parts


def _damaged_part(part: str, path: Path, what: str = "is cut short or is not valid XML") -> UnreadableWorkbook:
    return UnreadableWorkbook(f"is damaged: its part {part} {what}. {REPAIR_HINT}", path=path)


def _parse_part(zf: zipfile.ZipFile, part: str, path: Path):
    """The parsed XML of ``part`` (a small one); ``UnreadableWorkbook`` naming it when it does not parse."""
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(zf.read(part))
    except Exception:  # expat's ParseError, an unknown encoding, defusedxml's refusals
        raise _damaged_part(part, path) from None


def _relationships(zf: zipfile.ZipFile, names: set[str], owner: str, path: Path) -> list[tuple[str, str]]:
    """(type, target part) of each internal relationship of ``owner`` ("" for the package).

    The type is the last word of its URI, which transitional and Strict Open XML
    spell alike ("worksheet", "comments").
    """
    folder, name = posixpath.split(owner)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in names:
        return []
    out = []
    for rel in _parse_part(zf, rels, path):
        if local_name(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        out.append((rel.get("Type", "").rsplit("/", 1)[-1],
                    target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))))
    return out


def sheet_parts(zf: zipfile.ZipFile, names: set[str], path: Path) -> dict[str, set[str]]:
    """Sheet name → the part(s) of the zip a reader may take for it.

    python-calamine reads xl/workbook.xml and puts "xl/" before each sheet's target
    instead of resolving it as a path, as openpyxl does; where the two spellings
    name different parts, both are given, so that a check covers what either reads.
    """
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        targets = {rel.get("Id"): rel.get("Target", "") for rel in _parse_part(zf, "xl/_rels/workbook.xml.rels", path)}
    out: dict[str, set[str]] = {}
    for sheet in _parse_part(zf, "xl/workbook.xml", path).iter():
        if local_name(sheet.tag) != "sheet":
            continue
        # r:id, in the relationships namespace of transitional or Strict Open XML.
        target = targets.get(next((v for k, v in sheet.attrib.items() if k.endswith("/relationships}id")), None))
        if target is None:
            continue
        as_calamine = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") \
            else "xl/" + target
        as_path = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
        out[sheet.get("name", "")] = {p for p in (as_calamine, as_path) if p in names}
    return out


# A part bigger than this is parsed whole only before a write (sync, import): a synced
# Contacts sheet's relationships hold a link per row (6.7 MB at 10,000 rows, 40 ms to
# parse), and every command checks them. Otherwise such a part must end as it begins
# (not cut short); the zip's checksum, verified as it is read, covers the bytes between.
# A tunable: the tests set it to 0 to check small parts the way big ones are.
PARSE_WHOLE_BYTES = 1024 * 1024
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# The relationships sync follows from a sheet (its notes, their drawing, its tables),
# found by their type without parsing the thousands of links beside them.
_FOLLOWED = re.compile(rb'/(comments|vmlDrawing|table)["\']')


def _check_parts(zf: zipfile.ZipFile, names: set[str], path: Path, *, whole: bool) -> None:
    """Refuse a workbook whose parts that chart reads or sync edits do not parse.

    Reading cell values needs few of them, so a damaged relationship or notes part
    used to pass ``validate`` and then stop ``sync`` half-way with a parser's error.
    Checked here: the content types, the package's and the workbook's relationships,
    every sheet's relationships, and the notes, their drawings and the tables of
    the sheets sync writes into (Contacts and Want to Meet). ``whole``: parse even
    the big ones whole (see ``PARSE_WHOLE_BYTES``).
    """
    _well_formed(zf, "[Content_Types].xml", path, whole=whole)
    for _, target in _relationships(zf, names, "", path):
        if target in names and target.endswith(".xml"):
            _relationships(zf, names, target, path)
    sheets = sheet_parts(zf, names, path)
    written = {find_sheet(list(sheets), shape) for shape in (schema.CONTACTS, schema.WANT_TO_MEET)}
    for name, parts in sheets.items():
        for part in parts:
            folder, base = posixpath.split(part)
            rels = posixpath.join(folder, "_rels", base + ".rels")
            if rels not in names:
                continue
            data = _well_formed(zf, rels, path, whole=whole)
            if name not in written:
                continue
            for kind, target in _followed(data, folder):
                if target not in names:
                    raise _damaged_part(target, path, f"is missing (sheet {name!r} refers to it)")
                _well_formed(zf, target, path, whole=whole, vml=kind == "vmlDrawing")


def _well_formed(zf: zipfile.ZipFile, part: str, path: Path, *, whole: bool, vml: bool = False) -> bytes:
    """The bytes of ``part``, once they parse (see ``PARSE_WHOLE_BYTES``); else ``UnreadableWorkbook`` naming it."""
    import xml.parsers.expat

    data = zf.read(part)
    if vml:
        # Excel writes VML as HTML-flavoured XML: a bare <br> in a note's text box is
        # normal there, and every VML reader allows it.
        data = re.sub(rb"<br\s*>", b"<br/>", data, flags=re.I)
    if whole or len(data) <= PARSE_WHOLE_BYTES:
        try:
            # expat checks without building a tree; no DTD is left to expand (see _check_no_entities).
            xml.parsers.expat.ParserCreate().Parse(data, True)
        except (xml.parsers.expat.ExpatError, ValueError, LookupError):  # LookupError: an unknown encoding
            raise _damaged_part(part, path) from None
        return data
    root = _ROOT_TAG.search(data, data.find(b"<", data.rfind(b"?>", 0, 4096) + 1))
    if root is None or not re.search(rb"</" + re.escape(root.group(1)) + rb"\s*>\s*\Z", data[-4096:]):
        raise _damaged_part(part, path)
    return data


def _unescaped(text: str) -> str:
    """html.unescape(text), importing html (its table of 2,000 entities) only for text with an "&" in it,
    the only text unescape changes: a chart's relationships rarely hold one, and every command reads them."""
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


def _followed(data: bytes, folder: str) -> list[tuple[str, str]]:
    """(type, target part) of each notes, note drawing and table relationship in a .rels part's bytes."""
    out = []
    for m in _FOLLOWED.finditer(data):
        start, end = data.rfind(b"<", 0, m.start()), data.find(b">", m.end())
        attributes = {k.decode(): _unescaped(v.decode("utf-8", "replace"))
                      for k, _, v in ATTRIBUTE.findall(data, start, end)}
        kind = m.group(1).decode()
        target = attributes.get("Target", "")
        if not attributes.get("Type", "").endswith("/" + kind) or attributes.get("TargetMode") == "External":
            continue  # the word was in another attribute (a link's address)
        out.append((kind, target[1:] if target.startswith("/") else
                    posixpath.normpath(posixpath.join(folder, target))))
    return out
