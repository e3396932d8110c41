"""Mail headers and ``.eml`` bytes: what a cell's text may become in a header, and the draft file.

``header_text`` makes any text safe for a header (no line break, no RFC 2047 encoded
word); ``header_address_problem`` says why an address cannot be one. ``build_eml``
writes a draft exactly as the email package would (``EmailMessage`` with
``policy.SMTP``, ``set_content`` in UTF-8 quoted-printable, ``as_bytes``), but without
building a message per draft: that takes milliseconds, mostly folding a non-ASCII
name, and a chart has thousands of contacts. Headers of the shapes drafts have are
written here, as the email package folds them, and the rest go to the email
package's public API (``policy.SMTP.header_store_parse`` and ``fold_binary``); each
distinct body line is quoted once, as ``email.quoprimime`` quotes it. ``tests/test_eml.py``
holds them equal with property tests. Nothing here imports the email package's private modules.
"""

from __future__ import annotations

import base64
import functools
import re
import string
import unicodedata

# How an RFC 2047 encoded word starts (``=?utf-8?q?=0D=0ABcc:_x@y.z?=``). The email package
# decodes one while it folds a header, after every real line break was taken out, and a
# mail program may decode one in a mailto: subject (RFC 6068 allows it): either way a
# cell's text would become a line break and a header of its own.
ENCODED_WORD = "=?"


def header_text(value) -> str:
    """Text safe for a mail header: every line break and control character becomes a space,
    and ``=?`` becomes ``= ?``, so that nothing in it can be read as an encoded word.

    A cell holding ``Ann\\nBcc: evil@x.com`` or ``=?utf-8?q?=0D=0ABcc:_evil@x.com?=``
    must not add a header.
    """
    text = str(value)
    printable = text.isprintable()
    if not printable:  # printable text has no Cc, Cf, Zl or Zp character
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    if ENCODED_WORD in text:
        text = text.replace(ENCODED_WORD, "= ?")
    # Printable text holds no space but " ": without two in a row or one at an end, it is as it is.
    if printable and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def header_address_problem(address: str) -> str | None:
    """Why a valid address (fields.check_email) cannot go in a mail header, or None when it can.

    ``=?`` is allowed in an address, but the email package decodes an encoded word at
    the start of one as it does in a name; an address is not ours to rewrite.
    """
    if ENCODED_WORD in address:
        return 'a mail program would read its "=?" as an encoded word'
    return None


def build_eml(name: str, to: str, sender_name: str, sender: str | None, subject: str, body: str) -> bytes:
    """An RFC 5322 draft (CRLF, UTF-8, quoted-printable) that mail programs open for editing.

    ``X-Unsent: 1`` marks it unsent, so that Outlook opens it as a new message to
    edit and send rather than as a received one. There is no Date or Message-ID:
    the mail program adds its own when the person sends it, and the file stays
    the same from one run to the next. Raises ValueError when an address cannot
    be a header (header_address_problem).
    """
    return eml_head(name, to, sender_name, sender, subject) + eml_body(body)


def eml_head(name: str, to: str, sender_name: str, sender: str | None, subject: str) -> bytes:
    """``build_eml``'s headers and the blank line after them: all of it that can raise ValueError."""
    for address in (to, sender):
        problem = address and header_address_problem(address)
        if problem:
            raise ValueError(f"{address!r}: {problem}")
    head = [_to_header(header_text(name), to)]
    if sender:
        head.append(_from_header(header_text(sender_name), sender))
    head += [_subject_header(header_text(subject or "")), _EML_FIXED_HEADERS]
    return b"".join(head)


def eml_body(body: str) -> bytes:
    """``build_eml``'s body, after ``eml_head``: quoted-printable, line by line. Raises nothing."""
    # As email.contentmanager does for set_content: split the UTF-8 bytes into lines
    # and quote them. Quoted-printable treats each line alone, and most lines of a
    # chart's drafts (the Profile's paragraphs, the signature) are the same in every
    # draft, so each distinct line is quoted once.
    return b"".join([_qp_line(line) for line in body.encode("utf-8").splitlines()])


