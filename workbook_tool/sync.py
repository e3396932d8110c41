"""``chart sync``: bring the tool-owned parts of a chart up to date, losing nothing.

The work is split in two. ``plan_sync`` is pure: from the cell values it works
out every tool-owned cell that should change — Stage, Next Step, Follow-Up On and
Comments in Contacts, new rows for people recommended, Status in Want to Meet,
the Referrals sheet. Only when that plan is not empty is a new file written:
``xlsxpatch``, the one writer, rewrites just the changed rows and parts and
copies every other byte, and ``writer`` replaces the file safely. A sync with
nothing to do never rewrites the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import placement, schema, stages
from .errors import ChartError, WriteFailed
from .fields import is_blank, name_key, to_date
from .objects import NOTHING, SheetObjects, sheet_objects
from .placement import CONTACT_TOOL_KEYS, cell as _cell
from .validate import ERROR, Problem, chart_problems
from .workbook import Chart, Row, Sheets, Table, chart_from_grids, column_letter, find_sheet, read_grids

# Excel's limit for one cell, in UTF-16 units (an emoji counts two): a longer cell makes Excel
# "repair" the file and cut it. Text the tool writes is cut to it with a visible mark.
MAX_CELL_TEXT = 32_767
CUT_MARK = "…"
ARROW = " → "
# Characters an .xlsx cannot hold: XML 1.0 forbids them, and openpyxl refuses them
# (IllegalCharacterError) or lxml fails on save. They still reach the tool: Excel
# stores a control character as "_x0001_", which the reader turns back into one,
# and a CSV or a command-line value may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """``value`` with the characters a workbook cannot hold removed (text only; others as they are)."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


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
    return _LOOKS_ESCAPED.sub("_x005F_", value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)  # slots: a first sync of 10k rows makes ~60k of them
class CellWrite:
    sheet: str
    row: int
    column: int
    value: object
    link: bool = False  # the value is a URL the cell should also link to

    def __post_init__(self):
        # A name from a Recommended cell or a comment quoting a cell may hold a control
        # character; written as is, it would stop the save. A Next Step listing many long
        # names may run past what a cell holds.
        object.__setattr__(self, "value", cell_text(self.value))


@dataclass(frozen=True)
class NewColumn:
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
class StepChange:
    row: int
    name: str
    before: str
    after: str
    due: dt.date | None


