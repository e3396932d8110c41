"""``checker.py``: a rendered draft held to the guide (the four points, the request, the referrer first,
the length) and to the stricter 5-point style. Which rules hold for which kind is kinds.py's table
(test_kinds); ``chart draft --check`` on the packaged templates is tested in test_drafts.py.
"""

from __future__ import annotations

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
