"""A form sent by someone whose session ended while they filled it in: kept, and put back after they sign in again.

A delivery lead can spend longer on an update's narrative than the idle timeout allows. When they send it, the view
finds nobody signed in and sends them to sign in. What they typed is kept in the (new, anonymous) session with the
id of the person whose session it was, and the sign-in page returns them to the page the form is on, where a
banner says what happened and `static/js/unsent.js` puts their words back in the form (without a script, the banner
shows them to copy). Only the same person sees them again: signing in as anybody else discards them. Files are not
kept; the banner names them, to attach again.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from send_tracker.security import SIGNED_OUT_USER, form_page, whole_page_redirect

UNSENT = "unsent_form"
# What is kept of one form at the most: a narrative is a few thousand characters; a larger body is not kept.
MOST_KEPT_CHARACTERS = 100_000
# Fields never kept, whatever the form: the CSRF token, passwords, second-factor codes and other secrets.
NEVER_KEPT = ("token", "password", "secret", "otp")


def sign_in_again(request: HttpRequest) -> HttpResponse:
    """For a form sent by a signed-out person and answered "sign in": keep what they typed, and come back to its page."""
    page = form_page(request)
    user_id = getattr(request, SIGNED_OUT_USER, None) or ended_session_user_id(request)
    if user_id is not None:
        keep(request, user_id, page)
    return to_sign_in(request, page)


def to_sign_in(request: HttpRequest, page: str) -> HttpResponse:
    """Sign in and come back to `page`, as a whole page (for htmx too: not a sign-in form drawn inside a part)."""
    return whole_page_redirect(request, redirect_to_login(page).url)


def is_sign_in_redirect(response: HttpResponse) -> bool:
    """Sent to sign in to come back (`login_required`'s redirect names a `next`; signing out's names none)."""
    if response.status_code != 302:
        return False
    location = urlsplit(response.get("Location", ""))
    return location.path == resolve_url(settings.LOGIN_URL) and REDIRECT_FIELD_NAME in parse_qs(location.query)


def ended_session_user_id(request: HttpRequest) -> int | None:
    """Whose session the browser's cookie names, if it ended by idling (its row stays until `clearsessions`)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or request.session.get(SESSION_KEY):
        return None
    data = Session.objects.filter(session_key=key).values_list("session_data", flat=True).first()
    user_id = request.session.decode(data).get(SESSION_KEY) if data else None
    return int(user_id) if user_id is not None and str(user_id).isdigit() else None


def keep(request: HttpRequest, user_id: int, page: str) -> None:
    fields = {name: values for name, values in request.POST.lists() if not any(word in name.lower() for word in NEVER_KEPT)}
    if sum(len(value) for values in fields.values() for value in values) > MOST_KEPT_CHARACTERS:
        return
    request.session[UNSENT] = {
        "user": user_id,
        "page": page,
        "action": request.path,
        "fields": fields,
        "files": sorted({upload.name for upload in request.FILES.values()}),
        "at": int(time.time()),
    }


def taken_back(request: HttpRequest) -> dict | None:
    """The form kept for this page and this person, once (it is then forgotten); anyone else's is forgotten unseen."""
    kept = request.session.get(UNSENT)
    if not kept or not request.user.is_authenticated:
        return None
    if kept.get("user") != request.user.pk or time.time() - kept.get("at", 0) > settings.SESSION_ABSOLUTE_SECONDS:
        del request.session[UNSENT]
        return None
    if kept.get("page") != request.get_full_path():
        return None
    del request.session[UNSENT]
    return kept
