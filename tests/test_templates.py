"""``templates.py``: where draft templates come from, the fields they see, compiling and rendering them.

Most tests run ``chart draft`` and read what it wrote; the last ones call the module.
The sandbox's bounds (templates that would hang or exhaust memory) are test_sandbox.py's.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError

from draft_fixtures import DAY, TODAY, add_templates_sheet, parse_eml, run, sample, set_contact, set_profile, template_dir
from workbook_tool import kinds, schema, templates
from workbook_tool.errors import TemplateError

assert sample  # a fixture, used by name

# --------------------------------------------------------------------------- sources: the package, the Templates sheet, a folder


def test_templates_sheet_overrides_the_packaged_template(sample, tmp_path):
    add_templates_sheet(sample, [
        ["Outreach", "Coffee, {{ contact.name | first_name }}?",
         "Hello {{ contact.name | first_name }},\n{% if referrer %}\n{{ referrer.name }} sent me.\n{% endif %}\n"
         "Bye, {{ me.your_name }}"],
        ["Thank You", "Thanks a lot", None],  # a Subject alone keeps the packaged body
    ])
    result = run("draft", sample, "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    msg = parse_eml(tmp_path / "2026-11-25 outreach - Carlos Diaz.eml")
    assert msg["Subject"] == "Coffee, Carlos?"
    assert msg.get_content() == "Hello Carlos,\nSue Miller sent me.\nBye, Jordan Rivera\n"
    # The checker warns: this outreach lacks the guide's points.
    assert "  warning: the outreach does not say plainly that you are not asking for a job" in result.stdout
    result = run("draft", sample, "--kind", "thank-you", "--today", TODAY, "--out", tmp_path)
    msg = parse_eml(tmp_path / "2026-11-25 thank-you - Sue Miller.eml")
    assert msg["Subject"] == "Thanks a lot"
    assert "What I found most helpful was how to lead my resume" in msg.get_content()


def test_templates_dir_overrides_the_sheet_and_the_package(sample, tmp_path):
    add_templates_sheet(sample, [["outreach", "From the sheet", "Sheet body"]])
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "outreach.txt").write_text("Subject: From the folder, {{ contact.organization }}\n\n"
                                         "Dear {{ contact.name }}\n", encoding="utf-8")
    (folder / "call.md").write_text("# {{ contact.name }} ({{ contact.phone | default('no phone') }})\n",
                                    encoding="utf-8")
    out = tmp_path / "out"
    assert run("draft", sample, "--templates", folder, "--today", TODAY, "--out", out).exit_code == 0
    msg = parse_eml(out / "2026-11-25 outreach - Olivia Park.eml")
    assert msg["Subject"] == "From the folder, Fabrikam Health"
    assert msg.get_content() == "Dear Olivia Park\n"
    assert run("draft", sample, "--kind", "call", "--templates", folder, "--today", TODAY, "--out", out).exit_code == 0
    assert (out / "2026-11-25 call - David Kim.md").read_text(encoding="utf-8") == "# David Kim (617-555-0129)\n"


def test_a_templates_dir_without_templates_is_refused(sample, tmp_path):
    result = run("draft", sample, "--templates", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --templates {tmp_path / 'nowhere'}: no such folder.")
    (tmp_path / "empty").mkdir()
    result = run("draft", sample, "--templates", tmp_path / "empty")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --templates {tmp_path / 'empty'}: holds none of outreach.txt, call.md (or "
                             "call.txt), thank-you.txt, follow-up.txt, report-back.txt.\n")


def test_a_folder_may_name_a_call_sheet_call_txt_and_it_wins_over_call_md(sample, tmp_path):
    folder = template_dir(tmp_path, "# md {{ contact.name }}\n", name="call.md")
    (folder / "call.txt").write_text("txt {{ contact.name }}\n", encoding="utf-8")
    result = run("draft", sample, "--kind", "call", "--to", "David Kim", "--templates", folder, "--stdout",
                 "--today", TODAY)
    assert result.stdout == "==> 2026-11-25 call - David Kim.md <==\ntxt David Kim\n"


# --------------------------------------------------------------------------- broken templates, blank fields


@pytest.mark.parametrize("text, line, what", [
    ("Subject: Hi\n\nDear {{ contact.name }},\n{% if referrer %}\n{{ referrer.name }\n", 5, "unexpected '}'"),
    ("Subject: Hi\n\nDear {{ contact.name }},\n{% if referrer %}\nx\n", 5,
     "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. "
     "The innermost block that needs to be closed is 'if'."),
    ("Subject: Hi {{ contact.name\n\nbody\n", 1, "unexpected end of template, expected 'end of print statement'."),
    ("Subject: Hi\n\nDear {{ contact.name }},\n\n{{ contact.nosuch }}\n", 5,
     "contact.nosuch is not a field; contact has " + ", ".join(sorted([c.key for c in schema.CONTACTS.columns]
                                                                     + ["meeting_time", "via_phrase"]))),
    ("Subject: Hi {{ nope }}\n\nbody\n", 1,
     "'nope' is not a variable; templates have contact, referrer, me, step, today, kind, recommended, "
     "pending_referrals, report_back"),
    ("Subject: Hi\n\n{{ me.age }}\n", 3, "me.age is not a field; me has " +
     ", ".join(sorted(f.key for f in schema.PROFILE_FIELDS))),
    ("Subject: Hi\n\n{{ ''.__class__.__mro__ }}\n", 3,
     "uses something templates may not (access to attribute '__class__' of 'str' object is unsafe.)"),
])
def test_a_broken_template_is_one_line_naming_it_and_its_line(sample, tmp_path, text, line, what):
    folder = template_dir(tmp_path, text)
    result = run("draft", sample, "--templates", folder, "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {folder / 'outreach.txt'}: outreach template: line {line}: {what}\n"
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_broken_template_in_the_sheet_names_its_cell(sample):
    add_templates_sheet(sample, [["Outreach", "Hi", "Dear {{ contact.name }},\n\n{% for x in %}"]])
    result = run("draft", sample, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {sample}: Templates!C2: outreach template: line 3: Expected an expression, "
                             "got 'end of statement block'\n")


def test_a_templates_row_that_names_no_kind_is_an_error(sample):
    add_templates_sheet(sample, [["Outrech", "Hi", "Body"]])
    result = run("draft", sample, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr == (f'Error: {sample}: Templates!A2: "Outrech" is not a draft kind. Name the template '
                             "outreach, call, thank-you, follow-up or report-back.\n")


def test_a_blank_subject_keeps_the_packaged_one(tmp_path, sample):
    add_templates_sheet(sample, [["outreach", None, "Body for {{ contact.name }}"]])
    assert run("draft", sample, "--today", TODAY, "--out", tmp_path / "a").exit_code == 0
    msg = parse_eml(tmp_path / "a" / "2026-11-25 outreach - Carlos Diaz.eml")
    assert msg["Subject"] == "Sue Miller suggested I contact you"
    assert msg.get_content() == "Body for Carlos Diaz\n"


def test_a_contact_missing_a_field_the_template_needs_is_skipped(sample, tmp_path):
    set_contact(sample, "Sue Miller", "Helpful", None)
    result = run("draft", sample, "--kind", "thank-you", "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert ("Skipped Sue Miller (row 6): Helpful is blank: a thank-you names something you found helpful; "
            "fill in Contacts!P6.\n") in result.stdout
    assert not list(tmp_path.glob("*.eml"))


def test_a_blank_profile_field_skips_with_the_cell_to_fill(sample, tmp_path):
    set_profile(sample, "Job Status", None)
    result = run("draft", sample, "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert ("Skipped Carlos Diaz (row 7): the Profile's Job Status is blank, and the outreach template needs it: "
            "fill in Profile!B5.\n") in result.stdout
    assert "0 outreach drafts" in result.stdout


def test_a_referrer_field_used_unguarded_skips_contacts_without_one(sample, tmp_path):
    folder = template_dir(tmp_path, "Subject: Hi\n\n{{ referrer.name }} says hi\n")
    result = run("draft", sample, "--templates", folder, "--to", "David Kim", "--to", "Carlos Diaz",
                 "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Skipped David Kim (row 12): the outreach template uses .name of an empty value" in result.stdout
    assert (tmp_path / "out" / "2026-11-25 outreach - Carlos Diaz.eml").exists()


def test_blank_fields_are_false_and_take_defaults(sample, tmp_path):
    folder = template_dir(tmp_path, "# {% if contact.email %}has email{% else %}no email{% endif %} "
                                     "{{ contact.title | default('?') }} {{ contact.helpful is defined }}\n",
                           name="call.md")
    result = run("draft", sample, "--kind", "call", "--to", "David Kim", "--templates", folder, "--stdout",
                 "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout == "==> 2026-11-25 call - David Kim.md <==\n# no email Data Analyst False\n"


# --------------------------------------------------------------------------- compiling and rendering


def test_a_line_holding_only_tags_leaves_no_blank_line():
    source = "a\n{% if x %}\nb\n  {% endif %}  \nc"
    assert templates.standalone_tags(source).count("\n") == source.count("\n")
    env = templates.environment()
    assert env.from_string(templates.standalone_tags(source)).render(x=True) == "a\nb\nc"
    assert env.from_string(templates.standalone_tags(source)).render(x=False) == "a\nc"


def fields(**values):
    """A contact's fields as templates see them: Name, Helpful and Title known, ``values`` filled in."""
    known = {"name": "Name", "helpful": "Helpful", "title": "Title"}
    return templates.Fields("contact", values, known, {"helpful": "Contacts!P2"})


