"""Write a sync's changes straight into the .xlsx package; every other byte is copied.

The one writer of a person's workbook. Here the rows a plan touches are rewritten
one ``<row>`` at a time, as bytes, while the new sheet streams into the zip; the
few small parts that must change (styles, notes, relationships, the workbook's
sheet list) are edited with lxml, each piece of them the edit leaves alone keeping
its bytes. Every other part, and every other row, goes into the new file exactly as
it was: macros, sparklines, shapes, cached formula results and whatever else a
program put there stay. (openpyxl, which turns every cell into an object and
writes them all back, dropping what it does not model, writes only new charts.)

The work is shared out: ``xlsxpackage`` holds the package (parts, relationships,
content types), ``xlsxstyles`` the style sheet, ``xlsxsheet`` one worksheet (with
its notes and links), ``xlsxxml`` the names and the byte-keeping; this module
owns the plan's application (``write_plan``) and the sheets the tool makes.
``sheetxml`` finds the rows and cells in a sheet's bytes whatever a producer wrote
around them (comments, processing instructions, CDATA, rows and cells without
their numbers, any namespace prefix). A Strict Open XML package (Excel's "Strict
Open XML Spreadsheet") is edited too: its parts are translated to the
transitional names as they are parsed and back as they are written, so the code
below knows one set of names and every part a sync edits or adds stays Strict.

What cannot be edited (a DTD, rows out of order, a damaged part) raises
``Unsupported`` while the temporary file is written, long before the workbook is
replaced; ``write_plan`` turns it into a one-line refusal naming the sheet.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from . import schema
from .sheetxml import Unsupported
from .objects import column_letter
from .xlsxpackage import Package
from .xlsxsheet import CellEdit, Sheet, Values
from .xlsxstyles import Styles
from .xlsxxml import (CT_CHART, CT_DRAWING, CT_WORKSHEET, MAIN, REL, REL_CHART, REL_DRAWING, REL_WORKSHEET, qualified,
                      range_bounds, range_ref)


# --------------------------------------------------------------------------- sheets the tool makes


def _new_sheet_xml(widths: list[float], *, freeze_header: bool, landscape: bool) -> bytes:
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>') if freeze_header else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    pr = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if landscape else ""
    setup = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>' if landscape else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="{REL}">{pr}<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0">{pane}'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData/>'
            f'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>{setup}'
            f'</worksheet>').encode()


def _add_sheet(pkg: Package, name: str, data: bytes) -> str:
    part = pkg.new_name("xl/worksheets/sheet{n}.xml")
    pkg.put(part, pkg.dialect.outward_bytes(data))
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(pkg.workbook_part, REL_WORKSHEET, part)
    sheets = pkg.workbook.find(qualified("sheets"))
    ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
    sheet = etree.SubElement(sheets, qualified("sheet"), name=name, sheetId=str(max(ids + [0]) + 1), nsmap={"r": REL})
    sheet.set(qualified("id", REL), rid)
    pkg.sheet_parts[name] = part
    return part


def _add_dashboard_chart(pkg: Package, sheet: Sheet) -> None:
    """The Dashboard's bar chart: the parts openpyxl writes for ``dashboard.pipeline_chart``, stored.

    Stored rather than made here, so that a sync needs no openpyxl (its import
    alone costs a fifth of a second and 19 MiB); a test keeps them equal to
    what openpyxl makes of that chart today.
    """
    from importlib.resources import files

    parts = files("workbook_tool") / "parts"
    chart_part = pkg.new_name("xl/charts/chart{n}.xml")
    drawing_part = pkg.new_name("xl/drawings/drawing{n}.xml")
    pkg.put(chart_part, pkg.dialect.outward_bytes((parts / "dashboard-chart.xml").read_bytes()))
    # It points at the chart as rId1.
    pkg.put(drawing_part, pkg.dialect.outward_bytes((parts / "dashboard-drawing.xml").read_bytes()))
    rels = pkg.rels_of(drawing_part)
    rels.items.append({"Id": "rId1", "Type": REL_CHART, "Target": "/" + chart_part})
    rels.changed = True
    pkg.add_override(drawing_part, CT_DRAWING)
    pkg.add_override(chart_part, CT_CHART)
    rid = pkg.add_rel(sheet.part, REL_DRAWING, drawing_part)
    sheet.child("drawing", create=True).set(qualified("id", REL), rid)


# --------------------------------------------------------------------------- a sync's plan


def write_plan(source: Path, out: Path, plan, chart) -> None:
    """Write ``source`` with ``plan`` (a ``plan.SyncPlan``) applied to ``out``.

    What it cannot edit is refused in one line naming the sheet (``RefusedToWrite``),
    a part that is not XML reported as damage (``UnreadableWorkbook``): both while
    ``out`` is written, before anything replaces the workbook.
    """
    from .errors import RefusedToWrite, UnreadableWorkbook

    try:
        _write_plan(source, out, plan, chart)
    except Unsupported as exc:
        raise RefusedToWrite(f"chart cannot edit this {'sheet' if exc.sheet else 'workbook'} as it is stored: "
                             f"{exc.what}. Nothing was changed. Open the workbook in Excel or LibreOffice, save it, "
                             "and run again.", path=chart.path, sheet=exc.sheet) from None
    except etree.XMLSyntaxError as exc:
        raise UnreadableWorkbook(f"is damaged and cannot be edited ({exc}). Nothing was changed.",
                                 path=chart.path) from None


def _write_plan(source: Path, out: Path, plan, chart) -> None:
    from . import dashboard, layout

    pkg = Package(source)
    try:
        styles = Styles(pkg)
        values = Values(pkg.date1904, iso_dates=pkg.dialect.strict)
        sheets: dict[str, Sheet] = {}

        def sheet(name: str) -> Sheet:
            if name not in sheets:
                part = pkg.sheet_parts.get(name)
                if part is None or not pkg.has(part):
                    raise Unsupported(f"no part for sheet {name!r}")
                sheets[name] = Sheet(pkg, name, part)
            return sheets[name]

        # Excel's calculation chain lists the formula cells; one that names a cell no longer
        # holding a formula makes Excel "repair" the file. Without it Excel rebuilds it
        # (openpyxl never writes one either).
        for target in pkg.rels(pkg.workbook_part, REL + "/calcChain").values():
            pkg.remove_part(target, pkg.workbook_part)
        notes: dict[str, list] = {}
        links: dict[str, dict[str, str | None]] = {}
        for col in plan.new_columns:
            s = sheet(col.sheet)
            s.header_styles[(col.header_row, col.column)] = styles.header(col.spec.owner)
            s.edits.append(CellEdit(col.header_row, col.column, col.spec.header))
            fmt = styles.column(col.spec.number_format, col.spec.wrap) if col.spec.number_format or col.spec.wrap \
                else None
            s.set_column(col.column, col.spec.width, fmt)
            text = layout.TOOL_NOTE if col.spec.owner == schema.TOOL else col.spec.hint
            if text:
                notes.setdefault(col.sheet, []).append((col.header_row, col.column, text))
        for w in plan.writes:
            sheet(w.sheet).edits.append(w)
            if w.link:
                links.setdefault(w.sheet, {})[f"{column_letter(w.column)}{w.row}"] = w.url or None
        if plan.appended is not None and plan.appended.cells:
            sheet(plan.appended.sheet).appended = plan.appended  # its rows become bytes in one pass
        contacts = sheet(chart.contacts.sheet)
        if plan.new_rows and chart.contacts.rows:
            contacts.template_row = chart.contacts.rows[-1].number
            contacts.new_rows = [n.number for n in plan.new_rows]
        for name, s in sheets.items():
            s.hyperlinks(links.get(name, {}))
            s.notes(notes.get(name, []))
            if s.edits:
                s.set_dimension(max(w.column for w in s.edits), max(w.row for w in s.edits))
            if s.appended is not None:
                s.set_dimension(s.appended.right(), s.appended.last)
        if plan.new_rows or plan.new_columns:
            _extend_ranges(pkg, contacts, chart.contacts, plan)
            wtm = chart.want_to_meet
            if wtm is not None and wtm.sheet in sheets and any(c.sheet == wtm.sheet for c in plan.new_columns):
                _extend_ranges(pkg, sheets[wtm.sheet], wtm, plan)

        if plan.referrals_sheet is not None:
            shape = schema.REFERRALS
            name = next((n for n in pkg.sheet_parts if shape.matches_name(n)), None)
            if name is None:
                name = shape.name
                _add_sheet(pkg, name, _new_sheet_xml([c.width for c in shape.columns], freeze_header=True,
                                                     landscape=False))
                s = sheet(name)
                s.notes([(1, c, layout.TOOL_NOTE if spec.owner == schema.TOOL else spec.hint)
                         for c, spec in enumerate(shape.columns, start=1)
                         if spec.owner == schema.TOOL or spec.hint])
                for c, spec in enumerate(shape.columns, start=1):
                    if spec.number_format:
                        s.set_column(c, spec.width, styles.column(spec.number_format))
            s = sheet(name)
            s.clear_rows()
            for c, spec in enumerate(shape.columns, start=1):
                s.header_styles[(1, c)] = styles.header(spec.owner)
            _fill(s, plan.referrals_sheet)

        if plan.dashboard_sheet is not None:
            name = dashboard.SHEET
            if name not in pkg.sheet_parts:
                _add_sheet(pkg, name, _new_sheet_xml(list(dashboard.COLUMN_WIDTHS), freeze_header=False,
                                                     landscape=True))
                _add_dashboard_chart(pkg, sheet(name))
            s = sheet(name)
            s.clear_rows()
            rows = plan.dashboard_sheet
            s.header_styles[(1, 1)] = styles.title()
            for c, value in enumerate(rows[dashboard.HEADER_ROW - 1] if len(rows) >= dashboard.HEADER_ROW else [],
                                      start=1):
                if value is not None:
                    s.header_styles[(dashboard.HEADER_ROW, c)] = styles.dashboard_header()
            _fill(s, rows)

        for s in sheets.values():
            s.finish(styles, values)
        pkg.save(out)
    finally:
        pkg.close()


def _fill(s: Sheet, rows: list[list]) -> None:
    """Every non-blank value of ``rows`` as the sheet's cells, from A1."""
    width = 1
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                s.edits.append(CellEdit(r, c, value))
                width = max(width, c)
    dim = s.child("dimension")
    if dim is not None:
        dim.set("ref", range_ref(1, 1, width, max(len(rows), 1)))


