"""Write a sync's changes straight into the .xlsx package; every other byte is copied.

The one writer of a person's workbook. Here the rows a plan touches are rewritten
one ``<row>`` at a time, as bytes, while the new sheet streams into the zip; the
few small parts that must change (styles, notes, relationships, the workbook's
sheet list) are edited with lxml, each piece of them the edit leaves alone keeping
its bytes. Every other part, and every other row, goes into the new file exactly as
it was: macros, sparklines, shapes, cached formula results and whatever else a
program put there stay. (openpyxl, which turns every cell into an object and
writes them all back, dropping what it does not model, writes only new charts.)

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

import contextlib
import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from . import schema, sheetxml
from .objects import bounds
from .sheetxml import Unsupported
from .workbook import column_letter

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
REL_STYLES = REL + "/styles"
REL_SHARED_STRINGS = REL + "/sharedStrings"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
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

# Strict Open XML (ISO/IEC 29500 Strict) names the same elements and relationships in its own
# namespaces; the package and content-type parts (OPC) and Microsoft's extensions are the same in both.
_STRICT = "http://purl.oclc.org/ooxml/"
STRICT_MAIN = _STRICT + "spreadsheetml/main"
_STRICT_NAMESPACES = {
    MAIN: STRICT_MAIN,
    REL: _STRICT + "officeDocument/relationships",
    **{f"http://schemas.openxmlformats.org/drawingml/2006/{name}": f"{_STRICT}drawingml/{name}"
       for name in ("main", "chart", "chartDrawing", "spreadsheetDrawing", "picture", "diagram", "lockedCanvas")},
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        _STRICT + "officeDocument/extendedProperties",
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties":
        _STRICT + "officeDocument/customProperties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": _STRICT + "officeDocument/docPropsVTypes",
}
# Relationship types are the relationships namespace plus a name, save two names Strict spells anew.
_STRICT_REL_NAMES = {"extended-properties": "extendedProperties", "custom-properties": "customProperties"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def _q(name: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{name}"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse(data: bytes):
    if b"<!DOCTYPE" in data[:4096]:
        raise Unsupported("a part declares a DTD")
    return etree.fromstring(data, _PARSER)


def _xml(root) -> bytes:
    # The document, not only the root: comments and instructions around it are the part's too.
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)


class Dialect:
    """How one package spells namespaces and relationship types: as this module does, or as Strict does.

    ``inward`` turns a parsed part (or a relationship type) into the names used
    here; ``outward`` turns it back before it is written.
    """

    def __init__(self, outward: dict[str, str], rel_names: dict[str, str]):
        self.strict = bool(outward)
        self._out, self._out_rel = outward, rel_names
        self._in = {v: k for k, v in outward.items()}
        self._in_rel = {v: k for k, v in rel_names.items()}

    def inward(self, root):
        """A parsed part in the names this module uses (the same tree for a transitional package)."""
        return _renamed(root, self._in) if self.strict else root

    def outward(self, root):
        """A tree in this module's names as the package spells it, for writing."""
        return _renamed(root, self._out) if self.strict else root

    def outward_bytes(self, data: bytes) -> bytes:
        """A part made here (a new sheet, the Dashboard's chart) as this package writes it."""
        return _xml(self.outward(_parse(data))) if self.strict else data

    def inward_type(self, type_: str) -> str:
        """A relationship type as this module names it."""
        return _rel_type(type_, self._in, self._in_rel) if self.strict else type_

    def outward_type(self, type_: str) -> str:
        """A relationship type as the package spells it."""
        return _rel_type(type_, self._out, self._out_rel) if self.strict else type_


TRANSITIONAL = Dialect({}, {})
STRICT = Dialect(_STRICT_NAMESPACES, _STRICT_REL_NAMES)


def _rel_type(type_: str, namespaces: dict[str, str], renamed: dict[str, str]) -> str:
    base, _, name = type_.rpartition("/")
    if base in namespaces:
        return f"{namespaces[base]}/{renamed.get(name, name)}"
    return type_


