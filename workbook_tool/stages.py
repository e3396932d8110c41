"""Where each contact stands and what to do next: the guide's rhythm as rules.

One pure function, ``next_step``, reads a Contacts row's dates and Status (and
Replied On, which ``chart mail`` records: an answer is due before anything else) and
returns its stage, the next action in words, when it is due and which draft
helps (the kind ``kinds.KINDS`` says the stage calls for). ``sync`` writes these
into the tool-owned columns; ``draft`` and the agenda read them. Day counts come
from the Profile (defaults 7, 1 and 60). The stages' names are the schema's.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

from . import kinds, schema
from .fields import EARLIEST_YEAR, LATEST_YEAR, is_blank, name_key, recommended_names, to_date, usable_address
from .people import NAME, People, name_keys
from .schema import AWAITING_REPLY, MEETING_SCHEDULED, MET, NOT_CONTACTED, REPLIED, THANKED  # the open stages' names
from .workbook import Chart, Profile, Row

CLOSED = tuple(schema.STATUSES)  # Declined, No Reply, On Hold, Done: the stage is the Status
_CALL, _EMAIL = schema.CHANNELS
_CALL_FOLDED, _EMAIL_FOLDED = schema.normalize_header(_CALL), schema.normalize_header(_EMAIL)
_NO_REPLY = schema.STATUSES[1]
_CLOSE = f"set Status to {_NO_REPLY}"
NO_REPLY_TITLE = "Close {name} as " + _NO_REPLY  # the calendar's title for a step of closing
REPLIED_TITLE = "Answer {name} and set up the meeting"  # the calendar's title for answering a reply


@dataclass
class NextStep:
    """A contact's stage, next action, due date, the draft kind that helps (a ``kinds.NAMES`` name), and reminders.

    A value: made once a row and never changed (``dataclasses.replace`` makes another). Not declared
    frozen: a frozen dataclass is made four times slower, a tenth of a second for a 100,000-row agenda.
    """

    stage: str
    action: str = ""
    due: dt.date | None = None
    kind: str | None = None
    reminders: tuple[str, ...] = field(default=())
    waiting: bool = False  # Try Again On is ahead: ``due`` is that day, and nothing is to be done before it
    channel: str | None = None  # the Channel the step uses when it is not the row's (trying the other one)

    @property
    def calendar_title(self) -> str | None:
        """How the calendar titles a step that calls for no draft (closing as No Reply, answering a reply), else None."""
        if self.kind is None and self.stage == REPLIED:
            return REPLIED_TITLE
        return NO_REPLY_TITLE if self.kind is None and self.action.endswith(_CLOSE) else None

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED


def _date(row: Row, key: str, region: str, today: dt.date | None = None) -> dt.date | None:
    value = row.values.get(key)
    if value is None:
        return None  # the common case, without a call
    if value.__class__ is dt.date and EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return value  # a date cell, as to_date returns it: the next most common case, also without one
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
    value = row.values.get("status")
    return None if value is None else _CLOSING.get(schema.normalize_header(value))


# Each closing Status by its fold (the first of schema.STATUSES to give a fold keeps it; "" is none).
_CLOSING = {}
for _status in schema.STATUSES:
    _CLOSING.setdefault(schema.normalize_header(_status), _status)
_CLOSING.pop("", None)


def next_step(row: Row, profile: Profile, today: dt.date, pending_referrals=(), report_back=()) -> NextStep:
    """Apply the guide's rules to one Contacts row.

    ``pending_referrals`` names the people this contact recommended who have not
    been contacted yet; a thanked contact's next step mentions them. ``report_back``
    (``unreported_meetings``) holds the people they referred you to whom you have met
    since you last wrote to them: a thanked contact's step is then to tell them how it went. A Try Again On
    ahead of ``today`` puts the row on hold until that day (``NextStep.waiting``); on
    and after it the rhythm resumes from that day.
    """
    return _next_step(row, profile, None, today, pending_referrals, report_back, True)


@dataclass(frozen=True)
class _Facts:
    """What the rules read of the Profile, worked out once for all the rows of a chart (``contact_steps``)."""

    region: str
    follow_up: dt.timedelta
    thank_you: dt.timedelta
    keep_in_touch: dt.timedelta
    meeting_length: str

    @classmethod
    def of(cls, profile: Profile) -> _Facts:
        return cls(profile.region, dt.timedelta(days=profile.days("follow_up_days")),
                   dt.timedelta(days=profile.days("thank_you_days")),
                   dt.timedelta(days=profile.days("keep_in_touch_days")), profile.text("meeting_length"))


def _next_step(row: Row, profile: Profile, facts: _Facts | None, today: dt.date, pending_referrals, report_back,
               remind: bool) -> NextStep:
    """``next_step``, with the Profile's ``facts`` when the caller has them; ``remind`` False leaves the
    reminders out (the agenda shows none): the step is otherwise the same, and an address is then
    checked only where the Channel decides the step."""
    values = row.values
    status = values.get("status")
    if status is not None:  # (closed_status, without its call for the common blank Status)
        closed = _CLOSING.get(schema.normalize_header(status))
        if closed:
            return NextStep(closed)
    if facts is None:
        facts = _Facts.of(profile)
    retry = None if values.get("try_again_on") is None else _date(row, "try_again_on", facts.region, today)
    if retry is not None and retry > today:
        stage = _rhythm(row, facts, today, pending_referrals, (), None, None, False).stage
        header = schema.CONTACTS.column("try_again_on").header
        return NextStep(stage, f"Nothing until {retry.isoformat()} ({header})", retry, waiting=True)
    if not remind:
        return _rhythm(row, facts, today, pending_referrals, report_back, retry, None, False)
    # The row's Channel and whether its address is usable, worked out once for the rules and the reminder.
    channel = schema.normalize_header(values.get("channel"))
    email = usable_email(row) if channel != _CALL_FOLDED else None  # (a Call row needs no address to be reached)
    step = _rhythm(row, facts, today, pending_referrals, report_back, retry, _reach(row, channel, email), True)
    unreachable = _no_address(row, channel, email) if channel == _EMAIL_FOLDED else None
    return replace(step, reminders=step.reminders + (unreachable,)) if unreachable else step


def usable_email(row: Row) -> str | None:
    """The row's email address when it is one a draft can go to, else None."""
    text = row.text("email")
    return usable_address(text) if text else None


