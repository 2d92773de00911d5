"""The status rule book: which one class an action is in (not started, on track, at risk or
complete), and what overdue, due soon, on track but overdue, needs an update, unallocated and no
due date mean for it.

Each rule is written here once, as a database expression (for the sweep,
lists and counts in SQL) and as its Python twin (for rows already in memory,
such as a snapshot's frozen items). Every page, email, export, feed and pack
asks this module; nothing else decides an action's status. A test holds each
expression and its twin to the same answer.

- The class: every rating level has exactly one (`RatingLevel.progress`), so
  every action is in exactly one class; an action with no rating has not
  started. The flags below sit beside the class, never instead of it: an
  action can be on track and overdue (and a board wants that named).
- In the round: the actions due an update this cycle: every action not
  complete, and every action completed during the cycle (an update since the
  cycle's start, below, moved it from a level not complete to a complete one),
  which counts as updated. An action complete before the cycle started
  (before the first board: completed by its first update) is out of it.
  Completing an action never shrinks the round.
- Overdue: a due date before today and a rating that is not complete. A due
  month is stored as its last day; "to be determined" (no date) is never overdue.
- Due soon: due from today to `DUE_SOON_DAYS` ahead, inclusive, not complete.
- On track but overdue (inconsistent): overdue while rated at an on-track level.
- The cycle's start: when the last board's snapshot (`Snapshot.objects.last_board_first`:
  the snapshot a board last met on) was taken; before the strategy's first
  snapshot, for each action, when its first update was made. An action's first
  update is its starting rating, however it came in (the plan's import, or the
  action added in the browser), and is never an update for the round.
- Needs an update: not complete, and nothing recorded since the cycle's start
  (so before the first board: nothing since its starting rating, or nothing ever).
- Unallocated: no owner post.
- No due date: "to be determined".
- Milestone overdue: a milestone of a live action, not done, whose due month has
  passed. Its action's page and lists show it, and chasing reminds the owners.
- Milestone due soon: a milestone of a live action, not done, due from today to
  `DUE_SOON_DAYS` ahead: the owners are reminded once before its month ends.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import BooleanField, Case, CharField, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, IsNull, LessThanOrEqual
from django.dispatch import receiver

from actions.models import Action, ActionUpdate, Progress, Snapshot


@functools.cache
def due_soon_days() -> int:
    # Read once: the rule runs for every row of a page, and a settings lookup costs more than the rule.
    return settings.DUE_SOON_DAYS


@receiver(setting_changed)
def _due_soon_days_forget(*, setting: str, **kwargs) -> None:
    if setting == "DUE_SOON_DAYS":
        due_soon_days.cache_clear()


class Rated(Protocol):
    progress: str  # a Progress value: the class of the rating level


# Python twins ------------------------------------------------------------------------------------


# Looked up by value: calling Progress(value) costs more than the rest of an action's status.
PROGRESS_BY_VALUE: dict[str, Progress] = {progress.value: progress for progress in Progress}


def classify(rating: Rated | None) -> Progress:
    """The one class of an action at this rating; an action with no rating has not started."""
    return Progress.NOT_STARTED if rating is None else PROGRESS_BY_VALUE[rating.progress]


def not_complete(rating: Rated | None) -> bool:
    return classify(rating) != Progress.COMPLETE


def is_completing(rating_before: Rated | None, rating_after: Rated) -> bool:
    """Whether an update completed its action: from a level not complete to a complete one (a new action's first
    rating, with nothing before it, completes nothing)."""
    return rating_before is not None and not_complete(rating_before) and classify(rating_after) == Progress.COMPLETE


def in_round(
    rating: Rated | None,
    completed_at: dt.datetime | None,
    cycle_started_at: dt.datetime | None,
    first_updated_at: dt.datetime | None,
) -> bool:
    """Whether the action is in this cycle's update round: not complete, or completed during the cycle.

    `completed_at` is when its latest completing update (`is_completing`) was made, None when it has none;
    `cycle_started_at` and `first_updated_at` are as for `needs_update`, and the cycle starts as there (`cycle_start`).
    """
    if not_complete(rating):
        return True
    started = cycle_start(cycle_started_at, first_updated_at)
    return completed_at is not None and (started is None or completed_at > started)


def is_overdue(due_date: dt.date | None, rating: Rated | None, today: dt.date) -> bool:
    return due_date is not None and due_date < today and not_complete(rating)


def is_due_soon(due_date: dt.date | None, rating: Rated | None, today: dt.date) -> bool:
    return due_date is not None and today <= due_date <= today + dt.timedelta(days=due_soon_days()) and not_complete(rating)


def is_inconsistent(due_date: dt.date | None, rating: Rated | None, today: dt.date) -> bool:
    return classify(rating) == Progress.ON_TRACK and is_overdue(due_date, rating, today)


def cycle_start(cycle_started_at: dt.datetime | None, first_updated_at: dt.datetime | None) -> dt.datetime | None:
    """When the action's cycle started: the last board's snapshot's time, or before the first, its first update's."""
    return cycle_started_at if cycle_started_at is not None else first_updated_at


def needs_update(
    rating: Rated | None,
    last_updated_at: dt.datetime | None,
    cycle_started_at: dt.datetime | None,
    first_updated_at: dt.datetime | None,
) -> bool:
    """Not complete, and nothing recorded since the cycle's start (`cycle_start`).

    `cycle_started_at` is when the strategy's last board's snapshot was taken (None before the first);
    `first_updated_at` when the action's first update, its starting rating, was made (None when it has none).
    """
    if classify(rating) == Progress.COMPLETE:
        return False
    if last_updated_at is None:
        return True
    started = cycle_start(cycle_started_at, first_updated_at)
    return started is not None and last_updated_at <= started


def is_unallocated(owner_count: int) -> bool:
    return owner_count == 0


def is_milestone_overdue(due_date: dt.date | None, done_at: dt.datetime | None, action_retired: bool, today: dt.date) -> bool:
    return due_date is not None and due_date < today and done_at is None and not action_retired


def is_milestone_due_soon(due_date: dt.date | None, done_at: dt.datetime | None, action_retired: bool, today: dt.date) -> bool:
    due = due_date is not None and today <= due_date <= today + dt.timedelta(days=due_soon_days())
    return due and done_at is None and not action_retired


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
        """The due-date warning in words, as every page shows it beside the rating: at most one, and
        an on-track action past its date reads "On track but overdue" rather than a second, bare "Overdue"."""
        if self.inconsistent:
            return ["On track but overdue"]
        if self.overdue:
            return ["Overdue"]
        if self.due_soon:
            return ["Due soon"]
        return []


def status(
    *,
    due_date: dt.date | None,
    rating: Rated,
    today: dt.date,
    owner_count: int,
    last_updated_at: dt.datetime | None,
    cycle_started_at: dt.datetime | None,
    first_updated_at: dt.datetime | None,
) -> Status:
    return Status(
        overdue=is_overdue(due_date, rating, today),
        due_soon=is_due_soon(due_date, rating, today),
        inconsistent=is_inconsistent(due_date, rating, today),
        needs_update=needs_update(rating, last_updated_at, cycle_started_at, first_updated_at),
        unallocated=is_unallocated(owner_count),
        no_due_date=due_date is None,
    )


# Classes of several actions ----------------------------------------------------------------------


def class_counts(classes: Iterable[Progress]) -> dict[Progress, int]:
    """How many actions are in each class, every class present (in the order a board reads them)."""
    found = Counter(classes)
    return {progress: found[progress] for progress in Progress}


def combined(classes: Iterable[Progress]) -> Progress:
    """The class of a set of actions (a deliverable's, a delivery group's), from each action's class.

    Complete when every one is; at risk when any is; on track when work is
    under way with none at risk (some on track, or some complete beside some
    not started); not started when none has started (or there are none).
    """
    found = set(classes)
    if not found:
        return Progress.NOT_STARTED
    if found == {Progress.COMPLETE}:
        return Progress.COMPLETE
    if Progress.AT_RISK in found:
        return Progress.AT_RISK
    if found & {Progress.ON_TRACK, Progress.COMPLETE}:
        return Progress.ON_TRACK
    return Progress.NOT_STARTED


# Database expressions, over Action ---------------------------------------------------------------


def classification() -> Coalesce:
    """classify() in SQL: the class of the action's rating level, not started where it has none."""
    return Coalesce(F("rating__progress"), Value(Progress.NOT_STARTED.value), output_field=CharField())


