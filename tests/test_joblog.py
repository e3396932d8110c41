"""``chart report``: the log and summary (joblog.py), text and CSV (logpages.py), the period, the errors.

Golden files in tests/data/report hold the text, the CSV and the Log sheet of the sample chart for
a fixed week and a fixed range. After a deliberate change of wording, refresh them with
``CHART_UPDATE_GOLDEN=1 python3 -m pytest -q tests/test_joblog.py`` and read the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import GOOD_PROFILE, REPO, SAMPLE_CHART, contact, run, write_chart
from workbook_tool import joblog
from workbook_tool.errors import BadOption
from workbook_tool.workbook import read_chart

GOLDEN = REPO / "tests" / "data" / "report"
TODAY = "2026-11-25"
D = dt.date
# The fixed week and range of the goldens: the week of Wednesday 2026-11-18, and October 1 to today.
CASES = {"week": ["--week", "2026-11-18"], "range": ["--from", "2026-10-01", "--to", TODAY]}


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample_chart.xlsx"
    shutil.copy(SAMPLE_CHART, path)
    return path


def _golden(name: str, produced: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CHART_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced.encode("utf-8"))
    assert produced == path.read_bytes().decode("utf-8"), f"{name} differs from the golden"


# --------------------------------------------------------------------------- goldens


@pytest.mark.parametrize("case", CASES)
def test_text_and_csv_match_the_goldens(sample, tmp_path, case, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sample.read_bytes()
    text = run("report", sample.name, *CASES[case], "--today", TODAY)
    assert text.exit_code == 0, text.output
    assert text.stderr == ""
    _golden(f"{case}.txt", text.stdout)
    # Through -o, to see the bytes (CRLF line ends) that click's test runner would normalise.
    csv = run("report", sample.name, *CASES[case], "--today", TODAY, "-o", "log.csv")
    assert csv.exit_code == 0, csv.output
    _golden(f"{case}.csv", (tmp_path / "log.csv").read_bytes().decode("utf-8"))
    assert sample.read_bytes() == before  # read-only: the chart is never written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "sample_chart.xlsx"]


def _sheet_values(ws) -> list[list]:
    """A sheet's rows as JSON-able values, a date cell as {"date": "2026-11-18"} so a date stays a date."""
    rows = []
    for row in ws.iter_rows():
        values = [{"date": c.value.date().isoformat()} if c.is_date else c.value for c in row]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


@pytest.mark.parametrize("case", CASES)
def test_the_log_sheet_matches_the_golden(sample, tmp_path, case, monkeypatch):
    from openpyxl import load_workbook
    from xlsx_lint import lint

    monkeypatch.chdir(tmp_path)
    result = run("report", sample.name, *CASES[case], "--today", TODAY, "-o", "log.xlsx")
    assert result.exit_code == 0, result.output
    assert lint(tmp_path / "log.xlsx") == []
    wb = load_workbook(tmp_path / "log.xlsx")
    assert wb.sheetnames == ["Log", "Summary"]
    rows = [json.dumps(row, ensure_ascii=False) for row in _sheet_values(wb["Log"])]
    _golden(f"{case}-log-sheet.json", "[\n" + ",\n".join(rows) + "\n]\n")


