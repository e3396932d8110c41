"""Where a plan may put cells: past nothing the person placed, inside what Excel and LibreOffice keep.

Owns the rules every plan meets before anything is written (``check_layout``,
called by ``writer.update_chart`` for sync and import alike): no row past
1,048,576 and no column past XFD; new rows inside the chart's Excel table or on
empty rows right under it; no cell inside a merge, sparkline, array formula,
pivot table or another table. The planners use ``free_column`` and
``check_room`` to place new columns and rows.
"""

from __future__ import annotations

from . import schema
from .errors import RefusedToWrite
from .objects import MAX_COLUMNS, MAX_ROWS, NOTHING, SheetObjects, holding, sheet_objects
from .fields import is_blank
from .plan import SyncPlan, grid_value
from .workbook import Chart, Table, column_letter


def read_objects(chart: Chart) -> dict[str, SheetObjects]:
    """What the person placed on the sheets a sync writes cells into (Contacts, Want to Meet)."""
    sheets = [t.sheet for t in (chart.contacts, chart.want_to_meet) if t is not None]
    return sheet_objects(chart.path, sheets)


def _own_table(objs: SheetObjects, table: Table):
    """The Excel table ``table``'s rows live in (its header is the chart's header row), or None."""
    return holding(objs.tables(), table.header_row, table.columns[table.shape.required[0]])


def free_column(start: int, table: Table, objs: SheetObjects, spec: schema.Column, path) -> int:
    """The first column from ``start`` with nothing of the person's from the header row to the table's last.

    A merged note, a sparkline, a table or an array formula there would have a
    tool header or value written inside it; such columns are passed over.
    """
    column, blocker = start, None
    while column <= MAX_COLUMNS:
        blocker = objs.meeting(column, table.header_row, column, table.last_row)
        if blocker is None:
            return column
        column = blocker.bounds[2] + 1
    if blocker is None:
        why = ("your table reaches column XFD, the last column Excel and LibreOffice keep. Clear the columns you do "
               "not need at the right of your table and try again.")
    else:
        why = (f"the columns from {column_letter(start)} to XFD, the last Excel and LibreOffice keep, are taken by "
               f"{blocker.describe()}. {blocker.remedy()} and try again.")
    raise RefusedToWrite(f"has no room for the {spec.header} column: {why}", path=path, sheet=table.sheet,
                         cell=f"{column_letter(min(start, MAX_COLUMNS))}{table.header_row}")


def _new_rows(n: int) -> str:
    return f"{n} new row" if n == 1 else f"{n} new rows"


def check_layout(plan: SyncPlan, chart: Chart, grids: dict[str, list[list]],
                 objects: dict[str, SheetObjects]) -> None:
    """Refuse a plan that puts a cell where Excel drops it or inside something of the person's.

    Every plan goes through this before anything is written (sync's and import's):
    no row past 1,048,576 (new tool columns past XFD are refused where they are
    placed, ``free_column``); new rows in the chart's Excel table or on empty rows
    right under it; no cell inside a merge, sparkline, array formula, pivot table
    or another table.
    """
    table = chart.contacts
    if plan.new_rows:
        check_room(plan, table, chart.path)
        _check_under_table(plan, table, grids[table.sheet], objects.get(table.sheet, NOTHING), chart.path)
    for t in (table, chart.want_to_meet):
        if t is not None and t.sheet in objects:
            _check_clear(plan, t, objects[t.sheet], chart.path)


def check_room(plan: SyncPlan, table: Table, path) -> None:
    """Excel and LibreOffice drop a row past their last when they open the file."""
    beyond = sum(1 for n in plan.new_rows if n.number > MAX_ROWS)
    if beyond:
        raise RefusedToWrite(f"has no room for {_new_rows(beyond)} below row {MAX_ROWS:,}, the last row Excel and "
                             "LibreOffice keep. Delete the rows you do not need at the bottom of the sheet (or move "
                             "them to another sheet) and try again.", path=path, sheet=table.sheet)


