from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from actions.access import get_action_for_user, get_group_for_user, get_strategy_for_user
from actions.models import Action, DeliveryGroup, EmailDigest, Membership, Notification, Strategy


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("actions:strategy_list")


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
    actions = Action.objects.filter(strategy=strategy).for_display().order_by("position", "id")
    groups = (
        DeliveryGroup.objects.filter(strategy=strategy)
        .select_related("lead", "parent")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("position", "id")
    )
    by_priority: dict[int, list[DeliveryGroup]] = {}
    for group in groups:
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
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group, membership = get_group_for_user(request.user, group_id)
    actions = Action.objects.filter(Q(group=group) | Q(group__parent=group)).for_display().order_by("position", "id")
    return render(
        request, "actions/group_detail.html", {"group": group, "strategy": group.strategy, "membership": membership, "actions": actions}
    )


@login_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    updates = action.updates.select_related("author", "rating_before", "rating_after")
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "strategy": action.strategy,
            "membership": membership,
            "updates": updates,
            "owners": list(action.owners.all()),
            "related": list(action.related.select_related("rating")),
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What the daily sweep told this person, newest first; officers also see emails that could not be sent."""
    items = (
        Notification.objects.visible_to(request.user)
        .select_related("action__strategy", "action__rating")
        .order_by("-created_at", "-id")[:200]
    )
    officer_of = [m.partnership_id for m in request.user.memberships.all() if m.role == Membership.Role.OFFICER]
    failed = []
    if officer_of:
        failed = (
            EmailDigest.objects.filter(status=EmailDigest.Status.FAILED, recipient__memberships__partnership_id__in=officer_of)
            .select_related("recipient")
            .distinct()
            .order_by("-day", "recipient__email")[:100]
        )
    return render(request, "actions/notifications.html", {"notifications": items, "failed_digests": failed, "is_officer": bool(officer_of)})
