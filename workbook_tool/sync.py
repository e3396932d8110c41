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

from . import kinds, placement, schema, stages
from .fields import is_blank, name_key
from .grids import read_grids
from .mailto import MAILTO_LIMIT
from .objects import NOTHING, SheetObjects, column_letter
from .people import NAME, People
from .placement import CONTACT_TOOL_KEYS, cell as _cell, read_objects
from .plan import CellWrite, NewColumn, NewRow, Referral, StepChange, SyncPlan, SyncResult, cell_text, same_value
from .validate import ERROR, Problem, chart_problems
from .workbook import Chart, Row, Table
from .writer import update_chart

ARROW = " → "
# --------------------------------------------------------------------------- what a sync tells the person


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
              objects: dict[str, SheetObjects] | None = None, extra_columns=()) -> SyncPlan:
    """Work out every change a sync makes, without touching the file.

    ``objects`` (``read_objects``; read from the file when not given) are what the
    person placed on the chart's sheets: new tool columns go where none sits.
    ``extra_columns`` (schema columns) are placed with sync's own when missing, and
    left blank: chart mail's Replied On, which its plan then fills.
    """
    if objects is None:
        objects = read_objects(chart)
    plan = SyncPlan(today)
    table = chart.contacts
    grid = grids[table.sheet]
    region = chart.profile.region
    for refused in placement.foreign_columns(table, grid, objects.get(table.sheet, NOTHING).links)[:1]:
        raise refused.error(chart.path)
    _note_names_under_table(plan, table, grid, objects.get(table.sheet, NOTHING))

    # New rows for recommended people not yet in the chart, below the last row.
    new_rows: list[Row] = []
    # Each row's keys (email, phone, name), worked out once for the people the Recommended cells may add
    # and for the checks below.
    finder = People(region)
    keys = finder.rows_keys(table.rows)
    added, plan.fills = placement.recommendations(table, region, placement.FormulaCells(chart.path, table.sheet),
                                                  keys)
    for number, person, recommender, values in added:
        new_rows.append(Row(number, values))
        plan.new_rows.append(NewRow(number, person.name, recommender, values))
    # Their blank details in rows already in the chart (Email, Phone …), as chart import fills them.
    plan.writes += [CellWrite(table.sheet, f.row, table.columns[f.key], f.value) for f in plan.fills if not f.conflict]
    refused = placement.room(table, [r.number for r in new_rows])  # before the work below, which a full sheet makes long
    if refused is not None:
        raise refused.error(chart.path)

    # The rest of the plan sees the rows as they will be: a filled Email gets its Draft link now, not next time.
    filled: dict[int, dict] = {}
    for f in plan.fills:
        if not f.conflict:
            filled.setdefault(f.row, {})[f.key] = f.value
    rows = [Row(r.number, {**r.values, **filled[r.number]}) if r.number in filled else r for r in table.rows]
    all_rows = rows + new_rows
    full = Table(table.shape, table.sheet, table.header_row, dict(table.columns), table.headers, all_rows,
                 max([table.last_row] + [r.number for r in new_rows]), table.width)
    for refused in placement.missing_columns(table, [r.values for r in new_rows])[:1]:
        raise refused.error(chart.path)

    # Tool columns: where they are, or where they go (at the right of the table, past what is the person's).
    placed, refused = placement.new_tool_columns(table, grid, objects.get(table.sheet, NOTHING), full.last_row,
                                                 extra_columns)
    if refused is not None:
        raise refused.error(chart.path)
    for column, spec in placed:
        full.columns[spec.key] = column
        plan.new_columns.append(NewColumn(table.sheet, table.header_row, column, spec))

    checked = Chart(chart.path, chart.sheet_names, full, chart.profile, chart.want_to_meet, chart.templates)
    # The rows as checked: a filled row's keys again (its values changed), a new row's for the first time.
    checked_keys = [finder.values_keys(r.values) if r.number in filled else k for r, k in zip(rows, keys)]
    checked_keys += finder.rows_keys(new_rows)
    plan.problems = chart_problems(checked, today, checked_keys)
    # A problem in a header row (a misspelt header) belongs to no row's Comments: the summary tells it.
    header_rows = {t.sheet: t.header_row for t in (table, chart.want_to_meet) if t is not None}
    plan.notes += [f"{'Error' if p.severity == ERROR else 'Warning'}: {p.where}: {p.message}" for p in plan.problems
                   if p.row is not None and p.row == header_rows.get(p.sheet)]
    problems_by_row: dict[int, list[Problem]] = {}
    for p in plan.problems:
        if p.sheet == table.sheet and p.row is not None:
            problems_by_row.setdefault(p.row, []).append(p)

    # Whom a name names (a Referred By, a Recommended name, a Possible Connector), the new rows too.
    people = People.of_rows(all_rows, region, kinds=(NAME,))
    steps: dict[int, stages.NextStep] = {}
    referred = stages.referred_index(all_rows)
    for row in all_rows:
        pending = stages.pending_referrals(row, people, region)
        steps[row.number] = stages.next_step(row, chart.profile, today, pending,
                                             stages.unreported_meetings(row, referred, region, today))
    plan.steps = steps

    referrals, loops = _referral_chains(all_rows, people, steps)
    plan.referrals, plan.loops = referrals, loops
    loop_rows = {}
    for number, text in loops:
        loop_rows.setdefault(number, []).append(f"referral loop: {text}")

    mailto = _mailto_maker(chart, today, plan)
    links = objects.get(table.sheet, NOTHING).links
    draft_letter = column_letter(full.columns["draft"]) if "draft" in full.columns else None

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
            if link is not None and link.cut:
                notes.append(f"the Draft link holds the start of the {step.kind} only (mail programs take links of "
                             f"up to {MAILTO_LIMIT:,} characters): {kinds.draft_command(chart.path, step.kind, row.text('name'))} "
                             "writes it whole")
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
            if key == "draft":
                # The link behind the label is compared too: LibreOffice keeps the text and cuts the link.
                label, url = (value.label, value.url) if value is not None else (None, None)
                if number > table.last_row or not same_value(_cell(grid, number, c), label) \
                        or links.get(f"{draft_letter}{number}") != url:
                    if number <= table.last_row or url is not None:
                        plan.writes.append(CellWrite(table.sheet, number, c, label, link=True, url=url))
            elif number > table.last_row or not same_value(_cell(grid, number, c), value):
                if number > table.last_row and is_blank(value):
                    continue
                plan.writes.append(CellWrite(table.sheet, number, c, value))

    # The new rows' own (user) cells, written once: the person's details.
    for new in plan.new_rows:
        for key, value in new.values.items():
            if not is_blank(value) and full.has(key):
                plan.writes.append(CellWrite(table.sheet, new.number, full.columns[key], value))

    _plan_want_to_meet(plan, chart, grids, all_rows, people, steps, objects)
    _plan_referrals_sheet(plan, chart, grids)
    _plan_dashboard(plan, chart, grids, all_rows, steps, people)
    return plan


