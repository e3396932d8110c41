"""The person's mailbox over IMAP, for ``chart draft --mailbox`` and ``chart mail``. Nothing here sends mail.

Owns the connection and what is done over it:

* the settings: the Profile's Mail Server and Mail Login (Login defaults to Your Email), each
  overridden by ``CHART_MAIL_SERVER`` / ``CHART_MAIL_LOGIN``; the password only from
  ``CHART_MAIL_PASSWORD``, the OS keyring (when the optional ``keyring`` package is installed),
  or the caller's prompt — never from the workbook, never in a message;
* the server forms (``imaps://host[:port]``, a bare ``host``, ``imap://host[:port]``,
  ``imap+plain://host[:port]``) and the TLS rule: TLS always, except plain text to a loopback
  address (a local Dovecot or mail bridge), refused for any other host before connecting;
* folders found by their RFC 6154 role (\\Drafts, \\Sent), else by the usual names;
* drafts APPENDed to Drafts with the \\Draft flag and a stable Message-ID, never twice;
* the read-only scan: EXAMINE, and header fetches with BODY.PEEK, of Sent and INBOX.

Every failure is one ``MailError`` line (wrong password, unreachable, TLS, no folder, a
connection closed mid-scan); none holds the password. imapclient does the protocol.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import ipaddress
import os
import re
import socket
import ssl
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email import policy as email_policy

from .errors import MailError

PASSWORD_ENV = "CHART_MAIL_PASSWORD"
SERVER_ENV = "CHART_MAIL_SERVER"
LOGIN_ENV = "CHART_MAIL_LOGIN"
IMAPS_PORT = 993
IMAP_PORT = 143
# A server that does not answer within these gives one line instead of a hang.
CONNECT_SECONDS = 15
READ_SECONDS = 60
# Header fetches go by this many messages: one FETCH of 20,000 would hold the whole answer at once.
FETCH_BATCH = 2000
# The names mail services give the two folders, for a server that does not mark them with
# their RFC 6154 role (Gmail, Fastmail, iCloud and Dovecot do; older servers do not).
FALLBACK_NAMES = {
    "\\Drafts": ("Drafts", "[Gmail]/Drafts", "[Google Mail]/Drafts", "INBOX.Drafts", "INBOX/Drafts", "Draft",
                 "Draft Messages"),
    "\\Sent": ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail", "[Google Mail]/Sent Mail",
               "INBOX.Sent", "INBOX/Sent", "INBOX.Sent Items", "INBOX.Sent Messages"),
}
ROLE_NAMES = {"\\Drafts": "Drafts", "\\Sent": "Sent"}
_HEADERS = b"BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT)]"
_HEADERS_KEY = b"BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT)]"
APP_PASSWORD_HINT = "Gmail and iCloud need an app password, not your usual one"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Server:
    """Where the mailbox is: ``tls`` (IMAPS) or ``starttls`` (``imap://``), host and port."""

    host: str
    port: int
    security: str  # "tls" | "starttls" | "plain" (a loopback address only)

    @property
    def loopback(self) -> bool:
        """A loopback address (127.0.0.0/8, ::1, localhost): the only place plain text may go."""
        return is_loopback(self.host)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = {"tls": "imaps", "starttls": "imap", "plain": "imap+plain"}[self.security]
        return f"{scheme}://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine by a loopback address, decided without a DNS lookup."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


_SCHEMES = {"imaps": "tls", "imap": "starttls", "imap+plain": "plain"}


def parse_server(text: str, where: str) -> Server:
    """``imaps://host[:port]``, ``host[:port]`` (both TLS, 993), ``imap://host[:port]`` (STARTTLS, 143),
    or ``imap+plain://host[:port]`` (no TLS: a loopback address only, refused here for any other host).

    ``where`` names the setting in messages (the Profile's cell or the variable). A
    server with a login or password in it is refused without repeating it. Nothing
    here touches the network: a refusal comes before any connection or name lookup.
    """
    raw = str(text).strip()
    scheme, sep, rest = raw.partition("://")
    if not sep:
        scheme, rest = "imaps", raw
    scheme = scheme.casefold()
    forms = "write imap.example.com, imaps://imap.example.com:993 or imap://imap.example.com:143"
    if scheme not in _SCHEMES:
        raise MailError(f"{where}: {scheme}:// is not a mail server form; {forms}.")
    if "@" in rest:
        raise MailError(f"{where} holds a login or password: put only the server there; the login goes in "
                        f"Mail Login and the password in {PASSWORD_ENV} or your keyring.")
    rest = rest.rstrip("/")
    host, port_text = rest, ""
    if rest.startswith("["):
        host, _, after = rest.partition("]")
        host += "]"
        port_text = after[1:] if after.startswith(":") else after
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
    if not _HOST.fullmatch(host) or (port_text and not port_text.isdigit()) or "/" in rest:
        raise MailError(f"{where}: {header_safe(raw)!r} is not a mail server; {forms}.")
    port = int(port_text) if port_text else (IMAPS_PORT if scheme == "imaps" else IMAP_PORT)
    if not 0 < port < 65536:
        raise MailError(f"{where}: port {port} is out of range; {forms}.")
    server = Server(host.strip("[]"), port, _SCHEMES[scheme])
    if server.security == "plain" and not server.loopback:
        raise MailError(f"{where}: {server} would send your password and mail in plain text over the network; "
                        "plain text goes only to this machine (127.0.0.1, ::1, localhost). Use "
                        f"imaps://{server.host} or imap://{server.host} (STARTTLS).")
    return server


def header_safe(text: str) -> str:
    """``text`` without control characters, cut to 80, for quoting a setting back."""
    return "".join(ch for ch in str(text) if ch.isprintable())[:80]


@dataclass(frozen=True)
class MailSettings:
    """The server and login to use, and where each came from (for messages)."""

    server: Server
    login: str
    server_from: str
    login_from: str


def mail_settings(profile, environ=None) -> MailSettings:
    """The settings from the Profile (``workbook.Profile``), overridden by the environment."""
    environ = os.environ if environ is None else environ

    def place(key: str, label: str) -> str:
        cell = profile.cells.get(key)
        return f"the Profile's {label}" + (f" ({profile.sheet}!{cell})" if cell and profile.sheet else "")

    if environ.get(SERVER_ENV, "").strip():
        server_text, server_from = environ[SERVER_ENV], SERVER_ENV
    else:
        server_text, server_from = profile.text("mail_server"), place("mail_server", "Mail Server")
    if not server_text.strip():
        raise MailError(f"no mail server: fill in the Profile's Mail Server (imap.gmail.com, imap.fastmail.com, "
                        f"imap.mail.me.com …) or set {SERVER_ENV}.")
    server = parse_server(server_text, server_from)
    if environ.get(LOGIN_ENV, "").strip():
        login, login_from = environ[LOGIN_ENV].strip(), LOGIN_ENV
    elif profile.text("mail_login").strip():
        login, login_from = profile.text("mail_login").strip(), place("mail_login", "Mail Login")
    else:
        login, login_from = profile.text("your_email").strip(), place("your_email", "Your Email")
    if not login:
        raise MailError(f"no mail login: fill in the Profile's Mail Login or Your Email, or set {LOGIN_ENV}.")
    return MailSettings(server, login, server_from, login_from)


def find_password(settings: MailSettings, ask=None, environ=None) -> str:
    """The password: ``CHART_MAIL_PASSWORD``, else the keyring (service: the server's host), else ``ask()``.

    ``ask`` is the caller's hidden prompt (only on a terminal), or None. Never read
    from the workbook and never kept anywhere by the tool.
    """
    environ = os.environ if environ is None else environ
    if environ.get(PASSWORD_ENV):
        return environ[PASSWORD_ENV]
    try:
        import keyring  # optional: only when the person installed it
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            found = keyring.get_password(settings.server.host, settings.login)
        except Exception:  # noqa: BLE001 - a keyring without a backend is a keyring without the password
            found = None
        if found:
            return found
    if ask is not None:
        return ask()
    raise MailError(f"no password for {settings.login}: set {PASSWORD_ENV}, or store it with "
                    f"keyring set {settings.server.host} {settings.login} (pip install keyring), or run "
                    "the command in a terminal to be asked.")


# --------------------------------------------------------------------------- the connection


class Mailbox:
    """An open, logged-in IMAP connection; use as a context manager (logs out at the end)."""

    def __init__(self, settings: MailSettings, password: str, *, connect_seconds: float = CONNECT_SECONDS,
                 read_seconds: float = READ_SECONDS, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self._password = password
        self.client = None
        self._connect(connect_seconds, read_seconds, ssl_context or ssl.create_default_context())

    def _connect(self, connect_seconds, read_seconds, context) -> None:
        from imapclient import IMAPClient, SocketTimeout
        from imapclient.exceptions import LoginError

        server = self.settings.server
        timeout = SocketTimeout(connect=connect_seconds, read=read_seconds)
        try:
            self.client = IMAPClient(server.host, port=server.port, ssl=server.security == "tls",
                                     ssl_context=context, timeout=timeout)
            if server.security == "starttls":
                # STARTTLS is required, except on a loopback address, where a local server without it is fine.
                if b"STARTTLS" in self.client.capabilities():
                    self.client.starttls(context)
                elif not server.loopback:
                    # Checked before the login: the password never crosses the network in plain text.
                    raise MailError(f"{server} offers no STARTTLS, and the tool sends a password in plain text "
                                    "only to this machine (a loopback address). Use its IMAPS port: "
                                    f"imaps://{server.host}:993.")
            self.client.login(self.settings.login, self._password)
        except MailError:
            self.close()
            raise
        except LoginError:
            self.close()
            raise MailError(f"{server} refused the login for {self.settings.login} ({self.settings.login_from}): "
                            f"wrong login or password? {APP_PASSWORD_HINT}; Outlook.com needs OAuth, which "
                            "chart does not do.") from None
        except ssl.SSLError as exc:
            self.close()
            raise MailError(f"TLS with {server} failed ({self.scrub(exc)}). Check the port: IMAPS is 993; for "
                            f"STARTTLS on 143 write imap://{server.host}:143.") from None
        except (socket.timeout, TimeoutError):
            self.close()
            raise MailError(f"{server} did not answer within {connect_seconds:g} seconds; check the Mail Server "
                            "and your connection.") from None
        except (OSError, EOFError) as exc:
            self.close()
            raise MailError(f"cannot reach {server} ({self.scrub(exc)}); check the Mail Server "
                            f"({self.settings.server_from}) and your connection.") from None
        except Exception as exc:  # noqa: BLE001 - the server said something imapclient could not take
            self.close()
            raise MailError(f"{server} failed during the login ({self.scrub(exc)}).") from None

    def scrub(self, exc: BaseException) -> str:
        """An exception's text without the password, should a server or library ever echo it."""
        text = header_safe(str(exc) or type(exc).__name__)
        return text.replace(self._password, "***") if self._password else text

    def failure(self, doing: str, exc: BaseException) -> MailError:
        """The one line for a connection lost or refused while ``doing``."""
        return MailError(f"the connection to {self.settings.server} failed while {doing} ({self.scrub(exc)}); "
                         "nothing was written.")

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - a connection already gone has nothing left to close
            try:
                client.shutdown()
            except Exception:  # noqa: BLE001
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ----------------------------------------------------------------------- folders

    def folder(self, role: str) -> str:
        """The folder with ``role`` (``\\Drafts``, ``\\Sent``); MailError when there is none."""
        try:
            listed = self.client.list_folders()
        except Exception as exc:  # noqa: BLE001
            raise self.failure("listing the folders", exc) from None
        found = find_folder(listed, role)
        if found is None:
            names = ", ".join(name for _, _, name in listed[:12])
            raise MailError(f"{self.settings.server} has no {ROLE_NAMES[role]} folder (none is marked {role} or "
                            f"named {', '.join(FALLBACK_NAMES[role][:3])} …; its folders: {names}). Make one "
                            "in your mail program.")
        return found


def find_folder(listed, role: str) -> str | None:
    """From LIST's ``(flags, delimiter, name)`` rows, the folder marked ``role``, else the first usual name."""
    wanted = role.lower()
    for flags, _, name in listed:
        if any((f.decode("ascii", "replace") if isinstance(f, bytes) else str(f)).lower() == wanted for f in flags):
            return name
    names = {str(name).casefold(): name for _, _, name in listed}
    for usual in FALLBACK_NAMES[role]:
        if usual.casefold() in names:
            return names[usual.casefold()]
    return None


# --------------------------------------------------------------------------- drafts into Drafts


@dataclass(frozen=True)
class Placed:
    """What happened to one draft: ``added``, ``present`` (left alone) or ``replaced``."""

    draft: object  # drafts.Draft
    folder: str
    status: str
    message_id: str


def message_id(chart_name: str, draft) -> str:
    """A Message-ID that is the same for the same chart, person, kind and step date, and only for them.

    The step date is ``draft.step_day`` (None for a first contact: one outreach per
    person). The person is their row and name: two people of one name differ by row.
    Nothing of theirs shows in it (a hash), and ``.invalid`` names no real host.
    """
    day = draft.step_day.isoformat() if draft.step_day else "first"
    key = "\x1f".join((chart_name, str(draft.row), draft.name.casefold(), draft.kind, day))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<chart-{draft.kind}-{day}-{digest}@chart.invalid>"


def draft_message(draft, mid: str, when: dt.datetime) -> bytes:
    """The .eml the same draft writes (``draft.content``, byte for byte), after a Message-ID and a Date."""
    head = f"Message-ID: {mid}\r\nDate: {email.utils.format_datetime(when)}\r\n".encode("ascii")
    return head + draft.content


def put_drafts(box: Mailbox, drafts, chart_name: str, now: dt.datetime, force: bool = False) -> list[Placed]:
    """APPEND each email draft to the Drafts folder with \\Draft (and \\Seen: a draft is not news).

    A draft whose Message-ID is already there is left alone, unless ``force``: then the
    new one is added first and only the old one's UIDs are removed (UID EXPUNGE, never
    a folder-wide EXPUNGE). ``chart_name`` (the workbook's file name) goes into each Message-ID.
    """
    from imapclient import DELETED, DRAFT, SEEN

    folder = box.folder("\\Drafts")
    client = box.client
    try:
        client.select_folder(folder)
        present = _message_ids(client, client.search(["ALL"]))
    except MailError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise box.failure(f"reading {folder}", exc) from None
    if force and present and b"UIDPLUS" not in client.capabilities():
        raise MailError(f"{box.settings.server} cannot remove a single message (it lacks UIDPLUS), so --force "
                        f"cannot replace a draft; delete the old ones in {folder} yourself and run again.")
    placed = []
    for draft in drafts:
        mid = message_id(chart_name, draft)
        old = present.get(mid, [])
        if old and not force:
            placed.append(Placed(draft, folder, "present", mid))
            continue
        try:
            client.append(folder, draft_message(draft, mid, now), flags=(DRAFT, SEEN), msg_time=now)
            if old:
                client.add_flags(old, [DELETED], silent=True)
                client.uid_expunge(old)
        except Exception as exc:  # noqa: BLE001
            done = sum(p.status != "present" for p in placed)
            raise MailError(f"the connection to {box.settings.server} failed while adding the draft for "
                            f"{draft.name} to {folder} ({box.scrub(exc)}); {done} draft(s) were added before "
                            "it. Run again: those are not added twice.") from None
        placed.append(Placed(draft, folder, "replaced" if old else "added", mid))
    return placed


def _message_ids(client, uids) -> dict[str, list[int]]:
    """Message-ID → the UIDs carrying it, for the messages ``uids`` of the selected folder."""
    found: dict[str, list[int]] = {}
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start:start + FETCH_BATCH]
        for uid, data in client.fetch(batch, [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).items():
            raw = data.get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]") or b""
            value = BytesHeaderParser(policy=email_policy.compat32).parsebytes(raw).get("Message-ID")
            if value:
                found.setdefault(" ".join(str(value).split()), []).append(uid)
    return found


# --------------------------------------------------------------------------- the read-only scan


@dataclass(frozen=True, slots=True)
class Message:
    """One message's headers: ``sent`` (in Sent) or received (in INBOX), when, subject, the addresses."""

    sent: bool
    when: dt.datetime  # aware
    subject: str
    sender: str  # the From address, folded
    recipients: frozenset  # To and Cc addresses, folded


def scan(box: Mailbox, since: dt.date, addresses=None, progress=None) -> tuple[list[Message], int]:
    """The headers of the messages in Sent and INBOX dated ``since`` or later, read only, and how many were read.

    EXAMINE opens each folder read-only, and BODY.PEEK reads headers without setting
    \\Seen: unread mail stays unread. SENTSINCE searches by the Date header, which is
    when a message was written (a message copied in later keeps its date). With
    ``addresses`` (folded), only messages that name one of them are kept.
    """
    messages: list[Message] = []
    read = 0
    for role, sent in (("\\Sent", True), (None, False)):
        folder = box.folder(role) if role else "INBOX"
        client = box.client
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["SENTSINCE", since])
            for start in range(0, len(uids), FETCH_BATCH):
                if progress is not None:
                    progress(f"Reading {folder}", start, len(uids))
                fetched = client.fetch(uids[start:start + FETCH_BATCH], [_HEADERS])
                read += len(fetched)
                for data in fetched.values():
                    m = _message(data.get(_HEADERS_KEY) or b"", sent, addresses)
                    if m is not None:
                        messages.append(m)
        except MailError:
            raise
        except Exception as exc:  # noqa: BLE001 - a closed connection, a timeout, a refused command
            raise box.failure(f"reading {folder}", exc) from None
    return messages, read


