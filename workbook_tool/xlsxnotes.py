"""The notes on the headers the tool adds: an Excel comment by "chart" each, with its VML drawing.

Owns ``add_notes`` (the comments part, its VML shapes, their relationships), which
``xlsxsheet.Sheet.notes`` runs on the sheet being written.
"""

from __future__ import annotations

import re

from lxml import etree

from .objects import column_letter
from .sheetxml import Unsupported
from .xlsxxml import CT_COMMENTS, CT_VML, MAIN, REL, REL_COMMENTS, REL_VML, qualified


def add_notes(sheet, notes: list[tuple[int, int, str]]) -> None:
    """Add a note (an Excel comment by "chart") to each (row, col) header cell of ``sheet`` (an ``xlsxsheet.Sheet``)."""
    if not notes:
        return
    from . import layout

    rels = sheet.pkg.rels(sheet.part)
    comments_part = next((t for rid, t in rels.items() if _rel_type(sheet, rid) == REL_COMMENTS), None)
    vml_part = next((t for rid, t in rels.items() if _rel_type(sheet, rid) == REL_VML), None)
    if comments_part is None:
        comments_part = sheet.pkg.new_name("xl/comments/comment{n}.xml")
        root = etree.Element(qualified("comments"), nsmap={None: MAIN})
        etree.SubElement(root, qualified("authors"))
        etree.SubElement(root, qualified("commentList"))
        sheet.pkg._parsed[comments_part] = root
        sheet.pkg.add_override(comments_part, CT_COMMENTS)
        sheet.pkg.add_rel(sheet.part, REL_COMMENTS, comments_part)
    if vml_part is None:
        vml_part = sheet.pkg.new_name("xl/drawings/commentsDrawing{n}.vml")
        sheet.pkg.put(vml_part, _VML_HEAD + b"</xml>")
        sheet.pkg.ensure_default("vml", CT_VML)
        rid = sheet.pkg.add_rel(sheet.part, REL_VML, vml_part)
        legacy = sheet.child("legacyDrawing", create=True)
        legacy.set(qualified("id", REL), rid)
    comments = sheet.pkg.tree(comments_part)
    authors = comments.find(qualified("authors"))
    names = [a.text for a in authors]
    if layout.TOOL_NOTE_AUTHOR not in names:
        etree.SubElement(authors, qualified("author")).text = layout.TOOL_NOTE_AUTHOR
        names.append(layout.TOOL_NOTE_AUTHOR)
    author = str(names.index(layout.TOOL_NOTE_AUTHOR))
    box = comments.find(qualified("commentList"))
    vml = sheet.pkg.read(vml_part)
    ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)] or [1024]
    shapes = []
    for i, (row, col, text) in enumerate(notes, start=1):
        ref = f"{column_letter(col)}{row}"
        for old in box.findall(qualified("comment")):
            if old.get("ref") == ref:
                box.remove(old)
        comment = etree.SubElement(box, qualified("comment"), ref=ref, authorId=author)
        etree.SubElement(etree.SubElement(comment, qualified("text")), qualified("t")).text = text
        shapes.append(_VML_SHAPE.format(id=max(ids) + i, row=row - 1, col=col - 1).encode())
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise Unsupported("a comment drawing that is not VML")
    sheet.pkg.put(vml_part, vml[:end] + b"".join(shapes) + vml[end:])


def _rel_type(sheet, rid: str) -> str | None:
    for rel in sheet.pkg.rels_of(sheet.part).items:
        if rel["Id"] == rid:
            return rel["Type"]
    return None


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
