from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def single_sign_on(request: HttpRequest) -> dict:
    return {"sso_enabled": settings.OIDC_ENABLED, "sso_provider_name": settings.OIDC_PROVIDER_NAME}
