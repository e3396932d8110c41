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

import datetime as dt

from . import schema, stages
from .errors import RefusedToWrite
from .fields import email_key, is_blank, name_key, parse_recommended, phone_key
from .objects import NOTHING, SheetObjects
from .placement import check_room, free_column, note_names_under_table, read_objects
from .plan import (CellWrite, NewColumn, NewRow, Referral, StepChange, SyncPlan, SyncResult, cell_text, grid_value,
                   same_value)
from .validate import ERROR, Problem, validate_chart
from .workbook import Chart, Row, Table, read_grids
from .writer import update_chart

CONTACT_TOOL_KEYS = tuple(c.key for c in schema.CONTACTS.tool_columns)
ARROW = " → "
def _used_width(grid: list[list], table: Table, last_row: int) -> int:
    """The rightmost column with anything in it, header or data, within the table's rows."""
    width = table.width
    for r in range(table.header_row, min(last_row, len(grid)) + 1):
        row = grid[r - 1]
        for c in range(len(row), width, -1):
            if not is_blank(row[c - 1]):
                width = c
                break
    return width


# --------------------------------------------------------------------------- ownership checks


def _check_tool_columns_are_ours(table: Table, grid: list[list], keys: tuple[str, ...], known_values, path) -> None:
    """Refuse to take over a column a person made with the same header as a tool column.

    Tool columns are recognized as the tool's by their first: every value in it
    must be one the tool writes (a known stage, say). When that column is absent,
    the others must be empty.
    """
    first = keys[0]
    if table.has(first):
        c = table.columns[first]
        for r in range(table.header_row + 1, table.last_row + 1):
            value = grid_value(grid, r, c)
            if not is_blank(value) and not known_values(value):
                raise RefusedToWrite(_foreign_column_message(table, first, keys, r, value), path=path,
                                     sheet=table.sheet, cell=table.ref(table.header_row, first))
        return
    for key in keys[1:]:
        if not table.has(key):
            continue
        c = table.columns[key]
        for r in range(table.header_row + 1, table.last_row + 1):
            value = grid_value(grid, r, c)
            if not is_blank(value):
                raise RefusedToWrite(_foreign_column_message(table, key, keys, r, value), path=path,
                                     sheet=table.sheet, cell=table.ref(table.header_row, key))


def _foreign_column_message(table: Table, key: str, keys, row: int, value) -> str:
    header = table.shape.column(key).header
    owned = ", ".join(table.shape.column(k).header for k in keys)
    sample = str(value)[:40]
    return (f'your column "{header}" holds your own text ({table.ref(row, key)}: "{sample}"), but chart sync '
            f"rewrites {owned} on every run. Rename your column (for example to \"My {header}\") and sync again.")


_KNOWN_STAGES = {schema.normalize_header(s) for s in (stages.NOT_CONTACTED, stages.AWAITING_REPLY,
                                                      stages.MEETING_SCHEDULED, stages.MET, stages.THANKED,
                                                      *stages.CLOSED)}
_WTM_PREFIXES = ("In Contacts", "Ask ", "Add ", "No contact")


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
    _check_tool_columns_are_ours(table, grid, CONTACT_TOOL_KEYS,
                                 lambda v: schema.normalize_header(v) in _KNOWN_STAGES, chart.path)
    # Draft came later than the other tool columns: a chart synced before it may have
    # a "Draft" column of the person's own. The tool's holds only mailto: links.
    _check_tool_columns_are_ours(table, grid, ("draft",), lambda v: str(v).startswith("mailto:"), chart.path)
    note_names_under_table(plan, table, grid, objects.get(table.sheet, NOTHING))

    # New rows for recommended people not yet in the chart, below the last row.
    by_email, by_phone, by_name = {}, {}, {}
    for row in table.rows:
        _index_person(row.values, by_email, by_phone, by_name, region, row)
    next_number = table.last_row + 1
    new_rows: list[Row] = []
    for row in list(table.rows):
        recommender = row.text("name")
        if not recommender:
            continue
        for person in parse_recommended(row.values.get("recommended"), region):
            values = {"name": person.name, "source": "Referral", "referred_by": recommender,
                      "email": person.email or None, "phone": person.phone or None,
                      "organization": person.organization or None}
            if _find_person(values, by_email, by_phone, by_name, region) is not None:
                continue
            new = Row(next_number, values)
            _index_person(values, by_email, by_phone, by_name, region, new)
            new_rows.append(new)
            plan.new_rows.append(NewRow(next_number, person.name, recommender, values))
            next_number += 1
    check_room(plan, table, chart.path)  # before the work below, which a sheet this full makes long

    all_rows = table.rows + new_rows
    full = Table(table.shape, table.sheet, table.header_row, dict(table.columns), table.headers, all_rows,
                 max(table.last_row, next_number - 1), table.width)
    for key in ("source", "referred_by", "email", "phone", "organization"):
        if new_rows and not full.has(key):
            raise RefusedToWrite(f"has no {schema.CONTACTS.column(key).header} column, which chart sync needs to add "
                                 f"the people your contacts recommended. Add that column header and sync again.",
                                 path=chart.path, sheet=table.sheet, cell=table.ref(table.header_row, "name"))

    # Tool columns: where they are, or where they go (at the right of the table, past what is the person's).
    width = _used_width(grid, table, table.last_row)
    for spec in schema.CONTACTS.tool_columns:
        if not full.has(spec.key):
            width = free_column(width + 1, full, objects.get(table.sheet, NOTHING), spec, chart.path)
            full.columns[spec.key] = width
            plan.new_columns.append(NewColumn(table.sheet, table.header_row, width, spec))

    checked = Chart(chart.path, chart.sheet_names, full, chart.profile, chart.want_to_meet, chart.templates)
    plan.problems = validate_chart(checked)
    problems_by_row: dict[int, list[Problem]] = {}
    for p in plan.problems:
        if p.sheet == table.sheet and p.row is not None:
            problems_by_row.setdefault(p.row, []).append(p)

    by_name_key = {name_key(r.values.get("name")): r for r in all_rows if r.text("name")}
    steps: dict[int, stages.NextStep] = {}
    for row in all_rows:
        pending = stages.pending_referrals(row, by_name_key, region)
        steps[row.number] = stages.next_step(row, chart.profile, today, pending)
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
                before = grid_value(grid, number, table.columns["next_step"])
                before = "" if is_blank(before) else str(before)
                if before != (step.action or ""):
                    plan.step_changes.append(StepChange(number, row.text("name"), before, step.action, step.due))
            else:
                plan.step_changes.append(StepChange(number, row.text("name"), "", step.action, step.due))
        for key, value in wanted.items():
            c = full.columns[key]
            if number > table.last_row or not same_value(grid_value(grid, number, c), value):
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


