"""The whole story and an action's steps in a real browser: the change log over the demo's last cycle, and milestones as "3 of 5".

Both at 320 px (WCAG's reflow width) with nothing scrolling sideways, and axe clean.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from actions.models import Action, Milestone
from governance.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}


@pytest.fixture
def demo(demo_seeded):
    """The demo as `make run` starts it: both plans, one account per role, a board cycle with sign-offs and a publication."""
    return User.objects


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_an_officer_reads_the_demos_last_cycle_in_the_change_log_filters_it_and_exports_it(demo, sign_in, live_server):
    page = sign_in(demo.get(username="officer@example.org"), DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    partnership = demo.get(username="officer@example.org").memberships.get().partnership
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/changes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change log")
    log = page.locator(".app-change-log")
    # The cycle the demo plays: updates before the board, the signatories' sign-offs, the snapshot and the public page.
    expect(log).to_contain_text("Rating and progress updates")
    expect(log).to_contain_text("Signed off")
    expect(log).to_contain_text("Declined")
    expect(log).to_contain_text("Public page publications")
    fits(page)
    assert_accessible(page, "on the change log at 320 px")

    page.get_by_label("What", exact=True).select_option(label="Sign-offs")
    page.get_by_role("button", name="Filter").click()
    entries = page.locator(".app-change-log__entry")
    expect(entries.first).to_contain_text("Sign-offs")
    kinds = entries.locator("strong").all_inner_texts()
    assert kinds and set(kinds) == {"Sign-offs"}, kinds
    expect(log).not_to_contain_text("Rating and progress updates")
    page.get_by_label("Who", exact=True).select_option(label="Chris Signatory")
    page.get_by_role("button", name="Filter").click()
    # The council's signatory signed off before each of the demo's boards.
    expect(entries.first).to_contain_text("Cheshire East Council: Signed off")
    assert set(entries.locator("strong").all_inner_texts()) == {"Sign-offs"}
    fits(page)
    assert_accessible(page, "on the filtered change log at 320 px")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    exported = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Signed off" in exported and "Chris Signatory" in exported
    assert "Illustrative demo update" not in exported and "Imran Signatory" not in exported

    # The boards' snapshots, one for each past meeting of the demo's history.
    page.get_by_label("Who", exact=True).select_option(index=0)
    page.get_by_label("What", exact=True).select_option(label="Snapshots")
    page.get_by_role("button", name="Filter").click()
    assert set(entries.locator("strong").all_inner_texts()) == {"Snapshots"}
    assert entries.count() >= 3


def test_milestones_show_as_progress_beside_the_rating_on_a_phone_and_follow_a_step_marked_done(demo, sign_in, live_server):
    lead = demo.get(username="lead@example.org")
    action = Action.objects.filter(owners__holders=lead).order_by("position", "pk").first()
    for n in range(1, 6):
        Milestone.objects.create(
            action=action,
            title=f"Phase {n}: {'pilot in two localities' if n == 1 else 'roll out to the next locality'}",
            due_date=dt.date(2027, n * 2, 28),
            done_at=timezone.now() if n <= 2 else None,
            position=n,
        )
    page = sign_in(lead, DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    status = page.locator("#action-status")
    expect(status).to_contain_text("Rating")
    expect(page.get_by_test_id("milestone-progress")).to_have_text("2 of 5 done")
    fits(page)
    assert_accessible(page, "on an action with milestones at 320 px")

    third = page.locator("#milestones li").nth(2)
    expect(third).to_contain_text("Phase 3")
    third.get_by_role("button", name="Mark as done").click()
    # The section is swapped in place and the progress beside the rating follows, without a reload.
    expect(page.get_by_test_id("milestone-progress")).to_have_text("3 of 5 done")
    expect(page.locator("#milestones-heading")).to_contain_text("3 of 5 done")
    assert Milestone.objects.filter(action=action).exclude(done_at=None).count() == 3
    fits(page)
    assert_accessible(page, "after marking a milestone done at 320 px")

    page.goto(f"{live_server.url}{reverse('actions:my_actions')}")
    expect(page.locator("main")).to_contain_text("3 of 5 milestones done")
    fits(page)
    assert_accessible(page, "on My actions at 320 px")


def test_after_a_step_is_refused_added_or_marked_done_the_focus_lands_on_what_changed(demo, sign_in, live_server):
    lead = demo.get(username="lead@example.org")
    action = Action.objects.filter(owners__holders=lead).order_by("position", "pk").first()
    page = sign_in(lead, DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    section = page.locator("#milestones")

    section.get_by_label("Step", exact=True).fill("Panel pilot starts")
    section.get_by_label("Due by (optional)").fill("sometime soon")
    section.get_by_role("button", name="Add milestone").click()
    # The section is swapped in place: its error summary takes the focus, as a page with errors does, and the title says so.
    summary = section.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("sometime soon")
    expect(page).to_have_title(re.compile(r"^Error: "))
    fits(page)
    assert_accessible(page, "after a step was refused at 320 px")

    section.get_by_label("Due by (optional)").fill("March 2027")
    section.get_by_role("button", name="Add milestone").click()
    added = section.locator(".govuk-notification-banner--success")
    expect(added).to_be_focused()
    expect(added).to_contain_text(f"The step has been added to action {action.ref}.")
    expect(page).not_to_have_title(re.compile(r"^Error: "))

    step = section.locator("li", has_text="Panel pilot starts")
    step.get_by_role("button", name="Mark as done").click()
    expect(step).to_contain_text("Done")
    expect(step).to_be_focused()
    page.keyboard.press("Tab")
    expect(step.get_by_role("button", name="Mark as not done")).to_be_focused()
    assert_accessible(page, "after a step was marked done at 320 px")
