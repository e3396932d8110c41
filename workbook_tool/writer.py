"""Writing the user's workbook without ever losing it.

The only copy of months of work goes through here: refuse while Excel or
LibreOffice has it open, hold a lock so two runs cannot interleave, notice a change made while we worked, keep a
backup, write a temporary file in the same folder, check it, then replace the
original atomically. Any failure leaves the original byte for byte as it was and
no temporary file behind. ``update_chart`` is that path for every command that
changes a workbook (sync, import): read, plan, check where the cells go, write with
the one writer (``xlsxpatch``), read back (``readback``), back up, replace.

It is also the only atomic file writer: ``Temporary`` (for ``chart init``, the
calendar and drafts) and the backups start, like the workbook's temporary file,
in ``create_new``, with one rule for permissions (a replaced file keeps its own,
a new one gets 0o666 less the umask).

Nothing beside the workbook is trusted: lock files are looked at (``locks``),
never read past their first bytes; temporary and backup files are created new,
never through a link someone put at a name chart would use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import ChartError, RefusedToWrite, WriteFailed
from .locks import check_not_open
from .plan import SyncResult

BACKUP_DIR = "chart-backups"
BACKUPS_KEPT = 10


# --------------------------------------------------------------------------- the write itself


@dataclass(frozen=True)
class Fingerprint:
    """Enough about a file to notice that someone changed it while we worked."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> "Fingerprint":
        st = path.stat()
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return cls(st.st_size, st.st_mtime_ns, digest.hexdigest())


@contextlib.contextmanager
def exclusive(path: Path):
    """Hold an advisory lock on the workbook for a whole run: two runs never interleave.

    The lock lives on the file being replaced, so a run that starts after the
    replace locks the new file and reads the new content.
    """
    import fcntl

    try:
        fh = path.open("rb")
    except OSError as exc:
        raise WriteFailed(f"cannot be opened ({exc.strerror}).", path=path) from None
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RefusedToWrite(BUSY, path=path) from None
        # Another run may have replaced the file between our open and our lock: then
        # we hold the lock of a file that is no longer there, and must not go on.
        try:
            same = os.fstat(fh.fileno()).st_ino == path.stat().st_ino
        except OSError:
            same = False
        if not same:
            raise RefusedToWrite(BUSY, path=path)
        remove_stale_temporaries(path)
        yield
    finally:
        fh.close()


BUSY = "another chart command is writing this workbook right now. Wait for it to finish, then run again."
TEMPORARY_SUFFIX = ".chart-tmp.xlsx"