@functools.lru_cache(maxsize=4096)
def _qp_line(line: bytes) -> bytes:
    """One body line (no CR or LF in it) quoted-printable as the stdlib writes it, with its CRLF.

    What ``email.quoprimime.body_encode(line.decode("latin-1"), 78, eol="\r\n")`` gives, but
    quoting each run of bytes that need it at once where the stdlib looks up every character
    in a table (half of its time, and a draft's own first paragraph is a new line every time),
    then breaking the line as it does. A test compares the two.
    """
    if not line:
        return b"\r\n"
    line = _QP_QUOTED.sub(_qp_quote, line)
    pieces = []
    start = 0
    last_start = len(line) - 1 - _SMTP_MAX_LINE
    while start <= last_start:  # pieces of 77 characters and "=", never cutting an "=XX" in two
        stop = start + _SMTP_MAX_LINE - 1
        if line[stop - 2] == _EQUALS:
            pieces.append(line[start:stop - 1])
            start = stop - 2
        elif line[stop - 1] == _EQUALS:
            pieces.append(line[start:stop])
            start = stop - 1
        else:
            pieces.append(line[start:stop] + b"=")
            start = stop
    if line[-1] in b" \t":  # a space at the end of a line is quoted, or kept before a soft break
        room = start - last_start
        if room >= 3:
            end = b"=%02X" % line[-1]
        elif room == 2:
            end = line[-1:] + b"=\r\n"
        else:
            end = b"=\r\n=%02X" % line[-1]
        pieces.append(line[start:-1] + end)
    else:
        pieces.append(line[start:])
    pieces.append(b"")
    return b"\r\n".join(pieces)


# The bytes quoted-printable writes as "=XX" in a body: all but tab and printable ASCII other than "=".
_QP_QUOTED = re.compile(rb"[^\t -<>-~]+")
_EQUALS = ord("=")


def _qp_quote(run: re.Match) -> bytes:
    return ("=" + run.group().hex("=")).upper().encode("ascii")


# What the stdlib (EmailMessage with policy.SMTP, set_content with utf-8 and
# quoted-printable, as_bytes) writes after the To, From and Subject headers. The
# headers before it are folded by the stdlib too, once per distinct value.
_EML_FIXED_HEADERS = (b"X-Unsent: 1\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n"
                      b"Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\n")
_SMTP_MAX_LINE = 78
# A display name of plain words and an address of plain atoms: the stdlib writes
# them as they are, "Name <addr>", when the line fits.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


_QUOTABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,'()&-]*")
_SPECIALS = frozenset('()<>@,:;."[]')


def _to_header(display: str, addr: str) -> bytes:
    folded, replayed = _to_header_replayed(display, addr)
    # A header _encoded_to_header made is the one mailbox by its shape (every special of the name is inside its
    # one encoded word, before a plain address): parsing it back, a millisecond each for the names with an
    # initial's "." that fold, would find it so (a property test holds it).
    return folded if replayed or _plainly_one(folded, display) else _one_mailbox("To", display, addr, folded)


def _to_header_replayed(display: str, addr: str) -> tuple[bytes, bool]:
    """The To header as the stdlib folds it, and whether ``_encoded_to_header`` made it."""
    if _PLAIN_ADDRESS.fullmatch(addr):
        line = ""
        if _PLAIN_NAME.fullmatch(display):
            line = f"To: {display} <{addr}>"
        elif _QUOTABLE_NAME.fullmatch(display) and not display.endswith(" "):
            line = f'To: "{display}" <{addr}>' if not _SPECIALS.isdisjoint(display) else f"To: {display} <{addr}>"
        elif not display.isascii():
            folded = _encoded_to_header(display, addr)
            if folded is not None:
                return folded, True
        if line and len(line) <= _SMTP_MAX_LINE:
            return line.encode("ascii") + b"\r\n", False
    return _address_header("To", display, addr), False


