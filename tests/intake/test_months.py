"""Months are months: a month cell, a month typed as text and a full date import to what the plan means, in every path."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from actions import trackers
from actions.models import Action, parse_due
from actions.planfile import COLUMNS, plan_read
from intake.tables import read_sheets, read_table

MONTH = Action.DuePrecision.MONTH
DAY = Action.DuePrecision.DAY


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("March 2026", (dt.date(2026, 3, 31), MONTH)),
        ("Mar 2026", (dt.date(2026, 3, 31), MONTH)),
        ("Mar-26", (dt.date(2026, 3, 31), MONTH)),
        ("Feb-28", (dt.date(2028, 2, 29), MONTH)),
        ("Mar '26", (dt.date(2026, 3, 31), MONTH)),
        ("03/2026", (dt.date(2026, 3, 31), MONTH)),
        ("2026-03", (dt.date(2026, 3, 31), MONTH)),
        ("Sep-2025", (dt.date(2025, 9, 30), MONTH)),
        ("15/03/2026", (dt.date(2026, 3, 15), DAY)),
        ("2026-03-15", (dt.date(2026, 3, 15), DAY)),
    ],
)
def test_a_month_typed_as_text_is_due_at_the_end_of_that_month(text, due):
    assert parse_due(text) == due


@pytest.mark.parametrize("text", ["13/2026", "2026-13", "Smarch-26"])
def test_a_month_that_does_not_exist_is_refused(text):
    from actions.models import DueDateError

    with pytest.raises(DueDateError):
        parse_due(text)


def plan_workbook(dues: list[tuple[object, str | None]]) -> bytes:
    """The import format as a workbook, one action per due cell (a value and its number format)."""
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for number, (due, number_format) in enumerate(dues, start=1):
        sheet.append(["Early help", "Early years", "", f"EY{number}", f"Action {number}", "Head of Early Years", due, "Green", ""])
        if number_format:
            sheet.cell(row=sheet.max_row, column=COLUMNS.index("due") + 1).number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CELLS = [
    (dt.datetime(2026, 3, 1), "mmm-yy"),  # what Excel makes of someone typing "Mar-26"
    (dt.datetime(2026, 3, 1), "mmmm yyyy"),
    (dt.datetime(2026, 3, 1), "mm/yyyy"),
    (dt.datetime(2026, 3, 1), "[$-809]mmm yy;@"),
    ("Mar-26", None),
    ("03/2026", None),
    (dt.datetime(2026, 3, 15), "dd/mm/yyyy"),
]


def test_month_cells_in_the_import_format_are_due_at_the_end_of_the_month_and_shown_as_written(strategy):
    changes = plan_read(plan_workbook(CELLS), "plan.xlsx", strategy)
    assert not changes.problems
    due = [(p.due_date, p.due_precision, p.due_text) for p in changes.actions]
    end_of_march = (dt.date(2026, 3, 31), MONTH)
    assert due == [
        (*end_of_march, "Mar-26"),
        (*end_of_march, "March 2026"),
        (*end_of_march, "03/2026"),
        (*end_of_march, "Mar-26"),
        (*end_of_march, "Mar-26"),
        (*end_of_march, "03/2026"),
        (dt.date(2026, 3, 15), DAY, "2026-03-15"),
    ]


def test_the_table_and_the_tracker_readers_read_a_month_cell_alike():
    content = plan_workbook(CELLS[:1])
    (_header, (_number, row)) = read_table(content, "plan.xlsx")
    (sheet,) = read_sheets(content, "plan.xlsx")
    assert row["due"] == sheet.rows[1][1][COLUMNS.index("due")] == "Mar-26"


def test_a_tracker_with_month_cells_is_due_at_the_end_of_the_month(strategy):
    book = Workbook()
    sheet = book.active
    sheet.append(["Objective", "Task", "Lead", "Deadline", "RAG"])
    sheet.append(["1. Early help", "Launch the toolkit", "Head of Early Years", dt.datetime(2025, 12, 1), "G"])
    sheet.cell(row=2, column=4).number_format = "mmm-yy"
    out = io.BytesIO()
    book.save(out)
    reading = trackers.plan_upload_read(out.getvalue(), "tracker.xlsx", strategy)
    changes = trackers.tracker_read(out.getvalue(), "tracker.xlsx", strategy, reading.mapping)
    (planned,) = changes.actions
    assert (planned.due_date, planned.due_precision, planned.due_text) == (dt.date(2025, 12, 31), MONTH, "Dec-25")
