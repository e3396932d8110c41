"""``chart agenda``: overdue, due today and this week, with the draft command for each step."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import contact, run, write_chart
from workbook_tool.agenda import build_agenda
from workbook_tool.stages import contact_steps
from workbook_tool.create import new_workbook
from workbook_tool.workbook import read_chart

TODAY = dt.date(2026, 11, 25)
CLOSED = ("Elena Petrova", "Grace Liu")


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.xlsx"
    new_workbook(sample=True).save(path)
    return path


def names(agenda, group):
    return [item.name for item in agenda.groups[group]]


# --------------------------------------------------------------------------- library


def test_groups_on_the_sample(sample):
    agenda = build_agenda(read_chart(sample), TODAY)
    # Most late first.
    assert names(agenda, "overdue") == ["Sue Miller", "Maria Chen", "Hiro Tanaka", "Priya Natarajan"]
    assert [i.days_late for i in agenda.groups["overdue"]] == [6, 5, 2, 1]
    # Hiro's follow-up went unanswered: the other channel, not a second follow-up.
    # Maria Chen hears how it went with Ann Lee, whom she referred you to.
    assert [i.kind for i in agenda.groups["overdue"]] == ["thank-you", "report-back", "call", "follow-up"]
    assert set(names(agenda, "today")) == {"Isabel Grant", "Olivia Park", "Carlos Diaz", "David Kim"}
    assert all(i.days_late == 0 and i.due == TODAY for i in agenda.groups["today"])
    assert names(agenda, "week") == ["Frank Osei", "Bob Roe"]
    bob = agenda.groups["week"][1]
    assert bob.due == dt.date(2026, 12, 2) and bob.kind == "call" and bob.stage == "Meeting scheduled"


def test_closed_and_far_off_contacts_never_show(sample):
    agenda = build_agenda(read_chart(sample), TODAY)
    shown = {i.name for items in agenda.groups.values() for i in items}
    assert not shown & set(CLOSED)
    # Thanked contacts keep in touch in January: not this week (Maria Chen has a report-back due: overdue).
    assert "Ann Lee" not in shown


def test_meeting_today_is_due_today(sample):
    agenda = build_agenda(read_chart(sample), TODAY)
    isabel = next(i for i in agenda.groups["today"] if i.name == "Isabel Grant")
    assert isabel.action == "Prepare your presentation and questions for the meeting today"
    assert isabel.command == f"chart draft {sample} --kind call --to 'Isabel Grant'"


def test_steps_match_sync(sample):
    """The agenda's steps are the ones chart sync writes into Next Step."""
    from workbook_tool.sync import plan_sync
    from workbook_tool.grids import read_grids
    from workbook_tool.workbook import chart_from_grids

    grids = read_grids(sample)
    chart = chart_from_grids(sample, grids)
    planned = plan_sync(chart, grids, TODAY).steps
    ours = contact_steps(chart, TODAY)
    assert len(ours) == len(chart.contacts.rows)
    for row, step in ours:
        assert planned[row.number] == step, row.text("name")


def test_ann_lees_step_names_her_pending_referral(sample):
    steps = {row.text("name"): step for row, step in contact_steps(read_chart(sample), TODAY)}
    assert "Olivia Park" in steps["Ann Lee"].action


def test_not_contacted_is_due_on_the_given_day(sample):
    later = TODAY + dt.timedelta(days=3)
    agenda = build_agenda(read_chart(sample), later)
    assert "David Kim" in names(agenda, "today")
    assert all(i.due == later for i in agenda.groups["today"])


def test_a_row_without_dates_of_a_chart_never_synced(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", rows=[
        contact(name="Ann Lee", email="ann@example.org", channel="Email", contacted_on=dt.date(2026, 11, 10)),
    ])
    agenda = build_agenda(read_chart(path), TODAY)
    assert names(agenda, "overdue") == ["Ann Lee"]
    assert agenda.groups["overdue"][0].days_late == 8


# --------------------------------------------------------------------------- command line


