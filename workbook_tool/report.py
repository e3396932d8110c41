"""Turning results into what commands print: lines for people, dicts for scripts.

Every command's wording is here: the library returns results, this module words
them, ``cli.py`` prints. Kept out of cli.py so the wording can be tested without a
terminal, and out of the modules that do the work so they stay free of presentation.
"""

from __future__ import annotations

from .validate import ERROR

MAX_LISTED = 15


def _plural(n: int, word: str) -> str:
    """'1 contact', '2 contacts', '2 statuses'."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


def _shown(path) -> str:
    """A path relative to the current folder when it is inside it (shorter to read)."""
    from pathlib import Path

    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- chart init


def init_lines(written, sample: bool) -> list[str]:
    """What ``chart init`` wrote, and for an empty chart what to do next."""
    lines = [f"Wrote {'an example chart' if sample else 'a new chart'} to {written}."]
    if not sample:
        lines.append("Next: fill in the Profile sheet, list the people you know on Contacts, then run "
                     f"chart validate {written}")
    return lines


# --------------------------------------------------------------------------- chart validate


def validate_lines(path, chart, problems) -> list[str]:
    """One line per problem (place, severity, what to do, code), then the counts."""
    lines = [f"{p.where}: {p.severity}: {p.message} [{p.code}]" for p in problems]
    errors = sum(p.severity == ERROR for p in problems)
    lines.append(f"{path}: {_plural(len(chart.contacts.rows), 'contact')}, {_plural(errors, 'error')}, "
                 f"{_plural(len(problems) - errors, 'warning')}.")
    return lines


def validate_json(problems) -> list[dict]:
    """The problems as dicts, for scripts."""
    return [p.as_dict() for p in problems]


# --------------------------------------------------------------------------- chart sync


def sync_lines(result) -> list[str]:
    """A short human summary of a sync: what changed, what is wrong, where the backup is."""
    plan = result.plan
    lines = []
    if result.dry_run:
        lines.append(f"{result.path}: dry run for {plan.today.isoformat()}; nothing was written.")
    elif result.written:
        lines.append(f"{result.path}: synced for {plan.today.isoformat()}.")
    else:
        lines.append(f"{result.path}: already up to date for {plan.today.isoformat()}; the file was not rewritten.")
    if plan.new_columns:
        added = ", ".join(f"{c.spec.header} ({c.sheet})" for c in plan.new_columns)
        lines.append(f"Added columns: {added}.")
    if plan.new_rows:
        lines.append(f"Added {_plural(len(plan.new_rows), 'referral')} to Contacts:")
        lines += [f"  row {r.number}: {r.name} (referred by {r.referred_by})" for r in plan.new_rows]
    lines += fill_lines(plan.fills)
    if plan.step_changes:
        lines.append(f"Next steps changed for {_plural(len(plan.step_changes), 'contact')}:")
        for change in plan.step_changes[:MAX_LISTED]:
            due = f" (due {change.due.isoformat()})" if change.due else ""
            lines.append(f"  row {change.row}: {change.name or '(no name)'}: {change.after or 'nothing to do (closed)'}{due}")
        if len(plan.step_changes) > MAX_LISTED:
            lines.append(f"  … and {len(plan.step_changes) - MAX_LISTED} more (see the Next Step column).")
    if plan.want_to_meet_updates:
        lines.append(f"Want to Meet: {_plural(plan.want_to_meet_updates, 'status')} updated.")
    if plan.referrals_sheet is not None:
        deepest = max((r.depth for r in plan.referrals), default=0)
        lines.append(f"Referrals sheet rebuilt: {_plural(len(plan.referrals), 'referral')}, deepest chain {deepest}.")
    if plan.dashboard_sheet is not None:
        lines.append("Dashboard sheet rebuilt.")
    lines += plan.notes
    for _, loop in plan.loops:
        lines.append(f"Referral loop (not followed): {loop}. Correct a Referred By cell.")
    errors = sum(p.severity == ERROR for p in plan.problems)
    warnings = len(plan.problems) - errors
    if plan.problems:
        lines.append(f"Problems: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} (in the Comments "
                     f"column; chart validate {result.path} lists them).")
    if result.backup is not None:
        lines.append(f"Backup of the previous version: {_shown(result.backup)}")
    return lines


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fill_lines(fills) -> list[str]:
    """What Recommended cells gave for people already in the chart: the blanks filled (one line per
    person and recommender), then each differing detail kept as typed."""
    lines = []
    grouped: dict[tuple, list] = {}
    for f in fills:
        if not f.conflict:
            grouped.setdefault((f.row, f.name, f.recommender), []).append(f.header)
    for (row, name, recommender), headers in grouped.items():
        lines.append(f"Filled {name}'s {_and(headers)} (row {row}) from {recommender}'s Recommended cell.")
    for f in fills:
        if f.conflict:
            lines.append(f"Kept {f.name}'s {f.header} as typed ({f.where}: {f.typed}); {f.recommender}'s Recommended "
                         f"cell (row {f.recommender_row}) gives {f.value}. Correct whichever is wrong.")
    return lines


def sync_json(result) -> dict:
    """The same summary as a dict, for scripts."""
    plan = result.plan
    return {
        "path": str(result.path),
        "today": plan.today.isoformat(),
        "dry_run": result.dry_run,
        "changed": plan.changed,
        "written": result.written,
        "backup": str(result.backup) if result.backup else None,
        "added_columns": [{"sheet": c.sheet, "header": c.spec.header} for c in plan.new_columns],
        "added_rows": [{"row": r.number, "name": r.name, "referred_by": r.referred_by} for r in plan.new_rows],
        "filled": [{"row": f.row, "name": f.name, "column": f.header, "cell": f.where, "value": f.value,
                    "from": f.recommender, "from_row": f.recommender_row} for f in plan.fills if not f.conflict],
        "kept": [{"row": f.row, "name": f.name, "column": f.header, "cell": f.where, "typed": str(f.typed),
                  "given": f.value, "from": f.recommender, "from_row": f.recommender_row}
                 for f in plan.fills if f.conflict],
        "next_steps": [{"row": c.row, "name": c.name, "before": c.before, "after": c.after,
                        "due": c.due.isoformat() if c.due else None} for c in plan.step_changes],
        "referrals": [{"person": r.person, "referred_by": r.referred_by, "chain": r.chain, "depth": r.depth,
                       "stage": r.stage} for r in plan.referrals],
        "loops": [loop for _, loop in plan.loops],
        "notes": list(plan.notes),
        "problems": [p.as_dict() for p in plan.problems],
    }


# --------------------------------------------------------------------------- chart draft


def draft_skip_lines(skipped) -> list[str]:
    """One line per contact that got no draft, with the reason."""
    lines = []
    for s in skipped:
        who = f"{s.name} (row {s.row})" if s.name else f"row {s.row}"
        lines.append(f"Skipped {who}: {s.reason}.")
    return lines


def _finding_lines(draft, indent: str = "  ") -> list[str]:
    return [f"{indent}warning: {f.message} [{f.code}]" for f in draft.findings]


def draft_check_lines(drafts, skipped, kind: str, style: str) -> list[str]:
    """``chart draft --check``: each draft's findings (or ok), the skipped, a count."""
    lines = []
    for d in drafts:
        lines += [f"{d.filename}: {f.message} [{f.code}]" for f in d.findings] or [f"{d.filename}: ok"]
    lines += draft_skip_lines(skipped)
    failing = sum(bool(d.findings) for d in drafts)
    lines.append(f"{_plural(len(drafts), kind + ' draft')} checked, {failing} falling short of the {style} "
                 "rules.")
    return lines


