from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.mfa import mfa_required
from accounts.providers import provider_chosen, providers_enabled
from accounts.unsent import UNSENT, taken_back
from send_tracker.security import session_seconds_left


def single_sign_on(request: HttpRequest) -> dict:
    """The sign-in page's providers: callables, so only a template that shows them looks them up."""
    return {"sso_providers": providers_enabled, "sso_provider_failed": lambda: provider_chosen(request)}


def unsent_form(request: HttpRequest) -> dict:
    """A form kept while its person signed in again, for the page it belongs to (a callable: looked up by the layout)."""
    return {"unsent_form": lambda: taken_back(request), "unsent_waiting": lambda: UNSENT in request.session}


def session_timeout(request: HttpRequest) -> dict:
    """For a person fully signed in: how long their session has left and when to warn them (a callable, for the layout)."""

    def timeout() -> dict | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or mfa_required(request):
            return None
        left, _extendable = session_seconds_left(request)
        return {
            "left": left,
            "warn": settings.SESSION_WARNING_SECONDS,
            "whole_hours": round(settings.SESSION_ABSOLUTE_SECONDS / 3600),
            "url": reverse("accounts:session_time"),
            "sign_in_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
            "sign_out_url": reverse("logout"),
        }

    return {"session_timeout": timeout}
