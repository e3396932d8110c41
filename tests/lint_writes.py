"""Every workbook chart writes during the tests goes through the structural lint (tests/xlsx_lint.py).

How a write is seen: both of chart's ways of putting a workbook in place (``chart
init``'s and the one safe write path of sync, import and mail) end in ``os.replace``
of a finished temporary file over the target, and Python raises the documented
``os.rename`` audit event for it, before the rename. An audit hook (installed once,
when conftest imports this module) keeps, for each such rename made from
workbook_tool's own code onto an .xlsx outside chart-backups/, the new file's bytes
and the bytes it replaces. Nothing of the tool is patched, and only what the tool
wrote is looked at: input files a test damaged on purpose, backups (copies of the
input) and files the tests themselves write are not.

The autouse fixture ``lint_what_chart_wrote`` lints them as each test ends and fails
the test (an error at teardown) on any finding the write brought in: a fault the
replaced file already had is the user's, kept byte for byte, not the writer's.
Writes in a subprocess (``python -m workbook_tool`` in the fault tests) are not seen
here; those tests lint their results themselves.
"""

from __future__ import annotations

import inspect
import io
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from xlsx_lint import lint

import workbook_tool
from workbook_tool.writer import BACKUP_DIR

_PACKAGE_DIR = os.path.realpath(os.path.dirname(workbook_tool.__file__)) + os.sep


@dataclass(frozen=True)
class Write:
    """One workbook chart put in place: where, the new bytes, and the bytes replaced (None for a new file)."""

    path: str
    after: bytes
    before: bytes | None


class WriteLog:
    """The workbooks workbook_tool renamed into place since the last ``drain()``."""

    def __init__(self):
        self._writes: list[Write] = []

    def audit(self, event: str, args: tuple) -> None:
        """The audit hook: notes an ``os.rename`` (``os.replace`` too) made by workbook_tool onto an .xlsx."""
        if event != "os.rename" or args[2] not in (None, -1) or args[3] not in (None, -1):
            # Renames inside a folder opened by descriptor are the backups' (test_xlsx_lint
            # checks that sync's own write is still seen).
            return
        # An exception here would surface in the tool's os.replace, as if the disk had
        # failed: whatever cannot be read is simply not noted.
        try:
            src, dst = os.fsdecode(args[0]), os.fsdecode(args[1])
            if not dst.lower().endswith(".xlsx") or os.path.basename(os.path.dirname(dst)) == BACKUP_DIR:
                return
            caller = inspect.currentframe().f_back  # the code that called os.replace
            if caller is None or not os.path.realpath(caller.f_code.co_filename).startswith(_PACKAGE_DIR):
                return
            after = Path(src).read_bytes()
            before = Path(dst).read_bytes() if os.path.isfile(dst) else None
        except Exception:  # noqa: BLE001 (see above)
            return
        self._writes.append(Write(dst, after, before))

    def drain(self) -> list[Write]:
        """The writes noted so far, forgetting them."""
        writes, self._writes = self._writes, []
        return writes


def new_findings(write: Write) -> list[str]:
    """The lint's findings in what ``write`` put in place, less those the file it replaced already had."""
    try:
        found = lint(io.BytesIO(write.after))
    except zipfile.BadZipFile as exc:
        return [f"not a zip file: {exc}"]
    if not found or write.before is None:
        return found
    try:
        had = set(lint(io.BytesIO(write.before)))
    except zipfile.BadZipFile:
        had = set()
    return [f for f in found if f not in had]


LOG = WriteLog()
sys.addaudithook(LOG.audit)  # for the whole session: audit hooks cannot be removed


def fail_on_new_faults() -> None:
    """Lint the workbooks chart wrote since the last look; ``pytest.fail`` naming each fault a write brought in."""
    report = []
    for write in LOG.drain():
        report += [f"{write.path}: {finding}" for finding in new_findings(write)]
    if report:
        pytest.fail("chart wrote a workbook Excel would repair:\n" + "\n".join(report), pytrace=False)


@pytest.fixture(autouse=True)
def lint_what_chart_wrote():
    """After each test, lint every workbook chart wrote during it; fail the test on a fault the write brought in."""
    yield
    fail_on_new_faults()
