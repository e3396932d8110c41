"""Opening a chart: checking the file is a safe, readable workbook and reading its tables.

Reading is done from plain grids of cell values (python-calamine: fast, and exact
once whole floats become ints and "" becomes blank). ``sync`` re-opens the same
file with openpyxl to write, and finds its cells by the row and column numbers
recorded here.
"""

from __future__ import annotations

import contextlib
import gc
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import NotAChart, UnreadableWorkbook
from .fields import is_blank

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
# An XML bomb can hide in a small zip: 211 KB that unpack to 85 MB cost openpyxl 44 s
# and 500 MB. Real charts compress their XML about 5-20 times.
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_PART_BYTES_AT_HIGH_RATIO = 20 * 1024**2
MAX_RATIO = 100
BACKUP_HINT = "Restore it from a backup (chart sync keeps the last 10 in chart-backups/ beside the workbook)."


# --------------------------------------------------------------------------- checks


def check_workbook_file(path: Path, hint: str = BACKUP_HINT) -> None:
    """Raise ``UnreadableWorkbook`` unless ``path`` looks like a safe .xlsx workbook.

    Runs before any parser sees the file, so that every bad file — missing, a
    folder, empty, .xls, .ods, CSV, damaged, encrypted, a zip or XML bomb — gets
    one clear sentence instead of a library's traceback. ``hint`` ends the message
    of an empty or damaged file: what to do to get it back (a chart's backup).
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableWorkbook(f"no such file. Check the path, or make a new chart with: chart init {path}",
                                 path=path)
    if path.is_dir():
        raise UnreadableWorkbook("is a folder, not a workbook. Give the path of an .xlsx file.", path=path)
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
            _check_sizes(zf, path)
            _check_no_entities(zf, path)
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


def read_grids(path: Path, sheets=None, hint: str = BACKUP_HINT) -> dict[str, list[list]]:
    """Every sheet (or the named ones) as a list of rows of plain values.

    Row ``i`` of a grid is spreadsheet row ``i + 1``; blank cells are None;
    whole-number floats are ints (calamine returns every number as float).
    ``hint`` ends the message of a damaged file (check_workbook_file).
    """
    from python_calamine import CalamineWorkbook

    check_workbook_file(path, hint)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names if sheets is None else [s for s in wb.sheet_names if s in sheets]
        with gc_paused():
            return {name: [_clean_row(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
                    for name in names}
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise UnreadableWorkbook(f"is damaged and cannot be read ({_short(exc)}). {hint}", path=path) from None


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's sheets, in order."""
    from python_calamine import CalamineWorkbook

    check_workbook_file(path)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:
        raise UnreadableWorkbook(f"is damaged and cannot be read ({_short(exc)}). {BACKUP_HINT}",
                                 path=path) from None


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


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
    required one. The first column to match a key keeps it.
    """
    best = None
    for r, row in enumerate(grid[: schema.HEADER_SEARCH_ROWS], start=1):
        columns: dict[str, int] = {}
        for c, value in enumerate(row, start=1):
            if not isinstance(value, str):
                continue
            col = shape.match_header(value)
            if col is not None and col.key not in columns:
                columns[col.key] = c
        if all(k in columns for k in shape.required) and (best is None or len(columns) > len(best[1])):
            best = (r, columns)
    return best


def read_table(grid: list[list], shape: schema.SheetShape, sheet: str, path: Path, excel_tables=()) -> Table:
    """The sheet's table; ``NotAChart`` naming the missing column when there is no header row.

    When the header is an Excel table's (one of ``excel_tables``, ``objects.SheetObject``s),
    the rows are that table's data rows: what sits under it is the person's, not the chart's.
    """
    from .objects import holding

    found = find_header(grid, shape)
    if found is None:
        missing = " and ".join(shape.column(k).header for k in shape.required)
        raise NotAChart(f"has no {missing} column in its first {schema.HEADER_SEARCH_ROWS} rows. Add a header "
                        f"row with {missing} above your data (see 'chart init --help' for every column).",
                        path=path, sheet=sheet)
    header_row, columns = found
    header_values = grid[header_row - 1]
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
    """The workbook's sheet for ``shape``, matching its name or an alias forgivingly."""
    for name in names:
        if shape.matches_name(name):
            return name
    return None


def read_profile(grid: list[list], sheet: str) -> Profile:
    """Field/Value pairs; without a header row, columns A and B are read as Field and Value."""
    found = find_header(grid, schema.PROFILE_SHEET)
    header_row, columns = found if found else (0, {"field": 1, "value": 2})
    profile = Profile(sheet=sheet)
    for r in range(header_row, len(grid)):
        cells = grid[r]
        label = cells[columns["field"] - 1] if columns["field"] - 1 < len(cells) else None
        spec = schema.profile_field(label)
        if spec is None or spec.key in profile.values:
            continue
        c = columns["value"]
        profile.values[spec.key] = cells[c - 1] if c - 1 < len(cells) else None
        profile.cells[spec.key] = f"{column_letter(c)}{r + 1}"
    return profile


def chart_from_grids(path: Path, grids: dict[str, list[list]]) -> Chart:
    """Build the chart from sheet grids; ``NotAChart`` without Contacts or its Name column.

    The Excel tables of its sheets are read from ``path`` (their own small parts).
    """
    from .objects import excel_tables

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
    """Check, open and read the chart at ``path``.

    Only the chart's own sheets are read: a person's other sheets (a big data dump, a
    stray value in row 1,048,576) would cost seconds and hundreds of MB as full grids.
    """
    path = Path(path)
    names = sheet_names(path)
    wanted = {find_sheet(names, shape)
              for shape in (schema.CONTACTS, schema.PROFILE_SHEET, schema.WANT_TO_MEET, schema.TEMPLATES)}
    grids = read_grids(path, wanted - {None})
    return chart_from_grids(path, {name: grids.get(name, []) for name in names})
