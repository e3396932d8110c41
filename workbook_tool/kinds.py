"""The kinds of draft, declared once: one row per kind in ``KINDS``.

A row says what the kind is called (``chart draft --kind``, the Templates sheet's Name),
which template files hold it, which file a draft becomes, which next steps call for it,
which of the checker's rules its drafts are held to, and how the calendar words a
reminder to write it; ``draft_command`` is the command line that drafts one. ``stages``
(the kind a step calls for), ``templates`` (where its template comes from), ``drafts``
(its file), ``checker`` (its rules), ``ics`` (its reminders), ``agenda`` and ``cli`` (its
name) read this table; nothing else spells a kind's name. A new kind is a new row (and
a packaged template in ``templates/``).

This module imports nothing but ``schema`` (for the stage names), so that every module
may read it.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass

from .schema import AWAITING_REPLY, CHANNELS, MEETING_SCHEDULED, MET, NOT_CONTACTED, THANKED, normalize_header

OUTREACH = "outreach"
CALL = "call"
THANK_YOU = "thank-you"
FOLLOW_UP = "follow-up"
REPORT_BACK = "report-back"

# The checker's rules (checker.py applies them; test_kinds checks it knows each one).
GUIDE_POINTS = "guide-points"  # the guide's four points, the request for a meeting, "not asking for a job"
REFERRER_FIRST = "referrer-first"  # whoever referred you, named in the first sentence
FIVE_POINT_RULES = "five-point"  # with --style 5-point: the connection first, a question, a shorter limit
NAMES_HELPFUL = "names-helpful"  # says what the contact said that helped
SHORT = "short"  # under the checker's word limit
RULES = (GUIDE_POINTS, REFERRER_FIRST, FIVE_POINT_RULES, NAMES_HELPFUL, SHORT)
# The checker's styles (chart draft --style): here, so that drafts names its default without importing the
# checker, which a sync's Draft links never run (its patterns are compiled as it is imported).
GUIDE = "guide"
FIVE_POINT = "5-point"
STYLES = (GUIDE, FIVE_POINT)

# An email draft to someone without a usable address is a text file to copy from.
TEXT_FILE = "txt"

_CALL_CHANNEL, _EMAIL_CHANNEL = CHANNELS

LABEL_LIMIT = 40  # characters of a Draft cell's label


@dataclass(frozen=True)
class Reminder:
    """How the calendar titles a reminder to write a draft (``{name}``: the contact's).

    It applies at ``stage`` only, or for ``channel`` (the row's Channel) only, when given.
    """

    title: str
    stage: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Kind:
    """One kind of draft: its names, its template files, its file, the steps that call for it,
    the checker's rules for it and the calendar's reminders of it."""

    name: str  # as ``--kind``, file names and messages spell it
    noun: str  # "an outreach email": how help text names it
    packaged: str  # its template in the package's templates/ folder
    files: tuple[str, ...]  # the files a --templates folder may hold for it, the preferred first
    aliases: tuple[str, ...]  # what else a Templates-sheet Name may call it (folded like headers)
    email: bool  # an email (.eml; .txt without a usable address), or a call sheet (.md)
    stages: tuple[str, ...]  # the stages whose next step calls for it
    checks: tuple[str, ...]  # the checker's rules (RULES) its drafts are held to
    reminders: tuple[Reminder, ...]  # the calendar's titles, the first that applies
    channel: str | None = None  # where two kinds share a stage: the Channel that picks this one
    when_due: bool = False  # drafted unasked only once its step is due (a follow-up waits for its day)
    label: str = ""  # an email's Draft cell, its link behind it ({name}: the contact's first name)

    @property
    def file_type(self) -> str:
        """The extension of its drafts: ``eml`` or ``md`` (``TEXT_FILE`` for an email without an address)."""
        return "eml" if self.email else "md"

    def reminder(self, stage: str, channel, name: str) -> str:
        """The calendar's title for a reminder to write this draft to ``name`` (``channel``: the row's Channel)."""
        folded = normalize_header(channel)
        for reminder in self.reminders:
            if reminder.stage not in (None, stage):
                continue
            if reminder.channel is not None and normalize_header(reminder.channel) != folded:
                continue
            return reminder.title.format(name=name)
        raise LookupError(f"{self.name} has no reminder for {stage}")  # every row's last reminder applies always

    def link_label(self, name: str) -> str:
        """The Draft cell's text for this email to ``name``: "Email Olivia", at most LABEL_LIMIT characters.

        The link is behind it: the cell stays narrow and prints, where the link itself
        (hundreds of characters of %20) spilled across the sheet.
        """
        text = self.label.format(name=name)
        if len(text) > LABEL_LIMIT:
            room = LABEL_LIMIT - len(self.label.format(name="")) - 1
            text = self.label.format(name=name[:max(room, 1)].rstrip() + "…")
        return text[:LABEL_LIMIT]


KINDS = (
    Kind(OUTREACH, "an outreach email", packaged="outreach.txt", files=("outreach.txt", "outreach.md"),
         aliases=("outreach email", "first email", "introduction"), email=True,
         stages=(NOT_CONTACTED,), checks=(GUIDE_POINTS, REFERRER_FIRST, FIVE_POINT_RULES, SHORT),
         reminders=(Reminder("Email {name}", channel=_EMAIL_CHANNEL), Reminder("Reach out to {name}")),
         label="Email {name}"),
    Kind(CALL, "a call sheet", packaged="call.md", files=("call.txt", "call.md"),
         aliases=("call sheet", "phone", "phone call", "script", "call script"), email=False,
         stages=(NOT_CONTACTED, MEETING_SCHEDULED, AWAITING_REPLY), channel=_CALL_CHANNEL, checks=(GUIDE_POINTS,),
         reminders=(Reminder("Call {name}"),)),
    Kind(THANK_YOU, "a thank-you", packaged="thank-you.txt", files=("thank-you.txt", "thank-you.md"),
         aliases=("thank you", "thanks", "thank-you note", "thank you note", "thank-you email"),
         email=True, stages=(MET,), checks=(NAMES_HELPFUL, SHORT), reminders=(Reminder("Thank-you to {name}"),),
         label="Thank {name} by email"),
    Kind(FOLLOW_UP, "a follow-up", packaged="follow-up.txt", files=("follow-up.txt", "follow-up.md"),
         aliases=("follow up", "followup", "follow-up email", "reminder", "keep in touch"),
         email=True, stages=(AWAITING_REPLY, THANKED), checks=(SHORT,), when_due=True,
         reminders=(Reminder("Keep in touch with {name}", stage=THANKED), Reminder("Follow up with {name}")),
         label="Follow up with {name} by email"),
    # Telling a referrer how the meeting they made possible went: stages.next_step asks for it
    # (no stage calls for it alone: a thanked contact's step is a report-back only while one is owed).
    Kind(REPORT_BACK, "a report-back", packaged="report-back.txt", files=("report-back.txt", "report-back.md"),
         aliases=("report back", "how it went", "referrer update"), email=True, stages=(), checks=(SHORT,),
         reminders=(Reminder("Report back to {name}"),), label="Tell {name} how it went"),
)

NAMES = tuple(k.name for k in KINDS)
EMAIL_KINDS = tuple(k.name for k in KINDS if k.email)
_BY_NAME = {k.name: k for k in KINDS}
_BY_ALIAS = {normalize_header(alias): k for k in KINDS for alias in (k.name, *k.aliases)}
# Each stage's kinds; where there are two, the one without a channel is the default.
_BY_STAGE: dict[str, list[Kind]] = {}
for _kind in KINDS:
    for _stage in _kind.stages:
        _BY_STAGE.setdefault(_stage, []).append(_kind)


_LABELS = re.compile("|".join("(?:" + re.escape(k.label).replace(re.escape("{name}"), ".+") + ")"
                              for k in KINDS if k.label), re.S)


def is_link_label(text) -> bool:
    """Whether ``text`` reads as a Draft cell's label ("Email Olivia"): with a ``mailto:`` link
    behind it, the cell is the tool's; other text there is the person's own."""
    return isinstance(text, str) and _LABELS.fullmatch(text) is not None


def get(name: str) -> Kind:
    """The kind called ``name`` (KeyError if there is none)."""
    return _BY_NAME[name]


def named(text) -> Kind | None:
    """The kind a Templates-sheet Name means (``Thank You`` → thank-you), or None."""
    return _BY_ALIAS.get(normalize_header(text))


def called_for(stage: str, channel: str = "") -> str | None:
    """The name of the kind a next step at ``stage`` calls for, or None (a closed contact).

    ``channel`` is the row's Channel folded like a header (``call``): it picks between two
    kinds for one stage (at first contact, a call sheet or an outreach email).
    """
    found = _BY_STAGE.get(stage)
    if not found:
        return None
    if len(found) == 1:
        return found[0].name
    chosen = next((k for k in found if k.channel is not None and normalize_header(k.channel) == channel), None)
    return (chosen or next(k for k in found if k.channel is None)).name


def one_of(items) -> str:
    """``a``, ``a or b``, ``a, b or c``: how help and messages name the choices."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def draft_command(path, kind: str | None, name: str) -> str | None:
    """The ``chart draft`` command line that writes this kind of draft for ``name``, quoted for a shell.

    The agenda and the calendar print it beside each step; None without a kind or a name.
    """
    if not kind or not name:
        return None
    return _command_start(str(path), kind) + shlex.quote(name)


@functools.lru_cache(maxsize=64)  # the same path and kinds, on every line of the agenda
def _command_start(path: str, kind: str) -> str:
    return f"chart draft {shlex.quote(path)} --kind {shlex.quote(kind)} --to "
