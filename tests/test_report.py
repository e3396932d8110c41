"""report.py: every command's wording, from the results the library returns, with no terminal.

cli.py prints these lines as they are; each test checks both the wording and that the command prints it.
"""

from __future__ import annotations

import datetime as dt

from conftest import contact, run, write_chart

from workbook_tool import report
from workbook_tool.agenda import build_agenda
from workbook_tool.ics import write_calendar
from workbook_tool.validate import validate_chart
from workbook_tool.workbook import read_chart

DAY = dt.date(2026, 11, 25)


def _chart(tmp_path):
    return write_chart(tmp_path / "c.xlsx", rows=[
        contact(name="Ann Lee", email="ann@example.com", channel="Email", contacted_on=dt.date(2026, 11, 10),
                meeting_on=dt.date(2026, 11, 27)),
        contact(name="Bob Roe", email="not-an-address", channel="Email"),
    ])


def test_init_lines(tmp_path):
    path = tmp_path / "new.xlsx"
    assert report.init_lines(path, sample=True) == [f"Wrote an example chart to {path}."]
    assert report.init_lines(path, sample=False) == [
        f"Wrote a new chart to {path}.",
        f"Next: fill in the Profile sheet, list the people you know on Contacts, then run chart validate {path}"]
    assert run("init", path).stdout.splitlines() == report.init_lines(path, sample=False)


def test_validate_lines(tmp_path):
    path = _chart(tmp_path)
    chart = read_chart(path)
    problems = validate_chart(chart)
    lines = report.validate_lines(path, chart, problems)
    assert lines[-1] == f"{path}: 2 contacts, 1 error, 0 warnings."
    assert lines[0].startswith("Contacts!H3: error: ") and lines[0].endswith("[bad-email]")
    result = run("validate", path)
    assert (result.exit_code, result.stdout.splitlines()) == (1, lines)
    assert report.validate_json(problems) == [p.as_dict() for p in problems]


def test_agenda_lines(tmp_path):
    path = _chart(tmp_path)
    lines = report.agenda_lines(build_agenda(read_chart(path), DAY))
    assert lines[:3] == [f"Agenda for Wednesday 2026-11-25 ({path})", "", "Due today (1)"]
    assert run("agenda", path, "--today", DAY.isoformat()).stdout.splitlines() == lines


def test_calendar_lines(tmp_path):
    path = _chart(tmp_path)
    out = tmp_path / "a.ics"
    lines = report.calendar_lines(write_calendar(path, out, DAY), DAY)
    assert lines == [f"Wrote {out}: 1 meeting and 1 reminder as of 2026-11-25.",
                     "Import it into your calendar; importing a newer export updates these events."]
    assert run("calendar", path, "-o", out, "--today", DAY.isoformat()).stdout.splitlines() == lines


def test_import_lines(tmp_path):
    path = _chart(tmp_path)
    csv = tmp_path / "people.csv"
    csv.write_text("Name,Email\nCara Diaz,cara@example.com\nAnn Lee,ann@example.com\n", encoding="utf-8")
    result = run("import", path, csv, "--dry-run")
    assert result.stdout.splitlines() == [
        f"{path}: dry run of importing {csv} (CSV): 1 added, 0 merged, 1 skipped; nothing was "
        "written.",
        "Added to Contacts:",
        "  row 4: Cara Diaz",
        "Skipped:",
        "  row 3 of the file: Ann Lee: already in the chart (row 2: Ann Lee); nothing new to fill",
    ]
