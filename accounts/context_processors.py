from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse

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
    """For a person fully signed in: how long their session has left, and the warning's markup (a callable, for the layout)."""

    def timeout() -> dict | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or mfa_required(request):
            return None
        left, _extendable = session_seconds_left(request)
        hours = round(settings.SESSION_ABSOLUTE_SECONDS / 3600)
        return {"left": left, "dialog": timeout_dialog(settings.SESSION_WARNING_SECONDS, hours, get_script_prefix())}

    return {"session_timeout": timeout}


@functools.lru_cache(maxsize=16)
def timeout_dialog(warn: int, whole_hours: int, prefix: str) -> str:
    """The warning's markup: the same on every page of a deployment (`prefix`, the site's path, is part of its addresses),
    so drawn once a process. The page's own address and the person's security token are added by its script."""
    addresses = {"url": reverse("accounts:session_time"), "sign_in_url": reverse("login"), "sign_out_url": reverse("logout")}
    return render_to_string("includes/session_timeout.html", {"warn": warn, "whole_hours": whole_hours, **addresses})
