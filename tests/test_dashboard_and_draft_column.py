"""What ``chart sync`` adds beyond the stage columns: the Draft column of mailto links
(issue 4, item 5) and the Dashboard sheet with its native chart (issue 5, item 4)."""

from __future__ import annotations

import urllib.parse
import zipfile

from conftest import run
from libreoffice import lo, pdf_page_size, pdf_text  # noqa: F401  (lo registers the fixture)
from openpyxl import load_workbook
from sync_fixtures import TODAY_ARG, sample_chart

from workbook_tool.kinds import LABEL_LIMIT
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
    # A short label in the cell, the whole email in the link behind it.
    assert carlos.value == "Email Carlos"
    link = carlos.hyperlink.target
    assert link.startswith("mailto:carlos.diaz@woodgrovebank.com?subject=")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["subject"] == ["Sue Miller suggested I contact you"]
    assert "not asking you for a job" in query["body"][0]
    sue = rows["Sue Miller"]["Draft"]
    assert sue.value == "Thank Sue by email"
    thank_you = urllib.parse.parse_qs(urllib.parse.urlsplit(sue.hyperlink.target).query)
    assert "how to lead my resume with outcomes instead of tools" in thank_you["body"][0]
    for name, row in rows.items():
        cell = row["Draft"]
        assert cell.value is None or len(cell.value) <= LABEL_LIMIT, name
        assert (cell.value is None) == (cell.hyperlink is None), name
        assert cell.hyperlink is None or len(cell.hyperlink.target) <= MAILTO_LIMIT, name
    # Calls, meetings ahead and closed contacts get no email link.
    for name in ("David Kim", "Bob Roe", "Isabel Grant", "Elena Petrova", "Grace Liu", "Frank Osei"):
        assert rows[name]["Draft"].value is None, name


def test_a_long_name_is_shortened_in_the_label_but_not_in_the_email(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    ws = wb["Contacts"]
    name_col = [c.value for c in ws[1]].index("Name") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, name_col).value == "Carlos Diaz")
    name = "Wolfeschlegelsteinhausenbergerdorffvoralternwaren Diaz"
    ws.cell(row, name_col).value = name
    wb.save(path)
    assert sync(path).exit_code == 0
    cell = contacts_by_name(path)[name]["Draft"]
    assert len(cell.value) == LABEL_LIMIT and cell.value.startswith("Email Wolfeschlegel") and cell.value.endswith("…")
    assert "Wolfeschlegelsteinhausenbergerdorffvoralternwaren" in urllib.parse.unquote(cell.hyperlink.target)


def test_a_draft_cut_to_fit_the_link_is_said_in_comments(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    ws = wb["Contacts"]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1 + headers.index("Name")).value == "Carlos Diaz")
    # A long Personal Note opens the outreach: the email no longer fits in a link.
    ws.cell(row, 1 + headers.index("Personal Note")).value = "We worked together for years on the data team. " * 40
    wb.save(path)
    assert sync(path).exit_code == 0
    rows = contacts_by_name(path)
    carlos = rows["Carlos Diaz"]
    assert len(carlos["Draft"].hyperlink.target) <= MAILTO_LIMIT
    assert urllib.parse.unquote(carlos["Draft"].hyperlink.target).endswith(" …")
    assert ("the Draft link holds the start of the outreach only (mail programs take links of up to 2,000 "
            "characters): chart draft") in carlos["Comments"].value
    assert "--kind outreach --to 'Carlos Diaz' writes it whole" in carlos["Comments"].value
    # The others' drafts fit: nothing said.
    assert "Draft link" not in (rows["Olivia Park"]["Comments"].value or "")


