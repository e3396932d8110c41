"""Shared fixtures and helpers: fixture workbooks built under ``tmp_path``, and the CLI runner.

Helpers a test author will want:

* ``write_chart(path, headers, rows, title=..., profile=...)`` writes a chart from a
  list of header names and rows (lists aligned with the headers), optionally under a
  title, with a complete Profile sheet unless told otherwise.
* ``write_workbook(path, {sheet: [[row], ...]})`` writes any sheets, cell by cell.
* ``run(*args)`` runs ``chart`` through click's CliRunner, stdout and stderr apart.
* ``problems(path)`` is ``chart validate --json`` as a list of dicts; ``codes`` keeps their codes.
* ``rewrite_zip(src, dst, replace=..., add=..., drop=...)`` changes parts of an .xlsx.
* ``cells(path)`` is every sheet's non-empty values and number formats, for comparing
  workbooks after re-opening them.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tool import schema
from workbook_tool.cli import cli

REPO = Path(__file__).resolve().parent.parent
# Test modules import helpers as ``tests.conftest``; ``python3 -m pytest`` puts the
# repository on sys.path, a bare ``pytest`` does not.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Every workbook chart writes in a test is linted for what Excel would repair (tests/lint_writes.py).
from lint_writes import lint_what_chart_wrote  # noqa: E402,F401  (an autouse fixture)
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_CHART = REPO / "sample_chart.xlsx"

# Every column the chart's Contacts sheet has for its user, in order.
CONTACT_HEADERS = [c.header for c in schema.CONTACTS.user_columns]

# A Profile that raises no warnings, so that tests about Contacts see only their own problems.
GOOD_PROFILE = {
    "Your Name": "Jordan Rivera",
    "Your Email": "jordan@example.com",
    "Your Phone": "617-555-0100",
    "Job Status": "recently laid off",
    "Expertise": "supply-chain analytics",
    "Seeking": "a data analyst position",
    "Why Searching": "my office closed",
    "Region": "US",
    "Meeting Length": "15-20 minutes",
    "Follow-Up Days": 7,
    "Thank-You Days": 1,
    "Keep-In-Touch Days": 60,
    "Signature": "Jordan",
}

_DEFAULT = object()


def write_workbook(path, sheets: dict[str, list[list]]) -> Path:
    """Write ``{sheet name: rows}`` with openpyxl, each row a list of values (None is blank)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    path = Path(path)
    wb.save(path)
    return path


def profile_rows(profile) -> list[list]:
    """Profile sheet rows (Field/Value header first) from a dict of label → value or a list of rows."""
    if isinstance(profile, dict):
        return [["Field", "Value"], *([k, v] for k, v in profile.items())]
    return list(profile)


def write_chart(path, headers=None, rows=(), *, title=None, profile=_DEFAULT, sheet="Contacts",
                extra_sheets=None) -> Path:
    """A chart workbook: a Contacts table from ``headers`` and ``rows``, and a Profile sheet.

    ``headers`` defaults to every canonical user column. ``title`` puts a title line in
    A1 and a blank row under it, so that the header sits on row 3. ``profile`` is a
    dict (label → value), a list of rows, or None for no Profile sheet; by default a
    complete, valid one. ``extra_sheets`` adds more ``{name: rows}``.
    """
    headers = list(CONTACT_HEADERS if headers is None else headers)
    table = []
    if title is not None:
        table += [[title], []]
    table += [headers, *[list(r) for r in rows]]
    sheets = {sheet: table}
    if profile is _DEFAULT:
        profile = GOOD_PROFILE
    if profile is not None:
        sheets["Profile"] = profile_rows(profile)
    sheets.update(extra_sheets or {})
    return write_workbook(path, sheets)


def contact(**values) -> list:
    """One Contacts row in canonical column order from keyword values: ``contact(name="Ann", email=...)``."""
    keys = [c.key for c in schema.CONTACTS.user_columns]
    unknown = set(values) - set(keys)
    assert not unknown, f"not Contacts columns: {unknown}"
    return [values.get(k) for k in keys]


def run(*args, **kwargs):
    """Run ``chart ARGS`` in-process; the result keeps stdout and stderr apart (click 8.2+)."""
    kwargs.setdefault("prog_name", "chart")
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


def problems(path) -> list[dict]:
    """``chart validate PATH --json``, parsed."""
    result = run("validate", path, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def codes(path) -> list[str]:
    """The codes of every problem ``chart validate`` finds, in order."""
    return [p["code"] for p in problems(path)]


def rewrite_zip(src, dst, *, replace: dict | None = None, add: dict | None = None, drop=(),
                compression=zipfile.ZIP_DEFLATED) -> Path:
    """Copy the zip ``src`` to ``dst``, replacing, adding or dropping parts by name."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, zin.read(info.filename))
            if isinstance(data, str):
                data = data.encode("utf-8")
            zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return Path(dst)


def cells(path) -> dict[str, dict[str, tuple]]:
    """``{sheet: {"B7": (value, number_format)}}`` for every non-empty cell, after re-opening."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {c.coordinate: (c.value, c.number_format)
                         for row in ws.iter_rows() for c in row if c.value is not None}
    return out


@pytest.fixture
def good_chart(tmp_path) -> Path:
    """A small chart that validates clean: a referral chain and every kind of value."""
    import datetime as dt

    return write_chart(tmp_path / "good.xlsx", rows=[
        contact(name="Maria Chen", source="Own", organization="Contoso", phone="617-555-0101",
                email="maria@contoso.com", channel="Email", contacted_on=dt.date(2026, 11, 2)),
        contact(name="Ann Lee", source="Referral", referred_by="Maria Chen", email="ann@fabrikam.org",
                channel="Call", contacted_on="2026-11-12", meeting_on="November 19, 2026"),
        contact(name="Bob Roe", source="Referral", referred_by="Ann Lee", phone=6175550142, channel="Call",
                status="No Reply"),
    ])


@pytest.fixture
def new_chart(tmp_path) -> Path:
    """A fresh ``chart init`` workbook."""
    path = tmp_path / "new.xlsx"
    result = run("init", path)
    assert result.exit_code == 0, result.output
    return path


def assert_unreadable(path, message: str, *, exit_code: int = 2) -> None:
    """``chart validate`` (text and --json) says exactly ``Error: PATH: MESSAGE`` and exits 2."""
    for extra in ([], ["--json"]):
        result = run("validate", path, *extra)
        assert result.exit_code == exit_code, result.output
        assert result.stderr == f"Error: {path}: {message}\n"
        assert result.stdout == ""
        assert "Traceback" not in result.output


def refuse_new_files(monkeypatch) -> None:
    """Make every file creation fail with EACCES (root may write anywhere, so a read-only folder cannot be
    relied on); opening existing files, such as the chart being read, still works."""
    real_open = os.open

    def refuse(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", refuse)
