"""One worksheet as the writer edits it: its rows, columns, links and notes.

Owns ``Sheet`` (the rows a plan touches rewritten as bytes while the rest of the
sheet is copied, the dimension, column widths and styles, hyperlinks, the notes
on tool headers through ``xlsxnotes``, an appended block of rows), ``CellEdit`` (a value to write at a
place) and ``Values`` (how a Python value is stored in a ``<c>``). ``sheetxml``
finds the rows and cells in the sheet's bytes. Used by ``xlsxpatch``.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import heapq
import itertools
import operator

from lxml import etree

from . import schema, sheetxml
from .fields import serial_days
from .sheetxml import PLAIN_TEXT, Unsupported, kept_spaces
from .objects import column_letter
from .xlsxpackage import Package
from .xlsxstyles import Styles
from .xlsxxml import (MAIN, REL, REL_HYPERLINK, REL_TABLE, SHEET_EDITED, SHEET_ORDER, STRICT_MAIN, insert_in_order,
                      keep_bytes, normalized, parse_xml, qualified, range_bounds, range_ref, to_xml)


# --------------------------------------------------------------------------- cell values


class Values:
    """How a Python value is stored in a ``<c>``: the same types openpyxl writes for a sync."""

    def __init__(self, date1904: bool, iso_dates: bool = False):
        from .plan import stored_text

        self.date1904 = date1904
        self.stored_text = stored_text
        # Strict SpreadsheetML keeps a date as an ISO 8601 text (t="d"), not a serial number; Excel
        # writes its Strict files so.
        self.iso_dates = iso_dates
        self._serials: dict[dt.date, str] = {}

    def serial(self, value: dt.date) -> str:
        if type(value) is dt.date:  # a day (a Follow-Up On): a chart's are a few hundred days, each written often
            try:
                return self._serials[value]
            except KeyError:
                found = self._serials[value] = self._serial(value)
                return found
        return self._serial(value)

    def _serial(self, value: dt.date) -> str:
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        value = value.replace(tzinfo=None)
        if self.date1904:
            delta = value - dt.datetime(1904, 1, 1)
            days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        else:
            days = serial_days(value)
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
            space = ' xml:space="preserve"' if kept_spaces(text) else ""
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


_PLACE = operator.itemgetter(0, 1)  # a change's place in the row, then its column


class CellEdit:
    """A value to write at (row, column); ``plan.CellWrite`` has the same fields and is used as is."""

    __slots__ = ("row", "column", "value", "link", "url")

    def __init__(self, row: int, column: int, value, link: bool = False, url: str | None = None):
        self.row, self.column, self.value, self.link, self.url = row, column, value, link, url


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
                data = normalized(data, main.decode())
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
            self.frame = pkg.dialect.inward(parse_xml(self.raw_frame))
        if found.data_open is None:
            self.child("sheetData", create=True)
        # The cells to write, as the plan's own objects: a dict per row would cost more than the plan.
        self.edits: list = []
        self.appended = None  # a plan.AppendedRows of this sheet: rows written from its records in one pass
        self.new_rows: list[int] = []
        self.template_row: int | None = None
        self.header_styles: dict[tuple[int, int], int] = {}  # (row, col) → style for new headers
        self._prefix_text = self.p.decode()
        self._cell_starts = sheetxml.cell_starts(self.p)
        self._cell_opening, self._cell_close = b"<" + self.p + b'c r="', b"</" + self.p + b"c>"
        self._letters: dict[int, str] = {}  # column → its letters: the same few columns in every row written
        self._styles_made: dict[tuple, object] = {}  # _edit_style's answers that depend on no row (see there)

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
        el = self.frame.find(qualified(name))
        if el is None and create:
            # Elements that carry an r:id declare the prefix Excel uses, whatever the root declares.
            nsmap = {"r": REL} if name in ("hyperlinks", "drawing", "legacyDrawing") else None
            el = etree.Element(qualified(name), nsmap=nsmap)
            insert_in_order(self.frame, el, SHEET_ORDER)
        return el

    # the rows -----------------------------------------------------------------------

    def rewrite_rows(self, styles: Styles, values: Values):
        """The new cell data, piece by piece: untouched rows as they were, edited and new rows rewritten."""
        with self._where():
            yield from self._rewrite_rows(styles, values)

    def _rewrite_rows(self, styles: Styles, values: Values):
        data, (first, end) = self.data, self.cells
        view = memoryview(data)  # slices of it are copied into the zip without a copy in memory
        groups = self._pending_rows()
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
                missing, edit, cells = pending
                yield self._pending_row(None, missing, edit, cells, template if missing in new_rows else None,
                                        styles, values)
                pending = next(groups, None)
            if pending is None or pending[0] != number:
                continue
            yield view[last:start]
            yield self._pending_row(data[start:stop], number, pending[1], pending[2],
                                    template if number in new_rows else None, styles, values)
            pending = next(groups, None)
            last = stop
        yield view[last:end]
        while pending is not None:
            number, edit, cells = pending
            if edit is None:  # the block's rows below the sheet's last, thousands at a time
                batch = [(number, cells)]
                pending = next(groups, None)
                while pending is not None and pending[1] is None and len(batch) < 4096:
                    batch.append((pending[0], pending[2]))
                    pending = next(groups, None)
                yield self._block_rows(batch, template, new_rows, styles, values)
                continue
            yield self._pending_row(None, number, edit, cells, template if number in new_rows else None, styles,
                                    values)
            pending = next(groups, None)

    def _pending_rows(self):
        """(row number, {column: edit} or None, the appended block's (column, value) pairs or ()) for each row
        to write, in row order: the edits grouped by row, and the block's rows."""
        # By row, then column; of two writes to one cell the later wins (the sort is stable).
        edits = ((number, {w.column: w for w in group}) for number, group in itertools.groupby(
            sorted(self.edits, key=operator.attrgetter("row", "column")), key=operator.attrgetter("row")))
        block = self.appended
        if block is None:
            yield from ((number, edit, ()) for number, edit in edits)
            return
        edits = dict(edits)  # few beside a block: an import's fills of the people already in the chart
        span = range(block.first, block.last + 1)
        for number in heapq.merge(span, sorted(n for n in edits if n not in span)):
            yield number, edits.get(number), block.cells[number - block.first] if number in span else ()

    def _pending_row(self, row: bytes | None, number: int, edit: dict | None, cells, template, styles: Styles,
                     values: Values) -> bytes:
        """Row ``number`` with its edits and its cells of the appended block (an edit of a block's cell wins)."""
        if row is None and edit is None:
            return self._block_rows(((number, cells),), template, (number,), styles, values)
        if cells:
            merged = {c: CellEdit(number, c, v) for c, v in cells}
            merged.update(edit or {})
            edit = merged
        return self._row(row, number, edit, template, styles, values)

    def _block_rows(self, rows, template, new_rows, styles: Styles, values: Values) -> bytes:
        """Rows of the appended block the sheet lacks, each (number, its (column, value) pairs), straight to
        bytes: the bytes ``_new_row_quickly`` makes of the same cells as edits, with no object a cell (a test holds
        them equal). A row in ``new_rows`` looks like ``template``, as there."""
        p, escape, stored_text, plain = self._prefix_text, _escape, values.stored_text, PLAIN_TEXT.match
        header_styles = self.header_styles
        current = known = None
        out: list[str] = []
        for number, cells in rows:
            row_template = template if number in new_rows else None
            if (header_styles and any((number, c) in header_styles for c, _ in cells)) \
                    or any(type(v) is not str for _, v in cells):  # a header, a date or a number: the edits' way
                out.append(self._row(None, number, {c: CellEdit(number, c, v) for c, v in cells}, row_template,
                                     styles, values).decode())
                continue
            if known is None or row_template is not current:
                # _new_row_quickly's own: (template row, {column: (its letter, a text cell's s attribute)})
                state = getattr(self, "_new_row_columns", None)
                if state is None or state[0] is not row_template:
                    state = self._new_row_columns = (row_template, {})
                current, known = row_template, state[1]
            digits = str(number)
            pieces: list = []
            for col, value in cells:
                spot = known.get(col)
                if spot is None:
                    style = self._edit_style(number, col, None, row_template, CellEdit(number, col, value), styles)
                    style = None if style is None else str(style)
                    spot = known[col] = (column_letter(col), f' s="{style}"' if style and style != "0" else "")
                letter, s = spot
                # Values.cell's text cell: "_x" is how every text stored_text changes starts; most are plain.
                as_is = "_x" not in value and plain(value) is not None
                text = value if as_is else escape(value if "_x" not in value else stored_text(value))
                space = "" if as_is or not kept_spaces(text) else ' xml:space="preserve"'
                pieces.append(f'<{p}c r="{letter}{digits}"{s} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is>'
                              f'</{p}c>')
            if row_template:
                # A new row looks like the row above it: its styled cells, blank where nothing is written.
                at = {c: piece for (c, _), piece in zip(cells, pieces)}
                for col, style in row_template.items():
                    if col not in at:
                        at[col] = f'<{p}c r="{column_letter(col)}{digits}" s="{style}"/>'
                pieces = [at[c] for c in sorted(at)]
            out.append(f'<{p}row r="{digits}">{"".join(pieces)}</{p}row>')
        return "".join(out).encode()

    def _row(self, row: bytes | None, number: int, edit: dict, template, styles: Styles, values: Values) -> bytes:
        """Row ``number`` with the cells in ``edit`` rewritten (``row`` None: a new row)."""
        if row is not None and not template:
            quick = self._row_quickly(row, number, edit, styles, values)
            if quick is not None:
                return quick
        if row is None:
            quick = self._new_row_quickly(number, edit, template, styles, values)
            if quick is not None:
                return quick
        return self._row_parsed(row, number, edit, template, styles, values)

    def _new_row_quickly(self, number: int, edit: dict, template, styles: Styles, values: Values) -> bytes | None:
        """``_row_parsed``'s row for a row the sheet lacks (an imported person's), with less work per cell.

        An import adds thousands of rows of a few text cells each, and the parsed way
        (a list per cell, each cell's style asked anew) was most of writing them. A
        text cell without a link, in a row that gets no header, takes the style
        ``_edit_style`` gives it: for a new row that depends on its column and the
        template row alone (the last row of the table, the same for every new row), so
        it is asked once a column, and the cell is ``Values.cell``'s inline string.
        Every other value goes ``_edit_style``'s and ``Values.cell``'s way. None where a
        header is written in the row. A test holds the two ways equal.
        """
        if self.header_styles and any((number, col) in self.header_styles for col in edit):
            return None
        # (template row, {column: (its letter, a text cell's s attribute)}), made anew for another template
        state = getattr(self, "_new_row_columns", None)
        if state is None or state[0] is not template:
            state = self._new_row_columns = (template, {})
        known = state[1]
        p = self.p.decode()
        cells: dict[int, str] = {}
        if template:
            # A new row looks like the row above it: its styled cells, blank where nothing is written.
            for col, style in template.items():
                if col not in edit:
                    cells[col] = f'<{p}c r="{column_letter(col)}{number}" s="{style}"/>'
        for col, change in edit.items():
            value = change.value
            if type(value) is str and not change.link:
                spot = known.get(col)
                if spot is None:
                    style = self._edit_style(number, col, None, template, change, styles)
                    style = None if style is None else str(style)
                    spot = known[col] = (column_letter(col), f' s="{style}"' if style and style != "0" else "")
                letter, s = spot
                # Values.cell's text cell: "_x" is how every text stored_text changes starts.
                text = _escape(value if "_x" not in value else values.stored_text(value))
                space = ' xml:space="preserve"' if kept_spaces(text) else ""
                cells[col] = (f'<{p}c r="{letter}{number}"{s} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is>'
                              f'</{p}c>')
                continue
            style = self._edit_style(number, col, None, template, change, styles)
            xml = values.cell(p, f"{column_letter(col)}{number}", None if style is None else str(style), value)
            if xml:
                cells[col] = xml
        return f'<{p}row r="{number}">{"".join(cells[col] for col in sorted(cells))}</{p}row>'.encode()

    def _row_quickly(self, row: bytes, number: int, edit: dict, styles: Styles, values: Values) -> bytes | None:
        """``_row_parsed``'s row, finding only the cells edited; None for a row it does not fit.

        A sync edits a few cells of each row (its tool columns) and parsing every cell
        was half of writing a large chart. Here the cells are found by their ``r``
        attributes alone (one C pass), which needs every cell to name its place first,
        as Excel, LibreOffice and openpyxl write them; anything else in the row (a
        comment, an extLst, a cell whose place is implied) goes the parsed way. A test
        holds the two equal on real workbooks' rows.
        """
        m = sheetxml.TAG.match(row)
        if m is None or m.group(1) or m.group(4):
            return None
        end = row.rindex(b"<")
        body = row[m.end():end]
        if b"<!" in body or b"<?" in body or b"extLst" in body:
            return None
        named, any_cell = self._cell_starts
        refs = named.findall(body)
        if len(refs) != len(any_cell.findall(body)):
            return None  # a cell whose place is implied, or not named first
        cols = sheetxml.column_numbers([letters for letters, _ in refs])
        if cols != sorted(set(cols)):
            return None  # out of order, or twice: the careful reading says what to do
        opening = self._cell_opening
        attrs = m.group(3)
        if b"spans" in attrs:
            attrs = sheetxml.without_attribute(attrs, b"spans")  # a hint that new cells would make wrong
        head = b"<" + m.group(2) + attrs + b">"
        # ' r="…' first, as every producer writes a row, names its number; else the attributes are read.
        if not m.group(3).startswith(b' r="') and sheetxml.attribute(m.group(3), b"r") is None:
            head = sheetxml.with_attribute(head, b"r", b"%d" % number)
        close = self._cell_close
        prefix, letters, row_digits = self._prefix_text, self._letters, str(number)
        changes: list[tuple[int, int, int, bytes]] = []  # (from, column, to, new bytes); from == to: inserted
        n = len(cols)
        for col, change in edit.items():
            i = bisect.bisect_left(cols, col)
            # Where the row's i-th cell starts (-1: written some other way, with spaces or quotes), or the end.
            at = body.find(opening + refs[i][0] + refs[i][1] + b'"') if i < n else len(body)
            if at < 0:
                return None
            old = None
            if i < len(cols) and cols[i] == col:
                tag_end = body.index(b">", at) + 1
                stop = tag_end if body[tag_end - 2:tag_end] == b"/>" else body.index(close, tag_end) + len(close)
                old = body[at:stop]
            own = shared = None
            if old is not None:
                # The old cell's attributes read once, for its style and whether it named a shared string.
                own, shared = sheetxml.attributes(sheetxml.TAG.match(old).group(3), (b"s", b"t"))
                own = own.decode() if own is not None else None
            style = self._edit_style(number, col, own, None, change, styles)
            letter = letters.get(col) or letters.setdefault(col, column_letter(col))
            xml = values.cell(prefix, letter + row_digits, None if style is None else str(style),
                              change.value).encode()
            if old is not None:
                if shared == b"s":
                    self.pkg.shared_refs_dropped += 1  # its string stays in the table, one reference fewer
                changes.append((at, col, stop, xml))
            elif xml:
                changes.append((at, col, at, xml))  # before the first cell to its right, or at the row's end
        pieces = [head]
        pos = 0
        for at, _, stop, xml in sorted(changes, key=_PLACE):  # by place, then column
            pieces += (body[pos:at], xml)
            pos = stop
        pieces += (body[pos:], row[end:])
        return b"".join(pieces)

    def _row_parsed(self, row: bytes | None, number: int, edit: dict, template, styles: Styles,
                    values: Values) -> bytes:
        """Row ``number`` with the cells in ``edit`` rewritten, every cell parsed (``row`` None: a new row)."""
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
            item = at.get(col)
            style = self._edit_style(number, col, item[1] if item is not None else None, template, change, styles)
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

    def _edit_style(self, number: int, col: int, own, template, change, styles: Styles):
        """The style an edited cell gets: a new header's; else its own (or, without one, the template row's,
        then its column's), made a link's or a date's where the value asks."""
        header = self.header_styles.get((number, col)) if self.header_styles else None
        if header is not None:
            return header
        if template:
            return self._style_of(own, col, template, change, styles)
        # Without a template row the answer depends on the cell's own style, its column and the kind of
        # value only: worked out once for each (a sync writes the same few columns in every row).
        key = (own, col, bool(change.link and change.url), type(change.value) if isinstance(change.value, dt.date)
               else None)
        try:
            return self._styles_made[key]
        except KeyError:
            style = self._styles_made[key] = self._style_of(own, col, None, change, styles)
            return style

    def _style_of(self, own, col: int, template, change, styles: Styles):
        style = own
        if style in (None, "0") and template:
            style = template.get(col, style)
        if style in (None, "0"):
            # A cell of no style of its own takes its column's, as Excel gives a typed cell
            # (a wrapped Comments column wraps what sync writes in it).
            style = self._column_style(col) or style
        if change.link and change.url:
            return styles.hyperlink()
        if isinstance(change.value, dt.date):
            return styles.with_number_format(int(style or 0), schema.DATE_FORMAT)
        return style

    def _styles_of_columns(self) -> list[tuple[int, int, str]]:
        """(first column, last column, style) of each ``<col>`` with a style of its own."""
        self._column_style_of: dict[int, str | None] = {}
        cols = self.child("cols")
        found = []
        for col in cols if cols is not None else ():
            style = col.get("style")
            if style not in (None, "0") and col.get("min", "").isdigit() and col.get("max", "").isdigit():
                found.append((int(col.get("min")), int(col.get("max")), style))
        return found

    def _column_style(self, column: int) -> str | None:
        try:
            return self._column_style_of[column]  # asked once per cell written: the same few columns
        except KeyError:
            style = self._column_style_of[column] = next(
                (style for lo, hi, style in self._column_styles if lo <= column <= hi), None)
            return style

    # around the cells ---------------------------------------------------------------

    def set_dimension(self, max_col: int, max_row: int) -> None:
        dim = self.child("dimension")
        if dim is None:
            return
        try:
            c1, r1, c2, r2 = range_bounds(dim.get("ref", "A1"))
        except Unsupported:
            return
        dim.set("ref", range_ref(min(c1, 1), min(r1, 1), max(c2, max_col), max(r2, max_row)))

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
        new = etree.SubElement(cols, qualified("col"), min=str(index), max=str(index), width=str(width),
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
                    gone.add(link.get(qualified("id", REL)))
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
            link = etree.SubElement(box, qualified("hyperlink"), ref=ref, nsmap={"r": REL})
            link.set(qualified("id", REL), rid)

    def notes(self, notes: list[tuple[int, int, str]]) -> None:
        """Add a note (an Excel comment by "chart") to each (row, col) header cell (``xlsxnotes``)."""
        from .xlsxnotes import add_notes

        add_notes(self, notes)

    def tables(self) -> list[tuple[str, object]]:
        """(part, root) of each Excel table on this sheet."""
        return [(t, self.pkg.tree(t)) for t in self.pkg.rels(self.part, REL_TABLE).values()]

    def finish(self, styles: Styles, values: Values) -> None:
        """Hand the part to the package; its rows are rewritten while the new file is written."""
        self._column_styles = self._styles_of_columns()  # read now: the frame is let go below
        old, new = self.raw_frame, to_xml(self.pkg.dialect.outward(self.frame))
        # An unchanged frame keeps every byte; a changed one, those of each piece the sync left alone.
        frame = old if new == to_xml(parse_xml(old)) else keep_bytes(old, new, SHEET_EDITED)
        self.frame = self.raw_frame = None
        hit = sheetxml.TagFinder(frame, len(frame), (b"<" + self.p + b"sheetData",)).find(0)
        tag = sheetxml.TAG.match(frame, hit[0]) if hit is not None else None
        if tag is None or not tag.group(4):
            raise Unsupported("a sheet whose cell data went missing", sheet=self.name)
        opening = self._open or b"<" + tag.group(2) + tag.group(3) + b">"
        closing = self._close or b"</" + tag.group(2) + b">"
        rewrite = bool(self.edits or self.new_rows or self.appended is not None)

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
