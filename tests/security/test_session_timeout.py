"""The warning before a session ends: how long is left, asked without keeping anyone signed in; staying signed in.

WCAG 2.2.1 (Timing Adjustable): a person is told before the idle timeout signs them out, and can carry on with one
action. The browser journey (tests/browser/test_session_timeout_journey.py) sees the dialog itself.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from send_tracker.security import SEEN_AT, SIGNED_IN_AT
from tests.security.test_sessions import MY_ACTIONS, sign_in

pytestmark = pytest.mark.django_db
URL = "/account/session/"


def seen_ago(client: Client, seconds: int, *, signed_in_ago: int | None = None) -> None:
    session = client.session
    session[SEEN_AT] = int(time.time()) - seconds
    if signed_in_ago is not None:
        session[SIGNED_IN_AT] = int(time.time()) - signed_in_ago
    session.save()


def expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_address_is_the_one_the_pages_ask():
    assert reverse("accounts:session_time") == URL


def test_asking_how_long_is_left_says_so_and_does_not_keep_the_person_signed_in(client, owner):
    sign_in(client, owner)
    seen = int(time.time())
    seen_ago(client, 25 * 60)
    before = expiry(client)
    time.sleep(1)  # the expiry has a resolution of one second
    answer = client.get(URL)
    # As many seconds fewer than five minutes as passed since, however long a busy machine took to answer.
    passed = int(time.time()) - seen
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer.json()["extendable"] is True
    left = settings.SESSION_COOKIE_AGE - 25 * 60
    assert left - passed - 1 <= answer.json()["seconds_left"] <= left
    assert expiry(client) == before
    assert client.session[SEEN_AT] <= int(time.time()) - 25 * 60
    assert "no-store" in answer["Cache-Control"]


def test_staying_signed_in_starts_the_idle_time_again(client, owner):
    sign_in(client, owner)
    seen_ago(client, 28 * 60)
    before = expiry(client)
    time.sleep(1)
    answer = client.post(URL)
    assert answer.status_code == 200
    assert answer.json()["seconds_left"] >= settings.SESSION_COOKIE_AGE - 2
    assert expiry(client) > before


def test_staying_signed_in_needs_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(MY_ACTIONS)  # a page with a form: the browser is given its token
    refused = client.post(URL)
    assert refused.status_code == 403 and "seconds_left" not in refused.content.decode()
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post(URL, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_near_the_end_of_a_session_s_whole_lifetime_staying_active_cannot_put_it_off(client, owner):
    sign_in(client, owner)
    seen_ago(client, 0, signed_in_ago=settings.SESSION_ABSOLUTE_SECONDS - 90)
    answer = client.post(URL).json()
    assert answer["extendable"] is False
    assert 85 <= answer["seconds_left"] <= 90


def test_someone_signed_out_is_told_nothing_is_left_and_gets_no_session(client):
    answer = client.get(URL)
    assert answer.status_code == 200 and answer.json() == {"seconds_left": 0, "extendable": False}
    assert not Session.objects.exists()


def test_a_signed_in_page_carries_the_warning_and_its_script_and_the_sign_in_page_does_not(client, owner, officer):
    sign_in(client, owner)
    page = client.get(MY_ACTIONS).content.decode()
    assert 'id="app-timeout"' in page and "js/session-timeout.js" in page
    assert f'data-url="{URL}"' in page
    assert f'data-warn="{settings.SESSION_WARNING_SECONDS}"' in page
    assert re.search(r'id="app-timeout-script" data-left="\d+"', page)
    # The same markup on every page and for everyone: nothing of the page or the person (the browser adds its token).
    assert 'name="csrfmiddlewaretoken" value=""' in page.split('id="app-timeout"')[1]
    other = Client()
    other.force_login(officer)

    def dialog(html: str) -> str:
        return html.split("<dialog")[1].split("</dialog>")[0]

    assert dialog(page) == dialog(other.get(MY_ACTIONS).content.decode())
    client.post(reverse("logout"))
    assert 'id="app-timeout"' not in client.get(reverse("login")).content.decode()


def test_a_session_still_to_pass_the_second_factor_is_not_warned(client, owner, settings):
    settings.MFA_REQUIRED = True
    sign_in(client, owner)
    page = client.get(reverse("accounts:mfa_setup")).content.decode()
    assert 'id="app-timeout"' not in page
