"""``chart sync`` loses nothing of the person's (issue 3, data safety contract).

One rich workbook holds everything a person may add; a sync must keep each of
them, and the parts openpyxl would drop (macros, sparklines, shapes, data bars)
as the same bytes. The write itself refuses while the file is open elsewhere or
changed under it, keeps a backup, keeps permissions and symlinks, and on any
failure leaves the original as it was.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import contact, run, write_chart
from sync_fixtures import (RICH_HEADERS, RICH_NEW_PERSON, TODAY, TODAY_ARG, TOOL_HEADERS, X14_DATA_BAR,
                           X14_SPARKLINES, excel_lock, folder_listing, inject_into_contacts_sheet, inject_macros,
                           inject_shape, libreoffice_lock, overlapping_columns, rich_chart, sample_chart, sheet_rows,
                           simple_chart, snapshot, tool_values, write_text_workbook)

from workbook_tool import readback, writer
from workbook_tool.errors import RefusedToWrite
from workbook_tool.sync import sync_chart


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def one_error_line(result) -> str:
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture
def sample(tmp_path):
    return sample_chart(tmp_path / "chart.xlsx")


def assert_untouched(path: Path, data: bytes, listing: list[str]) -> None:
    """The original byte for byte, and nothing left behind (no temporary file, no backup)."""
    assert path.read_bytes() == data
    assert folder_listing(path.parent) == listing


# --------------------------------------------------------------------------- nothing of the person's is lost


@pytest.fixture(scope="module")
def rich_synced(tmp_path_factory):
    """The rich workbook, its snapshot, and the same after one sync (shared: a sync takes a moment)."""
    folder = tmp_path_factory.mktemp("rich")
    path = rich_chart(folder / "rich.xlsx")
    before = snapshot(path)
    original = path.read_bytes()
    result = sync(path)
    return path, original, before, snapshot(path), result


def test_rich_workbook_syncs(rich_synced):
    path, _, _, _, result = rich_synced
    assert result.exit_code == 0, result.output
    assert f"  row 11: {RICH_NEW_PERSON} (referred by Ann Lee)" in result.stdout.splitlines()
    got = tool_values(path)
    assert got["Sue Miller"]["Stage"] == "Thanked" and got["Grace Liu"]["Stage"] == "Declined"
    assert got[RICH_NEW_PERSON]["row"] == 11


def test_rich_workbook_keeps_every_user_cell_value_and_style(rich_synced):
    _, _, before, after, _ = rich_synced
    assert after["sheets"] == before["sheets"] + ["Referrals", "Dashboard"]
    for sheet, cells in before["cells"].items():
        for key, value in cells.items():
            assert after["cells"][sheet].get(key) == value, (sheet, key)
    # The only new cells: the tool columns (R:U from the header row down), the new row, Want to Meet's Status.
    new = {sheet: set(after["cells"][sheet]) - set(cells) for sheet, cells in before["cells"].items()}
    tool_columns = range(len(RICH_HEADERS) + 1, len(RICH_HEADERS) + len(TOOL_HEADERS) + 1)
    assert {c for _, c in new["Contacts"]} <= set(range(1, len(RICH_HEADERS) + 1)) | set(tool_columns)
    assert {r for r, c in new["Contacts"] if c not in tool_columns} == {11}
    assert {(r, c) for r, c in new["Contacts"] if c in tool_columns} >= {(3, c) for c in tool_columns}
    assert {c for _, c in new["Want to Meet"]} == {5}
    assert not new["Summary"] and not new["Profile"] and not new["Archive"]


def test_rich_workbook_keeps_sheet_features(rich_synced):
    _, _, before, after, _ = rich_synced
    assert after["states"] == {**before["states"], "Referrals": "visible", "Dashboard": "visible"}
    assert after["states"]["Archive"] == "hidden"
    assert after["defined_names"] == before["defined_names"] == {"ContactNames": "Contacts!$A$4:$A$200"}
    for sheet, features in before["sheet"].items():
        for feature, value in features.items():
            if (sheet, feature) in {("Contacts", "widths"), ("Contacts", "tables"), ("Want to Meet", "widths")}:
                continue
            assert after["sheet"][sheet][feature] == value, (sheet, feature)
    contacts_before, contacts_after = before["sheet"]["Contacts"], after["sheet"]["Contacts"]
    assert contacts_before["merged"] == ["A1:F1"]
    assert contacts_before["freeze"] == "B4"
    assert contacts_before["images"] == 1
    assert len(contacts_before["validations"]) == 1 and len(contacts_before["conditional"]) == 1
    # Widths and the hidden column of every user column; the person's widths of the empty columns past
    # the tool columns (their R:Z block) too.
    tool_columns = set(range(len(RICH_HEADERS) + 1, len(RICH_HEADERS) + len(TOOL_HEADERS) + 1))
    for index, width in contacts_before["widths"].items():
        if index not in tool_columns:
            assert contacts_after["widths"][index] == width, index
    assert contacts_after["widths"][17] == (8, True)  # "My Rating" stays hidden
    assert contacts_after["widths"][26] == (16, False)
    # The Excel Table grows to take the new row.
    assert contacts_before["tables"] == {"ContactTable": "A3:Q10"}
    assert contacts_after["tables"] == {"ContactTable": "A3:Q11"}


def test_rich_workbook_new_row_looks_like_the_rows_above(rich_synced):
    from openpyxl import load_workbook

    path = rich_synced[0]
    ws = load_workbook(path)["Contacts"]
    assert ws["A11"].value == RICH_NEW_PERSON
    for c in range(1, len(RICH_HEADERS) + 1):
        assert repr(ws.cell(11, c)._style) == repr(ws.cell(10, c)._style), c
    assert ws["A11"].font.b and ws["A11"].border.left.style == "thin"
    assert ws["F11"].value == "nora.quinn@litware.com" and ws["D11"].value == "Litware"
    assert ws["A7"].value is None and ws["R7"].value is None, "the blank row inside the table stays blank"


def test_rich_workbook_formulas_and_text_that_looks_like_one(rich_synced):
    from openpyxl import load_workbook

    wb = load_workbook(rich_synced[0])
    assert wb["Summary"]["B1"].value == "=COUNTA(Contacts!A4:A200)" and wb["Summary"]["B1"].data_type == "f"
    assert wb["Summary"]["B2"].value == "=Contacts!A4"
    notes = wb["Contacts"]["M4"]
    assert notes.value == "=SUM(A1:A3) is what she typed" and notes.data_type == "s"
    assert notes.comment.text == "Call her on Sunday afternoons"
    assert wb["Contacts"]["F5"].hyperlink.target == "mailto:ann.lee@fabrikamhealth.org"
    assert wb["Contacts"]["P4"].value is True and wb["Contacts"]["P5"].value is False


def test_rich_workbook_has_no_overlapping_column_ranges(rich_synced):
    # Tool columns land inside the person's R:Z width block; Excel rejects overlapping <col> ranges.
    assert overlapping_columns(rich_synced[0]) == []


def test_rich_workbook_second_sync_changes_no_byte(rich_synced):
    path = rich_synced[0]
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    result = sync(path)
    assert result.exit_code == 0
    assert "already up to date" in result.stdout
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


def test_rich_workbook_backup_is_the_original(rich_synced):
    path, original = rich_synced[0], rich_synced[1]
    backups = list((path.parent / "chart-backups").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == original


# --------------------------------------------------------------------------- what openpyxl would drop, kept

LOSSY = {
    "data bar": (lambda src, dst: inject_into_contacts_sheet(src, dst, X14_DATA_BAR), X14_DATA_BAR.encode()),
    "sparklines": (lambda src, dst: inject_into_contacts_sheet(src, dst, X14_SPARKLINES), X14_SPARKLINES.encode()),
    "macros": (inject_macros, None),
    "shapes": (inject_shape, b"Call these first"),
}


@pytest.mark.parametrize("kind", list(LOSSY))
def test_sync_keeps_what_openpyxl_would_drop(tmp_path, kind):
    # The writer copies every part it does not change, byte for byte.
    make, marker = LOSSY[kind]
    source = sample_chart(tmp_path / "plain.xlsx")
    path = make(source, tmp_path / "chart.xlsx")
    with zipfile.ZipFile(path) as zf:
        parts_before = {n: zf.read(n) for n in zf.namelist()}
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert tool_values(path)["Ann Lee"]["Stage"] == "Thanked"
    with zipfile.ZipFile(path) as zf:
        parts_after = {n: zf.read(n) for n in zf.namelist()}
    if marker is None:
        assert parts_after["xl/vbaProject.bin"] == parts_before["xl/vbaProject.bin"]
    else:
        assert b"".join(parts_after.values()).count(marker) == 1
    for name in ("xl/vbaProject.bin", "xl/drawings/drawingShape1.xml"):
        assert parts_after.get(name) == parts_before.get(name), name


def test_macros_sparklines_and_shapes_are_kept_in_a_sheet_openpyxl_once_wrote(tmp_path):
    # XML comments among the cells sent such a sheet through openpyxl, which refused (or, with --force, lost)
    # the macros, the sparklines and the shape. The one writer keeps each of them as the same bytes.
    from test_xlsxpatch import CONSTRUCTS, HAND_STAGES, hand_made

    path, _ = hand_made(tmp_path / "made.xlsx", CONSTRUCTS["XML comments"])
    path = inject_into_contacts_sheet(path, tmp_path / "sparklines.xlsx", X14_SPARKLINES)
    path = inject_shape(path, tmp_path / "shape.xlsx")
    path = inject_macros(path, tmp_path / "chart.xlsx")
    with zipfile.ZipFile(path) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    assert b"vnd.ms-office.vbaProject" in before["[Content_Types].xml"]
    result = sync(path)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    for name in ("xl/vbaProject.bin", "xl/drawings/drawingShape1.xml", "xl/worksheets/sheet2.xml"):
        assert after[name] == before[name], name
    assert b'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in after["[Content_Types].xml"]
    assert b"relationships/vbaProject" in after["xl/_rels/workbook.xml.rels"]
    sheet = after["xl/worksheets/sheet1.xml"]
    assert X14_SPARKLINES.encode() in sheet and b'<drawing r:id="rIdShape1"/>' in sheet
    assert after["xl/worksheets/_rels/sheet1.xml.rels"].count(b"drawingShape1.xml") == 1
    assert {name: v["Stage"] for name, v in tool_values(path).items()} == HAND_STAGES


def test_a_workbook_with_macros_and_nothing_to_change_is_not_rewritten(tmp_path):
    path = sample_chart(tmp_path / "plain.xlsx")
    assert sync(path).exit_code == 0
    locked = inject_macros(path, tmp_path / "chart.xlsx")
    data = locked.read_bytes()
    result = sync(locked)
    assert result.exit_code == 0 and "already up to date" in result.stdout
    assert locked.read_bytes() == data


# --------------------------------------------------------------------------- columns and sheets the person owns


def test_user_stage_column_with_own_text_is_refused(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Stage"],
                       [["Ann Lee", "ann@fab.org", "Phone screen"], ["Bob Roe", "bob@x.org", "Thanked"]])
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert 'your column "Stage" holds your own text (C2: "Phone screen")' in line
    assert "Rename your column" in line
    assert path.read_bytes() == data
    assert sync(path, "--dry-run").exit_code == 1, "a dry run says so too"


def test_user_comments_column_without_the_other_tool_columns_is_kept_as_theirs(tmp_path):
    # The guide's own "Comments" column: read as Notes, and sync's goes beside it as "Chart Comments".
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Comments"],
                       [["Ann Lee", "ann@fab.org", None], ["Bob Roe", "bob@x.org", "met at the fair"]])
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert sheet_rows(path, "Contacts")[2][:3] == ("Bob Roe", "bob@x.org", "met at the fair")
    assert "Chart Comments" in sheet_rows(path, "Contacts")[0]


def test_user_next_step_column_without_the_stage_column_is_refused(tmp_path):
    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Next Step"],
                       [["Ann Lee", "ann@fab.org", None], ["Bob Roe", "bob@x.org", "send CV"]])
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert 'your column "Next Step" holds your own text (C3: "send CV")' in line
    assert path.read_bytes() == data


def test_empty_user_comments_column_is_taken_over(tmp_path):
    from openpyxl import load_workbook

    path = write_chart(tmp_path / "c.xlsx", ["Name", "Email", "Comments"], [["Ann Lee", "ann@fab.org", None]])
    assert sync(path).exit_code == 0
    ws = load_workbook(path)["Contacts"]
    assert [c.value for c in ws[1]] == ["Name", "Email", "Comments", "Stage", "Next Step", "Follow-Up On", "Draft"]


def test_user_referrals_sheet_is_refused(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [contact(name="Ann Lee", email="ann@fab.org")],
                        extra_sheets={"Referrals": [["Company", "Bonus"], ["Contoso", 500]]})
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert 'a sheet named "Referrals" holds your own data' in line and "Rename your sheet" in line
    assert path.read_bytes() == data


def test_user_want_to_meet_status_is_refused(tmp_path):
    path = write_text_workbook(tmp_path / "c.xlsx", {
        "Contacts": [["Name", "Email"], ["Ann Lee", "ann@fab.org"]],
        "Want to Meet": [["Name", "Organization", "Status"], ["Pat Doe", "Contoso", "emailed twice"]],
    })
    data = path.read_bytes()
    result = sync(path)
    assert result.exit_code == 1
    assert 'your column "Status" holds your own text' in one_error_line(result)
    assert path.read_bytes() == data


# --------------------------------------------------------------------------- open elsewhere


def test_refuses_while_libreoffice_has_it_open(sample):
    lock = libreoffice_lock(sample)
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "is open in LibreOffice (Jane Doe on laptop since 25.11.2026 10:00; lock file .~lock.chart.xlsx#)" in line
    assert "--force" in line
    assert_untouched(sample, data, listing)
    forced = sync(sample, "--force")
    assert forced.exit_code == 0, forced.output
    assert sample.read_bytes() != data and lock.exists()


@pytest.mark.parametrize("short", [False, True])
def test_refuses_while_excel_has_it_open(sample, short):
    lock = excel_lock(sample, short=short)
    assert lock.name == ("~$art.xlsx" if short else "~$chart.xlsx")
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    assert f"is open in Excel (Jane Doe; lock file {lock.name})" in one_error_line(result)
    assert_untouched(sample, data, listing)
    assert sync(sample, "--force").exit_code == 0


def test_dry_run_works_while_open(sample):
    libreoffice_lock(sample)
    result = sync(sample, "--dry-run")
    assert result.exit_code == 0 and "dry run" in result.stdout


def test_refuses_while_another_chart_run_holds_it(sample):
    data = sample.read_bytes()
    with sample.open("rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = sync(sample)
    assert result.exit_code == 1
    assert "another chart command is writing this workbook" in one_error_line(result)
    assert sample.read_bytes() == data


def test_refuses_when_the_file_changes_while_it_works(sample, monkeypatch):
    other = sample_chart(sample.parent / "other.xlsx")
    theirs = sample.parent / "theirs.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(other)
    wb["Contacts"]["O2"] = "a note typed in Excel meanwhile"
    wb.save(theirs)
    other.unlink()
    their_bytes = theirs.read_bytes()
    real_verify = readback.verify_written

    def verify_then_someone_saves(tmp, *args):
        real_verify(tmp, *args)
        sample.write_bytes(their_bytes)  # another program saves the workbook meanwhile

    monkeypatch.setattr(readback, "verify_written", verify_then_someone_saves)
    listing = folder_listing(sample.parent)
    with pytest.raises(RefusedToWrite, match="changed while chart was working on it"):
        sync_chart(sample, TODAY)
    assert_untouched(sample, their_bytes, listing)  # their change kept, no temporary file, no backup
    result = sync(sample)
    assert result.exit_code == 1
    assert "changed while chart was working on it" in one_error_line(result)


# --------------------------------------------------------------------------- backups, permissions, links


def test_backup_keeps_the_previous_versions(sample):
    versions = [sample.read_bytes()]
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):
        result = run("sync", sample, "--today", day)
        assert result.exit_code == 0
        versions.append(sample.read_bytes())
    backups = sorted((sample.parent / "chart-backups").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert sorted(b.read_bytes() for b in backups) == sorted(versions[:-1])
    assert all(b.name.startswith("chart.") and b.suffix == ".xlsx" for b in backups)


def test_only_the_last_ten_backups_are_kept(sample):
    folder = sample.parent / "chart-backups"
    folder.mkdir()
    old = []
    for n in range(12):
        backup = folder / f"chart.200101{n + 1:02d}-120000.xlsx"
        backup.write_bytes(b"old version %d" % n)
        os.utime(backup, ns=(1_700_000_000_000_000_000 + n * 10**12,) * 2)
        old.append(backup.name)
    (folder / "notes.txt").write_text("mine")
    (folder / "other.20260101-120000.xlsx").write_bytes(b"another workbook's backup")
    original = sample.read_bytes()
    assert sync(sample).exit_code == 0
    ours = sorted(p.name for p in folder.iterdir() if p.name.startswith("chart."))
    assert len(ours) == 10
    assert set(old[-9:]) <= set(ours), "the newest old backups are kept, the oldest go"
    newest = [p for p in folder.iterdir() if p.name.startswith("chart.") and p.name not in old]
    assert len(newest) == 1 and newest[0].read_bytes() == original
    assert (folder / "notes.txt").exists() and (folder / "other.20260101-120000.xlsx").exists()


def test_backup_of_a_restored_old_version_is_kept(sample):
    # The person restored an old backup with a copy that keeps its date (cp -p, a file manager):
    # the backup this sync makes must not be the one pruned for looking old.
    folder = sample.parent / "chart-backups"
    folder.mkdir()
    for n in range(10):
        (folder / f"chart.200101{n + 1:02d}-120000.xlsx").write_bytes(b"old version %d" % n)
    os.utime(sample, ns=(946_684_800 * 10**9,) * 2)  # 2000-01-01, older than every backup's date
    original = sample.read_bytes()
    assert sync(sample).exit_code == 0
    ours = sorted(folder.iterdir())
    assert len(ours) == 10
    assert original in [p.read_bytes() for p in ours], "the backup just made was deleted"
    assert not (folder / "chart.20010101-120000.xlsx").exists()


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664])
def test_keeps_the_file_permissions(sample, mode):
    os.chmod(sample, mode)
    assert sync(sample).exit_code == 0
    assert stat.S_IMODE(sample.stat().st_mode) == mode


def test_through_a_symlink_the_target_is_replaced(tmp_path):
    target = sample_chart((tmp_path / "real").mkdir() or tmp_path / "real" / "chart.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    original = target.read_bytes()
    result = sync(link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert target.read_bytes() != original
    assert tool_values(link)["Maria Chen"]["Stage"] == "Thanked"
    backups = list((target.parent / "chart-backups").iterdir())
    assert [b.read_bytes() for b in backups] == [original]
    assert not (tmp_path / "chart-backups").exists()


def test_lock_beside_the_symlink_or_the_target_refuses(tmp_path):
    target = sample_chart((tmp_path / "real").mkdir() or tmp_path / "real" / "chart.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    data = target.read_bytes()
    for opened in (link, target):
        lock = libreoffice_lock(opened)
        result = sync(link)
        assert result.exit_code == 1
        assert f"lock file {lock.name}" in one_error_line(result)
        lock.unlink()
    assert target.read_bytes() == data and link.is_symlink()


# --------------------------------------------------------------------------- failures leave the original


def replace_save(monkeypatch, fake) -> None:
    """Make the writer's save ``fake(real_save, filename)`` (real_save() does the real one)."""
    from workbook_tool.xlsxpackage import Package

    real = Package.save
    monkeypatch.setattr(Package, "save", lambda self, filename: fake(lambda: real(self, filename), filename))


