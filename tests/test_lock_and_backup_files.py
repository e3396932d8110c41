"""The files around the workbook that chart reads or writes are never trusted (issue 11, points 8, 9 and 12).

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
import itertools
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run
from sync_fixtures import TODAY_ARG, folder_listing, libreoffice_lock, sample_chart

from workbook_tool import sync as sync_module
from workbook_tool import writer

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


def sync_in_a_box(*args, timeout: float = 30) -> subprocess.CompletedProcess:
    """``chart sync ARGS`` in a child with a memory limit and a time limit.

    A lock read in full from /dev/zero would otherwise grow until the kernel kills
    a process (perhaps not this one); a FIFO would block the test run forever.
    """
    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([sys.executable, "-m", "workbook_tool", "sync", *map(str, args), "--today", TODAY_ARG],
                          capture_output=True, text=True, env=ENV, preexec_fn=limited, timeout=timeout)


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
