"""Where ``chart sync`` may write, and why it would refuse to: one set of checks for two commands.

``sync`` raises the first ``Refusal`` it meets (``Refusal.error``) and writes nothing;
``validate`` reports every one as an error at its cell (``refusals``), so that a chart
validate passes is one sync accepts. The checks:

* a column of the person's carrying a tool column's name (a "Stage" of their own),
  and a sheet of theirs named like a tool sheet (Referrals, Dashboard);
* a column sync needs for the people it adds from Recommended cells;
* room: a tool column past XFD, a new row past row 1,048,576;
* what sits where sync writes: a merge, sparkline, array formula, pivot table or
  another Excel table over a tool cell, and what is under the chart's own table
  where new rows go.

``check_layout`` runs them on every plan, sync's and import's, before anything is
written (``writer.update_chart``). The cells sync writes for Recommended cells are
worked out here too, so that both commands see the same ones (``recommendations``: the
new rows, and the blank details filled for people already in the chart, never over a
formula, ``FormulaCells``).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass

from . import schema, stages
from .errors import RefusedToWrite
from .fields import email_key, is_blank, name_key, parse_recommended, phone_key
from .kinds import is_link_label
from .objects import MAX_COLUMNS, MAX_ROWS, NOTHING, SheetObjects, column_letter, holding, sheet_objects, sheet_parts
from .people import People
from .plan import Fill, SyncPlan, cell_text
from .workbook import Chart, Table

CONTACT_TOOL_KEYS = tuple(c.key for c in schema.CONTACTS.tool_columns)
# The user columns a row sync adds for a recommended person fills, when it has a value for them.
REFERRAL_KEYS = ("source", "referred_by", "email", "phone", "organization")
# The cells of someone already in the chart that a Recommended entry fills when they are blank.
FILL_KEYS = ("email", "phone", "organization", "title")

_KNOWN_STAGES = {schema.normalize_header(s) for s in (stages.NOT_CONTACTED, stages.AWAITING_REPLY,
                                                      stages.REPLIED, stages.MEETING_SCHEDULED, stages.MET, stages.THANKED,
                                                      *stages.CLOSED)}
# How every Want to Meet Status sync writes begins (sync._want_to_meet_status).
WTM_PREFIXES = ("In Contacts", "Ask ", "Add ", "No contact")


@dataclass(frozen=True)
class Refusal:
    """Why sync would not write: a stable ``code``, the place and what to do (sync's error line, validate's error)."""

    code: str
    message: str
    sheet: str
    cell: str | None = None

    def error(self, path) -> RefusedToWrite:
        """The error sync raises, complete."""
        return RefusedToWrite(self.message, path=path, sheet=self.sheet, cell=self.cell)


def cell(grid: list[list], row: int, column: int):
    """The value at ``row``, ``column`` (1-based) of a grid, None past its edges."""
    if row - 1 < len(grid) and column - 1 < len(grid[row - 1]):
        return grid[row - 1][column - 1]
    return None


def used_width(grid: list[list], table: Table, last_row: int) -> int:
    """The rightmost column with anything in it, header or data, within the table's rows."""
    width = table.width
    for r in range(table.header_row, min(last_row, len(grid)) + 1):
        row = grid[r - 1]
        for c in range(len(row), width, -1):
            if not is_blank(row[c - 1]):
                width = c
                break
    return width


# --------------------------------------------------------------------------- what is the person's


def _foreign(table: Table, grid: list[list], keys: tuple[str, ...], known_values) -> list[Refusal]:
    """The columns a person made with a tool column's header, one refusal each.

    Tool columns are recognized as the tool's by their first: every value in it
    must be one the tool writes (a known stage, say: ``known_values(value, cell
    reference)``). When that column is absent, the others must be empty.
    """
    first = keys[0]
    checked = [first] if table.has(first) else [k for k in keys[1:] if table.has(k)]
    found = []
    for key in checked:
        c = table.columns[key]
        for r in range(table.header_row + 1, table.last_row + 1):
            value = cell(grid, r, c)
            if not is_blank(value) and (key != first or not known_values(value, f"{column_letter(c)}{r}")):
                found.append(Refusal("tool-column-taken", _foreign_message(table, key, keys, r, value), table.sheet,
                                     table.ref(table.header_row, key)))
                break
    return found


