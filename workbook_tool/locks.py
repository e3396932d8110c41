"""Who holds a workbook: Excel's and LibreOffice's lock files, looked at without being trusted.

Owns ``check_not_open`` (the refusal while the workbook is open elsewhere, which
``writer`` checks before reading and again right before the replace),
``lock_holder`` and ``peek_file``: a file beside the workbook is looked at, never
read past its first bytes, never followed through a link, never waited on (a
FIFO, a device). ``drafts`` peeks at an existing draft the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RefusedToWrite


# LibreOffice's lock is one line of about a hundred bytes, Excel's owner file 165;
# more is never read, whatever size the file claims.
LOCK_READ_LIMIT = 512


def peek_file(path: Path, limit: int) -> bytes | str | None:
    """What sits at ``path``: None if nothing, its first ``limit`` bytes if a regular file, else a note.

    For files beside the workbook that someone else may have put there (lock
    files, drafts): never follows a link, never opens what is not a regular file (a
    FIFO would block the open or the read forever, a link to /dev/zero feed a full
    read until the process is killed) and never reads more than ``limit`` bytes. A
    file that cannot be read gives b"".
    """
    import stat

    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return b""
    if stat.S_ISLNK(st.st_mode):
        return "which is a link, not a file"
    if not stat.S_ISREG(st.st_mode):
        return "which is not a regular file"
    try:
        # O_NONBLOCK and the check below: swapped for a FIFO or a device since the
        # lstat, it is still neither waited on nor read.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "which is not a regular file"
        chunks, left = [], limit
        while left > 0:  # a read may return less than asked
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


def lock_holder(path: Path) -> str | None:
    """Who has the workbook open, from the lock file Excel or LibreOffice keeps beside it.

    Anything at a lock file's name counts, even what is not a lock file LibreOffice
    or Excel would write (a link, a FIFO, a folder): it is named, never read.
    """
    folder, name = path.parent, path.name
    lo_lock = folder / f".~lock.{name}#"
    found = peek_file(lo_lock, LOCK_READ_LIMIT)
    if isinstance(found, str):
        return f"LibreOffice (lock file {lo_lock.name}, {found})"
    if found is not None:
        # LibreOffice writes ",user,host,date,profile;" (the first field is unused).
        fields = found.decode("utf-8", "replace").split(",")
        who = fields[1].strip() if len(fields) > 1 and fields[1].strip() else "someone"
        host = f" on {fields[2].strip()}" if len(fields) > 2 and fields[2].strip() else ""
        since = f" since {fields[3].strip()}" if len(fields) > 3 and fields[3].strip() else ""
        return f"LibreOffice ({who}{host}{since}; lock file {lo_lock.name})"
    # Excel writes "~$" + the name, or + the name less its first two characters for
    # longer names; the file starts with the user name's length and the name.
    for candidate in {folder / f"~${name}", folder / f"~${name[2:]}"}:
        found = peek_file(candidate, LOCK_READ_LIMIT)
        if isinstance(found, str):
            return f"Excel (lock file {candidate.name}, {found})"
        if found is not None:
            data = found[:55]
            who = "someone"
            if data and 0 < data[0] < 55:
                who = data[1 : 1 + data[0]].decode("latin-1").strip() or who
            return f"Excel ({who}; lock file {candidate.name})"
    return None


def check_not_open(path: Path) -> None:
    """``RefusedToWrite`` while the workbook is open in Excel or LibreOffice."""
    holder = lock_holder(path)
    if holder:
        raise RefusedToWrite(f"is open in {holder}. Save and close it there first, then run again "
                             "(or add --force if that lock is stale).", path=path)
