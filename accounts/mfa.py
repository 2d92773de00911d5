"""Two-factor authentication: an authenticator app (TOTP) plus single-use recovery codes.

Built on django-otp. A TOTP device remembers the last time step it accepted
(`last_t`), so a code cannot be used twice; a recovery code is deleted when it
is used. Every device throttles wrong codes with an exponential delay that
survives signing in again; wrong codes also count towards the sign-in lockout.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

RECOVERY_CODE_COUNT = 10
# Set on the session when the identity provider vouched for a second factor
# (single sign-on with OIDC_TRUST_IDP_MFA); the session then counts as verified.
IDP_MFA_SESSION_KEY = "mfa_by_identity_provider"
_TOTP_SHAPE = re.compile(r"^\d{6}$")


def mfa_required(request: HttpRequest) -> bool:
    """True when this signed-in request must still pass the second factor."""
    user = request.user
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    return not (user.is_verified() or request.session.get(IDP_MFA_SESSION_KEY) is True)


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_pending(user: User) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device, its secret kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def device_for_code(user: User, code: str) -> Device | None:
    """Six digits are an authenticator code; anything else is tried as a recovery code."""
    if _TOTP_SHAPE.match(code):
        return confirmed_totp(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def mfa_setup_confirm(*, device: TOTPDevice) -> list[str]:
    """Confirm an authenticator app and issue a fresh set of recovery codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def mfa_session_verify(request: HttpRequest, device: Device) -> None:
    """Mark this session as having passed the second factor, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()
