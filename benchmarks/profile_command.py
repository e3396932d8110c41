"""Profile one ``chart`` command with cProfile: where the time goes.

    python benchmarks/profile_command.py sync /tmp/chart-10k.xlsx --today 2026-11-25
    python benchmarks/profile_command.py validate /tmp/chart-10k.xlsx --top 40 --sort tottime
    python benchmarks/profile_command.py draft /tmp/fresh-10k.xlsx --today 2026-11-25 --out /tmp/drafts
    python benchmarks/profile_command.py --pyinstrument sync /tmp/chart-10k.xlsx --today 2026-11-25

Runs the command in this process, exactly as ``chart COMMAND PATH ARGS…`` would
(imports included), and prints the top functions by cumulative time (or
``--sort tottime``). Commands that write (sync, import, draft) run on a copy in a
temporary folder, so the workbook given is never changed. ``--save FILE`` keeps
the raw profile for snakeviz or ``python -m pstats`` (an HTML page with --pyinstrument).

cProfile times every call, which inflates call-heavy code (email and phone
parsing) 2-5x; ``--pyinstrument`` samples instead (``pip install pyinstrument``),
so its proportions are closer to an unprofiled run, and prints a call tree.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

WRITERS = {"sync", "import", "draft", "calendar"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", help="the chart command (sync, validate, agenda, draft …)")
    parser.add_argument("path", help="the workbook")
    parser.add_argument("--top", type=int, default=30, help="how many functions to list (default 30)")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--save", help="also write the raw profile to this file")
    parser.add_argument("--pyinstrument", action="store_true", help="sample with pyinstrument instead of cProfile")
    args, rest = parser.parse_known_args(argv)

    path = Path(args.path)
    folder = None
    if args.command in WRITERS:
        folder = Path(tempfile.mkdtemp(prefix="chart-profile-"))
        path = Path(shutil.copyfile(path, folder / path.name))
    try:
        if args.pyinstrument:
            from pyinstrument import Profiler

            sampler = Profiler(interval=0.001)
            started = time.perf_counter()
            sampler.start()
            try:
                _run(args.command, path, rest)
            finally:
                sampler.stop()
            print(f"\n=== chart {args.command} {args.path} {' '.join(rest)}: {time.perf_counter() - started:.2f} s "
                  "wall under pyinstrument ===", file=sys.stderr)
            print(sampler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
            if args.save:
                Path(args.save).write_text(sampler.output_html(), "utf-8")
            return 0
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        try:
            _run(args.command, path, rest)
        finally:
            profiler.disable()
        elapsed = time.perf_counter() - started
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.save:
        profiler.dump_stats(args.save)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(f"\n=== chart {args.command} {args.path} {' '.join(rest)}: {elapsed:.2f} s wall under cProfile "
          "(cProfile itself adds roughly 1.5-2x to call-heavy code) ===", file=sys.stderr)
    print(buffer.getvalue(), file=sys.stderr)
    return 0


def _run(command: str, path: Path, rest: list[str]) -> None:
    from workbook_tool.cli import cli

    try:
        cli.main([command, str(path), *rest], prog_name="chart", standalone_mode=False)
    except SystemExit:
        pass


if __name__ == "__main__":
    sys.exit(main())
