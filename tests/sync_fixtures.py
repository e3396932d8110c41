"""Workbooks and helpers for the ``chart sync`` tests.

* ``sample_chart(path)``: the example chart (every stage with --today 2026-11-25).
* ``simple_chart(path, rows, ...)``: a Contacts table from ``contact(...)`` rows, a Profile
  (optionally with custom day counts) and an optional Want to Meet sheet.
* ``rich_chart(path)``: ONE workbook with everything a person may have added — a title
  row, formatting, widths, a hidden column, a merged range, a freeze pane, a data
  validation, a conditional format, a hyperlink, a comment, an image, a defined name,
  an extra sheet with formulas on Contacts, unknown columns, a blank row inside the
  table, an Excel Table — to check that a sync keeps every one of them.
* ``snapshot(path)``: what a person would notice of a workbook, cell by cell, for comparing.
* ``inject_*``: workbooks with parts openpyxl would drop (x14 data bars, sparklines,
  macros, shapes), made by editing the zip.
* ``tool_values(path)``: the tool columns of Contacts by name, after re-opening.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from conftest import GOOD_PROFILE, contact, rewrite_zip

from workbook_tool import schema

TODAY = dt.date(2026, 11, 25)
TODAY_ARG = TODAY.isoformat()
TOOL_HEADERS = [c.header for c in schema.CONTACTS.tool_columns]  # Stage, Next Step, Follow-Up On, Comments


# --------------------------------------------------------------------------- simple charts


def sample_chart(path) -> Path:
    """The example chart that ``chart init --sample`` writes."""
    from workbook_tool.create import new_workbook

    path = Path(path)
    new_workbook(sample=True).save(path)
    return path


def simple_chart(path, rows, *, profile=None, want_to_meet=None, headers=None, extra_sheets=None) -> Path:
    """A chart with every user column of Contacts, ``rows`` made with ``contact(...)``.

    ``profile`` updates the (valid) default Profile, e.g. ``{"Follow-Up Days": 3}``;
    ``want_to_meet`` is a list of rows under Name, Organization, Why, Possible Connector.
    """
    from conftest import CONTACT_HEADERS, profile_rows

    sheets = {"Contacts": [list(headers or CONTACT_HEADERS), *[list(r or []) for r in rows]]}
    sheets["Profile"] = profile_rows({**GOOD_PROFILE, **(profile or {})})
    if want_to_meet is not None:
        sheets["Want to Meet"] = [["Name", "Organization", "Why", "Possible Connector"], *want_to_meet]
    sheets.update(extra_sheets or {})
    return write_text_workbook(path, sheets)


def write_text_workbook(path, sheets: dict[str, list[list]]) -> Path:
    """Like conftest's ``write_workbook``, but text is always text: "=1+1" typed as text, not a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row or [], start=1):
                if value is not None:
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"
    path = Path(path)
    wb.save(path)
    return path


