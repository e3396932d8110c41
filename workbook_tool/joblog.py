"""``chart report``'s numbers: the job-search log and the progress summary, as pandas frames.

Owns what counts as an activity (the log a benefits office asks for: one row per dated step,
with its method and the result it led to), the period a report covers, and the summary a coach
reads: activity counts per week, the funnel contacted → replied → met → referred, reply rates
and meetings by Source, the median days to a reply and to a meeting, the steps overdue at the
end of the period and the change against the period before. ``activities(path, start, end)``
gives the log as a DataFrame for people who analyse their search in a notebook.

pandas (about 0.3 s to import) is imported here at the top, and only ``chart report`` imports
this module (inside the command), so no other command pays for it. The renderers (text, CSV,
xlsx, HTML) are ``logpages``'s; the steps overdue are ``stages``' own rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from . import schema, stages
from .errors import BadOption
from .fields import is_blank, name_key, parse_recommended, to_date
from .grids import gc_paused
from .workbook import Chart, Row, read_chart

# The log's columns, exactly as the issue (and a benefits office's form) names them.
LOG_COLUMNS = ("Date", "Employer", "Contact", "Title", "Method", "Activity", "Position Sought", "Result")

CONTACTED, FOLLOWED_UP, REPLY, MEETING, THANKED, REFERRAL = (
    "Contacted", "Followed up", "Reply received", "Meeting", "Thank-you sent", "Referral received")
ACTIVITIES = (CONTACTED, FOLLOWED_UP, REPLY, MEETING, THANKED, REFERRAL)
NEW_CONTACTS = "New contacts"  # people recommended to you: they join the chart as Referral rows
WEEKLY_COLUMNS = (*ACTIVITIES, NEW_CONTACTS)

EMAIL, PHONE, IN_PERSON, VIDEO = "Email", "Phone", "In person", "Video"
REPLIED = "Replied"  # the result of a reply that has not (yet) led to a meeting: no stage has this name
FUNNEL = ("Contacted", "Replied", "Met", "Referred")
BLANK_SOURCE = "(blank)"

# The dated user columns an activity comes from. replied_on is written by the mail loop when
# the chart has that column; ``row.values.get`` gives None without it, so the log works either way.
_DATE_KEYS = ("contacted_on", "followed_up_on", "replied_on", "meeting_on", "thanked_on")
_TOUCHES = (CONTACTED, FOLLOWED_UP, REPLY)  # the exchanges before a meeting
# A meeting held at a link is a video call, not in person.
_VIDEO = re.compile(r"https?://|\bzoom\b|\bteams\b|meet\.google|\bwebex\b|\bskype\b|video", re.I)
_CALL, _EMAIL_CHANNEL = (schema.normalize_header(c) for c in schema.CHANNELS)


# --------------------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    """The days a report covers, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_week(self) -> bool:
        """Monday to Sunday."""
        return self.days == 7 and self.start.weekday() == 0

    def previous(self) -> Period:
        """The period of the same length just before this one, for the change."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def label(self) -> str:
        """``week of Monday 2026-11-16``, ``Wednesday 2026-11-18`` or ``2026-11-02 to 2026-11-22``."""
        if self.is_week:
            return f"week of Monday {self.start.isoformat()} to Sunday {self.end.isoformat()}"
        if self.days == 1:
            return f"{self.start:%A} {self.start.isoformat()}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def week_of(day: dt.date) -> Period:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def period(today: dt.date, *, week: dt.date | None = None, start: dt.date | None = None,
           end: dt.date | None = None) -> Period:
    """The period ``chart report`` covers: this week by default, ``week``'s week, or ``start`` to ``end``.

    Without ``end`` a range runs to today; without ``start`` it begins on the Monday of
    ``end``'s week. ``BadOption`` for a range that ends before it starts, starts after
    today, or is given both ways.
    """
    if week is not None and (start is not None or end is not None):
        raise BadOption("give either --week or --from/--to, not both.")
    if week is not None:
        chosen = week_of(week)
    elif start is None and end is None:
        chosen = week_of(today)
    else:
        end = end if end is not None else max(today, start)
        chosen = Period(start if start is not None else week_of(end).start, end)
    if chosen.end < chosen.start:
        raise BadOption(f"--from {chosen.start.isoformat()} is after --to {chosen.end.isoformat()}; "
                        "give the earlier day first.")
    if chosen.start > today:
        raise BadOption(f"the period starts on {chosen.start.isoformat()}, after today ({today.isoformat()}): "
                        "nothing has happened in it yet. Give a period that starts by today.")
    return chosen


# --------------------------------------------------------------------------- the events


def _date(row: Row, key: str, region: str, today: dt.date) -> dt.date | None:
    value = row.values.get(key)
    if value is None or type(value) is dt.date:
        return value  # the common cells, without a call (a tenth of the report's time at 10,000 rows)
    try:
        return to_date(value, region, today)
    except ValueError:
        return None  # chart validate reports it; an unreadable date is no activity


def _channel_method(row: Row) -> str:
    """Email or Phone from the Channel; from the details the row has when Channel is blank."""
    channel = schema.normalize_header(row.values.get("channel"))
    if channel == _CALL:
        return PHONE
    if channel == _EMAIL_CHANNEL:
        return EMAIL
    email, phone = bool(row.text("email")), bool(row.text("phone"))
    return EMAIL if email and not phone else PHONE if phone and not email else ""


def _referred_names(row: Row, referred: dict[str, list[Row]], region: str) -> list[str]:
    """The people this contact recommended: their Recommended cell and the rows that name them in Referred By."""
    recommended = row.values.get("recommended")
    names = {} if is_blank(recommended) else {name_key(p.name): p.name for p in parse_recommended(recommended, region)}
    for other in referred.get(name_key(row.values.get("name")), ()) if referred else ():
        names.setdefault(name_key(other.values.get("name")), other.text("name"))
    return [n for k, n in names.items() if k and n]


_SOURCES = {schema.normalize_header(s): s for s in schema.SOURCES}


def _source(row: Row) -> str:
    return _SOURCES.get(schema.normalize_header(row.values.get("source")), BLANK_SOURCE)


def _row_events(row: Row, region: str, today: dt.date, referred, within: Period | None) -> tuple[list[tuple], object]:
    """``(day, activity, method, result, new contacts)`` for each step of ``row`` taken by ``today``, in order,
    and the day of its first step (None without one).

    Every step falls on one of the row's dates: a row with none of them ``within`` the days a
    report looks at has no step there, and is not worked out (most rows, for a week's report).

    The result is the stage the contact stood at after the step: a meeting on a later
    day makes the last exchange before it "Meeting scheduled"; a closing Status
    (Declined …) is the result of the row's last step. A meeting ahead is no activity yet.
    """
    day = {k: _date(row, k, region, today) for k in _DATE_KEYS}
    taken = [d for k, d in day.items() if d is not None and (d < today if k == "meeting_on" else d <= today)]
    if not taken:
        return [], None  # not contacted yet: no step, and no referral to date
    earliest = min(taken)
    if within is not None and not any(within.start <= d <= within.end for d in taken):
        return [], earliest
    referred_names = _referred_names(row, referred, region)
    method = _channel_method(row)
    meeting = day["meeting_on"]
    held = meeting if meeting is not None and meeting < today else None
    met_by = (VIDEO if _VIDEO.search(row.text("meeting_place")) else IN_PERSON) if held else None
    steps = []  # (day, order within a day, activity, method, names referred)
    for order, (key, activity, how) in enumerate((
            ("contacted_on", CONTACTED, method), ("followed_up_on", FOLLOWED_UP, method),
            ("replied_on", REPLY, EMAIL), ("meeting_on", MEETING, met_by))):
        when = held if key == "meeting_on" else day[key]
        if when is not None and when <= today:
            steps.append((when, order, activity, how, ()))
    if referred_names:
        # Referrals come in the conversation: the meeting, else the reply, else the latest exchange.
        touches = [s[0] for s in steps if s[2] in (CONTACTED, FOLLOWED_UP)]
        replied = day["replied_on"] if day["replied_on"] is not None and day["replied_on"] <= today else None
        when = held or replied or (max(touches) if touches else None)
        if when is not None:
            steps.append((when, 4, REFERRAL, met_by if when == held else method, tuple(referred_names)))
    thanked = day["thanked_on"]
    if thanked is not None and thanked <= today:
        steps.append((thanked, 5, THANKED, EMAIL if row.text("email") else method, ()))
    steps.sort(key=lambda s: (s[0], s[1]))
    status = stages.closed_status(row)
    last = max((i for i, s in enumerate(steps) if s[2] != REFERRAL), default=None)
    events = []
    for i, (when, _, activity, how, names) in enumerate(steps):
        if activity == REFERRAL:
            result = "Referred you to " + ", ".join(names)
        elif i == last and status:
            result = status
        elif thanked is not None and thanked <= when:
            result = stages.THANKED
        elif held is not None and held <= when:
            result = stages.MET
        elif meeting is not None and meeting > when and not any(
                s[2] in _TOUCHES and s[0] < meeting for s in steps[i + 1:]):
            result = stages.MEETING_SCHEDULED
        elif day["replied_on"] is not None and day["replied_on"] <= when:
            result = REPLIED
        else:
            result = stages.AWAITING_REPLY
        events.append((when, activity, how, result, len(names)))
    return events, earliest


_EVENT_COLUMNS = ("date", "row", "contact", "employer", "title", "method", "activity", "result", "source", "new")
_CONTACT_COLUMNS = ("row", "contact", "source", "first", "replied_by", "reply_on", "met_on", "referred_on")
_DECLINED, _NO_REPLY, _ON_HOLD, _DONE = schema.STATUSES
# The results that show a contact had answered by then (a decline is an answer; No Reply and On Hold are not).
_ANSWERED = {REPLIED, stages.MEETING_SCHEDULED, stages.MET, stages.THANKED, _DECLINED, _DONE}


def _collect(rows, region: str, today: dt.date, referred, within, records: list, people: list):
    """Fill ``records`` with each row's events and ``people`` with each contact's milestones (``chart_events``);
    the day of the chart's first step."""
    first_step = None
    for row in rows:
        events, earliest = _row_events(row, region, today, referred, within)
        if earliest is not None and (first_step is None or earliest < first_step):
            first_step = earliest
        if not events:
            continue
        name, source = row.text("name"), _source(row)
        employer, title = row.text("organization"), row.text("title")
        first = dict.fromkeys((REPLY, MEETING, REFERRAL))  # the first day of each
        answered = None
        for when, activity, how, result, new in events:
            records.append((when, row.number, name, employer, title, how, activity, result, source, new))
            if activity in first and first[activity] is None:
                first[activity] = when
            if answered is None and (activity in (REPLY, MEETING) or result in _ANSWERED):
                answered = when
        # The first exchange: the earliest contact, follow-up, reply or meeting (a thank-you is never first).
        opening = next((e[0] for e in events if e[1] in (*_TOUCHES, MEETING)), None)
        people.append((row.number, name, source, opening, answered, first[REPLY], first[MEETING],
                       first[REFERRAL]))
    return first_step


def chart_events(chart: Chart, today: dt.date,
                 within: Period | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dt.date | None]:
    """Every activity in the chart up to ``today`` (a frame of ``_EVENT_COLUMNS``), one row per contact, and
    the day of the first activity.

    The contacts frame has each contact's first exchange, the day they were known to
    have answered (a reply, a meeting, a meeting arranged, a decline), their Replied
    On, their meeting held and their referral given (NaT when none). With ``within``,
    only the contacts with a step in those days are in the frames (all of their steps).
    """
    region = chart.profile.region
    rows = [r for r in chart.contacts.rows if r.text("name")]
    referred = stages.referred_index(rows)
    records, people = [], []
    with gc_paused():  # tens of thousands of small tuples: the collector would walk them again and again
        first_step = _collect(rows, region, today, referred, within, records, people)
    frame = pd.DataFrame.from_records(records, columns=_EVENT_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.sort_values(["date", "row"], kind="stable", ignore_index=True)
    contacts = pd.DataFrame.from_records(people, columns=_CONTACT_COLUMNS)
    for column in _CONTACT_COLUMNS[3:]:
        contacts[column] = pd.to_datetime(contacts[column])
    return frame, contacts, first_step


def _in(frame: pd.DataFrame, span: Period, column: str = "date") -> pd.DataFrame:
    dates = frame[column]
    return frame[(dates >= pd.Timestamp(span.start)) & (dates <= pd.Timestamp(span.end))]


def log_frame(events: pd.DataFrame, seeking: str) -> pd.DataFrame:
    """The log's rows (``LOG_COLUMNS``, Date as datetime64), then Source and Row for analysis."""
    return pd.DataFrame({
        "Date": events["date"], "Employer": events["employer"], "Contact": events["contact"],
        "Title": events["title"], "Method": events["method"], "Activity": events["activity"],
        "Position Sought": seeking, "Result": events["result"], "Source": events["source"], "Row": events["row"],
    }).reset_index(drop=True)


def activities(path, start: dt.date | None = None, end: dt.date | None = None,
               today: dt.date | None = None) -> pd.DataFrame:
    """The job-search log of the chart at ``path`` as a DataFrame, oldest first.

    Columns: ``LOG_COLUMNS`` (Date as datetime64), then Source and the Contacts Row.
    ``start``/``end`` bound the days (both included; all when None); ``today`` (the real
    today when None) is the day after which nothing counts yet. Raises ``ChartError``.
    """
    today = today or dt.date.today()
    chart = read_chart(path)
    events, _, _ = chart_events(chart, today, Period(start or dt.date.min, end or dt.date.max))
    if start is not None:
        events = events[events["date"] >= pd.Timestamp(start)]
    if end is not None:
        events = events[events["date"] <= pd.Timestamp(end)]
    return log_frame(events, chart.profile.text("seeking"))


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Overdue:
    """A step not taken by the end of the period."""

    row: int
    name: str
    action: str
    due: dt.date
    days_late: int


@dataclass
class JobReport:
    """Everything ``chart report`` shows, for one period of one chart."""

    path: object
    period: Period
    today: dt.date
    your_name: str
    seeking: str
    log: pd.DataFrame  # log_frame's columns
    weekly: pd.DataFrame  # index: each week's Monday; columns WEEKLY_COLUMNS
    funnel: list[tuple[str, int]]  # FUNNEL's steps, for the people first contacted in the period
    by_source: pd.DataFrame  # index: Source; Contacted, Replied, Reply rate, Meetings
    medians: dict[str, tuple[float | None, int]]  # "reply"/"meeting" → (median days, how many people)
    overdue: list[Overdue]
    change: pd.DataFrame  # index: WEEKLY_COLUMNS; This period, Previous period, Change
    first_activity: dt.date | None
    has_replied_on: bool  # whether the chart records replies (its Replied On column)

    @property
    def as_of(self) -> dt.date:
        """The day the overdue steps are counted at: the period's end, or today within it."""
        return min(self.period.end, self.today)

    @property
    def note(self) -> str | None:
        """One line saying why the log is empty, or None."""
        if len(self.log):
            return None
        if self.first_activity is None:
            return "No activity yet: the chart has no dated step (Contacted On, Meeting On …) by " \
                   f"{self.today.isoformat()}."
        if self.period.end < self.first_activity:
            return f"No activity in this period: it ends before your first contact, on {self.first_activity.isoformat()}."
        return "No activity in this period."


def _weekly(log: pd.DataFrame, span: Period) -> pd.DataFrame:
    """Activities of each kind, and new contacts, per week (Monday to Sunday) of ``span``."""
    mondays = pd.date_range(week_of(span.start).start, week_of(span.end).start, freq="7D")
    if len(log):
        dated = log.set_index("Date")
        # One column of 0/1 per activity (crosstab does the same at four times the cost), then new contacts.
        counts = pd.get_dummies(dated["Activity"], dtype=int)
        counts[NEW_CONTACTS] = dated["New"]
        # Weeks from Monday: each bin is [Monday, next Monday), labelled by its Monday.
        weekly = counts.resample("W-MON", label="left", closed="left").sum()
    else:
        weekly = pd.DataFrame()
    weekly = weekly.reindex(index=mondays, columns=list(WEEKLY_COLUMNS), fill_value=0).fillna(0).astype(int)
    weekly.index.name = "Week of"
    return weekly


def _by_source(cohort: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Reply rate and meetings by Source for ``cohort``, outcomes counted by ``end``."""
    frame = pd.DataFrame({"Source": cohort["source"], "Contacted": 1,
                          "Replied": (cohort["replied_by"] <= end).astype(int),
                          "Meetings": (cohort["met_on"] <= end).astype(int)})
    table = frame.groupby("Source").sum()
    order = [s for s in (*schema.SOURCES, BLANK_SOURCE) if s in table.index or s in schema.SOURCES]
    table = table.reindex(order, fill_value=0)
    table = table[(table["Contacted"] > 0) | table.index.isin(schema.SOURCES)]
    rate = (table["Replied"] / table["Contacted"].where(table["Contacted"] > 0)).round(2)
    table.insert(2, "Reply rate", rate)
    return table[["Contacted", "Replied", "Reply rate", "Meetings"]]


def _median_days(cohort: pd.DataFrame, column: str, end: pd.Timestamp) -> tuple[float | None, int]:
    reached = cohort[cohort[column] <= end]
    days = (reached[column] - reached["first"]).dt.days
    return (float(days.median()) if len(days) else None), int(len(days))


def _overdue(chart: Chart, as_of: dt.date) -> list[Overdue]:
    """The steps overdue on ``as_of``, from the chart as it stood then: later dates are not known yet.

    A date after ``as_of`` is blanked (a meeting keeps its day: it was arranged before it
    happened), and so is a closing Status set after a later step.
    """
    region = chart.profile.region
    later = tuple(k for k in _DATE_KEYS if k != "meeting_on")
    rows = []
    for row in chart.contacts.rows:
        cut = [k for k in later if (when := _date(row, k, region, as_of)) is not None and when > as_of]
        # A row with nothing after as_of is as it stood then (most rows, always so for this week's report).
        rows.append(Row(row.number, {**row.values, **dict.fromkeys([*cut, "status"])}) if cut else row)
    then = dataclasses.replace(chart, contacts=dataclasses.replace(chart.contacts, rows=rows))
    found = []
    # A row with none of these dates has not been contacted: its step is due on as_of, never overdue.
    for row, step in stages.contact_steps(then, as_of, wanted=_ever_contacted):
        if row.text("name") and step.due and not step.closed and not step.waiting and step.due < as_of:
            found.append(Overdue(row.number, row.text("name"), step.action, step.due, (as_of - step.due).days))
    return sorted(found, key=lambda o: (o.due, o.row))


_CONTACT_KEYS = ("contacted_on", "meeting_on", "thanked_on", "replied_on")


def _ever_contacted(row: Row) -> bool:
    return any(not is_blank(row.values.get(k)) for k in _CONTACT_KEYS)


def _totals(log: pd.DataFrame) -> pd.Series:
    counts = log["Activity"].value_counts().reindex(list(ACTIVITIES), fill_value=0)
    counts[NEW_CONTACTS] = int(log["New"].sum()) if len(log) else 0
    return counts.astype(int)


def build_report(chart: Chart, span: Period, today: dt.date) -> JobReport:
    """The log and summary of ``chart`` for ``span``, as of ``today`` (nothing after it counts)."""
    with gc_paused():
        return _build_report(chart, span, today)


def _build_report(chart: Chart, span: Period, today: dt.date) -> JobReport:
    # The previous period too: the change is counted against it.
    events, contacts, first = chart_events(chart, today, Period(span.previous().start, span.end))
    seeking = chart.profile.text("seeking")
    everything = log_frame(events, seeking)
    everything["New"] = events["new"].to_numpy()
    log = _in(everything, span, "Date")
    previous = _in(everything, span.previous(), "Date")
    end = pd.Timestamp(span.end)
    cohort = _in(contacts, span, "first")
    funnel = [(FUNNEL[0], len(cohort)), (FUNNEL[1], int((cohort["replied_by"] <= end).sum())),
              (FUNNEL[2], int((cohort["met_on"] <= end).sum())), (FUNNEL[3], int((cohort["referred_on"] <= end).sum()))]
    change = pd.DataFrame({"This period": _totals(log), "Previous period": _totals(previous)})
    change["Change"] = change["This period"] - change["Previous period"]
    return JobReport(
        path=chart.path, period=span, today=today, your_name=chart.profile.text("your_name"), seeking=seeking,
        log=log.drop(columns="New").reset_index(drop=True), weekly=_weekly(log, span), funnel=funnel,
        by_source=_by_source(cohort, end),
        medians={"reply": _median_days(cohort, "reply_on", end), "meeting": _median_days(cohort, "met_on", end)},
        overdue=_overdue(chart, min(span.end, today)), change=change,
        first_activity=first,
        has_replied_on=chart.contacts.has("replied_on"))


def job_report(path, span: Period, today: dt.date) -> JobReport:
    """Read the chart at ``path`` (read-only) and build its report for ``span``."""
    return build_report(read_chart(path), span, today)
