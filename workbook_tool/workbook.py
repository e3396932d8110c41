"""Opening a chart: checking the file is a safe, readable workbook and reading its tables.

Reading is done from plain grids of cell values (python-calamine: fast, and exact
once whole floats become ints and "" becomes blank). ``sync`` re-opens the same
file with openpyxl to write, and finds its cells by the row and column numbers
recorded here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import ChartError, NotAChart, UnreadableWorkbook
from .fields import is_blank
from .objects import ATTRIBUTE, column_index, column_letter, excel_tables, holding, local_name

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


def _sheet_parts(zf: zipfile.ZipFile, names: set[str], path: Path) -> dict[str, set[str]]:
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
_PARSE_WHOLE_BYTES = 1024 * 1024
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
    the big ones whole (see ``_PARSE_WHOLE_BYTES``).
    """
    _well_formed(zf, "[Content_Types].xml", path, whole=whole)
    for _, target in _relationships(zf, names, "", path):
        if target in names and target.endswith(".xml"):
            _relationships(zf, names, target, path)
    sheets = _sheet_parts(zf, names, path)
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
    """The bytes of ``part``, once they parse (see ``_PARSE_WHOLE_BYTES``); else ``UnreadableWorkbook`` naming it."""
    import xml.parsers.expat

    data = zf.read(part)
    if vml:
        # Excel writes VML as HTML-flavoured XML: a bare <br> in a note's text box is
        # normal there, and every VML reader allows it.
        data = re.sub(rb"<br\s*>", b"<br/>", data, flags=re.I)
    if whole or len(data) <= _PARSE_WHOLE_BYTES:
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


def _followed(data: bytes, folder: str) -> list[tuple[str, str]]:
    """(type, target part) of each notes, note drawing and table relationship in a .rels part's bytes."""
    import html

    out = []
    for m in _FOLLOWED.finditer(data):
        start, end = data.rfind(b"<", 0, m.start()), data.find(b">", m.end())
        attributes = {k.decode(): html.unescape(v.decode("utf-8", "replace"))
                      for k, _, v in ATTRIBUTE.findall(data, start, end)}
        kind = m.group(1).decode()
        target = attributes.get("Target", "")
        if not attributes.get("Type", "").endswith("/" + kind) or attributes.get("TargetMode") == "External":
            continue  # the word was in another attribute (a link's address)
        out.append((kind, target[1:] if target.startswith("/") else
                    posixpath.normpath(posixpath.join(folder, target))))
    return out


# --------------------------------------------------------------------------- grids