def _extend_ranges(pkg: Package, s: Sheet, table, plan) -> None:
    """Grow an Excel table or the filter over ``table`` (the rules: ``plan.grown_table``, ``plan.grown_filter``).

    The workbook's hidden _FilterDatabase name, which Excel keeps equal to the
    filter, follows it.
    """
    from .plan import grown_filter, grown_table

    for _part, root in s.tables():
        grown = grown_table(table, plan, range_bounds(root.get("ref")))
        if grown is not None:
            root.set("ref", range_ref(*grown))
            af = root.find(qualified("autoFilter"))
            if af is not None:
                af.set("ref", root.get("ref"))
    af = s.child("autoFilter")
    if af is None or not af.get("ref"):
        return
    grown = grown_filter(table, plan, range_bounds(af.get("ref")))
    if grown is None:
        return
    af.set("ref", range_ref(*grown))
    names = pkg.workbook.find(qualified("definedNames"))
    index = str([x.get("name") for x in pkg.workbook.find(qualified("sheets"))].index(table.sheet))
    c1, r1, c2, r2 = grown
    quoted = "'" + table.sheet.replace("'", "''") + "'"
    for dn in names if names is not None else ():
        if dn.get("name") == "_xlnm._FilterDatabase" and dn.get("localSheetId") == index:
            dn.text = f"{quoted}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"
