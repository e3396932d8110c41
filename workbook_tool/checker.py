"""Checking a draft against the guide: the four points, the request, the length.

``chart draft`` runs these on every draft it writes (and prints the findings as
warnings); ``chart draft --check`` runs them alone and fails when any draft
falls short. Each finding has a stable ``code`` for scripts and tests, and a
``message`` that says what to change, like validate's Problem.

The checks read the rendered text, not the template, so that a person's own
template in the Templates sheet is held to the same rules. They look for the
Profile's own words (job status, expertise …); a paraphrase counts when most of
its longer words are there, because people reword their templates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from . import kinds
from .fields import HONORIFICS
from .kinds import FIVE_POINT, GUIDE, STYLES  # (declared with the rules they choose among)

# The guide asks for a short note: a stranger reads a screenful, not a letter.
MAX_WORDS = 150
# The stricter 5-point style (a connection, who you are, what you want, a question, thanks).
MAX_WORDS_5_POINT = 100
# Share of a Profile phrase's longer words that must appear for a paraphrase to count.
PARAPHRASE_SHARE = 0.6

_STOPWORDS = frozenset("""about after also and because been being from have into just more most other over some such
than that their them then there these they this those through very want what when where which while with would
your yours""".split())
_DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # folded to "-"
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_NOT_ASKING = re.compile(
    r"\bnot\b[^.?!]{0,30}\b(ask|asking|looking|request|requesting|expect|expecting)\b[^.?!]{0,25}"
    r"\b(job|position|role|employment|work|opening)s?\b")
_LOOKING = re.compile(r"\b(looking|searching|seeking|hoping)\b[^.?!]{0,80}\b(position|role|job|work|opportunit\w*)\b")
_MEETING_MINUTES = re.compile(r"\b\d+\s*(-|to)\s*\d+\s*min|\b\d+\s*min")
_YOU = re.compile(r"\b(you|your|yours|yourself)\b")
_ME = re.compile(r"\b(i|my|me|mine|myself)\b")
_GREETING = re.compile(r"^(dear|hi|hello|good (morning|afternoon|evening))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One way a draft falls short of the guide. ``code`` is stable; ``message`` says what to change."""

    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def fold(text: str) -> str:
    """Text folded for comparing: case, accents, dash kinds and spacing ignored."""
    return _fold(str(text or ""))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_combining(match) -> str:
    chunk = match.group()
    return "".join(ch for ch in chunk if not unicodedata.combining(ch))


@lru_cache(maxsize=256)
def _fold(text: str) -> str:
    # A draft is folded once however many phrases are looked for in it, and each
    # Profile phrase once per run (looked for in every draft, it stays among the
    # recent ones). Few entries: each may hold a whole draft, twice, and a run of
    # 100,000 drafts should not keep thousands of them.
    if _PIECE_END not in text:
        return _fold_piece(text)
    return " ".join([folded for folded in map(_fold_piece, _pieces(text)) if folded])


# A draft's text repeats most of its sentences from draft to draft (the Profile's paragraphs, the
# request) around one or two of its own (who referred them, a personal note). Cut after each ". ",
# it is folded, its words counted and its folded text searched piece by piece, each distinct piece
# once per run, with the same outcome: folding changes each character on its own (NFKD, then
# combining marks dropped, casefold, dashes: a mark NFKD would move is dropped anyway), keeps "."
# and " ", and spacing is then collapsed; a word is letters and apostrophes, which ". " splits; and
# the phrases searched for (_says) hold no ".", so none runs from one piece into the next. Tests
# compare each with the whole text's.
_PIECE_END = ". "
# Pieces longer than this are not kept (a run keeps thousands of them), nor the pieces of a longer text.
_KEPT_PIECE = 2000
_KEPT_TEXT = 20_000


