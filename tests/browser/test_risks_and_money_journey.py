"""A board member sees the top risks and the savings against plan on the dashboard; the register and the budget fit a phone."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from people.models import Membership
from risks.models import Risk
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rating_schemes(transactional_db):
    """The schemes come from a data migration, which the flush after an earlier browser test removes."""
    from actions.models import RatingLevel, RatingScheme
    from actions.schemes import install_schemes

    install_schemes(RatingScheme, RatingLevel)


@pytest.fixture
def demo(one_plan):
    call_command("seed_risks_demo", stdout=io.StringIO())
    call_command("seed_finance_demo", stdout=io.StringIO())
    return one_plan


def test_a_board_member_sees_the_top_risks_and_savings_against_plan_on_the_dashboard(demo, sign_in, live_server):
    page = sign_in(make_user("chair@example.org", demo.partnership, Membership.Role.BOARD_MEMBER))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + f"/strategies/{demo.pk}/dashboard/")
    # The first screen: the top risks and the savings against plan, a line each, above the matrix.
    for line in ("#line-risks", "#line-finance"):
        page.locator(line).wait_for()
        box = page.locator(line).bounding_box()
        assert box["y"] + box["height"] <= 800, f"{line} is on the first screen"
    first_screen = page.locator("#line-risks").inner_text() + page.locator("#line-finance").inner_text()
    assert "Top risks: R1 Sufficiency of specialist places (20, extreme)" in first_screen and "R10" not in first_screen
    assert "savings achieved of" in first_screen and "planned for the same years" in first_screen
    assert page.locator(".app-matrix thead").bounding_box()["y"] < 800 - 100, "the matrix still starts on the first screen"
    risks = page.locator("#headline-risks")
    risks.wait_for()
    assert "R1 Sufficiency of specialist places" in risks.inner_text() and "Extreme" in risks.inner_text()
    assert "R10" not in risks.inner_text()  # restricted
    money = page.locator("#headline-finance")
    money.wait_for()
    assert "savings achieved of" in money.inner_text() and "£1.07bn unmitigated" in money.inner_text()
    assert_accessible(page, "on the dashboard with its risks and money")


@pytest.mark.parametrize("path", ["/strategies/{strategy}/risks/", "/risks/{risk}/", "/strategies/{strategy}/finance/"])
def test_the_register_a_risk_and_the_budget_fit_a_320_px_screen_and_pass_axe(demo, sign_in, live_server, path):
    risk = Risk.objects.get(strategy=demo, ref="R1")
    page = sign_in(make_user("officer@example.org", demo.partnership, Membership.Role.OFFICER))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + path.format(strategy=demo.pk, risk=risk.pk))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{path} is {page.evaluate('document.documentElement.scrollWidth')} px wide at 320 px"
    )
    assert_accessible(page, f"on {path} at 320 px")
    if path.endswith("/risks/"):
        # On a desktop a risk's flags sit on a line of their own under its title, not inside its wrapped words.
        page.set_viewport_size({"width": 1280, "height": 800})
        inside = page.evaluate("""() => [...document.querySelectorAll("tbody th")].filter(th => th.querySelector(".govuk-tag"))
          .filter(th => th.querySelector(".govuk-tag").getBoundingClientRect().top
            < th.querySelector("a").getBoundingClientRect().bottom - 1)
          .map(th => th.querySelector("a").textContent)""")
        assert page.locator("tbody th .govuk-tag--red").count() >= 1 and inside == []
        # Each review date reads whole ("6 Jan 2027", not "6 Jan" over "2027"), and so does each target ("(target 4)").
        split = page.evaluate("""() => [...document.querySelectorAll("[data-testid=risk-table] tbody td")]
          .flatMap(td => td.dataset.label === "Review" ? [td] : [...td.querySelectorAll(".govuk-body-s")])
          .filter(node => { const range = document.createRange(); range.selectNodeContents(node);
            return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size > 1; })
          .map(node => node.textContent)""")
        assert page.locator("[data-testid=risk-table] tbody tr").count() >= 9 and split == []
        # A risk with two flags (R8: its review is overdue and its actions at risk) shows two tags apart, not one block.
        touching = page.evaluate("""() => [...document.querySelectorAll("tbody th")].flatMap(th => {
            const boxes = [...th.querySelectorAll(".govuk-tag")].map(tag => tag.getBoundingClientRect());
            return boxes.slice(1).filter((box, i) => box.top < boxes[i].bottom + 2 && box.left < boxes[i].right + 2)
              .map(() => th.querySelector("a").textContent);
          })""")
        assert page.locator("tbody th", has=page.locator(".govuk-tag:nth-of-type(2)")).count() >= 1 and touching == []
    if path.endswith("/finance/"):
        # On a desktop each financial year reads whole ("2024-25"), never "2024-" over "25" in its narrow column.
        page.set_viewport_size({"width": 1280, "height": 800})
        years = page.locator("[data-testid=finance-years] tbody th")
        split = years.evaluate_all("""ths => ths.filter(th => { const range = document.createRange(); range.selectNodeContents(th);
            return range.getClientRects().length > 1; }).map(th => th.textContent)""")
        assert years.count() >= 5 and split == []


def test_an_officer_rescores_a_risk_with_a_reason_and_links_a_mitigating_action(demo, sign_in, live_server):
    risk = Risk.objects.get(strategy=demo, ref="R2")
    page = sign_in(make_user("officer@example.org", demo.partnership, Membership.Role.OFFICER))
    page.goto(live_server.url + f"/risks/{risk.pk}/")
    page.get_by_role("link", name="Re-score the risk").click()
    page.get_by_label("Likelihood now, with the controls").select_option("3")
    page.get_by_label("Why has the score changed?").fill("Timeliness reached 62% in June with the extra assessment capacity.")
    page.get_by_role("button", name="Save the new score").click()
    assert "Risk R2 re-scored: 12 now." in page.locator(".govuk-notification-banner, main").first.inner_text()
    assert "Timeliness reached 62% in June" in page.locator("[data-testid=risk-history]").inner_text()
    page.get_by_role("link", name="Change the risk").click()
    refs = page.get_by_label("Actions that mitigate it (optional)")
    refs.fill(refs.input_value() + ", EHC-B4")
    page.get_by_role("button", name="Save the risk").click()
    assert "EHC-B4" in page.locator("main").inner_text()
    assert_accessible(page, "on a re-scored risk")


def test_an_officer_closes_a_risk_on_a_phone_with_why_and_reopens_it(demo, sign_in, live_server):
    risk = Risk.objects.get(strategy=demo, ref="R9")
    page = sign_in(make_user("officer@example.org", demo.partnership, Membership.Role.OFFICER))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + f"/risks/{risk.pk}/")
    page.get_by_role("link", name="Close the risk").click()
    page.get_by_role("button", name="Close the risk").click()
    assert "Enter why the risk is being closed" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "on closing a risk without a reason at 320 px")
    page.get_by_label("Why is the risk being closed?").fill("Superseded by the data strategy: the cause has gone.")
    page.get_by_role("button", name="Close the risk").click()
    assert "Superseded by the data strategy" in page.get_by_test_id("risk-closed").inner_text()
    page.goto(live_server.url + f"/strategies/{demo.pk}/risks/")
    assert "R9 Case management" not in page.get_by_test_id("risk-table").inner_text()
    assert "R9 Case management" in page.get_by_test_id("closed-risk-table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the closed risks fit the screen"
    page.goto(live_server.url + f"/risks/{risk.pk}/")
    page.get_by_role("button", name="Reopen the risk").click()
    assert "Risk R9 is reopened" in page.locator(".govuk-notification-banner").first.inner_text()
    assert "Re-score the risk" in page.locator("main").inner_text()


def test_a_finance_lead_checks_uploaded_figures_on_a_phone_with_every_amount_in_view(demo, sign_in, live_server):
    page = sign_in(make_user("finance@example.org", demo.partnership, Membership.Role.FINANCE_LEAD))
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + f"/strategies/{demo.pk}/finance/actuals/upload/")
    csv = b'mitigation,year,as_at,achieved\nM1,2026-27,30/11/2026,"12,500,000"\nM2,2026-27,30/11/2026,17.1m\n'
    page.get_by_label("Spreadsheet of actual figures").set_input_files({"name": "actuals.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Check the file").click()
    amount = page.get_by_role("cell", name="£12,500,000")
    amount.wait_for()
    box = amount.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "the amount to confirm is on the screen, not scrolled out of sight"
    assert page.get_by_role("cell", name="30 Nov 2026").first.bounding_box()["x"] + 1 < 390
    assert_accessible(page, "on the figures to confirm at 390 px")