def reach_channel(row: Row) -> str:
    """The Channel the row's steps go by, folded like a header (``call``, ``email`` or ``""``).

    The row's own, except that someone with a phone number and no usable email address
    is called whatever Channel says: an email step would have nowhere to go
    (``_no_address`` says so in Comments).
    """
    channel = schema.normalize_header(row.values.get("channel"))
    # (_reach's test, the address checked last: only a row with a phone number needs it.)
    if channel != _CALL_FOLDED and row.text("phone") and usable_email(row) is None:
        return _CALL_FOLDED
    return channel


def _reach(row: Row, channel: str, email: str | None) -> str:
    """``reach_channel`` for a row whose folded Channel and ``usable_email`` are known (``email`` is
    asked only when ``channel`` is not Call)."""
    if channel != _CALL_FOLDED and email is None and row.text("phone"):
        return _CALL_FOLDED
    return channel


def _no_address(row: Row, channel: str, email: str | None) -> str | None:
    """A reminder for a row whose Channel is Email but whose Email is blank or not an address
    (``channel``: its Channel folded; ``email``: its ``usable_email``)."""
    if channel != _EMAIL_FOLDED or email is not None:
        return None
    said = f"Channel is {_EMAIL} but there is no {'valid ' if row.text('email') else ''}address"
    if row.text("phone"):
        return f"{said}: call them instead ({row.text('phone')}), or add their email address"
    return f"{said}: add their email address, or a phone number and set Channel to {_CALL}"


