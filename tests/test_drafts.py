"""``drafts.py``: ``chart draft`` end to end (golden drafts for the sample chart, who gets a draft and why
not, safe headers from hostile cells, file names, writing all or none, --stdout and --check) and the
Draft column's links (``MailtoLinks``).

Golden files live in tests/data/drafts/<kind>/; after a deliberate change to a
packaged template, refresh them with ``CHART_UPDATE_GOLDEN=1 python3 -m pytest
tests/test_drafts.py`` and read the diff before committing. Templates, the checker,
headers and links have their own tests (test_templates, test_checker, test_eml,
test_mailto, test_sandbox).
"""

from __future__ import annotations

import email
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draft_fixtures import (DAY, TODAY, add_templates_sheet, parse_eml, row_of, run, sample, set_contact,
                            set_profile, template_dir)
from mail_checks import EML_HEADERS, HOSTILE_WORDS, assert_mailto_is_safe, assert_only_the_expected_headers
from workbook_tool import draftfiles, drafts, kinds, stages
from workbook_tool.errors import TemplateError
from workbook_tool.mailto import MAILTO_LIMIT
from workbook_tool.workbook import read_chart

assert sample  # a fixture, used by name

GOLDEN = Path(__file__).resolve().parent / "data" / "drafts"
EXPECTED = {
    "outreach": ["2026-11-25 outreach - Carlos Diaz.eml", "2026-11-25 outreach - Olivia Park.eml"],
    "call": ["2026-11-25 call - Bob Roe.md", "2026-11-25 call - David Kim.md", "2026-11-25 call - Hiro Tanaka.md",
             "2026-11-25 call - Isabel Grant.md"],
    "thank-you": ["2026-11-25 thank-you - Sue Miller.eml"],
    "follow-up": ["2026-11-25 follow-up - Priya Natarajan.eml"],
    "report-back": ["2026-11-25 report-back - Maria Chen.eml"],
}


