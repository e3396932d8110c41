"""``kinds.py``: the kinds of draft, declared once, and read by every module that deals with one.

The table says which steps call for a kind, which files hold its template, which file a
draft becomes, which checker rules hold, and how the calendar words its reminders; these
tests hold the commands to it, and hold the package to spelling a kind's name only there.
"""

from __future__ import annotations

import ast
import shlex
import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import contact, run
from workbook_tool import kinds, schema, stages
from workbook_tool.cli import cli
from workbook_tool.workbook import read_chart

PACKAGE = Path(kinds.__file__).resolve().parent
DAY = dt.date(2026, 11, 25)
TODAY = "2026-11-25"


def test_kind_names_are_spelled_only_in_the_table():
    # Every other module reads kinds.py: a string literal equal to a kind's name anywhere
    # else is a second spelling of it (docstrings and messages in prose are not literals of it).
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "kinds.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in kinds.NAMES:
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def test_the_draft_command_offers_the_kinds_of_the_table():
    option = next(p for p in cli.commands["draft"].params if p.name == "kind")
    assert tuple(option.type.choices) == kinds.NAMES == ("outreach", "call", "thank-you", "follow-up", "report-back")
    assert option.default == kinds.OUTREACH
    assert option.help == ("What to draft: an outreach email, a call sheet, a thank-you, a follow-up or a "
                           "report-back.")
    result = run("draft", "chart.xlsx", "--kind", "letter")
    assert result.exit_code == 2
    assert "'letter' is not one of 'outreach', 'call', 'thank-you', 'follow-up', 'report-back'." in result.stderr


def test_every_kind_has_its_packaged_template_and_the_files_a_folder_may_hold():
    from workbook_tool.precompiled import FILE_NAME  # beside them: their compiled code (precompiled.py)

    folder = PACKAGE / "templates"
    assert sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != FILE_NAME) == sorted(
        k.packaged for k in kinds.KINDS)
    assert (folder / FILE_NAME).is_file()
    for kind in kinds.KINDS:
        assert kind.packaged in kind.files
        assert all(name.startswith(kind.name + ".") for name in (kind.packaged, *kind.files))
        assert kind.file_type == ("eml" if kind.email else "md")


@pytest.mark.parametrize("text, name", [("Outreach", "outreach"), ("first email", "outreach"),
                                        ("Call Script", "call"), ("Thank You", "thank-you"),
                                        ("thank-you note", "thank-you"), ("Keep in touch", "follow-up"),
                                        ("FOLLOWUP", "follow-up"), ("letter", None), ("", None), (None, None)])
def test_a_templates_sheet_name_means_a_kind(text, name):
    found = kinds.named(text)
    assert (found.name if found else None) == name


def test_every_rule_a_kind_names_is_the_checkers():
    assert set(kinds.RULES) == {rule for kind in kinds.KINDS for rule in kind.checks}
    from workbook_tool import checker

    # The call sheet is held to the guide's points only; a long one is fine (it is notes for a call).
    body = "Dear Ann,\n\n" + "word " * 200 + "\n"
    assert [f.code for f in checker.check_text(kinds.CALL, body, {}, checker.GUIDE)] == [
        "no-job-status", "no-position", "no-why", "no-meeting-length", "no-not-asking"]
    assert [f.code for f in checker.check_text(kinds.FOLLOW_UP, body, {}, checker.GUIDE)] == ["too-long"]
    assert [f.code for f in checker.check_text(kinds.THANK_YOU, body, {}, checker.GUIDE)] == ["no-helpful",
                                                                                           "too-long"]


