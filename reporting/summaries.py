"""What a board sees: ratings by priority and delivery group, exceptions, and movement between snapshots.

Every function here works on `actions.rows.ActionRow`s, live or frozen in a
snapshot, and judges status by the rule book (`actions.rules`), so the
dashboard and the board pack compute the same figures in the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value

from actions import rules
from actions.models import Action, Progress, RatingLevel, Snapshot, SnapshotAction, Strategy
from actions.rows import ActionRow, rows_from_actions, rows_from_snapshot

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
    return _tally(_level_counts(row.rating for row in rows), levels)


def tally_of(ratings: Iterable[RatingLevel], levels: Sequence[RatingLevel]) -> Tally | None:
    """A tally of ratings, one for each action; None when there are none."""
    counts = _level_counts(ratings)
    return _tally(counts, levels) if counts else None


def _level_counts(ratings: Iterable[RatingLevel]) -> dict[int, int]:
    """How many of the ratings are at each level id."""
    counts: dict[int, int] = defaultdict(int)
    for rating in ratings:
        counts[rating.pk] += 1
    return counts


def _tally(counts: dict[int, int], levels: Sequence[RatingLevel]) -> Tally:
    """A tally from the number of actions at each level id."""
    total = sum(counts.values())
    ordered = sorted(levels, key=lambda level: level.position)
    return Tally(
        total=total,
        segments=tuple(
            Segment(level, counts.get(level.pk, 0), round(100 * counts.get(level.pk, 0) / total) if total else 0) for level in ordered
        ),
    )


def rating_counts(rows: Sequence[ActionRow], levels: Sequence[RatingLevel]) -> RatingCounts:
    """Number of actions at each rating level, overall, per priority and per delivery group."""
    return rating_counts_of(alike_counts(rows), levels)


def rating_counts_of(counts: dict[Alike, int], levels: Sequence[RatingLevel]) -> RatingCounts:
    """`rating_counts` from actions counted alike (`alike_counts`, or the same in SQL)."""
    overall: dict[int, int] = defaultdict(int)
    by_priority: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_group: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for alike, n in counts.items():
        overall[alike.rating_id] += n
        by_priority[alike.priority_id][alike.rating_id] += n
        by_group[alike.group_id][alike.rating_id] += n
    return RatingCounts(
        overall=_tally(overall, levels),
        by_priority={key: _tally(found, levels) for key, found in by_priority.items()},
        by_group={key: _tally(found, levels) for key, found in by_group.items()},
    )


# Actions counted alike --------------------------------------------------------------------------


class Alike(NamedTuple):
    """What a board counts of an action: where it sits, its rating and class, and the rule book's flags.

    Every figure of the dashboard and the pack (the matrix, the headline
    figures, the exception counts) is a sum over actions alike in these, so the
    live dashboard counts them in one grouped query (`actions_alike_counts`)
    and a snapshot's rows in Python (`alike_counts`), and both give the same.
    """

    group_id: int
    priority_id: int
    rating_id: int
    progress: str  # the class, by the rule book (rules.classify / rules.classification)
    overdue: bool
    inconsistent: bool
    needs_update: bool
    unallocated: bool
    no_due_date: bool


ALIKE_FLAGS = ("overdue", "inconsistent", "needs_update", "unallocated", "no_due_date")  # Alike's flags, in its order


def alike_of(row: ActionRow) -> Alike:
    status = row.status
    return Alike(
        row.group_id,
        row.priority_id,
        row.rating.pk,
        rules.classify(row.rating).value,
        status.overdue,
        status.inconsistent,
        status.needs_update,
        status.unallocated,
        status.no_due_date,
    )


def alike_counts(rows: Iterable[ActionRow]) -> dict[Alike, int]:
    """How many of the rows are alike in everything a board counts (the Python twin of `actions_alike_counts`)."""
    return dict(Counter(alike_of(row) for row in rows))


_ALIKE_COLUMNS = ("group_id", "alike_priority_id", "rating_id", "alike_progress", *(f"alike_{name}" for name in ALIKE_FLAGS))


def alike_statement(actions: QuerySet[Action], today: dt.date, *, shown: Q | None = None) -> tuple[str, tuple]:
    """The grouped query of `actions_alike_counts` as SQL and its parameters: Alike's fields, whether shown, and how many.

    Django takes longer to build this statement than PostgreSQL to run it, so a
    caller that asks again for the same actions, day and filters may keep it.
    """
    conditions = rules.conditions(today)
    grouped = (
        actions.order_by()
        .annotate(
            alike_priority_id=F("group__priority_id"),
            alike_progress=rules.classification(),
            alike_shown=rules.flag(shown) if shown else Value(True),
            **{f"alike_{name}": rules.flag(conditions[name]) for name in ALIKE_FLAGS},
        )
        .values_list(*_ALIKE_COLUMNS, "alike_shown")
        .annotate(n=Count("pk"))
    )
    sql, params = grouped.query.sql_with_params()
    # Named in Alike's order: Django orders the columns of a grouped query its own way.
    return f"SELECT {', '.join(_ALIKE_COLUMNS)}, alike_shown, n FROM ({sql}) AS grouped", tuple(params)


def alike_counts_counted(sql: str, params: tuple) -> tuple[dict[Alike, int], dict[Alike, int]]:
    """The counts of an `alike_statement` run now: of all its actions, and of those shown."""
    everything: dict[Alike, int] = defaultdict(int)
    chosen: dict[Alike, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *fields, is_shown, n in cursor.fetchall():
            alike = Alike(*fields)
            everything[alike] += n
            if is_shown:
                chosen[alike] += n
    return dict(everything), dict(chosen)


def actions_alike_counts(actions: QuerySet[Action], today: dt.date, *, shown: Q | None = None) -> tuple[dict[Alike, int], dict[Alike, int]]:
    """`alike_counts` of live actions in one grouped query, as at `today`: all of them, and those `shown` allows.

    The class is the rule book's `classification()` and each flag its
    condition, so the counts agree with rows judged in Python.
    """
    return alike_counts_counted(*alike_statement(actions, today, shown=shown))


def overdue_by_group_of(counts: dict[Alike, int]) -> dict[int, int]:
    """How many actions are overdue in each delivery group (groups with none left out)."""
    found: dict[int, int] = defaultdict(int)
    for alike, n in counts.items():
        if alike.overdue:
            found[alike.group_id] += n
    return dict(found)


def ratings_by_group(counts: dict[Alike, int], levels: dict[int, RatingLevel]) -> dict[int, list[RatingLevel]]:
    """Each delivery group's actions' ratings (one per action), for judging it as a whole."""
    found: dict[int, list[RatingLevel]] = defaultdict(list)
    for alike, n in counts.items():
        found[alike.group_id].extend([levels[alike.rating_id]] * n)
    return dict(found)


# Exceptions -------------------------------------------------------------------------------------

EXCEPTION_KINDS: dict[str, str] = {
    "risk": "Rated at risk",
    "overdue": "Overdue",
    "inconsistent": "Rated on track but overdue",
    "unallocated": "No owner allocated",
    "no_due_date": "No due date (TBC)",
    "needs_update": "No update since the last board",
}


@dataclass
class Exceptions:
    risk: list[ActionRow] = field(default_factory=list)
    overdue: list[ActionRow] = field(default_factory=list)
    inconsistent: list[ActionRow] = field(default_factory=list)
    unallocated: list[ActionRow] = field(default_factory=list)
    no_due_date: list[ActionRow] = field(default_factory=list)
    needs_update: list[ActionRow] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, str, list[ActionRow]]]:
        """(key, label, rows) for every kind of exception, in the order a board reads them."""
        return [(key, label, getattr(self, key)) for key, label in EXCEPTION_KINDS.items()]


def exception_counts(counts: dict[Alike, int]) -> dict[str, int]:
    """How many actions are in each kind of exception (`EXCEPTION_KINDS`), from actions counted alike."""
    found = dict.fromkeys(EXCEPTION_KINDS, 0)
    for alike, n in counts.items():
        found["risk"] += n if alike.progress == Progress.AT_RISK else 0
        for kind in ("overdue", "inconsistent", "unallocated", "no_due_date", "needs_update"):
            found[kind] += n if getattr(alike, kind) else 0
    return found


def exception_condition(kind: str, today: dt.date) -> Q:
    """The actions an exception kind lists, in SQL: the twin of `exceptions`."""
    return Q(rating__progress=Progress.AT_RISK) if kind == "risk" else rules.conditions(today)[kind]


def exceptions(rows: Iterable[ActionRow]) -> Exceptions:
    """What a board wants flagged, each row judged by the rule book as at its own date."""
    found = Exceptions()
    for row in rows:
        status = row.status
        if row.rating.is_risk:
            found.risk.append(row)
        for kind in ("overdue", "inconsistent", "unallocated", "no_due_date", "needs_update"):
            if getattr(status, kind):
                getattr(found, kind).append(row)
    return found


# Movement between two snapshots (or a snapshot and the live plan) -------------------------------


@dataclass(frozen=True)
class Move:
    row: ActionRow
    before: RatingLevel | None
    after: RatingLevel | None  # None: the action was retired


MOVEMENT_KINDS: dict[str, str] = {
    "worsened": "Rating worsened",
    "improved": "Rating improved",
    "newly_completed": "Newly completed",
    "newly_overdue": "Newly overdue",
    "new": "New actions",
    "retired": "Retired actions",
}


@dataclass
class Movement:
    improved: list[Move] = field(default_factory=list)
    worsened: list[Move] = field(default_factory=list)
    newly_completed: list[Move] = field(default_factory=list)
    newly_overdue: list[Move] = field(default_factory=list)
    new: list[Move] = field(default_factory=list)
    retired: list[Move] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, str, list[Move]]]:
        return [(key, label, getattr(self, key)) for key, label in MOVEMENT_KINDS.items()]

    def is_empty(self) -> bool:
        return not any(moves for _, _, moves in self.kinds())


def movement(previous_rows: Iterable[ActionRow], current_rows: Iterable[ActionRow], retired_ids: set[int] = frozenset()) -> Movement:
    """How each action moved from the previous rows to the current ones.

    Improved and worsened compare the levels' positions (worst to best); a
    newly completed action is also listed as improved. Newly overdue means
    overdue as at the current row's date but not as at the previous row's.
    An action absent before is new; one of `retired_ids` that was there before is retired.
    """
    before_by_id = {row.action_id: row for row in previous_rows}
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
        if row.status.overdue and not before.status.overdue:
            moved.newly_overdue.append(move)
    moved.retired = [Move(row, row.rating, None) for row in before_by_id.values() if row.action_id in retired_ids]
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
    """How these live actions moved since the last board (None, None before any snapshot)."""
    snapshot = Snapshot.objects.last_board_for(strategy)
    if snapshot is None:
        return None, None
    current = rows_from_actions(actions)
    previous = rows_from_snapshot(snapshot, SnapshotAction.objects.filter(action_id__in=[row.action_id for row in current]))
    return snapshot, movement(previous, current)


# Headline figures -------------------------------------------------------------------------------

HEADLINE_KINDS: dict[str, str] = {
    "on_track": "On track",
    "risk": "At risk",
    "overdue": "Overdue",
    "not_started": "Not started",
    "complete": "Complete",
    "needs_update": "No update since the last board",
}


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    count: int
    change: int | None  # since the previous snapshot; None when there is none to compare with


def headline_counts(rows: Iterable[ActionRow]) -> dict[str, int]:
    """How many actions are on track, at risk, overdue, complete and not updated since the last board, by the rule book."""
    return headline_counts_of(alike_counts(rows))


def headline_counts_of(counts: dict[Alike, int]) -> dict[str, int]:
    """`headline_counts` from actions counted alike.

    Each action is in one class (on track, at risk, complete, or not started);
    overdue and no update are flags beside the class, so they overlap it:
    `overdue_<class>` says how many of each class are overdue (see `overlap`).
    """
    classes: Counter[Progress] = Counter()
    overdue: Counter[Progress] = Counter()
    needs_update = 0
    for alike, n in counts.items():
        progress = rules.PROGRESS_BY_VALUE[alike.progress]
        classes[progress] += n
        if alike.overdue:
            overdue[progress] += n
        needs_update += n if alike.needs_update else 0
    return {
        "on_track": classes[Progress.ON_TRACK],
        "risk": classes[Progress.AT_RISK],
        "overdue": sum(overdue.values()),
        "complete": classes[Progress.COMPLETE],
        "needs_update": needs_update,
        "not_started": classes[Progress.NOT_STARTED],
        **{f"overdue_{progress.value}": overdue[progress] for progress in Progress},
    }


def overlap(counts: dict[str, int]) -> str:
    """The headline figures' overlap in words: an overdue action is also counted under its class.

    E.g. "Overdue overlaps the other figures: 3 of the 12 on track and 2 of the 5 at risk are overdue."
    """
    if not counts["overdue"]:
        return "No action is overdue."
    totals = {Progress.ON_TRACK: counts["on_track"], Progress.AT_RISK: counts["risk"], Progress.NOT_STARTED: counts["not_started"]}
    parts = [
        f"{counts[f'overdue_{p.value}']} of the {total} {p.label.lower()}" for p, total in totals.items() if counts[f"overdue_{p.value}"]
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Overdue overlaps the other figures: {listed} {'is' if counts['overdue'] == 1 else 'are'} overdue."


def headlines(now: dict[str, int], before: dict[str, int] | None) -> list[Headline]:
    return [Headline(key, label, now[key], None if before is None else now[key] - before[key]) for key, label in HEADLINE_KINDS.items()]


# Reading exceptions by urgency ------------------------------------------------------------------


def by_urgency(rows: Iterable[ActionRow]) -> list[ActionRow]:
    """Most urgent first: at risk, then overdue longest, then due soonest; ties in plan order."""
    far = dt.date.max
    return sorted(rows, key=lambda row: (not row.rating.is_risk, not row.status.overdue, row.due_date or far))


@dataclass
class ExceptionsOnce:
    """A board pack's exceptions, each action listed once in its most urgent place.

    At risk comes first; the other overdue actions follow, grouped by delivery
    group. The housekeeping lists (no owner, no due date, no update) are read as
    refs only, so an action there is never printed twice in full.
    """

    risk: list[ActionRow]
    overdue_by_group: list[tuple[int, list[ActionRow]]]
    unallocated: list[ActionRow]
    no_due_date: list[ActionRow]
    needs_update: list[ActionRow]

    @property
    def overdue_count(self) -> int:
        return sum(len(rows) for _, rows in self.overdue_by_group)

    def housekeeping(self) -> list[tuple[str, list[ActionRow]]]:
        return [(EXCEPTION_KINDS[key], getattr(self, key)) for key in ("unallocated", "no_due_date", "needs_update")]


def exceptions_once(found: Exceptions, group_order: Sequence[int]) -> ExceptionsOnce:
    risk = by_urgency(found.risk)
    listed = {row.action_id for row in risk}
    overdue: dict[int, list[ActionRow]] = defaultdict(list)
    for row in by_urgency(found.overdue):
        if row.action_id not in listed:
            overdue[row.group_id].append(row)
    return ExceptionsOnce(
        risk=risk,
        overdue_by_group=[(group_id, overdue[group_id]) for group_id in group_order if overdue.get(group_id)],
        unallocated=found.unallocated,
        no_due_date=found.no_due_date,
        needs_update=found.needs_update,
    )


# Movement with each action once -----------------------------------------------------------------

MOVEMENT_ONCE_ORDER = ("worsened", "newly_overdue", "newly_completed", "improved", "new", "retired")


def movement_once(moved: Movement) -> list[tuple[str, str, list[Move]]]:
    """Each moved action once, under the first of worsened, newly overdue, newly completed, improved, new."""
    seen: set[int] = set()
    found = []
    for key in MOVEMENT_ONCE_ORDER:
        moves = [move for move in getattr(moved, key) if move.row.action_id not in seen]
        seen.update(move.row.action_id for move in moves)
        if moves:
            found.append((key, MOVEMENT_KINDS[key], moves))
    return found
