"""The ``chart`` command: a thin layer that parses options, calls the library, prints.

Heavy libraries (openpyxl, phonenumbers, jinja2 …) are imported inside the
commands, so that ``chart --help`` answers at once. Every ``ChartError`` becomes
one ``Error: …`` line on stderr with the exit code its kind declares.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import sys

import click

from . import kinds
from .errors import BadOption, ChartError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_UNEXPECTED = 3


# Cell text reaches the terminal in names and messages; an escape sequence hidden in a
# cell (Excel stores ESC as _x001B_) must not recolour or rewrite the person's screen.
# (A pattern rather than str.translate: translate looks up every character of a long
# non-ASCII text in a dict, 0.1 s for a 10,000-row agenda; the pattern takes 5 ms.)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _say(message="", **kwargs) -> None:
    """click.echo with control characters (other than tab, CR and newline) shown as "?"."""
    click.echo(_CONTROL.sub("?", str(message)), **kwargs)


def _say_lines(lines, err: bool = False) -> None:
    """Each line, as _say would print it one by one, in one write: click.echo flushes on
    every call, and a 10,000-row agenda is 18,000 lines (a quarter of a second)."""
    lines = list(lines)
    if lines:
        _say("\n".join(lines), err=err)


class ChartGroup(click.Group):
    """Translates library errors into one line and an exit code, once, for every command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ChartError as exc:
            _say(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _say("Error: interrupted; nothing was written.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader of our output went away (`chart sync … | head`): stop quietly.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
            ctx.exit(1)
        except Exception as exc:  # never a traceback for a person; CHART_DEBUG=1 shows it
            if os.environ.get("CHART_DEBUG"):
                raise
            _say(f"Error: unexpected {type(exc).__name__}: {exc}. Your workbook is written only after it "
                       "has been checked, so it is either as it was or fully updated. Please report this "
                       "(CHART_DEBUG=1 shows the details).", err=True)
            ctx.exit(EXIT_UNEXPECTED)


@click.group(cls=ChartGroup, context_settings=CONTEXT)
@click.version_option(package_name="workbook_tool", prog_name="chart")
def cli():
    """Keep an informational-interview contact chart in Excel or LibreOffice.

    The chart is an .xlsx workbook you edit yourself; chart checks it, keeps its
    follow-ups and referrals up to date, and drafts your emails.

    \b
    Start with:
      chart init my_chart.xlsx          # a new, empty chart
      chart init example.xlsx --sample  # a filled-in example to explore
      chart validate my_chart.xlsx      # what needs fixing, cell by cell
    """


@contextlib.contextmanager
def _progress():
    """A ``progress(label, done, total)`` callback drawing a bar on stderr, or None.

    None when stderr is not a terminal: scripts and pipes see nothing of it
    (click's own hidden bar would still print each label).
    """
    if not sys.stderr.isatty():
        yield None
        return
    state = {}

    def progress(label: str, done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None or bar.length != total:
            if bar is not None:
                bar.render_finish()
            bar = state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=False,
                                                   width=24)
        bar.label = label
        if done > bar.pos:
            bar.update(done - bar.pos)
        else:
            bar.render_progress()  # a new phase at the same position still shows its label

    try:
        yield progress
    finally:
        if state.get("bar") is not None:
            state["bar"].render_finish()


def _parse_day(value: str | None, option: str):
    """A --today value as a date (the real today when not given)."""
    import datetime as dt

    if value is None:
        return dt.date.today()
    from .fields import EARLIEST_YEAR, LATEST_YEAR

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise BadOption(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.") from None
    # Due dates lie up to ten years ahead, and Excel holds no date before 1900: far
    # out, the arithmetic overflows or the cells read back as something else.
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadOption(f"{option} {value!r} is out of range; give a day between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return day


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=True, path_type=str))
@click.option("--sample", is_flag=True, help="Fill it with a realistic example instead of leaving it empty.")
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
def init(path, sample, force):
    """Write a new chart workbook to PATH.

    It has a Contacts sheet with every column the guide uses (dropdowns for
    Source, Channel and Status; date formats; a frozen, filtered header), a Want
    to Meet sheet and a Profile sheet to fill in about yourself. An existing file
    is never overwritten unless you add --force.

    \b
    Example:
      chart init my_chart.xlsx
      chart init example.xlsx --sample
    """
    from .create import write_new_chart
    from .report import init_lines

    for line in init_lines(write_new_chart(path, sample=sample, force=force), sample):
        _say(line)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of problems instead of text.")
@click.option("--today", metavar="YYYY-MM-DD",
              help="Take this day as today, for dates typed without a year (default: the real today).")
def validate(path, as_json, today):
    """Check the chart at PATH and list every problem, cell by cell.

    Each problem has a severity, a stable code, its place (Contacts!H7) and what
    to do. Whatever would make chart sync refuse to write the chart (a column of
    yours named like one of its own, its cells inside your merged cells, no room)
    is an error here too. Exit status: 0 no errors (warnings allowed), 1 errors, 2 the file
    cannot be read.

    \b
    Example:
      chart validate my_chart.xlsx
      chart validate my_chart.xlsx --json
    """
    from pathlib import Path

    from .report import validate_json, validate_lines
    from .validate import has_errors, validate_chart
    from .workbook import chart_from_grids, read_chart_grids

    day = _parse_day(today, "--today")
    frames: dict = {}  # the sheets' parts split as they are read, for validate's look at merges and tables
    grids = read_chart_grids(path, tool_sheets=True, frames=frames)
    chart = chart_from_grids(Path(path), grids)
    problems = validate_chart(chart, day, grids, frames)
    if as_json:
        _say(json.dumps(validate_json(problems), indent=2, ensure_ascii=False))
    else:
        _say_lines(validate_lines(path, chart, problems))
    sys.exit(1 if has_errors(problems) else 0)


def _sync_help() -> str:
    """``chart sync --help``, naming every column and sheet sync writes as schema declares them."""
    from . import schema

    def listed(names) -> str:
        names = list(names)
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)

    contacts = listed(c.header for c in schema.CONTACTS.tool_columns)
    wanted = listed(c.header for c in schema.WANT_TO_MEET.tool_columns)
    sheets = listed((schema.REFERRALS.name, schema.DASHBOARD.name))
    return f"""Update the chart at PATH: next steps, follow-up dates, comments, referrals.

    Writes only what is the tool's: the columns {contacts} in
    {schema.CONTACTS.name} (added at the right when missing), {wanted} in
    {schema.WANT_TO_MEET.name}, and the {sheets} sheets, which it rebuilds. It
    also adds a row for each person your contacts recommended who is not in the
    chart yet, and fills the blank Email, Phone, Organization and Title of one
    who is (never a value you typed). Everything else in the workbook is kept. The previous version is
    saved in chart-backups/ beside it (the last 10).

    \b
    Example:
      chart sync my_chart.xlsx
      chart sync my_chart.xlsx --dry-run --today 2026-11-25
    """


@cli.command(context_settings=CONTEXT, help=_sync_help())
@click.argument("path", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
@click.option("--force", is_flag=True,
              help="Write even while a lock file says the workbook is open (a stale lock left by a crash).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def sync(path, dry_run, today, force, as_json):
    """Update the chart at PATH (the help above is built by _sync_help from schema)."""
    from .report import sync_json, sync_lines
    from .sync import sync_chart

    day = _parse_day(today, "--today")
    with _progress() as progress:
        result = sync_chart(path, day, dry_run=dry_run, force=force, progress=progress)
    if as_json:
        _say(json.dumps(sync_json(result), indent=2, ensure_ascii=False))
    else:
        for line in sync_lines(result):
            _say(line)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
@click.option("--json", "as_json", is_flag=True, help="Print the agenda as JSON.")
def agenda(path, today, as_json):
    """What to do today: overdue steps, steps due today, and the week ahead.

    Lists each open contact whose next step is due by a week from today, how
    late it is, and the chart draft command that writes the email or call
    sheet. Closed contacts (Declined, No Reply, On Hold, Done) never show. The
    steps are worked out from the dates, so the chart need not be synced first.

    \b
    Example:
      chart agenda my_chart.xlsx
      chart agenda my_chart.xlsx --today 2026-11-25 --json
    """
    from .agenda import build_agenda
    from .grids import gc_paused
    from .report import agenda_lines
    from .workbook import read_chart

    day = _parse_day(today, "--today")
    # One pause of the cycle collector for the whole command (see gc_paused): resumed between the
    # reading, the steps and the printing, it walked the chart's million objects again and again, to
    # find nothing (a tenth of a 100,000-row agenda). The agenda goes before the collector resumes,
    # which would otherwise walk it once more.
    with gc_paused():
        result = build_agenda(read_chart(path), day)
        if as_json:
            _say(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        else:
            _say_lines(agenda_lines(result))
        del result


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, metavar="FILE.ics",
              help="The .ics file to write (replaced if it exists).")
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
def calendar(path, output, today):
    """Write the chart's meetings and reminders to an .ics file for your calendar.

    Meetings become events (one hour when Meeting On holds a time, all day
    otherwise); thank-yous, follow-ups and first calls or emails become all-day
    reminders that do not block your time. Import the file into Google Calendar,
    Outlook or Apple Calendar. Each item keeps the same UID from one export to
    the next, so calendars that match UIDs update it instead of adding a copy.
    Closed contacts are left out.

    \b
    Example:
      chart calendar my_chart.xlsx -o job_search.ics
      chart calendar my_chart.xlsx -o job_search.ics --today 2026-11-25
    """
    from .ics import write_calendar
    from .report import calendar_lines

    day = _parse_day(today, "--today")
    for line in calendar_lines(write_calendar(path, output, day), day):
        _say(line)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--kind", type=click.Choice(kinds.NAMES), default=kinds.OUTREACH, show_default=True,
              help=f"What to draft: {kinds.one_of(k.noun for k in kinds.KINDS)}.")
@click.option("--to", "names", multiple=True, metavar="NAME",
              help="Draft for this contact, whatever their stage (repeat for several). Default: every contact "
                   "whose next step calls for --kind.")
@click.option("--out", "out_dir", type=click.Path(path_type=str),  # a file there: one Error line from the library
              help="Folder for the drafts. Default: drafts/ beside the workbook.")
@click.option("--today", metavar="YYYY-MM-DD", help="Draft as if today were this day (for reproducible runs).")
@click.option("--templates", "templates_dir", type=click.Path(path_type=str), metavar="DIR",
              help="A folder of templates that replace the packaged ones (see below).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the drafts instead of writing files.")
@click.option("--check", is_flag=True, help="Only check the drafts against the guide; exit 1 if any falls short.")
@click.option("--style", type=click.Choice(["guide", "5-point"]), default="guide", show_default=True,
              help="Rules for the checks; 5-point is stricter: under 100 words, the connection first, the "
                   "request as a question, more about them than about you.")
@click.option("--mailbox", is_flag=True,
              help="Put the email drafts into your mailbox's Drafts folder over IMAP instead of files (see chart "
                   "mail --help for the connection); call sheets and drafts without an address still go to files.")
@click.option("--force", is_flag=True, help="Replace a draft file that exists with other content (with --mailbox: "
                                            "replace the draft already in the Drafts folder).")
def draft(path, kind, names, out_dir, today, templates_dir, to_stdout, check, style, mailbox, force):
    """Write outreach emails, call sheets, thank-you notes or follow-ups for the chart at PATH.

    Emails become .eml files that Outlook, Thunderbird and Apple Mail open as
    drafts (To, Subject and From filled in); a contact without an email address
    gets a .txt to copy from, and call sheets are Markdown (.md). Without --to,
    follow-ups are drafted once they are due. Each draft is checked against the
    guide (the four points, the 15-20 minute request, "not asking for a job",
    the referrer named first, under 150 words) and any shortfall is printed as a
    warning. A contact that gets no draft is listed with the reason. A draft
    file you have edited is kept unless you add --force.

    \b
    Templates are Jinja2. Replace the packaged ones in the workbook's Templates
    sheet (columns Name, Subject, Body; Name is outreach, call, thank-you or
    follow-up) or with --templates DIR holding outreach.txt, call.md,
    thank-you.txt or follow-up.txt, whose first line may be "Subject: ...".
    A blank Subject or body keeps the packaged one. Variables: contact.name,
    contact.organization, contact.helpful ... (any Contacts column), referrer
    (their referrer's row, or none), me.your_name, me.job_status ... (any
    Profile field), step.stage, step.action, today, recommended,
    pending_referrals. A blank field is false in {% if contact.title %}; a
    contact missing a field the template prints is skipped, with the reason.

    \b
    Example:
      chart draft my_chart.xlsx
      chart draft my_chart.xlsx --kind thank-you --to "Sue Miller"
      chart draft my_chart.xlsx --kind call --stdout
      chart draft my_chart.xlsx --check --style 5-point
      chart draft my_chart.xlsx --mailbox
    """
    from pathlib import Path

    from .draftfiles import DraftFiles, default_out_dir
    from .drafts import Drafted, Skipped, each_draft
    from .report import draft_check_lines, draft_skip_lines, draft_write_lines
    from .workbook import read_chart

    day = _parse_day(today, "--today")
    if mailbox and (check or to_stdout):
        raise BadOption(f"--mailbox and {'--check' if check else '--stdout'} do not go together: --mailbox puts "
                        "the drafts into your Drafts folder, the other only prints them.")
    chart = read_chart(path)
    skipped = []
    if to_stdout:  # no progress bar: the drafts appear as they are made
        _print_drafts(each_draft(chart, kind, day, names, templates_dir, style), skipped)
        _say_lines(draft_skip_lines(skipped), err=True)
        return
    if check:
        with _progress() as progress:
            checked = [made if isinstance(made, Skipped) else Drafted(made)
                       for made in each_draft(chart, kind, day, names, templates_dir, style, progress)]
        drafted = [d for d in checked if not isinstance(d, Skipped)]
        _say_lines(draft_check_lines(drafted, [s for s in checked if isinstance(s, Skipped)], kind, style))
        sys.exit(1 if any(d.findings for d in drafted) else 0)
    folder = Path(out_dir) if out_dir else default_out_dir(path)
    with DraftFiles(folder, force) as files:
        emails = []  # with --mailbox, the .eml drafts, for the Drafts folder
        with _progress() as progress:
            for made in each_draft(chart, kind, day, names, templates_dir, style, progress):
                if isinstance(made, Skipped):
                    skipped.append(made)
                elif mailbox and made.format == "eml":
                    emails.append(made)
                else:
                    files.add(made)
        if mailbox:  # into the mailbox first: a failure there leaves no file written
            _draft_into_mailbox(chart, emails, files, skipped, kind, folder, force)
            return
        written = files.commit()
    # One write per megabyte, not per line: ten thousand echo calls (each flushed) cost more than the writing.
    _say_chunks(line + "\n" for line in draft_write_lines(written, skipped, kind, folder))


def _print_drafts(drafting, skipped) -> None:
    """``chart draft --stdout``: each draft printed as it is made, its warnings on stderr; the skipped collected."""
    from .drafts import Skipped
    from .report import draft_stdout_pieces

    def pieces():
        first = True
        for made in drafting:
            if isinstance(made, Skipped):
                skipped.append(made)
                continue
            yield from draft_stdout_pieces(made, first)
            first = False

    # stdout holds only the drafts, so that it can be piped; the rest goes to stderr.
    # Consecutive pieces for the same stream go out in one write (two per draft
    # otherwise), in the same order between stdout and stderr.
    for to_err, run in itertools.groupby(pieces(), key=lambda piece: piece[1]):
        _say_chunks((text for text, _ in run), err=to_err)


def _say_chunks(texts, err: bool = False) -> None:
    """The texts, as _say would print them, in writes of about 1 MiB: joined whole, 100,000 drafts made
    several copies of 150 MB, and written one by one, each is flushed."""
    chunk, size = [], 0
    for text in texts:
        chunk.append(text)
        size += len(text)
        if size >= 1 << 20:
            _say("".join(chunk), nl=False, err=err)
            chunk, size = [], 0
    if chunk:
        _say("".join(chunk), nl=False, err=err)


def _draft_into_mailbox(chart, emails, files, skipped, kind, folder, force) -> None:
    """``chart draft --mailbox``: the .eml drafts into the Drafts folder, then the others' files renamed into place."""
    from .mailbox import mail_drafts
    from .report import draft_mailbox_lines

    placed = mail_drafts(chart.profile, emails, chart.path.name, _password_for, force=force) if emails else []
    written = files.commit() if files.written else []  # no file to write: no folder made
    _say_lines(draft_mailbox_lines(placed, written, skipped, kind, folder))


def _password_for(settings) -> str:
    """The mailbox password (mailbox.find_password), asked for with a hidden prompt only on a terminal."""
    from .mailbox import find_password

    def ask() -> str:
        if sys.stderr.isatty():
            click.echo("", err=True)  # off the progress bar's line
        return click.prompt(f"Password for {settings.login} at {settings.server}", hide_input=True, err=True)

    return find_password(settings, ask if sys.stdin.isatty() else None)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
@click.option("--since", metavar="YYYY-MM-DD",
              help="Read mail dated from this day on (default: 60 days before today).")
@click.option("--dry-run", is_flag=True, help="Show what would be filled and changed; write nothing.")
@click.option("--force", is_flag=True,
              help="Write even while a lock file says the workbook is open (a stale lock left by a crash).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def mail(path, today, since, dry_run, force, as_json):
    """Fill the chart's dates from your mailbox: what you sent, and who replied.

    Reads, and never changes, the headers of your Sent folder and INBOX (no
    message is downloaded, sent, moved or marked read) for mail to or from each
    contact's Email. Blank dates are filled from your sent mail: the first
    message → Contacted On, a later one before any meeting → Followed Up On,
    the first after a past meeting → Thanked On; a date you typed is never
    changed. The latest message from them goes into Replied On, and a reply
    newer than your last message makes the next step answering it. Then the
    sync rules run, in one safe write like chart sync's.

    \b
    The connection: the Profile's Mail Server (imap.gmail.com, imaps://host:993,
    imap://host:143 for STARTTLS, or imap+plain://127.0.0.1:143 for a server on
    this machine) and Mail Login (default: Your Email), or CHART_MAIL_SERVER and
    CHART_MAIL_LOGIN. The password comes from
    CHART_MAIL_PASSWORD, your keyring (if the keyring package is installed), or
    a hidden prompt; it is never stored or printed. Gmail and iCloud need an
    app password.

    \b
    Example:
      chart mail my_chart.xlsx
      chart mail my_chart.xlsx --dry-run --since 2026-09-01
    """
    from .mailfacts import mail_chart
    from .report import mail_json, mail_lines

    day = _parse_day(today, "--today")
    start = _parse_day(since, "--since") if since else None
    if start is not None and start > day:
        raise BadOption(f"--since {since} is after today ({day.isoformat()}); give an earlier day.")
    with _progress() as progress:
        outcome = mail_chart(path, day, _password_for, since=start, dry_run=dry_run, force=force, progress=progress)
    if as_json:
        _say(json.dumps(mail_json(outcome), indent=2, ensure_ascii=False))
    else:
        _say_lines(mail_lines(outcome))


@cli.command("import", context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.argument("file", type=click.Path(path_type=str))
@click.option("--source", metavar="Own|Family|Friend", default="Own", show_default=True,
              help="Whose network the new people come from (their Source cell).")
@click.option("--via", metavar="NAME", help='For Family or Friend: whose contacts these are ("Dad"); goes in Via.')
@click.option("--dry-run", is_flag=True, help="Show what would be added and filled; write nothing.")
@click.option("--force", is_flag=True,
              help="Write even while a lock file says the workbook is open (a stale lock left by a crash).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def import_(path, file, source, via, dry_run, force, as_json):
    """Add the people in FILE to the Contacts sheet of the chart at PATH.

    FILE is a LinkedIn Connections.csv, a Google Contacts or Outlook CSV export,
    a vCard file (.vcf, 3.0 or 4.0), or any CSV or .xlsx with a header row (Name,
    or First Name and Last Name; Company, Title, Email, Phone …). The format is
    told from the content. Someone already in the chart (same email, phone or
    name) is not added again: only their blank cells are filled, never what you
    typed. New rows get Source (--source) and Via (--via); a LinkedIn profile
    address goes into Notes. The previous version is kept in chart-backups/.

    \b
    Example:
      chart import my_chart.xlsx Connections.csv
      chart import my_chart.xlsx dads_contacts.vcf --source Family --via Dad --dry-run
    """
    from .importer import import_contacts
    from .report import import_json, import_lines

    with _progress() as progress:
        result = import_contacts(path, file, source=source, via=via, dry_run=dry_run, force=force,
                                 progress=progress)
    if as_json:
        _say(json.dumps(import_json(result), indent=2, ensure_ascii=False))
    else:
        _say_lines(import_lines(result))


@cli.command("report", context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--week", metavar="YYYY-MM-DD", help="Report on the week (Monday to Sunday) holding this day.")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="The first day of the period (default: this week's Monday).")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="The last day of the period (default: today).")
@click.option("--format", "fmt", metavar="text|csv|xlsx|html",
              help="text, csv (the log), xlsx (a workbook: needs -o) or html (one page to email or print). "
                   "Default: what -o's extension names, else text.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of the terminal.")
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
def report_(path, week, start, end, fmt, output, today):
    """The job-search log and a progress summary for a week or any period.

    The log has one row per step taken in the period (Date, Employer, Contact,
    Title, Method, Activity, Position Sought, Result): the work-search record an
    unemployment office asks for. The summary counts each activity per week,
    follows the people first contacted in the period (replied, met, referred),
    gives reply rates by Source, the median days to a reply and to a meeting,
    the steps overdue at the end of the period and the change against the
    period before. Reads the chart only; it need not be synced first.

    \b
    Example:
      chart report my_chart.xlsx
      chart report my_chart.xlsx --week 2026-11-18 --format csv -o week47.csv
      chart report my_chart.xlsx --from 2026-11-01 --to 2026-11-30 -o november.html
    """
    from .joblog import job_report, period
    from .logpages import choose_format, render_pieces, write_report
    from .report import report_written_line

    day = _parse_day(today, "--today")
    chosen = period(day, week=_parse_day(week, "--week") if week else None,
                    start=_parse_day(start, "--from") if start else None,
                    end=_parse_day(end, "--to") if end else None)
    fmt = choose_format(fmt, output)
    result = job_report(path, chosen, day)
    if output:
        _say(report_written_line(write_report(result, fmt, output), result, fmt))
    else:
        for piece in render_pieces(result, fmt):
            _say(piece, nl=False)


def main():
    """Console-script entry point: runs one command, and the process ends (click exits for it)."""
    try:
        cli(prog_name="chart")
    finally:
        # On its way out Python collects every object it still holds, looking for cycles to free,
        # memory the system takes back at exit anyway: after a small chart's sync, with Jinja2,
        # phonenumbers and lxml loaded, that walk was 3% of the run. Frozen, they are left to the
        # system. Nothing waits on it: every command has closed its files and removed its temporary
        # files by now (with blocks and explicit removal, no finalizers), and the standard streams
        # are flushed at exit as always.
        import gc

        gc.freeze()


if __name__ == "__main__":
    main()
