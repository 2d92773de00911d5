"""The status rule book: each rule's database expression and its Python twin agree, and every
place that shows an action's status (the sweep, My actions, the strategy page, the dashboard and
the board pack) says the same thing about the same action."""

from __future__ import annotations

import datetime as dt
import itertools

import pgtrigger
import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.chasing import actions_sweep, sweep_status, sweep_totals
from actions.models import Action, ActionUpdate, DeliveryGroup, Priority, Progress, RatingScheme, Snapshot, Strategy, last_board_among
from actions.reads import action_page_read, my_actions_for
from actions.rows import rows_from_actions
from governance.services import snapshot_take
from people.models import Membership
from reporting.dashboard import dashboard_for, dashboard_rows, exception_list_for
from reporting.report import board_pack_context

FLAGS = ("overdue", "due_soon", "inconsistent", "needs_update")


def _update(action: Action, when: dt.datetime) -> None:
    ActionUpdate.objects.create(action=action, created_at=when, rating_after=action.rating, narrative="Progress.")


def _taken_at(snapshot: Snapshot, taken_at: dt.datetime) -> Snapshot:
    """Say when a snapshot was taken (snapshots are immutable: the test steps past the trigger)."""
    with pgtrigger.ignore("actions.Snapshot:snapshot_immutable"):
        Snapshot.objects.filter(pk=snapshot.pk).update(taken_at=taken_at)
    snapshot.refresh_from_db()
    return snapshot


def what_each_says(client, owner, action: Action) -> dict[str, dict[str, bool]]:
    """The status of `action` as each place in the product reports it today."""
    today = timezone.localdate()
    said: dict[str, dict[str, bool]] = {}

    mine = my_actions_for(owner, today=today)
    shown = [a for s in mine.strategies for g in s.groups.values() for a in g.actions if a.pk == action.pk]
    said["my actions"] = {flag: getattr(shown[0].status, flag) for flag in FLAGS}

    client.force_login(owner)
    page = client.get(reverse("actions:strategy_detail", args=[action.strategy_id])).content.decode()
    row = page[page.index(f">{action.ref}</a>") :]
    row = row[: row.index("</tr>")]
    said["strategy page"] = {
        "overdue": ">Overdue</strong>" in row or ">On track but overdue</strong>" in row,
        "due_soon": ">Due soon</strong>" in row,
        "inconsistent": ">On track but overdue</strong>" in row,
    }

    def listed(kind: str) -> bool:
        page = exception_list_for(action.strategy, QueryDict(), kind).page
        return page is not None and action.pk in {r.action_id for r in page.object_list}

    said["dashboard"] = {
        **{kind: listed(kind) for kind in ("overdue", "inconsistent", "needs_update")},
        "due_soon": next(r for r in dashboard_rows(action.strategy, QueryDict())[0] if r.action_id == action.pk).status.due_soon,
    }

    membership = Membership.objects.get(user=owner, partnership_id=action.strategy.partnership_id)
    page_status = action_page_read(owner, Action.objects.get(pk=action.pk), membership)["action_status"]
    said["action page"] = {flag: getattr(page_status, flag) for flag in FLAGS}

    totals = sweep_totals(today)
    said["sweep"] = {flag: totals[flag] == 1 for flag in FLAGS}

    # The pack is built from a snapshot: one taken now, as at today, says what the plan said today.
    snapshot = snapshot_take(strategy=action.strategy, as_at=today)
    pack = board_pack_context(snapshot)
    said["board pack"] = {
        "overdue": action.pk in {r.action_id for r in pack["exceptions"].overdue},
        "inconsistent": action.pk in {r.action_id for r in pack["exceptions"].inconsistent},
        "needs_update": action.pk in {r.action_id for r in pack["exceptions"].needs_update},
        "due_soon": next(r for r in pack["items"] if r.action_id == action.pk).status.due_soon,
    }
    snapshot.delete()
    return said


SWEPT = ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated")


