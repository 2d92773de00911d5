"""Retaking today's snapshot: the officer's way to include the updates recorded since it was taken."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.models import Snapshot
from governance.services import SnapshotRetakeError, snapshot_retake
from people.access import member_object, officer_required


@login_required
@require_POST
def snapshot_retake_view(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    snapshot, membership = member_object(
        request.user, Snapshot.objects.select_related("strategy"), snapshot_id, "strategy.partnership_id", "No such snapshot."
    )
    officer_required(membership, "retake snapshots")
    try:
        retaken = snapshot_retake(snapshot=snapshot, taken_by=request.user)
    except SnapshotRetakeError as problem:
        messages.error(request, str(problem))
    else:
        taken = timezone.localtime(retaken.taken_at)
        messages.success(request, f"Snapshot as at {retaken.as_at:%-d %B %Y} retaken at {taken:%H:%M}: it has every update until then.")
    return redirect("reporting:snapshot_list", snapshot.strategy_id)
