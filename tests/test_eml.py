"""``eml.py``: what a cell's text may become in a mail header, and the .eml bytes of a draft.

No text a person typed may add a header (a line break, or an RFC 2047 encoded word that
decodes to one), and ``build_eml`` writes exactly what the email package writes, by its
own short cuts: property tests compare the two on generated names, subjects and bodies.
"""

from __future__ import annotations

from email import policy

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mail_checks import HOSTILE_TEXT, HOSTILE_WORDS, assert_only_the_expected_headers
from workbook_tool import eml


def test_header_text_removes_every_line_break():
    assert eml.header_text("a\r\nb\nc\rd\u2028e\x85f\tg") == "a b c d e f g"


def test_header_text_breaks_every_encoded_word():
    for word in HOSTILE_WORDS:
        assert "=?" not in eml.header_text(f"Ann {word}")
    assert eml.header_text("=?=?") == "= ?= ?"


@settings(max_examples=1000, deadline=None)
@given(text=HOSTILE_TEXT | st.text(alphabet=" \u00a0\u3000\t\n\u2028\u200b=?ab", max_size=12))
def test_header_text_returns_printable_text_as_it_is_only_where_that_is_what_spacing_it_out_gives(text):
    import unicodedata

    spaced = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    assert eml.header_text(text) == " ".join(spaced.replace("=?", "= ?").split())


def test_an_address_holding_an_encoded_word_cannot_be_a_header():
    assert eml.header_address_problem("ann@x.org") is None
    assert eml.header_address_problem("=?utf-8?q?x?=@x.org") == 'a mail program would read its "=?" as an encoded word'


@settings(max_examples=300, deadline=None)
@given(name=HOSTILE_TEXT, me=HOSTILE_TEXT, subject=HOSTILE_TEXT)
def test_no_text_makes_a_header_property(name, me, subject):
    assert_only_the_expected_headers(eml.build_eml(name, "ann@x.org", me, "me@x.org", subject, "Hi\n"))


# Names long enough to be folded, full of the characters that make an address list: a group's colon and
# semicolon, an @, commas, quotes, angle brackets.
FOLDED_NAMES = st.lists(st.sampled_from([*':;@,<>()[]".\\ ', "Bcc:", "evil@attacker.example", "Lee,", "ü", "王",
                                         "=?utf-8?q?=0D=0ABcc:_evil@attacker.example?=", "Wolfeschlegelsteinhausen"]),
                        min_size=8, max_size=24).map("".join)


def _mailbox_read(raw: bytes, header: str) -> list[str]:
    """The addresses a mail program reads in a header of ``raw``, or the groups' names if it reads a group."""
    from email.parser import BytesParser

    value = BytesParser(policy=policy.default).parsebytes(raw)[header]
    return [g.display_name or a.addr_spec for g in value.groups for a in (g.addresses or [None]) if a or g.display_name]


@pytest.mark.parametrize("where", ["to", "from"])
def test_a_long_name_with_a_colon_is_never_read_as_a_group_of_addresses(where):
    # The email package (3.11) drops the quotes around such a name when it folds it: "From: x: evil@…; <me@…>"
    # is then a group holding the attacker's address. The name goes as encoded words instead.
    name = "=?utf-8?q?=0D=0ABcc:_evil@attacker.example?==?utf-8?q?=0D=0ABcc:_evil@attacker.example?=;"
    to_name, from_name = (name, "Me") if where == "to" else ("Ann", name)
    raw = eml.build_eml(to_name, "ann@x.org", from_name, "me@x.org", "Hi", "Hi\n")
    assert _mailbox_read(raw, "To") == ["ann@x.org"] and _mailbox_read(raw, "From") == ["me@x.org"]
    msg = assert_only_the_expected_headers(raw)
    # (The email package's parser puts a space where encoded words were folded, RFC 2047 none: compare words.)
    shown = msg["To" if where == "to" else "From"].addresses[0].display_name
    assert shown.replace(" ", "") == eml.header_text(name).replace(" ", "")


