"""``chart report``'s pages: a ``joblog.JobReport`` as text, CSV, an .xlsx workbook or one HTML page.

Owns the four formats and where they go: ``render`` gives text, CSV or HTML; ``write_report``
writes any of them to ``-o FILE`` through the writer's atomic new-file path (a new workbook
with a Log sheet, an Excel table with a filter, and a Summary sheet with a native chart;
never the chart itself, nor any workbook that is not an earlier report). The HTML is the
packaged Jinja2 template ``pages/job-report.html`` (autoescaped; ``templates/`` holds the
drafts'): inline CSS, SVG charts drawn here, no script and nothing fetched, laid out to
print on A4 and Letter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import textwrap
from pathlib import Path

from .errors import BadOption, ChartError, RefusedToWrite, WriteFailed
from .joblog import ACTIVITIES, FUNNEL, LOG_COLUMNS, NEW_CONTACTS, WEEKLY_COLUMNS, JobReport
from .plan import cell_text
from .writer import write_atomically

FORMATS = ("text", "csv", "xlsx", "html")
SUFFIXES = {"text": (".txt",), "csv": (".csv",), "xlsx": (".xlsx",), "html": (".html", ".htm")}
LOG_SHEET, SUMMARY_SHEET, LOG_TABLE = "Log", "Summary", "JobSearchLog"
# One colour per activity, in ACTIVITIES' order (then new contacts): the HTML's bars and legend.
COLOURS = ("#1f6fb4", "#8c6bb1", "#2ca25f", "#e6550d", "#d6a300", "#c51b7d", "#636363")
# The funnel's steps, and By Source's contacted, replied and meetings: colours of their own, so that
# a colour on the page always means one thing.
FUNNEL_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1")
SOURCE_COLOURS = ("#4a4a8c", "#74a9cf", "#fd8d3c")
WRAP = 28  # the widest a text column gets before its cells wrap onto more lines


def _day(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def _days(n: int) -> str:
    return f"{n} day{'s' * (n != 1)}"


def _rate(value) -> str:
    return "–" if value != value or value is None else f"{round(100 * value)}%"  # NaN: no one contacted


def _median(value: tuple) -> str:
    days, people = value
    if days is None:
        return "–"
    shown = f"{days:g}"
    return f"{shown} day{'s' * (days != 1)} ({people} {'person' if people == 1 else 'people'})"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n) if n else "±0"


def log_records(report: JobReport) -> list[list]:
    """The log's rows as plain values (Date a ``datetime.date``), in ``LOG_COLUMNS`` order."""
    frame = report.log
    dates = frame["Date"].dt.date.tolist()  # at once: Timestamp.date() one by one costs a tenth of a second
    return [[d, *rest] for d, *rest in zip(dates, *(frame[c].tolist() for c in LOG_COLUMNS[1:]))]


def summary(report: JobReport) -> dict:
    """The summary's facts as plain values, shared by every format."""
    weekly = report.weekly
    return {
        "weeks": [(_day(monday), [int(weekly.at[monday, c]) for c in WEEKLY_COLUMNS]) for monday in weekly.index],
        "totals": [int(weekly[c].sum()) for c in WEEKLY_COLUMNS],
        "funnel": report.funnel,
        "sources": [(source, int(r["Contacted"]), int(r["Replied"]), _rate(r["Reply rate"]), int(r["Meetings"]))
                    for source, r in report.by_source.iterrows()],
        "medians": {"reply": _median(report.medians["reply"]), "meeting": _median(report.medians["meeting"])},
        "change": [(kind, int(r["This period"]), int(r["Previous period"]), _signed(int(r["Change"])))
                   for kind, r in report.change.iterrows()],
    }


def _heading(report: JobReport) -> list[str]:
    who = report.your_name or "Job search"
    lines = [f"Job search log: {report.period.label()} ({Path(str(report.path)).name})"]
    if report.seeking:
        lines.append(f"{who}, seeking {report.seeking}")
    return lines