def draft_stdout_pieces(draft, first: bool) -> list[tuple[str, bool]]:
    """``chart draft --stdout``, one draft: (text, to_stderr) pieces — the draft on stdout, warnings on stderr."""
    pieces = [(("" if first else "\n") + f"==> {draft.filename} <==\n", False), (draft.text(), False)]
    pieces += [(line + "\n", True) for line in _finding_lines(draft, indent="")]
    return pieces


WRITE_LABELS = {"wrote": "Wrote", "unchanged": "Unchanged", "kept": "Kept"}


def _written_lines(written):
    for w in written:
        notes = list(w.draft.notes)
        if w.status == "kept":
            notes.append("it exists with other content, perhaps your edits; --force replaces it")
        yield f"{WRITE_LABELS[w.status]} {w.path}" + (f" ({'; '.join(notes)})" if notes else "")
        yield from _finding_lines(w.draft)


def draft_write_lines(written, skipped, kind: str, folder):
    """What ``chart draft`` wrote, kept or left unchanged, warnings, the skipped, and a count (line by line)."""
    yield from _written_lines(written)
    yield from draft_skip_lines(skipped)
    yield f"{_plural(len(written), kind + ' draft')} in {folder}; {_plural(len(skipped), 'contact')} skipped."


MAILBOX_LABELS = {"added": "Added to", "present": "Already in", "replaced": "Replaced in"}


