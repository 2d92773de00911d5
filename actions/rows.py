"""Actions as a board reads them: one row per action, live or as frozen in a snapshot.

The dashboard, the board pack and the exports all work on `ActionRow`s, so
they compute the same figures in the same way whichever they are built from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from actions import rules
from actions.models import Action, ActionUpdate, RatingLevel, Snapshot, SnapshotAction, action_url

OWNER_SEPARATOR = "; "


def ref_order(ref: str) -> tuple:
    """The order people read refs in: SS2 before SS10, EHC-A7 before EHC-B1 (numbers compared as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", ref) if part)


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
    last_updated_by: str = ""  # who wrote the latest update, as their name reads on a page
    due_text: str = ""
    notes: str = ""
    as_at: dt.date | None = None  # the day the status is judged on: today, or the snapshot's date
    cycle_started_at: dt.datetime | None = None  # when the snapshot before `as_at` was taken
    first_updated_at: dt.datetime | None = None  # when the action's first update, its starting rating, was made
    milestones: tuple[int, int] = (0, 0)  # (done, total) where a page reads them: "3 of 5"

    DuePrecision = Action.DuePrecision
    due_label = Action.due_label

    @cached_property
    def status(self) -> rules.Status:
        """The row's status as at its date, by the rule book."""
        return rules.status(
            due_date=self.due_date,
            rating=self.rating,
            today=self.as_at or timezone.localdate(),
            owner_count=len(self.owners),
            last_updated_at=self.last_updated_at,
            cycle_started_at=self.cycle_started_at,
            first_updated_at=self.first_updated_at,
        )

    @property
    def flags(self) -> list[str]:
        """Due-date warnings as a board reads them, as at the row's date."""
        return self.status.flags

    @property
    def owners_text(self) -> str:
        return OWNER_SEPARATOR.join(self.owners)

    def get_absolute_url(self) -> str:
        return action_url(self.action_id)


# An update's author as their name reads on a page: full name, else email (User.__str__ in SQL).
_AUTHOR_NAME = Coalesce(
    NullIf(Trim(Concat("author__first_name", Value(" "), "author__last_name", output_field=CharField())), Value("")),
    "author__email",
    output_field=CharField(),
)

_ROW_FIELDS = (
    "row_action_id",
    "ref",
    "text",
    "group_id",
    "row_priority_id",
    "rating_id",
    "due_date",
    "due_precision",
    "row_owners",
    "row_narrative",
    "row_updated_at",
    "row_updated_by",
    "row_due_text",
    "row_notes",
    "row_cycle_started_at",
    "row_first_updated_at",
)


def _rows(values: list[tuple], as_at: dt.date) -> list[ActionRow]:
    """Rows from `_ROW_FIELDS` values, with one RatingLevel object per level shared by all rows.

    Building a model instance per row and per joined rating and group cost ten
    times the query itself at 2,000 actions.
    """
    levels = RatingLevel.objects.in_bulk({v[5] for v in values}) if values else {}
    rows = []
    for (
        pk,
        ref,
        text,
        group_id,
        priority_id,
        rating_id,
        due_date,
        precision,
        owners,
        narrative,
        updated_at,
        updated_by,
        due_text,
        notes,
        cycle,
        first_updated_at,
    ) in values:
        if isinstance(owners, str):  # a snapshot keeps its owners as one text
            owners = [title for title in owners.split(OWNER_SEPARATOR) if title]
        rows.append(
            ActionRow(
                action_id=pk,
                ref=ref,
                text=text,
                group_id=group_id,
                priority_id=priority_id,
                rating=levels[rating_id],
                due_date=due_date,
                due_precision=precision,
                owners=tuple(owners),
                narrative=narrative or "",
                last_updated_at=updated_at,
                last_updated_by=updated_by or "",
                due_text=due_text,
                notes=notes,
                as_at=as_at,
                cycle_started_at=cycle,
                first_updated_at=first_updated_at,
            )
        )
    return rows


def rows_from_actions(
    actions: QuerySet[Action], today: dt.date | None = None, *, order_by: tuple = ("position", "id"), window: slice | None = None
) -> list[ActionRow]:
    """Rows for live actions in two queries: owners, the latest and first updates and the cycle are computed in SQL.

    `window` reads only that slice of them, in the order `order_by` gives (plan order by default).
    """
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    found = (
        actions.prefetch_related(None)
        .annotate(
            row_action_id=F("pk"),
            row_priority_id=F("group__priority_id"),
            row_owners=ArrayAgg("owners__title", filter=Q(owners__isnull=False), order_by="owners__title", default=Value([])),
            row_narrative=Subquery(latest.values("narrative")[:1]),
            row_updated_at=Subquery(latest.values("created_at")[:1]),
            row_updated_by=Subquery(latest.annotate(name=_AUTHOR_NAME).values("name")[:1]),
            row_due_text=F("due_text"),
            row_notes=F("notes"),
            row_cycle_started_at=rules.cycle_started_at(),
            row_first_updated_at=rules.first_updated_at(),
        )
        .order_by(*order_by)
        .values_list(*_ROW_FIELDS)
    )
    values = list(found if window is None else found[window])
    return _rows(values, today or timezone.localdate())


def rows_from_snapshot(snapshot: Snapshot, items: QuerySet[SnapshotAction] | None = None) -> list[ActionRow]:
    """Rows for the actions frozen in a snapshot (optionally only some of its items), judged as at its date."""
    items = SnapshotAction.objects.filter(snapshot=snapshot) if items is None else items.filter(snapshot=snapshot)
    previous = Snapshot.objects.filter(strategy_id=snapshot.strategy_id, as_at__lt=snapshot.as_at).last_board_first(snapshot.as_at)
    # The update the snapshot froze as the latest: the one made at its last-updated time.
    frozen_latest = ActionUpdate.objects.filter(action=OuterRef("action_id"), created_at=OuterRef("last_updated_at")).order_by("-id")
    values = list(
        items.annotate(
            row_action_id=F("action_id"),
            row_priority_id=F("group__priority_id"),
            row_owners=F("owners"),
            row_narrative=F("narrative"),
            row_updated_at=F("last_updated_at"),
            row_updated_by=Subquery(frozen_latest.annotate(name=_AUTHOR_NAME).values("name")[:1]),
            row_due_text=Value(""),
            row_notes=Value(""),
            row_cycle_started_at=Subquery(previous.values("taken_at")[:1]),
            # Its first update (its starting rating), where the cycle starts before the strategy's first snapshot.
            row_first_updated_at=rules.first_updated_at(of="action_id"),
        )
        .order_by("id")
        .values_list(*_ROW_FIELDS)
    )
    return _rows(values, snapshot.as_at)