def sweep_statuses(today: dt.date) -> dict[int, dict[str, bool]]:
    """Each live action's flags as the daily sweep computes them."""
    sql, params = sweep_status(today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return {row["pk"]: {flag: row[flag] for flag in SWEPT} for row in (dict(zip(names, r, strict=True)) for r in cursor.fetchall())}


def assert_all_agree(said: dict[str, dict[str, bool]], expected: dict[str, bool]) -> None:
    for place, flags in said.items():
        for flag, value in flags.items():
            assert value == expected[flag], f"{place} says {flag}={value}, the rule book says {expected[flag]}"


@pytest.fixture
def alone(action):
    """The action, the only one in the install, so that the sweep's totals are about it alone."""
    assert Action.objects.count() == 1
    return action


def test_an_action_never_updated_with_no_snapshot_needs_an_update_everywhere(client, owner, alone):
    today = timezone.localdate()
    Action.objects.filter(pk=alone.pk).update(due_date=today + dt.timedelta(days=60), due_precision=Action.DuePrecision.DAY)
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": True})


def test_an_update_between_a_snapshots_as_at_date_and_its_taking_is_not_since_the_snapshot(client, owner, alone):
    today = timezone.localdate()
    Action.objects.filter(pk=alone.pk).update(due_date=today + dt.timedelta(days=60), due_precision=Action.DuePrecision.DAY)
    now = timezone.now()
    _update(alone, now - dt.timedelta(days=3))  # after the as-at date, before the snapshot was taken
    snapshot = snapshot_take(strategy=alone.strategy, as_at=today - dt.timedelta(days=5))
    _taken_at(snapshot, now - dt.timedelta(days=1))
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": True})

    _update(alone, now)  # and one after the snapshot was taken
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": False})


def test_an_action_with_only_its_starting_rating_needs_an_update_everywhere_until_someone_updates_it(client, owner, alone):
    """Before the first board the cycle starts at each action's first update (its starting rating), not never."""
    today = timezone.localdate()
    Action.objects.filter(pk=alone.pk).update(due_date=today + dt.timedelta(days=60), due_precision=Action.DuePrecision.DAY)
    now = timezone.now()
    _update(alone, now - dt.timedelta(days=3))  # the starting rating, as the plan's import records it
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": True})

    _update(alone, now)  # a person's update since
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": False})


def test_an_action_overdue_before_the_sweep_has_run_is_overdue_everywhere(client, owner, alone):
    today = timezone.localdate()
    Action.objects.filter(pk=alone.pk).update(due_date=today - dt.timedelta(days=1), due_precision=Action.DuePrecision.DAY)
    _update(alone, timezone.now() - dt.timedelta(days=3))  # its starting rating
    _update(alone, timezone.now())
    assert Action.objects.get(pk=alone.pk).overdue_since is None  # the sweep has not run
    said = what_each_says(client, owner, alone)
    said.pop("sweep")  # asked below, after it has run
    # Amber claims "on track", so overdue at Amber is also inconsistent.
    expected = {"overdue": True, "due_soon": False, "inconsistent": True, "needs_update": False}
    assert_all_agree(said, expected)
    actions_sweep(today=today)
    assert_all_agree(what_each_says(client, owner, alone), expected)


def test_an_action_due_today_is_due_soon_not_overdue_everywhere(client, owner, alone):
    Action.objects.filter(pk=alone.pk).update(due_date=timezone.localdate(), due_precision=Action.DuePrecision.DAY)
    _update(alone, timezone.now() - dt.timedelta(days=3))  # its starting rating
    _update(alone, timezone.now())
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": True, "inconsistent": False, "needs_update": False})


def test_a_complete_action_past_its_due_date_is_neither_overdue_nor_needing_an_update(client, owner, alone, level):
    Action.objects.filter(pk=alone.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=30), due_precision=Action.DuePrecision.DAY, rating=level("green")
    )
    alone.refresh_from_db()
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": False})