@settings(max_examples=400, deadline=None)
@given(name=HOSTILE_TEXT | FOLDED_NAMES, me=HOSTILE_TEXT | FOLDED_NAMES)
def test_to_and_from_read_back_as_the_one_address_they_name_property(name, me):
    try:
        raw = eml.build_eml(name, "ann@x.org", me, "me@x.org", "Hi", "Hi\n")
    except ValueError:
        return  # no .eml at all: the draft is written as text
    assert _mailbox_read(raw, "To") == ["ann@x.org"] and _mailbox_read(raw, "From") == ["me@x.org"]


def test_build_eml_keeps_encoded_words_out_of_headers():
    for word in HOSTILE_WORDS:
        for name in (word, f"Ann {word}", f"Zoë {word} Ødegård", f"Lee, {word}", f'"{word}"'):
            raw = eml.build_eml(name, "ann@x.org", name, "me@x.org", f"Re: {name}", "Hi\n")
            msg = assert_only_the_expected_headers(raw)
            # (The email package's parser puts a space where it folded an encoded word: compare words.)
            assert msg["To"].addresses[0].display_name.replace(" ", "") == eml.header_text(name).replace(" ", "")
        with pytest.raises(ValueError, match="encoded word"):
            eml.build_eml("Ann", f"{word.replace(':', '=3A')}@x.org", "", None, "Hi", "Hi\n")


def stdlib_eml(name, to, sender_name, sender, subject, body) -> bytes:
    """What build_eml promises to write: the email package's own message, built the slow way."""
    from email.headerregistry import Address
    from email.message import EmailMessage

    msg = EmailMessage(policy=policy.SMTP)
    msg["To"] = Address(display_name=name, addr_spec=to)
    if sender:
        msg["From"] = Address(display_name=sender_name, addr_spec=sender)
    msg["Subject"] = subject
    msg["X-Unsent"] = "1"
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()


def eml_cases(count: int, seed: int = 1):
    """Names, addresses, subjects and bodies of every shape build_eml has a short cut for, and others."""
    import random

    rnd = random.Random(seed)
    words = ["Ann", "W.", "Lee,", "(x)", "Jürgen", "王", "de", "Müller-Lüdenscheidt", "a@b", "[x]", "O'Neil", "Ñ.",
             "ü:", "Παπαδόπουλος", "Christopher", "Maximilian-Alexander", "Wolfeschlegelsteinhausen", "Nguyễn",
             "さくら", "Анна", "Dr.", "Jean-Luc", "=?x?=", '"Bo"', "a\\b", "&", "Zoë", "Ødegård"]
    chars = list("abcXYZ019 .,()@;:<>[]'-_=?!#$%&*+/^`{|}~\"") + list("éüßñ王山田Παπαδόπουλοςさくらнна€ễ")
    addresses = ["ann.lee@example.com", "a@b.co", "x_y+z@sub.example-company.co.uk",
                 "averyveryveryverylongaddressname.here@subdomain.example-company.co.uk", "zoë@example.com"]
    lines = ["Dear Ann,", "", "I am a data analyst – 15–20 minutes?", "x" * 200, "trailing space ", "tab\t",
             "=3D and = signs", "Ünïcödé " * 30, "."]
    for _ in range(count):
        if rnd.random() < 0.5:
            name = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 9)))
        else:
            name = eml.header_text("".join(rnd.choice(chars) for _ in range(rnd.randint(1, 70)))) or "X"
        subject = rnd.choice(["A request for 15–20 minutes of your advice", "Hello", name + " suggested I contact you",
                              "x" * 90, "=?utf-8?q?x?= y"])
        body = "\n".join(rnd.choice(lines) for _ in range(rnd.randint(1, 8))) + "\n"
        yield name, rnd.choice(addresses), rnd.choice(["Jordan Rivera", "Zoë Ødegård", ""]), \
            rnd.choice(["jordan@example.com", None]), subject, body


def test_build_eml_writes_what_the_email_package_writes():
    # build_eml writes plain headers itself and replays the stdlib's folding for
    # non-ASCII names (the stdlib takes milliseconds per header); the bytes must not change.
    # build_eml makes every text header-safe first (header_text: no line breaks, no encoded words).
    compared = replayed = 0
    for name, to, sender_name, sender, subject, body in eml_cases(300):
        try:
            safe = eml.header_text
            want = stdlib_eml(safe(name), to, safe(sender_name), sender, safe(subject), body)
        except ValueError:
            with pytest.raises(ValueError):
                eml.build_eml(name, to, sender_name, sender, subject, body)
            continue
        assert eml.build_eml(name, to, sender_name, sender, subject, body) == want, (name, to, subject)
        compared += 1
        replayed += not name.isascii() and eml._encoded_to_header(eml.header_text(name), to) is not None
    assert compared > 200 and replayed > 50


