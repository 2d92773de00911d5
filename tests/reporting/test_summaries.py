"""The board's figures, computed from rows (live or frozen): counts, exceptions and movement at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import RatingLevel
from actions.rows import ActionRow
from coproduction.services import officers_on_track
from reporting.summaries import exceptions, headline_counts, movement, overlap, rating_counts, rows_filter

TODAY = dt.date(2025, 7, 15)
MAY_14 = dt.date(2025, 5, 14)
MONTH = "month"


def row(
    level,
    *,
    action_id=1,
    ref="A1",
    group_id=10,
    priority_id=100,
    due=dt.date(2025, 9, 30),
    owners=("Head of SEND",),
    updated=None,
    as_at=TODAY,
    cycle=None,
):
    return ActionRow(
        action_id=action_id,
        ref=ref,
        text=f"Action {ref}",
        group_id=group_id,
        priority_id=priority_id,
        rating=level,
        due_date=due,
        due_precision=MONTH if due else "none",
        owners=tuple(owners),
        last_updated_at=updated,
        as_at=as_at,
        cycle_started_at=cycle,
    )


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def levels(scheme):
    return list(scheme.levels.all())


def test_it_counts_ratings_overall_per_priority_and_per_group(level, levels):
    rows = [
        row(level("grey"), action_id=1, group_id=10, priority_id=100),
        row(level("grey"), action_id=2, group_id=10, priority_id=100),
        row(level("red"), action_id=3, group_id=11, priority_id=100),
        row(level("green"), action_id=4, group_id=12, priority_id=200),
    ]
    counts = rating_counts(rows, levels)
    assert counts.overall.total == 4
    assert [(s.level.label, s.count) for s in counts.overall.shown()] == [("Red", 1), ("Grey", 2), ("Green", 1)]
    assert counts.by_priority[100].count_of(level("grey")) == 2 and counts.by_priority[100].total == 3
    assert counts.by_priority[200].count_of(level("green")) == 1
    assert counts.by_group[11].count_of(level("red")) == 1 and counts.by_group[11].count_of(level("grey")) == 0
    assert [s.percent for s in counts.overall.shown()] == [25, 50, 25]


def test_it_counts_nothing_for_no_rows(levels):
    counts = rating_counts([], levels)
    assert counts.overall.total == 0 and counts.overall.shown() == [] and counts.by_priority == {}


def test_an_action_due_today_is_not_overdue_but_due_yesterday_is(level):
    due_today = row(level("amber"), action_id=1, due=TODAY)
    due_yesterday = row(level("amber"), action_id=2, due=TODAY - dt.timedelta(days=1))
    found = exceptions([due_today, due_yesterday])
    assert [r.action_id for r in found.overdue] == [2]
    assert [r.action_id for r in found.inconsistent] == [2]  # Amber claims on track


def test_a_complete_action_is_never_overdue_inconsistent_or_needing_an_update(level):
    done = row(level("amber-e"), due=dt.date(2024, 12, 31), updated=None, cycle=at(dt.date(2025, 5, 14)))
    found = exceptions([done])
    assert not found.overdue and not found.inconsistent and not found.needs_update


def test_overdue_but_not_on_track_is_overdue_without_being_inconsistent(level):
    late_grey = row(level("grey"), due=dt.date(2025, 6, 30))
    late_red = row(level("red"), action_id=2, due=dt.date(2025, 6, 30))
    found = exceptions([late_grey, late_red])
    assert len(found.overdue) == 2 and found.inconsistent == []
    assert [r.action_id for r in found.risk] == [2]


def test_it_flags_unallocated_and_to_be_confirmed(level):
    found = exceptions([row(level("grey"), owners=(), due=None)])
    assert len(found.unallocated) == 1 and len(found.no_due_date) == 1 and not found.overdue


def test_needs_an_update_means_nothing_recorded_since_the_last_snapshot_was_taken(level):
    taken = at(dt.date(2025, 5, 14))
    after = row(level("amber"), action_id=1, updated=taken + dt.timedelta(minutes=1), cycle=taken)
    at_the_moment = row(level("amber"), action_id=2, updated=taken, cycle=taken)
    never = row(level("amber"), action_id=3, updated=None, cycle=taken)
    assert [r.action_id for r in exceptions([after, at_the_moment, never]).needs_update] == [2, 3]


def test_before_any_snapshot_only_an_action_never_updated_needs_an_update(level):
    once = row(level("amber"), action_id=1, updated=at(dt.date(2020, 1, 1)))
    never = row(level("amber"), action_id=2, updated=None)
    assert [r.action_id for r in exceptions([once, never]).needs_update] == [2]


def test_movement_reads_improved_worsened_completed_overdue_and_new(level):
    before = [
        row(level("grey"), action_id=1, ref="UP", as_at=MAY_14),
        row(level("amber"), action_id=2, ref="DOWN", as_at=MAY_14),
        row(level("amber"), action_id=3, ref="DONE", as_at=MAY_14),
        row(level("amber"), action_id=4, ref="LATE", due=dt.date(2025, 6, 30), as_at=MAY_14),
        row(level("amber"), action_id=5, ref="SAME", as_at=MAY_14),
        row(level("amber"), action_id=6, ref="WAS-LATE", due=dt.date(2025, 3, 31), as_at=MAY_14),
    ]
    after = [
        row(level("amber"), action_id=1, ref="UP"),
        row(level("red"), action_id=2, ref="DOWN"),
        row(level("amber-e"), action_id=3, ref="DONE"),
        row(level("amber"), action_id=4, ref="LATE", due=dt.date(2025, 6, 30)),
        row(level("amber"), action_id=5, ref="SAME"),
        row(level("amber"), action_id=6, ref="WAS-LATE", due=dt.date(2025, 3, 31)),
        row(level("grey"), action_id=7, ref="NEW"),
    ]
    moved = movement(before, after)
    assert [(m.row.ref, m.before.label, m.after.label) for m in moved.improved] == [("UP", "Grey", "Amber"), ("DONE", "Amber", "Amber E")]
    assert [(m.row.ref, m.before.label, m.after.label) for m in moved.worsened] == [("DOWN", "Amber", "Red")]
    assert [m.row.ref for m in moved.newly_completed] == ["DONE"]
    assert [m.row.ref for m in moved.newly_overdue] == ["LATE"]  # WAS-LATE was already overdue on 14 May
    assert [(m.row.ref, m.before) for m in moved.new] == [("NEW", None)]


def test_movement_between_identical_rows_is_empty(level):
    rows = [row(level("amber"), action_id=1)]
    assert movement(rows, rows).is_empty()


def test_filters_combine_owner_rating_and_a_set_of_actions(level):
    rows = [
        row(level("amber"), action_id=1, owners=("Head of SEND",)),
        row(level("red"), action_id=2, owners=("Head of SEND", "ICB lead")),
        row(level("red"), action_id=3, owners=()),
    ]
    assert [r.action_id for r in rows_filter(rows, owner_titles={"ICB lead"})] == [2]
    assert [r.action_id for r in rows_filter(rows, rating_id=level("red").pk)] == [2, 3]
    assert [r.action_id for r in rows_filter(rows, owner_titles={"Head of SEND"}, rating_id=level("red").pk, action_ids={2, 3})] == [2]
    assert rows_filter(rows, owner_titles=set()) == []


@pytest.mark.parametrize("scheme_code", ["rag", "brag"])
def test_rag_and_brag_amber_some_risk_to_delivery_is_counted_at_risk(db, scheme_code):
    """Before one classification RAG's Amber was in no headline figure at all: neither on track nor at risk."""
    rag = {lv.code: lv for lv in RatingLevel.objects.filter(scheme__code=scheme_code)}
    rows = [row(rag["amber"], action_id=1), row(rag["green"], action_id=2), row(rag["red"], action_id=3, due=MAY_14)]
    counts = headline_counts(rows)
    assert (counts["on_track"], counts["risk"], counts["overdue"]) == (1, 2, 1)
    assert overlap(counts) == "Overdue overlaps the other figures: 1 of the 2 at risk is overdue."
    assert not officers_on_track([rag["amber"], rag["green"]])  # so no disagreement with families who see no change


def test_the_headline_says_when_nothing_is_overdue(level):
    assert overlap(headline_counts([row(level("amber"))])) == "No action is overdue."
