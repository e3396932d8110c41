"""``chart draft``: outreach emails, call sheets, thank-you notes and follow-ups from templates.

Templates are Jinja2, run in a ``SandboxedEnvironment`` (a template is data a
person typed into a spreadsheet; it must not reach Python's internals) with a
strict notion of "undefined":

* a field that does not exist (``contact.nosuch``, ``{{ foo }}``) or a syntax
  error is a ``TemplateError``: one line naming the template and its line;
* a field that exists but is blank for this contact (``contact.helpful``, the
  Profile's ``me.job_status``) skips the contact, saying which cell to fill in.
  A blank field is false in ``{% if contact.title %}`` and takes
  ``| default("…")``, so a template can make any field optional.

Variables: ``contact`` (the Contacts row, by schema key: ``contact.name``,
``contact.organization``, ``contact.helpful`` …; dates are dates), ``referrer``
(the row of the contact in Referred By, or None), ``me`` (the Profile, by
PROFILE_FIELDS key, with defaults: ``me.your_name``, ``me.meeting_length`` …),
``step`` (stages.NextStep: ``step.stage``, ``step.action``, ``step.due``),
``today``, ``kind``, ``recommended`` (names in the contact's Recommended cell)
and ``pending_referrals`` (those of them not contacted yet). Filters:
``first_name``, ``longdate``, ``sentence``, ``phrase``, ``oneline``, ``and_list``.

A line that holds only ``{% … %}`` tags leaves no blank line behind (like
Mustache's standalone tags), so templates can put ``{% if %}`` on its own line.

Templates come from the package (``templates/``), then the workbook's Templates
sheet (Name, Subject, Body), then ``--templates DIR`` (``outreach.txt``,
``call.md`` … whose first line may be ``Subject: …``); each later source
replaces the subject or body it gives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import os
import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from . import schema, stages
from .checker import GUIDE, Finding, check_draft
from .errors import BadOption, TemplateError, WriteFailed
from .fields import check_email, is_blank, name_key, parse_recommended, phone_text, to_date
from .workbook import Chart, Row
from .writer import peek_file

OUTREACH, CALL, THANK_YOU, FOLLOW_UP = stages.OUTREACH, stages.CALL, stages.THANK_YOU, stages.FOLLOW_UP
KINDS = (OUTREACH, CALL, THANK_YOU, FOLLOW_UP)
EMAIL_KINDS = (OUTREACH, THANK_YOU, FOLLOW_UP)
# File names a --templates folder may hold, per kind, in order of preference.
TEMPLATE_FILES = {kind: (f"{kind}.txt", f"{kind}.md") for kind in KINDS}
PACKAGED_FILES = {OUTREACH: "outreach.txt", CALL: "call.md", THANK_YOU: "thank-you.txt", FOLLOW_UP: "follow-up.txt"}
# Names people may give a kind in the Templates sheet, folded like headers.
KIND_ALIASES = {
    OUTREACH: ("outreach", "outreach email", "first email", "introduction"),
    CALL: ("call", "call sheet", "phone", "phone call", "script", "call script"),
    THANK_YOU: ("thank-you", "thank you", "thanks", "thank-you note", "thank you note", "thank-you email"),
    FOLLOW_UP: ("follow-up", "follow up", "followup", "follow-up email", "reminder", "keep in touch"),
}
VARIABLES = ("contact", "referrer", "me", "step", "today", "kind", "recommended", "pending_referrals")
# Outlook on Windows refuses mailto: URLs of more than about 2,048 characters.
MAILTO_LIMIT = 2000
# Long enough for any real name (in characters), and the longest file name (in bytes of
# UTF-8) Linux, macOS and Windows all take; the name is cut to what is left of it.
MAX_NAME_IN_FILENAME = 80
MAX_FILENAME_BYTES = 255
# What a draft's file name may add after the name: " (row 1048576)" (two contacts of the same
# name) and ".eml".
_FILENAME_TAIL = len(" (row 1048576).eml")


# --------------------------------------------------------------------------- results


@dataclass
class Draft:
    """One rendered draft: what it says, the file it becomes, and what the checker found."""

    kind: str
    name: str
    row: int
    filename: str
    subject: str | None
    body: str
    to: str | None  # the validated address of an .eml; None for .txt and .md
    sender: str | None
    content: bytes
    facts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def format(self) -> str:
        """``eml``, ``txt`` or ``md``."""
        return self.filename.rsplit(".", 1)[-1]

    def text(self) -> str:
        """The draft as a person reads it (headers decoded), for ``--stdout``."""
        if self.kind == CALL:
            return self.body
        head = [f"To: {self.name} <{self.to}>" if self.to else f"To: {self.name}"]
        if self.sender:
            you = header_text(self.facts.get("your_name", ""))
            head.append(f"From: {you} <{self.sender}>" if you else f"From: {self.sender}")
        head.append(f"Subject: {self.subject}")
        return "\n".join(head) + "\n\n" + self.body


@dataclass(frozen=True)
class Skipped:
    """A contact that got no draft, and why."""

    name: str
    row: int
    reason: str


@dataclass
class DraftRun:
    """The drafts of one kind for a chart, and the contacts skipped."""

    kind: str
    today: dt.date
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed_checks(self) -> bool:
        return any(d.findings for d in self.drafts)


@dataclass(frozen=True)
class Written:
    """What ``write_drafts`` did with one draft: ``wrote``, ``unchanged`` or ``kept`` (it exists and differs)."""

    draft: Draft
    path: Path
    status: str


# --------------------------------------------------------------------------- template sources


@dataclass(frozen=True)
class Piece:
    """A subject or body template and where it came from, to point at its errors."""

    text: str
    path: Path | None
    sheet: str | None = None
    cell: str | None = None
    first_line: int = 1  # the line of the file where this text starts

    def error(self, kind: str, what: str, lineno: int | None = None) -> TemplateError:
        what = " ".join(str(what).split())
        if lineno is not None:
            line = lineno if self.sheet else self.first_line + lineno - 1
            what = f"line {line}: {what}"
        return TemplateError(f"{kind} template: {what}", path=self.path, sheet=self.sheet, cell=self.cell)


def split_subject(text: str) -> tuple[str | None, int, str, int]:
    """A template file's ``Subject:`` first line and its body: (subject, 1, body, body's first line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[0].casefold().startswith("subject:"):
        start = 2 if len(lines) > 1 and not lines[1].strip() else 1
        return lines[0][len("subject:"):].strip(), 1, "\n".join(lines[start:]), start + 1
    return None, 0, text, 1


