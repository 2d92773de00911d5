"""The feed: a read-only OData v4 service, and CSV and JSON downloads, of one partnership's data.

Reads are opened by an API token (`Authorization: Bearer <token>`, or Basic
with the token as the password, which is what Excel and Power BI ask for);
each token reads its own partnership only. Officers create, name and revoke
tokens on the partnership's feed page.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import io
import json
import math
import time
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from feed.entities import ENTITY_SETS, EntitySet
from feed.forms import ApiTokenForm
from feed.models import ApiToken, api_token_create, api_token_find, api_token_revoke
from feed.odata import QueryError, QueryNotImplementedError, metadata_xml, options_apply, options_read
from intake.tables import cell_escape
from people.access import membership_for, not_found, officer_required
from people.models import Partnership
from send_tracker.security import security_event

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible={};charset=utf-8"
# What each kind of answer may be asked for as, in Accept (any of these ranges) and in $format.
MEDIA = {
    "json": ({"application/json", "application/*", "*/*"}, ("json", "application/json")),
    "xml": ({"application/xml", "text/xml", "application/*", "text/*", "*/*"}, ("xml", "application/xml")),
    "text": ({"text/plain", "text/*", "*/*"}, ()),
}


def _odata_error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["OData-Version"] = "4.0"
    return response


def _media_ranges(header: str) -> list[tuple[str, str]]:
    """An Accept header's (type, parameters) for every range not refused with q=0."""
    ranges = []
    for part in header.split(","):
        kind, _, parameters = part.strip().partition(";")
        params = parameters.replace(" ", "").lower()
        if kind and not any(p in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params.split(";")):
            ranges.append((kind.strip().lower(), params))
    return ranges


def _negotiation_problem(request: HttpRequest, media: str) -> str:
    """Why the request cannot be answered as `media` (JSON, the CSDL's XML or a plain count); "" when it can."""
    accepted, formats = MEDIA[media]
    wanted = request.GET.get("$format", "").strip().lower()
    if wanted and formats and not wanted.startswith(formats):
        return f"$format={wanted} cannot be given: this answers {formats[0]} only"
    header = request.headers.get("Accept", "").strip()
    if header and wanted.startswith(formats or ("-",)):
        return ""  # $format overrides Accept
    if header and not any(kind in accepted for kind, _ in _media_ranges(header)):
        return f"Accept: {header} cannot be met: this answers {sorted(accepted)[0] if media != 'json' else 'application/json'}"
    return ""


def _version_problem(request: HttpRequest) -> str:
    highest = request.headers.get("OData-MaxVersion", "").strip()
    if not highest:
        return ""
    try:
        major, _, minor = highest.partition(".")
        if (int(major), int(minor or 0)) >= (4, 0):
            return ""
    except ValueError:
        return f"OData-MaxVersion: {highest} is not a version such as 4.0"
    return f"This feed speaks OData 4.0, above OData-MaxVersion: {highest}"


def _ieee754(request: HttpRequest) -> bool:
    """Whether the client asked for Int64 and Decimal values as strings (IEEE754Compatible=true)."""
    asked = (request.headers.get("Accept", "") + ";" + request.GET.get("$format", "")).replace(" ", "").lower()
    return "ieee754compatible=true" in asked


def feed_read_only(view):
    """A feed address answers GET and HEAD; a write, and a missing resource, get an OData JSON error.

    Exempt from the CSRF check, which would answer a POST with Django's HTML page
    before the view could refuse it: the feed is opened by a token in a header,
    never by a session cookie, and it changes nothing for any method.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = _odata_error(405, "MethodNotAllowed", "The feed is read-only: read it with GET.")
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            return _odata_error(404, "NotFound", str(exc) or "No such resource in this feed.")

    return csrf_exempt(wrapped)


def odata_endpoint(media: str):
    """A feed address: read-only, OData 4.0, answered as `media`; every refusal an OData JSON error."""

    def decorator(view):
        @feed_read_only
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if problem := _version_problem(request):
                return _odata_error(400, "UnsupportedVersion", problem)
            if problem := _negotiation_problem(request, media):
                return _odata_error(406, "NotAcceptable", problem)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _presented_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    kind, _, credentials = header.partition(" ")
    if kind.lower() == "bearer":
        return credentials.strip()
    if kind.lower() == "basic":
        try:
            _user, _, password = base64.b64decode(credentials.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return ""
        return password.strip()
    return ""


RATE_WINDOW_SECONDS = 60 * 60


def _feed_request_counted(token_id: int) -> tuple[int, float]:
    """Count one request of the token in its hour; the count so far and when that hour ends (a Unix time).

    The hour starts at the token's first request after the last hour ended; its
    start is kept beside the count, for as long as the count, so a refusal can say
    how long is left.
    """
    key = f"rate-limit:feed:{token_id}"
    now = time.time()
    cache.add(f"{key}:since", now, timeout=RATE_WINDOW_SECONDS)
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    since = cache.get(f"{key}:since") or now
    return count, since + RATE_WINDOW_SECONDS


def token_required(view):
    """Open the view for a live API token's partnership; 401 without one, 429 past the hourly limit."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        presented = _presented_token(request)
        token = api_token_find(presented) if presented else None
        if token is None:
            security_event("feed_refused", request, reason="no token" if not presented else "unknown or revoked token")
            response = _odata_error(401, "Unauthorized", "Give an API token: Authorization: Bearer <token>, or as the Basic password.")
            response["WWW-Authenticate"] = 'Basic realm="SEND tracker feed", charset="UTF-8"'
            return response
        count, window_ends = _feed_request_counted(token.pk)
        if count > settings.RATE_LIMITS["feed"]:
            security_event("rate_limited", request, bucket="feed", feed_credential=token.pk, partnership_id=token.partnership_id)
            response = _odata_error(429, "TooManyRequests", f"This token has made {settings.RATE_LIMITS['feed']} requests this hour.")
            # The seconds until the token's hour ends and its count starts again: a client that waits them is answered.
            response["Retry-After"] = str(max(1, math.ceil(window_ends - time.time())))
            return response
        security_event(
            "feed_read", request, feed_credential=token.pk, partnership_id=token.partnership_id, query=request.META.get("QUERY_STRING", "")
        )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.feed_token = token
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"  # the partnership's data, names included
        return response

    return wrapped


