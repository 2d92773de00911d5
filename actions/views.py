from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions import rules, trackers
from actions.access import can_update_action, get_action_for_user, get_strategy_for_user
from actions.forms import MAX_FILES, ActionUpdateForm, TrackerMappingForm
from actions.models import (
    Action,
    ActionChange,
    DeliveryGroup,
    EmailDigest,
    Evidence,
    Notification,
    PlanImport,
    Progress,
    RatingScheme,
    Snapshot,
    Strategy,
    normalise_phrase,
)
from actions.readers import strategy_left_empty
from actions.reads import my_actions_cache_key, my_actions_for
from actions.rows import rows_from_actions
from actions.services import ActionUpdateConflictError, action_update_form_kept, action_update_from_form
from intake.readers import reader_named
from intake.services import upload_reread
from intake.tables import ImportFileError
from intake.views import FORM_FIELDS_BYTES
from people.access import is_officer, officer_required
from people.models import Membership, Post
from send_tracker.cache import cached_page
from send_tracker.security import request_size_limit, security_event


@login_required
@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    strategies = (
        Strategy.objects.filter(partnership__memberships__user=request.user)
        .select_related("partnership", "scheme")
        .order_by("partnership__name", "name")
    )
    return render(request, "actions/strategy_list.html", {"strategies": strategies})


