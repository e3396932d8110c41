"""people.py: one index finds a person by email, phone or name, and every command asks it alike."""

from __future__ import annotations

import datetime as dt

from conftest import contact, run, write_chart
from openpyxl import load_workbook

from workbook_tool.drafts import Drafter
from workbook_tool.people import EMAIL, KINDS, NAME, PHONE, People
from workbook_tool.stages import contact_steps
from workbook_tool.workbook import Row, read_chart

TODAY = dt.date(2026, 11, 25)


def _row(number, **values) -> Row:
    return Row(number, values)


def test_a_person_is_found_by_any_key_in_its_folded_form():
    ann = _row(2, name="Dr. Ann Lée", email="Ann@Example.com", phone="(617) 555-0101")
    people = People.of_rows([ann], "US")
    assert people.find("someone else", ["ann@example.COM"]) is ann
    assert people.find("someone else", phones=["+1 617 555 0101"]) is ann
    assert people.find("Lee, Ann") is ann
    assert people.named("ann lee") is ann
    assert people.find("Bob Roe", ["bob@example.com"], ["617-555-0199"]) is None


def test_keys_are_trusted_email_then_phone_then_name():
    by_name = _row(2, name="Ann Lee")
    by_phone = _row(3, name="A. Lee", phone="617-555-0101")
    by_email = _row(4, name="Annie", email="ann@example.com")
    people = People.of_rows([by_name, by_phone, by_email], "US")
    assert people.match(people.keys("Ann Lee", ["ann@example.com"], ["617-555-0101"])) == \
        ((EMAIL, "ann@example.com"), by_email)
    assert people.match(people.keys("Ann Lee", phones=["617-555-0101"])) == ((PHONE, "+16175550101"), by_phone)
    assert people.match(people.keys("Ann Lee")) == ((NAME, "ann lee"), by_name)


def test_the_first_person_given_a_key_keeps_it():
    first, second = _row(2, name="Ann Lee"), _row(5, name="ann lee", email="ann@example.com")
    people = People.of_rows([first, second], "US")
    assert people.named("Ann Lee") is first
    assert people.find("Bob", ["ann@example.com"]) is second


def test_a_phone_is_read_in_the_profile_region():
    row = _row(2, name="Ann", phone="020 7946 0958")
    assert People.of_rows([row], "GB").find("x", phones=["+44 20 7946 0958"]) is row
    assert People.of_rows([row], "US").find("x", phones=["+44 20 7946 0958"]) is None


def test_no_key_from_a_blank_or_broken_value():
    people = People.of_rows([_row(2, name="Dr.", email="not an address", phone="12")], "US")
    assert people.keys("Dr.", ["not an address"], ["12"]) == []
    assert people.named("") is None and people.named("Dr.") is None
    assert people.find("Dr.", ["not an address"], ["12"]) is None


def test_a_name_only_index_works_out_no_other_key():
    row = _row(2, name="Ann Lee", email="ann@example.com", phone="617-555-0101")
    people = People.of_rows([row], "US", kinds=(NAME,))
    assert people.keys("Ann Lee", ["ann@example.com"], ["617-555-0101"]) == [(NAME, "ann lee")]
    assert people.find("Someone", ["ann@example.com"]) is None
    assert people.named("Ann Lee") is row


def _two_ann_lees(tmp_path):
    # Bob recommended "Ann Lee"; two rows carry that name: the first was contacted, the second not.
    return write_chart(tmp_path / "c.xlsx", rows=[
        contact(name="Ann Lee", email="ann@example.com", channel="Email", contacted_on=dt.date(2026, 11, 2)),
        contact(name="Ann Lee", email="ann.lee@example.org", channel="Email"),
        contact(name="Bob Roe", email="bob@example.com", channel="Email", contacted_on=dt.date(2026, 10, 1),
                meeting_on=dt.date(2026, 10, 8), thanked_on=dt.date(2026, 10, 9), helpful="the tip",
                recommended="Ann Lee"),
    ])


def test_sync_agenda_and_draft_agree_on_whom_a_shared_name_names(tmp_path):
    # Before the one index, sync and agenda took the last row of a name and draft the first, so
    # Bob's next step differed between the Next Step column and his draft.
    path = _two_ann_lees(tmp_path)
    chart = read_chart(path)
    bob = next(r for r in chart.contacts.rows if r.text("name") == "Bob Roe")
    agenda_step = dict((r.number, s) for r, s in contact_steps(chart, TODAY))[bob.number]
    draft_step = Drafter(chart, TODAY).step(bob)
    assert agenda_step.action == draft_step.action == "Keep in touch: a short note with news"

    assert run("sync", path, "--today", TODAY.isoformat()).exit_code == 0
    ws = load_workbook(path)["Contacts"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(bob.number, headers.index("Next Step") + 1).value == draft_step.action


# values_keys is keys() of one address and one number, written out for speed: the same keys, in order,
# for any cells and any choice of kinds.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELLS = st.sampled_from([None, "", "   ", "Ann Lee", "Dr. Ann Lée", "Lee, Ann", "?", 0, 6175550101, 6175550101.0,
                          "ann@example.com", "ANN@Example.COM ", "mailto:ann@example.com", "ann@fabrikam",
                          "not an address", "617-555-0101", "(617) 555-0101", "+44 20 7946 0958", "555",
                          "+1 617 555 0101 ext. 4", True])