def _foreign_message(table: Table, key: str, keys, row: int, value) -> str:
    header = table.shape.column(key).header
    owned = ", ".join(table.shape.column(k).header for k in keys)
    sample = str(value)[:40]
    return (f'your column "{header}" holds your own text ({table.ref(row, key)}: "{sample}"), but chart sync '
            f"rewrites {owned} on every run. Rename your column (for example to \"My {header}\") and sync again.")


def foreign_columns(table: Table, grid: list[list], links: dict[str, str] | None = None) -> list[Refusal]:
    """Columns of the person's in ``table`` (Contacts or Want to Meet) that carry a tool column's name.

    ``links``: the sheet's hyperlinks (``SheetObjects.links``), which tell the tool's Draft cells.
    """
    if table.shape is schema.WANT_TO_MEET:
        return _foreign(table, grid, ("status",), lambda v, ref: str(v).startswith(WTM_PREFIXES))
    found = _foreign(table, grid, CONTACT_TOOL_KEYS, lambda v, ref: schema.normalize_header(v) in _KNOWN_STAGES)
    # Draft came later than the other tool columns: a chart synced before it may have
    # a "Draft" column of the person's own. The tool's holds mailto: links: the link itself
    # as text (before labels), or a label ("Email Olivia") with the link behind it.
    links = links or {}
    seen = {f.cell for f in found}
    return found + [f for f in _foreign(table, grid, ("draft",),
                                        lambda v, ref: str(v).startswith("mailto:")
                                        or (is_link_label(v) and links.get(ref, "").startswith("mailto:")))
                    if f.cell not in seen]


def foreign_sheet(grid: list[list] | None, existing: str | None, signature: list, what: str) -> Refusal | None:
    """A sheet named like a tool sheet (Referrals, Dashboard) that the person made: it has something
    in it, and its first row is not ``signature`` (the tool's first row)."""
    if existing is None or grid is None:
        return None
    rows = list(grid)
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    first = [v for v in (rows[0] if rows else []) if not is_blank(v)]
    if not rows or [schema.normalize_header(v) for v in first] == [schema.normalize_header(h) for h in signature]:
        return None
    return Refusal("tool-sheet-taken", f'a sheet named "{existing}" holds your own data, but chart sync rebuilds the '
                                       f"{what} sheet on every run. Rename your sheet and sync again.", existing)


# --------------------------------------------------------------------------- the people sync adds


