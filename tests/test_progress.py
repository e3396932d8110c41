"""Progress on long work (issue 6): a bar on stderr when it is a terminal, nothing when it is not."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from conftest import run
from sync_fixtures import TODAY_ARG, sample_chart


def test_no_progress_output_when_stderr_is_not_a_terminal(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    result = run("sync", path, "--today", TODAY_ARG)
    assert result.exit_code == 0
    assert result.stderr == ""
    result = run("draft", path, "--today", TODAY_ARG)
    assert result.exit_code == 0
    assert result.stderr == ""


def _stderr_on_a_terminal(args, cwd) -> tuple[int, str]:
    """Run ``python -m workbook_tool ARGS`` with stderr on a pseudo-terminal; its exit code and stderr."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "workbook_tool", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_sync_draws_a_bar_on_a_terminal(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    code, err = _stderr_on_a_terminal(["sync", str(path), "--today", TODAY_ARG], tmp_path)
    assert code == 0
    for phase in ("Reading", "Planning", "Writing", "Checking the new file"):
        assert phase in err, err
    assert "[" in err and "#" in err and "%" in err


def test_draft_draws_a_bar_on_a_terminal(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    code, err = _stderr_on_a_terminal(["draft", str(path), "--today", TODAY_ARG, "--out", str(tmp_path / "d")],
                                      tmp_path)
    assert code == 0
    assert "Drafting outreach" in err and "100%" in err, err
