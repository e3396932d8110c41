"""Workbooks from other producers through ``chart sync``, compared part by part.

The producers: xlsxwriter (a table, sparklines, merges, array formulas, data bars and
other x14 extensions, an x14 data validation, defined names, comments), LibreOffice
(a chart saved by soffice) and Strict Open XML (Excel's "Save as Strict Open XML
Spreadsheet"). LibreOffice 7.4 cannot write Strict (its "Calc Office Open XML" filter
writes transitional names too), so the Strict files here are made the way the
standard relates the two: every transitional namespace and relationship type renamed,
``conformance="strict"`` on the workbook, and dates as ISO 8601 text (``t="d"``), as
Excel writes them in Strict.

After each sync, what a person would check: every part the sync has no business
with is the same bytes; in the parts it must change (the Contacts and Want to Meet
sheets, styles, the workbook's sheet list, relationships, content types, notes,
tables, new sheets) every cell of theirs keeps its value, style, formula and cached
result, every x14 extension is the same bytes, and merges, conditional formats, data
validations, tables, comments, defined names are as they were; and openpyxl and
calamine both read the tool columns the sync meant to write.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import run
from libreoffice import lo  # noqa: F401  (the fixture)
from lxml import etree
from openpyxl.utils import get_column_letter
from sync_fixtures import TODAY_ARG, TOOL_HEADERS, rich_chart, sample_chart

from workbook_tool import sample, schema
from workbook_tool.grids import read_grids

# --------------------------------------------------------------------------- Strict Open XML

# The transitional names and their Strict twins (ISO/IEC 29500-1 Strict), longest first so
# that a relationship type is renamed before its namespace. Written out here rather than
# taken from xlsxpatch: the test's Strict files must not share a mistake with the code
# under test.
_STRICT_PAIRS = [
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
     "http://purl.oclc.org/ooxml/officeDocument/relationships/customProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     "http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
     "http://purl.oclc.org/ooxml/officeDocument/customProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
     "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"),
    ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
    ("http://schemas.openxmlformats.org/drawingml/2006/", "http://purl.oclc.org/ooxml/drawingml/"),
]
# A transitional name left in a Strict package: a part Excel would have to repair.
_TRANSITIONAL_NAME = re.compile(rb"http://schemas\.openxmlformats\.org/(?:spreadsheetml|drawingml|officeDocument)/")


def _renamed(data: bytes, pairs) -> bytes:
    for old, new in pairs:
        data = data.replace(old.encode(), new.encode())
    return data


def to_strict(src, dst) -> Path:
    """``src`` as Excel's "Strict Open XML Spreadsheet" would write it."""
    from openpyxl import load_workbook

    data = parts(src)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the x14 extensions it would drop: only reading here
        wb = load_workbook(src)
    where = sheet_parts(data)
    for ws in wb.worksheets:
        dates = {c.coordinate: c.value for row in ws.iter_rows() for c in row
                 if isinstance(c.value, dt.datetime) and c.is_date}
        if dates:
            data[where[ws.title]] = _iso_dates(data[where[ws.title]], dates)
    for name in data:
        if name.endswith((".xml", ".rels")):
            data[name] = _renamed(data[name], _STRICT_PAIRS)
    workbook = _office_document(data)
    data[workbook] = re.sub(rb"<((?:\w+:)?workbook)\b", rb'<\1 conformance="strict"', data[workbook], count=1)
    return write_parts(dst, data)


def to_transitional(src, dst) -> Path:
    """A Strict package renamed back to transitional names, for openpyxl (which reads no Strict)."""
    data = parts(src)
    back = [(new, old) for old, new in _STRICT_PAIRS]
    for name in data:
        if name.endswith((".xml", ".rels")):
            data[name] = _renamed(data[name], back).replace(b' conformance="strict"', b"")
    return write_parts(dst, data)


def _iso_dates(sheet: bytes, dates: dict) -> bytes:
    """Date cells as Strict writes them: ``<c t="d"><v>2026-11-02T00:00:00</v></c>``."""
    root = etree.fromstring(sheet)
    for c in root.iter("{*}c"):
        if c.get("r") in dates and c.find("{*}f") is None:
            c.set("t", "d")
            c.find("{*}v").text = dates[c.get("r")].isoformat()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- the package as parts


def parts(path) -> dict[str, bytes]:
    """Every part of the zip, by name."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_parts(path, data: dict[str, bytes]) -> Path:
    """A zip of ``data``'s parts at ``path`` (replacing it): the inverse of ``parts``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    return Path(path)


def _resolve(owner: str, target: str) -> str:
    import posixpath

    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


