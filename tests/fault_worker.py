"""Subprocess roles for tests/test_faults.py: "another program" that writes the workbook.

    python tests/fault_worker.py write PATH SOURCE rename|inplace [DELAY]

copies the bytes of SOURCE over PATH after DELAY seconds, the way a spreadsheet
program saves: ``rename`` writes a temporary file beside PATH and renames it over
(Excel), ``inplace`` truncates PATH and writes into it, ``slow-inplace`` does the
same in twenty pieces over a fifth of a second (`cp` of a file on a slow disk),
counting DELAY from the moment a chart run holds its lock on PATH: begun earlier,
the half-written file would be what chart first looks at, and "damaged" the true
answer.

    python tests/fault_worker.py limited LIMIT_BYTES -- ARGS...

runs ``chart ARGS`` with a real file-size limit (RLIMIT_FSIZE): a write past it
fails with EFBIG ("File too large"), as on a full disk; SIGXFSZ is ignored so the
write raises instead of killing the process.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from pathlib import Path


def locked_by_chart(path: Path) -> bool:
    """Whether some process holds a flock on ``path`` (Linux's /proc/locks lists them by inode)."""
    inode = f":{os.stat(path).st_ino} "
    with open("/proc/locks") as fh:
        return any(" FLOCK " in line and inode in line for line in fh)


def write(path: Path, source: Path, how: str, delay: float = 0.0) -> None:
    data = source.read_bytes()
    if how == "slow-inplace":
        deadline = time.monotonic() + 10
        while not locked_by_chart(path) and time.monotonic() < deadline:
            time.sleep(0.002)
    if delay:
        time.sleep(delay)
    if how == "rename":
        tmp = path.with_name(f".~edit.{os.getpid()}.{path.name}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    else:
        pieces = 20 if how == "slow-inplace" else 1
        step = -(-len(data) // pieces)
        with path.open("r+b") as fh:
            fh.truncate(0)
            for start in range(0, len(data), step):
                fh.write(data[start:start + step])
                fh.flush()
                if pieces > 1:
                    time.sleep(0.01)
            os.fsync(fh.fileno())


def limited(limit: int, args: list[str]) -> int:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    sys.dont_write_bytecode = True
    from workbook_tool.cli import cli

    try:
        cli.main(args=args, prog_name="chart", standalone_mode=True)
    except SystemExit as exc:
        return exc.code or 0
    return 0


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "write":
        write(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 0.0)
    elif role == "limited":
        assert sys.argv[3] == "--"
        sys.exit(limited(int(sys.argv[2]), sys.argv[4:]))
    else:
        sys.exit(f"unknown role {role!r}")
