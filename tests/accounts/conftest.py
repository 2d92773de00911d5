from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django_otp.oath import totp

from tests.browser.conftest import PASSWORD
from tests.conftest import ROOT


@pytest.fixture
def mfa_on(settings):
    """Two-factor authentication as production has it (the suite's default switches it off)."""
    settings.MFA_REQUIRED = True
    return settings


def password_sign_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, **extra)


def current_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def spent_code(device) -> str:
    """The code of the time step the device last accepted: the same whenever it is asked, unlike `current_code`."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    at = TOTP(device.bin_key, device.step, device.t0, device.digits)
    at.time = device.t0 + device.last_t * device.step
    return f"{at.token():06d}"


def settings_value(expression: str, **env: str) -> str:
    """Evaluate `expression` against production's settings, in a process given `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "MFA_REQUIRED"} and not k.startswith("OIDC_")}
    clean["SECRET_KEY"] = "production-like-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    clean["DJANGO_SETTINGS_MODULE"] = "send_tracker.settings"
    clean.update(env)
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
