"""Reading a workbook's sheets as grids: rows of plain cell values.

Owns the ``Sheets`` reader (python-calamine for most sheets; openpyxl streaming for a sheet
whose grid would be far larger than the cells in it, decided by a byte scan of its XML for
the far corner; that scan also splits each sheet part for ``objects.sheet_objects`` when asked, so
that validate inflates it once), ``read_grids``, the cleaning of values (whole floats to ints, "" to
blank) and ``gc_paused``. Every reader opens the file through ``filecheck`` first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
import zipfile
from pathlib import Path

from .errors import ChartError, UnreadableWorkbook
from .filecheck import BACKUP_HINT, check_workbook_file, sheet_parts
from .objects import SheetSplit, column_index, column_letter


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
# A sheet's XML is scanned for its cell references this many bytes at a time (a tunable:
# the tests set it small to put chunk boundaries inside cell tags).
SCAN_CHUNK = 4 * 1024 * 1024
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

    def __init__(self, path, *, hint: str = BACKUP_HINT, frames: bool = False):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.hint = hint  # how to get a damaged file back (check_workbook_file)
        # With ``frames``: each sheet part the guard (fits_a_grid) read through, split as objects.sheet_objects
        # splits it (part → objects.SheetSplit.finish()), so that validate inflates it once, not twice.
        self.frames: dict[str, tuple] | None = {} if frames else None
        check_workbook_file(self.path, hint=hint)
        self._zip = zipfile.ZipFile(self.path)
        self._stream_book = None
        try:
            self._parts = sheet_parts(self._zip, set(self._zip.namelist()), self.path)
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
        return all(_grid_fits(self._zip, part, self.frames) for part in parts)

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
    if value.__class__ is str and "_x00" in value:
        value = _EXCEL_ESCAPE.sub(_unescaped, value)
    return _clean_value(value)


# A cell's text may hold Excel's escapes "_x00HH_" (a control character; "_x005F_" for "_", written before
# text that looks like one): calamine reads each as its character (and keeps every other "_xHHHH_" as it is),
# openpyxl none. The streamed rows read them as calamine does, or one chart would read two ways.
_EXCEL_ESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2})_")


def _unescaped(match: re.Match) -> str:
    return chr(int(match.group(1), 16))


def _grid_fits(zf: zipfile.ZipFile, part: str, frames: dict | None = None) -> bool:
    """Whether python-calamine may read this sheet part as a grid (see ``DENSE_CELLS``).

    calamine places a cell by its r="…" attribute (the last one when there are two),
    or, without one, after the cell before it; it takes the grid's size from the
    rows and columns of every cell with a value. The quick way: every cell tag
    starts with a plain reference within the sheet's <dimension>. Otherwise (a cell
    beyond the stated dimension, no dimension) the size comes from every reference,
    and a sheet whose cells cannot all be placed that way is streamed.

    ``frames``: where to put the part split as ``objects.sheet_objects`` splits it, from
    the bytes the quick way reads (left out when it stops early).
    """
    with zf.open(part) as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False  # UTF-16: none of the byte patterns here would see its cells
    claim = _DIMENSION.search(head)
    if claim is not None:
        cols, rows = _ref_size(claim.group(3) or claim.group(1), claim.group(4) or claim.group(2))
        odd = (_outside(cols, rows), _LATE_REF, _PREFIXED_CELL)
        split = SheetSplit() if frames is not None else None
        plain = True
        for w, start, end in _windows(zf, part):
            if split is not None:
                try:
                    split.feed(w[start:end])
                except ValueError:  # an array formula's reference that is not one: sheet_objects reads it its way
                    split = None
            if any(_found(p, w, start, end) for p in odd):
                plain = False
                break
        if plain and split is not None:
            try:
                frames[part] = split.finish()
            except ValueError:
                pass
        if plain and _small_enough(zf, part, cols * rows):
            return True
    size = _size_from_references(zf, part)
    return size is not None and _small_enough(zf, part, size)


def _windows(zf: zipfile.ZipFile, part: str):
    """(bytes, start, end) for each chunk of the part: search ``bytes`` for matches that begin in [start, end)."""
    with zf.open(part) as fh:
        before = b""
        chunk = fh.read(SCAN_CHUNK)
        while chunk:
            after = fh.read(SCAN_CHUNK)
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
    # Most cells are text, which stays as it is ("" becomes blank: calamine's empty cell), and most
    # others dates, which stay as they are too (what _clean_value gives them); only the rest need a call.
    return [(value or None) if (kind := value.__class__) is str else value if kind is _DATE else _clean_value(value)
            for value in row]


_DATE = dt.date


def _clean_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
