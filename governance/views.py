from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user, membership_for
from actions.models import Membership
from governance.models import BoardReport, Meeting, Snapshot
from governance.report import board_pack_context
from governance.services import board_report_request


def _report_for_user(request: HttpRequest, report_id: int) -> tuple[BoardReport, Membership]:
    report = BoardReport.objects.select_related("strategy__partnership", "snapshot", "meeting__board").filter(pk=report_id).first()
    membership = membership_for(request.user, report.strategy.partnership_id) if report else None
    if report is None or membership is None:
        raise Http404("No such report.")
    return report, membership


@login_required
def reports(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Board packs of a strategy: upcoming meetings, past packs, and (for officers) a request form."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    today = timezone.localdate()
    meetings = Meeting.objects.filter(strategy=strategy).select_related("board", "snapshot")
    return render(
        request,
        "governance/reports.html",
        {
            "strategy": strategy,
            "membership": membership,
            "is_officer": membership.role == Membership.Role.OFFICER,
            "upcoming": [m for m in meetings if m.date >= today],
            "past": [m for m in meetings if m.date < today],
            "snapshots": Snapshot.objects.filter(strategy=strategy),
            "packs": BoardReport.objects.filter(strategy=strategy).select_related("snapshot", "meeting__board", "requested_by")[:50],
        },
    )


@login_required
@require_POST
def report_request(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    if membership.role != Membership.Role.OFFICER:
        raise Http404("No such page.")
    meeting = None
    meeting_id, snapshot_id = request.POST.get("meeting", ""), request.POST.get("snapshot", "")
    if meeting_id.isdigit():
        meeting = get_object_or_404(Meeting, pk=meeting_id, strategy=strategy)
    snapshot = meeting.snapshot if meeting and meeting.snapshot_id else None
    if snapshot is None and snapshot_id.isdigit():
        snapshot = Snapshot.objects.filter(pk=snapshot_id, strategy=strategy).first()
    if snapshot is None:
        messages.error(request, "Choose the snapshot the pack should be built from.")
        return redirect("governance:reports", strategy_id=strategy.pk)
    report, created = board_report_request(snapshot=snapshot, user=request.user, meeting=meeting)
    if not created:
        messages.info(request, "That pack is already being produced.")
    return redirect("governance:report_detail", report_id=report.pk)


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report, membership = _report_for_user(request, report_id)
    context = {"report": report, "strategy": report.strategy, "is_officer": membership.role == Membership.Role.OFFICER}
    template = "governance/report_detail.html#status" if request.htmx else "governance/report_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def report_retry(request: HttpRequest, report_id: int) -> HttpResponse:
    report, membership = _report_for_user(request, report_id)
    if membership.role != Membership.Role.OFFICER:
        raise Http404("No such page.")
    if report.status != BoardReport.Status.FAILED:
        return redirect("governance:report_detail", report_id=report.pk)
    retry, _ = board_report_request(snapshot=report.snapshot, user=request.user, meeting=report.meeting)
    return redirect("governance:report_detail", report_id=retry.pk)


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    from django.conf import settings

    report, _ = _report_for_user(request, report_id)
    if report.status != BoardReport.Status.READY or not report.file_name:
        raise Http404("This pack is not ready.")
    path = settings.PRIVATE_MEDIA_ROOT / "board-reports" / report.file_name
    if not path.is_file():
        raise Http404("This pack's file is missing.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=report.download_name(), content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def snapshot_pack(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The board pack as a web page: the same content as the PDF, readable in the browser."""
    snapshot = Snapshot.objects.select_related("strategy").filter(pk=snapshot_id).first()
    if snapshot is None:
        raise Http404("No such snapshot.")
    get_strategy_for_user(request.user, snapshot.strategy_id)
    meeting = snapshot.meetings.select_related("board").first()
    return render(request, "governance/pack.html", board_pack_context(snapshot, meeting))
