"""Measure each ``chart`` command against the bare library doing the same work.

    python benchmarks/run.py                          # 1k and 10k rows, 5 paired runs each
    python benchmarks/run.py --quick                  # smoke test: 1k rows, 1 run, no warm-up
    python benchmarks/run.py --sizes 1000,10000,100000 --cases sync,validate --out results.md

Every measurement is a separate process, started and reaped here with
``os.wait4``, which gives that one child's wall time and peak RSS. Each command
(A) is paired with its baseline (B) and the two alternate, A B, B A, A B …, so
that a machine getting slower or faster during the run affects both alike; one
untimed warm-up pair comes first. The table gives the medians and their ratio.

Cases (``--cases``, comma-separated; default all):

  sync      ``chart sync COPY --today 2026-11-25`` on a fresh copy of a freshly
            generated chart (the first sync: adds the four tool columns, the new
            recommended people and the Referrals sheet) vs openpyxl
            ``load_workbook`` + ``save`` of the same file.
  resync    the weekly re-run: ``chart sync --today 2026-12-02`` on a fresh copy
            of a chart already synced for 2026-11-25 vs openpyxl load + save of it.
            Both sync cases are also compared with the floor (issue 16's bar, ≤ 3x
            in time and ≤ 2x in peak memory): a calamine read of every sheet plus
            every zip part read and deflated again into a new file.
  bigsheet  ``chart sync`` of the chart with a 1M-cell sheet of the person's beside
            Contacts vs ``chart sync`` of the same chart without it (≤ 1.2x: the
            sheet's bytes are only copied).
  import    ``chart import`` of a LinkedIn export of N people into an empty chart
            vs the floor of the resulting file (≤ 3x).
  noop      ``chart sync --today 2026-11-25`` on a chart synced for that day
            (nothing to change) vs a calamine read of every sheet (≤ 3x).
  validate  ``chart validate PATH`` vs a calamine read of every sheet (≤ 2x), and
            openpyxl ``load_workbook`` for information.
  agenda    ``chart agenda PATH --today 2026-11-25`` vs the same two (skipped,
            with a note, while ``chart --help`` does not list the command).
  draft     ``chart draft`` of the outreach emails of a ``--fresh`` chart (nobody
            contacted yet: N emails) vs openpyxl load, and vs awdeorio's
            ``mailmerge --dry-run --no-limit`` rendering the same outreach
            template for the same rows from a CSV.
  report    ``chart report PATH --today 2026-11-25`` (this week, as text) and
            ``… --from 2026-01-01`` (every activity of the year) vs ``chart
            validate PATH`` with pandas imported in the same process: the
            target is no more than validate plus the pandas import.
  help      ``chart --help`` vs ``python -c "import click"`` (size-independent).
  small     a real person's chart of 200 contacts (size-independent): ``chart agenda`` (≤ 2×) and a first
            ``chart sync`` (≤ 3×) vs ``chart --help``, where imports are most of the time.
  mail      ``chart mail COPY --today 2026-11-25`` against a private Dovecot on 127.0.0.1 whose Sent and
            INBOX hold ``--mail-messages`` (20,000) messages (``mailbench.py``) vs ``chart sync`` of a copy
            of the same chart plus one IMAP header fetch of every message. Target ≤ 2× at any size
            (the issue's: a 2,000-contact chart, ``--sizes 2000 --cases mail``). Needs Dovecot.

Targets apply at 10k rows and more; at 1k the ratios are shown for information.
mailmerge is found on PATH, in $MAILMERGE, or given with ``--mailmerge``; install it apart from the
project so that its pins cannot change the project's packages:
``python3 -m venv /tmp/mm && /tmp/mm/bin/pip install mailmerge``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

TODAY = "2026-11-25"
NEXT_WEEK = "2026-12-02"
ALL_CASES = ("sync", "resync", "noop", "bigsheet", "import", "validate", "agenda", "report", "draft", "help", "small",
             "mail")
SMALL_ROWS = 200  # the "small" case: a real person's chart
TARGET_FROM_ROWS = 10_000
MiB = 1024 * 1024

BARE_LOAD = "import sys\nfrom openpyxl import load_workbook\nload_workbook(sys.argv[1])\n"
BARE_LOAD_SAVE = ("import sys\nfrom openpyxl import load_workbook\nwb = load_workbook(sys.argv[1])\n"
                  "wb.save(sys.argv[2])\n")
BARE_CLICK = "import click"
# chart report's baseline: chart validate of the same file, after importing pandas (which report needs).
VALIDATE_WITH_PANDAS = ("import sys\nimport pandas\nfrom workbook_tool.cli import main\n"
                        "sys.argv = ['chart', 'validate', sys.argv[1]]\nmain()\n")
# Issue 16's bars. A calamine read of every sheet: what reading a workbook costs at least.
BARE_CALAMINE = ("import sys\nfrom python_calamine import CalamineWorkbook\nwb = CalamineWorkbook.from_path(sys.argv[1])\n"
                 "for name in wb.sheet_names:\n    wb.get_sheet_by_name(name).to_python(skip_empty_area=True)\n")
# The floor of any command that reads a workbook and writes it back: that read, plus every zip
# part read and deflated again into a new file.
FLOOR = BARE_CALAMINE + ("import zipfile\nwith zipfile.ZipFile(sys.argv[1]) as src, "
                         "zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as dst:\n"
                         "    for info in src.infolist():\n        dst.writestr(info.filename, src.read(info))\n")


# --------------------------------------------------------------------------- running one process


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    exit_code: int
    cpu_seconds: float = 0.0  # user + system: steadier than wall time when the machine is shared or slowed


# Peak RSS needs care. os.wait4 reports a child's ru_maxrss, but Linux carries the
# high-water mark of the memory a process had before execve into it, so a child forked
# straight from this (60+ MiB) benchmark process would report at least that much: every
# small command would look 60 MiB big. So each command is started by a small launcher
# process (a bare interpreter, about 10 MiB, below anything measured here), which runs it,
# reaps it with os.wait4 and reports its wall time, peak RSS and exit status.
LAUNCHER = """\
import os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as fh:
    fh.write(f"{elapsed!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime!r}")
