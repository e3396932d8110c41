"""``chart draft``: outreach emails, call sheets, thank-you notes and follow-ups, made and written.

``make_drafts`` picks the contacts whose next step calls for a kind (``kinds.py``:
a follow-up only once it is due) or the ones named, and a ``Drafter`` makes each
draft: the variables its template sees, the template rendered (``templates.py``),
the file it becomes (an .eml through ``eml.py``, a .txt without a usable address, a
call sheet's .md) and what the checker finds (``checker.py``). A contact whose
template needs a blank field is skipped, saying which cell to fill in.
``each_draft`` makes them one at a time, for ``draftfiles.py`` to write (all or none)
or the CLI to print, each dropped to a ``Drafted`` record once it is out.
``MailtoLinks`` makes ``chart sync``'s Draft column from the same drafts
(``mailto.py`` builds the links).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from . import kinds, stages
from .eml import eml_body, eml_head, header_address_problem, header_text
from .errors import BadOption, TemplateError
from .fields import check_email, name_key, parse_recommended
from .mailto import fit_mailto
from .people import NAME, People
from .templates import MissingData, Templates, contact_fields, first_name, profile_fields, referrer_fields
from .workbook import Chart, Row

if TYPE_CHECKING:
    from .checker import Finding

# Long enough for any real name (in characters), and the longest file name (in bytes of
# UTF-8) Linux, macOS and Windows all take; the name is cut to what is left of it.
MAX_NAME_IN_FILENAME = 80
MAX_FILENAME_BYTES = 255
# What a draft's file name may add after the name: " (row 1048576)" (two contacts of the same
# name) and ".eml".
_FILENAME_TAIL = len(" (row 1048576).eml")


# Stages whose step is due "today" every day until done: their due day names no step.
_DUE_EVERY_DAY = (stages.NOT_CONTACTED, stages.REPLIED)

# --------------------------------------------------------------------------- results


@dataclass
class Draft:
    """One rendered draft: what it says, the file it becomes, and what the checker found."""

    kind: str
    name: str
    row: int
    filename: str
    subject: str | None
    body: str
    to: str | None  # the validated address of an .eml; None for .txt and .md
    sender: str | None
    # The file's bytes (the property below): the dataclass takes the property as the field's default, and
    # __init__ sets it through the setter.
    content: bytes
    facts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The step's date, in a mailbox draft's Message-ID: its due day, which the dates behind it fix (a
    # follow-up's, a thank-you's); None for a first contact or an answer, due "today" whatever the day.
    step_day: dt.date | None = None

    @property
    def content(self) -> bytes:
        """The file's bytes. An .eml's body is quoted when first asked for: ``--stdout`` prints the text and
        never asks (its headers, which may refuse the address, are made with the draft: ``eml_head``)."""
        if self._content is None:
            self._content = self._eml_head + eml_body(self.body)
            self._eml_head = None
        return self._content

    @content.setter
    def content(self, value) -> None:
        self._content = value

    def _eml_later(self, head: bytes) -> None:
        """The .eml's headers now, its quoted body when ``content`` is first read."""
        self._content, self._eml_head = None, head

    @property
    def format(self) -> str:
        """``eml``, ``txt`` or ``md``."""
        return self.filename.rsplit(".", 1)[-1]

    def text(self) -> str:
        """The draft as a person reads it (headers decoded), for ``--stdout``."""
        if not kinds.get(self.kind).email:
            return self.body
        head = [f"To: {self.name} <{self.to}>" if self.to else f"To: {self.name}"]
        if self.sender:
            you = header_text(self.facts.get("your_name", ""))
            head.append(f"From: {you} <{self.sender}>" if you else f"From: {self.sender}")
        head.append(f"Subject: {self.subject}")
        return "\n".join(head) + "\n\n" + self.body