def test_a_blank_field_is_missing_data_naming_it_and_its_cell():
    env = templates.environment()
    contact = fields(name="Ann Lee")
    with pytest.raises(templates.MissingData) as raised:
        env.from_string("Thanks for {{ contact.helpful }}").render(contact=contact)
    assert (raised.value.fields, raised.value.key) == (contact, "helpful")
    assert raised.value.fields.places["helpful"] == "Contacts!P2"
    # Blank is false, empty and takes a default: a template can make any field optional.
    assert env.from_string("{{ contact.title | default('?') }} {{ contact.title is defined }} "
                           "{% if not contact.title %}none{% endif %} {{ contact.title | length }}"
                           ).render(contact=contact) == "? False none 0"


def test_a_field_of_nobody_is_missing_data_and_an_unknown_name_is_a_template_error():
    env = templates.environment()
    with pytest.raises(templates.MissingData) as raised:
        env.from_string("{{ referrer.name }}").render(referrer=None)
    assert (raised.value.fields, raised.value.key) == (None, "name")
    with pytest.raises(UndefinedError, match="contact.nosuch is not a field; contact has helpful, name, title"):
        env.from_string("{{ contact.nosuch }}").render(contact=fields(name="Ann"))
    with pytest.raises(UndefinedError, match="'nope' is not a variable; templates have contact, referrer"):
        env.from_string("{{ nope }}").render()


