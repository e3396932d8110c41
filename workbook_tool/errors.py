"""Every error the library raises, in one place.

The library raises these and never prints; the CLI turns each into one line,
``Error: <file>: <where>: <what is wrong and what to do>``, with the exit code the
kind declares. Third-party exceptions (zipfile, openpyxl, Jinja2 …) are wrapped
where they happen, so that the place — file, sheet, cell — travels with them.
"""

from __future__ import annotations


class ChartError(Exception):
    """Base of every error the tool reports to a person.

    ``path`` names the file, ``sheet`` and ``cell`` the place inside it (either may
    be empty) and ``message`` says what is wrong and what to do about it.
    """

    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, path=None, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.sheet = sheet
        self.cell = cell

    @property
    def where(self) -> str:
        """``Contacts!B7``, ``sheet Contacts`` or ``""``: the place inside the file."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.sheet:
            return f"sheet {self.sheet!r}"
        return ""

    def __str__(self) -> str:
        parts = [str(self.path)] if self.path is not None else []
        if self.where:
            parts.append(self.where)
        parts.append(self.message)
        return ": ".join(parts)


class UnreadableWorkbook(ChartError):
    """The file is missing, not a workbook, damaged, encrypted or unsafe to parse."""

    exit_code = 2
    code = "unreadable"


class NotAChart(ChartError):
    """The workbook opens but has no Contacts sheet or no Name column."""

    exit_code = 2
    code = "not-a-chart"


class BadOption(ChartError):
    """A command-line value (a date, a name, a kind) the tool cannot use."""

    exit_code = 2
    code = "bad-option"


class RefusedToWrite(ChartError):
    """Writing would overwrite a file, clash with another program, or lose something.

    ``--force`` overrides the refusals that it names.
    """

    exit_code = 1
    code = "refused"


class WriteFailed(ChartError):
    """Writing failed part-way; the original file was left as it was."""

    exit_code = 1
    code = "write-failed"


class TemplateError(ChartError):
    """A draft template does not parse, or uses a field that does not exist."""

    exit_code = 1
    code = "bad-template"


class MailError(ChartError):
    """The mailbox could not be used: the server, the login, TLS, a folder, or the connection failed.

    Raised before anything is written; its message never holds the password.
    """

    exit_code = 1
    code = "mail"
