"""The strategy's workbook holds the risks and the finance plan beside the actions: restricted risks only for those allowed."""

# ruff: noqa: F811  (the fixtures imported below are the tests' arguments)

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from finance.services import actual_record
from risks.models import RiskScale
from tests.finance.conftest import finance_lead, finance_plan, mitigation  # noqa: F401  (fixtures)
from tests.risks.conftest import make_risk, restricted_risk, risk  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def workbook(client, strategy):
    response = client.get(reverse("reporting:dashboard_export", args=[strategy.pk, "xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def column(sheet, index: int) -> list:
    return [row[index] for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_holds_the_risks_and_the_finance_plan_after_the_actions(
    client, board, strategy, risk, restricted_risk, mitigation, finance_lead
):
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("-4200000.25"), by=finance_lead)
    client.force_login(board)
    book = workbook(client, strategy)
    assert book.sheetnames == ["Actions", "Risks", "Finance years", "Mitigations", "Actual figures"]
    assert column(book["Risks"], 0) == ["Ref", "R1"]  # the restricted R9 is not the board member's to read
    years = list(book["Finance years"].iter_rows(values_only=True))
    assert years[1][:3] == ("2024-25", 60000000, 110000000) and years[-1][0] == "2030-31" and len(years) == 8
    assert [row[3:5] for row in book["Mitigations"].iter_rows(values_only=True)][1:] == [
        ("2024-25", 5000000),
        ("2025-26", 12500000.5),
    ]
    actual = list(book["Actual figures"].iter_rows(values_only=True))[1]
    assert actual[:4] == ("M1", "2024-25", dt.datetime(2025, 3, 31), -4200000.25)  # numbers a workbook adds up


def test_an_officer_and_a_role_the_officer_allows_read_restricted_risks_marked_not_to_share(
    client, officer, board, strategy, risk, restricted_risk
):
    client.force_login(officer)
    sheet = workbook(client, strategy)["Risks"]
    assert sorted(zip(column(sheet, 0), column(sheet, 15), strict=True))[:2] == [("R1", "no"), ("R9", "yes: do not share")]
    scale = RiskScale.for_partnership(strategy.partnership_id)
    scale.restricted_roles = ["board_member"]
    scale.save()
    client.force_login(board)
    assert "R9" in column(workbook(client, strategy)["Risks"], 0)
    assert "R9" in column(load_workbook(io.BytesIO(client.get(reverse("risks:register_export", args=[strategy.pk])).content))["Risks"], 0)


def test_a_risk_that_reads_like_a_formula_is_text_in_the_workbook(client, officer, strategy, owner_post):
    make_risk(strategy, owner_post, ref="R2", title='=HYPERLINK("http://evil","Click")', controls="@SUM(A1)")
    client.force_login(officer)
    sheet = workbook(client, strategy)["Risks"]
    cell = sheet["B2"]
    assert cell.value == '=HYPERLINK("http://evil","Click")' and cell.data_type == "s"
    assert sheet["L2"].value == "@SUM(A1)" and sheet["L2"].data_type == "s"


def test_a_strategy_without_risks_or_a_finance_plan_exports_its_actions_alone(client, board, strategy, action):
    client.force_login(board)
    assert workbook(client, strategy).sheetnames == ["Actions"]
