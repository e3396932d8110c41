"""The committed sample_chart.xlsx: what ``chart init --sample`` makes, and a clean, realistic example."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.conftest import SAMPLE_CHART, cells, problems, run
from workbook_tool import sample
from workbook_tool.fields import name_key
from workbook_tool.workbook import read_chart

REGENERATE = "sample_chart.xlsx is stale; remake it with: chart init --sample --force sample_chart.xlsx"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    result = run("init", path, "--sample")
    assert result.exit_code == 0, result.output
    return path


def test_sample_file_is_committed():
    assert SAMPLE_CHART.is_file()


def test_sample_equals_what_init_sample_makes(made):
    assert load_workbook(SAMPLE_CHART).sheetnames == load_workbook(made).sheetnames, REGENERATE
    committed, fresh = cells(SAMPLE_CHART), cells(made)
    for sheet in fresh:
        assert committed[sheet] == fresh[sheet], f"{sheet}: {REGENERATE}"


def test_sample_keeps_init_layout(made):
    committed, fresh = load_workbook(SAMPLE_CHART), load_workbook(made)
    for ws in fresh.worksheets:
        old = committed[ws.title]
        assert old.freeze_panes == ws.freeze_panes, ws.title
        assert old.auto_filter.ref == ws.auto_filter.ref, ws.title
        assert ({k: (d.width, d.number_format) for k, d in old.column_dimensions.items()}
                == {k: (d.width, d.number_format) for k, d in ws.column_dimensions.items()}), ws.title
        assert ([(str(v.sqref), v.formula1) for v in old.data_validations.dataValidation]
                == [(str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation]), ws.title


def test_sample_validates_clean():
    result = run("validate", SAMPLE_CHART)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == f"{SAMPLE_CHART}: {len(sample.CONTACTS)} contacts, 0 errors, 0 warnings.\n"
    assert problems(SAMPLE_CHART) == []


def test_sample_has_about_a_dozen_contacts_from_every_network():
    chart = read_chart(SAMPLE_CHART)
    rows = chart.contacts.rows
    assert 10 <= len(rows) <= 16
    assert {r.text("source") for r in rows} == {"Own", "Family", "Friend", "Referral"}
    for row in rows:
        if row.text("source") in ("Family", "Friend"):
            assert row.text("via"), f"{row.text('name')} has no Via"
        assert row.text("phone") or row.text("email")


def referral_chain(rows, person: str) -> list[str]:
    by_name = {name_key(r.text("name")): r for r in rows}
    chain = [person]
    while (referrer := by_name[name_key(chain[0])].text("referred_by")):
        chain.insert(0, referrer)
    return chain


def test_sample_referral_chains():
    rows = read_chart(SAMPLE_CHART).contacts.rows
    assert referral_chain(rows, "Bob Roe") == ["Maria Chen", "Ann Lee", "Bob Roe"]
    assert referral_chain(rows, "Carlos Diaz") == ["Sue Miller", "Carlos Diaz"]
    # Each referral is also in the referrer's Recommended cell.
    by_name = {r.text("name"): r for r in rows}
    assert "Ann Lee" in by_name["Maria Chen"].text("recommended")
    assert "Bob Roe" in by_name["Ann Lee"].text("recommended")
    assert "Carlos Diaz" in by_name["Sue Miller"].text("recommended")


def test_sample_profile_is_complete():
    profile = read_chart(SAMPLE_CHART).profile
    for key in ("your_name", "your_email", "your_phone", "job_status", "expertise", "seeking", "why_searching",
                "signature"):
        assert profile.text(key), key
    assert profile.region == "US"
    assert (profile.days("follow_up_days"), profile.days("thank_you_days"), profile.days("keep_in_touch_days")) == (
        7, 1, 60)


def test_sample_dates_are_dates(made):
    ws = load_workbook(SAMPLE_CHART)["Contacts"]
    headers = [c.value for c in ws[1]]
    col = headers.index("Contacted On") + 1
    dated = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value]
    assert dated and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in dated)


def test_sample_want_to_meet():
    chart = read_chart(SAMPLE_CHART)
    assert chart.want_to_meet is not None
    assert len(chart.want_to_meet.rows) == len(sample.WANT_TO_MEET)
