"""The ``chart`` command: a thin layer that parses options, calls the library, prints.

Heavy libraries (openpyxl, pandas, phonenumbers …) are imported inside the
commands, so that ``chart --help`` answers at once. Every ``ChartError`` becomes
one ``Error: …`` line on stderr with the exit code its kind declares.
"""

from __future__ import annotations

import json
import os
import sys

import click

from .errors import BadOption, ChartError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_UNEXPECTED = 3


class ChartGroup(click.Group):
    """Translates library errors into one line and an exit code, once, for every command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ChartError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; nothing was written.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # never a traceback for a person; CHART_DEBUG=1 shows it
            if os.environ.get("CHART_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc}. Nothing was written. Please report this "
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


def _parse_day(value: str | None, option: str):
    """A --today value as a date (the real today when not given)."""
    import datetime as dt

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadOption(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.") from None


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

    written = write_new_chart(path, sample=sample, force=force)
    what = "an example chart" if sample else "a new chart"
    click.echo(f"Wrote {what} to {written}.")
    if not sample:
        click.echo("Next: fill in the Profile sheet, list the people you know on Contacts, then run "
                   f"chart validate {written}")


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of problems instead of text.")
def validate(path, as_json):
    """Check the chart at PATH and list every problem, cell by cell.

    Each problem has a severity, a stable code, its place (Contacts!H7) and what
    to do. Exit status: 0 no errors (warnings allowed), 1 errors, 2 the file
    cannot be read.

    \b
    Example:
      chart validate my_chart.xlsx
      chart validate my_chart.xlsx --json
    """
    from .validate import has_errors, validate_chart
    from .workbook import read_chart

    chart = read_chart(path)
    problems = validate_chart(chart)
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(f"{p.where}: {p.severity}: {p.message} [{p.code}]")
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        people = len(chart.contacts.rows)
        click.echo(f"{path}: {people} contact{'s' * (people != 1)}, {errors} error{'s' * (errors != 1)}, "
                   f"{warnings} warning{'s' * (warnings != 1)}.")
    sys.exit(1 if has_errors(problems) else 0)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--today", metavar="YYYY-MM-DD", help="Take this day as today (default: the real today).")
@click.option("--force", is_flag=True,
              help="Write even while a lock file says the workbook is open, or when it has parts chart cannot "
                   "keep (macros, sparklines, shapes …), which are then lost.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def sync(path, dry_run, today, force, as_json):
    """Update the chart at PATH: next steps, follow-up dates, comments, referrals.

    Writes only the tool's own columns (Stage, Next Step, Follow-Up On, Comments,
    added at the right when missing), adds a row for each person your contacts
    recommended who is not in the chart yet, fills Want to Meet's Status and
    rebuilds the Referrals sheet. Everything else in the workbook is kept. The
    previous version is saved in chart-backups/ beside it (the last 10).

    \b
    Example:
      chart sync my_chart.xlsx
      chart sync my_chart.xlsx --dry-run --today 2026-11-25
    """
    from .report import sync_json, sync_lines
    from .sync import sync_chart

    day = _parse_day(today, "--today")
    result = sync_chart(path, day, dry_run=dry_run, force=force)
    if as_json:
        click.echo(json.dumps(sync_json(result), indent=2, ensure_ascii=False))
    else:
        for line in sync_lines(result):
            click.echo(line)


def main():
    """Console-script entry point."""
    cli(prog_name="chart")


if __name__ == "__main__":
    main()