def rels(data: dict[str, bytes], owner: str) -> list[dict]:
    """The relationships of part ``owner`` ("" for the package), each with its resolved ``part``."""
    import posixpath

    folder, name = posixpath.split(owner)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in data:
        return []
    out = []
    for rel in etree.fromstring(data[rels_name]):
        item = dict(rel.attrib)
        if item.get("TargetMode") != "External":
            item["part"] = _resolve(owner, item["Target"])
        out.append(item)
    return out


def _office_document(data) -> str:
    return next(r["part"] for r in rels(data, "") if r["Type"].endswith("/officeDocument"))


def sheet_parts(data: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → worksheet part, whatever the package's namespaces."""
    workbook = _office_document(data)
    targets = {r["Id"]: r.get("part") for r in rels(data, workbook)}
    root = etree.fromstring(data[workbook])
    return {s.get("name"): targets[next(v for k, v in s.attrib.items() if k.endswith("}id"))]
            for s in root.iter("{*}sheet")}


def _children(root) -> dict[str, list]:
    out: dict[str, list] = {}
    for child in root:
        if isinstance(child.tag, str):
            out.setdefault(etree.QName(child).localname, []).append(child)
    return out


def _c14n(el) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True)


def _ext_lists(xml: bytes) -> list[bytes]:
    """Every ``<extLst>`` of a part, as its bytes."""
    return re.findall(rb"<(?:\w+:)?extLst\b.*?</(?:\w+:)?extLst>", xml, re.S)


# --------------------------------------------------------------------------- comparing a sync's result

# Children of a worksheet a sync may change: its cells, their extent, the tool columns' widths,
# the Draft links, the notes' drawing, the filter over the tool columns.
_SHEET_CHANGES = {"sheetData", "dimension", "cols", "hyperlinks", "legacyDrawing", "autoFilter"}
_STYLE_SECTIONS_GROWING = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


def check_sync_kept_everything(before: dict[str, bytes], after: dict[str, bytes], edited_sheets: list[str]) -> None:
    """Assert a sync changed only what it must, part by part (see the module docstring)."""
    b_sheets, a_sheets = sheet_parts(before), sheet_parts(after)
    workbook = _office_document(before)
    assert _office_document(after) == workbook
    assert list(a_sheets)[: len(b_sheets)] == list(b_sheets), "the person's sheets keep their order"
    assert all(a_sheets[n] == p for n, p in b_sheets.items())

    # The parts a sync may rewrite: the edited sheets and what hangs off them, the styles, the
    # workbook's sheet list and the package's lists of parts.
    may_change = {workbook, "[Content_Types].xml", f"{workbook.rsplit('/', 1)[0]}/_rels/workbook.xml.rels"}
    may_change |= {r["part"] for r in rels(before, workbook) if r["Type"].endswith("/styles")}
    for name in edited_sheets:
        part = b_sheets[name]
        may_change |= {part, _rels_name(part)}
        may_change |= {r["part"] for r in rels(before, part)
                       if r["Type"].rsplit("/", 1)[-1] in ("comments", "vmlDrawing", "table")}
    gone = {r["part"] for r in rels(before, workbook) if r["Type"].endswith("/calcChain")}
    assert set(before) - set(after) <= gone, "no part is lost but Excel's calculation chain"
    for name in set(before) - may_change - gone:
        assert after[name] == before[name], f"{name} changed"

    # Every part of the new file is reachable and has a content type: Excel repairs a file otherwise.
    _check_parts_are_listed(after)

    for name in edited_sheets:
        _check_sheet(before, after, b_sheets[name])
    _check_styles(before, after, next(r["part"] for r in rels(before, workbook) if r["Type"].endswith("/styles")))
    _check_workbook(before[workbook], after[workbook])
    _check_listed(before, after, "[Content_Types].xml", gone)
    for owner in [workbook] + [b_sheets[n] for n in edited_sheets]:
        kept = {(r["Id"], r["Type"], r["Target"]) for r in rels(after, owner)}
        for r in rels(before, owner):
            if r.get("part") not in gone:
                assert (r["Id"], r["Type"], r["Target"]) in kept, (owner, r)


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _check_parts_are_listed(data: dict[str, bytes]) -> None:
    types = etree.fromstring(data["[Content_Types].xml"])
    defaults = {d.get("Extension").lower() for d in types.iter("{*}Default")}
    overrides = {o.get("PartName").lstrip("/") for o in types.iter("{*}Override")}
    reachable, todo = set(), [""]
    while todo:
        owner = todo.pop()
        for r in rels(data, owner):
            part = r.get("part")
            if part is not None and part not in reachable:
                assert part in data, f"{owner or 'the package'} points at {part}, which is not there"
                reachable.add(part)
                todo.append(part)
    for name in data:
        if name.endswith(".rels") or name == "[Content_Types].xml":
            continue
        assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, f"{name} has no content type"
        assert name in reachable, f"{name} is in the zip but nothing points at it"