# --------------------------------------------------------------------------- text


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """Columns padded to their widest cell (wrapped at WRAP), numbers (``right``) aligned right."""
    columns = list(zip(*rows)) or [()] * len(header)
    widths = [min(WRAP, max(len(h), max(map(len, column), default=0))) for h, column in zip(header, columns)]
    # One format string for a line: a 15,000-row log is 45,000 lines, padded cell by cell it took a second.
    line = "  ".join(f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths)).format
    blank = [""] * len(widths)
    capped = [i for i, w in enumerate(widths) if w == WRAP]  # only a column cut to WRAP has cells to wrap
    # The lines under a row's first hold only its wrapped cells; the same long cells (the Position
    # Sought of every row) make the same lines, so they are made once.
    continued: dict[tuple, tuple[list[str], list[str]]] = {}
    out = []
    for cells in [header, *rows]:
        long = tuple((i, cells[i]) for i in capped if len(cells[i]) > widths[i])
        if not long:
            out.append(line(*cells).rstrip())
            continue
        if long not in continued:
            wrapped = {i: textwrap.wrap(c, widths[i]) or [""] for i, c in long}
            lines = []
            for n in range(1, max(map(len, wrapped.values()))):
                parts = list(blank)
                for i, pieces in wrapped.items():
                    parts[i] = pieces[n] if n < len(pieces) else ""
                lines.append(line(*parts).rstrip())
            continued[long] = ([pieces[0] for pieces in wrapped.values()], lines)
        firsts, lines = continued[long]
        first = list(cells)
        for (i, _), piece in zip(long, firsts):
            first[i] = piece
        out.append(line(*first).rstrip())
        out.extend(lines)
    return out


def text_lines(report: JobReport) -> list[str]:
    """The log and the summary as terminal lines."""
    facts = summary(report)
    lines = [*_heading(report), ""]
    records = [[d.isoformat(), *rest] for d, *rest in log_records(report)]  # the rest is text already (Row.text)
    lines += _table(list(LOG_COLUMNS), records) if records else [report.note]
    lines += ["", f"Summary ({report.period.label()})", ""]
    weeks = [[monday.isoformat(), *(str(n) for n in counts)] for monday, counts in facts["weeks"]]
    weeks.append(["Total", *(str(n) for n in facts["totals"])])
    lines += _table(["Week of", *WEEKLY_COLUMNS], weeks, right=set(range(1, len(WEEKLY_COLUMNS) + 1)))
    steps = facts["funnel"]
    first = steps[0][1]
    lines += ["", f"People first contacted in this period, and what came of it by {report.period.end.isoformat()}:",
              "  " + " → ".join(f"{name.lower()} {n}" + (f" ({_rate(n / first)})" if i and first else "")
                                for i, (name, n) in enumerate(steps)), ""]
    lines += _table(["Source", "Contacted", "Replied", "Reply rate", "Meetings"],
                    [[str(v) for v in row] for row in facts["sources"]], right={1, 2, 3, 4})
    reply = facts["medians"]["reply"] + ("" if report.has_replied_on else " (the chart has no Replied On column)")
    lines += ["", "Median days from first contact", f"  to a reply:   {reply}",
              f"  to a meeting: {facts['medians']['meeting']}", ""]
    lines.append(f"Overdue on {report.as_of.isoformat()}: {len(report.overdue) or 'nothing'}")
    lines += [f"  {o.name} (row {o.row}): {o.action} ({_days(o.days_late)} late)" for o in report.overdue]
    previous = report.period.previous()
    lines += ["", f"Against the previous period ({previous.label()})", ""]
    lines += _table(["Activity", "This period", "Previous", "Change"],
                    [[str(v) for v in row] for row in facts["change"]], right={1, 2, 3})
    return lines


# --------------------------------------------------------------------------- CSV


