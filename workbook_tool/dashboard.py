"""The Dashboard sheet: how the search is going, rebuilt by every ``chart sync``.

``dashboard_rows`` computes the numbers as plain rows (so sync can compare them
with what the sheet holds and skip the write when nothing changed);
``write_dashboard`` lays them out with a native Excel bar chart of the pipeline.
"""

from __future__ import annotations

import datetime as dt

from . import schema, stages
from .fields import name_key, to_date

SHEET = schema.DASHBOARD
STAGE_ORDER = (stages.NOT_CONTACTED, stages.AWAITING_REPLY, stages.MEETING_SCHEDULED, stages.MET, stages.THANKED,
               *stages.CLOSED)
TITLE = "Job search dashboard (rebuilt by chart sync)"
# Row layout, fixed so the chart's references stay put: title, blank, then three blocks side by side.
HEADER_ROW = 3
COLUMN_WIDTHS = (20, 10, 2, 12, 10, 11, 10, 16, 2, 20, 12, 2)  # A to L


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def dashboard_rows(rows, steps: dict, profile, today: dt.date) -> list[list]:
    """The sheet as rows of values: stage counts, source counts and the rhythm measures."""
    region = profile.region

    def date(row, key):
        try:
            return to_date(row.values.get(key), region, today)
        except ValueError:
            return None

    named = [r for r in rows if r.text("name")]
    stage_counts = {s: 0 for s in STAGE_ORDER}
    for r in named:
        stage_counts[steps[r.number].stage] = stage_counts.get(steps[r.number].stage, 0) + 1

    sources = list(schema.SOURCES) + ["(blank)"]
    by_source = {s: {"contacts": 0, "contacted": 0, "meetings": 0, "referrals": 0} for s in sources}
    source_of = {}
    for r in named:
        src = next((s for s in schema.SOURCES if schema.normalize_header(s) == schema.normalize_header(
            r.values.get("source"))), "(blank)")
        source_of[name_key(r.values.get("name"))] = src
        by_source[src]["contacts"] += 1
        if date(r, "contacted_on") or date(r, "meeting_on"):
            by_source[src]["contacted"] += 1
        meeting = date(r, "meeting_on")
        if meeting and meeting < today:
            by_source[src]["meetings"] += 1
    for r in named:
        referrer = name_key(r.values.get("referred_by"))
        if referrer and referrer in source_of:
            by_source[source_of[referrer]]["referrals"] += 1

    contacted = [r for r in named if date(r, "contacted_on") or date(r, "meeting_on")]
    replied = [r for r in contacted if date(r, "meeting_on") or stages.closed_status(r) in ("Declined", "Done")]
    held = [r for r in named if (m := date(r, "meeting_on")) and m < today]
    thanked = [r for r in held if date(r, "thanked_on")]
    on_time = [r for r in thanked
               if date(r, "thanked_on") <= date(r, "meeting_on") + dt.timedelta(days=profile.days("thank_you_days"))]
    overdue = [r for r in named if (s := steps[r.number]).due and not s.closed and s.due < today]
    referred = [r for r in named if r.text("referred_by")]

    measures = [
        ("Contacts", len(named)),
        ("Contacted", len(contacted)),
        ("Replied", len(replied)),
        ("Reply rate", _rate(len(replied), len(contacted))),
        ("Meetings held", len(held)),
        ("Thank-yous sent", len(thanked)),
        ("Thank-yous on time", f"{len(on_time)} of {len(held)}"),
        ("Referrals gained", len(referred)),
        ("Steps overdue", len(overdue)),
    ]

    blocks = [
        [["Stage", "Contacts"], *([s, stage_counts[s]] for s in STAGE_ORDER)],
        [["Source", "Contacts", "Contacted", "Meetings", "Referrals gained"],
         *([s, *by_source[s].values()] for s in sources if s != "(blank)" or by_source[s]["contacts"])],
        [["Measure", "Value"], *([m, v] for m, v in measures)],
    ]
    height = max(len(b) for b in blocks)
    out: list[list] = [[TITLE], []]
    for i in range(height):
        line: list = []
        for block in blocks:
            width = len(block[0])
            line += (block[i] if i < len(block) else [None] * width) + [None]
        while line and line[-1] is None:
            line.pop()
        out.append(line)
    return out


def pipeline_chart(sheet_title: str):
    """The bar chart of the pipeline, and the cell it sits at (below the numbers)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import quote_sheetname

    stage_rows = len(STAGE_ORDER)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Pipeline by stage"
    chart.y_axis.title = "Contacts"
    chart.legend = None
    # openpyxl 3.1 marks axes as deleted unless told otherwise, and Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # stages top to bottom, in pipeline order
    sheet = quote_sheetname(sheet_title)
    data = Reference(range_string=f"{sheet}!$B${HEADER_ROW}:$B${HEADER_ROW + stage_rows}")
    labels = Reference(range_string=f"{sheet}!$A${HEADER_ROW + 1}:$A${HEADER_ROW + stage_rows}")
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.height, chart.width = 8, 16
    return chart, f"A{HEADER_ROW + stage_rows + 3}"


def write_dashboard(wb, rows: list[list]) -> None:
    """(Re)create the Dashboard sheet from ``rows`` with a bar chart of the pipeline."""
    from openpyxl.styles import Font, PatternFill

    from . import layout

    index = wb.sheetnames.index(SHEET) if SHEET in wb.sheetnames else None
    if index is not None:
        wb.remove(wb[SHEET])
    ws = wb.create_sheet(SHEET, index) if index is not None else wb.create_sheet(SHEET)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if r == HEADER_ROW:
                cell.font = Font(name="Calibri", size=11, bold=True, italic=True, color="404040")
                cell.fill = PatternFill("solid", fgColor=layout.TOOL_HEADER_FILL)
    ws.cell(row=1, column=1).font = Font(name="Calibri", bold=True, size=14)
    for letter, width in zip("ABCDEFGHIJKL", COLUMN_WIDTHS):
        ws.column_dimensions[letter].width = width
    chart, anchor = pipeline_chart(ws.title)
    ws.add_chart(chart, anchor)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
