"""Who is who: the one index that finds a person by email address, phone number or name.

Every command that asks "is this person already here?" or "which row is the person
this cell names?" asks it here, so that they all answer alike: ``sync`` (the people
a contact recommended, Referred By chains, Want to Meet), ``import`` (the file's
people against the chart and against each other), ``validate`` (duplicate people),
``draft`` and ``agenda`` (a referrer's row, the referrals still to contact).

A person's keys are the folded forms ``fields`` defines: ``email_key`` (an address
that is not one gives none), ``phone_key`` in the Profile's region (E.164; a number
that does not parse gives none) and ``name_key`` (case, accents, punctuation,
honorifics and "Last, First" ignored). They are trusted in that order: an email
address names one person, a phone number nearly so, a name may be shared. The first
person given a key keeps it, as the first of two duplicate rows is the one the
others are reported against.
"""

from __future__ import annotations

from itertools import compress
from typing import Generic, Iterable, TypeVar

from .addresses import email_keys, phone_keys
from .fields import HONORIFICS, email_key, is_blank, name_key, phone_key

EMAIL, PHONE, NAME = "email", "phone", "name"
KINDS = (EMAIL, PHONE, NAME)  # the order keys are trusted in

Key = tuple[str, str]  # (kind, folded value)
T = TypeVar("T")


class People(Generic[T]):
    """Finds an item (a Contacts row, a person read from a file) by any of its keys.

    ``kinds`` limits the keys worked out: a phone number costs a parse, and a
    lookup by name alone (a Referred By cell) needs none.
    """

    def __init__(self, region: str = "US", kinds: tuple[str, ...] = KINDS):
        self.region = region
        self.kinds = kinds
        self._by_key: dict[Key, T] = {}

    @classmethod
    def of_rows(cls, rows: Iterable, region: str = "US", kinds: tuple[str, ...] = KINDS,
                names: list[str] | None = None) -> People:
        """Every row of a Contacts table, by its Name, Email and Phone cells.

        ``names``: each row's ``name_key``, when the caller has worked them out (``name_keys``).
        """
        people = cls(region, kinds)
        if kinds == (NAME,):
            # The lookups by name (agenda, draft) over 100,000s of rows: the one key, without the general path.
            # (name_key one row at a time: its cache then serves the look-ups by the same names that follow.)
            by_key = people._by_key
            if names is None:
                rows = list(rows)
                names = [name_key(row.values.get("name")) for row in rows]
            for row, key in zip(rows, names, strict=True):
                if key:
                    by_key.setdefault((NAME, key), row)
            return people
        rows = list(rows)
        people.add_all(people.rows_keys(rows), rows)  # (add_values of each row, a column at a time)
        return people

    def keys(self, name, emails: Iterable = (), phones: Iterable = ()) -> list[Key]:
        """The keys of a person, in the order they are trusted: each address, each number, the name."""
        found: list[Key] = []
        if EMAIL in self.kinds:
            found += [(EMAIL, k) for e in emails if not is_blank(e) and (k := email_key(e))]
        if PHONE in self.kinds:
            found += [(PHONE, k) for p in phones if not is_blank(p) and (k := phone_key(p, self.region))]
        if NAME in self.kinds and (k := name_key(name)):
            found.append((NAME, k))
        return found

    def people_keys(self, people: list) -> list[list[Key]]:
        """``keys(p.name, p.emails, p.phones)`` of each of ``people`` (``exports.Person``s), a column at a time:
        every address of the file, then every number, then every name (an import reads 100,000s)."""
        kinds = self.kinds
        none = [None] * len(people)
        emails = _regrouped(email_keys, [p.emails for p in people]) if EMAIL in kinds else none
        phones = _regrouped(lambda texts: phone_keys(texts, self.region), [p.phones for p in people]) \
            if PHONE in kinds else none
        names = name_keys([p.name for p in people]) if NAME in kinds else none
        found = []
        for email, phone, name in zip(emails, phones, names):
            keys = [(EMAIL, k) for k in email if k] if email else []
            if phone:
                keys += [(PHONE, k) for k in phone if k]
            if name:
                keys.append((NAME, name))
            found.append(keys)
        return found

    def values_keys(self, values: dict) -> list[Key]:
        """The keys of a row's values (its ``name``, ``email`` and ``phone``): ``keys`` of one address and
        one number, without its lists (asked for every row of a chart, twice by validate)."""
        found: list[Key] = []
        kinds = self.kinds
        if EMAIL in kinds and not is_blank(email := values.get("email")) and (k := email_key(email)):
            found.append((EMAIL, k))
        if PHONE in kinds and not is_blank(phone := values.get("phone")) and (k := phone_key(phone, self.region)):
            found.append((PHONE, k))
        if NAME in kinds and (k := name_key(values.get("name"))):
            found.append((NAME, k))
        return found

    def rows_keys(self, rows: Iterable) -> list[list[Key]]:
        """``values_keys`` of each row's values, in order: worked out once by validate and shared by its
        checks and the people sync would add (``placement.recommendations``), which ask them of every row."""
        # A column at a time (addresses.email_keys, phone_keys): the same keys, without a few calls per row.
        values = [row.values for row in rows]
        kinds = self.kinds
        none = [None] * len(values)
        emails = email_keys([v.get("email") for v in values]) if EMAIL in kinds else none
        phones = phone_keys([v.get("phone") for v in values], self.region) if PHONE in kinds else none
        names = name_keys([v.get("name") for v in values]) if NAME in kinds else none
        found = []
        for email, phone, name in zip(emails, phones, names):
            keys = [(EMAIL, email)] if email else []
            if phone:
                keys.append((PHONE, phone))
            if name:
                keys.append((NAME, name))
            found.append(keys)
        return found

    def add_keys(self, keys: Iterable[Key], item: T) -> None:
        """File ``item`` under each of ``keys`` that no one holds yet."""
        for key in keys:
            self._by_key.setdefault(key, item)

    def add_all(self, keys: Iterable[Iterable[Key]], items: Iterable[T]) -> None:
        """``add_keys(k, item)`` for each ``k`` and ``item`` of the two, in order (every row of a chart at once)."""
        by_key = self._by_key
        # The earliest holder of a key wins: made from the last pair to the first, each key's value in the dict
        # is its first holder's; then merged under the holders already filed.
        pairs = list(zip(keys, items))
        found = {key: item for item_keys, item in reversed(pairs) for key in item_keys}
        if by_key:
            found.update(by_key)
        self._by_key = found

    def add(self, item: T, name, emails: Iterable = (), phones: Iterable = ()) -> None:
        """File ``item`` under the keys of ``name``, ``emails`` and ``phones``."""
        self.add_keys(self.keys(name, emails, phones), item)

    def add_values(self, values: dict, item: T) -> None:
        """File ``item`` under the keys of a row's values."""
        self.add_keys(self.values_keys(values), item)

    def file_new(self, keys: Iterable[Key], item: T) -> tuple[Key, T] | None:
        """``match(keys)`` (``keys`` distinct), filing ``item`` under the keys before the one matched (under
        every key when none is held): a duplicate row is known by the keys that were new before the one it shares."""
        by_key = self._by_key
        for key in keys:
            holder = by_key.get(key)
            if holder is not None:
                return key, holder
            by_key[key] = item
        return None

    def match(self, keys: Iterable[Key]) -> tuple[Key, T] | None:
        """The first of ``keys`` someone holds, with its holder; None when no one holds any."""
        for key in keys:
            item = self._by_key.get(key)
            if item is not None:
                return key, item
        return None

    def find(self, name, emails: Iterable = (), phones: Iterable = ()) -> T | None:
        """Who already is this person: the same email address, phone number or name, tried in that order."""
        return self.find_keys(self.keys(name, emails, phones))

    def find_keys(self, keys: Iterable[Key]) -> T | None:
        """Who already holds the first of ``keys`` anyone holds (``match``'s holder), or None."""
        hit = self.match(keys)
        return None if hit is None else hit[1]

    def named(self, name) -> T | None:
        """Whom ``name`` names (a Referred By, Recommended or Possible Connector cell), if anyone."""
        key = name_key(name)
        return self._by_key.get((NAME, key)) if key else None