def not_complete_q() -> Q:
    """not_complete() in SQL: the action's rating is not at a complete level."""
    return ~Q(rating__progress=Progress.COMPLETE)


def completing_q() -> Q:
    """is_completing() in SQL, over updates."""
    not_complete_classes = [progress for progress in Progress if progress != Progress.COMPLETE]
    return Q(rating_before__progress__in=not_complete_classes, rating_after__progress=Progress.COMPLETE)


def last_completed_at() -> Subquery:
    """When the action's latest completing update was made (NULL when it has none): `in_round`'s `completed_at`."""
    completing = ActionUpdate.objects.filter(completing_q(), action=OuterRef("pk")).order_by("-created_at")
    return Subquery(completing.values("created_at")[:1])


def in_round_q(*, completed_at=None, cycle_started_at=None, first_updated_at=None) -> Q:
    """in_round() in SQL: not complete, or its latest completing update made since the cycle's start (`cycle_start_of`).

    Each input is found by one index probe per action unless given as a column (see needs_update_q).
    """
    completed = completed_at if completed_at is not None else last_completed_at()
    first = first_updated_at if first_updated_at is not None else _first_updated_at()
    cycle = cycle_start_of(cycle_started_at if cycle_started_at is not None else _cycle_started_at(), first)
    since = Q(IsNull(cycle, True)) | Q(GreaterThan(completed, cycle))
    return not_complete_q() | (Q(IsNull(completed, False)) & since)