def recommendations(table: Table, region: str, formulas=(), keys: list | None = None,
                    ) -> tuple[list[tuple[int, object, str, dict]], list[Fill]]:
    """What the Recommended cells bring: the rows sync adds for people not yet in the chart, and the
    details they give for people who are.

    The rows: (row number, the ``fields.Recommendation``, the recommender's name, the
    row's values), below the table's last row. The details (``plan.Fill`` each): a
    blank Email, Phone, Organization or Title cell of someone already in the chart
    (found as ``People`` finds anyone: same email, phone or name) is filled, as
    ``chart import`` fills one; a typed value is never replaced, and one that differs
    is reported (``Fill.typed``). ``formulas`` holds the (row, column) of formula
    cells, which look blank in a file whose formulas have no saved results
    (``FormulaCells``): they are left alone. A detail for a row added by this same
    sync (two people recommended the same person) goes into that row's blank values. ``keys``:
    ``People(region).rows_keys(table.rows)``, when the caller has worked them out already.
    """
    people: People[int] = People(region)  # row numbers, by email, phone and name
    if keys is None:
        keys = people.rows_keys(table.rows)
    if len(keys) != len(table.rows):
        raise ValueError("one list of keys for each row")
    people.add_all(keys, [row.number for row in table.rows])
    number = table.last_row + 1
    added = []
    new_values: dict[int, dict] = {}
    by_number: dict[int, object] | None = None  # the table's rows by number, made at the first match
    planned: dict[tuple[int, str], str] = {}  # (row, key) → the value a fill put there
    fills: list[Fill] = []
    for row in table.rows:
        if is_blank(row.values.get("recommended")):
            continue  # (most rows: asked first)
        recommender = row.text("name")
        if not recommender:
            continue
        for person in parse_recommended(row.values.get("recommended"), region):
            values = {"name": person.name, "source": "Referral", "referred_by": recommender,
                      "email": person.email or None, "phone": person.phone or None,
                      "organization": person.organization or None, "title": person.title or None}
            person_keys = people.values_keys(values)  # (worked out once, for the look-up and the filing)
            found = people.find_keys(person_keys)
            if found is None:
                people.add_keys(person_keys, number)
                new_values[number] = values
                added.append((number, person, recommender, values))
                number += 1
                continue
            if found == row.number:
                continue  # someone who names themselves
            if found in new_values:
                theirs = new_values[found]
                for key in FILL_KEYS:
                    if is_blank(theirs.get(key)) and not is_blank(values[key]):
                        theirs[key] = values[key]
                people.add_values(theirs, found)
                continue
            if by_number is None:
                by_number = {r.number: r for r in table.rows}
            fills += _details(table, by_number[found], row, values, planned, formulas, region)
            people.add_keys(people.keys(None, [planned.get((found, "email"))], [planned.get((found, "phone"))]),
                            found)
    return added, fills


def _details(table: Table, person, recommender, values: dict, planned: dict, formulas, region: str) -> list[Fill]:
    """The fills and differences one Recommended entry brings for a row already in the chart."""
    found = []
    for key in FILL_KEYS:
        value = cell_text(values.get(key))  # as the cell will hold it: a detail of control characters is none
        if is_blank(value) or not table.has(key):
            continue
        column = table.columns[key]
        typed = planned.get((person.number, key), person.values.get(key))
        header = table.headers.get(column)
        header = str(header).strip() if not is_blank(header) else schema.CONTACTS.column(key).header
        record = dict(row=person.number, name=person.text("name"), recommender=recommender.text("name"),
                      recommender_row=recommender.number, key=key, header=header,
                      where=f"{table.sheet}!{table.ref(person.number, key)}", value=value)
        if is_blank(typed):
            if (person.number, column) in formulas:
                continue
            planned[(person.number, key)] = value
            found.append(Fill(**record))
        elif not _same_detail(key, typed, value, region):
            found.append(Fill(**record, typed=typed))
    return found


def _same_detail(key: str, typed, value, region: str) -> bool:
    """Whether two spellings of a detail say the same (an address in another case, a number written
    another way, an organization with other punctuation)."""
    if key == "email":
        a, b = email_key(typed), email_key(value)
    elif key == "phone":
        a, b = phone_key(typed, region), phone_key(value, region)
    else:
        a, b = name_key(typed), name_key(value)
    if a is None or b is None:
        a, b = " ".join(str(typed).split()).casefold(), " ".join(str(value).split()).casefold()
    return a == b


class FormulaCells:
    """The formula cells of a sheet, read only when a blank cell is about to be filled.

    The grids hold formulas' cached results, and a file last saved by openpyxl has
    none: a formula cell then looks blank, and filling it would replace the formula.
    ``(row, column) in cells`` asks.
    """

    def __init__(self, path, sheet: str):
        self.path, self.sheet = path, sheet
        self._cells: set[tuple[int, int]] | None = None

    def __contains__(self, cell: tuple[int, int]) -> bool:
        if self._cells is None:
            self._cells = self._read()
        return cell in self._cells

    def _read(self) -> set[tuple[int, int]]:
        import warnings

        if not may_hold_formulas(self.path, self.sheet):
            return set()  # most charts: openpyxl's read of every cell (20 s at 100,000 rows) finds nothing
        from openpyxl import load_workbook

        cells = set()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x14 extensions and the like: reading only
            wb = load_workbook(self.path, read_only=True)
        try:
            for row in wb[self.sheet].iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        cells.add((cell.row, cell.column))
        finally:
            wb.close()
        return cells