def _file_pieces(path: Path, kind: str) -> dict[str, Piece]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(f"{kind} template: is not UTF-8 text. Save it as UTF-8.", path=path) from None
    except OSError as exc:
        raise TemplateError(f"{kind} template: cannot be read ({exc.strerror or exc}).", path=path) from None
    subject, subject_line, body, body_line = split_subject(text)
    pieces = {}
    if subject:
        pieces["subject"] = Piece(subject, path, first_line=subject_line)
    if body.strip():
        pieces["body"] = Piece(body, path, first_line=body_line)
    return pieces


def packaged_dir() -> Path:
    """The folder of the packaged templates."""
    from importlib.resources import files

    return Path(str(files("workbook_tool") / "templates"))


def kind_for(name) -> str | None:
    """The draft kind a Templates-sheet Name means (``Thank You`` → ``thank-you``), if any."""
    folded = schema.normalize_header(name)
    for kind, aliases in KIND_ALIASES.items():
        if folded in {schema.normalize_header(a) for a in aliases}:
            return kind
    return None


def load_templates(chart: Chart | None, templates_dir=None) -> dict[str, dict[str, Piece]]:
    """Every kind's subject and body pieces: packaged, then the Templates sheet, then ``templates_dir``.

    Raises TemplateError for a Templates row whose Name is not a kind (or names a
    kind twice), and BadOption for a ``templates_dir`` that holds no template.
    """
    result: dict[str, dict[str, Piece]] = {}
    folder = packaged_dir()
    for kind in KINDS:
        result[kind] = _file_pieces(folder / PACKAGED_FILES[kind], kind)
    if chart is not None and chart.templates is not None:
        for kind, pieces in _sheet_pieces(chart).items():
            result[kind].update(pieces)
    if templates_dir is not None:
        for kind, pieces in _dir_pieces(Path(templates_dir)).items():
            result[kind].update(pieces)
    return result


def _sheet_pieces(chart: Chart) -> dict[str, dict[str, Piece]]:
    table = chart.templates
    found: dict[str, dict[str, Piece]] = {}
    seen: dict[str, int] = {}
    for row in table.rows:
        name = row.text("name")
        subject = _cell_text(row.values.get("subject")) if table.has("subject") else ""
        body = _cell_text(row.values.get("body")) if table.has("body") else ""
        if not name or not (subject.strip() or body.strip()):
            continue  # a placeholder row: nothing to override
        kind = kind_for(name)
        where = dict(path=chart.path, sheet=table.sheet, cell=table.ref(row.number, "name"))
        if kind is None:
            raise TemplateError(f'"{name}" is not a draft kind. Name the template outreach, call, thank-you or '
                                "follow-up.", **where)
        if kind in seen:
            raise TemplateError(f"a second {kind} template (the first is in row {seen[kind]}). Keep one of them.",
                                **where)
        seen[kind] = row.number
        pieces = {}
        if subject.strip():
            pieces["subject"] = Piece(subject, chart.path, table.sheet, table.ref(row.number, "subject"))
        if body.strip():
            pieces["body"] = Piece(body, chart.path, table.sheet, table.ref(row.number, "body"))
        found[kind] = pieces
    return found


def _cell_text(value) -> str:
    if is_blank(value):
        return ""
    # Excel keeps a line break typed with Alt+Enter as LF, but text pasted from
    # Windows brings CRLF; one kind of line break keeps line numbers right.
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _dir_pieces(folder: Path) -> dict[str, dict[str, Piece]]:
    if not folder.is_dir():
        raise BadOption(f"--templates {folder}: no such folder. Give a folder holding outreach.txt, call.md, "
                        "thank-you.txt or follow-up.txt.")
    found = {}
    for kind, names in TEMPLATE_FILES.items():
        for name in names:
            if (folder / name).is_file():
                found[kind] = _file_pieces(folder / name, kind)
                break
    if not found:
        raise BadOption(f"--templates {folder}: holds none of outreach.txt, call.md (or call.txt), thank-you.txt, "
                        "follow-up.txt.")
    return found


# --------------------------------------------------------------------------- Jinja2


def _undefined_classes():
    """The two kinds of undefined: unknown (a template error) and blank (skip the contact).

    StrictUndefined binds ``__str__``, ``__iter__`` … to the base class's
    ``_fail_with_undefined_error``, which raises ``self._undefined_exception``;
    so the kind of error is chosen by the ``exc`` each one is made with.
    """
    from functools import partial

    from jinja2 import StrictUndefined, UndefinedError

    class MissingData(UndefinedError):
        """A field that exists but is blank for this contact."""

        def __init__(self, fields, key, message=""):
            super().__init__(message or f"{key} is blank")
            self.fields = fields
            self.key = key

    class Unknown(StrictUndefined):
        __slots__ = ()

        def __init__(self, hint=None, obj=_jinja_missing(), name=None, exc=UndefinedError):
            if obj is None and name is not None:
                # An attribute of None is data, not a template bug: a template that uses
                # referrer.name fails only for the contacts nobody referred.
                exc = partial(MissingData, None, name)
            super().__init__(hint, obj, name, exc)

        @property
        def _undefined_message(self) -> str:
            obj, name = self._undefined_obj, self._undefined_name
            if self._undefined_hint:
                return self._undefined_hint
            if isinstance(obj, Fields):
                return f"{obj.owner}.{name} is not a field; {obj.owner} has {', '.join(sorted(obj.known))}"
            if obj is _jinja_missing():
                return f"'{name}' is not a variable; templates have {', '.join(VARIABLES)}"
            return f"{type(obj).__name__} value has no attribute {name!r}"

    class Missing(StrictUndefined):
        """A blank field: false, empty and default-able, but an error to print."""

        __slots__ = ()

        def __init__(self, fields, key):
            super().__init__(obj=fields, name=key, exc=partial(MissingData, fields, key))

        def __bool__(self):
            return False

        def __len__(self):
            return 0

        def __iter__(self):
            return iter(())

        def __eq__(self, other):
            return isinstance(other, Missing)

        def __ne__(self, other):
            return not self.__eq__(other)

        def __hash__(self):
            return 0

    return MissingData, Unknown, Missing