def test_templates_compile_each_kind_once_and_render_subject_and_body(tmp_path):
    folder = template_dir(tmp_path, "Subject: Hi {{ contact.name }}\n\nBody for {{ contact.name }}\n")
    (folder / "call.md").write_text("Subject: not a call sheet's\n# {{ contact.name }}\n", encoding="utf-8")
    loaded = templates.Templates(None, folder)
    assert set(loaded.pieces) == set(kinds.NAMES)
    assert loaded.compiled("outreach") is loaded.compiled("outreach")
    contact = {"contact": fields(name="Ann Lee")}
    assert loaded.render("outreach", contact) == ("Hi Ann Lee", "Body for Ann Lee\n")
    assert loaded.render("call", contact) == (None, "# Ann Lee\n")  # a call sheet has no subject
    with pytest.raises(templates.MissingData):
        loaded.render("call", {"contact": fields()})


def test_each_templates_has_an_environment_of_its_own():
    # Nothing a run renders or compiles is kept for the next one.
    a, b = templates.Templates(None), templates.Templates(None)
    assert a.env is not b.env and a.compiled("outreach")[1] is not b.compiled("outreach")[1]


@pytest.mark.parametrize("text", [
    "Subject: {{ contact.name }}\n{% set kind = 'x' %}{{ kind }} {{ step.stage }}\n",
    "Subject: Hi\n{% for step in report_back %}{{ step.name }}{% endfor %}{{ profile.name }}\n",
    "Subject: {{ today | longdate }}\n{% macro m(contact) %}{{ contact }}{% endmacro %}{{ m(recommended) }}\n",
    "Subject: x\n{% if pending_referrals %}{{ pending_referrals | join(', ') }}{% else %}{{ contact.first }}{% endif %}\n",
])
def test_the_variables_a_template_names_are_all_built(sample, tmp_path, text):
    # uses() reads the names from the tree the template is compiled from: every variable jinja2.meta
    # finds undeclared must be among them, or a draft would lack a variable its template reads.
    from jinja2 import meta

    from workbook_tool.drafts import Drafter
    from workbook_tool.workbook import read_chart

    chart = read_chart(sample)
    for templates_dir in (None, template_dir(tmp_path, text, "thank-you.txt")):
        found = Drafter(chart, DAY, templates_dir).templates
        for kind in kinds.NAMES:
            subject, _ = found.compiled(kind)
            pieces = [found.pieces[kind]["subject"]] if subject else []
            undeclared = set()
            for piece in pieces + [found.pieces[kind]["body"]]:
                undeclared |= meta.find_undeclared_variables(found.env.parse(templates.standalone_tags(piece.text)))
            assert undeclared & set(templates.VARIABLES) <= found.uses(kind), kind