def test_disk_full_while_saving(sample, monkeypatch):
    def full_disk(real_save, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a file")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    replace_save(monkeypatch, full_disk)
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "could not be written (No space left on device); the original is unchanged" in line
    assert_untouched(sample, data, listing)


def test_file_deleted_while_it_works(sample, monkeypatch):
    real_verify = readback.verify_written

    def verify_then_deleted(tmp, *args):
        real_verify(tmp, *args)
        sample.unlink()

    monkeypatch.setattr(readback, "verify_written", verify_then_deleted)
    result = sync(sample)
    assert result.exit_code == 1
    assert "changed while chart was working on it" in one_error_line(result)
    assert folder_listing(sample.parent) == [], "not recreated, no temporary file left"


def test_backup_failure_leaves_the_original(sample):
    (sample.parent / "chart-backups").write_text("a file where the backup folder should be")
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    assert "chart-backups beside it is a file, not a folder" in one_error_line(result)
    assert_untouched(sample, data, listing)


def test_replace_failure_leaves_the_original(sample, monkeypatch):
    def cannot_replace(src, dst):
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))

    monkeypatch.setattr(writer.os, "replace", cannot_replace)
    data = sample.read_bytes()
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "Device or resource busy" in line and "original is unchanged" in line
    assert sample.read_bytes() == data
    assert [p for p in folder_listing(sample.parent) if "chart-tmp" in p] == []


