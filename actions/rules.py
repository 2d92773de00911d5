"""The status rule book: what overdue, due soon, on track but overdue, needs an update, unallocated
and no due date mean for an action.

Each rule is written here once, as a database expression (for the sweep,
lists and counts in SQL) and as its Python twin (for rows already in memory,
such as a snapshot's frozen items). Every page, email, export, feed and pack
asks this module; nothing else decides an action's status. A test holds each
expression and its twin to the same answer.

- Overdue: a due date before today and a rating that is not complete. A due
  month is stored as its last day; "to be determined" (no date) is never overdue.
- Due soon: due from today to `DUE_SOON_DAYS` ahead, inclusive, not complete.
- On track but overdue (inconsistent): overdue while rated at an on-track level.
- Needs an update: not complete, and nothing recorded since the strategy's
  latest snapshot was taken (before the first snapshot: nothing recorded ever).
- Unallocated: no owner post.
- No due date: "to be determined".
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.lookups import IsNull, LessThanOrEqual
from django.dispatch import receiver

from actions.models import Action, ActionUpdate, Snapshot


@functools.cache
def due_soon_days() -> int:
    # Read once: the rule runs for every row of a page, and a settings lookup costs more than the rule.
    return settings.DUE_SOON_DAYS


@receiver(setting_changed)
def _due_soon_days_forget(*, setting: str, **kwargs) -> None:
    if setting == "DUE_SOON_DAYS":
        due_soon_days.cache_clear()


class Rated(Protocol):
    is_complete: bool
    is_on_track: bool


# Python twins ------------------------------------------------------------------------------------


def is_overdue(due_date: dt.date | None, rating: Rated, today: dt.date) -> bool:
    return due_date is not None and due_date < today and not rating.is_complete


def is_due_soon(due_date: dt.date | None, rating: Rated, today: dt.date) -> bool:
    return due_date is not None and today <= due_date <= today + dt.timedelta(days=due_soon_days()) and not rating.is_complete


def is_inconsistent(due_date: dt.date | None, rating: Rated, today: dt.date) -> bool:
    return rating.is_on_track and is_overdue(due_date, rating, today)


def needs_update(rating: Rated, last_updated_at: dt.datetime | None, cycle_started_at: dt.datetime | None) -> bool:
    """`cycle_started_at` is when the strategy's latest snapshot was taken (None before the first)."""
    if rating.is_complete:
        return False
    if last_updated_at is None:
        return True
    return cycle_started_at is not None and last_updated_at <= cycle_started_at


def is_unallocated(owner_count: int) -> bool:
    return owner_count == 0


@dataclass(frozen=True)
class Status:
    """An action's status on a day, by the rules above."""

    overdue: bool = False
    due_soon: bool = False
    inconsistent: bool = False
    needs_update: bool = False
    unallocated: bool = False
    no_due_date: bool = False

    @property
    def flags(self) -> list[str]:
        """The due-date warnings in words, as every page shows them."""
        found = []
        if self.overdue:
            found.append("Overdue")
        elif self.due_soon:
            found.append("Due soon")
        if self.inconsistent:
            found.append("On track but overdue")
        return found


def status(
    *,
    due_date: dt.date | None,
    rating: Rated,
    today: dt.date,
    owner_count: int,
    last_updated_at: dt.datetime | None,
    cycle_started_at: dt.datetime | None,
) -> Status:
    return Status(
        overdue=is_overdue(due_date, rating, today),
        due_soon=is_due_soon(due_date, rating, today),
        inconsistent=is_inconsistent(due_date, rating, today),
        needs_update=needs_update(rating, last_updated_at, cycle_started_at),
        unallocated=is_unallocated(owner_count),
        no_due_date=due_date is None,
    )


# Database expressions, over Action ---------------------------------------------------------------


def overdue(today: dt.date) -> Q:
    return Q(due_date__lt=today, rating__is_complete=False)


def due_soon(today: dt.date) -> Q:
    return Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=due_soon_days()), rating__is_complete=False)


def inconsistent(today: dt.date) -> Q:
    return overdue(today) & Q(rating__is_on_track=True)


def cycle_started_at() -> Subquery:
    """When the action's strategy's latest snapshot was taken (NULL before the first)."""
    return _cycle_started_at()


def _cycle_started_at() -> Subquery:
    return Subquery(Snapshot.objects.filter(strategy=OuterRef("strategy_id")).latest_first().values("taken_at")[:1])


def needs_update_q(*, last_updated_at=None, cycle_started_at=None) -> Q:
    """Not complete, and never updated or last updated no later than the cycle's start.

    By default the latest update and the cycle's start are found by one index
    probe per action, which suits a page of a few hundred. A statement over the
    whole install (the daily sweep) passes them in as columns it joins once.
    """
    last = last_updated_at
    if last is None:
        last = Subquery(ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at").values("created_at")[:1])
    cycle = cycle_started_at if cycle_started_at is not None else _cycle_started_at()
    return Q(rating__is_complete=False) & (Q(IsNull(last, True)) | Q(LessThanOrEqual(last, cycle)))


def unallocated(*, owned=None) -> Q:
    """No owner post. `owned` may give, as a true/false column, whether the action has one (see needs_update_q)."""
    return ~Q(owned if owned is not None else Exists(Action.owners.through.objects.filter(action=OuterRef("pk"))))


def no_due_date() -> Q:
    return Q(due_date__isnull=True)


def flag(condition: Q) -> Case:
    """A rule's condition as a true/false column (never NULL), to annotate or count with."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


STATUS_FIELDS = ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated", "no_due_date")


def conditions(today: dt.date, *, last_updated_at=None, cycle_started_at=None, owned=None) -> dict[str, Q]:
    """Each rule's condition by name, for filtering: `actions.filter(conditions(today)["overdue"])`.

    The keywords are the per-action inputs a statement may join in itself (see needs_update_q).
    """
    return {
        "overdue": overdue(today),
        "due_soon": due_soon(today),
        "inconsistent": inconsistent(today),
        "needs_update": needs_update_q(last_updated_at=last_updated_at, cycle_started_at=cycle_started_at),
        "unallocated": unallocated(owned=owned),
        "no_due_date": no_due_date(),
    }


def with_status(actions: QuerySet[Action], today: dt.date) -> QuerySet[Action]:
    """The actions with one boolean annotation per rule (`overdue`, `due_soon`, ...), computed in the query."""
    return actions.annotate(**{name: flag(condition) for name, condition in conditions(today).items()})


def status_of(action: Action) -> Status:
    """The Status of an action annotated by `with_status`."""
    return Status(**{name: getattr(action, name) for name in STATUS_FIELDS})
