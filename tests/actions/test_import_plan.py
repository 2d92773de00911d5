"""Importing a plan: all of it or nothing, with every problem reported by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from actions.models import Action, ActionUpdate, DeliveryGroup, Priority, Snapshot, Strategy
from people.models import Post
from tests.conftest import FIXTURES

HEADER = ["priority", "delivery_group", "sub_group", "ref", "action", "owner", "due", "rating", "notes"]
GOOD_ROWS = [
    ["Right Support", "1. Oversight", "", "SP1", "Strengthen oversight", "Head of Service: Inclusion", "September 2025", "On track", ""],
    [
        "Right Support",
        "3. EHC plans",
        "A. Panels",
        "EHC-A1",
        "Review panels",
        "Head of Service: Inclusion; PCF Chair",
        "Sep 2025",
        "Delayed",
        "",
    ],
    ["Right Place", "9. Sufficiency", "", "PS1", "Open new places", "To be allocated", "TBC", "", "Phase: 1"],
]


def write_csv(tmp_path, rows, header=HEADER, name="plan.csv", bom=False, newline="\n"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8"))
    return path


def run_import(path, strategy="Test Plan", **options):
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("partnership", "Northshire SEND Partnership")
    options.setdefault("scheme", "cheshire-east")
    call_command("import_plan", str(path), strategy=strategy, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def failing_import(path, **options) -> str:
    err = io.StringIO()
    options.setdefault("partnership", "Northshire SEND Partnership")
    options.setdefault("scheme", "cheshire-east")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), strategy="Test Plan", stdout=io.StringIO(), stderr=err, **options)
    return err.getvalue()


def test_it_imports_a_plan_with_hierarchy_owners_dates_and_ratings(db, tmp_path):
    out, _ = run_import(write_csv(tmp_path, GOOD_ROWS))
    assert "3 new" in out
    strategy = Strategy.objects.get(name="Test Plan")
    assert list(strategy.priorities.values_list("name", flat=True)) == ["Right Support", "Right Place"]
    sub = DeliveryGroup.objects.get(name="A. Panels")
    assert sub.parent.name == "3. EHC plans"
    ehc = Action.objects.get(ref="EHC-A1")
    assert sorted(ehc.owner_titles()) == ["Head of Service: Inclusion", "PCF Chair"]
    assert ehc.group == sub and ehc.rating.label == "Red" and ehc.due_date == dt.date(2025, 9, 30)
    ps1 = Action.objects.get(ref="PS1")
    assert not ps1.owners.exists() and ps1.due_date is None and ps1.rating.label == "Grey" and ps1.notes == "Phase: 1"
    assert ActionUpdate.objects.filter(source="import").count() == 3


def test_reimporting_the_same_file_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    run_import(path)
    before = (Action.objects.count(), ActionUpdate.objects.count(), list(Action.objects.values_list("version", flat=True)))
    out, _ = run_import(path)
    assert "0 new, 0 changed" in out and "3 unchanged" in out
    after = (Action.objects.count(), ActionUpdate.objects.count(), list(Action.objects.values_list("version", flat=True)))
    assert after == before


def test_an_edited_file_updates_matched_actions_records_rating_changes_and_reports_missing(db, tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    edited = [row[:] for row in GOOD_ROWS[:2]]
    edited[0][7] = "Complete"
    edited[1][4] = "Review panels, with families"
    out, _ = run_import(write_csv(tmp_path, edited, name="edited.csv"))
    assert "2 changed (1 rating changes)" in out
    assert "not in the file and were left as they are: PS1" in out
    sp1 = Action.objects.get(ref="SP1")
    assert sp1.rating.label == "Green" and sp1.version == 2
    change = sp1.updates.get(source="import", rating_before__isnull=False)
    assert (change.rating_before.label, change.rating_after.label) == ("Amber", "Green")
    assert Action.objects.get(ref="EHC-A1").text == "Review panels, with families"
    assert Action.objects.filter(ref="PS1").exists()


@pytest.mark.parametrize(
    "row_change, expected",
    [
        ({3: "SP1"}, "row 4, column 'ref' ('SP1'): duplicate ref: row 2 has it already"),
        ({6: "31/02/2026"}, "row 4, column 'due' ('31/02/2026'): '31/02/2026' is not a real date"),
        ({6: "Whenever"}, "row 4, column 'due' ('Whenever')"),
        ({7: "Purple"}, "row 4, column 'rating' ('Purple'): not a rating in the Cheshire East five-level rating scheme"),
        ({4: ""}, "row 4, column 'action': the action is missing"),
        ({0: " "}, "row 4, column 'priority': the priority is missing"),
    ],
)
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(db, tmp_path, row_change, expected):
    rows = [row[:] for row in GOOD_ROWS]
    for column, value in row_change.items():
        rows[2][column] = value
    err = failing_import(write_csv(tmp_path, rows))
    assert expected in err
    assert not Action.objects.exists() and not Priority.objects.exists() and not Post.objects.exists()
    assert not Strategy.objects.exists()


def test_every_problem_in_a_file_is_reported_at_once(db, tmp_path):
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][7], rows[1][6], rows[2][3] = "Purple", "Smarch 2025", ""
    err = failing_import(write_csv(tmp_path, rows))
    assert "row 2, column 'rating'" in err and "row 3, column 'due'" in err and "row 4, column 'ref'" in err


def test_a_ref_with_a_space_or_comma_is_refused_as_lists_of_refs_are_separated_by_them(db, tmp_path):
    """Risks, findings and related actions name actions in lists ("SP1 SP2, EHC-A1"): "SP 1" could never be named."""
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][3], rows[1][3] = "SP 1", "EHC-A1,A2"
    err = failing_import(write_csv(tmp_path, rows))
    assert "row 2, column 'ref'" in err and "row 3, column 'ref'" in err
    assert "a ref is one word, without spaces, commas or semicolons" in err
    assert not Action.objects.exists()


def test_a_missing_column_is_reported(db, tmp_path):
    header = [h for h in HEADER if h != "rating"]
    rows = [row[:7] + row[8:] for row in GOOD_ROWS]
    err = failing_import(write_csv(tmp_path, rows, header=header))
    assert "row 1, column 'rating': the 'rating' column is missing" in err


def test_a_failure_on_a_later_row_of_an_existing_strategy_leaves_it_untouched(db, tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][7] = "Complete"
    rows[2][6] = "31/04/2026"
    failing_import(write_csv(tmp_path, rows, name="bad.csv"))
    assert Action.objects.get(ref="SP1").rating.label == "Amber"


def test_dry_run_reports_and_writes_nothing(db, tmp_path):
    out, _ = run_import(write_csv(tmp_path, GOOD_ROWS), dry_run=True)
    assert "Would import 3 actions" in out
    assert not Action.objects.exists() and not Strategy.objects.exists()


def test_it_reads_bom_crlf_multiline_cells_smart_quotes_and_non_english_text(db, tmp_path):
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][4] = "Line one\r\nLine two with “smart quotes” and ‘apostrophes’ – and Cymraeg: Ysgol Gymraeg Bro Môr"
    rows[1][7] = "Complete but need to evidence impact"
    out, _ = run_import(write_csv(tmp_path, rows, bom=True, newline="\r\n"))
    assert "3 new" in out
    text = Action.objects.get(ref="SP1").text
    assert text.startswith("Line one\r\nLine two with “smart quotes”") and "Bro Môr" in text
    assert Action.objects.get(ref="EHC-A1").rating.label == "Amber E"


def test_it_imports_xlsx_with_real_date_cells(db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Priority", "Delivery_Group", "Action", "Owner", "Due", "Rating"])  # any order, any case
    sheet.append(["X1", "Right Time", "12. Attendance", "Improve attendance", "Head of Attendance", dt.datetime(2026, 3, 31), "Amber"])
    sheet.append(["X2", "Right Time", "12. Attendance", "Reduce part-time timetables", "", "March 2026", "On track"])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    run_import(path)
    x1 = Action.objects.get(ref="X1")
    assert x1.due_date == dt.date(2026, 3, 31) and x1.due_precision == "day" and x1.rating.label == "Amber"


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"this is not a workbook")
    assert "could not be read as an Excel workbook" in failing_import(path)
    path = tmp_path / "plan.csv"
    path.write_bytes("priority,ref\nCafé,1\n".encode("latin-1"))
    assert "not UTF-8" in failing_import(path)


def test_the_one_plan_imports_faithfully(one_plan):
    actions = Action.objects.filter(strategy=one_plan)
    assert actions.count() == 186
    assert list(one_plan.priorities.values_list("name", flat=True)) == ["Right Support", "Right Place", "Right Time"]
    assert one_plan.delivery_groups.filter(parent__isnull=True).count() == 14
    ehc_c6 = actions.get(ref="EHC-C6")
    assert ehc_c6.owner_titles() == ["Inclusion Quality Officer (D)"]
    assert ehc_c6.due_label() == "Dec 2025"
    assert actions.get(ref="B2T-1.5").due_label() == "TBC"
    assert actions.get(ref="SP8").rating.label == "Amber E"
    assert actions.get(ref="SL10").rating.label == "Red"
    assert actions.get(ref="EHC-A1").group.name == "A. Decision making and panel processes"
    assert actions.get(ref="EHC-A1").group.parent.name == "3. Education, Health and Care (EHC) Needs Assessments and Plans"
    counts = {label: actions.filter(rating__label=label).count() for label in ["Grey", "Amber", "Amber E", "Green", "Red"]}
    assert counts == {"Grey": 99, "Amber": 65, "Amber E": 12, "Green": 7, "Red": 3}
    assert one_plan.ratings_as_at == dt.date(2025, 5, 14)
    area3 = one_plan.delivery_groups.get(name__startswith="3. Education")
    assert area3.what_needs_to_improve.startswith("The quality and timeliness of Education, Health and Care")
    snapshot = Snapshot.objects.get(strategy=one_plan)
    assert snapshot.as_at == dt.date(2025, 5, 14) and snapshot.items.count() == 186


def test_the_cheshire_west_strategy_imports_with_no_owners_or_dates(db):
    folder = FIXTURES / "cheshire-west-strategy"
    meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    run_import(
        folder / "actions.csv", strategy=meta["strategy"], partnership=meta["partnership"], scheme="rag", details=folder / "plan.json"
    )
    actions = Action.objects.filter(strategy__name=meta["strategy"])
    assert actions.count() == 43
    assert Strategy.objects.get(name=meta["strategy"]).priorities.count() == 6
    assert not actions.filter(owners__isnull=False).exists()
    assert not actions.filter(due_date__isnull=False).exists()
    assert set(actions.values_list("rating__label", flat=True)) == {"Not started"}
    assert actions.filter(ref="6.8").exists() and not actions.filter(ref="2.2").exists()
