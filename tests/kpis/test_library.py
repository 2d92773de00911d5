"""The KPI library: the standard SEND measures, and adding one to a strategy's scorecard with its target in one step."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from kpis.library import MEASURES_FILE, measures
from kpis.models import Indicator

pytestmark = pytest.mark.django_db

REQUIRED = {
    "EHCP-20WK-EXC", "EHCP-20WK-INC", "EHCP-AVG-WEEKS", "EHCP-TOTAL", "EHCP-RATE", "EHCP-NEW", "EHCP-REFUSED", "SEND-TRIBUNAL",
    "ABS-EHCP", "ABS-SENS", "PA-EHCP", "PA-SENS", "SUSP-EHCP", "SUSP-SENS", "PEX-EHCP", "PEX-SENS", "KS2-RWM-SEN", "KS4-ATT8-SEN",
    "NEET-SEND", "EHCP-REQUESTS", "SEND-APPEAL-RATE",
}  # fmt: skip


def test_the_catalogue_holds_the_standard_measures_each_with_its_source_and_how_sure_we_are():
    by_code = {m.code: m for m in measures()}
    assert set(by_code) == REQUIRED
    for measure in by_code.values():
        assert measure.definition and measure.publication and measure.data_set
        assert measure.unit in Indicator.Unit.values and measure.direction in Indicator.Direction.values
        assert measure.checked or measure.notes, f"{measure.code} is unsure and must say what was not checked"
    assert by_code["EHCP-20WK-EXC"].checked and by_code["EHCP-20WK-EXC"].column == "pc_plans_issued_20_weeks_ex"
    # The 2026 release's column names (caseload.csv, requests.csv), confirmed against its data guidance.
    assert (by_code["EHCP-TOTAL"].column, by_code["EHCP-REFUSED"].column) == ("ehcplans", "request_not_assess_pc")
    assert by_code["EHCP-TOTAL"].checked and by_code["EHCP-REFUSED"].checked and not by_code["EHCP-RATE"].checked
    assert by_code["EHCP-REQUESTS"].checked and by_code["EHCP-REQUESTS"].column == "requests_received_in_year"
    # Not open-data columns at all: each says so, and that its values are entered by hand.
    for code in ("SEND-TRIBUNAL", "SEND-APPEAL-RATE"):
        assert not by_code[code].checked and not by_code[code].column and "enter the values by hand" in by_code[code].notes.lower()
    with MEASURES_FILE.open(encoding="utf-8") as handle:
        assert all(None not in row for row in csv.DictReader(handle)), "a row has more cells than the header"


def test_an_officer_adds_a_measure_with_its_target_in_one_step(client, officer, strategy):
    client.force_login(officer)
    response = client.post(f"/strategies/{strategy.pk}/kpis/library/", {"measure": "EHCP-20WK-EXC", "target": "85", "tolerance": "5"})
    indicator = Indicator.objects.get(strategy=strategy, library_code="EHCP-20WK-EXC")
    assert response.url == f"/kpis/{indicator.pk}/"
    assert (indicator.target, indicator.tolerance, indicator.unit, indicator.frequency) == (Decimal(85), Decimal(5), "percentage", "annual")
    assert indicator.open_data_column == "pc_plans_issued_20_weeks_ex" and "All EHC plans" in indicator.open_data_filter
    page = client.get(f"/strategies/{strategy.pk}/kpis/library/").content.decode()
    assert "On the scorecard already." in page


def test_the_same_measure_cannot_be_added_twice(client, officer, strategy):
    client.force_login(officer)
    client.post(f"/strategies/{strategy.pk}/kpis/library/", {"measure": "PA-EHCP", "target": "20"})
    response = client.post(f"/strategies/{strategy.pk}/kpis/library/", {"measure": "PA-EHCP", "target": "18"})
    assert response.status_code == 422 and "already on this strategy" in response.content.decode()
    assert Indicator.objects.filter(strategy=strategy, library_code="PA-EHCP").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measure": "EHCP-20WK-EXC", "target": ""}, "Enter the target"),
        ({"measure": "EHCP-20WK-EXC", "target": "120"}, "must be between 0 and 100"),
        ({"measure": "EHCP-20WK-EXC", "target": "lots"}, "Target must be a number"),
        ({"measure": "NOT-A-MEASURE", "target": "5"}, "Choose a measure from the library"),
    ],
)
def test_a_bad_target_is_told_where_the_officer_is_looking(client, officer, strategy, data, message):
    client.force_login(officer)
    response = client.post(f"/strategies/{strategy.pk}/kpis/library/", data)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Indicator.objects.filter(strategy=strategy).exists()
