"""``mailto.py``: links that open a draft in a mail program, quoted exactly, cut to fit, and safe.

The Draft column's links as a whole (which contacts get one, and what they say) are
tested in test_drafts.py (``drafts.MailtoLinks``) and test_dashboard_and_draft_column.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from mail_checks import HOSTILE_TEXT, HOSTILE_WORDS, assert_mailto_is_safe
from workbook_tool import mailto


@settings(max_examples=300, deadline=None)
@given(subject=HOSTILE_TEXT)
def test_no_text_makes_a_mailto_header_property(subject):
    assert_mailto_is_safe(mailto.build_mailto("ann@x.org", subject, "Hi"))


def test_build_mailto_keeps_encoded_words_out_of_headers():
    for word in HOSTILE_WORDS:
        for name in (word, f"Ann {word}", f"Zoë {word} Ødegård", f"Lee, {word}", f'"{word}"'):
            assert_mailto_is_safe(mailto.build_mailto("ann@x.org", f"Re: {name}", "Hi"))


def test_build_mailto_encodes_everything_and_fits():
    link = mailto.build_mailto("a+b@x.org", "Q&A? 100%", "line1\nline2 & more = fun")
    assert link == "mailto:a%2Bb@x.org?subject=Q%26A%3F%20100%25&body=line1%0D%0Aline2%20%26%20more%20%3D%20fun"
    assert len(mailto.build_mailto("a@x.org", "s" * 5000, "b")) <= mailto.MAILTO_LIMIT


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
def test_mailto_quoting_is_exactly_urllib_quote(text):
    assert mailto.quote_text(text) == quote(text, safe="")


def test_a_long_body_is_cut_at_a_word_and_marked():
    body = "word " * 1000
    link = mailto.build_mailto("a@x.org", "Hello", body)
    assert mailto.MAILTO_LIMIT - 20 < len(link) <= mailto.MAILTO_LIMIT
    got = parse_qs(urlsplit(link).query)["body"][0]
    assert got.endswith("word …") and body.startswith(got[:-2])
    assert unquote(link.split("&body=")[1]) == got


def test_a_subject_too_long_for_any_body_leaves_the_body_out():
    link = mailto.build_mailto("a@x.org", "s " * 3000, "the body")
    assert "&body=" not in link and len(link) <= mailto.MAILTO_LIMIT
    assert parse_qs(urlsplit(link).query)["subject"][0].endswith(" …")


def test_line_breaks_in_a_body_are_crlf():
    link = mailto.build_mailto("a@x.org", "Hi", "a\nb\r\nc")
    assert link.endswith("&body=a%0D%0Ab%0D%0Ac")
    assert link.startswith(f"mailto:a@x.org?subject={quote('Hi')}")


def test_fit_mailto_says_when_it_had_to_cut():
    link, cut = mailto.fit_mailto("a@x.org", "Hello", "a short body")
    assert not cut and link == mailto.build_mailto("a@x.org", "Hello", "a short body")
    link, cut = mailto.fit_mailto("a@x.org", "Hello", "word " * 1000)
    assert cut and len(link) <= mailto.MAILTO_LIMIT and link.endswith("%E2%80%A6")
    _, cut = mailto.fit_mailto("a@x.org", "s " * 3000, "")
    assert cut


def _fit_mailto_plainly(address, subject, body, limit):
    """fit_mailto as it was first written: each part cut with ``_fit`` (which tries it whole first), then quoted."""
    from workbook_tool.eml import header_text

    start = f"mailto:{quote(address, safe='@')}?subject="
    whole = header_text(subject)
    subject = mailto._fit(len(start), whole, limit)
    head = start + quote(subject, safe="")
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    body = mailto._fit(len(head) + len("&body="), crlf, limit)
    return (head + "&body=" + quote(body, safe="") if body else head), subject != whole or body != crlf


@settings(max_examples=400, deadline=None)
@given(subject=st.text(max_size=80) | st.text(min_size=500, max_size=2500),
       body=st.text(max_size=300) | st.text(alphabet="ab –\n\r", min_size=100, max_size=3000),
       limit=st.sampled_from([mailto.MAILTO_LIMIT, 60, 200]))
def test_fit_mailto_quotes_once_as_the_plain_way_property(subject, body, limit):
    """fit_mailto quotes a part that fits once and keeps that text: the same link and cut flag as cutting
    each part first and quoting after, over short, long and cut subjects and bodies."""
    assert mailto.fit_mailto("ann+x@y.org", subject, body, limit) == \
        _fit_mailto_plainly("ann+x@y.org", subject, body, limit)
