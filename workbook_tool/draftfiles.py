"""``chart draft``'s files: each draft written to a temporary file as it is made, all renamed into place at the end.

``DraftFiles`` takes the drafts one at a time (``drafts.each_draft``): a draft
is written to a ``writer.Temporary`` beside its place at once and dropped to a
``drafts.Drafted`` record, so that a hundred thousand drafts are never held in
memory together; ``commit`` renames them all into place, and anything that fails
before (a full disk, a name or a folder in the way, a template, Ctrl-C) removes
every temporary, leaving no draft written. A file that exists with other content
is kept (the person may have edited it) unless ``force``; one with the same
content is left untouched. ``write_drafts`` does the same for a ``DraftRun``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .drafts import MAX_FILENAME_BYTES, Draft, Drafted, DraftRun
from .errors import BadOption, WriteFailed
from .locks import peek_file
from .writer import Temporary


class Written(Drafted):
    """What became of one draft: ``wrote``, ``unchanged`` or ``kept`` (it exists and differs), and where.

    The draft's record itself (``drafts.Drafted``: its file name, notes and findings), with its fate and,
    until it is renamed into place, its temporary file's name: one object a draft (not a record, a wrapper
    and a tuple), a hundred thousand of them held until the summary.
    """

    __slots__ = ("status", "_folder", "_temporary")

    def __init__(self, draft: Draft, status: str, folder: Path):
        super().__init__(draft)
        self.status, self._folder, self._temporary = status, folder, None

    @property
    def draft(self) -> Drafted:
        """What is kept of the draft (this record)."""
        return self

    @property
    def path(self) -> Path:
        """The draft's file (made when asked: one shared folder, not a Path held per draft)."""
        return self._folder / self.filename


def default_out_dir(chart_path) -> Path:
    """``drafts/`` beside the workbook."""
    return Path(chart_path).parent / "drafts"


class DraftFiles:
    """Drafts written into a folder (made if missing) as they come, and renamed into place all at once.

    Use as a context manager: ``add`` each draft, then ``commit``; leaving the
    block without a commit (an exception) removes every temporary file. The
    folder is made with the first draft (or at the commit). Temporaries are not
    flushed to the disk one by one (``durable=False``): a draft is made again by
    the next run, and an fsync each would make a thousand drafts take seconds.
    """

    def __init__(self, out_dir, force: bool = False):
        self.out = Path(out_dir)
        self.force = force
        self.written: list[Written] = []
        # The drafts whose temporaries are still to be renamed (each holds its temporary's name in the folder).
        self._pending: list[Written] = []
        self._folder: str | None = None  # made (or found) with the first draft, or at the commit

    def _ready(self) -> str:
        if self._folder is None:
            if self.out.exists() and not self.out.is_dir():
                raise BadOption(f"--out {self.out}: is a file, not a folder.")
            try:
                self.out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteFailed(f"the folder could not be made ({exc.strerror or exc}).", path=self.out) from None
            self._folder = os.fspath(self.out)
            self._name_max = _name_max(self._folder)
        return self._folder

    def __enter__(self) -> DraftFiles:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def add(self, draft: Draft) -> Written:
        """Write the draft to a temporary file beside its place (unless it is there already or kept)."""
        path = os.path.join(self._ready(), draft.filename)
        if len(os.fsencode(draft.filename)) > self._name_max:
            raise WriteFailed(f"is longer than the {self._name_max} bytes a file name may have in this folder; no "
                              "draft was written. Draft into another folder with --out.", path=Path(path))
        # Read no further than the draft's length: a link planted at its name (to
        # /dev/zero, say) is neither followed nor read, and counts as a file that is there.
        found = peek_file(path, len(draft.content) + 1)
        status = "wrote"
        if found is not None:
            if found == draft.content:
                status = "unchanged"
            elif not self.force:
                status = "kept"
            elif os.path.isdir(path) and not os.path.islink(path):
                raise WriteFailed("is a folder, so the draft cannot replace it; no draft was written. Move or "
                                  "rename the folder.", path=Path(path))
        written = Written(draft, status, self.out)
        if status == "wrote":
            temporary = None
            try:
                temporary = Temporary(path, ".draft-", absent=found is None)
                temporary.write(draft.content, durable=False)
            except OSError as exc:
                if temporary is not None:
                    temporary.discard()
                raise WriteFailed(f"could not be written ({exc.strerror or exc}); no draft was written.",
                                  path=Path(path)) from None
            # Its name alone: the folder is said once, not held a hundred thousand times.
            written._temporary = os.path.basename(temporary.path)
            self._pending.append(written)
        self.written.append(written)
        return written

    def commit(self) -> list[Written]:
        """Rename every temporary over its draft's place; what became of each draft, in the order added.

        A rename that fails after others (rare: one folder, one file system) says which were written.
        """
        self._ready()
        new = self._pending
        for renamed, w in enumerate(new):
            try:
                os.replace(os.path.join(self._folder, w._temporary), os.path.join(self._folder, w.filename))
            except OSError as exc:
                done = [x.filename for x in new[:renamed]]
                self._pending = new[renamed:]
                raise WriteFailed(f"could not be written ({exc.strerror or exc}); of the {len(new)} new drafts, "
                                  f"{len(done)} {'was' if len(done) == 1 else 'were'} written "
                                  f"({', '.join(done) or 'none'}) and {len(new) - len(done)} "
                                  f"{'was' if len(new) - len(done) == 1 else 'were'} not.", path=w.path) from None
        for w in new:
            w._temporary = None
        self._pending = []
        return self.written

    def discard(self) -> None:
        """Remove the temporaries not renamed yet (the folder, once made, stays)."""
        for w in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self._folder, w._temporary))
            w._temporary = None
        self._pending = []


def write_drafts(run: DraftRun, out_dir, force: bool = False) -> list[Written]:
    """Write each draft of the run into ``out_dir`` (made if missing), all of them or none (``DraftFiles``)."""
    with DraftFiles(out_dir, force) as files:
        for draft in run.drafts:
            files.add(draft)
        return files.commit()


def _name_max(folder: str) -> int:
    """The longest file name, in bytes, the folder's file system takes (eCryptfs: 143)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows, whose limit is 255 UTF-16 units
        return MAX_FILENAME_BYTES
