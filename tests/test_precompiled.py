"""The packaged templates compiled ahead (precompiled.py): the shipped file is what Jinja2 makes of them
now, it is used only where it is, and drafts rendered from it are those compiled from the text."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import shutil
import sys
import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinja2 import nodes, pass_context

from draft_fixtures import DAY, add_templates_sheet, template_dir
from sync_fixtures import sample_chart
from workbook_tool import kinds, precompiled, templates
from workbook_tool.workbook import Row

REWRITE = "python3 -c 'from workbook_tool import templates; print(templates.precompile())'"


def packaged_sources() -> dict[str, str]:
    return {f"{kind}/{part}": templates.standalone_tags(piece.text)
            for kind, pieces in templates.load_templates(None).items() for part, piece in pieces.items()}


def shipped_files() -> dict[str, str]:
    folder = templates.packaged_dir() / precompiled.CODE_FOLDER
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.py")}


def test_the_shipped_files_are_what_jinja2_makes_of_the_packaged_templates_now():
    shipped = json.loads((templates.packaged_dir() / precompiled.FILE_NAME).read_text(encoding="utf-8"))
    now, python = precompiled.build(templates.environment(), packaged_sources())
    assert shipped["fingerprint"] == now["fingerprint"], f"a packaged template's environment changed: run {REWRITE}"
    assert shipped == now, f"a packaged template changed: run {REWRITE}"
    assert shipped_files() == python, f"a packaged template's Python changed: run {REWRITE}"
    assert sorted(python) == sorted(e["file"] for e in now["templates"].values())  # one file each, none else


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def test_each_packaged_template_compiles_to_the_code_jinja2_compiles_from_its_text():
    loaded = templates.Templates(None)
    for name, source in packaged_sources().items():
        found = loaded._ahead.code(source)
        assert found is not None, name  # the shipped files are used, for every packaged piece
        code, names = found
        tree = loaded.env.parse(source)
        # What from_string compiles: Jinja2's own compile of the Python it generates (code objects compare
        # their flags and instructions, constants and nested code, not their file names: those are asked apart).
        jinja2_made = loaded.env._compile(loaded.env.compile(tree, raw=True), "<template>")
        assert code == jinja2_made and code.co_flags == jinja2_made.co_flags, name
        assert {c.co_filename for c in _code_objects(code)} == {"<template>"}, name
        assert [c.co_firstlineno for c in _code_objects(code)] == [c.co_firstlineno for c in _code_objects(jinja2_made)]
        assert names == frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
        template = loaded.env.template_class.from_code(loaded.env, code, loaded.env.make_globals(None), None)
        assert template.filename == loaded.env.from_string(source).filename == "<template>"


def test_the_code_comes_from_the_bytecode_cache_as_a_modules_does(tmp_path, monkeypatch):
    # Loaded as the import system loads a module: from its cache while that is fresh, never compiled again.
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as in an install (PYTHONDONTWRITEBYTECODE unset)
    folder = copy_shipped(tmp_path)
    source = packaged_sources()["outreach/body"]
    first = precompiled.Ahead(templates.environment(), folder).code(source)
    cached = list((folder / precompiled.CODE_FOLDER / "__pycache__").glob("outreach.body.*.pyc"))
    assert len(cached) == 1
    monkeypatch.setattr(builtins, "compile", None)  # any compile from here on would fail
    again = precompiled.Ahead(templates.environment(), folder).code(source)
    assert again == first and again[0].co_filename == "<template>"


def copy_shipped(tmp_path):
    """A copy of the shipped JSON file and Python files, in a folder of their own."""
    folder = tmp_path / "packaged"
    shutil.copytree(templates.packaged_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def shipped_with(tmp_path, change) -> precompiled.Ahead:
    """An Ahead over a copy of the shipped files whose JSON ``change`` edited."""
    folder = copy_shipped(tmp_path)
    content = json.loads((folder / precompiled.FILE_NAME).read_text(encoding="utf-8"))
    change(content)
    (folder / precompiled.FILE_NAME).write_text(json.dumps(content), encoding="utf-8")
    return precompiled.Ahead(templates.environment(), folder)


def test_a_file_made_for_another_jinja2_or_environment_or_text_is_not_used(tmp_path):
    source = packaged_sources()["outreach/body"]
    assert shipped_with(tmp_path / "1", lambda c: None).code(source) is not None
    assert shipped_with(tmp_path / "2", lambda c: c["fingerprint"].update(jinja2="3.0.0")).code(source) is None
    other_code = lambda c: c["fingerprint"]["modules"].update({"workbook_tool.sandbox": "0" * 64})  # noqa: E731
    assert shipped_with(tmp_path / "3", other_code).code(source) is None
    assert shipped_with(tmp_path / "4",
                        lambda c: c["fingerprint"]["options"].update(lstrip_blocks=False)).code(source) is None
    assert shipped_with(tmp_path / "5", lambda c: None).code(source + " ") is None  # a text it was not made from
    assert shipped_with(tmp_path / "6", lambda c: c["templates"]["outreach/body"].pop("file")).code(source) is None
    assert shipped_with(tmp_path / "7", lambda c: c.update(templates=[])).code(source) is None
    out_of_folder = lambda c: c["templates"]["outreach/body"].update(file="../outreach.body.py")  # noqa: E731
    assert shipped_with(tmp_path / "8", out_of_folder).code(source) is None
    (tmp_path / precompiled.FILE_NAME).write_text("{not json", encoding="utf-8")
    assert precompiled.Ahead(templates.environment(), tmp_path).code(source) is None
    assert precompiled.Ahead(templates.environment(), tmp_path / "none").code(source) is None


def test_a_python_file_not_made_with_its_entry_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    source = packaged_sources()["outreach/body"]
    other = packaged_sources()["thank-you/body"]
    ahead = shipped_with(tmp_path / "changed", lambda c: None)
    python = ahead.code_folder / "outreach.body.py"
    python.write_text(python.read_text(encoding="utf-8").replace("Dear ", "Hello "), encoding="utf-8")
    assert ahead.code(source) is None and ahead.code(other) is not None  # compiled from the text instead
    ahead = shipped_with(tmp_path / "missing", lambda c: None)
    (ahead.code_folder / "outreach.body.py").unlink()
    assert ahead.code(source) is None and ahead.code(other) is not None
    # A damaged bytecode cache (its header fresh) is not used either: the template is compiled from its text.
    ahead = shipped_with(tmp_path / "cache", lambda c: None)
    assert ahead.code(source) is not None
    (cached,) = (ahead.code_folder / "__pycache__").glob("outreach.body.*.pyc")
    cached.write_bytes(cached.read_bytes()[:16] + b"\0garbage")
    assert precompiled.Ahead(templates.environment(), ahead.code_folder.parent).code(source) is None


def test_an_environment_with_other_filters_has_another_fingerprint():
    # The code a template compiles to names its filters and passes each the context when it asks for it.
    plain, called_alike, passed_context, more = (templates.environment() for _ in range(4))
    called_alike.add_filters(first_name=str)
    passed_context.add_filters(first_name=pass_context(lambda context, value: value))
    more.add_filters(shout=str.upper)
    assert precompiled.fingerprint(plain) == precompiled.fingerprint(called_alike)
    assert precompiled.fingerprint(plain) != precompiled.fingerprint(passed_context)
    assert precompiled.fingerprint(plain) != precompiled.fingerprint(more)
    assert set(precompiled.fingerprint(plain)["modules"]) == {"workbook_tool.sandbox", "workbook_tool.templates"}


def test_only_the_packaged_pieces_may_be_precompiled(tmp_path):
    # The Templates sheet's and a --templates folder's are the person's own: always compiled from their text.
    from workbook_tool.workbook import read_chart

    sample = sample_chart(tmp_path / "chart.xlsx")

    packaged = templates.load_templates(None)
    text = packaged["outreach"]["body"].text
    add_templates_sheet(sample, [["Outreach", "Hi {{ contact.name }}", text]])
    loaded = templates.Templates(read_chart(sample), template_dir(tmp_path, "Subject: x\n" + text, "call.md"))
    assert loaded.pieces["outreach"]["body"].packaged is False and loaded.pieces["call"]["body"].packaged is False
    assert loaded.pieces["thank-you"]["body"].packaged is True
    assert all(piece.packaged for pieces in packaged.values() for piece in pieces.values())


# --------------------------------------------------------------------------- drafts alike, over many contacts


@pytest.fixture(scope="module")
def two_drafters(tmp_path_factory):
    """The sample chart's Drafter twice: its templates from the shipped file, and compiled from their text."""
    from workbook_tool.create import new_workbook
    from workbook_tool.drafts import Drafter
    from workbook_tool.workbook import read_chart

    folder = tmp_path_factory.mktemp("precompiled")
    new_workbook(sample=True).save(folder / "chart.xlsx")
    chart = read_chart(folder / "chart.xlsx")
    ahead, plain = Drafter(chart, DAY), Drafter(chart, DAY)
    plain.templates._ahead = precompiled.Ahead(plain.templates.env, folder)  # no file there: from the text
    return chart, ahead, plain


