"""Where each contact stands and what to do next: the guide's rhythm as rules.

One pure function, ``next_step``, reads a Contacts row's dates and Status and
returns its stage, the next action in words, when it is due and which draft
helps (the kind ``kinds.KINDS`` says the stage calls for). ``sync`` writes these
into the tool-owned columns; ``draft`` and the agenda read them. Day counts come
from the Profile (defaults 7, 1 and 60). The stages' names are the schema's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import kinds, schema
from .fields import parse_recommended, to_date
from .people import NAME, People
from .schema import AWAITING_REPLY, MEETING_SCHEDULED, MET, NOT_CONTACTED, THANKED  # the open stages' names
from .workbook import Chart, Profile, Row

CLOSED = tuple(schema.STATUSES)  # Declined, No Reply, On Hold, Done: the stage is the Status


@dataclass(frozen=True)
class NextStep:
    """A contact's stage, next action, due date, the draft kind that helps (a ``kinds.NAMES`` name), and reminders."""

    stage: str
    action: str = ""
    due: dt.date | None = None
    kind: str | None = None
    reminders: tuple[str, ...] = field(default=())

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED


def _date(row: Row, key: str, region: str, today: dt.date | None = None) -> dt.date | None:
    value = row.values.get(key)
    if value is None:
        return None  # the common case, without a call
    try:
        return to_date(value, region, today)
    except ValueError:
        return None  # validate reports it; an unreadable date counts as not done


def _days(n: int) -> str:
    return f"{n} day{'s' * (n != 1)}"


def _overdue(what: str, due: dt.date, today: dt.date) -> tuple[str, ...]:
    late = (today - due).days
    return (f"{what} overdue by {_days(late)}",) if late > 0 else ()


def closed_status(row: Row) -> str | None:
    """The canonical closing Status (Declined, No Reply, On Hold, Done), if the row has one."""
    folded = schema.normalize_header(row.values.get("status"))
    return next((s for s in schema.STATUSES if schema.normalize_header(s) == folded), None) if folded else None


def next_step(row: Row, profile: Profile, today: dt.date, pending_referrals=()) -> NextStep:
    """Apply the guide's rules to one Contacts row.

    ``pending_referrals`` names the people this contact recommended who have not
    been contacted yet; a thanked contact's next step mentions them.
    """
    status = closed_status(row)
    if status:
        return NextStep(status)
    region = profile.region
    contacted = _date(row, "contacted_on", region, today)
    meeting = _date(row, "meeting_on", region, today)
    thanked = _date(row, "thanked_on", region, today)
    followed = _date(row, "followed_up_on", region, today)
    channel = schema.normalize_header(row.values.get("channel"))

    if thanked is not None:
        base = max(thanked, followed) if followed else thanked
        due = base + dt.timedelta(days=profile.days("keep_in_touch_days"))
        action = "Keep in touch: a short note with news"
        if pending_referrals:
            action = f"Contact the people they referred: {', '.join(pending_referrals)}; then keep in touch"
        return NextStep(THANKED, action, due, kinds.called_for(THANKED))

    if meeting is not None and meeting >= today:
        when = "today" if meeting == today else f"on {meeting.isoformat()}"
        action = f"Prepare your presentation and questions for the meeting {when}"
        return NextStep(MEETING_SCHEDULED, action, meeting, kinds.called_for(MEETING_SCHEDULED))

    if meeting is not None:
        due = meeting + dt.timedelta(days=profile.days("thank_you_days"))
        kind = kinds.called_for(MET)
        reminders = _overdue(kind, due, today)
        if not row.text("helpful"):
            reminders += ("fill in Helpful: the thank-you names something helpful",)
        return NextStep(MET, "Send a thank-you that names something helpful", due, kind, reminders)

    if contacted is not None:
        base = max(contacted, followed) if followed else contacted
        due = base + dt.timedelta(days=profile.days("follow_up_days"))
        kind = kinds.called_for(AWAITING_REPLY)
        return NextStep(AWAITING_REPLY, f"Follow up if no reply (last contact {base.isoformat()})", due, kind,
                        _overdue(kind, due, today))

    # The Channel as the action's verb ("Call to ask …"), when it is one of the chart's.
    how = next((c for c in schema.CHANNELS if schema.normalize_header(c) == channel), "Call or email")
    kind = kinds.called_for(NOT_CONTACTED, channel)
    action = f"{how} to ask for {profile.text('meeting_length')} of advice"
    return NextStep(NOT_CONTACTED, action, today, kind)


def was_contacted(row: Row, region: str) -> bool:
    """Closed, or a readable Contacted On or Meeting On: no longer waiting for a first contact."""
    if closed_status(row) is not None:
        return True
    # Only whether there is a date counts: a day typed without a year is one whatever today is.
    return _date(row, "contacted_on", region) is not None or _date(row, "meeting_on", region) is not None


def pending_referrals(row: Row, people: People, region: str) -> tuple[str, ...]:
    """The people ``row`` recommended who have not been contacted yet, for ``next_step``.

    ``people`` finds each Contacts row by its name (``People.named``). A person is
    pending when no row has their name (sync adds one) or their row was not
    contacted yet. Shared by sync, draft and agenda so that they always agree.
    """
    pending = []
    for person in parse_recommended(row.values.get("recommended"), region):
        other = people.named(person.name)
        if other is None:
            pending.append(person.name)
        elif not was_contacted(other, region):
            pending.append(other.text("name"))
    return tuple(dict.fromkeys(pending))


def contact_steps(chart: Chart, today: dt.date) -> list[tuple[Row, NextStep]]:
    """Every Contacts row with its next step, exactly as ``chart sync`` computes it.

    The pending referrals a thanked contact's step names come from the rule sync
    uses too (pending_referrals), so the agenda, the calendar and the Next Step
    column agree.
    """
    region = chart.profile.region
    rows = chart.contacts.rows
    people = People.of_rows(rows, region, kinds=(NAME,))
    steps = []
    for row in rows:
        steps.append((row, next_step(row, chart.profile, today, pending_referrals(row, people, region))))
    return steps
