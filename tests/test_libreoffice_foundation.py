"""What chart writes must survive LibreOffice: a person opens the chart there and saves it.

These run a real soffice (see tests/libreoffice.py): skipped locally without it,
required under CI=true.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from workbook_tool import schema
from workbook_tool.cli import cli
from workbook_tool.validate import validate_chart
from workbook_tool.workbook import read_chart

from libreoffice import lo  # noqa: F401  (the fixture; pytest puts tests/ on sys.path, as for conftest)

pytestmark = pytest.mark.libreoffice

DATE_KEYS = [c.key for c in schema.CONTACTS.columns if c.kind == "date" and c.owner == schema.USER]


def run_chart(*args: str):
    return CliRunner().invoke(cli, list(args))


def init_chart(path, *extra: str):
    result = run_chart("init", str(path), *extra)
    assert result.exit_code == 0, result.output
    assert path.is_file()
    return path


def contact_values(chart) -> list[dict]:
    # Compare what the person typed, by column key, not by row number or cell style.
    return [row.values for row in chart.contacts.rows]


def test_sample_chart_saved_by_libreoffice_reads_and_validates_the_same(lo, tmp_path):  # noqa: F811
    original = init_chart(tmp_path / "chart.xlsx", "--sample")
    saved = lo.convert(original, "xlsx", tmp_path / "saved-by-libreoffice")

    before, after = read_chart(original), read_chart(saved)
    assert validate_chart(before) == []
    problems = validate_chart(after)
    assert problems == [], "\n".join(f"{p.where}: {p.code}: {p.message}" for p in problems)

    # LibreOffice writes styled empty cells far below the data (openpyxl's max_row
    # grows from 14 to ~1014); the reader must still find exactly the 13 people.
    assert len(after.contacts.rows) == len(before.contacts.rows) == 13
    assert [r.number for r in after.contacts.rows] == [r.number for r in before.contacts.rows]
    assert after.contacts.last_row == before.contacts.last_row
    assert after.contacts.columns == before.contacts.columns
    assert contact_values(after) == contact_values(before)

    by_name = {row.text("name"): row for row in after.contacts.rows}
    assert list(by_name)[:3] == ["Maria Chen", "Ann Lee", "Bob Roe"]
    maria = by_name["Maria Chen"]
    # Dates stay date cells, not numbers or text.
    for key in DATE_KEYS:
        for row in after.contacts.rows:
            value = row.values.get(key)
            assert value is None or isinstance(value, dt.date), (row.number, key, value)
    assert maria.values["contacted_on"] == dt.date(2026, 11, 2)
    # Phones stay text: no number conversion, no lost formatting.
    assert maria.values["phone"] == "617-555-0101"
    assert by_name["Isabel Grant"].values["phone"] == "(617) 555-0175"
    assert all(isinstance(r.values["phone"], str) for r in after.contacts.rows if r.values.get("phone"))
    # Multi-line text keeps its line breaks.
    assert "\n" in by_name["Ann Lee"].values["recommended"]

    assert after.profile.values == before.profile.values
    assert after.profile.text("your_name") == "Jordan Rivera"
    assert after.profile.days("follow_up_days") == 7
    assert after.want_to_meet is not None
    assert [r.values for r in after.want_to_meet.rows] == [r.values for r in before.want_to_meet.rows]

    result = run_chart("validate", str(saved))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("13 contacts, 0 errors, 0 warnings.")


def test_new_empty_chart_opens_in_libreoffice(lo, tmp_path):  # noqa: F811
    chart = init_chart(tmp_path / "new.xlsx")
    pdf = lo.convert(chart, "pdf", tmp_path / "pdf")

    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/Type\s*/Page\b", data), "the PDF has no page"


def test_new_empty_chart_saved_by_libreoffice_is_still_a_chart(lo, tmp_path):  # noqa: F811
    original = init_chart(tmp_path / "new.xlsx")
    saved = lo.convert(original, "xlsx", tmp_path / "saved-by-libreoffice")

    after = read_chart(saved)
    assert after.contacts.rows == []
    assert after.contacts.columns == read_chart(original).contacts.columns
    assert [p.code for p in validate_chart(after)] == [p.code for p in validate_chart(read_chart(original))]