class Drafted:
    """What is kept of a draft once it is written or printed: what ``chart draft``'s summary says of it.

    A few hundred bytes where the ``Draft`` held its text, its .eml and its facts:
    a hundred thousand drafts are summed up without being held.
    """

    __slots__ = ("filename", "notes", "findings")

    def __init__(self, draft: Draft):
        self.filename = draft.filename
        # Tuples: the empty one is shared by every draft with nothing to say.
        self.notes, self.findings = tuple(draft.notes), tuple(draft.findings)

    @property
    def format(self) -> str:
        """``eml``, ``txt`` or ``md``."""
        return self.filename.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Skipped:
    """A contact that got no draft, and why."""

    name: str
    row: int
    reason: str


@dataclass
class DraftRun:
    """The drafts of one kind for a chart, and the contacts skipped."""

    kind: str
    today: dt.date
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed_checks(self) -> bool:
        return any(d.findings for d in self.drafts)


# --------------------------------------------------------------------------- the chart's people and file names


def _people(chart: Chart) -> People:
    # Drafts look people up by name only (a Referred By cell, a Recommended name).
    return People.of_rows(chart.contacts.rows, chart.profile.region, kinds=(NAME,))


def referrer_row(chart: Chart, row: Row, people: People | None = None) -> Row | None:
    """The Contacts row named in ``row``'s Referred By, if there is one."""
    return (people if people is not None else _people(chart)).named(row.values.get("referred_by"))


def pending_referrals(chart: Chart, row: Row, people: People | None = None) -> tuple[str, ...]:
    """The people ``row`` recommended who have not been contacted yet (stages.pending_referrals)."""
    return stages.pending_referrals(row, people if people is not None else _people(chart), chart.profile.region)


