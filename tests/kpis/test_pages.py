"""The scorecard, the KPI page and the chart: who sees what, and what they read."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import DeliveryGroup, Priority
from kpis.models import Indicator, KpiValue
from tests.kpis.conftest import add_value

READ_PERSONAS = ["owner", "other_lead", "group_lead", "board", "officer"]


def urls(indicator) -> list[str]:
    value = indicator.values.first() or add_value(indicator, "2025-01", "70")
    return [
        reverse("kpis:scorecard", args=[indicator.strategy_id]),
        reverse("kpis:indicator_detail", args=[indicator.pk]),
        reverse("kpis:indicator_chart", args=[indicator.pk]),
        reverse("kpis:value_correct", args=[value.pk]),
    ]


@pytest.mark.parametrize("persona", READ_PERSONAS)
def test_every_member_of_the_partnership_reads_the_scorecard_and_kpi_pages(client, request, indicator, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in urls(indicator)[:3]:
        assert client.get(url).status_code == 200, url


def test_another_partnership_gets_not_found_everywhere(client, outsider, indicator):
    client.force_login(outsider)
    for url in urls(indicator):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("kpis:value_add", args=[indicator.pk]), {"period": "2025-02", "value": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, indicator):
    for url in urls(indicator):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_scorecard_shows_value_target_status_travel_benchmark_and_trend(client, board, indicator):
    add_value(indicator, "2025-01", "78")
    add_value(indicator, "2025-02", "82", england=Decimal("80"))
    client.force_login(board)
    html = client.get(reverse("kpis:scorecard", args=[indicator.strategy_id])).content.decode()
    assert "1. Oversight" in html and indicator.name in html
    assert "82%" in html and "February 2025" in html and "≥ 85%" in html
    assert (
        'data-rag="within_tolerance"><span class="app-rating__marker" aria-hidden="true"></span>Within tolerance</strong>' in html
        and "app-rating--amber" in html
    )
    assert "Better" in html and "from 78%" in html
    assert "Better than England (80%)" in html
    assert 'class="app-kpi-sparkline"' in html


def test_a_kpi_with_no_values_says_no_data(client, board, indicator):
    client.force_login(board)
    html = client.get(reverse("kpis:scorecard", args=[indicator.strategy_id])).content.decode()
    assert (
        'data-rag="no_data"><span class="app-rating__marker" aria-hidden="true"></span>No data</strong>' in html
        and "app-rating--green" not in html
    )


def test_the_scorecard_filters_by_status_in_the_url(client, board, strategy, indicator):
    other = Indicator.objects.create(
        strategy=strategy, code="WEEKS", name="Average weeks to issue", unit="weeks", direction="lower", frequency="monthly", target=23
    )
    add_value(indicator, "2025-01", "90")
    add_value(other, "2025-01", "30")
    client.force_login(board)
    url = reverse("kpis:scorecard", args=[strategy.pk])
    html = client.get(url, {"rag": "off_target"}).content.decode()
    assert "Average weeks to issue" in html and indicator.name not in html
    assert 'aria-current="page" href="?rag=off_target">Off target (1)' in html
    assert indicator.name in client.get(url, {"rag": "on_target"}).content.decode()
    assert "Not linked to a delivery group" in client.get(url, {"rag": "nonsense"}).content.decode()
    # A status no KPI has is said, not linked to an empty list.
    assert "<li>Within tolerance (0)</li>" in html and "?rag=within_tolerance" not in html


def test_the_kpi_page_gives_the_definition_chart_and_numbers_with_who_entered_them(client, board, officer, indicator):
    add_value(indicator, "2025-01", "78", england=Decimal("75"), note="Monthly return", entered_by=officer)
    client.force_login(board)
    html = client.get(reverse("kpis:indicator_detail", args=[indicator.pk])).content.decode()
    assert "Higher is better" in html and "≥ 85%" in html and "within tolerance up to 5% short" in html and "100%" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert '<th scope="row" class="govuk-table__header app-nowrap">January 2025</th>' in html and "75%" in html
    assert "officer@example.org" in html and "Monthly return" in html
    assert "Add a value" not in html and "Correct" not in html  # board members only read


def test_the_chart_downloads_as_standalone_svg(client, board, indicator):
    add_value(indicator, "2025-01", "78")
    client.force_login(board)
    response = client.get(reverse("kpis:indicator_chart", args=[indicator.pk]))
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_hostile_text_is_escaped_on_every_page(client, officer, indicator, group):
    Indicator.objects.filter(pk=indicator.pk).update(name='<script>alert("x")</script>', description="<img src=x onerror=alert(1)>")
    add_value(indicator, "2025-01", "78", note="<b>bold</b>")
    client.force_login(officer)
    for url in [
        reverse("kpis:scorecard", args=[indicator.strategy_id]),
        reverse("kpis:indicator_detail", args=[indicator.pk]),
        reverse("kpis:indicator_chart", args=[indicator.pk]),
        reverse("reporting:group_detail", args=[group.pk]),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html, url
        assert "&lt;script&gt;" in html, url


def test_the_group_page_shows_its_kpis_and_the_strategy_links_to_the_scorecard(client, board, indicator, group):
    add_value(indicator, "2025-01", "90")
    client.force_login(board)
    html = client.get(reverse("reporting:group_detail", args=[group.pk])).content.decode()
    assert indicator.name in html and "On target" in html
    html = client.get(reverse("actions:strategy_detail", args=[group.strategy_id])).content.decode()
    assert reverse("kpis:scorecard", args=[group.strategy_id]) in html


def make_kpis(strategy, kpis: int, values: int) -> None:
    priority = Priority.objects.create(strategy=strategy, name="Scale", position=9)
    groups = [DeliveryGroup.objects.create(strategy=strategy, priority=priority, name=f"G{g}", position=g) for g in range(4)]
    start = dt.date(2020, 1, 1)
    rows = []
    for k in range(kpis):
        indicator = Indicator.objects.create(
            strategy=strategy, code=f"S{k}", name=f"KPI {k}", unit="count", direction="lower", frequency="monthly", target=10
        )
        indicator.delivery_groups.add(groups[k % 4], groups[(k + 1) % 4])
        for v in range(values):
            month = dt.date(start.year + (start.month + v - 1) // 12, (start.month + v - 1) % 12 + 1, 1)
            rows.append(KpiValue(indicator=indicator, period=f"{month:%Y-%m}", period_start=month, value=Decimal(v % 20), england=5))
    KpiValue.objects.bulk_create(rows)


@pytest.mark.parametrize(("kpis", "values"), [(5, 3), (60, 24)])
def test_the_scorecard_issues_a_fixed_number_of_queries_whatever_its_size(
    client, board, strategy, kpis, values, django_assert_max_num_queries
):
    make_kpis(strategy, kpis, values)
    client.force_login(board)
    with django_assert_max_num_queries(11) as captured:
        html = client.get(reverse("kpis:scorecard", args=[strategy.pk])).content.decode()
    assert len(re.findall('class="app-kpi-sparkline"', html)) == kpis * 2
    print(f"scorecard: {kpis} KPIs x {values} values: {len(captured)} queries")


@pytest.mark.parametrize(("kpis", "values"), [(5, 3), (60, 24)])
def test_the_kpi_and_group_pages_issue_a_fixed_number_of_queries(client, officer, strategy, kpis, values, django_assert_max_num_queries):
    make_kpis(strategy, kpis, values)
    indicator = Indicator.objects.get(strategy=strategy, code="S0")
    group = indicator.delivery_groups.first()
    client.force_login(officer)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("kpis:indicator_detail", args=[indicator.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reporting:group_detail", args=[group.pk])).status_code == 200
