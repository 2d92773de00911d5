"""Reading an officer's own tracker: headings, ratings, the header row, dates and refs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from actions import trackers
from actions.models import Action, ActionUpdate, RatingScheme
from actions.planfile import plan_apply
from intake.tables import read_sheets
from tests.actions.tracker_files import HEADERS, ROWS, tracker_workbook, tracker_xlsx

SYNONYM_CASES = [(phrase, column) for column, phrases in trackers.SYNONYMS.items() for phrase in phrases]


@pytest.mark.parametrize("header, column", SYNONYM_CASES, ids=[f"{c}:{p}" for p, c in SYNONYM_CASES])
def test_each_synonym_proposes_its_column(header, column):
    # As a heading on its own, in capitals with a trailing colon, and among other headings.
    assert trackers.propose_columns([header]) == [column]
    assert trackers.propose_columns([header.upper() + ":"]) == [column]
    others = [h for h in ["Ref", "Key task", "Objective"] if trackers.column_for_header(h)[0] != column]
    assert trackers.propose_columns([*others, header])[-1] == column


@pytest.mark.parametrize(
    "header, column",
    [
        ("Action owner (job title)", "owner"),
        ("Target completion date (month)", "due"),
        ("RAG status at May 2025", "rating"),
        ("Progress update for the board", "progress"),
        ("Strategic priority / outcome", "priority"),
    ],
)
def test_a_longer_heading_is_matched_by_the_words_in_it(header, column):
    assert trackers.propose_columns([header]) == [column]


def test_a_column_is_proposed_once_the_whole_heading_winning_over_words_inside_one():
    # "Lead" and "Accountable lead" both mean owner: the exact match wins, the other is not imported.
    assert trackers.propose_columns(["Lead officer notes", "Accountable lead", "Key task"]) == ["", "owner", "action"]
    assert trackers.propose_columns(["Who", "Lead"]) == ["owner", ""]


def test_a_heading_nobody_uses_for_a_plan_is_not_imported():
    assert trackers.propose_columns(["Budget (£k)", "Cost centre", ""]) == ["", "", ""]


RATING_CASES = [
    # scheme, value in the tracker, the level proposed
    ("rag", "R", "red"),
    ("rag", "a", "amber"),
    ("rag", "G", "green"),
    ("rag", "Green - on track", "green"),
    ("rag", "B", "complete"),
    ("rag", "Blue", "complete"),
    ("rag", "C", "complete"),
    ("rag", "Done", "complete"),
    ("rag", "Grey", "not-started"),
    ("rag", "N/S", "not-started"),
    ("rag", "Amber E", "complete"),
    ("brag", "b", "blue"),
    ("brag", "BLUE", "blue"),
    ("brag", "r", "red"),
    ("brag", "A", "amber"),
    ("brag", "g", "green"),
    ("brag", "Completed", "blue"),
    ("brag", "Red (delayed)", "red"),
    ("cheshire-east", "R", "red"),
    ("cheshire-east", "A", "amber"),
    ("cheshire-east", "G", "green"),
    ("cheshire-east", "AE", "amber-e"),
    ("cheshire-east", "Amber E", "amber-e"),
    ("cheshire-east", "amber (e)", "amber-e"),
    ("cheshire-east", "B", "green"),
    ("cheshire-east", "Grey", "grey"),
    ("cheshire-east", "Not yet started; no risk anticipated", "grey"),
    ("cheshire-east", "Complete but need to evidence impact", "amber-e"),
    ("cheshire-east", "On track", "amber"),
    ("cheshire-east", "Delayed", "red"),
]


@pytest.mark.parametrize("code, value, expected", RATING_CASES, ids=[f"{c}:{v}" for c, v, _ in RATING_CASES])
def test_each_rating_value_is_proposed_as_its_level(db, code, value, expected):
    scheme = RatingScheme.objects.get(code=code)
    assert trackers.level_proposed(value, scheme, list(scheme.levels.all())).code == expected


@pytest.mark.parametrize("value", ["Purple", "7", "Unknown", "?"])
def test_a_rating_nothing_explains_is_left_for_the_officer(db, value):
    scheme = RatingScheme.objects.get(code="rag")
    assert trackers.level_proposed(value, scheme, list(scheme.levels.all())) is None


@pytest.mark.parametrize(
    "values, scheme",
    [
        (["R", "A", "G"], "rag"),
        (["red", "Amber", "green", ""], "rag"),
        (["B", "R", "A", "G"], "brag"),
        (["Blue", "green"], "brag"),
        (["Amber E", "Green"], "cheshire-east"),
        (["AE", "B"], "cheshire-east"),
        (["Not yet started; no risk anticipated", "On track"], "cheshire-east"),
        (["Complete but need to evidence impact"], "cheshire-east"),
        (["On track", "Delayed"], None),
        ([], None),
    ],
)
def test_the_scheme_is_suggested_from_the_ratings_found(values, scheme):
    assert trackers.scheme_suggested(values) == scheme


def test_the_plan_sheet_and_its_header_row_are_found_past_title_rows_and_other_sheets():
    layouts = trackers.layouts_read(tracker_xlsx(), "tracker.xlsx")
    assert [layout.sheet for layout in layouts] == ["Action plan", "Chart data"]  # the read-me sheet has no headings
    plan = trackers.layout_chosen(layouts, None)
    assert plan.sheet == "Action plan" and plan.header_row == 4 and plan.headers == HEADERS
    assert trackers.layout_chosen(layouts, "Chart data").headers == ["BRAG status", "Actions"]
    assert plan.samples(5) == ["G", "a", "Red"]


def test_excel_date_cells_read_as_the_month_or_the_day_they_show():
    # A month cell reads as the month, written as the sheet shows it ("mmm yyyy": "Sep 2025").
    sheets = {sheet.name: sheet for sheet in read_sheets(tracker_xlsx(), "tracker.xlsx")}
    due = [cells[4] if len(cells) > 4 else "" for _n, cells in sheets["Action plan"].rows[3:9]]
    assert due == ["Sep 2025", "2025-11-28", "March 2026", "TBC", "To be determined", ""]


def test_a_file_with_no_heading_row_is_refused_with_a_message():
    workbook = Workbook()
    workbook.active.append(["just some notes"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(trackers.ImportFileError, match="No sheet of the file has a row of column headings we recognise"):
        trackers.layouts_read(out.getvalue(), "notes.xlsx")


def proposed(strategy, content=None):
    content = content or tracker_xlsx()
    reading = trackers.plan_upload_read(content, "tracker.xlsx", strategy)
    assert reading.changes is None  # a tracker: the officer is asked first
    return content, reading.mapping


def test_a_tracker_lands_in_its_priorities_groups_with_owners_dates_ratings_and_progress(strategy):
    content, mapping = proposed(strategy)
    assert mapping["scheme"] == "brag"  # B in the file suggests BRAG; the strategy has no actions yet
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, mapping)
    assert changes.ok, changes.problems
    assert changes.refs_made and changes.created == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    plan_apply(changes)
    strategy.refresh_from_db()
    assert strategy.scheme.code == "brag"
    got = {
        a.ref: (a.group.priority.name, a.group.name, sorted(a.owner_titles()), a.due_date, a.due_precision, a.rating.label)
        for a in Action.objects.select_related("group__priority", "rating")
    }
    assert got == {
        "1.1": ("1. Early help", "Early years", ["Head of Early Years"], dt.date(2025, 9, 30), "month", "Green"),
        "1.2": ("1. Early help", "Early years", ["Head of Early Years", "PCF Chair"], dt.date(2025, 11, 28), "day", "Amber"),
        "1.3": ("1. Early help", "Schools", ["Inclusion Lead"], dt.date(2026, 3, 31), "month", "Red"),
        "2.1": ("2. Preparing for adulthood", "Transitions", ["Head of Transitions"], None, "none", "Blue"),
        "2.2": ("2. Preparing for adulthood", "Transitions", [], None, "none", "Green"),
        "2.3": ("2. Preparing for adulthood", "Employment", ["Head of Transitions"], None, "none", "Not started"),
    }
    latest = {u.action.ref: u.narrative for u in ActionUpdate.objects.select_related("action")}
    assert latest["1.1"] == "Toolkit drafted with settings; launch event booked." and latest["1.2"] == "Imported from tracker.xlsx."
    assert latest["2.3"] == "Two employers signed up."


def test_the_same_tracker_again_changes_nothing_and_an_edited_one_changes_what_was_edited(strategy):
    content, mapping = proposed(strategy)
    plan_apply(trackers.tracker_read(content, "tracker.xlsx", strategy, mapping))
    updates = ActionUpdate.objects.count()

    again = trackers.tracker_read(content, "tracker.xlsx", strategy, mapping)
    assert again.ok and not again.created and not again.updated and len(again.unchanged) == 6

    rows = [list(row) for row in ROWS]
    rows[1][6], rows[1][7] = "Red", "Trainer left: recruiting."
    rows[4][7] = "Places mapped for 2026."
    edited = trackers.tracker_read(tracker_xlsx(rows), "tracker.xlsx", strategy, mapping)
    assert edited.updated == {"1.2": ["rating", "progress update"], "2.2": ["progress update"]}
    plan_apply(edited)
    assert ActionUpdate.objects.count() == updates + 2
    change = Action.objects.get(ref="1.2").updates.first()
    assert (change.rating_before.label, change.rating_after.label, change.narrative) == ("Amber", "Red", "Trainer left: recruiting.")
    assert Action.objects.get(ref="2.2").updates.first().narrative == "Places mapped for 2026."


def test_an_unreadable_date_is_a_problem_with_the_files_row_and_heading(strategy):
    rows = [list(row) for row in ROWS]
    rows[2][4] = "Spring-ish"
    content, mapping = proposed(strategy, tracker_xlsx(rows))
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, mapping)
    assert [(p.row, p.column, p.value) for p in changes.problems] == [(7, "Completion date", "Spring-ish")]
    assert "is not a date" in changes.problems[0].message


def test_a_heading_row_names_the_priority_of_the_rows_below_it(strategy):
    workbook = Workbook()
    sheet = workbook.active
    for line in [
        ["Area", "Key action", "Lead", "Target date", "RAG"],
        ["Priority 1: Identification"],
        [None, "Screen every two-year-old", "Health visiting lead", "Sep 2025", "G"],
        ["Priority 2: Belonging"],
        [None, "Run a belonging survey", "Inclusion lead", "TBC", "A"],
    ]:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    content, mapping = proposed(strategy, out.getvalue())
    changes = trackers.tracker_read(content, "t.xlsx", strategy, mapping)
    assert changes.ok, changes.problems
    assert [(a.ref, a.priority, a.delivery_group) for a in changes.actions] == [
        ("1.1", "Priority 1: Identification", "Priority 1: Identification"),
        ("2.1", "Priority 2: Belonging", "Priority 2: Belonging"),
    ]


def test_a_rating_the_mapping_leaves_out_is_a_problem_naming_the_scheme(strategy, action):
    # The strategy has actions, so it keeps its Cheshire East scheme whatever the mapping says.
    content, mapping = proposed(strategy)
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, {**mapping, "scheme": "brag", "ratings": {"g": "green"}})
    assert ("BRAG", "B") in [(p.column, p.value) for p in changes.problems]
    assert any("not a rating in the Cheshire East" in p.message for p in changes.problems)


def test_a_mapping_without_the_action_or_any_hierarchy_column_says_so(strategy):
    content, mapping = proposed(strategy)
    columns = {key: ("" if column in ("action", "priority", "delivery_group") else column) for key, column in mapping["columns"].items()}
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, {**mapping, "columns": columns})
    assert [p.message for p in changes.problems] == [
        "Choose the column that holds each action's text",
        "Choose the column that holds the priority or the delivery group",
    ]


def test_the_import_format_is_still_read_without_a_mapping(strategy):
    content = b"priority,delivery_group,ref,action,owner,due,rating\nRight Support,1. Oversight,SP9,Text,,TBC,\n"
    reading = trackers.plan_upload_read(content, "plan.csv", strategy)
    assert reading.mapping == {} and reading.changes.ok and reading.changes.created == ["SP9"]


def test_a_tracker_workbook_with_the_plan_on_a_later_sheet_keeps_its_other_sheets_out(strategy):
    workbook = tracker_workbook()
    assert workbook.sheetnames == ["Read me", "Action plan", "Chart data"]
    content, mapping = proposed(strategy)
    assert mapping["sheet"] == "Action plan"


def test_a_column_with_nothing_in_it_is_offered_as_not_imported(strategy):
    # "Comments" means notes, but the tracker leaves it empty: importing it would blank every action's notes.
    _content, mapping = proposed(strategy)
    assert trackers.column_for_header("Comments") == ("notes", 2)
    assert mapping["columns"]["comments"] == "" and mapping["columns"]["latest position"] == "progress"
