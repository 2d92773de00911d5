"""Reads of governance that pages and the board pack share."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from actions import rules
from actions.models import Action, ActionUpdate
from governance.models import Decision, Meeting
from jobs.models import Job

if TYPE_CHECKING:
    from reporting.models import BoardReport


@dataclasses.dataclass(frozen=True)
class ArisingRow:
    """An action arising as it stands: the action (with its rating and owners), its latest update and its flags."""

    action: Action
    owners: list[str]
    latest_narrative: str
    latest_update_at: dt.datetime | None
    overdue: bool
    complete: bool

    @property
    def state(self) -> str:
        """In words, never by colour alone: "Complete", "Overdue" or the rating's label."""
        if self.complete:
            return "Complete"
        if self.overdue:
            return f"Overdue ({self.action.rating.label})"
        return self.action.rating.label


def actions_arising_for(meeting: Meeting, *, today: dt.date | None = None) -> list[ArisingRow]:
    """A meeting's actions arising, in the order they were recorded, each with its state today (a fixed number of queries)."""
    today = today or timezone.localdate()
    actions = list(
        Action.everything.filter(arising_from__meeting=meeting)
        .select_related("rating")
        .prefetch_related("owners")
        .order_by("arising_from__recorded_at", "arising_from__id")
    )
    latest = {}
    for update in (
        ActionUpdate.objects.filter(action__in=actions)
        .order_by("action_id", "-created_at", "-id")
        .distinct("action_id")
        .values("action_id", "narrative", "created_at")
    ):
        latest[update["action_id"]] = update
    return [
        ArisingRow(
            action=action,
            owners=[post.title for post in action.owners.all()],
            latest_narrative=latest.get(action.pk, {}).get("narrative", ""),
            latest_update_at=latest.get(action.pk, {}).get("created_at"),
            overdue=rules.is_overdue(action.due_date, action.rating, today),
            complete=action.rating.is_complete,
        )
        for action in actions
    ]


def meeting_pack_pdf(meeting: Meeting) -> BoardReport | None:
    """The newest board pack written as a PDF from the meeting's snapshot, or None while there is none to download."""
    if meeting.snapshot_id is None:
        return None
    return meeting.snapshot.board_reports.filter(status=Job.Status.READY).order_by("-requested_at", "-id").first()


def decisions_for(meeting: Meeting) -> list[Decision]:
    return list(meeting.decisions.select_related("recorded_by").order_by("recorded_at", "id"))


def last_meeting_held(strategy_id: int, *, before: dt.date) -> Meeting | None:
    """The latest meeting before a date that was not cancelled: the one whose actions arising the next pack opens with."""
    return (
        Meeting.objects.filter(strategy_id=strategy_id, date__lt=before)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
        .order_by("-date", "-id")
        .first()
    )