def _renamed(root, namespaces: dict[str, str], single: str | None = None):
    """A copy of ``root`` with each namespace in ``namespaces`` replaced; prefixes and all else kept.

    lxml cannot change a namespace declaration in place, so the tree is rebuilt,
    each element declaring what it declared before (iteratively: a part may nest deep).
    With ``single``, that namespace is declared once, on the root, under the root's
    prefix, and every element of it is written so.
    """
    import copy

    def name(qname: str) -> str:
        if qname[:1] != "{":
            return qname
        ns, _, local = qname[1:].partition("}")
        return f"{{{namespaces.get(ns, ns)}}}{local}"

    def element(old, parent, inherited: dict):
        nsmap = {p: namespaces.get(u, u) for p, u in old.nsmap.items() if inherited.get(p) != u
                 and (u != single or (parent is None and p == old.prefix))}
        new = etree.Element(name(old.tag), nsmap=nsmap) if parent is None else \
            etree.SubElement(parent, name(old.tag), nsmap=nsmap)
        for key, value in old.attrib.items():
            # A value that is a namespace names one too (a chart's graphicData uri="…/chart").
            new.set(name(key), namespaces.get(value, value))
        new.text = old.text
        return new

    new_root = element(root, None, {})
    stack = [(root, new_root)]
    while stack:
        old, new = stack.pop()
        for child in old:
            if isinstance(child.tag, str):
                twin = element(child, new, old.nsmap)
                stack.append((child, twin))
            else:  # a comment or processing instruction: no names in it
                twin = copy.copy(child)
                new.append(twin)
            twin.tail = child.tail
    # And the comments and instructions around the root, in their order.
    for sibling in reversed(list(root.itersiblings(preceding=True))):
        new_root.addprevious(copy.copy(sibling))
    for sibling in reversed(list(root.itersiblings())):
        new_root.addnext(copy.copy(sibling))
    return new_root


def _normalized(data: bytes, main: str) -> bytes:
    """A sheet as the same XML in UTF-8, its main namespace declared once, on the root, under the root's prefix."""
    return _xml(_renamed(_parse(data), {}, single=main))


# Children of a worksheet a sync rewrites: not worth comparing with what they were.
_SHEET_EDITED = frozenset({"dimension", "cols", "sheetData", "autoFilter", "hyperlinks", "legacyDrawing", "drawing"})


def _keep_bytes(old: bytes, new: bytes, skip=frozenset()) -> bytes:
    """``new`` with each child of the root that equals its twin in ``old`` written as in ``old``.

    lxml writes an element's namespace declarations before its attributes; Excel writes
    ``<ext uri="…" xmlns:x14="…">`` the other way round. Equal as XML, but every sync would
    change the bytes of the x14 extensions (sparklines, data bars, validations) it never
    touched. Children pair up by name and rank; one the sync changed keeps lxml's bytes.
    The root's own tag and what stands around it (the XML declaration, comments) keep
    theirs too when the root's name, attributes and namespaces are the same.
    """
    if not old.lstrip().startswith(b"<") or sheetxml.NOT_UTF8.match(old):
        return new  # byte offsets in another encoding cannot be spliced into UTF-8
    old_root, new_root = _parse(old), _parse(new)  # (_parse refuses a DTD before expat sees it)
    old_els = [el for el in old_root if isinstance(el.tag, str)]
    new_els = [el for el in new_root if isinstance(el.tag, str)]
    try:
        (old_at, old_end, old_spans), (new_at, new_end, new_spans) = _child_spans(old), _child_spans(new)
    except Exception:  # not for expat after all: nothing kept, nothing lost
        return new
    if len(old_els) != len(old_spans) or len(new_els) != len(new_spans):
        return new

    def ranked(spans, elements):
        seen: dict[str, int] = {}
        for (name, start, end), el in zip(spans, elements):
            seen[name] = seen.get(name, -1) + 1
            yield (name, seen[name]), start, end, el

    kept = []  # (start, end in new, the bytes of old that take their place)
    outside = _same_outside(old_root, new_root)
    if outside:
        old_tag, new_tag = sheetxml.TAG.match(old, old_at), sheetxml.TAG.match(new, new_at)
        if old_tag is None or new_tag is None or old_tag.group(4) or new_tag.group(4):
            outside = False
        else:
            kept.append((0, new_tag.end(), old[: old_tag.end()]))
    before = {key: (start, end, el) for key, start, end, el in ranked(old_spans, old_els)}
    for key, start, end, el in ranked(new_spans, new_els):
        twin = before.get(key)
        if twin is None or key[0] in skip:
            continue
        raw = old[twin[0]: twin[1]]
        if raw == new[start:end]:
            continue
        mine = _canonical(el)
        if mine is not None and mine == _canonical(twin[2]):
            kept.append((start, end, raw))
    if outside:
        kept.append((new_end, len(new), old[old_end:]))
    if not kept:
        return new
    out, last = [], 0
    for start, end, raw in kept:
        out += [new[last:start], raw]
        last = end
    return b"".join(out) + new[last:]


def _same_outside(old, new) -> bool:
    """Whether two roots have the same name, attributes and namespaces, and the same comments around them."""
    def around(root):
        return [etree.tostring(s, with_tail=False) for s in (*root.itersiblings(preceding=True), *root.itersiblings())]

    return (old.tag == new.tag and dict(old.attrib) == dict(new.attrib) and old.nsmap == new.nsmap
            and around(old) == around(new))


def _canonical(el) -> bytes | None:
    try:
        return etree.tostring(el, method="c14n", exclusive=True)
    except etree.C14NError:  # a relative namespace URI, say: never called equal
        return None


