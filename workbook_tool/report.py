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
