"""``chart report``'s pages as a person sees them: the HTML in a real Chromium (screenshot and print), and
the .xlsx in openpyxl and a real LibreOffice that saves it again with its chart."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import pytest
from browser import browser  # noqa: F401  (the fixture)
from libreoffice import lo  # noqa: F401  (the fixture)

from tests.conftest import SAMPLE_CHART, run
from workbook_tool import joblog, logpages

TODAY = "2026-11-25"
RANGE = ["--from", "2026-10-01", "--to", TODAY]
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLE_CHART, tmp_path / "sample_chart.xlsx")
    return tmp_path / "sample_chart.xlsx"


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _page(sample, tmp_path, *args) -> tuple:
    result = run("report", sample.name, "--today", TODAY, *args, "-o", "report.html")
    assert result.exit_code == 0, result.output
    report = joblog.job_report(sample, joblog.period(dt.date(2026, 11, 25), start=dt.date(2026, 10, 1)),
                               dt.date(2026, 11, 25))
    return tmp_path / "report.html", report


def test_the_page_renders_its_bars_and_tables_in_chromium(browser, sample, tmp_path):
    import numpy as np
    from PIL import Image

    page, report = _page(sample, tmp_path, *RANGE)
    png = browser.screenshot(page, tmp_path / "page.png", width=1000, height=1600)
    pixels = np.asarray(Image.open(png).convert("RGB"))
    assert (pixels != 255).any(axis=2).mean() > 0.05, "the page is (nearly) blank"
    # Every activity the period has is drawn as a bar in its own colour (taller than the legend's 12-pixel
    # squares, which show every colour); none that it lacks.
    drawn = {kind for kind, colour in zip(joblog.ACTIVITIES, logpages.COLOURS)
             if (pixels == _rgb(colour)).all(2).sum(axis=0).max() >= 15}
    assert drawn == {kind for kind in joblog.ACTIVITIES if report.weekly[kind].sum()}

    # The weekly chart is the first thing in "Contacted" blue from the top: one bar per week with contacts,
    # as tall as its count (1, 4, 1, 4 in the weeks of 19 Oct, 2 Nov, 9 Nov, 16 Nov).
    blue = (pixels == _rgb(logpages.COLOURS[0])).all(2)
    top = int(np.argmax(blue.any(axis=1)))
    band = blue[top:top + 300]
    columns = band.sum(axis=0)
    bars, x = [], 0
    while x < len(columns):
        if columns[x] >= 15:  # taller than a legend's square
            start = x
            while x < len(columns) and columns[x] >= 15:
                x += 1
            bars.append(int(columns[start:x].max()))
        x += 1
    counts = [int(n) for n in report.weekly["Contacted"] if n]
    assert len(bars) == len(counts) == 4
    unit = max(bars) / max(counts)
    assert [round(b / unit) for b in bars] == counts


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_the_page_prints_every_log_row_inside_the_paper(browser, sample, tmp_path, paper):
    page, report = _page(sample, tmp_path, *RANGE)
    if paper == "A4":
        # Chromium prints on Letter unless the page asks: a person printing on A4 gets A4's width.
        page.write_text(page.read_text().replace("@page {", "@page { size: A4;"), encoding="utf-8")
    pdf = browser.print_pdf(page, tmp_path / f"page-{paper}.pdf")
    pages, words = browser.pdf_words(pdf)
    width = {"Letter": 612, "A4": 595}[paper]
    assert {round(w) for w, _ in pages} == {width}
    assert 2 <= len(pages) <= 6
    # Nothing runs into or past the margins (14 mm each side, a little leeway for rounding).
    assert min(w[2] for w in words) >= 13 * MM
    assert max(w[3] for w in words) <= width - 13 * MM
    text = re.sub(r"\s+", " ", browser.pdf_text(pdf))
    assert "The log" in text and "Activities per week" in text and "Overdue on 2026-11-25" in text
    for _, row in report.log.iterrows():
        assert row["Date"].date().isoformat() in text
        assert row["Contact"] in text
    assert text.count("Referred you to") == 3


def test_the_xlsx_has_a_table_dates_and_a_native_chart(sample, tmp_path):
    from openpyxl import load_workbook
    from xlsx_lint import lint

    assert run("report", sample.name, "--today", TODAY, *RANGE, "-o", "report.xlsx").exit_code == 0
    path = tmp_path / "report.xlsx"
    assert lint(path) == []
    wb = load_workbook(path)
    log = wb["Log"]
    (table,) = log.tables.values()
    assert (table.displayName, table.ref) == ("JobSearchLog", "A1:H22")
    assert [c.value for c in log[1]] == list(joblog.LOG_COLUMNS)
    assert all(log.cell(row=r, column=1).is_date for r in range(2, 23))
    summary = wb["Summary"]
    (chart,) = summary._charts
    assert chart.grouping == "stacked" and len(chart.series) == len(joblog.ACTIVITIES)
    assert chart.series[0].val.numRef.f.replace("'", "") == "Summary!$B$6:$B$14"
    assert [summary.cell(row=5, column=c).value for c in range(1, 9)] == ["Week of", *joblog.WEEKLY_COLUMNS]
    assert all(summary.cell(row=r, column=1).is_date for r in range(6, 15))
    # By Source's reply rates are numbers a spreadsheet can sum and chart, shown as percentages.
    header = next(r for r in range(1, summary.max_row + 1) if summary.cell(row=r, column=4).value == "Reply rate")
    own = [c.value for c in summary[header + 1][:5]]
    assert own == ["Own", 3, 2, 0.67, 2] and summary.cell(row=header + 1, column=4).number_format == "0%"


@pytest.mark.libreoffice
def test_libreoffice_saves_the_report_again_with_its_chart(lo, sample, tmp_path):
    from openpyxl import load_workbook

    assert run("report", sample.name, "--today", TODAY, *RANGE, "-o", "report.xlsx").exit_code == 0
    saved = lo.convert(tmp_path / "report.xlsx", "xlsx", tmp_path / "lo")
    with zipfile.ZipFile(saved) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<c:barChart>" in xml and xml.count("<c:ser>") == len(joblog.ACTIVITIES)
    assert "Summary!$B$6:$B$14" in xml.replace("'", "")
    before, after = load_workbook(tmp_path / "report.xlsx"), load_workbook(saved)
    assert after.sheetnames == ["Log", "Summary"]

    def values(ws):
        return [[c.value for c in row] for row in ws.iter_rows(max_row=22, max_col=8)]

    assert values(after["Log"]) == values(before["Log"])


def test_the_terminal_log_is_printed_in_pieces_that_make_the_whole_text(sample, monkeypatch):
    # chart report prints a long log piece by piece (a year's log of 100,000 contacts is 80 MB held once,
    # not four times): what reaches the terminal is the one text, and so is what -o writes.
    report = joblog.job_report(sample, joblog.period(dt.date(2026, 11, 25), start=dt.date(2026, 1, 1)),
                               dt.date(2026, 11, 25))
    whole = "\n".join(logpages.text_lines(report)) + "\n"
    pieces = list(logpages.render_pieces(report, "text", lines_a_piece=3))
    assert len(pieces) > 3 and "".join(pieces) == whole == logpages.render(report, "text")
    printed = run("report", sample.name, "--from", "2026-01-01", "--today", TODAY)
    assert printed.exit_code == 0 and printed.stdout == whole