def _check_sheet(before: dict[str, bytes], after: dict[str, bytes], part: str) -> None:
    old, new = etree.fromstring(before[part]), etree.fromstring(after[part])
    # Every cell of the sheet as it was: value, style, type, formula, cached result.
    new_cells = {c.get("r"): c for c in new.iter("{*}c")}
    for c in old.iter("{*}c"):
        assert c.get("r") in new_cells, f"{part}: cell {c.get('r')} is gone"
        assert _c14n(new_cells[c.get("r")]) == _c14n(c), f"{part}: cell {c.get('r')} changed"
    # Every row's own settings (height, style, hidden) as they were.
    new_rows = {r.get("r"): r for r in new.iter("{*}row")}
    for r in old.iter("{*}row"):
        kept = {k: v for k, v in r.attrib.items() if k != "spans"}
        assert {k: v for k, v in new_rows[r.get("r")].attrib.items() if k != "spans"} == kept, (part, r.get("r"))
    # Everything around the cells but what a sync owns, as it was; the extensions as the same bytes.
    o, n = _children(old), _children(new)
    for name in set(o) | set(n):
        if name in _SHEET_CHANGES:
            continue
        assert [_c14n(e) for e in n.get(name, [])] == [_c14n(e) for e in o.get(name, [])], f"{part}: <{name}>"
    assert _ext_lists(after[part]) == _ext_lists(before[part]), f"{part}: the x14 extensions changed"
    # Widths, styles and hidden flags of the person's columns.
    assert _column_settings(new, upto=_last_column(old)) == _column_settings(old, upto=_last_column(old)), part
    # Links of theirs still point where they did.
    assert _links(before, part, old) <= _links(after, part, new), f"{part}: a hyperlink of the person's changed"
    # The filter keeps its corner.
    if "autoFilter" in o:
        assert n["autoFilter"][0].get("ref").split(":")[0] == o["autoFilter"][0].get("ref").split(":")[0]
    _check_notes(before, after, part)
    _check_tables(before, after, part)


def _last_column(sheet) -> int:
    from openpyxl.utils import column_index_from_string

    refs = [re.match(r"[A-Z]+", c.get("r")).group(0) for c in sheet.iter("{*}c")]
    return max(column_index_from_string(r) for r in refs)


def _column_settings(sheet, upto: int) -> dict[int, tuple]:
    out = {}
    for col in sheet.iter("{*}col"):
        for i in range(int(col.get("min")), min(int(col.get("max")), upto) + 1):
            out[i] = tuple(sorted((k, v) for k, v in col.attrib.items() if k not in ("min", "max")))
    return out


def _links(data, part, sheet) -> set[tuple]:
    targets = {r["Id"]: r.get("Target") for r in rels(data, part)}
    return {(h.get("ref"), targets.get(next((v for k, v in h.attrib.items() if k.endswith("}id")), None)),
             h.get("location")) for h in sheet.iter("{*}hyperlink")}


def _check_notes(before, after, part) -> None:
    def notes(data):
        out = set()
        for r in rels(data, part):
            if r["Type"].endswith("/comments"):
                root = etree.fromstring(data[r["part"]])
                authors = [a.text for a in root.iter("{*}author")]
                for c in root.iter("{*}comment"):
                    out.add((c.get("ref"), authors[int(c.get("authorId"))], "".join(c.itertext())))
        return out

    assert notes(before) <= notes(after), f"{part}: a note of the person's changed"
    for r in rels(before, part):
        if r["Type"].endswith("/vmlDrawing"):
            old = before[r["part"]]
            assert after[r["part"]].startswith(old[: old.rfind(b"</xml>")]), "the notes' shapes of the person's"


def _check_tables(before, after, part) -> None:
    for r in rels(before, part):
        if not r["Type"].endswith("/table"):
            continue
        old, new = etree.fromstring(before[r["part"]]), etree.fromstring(after[r["part"]])
        o_ref, n_ref = old.get("ref").split(":"), new.get("ref").split(":")
        (o_col, o_row), (n_col, n_row) = (re.match(r"([A-Z]+)(\d+)", ref[1]).groups() for ref in (o_ref, n_ref))
        assert n_ref[0] == o_ref[0] and n_col == o_col and int(n_row) >= int(o_row), "a table keeps its columns"
        for root in (old, new):  # the rows it spans may grow; nothing else may change
            for el in root.iter("{*}table", "{*}autoFilter"):
                el.attrib.pop("ref", None)
        assert _c14n(new) == _c14n(old), f"{r['part']} changed"


