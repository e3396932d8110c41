"""The XML of an .xlsx package, as the writer edits it: names, dialects, parsing, and keeping bytes.

Owns the namespaces and relationship and content types the writer uses, the
translation between Strict and transitional Open XML (``Dialect``), safe parsing
(no DTD, no entities, no network), the order of a worksheet's and a style sheet's
children, and ``keep_bytes``: a part the writer edited keeps the bytes of every
piece of it the edit left alone. Used by ``xlsxpackage``, ``xlsxstyles``,
``xlsxsheet`` and ``xlsxpatch``.
"""

from __future__ import annotations

from lxml import etree

from . import sheetxml
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
SHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                "extLst")
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
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


def qualified(name: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{name}"


def local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(data: bytes):
    if b"<!DOCTYPE" in data[:4096]:
        raise Unsupported("a part declares a DTD")
    return etree.fromstring(data, _PARSER)


def to_xml(root) -> bytes:
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
        return to_xml(self.outward(parse_xml(data))) if self.strict else data

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


def normalized(data: bytes, main: str) -> bytes:
    """A sheet as the same XML in UTF-8, its main namespace declared once, on the root, under the root's prefix."""
    return to_xml(_renamed(parse_xml(data), {}, single=main))


# Children of a worksheet a sync rewrites: not worth comparing with what they were.
SHEET_EDITED = frozenset({"dimension", "cols", "sheetData", "autoFilter", "hyperlinks", "legacyDrawing", "drawing"})


def keep_bytes(old: bytes, new: bytes, skip=frozenset()) -> bytes:
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
    old_root, new_root = parse_xml(old), parse_xml(new)  # (parse_xml refuses a DTD before expat sees it)
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


def insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    rank = order.index(local_name(child.tag))
    for i, existing in enumerate(parent):
        name = local_name(existing.tag)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """'A1:Q14' → (min_col, min_row, max_col, max_row)."""
    try:
        return bounds(ref)
    except ValueError:
        raise Unsupported(f"a cell range {ref!r} that is not one") from None


def range_ref(c1: int, r1: int, c2: int, r2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
