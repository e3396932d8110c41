"""Draft templates: where they come from, the fields they see, and compiling and rendering them.

Templates are Jinja2, run in the bounded sandbox of ``sandbox.py`` (a template is data a
person typed into a spreadsheet; it must neither reach Python's internals nor hang or
exhaust memory) with a strict notion of "undefined":

* a field that does not exist (``contact.nosuch``, ``{{ foo }}``) or a syntax
  error is a ``TemplateError``: one line naming the template and its line;
* a field that exists but is blank for this contact (``contact.helpful``, the
  Profile's ``me.job_status``) raises ``MissingData``, and ``drafts`` skips the
  contact, saying which cell to fill in. A blank field is false in
  ``{% if contact.title %}`` and takes ``| default("…")``, so a template can make
  any field optional.

Variables (``VARIABLES``): ``contact`` (the Contacts row, by schema key:
``contact.name``, ``contact.organization``, ``contact.helpful`` …; dates are dates; and
``contact.via_phrase``, Via as a letter says it: "my mom", "my friend Sam Patel"; and
``contact.meeting_time``, Meeting On's time of day, "3:30 PM", blank without one),
``referrer`` (the row of the contact in Referred By, or None), ``me`` (the Profile, by
PROFILE_FIELDS key, with defaults: ``me.your_name``, ``me.meeting_length`` …), ``step``
(stages.NextStep: ``step.stage``, ``step.action``, ``step.due``), ``today``, ``kind``,
``recommended`` (names in the contact's Recommended cell), ``pending_referrals``
(those of them not contacted yet) and ``report_back`` (the people met through the
contact, as contact fields). Filters: ``first_name``, ``longdate``, ``sentence``,
``phrase``, ``capfirst``, ``oneline``, ``and_list``.

A line that holds only ``{% … %}`` tags leaves no blank line behind (like
Mustache's standalone tags), so templates can put ``{% if %}`` on its own line.

Templates come from the package (``templates/``), then the workbook's Templates
sheet (Name, Subject, Body), then ``--templates DIR`` (the file names kinds.KINDS
gives: ``outreach.txt``, ``call.md`` …, whose first line may be ``Subject: …``);
each later source replaces the subject or body it gives. ``Templates`` holds one
chart's, compiles each once (the packaged ones from the code ``precompiled.py`` ships
for them) and renders them; ``drafts`` builds the variables.

This module imports Jinja2: import it only where templates are rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, pass_context
from jinja2.exceptions import SecurityError
from jinja2.utils import missing

from . import kinds, precompiled, schema
from .eml import header_text
from .errors import BadOption, TemplateError
from .fields import date_and_time, is_blank, phone_text, time_text, to_date
from .precompiled import standalone_tags
from .sandbox import BoundedEnvironment, Exhausted, budget, template_line
from .workbook import Chart, Row

VARIABLES = ("contact", "referrer", "me", "step", "today", "kind", "recommended", "pending_referrals", "report_back")


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Piece:
    """A subject or body template and where it came from, to point at its errors."""

    text: str
    path: Path | None
    sheet: str | None = None
    cell: str | None = None
    first_line: int = 1  # the line of the file where this text starts
    packaged: bool = False  # the package's own, which precompiled.py may hold compiled

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


def _file_pieces(path: Path, kind: str, packaged: bool = False) -> dict[str, Piece]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(f"{kind} template: is not UTF-8 text. Save it as UTF-8.", path=path) from None
    except OSError as exc:
        raise TemplateError(f"{kind} template: cannot be read ({exc.strerror or exc}).", path=path) from None
    subject, subject_line, body, body_line = split_subject(text)
    pieces = {}
    if subject:
        pieces["subject"] = Piece(subject, path, first_line=subject_line, packaged=packaged)
    if body.strip():
        pieces["body"] = Piece(body, path, first_line=body_line, packaged=packaged)
    return pieces


def packaged_dir() -> Path:
    """The folder of the packaged templates."""
    from importlib.resources import files

    return Path(str(files("workbook_tool") / "templates"))


def load_templates(chart: Chart | None, templates_dir=None) -> dict[str, dict[str, Piece]]:
    """Every kind's subject and body pieces: packaged, then the Templates sheet, then ``templates_dir``.

    Raises TemplateError for a Templates row whose Name is not a kind (or names a
    kind twice), and BadOption for a ``templates_dir`` that holds no template.
    """
    result: dict[str, dict[str, Piece]] = {}
    folder = packaged_dir()
    for kind in kinds.KINDS:
        result[kind.name] = _file_pieces(folder / kind.packaged, kind.name, packaged=True)
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
        kind = kinds.named(name).name if kinds.named(name) is not None else None
        where = dict(path=chart.path, sheet=table.sheet, cell=table.ref(row.number, "name"))
        if kind is None:
            raise TemplateError(f'"{name}" is not a draft kind. Name the template {kinds.one_of(kinds.NAMES)}.',
                                **where)
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
        raise BadOption(f"--templates {folder}: no such folder. Give a folder holding "
                        f"{kinds.one_of(k.packaged for k in kinds.KINDS)}.")
    found = {}
    for kind in kinds.KINDS:
        for name in kind.files:
            if (folder / name).is_file():
                found[kind.name] = _file_pieces(folder / name, kind.name)
                break
    if not found:
        # Each packaged name, and the preferred other one where it differs (call.txt for call.md).
        names = [k.packaged if k.files[0] == k.packaged else f"{k.packaged} (or {k.files[0]})" for k in kinds.KINDS]
        raise BadOption(f"--templates {folder}: holds none of {', '.join(names)}.")
    return found


# --------------------------------------------------------------------------- fields, and what is undefined


class MissingData(UndefinedError):
    """A field that exists but is blank for this contact (``fields`` is None for a field of None)."""

    def __init__(self, fields, key, message=""):
        super().__init__(message or f"{key} is blank")
        self.fields = fields
        self.key = key


class Unknown(StrictUndefined):
    """A name or a field no template has: the template is broken, and its error says what there is.

    StrictUndefined binds ``__str__``, ``__iter__`` … to the base class's
    ``_fail_with_undefined_error``, which raises ``self._undefined_exception``;
    so the kind of error is chosen by the ``exc`` each one is made with.
    """

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError):
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
        if obj is missing:
            return f"'{name}' is not a variable; templates have {', '.join(VARIABLES)}"
        return f"{type(obj).__name__} value has no attribute {name!r}"


class Blank(StrictUndefined):
    """A blank field: false, empty and default-able, but MissingData when printed."""

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
        return isinstance(other, Blank)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return 0


class Fields:
    """A row's values for templates, by schema key; blank known fields are ``Blank``.

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
            return Blank(self, key)
        raise KeyError(key)

    def __getattr__(self, key):
        # Only for names that are not attributes (Jinja2 tries ``contact.name`` as one, then ``contact["name"]``):
        # answering here spares it an AttributeError per field per draft. Unknown keys still fail as before.
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
        # {% if referrer %} asks this of every draft: the first non-blank cell answers it, the rest unconverted.
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


