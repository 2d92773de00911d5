from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import Count, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions import rules, trackers
from actions.access import can_update_action, get_action_for_user, get_strategy_for_user
from actions.forms import MAX_FILES, ActionUpdateForm, PlanImportForm, TrackerMappingForm
from actions.models import (
    Action,
    ActionChange,
    DeliveryGroup,
    EmailDigest,
    Evidence,
    ImportMapping,
    Notification,
    PlanImport,
    RatingScheme,
    Snapshot,
    Strategy,
    normalise_phrase,
)
from actions.plan import actions_retire_missing
from actions.planfile import plan_apply
from actions.reads import my_actions_cache_key, my_actions_for
from actions.rows import rows_from_actions
from actions.services import ActionUpdateConflictError, action_update_record
from actions.tables import ImportFileError, RowProblem, upload_filename
from people.access import is_officer, officer_required
from people.models import Membership
from send_tracker.cache import cached_page
from send_tracker.security import rate_limited, request_size_limit, security_event

# Room in an upload request for its form fields and the multipart framing, beside the files themselves.
FORM_FIELDS_BYTES = 1024 * 1024


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
def plan_import(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Officers upload an updated plan; nothing changes until they have seen the preview and confirmed."""
    strategy = _officer_strategy(request, strategy_id)
    return render(request, "actions/plan_import.html", {"strategy": strategy, "form": PlanImportForm()})


@request_size_limit(lambda: settings.PLAN_IMPORT_MAX_BYTES + FORM_FIELDS_BYTES)
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
    filename = upload_filename(upload.name)
    # A file in the import format, or laid out like a tracker already mapped, goes to the preview;
    # any other tracker first to the page where the officer says how its columns read.
    reading = trackers.plan_upload_read(content, filename, strategy)
    changes = reading.changes
    if changes is None:
        status, summary = PlanImport.Status.MAPPING, {}
    else:
        status, summary = (PlanImport.Status.PREVIEWED if changes.ok else PlanImport.Status.REJECTED), changes.summary()
    kept = PlanImport.objects.create(
        strategy=strategy,
        uploaded_by=request.user,
        filename=filename,
        content=content,
        status=status,
        summary=summary,
        mapping=reading.mapping,
        layout=reading.layout,
    )
    if status == PlanImport.Status.MAPPING:
        return redirect("actions:plan_import_mapping", import_id=kept.pk)
    return redirect("actions:plan_import_preview", import_id=kept.pk)


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
            changes = trackers.tracker_read(content, plan_import.filename, strategy, mapping)
            PlanImport.objects.filter(pk=plan_import.pk).update(
                mapping=mapping,
                layout=layout.signature,
                status=PlanImport.Status.PREVIEWED if changes.ok else PlanImport.Status.REJECTED,
                summary=changes.summary(),
            )
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
        "schemes": RatingScheme.objects.order_by("name") if not strategy.actions.exists() else [],
        "suggested_scheme": RatingScheme.objects.filter(code=suggested).first() if suggested else None,
    }
    return render(request, "actions/plan_import_mapping.html", context, status=status)


@login_required
def plan_import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    plan_import = _officer_import(request, import_id)
    if plan_import.status == PlanImport.Status.MAPPING:
        return redirect("actions:plan_import_mapping", import_id=plan_import.pk)
    columns_read = trackers.columns_described(plan_import.mapping)
    return render(
        request,
        "actions/plan_import_preview.html",
        {"plan_import": plan_import, "strategy": plan_import.strategy, "columns_read": columns_read},
    )


@login_required
@require_POST
@rate_limited("import", what="plan imports")
def plan_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    plan_import = _officer_import(request, import_id)
    if plan_import.status != PlanImport.Status.PREVIEWED:
        messages.error(request, "This file has already been imported, or had problems: upload it again.")
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    strategy = plan_import.strategy
    # Read the same bytes again, through the same mapping: the plan may have changed since the preview.
    changes = trackers.plan_file_read(bytes(plan_import.content), plan_import.filename, strategy, plan_import.mapping)
    if not changes.ok:
        PlanImport.objects.filter(pk=plan_import.pk).update(status=PlanImport.Status.REJECTED, summary=changes.summary())
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
    retired = 0
    try:
        with transaction.atomic():
            changes = plan_apply(changes, user=request.user)
            if request.POST.get("retire_missing") == "on" and changes.missing:
                # The officer ticked it on the preview: the actions the file no longer has are retired as withdrawn.
                retired = actions_retire_missing(actor=request.user, strategy=strategy, refs=changes.missing, filename=plan_import.filename)
            PlanImport.objects.filter(pk=plan_import.pk).update(
                status=PlanImport.Status.APPLIED, summary={**changes.summary(), "retired": retired}
            )
            if plan_import.mapping:
                # Applied: the layout's mapping is kept for the strategy, for the next upload and the command line.
                ImportMapping.objects.update_or_create(
                    strategy=strategy,
                    name=plan_import.mapping.get("name") or plan_import.filename[:100],
                    defaults={
                        "layout": plan_import.layout,
                        "mapping": plan_import.mapping,
                        "saved_by": request.user,
                        "saved_at": timezone.now(),
                    },
                )
    except DatabaseError as exc:
        # The reading step checks every field against its limits, so this should not happen; if it does,
        # nothing was written (one transaction) and the import is closed with the reason, not left to fail again.
        problem = RowProblem(0, "", "", f"The plan could not be saved, and nothing was changed: {str(exc).splitlines()[0]}")
        PlanImport.objects.filter(pk=plan_import.pk).update(
            status=PlanImport.Status.REJECTED, summary={**plan_import.summary, "problems": [asdict(problem)]}
        )
        return redirect("actions:plan_import_preview", import_id=plan_import.pk)
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
