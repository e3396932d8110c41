"""What a small chart's ``chart sync`` imports: only what its run needs (issue 16: a 200-row sync is mostly
start-up). Each check runs the real command in a fresh interpreter and looks at ``sys.modules`` after it."""

from __future__ import annotations

import json
import subprocess
import sys

from openpyxl import load_workbook

from sync_fixtures import sample_chart
from tests.conftest import contact, write_chart

_RUN = """
import json, sys
from workbook_tool.cli import main
sys.argv = ["chart", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*args) -> tuple[int, set[str]]:
    """``chart ARGS`` in a fresh interpreter: its exit code and the modules it imported."""
    done = subprocess.run([sys.executable, "-c", _RUN, *map(str, args)], capture_output=True, text=True, timeout=120)
    found = json.loads(done.stderr.strip().splitlines()[-1])
    return found["exit"], set(found["modules"])


def test_a_sync_with_no_email_to_link_imports_no_template_machinery(tmp_path):
    # Every contact is to be called: no Draft link to make, so neither Jinja2 nor the drafting modules.
    path = write_chart(tmp_path / "calls.xlsx", rows=[
        contact(name="Ann Lee", source="Own", phone="415-555-0101", channel="Call"),
        contact(name="Bo Wu", source="Own", phone="415-555-0102", channel="Call")])
    code, modules = imported_by("sync", path, "--today", "2026-11-25")
    assert code == 0
    assert not {"jinja2", "workbook_tool.drafts", "workbook_tool.templates"} & modules
    sheet = load_workbook(path)["Contacts"]
    headers = [c.value for c in sheet[1]]
    assert all(sheet.cell(r, headers.index("Next Step") + 1).value.startswith("Call to ask for ") for r in (2, 3))
    assert [sheet.cell(r, headers.index("Draft") + 1).value for r in (2, 3)] == [None, None]


def test_a_sync_imports_neither_the_agenda_nor_html_entities_and_links_its_emails(tmp_path):
    path = sample_chart(tmp_path / "sample.xlsx")
    code, modules = imported_by("sync", path, "--today", "2026-11-25")
    assert code == 0
    assert {"jinja2", "workbook_tool.drafts", "workbook_tool.precompiled"} <= modules  # the sample has emails to link
    assert not {"workbook_tool.agenda", "html", "html.entities"} & modules
    assert "workbook_tool.checker" not in modules  # the links are rendered, not held to the guide
    sheet = load_workbook(path)["Contacts"]
    headers = [c.value for c in sheet[1]]
    links = [sheet.cell(r, headers.index("Draft") + 1).hyperlink for r in range(2, sheet.max_row + 1)]
    assert any(link is not None and link.target.startswith("mailto:") for link in links)


def test_the_command_leaves_its_objects_to_the_system_at_exit_and_everything_is_out(tmp_path):
    # main() freezes the collector as the process ends (no last walk over Jinja2's and phonenumbers' objects):
    # what the person sees is whole all the same, piped output, the file written and its backup, no temporary file.
    path = sample_chart(tmp_path / "sample.xlsx")
    run = ("import gc, sys\nfrom workbook_tool.cli import main\nsys.argv = ['chart', *sys.argv[1:]]\n"
           "try:\n    main()\nfinally:\n    print('frozen:', gc.get_freeze_count() > 0, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", run, "sync", str(path), "--today", "2026-11-25"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr.splitlines()[-1] == "frozen: True"
    assert done.stdout.startswith(f"{path}: synced for 2026-11-25.\n") and "Backup of the previous version" in done.stdout
    listing = sorted(p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*"))
    assert listing == ["chart-backups", "chart-backups", "sample.xlsx"]
    headers = [c.value for c in load_workbook(path)["Contacts"][1]]
    assert "Draft" in headers and "Stage" in headers


def test_a_chart_of_plain_north_american_numbers_syncs_without_phonenumbers(tmp_path):
    # The sample's numbers are all plain US ones, one of them in a Recommended cell: keys, checks and the
    # referral row it adds come from addresses' stored US patterns, without importing phonenumbers.
    path = sample_chart(tmp_path / "sample.xlsx")
    code, modules = imported_by("sync", path, "--today", "2026-11-25")
    assert code == 0
    assert "phonenumbers" not in modules
    sheet = load_workbook(path)["Contacts"]
    headers = [c.value for c in sheet[1]]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    # Bob Roe was recommended with his number; he is in the chart already, with that number.
    assert sheet.cell(rows["Bob Roe"], headers.index("Phone") + 1).value == "617-555-0142"
    assert "Olivia Park" in rows


def test_a_number_abroad_still_asks_phonenumbers(tmp_path):
    path = write_chart(tmp_path / "abroad.xlsx", rows=[
        contact(name="Ann Lee", source="Own", phone="+44 20 7946 0551", channel="Call"),
        contact(name="Bo Wu", source="Own", phone="415-555-0102", channel="Call")])
    code, modules = imported_by("sync", path, "--today", "2026-11-25")
    assert code == 0
    assert "phonenumbers" in modules
