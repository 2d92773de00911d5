"""Officers and the KPI's owners enter values in the browser; everyone else only reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KpiValue
from tests.kpis.conftest import add_value


def post_value(client, indicator, htmx: bool = True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("kpis:value_add", args=[indicator.pk]), {"period": "2025-02", "value": "81", **data}, **headers)


@pytest.mark.parametrize(
    ("persona", "allowed"), [("owner", True), ("officer", True), ("other_lead", False), ("group_lead", False), ("board", False)]
)
def test_only_officers_and_the_kpis_owners_enter_values(client, request, indicator, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    detail = client.get(reverse("kpis:indicator_detail", args=[indicator.pk])).content.decode()
    assert ("Add a value" in detail) is allowed
    response = post_value(client, indicator)
    assert response.status_code == (200 if allowed else 403)
    assert KpiValue.objects.filter(indicator=indicator).exists() is allowed


@pytest.mark.parametrize(("persona", "status"), [("owner", 200), ("officer", 200), ("other_lead", 403), ("board", 403), ("outsider", 404)])
def test_only_officers_and_owners_may_open_a_correction(client, request, indicator, persona, status):
    value = add_value(indicator, "2025-01", "70")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("kpis:value_correct", args=[value.pk])).status_code == status


def test_an_htmx_entry_returns_the_refreshed_values_panel(client, owner, indicator):
    client.force_login(owner)
    response = post_value(client, indicator, england="79", note="From the monthly return")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="kpi-values">') and "<html" not in html
    assert "Value for February 2025 saved" in html and "81%" in html and "79%" in html
    value = KpiValue.objects.get()
    assert (value.value, value.england, value.entered_by, value.period_start.isoformat()) == (
        Decimal("81"),
        Decimal("79"),
        owner,
        "2025-02-01",
    )


def test_without_javascript_an_entry_redirects_back_to_the_kpi(client, officer, indicator):
    client.force_login(officer)
    response = post_value(client, indicator, htmx=False)
    assert response.status_code == 302 and response.url == indicator.get_absolute_url()
    assert "Value for February 2025 saved" in client.get(response.url).content.decode()


def test_a_duplicate_period_is_rejected_with_a_clear_message(client, officer, indicator):
    add_value(indicator, "2025-02", "70")
    client.force_login(officer)
    html = post_value(client, indicator).content.decode()
    assert "There is already a value for February 2025 (70%). To change it, correct that value and give a reason" in html
    assert KpiValue.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "Feb 2025"}, "Enter the period as a month such as 2024-12"),
        ({"period": ""}, "Enter the period"),
        ({"value": ""}, "Enter the value"),
        ({"value": "lots"}, "Value must be a number, such as 72 or 23.5"),
        ({"value": "120"}, "Value is a percentage: it must be between 0 and 100"),
        ({"value": "-1"}, "Value must be 0 or more"),
        ({"england": "1e99"}, "England must be a number below ten billion"),
        # A comma that does not group thousands is a slip (1.20 or 120?): refused, never read as 120.
        ({"value": "1,20"}, "Value has a comma out of place: commas go between thousands, such as 4,854"),
        ({"region": "12,34,567"}, "Region has a comma out of place"),
        ({"value": "NaN"}, "Value must be a number, such as 72 or 23.5"),
    ],
)
def test_bad_input_is_reported_by_the_field_without_saving(client, officer, indicator, data, message):
    client.force_login(officer)
    for htmx in (True, False):
        response = post_value(client, indicator, htmx=htmx, **data)
        html = response.content.decode()
        assert response.status_code == 200 and message in html and "govuk-input--error" in html
        if not htmx:
            assert "There is a problem" in html and "<title>Error:" in html
    assert not KpiValue.objects.exists()


def test_figures_are_read_as_the_upload_reads_them_and_each_refusal_names_its_field(client, officer, indicator):
    client.force_login(officer)
    html = post_value(client, indicator, value="lots", england="abc", region="n/a").content.decode()
    for label in ("Value", "England", "Region"):
        assert html.count(f"{label} must be a number, such as 72 or 23.5") == 2, label  # in the summary and by the field
    assert "Enter a number" not in html and not KpiValue.objects.exists()
    assert post_value(client, indicator, value="72%", england="70.5 %", htmx=False).status_code == 302
    indicator.unit = "count"
    indicator.save()
    assert post_value(client, indicator, period="2025-03", value="4,854", england="1,234,567", htmx=False).status_code == 302
    saved = [(v.value, v.england) for v in KpiValue.objects.order_by("period")]
    assert saved == [(Decimal("72"), Decimal("70.5")), (Decimal("4854"), Decimal("1234567"))]


def test_a_count_must_be_whole(client, officer, indicator):
    indicator.unit = "count"
    indicator.save()
    client.force_login(officer)
    assert "Value is a count: enter a whole number" in post_value(client, indicator, value="4.5").content.decode()


def test_a_correction_needs_a_reason_and_keeps_the_original(client, owner, indicator):
    original = add_value(indicator, "2025-01", "70")
    client.force_login(owner)
    url = reverse("kpis:value_correct", args=[original.pk])
    html = client.post(url, {"value": "72"}).content.decode()
    assert "Enter why the value is being corrected" in html
    response = client.post(url, {"value": "72", "reason": "Late returns added"})
    assert response.status_code == 302
    current = KpiValue.objects.current().get()
    assert current.value == Decimal("72") and current.corrects == original and current.entered_by == owner
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Corrections" in page and "Late returns added" in page and "70%" in page
    # The superseded value cannot be corrected a second time.
    assert client.get(url).status_code == 302


def test_a_correction_explains_the_comparators_and_the_note_as_entering_a_value_does(client, owner, indicator):
    original = add_value(indicator, "2025-01", "70")
    client.force_login(owner)
    entry = client.get(indicator.get_absolute_url()).content.decode()
    correction = client.get(reverse("kpis:value_correct", args=[original.pk])).content.decode()
    for hint in (
        "The figure for England for the same period, if published",
        "Your region&#x27;s figure for the same period",
        "The average of statistical neighbours",
        "Where the figure comes from, or anything a reader should know",
    ):
        assert hint in entry and hint in correction
