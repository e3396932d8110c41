"""dashboard.py: the Dashboard is declared in schema.SHEETS like the other tool sheets, and drawn from it."""

from __future__ import annotations

from conftest import run
from openpyxl import load_workbook
from sync_fixtures import TODAY_ARG, sample_chart

from workbook_tool import schema
from workbook_tool.dashboard import HEADER_ROW


def test_the_dashboard_is_a_tool_sheet_of_the_schema():
    assert schema.DASHBOARD in schema.SHEETS
    assert schema.DASHBOARD.owner == schema.TOOL
    assert schema.REFERRALS.owner == schema.TOOL


def test_sync_lays_the_dashboard_out_as_declared(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert run("sync", path, "--today", TODAY_ARG).exit_code == 0
    ws = load_workbook(path)[schema.DASHBOARD.name]
    columns = schema.DASHBOARD.columns
    header = [ws.cell(HEADER_ROW, c).value for c in range(1, len(columns) + 1)]
    assert header == [c.header or None for c in columns]
    assert header == ["Stage", "Contacts", None, "Source", "Contacts", "Contacted", "Meetings", "Referrals gained",
                      None, "Measure", "Value", None]
    widths = [ws.column_dimensions[chr(64 + c)].width for c in range(1, len(columns) + 1)]
    assert widths == [c.width for c in columns]