@login_required
def strategy_detail(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    rows_by_group: dict[int, list] = {}
    for row in rows_from_actions(Action.objects.filter(strategy=strategy)):
        rows_by_group.setdefault(row.group_id, []).append(row)
    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("lead", "parent").order_by("position", "id")
    by_priority: dict[int, list[DeliveryGroup]] = {}
    for group in groups:
        group.rows = rows_by_group.get(group.pk, [])
        by_priority.setdefault(group.priority_id, []).append(group)
    priorities = list(strategy.priorities.all())
    for priority in priorities:
        priority.group_list = by_priority.get(priority.pk, [])
    levels = list(strategy.scheme.levels.all())
    return render(
        request,
        "actions/strategy_detail.html",
        {"strategy": strategy, "membership": membership, "priorities": priorities, "levels": levels},
    )


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions a person owns, or leads through their delivery group, across their partnerships."""
    prefetch_related_objects([request.user], "memberships", "posts")  # read by the key and by the page

    def build() -> str:
        mine = my_actions_for(request.user, rating_code=request.GET.get("rating", ""), show=request.GET.get("show", ""))
        return render_to_string("actions/my_actions.html#body", {"mine": mine})

    html = cached_page(my_actions_cache_key(request.user, request.GET), build)
    return render(request, "actions/my_actions.html", {"nav_section": "my_actions", "body": mark_safe(html)})


def _action_page(
    request: HttpRequest,
    action: Action,
    membership: Membership,
    *,
    form: ActionUpdateForm | None = None,
    conflict: ActionUpdateConflictError | None = None,
    unattached: list[str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The action page, or when htmx asked, the update section with the status panel swapped out of band."""
    prefetch_related_objects([action], Prefetch("owners", queryset=Post.objects.select_related("organisation")))
    owners = list(action.owners.all())
    may_update = can_update_action(request.user, membership, action)
    updates = list(action.updates.select_related("author", "rating_before", "rating_after").prefetch_related("evidence"))
    changes = list(action.changes.select_related("author"))
    # The whole history in time order, newest first: ratings and narratives, every change to the plan's entry,
    # and every repeat reminder and escalation while it was overdue.
    history = sorted(
        [{"kind": "update", "at": u.created_at, "item": u} for u in updates]
        + [{"kind": "change", "at": c.created_at, "item": c} for c in changes]
        + [{"kind": "chase", "at": step.created_at, "item": step} for step in action.chase_steps.all()],
        key=lambda entry: (entry["at"], entry["kind"] == "change"),
        reverse=True,
    )
    levels = list(action.strategy.scheme.levels.all())
    cycle = Snapshot.objects.latest_for(action.strategy_id)
    today = timezone.localdate()
    action_status = rules.status(
        due_date=action.due_date,
        rating=action.rating,
        today=today,
        owner_count=len(owners),
        last_updated_at=updates[0].created_at if updates else None,
        cycle_started_at=cycle.taken_at if cycle else None,
    )
    if may_update and form is None:
        form = ActionUpdateForm(initial={"rating": action.rating_id, "version": action.version}, levels=levels, current=action.rating)
    context = {
        "action": action,
        "strategy": action.strategy,
        "membership": membership,
        "owners": owners,
        "related": list(action.related.select_related("rating").order_by("position", "id")),
        "what_we_will_see": action.group.what_we_will_see or (action.group.parent.what_we_will_see if action.group.parent_id else []),
        "updates": updates,
        "history": history,
        "due_change": next((c for c in changes if c.field == ActionChange.Field.DUE), None),
        "is_officer": is_officer(membership),
        "latest": updates[0] if updates else None,
        "may_update": may_update,
        "form": form if may_update else None,
        "levels": levels,
        "conflict": conflict,
        "unattached": unattached or [],
        "saved": saved,
        "today": today,
        "action_status": action_status,
        "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
    }
    if request.htmx:
        html = render_to_string("actions/action_detail.html#action-updates", context, request)
        html += render_to_string("actions/action_detail.html#action-status", {**context, "oob": True}, request)
        return HttpResponse(html, status=status)
    return render(request, "actions/action_detail.html", context, status=status)


@login_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    return _action_page(request, action, membership)


@request_size_limit(lambda: MAX_FILES * settings.EVIDENCE_MAX_BYTES + FORM_FIELDS_BYTES)
@login_required
@require_POST
def action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    """Record an update from the action page's form: rating, narrative and evidence, nothing else."""
    action, membership = get_action_for_user(request.user, action_id)
    if not can_update_action(request.user, membership, action):
        raise PermissionDenied("Only the action's owners, its delivery group lead and programme officers may update it.")
    levels = list(action.strategy.scheme.levels.all())
    form = ActionUpdateForm(request.POST, request.FILES, levels=levels, current=action.rating)
    if not form.is_valid():
        return _action_page(request, action, membership, form=form, status=422)
    try:
        action_update_from_form(action=action, user=request.user, form=form)
    except ActionUpdateConflictError as conflict:
        # Nothing was saved. Keep what they typed, now against the version they have just been shown.
        action.rating, action.version = conflict.latest.rating, conflict.latest.version
        # A browser cannot put a chosen file back into a form: name each one so it is chosen again.
        unattached = [upload.name for upload in form.cleaned_data["files"]]
        kept = action_update_form_kept(form, conflict)
        return _action_page(request, action, membership, form=kept, conflict=conflict, unattached=unattached, status=409)
    if request.htmx:
        return _action_page(request, action, membership, saved=True)
    messages.success(request, f"Your update to action {action.ref} has been saved.")
    return redirect(f"{reverse('actions:action_detail', args=[action.pk])}#history")


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = Evidence.objects.filter(pk=evidence_id, kind=Evidence.Kind.FILE).select_related("update").first()
    if evidence is None:
        raise Http404("No such evidence.")
    action, _membership = get_action_for_user(request.user, evidence.update.action_id)
    evidence.update.action = action
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer stored.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.download_name(), content_type=evidence.content_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    security_event("evidence_download", request, evidence_id=evidence.pk)
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What the daily sweep told this person, newest first; officers also see emails that could not be sent."""
    items = (
        Notification.objects.visible_to(request.user)
        .select_related("action__strategy", "action__rating")
        .order_by("-created_at", "-id")[:200]
    )
    officer_of = [m.partnership_id for m in request.user.memberships.all() if is_officer(m)]
    failed = []
    if officer_of:
        failed = (
            EmailDigest.objects.filter(status=EmailDigest.Status.FAILED, recipient__memberships__partnership_id__in=officer_of)
            .select_related("recipient")
            .distinct()
            .order_by("-day", "recipient__email")[:100]
        )
    return render(request, "actions/notifications.html", {"notifications": items, "failed_digests": failed, "is_officer": bool(officer_of)})


def _officer_strategy(request: HttpRequest, strategy_id: int) -> Strategy:
    """A strategy the signed-in officer may change the plan of: 404 outside the partnership, 403 for other roles."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "import a plan")
    return strategy


def _officer_import(request: HttpRequest, import_id: int) -> PlanImport:
    plan_import = PlanImport.objects.select_related("strategy").filter(pk=import_id).first()
    if plan_import is None:
        raise Http404("No such import.")
    _officer_strategy(request, plan_import.strategy_id)
    return plan_import


@login_required
def plan_import_mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    """The officer says how their own tracker reads: which sheet, what each column is, what each rating means."""
    plan_import = _officer_import(request, import_id)
    strategy = plan_import.strategy
    if plan_import.status == PlanImport.Status.APPLIED or not plan_import.layout:
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    content = bytes(plan_import.content)
    try:
        layouts = trackers.layouts_read(content, plan_import.filename)
    except ImportFileError:
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    stored = plan_import.mapping
    layout = trackers.layout_chosen(layouts, request.GET.get("sheet") or stored.get("sheet"))
    scheme_code = request.GET.get("scheme") or None
    if layout.sheet == stored.get("sheet") and scheme_code in (None, stored.get("scheme")):
        base = stored
    else:
        base = {**trackers.mapping_offered(layout, strategy, scheme_code), "name": stored.get("name") or layout.sheet[:100]}
    scheme = trackers.scheme_for(strategy, base)
    levels = list(scheme.levels.all())

    def mapping_form(data=None, mapping=base) -> TrackerMappingForm:
        index = trackers.columns_of(layout, mapping).get("rating")
        values = layout.distinct_values(index) if index is not None else []
        columns = mapping.get("columns") or {}
        ratings = mapping.get("ratings") or {}
        initial = {f"column_{i}": columns.get(key, "") for i, key in enumerate(layout.keys())}
        initial.update({f"rating_{i}": ratings.get(normalise_phrase(value), "") for i, value in enumerate(values)})
        initial["name"] = mapping.get("name", "")
        return TrackerMappingForm(
            data,
            initial=initial,
            layout=layout,
            columns=trackers.COLUMN_LABELS,
            check=trackers.mapping_problems,
            levels=levels,
            rating_values=values,
            rating_counts=trackers.value_counts(layout, index),
        )

    form, notice, status = mapping_form(), "", 200
    if request.method == "POST":
        form = mapping_form(request.POST)
        if form.rating_column() != trackers.columns_of(layout, base).get("rating"):
            # The ratings shown were another column's: show the new column's, proposed, before going on.
            columns = {key: request.POST.get(f"column_{i}", "") for i, key in enumerate(layout.keys())}
            changed = {**base, "columns": columns, "name": request.POST.get("name", "")}
            changed["ratings"] = trackers.ratings_proposed(layout, changed, scheme, levels)
            form, status = mapping_form(mapping=changed), 422
            notice = "You chose another column for the rating: check what each of its ratings means, then continue."
        elif form.is_valid():
            mapping = form.mapping(sheet=layout.sheet, scheme=scheme.code)
            upload_reread(reader=reader_named("plan"), upload=plan_import, mapping=mapping, layout=layout.signature)
            return redirect("actions:plan_import_preview", import_id=plan_import.pk)
        else:
            status = 422
    rating_index = trackers.columns_of(layout, base).get("rating")
    suggested = trackers.scheme_suggested(layout.distinct_values(rating_index)) if rating_index is not None else None
    context = {
        "strategy": strategy,
        "plan_import": plan_import,
        "form": form,
        "notice": notice,
        "layout": layout,
        "layouts": layouts,
        "scheme": scheme,
        "schemes": RatingScheme.objects.available_to(strategy.partnership_id).order_by("name") if not strategy.actions.exists() else [],
        "strategy_empty": strategy_left_empty(strategy),
        "suggested_scheme": RatingScheme.objects.filter(code=suggested).first() if suggested else None,
        # Beside the ratings: what the workbook's own key says each means, and what each of our levels means.
        "workbook_key": [(value.upper() if len(value) <= 3 else value, meaning) for value, meaning in layout.key.items()],
        "level_meanings": [(level, Progress(level.progress).label) for level in levels],
        "key_warnings": trackers.ratings_against_key(layout, base, levels),
    }
    return render(request, "actions/plan_import_mapping.html", context, status=status)
