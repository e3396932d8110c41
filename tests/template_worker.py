"""Subprocess role for tests/test_sandbox.py: draft with hostile templates and report each outcome.

    python tests/template_worker.py CHART CASES_JSON

For each case ``{"id", "body", "thread"}`` it writes ``outreach.txt`` (``Subject: Hello``,
then the body on line 2) into a folder of its own, drafts the chart's outreach emails
with it (in a thread of its own when ``thread``), and prints one JSON line as soon as
it knows: the id, the TemplateError's message (null when the drafts were made), the
seconds it took and the process's peak memory so far (MiB). The test runs it under a
memory limit and a timeout, so that a bound that does not hold fails the test rather
than the machine, and the cases it finished are still reported.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from workbook_tool import drafts
from workbook_tool.errors import TemplateError
from workbook_tool.workbook import read_chart


def draft(chart, folder: Path) -> str | None:
    try:
        drafts.make_drafts(chart, "outreach", dt.date(2026, 11, 25), templates_dir=folder)
    except TemplateError as exc:
        return exc.message
    return None


def main(chart_path: str, cases_json: str) -> None:
    chart = read_chart(chart_path)
    root = Path(tempfile.mkdtemp(prefix="template-worker-"))
    for case in json.loads(cases_json):
        folder = root / case["id"]
        folder.mkdir()
        (folder / "outreach.txt").write_text("Subject: Hello\n" + case["body"] + "\n", encoding="utf-8")
        start = time.monotonic()
        if case.get("thread"):
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                message = pool.submit(draft, chart, folder).result()
        else:
            message = draft(chart, folder)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps({"id": case["id"], "message": message, "seconds": round(time.monotonic() - start, 2),
                          "peak_mib": peak}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