def made(drafter, row, kind):
    step = drafter.step(row)
    try:
        return drafter.templates.render(kind, drafter.context(row, kind, step))
    except templates.MissingData as exc:
        return "skipped", exc.key
    except templates.TemplateError as exc:
        return "error", str(exc)


def test_every_sample_draft_is_the_same_from_the_shipped_file(two_drafters):
    chart, ahead, plain = two_drafters
    for kind in kinds.NAMES:
        for row in chart.contacts.rows:
            assert made(ahead, row, kind) == made(plain, row, kind), (kind, row.number)
    assert ahead.templates._ahead._entries and not plain.templates._ahead._entries
    for kind in kinds.NAMES:
        assert ahead.templates.uses(kind) == plain.templates.uses(kind)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_CELL = st.one_of(st.none(), st.just(""), _TEXT, st.sampled_from(["Ann Lee", "Dr. Bo Wu", "Lee, Ann", "Mom", "Friend",
                                                                   "Referral", "Email", "Call", "Done", "No Reply"]),
                  st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), st.integers(-5, 10**6))
_KEYS = ["name", "source", "via", "referred_by", "organization", "title", "email", "phone", "channel", "status",
         "contacted_on", "meeting_on", "thanked_on", "followed_up_on", "notes", "helpful", "recommended"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 12), changes=st.dictionaries(st.sampled_from(_KEYS), _CELL, max_size=8),
       kind=st.sampled_from(kinds.NAMES))
def test_drafts_of_any_contact_are_the_same_from_the_shipped_file(two_drafters, index, changes, kind):
    chart, ahead, plain = two_drafters
    rows = chart.contacts.rows
    row = rows[index % len(rows)]
    changed = Row(row.number, {**row.values, **changes})
    assert made(ahead, changed, kind) == made(plain, changed, kind)