def tool_values(path, sheet="Contacts") -> dict[str, dict[str, object]]:
    """``{name: {"Stage": …, "Next Step": …, "Follow-Up On": date, "Comments": …, "Draft link": …}}`` from
    Contacts."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[sheet]
    header_row, headers = _header(ws)
    out = {}
    for r in range(header_row + 1, ws.max_row + 1):
        name = ws.cell(r, headers["Name"]).value
        if name is None:
            continue
        values = {}
        for h in TOOL_HEADERS:
            if h in headers:
                v = ws.cell(r, headers[h]).value
                values[h] = v.date() if isinstance(v, dt.datetime) else v
        if "Draft" in headers:  # the link behind the Draft cell's label
            link = ws.cell(r, headers["Draft"]).hyperlink
            values["Draft link"] = link.target if link is not None else None
        values["row"] = r
        out[str(name)] = values
    return out


def _header(ws) -> tuple[int, dict[str, int]]:
    for r in range(1, 11):
        values = {ws.cell(r, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(r, c).value is not None}
        if "Name" in values:
            return r, values
    raise AssertionError(f"no header row with Name on {ws.title}")


def sheet_rows(path, sheet) -> list[tuple]:
    """The values of a sheet, row by row, trailing empty rows dropped."""
    from openpyxl import load_workbook

    rows = [tuple(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def folder_listing(folder) -> list[str]:
    """Every file under ``folder`` (relative names), to show nothing was left behind."""
    folder = Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --------------------------------------------------------------------------- the rich workbook

RICH_HEADERS = ["Name", "Source", "Referred By", "Organization", "Phone", "Email", "Channel", "Status",
                "Contacted On", "Meeting On", "Thanked On", "Followed Up On", "Notes", "Helpful", "Recommended",
                "Warm Lead", "My Rating"]  # the last two are the person's own columns
RICH_HEADER_ROW = 3
RICH_BLANK_ROW = 7  # a blank row inside the table
RICH_LAST_ROW = 10
RICH_NEW_PERSON = "Nora Quinn"  # recommended by Ann Lee, not yet in the chart: sync adds her on row 11


def rich_chart(path) -> Path:
    """One workbook with everything a person may add to a chart (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.dimensions import ColumnDimension
    from openpyxl.worksheet.table import Table, TableStyleInfo
    from PIL import Image as PILImage

    wb = Workbook()
    ws = wb.active
    ws.title = "Contacts"
    ws["A1"] = "Jordan's informational interviews"
    ws["A1"].font = Font(name="Georgia", size=16, bold=True, color="1F4E79")
    ws.merge_cells("A1:F1")
    ws.row_dimensions[1].height = 28

    thin = Side(style="thin", color="999999")
    for c, header in enumerate(RICH_HEADERS, start=1):
        cell = ws.cell(RICH_HEADER_ROW, c, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="7030A0")
        cell.border = Border(bottom=Side(style="medium"))
        cell.alignment = Alignment(horizontal="center", wrap_text=True)

    d = dt.date
    rows = [
        ["Sue Miller", "Family", None, "Woodgrove Bank", "617-555-0117", "sue.miller@woodgrovebank.com", "Call",
         None, d(2026, 10, 1), d(2026, 10, 8), d(2026, 10, 9), None, "=SUM(A1:A3) is what she typed",
         "resume advice", "Ann Lee <ann.lee@fabrikamhealth.org>, Fabrikam Health", True, 5],
        ["Ann Lee", "Referral", "Sue Miller", "Fabrikam Health", None, "ann.lee@fabrikamhealth.org", "Email", None,
         d(2026, 11, 2), d(2026, 11, 10), d(2026, 11, 11), None, "Great talk", "portfolio tip",
         "Bob Roe, 617-555-0142, Northwind Clinic; Nora Quinn <nora.quinn@litware.com>, Litware", False, 4],
        ["Bob Roe", "Referral", "Ann Lee", "Northwind Clinic", "617-555-0142", None, "Call", None,
         d(2026, 11, 20), None, None, None, None, None, None, True, None],
        # row 7 is left blank: the person spaces groups of contacts
        None,
        ["Hiro Tanaka", "Own", None, "Proseware", "415-555-0163", "hiro.tanaka@proseware.com", "Email", None,
         d(2026, 11, 8), None, None, d(2026, 11, 16), "No answer yet", None, None, False, 2],
        ["Grace Liu", "Friend", None, "Blue Yonder Airlines", None, "grace.liu@blueyonderairlines.com", "Email",
         "Declined", d(2026, 11, 3), None, None, None, "Try again in March", None, None, None, 1],
        ["David Kim", "Own", None, "Tailspin Toys", "617-555-0129", None, "Call", None, None, None, None, None,
         "College roommate", None, None, True, 3],
    ]
    fills = [PatternFill("solid", fgColor="FFF2CC"), PatternFill("solid", fgColor="E2EFDA")]
    for offset, values in enumerate(rows):
        r = RICH_HEADER_ROW + 1 + offset
        if values is None:
            continue
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # the Notes text that starts with "=" is text, as the person typed it
            cell.fill = fills[r % 2]
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if isinstance(value, dt.date):
                cell.number_format = "d mmm yyyy"
        ws.cell(r, 1).font = Font(name="Calibri", bold=True, italic=(r % 2 == 0))
    assert ws.max_row == RICH_LAST_ROW

    for letter, width in zip("ABCDEFGHIJKLMNOPQ", (20, 10, 14, 20, 15, 30, 9, 10, 12, 12, 12, 14, 30, 20, 40, 10, 8)):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["Q"].hidden = True  # "My Rating" is hidden
    # The person formatted a block of empty columns to the right (R:Z), where the tool columns go:
    # Excel keeps such a block as one <col min max> range.
    ws.column_dimensions["R"] = ColumnDimension(ws, index="R", min=18, max=26, width=16, customWidth=True)
    ws.row_dimensions[5].height = 33
    ws.freeze_panes = "B4"

    dv = DataValidation(type="list", formula1='"Own,Family,Friend,Referral"', allow_blank=True)
    dv.add("B4:B200")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("H4:H200", CellIsRule(operator="equal", formula=['"Declined"'],
                                                       fill=PatternFill("solid", fgColor="FFC7CE")))
    ws["F5"].hyperlink = "mailto:ann.lee@fabrikamhealth.org"
    ws["F5"].style = "Hyperlink"
    ws["M4"].comment = Comment("Call her on Sunday afternoons", "Jordan")
    table = Table(displayName="ContactTable", ref=f"A{RICH_HEADER_ROW}:Q{RICH_LAST_ROW}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)

    png = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 30, 30)).save(png, format="PNG")
    png.seek(0)
    image = Image(png)
    image.anchor = "B14"
    ws.add_image(image)

    want = wb.create_sheet("Want to Meet")
    for row in (["Name", "Organization", "Why", "Possible Connector"],
                ["Olivia Park", "Fabrikam Health", "Built their data platform", None],
                ["Head of Analytics", "Northwind Clinic", "Runs the team I want", "Bob Roe"]):
        want.append(row)

    profile = wb.create_sheet("Profile")
    profile.append(["Field", "Value"])
    for key, value in GOOD_PROFILE.items():
        profile.append([key, value])

    summary = wb.create_sheet("Summary")
    summary["A1"] = "People in the chart"
    summary["B1"] = "=COUNTA(Contacts!A4:A200)"
    summary["A2"] = "First contact"
    summary["B2"] = "=Contacts!A4"
    summary["B3"] = 0.25
    summary["B3"].number_format = "0.0%"
    summary.sheet_properties.tabColor = "FF0000"
    archive = wb.create_sheet("Archive")
    archive["A1"] = "old notes"
    archive.sheet_state = "hidden"

    wb.defined_names["ContactNames"] = DefinedName("ContactNames", attr_text="Contacts!$A$4:$A$200")
    path = Path(path)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- tables and other producers

