"""The chart's shape, declared once.

Every sheet, column, alias, allowed value, owner, width and number format lives
here; ``init`` writes from it, ``validate`` checks against it, ``sync`` finds and
adds columns by it. Nothing else in the package spells a header.

"user" columns belong to the person: the tool reads them and never rewrites what
they typed. "tool" columns are rewritten by ``chart sync`` on every run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

USER = "user"
TOOL = "tool"
# Which command writes a tool column: chart sync rewrites its own on every run (and adds them when
# missing); chart mail's (Replied On) only chart mail adds and fills, and sync keeps as they are.
SYNC = "sync"
MAIL = "mail"

# How many rows from the top to look for a header row: people put a title, a
# date or a note above their table.
HEADER_SEARCH_ROWS = 10

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


def normalize_header(text) -> str:
    """Fold a header for matching: case, spaces and punctuation are ignored.

    ``"Referred by:"``, ``"referred-by"`` and ``"REFERRED BY"`` all give
    ``"referredby"``.
    """
    if text is None:
        return ""
    return _fold(text if isinstance(text, str) else str(text))


@functools.lru_cache(maxsize=4096)  # a chart repeats a few Source, Channel and Status values thousands of times
def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its canonical header and how to recognize and format it."""

    key: str
    header: str
    owner: str = USER
    kind: str = "text"  # text | name | date | phone | email | choice | people | gap (an empty spacer column)
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    width: float = 14
    number_format: str | None = None
    hint: str = ""
    wrap: bool = False  # long text: wrapped in its column, so a printed row keeps to its page
    written_by: str = SYNC  # for a tool column: the command that writes it (SYNC or MAIL)

    @functools.cached_property  # finding a header row asks every column about every cell of 10 rows
    def match_keys(self) -> frozenset[str]:
        return frozenset(normalize_header(h) for h in (self.header, *self.aliases))

    def is_named(self, text) -> bool:
        """Whether ``text`` is this column's own header (not an alias), matched forgivingly."""
        return normalize_header(text) == normalize_header(self.header)


@dataclass(frozen=True)
class SheetShape:
    """A sheet of the chart: its name, the names people give it, and its columns."""

    name: str
    columns: tuple[Column, ...]
    owner: str = USER
    aliases: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # keys of columns without which the sheet cannot be read

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def match_header(self, text) -> Column | None:
        """The column whose header or alias ``text`` names, if any."""
        folded = normalize_header(text)
        if not folded:
            return None
        for col in self.columns:
            if folded in col.match_keys:
                return col
        return None

    def matches_name(self, sheet_name: str) -> bool:
        folded = normalize_header(sheet_name)
        return folded in {normalize_header(n) for n in (self.name, *self.aliases)}

    def is_named(self, sheet_name: str) -> bool:
        """Whether ``sheet_name`` is this sheet's own name (not an alias), matched forgivingly."""
        return normalize_header(sheet_name) == normalize_header(self.name)

    @property
    def user_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.owner == USER)

    @property
    def tool_columns(self) -> tuple[Column, ...]:
        """The tool columns chart sync writes and adds when missing (not chart mail's)."""
        return tuple(c for c in self.columns if c.owner == TOOL and c.written_by == SYNC)

    @property
    def mail_columns(self) -> tuple[Column, ...]:
        """The tool columns only chart mail writes and adds; sync keeps what they hold."""
        return tuple(c for c in self.columns if c.owner == TOOL and c.written_by == MAIL)


def find_sheet(names: list[str], shape: SheetShape) -> str | None:
    """The workbook's sheet for ``shape``, matching its name or an alias forgivingly.

    A sheet with the shape's own name wins over one named by an alias, wherever
    they stand: an old "Chart" sheet before "Contacts" does not hide it.
    """
    for name in names:
        if shape.is_named(name):
            return name
    for name in names:
        if shape.matches_name(name):
            return name
    return None


# The guide's own chart has a "Comments" column for the person's notes, the name chart
# sync's column has too. A "Comments" column holding the person's text in a chart that
# sync's is not beside (see workbook.read_table) is read as Notes, and sync's own goes
# under this header instead (an alias, so that it is found again).
TOOL_COMMENTS_HEADER = "Chart Comments"

