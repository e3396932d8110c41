"""writer.py: the safe write path, and the files around the workbook it reads or writes, never trusted.

(Issue 11, points 8, 9 and 12; the one atomic file writer, ``Temporary``, from issue 12.)

* Lock files (``.~lock.NAME#``, ``~$NAME``) are looked at, not read in full: a lock
  that is a link to /dev/zero, a FIFO, a folder or an unreadable file still means
  "open elsewhere", and chart answers at once, in bounded memory.
* Every temporary and backup file is created new, never through a link someone
  planted at a name chart would use, and ``chart-backups`` that is a link or a file
  is refused.
* A read-only workbook is not replaced; a lock file that appears during a sync
  stops it before the replace; a temporary file a killed run left behind is removed
  by the next run, a live run's never.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run
from sync_fixtures import TODAY_ARG, folder_listing, libreoffice_lock, sample_chart

from workbook_tool import readback, writer

ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)}
MEMORY_LIMIT = 1024 * 2**20  # a whole sync needs well under a tenth of this
OPEN_HINT = "Save and close it there first, then run again (or add --force if that lock is stale)."


@pytest.fixture
def chart(tmp_path) -> Path:
    return sample_chart(tmp_path / "chart.xlsx")


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def chart_in_a_box(command: str, *args, timeout: float = 30) -> subprocess.CompletedProcess:
    """``chart COMMAND ARGS --today …`` in a child with a memory limit and a time limit.

    A lock read in full from /dev/zero would otherwise grow until the kernel kills
    a process (perhaps not this one); a FIFO would block the test run forever.
    """
    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([sys.executable, "-m", "workbook_tool", command, *map(str, args), "--today", TODAY_ARG],
                          capture_output=True, text=True, env=ENV, preexec_fn=limited, timeout=timeout)


def sync_in_a_box(*args) -> subprocess.CompletedProcess:
    return chart_in_a_box("sync", *args)


# --------------------------------------------------------------------------- point 8: lock files


LOCK_NAMES = {
    "libreoffice": (".~lock.chart.xlsx#", "LibreOffice"),
    "excel": ("~$chart.xlsx", "Excel"),
    "excel-short": ("~$art.xlsx", "Excel"),  # Excel's name less the workbook name's first two characters
}


def plant(kind: str, where: Path, victim: Path) -> str:
    """Put a ``kind`` of non-lock at ``where``; what chart should say of it."""
    if kind == "link to /dev/zero":
        where.symlink_to("/dev/zero")
        return "which is a link, not a file"
    if kind == "link to a file":
        where.symlink_to(victim)
        return "which is a link, not a file"
    if kind == "dangling link":
        where.symlink_to(where.parent / "nowhere")
        return "which is a link, not a file"
    if kind == "fifo":
        os.mkfifo(where)
        return "which is not a regular file"
    if kind == "folder":
        where.mkdir()
        return "which is not a regular file"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo", "folder", "link to a file", "dangling link"])
@pytest.mark.parametrize("lock", LOCK_NAMES)
def test_a_lock_that_is_not_a_file_is_not_read_and_still_refuses(chart, tmp_path, lock, kind):
    name, program = LOCK_NAMES[lock]
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b",Mallory,evil,01.01.2026 00:00,file:///x;" + b"x" * 10_000)
    note = plant(kind, tmp_path / name, victim)
    data = chart.read_bytes()
    done = sync_in_a_box(chart)
    assert done.returncode == 1, done.stderr
    assert one_error_line(done.stderr) == f"Error: {chart}: is open in {program} (lock file {name}, {note}). {OPEN_HINT}"
    assert chart.read_bytes() == data
    assert not (tmp_path / writer.BACKUP_DIR).exists()


@pytest.mark.parametrize("lock", LOCK_NAMES)
def test_a_huge_lock_file_is_read_only_at_its_start(chart, tmp_path, lock):
    # A regular lock file of 4 GiB (sparse: no disk used) after its first bytes: only
    # the start is read, so the sync answers at once, in little memory.
    name, program = LOCK_NAMES[lock]
    path = tmp_path / name
    if program == "LibreOffice":
        libreoffice_lock(chart).rename(path)
        who = "Jane Doe on laptop since 25.11.2026 10:00"
    else:
        path.write_bytes(bytes([8]) + b"Jane Doe" + b" " * 45)
        who = "Jane Doe"
    with path.open("r+b") as fh:
        fh.truncate(4 * 2**30)
    done = sync_in_a_box(chart)
    assert done.returncode == 1, done.stderr
    assert one_error_line(done.stderr) == f"Error: {chart}: is open in {program} ({who}; lock file {name}). {OPEN_HINT}"


@pytest.mark.parametrize("lock", LOCK_NAMES)
def test_an_unreadable_lock_still_refuses(chart, tmp_path, lock, monkeypatch):
    # As root a 0000 file is readable, so the refusal to read is simulated.
    name, program = LOCK_NAMES[lock]
    path = tmp_path / name
    path.write_bytes(b",Jane Doe,laptop,25.11.2026 10:00,file:///x;")
    os.chmod(path, 0)
    real_open = os.open

    def denied(file, *args, **kwargs):
        if Path(file).name == name:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(writer.os, "open", denied)
    data = chart.read_bytes()
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == f"Error: {chart}: is open in {program} (someone; lock file {name}). {OPEN_HINT}"
    assert chart.read_bytes() == data


def test_with_force_a_fifo_lock_is_not_even_looked_at(chart, tmp_path):
    os.mkfifo(tmp_path / ".~lock.chart.xlsx#")
    done = sync_in_a_box(chart, "--force")
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- point 9: planted links


def backup_names(stem: str, suffix: str, start: dt.datetime, seconds: int) -> list[str]:
    """Names a backup (and its partial copy) could get in the ``seconds`` after ``start``.

    The backups' own names up to "-3" (taken, chart moves on to "-4"), their partial
    copies' names up to "-9".
    """
    names = []
    for s in range(-1, seconds):
        stamp = (start + dt.timedelta(seconds=s)).strftime("%Y%m%d-%H%M%S")
        for n in range(10):
            final = f"{stem}.{stamp}{f'-{n}' if n else ''}{suffix}"
            names += [final, f".{final}.partial"] if n < 4 else [f".{final}.partial"]
    return names


def test_planted_links_in_chart_backups_are_never_followed(chart, tmp_path):
    # Someone who can write into chart-backups/ plants a link at every name chart could
    # give a backup or its partial copy in the next minute, each to a file of theirs.
    backups = tmp_path / writer.BACKUP_DIR
    backups.mkdir()
    victims = tmp_path / "victims"
    victims.mkdir()
    planted = {}
    for i, name in enumerate(backup_names("chart", ".xlsx", dt.datetime.now(), 60)):
        victim = victims / f"victim{i}.txt"
        victim.write_bytes(b"an unrelated file %d" % i)
        (backups / name).symlink_to(victim)
        planted[name] = victim
    original = chart.read_bytes()
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    assert chart.read_bytes() != original
    for i, (name, victim) in enumerate(planted.items()):
        assert victim.read_bytes() == b"an unrelated file %d" % i, f"written through the link {name}"
    made = [p for p in backups.iterdir() if not p.is_symlink()]
    assert len(made) == 1 and made[0].read_bytes() == original
    assert not made[0].name.endswith(".partial")
    # The links are not chart's to delete, nor counted among its ten backups.
    assert sorted(p.name for p in backups.iterdir() if p.is_symlink()) == sorted(planted)


def test_planted_links_never_push_real_backups_out(chart, tmp_path):
    # Links named like the newest backups must not make chart delete its real ones.
    backups = tmp_path / writer.BACKUP_DIR
    backups.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"theirs")
    for n in range(12):
        (backups / f"chart.2099010{n % 9 + 1}-12000{n % 10}.xlsx").symlink_to(victim)
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):
        assert run("sync", chart, "--today", day).exit_code == 0
    real = [p for p in backups.iterdir() if not p.is_symlink()]
    assert len(real) == 3
    assert victim.read_bytes() == b"theirs"


@pytest.mark.parametrize("what", ["link", "file"])
def test_chart_backups_that_is_not_a_folder_is_refused(chart, tmp_path, what):
    backups = tmp_path / writer.BACKUP_DIR
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if what == "link":
        backups.symlink_to(elsewhere, target_is_directory=True)
    else:
        backups.write_bytes(b"a file of the person's")
    data = chart.read_bytes()
    listing = folder_listing(tmp_path)
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        f"Error: {chart}: {writer.BACKUP_DIR} beside it is a {what}, not a folder, so chart cannot keep its backup "
        "there. Nothing was written. Rename or remove it, then run again.")
    assert chart.read_bytes() == data
    assert folder_listing(tmp_path) == listing
    assert list(elsewhere.iterdir()) == []


def test_planted_links_at_draft_temporary_names_are_never_followed(tmp_path):
    # Drafts are written through temporary names chart can predict (pid and a count from 0 each run).
    chart = sample_chart(tmp_path / "chart.xlsx")
    out = tmp_path / "drafts"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"theirs")
    for n in range(20):
        (out / f".draft-{os.getpid()}-{n}.tmp").symlink_to(victim)
    result = run("draft", chart, "--out", out, "--today", TODAY_ARG)
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == b"theirs"
    assert [p for p in out.iterdir() if not p.is_symlink() and p.suffix == ".eml"]


def test_a_link_at_a_draft_name_is_neither_followed_nor_read(tmp_path):
    # Drafts compare what is already at a draft's name with the new draft: a link
    # to /dev/zero there was read until memory ran out.
    chart = sample_chart(tmp_path / "chart.xlsx")
    out = tmp_path / "drafts"
    assert chart_in_a_box("draft", chart, "--out", out).returncode == 0
    draft = sorted(out.iterdir())[0]
    draft.unlink()
    draft.symlink_to("/dev/zero")
    done = chart_in_a_box("draft", chart, "--out", out)
    assert done.returncode == 0, done.stderr
    assert f"Kept {draft} (it exists with other content, perhaps your edits; --force replaces it)" in done.stdout
    assert draft.is_symlink()
    forced = chart_in_a_box("draft", chart, "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert not draft.is_symlink() and draft.read_bytes().startswith(b"To: ")  # the link replaced, not followed


# --------------------------------------------------------------------------- point 12


def left_behind(folder: Path, listing: list[str]) -> list[str]:
    """What a refused run left in ``folder`` that was not there before (an empty chart-backups/ aside)."""
    now = folder_listing(folder)
    if writer.BACKUP_DIR in now and writer.BACKUP_DIR not in listing and not any((folder / writer.BACKUP_DIR).iterdir()):
        now.remove(writer.BACKUP_DIR)
    return [name for name in now if name not in listing]


READ_ONLY = ("is read-only, and chart does not replace a read-only workbook (Excel would not save over it "
             "either). Nothing was written. Make it writable (chmod u+w, or untick Read-only in its "
             "properties), then run again.")


def test_a_read_only_workbook_is_not_replaced(chart):
    os.chmod(chart, 0o444)
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == f"Error: {chart}: {READ_ONLY}"
    assert chart.read_bytes() == data and folder_listing(chart.parent) == listing
    assert oct(chart.stat().st_mode & 0o777) == oct(0o444)
    assert run("sync", chart, "--today", TODAY_ARG, "--force").exit_code == 1  # --force is for locks only
    assert run("sync", chart, "--today", TODAY_ARG, "--dry-run").exit_code == 0


def test_a_workbook_made_read_only_during_a_sync_is_not_replaced(chart, monkeypatch):
    real_verify = readback.verify_written

    def verify_then_protect(*args, **kwargs):
        real_verify(*args, **kwargs)
        os.chmod(chart, 0o444)

    monkeypatch.setattr(readback, "verify_written", verify_then_protect)
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == f"Error: {chart}: {READ_ONLY}"
    assert chart.read_bytes() == data and left_behind(chart.parent, listing) == []


@pytest.mark.parametrize("stage", ["checking", "backup"])
def test_a_lock_that_appears_during_a_sync_stops_the_replace(chart, monkeypatch, stage):
    # The person opens the workbook in LibreOffice while chart works on it.
    if stage == "checking":
        real_verify = readback.verify_written

        def verify_then_open(*args, **kwargs):
            real_verify(*args, **kwargs)
            libreoffice_lock(chart)

        monkeypatch.setattr(readback, "verify_written", verify_then_open)
    else:
        real_backup = writer.backup

        def backup_then_open(*args, **kwargs):
            made = real_backup(*args, **kwargs)
            libreoffice_lock(chart)
            return made

        monkeypatch.setattr(writer, "backup", backup_then_open)
    data, listing = chart.read_bytes(), folder_listing(chart.parent)
    result = run("sync", chart, "--today", TODAY_ARG)
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        f"Error: {chart}: is open in LibreOffice (Jane Doe on laptop since 25.11.2026 10:00; lock file "
        f".~lock.{chart.name}#). {OPEN_HINT}")
    assert chart.read_bytes() == data
    assert left_behind(chart.parent, listing) == [f".~lock.{chart.name}#"], "a backup or temp was left"


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "chart-tmp" in p.name)


def test_the_temporary_file_of_a_killed_run_is_removed_by_the_next_run(chart):
    # A real run, killed (SIGKILL) half-way through writing its temporary file.
    script = (
        "import os, signal, sys\n"
        "from workbook_tool import xlsxpackage\n"
        "from workbook_tool.cli import cli\n"
        "def save(self, out):\n"
        "    open(out, 'wb').write(b'PK half a workbook')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "xlsxpackage.Package.save = save\n"
        "cli.main(args=sys.argv[1:], prog_name='chart')\n")
    data = chart.read_bytes()
    done = subprocess.run([sys.executable, "-c", script, "sync", str(chart), "--today", TODAY_ARG],
                          capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert chart.read_bytes() == data
    left = temporaries(chart.parent)
    assert len(left) == 1, "the killed run should have left its temporary file"
    assert run("sync", chart, "--today", TODAY_ARG).exit_code == 0
    assert temporaries(chart.parent) == []


def test_a_live_runs_temporary_file_is_never_removed(chart, monkeypatch):
    # While this run writes, another run (same workbook) cleans up: this run's file stays.
    real_verify = readback.verify_written
    seen = []

    def verify_while_another_cleans(tmp, *args, **kwargs):
        writer.remove_stale_temporaries(chart)
        seen.append(Path(tmp).exists())
        return real_verify(tmp, *args, **kwargs)

    monkeypatch.setattr(readback, "verify_written", verify_while_another_cleans)
    assert run("sync", chart, "--today", TODAY_ARG).exit_code == 0
    assert seen == [True]
    assert temporaries(chart.parent) == []


def test_stale_temporaries_are_told_apart_by_their_lock_not_their_age(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    dead = tmp_path / ".chart.abcd1234.chart-tmp.xlsx"  # no one holds it: its run is gone
    live = tmp_path / ".chart.wxyz5678.chart-tmp.xlsx"  # held by a run still writing it
    other = tmp_path / ".chart2.abcd1234.chart-tmp.xlsx"  # another workbook's
    victim = tmp_path / "victim.txt"
    link = tmp_path / ".chart.link1234.chart-tmp.xlsx"  # not chart's: a link someone planted
    for f in (dead, live, other, victim):
        f.write_bytes(b"half a workbook")
    link.symlink_to(victim)
    old = dt.datetime(2000, 1, 1).timestamp()
    os.utime(live, (old, old))
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        removed = writer.remove_stale_temporaries(path)
    assert removed == [dead]
    assert not dead.exists() and live.exists() and other.exists()
    assert link.is_symlink() and victim.read_bytes() == b"half a workbook"


# --------------------------------------------------------------------------- Temporary: the one atomic file writer


def test_a_new_file_follows_the_umask_and_a_replaced_one_keeps_its_permissions(tmp_path):
    path = tmp_path / "notes.ics"
    old = os.umask(0o027)
    try:
        writer.write_atomically(path, b"first", prefix=".notes.")
        assert path.read_bytes() == b"first" and os.stat(path).st_mode & 0o777 == 0o640
        os.chmod(path, 0o604)
        writer.write_atomically(path, lambda fh: fh.write(b"second"), prefix=".notes.")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"second" and os.stat(path).st_mode & 0o777 == 0o604
    assert [p.name for p in tmp_path.iterdir()] == ["notes.ics"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "notes.ics"
    path.write_bytes(b"old")

    def half(fh):
        fh.write(b"ha")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        writer.write_atomically(path, half, prefix=".notes.")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.ics"]


def test_a_temporary_is_never_made_through_a_planted_link(tmp_path, monkeypatch):
    # The names are unguessable, but were one guessed: O_EXCL refuses it, and the next name is tried.
    target = tmp_path / "elsewhere.txt"
    names = iter(["aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(writer.secrets, "token_hex", lambda n: next(names))
    (tmp_path / ".x.aaaaaaaa.tmp").symlink_to(target)
    writer.write_atomically(tmp_path / "x.ics", b"data", prefix=".x.")
    assert not target.exists()
    assert (tmp_path / "x.ics").read_bytes() == b"data"

