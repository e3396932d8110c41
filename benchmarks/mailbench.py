"""A full mailbox for the ``mail`` benchmark case: a private Dovecot on 127.0.0.1, its maildir written on disk.

    python benchmarks/mailbench.py CHART.xlsx [--messages 20000]   # start, fill, print the settings; Enter stops

``Mailbox(chart, messages)`` starts Dovecot with the tests' configuration
(``tests/dovecot.py``), writes the messages straight into one user's maildir (APPENDing
20,000 messages over IMAP would take minutes; Dovecot indexes the files on first
access), about 40% in Sent and 60% in INBOX, all dated in the 60 days before the
benchmark's today. Most are to or from the chart's own contacts (first emails,
follow-ups, replies, thank-yous), the rest to and from strangers. ``warm()`` makes
Dovecot index them before anything is timed.

``FETCH`` is the baseline's IMAP half: one header fetch (the same header fields as
``chart mail``) of every message of Sent and INBOX, in one FETCH per folder.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import dovecot  # noqa: E402  (the tests' Dovecot: one configuration for both)

TODAY = dt.date(2026, 11, 25)
WINDOW_DAYS = 59

FETCH = """\
import sys
from imapclient import IMAPClient
port, login, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=60)
c.login(login, password)
total = 0
for folder in ("Sent", "INBOX"):
    c.select_folder(folder, readonly=True)
    uids = c.search(["ALL"])
    got = c.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT)]", b"INTERNALDATE"])
    total += len(got)
c.logout()
print(total)
"""


def contact_emails(chart: Path) -> list[str]:
    from workbook_tool.workbook import read_chart

    return [r.text("email") for r in read_chart(chart).contacts.rows if r.text("email")]


def _message(sender: str, to: str, subject: str, when: dt.datetime, n: int) -> bytes:
    return (f"Message-ID: <bench-{n}@example.com>\r\nDate: {format_datetime(when)}\r\nFrom: {sender}\r\n"
            f"To: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"\r\nHello,\r\n\r\nA short note for the benchmark, number {n}.\r\n").encode("utf-8")


class Mailbox:
    """A running Dovecot with one user whose Sent and INBOX hold ``messages`` messages."""

    def __init__(self, chart: Path, messages: int = 20_000, seed: int = 1):
        self.server = dovecot.Dovecot("standard")
        self.user = self.server.add_user()
        self.count = messages
        self._fill(contact_emails(chart), messages, random.Random(seed))

    def _fill(self, contacts: list[str], total: int, rng: random.Random) -> None:
        me = "Jordan Rivera <jordan@example.com>"
        home = self.server.root / "mail" / self.user.login / "Maildir"
        folders = {"INBOX": home, "Sent": home / ".Sent", "Drafts": home / ".Drafts"}
        for folder in folders.values():
            for sub in ("cur", "new", "tmp"):
                (folder / sub).mkdir(parents=True, exist_ok=True)
        start = dt.datetime.combine(TODAY - dt.timedelta(days=WINDOW_DAYS), dt.time(8)).astimezone()
        span = WINDOW_DAYS * 86400 - 86400
        for n in range(total):
            when = start + dt.timedelta(seconds=rng.randrange(span))
            other = rng.choice(contacts) if contacts and rng.random() < 0.8 else f"stranger{rng.randrange(5000)}@news.example"
            if rng.random() < 0.4:
                folder, data = "Sent", _message(me, other, rng.choice(("Fifteen minutes of advice?", "Following up",
                                                                       "Thank you", "Re: Coffee")), when, n)
            else:
                folder, data = "INBOX", _message(other, me, rng.choice(("Re: Fifteen minutes of advice?",
                                                                        "Newsletter", "Re: Following up")), when, n)
            name = f"{int(when.timestamp())}.M{n}P{os.getpid()}.bench,S={len(data)}:2,S"
            (folders[folder] / "cur" / name).write_bytes(data)
        for path in [home.parent, *home.parent.rglob("*")]:
            os.chown(path, self.server.uid, self.server.gid)

    def env(self) -> dict:
        return self.user.env()

    def fetch_argv(self) -> list[str]:
        return [sys.executable, "-c", FETCH, str(self.server.port), self.user.login, self.user.password]

    def warm(self) -> int:
        """Fetch once, untimed, so that Dovecot's indexes exist; returns the messages fetched."""
        import subprocess

        out = subprocess.run(self.fetch_argv(), capture_output=True, text=True, check=True).stdout
        return int(out)

    def stop(self) -> None:
        self.server.stop()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chart")
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    box = Mailbox(Path(args.chart), args.messages)
    try:
        print(f"{box.warm()} messages; " + " ".join(f"{k}={v}" for k, v in box.env().items()))
        input("Enter stops Dovecot. ")
    finally:
        box.stop()