@contextlib.contextmanager
def gc_paused():
    """Python's cycle collector paused for a block, then restored as it was.

    Reading and checking a chart makes a few objects per cell: lists, dicts, rows,
    problems, none of them in reference cycles. The collector still walks every
    one of them each time the heap grows by a quarter, which cost a quarter of
    validate's and agenda's time at 100,000 rows, to find nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_grids(path: Path, sheets=None, *, hint: str = BACKUP_HINT) -> dict[str, list[list]]:
    """Every sheet (or the named ones) as a list of rows of plain values.

    Row ``i`` of a grid is spreadsheet row ``i + 1``; blank cells are None;
    whole-number floats are ints (calamine returns every number as float).
    ``hint`` ends the message of a damaged file (check_workbook_file).
    """
    with Sheets(path, hint=hint) as book:
        names = book.names if sheets is None else [s for s in book.names if s in sheets]
        with gc_paused():
            return {name: book.grid(name) for name in names}


# A grid from A1 to a sheet's last cell costs python-calamine 32 bytes a cell in native
# memory, allocated at once, and Python 8 more: a stray value in XFD1048576 asks for
# 17 billion cells, and the native allocation aborts the process, which no except can
# catch. A sheet is read as a grid up to DENSE_CELLS cells (about 160 MB), or up to
# DENSE_PER_CELL grid cells per cell it holds; beyond that it is streamed, keeping only
# the cells that are there.
DENSE_CELLS = 4_000_000
DENSE_PER_CELL = 4
_SCAN_CHUNK = 4 * 1024 * 1024
# Each chunk of a sheet's XML is searched with the last _SCAN_CONTEXT bytes of the one
# before it in front (room for a look back) and _SCAN_AHEAD bytes of the next one
# behind (room for a look ahead): longer than any cell tag's start with its reference.
_SCAN_CONTEXT = 8
_SCAN_AHEAD = 56
_EMPTY_ROW = ()  # one object for every empty row of a streamed sheet (read-only, like every grid row)
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
# A cell tag that does not start the plain way, <c r="A1"…: no reference, attributes
# in another order, other quotes, spaces around "=", lower-case letters.
_ODD_CELL = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")')
# An attribute r after another one (a second r="…": the XML reader takes the last);
# also some text such as "a r b", which only sends the sheet the slow way.
_LATE_REF = re.compile(rb'r(?<=[^cw][ \t\r\n]r)(?=[ \t\r\n=])')
# A cell tag with a namespace prefix (<x:c …>), which the patterns above do not see.
_PREFIXED_CELL = re.compile(rb':c[\s>/]')


class Sheets:
    """A workbook open for reading its sheets as rows of plain values, sheet by sheet.

    Most sheets are read by python-calamine, which is fast and exact; one whose grid
    would be far larger than the cells in it (see ``DENSE_CELLS``) is streamed with
    openpyxl instead. Which way a sheet goes is decided from the cell references
    in its XML, searched as bytes with a few regular expressions, without parsing.
    """

    def __init__(self, path, *, hint: str = BACKUP_HINT):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.hint = hint  # how to get a damaged file back (check_workbook_file)
        check_workbook_file(self.path, hint=hint)
        self._zip = zipfile.ZipFile(self.path)
        self._stream_book = None
        try:
            self._parts = _sheet_parts(self._zip, set(self._zip.namelist()), self.path)
            self._book = self._calamine(CalamineWorkbook.from_path, str(self.path))
            self.names: list[str] = list(self._book.sheet_names)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Sheets":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the files; reading again after this fails."""
        self._zip.close()
        if self._stream_book is not None:
            self._stream_book.close()

    def grid(self, name: str) -> list[list]:
        """The sheet as ``read_grids`` gives it (a streamed sheet's rows end at their last value)."""
        if not self.fits_a_grid(name):
            return list(self._streamed_rows(name))
        data = self._calamine(self._book.get_sheet_by_name, name)
        return [_clean_row(r) for r in self._calamine(data.to_python, skip_empty_area=False)]

    def rows(self, name: str):
        """The rows of ``grid(name)`` one at a time, never the whole sheet as Python objects at once."""
        if not self.fits_a_grid(name):
            yield from self._streamed_rows(name)
            return
        data = self._calamine(self._book.get_sheet_by_name, name)
        # calamine's iter_rows starts at row 1 but leaves out the empty columns at
        # the left; those are put back. The row count is checked against the extent.
        pad = [None] * (data.start[1] if data.start else 0)
        expected = data.end[0] + 1 if data.end else 0
        rows = self._calamine(data.iter_rows)
        count = 0
        while (row := self._calamine(next, rows, None)) is not None:
            count += 1
            yield pad + _clean_row(row)
        if count != expected:
            raise UnreadableWorkbook(f"sheet {name!r} read back {count} rows instead of {expected}", path=self.path)

    def fits_a_grid(self, name: str) -> bool:
        """Whether the sheet's grid from A1 to its last cell is small for the cells it holds."""
        parts = self._parts.get(name)
        if not parts:
            return False  # not found where calamine looks: let the streaming reader say why
        return all(_grid_fits(self._zip, part) for part in parts)

    def _streamed_rows(self, name: str):
        from openpyxl import load_workbook

        try:
            if self._stream_book is None:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # openpyxl warns of every extension it does not read
                    self._stream_book = load_workbook(self.path, read_only=True, data_only=True)
            ws = self._stream_book[name]
            # The stored <dimension> is a claim, and rows are padded to it: without it,
            # each row ends at its own last cell.
            ws.reset_dimensions()
            kept = values = 0
            for row in ws.iter_rows(values_only=True):
                if not row:
                    yield _EMPTY_ROW
                    continue
                row = [_stream_value(v) for v in row]
                while row and row[-1] is None:
                    row.pop()
                kept += len(row)
                values += len(row) - row.count(None)
                if kept > DENSE_CELLS + DENSE_PER_CELL * values:
                    raise UnreadableWorkbook(
                        f"sheet {name!r} has cells so far apart that reading it would take too much memory. Delete "
                        "the cells far from your data (Ctrl+End goes to the last one) and save it again.",
                        path=self.path)
                yield row if row else _EMPTY_ROW
        except ChartError:
            raise
        except Exception as exc:
            raise UnreadableWorkbook(f"is damaged and cannot be read ({_short(exc)}). {self.hint}",
                                     path=self.path) from None

    def _calamine(self, call, *args, **kwargs):
        """``call(*args)`` with python-calamine's errors, and its native panics, as ``UnreadableWorkbook``."""
        try:
            return call(*args, **kwargs)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:  # a Rust panic reaches Python as a BaseException
            raise UnreadableWorkbook(f"is damaged and cannot be read ({_short(exc)}). {self.hint}",
                                     path=self.path) from None