@pytest.mark.parametrize("with_snapshot", [True, False])
def test_each_rules_database_expression_agrees_with_its_python_twin(strategy, group, level, owner_post, make_action, with_snapshot):
    """Over a grid of due dates, levels, owners, update histories and snapshots (or none yet): SQL and Python give the
    same status, and an action whose only update is its starting rating needs an update, before the first board too."""
    today = dt.date(2025, 10, 1)
    now = timezone.make_aware(dt.datetime(2025, 10, 1, 12))
    cycle = None
    if with_snapshot:
        snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 9, 1))
        cycle = _taken_at(snapshot, now - dt.timedelta(days=10)).taken_at
    offsets = [None, -30, -1, 0, 1, 14, 15]
    codes = [lv.code for lv in strategy.scheme.levels.all()]
    # Each history: the days before now of its updates, the first its starting rating; -10 is when the snapshot was taken.
    histories = [(), (-20,), (-10,), (-1,), (-20, -10), (-20, -1), (-10, -1)]
    expected, history_of = {}, {}
    for n, (offset, code, owned, history) in enumerate(itertools.product(offsets, codes, (True, False), histories)):
        due = None if offset is None else today + dt.timedelta(days=offset)
        action = Action.objects.create(
            strategy=strategy,
            group=group,
            ref=f"G{n}",
            text="Grid",
            due_date=due,
            due_precision=Action.DuePrecision.NONE if due is None else Action.DuePrecision.DAY,
            rating=level(code),
        )
        if owned:
            action.owners.add(owner_post)
        for days in history:
            _update(action, now + dt.timedelta(days=days))
        first = now + dt.timedelta(days=history[0]) if history else None
        last = now + dt.timedelta(days=history[-1]) if history else None
        history_of[action.pk] = (code, history)
        expected[action.pk] = rules.status(
            due_date=due,
            rating=level(code),
            today=today,
            owner_count=int(owned),
            last_updated_at=last,
            cycle_started_at=cycle,
            first_updated_at=first,
        )
    found = {a.pk: rules.status_of(a) for a in rules.with_status(Action.objects.filter(ref__startswith="G"), today)}
    assert found == expected
    # The sweep reads the same rules over the whole install in one pass, with its inputs joined in.
    swept = sweep_statuses(today)
    assert {pk: swept[pk] for pk in expected} == {pk: {flag: getattr(s, flag) for flag in SWEPT} for pk, s in expected.items()}
    # A board's rows read their inputs in SQL and judge them in Python.
    rows = rows_from_actions(Action.objects.filter(ref__startswith="G"), today)
    assert {row.action_id: row.status for row in rows} == expected
    assert any(s.needs_update for s in found.values()) and any(not s.needs_update for s in found.values())
    assert any(s.overdue for s in found.values()) and any(s.due_soon for s in found.values())
    # Not complete: needing an update is having nothing since the last board, or before the first, since the starting rating.
    needing = {(), (-20,), (-10,), (-20, -10)} if with_snapshot else {(), (-20,), (-10,), (-1,)}
    for pk, (code, history) in history_of.items():
        assert found[pk].needs_update == (code in ("grey", "red", "amber") and history in needing), (code, history)


def test_the_stored_overdue_since_always_equals_the_rule_after_the_sweep(strategy, group, level, make_action):
    today = dt.date(2025, 10, 1)
    for n, (offset, code) in enumerate(itertools.product([-40, -1, 0, 5], ["grey", "red", "amber", "amber-e", "green"])):
        Action.objects.create(
            strategy=strategy,
            group=group,
            ref=f"S{n}",
            text="Sweep",
            due_date=today + dt.timedelta(days=offset),
            due_precision=Action.DuePrecision.DAY,
            rating=level(code),
        )
    for day in (today, today + dt.timedelta(days=3), today - dt.timedelta(days=60)):
        actions_sweep(today=day)
        overdue = set(Action.objects.filter(rules.overdue(day)).values_list("pk", flat=True))
        recorded = set(Action.objects.filter(overdue_since__isnull=False).values_list("pk", flat=True))
        assert recorded == overdue


