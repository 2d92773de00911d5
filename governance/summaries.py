"""What a board sees: ratings by priority and delivery group, exceptions, and movement between snapshots.

Every function here works on `ActionRow`s, which come either from the live
plan (`rows_from_actions`) or from a snapshot's frozen items
(`rows_from_snapshot`). The dashboard and the board report therefore compute
the same figures in the same way, whichever they are built from. Nothing
here queries the database except the two row builders and `latest_snapshot`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, RatingLevel, Strategy
from governance.models import Snapshot, SnapshotAction

OWNER_SEPARATOR = "; "


@dataclass(frozen=True)
class ActionRow:
    """One action as a board reads it, live or as frozen in a snapshot."""

    action_id: int
    ref: str
    text: str
    group_id: int
    priority_id: int
    rating: RatingLevel
    due_date: dt.date | None
    due_precision: str
    owners: tuple[str, ...] = ()
    narrative: str = ""
    last_updated_at: dt.datetime | None = None
    due_text: str = ""
    notes: str = ""
    as_at: dt.date | None = None  # the day the flags below are judged on: today, or the snapshot's date

    # The domain rules are Action's own, so a row and an action can never disagree
    # on what "overdue", "inconsistent" or "TBC" mean.
    DuePrecision = Action.DuePrecision
    due_label = Action.due_label
    is_overdue = Action.is_overdue
    is_inconsistent = Action.is_inconsistent
    is_due_soon = Action.is_due_soon

    @property
    def flags(self) -> list[str]:
        """Due-date warnings as a board reads them, as at the row's date."""
        if self.as_at is None:
            return []
        found = []
        if self.is_overdue(self.as_at):
            found.append("Overdue")
        elif self.is_due_soon(self.as_at):
            found.append("Due soon")
        if self.is_inconsistent(self.as_at):
            found.append("On track but overdue")
        return found

    @property
    def owners_text(self) -> str:
        return OWNER_SEPARATOR.join(self.owners)

    def is_unallocated(self) -> bool:
        return not self.owners

    def get_absolute_url(self) -> str:
        return reverse("actions:action_detail", args=[self.action_id])


