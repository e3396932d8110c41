"""``chart init``: a new chart workbook, empty or filled with a realistic example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import layout, schema
from .errors import BadOption, RefusedToWrite, WriteFailed
from .writer import Temporary

# Fixed so that the committed sample_chart.xlsx is the same file every time it is made.
SAMPLE_CREATED = dt.datetime(2026, 11, 1, 9, 0, 0)


def new_workbook(sample: bool = False):
    """An openpyxl workbook with the chart's user sheets laid out; filled in when ``sample``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from . import sample as sample_data

    wb = Workbook()
    contacts = wb.active
    contacts.title = schema.CONTACTS.name
    columns = list(schema.CONTACTS.user_columns)
    rows = sample_data.CONTACTS if sample else []
    _fill_table(contacts, schema.CONTACTS, columns, rows)

    want = wb.create_sheet(schema.WANT_TO_MEET.name)
    _fill_table(want, schema.WANT_TO_MEET, list(schema.WANT_TO_MEET.user_columns),
                sample_data.WANT_TO_MEET if sample else [])

    profile = wb.create_sheet(schema.PROFILE_SHEET.name)
    layout.lay_out_table(profile, schema.PROFILE_SHEET, list(schema.PROFILE_SHEET.columns))
    profile.freeze_panes = "A2"
    profile.auto_filter.ref = None
    values = sample_data.PROFILE if sample else {}
    for r, spec in enumerate(schema.PROFILE_FIELDS, start=2):
        profile.cell(row=r, column=1, value=spec.label).font = Font(name=layout.FONT, size=layout.FONT_SIZE, bold=True)
        value = values.get(spec.key, spec.default)
        cell = profile.cell(row=r, column=2, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even one that starts with "="
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        hint = profile.cell(row=r, column=3, value=spec.hint)
        hint.font = Font(name=layout.FONT, size=layout.FONT_SIZE, italic=True, color="595959")
        hint.alignment = Alignment(wrap_text=True, vertical="top")

    wb.properties.creator = "chart"
    wb.properties.lastModifiedBy = "chart"
    wb.properties.created = wb.properties.modified = SAMPLE_CREATED
    return wb


def _fill_table(ws, shape: schema.SheetShape, columns: list[schema.Column], rows: list[dict]) -> None:
    from openpyxl.styles import Alignment

    layout.lay_out_table(ws, shape, columns)
    for r, record in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            value = record.get(column.key)
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                if "\n" in value or column.wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column.number_format:
                cell.number_format = column.number_format
            if isinstance(value, dt.datetime) and value.time() != dt.time(0, 0):
                cell.number_format = f"{schema.DATE_FORMAT} hh:mm"  # a meeting at 10:00 shows its time
    last = max(len(rows) + 1, 2)
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def write_new_chart(path, *, sample: bool = False, force: bool = False) -> Path:
    """Write a new chart to ``path``; refuses to replace an existing file unless ``force``."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise BadOption("a chart is an Excel workbook: give a file name ending in .xlsx.", path=path)
    if path.is_dir():
        raise BadOption("is a folder. Give the path of the new .xlsx file.", path=path)
    if path.exists() and not force:
        raise RefusedToWrite("already exists, and chart init never overwrites a file. Choose another name, or add "
                             "--force to replace it.", path=path)
    # Through a symlink, write the file it points to: os.replace on the link itself would
    # swap the link for a file and leave its target as it was.
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadOption(f"the folder {folder} does not exist. Create it first.", path=path)
    wb = new_workbook(sample)
    # Write beside the target and rename, so that --force never leaves half a file.
    try:
        temporary = Temporary(target, ".chart-init-")
    except OSError as exc:  # a read-only folder, a full disk
        raise WriteFailed(f"could not be written ({exc.strerror or exc}). Check that you can write to "
                          f"{folder}.", path=path) from None
    try:
        temporary.write(wb.save, durable=False)
        temporary.replace()
    except OSError as exc:
        raise WriteFailed(f"could not be written ({exc.strerror or exc}).", path=path) from None
    finally:
        temporary.discard()
    return path