# A start tag named f, under any prefix (a "<fill" or "<font" is not one).
_FORMULA_TAG = re.compile(rb"<(?:[^\s<>/!?:]+:)?f[\s/>]")


def may_hold_formulas(path, sheet: str) -> bool:
    """Whether the sheet's XML holds an ``f`` element (a formula): one byte search, streamed.

    Unsure is yes: a sheet not found, another encoding than UTF-8, a "<f" in a comment.
    The last 4,096 bytes of each piece are searched again with the next, so a tag cut
    between two pieces is found whole (a prefix of 4,000 characters aside).
    """
    import zipfile

    from .objects import READ_CHUNK  # read when called: tests make it small to cut tags between pieces
    from .sheetxml import NOT_UTF8

    try:
        with zipfile.ZipFile(path) as zf:
            part = sheet_parts(zf).get(sheet)
            if part is None:
                return True
            with zf.open(part) as fh:
                chunk = fh.read(READ_CHUNK)
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<") or NOT_UTF8.match(chunk):
                    return True
                carry = b""
                while chunk:
                    buf = carry + chunk
                    if _FORMULA_TAG.search(buf):
                        return True
                    carry, chunk = buf[-4096:], fh.read(READ_CHUNK)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return True
    return False


def missing_columns(table: Table, new_values) -> list[Refusal]:
    """The columns sync needs to write the people it adds (``new_values``: each new row's values)."""
    needed = [k for k in REFERRAL_KEYS if not table.has(k) and any(not is_blank(v.get(k)) for v in new_values)]
    return [Refusal("missing-column", f"has no {schema.CONTACTS.column(key).header} column, which chart sync needs to "
                                      "add the people your contacts recommended. Add that column header and sync "
                                      "again.", table.sheet, table.ref(table.header_row, "name"))
            for key in needed]


# --------------------------------------------------------------------------- where new columns and rows go


def tool_header(table: Table, spec: schema.Column) -> schema.Column:
    """``spec`` as sync adds it: under ``schema.TOOL_COMMENTS_HEADER`` when the person has a "Comments" column."""
    if spec.key == "comments" and any(isinstance(v, str) and spec.is_named(v) for v in table.headers.values()):
        return dataclasses.replace(spec, header=schema.TOOL_COMMENTS_HEADER)
    return spec


def free_column(start: int, table: Table, objs: SheetObjects, spec: schema.Column, last_row: int) -> int | Refusal:
    """The first column from ``start`` with nothing of the person's from the header row to ``last_row``.

    A merged note, a sparkline, a table or an array formula there would have a
    tool header or value written inside it; such columns are passed over.
    """
    column, blocker = start, None
    while column <= MAX_COLUMNS:
        blocker = objs.meeting(column, table.header_row, column, last_row)
        if blocker is None:
            return column
        column = blocker.bounds[2] + 1
    if blocker is None:
        why = ("your table reaches column XFD, the last column Excel and LibreOffice keep. Clear the columns you do "
               "not need at the right of your table and try again.")
    else:
        why = (f"the columns from {column_letter(start)} to XFD, the last Excel and LibreOffice keep, are taken by "
               f"{blocker.describe()}. {blocker.remedy()} and try again.")
    return Refusal("no-room", f"has no room for the {spec.header} column: {why}", table.sheet,
                   f"{column_letter(min(start, MAX_COLUMNS))}{table.header_row}")