def test_the_csv_is_the_log_of_the_text(sample, tmp_path, monkeypatch):
    import csv
    import io

    monkeypatch.chdir(tmp_path)
    out = run("report", sample.name, "--week", "2026-11-18", "--today", TODAY, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(joblog.LOG_COLUMNS)
    frame = joblog.activities(sample, D(2026, 11, 16), D(2026, 11, 22), today=D(2026, 11, 25))
    assert [r[0] for r in rows[1:]] == [d.date().isoformat() for d in frame["Date"]]
    assert [r[2] for r in rows[1:]] == list(frame["Contact"])


# --------------------------------------------------------------------------- the log's rules


def test_the_library_returns_the_log_as_a_dataframe(sample):
    import pandas as pd

    frame = joblog.activities(sample, today=D(2026, 11, 25))
    assert list(frame.columns) == [*joblog.LOG_COLUMNS, "Source", "Row"]
    assert pd.api.types.is_datetime64_any_dtype(frame["Date"])
    assert frame["Date"].is_monotonic_increasing
    sue = frame[frame["Contact"] == "Sue Miller"]
    assert sue[["Activity", "Method", "Result"]].values.tolist() == [
        ["Contacted", "Phone", "Meeting scheduled"],  # Channel Call; the meeting came of it
        ["Meeting", "In person", "Met, not thanked"],
        ["Referral received", "In person", "Referred you to Carlos Diaz"],
    ]
    assert set(frame["Position Sought"]) == {"a data analyst or analytics engineer position in healthcare operations"}
    # A closing Status is the result of the last step; Grace Liu declined.
    assert frame[frame["Contact"] == "Grace Liu"]["Result"].tolist() == ["Declined"]
    assert frame[frame["Contact"] == "Elena Petrova"]["Result"].tolist()[-1] == "Done"


def test_a_meeting_ahead_is_not_an_activity_yet(sample):
    before = joblog.activities(sample, today=D(2026, 11, 25))
    assert not ((before["Contact"] == "Bob Roe") & (before["Activity"] == "Meeting")).any()
    after = joblog.activities(sample, today=D(2026, 12, 3))
    bob = after[(after["Contact"] == "Bob Roe") & (after["Activity"] == "Meeting")]
    assert bob["Date"].dt.date.tolist() == [D(2026, 12, 2)]


def test_a_video_meeting_and_a_channel_left_blank(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", rows=[
        contact(name="Ann Lee", email="ann@example.com", contacted_on=D(2026, 11, 2), meeting_on=D(2026, 11, 9),
                meeting_place="https://zoom.us/j/123"),
        contact(name="Bob Roe", phone="617-555-0142", contacted_on=D(2026, 11, 3)),
    ])
    frame = joblog.activities(path, today=D(2026, 11, 25))
    assert frame[["Contact", "Activity", "Method"]].values.tolist() == [
        ["Ann Lee", "Contacted", "Email"], ["Bob Roe", "Contacted", "Phone"], ["Ann Lee", "Meeting", "Video"]]


def test_replies_recorded_in_replied_on_are_activities(sample):
    # The mail loop records replies in Replied On; the reader gives it as values["replied_on"].
    chart = read_chart(sample)
    priya = next(r for r in chart.contacts.rows if r.text("name") == "Priya Natarajan")
    priya.values["replied_on"] = D(2026, 11, 20)
    isabel = next(r for r in chart.contacts.rows if r.text("name") == "Isabel Grant")
    isabel.values["replied_on"] = "2026-11-19"  # typed as text, read like any date
    report = joblog.build_report(chart, joblog.week_of(D(2026, 11, 18)), D(2026, 11, 25))
    replies = report.log[report.log["Activity"] == "Reply received"]
    assert replies[["Contact", "Method", "Result"]].values.tolist() == [
        ["Isabel Grant", "Email", "Meeting scheduled"], ["Priya Natarajan", "Email", "Replied"]]
    # Isabel was contacted on the 18th and answered on the 19th; Priya, the 17th and the 20th.
    assert report.medians["reply"] == (2.0, 2)
    assert dict(report.funnel)["Replied"] == 3  # and Bob Roe arranged a meeting


def test_the_summary_of_a_week(sample):
    report = joblog.job_report(sample, joblog.week_of(D(2026, 11, 18)), D(2026, 11, 25))
    assert report.weekly.index.date.tolist() == [D(2026, 11, 16)]
    assert report.weekly.loc["2026-11-16"].to_dict() == {
        "Contacted": 4, "Followed up": 1, "Reply received": 0, "Meeting": 2, "Thank-you sent": 1,
        "Referral received": 2, "New contacts": 3}
    # Priya, Isabel, Frank and Bob were first contacted that week; Isabel and Bob have meetings arranged.
    assert report.funnel == [("Contacted", 4), ("Replied", 2), ("Met", 0), ("Referred", 0)]
    assert report.by_source.loc["Friend"].tolist() == [2, 1, 0.5, 0]
    # Overdue at the end of the week (Sunday), not today: Sue's thank-you was due on the 19th.
    assert [(o.name, o.days_late) for o in report.overdue] == [("Sue Miller", 3), ("Maria Chen", 2)]
    assert report.change.loc["Contacted"].tolist() == [4, 1, 3]