# --------------------------------------------------------------------------- golden drafts


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_golden_drafts_for_the_sample_chart(sample, tmp_path, kind):
    out = tmp_path / "out"
    result = run("draft", sample, "--kind", kind, "--today", TODAY, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    written = sorted(p.name for p in out.iterdir())
    assert written == EXPECTED[kind]
    golden = GOLDEN / kind
    if os.environ.get("CHART_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    assert sorted(p.name for p in golden.iterdir()) == written
    for name in written:
        assert (out / name).read_bytes() == (golden / name).read_bytes(), f"{kind}/{name} differs from the golden"
    # No draft falls short of the guide, so no warning is printed.
    assert "warning:" not in result.stdout
    for name in written:
        assert f"Wrote {out / name}\n" in result.stdout


def test_every_golden_eml_parses_with_the_right_headers(sample):
    chart = read_chart(sample)
    by_name = {r.text("name"): r for r in chart.contacts.rows}
    emls = sorted(GOLDEN.glob("*/*.eml"))
    assert len(emls) == 5
    for path in emls:
        raw = path.read_bytes()
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5322 line ends
        msg = parse_eml(path)
        name = path.stem.split(" - ", 1)[1]
        to = msg["To"].addresses
        assert len(to) == 1
        assert to[0].display_name == name
        assert to[0].addr_spec == by_name[name].text("email")
        assert str(msg["From"]) == "Jordan Rivera <jordan.rivera@outlook.com>"
        assert msg["X-Unsent"] == "1"
        assert msg["Subject"]
        assert msg["Bcc"] is None and msg["Cc"] is None
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        body = msg.get_content()
        assert body.startswith(f"Dear {name.split()[0]},")
        assert "Jordan Rivera\n617-555-0100" in body


def test_outreach_names_the_referrer_first_and_asks_for_the_meeting(sample, tmp_path):
    run("draft", sample, "--today", TODAY, "--out", tmp_path / "out")
    msg = parse_eml(tmp_path / "out" / "2026-11-25 outreach - Carlos Diaz.eml")
    assert msg["Subject"] == "Sue Miller suggested I contact you"
    body = msg.get_content()
    assert body.split("\n")[2].startswith("Sue Miller suggested I get in touch with you.")
    assert "I am not asking you for a job." in body
    assert "15–20 minutes" in body and "at your office" in body


def test_summary_says_what_was_written_and_why_each_contact_was_skipped(sample):
    result = run("draft", sample, "--today", TODAY)
    assert result.exit_code == 0, result.output
    folder = sample.parent / "drafts"
    assert sorted(p.name for p in folder.iterdir()) == EXPECTED["outreach"]
    out = result.stdout
    assert "Skipped Maria Chen (row 2): Thanked; next step: Report back: tell them how it went with Ann Lee " \
           "(due 2026-11-20).\n" in out
    assert "Skipped David Kim (row 12): Not contacted; next step: Call to ask for 15–20 minutes of advice " \
           "(due 2026-11-25).\n" in out
    assert "Skipped Grace Liu (row 14): closed (Declined).\n" in out
    assert out.endswith(f"2 outreach drafts in {folder}; 11 contacts skipped.\n")


def test_follow_ups_wait_until_they_are_due(sample, tmp_path):
    result = run("draft", sample, "--kind", "follow-up", "--today", TODAY, "--out", tmp_path)
    assert "Skipped Frank Osei (row 10): Awaiting reply; a follow-up is not due until 2026-11-27.\n" in result.stdout
    # Asked for by name, it is drafted anyway: a call sheet, as Frank is reached by phone (Channel Call, no email).
    result = run("draft", sample, "--kind", "follow-up", "--to", "Frank Osei", "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    sheet = tmp_path / "2026-11-25 call - Frank Osei.md"
    assert f"Wrote {sheet} (a call sheet: they are reached by phone)\n" in result.stdout
    assert not list(tmp_path.glob("*.txt"))
    text = sheet.read_text(encoding="utf-8")
    assert text.startswith("# Call sheet: Frank Osei\n\nFollow up if no reply (last contact 2026-11-20).\n")
    assert "- I am following up on my call of November 20, knowing how busy you are.\n" in text
    assert "- Mention my dad, who put us in touch.\n" in text
    assert "- **Phone:** 617-555-0188\n" in text


def test_a_contact_without_email_gets_a_text_draft(sample, tmp_path):
    result = run("draft", sample, "--to", "David Kim", "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "2026-11-25 outreach - David Kim.txt"
    assert f"Wrote {path} (no email address, so a text draft)\n" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert text.startswith("To: David Kim\nSubject: A request for 15–20 minutes of your advice\n\nDear David,\n")


@pytest.mark.parametrize("spelling", ["carlos diaz", "Diaz, Carlos", "CARLOS  DÍAZ"])
def test_to_matches_names_forgivingly(sample, tmp_path, spelling):
    result = run("draft", sample, "--to", spelling, "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2026-11-25 outreach - Carlos Diaz.eml"]


def test_to_an_unknown_name_is_one_line_and_exit_2(sample):
    result = run("draft", sample, "--to", "Carlos Dias")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {sample}: --to 'Carlos Dias' matches no Name on the Contacts sheet. "
                             'Did you mean "Carlos Diaz"?\n')


def test_a_bad_today_is_refused(sample):
    result = run("draft", sample, "--today", "25/11/2026")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --today '25/11/2026' is not a date")


def test_an_edited_draft_is_kept_unless_forced(sample, tmp_path):
    run("draft", sample, "--today", TODAY, "--out", tmp_path)
    path = tmp_path / "2026-11-25 outreach - Carlos Diaz.eml"
    original = path.read_bytes()
    again = run("draft", sample, "--today", TODAY, "--out", tmp_path)
    assert f"Unchanged {path}\n" in again.stdout
    path.write_bytes(b"my edits")
    kept = run("draft", sample, "--today", TODAY, "--out", tmp_path)
    assert f"Kept {path} (it exists with other content, perhaps your edits; --force replaces it)\n" in kept.stdout
    assert path.read_bytes() == b"my edits"
    forced = run("draft", sample, "--today", TODAY, "--out", tmp_path, "--force")
    assert f"Wrote {path}\n" in forced.stdout
    assert path.read_bytes() == original



def test_a_forced_draft_keeps_the_permissions_of_the_file_it_replaces(sample, tmp_path):
    # One rule for every file chart writes (writer.Temporary), as init and calendar do: a
    # private draft stays private when --force replaces it; a new one follows the umask.
    old = os.umask(0o022)
    try:
        run("draft", sample, "--today", TODAY, "--out", tmp_path)
        path = tmp_path / "2026-11-25 outreach - Carlos Diaz.eml"
        assert os.stat(path).st_mode & 0o777 == 0o644
        path.write_bytes(b"my edits")
        os.chmod(path, 0o600)
        forced = run("draft", sample, "--today", TODAY, "--out", tmp_path, "--force")
    finally:
        os.umask(old)
    assert f"Wrote {path}\n" in forced.stdout
    assert os.stat(path).st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- header safety


def test_a_line_break_in_a_name_cannot_add_a_header(sample, tmp_path):
    evil = "Carlos Diaz\nBcc: evil@x.com"
    set_contact(sample, "Carlos Diaz", "Name", evil)
    # The referrer's name reaches the Subject: give it a CRLF too.
    set_contact(sample, "Sue Miller", "Name", "Sue Miller\r\nBcc: evil@x.com")
    set_contact(sample, evil, "Referred By", "Sue Miller\r\nBcc: evil@x.com")
    result = run("draft", sample, "--today", TODAY, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    [path] = [p for p in tmp_path.iterdir() if "Carlos" in p.name]
    assert path.name == "2026-11-25 outreach - Carlos Diaz Bcc evil@x.com.eml"
    raw = path.read_bytes()
    assert b"\nBcc:" not in raw and b"\rBcc:" not in raw
    msg = parse_eml(path)
    assert msg["Bcc"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["carlos.diaz@woodgrovebank.com"]
    assert msg["To"].addresses[0].display_name == "Carlos Diaz Bcc: evil@x.com"
    assert "\n" not in msg["Subject"] and msg["Subject"].startswith("Sue Miller Bcc: evil@x.com suggested")
    assert set(msg.keys()) == {"To", "From", "Subject", "X-Unsent", "Content-Type", "Content-Transfer-Encoding",
                               "MIME-Version"}


def test_a_line_break_in_an_email_cell_gives_a_text_draft(sample, tmp_path):
    set_contact(sample, "Carlos Diaz", "Email", "carlos@x.com\nBcc: evil@x.com")
    result = run("draft", sample, "--to", "Carlos Diaz", "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2026-11-25 outreach - Carlos Diaz.txt"]
    assert "is not a valid address, so a text draft" in result.stdout


def hostile_chart(folder: Path, word: str, subject_template: str | None = None) -> Path:
    """A chart where an encoded word sits in a Name, a Referred By, an Email, the Profile's Your Name
    and, when given, the Templates sheet's Subject."""
    from conftest import contact
    from sync_fixtures import simple_chart

    rows = [
        contact(name=f"Ann {word} Lee", source="Own", email="ann@fabrikam.org", channel="Email"),
        contact(name=word, source="Referral", referred_by=f"Sue {word}", email="bob@fabrikam.org",
                channel="Email"),
        contact(name="Cy Wu", source="Own", email="cy@fabrikam.org", channel="Email"),
        contact(name="Di Ng", source="Own", email="=?utf-8?q?=0D=0ABcc=3A_evil=40attacker=2Eexample?=@fabrikam.org",
                channel="Email"),
    ]
    extra = {"Templates": [["Name", "Subject", "Body"], ["outreach", subject_template, None]]} \
        if subject_template else None
    return simple_chart(folder / "chart.xlsx", rows, profile={"Your Name": f"Jordan {word}"}, extra_sheets=extra)


@pytest.mark.parametrize("word", HOSTILE_WORDS)
@pytest.mark.parametrize("in_subject", [False, True], ids=["cells", "cells-and-subject-template"])
def test_an_encoded_word_in_any_cell_cannot_add_a_header(tmp_path, word, in_subject):
    chart = hostile_chart(tmp_path, word, f"Hello {word} " + "{{ contact.name }}" if in_subject else None)
    result = run("draft", chart, "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    emls = sorted((tmp_path / "out").glob("*.eml"))
    assert len(emls) == 3, result.output  # Di Ng's address holds an encoded word: a text draft
    assert ("Email '=?utf-8?q?=0D=0ABcc=3A_evil=40attacker=2Eexample?=@fabrikam.org' cannot go in a mail header: "
            'a mail program would read its "=?" as an encoded word, so a text draft') in result.stdout
    for path in emls:
        msg = assert_only_the_expected_headers(path.read_bytes())
        assert msg["From"].addresses[0].addr_spec == "jordan@example.com"
        assert "=?" not in str(msg["To"]) + str(msg["From"]) + str(msg["Subject"])

    # --stdout shows the same three header lines per email, and nothing else above the body.
    out = run("draft", chart, "--today", TODAY, "--stdout")
    assert out.exit_code == 0, out.output
    for block in out.stdout.split("==> ")[1:]:
        name, text = block.split(" <==\n", 1)
        head = text.split("\n\n", 1)[0].split("\n")
        want = ["To", "From", "Subject"] if name.endswith(".eml") else ["To", "Subject"]
        assert [line.split(":", 1)[0] for line in head] == want, head
        assert all("=?" not in line for line in head), head

    # sync's Draft column: the same drafts as mailto: links.
    assert run("sync", chart, "--today", TODAY).exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(chart)["Contacts"]
    column = [c.value for c in ws[1]].index("Draft")
    links = [row[column].hyperlink.target for row in ws.iter_rows(min_row=2) if row[column].hyperlink]
    assert len(links) == 3
    for link in links:
        assert_mailto_is_safe(link)


def test_an_encoded_word_in_my_email_leaves_the_draft_without_a_from(tmp_path):
    from conftest import contact
    from sync_fixtures import simple_chart

    evil = "=?utf-8?q?=0D=0ABcc=3A_evil=40attacker=2Eexample?=@outlook.com"
    chart = simple_chart(tmp_path / "chart.xlsx", [contact(name="Ann Lee", source="Own", email="ann@fabrikam.org",
                                                           channel="Email")], profile={"Your Email": evil})
    result = run("draft", chart, "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"Wrote {tmp_path / 'out' / '2026-11-25 outreach - Ann Lee.eml'} (no From: the Profile's Your Email cannot "
        'go in a mail header: a mail program would read its "=?" as an encoded word)')
    [path] = (tmp_path / "out").iterdir()
    assert_only_the_expected_headers(path.read_bytes(), [h for h in EML_HEADERS if h != "From"])


@pytest.mark.parametrize("text, expected", [
    ('Ann/Lee: "CEO"?', "Ann Lee CEO"),
    ("  ..Bob\tRoe\x00.. ", "Bob Roe"),
    ("Zoë Ødegård", "Zoë Ødegård"),
    ("a\\b|c*d<e>f", "a b c d e f"),
])
def test_file_names_are_safe_and_readable(text, expected):
    assert drafts.filename_part(text) == expected


def names_chart(folder: Path, names) -> Path:
    """A chart of outreach contacts with these names."""
    from conftest import contact
    from sync_fixtures import simple_chart

    rows = [contact(name=n, source="Own", email=f"p{i}@fabrikam.org", channel="Email") for i, n in enumerate(names)]
    return simple_chart(folder / "chart.xlsx", rows)


def test_a_long_name_is_cut_to_a_file_name_the_file_system_takes(tmp_path):
    # 80 CJK characters are 240 bytes of UTF-8: with the date and kind, past the 255 bytes a
    # file name may have. Cut by bytes, between characters, and still one file per contact.
    cjk = "山" * 80
    marks = "x" + "q\u0307" * 100  # q with a dot above: no precomposed form, so two characters each
    names = ["Ann Lee", cjk, cjk[:-1] + "川", cjk, marks, "Bo Wu"]
    chart = names_chart(tmp_path, names)
    result = run("draft", chart, "--today", TODAY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 6, files
    for name in files:
        assert len(name.encode()) <= 255, name
        assert name.endswith(".eml")
    cut = [f for f in files if "山" in f]
    stem = "2026-11-25 outreach - " + "山" * 71
    # Rows 3 to 5: the third name differs only past the cut.
    assert set(cut) == {stem + ".eml", stem + " (row 4).eml", stem + " (row 5).eml"}
    [dotted] = [f for f in files if "q" in f]
    assert dotted == "2026-11-25 outreach - x" + "q\u0307" * 39 + ".eml"  # no dot cut from its letter
    for name in files:
        assert f"Wrote {tmp_path / 'out' / name}" in result.stdout
    # Each one parses, addressed to its contact.
    to = {parse_eml(tmp_path / "out" / f)["To"].addresses[0].addr_spec for f in files}
    assert to == {f"p{i}@fabrikam.org" for i in range(6)}


def test_a_run_that_cannot_write_a_draft_writes_none(tmp_path):
    chart = names_chart(tmp_path, ["Ann Lee", "Bo Wu", "Cy Ng"])
    out = tmp_path / "out"
    (out / "2026-11-25 outreach - Bo Wu.eml").mkdir(parents=True)  # a folder where a draft goes
    result = run("draft", chart, "--today", TODAY, "--out", out, "--force")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {out / '2026-11-25 outreach - Bo Wu.eml'}: is a folder, so the draft cannot "
                             "replace it; no draft was written. Move or rename the folder.\n")
    assert sorted(p.name for p in out.iterdir()) == ["2026-11-25 outreach - Bo Wu.eml"]


def test_a_full_disk_leaves_no_draft_and_no_temporary_file(tmp_path, monkeypatch):
    chart = names_chart(tmp_path, ["Ann Lee", "Bo Wu", "Cy Ng"])
    out = tmp_path / "out"
    real_write, calls = os.write, []

    def write(fd, data):
        calls.append(fd)
        if len(calls) == 2:  # the second draft's write fails
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    result = run("draft", chart, "--today", TODAY, "--out", out)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {out / '2026-11-25 outreach - Bo Wu.eml'}: could not be written (No space left "
                             "on device); no draft was written.\n")
    assert list(out.iterdir()) == []


def test_a_rename_that_fails_says_which_drafts_were_written(tmp_path, monkeypatch):
    chart = names_chart(tmp_path, ["Ann Lee", "Bo Wu", "Cy Ng"])
    out = tmp_path / "out"
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("Bo Wu.eml"):
            raise OSError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = run("draft", chart, "--today", TODAY, "--out", out)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {out / '2026-11-25 outreach - Bo Wu.eml'}: could not be written (Permission "
                             "denied); of the 3 new drafts, 1 was written (2026-11-25 outreach - Ann Lee.eml) and 2 "
                             "were not.\n")
    assert sorted(p.name for p in out.iterdir()) == ["2026-11-25 outreach - Ann Lee.eml"]


def test_a_file_name_longer_than_the_folder_takes_is_refused_before_writing(tmp_path, monkeypatch):
    # Some file systems take shorter names than 255 bytes (eCryptfs: 143).
    chart = names_chart(tmp_path, ["Ann Lee", "Bo " + "W" * 60])
    out = tmp_path / "out"
    real = os.pathconf
    monkeypatch.setattr(os, "pathconf", lambda path, name: 60 if name == "PC_NAME_MAX" else real(path, name))
    result = run("draft", chart, "--today", TODAY, "--out", out)
    assert result.exit_code == 1
    name = "2026-11-25 outreach - Bo " + "W" * 60 + ".eml"
    assert result.stderr == (f"Error: {out / name}: is longer than the 60 bytes a file name may have in this folder; "
                             "no draft was written. Draft into another folder with --out.\n")
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- --stdout and --check


def test_stdout_prints_drafts_and_writes_nothing(sample):
    result = run("draft", sample, "--today", TODAY, "--stdout")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("==> 2026-11-25 outreach - Olivia Park.eml <==\n"
                          "To: Olivia Park <olivia.park@fabrikamhealth.org>\n"
                          "From: Jordan Rivera <jordan.rivera@outlook.com>\n"
                          "Subject: Ann Lee suggested I contact you\n\nDear Olivia,\n")
    assert "\n==> 2026-11-25 outreach - Carlos Diaz.eml <==\n" in out
    assert "Skipped" not in out and "Skipped Maria Chen (row 2)" in result.stderr
    assert not (sample.parent / "drafts").exists()


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_check_passes_the_packaged_templates(sample, kind):
    result = run("draft", sample, "--kind", kind, "--today", TODAY, "--check")
    assert result.exit_code == 0, result.output
    for name in EXPECTED[kind]:
        assert f"{name}: ok\n" in result.stdout
    assert result.stdout.endswith(f"{len(EXPECTED[kind])} {kind} draft{'s' * (len(EXPECTED[kind]) != 1)} checked, "
                                  "0 falling short of the guide rules.\n")
    assert not (sample.parent / "drafts").exists()


def test_check_with_the_5_point_style_fails_the_long_outreach(sample):
    result = run("draft", sample, "--today", TODAY, "--check", "--style", "5-point")
    assert result.exit_code == 1
    assert ("2026-11-25 outreach - Carlos Diaz.eml: the outreach has 113 words; keep it under 100. [too-long]\n"
            in result.stdout)
    assert '"you/your" 7 times, "I/my/me" 9 times. [about-you]' in result.stdout
    assert result.stdout.endswith("2 outreach drafts checked, 2 falling short of the 5-point rules.\n")


def test_check_fails_a_template_that_drops_the_guide(sample, tmp_path):
    folder = template_dir(tmp_path, "Subject: Hi\n\nDear {{ contact.name | first_name }},\n\n"
                                     "I am {{ me.job_status }}. Could we meet?\n\n{{ me.your_name }}\n")
    result = run("draft", sample, "--templates", folder, "--today", TODAY, "--check", "--to", "Carlos Diaz")
    assert result.exit_code == 1
    codes = [line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.splitlines() if line.endswith("]")]
    assert codes == ["no-expertise", "no-position", "no-why", "no-referrer", "no-meeting-length", "no-not-asking"]


def test_packaged_templates_pass_the_guide_for_every_sample_contact(sample):
    chart = read_chart(sample)
    drafter = drafts.Drafter(chart, DAY)
    made = 0
    for row in chart.contacts.rows:
        for kind in kinds.NAMES:
            result = drafter.draft(row, kind)
            if isinstance(result, drafts.Skipped):
                # Only a thank-you or keep-in-touch note can lack its field (Helpful, a date), and a
                # report-back someone to report on.
                assert kind in (kinds.THANK_YOU, kinds.FOLLOW_UP, kinds.REPORT_BACK), result
                continue
            made += 1
            assert result.findings == [], (row.text("name"), kind, result.findings)
    # 13 contacts × 4 kinds, less 9 thank-yous without Helpful and 3 never-sent follow-ups; and one
    # report-back, to Maria Chen (you met Ann Lee): nobody else referred you to someone you have met.
    assert made == 41


# --------------------------------------------------------------------------- helpers for sync


def test_pending_referrals(sample):
    chart = read_chart(sample)
    assert drafts.pending_referrals(chart, row_of(chart, "Ann Lee")) == ("Olivia Park",)
    assert drafts.pending_referrals(chart, row_of(chart, "Maria Chen")) == ()
    assert drafts.pending_referrals(chart, row_of(chart, "Sue Miller")) == ("Carlos Diaz",)


def _step(chart, name):
    row = row_of(chart, name)
    return row, drafts.Drafter(chart, DAY).step(row)  # with the pending referrals and report-backs


def test_mailto_link_fills_in_the_outreach(sample):
    chart = read_chart(sample)
    row, step = _step(chart, "Carlos Diaz")
    made = drafts.MailtoLinks(chart, DAY).link(row, step)
    assert made.label == "Email Carlos" and not made.cut
    link = made.url
    assert link.startswith("mailto:carlos.diaz@woodgrovebank.com?subject=Sue%20Miller%20suggested%20I%20contact"
                           "%20you&body=Dear%20Carlos%2C%0D%0A%0D%0ASue%20Miller%20suggested")
    assert len(link) <= MAILTO_LIMIT
    query = parse_qs(urlsplit(link).query)
    golden = parse_eml(GOLDEN / "outreach" / "2026-11-25 outreach - Carlos Diaz.eml")
    assert query["subject"] == [golden["Subject"]]
    assert query["body"] == [golden.get_content().replace("\n", "\r\n")]
    assert " " not in link and "\n" not in link


@pytest.mark.parametrize("name, kind", [("Sue Miller", "thank-you"), ("Priya Natarajan", "follow-up"),
                                        ("Maria Chen", "report-back"), ("Ann Lee", "follow-up"),
                                        ("Olivia Park", "outreach")])
def test_mailto_link_for_every_email_step(sample, name, kind):
    chart = read_chart(sample)
    row, step = _step(chart, name)
    assert step.kind == kind
    made = drafts.MailtoLinks(chart, DAY).link(row, step)
    assert made.url.startswith(f"mailto:{row.text('email')}?subject=")
    assert len(made.url) <= MAILTO_LIMIT and not made.cut
    assert made.label == kinds.get(kind).link_label(name.split()[0])


@pytest.mark.parametrize("name", ["David Kim", "Bob Roe", "Isabel Grant", "Elena Petrova", "Grace Liu",
                                  "Frank Osei"])
def test_mailto_link_is_none_without_an_email_step(sample, name):
    # Calls, closed contacts and a follow-up to someone without an address.
    chart = read_chart(sample)
    row, step = _step(chart, name)
    assert drafts.MailtoLinks(chart, DAY).link(row, step) is None


def test_mailto_link_is_none_when_a_needed_field_is_blank(sample):
    set_contact(sample, "Sue Miller", "Helpful", None)
    chart = read_chart(sample)
    row, step = _step(chart, "Sue Miller")
    assert drafts.MailtoLinks(chart, DAY).link(row, step) is None


def test_mailto_link_shortens_a_long_body(sample):
    long_why = "I want to work on hospital supply chains. " * 60
    set_profile(sample, "Why Searching", long_why)
    chart = read_chart(sample)
    row, step = _step(chart, "Carlos Diaz")
    made = drafts.MailtoLinks(chart, DAY).link(row, step)
    assert made.cut
    link = made.url
    assert MAILTO_LIMIT - 40 < len(link) <= MAILTO_LIMIT
    body = parse_qs(urlsplit(link).query)["body"][0]
    assert body.startswith("Dear Carlos,\r\n\r\nSue Miller suggested")
    assert body.endswith(" …")
    assert unquote(link.split("&body=")[1]) == body


def test_mailto_link_raises_for_a_broken_sheet_template(sample):
    add_templates_sheet(sample, [["outreach", "Hi", "{{ contact.nosuch }}"]])
    chart = read_chart(sample)
    links = drafts.MailtoLinks(chart, DAY)
    # Every contact of that kind hears of it, each from an error of its own, complete when raised.
    errors = []
    for name in ("Carlos Diaz", "Olivia Park"):
        row, step = _step(chart, name)
        with pytest.raises(TemplateError) as raised:
            links.link(row, step)
        errors.append(raised.value)
    assert errors[0] is not errors[1]
    for error in errors:
        assert str(error).startswith(f"{sample}: Templates!C2: outreach template: line 1: contact.nosuch is not a "
                                     "field; contact has ")
    # The other email kinds' templates are the packaged ones, and still make links.
    row, step = _step(chart, "Sue Miller")
    assert links.link(row, step).url.startswith("mailto:")


def test_library_never_prints(sample, capsys):
    chart = read_chart(sample)
    run_ = drafts.make_drafts(chart, "outreach", DAY)
    draftfiles.write_drafts(run_, sample.parent / "lib")
    assert capsys.readouterr() == ("", "")
    assert email.message_from_bytes(run_.drafts[0].content)["X-Unsent"] == "1"




def test_an_eml_drafts_bytes_made_when_read_are_the_whole_eml(sample):
    # A draft quotes its body when its content is first read (--stdout never reads it): the bytes are
    # build_eml's, and a draft whose address the headers refuse is a text draft at once, as before.
    from workbook_tool.eml import build_eml

    chart = _chart_of(sample, 40)
    made = [d for kind in kinds.NAMES for d in drafts.make_drafts(chart, kind, DAY).drafts]
    emails = [d for d in made if d.format == "eml"]
    assert len(emails) > 40 and any(d.format != "eml" for d in made)
    for d in emails:
        assert d.content == build_eml(d.name, d.to, d.facts["your_name"], d.sender, d.subject, d.body)
        assert d.content is d.content  # made once


def test_a_drafts_step_is_the_step_sync_works_out(sample):
    # The drafter looks up referrals only for a thanked contact, as stages.contact_steps does.
    chart = read_chart(sample)
    drafter = drafts.Drafter(chart, DAY)
    assert any(r.values.get("thanked_on") for r in chart.contacts.rows)
    assert [drafter.step(r) for r in chart.contacts.rows] == [s for _, s in stages.contact_steps(chart, DAY)]


def test_drafts_made_in_a_row_are_the_drafts_made_each_alone(sample):
    # Drafts share what the checker, the headers and the quoting remember from one draft to the
    # next: each draft, its text, file and findings, is what it is when made with nothing remembered.
    from workbook_tool import checker, eml

    chart = _chart_of(sample, 40)
    made = drafts.make_drafts(chart, "outreach", DAY).drafts
    in_a_row = [(d.filename, d.content, d.findings) for d in made]
    alone = []
    for name in [d.name for d in made]:
        for cache in (checker._checked, checker._fold_piece, checker._pieces, checker._piece_words,
                      checker._piece_says, checker._begins_with_i, eml._qp_line, eml._encoded_subject):
            cache.cache_clear()
        checker._RECENT_SENTENCES.clear()
        alone += [(d.filename, d.content, d.findings) for d in drafts.make_drafts(chart, "outreach", DAY, [name]).drafts]
    assert len(in_a_row) > 40 and sorted(in_a_row) == sorted(alone)


def _chart_of(sample, n: int):
    """The example chart with ``n`` more contacts, none contacted yet: ``n`` outreach emails to draft."""
    from workbook_tool.workbook import chart_from_grids, read_chart_grids

    grids = read_chart_grids(sample)
    header = grids["Contacts"][0]
    for i in range(n):
        values = {"Name": f"Person {i:06d} Example", "Source": "Own", "Organization": f"Org {i % 97}",
                  "Title": "Analyst", "Email": f"person{i}@example.com", "Channel": "Email"}
        grids["Contacts"].append([values.get(h) for h in header])
    return chart_from_grids(sample, grids)


def _peak_of_drafting(chart, out: Path) -> tuple[int, int]:
    """The peak of memory allocated while ``chart draft`` makes, writes and sums up the chart's drafts."""
    import tracemalloc

    from workbook_tool.report import draft_write_lines

    gc_collect = __import__("gc").collect
    gc_collect()
    tracemalloc.start()
    try:
        skipped = []
        with draftfiles.DraftFiles(out) as files:
            for made in drafts.each_draft(chart, "outreach", DAY):
                (skipped.append if isinstance(made, drafts.Skipped) else files.add)(made)
            written = files.commit()
        summary = sum(len(line) for line in draft_write_lines(written, skipped, "outreach", out))
        return tracemalloc.get_traced_memory()[1], summary
    finally:
        tracemalloc.stop()


def test_drafting_memory_stays_flat_in_the_number_of_drafts(sample, tmp_path):
    # Each draft is written to its temporary file as it is made and dropped to the few
    # fields its summary line needs: more drafts cost their file names, not their text.
    small, large = _chart_of(sample, 1_000), _chart_of(sample, 6_000)
    _peak_of_drafting(_chart_of(sample, 300), tmp_path / "warm")  # imports and caches filled first
    peak_small, _ = _peak_of_drafting(small, tmp_path / "small")
    peak_large, summary = _peak_of_drafting(large, tmp_path / "large")
    assert len(list((tmp_path / "large").iterdir())) >= 6_000 and summary > 6_000 * 50
    one_draft = drafts.make_drafts(_chart_of(sample, 1), "outreach", DAY).drafts[-1]
    held_whole = len(one_draft.content) + len(one_draft.body)  # its text alone; held, a Draft is more
    per_draft = (peak_large - peak_small) / 5_000
    # What grows is what grows with the contacts themselves (the chart's name and address
    # indexes), the summary's record of each draft, and a resize of the interpreter's table
    # of interned strings (pathlib interns every temporary file's name): about 900 bytes a
    # draft, under the draft's text alone, which holding the drafts would add on top (4 KB).
    assert per_draft < held_whole, (peak_small, peak_large, held_whole)


def test_a_written_draft_is_one_small_record_until_the_summary(sample, tmp_path):
    # A hundred thousand of them are held until the summary is printed: one slotted object a draft,
    # holding the file name, notes and findings, and its temporary's name only until it is renamed.
    chart = _chart_of(sample, 20)
    with draftfiles.DraftFiles(tmp_path / "out") as files:
        made = [d for d in drafts.each_draft(chart, "outreach", DAY) if not isinstance(d, drafts.Skipped)]
        for d in made:
            files.add(d)
        pending = [w._temporary for w in files.written]
        assert all(name.startswith(".draft-") for name in pending)
        written = files.commit()
    assert [w.filename for w in written] == [d.filename for d in made]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(d.filename for d in made)
    for w, d in zip(written, made):
        assert w.draft is w and isinstance(w, drafts.Drafted) and not hasattr(w, "__dict__")
        assert (w.status, w._temporary, w.notes, w.findings) == ("wrote", None, tuple(d.notes), tuple(d.findings))
        assert w.path == tmp_path / "out" / d.filename


def _tidy_body_line_by_line(text: str) -> str:
    """drafts.tidy_body as it was before its short cut: every line cut out, stripped and joined again."""
    import re

    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


# Every character str.isspace() takes (rstrip's), line breaks of each kind, and a few that are not.
_BODY_CHARS = "ab –.\n\r" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\ufeff"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_BODY_CHARS, max_size=40))
def test_tidy_body_leaves_whole_only_what_line_by_line_would_not_change(text):
    assert drafts.tidy_body(text) == _tidy_body_line_by_line(text)


def test_tidy_body_strips_each_kind_of_space_at_a_line_end():
    for space in [c for c in _BODY_CHARS if c.isspace() and c not in "\n\r"]:
        assert drafts.tidy_body(f"Dear Ann,{space}\nHello{space}") == "Dear Ann,\nHello\n"
