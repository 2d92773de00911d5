"""The upload, preview and confirm pages of every source, for a strategy the caller has already checked access to.

The URL views (in the app that owns the strategy) check who may upload and
then call these; what differs by source comes from its `Reader`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from intake.forms import UploadForm
from intake.models import Upload
from intake.readers import Reader, reader_named
from intake.services import upload_confirm, upload_keep
from intake.tables import upload_filename
from send_tracker.security import rate_limited, security_event

# Room in an upload request for its form fields and the multipart framing, beside the file itself.
FORM_FIELDS_BYTES = 1024 * 1024


def upload_request_limit(source: str = "", **url_kwargs: Any) -> int:
    """The largest request the upload page of the source in the URL accepts: its largest file, with the form's fields."""
    try:
        return reader_named(source).max_bytes + FORM_FIELDS_BYTES
    except LookupError:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # the page answers 404


def _context(reader: Reader, strategy: Any, **extra: Any) -> dict:
    return {
        "reader": reader,
        "title": reader.title_for(strategy),
        "strategy": strategy,
        "breadcrumbs": reader.breadcrumbs(strategy),
        "upload_url": reader.upload_url(strategy),
        **extra,
    }


def upload_page(request: HttpRequest, reader: Reader, strategy: Any) -> HttpResponse:
    """The upload form; a file sent is read and kept, and the officer goes on to its preview."""
    if request.method == "POST":
        return _upload_post(request, reader, strategy)
    return render(
        request,
        "intake/upload.html",
        _context(reader, strategy, form=UploadForm(reader=reader), form_action=reader.upload_post_url(strategy)),
    )


@rate_limited("import", what="file imports")
def _upload_post(request: HttpRequest, reader: Reader, strategy: Any) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, reader=reader)
    if not form.is_valid():
        return render(
            request, "intake/upload.html", _context(reader, strategy, form=form, form_action=reader.upload_post_url(strategy)), status=422
        )
    upload = form.cleaned_data["file"]
    kept = upload_keep(reader=reader, strategy=strategy, user=request.user, filename=upload_filename(upload.name), content=upload.read())
    return redirect(reader.next_url(kept))


def preview_page(request: HttpRequest, reader: Reader, upload: Upload) -> HttpResponse:
    """What the kept file would change, or its problems by row; the confirm button while it is previewed."""
    if upload.status == Upload.Status.MAPPING:
        return redirect(reader.next_url(upload))
    extra = reader.preview_context(upload)
    context = _context(reader, upload.strategy, upload=upload, summary=upload.summary, confirm_url=reader.confirm_url(upload), **extra)
    return render(request, "intake/preview.html", context)


@rate_limited("import", what="file imports")
def confirm(request: HttpRequest, reader: Reader, upload: Upload) -> HttpResponse:
    """Apply the previewed file: all or nothing, once; back to the preview with the reason otherwise."""
    confirmed = upload_confirm(reader=reader, upload_id=upload.pk, user=request.user, choices=request.POST.dict())
    if confirmed.closed:
        messages.error(request, f"This file has already been {reader.done_verb}, or had problems: upload it again.")
    if confirmed.conflict:
        messages.error(request, confirmed.conflict)
    applied = confirmed.applied
    if applied is None:
        return redirect(reader.preview_url(upload))
    if reader.event:
        security_event(reader.event, request, strategy_id=upload.strategy_id, file=upload.filename, **applied.logged)
    messages.success(request, applied.message)
    return redirect(reader.done_url(upload.strategy))
