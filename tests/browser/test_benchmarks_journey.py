"""An officer adds the 20-week measure from the library, reads benchmarks from an open-data file and opens a feed token."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from feed.models import ApiToken, token_digest
from kpis.models import Benchmark
from people.models import Membership, Partnership
from tests.browser.conftest import assert_accessible
from tests.conftest import FIXTURES, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_adds_a_library_measure_reads_benchmarks_and_creates_a_feed_token(one_plan, sign_in, live_server):
    call_command("load_kpis", str(FIXTURES / "kpis" / "cheshire-east-kpis.csv"), strategy=one_plan.name, stdout=io.StringIO())
    Partnership.objects.filter(pk=one_plan.partnership_id).update(la_code="E06000049", statistical_neighbours=["E06000050"])
    officer = make_user("programme.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/kpis/")
    page.get_by_role("link", name="Add a measure from the KPI library").click()
    page.wait_for_load_state()
    assert_accessible(page, "on the KPI library")
    page.get_by_label("Target for EHC plans issued within 20 weeks (excluding exceptions)").fill("150")
    page.get_by_role("button", name="Add EHC plans issued within 20 weeks (excluding exceptions) to the scorecard").click()
    page.get_by_text("Target is a percentage: it must be between 0 and 100").first.wait_for()
    assert_accessible(page, "with an error in the library form")
    page.get_by_label("Target for EHC plans issued within 20 weeks (excluding exceptions)").fill("85")
    page.get_by_role("button", name="Add EHC plans issued within 20 weeks (excluding exceptions) to the scorecard").click()
    page.get_by_text("added to the scorecard with the target ≥ 85%").wait_for()

    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/kpis/benchmarks/")
    assert_accessible(page, "on the benchmark upload page")
    page.get_by_label("Upload the open-data file").set_input_files(str(FIXTURES / "benchmarks" / "ehcp-timeliness-cheshire.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check what will be added").wait_for()
    assert_accessible(page, "on the benchmark preview")
    assert not Benchmark.objects.exists()
    page.get_by_role("button", name="Add these figures").click()
    page.get_by_role("heading", name="KPI scorecard", level=1).wait_for()
    row = page.get_by_role("row").filter(has_text="EHC plans issued within 20 weeks (excluding exceptions)").inner_text()
    assert "Worse than North West (43.4%)" in row and "Ranked 17th of 23, third quartile" in row  # 2025
    assert_accessible(page, "on the scorecard with benchmarks")
    page.get_by_role("link", name="EHC plans issued within 20 weeks (excluding exceptions)").click()
    page.get_by_role("table", name="National benchmarks").wait_for()
    assert page.locator("svg.app-kpi-chart:visible").count() == 1
    assert_accessible(page, "on a KPI page with benchmarks")

    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/kpis/benchmarking/")
    assert_accessible(page, "on the benchmarking settings")

    page.goto(f"{live_server.url}/partnerships/{one_plan.partnership_id}/feed/")
    page.get_by_label("Name").fill("Power BI board dashboard")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Your new token").input_value()
    assert ApiToken.objects.get().digest == token_digest(token)
    assert_accessible(page, "on the feed page with a new token")
