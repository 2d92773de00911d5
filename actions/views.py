from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions import rules, trackers
from actions.access import can_update_action, get_action_for_user, get_strategy_for_user
from actions.forms import MAX_FILES, ActionUpdateForm, MilestoneForm, TrackerMappingForm
from actions.models import (
    Action,
    ActionChange,
    DeliveryGroup,
    EmailDigest,
    Evidence,
    Milestone,
    Notification,
    PlanImport,
    Progress,
    RatingScheme,
    Snapshot,
    Strategy,
    normalise_phrase,
)
from actions.plan import milestone_add, milestone_mark
from actions.readers import strategy_left_empty
from actions.reads import my_actions_cache_key, my_actions_for, rows_with_milestones, strategy_actions_filtered, strategy_outline
from actions.rows import rows_from_actions
from actions.services import ActionUpdateConflictError, action_update_form_kept, action_update_from_form
from intake.readers import reader_named
from intake.services import upload_reread
from intake.tables import ImportFileError
from intake.views import FORM_FIELDS_BYTES
from people.access import is_officer, officer_required
from people.models import Membership, Post
from send_tracker.cache import earlier_copy_note, has_just_saved, page_built_once
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
    """The plan's priorities and delivery groups with their counts; each group's actions open on request."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    outline = strategy_outline(strategy, request.GET)
    return render(
        request,
        "actions/strategy_detail.html",
        {"strategy": strategy, "membership": membership, "outline": outline, "levels": outline.levels},
    )


@login_required
def strategy_group_actions(request: HttpRequest, strategy_id: int, group_id: int) -> HttpResponse:
    """One delivery group's actions on the strategy page, as its filters allow (htmx); without htmx, the page with it open."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    group = DeliveryGroup.objects.filter(strategy=strategy, pk=group_id).first()
    if group is None:
        raise Http404
    if not request.htmx:
        query = request.GET.copy()
        query.setlist("open", sorted(set(query.getlist("open")) | {str(group.pk)}))
        return redirect(f"{reverse('actions:strategy_detail', args=[strategy.pk])}?{query.urlencode()}#group-{group.pk}")
    actions, _, _ = strategy_actions_filtered(strategy, request.GET, list(strategy.scheme.levels.all()))
    rows = rows_with_milestones(rows_from_actions(actions.filter(group=group)))
    query = request.GET.copy()
    query.setlist("open", [value for value in query.getlist("open") if value != str(group.pk)])
    context = {"strategy": strategy, "group": group, "rows": rows, "close_query": query.urlencode()}
    return render(request, "actions/strategy_detail.html#group_actions", context)


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions a person owns, or leads through their delivery group, across their partnerships."""
    prefetch_related_objects([request.user], "memberships", "posts")  # read by the key and by the page

    def build() -> str:
        mine = my_actions_for(request.user, rating_code=request.GET.get("rating", ""), show=request.GET.get("show", ""))
        return render_to_string("actions/my_actions.html#body", {"mine": mine})

    key, latest_key = (my_actions_cache_key(request.user, request.GET, latest=latest) for latest in (False, True))
    served = page_built_once(key, latest_key, build, current_only=has_just_saved(request))
    html = earlier_copy_note(served, request, page="your list") + served.html
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
    milestone_form: MilestoneForm | None = None,
    part: str = "action-updates",
) -> HttpResponse:
    """The action page, or when htmx asked, the section it asked about (updates or milestones) with the status panel out of band."""
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
    milestones = list(action.milestones.all())
    for milestone in milestones:
        milestone.overdue = rules.is_milestone_overdue(milestone.due_date, milestone.done_at, bool(action.retired_at), today)
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
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done_at),
        "milestone_form": (milestone_form or MilestoneForm(prefix="milestone")) if may_update else None,
    }
    if request.htmx:
        html = render_to_string(f"actions/action_detail.html#{part}", context, request)
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


def _milestone_writer(request: HttpRequest, action_id: int) -> tuple[Action, Membership]:
    action, membership = get_action_for_user(request.user, action_id)
    if not can_update_action(request.user, membership, action):
        raise PermissionDenied("Only the action's owners, its delivery group lead and programme officers may change its milestones.")
    return action, membership


@login_required
@require_POST
def milestone_add_view(request: HttpRequest, action_id: int) -> HttpResponse:
    """Add a step to the action from its page's milestones section."""
    action, membership = _milestone_writer(request, action_id)
    form = MilestoneForm(request.POST, prefix="milestone")
    if not form.is_valid():
        return _action_page(request, action, membership, milestone_form=form, part="action-milestones", status=422)
    milestone_add(actor=request.user, action=action, title=form.cleaned_data["title"], due_date=form.cleaned_data["due"])
    if request.htmx:
        return _action_page(request, action, membership, part="action-milestones")
    messages.success(request, f"The step has been added to action {action.ref}.")
    return redirect(f"{reverse('actions:action_detail', args=[action.pk])}#milestones")


