"""Reads and writes of co-production: the families' view, the deliverables' status and timeline, and publishing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from actions import rules
from actions.models import DeliveryGroup, Progress, RatingLevel, Snapshot, Strategy
from actions.revisions import revision_of
from actions.rows import ActionRow
from coproduction.models import (
    FAMILIES_CONCERNED,
    Deliverable,
    FamiliesLevel,
    FamiliesView,
    Publication,
    PublicPage,
    PublishedSummary,
    SnapshotFamiliesView,
    SummaryDraft,
)

# The families' view ----------------------------------------------------------------------------


def families_view_record(
    *, group: DeliveryGroup, user: User, level: str, narrative: str, source: str, publishable: bool = False
) -> FamiliesView:
    """Record the families' view of a group for the current reporting cycle (the one since the last board).

    A new row every time: the earlier views stay as the group's history.
    """
    return FamiliesView.objects.create(
        group=group,
        cycle=Snapshot.objects.last_board_for(group.strategy_id),
        level=FamiliesLevel(level),
        narrative=narrative,
        source=source,
        publishable=publishable,
        recorded_by=user,
        recorded_at=timezone.now(),
    )


def families_view_this_cycle(group: DeliveryGroup, latest: FamiliesView | None) -> FamiliesView | None:
    """The group's latest families' view (`latest`, read by the caller with the group's history) if it was recorded in
    this reporting cycle (since the last board): what the forum's next view of the group starts from, rather than an
    empty form, when they record it again."""
    if latest is None:
        return None
    return latest if latest.recorded_in(Snapshot.objects.last_board_for(group.strategy_id)) else None


def families_views_current(strategy: Strategy | int) -> dict[int, FamiliesView]:
    """Each group's latest families' view, by group id, in one query."""
    views = FamiliesView.objects.filter(group__strategy=strategy).current().select_related("recorded_by", "cycle")
    return {view.group_id: view for view in views}


def families_views_frozen(snapshot: Snapshot) -> dict[int, SnapshotFamiliesView]:
    return {view.group_id: view for view in SnapshotFamiliesView.objects.filter(snapshot=snapshot)}


# What a snapshot keeps of a families' view, named alike on both.
FROZEN_VIEW_FIELDS = ("group_id", "level", "narrative", "source", "publishable", "recorded_at")


def snapshot_families_views(snapshot: Snapshot) -> int:
    """Freeze each group's current families' view into the snapshot (part of taking a snapshot)."""
    current = FamiliesView.objects.filter(group__strategy_id=snapshot.strategy_id, recorded_at__lte=snapshot.taken_at).current()
    frozen = [SnapshotFamiliesView(snapshot=snapshot, **row) for row in current.values(*FROZEN_VIEW_FIELDS, view_id=F("pk"))]
    SnapshotFamiliesView.objects.bulk_create(frozen)
    return len(frozen)


def officers_on_track(ratings: Iterable[RatingLevel]) -> bool:
    """The officers' ratings of a group say it is on track or complete: the rule book's class of its actions together."""
    return rules.combined(rules.classify(r) for r in ratings) in (Progress.ON_TRACK, Progress.COMPLETE)


def families_disagree(level: str | None, ratings: Iterable[RatingLevel]) -> bool:
    """The exception a board sees: officers rate a group on track while families say no change yet or getting worse."""
    return level in FAMILIES_CONCERNED and officers_on_track(ratings)


@dataclass(frozen=True)
class Disagreement:
    group: DeliveryGroup
    view: FamiliesView | SnapshotFamiliesView
    actions: int


def own_ratings(rows: Iterable[ActionRow]) -> dict[int, list[RatingLevel]]:
    """Each group's own actions' ratings, one per action."""
    own: dict[int, list[RatingLevel]] = {}
    for row in rows:
        own.setdefault(row.group_id, []).append(row.rating)
    return own


def area_ratings(own: dict[int, list[RatingLevel]], groups: dict[int, DeliveryGroup]) -> dict[int, list[RatingLevel]]:
    """The ratings the families' view of each group is set beside: its own actions' and its sub-groups'."""
    ratings: dict[int, list[RatingLevel]] = {}
    for group_id, found_ratings in own.items():
        ratings.setdefault(group_id, []).extend(found_ratings)
        parent_id = groups[group_id].parent_id if group_id in groups else None
        if parent_id:
            ratings.setdefault(parent_id, []).extend(found_ratings)
    return ratings


def disagreements_of(
    own: dict[int, list[RatingLevel]], views: dict[int, FamiliesView | SnapshotFamiliesView], groups: dict[int, DeliveryGroup]
) -> list[Disagreement]:
    """Every group whose families' view contradicts the officers' ratings of its actions (its sub-groups' included),
    from each group's own actions' ratings (`own_ratings`)."""
    ratings = area_ratings(own, groups)
    found = []
    for group_id, view in views.items():
        group = groups.get(group_id)
        if group is not None and families_disagree(view.level, ratings.get(group_id, [])):
            found.append(Disagreement(group, view, len(ratings.get(group_id, []))))
    return sorted(found, key=lambda d: (d.group.position, d.group.pk))


# Deliverables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliverableStatus:
    code: str
    label: str
    colour: str
    overdue: bool = False  # a flag beside the status, as beside an action's class

    @property
    def flag(self) -> str:
        """The overdue flag in words that sit with the status beside it, as an action's do (actions.rules.Status.flags)."""
        if not self.overdue:
            return ""
        return "On track but overdue" if self.code == "on_track" else "Overdue"


DELIVERED = DeliverableStatus("delivered", "Delivered", "green")
AT_RISK = DeliverableStatus("at_risk", "At risk", "red")
ON_TRACK = DeliverableStatus("on_track", "On track", "amber")
NOT_STARTED = DeliverableStatus("not_started", "Not started", "grey")
NOT_LINKED = DeliverableStatus("not_linked", "No actions linked yet", "grey")
BY_CLASS = {Progress.COMPLETE: DELIVERED, Progress.AT_RISK: AT_RISK, Progress.ON_TRACK: ON_TRACK, Progress.NOT_STARTED: NOT_STARTED}


@dataclass(frozen=True)
class _Rated:
    progress: str


def deliverable_status(due_date: dt.date, rows: Sequence[ActionRow], today: dt.date) -> DeliverableStatus:
    """A deliverable's status: the rule book's class of the actions that deliver it, together.

    Delivered when every linked action is complete; at risk when any is at
    risk; on track when work is under way. Overdue is flagged beside it when
    the rule book finds any of them overdue, or the deliverable's own date
    passed before it was delivered.
    """
    if not rows:
        return NOT_LINKED
    progress = rules.combined(rules.classify(row.rating) for row in rows)
    overdue = rules.is_overdue(due_date, _Rated(progress), today) or any(row.status.overdue for row in rows)
    return replace(BY_CLASS[progress], overdue=overdue)


@dataclass
class TimelineItem:
    deliverable: Deliverable
    status: DeliverableStatus
    refs: list[str]


@dataclass
class Quarter:
    start: dt.date
    items: list[TimelineItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        end = dt.date(self.start.year, self.start.month + 2, 1)
        return f"{self.start:%B} to {end:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.start.year}-q{(self.start.month - 1) // 3 + 1}"

    @property
    def all_delivered(self) -> bool:
        """Every promise of the quarter kept: its list opens on request, so the page leads with what is still to come."""
        return bool(self.items) and all(item.status.code == DELIVERED.code for item in self.items)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def timeline(deliverables: Iterable[Deliverable], rows: Sequence[ActionRow], today: dt.date) -> list[Quarter]:
    """Deliverables by the calendar quarter they are due in, each with its status from its actions' rows.

    `deliverables` must have their actions' ids prefetched (`deliverables_of`).
    """
    rows_by_action = {row.action_id: row for row in rows}
    quarters: dict[dt.date, Quarter] = {}
    for deliverable in deliverables:
        linked = [rows_by_action[a.pk] for a in deliverable.actions.all() if a.pk in rows_by_action]
        start = quarter_start(deliverable.due_date)
        quarter = quarters.setdefault(start, Quarter(start))
        quarter.items.append(TimelineItem(deliverable, deliverable_status(deliverable.due_date, linked, today), [r.ref for r in linked]))
    return [quarters[key] for key in sorted(quarters)]


def deliverables_of(strategy: Strategy | int, group: DeliveryGroup | None = None):
    deliverables = Deliverable.objects.filter(strategy=strategy).select_related("group__parent").prefetch_related("actions")
    if group is not None:
        deliverables = deliverables.filter(Q(group=group) | Q(group__parent=group))
    return deliverables.order_by("due_date", "position", "id")


# The public page -------------------------------------------------------------------------------


def published_summaries(page: PublicPage, at: dt.datetime | None = None) -> dict[int, PublishedSummary]:
    """Each group's summary as last published (before `at`, when given): what the public saw."""
    summaries = PublishedSummary.objects.filter(publication__page=page)
    if at is not None:
        summaries = summaries.filter(publication__published_at__lte=at)
    latest = (
        summaries.select_related("publication").order_by("group_id", "-publication__published_at", "-publication_id").distinct("group_id")
    )
    return {summary.group_id: summary for summary in latest}


class NothingToPublishError(Exception):
    pass


@transaction.atomic
def page_publish(*, page: PublicPage, user: User, note: str = "") -> Publication:
    """Publish every draft summary that differs from what is public now, as one publication, and drop the cached page.

    Raises NothingToPublishError when no draft has changed.
    """
    PublicPage.objects.select_for_update().get(pk=page.pk)  # one publisher at a time
    public = published_summaries(page)
    drafts = SummaryDraft.objects.filter(group__strategy_id=page.strategy_id).order_by("group_id")
    changed = [
        d
        for d in drafts
        if not d.is_empty()
        and (d.group_id not in public or (public[d.group_id].you_said, public[d.group_id].we_did) != (d.you_said.strip(), d.we_did.strip()))
    ]
    if not changed:
        raise NothingToPublishError("No summary has changed since it was last published.")
    publication = Publication.objects.create(page=page, published_by=user, published_at=timezone.now(), note=note)
    PublishedSummary.objects.bulk_create(
        [
            PublishedSummary(publication=publication, group_id=d.group_id, you_said=d.you_said.strip(), we_did=d.we_did.strip())
            for d in changed
        ]
    )
    return publication


def public_cache_key(page: PublicPage, what: str, publication_id: int) -> str:
    """The cache key of a rendering of the page (or its feed): a new publication, a change of settings, or a
    change to the live plan it shows is a new key.

    So publishing invalidates the cached page by construction, whether or not
    anything clears the cache; old renderings simply expire. Beside what was
    published, the page shows the plan as it stands (its delivery groups, the
    rating mix, the families' views the forum agreed to publish, the
    deliverables and their status), so the key holds the strategy's revision,
    read before the data as the dashboard's is.
    """
    shown = f"{page.slug}|{page.introduction}|{page.show_ratings}|{page.show_families_view}"
    revision = revision_of(page.strategy_id)
    return f"coproduction:public:{page.pk}:{publication_id}:{revision}:{hashlib.sha256(shown.encode()).hexdigest()[:16]}:{what}"