def _check_styles(before, after, part) -> None:
    o, n = _children(etree.fromstring(before[part])), _children(etree.fromstring(after[part]))
    for name in set(o) | set(n):
        old = [_c14n(x) for x in o.get(name, [])]
        new = [_c14n(x) for x in n.get(name, [])]
        if name in _STYLE_SECTIONS_GROWING:
            # Entries are only added at the end: every style index of the person's means what it meant.
            old_items = [_c14n(x) for e in o.get(name, []) for x in e]
            new_items = [_c14n(x) for e in n.get(name, []) for x in e]
            assert new_items[: len(old_items)] == old_items, f"styles <{name}>"
        else:
            assert new == old, f"styles <{name}>"
    assert _ext_lists(after[part]) == _ext_lists(before[part]), "the styles' extensions changed"


def _check_workbook(before: bytes, after: bytes) -> None:
    assert _ext_lists(after) == _ext_lists(before), "the workbook's extensions changed"
    o, n = _children(etree.fromstring(before)), _children(etree.fromstring(after))
    for name in set(o) | set(n):
        if name in ("sheets", "definedNames"):
            continue
        assert [_c14n(e) for e in n.get(name, [])] == [_c14n(e) for e in o.get(name, [])], f"workbook <{name}>"
    old_sheets = [_c14n(s) for s in o["sheets"][0]]
    assert [_c14n(s) for s in n["sheets"][0]][: len(old_sheets)] == old_sheets

    def names(children) -> set[bytes]:  # the filter's hidden name follows the filter: the sync's to change
        return {_c14n(x) for x in (children.get("definedNames") or [[]])[0]
                if x.get("name") != "_xlnm._FilterDatabase"}

    assert names(o) <= names(n), "a defined name changed"


def _check_listed(before, after, name, gone) -> None:
    old = {_c14n(x) for x in etree.fromstring(before[name]) if not any(g in _c14n(x).decode() for g in gone)}
    new = {_c14n(x) for x in etree.fromstring(after[name])}
    assert old <= new, f"{name} lost an entry"


# --------------------------------------------------------------------------- what the sync wrote


def tool_columns_by_calamine(path, sheet="Contacts") -> dict[str, dict]:
    """{name: {Stage, Next Step, Follow-Up On}} read by calamine (the tool's own reader)."""
    grid = read_grids(Path(path), sheets=[sheet])[sheet]
    return _tool_columns(grid)