def draft_mailbox_lines(placed, written, skipped, kind: str, folder) -> list[str]:
    """``chart draft --mailbox``: where each draft went (the Drafts folder, or a file), the skipped, a count."""
    lines = []
    for p in placed:
        notes = list(p.draft.notes)
        if p.status == "present":
            notes.append("left alone; --force replaces it")
        lines.append(f"{MAILBOX_LABELS[p.status]} {p.folder}: {p.draft.name} ({p.draft.subject})"
                     + (f" ({'; '.join(notes)})" if notes else ""))
        lines += _finding_lines(p.draft)
    lines += _written_lines(written)
    lines += draft_skip_lines(skipped)
    into = f" in {placed[0].folder}" if placed else ""
    files = f", {_plural(len(written), 'file')} in {folder}" if written else ""
    lines.append(f"{_plural(len(placed), kind + ' draft')}{into}{files}; {_plural(len(skipped), 'contact')} "
                 "skipped. Nothing was sent.")
    return lines


# --------------------------------------------------------------------------- chart mail


def _fill_line(f, header: str) -> str:
    return f"  row {f.row}: {f.name}: {header} {f.day.isoformat()} ({f.when.strftime('%Y-%m-%d %H:%M')}: " \
           f"\"{f.subject or '(no subject)'}\")"


def mail_lines(outcome) -> list[str]:
    """``chart mail``: the messages read, each cell filled with its message, then the sync's summary."""
    from . import schema

    result = outcome.result
    lines = [f"Read the headers of {_plural(outcome.messages, 'message')} dated {outcome.since.isoformat()} or "
             "later (Sent and INBOX; nothing was changed there)."]
    if outcome.fills:
        lines.append(f"{'Would fill' if result.dry_run else 'Filled'} {_plural(len(outcome.fills), 'date')}:")
        lines += [_fill_line(f, schema.CONTACTS.column(f.key).header) for f in outcome.fills]
    else:
        lines.append("No blank date to fill from your mail.")
    for f in outcome.skipped:
        header = schema.CONTACTS.column(f.key).header
        lines.append(f"Not recorded: {f.name} (row {f.row}): {header} {f.day.isoformat()}; the Contacts sheet has "
                     f"no {header} column. Add one and run chart mail again.")
    return lines + sync_lines(result)


def mail_json(outcome) -> dict:
    """The same as a dict, for scripts: the sync's summary with the messages read and the cells filled."""
    from . import schema

    fills = [{"row": f.row, "name": f.name, "column": schema.CONTACTS.column(f.key).header,
              "date": f.day.isoformat(), "message_date": f.when.isoformat(), "subject": f.subject}
             for f in outcome.fills]
    return {**sync_json(outcome.result), "since": outcome.since.isoformat(), "messages": outcome.messages,
            "filled": fills}


# --------------------------------------------------------------------------- chart agenda


