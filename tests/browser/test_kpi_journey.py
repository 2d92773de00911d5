"""An officer reads the One Plan's KPI scorecard and enters a value, in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kpis.models import Indicator, KpiValue
from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import FIXTURES, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_the_scorecard_and_enters_a_value(one_plan, sign_in, live_server):
    for kind in ("kpis", "kpi-values"):
        command = "load_kpis" if kind == "kpis" else "import_kpi_values"
        call_command(command, str(FIXTURES / "kpis" / f"cheshire-east-{kind}.csv"), strategy=one_plan.name, stdout=io.StringIO())
    officer = make_user("programme.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.get_by_role("link", name=one_plan.name).click()
    page.get_by_role("link", name="KPI scorecard").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "KPI scorecard"
    assert_accessible(page, "on the scorecard")
    # Each value's period stays whole in its narrow column on a desktop ("December 2024", never "December" over "2024").
    page.set_viewport_size({"width": 1280, "height": 720})
    periods = "[...document.querySelectorAll('td[data-label=Latest] .govuk-body-s')]"
    split = page.evaluate(f"() => {periods}.filter(s => s.getClientRects().length > 1).map(s => s.textContent)")
    assert page.locator("td[data-label=Latest] .govuk-body-s").count() > 5 and split == []
    page.get_by_role("link", name="Off target").first.click()
    page.wait_for_load_state()
    assert "rag=off_target" in page.url
    assert page.locator("[data-rag=off_target]").count() > 0 and page.locator("[data-rag=no_target]").count() == 0
    page.get_by_role("link", name="Average number of weeks", exact=False).first.click()
    page.wait_for_load_state()
    assert page.locator("svg.app-kpi-chart:visible").count() == 1
    assert_accessible(page, "on a KPI page")
    # On a phone the chart is one laid out for its width: its words are drawn at a size that can be read (the wide
    # chart, shrunk to fit, drew them 7 px high), and every one of them is inside the chart.
    page.set_viewport_size({"width": 390, "height": 844})
    chart = page.locator("svg.app-kpi-chart:visible")
    assert chart.count() == 1
    box = chart.bounding_box()
    words = chart.locator("text").evaluate_all(
        "texts => texts.map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.height]; })"
    )
    assert min(height for _text, _left, _right, height in words) >= 11, words
    assert all(box["x"] <= left and right <= box["x"] + box["width"] + 1 for _text, left, right, _height in words), words
    page.set_viewport_size({"width": 1280, "height": 720})

    # A period already entered is refused by the field, without reloading the page.
    page.get_by_label("Period").fill("2025-03")
    page.get_by_label("Value", exact=True).fill("21")
    page.get_by_role("button", name="Save value").click()
    page.get_by_text("There is already a value for March 2025").first.wait_for()
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # where the person is taken, as the button they pressed is gone
    expect(page).to_have_title(re.compile(r"^Error: Average number of weeks"))
    assert_accessible(page, "with an error in the value form")

    page.get_by_label("Period").fill("2025-04")
    page.get_by_label("Value", exact=True).fill("21.5")
    page.get_by_label("England (optional)").fill("24")
    page.get_by_role("button", name="Save value").click()
    page.get_by_text("Value for April 2025 saved").wait_for()
    expect(page).to_have_title(re.compile(r"^Average number of weeks"))
    assert (
        page.get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="April 2025", exact=True))
        .inner_text()
        .startswith("April 2025\t21.5 weeks\t24 weeks")
    )
    indicator = Indicator.objects.get(strategy=one_plan, code="CE-EHC-AVGWK")
    assert KpiValue.objects.get(indicator=indicator, period="2025-04").entered_by == officer
    assert_accessible(page, "after entering a value")
    # Beside a long note, each value's period and the date it was entered read whole ("April 2025", "7 Dec 2026").
    whole = "#kpi-values table tbody th, #kpi-values table tbody td[data-label=Entered] .govuk-body-s"
    split = page.locator(whole).evaluate_all("""nodes => nodes.filter(node => { const range = document.createRange();
        range.selectNodeContents(node); return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1; })
        .map(node => node.textContent)""")
    assert page.locator(whole).count() > 4 and split == []
