"""Sessions: a new key at sign-in, killed on the server at sign-out, idle and absolute timeouts,
and a password change or deactivation ends a person's other sessions."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from send_tracker.security import SEEN_AT, SIGNED_IN_AT
from tests.browser.conftest import PASSWORD

MY_ACTIONS = "/my-actions/"


def sign_in(client: Client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def signed_in(client: Client) -> bool:
    return client.get(MY_ACTIONS).status_code == 200


def test_signing_in_gives_a_new_session_key(client, owner):
    session = client.session  # a session that exists before signing in
    session["before"] = True
    session.save()
    before = session.session_key
    sign_in(client, owner)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_deletes_the_session_on_the_server(client, owner):
    sign_in(client, owner)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get(MY_ACTIONS).status_code == 302


def test_the_session_cookie_expires_after_the_idle_timeout_and_is_http_only(client, owner):
    sign_in(client, owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE == 30 * 60
    assert cookie["httponly"]


def test_an_idle_session_ends_on_the_server(client, owner):
    sign_in(client, owner)
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")  # as if nobody had used it for longer than the idle timeout
    assert not signed_in(client)


def test_activity_slides_the_idle_expiry(client, owner):
    sign_in(client, owner)
    session = client.session
    session[SEEN_AT] = int(time.time()) - 120  # last seen two minutes ago
    session.save()
    expiry_before = Session.objects.get(session_key=session.session_key).expire_date
    time.sleep(1)  # the expiry has a resolution of one second
    assert signed_in(client)
    assert Session.objects.get(session_key=session.session_key).expire_date > expiry_before


def test_a_session_ends_at_the_absolute_timeout_however_active(client, owner):
    sign_in(client, owner)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(MY_ACTIONS)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert not signed_in(client)


def test_a_session_just_inside_the_absolute_timeout_continues(client, owner):
    sign_in(client, owner)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert signed_in(client)


def test_changing_a_password_ends_the_other_sessions(owner):
    laptop, phone = Client(), Client()
    sign_in(laptop, owner)
    sign_in(phone, owner)
    owner.set_password("a new passphrase for the autumn term")
    owner.save()
    assert not signed_in(laptop)
    assert not signed_in(phone)


def test_deactivating_a_person_ends_their_sessions(owner):
    laptop, phone = Client(), Client()
    sign_in(laptop, owner)
    sign_in(phone, owner)
    owner.is_active = False
    owner.save()
    assert not signed_in(laptop)
    assert not signed_in(phone)
    # and they cannot sign in again
    response = Client().post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"])
def test_ending_a_persons_sessions_removes_them_from_the_cache_too(owner, settings, engine):
    """With Redis, sessions are read from the cache first: ending them must not leave a copy there."""
    from importlib import import_module

    from people.services import sessions_end

    settings.SESSION_ENGINE = engine
    laptop = Client()
    laptop.force_login(owner)
    key = laptop.session.session_key
    store = import_module(engine).SessionStore
    assert store(key).load().get("_auth_user_id") == str(owner.pk)
    assert sessions_end(owner) == 1
    assert store(key).load() == {}
