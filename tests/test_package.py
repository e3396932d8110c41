"""The package as a whole: no import circle, and no low-level module importing a command's module.

Imports inside functions count: a rule borrowed from a command's module by a lower one, even
lazily, ties the two together; the rule belongs in a module both can import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import workbook_tool

PACKAGE = Path(workbook_tool.__file__).resolve().parent
MODULES = {p.stem for p in PACKAGE.glob("*.py")}

# The modules of commands (what ``cli`` calls), and those every command may read.
COMMANDS = {"cli", "create", "validate", "sync", "drafts", "importer", "agenda", "ics", "report"}
LOW = {"plan", "kinds", "people", "stages", "checker", "templates", "eml", "mailto", "sandbox", "schema", "errors", "fields",
       "placement"}

# Circles left for other parts of the restructuring (issue 12): none left.
KNOWN_CIRCLES: set = set()


def imports() -> dict[str, set[str]]:
    """Each module of the package → the modules of the package it imports, anywhere in it."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbook_tool."):
                found.add(node.module.split(".")[1])
        graph[path.stem] = found & MODULES
    return graph


def circles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Every import circle, each as the sorted tuple of its modules."""
    found = set()

    def walk(start: str, node: str, path: list[str]) -> None:
        for dep in graph[node]:
            if dep == start:
                found.add(tuple(sorted(path)))
            elif dep not in path:
                walk(start, dep, path + [dep])

    for module in graph:
        walk(module, module, [module])
    return found


def test_no_import_circle():
    assert circles(imports()) == KNOWN_CIRCLES


def test_low_level_modules_import_no_command():
    graph = imports()
    assert LOW <= MODULES
    assert {module: graph[module] & COMMANDS for module in LOW if graph[module] & COMMANDS} == {}


def test_circles_are_found():
    graph = {"a": {"b"}, "b": {"a"}, "c": set()}
    assert circles(graph) == {("a", "b")}


# A declared dependency's import name, where it differs from its distribution's.
_IMPORT_NAME = {"email-validator": "email_validator", "python-calamine": "python_calamine"}


def declared_dependencies() -> list[str]:
    """The distributions pyproject.toml makes every install of the tool pull in."""
    import tomllib

    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0] for spec in project["dependencies"]]


def imported_modules() -> set[str]:
    """The top-level modules the package imports, anywhere in it."""
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_dependency_is_imported_by_the_tool():
    # A dependency earns its place in the code: pandas (with numpy, 130 MB) was declared and never imported.
    modules = imported_modules()
    unused = [d for d in declared_dependencies() if _IMPORT_NAME.get(d, d).lower() not in modules]
    assert unused == []


def test_every_dependency_says_why_it_is_there():
    lines = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8").split("dependencies = [", 1)[1]
    lines = lines.split("]", 1)[0].strip().splitlines()
    assert [line for line in lines if "#" not in line] == []


def test_the_plan_imports_nothing_above_it():
    # Every planner and the writer read plan.py; a module it imported could never import them.
    assert imports()["plan"] <= {"schema", "fields", "errors"}


# Modules still larger than a room should be, left for other parts of issue 12: remove each when it is split.
CROWDED: set[str] = set()
ROOM = 650  # lines: "about 600"


def test_every_module_says_what_it_owns_and_none_is_crowded():
    sizes = {}
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ast.get_docstring(ast.parse(text)), f"{path.name} has no opening docstring"
        sizes[path.stem] = len(text.splitlines())
    assert {name for name, lines in sizes.items() if lines > ROOM} == CROWDED


def test_the_readme_says_where_each_module_is():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("### How the code is laid out", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    listed = {name for line in table.splitlines() for name in re.findall(r"`(\w+)\.py`", line.split("|")[1])}
    assert MODULES - {"__init__", "__main__"} == listed
