"""sync's usual writer (``xlsxpatch``): only changed rows and parts are rewritten.

What a person would check: every part and every row sync has no business with
is the same bytes afterwards; formulas keep their last results; sheet XML as
other programs write it (comments, processing instructions, CDATA, rows and cells
without their numbers, prefixes, rich text, Excel's extensions) syncs, keeping
every cell and every row it does not write; and the Dashboard chart it stores is
the one openpyxl would make.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from conftest import run
from openpyxl import load_workbook
from sync_fixtures import TODAY_ARG, sample_chart, tool_values

from workbook_tool.grids import read_grids


def sync(path, *args):
    return run("sync", path, "--today", TODAY_ARG, *args)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rows_of(xml: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.S)}


def test_parts_sync_does_not_change_are_copied_byte_for_byte(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    before = parts(path)
    assert sync(path).exit_code == 0
    after = parts(path)
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    # The sheets that get tool columns, their notes, links and filters, the styles, and the
    # lists of sheets and parts: nothing else.
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/comments/comment1.xml",
                       "xl/comments/comment2.xml", "xl/drawings/commentsDrawing1.vml",
                       "xl/drawings/commentsDrawing2.vml", "xl/worksheets/_rels/sheet1.xml.rels",
                       "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert "xl/worksheets/sheet3.xml" not in changed  # Profile
    assert before["xl/theme/theme1.xml"] == after["xl/theme/theme1.xml"]


def stored(path) -> dict[str, tuple[bytes, int]]:
    """Each part's compressed bytes as stored in the zip, and its CRC."""
    import struct

    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            header = struct.unpack(zipfile.structFileHeader, fh.read(zipfile.sizeFileHeader))
            fh.seek(header[zipfile._FH_FILENAME_LENGTH] + header[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
            out[info.filename] = (fh.read(info.compress_size), info.CRC)
    return out


def test_parts_sync_leaves_alone_are_copied_still_compressed(tmp_path):
    # Not inflated and deflated again: a large sheet of the person's beside the chart costs a sync
    # only the copying of its bytes.
    made = sample_chart(tmp_path / "made.xlsx")
    path = tmp_path / "chart.xlsx"
    # The Profile sheet stored uncompressed and the theme deflated harder than chart would: written
    # anew, both would change their stored bytes.
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                dst.writestr(info.filename, data, compress_type=zipfile.ZIP_STORED)
            else:
                dst.writestr(info.filename, data, compresslevel=9 if "theme" in info.filename else None)
    before = stored(path)
    assert sync(path).exit_code == 0
    after = stored(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every part's CRC holds
        assert zf.getinfo("xl/worksheets/sheet3.xml").compress_type == zipfile.ZIP_STORED
    for name in ("xl/worksheets/sheet3.xml", "xl/theme/theme1.xml", "docProps/core.xml"):
        assert after[name] == before[name], name
    assert after["xl/worksheets/sheet1.xml"] != before["xl/worksheets/sheet1.xml"]  # Contacts: rewritten


def test_rows_sync_does_not_touch_are_the_same_bytes(tmp_path):
    # A resync where one person's stage moves on rewrites that row only.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    wb = load_workbook(path)
    ws = wb["Contacts"]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Carlos Diaz")
    ws.cell(row, headers.index("Meeting On") + 1).value = "2026-11-20"
    wb.save(path)
    before = rows_of(parts(path)["xl/worksheets/sheet1.xml"])
    assert sync(path).exit_code == 0
    after = rows_of(parts(path)["xl/worksheets/sheet1.xml"])
    assert tool_values(path)["Carlos Diaz"]["Stage"].startswith("Met")
    differing = {r for r in before if before[r] != after.get(r)}
    assert differing == {row}


def test_formulas_keep_their_last_results(tmp_path):
    # openpyxl drops cached results, so a formula read blank until Excel recalculated;
    # the patch writer leaves the cells it does not write alone.
    path = sample_chart(tmp_path / "chart.xlsx")
    data = parts(path)
    sheet = data["xl/worksheets/sheet1.xml"]
    formula = b'<c r="R2"><f>LEN(A2)</f><v>7</v></c>'
    sheet = re.sub(rb'(<row r="2"[^>]*>.*?)(</row>)', lambda m: m.group(1) + formula + m.group(2), sheet, count=1,
                   flags=re.S)
    data["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    assert read_grids(path)["Contacts"][1][17] == 7
    assert sync(path).exit_code == 0
    assert b"<f>LEN(A2)</f><v>7</v>" in parts(path)["xl/worksheets/sheet1.xml"]
    assert read_grids(path)["Contacts"][1][17] == 7


def _rewrite_sheet(path, fn) -> None:
    data = parts(path)
    data["xl/worksheets/sheet1.xml"] = fn(data["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)


def _prefixed(xml: bytes) -> bytes:
    # The same sheet with the main namespace under a prefix, as some generators write it.
    xml = xml.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    xml = re.sub(rb"<(/?)(?!x:|\?)([A-Za-z]+)", rb"<\1x:\2", xml)
    return xml


@pytest.mark.parametrize("shape", ["prefixed namespace", "an XML comment among the cells", "rows without numbers"])
def test_unusual_sheet_xml_still_syncs(tmp_path, shape):
    # Once, the last two went through openpyxl, which rewrote every part of the file.
    path = sample_chart(tmp_path / "chart.xlsx")
    if shape == "prefixed namespace":
        _rewrite_sheet(path, _prefixed)
    elif shape == "an XML comment among the cells":
        _rewrite_sheet(path, lambda xml: xml.replace(b"<sheetData>", b"<sheetData><!-- made by hand -->", 1))
    else:
        _rewrite_sheet(path, lambda xml: re.sub(rb'(<row) r="\d+"', rb"\1", xml))
    plain = sample_chart(tmp_path / "plain.xlsx")
    assert sync(plain).exit_code == 0
    before = parts(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert tool_values(path) == tool_values(plain)
    after = parts(path)
    assert {n for n in before if before[n] != after[n]} <= {
        "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/comments/comment1.xml", "xl/comments/comment2.xml",
        "xl/drawings/commentsDrawing1.vml", "xl/drawings/commentsDrawing2.vml", "xl/worksheets/_rels/sheet1.xml.rels",
        "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    if shape == "an XML comment among the cells":
        assert b"<sheetData><!-- made by hand -->" in after["xl/worksheets/sheet1.xml"]


def test_stored_dashboard_chart_is_the_one_openpyxl_makes():
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.xml.functions import tostring

    from workbook_tool.dashboard import SHEET, pipeline_chart

    chart, anchor = pipeline_chart(SHEET)
    chart._id = 1
    chart.anchor = anchor
    drawing = SpreadsheetDrawing()
    drawing.charts.append(chart)
    stored = files("workbook_tool") / "parts"
    assert (stored / "dashboard-chart.xml").read_bytes() == tostring(chart._write())
    assert (stored / "dashboard-drawing.xml").read_bytes() == tostring(drawing._write())


def test_dashboard_chart_is_there_after_the_first_sync_and_kept_after(tmp_path):
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    ws = load_workbook(path)["Dashboard"]
    assert len(ws._charts) == 1
    chart_xml = parts(path)["xl/charts/chart1.xml"]
    assert b"'Dashboard'!$B$4:$B$13" in chart_xml and b"'Dashboard'!$A$4:$A$13" in chart_xml
    # A later day: the numbers are rewritten, the chart is the same part.
    assert run("sync", path, "--today", "2026-12-20").exit_code == 0
    assert parts(path)["xl/charts/chart1.xml"] == chart_xml
    assert len(load_workbook(path)["Dashboard"]._charts) == 1


def test_excels_calculation_chain_is_left_for_excel_to_rebuild(tmp_path):
    # A chain naming a cell that no longer holds a formula makes Excel "repair" the file.
    path = sample_chart(tmp_path / "chart.xlsx")
    data = parts(path)
    data["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                b'<c r="R2" i="1"/></calcChain>')
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    assert sync(path).exit_code == 0
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert tool_values(path)["Ann Lee"]["Stage"] == "Thanked"


def test_read_back_row_by_row_gives_the_same_rows_as_reading_whole_sheets(tmp_path):
    # The check after a write reads one row at a time (calamine's iter_rows, which leaves
    # out empty columns at the left); it must see exactly what read_grids sees.
    from openpyxl import Workbook

    from workbook_tool.grids import Sheets

    wb = Workbook()
    ws = wb.active
    ws.title = "Offset"
    ws["C3"], ws["E5"], ws["D4"] = "x", 5, 2.5
    wb.create_sheet("Empty")
    a1 = wb.create_sheet("From A1")
    a1["A1"], a1["B2"] = "h", True
    styled = wb.create_sheet("Styled blanks")
    styled["B2"].number_format = "0.00"
    styled["D7"] = "z"
    path = tmp_path / "shapes.xlsx"
    wb.save(path)
    sample = sample_chart(tmp_path / "chart.xlsx")
    for workbook in (path, sample):
        with Sheets(workbook) as book:
            for name, grid in read_grids(workbook).items():
                assert list(book.rows(name)) == grid, name


def test_repeated_syncs_do_not_grow_the_styles(tmp_path):
    # Each sync that writes a Draft link or a date asks for the same formats: found, not added again.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    styles = parts(path)["xl/styles.xml"]
    for day in ("2026-12-01", "2026-12-15", "2027-01-05"):
        assert run("sync", path, "--today", day).exit_code == 0
    after = parts(path)["xl/styles.xml"]
    for tag in (b"<font>", b"<fill>", b"<xf "):
        assert after.count(tag) == styles.count(tag), tag


def test_excels_hidden_filter_name_follows_the_filter(tmp_path):
    # Excel keeps _xlnm._FilterDatabase equal to the sheet's filter; a stale one narrows the filter again.
    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    ref = load_workbook(path)["Contacts"].auto_filter.ref
    first, last = ref.split(":")
    split = lambda cell: re.match(r"([A-Z]+)(\d+)", cell).groups()  # noqa: E731
    expected = "'Contacts'!${}${}:${}${}".format(*split(first), *split(last)).encode()
    workbook = parts(path)["xl/workbook.xml"]
    assert re.search(rb'name="_xlnm._FilterDatabase" localSheetId="0"[^>]*>([^<]*)<', workbook).group(1) == expected


# --------------------------------------------------------------------------- sheet XML as other programs write it
#
# Each workbook below is put together by hand, part by part, with the Contacts sheet written the way some
# producer writes sheet XML: XML comments and processing instructions anywhere (among rows, among cells,
# inside a cell, around the root), CDATA sections in text, rows and cells without their r (their place
# implied: the row after the one before, the column after the cell before), a prefixed namespace, shared
# strings with rich text runs, inline rich text, Excel's mc:Ignorable attributes, self-closing rows, and
# attributes in single quotes. A sync must keep every cell of the person's (as calamine and openpyxl read
# it), copy every part it has no business with and every row it does not write byte for byte, and write
# the tool columns a plain workbook would get.

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TITLE = "Jordan's contacts <2026> & more"
HAND_HEADERS = ["Name", "Source", "Referred By", "Organization", "Phone", "Email", "Contacted On", "Meeting On",
                "Thanked On", "Notes", "Recommended"]
NOTE = "met at <b>the</b> fair & said ]]> twice </c></row></sheetData>"
HAND_ROWS = {  # row number -> values under HAND_HEADERS (None: no cell); row 5 is an empty formatted row
    3: ["Ann Lee", "Own", None, "Fabrikam", None, "ann@fabrikam.org", dt.date(2026, 11, 20), None, None, NOTE,
        None],
    4: ["Bob Roe", "Friend", None, None, 6175550142, "bob@example.org", None, None, None, None,
        "Cara Diaz <cara@contoso.com>"],
    6: ["Dan Poe", "Own", None, "Contoso", "617-555-0199", "dan@example.org", dt.date(2026, 11, 2),
        dt.date(2026, 11, 10), dt.date(2026, 11, 11), "coffee", None],
}
HAND_STAGES = {"Ann Lee": "Awaiting reply", "Bob Roe": "Not contacted", "Cara Diaz": "Not contacted",
               "Dan Poe": "Thanked"}
CONSTRUCTS = {
    "XML comments": {"comments"},
    "processing instructions": {"pis"},
    "CDATA sections": {"cdata"},
    "rows and cells without r": {"no_r"},
    "a prefixed namespace": {"prefix"},
    "shared strings with rich text": {"shared"},
    "inline rich text": {"rich"},
    "mc:Ignorable, x14ac and spans": {"ignorable"},
    "attributes in single quotes": {"quotes"},
    "all of them at once": {"comments", "pis", "cdata", "no_r", "prefix", "rich", "ignorable", "quotes"},
}


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def _letter(c: int) -> str:
    from workbook_tool.objects import column_letter

    return column_letter(c)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class HandMade:
    """The Contacts sheet as one producer writes it (``flags`` from CONSTRUCTS), and each row's XML."""

    def __init__(self, flags: set[str]):
        self.flags = flags
        self.p = "x:" if "prefix" in flags else ""
        self.shared: list[str] = []  # shared strings' XML (<si> contents)
        self.rows: dict[int, str] = {}
        q = "'" if "quotes" in flags else '"'
        self.q = q

    def attr(self, name: str, value) -> str:
        return f" {name}={self.q}{value}{self.q}"

    def note(self, text: str) -> str:
        """Something no reader takes for data, where a producer may write it."""
        out = ""
        if "comments" in self.flags:
            out += f"<!-- {text}: </c></row></sheetData> <{self.p}row r=\"99\"> -->"
        if "pis" in self.flags:
            out += f"<?exporter {text} <{self.p}c r=\"Z9\"/> ?>"
        return out

    def text(self, value: str) -> tuple[str, str]:
        """(t attribute, inside of <c>) for a text cell."""
        p = self.p
        if "shared" in self.flags:
            if not self.shared:  # the first string with a bold run
                first, _, rest = value.partition(" ")
                self.shared.append(f"<r><rPr><b/></rPr><t>{_esc(first)}</t></r><r><t xml:space=\"preserve\"> "
                                   f"{_esc(rest)}</t></r>")
            else:
                self.shared.append(f"<t>{_esc(value)}</t>")
            return "s", f"<{p}v>{len(self.shared) - 1}</{p}v>"
        def piece(text: str) -> str:
            if "cdata" in self.flags:
                return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
            return _esc(text)

        if "rich" in self.flags and " " in value:  # the first word bold
            first, _, rest = value.partition(" ")
            return "inlineStr", (f"<{p}is><{p}r><{p}rPr><{p}b/></{p}rPr><{p}t>{piece(first)}</{p}t></{p}r><{p}r>"
                                 f"<{p}t xml:space=\"preserve\">{piece(' ' + rest)}</{p}t></{p}r></{p}is>")
        return "inlineStr", f"<{p}is><{p}t>{piece(value)}</{p}t></{p}is>"

    def row(self, number: int, values: list, previous: int) -> str:
        p, no_r = self.p, "no_r" in self.flags
        attrs = "" if no_r and number == previous + 1 else self.attr("r", number)
        if "ignorable" in self.flags:
            attrs += self.attr("spans", f"1:{len(values)}") + self.attr("x14ac:dyDescent", "0.25")
        cells, last = [], 0
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            ref = "" if no_r and c == last + 1 else self.attr("r", f"{_letter(c)}{number}")
            if isinstance(value, dt.date):
                cells.append(f"<{p}c{ref}{self.attr('s', 1)}><{p}v>{_serial(value)}</{p}v></{p}c>")
            elif isinstance(value, int):
                cells.append(f"<{p}c{ref}><{p}v>{value}</{p}v></{p}c>")
            else:
                t, inner = self.text(value)
                if c == 1:
                    inner = self.note(f"inside {_letter(c)}{number}") + inner
                cells.append(f"<{p}c{ref}{self.attr('t', t)}>{inner}</{p}c>")
            last = c
        between = self.note(f"between the cells of row {number}")
        return f"<{p}row{attrs}>" + between.join(cells) + self.note("after the last cell") + f"</{p}row>"

    def sheet(self) -> str:
        p, q = self.p, self.q
        rows = {1: self.row(1, [TITLE], 0), 2: self.row(2, HAND_HEADERS, 1)}
        rows[3] = self.row(3, HAND_ROWS[3], 2)
        rows[4] = self.row(4, HAND_ROWS[4], 3)
        # An empty row with a height of its own: a self-closing <row>.
        rows[5] = f"<{p}row" + ("" if "no_r" in self.flags else self.attr("r", 5)) + self.attr("ht", 6) + \
            self.attr("customHeight", 1) + "/>"
        rows[6] = self.row(6, HAND_ROWS[6], 5)
        self.rows = rows
        ns = f"xmlns{':x' if p else ''}={q}{MAIN_NS}{q} xmlns:r={q}{REL_NS}{q}"
        if "ignorable" in self.flags:
            ns += (f" xmlns:mc={q}http://schemas.openxmlformats.org/markup-compatibility/2006{q}"
                   f" mc:Ignorable={q}x14ac xr{q}"
                   f" xmlns:x14ac={q}http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac{q}"
                   f" xmlns:xr={q}http://schemas.microsoft.com/office/spreadsheetml/2014/revision{q}"
                   f" xr:uid={q}{{00000000-0001-0000-0000-000000000000}}{q}")
        body = "\n".join(self.note(f"before row {n}") + xml for n, xml in rows.items())
        return (f"<?xml version={q}1.0{q} encoding={q}UTF-8{q} standalone={q}yes{q}?>\n"
                + self.note("before the worksheet")
                + f"<{p}worksheet {ns}><{p}dimension{self.attr('ref', 'A1:K6')}/>"
                + f"<{p}sheetViews><{p}sheetView{self.attr('workbookViewId', 0)}/></{p}sheetViews>"
                + f"<{p}sheetFormatPr{self.attr('defaultRowHeight', 15)}/>"
                + f"<{p}sheetData>\n{body}\n{self.note('after the rows')}</{p}sheetData>"
                + f"<{p}pageMargins left={q}0.7{q} right={q}0.7{q} top={q}0.75{q} bottom={q}0.75{q} header={q}0.3{q}"
                + f" footer={q}0.3{q}/></{p}worksheet>" + self.note("after the worksheet"))


def _plain_sheet(rows: list[list]) -> str:
    cells = "".join(f'<row r="{r}">' + "".join(
        f'<c r="{_letter(c)}{r}" t="inlineStr"><is><t>{_esc(str(v))}</t></is></c>' if isinstance(v, str)
        else f'<c r="{_letter(c)}{r}"><v>{v}</v></c>' for c, v in enumerate(row, start=1)) + "</row>"
        for r, row in enumerate(rows, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
            f"<sheetData>{cells}</sheetData></worksheet>")


def hand_made_chart(path, sheet_xml: str, shared: list[str] = (), extra: dict | None = None) -> Path:
    """A workbook package put together part by part: Contacts (``sheet_xml``), a Profile, styles with a
    date format, and ``shared`` strings (each an <si>'s inside) when there are any."""
    from conftest import GOOD_PROFILE

    profile = _plain_sheet([["Field", "Value"]] + [[k, v] for k, v in GOOD_PROFILE.items()])
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
            f'xml"/><Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>' if shared
               else "") + "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/>'
            '<sheet name="Profile" sheetId="2" r:id="rId2"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>'
            + (f'<Relationship Id="rId4" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>' if shared
               else "") + "</Relationships>"),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill>'
            '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/worksheets/sheet2.xml": profile,
    }
    if shared:
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{len(shared)}" '
            f'uniqueCount="{len(shared)}">' + "".join(f"<si>{s}</si>" for s in shared) + "</sst>")
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return Path(path)


def hand_made(path, flags) -> tuple[Path, HandMade]:
    made = HandMade(set(flags))
    xml = made.sheet()
    return hand_made_chart(path, xml, made.shared), made


def user_cells(path) -> dict:
    """Every non-blank cell of every sheet, as calamine reads it (the tool's reader) and as openpyxl does."""
    from openpyxl import load_workbook

    out = {}
    for sheet, grid in read_grids(path).items():
        out[("calamine", sheet)] = {(r, c): v for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1)
                                    if v not in (None, "")}
    for ws in load_workbook(path).worksheets:
        out[("openpyxl", ws.title)] = {(r, c): v for (r, c), cell in ws._cells.items()
                                       for v in [cell.value] if v is not None}
    return out


def stages(path) -> dict[str, dict[str, str]]:
    """Each reader's Stage of each person."""
    out = {}
    for reader, sheet in [("calamine", "Contacts"), ("openpyxl", "Contacts")]:
        cells = user_cells(path)[(reader, sheet)]
        header = {v: c for (r, c), v in cells.items() if r == 2}
        out[reader] = {cells[(r, 1)]: cells.get((r, header["Stage"])) for (r, c) in cells
                       if c == 1 and r > 2}
    return out


def row_spans(xml: bytes) -> dict[int, bytes]:
    """Each <row>'s bytes by its number, as expat finds them (an independent reader of the XML); the rows must
    ascend."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    spans, depth, current = {}, 0, [0, None]

    def start(name, attrs):
        nonlocal depth
        depth += 1
        if name.endswith(" row"):
            number = int(attrs["r"]) if "r" in attrs else current[0] + 1
            assert number > current[0], f"row {number} after row {current[0]}"
            current[0], current[1] = number, parser.CurrentByteIndex

    def end(name):
        nonlocal depth
        depth -= 1
        if name.endswith(" row"):
            # The end of the end tag (or of a self-closing tag): where the next event starts.
            stop = xml.index(b">", parser.CurrentByteIndex) + 1
            spans[current[0]] = xml[current[1]: stop]

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(xml, True)
    return spans


# The parts a first sync of these charts may change; every other part keeps its bytes.
MAY_CHANGE = {"xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels", "xl/workbook.xml",
              "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


@pytest.mark.parametrize("construct", list(CONSTRUCTS))
def test_sheet_xml_as_producers_write_it_syncs_keeping_every_cell_and_byte(tmp_path, construct):
    path, made = hand_made(tmp_path / "chart.xlsx", CONSTRUCTS[construct])
    before, cells_before = parts(path), user_cells(path)
    assert {name: cells[(2, 1)] for (reader, name), cells in cells_before.items() if name == "Contacts"} == \
        {"Contacts": "Name"}, "both readers see the header where it was written"
    result = sync(path)
    assert result.exit_code == 0, result.output
    after, cells_after = parts(path), user_cells(path)
    # Every cell of the person's, read by either reader, as it was.
    for key, cells in cells_before.items():
        for place, value in cells.items():
            assert cells_after[key].get(place) == value, (key, place)
    assert stages(path) == {"calamine": HAND_STAGES, "openpyxl": HAND_STAGES}
    # Every part a sync has no business with (the Profile sheet, the shared strings) is the same bytes.
    for name in set(before) - MAY_CHANGE:
        assert after[name] == before[name], name
    # So is every row it writes nothing into: the title row and the empty row.
    sheet = after["xl/worksheets/sheet1.xml"]
    for number in (1, 5):
        assert sheet.count(made.rows[number].encode()) == 1, number
    # Comments and instructions in the rows it rewrote are still where they were.
    for mark in (b"<!-- between the cells of row 3", b"<?exporter between the cells of row 3", b"]]]]><![CDATA[>"):
        assert sheet.count(mark) == before["xl/worksheets/sheet1.xml"].count(mark), mark
    again = sync(path)
    assert again.exit_code == 0 and "already up to date" in again.stdout
    assert parts(path) == after


@pytest.mark.parametrize("construct", list(CONSTRUCTS))
def test_a_later_sync_rewrites_only_the_rows_that_change(tmp_path, construct):
    # A day later only the two people not contacted yet get a new due date: every other row keeps its bytes.
    path, _ = hand_made(tmp_path / "chart.xlsx", CONSTRUCTS[construct])
    assert sync(path).exit_code == 0
    first = parts(path)
    assert run("sync", path, "--today", "2026-11-26").exit_code == 0
    second = parts(path)
    rows_before, rows_after = (row_spans(p["xl/worksheets/sheet1.xml"]) for p in (first, second))
    assert set(rows_after) == set(rows_before) == {1, 2, 3, 4, 5, 6, 7}
    assert {n for n in rows_before if rows_before[n] != rows_after[n]} == {4, 7}  # Bob Roe, Cara Diaz
    assert first["xl/styles.xml"] == second["xl/styles.xml"]
    # What the producer wrote is still in Ann Lee's row, which both syncs left alone or rewrote around it.
    for flag, mark in MARKS.items():
        if flag in CONSTRUCTS[construct]:
            assert mark in rows_after[3], mark


MARKS = {"comments": b"<!-- between the cells of row 3", "pis": b"<?exporter between the cells of row 3",
         "cdata": b"said ]]]]><![CDATA[> twice", "prefix": b"<x:c ", "rich": b"rPr>",
         "ignorable": b"x14ac:dyDescent", "quotes": b"t='inlineStr'"}


@pytest.mark.parametrize("shape", ["the main namespace under a second prefix", "a namespace declared on a row"])
def test_namespaces_declared_anew_among_the_cells_still_sync(tmp_path, shape):
    # Bytes alone cannot tell a <y:row> from anything else: such a sheet is first written anew by lxml as the
    # same XML, and edited then; every cell of the person's is kept.
    path = sample_chart(tmp_path / "chart.xlsx")
    if shape == "the main namespace under a second prefix":
        _rewrite_sheet(path, lambda xml: xml.replace(b'<worksheet xmlns="' + MAIN_NS.encode() + b'"', (
            b'<worksheet xmlns="' + MAIN_NS.encode() + b'" xmlns:s="' + MAIN_NS.encode() + b'"'), 1).replace(
            b'<row r="6"', b'<s:row r="6"').replace(b'</row><row r="7"', b'</s:row><row r="7"'))
    else:
        _rewrite_sheet(path, lambda xml: xml.replace(b'<row r="4"', b'<y:row xmlns:y="' + MAIN_NS.encode() + b'" r="4"')
                       .replace(b'</row><row r="5"', b'</y:row><row r="5"'))
    before = user_cells(path)
    plain = sample_chart(tmp_path / "plain.xlsx")
    assert sync(plain).exit_code == 0
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert tool_values(path) == tool_values(plain)
    assert set(row_spans(parts(path)["xl/worksheets/sheet1.xml"])) == set(range(1, 15)), "each row once"
    after = user_cells(path)
    for key, cells in before.items():
        for place, value in cells.items():
            assert after[key].get(place) == value, (key, place)


def test_a_workbook_without_styles_gets_a_styles_part(tmp_path):
    # Some programs write no styles part at all; the tool's headers and dates need one.
    made = HandMade(set())
    path = hand_made_chart(tmp_path / "made.xlsx", made.sheet().replace(" s=\"1\"", ""))
    data = parts(path)
    data.pop("xl/styles.xml")
    data["[Content_Types].xml"] = re.sub(rb'<Override PartName="/xl/styles.xml"[^>]*/>', b"",
                                         data["[Content_Types].xml"])
    data["xl/_rels/workbook.xml.rels"] = re.sub(rb'<Relationship Id="rId3"[^>]*/>', b"",
                                                data["xl/_rels/workbook.xml.rels"])
    path = tmp_path / "chart.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    before = user_cells(path)
    result = sync(path)
    assert result.exit_code == 0, result.output
    after = parts(path)
    assert after["xl/worksheets/sheet2.xml"] == data["xl/worksheets/sheet2.xml"], "the Profile, copied as it was"
    styles = next(n for n in after if n.startswith("xl/styles"))
    assert f'PartName="/{styles}"'.encode() in after["[Content_Types].xml"]
    assert b"relationships/styles" in after["xl/_rels/workbook.xml.rels"]
    ws = load_workbook(path)["Contacts"]
    assert ws["L2"].value == "Stage" and ws["L2"].font.i and ws["L2"].font.b
    assert ws["N4"].is_date  # Follow-Up On, a date cell
    after = user_cells(path)
    for key, cells in before.items():
        assert {place: after[key].get(place) for place in cells} == cells, key


def test_a_sheet_without_cell_data_gets_some(tmp_path):
    # An empty Referrals sheet as some programs write it, without even <sheetData/>: sync fills it in place.
    made = HandMade(set())
    path = hand_made_chart(tmp_path / "made.xlsx", made.sheet())
    data = parts(path)
    empty = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}"><pageMargins '
             'left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>').encode()
    data["xl/worksheets/sheet3.xml"] = empty
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.worksheet+xml"/></Types>'))
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        f'<Relationship Id="rId9" Type="{REL_NS}/worksheet" Target="worksheets/sheet3.xml"/></Relationships>'
        ).encode())
    data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(
        b"</sheets>", b'<sheet name="Referrals" sheetId="3" r:id="rId9"/></sheets>')
    path = tmp_path / "chart.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    result = sync(path)
    assert result.exit_code == 0, result.output
    assert parts(path)["xl/worksheets/sheet2.xml"] == data["xl/worksheets/sheet2.xml"], "the Profile, copied as it was"
    sheet = parts(path)["xl/worksheets/sheet3.xml"]
    assert sheet.index(b"<sheetData>") < sheet.index(b"<pageMargins"), "where the schema puts it"
    assert read_grids(path)["Referrals"][:2] == [["Referred Person", "Referred By", "Chain", "Depth", "Stage"],
                                                 ["Cara Diaz", "Bob Roe", "Bob Roe → Cara Diaz", 1, "Not contacted"]]


def with_shared_strings(path) -> Path:
    """``path`` with every text cell in the shared strings, as Excel saves a workbook."""
    from conftest import rewrite_zip

    data, strings = parts(path), []

    def shared(m):
        strings.append(m.group(2))
        return b"<c" + m.group(1).replace(b't="inlineStr"', b't="s"') + b"><v>%d</v></c>" % (len(strings) - 1)

    replace = {name: re.sub(rb'<c([^>]*t="inlineStr"[^>]*)><is><t[^>]*>(.*?)</t></is></c>', shared, xml, flags=re.S)
               for name, xml in data.items() if name.startswith("xl/worksheets/sheet")}
    replace["[Content_Types].xml"] = data["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    replace["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        f'<Relationship Id="rIdSst" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ).encode())
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">').encode() + b"".join(
        b'<si><t xml:space="preserve">' + s + b"</t></si>" for s in strings) + b"</sst>"
    moved = rewrite_zip(path, Path(path).with_suffix(".shared"), replace=replace, add={"xl/sharedStrings.xml": sst})
    return moved.replace(path)


def test_shared_strings_keep_their_count_when_cells_that_used_them_are_rewritten(tmp_path):
    # Saved in Excel, every tool cell and the Referrals and Dashboard sheets refer to shared strings; a later sync
    # writes its cells inline, so the table's count of references (Excel checks it) goes down by as many.
    from lxml import etree

    path = sample_chart(tmp_path / "chart.xlsx")
    assert sync(path).exit_code == 0
    with_shared_strings(path)
    before, cells = parts(path), user_cells(path)
    assert run("sync", path, "--today", "2026-12-20").exit_code == 0
    after = parts(path)
    references = sum(1 for name, xml in after.items() if name.startswith("xl/worksheets/sheet")
                     for c in etree.fromstring(xml).iter(f"{{{MAIN_NS}}}c") if c.get("t") == "s")
    count = int(etree.fromstring(after["xl/sharedStrings.xml"]).get("count"))
    assert count == references < int(etree.fromstring(before["xl/sharedStrings.xml"]).get("count"))
    # Nothing else of the table changed.
    assert re.sub(rb' count="\d+"', b"", after["xl/sharedStrings.xml"], 1) == \
        re.sub(rb' count="\d+"', b"", before["xl/sharedStrings.xml"], 1)
    now = user_cells(path)
    for key in [("calamine", "Profile"), ("openpyxl", "Profile"), ("calamine", "Want to Meet")]:
        assert {p: now[key].get(p) for p in cells[key]} == cells[key], key
