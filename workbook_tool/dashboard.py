"""The Dashboard sheet: how the search is going, rebuilt by every ``chart sync``.

``dashboard_rows`` computes the numbers as plain rows (so sync can compare them
with what the sheet holds and skip the write when nothing changed); the writer
(``xlsxpatch``) lays them out with the native Excel bar chart ``pipeline_chart``
describes.
"""

from __future__ import annotations

import datetime as dt

from . import schema, stages
from .fields import to_date
from .people import NAME, People

SHEET = schema.DASHBOARD.name
STAGE_ORDER = (stages.NOT_CONTACTED, stages.AWAITING_REPLY, stages.REPLIED, stages.MEETING_SCHEDULED, stages.MET,
               stages.THANKED, *stages.CLOSED)
TITLE = "Job search dashboard (rebuilt by chart sync)"
# Row layout, fixed so the chart's references stay put: title, blank, then three blocks side by side.
HEADER_ROW = 3
COLUMN_WIDTHS = tuple(c.width for c in schema.DASHBOARD.columns)  # A to L


def _block_headers() -> list[list[str]]:
    """The header row of each block (stages, sources, measures): the declared columns between the gaps."""
    blocks: list[list[str]] = [[]]
    for column in schema.DASHBOARD.columns:
        if column.kind == "gap":
            blocks.append([])
        else:
            blocks[-1].append(column.header)
    return [b for b in blocks if b]


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def dashboard_rows(rows, steps: dict, profile, today: dt.date, people: People | None = None) -> list[list]:
    """The sheet as rows of values: stage counts, source counts and the rhythm measures.

    ``people``: the rows by name (``People.of_rows(rows, kinds=(NAME,))``), when the caller has them already.
    """
    region = profile.region

    read: dict[tuple[int, str], dt.date | None] = {}  # each cell's date read once (a row's are asked for often)

    def date(row, key):
        try:
            return read[row.number, key]
        except KeyError:
            try:
                found = to_date(row.values.get(key), region, today)
            except ValueError:
                found = None
            read[row.number, key] = found
            return found

    named = [r for r in rows if r.text("name")]
    stage_counts = {s: 0 for s in STAGE_ORDER}
    for r in named:
        stage_counts[steps[r.number].stage] = stage_counts.get(steps[r.number].stage, 0) + 1

    sources = list(schema.SOURCES) + ["(blank)"]
    by_source = {s: {"contacts": 0, "contacted": 0, "meetings": 0, "referrals": 0} for s in sources}
    source_of: dict[int, str] = {}  # row number → its source
    folded = {schema.normalize_header(s): s for s in schema.SOURCES}  # each row's Source folded once, not per choice
    for r in named:
        src = folded.get(schema.normalize_header(r.values.get("source")), "(blank)")
        source_of[r.number] = src
        by_source[src]["contacts"] += 1
        if date(r, "contacted_on") or date(r, "meeting_on"):
            by_source[src]["contacted"] += 1
        meeting = date(r, "meeting_on")
        if meeting and meeting < today:
            by_source[src]["meetings"] += 1
    if people is None:
        people = People.of_rows(named, region, kinds=(NAME,))  # rows without a name have no name key: the same
    for r in named:
        referrer = people.named(r.values.get("referred_by"))
        if referrer is not None:
            by_source[source_of[referrer.number]]["referrals"] += 1

    contacted = [r for r in named if date(r, "contacted_on") or date(r, "meeting_on")]
    # A reply is a meeting set, a Declined or Done, or an email from them (chart mail's Replied On).
    replied = [r for r in contacted if date(r, "meeting_on") or date(r, "replied_on")
               or stages.closed_status(r) in ("Declined", "Done")]
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

    stage_header, source_header, measure_header = _block_headers()
    blocks = [
        [stage_header, *([s, stage_counts[s]] for s in STAGE_ORDER)],
        [source_header,
         *([s, *by_source[s].values()] for s in sources if s != "(blank)" or by_source[s]["contacts"])],
        [measure_header, *([m, v] for m, v in measures)],
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
