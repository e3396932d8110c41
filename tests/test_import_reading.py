"""chart import's reading of a table export, with less work per cell: each short cut proven equal to the plain way.

The plain way is kept here as the oracle: each row's cells cleaned one by one (``exports._clean``), and each
key's values looked up column by column, a cell split at Google's ":::" (the reading before issue 16). Random
tables with the headers of every export, cells with spaces, line ends, several values, and characters a workbook
cannot hold are read both ways, through the library and through a CSV file.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import unicodedata
from pathlib import Path

import pytest

from workbook_tool import exports
from workbook_tool.exports import Person, read_contacts_file

HEADERS = {
    "linkedin": ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
    "google": ["Name", "Given Name", "Additional Name", "Family Name", "E-mail 1 - Value", "E-mail 2 - Value",
               "Phone 1 - Value", "Phone 2 - Value", "Organization 1 - Name", "Organization 1 - Title", "Notes"],
    "outlook": ["Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Job Title",
                "E-mail Address", "Mobile Phone", "Business Phone", "Home Phone", "Notes"],
    "csv": ["Name", "Email", "Phone", "Organization", "Title", "Notes", "Birthday", "Website"],
}
CELLS = ["", " ", "Ann", "Lee", " Zoë  Müller ", "ann@example.org", "a@x.org ::: b@y.org", " ::: ", ":::",
         "b@y.org:::", "+1 617 555 0101", "617-555-0101 ::: +44 20 7946 0678", "Contoso", "Dr.", "two\r\nlines",
         "cr\ronly", "line\nend\n", "https://www.linkedin.com/in/ann-lee", "03 Mar 2024", "=1+1", "tab\tin",
         "\u00a0nbsp\u00a0"]
UNWRITABLE = ["bell\x07", "\x0b", "bad\ufffe", "\x1f"]  # characters an .xlsx cannot hold: cleaned out


def old_read_table(path, rows, header_index, fmt):
    """The reading as it was: every cell through ``_clean``, every key looked up column by column."""
    header = rows[header_index]
    columns: dict[str, list[tuple[int, int]]] = {}
    ignored = []
    for c, text in enumerate(header):
        key = exports._column_key(text, fmt)
        if key is None:
            if text.strip():
                ignored.append(text.strip())
            continue
        columns.setdefault(key[0], []).append((key[1], c))
    for spots in columns.values():
        spots.sort()
    people = []
    for index in range(header_index + 1, len(rows)):
        cells = [exports._clean(v) for v in rows[index]]
        if not any(cells):
            continue

        def values(key):
            found = []
            for _, c in columns.get(key, []):
                if c < len(cells) and cells[c]:
                    found += [v for v in exports.MULTI_VALUE.split(cells[c]) if v]
            return found

        def first(key):
            found = values(key)
            return found[0] if found else ""

        name = first("name") or " ".join(p for p in (first("first"), first("middle"), first("last")) if p)
        person = Person(f"row {index + 1}", name, emails=values("email"), phones=values("phone"))
        notes = exports._notes(first("notes"), first("url"), first("connected_on"), fmt)
        for key, value in (("organization", first("organization")), ("title", first("title")),
                           ("phone", person.phones[0] if person.phones else ""),
                           ("email", person.emails[0] if person.emails else ""), ("notes", notes)):
            if value:
                person.values[key] = value
        people.append(person)
    result = exports.ContactsFile(path, fmt, people)
    if ignored and fmt in ("csv", "xlsx"):
        result.notes.append(f"Columns not imported: {', '.join(ignored)}.")
    return result


def seen(read) -> tuple:
    return read.format, read.notes, [(p.where, p.name, p.values, p.emails, p.phones, p.problem) for p in read.people]


def random_table(rng: random.Random, unwritable: bool) -> tuple[str, list[list[str]]]:
    fmt = rng.choice(list(HEADERS))
    header = HEADERS[fmt][:]
    rng.shuffle(header)
    header = header[: rng.randint(2, len(header))]
    if not any(h in header for h in ("Name", "First Name", "Last Name", "Given Name", "Family Name")):
        header.append("Name")
    pool = CELLS + (UNWRITABLE if unwritable else [])
    rows = [header]
    for _ in range(rng.randint(0, 12)):
        # Ragged rows, as exports cut short: fewer or more cells than headers.
        rows.append([rng.choice(pool) for _ in range(rng.randint(0, len(header) + 2))])
    return fmt, rows


@pytest.mark.parametrize("seed", range(40))
def test_rows_read_as_the_plain_way_reads_them(seed):
    rng = random.Random(seed)
    for _ in range(25):
        _, rows = random_table(rng, unwritable=rng.random() < 0.5)
        found = exports._find_table_header(rows)
        assert found is not None
        index, fmt = found
        plain = seen(old_read_table(Path("x.csv"), rows, index, fmt))
        assert seen(exports._read_table(Path("x.csv"), rows, index, fmt)) == plain
        # The short cleaning, where no cell holds a character a workbook cannot hold:
        if not any(exports.xml_text(v) != v for row in rows for v in row):
            assert seen(exports._read_table(Path("x.csv"), rows, index, fmt, exports._clean_text)) == plain
        # An .xlsx's rows come cleaned already:
        cleaned = [[exports._clean(v) for v in row] for row in rows]
        assert seen(exports._read_table(Path("x.csv"), cleaned, index, fmt, None)) == plain


@pytest.mark.parametrize("seed", range(10))
def test_csv_files_read_as_the_plain_way_reads_them(tmp_path, seed):
    rng = random.Random(1000 + seed)
    for n in range(15):
        fmt, rows = random_table(rng, unwritable=n % 3 == 0)
        # Plain rows besides, as in a real export: a file mostly of control characters is taken for binary.
        rows += [[f"Pad {i}"] * len(rows[0]) for i in range(40)]
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator=rng.choice(["\r\n", "\n"])).writerows(rows)
        path = tmp_path / f"export{n}.csv"
        path.write_text(buffer.getvalue(), "utf-8", newline="")
        text = exports._decode(path.read_bytes(), path)
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        index, fmt = exports._find_table_header(parsed)
        assert seen(read_contacts_file(path)) == seen(old_read_table(path, parsed, index, fmt))


def test_control_characters_counted_are_unicodes_but_tab_line_ends_and_form_feed():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = [ch for ch in every if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"]
    assert exports._CONTROLS.findall(every) == expected


def test_binary_junk_is_still_refused_and_text_with_a_few_controls_is_not(tmp_path):
    from workbook_tool.errors import UnreadableWorkbook

    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(1, 256)) * 40)  # no NUL: decoded as cp1252 or latin-1, full of controls
    with pytest.raises(UnreadableWorkbook, match="binary"):
        read_contacts_file(junk)
    fine = tmp_path / "fine.csv"
    fine.write_bytes(b"Name,Notes\r\nAnn Lee,bell\x07 here\r\nBob Roe,\x1b[31mred\r\n" + b"Cy Poe,plain\r\n" * 10)
    read = read_contacts_file(fine)
    assert [p.name for p in read.people][:2] == ["Ann Lee", "Bob Roe"]
    assert read.people[0].values["notes"] == "bell here"  # what a workbook cannot hold is left out


def test_a_table_reads_every_key_its_columns_can_fill():
    filled = {key for key, _ in exports.EXPORT_HEADERS.values()} | set(exports.IMPORTED_KEYS)
    assert filled == set(exports.TABLE_KEYS)
