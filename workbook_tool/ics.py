"""``chart calendar``: the chart's meetings and reminders as an iCalendar (.ics) file.

Meetings (Meeting On) become events: a one-hour event when the cell holds a time,
an all-day one otherwise. Every other dated next step — a thank-you, a follow-up,
a keep-in-touch note, the first call or email — becomes an all-day reminder.

Choices made for the calendars people import into:

* Reminders are all-day VEVENTs marked TRANSPARENT (free), not VTODOs: Google
  Calendar ignores VTODOs on import and Outlook files them as tasks, while an
  all-day free event shows on the right day in every calendar without blocking it.
* Each item's UID is a hash of the chart's file name, the contact (email, else
  normalized name) and the kind (meeting, thank-you, follow-up, outreach). It does
  not depend on the date, so importing a newer file moves the item instead of
  adding a copy. SEQUENCE grows with the export time, because calendars ignore an
  import whose SEQUENCE is not higher than the copy they hold.
* Times are "floating" (no time zone): the chart holds a wall-clock time with no
  zone, and a floating time shows at that hour in whatever zone the calendar uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import kinds, stages
from .errors import BadOption, WriteFailed
from .fields import date_and_time, email_key, is_blank, name_key
from .workbook import Chart, Row
from .writer import write_atomically

MEETING = "meeting"
MEETING_LENGTH = dt.timedelta(hours=1)
# Apple Calendar's own "on the day of the event, 9 AM" for all-day events; Google
# Calendar and Outlook drop alarms on import and apply their default notifications.
REMINDER_TRIGGER = dt.timedelta(hours=9)
PRODID = "-//workbook_tool//chart calendar//EN"
UID_DOMAIN = "chart.workbook-tool"
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class CalendarItem:
    """One event of the calendar: a meeting, or an all-day reminder of a next step."""

    uid: str
    kind: str  # meeting | thank-you | follow-up | outreach
    row: int
    name: str
    summary: str
    description: str
    start: dt.date | dt.datetime  # a datetime only for a meeting with a time
    location: str = ""  # a meeting's Meeting Place

    @property
    def timed(self) -> bool:
        return isinstance(self.start, dt.datetime)


@dataclass
class CalendarResult:
    """What ``write_calendar`` wrote."""

    path: Path
    today: dt.date
    items: list[CalendarItem] = field(default_factory=list)

    @property
    def meetings(self) -> int:
        return sum(i.kind == MEETING for i in self.items)

    @property
    def reminders(self) -> int:
        return len(self.items) - self.meetings


# --------------------------------------------------------------------------- what goes in


def item_uid(chart_path, identity: str, kind: str) -> str:
    """A UID that stays the same for the same chart file, contact and kind of item.

    Hashed so that no email address is spelled out in it, and so that any name
    (accents, spaces, quotes) gives a UID every calendar accepts.
    """
    source = "\x1f".join((Path(chart_path).name.casefold(), identity, kind))
    return f"{hashlib.sha256(source.encode('utf-8')).hexdigest()[:32]}@{UID_DOMAIN}"


def contact_identity(row: Row) -> str | None:
    """Who a row is, for UIDs: the folded email, else the normalized name."""
    email = row.values.get("email")
    key = email_key(email) if not is_blank(email) else None
    if key:
        return f"email:{key}"
    name = name_key(row.values.get("name"))
    return f"name:{name}" if name else None


def _where(row: Row) -> str:
    """Organization and title, as "Northwind Clinic (Analytics Lead)"."""
    org, title = row.text("organization"), row.text("title")
    if org and title:
        return f"{org} ({title})"
    return org or (f"({title})" if title else "")


def _details(row: Row, action: str, command: str | None) -> str:
    lines = [action]
    if _where(row):
        lines.append(f"Organization: {_where(row)}")
    reach = [f"{label}: {row.text(key)}" for key, label in (("phone", "Phone"), ("email", "Email")) if row.text(key)]
    if reach:
        lines.append(" · ".join(reach))
    if command:
        lines.append(f"Draft: {command}")
    return "\n".join(lines)


def calendar_items(chart: Chart, today: dt.date) -> list[CalendarItem]:
    """The meetings and reminders of every open contact, in date order.

    Closed contacts (Declined, No Reply, On Hold, Done) have none. Rows with
    neither a name nor an email cannot have a stable UID and are left out.
    """
    region = chart.profile.region
    items: list[CalendarItem] = []
    used: set[str] = set()

    def uid_for(row: Row, identity: str, kind: str) -> str:
        uid = item_uid(chart.path, identity, kind)
        if uid in used:  # the same person twice in the chart (validate flags it): keep both, apart
            uid = item_uid(chart.path, f"{identity}#row{row.number}", kind)
        used.add(uid)
        return uid

    for row, step in stages.contact_steps(chart, today):
        identity = contact_identity(row)
        if step.closed or step.waiting or identity is None:
            continue  # a closed contact, or one to try again later (Try Again On), has nothing in the calendar
        name = row.text("name") or row.text("email")
        start = date_and_time(row.values.get("meeting_on"), region, today)
        if start is not None:
            day = start.date() if isinstance(start, dt.datetime) else start
            if day >= today:
                what = ("Have your presentation and questions ready; note their advice and the people they "
                        "recommend.")
                command = kinds.draft_command(chart.path, kinds.CALL, row.text("name"))
            else:
                what, command = f"Informational meeting. Next: {step.action}.", None
            summary = f"Meeting with {name}" + (f" ({row.text('organization')})" if row.text("organization") else "")
            items.append(CalendarItem(uid_for(row, identity, MEETING), MEETING, row.number, name, summary,
                                      _details(row, what, command), start, row.text("meeting_place")))
        # A scheduled meeting's step is preparing for it: the meeting event covers it.
        if step.due is None or step.stage == stages.MEETING_SCHEDULED:
            continue
        # A first contact's reminder is an outreach's whatever the Channel, so that changing
        # the Channel updates the event rather than adding a second.
        # So is a reply's: the follow-up's event becomes the call or the closing that ends the cadence.
        # And a thanked contact's: the report-back's event becomes the keep-in-touch note once it is sent.
        kind = {stages.NOT_CONTACTED: kinds.OUTREACH, stages.AWAITING_REPLY: kinds.FOLLOW_UP,
                stages.REPLIED: kinds.FOLLOW_UP, stages.THANKED: kinds.FOLLOW_UP}.get(step.stage, step.kind)
        command = kinds.draft_command(chart.path, step.kind, row.text("name"))
        if step.kind is None:
            summary = step.calendar_title.format(name=name)
        else:
            summary = kinds.get(step.kind).reminder(step.stage, step.channel or row.values.get("channel"), name)
        items.append(CalendarItem(uid_for(row, identity, kind), kind, row.number, name, summary,
                                  _details(row, step.action, command), step.due))
    items.sort(key=lambda i: (i.start if i.timed else dt.datetime.combine(i.start, dt.time()), i.row, i.kind))
    return items


# --------------------------------------------------------------------------- the file


def build_calendar(chart: Chart, items: list[CalendarItem], now: dt.datetime | None = None) -> bytes:
    """The .ics text for ``items``, made with the icalendar library."""
    from icalendar import Alarm, Calendar, Event

    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    sequence = int((now - SEQUENCE_EPOCH).total_seconds() // 60)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # Apple Calendar names a new calendar after X-WR-CALNAME when importing into one.
    cal.add("x-wr-calname", f"Job search ({Path(chart.path).name})")
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("sequence", sequence)
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", ["Job search"])
        event.add("dtstart", item.start)
        if item.location:
            event.add("location", item.location)
        if item.timed:
            event.add("dtend", item.start + MEETING_LENGTH)
            event.add("transp", "OPAQUE")
        else:
            # DTEND is exclusive: a one-day all-day event ends the next day.
            event.add("dtend", item.start + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if item.kind != MEETING:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.summary)
            alarm.add("trigger", REMINDER_TRIGGER)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def check_output(out, chart_path) -> Path:
    """The path to write, or ``BadOption`` when it is not an .ics file or would replace the chart."""
    out = Path(out)
    if out.suffix.casefold() != ".ics":
        raise BadOption(f"-o {str(out)!r} must name an .ics file (calendars import .ics), for example "
                        f"-o {out.stem or 'chart'}.ics")
    if out.exists() and Path(os.path.realpath(out)) == Path(os.path.realpath(chart_path)):
        raise BadOption(f"-o {str(out)!r} is the chart itself; give another file name.")
    if out.is_dir():
        raise BadOption(f"-o {str(out)!r} is a folder; give a file name such as {out / 'chart.ics'}")
    return out


def write_ics(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``writer.write_atomically``), the old file kept on failure.

    A calendar app reading the file never sees half of it, and a failure leaves
    any previous file as it was. ``WriteFailed`` says why when the folder is
    missing or not writable.
    """
    # Through a symlink, replace the file it points to, not the link itself.
    target = Path(os.path.realpath(path))
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise WriteFailed(f"{str(folder)!r} is not a folder; choose another -o path.", path=path)
    if not folder.is_dir():
        raise WriteFailed(f"the folder {str(folder)!r} does not exist; create it or choose another -o path.",
                          path=path)
    try:
        # Through a Temporary renamed over the old file: a calendar app never reads half of it.
        write_atomically(target, data, prefix=f".{target.name}.")
    except OSError as exc:
        raise WriteFailed(f"could not write the calendar ({exc.strerror or exc}); nothing was changed.",
                          path=path) from None


def write_calendar(chart_path, out, today: dt.date, now: dt.datetime | None = None) -> CalendarResult:
    """Read the chart at ``chart_path`` and write its meetings and reminders to the .ics file ``out``."""
    from .workbook import read_chart

    out = check_output(out, chart_path)
    chart = read_chart(chart_path)
    items = calendar_items(chart, today)
    write_ics(out, build_calendar(chart, items, now))
    return CalendarResult(out, today, items)