def test_overdue_steps_use_only_what_was_known_at_the_end(sample):
    # On Sunday 2026-11-15 Hiro's follow-up (sent the 16th) was not sent yet, and not yet due.
    report = joblog.job_report(sample, joblog.week_of(D(2026, 11, 12)), D(2026, 11, 25))
    assert report.as_of == D(2026, 11, 15)
    assert "Hiro Tanaka" not in [o.name for o in report.overdue]
    hiro = report.log[report.log["Contact"] == "Hiro Tanaka"]
    assert hiro.empty


# --------------------------------------------------------------------------- the period


def test_the_period_by_default_is_this_week_monday_to_sunday():
    assert joblog.period(D(2026, 11, 25)) == joblog.Period(D(2026, 11, 23), D(2026, 11, 29))
    assert joblog.period(D(2026, 11, 25), week=D(2026, 11, 16)).label() == \
        "week of Monday 2026-11-16 to Sunday 2026-11-22"
    assert joblog.period(D(2026, 11, 25), start=D(2026, 11, 2)) == joblog.Period(D(2026, 11, 2), D(2026, 11, 25))
    assert joblog.period(D(2026, 11, 25), end=D(2026, 11, 20)) == joblog.Period(D(2026, 11, 16), D(2026, 11, 20))
    one = joblog.period(D(2026, 11, 25), start=D(2026, 11, 18), end=D(2026, 11, 18))
    assert one.label() == "Wednesday 2026-11-18" and one.previous() == joblog.Period(D(2026, 11, 17), D(2026, 11, 17))


@pytest.mark.parametrize("kwargs, message", [
    ({"start": D(2026, 11, 20), "end": D(2026, 11, 10)}, "--from 2026-11-20 is after --to 2026-11-10"),
    ({"week": D(2026, 11, 18), "start": D(2026, 11, 1)}, "give either --week or --from/--to, not both."),
    ({"start": D(2026, 12, 1)}, "the period starts on 2026-12-01, after today (2026-11-25)"),
])
def test_periods_that_cannot_be(kwargs, message):
    with pytest.raises(BadOption, match=message.replace("(", r"\(").replace(")", r"\)")):
        joblog.period(D(2026, 11, 25), **kwargs)


# --------------------------------------------------------------------------- one line each


@pytest.mark.parametrize("args, line", [
    (["--week", "2026-13-01"], "Error: --week '2026-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.\n"),
    (["--from", "yesterday"], "Error: --from 'yesterday' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.\n"),
    (["--from", "2026-11-20", "--to", "2026-11-10"],
     "Error: --from 2026-11-20 is after --to 2026-11-10; give the earlier day first.\n"),
    (["--week", "2026-11-18", "--to", "2026-11-20"], "Error: give either --week or --from/--to, not both.\n"),
    (["--from", "2027-01-04"], "Error: the period starts on 2027-01-04, after today (2026-11-25): nothing has "
                               "happened in it yet. Give a period that starts by today.\n"),
    (["--format", "xlsx"], "Error: --format xlsx writes a workbook: add -o FILE.xlsx.\n"),
    (["--format", "pdf"], "Error: --format 'pdf' is not a format; use one of: text, csv, xlsx, html.\n"),
    (["--format", "csv", "-o", "log.html"], "Error: -o 'log.html' names a html file but --format is csv; make them "
                                            "agree.\n"),
    (["-o", "sample_chart.xlsx"], "Error: -o 'sample_chart.xlsx' is the chart itself; give another file name, such "
                                  "as job_search_log.xlsx.\n"),
])
def test_bad_options_get_one_line(sample, tmp_path, monkeypatch, args, line):
    monkeypatch.chdir(tmp_path)
    before = sample.read_bytes()
    result = run("report", sample.name, "--today", TODAY, *args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, line, "")
    assert sample.read_bytes() == before


