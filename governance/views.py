from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.models import User
from actions.access import get_action_for_user, get_group_for_user, get_strategy_for_user
from actions.models import Action, Notification, Snapshot, Strategy
from actions.planfile import export_table
from actions.reads import has_own_actions
from actions.rows import rows_from_actions
from actions.tables import csv_bytes, xlsx_bytes
from coproduction.models import FamiliesView
from coproduction.services import deliverables_of, families_disagree, timeline
from governance.cycle import sign_offs_due_for
from governance.dashboard import dashboard_cache_key, dashboard_for
from governance.forms import FindingForm, InspectionForm, LinkedFindingsForm, SnapshotForm
from governance.inspections import findings_for, findings_unaddressed
from governance.models import BoardReport, EvidencePack, Finding, Inspection, Meeting, SignOff
from governance.report import board_pack_context
from governance.services import (
    NOT_QUEUED,
    BoardReportNotQueuedError,
    board_report_request,
    board_report_send,
    board_report_stop,
    evidence_pack_request,
    snapshot_take,
)
from governance.signoff import SignOffError, deadline_of, sign_off_decide, sign_offs_for, signatory_nominate, signatory_of
from governance.summaries import movement_since_snapshot
from governance.tasks import produce_evidence_pack, render_board_report
from kpis.access import get_indicator_for_user
from kpis.scorecard import group_kpi_rows
from people.access import is_coproduction_partner, is_officer, membership_for, not_found, officer_required
from people.models import Membership, Organisation
from send_tracker.cache import cached_page
from send_tracker.security import rate_limited, security_event


