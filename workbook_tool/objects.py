"""What a person placed over a sheet's cells besides values, and how far a sheet reaches.

Excel tables, merged cells, sparklines, array formulas and pivot tables each own
a block of cells. A tool cell written inside one breaks it: a header inside a
merged range is hidden (and openpyxl refuses to write it), a value over a
sparkline hides the little chart, a table stretched over rows that are not its
own swallows them. ``sync`` reads these here to put its cells where none sits,
and the reader (``workbook.chart_from_grids``) to take a chart's rows from its
Excel table only. The links behind a sheet's cells (``SheetObjects.links``) are
read here too: the Draft column's text is a label, its link is compared apart.

Everything is read from the package as it is stored, namespace prefixes and
Strict OOXML included (parts are matched by local names and relationship types
by their last word), without loading the cells: the tables and pivot tables are
small parts of their own, and the sheet's cell data is streamed once for the
array formulas while the small rest of the sheet (merges, sparklines) is parsed.
A part that cannot be read is left out: the commands report a damaged file
their own way.

It also owns the small words every reader of a package's XML shares: cell
references (``column_letter``, ``column_index``, ``bounds``), an element's
``local_name`` and a tag's ``ATTRIBUTE``s. It imports nothing of the package, so
the reader (``workbook``) builds on it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Excel's (and LibreOffice's) sheet: a cell past these is dropped when the file is opened.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # column XFD

TABLE = "table"
MERGE = "merged cells"
SPARKLINE = "sparkline"
ARRAY = "array formula"
PIVOT = "pivot table"
_REMEDY = {TABLE: "Move the table", MERGE: "Unmerge them (or move them)", SPARKLINE: "Move the sparkline",
           ARRAY: "Move the formula", PIVOT: "Move the pivot table"}

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 1, AA → 27 (capital letters, as a cell reference has them)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def bounds(ref: str) -> tuple[int, int, int, int]:
    """'A1:Q14' → (min_col, min_row, max_col, max_row); 'B2' → (2, 2, 2, 2). ValueError if it is not one."""
    first, _, last = ref.strip().partition(":")
    cells = []
    for part in (first, last or first):
        m = _REF.match(part)
        if m is None:
            raise ValueError(f"cell reference {ref!r}")
        cells.append((column_index(m.group(1).upper()), int(m.group(2))))
    (c1, r1), (c2, r2) = cells
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


@dataclass(frozen=True)
class SheetObject:
    """One thing that owns a block of cells: ``kind`` is one of TABLE, MERGE, SPARKLINE, ARRAY, PIVOT."""

    kind: str
    bounds: tuple[int, int, int, int]  # min_col, min_row, max_col, max_row
    name: str = ""  # a table's name
    header_rows: int = 1  # a table's header row count (0: none)
    totals_rows: int = 0  # a table's Total rows at its bottom

    @property
    def ref(self) -> str:
        c1, r1, c2, r2 = self.bounds
        first = f"{column_letter(c1)}{r1}"
        return first if (c1, r1) == (c2, r2) else f"{first}:{column_letter(c2)}{r2}"

    @property
    def data_end(self) -> int:
        """A table's last data row (above its Total row)."""
        return self.bounds[3] - self.totals_rows

    def describe(self) -> str:
        """How the person would call it: 'your merged cells R1:T2', 'your table "Lookup" (R1:S4)'."""
        if self.kind == TABLE:
            return f'your table "{self.name}" ({self.ref})'
        if self.kind in (SPARKLINE, PIVOT):
            return f"your {self.kind} at {self.ref}"
        if self.kind == ARRAY:
            return f"your array formula in {self.ref}"
        return f"your {self.kind} {self.ref}"

    def remedy(self) -> str:
        """What the person can do so that the tool's cell goes elsewhere: "Unmerge them (or move them)"."""
        return _REMEDY[self.kind]

    def meets(self, c1: int, r1: int, c2: int, r2: int) -> bool:
        """Whether it covers any cell of the block (c1, r1)–(c2, r2)."""
        a1, b1, a2, b2 = self.bounds
        return a1 <= c2 and c1 <= a2 and b1 <= r2 and r1 <= b2


@dataclass
class SheetObjects:
    """Everything on one sheet that owns cells, and the web and mail links behind its cells."""

    items: list[SheetObject]
    # cell reference ("H5") → the URL its hyperlink opens. LibreOffice keeps a cell's text but
    # cuts its link to 255 characters on save, so a sync compares the two apart.
    links: dict[str, str] = field(default_factory=dict)

    def tables(self) -> list[SheetObject]:
        return [o for o in self.items if o.kind == TABLE]

    def meeting(self, c1: int, r1: int, c2: int, r2: int, *, besides=None) -> SheetObject | None:
        """The first object (other than ``besides``) covering a cell of the block, or None."""
        return next((o for o in self.items if o is not besides and o.meets(c1, r1, c2, r2)), None)


