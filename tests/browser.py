"""A real headless Chromium for tests of a page a person looks at or prints.

``chart report --format html`` is a page emailed to a coach: the tests open it in
Debian's ``chromium``, take a screenshot and print it to PDF, and read both back
(Pillow for pixels, poppler's ``pdftotext``/``pdfinfo`` for the printed text). Use the
``browser`` fixture:

    from browser import browser  # noqa: F401  (registers the fixture in this test module)

    def test_page(browser, tmp_path):
        png = browser.screenshot(tmp_path / "page.html", tmp_path / "page.png", width=1000, height=1400)
        pdf = browser.print_pdf(tmp_path / "page.html", tmp_path / "page.pdf")

Without chromium (or poppler-utils) these tests skip on a developer's machine and fail
under CI=true, where .ci/run installs both. Every run gets a private profile, no stdin
and a timeout that kills its process group; as root (CI, this machine) Chromium needs
``--no-sandbox``. Chromium exits 0 even when it wrote nothing, so the output file is checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

TIMEOUT_SECONDS = 90
INSTALL = "apt-get install -y --no-install-recommends chromium poppler-utils (.ci/run does)"


def _require(*programs: str) -> dict[str, str]:
    """Each program's path; skips the test without one locally, fails it under CI=true."""
    found = {p: shutil.which(p) for p in programs}
    missing = [p for p, path in found.items() if not path]
    if not missing:
        return found
    message = f"{', '.join(missing)} not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and under CI=true the browser tests must run. Install: {INSTALL}.", pytrace=False)
    pytest.skip(message)


def _run(command: list[str], out: Path, timeout: float = TIMEOUT_SECONDS, env=None) -> str:
    """Run ``command`` in its own session; fail the test unless it finishes in time and writes ``out``."""
    if out.exists():
        out.unlink()  # a stale file must never pass for this run's
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, env=env)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"{command[0]} did not finish within {timeout:g} s.\n{output.decode(errors='replace')}",
                    pytrace=False)
    text = output.decode("utf-8", "replace")
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        pytest.fail(f"{' '.join(command)} wrote no {out.name} (exit {proc.returncode}).\n{text}", pytrace=False)
    return text


class Browser:
    """Debian's chromium, headless, with one private profile per session."""

    def __init__(self, programs: dict[str, str], profile: Path):
        self.programs = programs
        self.profile = Path(profile)

    def _command(self, *flags: str) -> list[str]:
        # --no-sandbox: Chromium refuses to run as root with its sandbox; the page is our own file.
        return [self.programs["chromium"], "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={self.profile}", *flags]

    def _env(self) -> dict:
        env = dict(os.environ, HOME=str(self.profile))
        env.pop("DISPLAY", None)
        return env

    def screenshot(self, page: Path, out: Path, *, width: int, height: int) -> Path:
        """A PNG of ``page`` in a ``width`` × ``height`` window."""
        out = Path(out).resolve()
        _run(self._command(f"--screenshot={out}", f"--window-size={width},{height}",
                           Path(page).resolve().as_uri()), out, env=self._env())
        return out

    def print_pdf(self, page: Path, out: Path) -> Path:
        """``page`` printed to PDF as a person's Print does (no header or footer added)."""
        out = Path(out).resolve()
        _run(self._command(f"--print-to-pdf={out}", "--no-pdf-header-footer", Path(page).resolve().as_uri()),
             out, env=self._env())
        return out

    def pdf_text(self, pdf: Path, *, layout: bool = False) -> str:
        """The PDF's text, by poppler's pdftotext."""
        text_out = Path(pdf).with_suffix(".txt")
        _run([self.programs["pdftotext"], *(["-layout"] if layout else []), str(pdf), str(text_out)], text_out)
        return text_out.read_text(encoding="utf-8")

    def pdf_words(self, pdf: Path) -> tuple[list[tuple[float, float]], list[tuple[str, int, float, float, float]]]:
        """Each page's (width, height) in points and every word as (text, page, x min, x max, y max)."""
        import html
        import re

        out = Path(pdf).with_suffix(".bbox.html")
        _run([self.programs["pdftotext"], "-bbox", str(pdf), str(out)], out)
        pages, words = [], []
        for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out.read_text(), re.S):
            pages.append((float(page.group(1)), float(page.group(2))))
            for w in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                                 page.group(3)):
                words.append((html.unescape(w.group(4)), len(pages), float(w.group(1)), float(w.group(2)),
                              float(w.group(3))))
        return pages, words


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Browser:
    """A ``Browser`` for the session; skips (or, under CI=true, fails) without chromium and poppler-utils."""
    return Browser(_require("chromium", "pdftotext"), tmp_path_factory.mktemp("chromium-profile"))
