"""A board member reads the One Plan dashboard, filters it with the keyboard and drills down, in a real browser."""

from __future__ import annotations

import re

import pytest

from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rating_schemes(transactional_db):
    """The schemes come from a data migration, which the flush after an earlier browser test removes."""
    from actions.models import RatingLevel, RatingScheme
    from actions.schemes import install_schemes

    install_schemes(RatingScheme, RatingLevel)


def test_a_board_member_reads_the_dashboard_filters_and_drills_down(one_plan, sign_in, live_server):
    board = make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)
    page = sign_in(board)
    page.get_by_role("link", name=one_plan.name).click()
    page.get_by_role("link", name=re.compile("^Dashboard")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Where delivery stands"
    main = page.get_by_role("main")
    overall = page.locator("p.app-bar").first.inner_text()
    for figure in ["Red 3", "Grey 99", "Amber 65", "Amber E 12", "Green 7"]:
        assert figure in overall
    assert "No owner allocated: 20" in main.inner_text() and "No due date (TBC): 20" in main.inner_text()
    assert "Take a snapshot" not in main.inner_text()
    assert_accessible(page, "on the dashboard")

    # Filter by rating with the keyboard only: focus the select, type to choose, then press the button.
    page.get_by_label("Rating", exact=True).focus()
    page.keyboard.type("Red")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"rating=red"))
    page.get_by_text("3 of 186 actions match the filters").wait_for()
    assert page.get_by_label("Rating", exact=True).input_value() == "red"
    assert_accessible(page, "on the filtered dashboard")

    # The filtered URL is shareable: loading it afresh (no htmx) shows the same view.
    page.goto(page.url)
    assert "3 of 186 actions match the filters" in page.get_by_role("main").inner_text()

    page.get_by_role("link", name=re.compile("^3. Education, Health and Care .* A. Decision making")).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "A. Decision making and panel processes"
    assert "Movement since 14 May 2025" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on a delivery group page")

    page.get_by_role("link", name="EHC-A5", exact=True).first.click()
    page.wait_for_load_state()
    assert "Red" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on an action page")


def test_an_officer_takes_a_snapshot_from_the_browser(one_plan, sign_in, live_server):
    officer = make_user("officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/snapshots/")
    assert "14 May 2025" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on the snapshot list")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Take a snapshot").click()
    page.wait_for_load_state()
    assert "There is already a snapshot as at 14 May 2025" in page.get_by_role("main").inner_text()
    assert_accessible(page, "with a snapshot date error")