def current_strategy(partnership_id: int) -> Strategy | None:
    """The partnership's strategy in force today, else its most recent one."""
    today = timezone.localdate()
    strategies = list(Strategy.objects.filter(partnership_id=partnership_id).order_by("-period_start", "-id"))
    in_force = [s for s in strategies if (s.period_start or today) <= today <= (s.period_end or today)]
    return (in_force or strategies or [None])[0]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands on signing in: what their role needs first.

    A programme officer and a co-production partner land on this cycle (what needs chasing,
    or the families' views to record, with any sign-off of theirs); a signatory with a
    sign-off due lands there too; a board member on the current strategy's dashboard; anyone
    with actions of their own (a post, or a delivery group they lead) on My actions.
    """
    memberships = list(request.user.memberships.all())
    if len(memberships) == 1:
        membership = memberships[0]
        strategy = current_strategy(membership.partnership_id) if membership.role != Membership.Role.DELIVERY_LEAD else None
        if strategy is not None and (is_officer(membership) or is_coproduction_partner(membership)):
            return redirect("governance:this_cycle", strategy.pk)
        if strategy is not None and membership.role == Membership.Role.BOARD_MEMBER and not has_own_actions(request.user):
            if any(sign_off.meeting.strategy_id == strategy.pk for sign_off in sign_offs_due_for(request.user, timezone.localdate())):
                return redirect("governance:this_cycle", strategy.pk)
            return redirect("governance:dashboard", strategy.pk)
    if has_own_actions(request.user):
        return redirect("actions:my_actions")
    return redirect("actions:strategy_list")


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group, membership = get_group_for_user(request.user, group_id)
    actions = Action.objects.filter(Q(group=group) | Q(group__parent=group))
    snapshot, moved = movement_since_snapshot(group.strategy, actions)
    rows = rows_from_actions(actions)
    history = list(FamiliesView.objects.filter(group=group).select_related("recorded_by", "cycle")[:20])
    families_view = history[0] if history else None
    return render(
        request,
        "actions/group_detail.html",
        {
            "group": group,
            "strategy": group.strategy,
            "membership": membership,
            "rows": rows,
            "families_view": families_view,
            "families_history": history,
            "families_disagree": families_disagree(families_view.level if families_view else None, [row.rating for row in rows]),
            "can_record_families_view": is_coproduction_partner(membership),
            "is_officer": is_officer(membership),
            "timeline": timeline(deliverables_of(group.strategy, group), rows, timezone.localdate()),
            "movement_snapshot": snapshot,
            "movement": moved,
            "kpi_rows": group_kpi_rows(group),
        },
    )


@login_required
def dashboard(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    can_take_snapshot = is_officer(membership)
    # A history restore (htmx's cache miss on Back) needs the whole page, not the fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    part = "results" if fragment else "body"
    # Read before the data: a page built while the plan changes is cached under the older revision.
    key = dashboard_cache_key(strategy, request.GET, part=part, officer=can_take_snapshot)

    def build() -> str:
        board = dashboard_for(strategy, request.GET)
        context = {
            "strategy": strategy,
            "board": board,
            "form": board.form,
            "query": request.GET.urlencode(),
            "can_take_snapshot": can_take_snapshot,
            "unaddressed_findings": findings_unaddressed(strategy),
            # For the filter links only; no context processor runs, so nobody's details reach the cache.
            "request": request,
        }
        return render_to_string(f"governance/dashboard.html#{part}", context)

    html = cached_page(key, build)
    if fragment:
        response = HttpResponse(html)
    else:
        response = render(request, "governance/dashboard.html", {"strategy": strategy, "membership": membership, "body": mark_safe(html)})
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@rate_limited("export", what="exports")
def dashboard_export(request: HttpRequest, strategy_id: int, file_format: str) -> HttpResponse:
    """The dashboard's current (filtered) actions in the plan import format."""
    strategy, _ = get_strategy_for_user(request.user, strategy_id)
    board = dashboard_for(strategy, request.GET)
    table = export_table(board.rows, board.groups, with_status=file_format == "xlsx")
    as_at = board.viewing.as_at if board.viewing else board.today
    # The file name is made here from the slug and a date only, never from user input.
    filename = f"{slugify(strategy.name)[:60] or 'plan'}-actions-{as_at:%Y-%m-%d}.{file_format}"
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(xlsx_bytes(table), content_type=content_type)
    else:
        response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    security_event("export", request, strategy_id=strategy.pk, format=file_format, rows=len(board.rows))
    return response


def _snapshot_page(request: HttpRequest, strategy: Strategy, membership: Membership, form: SnapshotForm | None) -> HttpResponse:
    snapshots = Snapshot.objects.filter(strategy=strategy).select_related("taken_by").annotate(actions=Count("items")).order_by("-as_at")
    can_take = is_officer(membership)
    if can_take and form is None:
        form = SnapshotForm(strategy=strategy)
    return render(
        request,
        "governance/snapshot_list.html",
        {"strategy": strategy, "membership": membership, "snapshots": snapshots, "form": form if can_take else None},
    )


@login_required
def snapshot_list(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    return _snapshot_page(request, strategy, membership, None)


@login_required
@require_POST
def snapshot_create(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "take snapshots")
    form = SnapshotForm(request.POST, strategy=strategy)
    if form.is_valid():
        as_at = form.cleaned_data["as_at"]
        try:
            snapshot_take(strategy=strategy, as_at=as_at, taken_by=request.user, note=form.cleaned_data["note"])
        except IntegrityError:  # someone else took one for the same date a moment ago
            form.add_error("day", f"There is already a snapshot as at {as_at:%-d %B %Y}: choose another date")
        else:
            messages.success(request, f"Snapshot taken as at {as_at:%-d %B %Y}.")
            return redirect("governance:snapshot_list", strategy.pk)
    return _snapshot_page(request, strategy, membership, form)


def _report_for_user(request: HttpRequest, report_id: int) -> tuple[BoardReport, Membership]:
    report = BoardReport.objects.select_related("strategy__partnership", "snapshot", "meeting__board").filter(pk=report_id).first()
    membership = membership_for(request.user, report.strategy.partnership_id) if report else None
    if report is None or membership is None:
        raise not_found(report, "No such report.")
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
            "is_officer": is_officer(membership),
            "upcoming": [m for m in meetings if m.date >= today],
            "past": [m for m in meetings if m.date < today],
            "snapshots": Snapshot.objects.filter(strategy=strategy),
            "packs": BoardReport.objects.filter(strategy=strategy).select_related("snapshot", "meeting__board", "requested_by")[:50],
        },
    )