def test_a_draft_is_the_same_without_the_variables_its_templates_do_not_name(sample, tmp_path):
    # Drafter.render makes only the variables the kind's templates name (Templates.uses): the
    # people a contact recommended, their pending referrals and the meetings to report back on
    # cost a look through the chart per contact. Every draft of the sample, from the packaged
    # templates and from one that names them all, is what the full set of variables makes.
    from workbook_tool.drafts import Drafter
    from workbook_tool.workbook import read_chart

    every = ("Subject: {{ contact.name }}\n{{ recommended | join(', ') }} / {{ pending_referrals | join(', ') }} / "
             "{% for p in report_back %}{{ p.name }} {% endfor %}/ {{ step.stage }} {{ kind }} {{ today | longdate }}\n")
    folder = template_dir(tmp_path, every, "thank-you.txt")
    chart = read_chart(sample)
    seen = set()
    for templates_dir in (None, folder):
        drafter = Drafter(chart, DAY, templates_dir)
        for kind in kinds.NAMES:
            uses = drafter.templates.uses(kind)
            for row in chart.contacts.rows:
                step = drafter.step(row)
                made = []
                for context in (drafter.context(row, kind, step), drafter.context(row, kind, step, uses)):
                    try:
                        made.append(drafter.templates.render(kind, context))
                    except templates.MissingData as exc:
                        made.append(("skipped", exc.key))
                assert made[0] == made[1], (kind, row.number)
                seen.add(made[0][0] == "skipped")
    assert seen == {True, False}  # drafts made, and contacts skipped for a blank field, alike
    packaged, named = Drafter(chart, DAY).templates.uses, Drafter(chart, DAY, folder).templates.uses
    assert "recommended" not in packaged("outreach") and "today" in packaged("outreach")
    assert {"recommended", "pending_referrals", "report_back", "step", "kind"} <= named("thank-you")


