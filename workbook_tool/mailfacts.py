"""``chart mail``: the messages found in the mailbox, turned into the chart's dates, in one safe write.

``mail_facts`` is pure: from the Contacts rows and the scanned headers (``mailbox.Message``)
it works out which **blank** user dates your sent mail fills, by what each row was waiting
for — the first message in the window → Contacted On; a later one before any meeting →
Followed Up On (the latest); the first after a past Meeting On → Thanked On — and the
latest message from them for the tool's Replied On. A typed date is never changed.

``plan_mail`` applies those facts to the rows, runs the sync rules on the result
(``sync.plan_sync``: Stage, Next Step, Dashboard … match the new facts), and adds the
filled cells to that one plan; ``mail_chart`` scans and writes it through the one
writer (``writer.update_chart``), so that ``chart mail`` keeps every promise of
``chart sync``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from . import schema
from .fields import is_blank, to_date
from .plan import CellWrite
from .workbook import Chart, Row

SENT_KEYS = ("contacted_on", "followed_up_on", "thanked_on")
REPLIED_KEY = "replied_on"
DEFAULT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Fill:
    """A cell ``chart mail`` fills: row, the person, the column's key, the day, and the message that told it."""

    row: int
    name: str
    key: str
    day: dt.date
    subject: str
    when: dt.datetime


def _local_day(when: dt.datetime) -> dt.date:
    return when.astimezone().date()


def mail_facts(chart: Chart, messages, since: dt.date, today: dt.date) -> list[Fill]:
    """The cells the messages fill, row by row (see the module's docstring for the rules)."""
    region = chart.profile.region
    sent_to: dict[str, list] = {}
    received_from: dict[str, list] = {}
    for m in messages:
        if _local_day(m.when) < since or _local_day(m.when) > today:
            continue  # a message dated in the future (a wrong clock) tells nothing about today
        if m.sent:
            for address in m.recipients:
                sent_to.setdefault(address, []).append(m)
        elif m.sender:
            received_from.setdefault(m.sender, []).append(m)
    fills: list[Fill] = []
    for row in chart.contacts.rows:
        address = row.text("email").strip().casefold()
        if not address or not row.text("name"):
            continue
        sent = sorted(sent_to.get(address, ()), key=lambda m: m.when)
        replies = received_from.get(address, ())
        if not sent and not replies:
            continue
        fills += _row_fills(row, sent, replies, region, today)
    return fills


def _row_fills(row: Row, sent: list, replies, region: str, today: dt.date) -> list[Fill]:
    name = row.text("name")

    def typed(key: str):
        """(blank?, the date typed, None when blank or unreadable)."""
        value = row.values.get(key)
        if is_blank(value):
            return True, None
        try:
            return False, to_date(value, region, today)
        except ValueError:
            return False, None  # typed but unreadable: validate reports it; never overwritten

    def fill(key: str, m) -> Fill:
        return Fill(row.number, name, key, _local_day(m.when), m.subject, m.when)

    fills = []
    meeting_value = row.values.get("meeting_on")
    _, meeting = typed("meeting_on")
    # A meeting with its time: mail after that moment is after the meeting, even on its day.
    meeting_at = meeting_value.astimezone() if isinstance(meeting_value, dt.datetime) else None

    def before_meeting(m) -> bool:
        return meeting is None or _local_day(m.when) < meeting

    def after_meeting(m) -> bool:
        if meeting_at is not None:
            return m.when > meeting_at
        return _local_day(m.when) > meeting

    blank, contacted = typed("contacted_on")
    if blank:
        first = next((m for m in sent if meeting is None or _local_day(m.when) <= meeting), None)
        if first is not None:
            fills.append(fill("contacted_on", first))
            contacted = _local_day(first.when)
    blank, _ = typed("followed_up_on")
    if blank and contacted is not None:
        later = [m for m in sent if _local_day(m.when) > contacted and before_meeting(m)]
        if later:
            fills.append(fill("followed_up_on", later[-1]))
    blank, _ = typed("thanked_on")
    if blank and meeting is not None and meeting <= today:
        first = next((m for m in sent if after_meeting(m)), None)
        if first is not None:
            fills.append(fill("thanked_on", first))
    if replies:
        latest = max(replies, key=lambda m: m.when)
        _, recorded = typed(REPLIED_KEY)
        if recorded is None or _local_day(latest.when) > recorded:
            fills.append(fill(REPLIED_KEY, latest))
    return fills


@dataclass
class MailOutcome:
    """What ``chart mail`` found and did: the messages read, the cells filled, and the sync's result."""

    result: object  # plan.SyncResult
    since: dt.date
    messages: int  # the headers read
    fills: list[Fill]
    skipped: list[Fill]  # facts with no column to go in (a chart without Followed Up On, say)


def plan_mail(chart: Chart, grids, today: dt.date, objects, messages, since: dt.date, outcome: MailOutcome):
    """One plan: the facts applied to the rows, the sync rules run on them, the filled cells added."""
    from .sync import plan_sync

    table = chart.contacts
    fills = mail_facts(chart, messages, since, today)
    by_row: dict[int, dict] = {}
    for f in fills:
        by_row.setdefault(f.row, {})[f.key] = f.day
    rows = [Row(r.number, {**r.values, **by_row[r.number]}) if r.number in by_row else r for r in table.rows]
    updated = dataclasses.replace(chart, contacts=dataclasses.replace(table, rows=rows))
    # Replied On is added the first time there is a reply to record, at the right with sync's own.
    extra = tuple(c for c in schema.CONTACTS.mail_columns
                  if not table.has(c.key) and any(f.key == c.key for f in fills))
    plan = plan_sync(updated, grids, today, objects, extra)
    columns = dict(table.columns)
    columns.update({c.spec.key: c.column for c in plan.new_columns if c.sheet == table.sheet})
    for f in fills:
        if f.key not in columns:
            outcome.skipped.append(f)
            continue
        plan.writes.append(CellWrite(table.sheet, f.row, columns[f.key], f.day))
        outcome.fills.append(f)
    return plan


def mail_chart(path, today: dt.date, password_for, *, since: dt.date | None = None, dry_run: bool = False,
               force: bool = False, progress=None) -> MailOutcome:
    """Scan the mailbox the chart's Profile names and write what it tells, safely (or only plan: ``dry_run``).

    ``password_for(settings)`` gives the password (``mailbox.find_password``). The
    mailbox is read while the workbook is locked, so that the plan is made from
    the file as it is; a failure of the server leaves the file untouched.
    """
    from . import mailbox
    from .writer import update_chart

    since = since or today - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    outcome = MailOutcome(None, since, 0, [], [])

    def make_plan(chart, grids, objects):
        settings = mailbox.mail_settings(chart.profile)
        addresses = {r.text("email").strip().casefold() for r in chart.contacts.rows if r.text("email").strip()}
        with mailbox.Mailbox(settings, password_for(settings)) as box:
            messages, outcome.messages = mailbox.scan(box, since, addresses, progress)
        return plan_mail(chart, grids, today, objects, messages, since, outcome)

    outcome.result = update_chart(path, make_plan, dry_run=dry_run, force=force, progress=progress)
    return outcome
