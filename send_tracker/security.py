"""Security events, session lifetimes and per-user rate limits.

Every security event is one line on the "send_tracker.security" logger: a JSON
object with the event name, the UTC time, the user's id and the client
address. JSON escapes newlines and control characters, so nothing a person
types (a username, a path) can start a forged line. Secrets never reach it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger("send_tracker.security")

# Field names that may carry a secret: their values are never written.
SECRET_WORDS = ("password", "token", "secret", "session", "otp", "code", "key", "cookie")
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# How stale the last-seen time may get before a request saves the session again (sliding its expiry).
SEEN_RESOLUTION_SECONDS = 60
# The address a page asks how long its person's session has left, to warn them before it ends: asking (GET) is not
# activity, so it never keeps anyone signed in by itself.
SESSION_TIME_VIEW = "accounts:session_time"
# Set on a request whose session this module ended part-way through (the absolute lifetime): whose session it was,
# so that a form it carried can be kept for that person (accounts/unsent.py).
SIGNED_OUT_USER = "signed_out_user_id"


class NotInPartnership(Http404):
    """Raised by the access helpers when the object exists but belongs to a partnership the user is not in.

    People see an ordinary 404; the security log records the attempt.
    """


def security_event(event: str, request: HttpRequest | None = None, user=None, **fields) -> None:
    """Log one security event as a single JSON line.

    `fields` are extra facts (a report id, a username that failed to sign in);
    any whose name suggests a secret is written as "[redacted]".
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    record = {
        "event": event,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user_id": user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
        "ip": _client_ip(request),
    }
    if request is not None:
        record["path"] = request.path
    for name, value in fields.items():
        if any(word in name.lower() for word in SECRET_WORDS):
            value = "[redacted]"
        elif not isinstance(value, (int, float, bool, type(None))):
            value = str(value)
        record[name] = value
    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=False))


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # The same address the sign-in throttle uses: only the proxy header the deployment trusts.
    return get_client_ip_address(request)


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = int(time.time())
    security_event("sign_in", request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    security_event("sign_out", request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    security_event("sign_in_failed", request, username=credentials.get("username", ""))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    security_event("sign_in_locked_out", request, username=username)


class SessionLifetimeMiddleware:
    """Sign a person out a fixed time after they signed in, however active they have been; slide the idle expiry.

    Django ends a session SESSION_COOKIE_AGE after it was last saved (the idle
    timeout, checked on the server). Marking it seen at most once a minute
    saves it, so an active person stays signed in without a write per request.
    This middleware also logs refused requests (403, and 404s for another
    partnership's objects).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None or time.time() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                security_event("session_expired", request)
                setattr(request, SIGNED_OUT_USER, request.user.pk)
                logout(request)
                return redirect_to_login(request.get_full_path())
            if time.time() - request.session.get(SEEN_AT, 0) > SEEN_RESOLUTION_SECONDS and not _asks_time_left(request):
                session_kept(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            security_event("permission_denied", request, view=_view_name(request))
        elif isinstance(exception, NotInPartnership):
            security_event("other_partnership_denied", request, view=_view_name(request))
        return None


def _asks_time_left(request: HttpRequest) -> bool:
    try:
        return request.method == "GET" and request.path_info == reverse(SESSION_TIME_VIEW)
    except NoReverseMatch:  # a URLconf without the accounts pages
        return False


def session_kept(request: HttpRequest) -> None:
    """Mark the person seen now: the session is saved, and its idle expiry starts again."""
    request.session[SEEN_AT] = int(time.time())


def session_seconds_left(request: HttpRequest) -> tuple[int, bool]:
    """How many seconds the signed-in person's session has left, and whether being active puts that off.

    The idle limit counts from the last time the person was marked seen (the session may have been saved since, so
    this is never later than the real end); the session's whole lifetime cannot be put off.
    """
    now = time.time()
    idle = request.session.get(SEEN_AT, now) + settings.SESSION_COOKIE_AGE - now
    whole = request.session.get(SIGNED_IN_AT, now) + settings.SESSION_ABSOLUTE_SECONDS - now
    return max(0, int(min(idle, whole))), idle < whole


class PrivateResponsesMiddleware:
    """Every response to a signed-in person is `Cache-Control: private, no-store`.

    Their pages and downloads (My actions, an action's history, people, exports)
    hold personal data: no browser on a shared computer keeps a copy after sign-out,
    and no proxy keeps one at all. A page its view marks `public` (the published
    progress page, the same for everyone) and static files keep their own caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _marked_public(response):
            response["Cache-Control"] = "private, no-store"
        return response


class FormAddressPageMiddleware:
    """A form's address opened as a page answers with a page that says so, not a blank "405 Method Not Allowed".

    A bookmark does it, or an address copied from a form's, or signing in from one. The page says what the address
    is and links to the nearest page above it (the snapshots for a snapshot's form, the meeting for a decision's).
    The status stays 405 and `Allow` says what the address takes. A 405 with a body of its own (the data feed's
    OData error) is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method not in ("GET", "HEAD") or response.content:
            return response
        page = render(request, "405.html", {"back": page_above(request.path_info)}, status=405)
        page["Allow"] = response["Allow"]
        return page


def form_page(request: HttpRequest) -> str:
    """The page the form was sent from: htmx's current address, the referring page of this site, or the page above."""
    for sent_from in (request.headers.get("HX-Current-URL", ""), request.headers.get("Referer", "")):
        if sent_from and url_has_allowed_host_and_scheme(sent_from, allowed_hosts={request.get_host()}):
            parts = urlsplit(sent_from)
            if parts.path:
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return page_above(request.path_info)


def whole_page_redirect(request: HttpRequest, target: str) -> HttpResponse:
    """A redirect the browser follows as a whole page: for htmx an `HX-Redirect`, never a page drawn inside a part."""
    return HttpResponseClientRedirect(target) if getattr(request, "htmx", False) else redirect(target)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: a page that says why it most likely happened and leads back (CSRF_FAILURE_VIEW).

    With a script, forms send the browser's current token (static/js/fresh-token.js), so a person meets this page
    without one, with cookies blocked, or when the request really was forged. Nothing sent is shown back or kept.
    """
    return render(request, "403_csrf.html", {"back": form_page(request)}, status=403)


def page_above(path: str) -> str:
    """The nearest address above `path` that is a page of the product's (its home page at the least)."""
    parts = path.strip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        above = "/" + "/".join(parts[:end]) + "/"
        try:
            resolve(above)
        except Resolver404:
            continue
        return above
    return "/"


def _marked_public(response: HttpResponse) -> bool:
    return "public" in (d.strip().lower() for d in response.get("Cache-Control", "").split(","))


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def rate_limited(bucket: str, *, what: str) -> Callable:
    """Refuse a person's request with 429 once they have made `settings.RATE_LIMITS[bucket]` of them this hour.

    The count is per user, not per address, in the shared cache; the refused
    request does no work. `what` names the request in the message ("board packs").
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = settings.RATE_LIMITS[bucket]
            key = f"rate-limit:{bucket}:{request.user.pk}"
            cache.add(key, 0, timeout=60 * 60)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=60 * 60)
                count = 1
            if count > limit:
                security_event("rate_limited", request, bucket=bucket)
                return render(request, "429.html", {"what": what, "limit": limit}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def request_size_limit(limit: Callable[..., int], *, by_url: bool = False) -> Callable:
    """Mark a view as accepting request bodies up to `limit()` bytes (read from settings when asked).

    With `by_url`, the limit is `limit(**url_kwargs)`: one view serving several
    kinds of upload accepts what the kind in its URL accepts.
    """
    if by_url:
        limit.by_url = True

    def decorator(view: Callable) -> Callable:
        view.max_request_bytes = limit
        return view

    return decorator


def default_request_limit() -> int:
    """A body a view without an upload may be sent: its form fields, never a file of any size."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than its view accepts, before anything reads it.

    Django bounds form fields held in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but
    streams uploaded files to disk whatever their size, and the CSRF check
    reads the body before any view runs. So the declared length is checked
    here, ahead of CsrfViewMiddleware: an oversized upload is answered at once
    with a page that says what fits, and nothing is read or written. Views
    that take files say how much with `request_size_limit`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limiter = getattr(view_func, "max_request_bytes", default_request_limit)
        limit = limiter(**view_kwargs) if getattr(limiter, "by_url", False) else limiter()
        if length <= limit:
            return None
        security_event("request_too_large", request, path=request.path, bytes=length, limit=limit)
        context = {
            "limit": limit,
            "plan_import_limit": filesizeformat(settings.PLAN_IMPORT_MAX_BYTES),
            "evidence_limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
        }
        response = render(request, "413.html", context, status=413)
        if getattr(request, "htmx", False):
            # Show the page's message in place of the page's main content, where the person is looking.
            response["HX-Retarget"] = "#main-content"
            response["HX-Reswap"] = "outerHTML"
            response["HX-Reselect"] = "#main-content"
        response["Connection"] = "close"  # the unread body is not kept waiting for
        return response
