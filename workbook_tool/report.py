"""Turning results into what commands print: lines for people, dicts for scripts.

Kept out of cli.py so the wording can be tested without a terminal, and out
of the modules that do the work so they stay free of presentation.
"""

from __future__ import annotations

from .validate import ERROR

MAX_LISTED = 15


def _plural(n: int, word: str) -> str:
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
        "next_steps": [{"row": c.row, "name": c.name, "before": c.before, "after": c.after,
                        "due": c.due.isoformat() if c.due else None} for c in plan.step_changes],
        "referrals": [{"person": r.person, "referred_by": r.referred_by, "chain": r.chain, "depth": r.depth,
                       "stage": r.stage} for r in plan.referrals],
        "loops": [loop for _, loop in plan.loops],
        "notes": list(plan.notes),
        "problems": [p.as_dict() for p in plan.problems],
    }


# --------------------------------------------------------------------------- chart draft


def draft_skip_lines(run) -> list[str]:
    """One line per contact that got no draft, with the reason."""
    lines = []
    for s in run.skipped:
        who = f"{s.name} (row {s.row})" if s.name else f"row {s.row}"
        lines.append(f"Skipped {who}: {s.reason}.")
    return lines


def _finding_lines(draft, indent: str = "  ") -> list[str]:
    return [f"{indent}warning: {f.message} [{f.code}]" for f in draft.findings]


def draft_check_lines(run, kind: str, style: str) -> list[str]:
    """``chart draft --check``: each draft's findings (or ok), the skipped, a count."""
    lines = []
    for d in run.drafts:
        lines += [f"{d.filename}: {f.message} [{f.code}]" for f in d.findings] or [f"{d.filename}: ok"]
    lines += draft_skip_lines(run)
    failing = sum(bool(d.findings) for d in run.drafts)
    lines.append(f"{_plural(len(run.drafts), kind + ' draft')} checked, {failing} falling short of the {style} "
                 "rules.")
    return lines


def draft_stdout_lines(run) -> list[tuple[str, bool]]:
    """``chart draft --stdout``: (text, to_stderr) pieces — the drafts on stdout, warnings on stderr."""
    pieces: list[tuple[str, bool]] = []
    for i, d in enumerate(run.drafts):
        pieces.append((("\n" if i else "") + f"==> {d.filename} <==\n", False))
        pieces.append((d.text(), False))
        pieces += [(line + "\n", True) for line in _finding_lines(d, indent="")]
    return pieces


WRITE_LABELS = {"wrote": "Wrote", "unchanged": "Unchanged", "kept": "Kept"}


def draft_write_lines(run, written, kind: str, folder) -> list[str]:
    """What ``chart draft`` wrote, kept or left unchanged, warnings, the skipped, and a count."""
    lines = []
    for w in written:
        notes = list(w.draft.notes)
        if w.status == "kept":
            notes.append("it exists with other content, perhaps your edits; --force replaces it")
        lines.append(f"{WRITE_LABELS[w.status]} {w.path}" + (f" ({'; '.join(notes)})" if notes else ""))
        lines += _finding_lines(w.draft)
    lines += draft_skip_lines(run)
    lines.append(f"{_plural(len(run.drafts), kind + ' draft')} in {folder}; "
                 f"{_plural(len(run.skipped), 'contact')} skipped.")
    return lines