def tool_columns_by_openpyxl(path, sheet="Contacts") -> dict[str, dict]:
    """The same, read by openpyxl (after renaming a Strict package back, which openpyxl cannot read)."""
    from openpyxl import load_workbook

    path = Path(path)
    if b'conformance="strict"' in parts(path).get("xl/workbook.xml", b""):
        path = to_transitional(path, path.with_name(path.stem + "-transitional.xlsx"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the x14 extensions it would drop: only reading here
        ws = load_workbook(path)[sheet]
    return _tool_columns([list(r) for r in ws.iter_rows(values_only=True)])


def _tool_columns(grid) -> dict[str, dict]:
    header = next(i for i, row in enumerate(grid[:10]) if "Name" in row)
    cols = {h: grid[header].index(h) for h in ("Name", *TOOL_HEADERS[:3])}
    out = {}
    for row in grid[header + 1:]:
        row = list(row) + [None] * (len(grid[header]) - len(row))
        if row[cols["Name"]] is None:
            continue
        value = {h: row[cols[h]] for h in TOOL_HEADERS[:3]}
        due = value["Follow-Up On"]
        value["Follow-Up On"] = due.date() if isinstance(due, dt.datetime) else due
        out[row[cols["Name"]]] = value
    return out


def sync(path):
    return run("sync", path, "--today", TODAY_ARG)


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, dict]:
    """The tool columns a sync of the example chart writes, from openpyxl's own file of it."""
    path = sample_chart(tmp_path_factory.mktemp("expected") / "chart.xlsx")
    assert sync(path).exit_code == 0
    return tool_columns_by_calamine(path)


def synced_as_expected(path, expected: dict) -> None:
    assert tool_columns_by_calamine(path) == expected
    assert tool_columns_by_openpyxl(path) == expected


# --------------------------------------------------------------------------- Strict Open XML


def test_a_strict_workbook_syncs_and_stays_strict(tmp_path, expected):
    path = to_strict(sample_chart(tmp_path / "made.xlsx"), tmp_path / "strict.xlsx")
    before = parts(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    after = parts(path)
    check_sync_kept_everything(before, after, ["Contacts", "Want to Meet"])
    # Every part it added or edited speaks Strict: a transitional name in a Strict package is
    # what Excel repairs.
    for name, data in after.items():
        if name.endswith((".xml", ".rels")):
            assert not _TRANSITIONAL_NAME.search(data), f"{name}: {_TRANSITIONAL_NAME.search(data).group(0)}"
    assert b'conformance="strict"' in after["xl/workbook.xml"]
    # Dates as Strict keeps them: ISO 8601 text, not serial numbers.
    contacts = after[sheet_parts(after)["Contacts"]]
    due = expected["Maria Chen"]["Follow-Up On"]
    column = get_column_letter(len(schema.CONTACTS.user_columns) + 3).encode()  # Stage, Next Step, Follow-Up On
    assert re.search(rb'<c r="' + column + rb'2" s="\d+" t="d"><v>' + due.isoformat().encode() + rb"</v></c>",
                     contacts)
    synced_as_expected(path, expected)
    # A second sync has nothing to do and changes no byte.
    again = sync(path)
    assert again.exit_code == 0 and "already up to date" in again.output
    assert parts(path) == after


def test_validate_agenda_and_draft_read_a_strict_workbook_as_the_same_chart(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "strict").mkdir()
    plain = sample_chart(tmp_path / "plain" / "chart.xlsx")
    strict = to_strict(plain, tmp_path / "strict" / "chart.xlsx")
    assert b't="d"' in parts(strict)[sheet_parts(parts(strict))["Contacts"]]  # dates as Strict keeps them

    def outputs(path):
        out = {}
        for args in (("validate", path, "--json"), ("agenda", path, "--today", TODAY_ARG),
                     ("draft", path, "--today", TODAY_ARG, "--stdout")):
            result = run(*args)
            assert result.exit_code == 0, result.output
            out[args[0]] = result.stdout.replace(str(path), "PATH")
        return out

    assert outputs(strict) == outputs(plain)


def test_a_strict_workbook_with_rows_without_numbers_syncs(tmp_path, expected):
    # Rows without numbers once sent a sheet to openpyxl, which reads a Strict package as a workbook
    # without sheets: the sync was refused. The one writer reads their numbers from their order.
    path = to_strict(sample_chart(tmp_path / "made.xlsx"), tmp_path / "strict.xlsx")
    numbered = parts(path)
    part = sheet_parts(numbered)["Contacts"]
    write_parts(path, {**numbered, part: re.sub(rb'(<row) r="\d+"', rb"\1", numbered[part])})
    result = sync(path)
    assert result.exit_code == 0, result.output
    after = parts(path)
    check_sync_kept_everything(numbered, after, ["Contacts", "Want to Meet"])  # as the same sheet with numbers
    assert b'conformance="strict"' in after["xl/workbook.xml"]
    synced_as_expected(path, expected)


@pytest.mark.libreoffice
def test_libreoffice_reads_what_sync_wrote_into_a_strict_workbook(tmp_path, lo, expected):
    # An independent reader of Strict: the tool columns, their notes, the dates and the
    # Dashboard's chart are all there for it.
    from openpyxl import load_workbook

    path = to_strict(sample_chart(tmp_path / "made.xlsx"), tmp_path / "strict.xlsx")
    assert sync(path).exit_code == 0
    saved = lo.convert(path, "xlsx", tmp_path / "lo")
    assert tool_columns_by_openpyxl(saved) == expected
    wb = load_workbook(saved)
    ws = wb["Contacts"]
    headers = [c.value for c in ws[1]]
    assert headers[-5:] == TOOL_HEADERS
    assert ws.cell(1, headers.index("Stage") + 1).comment is not None
    assert ws.cell(2, headers.index("Draft") + 1).hyperlink.target.startswith("mailto:")
    assert len(wb["Dashboard"]._charts) == 1
    assert wb.sheetnames == ["Contacts", "Want to Meet", "Profile", "Referrals", "Dashboard"]


# --------------------------------------------------------------------------- xlsxwriter

# The example chart's people, and one more recommended person, so that the sync adds a row
# to the Excel table.
NEW_PERSON = "Nora Quinn"
PEOPLE = [dict(p) for p in sample.CONTACTS]
next(p for p in PEOPLE if p["name"] == "Hiro Tanaka")["recommended"] = f"{NEW_PERSON} <nora.q@proseware.com>, Proseware"
PROFILE = [(f.label, sample.PROFILE.get(f.key, f.default)) for f in schema.PROFILE_FIELDS]
USER_COLUMNS = list(schema.CONTACTS.user_columns)
HEADER_ROW = 3  # under a merged title and a blank row
X14_DATA_VALIDATION_URI = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"


def xlsxwriter_chart(path) -> Path:
    """The people in a workbook as xlsxwriter writes it, with what a person adds in Excel.

    Contacts: a merged title, an Excel table (with a column of numbers under data bars
    and one of sparklines), a conditional format, a list validation, an x14 list
    validation pointing at another sheet, a note, a link, a print area. Summary: merges,
    single- and multi-cell array formulas, a dynamic array formula, sparklines. Defined
    names at workbook and sheet level, a hidden sheet.
    """
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    day = wb.add_format({"num_format": "d mmm yyyy"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})

    ws = wb.add_worksheet("Contacts")
    ws.merge_range("A1:F1", "Jordan's informational interviews", title)
    headers = [c.header for c in USER_COLUMNS] + ["Score", "Trend"]
    last = HEADER_ROW + len(PEOPLE)
    for r, person in enumerate(PEOPLE, start=HEADER_ROW):  # 0-based row = 1-based row - 1
        for c, column in enumerate(USER_COLUMNS):
            value = person.get(column.key)
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif value is not None:
                ws.write_string(r, c, value, wrap if "\n" in value else None)
        ws.write_number(r, len(USER_COLUMNS), (r * 7) % 5 + 1)
    ws.add_table(HEADER_ROW - 1, 0, last - 1, len(headers) - 1,
                 {"name": "People", "style": "Table Style Medium 2", "columns": [{"header": h} for h in headers]})
    score, trend = (f"{_letter(len(USER_COLUMNS) + i)}" for i in (1, 2))
    ws.conditional_format(f"{score}{HEADER_ROW + 1}:{score}{last}", {"type": "data_bar", "data_bar_2010": True,
                                                                     "bar_color": "#63BE7B"})
    ws.conditional_format(f"J{HEADER_ROW + 1}:J{last}", {"type": "cell", "criteria": "==", "value": '"Declined"',
                                                         "format": red})
    ws.data_validation(f"B{HEADER_ROW + 1}:B{last}", {"validate": "list",
                                                     "source": ["Own", "Family", "Friend", "Referral"]})
    for r in range(HEADER_ROW + 1, last + 1):
        ws.add_sparkline(f"{trend}{r}", {"range": f"Summary!B{r - HEADER_ROW + 1}:E{r - HEADER_ROW + 1}",
                                          "markers": True})
    ws.write_comment(f"O{HEADER_ROW + 1}", "Call her on Sunday afternoons", {"author": "Jordan"})
    ws.write_url(f"H{HEADER_ROW + 2}", "mailto:ann.lee@fabrikamhealth.org", string="ann.lee@fabrikamhealth.org")
    ws.set_column(0, 0, 20)
    ws.set_column(4, 7, 24)
    ws.set_column(14, 16, 36)
    ws.set_row(HEADER_ROW - 1, 30)
    ws.freeze_panes(HEADER_ROW, 1)
    ws.print_area(0, 0, last - 1, len(headers) - 1)

    summary = wb.add_worksheet("Summary")
    summary.merge_range("A1:E1", "Calls per quarter", title)
    for i, person in enumerate(PEOPLE, start=1):
        summary.write_string(i, 0, person["name"])
        for q in range(4):
            summary.write_number(i, 1 + q, (i + q) % 4)
        summary.add_sparkline(i, 5, {"range": f"Summary!B{i + 1}:E{i + 1}", "type": "column"})
    total = len(PEOPLE) + 2
    summary.write_array_formula(f"B{total}:B{total}", f"{{=SUM(B2:B{total - 2}*C2:C{total - 2})}}", None, 42)
    summary.write_array_formula("G2:G4", "{=TRANSPOSE(B2:D2)}", None, 1)
    summary.write_dynamic_array_formula("H2", f"=SORT(B2:B{total - 2})", None, 0)
    summary.write_formula(f"C{total}", f"=COUNTA(Contacts!A{HEADER_ROW + 1}:A{last})", None, len(PEOPLE))
    summary.merge_range(f"D{total}:E{total}", "merged note")

    want = wb.add_worksheet("Want to Meet")
    for c, column in enumerate(schema.WANT_TO_MEET.user_columns):
        want.write_string(0, c, column.header)
        for r, row in enumerate(sample.WANT_TO_MEET, start=1):
            if row.get(column.key):
                want.write_string(r, c, row[column.key])
    profile = wb.add_worksheet("Profile")
    profile.write_row(0, 0, ["Field", "Value"])
    for r, (label, value) in enumerate(PROFILE, start=1):
        profile.write_string(r, 0, label)
        if isinstance(value, str):
            profile.write_string(r, 1, value)
        elif value is not None:
            profile.write_number(r, 1, value)
    lists = wb.add_worksheet("Lists")
    lists.write_column(0, 0, ["Call", "Email"])
    lists.hide()
    wb.define_name("ContactNames", f"=Contacts!$A${HEADER_ROW + 1}:$A${last}")
    wb.define_name("Summary!Total", f"=Summary!$B${total}")
    wb.close()
    _add_x14_validation(path, f"I{HEADER_ROW + 1}:I{last}")
    _add_excel_extensions(path)
    return path


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _add_x14_validation(path: Path, sqref: str) -> None:
    """An x14 list validation (a list on another sheet, as Excel 2010+ writes it), which xlsxwriter cannot make."""
    data = parts(path)
    part = sheet_parts(data)["Contacts"]
    ext = (f'<ext uri="{X14_DATA_VALIDATION_URI}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/'
           '2009/9/main"><x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/'
           'main"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
           f"<x14:formula1><xm:f>Lists!$A$1:$A$2</xm:f></x14:formula1><xm:sqref>{sqref}</xm:sqref>"
           "</x14:dataValidation></x14:dataValidations></ext>").encode()
    sheet = data[part]
    # Excel orders the extensions: conditional formats, then data validations, then sparklines.
    at = sheet.index(b'<ext xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
                     b'uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"')
    data[part] = sheet[:at] + ext + sheet[at:]
    write_parts(path, data)


# What Excel writes at the end of every styles and workbook part it saves.
EXCEL_STYLE_EXTENSIONS = (
    '<extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" xmlns:x14="http://schemas.microsoft.com/office/'
    'spreadsheetml/2009/9/main"><x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></ext><ext '
    'uri="{9260A510-F301-46a8-8635-F512D64BE5F5}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/'
    '2010/11/main"><x15:timelineStyles defaultTimelineStyle="TimeSlicerStyleLight1"/></ext></extLst>')
EXCEL_WORKBOOK_EXTENSIONS = (
    '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="http://schemas.microsoft.com/office/'
    'spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>')


def _add_excel_extensions(path: Path) -> None:
    data = parts(path)
    assert b"<extLst>" not in data["xl/styles.xml"] + data["xl/workbook.xml"]
    data["xl/styles.xml"] = data["xl/styles.xml"].replace(b"</styleSheet>", EXCEL_STYLE_EXTENSIONS.encode()
                                                          + b"</styleSheet>")
    data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(b"</workbook>", EXCEL_WORKBOOK_EXTENSIONS.encode()
                                                              + b"</workbook>")
    write_parts(path, data)


@pytest.fixture(scope="module")
def expected_people(tmp_path_factory) -> dict[str, dict]:
    """The tool columns a sync writes for ``PEOPLE``, from openpyxl's plain file of them."""
    from conftest import write_chart

    rows = [[p.get(c.key) for c in USER_COLUMNS] for p in PEOPLE]
    path = write_chart(tmp_path_factory.mktemp("people") / "plain.xlsx", rows=rows, profile=[["Field", "Value"],
                                                                                             *PROFILE])
    assert sync(path).exit_code == 0
    values = tool_columns_by_calamine(path)
    assert NEW_PERSON in values and values["Maria Chen"]["Stage"] == "Thanked"
    return values


def check_producer(path, expected, edited=("Contacts", "Want to Meet")) -> dict[str, bytes]:
    """Sync ``path``; assert it kept everything and wrote what ``expected`` says. Returns the parts after."""
    before = parts(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    after = parts(path)
    check_sync_kept_everything(before, after, list(edited))
    synced_as_expected(path, expected)
    again = sync(path)
    assert again.exit_code == 0 and "already up to date" in again.output, again.output
    assert parts(path) == after
    return after


def test_an_xlsxwriter_workbook_syncs_and_keeps_everything(tmp_path, expected_people):
    path = xlsxwriter_chart(tmp_path / "xlsxwriter.xlsx")
    before = parts(path)
    contacts = before[sheet_parts(before)["Contacts"]]
    for uri in (b"{78C0D931-6437-407d-A8EE-F0AAD7539E65}", X14_DATA_VALIDATION_URI.encode(),
                b"{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"):
        assert uri in contacts  # data bars, the x14 validation and sparklines are there to keep
    after = check_producer(path, expected_people)
    assert "xl/metadata.xml" in after  # the dynamic array's part, untouched
    table = etree.fromstring(after["xl/tables/table1.xml"])
    last = get_column_letter(len(USER_COLUMNS) + 2)  # Score and Trend
    assert table.get("ref") == f"A{HEADER_ROW}:{last}{HEADER_ROW + len(PEOPLE) + 1}"  # grown over the new person
    assert tool_columns_by_calamine(path)[NEW_PERSON]["Stage"]



@pytest.mark.parametrize("made_by", ["xlsxwriter", "openpyxl (the rich chart: an image, a table, formulas)"])
def test_a_strict_workbook_syncs_keeps_everything_and_stays_strict(tmp_path, made_by, expected_people):
    if made_by == "xlsxwriter":
        path, want = to_strict(xlsxwriter_chart(tmp_path / "made.xlsx"), tmp_path / "strict.xlsx"), expected_people
    else:
        plain = rich_chart(tmp_path / "plain.xlsx")
        assert sync(plain).exit_code == 0
        path, want = to_strict(rich_chart(tmp_path / "made.xlsx"), tmp_path / "strict.xlsx"), \
            tool_columns_by_calamine(plain)
    after = check_producer(path, want)
    for name, data in after.items():
        if name.endswith((".xml", ".rels")):
            assert not _TRANSITIONAL_NAME.search(data), f"{name}: {_TRANSITIONAL_NAME.search(data).group(0)}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("made_by", ["openpyxl", "xlsxwriter"])
def test_a_workbook_libreoffice_saved_syncs_and_keeps_everything(tmp_path, lo, made_by, expected, expected_people):
    if made_by == "openpyxl":
        made, want = sample_chart(tmp_path / "chart.xlsx"), expected
    else:
        made, want = xlsxwriter_chart(tmp_path / "chart.xlsx"), expected_people
    path = lo.convert(made, "xlsx", tmp_path / "lo")
    assert b"LibreOffice" in parts(path)["docProps/app.xml"]
    check_producer(path, want)


@pytest.mark.parametrize("tamper", [
    "a cell's style", "a cached formula result", "the merge", "an x14 extension's bytes", "a defined name",
    "an untouched sheet", "a table column", "a note of the person's", "a style of the person's"])
def test_the_part_by_part_comparison_notices_each_kind_of_loss(tmp_path, tamper):
    # The checks above are only as good as what they notice: each tampering with a synced
    # file must fail them.
    path = xlsxwriter_chart(tmp_path / "xlsxwriter.xlsx")
    before = parts(path)
    assert sync(path).exit_code == 0
    after = parts(path)
    where = sheet_parts(after)
    contacts, summary = where["Contacts"], where["Summary"]

    def sub(part, pattern, repl):
        new = re.sub(pattern, repl, after[part], count=1)
        assert new != after[part], (tamper, pattern)
        after[part] = new

    if tamper == "a cell's style":
        sub(contacts, rb'(<c r="K4" s=")(\d+)"', lambda m: m.group(1) + b'0"')
    elif tamper == "a cached formula result":
        sub(summary, rb"(<f>COUNTA\([^<]*</f><v>)\d+", rb"\g<1>99")
    elif tamper == "the merge":
        sub(contacts, rb'<mergeCell ref="A1:F1"/>', b'<mergeCell ref="A1:E1"/>')
    elif tamper == "an x14 extension's bytes":
        sub(contacts, rb'<ext uri="(\{CCE6A557[^"]*)" (xmlns:x14="[^"]*")>', rb'<ext \2 uri="\1">')
    elif tamper == "a defined name":
        sub("xl/workbook.xml", rb"<definedName name=\"ContactNames\">[^<]*</definedName>", b"")
    elif tamper == "an untouched sheet":
        sub(summary, rb"<v>42</v>", b"<v>43</v>")
    elif tamper == "a table column":
        sub("xl/tables/table1.xml", rb'name="Score"', b'name="Score2"')
    elif tamper == "a note of the person's":
        sub("xl/comments1.xml", rb"Call her on Sunday afternoons", b"Call her")
    elif tamper == "a style of the person's":
        sub("xl/styles.xml", rb'(<numFmt numFmtId="164" formatCode=")[^"]*"', rb'\g<1>0"')
    with pytest.raises(AssertionError):
        check_sync_kept_everything(before, after, ["Contacts", "Want to Meet"])