@login_required
@require_POST
@rate_limited("board_report", what="board packs")
def report_request(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "produce board packs")
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
    response = RedirectThen(reverse("governance:report_detail", args=[0]))
    try:
        report, created = board_report_request(snapshot=snapshot, user=request.user, meeting=meeting, enqueue=_enqueue_after(response))
    except BoardReportNotQueuedError as refused:
        messages.error(request, NOT_QUEUED)
        return redirect("governance:report_detail", report_id=refused.report_id)
    if not created:
        messages.info(request, "That pack is already being produced.")
    response.url = reverse("governance:report_detail", args=[report.pk])
    return response


class RedirectThen(StreamingHttpResponse):
    """A redirect that runs work once it has been sent (the WSGI server calls close() after the last byte).

    It streams its body (one newline), so it carries no Content-Length and the
    server closes the connection after it: the browser follows the redirect on
    a fresh connection at once, rather than queueing behind the work on this one.
    """

    status_code = 302

    def __init__(self, url: str) -> None:
        super().__init__(iter([b"\n"]))
        self.then: list[Callable[[], object]] = []
        self.url = url

    @property
    def url(self) -> str:
        return self["Location"]

    @url.setter
    def url(self, value: str) -> None:
        self["Location"] = value

    def close(self) -> None:
        try:
            for work in self.then:
                work()
        finally:
            super().close()  # then request_finished: connections are tidied after the work, not before


def _enqueue_after(response: RedirectThen, task=render_board_report) -> Callable[[int], None]:
    """How a new pack request starts its render.

    With a broker the task is sent on commit and a worker renders it. Without one
    (the local demo) Celery runs the task in-process: it is run after the redirect
    has been sent, so the officer sees the pack page and its progress at once
    instead of waiting for the whole render.
    """

    def enqueue(report_id: int) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            response.then.append(lambda: task.delay(report_id))
        else:
            board_report_send(report_id)  # a broker that refuses it fails the pack: "could not be queued, try again"

    return enqueue


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report, membership = _report_for_user(request, report_id)
    context = {
        "report": report,
        "strategy": report.strategy,
        "is_officer": is_officer(membership),
        "overdue": report.is_overdue(),
        "pending_since": report.pending_since() if report.is_pending() else None,
    }
    template = "governance/report_detail.html#status" if request.htmx else "governance/report_detail.html"
    return render(request, template, context)


