"""KPI definitions and values load from CSV or XLSX, all of it or nothing, with row-numbered problems."""

from __future__ import annotations

import io
import os
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kpis.models import Indicator, KpiValue, Rag
from tests.conftest import FIXTURES

KPIS = FIXTURES / "kpis"
QUIET = {"stdout": open(os.devnull, "w"), "stderr": io.StringIO()}


def load(strategy, prefix: str) -> None:
    call_command("load_kpis", str(KPIS / f"{prefix}-kpis.csv"), strategy=strategy.name, stdout=io.StringIO())
    call_command("import_kpi_values", str(KPIS / f"{prefix}-kpi-values.csv"), strategy=strategy.name, stdout=io.StringIO())


def test_it_loads_the_one_plans_kpis_and_values(one_plan):
    load(one_plan, "cheshire-east")
    assert Indicator.objects.filter(strategy=one_plan).count() == 36
    assert KpiValue.objects.filter(indicator__strategy=one_plan).count() == 70
    ehcps = Indicator.objects.get(strategy=one_plan, code="CE-EHCP-TOTAL")
    assert ehcps.values.get(period="2024-12").value == Decimal("4854")
    assert {g.name for g in ehcps.delivery_groups.all()} == {
        "2. Inclusion, SEN Support and our Graduated Approach",
        "3. Education, Health and Care (EHC) Needs Assessments and Plans",
    }
    weeks = Indicator.objects.get(strategy=one_plan, code="CE-EHC-AVGWK")
    assert weeks.direction == "lower" and weeks.target == Decimal("23") and weeks.stretch_aim == Decimal("20")
    illustrative = KpiValue.objects.filter(indicator=weeks)
    assert illustrative and all(v.note.startswith("Illustrative demo data") for v in illustrative)


def test_it_loads_cheshire_wests_kpis_and_values(west_plan):
    load(west_plan, "cheshire-west")
    assert Indicator.objects.filter(strategy=west_plan).count() == 34
    health = Indicator.objects.get(strategy=west_plan, code="CW-HEALTH-SAT")
    latest = health.values.order_by("period_start").last()
    assert (latest.period, health.rag(latest.value)) == ("2025", Rag.ON_TARGET)  # 72 against "over 70%"


def test_loading_again_changes_nothing(one_plan):
    load(one_plan, "cheshire-east")
    out = io.StringIO()
    call_command("import_kpi_values", str(KPIS / "cheshire-east-kpi-values.csv"), strategy=one_plan.name, stdout=out)
    assert "Imported 0 KPI values" in out.getvalue() and "70 already there" in out.getvalue()
    assert KpiValue.objects.filter(indicator__strategy=one_plan).count() == 70


def test_a_bad_values_file_imports_nothing_and_names_every_row(tmp_path, indicator):
    path = tmp_path / "values.csv"
    path.write_text(
        "indicator,period,value,england,note\n"
        "EHC-20WK,2025-01,70,65,fine\n"
        "EHC-20WK,2025-13,71,,bad month\n"
        "NOPE,2025-02,1,,unknown KPI\n"
        "EHC-20WK,2025-03,lots,,not a number\n"
        "EHC-20WK,2025-01,70,,repeated period\n"
        'EHC-20WK,2025-04,"1,20",,a comma that groups no thousands\n',
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="5 problem"):
        call_command("import_kpi_values", str(path), strategy=indicator.strategy.name, stdout=io.StringIO(), stderr=err)
    messages = err.getvalue()
    assert "row 3, column 'period' ('2025-13'): Enter the period as a month such as 2024-12" in messages
    assert "row 4, column 'indicator' ('NOPE')" in messages
    assert "row 5, column 'value' ('lots')" in messages
    assert "row 6, column 'period'" in messages and "row 2" in messages
    assert "row 7, column 'value' ('1,20')" in messages and "comma out of place" in messages
    assert not KpiValue.objects.exists()


def test_a_different_value_for_a_stored_period_is_refused_rather_than_overwritten(tmp_path, indicator):
    KpiValue.objects.create(indicator=indicator, period="2025-01", period_start="2025-01-01", value=Decimal("70"))
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value\nEHC-20WK,2025-01,75\nEHC-20WK,2025-02,76\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_kpi_values", str(path), strategy=indicator.strategy.name, stdout=io.StringIO(), stderr=err)
    assert "already has 70% for 2025-01" in err.getvalue()
    assert KpiValue.objects.count() == 1


def test_it_reads_values_from_a_spreadsheet(tmp_path, indicator):
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Period", "Value", "England", "Region", "Statistical neighbours", "Note"])
    sheet.append(["EHC-20WK", "2025-01", 70.5, 60, 62, 64, "from the spreadsheet"])
    path = tmp_path / "values.xlsx"
    book.save(path)
    call_command("import_kpi_values", str(path), strategy=indicator.strategy.name, stdout=io.StringIO())
    value = KpiValue.objects.get()
    assert (value.value, value.england, value.region, value.statistical_neighbours) == (
        Decimal("70.5"),
        Decimal("60"),
        Decimal("62"),
        Decimal("64"),
    )


def test_a_bad_definitions_file_loads_nothing(tmp_path, strategy, group):
    path = tmp_path / "kpis.csv"
    path.write_text(
        "code,name,delivery_groups,unit,direction,frequency,target\n"
        "A1,Fine,1. Oversight,percentage,higher,monthly,85\n"
        "A2,Bad unit,1. Oversight,furlongs,higher,monthly,\n"
        "A3,Bad group,No such group,count,sideways,monthly,ten\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 problem"):
        call_command("load_kpis", str(path), strategy=strategy.name, stdout=io.StringIO(), stderr=err)
    assert "row 3, column 'unit' ('furlongs')" in err.getvalue()
    assert "row 4, column 'delivery_groups' ('No such group')" in err.getvalue()
    assert not Indicator.objects.exists()