@dataclass(frozen=True)
class Referral:
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
    step_changes: list[StepChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    referrals_sheet: list[list] | None = None  # the rows to write, when the sheet must change
    dashboard_sheet: list[list] | None = None  # likewise for the Dashboard
    want_to_meet_updates: int = 0
    steps: dict[int, stages.NextStep] = field(default_factory=dict)  # row number → step
    notes: list[str] = field(default_factory=list)  # things to tell the person that are not problems in a cell

    @property
    def changed(self) -> bool:
        return bool(self.writes or self.new_columns or self.new_rows or self.referrals_sheet is not None
                    or self.dashboard_sheet is not None)


@dataclass
class SyncResult:
    path: Path
    plan: SyncPlan
    written: bool = False
    backup: Path | None = None
    dry_run: bool = False


# --------------------------------------------------------------------------- comparing cells


def _same(old, new) -> bool:
    """Whether a cell already holds what the tool would write (blank equals None)."""
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


# --------------------------------------------------------------------------- where cells may go


def read_objects(chart: Chart) -> dict[str, SheetObjects]:
    """What the person placed on the sheets a sync writes cells into (Contacts, Want to Meet)."""
    sheets = [t.sheet for t in (chart.contacts, chart.want_to_meet) if t is not None]
    return sheet_objects(chart.path, sheets)


def check_layout(plan: SyncPlan, chart: Chart, grids: dict[str, list[list]],
                 objects: dict[str, SheetObjects]) -> None:
    """Refuse a plan that puts a cell where Excel drops it or inside something of the person's.

    Every plan goes through this before anything is written (sync's and import's):
    no row past 1,048,576 (new tool columns past XFD are refused where they are
    placed, ``placement.free_column``); new rows in the chart's Excel table or on
    empty rows right under it; no cell inside a merge, sparkline, array formula,
    pivot table or another table. The checks are placement's, which validate runs too.
    """
    table = chart.contacts
    new_rows = [n.number for n in plan.new_rows]
    if new_rows:
        first = max(min(new_rows), 1)
        right = max([w.column for w in plan.writes if w.sheet == table.sheet and w.row >= first], default=0)
        for refused in (placement.room(table, new_rows),
                        placement.under_table(table, grids[table.sheet], objects.get(table.sheet, NOTHING), new_rows,
                                              right)):
            if refused is not None:
                raise refused.error(chart.path)
    for t in (table, chart.want_to_meet):
        if t is not None and t.sheet in objects:
            rows_by_column: dict[int, list[int]] = {}
            for w in plan.writes:
                if w.sheet == t.sheet:
                    rows_by_column.setdefault(w.column, []).append(w.row)
            for c in plan.new_columns:
                if c.sheet == t.sheet:
                    rows_by_column.setdefault(c.column, []).append(c.header_row)
            for rows in rows_by_column.values():
                rows.sort()
            headers = {c.column: c.spec.header for c in plan.new_columns if c.sheet == t.sheet}
            refused = placement.clear(t, objects[t.sheet], rows_by_column, headers)
            if refused is not None:
                raise refused.error(chart.path)


def _note_names_under_table(plan: SyncPlan, table: Table, grid: list[list], objs: SheetObjects) -> None:
    """Say so when names sit under the chart's Excel table: they are not read as contacts.

    Excel grows a table as you type under it; other programs may not, and people
    typed there would get no Stage or Next Step without a word.
    """
    own = placement.own_table(objs, table)
    if own is None:
        return
    column = table.columns[table.shape.required[0]]
    r = next((r for r in range(own.bounds[3] + 1, len(grid) + 1) if not is_blank(_cell(grid, r, column))), None)
    if r is not None:
        plan.notes.append(f'{table.sheet}!{column_letter(column)}{r} ("{str(_cell(grid, r, column))[:40]}") and '
                          f'anything else under your table "{own.name}" ({own.ref}) is not read as a contact. If '
                          "it is one, resize the table over it (Table Design > Resize Table) and sync again.")


# --------------------------------------------------------------------------- planning


def plan_sync(chart: Chart, grids: dict[str, list[list]], today: dt.date,
              objects: dict[str, SheetObjects] | None = None) -> SyncPlan:
    """Work out every change a sync makes, without touching the file.

    ``objects`` (``read_objects``; read from the file when not given) are what the
    person placed on the chart's sheets: new tool columns go where none sits.
    """
    if objects is None:
        objects = read_objects(chart)
    plan = SyncPlan(today)
    table = chart.contacts
    grid = grids[table.sheet]
    region = chart.profile.region
    for refused in placement.foreign_columns(table, grid)[:1]:
        raise refused.error(chart.path)
    _note_names_under_table(plan, table, grid, objects.get(table.sheet, NOTHING))

    # New rows for recommended people not yet in the chart, below the last row.
    new_rows: list[Row] = []
    for number, person, recommender, values in placement.referral_rows(table, region):
        new_rows.append(Row(number, values))
        plan.new_rows.append(NewRow(number, person.name, recommender, values))
    refused = placement.room(table, [r.number for r in new_rows])  # before the work below, which a full sheet makes long
    if refused is not None:
        raise refused.error(chart.path)

    all_rows = table.rows + new_rows
    full = Table(table.shape, table.sheet, table.header_row, dict(table.columns), table.headers, all_rows,
                 max([table.last_row] + [r.number for r in new_rows]), table.width)
    for refused in placement.missing_columns(table, [r.values for r in new_rows])[:1]:
        raise refused.error(chart.path)

    # Tool columns: where they are, or where they go (at the right of the table, past what is the person's).
    placed, refused = placement.new_tool_columns(table, grid, objects.get(table.sheet, NOTHING), full.last_row)
    if refused is not None:
        raise refused.error(chart.path)
    for column, spec in placed:
        full.columns[spec.key] = column
        plan.new_columns.append(NewColumn(table.sheet, table.header_row, column, spec))

    checked = Chart(chart.path, chart.sheet_names, full, chart.profile, chart.want_to_meet, chart.templates)
    plan.problems = chart_problems(checked, today)
    # A problem in a header row (a misspelt header) belongs to no row's Comments: the summary tells it.
    header_rows = {t.sheet: t.header_row for t in (table, chart.want_to_meet) if t is not None}
    plan.notes += [f"{'Error' if p.severity == ERROR else 'Warning'}: {p.where}: {p.message}" for p in plan.problems
                   if p.row is not None and p.row == header_rows.get(p.sheet)]
    problems_by_row: dict[int, list[Problem]] = {}
    for p in plan.problems:
        if p.sheet == table.sheet and p.row is not None:
            problems_by_row.setdefault(p.row, []).append(p)

    by_name_key = {name_key(r.values.get("name")): r for r in all_rows if r.text("name")}
    steps: dict[int, stages.NextStep] = {}
    referred = stages.referred_index(all_rows)
    for row in all_rows:
        pending = stages.pending_referrals(row, by_name_key, region)
        steps[row.number] = stages.next_step(row, chart.profile, today, pending,
                                             stages.unreported_meetings(row, referred, region, today))
    plan.steps = steps

    referrals, loops = _referral_chains(all_rows, by_name_key, steps)
    plan.referrals, plan.loops = referrals, loops
    loop_rows = {}
    for number, text in loops:
        loop_rows.setdefault(number, []).append(f"referral loop: {text}")

    mailto = _mailto_maker(chart, today, plan)

    # Every row of the table's range gets its tool cells; rows without data get blanks.
    rows_by_number = {r.number: r for r in all_rows}
    for number in range(table.header_row + 1, full.last_row + 1):
        row = rows_by_number.get(number)
        if row is None:
            wanted = {k: None for k in CONTACT_TOOL_KEYS}
        else:
            step = steps[number]
            link, why_no_link = mailto(row, step)
            notes = list(step.reminders) + loop_rows.get(number, []) + ([why_no_link] if why_no_link else [])
            notes += [f"{'Error' if p.severity == ERROR else 'Warning'} in {p.column}: {p.message}"
                      for p in problems_by_row.get(number, [])]
            wanted = {"stage": step.stage, "next_step": step.action or None, "follow_up_on": step.due,
                      "comments": "; ".join(notes) or None,
                      "draft": link}
            if number <= table.last_row and table.has("next_step"):
                before = _cell(grid, number, table.columns["next_step"])
                before = "" if is_blank(before) else str(before)
                if before != (step.action or ""):
                    plan.step_changes.append(StepChange(number, row.text("name"), before, step.action, step.due))
            else:
                plan.step_changes.append(StepChange(number, row.text("name"), "", step.action, step.due))
        for key, value in wanted.items():
            c = full.columns[key]
            if number > table.last_row or not _same(_cell(grid, number, c), value):
                if number > table.last_row and is_blank(value):
                    continue
                plan.writes.append(CellWrite(table.sheet, number, c, value, link=key == "draft"))

    # The new rows' own (user) cells, written once: the person's details.
    for new in plan.new_rows:
        for key, value in new.values.items():
            if not is_blank(value) and full.has(key):
                plan.writes.append(CellWrite(table.sheet, new.number, full.columns[key], value))

    _plan_want_to_meet(plan, chart, grids, all_rows, steps, objects)
    _plan_referrals_sheet(plan, chart, grids)
    _plan_dashboard(plan, chart, grids, all_rows, steps)
    return plan


def _mailto_maker(chart: Chart, today: dt.date, plan: SyncPlan):
    """``mailto(row, step)``: (the Draft column's link or None, why it is blank or None).

    A broken template leaves the Draft cell blank (it holds only links), says why
    in the row's Comments, and once in the summary.
    """
    from .drafts import MailtoLinks
    from .errors import TemplateError

    links = MailtoLinks(chart, today)
    reported: set[str] = set()  # draft kinds whose broken template the summary names

    def mailto(row: Row, step: stages.NextStep) -> tuple[str | None, str | None]:
        try:
            return links.link(row, step), None
        except TemplateError as exc:
            if step.kind not in reported:
                reported.add(step.kind)
                plan.notes.append(f"Draft column left blank for {step.kind} emails: {exc}")
            return None, f"Draft left blank: {exc.where + ': ' if exc.where else ''}{exc.message}"

    return mailto


def _referral_chains(rows: list[Row], by_name_key: dict, steps) -> tuple[list[Referral], list[tuple[int, str]]]:
    """Each referred person with the chain back to the first contact; loops are reported, not followed."""
    referrals: list[Referral] = []
    loops: list[tuple[int, str]] = []
    for row in rows:
        referrer = row.text("referred_by")
        if not referrer or not row.text("name"):
            continue
        chain = [row.text("name")]
        seen = {name_key(row.values.get("name"))}
        current = row
        while current.text("referred_by"):
            key = name_key(current.values.get("referred_by"))
            if key in seen:
                loops.append((row.number, ARROW.join(reversed(chain + [current.text("referred_by")]))))
                break
            seen.add(key)
            parent = by_name_key.get(key)
            if parent is None:
                chain.append(current.text("referred_by"))
                break
            chain.append(parent.text("name"))
            current = parent
        referrals.append(Referral(row.text("name"), referrer, ARROW.join(reversed(chain)), len(chain) - 1,
                                  steps[row.number].stage))
    return referrals, loops


def _plan_want_to_meet(plan: SyncPlan, chart: Chart, grids, rows: list[Row], steps, objects) -> None:
    table = chart.want_to_meet
    if table is None:
        return
    grid = grids[table.sheet]
    for refused in placement.foreign_columns(table, grid)[:1]:
        raise refused.error(chart.path)
    column = table.columns.get("status")
    if column is None:
        placed, refused = placement.new_tool_columns(table, grid, objects.get(table.sheet, NOTHING), table.last_row)
        if refused is not None:
            raise refused.error(chart.path)
        ((column, spec),) = placed
        plan.new_columns.append(NewColumn(table.sheet, table.header_row, column, spec))
    by_name = {name_key(r.values.get("name")): r for r in rows if r.text("name")}
    by_org: dict[str, list[Row]] = {}
    for r in rows:
        if r.text("organization") and r.text("name") and not steps[r.number].closed:
            by_org.setdefault(name_key(r.values.get("organization")), []).append(r)
    wanted_rows = {r.number: r for r in table.rows}
    for number in range(table.header_row + 1, table.last_row + 1):
        row = wanted_rows.get(number)
        status = _want_to_meet_status(row, by_name, by_org, steps) if row is not None else None
        if not _same(_cell(grid, number, column), status):
            plan.writes.append(CellWrite(table.sheet, number, column, status))
            plan.want_to_meet_updates += 1


def _want_to_meet_status(row: Row, by_name, by_org, steps) -> str | None:
    if not row.text("name"):
        return None
    contact = by_name.get(name_key(row.values.get("name")))
    if contact is not None:
        return f"In Contacts (row {contact.number}): {steps[contact.number].stage}"
    org = row.text("organization")
    colleagues = by_org.get(name_key(org), []) if org else []
    if colleagues:
        names = ", ".join(r.text("name") for r in colleagues[:3])
        return f"Ask {names} ({org}) for an introduction"
    connector = row.text("connector")
    if connector:
        if name_key(connector) in by_name:
            return f"Ask {by_name[name_key(connector)].text('name')} for an introduction"
        return f"Add {connector} to Contacts, then ask for an introduction"
    where = f" at {org}" if org else ""
    return f"No contact{where} yet: ask the people you meet whom they know there"


def _plan_referrals_sheet(plan: SyncPlan, chart: Chart, grids) -> None:
    shape = schema.REFERRALS
    wanted = [[c.header for c in shape.columns]]
    wanted += [[cell_text(v) for v in (r.person, r.referred_by, r.chain, r.depth, r.stage)] for r in plan.referrals]
    existing = placement.tool_sheet(chart.sheet_names, shape)
    if existing is not None and existing not in grids:
        grids[existing] = read_grids(chart.path, sheets=[existing])[existing]
    if _tool_sheet_differs(chart, grids, existing, wanted, wanted[0], "Referrals"):
        plan.referrals_sheet = wanted


def _plan_dashboard(plan: SyncPlan, chart: Chart, grids, rows: list[Row], steps) -> None:
    from . import dashboard

    wanted = [[cell_text(v) for v in row] for row in dashboard.dashboard_rows(rows, steps, chart.profile, plan.today)]
    existing = dashboard.SHEET if dashboard.SHEET in chart.sheet_names else None
    if existing is not None and existing not in grids:
        grids[existing] = read_grids(chart.path, sheets=[existing])[existing]
    if _tool_sheet_differs(chart, grids, existing, wanted, [dashboard.TITLE], dashboard.SHEET):
        plan.dashboard_sheet = wanted


def _tool_sheet_differs(chart: Chart, grids, existing: str | None, wanted: list[list], signature: list,
                        what: str) -> bool:
    """Whether a tool-owned sheet must be rewritten; refuses when the sheet holds a person's own data.

    ``signature`` is the sheet's first row as the tool writes it: a sheet by the
    same name that starts differently was made by a person (``placement.foreign_sheet``).
    """
    if existing is None:
        return True
    refused = placement.foreign_sheet(grids[existing], existing, signature, what)
    if refused is not None:
        raise refused.error(chart.path)
    grid = [list(row) for row in grids[existing]]
    while grid and all(is_blank(v) for v in grid[-1]):
        grid.pop()
    same = len(grid) == len(wanted) and all(
        all(_same(_cell(grid, r + 1, c + 1), v) for c, v in enumerate(want))
        and all(is_blank(v) for v in grid[r][len(want):])
        for r, want in enumerate(wanted))
    return not same


# --------------------------------------------------------------------------- growing tables and filters


def grown_table(table: Table, plan: SyncPlan, bounds: tuple[int, int, int, int]):
    """An Excel table's new (min_col, min_row, max_col, max_row) taking the new rows, or None if it stays.

    An Excel table keeps its columns: adding table columns would rename the
    person's structured references.
    """
    min_col, min_row, max_col, max_row = bounds
    last = _last_row(table, plan)
    ours = min_row == table.header_row and min_col <= table.columns[table.shape.required[0]] <= max_col
    return (min_col, min_row, max_col, last) if ours and max_row < last else None


def grown_filter(table: Table, plan: SyncPlan, bounds: tuple[int, int, int, int]):
    """The sheet filter's new bounds: the new rows, and the tool columns added at its right (to filter by
    Stage); None for a filter that is not over the table."""
    min_col, min_row, max_col, max_row = bounds
    if min_row != table.header_row:
        return None
    added = [c.column for c in plan.new_columns if c.sheet == table.sheet]
    right = max([max_col] + [c for c in added if c == max_col + 1 + added.index(c)])
    return min_col, min_row, right, max(max_row, _last_row(table, plan))


def _last_row(table: Table, plan: SyncPlan) -> int:
    return max([n.number for n in plan.new_rows if table.shape is schema.CONTACTS] + [table.last_row])


# --------------------------------------------------------------------------- checking the written file


def verify_written(tmp: Path, before: dict[str, list[list]], plan: SyncPlan, chart: Chart) -> None:
    """Re-read the new file: every user cell must be as it was (a formula's cached result too), every planned
    cell as planned.

    One sheet at a time, so a large chart is never held twice.
    """
    from operator import attrgetter

    # Each sheet's planned cells in row order (references, not a dict per row: at 100k rows
    # that would cost more than the rows themselves); of two writes to a cell the later wins.
    planned: dict[str, list[CellWrite]] = {}
    for w in plan.writes:
        planned.setdefault(w.sheet, []).append(w)
    for c in plan.new_columns:
        planned.setdefault(c.sheet, []).append(CellWrite(c.sheet, c.header_row, c.column, c.spec.header))
    for writes in planned.values():
        writes.sort(key=attrgetter("row"))
    from .dashboard import SHEET as DASHBOARD

    referrals = next((n for n in chart.sheet_names if schema.REFERRALS.matches_name(n)), schema.REFERRALS.name)
    heads: dict[str, list[list]] = {}  # enough of each sheet to find the chart in it again
    book = None
    try:
        book = Sheets(tmp)
        names = book.names
        # Small sheets are kept whole for that; of the others (Contacts) only the rows that hold headers.
        whole = {find_sheet(names, shape) for shape in (schema.PROFILE_SHEET, schema.WANT_TO_MEET, schema.TEMPLATES)}
        for sheet in names:
            rows = book.rows(sheet)  # every sheet is read, the tool's too: all must be readable
            if sheet in whole:
                rows = heads[sheet] = list(rows)
            else:
                rows = _keeping_head(rows, heads.setdefault(sheet, []), schema.HEADER_SEARCH_ROWS + 1)
            if sheet in before and sheet not in (referrals, DASHBOARD):
                _compare_sheet(sheet, before[sheet], rows, planned.get(sheet, []), chart)
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
    for sheet in before:
        if sheet not in names and sheet not in (referrals, DASHBOARD):
            raise WriteFailed(f"the new version lost the sheet {sheet!r}; nothing was changed. Please report this.",
                              path=chart.path)


def _keeping_head(rows, head: list, n: int):
    """``rows`` passed through, the first ``n`` also kept in ``head``."""
    for row in rows:
        if len(head) < n:
            head.append(row)
        yield row


def _compare_sheet(sheet, grid, new_rows, writes, chart) -> None:
    """Each row read back (``new_rows``, one at a time) against the row before with ``writes`` (in row order)."""
    import itertools

    i = 0
    for r, got in enumerate(itertools.chain(new_rows, itertools.repeat(None, len(grid))), start=1):
        if got is None and r > len(grid):
            break
        # The row as it should read: as before, with the planned cells. Most rows read
        # back exactly that (same values, same types: TRUE is not 1), checked at once;
        # the others cell by cell, where a date may equal a date-time and so on.
        before = grid[r - 1] if r <= len(grid) else []
        if not got and not before and (i == len(writes) or writes[i].row > r):
            continue  # empty, as planned: a sheet with a stray cell far below has a million such rows
        want_row = list(before)
        planned = {}
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
            if not _same(value, want) and not (isinstance(want, str) and value == want):
                raise WriteFailed(f"the new version did not read back {sheet}!{column_letter(c)}{r} as it "
                                  f"should ({want!r} became {value!r}); nothing was changed. Please report this.",
                                  path=chart.path)


# --------------------------------------------------------------------------- the command


def sync_chart(path, today: dt.date, *, dry_run: bool = False, force: bool = False, progress=None) -> SyncResult:
    """Sync the chart at ``path``: plan, and unless ``dry_run``, write the changes safely."""
    return update_chart(path, lambda chart, grids, objects: plan_sync(chart, grids, today, objects),
                        dry_run=dry_run, force=force, progress=progress)


PHASES = ("Reading", "Planning", "Opening for writing", "Writing", "Checking the new file")


def update_chart(path, make_plan, *, dry_run: bool = False, force: bool = False, progress=None) -> SyncResult:
    """Read the chart, plan with ``make_plan(chart, grids, objects) -> SyncPlan``, and write the plan safely.

    The one write path for every command that changes a workbook (sync, import):
    lock checks, the advisory lock around read-plan-write, where cells may go (``check_layout``), the
    one writer (``xlsxpatch``), the backup, the atomic replace and the read-back check all live here.
    ``force`` overrides the lock-file refusal only.
    ``progress(label, done, total)``, when given, hears about each phase.
    """
    from . import writer, xlsxpatch
    from .workbook import check_workbook_file

    def phase(index: int) -> None:
        if progress is not None:
            progress(PHASES[index], index, len(PHASES))

    path = Path(path)
    target = path.resolve()
    if dry_run:
        phase(0)
        grids = read_grids(path)
        chart = chart_from_grids(path, grids)
        phase(1)
        return SyncResult(path, _plan_with_path(make_plan, chart, grids, path), dry_run=True)
    # A missing or bad file gets its own message before any lock is taken; the parts the
    # write edits are parsed whole, however big.
    check_workbook_file(path, whole_parts=True)
    writer.check_writable(target)
    # Through a symlink, the program that has it open may keep its lock beside
    # either the link or the file it points to; looked at again before the replace.
    lock_places = () if force else tuple(dict.fromkeys((path.absolute(), target)))
    for where in lock_places:
        writer.check_not_open(where)
    with writer.exclusive(target), _gc_frozen() as freeze:
        phase(0)
        before = writer.Fingerprint.of(target)
        with writer.refusing_if_changed(target, before):  # a save in place meanwhile reads as damage
            grids = read_grids(path)
            chart = chart_from_grids(path, grids)
        freeze()
        phase(1)
        plan = _plan_with_path(make_plan, chart, grids, path)
        result = SyncResult(path, plan)
        if not plan.changed:
            return result
        chart = _layout_only(chart)
        freeze()
        phase(2)
        def save(tmp):
            phase(3)
            # Only the changed cells and parts are rewritten; every other byte is copied.
            xlsxpatch.write_plan(target, tmp, plan, chart)
            writer.check_unchanged(target, before)  # what was patched is what was planned from

        def verify(tmp):
            phase(4)
            verify_written(tmp, grids, plan, chart)

        result.backup = writer.replace_safely(target, save, verify, before, lock_places=lock_places)
        result.written = True
        return result


@contextlib.contextmanager
def _gc_frozen():
    """``freeze()``: the objects made so far (the cells read, the plan) are left out of cycle collection.

    They live to the end of the run; without this the collector walks all of them
    each time the heap grows by a quarter, most of a large sync's time, to find
    nothing. It still collects what comes later (a template's errors leave cycles).
    """
    import gc

    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _layout_only(chart: Chart) -> Chart:
    """The chart with each table's rows cut to the last: all that writing and checking need.

    The rows (a dict per contact) are much of a large chart's memory; dropped
    here, that memory serves the write and the read-back instead.
    """
    import dataclasses

    def slim(table):
        return None if table is None else dataclasses.replace(table, rows=table.rows[-1:])

    return dataclasses.replace(chart, contacts=slim(chart.contacts), want_to_meet=slim(chart.want_to_meet),
                               templates=slim(chart.templates))


def _plan_with_path(make_plan, chart, grids, path) -> SyncPlan:
    # Every refusal is raised complete, naming chart.path (the path as given).
    objects = read_objects(chart)
    plan = make_plan(chart, grids, objects)
    check_layout(plan, chart, grids, objects)
    return plan
