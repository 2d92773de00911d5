"""A person who leaves a page open is warned before their session ends, can stay signed in, and is told when it ended.

The idle timeout is shortened to seconds here; the page, the dialog and the server are as deployed.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IDLE_SECONDS = 14
WARN_SECONDS = 9
# Generous: a busy machine may be slow to draw the page, which starts the page's own count.
WAIT_MS = 25_000


def test_the_warning_comes_before_the_idle_timeout_staying_keeps_the_session_and_the_end_is_said(sign_in, live_server, owner, settings):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.SESSION_WARNING_SECONDS = WARN_SECONDS
    page = sign_in(owner)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + "/my-actions/")
    dialog = page.locator("#app-timeout")
    expect(dialog).to_be_hidden()

    # Before the session ends: a modal dialog, focused, that says when and offers to stay signed in.
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    expect(dialog).to_be_focused()
    expect(dialog.get_by_role("heading")).to_have_text("You’re about to be signed out")
    expect(dialog).to_contain_text(re.compile(r"we will sign you out in \d+ seconds? unless you choose to stay signed in"))
    assert page.evaluate("document.querySelector('#app-timeout').matches(':modal')"), "the rest of the page is inert"
    assert_accessible(page, "with the timeout warning open at 320 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    session = Session.objects.get()
    before = session.expire_date
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert Session.objects.get(pk=session.pk).expire_date > before, "staying signed in moved the session's end"

    # Left alone this time: the warning comes back, counts down, and says the person was signed out.
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    expect(dialog.get_by_role("heading")).to_have_text("You have been signed out", timeout=WAIT_MS)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_hidden()
    expect(dialog).to_contain_text("what you typed is kept for you until you have signed in")
    again = dialog.get_by_role("link", name="Sign in again")
    expect(again).to_have_attribute("href", "/sign-in/?next=%2Fmy-actions%2F")
    assert_accessible(page, "with the timeout warning saying the session ended")
    # Back to the page, where a form part-way through can still be sent (and is kept while they sign in).
    dialog.get_by_role("button", name="Back to the page").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    page.goto(live_server.url + "/my-actions/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))


def test_signing_out_from_the_warning_ends_the_session(sign_in, live_server, owner, settings):
    """The dialog's sign-out form is the same on every page: it is sent with the browser's own security token."""
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.SESSION_WARNING_SECONDS = IDLE_SECONDS - 2
    page = sign_in(owner)
    page.goto(live_server.url + "/my-actions/")
    dialog = page.locator("#app-timeout")
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    [key] = [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == django_settings.SESSION_COOKIE_NAME]
    dialog.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("My actions")
    assert "Forbidden" not in page.content()
    assert not Session.objects.filter(session_key=key).exists()
    page.goto(live_server.url + "/my-actions/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))