def _csv_cell(value) -> str:
    """A cell as CSV text that a spreadsheet never runs: text starting = + - @ (or a tab, a CR) gets a quote mark.

    A name like ``=HYPERLINK(…)`` in someone's row would otherwise become a live formula
    when the log is opened in Excel (CSV injection).
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(report: JobReport) -> str:
    """The log as CSV (a header row, then one row per activity; CRLF line ends, as RFC 4180 and Excel have it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LOG_COLUMNS)
    writer.writerows([_csv_cell(v) for v in row] for row in log_records(report))
    return out.getvalue()


# --------------------------------------------------------------------------- HTML


def _bars(series: list[tuple[str, list[int]]], colours, width=640, height=220, stacked=True) -> dict:
    """An SVG chart's shapes: one bar (stacked when ``stacked``) per labelled group of counts."""
    left, bottom, top = 34, 36, 10
    tallest = max([sum(v) if stacked else max(v, default=0) for _, v in series] + [1])
    step = (width - left - 8) / max(len(series), 1)
    plot = height - bottom - top
    rects, labels = [], []
    for i, (label, values) in enumerate(series):
        x = left + i * step + step * 0.15
        if stacked:
            y = height - bottom
            for k, n in enumerate(values):
                h = plot * n / tallest
                if n:
                    rects.append({"x": x, "y": y - h, "w": step * 0.7, "h": h, "fill": colours[k], "n": n})
                y -= h
        else:
            w = step * 0.7 / max(len(values), 1)
            for k, n in enumerate(values):
                h = plot * n / tallest
                if n:
                    rects.append({"x": x + k * w, "y": height - bottom - h, "w": w, "h": h, "fill": colours[k], "n": n})
        labels.append({"x": x + step * 0.35, "y": height - bottom + 14, "text": label})
    ticks = sorted({0, tallest // 2, tallest})
    return {"width": width, "height": height, "rects": rects, "labels": labels, "left": left,
            "base": height - bottom, "ticks": [{"y": height - bottom - plot * t / tallest, "n": t} for t in ticks]}


def _funnel_bars(funnel, width=280) -> list[dict]:
    most = max([n for _, n in funnel] + [1])
    return [{"label": name, "n": n, "y": 6 + i * 30, "w": width * n / most, "fill": FUNNEL_COLOURS[i]}
            for i, (name, n) in enumerate(funnel)]


def html_text(report: JobReport) -> str:
    """The report as one self-contained HTML page (the packaged template, autoescaped)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("workbook_tool", "pages"), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    facts = summary(report)
    records = log_records(report)
    weeks = [(monday.strftime("%d %b"), counts[:len(ACTIVITIES)]) for monday, counts in facts["weeks"]]
    sources = [(s, [contacted, replied, meetings]) for s, contacted, replied, _, meetings in facts["sources"]]
    previous = report.period.previous()
    return env.get_template("job-report.html").render(
        report=report, heading=_heading(report), columns=LOG_COLUMNS, records=records,
        # The same Position Sought on every row (the Profile's Seeking) is one cell spanning them, not a
        # column that makes each row five lines tall.
        one_position=len({r[6] for r in records}) == 1,
        facts=facts, activities=ACTIVITIES, weekly_columns=WEEKLY_COLUMNS, legend=list(zip(ACTIVITIES, COLOURS)),
        weekly_chart=_bars(weeks, COLOURS), funnel=_funnel_bars(facts["funnel"]),
        source_chart=_bars(sources, SOURCE_COLOURS, width=360, height=170, stacked=False),
        source_legend=list(zip(("Contacted", "Replied", "Meetings"), SOURCE_COLOURS)),
        previous=previous.label(), funnel_names=FUNNEL, new_contacts=NEW_CONTACTS)


# --------------------------------------------------------------------------- xlsx


def _text_cell(ws, row: int, column: int, value):
    cell = ws.cell(row=row, column=column, value=cell_text(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text from the chart stays text: "=1+1" in a name is not a formula here either
    return cell


def workbook(report: JobReport):
    """The report as a new openpyxl workbook: Log (an Excel table with a filter) and Summary (with a native chart)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    log = wb.active
    log.title = LOG_SHEET
    for c, header in enumerate(LOG_COLUMNS, start=1):
        _text_cell(log, 1, c, header)
    records = log_records(report)
    for r, record in enumerate(records, start=2):
        log.cell(row=r, column=1, value=record[0]).number_format = "yyyy-mm-dd"
        for c, value in enumerate(record[1:], start=2):
            _text_cell(log, r, c, value)
    for c, width in enumerate((12, 24, 22, 26, 10, 18, 40, 30), start=1):
        log.column_dimensions[get_column_letter(c)].width = width
    log.freeze_panes = "A2"
    # A table needs a data row: an empty log keeps one blank row under its header.
    table = Table(displayName=LOG_TABLE, ref=f"A1:{get_column_letter(len(LOG_COLUMNS))}{max(len(records), 1) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    log.add_table(table)

    ws = wb.create_sheet(SUMMARY_SHEET)
    facts = summary(report)
    bold = Font(bold=True)
    for line, text in enumerate([*_heading(report), f"Summary: {report.period.label()}"], start=1):
        _text_cell(ws, line, 1, text).font = bold if line == 1 else Font()
    top = 5
    for c, header in enumerate(["Week of", *WEEKLY_COLUMNS], start=1):
        _text_cell(ws, top, c, header).font = bold
    for r, (monday, counts) in enumerate(facts["weeks"], start=top + 1):
        ws.cell(row=r, column=1, value=monday).number_format = "yyyy-mm-dd"
        for c, n in enumerate(counts, start=2):
            ws.cell(row=r, column=c, value=n)
    last = top + len(facts["weeks"])
    _text_cell(ws, last + 1, 1, "Total").font = bold
    for c, n in enumerate(facts["totals"], start=2):
        ws.cell(row=last + 1, column=c, value=n).font = bold
    ws.column_dimensions["A"].width = 14
    for c in range(2, len(WEEKLY_COLUMNS) + 2):
        ws.column_dimensions[get_column_letter(c)].width = 14

    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "Activities per week"
    chart.y_axis.title = "Activities"
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    sheet = quote_sheetname(SUMMARY_SHEET)
    data = Reference(range_string=f"{sheet}!$B${top}:${get_column_letter(len(ACTIVITIES) + 1)}${last}")
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(range_string=f"{sheet}!$A${top + 1}:$A${last}"))
    chart.height, chart.width = 8, 18
    row = last + 3
    ws.add_chart(chart, f"A{row}")
    row += 17  # below the chart (8 cm ≈ 16 rows)

    def block(title: str, header: list[str], rows: list[list]) -> None:
        nonlocal row
        _text_cell(ws, row, 1, title).font = bold
        row += 1
        if header:
            for c, h in enumerate(header, start=1):
                _text_cell(ws, row, c, h).font = bold
            row += 1
        for values in rows:
            for c, v in enumerate(values, start=1):
                _text_cell(ws, row, c, v)
            row += 1
        row += 1

    block(f"People first contacted in this period, by {report.period.end.isoformat()}", ["Step", "People"],
          [list(step) for step in facts["funnel"]])
    rates_at = row + 2  # the first row under By Source's header: its rates are numbers shown as percentages
    block("By Source", ["Source", "Contacted", "Replied", "Reply rate", "Meetings"],
          [[s, c, r, None if rate != rate else float(rate), m]
           for s, (c, r, rate, m) in zip(report.by_source.index, report.by_source.itertuples(index=False))])
    for r in range(rates_at, rates_at + len(report.by_source)):
        ws.cell(row=r, column=4).number_format = "0%"
    block("Median days from first contact", [], [["to a reply", facts["medians"]["reply"]],
                                                  ["to a meeting", facts["medians"]["meeting"]]])
    block(f"Overdue on {report.as_of.isoformat()}", ["Contact", "Row", "Step", "Days late"],
          [[o.name, o.row, o.action, o.days_late] for o in report.overdue] or [["nothing"]])
    block(f"Against the previous period ({report.period.previous().label()})",
          ["Activity", "This period", "Previous", "Change"], [list(c) for c in facts["change"]])
    return wb


# --------------------------------------------------------------------------- output


def render(report: JobReport, fmt: str) -> str:
    """The report as text, CSV or HTML (an .xlsx is only written: ``write_report``)."""
    return "".join(render_pieces(report, fmt))


def render_pieces(report: JobReport, fmt: str, lines_a_piece: int = 5000):
    """``render``'s text in pieces, to print as they come: a year's log of 100,000 contacts is 80 MB of
    text, which joined, cleaned and encoded whole was held four times over."""
    if fmt == "text":
        lines = text_lines(report) or [""]
        for i in range(0, len(lines), lines_a_piece):
            yield "\n".join(lines[i:i + lines_a_piece]) + "\n"
        return
    yield _rendered(report, fmt)


def _rendered(report: JobReport, fmt: str) -> str:
    if fmt == "csv":
        return csv_text(report)
    if fmt == "html":
        return html_text(report)
    raise BadOption(f"--format {fmt} writes a workbook: add -o FILE.xlsx.")


def choose_format(fmt: str | None, out) -> str:
    """The format asked for, else the one ``-o``'s extension names, else text; ``BadOption`` when they disagree."""
    if fmt is not None and fmt not in FORMATS:
        raise BadOption(f"--format {fmt!r} is not a format; use one of: {', '.join(FORMATS)}.")
    suffix = Path(out).suffix.casefold() if out else ""
    named = next((f for f, endings in SUFFIXES.items() if suffix in endings), None)
    if fmt is None:
        return named or "text"
    if out and named is not None and named != fmt:
        raise BadOption(f"-o {str(out)!r} names a {named} file but --format is {fmt}; make them agree.")
    if fmt == "xlsx" and not out:
        raise BadOption("--format xlsx writes a workbook: add -o FILE.xlsx.")  # before reading the chart
    return fmt


def _earlier_report(path: Path) -> bool:
    """Whether ``path`` is a workbook this command wrote (its sheets exactly Log and Summary)."""
    from .grids import Sheets

    try:
        with Sheets(path) as book:
            return book.names == [LOG_SHEET, SUMMARY_SHEET]
    except ChartError:
        return False


def check_output(out, fmt: str, chart_path) -> Path:
    """Where to write: never the chart, a folder, or a workbook that is not an earlier report."""
    out = Path(out)
    if out.exists() and os.path.realpath(out) == os.path.realpath(chart_path):
        raise BadOption(f"-o {str(out)!r} is the chart itself; give another file name, such as job_search_log.{fmt}.")
    if out.is_dir():
        raise BadOption(f"-o {str(out)!r} is a folder; give a file name, such as {out / ('job_search_log.' + fmt)}.")
    if fmt == "xlsx" and out.exists() and not _earlier_report(out):
        raise RefusedToWrite(f"-o {str(out)!r} is a workbook that chart report did not write; it is never "
                             "replaced. Give a new file name.", path=out)
    return out


def write_report(report: JobReport, fmt: str, out) -> Path:
    """Write the report to ``out`` in ``fmt``, atomically (an earlier file there is replaced whole or kept)."""
    out = check_output(out, fmt, report.path)
    target = Path(os.path.realpath(out))  # through a link, replace the file it points to
    if not target.parent.is_dir():
        raise WriteFailed(f"the folder {str(target.parent)!r} does not exist; create it or choose another -o path.",
                          path=out)
    content = workbook(report).save if fmt == "xlsx" else render(report, fmt).encode("utf-8")
    try:
        write_atomically(target, content, prefix=f".{target.name}.")
    except OSError as exc:
        raise WriteFailed(f"could not write the report ({exc.strerror or exc}); nothing was changed.",
                          path=out) from None
    return out
