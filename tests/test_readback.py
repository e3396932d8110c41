"""readback.py: the new file, re-read before it may replace the workbook, must hold every user cell as it was.

A writer that damaged a cell (or dropped a formula's result, or wrote no zip at
all) is caught here, and the original stays byte for byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sync_fixtures import folder_listing, sample_chart
from test_sync_safety import assert_untouched, one_error_line, replace_save, sample, sync  # noqa: F401 (a fixture)


def test_verify_failure_leaves_the_original(sample, monkeypatch):
    from openpyxl import load_workbook

    def save_then_damage(real_save, filename):
        real_save()
        wb = load_workbook(filename)
        wb["Contacts"]["A3"] = "Somebody Else"  # a user cell that must not change
        wb.save(filename)

    replace_save(monkeypatch, save_then_damage)
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "did not read back Contacts!A3 as it should ('Ann Lee' became 'Somebody Else')" in line
    assert_untouched(sample, data, listing)


def test_a_formulas_result_is_a_cell_the_read_back_compares(tmp_path, monkeypatch):
    # Every cell of the person's is compared, a formula's last result too: no writer drops results any more.
    from conftest import rewrite_zip

    import re

    made = sample_chart(tmp_path / "made.xlsx")
    with zipfile.ZipFile(made) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'(<row r="2"[^>]*>.*?)(</row>)', rb'\1<c r="R2"><f>LEN(A2)</f><v>10</v></c>\2', sheet, count=1,
                   flags=re.S)
    path = rewrite_zip(made, tmp_path / "chart.xlsx", replace={"xl/worksheets/sheet1.xml": sheet})

    def save_then_lose_the_result(real_save, filename):
        real_save()
        with zipfile.ZipFile(filename) as zf:
            written = zf.read("xl/worksheets/sheet1.xml")
        assert b"<f>LEN(A2)</f><v>10</v>" in written
        damaged = rewrite_zip(filename, Path(filename).with_suffix(".damaged"), replace={
            "xl/worksheets/sheet1.xml": written.replace(b"<f>LEN(A2)</f><v>10</v>", b"<f>LEN(A2)</f>")})
        Path(filename).write_bytes(damaged.read_bytes())  # in place: the temporary file stays the one chart made

    replace_save(monkeypatch, save_then_lose_the_result)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    assert "did not read back Contacts!R2 as it should (10 became None)" in one_error_line(result)
    assert path.read_bytes() == data


def test_unreadable_new_version_leaves_the_original(sample, monkeypatch):
    replace_save(monkeypatch, lambda real_save, filename: Path(filename).write_bytes(b"not a zip"))
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert line.startswith(f"Error: {sample}: the new version could not be read back (")
    assert "chart-tmp" not in line and "nothing was changed" in line
    assert_untouched(sample, data, listing)


def _cut_the_links(sheet: bytes, rels: bytes) -> tuple[bytes, bytes]:
    # The link behind a Draft cell is what the person clicks: a writer that cut it (as LibreOffice does
    # on save) fails the read-back though the label reads back as planned.
    import re

    return sheet, re.sub(rb'Target="(mailto:[^"]{200})[^"]*"', rb'Target="\1"', rels)


def _lose_a_link_element(sheet: bytes, rels: bytes) -> tuple[bytes, bytes]:
    import re

    return re.sub(rb"<hyperlink [^>]*/>", b"", sheet, count=1), rels


def _point_a_link_elsewhere(sheet: bytes, rels: bytes) -> tuple[bytes, bytes]:
    import re

    return sheet, re.sub(rb'(<Relationship [^>]*Id=")([^"]+)("[^>]*/hyperlink")', rb"\1\2gone\3", rels, count=1)


def _a_later_twin_with_another_url(sheet: bytes, rels: bytes) -> tuple[bytes, bytes]:
    # Two relationships under one id: the last is the one a reader keeps, and it is wrong.
    import re

    m = re.search(rb'<Relationship [^>]*/hyperlink"[^>]*/>', rels)
    twin = re.sub(rb'Target="[^"]*"', b'Target="mailto:someone@else.org"', m.group(0))
    return sheet, rels.replace(b"</Relationships>", twin + b"</Relationships>")


@pytest.mark.parametrize("damage", [_cut_the_links, _lose_a_link_element, _point_a_link_elsewhere,
                                    _a_later_twin_with_another_url])
def test_every_way_a_draft_link_goes_missing_is_caught(tmp_path, monkeypatch, damage):
    # The links are compared one at a time as they are read (never all held): a cell whose link element is gone,
    # whose relationship is not found, or whose last relationship says something else is each a refusal.
    import re

    from conftest import rewrite_zip

    path = sample_chart(tmp_path / "chart.xlsx")
    sheet_part, rels = "xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels"

    def save_then_damage(real_save, filename):
        real_save()
        with zipfile.ZipFile(filename) as zf:
            written = zf.read(sheet_part), zf.read(rels)
        damaged = damage(*written)
        assert damaged != written
        out = rewrite_zip(filename, Path(filename).with_suffix(".damaged"),
                          replace={sheet_part: damaged[0], rels: damaged[1]})
        Path(filename).write_bytes(out.read_bytes())

    replace_save(monkeypatch, save_then_damage)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert re.search(r"did not read back the link behind Contacts![A-Z]+\d+ as it should \('mailto:", line), line
    assert path.read_bytes() == data


def chart_with_a_big_sheet(tmp_path, cells: int = 60_000) -> Path:
    """The example chart with a sheet of the person's beside it: ``cells`` numbers and texts."""
    from openpyxl import load_workbook

    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    ws = wb.create_sheet("My Data")
    for r in range(1, cells // 10 + 1):
        ws.append([r, f"row {r}", r * 1.5, "x" * (r % 7), r % 3 == 0, r, r, r, r, f"end {r}"])
    wb.save(path)
    return path


def test_a_big_sheet_of_the_persons_is_copied_not_read(tmp_path, monkeypatch):
    # Issue 16: sync does not read or rewrite a sheet of the person's beside the chart beyond copying its
    # bytes, neither when planning nor in the read-back.
    from test_xlsxpatch import stored

    from workbook_tool import grids

    path = chart_with_a_big_sheet(tmp_path)
    before = stored(path)
    read = []
    for name in ("grid", "rows"):
        real = getattr(grids.Sheets, name)
        monkeypatch.setattr(grids.Sheets, name, lambda self, sheet, real=real: read.append(sheet) or real(self, sheet))
    assert sync(path).exit_code == 0
    assert "My Data" not in read and "Contacts" in read
    after = stored(path)
    sheet = next(n for n in before if n.startswith("xl/worksheets/sheet4"))
    assert after[sheet] == before[sheet]
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


def test_a_damaged_sheet_of_the_persons_is_still_caught(tmp_path, monkeypatch):
    # Were the writer to write that sheet anew and wrongly, the read-back reads it and the original's, and
    # refuses the new file.
    from openpyxl import load_workbook

    path = chart_with_a_big_sheet(tmp_path, cells=2_000)

    def save_then_damage(real_save, filename):
        real_save()
        wb = load_workbook(filename)
        wb["My Data"]["B7"] = "changed"
        wb.save(filename)

    replace_save(monkeypatch, save_then_damage)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    assert "did not read back My Data!B7 as it should ('row 7' became 'changed')" in one_error_line(result)
    assert path.read_bytes() == data
