"""A plan of changes to a chart, and the rules every writer and planner obeys.

Owns the plan's records (``SyncPlan`` and what it holds: ``CellWrite``, ``AppendedRows``,
``NewColumn``, ``NewRow``, ``Fill``, ``StepChange``, ``Referral``; ``SyncResult``) and the
rules both the planners (``sync``, ``importer``) and the writer (``xlsxpatch``,
``readback``) must agree on, each defined once here: the characters an .xlsx
cannot hold, the 32,767-character cell cap, how text is stored to read back as
written, when a cell already holds a value, and how a table and its filter grow.

It imports nothing above it (only ``schema`` and ``fields``), so every module may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .fields import is_blank, to_date

# Excel's limit for one cell, in UTF-16 units (an emoji counts two): a longer cell makes Excel
# "repair" the file and cut it. Text the tool writes is cut to it with a visible mark.
MAX_CELL_TEXT = 32_767
CUT_MARK = "…"
# Characters an .xlsx cannot hold: XML 1.0 forbids them, and openpyxl refuses them
# (IllegalCharacterError) or lxml fails on save. They still reach the tool: Excel
# stores a control character as "_x0001_", which the reader turns back into one,
# and a CSV or a command-line value may carry them.
NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """``value`` with the characters a workbook cannot hold removed (text only; others as they are)."""
    return NOT_IN_XLSX.sub("", value) if isinstance(value, str) else value


def cell_text(value):
    """``value`` as a cell can hold it: ``xml_text``, and cut to MAX_CELL_TEXT ending in CUT_MARK.

    Every cell the tool writes goes through this (``CellWrite``, the rows of the
    sheets it rebuilds), and so does the comparison that decides whether a cell
    must change, so that a cut cell reads back as planned and a second sync
    changes nothing.
    """
    value = xml_text(value)
    # len() counts code points, never more than UTF-16 units: most text needs no encoding to know.
    if not isinstance(value, str) or len(value) <= MAX_CELL_TEXT // 2:
        return value
    units = value.encode("utf-16-le")
    if len(units) <= 2 * MAX_CELL_TEXT:
        return value
    # Cut on a unit boundary; "ignore" drops half an emoji rather than leave a lone surrogate.
    return units[: 2 * (MAX_CELL_TEXT - len(CUT_MARK))].decode("utf-16-le", "ignore") + CUT_MARK


# Excel (and the reader) take "_x0041_" in a cell's XML for the character it codes, "A": text
# typed like that must be stored as "_x005F_x0041_" to read back as typed.
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def stored_text(value):
    """Text as a cell must store it to read back as written (others as they are)."""
    # The search only where it can match ("_x"): asked of every text cell written.
    return _LOOKS_ESCAPED.sub("_x005F_", value) if isinstance(value, str) and "_x" in value else value


@dataclass(frozen=True, slots=True)  # slots: a first sync of 10k rows makes ~60k of them
class CellWrite:
    """One cell the plan writes: its value, made ``cell_text``, and for a Draft cell its link."""

    sheet: str
    row: int
    column: int
    value: object
    link: bool = False  # the cell's hyperlink becomes ``url`` (None: the cell loses its link)
    url: str | None = None

    def __post_init__(self):
        # A name from a Recommended cell or a comment quoting a cell may hold a control
        # character; written as is, it would stop the save. A Next Step listing many long
        # names may run past what a cell holds.
        object.__setattr__(self, "value", cell_text(self.value))


class AppendedRows:
    """New rows below a table planned as one block (an import's people): ``cells[i]`` is row ``first + i``,
    its (column, value) pairs in column order.

    The same cells as one ``CellWrite`` each, which ``writes()`` gives back, and
    which every reader of a plan treats them as: a block's cells come before the
    plan's ``writes`` (of two to one cell, the write wins). A block carries no links,
    and each value is made ``cell_text`` as a ``CellWrite`` makes it. Held as plain
    tuples because an import of 100,000 people would make half a million
    ``CellWrite``s; the writer turns the block into row bytes in one pass and the
    read-back compares against these records.
    """

    __slots__ = ("sheet", "first", "cells")

    def __init__(self, sheet: str, first: int):
        self.sheet, self.first = sheet, first
        self.cells: list[tuple[tuple[int, object], ...]] = []

    def add(self, cells: dict[int, object]) -> None:
        """The next row: {column: value}, blank values already left out."""
        items = sorted(cells.items())
        try:
            joined = "".join(cells.values())
        except TypeError:  # a value that is not text
            joined = None
        # cell_text changes no text of a row whose texts together hold no character an .xlsx cannot hold (the
        # set is of single characters: a join makes no new match) and are short of half the cap: asked at once.
        if joined is not None and len(joined) <= MAX_CELL_TEXT // 2 and not NOT_IN_XLSX.search(joined):
            self.cells.append(tuple(items))
        else:
            self.cells.append(tuple((c, cell_text(v)) for c, v in items))

    @property
    def last(self) -> int:
        """The last row's number (``first - 1`` while empty)."""
        return self.first + len(self.cells) - 1

    def right(self, first: int = 0) -> int:
        """The rightmost column written in the rows from ``first`` on (0: none)."""
        return max((row[-1][0] for row in self.cells[max(first - self.first, 0):] if row), default=0)

    def columns(self) -> dict[int, list[int]]:
        """Each column written → the rows written in it, in order."""
        found: dict[int, list[int]] = {}
        for number, row in enumerate(self.cells, start=self.first):
            for c, _ in row:
                found.setdefault(c, []).append(number)
        return found

    def writes(self) -> list[CellWrite]:
        """The block as the ``CellWrite``s of the general path, in row then column order."""
        return [CellWrite(self.sheet, number, c, v)
                for number, row in enumerate(self.cells, start=self.first) for c, v in row]


@dataclass(frozen=True)
class NewColumn:
    """A tool column added to a sheet: where its header goes, and its schema column."""

    sheet: str
    header_row: int
    column: int
    spec: schema.Column


@dataclass(frozen=True)
class NewRow:
    """A Contacts row added for a person named in someone's Recommended cell."""

    number: int
    name: str
    referred_by: str
    values: dict


@dataclass(frozen=True)
class Fill:
    """A detail a Recommended entry gives for someone already in the chart.

    ``typed`` is None when their cell was blank and the plan fills it (a ``CellWrite``
    goes with it); otherwise it is what their cell holds, which differs and is kept.
    """

    row: int  # the person's row
    name: str  # their Name, as their row has it
    recommender: str
    recommender_row: int
    key: str  # the column's schema key
    header: str  # the column's header, as the chart spells it
    where: str  # the cell, as "Contacts!H7"
    value: str
    typed: object = None

    @property
    def conflict(self) -> bool:
        return self.typed is not None


@dataclass(frozen=True)
class StepChange:
    """A contact whose Next Step changes: the step before and after, and its new due day."""

    row: int
    name: str
    before: str
    after: str
    due: dt.date | None


@dataclass(frozen=True)
class Referral:
    """A row of the Referrals sheet: who referred whom, the chain back to the first contact, its depth."""

    person: str
    referred_by: str
    chain: str
    depth: int
    stage: str


@dataclass
class SyncPlan:
    """Everything a sync would change, and what it found on the way."""

    today: dt.date
    writes: list[CellWrite] = field(default_factory=list)
    new_columns: list[NewColumn] = field(default_factory=list)
    new_rows: list[NewRow] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)  # blank cells filled, and differing details kept
    step_changes: list[StepChange] = field(default_factory=list)
    problems: list = field(default_factory=list)  # validate.Problem each
    referrals: list[Referral] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    referrals_sheet: list[list] | None = None  # the rows to write, when the sheet must change
    dashboard_sheet: list[list] | None = None  # likewise for the Dashboard
    want_to_meet_updates: int = 0
    steps: dict = field(default_factory=dict)  # row number → stages.NextStep
    notes: list[str] = field(default_factory=list)  # things to tell the person that are not problems in a cell
    appended: AppendedRows | None = None  # new rows' cells as one block (an import's), besides ``writes``

    @property
    def changed(self) -> bool:
        return bool(self.writes or self.new_columns or self.new_rows or self.referrals_sheet is not None
                    or self.dashboard_sheet is not None or (self.appended is not None and self.appended.cells))


