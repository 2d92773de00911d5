"""Every account passes a second factor (an authenticator app or a recovery code) before anything else works."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import totp_pending
from tests.accounts.conftest import current_code, password_sign_in, settings_value, spent_code

pytestmark = pytest.mark.usefixtures("mfa_on")

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")


def set_up_app(client, user) -> tuple[TOTPDevice, list[str]]:
    """Sign in with the password and set up an authenticator app, as a new user does; returns the device and the recovery codes."""
    password_sign_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


def sign_out_and_in_again(client, user):
    client.post(reverse("logout"))
    password_sign_in(client, user)


@pytest.mark.slow
def test_it_is_required_by_the_production_settings():
    assert settings_value("settings.MFA_REQUIRED") == "True"
    assert settings_value("'accounts.middleware.MfaRequiredMiddleware' in settings.MIDDLEWARE") == "True"
    assert settings_value("settings.MFA_REQUIRED", MFA_REQUIRED="false") == "False"


def test_it_sends_a_new_user_to_set_up_an_app_after_their_password(client, owner):
    password_sign_in(client, owner)
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Set up two-factor authentication" in page.content.decode()
    secret = page.context["secret"].replace(" ", "")
    assert f"secret={secret}" in totp_pending(owner).config_url
    qr = client.get(reverse("accounts:mfa_setup_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")


def test_a_wrong_code_at_set_up_shows_an_error_by_the_field(client, owner):
    password_sign_in(client, owner)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000" if current_code(totp_pending(owner)) != "000000" else "111111"})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    assert client.get(reverse("actions:my_actions")).status_code == 302


def test_setting_up_shows_ten_single_use_recovery_codes_once_and_lets_the_user_in(client, owner):
    device, codes = set_up_app(client, owner)
    assert len(codes) == len(set(codes)) == 10
    assert device.__class__.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("actions:my_actions")).status_code == 200
    # The set-up page does not show a secret or codes again.
    assert client.get(SETUP)["Location"] == VERIFY
    assert client.get(reverse("accounts:mfa_setup_qr")).status_code == 404


def test_a_user_with_an_app_must_enter_a_code_before_anything_else_works(client, owner, action):
    set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    for url in [
        reverse("home"),
        reverse("actions:my_actions"),
        reverse("actions:strategy_list"),
        reverse("actions:action_detail", args=[action.pk]),
        reverse("admin:index"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), url
    htmx = client.get(reverse("actions:action_detail", args=[action.pk]), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(VERIFY)
    for url in [reverse("accessibility"), reverse("privacy"), VERIFY]:
        assert client.get(url).status_code == 200, url


def test_the_right_code_lets_the_user_in_where_they_were_going_under_a_new_session_key(client, owner):
    device, _ = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    target = reverse("actions:my_actions")
    assert client.get(target)["Location"] == f"{VERIFY}?next=%2Fmy-actions%2F"
    before = client.session.session_key
    device.refresh_from_db()
    device.last_t = -1  # the code used at set-up is spent; allow this step's code again for this test
    device.save()
    response = client.post(VERIFY, {"code": current_code(device), "next": target})
    assert response["Location"] == target
    assert client.session.session_key != before
    assert client.get(target).status_code == 200


def test_a_used_code_cannot_be_replayed(client, owner):
    device, _ = set_up_app(client, owner)
    # The code that confirmed set-up: now spent. Asked of the step it was for, not of the clock, which may have moved on.
    code = spent_code(device)
    sign_out_and_in_again(client, owner)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert client.get(reverse("actions:my_actions")).status_code == 302
    # The device itself: a code verifies once, then the same code is refused.
    device = TOTPDevice.objects.get(pk=device.pk)
    device.last_t = -1
    device.throttle_reset()
    assert device.verify_token(code) is True
    assert TOTPDevice.objects.get(pk=device.pk).verify_token(code) is False


def test_a_recovery_code_works_once(client, owner):
    _, codes = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    response = client.post(VERIFY, {"code": codes[0].upper()})  # as typed from paper
    assert response.status_code == 302
    assert client.get(reverse("actions:my_actions")).status_code == 200
    assert StaticToken.objects.filter(device__user=owner).count() == 9
    sign_out_and_in_again(client, owner)
    response = client.post(VERIFY, {"code": codes[0]})
    assert "The code is not correct" in response.content.decode()
    assert client.get(reverse("actions:my_actions")).status_code == 302


def test_wrong_codes_are_throttled_even_across_new_sign_ins(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code, so the test does not race the clock
    device, _ = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    wrong = "999999" if current_code(device) != "999999" else "888888"
    client.post(VERIFY, {"code": wrong})
    client.post(VERIFY, {"code": wrong})  # within the delay: refused without being checked
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.last_t = -1  # allow this step's code again (set-up spent it)
    device.save()
    sign_out_and_in_again(client, owner)
    # Even the right code is refused until the delay is over.
    response = client.post(VERIFY, {"code": current_code(device)})
    assert "too many wrong codes" in response.content.decode()
    a_minute_ago = device.throttling_failure_timestamp - dt.timedelta(seconds=61)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=a_minute_ago)
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 302


def test_wrong_codes_count_towards_the_sign_in_lockout(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # so each wrong code is checked; the lockout is what stops them here
    device, _ = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    wrong = "999999" if current_code(device) != "999999" else "888888"
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=owner.username).failures_since_start == django_settings.AXES_FAILURE_LIMIT
    # Signing in with the right password does not help until the cool-off ends.
    assert password_sign_in(client, owner).status_code == 429


@pytest.mark.parametrize("target", ["foo", "home", "actions:my_actions", "https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_a_next_that_is_not_a_path_on_this_site_is_ignored_not_followed(client, owner, target):
    """`next` without a slash or dot used to be taken for a URL name: a 500, and a recovery code used up for nothing."""
    _, codes = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    assert client.get(VERIFY, {"next": target}).status_code == 200
    response = client.post(f"{VERIFY}?next={target}", {"code": codes[0], "next": target})
    assert response.status_code == 302 and response.url == "/"
    assert StaticToken.objects.filter(device__user=owner).count() == 9
    # The recovery code bought a verified session: pages open.
    assert client.get(reverse("actions:my_actions")).status_code == 200


def test_a_next_path_on_this_site_is_followed(client, owner):
    _, codes = set_up_app(client, owner)
    sign_out_and_in_again(client, owner)
    target = reverse("actions:notifications") + "?x=1"
    response = client.post(VERIFY, {"code": codes[0], "next": target})
    assert response.status_code == 302 and response.url == target
