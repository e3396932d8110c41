"""Unreadable input gets one line, ``Error: <file>: <what to do>``, exit 2 and no traceback (filecheck.py).

Each bad file is run through ``chart validate`` (text and --json); the check happens
before any parser sees the file, so the library never leaks a third-party error. A
damaged part is named, in every command (the corpus has each kind); here, also how big
parts are checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import zipfile

import pytest

from sync_fixtures import sample_chart
from tests.conftest import assert_unreadable, contact, rewrite_zip, run, write_chart, write_workbook
from workbook_tool import filecheck
from workbook_tool.errors import NotAChart, UnreadableWorkbook
from workbook_tool.filecheck import BACKUP_HINT, check_workbook_file
from workbook_tool.workbook import read_chart

SAVE_AS_XLSX_CSV = ("is a CSV file, not an Excel workbook. Open it in Excel or LibreOffice and save it as .xlsx "
                    "(Excel Workbook).")
DAMAGED = f"is damaged: the .xlsx archive is incomplete or corrupt. {BACKUP_HINT}"
ODS = ("is an OpenDocument (.ods) spreadsheet. Open it in LibreOffice and save it as .xlsx "
       "(File > Save As > Excel 2007-365).")
XLS = ("is an old Excel 97-2003 (.xls) workbook, which chart cannot read. Open it in Excel or LibreOffice and save "
       "it as .xlsx.")
ENCRYPTED = ("is password-protected. Open it in Excel or LibreOffice, remove the password (save it without one), "
             "and try again.")
NOT_A_WORKBOOK_ZIP = ("is a zip archive but not an Excel workbook (it has no xl/workbook.xml). Give the path of an "
                      ".xlsx file.")

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [\n'
    ' <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + ']>\n'
)


def entities_message(part: str) -> str:
    return (f"part {part} declares XML entities, which real workbooks never do (an XML bomb or external-entity "
            "attack); refused to protect your computer.")


@pytest.fixture
def good(tmp_path):
    return write_chart(tmp_path / "good.xlsx", rows=[contact(name="Ann Lee", email="ann@fabrikam.org")])


# --------------------------------------------------------------------------- not there, not a file


def test_missing_path(tmp_path):
    path = tmp_path / "nope.xlsx"
    assert_unreadable(path, f"no such file. Check the path, or make a new chart with: chart init {path}")


def test_relative_missing_path_is_named_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_unreadable("my chart.xlsx", "no such file. Check the path, or make a new chart with: chart init "
                                       "my chart.xlsx")


def test_folder(tmp_path):
    folder = tmp_path / "charts"
    folder.mkdir()
    assert_unreadable(folder, "is a folder, not a workbook. Give the path of an .xlsx file.")


def test_folder_named_like_a_workbook(tmp_path):
    folder = tmp_path / "chart.xlsx"
    folder.mkdir()
    assert_unreadable(folder, "is a folder, not a workbook. Give the path of an .xlsx file.")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_unreadable(path, f"the file is empty (0 bytes). {BACKUP_HINT}")


# --------------------------------------------------------------------------- other formats


def fake_xls(path):
    """An OLE compound file, as Excel 97-2003 writes: the magic number, then sectors."""
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff" + bytes(4066))
    return path


def test_xls(tmp_path):
    assert_unreadable(fake_xls(tmp_path / "old.xls"), XLS)


def test_xls_renamed_xlsx(tmp_path):
    assert_unreadable(fake_xls(tmp_path / "old.xlsx"), XLS)


def synthetic_ods(path):
    with zipfile.ZipFile(path, "w") as zf:
        # An ODF package starts with an uncompressed "mimetype" entry.
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return path


def test_ods_synthetic(tmp_path):
    assert_unreadable(synthetic_ods(tmp_path / "chart.ods"), ODS)


def test_ods_renamed_xlsx(tmp_path):
    assert_unreadable(synthetic_ods(tmp_path / "chart.xlsx"), ODS)


def soffice_convert(src, fmt, outdir, home):
    """Convert with a real soffice: a private profile and HOME, no stdin, and a timeout
    that kills the whole process group (soffice is a script that starts soffice.bin)."""
    profile = home / "lo-profile"
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home)}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                             "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"soffice did not convert {src} to {fmt} within 180 s")
    out = outdir / f"{src.stem}.{fmt}"
    assert proc.returncode == 0 and out.is_file(), output.decode("utf-8", "replace")
    return out


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice) on PATH")
def test_ods_made_by_libreoffice(tmp_path, good):
    home = tmp_path / "home"
    home.mkdir()
    ods = soffice_convert(good, "ods", tmp_path / "out", home)
    assert_unreadable(ods, ODS)


def test_csv(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("Name,Email\nAnn Lee,ann@fabrikam.org\n", encoding="utf-8")
    assert_unreadable(path, SAVE_AS_XLSX_CSV)


def test_csv_renamed_xlsx(tmp_path):
    path = tmp_path / "contacts.xlsx"
    path.write_text("Name;Email\nAnn Lee;ann@fabrikam.org\nJosé Ruiz;jose@contoso.com\n", encoding="cp1252")
    assert_unreadable(path, SAVE_AS_XLSX_CSV)


def test_csv_in_utf16_as_excel_unicode_text_writes_it(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("Name\tEmail\nAnn Lee\tann@fabrikam.org\n", encoding="utf-16")
    assert_unreadable(path, SAVE_AS_XLSX_CSV)


def test_text_file_renamed_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("call Ann tomorrow\n")
    assert_unreadable(path, "is a text file, not an Excel workbook. Open it in Excel or LibreOffice and save it as "
                            ".xlsx (Excel Workbook).")


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    assert_unreadable(path, f"is not an Excel workbook (it is not an .xlsx zip archive). {BACKUP_HINT}")


# --------------------------------------------------------------------------- damaged zips


def test_truncated_zip(tmp_path, good):
    path = tmp_path / "cut.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_unreadable(path, DAMAGED)


def test_zip_missing_its_last_bytes(tmp_path, good):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:-10])
    assert_unreadable(path, DAMAGED)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("holiday.txt", "not a workbook")
    assert_unreadable(path, NOT_A_WORKBOOK_ZIP)


def test_word_document_renamed_xlsx(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
    assert_unreadable(path, NOT_A_WORKBOOK_ZIP)


def test_malformed_sheet_xml(tmp_path, good):
    path = rewrite_zip(good, tmp_path / "bad.xlsx", replace={"xl/worksheets/sheet1.xml": "<worksheet><sheetData><row"})
    result = run("validate", path)
    assert result.exit_code == 2
    line = result.stderr
    assert line.startswith(f"Error: {path}: is damaged and cannot be read (")
    assert line.endswith(f"). {BACKUP_HINT}\n")
    assert line.count("\n") == 1 and "Traceback" not in result.output


def test_password_protected(tmp_path, good):
    import msoffcrypto.format.ooxml

    path = tmp_path / "locked.xlsx"
    with open(good, "rb") as src, open(path, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("pw", out)
    assert path.read_bytes().startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    assert_unreadable(path, ENCRYPTED)


# --------------------------------------------------------------------------- bombs


def test_xml_bomb_in_shared_strings(tmp_path, good):
    bomb = BILLION_LAUGHS + ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                             'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    path = rewrite_zip(good, tmp_path / "bomb.xlsx", add={"xl/sharedStrings.xml": bomb})
    assert_unreadable(path, entities_message("xl/sharedStrings.xml"))


def test_xml_bomb_in_a_sheet(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    bomb = BILLION_LAUGHS + sheet.split("?>", 1)[-1].replace("Ann Lee", "&lol9;")
    path = rewrite_zip(good, tmp_path / "bomb.xlsx", replace={"xl/worksheets/sheet1.xml": bomb})
    assert_unreadable(path, entities_message("xl/worksheets/sheet1.xml"))


def test_xml_bomb_hidden_behind_a_long_comment(tmp_path, good):
    # The prolog may hold comments before the DTD, so a check of the first few KB is not enough.
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    body = sheet.split("?>", 1)[-1].replace("Ann Lee", "&lol9;")
    head, dtd = BILLION_LAUGHS.split("\n", 1)
    bomb = head + "<!--" + "padding " * 2000 + "-->\n" + dtd + body
    path = rewrite_zip(good, tmp_path / "bomb.xlsx", replace={"xl/worksheets/sheet1.xml": bomb})
    assert_unreadable(path, entities_message("xl/worksheets/sheet1.xml"))


def test_xml_bomb_in_a_utf16_part(tmp_path, good):
    # XML parsers honour a UTF-16 byte-order mark, so the DTD check must read the part that way too.
    bomb = BILLION_LAUGHS + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    path = rewrite_zip(good, tmp_path / "bomb.xlsx",
                       add={"xl/sharedStrings.xml": bomb.replace("UTF-8", "UTF-16").encode("utf-16")})
    assert_unreadable(path, entities_message("xl/sharedStrings.xml"))


def test_dtd_after_a_processing_instruction_and_whitespace(tmp_path, good):
    bomb = ('<?xml version="1.0"?>\n<?app hint="x"?>\n\n' + BILLION_LAUGHS.split("\n", 1)[1]
            + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    path = rewrite_zip(good, tmp_path / "bomb.xlsx", add={"xl/sharedStrings.xml": bomb})
    assert_unreadable(path, entities_message("xl/sharedStrings.xml"))


def test_xml_bomb_in_a_part_named_in_capitals(tmp_path, good):
    # Package part names are case-insensitive; "XML" is parsed like "xml".
    bomb = BILLION_LAUGHS + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    path = rewrite_zip(good, tmp_path / "bomb.xlsx", add={"xl/sharedStrings.XML": bomb})
    assert_unreadable(path, entities_message("xl/sharedStrings.XML"))


def test_external_entity(tmp_path, good):
    xxe = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>')
    path = rewrite_zip(good, tmp_path / "xxe.xlsx", add={"xl/sharedStrings.xml": xxe})
    assert_unreadable(path, entities_message("xl/sharedStrings.xml"))


def test_zip_bomb(tmp_path, good):
    size = 25 * 1024 * 1024
    path = rewrite_zip(good, tmp_path / "zipbomb.xlsx", add={"xl/sharedStrings.xml": b" " * size})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
    ratio = int(info.file_size / info.compress_size)
    assert ratio > 100
    assert_unreadable(path, f"part xl/sharedStrings.xml unpacks {ratio} times its size (25 MB), as zip bombs do; "
                            "refused to protect your computer. Re-save the workbook in Excel or LibreOffice.")


def test_workbook_that_unpacks_too_large(tmp_path, good, monkeypatch):
    # The real limit is 2 GB; lower it rather than write gigabytes.
    monkeypatch.setattr(filecheck, "MAX_UNPACKED_BYTES", 1000)
    result = run("validate", good)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {good}: unpacks to 0 MB, far more than a contact chart holds; refused to "
                             "protect your computer.\n")


def test_large_part_that_compresses_like_real_xml_is_not_a_bomb(tmp_path, good, monkeypatch):
    # Only a part that is both big and far too compressible is refused; lower the size
    # limit rather than write megabytes of incompressible data.
    monkeypatch.setattr(filecheck, "MAX_PART_BYTES_AT_HIGH_RATIO", 1000)
    check_workbook_file(good)  # real XML compresses well below 100:1


# --------------------------------------------------------------------------- the library's side


@pytest.mark.parametrize("make, kind", [
    (lambda p: p, UnreadableWorkbook),  # missing
    (lambda p: (p.write_bytes(b""), p)[1], UnreadableWorkbook),
    (lambda p: write_workbook(p, {"Other": [["x"]]}), NotAChart),
])
def test_library_raises_chart_errors_with_exit_code_2(tmp_path, make, kind):
    path = make(tmp_path / "x.xlsx")
    with pytest.raises(kind) as info:
        read_chart(path)
    assert info.value.exit_code == 2
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


# --------------------------------------------------------------------------- damaged parts (point 7)


def _notes_cut(tmp_path, middle: bool):
    """The example chart with its Contacts notes part cut short, or broken in the middle only."""
    path = sample_chart(tmp_path / "sample.xlsx")
    with zipfile.ZipFile(path) as zf:
        notes = zf.read("xl/comments/comment1.xml")
    half = len(notes) // 2
    broken = notes[:half] + b"<<" + notes[half:] if middle else notes[:half]
    return rewrite_zip(path, tmp_path / "chart.xlsx", replace={"xl/comments/comment1.xml": broken})


DAMAGED_NOTES = ("is damaged: its part xl/comments/comment1.xml is cut short or is not valid XML. Open it in Excel or "
                 "LibreOffice and save it again to repair it, or restore it from a backup (chart sync keeps the last "
                 "10 in chart-backups/ beside the workbook).")


def test_a_big_part_cut_short_is_found_without_parsing_it_whole(tmp_path, monkeypatch):
    # A synced chart's Contacts relationships run to megabytes: a read only looks at their ends.
    monkeypatch.setattr(filecheck, "PARSE_WHOLE_BYTES", 0)
    path = _notes_cut(tmp_path, middle=False)
    result = run("validate", path)
    assert (result.exit_code, result.stderr) == (2, f"Error: {path}: {DAMAGED_NOTES}\n")


def test_a_big_part_broken_inside_is_found_before_a_write(tmp_path, monkeypatch):
    # Its ends look right, so a read passes it (the zip's checksum guards the bytes between
    # against damage in storage); sync parses what it edits whole before it writes.
    monkeypatch.setattr(filecheck, "PARSE_WHOLE_BYTES", 0)
    path = _notes_cut(tmp_path, middle=True)
    assert run("validate", path).exit_code == 0
    before = path.read_bytes()
    result = run("sync", path, "--today", "2026-11-25")
    assert (result.exit_code, result.stderr) == (2, f"Error: {path}: {DAMAGED_NOTES}\n")
    assert path.read_bytes() == before


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=1500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("&;#x0123456789abAmpltquo\u00e9 <>\"'")) | st.characters(),
                    max_size=30))
def test_relationship_attributes_are_unescaped_as_html_unescapes_them(text):
    # _unescaped leaves html (and its entity table) unimported for text without an "&": it must agree everywhere.
    import html

    from workbook_tool.filecheck import _unescaped

    assert _unescaped(text) == html.unescape(text)
    assert _unescaped(text + "&amp;") == html.unescape(text + "&amp;")
