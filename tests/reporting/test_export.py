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
from actions.planfile import COLUMNS
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
    assert header == COLUMNS
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
    assert cell.value == "'=1+1" and cell.data_type == "s"
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
    assert row["latest_narrative"] == "'=Panel met; two plans issued." and row["last_updated_by"] == "Sam Okafor"
    assert row["last_updated_at"] and row["overdue"] == "Yes" and row["due_soon"] == "No"  # due 30 Sep 2025
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:N{sheet.max_row}"
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["A"].width >= 8  # the action text is widest
