"""LibreOffice for tests: find ``soffice``, and convert files with it safely.

A chart must survive being opened and saved in LibreOffice, so some tests hand a
workbook to a real ``soffice`` and read back what it wrote. Use the ``lo`` fixture:

    from libreoffice import lo  # noqa: F401  (registers the fixture in this test module)

    def test_something(lo, tmp_path):
        saved = lo.convert(tmp_path / "chart.xlsx", "xlsx", tmp_path / "lo")

Without LibreOffice these tests skip on a developer's machine, but fail under
CI=true: CI installs LibreOffice (.ci/run), so a skip there would hide a
regression.

(tests/ has no __init__.py, so pytest puts tests/ itself on sys.path: this module
imports as ``libreoffice``, the way the test files import ``conftest``.)

Why the care: soffice with the person's own profile can clash with a running
LibreOffice, wait on a first-start dialog, or hang without a writable HOME; and
it exits 0 even when it wrote nothing. So every run gets a private profile and
HOME, no stdin, a timeout that kills its whole process group, and a check that
the output file exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT_SECONDS = 120
NOT_INSTALLED = "LibreOffice (soffice) is not installed"


def soffice_path() -> str | None:
    """The ``soffice`` executable on PATH (or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def under_ci() -> bool:
    """True when the tests run under CI (CI=true), where LibreOffice tests must run."""
    return os.environ.get("CI") == "true"


def require_soffice() -> str:
    """The soffice path; skips the test without it locally, fails it under CI=true."""
    path = soffice_path()
    if path:
        return path
    if under_ci():
        pytest.fail(f"{NOT_INSTALLED}, and under CI=true the LibreOffice tests must run. Install it with: "
                    "apt-get install -y --no-install-recommends libreoffice-calc-nogui (.ci/run does).",
                    pytrace=False)
    pytest.skip(NOT_INSTALLED)


def convert(src, fmt: str, outdir, *, profile_dir=None, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Convert ``src`` with LibreOffice to ``fmt`` ("xlsx", "pdf", "ods" …) in ``outdir``.

    Returns the path of the written file. ``profile_dir`` is the private
    LibreOffice user profile (and HOME) to use; a fresh temporary one when None,
    which costs a few seconds of first start, so share one per session through
    the ``lo`` fixture. Fails the test, with soffice's output, when soffice times
    out, exits non-zero or writes no file.
    """
    soffice = require_soffice()
    src = Path(src).resolve()
    outdir = Path(outdir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    outdir.mkdir(parents=True, exist_ok=True)
    # "xlsx:Calc MS Excel 2007 XML" names a filter; the file extension is the part before ":".
    out = outdir / f"{src.stem}.{fmt.split(':', 1)[0]}"
    if out == src:
        raise ValueError(f"converting {src} to {fmt} in its own folder would overwrite it; use another outdir")
    if out.exists():
        out.unlink()  # so a stale file can never pass for this run's output

    cleanup = None
    if profile_dir is None:
        cleanup = profile_dir = tempfile.mkdtemp(prefix="lo-profile-")
    profile_dir = Path(profile_dir).resolve()
    profile_dir.mkdir(parents=True, exist_ok=True)
    home, tmp = profile_dir / "home", profile_dir / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home), TMPDIR=str(tmp))
    env.pop("DISPLAY", None)  # headless: never try an X server that may not answer
    command = [soffice, f"-env:UserInstallation={profile_dir.as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    try:
        # soffice is a shell script that starts oosplash and soffice.bin: run it in its
        # own session so that a timeout can kill the whole group, not only the script.
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
        timed_out = False
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            output, _ = proc.communicate()
    finally:
        if cleanup:
            shutil.rmtree(cleanup, ignore_errors=True)
    if timed_out:
        pytest.fail(f"soffice did not finish converting {src.name} to {fmt} within {timeout:g} s and was killed."
                    f"\ncommand: {' '.join(command)}\noutput:\n{_text(output)}", pytrace=False)
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        pytest.fail(f"soffice did not convert {src.name} to {fmt}: exit status {proc.returncode}, "
                    f"{out.name} {'is empty' if out.is_file() else 'was not written'}.\n"
                    f"command: {' '.join(command)}\noutput:\n{_text(output)}", pytrace=False)
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _text(output: bytes | None) -> str:
    return (output or b"").decode("utf-8", "replace").strip() or "(nothing)"


class LibreOffice:
    """soffice with one private profile, shared by every conversion of a test session."""

    def __init__(self, soffice: str, profile_dir: Path):
        self.soffice = soffice
        self.profile_dir = Path(profile_dir)

    def convert(self, src, fmt: str, outdir, *, timeout: float = TIMEOUT_SECONDS) -> Path:
        """Like :func:`convert`, with this session's profile."""
        return convert(src, fmt, outdir, profile_dir=self.profile_dir, timeout=timeout)


def pdf_text(pdf) -> str:
    """The text of a PDF LibreOffice printed, by poppler's pdftotext (skips without it, fails under CI=true)."""
    return _poppler("pdftotext", str(pdf), "-")


def pdf_page_size(pdf) -> tuple[float, float]:
    """(width, height) in points of the PDF's first page, by poppler's pdfinfo."""
    info = _poppler("pdfinfo", str(pdf))
    words = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    return float(words[2]), float(words[4])


def _poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        message = f"{tool} (poppler-utils) is not installed"
        if under_ci():
            pytest.fail(f"{message}, and under CI=true the print tests must run (.ci/run installs it).", pytrace=False)
        pytest.skip(message)
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def lo(tmp_path_factory) -> LibreOffice:
    """A ``LibreOffice`` for the session; skips (or, under CI=true, fails) without soffice."""
    soffice = require_soffice()
    return LibreOffice(soffice, tmp_path_factory.mktemp("libreoffice-profile"))
