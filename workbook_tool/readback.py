"""The read-back check: the new file, re-read, holds every user cell as it was and every planned cell (and link)
as planned.

Owns ``verify_written``, which ``writer.update_chart`` runs on the temporary file
before it may replace the workbook: a difference is a ``WriteFailed`` and the
original stays as it was.
"""

from __future__ import annotations

import itertools
from operator import attrgetter
from pathlib import Path

from . import schema
from .dashboard import SHEET as DASHBOARD
from .errors import ChartError, WriteFailed
from .grids import Sheets, read_grids
from .objects import column_letter, each_link
from .plan import CellWrite, SyncPlan, same_value
from .schema import find_sheet
from .workbook import Chart, chart_from_grids, chart_sheet_names


def verify_written(tmp: Path, before: dict[str, list[list]], plan: SyncPlan, chart: Chart) -> None:
    """Re-read the new file: every user cell must be as it was (a formula's cached result too), every planned
    cell as planned.

    One sheet at a time, so a large chart is never held twice.
    """
    # Each sheet's planned cells in row order (references, not a dict per row: at 100k rows
    # that would cost more than the rows themselves); of two writes to a cell the later wins.
    planned: dict[str, list[CellWrite]] = {}
    for w in plan.writes:
        planned.setdefault(w.sheet, []).append(w)
    for c in plan.new_columns:
        planned.setdefault(c.sheet, []).append(CellWrite(c.sheet, c.header_row, c.column, c.spec.header))
    for writes in planned.values():
        writes.sort(key=attrgetter("row"))
    referrals = next((n for n in chart.sheet_names if schema.REFERRALS.matches_name(n)), schema.REFERRALS.name)
    heads: dict[str, list[list]] = {}  # enough of each sheet to find the chart in it again
    book = None
    try:
        book = Sheets(tmp)
        names = book.names
        # Small sheets are kept whole for that; of the others (Contacts) only the rows that hold headers.
        whole = {find_sheet(names, shape) for shape in (schema.PROFILE_SHEET, schema.WANT_TO_MEET, schema.TEMPLATES)}
        read = chart_sheet_names(before, tool_sheets=True)  # the sheets sync read (writer.update_chart)
        copied = _copied_sheets(chart.path, tmp, set(names) - read)
        for sheet in names:
            if sheet in copied:
                continue  # a person's other sheet, stored as it was: byte for byte the original's
            rows = book.rows(sheet)  # every other sheet is read, the tool's too: all must be readable
            if sheet in whole:
                rows = heads[sheet] = list(rows)
            else:
                rows = _keeping_head(rows, heads.setdefault(sheet, []), schema.HEADER_SEARCH_ROWS + 1)
            if sheet in before and sheet not in (referrals, DASHBOARD):
                # A sheet sync did not read, yet not copied as stored (rare: see _copied_sheets), is compared
                # with the original's cells.
                old = before[sheet] if sheet in read else read_grids(chart.path, [sheet])[sheet]
                block = plan.appended if plan.appended is not None and plan.appended.sheet == sheet else None
                _compare_sheet(sheet, old, rows, planned.get(sheet, []), chart, block)
            else:
                for _ in rows:
                    pass
        chart_from_grids(tmp, heads)  # still a chart: its sheets, headers and Profile are found
    except ChartError as exc:
        if isinstance(exc, WriteFailed):
            raise
        # Name the person's file, not the temporary one, which is about to be removed.
        raise WriteFailed(f"the new version could not be read back ({exc.message}); nothing was changed. Please "
                          "report this.", path=chart.path) from None
    finally:
        if book is not None:
            book.close()
    _compare_links(tmp, plan, chart)
    for sheet in before:
        if sheet not in names and sheet not in (referrals, DASHBOARD):
            raise WriteFailed(f"the new version lost the sheet {sheet!r}; nothing was changed. Please report this.",
                              path=chart.path)


def _compare_links(tmp: Path, plan: SyncPlan, chart: Chart) -> None:
    """Each link the plan set (a Draft cell's) reads back as planned: the value read back is only its label."""
    wanted: dict[tuple[str, str], str | None] = {}
    for w in plan.writes:
        if w.link:
            wanted[(w.sheet, f"{column_letter(w.column)}{w.row}")] = w.url
    if not wanted:
        return
    # Each link read is compared as it comes and let go (a first sync's are 12 MB of URLs at 10,000 rows:
    # held all at once, the read-back's peak memory). Of a cell given twice, the last URL counts.
    differs: dict[tuple[str, str], str | None] = {}  # each cell read whose URL is not the planned one
    seen: set[tuple[str, str]] = set()
    for sheet in sorted({sheet for sheet, _ in wanted}):
        for ref, got in each_link(tmp, sheet):
            key = (sheet, ref)
            if key not in wanted:
                continue
            seen.add(key)
            if got == wanted[key]:
                differs.pop(key, None)
            else:
                differs[key] = got[:60]
    for (sheet, ref), url in wanted.items():  # the first in the plan's order is named
        if (sheet, ref) in differs or ((sheet, ref) not in seen and url is not None):
            got = differs.get((sheet, ref))
            raise WriteFailed(f"the new version did not read back the link behind {sheet}!{ref} as it should "
                              f"({(url or 'no link')[:60]!r} became {(got or 'no link')[:60]!r}); nothing was "
                              "changed. Please report this.", path=chart.path)


