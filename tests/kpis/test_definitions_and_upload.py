"""Officers define KPIs and upload their values in the browser: a preview first, then confirm."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import Indicator, KpiValue, KpiValueImport

pytestmark = pytest.mark.django_db


def upload(client, strategy, text: str, name: str = "values.csv"):
    return client.post(reverse("kpis:kpi_upload", args=[strategy.pk]), {"file": SimpleUploadedFile(name, text.encode())})


def test_an_officer_defines_a_kpi_with_its_target_tolerance_and_owner(client, officer, strategy, owner_post, group):
    client.force_login(officer)
    response = client.post(
        reverse("kpis:indicator_create", args=[strategy.pk]),
        {
            "code": "K7", "name": "Children with an EHCP in mainstream", "unit": "percentage", "direction": "higher",
            "frequency": "termly", "source": "local", "baseline_value": "41.5", "baseline_period": "2024/25 T1",
            "target": "50", "tolerance": "3", "owners": [owner_post.pk], "delivery_groups": [group.pk],
        },
    )  # fmt: skip
    indicator = Indicator.objects.get(code="K7")
    assert response.url == indicator.get_absolute_url()
    assert indicator.target == Decimal("50") and indicator.tolerance == Decimal("3") and list(indicator.owners.all()) == [owner_post]
    client.post(
        reverse("kpis:indicator_edit", args=[indicator.pk]),
        {
            "code": "K7",
            "name": "Renamed",
            "unit": "percentage",
            "direction": "higher",
            "frequency": "termly",
            "source": "local",
            "target": "55",
        },
    )
    indicator.refresh_from_db()
    assert indicator.name == "Renamed" and indicator.target == Decimal("55")


def test_a_kpi_form_with_problems_keeps_what_was_typed(client, officer, strategy, indicator):
    client.force_login(officer)
    response = client.post(
        reverse("kpis:indicator_create", args=[strategy.pk]),
        {
            "code": indicator.code.lower(),
            "name": "Kept name",
            "unit": "percentage",
            "direction": "higher",
            "frequency": "monthly",
            "target": "lots",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Another KPI of this strategy has the code" in page and "Target must be a number" in page and 'value="Kept name"' in page


@pytest.mark.parametrize(
    ("unit", "figures", "messages"),
    [
        ("percentage", {"target": "120", "baseline_value": "1,234"}, ["Target is a percentage", "Baseline is a percentage"]),
        ("count", {"target": "-5"}, ["Target must be 0 or more"]),
    ],
)
def test_a_kpi_s_target_and_baseline_are_checked_against_its_unit_as_its_values_are(client, officer, strategy, unit, figures, messages):
    client.force_login(officer)
    data = {"code": "NEW1", "name": "A new KPI", "unit": unit, "direction": "higher", "frequency": "monthly", "source": "local"}
    response = client.post(reverse("kpis:indicator_create", args=[strategy.pk]), {**data, **figures})
    assert response.status_code == 422
    page = response.content.decode()
    for message in messages:
        assert page.count(message) == 2, message  # in the summary and by the field
    assert not Indicator.objects.filter(code="NEW1").exists()


def test_values_are_previewed_then_added_on_confirm(client, officer, strategy, indicator):
    client.force_login(officer)
    response = upload(client, strategy, "indicator,period,value\nEHC-20WK,2025-04,78\nEHC-20WK,2025-05,81.5\n")
    kept = KpiValueImport.objects.get()
    assert response.url == reverse("kpis:kpi_upload_preview", args=[kept.pk])
    preview = client.get(response.url).content.decode()
    assert "2 values to add" in preview and "81.5%" in preview
    assert not KpiValue.objects.exists()  # nothing until confirmed
    client.post(reverse("kpis:kpi_upload_confirm", args=[kept.pk]))
    assert sorted(KpiValue.objects.values_list("period", flat=True)) == ["2025-04", "2025-05"]
    again = client.post(reverse("kpis:kpi_upload_confirm", args=[kept.pk]))
    assert again.status_code == 302 and KpiValue.objects.count() == 2


def test_a_file_with_problems_lists_them_by_row_and_adds_nothing(client, officer, strategy, indicator):
    client.force_login(officer)
    upload(client, strategy, "indicator,period,value\nEHC-20WK,2025-04,78\nNOPE,2025-05,1\nEHC-20WK,May 2025,x\n")
    kept = KpiValueImport.objects.get()
    assert kept.status == KpiValueImport.Status.REJECTED
    page = client.get(reverse("kpis:kpi_upload_preview", args=[kept.pk])).content.decode()
    assert "Nothing was added" in page and "There is no KPI with this code" in page
    # Each problem reads as a sentence, as the finance upload's do ("There is no mitigation M9 in this plan").
    problems = re.findall(r'data-label="Problem">([^<]*)</td>', page)
    assert len(problems) >= 2 and all(problem[:1].isupper() for problem in problems), problems
    assert client.post(reverse("kpis:kpi_upload_confirm", args=[kept.pk])).status_code == 302
    assert not KpiValue.objects.exists()


def test_only_officers_define_kpis_or_upload_values(client, owner, board, strategy, indicator):
    for person in (owner, board):
        client.force_login(person)
        assert client.get(reverse("kpis:indicator_create", args=[strategy.pk])).status_code == 403
        assert client.post(reverse("kpis:indicator_edit", args=[indicator.pk]), {"code": "X"}).status_code == 403
        assert upload(client, strategy, "indicator,period,value\nEHC-20WK,2025-04,78\n").status_code == 403
    assert not KpiValueImport.objects.exists()