def _stream_value(value):
    # openpyxl gives a date cell as a datetime at midnight, where calamine gives a date.
    if value.__class__ is dt.datetime and not (value.hour or value.minute or value.second or value.microsecond):
        return value.date()
    return _clean_value(value)


def _grid_fits(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether python-calamine may read this sheet part as a grid (see ``DENSE_CELLS``).

    calamine places a cell by its r="…" attribute (the last one when there are two),
    or, without one, after the cell before it; it takes the grid's size from the
    rows and columns of every cell with a value. The quick way: every cell tag
    starts with a plain reference within the sheet's <dimension>. Otherwise (a cell
    beyond the stated dimension, no dimension) the size comes from every reference,
    and a sheet whose cells cannot all be placed that way is streamed.
    """
    with zf.open(part) as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False  # UTF-16: none of the byte patterns here would see its cells
    claim = _DIMENSION.search(head)
    if claim is not None:
        cols, rows = _ref_size(claim.group(3) or claim.group(1), claim.group(4) or claim.group(2))
        odd = (_outside(cols, rows), _LATE_REF, _PREFIXED_CELL)
        if not any(_found(p, *w) for w in _windows(zf, part) for p in odd) and _small_enough(zf, part, cols * rows):
            return True
    size = _size_from_references(zf, part)
    return size is not None and _small_enough(zf, part, size)


def _windows(zf: zipfile.ZipFile, part: str):
    """(bytes, start, end) for each chunk of the part: search ``bytes`` for matches that begin in [start, end)."""
    with zf.open(part) as fh:
        before = b""
        chunk = fh.read(_SCAN_CHUNK)
        while chunk:
            after = fh.read(_SCAN_CHUNK)
            window = before + chunk + after[:_SCAN_AHEAD]
            yield window, len(before), len(before) + len(chunk)
            before = chunk[-_SCAN_CONTEXT:]
            chunk = after


def _found(pattern, window: bytes, start: int, end: int) -> bool:
    match = pattern.search(window, start)
    return match is not None and match.start() < end


def _small_enough(zf: zipfile.ZipFile, part: str, cells: int) -> bool:
    if cells <= DENSE_CELLS:
        return True
    return cells <= DENSE_PER_CELL * sum(w.count(b"<c ", start, end) for w, start, end in _windows(zf, part))


def _size_from_references(zf: zipfile.ZipFile, part: str) -> int | None:
    """Rows × columns from A1 to the farthest cell reference; None when a cell has no plain one."""
    rows = 0
    letters: set[bytes] = set()
    for w, start, end in _windows(zf, part):
        if any(_found(p, w, start, end) for p in (_ODD_CELL, _LATE_REF, _PREFIXED_CELL)):
            return None
        for col, row in _CELL_REF.findall(w, start):
            letters.add(col)
            rows = max(rows, int(row))
    cols = max((_ref_size(c, b"1")[0] for c in letters), default=0)
    return rows * cols


def _ref_size(col: bytes, row: bytes) -> tuple[int, int]:
    return column_index(col.decode()), int(row)


def _outside(cols: int, rows: int):
    """A pattern finding any cell tag that is not a plain reference within cols × rows."""
    return re.compile(rb'<c(?=[\s>/])(?! r="' + _not_above(column_letter(cols), _LETTERS)
                      + _not_above(str(rows), _DIGITS) + rb'")')


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


def _not_above(limit: str, alphabet: str) -> bytes:
    """A pattern for the numerals of ``alphabet`` from its first non-zero up to ``limit``, without leading zeros.

    Column letters count A, …, Z, AA, … and row numbers 1, 2, …: a numeral is
    smaller than ``limit`` when it is shorter, or as long and smaller at its first
    difference; each alternative below is one of those cases.
    """
    first = alphabet[1] if alphabet == _DIGITS else alphabet[0]
    every = f"[{alphabet[0]}-{alphabet[-1]}]"

    def between(lo: str, hi: str) -> str:
        return lo if lo == hi else f"[{lo}-{hi}]"

    n = len(limit)
    alternatives = [f"[{first}-{alphabet[-1]}]{every}{{0,{n - 2}}}"] if n > 1 else []
    for i, ch in enumerate(limit):
        lo = first if i == 0 else alphabet[0]
        if ch > lo:
            below = alphabet[alphabet.index(ch) - 1]
            alternatives.append(f"{limit[:i]}{between(lo, below)}{every}{{{n - i - 1}}}")
    alternatives.append(limit)
    return ("(?:" + "|".join(alternatives) + ")").encode()


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def _clean_row(row: list) -> list:
    # Most cells are non-empty text, which stays as it is; only "" and floats need a look.
    return [value if value.__class__ is str and value else _clean_value(value) for value in row]


def _clean_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# --------------------------------------------------------------------------- tables


@dataclass
class Row:
    """One row of a table: its spreadsheet row number and its known columns' values."""

    number: int
    values: dict[str, object]

    def get(self, key: str, default=None):
        value = self.values.get(key)
        return default if is_blank(value) else value

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return "" if is_blank(value) else str(value).strip()