def _new_temporary(path: Path) -> tuple[int, Path]:
    """A new temporary file beside the workbook, held by a lock for as long as it lives: ``(fd, path)``.

    ``create_new`` makes it exclusively (O_EXCL, never through a link) and private
    under an unguessable name. The lock (flock) is how the next run tells a live
    run's file from one left by a run that was killed: the kernel drops it when its
    process dies.
    """
    import fcntl

    fd, name = create_new(lambda: str(path.parent / f".{path.stem}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pass  # a file system without locks: the file is still ours, just not marked live
    return fd, Path(name)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete this workbook's temporary files left by runs that died mid-write (a kill, a crash, a power cut).

    A file no one holds a lock on is a dead run's, whatever its age, and goes; a
    live run's, locked, is never touched (even one of a run whose workbook another
    program swapped out from under the workbook's own lock). Only regular files
    named as this workbook's temporaries are named are looked at (not another
    workbook's whose name starts the same), and a link is never followed.
    """
    import fcntl
    import stat

    pattern = re.compile(r"^\." + re.escape(path.stem) + r"\.[A-Za-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX) + "$")
    removed = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        if not pattern.match(name):
            continue
        candidate = path.parent / name
        try:
            fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # a link, gone already, or not ours to read
        try:
            held = os.fstat(fd)
            if not stat.S_ISREG(held.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its run is alive
            if os.lstat(candidate).st_ino == held.st_ino:  # still the file just found dead
                os.unlink(candidate)
                removed.append(candidate)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def backup(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy the workbook into chart-backups/ beside it; keep the newest ten of this workbook.

    Nothing in chart-backups/ is trusted: the folder is used only if it is a real
    folder (``RefusedToWrite`` if it is a link or a file), the copy goes into a file
    created new under an unguessable name (never through a link someone planted at
    a name chart would use), and only regular files count as backups, so links named
    like the newest backups never push the real ones out.
    """
    dir_fd = _backup_folder(path)
    try:
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        final = f"{path.stem}.{stamp}{path.suffix}"
        n = 1
        while _name_taken(final, dir_fd):
            final = f"{path.stem}.{stamp}-{n}{path.suffix}"
            n += 1
        # Copied under a hidden name, then renamed: a copy cut short (a full disk, a kill)
        # never looks like a good backup, nor pushes a good one out of the last ten.
        fd, partial = create_new(lambda: f".{final}.{secrets.token_hex(4)}.partial", dir_fd)
        try:
            with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                # What copy2 kept: the permissions (a private workbook's backups stay
                # private) and the dates.
                st = os.fstat(src.fileno())
                os.fchmod(dst.fileno(), st.st_mode & 0o7777)
                os.utime(dst.fileno(), ns=(st.st_atime_ns, st.st_mtime_ns))
            # A name taken since the check above is replaced, link and all: rename never
            # writes through a link.
            os.rename(partial, final, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial, dir_fd=dir_fd)
            raise
        pattern = re.compile(re.escape(path.stem) + r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix) + "$")

        def made_when(name: str):
            # By the time in the name, when the backup was made. Not by the file's date:
            # the copy keeps the workbook's own date, and a workbook restored from an old
            # backup with its date kept would make the newest backup look the oldest.
            stamp, n = pattern.match(name).groups()
            return stamp, int(n or 0)

        ours = sorted((name for name in os.listdir(dir_fd) if pattern.match(name) and _is_file(name, dir_fd)),
                      key=made_when)
        for old in ours[:-BACKUPS_KEPT]:
            os.unlink(old, dir_fd=dir_fd)
        return path.parent / BACKUP_DIR / final
    finally:
        os.close(dir_fd)


def _backup_folder(path: Path) -> int:
    """chart-backups/ beside the workbook, made if missing and opened without following a link."""
    folder = path.parent / BACKUP_DIR
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder)  # a link or a file at that name is left alone, and refused below
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
    # A link would send the backups, and the pruning of old ones, wherever it points.
    what = "link" if folder.is_symlink() else "file"
    raise RefusedToWrite(f"{BACKUP_DIR} beside it is a {what}, not a folder, so chart cannot keep its backup there. "
                         "Nothing was written. Rename or remove it, then run again.", path=path)


