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
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from actions.tables import cell_escape
from feed.entities import ENTITY_SETS, EntitySet
from feed.forms import ApiTokenForm
from feed.models import ApiToken, api_token_create, api_token_find, api_token_revoke
from feed.odata import QueryError, metadata_xml, options_apply, options_read
from people.access import membership_for, not_found, officer_required
from people.models import Partnership
from send_tracker.security import security_event

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


def _odata_error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["OData-Version"] = "4.0"
    return response


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
        key = f"rate-limit:feed:{token.pk}"
        cache.add(key, 0, timeout=60 * 60)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=60 * 60)
            count = 1
        if count > settings.RATE_LIMITS["feed"]:
            security_event("rate_limited", request, bucket="feed", feed_credential=token.pk, partnership_id=token.partnership_id)
            response = _odata_error(429, "TooManyRequests", f"This token has made {settings.RATE_LIMITS['feed']} requests this hour.")
            response["Retry-After"] = "3600"
            return response
        security_event(
            "feed_read", request, feed_credential=token.pk, partnership_id=token.partnership_id, query=request.META.get("QUERY_STRING", "")
        )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.feed_token = token
        return view(request, *args, **kwargs)

    return wrapped


def _plain(value):
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


@require_GET
@token_required
def service(request: HttpRequest) -> HttpResponse:
    root = _service_root(request)
    body = {
        "@odata.context": f"{root}$metadata",
        "value": [{"name": name, "kind": "EntitySet", "url": name} for name in ENTITY_SETS],
    }
    response = HttpResponse(json.dumps(body), content_type=JSON_TYPE)
    response["OData-Version"] = "4.0"
    return response


@require_GET
@token_required
def metadata(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(metadata_xml(), content_type="application/xml;charset=utf-8")
    response["OData-Version"] = "4.0"
    return response


@require_GET
@token_required
def entity_set_read(request: HttpRequest, name: str) -> HttpResponse:
    entity_set = _entity_set(name)
    rows = entity_set.queryset(request.feed_token.partnership)
    try:
        options = options_read(entity_set, request.GET, rows.model)
        offset = options.skip + int(request.GET.get("$skiptoken", "0") or 0)
    except (QueryError, ValueError) as exc:
        return _odata_error(400, "BadRequest", str(exc))
    rows = options_apply(rows, options)
    page_size = settings.FEED_PAGE_SIZE
    served = offset - options.skip  # rows already given on earlier pages
    wanted = page_size if options.top is None else max(0, min(page_size, options.top - served))
    page = [{k: _plain(v) for k, v in row.items() if k in options.select} for row in rows[offset : offset + wanted + 1]]
    more = len(page) > wanted
    page = page[:wanted]
    root = _service_root(request)
    select = "" if options.select == entity_set.property_names else f"({','.join(options.select)})"
    body: dict = {"@odata.context": f"{root}$metadata#{entity_set.name}{select}"}
    if options.count:
        body["@odata.count"] = rows.count()
    body["value"] = page
    if more and (options.top is None or served + wanted < options.top):
        params = {k: v for k, v in request.GET.items() if k != "$skiptoken"}
        params["$skiptoken"] = str(offset + wanted - options.skip)
        body["@odata.nextLink"] = f"{root}{entity_set.name}?{urlencode(params)}"
    response = HttpResponse(json.dumps(body), content_type=JSON_TYPE)
    response["OData-Version"] = "4.0"
    return response


@require_GET
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