@dataclass
class Table:
    """A sheet's table: where its header is, which column holds what, and its rows.

    ``columns`` maps a column key to its 1-based column number; ``rows`` holds the
    rows with data in a known user column, blank rows skipped; ``last_row`` is the
    last row with anything in it, where new rows go below. When the header is an
    Excel table's, only that table's data rows are the table's.
    """

    shape: schema.SheetShape
    sheet: str
    header_row: int
    columns: dict[str, int]
    headers: dict[int, object]
    rows: list[Row]
    last_row: int
    width: int

    def ref(self, row: int, key: str) -> str:
        """``H7``: the cell of column ``key`` in spreadsheet row ``row``."""
        return f"{column_letter(self.columns[key])}{row}"

    def has(self, key: str) -> bool:
        return key in self.columns


def find_header(grid: list[list], shape: schema.SheetShape) -> tuple[int, dict[str, int]] | None:
    """The header row (1-based) among the first rows, and its matched columns.

    The row that names the most of the shape's columns wins; it must name every
    required one. A column headed with a key's own header takes it, else the first
    column headed with one of its aliases does ("Organization" beats a "Company"
    column before it).
    """
    best = None
    for r, row in enumerate(grid[: schema.HEADER_SEARCH_ROWS], start=1):
        columns: dict[str, int] = {}
        named: set[str] = set()  # keys found by their own header
        for c, value in enumerate(row, start=1):
            if not isinstance(value, str):
                continue
            col = shape.match_header(value)
            if col is None or col.key in named:
                continue
            if col.is_named(value):
                named.add(col.key)
                columns[col.key] = c
            elif col.key not in columns:
                columns[col.key] = c
        if all(k in columns for k in shape.required) and (best is None or len(columns) > len(best[1])):
            best = (r, columns)
    return best


