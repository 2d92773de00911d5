"""The dashboard, board packs, snapshots, exports, and inspection findings with their evidence packs."""

from __future__ import annotations

import functools
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

from actions.access import get_group_for_user, get_strategy_for_user, officer_strategy
from actions.models import Action, Snapshot, Strategy
from actions.planfile import export_table
from actions.readers import strategies_marked_draft
from actions.reads import has_own_actions
from actions.revisions import revisions_of
from actions.rows import rows_from_actions
from coproduction.models import FamiliesView
from coproduction.services import deliverables_of, families_disagree, timeline
from governance.cycle import priority_action_plan_due
from governance.forms import SnapshotForm
from governance.inspections import findings_for
from governance.models import Finding, Meeting
from governance.services import snapshot_retake_problem, snapshot_take
from governance.signoff import sign_offs_due_for
from intake.tables import csv_bytes, xlsx_bytes
from jobs.models import Job
from jobs.services import job_enqueue, job_send
from kpis.scorecard import group_kpi_rows
from people.access import is_coproduction_partner, is_officer, member_object, memberships_read, officer_required
from people.models import Membership, Partnership
from reporting.changes import ChangeFilters, ChangeLogFilterForm, change_log_for, change_log_table, log_kinds_for
from reporting.dashboard import DashboardFilterForm, dashboard_cache_key, dashboard_for, dashboard_rows, exception_list_for, movement_for
from reporting.for_decision import officer_items_from
from reporting.models import BoardReport, DocumentExport, EvidencePack
from reporting.packs_beside import beside_sheets
from reporting.report import board_pack_context
from reporting.services import (
    board_report_request,
    board_report_stop,
    earlier_board_of,
    evidence_pack_request,
    packs_behind_sign_off,
    stale_snapshot_message,
)
from reporting.summaries import EXCEPTION_KINDS, movement_since_snapshot
from send_tracker.cache import DrawnOnce, earlier_copy_note, page_built_once, saved_at
from send_tracker.security import rate_limited, security_event