def new_tool_columns(table: Table, grid: list[list], objs: SheetObjects, last_row: int,
                     extra=()) -> tuple[list[tuple[int, schema.Column]], Refusal | None]:
    """Where each tool column ``table`` lacks goes, at the right of the table past what is the person's:
    (column, spec as added) each, and the refusal that stopped the placing, if one did.

    The shape's sync columns, then ``extra`` (chart mail's Replied On, when it adds it)."""
    width = used_width(grid, table, table.last_row)
    placed = []
    for spec in (*table.shape.tool_columns, *extra):
        if table.has(spec.key):
            continue
        spec = tool_header(table, spec)
        where = free_column(width + 1, table, objs, spec, last_row)
        if isinstance(where, Refusal):
            return placed, where
        width = where
        placed.append((where, spec))
    return placed, None


def _rows(n: int) -> str:
    return f"{n} new row" if n == 1 else f"{n} new rows"


def own_table(objs: SheetObjects, table: Table):
    """The Excel table ``table``'s rows live in (its header is the chart's header row), or None."""
    return holding(objs.tables(), table.header_row, table.columns[table.shape.required[0]])


def room(table: Table, new_rows: list[int]) -> Refusal | None:
    """Excel and LibreOffice drop a row past their last when they open the file."""
    beyond = sum(1 for n in new_rows if n > MAX_ROWS)
    if not beyond:
        return None
    return Refusal("no-room", f"has no room for {_rows(beyond)} below row {MAX_ROWS:,}, the last row Excel and "
                              "LibreOffice keep. Delete the rows you do not need at the bottom of the sheet (or move "
                              "them to another sheet) and try again.", table.sheet)


def under_table(table: Table, grid: list[list], objs: SheetObjects, new_rows: list[int],
                right: int) -> Refusal | None:
    """New rows past the chart's Excel table go only on empty rows right under it.

    The table grows over its new rows (``plan.grown_table``): a row under it that
    holds something (a note, merged cells, an array formula) would become part of
    it. The person's rows are never moved, so that refuses. ``right``: the last
    column sync writes on the new rows.
    """
    own = own_table(objs, table)
    if own is None or not new_rows or max(new_rows) <= own.data_end:
        return None
    last = max(new_rows)
    under = own.data_end + 1
    count = _rows(last - own.data_end)
    if own.totals_rows:
        return Refusal("cell-in-the-way", f'your table "{own.name}" ({own.ref}) ends with a Total row, and chart would '
                                          f"add {count} under it. Turn the Total row off (Table Design > Total Row), "
                                          "try again, then turn it back on.", table.sheet,
                       f"{column_letter(own.bounds[0])}{under}")
    # The rows the table will span, as wide as it is or as the cells written there reach.
    first = max(min(new_rows), under)
    right = max(own.bounds[2], table.width, right)
    # (row, column, 0 for an object: named rather than the value in its corner, what it is)
    hits = [(max(o.bounds[1], first), max(o.bounds[0], 1), 0, o.describe()) for o in objs.items
            if o is not own and o.meets(1, first, right, last)]
    data = next(((r, c, 1, "your data") for r in range(first, min(last, len(grid)) + 1)
                 for c in range(1, min(right, len(grid[r - 1])) + 1) if not is_blank(grid[r - 1][c - 1])), None)
    found = min(hits + ([data] if data else []), default=None)
    if found is None:
        return None
    r, c, _, what = found
    row = "the row" if r == under else f"row {r},"
    return Refusal("cell-in-the-way", f'{row} under your table "{own.name}" ({own.ref}) holds {what}, and chart needs '
                                      f"it for {count}. Insert empty rows at the end of the table (or move what is "
                                      "under it) and try again.", table.sheet, f"{column_letter(c)}{r}")


