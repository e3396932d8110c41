"""An .xlsx package as the writer edits it: its parts, relationships and content types, read and saved.

Owns ``Package`` (the zip's parts, read lazily and written back in order, every
part not changed copied byte for byte; the workbook's sheet list; the content
types) and ``Rels`` (a part's relationships). ``xlsxpatch`` opens one per write.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from pathlib import Path

from lxml import etree

from . import sheetxml
from .sheetxml import Unsupported
from .xlsxxml import (CT, Dialect, PKG_REL, REL, REL_SHARED_STRINGS, STRICT, STRICT_MAIN, TRANSITIONAL, keep_bytes,
                      local_name, parse_xml, qualified, to_xml)


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
        if types.tag != qualified("Types", CT):
            raise Unsupported("its list of content types is not one")
        wb_part = self._office_document()
        self.workbook_part = wb_part
        workbook = parse_xml(self.read(wb_part))
        if workbook.tag == qualified("workbook", STRICT_MAIN):
            self.dialect = STRICT
            self._rels.clear()  # the package's relationships were read before it was known to be Strict
        self.workbook = self._parsed[wb_part] = self.dialect.inward(workbook)
        if self.workbook.tag != qualified("workbook"):
            raise Unsupported("its workbook part is not a SpreadsheetML workbook")
        pr = self.workbook.find(qualified("workbookPr"))
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.sheet_parts: dict[str, str] = {}
        rels = self.rels(wb_part)
        sheets = self.workbook.find(qualified("sheets"))
        for sheet in sheets if sheets is not None else ():
            rid = sheet.get(qualified("id", REL))
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
            self._parsed[name] = self.dialect.inward(parse_xml(self.read(name)))
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
        for override in types.findall(qualified("Override", CT)):
            if override.get("PartName", "").lstrip("/") == part:
                types.remove(override)
        self.removed.add(part)

    def add_override(self, part: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        etree.SubElement(types, qualified("Override", CT), PartName="/" + part, ContentType=content_type)

    def ensure_default(self, extension: str, content_type: str) -> None:
        types = self.tree("[Content_Types].xml")
        if not any(d.get("Extension", "").lower() == extension for d in types.iter(qualified("Default", CT))):
            types.insert(0, etree.Element(qualified("Default", CT), Extension=extension, ContentType=content_type))

    def save(self, out: Path) -> None:
        styles = [n for n, root in self._parsed.items() if local_name(root.tag) == "styleSheet"]
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
                if info.filename not in self._parsed and info.filename not in self.changed \
                        and _copy_compressed(self.zip, info, zout):
                    continue  # a part the plan left alone: its stored bytes, not inflated and deflated again
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
                return to_xml(self.dialect.outward(root))
            # A part only looked at is copied as it was, not re-serialized; of an edited one, what
            # was not edited keeps its bytes.
            old = self.zip.read(info)
            if to_xml(root) == to_xml(self.dialect.inward(parse_xml(old))):
                return old
            return keep_bytes(old, to_xml(self.dialect.outward(root)))
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
    # The pieces (a few per row rewritten) gathered into blocks of about a MiB: each write to the zip
    # costs a call into zlib and a CRC of its own, which for 30,000 small pieces was a fifth of a sync's
    # writing. The deflated bytes are the same whatever the pieces (one stream).
    with zout.open(info, "w", force_zip64=True) as fh:
        block: list = []
        size = 0
        for piece in data():
            block.append(piece)
            size += len(piece)
            if size >= _BLOCK:
                fh.write(b"".join(block))
                block, size = [], 0
        if block:
            fh.write(b"".join(block))


_BLOCK = 1 << 20


def _copy_compressed(src: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> bool:
    """Copy a part as it is stored (still deflated) into ``zout``; False when it cannot be (then write it anew).

    zipfile has no call for this; it is done as ``ZipFile.mkdir`` writes an entry, and
    only for the plain case: deflated or stored, not encrypted, sizes under 4 GiB,
    and a local header that agrees with the directory. The read-back reads every
    copied part again, and the tests check each copy inflates to the same bytes.
    """
    needed = ("_lock", "_seekable", "start_dir", "_writecheck", "_writing", "filelist", "NameToInfo")
    if (info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1
            or info.compress_size >= 0xFFFFFFFF or info.file_size >= 0xFFFFFFFF or info.header_offset >= 0xFFFFFFFF
            or not all(hasattr(zout, a) for a in needed) or zout._writing):
        return False
    data = stored_bytes(src, info)
    if data is None:
        return False
    new = _zipinfo(info.filename, info.date_time)
    new.compress_type = info.compress_type
    new.CRC, new.compress_size, new.file_size = info.CRC, info.compress_size, info.file_size
    new.external_attr = info.external_attr
    with zout._lock:
        if zout._seekable:
            zout.fp.seek(zout.start_dir)
        new.header_offset = zout.fp.tell()
        zout._writecheck(new)
        zout._didModify = True
        zout.fp.write(new.FileHeader(False))
        zout.fp.write(data)
        zout.start_dir = zout.fp.tell()
        zout.filelist.append(new)
        zout.NameToInfo[new.filename] = new
    return True


def stored_bytes(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A part's bytes as stored in the zip (compressed), or None where its local header is not as expected."""
    fp = src.fp
    fp.seek(info.header_offset)
    header = fp.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        return None
    fields = struct.unpack(zipfile.structFileHeader, header)
    fp.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
    data = fp.read(info.compress_size)
    return data if len(data) == info.compress_size else None


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
            root = parse_xml(data)
            if root.tag != qualified("Relationships", PKG_REL):
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
