"""The table addresses.py checks a US number with: a finite automaton over the ten digits, built here
from the US metadata's patterns (tests/test_fields.py compares it with the stored one, and with the
patterns themselves on many numbers).

The patterns are phonenumbers' national-number patterns: digits, digit classes, groups, alternations
and counted repeats. Each pattern is expanded into the sequences of digit classes it can match (a few
hundred), the sequences of ten are kept (only ten-digit numbers are asked), and the automaton's states
are the sets of sequence tails still possible, merged where they accept the same numbers. Anything
else in a pattern (anchors, look-arounds, open repeats) makes ``build`` refuse.
"""

from __future__ import annotations

import re._constants as C  # noqa: N812 - the stdlib's own parser, used only here to read the patterns
import re._parser as P  # noqa: N812

DIGITS = frozenset("0123456789")
LENGTH = 10


def _classes(items) -> frozenset:
    out, negate = set(), False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            out |= {chr(av)} & DIGITS
        elif op is C.RANGE:
            out |= {chr(c) for c in range(av[0], av[1] + 1)} & DIGITS
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            out |= DIGITS
        else:
            raise ValueError(f"unexpected class item {op} {av}")
    return frozenset(DIGITS - out if negate else out)


def _paths(seq, limit=LENGTH) -> set[tuple]:
    """Every sequence of digit classes (at most ``limit`` long) the parsed pattern ``seq`` matches."""
    paths = {()}
    for op, av in seq:
        if op is C.LITERAL:
            steps = {(frozenset({chr(av)}) & DIGITS,)}
        elif op is C.IN:
            steps = {(_classes(av),)}
        elif op is C.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise ValueError("flags inside a pattern")
            steps = _paths(sub, limit)
        elif op is C.BRANCH:
            steps = set().union(*(_paths(alt, limit) for alt in av[1]))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = av
            if high is C.MAXREPEAT:
                raise ValueError("open repeat")
            one = _paths(sub, limit)
            steps = set()
            current = {()}
            for count in range(high + 1):
                if count >= low:
                    steps |= current
                current = {a + b for a in current for b in one if len(a) + len(b) <= limit}
        else:
            raise ValueError(f"unexpected pattern element {op}")
        paths = {a + b for a in paths for b in steps if len(a) + len(b) <= limit}
        paths = {p for p in paths if all(p)}  # a class with no digit matches no number
    return paths


def build(general: str | None, types: tuple[str, ...]) -> bytes:
    """The table: ``table[state * 10 + digit]`` is the next state; 0 refuses, 1 accepts, 2 starts."""
    def tens(pattern):
        return frozenset(p for p in _paths(P.parse(pattern)) if len(p) == LENGTH)

    general_paths = tens(general) if general is not None else frozenset()
    type_paths = frozenset().union(*(tens(t) for t in types)) if types else frozenset()

    # States are numbered as they are found, and two with the same next states for every digit are one:
    # 0 refuses every number, 1 accepts (after the tenth digit).
    rows: list[tuple] = [(0,) * 10, (0,) * 10]
    numbered: dict[tuple, int] = {}
    memo: dict = {}

    def state(a: frozenset, b: frozenset, depth: int) -> int:
        if not a or not b:
            return 0
        if depth == LENGTH:
            return 1
        key = (a, b)
        if key not in memo:
            nexts = tuple(state(frozenset(p[1:] for p in a if d in p[0]), frozenset(p[1:] for p in b if d in p[0]),
                                depth + 1) for d in "0123456789")
            if not any(nexts):
                memo[key] = 0
            else:
                if nexts not in numbered:
                    numbered[nexts] = len(rows)
                    rows.append(nexts)
                memo[key] = numbered[nexts]
        return memo[key]

    start = state(type_paths, general_paths, 0)
    if start < 2:
        raise ValueError("a degenerate table")
    # The start state is found last: number it 2, the others after it in the order found.
    order = [0, 1, start] + [n for n in range(2, len(rows)) if n != start]
    renumber = {old: new for new, old in enumerate(order)}
    if len(rows) > 256:
        raise ValueError("too many states for a byte table")
    table = bytearray()
    for old in order:
        table += bytes(renumber[n] for n in rows[old])
    return bytes(table)