def name_keys(values: list) -> list[str]:
    """``[name_key(v) for v in values]``: a column's name keys at once (a test holds the two equal).

    Plain ASCII texts without a line break (which cuts them apart here) or a lone comma ("Last, First"
    is turned around), most names, are folded together as one text by a byte table; every other value
    goes to ``name_key``. A large chart has 100,000s of names, and the fold one by one was most of the
    time of finding duplicates.
    """
    plain = [v.__class__ is str and v.isascii() and "\n" not in v and v.count(",") != 1 for v in values]
    texts = list(compress(values, plain))
    if not texts:
        return [name_key(v) for v in values]
    # Letters and digits stay (capitals lowered, as casefold lowers them), every other character becomes
    # a space (name_key's words are the runs of letters and digits), and the texts are cut apart again.
    pieces = "\n".join(texts).encode("ascii").translate(_ASCII_FOLD).decode("ascii").split("\n")
    keys = [" ".join(w) if HONORIFICS.isdisjoint(w) else " ".join([x for x in w if x not in HONORIFICS])
            for w in map(str.split, pieces)]
    if len(keys) == len(values):
        return keys
    keys = iter(keys)
    return [next(keys) if p else name_key(v) for v, p in zip(values, plain)]


# name_key's fold of plain ASCII, a byte at a time: letters and digits as themselves (capitals lowered),
# the line break that cuts a column's texts apart kept, every other byte a space.
_ASCII_FOLD = bytes(b + 32 if 65 <= b <= 90 else b if 48 <= b <= 57 or 97 <= b <= 122 or b == 10 else 32
                    for b in range(256))


def _regrouped(column_keys, lists: list[list]) -> list[list]:
    """``[column_keys(texts) for texts in lists]``, asked once of all the texts together."""
    flat = column_keys([t for texts in lists for t in texts])
    out, start = [], 0
    for texts in lists:
        end = start + len(texts)
        out.append(flat[start:end])
        start = end
    return out
