"""Fault injection: a sync or an import that is killed, runs out of disk, or races another writer (issue 7).

* SIGKILL at random moments during ``chart sync`` (real processes, dozens of runs):
  the workbook is always readable and either the old file byte for byte or the
  complete new one — never a mixture. Temporary files a killed run leaves are
  counted and must not get in the next run's way.
* A full disk or an unwritable folder — simulated, through /dev/full (a real ENOSPC
  from the kernel) and through a real file-size limit (EFBIG) — leaves the original
  byte for byte, no temporary file, and one clear ``Error:`` line.
* Two runs at once, or a person saving the file while chart works on it, never lose
  an edit: chart either includes it or refuses with "changed while chart was
  working on it". That holds for a save that renames a new file over the workbook
  and for one that writes into it in place (`cp`), even one half done while chart
  reads the workbook or copies its parts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, contact, run
from sync_fixtures import TODAY, TODAY_ARG, folder_listing, simple_chart
from xlsx_lint import lint

from workbook_tool import sync as sync_module
from workbook_tool import readback, writer
from workbook_tool.grids import read_grids
from workbook_tool.workbook import read_chart

WORKER = Path(__file__).resolve().parent / "fault_worker.py"
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)}
KILL_RUNS = 50
EDIT = "EDITED by the person while chart was working"
CHANGED = "changed while chart was working on it"
BUSY = "another chart command is writing this workbook right now"


def chart_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "workbook_tool", *map(str, args)]


def worker(*args) -> list[str]:
    return [sys.executable, str(WORKER), *map(str, args)]


def big_chart(path: Path, n: int = 300) -> Path:
    """A chart of ``n`` people: every stage, referrals to add, long notes — a sync takes about a second."""
    rows = []
    for i in range(n):
        contacted = dt.date(2026, 9, 1) + dt.timedelta(days=i % 80) if i % 3 else None
        rows.append(contact(
            name=f"Person {i} Ünïcödé", source=["Own", "Family", "Friend", "Referral"][i % 4],
            via="Dad" if i % 4 == 1 else None, referred_by=f"Person {i // 2} Ünïcödé" if i % 4 == 3 else None,
            organization=f"Org {i % 23}", title="Engineer", phone=f"617-555-{i % 10000:04d}" if i % 5 else None,
            email=f"person{i}@example.com", channel="Email" if i % 2 else "Call", contacted_on=contacted,
            meeting_on=contacted + dt.timedelta(days=9) if contacted and i % 7 == 0 else None,
            notes=("Talked about the market. " * (i % 12)) or None,
            recommended=f"New Person {i} <new{i}@example.org>, 617-555-{(i + 5000) % 10000:04d}, Org {i % 7}"
            if i % 9 == 0 else None))
    return simple_chart(path, rows)


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")


def parts(path: Path) -> dict[str, bytes]:
    """The workbook's parts, less the save time openpyxl writes into docProps/core.xml."""
    with zipfile.ZipFile(path) as zf:
        return {n: _MODIFIED.sub(b"", zf.read(n)) for n in zf.namelist()}


def grid_value(path: Path, sheet: str, row: int, column: int):
    grid = read_grids(path)[sheet]
    return grid[row - 1][column - 1] if row <= len(grid) and column <= len(grid[row - 1]) else None


NOTES_COLUMN = 1 + [c.key for c in sync_module.schema.CONTACTS.user_columns].index("notes")