# --------------------------------------------------------------------------- Templates.render against Jinja2's own render

# Pieces a person's template may hold, the good and the broken: fields filled in and blank, a field of nobody,
# {% set %} in the subject read by the body (each template has its own variables), loops, filters, a division
# by zero, an unknown name, a bound crossed.
_PIECES = ("{{ contact.name }}", "{{ contact.helpful }}", "{% if contact.title %}{{ contact.title }}{% endif %}",
           "{{ contact.helpful | default('x') }}", "{{ referrer.name }}", "{% if referrer %}{{ referrer }}{% endif %}",
           "{% set s = 'set here' %}{{ s }}", "{{ s }}", "{% for r in recommended %}{{ r }}, {% endfor %}",
           "{{ me.your_name | first_name }}", "{{ me.job_status | sentence }}", "{{ kind | upper }}",
           "{{ today | longdate }}", "{{ 1 / 0 }}", "{{ nosuch }}", "{{ contact.nosuch }}", "{{ 'x' * 2000000 }}",
           "\n", " and ", "{{ recommended | and_list }}", "{% for i in range(3) %}{{ i }}{% endfor %}")


def _jinja_render(loaded, kind, context):
    """What Jinja2's Template.render makes of the kind's subject and body: texts, or what stopped it."""
    from workbook_tool.sandbox import budget, template_line

    made = []
    with budget():
        for template in loaded.compiled(kind):
            if template is None:
                made.append(None)
                continue
            try:
                made.append(template.render(context))
            except templates.MissingData as exc:
                return ("missing", exc.fields, exc.key)
            except Exception as exc:  # noqa: BLE001 - the kind and the template line are compared
                return ("broken", template_line(exc))
    return tuple(made)


@settings(max_examples=300, deadline=None)
@given(subject=st.lists(st.sampled_from(_PIECES), max_size=4), body=st.lists(st.sampled_from(_PIECES), max_size=6),
       values=st.fixed_dictionaries({}, optional={"name": st.sampled_from(["Ann Lee", "Dr. Émile Zola"]),
                                                  "helpful": st.text(max_size=20), "title": st.just("CTO")}),
       referred=st.booleans(), recommended=st.lists(st.sampled_from(["Bo", "Cy"]), max_size=3))
def test_templates_render_makes_what_jinja2_makes(subject, body, values, referred, recommended):
    # Templates.render builds the variables once for subject and body and raises a blank field's MissingData
    # without Jinja2's traceback rewrite: the same texts, the same blank field, the same broken line.
    loaded = templates.Templates(None)
    for kind, text in (("outreach", "".join(subject)), ("thank-you", "".join(body) or "x")):
        loaded.pieces[kind] = {**loaded.pieces[kind], "body": templates.Piece("".join(body) or "x", None, "Templates",
                                                                              "C2")}
        if text.strip():
            loaded.pieces[kind]["subject"] = templates.Piece(text, None, "Templates", "B2")
    me = templates.Fields("me", {"your_name": "Jo Doe", "job_status": "a data analyst"},
                          {"your_name": "Your Name", "job_status": "Job Status", "signature": "Signature"})
    context = {"contact": fields(**values), "me": me, "kind": "outreach", "today": DAY,
               "referrer": templates.Fields("referrer", {"name": "Sue"}, {"name": "Name"}) if referred else None,
               "recommended": recommended}
    for kind in ("outreach", "thank-you"):
        try:
            loaded.compiled(kind)
        except TemplateError:
            continue  # broken before any render: the same for both
        expected = _jinja_render(loaded, kind, context)
        try:
            got = loaded.render(kind, context)
        except templates.MissingData as exc:
            got = ("missing", exc.fields, exc.key)
        except TemplateError as exc:
            line = expected[1] if expected[0] == "broken" else None
            assert expected[0] == "broken" and (line is None or f": line {line}: " in exc.message), (expected, exc)
            continue
        assert got == expected