def _plain(value, as_text: bool = False):
    """A value as JSON holds it; with `as_text` (IEEE754Compatible=true), Int64 and Decimal values as strings."""
    if as_text and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _entity_set(name: str) -> EntitySet:
    entity_set = ENTITY_SETS.get(name)
    if entity_set is None:
        raise Http404("No such entity set.")
    return entity_set


def _service_root(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("feed:service"))


def _versioned(response: HttpResponse) -> HttpResponse:
    response["OData-Version"] = "4.0"
    return response


def _json_answer(request: HttpRequest, body: dict) -> HttpResponse:
    return _versioned(HttpResponse(json.dumps(body), content_type=JSON_TYPE.format("true" if _ieee754(request) else "false")))


def _set_read(request: HttpRequest, name: str, params=None):
    """The entity set at `name`, its rows for the token's partnership and the query options read from `params`."""
    entity_set = _entity_set(name)
    rows = entity_set.queryset(request.feed_token.partnership)
    return entity_set, rows, options_read(entity_set, request.GET if params is None else params, rows.model)


def _context_url(request: HttpRequest, entity_set: EntitySet, options, suffix: str = "") -> str:
    select = "" if options.select == entity_set.property_names else f"({','.join(options.select)})"
    return f"{_service_root(request)}$metadata#{entity_set.name}{select}{suffix}"


class _UnanswerableError(Exception):
    """The database refused the query the options make (a value of the wrong type, a division by zero)."""


def _evaluated(compute):
    """`compute()`'s result; _UnanswerableError when the database refuses the query, which a savepoint contains."""
    try:
        with transaction.atomic():
            return compute()
    except (DatabaseError, FieldError, ValidationError, TypeError, ValueError) as exc:
        raise _UnanswerableError(str(exc).split("\n")[0]) from None


def _query_refused(exc: Exception) -> HttpResponse:
    if isinstance(exc, QueryNotImplementedError):
        return _odata_error(501, "NotImplemented", str(exc))
    if isinstance(exc, _UnanswerableError):
        reason = f"$filter cannot be answered: compare each property with a value of its type, such as 'text' or 2025-01-31 ({exc})"
        return _odata_error(400, "BadRequest", reason)
    return _odata_error(400, "BadRequest", str(exc))


@odata_endpoint("json")
@token_required
def service(request: HttpRequest) -> HttpResponse:
    root = _service_root(request)
    body = {
        "@odata.context": f"{root}$metadata",
        "value": [{"name": name, "kind": "EntitySet", "url": name} for name in ENTITY_SETS],
    }
    return _json_answer(request, body)


@odata_endpoint("xml")
@token_required
def metadata(request: HttpRequest) -> HttpResponse:
    return _versioned(HttpResponse(metadata_xml(), content_type="application/xml;charset=utf-8"))


@odata_endpoint("json")
@token_required
def entity_set_read(request: HttpRequest, name: str) -> HttpResponse:
    try:
        entity_set, rows, options = _set_read(request, name)
        offset = options.skip + _skiptoken(request)
        rows = options_apply(rows, options)
        page_size = settings.FEED_PAGE_SIZE
        served = offset - options.skip  # rows already given on earlier pages
        wanted = page_size if options.top is None else max(0, min(page_size, options.top - served))
        fetched = _evaluated(lambda: list(rows[offset : offset + wanted + 1]))
        total = _evaluated(rows.count) if options.count else None
    except (QueryError, _UnanswerableError) as exc:
        return _query_refused(exc)
    as_text = _ieee754(request)
    page = [{k: _plain(v, as_text) for k, v in row.items() if k in options.select} for row in fetched]
    more = len(page) > wanted
    page = page[:wanted]
    body: dict = {"@odata.context": _context_url(request, entity_set, options)}
    if options.count:
        body["@odata.count"] = str(total) if as_text else total
    body["value"] = page
    if more and (options.top is None or served + wanted < options.top):
        params = {k: v for k, v in request.GET.items() if k != "$skiptoken"}
        params["$skiptoken"] = str(offset + wanted - options.skip)
        body["@odata.nextLink"] = f"{_service_root(request)}{entity_set.name}?{urlencode(params, safe='$')}"
    return _json_answer(request, body)