def test_cli_text(sample):
    result = run("agenda", sample, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Agenda for Wednesday 2026-11-25")
    assert out.index("Overdue (4)") < out.index("Due today (4)") < out.index("This week (2)")
    assert "Sue Miller (row 6): Send a thank-you that names something helpful (6 days late)" in out
    assert "Priya Natarajan (row 8): Follow up if no reply (last contact 2026-11-17) (1 day late)" in out
    assert f"chart draft {sample} --kind thank-you --to 'Sue Miller'" in out
    assert "(Wed 2026-12-02, in 7 days)" in out
    for name in CLOSED:
        assert name not in out


def test_cli_json_is_stable(sample):
    result = run("agenda", sample, "--today", "2026-11-25", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["today"] == "2026-11-25" and data["week_end"] == "2026-12-02"
    assert [g["key"] for g in data["groups"]] == ["overdue", "today", "week"]
    assert [g["title"] for g in data["groups"]] == ["Overdue", "Due today", "This week"]
    first = data["groups"][0]["items"][0]
    assert first == {
        "row": 6, "name": "Sue Miller", "stage": "Met, not thanked",
        "action": "Send a thank-you that names something helpful", "due": "2026-11-19", "days_late": 6,
        "kind": "thank-you", "command": f"chart draft {sample} --kind thank-you --to 'Sue Miller'",
    }
    every = [i["name"] for g in data["groups"] for i in g["items"]]
    assert len(every) == 10 and not set(every) & set(CLOSED)


def test_empty_agenda(tmp_path):
    path = write_chart(tmp_path / "quiet.xlsx", rows=[
        contact(name="Elena Petrova", email="elena@example.org", status="Done"),
        contact(name="Grace Liu", email="grace@example.org", status="Declined", contacted_on="2026-11-03"),
    ])
    result = run("agenda", path, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Nothing due from 2026-11-25 to 2026-12-02")
    assert len(result.stdout.splitlines()) == 1
    data = json.loads(run("agenda", path, "--today", "2026-11-25", "--json").stdout)
    assert [g["items"] for g in data["groups"]] == [[], [], []]


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "25/11/2026", ""])
def test_bad_today(sample, bad):
    result = run("agenda", sample, "--today", bad)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --today {bad!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.\n")
    assert result.stdout == ""


def test_missing_chart(tmp_path):
    result = run("agenda", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "no such file" in lines[0]
    assert "Traceback" not in result.output


def test_help():
    result = run("agenda", "-h")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "--today" in result.stdout and "--json" in result.stdout


def test_the_agenda_of_the_sample_chart_imports_no_library_it_does_not_use():
    # On a person's chart the imports are most of agenda's time (issue 16): addresses of the plain shape
    # need no email-validator, names before a comma no phonenumbers, and nothing is rendered or written.
    import os
    import subprocess
    import sys

    from tests.conftest import REPO, SAMPLE_CHART

    script = ("import sys\nfrom workbook_tool.cli import cli\n"
              "try:\n    cli(sys.argv[1:], prog_name='chart')\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in ('email_validator', 'jinja2', 'openpyxl', 'pandas', 'phonenumbers', 'lxml')"
              " if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script, "agenda", str(SAMPLE_CHART), "--today", TODAY.isoformat()],
                            capture_output=True, text=True, timeout=120, cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("today", [dt.date(2026, 3, 2), dt.date(2026, 11, 25), dt.date(2027, 2, 1)])
def test_each_group_holds_its_due_steps_latest_first_then_in_chart_order(tmp_path, today):
    # On a generated chart (thousands of steps, many due on the same day): every open step due by a week
    # from today is in its group, the overdue ones the latest first, equal days in chart order.
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "generate", Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    made = tmp_path / "generated.xlsx"
    generate.generate(1500, made, seed=7)
    chart = read_chart(made)
    expected = {"overdue": [], "today": [], "week": []}
    for row, step in contact_steps(chart, today):
        if step.closed or step.waiting or step.due is None or not step.action:
            continue
        late = (today - step.due).days
        group = "overdue" if late > 0 else "today" if late == 0 else "week" if -late <= 7 else None
        if group:
            expected[group].append((step.due, row.number))
    agenda = build_agenda(chart, today)
    for group, items in agenda.groups.items():
        assert [(item.due, item.row) for item in items] == sorted(expected[group])
    assert len(agenda.groups["overdue"]) > 100 and len({i.due for i in agenda.groups["overdue"]}) > 10


# --------------------------------------------------------------------------- the agenda's steps, proven


from dataclasses import replace  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from workbook_tool import schema  # noqa: E402
from workbook_tool.people import People  # noqa: E402
from workbook_tool.stages import next_step, pending_referrals, referred_index, unreported_meetings  # noqa: E402
from workbook_tool.workbook import Chart, Profile, Row, Table  # noqa: E402

_NAMES = ["Ann Lee", "ann lee", "Lee, Ann", "Bob Roe", "Dr. Bob Roe", "Chloé Dubois", "?", "  ", None]
_DAYS = st.one_of(st.none(), st.dates(dt.date(2025, 9, 1), dt.date(2027, 3, 1)),
                  st.sampled_from(["2026-11-20", "11/20", "Nov 3", "sometime in Oct", "2026-13-01", " ", 46000,
                                   46000.0, "3/4/2026", "next Tuesday"]))
_ROWS = st.fixed_dictionaries({
    "name": st.sampled_from(_NAMES),
    "status": st.sampled_from([None, "Done", "no reply", " Declined ", "On Hold", "Waiting", ""]),
    "channel": st.sampled_from([None, "Call", "Email", "e-mail", "CALL", "Fax", ""]),
    "email": st.sampled_from([None, "ann@fabrikam.org", "ann@fabrikam", "mailto:bob@x.org", "not an address", " "]),
    "phone": st.sampled_from([None, "617-555-0142", "+44 20 7946 0958", " ", 6175550142]),
    "contacted_on": _DAYS, "meeting_on": _DAYS, "thanked_on": _DAYS, "followed_up_on": _DAYS,
    "replied_on": _DAYS, "try_again_on": _DAYS,
    "recommended": st.sampled_from([None, "Ann Lee", "Bob Roe <bob@x.org>; Zed Quux, 617-555-0199",
                                    "Chloé Dubois\n?"]),
    "referred_by": st.sampled_from([None, *_NAMES]),
    "helpful": st.sampled_from([None, "", "the dashboard tip"]),
})
_PROFILES = st.fixed_dictionaries({
    "region": st.sampled_from([None, "US", "gb", "XX"]),
    "follow_up_days": st.sampled_from([None, 3, "10", "x", -1, 2.5]),
    "thank_you_days": st.sampled_from([None, 0, "2"]),
    "keep_in_touch_days": st.sampled_from([None, 30, "90"]),
    "meeting_length": st.sampled_from([None, "half an hour"]),
})


@settings(max_examples=400, deadline=None)
@given(st.lists(_ROWS, min_size=1, max_size=8), _PROFILES,
       st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 31)))
def test_the_agenda_steps_are_next_steps_without_their_reminders(values, profile_values, today):
    # The agenda asks contact_steps for steps without reminders (remind=False), the Profile read once
    # a chart: each is next_step's, asked the general way for that one row, minus its reminders.
    rows = [Row(n, v) for n, v in enumerate(values, start=2)]
    profile = Profile(values=profile_values)
    columns = {c.key: i for i, c in enumerate(schema.CONTACTS.columns, start=1)}
    table = Table(schema.CONTACTS, "Contacts", 1, columns, {}, rows, len(rows) + 1, len(columns))
    chart = Chart("chart.xlsx", ["Contacts"], table, profile)
    region = profile.region
    people, referred = People.of_rows(rows, region), referred_index(rows)
    expected = []
    for row in rows:
        pending = report_back = ()
        if row.values.get("thanked_on") is not None:
            pending = pending_referrals(row, people, region)
            report_back = unreported_meetings(row, referred, region, today)
        expected.append(next_step(row, Profile(values=profile_values), today, pending, report_back))
    assert [step for _, step in contact_steps(chart, today)] == expected
    assert [step for _, step in contact_steps(chart, today, remind=False)] == [replace(s, reminders=()) for s in
                                                                                 expected]
