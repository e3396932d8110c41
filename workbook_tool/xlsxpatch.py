"""Write a sync's changes straight into the .xlsx package; every other byte is copied.

openpyxl turns every cell of every sheet into an object and writes them all
back: at 10,000 rows that is most of a sync's time and memory, and what it does
not model (cached formula results, parts it has no class for) does not survive.
Here the rows a sync touches are re-serialized one ``<row>`` at a time with lxml,
and the few small parts that must change (styles, comments, relationships, the
workbook's sheet list) are edited in place. Every other part, and every other
row, goes into the new file exactly as it was.

What this module does not recognize (a strict-OOXML file, rows without numbers,
XML comments inside the cells) raises ``Unsupported`` before anything is
written, and the sync falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from . import schema

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_HYPERLINK = REL + "/hyperlink"
REL_COMMENTS = REL + "/comments"
REL_VML = REL + "/vmlDrawing"
REL_TABLE = REL + "/table"
REL_WORKSHEET = REL + "/worksheet"
REL_DRAWING = REL + "/drawing"
REL_CHART = REL + "/chart"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

# The order of a worksheet's children (ECMA-376 CT_Worksheet): a new child goes before
# the first existing one that comes later, or Excel reports the file as damaged.
_SHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                "extLst")
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


class Unsupported(Exception):
    """The package has a shape this module does not edit; the caller uses openpyxl instead."""


def _q(name: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{name}"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse(data: bytes):
    if b"<!DOCTYPE" in data[:4096]:
        raise Unsupported("a part declares a DTD")
    return etree.fromstring(data, _PARSER)


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    rank = order.index(_local(child.tag))
    for i, existing in enumerate(parent):
        name = _local(existing.tag)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _split_ref(ref: str) -> tuple[int, int]:
    m = _REF.match(ref)
    if not m:
        raise Unsupported(f"cell reference {ref!r}")
    return column_index(m.group(1)), int(m.group(2))


def _range(ref: str) -> tuple[int, int, int, int]:
    """'A1:Q14' → (min_col, min_row, max_col, max_row)."""
    first, _, last = ref.partition(":")
    c1, r1 = _split_ref(first)
    c2, r2 = _split_ref(last or first)
    return c1, r1, c2, r2


def _range_ref(c1: int, r1: int, c2: int, r2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"


# --------------------------------------------------------------------------- the package


class Package:
    """The .xlsx zip as parts: read what is needed, replace what changes, copy the rest."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.names = {info.filename for info in self.zip.infolist()}
        self.changed: dict[str, bytes] = {}
        self._parsed: dict[str, object] = {}
        types = self.tree("[Content_Types].xml")
        if types.tag != _q("Types", CT):
            raise Unsupported("content types")
        wb_part = self._office_document()
        self.workbook_part = wb_part
        self.workbook = self.tree(wb_part)
        if self.workbook.tag != _q("workbook"):
            raise Unsupported("not a transitional SpreadsheetML workbook")
        pr = self.workbook.find(_q("workbookPr"))
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.sheet_parts: dict[str, str] = {}
        rels = self.rels(wb_part)
        sheets = self.workbook.find(_q("sheets"))
        for sheet in sheets if sheets is not None else ():
            rid = sheet.get(_q("id", REL))
            target = rels.get(rid)
            if target is not None:
                self.sheet_parts[sheet.get("name")] = target

    def close(self) -> None:
        self.zip.close()

    def _office_document(self) -> str:
        root = self.tree("_rels/.rels")
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target").lstrip("/")
        raise Unsupported("no workbook part")

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name not in self.names:
            raise KeyError(name)
        return self.zip.read(name)

    def tree(self, name: str):
        """A part parsed once; edits to it are written back by ``save``."""
        if name not in self._parsed:
            self._parsed[name] = _parse(self.read(name))
        return self._parsed[name]

    def has(self, name: str) -> bool:
        return name in self.names or name in self.changed

    def put(self, name: str, data: bytes) -> None:
        self.changed[name] = data
        self._parsed.pop(name, None)

    def new_name(self, pattern: str) -> str:
        """A part name not yet taken: pattern with {n} = 1, 2, …"""
        n = 1
        while self.has(pattern.format(n=n)) or pattern.format(n=n) in self._parsed:
            n += 1
        return pattern.format(n=n)

    # relationships ----------------------------------------------------------------

    @staticmethod
    def rels_name(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def rels_tree(self, part: str):
        name = self.rels_name(part)
        if name not in self._parsed and not self.has(name):
            self._parsed[name] = etree.Element(_q("Relationships", PKG_REL), nsmap={None: PKG_REL})
        return self.tree(name)

    def rels(self, part: str, type_: str | None = None) -> dict[str, str]:
        """Relationship id → target part name (internal targets resolved against ``part``)."""
        out = {}
        for rel in self.rels_tree(part):
            if type_ is not None and rel.get("Type") != type_:
                continue
            if rel.get("TargetMode") == "External":
                out[rel.get("Id")] = rel.get("Target")
            else:
                out[rel.get("Id")] = self.resolve(part, rel.get("Target"))
        return out

    @staticmethod
    def resolve(part: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def add_rel(self, part: str, type_: str, target: str, external: bool = False) -> str:
        root = self.rels_tree(part)
        taken = {rel.get("Id") for rel in root}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        rel = etree.SubElement(root, _q("Relationship", PKG_REL), Id=f"rId{n}", Type=type_)
        if external:
            rel.set("Target", target)
            rel.set("TargetMode", "External")
        else:
            rel.set("Target", "/" + target)
        return f"rId{n}"

    def add_override(self, part: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        etree.SubElement(types, _q("Override", CT), PartName="/" + part, ContentType=content_type)

    def ensure_default(self, extension: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        if not any(d.get("Extension", "").lower() == extension for d in types.iter(_q("Default", CT))):
            types.insert(0, etree.Element(_q("Default", CT), Extension=extension, ContentType=content_type))

    def save(self, out: Path) -> None:
        for name, root in self._parsed.items():
            if name.endswith(".rels") and not len(root) and not self.has(name):
                continue  # a relationships part looked at but never given one
            self.changed[name] = _xml(root)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            written = set()
            for info in self.zip.infolist():
                if info.filename in written:
                    continue
                written.add(info.filename)
                data = self.changed.get(info.filename)
                if data is None:
                    data = self.zip.read(info)
                zout.writestr(_zipinfo(info.filename, info.date_time), data)
            for name, data in self.changed.items():
                if name not in written:
                    zout.writestr(_zipinfo(name, (1980, 1, 1, 0, 0, 0)), data)


def _zipinfo(name: str, date_time) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# --------------------------------------------------------------------------- styles


class Styles:
    """The cell formats a sync needs, found or added in xl/styles.xml."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        name = next((t for t in pkg.rels(pkg.workbook_part).values() if t.endswith("styles.xml")), None)
        if name is None or not pkg.has(name):
            raise Unsupported("no styles part")
        self.root = pkg.tree(name)
        self.xfs = self._section("cellXfs")
        if not len(self.xfs):
            raise Unsupported("no cell formats")
        self._memo: dict[tuple, int] = {}

    def _section(self, name: str):
        el = self.root.find(_q(name))
        if el is None:
            el = etree.Element(_q(name))
            _insert_in_order(self.root, el, _STYLE_ORDER)
        return el

    def _append(self, section: str, element) -> int:
        parent = self._section(section)
        want = etree.tostring(element)
        for i, existing in enumerate(parent):
            if etree.tostring(existing) == want:
                return i
        parent.append(element)
        parent.set("count", str(len(parent)))
        return len(parent) - 1

    def number_format(self, code: str) -> int:
        numfmts = self._section("numFmts")
        for nf in numfmts:
            if nf.get("formatCode") == code:
                return int(nf.get("numFmtId"))
        used = [int(nf.get("numFmtId")) for nf in numfmts if nf.get("numFmtId", "").isdigit()]
        new_id = max([163] + used) + 1
        etree.SubElement(numfmts, _q("numFmt"), numFmtId=str(new_id), formatCode=code)
        numfmts.set("count", str(len(numfmts)))
        return new_id

    def _xf(self, index: int):
        if not 0 <= index < len(self.xfs):
            index = 0
        return self.xfs[index]

    def with_number_format(self, index: int, code: str) -> int:
        """Cell format ``index`` with its number format set to ``code`` (as openpyxl's number_format=)."""
        key = ("numfmt", index, code)
        if key not in self._memo:
            fmt = self.number_format(code)
            base = self._xf(index)
            if base.get("numFmtId") == str(fmt):
                self._memo[key] = index
            else:
                xf = etree.fromstring(etree.tostring(base))
                xf.set("numFmtId", str(fmt))
                xf.set("applyNumberFormat", "1")
                self._memo[key] = self._append("cellXfs", xf)
        return self._memo[key]

    def _font(self, *, bold=False, italic=False, color=None, theme=None, size=11, underline=False) -> int:
        font = etree.Element(_q("font"))
        if bold:
            etree.SubElement(font, _q("b"), val="1")
        if italic:
            etree.SubElement(font, _q("i"), val="1")
        if underline:
            etree.SubElement(font, _q("u"), val="single")
        etree.SubElement(font, _q("sz"), val=str(size))
        if color:
            etree.SubElement(font, _q("color"), rgb="FF" + color)
        elif theme is not None:
            etree.SubElement(font, _q("color"), theme=str(theme))
        etree.SubElement(font, _q("name"), val="Calibri")
        etree.SubElement(font, _q("family"), val="2")
        return self._append("fonts", font)

    def _fill(self, color: str) -> int:
        fill = etree.Element(_q("fill"))
        pattern = etree.SubElement(fill, _q("patternFill"), patternType="solid")
        etree.SubElement(pattern, _q("fgColor"), rgb="FF" + color)
        etree.SubElement(pattern, _q("bgColor"), indexed="64")
        return self._append("fills", fill)

    def _new_xf(self, font: int, fill: int = 0, numfmt: int = 0, alignment: dict | None = None, xf_id: int = 0):
        xf = etree.Element(_q("xf"), numFmtId=str(numfmt), fontId=str(font), fillId=str(fill), borderId="0",
                           xfId=str(xf_id))
        if font:
            xf.set("applyFont", "1")
        if fill:
            xf.set("applyFill", "1")
        if numfmt:
            xf.set("applyNumberFormat", "1")
        if alignment:
            xf.set("applyAlignment", "1")
            etree.SubElement(xf, _q("alignment"), **alignment)
        return self._append("cellXfs", xf)

    def header(self, owner: str) -> int:
        """A header cell as ``layout.style_header`` dresses it."""
        from . import layout

        key = ("header", owner)
        if key not in self._memo:
            if owner == schema.TOOL:
                font = self._font(bold=True, italic=True, color="404040")
                fill = self._fill(layout.TOOL_HEADER_FILL)
            else:
                font = self._font(bold=True, color="FFFFFF")
                fill = self._fill(layout.USER_HEADER_FILL)
            self._memo[key] = self._new_xf(font, fill, alignment={"vertical": "center", "wrapText": "1"})
        return self._memo[key]

    def dashboard_header(self) -> int:
        from . import layout

        if "dash" not in self._memo:
            self._memo["dash"] = self._new_xf(self._font(bold=True, italic=True, color="404040"),
                                              self._fill(layout.TOOL_HEADER_FILL))
        return self._memo["dash"]

    def title(self) -> int:
        if "title" not in self._memo:
            self._memo["title"] = self._new_xf(self._font(bold=True, size=14))
        return self._memo["title"]

    def column(self, code: str) -> int:
        """A whole column's format: only the number format."""
        return self._new_xf(0, numfmt=self.number_format(code))

    def hyperlink(self) -> int:
        """The built-in "Hyperlink" cell style (blue, underlined), as openpyxl's cell.style = "Hyperlink"."""
        if "link" in self._memo:
            return self._memo["link"]
        styles = self._section("cellStyles")
        named = next((s for s in styles if s.get("builtinId") == "8"), None)
        font = self._font(underline=True, theme=10)
        if named is None:
            style_xfs = self._section("cellStyleXfs")
            if not len(style_xfs):
                etree.SubElement(style_xfs, _q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0")
            base = etree.Element(_q("xf"), numFmtId="0", fontId=str(font), fillId="0", borderId="0",
                                 applyFont="1")
            style_xfs.append(base)
            style_xfs.set("count", str(len(style_xfs)))
            xf_id = len(style_xfs) - 1
            if not len(styles):
                etree.SubElement(styles, _q("cellStyle"), name="Normal", xfId="0", builtinId="0")
            etree.SubElement(styles, _q("cellStyle"), name="Hyperlink", xfId=str(xf_id), builtinId="8")
            styles.set("count", str(len(styles)))
        else:
            xf_id = int(named.get("xfId", "0"))
        self._memo["link"] = self._new_xf(font, xf_id=xf_id)
        return self._memo["link"]


# --------------------------------------------------------------------------- cell values


class Values:
    """How a Python value is stored in a ``<c>``: the same types openpyxl writes for a sync."""

    def __init__(self, date1904: bool):
        self.epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)

    def serial(self, value: dt.date) -> str:
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        delta = value.replace(tzinfo=None) - self.epoch
        days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        return str(int(days)) if days == int(days) else repr(days)

    def set(self, cell, value) -> None:
        """Put ``value`` into ``cell`` (keeping its r and s); None leaves it empty but formatted."""
        from .sync import stored_text

        for child in list(cell):
            cell.remove(child)
        cell.attrib.pop("t", None)
        cell.attrib.pop("cm", None)
        cell.attrib.pop("vm", None)
        if value is None:
            return
        if isinstance(value, bool):
            cell.set("t", "b")
            etree.SubElement(cell, _q("v")).text = "1" if value else "0"
        elif isinstance(value, str):
            text = stored_text(value)
            cell.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(cell, _q("is")), _q("t"))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif isinstance(value, (dt.date, dt.datetime)):
            etree.SubElement(cell, _q("v")).text = self.serial(value)
        elif isinstance(value, int):
            etree.SubElement(cell, _q("v")).text = str(value)
        elif isinstance(value, float):
            etree.SubElement(cell, _q("v")).text = repr(value)
        else:
            raise Unsupported(f"value of type {type(value).__name__}")


# --------------------------------------------------------------------------- one worksheet


class CellEdit:
    __slots__ = ("value", "date", "link")

    def __init__(self, value, link: bool):
        self.value = value
        self.date = isinstance(value, dt.date)
        self.link = link


class Sheet:
    """One worksheet part: the rows to rewrite and the parts around the cells to edit."""

    _ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b([^>]*)>")

    def __init__(self, pkg: Package, part: str):
        self.pkg = pkg
        self.part = part
        data = pkg.read(part)
        if b"<!--" in data or b"<![CDATA[" in data or b"<!DOCTYPE" in data[:4096]:
            raise Unsupported("comments, CDATA or a DTD in a sheet")
        m = self._ROOT.search(data, 0, 4096)
        if m is None:
            raise Unsupported("no worksheet element")
        prefix = m.group(1) or b""
        p = prefix + b":" if prefix else b""
        self.p = p
        decls = b" ".join(re.findall(rb'xmlns(?::[\w.-]+)?="[^"]*"', m.group(2)))
        self._open = b"<" + p + b"sheetData " + decls + b">"
        self._close = b"</" + p + b"sheetData>"
        if b'"' + MAIN.encode() + b'"' not in decls:
            raise Unsupported("not transitional SpreadsheetML")
        sd = re.compile(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/?)>").search(data, m.end())
        if sd is None:
            raise Unsupported("no sheetData")
        if sd.group(1):
            self.rows_bytes = b""
            head, tail = data[: sd.start()], data[sd.end():]
        else:
            end = data.find(b"</" + p + b"sheetData>", sd.end())
            if end < 0:
                raise Unsupported("unterminated sheetData")
            self.rows_bytes = data[sd.end(): end]
            head, tail = data[: sd.start()], data[end + len(b"</" + p + b"sheetData>"):]
        # The worksheet without its cells: small, parsed whole for the edits around them.
        self.frame = _parse(head + b"<" + p + b"sheetData/>" + tail)
        self.edits: dict[int, dict[int, CellEdit]] = {}
        self.new_rows: list[int] = []
        self.template_row: int | None = None
        self.header_styles: dict[tuple[int, int], int] = {}  # (row, col) → style for new headers

    # the frame ----------------------------------------------------------------------

    def child(self, name: str, create: bool = False):
        el = self.frame.find(_q(name))
        if el is None and create:
            # Elements that carry an r:id declare the prefix Excel uses, whatever the root declares.
            nsmap = {"r": REL} if name in ("hyperlinks", "drawing", "legacyDrawing") else None
            el = etree.Element(_q(name), nsmap=nsmap)
            _insert_in_order(self.frame, el, _SHEET_ORDER)
        return el

    # the rows -----------------------------------------------------------------------

    def _iter_rows(self):
        """(start, end, number) of each <row> in the cell data."""
        p = re.escape(self.p)
        row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
        close = b"</" + self.p + b"row>"
        data = self.rows_bytes
        pos = 0
        while True:
            m = row_re.search(data, pos)
            if m is None:
                return
            r = re.search(rb'\br="(\d+)"', m.group(1))
            if r is None:
                raise Unsupported("a row without its number")
            if m.group(2):
                end = m.end()
            else:
                end = data.find(close, m.end())
                if end < 0:
                    raise Unsupported("unterminated row")
                end += len(close)
            yield m.start(), end, int(r.group(1))
            pos = end

    def _parse_rows(self, chunk: bytes):
        return etree.fromstring(self._open + chunk + self._close, _PARSER)

    def _serialize(self, wrapper) -> bytes:
        out = etree.tostring(wrapper)
        start = out.index(b">") + 1
        if out.endswith(b"/>"):
            return b""
        return out[start: out.rindex(b"</")]

    def rewrite_rows(self, styles: Styles, values: Values) -> bytes:
        """The new cell data: untouched rows as they were, edited and new rows re-serialized."""
        pieces: list[bytes] = []
        data = self.rows_bytes
        pending = dict(self.edits)
        new_rows = set(self.new_rows)
        template_cells: dict[int, str] | None = None
        last = 0
        last_number = 0
        for start, end, number in self._iter_rows():
            if number <= last_number:
                raise Unsupported("rows out of order")
            last_number = number
            if number == self.template_row:
                template_cells = self._styles_of(data[start:end])
            # Rows the sheet lacks and that come before this one are inserted here.
            for missing in sorted(n for n in pending if n < number):
                pieces.append(data[last:start])
                last = start
                pieces.append(self._new_row(missing, pending.pop(missing), template_cells if missing in new_rows
                                            else None, styles, values))
            edit = pending.pop(number, None)
            if edit is None:
                continue
            pieces.append(data[last:start])
            wrapper = self._parse_rows(data[start:end])
            row = wrapper[0]
            self._edit_row(row, number, edit, template_cells if number in new_rows else None, styles, values)
            pieces.append(self._serialize(wrapper))
            last = end
        pieces.append(data[last:])
        for number in sorted(pending):
            pieces.append(self._new_row(number, pending[number], template_cells if number in new_rows else None,
                                        styles, values))
        return b"".join(pieces)

    def _styles_of(self, row_bytes: bytes) -> dict[int, str]:
        wrapper = self._parse_rows(row_bytes)
        out = {}
        for c in wrapper[0].iter(_q("c")):
            s = c.get("s")
            r = c.get("r")
            if s and s != "0" and r:
                out[_split_ref(r)[0]] = s
        return out

    def _new_row(self, number: int, edit, template, styles, values) -> bytes:
        wrapper = etree.Element(_q("sheetData"))
        row = etree.SubElement(wrapper, _q("row"), r=str(number))
        self._edit_row(row, number, edit, template, styles, values)
        return self._serialize_new(row)

    def _serialize_new(self, row) -> bytes:
        wrapper = self._parse_rows(b"")
        wrapper.append(row)
        return self._serialize(wrapper)

    def _edit_row(self, row, number: int, edit: dict[int, CellEdit], template, styles: Styles,
                  values: Values) -> None:
        row.attrib.pop("spans", None)  # an optional hint that new cells would make wrong
        cells = {}
        for c in row.findall(_q("c")):
            r = c.get("r")
            if r is None:
                raise Unsupported("a cell without its reference")
            cells[_split_ref(r)[0]] = c
        if template:
            # A new row looks like the row above it: same fonts, fills, borders, formats.
            for col, s in template.items():
                if col not in cells:
                    cells[col] = self._add_cell(row, cells, col, number)
                if cells[col].get("s") in (None, "0"):
                    cells[col].set("s", s)
        for col in sorted(edit):
            change = edit[col]
            cell = cells.get(col)
            if cell is None:
                cell = cells[col] = self._add_cell(row, cells, col, number)
            style = self.header_styles.get((number, col))
            if style is not None:
                cell.set("s", str(style))
            elif change.link and change.value:
                cell.set("s", str(styles.hyperlink()))
            elif change.date and change.value is not None:
                cell.set("s", str(styles.with_number_format(int(cell.get("s", "0")), schema.DATE_FORMAT)))
            values.set(cell, change.value)

    @staticmethod
    def _add_cell(row, cells: dict, col: int, number: int):
        cell = etree.Element(_q("c"), r=f"{column_letter(col)}{number}")
        later = [c for c in cells if c > col]
        if later:
            cells[min(later)].addprevious(cell)
        else:
            row.append(cell)
        return cell

    # around the cells ---------------------------------------------------------------

    def set_dimension(self, max_col: int, max_row: int) -> None:
        dim = self.child("dimension")
        if dim is None:
            return
        try:
            c1, r1, c2, r2 = _range(dim.get("ref", "A1"))
        except Unsupported:
            return
        dim.set("ref", _range_ref(min(c1, 1), min(r1, 1), max(c2, max_col), max(r2, max_row)))

    def set_column(self, index: int, width: float, style: int | None) -> None:
        """A width (and a format) of column ``index``'s own, split out of any range covering it."""
        cols = self.child("cols", create=True)
        for col in list(cols):
            lo, hi = int(col.get("min")), int(col.get("max"))
            if not lo <= index <= hi:
                continue
            cols.remove(col)
            for a, b in ((lo, index - 1), (index + 1, hi)):
                if a <= b:
                    part = etree.fromstring(etree.tostring(col))
                    part.set("min", str(a))
                    part.set("max", str(b))
                    cols.append(part)
        new = etree.SubElement(cols, _q("col"), min=str(index), max=str(index), width=str(width),
                               customWidth="1")
        if style is not None:
            new.set("style", str(style))
        ordered = sorted(cols, key=lambda c: int(c.get("min")))
        for c in ordered:
            cols.append(c)

    def hyperlinks(self, links: dict[str, str | None]) -> None:
        """Point each cell in ``links`` at its URL (None: no link), replacing its old link."""
        if not links:
            return
        rels = self.pkg.rels_tree(self.part)
        by_id = {rel.get("Id"): rel for rel in rels}
        box = self.child("hyperlinks")
        if box is not None:
            for link in list(box):
                if link.get("ref") in links:
                    rid = link.get(_q("id", REL))
                    rel = by_id.get(rid)
                    if rel is not None and rel.get("Type") == REL_HYPERLINK:
                        rels.remove(rel)
                    box.remove(link)
        wanted = {ref: url for ref, url in links.items() if url}
        if not wanted:
            if box is not None and not len(box):
                self.frame.remove(box)
            return
        if box is None:
            box = self.child("hyperlinks", create=True)
        taken = {rel.get("Id") for rel in rels}
        n = 0
        for ref, url in wanted.items():
            n += 1
            while f"rId{n}" in taken:
                n += 1
            taken.add(f"rId{n}")
            etree.SubElement(rels, _q("Relationship", PKG_REL), Id=f"rId{n}", Type=REL_HYPERLINK, Target=url,
                             TargetMode="External")
            link = etree.SubElement(box, _q("hyperlink"), ref=ref, nsmap={"r": REL})
            link.set(_q("id", REL), f"rId{n}")

    def notes(self, notes: list[tuple[int, int, str]]) -> None:
        """Add a note (an Excel comment by "chart") to each (row, col) header cell."""
        if not notes:
            return
        from . import layout

        rels = self.pkg.rels(self.part)
        comments_part = next((t for rid, t in rels.items() if self._rel_type(rid) == REL_COMMENTS), None)
        vml_part = next((t for rid, t in rels.items() if self._rel_type(rid) == REL_VML), None)
        if comments_part is None:
            comments_part = self.pkg.new_name("xl/comments/comment{n}.xml")
            root = etree.Element(_q("comments"), nsmap={None: MAIN})
            etree.SubElement(root, _q("authors"))
            etree.SubElement(root, _q("commentList"))
            self.pkg._parsed[comments_part] = root
            self.pkg.add_override(comments_part, CT_COMMENTS)
            self.pkg.add_rel(self.part, REL_COMMENTS, comments_part)
        if vml_part is None:
            vml_part = self.pkg.new_name("xl/drawings/commentsDrawing{n}.vml")
            self.pkg.put(vml_part, _VML_HEAD + b"</xml>")
            self.pkg.ensure_default("vml", CT_VML)
            rid = self.pkg.add_rel(self.part, REL_VML, vml_part)
            legacy = self.child("legacyDrawing", create=True)
            legacy.set(_q("id", REL), rid)
        comments = self.pkg.tree(comments_part)
        authors = comments.find(_q("authors"))
        names = [a.text for a in authors]
        if layout.TOOL_NOTE_AUTHOR not in names:
            etree.SubElement(authors, _q("author")).text = layout.TOOL_NOTE_AUTHOR
            names.append(layout.TOOL_NOTE_AUTHOR)
        author = str(names.index(layout.TOOL_NOTE_AUTHOR))
        box = comments.find(_q("commentList"))
        vml = self.pkg.read(vml_part)
        ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)] or [1024]
        shapes = []
        for i, (row, col, text) in enumerate(notes, start=1):
            ref = f"{column_letter(col)}{row}"
            for old in box.findall(_q("comment")):
                if old.get("ref") == ref:
                    box.remove(old)
            comment = etree.SubElement(box, _q("comment"), ref=ref, authorId=author)
            etree.SubElement(etree.SubElement(comment, _q("text")), _q("t")).text = text
            shapes.append(_VML_SHAPE.format(id=max(ids) + i, row=row - 1, col=col - 1).encode())
        end = vml.rfind(b"</xml>")
        if end < 0:
            raise Unsupported("a comment drawing that is not VML")
        self.pkg.put(vml_part, vml[:end] + b"".join(shapes) + vml[end:])

    def _rel_type(self, rid: str) -> str | None:
        for rel in self.pkg.rels_tree(self.part):
            if rel.get("Id") == rid:
                return rel.get("Type")
        return None

    def tables(self) -> list[tuple[str, object]]:
        """(part, root) of each Excel table on this sheet."""
        return [(t, self.pkg.tree(t)) for t in self.pkg.rels(self.part, REL_TABLE).values()]

    def finish(self, styles: Styles, values: Values) -> None:
        rows = self.rewrite_rows(styles, values) if (self.edits or self.new_rows) else self.rows_bytes
        frame = etree.tostring(self.frame, xml_declaration=True, encoding="UTF-8", standalone=True)
        marker = re.search(rb"<" + re.escape(self.p) + rb"sheetData/>", frame)
        if marker is None:
            marker = re.search(rb"<(?:[\w.-]+:)?sheetData/>", frame)
        if marker is None:
            raise Unsupported("lost sheetData")
        tag = frame[marker.start() + 1: marker.end() - 2]
        self.pkg.put(self.part, frame[: marker.start()] + b"<" + tag + b">" + rows + b"</" + tag + b">"
                     + frame[marker.end():])


_VML_HEAD = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
             b'data="1"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
             b'o:connecttype="rect"/></v:shapetype>')
_VML_SHAPE = ('<v:shape xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
              'xmlns:x="urn:schemas-microsoft-com:office:excel" id="_x0000_s{id}" type="#_x0000_t202" '
              'style="position:absolute; margin-left:59.25pt;margin-top:1.5pt;width:260px;height:70px;z-index:1;'
              'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
              '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox '
              'style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData '
              'ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
              '<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>')


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
    pkg.put(part, data)
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(pkg.workbook_part, REL_WORKSHEET, part)
    sheets = pkg.workbook.find(_q("sheets"))
    ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
    sheet = etree.SubElement(sheets, _q("sheet"), name=name, sheetId=str(max(ids + [0]) + 1), nsmap={"r": REL})
    sheet.set(_q("id", REL), rid)
    pkg.sheet_parts[name] = part
    return part


def _add_dashboard_chart(pkg: Package, sheet: Sheet) -> None:
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.xml.functions import tostring

    from .dashboard import pipeline_chart

    chart_part = pkg.new_name("xl/charts/chart{n}.xml")
    drawing_part = pkg.new_name("xl/drawings/drawing{n}.xml")
    chart, anchor = pipeline_chart(sheet_title=_sheet_name(pkg, sheet.part))
    chart._id = int(re.search(r"(\d+)\.xml$", chart_part).group(1))
    chart.anchor = anchor
    drawing = SpreadsheetDrawing()
    drawing.charts.append(chart)
    pkg.put(drawing_part, tostring(drawing._write()))
    pkg.put(Package.rels_name(drawing_part), tostring(drawing._write_rels()))
    pkg.put(chart_part, tostring(chart._write()))
    pkg.add_override(drawing_part, CT_DRAWING)
    pkg.add_override(chart_part, CT_CHART)
    rid = pkg.add_rel(sheet.part, REL_DRAWING, drawing_part)
    sheet.child("drawing", create=True).set(_q("id", REL), rid)


def _sheet_name(pkg: Package, part: str) -> str:
    return next(n for n, p in pkg.sheet_parts.items() if p == part)


# --------------------------------------------------------------------------- a sync's plan


def write_plan(source: Path, out: Path, plan, chart) -> None:
    """Write ``source`` with ``plan`` (a ``sync.SyncPlan``) applied to ``out``.

    Raises ``Unsupported`` (before writing anything) for a package it cannot edit.
    """
    from . import dashboard, layout

    pkg = Package(source)
    try:
        styles = Styles(pkg)
        values = Values(pkg.date1904)
        sheets: dict[str, Sheet] = {}

        def sheet(name: str) -> Sheet:
            if name not in sheets:
                part = pkg.sheet_parts.get(name)
                if part is None or not pkg.has(part):
                    raise Unsupported(f"no part for sheet {name!r}")
                sheets[name] = Sheet(pkg, part)
            return sheets[name]

        notes: dict[str, list] = {}
        links: dict[str, dict[str, str | None]] = {}
        for col in plan.new_columns:
            s = sheet(col.sheet)
            s.header_styles[(col.header_row, col.column)] = styles.header(col.spec.owner)
            s.edits.setdefault(col.header_row, {})[col.column] = CellEdit(col.spec.header, False)
            fmt = styles.column(col.spec.number_format) if col.spec.number_format else None
            s.set_column(col.column, col.spec.width, fmt)
            text = layout.TOOL_NOTE if col.spec.owner == schema.TOOL else col.spec.hint
            if text:
                notes.setdefault(col.sheet, []).append((col.header_row, col.column, text))
        for w in plan.writes:
            sheet(w.sheet).edits.setdefault(w.row, {})[w.column] = CellEdit(w.value, w.link)
            if w.link:
                links.setdefault(w.sheet, {})[f"{column_letter(w.column)}{w.row}"] = w.value or None
        contacts = sheet(chart.contacts.sheet)
        if plan.new_rows and chart.contacts.rows:
            contacts.template_row = chart.contacts.rows[-1].number
            contacts.new_rows = [n.number for n in plan.new_rows]
        for name, s in sheets.items():
            s.hyperlinks(links.get(name, {}))
            s.notes(notes.get(name, []))
            if s.edits:
                s.set_dimension(max(max(cols) for cols in s.edits.values()), max(s.edits))
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
            s.rows_bytes = b""
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
            s.rows_bytes = b""
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
                s.edits.setdefault(r, {})[c] = CellEdit(value, False)
                width = max(width, c)
    dim = s.child("dimension")
    if dim is not None:
        dim.set("ref", _range_ref(1, 1, width, max(len(rows), 1)))


def _extend_ranges(pkg: Package, s: Sheet, table, plan) -> None:
    """Grow an Excel table or the filter over the table to take new rows (and the filter, new columns).

    As ``sync._extend_ranges`` does for openpyxl; the workbook's hidden
    _FilterDatabase name, which Excel keeps equal to the filter, follows it.
    """
    last = max([n.number for n in plan.new_rows if table.shape is schema.CONTACTS] + [table.last_row])
    added = [c.column for c in plan.new_columns if c.sheet == table.sheet]
    for _part, root in s.tables():
        c1, r1, c2, r2 = _range(root.get("ref"))
        if r1 == table.header_row and r2 < last:
            root.set("ref", _range_ref(c1, r1, c2, last))
            af = root.find(_q("autoFilter"))
            if af is not None:
                af.set("ref", root.get("ref"))
    af = s.child("autoFilter")
    if af is not None and af.get("ref"):
        c1, r1, c2, r2 = _range(af.get("ref"))
        if r1 == table.header_row:
            right = max([c2] + [c for c in added if c == c2 + 1 + added.index(c)])
            ref = _range_ref(c1, r1, right, max(r2, last))
            af.set("ref", ref)
            names = pkg.workbook.find(_q("definedNames"))
            sheets = [x.get("name") for x in pkg.workbook.find(_q("sheets"))]
            index = str(sheets.index(table.sheet))
            for dn in names if names is not None else ():
                if dn.get("name") == "_xlnm._FilterDatabase" and dn.get("localSheetId") == index:
                    quoted = "'" + table.sheet.replace("'", "''") + "'"
                    a, b = ref.split(":")
                    dn.text = f"{quoted}!${re.match('[A-Z]+', a).group()}${a.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}" \
                              f":${re.match('[A-Z]+', b).group()}${b.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
