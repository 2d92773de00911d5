"""A delivery lead updates an action in a real browser: htmx swaps, focus, conflicts and keyboard use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from actions.services import action_update_record
from tests.browser.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.className || document.activeElement.tagName")


def test_a_delivery_lead_updates_a_rating_with_htmx_and_sees_the_page_follow(sign_in, live_server, owner, action, level):
    page = sign_in(owner)
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    assert_accessible(page, "on My actions")
    page.get_by_role("link", name="SP1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action SP1")
    assert_accessible(page, "on the action page")
    url = page.url

    # A risk rating without a narrative: the error summary, focused, and the field's message.
    page.get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Save update").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Say what is being done to bring this action back on track")
    expect(page.locator("#id_narrative-error")).to_be_visible()
    assert page.url == url, "htmx swapped in place"
    expect(page).to_have_title(re.compile(r"^Error: SP1 – "))
    assert_accessible(page, "after a failed update")

    page.get_by_label("Progress narrative").fill("Provider withdrew; re-tendering in June.")
    page.get_by_role("button", name="Save update").click()
    banner = page.get_by_role("alert").filter(has_text="has been saved")
    expect(banner).to_be_focused()
    expect(page).to_have_title(re.compile(r"^SP1 – "))
    history = page.locator("#action-history")
    expect(history).to_contain_text("Provider withdrew; re-tendering in June.")
    expect(history.locator(".app-history__item").first).to_contain_text("Amber")
    expect(page.get_by_test_id("update-count")).to_have_text("1")
    expect(page.locator("#action-status")).to_contain_text("Red")
    expect(page.get_by_test_id("last-updated")).to_contain_text("owner@example.org")
    assert_accessible(page, "after a successful update")

    page.get_by_role("link", name="My actions").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="SP1", exact=True))
    expect(row).to_contain_text("Red")
    expect(row).to_contain_text("by owner@example.org")


def test_a_second_person_with_the_page_open_gets_a_conflict_and_keeps_their_words(
    sign_in, live_server, browser, owner, group_lead, action, level
):
    page = sign_in(owner)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")

    other_context = browser.new_context()
    other = other_context.new_page()
    other.goto(f"{live_server.url}/sign-in/")
    other.get_by_label("Email address").fill(group_lead.username)
    other.get_by_role("textbox", name="Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.goto(f"{live_server.url}{action.get_absolute_url()}")

    page.get_by_label("Green", exact=True).check()
    page.get_by_label("Progress narrative").fill("Owner: done and embedded.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_visible()

    other.get_by_label("Red", exact=True).check()
    other.get_by_label("Progress narrative").fill("Lead: this has slipped badly.")
    other.get_by_role("button", name="Save update").click()
    heading = other.get_by_role("heading", name=re.compile("Your update has not been saved"))
    expect(heading).to_be_focused()
    expect(other.locator("#update-conflict")).to_contain_text("Owner: done and embedded.")
    expect(other.get_by_label("Progress narrative")).to_have_value("Lead: this has slipped badly.")
    expect(other.get_by_test_id("update-count")).to_have_text("1")
    assert_accessible(other, "on the conflict panel")

    # Having read it, the lead resubmits deliberately.
    other.get_by_role("button", name="Save update").click()
    expect(other.get_by_role("alert").filter(has_text="has been saved")).to_be_focused()
    expect(other.get_by_test_id("update-count")).to_have_text("2")
    other_context.close()


def test_the_update_form_works_with_the_keyboard_alone(sign_in, live_server, page, owner, action, level):
    sign_in(owner)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "rating":
            break
    else:
        pytest.fail("Tab never reached the rating")
    assert page.evaluate("document.activeElement.value") == str(level("amber").pk), "Tab lands on the chosen rating"
    page.keyboard.press("ArrowUp")  # levels run worst to best: Red, Grey, Amber, ...
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.value") == str(level("red").pk)
    page.keyboard.press("Tab")
    assert focused(page) == "id_narrative"
    page.keyboard.type("Keyboard only: recovery plan agreed.")
    page.keyboard.press("Tab")
    assert focused(page) == "id_links"
    page.keyboard.press("Tab")
    assert focused(page) == "id_files"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Save update"
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_focused()
    expect(page.locator("#action-history")).to_contain_text("Keyboard only: recovery plan agreed.")


def test_without_javascript_the_form_posts_and_redirects(live_server, browser, owner, action, level):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(owner.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Progress narrative").fill("No script needed.")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{action.get_absolute_url()}#history")
    expect(page.get_by_role("alert")).to_contain_text("has been saved")
    expect(page.locator("#action-history")).to_contain_text("No script needed.")
    context.close()


def test_evidence_is_listed_in_history_for_board_members_without_edit_controls(sign_in, live_server, owner, board, action, level):
    action_update_record(
        action=action, user=owner, rating=level("red"), narrative="See report", links=["https://example.org/r"], expected_version=1
    )
    page = sign_in(board)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    expect(page.get_by_role("link", name="https://example.org/r")).to_be_visible()
    expect(page.get_by_role("button", name="Save update")).to_have_count(0)
    assert_accessible(page, "on the action page as a board member")


def test_an_update_sent_after_the_session_ended_is_back_in_the_form_once_signed_in_again(sign_in, live_server, owner, action, level):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from actions.models import ActionUpdate

    page = sign_in(owner)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Progress narrative").fill("The provider withdrew in May; we re-tender in June with the ICB.")
    # Lunch is longer than the idle timeout: the session ends while the page is open.
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(minutes=1))
    page.get_by_role("button", name="Save update").click()

    # The sign-in page is the whole page, not drawn inside the action's history.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("#action-history")).to_have_count(0)
    assert not ActionUpdate.objects.filter(action=action).exists()
    page.get_by_label("Email address").fill(owner.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Action SP1")
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("You were signed out before what you sent was saved")
    expect(banner).to_contain_text("What you typed is back in the form below")
    expect(page.get_by_label("Progress narrative")).to_have_value("The provider withdrew in May; we re-tender in June with the ICB.")
    expect(page.get_by_label("Red", exact=True)).to_be_checked()
    assert_accessible(page, "with the kept form put back")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_focused()
    assert ActionUpdate.objects.get(action=action).narrative == "The provider withdrew in May; we re-tender in June with the ICB."

    # Once only: the next visit to the page is as any other.
    page.reload()
    expect(page.get_by_role("region", name="Important")).to_have_count(0)


def test_signing_in_again_in_another_tab_leaves_the_forms_of_this_one_working(sign_in, live_server, owner, officer, action, level):
    from reporting.models import Snapshot

    page = sign_in(owner)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Progress narrative").fill("Typed before signing in again in the other tab.")
    other = page.context.new_page()

    def again_in_the_other_tab(person):
        """In a second tab of the same browser the person signs out and in again: the browser's CSRF token changes."""
        other.goto(f"{live_server.url}/sign-in/")
        other.get_by_role("button", name="Sign out").click()
        other.get_by_label("Email address").fill(person.username)
        other.get_by_role("textbox", name="Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_load_state()

    again_in_the_other_tab(owner)

    # The form drawn with the old token is sent with the browser's current one (htmx).
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_focused()
    expect(page.get_by_test_id("update-count")).to_have_text("1")

    # So is a form without htmx: the officer's snapshot, from a page opened before signing in again elsewhere.
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_load_state()
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{action.strategy_id}/snapshots/")
    again_in_the_other_tab(officer)
    page.get_by_role("button", name="Take a snapshot").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Your form was not sent")
    assert Snapshot.objects.filter(strategy_id=action.strategy_id).exists()


def test_an_update_the_server_never_answers_says_it_was_not_saved_and_keeps_the_words(sign_in, live_server, owner, action, level):
    page = sign_in(owner)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Progress narrative").fill("Written on the train.")
    update = f"**{action.get_absolute_url()}update/"

    # The connection drops as it is sent.
    page.route(update, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save update").click()
    summary = page.get_by_role("alert").filter(has_text="What you sent has not been saved")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The connection to the tracker was lost")
    expect(page).to_have_title(re.compile(r"^Error: SP1 – "))
    expect(page.get_by_label("Progress narrative")).to_have_value("Written on the train.")
    assert_accessible(page, "with an update that was not sent")

    # The server is busy (a deployment): said in words, once, above the form.
    page.unroute(update)
    page.route(update, lambda route: route.fulfill(status=503, body="<html><body>Busy</body></html>", content_type="text/html"))
    page.get_by_role("button", name="Save update").click()
    expect(summary).to_contain_text("The tracker is busy or being updated")
    expect(page.locator("#app-not-sent")).to_have_count(1)

    page.unroute(update)
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert").filter(has_text="has been saved")).to_be_focused()
    expect(page.locator("#app-not-sent")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^SP1 – "))
    expect(page.locator("#action-history")).to_contain_text("Written on the train.")