@login_required
@require_POST
@rate_limited("board_report", what="board packs")
def report_retry(request: HttpRequest, report_id: int) -> HttpResponse:
    report, membership = _report_for_user(request, report_id)
    officer_required(membership, "produce board packs")
    # A failed pack, or one stuck past its time limit (its worker has probably died), may be asked for again.
    if report.is_overdue():
        board_report_stop(report, user=request.user)
    elif report.status != BoardReport.Status.FAILED:
        return redirect("governance:report_detail", report_id=report.pk)
    response = RedirectThen(reverse("governance:report_detail", args=[0]))
    try:
        retry, _ = board_report_request(
            snapshot=report.snapshot, user=request.user, meeting=report.meeting, enqueue=_enqueue_after(response)
        )
    except BoardReportNotQueuedError as refused:
        messages.error(request, NOT_QUEUED)
        return redirect("governance:report_detail", report_id=refused.report_id)
    response.url = reverse("governance:report_detail", args=[retry.pk])
    return response


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    report, _ = _report_for_user(request, report_id)
    if report.status != BoardReport.Status.READY or not report.file_name:
        raise Http404("This pack is not ready.")
    path = settings.PRIVATE_MEDIA_ROOT / "board-reports" / report.file_name
    if not path.is_file():
        raise Http404("This pack's file is missing.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=report.download_name(), content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    security_event("report_download", request, report_id=report.pk)
    return response


@login_required
def snapshot_pack(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The board pack as a web page: the same content as the PDF, readable in the browser."""
    snapshot = Snapshot.objects.select_related("strategy").filter(pk=snapshot_id).first()
    if snapshot is None:
        raise Http404("No such snapshot.")
    get_strategy_for_user(request.user, snapshot.strategy_id)
    meeting = snapshot.meetings.select_related("board").first()
    context = board_pack_context(snapshot, meeting)
    context["for_print"] = False
    return render(request, "governance/pdf/board_pack.html", context)


# Inspections, findings and evidence packs -------------------------------------------------------


def _inspection_for_user(request: HttpRequest, inspection_id: int) -> tuple[Inspection, Membership]:
    inspection = Inspection.objects.select_related("strategy__partnership").filter(pk=inspection_id).first()
    membership = membership_for(request.user, inspection.strategy.partnership_id) if inspection else None
    if inspection is None or membership is None:
        raise not_found(inspection, "No such inspection.")
    return inspection, membership


def _finding_for_user(request: HttpRequest, finding_id: int) -> tuple[Finding, Membership]:
    finding = Finding.objects.select_related("inspection__strategy__partnership").filter(pk=finding_id).first()
    membership = membership_for(request.user, finding.inspection.strategy.partnership_id) if finding else None
    if finding is None or membership is None:
        raise not_found(finding, "No such finding.")
    return finding, membership


def _pack_for_user(request: HttpRequest, pack_id: int) -> tuple[EvidencePack, Membership]:
    pack = EvidencePack.objects.select_related("strategy__partnership", "finding", "requested_by").filter(pk=pack_id).first()
    membership = membership_for(request.user, pack.strategy.partnership_id) if pack else None
    if pack is None or membership is None:
        raise not_found(pack, "No such evidence pack.")
    return pack, membership


@login_required
def findings(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Each inspection finding of the strategy, the actions and KPIs that answer it, and its progress since the inspection."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer = is_officer(membership)
    packs = EvidencePack.objects.filter(strategy=strategy).select_related("finding", "requested_by")[:20] if officer else []
    return render(
        request,
        "governance/findings.html",
        {"strategy": strategy, "inspections": findings_for(strategy), "is_officer": officer, "packs": packs},
    )


def _inspection_page(request: HttpRequest, strategy: Strategy, form: InspectionForm, inspection: Inspection | None) -> HttpResponse:
    return render(request, "governance/inspection_form.html", {"strategy": strategy, "form": form, "inspection": inspection})


@login_required
def inspection_create(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "record inspections")
    form = InspectionForm(
        request.POST if request.method == "POST" else None, instance=Inspection(strategy=strategy, created_by=request.user)
    )
    if request.method == "POST" and form.is_valid() and (inspection := form.save_unless_changed()):
        messages.success(request, f"Inspection recorded: {inspection}. Now add its findings.")
        return redirect(f"{reverse('governance:findings', args=[strategy.pk])}#inspection-{inspection.pk}")
    return _inspection_page(request, strategy, form, None)


@login_required
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection, membership = _inspection_for_user(request, inspection_id)
    officer_required(membership, "change inspections")
    form = InspectionForm(request.POST if request.method == "POST" else None, instance=inspection)
    if request.method == "POST" and form.is_valid() and form.save_unless_changed():
        messages.success(request, f"Inspection saved: {inspection}.")
        return redirect(f"{reverse('governance:findings', args=[inspection.strategy_id])}#inspection-{inspection.pk}")
    return _inspection_page(request, inspection.strategy, form, inspection)


def _finding_page(request: HttpRequest, inspection: Inspection, form: FindingForm, finding: Finding | None) -> HttpResponse:
    return render(
        request,
        "governance/finding_form.html",
        {"strategy": inspection.strategy, "inspection": inspection, "form": form, "finding": finding},
    )


@login_required
def finding_create(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection, membership = _inspection_for_user(request, inspection_id)
    officer_required(membership, "record findings")
    form = FindingForm(request.POST if request.method == "POST" else None, inspection=inspection)
    if request.method == "POST" and form.is_valid() and (finding := form.save_unless_changed()):
        messages.success(request, f"{finding.label()} recorded.")
        return redirect(f"{reverse('governance:findings', args=[inspection.strategy_id])}#finding-{finding.pk}")
    return _finding_page(request, inspection, form, None)


@login_required
def finding_edit(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding, membership = _finding_for_user(request, finding_id)
    officer_required(membership, "change findings")
    form = FindingForm(request.POST if request.method == "POST" else None, instance=finding, inspection=finding.inspection)
    if request.method == "POST" and form.is_valid() and form.save_unless_changed():
        messages.success(request, f"{finding.label()} saved.")
        return redirect(f"{reverse('governance:findings', args=[finding.inspection.strategy_id])}#finding-{finding.pk}")
    return _finding_page(request, finding.inspection, form, finding)


def _linked_findings(request: HttpRequest, *, strategy: Strategy, linked, subject: str, back: str, heading: str) -> HttpResponse:
    """The findings an action or a KPI answers, ticked from its side; `linked` is its findings manager."""
    form = LinkedFindingsForm(
        request.POST if request.method == "POST" else None, strategy=strategy, initial={"findings": list(linked.all())}
    )
    if request.method == "POST" and form.is_valid():
        linked.set(form.cleaned_data["findings"])
        messages.success(request, f"Findings answered by {subject} saved.")
        return redirect(back)
    return render(
        request,
        "governance/linked_findings.html",
        {"strategy": strategy, "form": form, "subject": subject, "back": back, "heading": heading},
    )


@login_required
def action_findings(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    officer_required(membership, "link actions to inspection findings")
    return _linked_findings(
        request,
        strategy=action.strategy,
        linked=action.findings,
        subject=f"action {action.ref}",
        back=action.get_absolute_url(),
        heading=f"Inspection findings that action {action.ref} answers",
    )


@login_required
def indicator_findings(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    officer_required(membership, "link KPIs to inspection findings")
    return _linked_findings(
        request,
        strategy=indicator.strategy,
        linked=indicator.findings,
        subject=f"KPI {indicator.code}",
        back=indicator.get_absolute_url(),
        heading=f"Inspection findings that KPI {indicator.code} shows progress on",
    )


@login_required
@require_POST
@rate_limited("evidence_pack", what="evidence packs")
def evidence_pack_request_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "produce evidence packs")
    finding = None
    finding_id = request.POST.get("finding", "")
    if finding_id.isdigit():
        finding = get_object_or_404(Finding, pk=finding_id, inspection__strategy=strategy)
    elif not Finding.objects.filter(inspection__strategy=strategy).exists():
        messages.error(request, "Record an inspection and its findings before producing an evidence pack.")
        return redirect("governance:findings", strategy_id=strategy.pk)
    response = RedirectThen(reverse("governance:evidence_pack_detail", args=[0]))
    pack, created = evidence_pack_request(
        strategy=strategy, user=request.user, finding=finding, enqueue=_enqueue_after(response, produce_evidence_pack)
    )
    if not created:
        messages.info(request, "That evidence pack is already being produced.")
    response.url = reverse("governance:evidence_pack_detail", args=[pack.pk])
    return response


@login_required
def evidence_pack_detail(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack, membership = _pack_for_user(request, pack_id)
    officer_required(membership, "see evidence packs")
    context = {"pack": pack, "strategy": pack.strategy}
    template = "governance/evidence_pack_detail.html#status" if request.htmx else "governance/evidence_pack_detail.html"
    return render(request, template, context)


@login_required
def evidence_pack_download(request: HttpRequest, pack_id: int, file_format: str) -> FileResponse:
    from django.conf import settings

    pack, membership = _pack_for_user(request, pack_id)
    officer_required(membership, "download evidence packs")
    name = pack.pdf_name if file_format == "pdf" else pack.zip_name
    if pack.status != EvidencePack.Status.READY or not name:
        raise Http404("This evidence pack is not ready.")
    path = settings.PRIVATE_MEDIA_ROOT / "evidence-packs" / name
    if not path.is_file():
        raise Http404("This evidence pack's file is missing.")
    content_type = "application/pdf" if file_format == "pdf" else "application/zip"
    # FileResponse streams the file in blocks: a large archive is never held in memory.
    response = FileResponse(path.open("rb"), as_attachment=True, filename=pack.download_name(file_format), content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    security_event("evidence_pack_download", request, pack_id=pack.pk, format=file_format)
    return response


# Partner sign-off before each board ---------------------------------------------------------------


def _meeting_for_user(request: HttpRequest, meeting_id: int) -> tuple[Meeting, Membership]:
    meeting = Meeting.objects.select_related("board__partnership", "strategy__partnership").filter(pk=meeting_id).first()
    membership = membership_for(request.user, meeting.board.partnership_id) if meeting else None
    if meeting is None or membership is None:
        raise not_found(meeting, "No such meeting.")
    return meeting, membership


def _sign_off_page(request: HttpRequest, meeting: Meeting, membership: Membership, errors: dict | None = None, status: int = 200):
    sign_offs = sign_offs_for(meeting)
    officer = is_officer(membership)
    members = []
    if officer:
        members = list(
            User.objects.filter(memberships__partnership_id=meeting.board.partnership_id, is_active=True).order_by("first_name", "email")
        )
    reminded = dict(
        Notification.objects.filter(kind=Notification.Kind.SIGN_OFF, event_key__in=[f"sign-off-{s.pk}" for s in sign_offs]).values_list(
            "event_key", "created_at"
        )
    )
    rows = []
    for sign_off in sign_offs:
        signatory = signatory_of(sign_off)
        rows.append(
            {
                "sign_off": sign_off,
                "signatory": signatory,
                "can_sign": signatory is not None and signatory.pk == request.user.pk,
                "reminded_at": reminded.get(f"sign-off-{sign_off.pk}"),
                "events": list(sign_off.events.select_related("by")[:5]),
                "candidates": [m for m in members if m.organisation_id == sign_off.organisation_id] or members,
            }
        )
    deadline = deadline_of(meeting)
    return render(
        request,
        "governance/sign_off_board.html",
        {
            "meeting": meeting,
            "strategy": meeting.strategy,
            "rows": rows,
            "deadline": deadline,
            "deadline_passed": timezone.localdate() > deadline,
            "is_officer": officer,
            "signed": sum(1 for r in rows if r["sign_off"].is_signed()),
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def sign_off_board(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Each organisation owning actions, its signatory and whether it has signed off its updates for the meeting."""
    meeting, membership = _meeting_for_user(request, meeting_id)
    return _sign_off_page(request, meeting, membership)


@login_required
@require_POST
def sign_off_decide_view(request: HttpRequest, sign_off_id: int) -> HttpResponse:
    sign_off = SignOff.objects.select_related("meeting", "organisation").filter(pk=sign_off_id).first()
    if sign_off is None:
        raise Http404("No such sign-off.")
    meeting, membership = _meeting_for_user(request, sign_off.meeting_id)
    signatory = signatory_of(sign_off)
    if signatory is None or signatory.pk != request.user.pk:
        raise PermissionDenied(f"Only the nominated signatory of {sign_off.organisation} can sign off its updates.")
    decision = request.POST.get("decision")
    if decision not in ("confirm", "decline"):
        return _sign_off_page(request, meeting, membership, {sign_off.pk: "Choose whether you sign off or decline"}, status=422)
    try:
        sign_off_decide(sign_off=sign_off, user=request.user, confirm=decision == "confirm", reason=request.POST.get("reason", ""))
    except SignOffError as exc:
        return _sign_off_page(request, meeting, membership, {sign_off.pk: str(exc)}, status=422)
    word = "signed off" if decision == "confirm" else "declined"
    messages.success(request, f"{sign_off.organisation}'s updates for this meeting are {word}.")
    return redirect("governance:sign_off_board", meeting.pk)


@login_required
@require_POST
def signatory_nominate_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, membership = _meeting_for_user(request, meeting_id)
    officer_required(membership, "nominate signatories")

    def posted_id(name: str) -> int:
        value = request.POST.get(name, "")
        return int(value) if value.isascii() and value.isdigit() else 0

    organisation = Organisation.objects.filter(pk=posted_id("organisation"), partnership_id=meeting.board.partnership_id).first()
    user = User.objects.filter(pk=posted_id("user"), memberships__partnership_id=meeting.board.partnership_id).first()
    if organisation is None or user is None:
        key = posted_id("sign_off")
        return _sign_off_page(
            request, meeting, membership, {key: "Choose a person of this partnership to sign for the organisation"}, status=422
        )
    signatory_nominate(organisation=organisation, user=user, by=request.user)
    messages.success(request, f"{user} now signs off {organisation}'s updates.")
    return redirect("governance:sign_off_board", meeting.pk)
