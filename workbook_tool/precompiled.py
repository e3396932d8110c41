"""A template's text as Jinja2 compiles it: lines of tags alone made to vanish, and the packaged
templates compiled ahead of time.

``standalone_tags`` is the one change made to a template's text before Jinja2 reads it.

Turning a template into Python (lexing, parsing, generating the code) was most of what a
small chart's ``chart sync`` spent on its Draft links, and for the packaged templates it
comes out the same on every run. So ``templates/compiled.json`` holds, for each packaged
piece, what ``Environment.compile(source, raw=True)`` makes of it (the Python source that
``from_string`` compiles next) and the names it reads; ``templates`` compiles that Python
as ``from_string`` would, skipping only the steps whose result it already holds.

The file is used only where it is certainly what Jinja2 would make now: an entry is found
by the SHA-256 of the very text Jinja2 would be given, and the file is used only when it
was made for this environment (``fingerprint``: the Jinja2 version, the text of our
environment's and code generator's modules, the options, filters and tests); otherwise
the template is compiled as before. It is package data, as trusted as the code beside
it, and nothing is written at run time. The Templates sheet's and ``--templates``
folder's templates are always compiled from their text. After a change to a packaged
template, Jinja2, ``templates.py`` or ``sandbox.py``, write the file again (a test fails
until it is)::

    python3 -c 'from workbook_tool import templates; print(templates.precompile())'
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import jinja2

FILE_NAME = "compiled.json"
# Jinja2 names a template compiled from a string "<template>": its code, and the lines its errors point at.
FILENAME = "<template>"


def fingerprint(env: jinja2.Environment) -> dict:
    """What the Python Jinja2 generates for a template depends on, besides the template: its version and
    the environment (syntax and whitespace options, how filters and tests are called, the code generator)."""
    def calls(functions: dict) -> list[list[str]]:
        # pass_context and its kin change the call a template makes: a filter's name alone is not enough.
        return [[name, str(getattr(f, "jinja_pass_arg", ""))] for name, f in sorted(functions.items())]

    return {
        "jinja2": jinja2.__version__,
        # Our own environment and code generator classes are code too: the text of each module that
        # defines one (any edit makes the file stale, to be written again, rather than trusted).
        "modules": _module_digests((*type(env).__mro__, *env.code_generator_class.__mro__)),
        "environment": f"{type(env).__module__}.{type(env).__qualname__}",
        "code_generator": f"{env.code_generator_class.__module__}.{env.code_generator_class.__qualname__}",
        "syntax": [env.block_start_string, env.block_end_string, env.variable_start_string,
                   env.variable_end_string, env.comment_start_string, env.comment_end_string,
                   env.line_statement_prefix, env.line_comment_prefix],
        "options": {"trim_blocks": env.trim_blocks, "lstrip_blocks": env.lstrip_blocks,
                    "newline_sequence": env.newline_sequence, "keep_trailing_newline": env.keep_trailing_newline,
                    "optimized": env.optimized, "is_async": env.is_async, "sandboxed": env.sandboxed,
                    "autoescape": repr(env.autoescape), "finalize": repr(env.finalize),
                    "extensions": sorted(env.extensions),
                    "intercepted": [sorted(env.intercepted_binops), sorted(env.intercepted_unops)]},
        "filters": calls(env.filters),
        "tests": calls(env.tests),
    }


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


def _module_digests(classes) -> dict[str, str | None]:
    found = {}
    for cls in classes:
        module = sys.modules.get(cls.__module__)
        if cls.__module__ in found or cls.__module__.split(".")[0] in ("jinja2", "builtins"):
            continue  # Jinja2's own code is its version
        try:
            found[cls.__module__] = hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()
        except (AttributeError, OSError, TypeError):
            found[cls.__module__] = None  # no source to compare: the file is not used, nor written
    return dict(sorted(found.items()))


def digest(source: str) -> str:
    """The key of an entry: the SHA-256 of the template text given to Jinja2."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def names_read(tree) -> list[str]:
    """The variables a parsed template reads (every ``Name`` loaded), sorted."""
    return sorted({node.name for node in tree.find_all(jinja2.nodes.Name) if node.ctx == "load"})


def entry(env: jinja2.Environment, source: str) -> dict:
    """One template's entry, made as ``templates`` would compile it: its key, the names it reads, its Python."""
    tree = env.parse(source)
    return {"sha256": digest(source), "names": names_read(tree), "python": env.compile(tree, raw=True)}


def _well_formed(e) -> bool:
    return (isinstance(e, dict) and isinstance(e.get("sha256"), str) and isinstance(e.get("python"), str)
            and isinstance(e.get("names"), list) and all(isinstance(n, str) for n in e["names"]))


class Ahead:
    """The shipped entries for one environment, read when first asked for."""

    def __init__(self, env: jinja2.Environment, folder: Path):
        self.env = env
        self.path = folder / FILE_NAME
        self._entries: dict[str, dict] | None = None

    def _load(self) -> dict[str, dict]:
        try:
            shipped = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # not shipped (a trimmed install) or unreadable: compile as before
        now = fingerprint(self.env)
        if not isinstance(shipped, dict) or shipped.get("fingerprint") != now or None in now["modules"].values():
            return {}  # made for another Jinja2 or another environment: its code may differ
        entries = shipped.get("templates")
        return {e["sha256"]: e for e in entries.values() if _well_formed(e)} if isinstance(entries, dict) else {}

    def code(self, source: str):
        """(the compiled code, the names read) of ``source`` when an entry holds it, else None."""
        if self._entries is None:
            self._entries = self._load()
        found = self._entries.get(digest(source)) if self._entries else None
        if found is None:
            return None
        return compile(found["python"], FILENAME, "exec"), frozenset(found["names"])


def build(env: jinja2.Environment, sources: dict[str, str]) -> dict:
    """The file's content: the environment's fingerprint and an entry per named source."""
    now = fingerprint(env)
    if None in now["modules"].values():
        raise ValueError(f"no source to fingerprint for {[m for m, d in now['modules'].items() if d is None]}")
    return {"fingerprint": now, "templates": {name: entry(env, source)
                                                           for name, source in sorted(sources.items())}}


def write(folder: Path, env: jinja2.Environment, pieces: dict[str, dict]) -> Path:
    """Write the file into ``folder`` for ``pieces`` (the packaged ones: kind → subject or body → Piece)."""
    sources = {f"{kind}/{part}": standalone_tags(piece.text) for kind, parts in pieces.items()
               for part, piece in parts.items()}
    path = folder / FILE_NAME
    path.write_text(json.dumps(build(env, sources), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