"""


class TimedOut(Exception):
    pass


def run_once(argv: list[str], cwd: Path, ok_codes=(0,), stdout_path: Path | None = None,
             timeout: float | None = None) -> Sample:
    """Run ``argv`` in ``cwd``; its wall time and its own peak RSS (os.wait4, through the launcher)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    err_path = cwd / ".stderr.txt"
    report = cwd / ".sample.txt"
    try:
        with open(err_path, "wb") as err:
            launcher = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *argv], cwd=cwd,
                                        stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                launcher.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)  # the launcher and the command: their own group
                launcher.wait()
                raise TimedOut(f"{shlex.join(argv)} ran longer than {timeout:.0f} s and was stopped") from None
    finally:
        if stdout_path:
            out.close()
    if launcher.returncode != 0 or not report.exists():
        raise RuntimeError(f"the launcher failed for {shlex.join(argv)}: "
                           + err_path.read_text("utf-8", "replace")[-800:])
    elapsed, maxrss_kib, code, cpu = report.read_text().split()
    if int(code) not in ok_codes:
        tail = err_path.read_text("utf-8", "replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{shlex.join(argv)} exited {code} in {cwd}:\n  " + "\n  ".join(tail))
    return Sample(float(elapsed), int(maxrss_kib) / 1024, int(code), float(cpu))  # ru_maxrss is in KiB on Linux


@dataclass
class Side:
    """One side of a pair: how to run it once, in a fresh folder."""

    label: str
    prepare: object  # (folder: Path) -> argv
    ok_codes: tuple = (0,)
    stdout_name: str | None = None
    check: object = None  # (folder: Path) -> None, raises when the output is wrong


@dataclass
class Result:
    case: str
    command: str
    baseline: str
    rows: int | None
    a: list[Sample] = field(default_factory=list)
    b: list[Sample] = field(default_factory=list)
    time_target: float | None = None
    mem_target: float | None = None
    note: str = ""
    timed_out: float | None = None  # the limit, when the command ran past it
    judged_always: bool = False  # a target set for this size (mail: 2,000 contacts), not only from 10k rows

    @property
    def a_sec(self):
        return statistics.median(s.seconds for s in self.a) if self.a else None

    @property
    def b_sec(self):
        return statistics.median(s.seconds for s in self.b) if self.b else None

    @property
    def a_mib(self):
        return statistics.median(s.peak_mib for s in self.a) if self.a else None

    @property
    def b_mib(self):
        return statistics.median(s.peak_mib for s in self.b) if self.b else None

    @property
    def ratio(self):
        return self.a_sec / self.b_sec if self.a and self.b else None

    @property
    def cpu_ratio(self):
        """The same ratio in CPU time, for information: the targets are wall time. It leaves out waiting (the
        disk, the virtual machine's host), not the machine's slow phases (see benchmarks/README.md)."""
        if not (self.a and self.b):
            return None
        return statistics.median(s.cpu_seconds for s in self.a) / statistics.median(s.cpu_seconds for s in self.b)

    @property
    def mem_ratio(self):
        return self.a_mib / self.b_mib if self.a and self.b else None

    @property
    def judged(self) -> bool:
        return (self.time_target is not None or self.mem_target is not None) and \
            (self.rows is None or self.rows >= TARGET_FROM_ROWS or self.judged_always)

    @property
    def passed(self) -> bool | None:
        if self.judged and self.timed_out is not None:
            return False
        if not self.judged or self.ratio is None:
            return None
        ok = self.time_target is None or self.ratio <= self.time_target
        return ok and (self.mem_target is None or self.mem_ratio <= self.mem_target)

    def as_dict(self) -> dict:
        return {"case": self.case, "command": self.command, "baseline": self.baseline, "rows": self.rows,
                "a_seconds": [s.seconds for s in self.a], "a_peak_mib": [s.peak_mib for s in self.a],
                "b_seconds": [s.seconds for s in self.b], "b_peak_mib": [s.peak_mib for s in self.b],
                "a_cpu_seconds": [s.cpu_seconds for s in self.a], "b_cpu_seconds": [s.cpu_seconds for s in self.b],
                "cpu_ratio": self.cpu_ratio, "median_seconds": self.a_sec, "bare_median_seconds": self.b_sec, "ratio": self.ratio,
                "peak_mib": self.a_mib, "bare_peak_mib": self.b_mib, "mem_ratio": self.mem_ratio,
                "time_target": self.time_target, "mem_target": self.mem_target, "passed": self.passed,
                "note": self.note, "timed_out_after": self.timed_out}


