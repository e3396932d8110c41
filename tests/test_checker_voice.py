"""The draft checker's sentences: abbreviations do not end them, and no more than two in a row begin with "I"."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_tool import checker

FACTS = {"job_status": "a data analyst, recently laid off", "expertise": "supply-chain analytics",
         "seeking": "an analyst position in healthcare", "why_searching": "I want to help hospitals",
         "meeting_length": "15–20 minutes", "referrer": "Dr. Ann Lee", "via": "", "helpful": "", "signature": "Jo"}
# Status, expertise, that you are looking and why, the referrer first, the request, "not asking for a job".
VARIED = ("Dear Carlos,\n\nDr. Ann Lee suggested I get in touch with you. I am a data analyst, recently laid off, "
          "and my expertise is supply-chain analytics. What I am looking for now is an analyst position in "
          "healthcare. I want to help hospitals.\n\nTo be clear, I am not asking you for a job. Would you have "
          "15–20 minutes for me, at your office?\n\nJo\n")


def codes(body, kind="outreach", style="guide", **facts):
    return [f.code for f in checker.check_text(kind, body, {**FACTS, **facts}, style)]


@pytest.mark.parametrize("text, first", [
    ("Dr. Ann Lee suggested I write. I am a data analyst.", "Dr. Ann Lee suggested I write."),
    ("Mr. J. R. Smith, Jr. of Acme Inc. said hello! Then more.", "Mr. J. R. Smith, Jr. of Acme Inc. said hello!"),
    ("Prof. Ortiz (e.g. at St. Mary's) wrote? Yes.", "Prof. Ortiz (e.g. at St. Mary's) wrote?"),
    ("We met in the U.S. last year. Then again.", "We met in the U.S. last year."),
    ("One paragraph\n\nanother one.", "One paragraph"),
    ("A line wrapped\nby the writer. Then more.", "A line wrapped\nby the writer."),
    ("- A list item\n- another item", "- A list item"),
    ("No end at all", "No end at all"),
])
def test_a_period_after_a_title_an_initial_or_an_abbreviation_ends_no_sentence(text, first):
    assert checker.first_sentence(text) == first


def test_a_referrer_with_a_title_and_a_period_is_named_first():
    assert codes(VARIED) == []
    assert not {"referrer-not-first", "connection-not-first"} & set(codes(VARIED, style="5-point"))


def test_three_sentences_in_a_row_beginning_with_i_are_a_voice_finding():
    four = VARIED.replace("What I am looking for now is", "I am looking for").replace("To be clear, I am", "I am")
    found = checker.check_text("outreach", four, FACTS)
    assert [f.code for f in found] == ["voice-i"]
    assert found[0].message == ('4 sentences in a row begin with "I" ("I am a data…", "I am looking for…", '
                                '"I want to help…", "I am not asking…"); begin some with the reader, the reason or '
                                "the referral instead, so that it does not read as a list about you.")


def test_two_in_a_row_are_fine_and_a_paragraph_does_not_end_the_run():
    # "I am a…", "I am looking…", then "Helping…": two in a row.
    two = VARIED.replace("What I am looking for now is", "I am looking for").replace(
        "I want to help hospitals.", "Helping hospitals is what I want.")
    assert codes(two) == []
    # "I want…", then "I am not asking…" after a paragraph break, then "Would…": two.
    assert codes(VARIED.replace("To be clear, I am", "I am")) == []
    # "I am looking…", "I want…", "I am not asking…" across the paragraph break: three.
    three = VARIED.replace("To be clear, I am", "I am").replace("What I am looking for now is", "I am looking for")
    assert codes(three) == ["voice-i"]


@pytest.mark.parametrize("kind", ["call", "thank-you", "follow-up"])
def test_the_voice_rule_holds_for_every_kind(kind):
    body = "Dear Sue,\n\nI hope you are well. I'm writing again. I'd love your advice. Thanks.\n\nJo\n"
    assert "voice-i" in codes(body, kind, helpful="")


def test_bullets_and_numbered_lines_begin_where_their_words_do():
    sheet = "# Call sheet\n\n- I am a data analyst.\n- I am looking for a position.\n1. I want to help hospitals.\n"
    assert "voice-i" in codes(sheet, "call")
    assert "voice-i" not in codes(sheet.replace("1. I want", "1. Hospitals are why; I want"), "call")


def test_the_old_packaged_outreach_has_four_in_a_row():
    old = ("Dear Carlos,\n\nSue Miller suggested I get in touch with you. I am a data analyst, recently laid off, "
           "and my area of expertise is supply-chain analytics. I am looking for an analyst position in healthcare. "
           "I want to help hospitals.\n\nI am not asking you for a job. Would you have 15–20 minutes for me, at "
           "your office, to hear how you see the current market and what you would suggest for my search?\n\nJo\n")
    assert codes(old, referrer="Sue Miller") == ["voice-i"]


# Letters, digits of several scripts, underscores, marks, spaces, line breaks and punctuation: every
# kind of character the last-word pattern treats differently.
_WORD_ENDS = "aZé\u0301ßЖ王ー_09٣²\u00bd \n\t.,'-"


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet=_WORD_ENDS, max_size=12) | st.text(max_size=12))
def test_the_last_word_read_from_the_end_is_the_one_the_search_finds(text):
    found = re.search(r"([^\W\d_]+|\d+)$", text)
    assert checker._last_word(text) == (found.group(1) if found else None)