def clear(table: Table, objs: SheetObjects, rows_by_column: dict[int, list[int]],
          headers: dict[int, str]) -> Refusal | None:
    """No cell sync writes on ``table``'s sheet inside an object of the person's (its own Excel table aside).

    ``rows_by_column``: the rows written in each column, sorted (a list or a range);
    ``headers``: the header of each new column.
    """
    own = own_table(objs, table)
    others = [o for o in objs.items if o is not own]
    if not others:
        return None  # most charts: nothing to look up for each of the (many) cells planned
    found = None  # (row, column, object): the first such cell
    for obj in others:
        c1, r1, c2, r2 = obj.bounds
        for column, rows in rows_by_column.items():
            if c1 <= column <= c2:
                i = bisect.bisect_left(rows, r1)
                if i < len(rows) and rows[i] <= r2 and (found is None or (rows[i], column) < found[:2]):
                    found = (rows[i], column, obj)
    if found is None:
        return None
    row, column, obj = found
    header = headers.get(column) or table.headers.get(column, f"column {column_letter(column)}")
    return Refusal("cell-in-the-way", f"chart would write {header} into {obj.describe()}. {obj.remedy()} and try "
                                      "again.", table.sheet, f"{column_letter(column)}{row}")


# --------------------------------------------------------------------------- all of them, for validate


def refusals(chart, grids: dict[str, list[list]], objects: dict[str, SheetObjects], keys: list | None = None,
             ) -> list[Refusal]:
    """Every reason sync would refuse this chart, as validate reports them.

    The cells sync would write are taken as every tool cell of a row with a person
    in it (sync rewrites them as the steps change), every tool cell that holds
    something (sync blanks it), and the new rows' cells; ``grids`` holds the chart's
    sheets (Referrals and Dashboard when they exist); ``keys``, the Contacts rows' keys
    (``People.rows_keys``) when the caller has them.
    """
    from .dashboard import TITLE

    found: list[Refusal] = []
    table = chart.contacts
    grid = grids.get(table.sheet, [])
    objs = objects.get(table.sheet, NOTHING)
    found += foreign_columns(table, grid, objs.links)
    added, fills = recommendations(table, chart.profile.region, keys=keys)
    new_rows = [number for number, *_ in added]
    found += missing_columns(table, [values for *_, values in added])
    if (refused := room(table, new_rows)) is not None:
        found.append(refused)
    last_row = max([table.last_row, *new_rows])
    placed, refused = new_tool_columns(table, grid, objs, last_row)
    if refused is not None:
        found.append(refused)
    tool = [table.columns[k] for k in CONTACT_TOOL_KEYS if table.has(k)] + [c for c, _ in placed]
    # The new rows' own cells: the columns their values go in.
    theirs = {table.columns[k] for *_, values in added for k, v in values.items() if table.has(k) and not is_blank(v)}
    if (refused := under_table(table, grid, objs, new_rows, max([*tool, *theirs], default=0))) is not None:
        found.append(refused)
    if any(o is not own_table(objs, table) for o in objs.items):  # most charts: nothing to look up
        rows_by_column = _tool_cells(table, grid, tool, new_rows, [c for c, _ in placed])
        for c in theirs:
            rows_by_column[c] = sorted(set(rows_by_column.get(c, [])) | set(new_rows))
        for fill in fills:  # the blank cells of people already in the chart that sync fills
            if not fill.conflict:
                rows_by_column[table.columns[fill.key]] = sorted({*rows_by_column.get(table.columns[fill.key], []),
                                                                  fill.row})
        if (refused := clear(table, objs, rows_by_column, {c: spec.header for c, spec in placed})) is not None:
            found.append(refused)

    wanted = chart.want_to_meet
    if wanted is not None:
        wtm_grid = grids.get(wanted.sheet, [])
        wtm_objs = objects.get(wanted.sheet, NOTHING)
        found += foreign_columns(wanted, wtm_grid)
        placed, refused = new_tool_columns(wanted, wtm_grid, wtm_objs, wanted.last_row)
        if refused is not None:
            found.append(refused)
        columns = [wanted.columns["status"]] if wanted.has("status") else [c for c, _ in placed]
        rows_by_column = _tool_cells(wanted, wtm_grid, columns, [], [c for c, _ in placed])
        if (refused := clear(wanted, wtm_objs, rows_by_column, {c: s.header for c, s in placed})) is not None:
            found.append(refused)

    dashboard = schema.DASHBOARD.name
    for sheet, signature, what in ((tool_sheet(chart.sheet_names, schema.REFERRALS),
                                    [c.header for c in schema.REFERRALS.columns], schema.REFERRALS.name),
                                   (dashboard if dashboard in chart.sheet_names else None, [TITLE], dashboard)):
        if (refused := foreign_sheet(grids.get(sheet), sheet, signature, what)) is not None:
            found.append(refused)
    # One error a cell: a merge under the table is both in the new rows' way and where their cells go.
    places = {}
    for refused in found:
        places.setdefault((refused.sheet, refused.cell), refused)
    return list(places.values())