def test_a_cut_link_is_restored_by_the_next_sync(tmp_path):
    """What LibreOffice does to every Draft link on save (cuts it to 255 characters, keeps the text),
    done here by hand: the next sync compares the link, not only the label, and writes it whole again."""
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    whole = contacts_by_name(path)["Carlos Diaz"]["Draft"].hyperlink.target
    wb = load_workbook(path)
    for row in wb["Contacts"].iter_rows(min_row=2):
        for cell in row:
            if cell.hyperlink is not None and cell.hyperlink.target.startswith("mailto:"):
                cell.hyperlink = cell.hyperlink.target[:255]
    wb.save(path)
    result = sync(path)
    assert result.exit_code == 0 and "already up to date" not in result.output, result.output
    assert contacts_by_name(path)["Carlos Diaz"]["Draft"].hyperlink.target == whole
    assert "already up to date" in sync(path).output


def test_draft_links_written_before_labels_become_labels(tmp_path):
    """A chart synced by an earlier chart holds the link itself as the cell's text."""
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    for row in wb["Contacts"].iter_rows(min_row=2):
        for cell in row:
            if cell.hyperlink is not None and cell.hyperlink.target.startswith("mailto:"):
                cell.value = cell.hyperlink.target
    wb.save(path)
    assert contacts_by_name(path)["Carlos Diaz"]["Draft"].value.startswith("mailto:")
    assert sync(path).exit_code == 0
    assert contacts_by_name(path)["Carlos Diaz"]["Draft"].value == "Email Carlos"


def test_libreoffice_save_cuts_draft_links_and_sync_restores_them(tmp_path, lo):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    before = {name: (row["Draft"].value, row["Draft"].hyperlink and row["Draft"].hyperlink.target)
              for name, row in contacts_by_name(path).items()}
    saved = lo.convert(path, "xlsx", tmp_path / "lo")
    cut = {name: (row["Draft"].value, row["Draft"].hyperlink and row["Draft"].hyperlink.target)
           for name, row in contacts_by_name(saved).items()}
    # What LibreOffice does: the label stays, the link is cut to 255 characters.
    assert cut["Carlos Diaz"][0] == "Email Carlos"
    assert len(before["Carlos Diaz"][1]) > 255 and len(cut["Carlos Diaz"][1]) <= 255
    result = sync(saved)
    assert result.exit_code == 0 and "already up to date" not in result.output, result.output
    after = {name: (row["Draft"].value, row["Draft"].hyperlink and row["Draft"].hyperlink.target)
             for name, row in contacts_by_name(saved).items()}
    assert after == before
    assert "already up to date" in sync(saved).output


def test_the_printed_contacts_sheet_shows_labels_not_links(tmp_path, lo):
    """Printed (to PDF, by LibreOffice), the synced chart is landscape and its Draft cells read "Email
    Carlos": before labels, each was a wall of mailto:…%20… text."""
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    pdf = lo.convert(path, "pdf", tmp_path / "pdf")
    width, height = pdf_page_size(pdf)
    assert width > height
    text = pdf_text(pdf)
    assert "Email Carlos" in text and "Thank Sue by email" in text
    assert "mailto" not in text and "%20" not in text


def test_sync_wraps_the_long_text_it_writes(tmp_path):
    """Next Step and Comments wrap inside their columns (as Notes does), on the example chart and on a
    hand-made one whose tool columns sync adds."""
    from conftest import write_chart

    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    sue = contacts_by_name(path)["Sue Miller"]
    for header in ("Next Step", "Comments", "Notes"):
        assert sue[header].value and sue[header].alignment.wrap_text, header
    hand_made = write_chart(tmp_path / "mine.xlsx", ["Name", "Email", "Contacted On"],
                            [["Ann Lee", "ann@fabrikam.org", None]])
    assert sync(hand_made).exit_code == 0
    ann = contacts_by_name(hand_made)["Ann Lee"]
    assert ann["Next Step"].value and ann["Next Step"].alignment.wrap_text
    assert not ann["Stage"].alignment.wrap_text  # short words stay on one line


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
    assert rows["Sue Miller"]["Draft"].hyperlink.target.startswith("mailto:sue.miller@")


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