def _child_spans(data: bytes) -> tuple[int, int, list[tuple[str, int, int]]]:
    """Where the root starts and its end tag starts, and (local name, start, end) of each element child of it,
    as byte offsets in ``data``.

    expat, unlike lxml, tells where in the bytes each event is; a child ends where the
    next thing at the root's level (text, a sibling, the root's end tag) begins.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    spans: list[list] = []
    depth = 0
    root = [0, 0]

    def close() -> None:
        if spans and spans[-1][2] is None:
            spans[-1][2] = parser.CurrentByteIndex

    def start(name, attrs) -> None:
        nonlocal depth
        if depth == 0:
            root[0] = parser.CurrentByteIndex
        elif depth == 1:
            close()
            spans.append([name.rpartition(":")[2], parser.CurrentByteIndex, None])
        depth += 1

    def end(name) -> None:
        nonlocal depth
        depth -= 1
        if depth == 0:
            close()
            root[1] = parser.CurrentByteIndex

    def other(*_) -> None:
        if depth == 1:
            close()

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = parser.CommentHandler = parser.ProcessingInstructionHandler = other
    parser.Parse(data, True)
    return root[0], root[1], [tuple(span) for span in spans]


def _insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    rank = order.index(_local(child.tag))
    for i, existing in enumerate(parent):
        name = _local(existing.tag)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def _range(ref: str) -> tuple[int, int, int, int]:
    """'A1:Q14' → (min_col, min_row, max_col, max_row)."""
    try:
        return bounds(ref)
    except ValueError:
        raise Unsupported(f"a cell range {ref!r} that is not one") from None


def _range_ref(c1: int, r1: int, c2: int, r2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"


# --------------------------------------------------------------------------- the package


class Package:
    """The .xlsx zip as parts: read what is needed, replace what changes, copy the rest."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.names = {info.filename for info in self.zip.infolist()}
        self.changed: dict[str, object] = {}
        self._parsed: dict[str, object] = {}
        self._rels: dict[str, Rels] = {}
        self.removed: set[str] = set()
        # Cells that referred to the shared strings and were rewritten (inline) or dropped: the table's count of
        # references, which Excel checks, goes down by as many.
        self.shared_refs_dropped = 0
        self.dialect = TRANSITIONAL
        types = self.tree("[Content_Types].xml")
        if types.tag != _q("Types", CT):
            raise Unsupported("its list of content types is not one")
        wb_part = self._office_document()
        self.workbook_part = wb_part
        workbook = _parse(self.read(wb_part))
        if workbook.tag == _q("workbook", STRICT_MAIN):
            self.dialect = STRICT
            self._rels.clear()  # the package's relationships were read before it was known to be Strict
        self.workbook = self._parsed[wb_part] = self.dialect.inward(workbook)
        if self.workbook.tag != _q("workbook"):
            raise Unsupported("its workbook part is not a SpreadsheetML workbook")
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
        for rel in self.rels_of("").items:
            if rel["Type"].endswith("/officeDocument"):
                return self.resolve("", rel["Target"])
        raise Unsupported("no workbook part")

    def read(self, name: str) -> bytes:
        if name in self.changed:
            data = self.changed[name]
            return data if isinstance(data, bytes) else b"".join(data())
        if name not in self.names:
            raise KeyError(name)
        return self.zip.read(name)

    def tree(self, name: str):
        """A part parsed once; edits to it are written back by ``save``."""
        if name not in self._parsed:
            self._parsed[name] = self.dialect.inward(_parse(self.read(name)))
        return self._parsed[name]

    def has(self, name: str) -> bool:
        return name in self.names or name in self.changed

    def put(self, name: str, data) -> None:
        """Replace part ``name`` with ``data``: bytes, or a function giving the bytes piece by piece.

        A function runs while the new file is written, so a large sheet is never
        held whole in memory; what it adds to the styles is still written, as the
        styles part goes last.
        """
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

    def rels_of(self, part: str) -> "Rels":
        """The relationships of ``part`` (empty when it has none), edited in place."""
        name = self.rels_name(part)
        if name not in self._rels:
            self._rels[name] = Rels(self.read(name) if self.has(name) else None, self.dialect)
        return self._rels[name]

    def rels(self, part: str, type_: str | None = None) -> dict[str, str]:
        """Relationship id → target part name (internal targets resolved against ``part``)."""
        out = {}
        for rel in self.rels_of(part).items:
            if type_ is not None and rel["Type"] != type_:
                continue
            if rel.get("TargetMode") == "External":
                out[rel["Id"]] = rel["Target"]
            else:
                out[rel["Id"]] = self.resolve(part, rel["Target"])
        return out

    @staticmethod
    def resolve(part: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def add_rel(self, part: str, type_: str, target: str, external: bool = False) -> str:
        if external:
            return self.rels_of(part).add(type_, target, "External")
        return self.rels_of(part).add(type_, "/" + target)

    def remove_part(self, part: str, owner: str) -> None:
        """Leave ``part`` out of the new file, with its relationship from ``owner`` and its content type."""
        rels = self.rels_of(owner)
        rels.remove({r["Id"] for r in rels.items if self.resolve(owner, r["Target"]) == part}, None)
        types = self.tree("[Content_Types].xml")
        for override in types.findall(_q("Override", CT)):
            if override.get("PartName", "").lstrip("/") == part:
                types.remove(override)
        self.removed.add(part)

    def add_override(self, part: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        etree.SubElement(types, _q("Override", CT), PartName="/" + part, ContentType=content_type)

    def ensure_default(self, extension: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        if not any(d.get("Extension", "").lower() == extension for d in types.iter(_q("Default", CT))):
            types.insert(0, etree.Element(_q("Default", CT), Extension=extension, ContentType=content_type))

    def save(self, out: Path) -> None:
        styles = [n for n, root in self._parsed.items() if _local(root.tag) == "styleSheet"]
        for name, rels in self._rels.items():
            if rels.changed:
                self.changed[name] = rels.pieces
        shared = next(iter(self.rels(self.workbook_part, REL_SHARED_STRINGS).values()), None)
        last = styles + ([shared] if shared is not None and shared in self.names and shared not in styles else [])
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            written = set(last)
            kept: dict[str, zipfile.ZipInfo] = {}  # the parts written last that the package had
            for info in self.zip.infolist():
                if info.filename in self.removed:
                    continue
                if info.filename in written:
                    if info.filename in last:
                        kept.setdefault(info.filename, info)
                    continue
                written.add(info.filename)
                _write_part(zout, _zipinfo(info.filename, info.date_time), self._data(info.filename, info))
            for name in list(self.changed) + [n for n in self._parsed if n not in self.changed]:
                if name not in written:
                    written.add(name)
                    _write_part(zout, _zipinfo(name, _NEW_PART_TIME), self._data(name, None))
            # The styles and shared strings last: writing the sheets above may have added formats and
            # dropped references to strings.
            for name in last:
                info = kept.get(name)
                data = self._data(name, info)
                if name == shared and self.shared_refs_dropped:
                    data = _recounted(data if isinstance(data, bytes) else b"".join(data()), self.shared_refs_dropped)
                _write_part(zout, _zipinfo(name, info.date_time if info else _NEW_PART_TIME), data)

    def _data(self, name: str, info):
        if name in self._parsed:
            root = self._parsed[name]
            if info is None:
                return _xml(self.dialect.outward(root))
            # A part only looked at is copied as it was, not re-serialized; of an edited one, what
            # was not edited keeps its bytes.
            old = self.zip.read(info)
            if _xml(root) == _xml(self.dialect.inward(_parse(old))):
                return old
            return _keep_bytes(old, _xml(self.dialect.outward(root)))
        if name in self.changed:
            return self.changed[name]
        return self.zip.read(info)


def _recounted(data: bytes, dropped: int) -> bytes:
    """A shared-strings part with its count of references lowered by ``dropped``; every other byte as it was."""
    tag = sheetxml.root_tag(data)
    count = sheetxml.attribute(tag.group(3), b"count") if tag is not None else None
    if count is None or not count.strip().isdigit():
        return data  # none given (it is optional), or none to trust
    new = sheetxml.with_attribute(tag.group(0), b"count", b"%d" % max(int(count) - dropped, 0))
    return data[: tag.start()] + new + data[tag.end():]


_NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # a zip's earliest: new parts carry no date of their own


def _write_part(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data) -> None:
    if isinstance(data, bytes):
        zout.writestr(info, data)
        return
    with zout.open(info, "w", force_zip64=True) as fh:
        for piece in data():
            fh.write(piece)


def _zipinfo(name: str, date_time) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class Rels:
    """A relationships part as a list of attribute dicts; written out piece by piece.

    A sync adds a hyperlink relationship per Draft cell, each holding a whole
    mailto: link: kept as the plan's own strings, not copied into a tree.
    """

    def __init__(self, data: bytes | None, dialect: Dialect = TRANSITIONAL):
        self.items: list[dict] = []
        self.changed = False
        self.dialect = dialect
        if data is not None:
            root = _parse(data)
            if root.tag != _q("Relationships", PKG_REL):
                raise Unsupported("a relationships part that is not one")
            self.items = [dict(rel.attrib) for rel in root]
            for rel in self.items:
                if "Type" in rel:
                    rel["Type"] = dialect.inward_type(rel["Type"])

    def add(self, type_: str, target: str, mode: str | None = None) -> str:
        return self.add_many(type_, [target], mode)[0]

    def add_many(self, type_: str, targets: list[str], mode: str | None = None) -> list[str]:
        """New relationships to ``targets`` (``mode`` "External" for URLs), and their ids."""
        taken = {rel["Id"] for rel in self.items}
        ids, n = [], 0
        for target in targets:
            n += 1
            while f"rId{n}" in taken:
                n += 1
            ids.append(f"rId{n}")
            rel = {"Id": f"rId{n}", "Type": type_, "Target": target}
            if mode:
                rel["TargetMode"] = mode
            self.items.append(rel)
        self.changed = True
        return ids

    def remove(self, ids: set[str], type_: str | None) -> None:
        kept = [rel for rel in self.items if not (rel["Id"] in ids and type_ in (None, rel["Type"]))]
        if len(kept) != len(self.items):
            self.items = kept
            self.changed = True

    def pieces(self):
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
               ).encode()
        for rel in self.items:
            if "Type" in rel:
                rel = {**rel, "Type": self.dialect.outward_type(rel["Type"])}
            attrs = "".join(f' {k}="{_attr(v)}"' for k, v in rel.items() if "}" not in k)
            yield f"<Relationship{attrs}/>".encode()
        yield b"</Relationships>"


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


# --------------------------------------------------------------------------- styles


class Styles:
    """The cell formats a sync needs, found or added in xl/styles.xml."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        name = next(iter(pkg.rels(pkg.workbook_part, REL_STYLES).values()), None)
        if name is None or not pkg.has(name):
            # Some programs write no styles at all (every cell in the default format): the tool's need a part.
            # (Under the usual name where it is free: openpyxl reads no other.)
            name = "xl/styles.xml" if not pkg.has("xl/styles.xml") else pkg.new_name("xl/styles{n}.xml")
            pkg.put(name, pkg.dialect.outward_bytes(_NO_STYLES))
            pkg.add_override(name, CT_STYLES)
            pkg.add_rel(pkg.workbook_part, REL_STYLES, name)
        self.root = pkg.tree(name)
        self.xfs = self._section("cellXfs")
        if not len(self.xfs):  # index 0 is every unstyled cell's format
            etree.SubElement(self.xfs, _q("xf"), numFmtId="0", fontId=str(self._font()), fillId="0", borderId="0")
            self.xfs.set("count", "1")
        self._memo: dict[tuple, int] = {}

    def _section(self, name: str):
        el = self.root.find(_q(name))
        if el is None:
            el = etree.Element(_q(name))
            _insert_in_order(self.root, el, _STYLE_ORDER)
        return el

    def _append(self, section: str, element) -> int:
        """The index of an entry equal to ``element`` in ``section``, appending it if there is none.

        Equal means the same names, attributes and children whatever the namespace
        prefixes, so the formats a sync adds are added once, not once per sync.
        """
        parent = self._section(section)
        want = _shape(element)
        for i, existing in enumerate(parent):
            if _shape(existing) == want:
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
        from . import layout

        etree.SubElement(font, _q("name"), val=layout.FONT)
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
        key = ("header", owner)
        if key not in self._memo:
            self._memo[key] = self._new_xf(*self._header_look(owner),
                                           alignment={"vertical": "center", "wrapText": "1"})
        return self._memo[key]

    def dashboard_header(self) -> int:
        if "dash" not in self._memo:
            self._memo["dash"] = self._new_xf(*self._header_look(schema.TOOL))
        return self._memo["dash"]

    def _header_look(self, owner: str) -> tuple[int, int]:
        """The font and fill of ``layout.HEADER_STYLES[owner]``, added to the styles part."""
        from . import layout

        style = layout.HEADER_STYLES[owner]
        return (self._font(bold=style.bold, italic=style.italic, color=style.color, size=layout.FONT_SIZE),
                self._fill(style.fill))

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


# The styles part of a workbook written without one: the default font, the two fills Excel requires, no border.
_NO_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}"><fonts count="1">'
              '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill>'
              '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
              ).encode()


def _shape(element) -> tuple:
    return (element.tag, tuple(sorted(element.attrib.items())), tuple(_shape(child) for child in element))


# --------------------------------------------------------------------------- cell values


class Values:
    """How a Python value is stored in a ``<c>``: the same types openpyxl writes for a sync."""

    def __init__(self, date1904: bool, iso_dates: bool = False):
        from .sync import stored_text

        self.epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        self.stored_text = stored_text
        # Strict SpreadsheetML keeps a date as an ISO 8601 text (t="d"), not a serial number; Excel
        # writes its Strict files so.
        self.iso_dates = iso_dates

    def serial(self, value: dt.date) -> str:
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        delta = value.replace(tzinfo=None) - self.epoch
        days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        return str(int(days)) if days == int(days) else repr(days)

    def cell(self, p: str, ref: str, style: str | None, value) -> str:
        """The ``<c>`` for ``value`` at ``ref``; None: an empty cell that keeps its format (or nothing)."""
        s = f' s="{style}"' if style and style != "0" else ""
        if value is None:
            return f'<{p}c r="{ref}"{s}/>' if s else ""
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, str):
            text = _escape(self.stored_text(value))
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'
        if isinstance(value, dt.date):
            if self.iso_dates:
                return f'<{p}c r="{ref}"{s} t="d"><{p}v>{_iso(value)}</{p}v></{p}c>'
            return f'<{p}c r="{ref}"{s}><{p}v>{self.serial(value)}</{p}v></{p}c>'
        if isinstance(value, int):
            return f'<{p}c r="{ref}"{s}><{p}v>{value}</{p}v></{p}c>'
        if isinstance(value, float):
            return f'<{p}c r="{ref}"{s}><{p}v>{value!r}</{p}v></{p}c>'
        raise TypeError(f"a cell value of type {type(value).__name__}")


def _iso(value: dt.date) -> str:
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    # Strict's dates are local times with at most three digits of a second.
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds" if value.microsecond else "seconds")


def _escape(text: str) -> str:
    # A bare CR would read back as LF (XML normalizes line ends), so it is written as a reference.
    # (str.replace, not str.translate: many times faster on the long mailto: links.)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


# --------------------------------------------------------------------------- one worksheet


class CellEdit:
    """A value to write at (row, column); ``sync.CellWrite`` has the same fields and is used as is."""

    __slots__ = ("row", "column", "value", "link")

    def __init__(self, row: int, column: int, value, link: bool = False):
        self.row, self.column, self.value, self.link = row, column, value, link


class Sheet:
    """One worksheet part: the rows to rewrite and the parts around the cells to edit."""

    def __init__(self, pkg: Package, name: str, part: str):
        self.pkg, self.name, self.part = pkg, name, part
        main = (STRICT_MAIN if pkg.dialect.strict else MAIN).encode()
        data = pkg.read(part)
        with self._where():
            found = sheetxml.locate(data, main)
            if found is None:
                # Namespaces (or an encoding) a reading of the bytes cannot follow: the same XML, as lxml
                # writes it in UTF-8 with the main namespace declared once, is read instead.
                data = _normalized(data, main.decode())
                found = sheetxml.locate(data, main)
                if found is None:
                    raise Unsupported("namespaces declared anew among the cells")
        # The whole part, kept: the cells are most of it, and most rows are copied from it as they are.
        self.data, self.p, self.cells = data, found.prefix, found.cells
        if found.data_open is None:
            # No cell data at all (a sheet made elsewhere): an empty one goes where the schema puts it.
            self.raw_frame, self._open, self._close = data, None, None
        else:
            (o1, o2), closed = found.data_open, found.data_close
            tag = data[o1:o2]
            if closed is None:
                empty, self._open = tag, tag[:-2].rstrip() + b">"
                self._close, rest = b"</" + self.p + b"sheetData>", data[o2:]
            else:
                empty, self._open = tag[:-1].rstrip() + b"/>", tag
                self._close, rest = data[closed[0]: closed[1]], data[closed[1]:]
            # The worksheet without its cells: small, parsed whole for the edits around them.
            self.raw_frame = data[:o1] + empty + rest
        with self._where():
            self.frame = pkg.dialect.inward(_parse(self.raw_frame))
        if found.data_open is None:
            self.child("sheetData", create=True)
        # The cells to write, as the plan's own objects: a dict per row would cost more than the plan.
        self.edits: list = []
        self.new_rows: list[int] = []
        self.template_row: int | None = None
        self.header_styles: dict[tuple[int, int], int] = {}  # (row, col) → style for new headers

    @contextlib.contextmanager
    def _where(self):
        """What cannot be edited here is said to be in this sheet."""
        try:
            yield
        except Unsupported as exc:
            if exc.sheet is not None:
                raise
            raise Unsupported(exc.what, sheet=self.name) from None

    def clear_rows(self) -> None:
        """Start from no rows at all (a sheet the tool rebuilds)."""
        with self._where():
            self.pkg.shared_refs_dropped += sheetxml.shared_string_cells(self.data, *self.cells, self.p)
        self.cells = (self.cells[0], self.cells[0])

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

    def rewrite_rows(self, styles: Styles, values: Values):
        """The new cell data, piece by piece: untouched rows as they were, edited and new rows rewritten."""
        with self._where():
            yield from self._rewrite_rows(styles, values)

    def _rewrite_rows(self, styles: Styles, values: Values):
        import itertools
        from operator import attrgetter

        data, (first, end) = self.data, self.cells
        view = memoryview(data)  # slices of it are copied into the zip without a copy in memory
        # By row, then column; of two writes to one cell the later wins (the sort is stable).
        groups = itertools.groupby(sorted(self.edits, key=attrgetter("row", "column")), key=attrgetter("row"))
        pending = next(groups, None)
        new_rows = set(self.new_rows)
        template: dict[int, str] | None = None
        last = first
        last_number = 0
        for start, stop, number in sheetxml.rows(data, first, end, self.p):
            if number <= last_number:
                # Excel "repairs" such a sheet; where a new row would go is anyone's guess.
                raise Unsupported(f"its rows are stored out of order, row {number} after row {last_number}")
            last_number = number
            if number == self.template_row:
                template = {cell[0]: cell[1] for cell in sheetxml.row_cells(data[start:stop], self.p).cells
                            if cell[1] not in (None, "0")}
            # Rows the sheet lacks and that come before this one are inserted here.
            while pending is not None and pending[0] < number:
                yield view[last:start]
                last = start
                missing, group = pending
                yield self._row(None, missing, {w.column: w for w in group},
                                template if missing in new_rows else None, styles, values)
                pending = next(groups, None)
            if pending is None or pending[0] != number:
                continue
            yield view[last:start]
            yield self._row(data[start:stop], number, {w.column: w for w in pending[1]},
                            template if number in new_rows else None, styles, values)
            pending = next(groups, None)
            last = stop
        yield view[last:end]
        while pending is not None:
            number, group = pending
            yield self._row(None, number, {w.column: w for w in group}, template if number in new_rows else None,
                            styles, values)
            pending = next(groups, None)

    def _row(self, row: bytes | None, number: int, edit: dict, template, styles: Styles, values: Values) -> bytes:
        """Row ``number`` with the cells in ``edit`` rewritten (``row`` None: a new row)."""
        p = self.p
        if row is None:
            name, attrs, cells, tail, numbered = p + b"row", b"", [], b"", False
        else:
            parsed = sheetxml.row_cells(row, p)
            name, cells, tail, numbered = parsed.name, parsed.cells, parsed.tail, parsed.numbered
            attrs = parsed.attrs
            if b"spans" in attrs:
                attrs = sheetxml.without_attribute(attrs, b"spans")  # a hint that new cells would make wrong
        # A row rewritten names its number, and each of its cells its place: a cell written before, or
        # left out ahead of, one whose place is implied would move it.
        start = b"<" + name + attrs + b">"
        if not numbered:
            start = sheetxml.with_attribute(start, b"r", b"%d" % number)
        items = [[col, style, xml if named else sheetxml.with_attribute(
                  xml, b"r", f"{column_letter(col)}{number}".encode()), before]
                 for col, style, xml, before, named in cells]
        at = {item[0]: item for item in items}
        added: dict[int, str] = {}
        if template:
            # A new row looks like the row above it: same fonts, fills, borders, formats.
            for col, style in template.items():
                item = at.get(col)
                if item is None or item[1] in (None, "0"):
                    if col in edit:
                        continue  # the edit below takes the template's style
                    if item is not None:
                        item[1] = style
                        item[2] = sheetxml.with_attribute(item[2], b"s", style.encode())
                    else:
                        added[col] = f'<{p.decode()}c r="{column_letter(col)}{number}" s="{style}"/>'
        for col, change in edit.items():
            style = self.header_styles.get((number, col))
            item = at.get(col)
            if style is None:
                style = item[1] if item is not None else None
                if style in (None, "0") and template:
                    style = template.get(col, style)
                if change.link and change.value:
                    style = styles.hyperlink()
                elif isinstance(change.value, dt.date):
                    style = styles.with_number_format(int(style or 0), schema.DATE_FORMAT)
            xml = values.cell(p.decode(), f"{column_letter(col)}{number}", None if style is None else str(style),
                              change.value)
            if item is not None:
                if sheetxml.is_shared_string(item[2]):
                    self.pkg.shared_refs_dropped += 1  # its string stays in the table, one reference fewer
                item[2] = xml.encode()  # "" leaves the cell out; what stood before it stays
            elif xml:
                added[col] = xml
        pieces = [start]
        new = sorted(added.items())
        i = 0
        for col, _, xml, before in items:
            while i < len(new) and new[i][0] < col:
                pieces.append(new[i][1].encode())
                i += 1
            pieces += (before, xml)
        pieces += [x.encode() for _, x in new[i:]]
        pieces += (tail, b"</" + name + b">")
        return b"".join(pieces)

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
        rels = self.pkg.rels_of(self.part)
        box = self.child("hyperlinks")
        if box is not None:
            gone = set()
            for link in list(box):
                if link.get("ref") in links:
                    gone.add(link.get(_q("id", REL)))
                    box.remove(link)
            rels.remove(gone, REL_HYPERLINK)
        wanted = {ref: url for ref, url in links.items() if url}
        if not wanted:
            if box is not None and not len(box):
                self.frame.remove(box)
            return
        if box is None:
            box = self.child("hyperlinks", create=True)
        ids = rels.add_many(REL_HYPERLINK, list(wanted.values()), "External")
        for ref, rid in zip(wanted, ids):
            link = etree.SubElement(box, _q("hyperlink"), ref=ref, nsmap={"r": REL})
            link.set(_q("id", REL), rid)

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
        for rel in self.pkg.rels_of(self.part).items:
            if rel["Id"] == rid:
                return rel["Type"]
        return None

    def tables(self) -> list[tuple[str, object]]:
        """(part, root) of each Excel table on this sheet."""
        return [(t, self.pkg.tree(t)) for t in self.pkg.rels(self.part, REL_TABLE).values()]

    def finish(self, styles: Styles, values: Values) -> None:
        """Hand the part to the package; its rows are rewritten while the new file is written."""
        old, new = self.raw_frame, _xml(self.pkg.dialect.outward(self.frame))
        # An unchanged frame keeps every byte; a changed one, those of each piece the sync left alone.
        frame = old if new == _xml(_parse(old)) else _keep_bytes(old, new, _SHEET_EDITED)
        self.frame = self.raw_frame = None
        hit = sheetxml.TagFinder(frame, len(frame), (b"<" + self.p + b"sheetData",)).find(0)
        tag = sheetxml.TAG.match(frame, hit[0]) if hit is not None else None
        if tag is None or not tag.group(4):
            raise Unsupported("a sheet whose cell data went missing", sheet=self.name)
        opening = self._open or b"<" + tag.group(2) + tag.group(3) + b">"
        closing = self._close or b"</" + tag.group(2) + b">"
        rewrite = bool(self.edits or self.new_rows)

        def pieces():
            yield frame[: tag.start()]
            yield opening
            if rewrite:
                yield from self.rewrite_rows(styles, values)
            else:
                yield memoryview(self.data)[self.cells[0]: self.cells[1]]
            yield closing
            yield frame[tag.end():]

        self.pkg.put(self.part, pieces)


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
    pkg.put(part, pkg.dialect.outward_bytes(data))
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(pkg.workbook_part, REL_WORKSHEET, part)
    sheets = pkg.workbook.find(_q("sheets"))
    ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
    sheet = etree.SubElement(sheets, _q("sheet"), name=name, sheetId=str(max(ids + [0]) + 1), nsmap={"r": REL})
    sheet.set(_q("id", REL), rid)
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
    sheet.child("drawing", create=True).set(_q("id", REL), rid)


# --------------------------------------------------------------------------- a sync's plan


def write_plan(source: Path, out: Path, plan, chart) -> None:
    """Write ``source`` with ``plan`` (a ``sync.SyncPlan``) applied to ``out``.

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
            fmt = styles.column(col.spec.number_format) if col.spec.number_format else None
            s.set_column(col.column, col.spec.width, fmt)
            text = layout.TOOL_NOTE if col.spec.owner == schema.TOOL else col.spec.hint
            if text:
                notes.setdefault(col.sheet, []).append((col.header_row, col.column, text))
        for w in plan.writes:
            sheet(w.sheet).edits.append(w)
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
                s.set_dimension(max(w.column for w in s.edits), max(w.row for w in s.edits))
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
        dim.set("ref", _range_ref(1, 1, width, max(len(rows), 1)))


def _extend_ranges(pkg: Package, s: Sheet, table, plan) -> None:
    """Grow an Excel table or the filter over ``table`` (the rules: ``sync.grown_table``, ``sync.grown_filter``).

    The workbook's hidden _FilterDatabase name, which Excel keeps equal to the
    filter, follows it.
    """
    from .sync import grown_filter, grown_table

    for _part, root in s.tables():
        grown = grown_table(table, plan, _range(root.get("ref")))
        if grown is not None:
            root.set("ref", _range_ref(*grown))
            af = root.find(_q("autoFilter"))
            if af is not None:
                af.set("ref", root.get("ref"))
    af = s.child("autoFilter")
    if af is None or not af.get("ref"):
        return
    grown = grown_filter(table, plan, _range(af.get("ref")))
    if grown is None:
        return
    af.set("ref", _range_ref(*grown))
    names = pkg.workbook.find(_q("definedNames"))
    index = str([x.get("name") for x in pkg.workbook.find(_q("sheets"))].index(table.sheet))
    c1, r1, c2, r2 = grown
    quoted = "'" + table.sheet.replace("'", "''") + "'"
    for dn in names if names is not None else ():
        if dn.get("name") == "_xlnm._FilterDatabase" and dn.get("localSheetId") == index:
            dn.text = f"{quoted}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"
