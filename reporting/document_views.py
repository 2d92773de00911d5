"""The self-evaluation's and the priority action plan's documents: asked for, watched while written, downloaded; and the plan's page."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.access import officer_strategy
from governance.cycle import cycle_for
from people.access import membership_for, not_found, officer_required
from people.models import Membership
from reporting.documents import NothingToWriteError, document_request
from reporting.models import DocumentExport
from reporting.priority_action_plan import priority_action_plan_for
from reporting.views import job_page, job_page_after, made_file
from send_tracker.security import rate_limited


def _document_for_user(request: HttpRequest, document_id: int) -> tuple[DocumentExport, Membership]:
    document = DocumentExport.objects.select_related("strategy__partnership", "requested_by").filter(pk=document_id).first()
    membership = membership_for(request.user, document.strategy.partnership_id) if document else None
    if document is None or membership is None:
        raise not_found(document, "No such document.")
    officer_required(membership, "see the self-evaluation and the priority action plan")
    return document, membership


@login_required
@require_POST
@rate_limited("export", what="documents")
def document_request_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Ask for a document (kind, format, and the self-evaluation's version): it is written in the background."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "produce the self-evaluation and the priority action plan")
    kind, file_format, number = (request.POST.get(name, "") for name in ("kind", "format", "version"))
    if kind not in DocumentExport.Kind.values or file_format not in DocumentExport.Format.values:
        raise Http404("No such document.")
    version_number = int(number) if number.isdigit() else None
    start = functools.partial(
        document_request, strategy=strategy, user=request.user, kind=kind, file_format=file_format, version_number=version_number
    )
    try:
        return job_page_after(request, start, "reporting:document_detail", already="That document is already being written.")
    except NothingToWriteError as nothing:
        raise Http404(str(nothing)) from None


@login_required
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document, _ = _document_for_user(request, document_id)
    formats = DocumentExport.Format.choices
    return job_page(request, "reporting/document_detail.html", "document", document, overdue=document.is_overdue(), formats=formats)


@login_required
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document, _ = _document_for_user(request, document_id)
    return made_file(request, document, document.file_name, document.content_type(), event="document_download", document_id=document.pk)


@login_required
def priority_action_plan_page(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The priority action plan: its due date, each area for priority action and how its actions stand, and its documents."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "see the priority action plan")
    plan = priority_action_plan_for(strategy)
    if plan is None:
        messages.info(request, "No inspection of this plan has areas for priority action, so there is no priority action plan.")
        return redirect("reporting:findings", strategy.pk)
    documents = DocumentExport.objects.filter(strategy=strategy, kind=DocumentExport.Kind.PRIORITY_ACTION_PLAN)[:10]
    monitoring = next((d for d in cycle_for(strategy, timezone.localdate()) if d.key == "monitoring"), None)
    return render(
        request,
        "reporting/priority_action_plan.html",
        {"strategy": strategy, "plan": plan, "documents": documents, "monitoring": monitoring},
    )