NOTHING = SheetObjects([])


def holding(tables, header_row: int, column: int) -> SheetObject | None:
    """The Excel table whose header is row ``header_row`` and which spans ``column``: a chart table's own."""
    for t in tables:
        c1, r1, c2, _ = t.bounds
        if t.kind == TABLE and t.header_rows and r1 == header_row and c1 <= column <= c2:
            return t
    return None


# --------------------------------------------------------------------------- finding the parts


class _Parts:
    """The package's sheets and their related parts, found leniently."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.names = set(zf.namelist())
        self.has_tables = _may_have_tables(zf, self.names)
        book = next((t for kind, t in self.related("") if kind == "officeDocument"), "xl/workbook.xml")
        targets = dict(self.related(book, ids=True))
        self.sheets: dict[str, str] = {}
        root = self.tree(book)
        for el in root.iter() if root is not None else ():
            if local_name(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                if rid in targets:
                    self.sheets[el.get("name")] = targets[rid]

    def tree(self, name: str):
        if name not in self.names:
            return None
        try:
            return _parse(self.zf.read(name))
        except (OSError, zipfile.BadZipFile):
            return None

    def related(self, part: str, ids: bool = False, kinds: tuple[bytes, ...] = ()) -> list[tuple[str, str]]:
        """(type's last word, or the id with ``ids``; target part) of each internal relationship of ``part``.

        With ``kinds`` (b"table", …), only relationships of those types. A synced
        sheet's relationships hold a link per Draft cell (6.7 MB at 10,000 rows,
        0.2 s and 12 MB to parse on every command); those are skipped unparsed:
        the few relationships wanted are picked out of the bytes.
        """
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if not kinds:
            root = self.tree(rels)
            found = [dict(rel.attrib) for rel in root] if root is not None else []
        elif rels not in self.names:
            return []
        else:
            try:
                data = self.zf.read(rels)
            except (OSError, zipfile.BadZipFile):
                return []
            found = []
            if any(b"/" + kind in data for kind in kinds):
                for m in _RELATIONSHIP.finditer(data):
                    rel = {a.group(1).decode(): _unescape(a.group(3).decode("utf-8", "replace"))
                           for a in ATTRIBUTE.finditer(m.group(0))}
                    if (rel.get("Type") or "").rsplit("/", 1)[-1].encode() in kinds:
                        found.append(rel)
        out = []
        for rel in found:
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External" or not target:
                continue
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out.append((rel.get("Id") if ids else (rel.get("Type") or "").rsplit("/", 1)[-1], target))
        return out


_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*>")
# An attribute in a tag's bytes: (1) its name, prefix included, (3) its value as written.
ATTRIBUTE = re.compile(rb"([A-Za-z_][\w.:-]*)\s*=\s*([\"'])(.*?)\2", re.S)


def _unescape(text: str) -> str:
    # XML's five entities (xml.sax.saxutils.unescape's import costs the reader 7 MB).
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _parse(data: bytes):
    """The root element, or None for XML that does not parse.

    defusedxml's ElementTree, not lxml: the reader of every command comes here,
    lxml's import alone costs 10 ms, and these parts are small. (An XML bomb fails
    fast in it too.) Imported here, when a chart has something to parse.
    """
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError):
        return None


def _may_have_tables(zf: zipfile.ZipFile, names) -> bool:
    """False when the package lists no table or pivot table part: most charts, read without parsing anything."""
    try:
        types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (OSError, zipfile.BadZipFile):
        types = b""
    return not types or b"table+xml" in types or b"Table+xml" in types


def local_name(tag) -> str:
    """An element's tag without its namespace ("" for a comment or processing instruction, whose tag is not text)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _open(path) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(Path(path))
    except (OSError, zipfile.BadZipFile):
        return None


