"""A template's text as Jinja2 compiles it: lines of tags alone made to vanish, and the packaged
templates compiled ahead of time.

``standalone_tags`` is the one change made to a template's text before Jinja2 reads it.

Turning a template into Python (lexing, parsing, generating the code) was most of what a
small chart's ``chart sync`` spent on its Draft links, and for the packaged templates it
comes out the same on every run; so did compiling that Python. So for each packaged piece
``templates/compiled/`` holds the Python source ``Environment.compile(source, raw=True)``
makes of it (the module ``from_string`` compiles next), and ``templates/compiled.json`` its
key and the names it reads. Each such file is loaded as Python loads a module's code:
from its bytecode cache (``__pycache__``, written by pip at install or at first use like any
module's), compiled from the file only when that cache is missing or stale. Its code is then
the code ``from_string`` compiles (the same source, compiled without inherited flags, as
Jinja2 compiles it) under Jinja2's file name for it; ``templates`` makes the template from
it, skipping only the steps whose result it already holds.

The files are used only where they are certainly what Jinja2 would make now: an entry is
found by the SHA-256 of the very text Jinja2 would be given, its Python file must have the
SHA-256 the entry records, and the entries are used only when they were made for this
environment (``fingerprint``: the Jinja2 version, the text of our environment's and code
generator's modules, the options, filters and tests); otherwise the template is compiled
as before. They are package data, as trusted as the code beside them; nothing is written
at run time but Python's own bytecode cache. The Templates sheet's and ``--templates``
folder's templates are always compiled from their text. After a change to a packaged
template, Jinja2, ``templates.py`` or ``sandbox.py``, write the files again (a test fails
until they are)::

    python3 -c 'from workbook_tool import templates; print(templates.precompile())'
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import CodeType

import jinja2

FILE_NAME = "compiled.json"
CODE_FOLDER = "compiled"  # beside it: each entry's Python, a file loaded as a module's code is
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


def python_file(name: str) -> str:
    """The file in ``templates/compiled/`` of the entry ``name`` ("outreach/body" → "outreach.body.py")."""
    return name.replace("/", ".") + ".py"


def entry(env: jinja2.Environment, name: str, source: str) -> tuple[dict, str]:
    """One template's entry, made as ``templates`` would compile it (its key, the names it reads, its Python
    file and that file's SHA-256), and the Python itself, the file's text."""
    tree = env.parse(source)
    python = env.compile(tree, raw=True)
    return {"sha256": digest(source), "names": names_read(tree), "file": python_file(name),
            "python_sha256": digest(python)}, python


def _well_formed(e) -> bool:
    return (isinstance(e, dict) and isinstance(e.get("sha256"), str) and isinstance(e.get("python_sha256"), str)
            and isinstance(e.get("file"), str) and _PLAIN_FILE.fullmatch(e["file"]) is not None
            and isinstance(e.get("names"), list) and all(isinstance(n, str) for n in e["names"]))


# A file name the entries may give: one name in the folder, never a path out of it.
_PLAIN_FILE = re.compile(r"[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*\.py")


def _with_filename(code, filename: str):
    """``code`` and every code object inside it (its functions) named as compiled from ``filename``."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


class Ahead:
    """The shipped entries for one environment, read when first asked for."""

    def __init__(self, env: jinja2.Environment, folder: Path):
        self.env = env
        self.path = folder / FILE_NAME
        self.code_folder = folder / CODE_FOLDER
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
        path = self.code_folder / found["file"]
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() != found["python_sha256"]:
                return None  # not the Python the entry was made with: compile as before
            # As the import system loads a module's code: its bytecode cache when that is fresh, else the file
            # compiled (and the cache written, where Python may), with no flags inherited from this module.
            code = SourceFileLoader(f"{__name__}.ahead", str(path)).get_code(f"{__name__}.ahead")
        except (OSError, ValueError, SyntaxError, ImportError, EOFError):
            return None  # unreadable or damaged (source or cache): compile as before
        return _with_filename(code, FILENAME), frozenset(found["names"])


def build(env: jinja2.Environment, sources: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """What is written: the JSON file's content (the environment's fingerprint and an entry per named
    source), and each entry's Python file (file name → text)."""
    now = fingerprint(env)
    if None in now["modules"].values():
        raise ValueError(f"no source to fingerprint for {[m for m, d in now['modules'].items() if d is None]}")
    entries, files = {}, {}
    for name, source in sorted(sources.items()):
        entries[name], python = entry(env, name, source)
        files[entries[name]["file"]] = python
    return {"fingerprint": now, "templates": entries}, files


def write(folder: Path, env: jinja2.Environment, pieces: dict[str, dict]) -> Path:
    """Write the files into ``folder`` for ``pieces`` (the packaged ones: kind → subject or body → Piece)."""
    sources = {f"{kind}/{part}": standalone_tags(piece.text) for kind, parts in pieces.items()
               for part, piece in parts.items()}
    content, files = build(env, sources)
    code_folder = folder / CODE_FOLDER
    code_folder.mkdir(exist_ok=True)
    for old in code_folder.glob("*.py"):
        if old.name not in files:
            old.unlink()  # a piece no longer packaged
    for name, python in files.items():
        (code_folder / name).write_text(python, encoding="utf-8", newline="\n")
    path = folder / FILE_NAME
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