def tool_sheet(names: list[str], shape: schema.SheetShape) -> str | None:
    """The workbook's sheet for a tool sheet's shape (Referrals), by its name or an alias."""
    return next((n for n in names if shape.matches_name(n)), None)


def _tool_cells(table: Table, grid: list[list], columns, new_rows: list[int], new_columns: list[int]):
    """The rows sync may write in each tool column: the header of a new one, every row with a person
    in it, every row whose tool cell holds something, and the new rows."""
    people = [r.number for r in table.rows]
    out: dict[int, list[int]] = {}
    for c in columns:
        rows = set(people) | set(new_rows)
        rows.update(r for r in range(table.header_row + 1, table.last_row + 1) if not is_blank(cell(grid, r, c)))
        if c in new_columns:
            rows.add(table.header_row)
        out[c] = sorted(rows)
    return out


# --------------------------------------------------------------------------- every plan, before it is written


def read_objects(chart: Chart) -> dict[str, SheetObjects]:
    """What the person placed on the sheets a sync writes cells into (Contacts, Want to Meet)."""
    sheets = [t.sheet for t in (chart.contacts, chart.want_to_meet) if t is not None]
    return sheet_objects(chart.path, sheets)


def check_layout(plan: SyncPlan, chart: Chart, grids: dict[str, list[list]],
                 objects: dict[str, SheetObjects]) -> None:
    """Refuse a plan that puts a cell where Excel drops it or inside something of the person's.

    Every plan goes through this before anything is written (sync's and import's):
    no row past 1,048,576 (new tool columns past XFD are refused where they are
    placed, ``free_column``); new rows in the chart's Excel table or on
    empty rows right under it; no cell inside a merge, sparkline, array formula,
    pivot table or another table. The checks are placement's, which validate runs too.
    """
    table = chart.contacts
    new_rows = [n.number for n in plan.new_rows]
    if new_rows:
        first = max(min(new_rows), 1)
        right = max([w.column for w in plan.writes if w.sheet == table.sheet and w.row >= first], default=0)
        if plan.appended is not None and plan.appended.sheet == table.sheet:
            right = max(right, plan.appended.right(first))
        for refused in (room(table, new_rows),
                        under_table(table, grids[table.sheet], objects.get(table.sheet, NOTHING), new_rows,
                                              right)):
            if refused is not None:
                raise refused.error(chart.path)
    for t in (table, chart.want_to_meet):
        if t is not None and t.sheet in objects:
            rows_by_column: dict[int, list[int]] = {}
            if plan.appended is not None and plan.appended.sheet == t.sheet and objects[t.sheet].items:
                rows_by_column = plan.appended.columns()  # the block's cells, as if each were a write (where
                # nothing of the person's is on the sheet, clear() has nothing to look up)
            for w in plan.writes:
                if w.sheet == t.sheet:
                    rows_by_column.setdefault(w.column, []).append(w.row)
            for c in plan.new_columns:
                if c.sheet == t.sheet:
                    rows_by_column.setdefault(c.column, []).append(c.header_row)
            for rows in rows_by_column.values():
                rows.sort()
            headers = {c.column: c.spec.header for c in plan.new_columns if c.sheet == t.sheet}
            refused = clear(t, objects[t.sheet], rows_by_column, headers)
            if refused is not None:
                raise refused.error(chart.path)