def read_table(grid: list[list], shape: schema.SheetShape, sheet: str, path: Path, excel_tables=()) -> Table:
    """The sheet's table; ``NotAChart`` naming the missing column when there is no header row.

    When the header is an Excel table's (one of ``excel_tables``, ``objects.SheetObject``s),
    the rows are that table's data rows: what sits under it is the person's, not the chart's.
    """
    found = find_header(grid, shape)
    if found is None:
        missing = " and ".join(shape.column(k).header for k in shape.required)
        raise NotAChart(f"has no {missing} column in its first {schema.HEADER_SEARCH_ROWS} rows. Add a header "
                        f"row with {missing} above your data (see 'chart init --help' for every column).",
                        path=path, sheet=sheet)
    header_row, columns = found
    header_values = grid[header_row - 1]
    columns = _persons_comments(grid, header_row, columns, shape)
    headers = {c: v for c, v in enumerate(header_values, start=1) if not is_blank(v)}
    width = max([*headers, *columns.values(), 0])
    user_keys = [k for k in columns if shape.column(k).owner == schema.USER]
    rows: list[Row] = []
    last_row = header_row
    places = [(k, c - 1) for k, c in columns.items()]
    own = holding(excel_tables, header_row, columns[shape.required[0]])
    for r in range(header_row, len(grid) if own is None else min(len(grid), own.data_end)):
        cells = grid[r]
        size = len(cells)
        if cells.count(None) == size:
            continue  # a blank row (the quick test: read_grids makes empty cells None)
        values = {k: cells[i] if i < size else None for k, i in places}
        if any(not is_blank(values[k]) for k in user_keys):
            rows.append(Row(r + 1, values))
            last_row = r + 1
        elif not all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            last_row = r + 1  # data only in other columns: not a person, but new rows go below it
    return Table(shape, sheet, header_row, columns, headers, rows, last_row, width)


def _persons_comments(grid: list[list], header_row: int, columns: dict[str, int],
                      shape: schema.SheetShape) -> dict[str, int]:
    """``columns`` with a "Comments" column of the person's read as Notes, not as sync's Comments.

    The guide calls the person's notes column "Comments", as chart sync calls its own.
    Such a column is the person's when sync's stands elsewhere (under
    ``schema.TOOL_COMMENTS_HEADER``), or when the chart was never synced (no Stage
    column) and the column holds text; it is then Notes unless there is a Notes column
    (else a column of the person's that chart does not read), and sync adds its own
    Comments under the other header. A synced chart's Comments column, or an empty one,
    stays sync's.
    """
    if shape is not schema.CONTACTS or "comments" not in columns:
        return columns
    c = columns["comments"]
    header = grid[header_row - 1]
    if not shape.column("comments").is_named(header[c - 1]):
        return columns  # found under the other header: sync's own
    elsewhere = next((i for i, v in enumerate(header, start=1)
                      if isinstance(v, str) and schema.normalize_header(v) == _TOOL_COMMENTS), None)
    if elsewhere is None and ("stage" in columns or all(
            is_blank(row[c - 1]) for row in grid[header_row:] if c - 1 < len(row))):
        return columns
    columns = {k: v for k, v in columns.items() if k != "comments"}
    if elsewhere is not None:
        columns["comments"] = elsewhere
    columns.setdefault("notes", c)
    return columns


_TOOL_COMMENTS = schema.normalize_header(schema.TOOL_COMMENTS_HEADER)


# --------------------------------------------------------------------------- the chart


_PROFILE_SPECS = {f.key: f for f in schema.PROFILE_FIELDS}


@dataclass
class Profile:
    """The Profile sheet's Field/Value pairs, with defaults for what is missing."""

    values: dict[str, object] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # key → "B4"
    sheet: str | None = None

    def get(self, key: str):
        value = self.values.get(key)
        if is_blank(value):
            return _PROFILE_SPECS[key].default
        return value.strip() if isinstance(value, str) else value

    def text(self, key: str) -> str:
        value = self.get(key)
        return "" if value is None else str(value)

    @property
    def region(self) -> str:
        """The two-letter region for phone numbers and dates; US when unset or not a region."""
        region = self.text("region").upper()
        if region == "US":
            return region  # the default: known without loading phonenumbers' tables (agenda needs nothing else of it)
        import phonenumbers

        return region if region in phonenumbers.SUPPORTED_REGIONS else "US"

    def days(self, key: str) -> int:
        """A day count (Follow-Up Days …); its default when blank or not a whole number ≥ 0."""
        value = self.get(key)
        spec = _PROFILE_SPECS[key]
        try:
            number = float(value)
        except (TypeError, ValueError):
            return spec.default
        # is_integer() is False for inf and NaN, which int() would choke on.
        if not number.is_integer() or number < 0 or number > 3650:
            return spec.default
        return int(number)


@dataclass
class Chart:
    """Everything read from a chart workbook."""

    path: Path
    sheet_names: list[str]
    contacts: Table
    profile: Profile
    want_to_meet: Table | None = None
    templates: Table | None = None