@login_required
@require_POST
def milestone_mark_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Mark a step done, or not done after all."""
    milestone = Milestone.objects.filter(pk=milestone_id).only("pk", "action_id").first()
    if milestone is None:
        raise Http404("No such milestone.")
    action, membership = _milestone_writer(request, milestone.action_id)
    milestone_mark(actor=request.user, milestone=milestone, done=request.POST.get("done") == "yes")
    if request.htmx:
        return _action_page(request, action, membership, part="action-milestones")
    return redirect(f"{reverse('actions:action_detail', args=[action.pk])}#milestones")


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


NOTIFICATIONS_PER_PAGE = 25
NOTIFICATIONS_PER_KIND = 5  # on the overview, each kind shows its newest few and links to the rest


def _notifications_scope(request: HttpRequest):
    """The person's notifications the page shows: unread ones, or all with ?show=all; one kind with ?kind=."""
    items = Notification.objects.visible_to(request.user)
    if request.GET.get("show") != "all":
        items = items.filter(read_at__isnull=True)
    kind = request.GET.get("kind", "")
    if kind in Notification.Kind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    return items, kind


def _notifications_yours(user, *, officer: bool) -> list[str]:
    """What the person is told about, in words that fit them: "actions you own" only to someone who owns one."""
    yours = []
    if Action.objects.filter(owners__holders=user).exists():
        yours.append("actions you own that became overdue, are due soon or need an update before the board")
    if officer:
        yours.append("every action of the partnerships you are a programme officer for")
    if user.notifications.filter(kind=Notification.Kind.SIGN_OFF).exists():
        yours.append("the sign-offs your organisation gives before each board")
    return yours


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What the sweep told this person, by kind, newest first, unread until they mark them as read.

    The overview shows each kind's newest few; a kind on its own is paged. Officers
    also see emails that could not be sent.
    """
    items, kind = _notifications_scope(request)
    counts = dict(items.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    listed = items.select_related("action__strategy", "action__rating").order_by("-created_at", "-id")
    groups, page = [], None
    if kind:
        page = Paginator(listed, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
        groups = [(Notification.Kind(kind), counts.get(kind, 0), list(page))]
    else:
        groups = [
            (each, counts[each.value], list(listed.filter(kind=each)[:NOTIFICATIONS_PER_KIND]))
            for each in Notification.Kind
            if counts.get(each.value)
        ]
    officer_of = [m.partnership_id for m in request.user.memberships.all() if is_officer(m)]
    failed = []
    if officer_of:
        failed = (
            EmailDigest.objects.filter(status=EmailDigest.Status.FAILED, recipient__memberships__partnership_id__in=officer_of)
            .select_related("recipient")
            .distinct()
            .order_by("-day", "recipient__email")[:100]
        )
    return render(
        request,
        "actions/notifications.html",
        {
            "groups": groups,
            "page": page,
            "kind": kind,
            "show_all": request.GET.get("show") == "all",
            "total": sum(counts.values()),
            "yours": _notifications_yours(request.user, officer=bool(officer_of)),
            "failed_digests": failed,
            "is_officer": bool(officer_of),
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the person's unread notifications as read: those of one kind, or all of them; nobody else's."""
    items, kind = _notifications_scope(request)
    marked = Notification.objects.filter(pk__in=items.filter(read_at__isnull=True).values("pk")).update(read_at=timezone.now())
    messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked as read.")
    return redirect(reverse("actions:notifications"))


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
