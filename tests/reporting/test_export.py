"""Exporting the dashboard's actions in the import format: safe in a spreadsheet, and back through import_plan unchanged."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action
from actions.planfile import COLUMNS, STATUS_COLUMNS
from intake.tables import cell_escape, cell_unescape
from people.models import Membership
from tests.conftest import make_user


def export(client, strategy, file_format: str, query: str = ""):
    return client.get(reverse("reporting:dashboard_export", args=[strategy.pk, file_format]) + (f"?{query}" if query else ""))


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-5 days", "'-5 days"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already quoted", "''=already quoted"),
        ("Plain text", "Plain text"),
        ("'quoted' words", "'quoted' words"),
        ("", ""),
        # A writer drops control characters, and a spreadsheet passes over invisible ones and spaces:
        # what follows them is checked.
        ('\x01=HYPERLINK("http://evil")', '\'\x01=HYPERLINK("http://evil")'),
        ("\x00\x1f+1", "'\x00\x1f+1"),
        ("\ufeff\u200b@SUM(A1)", "'\ufeff\u200b@SUM(A1)"),
        (" \n=1+1", "' \n=1+1"),
        ("'\x01=1", "''\x01=1"),
        ("\x01plain", "\x01plain"),
    ],
)
def test_formula_cells_are_neutralised_and_come_back_unchanged(text, escaped):
    assert cell_escape(text) == escaped
    assert cell_unescape(cell_escape(text)) == text


def test_the_csv_export_is_an_attachment_in_the_import_format(client, board, action):
    Action.objects.filter(pk=action.pk).update(text='=HYPERLINK("http://evil.example","Click")', notes="@risk")
    client.force_login(board)
    response = export(client, action.strategy, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="send-strategy-2025-2028-actions-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    header, line = csv_table(response)
    # The same columns as the workbook: the plan's, then the status columns the import ignores.
    assert header == COLUMNS + STATUS_COLUMNS
    cells = dict(zip(header, line, strict=True))
    assert cells["action"] == '\'=HYPERLINK("http://evil.example","Click")' and cells["notes"] == "'@risk"
    assert (cells["ref"], cells["owner"], cells["due"], cells["rating"]) == ("SP1", "Head of Service: Inclusion", "September 2025", "Amber")


def test_the_xlsx_export_holds_text_never_formulas(client, board, action):
    Action.objects.filter(pk=action.pk).update(text="=1+1", due_date=None, due_precision="none", due_text="")
    action.owners.clear()
    client.force_login(board)
    response = export(client, action.strategy, "xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="send-strategy-2025-2028-actions-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS  # the plan's columns first; read-only status columns after
    cell = sheet.cell(row=2, column=COLUMNS.index("action") + 1)
    # A string cell: the text as written, no apostrophe showing, never run as a formula.
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert rows[1][COLUMNS.index("owner")] == "To be allocated" and rows[1][COLUMNS.index("due")] == "TBC"


def test_the_export_follows_the_filters(client, one_plan):
    chair = make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)
    client.force_login(chair)
    refs = [line[COLUMNS.index("ref")] for line in csv_table(export(client, one_plan, "csv", "rating=red"))[1:]]
    assert sorted(refs) == ["EHC-A5", "EHC-A6", "SL10"]


def test_an_unknown_format_is_not_found(client, board, action):
    client.force_login(board)
    assert client.get(f"/strategies/{action.strategy_id}/dashboard/export.html").status_code == 404


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_whole_one_plan_round_trips_through_import_plan(client, one_plan, tmp_path, file_format):
    chair = make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)
    # Text a spreadsheet would run must survive the trip as the same text.
    Action.objects.filter(strategy=one_plan, ref="SP1").update(text="=SUM(A1:A9) is not a formula", notes="-see SP2")
    client.force_login(chair)
    path = tmp_path / f"export.{file_format}"
    path.write_bytes(export(client, one_plan, file_format).content)
    call_command(
        "import_plan",
        str(path),
        strategy="One Plan copy",
        partnership=one_plan.partnership.name,
        scheme="cheshire-east",
        stdout=open(os.devnull, "w"),
    )

    def plan(name: str) -> dict:
        actions = Action.objects.filter(strategy__name=name).select_related("rating", "group__parent", "group__priority")
        return {
            a.ref: (
                a.text,
                sorted(a.owner_titles()),
                a.due_date,
                a.due_precision,
                a.due_text,
                a.rating.code,
                a.notes,
                a.group.priority.name,
                a.group.parent.name if a.group.parent_id else a.group.name,
                a.group.name if a.group.parent_id else "",
            )
            for a in actions.prefetch_related("owners")
        }

    original, copy = plan(one_plan.name), plan("One Plan copy")
    assert len(copy) == 186
    assert copy == original
    assert copy["SP1"][0] == "=SUM(A1:A9) is not a formula" and copy["SP1"][6] == "-see SP2"


def test_the_xlsx_export_is_a_sheet_an_officer_can_work_in(client, board, action, owner, level):
    from actions.models import ActionUpdate

    owner.first_name, owner.last_name = "Sam", "Okafor"
    owner.save()
    ActionUpdate.objects.create(action=action, author=owner, rating_after=level("amber"), narrative="=Panel met; two plans issued.")
    client.force_login(board)
    sheet = load_workbook(io.BytesIO(export(client, action.strategy, "xlsx").content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS + ["latest_narrative", "last_updated_by", "last_updated_at", "overdue", "due_soon"]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["latest_narrative"] == "=Panel met; two plans issued." and row["last_updated_by"] == "Sam Okafor"
    assert row["last_updated_at"] and row["overdue"] == "Yes" and row["due_soon"] == "No"  # due 30 Sep 2025
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:N{sheet.max_row}"
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["A"].width >= 8  # the action text is widest


def test_a_control_character_before_a_formula_leaves_no_formula_in_either_export(client, board, action):
    from actions.models import ActionUpdate

    Action.objects.filter(pk=action.pk).update(text='\x01=HYPERLINK("http://evil.example","Click")', notes="\x02\x03+1")
    ActionUpdate.objects.create(action=action, author=board, rating_after=action.rating, narrative="\x1f@SUM(A1)")
    client.force_login(board)
    sheet = load_workbook(io.BytesIO(export(client, action.strategy, "xlsx").content)).active
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    # XLSX cannot hold the control characters: what is left is a string cell, never a formula.
    assert row["action"].value == '=HYPERLINK("http://evil.example","Click")' and row["action"].data_type == "s"
    assert row["notes"].value == "+1" and row["notes"].data_type == "s"
    assert row["latest_narrative"].value == "@SUM(A1)" and row["latest_narrative"].data_type == "s"
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    header, line = csv_table(export(client, action.strategy, "csv"))
    cells = dict(zip(header, line, strict=True))
    # In a CSV the apostrophe goes first, before the character a spreadsheet would drop.
    assert cells["action"].startswith("'\x01=") and cells["notes"] == "'\x02\x03+1" and cells["latest_narrative"] == "'\x1f@SUM(A1)"


def test_the_workbook_holds_real_dates_shown_as_the_plans_month_and_prints_one_page_wide(client, board, action):
    import datetime as dt

    client.force_login(board)
    book = load_workbook(io.BytesIO(export(client, action.strategy, "xlsx").content))
    sheet = book.active
    due = sheet.cell(row=2, column=COLUMNS.index("due") + 1)
    assert due.is_date and due.value.date() == dt.date(2025, 9, 30) and due.number_format == "mmmm yyyy"
    assert all(cell.font.b for cell in sheet[1]) and all(cell.alignment.wrap_text for cell in sheet[2])
    assert sheet.column_dimensions["G"].width <= 20  # the due column is as wide as a month, not its longest text
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"  # the heading row on every printed page
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_one_long_value_wraps_rather_than_widening_its_column():
    from intake.tables import _column_widths

    table = [["due", "action"]] + [["March 2026", "Short"]] * 20 + [["June 2025 (impact data from December 2025, at the board)", "x"]]
    due, _ = _column_widths(table)
    assert due < 20


def test_a_month_column_is_wide_enough_to_show_its_longest_month_not_hashes():
    import datetime as dt

    from intake.tables import DateCell, _column_widths

    months = [[DateCell(date=dt.date(2025, month, 28), text="", month=True)] for month in range(1, 13)]
    days = [[DateCell(date=dt.date(2025, 9, 30), text="2025-09-30")]] * 3
    (due,) = _column_widths([["due"], *months])
    assert due >= len("September 2025") + 1 and due <= 20
    (day,) = _column_widths([["due"], *days])
    assert day >= len("30 September 2025") + 1
