from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user, membership_for, not_found
from actions.models import Action, DeliveryGroup, Membership, Post, RatingLevel, Strategy
from governance.exports import csv_bytes, export_table, xlsx_bytes
from governance.forms import SnapshotForm
from governance.models import BoardReport, Meeting, Snapshot
from governance.report import board_pack_context
from governance.services import board_report_request, snapshot_take
from governance.summaries import (
    EXCEPTION_KINDS,
    ActionRow,
    Exceptions,
    Movement,
    RatingCounts,
    exceptions,
    movement,
    rating_counts,
    rows_filter,
    rows_from_actions,
    rows_from_snapshot,
)
from send_tracker.security import rate_limited, security_event

# Each exception lists this many actions; filtering by the exception lists them all.
EXCEPTIONS_LISTED = 25


class DashboardFilterForm(forms.Form):
    """The dashboard's filters: all optional, all in the URL so that a filtered view can be shared."""

    organisation = forms.TypedChoiceField(label="Owner organisation", required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    rating = forms.ChoiceField(label="Rating", required=False)
    exception = forms.ChoiceField(label="Exception", required=False)
    snapshot = forms.TypedChoiceField(label="Show the plan", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, posts: list[Post], levels: list[RatingLevel], snapshots: list[Snapshot]) -> None:
        super().__init__(data)
        organisations = {p.organisation_id: p.organisation.name for p in posts if p.organisation_id}
        self.fields["organisation"].choices = [("", "Any organisation")] + sorted(organisations.items(), key=lambda item: item[1])
        self.fields["owner"].choices = [("", "Any owner")] + [(p.pk, p.title) for p in posts]
        self.fields["rating"].choices = [("", "Any rating")] + [(level.code, level.label) for level in levels]
        self.fields["exception"].choices = [("", "All actions")] + list(EXCEPTION_KINDS.items())
        self.fields["snapshot"].choices = [("", "As it stands now")] + [(s.pk, f"As at {s.as_at:%-d %B %Y}") for s in snapshots]

    def value_of(self, name: str):
        """The cleaned value of a filter, or None when it was not given or is not valid."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


@dataclass
class Dashboard:
    """Everything the dashboard page and its exports show, for one strategy and one set of filters."""

    strategy: Strategy
    form: DashboardFilterForm
    levels: list[RatingLevel]
    groups: dict[int, DeliveryGroup]
    viewing: Snapshot | None
    previous: Snapshot | None
    today: dt.date
    total: int
    rows: list[ActionRow]
    counts: RatingCounts
    exceptions: Exceptions
    movement: Movement | None

    def is_filtered(self) -> bool:
        return any(self.form.value_of(name) for name in ("organisation", "owner", "rating", "exception"))


def dashboard_build(request: HttpRequest, strategy: Strategy) -> Dashboard:
    levels = list(strategy.scheme.levels.all())
    snapshots = list(Snapshot.objects.filter(strategy=strategy).order_by("-as_at"))
    posts = list(Post.objects.filter(actions__strategy=strategy).select_related("organisation").distinct().order_by("title"))
    form = DashboardFilterForm(request.GET, posts=posts, levels=levels, snapshots=snapshots)
    form.is_valid()

    viewing = next((s for s in snapshots if s.pk == form.value_of("snapshot")), None)
    if viewing is None:
        today = timezone.localdate()
        rows = rows_from_actions(Action.objects.filter(strategy=strategy))
        previous = snapshots[0] if snapshots else None
    else:
        today = viewing.as_at
        rows = rows_from_snapshot(viewing)
        previous = next((s for s in snapshots if s.as_at < viewing.as_at), None)
    since = previous.as_at if previous else None

    owner_titles = None
    if organisation_id := form.value_of("organisation"):
        owner_titles = {p.title for p in posts if p.organisation_id == organisation_id}
    if owner_id := form.value_of("owner"):
        chosen = {p.title for p in posts if p.pk == owner_id}
        owner_titles = chosen if owner_titles is None else owner_titles & chosen
    rating = next((level for level in levels if level.code == form.value_of("rating")), None)
    action_ids = None
    if kind := form.value_of("exception"):
        action_ids = {row.action_id for row in getattr(exceptions(rows, today, since), kind)}
    shown = rows_filter(rows, owner_titles=owner_titles, rating_id=rating.pk if rating else None, action_ids=action_ids)

    previous_rows = rows_from_snapshot(previous) if previous else []
    groups = {g.pk: g for g in DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent")}
    return Dashboard(
        strategy=strategy,
        form=form,
        levels=levels,
        groups=groups,
        viewing=viewing,
        previous=previous,
        today=today,
        total=len(rows),
        rows=shown,
        counts=rating_counts(shown, levels),
        exceptions=exceptions(shown, today, since),
        movement=movement(previous_rows, shown, today, since) if previous else None,
    )


@login_required
def dashboard(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    board = dashboard_build(request, strategy)
    priorities = list(strategy.priorities.all())
    priority_bars = [(p, board.counts.by_priority[p.pk]) for p in priorities if p.pk in board.counts.by_priority]
    group_bars = [
        (p, [(g, board.counts.by_group[g.pk]) for g in board.groups.values() if g.priority_id == p.pk and g.pk in board.counts.by_group])
        for p in priorities
    ]
    chosen = board.form.value_of("exception")
    exception_sections = []
    for key, label, rows in board.exceptions.kinds():
        more = ""
        if len(rows) > EXCEPTIONS_LISTED and key != chosen:
            query = request.GET.copy()
            query["exception"] = key
            more = query.urlencode()
        exception_sections.append(
            {"key": key, "label": label, "count": len(rows), "rows": rows if not more else rows[:EXCEPTIONS_LISTED], "more_query": more}
        )
    context = {
        "strategy": strategy,
        "exception_sections": exception_sections,
        "membership": membership,
        "board": board,
        "form": board.form,
        "priority_bars": priority_bars,
        "group_bars": [(p, bars) for p, bars in group_bars if bars],
        "query": request.GET.urlencode(),
        "can_take_snapshot": membership.role == Membership.Role.OFFICER,
    }
    # A history restore (htmx's cache miss on Back) needs the whole page, not the fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, "governance/dashboard.html#results" if fragment else "governance/dashboard.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@rate_limited("export", what="exports")
def dashboard_export(request: HttpRequest, strategy_id: int, file_format: str) -> HttpResponse:
    """The dashboard's current (filtered) actions in the plan import format."""
    strategy, _ = get_strategy_for_user(request.user, strategy_id)
    board = dashboard_build(request, strategy)
    table = export_table(board.rows, board.groups)
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
    can_take = membership.role == Membership.Role.OFFICER
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
    if membership.role != Membership.Role.OFFICER:
        raise PermissionDenied("Only programme officers take snapshots.")
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
            "is_officer": membership.role == Membership.Role.OFFICER,
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
@rate_limited("board_report", what="board packs")
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
    return render(request, "governance/pack.html", board_pack_context(snapshot, meeting))
