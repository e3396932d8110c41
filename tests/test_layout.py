"""layout.py: the headers' look is defined once, and every writer dresses headers from it."""

from __future__ import annotations

from conftest import contact, run, write_chart
from openpyxl import load_workbook

from workbook_tool import layout, schema


def _look(cell) -> tuple:
    # Colours compared without their alpha byte: openpyxl writes 00, the patch writer FF, and both
    # Excel and LibreOffice ignore it in a cell's font and fill.
    return (cell.font.name, cell.font.sz, bool(cell.font.b), bool(cell.font.i), cell.font.color.rgb[-6:],
            cell.fill.fill_type, cell.fill.fgColor.rgb[-6:])


def _declared(owner: str) -> tuple:
    style = layout.HEADER_STYLES[owner]
    return (layout.FONT, layout.FONT_SIZE, style.bold, style.italic, style.color, "solid", style.fill)


def _header(ws, text: str):
    return next(c for row in ws.iter_rows(max_row=10) for c in row if c.value == text)


def test_init_dresses_headers_as_declared(new_chart):
    wb = load_workbook(new_chart)
    assert _look(_header(wb["Contacts"], "Name")) == _declared(schema.USER)
    assert _look(_header(wb["Want to Meet"], "Why")) == _declared(schema.USER)


def test_sync_dresses_the_headers_it_adds_as_declared(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", rows=[contact(name="Ann Lee", email="ann@example.com", channel="Email")])
    assert run("sync", path, "--today", "2026-11-25").exit_code == 0
    wb = load_workbook(path)
    assert _look(_header(wb["Contacts"], "Stage")) == _declared(schema.TOOL)
    assert _look(_header(wb["Contacts"], "Comments")) == _declared(schema.TOOL)
    assert _look(_header(wb["Referrals"], "Referred By")) == _declared(schema.REFERRALS.column("referred_by").owner)
    dashboard = wb["Dashboard"]
    assert _look(_header(dashboard, "Stage")) == _declared(schema.TOOL)