SOURCES = ("Own", "Family", "Friend", "Referral")
CHANNELS = ("Call", "Email")
STATUSES = ("Declined", "No Reply", "On Hold", "Done")
# The stages chart sync writes in the Stage column while a contact is open (a closed
# contact's stage is its Status): stages.py says which applies, kinds.py which draft each calls for.
NOT_CONTACTED = "Not contacted"
AWAITING_REPLY = "Awaiting reply"
MEETING_SCHEDULED = "Meeting scheduled"
MET = "Met, not thanked"
THANKED = "Thanked"
# A reply newer than your last message, no meeting yet: known only from the mailbox (chart mail's Replied On).
REPLIED = "Replied"

CONTACTS = SheetShape(
    name="Contacts",
    aliases=("Contact Chart", "Contact List", "Chart", "People", "Network", "My Contacts"),
    required=("name",),
    columns=(
        Column("name", "Name", kind="name", width=22,
               aliases=("Full Name", "Contact", "Contact Name", "Person", "Who"),
               hint="The person's full name. Required."),
        Column("source", "Source", kind="choice", choices=SOURCES, width=11,
               aliases=("Network", "From", "Whose Network"),
               hint="Whose network: Own, Family, Friend or Referral."),
        Column("via", "Via", width=12,
               aliases=("Through", "Contact Of", "Whose Contact"),
               hint="For Family or Friend: whose contact this is (Dad, Priya)."),
        Column("referred_by", "Referred By", kind="name", width=18,
               aliases=("Referrer", "Referred", "Referral From", "Recommended By", "Introduced By"),
               hint="The contact in this chart who recommended this person."),
        Column("organization", "Organization", width=20,
               aliases=("Organisation", "Company", "Employer", "Org", "Firm", "Company Name"),
               hint="Where they work."),
        Column("title", "Title", width=18,
               aliases=("Job Title", "Role", "Position"),
               hint="Their role."),
        Column("phone", "Phone", kind="phone", width=16, number_format=TEXT_FORMAT,
               aliases=("Phone #", "Phone Number", "Phone No", "Telephone", "Tel", "Mobile", "Cell",
                        "Cell Phone", "Mobile Phone"),
               hint="A phone number; +country code for numbers abroad."),
        Column("email", "Email", kind="email", width=26,
               aliases=("E-mail", "Email Address", "E-mail Address", "Mail"),
               hint="An email address."),
        Column("channel", "Channel", kind="choice", choices=CHANNELS, width=9,
               aliases=("Contact By", "Method", "How", "Call or Email", "Reach By"),
               hint="How to reach out: Call or Email."),
        Column("status", "Status", kind="choice", choices=STATUSES, width=10,
               hint="Leave blank, or close the contact: Declined, No Reply, On Hold, Done."),
        Column("contacted_on", "Contacted On", kind="date", width=13, number_format=DATE_FORMAT,
               aliases=("Contacted", "Date Contacted", "First Contact", "Reached Out On"),
               hint="The day you first called or emailed."),
        Column("meeting_on", "Meeting On", kind="date", width=13, number_format=DATE_FORMAT,
               aliases=("Meeting", "Meeting Date", "Met On", "Interview Date", "Informational Interview"),
               hint="The day of the meeting or call, past or ahead; with its time (2026-12-02 10:00) when you "
                    "know it."),
        Column("thanked_on", "Thanked On", kind="date", width=13, number_format=DATE_FORMAT,
               aliases=("Thanked", "Thank You Sent", "Thank-You Sent", "Date Thanked", "Thank You On"),
               hint="The day you sent the thank-you."),
        Column("followed_up_on", "Followed Up On", kind="date", width=14, number_format=DATE_FORMAT,
               aliases=("Followed Up", "Last Follow-Up", "Follow-Up Sent", "Last Followed Up"),
               hint="The day of your latest follow-up."),
        # The guide's "Comments / Follow-up" column is the person's own: it is Notes,
        # never the tool's Comments column below.
        Column("notes", "Notes", width=36, wrap=True,
               aliases=("Note", "Comments / Follow-up", "Comments and Follow-up", "Comments & Follow-up",
                        "Follow-up", "Follow-up Notes", "Conversation Notes", "My Notes"),
               hint="Your notes of the conversation and the follow-up."),
        Column("helpful", "Helpful", width=28,
               aliases=("Something Helpful", "What Helped", "Most Helpful", "Helpful Advice"),
               hint="Something they said that helped: it goes into the thank-you."),
        Column("recommended", "Recommended", kind="people", width=32, wrap=True,
               aliases=("Recommended People", "Referrals", "Referred To", "Recommends", "People Recommended",
                        "Referrals Given"),
               hint='People they suggested, one per line or separated by ";": '
                    "Name <email>, phone, Organization."),
        Column("try_again_on", "Try Again On", kind="date", width=13, number_format=DATE_FORMAT,
               aliases=("Snooze Until", "Contact Again On", "Try Again", "Snoozed Until"),
               hint="\"Try again in January\": no step is due before this day; the rhythm resumes on it."),
        Column("meeting_place", "Meeting Place", width=24,
               aliases=("Location", "Where", "Meeting Location", "Place"),
               hint="Where you meet (an address, an office, a video link): on the call sheet and the calendar."),
        Column("personal_note", "Personal Note", width=36, wrap=True,
               aliases=("How We Know Each Other", "How I Know Them", "How We Met"),
               hint="How you know each other, in a sentence: it opens the outreach, so that someone who knows "
                    "you does not get a letter written for a stranger."),
        Column("stage", "Stage", owner=TOOL, width=18,
               hint="Written by chart sync from the dates and Status."),
        Column("next_step", "Next Step", owner=TOOL, width=34, wrap=True,
               hint="Written by chart sync: what to do next."),
        Column("follow_up_on", "Follow-Up On", owner=TOOL, kind="date", width=13, number_format=DATE_FORMAT,
               aliases=("Follow-Up Due", "Next Step Due"),
               hint="Written by chart sync: when the next step is due."),
        Column("comments", "Comments", owner=TOOL, width=40, wrap=True, aliases=(TOOL_COMMENTS_HEADER,),
               hint="Written by chart sync: problems in the row and reminders."),
        Column("draft", "Draft", owner=TOOL, width=30,
               aliases=("Email Draft", "Draft Email"),
               hint="Written by chart sync: \"Email Olivia\", a link that opens the next email, written, in your "
                    "mail program."),
        # Written only by chart mail (sync keeps it as it is): the latest message from them in your INBOX.
        Column("replied_on", "Replied On", owner=TOOL, written_by=MAIL, kind="date", width=13,
               number_format=DATE_FORMAT, aliases=("Reply Received", "Last Reply"),
               hint="Written by chart mail: the day of their latest email to you."),
    ),
)

