from __future__ import annotations

from django.http import HttpRequest

from accounts.providers import provider_chosen, providers_enabled
from accounts.unsent import UNSENT, taken_back


def single_sign_on(request: HttpRequest) -> dict:
    """The sign-in page's providers: callables, so only a template that shows them looks them up."""
    return {"sso_providers": providers_enabled, "sso_provider_failed": lambda: provider_chosen(request)}


def unsent_form(request: HttpRequest) -> dict:
    """A form kept while its person signed in again, for the page it belongs to (a callable: looked up by the layout)."""
    return {"unsent_form": lambda: taken_back(request), "unsent_waiting": lambda: UNSENT in request.session}
