from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions.access import can_update_action, get_action_for_user, get_strategy_for_user, officer_strategy
from actions.forms import MAX_FILES, ActionUpdateForm, MilestoneForm
from actions.models import (
    Action,
    DeliveryGroup,
    Evidence,
    Milestone,
    Notification,
    PlanImport,
    Strategy,
)
from actions.plan import milestone_add, milestone_mark
from actions.readers import draft_import, strategies_marked_draft
from actions.reads import (
    action_page_read,
    my_actions_cache_key,
    my_actions_for,
    my_actions_revisions_read,
    my_actions_shown_read,
    notifications_page,
    notifications_scope,
    rows_with_milestones,
    scheme_levels,
    strategy_actions_filtered,
    strategy_outline,
)
from actions.rows import rows_from_actions
from actions.services import ActionUpdateConflictError, action_update_form_kept, action_update_from_form
from actions.tracker_mapping import mapping_page
from intake.readers import reader_named
from intake.views import FORM_FIELDS_BYTES
from people.models import Membership
from send_tracker.cache import earlier_copy_note, page_built_once, saved_at
from send_tracker.security import request_size_limit, security_event


@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    strategies = (
        Strategy.objects.filter(partnership__memberships__user=request.user)
        .select_related("partnership", "scheme")
        .order_by("partnership__name", "name")
    )
    return render(request, "actions/strategy_list.html", {"strategies": strategies_marked_draft(strategies)})


@login_required
def strategy_detail(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The plan's priorities and delivery groups with their counts; each group's actions open on request."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    outline = strategy_outline(strategy, request.GET)
    # A strategy with priorities is under way; one without, made for a plan file, may still wait on it.
    draft = draft_import(strategy) if membership.role == Membership.Role.OFFICER and not outline.priorities else None
    return render(
        request,
        "actions/strategy_detail.html",
        {
            "strategy": strategy,
            "membership": membership,
            "outline": outline,
            "levels": outline.levels,
            "draft": draft,
            "draft_url": reader_named("plan").next_url(draft) if draft else "",
        },
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
    revisions = my_actions_revisions_read(request.user)  # read by the keys, before the data; the posts are the page's too

    def build() -> str:
        mine = my_actions_for(request.user, rating_code=request.GET.get("rating", ""), show=request.GET.get("show", ""))
        return render_to_string("actions/my_actions.html#body", {"mine": mine})

    served = page_built_once(
        lambda: my_actions_cache_key(request.user, request.GET, my_actions_shown_read(request.user, revisions)),
        my_actions_cache_key(request.user, request.GET, None),
        build,
        saved_at=saved_at(request),
        known_as=my_actions_cache_key(request.user, request.GET, revisions),
    )
    html = earlier_copy_note(served, request, page="your list") + served.html
    return render(request, "actions/my_actions.html", {"nav_section": "my_actions", "body": mark_safe(html)})


def _action_page(
    request: HttpRequest, action: Action, membership: Membership, *, status: int = 200, part: str = "action-updates", **shown
) -> HttpResponse:
    """The action page, or the section htmx asked for (updates or milestones) with the status panel (and, with the
    updates, the history) out of band. `shown` may carry the `form` and `milestone_form` as sent, a `conflict` with the files
    left `unattached`, `saved`, and `milestone_added` or the `milestone_marked` one's id, for the focus to land on."""
    context = action_page_read(request.user, action, membership, whole=not request.htmx)
    may_update, form = context["may_update"], shown.get("form")
    if may_update and form is None:
        form = ActionUpdateForm(
            initial={"rating": action.rating_id, "version": action.version}, levels=context["levels"], current=action.rating
        )
    context |= {
        "form": form if may_update else None,
        "conflict": shown.get("conflict"),
        "unattached": shown.get("unattached") or [],
        "saved": shown.get("saved", False),
        "milestone_added": shown.get("milestone_added", False),
        "milestone_marked": shown.get("milestone_marked"),
        "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
        "milestone_form": (shown.get("milestone_form") or MilestoneForm(prefix="milestone")) if may_update else None,
    }
    if request.htmx:
        html = render_to_string(f"actions/action_detail.html#{part}", context, request)
        for aside in ("action-status", "action-history") if part == "action-updates" else ("action-status",):
            html += render_to_string(f"actions/action_detail.html#{aside}", {**context, "oob": True}, request)
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
    form = ActionUpdateForm(request.POST, request.FILES, levels=scheme_levels(action.strategy.scheme_id), current=action.rating)
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
        return _action_page(request, action, membership, part="action-milestones", milestone_added=True)
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
        return _action_page(request, action, membership, part="action-milestones", milestone_marked=milestone.pk)
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


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What the sweep told this person, by kind, newest first, unread until they mark them as read.

    The overview shows each kind's newest few; a kind on its own is paged. Officers
    also see emails that could not be sent.
    """
    return render(request, "actions/notifications.html", notifications_page(request.user, request.GET))


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the person's unread notifications as read: those of one kind, or all of them; nobody else's."""
    items, _ = notifications_scope(request.user, request.GET)
    marked = Notification.objects.filter(pk__in=items.filter(read_at__isnull=True).values("pk")).update(read_at=timezone.now())
    messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked as read.")
    return redirect(reverse("actions:notifications"))


def _officer_import(request: HttpRequest, import_id: int) -> PlanImport:
    plan_import = PlanImport.objects.select_related("strategy").filter(pk=import_id).first()
    if plan_import is None:
        raise Http404("No such import.")
    officer_strategy(request.user, plan_import.strategy_id, "import a plan")
    return plan_import


@login_required
def plan_import_mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    """The officer says how their own tracker reads: which sheet, what each column is, what each rating means."""
    plan_import = _officer_import(request, import_id)
    context, status = mapping_page(plan_import, request.GET, request.POST if request.method == "POST" else None)
    if context is None:
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    return render(request, "actions/plan_import_mapping.html", context, status=status)
