"""``chart agenda``: what to do today, from the same next steps ``chart sync`` writes.

The steps are worked out afresh from the dates and Status (never read from the
tool-owned Next Step column), so the agenda is right even when the chart has not
been synced since it was last edited. Closed contacts (Declined, No Reply, On
Hold, Done) never appear, nor those waiting for their Try Again On.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

from . import kinds, stages
from .grids import gc_paused
from .workbook import Chart

WEEK_DAYS = 7  # "This week" is the seven days after today

OVERDUE = "overdue"
TODAY = "today"
WEEK = "week"
GROUP_TITLES = {OVERDUE: "Overdue", TODAY: "Due today", WEEK: "This week"}
_DUE = attrgetter("due")  # (an item's due date, as a lambda would give it, without the call)


@dataclass
class AgendaItem:
    """One thing to do: whom, what, when, and the draft command that helps.

    (Not frozen: a frozen dataclass is made four times slower, a tenth of a second for an agenda of
    100,000 items; nothing changes an item once made.)
    """

    row: int
    name: str
    stage: str
    action: str
    due: dt.date
    days_late: int  # 0 when not late
    kind: str | None
    command: str | None

    def as_dict(self) -> dict:
        return {"row": self.row, "name": self.name, "stage": self.stage, "action": self.action,
                "due": self.due.isoformat(), "days_late": self.days_late, "kind": self.kind,
                "command": self.command}


@dataclass
class Agenda:
    """The agenda for one day: items grouped as overdue, due today and this week."""

    path: object
    today: dt.date
    groups: dict[str, list[AgendaItem]] = field(default_factory=lambda: {k: [] for k in GROUP_TITLES})

    @property
    def empty(self) -> bool:
        return not any(self.groups.values())

    @property
    def week_end(self) -> dt.date:
        return self.today + dt.timedelta(days=WEEK_DAYS)

    def as_dict(self) -> dict:
        """A stable structure for scripts: every group is present, in order, even when empty."""
        return {
            "path": str(self.path),
            "today": self.today.isoformat(),
            "week_end": self.week_end.isoformat(),
            "groups": [{"key": key, "title": title, "items": [i.as_dict() for i in self.groups[key]]}
                       for key, title in GROUP_TITLES.items()],
        }


def build_agenda(chart: Chart, today: dt.date) -> Agenda:
    """The chart's agenda for ``today``: open contacts whose next step is due by a week from today."""
    agenda = Agenda(chart.path, today)
    with gc_paused():
        for row, step in stages.contact_steps(chart, today, remind=False):
            if step.closed or step.waiting or step.due is None or not step.action:
                continue
            late = (today - step.due).days
            if late > 0:
                group = OVERDUE
            elif late == 0:
                group = TODAY
            elif -late <= WEEK_DAYS:
                group = WEEK
            else:
                continue
            name = row.text("name")
            # (In the fields' order, not by keyword: a tenth faster for an agenda of 10,000 items.)
            agenda.groups[group].append(AgendaItem(row.number, name, step.stage, step.action, step.due, max(late, 0),
                                                   step.kind, kinds.draft_command(chart.path, step.kind, name)))
    for items in agenda.groups.values():
        # The latest first among the overdue (its due date is earliest); then chart order. The items
        # were added in chart order (contact_steps goes down the rows) and a sort keeps the order of
        # equal keys, so sorting by the due date alone orders by (due, row): without a tuple an item,
        # whose comparisons cost a 100,000-row agenda half a second.
        items.sort(key=_DUE)
    return agenda