def agenda_lines(agenda) -> list[str]:
    """The agenda as lines for a person: a heading per group, each step with its draft command."""
    from .agenda import GROUP_TITLES  # here: every command prints through this module, and only agenda needs it

    day = agenda.today
    if agenda.empty:
        return [f"Nothing due from {day.isoformat()} to {agenda.week_end.isoformat()}: no follow-ups, thank-yous "
                "or meetings. A good day to add people you would like to meet to Contacts."]
    lines = [f"Agenda for {day.strftime('%A')} {day.isoformat()} ({agenda.path})"]
    for key, title in GROUP_TITLES.items():
        items = agenda.groups[key]
        if not items:
            continue
        lines += ["", f"{title} ({len(items)})"]
        for item in items:
            who = item.name or "(no name)"
            lines.append(f"  {who} (row {item.row}): {item.action}{_when(item, day)}")
            if item.command:
                lines.append(f"      {item.command}")
    return lines


def _when(item, today) -> str:
    if item.days_late:
        return f" ({_days(item.days_late)} late)"
    ahead = (item.due - today).days
    if ahead > 0:
        return f" ({item.due.strftime('%a')} {item.due.isoformat()}, in {_days(ahead)})"
    return ""


def _days(n: int) -> str:
    return _plural(n, "day")


# --------------------------------------------------------------------------- chart calendar


def calendar_lines(result, day) -> list[str]:
    """What ``chart calendar`` wrote, and how to use it when it holds anything."""
    lines = [f"Wrote {result.path}: {_plural(result.meetings, 'meeting')} and "
             f"{_plural(result.reminders, 'reminder')} as of {day.isoformat()}."]
    if result.items:
        lines.append("Import it into your calendar; importing a newer export updates these events.")
    return lines


# --------------------------------------------------------------------------- chart import


def import_lines(result) -> list[str]:
    """A short human summary: the counts, then a line for each person."""
    counts = f"{len(result.added)} added, {len(result.merged)} merged, {len(result.skipped)} skipped"
    source = f"{result.file.path} ({result.file.label})"
    if result.dry_run:
        lines = [f"{result.path}: dry run of importing {source}: {counts}; nothing was written."]
    elif result.written:
        lines = [f"{result.path}: imported {source}: {counts}."]
    else:
        lines = [f"{result.path}: nothing new in {source}: {counts}; the file was not rewritten."]
    if result.added:
        lines.append("Added to Contacts:")
        lines += [f"  row {o.row}: {o.name}" for o in result.added]
    if result.merged:
        lines.append("Blank cells filled for people already in the chart:")
        lines += [f"  row {o.row}: {o.name}: {', '.join(o.filled)} (from {o.where} of the file)"
                  for o in result.merged]
    if result.skipped:
        lines.append("Skipped:")
        lines += [f"  {o.where} of the file: {o.name or '(no name)'}: {o.reason}" for o in result.skipped]
    lines += result.notes
    if result.backup is not None:
        lines.append(f"Backup of the previous version: {_shown(result.backup)}")
    return lines


def import_json(result) -> dict:
    """The same summary as a dict, for scripts."""
    return {
        "path": str(result.path),
        "file": str(result.file.path),
        "format": result.file.format,
        "format_label": result.file.label,
        "dry_run": result.dry_run,
        "written": result.written,
        "backup": str(result.backup) if result.backup else None,
        "counts": {"added": len(result.added), "merged": len(result.merged), "skipped": len(result.skipped)},
        "added": [{"row": o.row, "name": o.name, "from": o.where} for o in result.added],
        "merged": [{"row": o.row, "name": o.name, "from": o.where, "filled": o.filled} for o in result.merged],
        "skipped": [{"name": o.name, "from": o.where, "reason": o.reason, "row": o.row} for o in result.skipped],
        "notes": result.notes,
    }


# --------------------------------------------------------------------------- chart report


def report_written_line(out, report, fmt: str) -> str:
    """What ``chart report -o FILE`` wrote: ``Wrote log.csv (csv): 9 activities for the week of Monday …``."""
    n = len(report.log)
    span = ("the " if report.period.is_week else "") + report.period.label()
    return f"Wrote {_shown(out)} ({fmt}): {n} activit{'y' if n == 1 else 'ies'} for {span}."
