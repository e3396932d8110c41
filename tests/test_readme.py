"""The README's commands work as written, one after the other, as a new user types them."""

from __future__ import annotations

import re
import shlex
import shutil

from tests.conftest import REPO, SAMPLE_CHART, run
from workbook_tool import schema

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(fence: str) -> list[str]:
    return re.findall(rf"```{fence}\n(.*?)```", README, re.S)


def _setup_commands() -> list[list[str]]:
    """The first set-up line's commands after the install: ``cp …`` and ``chart …``."""
    first = _blocks("sh")[0].splitlines()[0]
    return [shlex.split(part) for part in first.split("&&") if "pip install" not in part]


def _quickstart_commands() -> list[list[str]]:
    quickstart = README.split("## Quickstart", 1)[1]
    block = re.search(r"```console\n(.*?)```", quickstart, re.S).group(1)
    return [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ chart ")]


def test_the_set_up_command_and_the_quickstart_run_one_after_the_other(tmp_path, monkeypatch):
    # The set-up line runs in the repository, and the quickstart right after it: the
    # file the first leaves behind must not stop the second's `chart init`.
    monkeypatch.chdir(tmp_path)
    for command in _setup_commands():
        if command[0] == "cp":
            assert command[1] == "sample_chart.xlsx"
            shutil.copy(SAMPLE_CHART, tmp_path / command[2])
        else:
            assert command[0] == "chart"
            assert run(*command[1:]).exit_code == 0
    commands = _quickstart_commands()
    assert commands[0][:2] == ["chart", "init"]
    for command in commands:
        result = run(*command[1:])
        assert result.exit_code == 0, (command, result.output)
    # "Start your own chart with `chart init NAME`" after the quickstart works too.
    own = re.search(r"Start your own chart with `chart init (\S+)`", README).group(1)
    result = run("init", own)
    assert result.exit_code == 0, result.output


def test_sync_help_lists_every_column_and_sheet_sync_writes():
    from workbook_tool.dashboard import SHEET as DASHBOARD

    out = " ".join(run("sync", "--help").stdout.split())
    for column in schema.CONTACTS.tool_columns:
        assert column.header in out, column.header
    assert "Status in Want to Meet" in out
    for sheet in (schema.REFERRALS.name, DASHBOARD):
        assert sheet in out, sheet