MET = {"contacted_on": dt.date(2026, 11, 2), "meeting_on": dt.date(2026, 11, 10), "thanked_on": dt.date(2026, 11, 11)}


def table_rows(n: int = 3, **ann) -> list[list]:
    """``n`` people, the last Ann Lee, who recommended Nora Quinn (not yet in the chart): a sync adds a row."""
    return [contact(name=f"Person {i}", source="Own", email=f"p{i}@example.com", channel="Email")
            for i in range(1, n)] + [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org", channel="Email",
                                             recommended="Nora Quinn <nora@litware.com>", **ann)]


def table_chart(path, *, below: dict | None = None, merge: str | None = None, totals: bool = False) -> Path:
    """Contacts as an Excel table "People" over A1:Q4 (``table_rows``; A1:Q5 with a Total row).

    ``below`` puts the person's own text under the table (``{"A8": "..."}``), ``merge``
    merges a range of theirs.
    """
    from openpyxl import load_workbook
    from openpyxl.worksheet.table import Table

    simple_chart(path, table_rows(**MET))
    wb = load_workbook(path)
    ws = wb["Contacts"]
    last = 4 + (1 if totals else 0)
    if totals:
        ws.cell(last, 1, "Total")
    ws.add_table(Table(displayName="People", ref=f"A1:Q{last}", totalsRowCount=1 if totals else None))
    for ref, value in (below or {}).items():
        ws[ref] = value
        ws[ref].data_type = "s"
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return Path(path)


