"""An officer runs the partnership in the browser: invites a delivery lead, adds and re-dates an action."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from actions.models import Action, DeliveryGroup, Priority, RatingScheme, Strategy
from people.models import Membership, Organisation, Post
from tests.accounts.conftest import current_code
from tests.browser.conftest import assert_accessible, fill_date
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "otter kettle lantern 42 violet"


@pytest.fixture
def plan(partnership):
    strategy = Strategy.objects.create(
        partnership=partnership, name="SEND Strategy 2025-2028", scheme=RatingScheme.objects.get(code="cheshire-east")
    )
    priority = Priority.objects.create(strategy=strategy, name="Right Support", position=1)
    group = DeliveryGroup.objects.create(strategy=strategy, priority=priority, name="1. Oversight", position=1)
    return strategy, group


def test_invite_accept_set_up_two_factor_and_see_my_actions(partnership, plan, sign_in, live_server, settings):
    strategy, group = plan
    officer = make_user("officer@example.org", partnership, Membership.Role.OFFICER)
    nhs = Organisation.objects.create(partnership=partnership, name="Northshire ICB", kind=Organisation.Kind.ICB)
    post = Post.objects.create(partnership=partnership, title="Designated Clinical Officer", organisation=nhs)
    Action.objects.create(
        strategy=strategy, group=group, ref="H1", text="Publish the health offer", rating=strategy.scheme.not_started_level()
    ).owners.add(post)

    page = sign_in(officer)
    with page.expect_navigation():
        page.get_by_role("link", name="People").click()
    assert_accessible(page, "on the people list")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_role("button", name="Send the invitation").click()
    assert "Enter their email address" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on the invitation form with an error")
    page.get_by_label("Email address").fill("dco@icb.example.org")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Organisation").select_option(label="Northshire ICB")
    page.get_by_label("Designated Clinical Officer").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert "dco@icb.example.org" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Sign out").click()

    settings.MFA_REQUIRED = True
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    page.goto(live_server.url + "/invitation/" + link.rsplit("/invitation/", 1)[1])
    assert_accessible(page, "on the invitation page")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Accept and continue").click()
    page.wait_for_load_state()
    assert "two-factor" in page.get_by_role("heading", level=1).inner_text().lower()
    device = TOTPDevice.objects.get(user__email="dco@icb.example.org")
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My actions"
    assert "H1" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on My actions after accepting")


def test_the_people_list_keeps_each_last_sign_in_date_whole_on_a_desktop(partnership, sign_in, live_server):
    trust = Organisation.objects.create(partnership=partnership, name="Northshire and Westshire Partnership NHS Foundation Trust")
    for n, title in enumerate(("Director of Commissioning, Quality Assurance and Partnerships", "Head of Service: Inclusion")):
        person = make_user(f"person{n}.with.a.long.address@example.org", partnership, Membership.Role.DELIVERY_LEAD)
        person.organisation = trust
        person.save()
        person.posts.add(Post.objects.create(partnership=partnership, title=title, organisation=trust))
    page = sign_in(make_user("officer@example.org", partnership, Membership.Role.OFFICER))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/people/")
    dates = page.locator("td[data-label='Last signed in']")
    split = dates.evaluate_all("""cells => cells.filter(cell => { const range = document.createRange(); range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1; }).map(cell => cell.textContent)""")
    assert dates.count() == 3 and split == []


def test_add_an_action_and_re_date_it_with_a_reason(partnership, plan, sign_in, live_server):
    strategy, group = plan
    officer = make_user("officer@example.org", partnership, Membership.Role.OFFICER)
    Post.objects.create(partnership=partnership, title="Head of Service: Inclusion")
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{strategy.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Add an action", exact=True).first.click()
    assert_accessible(page, "on the add-an-action form")
    page.get_by_label("Ref").fill("SP7")
    page.get_by_label("Action", exact=True).fill("Open the new inclusion hub")
    page.get_by_label("Delivery group").select_option(label="1. Oversight")
    page.get_by_label("Due", exact=True).fill("September 2025")
    page.get_by_label("Head of Service: Inclusion").check()
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Action SP7"

    page.get_by_role("link", name=re.compile("^Edit the action")).click()
    page.get_by_label("Due", exact=True).fill("March 2026")
    page.get_by_role("button", name="Save changes").click()
    assert "Say why the due date has changed" in page.get_by_role("main").inner_text()
    assert page.get_by_label("Due", exact=True).input_value() == "March 2026"
    assert_accessible(page, "on the edit form with an error")
    page.get_by_label("Reason for a changed due date").fill("waiting on the new panel")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    revised = "Due date revised from September 2025 to March 2026: waiting on the new panel"
    assert revised in page.get_by_test_id("due-revised").inner_text()
    assert revised in page.get_by_test_id("plan-change").first.inner_text()
    assert_accessible(page, "on the action page with its history")

    page.goto(f"{live_server.url}/strategies/{strategy.pk}/dashboard/")
    main = page.get_by_role("main").inner_text()
    assert "SP7" in main or "1 action" in main
    assert_accessible(page, "on the dashboard")


def test_create_a_bi_monthly_meeting_series(partnership, plan, sign_in, live_server):
    from governance.models import Meeting

    strategy, _group = plan
    officer = make_user("officer@example.org", partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{strategy.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Board calendar").click()
    assert_accessible(page, "on an empty board calendar")
    page.get_by_label("Board name").fill("SEND and AP Partnership Board")
    page.get_by_role("button", name="Add the board").click()
    page.wait_for_load_state()
    fill_date(page, "First meeting", "12/3/2026")
    page.get_by_label("Every").fill("2")
    page.get_by_label("Weeks or months").select_option("months")
    page.get_by_label("Number of meetings").fill("6")
    page.get_by_label("Papers deadline: days before each meeting").fill("10")
    page.get_by_role("button", name="Schedule the meetings").click()
    page.wait_for_load_state()
    assert "6 meetings of SEND and AP Partnership Board scheduled" in page.get_by_role("main").inner_text()
    table = page.get_by_role("table").inner_text()
    for date in ["Thursday 12 March 2026", "Tuesday 12 May 2026", "Tuesday 12 January 2027", "2 March 2026"]:
        assert date in table
    assert_accessible(page, "on the board calendar with a series")
    assert Meeting.objects.filter(strategy=strategy).count() == 6

    # On a phone, the first meeting moves a week later: on a page of its own, its errors beside the boxes.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Move the meeting on 12 March 2026").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Move the meeting on Thursday 12 March 2026")
    fill_date(page, "New date", "19/3/2026")
    fill_date(page, "Papers deadline", "20/3/2026")
    page.get_by_role("button", name="Move the meeting").click()
    page.wait_for_load_state()
    assert "The papers deadline must be on or before the meeting" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("group", name="New date").get_by_label("Day").input_value() == "19"
    assert_accessible(page, "on the move page with an error")
    fill_date(page, "Papers deadline", "12/3/2026")
    page.get_by_role("button", name="Move the meeting").click()
    page.wait_for_load_state()
    assert "now meets on 19 March 2026" in page.get_by_role("main").inner_text()
    assert Meeting.objects.filter(strategy=strategy, date="2026-03-19", papers_deadline="2026-03-12").exists()


def test_record_a_meeting_s_decisions_and_an_action_arising_and_manage_my_emails_and_calendar(partnership, plan, sign_in, live_server):
    import datetime as dt

    from governance.models import Board, Meeting

    strategy, _group = plan
    Post.objects.create(partnership=partnership, title="Head of SEND Transport")
    board = Board.objects.create(partnership=partnership, name="SEND and AP Partnership Board")
    meeting = Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2026, 11, 12), status=Meeting.Status.HELD)
    officer = make_user("officer@example.org", partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{strategy.pk}/calendar/")
    page.get_by_role("link", name="Thursday 12 November 2026").click()
    page.get_by_label("What did the board decide?").fill("Agreed the transport review's terms of reference.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    page.get_by_label("Action", exact=True).fill("Bring the transport review to the January board.")
    page.get_by_label("Owner").select_option(label="Head of SEND Transport")
    fill_date(page, "Due by", "15/1/2027")
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    main = page.get_by_role("main").inner_text()
    assert "Agreed the transport review's terms of reference." in main and "BA1 Bring the transport review" in main
    assert Action.objects.filter(arising_from__meeting=meeting, ref="BA1").exists()
    page.set_viewport_size({"width": 320, "height": 800})
    assert_accessible(page, "on a meeting's page with its decisions and actions arising")
    for path in ("/notifications/email/", "/calendar/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, f"on {path}")
    page.get_by_role("button", name="Make my calendar address").click()
    page.wait_for_load_state()
    assert page.get_by_label("Your calendar address").input_value().endswith(".ics")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
