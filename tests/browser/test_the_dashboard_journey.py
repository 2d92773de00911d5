"""A board member reads the One Plan dashboard, filters it with the keyboard and drills down, in a real browser."""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest

from governance.services import snapshot_take
from people.models import Membership
from tests.browser.conftest import assert_accessible, fill_date
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
    total = page.locator(".app-matrix__total td").all_inner_texts()
    assert total[:5] == ["3", "99", "65", "12", "7"] and total[-1] == "186"
    assert "No owner allocated: 20" in main.inner_text() and "No due date (TBC): 20" in main.inner_text()
    assert "Take a snapshot" not in main.inner_text()
    # The lists below the first screen are read as they are reached: the actions at risk (open), a list opened, the movement.
    page.locator("#exception-risk").scroll_into_view_if_needed()
    page.locator("#exception-risk table tbody tr").first.wait_for()
    assert page.locator("#exception-risk table tbody tr").count() == 3
    page.locator("#exception-overdue summary").click()
    page.locator("#exception-overdue table tbody tr").first.wait_for()
    assert page.locator("#exception-overdue table tbody tr").count() == 10
    page.locator("#movement").scroll_into_view_if_needed()
    page.get_by_text("Each action is listed once, under the first of these that applies.").wait_for()
    assert_accessible(page, "on the dashboard")

    # Filter by rating with the keyboard only: open the filters, focus the select, type to choose, then press the button.
    page.locator("summary", has_text="Filter the actions").focus()
    page.keyboard.press("Enter")
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

    page.locator(".app-matrix").get_by_role("link", name=re.compile("^A. Decision making")).first.click()
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
    fill_date(page, "What date is the snapshot as at?", "14/5/2025")
    page.get_by_role("button", name="Take a snapshot").click()
    page.wait_for_load_state()
    assert "There is already a snapshot as at 14 May 2025" in page.get_by_role("main").inner_text()
    assert_accessible(page, "with a snapshot date error")


def test_the_first_screen_shows_the_headline_figures_and_the_matrix_whose_cells_list_exactly_their_actions(one_plan, sign_in, live_server):
    board = make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)
    page = sign_in(board)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/dashboard/")
    figures = page.locator(".app-figures__item")
    assert figures.count() == 6  # the four classes, overdue and no update
    for i in range(6):
        box = figures.nth(i).bounding_box()
        assert box["y"] + box["height"] <= 800, "every headline figure is on the first screen"
    assert page.locator(".app-matrix thead").bounding_box()["y"] < 800 - 200, "the matrix starts on the first screen"
    assert_accessible(page, "on the dashboard at 1280 px")

    # Every cell at once: its link, group, rating and count.
    found = page.locator("a.app-matrix__cell").evaluate_all(
        "cells => cells.map(c => [c.getAttribute('href'), c.dataset.group, c.dataset.rating, c.innerText.trim().split(/\\s+/).pop()])"
    )
    assert sum(int(count) for *_, count in found) == 186
    # Each cell's list as the server sends it to this browser (its session, over HTTP): the rows under the list's heading.
    for href, group, rating, count in found:
        rows = lxml.html.fromstring(page.request.get(f"{live_server.url}{href}").text()).xpath(
            "//*[@id='actions']/following-sibling::*[1][self::table]/tbody/tr"
        )
        assert len(rows) == int(count), f"{href} lists {len(rows)} actions, the cell counts {count}"
        assert {row.get("data-group") for row in rows} == {group}
        assert {row.xpath("string((.//*[@data-rating])[1]/@data-rating)") for row in rows} == {rating}
    page.goto(f"{live_server.url}{href}")
    assert page.locator("#actions + table tbody tr").count() == int(count)
    assert_accessible(page, "on a matrix cell's actions")


@pytest.mark.parametrize(
    "path", ["/my-actions/", "/actions/{action}/", "/strategies/{strategy}/dashboard/", "/strategies/{strategy}/kpis/"]
)
def test_pages_fit_a_390_px_phone_without_sideways_scrolling_and_pass_axe(one_plan, sign_in, live_server, path):
    from actions.models import Action
    from people.models import Post

    action = Action.objects.filter(strategy=one_plan).order_by("position").first()
    lead = make_user(
        "lead@example.org",
        one_plan.partnership,
        Membership.Role.DELIVERY_LEAD,
        posts=list(Post.objects.filter(actions__strategy=one_plan)[:3]),
    )
    page = sign_in(lead)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + path.format(action=action.pk, strategy=one_plan.pk))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{path} is {page.evaluate('document.documentElement.scrollWidth')} px wide at 390 px"
    )
    assert_accessible(page, f"on {path} at 390 px")


@pytest.mark.parametrize("width", [768, 900, 1280])
def test_the_dashboard_never_scrolls_sideways_on_a_tablet_or_laptop_and_its_matrix_fits_its_column(one_plan, sign_in, live_server, width):
    page = sign_in(make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + f"/strategies/{one_plan.pk}/dashboard/")
    widths = page.evaluate(
        "(() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,"
        " matrix: document.querySelector('.app-matrix').getBoundingClientRect().right,"
        " column: document.querySelector('main').getBoundingClientRect().right}))()"
    )
    assert widths["page"] <= widths["window"] and widths["matrix"] <= widths["column"] + 1, f"at {width} px: {widths}"


def test_the_ratings_trend_stays_in_its_column_with_a_year_of_snapshots(one_plan, sign_in, live_server):
    """Six snapshots and "Now" are the most the trend shows: its table never runs into the KPIs beside it, nor widens a phone's page."""
    for month in (1, 3, 5, 7, 9, 11):
        snapshot_take(strategy=one_plan, as_at=dt.date(2024, month, 14))
    officer = make_user("officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/dashboard/")
    trend = page.locator("table.app-trend")
    assert trend.locator("thead th").count() == 9  # the rating, six snapshots, now and the line
    kpis = page.get_by_role("heading", name="KPIs", exact=True)
    assert trend.bounding_box()["x"] + trend.bounding_box()["width"] <= kpis.bounding_box()["x"]
    assert_accessible(page, "on the dashboard at 1280 px")

    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.get_by_role("region", name="Ratings over time").is_visible()