# One row per stage (and per Channel where it decides), with the kind the table says it calls for.
STEPS = [
    (dict(channel="Email"), schema.NOT_CONTACTED, "outreach", "Email Ann Lee"),
    (dict(channel=None), schema.NOT_CONTACTED, "outreach", "Reach out to Ann Lee"),
    (dict(channel="call"), schema.NOT_CONTACTED, "call", "Call Ann Lee"),
    (dict(channel="Email", contacted_on=dt.date(2026, 11, 10)), schema.AWAITING_REPLY, "follow-up",
     "Follow up with Ann Lee"),
    (dict(channel="Call", contacted_on=dt.date(2026, 11, 10)), schema.AWAITING_REPLY, "call", "Call Ann Lee"),
    (dict(channel="Call", contacted_on=dt.date(2026, 11, 10), meeting_on=dt.date(2026, 12, 1)),
     schema.MEETING_SCHEDULED, "call", None),
    (dict(channel="Call", meeting_on=dt.date(2026, 11, 20)), schema.MET, "thank-you", "Thank-you to Ann Lee"),
    (dict(channel="Email", meeting_on=dt.date(2026, 11, 20), thanked_on=dt.date(2026, 11, 21)), schema.THANKED,
     "follow-up", "Keep in touch with Ann Lee"),
    (dict(channel="Email", status="Declined"), "Declined", None, None),
]


@pytest.fixture(scope="module")
def steps_chart(tmp_path_factory) -> Path:
    from sync_fixtures import simple_chart

    rows = [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", **values) for values, *_ in STEPS]
    return simple_chart(tmp_path_factory.mktemp("kinds") / "chart.xlsx", rows)


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_each_stage_calls_for_the_kind_the_table_names(steps_chart, index):
    values, stage, kind, _ = STEPS[index]
    chart = read_chart(steps_chart)
    step = stages.next_step(chart.contacts.rows[index], chart.profile, DAY)
    assert (step.stage, step.kind) == (stage, kind)
    assert step.kind == kinds.called_for(stage, schema.normalize_header(values["channel"]))
    if kind is not None:
        assert stage in kinds.get(kind).stages


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_the_calendar_words_each_reminder_as_the_table_says(steps_chart, index, tmp_path):
    from workbook_tool.ics import MEETING, calendar_items

    values, stage, kind, title = STEPS[index]
    chart = read_chart(steps_chart)
    reminders = [i.summary for i in calendar_items(chart, DAY) if i.row == index + 2 and i.kind != MEETING]
    assert reminders == ([title] if title else [])
    if title:
        assert kinds.get(kind).reminder(stage, values["channel"], "Ann Lee") == title


def test_a_follow_up_waits_for_its_day_and_the_others_do_not():
    assert [k.name for k in kinds.KINDS if k.when_due] == [kinds.FOLLOW_UP]


def test_one_of_names_the_choices():
    assert kinds.one_of(["a"]) == "a"
    assert kinds.one_of(["a", "b"]) == "a or b"
    assert kinds.one_of(iter(["a", "b", "c"])) == "a, b or c"


def test_draft_command_quotes_for_a_shell(tmp_path):
    command = kinds.draft_command(tmp_path / "my chart.xlsx", "follow-up", "Sean O'Brien")
    assert shlex.split(command) == ["chart", "draft", str(tmp_path / "my chart.xlsx"), "--kind", "follow-up",
                                    "--to", "Sean O'Brien"]
    assert kinds.draft_command("c.xlsx", None, "Ann") is None
    assert kinds.draft_command("c.xlsx", "call", "") is None


def test_every_email_kind_has_a_short_label_the_tool_knows_as_its_own():
    for kind in kinds.KINDS:
        if not kind.email:
            assert kind.label == "", kind.name
            continue
        label = kind.link_label("Olivia")
        assert "Olivia" in label and len(label) <= kinds.LABEL_LIMIT and kinds.is_link_label(label), label
        long = kind.link_label("Wolfeschlegelsteinhausenbergerdorffvoralternwaren")
        assert len(long) == kinds.LABEL_LIMIT and long.rstrip(")").find("…") > 0 and kinds.is_link_label(long), long
    assert kinds.get(kinds.OUTREACH).link_label("Olivia") == "Email Olivia"
    for text in ("my own wording for Carlos", "Emailed on Monday", "", None, 42):
        assert not kinds.is_link_label(text), text
