"""What ``chart sync`` adds beyond the stage columns: the Draft column of mailto links
(issue 4, item 5) and the Dashboard sheet with its native chart (issue 5, item 4)."""

from __future__ import annotations

import urllib.parse
import zipfile

from conftest import run
from libreoffice import lo  # noqa: F401  (registers the fixture)
from openpyxl import load_workbook
from sync_fixtures import TODAY_ARG, sample_chart

from workbook_tool.mailto import MAILTO_LIMIT


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def contacts_by_name(path) -> dict[str, dict]:
    ws = load_workbook(path)["Contacts"]
    headers = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2):
        values = dict(zip(headers, row))
        if values["Name"].value:
            out[values["Name"].value] = values
    return out


# --------------------------------------------------------------------------- Draft column


def test_draft_column_links_the_next_email_for_email_contacts(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    rows = contacts_by_name(path)
    carlos = rows["Carlos Diaz"]["Draft"]
    assert carlos.value.startswith("mailto:carlos.diaz@woodgrovebank.com?subject=")
    assert carlos.hyperlink is not None and carlos.hyperlink.target == carlos.value
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(carlos.value).query)
    assert query["subject"] == ["Sue Miller suggested I contact you"]
    assert "not asking you for a job" in query["body"][0]
    thank_you = urllib.parse.parse_qs(urllib.parse.urlsplit(rows["Sue Miller"]["Draft"].value).query)
    assert "how to lead my resume with outcomes instead of tools" in thank_you["body"][0]
    for name, row in rows.items():
        link = row["Draft"].value
        assert link is None or len(link) <= MAILTO_LIMIT, name
    # Calls, meetings ahead and closed contacts get no email link.
    for name in ("David Kim", "Bob Roe", "Isabel Grant", "Elena Petrova", "Grace Liu", "Frank Osei"):
        assert rows[name]["Draft"].value is None, name


def test_broken_templates_sheet_leaves_draft_blank_and_says_so(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    ws = wb.create_sheet("Templates")
    ws.append(["Name", "Subject", "Body"])
    ws.append(["outreach", "Hello", "Dear {{ contact.nmae }"])
    wb.save(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("Draft column left blank")]
    assert len(notes) == 1 and notes[0].startswith("Draft column left blank for outreach emails: "), notes
    rows = contacts_by_name(path)
    # Outreach links are blank; the other kinds' templates still work.
    assert rows["Carlos Diaz"]["Draft"].value is None and rows["Olivia Park"]["Draft"].value is None
    assert rows["Carlos Diaz"]["Stage"].value == "Not contacted"
    assert rows["Sue Miller"]["Draft"].value.startswith("mailto:sue.miller@")


# --------------------------------------------------------------------------- Dashboard


def dashboard(path) -> list[tuple]:
    ws = load_workbook(path)["Dashboard"]
    return [tuple(v for v in row) for row in ws.iter_rows(values_only=True)]


def block(rows, header: str) -> dict:
    """The two-column block whose header cell is ``header``: label → first value."""
    for r, row in enumerate(rows):
        if header in row:
            c = row.index(header)
            out = {}
            for later in rows[r + 1:]:
                if c >= len(later) or later[c] is None:
                    break
                out[later[c]] = later[c + 1]
            return out
    raise AssertionError(f"no {header!r} block")


def test_dashboard_counts_the_sample(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    result = sync(path)
    assert "Dashboard sheet rebuilt." in result.stdout.splitlines()
    rows = dashboard(path)
    assert rows[0][0].startswith("Job search dashboard")
    assert block(rows, "Stage") == {"Not contacted": 3, "Awaiting reply": 3, "Replied": 0, "Meeting scheduled": 2,
                                    "Met, not thanked": 1, "Thanked": 2, "Declined": 1, "No Reply": 0,
                                    "On Hold": 0, "Done": 1}
    measures = block(rows, "Measure")
    assert measures["Contacts"] == 13
    assert measures["Contacted"] == 10
    assert measures["Meetings held"] == 4  # Isabel Grant's meeting is today: not held yet
    assert measures["Thank-yous on time"] == "3 of 4"  # Sue Miller's is overdue
    assert measures["Referrals gained"] == 4
    assert measures["Steps overdue"] == 4  # Sue Miller, Maria Chen (a report-back), Hiro Tanaka, Priya Natarajan
    sources = block(rows, "Source")
    assert sources == {"Own": 4, "Family": 2, "Friend": 3, "Referral": 4}
    wb = load_workbook(path)
    assert len(wb["Dashboard"]._charts) == 1


def test_dashboard_is_rebuilt_only_when_numbers_change(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    data = path.read_bytes()
    assert "already up to date" in sync(path).stdout
    assert path.read_bytes() == data
    # A thank-you sent changes the counts: the dashboard follows.
    wb = load_workbook(path)
    wb["Contacts"]["M6"] = wb["Contacts"]["L6"].value  # Sue Miller thanked the day of the meeting
    wb.save(path)
    assert "Dashboard sheet rebuilt." in sync(path).stdout.splitlines()
    assert block(dashboard(path), "Measure")["Thank-yous on time"] == "4 of 4"


def test_a_users_own_dashboard_sheet_is_refused(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    wb.create_sheet("Dashboard").append(["My numbers", 42])
    wb.save(path)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path}: sheet 'Dashboard': a sheet named \"Dashboard\" holds your own data, but chart sync "
        "rebuilds the Dashboard sheet on every run. Rename your sheet and sync again.")
    assert path.read_bytes() == data


def test_libreoffice_opens_the_dashboard_with_its_chart(tmp_path, lo):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    pdf = lo.convert(path, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    # Saved again by LibreOffice, the workbook still has a chart on its Dashboard: LibreOffice read it.
    saved = lo.convert(path, "xlsx", tmp_path / "lo")
    with zipfile.ZipFile(saved) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert charts, zf.namelist()
        xml = zf.read(charts[0]).decode()
    assert "Dashboard" in xml and "barChart" in xml
    assert load_workbook(saved)["Dashboard"]["A4"].value == "Not contacted"


def test_a_users_own_draft_column_is_refused_not_overwritten(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    ws = wb["Contacts"]
    draft = next(c for c in ws[1] if c.value == "Draft")
    ws.cell(7, draft.column).value = "my own wording for Carlos"
    wb.save(path)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f'Error: {path}: Contacts!{draft.column_letter}1: your column "Draft" holds your own text '
        f'({draft.column_letter}7: "my own wording for Carlos"), but chart sync rewrites Draft on every run. '
        'Rename your column (for example to "My Draft") and sync again.')
    assert path.read_bytes() == data