# Each Contacts column's kind and header, looked up for every cell of every row. Each
# contact gets its own copy of the headers as ``known``: the sandbox lets a template
# call a dict's methods, so a shared one could be changed for the rest of the run.
_CONTACT_KINDS = {c.key: c.kind for c in schema.CONTACTS.columns}
_CONTACT_HEADERS = {c.key: c.header for c in schema.CONTACTS.columns}
# Fields worked out from a column rather than typed in one: the key, and the column it comes from.
VIA_PHRASE, MEETING_TIME = "via_phrase", "meeting_time"
_DERIVED = {VIA_PHRASE: "via", MEETING_TIME: "meeting_on"}
_CONTACT_KNOWN = {**_CONTACT_HEADERS, **{k: _CONTACT_HEADERS[source] for k, source in _DERIVED.items()}}

# Words for whose contact someone is ("Mom", "Aunt Sue", "Dad's friend Tom"): said as "my mom",
# "my aunt Sue", "my dad's friend Tom" in a letter, never as typed ("Mom suggested …").
_RELATIONS = frozenset("""
    mom mum mommy mother dad daddy father parents aunt auntie uncle cousin brother sister sibling grandma granny
    grandmother grandpa grandfather grandparents niece nephew wife husband partner fiance fiancee son daughter
    stepmom stepmother stepdad stepfather godmother godfather in-law sister-in-law brother-in-law mother-in-law
    father-in-law friend neighbor neighbour colleague coworker co-worker boss manager roommate classmate teacher
    professor coach mentor
""".split())
_FRIEND = schema.SOURCES[2]