# Words of every shape build_eml has a short cut for (plain, quoted, non-ASCII, long) and of
# shapes it leaves to the email package (specials, quotes, backslashes, "=?").
WORDS = ["Ann", "W.", "Lee,", "(x)", "Jürgen", "王", "de", "Müller-Lüdenscheidt", "a@b", "[x]", "O'Neil", "Ñ.",
         "ü:", "Παπαδόπουλος", "Maximilian-Alexander", "Wolfeschlegelsteinhausen", "Nguyễn", "さくら", "Анна", "Dr.",
         "=?x?=", '"Bo"', "a\\b", "&", "Zoë", "Ødegård", "x" * 40, "é" * 30]
_WORD = st.sampled_from(WORDS) | st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
NAMES = st.lists(_WORD, min_size=1, max_size=10).map(" ".join)
ADDRESSES = st.sampled_from(["ann.lee@example.com", "a@b.co", "x_y+z@sub.example-company.co.uk",
                             "averyveryveryverylongaddressname.here@subdomain.example-company.co.uk",
                             "zoë@example.com"])
LINES = st.sampled_from(["Dear Ann,", "", "I am a data analyst – 15–20 minutes?", "x" * 200, "trailing space ",
                         "tab\t", "=3D and = signs", "Ünïcödé " * 30, "."]) | st.text(max_size=120)
BODIES = st.lists(LINES, min_size=1, max_size=6).map(lambda lines: "\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(name=NAMES, to=ADDRESSES, sender_name=NAMES | st.just(""), sender=st.sampled_from(["me@example.com", None]),
       subject=NAMES | st.sampled_from(["A request for 15–20 minutes of your advice", "Hello"]), body=BODIES)
def test_build_eml_equals_the_email_package_property(name, to, sender_name, sender, subject, body):
    safe = eml.header_text
    try:
        want = stdlib_eml(safe(name), to, safe(sender_name), sender, safe(subject), body)
    except ValueError:  # an address the email package refuses: build_eml refuses it too
        with pytest.raises(ValueError):
            eml.build_eml(name, to, sender_name, sender, subject, body)
        return
    got = eml.build_eml(name, to, sender_name, sender, subject, body)
    if not _names_the_one_mailbox(want, to, sender):
        # The email package (3.11) folded a name with specials unquoted ("From: Ann a@b …" on two lines), a
        # header naming another address: build_eml writes that name as encoded words instead (b56836f).
        assert _names_the_one_mailbox(got, to, sender)
        return
    assert got == want


def _names_the_one_mailbox(raw: bytes, to: str, sender: str | None) -> bool:
    return _mailbox_read(raw, "To") == [to] and (not sender or _mailbox_read(raw, "From") == [sender])


def test_build_eml_departs_from_the_email_package_only_where_its_header_names_another_address():
    # The example hypothesis found: the email package's From header reads back as something other than me@…
    args = ("Ann", "ann.lee@example.com", "Ann Ann a@b Wolfeschlegelsteinhausen " + "x" * 40, "me@example.com",
            "A request for 15–20 minutes of your advice", "Dear Ann,\n")
    want = stdlib_eml(*args)
    assert not _names_the_one_mailbox(want, args[1], args[3])
    got = eml.build_eml(*args)
    assert _names_the_one_mailbox(got, args[1], args[3])
    assert got.split(b"\r\nSubject:")[1] == want.split(b"\r\nSubject:")[1]  # the rest as the email package's


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Z", "C")), min_size=1, max_size=14))
def test_an_encoded_word_is_the_one_the_email_package_writes_property(text):
    # A word without spaces, short enough for one line: the email package writes it as one encoded word
    # when it is not ASCII.
    want = eml.encoded_word(text) if not text.isascii() else text
    assume(len("Subject: " + want) <= 78)
    folded = policy.SMTP.fold_binary(*policy.SMTP.header_store_parse("Subject", text)).decode("ascii")
    assert folded == f"Subject: {want}\r\n"


