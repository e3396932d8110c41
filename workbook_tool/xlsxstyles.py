"""The style sheet (xl/styles.xml) as the writer edits it: the formats and fonts of the cells the tool writes.

Owns ``Styles``: the cell formats a sync needs (tool headers, dates, links, the
Dashboard's title), each added once and found again on the next run, with every
existing style kept as it was. Used by ``xlsxsheet`` and ``xlsxpatch``.
"""

from __future__ import annotations


from lxml import etree

from . import schema
from .xlsxpackage import Package
from .xlsxxml import CT_STYLES, MAIN, REL_STYLES, STYLE_ORDER, insert_in_order, qualified

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
            etree.SubElement(self.xfs, qualified("xf"), numFmtId="0", fontId=str(self._font()), fillId="0", borderId="0")
            self.xfs.set("count", "1")
        self._memo: dict[tuple, int] = {}

    def _section(self, name: str):
        el = self.root.find(qualified(name))
        if el is None:
            el = etree.Element(qualified(name))
            insert_in_order(self.root, el, STYLE_ORDER)
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
        etree.SubElement(numfmts, qualified("numFmt"), numFmtId=str(new_id), formatCode=code)
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
        font = etree.Element(qualified("font"))
        if bold:
            etree.SubElement(font, qualified("b"), val="1")
        if italic:
            etree.SubElement(font, qualified("i"), val="1")
        if underline:
            etree.SubElement(font, qualified("u"), val="single")
        etree.SubElement(font, qualified("sz"), val=str(size))
        if color:
            etree.SubElement(font, qualified("color"), rgb="FF" + color)
        elif theme is not None:
            etree.SubElement(font, qualified("color"), theme=str(theme))
        from . import layout

        etree.SubElement(font, qualified("name"), val=layout.FONT)
        etree.SubElement(font, qualified("family"), val="2")
        return self._append("fonts", font)

    def _fill(self, color: str) -> int:
        fill = etree.Element(qualified("fill"))
        pattern = etree.SubElement(fill, qualified("patternFill"), patternType="solid")
        etree.SubElement(pattern, qualified("fgColor"), rgb="FF" + color)
        etree.SubElement(pattern, qualified("bgColor"), indexed="64")
        return self._append("fills", fill)

    def _new_xf(self, font: int, fill: int = 0, numfmt: int = 0, alignment: dict | None = None, xf_id: int = 0):
        xf = etree.Element(qualified("xf"), numFmtId=str(numfmt), fontId=str(font), fillId=str(fill), borderId="0",
                           xfId=str(xf_id))
        if font:
            xf.set("applyFont", "1")
        if fill:
            xf.set("applyFill", "1")
        if numfmt:
            xf.set("applyNumberFormat", "1")
        if alignment:
            xf.set("applyAlignment", "1")
            etree.SubElement(xf, qualified("alignment"), **alignment)
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

    def column(self, code: str | None, wrap: bool = False) -> int:
        """A whole column's format: its number format, and text wrapped at the top of the cell with ``wrap``."""
        return self._new_xf(0, numfmt=self.number_format(code) if code else 0,
                            alignment={"vertical": "top", "wrapText": "1"} if wrap else None)

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
                etree.SubElement(style_xfs, qualified("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0")
            base = etree.Element(qualified("xf"), numFmtId="0", fontId=str(font), fillId="0", borderId="0",
                                 applyFont="1")
            style_xfs.append(base)
            style_xfs.set("count", str(len(style_xfs)))
            xf_id = len(style_xfs) - 1
            if not len(styles):
                etree.SubElement(styles, qualified("cellStyle"), name="Normal", xfId="0", builtinId="0")
            etree.SubElement(styles, qualified("cellStyle"), name="Hyperlink", xfId=str(xf_id), builtinId="8")
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