def _jinja_missing():
    from jinja2.utils import missing

    return missing


_JINJA = {}


def _jinja():
    """The sandboxed environment and the undefined classes, made once."""
    if not _JINJA:
        from jinja2 import pass_context

        from .sandbox import BoundedEnvironment

        class Bounded(BoundedEnvironment):
            """The bounded sandbox (sandbox.py), with a short cut for the fields of a row."""

            def getattr(self, obj, attribute):
                # contact.name, me.job_status …: a field, which Fields.__getattr__ would give
                # after the sandbox's attribute checks; asked ~15 times per draft.
                if (type(obj) is Fields and type(attribute) is str and attribute in obj.known
                        and not attribute.startswith("_") and attribute not in _FIELDS_ATTRIBUTES):
                    return obj[attribute]
                return super().getattr(obj, attribute)

        missing_data, unknown, blank = _undefined_classes()
        env = Bounded(undefined=unknown, autoescape=False, lstrip_blocks=True, keep_trailing_newline=True)
        env.add_filters(first_name=first_name, sentence=sentence, phrase=phrase, oneline=oneline, and_list=and_list,
                        longdate=pass_context(lambda ctx, value: longdate(value, ctx.get("today"))))
        _JINJA.update(env=env, MissingData=missing_data, Missing=blank)
    return _JINJA


class Fields:
    """A row's values for templates, by schema key; blank known fields are ``Missing``.

    ``owner`` is the variable's name (contact, referrer, me); ``known`` maps
    each key a template may use to its label; ``places`` maps a key to its cell.
    Jinja2 looks up ``contact.x`` as an attribute first, so this class's own
    attribute names (owner, known, places, value, items) must never be schema keys.
    """

    def __init__(self, owner: str, values: dict, known: dict[str, str], places=None, convert=None):
        self.owner = owner
        self.known = known
        self._places = places  # a dict, or a function that makes it (only a skipped contact needs it)
        if convert is None:
            self._all = {k: v for k, v in values.items() if not is_blank(v)}
        else:
            # Raw cells, each converted by convert(key, value) when first asked for: a
            # template reads a few of a row's twenty-odd columns.
            self._all, self._raw, self._convert, self._done = None, values, convert, {}

    def _get(self, key):
        """The non-blank value of ``key``, or None."""
        if self._all is not None:
            return self._all.get(key)
        if key not in self._done:
            raw = self._raw.get(key)
            value = None if is_blank(raw) else self._convert(key, raw)
            self._done[key] = None if is_blank(value) else value
        return self._done[key]

    @property
    def _values(self) -> dict:
        if self._all is None:
            self._all = {k: v for k in self._raw if (v := self._get(k)) is not None}
        return self._all

    @property
    def places(self) -> dict[str, str]:
        """Each key's cell (``Contacts!H7``), for saying which one to fill in."""
        if callable(self._places):
            self._places = self._places()
        return self._places or {}

    def __getitem__(self, key):
        value = self._all.get(key) if self._all is not None else self._get(key)
        if value is not None:
            return value
        if key in self.known:
            return _jinja()["Missing"](self, key)
        raise KeyError(key)

    def __getattr__(self, key):
        # Only for names that are not attributes: Jinja2 tries ``contact.name`` as an
        # attribute first and falls back to ``contact["name"]``; answering here spares
        # it an AttributeError per field per draft. Unknown keys still fail as before.
        known = self.__dict__.get("known")  # not self.known: while copying, that would come back here
        if key.startswith("_") or known is None or key not in known:
            raise AttributeError(key)
        return self[key]

    def value(self, key: str):
        """The raw non-blank value of ``key``, or None."""
        return self._all.get(key) if self._all is not None else self._get(key)

    def __contains__(self, key):
        return self._get(key) is not None

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __bool__(self):
        # {% if referrer %} asks this of every draft: the first non-blank cell answers
        # it without converting the rest.
        if self._all is not None:
            return bool(self._all)
        return any(self._get(key) is not None for key in self._raw)

    def items(self):
        return self._values.items()

    def __str__(self):
        return str(self._get("name") or self._get("your_name") or "")

    def __repr__(self):
        return f"Fields({self.owner}, {self._values!r})"


# Names a Fields object answers as itself (its methods, owner, known …), never as a field.
_FIELDS_ATTRIBUTES = frozenset(dir(Fields)) | {"owner", "known"}


def _compile(piece: Piece, kind: str):
    from jinja2 import TemplateSyntaxError

    env = _jinja()["env"]
    try:
        template = env.from_string(standalone_tags(piece.text))
    except TemplateSyntaxError as exc:
        raise piece.error(kind, exc.message or str(exc), exc.lineno) from None
    except RecursionError:  # Jinja2's parser and Python's compiler recurse once per level
        raise piece.error(kind, "nests brackets or tags too deeply; make it flatter") from None
    # A template's globals are a ChainMap over the environment's, which every render
    # copies key by key; ours never change after this, so a plain dict says the same.
    template.globals = dict(template.globals)
    return template


# A tag ends at its first %} (#}): with ".*?" the tags of a line could be split in
# exponentially many ways, and a line of 30 tags followed by text took hours to refuse.
_STANDALONE = re.compile(r"^[ \t]*(?:(?:\{%(?:(?!%\}).)*%\}|\{#(?:(?!#\}).)*#\})[ \t]*)+$")


