"""A plan or KPI file is read within limits, and whatever it holds is answered with row-numbered problems, never a 500.

A small XLSX that declares a huge sheet, a stray cell far away, a NUL byte or a
value longer than its field: each is refused in the reading step, before
anything is written, and the import is closed rather than left to fail again.
"""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.urls import reverse
from openpyxl import Workbook

from actions.models import Action, PlanImport
from actions.planfile import plan_read
from intake import tables as importers
from intake.tables import read_table
from kpis.importers import kpi_values_read
from kpis.models import KpiValue
from tests.kpis.conftest import indicator  # noqa: F401  (fixture)

HEADER = ["priority", "delivery_group", "sub_group", "ref", "action", "owner", "due", "rating", "notes"]
ROW = ["Right Support", "1. Oversight", "", "SP1", "Strengthen oversight", "Head of Service: Inclusion", "September 2025", "Amber", ""]
CSV_HEADER = ",".join(HEADER) + "\n"


def xlsx(rows, far: dict[str, str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref, value in (far or {}).items():
        sheet[ref] = value  # the saved sheet then declares <dimension ref="A1:..."> reaching it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.mark.slow
def test_a_small_xlsx_declaring_the_whole_sheet_is_read_quickly_and_within_memory():
    content = xlsx([HEADER, ROW], far={"XFD1048576": "far away"})
    assert len(content) < 10_000
    # Before the fix the reader walked every declared cell: 39 s and 1 GB. Memory says so without a clock,
    # which a busy machine would make flaky (timings belong in bench/).
    tracemalloc.start()
    table = read_table(content, "plan.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # The stray cell is past the header's last column: not read at all.
    assert [number for number, _ in table] == [0, 2] and table[1][1]["ref"] == "SP1"
    assert set(table[0][1]) == set(HEADER)
    assert peak < 20 * 1024 * 1024, peak


def test_a_stray_cell_under_the_header_far_down_is_refused_with_its_row(db):
    content = xlsx([HEADER, ROW], far={"A1048576": "far away"})
    with pytest.raises(importers.ImportFileError, match=r"Row 1,048,576 is past the limit of 20,000 rows") as raised:
        read_table(content, "plan.xlsx")
    assert raised.value.row == 1_048_576


def test_too_many_rows_or_cells_are_refused_with_the_row_where_the_limit_was_passed(monkeypatch):
    monkeypatch.setattr(importers, "MAX_ROWS", 5)
    rows = [[f"P{i}", "G", "", f"R{i}", "Text", "", "TBC", "Amber", ""] for i in range(6)]
    as_csv = (CSV_HEADER + "".join(",".join(r) + "\n" for r in rows)).encode()
    for content, name in [(xlsx([HEADER, *rows]), "plan.xlsx"), (as_csv, "plan.csv")]:
        with pytest.raises(importers.ImportFileError, match=r"Row 7 is past the limit of 5 rows"):
            read_table(content, name)
    monkeypatch.setattr(importers, "MAX_ROWS", 100)
    monkeypatch.setattr(importers, "MAX_CELLS", 20)
    with pytest.raises(importers.ImportFileError, match=r"Row 5 takes the file past the limit of 20 filled cells"):
        read_table(xlsx([HEADER, *rows]), "plan.xlsx")


def test_a_header_wider_than_any_import_format_is_refused():
    with pytest.raises(importers.ImportFileError, match="Row 1 has more than 100 column headings"):
        read_table(xlsx([[f"column {i}" for i in range(101)]]), "plan.xlsx")


def test_columns_past_the_header_are_not_read_from_a_csv():
    table = read_table((CSV_HEADER + ",".join(ROW) + "," * 5000 + "stray\n").encode(), "plan.csv")
    assert list(table[1][1]) == HEADER and table[1][1]["notes"] == ""


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(importers, "XLSX_MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(importers.ImportFileError, match="unpacks to more than"):
        read_table(xlsx([HEADER, ROW]), "plan.xlsx")


def test_a_csv_cell_too_big_for_the_csv_reader_is_a_row_numbered_problem():
    content = (CSV_HEADER + ",".join(ROW) + "\n" + '"' + "x" * 200_000 + '",G,,R2,T,,TBC,Amber,\n').encode()
    with pytest.raises(importers.ImportFileError, match=r"Row 3 could not be read as CSV"):
        read_table(content, "plan.csv")


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("delivery_group", "G" * 400, "is 400 characters long: at most 300 fit"),
        ("priority", "P" * 301, "is 301 characters long: at most 300 fit"),
        ("sub_group", "S" * 301, "is 301 characters long: at most 300 fit"),
        ("owner", "O" * 400, "an owner's job title can be at most 300 characters"),
        ("due", "2025 " * 30, "at most 100 fit"),
        ("ref", "R" * 41, "is 41 characters long: at most 40 fit"),
        ("action", "Text with a NUL \x00 byte", "contains a NUL character"),
        ("notes", "\x00", "contains a NUL character"),
        ("rating", "Amb\x00er", "contains a NUL character"),
    ],
)
def test_a_value_the_database_cannot_hold_is_a_problem_with_its_row_and_column(strategy, column, value, message):
    row = dict(zip(HEADER, ROW, strict=True))
    row[column] = value
    files = [] if "\x00" in value else [(xlsx([HEADER, ROW[:3] + ["SP0"] + ROW[4:], list(row.values())]), "plan.xlsx")]
    for content, name in [
        *files,  # a spreadsheet program cannot write a NUL into an XLSX; a CSV export can carry one
        ((CSV_HEADER + ",".join(ROW[:3] + ["SP0"] + ROW[4:]) + "\n" + ",".join(row.values()) + "\n").encode(), "plan.csv"),
    ]:
        changes = plan_read(content, name, strategy)
        assert [(p.row, p.column) for p in changes.problems if message in p.message] == [(3, column)], changes.problems
        assert all("\x00" not in p.value and len(p.value) <= 80 for p in changes.problems)


def test_the_upload_page_lists_those_problems_and_the_confirm_step_never_applies_them(client, officer, action):
    client.force_login(officer)
    plan = CSV_HEADER + ",".join(ROW[:1] + ["G" * 400] + ROW[2:]) + "\n" + ",".join(ROW[:3] + ["SP2", "A NUL \x00 here"] + ROW[5:]) + "\n"
    file = SimpleUploadedFile("pl\x00an.csv", plan.encode(), content_type="text/csv")
    response = client.post(reverse("actions:plan_import_upload", args=[action.strategy.pk]), {"file": file})
    kept = PlanImport.objects.get()
    assert response.status_code == 302 and kept.status == PlanImport.Status.REJECTED and kept.filename == "plan.csv"
    html = client.get(response.url).content.decode()
    assert "Nothing was imported: 2 problems" in html and "at most 300 fit" in html and "Contains a NUL character" in html


def test_an_import_previewed_before_the_checks_is_closed_at_confirm_not_failed_again(client, officer, action):
    """An upload kept as "previewed" whose file the database cannot hold: confirming it gives its problems, once."""
    content = (CSV_HEADER + ",".join(ROW[:1] + ["G" * 400] + ROW[2:]) + "\n").encode()
    kept = PlanImport.objects.create(strategy=action.strategy, uploaded_by=officer, filename="plan.csv", content=content)
    client.force_login(officer)
    response = client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    assert response.status_code == 302 and response.url == reverse("actions:plan_import_preview", args=[kept.pk])
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.REJECTED and "at most 300 fit" in str(kept.summary["problems"])
    again = client.post(reverse("actions:plan_import_confirm", args=[kept.pk]), follow=True)
    assert "already been imported, or had problems" in again.content.decode()
    assert Action.objects.count() == 1


def test_a_database_refusal_while_applying_writes_nothing_and_closes_the_import(client, officer, action, monkeypatch):
    def refuse(*args, **kwargs):
        Action.objects.create(strategy=action.strategy, group=action.group, ref="HALF", text="half", rating=action.rating)
        raise DataError("value too long for type character varying(300)")

    monkeypatch.setattr("actions.readers.plan_apply", refuse)
    content = (CSV_HEADER + ",".join(ROW[:3] + ["SP2"] + ROW[4:]) + "\n").encode()
    kept = PlanImport.objects.create(strategy=action.strategy, uploaded_by=officer, filename="plan.csv", content=content)
    client.force_login(officer)
    response = client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.REJECTED and "nothing was changed" in str(kept.summary["problems"])
    assert not Action.objects.filter(ref="HALF").exists()
    assert "nothing was changed" in client.get(response.url).content.decode()


def test_kpi_values_are_read_within_the_same_limits(indicator):  # noqa: F811
    header = ["indicator", "period", "value", "note"]
    content = xlsx([header, [indicator.code, "2025-04", "80", ""]], far={"A1048576": "x"})
    result = kpi_values_read(content, "values.xlsx", indicator.strategy)
    assert [(p.row, p.message[:40]) for p in result.problems] == [(1_048_576, "Row 1,048,576 is past the limit of 20,00")]
    rows = [header, [indicator.code, "2025-04", "80", "a NUL \x00"], [indicator.code, "2" * 30, "81", ""]]
    result = kpi_values_read("".join(",".join(r) + "\n" for r in rows).encode(), "values.csv", indicator.strategy)
    assert [(p.row, p.column) for p in result.problems] == [(2, "note"), (3, "period")]
    assert not KpiValue.objects.exists()


def test_an_uploaded_plan_past_a_limit_is_refused_from_one_reading_not_read_again_in_the_import_format(
    client, officer, strategy, monkeypatch
):
    def read_again(*args, **kwargs):
        raise AssertionError("a file refused by its limits is read once")

    monkeypatch.setattr("actions.planfile.read_table", read_again)
    content = xlsx([HEADER, ROW], far={"A1048576": "far away"})
    client.force_login(officer)
    response = client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": SimpleUploadedFile("plan.xlsx", content)})
    kept = PlanImport.objects.get()
    assert kept.status == PlanImport.Status.REJECTED
    assert [p["message"] for p in kept.summary["problems"]] == ["The sheet 'Sheet' has more than 20,000 rows: keep only the plan."]
    assert "has more than 20,000 rows" in client.get(response.url).content.decode()