def _kept_when_short(maxsize: int, limit: int = _KEPT_PIECE):
    """The function's answers remembered (an lru_cache of ``maxsize``) for a last argument of up to
    ``limit`` characters: a run's drafts share most of their pieces; a longer text is worked out each time,
    so what is kept stays small."""
    def wrap(function):
        kept = lru_cache(maxsize=maxsize)(function)

        # One argument or two, named: a run makes a hundred thousand of these calls, and packing and
        # unpacking ``*args`` took as long as the cache's own look-up.
        if function.__code__.co_argcount == 1:
            def call(text):
                return kept(text) if len(text) <= limit else function(text)
        elif function.__code__.co_argcount == 2:
            def call(first, text):
                return kept(first, text) if len(text) <= limit else function(first, text)
        else:
            raise TypeError(f"{function.__name__}: one argument or two")

        call.cache_clear = kept.cache_clear
        return call
    return wrap


@_kept_when_short(256, _KEPT_TEXT)
def _pieces(text: str) -> tuple[str, ...]:
    """``text`` cut after each ". ": ``"A. B. C"`` gives ``("A.", "B.", "C")`` (the spaces are left out).

    The same pieces (the same objects, whose hashes Python keeps) for a recent text of a draft's size.
    """
    parts = text.split(_PIECE_END)
    return (*[part + "." for part in parts[:-1]], parts[-1])


def _says(pattern: re.Pattern, text: str) -> bool:
    """Whether ``pattern`` (one of the phrases below, which hold no ".") is found in ``fold(text)``."""
    return any(_piece_says(pattern, piece) for piece in _pieces(text))


@_kept_when_short(4096)
def _piece_says(pattern: re.Pattern, piece: str) -> bool:
    return pattern.search(_fold_piece(piece)) is not None


@_kept_when_short(1024)
def _fold_piece(text: str) -> str:
    return _fold_whole(text)


def _fold_whole(text: str) -> str:
    # ASCII text has no accents and no dash kinds, and NFKD leaves it alone; its casefold is its lower case.
    if text.isascii():
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = _NON_ASCII.sub(_drop_combining, text)
    text = text.casefold()
    if not text.isascii():
        # str.translate looks up every character of a long text; the dashes are few.
        for dash in _DASH_CHARS:
            if dash in text:
                text = text.replace(dash, "-")
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The words of a text, as a person would count them ("15–20" is two)."""
    return _WORD.findall(text or "")


def word_count(text: str) -> int:
    """``len(words(text))``, counted piece by piece (``_pieces``)."""
    return sum(map(_piece_words, _pieces(text)))


@_kept_when_short(1024)
def _piece_words(piece: str) -> int:
    return len(words(piece))


def mentions(text: str, phrase: str) -> bool:
    """True when ``text`` says ``phrase``: word for word, or most of its longer words."""
    return _mentions_in(fold(text), phrase)


def _mentions_in(folded: str, phrase: str) -> bool:
    """``mentions``, given the text folded (a draft's is folded once for all it is asked)."""
    phrase = fold(phrase).strip(" .;:,")
    if not phrase:
        return False
    if phrase in folded:
        return True
    key_words = _key_words(phrase)
    if not key_words:
        return False
    present = _present(folded)
    return len(key_words & present) / len(key_words) >= PARAPHRASE_SHARE


@lru_cache(maxsize=1024)
def _key_words(folded_phrase: str) -> frozenset:
    return frozenset(_stem(w) for w in words(folded_phrase) if len(w) >= 4 and w not in _STOPWORDS)


@lru_cache(maxsize=256)
def _present(folded: str) -> frozenset:
    return frozenset(_stem(w) for w in words(folded))


@lru_cache(maxsize=1024)
def _folded_words(folded: str) -> tuple:
    return tuple(words(folded))


def _stem(word: str) -> str:
    # Enough English to match "helping" with "help" and "hospitals" with "hospital".
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def message_text(body: str, signature: str = "") -> str:
    """The body without its greeting line and its signature: what the reader actually reads."""
    text = body or ""
    if signature and signature.strip():
        at = text.rfind(signature.strip())
        if at >= 0:
            text = text[:at]
    lines = text.strip().splitlines()
    if lines and _GREETING.match(lines[0].strip()) and len(words(lines[0])) <= 6:
        lines = lines[1:]
    return "\n".join(lines).strip()


# A period after these ends no sentence: "Dr. Ann Lee suggested…" is one sentence.
_ABBREVIATIONS = HONORIFICS | frozenset("""sr jr st mt ft inc ltd co corp dept univ vs etc approx no nos tel ext
jan feb mar apr jun jul aug sep sept oct nov dec""".split())
# Where a sentence may end: its punctuation (and a closing quote or bracket) before a space,
# a blank line, or a line that starts a list item or a heading (call sheets are Markdown).
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+\u2022]|\d+[.)]|#+)\s)")
# The word a text ends with (before one final line break, as "$" allows): letters, or digits,
# matched at the start of the text reversed (``_last_word``).
_LAST_WORD_REVERSED = re.compile(r"\n?([^\W\d_]+|\d+)")
# What a line may start with before its first word: list markers, Markdown emphasis, quotes, brackets.
_LEAD = re.compile(r"^(?:[\s\-*+\u2022#>_\"'\u201c\u2018(\[]|\d+[.)](?=\s))*")
_I_START = re.compile(r"I(?:['\u2019](?:m|d|ve|ll))?\b")
# The guide's voice: a run of sentences that all begin with "I" reads as a list about the writer.
MAX_I_RUN = 2