def measure(a: Side | None, pairs: list[tuple[Side | None, Result]], reps: int, warmup: bool, workdir: Path,
            timeout: float | None = None) -> list[Result]:
    """Run A and each baseline ``reps`` times in turn (after one untimed warm-up round), each in a fresh folder.

    The order rotates every round (A B, B A … or A B C, B C A, C A B …) so that drift
    on the machine touches every side alike. A's samples go to every result: one run
    of A is compared with each baseline. A command that runs past ``timeout`` seconds
    is stopped and not run again; the baselines still are.
    """
    results = [r for _, r in pairs]
    sides = ([(a, [r.a for r in results])] if a is not None else []) + \
        [(b, [r.b]) for b, r in pairs if b is not None]
    rounds = ([False] if warmup else []) + [True] * reps
    # Each run's folder is deleted after the last round, not before the next run: ext4 allocates a new
    # file's inode slowly right after thousands were deleted (it skips recently freed ones), which made
    # writing 10,000 drafts 1.5-2 s slower after the previous run's were removed — a cost of this loop,
    # not of drafting, and one the peer (printing, not writing) never paid.
    folders: list[Path] = []
    try:
        _measure_rounds(a, sides, results, rounds, workdir, timeout, folders)
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def _measure_rounds(a, sides, results, rounds, workdir, timeout, folders) -> None:
    for n, timed in enumerate(rounds):
        shift = n % len(sides)
        for side, stores in sides[shift:] + sides[:shift]:
            if side is a and results[0].timed_out is not None:
                continue
            folder = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
            folders.append(folder)
            try:
                argv = side.prepare(folder)
                stdout_path = folder / side.stdout_name if side.stdout_name else None
                sample = run_once(argv, folder, side.ok_codes, stdout_path, timeout)
                if side.check is not None:
                    side.check(folder)
            except TimedOut as exc:
                log(f"    {side.label}: {exc}")
                if side is a:
                    for r in results:
                        r.timed_out = timeout
                    continue
                raise
            if timed:
                for store in stores:
                    store.append(sample)
            log(f"    {'' if timed else 'warm-up '}{side.label}: {sample.seconds:.2f} s, {sample.peak_mib:.0f} MiB")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the commands


def chart_argv() -> list[str]:
    """The chart console script itself (not a pyenv shim, whose bash start-up is not ours to time)."""
    beside = Path(sys.executable).parent / "chart"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("chart")
    return [found] if found else [sys.executable, "-m", "workbook_tool"]


def chart_commands(chart: list[str]) -> dict[str, str]:
    """The commands ``chart --help`` lists, with their help text."""
    out = subprocess.run([*chart, "--help"], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"^  ([a-z][\w-]*)\s", out.split("Commands:", 1)[-1], flags=re.MULTILINE)
    helps = {}
    for name in names:
        helps[name] = subprocess.run([*chart, name, "--help"], capture_output=True, text=True).stdout
    return helps


def _has(help_text: str, option: str) -> bool:
    return re.search(rf"(^|[\s,]){re.escape(option)}([\s,=]|$)", help_text, flags=re.MULTILINE) is not None


def command_args(name: str, help_text: str, override: str | None) -> list[str]:
    """Arguments for ``chart agenda`` / ``chart draft``, from ``--NAME-args`` or guessed from their help.

    Placeholders: {path} the workbook, {out} an empty folder for output, {today}.
    """
    if override:
        return shlex.split(override)
    args = [name, "{path}"]
    if _has(help_text, "--today"):
        args += ["--today", "{today}"]
    if name == "draft":
        if _has(help_text, "--kind"):
            args += ["--kind", "outreach"]
        for option in ("--out", "--output", "--out-dir", "--output-dir", "--dir", "--folder", "--to"):
            if _has(help_text, option):
                args += [option, "{out}"]
                break
    return args


def fill(args: list[str], path: Path, out: Path) -> list[str]:
    return [a.format(path=path, out=out, today=TODAY) for a in args]


def copy_into(folder: Path, source: Path) -> Path:
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


# --------------------------------------------------------------------------- a big sheet of the person's

BIG_SHEET_ROWS = 100_000  # ten cells each: a million


def add_big_sheet(source: Path, out: Path, rows: int) -> None:
    """``source`` with a sheet "My Data" of ``rows`` rows of ten cells (numbers and texts) added, as Excel
    would store it: the sheet part, its entry in the workbook, its relationship and its content type."""
    import zipfile

    body = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    letters = "ABCDEFGHIJ"
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{c}{r}"><v>{r * 10 + i}</v></c>' if i % 2 == 0 else
                        f'<c r="{c}{r}" t="inlineStr"><is><t>item {r}-{i}</t></is></c>'
                        for i, c in enumerate(letters))
        body.append(f'<row r="{r}">{cells}</row>'.encode())
    body.append(b"</sheetData></worksheet>")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'<sheet xmlns:r="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships" name="My Data" sheetId="999" '
                                    b'r:id="rIdBig"/></sheets>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdBig" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                    b'Target="worksheets/mydata.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/mydata.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                                    b"</Types>")
            dst.writestr(info, data)
        dst.writestr("xl/worksheets/mydata.xml", b"".join(body))


def linkedin_export(out: Path, rows: int, seed: int) -> None:
    """A Connections.csv as LinkedIn writes it (its Notes paragraph above the header) of ``rows`` people."""
    import random

    rng = random.Random(seed)
    firsts = ["Ann", "Bob", "Carlos", "Dee", "Elena", "Frank", "Grace", "Hiro", "Isabel", "Jun", "Zoë", "Søren"]
    lasts = ["Lee", "Roe", "Diaz", "Martin", "Petrova", "Osei", "Liu", "Tanaka", "Grant", "Park", "Müller"]
    companies = ["Contoso", "Fabrikam Health", "Northwind Clinic", "Litware", "Proseware", "Adatum"]
    with out.open("w", newline="", encoding="utf-8") as fh:
        fh.write("Notes:\n\"When exporting your connection data, you may notice that some of the email addresses "
                 "are missing.\"\n\n")
        writer = csv.writer(fh)
        writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for i in range(rows):
            first, last = rng.choice(firsts), rng.choice(lasts)
            email = f"{first.lower()}.{last.lower()}{i}@example.org" if rng.random() < 0.3 else ""
            writer.writerow([first, f"{last} {i}", f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i}",
                             email, rng.choice(companies), "Analyst", f"{rng.randint(1, 28):02d} Mar 2024"])


# --------------------------------------------------------------------------- mailmerge, the peer