def _rhythm(row: Row, facts: _Facts, today: dt.date, pending_referrals, report_back,
            retry: dt.date | None, channel: str | None, remind: bool) -> NextStep:
    """The guide's rules for an open row; ``retry``, a Try Again On not after today, restarts the clock.
    ``channel``: its ``reach_channel`` when the caller knows it (else worked out where a rule needs it);
    ``remind``: with the reminders."""
    region = facts.region
    values = row.values  # (a blank date cell, the most common, is None: _date is asked about the others only)
    contacted = None if values.get("contacted_on") is None else _date(row, "contacted_on", region, today)
    meeting = None if values.get("meeting_on") is None else _date(row, "meeting_on", region, today)
    thanked = None if values.get("thanked_on") is None else _date(row, "thanked_on", region, today)
    followed = None if values.get("followed_up_on") is None else _date(row, "followed_up_on", region, today)

    if thanked is not None:
        base = max(thanked, followed) if followed else thanked
        due = _resumed(base + facts.keep_in_touch, retry)
        action = "Keep in touch: a short note with news"
        if pending_referrals:
            action = f"Contact the people they referred: {', '.join(pending_referrals)}; then keep in touch"
        if report_back:
            # The guides all say it: tell the referrer how the meeting they made possible went, promptly.
            met = ", ".join(name for name, _ in report_back)
            due = _resumed(min(day for _, day in report_back) + facts.thank_you, retry)
            action = f"Report back: tell them how it went with {met}" + (
                f"; then contact the people they referred: {', '.join(pending_referrals)}" if pending_referrals else "")
            return NextStep(THANKED, action, due, kinds.REPORT_BACK,
                            _overdue(kinds.REPORT_BACK, due, today) if remind else ())
        return NextStep(THANKED, action, due, _called_for(THANKED))

    if meeting is not None and meeting >= today:
        when = "today" if meeting == today else f"on {meeting.isoformat()}"
        action = f"Prepare your presentation and questions for the meeting {when}"
        return NextStep(MEETING_SCHEDULED, action, meeting, _called_for(MEETING_SCHEDULED))

    if meeting is not None:
        due = _resumed(meeting + facts.thank_you, retry)
        kind = _called_for(MET)
        reminders = ()
        if remind:
            reminders = _overdue(kind, due, today)
            if not row.text("helpful"):
                reminders += ("fill in Helpful: the thank-you names something helpful",)
        return NextStep(MET, "Send a thank-you that names something helpful", due, kind, reminders)

    replied = None if values.get("replied_on") is None else _date(row, "replied_on", region, today)
    if replied is not None:
        sent = [d for d in (contacted, followed) if d is not None]
        # Replied On is a day, like the dates it is compared with: a reply on the day of your
        # last message counts as newer (the common same-day answer to a first email).
        if not sent or replied >= max(sent):
            return NextStep(REPLIED, f"Answer their reply of {replied.isoformat()} and set up the meeting "
                                     "(then fill in Meeting On)", today)

    if channel is None:
        channel = reach_channel(row)  # (only the rules below ask how the row is reached)
    if contacted is not None:
        last = max(contacted, followed) if followed else contacted
        kind = _called_for(AWAITING_REPLY, channel)  # a call sheet for someone reached by phone
        late = kinds.FOLLOW_UP  # by email or by phone, what is late is a follow-up
        if retry is not None and retry > last:
            # The day to try again is a new start: one follow-up, due that day, whatever came before.
            return NextStep(AWAITING_REPLY, f"Try again: follow up (last contact {last.isoformat()})", retry, kind,
                            _overdue(late, retry, today) if remind else ())
        if followed is not None and followed >= contacted:
            return _cadence_end(row, followed, followed + facts.follow_up, channel, today, remind)
        due = last + facts.follow_up
        return NextStep(AWAITING_REPLY, f"Follow up if no reply (last contact {last.isoformat()})", due, kind,
                        _overdue(late, due, today) if remind else ())

    # The Channel as the action's verb ("Call to ask …"), when it is one of the chart's.
    how = _CHANNEL_VERBS.get(channel, "Call or email")
    action = f"{how} to ask for {facts.meeting_length} of advice"
    return NextStep(NOT_CONTACTED, action, today, _called_for(NOT_CONTACTED, channel))


def _resumed(due: dt.date, retry: dt.date | None) -> dt.date:
    """A step is never due before the day to try again."""
    return max(due, retry) if retry is not None else due


# Each folded Channel's own spelling, the first of schema.CHANNELS to fold to it (reversed: the first is put last).
_CHANNEL_VERBS = {schema.normalize_header(c): c for c in reversed(schema.CHANNELS)}
# kinds.called_for's answer depends on its two arguments only, and a chart asks it for a few
# (stage, channel) pairs thousands of times.
_called_for = functools.lru_cache(maxsize=None)(kinds.called_for)