def via_phrase(via, source=None) -> str:
    """Via as a letter says it, after "…suggested": ``Mom`` → ``my mom``, ``Aunt Sue`` → ``my aunt Sue``,
    ``my uncle Ray`` as typed, and a friend's name (Source Friend) → ``my friend Sam Patel``.

    Lower-case at the start, for the middle of a sentence; templates capitalize it with ``capfirst``.
    """
    text = " ".join(_text(via).split())
    if not text:
        return text
    first, _, rest = text.partition(" ")
    word = first.casefold()
    if word in ("my", "our"):
        return word + (" " + rest if rest else "")
    base = word[:-2] if word.endswith(("'s", "’s")) else word
    if base in _RELATIONS:
        return "my " + word + (" " + rest if rest else "")
    if schema.normalize_header(source) == schema.normalize_header(_FRIEND):
        return "my friend " + text
    return text


def _contact_value(key: str, value, region: str, today: dt.date | None = None):
    """A non-blank Contacts cell as a template sees it (``today`` dates a day typed without a year)."""
    kind = _CONTACT_KINDS.get(key, "text")
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
        found = {k: f"{table.sheet}!{table.ref(number, k)}" for k in _CONTACT_HEADERS if table.has(k)}
        return found | {k: found[source] for k, source in _DERIVED.items() if source in found}

    def convert(key, value):
        if key == VIA_PHRASE:
            return via_phrase(value, row.values.get("source"))
        if key == MEETING_TIME:  # blank for a Meeting On without a time of day
            return time_text(date_and_time(value, region, today), region)
        return _contact_value(key, value, region, today)

    # The derived fields read their column's cell (a copy of the row's dict: the row's own is the chart's).
    values = {**row.values, **{k: row.values.get(source) for k, source in _DERIVED.items()}}
    return Fields(owner, values, dict(_CONTACT_KNOWN), places, convert)


def referrer_fields(chart: Chart, row: Row, referrer: Row | None, region: str,
                    today: dt.date | None = None) -> Fields | None:
    """``referrer``: the row of the contact in ``row``'s Referred By (``referrer``), their name alone
    when they have no row (yet), or None when nobody referred the contact."""
    if referrer is not None:
        return contact_fields(chart, referrer, "referrer", region, today)
    if row.text("referred_by"):  # named but not a row of the chart: the outreach can still name them
        return Fields("referrer", {"name": header_text(row.text("referred_by"))}, dict(_CONTACT_KNOWN))
    return None


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


def capfirst(value) -> str:
    """Text with a capital first letter, the rest as it is ("my friend Sam" → "My friend Sam")."""
    text = _text(value)
    return text[:1].upper() + text[1:]


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


# --------------------------------------------------------------------------- compiling and rendering


class _Environment(BoundedEnvironment):
    """The bounded sandbox (sandbox.py), with a short cut for the fields of a row."""

    def getattr(self, obj, attribute):
        # contact.name, me.job_status …: a field, asked ~15 times per draft. A value found already (the Profile's,
        # a cell converted) is the answer even if a template took its key out of ``known``, as obj[attribute] is.
        if (type(obj) is Fields and type(attribute) is str and attribute not in _FIELDS_ATTRIBUTES
                and not attribute.startswith("_")):
            value = (obj._all if obj._all is not None else obj._done).get(attribute)
            if value is not None or attribute in obj.known:
                return obj[attribute] if value is None else value
        return super().getattr(obj, attribute)


def environment() -> BoundedEnvironment:
    """A new environment for templates: the sandbox's bounds, unknown names refused, our filters."""
    env = _Environment(undefined=Unknown, autoescape=False, lstrip_blocks=True, keep_trailing_newline=True)
    env.add_filters(first_name=first_name, sentence=sentence, phrase=phrase, oneline=oneline, and_list=and_list,
                    capfirst=capfirst,
                    longdate=pass_context(lambda ctx, value: longdate(value, ctx.get("today"))))
    return env


