"""``sandbox.py``: a template cannot hang or exhaust memory, whoever wrote it.

Each hostile template is drafted by tests/template_worker.py in a process of its own, under
a memory limit and a timeout, so that a bound that does not hold fails the test rather than
the machine; ``chart draft`` and ``chart sync`` then say, in one line, which template and line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from draft_fixtures import TODAY, add_templates_sheet
from workbook_tool import templates

TOO_SLOW = "takes more than 2 seconds for one draft (a loop that runs too long?)"
MAKES_A_LIST = "makes a list of more than 1,000,000 items and characters (a template may make 1,000,000)"


def width(n: int) -> str:
    return f"asks for a width of {n:,} characters (a template may make 1,000,000)"


def text(n: int) -> str:
    return f"makes text of {n:,} characters (a template may make 1,000,000)"


def doubling(op: str) -> str:
    return ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s " + op
            + " %}{% endfor %}{{ ns.s }}")


NESTED_RANGES = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"

# Each hostile body (line 2 of outreach.txt) and what its one line says after "outreach template: ";
# None: the drafts are made.
HOSTILE_TEMPLATES = {
    "nested-ranges": (NESTED_RANGES, "line 2: " + TOO_SLOW),
    "nested-ranges-in-a-thread": (NESTED_RANGES, "line 2: " + TOO_SLOW),
    "nested-ranges-printing": (NESTED_RANGES.replace("{% endfor %}", "x{% endfor %}", 1),
                               "makes a draft of more than 1,000,000 characters (a template may make 1,000,000)"),
    "recursive-loop": ("{% for x in range(100000) recursive %}{% if loop.depth < 9 %}{{ loop(range(100000)) }}"
                       "{% endif %}{% endfor %}", "line 2: " + TOO_SLOW),
    "recursive-loop-without-end": ("{% for x in range(9) recursive %}{{ loop(range(9)) }}{% endfor %}",
                                   "line 2: calls itself too deeply (a macro or recursive loop without an end?)"),
    "macro-calling-itself-twice": ("{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
                                   "{{ m(60) }}", "line 2: " + TOO_SLOW),
    "macro-without-end": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
                          "line 2: calls itself too deeply (a macro or recursive loop without an end?)"),
    "ljust": ("{{ 'x'.ljust(10**9) }}", "line 2: " + width(10**9)),
    "rjust": ("{{ 'x'.rjust(10**9) }}", "line 2: " + width(10**9)),
    "center": ("{{ 'x'.center(10**9) }}", "line 2: " + width(10**9)),
    "zfill": ("{{ 'x'.zfill(10**9) }}", "line 2: " + width(10**9)),
    "center-filter": ("{{ 'x'|center(10**9) }}", "line 2: " + width(10**9)),
    "indent-filter": ("{{ 'x'|indent(10**9) }}", "line 2: " + width(10**9)),
    "format-filter": ("{{ '%0999999999d'|format(1) }}", "line 2: " + width(999_999_999)),
    "percent": ("{{ '%0999999999d' % 1 }}", "line 2: " + width(999_999_999)),
    "percent-star": ("{{ '%*d' % (10**9, 1) }}", "line 2: " + width(10**9)),
    "str-format": ("{{ '{:>999999999}'.format(1) }}", "line 2: " + width(999_999_999)),
    "str-format-nested": ("{{ '{:>{}}'.format(1, 10**9) }}", "line 2: " + width(10**9)),
    "repeat-text": ('{{ "x" * 10**10 }}', "line 2: " + text(10**10)),
    "repeat-list": ("{{ [0] * 100000000 }}",
                    "line 2: makes a list of 100,000,000 items (a template may make 1,000,000)"),
    "double-with-tilde": (doubling("~ ns.s"), "line 2: " + text(2**20)),
    "double-with-plus": (doubling("+ ns.s"), "line 2: " + text(2**20)),
    "double-with-times": (doubling("* 2"), "line 2: " + text(2**20)),
    "double-in-set-blocks": ("{% set a = 'x' %}" + "{% set a %}{{ a }}{{ a }}{% endset %}" * 30 + "{{ a }}",
                             "line 2: " + text(2**20)),
    "replace-empty": ("{{ ('x' * 1000).replace('', 'y' * 1000) }}", "line 2: " + text(1_002_000)),
    "replace-filter": ("{{ ('x' * 1000)|replace('', 'y' * 1000) }}", "line 2: " + text(1_002_000)),
    "join-method": ("{{ ('y' * 100000).join(['x'] * 100) }}", "line 2: " + text(9_900_100)),
    "join-filter": ("{{ range(100000)|map('string')|join('y' * 100) }}", "line 2: " + text(10_488_790)),
    "wordwrap": ("{{ ('ab' * 1000)|wordwrap(1, wrapstring='y' * 1000) }}", "line 2: " + text(2_003_000)),
    "expandtabs": ("{{ ('\t' * 1000).expandtabs(10**6) }}", "line 2: " + text(1_000_001_000)),
    "translate": ("{{ ('x' * 1000).translate({120: 'y' * 100000}) }}", "line 2: " + text(100_000_000)),
    "list-of-new-text": ("{% set l = [] %}{% for i in range(100000) %}{{ l.append('x' * 1000 ~ i) }}{% endfor %}",
                         "line 2: makes more than 20,000,000 characters in all for one draft (a loop that makes too "
                         "much text?)"),
    "list-of-itself-twice": ("{% set a = ['x'] %}" + "{% set a = [a, a] %}" * 40 + "{{ a == a }}",
                             "line 2: " + MAKES_A_LIST),
    "namespace-of-copies": ("{% set b = 'x' * 1000000 %}{% set ns = namespace() %}"
                            + "".join(f"{{% set ns.a{i} = b %}}" for i in range(1000)) + "{{ ns }}", None),
    "growing-number": ("{% set ns = namespace(x=2) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
                       "{% endfor %}", "line 2: makes a number of about 4,934 digits (a template may make 4,300)"),
    "power-of-a-power": ("{% set ns = namespace(x=10**100) %}{% for i in range(5) %}{% set ns.x = ns.x ** 100 %}"
                         "{% endfor %}", "line 2: makes a number of about 10,100 digits (a template may make 4,300)"),
    "exponent": ("{{ 2 ** 10000000 }}",
                 "line 2: uses something templates may not (exponent too large for a template)"),
    "to-bytes": ("{{ (2).to_bytes(10**9, 'big') }}", "line 2: " + width(10**9)),
    "lipsum": ("{{ lipsum(10**6) }}", "line 2: " + width(1_200_000_000)),
    "batch": ("{{ 'x'|batch(10**9, 'y')|list }}", "line 2: " + width(10**9)),
    "slice": ("{{ [1]|slice(10**9)|list }}", "line 2: " + width(10**9)),
    "deep-brackets": ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
                      "nests brackets or tags too deeply; make it flatter"),
    # Not hostile: a line of many tags and then text, over which a regular expression took hours.
    "many-tags-on-a-line": ("{% set a = 1 %}" * 40 + "Hello {{ contact.name }}", None),
}


def limited(cmd, timeout: float):
    """Run ``cmd`` with at most 2 GiB of address space for at most ``timeout`` seconds (returncode None if not)."""
    import resource
    import subprocess

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    path = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")]))
    try:
        return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                              preexec_fn=limit, env={**os.environ, "PYTHONPATH": path}, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return subprocess.CompletedProcess(cmd, None, out, f"timed out after {timeout} s")


@pytest.fixture(scope="module")
def hostile_outcomes(tmp_path_factory) -> dict:
    """Every HOSTILE_TEMPLATES case drafted by tests/template_worker.py, under a memory limit and a timeout."""
    import json
    import sys

    from workbook_tool.create import new_workbook

    chart = tmp_path_factory.mktemp("hostile") / "chart.xlsx"
    new_workbook(sample=True).save(chart)
    cases = [{"id": k, "body": body, "thread": "thread" in k} for k, (body, _) in HOSTILE_TEMPLATES.items()]
    done = limited([sys.executable, Path(__file__).with_name("template_worker.py"), chart, json.dumps(cases)], 300)
    outcomes = {"stderr": done.stderr[-3000:]}
    for line in done.stdout.splitlines():
        outcome = json.loads(line)
        outcomes[outcome.pop("id")] = outcome
    return outcomes


@pytest.mark.parametrize("case", list(HOSTILE_TEMPLATES))
def test_a_template_cannot_hang_or_exhaust_memory(hostile_outcomes, case):
    outcome = hostile_outcomes.get(case)
    assert outcome is not None, f"no outcome (it hung or crashed): {hostile_outcomes['stderr']}"
    want = HOSTILE_TEMPLATES[case][1]
    assert outcome["message"] == (None if want is None else f"outreach template: {want}")
    assert outcome["seconds"] < 10, outcome
    assert outcome["peak_mib"] < 600, outcome


def test_a_hostile_template_is_one_line_naming_it(tmp_path):
    import sys

    from workbook_tool.create import new_workbook

    chart = tmp_path / "chart.xlsx"
    new_workbook(sample=True).save(chart)
    folder = tmp_path / "tpl"
    folder.mkdir()
    for body, what in ((NESTED_RANGES, TOO_SLOW), ("{{ 'x'.ljust(10**9) }}", width(10**9))):
        (folder / "outreach.txt").write_text("Subject: Hello\n" + body + "\n", encoding="utf-8")
        for where in (["--stdout"], ["--out", tmp_path / "drafts"]):
            done = limited([sys.executable, "-m", "workbook_tool", "draft", chart, "--templates", folder,
                            "--today", TODAY, *where], timeout=60)
            assert (done.returncode, done.stdout, done.stderr) == (
                1, "", f"Error: {folder / 'outreach.txt'}: outreach template: line 2: {what}\n")
    assert not (tmp_path / "drafts").exists()


def test_sync_completes_and_says_why_a_draft_is_blank(tmp_path):
    import sys
    import time

    from openpyxl import load_workbook

    from workbook_tool.create import new_workbook

    chart = tmp_path / "chart.xlsx"
    new_workbook(sample=True).save(chart)
    add_templates_sheet(chart, [["outreach", "Hello", NESTED_RANGES],
                                ["thank-you", "Thanks", "{{ 'x'.center(10**9) }}"]])
    start = time.monotonic()
    done = limited([sys.executable, "-m", "workbook_tool", "sync", chart, "--today", TODAY], timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - start < 30
    lines = done.stdout.splitlines()
    assert f"Draft column left blank for outreach emails: {chart}: Templates!C2: outreach template: line 1: " \
           f"{TOO_SLOW}" in lines
    assert f"Draft column left blank for thank-you emails: {chart}: Templates!C3: thank-you template: line 1: " \
           f"{width(10**9)}" in lines
    ws = load_workbook(chart)["Contacts"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: dict(zip(header, (c.value for c in r)), row=r[0].row) for r in ws.iter_rows(min_row=2)
            if r[0].value}
    for name, cell, why in (("Carlos Diaz", "C2", "outreach template: line 1: " + TOO_SLOW),
                            ("Olivia Park", "C2", "outreach template: line 1: " + TOO_SLOW),
                            ("Sue Miller", "C3", "thank-you template: line 1: " + width(10**9))):
        assert rows[name]["Draft"] is None, name
        assert f"Draft left blank: Templates!{cell}: {why}" in rows[name]["Comments"], rows[name]["Comments"]
    # The follow-ups' template is the packaged one: still linked, and nothing to say.
    assert rows["Priya Natarajan"]["Draft"] == "Follow up with Priya by email"
    assert ws.cell(rows["Priya Natarajan"]["row"], header.index("Draft") + 1).hyperlink.target.startswith("mailto:")
    assert "Draft left blank" not in (rows["Priya Natarajan"]["Comments"] or "")
    # Nor for a contact who gets no email now (a call).
    assert "Draft left blank" not in (rows["David Kim"]["Comments"] or "")


def test_the_deadline_holds_in_threads():
    # No signal is used (Python delivers them to the main thread only): a render in any thread stops.
    import concurrent.futures
    import time

    from workbook_tool import sandbox

    template = templates.environment().from_string(NESTED_RANGES)

    def render():
        with sandbox.budget(0.2):
            return template.render()

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(render) for _ in range(2)]:
            with pytest.raises(sandbox.Exhausted, match=r"takes more than 0\.2 seconds for one draft"):
                future.result(timeout=30)
    assert time.monotonic() - start < 5


def test_ordinary_templates_stay_within_the_bounds():
    from workbook_tool import sandbox

    source = ("{% for i in range(3) %}{{ i }}{% endfor %}|{{ [1, 2, 3]|join(', ') }}|{{ 'ab'.center(6, '*') }}|"
              "{{ '%05d' % 42 }}|{{ '{:>4}'.format(7) }}|{{ 'a' ~ 'b' ~ 3 }}|{{ ('x' * 3)|indent(2, true) }}|"
              "{% set ns = namespace(t='') %}{% for w in ['a', 'b'] %}{% set ns.t = ns.t + w %}{% endfor %}"
              "{{ ns.t }}|{{ (10 ** 20) * 3 }}|{{ ['a', 'b'] * 2 }}|{{ 'a-b'.replace('-', '+') }}|"
              "{{ 'a b c'|wordwrap(1) }}|{{ [1, 2, 3]|batch(2)|list }}|{{ ('x' * 5000)|length }}")
    with sandbox.budget():
        assert templates.environment().from_string(source).render() == (
            "012|1, 2, 3|**ab**|00042|   7|ab3|  xxx|ab|300000000000000000000|['a', 'b', 'a', 'b']|a+b|a\nb\nc|"
            "[[1, 2], [3]]|5000")
