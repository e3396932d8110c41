"""A worksheet's XML as bytes: where its rows and cells are, whatever a producer wrote around them.

The patch writer (``xlsxpatch``) copies every row it does not change as the bytes
it read, and rewrites the rows it changes one at a time; it needs the place of each
``<row>`` and ``<c>`` without parsing the whole sheet (at 10,000 rows a parse costs
more than the rest of a sync). XML lets a producer write much that a quick search
for "<row" and "</row>" would stumble on, and real producers do: comments and
processing instructions anywhere (a "</row>" inside a comment ends no row), CDATA
sections in text, rows and cells without their ``r`` (ECMA-376: the row after the
row before, the column after the cell before), any namespace prefix, attributes in
single quotes or holding ">". Markup is read here as XML 1.0 defines it: a "<"
always starts markup, since neither text nor an attribute value may hold one.

What this module cannot follow raises ``Unsupported``; ``locate`` answers None for a
sheet whose namespaces a byte-level reading cannot follow (the main namespace under
two prefixes, a prefix declared anew among the cells) or that is not UTF-8, which
the writer first has lxml write anew as the same XML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .objects import column_index


class Unsupported(Exception):
    """The package has a shape the patch writer cannot edit: ``what`` in words, and the ``sheet`` when known."""

    def __init__(self, what: str, sheet: str | None = None):
        super().__init__(what)
        self.what, self.sheet = what, sheet


# A start, end or empty-element tag: (1) "/" for an end tag, (2) its name, (3) its attributes, (4) "/"
# when empty. An attribute value is quoted either way and holds no "<" (it may hold ">").
_ATTRS = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
TAG = re.compile(rb"<(/?)([^\s/>!?]+)(" + _ATTRS + rb")\s*(/?)>")
# Any markup: a comment, a CDATA section, a processing instruction, a document type, or a tag (groups as TAG's).
MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE|" + TAG.pattern, re.S)
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SPACED_ATTR = re.compile(rb"\s+" + _ATTR.pattern)  # with the space before it, to take out or put back whole
_DECLARATION = re.compile(rb"""\sxmlns(?::([^\s=]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# An XML declaration naming another encoding than UTF-8.
NOT_UTF8 = re.compile(rb"\s*<\?xml[^>]*encoding\s*=\s*[\"'](?!utf-?8[\"'])", re.I)
# Markup whose inside may look like tags, and how it ends.
_OPAQUE = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_NAME_ENDS = frozenset(b" \t\r\n/>")


def attribute(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute ``name`` in a tag's attributes (TAG's group 3) as written, or None."""
    for found, double, single in _ATTR.findall(attrs):
        if found == name:
            return double or single
    return None


def attributes(attrs: bytes, names: tuple[bytes, ...]) -> tuple:
    """``attribute(attrs, name)`` of each of ``names``, reading the attributes once."""
    found: dict[bytes, bytes] = {}
    for name, double, single in _ATTR.findall(attrs):
        found.setdefault(name, double or single)  # the first of two, as attribute() answers
    return tuple(found.get(name) for name in names)


def without_attribute(attrs: bytes, name: bytes) -> bytes:
    """A tag's attributes without ``name``."""
    return b"".join(m.group(0) for m in _SPACED_ATTR.finditer(attrs) if m.group(1) != name)


def with_attribute(element: bytes, name: bytes, value: bytes) -> bytes:
    """``element`` (bytes that start with its start tag) with attribute ``name`` set to ``value``.

    A value it had is replaced where it stands; a new one goes first, where Excel writes r and s.
    """
    m = TAG.match(element)
    if m is None or m.group(1):
        raise Unsupported("an element that does not start with its tag")
    attrs = m.group(3)
    found = None
    for a in _SPACED_ATTR.finditer(attrs):
        if a.group(1) == name:
            found = a
            break
    pair = b" " + name + b'="' + value + b'"'
    if found is None:
        attrs = pair + attrs
    else:
        attrs = attrs[: found.start()] + pair + attrs[found.end():]
    return element[: m.start(3)] + attrs + element[m.end(3):]


class TagFinder:
    """The next of some tags in ``data[:end]``, passing over comments, CDATA sections and processing instructions.

    ``needles`` are how the tags start (``b"<row"``, ``b"</row"``). Each needle's next
    place is found by a plain search and remembered until passed, so a walk through
    a whole sheet costs a few searches through it, not a regular expression at each "<".
    """

    def __init__(self, data: bytes, end: int, needles: tuple[bytes, ...]):
        self.data, self.end = data, end
        self._needles = [(n, None) for n in needles] + list(_OPAQUE)
        self._at: list[int | None] = [None] * len(self._needles)  # None: not looked for yet; -1: none left

    def find(self, pos: int) -> tuple[int, bytes] | None:
        """(offset, needle) of the first of the tags at or after ``pos``, or None."""
        data, end, at_ = self.data, self.end, self._at
        while True:
            best, which = -1, 0
            for i, (needle, _) in enumerate(self._needles):
                at = at_[i]
                if at is None or -1 < at < pos:
                    at = at_[i] = data.find(needle, pos, end)
                if at != -1 and (best == -1 or at < best):
                    best, which = at, i
            if best == -1:
                return None
            needle, closer = self._needles[which]
            after = best + len(needle)
            if closer is not None:
                stop = data.find(closer, after, end)
                if stop == -1:
                    raise Unsupported("a comment, CDATA section or processing instruction without its end")
                pos = stop + len(closer)
            elif after < end and data[after] in _NAME_ENDS:  # "<row", not "<rowBreaks"
                return best, needle
            else:
                pos = best + 1


@dataclass(frozen=True)
class Layout:
    """Where a worksheet's cells are in its bytes."""

    prefix: bytes  # how the sheet names its elements: b"" or b"x:"
    data_open: tuple[int, int] | None  # the <sheetData> start tag (None: the sheet has none)
    data_close: tuple[int, int] | None  # its end tag (None: an empty <sheetData/>)

    @property
    def cells(self) -> tuple[int, int]:
        """Where the rows are: (start, end)."""
        if self.data_open is None:
            return 0, 0
        start = self.data_open[1]
        return start, self.data_close[0] if self.data_close else start


def root_tag(data: bytes):
    """The start tag of the root element (a TAG match), past the declaration, comments and instructions; or None."""
    for m in MARKUP.finditer(data):
        if m.group(0) == b"<!DOCTYPE":
            raise Unsupported("a DTD")
        if m.group(2) is not None:
            return None if m.group(1) else m
    return None


def locate(data: bytes, main: bytes) -> Layout | None:
    """Where the cells of worksheet ``data`` (in namespace ``main``) are; None when only a rewrite can tell.

    Raises ``Unsupported`` for what is no worksheet, or declares a DTD (entities
    could put anything anywhere; no spreadsheet program writes one).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or NOT_UTF8.match(data):
        return None  # offsets in another encoding mean nothing to a search for UTF-8 bytes
    root = root_tag(data)
    if root is None:
        raise Unsupported("no worksheet element")
    prefix, _, local = root.group(2).rpartition(b":")
    declared = {d.group(1) or b"": d.group(2) if d.group(2) is not None else d.group(3)
                for d in _DECLARATION.finditer(root.group(3))}
    if local != b"worksheet" or declared.get(prefix) != main:
        raise Unsupported("no worksheet element")
    if sum(uri == main for uri in declared.values()) > 1:
        return None  # cells may be named either way
    p = prefix + b":" if prefix else b""
    hit = TagFinder(data, len(data), (b"<" + p + b"sheetData",)).find(root.end())
    if hit is None:
        return Layout(p, None, None)
    opened = TAG.match(data, hit[0])
    if opened is None:
        raise Unsupported("a damaged sheetData")
    closed = None
    if not opened.group(4):
        hit = TagFinder(data, len(data), (b"</" + p + b"sheetData",)).find(opened.end())
        end = TAG.match(data, hit[0]) if hit is not None else None
        if end is None:
            raise Unsupported("a sheetData without its end")
        closed = end.span()
    layout = Layout(p, opened.span(), closed)
    start, stop = opened.start(), layout.cells[1]
    if data.find(b"xmlns", start, stop) != -1:
        for d in _DECLARATION.finditer(data, start, stop):
            uri = d.group(2) if d.group(2) is not None else d.group(3)
            if (d.group(1) or b"") == prefix or uri == main:
                return None  # the cells' names mean something else there
    return layout


def rows(data: bytes, start: int, end: int, prefix: bytes):
    """(start, end, number) of each ``<row>`` in ``data[start:end]``, in file order.

    A row without ``r`` is the row after the one before (the first, row 1).
    """
    finder = TagFinder(data, end, (b"<" + prefix + b"row", b"</" + prefix + b"row"))
    number, pos = 0, start
    while True:
        hit = finder.find(pos)
        if hit is None:
            return
        m = TAG.match(data, hit[0])
        if m is None or m.group(1):
            raise Unsupported("a row's end without its start")
        r = attribute(m.group(3), b"r")
        number = _number(r, "row number") if r is not None else number + 1
        if m.group(4):
            stop = m.end()
        else:
            hit = finder.find(m.end())
            close = TAG.match(data, hit[0]) if hit is not None else None
            if close is None or not close.group(1):
                raise Unsupported("a row without its end")
            stop = close.end()
        yield m.start(), stop, number
        pos = stop


def is_shared_string(cell: bytes) -> bool:
    """Whether a ``<c>`` element (its bytes) refers to the shared strings (``t="s"``)."""
    m = TAG.match(cell)
    return m is not None and attribute(m.group(3), b"t") == b"s"


def shared_string_cells(data: bytes, start: int, end: int, prefix: bytes) -> int:
    """How many cells of the rows in ``data[start:end]`` refer to the shared strings."""
    if data.find(b'"s"', start, end) == -1 and data.find(b"'s'", start, end) == -1:
        return 0  # no t="s" anywhere (the sheets the tool writes hold inline text): no row need be read
    return sum(is_shared_string(cell[2]) for s, e, _ in rows(data, start, end, prefix)
               for cell in row_cells(data[s:e], prefix).cells)


def _number(text: bytes, what: str) -> int:
    if not text.strip().isdigit():
        raise Unsupported(f"a {what} that is not a number, {text[:20].decode(errors='replace')!r}")
    return int(text)


@dataclass
class Row:
    """A ``<row>`` taken apart: its name and attributes, its cells in file order, what follows the last one.

    Each cell is a tuple (a first sync of 10,000 rows reads ~100,000): (column, style or None, its XML as
    it was, what stood before it since the cell before (spaces, comments), whether it names its place).
    """

    name: bytes
    attrs: bytes
    cells: list
    tail: bytes
    numbered: bool  # whether the row names its number (r)


_CELL_PATTERNS: dict[bytes, re.Pattern] = {}


def _cell_pattern(prefix: bytes) -> re.Pattern:
    """A whole ``<c>`` element, for rows with no comment, CDATA or instruction (so no "</c>" but its end)."""
    if prefix not in _CELL_PATTERNS:
        p = re.escape(prefix)
        _CELL_PATTERNS[prefix] = re.compile(rb"<" + p + rb"c(?=[\s/>])(" + _ATTRS + rb")\s*(?:/>|>.*?</" + p
                                            + rb"c\s*>)", re.S)
    return _CELL_PATTERNS[prefix]


_CELL_STARTS: dict[bytes, tuple[re.Pattern, re.Pattern]] = {}


def cell_starts(prefix: bytes) -> tuple[re.Pattern, re.Pattern]:
    """(a cell tag that names its place first: its column letters and row digits; any cell's start tag)."""
    if prefix not in _CELL_STARTS:
        p = re.escape(prefix)
        _CELL_STARTS[prefix] = (re.compile(rb"<" + p + rb"c\s+r\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']"),
                                re.compile(rb"<" + p + rb"c[\s/>]"))
    return _CELL_STARTS[prefix]


def row_cells(row: bytes, prefix: bytes) -> Row:
    """The parts of ``row`` (one ``<row>`` element's bytes); a cell without ``r`` is the column after the one before."""
    m = TAG.match(row)
    if m is None or m.group(1):
        raise Unsupported("a row that does not start as one")
    body = b"" if m.group(4) else row[m.end(): row.rindex(b"<")]
    if b"<!--" in body or b"<?" in body or b"<![CDATA[" in body:
        parsed = _cells_by_markup(body, prefix)
    else:
        parsed = _cells_quickly(body, prefix)
    cells, tail = parsed if parsed is not None else _cells_by_markup(body, prefix)
    return Row(m.group(2), m.group(3), cells, tail, attribute(m.group(3), b"r") is not None)


def _cells_quickly(body: bytes, prefix: bytes):
    """The cells of a row body with only cells and spaces in it; None for anything else.

    This runs for every row of a first sync: what ``_place`` does is written out here.
    """
    cells, pos, column, findall = [], 0, 0, _ATTR.findall
    for cm in _cell_pattern(prefix).finditer(body):
        start = cm.start()
        before = body[pos:start]
        if before and not before.isspace():
            return None  # something between the cells: the careful reading says what
        ref = style = None
        for name, double, single in findall(cm.group(1)):
            if name == b"r":
                ref = double or single
            elif name == b"s":
                style = (double or single).decode()
        column = column + 1 if ref is None else column_number(ref)
        cells.append((column, style, cm.group(0), before, ref is not None))
        pos = cm.end()
    tail = body[pos:]
    return None if tail and not tail.isspace() else (cells, tail)


def _cells_by_markup(body: bytes, prefix: bytes):
    """The cells of a row body read markup by markup: comments, instructions and other elements kept in place."""
    cell_name = prefix + b"c"
    cells, depth, start, attrs, column, pos = [], 0, None, b"", 0, 0
    for m in MARKUP.finditer(body):
        if m.group(2) is None:
            if m.group(0) == b"<!DOCTYPE":
                raise Unsupported("a DTD")
            continue  # a comment, CDATA or instruction: part of whatever holds it
        end_tag, name, empty = m.group(1), m.group(2), m.group(4)
        if depth == 0:
            if end_tag:
                raise Unsupported("an end tag without its start in a row")
            if name == cell_name:
                start, attrs = m.start(), m.group(3)
            else:
                start = None  # another element (an extLst): kept where it stands, with what follows
            if empty:
                if start is not None:
                    column, style, named = _place(attrs, column)
                    cells.append((column, style, body[start: m.end()], body[pos:start], named))
                    pos = m.end()
            else:
                depth = 1
        elif end_tag:
            depth -= 1
            if depth == 0 and start is not None:
                if name != cell_name:
                    raise Unsupported("a cell that does not end as one")
                column, style, named = _place(attrs, column)
                cells.append((column, style, body[start: m.end()], body[pos:start], named))
                pos = m.end()
        elif not empty:
            depth += 1
    if depth:
        raise Unsupported("an element without its end in a row")
    return cells, body[pos:]


def _place(attrs: bytes, column: int) -> tuple[int, str | None, bool]:
    """A cell's column (after ``column``, the one before, when it names none), its style, and whether it names it."""
    ref = attribute(attrs, b"r")
    style = attribute(attrs, b"s")
    return (column + 1 if ref is None else column_number(ref)), (style.decode() if style is not None else None), \
        ref is not None


_COLUMNS: dict[bytes, int] = {}  # column letters seen → their number (a sheet has few, and many cells each)


def column_numbers(letters: list[bytes]) -> list[int]:
    """``column_number`` of each of a row's column letters (a look-up each, not a call: one per cell written)."""
    known = _COLUMNS
    return [known.get(x) or column_number(x) for x in letters]


def column_number(ref: bytes) -> int:
    """The column of a cell reference ("AB12" → 28; "AB" → 28)."""
    letters = ref.rstrip(b"0123456789")
    found = _COLUMNS.get(letters)
    if found is None:
        upper = letters.upper()
        if not upper or not upper.isalpha() or not upper.isascii() or len(upper) > 3:
            raise Unsupported(f"a cell reference that is not one, {ref[:20].decode(errors='replace')!r}")
        found = _COLUMNS[letters] = column_index(upper.decode())
    return found


# A cell text written as it is, without xml:space: nothing XML escapes (&, <, >), no line end (a CR is
# written "&#13;"), no space at either end (\s is str.strip's whitespace). A test holds it to kept_spaces.
PLAIN_TEXT = re.compile(r"(?!\s)[^&<>\r\n]*(?<!\s)\Z")


def kept_spaces(text: str) -> bool:
    """Whether an escaped cell text needs xml:space="preserve": a space at either end, which readers
    trim otherwise (a CR there is written "&#13;", which str.strip does not see), or a line break."""
    return text != text.strip() or "\n" in text or text[:5] == "&#13;" or text[-5:] == "&#13;"