def rows_from_actions(actions: QuerySet[Action]) -> list[ActionRow]:
    """Rows for live actions in two queries: owners and the latest update are aggregated in SQL.

    Read as plain values, with one RatingLevel object per level shared by all
    rows: building a model instance per row and per joined rating and group
    cost ten times the query itself at 2,000 actions.
    """
    today = timezone.localdate()
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    found = list(
        actions.prefetch_related(None)
        .annotate(
            owner_list=ArrayAgg("owners__title", filter=Q(owners__isnull=False), order_by="owners__title", default=Value([])),
            latest_narrative=Subquery(latest.values("narrative")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("position", "id")
        .values_list(
            "pk",
            "ref",
            "text",
            "group_id",
            "group__priority_id",
            "rating_id",
            "due_date",
            "due_precision",
            "owner_list",
            "latest_narrative",
            "latest_at",
            "due_text",
            "notes",
        )
    )
    levels = _levels_by_id({row[5] for row in found})
    return [
        ActionRow(
            action_id=pk,
            ref=ref,
            text=text,
            group_id=group_id,
            priority_id=priority_id,
            rating=levels[rating_id],
            due_date=due_date,
            due_precision=due_precision,
            owners=tuple(owner_list),
            narrative=narrative or "",
            last_updated_at=latest_at,
            due_text=due_text,
            notes=notes,
            as_at=today,
        )
        for (
            pk,
            ref,
            text,
            group_id,
            priority_id,
            rating_id,
            due_date,
            due_precision,
            owner_list,
            narrative,
            latest_at,
            due_text,
            notes,
        ) in found
    ]


def rows_from_snapshot(snapshot: Snapshot, items: QuerySet[SnapshotAction] | None = None) -> list[ActionRow]:
    """Rows for the actions frozen in a snapshot (optionally only some of its items), in two queries."""
    items = SnapshotAction.objects.filter(snapshot=snapshot) if items is None else items.filter(snapshot=snapshot)
    found = list(
        items.order_by("id").values_list(
            "action_id",
            "ref",
            "text",
            "group_id",
            "group__priority_id",
            "rating_id",
            "due_date",
            "due_precision",
            "owners",
            "narrative",
            "last_updated_at",
        )
    )
    levels = _levels_by_id({row[5] for row in found})
    return [
        ActionRow(
            action_id=action_id,
            ref=ref,
            text=text,
            group_id=group_id,
            priority_id=priority_id,
            rating=levels[rating_id],
            due_date=due_date,
            due_precision=due_precision,
            owners=tuple(t for t in owners.split(OWNER_SEPARATOR) if t),
            narrative=narrative,
            last_updated_at=last_updated_at,
            as_at=snapshot.as_at,
        )
        for action_id, ref, text, group_id, priority_id, rating_id, due_date, due_precision, owners, narrative, last_updated_at in found
    ]


def _levels_by_id(ids: set[int]) -> dict[int, RatingLevel]:
    return RatingLevel.objects.in_bulk(ids) if ids else {}


def latest_snapshot(strategy: Strategy, before: dt.date | None = None) -> Snapshot | None:
    """The most recent snapshot of the strategy (strictly before a date, when given)."""
    snapshots = Snapshot.objects.filter(strategy=strategy)
    if before is not None:
        snapshots = snapshots.filter(as_at__lt=before)
    return snapshots.order_by("-as_at").first()


# Ratings by priority and delivery group ---------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    level: RatingLevel
    count: int
    percent: int  # share of the bar, rounded, for drawing its width


@dataclass(frozen=True)
class Tally:
    total: int
    segments: tuple[Segment, ...]  # one per level, worst first, zero counts included

    def shown(self) -> list[Segment]:
        """The segments a bar draws: levels with at least one action."""
        return [s for s in self.segments if s.count]

    def count_of(self, level: RatingLevel) -> int:
        return next((s.count for s in self.segments if s.level.pk == level.pk), 0)


@dataclass(frozen=True)
class RatingCounts:
    overall: Tally
    by_priority: dict[int, Tally]
    by_group: dict[int, Tally]


def tally(rows: Iterable[ActionRow], levels: Sequence[RatingLevel]) -> Tally:
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row.rating.pk] += 1
    total = sum(counts.values())
    ordered = sorted(levels, key=lambda level: level.position)
    return Tally(
        total=total,
        segments=tuple(Segment(level, counts[level.pk], round(100 * counts[level.pk] / total) if total else 0) for level in ordered),
    )


def rating_counts(rows: Sequence[ActionRow], levels: Sequence[RatingLevel]) -> RatingCounts:
    """Number of actions at each rating level, overall, per priority and per delivery group."""
    by_priority: dict[int, list[ActionRow]] = defaultdict(list)
    by_group: dict[int, list[ActionRow]] = defaultdict(list)
    for row in rows:
        by_priority[row.priority_id].append(row)
        by_group[row.group_id].append(row)
    return RatingCounts(
        overall=tally(rows, levels),
        by_priority={key: tally(group, levels) for key, group in by_priority.items()},
        by_group={key: tally(group, levels) for key, group in by_group.items()},
    )


# Exceptions -------------------------------------------------------------------------------------

EXCEPTION_KINDS: dict[str, str] = {
    "risk": "Rated at risk",
    "overdue": "Overdue",
    "inconsistent": "Rated on track but overdue",
    "unallocated": "No owner allocated",
    "no_due_date": "No due date (TBC)",
    "stale": "No recent update",
}


@dataclass
class Exceptions:
    risk: list[ActionRow] = field(default_factory=list)
    overdue: list[ActionRow] = field(default_factory=list)
    inconsistent: list[ActionRow] = field(default_factory=list)
    unallocated: list[ActionRow] = field(default_factory=list)
    no_due_date: list[ActionRow] = field(default_factory=list)
    stale: list[ActionRow] = field(default_factory=list)
    stale_since: dt.date | None = None

    def kinds(self) -> list[tuple[str, str, list[ActionRow]]]:
        """(key, label, rows) for every kind of exception, in the order a board reads them."""
        return [(key, label, getattr(self, key)) for key, label in EXCEPTION_KINDS.items()]


def stale_cutoff(today: dt.date, since: dt.date | None) -> dt.date:
    """Updates before this date are stale: the last snapshot's date, or N weeks ago before any snapshot."""
    return since if since is not None else today - dt.timedelta(weeks=settings.STALE_AFTER_WEEKS)


def exceptions(rows: Iterable[ActionRow], today: dt.date, since: dt.date | None = None) -> Exceptions:
    """What a board wants flagged, as at `today`; `since` is the previous snapshot's date, if any.

    An action at a complete level is never overdue, inconsistent or stale.
    """
    cutoff = stale_cutoff(today, since)
    found = Exceptions(stale_since=cutoff)
    for row in rows:
        if row.rating.is_risk:
            found.risk.append(row)
        if row.is_overdue(today):
            found.overdue.append(row)
        if row.is_inconsistent(today):
            found.inconsistent.append(row)
        if row.is_unallocated():
            found.unallocated.append(row)
        if row.due_date is None:
            found.no_due_date.append(row)
        if not row.rating.is_complete and (row.last_updated_at is None or timezone.localdate(row.last_updated_at) < cutoff):
            found.stale.append(row)
    return found


# Movement between two snapshots (or a snapshot and the live plan) -------------------------------


@dataclass(frozen=True)
class Move:
    row: ActionRow
    before: RatingLevel | None
    after: RatingLevel


MOVEMENT_KINDS: dict[str, str] = {
    "worsened": "Rating worsened",
    "improved": "Rating improved",
    "newly_completed": "Newly completed",
    "newly_overdue": "Newly overdue",
    "new": "New actions",
}


@dataclass
class Movement:
    improved: list[Move] = field(default_factory=list)
    worsened: list[Move] = field(default_factory=list)
    newly_completed: list[Move] = field(default_factory=list)
    newly_overdue: list[Move] = field(default_factory=list)
    new: list[Move] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, str, list[Move]]]:
        return [(key, label, getattr(self, key)) for key, label in MOVEMENT_KINDS.items()]

    def is_empty(self) -> bool:
        return not any(moves for _, _, moves in self.kinds())