def current_strategy(partnership_id: int) -> Strategy | None:
    """The partnership's strategy in force today, else its most recent one; never a draft still waiting on its plan file."""
    today = timezone.localdate()
    strategies = Strategy.objects.filter(partnership_id=partnership_id).order_by("-period_start", "-id")
    strategies = [s for s in strategies_marked_draft(strategies) if not s.draft]
    in_force = [s for s in strategies if (s.period_start or today) <= today <= (s.period_end or today)]
    return (in_force or strategies or [None])[0]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands on signing in: what their role needs first.

    A programme officer and a co-production partner land on this cycle (what needs chasing,
    or the families' views to record, with any sign-off of theirs); a signatory with a
    sign-off due lands there too; a board member on the current strategy's dashboard; a finance
    lead on the high-needs budget whose figures they keep; anyone with actions of their own (a
    post, or a delivery group they lead) on My actions.
    """
    memberships = memberships_read(request.user)
    if len(memberships) == 1:
        membership = memberships[0]
        strategy = current_strategy(membership.partnership_id) if membership.role != Membership.Role.DELIVERY_LEAD else None
        if strategy is not None and (is_officer(membership) or is_coproduction_partner(membership)):
            return redirect("reporting:this_cycle", strategy.pk)
        if strategy is not None and membership.role == Membership.Role.FINANCE_LEAD:
            return redirect("finance:plan", strategy.pk)
        if strategy is not None and membership.role == Membership.Role.BOARD_MEMBER and not has_own_actions(request.user):
            if sign_offs_due_for(request.user, timezone.localdate(), strategy):
                return redirect("reporting:this_cycle", strategy.pk)
            return redirect("reporting:dashboard", strategy.pk)
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
            "can_record_families_view": is_coproduction_partner(membership) and not group.gathers_board_actions,
            "is_officer": is_officer(membership),
            "timeline": timeline(deliverables_of(group.strategy, group), rows, timezone.localdate()),
            "movement_snapshot": snapshot,
            "movement": moved,
            "kpi_rows": group_kpi_rows(group),
        },
    )


def _change_log_reader(request: HttpRequest, partnership_id: int) -> tuple[Partnership, Membership, list[str]]:
    """The partnership whose log the person reads, and the kinds of change they may read: 404 outside it, 403 for other roles."""
    partnership, membership = member_object(request.user, Partnership.objects, partnership_id, "pk", "No such partnership.")
    kinds = log_kinds_for(membership)
    if not kinds:
        raise PermissionDenied("Only programme officers and board members can read the change log.")
    return partnership, membership, kinds


@login_required
def change_log(request: HttpRequest, partnership_id: int) -> HttpResponse:
    """Every change recorded in the partnership, newest first, filtered by who, what, when and delivery group."""
    partnership, membership, kinds = _change_log_reader(request, partnership_id)
    form = ChangeLogFilterForm(request.GET, partnership=partnership, kinds=kinds)
    log = change_log_for(partnership, ChangeFilters.from_form(form, kinds))
    query = request.GET.copy()
    query.pop("after", None)
    next_query = None
    if log.next_cursor:
        next_query = query.copy()
        next_query["after"] = log.next_cursor
    return render(
        request,
        "reporting/change_log.html",
        {
            "partnership": partnership,
            "membership": membership,
            "form": form,
            "log": log,
            "plan_only": membership.role != Membership.Role.OFFICER,
            "query": query.urlencode(),
            "next_query": next_query.urlencode() if next_query else "",
            "continued": bool(request.GET.get("after")),
            "nav_section": "changes",
        },
    )


@login_required
@rate_limited("export", what="exports")
def change_log_export(request: HttpRequest, partnership_id: int, file_format: str) -> HttpResponse:
    """The filtered change log as CSV or XLSX, newest first, through the formula-safe table writer."""
    partnership, _membership, kinds = _change_log_reader(request, partnership_id)
    form = ChangeLogFilterForm(request.GET, partnership=partnership, kinds=kinds)
    filters = ChangeFilters.from_form(form, kinds)
    table, _cut = change_log_table(partnership, filters)
    filename = f"{slugify(partnership.name)[:60] or 'partnership'}-changes-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(xlsx_bytes(table, title="Changes"), content_type=content_type)
    else:
        response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    security_event("export", request, partnership_id=partnership.pk, format=file_format, rows=len(table) - 1)
    return response


# The filters' HTML as last drawn for each set of choices and values (a few per strategy and day), in this process.
_filters_drawn = DrawnOnce(64)


def filters_html(form: DashboardFilterForm, dashboard_url: str) -> str:
    """The dashboard's filter form as HTML, drawn again only when what it shows changed.

    An update to an action changes the dashboard's counts but seldom its filters
    (the owners, delivery groups, ratings and snapshots to choose from), so the
    form is kept by everything it shows: each field's choices and chosen value.
    A form with errors is drawn each time.
    """
    draw = functools.partial(render_to_string, "reporting/dashboard.html#filters", {"form": form, "dashboard_url": dashboard_url})
    if form.errors:
        return draw()
    return _filters_drawn.get((dashboard_url, *((field.name, str(field.value()), tuple(field.field.choices)) for field in form)), draw)


def _dashboard_html(request: HttpRequest, strategy: Strategy, part: str, beyond_actions: int) -> str:
    """The dashboard's body (or its filtered results) as HTML, to be cached."""
    board = dashboard_for(strategy, request.GET, beyond_actions=beyond_actions)
    context = {
        "strategy": strategy,
        "board": board,
        "form": board.form,
        "filters": mark_safe(filters_html(board.form, reverse("reporting:dashboard", args=[strategy.pk]))) if part == "body" else "",
        "query": request.GET.urlencode(),
        "unaddressed_findings": board.unaddressed_findings,
        # For the filter links only; no context processor runs, so nobody's details reach the cache.
        "request": request,
    }
    return render_to_string(f"reporting/dashboard.html#{part}", context)


def _dashboard_part(request: HttpRequest, strategy: Strategy, part: str, build: Callable[[int], str]) -> str:
    """A part of the dashboard, built once after each change to the strategy, whoever asks (it shows the same to all).

    `build` is given the strategy's revision of everything but its actions, read with the revision the key holds.
    """
    # Read before the data, both revisions at once: a page built while the plan changes is cached under the older revision.
    revision, beyond_actions = revisions_of(strategy.pk)
    key = dashboard_cache_key(strategy, request.GET, part=part, revision=revision)
    latest_key = dashboard_cache_key(strategy, request.GET, part=part, latest=True)
    served = page_built_once(key, latest_key, functools.partial(build, beyond_actions), saved_at=saved_at(request))
    return earlier_copy_note(served, request, page="the dashboard") + served.html


@login_required
def dashboard(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    # A history restore (htmx's cache miss on Back) needs the whole page, not the fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    part = "results" if fragment else "body"
    html = _dashboard_part(request, strategy, part, functools.partial(_dashboard_html, request, strategy, part))
    if fragment:
        response = HttpResponse(html)
    else:
        # The priority action plan's due date counts the days, so it is read at each request rather than cached with the body.
        today = timezone.localdate()
        plan_due = priority_action_plan_due(strategy, today)
        context = {"strategy": strategy, "membership": membership, "body": mark_safe(html), "plan_due": plan_due}
        # A signatory reading the dashboard is told the sign-offs still due from them, as their first page lists them.
        context["my_sign_offs"] = sign_offs_due_for(request.user, today, strategy)
        response = render(request, "reporting/dashboard.html", {**context, "is_officer": is_officer(membership)})
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def dashboard_exceptions(request: HttpRequest, strategy_id: int, kind: str) -> HttpResponse:
    """One of the dashboard's exception lists, a page of it, read when it is opened (htmx); without htmx, the dashboard showing it."""
    strategy, _membership = get_strategy_for_user(request.user, strategy_id)
    if kind not in EXCEPTION_KINDS:
        raise Http404
    if not request.htmx:
        return redirect(f"{reverse('reporting:dashboard', args=[strategy.pk])}?{request.GET.urlencode()}#exception-{kind}")

    def build(beyond_actions: int) -> str:
        section = exception_list_for(strategy, request.GET, kind, beyond_actions=beyond_actions)
        return render_to_string("reporting/dashboard.html#exception_list", {"section": section, "request": request})

    return HttpResponse(_dashboard_part(request, strategy, f"exceptions-{kind}", build))


@login_required
def dashboard_movement(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The dashboard's movement since the last board, read when it is scrolled to (htmx); without htmx, the dashboard showing it."""
    strategy, _membership = get_strategy_for_user(request.user, strategy_id)
    if not request.htmx:
        return redirect(f"{reverse('reporting:dashboard', args=[strategy.pk])}?{request.GET.urlencode()}#movement")

    def build(beyond_actions: int) -> str:
        previous, moves = movement_for(strategy, request.GET, beyond_actions=beyond_actions)
        return render_to_string("reporting/dashboard.html#movement", {"previous": previous, "moves": moves, "request": request})

    return HttpResponse(_dashboard_part(request, strategy, "movement", build))


@login_required
@rate_limited("export", what="exports")
def dashboard_export(request: HttpRequest, strategy_id: int, file_format: str) -> HttpResponse:
    """The dashboard's current (filtered) actions in the plan import format; the workbook adds the risks and the finance plan."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    rows, groups, as_at = dashboard_rows(strategy, request.GET)
    # The CSV carries the same columns as the workbook: the import ignores the status columns.
    table = export_table(rows, groups, with_status=True)
    # The file name is made here from the slug and a date only, never from user input.
    filename = f"{slugify(strategy.name)[:60] or 'plan'}-actions-{as_at:%Y-%m-%d}.{file_format}"
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        more = beside_sheets(strategy, request.user, membership, as_at)
        response = HttpResponse(xlsx_bytes(table, more=more), content_type=content_type)
    else:
        response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    security_event("export", request, strategy_id=strategy.pk, format=file_format, rows=len(rows))
    return response


def _snapshot_page(request: HttpRequest, strategy: Strategy, membership: Membership, form: SnapshotForm | None) -> HttpResponse:
    snapshots = Snapshot.objects.filter(strategy=strategy).select_related("taken_by").annotate(actions=Count("items")).order_by("-as_at")
    can_take = is_officer(membership)
    today = timezone.localdate()
    todays = next((snapshot for snapshot in snapshots if snapshot.as_at == today), None) if can_take else None
    if can_take and form is None:
        # Today's ratings, unless today's snapshot is taken already (it is retaken above the form instead).
        initial = {} if todays else {"as_at": today}
        form = SnapshotForm(strategy=strategy, initial=initial)
    return render(
        request,
        "reporting/snapshot_list.html",
        {
            "strategy": strategy,
            "membership": membership,
            "snapshots": snapshots,
            "form": form if can_take else None,
            "todays": todays,
            "retake_problem": snapshot_retake_problem(todays, today) if todays else None,
        },
    )


@login_required
def snapshot_list(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    return _snapshot_page(request, strategy, membership, None)


@login_required
@require_POST
def snapshot_create(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = officer_strategy(request.user, strategy_id, "take snapshots")
    form = SnapshotForm(request.POST, strategy=strategy)
    if form.is_valid():
        as_at = form.cleaned_data["as_at"]
        try:
            snapshot_take(strategy=strategy, as_at=as_at, taken_by=request.user, note=form.cleaned_data["note"])
        except IntegrityError:  # someone else took one for the same date a moment ago
            form.add_error("as_at", f"There is already a snapshot as at {as_at:%-d %B %Y}: choose another date")
        else:
            messages.success(request, f"Snapshot taken as at {as_at:%-d %B %Y}.")
            return redirect("reporting:snapshot_list", strategy.pk)
    return _snapshot_page(request, strategy, membership, form)


def _report_for_user(request: HttpRequest, report_id: int) -> tuple[BoardReport, Membership]:
    found = BoardReport.objects.select_related("strategy__partnership", "snapshot", "meeting__board")
    return member_object(request.user, found, report_id, "strategy.partnership_id", "No such report.")


@login_required
def reports(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Board packs of a strategy: upcoming meetings, past packs, and (for officers) a request form."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    today = timezone.localdate()
    meetings = Meeting.objects.filter(strategy=strategy).select_related("board", "snapshot")
    # Meetings come latest first; the upcoming ones are listed and offered soonest first, so the next board is the first.
    upcoming = sorted((m for m in meetings if m.date >= today), key=lambda m: (m.date, m.start_time))
    snapshots = list(Snapshot.objects.filter(strategy=strategy))
    following = upcoming[0] if upcoming else None
    earlier = earlier_board_of(snapshots[0], following) if snapshots else None
    return render(
        request,
        "reporting/reports.html",
        {
            "strategy": strategy,
            "membership": membership,
            "is_officer": is_officer(membership),
            "upcoming": upcoming,
            "past": [m for m in meetings if m.date < today],
            "snapshots": snapshots,
            # The next board is chosen for the pack once a snapshot newer than the last board's is taken; until then, said.
            "stale": stale_snapshot_message(snapshots[0], earlier, following) if earlier else "",
            "chosen_meeting": following if following and not earlier else None,
            "packs": BoardReport.objects.filter(strategy=strategy).select_related("snapshot", "meeting__board", "requested_by")[:50],
            "packs_behind": packs_behind_sign_off(strategy, today) if is_officer(membership) else [],
        },
    )


@login_required
@require_POST
@rate_limited("board_report", what="board packs")
def report_request(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "produce board packs")
    meeting = None
    meeting_id, snapshot_id = request.POST.get("meeting", ""), request.POST.get("snapshot", "")
    if meeting_id.isdigit():
        meeting = get_object_or_404(Meeting, pk=meeting_id, strategy=strategy)
    snapshot = meeting.snapshot if meeting and meeting.snapshot_id else None
    if snapshot is None and snapshot_id.isdigit():
        snapshot = Snapshot.objects.filter(pk=snapshot_id, strategy=strategy).first()
    if snapshot is None:
        messages.error(request, "Choose the snapshot the pack should be built from.")
        return redirect("reporting:reports", strategy_id=strategy.pk)
    if earlier := earlier_board_of(snapshot, meeting):
        messages.error(request, stale_snapshot_message(snapshot, earlier, meeting))
        return redirect("reporting:reports", strategy_id=strategy.pk)
    start = functools.partial(
        board_report_request, snapshot=snapshot, user=request.user, meeting=meeting, for_decision=request.POST.get("for_decision", "")
    )
    return job_page_after(request, start, "reporting:report_detail", already="That pack is already being produced.")


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


def _enqueue_after(response: RedirectThen) -> Callable[[Job], None]:
    """How a new pack starts: through the one enqueue path, now, or once the redirect has gone out.

    With a broker the job is handed over at once, so the page it redirects to
    already says whether it is queued or waiting for the background service.
    Without one (the local demo) Celery runs the task in-process: it runs after
    the redirect has been sent, so the officer sees the pack page and its
    progress at once instead of waiting for the whole render.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return lambda job: response.then.append(lambda: job_send(job))  # the request's work is committed by then
    return job_enqueue


def job_page(request: HttpRequest, template: str, named: str, made, **context) -> HttpResponse:
    """A pack's or a document's page while it is made (`made`, as `named` in the template, beside its strategy):
    only its status part when the open page polls it."""
    context.update({named: made, "strategy": made.strategy})
    return render(request, f"{template}#status" if request.htmx else template, context)


def job_page_after(request: HttpRequest, start: Callable[..., tuple], page: str, *, already: str = "") -> RedirectThen:
    """Start a pack or a document (`start(enqueue=...)` gives it and whether it is new) and redirect to its page,
    where it is watched while it is made; one already being made is shown instead, with `already` said if given.
    """
    response = RedirectThen(reverse(page, args=[0]))
    found, created = start(enqueue=_enqueue_after(response))
    if already and not created:
        messages.info(request, already)
    response.url = reverse(page, args=[found.pk])
    return response


# Where each kind of pack or document keeps its files, and what a 404 calls it.
MADE_FILES = {
    BoardReport: ("board-reports", "This pack"),
    DocumentExport: ("documents", "This document"),
    EvidencePack: ("evidence-packs", "This evidence pack"),
}


def made_file(request: HttpRequest, made, name: str, content_type: str, *, filename: str = "", event: str, **details):
    """The file `name` a pack or a document was made into, once it is ready, as a download never cached nor sniffed
    (named `filename`, else its download name); the download is logged as `event` with `details`."""
    folder, what = MADE_FILES[type(made)]
    if made.status != made.Status.READY or not name:
        raise Http404(f"{what} is not ready.")
    path = settings.PRIVATE_MEDIA_ROOT / folder / name
    if not path.is_file():
        raise Http404(f"{what}'s file is missing.")
    # FileResponse streams the file in blocks: a large archive is never held in memory.
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename or made.download_name(), content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    security_event(event, request, **details)
    return response


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report, membership = _report_for_user(request, report_id)
    return job_page(
        request, "reporting/report_detail.html", "report", report, is_officer=is_officer(membership), overdue=report.is_overdue()
    )


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
        return redirect("reporting:report_detail", report_id=report.pk)
    start = functools.partial(
        board_report_request, snapshot=report.snapshot, user=request.user, meeting=report.meeting, for_decision=report.for_decision
    )
    return job_page_after(request, start, "reporting:report_detail")


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    report, _ = _report_for_user(request, report_id)
    return made_file(request, report, report.file_name, "application/pdf", event="report_download", report_id=report.pk)


@login_required
def snapshot_pack(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The board pack as a web page: the same content as the PDF, readable in the browser.

    `?report=` names the pack it mirrors (its meeting, the officer's items for decision and the partners' sign-off as it
    stood when the pack was asked for); without it, the latest pack produced for the snapshot's meeting, so the web page
    says what the PDF says. With no pack at all, the sign-off is as it stands now.
    """
    snapshot = Snapshot.objects.select_related("strategy").filter(pk=snapshot_id).first()
    if snapshot is None:
        raise Http404("No such snapshot.")
    get_strategy_for_user(request.user, snapshot.strategy_id)
    packs = BoardReport.objects.filter(snapshot=snapshot).select_related("meeting__board")
    report_id = request.GET.get("report", "")
    report = packs.filter(pk=report_id).first() if report_id.isdigit() else None
    meeting = report.meeting if report else snapshot.meetings.select_related("board").first()
    if report is None and meeting is not None:
        report = packs.filter(meeting=meeting, status=BoardReport.Status.READY).order_by("-pk").first()
    context = board_pack_context(
        snapshot, meeting, officer_items_from(report.for_decision) if report else [], report.requested_at if report else None
    )
    context["for_print"] = False
    return render(request, "reporting/pdf/board_pack.html", context)


# Inspection findings and their evidence packs -------------------------------------------------


def _pack_for_user(request: HttpRequest, pack_id: int) -> tuple[EvidencePack, Membership]:
    found = EvidencePack.objects.select_related("strategy__partnership", "finding", "requested_by")
    return member_object(request.user, found, pack_id, "strategy.partnership_id", "No such evidence pack.")


@login_required
def findings(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Each inspection finding of the strategy, the actions and KPIs that answer it, and its progress since the inspection."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer = is_officer(membership)
    packs = EvidencePack.objects.filter(strategy=strategy).select_related("finding", "requested_by")[:20] if officer else []
    return render(
        request,
        "reporting/findings.html",
        {"strategy": strategy, "inspections": findings_for(strategy), "is_officer": officer, "packs": packs},
    )


@login_required
@require_POST
@rate_limited("evidence_pack", what="evidence packs")
def evidence_pack_request_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "produce evidence packs")
    finding = None
    finding_id = request.POST.get("finding", "")
    if finding_id.isdigit():
        finding = get_object_or_404(Finding, pk=finding_id, inspection__strategy=strategy)
    elif not Finding.objects.filter(inspection__strategy=strategy).exists():
        messages.error(request, "Record an inspection and its findings before producing an evidence pack.")
        return redirect("reporting:findings", strategy_id=strategy.pk)
    start = functools.partial(evidence_pack_request, strategy=strategy, user=request.user, finding=finding)
    return job_page_after(request, start, "reporting:evidence_pack_detail", already="That evidence pack is already being produced.")


@login_required
def evidence_pack_detail(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack, membership = _pack_for_user(request, pack_id)
    officer_required(membership, "see evidence packs")
    return job_page(request, "reporting/evidence_pack_detail.html", "pack", pack, overdue=pack.is_overdue())


@login_required
def evidence_pack_download(request: HttpRequest, pack_id: int, file_format: str) -> FileResponse:
    pack, membership = _pack_for_user(request, pack_id)
    officer_required(membership, "download evidence packs")
    name, content_type = (pack.pdf_name, "application/pdf") if file_format == "pdf" else (pack.zip_name, "application/zip")
    return made_file(
        request,
        pack,
        name,
        content_type,
        filename=pack.download_name(file_format),
        event="evidence_pack_download",
        pack_id=pack.pk,
        format=file_format,
    )