def _tables(parts: _Parts, sheet_part: str) -> list[SheetObject]:
    if not parts.has_tables:
        return []
    found = []
    for kind, target in parts.related(sheet_part, kinds=(b"table", b"pivotTable")):
        root = parts.tree(target) if kind in ("table", "pivotTable") else None
        if root is None:
            continue
        try:
            if kind == "table":
                found.append(SheetObject(TABLE, bounds(root.get("ref", "")),
                                         root.get("displayName") or root.get("name") or "",
                                         int(root.get("headerRowCount", "1")), int(root.get("totalsRowCount", "0"))))
            else:
                location = next((el for el in root if local_name(el.tag) == "location"), None)
                if location is not None:
                    found.append(SheetObject(PIVOT, bounds(location.get("ref", "")), root.get("name") or ""))
        except ValueError:
            continue
    return found


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name → its part in the package, found leniently."""
    return dict(_Parts(zf).sheets)


def excel_tables(path, sheets) -> dict[str, list[SheetObject]]:
    """The Excel tables (and pivot tables) on each of ``sheets``; reads only their own small parts."""
    zf = _open(path)
    if zf is None:
        return {}
    with zf:
        if not _may_have_tables(zf, set(zf.namelist())):
            return {}
        parts = _Parts(zf)
        return {s: _tables(parts, parts.sheets[s]) for s in sheets if s in parts.sheets}


def sheet_objects(path, sheets, frames: dict | None = None) -> dict[str, SheetObjects]:
    """Everything that owns cells on each of ``sheets`` (a sheet not found has nothing).

    ``frames``: sheet parts already split (part → ``SheetSplit.finish()``), as ``workbook.read_chart_grids``
    gives them; the others are read here.
    """
    frames = frames or {}
    zf = _open(path)
    if zf is None:
        return {}
    out = {}
    with zf:
        parts = _Parts(zf)
        for s in sheets:
            part = parts.sheets.get(s)
            if part is None or part not in parts.names:
                continue
            items, links = _cell_objects(zf, part, frames.get(part))
            out[s] = SheetObjects(_tables(parts, part) + items, _targets(parts, part, links))
    return out


def _targets(parts: _Parts, sheet_part: str, links: dict[str, str]) -> dict[str, str]:
    """``links`` (cell → relationship id) with each id replaced by the URL it names (unknown ids left out).

    Read with the pattern, not a parser: a synced sheet has a relationship per Draft cell.
    """
    if not links:
        return {}
    urls = dict(_hyperlink_targets(parts, sheet_part))
    return {ref: urls[rid] for ref, rid in links.items() if rid in urls}


def _hyperlink_targets(parts: _Parts, sheet_part: str):
    """(relationship id, URL) of each hyperlink relationship of the sheet part, in the order stored."""
    folder, name = posixpath.split(sheet_part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    try:
        data = parts.zf.read(rels) if rels in parts.names else b""
    except (OSError, zipfile.BadZipFile):
        return
    for m in _RELATIONSHIP.finditer(data):
        tag = m.group(0)
        if _HYPERLINK_TYPE.search(tag) is None:
            continue
        rid, target = _ID.search(tag), _TARGET.search(tag)
        if rid is not None and target is not None:
            yield ((rid.group(1) or rid.group(2)).decode("utf-8", "replace"),
                   _unescape((target.group(1) or target.group(2)).decode("utf-8", "replace")))


def each_link(path, sheet: str):
    """(cell, URL) of each hyperlink of ``sheet`` (``SheetObjects.links``), one at a time, never all held:
    a synced sheet's links are thousands of kilobyte-long URLs. A cell given twice (two relationships under
    one id) is given last with the URL ``sheet_objects`` would say."""
    zf = _open(path)
    if zf is None:
        return
    with zf:
        parts = _Parts(zf)
        part = parts.sheets.get(sheet)
        if part is None or part not in parts.names:
            return
        _, links = _cell_objects(zf, part)
        refs: dict[str, list[str]] = {}
        for ref, rid in links.items():
            refs.setdefault(rid, []).append(ref)
        for rid, url in _hyperlink_targets(parts, part):
            for ref in refs.get(rid, ()):
                yield ref, url


# Three attributes of a hyperlink's relationship, looked for apart (three times faster than every
# attribute: a synced sheet has thousands of kilobyte-long links).
_HYPERLINK_TYPE = re.compile(rb"\sType\s*=\s*[\"'][^\"']*/hyperlink[\"']")
_ID = re.compile(rb"\sId\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TARGET = re.compile(rb"\sTarget\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


# --------------------------------------------------------------------------- inside a sheet part

# The cell data is most of a sheet: streamed, only array formulas are looked for in it.
_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>")
_ARRAY_F = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\s[^>]*?\bt\s*=\s*[\"'](?:array|dataTable)[\"'][^>]*>")
_REF_ATTR = re.compile(rb"\bref\s*=\s*[\"']([^\"']+)[\"']")
# A sheet's cell data is read this many bytes at a time (a tunable: the tests set it small
# to cut tags at the chunks' edges).
READ_CHUNK = 1 << 20
_OVERLAP = 4096  # longer than any tag looked for


def _cell_objects(zf: zipfile.ZipFile, part: str, split: tuple[bytes, list[SheetObject]] | None = None,
                  ) -> tuple[list[SheetObject], dict[str, str]]:
    """The objects that own cells of the sheet part, and its hyperlinks (cell → relationship id).

    ``split``: the part's ``SheetSplit.finish()``, when its bytes were split already as another reader
    inflated them (``grids.Sheets`` with ``frames``).
    """
    if split is not None:
        frame, arrays = split
    else:
        try:
            with zf.open(part) as fh:
                frame, arrays = _split_sheet(fh)
        except (OSError, zipfile.BadZipFile, ValueError):
            return [], {}
    root = _parse(frame)
    if root is None:
        # A sheet the quick split does not fit (a "</sheetData>" inside an XML comment, say): parse it all.
        from defusedxml import ElementTree

        links: dict[str, str] = {}
        try:
            return _cell_objects_parsed(zf, part, links), links
        except (ElementTree.ParseError, ValueError, OSError, zipfile.BadZipFile):
            return [], {}
    links = {}
    return arrays + _frame_objects(root.iter(), links), links


def _split_sheet(fh) -> tuple[bytes, list[SheetObject]]:
    """The sheet without its cell data (to parse), and the array formulas found in the cell data."""
    split = SheetSplit()
    while chunk := fh.read(READ_CHUNK):
        split.feed(chunk)
    return split.finish()


class SheetSplit:
    """``_split_sheet`` fed a sheet part's bytes piece by piece, in order: ``feed`` each, then ``finish``.

    The reader (``grids``) inflates the part anyway for its guard; fed those pieces, this
    spares validate inflating it a second time. ``ValueError`` for an array formula's
    reference that is not one.
    """

    def __init__(self):
        self.frame = bytearray()
        self.arrays: list[SheetObject] = []
        self.buf = b""
        self.close = None  # the end tag of sheetData, once its start is found
        self.done = False  # past the cell data

    def feed(self, chunk) -> None:
        self._step(chunk, False)

    def finish(self) -> tuple[bytes, list[SheetObject]]:
        """The sheet without its cell data (to parse), and the array formulas found in the cell data."""
        self._step(b"", True)
        return bytes(self.frame), self.arrays

    def _step(self, chunk, final: bool) -> None:
        frame = self.frame
        buf = self.buf + chunk
        if self.done:
            frame += buf
            buf = b""
        elif self.close is None:
            m = _SHEET_DATA.search(buf)
            if m is None:
                keep = 0 if final else min(len(buf), _OVERLAP)
                frame += buf[: len(buf) - keep]
                buf = buf[len(buf) - keep:]
            else:
                prefix = m.group(1) + b":" if m.group(1) else b""
                frame += buf[: m.start()] + b"<" + prefix + b"sheetData/>"
                buf = buf[m.end():]
                if m.group(2):
                    self.done = True
                    frame += buf
                    buf = b""
                else:
                    self.close = b"</" + prefix + b"sheetData>"
        close = self.close
        if close is not None and not self.done:
            end = buf.find(close)
            limit = end if end >= 0 else (len(buf) if final else max(len(buf) - _OVERLAP, 0))
            # The regex costs more than the scan that tells most charts have no array formula.
            found = _ARRAY_F.finditer(buf, 0, end if end >= 0 else len(buf)) if b"rray" in buf or b"ataTable" in buf \
                else ()
            for m in found:
                if m.start() < limit:
                    ref = _REF_ATTR.search(m.group(0))
                    if ref is not None:
                        self.arrays.append(SheetObject(ARRAY, bounds(ref.group(1).decode("latin-1"))))
            if end >= 0:
                self.done = True
                frame += buf[end + len(close):]
                buf = b""
            else:
                buf = buf[limit:]
        self.buf = buf


def _frame_objects(elements, links: dict[str, str] | None = None) -> list[SheetObject]:
    """Merged ranges and sparklines among a sheet's elements (its frame, without cell data); each
    hyperlink's cell and relationship id go into ``links``."""
    found = []
    for el in elements:
        name = local_name(el.tag)
        if name == "hyperlink" and links is not None and el.get("ref"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid:
                links[el.get("ref").replace("$", "").upper()] = rid
        elif name == "mergeCell" and el.get("ref"):
            found.append(SheetObject(MERGE, bounds(el.get("ref"))))
        elif name == "sparkline":
            for child in el:
                if local_name(child.tag) == "sqref" and child.text:
                    found += [SheetObject(SPARKLINE, bounds(ref)) for ref in child.text.split()]
    return found


def _cell_objects_parsed(zf: zipfile.ZipFile, part: str, links: dict[str, str]) -> list[SheetObject]:
    """The slow, sure way for the rare sheet the split does not fit: every element parsed, rows let go."""
    from defusedxml import ElementTree

    found: list[SheetObject] = []
    with zf.open(part) as fh:
        for _, el in ElementTree.iterparse(fh, events=("end",)):
            name = local_name(el.tag)
            if name == "f" and el.get("t") in ("array", "dataTable") and el.get("ref"):
                found.append(SheetObject(ARRAY, bounds(el.get("ref"))))
            elif name in ("mergeCell", "sparkline", "hyperlink"):
                found += _frame_objects([el], links)
            elif name == "row":
                el.clear()
    return found