@settings(max_examples=1500, deadline=None)
@given(name=_CELLS, email=_CELLS, phone=_CELLS, region=st.sampled_from(["US", "GB", "DE"]),
       kinds=st.sampled_from([KINDS, (NAME,), (EMAIL, NAME), (PHONE,), (EMAIL, PHONE)]))
def test_values_keys_are_keys_of_one_address_and_one_number(name, email, phone, region, kinds):
    people = People(region, kinds)
    assert people.values_keys({"name": name, "email": email, "phone": phone}) == people.keys(name, [email], [phone])


# file_new is match() then add_keys() of the keys before the one matched, in one pass (for distinct keys).
_KEYS = st.lists(st.tuples(st.sampled_from([EMAIL, PHONE, NAME]), st.sampled_from(["a", "b", "c"])), max_size=4,
                 unique=True)


@settings(max_examples=500, deadline=None)
@given(rows=st.lists(_KEYS, max_size=8))
def test_file_new_is_match_then_the_keys_new_before_it(rows):
    ours, theirs = People(), People()
    for item, keys in enumerate(rows):
        hit = theirs.match(keys)
        theirs.add_keys(keys if hit is None else keys[:keys.index(hit[0])], item)
        assert ours.file_new(keys, item) == hit
        assert ours._by_key == theirs._by_key


@settings(max_examples=200, deadline=None)
@given(held=st.lists(st.tuples(st.sampled_from(["email", "phone", "name"]), st.sampled_from("abc")), max_size=3),
       rows=st.lists(st.lists(st.tuples(st.sampled_from(["email", "phone", "name"]), st.sampled_from("abcd")),
                              max_size=3), max_size=8))
def test_filing_every_row_at_once_files_each_key_under_its_first_holder(held, rows):
    # People.add_all (every row of a chart at once) must file what add_keys, row after row, files.
    one_by_one, at_once = People(), People()
    for people in (one_by_one, at_once):
        people.add_keys(held, "held before")
    for number, keys in enumerate(rows):
        one_by_one.add_keys(keys, number)
    at_once.add_all(rows, range(len(rows)))
    for kind, value in {key for keys in rows for key in keys} | set(held):
        assert one_by_one.match([(kind, value)]) == at_once.match([(kind, value)])


# name_keys folds a column's plain ASCII names together by a byte table: each key must be the one name_key
# gives the cell alone, whatever the column holds (line breaks, lone commas, honorifics, accents, numbers).
_NAME_CELLS = st.one_of(st.text(alphabet="aZ09 ,._-\n\t\x1c'Drsm", max_size=14), st.text(max_size=8),
                        st.sampled_from([None, 42, 1.5, True, "Dr. Ann Lee", "Lee, Ann", "Mr Mrs", "Zoë Lée",
                                         "Straße", "ﬁne", "a_b", "x\u2028y", "  "]))


@settings(max_examples=1500, deadline=None)
@given(values=st.lists(_NAME_CELLS, max_size=10))
def test_name_keys_of_a_column_are_each_cells_name_key(values):
    from workbook_tool.fields import name_key
    from workbook_tool.people import name_keys

    assert name_keys(values) == [name_key(v) for v in values]


# people_keys (an import's people, a column at a time) is keys() of each person's name, addresses and numbers.
@settings(max_examples=500, deadline=None)
@given(people=st.lists(st.tuples(_CELLS, st.lists(_CELLS, max_size=3), st.lists(_CELLS, max_size=3)), max_size=6),
       region=st.sampled_from(["US", "GB", "DE"]),
       kinds=st.sampled_from([KINDS, (NAME,), (EMAIL, NAME), (PHONE,), (EMAIL, PHONE)]))
def test_people_keys_are_keys_of_each_person(people, region, kinds):
    from types import SimpleNamespace

    finder = People(region, kinds)
    persons = [SimpleNamespace(name=n, emails=e, phones=p) for n, e, p in people]
    assert finder.people_keys(persons) == [finder.keys(n, e, p) for n, e, p in people]


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(_CELLS, _CELLS, _CELLS), max_size=8), region=st.sampled_from(["US", "GB"]))
def test_an_index_of_rows_files_each_row_as_add_values_does(rows, region):
    from types import SimpleNamespace

    rows = [SimpleNamespace(values={"name": n, "email": e, "phone": p}, number=i) for i, (n, e, p) in enumerate(rows)]
    at_once, one_by_one = People.of_rows(rows, region), People(region)
    for row in rows:
        one_by_one.add_values(row.values, row)
    assert at_once._by_key == one_by_one._by_key