def _copied_sheets(original: Path, tmp: Path, candidates: set[str]) -> set[str]:
    """Of ``candidates`` (sheets sync neither read nor wrote), those whose stored bytes in ``tmp`` are the
    original's: they need no reading back, so a large sheet of the person's beside the chart costs a sync
    only its copying. (The writer copies them as stored; were one written anew, it is compared cell by cell.)"""
    import zipfile

    from .objects import sheet_parts
    from .xlsxpackage import stored_bytes

    if not candidates:
        return set()
    found = set()
    with zipfile.ZipFile(original) as old, zipfile.ZipFile(tmp) as new:
        old_parts, new_parts = sheet_parts(old), sheet_parts(new)
        for sheet in candidates:
            a, b = old_parts.get(sheet), new_parts.get(sheet)
            if a is None or b is None or a != b:
                continue
            try:
                x, y = old.getinfo(a), new.getinfo(b)
            except KeyError:
                continue
            if (x.CRC, x.file_size, x.compress_type) == (y.CRC, y.file_size, y.compress_type) \
                    and stored_bytes(old, x) == stored_bytes(new, y) is not None:
                found.add(sheet)
    return found


def _keeping_head(rows, head: list, n: int):
    """``rows`` passed through, the first ``n`` also kept in ``head``."""
    for row in rows:
        if len(head) < n:
            head.append(row)
        yield row


def _compare_sheet(sheet, grid, new_rows, writes, chart, block=None) -> None:
    """Each row read back (``new_rows``, one at a time) against the row before with ``writes`` (in row order) and
    the rows of ``block`` (a ``plan.AppendedRows``: its cells first, a write to the same cell wins)."""
    i = 0
    first, last = (block.first, block.last) if block is not None else (0, -1)
    checked = 0  # the rows up to this one are compared
    for r, got in enumerate(itertools.chain(new_rows, itertools.repeat(None, len(grid))), start=1):
        if got is None and r > len(grid):
            break
        checked = r
        # The row as it should read: as before, with the planned cells. Most rows read
        # back exactly that (same values, same types: TRUE is not 1), checked at once;
        # the others cell by cell, where a date may equal a date-time and so on.
        before = grid[r - 1] if r <= len(grid) else []
        in_block = first <= r <= last
        if not before and (i == len(writes) or writes[i].row > r):
            if not in_block:
                if not got:
                    continue  # empty, as planned: a sheet with a stray cell far below has a million such rows
            elif got and _holds_only(got, block.cells[r - first]):
                continue  # a new row of the block, read back as its record (most of an import's rows)
        want_row = list(before)
        planned = dict(block.cells[r - first]) if in_block else {}
        while i < len(writes) and writes[i].row <= r:
            if writes[i].row == r:
                planned[writes[i].column] = writes[i].value
            i += 1
        for c, value in planned.items():
            if c > len(want_row):
                want_row.extend([None] * (c - len(want_row)))
            want_row[c - 1] = value
        got_row = list(got) if got is not None else []
        while want_row and want_row[-1] is None:
            want_row.pop()
        while got_row and got_row[-1] is None:
            got_row.pop()
        if want_row == got_row and list(map(type, want_row)) == list(map(type, got_row)):
            continue
        for c in range(1, max(len(want_row), len(got_row)) + 1):
            want = planned[c] if c in planned else (before[c - 1] if c <= len(before) else None)
            value = got_row[c - 1] if c <= len(got_row) else None
            if not same_value(value, want) and not (isinstance(want, str) and value == want):
                _differs(sheet, r, c, want, value, chart)
    # Planned cells below the last row read back are missing from the new file, unless they are blank.
    missing = [(w.row, w.column, w.value) for w in writes[i:]]
    start = max(checked + 1, first)
    if start <= last:
        missing += [(n, c, v) for n, row in enumerate(block.cells[start - first:], start=start) for c, v in row]
    for row, column, want in missing:
        if not same_value(None, want):
            _differs(sheet, row, column, want, None, chart)


def _holds_only(got: list, cells) -> bool:
    """Whether a row read back holds the (column, value) ``cells``, each of its type, and no other value."""
    for c, value in cells:
        if c > len(got) or got[c - 1] != value or type(got[c - 1]) is not type(value):
            return False
    return len(got) - got.count(None) == len(cells)


def _differs(sheet, row, column, want, got, chart):
    raise WriteFailed(f"the new version did not read back {sheet}!{column_letter(column)}{row} as it should "
                      f"({want!r} became {got!r}); nothing was changed. Please report this.", path=chart.path)