@pytest.mark.parametrize("shape", ["Zoë {x}", "{x} Zoë", "Lee, Zoë {x}", "王 {x} ü:"])
def test_build_eml_equals_the_email_package_at_every_line_length(shape):
    # Where a header folds is decided one character at a time: sweep names and subjects
    # across the 78-character line, for every address length.
    for n in range(0, 80):
        text = shape.format(x="x" * n)
        for to in ("a@b.co", "ann.lee@example.com", "averyveryveryverylongaddressname.here@subdomain.example.co.uk"):
            safe = eml.header_text(text)  # build_eml's first step: one space between words
            want = stdlib_eml(safe, to, safe, "me@example.com", safe, "Hi\n")
            assert eml.build_eml(text, to, text, "me@example.com", text, "Hi\n") == want, (text, to)


def _stdlib_qp(line: bytes) -> bytes:
    from email import quoprimime

    return quoprimime.body_encode(line.decode("latin-1"), 78, eol="\r\n").encode("ascii") + b"\r\n"


@settings(max_examples=2000, deadline=None)
@given(line=st.binary(max_size=300).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
       | st.lists(st.sampled_from([b"=", b" ", b"\t", b"x", b"\xc3\xa9", b"\xd0\x94", b".", b"~", b"\x7f"]),
                  max_size=200).map(b"".join))
def test_a_body_line_is_quoted_as_the_email_package_quotes_it_property(line):
    assert eml._qp_line.__wrapped__(line) == _stdlib_qp(line)


def test_a_body_line_is_quoted_as_the_email_package_quotes_it_at_every_length():
    # Where a soft break goes is decided one character at a time around 77: an "=XX" there, or a
    # space or a tab at the end, at every length.
    for n in range(0, 240):
        for tail in (b"", b"=", b"==", b"\xc3\xa9", b" ", b"\t", b"x ", b"= ", b"\xc3\xa9\t"):
            for line in (b"x" * n + tail, b"=" * n + tail, (b"a\xd0\x94" * n)[:n] + tail):
                assert eml._qp_line.__wrapped__(line) == _stdlib_qp(line), line


# Names of the shape _encoded_to_header writes itself: words (non-ASCII ones, initials, specials) and single spaces.
REPLAYED_WORDS = st.sampled_from(["V.", "O.", "Ñ.", "Lee,", "ü:", "(x)", "[x]", "a@b", "<b>", "x;y", "Dvořák", "Иванов",
                                  "Γιώργος", "Nguyễn", "Thị", "王", "Ann", "de", "Jean-Luc", "O'Neil", "Zoë", "x" * 30,
                                  "é" * 20]) | st.text(st.characters(codec="utf-8", exclude_categories=("Z", "C")),
                                                        min_size=1, max_size=12)
REPLAYED_NAMES = st.lists(REPLAYED_WORDS, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(name=REPLAYED_NAMES, to=ADDRESSES)
def test_a_to_header_encoded_here_reads_back_as_the_one_mailbox_property(name, to):
    # _to_header skips parsing back a header _encoded_to_header made (a millisecond each, for every folded
    # name with an initial's "."): it must be one the parse-back would keep as it is.
    display = eml.header_text(name)
    made = eml._encoded_to_header(display, to) if not display.isascii() and eml._PLAIN_ADDRESS.fullmatch(to) else None
    assume(made is not None)
    assert eml._reads_as_one("To", made, to), (display, made)
    assert eml._to_header(display, to) == made


def test_a_folded_name_with_an_initial_is_a_header_the_parse_back_is_skipped_for():
    # The case the short cut is for (the property above covers it with others): folded, with a special.
    name, to = "Valentina O. Fernández", "averyveryveryverylongaddressname.here@subdomain.example-company.co.uk"
    made = eml._encoded_to_header(name, to)
    assert made.count(b"\r\n") == 2 and not eml._plainly_one(made, name)
    assert eml._reads_as_one("To", made, to) and eml._to_header(name, to) == made