def standalone_tags(source: str) -> str:
    """Make lines holding only ``{% … %}`` tags vanish instead of leaving blank lines.

    The newline after such a line goes inside a comment (``{#`` NL ``#}``), so it
    renders as nothing while every line keeps its number for error messages.
    """
    lines = source.split("\n")
    standalone = [bool(_STANDALONE.match(line)) and "{% raw" not in line for line in lines]
    for i in range(len(lines) - 1):
        if standalone[i]:
            lines[i] = lines[i].rstrip(" \t") + "{#"
            lines[i + 1] = "#}" + lines[i + 1]
    return "\n".join(lines)


def _render(template, piece: Piece, kind: str, context: dict) -> str:
    from jinja2.exceptions import SecurityError, UndefinedError

    try:
        return template.render(context)
    except _jinja()["MissingData"]:
        raise
    except RecursionError as exc:
        raise piece.error(kind, "calls itself too deeply (a macro or recursive loop without an end?)",
                          _template_line(exc)) from None
    except SecurityError as exc:
        from .sandbox import Exhausted

        if isinstance(exc, Exhausted):  # it says what the template asked for: "takes more than 2 seconds …"
            raise piece.error(kind, str(exc), _template_line(exc)) from None
        raise piece.error(kind, f"uses something templates may not ({exc})", _template_line(exc)) from None
    except UndefinedError as exc:
        raise piece.error(kind, exc.message or str(exc), _template_line(exc)) from None
    except Exception as exc:  # a filter given the wrong type, a division by zero …
        raise piece.error(kind, f"{type(exc).__name__}: {exc}", _template_line(exc)) from None


def _template_line(exc: BaseException) -> int | None:
    # Jinja2 rewrites the traceback so that template frames carry the template's
    # line numbers under the file name "<template>".
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# --------------------------------------------------------------------------- filters


_HONORIFICS = {"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"}


def _text(value) -> str:
    return str(value)  # a Missing value raises here, which skips the contact


def first_name(value) -> str:
    """``Dr. Ann Lee`` → ``Ann``; ``Lee, Ann`` → ``Ann``."""
    text = _text(value).strip()
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if last and first and " " not in last:
            text = first
    for word in text.split():
        if word.strip(".").casefold() not in _HONORIFICS:
            return word
    return text


def longdate(value, today: dt.date | None = None) -> str:
    """A date as ``November 18``, with its year when that is not ``today``'s."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        same_year = today is not None and value.year == today.year
        return f"{value:%B} {value.day}" if same_year else f"{value:%B} {value.day}, {value.year}"
    return _text(value)


def sentence(value) -> str:
    """Text as a sentence: a capital first letter and a final full stop."""
    text = " ".join(_text(value).split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def phrase(value) -> str:
    """Text to put inside a sentence: one line, no final full stop."""
    return " ".join(_text(value).split()).rstrip(" .")


def oneline(value) -> str:
    """Text on one line (for a Markdown list item)."""
    return " ".join(_text(value).split())


def and_list(values) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = [str(v) for v in values]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------- chart helpers


# Each Contacts column's kind and header, looked up for every cell of every row. Each
# contact gets its own copy of the headers as ``known``: the sandbox lets a template
# call a dict's methods, so a shared one could be changed for the rest of the run.
_CONTACT_KINDS = {c.key: c.kind for c in schema.CONTACTS.columns}
_CONTACT_HEADERS = {c.key: c.header for c in schema.CONTACTS.columns}


def _contact_value(key: str, value, region: str, today: dt.date | None = None):
    """A non-blank Contacts cell as a template sees it (``today`` dates a day typed without a year)."""
    kind = _CONTACT_KINDS[key]
    if kind == "date":
        try:
            return to_date(value, region, today)
        except ValueError:
            return str(value).strip()  # validate reports it; the template gets the text
    if kind == "phone":
        return phone_text(value)
    if kind == "name":
        return header_text(value)  # a name is one line, wherever a template puts it
    return value.strip() if isinstance(value, str) else value


def contact_fields(chart: Chart, row: Row, owner: str = "contact", region: str | None = None,
                   today: dt.date | None = None) -> Fields:
    """A Contacts row as template fields, blank ones pointing at their cells.

    ``region`` is the Profile's (read once per chart by the Drafter: it costs a lookup).
    """
    table, number = chart.contacts, row.number
    region = region or chart.profile.region

    def places():
        return {k: f"{table.sheet}!{table.ref(number, k)}" for k in _CONTACT_HEADERS if table.has(k)}

    return Fields(owner, row.values, dict(_CONTACT_HEADERS), places,
                  lambda key, value: _contact_value(key, value, region, today))


def profile_fields(chart: Chart) -> Fields:
    """The Profile as template fields (``me``), with the schema's defaults."""
    profile = chart.profile
    values, known, places = {}, {}, {}
    for spec in schema.PROFILE_FIELDS:
        known[spec.key] = spec.label
        values[spec.key] = profile.days(spec.key) if spec.kind == "days" else profile.get(spec.key)
        if spec.key in profile.cells and profile.sheet:
            places[spec.key] = f"{profile.sheet}!{profile.cells[spec.key]}"
    return Fields("me", values, known, places)


def _index(chart: Chart) -> dict[str, Row]:
    index: dict[str, Row] = {}
    for row in chart.contacts.rows:
        index.setdefault(name_key(row.values.get("name")), row)
    index.pop("", None)
    return index


def referrer_row(chart: Chart, row: Row, index: dict[str, Row] | None = None) -> Row | None:
    """The Contacts row named in ``row``'s Referred By, if there is one."""
    key = name_key(row.values.get("referred_by"))
    if not key:
        return None
    return (index if index is not None else _index(chart)).get(key)


def pending_referrals(chart: Chart, row: Row, index: dict[str, Row] | None = None) -> tuple[str, ...]:
    """The people ``row`` recommended who have not been contacted yet (stages.pending_referrals)."""
    return stages.pending_referrals(row, index if index is not None else _index(chart), chart.profile.region)


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
    if not text.isprintable():  # printable text has no Cc, Cf, Zl or Zp character
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    if ENCODED_WORD in text:
        text = text.replace(ENCODED_WORD, "= ?")
    return " ".join(text.split())


