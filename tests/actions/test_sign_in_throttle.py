"""Sign-in is throttled per username and address, for a finite time, and ignores spoofed proxy headers."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tests.browser.conftest import PASSWORD


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        response = sign_in(client, username, "wrong password", **extra)
    return response


def test_it_locks_a_username_out_after_repeated_failures_even_with_the_right_password(client, owner):
    response = fail(client, owner.username, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200  # the form again, with its error
    response = fail(client, owner.username, 1)
    assert response.status_code == 429
    response = sign_in(client, owner.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_in_the_words_of_the_form_it_was_typed_in(client, owner):
    page = sign_in(client, owner.username, "wrong password").content.decode()
    assert "Enter the email address and password of your account: one of them is not right" in page
    assert "correct username" not in page


def test_the_lockout_ends_after_the_cool_off(client, owner):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, owner.username, PASSWORD).status_code == 429
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - cool_off - dt.timedelta(seconds=1))
    response = sign_in(client, owner.username, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(owner.pk)


def test_the_lockout_is_per_username_and_address(client, owner, group_lead):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.7")
    assert sign_in(client, owner.username, PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    # Another person at the same address, and the same person elsewhere, can still sign in.
    assert sign_in(client, group_lead.username, PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302
    client.logout()
    assert sign_in(client, owner.username, PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_change_the_lockout_bucket(client, owner):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, owner.username, "wrong password", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = sign_in(client, owner.username, PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_a_successful_sign_in_clears_earlier_failures(client, owner):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, owner.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, owner.username, PASSWORD).status_code == 302


def test_a_username_too_long_for_an_account_is_refused_by_the_form_not_the_database(client, owner):
    """A 256+ character username reached the throttle's 255-character column: a 500."""
    for length in (151, 256, 5000):
        response = sign_in(client, "u" * length + "@example.org", "wrong password")
        assert response.status_code == 200
        assert "Enter an email address of 150 characters or fewer" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # refused before any sign-in was attempted
    assert sign_in(client, owner.username, PASSWORD).status_code == 302


def test_an_administrator_made_with_createsuperuser_signs_in_with_their_email_address(client, db):
    """The sign-in page asks for the email address; `createsuperuser` asks for a username as well, which may differ."""
    User.objects.create_superuser(username="admin", email="Admin@Example.org", password=PASSWORD)
    response = sign_in(client, "admin@example.org", PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(User.objects.get(username="admin").pk)


def test_an_email_address_two_accounts_share_signs_neither_in(client, db):
    for name in ("first", "second"):
        User.objects.create_user(username=name, email="shared@example.org", password=PASSWORD)
    assert sign_in(client, "shared@example.org", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session