def overdue(today: dt.date) -> Q:
    return Q(due_date__lt=today) & not_complete_q()


def milestone_overdue(today: dt.date) -> Q:
    """is_milestone_overdue() in SQL, over milestones."""
    return Q(due_date__lt=today, done_at=None, action__retired_at=None)


def milestone_due_soon(today: dt.date) -> Q:
    """is_milestone_due_soon() in SQL, over milestones."""
    return Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=due_soon_days()), done_at=None, action__retired_at=None)


def due_soon(today: dt.date) -> Q:
    return Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=due_soon_days())) & not_complete_q()


def inconsistent(today: dt.date) -> Q:
    return overdue(today) & Q(rating__progress=Progress.ON_TRACK)


def cycle_started_at() -> Subquery:
    """When the action's strategy's last board's snapshot was taken (NULL before the first snapshot)."""
    return _cycle_started_at()


def _cycle_started_at() -> Subquery:
    return Subquery(Snapshot.objects.filter(strategy=OuterRef("strategy_id")).last_board_first().values("taken_at")[:1])


def first_updated_at(of: str = "pk") -> Subquery:
    """When the action's first update, its starting rating, was made (NULL when it has none): `needs_update`'s
    `first_updated_at`, found by one probe of the index the latest update is found by. `of` names the column that
    holds the action's id, where the rows are not actions (a snapshot's items: "action_id")."""
    return _first_updated_at(of)


def _first_updated_at(of: str = "pk") -> Subquery:
    return Subquery(ActionUpdate.objects.filter(action=OuterRef(of)).order_by("created_at").values("created_at")[:1])


def cycle_start_of(cycle_started_at, first_updated_at) -> Coalesce:
    """cycle_start() in SQL: the last board's snapshot's time, or before the first, the action's first update's."""
    return Coalesce(cycle_started_at, first_updated_at, output_field=DateTimeField())


def needs_update_q(*, last_updated_at=None, cycle_started_at=None, first_updated_at=None) -> Q:
    """Not complete, and never updated or last updated no later than the cycle's start (`cycle_start_of`).

    By default the latest update, the first update and the last board are each
    found by one index probe per action, which suits a page of a few hundred. A
    statement over the whole install (the daily sweep) passes them in as
    columns it joins once.
    """
    last = last_updated_at
    if last is None:
        last = Subquery(ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at").values("created_at")[:1])
    first = first_updated_at if first_updated_at is not None else _first_updated_at()
    cycle = cycle_started_at if cycle_started_at is not None else _cycle_started_at()
    return not_complete_q() & (Q(IsNull(last, True)) | Q(LessThanOrEqual(last, cycle_start_of(cycle, first))))


def unallocated(*, owned=None) -> Q:
    """No owner post. `owned` may give, as a true/false column, whether the action has one (see needs_update_q)."""
    return ~Q(owned if owned is not None else Exists(Action.owners.through.objects.filter(action=OuterRef("pk"))))


def no_due_date() -> Q:
    return Q(due_date__isnull=True)


def flag(condition: Q) -> Case:
    """A rule's condition as a true/false column (never NULL), to annotate or count with."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


STATUS_FIELDS = ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated", "no_due_date")


def conditions(today: dt.date, *, last_updated_at=None, cycle_started_at=None, first_updated_at=None, owned=None) -> dict[str, Q]:
    """Each rule's condition by name, for filtering: `actions.filter(conditions(today)["overdue"])`.

    The keywords are the per-action inputs a statement may join in itself (see needs_update_q).
    """
    return {
        "overdue": overdue(today),
        "due_soon": due_soon(today),
        "inconsistent": inconsistent(today),
        "needs_update": needs_update_q(
            last_updated_at=last_updated_at, cycle_started_at=cycle_started_at, first_updated_at=first_updated_at
        ),
        "unallocated": unallocated(owned=owned),
        "no_due_date": no_due_date(),
    }


def with_status(actions: QuerySet[Action], today: dt.date) -> QuerySet[Action]:
    """The actions with one boolean annotation per rule (`overdue`, `due_soon`, ...), computed in the query."""
    return actions.annotate(**{name: flag(condition) for name, condition in conditions(today).items()})


def status_of(action: Action) -> Status:
    """The Status of an action annotated by `with_status`."""
    return Status(**{name: getattr(action, name) for name in STATUS_FIELDS})