# Anything shaped like an address, to pass over the many messages that name no contact before a
# header is parsed. A message it keeps is parsed exactly; one it drops names none of the addresses
# anywhere in its headers.
_ADDRESS_LIKE = re.compile(r"[^\s<>,;:\"()\[\]]+@[^\s<>,;:\"()\[\]]+")
# The header fields fetched, one per match: a line and the folded lines that continue it.
_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
# "addr" or "Plain Name <addr>": what most From, To and Cc values are. Their address is read
# here; any other value (a comma or quote in the name, an encoded word, a group, a comment) goes
# to email.utils.getaddresses, which a 20,000-message scan would otherwise spend seconds in.
_ATOM_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+"
_SIMPLE_ADDRESS = re.compile(rf"\s*(?:[A-Za-z0-9 .'-]*<({_ATOM_ADDRESS})>|({_ATOM_ADDRESS}))\s*")


def header_fields(raw: bytes) -> dict[str, list[str]]:
    """A header block's fields, folded name → values (as the email package's compat32 policy gives them)."""
    fields: dict[str, list[str]] = {}
    for name, value in _FIELD.findall(raw.decode("utf-8", "replace")):
        fields.setdefault(name.lower(), []).append(value.strip())
    return fields


def addresses_in(values) -> list[str]:
    """The addresses of header values, folded; what ``email.utils.getaddresses`` finds in them."""
    found = []
    for value in values:
        simple = _SIMPLE_ADDRESS.fullmatch(value)
        if simple is not None:
            found.append((simple.group(1) or simple.group(2)).casefold())
        else:
            found += [a.casefold() for _, a in email.utils.getaddresses([value]) if a]
    return found