def outreach_rows(path: Path) -> tuple[list[dict], dict]:
    """The contacts an outreach email goes to (not contacted, to be emailed), and the Profile values."""
    from workbook_tool import kinds, schema, stages
    from workbook_tool.fields import is_blank, name_key
    from workbook_tool.workbook import read_chart

    chart = read_chart(path)
    today = dt.date.fromisoformat(TODAY)
    by_name = {name_key(r.values.get("name")): r for r in chart.contacts.rows}
    rows = []
    for row in chart.contacts.rows:
        step = stages.next_step(row, chart.profile, today)
        if step.stage != stages.NOT_CONTACTED or step.kind != kinds.OUTREACH or is_blank(row.values.get("email")):
            continue
        referrer = by_name.get(name_key(row.values.get("referred_by"))) if row.text("referred_by") else None
        name = row.text("name")
        words = [w for w in re.findall(r"[^\W_]+", name) if w.casefold() not in {"dr", "mr", "mrs", "ms", "prof"}]
        rows.append({"email": row.text("email"), "name": name, "first_name": words[0] if words else name,
                     "referrer": referrer.text("name") if referrer else row.text("referred_by"),
                     "via": row.text("via") if row.text("source").casefold() in ("family", "friend") else "",
                     "organization": row.text("organization")})
    me = {f.key: chart.profile.text(f.key) for f in schema.PROFILE_FIELDS}
    return rows, me


def mailmerge_files(folder: Path, rows: list[dict], me: dict) -> tuple[Path, Path, Path]:
    """The package's outreach template in mailmerge's form, the rows as CSV, and a server config."""
    why = me["why_searching"].strip()
    why = why[:1].upper() + why[1:] + ("" if why.endswith((".", "!", "?")) else ".")
    signature = me["signature"] or me["your_name"]
    template = folder / "outreach.txt"
    template.write_text(
        f"TO: {{{{email}}}}\nFROM: {me['your_name']} <{me['your_email']}>\n"
        f"SUBJECT: {{% if referrer %}}{{{{referrer}}}} suggested I contact you{{% else %}}A request for "
        f"{me['meeting_length']} of your advice{{% endif %}}\n\n"
        "Dear {{first_name}},\n\n"
        "{% if referrer %}{{referrer}} suggested I get in touch with you. {% elif via %}{{via}} suggested I get in "
        f"touch with you. {{% endif %}}I am {me['job_status']}, and my area of expertise is {me['expertise']}. "
        f"I am looking for {me['seeking']}. {why}\n\n"
        f"I am not asking you for a job. Would you have {me['meeting_length']} for me, at your office, to hear how "
        "you see the current market and what you would suggest for my search?\n\n"
        f"Thank you for considering it.\n\nBest regards,\n{signature}\n", "utf-8")
    database = folder / "outreach.csv"
    with database.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["email"])
        writer.writeheader()
        writer.writerows(rows)
    config = folder / "server.conf"
    config.write_text("[smtp_server]\nhost = localhost\nport = 25\nratelimit = 0\n", "utf-8")
    return template, database, config


def find_mailmerge(given: str | None) -> str | None:
    if given:
        return given
    return os.environ.get("MAILMERGE") or shutil.which("mailmerge")


# --------------------------------------------------------------------------- the cases