def movement(
    previous_rows: Iterable[ActionRow], current_rows: Iterable[ActionRow], today: dt.date, previous_as_at: dt.date | None = None
) -> Movement:
    """How each action moved from the previous rows to the current ones.

    Improved and worsened compare the levels' positions (worst to best); a
    newly completed action is also listed as improved. Newly overdue means
    overdue as at `today` but not as at `previous_as_at` (the previous
    snapshot's date; `today` when not given). An action absent before is new.
    """
    before_by_id = {row.action_id: row for row in previous_rows}
    then = previous_as_at or today
    moved = Movement()
    for row in current_rows:
        before = before_by_id.get(row.action_id)
        if before is None:
            moved.new.append(Move(row, None, row.rating))
            continue
        move = Move(row, before.rating, row.rating)
        if row.rating.position > before.rating.position:
            moved.improved.append(move)
        elif row.rating.position < before.rating.position:
            moved.worsened.append(move)
        if row.rating.is_complete and not before.rating.is_complete:
            moved.newly_completed.append(move)
        if row.is_overdue(today) and not before.is_overdue(then):
            moved.newly_overdue.append(move)
    return moved


# Filters ----------------------------------------------------------------------------------------


def rows_filter(
    rows: Iterable[ActionRow],
    *,
    owner_titles: set[str] | None = None,
    rating_id: int | None = None,
    action_ids: set[int] | None = None,
) -> list[ActionRow]:
    """The rows an owner filter (any of these post titles), a rating and a set of actions allow."""
    return [
        row
        for row in rows
        if (owner_titles is None or owner_titles.intersection(row.owners))
        and (rating_id is None or row.rating.pk == rating_id)
        and (action_ids is None or row.action_id in action_ids)
    ]


def movement_since_snapshot(strategy: Strategy, actions: QuerySet[Action]) -> tuple[Snapshot | None, Movement | None]:
    """How these live actions moved since the strategy's latest snapshot (None, None before any snapshot)."""
    snapshot = latest_snapshot(strategy)
    if snapshot is None:
        return None, None
    current = rows_from_actions(actions)
    previous = rows_from_snapshot(snapshot, SnapshotAction.objects.filter(action_id__in=[row.action_id for row in current]))
    return snapshot, movement(previous, current, timezone.localdate(), snapshot.as_at)
