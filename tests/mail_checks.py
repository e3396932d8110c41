"""Checks shared by the tests of mail headers (test_eml, test_mailto, test_drafts): hostile text, and
what a header or a mailto: link must look like once parsed back."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs, unquote, urlsplit

from hypothesis import strategies as st

# RFC 2047 encoded words that decode to a line break and a header. The email package
# decodes them while it folds a header (and a mail program may decode them in a
# mailto: subject), after the tool has removed every real line break.
HOSTILE_WORDS = [
    "=?utf-8?q?=0D=0ABcc:_evil@attacker.example?=",
    "=?UTF-8?B?DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?=",
    "=?iso-8859-1?q?=0AX-Evil:_1?=",
    "=?us-ascii*en?Q?=0D=0ABcc=3A_evil=40attacker=2Eexample?=",
]
EML_HEADERS = ["To", "From", "Subject", "X-Unsent", "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]


def assert_only_the_expected_headers(raw: bytes, expected=EML_HEADERS):
    """Parse the message back: exactly the expected headers, none holding a line break."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):  # each line is a header of ours or the continuation of one
        assert line[:1] in (b" ", b"\t") or line.split(b":", 1)[0].decode() in expected, line
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert msg.keys() == expected, msg.keys()
    for key in msg.keys():
        value = str(msg[key])
        assert "\r" not in value and "\n" not in value, (key, value)
    return msg


def assert_mailto_is_safe(link: str):
    """A mailto: link has only subject and body, and its subject and address stay one header each,
    even for a mail program that decodes encoded words in them (RFC 6068 allows it)."""
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert set(query) <= {"subject", "body"}, query
    assert_only_the_expected_headers(f"To: {unquote(parts.path)}\r\n\r\n".encode(), ["To"])
    for subject in query.get("subject", []):
        assert_only_the_expected_headers(f"Subject: {subject}\r\n\r\n".encode(), ["Subject"])


# Text for property tests of headers: encoded words, line breaks, quotes, specials and anything else.
HOSTILE_TEXT = st.lists(st.sampled_from(HOSTILE_WORDS) | st.text(max_size=30)
                        | st.sampled_from(["=?", "?=", "\r\n", "Bcc: x@y.z", '"', "\\", "ü", " ", "<", ">", ","]),
                        max_size=6).map("".join)