def _encoded_to_header(display: str, addr: str) -> bytes | None:
    """``To: Name <addr>`` with RFC 2047 encoded words, as the stdlib folds it; None to ask the stdlib.

    The email package takes about 3 ms for a non-ASCII name (it parses the
    address back and refolds the parse tree level by level), a third of drafting
    time when a fifth of a chart's names are not ASCII. For a name of words
    separated by single spaces the outcome is simple: a word is encoded when it
    is not ASCII or, inside the quotes Address puts around a name with specials,
    holds a special, and everything from the first encoded word to the last
    becomes one encoded word; the quotes go. Then the line is folded the way
    the email package does for this shape (replayed by _fold_to below). Names of
    other shapes (quotes, backslashes, "=?") and any fold that would split an
    encoded word or a word go to the stdlib. A test compares the two.
    """
    # isprintable() is False for tabs, line breaks and every space but " ".
    if ('"' in display or "\\" in display or "=?" in display or "  " in display or display != display.strip()
            or not display.isprintable()):
        return None
    quoted = not _SPECIALS.isdisjoint(display)
    tokens: list[tuple[bool, str]] = []  # (to encode, text), as the parse tree's leaves come
    for i, word in enumerate(display.split(" ")):
        if quoted:  # a quoted-string: each word and each space is a leaf, then the space before <addr>
            tokens += [(False, " ")] if i else []
            tokens.append((not word.isascii() or not _SPECIALS.isdisjoint(word), word))
        elif word.isascii():  # an ASCII atom goes whole, with the space after it
            tokens.append((False, word + " "))
        else:
            tokens += [(True, word), (False, " ")]
    if quoted:
        tokens.append((False, " "))
    angle = f"<{addr}>"
    # The address list is first folded on its own; on one line it is placed whole, after "To: " if it fits,
    # else on the next line. Otherwise its leaves are folded after "To: ".
    alone = _fold_to("", tokens, angle)
    if alone is None:
        return None
    if len(alone) == 1:
        line = alone[0]
        text = f"To: {line}\r\n" if 4 + len(line) <= _SMTP_MAX_LINE else f"To:\r\n {line}\r\n"
        return text.encode("ascii")
    lines = _fold_to("To: ", tokens, angle)
    return None if lines is None else ("\r\n".join(lines) + "\r\n").encode("ascii")


def _fold_to(start: str, tokens: list[tuple[bool, str]], angle: str) -> list[str] | None:
    """How policy.SMTP folds a To header: a display name's leaves, then ``<addr>``.

    The name's leaves are folded as ``_fold_leaves`` does and must stay on one
    line; ``<addr>`` that does not fit goes to the next line, taking the space
    before it. None where the stdlib would do more (split an encoded word or a word).
    """
    lines = _fold_leaves(start, tokens)
    if lines is None or len(lines) > 1:
        return None
    line = lines[0]
    if len(line) + len(angle) <= _SMTP_MAX_LINE:
        return [line + angle]
    if not line.endswith(" ") or len(angle) + 1 > _SMTP_MAX_LINE:
        return None
    return [line[:-1], " " + angle]


def _subject_header(subject: str) -> bytes:
    line = "Subject: " + subject
    if subject and len(line) <= _SMTP_MAX_LINE and subject.isascii() and subject.isprintable() and "=?" not in subject:
        return line.encode("ascii") + b"\r\n"
    return _encoded_subject(subject)


@functools.lru_cache(maxsize=1024)
def _encoded_subject(subject: str) -> bytes:
    if (subject and not subject.isascii() and subject.isprintable() and "=?" not in subject and "  " not in subject
            and subject == subject.strip()):
        # A subject naming a referrer whose name is not ASCII: each one differs, and the
        # stdlib takes milliseconds for each. Its text is words and single spaces, each
        # a leaf of the parse tree, which _fold_leaves replays.
        tokens = []
        for i, word in enumerate(subject.split(" ")):
            tokens += [(False, " ")] if i else []
            tokens.append((not word.isascii(), word))
        lines = _fold_leaves("Subject: ", tokens)
        if lines is not None:
            return ("\r\n".join(lines) + "\r\n").encode("ascii")
    return _fold_header("Subject", subject)


def _fold_leaves(start: str, tokens: list[tuple[bool, str]]) -> list[str] | None:
    """How policy.SMTP folds a header's leaves (to encode?, text) after ``start``.

    An encoded leaf joins the encoded word before it on the line, with the plain
    text since; a plain word that does not fit goes to the next line, taking the
    space before it. None where the stdlib would do more (split an encoded word).
    """
    lines, last_ew, since_ew = [start], None, ""
    for to_encode, text in tokens:
        line = lines[-1]
        if to_encode:
            if last_ew is None:
                last_ew, since_ew = len(line), text
            else:
                line, since_ew = line[:last_ew], since_ew + text
            word = encoded_word(since_ew)
            if len(line) + len(word) > _SMTP_MAX_LINE:
                return None
            lines[-1] = line + word
        elif len(line) + len(text) <= _SMTP_MAX_LINE:
            lines[-1] = line + text
            since_ew += text
        elif text != " " and len(text) + 1 <= _SMTP_MAX_LINE and line.endswith(" "):
            lines[-1] = line[:-1]
            lines.append(" " + text)
            last_ew = None
        else:
            return None
    return lines


@functools.lru_cache(maxsize=1024)
def _address_header(name: str, display: str, addr: str) -> bytes:
    """``Name: display <addr>``, as the stdlib folds it when that reads back as this one mailbox."""
    from email.headerregistry import Address

    folded = _fold_header(name, Address(display_name=display, addr_spec=addr))
    return folded if _plainly_one(folded, display) else _one_mailbox(name, display, addr, folded)


