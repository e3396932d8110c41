"""``checker.py``: a rendered draft held to the guide (the four points, the request, the referrer first,
the length) and to the stricter 5-point style. Which rules hold for which kind is kinds.py's table
(test_kinds); ``chart draft --check`` on the packaged templates is tested in test_drafts.py.
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_tool import checker

FACTS = {"job_status": "a data analyst, recently laid off", "expertise": "supply-chain analytics",
         "seeking": "an analyst position in healthcare", "why_searching": "I want to help hospitals",
         "meeting_length": "15–20 minutes", "referrer": "Sue Miller", "via": "", "helpful": "", "signature": "Jo"}
GOOD = ("Dear Carlos,\n\nSue Miller suggested I write. I am a data analyst, recently laid off; my expertise is "
        "supply-chain analytics. Now I am looking for an analyst position in healthcare. I want to help hospitals. "
        "To be clear, I am not asking you for a job. Would you have 15-20 minutes for me at your office?\n\nJo\n")


def codes(body, kind="outreach", style="guide", **facts):
    return [f.code for f in checker.check_text(kind, body, {**FACTS, **facts}, style)]


def test_checker_passes_a_good_outreach():
    assert codes(GOOD) == []


def test_checker_wants_the_referrer_first():
    body = GOOD.replace("Sue Miller suggested I write. ", "").replace("\n\nJo", " Sue Miller suggested I write.\n\nJo")
    assert codes(body) == ["referrer-not-first"]
    assert codes(GOOD.replace("Sue Miller", "Someone")) == ["no-referrer"]
    assert codes(GOOD.replace("Sue Miller", "Sue")) == []  # the first name is enough


def test_checker_counts_words_without_greeting_and_signature():
    assert codes(GOOD.replace("\n\nJo", "word " * 100 + "\n\nJo")) == ["too-long"]
    assert codes(GOOD, signature="Jo\n" + "sig " * 200) == []


def test_checker_accepts_a_paraphrase_of_the_profile():
    assert codes(GOOD.replace("I want to help hospitals", "helping hospitals matters to me")) == []
    assert codes(GOOD.replace("I want to help hospitals.", "")) == ["no-why"]


def test_checker_thank_you_names_something_helpful():
    body = "Dear Sue,\n\nThank you. Your tip on resumes helped most.\n"
    assert codes(body, "thank-you", helpful="your tip on resumes") == []
    assert codes(body, "thank-you", helpful="the hospital dashboard idea") == ["no-helpful"]
    assert codes(body, "thank-you", helpful="") == ["no-helpful"]


def test_checker_5_point_style():
    assert codes(GOOD, style="5-point") == ["about-you"]
    statement = GOOD.replace("Would you have 15-20 minutes for me at your office?",
                             "I would like 15-20 minutes at your office.")
    assert "request-not-question" in codes(statement, style="5-point")
    assert codes(GOOD, style="5-point", referrer="", via="Sam Patel") == ["connection-not-first", "about-you"]


def test_checker_folds_case_accents_dashes_and_spacing():
    assert checker.fold("Zoë  —  DATA\tAnalyst") == "zoe - data analyst"
    assert checker.mentions("she said supply–chain analytics", "Supply-Chain Analytics")
    assert not checker.mentions("she said nothing of it", "supply-chain analytics")


def test_the_message_is_what_the_reader_reads():
    body = "Dear Ann,\n\nHello there.\n\nJordan\nJordan Rivera | 617-555-0100\n"
    assert checker.message_text(body, "Jordan\nJordan Rivera | 617-555-0100") == "Hello there."


# --------------------------------------------------------------------------- drafts checked piece by piece

# What a draft's text is made of, and what folding, counting words and splitting sentences treat
# apart: ". " and other ends, abbreviations, initials, list markers, quotes, apostrophes, dashes,
# accents as marks of their own, letters that fold to more than one (ß, ﬁ), characters NFKD turns
# into a space and a mark (¨), digits of other scripts, and every kind of space and line break.
_PIECES = st.sampled_from([
    ". ", ".", " ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "\u3000", "\r\n", "? ", "! ", "...", '." ', ".) ",
    "Dr", "Dr. ", "J. ", "e.g. ", "Inc.", "1. ", "- ", "* ", "# ", "I ", "I'm ", "I\u2019ve ", "I am ", "not ",
    "asking ", "for a job", "looking ", "position", "15\u201320 minutes", "15-20 min", "Ann", "Zoë", "Zoe\u0301",
    "ÅNGSTRÖM", "Straße", "\ufb01ne", "\u00a8", "\u0301", "\u2014", "\u2212", "٣", "²", "rock 'n' roll", "’s",
    "Дмитрий", "王", "İstanbul", "ΣΑΣ", "x_y", "a''b", "I am not asking you for a job", "NOT Asking", "for a ",
    "looking for a new position", "Seeking", "20 minutes", "10 to 15 min", "job", ". not asking. for a job",
])
_TEXTS = st.lists(_PIECES, max_size=40).map("".join) | st.text(max_size=60)


@settings(max_examples=1500, deadline=None)
@given(text=_TEXTS)
def test_a_text_folded_and_counted_piece_by_piece_is_folded_and_counted_whole(text):
    assert checker.fold(text) == checker._fold_whole(text)
    assert checker.word_count(text) == len(checker.words(text))


def test_folding_turns_every_space_and_line_break_into_a_space():
    # What folding piece by piece rests on, with ". ": a space of any kind stays a space.
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert len(spaces) > 20
    for space in spaces:
        assert checker._fold_whole(f"a{space}b") == "a b", hex(ord(space))


def _sentences_whole(text):
    """checker.sentences as it splits a text from its start to its end, with nothing remembered."""
    out, start = [], 0
    for match in checker._SENTENCE_END.finditer(text):
        if match.group().startswith("."):
            before = text[start:match.start()]
            word = re.search(r"([^\W\d_]+|\d+)$", before)
            if word is not None:
                word = word.group(1)
                if (word.casefold() in checker._ABBREVIATIONS or (len(word) == 1 and word.isalpha())
                        or (word.isdigit() and not before[:-len(word)].strip())):
                    continue
        piece = text[start:match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    rest = text[start:].strip()
    return out + [rest] if rest else out


@settings(max_examples=1000, deadline=None)
@given(openings=st.lists(_TEXTS, min_size=1, max_size=6), rest=_TEXTS)
def test_sentences_found_through_a_remembered_rest_are_those_of_the_whole_text(openings, rest):
    # Drafts that differ in their first sentences and share the rest, as a run's do.
    for text in [rest, *(opening + rest for opening in openings), *openings]:
        assert checker.sentences(text) == _sentences_whole(text), text


def test_a_run_of_drafts_gets_the_findings_of_drafts_checked_one_by_one():
    # The same findings whatever was checked before: each draft alone, then all in a row.
    openings = ["", "Sue Miller suggested I write. ", "My friend Dr. J. Lee said hello. ", "I am here. I am. "]
    bodies = [GOOD.replace("Sue Miller suggested I write. ", opening) for opening in openings]
    alone = []
    for body in bodies:
        checker._checked.cache_clear()
        checker._RECENT_SENTENCES.clear()
        alone.append(codes(body))
    assert [codes(body) for body in bodies * 3] == alone * 3
    assert alone[0] == ["no-referrer"] and alone[1] == []



def test_a_long_draft_is_checked_and_not_kept():
    # A run keeps the findings of thousands of drafts' texts: a text past _KEPT_TEXT is checked each time instead.
    long = GOOD.replace("I want to help hospitals. ", "I want to help hospitals. " + "We met at a meetup. " * 1200)
    assert len(long) > checker._KEPT_TEXT
    checker._checked.cache_clear()
    assert codes(long) == ["too-long"] == codes(long)
    assert checker._checked.cache_info().currsize == 0
    assert codes(GOOD) == [] and checker._checked.cache_info().currsize == 1

@settings(max_examples=1500, deadline=None)
@given(text=_TEXTS)
def test_a_phrase_found_piece_by_piece_is_found_in_the_whole_folded_text(text):
    folded = checker._fold_whole(text)
    for pattern in (checker._NOT_ASKING, checker._LOOKING, checker._MEETING_MINUTES):
        assert checker._says(pattern, text) == (pattern.search(folded) is not None), pattern.pattern


def test_phrases_are_found_in_any_piece_and_not_across_two():
    text = "Hi. I am looking. For a job. I am not asking you for a job. It takes 10 to 15 min. Bye"
    assert [checker._says(p, text) for p in (checker._NOT_ASKING, checker._LOOKING, checker._MEETING_MINUTES)] == \
        [True, False, True]
