"""Actual figures from a spreadsheet: previewed with row-numbered problems, added all together on confirmation or not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import StrategyUpload
from finance.models import FinanceActual

pytestmark = pytest.mark.django_db


def upload(client, strategy, text: str):
    file = SimpleUploadedFile("actuals.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("finance:actuals_upload", args=[strategy.pk]), {"file": file}, follow=True)


def test_a_finance_lead_previews_then_confirms_and_every_figure_is_added(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    response = upload(
        client, strategy, 'mitigation,year,as_at,achieved,note\nm1,2024-25,31/03/2025,"£4,200,000",Outturn\nM1,2025/26,30/09/2025,1.5m,\n'
    )
    page = response.content.decode()
    assert "2 figures to add" in page and "£4,200,000" in page and "£1,500,000" in page
    assert not FinanceActual.objects.exists()  # nothing until confirmed
    kept = StrategyUpload.objects.get(source="finance-actuals")
    response = client.post(reverse("finance:actuals_confirm", args=[kept.pk]))
    assert response.status_code == 302
    assert sorted(FinanceActual.objects.values_list("year", "achieved")) == [(2024, Decimal("4200000")), (2025, Decimal("1500000"))]
    assert client.post(reverse("finance:actuals_confirm", args=[kept.pk])).status_code == 302
    assert FinanceActual.objects.count() == 2  # a second confirmation adds nothing


def test_unknown_mitigations_years_outside_the_plan_and_text_amounts_are_listed_by_row_and_nothing_is_added(
    client, finance_lead, mitigation, strategy
):
    client.force_login(finance_lead)
    text = (
        "mitigation,year,as_at,achieved\nM1,2024-25,31/03/2025,100\nM9,2024-25,31/03/2025,100\n"
        "M1,2031-32,31/03/2032,100\nM1,2025-26,someday,lots\n"
    )
    page = upload(client, strategy, text).content.decode()
    assert "Nothing was added: 4 problems in actuals.csv" in page
    for message in (
        "There is no mitigation M9 in this plan",
        "2031-32 is outside the plan&#x27;s years (2024-25 to 2030-31)",
        "Enter the date as day/month/year",
        "Enter an amount in pounds",
    ):
        assert message in page
    assert StrategyUpload.objects.get(source="finance-actuals").status == StrategyUpload.Status.REJECTED
    assert not FinanceActual.objects.exists()


def test_a_figure_as_at_a_date_before_its_year_began_is_a_problem_on_its_row(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    page = upload(client, strategy, "mitigation,year,as_at,achieved\nM1,2025-26,30/06/2024,100\n").content.decode()
    assert "Nothing was added: 1 problem in actuals.csv" in page
    assert "A figure for 2025-26 cannot be as at a date before the year began on 1 April 2025" in page
    assert not FinanceActual.objects.exists()
    page = upload(client, strategy, "mitigation,year,as_at,achieved\nM1,2025-26,31/12/2030,100\n").content.decode()
    assert "A figure for 2025-26 cannot be as at a date after the year ended on 31 March 2026" in page
    assert not FinanceActual.objects.exists()


def test_a_file_missing_a_column_says_which(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    page = upload(client, strategy, "mitigation,year,achieved\nM1,2024-25,100\n").content.decode()
    assert "as_at" in page and not FinanceActual.objects.exists()


def test_the_upload_goes_through_the_intake_pages_and_lands_on_the_budget(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    response = upload(client, strategy, "mitigation,year,as_at,achieved\nM1,2025-26,30/09/2025,(250k)\n")
    page = response.content.decode()
    assert "Check the actual figures" in page and "Add these figures" in page and "High-needs budget" in page
    kept = StrategyUpload.objects.get(source="finance-actuals")
    response = client.post(reverse("finance:actuals_confirm", args=[kept.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("finance:plan", args=[strategy.pk])
    assert "Added 1 actual figure from actuals.csv" in response.content.decode()
    assert FinanceActual.objects.get().achieved == Decimal("-250000")
    assert FinanceActual.objects.get().entered_by == finance_lead


def test_a_note_too_long_is_a_problem_on_its_row_and_column(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    page = upload(client, strategy, f"mitigation,year,as_at,achieved,note\nM1,2025-26,30/09/2025,100,{'x' * 301}\n").content.decode()
    assert "Nothing was added: 1 problem in actuals.csv" in page and "at most 300 fit" in page
    assert not FinanceActual.objects.exists()


def test_a_partner_cannot_upload_and_another_partnership_cannot_see_the_preview(client, partner, outsider, mitigation, strategy):
    client.force_login(partner)
    assert client.get(reverse("finance:actuals_upload", args=[strategy.pk])).status_code == 403
    kept = StrategyUpload.objects.create(
        strategy=strategy, source="finance-actuals", uploaded_by=partner, filename="a.csv", content=b"mitigation\n"
    )
    assert client.get(reverse("finance:actuals_preview", args=[kept.pk])).status_code == 403
    assert client.post(reverse("finance:actuals_confirm", args=[kept.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("finance:actuals_preview", args=[kept.pk])).status_code == 404
