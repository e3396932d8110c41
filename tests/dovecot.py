"""A real IMAP server for tests: Debian's Dovecot on 127.0.0.1 with a private configuration.

Use the fixtures:

    from dovecot import dovecot, gmail_dovecot, mail_user  # noqa: F401  (registers the fixtures)

    def test_something(mail_user):
        mail_user.append("Sent", message_bytes, when=...)
        env = mail_user.env()   # CHART_MAIL_SERVER / LOGIN / PASSWORD for the command

``dovecot`` (session-scoped) runs one server with \\Drafts and \\Sent folders named Drafts
and Sent; ``gmail_dovecot`` another laid out as Gmail is ([Gmail]/Drafts, [Gmail]/Sent
Mail, separator "/"); ``tls_dovecot`` one with TLS (STARTTLS on ``port``, IMAPS on ``imaps_port``, a
certificate for 127.0.0.1 from a CA of its own, ``ca``). ``mail_user`` gives each test a new user (a new, empty maildir):
Dovecot reads the passwd-file again when it changes, so no restart is needed.

Without Dovecot these tests skip on a developer's machine, but fail under CI=true: CI
installs it (.ci/run), so a skip there would hide a regression. The server is stopped
with ``doveadm -c CONF stop``. (How to run Dovecot unprivileged-config: shared/field-notes.md.)
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

NOT_INSTALLED = "Dovecot (dovecot-imapd) is not installed"
USERS = 500
PASSWORD = "s3cret-Pa55"


def _login(number: int) -> str:
    return f"user{number}@example.com"

STANDARD = """  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }"""
GMAIL = """  mailbox "[Gmail]/Drafts" {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox "[Gmail]/Sent Mail" {
    special_use = \\Sent
    auto = subscribe
  }"""

CONFIG = """base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}
}}
"""


def dovecot_path() -> str | None:
    return shutil.which("dovecot") or (os.path.exists("/usr/sbin/dovecot") and "/usr/sbin/dovecot") or None


def require_dovecot() -> str:
    """The dovecot path; skips without it locally, fails under CI=true."""
    path = dovecot_path()
    if path and shutil.which("doveadm"):
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{NOT_INSTALLED}, and under CI=true the mailbox tests must run. Install it with: "
                    "apt-get install -y dovecot-imapd (.ci/run does).", pytrace=False)
    pytest.skip(NOT_INSTALLED)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One running Dovecot: its folder, port, and a way to add users."""

    def __init__(self, layout: str, tls: bool = False):
        self.binary = require_dovecot()
        self.root = Path(tempfile.mkdtemp(prefix="chart-dovecot-"))
        # The auth and mail processes run as other users: every folder on the way must be
        # world-executable, and the mail folder theirs to write.
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        (self.root / "mail").chmod(0o777)
        # Every user is there from the start: Dovecot reads a changed passwd-file again only
        # when its mtime (in seconds) changes, so users added within one second would be missed.
        (self.root / "users").write_text("".join(f"{login}:{{PLAIN}}{PASSWORD}::::::\n"
                                                 for login in map(_login, range(1, USERS + 1))))
        (self.root / "users").chmod(0o644)
        import pwd

        try:
            who = pwd.getpwnam("dovenull")
            uid, gid = who.pw_uid, who.pw_gid
        except KeyError:
            uid, gid = os.getuid(), os.getgid()
        self.uid, self.gid = uid, gid
        self.port = free_port()
        self.layout = layout
        # With ``tls``: STARTTLS on ``port`` and IMAPS on ``imaps_port``, with a certificate for
        # 127.0.0.1 signed by a CA of the test's own (``ca``: trust it with SSL_CERT_FILE).
        self.imaps_port = free_port() if tls else 0
        self.ca = self._certificates() if tls else None
        ssl = (f"ssl = yes\nssl_cert = <{self.root}/tls/server.pem\nssl_key = <{self.root}/tls/server.key"
               if tls else "ssl = no")
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(CONFIG.format(root=self.root, port=self.port, uid=uid, gid=gid, ssl=ssl,
                                           imaps_port=self.imaps_port,
                                           mailboxes=GMAIL if layout == "gmail" else STANDARD))
        self._users = itertools.count(1)
        subprocess.run([self.binary, "-c", str(self.conf)], check=True, timeout=30, stdin=subprocess.DEVNULL)
        self._wait()

    def _certificates(self) -> Path:
        """A CA and a server certificate for 127.0.0.1 it signed (openssl comes with dovecot-core)."""
        tls = self.root / "tls"
        tls.mkdir()

        def openssl(*args):
            subprocess.run(["openssl", *args], cwd=tls, check=True, capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=chart test CA",
                "-keyout", "ca.key", "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
                "-out", "server.csr")
        (tls / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
        return tls / "ca.pem"

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        log = (self.root / "dovecot.log").read_text(errors="replace") if (self.root / "dovecot.log").exists() else ""
        raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{self.port}:\n{log[-2000:]}")

    def add_user(self) -> "MailUser":
        """A user of its own for a test: a new, empty mailbox."""
        number = next(self._users)
        assert number <= USERS, "raise USERS in tests/dovecot.py"
        return MailUser(self, _login(number), PASSWORD)

    def stop(self) -> None:
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], timeout=30, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        pid_file = self.root / "run" / "master.pid"
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class MailUser:
    server: Dovecot
    login: str
    password: str

    @property
    def address(self) -> str:
        return f"imap://127.0.0.1:{self.server.port}"

    def env(self, **more) -> dict:
        return {"CHART_MAIL_SERVER": self.address, "CHART_MAIL_LOGIN": self.login,
                "CHART_MAIL_PASSWORD": self.password, **more}

    def client(self):
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        c.login(self.login, self.password)
        return c

    def folder(self, role: str) -> str:
        """The folder with ``role`` (\\Drafts, \\Sent) in this layout, or INBOX."""
        if role == "INBOX":
            return "INBOX"
        names = {"\\Drafts": ("Drafts", "[Gmail]/Drafts"), "\\Sent": ("Sent", "[Gmail]/Sent Mail")}[role]
        return names[1] if self.server.layout == "gmail" else names[0]

    def append(self, role: str, message: bytes, when: dt.datetime, flags=()) -> None:
        """APPEND ``message`` to the folder with ``role``, with INTERNALDATE ``when`` (its real Date)."""
        c = self.client()
        try:
            c.append(self.folder(role), message, flags=flags, msg_time=when)
        finally:
            c.logout()

    def messages(self, role: str) -> dict[int, dict]:
        """Every message of the folder: UID → {flags, raw, internaldate}, read without marking anything."""
        c = self.client()
        try:
            c.select_folder(self.folder(role), readonly=True)
            uids = c.search(["ALL"])
            if not uids:
                return {}
            got = c.fetch(uids, ["FLAGS", "BODY.PEEK[]", "INTERNALDATE"])
            return {u: {"flags": set(d[b"FLAGS"]) - {b"\\Recent"},  # \Recent belongs to a session
                         "raw": d[b"BODY[]"], "internaldate": d[b"INTERNALDATE"]}
                    for u, d in got.items()}
        finally:
            c.logout()


@pytest.fixture(scope="session")
def dovecot():
    server = Dovecot("standard")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gmail_dovecot():
    server = Dovecot("gmail")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_dovecot():
    server = Dovecot("standard", tls=True)
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot) -> MailUser:
    return dovecot.add_user()


def message(sender: str, to: str, subject: str, when: dt.datetime, cc: str | None = None,
            body: str = "Hello.\n") -> bytes:
    """A plain message as a mail program sends it, dated ``when``."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    if cc:
        m["Cc"] = cc
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<{abs(hash((sender, to, subject, when)))}@example.com>"
    m.set_content(body)
    return bytes(m)