def compiled_like_an_install() -> None:
    """Let the commands run from bytecode, as an installed ``chart`` does (pip compiles it).

    With PYTHONDONTWRITEBYTECODE=1 in the environment (as in some shells and CI images) and a
    checkout without ``__pycache__``, every run would compile each of the tool's modules from
    source first: 0.1 s a command, more than a small chart's whole ``chart agenda``, paid by no user.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    find = "import os, workbook_tool; print(os.path.dirname(workbook_tool.__file__))"
    where = subprocess.run([sys.executable, "-c", find], capture_output=True, text=True)
    if where.returncode == 0 and where.stdout.strip():
        subprocess.run([sys.executable, "-m", "compileall", "-q", where.stdout.strip()], check=False,
                       stdout=subprocess.DEVNULL)


class Bench:
    def __init__(self, args):
        self.args = args
        compiled_like_an_install()
        self.workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="chart-bench-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.chart = chart_argv()
        self.commands = chart_commands(self.chart)
        self.mailmerge = find_mailmerge(args.mailmerge)
        self.results: list[Result] = []
        self.notes: list[str] = []

    def reps_for(self, rows: int | None) -> int:
        if self.args.quick:
            return 1
        if rows is not None and rows >= 50_000:
            return self.args.reps_large
        return self.args.reps

    def chart_file(self, rows: int, fresh: bool = False) -> Path:
        path = self.workdir / f"chart-{rows}{'-fresh' if fresh else ''}-seed{self.args.seed}.xlsx"
        if not path.exists():
            started = time.perf_counter()
            generate.generate(rows, path, seed=self.args.seed, fresh=fresh)
            log(f"  generated {path.name} in {time.perf_counter() - started:.1f} s")
        return path

    def synced_file(self, rows: int) -> Path:
        path = self.workdir / f"chart-{rows}-seed{self.args.seed}-synced.xlsx"
        if not path.exists():
            folder = Path(tempfile.mkdtemp(prefix="prep-", dir=self.workdir))
            copy = copy_into(folder, self.chart_file(rows))
            run_once([*self.chart, "sync", str(copy), "--today", TODAY], folder)
            shutil.move(copy, path)
            shutil.rmtree(folder, ignore_errors=True)
        return path

    def run(self, cases: list[str], sizes: list[int]) -> None:
        warm = not (self.args.quick or self.args.no_warmup)
        if "help" in cases:
            log("help")
            r = Result("help", "`chart --help`", '`python -c "import click"`', None, time_target=2.0)
            reps = 1 if self.args.quick else max(self.reps_for(None), 10)
            self._add(
                r, Side("chart --help", lambda f: [*self.chart, "--help"]),
                Side("import click", lambda f: [sys.executable, "-c", BARE_CLICK]), reps, warm)
        for rows in sizes:
            reps = self.reps_for(rows)
            for case in cases:
                if case == "help" or (case == "small" and rows != sizes[0]):
                    continue  # size-independent: once
                log(f"{case} at {SMALL_ROWS if case == 'small' else rows} rows ({reps} paired runs)")
                getattr(self, f"case_{case}")(rows, reps, warm)

    def case_sync(self, rows, reps, warm):
        path = self.chart_file(rows)
        self._sync(rows, reps, warm, path, TODAY, "sync", "`chart sync` (first sync)")

    def case_resync(self, rows, reps, warm):
        path = self.synced_file(rows)
        self._sync(rows, reps, warm, path, NEXT_WEEK, "resync", "`chart sync` (a week later)")

    def _sync(self, rows, reps, warm, path, today, case, label):
        def a(folder):
            return [*self.chart, "sync", str(copy_into(folder, path)), "--today", today]

        def b(folder):
            return [sys.executable, "-c", BARE_LOAD_SAVE, str(path), str(folder / "saved.xlsx")]

        def floor(folder):
            return [sys.executable, "-c", FLOOR, str(path), str(folder / "rezipped.xlsx")]

        # Issue 16: within 3x the floor in time, 2x in peak memory; openpyxl, the old bar, for information.
        pairs = [(Side("floor", floor), Result(case, label, "floor: calamine read + re-deflate every part", rows,
                                               time_target=3.0, mem_target=2.0)),
                 (Side("load+save", b), Result(case, label, "openpyxl load + save", rows))]
        self.results += measure(Side("chart sync", a), pairs, reps, warm, self.workdir, self.args.timeout)

    def case_noop(self, rows, reps, warm):
        """A sync with nothing to change (the chart synced for this very day) vs a calamine read."""
        path = self.synced_file(rows)
        r = Result("noop", "`chart sync` (nothing to change)", "calamine read of every sheet", rows, time_target=3.0)
        self._add(r, Side("chart sync", lambda f: [*self.chart, "sync", str(copy_into(f, path)), "--today", TODAY]),
                  Side("calamine", lambda f: [sys.executable, "-c", BARE_CALAMINE, str(path)]), reps, warm)

    def case_bigsheet(self, rows, reps, warm):
        """Issue 16: a 1M-cell sheet of the person's beside Contacts costs a sync only the copying of its bytes."""
        plain = self.chart_file(rows)
        path = self.workdir / f"chart-{rows}-seed{self.args.seed}-bigsheet.xlsx"
        if not path.exists():
            started = time.perf_counter()
            add_big_sheet(plain, path, BIG_SHEET_ROWS)
            log(f"  made {path.name} ({BIG_SHEET_ROWS * 10:,} cells beside Contacts) in "
                f"{time.perf_counter() - started:.1f} s")
        r = Result("bigsheet", f"`chart sync` beside a {BIG_SHEET_ROWS * 10:,}-cell sheet of the person's",
                   "`chart sync` of the same chart without it", rows, time_target=1.2,
                   note="the sheet is neither read nor rewritten: its stored bytes are copied")
        self._add(r, Side("chart sync (big sheet)",
                          lambda f: [*self.chart, "sync", str(copy_into(f, path)), "--today", TODAY]),
                  Side("chart sync", lambda f: [*self.chart, "sync", str(copy_into(f, plain)), "--today", TODAY]),
                  reps, warm)

    def case_import(self, rows, reps, warm):
        """``chart import`` of a LinkedIn export of ``rows`` people into an empty chart vs the floor of the
        resulting file (issue 16: ≤ 3x)."""
        export = self.workdir / f"linkedin-{rows}.csv"
        empty = self.workdir / "empty-chart.xlsx"
        result = self.workdir / f"imported-{rows}.xlsx"
        if not export.exists():
            linkedin_export(export, rows, self.args.seed)
        if not empty.exists():
            subprocess.run([*self.chart, "init", str(empty)], check=True, capture_output=True)
        if not result.exists():
            folder = Path(tempfile.mkdtemp(prefix="prep-", dir=self.workdir))
            copy = copy_into(folder, empty)
            run_once([*self.chart, "import", str(copy), str(export)], folder)
            shutil.move(copy, result)
            shutil.rmtree(folder, ignore_errors=True)
        r = Result("import", f"`chart import` ({rows:,} LinkedIn connections into an empty chart)",
                   "floor of the resulting file", rows, time_target=3.0)
        self._add(r, Side("chart import", lambda f: [*self.chart, "import", str(copy_into(f, empty)), str(export)]),
                  Side("floor", lambda f: [sys.executable, "-c", FLOOR, str(result), str(f / "rezipped.xlsx")]),
                  reps, warm)

    def case_validate(self, rows, reps, warm):
        path = self.chart_file(rows)
        pairs = [(Side("calamine", lambda f: [sys.executable, "-c", BARE_CALAMINE, str(path)]),
                  Result("validate", "`chart validate`", "calamine read of every sheet", rows, time_target=2.0)),
                 (Side("load", lambda f: [sys.executable, "-c", BARE_LOAD, str(path)]),
                  Result("validate", "`chart validate`", "openpyxl load", rows))]
        self.results += measure(Side("chart validate", lambda f: [*self.chart, "validate", str(path)],
                                     ok_codes=(0, 1)), pairs, reps, warm, self.workdir, self.args.timeout)

    def case_agenda(self, rows, reps, warm):
        if "agenda" not in self.commands:
            self._note("agenda", "`chart agenda` is not in `chart --help` yet: not measured.")
            return
        path = self.chart_file(rows)
        args = command_args("agenda", self.commands["agenda"], self.args.agenda_args)
        pairs = [(Side("calamine", lambda f: [sys.executable, "-c", BARE_CALAMINE, str(path)]),
                  Result("agenda", "`chart agenda`", "calamine read of every sheet", rows, time_target=2.0,
                         note=f"chart {' '.join(args)}")),
                 (Side("load", lambda f: [sys.executable, "-c", BARE_LOAD, str(path)]),
                  Result("agenda", "`chart agenda`", "openpyxl load", rows))]
        self.results += measure(Side("chart agenda", lambda f: [*self.chart, *fill(args, copy_into(f, path),
                                                                                   f / "out")]),
                                pairs, reps, warm, self.workdir, self.args.timeout)

    def case_small(self, rows, reps, warm):
        """A real person's chart (SMALL_ROWS contacts, whatever --sizes says): agenda and a first sync vs
        ``chart --help``, where the imports are most of the time (issue 16: ≤ 2× and ≤ 3×)."""
        path = self.chart_file(SMALL_ROWS)
        help_side = Side("chart --help", lambda f: [*self.chart, "--help"])
        if "agenda" in self.commands:
            args = command_args("agenda", self.commands["agenda"], self.args.agenda_args)
            r = Result("small", "`chart agenda`", "`chart --help`", SMALL_ROWS, time_target=2.0, judged_always=True)
            self._add(r, Side("chart agenda", lambda f: [*self.chart, *fill(args, copy_into(f, path), f / "out")]),
                      help_side, reps, warm)
        r = Result("small", "`chart sync` (first sync)", "`chart --help`", SMALL_ROWS, time_target=3.0,
                   judged_always=True)
        self._add(r, Side("chart sync", lambda f: [*self.chart, "sync", str(copy_into(f, path)), "--today", TODAY]),
                  help_side, reps, warm)

    def case_report(self, rows, reps, warm):
        if "report" not in self.commands:
            self._note("report", "`chart report` is not in `chart --help` yet: not measured.")
            return
        path = self.chart_file(rows)
        # This week's report (what the command does by default), and the year's log: every activity of the
        # generated chart (about 1.5 per contact) as text, the heaviest a person would ask for.
        for label, extra in (("this week", []), ("the year's log", ["--from", "2026-01-01"])):
            r = Result("report", f"`chart report` ({label})", "`chart validate` + import pandas", rows,
                       time_target=1.0, note=f"chart report PATH {' '.join(extra)} --today {TODAY}".replace("  ", " "))
            self._add(
                r, Side("chart report", lambda f, extra=extra: [*self.chart, "report", str(path), *extra,
                                                                "--today", TODAY]),
                Side("validate+pandas", lambda f: [sys.executable, "-c", VALIDATE_WITH_PANDAS, str(path)],
                     ok_codes=(0, 1)), reps, warm)

    def case_draft(self, rows, reps, warm):
        path = self.chart_file(rows, fresh=True)
        has_draft = "draft" in self.commands
        args = command_args("draft", self.commands.get("draft", ""), self.args.draft_args) if has_draft else []
        pairs = []
        if has_draft:
            load = Result("draft", "`chart draft` (outreach)", "openpyxl load", rows, note=f"chart {' '.join(args)}")
            pairs.append((Side("load", lambda f: [sys.executable, "-c", BARE_LOAD, str(path)]), load))
        else:
            self._note("draft", "`chart draft` is not in `chart --help` yet: only the mailmerge peer is measured.")

        written: list[int] = []

        def a(folder):
            (folder / "out").mkdir()
            return [*self.chart, *fill(args, copy_into(folder, path), folder / "out")]

        def count_drafts(folder):
            written.append(sum(1 for p in (folder / "out").rglob("*") if p.is_file()))

        if self.mailmerge is None:
            self._note("mailmerge", "mailmerge not found (pip install mailmerge, or give --mailmerge): the peer "
                                    "comparison is skipped.")
        else:
            outreach, me = outreach_rows(path)
            folder = self.workdir / f"mailmerge-{rows}"
            folder.mkdir(exist_ok=True)
            template, database, config = mailmerge_files(folder, outreach, me)
            expected = len(outreach)

            def peer(folder):
                return [self.mailmerge, "--dry-run", "--no-limit", "--output-format", "text", "--template",
                        str(template), "--database", str(database), "--config", str(config)]

            def check(folder):
                # Each message prints ">>> message N" and ">>> message N sent".
                sent = (folder / "messages.txt").read_bytes().count(b">>> message ") // 2
                if sent != expected:
                    raise RuntimeError(f"mailmerge rendered {sent} messages, expected {expected}")

            peer_result = Result("draft-peer", f"`chart draft` ({expected:,} outreach emails)",
                                 "mailmerge --dry-run (same rows)", rows, time_target=1.0)
            if not has_draft:
                peer_result.note = "chart draft missing: peer only"
            pairs.append((Side("mailmerge", peer, stdout_name="messages.txt", check=check), peer_result))
        if not pairs:
            return
        side_a = Side("chart draft", a, stdout_name="drafts.txt", check=count_drafts) if has_draft else None
        self.results += measure(side_a, pairs, reps, warm, self.workdir, self.args.timeout)
        if has_draft and self.mailmerge is not None:
            # The same work as the peer's --dry-run: render every draft and print it, no files.
            def printing(folder):
                return [*self.chart, *fill([a for a in args if a not in ("--out", "{out}")], copy_into(folder, path),
                                           folder), "--stdout"]

            def count_printed(folder):
                printed = (folder / "drafts.txt").read_bytes().count(b"\n==> ") + \
                    (folder / "drafts.txt").read_bytes().startswith(b"==> ")
                if printed != expected:
                    raise RuntimeError(f"chart draft --stdout printed {printed} drafts, expected {expected}")

            printed = Result("draft-stdout", "`chart draft --stdout` (every outreach email)",
                             "mailmerge --dry-run (same rows)", rows, time_target=0.7,  # issue 16: ≤ 0.7×
                             note="the same work as the peer's --dry-run: render and print, no files")
            self.results += measure(Side("chart draft --stdout", printing, stdout_name="drafts.txt",
                                         check=count_printed),
                                    [(Side("mailmerge", peer, stdout_name="messages.txt", check=check), printed)],
                                    reps, warm, self.workdir, self.args.timeout)
        if written:
            self._note(f"drafts-{rows}", f"`chart draft` at {rows:,} rows wrote {max(written):,} files "
                                         f"(--fresh chart: nobody contacted yet).")

    def case_mail(self, rows, reps, warm):
        import mailbench

        path = self.chart_file(rows)
        try:
            box = mailbench.Mailbox(path, self.args.mail_messages, seed=self.args.seed)
        except BaseException as exc:  # noqa: BLE001 - pytest's skip when Dovecot is missing, among others
            self._note("mail", f"`chart mail` not measured: no Dovecot ({exc}).")
            return
        saved = {k: os.environ.get(k) for k in box.env()}
        try:
            log(f"  mailbox: {box.warm():,} messages in Sent and INBOX (indexed, untimed)")
            os.environ.update(box.env())  # the launcher and the command inherit them
            r = Result("mail", f"`chart mail` ({self.args.mail_messages:,} messages)",
                       "`chart sync` + one IMAP header fetch", rows, time_target=2.0, judged_always=True)

            def a(folder):
                return [*self.chart, "mail", str(copy_into(folder, path)), "--today", TODAY]

            def b(folder):
                sync = shlex.join([*self.chart, "sync", str(copy_into(folder, path)), "--today", TODAY])
                return ["sh", "-c", f"{sync} >/dev/null && {shlex.join(box.fetch_argv())} >/dev/null"]

            filled: list[str] = []

            def check(folder):
                out = (folder / "mail.txt").read_text("utf-8")
                found = re.search(r"^Read the headers of ([\d,]+) messages.*\n^Filled ([\d,]+) dates", out, re.M)
                if found is None:
                    raise RuntimeError(f"chart mail read or filled nothing:\n{out[:600]}")
                filled.append(f"read {found[1]} message headers and filled {found[2]} dates")

            self._add(r, Side("chart mail", a, stdout_name="mail.txt", check=check), Side("sync+fetch", b), reps,
                      warm)
            if filled:
                self._note("mail", f"`chart mail` at {rows:,} rows: {filled[-1]} (Replied On included).")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            box.stop()

    def _add(self, result: Result, a: Side | None, b: Side | None, reps: int, warm: bool) -> None:
        self.results += measure(a, [(b, result)], reps, warm, self.workdir, self.args.timeout)

    def _note(self, key, text):
        if text not in self.notes:
            self.notes.append(text)
            log(f"  note: {text}")