def test_latest_snapshot_is_the_latest_as_at_date_then_the_last_taken(strategy):
    early = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 1))
    late = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 1))
    _taken_at(early, timezone.now() + dt.timedelta(hours=1))  # taken after the later one
    assert Snapshot.objects.latest_for(strategy) == late
    assert late.previous() == early


@pytest.mark.parametrize("with_snapshot", [True, False])
def test_the_rounds_database_expression_agrees_with_its_python_twin(strategy, group, level, with_snapshot):
    """Over a grid of ratings now and the updates that led there, made before, at or after the cycle's start (or with
    no snapshot yet): SQL and Python put the same actions in the round, and an action completed during the cycle is."""
    now = timezone.now()
    cycle = None
    if with_snapshot:
        cycle = _taken_at(snapshot_take(strategy=strategy, as_at=timezone.localdate() - dt.timedelta(days=20)), now - dt.timedelta(days=10))
        cycle = cycle.taken_at
    codes = [lv.code for lv in strategy.scheme.levels.all()]
    # Each history: (rating before or None for a first rating, rating after, days before now); -10 is the cycle's start.
    histories = [
        [],
        [(None, "green", -1)],  # added complete during the cycle: it completed nothing
        [("amber", "amber-e", -20)],  # completed before the cycle
        [("amber", "amber-e", -10)],  # completed as the snapshot was taken
        [("amber", "amber-e", -1)],  # completed during the cycle
        [("amber", "amber-e", -20), ("amber-e", "green", -1)],  # complete before, embedded during: not completed during
        [("amber", "green", -20), ("green", "red", -5), ("red", "green", -1)],  # reopened and completed again
        [("amber-e", "amber", -1)],  # reopened during the cycle
        [(None, "amber", -20)],  # its starting rating only
        [(None, "amber", -20), ("amber", "green", -1)],  # its starting rating, then completed during the cycle
    ]
    expected, completed_of = {}, {}
    for n, (code, history) in enumerate(itertools.product(codes, histories)):
        action = Action.objects.create(strategy=strategy, group=group, ref=f"R{n}", text="Round", rating=level(code))
        completed = None
        first = now + dt.timedelta(days=history[0][2]) if history else None
        for before, after, days in history:
            when = now + dt.timedelta(days=days)
            ActionUpdate.objects.create(
                action=action, created_at=when, rating_before=before and level(before), rating_after=level(after), narrative="Moved."
            )
            if rules.is_completing(before and level(before), level(after)):
                completed = when
        completed_of[action.pk] = completed
        expected[action.pk] = rules.in_round(level(code), completed, cycle, first)
    found = set(Action.objects.filter(rules.in_round_q(), ref__startswith="R").values_list("pk", flat=True))
    assert found == {pk for pk, in_round in expected.items() if in_round}
    annotated = dict(Action.objects.filter(ref__startswith="R").annotate(at=rules.last_completed_at()).values_list("pk", "at"))
    assert annotated == completed_of
    # Every action not complete is in; a complete one only when its completing update came after the cycle's start,
    # which before the first snapshot is its first update: one completed by its first update was complete from the start.
    green = {pk: in_round for pk, in_round in expected.items() if Action.objects.get(pk=pk).rating.code == "green"}
    assert sorted(green.values()) == ([False] * 7 + [True] * 3 if with_snapshot else [False] * 8 + [True] * 2)


