"""What goes into a board pack: everything is read from a snapshot, so a pack can be reproduced."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import DeliveryGroup, RatingLevel
from governance.models import Meeting, Snapshot, SnapshotAction


def board_pack_context(snapshot: Snapshot, meeting: Meeting | None = None) -> dict:
    strategy = snapshot.strategy
    levels = list(RatingLevel.objects.filter(scheme_id=strategy.scheme_id).order_by("position"))
    by_id = {level.pk: level for level in levels}
    items = list(SnapshotAction.objects.filter(snapshot=snapshot).order_by("group__position", "action__position", "id"))
    for item in items:
        item.level = by_id[item.rating_id]
    groups = list(DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent").order_by("position", "id"))
    items_by_group: dict[int, list[SnapshotAction]] = {}
    for item in items:
        items_by_group.setdefault(item.group_id, []).append(item)
    priorities: dict[int, dict] = {}
    for group in groups:
        entry = priorities.setdefault(group.priority_id, {"priority": group.priority, "groups": []})
        entry["groups"].append({"group": group, "items": items_by_group.get(group.pk, [])})
    return {
        "strategy": strategy,
        "partnership": strategy.partnership,
        "snapshot": snapshot,
        "meeting": meeting,
        "board": meeting.board if meeting else None,
        "levels": levels,
        "items": items,
        "priorities": list(priorities.values()),
        "generated_at": timezone.now(),
    }


def board_pack_html(snapshot: Snapshot, meeting: Meeting | None = None, *, for_print: bool = True) -> str:
    context = board_pack_context(snapshot, meeting)
    context["for_print"] = for_print
    return render_to_string("governance/pdf/board_pack.html", context)