def sentences(text: str) -> list[str]:
    """The sentences of a text, each stripped: a period after a title, an initial or a common
    abbreviation ("Dr.", "J.", "Inc.", "e.g.") ends none, and a list item or paragraph ends one."""
    key = text.lstrip() if len(text) <= _KEPT_SENTENCES else None
    if key is not None:
        known = _RECENT_SENTENCES.get(key)
        if known is not None:
            _remember_sentences(key, known)
            return list(known)
    out: list[str] = []
    start = 0
    looks = _RECENT_LOOKS if key is not None else 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith("."):
            before = text[start:match.start()]
            word = _last_word(before)
            if word is not None:
                # A title, an initial, an abbreviation, or the number of a list item ("1.").
                if (word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
                        or (word.isdigit() and not before[:-len(word)].strip())):
                    continue
        piece = text[start:match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
        if looks:  # the first few sentences only: a draft's own are at its start
            looks -= 1
            rest = text[start:].lstrip()
            known = _RECENT_SENTENCES.get(rest)
            if known is not None:
                _remember_sentences(rest, known)  # kept among the recent: the next draft's rest, most likely
                out += known
                break
    else:
        rest = text[start:].strip()
        if rest:
            out.append(rest)
    if key is not None:
        _remember_sentences(key, tuple(out))
    return out


# The sentences of recent texts (left-stripped), up to this many of this length. Where a text's
# first sentences are its own and the rest is a recent text's (a draft's opening, then the paragraphs
# every draft has), the rest's sentences are those: the split at a sentence's end starts afresh
# (nothing before it is looked at again, and the spaces before a text change none of its
# sentences). A test compares this with splitting every text whole.
_KEPT_SENTENCES = 4000
_RECENT_SENTENCES: dict[str, tuple[str, ...]] = {}
_RECENT_MAX = 64
# How many sentences of a text may be its own before the rest is looked for among the recent.
_RECENT_LOOKS = 3


def _remember_sentences(text: str, found: tuple[str, ...]) -> None:
    _RECENT_SENTENCES.pop(text, None)  # the most recent last: the oldest goes first
    if len(_RECENT_SENTENCES) >= _RECENT_MAX:
        del _RECENT_SENTENCES[next(iter(_RECENT_SENTENCES))]
    _RECENT_SENTENCES[text] = found


def _last_word(text: str) -> str | None:
    """The last word of ``text`` (or None): ``re.search(r"([^\\W\\d_]+|\\d+)$", text).group(1)``, read from the end.

    That search tries the pattern at every position of the text and backtracks through
    every word (a tenth of a millisecond a draft, most of the checker's time). It finds
    the leftmost start from which letters (or digits) run to the end, or to a final line
    break: the longest run of one kind ending there, which is what the greedy pattern
    takes from the start of the reversed text. A test compares the two.
    """
    found = _LAST_WORD_REVERSED.match(text[::-1])
    return found.group(1)[::-1] if found is not None else None


def first_sentence(text: str) -> str:
    """The first sentence of a message's text (greeting already removed)."""
    return _first(sentences(text))


def _first(found: list[str]) -> str:
    return found[0] if found else ""


@_kept_when_short(1024)  # a run's drafts share most of their sentences (the same objects, from the recent texts)
def _begins_with_i(sentence: str) -> bool:
    return _I_START.match(sentence[_LEAD.match(sentence).end():]) is not None


def _voice(found: list[str]) -> list[Finding]:
    """No more than MAX_I_RUN of the ``sentences`` in a row begin with "I" (a paragraph does not end the run)."""
    run: list[str] = []
    longest: list[str] = []
    for sentence in found:
        run = run + [sentence] if _begins_with_i(sentence) else []
        if len(run) > len(longest):
            longest = run
    if len(longest) <= MAX_I_RUN:
        return []
    quoted = ", ".join(f'"{" ".join(s[_LEAD.match(s).end():].split()[:4])}…"' for s in longest)
    return [Finding("voice-i", f'{len(longest)} sentences in a row begin with "I" ({quoted}); begin some with the '
                               "reader, the reason or the referral instead, so that it does not read as a list about "
                               "you.")]


def _first_name(name: str) -> str:
    parts = [w for w in words(name) if w.casefold() not in {"dr", "mr", "mrs", "ms", "mx", "prof"}]
    return parts[0] if parts else ""


def _names(text: str, name: str) -> bool:
    """True when ``text`` names the person: the full name, or the first name as a word."""
    return _names_in(fold(text), name)


def _names_in(folded: str, name: str) -> bool:
    """``_names``, given the text folded."""
    if not name:
        return False
    if fold(name) in folded:
        return True
    first = fold(_first_name(name))
    return bool(first) and first in _folded_words(folded)


def check_text(kind: str, body: str, facts: dict, style: str = GUIDE) -> list[Finding]:
    """Every finding for one rendered draft.

    ``facts`` holds what the draft should say, from the chart: ``job_status``,
    ``expertise``, ``seeking``, ``why_searching``, ``meeting_length``,
    ``referrer``, ``via``, ``helpful``, ``signature`` (blank when unknown).
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    text = message_text(body, facts.get("signature", ""))
    if len(text) > _KEPT_TEXT:  # not kept: 256 texts of up to a million characters each would hold gigabytes
        return _check(kind, text, facts, style)
    try:
        # In the order given: the Drafter gives them alike every time (another order only misses the cache).
        return list(_checked(kind, text, tuple(facts.items()), style))
    except TypeError:  # a value that cannot be a cache key
        return _check(kind, text, facts, style)


# Without its greeting and signature, the text of most drafts of a run is the same
# (everyone not referred gets the same paragraphs), and the findings depend only on
# the text and the facts: check each distinct pair once. (4,096 kept instead of 256 checked
# a 10,000-contact chart's 3,400 distinct texts 3,400 times instead of 4,100, for 1% of the
# time and 8 MiB more at the peak: not worth it while drafts are to run in flat memory.)
@lru_cache(maxsize=256)
def _checked(kind: str, text: str, facts: tuple, style: str) -> tuple[Finding, ...]:
    return tuple(_check(kind, text, dict(facts), style))


def _check(kind: str, text: str, facts: dict, style: str) -> list[Finding]:
    rules = kinds.get(kind).checks  # which rules hold for which kind: the kinds table says
    five_point = style == FIVE_POINT and kinds.FIVE_POINT_RULES in rules
    found: list[Finding] = []
    said = sentences(text)  # split once: the voice, the referrer's place and the opening all read them
    folded = fold(text)  # and folded once
    if kinds.GUIDE_POINTS in rules:
        found += _presentation(text, folded, facts, kind)
    if kinds.REFERRER_FIRST in rules:
        found += _referrer_first(folded, facts, _first(said))
    if five_point:
        found += _five_point(folded, facts, _first(said))
    if kinds.NAMES_HELPFUL in rules:
        helpful = facts.get("helpful", "")
        if not helpful:
            found.append(Finding("no-helpful", f"the {kind} names nothing helpful: fill in the contact's Helpful "
                                               "cell and say what helped."))
        elif not _mentions_in(folded, helpful):
            found.append(Finding("no-helpful", f'the {kind} does not name what was helpful ("{helpful}"); '
                                               "say it in your own words."))
    found += _voice(said)
    if kinds.SHORT in rules:
        limit = MAX_WORDS_5_POINT if five_point else MAX_WORDS
        count = word_count(text)
        if count >= limit:
            found.append(Finding("too-long", f"the {kind} has {count} words; keep it under {limit}."))
    return found


def _presentation(text: str, folded: str, facts: dict, kind: str) -> list[Finding]:
    """The guide's four points and the request, in an outreach or a call sheet (``folded``: ``fold(text)``)."""
    found = []
    for key, code, what in (("job_status", "no-job-status", "your job status"),
                            ("expertise", "no-expertise", "your area of expertise")):
        value = facts.get(key, "")
        if value and not _mentions_in(folded, value):
            found.append(Finding(code, f'the {kind} does not say {what} ("{value}").'))
    if not facts.get("job_status") and not facts.get("expertise"):
        found.append(Finding("no-job-status", f"the {kind} cannot say your job status: fill in the Profile's "
                                              "Job Status and Expertise."))
    seeking = facts.get("seeking", "")
    if not (seeking and _mentions_in(folded, seeking)) and not _says(_LOOKING, text):
        found.append(Finding("no-position", f"the {kind} does not say that you are looking for a position."))
    why = facts.get("why_searching", "")
    if not why:
        found.append(Finding("no-why", f"the {kind} cannot say why you are searching: fill in the Profile's "
                                       "Why Searching."))
    elif not _mentions_in(folded, why):
        found.append(Finding("no-why", f'the {kind} does not say why you are searching ("{why}").'))
    referrer = facts.get("referrer", "")
    if referrer and not _names_in(folded, referrer):
        found.append(Finding("no-referrer", f"the {kind} does not say that {referrer} referred you."))
    length = facts.get("meeting_length", "")
    if not ((length and fold(length) in folded) or _says(_MEETING_MINUTES, text)):
        found.append(Finding("no-meeting-length", f"the {kind} does not ask for {length or '15–20 minutes'} of "
                                                  "their time."))
    if not _says(_NOT_ASKING, text):
        found.append(Finding("no-not-asking", f'the {kind} does not say plainly that you are not asking for a job '
                                              '("I am not asking you for a job").'))
    return found


def _referrer_first(folded: str, facts: dict, first: str) -> list[Finding]:
    referrer = facts.get("referrer", "")
    if referrer and _names_in(folded, referrer) and not _names(first, referrer):
        return [Finding("referrer-not-first", f"name {referrer} in the first sentence: the referral is what makes "
                                              "a stranger read on.")]
    return []


def _five_point(folded: str, facts: dict, first: str) -> list[Finding]:
    """The 5-point style's rules, on the text folded (``fold(text)``) and its first sentence."""
    found = []
    connection = facts.get("referrer") or facts.get("via") or ""
    if connection and not _names(first, connection):
        found.append(Finding("connection-not-first", f"open with your connection ({connection}) in the first "
                                                     "sentence."))
    length = fold(facts.get("meeting_length", ""))
    asks = [s for s in sentences(folded) if (length and length in s) or _MEETING_MINUTES.search(s)]
    if not any(s.strip().endswith("?") for s in asks):
        found.append(Finding("request-not-question", "phrase the request as a question (\"Would you have 15–20 "
                                                     "minutes …?\")."))
    you, me = len(_YOU.findall(folded)), len(_ME.findall(folded))
    if you <= me:
        found.append(Finding("about-you", f'say more about them than about you: "you/your" {you} times, '
                                          f'"I/my/me" {me} times.'))
    return found


def check_draft(draft, style: str = GUIDE) -> list[Finding]:
    """The findings for a ``drafts.Draft`` (its kind, body and facts)."""
    return check_text(draft.kind, draft.body, draft.facts, style)
