"""Helpers for the tests of drafts and templates (test_drafts, test_templates, test_sandbox, test_checker).

* ``sample``: a fixture, the example chart (``chart init --sample``) under tmp_path;
  import it into a test module to use it;
* ``run(*args)``: ``chart ARGS`` in-process, stdout and stderr apart;
* ``set_contact``, ``set_profile``, ``add_templates_sheet``: edit a chart in place;
* ``template_dir``: a ``--templates`` folder holding one template;
* ``parse_eml``, ``row_of``: read a draft back, find a contact's row.
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tool.cli import cli

TODAY = "2026-11-25"
DAY = dt.date(2026, 11, 25)


def run(*args):
    """``chart ARGS`` in-process, stdout and stderr apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="chart", catch_exceptions=False)


@pytest.fixture
def sample(tmp_path) -> Path:
    """The example chart (``chart init --sample``) saved under tmp_path."""
    from workbook_tool.create import new_workbook

    path = tmp_path / "chart.xlsx"
    new_workbook(sample=True).save(path)
    return path


def edit(path: Path, change) -> Path:
    """Open the workbook with openpyxl, let ``change(wb)`` edit it, save it in place."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def set_contact(path: Path, name: str, header: str, value) -> Path:
    """Set the ``header`` cell of the Contacts row whose Name is ``name``."""
    def change(wb):
        ws = wb["Contacts"]
        headers = [c.value for c in ws[1]]
        col = headers.index(header) + 1
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 1).value == name:
                ws.cell(row, col).value = value
                return
        raise AssertionError(f"no row for {name}")
    return edit(path, change)


def set_profile(path: Path, label: str, value) -> Path:
    """Set the Value of the Profile row whose Field is ``label``."""
    def change(wb):
        ws = wb["Profile"]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 1).value == label:
                ws.cell(row, 2).value = value
                return
        raise AssertionError(f"no Profile row {label}")
    return edit(path, change)


def add_templates_sheet(path: Path, rows: list[list]) -> Path:
    """Add a Templates sheet (Name, Subject, Body) holding ``rows``."""
    def change(wb):
        ws = wb.create_sheet("Templates")
        for r, row in enumerate([["Name", "Subject", "Body"], *rows], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c).value = value
    return edit(path, change)


def parse_eml(path: Path):
    """The .eml file parsed back by the email package."""
    with open(path, "rb") as fh:
        return BytesParser(policy=policy.default).parse(fh)


def row_of(chart, name: str):
    """The Contacts row of ``chart`` whose Name is ``name``."""
    return next(r for r in chart.contacts.rows if r.text("name") == name)


def template_dir(tmp_path, text, name="outreach.txt") -> Path:
    """A ``--templates`` folder (tmp_path/tpl) holding ``name`` with ``text``."""
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder
