"""The upload, preview and confirm pages of every source a strategy reads (plans, KPI values, open data, deliverables ...).

Each checks that the signed-in person is an officer of the strategy's
partnership (404 outside it, 403 for other roles) and hands over to the
intake pages, which ask the source's registered reader for the rest.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from actions.access import officer_strategy
from actions.models import Strategy
from intake.models import Upload
from intake.readers import Reader, reader_named
from intake.services import upload_record
from intake.views import confirm, preview_page, upload_page, upload_request_limit
from send_tracker.security import request_size_limit


def _reader(source: str) -> Reader:
    try:
        return reader_named(source)
    except LookupError:
        raise Http404("No such kind of upload.") from None


def _officer_strategy(request: HttpRequest, strategy_id: int, reader: Reader) -> Strategy:
    strategy, _membership = officer_strategy(request.user, strategy_id, reader.officer_does)
    return strategy


def _officer_upload(request: HttpRequest, import_id: int, reader: Reader) -> Upload:
    uploads = upload_record(reader).objects.select_related("strategy__partnership", "uploaded_by").filter(pk=import_id)
    if reader.record is None:
        uploads = uploads.filter(source=reader.name)
    upload = uploads.first()
    if upload is None:
        raise Http404("No such upload.")
    _officer_strategy(request, upload.strategy_id, reader)
    return upload


@request_size_limit(upload_request_limit, by_url=True)
@login_required
def upload(request: HttpRequest, strategy_id: int, source: str) -> HttpResponse:
    reader = _reader(source)
    return upload_page(request, reader, _officer_strategy(request, strategy_id, reader))


@request_size_limit(upload_request_limit, by_url=True)
@login_required
@require_POST
def upload_sent(request: HttpRequest, strategy_id: int, source: str) -> HttpResponse:
    """The same as `upload`, at an address that only takes the form's POST."""
    reader = _reader(source)
    return upload_page(request, reader, _officer_strategy(request, strategy_id, reader))


@login_required
def upload_preview(request: HttpRequest, import_id: int, source: str) -> HttpResponse:
    reader = _reader(source)
    return preview_page(request, reader, _officer_upload(request, import_id, reader))


@login_required
@require_POST
def upload_confirm(request: HttpRequest, import_id: int, source: str) -> HttpResponse:
    reader = _reader(source)
    return confirm(request, reader, _officer_upload(request, import_id, reader))