# --------------------------------------------------------------------------- the report


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def v(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f"{kib / 1024**2:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    commit = git_commit()
    return {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "openpyxl": v("openpyxl"), "python-calamine": v("python-calamine"), "lxml": v("lxml"),
            "click": v("click"), "jinja2": v("Jinja2"), "workbook_tool": v("workbook_tool"), "commit": commit,
            "load_start": os.getloadavg()[0]}


def git_commit() -> str:
    """The checkout's commit (``-dirty`` with uncommitted changes): the code the commands ran."""
    try:
        return subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return ""


def fmt(x, spec=".2f", suffix=""):
    return "—" if x is None else f"{x:{spec}}{suffix}"


def target_text(r: Result) -> str:
    parts = []
    if r.time_target is not None:
        parts.append(f"≤ {r.time_target:g}×")
    if r.mem_target is not None:
        parts.append(f"mem ≤ {r.mem_target:g}×")
    return ", ".join(parts) or "—"


def verdict(r: Result) -> str:
    if r.timed_out is not None:
        return "**FAIL** (timed out)" if r.judged else "(timed out)"
    if r.ratio is None:
        return "n/a"
    if not r.judged:
        return "info" if r.time_target is None and r.mem_target is None else "(info at 1k)"
    return "pass" if r.passed else "**FAIL**"


def report(results: list[Result], notes: list[str], info: dict, args) -> str:
    lines = ["| command | rows | median s | baseline | bare median s | ratio | CPU ratio | peak MiB | bare peak MiB "
             "| mem ratio | target | result |", "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        median = f"> {r.timed_out:.0f}" if r.timed_out is not None else fmt(r.a_sec)
        lines.append(f"| {r.command} | {r.rows:,} | {median} | {r.baseline} | "
                     f"{fmt(r.b_sec)} | {fmt(r.ratio, '.2f', '×')} | {fmt(r.cpu_ratio, '.2f', '×')} | "
                     f"{fmt(r.a_mib, '.0f')} | {fmt(r.b_mib, '.0f')} | "
                     f"{fmt(r.mem_ratio, '.2f', '×')} | {target_text(r)} | {verdict(r)} |"
                     if r.rows else
                     f"| {r.command} | — | {fmt(r.a_sec, '.3f')} | {r.baseline} | {fmt(r.b_sec, '.3f')} | "
                     f"{fmt(r.ratio, '.2f', '×')} | {fmt(r.cpu_ratio, '.2f', '×')} | {fmt(r.a_mib, '.0f')} | "
                     f"{fmt(r.b_mib, '.0f')} | {fmt(r.mem_ratio, '.2f', '×')} | {target_text(r)} | {verdict(r)} |")
    out = ["## Results", "", *lines, ""]
    growth = growth_table(results)
    if growth:
        out += ["## Growth with rows (median seconds; ×10 rows → ×10 time is linear)", "", *growth, ""]
    used = sorted({f"{r.command}: `{r.note}`" if r.note.startswith("chart ") else f"{r.command}: {r.note}"
                   for r in results if r.note})
    used += [f"{r.command}, {r.rows or 0:,} rows: stopped after {r.timed_out:.0f} s (--timeout)"
             for r in results if r.timed_out is not None]
    if notes or used:
        out += ["Notes:", "", *[f"- {n}" for n in [*notes, *used]], ""]
    warm = "no warm-up" if args.quick or args.no_warmup else "after one untimed warm-up round"
    reps = "1 (quick)" if args.quick else f"{args.reps} (≥50k rows: {args.reps_large}), {warm}"
    out += ["## Machine", "",
            f"- {info['nproc']} cores, {info['cpu']}, {info['memory']}, {info['os']}",
            f"- Python {info['python']}, openpyxl {info['openpyxl']}, python-calamine {info['python-calamine']}, "
            f"lxml {info['lxml']}, click {info['click']}, Jinja2 {info['jinja2']}, "
            f"mailmerge {info.get('mailmerge', 'not found')}",
            f"- workbook_tool {info['workbook_tool']} at {info['commit']}; {info['date']}"
            + (f" (**the checkout changed during the run: {info['commit_end']} at the end**)"
               if info.get("commit_end", info["commit"]) != info["commit"] else ""),
            f"- paired runs per case: {reps}; seed {args.seed}; --today {TODAY}",
            f"- load average (1 min) at start {info['load_start']:.2f}, at end {os.getloadavg()[0]:.2f} "
            "(other work on the machine makes single numbers noisy; the paired ratios much less so)", ""]
    return "\n".join(out)


GROWTH_LABELS = {"sync": "`chart sync` (first sync)", "resync": "`chart sync` (a week later)",
                 "validate": "`chart validate`", "agenda": "`chart agenda`", "draft": "`chart draft` (outreach)",
                 "report": "`chart report`",
                 "draft-peer": "mailmerge (same outreach)"}


def growth_table(results: list[Result]) -> list[str]:
    """Median seconds per size for each command and its baseline, and how they grow."""
    series: dict[str, dict[int, float]] = {}
    for r in results:
        if not r.rows or r.case == "small":  # one fixed size, against chart --help: no growth to show
            continue
        if r.a and r.case != "draft-peer":
            series.setdefault(GROWTH_LABELS.get(r.case, r.command), {})[r.rows] = r.a_sec
        if r.b:
            label = GROWTH_LABELS["draft-peer"] if r.case == "draft-peer" else f"bare {r.baseline} ({r.case})"
            series.setdefault(label, {})[r.rows] = r.b_sec
    sizes = sorted({n for d in series.values() for n in d})
    if len(sizes) < 2:
        return []
    head = "| command | " + " | ".join(f"{n:,} rows" for n in sizes) + " | " + " | ".join(
        f"{sizes[i]:,}→{sizes[i + 1]:,}: time ×" for i in range(len(sizes) - 1)) + " | µs per row (largest) |"
    lines = [head, "|---|" + "---:|" * (2 * len(sizes))]
    for label, d in series.items():
        cells = [fmt(d.get(n)) for n in sizes]
        steps = [fmt(d[sizes[i + 1]] / d[sizes[i]], ".1f") if sizes[i] in d and sizes[i + 1] in d else "—"
                 for i in range(len(sizes) - 1)]
        largest = max(d)
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(steps)
                     + f" | {d[largest] / largest * 1e6:.0f} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated row counts (default 1000,10000)")
    parser.add_argument("--cases", default=",".join(ALL_CASES), help=f"comma-separated, of {','.join(ALL_CASES)}")
    parser.add_argument("--reps", type=int, default=5, help="paired runs per case (default 5)")
    parser.add_argument("--reps-large", type=int, default=3, help="paired runs at 50k rows or more (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1k rows, 1 run each, no warm-up")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up round (for 100k runs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep generated charts here and reuse them (default: a temporary folder)")
    parser.add_argument("--mailmerge", help="the mailmerge executable (default: on PATH)")
    parser.add_argument("--draft-args", help='arguments for chart draft, e.g. "draft {path} --kind outreach '
                                             '--out {out}" (default: guessed from its --help)')
    parser.add_argument("--agenda-args", help='arguments for chart agenda, e.g. "agenda {path} --today {today}"')
    parser.add_argument("--timeout", type=float, default=1800,
                        help="stop a command that runs longer than this many seconds (default 1800)")
    parser.add_argument("--mail-messages", type=int, default=20_000,
                        help="messages in the mailbox of the mail case (default 20000)")
    parser.add_argument("--out", help="also write the Markdown report to this file")
    parser.add_argument("--json", help="also write every sample as JSON to this file")
    args = parser.parse_args(argv)

    sizes = [1000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(ALL_CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")

    bench = Bench(args)
    info = machine()
    if bench.mailmerge:
        info["mailmerge"] = subprocess.run([bench.mailmerge, "--version"], capture_output=True,
                                           text=True).stdout.strip().rsplit(" ", 1)[-1]
    log(f"chart: {shlex.join(bench.chart)}; commands: {', '.join(bench.commands)}; mailmerge: {bench.mailmerge}")
    log(f"work folder: {bench.workdir}")
    try:
        bench.run(cases, sizes)
    finally:
        if not args.workdir:
            shutil.rmtree(bench.workdir, ignore_errors=True)
    info["commit_end"] = git_commit()
    text = report(bench.results, bench.notes, info, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", "utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "notes": bench.notes,
                                               "results": [r.as_dict() for r in bench.results]}, indent=2), "utf-8")
    failed = [r for r in bench.results if r.passed is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
