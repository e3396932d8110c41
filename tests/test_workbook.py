"""Reading the chart from a workbook's sheets (workbook.py): which sheet, column and field is which.

A sheet, column or Profile field named exactly wins over one that only matches an alias,
wherever the alias stands (issue 11, point 10). A workbook without a Contacts sheet or its
Name column is not a chart: one line says so, exit 2.
"""

from __future__ import annotations

from conftest import GOOD_PROFILE, assert_unreadable, profile_rows, write_chart, write_workbook

from workbook_tool.workbook import read_chart


# --------------------------------------------------------------------------- exact names beat aliases (point 10)


def test_an_exact_sheet_name_beats_an_alias_before_it(tmp_path):
    path = write_workbook(tmp_path / "chart.xlsx", {
        "Chart": [["Name", "Email"], ["Old Friend", "old@example.com"], ["Older Friend", None]],
        "Settings": [["Field", "Value"], ["Your Name", "Somebody Else"]],
        "Targets": [["Name", "Why"], ["Someone", "old list"]],
        "Contacts": [["Name", "Email"], ["Ann Lee", "ann@fabrikam.org"]],
        "Profile": profile_rows(GOOD_PROFILE),
        "Want to Meet": [["Name", "Why"], ["Head of Data", "curious"]],
    })
    chart = read_chart(path)
    assert (chart.contacts.sheet, chart.profile.sheet, chart.want_to_meet.sheet) == ("Contacts", "Profile",
                                                                                      "Want to Meet")
    assert [r.text("name") for r in chart.contacts.rows] == ["Ann Lee"]
    assert chart.profile.text("your_name") == "Jordan Rivera"


def test_an_alias_still_finds_a_sheet_when_no_sheet_has_the_name(tmp_path):
    path = write_workbook(tmp_path / "chart.xlsx", {"Notes": [["x"]], "Chart": [["Name"], ["Ann Lee"]]})
    assert read_chart(path).contacts.sheet == "Chart"


def test_an_exact_header_beats_an_alias_before_it(tmp_path):
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Company", "Comments / Follow-up", "Mail", "Organization",
                                                 "NOTES", "Email"],
                       [["Ann Lee", "Old Co", "old notes", "old@example.com", "Fabrikam", "met at the fair",
                         "ann@fabrikam.org"]])
    contacts = read_chart(path).contacts
    assert {k: contacts.columns[k] for k in ("organization", "notes", "email")} == {"organization": 5, "notes": 6,
                                                                                   "email": 7}
    row = contacts.rows[0]
    assert (row.text("organization"), row.text("notes"), row.text("email")) == ("Fabrikam", "met at the fair",
                                                                                  "ann@fabrikam.org")


def test_an_alias_header_is_read_when_the_exact_one_is_absent(tmp_path):
    path = write_chart(tmp_path / "chart.xlsx", ["Name", "Company", "Firm"], [["Ann Lee", "Contoso", "Fabrikam"]])
    assert read_chart(path).contacts.rows[0].text("organization") == "Contoso"  # the first alias, as before


def test_an_exact_profile_label_beats_an_alias_before_it(tmp_path):
    profile = [["Field", "Value"], ["Email", "old@example.com"], *([k, v] for k, v in GOOD_PROFILE.items())]
    path = write_chart(tmp_path / "chart.xlsx", ["Name"], [["Ann Lee"]], profile=profile)
    chart = read_chart(path)
    assert chart.profile.text("your_email") == "jordan@example.com"
    assert chart.profile.cells["your_email"] == "B4"


# --------------------------------------------------------------------------- workbooks that are not charts


def test_no_contacts_sheet(tmp_path):
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": [["Item", "Cost"]], "Sheet2": [["x"]]})
    assert_unreadable(path, "has no Contacts sheet (its sheets: 'Budget', 'Sheet2'). Rename the sheet that lists "
                            "your contacts to Contacts, or make a new chart with: chart init NEW.xlsx")


def test_no_name_column(tmp_path):
    path = write_chart(tmp_path / "noname.xlsx", ["Surname", "Email"], [["Lee", "ann@fabrikam.org"]])
    assert_unreadable(path, "sheet 'Contacts': has no Name column in its first 10 rows. Add a header row with Name "
                            "above your data (see 'chart init --help' for every column).")


def test_name_column_below_the_first_ten_rows(tmp_path):
    path = write_workbook(tmp_path / "deep.xlsx", {"Contacts": [["My contacts"]] + [[]] * 9 + [["Name", "Email"]]})
    assert_unreadable(path, "sheet 'Contacts': has no Name column in its first 10 rows. Add a header row with Name "
                            "above your data (see 'chart init --help' for every column).")
