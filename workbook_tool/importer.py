"""``chart import``: add the people of a contacts export to the chart's Contacts sheet.

The file is read by ``exports`` (LinkedIn, Google, Outlook, vCard, any table).
A person already in the chart (same email, phone or name) is never added twice:
their blank cells are filled, nothing they typed is overwritten. The write itself
is ``writer.update_chart``'s, the one safe write path (locks, backup, atomic
replace, read-back check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import BadOption
from .exports import ContactsFile, Person, read_contacts_file
from .fields import is_blank
from .grids import gc_paused
from .people import NAME, People
from .placement import FormulaCells

SOURCES = ("Own", "Family", "Friend")
# The cells of a person already in the chart that an import may fill when they are blank.
FILL_KEYS = ("organization", "title", "phone", "email", "notes")


@dataclass
class Outcome:
    """What the import did with one person: added, merged or skipped."""

    action: str  # added | merged | skipped
    name: str
    where: str  # in the file
    row: int | None = None  # the chart row added, or merged into
    filled: list[str] = field(default_factory=list)  # headers of the cells filled
    reason: str = ""

    def as_dict(self) -> dict:
        return {"action": self.action, "name": self.name, "from": self.where, "row": self.row,
                "filled": self.filled, "reason": self.reason}


@dataclass
class ImportResult:
    """An import's outcome for each person, and whether (and where) the chart was written."""

    path: Path
    file: ContactsFile
    outcomes: list[Outcome]
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    backup: Path | None = None

    def _of(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]

    @property
    def added(self) -> list[Outcome]:
        return self._of("added")

    @property
    def merged(self) -> list[Outcome]:
        return self._of("merged")

    @property
    def skipped(self) -> list[Outcome]:
        return self._of("skipped")



# --------------------------------------------------------------------------- planning


def plan_import(chart, grids, contacts: ContactsFile, *, source: str = "Own", via: str | None = None,
                today: dt.date | None = None):
    """Work out the rows to add and the blank cells to fill; touch nothing.

    Returns ``(plan, outcomes, notes)``: a ``plan.SyncPlan`` for ``update_chart``,
    one ``Outcome`` per person in file order, and sentences about what could not
    be imported (a column the chart lacks).
    """
    from .plan import AppendedRows, CellWrite, NewRow, SyncPlan

    table = chart.contacts
    plan = SyncPlan(today or dt.date.today())
    region = chart.profile.region
    in_chart = People.of_rows(table.rows, region)
    in_file = People(region)
    filled: dict[int, set[str]] = {}
    formulas = FormulaCells(chart.path, table.sheet)
    missing: dict[str, int] = {}
    outcomes: list[Outcome] = []
    next_row = table.last_row + 1
    columns = table.columns
    # The new people's cells, one block of rows below the table (not a CellWrite a cell: see AppendedRows).
    block = plan.appended = AppendedRows(table.sheet, next_row)

    # Each person's keys, worked out once (each address and number costs a check) for the file's people so far
    # and the chart's, a column at a time; the name's key comes last, when there is one.
    readable = [person for person in contacts.people if not person.problem]
    keys_of = iter(in_file.people_keys(readable))
    for person in contacts.people:
        if person.problem:
            outcomes.append(Outcome("skipped", person.name, person.where, reason=person.problem))
            continue
        keys = next(keys_of)
        if not keys or keys[-1][0] != NAME:  # a blank name, or only an honorific or punctuation
            outcomes.append(Outcome("skipped", _nameless_label(person), person.where, reason="no name"))
            continue
        earlier = in_file.match(keys)
        if earlier is not None:
            earlier = earlier[1]
            outcomes.append(Outcome("skipped", person.name, person.where,
                                    reason=f"duplicate of {earlier.where} in the file ({earlier.name})"))
            continue
        in_file.add_keys(keys, person)

        row = in_chart.match(keys)
        if row is not None:
            row = row[1]
            done = filled.setdefault(row.number, set())
            fills = []
            for key in FILL_KEYS:
                value = person.values.get(key)
                if (value and table.has(key) and key not in done and is_blank(row.values.get(key))
                        and (row.number, table.columns[key]) not in formulas):
                    plan.writes.append(CellWrite(table.sheet, row.number, table.columns[key], value))
                    done.add(key)
                    fills.append(_header(table, key))
            if fills:
                outcomes.append(Outcome("merged", row.text("name"), person.where, row=row.number, filled=fills))
            else:
                outcomes.append(Outcome("skipped", person.name, person.where, row=row.number,
                                        reason=f"already in the chart (row {row.number}: {row.text('name')}); "
                                               "nothing new to fill"))
            continue

        values = {"name": person.name, "source": source, "via": via, **person.values}
        cells = {}
        for key, value in values.items():
            if value is None or (not value.strip() if type(value) is str else is_blank(value)):  # is_blank, quicker
                continue
            column = columns.get(key)
            if column is None:
                missing[key] = missing.get(key, 0) + 1
                continue
            cells[column] = value
        block.add(cells)
        plan.new_rows.append(NewRow(next_row, person.name, "", values))
        outcomes.append(Outcome("added", person.name, person.where, row=next_row))
        next_row += 1

    notes = [f"The {table.sheet} sheet has no {schema.CONTACTS.column(key).header} column, so "
             f"{count} {'value was' if count == 1 else 'values were'} not imported there. Add the column and import "
             "again to fill it." for key, count in missing.items()]
    return plan, outcomes, notes


def _nameless_label(person: Person) -> str:
    return person.values.get("email") or person.values.get("phone") or person.values.get("organization") or ""


def _header(table, key: str) -> str:
    """The chart's own header text for a column (the person may call Organization "Company")."""
    text = table.headers.get(table.columns[key])
    return str(text).strip() if not is_blank(text) else schema.CONTACTS.column(key).header


# --------------------------------------------------------------------------- the command


def import_contacts(path, file, *, source: str = "Own", via: str | None = None, dry_run: bool = False,
                    force: bool = False, progress=None) -> ImportResult:
    """Import the people of ``file`` into the chart at ``path``; unless ``dry_run``, write safely.

    New people get a row below the table's last, with Source ``source`` and Via
    ``via``; people already in the chart get only their blank cells filled.
    """
    from .writer import update_chart

    canonical = next((s for s in SOURCES if s.casefold() == str(source).strip().casefold()), None)
    if canonical is None:
        raise BadOption(f"--source {source!r} is not one of {', '.join(SOURCES)}. (Referral is for people a "
                        "contact recommended: chart sync adds those from the Recommended column.)")
    via = via.strip() if via and via.strip() else None
    # A person, a few strings and lists each, none in a reference cycle, all kept to the end: the cycle
    # collector would walk them again each time the heap grew by a quarter (a fifth of a 100,000-row import).
    with gc_paused():
        contacts = read_contacts_file(file)  # a bad file is reported before the chart is touched
    found: dict = {}

    def make_plan(chart, grids, objects):  # objects: update_chart checks the new rows against them
        with gc_paused():  # likewise a new row, an outcome and a row of cells each
            plan, found["outcomes"], found["notes"] = plan_import(chart, grids, contacts, source=canonical, via=via)
        return plan

    synced = update_chart(path, make_plan, dry_run=dry_run, force=force, progress=progress)
    return ImportResult(Path(path), contacts, found["outcomes"], contacts.notes + found["notes"],
                        dry_run=synced.dry_run, written=synced.written, backup=synced.backup)
