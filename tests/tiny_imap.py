"""A tiny IMAP server on 127.0.0.1 that speaks just enough for one scripted conversation.

For what a real Dovecot will not do on request: a server without a Drafts folder, one
without STARTTLS, and one that closes the connection in the middle of a header fetch.
It is a real TCP server the tool talks to over a socket (not a mock of imapclient);
it answers one connection at a time and stops when the test ends.
"""

from __future__ import annotations

import socket
import threading


class TinyImap:
    """``folders``: the LIST answer's names; ``close_on``: the command that closes the connection mid-answer."""

    def __init__(self, folders=("INBOX", "Sent", "Drafts"), close_on: str | None = None,
                 capabilities="IMAP4rev1 AUTH=PLAIN"):
        self.folders = folders
        self.close_on = close_on
        self.capabilities = capabilities
        self.commands: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(10)
                try:
                    self._talk(conn)
                except OSError:
                    pass

    def _talk(self, conn) -> None:
        out = conn.sendall
        out(f"* OK [CAPABILITY {self.capabilities}] tiny ready\r\n".encode())
        reader = conn.makefile("rb")
        for raw in reader:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            command = rest.split(" ")[0].upper()
            if command == "UID":
                command += " " + rest.split(" ")[1].upper()
            self.commands.append(command)
            if self.close_on and command == self.close_on:
                # Half an answer, then the connection goes: a server restarting, a network dropping.
                out(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT)] {200}\r\nDate: Mon,")
                return
            if command == "CAPABILITY":
                out(f"* CAPABILITY {self.capabilities}\r\n{tag} OK done\r\n".encode())
            elif command == "LIST":
                out("".join(f'* LIST (\\HasNoChildren) "/" "{name}"\r\n' for name in self.folders).encode()
                    + f"{tag} OK done\r\n".encode())
            elif command in ("SELECT", "EXAMINE"):
                out(f"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-ONLY] done\r\n".encode())
            elif command == "UID SEARCH":
                out(f"* SEARCH 1 2 3\r\n{tag} OK done\r\n".encode())
            elif command == "LOGOUT":
                out(f"* BYE\r\n{tag} OK done\r\n".encode())
                return
            else:  # LOGIN, ID, ENABLE, NOOP …
                out(f"{tag} OK done\r\n".encode())

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.sock.close()
