"""readback.py: the new file, re-read before it may replace the workbook, must hold every user cell as it was.

A writer that damaged a cell (or dropped a formula's result, or wrote no zip at
all) is caught here, and the original stays byte for byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

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


def test_a_draft_link_cut_by_the_writer_is_caught(tmp_path, monkeypatch):
    # The link behind a Draft cell is what the person clicks: a writer that cut it (as LibreOffice does
    # on save) fails the read-back though the label reads back as planned.
    import re

    from conftest import rewrite_zip

    path = sample_chart(tmp_path / "chart.xlsx")
    rels = "xl/worksheets/_rels/sheet1.xml.rels"

    def save_then_cut_the_links(real_save, filename):
        real_save()
        with zipfile.ZipFile(filename) as zf:
            written = zf.read(rels)
        cut = re.sub(rb'Target="(mailto:[^"]{200})[^"]*"', rb'Target="\1"', written)
        assert cut != written
        damaged = rewrite_zip(filename, Path(filename).with_suffix(".damaged"), replace={rels: cut})
        Path(filename).write_bytes(damaged.read_bytes())

    replace_save(monkeypatch, save_then_cut_the_links)
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert re.search(r"did not read back the link behind Contacts![A-Z]+\d+ as it should \('mailto:", line), line
    assert path.read_bytes() == data
