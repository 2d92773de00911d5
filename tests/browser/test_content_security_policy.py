"""No Content-Security-Policy violation and no script error anywhere along the main journeys."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, watch
from tests.kpis.conftest import indicator  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched_page(page):
    """The page, with every CSP violation and console error it reports collected across navigations, and every
    response that failed."""
    violations, errors = watch(page)
    page.on("response", lambda response: errors.append(f"{response.url}: {response.status}") if response.status >= 400 else None)
    return page, violations, errors


def test_the_main_journeys_run_without_a_csp_violation(watched_page, sign_in, live_server, owner, strategy, action, indicator):  # noqa: F811
    page, violations, errors = watched_page
    sign_in(owner)
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")

    page.get_by_role("link", name="SP1", exact=True).click()
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Progress narrative").fill("Provider withdrew; re-tendering in June.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_visible()

    page.goto(f"{live_server.url}/strategies/{strategy.pk}/dashboard/")
    page.locator("summary", has_text="Filter the actions").click()  # the filters sit below the headline figures, folded
    page.get_by_label("Rating", exact=True).select_option("red")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"rating=red"))
    page.get_by_text(re.compile(r"1 of 1 actions? match")).wait_for()

    page.goto(f"{live_server.url}/strategies/{strategy.pk}/kpis/")
    page.get_by_role("link", name=re.compile(indicator.name)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(indicator.name)
    page.goto(f"{live_server.url}/strategies/{strategy.pk}/reports/")
    page.wait_for_load_state()

    assert violations == []
    assert errors == []


def test_error_pages_run_without_a_csp_violation(watched_page, sign_in, live_server, owner, action):
    page, violations, _errors = watched_page
    sign_in(owner)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # A form's address opened as a page (signed in again part-way through a form) is a page too, at a phone's width.
    page.set_viewport_size({"width": 320, "height": 800})
    response = page.goto(f"{live_server.url}/strategies/{action.strategy_id}/snapshots/new/")
    assert response.status == 405
    expect(page.get_by_role("heading", level=1)).to_have_text("This address sends a form")
    assert_accessible(page, "on a form's address opened as a page")
    page.get_by_role("link", name="Go to the page this form belongs to").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Snapshots")
    assert violations == []


def test_the_accessibility_statement_and_privacy_notice_are_linked_from_the_footer(page, live_server, db):
    page.goto(f"{live_server.url}/sign-in/")
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    assert_accessible(page, "on the accessibility statement")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy")
    assert_accessible(page, "on the privacy notice")


def test_the_watch_reports_a_blocked_inline_script_and_a_script_error(watched_page, live_server, db):
    """What the reflow walk relies on to say every page of every role runs without either."""
    page, violations, errors = watched_page
    page.goto(f"{live_server.url}/sign-in/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = true'; document.body.append(s); }")
    page.evaluate("() => { setTimeout(() => { throw new Error('boom') }); return new Promise(done => setTimeout(done, 100)); }")
    page.wait_for_timeout(100)
    assert not page.evaluate("window.ran === true")
    assert any("script-src" in violation and "inline" in violation for violation in violations), violations
    assert any("boom" in error for error in errors), errors