_UNSAFE_IN_FILENAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def filename_part(text: str, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A name made safe for Windows, macOS and Linux file names, still readable.

    At most MAX_NAME_IN_FILENAME characters and ``max_bytes`` bytes of UTF-8, cut
    between characters and never between a letter and its accent.
    """
    text = unicodedata.normalize("NFC", header_text(text))
    text = " ".join(_UNSAFE_IN_FILENAME.sub(" ", text).split())
    if len(text) > MAX_NAME_IN_FILENAME:
        text = _cut_before(text, MAX_NAME_IN_FILENAME)
    if len(text.encode("utf-8")) > max_bytes:
        # The bytes that fit, less a character they would end inside of.
        text = _cut_before(text, len(text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")))
    return text.strip(" .")


def _cut_before(text: str, end: int) -> str:
    """``text[:end]``, moved back so that no combining mark is cut from the letter it belongs to."""
    while 0 < end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end -= 1
    return text[:end]


# --------------------------------------------------------------------------- drafting


class Drafter:
    """Renders drafts for one chart: templates compiled once, contacts indexed once."""

    def __init__(self, chart: Chart, today: dt.date, templates_dir=None):
        self.chart = chart
        self.today = today
        self.templates = Templates(chart, templates_dir)
        self.people = _people(chart)
        self.referred = stages.referred_index(chart.contacts.rows)
        self.me = profile_fields(chart)
        self.region = chart.profile.region
        self._me_facts: dict | None = None
        self._from: tuple[str | None, str | None] | None = None  # (the From address, a note), once asked
        self._check_draft = None  # checker.check_draft, once a draft is checked

    def step(self, row: Row) -> stages.NextStep:
        """The contact's next step, counting the referrals they gave that are still pending."""
        if row.values.get("thanked_on") is None:  # only a thanked contact's step names referrals (contact_steps)
            return stages.next_step(row, self.chart.profile, self.today)
        return stages.next_step(row, self.chart.profile, self.today,
                                stages.pending_referrals(row, self.people, self.region),
                                stages.unreported_meetings(row, self.referred, self.region, self.today))

    def context(self, row: Row, kind: str, step: stages.NextStep, uses=None) -> dict:
        """The variables a template sees for this contact (only those in ``uses``, when given, of the
        ones that cost a look through the chart: the templates' ``Templates.uses``)."""
        referrer = referrer_fields(self.chart, row, referrer_row(self.chart, row, self.people), self.region,
                                   self.today)
        context = {"contact": contact_fields(self.chart, row, region=self.region, today=self.today),
                   "referrer": referrer, "me": self.me, "step": step, "today": self.today, "kind": kind}
        if uses is None or "recommended" in uses:
            context["recommended"] = [p.name for p in parse_recommended(row.values.get("recommended"), self.region)]
        if uses is None or "pending_referrals" in uses:
            context["pending_referrals"] = list(stages.pending_referrals(row, self.people, self.region))
        if uses is None or "report_back" in uses or kind == kinds.REPORT_BACK:
            # The people met through this contact that a report-back tells about, as contacts' fields.
            # Asked for by name once reported (Followed Up On filled in), it tells about every one of them.
            met = (stages.unreported_meetings(row, self.referred, self.region, self.today)
                   or stages.unreported_meetings(row, self.referred, self.region, self.today, all_met=True))
            context["report_back"] = [contact_fields(self.chart, self.people.named(name), region=self.region,
                                                     today=self.today)
                                      for name, _ in met if self.people.named(name) is not None]
        return context

    def render(self, row: Row, kind: str, step: stages.NextStep | None = None, why: bool = True):
        """``(subject, body, context)`` for the contact, or a ``Skipped`` saying which blank field stopped it
        (``why=False``: a Skipped without its reason, for a caller that never says it; working out the cell
        to fill in took longer than the render).

        Raises TemplateError for a broken template.
        """
        step = step if step is not None else self.step(row)
        try:  # only the variables the templates name: the others cannot change what they say
            uses = self.templates.uses(kind)
        except TemplateError:  # broken: said when it is rendered, as for any contact
            uses = None
        context = self.context(row, kind, step, uses)
        if kind == kinds.REPORT_BACK and not context["report_back"]:
            return Skipped(row.text("name"), row.number, "you have not met anyone they referred you to yet: a "
                           "report-back tells them how such a meeting went")
        try:
            subject, body = self.templates.render(kind, context)
        except MissingData as exc:
            return Skipped(row.text("name"), row.number, self._missing_reason(exc, kind) if why else "")
        return (header_text(subject) if subject is not None else None), tidy_body(body), context

    def _missing_reason(self, exc, kind: str) -> str:
        fields, key = exc.fields, exc.key
        if fields is None:
            return (f"the {kind} template uses .{key} of an empty value (referrer is empty when nobody referred "
                    "the contact; wrap it in {% if referrer %})")
        label = fields.known.get(key, key)
        place = fields.places.get(key)
        if fields.owner == "me":
            where = f"fill in {place}" if place else f'add a "{label}" row to the Profile sheet'
            return f"the Profile's {label} is blank, and the {kind} template needs it: {where}"
        if fields.owner == "referrer":
            return f"their referrer {fields}'s {label} is blank, and the {kind} template needs it"
        if key == "helpful" and kinds.NAMES_HELPFUL in kinds.get(kind).checks:
            where = f"fill in {place}" if place else "add a Helpful column"
            return f"Helpful is blank: a thank-you names something you found helpful; {where}"
        if place:
            return f"{label} is blank ({place}), and the {kind} template needs it"
        return f"the {self.chart.contacts.sheet} sheet has no {label} column, and the {kind} template needs it"

    def draft(self, row: Row, kind: str, step: stages.NextStep | None = None, style: str = kinds.GUIDE):
        """A ``Draft`` for the contact (checked), or ``Skipped``."""
        step = step if step is not None else self.step(row)
        rendered = self.render(row, kind, step)
        if isinstance(rendered, Skipped):
            return rendered
        subject, body, context = rendered
        name = header_text(row.text("name"))
        notes = []
        facts = self._facts(context)
        start = f"{self.today.isoformat()} {kind} - "
        base = start + (filename_part(name, MAX_FILENAME_BYTES - len(start) - _FILENAME_TAIL) or f"row {row.number}")
        spec = kinds.get(kind)
        result = Draft(kind, name, row.number, f"{base}.{spec.file_type}", subject, body, None, None, b"", facts,
                       notes, step_day=None if step.stage in _DUE_EVERY_DAY else step.due)
        if not spec.email:
            result.content = body.encode("utf-8")
        else:
            result.to = self._recipient(row, notes)
            if result.to is not None:
                sender, sender_note = self._sender()
                try:
                    result._eml_later(eml_head(name, result.to, self.me.value("your_name") or "", sender, subject))
                    result.sender = sender
                    notes += [sender_note] if sender_note else []
                except ValueError as exc:
                    notes.append(f"the address cannot go in a mail header ({exc}), so a text draft")
                    result.to = None
            if result.to is None:
                result.filename = f"{base}.{kinds.TEXT_FILE}"
                result.content = result.text().encode("utf-8")
        result.findings = self._checker()(result, style)
        return result

    def _checker(self):
        # Imported with the first draft checked (a sync's Draft links are rendered, never checked), and kept:
        # an import statement run per draft costs more than the rest of a draft's bookkeeping.
        if self._check_draft is None:
            from .checker import check_draft

            self._check_draft = check_draft
        return self._check_draft

    @staticmethod
    def _recipient(row: Row, notes: list[str]) -> str | None:
        address = row.text("email")
        if not address:
            notes.append("no email address, so a text draft")
            return None
        try:
            address = check_email(address)
        except ValueError:
            notes.append(f"Email {header_text(address)!r} is not a valid address, so a text draft")
            return None
        problem = header_address_problem(address)
        if problem:
            notes.append(f"Email {address!r} cannot go in a mail header: {problem}, so a text draft")
            return None
        return address

    def _sender(self) -> tuple[str | None, str | None]:
        # The Profile's, the same for every draft: worked out once.
        if self._from is None:
            self._from = self._profile_sender()
        return self._from

    def _profile_sender(self) -> tuple[str | None, str | None]:
        raw = self.me.value("your_email")
        if raw is None:
            return None, "no From: the Profile's Your Email is blank"
        try:
            address = check_email(raw)
        except ValueError:
            return None, "no From: the Profile's Your Email is not a valid address"
        problem = header_address_problem(address)
        if problem:
            return None, f"no From: the Profile's Your Email cannot go in a mail header: {problem}"
        return address, None

    def _facts(self, context: dict) -> dict:
        """What the checker compares the draft with: the Profile's words, the referrer, Helpful."""
        me, contact, referrer = context["me"], context["contact"], context["referrer"]

        def value(fields, key):
            return "" if fields is None or fields.value(key) is None else " ".join(str(fields.value(key)).split())

        if self._me_facts is None or me is not self.me:  # the Profile's part is the same for every contact
            self._me_facts = {key: value(me, key) for key in ("job_status", "expertise", "seeking", "why_searching",
                                                              "meeting_length", "your_name")}
            self._me_facts["signature"] = str(me.value("signature") or "")
        facts = dict(self._me_facts)
        facts.update(referrer=value(referrer, "name"), via=value(contact, "via"), helpful=value(contact, "helpful"))
        return facts


# A line break after whitespace (str.isspace's, which re's \s is for text): what rstrip would take off
# the line before it. Written as a line break looked behind from, the search runs from one to the next.
_SPACE_BEFORE_BREAK = re.compile(r"\n(?<=[^\S\n]\n)")


def tidy_body(text: str) -> str:
    """One blank line at most between paragraphs, no trailing spaces, one final newline."""
    # A rendered draft seldom has a CR or a line that ends in a space: then it is left whole rather than cut
    # into lines, each stripped of nothing, and joined again (a test holds the two equal).
    if "\r" in text or (text[-1:].isspace() and text[-1:] != "\n") or _SPACE_BEFORE_BREAK.search(text):
        lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        text = "\n".join(lines)
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"



def make_drafts(chart: Chart, kind: str = kinds.OUTREACH, today: dt.date | None = None, names=(), templates_dir=None,
                style: str = kinds.GUIDE, progress=None) -> DraftRun:
    """The drafts of ``kind`` for the chart, checked, without writing anything: ``each_draft``, held in a DraftRun."""
    run = DraftRun(kind, today or dt.date.today())
    for made in each_draft(chart, kind, run.today, names, templates_dir, style, progress):
        (run.skipped if isinstance(made, Skipped) else run.drafts).append(made)
    return run


def each_draft(chart: Chart, kind: str = kinds.OUTREACH, today: dt.date | None = None, names=(), templates_dir=None,
               style: str = kinds.GUIDE, progress=None) -> Iterator[Draft | Skipped]:
    """The drafts of ``kind`` for the chart, checked, one at a time in row order, with the contacts skipped.

    Without ``names``, every contact whose next step calls for ``kind`` (a
    follow-up only once it is due); with ``names`` (matched with
    fields.name_key), exactly those contacts, whatever their stage. Raises
    BadOption for an unknown kind or a name that matches no contact, and
    TemplateError for a broken template, here, before the first draft is made.
    ``progress(label, done, total)``, when given, hears about each contact
    looked at. One draft at a time, so that a caller that writes each and lets
    it go holds one draft in memory, not all of them.
    """
    if kind not in kinds.NAMES:
        raise BadOption(f"--kind {kind!r} is not a kind of draft; use one of {', '.join(kinds.NAMES)}.")
    today = today or dt.date.today()
    drafter = Drafter(chart, today, templates_dir)
    drafter.templates.compiled(kind)  # a broken template fails before any contact is looked at
    return _each_draft(chart, drafter, kind, _wanted_rows(chart, names), style, progress)


def _each_draft(chart: Chart, drafter: Drafter, kind: str, wanted: set[int] | None, style: str, progress):
    today = drafter.today
    used: set[str] = set()
    total = len(chart.contacts.rows)
    for done, row in enumerate(chart.contacts.rows, start=1):
        if progress is not None and (done % 100 == 0 or done == total):
            progress(f"Drafting {kind}", done, total)
        name = row.text("name")
        if wanted is not None and row.number not in wanted:
            continue
        if not name:
            yield Skipped("", row.number, "the row has no Name")
            continue
        step = drafter.step(row)
        if wanted is None:
            reason = _not_due(step, kind, today)
            if reason:
                yield Skipped(name, row.number, reason)
                continue
        drafted_as = _drafted_as(step, kind)
        result = drafter.draft(row, drafted_as, step, style)
        if isinstance(result, Skipped):
            yield result
            continue
        if drafted_as != kind:
            result.notes.append(f"{kinds.get(drafted_as).noun}: they are reached by phone")
        if result.filename.casefold() in used:  # two rows with the same name
            stem, ext = result.filename.rsplit(".", 1)
            result.filename = f"{stem} (row {row.number}).{ext}"
        used.add(result.filename.casefold())
        yield result


def _wanted_rows(chart: Chart, names) -> set[int] | None:
    if not names:
        return None
    import difflib

    by_key: dict[str, list[int]] = {}
    for row in chart.contacts.rows:
        by_key.setdefault(name_key(row.values.get("name")), []).append(row.number)
    wanted = set()
    for name in names:
        rows = by_key.get(name_key(name))
        if not rows:
            known = [r.text("name") for r in chart.contacts.rows if r.text("name")]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            raise BadOption(f"--to {name!r} matches no Name on the {chart.contacts.sheet} sheet.{hint}",
                            path=chart.path)
        wanted.update(rows)
    return wanted


def _drafted_as(step: stages.NextStep, kind: str) -> str:
    """The kind a contact's draft of ``kind`` is: a follow-up to someone reached by phone is a call sheet.

    Their step calls for one (``stages.reach_channel``) at a stage the follow-up covers; not when
    the step is to try the phone after an unanswered email (``step.channel``), which is no follow-up.
    """
    return kinds.CALL if kind == kinds.FOLLOW_UP and _phone_follow_up(step) else kind


def _phone_follow_up(step: stages.NextStep) -> bool:
    """A follow-up whose draft is a call sheet: it waits for its day like any follow-up."""
    return (step.kind == kinds.CALL and step.channel is None
            and step.stage in kinds.get(kinds.FOLLOW_UP).stages)


def _not_due(step: stages.NextStep, kind: str, today: dt.date) -> str | None:
    """Why a contact gets no draft of ``kind`` now, or None when it should."""
    if step.closed:
        return f"closed ({step.stage})"
    if step.kind != _drafted_as(step, kind):
        due = f" (due {step.due.isoformat()})" if step.due else ""
        return f"{step.stage}; next step: {step.action}{due}"
    waits = kinds.get(kinds.FOLLOW_UP if _phone_follow_up(step) else kind)
    if waits.when_due and step.due is not None and step.due > today:
        return f"{step.stage}; {waits.noun} is not due until {step.due.isoformat()}"
    return None


@dataclass(frozen=True)
class DraftLink:
    """A Draft cell: its short text ("Email Olivia"), the ``mailto:`` URL behind it, and whether the
    draft had to be cut to fit the link."""

    label: str
    url: str
    cut: bool


class MailtoLinks:
    """The Draft column's ``mailto:`` links for one chart and day: ``chart sync`` makes one per run.

    The templates are loaded and compiled once, on the first link that needs them,
    and a kind whose template is broken fails every contact alike without being
    rendered again (a template stopped at the sandbox's deadline takes seconds).
    """

    def __init__(self, chart: Chart, today: dt.date):
        self.chart = chart
        self.today = today
        self._drafter: Drafter | None = None
        self._failed: dict[str, TemplateError] = {}  # kind → why its template cannot be drafted

    def link(self, row: Row, step: stages.NextStep | None) -> DraftLink | None:
        """The Draft cell for the row's next email: a label with a ``mailto:`` URL behind it, or None.

        Given for contacts whose next step is an email (kinds.EMAIL_KINDS) and who
        have a valid email address; None otherwise, and None when a blank field the
        template needs stops the draft. Uses the packaged templates as the
        workbook's Templates sheet overrides them. Kept under mailto.MAILTO_LIMIT
        characters, because Outlook on Windows rejects longer links. Raises
        TemplateError when a template is broken.
        """
        if step is None or step.kind not in kinds.EMAIL_KINDS:
            return None
        try:
            address = check_email(row.text("email")) if row.text("email") else None
        except ValueError:
            return None
        if address is None or header_address_problem(address):
            return None
        drafter = self._ready()
        failed = self._failed.get(step.kind)
        if failed is not None:  # raised anew, complete, for each contact
            raise TemplateError(failed.message, path=failed.path, sheet=failed.sheet, cell=failed.cell)
        try:
            rendered = drafter.render(row, step.kind, step, why=False)  # a skipped contact gets no link, and no word
        except TemplateError as exc:
            self._failed[step.kind] = exc
            raise
        if isinstance(rendered, Skipped):
            return None
        subject, body, _ = rendered
        url, cut = fit_mailto(address, subject or "", body)
        return DraftLink(kinds.get(step.kind).link_label(first_name(row.text("name")) or address), url, cut)

    def _ready(self) -> Drafter | None:
        if self._drafter is None and not self._failed:
            try:
                self._drafter = Drafter(self.chart, self.today)
            except TemplateError as exc:  # the Templates sheet itself is wrong: no email kind can be drafted
                self._failed = dict.fromkeys(kinds.EMAIL_KINDS, exc)
        return self._drafter