WANT_TO_MEET = SheetShape(
    name="Want to Meet",
    aliases=("People to Meet", "To Meet", "Wish List", "Targets", "Want To Meet List"),
    required=("name",),
    columns=(
        Column("name", "Name", kind="name", width=22,
               aliases=("Person", "Who", "Person or Role", "Role"),
               hint="A person, or a role you would like to meet (Head of Data at Acme)."),
        Column("organization", "Organization", width=20,
               aliases=("Organisation", "Company", "Employer", "Org", "Firm"),
               hint="Where they work."),
        Column("why", "Why", width=36,
               aliases=("Reason", "Why Meet", "Purpose"),
               hint="Why you would like to meet them."),
        Column("connector", "Possible Connector", kind="name", width=20,
               aliases=("Connector", "Introduction Via", "Who Could Introduce", "Intro Via"),
               hint="Someone who might introduce you."),
        Column("status", "Status", owner=TOOL, width=40,
               hint="Written by chart sync: already in Contacts, or whom to ask for an introduction."),
    ),
)

REFERRALS = SheetShape(
    name="Referrals",
    owner=TOOL,
    columns=(
        Column("person", "Referred Person", width=22),
        Column("referred_by", "Referred By", width=22),
        Column("chain", "Chain", width=48),
        Column("depth", "Depth", width=7),
        Column("stage", "Stage", width=18),
    ),
)

# The Dashboard, rebuilt by every sync (dashboard.py computes it): a title, a blank row,
# then three blocks side by side (stages, sources, measures), each header row a
# block's columns, with a narrow gap column after each block. A tool sheet is
# found by its name, never by its headers, so two blocks may both say "Contacts".
DASHBOARD = SheetShape(
    name="Dashboard",
    owner=TOOL,
    columns=(
        Column("stage", "Stage", width=20),
        Column("stage_contacts", "Contacts", width=10),
        Column("gap_stages", "", kind="gap", width=2),
        Column("source", "Source", width=12),
        Column("source_contacts", "Contacts", width=10),
        Column("contacted", "Contacted", width=11),
        Column("meetings", "Meetings", width=10),
        Column("referrals_gained", "Referrals gained", width=16),
        Column("gap_sources", "", kind="gap", width=2),
        Column("measure", "Measure", width=20),
        Column("value", "Value", width=12),
        Column("gap_measures", "", kind="gap", width=2),
    ),
)