class Templates:
    """One chart's templates for every kind: from their sources, each compiled once, rendered in the sandbox."""

    def __init__(self, chart: Chart | None, templates_dir=None):
        self.pieces = load_templates(chart, templates_dir)
        self.env = environment()
        self._ahead = precompiled.Ahead(self.env, packaged_dir())  # the packaged templates, compiled ahead
        self._compiled: dict[str, tuple] = {}
        self._uses: dict[str, frozenset[str]] = {}  # kind → the variables its templates name

    def compiled(self, kind: str) -> tuple:
        """The kind's (subject template or None, body template), compiled on first use (TemplateError if broken)."""
        if kind not in self._compiled:
            # Overrides replace only the pieces they give, so an email kind always has
            # the packaged subject to fall back on.
            pieces = self.pieces[kind]
            subject = pieces.get("subject")
            self._compiled[kind] = (self._compile(subject, kind) if subject and kinds.get(kind).email else None,
                                    self._compile(pieces["body"], kind))
        return self._compiled[kind]

    def uses(self, kind: str) -> frozenset[str]:
        """The variables the kind's templates read, and ``today`` (longdate reads it): with no loader to
        include another with its context, a template reaches no variable but those its names read."""
        if kind not in self._uses:
            read = {"today"}.union(*(t.names_read for t in self.compiled(kind) if t is not None))
            self._uses[kind] = frozenset(read & set(VARIABLES))
        return self._uses[kind]

    def render(self, kind: str, context: dict) -> tuple[str | None, str]:
        """The kind's (subject or None, body) for these variables, within one draft's budget.

        Raises MissingData when a field the template prints is blank, and TemplateError
        when the template is broken or crosses a bound.
        """
        subject_tpl, body_tpl = self.compiled(kind)
        pieces = self.pieces[kind]
        # Variables and globals in one dict for both (each Context keeps its own {% set %} in its own vars).
        variables = dict(body_tpl.globals, **context)
        with budget():  # one deadline for the draft's subject and body
            subject = _render(subject_tpl, pieces["subject"], kind, variables) if subject_tpl else None
            return subject, _render(body_tpl, pieces["body"], kind, variables)

    def _compile(self, piece: Piece, kind: str):
        source = standalone_tags(piece.text)
        ahead = self._ahead.code(source) if piece.packaged else None
        try:
            if ahead is not None:
                # The Python Jinja2 makes of this very text in this environment (precompiled.py), compiled as
                # from_string compiles it (from Python's bytecode cache): the same template, without lexing,
                # parsing, generating and compiling it again.
                code, names = ahead
                template = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
            else:
                tree = self.env.parse(source)
                # Every name read, from the tree compiled (parsed once): a superset of jinja2.meta's
                # undeclared variables, so uses() may build a variable more, never one less.
                names = frozenset(precompiled.names_read(tree))
                template = self.env.from_string(tree)
        except TemplateSyntaxError as exc:
            raise piece.error(kind, exc.message or str(exc), exc.lineno) from None
        except RecursionError:  # Jinja2's parser and Python's compiler recurse once per level
            raise piece.error(kind, "nests brackets or tags too deeply; make it flatter") from None
        # Its globals: a ChainMap over the environment's, which every render copies; fixed now, a dict says the same.
        template.globals = dict(template.globals)
        template.names_read = names  # for uses()
        return template


def precompile() -> Path:
    """Write ``templates/compiled.json`` and ``templates/compiled/`` (precompiled.py) again, and say where: after
    a change to a packaged template, Jinja2, this module or sandbox.py, whose code the files' may then differ from."""
    return precompiled.write(packaged_dir(), environment(), load_templates(None))


def _render(template, piece: Piece, kind: str, variables: dict) -> str:
    """Template.render, given the variables with the globals; a blank field's MissingData (a skipped contact) raised
    without Jinja2's rewrite of the traceback, which compiles code per frame (longer than the render)."""
    try:
        try:
            return template.environment.concat(template.root_render_func(template.new_context(variables, True)))
        except MissingData:
            raise
        except Exception:
            template.environment.handle_exception()  # raises it, its frames given the template's lines
    except MissingData:
        raise
    except RecursionError as exc:
        raise piece.error(kind, "calls itself too deeply (a macro or recursive loop without an end?)",
                          template_line(exc)) from None
    except Exhausted as exc:  # it says what the template asked for: "takes more than 2 seconds …"
        raise piece.error(kind, str(exc), template_line(exc)) from None
    except SecurityError as exc:
        raise piece.error(kind, f"uses something templates may not ({exc})", template_line(exc)) from None
    except UndefinedError as exc:
        raise piece.error(kind, exc.message or str(exc), template_line(exc)) from None
    except Exception as exc:  # a filter given the wrong type, a division by zero …
        raise piece.error(kind, f"{type(exc).__name__}: {exc}", template_line(exc)) from None
