from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions import rules
from actions.access import can_update_action, get_action_for_user, get_strategy_for_user
from actions.forms import ActionUpdateForm, PlanImportForm
from actions.models import Action, ActionChange, DeliveryGroup, EmailDigest, Evidence, Notification, PlanImport, Snapshot, Strategy
from actions.plan import actions_retire_missing
from actions.planfile import plan_apply, plan_read
from actions.reads import my_actions_for
from actions.rows import rows_from_actions
from actions.services import ActionUpdateConflictError, action_update_record
from people.access import is_officer, officer_required
from people.models import Membership
from send_tracker.security import rate_limited, security_event


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
    mine = my_actions_for(request.user, rating_code=request.GET.get("rating", ""), show=request.GET.get("show", ""))
    return render(request, "actions/my_actions.html", {"nav_section": "my_actions", "mine": mine})


def _action_page(
    request: HttpRequest,
    action: Action,
    membership: Membership,
    *,
    form: ActionUpdateForm | None = None,
    conflict: ActionUpdateConflictError | None = None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The action page, or when htmx asked, the update section with the status panel swapped out of band."""
    prefetch_related_objects([action], "owners")
    owners = list(action.owners.all())
    may_update = can_update_action(request.user, membership, action)
    updates = list(action.updates.select_related("author", "rating_before", "rating_after").prefetch_related("evidence"))
    changes = list(action.changes.select_related("author"))
    # The whole history in time order, newest first: ratings and narratives, and every change to the plan's entry.
    history = sorted(
        [{"kind": "update", "at": u.created_at, "item": u} for u in updates]
        + [{"kind": "change", "at": c.created_at, "item": c} for c in changes],
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
        action_update_record(
            action=action,
            user=request.user,
            rating=form.cleaned_data["rating"],
            narrative=form.cleaned_data["narrative"],
            links=form.cleaned_data["links"],
            files=form.cleaned_data["files"],
            expected_version=form.cleaned_data["version"],
        )
    except ActionUpdateConflictError as conflict:
        # Nothing was saved. Keep what they typed, now against the version they
        # have just been shown, so a second submit is a deliberate choice.
        action.rating, action.version = conflict.latest.rating, conflict.latest.version
        kept = ActionUpdateForm(
            initial={
                "rating": form.cleaned_data["rating"].pk,
                "narrative": form.cleaned_data["narrative"],
                "links": "\n".join(form.cleaned_data["links"]),
                "version": conflict.latest.version,
            },
            levels=levels,
            current=conflict.latest.rating,
        )
        return _action_page(request, action, membership, form=kept, conflict=conflict, status=409)
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
def plan_import(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Officers upload an updated plan; nothing changes until they have seen the preview and confirmed."""
    strategy = _officer_strategy(request, strategy_id)
    return render(request, "actions/plan_import.html", {"strategy": strategy, "form": PlanImportForm()})


@login_required
@require_POST
@rate_limited("import", what="plan imports")
def plan_import_upload(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy = _officer_strategy(request, strategy_id)
    form = PlanImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "actions/plan_import.html", {"strategy": strategy, "form": form}, status=422)
    upload = form.cleaned_data["file"]
    content = upload.read()
    changes = plan_read(content, upload.name, strategy)
    kept = PlanImport.objects.create(
        strategy=strategy,
        uploaded_by=request.user,
        filename=upload.name[:255],
        content=content,
        status=PlanImport.Status.PREVIEWED if changes.ok else PlanImport.Status.REJECTED,
        summary=changes.summary(),
    )
    return redirect("actions:plan_import_preview", import_id=kept.pk)


@login_required
def plan_import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    plan_import = _officer_import(request, import_id)
    return render(request, "actions/plan_import_preview.html", {"plan_import": plan_import, "strategy": plan_import.strategy})


@login_required
@require_POST
@rate_limited("import", what="plan imports")
def plan_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    plan_import = _officer_import(request, import_id)
    if plan_import.status != PlanImport.Status.PREVIEWED:
        messages.error(request, "This file has already been imported, or had problems: upload it again.")
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    strategy = plan_import.strategy
    # Read the same bytes again: the plan may have changed since the preview.
    changes = plan_read(bytes(plan_import.content), plan_import.filename, strategy)
    if not changes.ok:
        PlanImport.objects.filter(pk=plan_import.pk).update(status=PlanImport.Status.REJECTED, summary=changes.summary())
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    retired = 0
    with transaction.atomic():
        changes = plan_apply(changes, user=request.user)
        if request.POST.get("retire_missing") == "on" and changes.missing:
            # The officer ticked it on the preview: the actions the file no longer has are retired as withdrawn.
            retired = actions_retire_missing(actor=request.user, strategy=strategy, refs=changes.missing, filename=plan_import.filename)
        PlanImport.objects.filter(pk=plan_import.pk).update(
            status=PlanImport.Status.APPLIED, summary={**changes.summary(), "retired": retired}
        )
    security_event(
        "plan_import",
        request,
        strategy_id=strategy.pk,
        file=plan_import.filename,
        created=len(changes.created),
        changed=len(changes.updated),
    )
    messages.success(
        request,
        f"Imported {plan_import.filename}: {len(changes.created)} new actions, {len(changes.updated)} changed, "
        f"{len(changes.unchanged)} unchanged" + (f", {retired} retired." if retired else "."),
    )
    return redirect(strategy.get_absolute_url())
