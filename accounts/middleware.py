from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode

from accounts.mfa import confirmed_totp, mfa_required
from accounts.unsent import is_sign_in_redirect, sign_in_again, to_sign_in
from send_tracker.security import SIGNED_OUT_USER, form_page, whole_page_redirect

# Pages a person signed in with a password alone may still reach.
EXEMPT_VIEWS = {
    "login",
    "logout",
    "accessibility",
    "privacy",
    "accounts:mfa_verify",
    "accounts:mfa_setup",
    "accounts:mfa_setup_qr",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    # An invitation's link: the person has no account (or no session) yet.
    "people:invitation_accept",
    # Opened by a mail program or a calendar with a signed link or a private token, never a session.
    "actions:email_unsubscribe",
    "governance:calendar_feed",
}


class MfaRequiredMiddleware:
    """Send a session that has not passed the second factor to set it up or enter a code, whatever it asks for.

    Runs after OTPMiddleware (which knows whether the session is verified).
    Static files are served before any view, so they need no exemption here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.resolver_match.view_name in EXEMPT_VIEWS or not mfa_required(request):
            return None
        name = "accounts:mfa_verify" if confirmed_totp(request.user) else "accounts:mfa_setup"
        target = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        return whole_page_redirect(request, target)


class SignInAgainMiddleware:
    """A form sent after its person's session ended: what they typed is kept for them, and they come back to its page.

    Outside SessionLifetimeMiddleware, which ends a session at its absolute lifetime and says whose it was; inside the
    session and authentication middleware. A person signed in when the request began (signing out) is left alone.
    A part of a page htmx asks for (a pack's progress, a dashboard panel) sends the whole page to sign in and back,
    rather than drawing the sign-in page inside the part.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            response = self.get_response(request)
            if is_sign_in_redirect(response) and getattr(request, "htmx", False):
                return to_sign_in(request, form_page(request))
            return response
        signed_out = not request.user.is_authenticated
        response = self.get_response(request)
        if (signed_out or getattr(request, SIGNED_OUT_USER, None)) and is_sign_in_redirect(response):
            return sign_in_again(request)
        return response
