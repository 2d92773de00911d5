"""A board member signs in and reads the One Plan, in a real browser."""

from __future__ import annotations

import pytest

from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_board_member_signs_in_and_reads_the_one_plan(one_plan, sign_in, live_server):
    board = make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)
    page = sign_in(board)
    assert_accessible(page, "after sign-in")
    page.get_by_role("link", name=one_plan.name).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == one_plan.name
    # On a phone the plan itself starts on the first screen: the strategy's other pages take a few lines, not the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    pages = page.get_by_role("navigation", name="This strategy's pages")
    assert pages.get_by_role("link").all_inner_texts()[:3] == ["Dashboard", "KPI scorecard", "Board reports and meetings"]
    search = page.get_by_label("Search actions (ref or words)").bounding_box()
    assert search["y"] + search["height"] <= 844, f"the search for actions starts {search['y']:.0f} px down a 844 px screen"
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("link", name="show all 186 actions").click()  # the groups open on request; this one asks for all
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="EHC-C6", exact=True))
    assert "Dec 2025" in row.inner_text() and "Inclusion Quality Officer (D)" in row.inner_text()
    assert_accessible(page, "on the strategy page")
    page.get_by_role("link", name="SP8").click()
    page.wait_for_load_state()
    assert "Amber E" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on an action page")


def test_the_sign_in_page_is_accessible_and_reports_a_wrong_password(live_server, page, owner):
    page.goto(f"{live_server.url}/sign-in/")
    assert_accessible(page, "on the sign-in page")
    page.get_by_label("Email address").fill(owner.username)
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.inner_text("body")
    assert_accessible(page, "with a sign-in error")
