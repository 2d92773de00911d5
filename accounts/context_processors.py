from __future__ import annotations

from django.http import HttpRequest

from accounts.providers import provider_chosen, providers_enabled


def single_sign_on(request: HttpRequest) -> dict:
    """The sign-in page's providers: callables, so only a template that shows them looks them up."""
    return {"sso_providers": providers_enabled, "sso_provider_failed": lambda: provider_chosen(request)}
