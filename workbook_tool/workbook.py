"""The chart read from a workbook: its tables, its profile and the ``Chart`` they make.

Owns finding the chart's header rows (``find_header``; its sheets by ``schema.find_sheet``), reading a
table's rows (``Row``, ``Table``, ``read_table``), the Profile sheet (``Profile``), and
``read_chart`` / ``chart_from_grids`` / ``read_chart_grids``. The cells come from ``grids``
(plain values, python-calamine: fast, and exact once whole floats become ints and "" becomes
blank); ``sync`` re-opens the same file to write, and finds its cells by the row and column
numbers recorded here.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import NotAChart
from .fields import is_blank
from .grids import Sheets, gc_paused
from .objects import column_letter, excel_tables, holding
from .schema import find_sheet


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
        if value.__class__ is str:
            return value.strip()  # is_blank's "" too, for text of spaces: the common case without a call
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
    # A row as long as the table's columns (nearly every row of a grid) takes its values in one call.
    keys, indexes = [k for k, _ in places], [i for _, i in places]
    take = operator.itemgetter(*indexes) if len(indexes) > 1 else None
    reach = max(indexes) + 1
    own = holding(excel_tables, header_row, columns[shape.required[0]])
    for r in range(header_row, len(grid) if own is None else min(len(grid), own.data_end)):
        cells = grid[r]
        size = len(cells)
        if cells.count(None) == size:
            continue  # a blank row (the quick test: read_grids makes empty cells None)
        if take is not None and size >= reach:
            values = dict(zip(keys, take(cells)))
        else:
            values = {k: cells[i] if i < size else None for k, i in places}
        for k in user_keys:  # any(not is_blank(values[k]) …), without a generator and a call a key
            value = values[k]
            if value is not None and (not isinstance(value, str) or value.strip()):
                rows.append(Row(r + 1, values))
                last_row = r + 1
                break
        else:
            if not all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
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
    # region and days(key) as last worked out, with the raw value they came from: the step rules ask
    # for them once or twice a row, and a changed value is worked out again.
    _known: dict[object, tuple[object, object]] = field(default_factory=dict, repr=False, compare=False)

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
        raw = self.values.get("region")
        known = self._known.get("region")
        if known is not None and known[0] is raw:
            return known[1]
        region = self._region()
        self._known["region"] = (raw, region)
        return region

    def _region(self) -> str:
        region = self.text("region").upper()
        if region == "US":
            return region  # the default: known without loading phonenumbers' tables (agenda needs nothing else of it)
        import phonenumbers

        return region if region in phonenumbers.SUPPORTED_REGIONS else "US"

    def days(self, key: str) -> int:
        """A day count (Follow-Up Days …); its default when blank or not a whole number ≥ 0."""
        raw = self.values.get(key)
        known = self._known.get(("days", key))
        if known is not None and known[0] is raw:
            return known[1]
        days = self._days(key)
        self._known[("days", key)] = (raw, days)
        return days

    def _days(self, key: str) -> int:
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


def read_chart_grids(path, *, tool_sheets: bool = False, frames: dict | None = None) -> dict[str, list[list]]:
    """The grids ``chart_from_grids`` needs: the chart's own sheets, every other sheet as ``[]``.

    Only the chart's own sheets are read: a person's other sheets (a big data dump, a
    stray value in row 1,048,576) would cost seconds and hundreds of MB as full grids.
    ``tool_sheets``: the Referrals and Dashboard sheets too (validate looks whether
    they are the tool's). ``frames``, a dict: filled with the sheet parts split on the
    way, for ``objects.sheet_objects`` (validate's, which then need not read them again).
    """
    path = Path(path)
    with Sheets(path, frames=frames is not None) as book:
        names = book.names
        wanted = chart_sheet_names(names, tool_sheets=tool_sheets)
        with gc_paused():
            grids = {name: book.grid(name) for name in names if name in wanted}
        if frames is not None:
            frames.update(book.frames)
    return {name: grids.get(name, []) for name in names}


def chart_sheet_names(names, *, tool_sheets: bool = False) -> set[str]:
    """Which of a workbook's sheets ``names`` are the chart's own (and with ``tool_sheets``, the tool's)."""
    shapes = (schema.CONTACTS, schema.PROFILE_SHEET, schema.WANT_TO_MEET, schema.TEMPLATES)
    wanted = {find_sheet(names, shape) for shape in shapes} - {None}
    if tool_sheets:
        wanted |= {n for n in names if schema.REFERRALS.matches_name(n) or n == schema.DASHBOARD.name}
    return wanted