def test_a_workbook_that_is_not_a_report_is_never_replaced(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "budget.xlsx"
    shutil.copy(SAMPLE_CHART, other)
    before = other.read_bytes()
    result = run("report", sample.name, "--today", TODAY, "-o", "budget.xlsx")
    assert result.exit_code == 1
    assert result.stderr == ("Error: budget.xlsx: -o 'budget.xlsx' is a workbook that chart report did not write; "
                             "it is never replaced. Give a new file name.\n")
    assert other.read_bytes() == before
    # An earlier report is replaced: next week's run over last week's file.
    assert run("report", sample.name, "--today", TODAY, "-o", "log.xlsx").exit_code == 0
    again = run("report", sample.name, "--today", TODAY, "--week", "2026-11-09", "-o", "log.xlsx")
    assert again.stdout == "Wrote log.xlsx (xlsx): 4 activities for the week of Monday 2026-11-09 to Sunday 2026-11-15.\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_folder_or_a_missing_folder_as_output(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    result = run("report", sample.name, "--today", TODAY, "-o", "out")
    assert (result.exit_code, result.stderr) == (
        2, "Error: -o 'out' is a folder; give a file name, such as out/job_search_log.text.\n")
    result = run("report", sample.name, "--today", TODAY, "-o", "nowhere/log.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: nowhere/log.csv: the folder ") and result.stderr.count("\n") == 1


def test_an_unreadable_chart_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("report", "missing.xlsx", "--today", TODAY)
    assert (result.exit_code, result.stderr) == (
        2, "Error: missing.xlsx: no such file. Check the path, or make a new chart with: chart init missing.xlsx\n")


def test_a_range_before_the_first_contact(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("report", sample.name, "--today", TODAY, "--from", "2026-09-01", "--to", "2026-09-30")
    assert result.exit_code == 0
    assert "No activity in this period: it ends before your first contact, on 2026-10-20." in result.stdout.splitlines()
    csv = run("report", sample.name, "--today", TODAY, "--from", "2026-09-01", "--to", "2026-09-30", "-o", "log.csv")
    assert csv.exit_code == 0
    assert (tmp_path / "log.csv").read_bytes() == (",".join(joblog.LOG_COLUMNS) + "\r\n").encode()


def test_an_empty_week_and_an_empty_chart(sample, tmp_path, monkeypatch, new_chart):
    monkeypatch.chdir(tmp_path)
    result = run("report", sample.name, "--today", TODAY, "--week", "2026-10-28")
    assert "No activity in this period." in result.stdout.splitlines()
    assert "Overdue on 2026-11-01: nothing" in result.stdout.splitlines()
    empty = run("report", new_chart, "--today", TODAY)
    assert empty.exit_code == 0
    assert "No activity yet: the chart has no dated step (Contacted On, Meeting On …) by 2026-11-25." in \
        empty.stdout.splitlines()
    assert run("report", new_chart, "--today", TODAY, "-o", "empty.xlsx").exit_code == 0


def test_a_one_day_range(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("report", sample.name, "--today", TODAY, "--from", "2026-11-18", "--to", "2026-11-18", "--format", "csv")
    days = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert days == {"2026-11-18"} and len(result.stdout.splitlines()) == 4  # Sue's meeting and referral, Isabel
    text = run("report", sample.name, "--today", TODAY, "--from", "2026-11-18", "--to", "2026-11-18").stdout
    assert text.startswith("Job search log: Wednesday 2026-11-18 (sample_chart.xlsx)\n")
    assert "Against the previous period (Tuesday 2026-11-17)" in text


# --------------------------------------------------------------------------- what a cell cannot do


def test_text_from_the_chart_never_becomes_a_formula(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    evil = '=HYPERLINK("http://example.com/x","Click")'
    path = write_chart(tmp_path / "c.xlsx", rows=[
        contact(name=evil, organization="+1 Corp", title="@boss", email="a@example.com",
                contacted_on=D(2026, 11, 24))], profile=GOOD_PROFILE)
    wb = load_workbook(path)  # typed as text, as Excel keeps a name that starts with "=" after a quote mark
    wb["Contacts"]["A2"].data_type = "s"
    wb.save(path)
    csv = run("report", "c.xlsx", "--today", TODAY, "--format", "csv").stdout.splitlines()[1]
    assert csv == "2026-11-24,'+1 Corp,\"'=HYPERLINK(\"\"http://example.com/x\"\",\"\"Click\"\")\",'@boss,Email," \
                  "Contacted,a data analyst position,Awaiting reply"
    assert run("report", path.name, "--today", TODAY, "-o", "log.xlsx").exit_code == 0
    ws = load_workbook(tmp_path / "log.xlsx")["Log"]
    assert (ws["C2"].value, ws["C2"].data_type) == (evil, "s")
    html = run("report", "c.xlsx", "--today", TODAY, "--format", "html").stdout
    assert evil not in html and "=HYPERLINK(&#34;http://example.com/x&#34;" in html


def test_the_html_page_is_self_contained(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = run("report", sample.name, "--today", TODAY, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>")
    # No script and nothing fetched: no src, no links, no url(), no @import.
    for needle in ("<script", "src=", "href=", "url(", "@import", "<link"):
        assert needle not in page.lower(), needle
    assert page.count("<svg") == 3


# --------------------------------------------------------------------------- pandas stays out of the way


@pytest.mark.parametrize("args", [["--help"], ["agenda", "CHART", "--today", TODAY], ["validate", "CHART"],
                                  ["report", "--help"]])
def test_other_commands_never_import_pandas(sample, args):
    # pandas costs a third of a second to import: only chart report may pay it.
    script = ("import sys\nfrom workbook_tool.cli import cli\n"
              "assert 'pandas' not in sys.modules, 'imported by workbook_tool.cli'\n"
              "try:\n    cli(sys.argv[1:], prog_name='chart')\nexcept SystemExit:\n    pass\n"
              "print('pandas' in sys.modules)\n")
    argv = [str(sample) if a == "CHART" else a for a in args]
    result = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=120,
                            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"


def test_chart_report_does_import_pandas(sample):
    script = ("import sys\nfrom workbook_tool.cli import cli\n"
              "try:\n    cli(sys.argv[1:], prog_name='chart')\nexcept SystemExit:\n    pass\n"
              "print('pandas' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script, "report", str(sample), "--today", TODAY],
                            capture_output=True, text=True, timeout=120, cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.stdout.splitlines()[-1] == "True"


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 5), dt.date(2026, 11, 22), dt.date(2026, 11, 25),
                                   dt.date(2027, 1, 31)])
def test_overdue_steps_skip_only_rows_that_cannot_be_overdue(tmp_path, as_of, monkeypatch):
    # The report works out steps only for rows with a contact date; every other row's step is a first
    # contact, due on the day itself. The same list as when every row is worked out, on the example chart
    # and on a generated one (closed rows, retries, replies, referrals).
    import importlib.util

    from workbook_tool import stages

    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    made = tmp_path / "generated.xlsx"
    generate.generate(600, made, seed=3)
    for path in (SAMPLE_CHART, made):
        chart = read_chart(path)
        fast = joblog._overdue(chart, as_of)
        every = stages.contact_steps
        monkeypatch.setattr(stages, "contact_steps", lambda c, today, wanted=None: every(c, today))
        assert joblog._overdue(chart, as_of) == fast
        monkeypatch.setattr(stages, "contact_steps", every)
        assert fast or as_of < dt.date(2026, 11, 10)