def _cadence_end(row: Row, followed: dt.date, due: dt.date, channel: str, today: dt.date, remind: bool) -> NextStep:
    """A follow-up went unanswered: try the other channel where the row has it, or close as No Reply.

    Never a second follow-up by the same channel: the guide's rhythm ends here. The other
    channel's step is a first contact by it (a call sheet, or an outreach email).
    """
    other = None
    if channel == _EMAIL_FOLDED and row.text("phone"):
        other, detail = _CALL, row.text("phone")
    elif channel == _CALL_FOLDED and usable_email(row):
        other, detail = _EMAIL, row.text("email")
    said = f"No reply to your follow-up of {followed.isoformat()}: "
    if other is None:
        return NextStep(AWAITING_REPLY, said + _CLOSE, due, None, _overdue("closing", due, today) if remind else ())
    verb = other.casefold()  # the Channel as a verb: "call them", "email them"
    kind = _called_for(NOT_CONTACTED, schema.normalize_header(other))
    return NextStep(AWAITING_REPLY, f"{said}{verb} them ({detail}), or {_CLOSE}", due, kind,
                    _overdue(verb, due, today) if remind else (), channel=other)


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
    for name in recommended_names(row.values.get("recommended"), region):
        other = people.named(name)
        if other is None:
            pending.append(name)
        elif not was_contacted(other, region):
            pending.append(other.text("name"))
    return tuple(dict.fromkeys(pending))


def referred_index(rows) -> dict[str, list[Row]]:
    """The rows each contact referred (``name_key`` of Referred By → rows), for ``unreported_meetings``."""
    index: dict[str, list[Row]] = {}
    referred = [row for row in rows if row.values.get("referred_by") is not None]  # (most cells are blank)
    for row, key in zip(referred, name_keys([row.values["referred_by"] for row in referred])):  # (a column at once)
        if key:
            index.setdefault(key, []).append(row)
    return index


def unreported_meetings(row: Row, referred: dict[str, list[Row]], region: str, today: dt.date,
                        all_met: bool = False, key: str | None = None) -> tuple[tuple[str, dt.date], ...]:
    """``(name, meeting day)`` of each person ``row`` referred you to whom you met before ``today``
    after you last wrote to ``row`` (Thanked On, Followed Up On), for ``next_step``'s report-back.

    A report-back sent is recorded like any note to them: in Followed Up On. ``all_met``
    counts every such meeting, reported or not (a report-back drafted again on request). ``key``: the
    row's ``name_key``, when the caller has it.
    """
    if key is None:
        key = name_key(row.values.get("name"))
    if not key or key not in referred:
        return ()
    notes = [d for d in (_date(row, "thanked_on", region, today), _date(row, "followed_up_on", region, today)) if d]
    last = max(notes) if notes and not all_met else None
    found = []
    for other in referred[key]:
        met = _date(other, "meeting_on", region, today)
        if met is not None and met < today and (last is None or met > last) and other.text("name"):
            found.append((other.text("name"), met))
    return tuple(found)


def contact_steps(chart: Chart, today: dt.date, wanted=None, *, remind: bool = True) -> list[tuple[Row, NextStep]]:
    """Every Contacts row (``wanted(row)`` true, when given) with its next step, exactly as ``chart sync``
    computes it (``remind`` False: without its reminders, for a caller that shows none).

    The pending referrals a thanked contact's step names come from the rule sync
    uses too (pending_referrals), so the agenda, the calendar and the Next Step
    column agree; they are looked up among all the rows, wanted or not.
    """
    profile = chart.profile
    facts = _Facts.of(profile)  # (once for the chart, not once a row)
    region = facts.region
    rows = chart.contacts.rows
    # Made when first needed: only a thanked contact's step names referrals, and only one who recommended
    # someone looks people up by name (the index folds every row's name: a fifth of a large agenda).
    people = referred = None
    names: list[str] = []  # each row's name key, worked out with the referral index
    steps = []
    for i, row in enumerate(rows):
        if wanted is not None and not wanted(row):
            continue
        pending = report_back = ()
        if row.values.get("thanked_on") is not None:  # (a blank Thanked On: next_step looks at neither)
            if referred is None:
                referred = referred_index(rows)
                names = name_keys([r.values.get("name") for r in rows])  # each row's, the column at once
            if not is_blank(row.values.get("recommended")):  # (else pending_referrals names no one)
                if people is None:
                    people = People.of_rows(rows, region, kinds=(NAME,), names=names)
                pending = pending_referrals(row, people, region)
            report_back = unreported_meetings(row, referred, region, today, key=names[i])
        steps.append((row, _next_step(row, profile, facts, today, pending, report_back, remind)))
    return steps
