"""The plan's rules, which every planner and the writer obey: each defined once, in plan.py."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import workbook_tool
from workbook_tool.plan import MAX_CELL_TEXT, NOT_IN_XLSX, cell_text, xml_text

PACKAGE = Path(workbook_tool.__file__).resolve().parent


def test_cell_text_cuts_on_utf16_units():
    assert cell_text("a" * MAX_CELL_TEXT) == "a" * MAX_CELL_TEXT
    assert cell_text("😀" * 20_000) == "😀" * 16_383 + "…"  # 32,766 units and the mark
    assert cell_text("a" + "😀" * 20_000) == "a" + "😀" * 16_382 + "…"  # half an emoji is not kept
    assert cell_text("x\x00" * 40_000).endswith("…") and "\x00" not in cell_text("x\x00" * 40_000)
    assert cell_text(7) == 7 and cell_text(None) is None


def test_xml_text_drops_what_an_xlsx_cannot_hold():
    assert xml_text("a\x00b\x0bc\x1fd\ud800e\ufffff") == "abcdef"
    assert xml_text("tab\tnew\nline\r") == "tab\tnew\nline\r"  # XML keeps these
    assert xml_text(7) == 7


def test_each_rule_is_defined_once():
    # A second copy drifts: importer.py once kept its own, narrower set of characters.
    cap = re.compile(r"32_?767")
    characters = re.compile(r"\\x0e-\\x1f")  # the tail of the set, as a pattern's source spells it
    found = {path.name for path in PACKAGE.glob("*.py")
             if cap.search(path.read_text(encoding="utf-8")) or characters.search(path.read_text(encoding="utf-8"))}
    # cli.py's set is another thing: what must not reach a terminal (it adds DEL, which a cell may hold);
    # so is exports.py's: Unicode's control characters (C1 too), which tell a binary file from text.
    assert found == {"plan.py", "cli.py", "exports.py"}
    assert NOT_IN_XLSX.pattern.startswith("[\x00-\x08")


def _same_text_plainly(old, new) -> bool:
    """same_value's rules for texts and blanks, as written before its short cut for two texts."""
    from workbook_tool.fields import is_blank
    from workbook_tool.plan import cell_text

    if is_blank(old) and is_blank(new):
        return True
    if is_blank(old) or is_blank(new):
        return False
    return isinstance(old, str) and old == cell_text(new)


@settings(max_examples=500, deadline=None)
@given(old=st.none() | st.text(max_size=20) | st.sampled_from(["", "  ", "\t", "Met", "a\x01b", "ab"]),
       new=st.none() | st.text(max_size=20) | st.sampled_from(["", " ", "Met", "a\x01b", "ab", "x" * 40_000]))
def test_same_value_of_texts_keeps_its_rules_property(old, new):
    """The short cut for two texts answers as the general rules do: blanks equal, control characters and
    the cell cap as CellWrite stores the text."""
    from workbook_tool.plan import same_value

    assert same_value(old, new) == _same_text_plainly(old, new)
    assert same_value(old, "x" * 40_000) == _same_text_plainly(old, "x" * 40_000)