def _mailto_maker(chart: Chart, today: dt.date, plan: SyncPlan):
    """``mailto(row, step)``: (the Draft column's link or None, why it is blank or None).

    A broken template leaves the Draft cell blank (it holds only links), says why
    in the row's Comments, and once in the summary.
    """
    from .errors import TemplateError

    made: list = []  # the MailtoLinks, made for the first email step: drafts imports Jinja2, 20 ms of a small run
    reported: set[str] = set()  # draft kinds whose broken template the summary names

    def mailto(row: Row, step: stages.NextStep) -> tuple[str | None, str | None]:
        if step is None or step.kind not in kinds.EMAIL_KINDS:
            return None, None  # what MailtoLinks.link says of any other step
        if not made:
            from .drafts import MailtoLinks

            made.append(MailtoLinks(chart, today))
        try:
            return made[0].link(row, step), None
        except TemplateError as exc:
            if step.kind not in reported:
                reported.add(step.kind)
                plan.notes.append(f"Draft column left blank for {step.kind} emails: {exc}")
            return None, f"Draft left blank: {exc.where + ': ' if exc.where else ''}{exc.message}"

    return mailto


def _referral_chains(rows: list[Row], people: People, steps) -> tuple[list[Referral], list[tuple[int, str]]]:
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
            parent = people.named(current.values.get("referred_by"))
            if parent is None:
                chain.append(current.text("referred_by"))
                break
            chain.append(parent.text("name"))
            current = parent
        referrals.append(Referral(row.text("name"), referrer, ARROW.join(reversed(chain)), len(chain) - 1,
                                  steps[row.number].stage))
    return referrals, loops


def _plan_want_to_meet(plan: SyncPlan, chart: Chart, grids, rows: list[Row], people: People, steps,
                       objects) -> None:
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
    by_org: dict[str, list[Row]] = {}
    for r in rows:
        if r.text("organization") and r.text("name") and not steps[r.number].closed:
            by_org.setdefault(name_key(r.values.get("organization")), []).append(r)
    wanted_rows = {r.number: r for r in table.rows}
    for number in range(table.header_row + 1, table.last_row + 1):
        row = wanted_rows.get(number)
        status = _want_to_meet_status(row, people, by_org, steps) if row is not None else None
        if not same_value(_cell(grid, number, column), status):
            plan.writes.append(CellWrite(table.sheet, number, column, status))
            plan.want_to_meet_updates += 1


def _want_to_meet_status(row: Row, people: People, by_org, steps) -> str | None:
    if not row.text("name"):
        return None
    contact = people.named(row.values.get("name"))
    if contact is not None:
        return f"In Contacts (row {contact.number}): {steps[contact.number].stage}"
    org = row.text("organization")
    colleagues = by_org.get(name_key(org), []) if org else []
    if colleagues:
        names = ", ".join(r.text("name") for r in colleagues[:3])
        return f"Ask {names} ({org}) for an introduction"
    connector = row.text("connector")
    if connector:
        introducer = people.named(connector)
        if introducer is not None:
            return f"Ask {introducer.text('name')} for an introduction"
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


def _plan_dashboard(plan: SyncPlan, chart: Chart, grids, rows: list[Row], steps, people: People) -> None:
    from . import dashboard

    wanted = [[cell_text(v) for v in row]
              for row in dashboard.dashboard_rows(rows, steps, chart.profile, plan.today, people)]
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
        _same_row(grid[r], want) or (
            all(same_value(_cell(grid, r + 1, c + 1), v) for c, v in enumerate(want))
            and all(is_blank(v) for v in grid[r][len(want):]))
        for r, want in enumerate(wanted))
    return not same


def _same_row(got: list, want: list) -> bool:
    """Whether a row read holds exactly ``want`` (the same values of the same types, nothing after): most rows
    of a tool sheet that did not change, told at once. ``want`` is as written (``cell_text``), and a value
    equals itself by ``same_value``; any other row is compared cell by cell."""
    n = len(want)
    return (got[:n] == want and list(map(type, got[:n])) == list(map(type, want))
            and all(v is None for v in got[n:]))


# --------------------------------------------------------------------------- the command


def sync_chart(path, today: dt.date, *, dry_run: bool = False, force: bool = False, progress=None) -> SyncResult:
    """Sync the chart at ``path``: plan, and unless ``dry_run``, write the changes safely."""
    return update_chart(path, lambda chart, grids, objects: plan_sync(chart, grids, today, objects),
                        dry_run=dry_run, force=force, progress=progress)