@functools.lru_cache(maxsize=8)
def _from_header(display: str, addr: str) -> bytes:
    """The From header: the Profile's, the same for every draft of a run, so folded once (a ValueError is
    not kept, and raised again for the next draft)."""
    return _address_header("From", display, addr)


def _plainly_one(header: bytes, display: str) -> bool:
    """Whether a header is the one mailbox without parsing it back: on one line (not folded), or of a name
    without a special, a quote or a backslash, which nothing in it can turn into a group or a second address."""
    return header.count(b"\r\n") == 1 or (_SPECIALS.isdisjoint(display) and '"' not in display
                                            and "\\" not in display)


def _one_mailbox(name: str, display: str, addr: str, folded: bytes) -> bytes:
    """``folded`` when a mail program reads it as the one mailbox ``addr``; else the name as encoded words.

    The email package (3.11) drops the quotes around a name with specials when it
    folds a long one: ``From: Ann: x@evil.example; <me@x.org>`` is then read as a
    group of addresses, one of them the name's. A folded header is parsed back and,
    when it is not the one mailbox, the name goes as RFC 2047 encoded words, which
    hold no specials; ValueError when even that is not read back as the one mailbox
    (the caller writes a text draft).
    """
    if _reads_as_one(name, folded, addr):
        return folded
    encoded = _encoded_words_header(name, display, addr)
    if _reads_as_one(name, encoded, addr):
        return encoded
    raise ValueError(f"{display!r} would not read back as one name before the address {addr!r}")


def _reads_as_one(name: str, header: bytes, addr: str) -> bool:
    from email import policy
    from email.parser import BytesParser

    try:
        value = BytesParser(policy=policy.default).parsebytes(header + b"\r\n")[name]
        groups = value.groups
    except Exception:  # the email package's parser fails on some malformed headers (a Group where a mailbox was)
        return False
    return (len(groups) == 1 and groups[0].display_name is None and len(groups[0].addresses) == 1
            and groups[0].addresses[0].addr_spec == addr)


def _encoded_words_header(name: str, display: str, addr: str) -> bytes:
    """``Name: =?utf-8?q?…?= <addr>``: the whole name as "Q" encoded words of at most 70 characters, one a line."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for ch in display:
        q = _q_encoded(ch.encode("utf-8"))
        if chunk and size + len(q) > 70 - len("=?utf-8?q??="):
            words.append("=?utf-8?q?" + "".join(chunk) + "?=")
            chunk, size = [], 0
        chunk.append(q)
        size += len(q)
    if chunk:
        words.append("=?utf-8?q?" + "".join(chunk) + "?=")
    lines = [f"{name}: {words[0]}" if words else f"{name}:", *(f" {w}" for w in words[1:])]
    if len(lines[-1]) + len(addr) + 3 <= _SMTP_MAX_LINE:
        lines[-1] += f" <{addr}>"
    else:
        lines.append(f" <{addr}>")
    return "\r\n".join(lines).encode("ascii") + b"\r\n"


def _fold_header(name: str, value) -> bytes:
    """One header as ``EmailMessage(policy=policy.SMTP)`` writes it (ValueError when it cannot be one)."""
    from email import policy

    return policy.SMTP.fold_binary(*policy.SMTP.header_store_parse(name, value))


# RFC 2047's "Q" encoding keeps these bytes as they are and writes a space as "_".
_Q_PLAIN = frozenset((string.ascii_letters + string.digits + "-!*+/").encode("ascii"))


def _q_encoded(data: bytes) -> str:
    """RFC 2047's "Q" encoding of ``data``: a space as "_", plain bytes as they are, the rest "=XX"."""
    return "".join("_" if b == 0x20 else chr(b) if b in _Q_PLAIN else f"={b:02X}" for b in data)


@functools.lru_cache(maxsize=4096)
def encoded_word(text: str) -> str:
    """``text`` as one RFC 2047 encoded word in UTF-8, "Q" or "B" as the email package chooses.

    It takes the shorter, and "Q" unless it is five or more characters longer
    (readable when mostly ASCII). Names repeat their words: each is encoded once.
    """
    data = text.encode("utf-8")
    q = _q_encoded(data)
    b = base64.b64encode(data).decode("ascii")
    return f"=?utf-8?q?{q}?=" if len(q) - len(b) < 5 else f"=?utf-8?b?{b}?="
