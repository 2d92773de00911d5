"""A new person sets up two-factor authentication in a real browser, then signs in again with a code."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.conftest import current_code
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_delivery_lead_sets_up_an_app_and_signs_in_with_a_code(sign_in, live_server, owner, action, settings):
    settings.MFA_REQUIRED = True
    page = sign_in(owner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code to add SEND strategy tracker to your authenticator app")).to_be_visible()
    page.wait_for_function("[...document.images].every(img => img.complete)")
    assert page.evaluate("document.querySelector('img[alt^=\"QR code\"]').naturalWidth") > 0, "the QR code loads"
    assert_accessible(page, "on the set-up page")

    page.get_by_label("Code from your authenticator app").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    assert_accessible(page, "after a wrong code")

    device = TOTPDevice.objects.get(user=owner)
    device.throttle_reset()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is set up")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "on the recovery codes page")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")

    # Next time: password, then a recovery code (the app's code for this step is spent).
    page.get_by_role("button", name="Sign out").click()
    sign_in(owner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page, "on the code page")
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