@dataclass
class SyncResult:
    """What a sync or import did: its plan, whether the file was written, and the backup it kept."""

    path: Path
    plan: SyncPlan
    written: bool = False
    backup: Path | None = None
    dry_run: bool = False


# --------------------------------------------------------------------------- comparing cells


def same_value(old, new) -> bool:
    """Whether a cell already holds what the tool would write (blank equals None)."""
    if type(new) is str and type(old) is str:  # most cells a sync compares: the rules below, for two texts
        if not old.strip() or not new.strip():
            return not old.strip() and not new.strip()
        return old == cell_text(new)
    if old is None and new is None:
        return True
    if is_blank(old) and is_blank(new):
        return True
    if is_blank(old) or is_blank(new):
        return False
    if isinstance(new, bool) or isinstance(old, bool):
        # bool is an int to Python: True == 1, but a TRUE cell is not the number 1.
        return isinstance(new, bool) and isinstance(old, bool) and old == new
    if isinstance(new, dt.datetime):
        # A person's date and time (a meeting at 14:00), read back from a written file:
        # to_date below would drop the time, and a date never equals a datetime.
        return isinstance(old, dt.datetime) and old == new
    if isinstance(new, dt.date):
        if type(old) is dt.date and old == new:
            return True  # also a date to_date refuses as a typo (year 3026), read back from a written file
        try:
            return to_date(old) == new
        except ValueError:
            return False
    if isinstance(new, str):
        return isinstance(old, str) and old == cell_text(new)  # as written: see CellWrite
    if isinstance(new, (int, float)) and isinstance(old, (int, float)) and not isinstance(old, bool):
        return old == new
    return type(old) is type(new) and old == new  # a time of day, a duration


# --------------------------------------------------------------------------- growing tables and filters


def grown_table(table, plan: SyncPlan, bounds: tuple[int, int, int, int]):
    """An Excel table's new (min_col, min_row, max_col, max_row) taking the new rows, or None if it stays.

    An Excel table keeps its columns: adding table columns would rename the
    person's structured references.
    """
    min_col, min_row, max_col, max_row = bounds
    last = _last_row(table, plan)
    ours = min_row == table.header_row and min_col <= table.columns[table.shape.required[0]] <= max_col
    return (min_col, min_row, max_col, last) if ours and max_row < last else None


def grown_filter(table, plan: SyncPlan, bounds: tuple[int, int, int, int]):
    """The sheet filter's new bounds: the new rows, and the tool columns added at its right (to filter by
    Stage); None for a filter that is not over the table."""
    min_col, min_row, max_col, max_row = bounds
    if min_row != table.header_row:
        return None
    added = [c.column for c in plan.new_columns if c.sheet == table.sheet]
    right = max([max_col] + [c for c in added if c == max_col + 1 + added.index(c)])
    return min_col, min_row, right, max(max_row, _last_row(table, plan))


def _last_row(table, plan: SyncPlan) -> int:
    return max([n.number for n in plan.new_rows if table.shape is schema.CONTACTS] + [table.last_row])