def _check_under_table(plan: SyncPlan, table: Table, grid: list[list], objs: SheetObjects, path) -> None:
    """New rows past the chart's Excel table go only on empty rows right under it.

    The table grows over its new rows (``grown_table``): a row under it that
    holds something (a note, merged cells, an array formula) would become part of
    it. The person's rows are never moved, so that refuses.
    """
    own = _own_table(objs, table)
    last = max(n.number for n in plan.new_rows)
    if own is None or last <= own.data_end:
        return
    under = own.data_end + 1
    count = _new_rows(last - own.data_end)
    if own.totals_rows:
        raise RefusedToWrite(f'your table "{own.name}" ({own.ref}) ends with a Total row, and chart would add {count} '
                             "under it. Turn the Total row off (Table Design > Total Row), try again, then turn it "
                             "back on.", path=path, sheet=table.sheet, cell=f"{column_letter(own.bounds[0])}{under}")
    # The rows the table will span, as wide as it is or as the cells written there reach.
    first = max(min(n.number for n in plan.new_rows), under)
    right = max([own.bounds[2], table.width] + [w.column for w in plan.writes if w.sheet == table.sheet
                                                 and w.row >= first])
    # (row, column, 0 for an object: named rather than the value in its corner, what it is)
    hits = [(max(o.bounds[1], first), max(o.bounds[0], 1), 0, o.describe()) for o in objs.items
            if o is not own and o.meets(1, first, right, last)]
    data = next(((r, c, 1, "your data") for r in range(first, min(last, len(grid)) + 1)
                 for c in range(1, min(right, len(grid[r - 1])) + 1) if not is_blank(grid[r - 1][c - 1])), None)
    found = min(hits + ([data] if data else []), default=None)
    if found is not None:
        r, c, _, what = found
        row = "the row" if r == under else f"row {r},"
        raise RefusedToWrite(f'{row} under your table "{own.name}" ({own.ref}) holds {what}, and chart needs it for '
                             f"{count}. Insert empty rows at the end of the table (or move what is under it) and try "
                             "again.", path=path, sheet=table.sheet, cell=f"{column_letter(c)}{r}")


def note_names_under_table(plan: SyncPlan, table: Table, grid: list[list], objs: SheetObjects) -> None:
    """Say so when names sit under the chart's Excel table: they are not read as contacts.

    Excel grows a table as you type under it; other programs may not, and people
    typed there would get no Stage or Next Step without a word.
    """
    own = _own_table(objs, table)
    if own is None:
        return
    column = table.columns[table.shape.required[0]]
    r = next((r for r in range(own.bounds[3] + 1, len(grid) + 1) if not is_blank(grid_value(grid, r, column))), None)
    if r is not None:
        plan.notes.append(f'{table.sheet}!{column_letter(column)}{r} ("{str(grid_value(grid, r, column))[:40]}") and '
                          f'anything else under your table "{own.name}" ({own.ref}) is not read as a contact. If '
                          "it is one, resize the table over it (Table Design > Resize Table) and sync again.")


def _check_clear(plan: SyncPlan, table: Table, objs: SheetObjects, path) -> None:
    """No planned cell of ``table``'s sheet inside an object of the person's (its own Excel table aside)."""
    import bisect

    own = _own_table(objs, table)
    others = [o for o in objs.items if o is not own]
    if not others:
        return  # most charts: nothing to look up for each of the (many) cells planned
    rows_by_column: dict[int, list[int]] = {}
    for w in plan.writes:
        if w.sheet == table.sheet:
            rows_by_column.setdefault(w.column, []).append(w.row)
    for c in plan.new_columns:
        if c.sheet == table.sheet:
            rows_by_column.setdefault(c.column, []).append(c.header_row)
    for rows in rows_by_column.values():
        rows.sort()
    found = None  # (row, column, object): the first such cell
    for obj in others:
        c1, r1, c2, r2 = obj.bounds
        for column, rows in rows_by_column.items():
            if c1 <= column <= c2:
                i = bisect.bisect_left(rows, r1)
                if i < len(rows) and rows[i] <= r2 and (found is None or (rows[i], column) < found[:2]):
                    found = (rows[i], column, obj)
    if found is None:
        return
    row, column, obj = found
    spec = next((c.spec for c in plan.new_columns if c.sheet == table.sheet and c.column == column), None)
    header = spec.header if spec is not None else table.headers.get(column, f"column {column_letter(column)}")
    raise RefusedToWrite(f"chart would write {header} into {obj.describe()}. {obj.remedy()} and try again.",
                         path=path, sheet=table.sheet, cell=f"{column_letter(column)}{row}")