def test_the_classifications_database_expression_agrees_with_its_python_twin(partnership):
    """Every level of every scheme: the class SQL gives an action is the class Python gives its rating, exactly one of four."""
    expected = {}
    for scheme in RatingScheme.objects.prefetch_related("levels"):
        strategy = Strategy.objects.create(partnership=partnership, name=f"Plan on {scheme.code}", scheme=scheme)
        priority = Priority.objects.create(strategy=strategy, name="Right support")
        grouped = DeliveryGroup.objects.create(strategy=strategy, priority=priority, name="Early help")
        for level in scheme.levels.all():
            action = Action.objects.create(strategy=strategy, group=grouped, ref=level.code, text="Each level", rating=level)
            expected[action.pk] = rules.classify(level)
    found = dict(Action.objects.filter(pk__in=expected).annotate(progress=rules.classification()).values_list("pk", "progress"))
    assert found == {pk: progress.value for pk, progress in expected.items()}
    assert set(found.values()) == set(Progress.values)
    assert rules.classify(None) == Progress.NOT_STARTED  # an action with no rating has not started


@pytest.mark.parametrize(
    "classes, expected",
    [
        ([], "not_started"),
        (["not_started", "not_started"], "not_started"),
        (["complete", "complete"], "complete"),
        (["complete", "not_started"], "on_track"),
        (["on_track", "complete"], "on_track"),
        (["on_track", "at_risk", "complete"], "at_risk"),
    ],
)
def test_a_set_of_actions_has_one_class_from_its_actions(classes, expected):
    assert rules.combined(Progress(c) for c in classes) == expected


def test_an_overdue_action_keeps_its_class_and_is_flagged_beside_it(action, level):
    """Overdue is never a class: an on-track action past its date is on track, overdue and inconsistent."""
    today = timezone.localdate()
    Action.objects.filter(pk=action.pk).update(due_date=today - dt.timedelta(days=1), due_precision=Action.DuePrecision.DAY)
    found = rules.with_status(Action.objects.annotate(progress=rules.classification()), today).get(pk=action.pk)
    assert found.progress == "on_track" and found.overdue and found.inconsistent


def test_since_the_last_board_is_since_the_snapshot_a_board_last_met_on_everywhere(client, owner, alone, strategy, officer):
    """A snapshot taken for the next meeting does not restart the cycle: the last board does, once its meeting has come."""
    from governance.models import Board, Meeting

    today = timezone.localdate()
    Action.objects.filter(pk=alone.pk).update(due_date=today + dt.timedelta(days=60), due_precision=Action.DuePrecision.DAY)
    board = Board.objects.create(partnership=strategy.partnership, name="Partnership Board")
    met_on = _taken_at(snapshot_take(strategy=strategy, as_at=today - dt.timedelta(days=30)), timezone.now() - dt.timedelta(days=30))
    Meeting.objects.create(board=board, strategy=strategy, date=today - dt.timedelta(days=23), snapshot=met_on, status="held")
    _update(alone, timezone.now() - dt.timedelta(days=10))  # since the last board
    for_next = snapshot_take(strategy=strategy, as_at=today - dt.timedelta(days=2))  # for the meeting still to come
    Meeting.objects.create(board=board, strategy=strategy, date=today + dt.timedelta(days=10), snapshot=for_next)
    cancelled = Meeting.objects.create(board=board, strategy=strategy, date=today - dt.timedelta(days=1), status="cancelled")
    assert Snapshot.objects.last_board_for(strategy) == met_on
    assert for_next.previous() == met_on
    snapshots = list(Snapshot.objects.filter(strategy=strategy).with_first_board().latest_first())
    assert last_board_among(snapshots, today) == met_on  # the Python twin agrees
    said = what_each_says(client, owner, alone)
    assert_all_agree(said, {"overdue": False, "due_soon": False, "inconsistent": False, "needs_update": False})
    assert dashboard_for(strategy, QueryDict()).previous == met_on

    # A cancelled meeting on today's snapshot is no board; before any board met, the newest snapshot stands in.
    Meeting.objects.filter(pk=cancelled.pk).update(snapshot=for_next)
    Meeting.objects.filter(snapshot=met_on).update(status="cancelled")
    assert Snapshot.objects.last_board_for(strategy) == for_next
    snapshots = list(Snapshot.objects.filter(strategy=strategy).with_first_board().latest_first())
    assert last_board_among(snapshots, today) == for_next