def _message(raw: bytes, sent: bool, addresses=None) -> Message | None:
    """The message's ``Message``, or None: no readable Date, or (with ``addresses``) none of them in it."""
    text = raw.decode("utf-8", "replace")
    if addresses is not None and not any(token.casefold() in addresses for token in _ADDRESS_LIKE.findall(text)):
        return None
    fields = header_fields(raw)
    try:
        when = email.utils.parsedate_to_datetime(fields["date"][0])
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # SENTSINCE found it by a date the server read; without one, it tells no day
    if when.tzinfo is None:
        when = when.astimezone()
    sender = next(iter(addresses_in(fields.get("from", ()))), "")
    recipients = frozenset(addresses_in(fields.get("to", []) + fields.get("cc", [])))
    if addresses is not None and not (sender in addresses if not sent else recipients & addresses):
        return None
    subject = fields.get("subject")
    return Message(sent, when, _subject(subject[0] if subject else None), sender, recipients)


def _subject(raw) -> str:
    if raw is None:
        return ""
    try:
        text = str(make_header(decode_header(str(raw))))
    except (UnicodeError, LookupError, ValueError):
        text = str(raw)
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def mail_drafts(profile, drafts, chart_name: str, password_for, *, now: dt.datetime | None = None,
                force: bool = False) -> list[Placed]:
    """Connect with the Profile's settings (``password_for(settings)`` gives the password) and ``put_drafts``."""
    settings = mail_settings(profile)
    with Mailbox(settings, password_for(settings)) as box:
        return put_drafts(box, drafts, chart_name, now or dt.datetime.now().astimezone(), force)