def xlsxwriter_chart(path, rows, *, table: str | None = None, extra=None) -> Path:
    """A chart written by xlsxwriter (another producer): Contacts with every user column and ``rows``
    (as an Excel table named ``table`` when given), a Profile, and ``extra(workbook, contacts_sheet)``."""
    import xlsxwriter

    from conftest import CONTACT_HEADERS

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Contacts")
    if table:
        data = [[v if v is not None else "" for v in row] for row in rows]
        ws.add_table(0, 0, len(rows), len(CONTACT_HEADERS) - 1,
                     {"name": table, "data": data, "columns": [{"header": h} for h in CONTACT_HEADERS]})
    else:
        ws.write_row(0, 0, CONTACT_HEADERS)
        date = wb.add_format({"num_format": "yyyy-mm-dd"})
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date)
                elif value is not None:
                    ws.write(r, c, value)
    profile = wb.add_worksheet("Profile")
    profile.write_row(0, 0, ["Field", "Value"])
    for r, (key, value) in enumerate(GOOD_PROFILE.items(), start=1):
        profile.write_row(r, 0, [key, value])
    if extra is not None:
        extra(wb, ws)
    wb.close()
    return Path(path)


# --------------------------------------------------------------------------- comparing workbooks

STYLE_ATTRS = ("font", "fill", "border", "alignment", "protection", "number_format")


def snapshot(path) -> dict:
    """What a person would notice of a workbook, per sheet, comparable with ``==``."""
    from openpyxl import load_workbook

    wb = load_workbook(path, rich_text=True)
    out = {"sheets": wb.sheetnames,
           "states": {ws.title: ws.sheet_state for ws in wb.worksheets},
           "defined_names": {n: d.attr_text for n, d in wb.defined_names.items()},
           "cells": {}, "sheet": {}}
    for ws in wb.worksheets:
        cells = {}
        for (r, c), cell in ws._cells.items():
            cells[(r, c)] = (cell.value, cell.data_type) + tuple(
                repr(getattr(cell, a)) for a in STYLE_ATTRS) + (
                cell.hyperlink.target if cell.hyperlink else None,
                (cell.comment.text, cell.comment.author) if cell.comment else None)
        out["cells"][ws.title] = cells
        widths = {}
        for key, dim in ws.column_dimensions.items():
            for index in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                widths[index] = (dim.width, dim.hidden)
        out["sheet"][ws.title] = {
            "widths": widths,
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "validations": sorted((str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation),
            "conditional": sorted((str(rng.sqref), rule.type, rule.operator, tuple(rule.formula))
                                  for rng in ws.conditional_formatting for rule in rng.rules),
            "tables": {t.displayName: t.ref for t in ws.tables.values()},
            "images": len(ws._images),
            "tab_color": ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor else None,
        }
    return out


# --------------------------------------------------------------------------- parts openpyxl drops

_X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
_XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"

X14_DATA_BAR = (
    f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{_X14_NS}">'
    f'<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="{_XM_NS}">'
    '<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" '
    'maxLength="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
    '<x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule>'
    "<xm:sqref>K2:K14</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>")

X14_SPARKLINES = (
    f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{_X14_NS}">'
    f'<x14:sparklineGroups xmlns:xm="{_XM_NS}"><x14:sparklineGroup displayEmptyCellsAs="gap">'
    '<x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Contacts!K2:M2</xm:f>'
    "<xm:sqref>R2</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups>"
    "</ext></extLst>")

SHAPE_DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    "<xdr:twoCellAnchor><xdr:from><xdr:col>2</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>16</xdr:row>"
    "<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff>"
    "<xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Arrow 1"/><xdr:cNvSpPr/></xdr:nvSpPr>'
    '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="600000"/></a:xfrm>'
    '<a:prstGeom prst="rightArrow"><a:avLst/></a:prstGeom></xdr:spPr>'
    '<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Call these first</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
    "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>")


def _contacts_part(zf: zipfile.ZipFile) -> str:
    """The zip part name of the Contacts sheet."""
    workbook = zf.read("xl/workbook.xml").decode()
    rid = re.search(r'<sheet [^>]*name="Contacts"[^>]*r:id="([^"]+)"', workbook).group(1)
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def inject_into_contacts_sheet(src, dst, xml: str) -> Path:
    """Put ``xml`` (an ``<extLst>``) at the end of the Contacts sheet's XML, where extensions go."""
    with zipfile.ZipFile(src) as zf:
        part = _contacts_part(zf)
        sheet = zf.read(part).decode()
    assert "<extLst>" not in sheet
    return rewrite_zip(src, dst, replace={part: sheet.replace("</worksheet>", xml + "</worksheet>")})


