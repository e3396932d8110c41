"""A structural lint for .xlsx packages: the faults Excel "repairs" (dropping what it cannot place).

Nothing here runs Excel, and LibreOffice opens files Excel would repair, so the tests
check the usual causes of a repair themselves: ``lint(path)`` returns one line per
finding, each naming the part and the place (``xl/worksheets/sheet1.xml: row 7: ...``);
an empty list means none was found. It reads the package with zipfile and lxml and
matches elements by local name and relationships by the end of their type, so
transitional and Strict Open XML, with any prefixes, are read alike.

What it checks:

* the package: no duplicate zip entries; every part has a content type (an Override or
  a Default for its extension); every Override names a part that exists; every
  relationship part's Ids are unique and its internal targets exist; every ``r:id``
  in the workbook, the worksheets and the drawings names a relationship of its part;
* the workbook: sheet names valid (1 to 31 characters, none of ``\\ / ? * [ ] :``, no
  apostrophe first or last, not "History") and unique ignoring case, sheetIds unique;
  a defined name's localSheetId in range and no name defined twice in one scope;
* shared strings: every ``t="s"`` index in range, ``uniqueCount`` equal to the items
  and ``count`` equal to the references, no item over 32,767 characters;
* each worksheet: its children in the order of ECMA-376's CT_Worksheet, each at most
  once (but conditionalFormatting), sheetData present; rows and cells strictly
  ascending, inside 1,048,576 rows x 16,384 columns, each cell in its own row; no
  inline or formula text over 32,767 characters; merges valid and not overlapping;
  hyperlinks' targets and locations within 2,079 characters;
* each table: its ref valid, as many tableColumns as the ref is wide (and a true
  count), column names unique and equal to the header cells' text, not over a merge
  nor another table, its id and name unique in the workbook.

It does not check what the schema leaves free, such as the order of ``<b>``, ``<i>``
and ``<color>`` inside ``<font>`` (an unordered choice: see field-notes on
openxml-audit).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote

from lxml import etree

# Excel's limits, written out here rather than read from workbook_tool: the lint is the
# tests' independent check of the tool, and a wrong constant in the tool must not make
# its own output pass.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
MAX_HYPERLINK_CHARS = 2_079
MAX_SHEET_NAME_CHARS = 31
SHEET_NAME_FORBIDDEN = set("\\/?*[]:")
RESERVED_SHEET_NAMES = {"history"}

# ECMA-376 Part 1, CT_Worksheet: the sequence a worksheet's children must follow.
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)
_POSITION = {name: i for i, name in enumerate(WORKSHEET_ORDER)}
_REPEATABLE = {"conditionalFormatting"}  # maxOccurs="unbounded"; every other child at most once

# The relationships namespace of r:id attributes, transitional and Strict.
RELATIONSHIP_NAMESPACES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
}
CONTENT_TYPES = "[Content_Types].xml"

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def lint(path) -> list[str]:
    """Every structural fault Excel would repair in the workbook at ``path`` (a path or a binary file), one line each.

    Raises ``zipfile.BadZipFile`` when it is not a zip at all.
    """
    with zipfile.ZipFile(path) as zf:
        return _Package(zf).check()


# --------------------------------------------------------------------------- small helpers


def _local(el) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(el, name: str):
    return (child for child in el if _local(child) == name)


def _child(el, name: str):
    return next(_children(el, name), None)


def _rel_id(el) -> str | None:
    """The element's r:id, whatever the relationships namespace's prefix or version."""
    for key, value in el.attrib.items():
        if key.startswith("{") and key[1:].partition("}")[0] in RELATIONSHIP_NAMESPACES \
                and key.rpartition("}")[2] == "id":
            return value
    return None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str) -> tuple[int, int] | None:
    """``(row, column)`` of an A1 reference, or None when it is not one."""
    m = _REF.match(ref or "")
    return (int(m.group(2)), _column_number(m.group(1))) if m else None


def _area(ref: str) -> tuple[int, int, int, int] | None:
    """``(top, left, bottom, right)`` of ``A1:C9`` (or of one cell), or None when it is not a range."""
    first, _, last = (ref or "").partition(":")
    a, b = _cell(first), _cell(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _inside_limits(area) -> bool:
    top, left, bottom, right = area
    return 1 <= top and bottom <= MAX_ROWS and 1 <= left and right <= MAX_COLUMNS


def _overlap(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _unescape(text: str) -> str:
    """ST_Xstring's ``_xHHHH_`` escapes decoded (Excel writes a line break in a table column name as ``_x000a_``)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _chars(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _string_item_text(item) -> str:
    """The text of a shared-string item or an inline string: its ``t`` and its runs' ``t``, not the phonetic runs."""
    parts = []
    for child in item:
        name = _local(child)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            t = _child(child, "t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


# --------------------------------------------------------------------------- the package


class _Package:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.findings: list[str] = []
        names = [n for n in zf.namelist() if not n.endswith("/")]
        self.parts = {n.lower(): n for n in names}  # part names are case-insensitive (OPC)
        seen = set()
        for n in names:
            if n.lower() in seen:
                self.add(n, "the zip holds this part twice")
            seen.add(n.lower())
        self._xml: dict[str, object] = {}
        self.rels: dict[str, dict[str, tuple[str, str | None, str]]] = {}  # part -> Id -> (type, target, raw)
        self.shared: list[str] | None = None
        self.shared_part = None
        self.shared_refs = 0
        self.tables_seen: dict[str, str] = {}  # id -> part
        self.table_names: dict[str, str] = {}  # casefolded name -> part
        self.defined_names: set[str] = set()

    def add(self, part: str, what: str) -> None:
        self.findings.append(f"{part}: {what}")

    def exists(self, part: str) -> bool:
        return part.lower() in self.parts

    def xml(self, part: str):
        """The part's root element, parsed once; None (and a finding) when it is missing or not XML."""
        if part not in self._xml:
            root = None
            name = self.parts.get(part.lower())
            if name is None:
                self.add(part, "the part is missing")
            else:
                try:
                    root = etree.fromstring(self.zf.read(name), _PARSER)
                except etree.XMLSyntaxError as exc:
                    self.add(part, f"not well-formed XML: {exc}")
                except (zipfile.BadZipFile, zlib.error) as exc:
                    self.add(part, f"cannot be read from the zip: {exc}")
            self._xml[part] = root
        return self._xml[part]

    def check(self) -> list[str]:
        self.check_content_types()
        for name in list(self.parts.values()):
            if name.endswith(".rels"):
                self.read_rels(name)
        workbook = self.target_of("", "officeDocument")
        if workbook is None:
            self.add("_rels/.rels", "no officeDocument relationship names the workbook part")
        elif self.exists(workbook):  # a missing one is already a finding of _rels/.rels
            self.check_workbook(workbook)
        return self.findings

    # ---------------------------------------------------------------- content types, relationships

    def check_content_types(self) -> None:
        root = self.xml(CONTENT_TYPES)
        if root is None:
            return
        defaults = {el.get("Extension", "").lower() for el in _children(root, "Default")}
        overrides = set()
        for el in _children(root, "Override"):
            name = el.get("PartName", "")
            overrides.add(name.lower())
            if not self.exists(name.lstrip("/")):
                self.add(CONTENT_TYPES, f"Override {name}: no such part in the package")
        for lower, name in self.parts.items():
            if name == CONTENT_TYPES:
                continue
            base = lower.rpartition("/")[2]
            ext = base.rpartition(".")[2] if "." in base else ""
            if f"/{lower}" not in overrides and ext not in defaults:
                self.add(CONTENT_TYPES, f"part {name} has no content type (no Override, no Default for "
                                        f"{'.' + ext if ext else 'a name without an extension'})")

    def read_rels(self, rels_part: str) -> None:
        folder, _, name = rels_part.rpartition("/")
        source_folder = folder[: -len("_rels")].rstrip("/") if folder.endswith("_rels") else folder
        source = posixpath.join(source_folder, name[: -len(".rels")]) if name != ".rels" else ""
        root = self.xml(rels_part)
        rels: dict[str, tuple[str, str | None, str]] = {}
        self.rels[source.lower()] = rels
        if root is None:
            return
        for el in _children(root, "Relationship"):
            rid, kind, raw = el.get("Id", ""), el.get("Type", ""), el.get("Target", "")
            if rid in rels:
                self.add(rels_part, f"relationship Id {rid!r} is used twice")
            target = None
            if el.get("TargetMode", "Internal") != "External":
                path = unquote(raw.partition("#")[0])
                target = path.lstrip("/") if path.startswith("/") else posixpath.normpath(
                    posixpath.join(source_folder, path))
                if not self.exists(target):
                    self.add(rels_part, f"relationship {rid} ({kind.rpartition('/')[2]}) points at {raw}, "
                                        "which is not in the package")
            rels[rid] = (kind, target, raw)

    def target_of(self, source: str, kind: str) -> str | None:
        """The internal target of ``source``'s first relationship whose type ends in ``/kind``."""
        for rel_kind, target, _ in self.rels.get(source.lower(), {}).values():
            if rel_kind.rpartition("/")[2] == kind and target is not None:
                return target
        return None

    def check_rel_ids(self, part: str, elements) -> None:
        """Every r:id among ``elements`` names a relationship of ``part``."""
        rels = self.rels.get(part.lower(), {})
        for el in elements:
            for key, value in el.attrib.items():
                if value and value not in rels and key.startswith("{") \
                        and key[1:].partition("}")[0] in RELATIONSHIP_NAMESPACES:
                    self.add(part, f"<{_local(el)}> refers to relationship {value!r}, which "
                                   f"{_rels_name(part)} does not define")

    # ---------------------------------------------------------------- the workbook

    def check_workbook(self, part: str) -> None:
        root = self.xml(part)
        if root is None:
            return
        self.check_rel_ids(part, root.iter())
        sheets_el = _child(root, "sheets")
        sheets = list(_children(sheets_el, "sheet")) if sheets_el is not None else []
        if not sheets:
            self.add(part, "the workbook has no sheet")
        names, ids = {}, set()
        for i, sheet in enumerate(sheets):
            name = sheet.get("name", "")
            place = f"sheet {i + 1} {name!r}"
            problem = _sheet_name_problem(name)
            if problem:
                self.add(part, f"{place}: {problem}")
            if name.casefold() in names:
                self.add(part, f"{place}: the same name as sheet {names[name.casefold()] + 1} (names are unique "
                               "ignoring case)")
            names.setdefault(name.casefold(), i)
            sheet_id = sheet.get("sheetId")
            if sheet_id in ids:
                self.add(part, f"{place}: sheetId {sheet_id} is used twice")
            ids.add(sheet_id)
        self.check_defined_names(part, root, len(sheets))

        rels = self.rels.get(part.lower(), {})
        shared = self.target_of(part, "sharedStrings")
        if shared is not None and self.exists(shared):
            self.read_shared_strings(shared)
        for sheet in sheets:
            kind, target, _ = rels.get(_rel_id(sheet) or "", ("", None, ""))
            if target is not None and kind.rpartition("/")[2] == "worksheet" and self.exists(target):
                _Worksheet(self, target).check()
        if self.shared is not None:
            root = self.xml(shared)
            count = root.get("count")
            if count is not None and count.isdigit() and int(count) != self.shared_refs:
                self.add(shared, f"count is {count}, but the worksheets hold {self.shared_refs} shared-string cells")

    def check_defined_names(self, part: str, root, n_sheets: int) -> None:
        holder = _child(root, "definedNames")
        if holder is None:
            return
        seen = set()
        for el in _children(holder, "definedName"):
            name, local = el.get("name", ""), el.get("localSheetId")
            if local is not None and not (local.isdigit() and int(local) < n_sheets):
                self.add(part, f"defined name {name!r}: localSheetId {local} is not a sheet (the workbook has "
                               f"{n_sheets})")
            key = (name.casefold(), local)
            if key in seen:
                self.add(part, f"defined name {name!r} is defined twice in the same scope")
            seen.add(key)
            if local is None:
                self.defined_names.add(name.casefold())

    def read_shared_strings(self, part: str) -> None:
        root = self.xml(part)
        if root is None:
            return
        self.shared_part = part
        self.shared = []
        for i, item in enumerate(_children(root, "si")):
            text = _string_item_text(item)
            if _chars(text) > MAX_CELL_CHARS:
                self.add(part, f"item {i}: {_chars(text):,} characters, over Excel's {MAX_CELL_CHARS:,} for a cell")
            self.shared.append(text)
        unique = root.get("uniqueCount")
        if unique is not None and unique != str(len(self.shared)):
            self.add(part, f"uniqueCount is {unique}, but the part holds {len(self.shared)} items")


def _sheet_name_problem(name: str) -> str | None:
    if not name:
        return "an empty sheet name"
    if _chars(name) > MAX_SHEET_NAME_CHARS:
        return f"the name is {_chars(name)} characters long; Excel allows {MAX_SHEET_NAME_CHARS}"
    bad = sorted(set(name) & SHEET_NAME_FORBIDDEN)
    if bad:
        return f"the name holds {' '.join(bad)}, which a sheet name cannot"
    if name.startswith("'") or name.endswith("'"):
        return "the name starts or ends with an apostrophe"
    if name.casefold() in RESERVED_SHEET_NAMES:
        return f"{name!r} is reserved by Excel"
    return None


# --------------------------------------------------------------------------- a worksheet


class _Worksheet:
    def __init__(self, package: _Package, part: str):
        self.pkg, self.part = package, part
        self.rels = package.rels.get(part.lower(), {})

    def add(self, what: str) -> None:
        self.pkg.add(self.part, what)

    def check(self) -> None:
        root = self.pkg.xml(self.part)
        if root is None:
            return
        self.check_order(root)
        self.check_rel_ids_outside_data(root)
        merges = self.merges(root)
        tables = self.tables(root)
        headers: dict[tuple[int, int], str] = {}  # the header cells' text of every table
        data = _child(root, "sheetData")
        if data is not None:
            self.check_cells(data, {t.top for t in tables if t.header}, headers)
        for i, a in enumerate(merges):
            for b in merges[i + 1:]:
                if b[1][0] > a[1][2]:
                    break  # sorted by top row: no later merge starts above a's bottom
                if _overlap(a[1], b[1]):
                    self.add(f"<mergeCells>: {a[0]} overlaps {b[0]}")
        for i, table in enumerate(tables):
            table.check(headers, merges, tables[i + 1:])
        self.check_hyperlinks(root)

    def check_order(self, root) -> None:
        main_ns = etree.QName(root).namespace
        last, seen = -1, set()
        for child in root:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != main_ns:
                continue  # mc:AlternateContent and other namespaces' elements have their own rules
            name = _local(child)
            pos = _POSITION.get(name)
            if pos is None:
                self.add(f"<{name}> is not a worksheet element")
                continue
            if pos < last:
                self.add(f"<{name}> comes after <{WORKSHEET_ORDER[last]}>; the schema puts it before")
            if name in seen and name not in _REPEATABLE:
                self.add(f"<{name}> appears twice")
            seen.add(name)
            last = max(last, pos)
        if "sheetData" not in seen:
            self.add("no <sheetData> (the schema requires it)")

    def check_rel_ids_outside_data(self, root) -> None:
        elements = [root]
        for child in root:
            if _local(child) != "sheetData":
                elements.extend(child.iter())
        self.pkg.check_rel_ids(self.part, elements)
        for el in elements:
            name = _local(el)
            if name in ("drawing", "legacyDrawing"):
                kind, target, _ = self.rels.get(_rel_id(el) or "", ("", None, ""))
                if target is not None and self.pkg.exists(target) and target.endswith(".xml"):
                    drawing = self.pkg.xml(target)
                    if drawing is not None:
                        self.pkg.check_rel_ids(target, drawing.iter())

    def check_cells(self, data, header_rows: set[int], headers: dict) -> None:
        shared = self.pkg.shared
        last_row = 0
        for row in data:
            if _local(row) != "row":
                continue
            r = row.get("r")
            number = int(r) if r is not None and r.isdigit() else (last_row + 1 if r is None else None)
            if number is None:
                self.add(f"row {r!r}: not a row number")
                continue
            if not 1 <= number <= MAX_ROWS:
                self.add(f"row {number}: outside the sheet's {MAX_ROWS:,} rows")
            if number <= last_row:
                self.add(f"row {number} comes after row {last_row}; rows must ascend")
            last_row = max(last_row, number)
            last_col, last_ref = 0, None
            for c in row:
                if _local(c) != "c":
                    continue
                ref = c.get("r")
                if ref is None:
                    col = last_col + 1
                    ref = f"{_column_letters(col)}{number}"
                else:
                    place = _cell(ref)
                    if place is None or "$" in ref:
                        self.add(f"row {number}: cell {ref!r} is not a cell reference")
                        continue
                    if place[0] != number:
                        self.add(f"row {number}: cell {ref} belongs to row {place[0]}")
                    col = place[1]
                if col > MAX_COLUMNS:
                    self.add(f"cell {ref}: outside the sheet's {MAX_COLUMNS:,} columns")
                if col <= last_col:
                    self.add(f"row {number}: cell {ref} comes after {last_ref}; cells must ascend")
                if col > last_col:
                    last_col, last_ref = col, ref
                kind = c.get("t", "n")
                text = None
                if kind == "s":
                    v = _child(c, "v")
                    index = (v.text or "").strip() if v is not None else ""
                    self.pkg.shared_refs += 1
                    if shared is None:
                        self.add(f"cell {ref}: a shared string, but the workbook has no shared strings part")
                    elif not index.isdigit() or int(index) >= len(shared):
                        self.add(f"cell {ref}: shared string {index!r} is out of range ({len(shared)} items in "
                                 f"{self.pkg.shared_part})")
                    else:
                        text = shared[int(index)]
                elif kind == "inlineStr":
                    item = _child(c, "is")
                    text = _string_item_text(item) if item is not None else ""
                    if _chars(text) > MAX_CELL_CHARS:
                        self.add(f"cell {ref}: {_chars(text):,} characters, over Excel's {MAX_CELL_CHARS:,}")
                else:
                    v = _child(c, "v")
                    text = (v.text or "") if v is not None else ""
                    if kind == "str" and _chars(text) > MAX_CELL_CHARS:
                        self.add(f"cell {ref}: {_chars(text):,} characters, over Excel's {MAX_CELL_CHARS:,}")
                if number in header_rows:
                    headers[(number, col)] = text

    def merges(self, root) -> list[tuple[str, tuple]]:
        """The merged ranges, sorted by top row; invalid ones are findings."""
        out = []
        holder = _child(root, "mergeCells")
        for el in _children(holder, "mergeCell") if holder is not None else ():
            ref = el.get("ref", "")
            area = _area(ref)
            if area is None or ":" not in ref:
                self.add(f"<mergeCell ref={ref!r}>: not a range")
            elif not _inside_limits(area):
                self.add(f"<mergeCell ref={ref!r}>: outside the sheet")
            else:
                out.append((ref, area))
        return sorted(out, key=lambda m: m[1])

    def tables(self, root) -> list[_Table]:
        holder = _child(root, "tableParts")
        out = []
        for el in _children(holder, "tablePart") if holder is not None else ():
            kind, target, _ = self.rels.get(_rel_id(el) or "", ("", None, ""))
            if target is None or not self.pkg.exists(target):
                continue  # a missing relationship or part is already a finding
            table = _Table.read(self.pkg, target)
            if table is not None:
                out.append(table)
        return out

    def check_hyperlinks(self, root) -> None:
        holder = _child(root, "hyperlinks")
        for el in _children(holder, "hyperlink") if holder is not None else ():
            ref = el.get("ref", "")
            area = _area(ref)
            if area is None or not _inside_limits(area):
                self.add(f"<hyperlink ref={ref!r}>: not a cell or range of the sheet")
            rid = _rel_id(el)
            if rid is not None and rid in self.rels:
                target = self.rels[rid][2]
                if _chars(target) > MAX_HYPERLINK_CHARS:
                    self.add(f"<hyperlink ref={ref!r}>: its target is {_chars(target):,} characters; Excel "
                             f"allows {MAX_HYPERLINK_CHARS:,}")
            location = el.get("location")
            if location is not None and _chars(location) > MAX_HYPERLINK_CHARS:
                self.add(f"<hyperlink ref={ref!r}>: its location is {_chars(location):,} characters; Excel "
                         f"allows {MAX_HYPERLINK_CHARS:,}")


# --------------------------------------------------------------------------- a table


class _Table:
    def __init__(self, pkg: _Package, part: str, ref: str, area, header: bool, columns: list[str]):
        self.pkg, self.part, self.ref, self.area, self.header, self.columns = pkg, part, ref, area, header, columns
        self.top = area[0]

    @classmethod
    def read(cls, pkg: _Package, part: str) -> _Table | None:
        root = pkg.xml(part)
        if root is None:
            return None
        ref = root.get("ref", "")
        area = _area(ref)
        if area is None or not _inside_limits(area):
            pkg.add(part, f"ref {ref!r} is not a range of the sheet")
            return None
        table_id, name = root.get("id"), root.get("displayName") or root.get("name") or ""
        if table_id in pkg.tables_seen:
            pkg.add(part, f"table id {table_id} is also the id of {pkg.tables_seen[table_id]}")
        pkg.tables_seen.setdefault(table_id, part)
        if name.casefold() in pkg.table_names:
            pkg.add(part, f"table name {name!r} is also the name of {pkg.table_names[name.casefold()]}")
        elif name.casefold() in pkg.defined_names:
            pkg.add(part, f"table name {name!r} is also a defined name")
        pkg.table_names.setdefault(name.casefold(), part)
        holder = _child(root, "tableColumns")
        elements = list(_children(holder, "tableColumn")) if holder is not None else []
        columns = [el.get("name", "") for el in elements]
        width = area[3] - area[1] + 1
        if len(columns) != width:
            pkg.add(part, f"{len(columns)} tableColumns, but the ref {ref} is {width} columns wide")
        count = holder.get("count") if holder is not None else None
        if count is not None and count != str(len(columns)):
            pkg.add(part, f"<tableColumns count={count!r}> but {len(columns)} tableColumn elements")
        seen = set()
        for name in columns:
            if _unescape(name).casefold() in seen:
                pkg.add(part, f"column name {name!r} is used twice")
            seen.add(_unescape(name).casefold())
        header = root.get("headerRowCount", "1") != "0"
        return cls(pkg, part, ref, area, header, columns)

    def check(self, headers: dict, merges: list, later_tables: list[_Table]) -> None:
        top, left, _, right = self.area
        if self.header:
            for i, name in enumerate(self.columns[: right - left + 1]):
                col = left + i
                text = headers.get((top, col))
                if text is None:
                    self.pkg.add(self.part, f"column {name!r}: its header cell {_column_letters(col)}{top} is empty")
                elif _unescape(text) != _unescape(name):
                    self.pkg.add(self.part, f"column {name!r}: its header cell {_column_letters(col)}{top} holds "
                                            f"{text!r}")
        for ref, area in merges:
            if _overlap(area, self.area):
                self.pkg.add(self.part, f"the table {self.ref} covers merged cells {ref}")
        for other in later_tables:
            if _overlap(other.area, self.area):
                self.pkg.add(self.part, f"the table {self.ref} overlaps {other.part}'s {other.ref}")
