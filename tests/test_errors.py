"""``errors.py``: every error is raised complete, never edited after it was raised.

An error caught to change its message or its place (``exc.message = …``, ``exc.path = …``)
and raised again says one thing where it was raised and another where it is read; the
place that knows the whole message raises it whole (``grids.read_grids(path,
hint=…)`` for an export's hint, say).
"""

from __future__ import annotations

import ast
from pathlib import Path

import workbook_tool

PACKAGE = Path(workbook_tool.__file__).resolve().parent

# None left: sync's refusals (placement.Refusal.error) are raised naming the chart.
KNOWN: set = set()


def edits_of_caught_errors(tree: ast.AST) -> set[tuple[str, str]]:
    """(function, attribute) for each attribute set on an exception caught by ``except … as name``."""
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for handler in ast.walk(function):
            if not isinstance(handler, ast.ExceptHandler) or not handler.name:
                continue
            for node in ast.walk(handler):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, ast.AugAssign) else []
                for target in targets:
                    if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                            and target.value.id == handler.name):
                        found.add((function.name, target.attr))
    return found


def test_no_error_is_edited_after_it_was_raised():
    found = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for function, attribute in edits_of_caught_errors(ast.parse(path.read_text(encoding="utf-8"))):
            found.add((path.name, function, attribute))
    assert found == KNOWN


def test_the_scan_finds_an_edit():
    source = "def f():\n    try:\n        g()\n    except E as exc:\n        exc.message = 'x'\n        raise\n"
    assert edits_of_caught_errors(ast.parse(source)) == {("f", "message")}