def _index_person(values: dict, by_email, by_phone, by_name, region, row) -> None:
    e = email_key(values.get("email")) if not is_blank(values.get("email")) else None
    p = phone_key(values.get("phone"), region) if not is_blank(values.get("phone")) else None
    n = name_key(values.get("name"))
    for index, key in ((by_email, e), (by_phone, p), (by_name, n)):
        if key and key not in index:
            index[key] = row


def _find_person(values: dict, by_email, by_phone, by_name, region):
    """The row already holding this person: same email, phone or normalized name."""
    e = email_key(values.get("email")) if not is_blank(values.get("email")) else None
    p = phone_key(values.get("phone"), region) if not is_blank(values.get("phone")) else None
    n = name_key(values.get("name"))
    return (e and by_email.get(e)) or (p and by_phone.get(p)) or (n and by_name.get(n)) or None


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
    _check_tool_columns_are_ours(table, grid, ("status",), lambda v: str(v).startswith(_WTM_PREFIXES), chart.path)
    column = table.columns.get("status")
    if column is None:
        spec = table.shape.column("status")
        column = free_column(_used_width(grid, table, table.last_row) + 1, table, objects.get(table.sheet, NOTHING),
                              spec, chart.path)
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
        if not same_value(grid_value(grid, number, column), status):
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
    existing = next((n for n in chart.sheet_names if shape.matches_name(n)), None)
    if existing is not None and existing not in grids:
        grids[existing] = read_grids(chart.path, sheets=[existing])[existing]
    if _tool_sheet_differs(grids, existing, wanted, wanted[0], "Referrals", chart.path):
        plan.referrals_sheet = wanted


def _plan_dashboard(plan: SyncPlan, chart: Chart, grids, rows: list[Row], steps) -> None:
    from . import dashboard

    wanted = [[cell_text(v) for v in row] for row in dashboard.dashboard_rows(rows, steps, chart.profile, plan.today)]
    existing = dashboard.SHEET if dashboard.SHEET in chart.sheet_names else None
    if existing is not None and existing not in grids:
        grids[existing] = read_grids(chart.path, sheets=[existing])[existing]
    if _tool_sheet_differs(grids, existing, wanted, [dashboard.TITLE], dashboard.SHEET, chart.path):
        plan.dashboard_sheet = wanted


def _tool_sheet_differs(grids, existing: str | None, wanted: list[list], signature: list, what: str, path) -> bool:
    """Whether a tool-owned sheet must be rewritten; refuses when the sheet holds a person's own data.

    ``signature`` is the sheet's first row as the tool writes it: a sheet by the
    same name that starts differently was made by a person.
    """
    if existing is None:
        return True
    grid = [list(row) for row in grids[existing]]
    while grid and all(is_blank(v) for v in grid[-1]):
        grid.pop()
    first = [v for v in (grid[0] if grid else []) if not is_blank(v)]
    if grid and [schema.normalize_header(v) for v in first] != [schema.normalize_header(h) for h in signature]:
        raise RefusedToWrite(f'a sheet named "{existing}" holds your own data, but chart sync rebuilds the {what} '
                             "sheet on every run. Rename your sheet and sync again.", path=path, sheet=existing)
    same = len(grid) == len(wanted) and all(
        all(same_value(grid_value(grid, r + 1, c + 1), v) for c, v in enumerate(want))
        and all(is_blank(v) for v in grid[r][len(want):])
        for r, want in enumerate(wanted))
    return not same


# --------------------------------------------------------------------------- the command


def sync_chart(path, today: dt.date, *, dry_run: bool = False, force: bool = False, progress=None) -> SyncResult:
    """Sync the chart at ``path``: plan, and unless ``dry_run``, write the changes safely."""
    return update_chart(path, lambda chart, grids, objects: plan_sync(chart, grids, today, objects),
                        dry_run=dry_run, force=force, progress=progress)