def find_sheet(names: list[str], shape: schema.SheetShape) -> str | None:
    """The workbook's sheet for ``shape``, matching its name or an alias forgivingly.

    A sheet with the shape's own name wins over one named by an alias, wherever
    they stand: an old "Chart" sheet before "Contacts" does not hide it.
    """
    for name in names:
        if shape.is_named(name):
            return name
    for name in names:
        if shape.matches_name(name):
            return name
    return None


def read_profile(grid: list[list], sheet: str) -> Profile:
    """Field/Value pairs; without a header row, columns A and B are read as Field and Value."""
    found = find_header(grid, schema.PROFILE_SHEET)
    header_row, columns = found if found else (0, {"field": 1, "value": 2})
    profile = Profile(sheet=sheet)
    named: set[str] = set()  # fields found by their own label, which an alias after them does not replace
    for r in range(header_row, len(grid)):
        cells = grid[r]
        label = cells[columns["field"] - 1] if columns["field"] - 1 < len(cells) else None
        if label is None:
            continue  # an empty row: a sheet with a stray cell far below has a million of them
        spec = schema.profile_field(label)
        if spec is None or spec.key in named or (spec.key in profile.values and not spec.is_named(label)):
            continue
        if spec.is_named(label):
            named.add(spec.key)
        c = columns["value"]
        profile.values[spec.key] = cells[c - 1] if c - 1 < len(cells) else None
        profile.cells[spec.key] = f"{column_letter(c)}{r + 1}"
    return profile


def chart_from_grids(path: Path, grids: dict[str, list[list]]) -> Chart:
    """Build the chart from sheet grids; ``NotAChart`` without Contacts or its Name column.

    The Excel tables of its sheets are read from ``path`` (their own small parts).
    """
    names = list(grids)
    contacts_sheet = find_sheet(names, schema.CONTACTS)
    if contacts_sheet is None:
        listed = ", ".join(repr(n) for n in names)
        raise NotAChart(f"has no Contacts sheet (its sheets: {listed}). Rename the sheet that lists your "
                        "contacts to Contacts, or make a new chart with: chart init NEW.xlsx", path=path)
    tables = excel_tables(path, [contacts_sheet, find_sheet(names, schema.WANT_TO_MEET),
                                 find_sheet(names, schema.TEMPLATES)])
    with gc_paused():
        contacts = read_table(grids[contacts_sheet], schema.CONTACTS, contacts_sheet, path,
                              tables.get(contacts_sheet, ()))
    profile_sheet = find_sheet(names, schema.PROFILE_SHEET)
    profile = read_profile(grids[profile_sheet], profile_sheet) if profile_sheet else Profile()
    chart = Chart(path, names, contacts, profile)
    for attr, shape in (("want_to_meet", schema.WANT_TO_MEET), ("templates", schema.TEMPLATES)):
        sheet = find_sheet(names, shape)
        if sheet is not None and find_header(grids[sheet], shape) is not None:
            setattr(chart, attr, read_table(grids[sheet], shape, sheet, path, tables.get(sheet, ())))
    return chart


def read_chart(path) -> Chart:
    """Check, open and read the chart at ``path``."""
    path = Path(path)
    return chart_from_grids(path, read_chart_grids(path))


def read_chart_grids(path, *, tool_sheets: bool = False) -> dict[str, list[list]]:
    """The grids ``chart_from_grids`` needs: the chart's own sheets, every other sheet as ``[]``.

    Only the chart's own sheets are read: a person's other sheets (a big data dump, a
    stray value in row 1,048,576) would cost seconds and hundreds of MB as full grids.
    ``tool_sheets``: the Referrals and Dashboard sheets too (validate looks whether
    they are the tool's).
    """
    path = Path(path)
    shapes = (schema.CONTACTS, schema.PROFILE_SHEET, schema.WANT_TO_MEET, schema.TEMPLATES)
    with Sheets(path) as book:
        names = book.names
        wanted = {find_sheet(names, shape) for shape in shapes}
        if tool_sheets:
            wanted |= {n for n in names if schema.REFERRALS.matches_name(n) or n == schema.DASHBOARD.name}
        with gc_paused():
            grids = {name: book.grid(name) for name in names if name in wanted}
    return {name: grids.get(name, []) for name in names}
