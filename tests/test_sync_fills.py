"""``chart sync`` and a Recommended entry for someone already in the chart (issue 13, point 6).

The entry fills their blank Email, Phone, Organization and Title, as ``chart import`` fills
blanks; a value they typed is never replaced, and one that differs is reported. The summary,
``--dry-run`` and ``--json`` say what was filled and what was kept.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import contact, run
from libreoffice import lo  # noqa: F401  (the session's LibreOffice fixture)
from sync_fixtures import RICH_HEADER_ROW, RICH_HEADERS, TODAY_ARG, rich_chart, simple_chart, snapshot

from workbook_tool.workbook import read_chart


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def row_values(path, name: str) -> dict:
    """The user cells of the row named ``name``, by column key, as the chart reader sees them."""
    return next(r.values for r in read_chart(path).contacts.rows if r.text("name") == name)


DEE = "Dee Martin <dee.martin@sinclair.com>, 617-555-0199, CMO at Sinclair"


def ray_and_dee(path, **dee):
    return simple_chart(path, [
        contact(name="Ray Chen", source="Own", email="ray@chen.org", channel="Email", recommended=DEE),
        contact(name="Dee Martin", source="Own", channel="Email", **dee),
    ])


def test_a_recommendation_fills_the_blank_details_of_someone_already_in_the_chart(tmp_path):
    path = ray_and_dee(tmp_path / "c.xlsx")
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert ("Filled Dee Martin's Email, Phone, Organization and Title (row 3) from Ray Chen's Recommended cell."
            in result.stdout.splitlines())
    dee = row_values(path, "Dee Martin")
    assert (dee["email"], dee["phone"], dee["organization"], dee["title"]) == (
        "dee.martin@sinclair.com", "617-555-0199", "Sinclair", "CMO")
    assert len(read_chart(path).contacts.rows) == 2, "no second row for her"
    # The same sync already sees her address: her Draft link is there, and the next sync has nothing to do.
    from openpyxl import load_workbook

    ws = load_workbook(path)["Contacts"]
    draft = ws.cell(3, [c.value for c in ws[1]].index("Draft") + 1)
    assert draft.value == "Email Dee"
    assert draft.hyperlink.target.startswith("mailto:dee.martin@sinclair.com?")
    data = path.read_bytes()
    again = sync(path)
    assert "already up to date" in again.stdout and "Filled" not in again.stdout
    assert path.read_bytes() == data


def test_typed_details_are_never_replaced_and_a_differing_one_is_reported(tmp_path):
    path = ray_and_dee(tmp_path / "c.xlsx", email="dee@home.net", organization="Sinclair")
    result = sync(path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Filled Dee Martin's Phone and Title (row 3) from Ray Chen's Recommended cell." in lines
    assert ("Kept Dee Martin's Email as typed (Contacts!H3: dee@home.net); Ray Chen's Recommended cell (row 2) "
            "gives dee.martin@sinclair.com. Correct whichever is wrong.") in lines
    assert not any("Organization" in line for line in lines), "the same organization is no difference"
    dee = row_values(path, "Dee Martin")
    assert dee["email"] == "dee@home.net" and dee["organization"] == "Sinclair"
    # Said again on the next sync (nothing to write), until the person corrects one of them.
    again = sync(path, "--json")
    facts = json.loads(again.stdout)
    assert facts["written"] is False and facts["filled"] == []
    assert facts["kept"] == [{"row": 3, "name": "Dee Martin", "column": "Email", "cell": "Contacts!H3",
                              "typed": "dee@home.net", "given": "dee.martin@sinclair.com", "from": "Ray Chen",
                              "from_row": 2}]


def test_the_same_detail_written_another_way_is_no_difference(tmp_path):
    path = ray_and_dee(tmp_path / "c.xlsx", email="Dee.Martin@Sinclair.com", phone="(617) 555-0199",
                       organization="sinclair", title="CMO")
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Filled" not in result.stdout and "Kept" not in result.stdout


def test_matched_by_email_the_name_as_typed_in_the_row_is_used(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ray Chen", source="Own", email="ray@chen.org", recommended="D. Martin <dee@sinclair.com>, "
                                                                                 "Sinclair"),
        contact(name="Deanna Martin", source="Own", email="DEE@sinclair.com"),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Filled Deanna Martin's Organization (row 3) from Ray Chen's Recommended cell." in result.stdout
    assert row_values(path, "Deanna Martin")["organization"] == "Sinclair"
    assert [r.text("name") for r in read_chart(path).contacts.rows] == ["Ray Chen", "Deanna Martin"]


def test_matched_by_name_alone_the_address_is_filled(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ray Chen", source="Own", email="ray@chen.org", recommended="dr. dee martin <dee@sinclair.com>"),
        contact(name="Dee Martin", source="Own", phone="617-555-0199"),
    ])
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Filled Dee Martin's Email (row 3) from Ray Chen's Recommended cell." in result.stdout
    assert row_values(path, "Dee Martin")["email"] == "dee@sinclair.com"


def test_two_recommenders_fill_a_blank_once_and_the_second_differing_value_is_reported(tmp_path):
    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ray Chen", source="Own", email="ray@chen.org", recommended="Dee Martin <dee@sinclair.com>"),
        contact(name="Ann Lee", source="Own", email="ann@lee.org", recommended="Dee Martin <dee@other.com>"),
        contact(name="Dee Martin", source="Own"),
    ])
    result = sync(path)
    lines = result.stdout.splitlines()
    assert "Filled Dee Martin's Email (row 4) from Ray Chen's Recommended cell." in lines
    assert ("Kept Dee Martin's Email as typed (Contacts!H4: dee@sinclair.com); Ann Lee's Recommended cell (row 3) "
            "gives dee@other.com. Correct whichever is wrong.") in lines
    assert row_values(path, "Dee Martin")["email"] == "dee@sinclair.com"


def test_dry_run_and_json_say_what_would_be_filled_and_write_nothing(tmp_path):
    path = ray_and_dee(tmp_path / "c.xlsx")
    data = path.read_bytes()
    result = sync(path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("Filled Dee Martin's Email, Phone, Organization and Title (row 3) from Ray Chen's Recommended cell."
            in result.stdout.splitlines())
    facts = json.loads(sync(path, "--dry-run", "--json").stdout)
    assert path.read_bytes() == data
    assert facts["filled"] == [
        {"row": 3, "name": "Dee Martin", "column": column, "cell": f"Contacts!{cell}3", "value": value,
         "from": "Ray Chen", "from_row": 2}
        for column, cell, value in (("Email", "H", "dee.martin@sinclair.com"), ("Phone", "G", "617-555-0199"),
                                    ("Organization", "E", "Sinclair"), ("Title", "F", "CMO"))]
    assert facts["kept"] == []


def test_a_formula_cell_that_looks_blank_is_not_filled(tmp_path):
    from openpyxl import load_workbook

    path = ray_and_dee(tmp_path / "c.xlsx")
    wb = load_workbook(path)
    wb["Contacts"]["E3"] = '=IF(TRUE,"Sinclair","")'  # saved by openpyxl: no cached result, so it reads blank
    wb.save(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Filled Dee Martin's Email, Phone and Title (row 3)" in result.stdout
    assert load_workbook(path)["Contacts"]["E3"].value == '=IF(TRUE,"Sinclair","")'


def test_only_the_filled_cells_change_in_a_formatted_workbook_with_columns_of_the_persons(tmp_path):
    from openpyxl import load_workbook

    path = rich_chart(tmp_path / "rich.xlsx")
    wb = load_workbook(path)
    ws = wb["Contacts"]
    email, recommended = RICH_HEADERS.index("Email") + 1, RICH_HEADERS.index("Recommended") + 1
    bob = RICH_HEADER_ROW + 3  # Bob Roe, who has no Email
    assert ws.cell(bob, 1).value == "Bob Roe" and ws.cell(bob, email).value is None
    ws.cell(RICH_HEADER_ROW + 2, recommended).value = ("Bob Roe <bob.roe@northwindclinic.org>, 617-555-0142, "
                                                       "Northwind Clinic; Nora Quinn <nora.quinn@litware.com>, Litware")
    wb.save(path)
    before = snapshot(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert "Filled Bob Roe's Email (row 6) from Ann Lee's Recommended cell." in result.stdout
    after = snapshot(path)
    assert after["sheets"][:len(before["sheets"])] == before["sheets"]  # then Referrals and Dashboard
    assert after["defined_names"] == before["defined_names"]
    for sheet in ("Summary", "Archive", "Profile"):
        assert after["cells"][sheet] == before["cells"][sheet]
    for (r, c), old in before["cells"]["Contacts"].items():
        if c <= len(RICH_HEADERS):  # the person's columns; the tool's are at their right
            new = after["cells"]["Contacts"][(r, c)]
            if (r, c) == (bob, email):
                assert new[0] == "bob.roe@northwindclinic.org"
                assert new[2:] == old[2:], "the cell keeps the person's formatting"
            else:
                assert new == old, (r, c)
    ours = range(1, len(RICH_HEADERS) + 1)
    assert ({c: after["sheet"]["Contacts"]["widths"][c] for c in ours}
            == {c: before["sheet"]["Contacts"]["widths"][c] for c in ours})
    for key in ("merged", "validations", "conditional", "images", "freeze"):
        assert after["sheet"]["Contacts"][key] == before["sheet"]["Contacts"][key], key


@pytest.mark.libreoffice
def test_a_chart_saved_by_libreoffice_gets_its_blanks_filled_and_opens_again(lo, tmp_path):  # noqa: F811
    path = ray_and_dee(tmp_path / "made.xlsx", email="dee@home.net")
    saved = lo.convert(path, "xlsx", tmp_path / "lo")
    chart = tmp_path / "chart" / "chart.xlsx"
    chart.parent.mkdir()
    shutil.copy(saved, chart)
    result = sync(chart)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Filled Dee Martin's Phone, Organization and Title (row 3) from Ray Chen's Recommended cell." in lines
    assert any(line.startswith("Kept Dee Martin's Email as typed (Contacts!H3: dee@home.net)") for line in lines)
    # LibreOffice opens what sync wrote and keeps the filled cells; a second sync has nothing to do.
    resaved = lo.convert(chart, "xlsx", tmp_path / "lo-again")
    dee = row_values(resaved, "Dee Martin")
    assert (dee["email"], str(dee["phone"]), dee["organization"], dee["title"]) == (
        "dee@home.net", "617-555-0199", "Sinclair", "CMO")
    assert "already up to date" in sync(chart).stdout


@pytest.mark.parametrize("chunk", [None, 7, 1009], ids=["megabyte", "tiny", "small"])
def test_a_sheet_holds_formulas_exactly_when_openpyxl_finds_one(tmp_path, monkeypatch, chunk):
    # The byte search that spares a sync openpyxl's read of every cell answers "none" only where openpyxl finds
    # none, for formulas of every kind, read in pieces that cut the tags anywhere.
    import random

    from openpyxl import Workbook, load_workbook

    from workbook_tool import objects, placement

    if chunk:
        monkeypatch.setattr(objects, "READ_CHUNK", chunk)
    rng = random.Random(16)
    for n in range(40):
        wb = Workbook()
        ws = wb.active
        ws.title = "Contacts"
        for r in range(1, 30):
            ws.cell(r, 1, f"fill font <f {r}" if rng.random() < 0.5 else r)  # text like a tag is escaped
        if n % 2:
            row, column = rng.randrange(1, 30), rng.randrange(2, 6)
            ws.cell(row, column, rng.choice(["=1+1", '=IF(TRUE,"x","")', "=SUM(A1:A3)"]))
        path = tmp_path / f"f{n}.xlsx"
        wb.save(path)
        found = any(c.data_type == "f" for row in load_workbook(path, read_only=True)["Contacts"].iter_rows()
                    for c in row)
        assert placement.may_hold_formulas(path, "Contacts") == found == bool(n % 2), n
    assert placement.may_hold_formulas(tmp_path / "f0.xlsx", "No such sheet")  # unsure: the full read decides


@pytest.mark.parametrize("tag", [b'<f>A1</f>', b'<f t="shared" si="0"/>', b'<x:f>A1</x:f>', b"<f\n>A1</f>"])
def test_a_formula_under_any_prefix_or_spelling_is_found(tmp_path, tag):
    import zipfile

    from workbook_tool import placement

    path = tmp_path / "c.xlsx"
    shutil.copyfile(ray_and_dee(tmp_path / "base.xlsx"), path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"</sheetData>", b'<row r="40"><c r="B40">' + tag + b"</c></row></sheetData>")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert placement.may_hold_formulas(path, "Contacts")


def test_the_checks_find_with_sync_s_shared_keys_what_they_find_alone(tmp_path, monkeypatch):
    # Sync works out each row's keys once, for the people the Recommended cells add and for the checks; a
    # row a recommendation fills has new keys, and a new row its own. The checks must find the same either way.
    from workbook_tool import sync as sync_module, validate

    path = simple_chart(tmp_path / "c.xlsx", [
        contact(name="Ray Chen", source="Own", email="ray@chen.org", channel="Email", recommended=DEE),
        contact(name="Dee Martin", source="Own", channel="Email"),
        contact(name="D. Martin", source="Own", email="dee.m@sinclair.com", channel="Email"),
        contact(name="Ray Chen", source="Own", email="ray.two@chen.org", channel="Email",
                recommended="Ann Osei <ann@osei.org>, Bo Lee <RAY@chen.org>"),
    ])
    seen = []

    def both_ways(chart, today=None, keys=None):
        assert keys is not None, "sync shares the keys it worked out"
        found = validate.chart_problems(chart, today, keys)
        assert found == validate.chart_problems(chart, today), "the shared keys change what the checks find"
        seen.append(found)
        return found

    monkeypatch.setattr(sync_module, "chart_problems", both_ways)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and any("same name" in p.message for p in seen[0])
    assert row_values(path, "Dee Martin")["email"] == "dee.martin@sinclair.com"
    assert any(r.text("name") == "Ann Osei" for r in read_chart(path).contacts.rows), "a new row was checked too"