def inject_macros(src, dst) -> Path:
    """A workbook with a VBA project part, as an .xlsm saved under .xlsx would have."""
    with zipfile.ZipFile(src) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                                      "</Types>")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                                            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    return rewrite_zip(src, dst, replace={"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                       add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504})


def inject_shape(src, dst) -> Path:
    """A workbook whose Contacts sheet has a drawn arrow with text (a drawing shape)."""
    with zipfile.ZipFile(src) as zf:
        part = _contacts_part(zf)
        sheet = zf.read(part).decode()
        types = zf.read("[Content_Types].xml").decode()
        rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        rels = zf.read(rels_name).decode() if rels_name in zf.namelist() else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
        assert "<drawing " not in sheet
    rel = ('<Relationship Id="rIdShape1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'drawing" Target="../drawings/drawingShape1.xml"/>')
    rels = rels.replace("</Relationships>", rel + "</Relationships>")
    tag = '<drawing r:id="rIdShape1"/>'
    if "<legacyDrawing" in sheet:
        sheet = sheet.replace("<legacyDrawing", tag + "<legacyDrawing", 1)
    else:
        sheet = sheet.replace("</worksheet>", tag + "</worksheet>")
    if "xmlns:r=" not in sheet[:500]:
        sheet = sheet.replace("<worksheet ", '<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                                            '2006/relationships" ', 1)
    types = types.replace("</Types>", '<Override PartName="/xl/drawings/drawingShape1.xml" ContentType="application/'
                                      'vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
    replace = {part: sheet, "[Content_Types].xml": types}
    add = {"xl/drawings/drawingShape1.xml": SHAPE_DRAWING}
    with zipfile.ZipFile(src) as zf:
        (replace if rels_name in zf.namelist() else add)[rels_name] = rels
    return rewrite_zip(src, dst, replace=replace, add=add)


# --------------------------------------------------------------------------- lock files


def libreoffice_lock(path, who="Jane Doe", host="laptop") -> Path:
    """The ``.~lock.NAME#`` LibreOffice keeps beside a workbook it has open."""
    path = Path(path)
    lock = path.parent / f".~lock.{path.name}#"
    lock.write_text(f",{who},{host},25.11.2026 10:00,file:///home/jane/.config/libreoffice/4;", "utf-8")
    return lock


def excel_lock(path, who="Jane Doe", short=False) -> Path:
    """Excel's hidden ``~$NAME`` owner file: the user name's length, the name, padding.

    With ``short``, the name loses its first two characters, as Excel does for longer names.
    """
    path = Path(path)
    lock = path.parent / ("~$" + (path.name[2:] if short else path.name))
    name = who.encode("latin-1")
    lock.write_bytes(bytes([len(name)]) + name + b" " * (53 - len(name)) + b"\x00" * 112)
    return lock


__all__ = ["overlapping_columns", "write_text_workbook", "TODAY", "TODAY_ARG", "TOOL_HEADERS", "contact", "sample_chart", "simple_chart", "rich_chart", "snapshot",
           "tool_values", "sheet_rows", "folder_listing", "inject_into_contacts_sheet", "inject_macros",
           "inject_shape", "X14_DATA_BAR", "X14_SPARKLINES", "libreoffice_lock", "excel_lock", "MET", "table_rows",
           "table_chart", "xlsxwriter_chart"]


def overlapping_columns(path) -> list[str]:
    """Every sheet's ``<col>`` ranges that overlap another: Excel calls such a file damaged."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not re.match(r"xl/worksheets/[^/]+\.xml$", name):
                continue
            xml = zf.read(name).decode()
            spans = sorted((int(re.search(r'\bmin="(\d+)"', col).group(1)), int(re.search(r'\bmax="(\d+)"', col).group(1)))
                           for col in re.findall(r"<col [^>]*>", xml))
            for (a_min, a_max), (b_min, b_max) in zip(spans, spans[1:]):
                if b_min <= a_max:
                    found.append(f"{name}: columns {a_min}-{a_max} and {b_min}-{b_max}")
    return found