TEMPLATES = SheetShape(
    name="Templates",
    required=("name",),
    columns=(
        Column("name", "Name", width=14, aliases=("Kind", "Template")),
        Column("subject", "Subject", width=40),
        Column("body", "Body", width=90),
    ),
)

PROFILE_SHEET = SheetShape(
    name="Profile",
    aliases=("About Me", "Me", "My Profile", "Settings"),
    required=("field", "value"),
    columns=(
        Column("field", "Field", width=20, aliases=("Setting", "Item", "Key")),
        Column("value", "Value", width=44, aliases=("Answer", "Your Answer")),
        Column("hint", "Hint", width=70, aliases=("Help", "Notes", "Description")),
    ),
)


@dataclass(frozen=True)
class ProfileField:
    """One Field/Value pair of the Profile sheet."""

    key: str
    label: str
    hint: str
    kind: str = "text"  # text | email | phone | region | days | mail_server
    default: object = None
    needed_for_scripts: bool = False
    aliases: tuple[str, ...] = field(default=())

    @functools.cached_property
    def match_keys(self) -> frozenset[str]:
        return frozenset(normalize_header(h) for h in (self.label, *self.aliases))

    def is_named(self, text) -> bool:
        """Whether ``text`` is this field's own label (not an alias), matched forgivingly."""
        return normalize_header(text) == normalize_header(self.label)


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("your_name", "Your Name", "Your full name, as it should sign your emails.",
                 needed_for_scripts=True, aliases=("Name", "My Name")),
    ProfileField("your_email", "Your Email", "The address your drafts are sent from.", kind="email",
                 needed_for_scripts=True, aliases=("Email", "My Email", "E-mail")),
    ProfileField("your_phone", "Your Phone", "A number people can call you back on.", kind="phone",
                 aliases=("Phone", "My Phone")),
    ProfileField("job_status", "Job Status",
                 'Where you stand: "recently laid off", "employed, looking to change fields", '
                 '"a graduating student looking for an entry-level position".',
                 needed_for_scripts=True, aliases=("Status", "My Status")),
    ProfileField("expertise", "Expertise", "Your area of expertise, in a few words.",
                 needed_for_scripts=True, aliases=("Area of Expertise", "Skills")),
    ProfileField("seeking", "Seeking", "The position you are looking for.",
                 needed_for_scripts=True, aliases=("Position Sought", "Looking For", "Target Role")),
    ProfileField("why_searching", "Why Searching", "Why you are searching, in one sentence.",
                 needed_for_scripts=True, aliases=("Why", "Reason")),
    ProfileField("region", "Region",
                 "Two-letter country code for phone numbers written without +country (US, GB, CA).",
                 kind="region", default="US", aliases=("Country", "Phone Region")),
    ProfileField("meeting_length", "Meeting Length", "How long a meeting you ask for.",
                 default="15–20 minutes", aliases=("Meeting Time",)),
    ProfileField("follow_up_days", "Follow-Up Days", "Days to wait for a reply before following up.",
                 kind="days", default=7, aliases=("Follow Up After",)),
    ProfileField("thank_you_days", "Thank-You Days", "Days after a meeting to send the thank-you.",
                 kind="days", default=1, aliases=("Thank You Within",)),
    ProfileField("keep_in_touch_days", "Keep-In-Touch Days", "Days between keep-in-touch notes after a thank-you.",
                 kind="days", default=60, aliases=("Keep In Touch Every",)),
    ProfileField("signature", "Signature", "How your emails end (your name, phone, a link).",
                 aliases=("Sign-off", "Email Signature")),
    # chart mail and chart draft --mailbox; the password is never in the workbook (see mailbox.py).
    ProfileField("mail_server", "Mail Server",
                 "Your mailbox's IMAP server, for chart mail and chart draft --mailbox: imap.gmail.com, "
                 "imap.fastmail.com, imap.mail.me.com (imaps://host:port or imap://host:port also work).",
                 kind="mail_server", aliases=("IMAP Server", "Mail Host")),
    ProfileField("mail_login", "Mail Login", "The login for your mailbox, when it is not Your Email.",
                 aliases=("IMAP Login", "Mail User")),
)


def profile_field(text) -> ProfileField | None:
    """The Profile field that a Field cell names, if any."""
    folded = normalize_header(text)
    for pf in PROFILE_FIELDS:
        if folded in pf.match_keys:
            return pf
    return None


SHEETS = (CONTACTS, WANT_TO_MEET, PROFILE_SHEET, REFERRALS, DASHBOARD, TEMPLATES)