def edited_copy(src: Path, dst: Path) -> Path:
    """The workbook as the person saved it with one cell changed: Notes of the first contact."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    wb["Contacts"].cell(row=2, column=NOTES_COLUMN, value=EDIT)
    wb.save(dst)
    return dst


@dataclass
class World:
    folder: Path
    original: bytes
    reference: dict[str, bytes]
    duration: float
    edited: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    """The original chart, the result of an uninterrupted sync, and how long a sync takes here."""
    folder = tmp_path_factory.mktemp("faults")
    original = big_chart(folder / "original.xlsx")
    edited = edited_copy(original, folder / "edited.xlsx")

    def uninterrupted(i: int):
        sub = folder / f"ref{i}"
        sub.mkdir()
        path = sub / "chart.xlsx"
        shutil.copy(original, path)
        start = time.monotonic()
        done = subprocess.run(chart_cmd("sync", path, "--today", TODAY_ARG), capture_output=True, text=True, env=ENV)
        assert done.returncode == 0, done.stderr
        return path, time.monotonic() - start

    # Two at a time, as the kill runs go, so the duration is measured under the same load.
    with ThreadPoolExecutor(2) as pool:
        refs = list(pool.map(uninterrupted, range(4)))
    first = refs[0][0]
    assert first.read_bytes() != original.read_bytes()
    # Written in a subprocess, out of conftest's sight: linted here. Every run below
    # that ends "new" wrote these same parts.
    assert lint(first) == []
    # Two uninterrupted syncs of the same input write the same workbook: every part
    # equal but for the save time in docProps/core.xml (and the zip entries' dates).
    assert all(parts(p) == parts(first) for p, _ in refs[1:])
    return World(folder, original.read_bytes(), parts(first), statistics.median(d for _, d in refs), edited)


# --------------------------------------------------------------------------- SIGKILL at random moments


@dataclass
class KillRun:
    delay: float
    state: str  # old | new | other
    returncode: int
    temps: list[str]
    bad_backups: list[str]


def _kill_once(world: World, folder: Path, delay: float) -> KillRun:
    folder.mkdir()
    path = folder / "chart.xlsx"
    path.write_bytes(world.original)
    proc = subprocess.Popen(chart_cmd("sync", path, "--today", TODAY_ARG), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=ENV)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)  # nothing happens when it has finished already
    proc.wait()
    read_chart(path)  # readable, whatever happened
    if path.read_bytes() == world.original:
        state = "old"
    elif parts(path) == world.reference:
        state = "new"
    else:
        state = "other"
    temps = sorted(p.name for p in folder.glob(".chart.*.chart-tmp.xlsx"))
    backups = folder / writer.BACKUP_DIR
    kept = list(backups.iterdir()) if backups.exists() else []
    # A kill in the middle of the backup copy leaves its hidden ".partial" file: a temporary like the
    # workbook's own, never taken for a backup (the rotation counts only names it made). Every other file
    # there is a backup, and must be the original whole.
    temps += sorted(p.name for p in kept if p.name.startswith(".") and p.name.endswith(".partial"))
    bad = [p.name for p in kept if not p.name.startswith(".") and p.read_bytes() != world.original]
    return KillRun(delay, state, proc.returncode, temps, bad)


def test_sync_killed_at_random_moments_leaves_the_old_file_or_the_new_one(world, tmp_path, capsys):
    rng = random.Random(20261125)
    # Stratified over [0, 1.2 × a sync's duration], so that every phase is hit.
    delays = [(i + rng.random()) / KILL_RUNS * 1.2 * world.duration for i in range(KILL_RUNS)]
    rng.shuffle(delays)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda a: _kill_once(world, tmp_path / f"run{a[0]}", a[1]), enumerate(delays)))

    states = {s: sum(r.state == s for r in runs) for s in ("old", "new", "other")}
    killed = sum(r.returncode == -signal.SIGKILL for r in runs)
    with_temps = [r for r in runs if r.temps]
    with capsys.disabled():
        print(f"\nSIGKILL: {len(runs)} runs (sync ~{world.duration:.2f} s), {killed} killed before the end: "
              f"{states['old']} old, {states['new']} new, {states['other']} other; "
              f"{len(with_temps)} left a temporary file; "
              f"{sum(bool(r.bad_backups) for r in runs)} left a damaged backup")
    assert states["other"] == 0, [r for r in runs if r.state == "other"]
    # Some runs must really have been cut short; how many finish depends on how busy
    # the machine is, so "new" is not required (a loaded CI machine may finish none).
    assert killed and states["old"], "no run was killed mid-way; the sync timing changed?"
    assert not [r for r in runs if r.bad_backups], "a killed run left a partial backup"
    for r in runs:
        if r.returncode == 0:
            assert r.state == "new" and not r.temps

    # A temporary file a killed run left behind gets in no one's way: the next sync
    # works and writes the same workbook.
    leftovers = [tmp_path / f"run{i}" for i, r in enumerate(runs) if r.state == "old"][:6]
    for folder in leftovers:
        path = folder / "chart.xlsx"
        result = sync_module.sync_chart(path, TODAY)
        assert result.written and parts(path) == world.reference


# --------------------------------------------------------------------------- a full disk, an unwritable folder


def one_error_line(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture
def chart(tmp_path) -> Path:
    return simple_chart(tmp_path / "chart.xlsx", [
        contact(name="Ann Lee", email="ann@fabrikam.org", recommended="Bob Roe <bob@x.org>, Northwind"),
        contact(name="Cy Doe", phone="617-555-0142", contacted_on=dt.date(2026, 11, 2)),
    ])


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("Name,Email,Company\nDee Fox,dee@x.org,Contoso\nEve Ng,eve@y.org,Fabrikam\n", encoding="utf-8")
    return path


COMMANDS = {
    "sync": lambda chart, export: ("sync", chart, "--today", TODAY_ARG),
    "import": lambda chart, export: ("import", chart, export),
}


def assert_untouched(path: Path, data: bytes, listing: list[str]) -> None:
    assert path.read_bytes() == data
    assert folder_listing(path.parent) == listing, "a temporary file or a backup was left behind"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG])
def test_disk_full_while_saving(chart, export, monkeypatch, command, code):
    from workbook_tool.xlsxpackage import Package

    def full(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 the first bytes of a workbook")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Package, "save", full)  # sync's and import's writer
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run(*COMMANDS[command](chart, export))
    assert result.exit_code == 1
    assert one_error_line(result) == (f"Error: {chart}: could not be written ({os.strerror(code)}); the original is "
                                      "unchanged. Check that the disk has room.")
    assert_untouched(chart, data, listing)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def creating_temporary(monkeypatch, create) -> None:
    """The workbook's temporary file is made by ``create(name, real_os_open) -> fd`` instead."""
    real_open = os.open

    def patched(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_CREAT and str(path).endswith(writer.TEMPORARY_SUFFIX):
            return create(path, real_open)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", patched)


@pytest.mark.parametrize("command", COMMANDS)
def test_disk_full_for_real_through_dev_full(chart, export, monkeypatch, command):
    # The temporary file is a link to /dev/full: every write to it fails in the kernel
    # with ENOSPC, as on a full disk.
    def on_full_disk(name, real_open):
        os.symlink("/dev/full", name)
        return real_open(name, os.O_WRONLY)

    creating_temporary(monkeypatch, on_full_disk)
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run(*COMMANDS[command](chart, export))
    assert result.exit_code == 1
    assert one_error_line(result) == (f"Error: {chart}: could not be written (No space left on device); the original "
                                      "is unchanged. Check that the disk has room.")
    assert_untouched(chart, data, listing)
    assert Path("/dev/full").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_file_size_limit_for_real(chart, export, command):
    # A real limit on file size (RLIMIT_FSIZE) in a child process: the write of the
    # new version fails with EFBIG part-way, as it would on a nearly full disk.
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    limit = len(data) // 2
    done = subprocess.run(worker("limited", limit, "--", *COMMANDS[command](chart, export)), capture_output=True,
                          text=True, env=ENV, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr == (f"Error: {chart}: could not be written (File too large); the original is unchanged. "
                           "Check that the disk has room.\n")
    assert_untouched(chart, data, listing)


@pytest.mark.parametrize("command", COMMANDS)
def test_disk_full_while_keeping_the_backup(chart, export, monkeypatch, command):
    def half_copy(src, dst, *args):
        dst.write(src.read(100))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer.shutil, "copyfileobj", half_copy)
    data = chart.read_bytes()
    listing = folder_listing(chart.parent)
    result = run(*COMMANDS[command](chart, export))
    assert result.exit_code == 1
    assert one_error_line(result) == (f"Error: {chart}: could not keep a backup in chart-backups/ (No space left on "
                                      "device); nothing was changed.")
    assert chart.read_bytes() == data
    # No half-written backup, which would look like a good one and push a real one out.
    backups = chart.parent / writer.BACKUP_DIR
    assert not backups.exists() or not any(backups.iterdir())
    assert [p for p in folder_listing(chart.parent) if p not in listing and p != writer.BACKUP_DIR] == []


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_unwritable_folder_simulated(chart, export, monkeypatch, command, code):
    def denied(name, real_open):
        raise OSError(code, os.strerror(code))

    creating_temporary(monkeypatch, denied)
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run(*COMMANDS[command](chart, export))
    assert result.exit_code == 1
    assert one_error_line(result) == (f"Error: {chart}: cannot write in its folder ({os.strerror(code)}); nothing was "
                                      "changed. Check that the folder is writable and the disk has room.")
    assert_untouched(chart, data, listing)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("code", [errno.EXDEV, errno.EROFS, errno.EPERM])
def test_replace_fails(chart, export, monkeypatch, command, code):
    def cannot(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(writer.os, "replace", cannot)
    data = chart.read_bytes()
    result = run(*COMMANDS[command](chart, export))
    assert result.exit_code == 1
    assert one_error_line(result) == (f"Error: {chart}: could not be replaced by the new version "
                                      f"({os.strerror(code)}); the original is unchanged.")
    assert chart.read_bytes() == data
    assert not list(chart.parent.glob("*.chart-tmp.xlsx"))
    for backup in (chart.parent / writer.BACKUP_DIR).iterdir():
        assert backup.read_bytes() == data  # the backup made on the way is a true copy


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only (0555) folder anyway; the simulated "
                                              "variants above cover it")
@pytest.mark.parametrize("command", COMMANDS)
def test_unwritable_folder_for_real(chart, export, command):
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    os.chmod(chart.parent, 0o555)
    try:
        result = run(*COMMANDS[command](chart, export))
    finally:
        os.chmod(chart.parent, 0o755)
    assert result.exit_code == 1
    assert "cannot write in its folder (Permission denied)" in one_error_line(result)
    assert_untouched(chart, data, listing)


# --------------------------------------------------------------------------- two writers at once


def _other_program_saves(path: Path, source: Path, how: str) -> None:
    done = subprocess.run(worker("write", path, source, how), capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr


@contextlib.contextmanager
def _half_saved_in_place(path: Path, edited: Path):
    """Another program is part-way through saving ``edited`` over ``path`` in place.

    The way `cp`, or an editor that writes into the same file, saves: the file
    is truncated and half of the new bytes written (the inode stays the same, so
    an open handle on the old file reads the new bytes); the rest are written
    when the block ends.
    """
    data = edited.read_bytes()
    with path.open("r+b") as fh:
        fh.truncate(0)
        fh.write(data[: len(data) // 2])
        fh.flush()
        try:
            yield
        finally:
            fh.write(data[len(data) // 2:])


def _edit_during(stage: str, monkeypatch, path: Path, edited: Path, how: str) -> None:
    """Make another process save ``edited`` over ``path`` while chart is at ``stage``."""
    if stage == "reading":
        # The save is under way while chart reads the workbook (its chart sheets: writer.update_chart).
        from workbook_tool import workbook

        real_read = workbook.read_chart_grids

        def read_while_saved(*args, **kwargs):
            with _half_saved_in_place(path, edited):
                return real_read(*args, **kwargs)

        monkeypatch.setattr(workbook, "read_chart_grids", read_while_saved)
    elif stage == "writing":
        # The save is under way while chart copies the workbook's parts into the new version.
        from workbook_tool.xlsxpackage import Package

        real_save = Package.save

        def save_while_saved(self, out):
            with _half_saved_in_place(path, edited):
                return real_save(self, out)

        monkeypatch.setattr(Package, "save", save_while_saved)
    elif stage == "planning":
        real_plan = sync_module.plan_sync

        def plan_then_edit(*args, **kwargs):
            plan = real_plan(*args, **kwargs)
            _other_program_saves(path, edited, how)
            return plan

        monkeypatch.setattr(sync_module, "plan_sync", plan_then_edit)
    elif stage == "checking":
        real_verify = readback.verify_written

        def verify_then_edit(*args, **kwargs):
            real_verify(*args, **kwargs)
            _other_program_saves(path, edited, how)

        monkeypatch.setattr(readback, "verify_written", verify_then_edit)
    elif stage == "backup":
        real_backup = writer.backup

        def backup_then_edit(*args, **kwargs):
            made = real_backup(*args, **kwargs)
            _other_program_saves(path, edited, how)
            return made

        monkeypatch.setattr(writer, "backup", backup_then_edit)


@pytest.mark.parametrize(("stage", "how"), [(stage, how) for stage in ("planning", "checking", "backup")
                                             for how in ("rename", "inplace")]
                         + [(stage, "half-inplace") for stage in ("reading", "writing")])
def test_an_edit_saved_while_sync_works_is_kept_and_sync_refuses(world, tmp_path, monkeypatch, stage, how):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(world.original)
    edited = world.edited.read_bytes()
    _edit_during(stage, monkeypatch, path, world.edited, how)
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 1, result.output
    assert one_error_line(result) == (f"Error: {path}: {CHANGED} (another program saved, moved or deleted it). "
                                      "Nothing was written; run again to include that change.")
    assert path.read_bytes() == edited, "the person's edit was lost"
    assert not list(tmp_path.glob(".*.chart-tmp.xlsx"))
    backups = tmp_path / writer.BACKUP_DIR
    assert not backups.exists() or not any(backups.iterdir()), "a refused run left a backup"


def test_an_edit_saved_during_an_import_is_kept(world, tmp_path, monkeypatch, export):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(world.original)
    _edit_during("checking", monkeypatch, path, world.edited, "rename")
    result = run("import", path, export)
    assert result.exit_code == 1
    assert CHANGED in one_error_line(result)
    assert path.read_bytes() == world.edited.read_bytes()


@pytest.mark.parametrize("how", ["rename", "slow-inplace"])
def test_an_edit_saved_at_a_random_moment_is_never_lost(world, tmp_path, how):
    rng = random.Random(7)
    outcomes = []

    def once(i: int):
        folder = tmp_path / f"edit{i}"
        folder.mkdir()
        path = folder / "chart.xlsx"
        path.write_bytes(world.original)
        # From the start of the run, or (in place) from the moment it holds its lock.
        delay = rng.uniform(0.2, 1.1) * world.duration if how == "rename" else rng.uniform(0, 0.6) * world.duration
        sync = subprocess.Popen(chart_cmd("sync", path, "--today", TODAY_ARG), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=ENV)
        editor = subprocess.Popen(worker("write", path, world.edited, how, delay), env=ENV)
        _, err = sync.communicate(timeout=60)
        assert editor.wait(timeout=60) == 0
        assert "Traceback" not in err
        assert sync.returncode == 0 or CHANGED in err, err
        assert grid_value(path, "Contacts", 2, NOTES_COLUMN) == EDIT, f"edit lost (sync: {sync.returncode} {err})"
        return "refused" if sync.returncode else "synced"

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(once, range(10)))
    assert len(outcomes) == 10


def test_two_syncs_at_once_write_the_same_as_one(world, tmp_path):
    rng = random.Random(11)
    for i in range(4):
        folder = tmp_path / f"pair{i}"
        folder.mkdir()
        path = folder / "chart.xlsx"
        path.write_bytes(world.original)
        procs = []
        for offset in (0.0, rng.uniform(0, 0.6 * world.duration)):
            time.sleep(offset)
            procs.append(subprocess.Popen(chart_cmd("sync", path, "--today", TODAY_ARG), stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, env=ENV))
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert "Traceback" not in err
            assert proc.returncode == 0 or (proc.returncode == 1 and BUSY in err), err
        assert parts(path) == world.reference
        assert not list(folder.glob(".*.chart-tmp.xlsx"))


def test_a_sync_and_an_import_at_once_keep_both_or_refuse_one(world, tmp_path):
    export = tmp_path / "export.csv"
    newcomers = ["Imported Iris", "Imported Ivan", "Imported Ines"]
    export.write_text("Name,Email\n" + "".join(f"{n},{n.split()[1].lower()}@imported.org\n" for n in newcomers),
                      encoding="utf-8")
    rng = random.Random(5)
    seen = set()
    for i in range(5):
        folder = tmp_path / f"both{i}"
        folder.mkdir()
        path = folder / "chart.xlsx"
        path.write_bytes(world.original)
        commands = [chart_cmd("sync", path, "--today", TODAY_ARG), chart_cmd("import", path, export)]
        if i % 2:
            commands.reverse()
        procs = []
        for offset, command in zip((0.0, rng.uniform(0, 0.8 * world.duration)), commands):
            time.sleep(offset)
            procs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV))
        codes = {}
        for proc, command in zip(procs, commands):
            _, err = proc.communicate(timeout=60)
            assert "Traceback" not in err
            assert proc.returncode == 0 or (proc.returncode == 1 and (BUSY in err or CHANGED in err)), err
            codes[command[3]] = proc.returncode
        names = {row[0] for row in read_grids(path)["Contacts"] if row}
        imported = set(newcomers) <= names
        assert imported == (codes["import"] == 0), (codes, imported)
        assert lint(path) == []
        if codes["sync"] == 0 and not imported:
            assert parts(path) == world.reference
        seen.add(tuple(sorted(codes.items())))
    assert seen
