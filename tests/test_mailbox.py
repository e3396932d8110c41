"""``chart draft --mailbox`` against a real Dovecot, and the connection's rules and failure lines.

Drafts go into the Drafts folder with \\Draft, a stable Message-ID and their real Date,
with headers and body byte for byte the .eml the same draft writes to a file. Each
failure is one line, exit 1, nothing written, and the password appears nowhere.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import socket
import sys
import time
from email import policy
from email.parser import BytesParser

import pytest

from conftest import contact, run, write_chart
from dovecot import dovecot, gmail_dovecot, mail_user, message, tls_dovecot  # noqa: F401  (the fixtures)
from tiny_imap import TinyImap
from workbook_tool import mailbox
from workbook_tool.errors import MailError

TODAY = "2026-11-25"
ANN = dict(name="Ann Lee", email="ann.lee@acme.example", channel="Email", organization="Acme")
BOB = dict(name="Bob Roe", email="bob@beta.example", channel="Email")
CAL = dict(name="Cal Poe", phone="617-555-0199", channel="Call")


@pytest.fixture
def chart(tmp_path):
    return write_chart(tmp_path / "chart.xlsx", rows=[contact(**r) for r in (ANN, BOB, CAL)])


def drafts_in(user) -> list[dict]:
    return list(user.messages("\\Drafts").values())


def test_drafts_go_into_the_drafts_folder_as_the_eml_files_would_be(chart, tmp_path, mail_user):
    files = run("draft", chart, "--today", TODAY, "--out", tmp_path / "files")
    assert files.exit_code == 0, files.output
    result = run("draft", chart, "--today", TODAY, "--mailbox", "--out", tmp_path / "out", env=mail_user.env())
    assert result.exit_code == 0, result.output
    assert "Added to Drafts: Ann Lee (" in result.stdout and "Added to Drafts: Bob Roe (" in result.stdout
    assert result.stdout.rstrip().endswith("2 outreach drafts in Drafts; 1 contact skipped. Nothing was sent.")
    assert not (tmp_path / "out").exists()  # no email draft became a file
    found = drafts_in(mail_user)
    assert len(found) == 2
    emls = {p.read_bytes() for p in (tmp_path / "files").glob("*.eml")}
    for m in found:
        assert b"\\Draft" in m["flags"]
        raw = m["raw"]
        head, _, rest = raw.partition(b"\r\n")
        assert head.startswith(b"Message-ID: <chart-outreach-first-") and head.endswith(b"@chart.invalid>")
        date_line, _, eml = rest.partition(b"\r\n")
        assert eml in emls  # headers and body, byte for byte
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert parsed["X-Unsent"] == "1" and parsed["To"].addresses[0].addr_spec in (ANN["email"], BOB["email"])
        # Appended with its real Date: the INTERNALDATE is the Date header's moment.
        sent_at = email.utils.parsedate_to_datetime(date_line.decode().removeprefix("Date: "))
        assert abs((sent_at - dt.datetime.now().astimezone()).total_seconds()) < 120
        assert m["internaldate"].replace(tzinfo=None) == sent_at.astimezone().replace(tzinfo=None)


def test_a_second_run_adds_no_duplicate_and_force_replaces_only_that_message(chart, tmp_path, mail_user):
    env = mail_user.env()
    assert run("draft", chart, "--today", TODAY, "--mailbox", env=env).exit_code == 0
    # The person's own drafts: one plain, one they marked deleted in their mail program.
    when = dt.datetime(2026, 11, 20, 9).astimezone()
    mail_user.append("\\Drafts", message("me@example.com", "x@y.example", "Mine", when), when, flags=(b"\\Draft",))
    mail_user.append("\\Drafts", message("me@example.com", "z@y.example", "Deleted, not expunged", when), when,
                     flags=(b"\\Draft", b"\\Deleted"))
    before = mail_user.messages("\\Drafts")
    again = run("draft", chart, "--today", TODAY, "--mailbox", env=env)
    assert again.exit_code == 0, again.output
    assert "Already in Drafts: Ann Lee (" in again.stdout and "left alone; --force replaces it" in again.stdout
    assert mail_user.messages("\\Drafts") == before
    forced = run("draft", chart, "--today", TODAY, "--mailbox", "--to", "Ann Lee", "--force", env=env)
    assert forced.exit_code == 0, forced.output
    assert "Replaced in Drafts: Ann Lee (" in forced.stdout
    after = mail_user.messages("\\Drafts")
    assert len(after) == len(before)
    gone = set(before) - set(after)
    assert len(gone) == 1 and b"Ann Lee" in before[gone.pop()]["raw"]
    subjects = [BytesParser(policy=policy.default).parsebytes(m["raw"])["Subject"] for m in after.values()]
    assert "Mine" in subjects and "Deleted, not expunged" in subjects


def test_call_sheets_still_go_to_files(chart, tmp_path, mail_user):
    result = run("draft", chart, "--kind", "call", "--today", TODAY, "--mailbox", "--out", tmp_path / "out",
                 env=mail_user.env())
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2026-11-25 call - Cal Poe.md"]
    assert f"Wrote {tmp_path / 'out' / '2026-11-25 call - Cal Poe.md'}" in result.stdout
    assert drafts_in(mail_user) == []


def test_gmail_layout_drafts(chart, gmail_dovecot):
    user = gmail_dovecot.add_user()
    result = run("draft", chart, "--today", TODAY, "--mailbox", env=user.env())
    assert result.exit_code == 0, result.output
    assert "Added to [Gmail]/Drafts: Ann Lee" in result.stdout
    assert len(drafts_in(user)) == 2


# --------------------------------------------------------------------------- failures: one line each


def _fails(args, env, chart, line_part: str, password: str | None = None):
    before = chart.read_bytes()
    result = run(*args, env=env)
    assert result.exit_code == 1, result.output
    assert result.stdout == "" or "Error" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and line_part in lines[0], result.stderr
    assert "Traceback" not in result.output
    if password:
        assert password not in result.output
    assert chart.read_bytes() == before
    assert not (chart.parent / "chart-backups").exists()
    return lines[0]


@pytest.mark.parametrize("command", [["mail"], ["draft", "--mailbox"]])
def test_wrong_password_is_one_line_without_the_password(chart, mail_user, command):
    secret = "Wr0ng-but-Secret-42"
    line = _fails([command[0], chart, "--today", TODAY, *command[1:]], mail_user.env(CHART_MAIL_PASSWORD=secret),
                  chart, f"refused the login for {mail_user.login} (CHART_MAIL_LOGIN): wrong login or password?",
                  secret)
    assert "app password" in line


def test_unreachable_server(chart, mail_user):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _fails(["mail", chart, "--today", TODAY], mail_user.env(CHART_MAIL_SERVER=f"imap://127.0.0.1:{port}"), chart,
           f"cannot reach imap://127.0.0.1:{port} (")


def test_tls_failure(chart, mail_user):
    # IMAPS to Dovecot's plain-text port: the TLS handshake fails.
    _fails(["mail", chart, "--today", TODAY], mail_user.env(CHART_MAIL_SERVER=f"imaps://127.0.0.1:{mail_user.server.port}"),
           chart, f"TLS with imaps://127.0.0.1:{mail_user.server.port} failed (")


def test_imaps_and_starttls_with_a_certificate_your_system_trusts(chart, tls_dovecot):
    user = tls_dovecot.add_user()
    log = tls_dovecot.root / "dovecot.log"
    for server in (f"imaps://127.0.0.1:{tls_dovecot.imaps_port}", f"imap://127.0.0.1:{tls_dovecot.port}"):
        before = log.read_text()
        # SSL_CERT_FILE: OpenSSL's own way of naming the certificates to trust, here the test's CA.
        result = run("mail", chart, "--today", TODAY, "--dry-run",
                     env=user.env(CHART_MAIL_SERVER=server, SSL_CERT_FILE=str(tls_dovecot.ca)))
        assert result.exit_code == 0, result.output
        logins = [line for line in log.read_text()[len(before):].splitlines() if "Login: user=<" in line]
        assert len(logins) == 1 and ", TLS" in logins[0], logins  # the password went over TLS


@pytest.mark.parametrize("form", ["imaps://127.0.0.1:{imaps}", "imap://127.0.0.1:{port}"])
def test_a_certificate_nobody_vouches_for_is_a_tls_failure(chart, tls_dovecot, form):
    user = tls_dovecot.add_user()
    server = form.format(imaps=tls_dovecot.imaps_port, port=tls_dovecot.port)
    line = _fails(["mail", chart, "--today", TODAY], user.env(CHART_MAIL_SERVER=server), chart,
                  f"TLS with {server} failed (", user.password)
    assert "CERTIFICATE_VERIFY_FAILED" in line or "certificate verify failed" in line


def test_no_drafts_folder(chart, tmp_path):
    server = TinyImap(folders=("INBOX", "Archive"))
    try:
        env = {"CHART_MAIL_SERVER": f"imap://127.0.0.1:{server.port}", "CHART_MAIL_PASSWORD": "pw"}
        _fails(["draft", chart, "--today", TODAY, "--mailbox", "--out", tmp_path / "out"], env, chart,
               f"imap://127.0.0.1:{server.port} has no Drafts folder (none is marked \\Drafts or named Drafts")
        assert not (tmp_path / "out").exists()
    finally:
        server.stop()


def test_no_sent_folder(chart):
    server = TinyImap(folders=("INBOX", "Drafts", "Archive"))
    try:
        env = {"CHART_MAIL_SERVER": f"imap://127.0.0.1:{server.port}", "CHART_MAIL_PASSWORD": "pw"}
        _fails(["mail", chart, "--today", TODAY], env, chart,
               f"imap://127.0.0.1:{server.port} has no Sent folder (none is marked \\Sent or named Sent, Sent Items")
    finally:
        server.stop()


def test_a_server_closing_mid_scan_leaves_the_workbook_unchanged(chart):
    server = TinyImap(close_on="UID FETCH")
    try:
        env = {"CHART_MAIL_SERVER": f"imap://127.0.0.1:{server.port}", "CHART_MAIL_PASSWORD": "pw"}
        _fails(["mail", chart, "--today", TODAY], env, chart,
               f"the connection to imap://127.0.0.1:{server.port} failed while reading Sent (")
        assert "EXAMINE" in server.commands and "SELECT" not in server.commands  # read-only
    finally:
        server.stop()


def test_no_password_without_a_terminal(chart, mail_user):
    env = mail_user.env()
    env["CHART_MAIL_PASSWORD"] = ""
    _fails(["mail", chart, "--today", TODAY], env, chart, f"no password for {mail_user.login}: set CHART_MAIL_PASSWORD")


def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(chart, mail_user):
    import os
    import pty
    import select
    import subprocess

    from conftest import REPO

    env = {**os.environ, **mail_user.env(), "PYTHONPATH": str(REPO)}
    env.pop("CHART_MAIL_PASSWORD")
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "workbook_tool", "mail", str(chart), "--today", TODAY],
                            stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    seen = b""

    def read_until(done, seconds=30.0):
        nonlocal seen
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    return
                if not chunk:
                    return
                seen += chunk

    try:
        read_until(lambda: b"Password for" in seen)
        assert f"Password for {mail_user.login} at imap://127.0.0.1:{mail_user.server.port}: ".encode() in seen
        os.write(main, mail_user.password.encode() + b"\n")
        read_until(lambda: proc.poll() is not None)
        assert proc.wait(30) == 0, seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
    assert b"synced for 2026-11-25" in seen
    assert mail_user.password.encode() not in seen  # hidden: the terminal did not echo it


def test_the_password_is_in_no_output_json_backup_or_workbook(tmp_path, mail_user):
    path = write_chart(tmp_path / "chart.xlsx", rows=[contact(**ANN)])
    when = dt.datetime(2026, 11, 2, 10).astimezone()
    mail_user.append("\\Sent", message("me@example.com", ANN["email"], "Advice?", when), when)
    env = mail_user.env()
    outputs = [run("mail", path, "--today", TODAY, "--dry-run", env=env), run("mail", path, "--today", TODAY,
               "--json", env=env), run("mail", path, "--today", TODAY, env=env),
               run("draft", path, "--today", TODAY, "--mailbox", env=env)]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert json.loads(outputs[1].stdout)["filled"][0]["column"] == "Contacted On"
    secret = mail_user.password
    for r in outputs:
        assert secret not in r.output
    for f in [path, *(tmp_path / "chart-backups").iterdir()]:
        assert secret.encode() not in f.read_bytes()


# --------------------------------------------------------------------------- the settings' rules


@pytest.mark.parametrize("text, expected", [
    ("imap.gmail.com", ("imap.gmail.com", 993, "tls")),
    ("imaps://imap.fastmail.com", ("imap.fastmail.com", 993, "tls")),
    ("imaps://imap.mail.me.com:993/", ("imap.mail.me.com", 993, "tls")),
    ("imap://127.0.0.1:1143", ("127.0.0.1", 1143, "starttls")),
    ("imap://mail.example.org", ("mail.example.org", 143, "starttls")),
    ("IMAP://[::1]:143", ("::1", 143, "starttls")),
    ("imap+plain://localhost:1143", ("localhost", 1143, "plain")),
    ("imap+plain://127.0.0.1", ("127.0.0.1", 143, "plain")),
])
def test_server_forms(text, expected):
    server = mailbox.parse_server(text, "CHART_MAIL_SERVER")
    assert (server.host, server.port, server.security) == expected


@pytest.mark.parametrize("text, part", [
    ("pop3://mail.example.org", "pop3:// is not a mail server form"),
    ("imap://me:hunter2@mail.example.org", "holds a login or password"),
    ("imap.example.org:99999", "port 99999 is out of range"),
    ("imap.example.org/inbox", "is not a mail server"),
])
def test_bad_server_forms(text, part):
    with pytest.raises(MailError) as caught:
        mailbox.parse_server(text, "CHART_MAIL_SERVER")
    assert part in str(caught.value) and "hunter2" not in str(caught.value)


_NETWORK_EVENTS: list | None = None  # the socket events seen while a test listens (an audit hook stays forever)


def _audit(event, args):
    if _NETWORK_EVENTS is not None and event.startswith("socket.") and event in (
            "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "socket.sendmsg"):
        _NETWORK_EVENTS.append((event, args))


@pytest.fixture
def network_events():
    """The socket events (connect, name lookup, send) the code under test makes; none should leave."""
    global _NETWORK_EVENTS
    if not getattr(sys, "_chart_test_audit", False):
        sys.addaudithook(_audit)
        sys._chart_test_audit = True
    _NETWORK_EVENTS = []
    try:
        yield _NETWORK_EVENTS
    finally:
        _NETWORK_EVENTS = None


@pytest.mark.parametrize("server", ["imap+plain://192.0.2.1", "imap+plain://mail.example.org:143",
                                    "IMAP+PLAIN://[2001:db8::1]:1143"])
@pytest.mark.parametrize("command", [["mail"], ["draft", "--mailbox"]])
def test_plain_text_to_a_host_that_is_not_loopback_is_refused_before_any_network_traffic(chart, network_events,
                                                                                         server, command):
    env = {"CHART_MAIL_SERVER": server, "CHART_MAIL_LOGIN": "me@example.org", "CHART_MAIL_PASSWORD": "pw-123"}
    line = _fails([command[0], chart, "--today", TODAY, *command[1:]], env, chart,
                  "would send your password and mail in plain text over the network", "pw-123")
    assert "CHART_MAIL_SERVER: imap+plain://" in line
    assert network_events == []


def test_plain_text_to_a_loopback_address_works(chart, mail_user, network_events):
    env = mail_user.env(CHART_MAIL_SERVER=f"imap+plain://127.0.0.1:{mail_user.server.port}")
    result = run("mail", chart, "--today", TODAY, env=env)
    assert result.exit_code == 0, result.output
    # The hook the refusal test relies on does see a connection when there is one.
    assert ("127.0.0.1", mail_user.server.port) in [args[1] for event, args in network_events
                                                    if event == "socket.connect"]


def test_plain_text_goes_only_to_a_loopback_address():
    assert mailbox.is_loopback("127.0.0.1") and mailbox.is_loopback("127.8.9.10") and mailbox.is_loopback("::1")
    assert mailbox.is_loopback("localhost")
    for host in ("192.0.2.1", "10.0.0.1", "mail.example.org", "127.0.0.1.example.org"):
        assert not mailbox.is_loopback(host)


def test_no_starttls_on_a_loopback_server_is_plain_text_and_works(tmp_path):
    server = TinyImap(capabilities="IMAP4rev1 AUTH=PLAIN")  # no STARTTLS
    try:
        settings = mailbox.MailSettings(mailbox.parse_server(f"imap://127.0.0.1:{server.port}", "x"), "me", "x", "y")
        with mailbox.Mailbox(settings, "pw") as box:
            assert box.folder("\\Drafts") == "Drafts"
        assert "STARTTLS" not in server.commands
    finally:
        server.stop()


@pytest.mark.parametrize("listed, role, expected", [
    ([((b"\\HasNoChildren",), b"/", "INBOX"), ((b"\\Drafts",), b"/", "Brouillons")], "\\Drafts", "Brouillons"),
    ([((), b".", "INBOX"), ((), b".", "INBOX.Drafts"), ((), b".", "INBOX.Sent")], "\\Drafts", "INBOX.Drafts"),
    ([((), b".", "INBOX"), ((), b".", "INBOX.Sent Items")], "\\Sent", "INBOX.Sent Items"),
    ([((b"\\Noselect",), b"/", "[Gmail]"), ((), b"/", "[Gmail]/Sent Mail")], "\\Sent", "[Gmail]/Sent Mail"),
    ([((), b"/", "INBOX"), ((), b"/", "Sent Items")], "\\Sent", "Sent Items"),  # Outlook's name
    ([((), b"/", "INBOX")], "\\Drafts", None),
])
def test_folders_by_role_then_by_name(listed, role, expected):
    assert mailbox.find_folder(listed, role) == expected


def test_message_id_is_stable_per_chart_person_kind_and_step():
    from workbook_tool.drafts import Draft

    def draft(**change):
        values = dict(kind="follow-up", name="Ann Lee", row=2, filename="x.eml", subject="s", body="b", to=None,
                      sender=None, content=b"", step_day=dt.date(2026, 11, 9))
        values.update(change)
        return Draft(**values)

    same = mailbox.message_id("chart.xlsx", draft())
    assert mailbox.message_id("chart.xlsx", draft(subject="other", body="edited")) == same
    for other in (draft(step_day=dt.date(2026, 11, 16)), draft(kind="thank-you"), draft(row=3),
                  draft(name="Bob Roe")):
        assert mailbox.message_id("chart.xlsx", other) != same
    assert mailbox.message_id("other.xlsx", draft()) != same
    assert "Ann" not in same


# --------------------------------------------------------------------------- the scan's fast header reading


def _reference(raw: bytes):
    """What the email package reads from a header block: the fields, and the From, To and Cc addresses."""
    from email.parser import BytesHeaderParser

    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    fields = {name.lower(): [v.strip() for v in headers.get_all(name)] for name in dict.fromkeys(headers.keys())}

    def addrs(*names):
        values = [v for n in names for v in headers.get_all(n, [])]
        return [a.casefold() for _, a in email.utils.getaddresses(values) if a]

    return fields, addrs("From"), addrs("To", "Cc")


# ASCII, as headers are on the wire (a name that is not is an RFC 2047 encoded word: the email
# package's compat32 gives raw 8-bit headers as Header objects, which the scan reads as UTF-8).
_NAMES = ["Ann Lee", "J. Doe", "O'Brien Pat", "Lee, Ann", '"Lee, Ann"', "=?utf-8?q?Ren=C3=A9e?=",
          "Ann (work) Lee", "", "A  B", "ann@acme.example", "<", "Ann <Lee>"]
_ADDRS = ["ann.lee@acme.example", "Ann.Lee@Acme.Example", "x+tag@sub.beta.example", "o'neil@x.example",
          "bad@", "\"odd one\"@x.example", "a@[127.0.0.1]", "@"]


def _value(names, addrs, draw):
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        name, addr = draw(st.sampled_from(names)), draw(st.sampled_from(addrs))
        parts.append(f"{name} <{addr}>" if name else addr)
    joiner = draw(st.sampled_from([", ", ",\r\n ", " , "]))
    return joiner.join(parts)


from hypothesis import given, settings, strategies as st  # noqa: E402

_DATES = ["Mon, 02 Nov 2026 10:00:00 +0100", "Mon,\r\n 2 Nov 2026 10:00 -0500"]
_SUBJECTS = ["Hello", "=?utf-8?q?Caf=C3=A9?= time", "Re: a: b", "folded\r\n subject"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fast_header_reading_equals_the_email_package(data):
    draw = data.draw
    date = draw(st.sampled_from(_DATES))
    lines = [f"Date: {date}",
             f"From: {_value(_NAMES, _ADDRS, draw)}", f"To: {_value(_NAMES, _ADDRS, draw)}"]
    if draw(st.booleans()):
        lines.append(f"Cc: {_value(_NAMES, _ADDRS, draw)}")
    if draw(st.booleans()):
        lines.append(f"to: {_value(_NAMES, _ADDRS, draw)}")  # a second To, in another case
    lines.append("Subject: " + draw(st.sampled_from(_SUBJECTS)))
    lines = draw(st.permutations(lines))
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    fields, senders, recipients = _reference(raw)
    assert mailbox.header_fields(raw) == fields
    got = mailbox.header_fields(raw)
    assert mailbox.addresses_in(got.get("from", [])) == senders
    assert mailbox.addresses_in(got.get("to", []) + got.get("cc", [])) == recipients


def test_a_raw_utf8_header_is_read_as_utf8():
    raw = "Date: Mon, 02 Nov 2026 10:00:00 +0100\r\nFrom: Zoë Ng <zoe@x.example>\r\nTo: me@y.example\r\n" \
          "Subject: Café\r\n\r\n".encode("utf-8")
    m = mailbox._message(raw, sent=False, addresses={"zoe@x.example"})
    assert (m.sender, m.subject, m.recipients) == ("zoe@x.example", "Café", frozenset({"me@y.example"}))


@pytest.mark.parametrize("other", ["--stdout", "--check"])
def test_mailbox_does_not_go_with_printing(chart, other):
    result = run("draft", chart, "--mailbox", other)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --mailbox and {other} do not go together: --mailbox puts the drafts into your "
                             "Drafts folder, the other only prints them.\n")


def test_validate_checks_the_mail_server_form_without_connecting(tmp_path, network_events):
    from conftest import GOOD_PROFILE, problems

    good = write_chart(tmp_path / "good.xlsx", rows=[contact(**ANN)],
                       profile={**GOOD_PROFILE, "Mail Server": "imap.gmail.com", "Mail Login": "me@gmail.com"})
    assert problems(good) == []
    bad = write_chart(tmp_path / "bad.xlsx", rows=[contact(**ANN)],
                      profile={**GOOD_PROFILE, "Mail Server": "imap+plain://mail.example.org"})
    (found,) = problems(bad)
    assert (found["code"], found["severity"], found["sheet"], found["cell"]) == ("bad-profile-value", "error",
                                                                                "Profile", "B15")
    assert found["message"].startswith("Mail Server: imap+plain://mail.example.org:143 would send your password")
    assert network_events == []


def test_the_profile_holds_the_server_and_login_and_the_login_defaults_to_your_email(tmp_path, mail_user):
    from conftest import GOOD_PROFILE

    server = f"imap://127.0.0.1:{mail_user.server.port}"
    only_password = {"CHART_MAIL_PASSWORD": mail_user.password, "CHART_MAIL_SERVER": "", "CHART_MAIL_LOGIN": ""}
    path = write_chart(tmp_path / "chart.xlsx", rows=[contact(**ANN)],
                       profile={**GOOD_PROFILE, "Mail Server": server, "Mail Login": mail_user.login})
    result = run("mail", path, "--today", TODAY, env=only_password)
    assert result.exit_code == 0, result.output
    (tmp_path / "other").mkdir()
    other = write_chart(tmp_path / "other" / "c.xlsx", rows=[contact(**ANN)],
                        profile={**GOOD_PROFILE, "Mail Server": server})
    _fails(["mail", other, "--today", TODAY], only_password, other,
           f"{server} refused the login for jordan@example.com (the Profile's Your Email (Profile!B3))",
           mail_user.password)
