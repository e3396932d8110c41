"""How the tool dresses the cells it writes: headers, widths, formats, dropdowns.

``init`` lays out a new chart with these; ``sync`` uses the same ones for the
columns and sheets it adds, so a person can tell at a glance which headers are
theirs (dark blue) and which the tool rewrites (grey, italic, with a note).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema


@dataclass(frozen=True)
class HeaderStyle:
    """How a header cell looks: its font (bold, italic, colour) and fill, as RGB hex without alpha."""

    bold: bool
    italic: bool
    color: str
    fill: str


# A font name is spelled out: without one LibreOffice substitutes the theme's
# heading font (Cambria) on its next save.
FONT = "Calibri"
FONT_SIZE = 11
# The one definition of the headers' look, by owner: init (openpyxl) and the patch
# writer (xlsxpatch) both dress headers from it, and so does the Dashboard's header row.
HEADER_STYLES = {
    schema.USER: HeaderStyle(bold=True, italic=False, color="FFFFFF", fill="1F4E79"),  # theirs: dark blue
    schema.TOOL: HeaderStyle(bold=True, italic=True, color="404040", fill="D9D9D9"),  # rewritten: grey, italic
}
TOOL_NOTE_AUTHOR = "chart"
TOOL_NOTE = "Written by chart sync on every run; your edits in this column are replaced."
# Dropdowns and column formats reach this far down: far past any real chart, and
# written as one range each, so they cost nothing per row.
FORMATTED_ROWS = 5000


def style_header(cell, column: schema.Column) -> None:
    """Style a header cell by owner; a tool header gets a note saying it is generated."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    style = HEADER_STYLES[column.owner]
    cell.font = Font(name=FONT, size=FONT_SIZE, bold=style.bold, italic=style.italic, color=style.color)
    cell.fill = PatternFill("solid", fgColor=style.fill)
    if column.owner == schema.TOOL:
        note = Comment(TOOL_NOTE, TOOL_NOTE_AUTHOR)
    else:
        note = Comment(column.hint, TOOL_NOTE_AUTHOR) if column.hint else None
    if note is not None:
        note.width, note.height = 260, 70
        cell.comment = note
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def format_column(ws, index: int, column: schema.Column) -> None:
    """Width, number format and wrapping for a whole column (new cells typed there take the format)."""
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions[get_column_letter(index)]
    dim.width = column.width
    if column.number_format:
        dim.number_format = column.number_format
    if column.wrap:
        from openpyxl.styles import Alignment

        dim.alignment = Alignment(wrap_text=True, vertical="top")


def add_choice_list(ws, index: int, column: schema.Column, first_row: int) -> None:
    """A dropdown of the column's allowed values; other values warn instead of being refused."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(index)
    dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                        showErrorMessage=True, errorStyle="warning", errorTitle=column.header,
                        error=f"Use one of: {', '.join(column.choices)}.", showInputMessage=True,
                        promptTitle=column.header, prompt=column.hint[:255])
    dv.add(f"{letter}{first_row}:{letter}{FORMATTED_ROWS}")
    ws.add_data_validation(dv)


def lay_out_table(ws, shape: schema.SheetShape, columns: list[schema.Column], header_row: int = 1) -> None:
    """Write a fresh table's header row, widths, formats, dropdowns, filter and frozen header."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.header)
        style_header(cell, column)
        format_column(ws, index, column)
        if column.choices:
            add_choice_list(ws, index, column, header_row + 1)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.row_dimensions[header_row].height = 30
    # Printed, a chart is wide: landscape, every column on one page width, header repeated.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