def _name_taken(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _is_file(name: str, dir_fd: int) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def create_new(make_name, dir_fd: int | None = None, mode: int = 0o600) -> tuple[int, str]:
    """A file created by this call and no one else, as ``(fd, name)``; ``make_name()`` proposes names.

    Every file chart writes starts here (the workbook's temporary file, backups,
    ``Temporary`` for init, calendars and drafts). O_EXCL fails on any name that
    exists, a link included, so nothing is ever written through a link planted at
    a name chart would use. ``mode`` is filtered by the umask as for any new file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = make_name()
        try:
            return os.open(name, flags, mode, dir_fd=dir_fd), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a new file")


class Temporary:
    """A new file beside ``target`` that is to replace it atomically: written whole, then renamed over it.

    The one rule for the permissions of what chart writes: a file that replaces
    another keeps that file's permissions (a private calendar stays private); a
    new file gets what any new file gets, 0o666 less the umask. Used by ``chart
    init``, ``chart calendar`` and ``chart draft``; the workbook itself goes
    through ``replace_safely``. OSError on failure; ``discard`` removes the file.
    """

    def __init__(self, target, prefix: str, *, absent: bool = False):
        # Paths as text: ``chart draft`` makes one Temporary per draft, and pathlib objects cost
        # more than the rest of it but the kernel's work. ``absent``: the caller has just seen
        # nothing at ``target`` (a new draft), so there are no permissions to keep.
        self.target = os.fspath(target)
        mode = None
        if not absent:
            try:
                mode = os.stat(self.target).st_mode & 0o7777
            except FileNotFoundError:
                pass
        folder = os.path.dirname(self.target)
        # Private while written when it will take another file's permissions; else the umask rules.
        self.fd, name = create_new(lambda: os.path.join(folder, f"{prefix}{secrets.token_hex(4)}.tmp"),
                                   mode=0o600 if mode is not None else 0o666)
        self.path: str | None = name
        if mode is not None:
            try:
                os.fchmod(self.fd, mode)
            except BaseException:
                self.discard()
                raise

    def write(self, content, *, durable: bool = True) -> None:
        """Fill the file with ``content`` (bytes, or ``content(file)`` writing to a binary file) and close it.

        ``durable``: flushed to the disk before the rename, so a power cut leaves the
        old file or the new one, never an empty one.
        """
        try:
            if callable(content):
                with os.fdopen(self.fd, "wb", closefd=False) as fh:
                    content(fh)
            else:
                view = memoryview(content)
                while view:
                    view = view[os.write(self.fd, view):]
            if durable:
                os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = None

    def replace(self) -> None:
        """Rename the written file over the target (atomic: a reader sees the old file or the new one)."""
        os.replace(self.path, self.target)
        self.path = None

    def discard(self) -> None:
        """Remove the file unless it replaced the target (safe to call at any point, and again)."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.path = None


def write_atomically(target: Path, content, *, prefix: str, durable: bool = True) -> None:
    """Write ``content`` (bytes, or ``content(file)``) to ``target`` through a ``Temporary``: all of it or nothing.

    OSError when it cannot be written; the old file, if any, is then as it was and
    no temporary file is left.
    """
    temporary = Temporary(target, prefix)
    try:
        temporary.write(content, durable=durable)
        temporary.replace()
    finally:
        temporary.discard()


def _save_to(tmp: Path, fd: int, save) -> str | None:
    """Run ``save(tmp)`` and flush it (``fd`` is the file's) to disk; what went wrong with the disk, in words, or None.

    On a full disk openpyxl's writer (lxml) raises SerialisationError("IO_ENOSPC",
    "IO_EFBIG" …) rather than OSError, and the half-written zip it leaves fails again
    in its finalizers, which Python reports as "Exception ignored … Traceback" on
    stderr. Both are turned into one reason, and the finalizers run here, quietly.
    """
    import gc
    import sys

    failure = None
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            save(tmp)
            os.fsync(fd)
        except OSError as exc:
            failure = exc.strerror or str(exc)
        except Exception as exc:
            code = str(exc)[3:] if type(exc).__name__ == "SerialisationError" and str(exc).startswith("IO_") else ""
            if not hasattr(errno, code):
                raise
            failure = os.strerror(getattr(errno, code))
        gc.collect()  # the failed save's objects, while their complaints are muted
    finally:
        sys.unraisablehook = hook
    return failure


CHANGED = ("changed while chart was working on it (another program saved, moved or deleted it). Nothing was "
           "written; run again to include that change.")


def _changed(path: Path, before: Fingerprint) -> bool:
    try:
        return Fingerprint.of(path) != before
    except OSError:
        return True  # moved or deleted meanwhile: not ours to recreate


def check_unchanged(path: Path, before: Fingerprint) -> None:
    """``RefusedToWrite`` when the file is no longer what ``before`` describes (saved, moved or deleted)."""
    if _changed(path, before):
        raise RefusedToWrite(CHANGED, path=path)


@contextlib.contextmanager
def refusing_if_changed(path: Path, before: Fingerprint):
    """Any error inside the block becomes ``check_unchanged``'s refusal when the file changed meanwhile.

    A program that saves in place (cp, an editor writing into the same file) makes
    whatever reads the workbook meanwhile see half of the old file and half of the
    new: a "damaged" archive or a zip error. The cause is the other save, and the
    answer is the one for a change, not a report of damage or an unexpected error.
    """
    try:
        yield
    except Exception:
        if _changed(path, before):
            raise RefusedToWrite(CHANGED, path=path) from None
        raise


READ_ONLY = ("is read-only, and chart does not replace a read-only workbook (Excel would not save over it "
             "either). Nothing was written. Make it writable (chmod u+w, or untick Read-only in its properties), "
             "then run again.")


def check_writable(path: Path) -> None:
    """``RefusedToWrite`` when the workbook is read-only: no write permission for anyone, or none for us.

    The mode bits are read, not only os.access: as root, os.access says yes to
    every file, and the replace (a rename in the folder) would succeed, dropping
    the read-only mark the person set.
    """
    try:
        st = path.stat()
    except OSError:
        return  # gone: the other checks say so
    if not st.st_mode & 0o222 or (os.geteuid() != 0 and not os.access(path, os.W_OK)):
        raise RefusedToWrite(READ_ONLY, path=path)


def _check_still_ours(tmp: Path, fd: int, path: Path) -> None:
    # The temporary file's name must still lead to the file we made (not to a link or
    # file someone put there since): that name is what is read back and renamed.
    try:
        ours = os.lstat(tmp).st_ino == os.fstat(fd).st_ino
    except OSError:
        ours = False
    if not ours:
        raise WriteFailed(f"could not be written (its temporary file {tmp.name} was removed or replaced by another "
                          "program); the original is unchanged.", path=path)


def replace_safely(path: Path, save, verify, before: Fingerprint, *, keep_backup: bool = True,
                   lock_places=()) -> Path | None:
    """Write a new version of ``path`` through ``save(tmp_path)``; return the backup made.

    ``verify(tmp_path)`` re-reads the new file and raises if it is not right.
    Right before the replace, the original must still match ``before``, still be
    writable, and (at each of ``lock_places``) not have been opened in Excel or
    LibreOffice meanwhile. On any failure the temporary file is removed and the
    original is untouched.
    """
    folder = path.parent
    try:
        fd, tmp = _new_temporary(path)
    except OSError as exc:
        raise WriteFailed(f"cannot write in its folder ({exc.strerror}); nothing was changed. Check that the "
                          "folder is writable and the disk has room.", path=path) from None
    replaced = False
    try:
        with refusing_if_changed(path, before):  # both read the original again
            failure = _save_to(tmp, fd, save)
            if failure is not None:
                raise WriteFailed(f"could not be written ({failure}); the original is unchanged. Check that the "
                                  "disk has room.", path=path)
            _check_still_ours(tmp, fd, path)
            verify(tmp)
        check_unchanged(path, before)
        try:
            st = path.stat()
            os.fchmod(fd, st.st_mode & 0o7777)
        except OSError as exc:
            raise WriteFailed(f"could not be written ({exc.strerror or exc}); the original is unchanged.",
                              path=path) from None
        if os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.fchown(fd, st.st_uid, st.st_gid)
        made = None
        if keep_backup:
            try:
                made = backup(path)
            except OSError as exc:
                raise WriteFailed(f"could not keep a backup in {BACKUP_DIR}/ ({exc.strerror or exc}); nothing was "
                                  "changed.", path=path) from None
        try:
            # Again, as late as can be: a save by another program, the workbook opened
            # in Excel or LibreOffice or made read-only while chart worked (or during
            # the backup) would otherwise be replaced unseen.
            check_unchanged(path, before)
            for where in lock_places:
                check_not_open(where)
            check_writable(path)
            _check_still_ours(tmp, fd, path)
        except ChartError:
            if made is not None:
                with contextlib.suppress(OSError):
                    made.unlink()
            raise
        try:
            os.replace(tmp, path)
            replaced = True
        except OSError as exc:
            raise WriteFailed(f"could not be replaced by the new version ({exc.strerror or exc}); the original is "
                              "unchanged.", path=path) from None
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return made
    finally:
        os.close(fd)  # and with it the lock that marked the temporary file live
        if not replaced:
            with contextlib.suppress(OSError):
                tmp.unlink()


# --------------------------------------------------------------------------- the one write path


PHASES = ("Reading", "Planning", "Opening for writing", "Writing", "Checking the new file")


def update_chart(path, make_plan, *, dry_run: bool = False, force: bool = False, progress=None):
    """Read the chart, plan with ``make_plan(chart, grids, objects) -> SyncPlan``, and write the plan safely.

    The one write path for every command that changes a workbook (sync, import):
    lock checks, the advisory lock around read-plan-write, where cells may go (``check_layout``), the
    one writer (``xlsxpatch``), the backup, the atomic replace and the read-back check all live here.
    ``force`` overrides the lock-file refusal only.
    ``progress(label, done, total)``, when given, hears about each phase.
    """
    # Imported here: drafts and ics use this module's file helpers and need none of the chart machinery.
    from . import xlsxpatch
    from .readback import verify_written
    from .filecheck import check_workbook_file
    from .workbook import chart_from_grids, read_chart_grids

    def phase(index: int) -> None:
        if progress is not None:
            progress(PHASES[index], index, len(PHASES))

    path = Path(path)
    target = path.resolve()
    if dry_run:
        phase(0)
        grids = read_chart_grids(path, tool_sheets=True)  # a person's other sheets: only copied
        chart = chart_from_grids(path, grids)
        phase(1)
        return SyncResult(path, _checked_plan(make_plan, chart, grids), dry_run=True)
    # A missing or bad file gets its own message before any lock is taken; the parts the
    # write edits are parsed whole, however big.
    check_workbook_file(path, whole_parts=True)
    check_writable(target)
    # Through a symlink, the program that has it open may keep its lock beside
    # either the link or the file it points to; looked at again before the replace.
    lock_places = () if force else tuple(dict.fromkeys((path.absolute(), target)))
    for where in lock_places:
        check_not_open(where)
    with exclusive(target), _gc_frozen() as freeze:
        phase(0)
        before = Fingerprint.of(target)
        with refusing_if_changed(target, before):  # a save in place meanwhile reads as damage
            grids = read_chart_grids(path, tool_sheets=True)  # a person's other sheets: only copied
            chart = chart_from_grids(path, grids)
        freeze()
        phase(1)
        plan = _checked_plan(make_plan, chart, grids)
        result = SyncResult(path, plan)
        if not plan.changed:
            return result
        chart = _layout_only(chart)
        freeze()
        phase(2)
        def save(tmp):
            phase(3)
            # Only the changed cells and parts are rewritten; every other byte is copied.
            xlsxpatch.write_plan(target, tmp, plan, chart)
            check_unchanged(target, before)  # what was patched is what was planned from

        def verify(tmp):
            phase(4)
            verify_written(tmp, grids, plan, chart)

        result.backup = replace_safely(target, save, verify, before, lock_places=lock_places)
        result.written = True
        return result


@contextlib.contextmanager
def _gc_frozen():
    """``freeze()``: the objects made so far (the cells read, the plan) are left out of cycle collection.

    They live to the end of the run; without this the collector walks all of them
    each time the heap grows by a quarter, most of a large sync's time, to find
    nothing. It still collects what comes later (a template's errors leave cycles).
    """
    import gc

    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _layout_only(chart):
    """The chart with each table's rows cut to the last: all that writing and checking need.

    The rows (a dict per contact) are much of a large chart's memory; dropped
    here, that memory serves the write and the read-back instead.
    """
    import dataclasses

    def slim(table):
        return None if table is None else dataclasses.replace(table, rows=table.rows[-1:])

    return dataclasses.replace(chart, contacts=slim(chart.contacts), want_to_meet=slim(chart.want_to_meet),
                               templates=slim(chart.templates))


def _checked_plan(make_plan, chart, grids):
    """``make_plan``'s plan, refused (``placement.check_layout``) where it would put a cell Excel drops."""
    from .placement import check_layout, read_objects

    objects = read_objects(chart)
    plan = make_plan(chart, grids, objects)
    check_layout(plan, chart, grids, objects)
    return plan