def test_unwritable_folder_simulated(sample, monkeypatch):
    real_open = os.open

    def denied(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_CREAT and str(path).endswith(writer.TEMPORARY_SUFFIX):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", denied)
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    result = sync(sample)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "cannot write in its folder (Permission denied); nothing was changed" in line
    assert "Check that the folder is writable" in line
    assert_untouched(sample, data, listing)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a chmod 0555 folder anyway; "
                                              "test_unwritable_folder_simulated covers this case")
def test_unwritable_folder(sample):
    data, listing = sample.read_bytes(), folder_listing(sample.parent)
    os.chmod(sample.parent, 0o555)
    try:
        result = sync(sample)
    finally:
        os.chmod(sample.parent, 0o755)
    assert result.exit_code == 1
    assert "cannot write in its folder" in one_error_line(result)
    assert_untouched(sample, data, listing)


def test_rich_text_inside_a_cell_survives(tmp_path):
    """A note with one bold word keeps its runs of formatting through a sync."""
    from openpyxl import load_workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = sample_chart(tmp_path / "chart.xlsx")
    wb = load_workbook(path)
    ws = wb["Contacts"]
    notes = next(c.column for c in ws[1] if c.value == "Notes")
    ws.cell(2, notes).value = CellRichText("Call her ", TextBlock(InlineFont(b=True), "before Friday"), ".")
    wb.save(path)
    assert sync(path).exit_code == 0
    cell = load_workbook(path, rich_text=True)["Contacts"].cell(2, notes).value
    assert isinstance(cell, CellRichText)
    assert str(cell) == "Call her before Friday."
    bold = [block for block in cell if isinstance(block, TextBlock)]
    assert len(bold) == 1 and bold[0].text == "before Friday" and bold[0].font.b