def header_address_problem(address: str) -> str | None:
    """Why a valid address (fields.check_email) cannot go in a mail header, or None when it can.

    ``=?`` is allowed in an address, but the email package decodes an encoded word at
    the start of one as it does in a name; an address is not ours to rewrite.
    """
    if ENCODED_WORD in address:
        return 'a mail program would read its "=?" as an encoded word'
    return None


_UNSAFE_IN_FILENAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def filename_part(text: str, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A name made safe for Windows, macOS and Linux file names, still readable.

    At most MAX_NAME_IN_FILENAME characters and ``max_bytes`` bytes of UTF-8, cut
    between characters and never between a letter and its accent.
    """
    text = unicodedata.normalize("NFC", header_text(text))
    text = " ".join(_UNSAFE_IN_FILENAME.sub(" ", text).split())
    if len(text) > MAX_NAME_IN_FILENAME:
        text = _cut_before(text, MAX_NAME_IN_FILENAME)
    if len(text.encode("utf-8")) > max_bytes:
        # The bytes that fit, less a character they would end inside of.
        text = _cut_before(text, len(text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")))
    return text.strip(" .")


def _cut_before(text: str, end: int) -> str:
    """``text[:end]``, moved back so that no combining mark is cut from the letter it belongs to."""
    while 0 < end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end -= 1
    return text[:end]


# --------------------------------------------------------------------------- drafting


class Drafter:
    """Renders drafts for one chart: templates compiled once, contacts indexed once."""

    def __init__(self, chart: Chart, today: dt.date, templates_dir=None):
        self.chart = chart
        self.today = today
        self.pieces = load_templates(chart, templates_dir)
        self.index = _index(chart)
        self.me = profile_fields(chart)
        self.region = chart.profile.region
        self._me_facts: dict | None = None
        self._compiled: dict[str, tuple] = {}
        from .sandbox import budget  # once here: an import per draft costs a tenth of its rendering

        self._budget = budget

    def compiled(self, kind: str):
        """The kind's (subject template or None, body template), compiled on first use."""
        if kind not in self._compiled:
            # Overrides replace only the pieces they give, so an email kind always has
            # the packaged subject to fall back on.
            pieces = self.pieces[kind]
            subject = pieces.get("subject")
            self._compiled[kind] = (_compile(subject, kind) if subject and kind in EMAIL_KINDS else None,
                                    _compile(pieces["body"], kind))
        return self._compiled[kind]

    def step(self, row: Row) -> stages.NextStep:
        """The contact's next step, counting the referrals they gave that are still pending."""
        return stages.next_step(row, self.chart.profile, self.today,
                                stages.pending_referrals(row, self.index, self.region))

    def context(self, row: Row, kind: str, step: stages.NextStep) -> dict:
        """The variables a template sees for this contact."""
        ref = referrer_row(self.chart, row, self.index)
        if ref is not None:
            referrer = contact_fields(self.chart, ref, "referrer", self.region, self.today)
        elif row.text("referred_by"):
            # Named but not (yet) a row of the chart: the outreach can still name them.
            referrer = Fields("referrer", {"name": header_text(row.text("referred_by"))}, dict(_CONTACT_HEADERS))
        else:
            referrer = None
        recommended = [p.name for p in parse_recommended(row.values.get("recommended"), self.region)]
        pending = stages.pending_referrals(row, self.index, self.region)
        return {"contact": contact_fields(self.chart, row, region=self.region, today=self.today), "referrer": referrer, "me": self.me,
                "step": step, "today": self.today, "kind": kind, "recommended": recommended,
                "pending_referrals": list(pending)}

    def render(self, row: Row, kind: str, step: stages.NextStep | None = None):
        """``(subject, body, context)`` for the contact, or a ``Skipped`` saying which blank field stopped it.

        Raises TemplateError for a broken template.
        """
        step = step if step is not None else self.step(row)
        subject_tpl, body_tpl = self.compiled(kind)
        context = self.context(row, kind, step)
        pieces = self.pieces[kind]
        try:
            with self._budget():  # one deadline for the draft's subject and body
                subject = _render(subject_tpl, pieces["subject"], kind, context) if subject_tpl else None
                body = _render(body_tpl, pieces["body"], kind, context)
        except _jinja()["MissingData"] as exc:
            return Skipped(row.text("name"), row.number, self._missing_reason(exc, kind))
        return (header_text(subject) if subject is not None else None), tidy_body(body), context

    def _missing_reason(self, exc, kind: str) -> str:
        fields, key = exc.fields, exc.key
        if fields is None:
            return (f"the {kind} template uses .{key} of an empty value (referrer is empty when nobody referred "
                    "the contact; wrap it in {% if referrer %})")
        label = fields.known.get(key, key)
        place = fields.places.get(key)
        if fields.owner == "me":
            where = f"fill in {place}" if place else f'add a "{label}" row to the Profile sheet'
            return f"the Profile's {label} is blank, and the {kind} template needs it: {where}"
        if fields.owner == "referrer":
            return f"their referrer {fields}'s {label} is blank, and the {kind} template needs it"
        if key == "helpful" and kind == THANK_YOU:
            where = f"fill in {place}" if place else "add a Helpful column"
            return f"Helpful is blank: a thank-you names something you found helpful; {where}"
        if place:
            return f"{label} is blank ({place}), and the {kind} template needs it"
        return f"the {self.chart.contacts.sheet} sheet has no {label} column, and the {kind} template needs it"

    def draft(self, row: Row, kind: str, step: stages.NextStep | None = None, style: str = GUIDE):
        """A ``Draft`` for the contact (checked), or ``Skipped``."""
        rendered = self.render(row, kind, step)
        if isinstance(rendered, Skipped):
            return rendered
        subject, body, context = rendered
        name = header_text(row.text("name"))
        notes = []
        facts = self._facts(context)
        start = f"{self.today.isoformat()} {kind} - "
        base = start + (filename_part(name, MAX_FILENAME_BYTES - len(start) - _FILENAME_TAIL) or f"row {row.number}")
        result = Draft(kind, name, row.number, base + ".md", subject, body, None, None, b"", facts, notes)
        if kind == CALL:
            result.content = body.encode("utf-8")
        else:
            result.to = self._recipient(row, notes)
            if result.to is not None:
                sender, sender_note = self._sender()
                try:
                    result.content = build_eml(name, result.to, self.me.value("your_name") or "", sender,
                                               subject, body)
                    result.filename, result.sender = base + ".eml", sender
                    notes += [sender_note] if sender_note else []
                except ValueError as exc:
                    notes.append(f"the address cannot go in a mail header ({exc}), so a text draft")
                    result.to = None
            if result.to is None:
                result.filename = base + ".txt"
                result.content = result.text().encode("utf-8")
        result.findings = check_draft(result, style)
        return result

    @staticmethod
    def _recipient(row: Row, notes: list[str]) -> str | None:
        address = row.text("email")
        if not address:
            notes.append("no email address, so a text draft")
            return None
        try:
            address = check_email(address)
        except ValueError:
            notes.append(f"Email {header_text(address)!r} is not a valid address, so a text draft")
            return None
        problem = header_address_problem(address)
        if problem:
            notes.append(f"Email {address!r} cannot go in a mail header: {problem}, so a text draft")
            return None
        return address

    def _sender(self) -> tuple[str | None, str | None]:
        raw = self.me.value("your_email")
        if raw is None:
            return None, "no From: the Profile's Your Email is blank"
        try:
            address = check_email(raw)
        except ValueError:
            return None, "no From: the Profile's Your Email is not a valid address"
        problem = header_address_problem(address)
        if problem:
            return None, f"no From: the Profile's Your Email cannot go in a mail header: {problem}"
        return address, None

    def _facts(self, context: dict) -> dict:
        """What the checker compares the draft with: the Profile's words, the referrer, Helpful."""
        me, contact, referrer = context["me"], context["contact"], context["referrer"]

        def value(fields, key):
            return "" if fields is None or fields.value(key) is None else " ".join(str(fields.value(key)).split())

        if self._me_facts is None or me is not self.me:  # the Profile's part is the same for every contact
            self._me_facts = {key: value(me, key) for key in ("job_status", "expertise", "seeking", "why_searching",
                                                              "meeting_length", "your_name")}
            self._me_facts["signature"] = str(me.value("signature") or "")
        facts = dict(self._me_facts)
        facts.update(referrer=value(referrer, "name"), via=value(contact, "via"), helpful=value(contact, "helpful"))
        return facts


def tidy_body(text: str) -> str:
    """One blank line at most between paragraphs, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def build_eml(name: str, to: str, sender_name: str, sender: str | None, subject: str, body: str) -> bytes:
    """An RFC 5322 draft (CRLF, UTF-8, quoted-printable) that mail programs open for editing.

    ``X-Unsent: 1`` marks it unsent, so that Outlook opens it as a new message to
    edit and send rather than as a received one. There is no Date or Message-ID:
    the mail program adds its own when the person sends it, and the file stays
    the same from one run to the next. Raises ValueError when an address cannot
    be a header (header_address_problem).
    """
    for address in (to, sender):
        problem = address and header_address_problem(address)
        if problem:
            raise ValueError(f"{address!r}: {problem}")
    head = [_to_header(header_text(name), to)]
    if sender:
        head.append(_address_header("From", header_text(sender_name), sender))
    head += [_subject_header(header_text(subject or "")), _EML_FIXED_HEADERS]
    # As email.contentmanager does for set_content: split the UTF-8 bytes into lines
    # and quote them. Quoted-printable treats each line alone, and most lines of a
    # chart's drafts (the Profile's paragraphs, the signature) are the same in every
    # draft, so each distinct line is quoted once.
    head += [_qp_line(line) for line in body.encode("utf-8").splitlines()]
    return b"".join(head)


@functools.lru_cache(maxsize=4096)
def _qp_line(line: bytes) -> bytes:
    """One body line quoted-printable as the stdlib writes it (soft breaks at 78), with its CRLF."""
    from email import quoprimime

    return quoprimime.body_encode(line.decode("latin-1"), _SMTP_MAX_LINE, eol="\r\n").encode("ascii") + b"\r\n"


# What the stdlib (EmailMessage with policy.SMTP, set_content with utf-8 and
# quoted-printable, as_bytes) writes after the To, From and Subject headers. The
# headers before it are folded by the stdlib too, once per distinct value.
_EML_FIXED_HEADERS = (b"X-Unsent: 1\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n"
                      b"Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\n")
_SMTP_MAX_LINE = 78
_NEWLINES = re.compile(r"\r\n|\r|\n")
# A display name of plain words and an address of plain atoms: the stdlib writes
# them as they are, "Name <addr>", when the line fits.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


_QUOTABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,'()&-]*")
_SPECIALS = frozenset('()<>@,:;."[]')


def _to_header(display: str, addr: str) -> bytes:
    if _PLAIN_ADDRESS.fullmatch(addr):
        line = ""
        if _PLAIN_NAME.fullmatch(display):
            line = f"To: {display} <{addr}>"
        elif _QUOTABLE_NAME.fullmatch(display) and not display.endswith(" "):
            line = f'To: "{display}" <{addr}>' if not _SPECIALS.isdisjoint(display) else f"To: {display} <{addr}>"
        elif not display.isascii():
            folded = _encoded_to_header(display, addr)
            if folded is not None:
                return folded
        if line and len(line) <= _SMTP_MAX_LINE:
            return line.encode("ascii") + b"\r\n"
    return _address_header("To", display, addr)


def _encoded_to_header(display: str, addr: str) -> bytes | None:
    """``To: Name <addr>`` with RFC 2047 encoded words, as the stdlib folds it; None to ask the stdlib.

    The email package takes about 3 ms for a non-ASCII name (it parses the
    address back and refolds the parse tree level by level), a third of drafting
    time when a fifth of a chart's names are not ASCII. For a name of words
    separated by single spaces the outcome is simple: a word is encoded when it
    is not ASCII or, inside the quotes Address puts around a name with specials,
    holds a special, and everything from the first encoded word to the last
    becomes one encoded word; the quotes go. Then the line is folded the way
    _refold_parse_tree does for this shape (replayed by _fold_to below). Names of
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
    """email._header_value_parser._refold_parse_tree for a display name's leaves and ``<addr>``.

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
    """email._header_value_parser._refold_parse_tree for leaves (to encode?, text) after ``start``.

    An encoded leaf joins the encoded word before it on the line, with the plain
    text since; a plain word that does not fit goes to the next line, taking the
    space before it. None where the stdlib would do more (split an encoded word).
    """
    from email._encoded_words import encode  # the stdlib's own choice of q or b

    lines, last_ew, since_ew = [start], None, ""
    for to_encode, text in tokens:
        line = lines[-1]
        if to_encode:
            if last_ew is None:
                last_ew, since_ew = len(line), text
            else:
                line, since_ew = line[:last_ew], since_ew + text
            word = encode(since_ew, charset="utf-8")
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
    from email.headerregistry import Address

    return _fold_header(name, Address(display_name=display, addr_spec=addr))


def _fold_header(name: str, value) -> bytes:
    """One header as ``EmailMessage(policy=policy.SMTP)`` writes it (ValueError when it cannot be one)."""
    from email import policy

    return policy.SMTP.fold_binary(*policy.SMTP.header_store_parse(name, value))


def make_drafts(chart: Chart, kind: str = OUTREACH, today: dt.date | None = None, names=(), templates_dir=None,
                style: str = GUIDE, progress=None) -> DraftRun:
    """The drafts of ``kind`` for the chart, checked, without writing anything.

    Without ``names``, every contact whose next step calls for ``kind`` (a
    follow-up only once it is due); with ``names`` (matched with
    fields.name_key), exactly those contacts, whatever their stage. Raises
    BadOption for an unknown kind or a name that matches no contact, and
    TemplateError for a broken template. ``progress(label, done, total)``, when
    given, hears about each contact looked at.
    """
    if kind not in KINDS:
        raise BadOption(f"--kind {kind!r} is not a kind of draft; use one of {', '.join(KINDS)}.")
    today = today or dt.date.today()
    drafter = Drafter(chart, today, templates_dir)
    drafter.compiled(kind)  # a broken template fails before any contact is looked at
    run = DraftRun(kind, today)
    wanted = _wanted_rows(chart, names)
    used: set[str] = set()
    total = len(chart.contacts.rows)
    for done, row in enumerate(chart.contacts.rows, start=1):
        if progress is not None and (done % 100 == 0 or done == total):
            progress(f"Drafting {kind}", done, total)
        name = row.text("name")
        if wanted is not None and row.number not in wanted:
            continue
        if not name:
            run.skipped.append(Skipped("", row.number, "the row has no Name"))
            continue
        step = drafter.step(row)
        if wanted is None:
            reason = _not_due(step, kind, today)
            if reason:
                run.skipped.append(Skipped(name, row.number, reason))
                continue
        result = drafter.draft(row, kind, step, style)
        if isinstance(result, Skipped):
            run.skipped.append(result)
            continue
        if result.filename.casefold() in used:  # two rows with the same name
            stem, ext = result.filename.rsplit(".", 1)
            result.filename = f"{stem} (row {row.number}).{ext}"
        used.add(result.filename.casefold())
        run.drafts.append(result)
    return run


def _wanted_rows(chart: Chart, names) -> set[int] | None:
    if not names:
        return None
    import difflib

    by_key: dict[str, list[int]] = {}
    for row in chart.contacts.rows:
        by_key.setdefault(name_key(row.values.get("name")), []).append(row.number)
    wanted = set()
    for name in names:
        rows = by_key.get(name_key(name))
        if not rows:
            known = [r.text("name") for r in chart.contacts.rows if r.text("name")]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            raise BadOption(f"--to {name!r} matches no Name on the {chart.contacts.sheet} sheet.{hint}",
                            path=chart.path)
        wanted.update(rows)
    return wanted


def _not_due(step: stages.NextStep, kind: str, today: dt.date) -> str | None:
    """Why a contact gets no draft of ``kind`` now, or None when it should."""
    if step.closed:
        return f"closed ({step.stage})"
    if step.kind != kind:
        due = f" (due {step.due.isoformat()})" if step.due else ""
        return f"{step.stage}; next step: {step.action}{due}"
    if kind == FOLLOW_UP and step.due is not None and step.due > today:
        return f"{step.stage}; a follow-up is not due until {step.due.isoformat()}"
    return None


def default_out_dir(chart_path) -> Path:
    """``drafts/`` beside the workbook."""
    return Path(chart_path).parent / "drafts"


def write_drafts(run: DraftRun, out_dir, force: bool = False) -> list[Written]:
    """Write each draft into ``out_dir`` (made if missing): all of them, or none.

    A file that exists with other content is kept (the person may have edited
    it) unless ``force``; one with the same content is left untouched. Every new
    draft is written to a temporary file beside its place first, and only once all
    are written are they renamed into place, each in one step: a full disk, or a
    name or a folder in the way, leaves no draft written (WriteFailed says so). A
    rename that fails after others (rare: one folder, one file system) says which
    were written.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BadOption(f"--out {out}: is a file, not a folder.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(f"the folder could not be made ({exc.strerror or exc}).", path=out) from None
    written = []
    folder = os.fspath(out)
    name_max = _name_max(folder)
    for draft in run.drafts:
        path = out / draft.filename
        if len(os.fsencode(draft.filename)) > name_max:
            raise WriteFailed(f"is longer than the {name_max} bytes a file name may have in this folder; no draft "
                              "was written. Draft into another folder with --out.", path=path)
        # Read no further than the draft's length: a link planted at its name (to
        # /dev/zero, say) is neither followed nor read, and counts as a file that is there.
        found = peek_file(path, len(draft.content) + 1)
        status = "wrote"
        if found is not None:
            if found == draft.content:
                status = "unchanged"
            elif not force:
                status = "kept"
            elif path.is_dir() and not path.is_symlink():
                raise WriteFailed("is a folder, so the draft cannot replace it; no draft was written. Move or "
                                  "rename the folder.", path=path)
        written.append(Written(draft, path, status))
    _write_all([w for w in written if w.status == "wrote"], folder)
    return written


def _name_max(folder: str) -> int:
    """The longest file name, in bytes, the folder's file system takes (eCryptfs: 143)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows, whose limit is 255 UTF-16 units
        return MAX_FILENAME_BYTES


def _write_all(new: list[Written], folder: str) -> None:
    # The temporary names are our own (O_EXCL refuses one that exists) rather than
    # mkstemp's, which costs more than the write; mode 0o666 less the umask makes
    # an ordinary file without a chmod. A failure or Ctrl-C leaves none behind.
    temps: list[str] = []
    renamed = 0
    try:
        for w in new:
            try:
                temps.append(_write_temporary(w.draft.content, folder))
            except OSError as exc:
                raise WriteFailed(f"could not be written ({exc.strerror or exc}); no draft was written.",
                                  path=w.path) from None
        for tmp, w in zip(temps, new):
            try:
                os.replace(tmp, w.path)
            except OSError as exc:
                done = [x.path.name for x in new[:renamed]]
                raise WriteFailed(f"could not be written ({exc.strerror or exc}); of the {len(new)} new drafts, "
                                  f"{len(done)} {'was' if len(done) == 1 else 'were'} written "
                                  f"({', '.join(done) or 'none'}) and {len(new) - len(done)} "
                                  f"{'was' if len(new) - len(done) == 1 else 'were'} not.", path=w.path) from None
            renamed += 1
    finally:
        for tmp in temps[renamed:]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_temporary(content: bytes, folder: str) -> str:
    """A new file in ``folder`` holding ``content``: its path (OSError if it cannot be written)."""
    for attempt in itertools.count():
        tmp = os.path.join(folder, f".draft-{_PID}-{next(_TMP_NUMBERS)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            if attempt > 100:
                raise OSError("no free temporary name") from None
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


_TMP_NUMBERS = itertools.count()
_PID = os.getpid()


# --------------------------------------------------------------------------- mailto


def build_mailto(address: str, subject: str, body: str, limit: int = MAILTO_LIMIT) -> str:
    """A ``mailto:`` URL (RFC 6068) of at most ``limit`` characters, shortening the body to fit.

    A shortened body ends with `` …`` so the person sees that the rest is in the
    .eml draft.
    """
    start = f"mailto:{quote(address, safe='@')}?subject="
    subject = _fit(len(start), header_text(subject), limit)
    head = start + _quote(subject)
    # RFC 6068: line breaks in a body are CRLF, percent-encoded.
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    body = _fit(len(head) + len("&body="), body, limit)
    return head + "&body=" + _quote(body) if body else head


# The bytes quote() leaves as they are; every other byte becomes %XX.
_QUOTE_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"


_UNSAFE_ASCII = tuple((ch, f"%{ord(ch):02X}") for ch in map(chr, range(128))
                      if ch.encode() not in _QUOTE_SAFE and ch != "%")


def _quote(text: str) -> str:
    """``quote(text, safe="")``, four times faster for ASCII text (a sync quotes every contact's email).

    quote() looks up every byte in Python; here each character that needs
    escaping and occurs is replaced in one C pass ("%" first). A test compares
    both on random text.
    """
    if not text.isascii():
        return quote(text, safe="")
    if "%" in text:
        text = text.replace("%", "%25")
    for ch, escaped in _UNSAFE_ASCII:
        if ch in text:
            text = text.replace(ch, escaped)
    return text


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


_MAILTO_CACHE: list = []


def mailto_link(chart: Chart, row: Row, step: stages.NextStep | None, today: dt.date) -> str | None:
    """A ``mailto:`` URL with the draft's subject and body, for ``chart sync``'s Draft column.

    Given for contacts whose next step is an email (outreach, follow-up or
    thank-you) and who have a valid email address; None otherwise, and None when
    a blank field the template needs stops the draft. Uses the packaged
    templates as the workbook's Templates sheet overrides them. Kept under
    MAILTO_LIMIT characters, because Outlook on Windows rejects longer links.
    Raises TemplateError when a template is broken.
    """
    if step is None or step.kind not in EMAIL_KINDS:
        return None
    try:
        address = check_email(row.text("email")) if row.text("email") else None
    except ValueError:
        return None
    if address is None or header_address_problem(address):
        return None
    drafter, failed = _cached_drafter(chart, today)
    if step.kind in failed:  # a broken template fails every contact alike (and may take seconds to)
        raise failed[step.kind].with_traceback(None)
    try:
        rendered = drafter.render(row, step.kind, step)
    except TemplateError as exc:
        failed[step.kind] = exc
        raise
    if isinstance(rendered, Skipped):
        return None
    subject, body, _ = rendered
    return build_mailto(address, subject or "", body)


def _cached_drafter(chart: Chart, today: dt.date) -> tuple[Drafter | None, dict[str, TemplateError]]:
    # sync asks once per row; load and compile the templates once per chart, and
    # remember which kinds' templates failed.
    if _MAILTO_CACHE:
        ref, day, drafter, failed = _MAILTO_CACHE[0]
        if ref() is chart and day == today:
            return drafter, failed
    failed: dict[str, TemplateError] = {}
    try:
        drafter = Drafter(chart, today)
    except TemplateError as exc:  # the Templates sheet itself is wrong: no email kind can be drafted
        drafter = None
        failed.update(dict.fromkeys(EMAIL_KINDS, exc))
    _MAILTO_CACHE[:] = [(weakref.ref(chart), today, drafter, failed)]
    return drafter, failed
