"""Governance writes: snapshots, boards from a plan document, meeting reminders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from actions.chasing import reminders_queue
from actions.models import Action, ActionUpdate, Snapshot, SnapshotAction, Strategy
from coproduction.models import FamiliesView
from coproduction.services import snapshot_families_views
from governance.models import Board, Meeting, SelfEvaluationVersion
from governance.signoff import sign_off_reminders_queue
from kpis.services import snapshot_kpi_values


@transaction.atomic
def snapshot_take(
    *, strategy: Strategy, as_at: dt.date, taken_by: User | None = None, note: str = "", taken_at: dt.datetime | None = None
) -> Snapshot:
    """Freeze every action of the strategy as it stands now, labelled "as at" the given date.

    `taken_at` is now unless given (a history loaded after the fact, as the demo's, says when each was taken).

    Set-based: one INSERT ... SELECT of the actions, with their owners and
    latest narrative aggregated in SQL, whatever the plan size.
    """
    snapshot = Snapshot.objects.create(strategy=strategy, as_at=as_at, taken_by=taken_by, note=note, taken_at=taken_at or timezone.now())
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    frozen = {
        "snapshot_id": Value(snapshot.pk),
        "action_id": F("pk"),
        "group_id": F("group_id"),
        "ref": F("ref"),
        "text": F("text"),
        "owners": StringAgg("owners__title", delimiter="; ", order_by="owners__title", default=""),
        "due_date": F("due_date"),
        "due_precision": F("due_precision"),
        "rating_id": F("rating_id"),
        "narrative": Coalesce(Subquery(latest.values("narrative")[:1]), Value(""), output_field=TextField()),
        "last_updated_at": Subquery(latest.values("created_at")[:1]),
    }
    rows = Action.objects.filter(strategy=strategy).order_by().annotate(**{f"frozen_{k}": v for k, v in frozen.items()})
    sql, params = rows.values_list(*(f"frozen_{k}" for k in frozen)).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(SnapshotAction._meta.get_field(k.removesuffix("_id")).column) for k in frozen)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(SnapshotAction._meta.db_table)} ({columns}) {sql}", params)
    snapshot_kpi_values(snapshot)
    snapshot_families_views(snapshot)
    return snapshot


class SnapshotRetakeError(ValueError):
    """Why a snapshot cannot be retaken, in words for the officer."""


def snapshot_retake_problem(snapshot: Snapshot, today: dt.date) -> str | None:
    """Why this snapshot cannot be retaken now, or None when it can.

    Only today's, and only while nothing has been built on it: a pack produced
    from it, a families' view recorded in its cycle, or a self-evaluation drafted
    from its figures makes it part of the record.
    """
    if snapshot.as_at != today:
        return f"Only today's snapshot can be retaken: the snapshot as at {snapshot.as_at:%-d %B %Y} is part of the record"
    if snapshot.board_reports.exists():
        return f"A board pack has been produced from the snapshot as at {snapshot.as_at:%-d %B %Y}, so it can no longer be retaken"
    if FamiliesView.objects.filter(cycle=snapshot).exists():
        return f"The families' view has been recorded since the snapshot as at {snapshot.as_at:%-d %B %Y}, so it can no longer be retaken"
    if SelfEvaluationVersion.objects.filter(snapshot=snapshot).exists():
        return (
            f"A self-evaluation has been drafted from the figures of the snapshot as at {snapshot.as_at:%-d %B %Y}, "
            "so it can no longer be retaken"
        )
    return None


@transaction.atomic
def snapshot_retake(*, snapshot: Snapshot, taken_by: User | None, today: dt.date | None = None) -> Snapshot:
    """Take today's snapshot again, now: the updates recorded since it was taken are in it.

    A snapshot never changes, so the old one is removed and a new one taken for
    the same date with the same note; the meetings it was chosen for keep it.
    Raises SnapshotRetakeError when it is not today's or a pack was produced from it.
    """
    today = today or timezone.localdate()
    locked = Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
    if locked is None:
        raise SnapshotRetakeError("That snapshot has just been retaken by someone else: look at the list again")
    if problem := snapshot_retake_problem(locked, today):
        raise SnapshotRetakeError(problem)
    meetings = list(Meeting.objects.filter(snapshot=locked).values_list("pk", flat=True))
    Meeting.objects.filter(pk__in=meetings).update(snapshot=None)
    strategy, as_at, note = locked.strategy, locked.as_at, locked.note
    locked.delete()
    retaken = snapshot_take(strategy=strategy, as_at=as_at, taken_by=taken_by, note=note)
    Meeting.objects.filter(pk__in=meetings).update(snapshot=retaken)
    return retaken


def snapshot_stated_take(*, strategy: Strategy, taken_at: dt.datetime | None = None) -> Snapshot | None:
    """The snapshot a published plan states its ratings were accurate as at, taken once (now, unless `taken_at` says when)."""
    if strategy.ratings_as_at is None:
        return None
    existing = Snapshot.objects.filter(strategy=strategy, as_at=strategy.ratings_as_at).first()
    return existing or snapshot_take(
        strategy=strategy, as_at=strategy.ratings_as_at, note="Ratings as stated in the published plan.", taken_at=taken_at
    )


def boards_from_details(strategy: Strategy, items: list[dict]) -> None:
    """Create or refresh the partnership's governance groups as a plan document lists them."""
    for position, item in enumerate(items, start=1):
        Board.objects.update_or_create(
            partnership=strategy.partnership,
            name=item["name"],
            defaults={
                "purpose": item.get("purpose", ""),
                "chair_role": item.get("chair_role", ""),
                "cadence": item.get("cadence", ""),
                "position": position,
            },
        )


def meetings_remind(*, today: dt.date) -> int:
    """Remind owners to update, and signatories to sign off, before each scheduled meeting's papers deadline (once each)."""
    queued = 0
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        papers_deadline__gte=today,
        papers_deadline__lte=today + dt.timedelta(days=settings.REMIND_DAYS_BEFORE),
    ).select_related("strategy", "board")
    for meeting in meetings:  # a handful: the meetings due in the next few days
        queued += reminders_queue(
            strategy=meeting.strategy, deadline=meeting.papers_deadline, days_before=settings.REMIND_DAYS_BEFORE, today=today
        )
        queued += sign_off_reminders_queue(meeting=meeting, days_before=settings.REMIND_DAYS_BEFORE, today=today)
    return queued