def _skiptoken(request: HttpRequest) -> int:
    text = request.GET.get("$skiptoken", "0").strip() or "0"
    if not text.isdigit():
        raise QueryError("$skiptoken must be one the feed gave in an @odata.nextLink")
    return int(text)


@odata_endpoint("text")
@token_required
def entity_set_count(request: HttpRequest, name: str) -> HttpResponse:
    """`Actions/$count`: how many rows the set (with its $filter) holds, as plain text."""
    try:
        _entity, rows, options = _set_read(request, name)
        total = _evaluated(options_apply(rows, options).count)
    except (QueryError, _UnanswerableError) as exc:
        return _query_refused(exc)
    return _versioned(HttpResponse(str(total), content_type="text/plain;charset=utf-8"))


@odata_endpoint("json")
@token_required
def entity_read(request: HttpRequest, name: str, key: str) -> HttpResponse:
    """`Actions(42)`: one row of the set by its Id, or a 404 when the token's partnership has no such row."""
    if not key.strip().isdigit():
        return _odata_error(400, "BadRequest", f"{name}({key}): the key is the row's Id, a whole number")
    try:
        entity_set, rows, options = _set_read(request, name, {k: v for k, v in request.GET.items() if k in ("$select", "$format")})
    except QueryError as exc:
        return _query_refused(exc)
    row = rows.filter(Id=int(key)).first()
    if row is None:
        raise Http404(f"{entity_set.name} has no row with Id {key}")
    as_text = _ieee754(request)
    body = {"@odata.context": _context_url(request, entity_set, options, "/$entity")}
    body.update({k: _plain(v, as_text) for k, v in row.items() if k in options.select})
    return _json_answer(request, body)


@odata_endpoint("json")
@token_required
def unknown_address(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404(f"The feed has nothing at {rest}: its entity sets are {', '.join(ENTITY_SETS)}")


@feed_read_only
@token_required
def entity_set_download(request: HttpRequest, name: str, extension: str) -> HttpResponse:
    """Every row of an entity set as one CSV or JSON file, for Excel's "From Web"."""
    entity_set = _entity_set(name)
    rows = entity_set.queryset(request.feed_token.partnership)
    names = entity_set.property_names
    filename = f"{entity_set.name}-{timezone.localdate():%Y-%m-%d}.{extension}"
    if extension == "json":
        response = HttpResponse(
            json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows.iterator()]), content_type="application/json"
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        for row in rows.iterator():
            writer.writerow([cell_escape(str(_plain(row[n]))) if row[n] is not None else "" for n in names])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _officer_partnership(request: HttpRequest, partnership_id: int) -> Partnership:
    """The partnership whose feed tokens the signed-in officer manages: 404 outside it, 403 for other roles."""
    membership = membership_for(request.user, partnership_id)
    if membership is None:
        raise not_found(Partnership.objects.filter(pk=partnership_id).first(), "No such partnership.")
    officer_required(membership, "manage the data feed's tokens")
    return membership.partnership


@login_required
def tokens(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership = _officer_partnership(request, partnership_id)
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                token, created = api_token_create(partnership=partnership, name=form.cleaned_data["name"], created_by=request.user)
        except IntegrityError:
            form.add_error("name", "A live token already has this name: choose another, or revoke that one first")
        else:
            security_event("feed_token_created", request, feed_credential=token.pk, partnership_id=partnership.pk)
            form = ApiTokenForm()
    context = {
        "partnership": partnership,
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(partnership=partnership).select_related("created_by", "revoked_by"),
        "service_url": _service_root(request),
        "downloads": [
            (name, reverse("feed:download", args=[name, "csv"]), reverse("feed:download", args=[name, "json"])) for name in ENTITY_SETS
        ],
    }
    response = render(request, "feed/tokens.html", context, status=422 if request.method == "POST" and form.errors else 200)
    if created:
        response["Cache-Control"] = "no-store"  # the token is on this page, once
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, partnership_id: int, token_id: int) -> HttpResponse:
    partnership = _officer_partnership(request, partnership_id)
    token = ApiToken.objects.filter(partnership=partnership, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(token=token, revoked_by=request.user)
    security_event("feed_token_revoked", request, feed_credential=token.pk, partnership_id=partnership.pk)
    messages.success(request, f"Token '{token.name}' revoked: it reads nothing from now on")
    return redirect("feed:tokens", partnership_id=partnership.pk)
