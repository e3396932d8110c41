"""``mailto:`` links (RFC 6068): an address, a subject and a body, quoted, and cut to fit.

``chart sync``'s Draft column holds one per email step (``drafts.MailtoLinks`` renders
the draft; ``build_mailto`` makes the link, ``fit_mailto`` also tells whether it had to
cut). Mail programs refuse long links, so the body is cut, at a word, to what fits in
``MAILTO_LIMIT`` characters once quoted. The
subject goes through ``eml.header_text``: a mail program may decode an encoded word in
it (RFC 6068 allows it), so the same rule that keeps a header safe keeps it safe.
"""

from __future__ import annotations

from urllib.parse import quote

from .eml import header_text

# Outlook on Windows refuses mailto: URLs of more than about 2,048 characters.
MAILTO_LIMIT = 2000


def build_mailto(address: str, subject: str, body: str, limit: int = MAILTO_LIMIT) -> str:
    """A ``mailto:`` URL (RFC 6068) of at most ``limit`` characters, shortening the body to fit.

    A shortened body ends with `` …`` so the person sees that the rest is in the
    .eml draft.
    """
    return fit_mailto(address, subject, body, limit)[0]


def fit_mailto(address: str, subject: str, body: str, limit: int = MAILTO_LIMIT) -> tuple[str, bool]:
    """``build_mailto``'s link, and whether the subject or body had to be shortened to fit: a sync says
    so in the row's Comments, since the mail program opens the shortened text without a word."""
    start = f"mailto:{quote(address, safe='@')}?subject="
    whole = header_text(subject)
    # Quoted once: most drafts fit whole, and then the quoted text is the link's (``_fit`` gives the
    # text itself when it fits).
    quoted = quote_text(whole)
    subject = whole if len(start) + len(quoted) <= limit else _fit(len(start), whole, limit)
    head = start + (quoted if subject is whole else quote_text(subject))
    # RFC 6068: line breaks in a body are CRLF, percent-encoded.
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    quoted = quote_text(crlf)
    body = crlf if len(head) + len("&body=") + len(quoted) <= limit else _fit(len(head) + len("&body="), crlf, limit)
    link = head + "&body=" + (quoted if body is crlf else quote_text(body)) if body else head
    return link, subject != whole or body != crlf


# The bytes quote() leaves as they are; every other byte becomes %XX.
_QUOTE_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"


def quote_text(text: str) -> str:
    """``urllib.parse.quote(text, safe="")``, five times faster (a sync quotes every contact's email).

    quote() looks up every byte in Python; here the UTF-8 bytes that need escaping
    are found in one C pass (``bytes.translate``), and each distinct one is replaced
    everywhere in another ("%" first, since every escape adds one). A test compares
    both on random text.
    """
    data = text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as quote() does
    unsafe = data.translate(None, _QUOTE_SAFE)
    if not unsafe:
        return text
    if b"%" in unsafe:
        data = data.replace(b"%", b"%25")
    for byte in set(unsafe):
        if byte != 0x25:
            data = data.replace(_BYTE[byte], _ESCAPED[byte])
    return data.decode("ascii")


# Each byte, and its escape.
_BYTE = [bytes((b,)) for b in range(256)]
_ESCAPED = [b"%%%02X" % b for b in range(256)]


def _quoted_length(text: str) -> int:
    """``len(quote(text, safe=""))``, without building the quoted text."""
    data = text.encode("utf-8")
    return len(data) + 2 * len(data.translate(None, _QUOTE_SAFE))


def _fit(prefix: int, text: str, limit: int) -> str:
    """The longest cut of ``text`` (whole words, marked " …") whose quoted length after ``prefix`` characters
    fits in ``limit``."""
    if prefix + _quoted_length(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if prefix + _quoted_length(_cut(text, mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return _cut(text, lo) if lo else ""


def _cut(text: str, n: int) -> str:
    if n >= len(text):
        return text
    if n == 0:
        return ""
    cut = text[:n]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > n // 2:
        cut = cut[:space]
    return cut.rstrip() + " …"
